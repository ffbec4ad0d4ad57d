//! The story, from the shell: the real `kammerctl` binary against a fresh database.

use std::process::{Command, Output};

/// A database of its own for this test, dropped at the end even when an assertion fails.
struct Scratch {
    admin_url: String,
    name: String,
}

impl Scratch {
    fn create() -> Self {
        let admin_url =
            std::env::var("DATABASE_URL").expect("DATABASE_URL points at a PostgreSQL server");
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let name = format!(
            "kammerctl_story_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        psql(&admin_url, &format!("create database {name}"));
        Scratch { admin_url, name }
    }

    fn url(&self) -> String {
        let (base, _) = self
            .admin_url
            .rsplit_once('/')
            .expect("URL has a database part");
        format!("{base}/{}", self.name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // No assertion here: a panic while unwinding would abort and hide the real failure.
        let sql = format!("drop database if exists {} with (force)", self.name);
        let _ = Command::new("psql")
            .args([&self.admin_url, "-qc", &sql])
            .output();
    }
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args([url, "-qc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kammerctl(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("KAMMERCTL_USER", "admin")
        .env("KAMMERCTL_PASSWORD", "kammer-demo-2026")
        .output()
        .expect("kammerctl runs")
}

fn ok(url: &str, args: &[&str]) -> String {
    let out = kammerctl(url, args);
    assert!(
        out.status.success(),
        "kammerctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(url: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(url, &all)).unwrap()
}

#[test]
fn story_resend_read_check_submit_approve() {
    let db = Scratch::create();
    let url = db.url();
    ok(&url, &["migrate"]);
    ok(&url, &["demo-seed"]);

    let shown = ok(&url, &["antrag", "show", "178"]);
    assert!(
        shown.contains("Antrag Nr. 178, gesendet am 12.01.2024, 07:23:17"),
        "{shown}"
    );
    assert!(shown.contains("Freigabeschlüssel notwendig"), "{shown}");

    ok(
        &url,
        &[
            "policy",
            "set",
            "--auto-approve-on-code",
            "false",
            "--resend-cooldown-seconds",
            "0",
        ],
    );
    let resent = json(
        &url,
        &[
            "code",
            "resend",
            "178",
            "--reason",
            "Anruf: Code nicht erhalten",
        ],
    );
    let mail = json(&url, &["outbox", "show", &resent["outbox_id"].to_string()]);
    assert_eq!(mail["entry"]["recipient"], "info@testbetrieb.example");
    let body = mail["body_text"].as_str().unwrap();
    let code = body
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 64 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .expect("the mail carries the code");
    assert!(code.starts_with(resent["prefix"].as_str().unwrap()));

    assert_eq!(
        json(&url, &["code", "check", "178", code])["verdict"],
        "valid"
    );
    let submitted = json(
        &url,
        &[
            "portal",
            "submit-code",
            "--email",
            "justus.kraemer@example.org",
            "178",
            code,
        ],
    );
    assert_eq!(submitted["status"], "in_review");
    json(&url, &["antrag", "approve", "178"]);

    let betrieb = json(&url, &["betrieb", "show", "2121155381"]);
    let linked = betrieb["zuordnungen"].as_array().unwrap().iter().any(|z| {
        z["account_email"] == "justus.kraemer@example.org"
            && z["antrag_nr"] == 178
            && z["revoked_at"].is_null()
    });
    assert!(linked, "{betrieb}");

    let history = json(&url, &["antrag", "show", "178"])["history"].clone();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for step in [
        "requested",
        "code_resent",
        "code_checked",
        "code_confirmed",
        "approved",
    ] {
        assert!(actions.contains(&step), "{step} missing in {actions:?}");
    }

    // A second approval is a conflict: exit 1 and a German message, nothing changed.
    let again = kammerctl(&url, &["--json", "antrag", "approve", "178"]);
    assert_eq!(again.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(err["error"]["kind"], "conflict");
}

#[test]
fn exit_codes_distinguish_usage_from_refusal() {
    let db = Scratch::create();
    let url = db.url();
    ok(&url, &["migrate"]);
    assert_eq!(kammerctl(&url, &["no-such-command"]).status.code(), Some(2));
    let malformed = kammerctl(&url, &["--json", "betrieb", "show", "21211A5381"]);
    assert_eq!(malformed.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&malformed.stdout).unwrap();
    assert_eq!(err["error"]["kind"], "validation");
    // No clerk exists yet: signing in as admin is refused.
    let refused = kammerctl(&url, &["antrag", "show", "178"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Benutzername oder Passwort ist falsch")
    );
}

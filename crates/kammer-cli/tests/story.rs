//! The story, from the shell: the real `kammerctl` binary against a fresh database.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{kammerctl_as, ok_as};
use kammer_testkit::{ScratchDatabase, TestSmtpServer};

fn kammerctl(url: &str, args: &[&str]) -> Output {
    kammerctl_as(url, "admin", args)
}

fn ok(url: &str, args: &[&str]) -> String {
    ok_as(url, "admin", args)
}

fn json(url: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(url, &all)).unwrap()
}

fn smtp_args(port: &str) -> Vec<&str> {
    vec![
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        "--smtp-security",
        "plain",
    ]
}

#[test]
fn story_resend_read_check_submit_approve() {
    let db = ScratchDatabase::create("kammerctl_story");
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
    // Real delivery: the worker sends to the SMTP test server; the code is read from there.
    // The seed's still-queued mail for 178 was cancelled by the resend: one mail goes out.
    let server = TestSmtpServer::start();
    let port = server.port.to_string();
    let drained = json(
        &url,
        &[&["outbox", "run", "--once"][..], &smtp_args(&port)].concat(),
    );
    assert_eq!(
        drained,
        serde_json::json!({ "sent": 1, "deferred": 0, "failed": 0 })
    );
    let mails = server.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, ["info@testbetrieb.example"]);
    let code = mails[0].code().expect("the mail carries the code");
    let code = code.as_str();
    assert!(code.starts_with(resent["prefix"].as_str().unwrap()));
    let stored = json(&url, &["outbox", "show", &resent["outbox_id"].to_string()]);
    assert_eq!(stored["entry"]["status"], "sent");
    assert!(
        !stored["body_text"].as_str().unwrap().contains(code),
        "code removed after sending"
    );
    let inspected = ok(&url, &["code", "inspect", "178"]);
    assert!(inspected.contains("versendet am "), "{inspected}");

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
    let db = ScratchDatabase::create("kammerctl_story");
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

/// `outbox run` as a service: it drains at start, wakes on the notification of a resend
/// (well before its 30-second poll), and stops cleanly on SIGTERM.
#[test]
fn the_worker_service_sends_a_resend_at_once_and_stops_on_sigterm() {
    let db = ScratchDatabase::create("kammerctl_story");
    let url = db.url();
    ok(&url, &["migrate"]);
    ok(&url, &["demo-seed"]);
    ok(&url, &["policy", "set", "--resend-cooldown-seconds", "0"]);
    let server = TestSmtpServer::start();
    let port = server.port.to_string();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args([&["outbox", "run"][..], &smtp_args(&port)].concat())
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .spawn()
        .expect("start the worker");
    // The seed's queued mail for Antrag 178 goes out at start.
    server.wait_for(1, Duration::from_secs(20));
    json(
        &url,
        &[
            "code",
            "resend",
            "178",
            "--reason",
            "Anruf: Code nicht erhalten",
        ],
    );
    let mails = server.wait_for(2, Duration::from_secs(15));
    assert_ne!(
        mails[0].code(),
        mails[1].code(),
        "the resend carries a new code"
    );
    assert_eq!(
        json(&url, &["code", "check", "178", &mails[1].code().unwrap()])["verdict"],
        "valid"
    );

    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    let status = worker.wait().unwrap();
    assert!(status.success(), "worker exit: {status:?}");
    assert_eq!(server.received().len(), 2, "nothing sent twice");
}

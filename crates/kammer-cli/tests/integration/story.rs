//! The story, from the shell: the real `kammerctl` binary against a fresh database,
//! each step under the login that does it in production — the demo clerks `admin`,
//! `sb.mueller` and `hl.schmidt` signed in with `--as`, the services `kd_mailer`, `kd_portal`
//! and `kd_reporting` with their logins in the address, set-up as the superuser.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use kammer_testkit::{ScratchDatabase, TestSmtpServer, psql};

const REQUESTER: &str = "justus.kraemer@example.org";

/// The hotline's resend of Antrag 178's code, as `hl.schmidt` asks for it.
const RESEND_178: [&str; 5] = [
    "code",
    "resend",
    "178",
    "--reason",
    "Anruf: Code nicht erhalten",
];

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

/// The audit trail of Antrag 178 as (action, login) pairs, oldest first.
fn history(url: &str) -> Vec<(String, String)> {
    let shown = json_as(url, "hl.schmidt", &["antrag", "show", "178"]);
    shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["login"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn story_resend_mail_check_submit_approve() {
    let (_db, url) = demo_database("kammerctl_story");

    let shown = ok_as(&url, "hl.schmidt", &["antrag", "show", "178"]);
    assert!(
        shown.contains("Antrag Nr. 178, gesendet am 12.01.2024, 07:23:17"),
        "{shown}"
    );
    assert!(shown.contains("Freigabeschlüssel notwendig"), "{shown}");

    ok_as(
        &url,
        "admin",
        &[
            "policy",
            "set",
            "--auto-approve-on-code",
            "false",
            "--resend-cooldown-seconds",
            "0",
        ],
    );
    // The hotline sends a new code; no clerk ever sees it.
    let resent = json_as(&url, "hl.schmidt", &RESEND_178);
    assert!(resent.get("code").is_none(), "{resent}");

    // The mail sender, as its own service login, delivers it to the SMTP test server; the
    // code is read from the mail. demo-seed's queued mail for 178 was cancelled by the resend.
    let server = TestSmtpServer::start();
    let port = server.port.to_string();
    let drained = json(
        &url_as(&url, "kd_mailer"),
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
    let prefix = resent["prefix"].as_str().unwrap();
    assert!(code.starts_with(prefix));

    // The administration sees the mail as sent, its code masked to the prefix.
    let stored = json_as(
        &url,
        "admin",
        &["outbox", "show", &resent["outbox_id"].to_string()],
    );
    assert_eq!(stored["entry"]["status"], "sent");
    let body = stored["body_text"].as_str().unwrap();
    assert!(!body.contains(code), "the code is masked: {body}");
    assert!(body.contains(prefix), "{body}");
    let inspected = ok_as(&url, "hl.schmidt", &["code", "inspect", "178"]);
    assert!(inspected.contains("versendet am "), "{inspected}");

    // The code read out on the phone is checked, then the requester submits it in the portal.
    assert_eq!(
        json_as(&url, "hl.schmidt", &["code", "check", "178", code])["verdict"],
        "valid"
    );
    let submitted = json(
        &url_as(&url, "kd_portal"),
        &["portal", "submit-code", "--email", REQUESTER, "178", code],
    );
    assert_eq!(submitted["status"], "in_review");

    let approved = ok_as(&url, "sb.mueller", &["antrag", "approve", "178"]);
    assert!(
        approved.contains("Antrag Nr. 178 bestätigt; Zuordnung"),
        "{approved}"
    );
    let betrieb = json_as(&url, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    let linked = betrieb["zuordnungen"].as_array().unwrap().iter().any(|z| {
        z["account_email"] == REQUESTER && z["antrag_nr"] == 178 && z["revoked_at"].is_null()
    });
    assert!(linked, "{betrieb}");

    // Each step is in the audit trail under the login that did it.
    let history = history(&url);
    for (action, login) in [
        ("requested", None),
        ("code_resent", Some("hl.schmidt")),
        ("code_checked", Some("hl.schmidt")),
        ("code_confirmed", Some("kd_portal")),
        ("approved", Some("sb.mueller")),
    ] {
        let found = history
            .iter()
            .any(|(a, l)| a == action && login.is_none_or(|login| l == login));
        assert!(found, "{action} by {login:?} missing in {history:?}");
    }

    // A second approval is a conflict: exit 1 and a German message, nothing changed.
    let again = kammerctl_as(&url, "admin", &["--json", "antrag", "approve", "178"]);
    assert_eq!(json_error(&again)["kind"], "conflict");
}

/// Approving without the code: the first Sachbearbeitung clerk asks, a different one confirms.
#[test]
fn approving_without_the_code_takes_a_second_clerk() {
    let (_db, url) = demo_database("kammerctl_story");
    let approve = APPROVE_178_BY_PHONE;

    let hotline = kammerctl_as(&url, "hl.schmidt", &approve);
    assert!(refused(&approve, hotline).contains("Hotline"));

    let first = ok_as(&url, "sb.mueller", &approve);
    assert!(
        first.contains("wartet auf die zweite Bestätigung") && first.contains("Vier-Augen"),
        "{first}"
    );
    let queue = ok_as(
        &url,
        "sb.mueller",
        &[
            "antrag",
            "list",
            "--status",
            "awaiting_code",
            "--limit",
            "1000",
        ],
    );
    let line = queue
        .lines()
        .find(|l| l.starts_with("Nr. 178 "))
        .expect("178 in the queue");
    assert!(line.contains("wartet auf zweite Bestätigung"), "{line}");
    assert!(ok_as(&url, "sb.mueller", &["antrag", "show", "178"]).contains("ohne Code angefragt"));

    let same = kammerctl_as(&url, "sb.mueller", &with_json_args(&approve));
    let err = json_error(&same);
    assert_eq!(err["kind"], "forbidden");
    assert!(err["message"].as_str().unwrap().contains("andere Person"));

    let second = json_as(
        &url,
        "admin",
        &[
            "antrag",
            "approve",
            "178",
            "--reason",
            "Rückruf beim Inhaber",
        ],
    );
    assert_eq!(second["outcome"], "approved");
    assert!(second["zuordnung_id"].is_i64(), "{second}");
    assert_eq!(
        psql(&url, "select status from antraege where nr = 178"),
        "approved"
    );
}

fn with_json_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--json"], args].concat()
}

#[test]
fn exit_codes_and_who_may_sign_in() {
    let db = ScratchDatabase::create("kammerctl_story");
    let url = db.url();
    ok(&url, &["migrate"]);
    assert_eq!(kammerctl(&url, &["no-such-command"]).status.code(), Some(2));
    let malformed = kammerctl_as(&url, "admin", &["--json", "betrieb", "show", "21211A5381"]);
    assert_eq!(json_error(&malformed)["kind"], "validation");
    ok(&url, &["demo-seed"]);

    // The superuser is refused for clerk commands, in the core's words plus how to sign in.
    let args = ["antrag", "show", "178"];
    let said = refused(&args, kammerctl(&url, &args));
    assert!(said.contains("Superuser-Zugang „postgres“"), "{said}");
    assert!(said.contains("--as <benutzername>"), "{said}");
    assert_eq!(
        json_error(&kammerctl(&url, &with_json_args(&args)))["kind"],
        "forbidden"
    );
    // A clerk's own login in the address works without --as; a service login is no clerk.
    assert!(ok(&url_as(&url, "sb.mueller"), &args).contains("Antrag Nr. 178"));
    let said = refused(&args, kammerctl(&url_as(&url, "kd_mailer"), &args));
    assert!(said.contains("kein Zugang von KammerDesk"), "{said}");
    // A wrong password, and a server address without any login.
    let wrong = run(
        &url,
        &[
            ("KAMMERDESK_USER", "sb.mueller"),
            ("KAMMERDESK_PASSWORD", "falsch"),
        ],
        &args,
    );
    assert!(refused(&args, wrong).contains("Benutzername oder Passwort ist falsch"));
    let said = refused(&args, kammerctl(&server_only(&url), &args));
    assert!(said.contains("--as <benutzername>"), "{said}");
    // --as on the command line for a set-up or service command is a usage error.
    for args in [
        &["--as", "admin", "expire"][..],
        &["migrate", "--as", "admin"],
        &["--as", "admin", "outbox", "run", "--once"],
    ] {
        let out = kammerctl(&url, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--as gilt nur"));
    }
    // The help explains the connection rules.
    let help = ok(&url, &["--help"]);
    for rule in [
        "--as <benutzer>",
        "kammer_mailer",
        "Superuser",
        "Support und Tests",
    ] {
        assert!(help.contains(rule), "{rule} missing in --help: {help}");
    }
}

/// `expire` is the reporting service's cron job: clerks and the superuser are refused.
#[test]
fn expire_runs_as_the_reporting_service_only() {
    let (_db, url) = demo_database("kammerctl_story");
    psql(
        &url,
        "update confirmation_codes set expires_at = now() - interval '1 minute'
         where antrag_nr = 178 and consumed_at is null and superseded_at is null",
    );

    let said = refused(
        &["expire"],
        kammerctl(&url_as(&url, "sb.mueller"), &["expire"]),
    );
    assert!(said.contains("kein Dienst-Zugang"), "{said}");
    let said = refused(&["expire"], kammerctl(&url_as(&url, "admin"), &["expire"]));
    assert!(said.contains("Berichte und Fristen"), "{said}");
    let said = refused(&["expire"], kammerctl(&url, &["expire"]));
    assert!(said.contains("nie als Superuser"), "{said}");
    assert_eq!(
        psql(&url, "select status from antraege where nr = 178"),
        "awaiting_code"
    );

    let expired = json(&url_as(&url, "kd_reporting"), &["expire"]);
    let expired = expired["expired"].as_array().unwrap();
    assert!(expired.contains(&serde_json::json!(178)), "{expired:?}");
    assert_eq!(
        psql(&url, "select status from antraege where nr = 178"),
        "expired"
    );
    assert_eq!(
        psql(
            &url,
            "select actor_kind || ' ' || login from audit_events where antrag_nr = 178 and action = 'expired'"
        ),
        "system kd_reporting"
    );
}

/// First-time set-up and the administration of logins: the first administrator and service
/// logins as the superuser, everything else as the administrator.
#[test]
fn setup_and_clerk_administration() {
    const ADMIN_PW: &str = "erstes-admin-passwort";
    const SB_PW: &str = "sb-passwort-123";
    const SB_PW2: &str = "neu-gesetzt-456";
    const CRON_PW: &str = "cron-passwort-789";
    let logins = Logins::default();
    let db = ScratchDatabase::create("kammerctl_setup");
    let url = db.url();
    ok(&url, &["migrate"]);
    let (admin, sb, dir, cron) = (
        logins.name("admin"),
        logins.name("sb"),
        logins.name("dir"),
        logins.name("cron"),
    );
    let as_admin = [
        ("KAMMERDESK_USER", admin.as_str()),
        ("KAMMERDESK_PASSWORD", ADMIN_PW),
    ];
    let as_sb = |pw| {
        [
            ("KAMMERDESK_USER", sb.as_str()),
            ("KAMMERDESK_PASSWORD", pw),
        ]
    };
    let new_pw = |pw| ("KAMMERDESK_NEW_PASSWORD", pw);
    let with = |env: &[(&'static str, &'static str)]| [&as_admin[..], env].concat();

    // The first administrator of an empty database, as the superuser (bootstrap).
    let add_admin = [
        "--json",
        "clerk",
        "add",
        &admin,
        "--name",
        "Erste Administratorin",
    ];
    let first = success(&add_admin, run(&url, &[new_pw(ADMIN_PW)], &add_admin));
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        (first["role"].as_str(), first["bootstrap"].as_bool()),
        (Some("admin"), Some(true))
    );
    let again = json_error(&run(&url, &[new_pw(ADMIN_PW)], &add_admin));
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("bereits Zugänge"),
        "{again}"
    );

    // The administrator adds a clerk with a password, and one whom the directory signs in.
    let add_sb = [
        "clerk",
        "add",
        &sb,
        "--name",
        "Sam Beispiel",
        "--role",
        "sachbearbeitung",
    ];
    success(&add_sb, run(&url, &with(&[new_pw(SB_PW)]), &add_sb));
    let add_dir = [
        "--json",
        "clerk",
        "add",
        &dir,
        "--name",
        "Dora Verzeichnis",
        "--directory",
    ];
    let added: serde_json::Value =
        serde_json::from_str(&success(&add_dir, run(&url, &as_admin, &add_dir))).unwrap();
    assert_eq!(
        (added["directory"].as_bool(), added["role"].as_str()),
        (Some(true), Some("sachbearbeitung"))
    );
    let no_password = format!("select rolpassword is null from pg_authid where rolname = '{dir}'");
    assert_eq!(psql(&url, &no_password), "t");
    let lookup = ["antrag", "list"];
    assert!(success(&lookup, run(&url, &as_sb(SB_PW), &lookup)).contains("Keine Anträge"));

    // Another role; disabled (no sign-in), enabled again.
    let role = ["clerk", "role", &sb, "hotline"];
    assert!(success(&role, run(&url, &as_admin, &role)).contains("Hotline"));
    let list = ["--json", "clerk", "list"];
    let listed: serde_json::Value =
        serde_json::from_str(&success(&list, run(&url, &as_admin, &list))).unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["username"] == sb.as_str());
    assert_eq!(row.expect("the clerk in the list")["role"], "hotline");
    let disable = ["clerk", "disable", &sb];
    success(&disable, run(&url, &as_admin, &disable));
    assert!(refused(&lookup, run(&url, &as_sb(SB_PW), &lookup)).contains("gesperrt"));
    let enable = ["clerk", "enable", &sb];
    success(&enable, run(&url, &as_admin, &enable));
    success(&lookup, run(&url, &as_sb(SB_PW), &lookup));

    // A new password set by the superuser (recovery), then by the clerk for themselves.
    let passwd = ["clerk", "passwd", &sb];
    success(&passwd, run(&url, &[new_pw(SB_PW2)], &passwd));
    refused(&lookup, run(&url, &as_sb(SB_PW), &lookup));
    let own = [&as_sb(SB_PW2)[..], &[new_pw(SB_PW)]].concat();
    success(&passwd, run(&url, &own, &passwd));
    success(&lookup, run(&url, &as_sb(SB_PW), &lookup));

    // Service logins: the superuser makes one, an administrator cannot.
    let add_cron = ["service-login", "add", "--service", "reporting", &cron];
    success(&add_cron, run(&url, &[new_pw(CRON_PW)], &add_cron));
    let cron_url = url_with_login(&url, &cron, CRON_PW);
    assert!(ok(&cron_url, &["expire"]).contains("0 Anträge abgelaufen"));
    let add_other = [
        "service-login",
        "add",
        "--service",
        "mailer",
        "kd_nicht_erlaubt",
    ];
    let admin_url = url_with_login(&url, &admin, ADMIN_PW);
    let said = refused(&add_other, run(&admin_url, &[new_pw(CRON_PW)], &add_other));
    assert!(said.contains("Superuser"), "{said}");
    let with_as = [&["--as", admin.as_str()][..], &add_other].concat();
    assert_eq!(kammerctl(&url, &with_as).status.code(), Some(2));
    let made = "select count(*) from pg_roles where rolname = 'kd_nicht_erlaubt'";
    assert_eq!(psql(&url, made), "0");
}

/// `outbox run` as a service: it drains at start, wakes on the notification of a resend
/// (well before its 30-second poll), and stops cleanly on SIGTERM.
#[test]
fn the_mail_sender_sends_a_resend_at_once_and_stops_on_sigterm() {
    let (_db, url) = demo_resending_at_once();
    let server = TestSmtpServer::start();
    let port = server.port.to_string();
    // systemd's notification socket (Type=notify), here a datagram socket of the test's own.
    let sockets = tempfile::tempdir().unwrap();
    let notify_path = sockets.path().join("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let notified = || {
        let mut buf = [0u8; 512];
        let n = notify.recv(&mut buf).expect("a notification within 20 s");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let worker = Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args([&["outbox", "run"][..], &smtp_args(&port)].concat())
        .env("KAMMERDESK_DATABASE_URL", url_as(&url, "kd_mailer"))
        .env("NOTIFY_SOCKET", &notify_path)
        .env_remove("KAMMERDESK_USER")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the worker");
    let ready = notified();
    assert!(ready.starts_with("READY=1\n"), "{ready:?}");
    // demo-seed's queued mail for Antrag 178 goes out at start.
    server.wait_for(1, Duration::from_secs(20));
    json_as(&url, "hl.schmidt", &RESEND_178);
    let mails = server.wait_for(2, Duration::from_secs(15));
    assert_ne!(
        mails[0].code(),
        mails[1].code(),
        "the resend carries a new code"
    );
    assert_eq!(
        json_as(
            &url,
            "hl.schmidt",
            &["code", "check", "178", &mails[1].code().unwrap()]
        )["verdict"],
        "valid"
    );

    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(notified(), "STOPPING=1");
    let output = worker.wait_with_output().unwrap();
    assert!(output.status.success(), "worker exit: {:?}", output.status);
    assert_eq!(server.received().len(), 2, "nothing sent twice");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("kammerctl outbox run: bereit (Dienst-Zugang kd_mailer, SMTP 127.0.0.1:"),
        "{said}"
    );
    // Its heartbeat is what Über KammerDesk shows.
    assert_eq!(
        psql(
            &url,
            "select count(*) from mailer_heartbeats where login = 'kd_mailer' and last_seen_at > now() - interval '1 minute'"
        ),
        "1"
    );
}

/// IT may turn the log up to everything (RUST_LOG=trace) and still find no secret in it: not
/// the code (read here from the mail the SMTP server received), not the mail's text, not a
/// password — through a resend by the hotline and the mail sender delivering it.
#[test]
fn a_trace_log_holds_no_code_no_mail_text_and_no_password() {
    let (_db, url) = demo_resending_at_once();
    let trace = [("RUST_LOG", "trace")];
    let resend = [&["--json"][..], &RESEND_178].concat();
    let resent = run(
        &url,
        &[
            trace[0],
            ("KAMMERDESK_USER", "hl.schmidt"),
            ("KAMMERDESK_PASSWORD", DEMO_PASSWORD),
        ],
        &resend,
    );
    let mut log = String::from_utf8_lossy(&resent.stderr).into_owned();
    success(&resend, resent);

    let server = TestSmtpServer::start();
    let port = server.port.to_string();
    let send = [&["outbox", "run", "--once"][..], &smtp_args(&port)].concat();
    let sent = run(&url_as(&url, "kd_mailer"), &trace, &send);
    log.push_str(&String::from_utf8_lossy(&sent.stderr));
    success(&send, sent);

    let mails = server.received();
    assert!(!mails.is_empty());
    assert!(
        log.lines().count() > 100,
        "the trace log is really on: {} lines",
        log.lines().count()
    );
    for mail in &mails {
        let code = mail.code().expect("the mail carries a code");
        assert!(
            !log.to_lowercase().contains(code.as_str()),
            "the code is in the log"
        );
        // A line of the mail's text (the greeting) is not in the log either.
        let text = mail.text();
        let line = text
            .lines()
            .find(|l| l.trim().len() > 30)
            .expect("the mail has text");
        assert!(!log.contains(line.trim()), "mail text in the log: {line}");
    }
    assert!(!log.contains(DEMO_PASSWORD), "a password is in the log");
}

/// Without `--database-url`, kammerctl signs in at the server IT pinned for this machine
/// (desk.toml, here through KAMMERDESK_CONFIG; the environment wins over the file), with the
/// same parser as the desk; a broken file is refused in German, naming it.
#[test]
fn without_an_address_kammerctl_uses_the_pinned_server() {
    let (_db, url) = demo_database("kammerctl_story");
    let server = kammer_core::db::parse_url(&url).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.toml");
    std::fs::write(
        &file,
        format!(
            "[database]\nhost = \"{}\"\nport = {}\nname = \"gibt-es-nicht\"\ntls_mode = \"prefer\"\n",
            server.get_host(),
            server.get_port(),
        ),
    )
    .unwrap();
    let pinned = |file: &std::path::Path, name: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kammerctl"));
        cmd.args(["--json", "betrieb", "show", "2121155381"])
            .env_remove("DATABASE_URL")
            .env_remove("KAMMERDESK_DATABASE_URL")
            .env_remove("KAMMERDESK_DB_NAME")
            .env("KAMMERDESK_CONFIG", file)
            .env("KAMMERDESK_USER", "hl.schmidt")
            .env("KAMMERDESK_PASSWORD", DEMO_PASSWORD)
            .stdin(Stdio::null());
        if let Some(name) = name {
            cmd.env("KAMMERDESK_DB_NAME", name);
        }
        cmd.output().unwrap()
    };
    // The file's database does not exist; the environment names the right one.
    let wrong = pinned(&file, None);
    assert!(
        json_error(&wrong)["message"]
            .as_str()
            .unwrap()
            .contains("gibt-es-nicht"),
        "{wrong:?}"
    );
    let shown = pinned(&file, Some(server.get_database().unwrap()));
    let shown: serde_json::Value =
        serde_json::from_slice(&success(&[], shown).into_bytes()).expect("JSON output");
    assert_eq!(shown["betrieb"]["betriebsnummer"], "2121155381", "{shown}");

    std::fs::write(&file, "[datenbank]\nhost = \"x\"\n").unwrap();
    let broken = pinned(&file, None);
    let message = json_error(&broken)["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with(&format!(
            "Die Konfiguration {} ist fehlerhaft",
            file.display()
        )),
        "{message}"
    );
}

/// A demo database whose policy lets a code be resent at once (no cooldown), for the stories
/// that resend and watch the mail sender deliver.
fn demo_resending_at_once() -> (ScratchDatabase, String) {
    let (db, url) = demo_database("kammerctl_story");
    ok_as(
        &url,
        "admin",
        &["policy", "set", "--resend-cooldown-seconds", "0"],
    );
    (db, url)
}

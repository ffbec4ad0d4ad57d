//! Delivery of the code mail to a real SMTP server on loopback (aiosmtpd, see
//! scripts/smtp-test-server), read back with a real MIME parser. The mail sender runs as its
//! own service login (the only one that may read a code); the tests' superuser only sets up
//! and looks.
use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kammer_core::codes::{self, CodeVerdict};
use kammer_core::db::{self, Service};
use kammer_core::domain::{AntragNr, Betriebsnummer, ConfirmationCode};
use kammer_core::mail::{self, DrainReport, Mailer, SmtpConfig, SmtpSecurity, WorkerConfig, drain};
use kammer_core::outbox::{self, RetryTarget};
use kammer_core::policy::PolicyChange;
use kammer_core::{ErrorKind, antraege, portal};
use kammer_testkit::{SmtpServerOptions, TestCa, TestSmtpServer, TlsMode, wait_until_holding};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

fn mailer(server: &TestSmtpServer) -> Mailer {
    let mut config = SmtpConfig::new("127.0.0.1", SmtpSecurity::Plain);
    config.port = Some(server.port);
    config.timeout_seconds = 10;
    Mailer::new(&config).unwrap()
}

/// Back-off long enough that a deferred mail is certainly not due again within the test.
fn patient() -> WorkerConfig {
    WorkerConfig {
        backoff_base: Duration::from_secs(3600),
        ..WorkerConfig::default()
    }
}

/// One pass of the mail sender (its own login) over what is due, with the patient back-off.
async fn send_due(f: &Fixture, server: &TestSmtpServer) -> DrainReport {
    drain(&f.mailer, &mailer(server), &patient()).await.unwrap()
}

fn report(sent: u64, deferred: u64, failed: u64) -> DrainReport {
    DrainReport {
        sent,
        deferred,
        failed,
    }
}

struct Row {
    id: i64,
    status: String,
    cancel_reason: Option<String>,
    attempts: i32,
    last_error: Option<String>,
    smtp_reply: Option<String>,
    message_id: String,
    due_in_seconds: f64,
    /// The code's plaintext is still kept for the mail sender.
    has_plaintext: bool,
}

/// The newest mail of an Antrag.
async fn outbox_row(pool: &PgPool, nr: AntragNr) -> Row {
    outbox_row_where(pool, "antrag_nr = $1 order by id desc limit 1", nr.get()).await
}

async fn outbox_row_where(pool: &PgPool, condition: &str, value: i64) -> Row {
    use sqlx::Row as _;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "select id, status, cancel_reason, attempts, last_error, smtp_reply, message_id,
                extract(epoch from next_attempt_at - now())::float8 as due_in_seconds,
                exists (select 1 from kammer_secret.code_plaintext s where s.outbox_id = o.id) as has_plaintext
         from mail_outbox o where {condition}"
    )))
    .bind(value)
    .fetch_one(pool)
    .await
    .unwrap();
    Row {
        id: r.get("id"),
        status: r.get("status"),
        cancel_reason: r.get("cancel_reason"),
        attempts: r.get("attempts"),
        last_error: r.get("last_error"),
        smtp_reply: r.get("smtp_reply"),
        message_id: r.get("message_id"),
        due_in_seconds: r.get("due_in_seconds"),
        has_plaintext: r.get("has_plaintext"),
    }
}

/// Plaintexts kept for mails that are not waiting to be sent: must always be none.
async fn stray_plaintexts(pool: &PgPool) -> i64 {
    count(
        pool,
        "kammer_secret.code_plaintext s
         left join mail_outbox o on o.id = s.outbox_id where o.status is distinct from 'queued'",
    )
    .await
}

/// What time passing does to a deferred mail.
async fn make_due(pool: &PgPool) {
    sqlx::query("update mail_outbox set next_attempt_at = now() where status = 'queued'")
        .execute(pool)
        .await
        .unwrap();
}

/// Any 64-hex-digit string in what any clerk may read of the outbox.
async fn codes_left_in_outbox(pool: &PgPool) -> i64 {
    count(
        pool,
        "mail_outbox
         where concat_ws(' ', facts::text, smtp_reply, last_error, message_id) ~ '[0-9a-f]{64}'",
    )
    .await
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn code_mail_arrives_as_mime_with_both_parts_umlauts_and_the_stored_code(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(
            &pool,
            "0012345678",
            "Bäckerei Größe & Söhne",
            "info@baeckerei-groesse.example",
        )
        .await;
    let queued = outbox_row(&pool, nr).await;
    assert!(queued.has_plaintext);

    assert_eq!(send_due(&f, &server).await, report(1, 0, 0));

    let mails = server.received();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, ["info@baeckerei-groesse.example"]);
    let sender: String = sqlx::query_scalar("select mail_from from policy")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mail.mail_from, sender);
    assert_eq!(mail.message_id(), queued.message_id);
    assert!(
        mail.subject().contains(&format!("Antrag Nr. {nr}"))
            && mail.subject().contains("Bestätigungs-Code"),
        "subject: {}",
        mail.subject()
    );
    assert!(mail.raw.is_ascii(), "8-bit text must be MIME-encoded");
    let raw = String::from_utf8_lossy(&mail.raw);
    assert!(
        raw.contains("Subject: =?utf-8?"),
        "umlaut subject must be RFC 2047-encoded"
    );
    assert_eq!(
        mail.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(mail.header("Date").is_some());
    assert_eq!(mail.header("X-KammerDesk-Antrag"), Some(nr.to_string()));
    assert_eq!(mail.content_type(), "multipart/alternative");
    assert_eq!(mail.part_types(), ["text/plain", "text/html"]);
    assert!(mail.text().contains("Bäckerei Größe & Söhne"));
    assert!(mail.html().contains("Bäckerei Größe &amp; Söhne"));
    assert!(mail.text().contains("Zuordnung zu einem Betrieb"));
    assert!(
        mail.text().contains("Anna Antrag"),
        "the requester is named"
    );

    // The code in the mail is the one whose hash is stored, and it is accepted.
    let code = mail.code().expect("code in the text part");
    assert!(
        mail.html().contains(&code),
        "the HTML part carries the same code"
    );
    let stored: Vec<u8> = sqlx::query_scalar(
        "select code_hash from confirmation_codes where antrag_nr = $1 and superseded_at is null",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(ConfirmationCode::parse(&code).unwrap().hash().0, stored);
    let check = codes::check(&f.hotline, nr, &code).await.unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);

    // Sent: the plaintext is gone, only the hash and the prefix (which the hotline may read
    // out) stay; no row anyone may read holds the code.
    let row = outbox_row(&pool, nr).await;
    assert_eq!(row.status, "sent");
    assert!(
        !row.has_plaintext,
        "the code's plaintext outlived the sending"
    );
    assert!(
        row.smtp_reply.as_deref().unwrap().starts_with("250 "),
        "{:?}",
        row.smtp_reply
    );
    assert_eq!(codes_left_in_outbox(&pool).await, 0);
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 0);
    let shown = outbox::show(&f.admin, row.id).await.unwrap();
    assert!(!shown.body_text.contains(&code));
    assert!(shown.body_text.contains(&code[..6]));

    let info = codes::inspect(&f.hotline, nr).await.unwrap();
    assert_eq!(info[0].prefix, code[..6]);
    let delivery = info[0].delivery.as_ref().unwrap();
    assert_eq!(delivery.status, "sent");
    assert!(
        delivery.label_de.starts_with("versendet am "),
        "{}",
        delivery.label_de
    );
    let (action, by): (String, String) = sqlx::query_as(
        "select action, login from audit_events where antrag_nr = $1 and action like 'code_mail%'",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), by),
        ("code_mail_sent", login(&f.tag, "mailer"))
    );
}

/// A requester who calls themselves `Max {{phone_hint}} {{code}}` cannot make a genuine
/// chamber mail say more than it should: through the real path (portal request, the mail
/// sender's drain, the SMTP server) the name arrives as written, the code once, and no
/// phone number where the name stands.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn placeholders_in_a_requester_name_arrive_literally(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    const PHONE: &str = "0231 5493-777";
    const NAME: &str = "Max {{phone_hint}} {{code}}";
    f.set_policy(PolicyChange {
        hotline_phone: Some(PHONE.to_string()),
        ..Default::default()
    })
    .await;
    let server = TestSmtpServer::start();
    let (email, _) = register_confirmed_as(&f.portal, "max@privat.example", NAME).await;
    insert_betrieb(&pool, "0077000001", "Klempnerei Kurz", "info@kurz.example").await;
    let nr = portal::request_zuordnung(
        &f.portal,
        &email,
        &Betriebsnummer::parse("0077000001").unwrap(),
        "Klempnerei Kurz",
    )
    .await
    .unwrap()
    .nr;
    assert_eq!(send_due(&f, &server).await, report(1, 0, 0));
    let mails = server.received();
    assert_eq!(mails.len(), 1);
    let (text, html) = (mails[0].text(), mails[0].html());
    let code = mails[0].code().expect("the code is in the mail");
    let stored: Vec<u8> =
        sqlx::query_scalar("select code_hash from confirmation_codes where antrag_nr = $1")
            .bind(nr.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(ConfirmationCode::parse(&code).unwrap().hash().0, stored);

    // The name as written, in both parts.
    assert!(
        text.contains(&format!("hat {NAME} (max@privat.example)")),
        "{text}"
    );
    assert!(html.contains(NAME), "{html}");
    // The code exactly once in each part, where the template puts it.
    assert_eq!(text.matches(&code).count(), 1, "{text}");
    assert_eq!(html.matches(&code).count(), 1, "{html}");
    // The hotline's number only where the template has it, never in the requester's line.
    assert_eq!(text.matches(PHONE).count(), 1, "{text}");
    let requester_line = text.lines().find(|l| l.contains("Max")).unwrap();
    assert!(!requester_line.contains(PHONE), "{requester_line}");
    assert!(!requester_line.contains(&code), "{requester_line}");
    assert!(text.contains(&format!("rufen Sie uns an unter {PHONE}.")));
    assert!(!mails[0].subject().contains('{'), "{}", mails[0].subject());
}

/// A code's plaintext lives only while its mail waits: it is deleted when the mail is sent,
/// when it fails for good (a 550), and when it is cancelled (a newer code, a decision).
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn code_plaintext_is_deleted_when_sent_failed_or_cancelled(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let server = TestSmtpServer::start();
    let sent = f
        .file_to(
            &pool,
            "8100000001",
            "Gesendet GmbH",
            "info@gesendet.example",
        )
        .await;
    let failed = f
        .file_to(
            &pool,
            "8100000002",
            "Weg GmbH",
            "reject-weg@betrieb.example",
        )
        .await;
    let superseded = f
        .file_to(&pool, "8100000003", "Neu GmbH", "info@neu.example")
        .await;
    let decided = f
        .file_to(&pool, "8100000004", "Zurück GmbH", "info@zurueck.example")
        .await;
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 4);

    // Cancelled before anything is sent: by a newer code, and by a decision.
    let old = outbox_row(&pool, superseded).await;
    codes::resend(&f.hotline, superseded, &reason("Anruf: nicht erhalten"))
        .await
        .unwrap();
    let old = outbox_row_where(&pool, "id = $1", old.id).await;
    assert_eq!(
        (
            old.status.as_str(),
            old.cancel_reason.as_deref(),
            old.has_plaintext
        ),
        ("cancelled", Some("superseded"), false)
    );
    antraege::withdraw(&f.hotline, decided, &reason("Anruf: zurückgezogen"))
        .await
        .unwrap();
    let gone = outbox_row(&pool, decided).await;
    assert_eq!(
        (
            gone.status.as_str(),
            gone.cancel_reason.as_deref(),
            gone.has_plaintext
        ),
        ("cancelled", Some("decided"), false)
    );
    assert_eq!(stray_plaintexts(&pool).await, 0);

    // Sent and failed for good.
    assert_eq!(send_due(&f, &server).await, report(2, 0, 1));
    let s = outbox_row(&pool, sent).await;
    assert_eq!((s.status.as_str(), s.has_plaintext), ("sent", false));
    let x = outbox_row(&pool, failed).await;
    assert_eq!((x.status.as_str(), x.has_plaintext), ("failed", false));
    let n = outbox_row(&pool, superseded).await;
    assert_eq!((n.status.as_str(), n.has_plaintext), ("sent", false));
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 0);
    assert_eq!(codes_left_in_outbox(&pool).await, 0);
    // Two mails went out, each with the code of its own mail.
    assert_eq!(server.received().len(), 2);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn server_down_during_a_resend_then_up_delivers_the_new_code_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let mut server = TestSmtpServer::start();
    server.stop();
    let nr = f.file().await;
    let first = outbox_row(&pool, nr).await;

    assert_eq!(send_due(&f, &server).await, report(0, 1, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
    assert!(
        row.has_plaintext,
        "a deferred mail keeps its code for the next attempt"
    );
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .contains("nicht erreichbar"),
        "{:?}",
        row.last_error
    );
    assert!(
        row.due_in_seconds > 3000.0,
        "deferred by the back-off: {}",
        row.due_in_seconds
    );

    // The hotline resends while the server is still down: accepted, queued, nothing lost.
    codes::resend(&f.hotline, nr, &reason("Code kam nicht an"))
        .await
        .unwrap();
    let resent = outbox_row(&pool, nr).await;
    assert_eq!(resent.status, "queued");
    let first_now = outbox_row_where(&pool, "id = $1", first.id).await;
    assert_eq!(
        (
            first_now.status.as_str(),
            first_now.cancel_reason.as_deref()
        ),
        ("cancelled", Some("superseded")),
        "the superseded code's mail must not go out any more"
    );
    assert!(!first_now.has_plaintext);
    assert_eq!(send_due(&f, &server).await, report(0, 1, 0));

    server.restart();
    make_due(&pool).await;
    assert_eq!(send_due(&f, &server).await, report(1, 0, 0));
    assert_eq!(send_due(&f, &server).await, report(0, 0, 0));
    let mails = server.received();
    assert_eq!(mails.len(), 1, "delivered exactly once");
    assert_eq!(mails[0].message_id(), resent.message_id);
    let check = codes::check(&f.hotline, nr, &mails[0].code().unwrap())
        .await
        .unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);
    assert_eq!(outbox_row(&pool, nr).await.attempts, 2);
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 0);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_451_is_retried_after_the_back_off_and_then_delivered(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(
            &pool,
            "4510000001",
            "Grau GmbH",
            "tempfail1-grau@betrieb.example",
        )
        .await;

    assert_eq!(send_due(&f, &server).await, report(0, 1, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
    assert!(row.has_plaintext);
    assert!(
        row.last_error.as_deref().unwrap().starts_with("451 "),
        "{:?}",
        row.last_error
    );
    let info = codes::inspect(&f.hotline, nr).await.unwrap();
    let delivery = info[0].delivery.as_ref().unwrap();
    assert!(
        delivery
            .label_de
            .starts_with("noch nicht zugestellt (1 Versuch)"),
        "{}",
        delivery.label_de
    );
    assert!(
        delivery
            .last_error
            .as_deref()
            .unwrap()
            .contains("Greylisted")
    );

    // Not due yet: the back-off holds.
    assert_eq!(send_due(&f, &server).await, report(0, 0, 0));
    make_due(&pool).await;
    assert_eq!(send_due(&f, &server).await, report(1, 0, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!(
        (
            row.status.as_str(),
            row.attempts,
            row.last_error,
            row.has_plaintext
        ),
        ("sent", 2, None, false)
    );
    assert_eq!(server.received().len(), 1);
}

/// A 550 fails at once. Its code's plaintext is deleted with the failure (a failed mail used
/// to keep its code), so IT's retry cannot send the same mail again: it issues a
/// fresh code in a new mail while the Antrag still waits for one.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_550_fails_at_once_with_the_reason_visible_and_is_not_retried(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(&pool, "5500000001", "Rot KG", "reject-rot@betrieb.example")
        .await;

    assert_eq!(send_due(&f, &server).await, report(0, 0, 1));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    assert!(!row.has_plaintext, "a failed mail's code must not be kept");
    let info = codes::inspect(&f.hotline, nr).await.unwrap();
    let delivery = info[0].delivery.as_ref().unwrap();
    assert_eq!(delivery.label_de, "Versand fehlgeschlagen");
    let why = delivery.last_error.as_deref().unwrap();
    assert!(
        why.starts_with("550 ") && why.contains("User unknown"),
        "{why}"
    );
    assert!(
        audit_actions(&pool, nr)
            .await
            .contains(&"code_mail_failed".to_string())
    );

    make_due(&pool).await;
    assert_eq!(send_due(&f, &server).await, report(0, 0, 0));
    assert!(server.received().is_empty());

    // IT may retry (here the server refuses again); the hotline may not.
    let r = reason("Mailserver repariert");
    let before = snapshot(&pool).await;
    let denied = outbox::retry(&f.hotline, RetryTarget::One(row.id), &r)
        .await
        .unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::Forbidden);
    assert_eq!(snapshot(&pool).await, before);
    let requeued = outbox::retry(&f.admin, RetryTarget::AllFailed, &r)
        .await
        .unwrap();
    assert_eq!(requeued.len(), 1);
    assert_ne!(requeued[0], row.id, "a new mail with a new code");
    let old = outbox_row_where(&pool, "id = $1", row.id).await;
    assert_eq!(old.status, "failed");
    let new = outbox_row(&pool, nr).await;
    assert_eq!(
        (new.id, new.status.as_str(), new.has_plaintext),
        (requeued[0], "queued", true)
    );
    assert_eq!(codes_issued(&pool, nr).await, 2);
    assert_eq!(send_due(&f, &server).await, report(0, 0, 1));
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 0);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_temporary_failure_gives_up_after_the_attempt_limit(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(
            &pool,
            "4510000009",
            "Zäh AG",
            "tempfail9-zaeh@betrieb.example",
        )
        .await;
    let eager = WorkerConfig {
        max_attempts: 3,
        backoff_base: Duration::ZERO,
        concurrency: 1,
        ..WorkerConfig::default()
    };
    assert_eq!(
        drain(&f.mailer, &mailer(&server), &eager).await.unwrap(),
        report(0, 2, 1)
    );
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    assert!(!row.has_plaintext);
    assert!(
        row.last_error
            .unwrap()
            .starts_with("Nach 3 Versuchen aufgegeben. Zuletzt: 451 ")
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn retry_refuses_a_mail_whose_code_is_no_longer_live(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(
            &pool,
            "5500000002",
            "Weg GmbH",
            "reject-weg@betrieb.example",
        )
        .await;
    send_due(&f, &server).await;
    let failed_id: i64 = sqlx::query_scalar("select id from mail_outbox where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    codes::resend(&f.hotline, nr, &reason("neue Adresse"))
        .await
        .unwrap();
    let r = reason("Mailserver repariert");
    let before = snapshot(&pool).await;
    let err = outbox::retry(&f.admin, RetryTarget::One(failed_id), &r)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.message().contains("nicht mehr gültig"),
        "{}",
        err.message()
    );
    let err = outbox::retry(&f.admin, RetryTarget::One(99_999), &r)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn two_workers_racing_over_1000_queued_mails_deliver_each_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    // Set-up as the issuing function leaves a mail: its facts, and its code where only the
    // mail sender reads it.
    sqlx::query(
        "with m as (
             insert into mail_outbox (purpose, message_id, mail_from, recipient, facts)
             select 'confirmation_code', '<race-' || i || '@hwk.example>', 'portal@hwk.example',
                    'betrieb' || i || '@race.example',
                    jsonb_build_object('antrag_nr', i, 'betriebsnummer', lpad(i::text, 10, '0'),
                        'firmenname', 'Rennen ' || i, 'requester_name', 'Anna Antrag',
                        'requester_email', 'anna@privat.example', 'valid_until', now() + interval '14 days',
                        'chamber_name', 'Handwerkskammer Test')
             from generate_series(1, 1000) i
             returning id)
         insert into kammer_secret.code_plaintext (outbox_id, code)
         select id, encode(gen_random_bytes(32), 'hex') from m",
    )
    .execute(&pool)
    .await
    .unwrap();
    // Two processes in effect: separate connection pools (the same service login) and
    // separate SMTP pools.
    let second = db::connect_service(
        f.server
            .clone()
            .username(&login(&f.tag, "mailer"))
            .password(CLERK_PW),
        Service::Mailer,
    )
    .await
    .unwrap();
    let config = WorkerConfig {
        concurrency: 3,
        ..patient()
    };
    let (m1, m2) = (mailer(&server), mailer(&server));
    let (a, b) = tokio::join!(drain(&f.mailer, &m1, &config), drain(&second, &m2, &config));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 1000);
    assert!(
        a.sent > 0 && b.sent > 0,
        "both workers took part: {a:?} {b:?}"
    );
    assert_eq!(a.deferred + a.failed + b.deferred + b.failed, 0);

    let mails = server.received();
    let mut ids: Vec<String> = mails.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (mails.len(), ids.len()),
        (1000, 1000),
        "each mail exactly once"
    );
    let mut codes: Vec<String> = mails.iter().filter_map(|m| m.code()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 1000, "each mail with its own code");
    assert_eq!(count(&pool, "mail_outbox where status <> 'sent'").await, 0);
    assert_eq!(count(&pool, "kammer_secret.code_plaintext").await, 0);
    second.close().await;
}

/// The process dies (here: its database connection is killed) after the SMTP server has
/// accepted the mail but before the row is marked sent. The row is still queued; the next
/// worker sends the same message again, with the same Message-ID and the same valid code.
///
/// The kill waits for the server's word that the message is in its DATA (the slow recipient
/// holds the answer back for 5 s). Killing as soon as the worker's backend shows "idle in
/// transaction" raced: PostgreSQL reports that state just before it flushes the claimed row
/// to the client, so a kill in that instant failed the claim itself and nothing was sent.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_crash_between_acceptance_and_commit_resends_the_identical_mail(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = f
        .file_to(
            &pool,
            "0000000042",
            "Langsam GmbH",
            "slow5-langsam@betrieb.example",
        )
        .await;
    let worker_pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(
            f.server
                .clone()
                .username(&login(&f.tag, "mailer"))
                .password(CLERK_PW)
                .application_name("kammer-crashing-worker"),
        )
        .await
        .unwrap();
    let m = mailer(&server);
    let config = WorkerConfig {
        concurrency: 1,
        ..patient()
    };
    let worker = tokio::spawn(async move { drain(&worker_pool, &m, &config).await });
    // The worker holds the row and the server holds its answer: kill the worker's
    // connection, what a crash does to the database side.
    let store = server.store().to_path_buf();
    tokio::task::spawn_blocking(move || wait_until_holding(&store, Duration::from_secs(10)))
        .await
        .unwrap();
    let killed: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
         where application_name = 'kammer-crashing-worker' and state = 'idle in transaction'
           and query like '%kammer_api.mail_claim()%') t",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(killed, 1, "the worker holds the row while it sends");
    let outcome = worker.await.unwrap();
    assert!(
        outcome.is_err(),
        "the worker lost its connection: {outcome:?}"
    );
    let first = server.wait_for(1, Duration::from_secs(10));
    let row = outbox_row(&pool, nr).await;
    assert_eq!(
        row.status, "queued",
        "not marked sent: the commit never happened"
    );
    assert!(
        row.has_plaintext,
        "the code is kept until the sending is recorded"
    );

    assert_eq!(send_due(&f, &server).await, report(1, 0, 0));
    let mails = server.received();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].message_id(), mails[1].message_id());
    assert_eq!(mails[0].code(), mails[1].code());
    assert_eq!(first[0].code(), mails[1].code());
    let check = codes::check(&f.hotline, nr, &mails[1].code().unwrap())
        .await
        .unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.has_plaintext), ("sent", false));
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn starttls_and_implicit_tls_deliver_with_the_chambers_own_ca(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let ca = TestCa::generate();
    for (i, (mode, security)) in [
        (TlsMode::Starttls, SmtpSecurity::Starttls),
        (TlsMode::Implicit, SmtpSecurity::Tls),
    ]
    .into_iter()
    .enumerate()
    {
        let server = TestSmtpServer::start_with(SmtpServerOptions {
            tls: mode,
            cert: Some(ca.server_cert()),
            ..SmtpServerOptions::default()
        });
        let nr = f.file_for(&pool, &format!("777000000{i}")).await;
        let mut config = SmtpConfig::new("localhost", security);
        config.port = Some(server.port);
        // Without the chamber's CA the server is not trusted: a TLS failure, retried later.
        assert_eq!(
            drain(&f.mailer, &Mailer::new(&config).unwrap(), &patient())
                .await
                .unwrap(),
            report(0, 1, 0)
        );
        let error = outbox_row(&pool, nr).await.last_error.unwrap();
        assert!(error.starts_with("TLS-Fehler"), "{error}");
        make_due(&pool).await;
        config.ca_file = Some(ca.ca_pem());
        assert_eq!(
            drain(&f.mailer, &Mailer::new(&config).unwrap(), &patient())
                .await
                .unwrap(),
            report(1, 0, 0)
        );
        assert_eq!(server.received().len(), 1, "{mode:?}");
    }
}

/// `mail::run`, the mail sender's loop (`kammerctl outbox run`), says it is alive in
/// `mailer_heartbeats` each time round, before it sends; a restarted sender takes over its
/// row. The desks (every clerk) may read when it last did; only the mail sender writes it.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_mail_sender_writes_heartbeats(pool: PgPool) {
    type Beat = (
        String,
        String,
        i32,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    );
    let f = Fixture::new(&pool).await;
    let server = Arc::new(TestSmtpServer::start());
    let mailer_login = login(&f.tag, "mailer");
    let start = || {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (pool, m) = (f.mailer.clone(), mailer(&server));
        // No polling within the test: a mail goes out on the loop's drain or on a
        // notification, never because time passed.
        let config = WorkerConfig {
            poll_interval: Duration::from_secs(3600),
            ..patient()
        };
        let run = tokio::spawn(async move { mail::run(&pool, &m, &config, stopped).await });
        (stop, run)
    };
    let wait_for = |n: usize| {
        let server = server.clone();
        tokio::task::spawn_blocking(move || server.wait_for(n, Duration::from_secs(20)))
    };
    let beats = || async {
        sqlx::query_as::<_, Beat>(
            "select login, host, pid, started_at, last_seen_at from mailer_heartbeats",
        )
        .fetch_all(f.hotline.pool())
        .await
        .unwrap()
    };

    // Before any sender ran, Über KammerDesk has nothing to show.
    assert_eq!(outbox::sender_status(&f.hotline).await.unwrap(), None);
    let first = f.file().await;
    let (stop, run) = start();
    // The loop writes its heartbeat before it drains: once the mail is out, it is there.
    wait_for(1).await.unwrap();
    let seen = beats().await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    let (login_seen, host, pid, started_at, seen_first) = seen[0].clone();
    assert_eq!(login_seen, mailer_login);
    assert_eq!(pid, std::process::id() as i32);
    assert!(!host.is_empty());
    assert!(started_at <= seen_first);
    // What Über KammerDesk shows every clerk, the hotline included.
    let status = outbox::sender_status(&f.hotline).await.unwrap().unwrap();
    assert_eq!(status.host, host);
    // The sender may have beaten again since `beats()` read it (it also beats after a drain).
    assert!(
        status.last_seen_at >= seen_first,
        "{status:?} before {seen_first}"
    );
    assert!((0..20).contains(&status.seconds_ago), "{status:?}");
    assert!(
        status
            .label_de()
            .starts_with("Postausgang zuletzt aktiv vor "),
        "{}",
        status.label_de()
    );
    stop.send(true).unwrap();
    run.await.unwrap().unwrap();

    // Started again (same login, host and process): the same row, a new start, a new beat;
    // a mail filed while it runs goes out without any polling.
    let (stop, run) = start();
    let second = f.file_for(&pool, "9100001").await;
    wait_for(2).await.unwrap();
    let seen = beats().await;
    assert_eq!(seen.len(), 1, "one row per running sender: {seen:?}");
    assert!(seen[0].3 > started_at, "a new start: {seen:?}");
    assert!(seen[0].4 > seen_first, "the heartbeat moved on: {seen:?}");
    // Stopped, the sender has finished what it had in flight: the server's copy of a mail
    // arrives before the sender records it as sent.
    stop.send(true).unwrap();
    run.await.unwrap().unwrap();
    for nr in [first, second] {
        assert_eq!(outbox_row(&pool, nr).await.status, "sent");
    }
    // Only the mail sender says so: a clerk's login cannot forge a heartbeat.
    let forged = sqlx::query("select kammer_api.mailer_heartbeat('desk', 1, now())")
        .execute(f.admin.pool())
        .await
        .unwrap_err();
    assert_eq!(
        kammer_core::Error::from(forged).kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(count(&pool, "mailer_heartbeats").await, 1);
}

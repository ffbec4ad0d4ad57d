//! Delivery of the code mail to a real SMTP server on loopback (aiosmtpd, see
//! scripts/smtp-test-server), read back with a real MIME parser.
mod common;

use std::time::Duration;

use common::*;
use kammer_core::codes::{self, CodeVerdict};
use kammer_core::domain::{AntragNr, Betriebsnummer, ConfirmationCode};
use kammer_core::mail::{DrainReport, Mailer, SmtpConfig, SmtpSecurity, WorkerConfig, drain};
use kammer_core::outbox::{self, RetryTarget};
use kammer_core::portal;
use kammer_core::{ErrorKind, audit};
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

/// One worker pass over what is due, with the patient back-off.
async fn send_due(pool: &PgPool, server: &TestSmtpServer) -> DrainReport {
    drain(pool, &mailer(server), &patient()).await.unwrap()
}

fn report(sent: u64, deferred: u64, failed: u64) -> DrainReport {
    DrainReport {
        sent,
        deferred,
        failed,
    }
}

/// Files an Antrag for a new Betrieb whose address on file is `email`.
async fn file_to(
    pool: &PgPool,
    f: &Fixture,
    nummer: &str,
    firmenname: &str,
    email: &str,
) -> AntragNr {
    insert_betrieb(pool, nummer, firmenname, email).await;
    let n = Betriebsnummer::parse(nummer).unwrap();
    portal::request_zuordnung(pool, &f.email, &n, firmenname)
        .await
        .unwrap()
        .nr
}

struct Row {
    status: String,
    attempts: i32,
    last_error: Option<String>,
    smtp_reply: Option<String>,
    message_id: String,
    body_text: String,
    body_html: String,
    due_in_seconds: f64,
}

async fn outbox_row(pool: &PgPool, nr: AntragNr) -> Row {
    let r: (
        String,
        i32,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
        f64,
    ) = sqlx::query_as(
        "select status, attempts, last_error, smtp_reply, message_id, body_text, body_html,
                extract(epoch from next_attempt_at - now())::float8
         from mail_outbox where antrag_nr = $1 order by id desc limit 1",
    )
    .bind(nr.get())
    .fetch_one(pool)
    .await
    .unwrap();
    Row {
        status: r.0,
        attempts: r.1,
        last_error: r.2,
        smtp_reply: r.3,
        message_id: r.4,
        body_text: r.5,
        body_html: r.6,
        due_in_seconds: r.7,
    }
}

/// What time passing does to a deferred mail.
async fn make_due(pool: &PgPool) {
    sqlx::query("update mail_outbox set next_attempt_at = now() where status = 'queued'")
        .execute(pool)
        .await
        .unwrap();
}

async fn audit_actions(pool: &PgPool, nr: AntragNr) -> Vec<String> {
    sqlx::query_scalar("select action from audit_events where antrag_nr = $1 order by id")
        .bind(nr.get())
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn code_mail_arrives_as_mime_with_both_parts_umlauts_and_the_stored_code(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = file_to(
        &pool,
        &f,
        "0012345678",
        "Bäckerei Größe & Söhne",
        "info@baeckerei-groesse.example",
    )
    .await;
    let queued = outbox_row(&pool, nr).await;

    assert_eq!(send_due(&pool, &server).await, report(1, 0, 0));

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
    let check = codes::check(&pool, &f.hotline, nr, &code).await.unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);

    // Sent: only the hash stays; the prefix (which the hotline may read out) is kept.
    let row = outbox_row(&pool, nr).await;
    assert_eq!(row.status, "sent");
    assert!(
        row.smtp_reply.as_deref().unwrap().starts_with("250 "),
        "{:?}",
        row.smtp_reply
    );
    assert!(!row.body_text.contains(&code) && !row.body_html.contains(&code));
    assert!(row.body_text.contains(&code[..6]));
    let leftovers: i64 = sqlx::query_scalar(
        "select count(*) from mail_outbox where status = 'sent' and (body_text ~ '[0-9a-f]{64}' or body_html ~ '[0-9a-f]{64}')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(leftovers, 0);

    let info = codes::inspect(&pool, &f.hotline, nr).await.unwrap();
    let delivery = info[0].delivery.as_ref().unwrap();
    assert_eq!(delivery.status, "sent");
    assert!(
        delivery.label_de.starts_with("versendet am "),
        "{}",
        delivery.label_de
    );
    assert!(
        audit_actions(&pool, nr)
            .await
            .contains(&"code_mail_sent".to_string())
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn server_down_during_a_resend_then_up_delivers_the_new_code_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let mut server = TestSmtpServer::start();
    server.stop();
    let nr = f.file(&pool).await;
    let first = outbox_row(&pool, nr).await;

    assert_eq!(send_due(&pool, &server).await, report(0, 1, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
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
    codes::resend(&pool, &f.hotline, nr, &reason("Code kam nicht an"))
        .await
        .unwrap();
    let resent = outbox_row(&pool, nr).await;
    assert_eq!(resent.status, "queued");
    let first_now: String =
        sqlx::query_scalar("select status from mail_outbox where message_id = $1")
            .bind(&first.message_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        first_now, "cancelled",
        "the superseded code's mail must not go out any more"
    );
    assert_eq!(send_due(&pool, &server).await, report(0, 1, 0));

    server.restart();
    make_due(&pool).await;
    assert_eq!(send_due(&pool, &server).await, report(1, 0, 0));
    assert_eq!(send_due(&pool, &server).await, report(0, 0, 0));
    let mails = server.received();
    assert_eq!(mails.len(), 1, "delivered exactly once");
    assert_eq!(mails[0].message_id(), resent.message_id);
    let check = codes::check(&pool, &f.hotline, nr, &mails[0].code().unwrap())
        .await
        .unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);
    assert_eq!(outbox_row(&pool, nr).await.attempts, 2);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_451_is_retried_after_the_back_off_and_then_delivered(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = file_to(
        &pool,
        &f,
        "4510000001",
        "Grau GmbH",
        "tempfail1-grau@betrieb.example",
    )
    .await;

    assert_eq!(send_due(&pool, &server).await, report(0, 1, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
    assert!(
        row.last_error.as_deref().unwrap().starts_with("451 "),
        "{:?}",
        row.last_error
    );
    let info = codes::inspect(&pool, &f.hotline, nr).await.unwrap();
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
    assert_eq!(send_due(&pool, &server).await, report(0, 0, 0));
    make_due(&pool).await;
    assert_eq!(send_due(&pool, &server).await, report(1, 0, 0));
    let row = outbox_row(&pool, nr).await;
    assert_eq!(
        (row.status.as_str(), row.attempts, row.last_error),
        ("sent", 2, None)
    );
    assert_eq!(server.received().len(), 1);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_550_fails_at_once_with_the_reason_visible_and_is_not_retried(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = file_to(
        &pool,
        &f,
        "5500000001",
        "Rot KG",
        "reject-rot@betrieb.example",
    )
    .await;

    assert_eq!(send_due(&pool, &server).await, report(0, 0, 1));
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    let info = codes::inspect(&pool, &f.hotline, nr).await.unwrap();
    let delivery = info[0].delivery.as_ref().unwrap();
    assert_eq!(delivery.label_de, "Versand fehlgeschlagen");
    let reason = delivery.last_error.as_deref().unwrap();
    assert!(
        reason.starts_with("550 ") && reason.contains("User unknown"),
        "{reason}"
    );
    assert!(
        audit_actions(&pool, nr)
            .await
            .contains(&"code_mail_failed".to_string())
    );

    make_due(&pool).await;
    assert_eq!(send_due(&pool, &server).await, report(0, 0, 0));
    assert!(server.received().is_empty());

    // IT may requeue it (here the server refuses again); the hotline may not.
    let denied = outbox::retry(&pool, &f.hotline, RetryTarget::One(1))
        .await
        .unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::Forbidden);
    let id: i64 = sqlx::query_scalar("select id from mail_outbox where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        outbox::retry(&pool, &f.admin, RetryTarget::AllFailed)
            .await
            .unwrap(),
        [id]
    );
    assert_eq!(outbox_row(&pool, nr).await.status, "queued");
    assert_eq!(send_due(&pool, &server).await, report(0, 0, 1));
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_temporary_failure_gives_up_after_the_attempt_limit(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    let nr = file_to(
        &pool,
        &f,
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
        drain(&pool, &mailer(&server), &eager).await.unwrap(),
        report(0, 2, 1)
    );
    let row = outbox_row(&pool, nr).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    assert!(
        row.last_error
            .unwrap()
            .starts_with("Nach 3 Versuchen aufgegeben. Zuletzt: 451 ")
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn retry_refuses_a_mail_whose_code_is_no_longer_live(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let server = TestSmtpServer::start();
    let nr = file_to(
        &pool,
        &f,
        "5500000002",
        "Weg GmbH",
        "reject-weg@betrieb.example",
    )
    .await;
    send_due(&pool, &server).await;
    let failed_id: i64 = sqlx::query_scalar("select id from mail_outbox where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    codes::resend(&pool, &f.hotline, nr, &reason("neue Adresse"))
        .await
        .unwrap();
    let err = outbox::retry(&pool, &f.admin, RetryTarget::One(failed_id))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.message().contains("nicht mehr gültig"),
        "{}",
        err.message()
    );
    let err = outbox::retry(&pool, &f.admin, RetryTarget::One(99_999))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn two_workers_racing_over_1000_queued_mails_deliver_each_once(pool: PgPool) {
    let _f = Fixture::new(&pool).await;
    let server = TestSmtpServer::start();
    sqlx::query(
        "insert into mail_outbox (purpose, message_id, mail_from, recipient, subject, body_text, body_html)
         select 'confirmation_code', '<race-' || i || '@hwk.example>', 'portal@hwk.example',
                'betrieb' || i || '@race.example', 'Rennen ' || i, 'Text ' || i, '<p>' || i || '</p>'
         from generate_series(1, 1000) i",
    )
    .execute(&pool)
    .await
    .unwrap();
    // Two processes in effect: separate connection pools and separate SMTP pools.
    let second = PgPoolOptions::new()
        .max_connections(6)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let config = WorkerConfig {
        concurrency: 3,
        ..patient()
    };
    let (m1, m2) = (mailer(&server), mailer(&server));
    let (a, b) = tokio::join!(drain(&pool, &m1, &config), drain(&second, &m2, &config));
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
    let queued: i64 = sqlx::query_scalar("select count(*) from mail_outbox where status <> 'sent'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
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
    let nr = file_to(
        &pool,
        &f,
        "0000000042",
        "Langsam GmbH",
        "slow5-langsam@betrieb.example",
    )
    .await;
    let worker_pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(
            (*pool.connect_options())
                .clone()
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
           and query like '%for update of o skip locked%') t",
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
    assert_eq!(
        outbox_row(&pool, nr).await.status,
        "queued",
        "not marked sent: the commit never happened"
    );

    assert_eq!(send_due(&pool, &server).await, report(1, 0, 0));
    let mails = server.received();
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].message_id(), mails[1].message_id());
    assert_eq!(mails[0].code(), mails[1].code());
    assert_eq!(first[0].code(), mails[1].code());
    let check = codes::check(&pool, &f.hotline, nr, &mails[1].code().unwrap())
        .await
        .unwrap();
    assert_eq!(check.verdict, CodeVerdict::Valid);
    assert_eq!(outbox_row(&pool, nr).await.status, "sent");
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
            drain(&pool, &Mailer::new(&config).unwrap(), &patient())
                .await
                .unwrap(),
            report(0, 1, 0)
        );
        let error = outbox_row(&pool, nr).await.last_error.unwrap();
        assert!(error.starts_with("TLS-Fehler"), "{error}");
        make_due(&pool).await;
        config.ca_file = Some(ca.ca_pem());
        assert_eq!(
            drain(&pool, &Mailer::new(&config).unwrap(), &patient())
                .await
                .unwrap(),
            report(1, 0, 0)
        );
        assert_eq!(server.received().len(), 1, "{mode:?}");
    }
    let _ = audit::CHANGES_CHANNEL;
}

//! Drains queued code mails into the loopback SMTP test server and prints mails per second.
//!
//!     cargo bench -p kammer-core --bench mail_drain               # 10,000 mails
//!     cargo bench -p kammer-core --bench mail_drain -- --mails 500
//!
//! The drain runs as the mail sender does in production: a login of the group
//! `kammer_mailer` (made for this run with `clerks::add_service_login`, dropped at the end)
//! claiming each mail through `kammer_api.mail_claim()`, composing it from the mail's facts
//! and its code, and recording the outcome with `kammer_api.mail_sent`. The queued mails are
//! written by the superuser beforehand (facts and code as `kammer_internal.issue_code` writes
//! them), so only the drain is timed.
//!
//! lettre 0.11.23 leaves Nagle's algorithm on: the five-byte end-of-data write waits for the
//! server's delayed ACK, about 40 ms a mail on Linux, so throughput grows with concurrency
//! rather than with CPU. The table shows that; docs/performance.md has the measured figures.
//!
//! Needs PostgreSQL (DATABASE_URL names the server as a superuser, e.g.
//! postgres://postgres@127.0.0.1:5432/postgres; a scratch database is created and dropped) and
//! the test SMTP server's venv from scripts/setup.sh.

use std::time::Instant;

use chrono::Utc;
use kammer_core::auth::Password;
use kammer_core::clerks;
use kammer_core::db::{self, Service};
use kammer_core::mail::{CodeMailFacts, Mailer, SmtpConfig, SmtpSecurity, WorkerConfig, drain};
use kammer_testkit::{ScratchDatabase, TestSmtpServer, psql, random_suffix};
use sqlx::postgres::PgPoolOptions;

/// The mail sender's password for this run (its login lives only as long as the run).
const MAILER_PASSWORD: &str = "bench-mailer-passwort";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mails: i64 = arg("--mails")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let login = format!("kd_bench_mailer_{}", random_suffix());
    let result = {
        let db = ScratchDatabase::create("kammer_bench_mail");
        run(&db.url(), &login, mails).await
        // The database goes first: it holds the login's CONNECT grant.
    };
    psql(&server, &format!("drop role if exists {login}"));
    result
}

async fn run(url: &str, login: &str, mails: i64) -> Result<(), Box<dyn std::error::Error>> {
    let superuser = db::connect(url).await?;
    db::migrate(&superuser).await?;
    let password = Password::new_checked(MAILER_PASSWORD)?;
    clerks::add_service_login(&superuser, Service::Mailer, login, &password).await?;
    let options = (*superuser.connect_options())
        .clone()
        .username(login)
        .password(MAILER_PASSWORD);
    // As many connections as the widest drain has mails in flight (each holds one while it
    // is sent); `db::connect_service` opens 8.
    let mailer_pool = PgPoolOptions::new()
        .max_connections(20)
        .connect_with(options)
        .await?;

    // A real code mail's facts as those of every row: realistic size and encoding work.
    let facts = serde_json::to_value(CodeMailFacts {
        antrag_nr: 178,
        betriebsnummer: "2121155381".into(),
        firmenname: "Bäckerei Größe & Söhne".into(),
        requester_name: "Justus Krämer".into(),
        requester_email: "justus.kraemer@example.org".into(),
        valid_until: Utc::now(),
        chamber_name: "Handwerkskammer Musterstadt".into(),
        hotline_phone: "0231 5493-0".into(),
        portal_url: "https://portal.hwk.example".into(),
    })?;
    let server = TestSmtpServer::start();
    let mut smtp = SmtpConfig::new("127.0.0.1", SmtpSecurity::Plain);
    smtp.port = Some(server.port);
    smtp.pool_size = 16;
    let mailer = Mailer::new(&smtp)?;

    println!("| concurrency | mails | seconds | mails/s |");
    println!("|---:|---:|---:|---:|");
    for concurrency in [1usize, 4, 16] {
        // As kammer_internal.issue_code queues them: the mail with its facts, the code's
        // plaintext where only the mail sender reads it.
        sqlx::query(
            "with queued as (
                 insert into mail_outbox (purpose, message_id, mail_from, recipient, facts)
                 select 'confirmation_code', '<bench-' || $2 || '-' || i || '@hwk.example>',
                        'portal@hwk.example', 'betrieb' || i || '@bench.example', $1
                 from generate_series(1, $3::bigint) i
                 returning id)
             insert into kammer_secret.code_plaintext (outbox_id, code)
             select id, encode(gen_random_bytes(32), 'hex') from queued",
        )
        .bind(&facts)
        .bind(concurrency as i64)
        .bind(mails)
        .execute(&superuser)
        .await?;
        let config = WorkerConfig {
            concurrency,
            ..WorkerConfig::default()
        };
        let start = Instant::now();
        let report = drain(&mailer_pool, &mailer, &config).await?;
        let seconds = start.elapsed().as_secs_f64();
        if report.sent != mails as u64 {
            return Err(format!("sent {} of {mails}: {report:?}", report.sent).into());
        }
        println!(
            "| {concurrency} | {mails} | {seconds:.2} | {:.0} |",
            mails as f64 / seconds
        );
    }
    let received = server.received().len() as i64;
    if received != 3 * mails {
        return Err(format!(
            "the SMTP server stored {received} mails, expected {}",
            3 * mails
        )
        .into());
    }
    let left: i64 = sqlx::query_scalar("select count(*) from kammer_secret.code_plaintext")
        .fetch_one(&superuser)
        .await?;
    if left != 0 {
        return Err(
            format!("{left} codes left in kammer_secret.code_plaintext after sending").into(),
        );
    }
    mailer_pool.close().await;
    superuser.close().await;
    Ok(())
}

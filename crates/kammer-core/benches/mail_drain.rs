//! Drains queued code mails into the loopback SMTP test server and prints mails per second.
//!
//!     cargo bench -p kammer-core --bench mail_drain               # 10,000 mails
//!     cargo bench -p kammer-core --bench mail_drain -- --mails 500
//!
//! lettre 0.11.23 leaves Nagle's algorithm on: the five-byte end-of-data write waits for the
//! server's delayed ACK, about 40 ms a mail on Linux, so throughput grows with concurrency
//! rather than with CPU. The table shows that; README has the measured figures.
//!
//! Needs PostgreSQL (DATABASE_URL names the server, e.g. postgres://postgres@127.0.0.1:5432/postgres;
//! a scratch database is created and dropped) and the test SMTP server's venv from scripts/setup.sh.

use std::time::Instant;

use chrono::Utc;
use kammer_core::db;
use kammer_core::domain::{AntragNr, ConfirmationCode};
use kammer_core::mail::{
    CodeMailFacts, Mailer, SmtpConfig, SmtpSecurity, WorkerConfig, compose_code_mail, drain,
};
use kammer_core::policy::Policy;
use kammer_testkit::{ScratchDatabase, TestSmtpServer};
use sqlx::postgres::PgPoolOptions;

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
    let db = ScratchDatabase::create("kammer_bench_mail");
    run(&db.url(), mails).await
}

async fn run(url: &str, mails: i64) -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .connect(url)
        .await?;
    db::migrate(&pool).await?;
    // A real code mail as the template of every row: realistic size and encoding work.
    let code = ConfirmationCode::generate();
    let policy = Policy {
        code_lifetime_days: 14,
        code_attempt_limit: 5,
        resend_cooldown_seconds: 60,
        sends_per_day: 5,
        auto_approve_on_code: true,
        chamber_name: "Handwerkskammer Musterstadt".into(),
        hotline_phone: "0231 5493-0".into(),
        mail_from: "portal@hwk.example".into(),
        portal_url: "https://portal.hwk.example".into(),
        updated_at: Utc::now(),
    };
    let mail = compose_code_mail(
        &CodeMailFacts {
            antrag: AntragNr::from_db(178),
            betriebsnummer: "2121155381",
            firmenname: "Bäckerei Größe & Söhne",
            requester_name: "Justus Krämer",
            requester_email: "justus.kraemer@example.org",
            code: &code,
            valid_until: Utc::now(),
        },
        &policy,
    );
    let server = TestSmtpServer::start();
    let mut smtp = SmtpConfig::new("127.0.0.1", SmtpSecurity::Plain);
    smtp.port = Some(server.port);
    smtp.pool_size = 16;
    let mailer = Mailer::new(&smtp)?;

    println!("| concurrency | mails | seconds | mails/s |");
    println!("|---:|---:|---:|---:|");
    for concurrency in [1usize, 4, 16] {
        sqlx::query(
            "insert into mail_outbox (purpose, message_id, mail_from, recipient, subject, body_text, body_html)
             select 'confirmation_code', '<bench-' || $4 || '-' || i || '@hwk.example>', 'portal@hwk.example',
                    'betrieb' || i || '@bench.example', $1, $2, $3
             from generate_series(1, $5::bigint) i",
        )
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(concurrency as i64)
        .bind(mails)
        .execute(&pool)
        .await?;
        let config = WorkerConfig {
            concurrency,
            ..WorkerConfig::default()
        };
        let start = Instant::now();
        let report = drain(&pool, &mailer, &config).await?;
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
    Ok(())
}

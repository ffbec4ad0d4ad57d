//! The outbox worker: the mail sender service, `kammerctl outbox run`, connected as a login of
//! the group `kammer_mailer` — the only one that may read a code. Any number of them may run
//! at once, because each mail is claimed with its row locked (`kammer_api.mail_claim`, `for
//! update skip locked`) and its outcome recorded in the same transaction. The text is composed
//! here, from the facts fixed when the code was issued and the code itself.
//!
//! Delivery is at least once: if the process dies after the server accepted a mail but
//! before the commit, the lock goes with the connection, the row is still queued, and the
//! next worker sends the same message again (same Message-ID, same still-valid code).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::compose::{CodeMailFacts, compose_code_mail};
use super::message::{OutboxMessage, build};
use super::transport::{Mailer, SendFailure};
use crate::audit::CHANGES_CHANNEL;
use crate::domain::ConfirmationCode;
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Mails in flight at once (each holds one database connection while it is sent).
    pub concurrency: usize,
    /// Attempts before a temporarily failing mail is given up as failed.
    pub max_attempts: i32,
    /// Wait after the first failed attempt; it doubles with each further one…
    pub backoff_base: Duration,
    /// …up to this.
    pub backoff_max: Duration,
    /// How often `run` looks for due mails when no notification wakes it.
    pub poll_interval: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 4,
            max_attempts: 10,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(30),
        }
    }
}

impl WorkerConfig {
    /// Wait before attempt `attempts + 1`, after `attempts` failed ones.
    fn backoff(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.backoff_base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.backoff_max)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    pub sent: u64,
    /// Failed for now; queued again with a later `next_attempt_at`.
    pub deferred: u64,
    /// Given up: refused for good (5xx) or out of attempts.
    pub failed: u64,
}

impl DrainReport {
    fn add(&mut self, other: DrainReport) {
        self.sent += other.sent;
        self.deferred += other.deferred;
        self.failed += other.failed;
    }
}

/// Sends every mail that is due now, then returns. What `kammerctl outbox run --once` does.
pub async fn drain(pool: &PgPool, mailer: &Mailer, config: &WorkerConfig) -> Result<DrainReport> {
    drain_until(pool, mailer, config, Arc::new(AtomicBool::new(false))).await
}

/// Drains the outbox, then sleeps until a change is notified, the next deferred mail is
/// due, or the poll interval has passed; again and again until `shutdown` turns true.
/// Mails in flight at shutdown are finished, none is started after it.
pub async fn run(
    pool: &PgPool,
    mailer: &Mailer,
    config: &WorkerConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut listener: Option<PgListener> = None;
    let started_at = Utc::now();
    let host = hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unbekannt".to_string());
    tracing::info!(server = %mailer.describe, "outbox worker started");
    while !*shutdown.borrow() {
        // The desks show when a sender last said it is alive („Postausgang zuletzt aktiv …“).
        if let Err(e) = heartbeat(pool, &host, started_at).await {
            tracing::warn!(error = %e.message(), "outbox worker: heartbeat failed");
        }
        if listener.is_none() {
            // Behind a transaction pooler LISTEN is not available; polling still works.
            listener = match PgListener::connect_with(pool).await {
                Ok(mut l) => match l.listen(CHANGES_CHANNEL).await {
                    Ok(()) => Some(l),
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox worker: LISTEN failed, polling only");
                        None
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "outbox worker: no listener connection, polling only");
                    None
                }
            };
        }
        let stopper = {
            let stop = stop.clone();
            let mut rx = shutdown.clone();
            tokio::spawn(async move {
                while !*rx.borrow() {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
                stop.store(true, Ordering::SeqCst);
            })
        };
        let wait = match drain_until(pool, mailer, config, stop.clone()).await {
            Ok(report) => {
                if report != DrainReport::default() {
                    tracing::info!(?report, "outbox drained");
                }
                next_due_in(pool).await.unwrap_or(config.poll_interval)
            }
            Err(e) => {
                tracing::warn!(error = %e.message(), "outbox worker: drain failed");
                config.poll_interval
            }
        };
        stopper.abort();
        let wait = wait.min(config.poll_interval);
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(wait) => {}
            woke = async {
                match listener.as_mut() {
                    Some(l) => l.recv().await.map(|_| ()),
                    None => std::future::pending().await,
                }
            } => {
                if let Err(e) = woke {
                    tracing::warn!(error = %e, "outbox worker: listener lost, reconnecting");
                    listener = None;
                }
            }
        }
    }
    tracing::info!("outbox worker stopped");
    Ok(())
}

async fn drain_until(
    pool: &PgPool,
    mailer: &Mailer,
    config: &WorkerConfig,
    stop: Arc<AtomicBool>,
) -> Result<DrainReport> {
    let mut lanes = JoinSet::new();
    for _ in 0..config.concurrency.max(1) {
        let (pool, mailer, config, stop) =
            (pool.clone(), mailer.clone(), config.clone(), stop.clone());
        lanes.spawn(async move {
            let mut report = DrainReport::default();
            while !stop.load(Ordering::SeqCst) {
                match deliver_next(&pool, &mailer, &config).await? {
                    Some(outcome) => report.add(outcome),
                    None => break,
                }
            }
            Ok::<_, Error>(report)
        });
    }
    let mut total = DrainReport::default();
    let mut first_error = None;
    while let Some(joined) = lanes.join_next().await {
        match joined {
            Ok(Ok(report)) => total.add(report),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(Error::internal(e));
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(total),
    }
}

/// Claims one due mail, sends it while the row stays locked, records the outcome.
/// `None` when nothing is due (or every due row is being sent by someone else).
async fn deliver_next(
    pool: &PgPool,
    mailer: &Mailer,
    config: &WorkerConfig,
) -> Result<Option<DrainReport>> {
    let mut tx = pool.begin().await?;
    let Some(row) = sqlx::query_as!(
        ClaimedRow,
        r#"select id as "id!", created_at as "created_at!", antrag_nr, message_id as "message_id!",
                  mail_from as "mail_from!", sender_name as "sender_name!", recipient as "recipient!",
                  facts as "facts!", code, attempts as "attempts!"
           from kammer_api.mail_claim()"#
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let attempts = row.attempts + 1;
    let id = row.id;
    let message = compose(row).and_then(|m| build(&m));
    let sent = match message {
        Ok(mime) => mailer.send(mime).await,
        Err(e) => Err(SendFailure {
            permanent: true,
            reply: e.message().to_string(),
        }),
    };
    let outcome = match sent {
        Ok(reply) => {
            sqlx::query!("select kammer_api.mail_sent($1, $2)", id, reply)
                .execute(&mut *tx)
                .await?;
            DrainReport {
                sent: 1,
                ..Default::default()
            }
        }
        Err(failure) if failure.permanent || attempts >= config.max_attempts => {
            let reason = if failure.permanent {
                failure.reply.clone()
            } else {
                format!(
                    "Nach {attempts} Versuchen aufgegeben. Zuletzt: {}",
                    failure.reply
                )
            };
            tracing::warn!(outbox_id = id, reply = %failure.reply, "mail failed");
            sqlx::query!(
                "select kammer_api.mail_failed($1, $2, $3)",
                id,
                failure.reply,
                reason
            )
            .execute(&mut *tx)
            .await?;
            DrainReport {
                failed: 1,
                ..Default::default()
            }
        }
        Err(failure) => {
            let next = Utc::now()
                + chrono::Duration::from_std(config.backoff(attempts))
                    .unwrap_or(chrono::Duration::hours(1));
            tracing::info!(outbox_id = id, reply = %failure.reply, %next, "mail deferred");
            sqlx::query!(
                "select kammer_api.mail_deferred($1, $2, $3)",
                id,
                failure.reply,
                next
            )
            .execute(&mut *tx)
            .await?;
            DrainReport {
                deferred: 1,
                ..Default::default()
            }
        }
    };
    tx.commit().await?;
    Ok(Some(outcome))
}

/// What `kammer_api.mail_claim` hands the sender: the row, and the code in clear.
struct ClaimedRow {
    id: i64,
    created_at: chrono::DateTime<Utc>,
    antrag_nr: Option<i64>,
    message_id: String,
    mail_from: String,
    sender_name: String,
    recipient: String,
    facts: serde_json::Value,
    code: Option<String>,
    attempts: i32,
}

/// The claimed row as a message: its facts and its code composed into the text. A mail
/// without its code (the plaintext is gone) cannot be sent and fails for good.
fn compose(row: ClaimedRow) -> Result<OutboxMessage> {
    let facts: CodeMailFacts = serde_json::from_value(row.facts)
        .map_err(|e| Error::validation(format!("Die E-Mail {} ist unvollständig: {e}", row.id)))?;
    let code = row
        .code
        .as_deref()
        .map(ConfirmationCode::parse)
        .transpose()?
        .ok_or_else(|| {
            Error::validation(format!(
                "Der Code der E-Mail {} liegt nicht mehr vor; bitte einen neuen Code senden.",
                row.id
            ))
        })?;
    let mail = compose_code_mail(&facts, code.expose());
    Ok(OutboxMessage {
        id: row.id,
        created_at: row.created_at,
        antrag_nr: row.antrag_nr,
        message_id: row.message_id,
        sender_name: row.sender_name,
        mail_from: row.mail_from,
        recipient: row.recipient,
        subject: mail.subject,
        body_text: mail.text,
        body_html: mail.html,
    })
}

/// Time until the earliest queued mail is due (zero if one is due now).
async fn next_due_in(pool: &PgPool) -> Result<Duration> {
    let next = sqlx::query_scalar!("select kammer_api.mail_next_due()")
        .fetch_one(pool)
        .await?;
    Ok(next
        .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
        .unwrap_or(Duration::MAX))
}

async fn heartbeat(pool: &PgPool, host: &str, started_at: chrono::DateTime<Utc>) -> Result<()> {
    sqlx::query!(
        "select kammer_api.mailer_heartbeat($1, $2, $3)",
        host,
        std::process::id() as i32,
        started_at
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let config = WorkerConfig {
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(600),
            ..WorkerConfig::default()
        };
        let waits: Vec<u64> = (1..=7).map(|a| config.backoff(a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(config.backoff(1_000).as_secs(), 600);
    }
}

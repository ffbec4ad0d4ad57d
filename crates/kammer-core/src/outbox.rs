//! The mail outbox as IT sees it. Queued mails contain codes, so reading them is an
//! administrator's right and leaves a trace in the audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::audit::{self, Actor, Event};
use crate::auth::Session;
use crate::domain::{AntragNr, Permission};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub purpose: String,
    pub antrag_nr: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub smtp_reply: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxMail {
    pub entry: OutboxEntry,
    pub message_id: String,
    pub mail_from: String,
    pub body_text: String,
    pub body_html: String,
}

#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<String>,
    pub antrag: Option<AntragNr>,
    pub limit: i64,
}

pub async fn list(
    pool: &PgPool,
    session: &Session,
    filter: &OutboxFilter,
) -> Result<Vec<OutboxEntry>> {
    if let Some(s) = &filter.status
        && !["queued", "sent", "failed", "cancelled"].contains(&s.as_str())
    {
        return Err(Error::validation(format!(
            "Unbekannter Versandstatus „{s}“. Möglich sind: queued, sent, failed, cancelled."
        )));
    }
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::ReadOutbox).await?;
    let rows = sqlx::query_as!(
        OutboxEntry,
        "select id, created_at, purpose, antrag_nr, recipient, subject, status, attempts, last_error, smtp_reply,
                last_attempt_at, next_attempt_at, sent_at
         from mail_outbox
         where ($1::text is null or status = $1) and ($2::bigint is null or antrag_nr = $2)
         order by id desc limit $3",
        filter.status,
        filter.antrag.map(AntragNr::get),
        filter.limit.clamp(1, 10_000)
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

pub async fn show(pool: &PgPool, session: &Session, id: i64) -> Result<OutboxMail> {
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::ReadOutbox).await?;
    let r = sqlx::query!(
        "select id, created_at, purpose, antrag_nr, recipient, subject, status, attempts, last_error, smtp_reply,
                last_attempt_at, next_attempt_at, sent_at, message_id, mail_from, body_text, body_html
         from mail_outbox where id = $1",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::not_found(format!("Eine E-Mail {id} gibt es im Postausgang nicht.")))?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(session.clerk_id),
            action: "outbox_mail_read",
            antrag: r.antrag_nr.map(AntragNr::from_db),
            betrieb_id: None,
            details: serde_json::json!({ "outbox_id": id }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OutboxMail {
        entry: OutboxEntry {
            id: r.id,
            created_at: r.created_at,
            purpose: r.purpose,
            antrag_nr: r.antrag_nr,
            recipient: r.recipient,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            smtp_reply: r.smtp_reply,
            last_attempt_at: r.last_attempt_at,
            next_attempt_at: r.next_attempt_at,
            sent_at: r.sent_at,
        },
        message_id: r.message_id,
        mail_from: r.mail_from,
        body_text: r.body_text,
        body_html: r.body_html,
    })
}

/// Which mails `retry` requeues.
#[derive(Debug, Clone, Copy)]
pub enum RetryTarget {
    One(i64),
    /// Every failed mail whose code can still be used.
    AllFailed,
}

/// Queues failed mails again (or makes a deferred one due now), e.g. after IT fixed the mail
/// server or the Betrieb's address. Only mails whose code is still live: a code that was
/// superseded, used or has expired helps nobody — then a clerk resends a new one.
pub async fn retry(pool: &PgPool, session: &Session, target: RetryTarget) -> Result<Vec<i64>> {
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::ReadOutbox).await?;
    let (one, all) = match target {
        RetryTarget::One(id) => (Some(id), false),
        RetryTarget::AllFailed => (None, true),
    };
    let requeued = sqlx::query!(
        "update mail_outbox o
         set status = 'queued', attempts = 0, next_attempt_at = now(), last_error = null
         where (o.id = $1 or ($2 and o.status = 'failed'))
           and o.status in ('queued', 'failed')
           and exists (select 1 from confirmation_codes c join antraege a on a.nr = c.antrag_nr
                       where c.outbox_id = o.id and c.consumed_at is null and c.superseded_at is null
                         and c.expires_at > now() and a.status = 'awaiting_code')
         returning o.id, o.antrag_nr, o.recipient",
        one,
        all
    )
    .fetch_all(&mut *tx)
    .await?;
    if let (Some(id), true) = (one, requeued.is_empty()) {
        let status = sqlx::query_scalar!("select status from mail_outbox where id = $1", id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match status.as_deref() {
            None => Error::not_found(format!("Eine E-Mail {id} gibt es im Postausgang nicht.")),
            Some("sent") => Error::conflict(format!("Die E-Mail {id} ist bereits versendet.")),
            Some("cancelled") => Error::conflict(format!(
                "Die E-Mail {id} wurde verworfen, weil ihr Code ersetzt wurde. Senden Sie bei Bedarf einen neuen Code."
            )),
            Some(_) => Error::conflict(format!(
                "Der Code in der E-Mail {id} ist nicht mehr gültig (ersetzt, verwendet oder abgelaufen, \
                 oder der Antrag ist entschieden). Senden Sie stattdessen einen neuen Code."
            )),
        });
    }
    for r in &requeued {
        audit::record(
            &mut tx,
            Event {
                actor: Actor::Clerk(session.clerk_id),
                action: "outbox_mail_requeued",
                antrag: r.antrag_nr.map(AntragNr::from_db),
                betrieb_id: None,
                details: serde_json::json!({ "outbox_id": r.id, "recipient": r.recipient }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(requeued.into_iter().map(|r| r.id).collect())
}

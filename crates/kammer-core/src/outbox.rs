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
        && !["queued", "sent", "failed"].contains(&s.as_str())
    {
        return Err(Error::validation(format!(
            "Unbekannter Versandstatus „{s}“. Möglich sind: queued, sent, failed."
        )));
    }
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::ReadOutbox).await?;
    let rows = sqlx::query_as!(
        OutboxEntry,
        "select id, created_at, purpose, antrag_nr, recipient, subject, status, attempts, last_error, next_attempt_at, sent_at
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
        "select id, created_at, purpose, antrag_nr, recipient, subject, status, attempts, last_error, next_attempt_at,
                sent_at, message_id, mail_from, body_text, body_html
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
            next_attempt_at: r.next_attempt_at,
            sent_at: r.sent_at,
        },
        message_id: r.message_id,
        mail_from: r.mail_from,
        body_text: r.body_text,
        body_html: r.body_html,
    })
}

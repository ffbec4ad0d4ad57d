//! The mail outbox as IT sees it. No row holds a code any more (its plaintext is in a table
//! only the mail sender reads), so a mail is shown with the code masked.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Session;
use crate::domain::{AntragNr, Permission, Reason};
use crate::mail::{CodeMailFacts, code_mail_subject, compose_code_mail};
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
    pub cancel_reason: Option<String>,
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
    /// The text as sent (or to be sent), with the code masked to its prefix.
    pub body_text: String,
}

#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<String>,
    pub antrag: Option<AntragNr>,
    pub limit: i64,
}

struct OutboxRow {
    id: i64,
    created_at: DateTime<Utc>,
    purpose: String,
    antrag_nr: Option<i64>,
    recipient: String,
    status: String,
    cancel_reason: Option<String>,
    attempts: i32,
    last_error: Option<String>,
    smtp_reply: Option<String>,
    last_attempt_at: Option<DateTime<Utc>>,
    next_attempt_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    facts: serde_json::Value,
    message_id: String,
    mail_from: String,
    prefix: Option<String>,
}

impl OutboxRow {
    fn facts(&self) -> Result<CodeMailFacts> {
        serde_json::from_value(self.facts.clone()).map_err(Error::internal)
    }

    fn entry(&self) -> Result<OutboxEntry> {
        Ok(OutboxEntry {
            id: self.id,
            created_at: self.created_at,
            purpose: self.purpose.clone(),
            antrag_nr: self.antrag_nr,
            recipient: self.recipient.clone(),
            subject: code_mail_subject(&self.facts()?),
            status: self.status.clone(),
            cancel_reason: self.cancel_reason.clone(),
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            smtp_reply: self.smtp_reply.clone(),
            last_attempt_at: self.last_attempt_at,
            next_attempt_at: self.next_attempt_at,
            sent_at: self.sent_at,
        })
    }
}

macro_rules! outbox_query {
    ($where:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            OutboxRow,
            r#"select o.id, o.created_at, o.purpose, o.antrag_nr, o.recipient, o.status, o.cancel_reason,
                      o.attempts, o.last_error, o.smtp_reply, o.last_attempt_at, o.next_attempt_at, o.sent_at,
                      o.facts, o.message_id, o.mail_from,
                      (select c.prefix from confirmation_codes c where c.outbox_id = o.id limit 1) as prefix
               from mail_outbox o "# + $where,
            $($arg),*
        )
    };
}

pub async fn list(session: &Session, filter: &OutboxFilter) -> Result<Vec<OutboxEntry>> {
    if let Some(s) = &filter.status
        && !["queued", "sent", "failed", "cancelled"].contains(&s.as_str())
    {
        return Err(Error::validation(format!(
            "Unbekannter Versandstatus „{s}“. Möglich sind: queued, sent, failed, cancelled."
        )));
    }
    session.require(Permission::ReadOutbox)?;
    let rows = outbox_query!(
        "where ($1::text is null or o.status = $1) and ($2::bigint is null or o.antrag_nr = $2)
         order by o.id desc limit $3",
        filter.status,
        filter.antrag.map(AntragNr::get),
        filter.limit.clamp(1, 10_000)
    )
    .fetch_all(session.pool())
    .await?;
    rows.iter().map(OutboxRow::entry).collect()
}

pub async fn show(session: &Session, id: i64) -> Result<OutboxMail> {
    session.require(Permission::ReadOutbox)?;
    let r = outbox_query!("where o.id = $1", id)
        .fetch_optional(session.pool())
        .await?
        .ok_or_else(|| {
            Error::not_found(format!("Eine E-Mail {id} gibt es im Postausgang nicht."))
        })?;
    let masked = format!(
        "{}… (der vollständige Code steht nur in der versendeten E-Mail)",
        r.prefix.as_deref().unwrap_or("")
    );
    Ok(OutboxMail {
        entry: r.entry()?,
        message_id: r.message_id.clone(),
        mail_from: r.mail_from.clone(),
        body_text: compose_code_mail(&r.facts()?, &masked).text,
    })
}

/// Which mails `retry` requeues.
#[derive(Debug, Clone, Copy)]
pub enum RetryTarget {
    One(i64),
    /// Every failed mail whose code can still be used.
    AllFailed,
}

/// After IT fixed the mail server or an address: a mail waiting for its next attempt is made
/// due now, and a failed one gets a fresh code in a new mail (nobody received the old code,
/// and its plaintext is gone) while its Antrag still waits for one. Returns the ids of the
/// mails now queued.
pub async fn retry(session: &Session, target: RetryTarget, reason: &Reason) -> Result<Vec<i64>> {
    session.require(Permission::ReadOutbox)?;
    let one = match target {
        RetryTarget::One(id) => Some(id),
        RetryTarget::AllFailed => None,
    };
    let ids = sqlx::query_scalar!(
        r#"select id as "id!" from kammer_api.outbox_retry($1, $2) id"#,
        one,
        reason.as_str()
    )
    .fetch_all(session.pool())
    .await?;
    Ok(ids)
}

/// The mail sender as the desks see it: when a `kammerctl outbox run` last reported (its
/// heartbeat at every round, at least every poll interval) — „Postausgang zuletzt aktiv vor
/// 12 s“ in Über KammerDesk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SenderStatus {
    /// The machine the most recently active sender runs on.
    pub host: String,
    pub last_seen_at: DateTime<Utc>,
    /// Seconds since then, by the database's clock (the desk's may be off).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds_ago: i64,
}

impl SenderStatus {
    /// „Postausgang zuletzt aktiv vor 12 s“ (minutes and hours once it has been a while).
    pub fn label_de(&self) -> String {
        let s = self.seconds_ago.max(0);
        let ago = match s {
            0..120 => format!("{s} s"),
            120..7200 => format!("{} min", s / 60),
            _ => format!("{} h", s / 3600),
        };
        format!("Postausgang zuletzt aktiv vor {ago} ({})", self.host)
    }
}

/// The most recent heartbeat of any mail sender, or `None` when none has ever run (in the last
/// seven days: older heartbeats are deleted). Every clerk may read it.
pub async fn sender_status(session: &Session) -> Result<Option<SenderStatus>> {
    let row = sqlx::query!(
        r#"select host, last_seen_at,
                  extract(epoch from now() - last_seen_at)::bigint as "seconds_ago!"
             from mailer_heartbeats
            order by last_seen_at desc
            limit 1"#
    )
    .fetch_optional(session.pool())
    .await?;
    Ok(row.map(|r| SenderStatus {
        host: r.host,
        last_seen_at: r.last_seen_at,
        seconds_ago: r.seconds_ago,
    }))
}

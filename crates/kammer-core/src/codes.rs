//! Bestätigungs-Codes: issuing (with the mail queued in the same transaction), what the
//! hotline may see of them, checking a code a caller reads out, and resending.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::antraege::transition::{current_status, not_found};
use crate::audit::{self, Actor, Event};
use crate::auth::Session;
use crate::domain::{AntragNr, AntragStatus, ConfirmationCode, Permission, Reason, random_hex};
use crate::mail::{CodeMailFacts, compose_code_mail, format_de};
use crate::policy::{self, Policy};
use crate::{Error, Result};

pub(crate) struct IssuedCode {
    pub code_id: i64,
    pub outbox_id: i64,
    pub prefix: String,
    pub expires_at: DateTime<Utc>,
    pub sent_to: String,
}

/// Issues a fresh code for `nr`, supersedes the live one, and queues the mail to the
/// Betrieb's address on file — the address is read from the Betrieb here, never passed in,
/// so no caller can send a code anywhere else.
pub(crate) async fn issue(
    conn: &mut PgConnection,
    nr: AntragNr,
    policy: &Policy,
    issued_by: Option<i64>,
    reason: Option<&Reason>,
) -> Result<IssuedCode> {
    let facts = sqlx::query!(
        "/* hot:code_facts */ select b.betriebsnummer, b.firmenname, b.email as betrieb_email, acc.name as requester_name,
                acc.email as requester_email
         from antraege a join betriebe b on b.id = a.betrieb_id join accounts acc on acc.id = a.account_id
         where a.nr = $1",
        nr.get()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(nr))?;
    retire_live_code(conn, nr).await?;

    let code = ConfirmationCode::generate();
    let expires_at = Utc::now() + Duration::days(i64::from(policy.code_lifetime_days));
    let mail = compose_code_mail(
        &CodeMailFacts {
            antrag: nr,
            betriebsnummer: &facts.betriebsnummer,
            firmenname: &facts.firmenname,
            requester_name: &facts.requester_name,
            requester_email: &facts.requester_email,
            code: &code,
            valid_until: expires_at,
        },
        policy,
    );
    let domain = policy
        .mail_from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("kammerdesk.invalid");
    let message_id = format!("<antrag-{nr}.{}@{domain}>", random_hex(12));
    let outbox_id = sqlx::query_scalar!(
        "/* hot:outbox_insert */ insert into mail_outbox (purpose, antrag_nr, message_id, mail_from, recipient, subject, body_text, body_html)
         values ('confirmation_code', $1, $2, $3, $4, $5, $6, $7) returning id",
        nr.get(),
        message_id,
        policy.mail_from,
        facts.betrieb_email,
        mail.subject,
        mail.text,
        mail.html
    )
    .fetch_one(&mut *conn)
    .await?;
    let code_id = sqlx::query_scalar!(
        "/* hot:code_insert */ insert into confirmation_codes (antrag_nr, code_hash, prefix, sent_to, outbox_id, expires_at, issued_by, issue_reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        nr.get(),
        code.hash().0,
        code.prefix(),
        facts.betrieb_email,
        outbox_id,
        expires_at,
        issued_by,
        reason.map(Reason::as_str)
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(IssuedCode {
        code_id,
        outbox_id,
        prefix: code.prefix().to_string(),
        expires_at,
        sent_to: facts.betrieb_email,
    })
}

/// Makes the live code of `nr` unusable; called when a newer code replaces it or the
/// Antrag is decided by other means.
///
/// A mail of this Antrag that has not gone out yet is cancelled with it: its code is dead, and
/// a Betrieb that gets two codes at once cannot tell which one counts. The worker holds the
/// row while it sends, so this waits for a send in flight and then finds the mail sent.
pub(crate) async fn retire_live_code(conn: &mut PgConnection, nr: AntragNr) -> Result<()> {
    sqlx::query!(
        "/* hot:retire_outbox */ update mail_outbox
         set status = 'cancelled', body_text = kammer_redact_codes(body_text),
             body_html = kammer_redact_codes(body_html)
         where antrag_nr = $1 and status = 'queued'",
        nr.get()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "/* hot:retire_codes */ update confirmation_codes set superseded_at = now()
         where antrag_nr = $1 and consumed_at is null and superseded_at is null",
        nr.get()
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A code as the hotline may see it: everything but the code.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CodeInfo {
    pub id: i64,
    pub prefix: String,
    pub sent_to: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub consumed_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
    pub wrong_attempts: i32,
    pub state: CodeState,
    /// The state in the words the desk and the CLI show.
    pub state_label: String,
    pub issued_by: Option<String>,
    pub issue_reason: Option<String>,
    pub delivery: Option<Delivery>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CodeState {
    Valid,
    Locked,
    Expired,
    Consumed,
    Superseded,
    /// Made unusable because the Antrag was decided without it (approved by a clerk,
    /// withdrawn, rejected, expired): there is no newer code.
    Retired,
}

impl CodeState {
    pub fn label_de(self) -> &'static str {
        match self {
            CodeState::Valid => "gültig",
            CodeState::Locked => "gesperrt (zu viele Fehlversuche)",
            CodeState::Expired => "abgelaufen",
            CodeState::Consumed => "verwendet",
            CodeState::Superseded => "ersetzt durch einen neueren Code",
            CodeState::Retired => "ungültig, weil über den Antrag entschieden wurde",
        }
    }
}

/// What became of the code's mail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Delivery {
    pub outbox_id: i64,
    /// queued, sent, failed or cancelled.
    pub status: String,
    /// The status as the desk and the CLI show it, e.g. "versendet am 12.01.2024, 07:23 Uhr".
    pub label_de: String,
    pub attempts: i32,
    /// The mail server's refusal or why it could not be reached (last failed attempt).
    pub last_error: Option<String>,
    /// The server's reply to the last attempt ("250 … queued as …" once sent).
    pub smtp_reply: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}

impl Delivery {
    fn describe(
        status: &str,
        attempts: i32,
        sent_at: Option<DateTime<Utc>>,
        next: DateTime<Utc>,
    ) -> String {
        match (status, sent_at) {
            ("sent", Some(at)) => format!("versendet am {}", format_de(at)),
            ("queued", _) if attempts == 0 => "wartet auf Versand".to_string(),
            ("queued", _) => format!(
                "noch nicht zugestellt ({attempts} Versuch{}), nächster Versuch {}",
                if attempts == 1 { "" } else { "e" },
                format_de(next)
            ),
            (other, _) => delivery_status_label_de(other).to_string(),
        }
    }
}

/// A mail's status in a word or two, for lists and exports (which show the date apart).
pub fn delivery_status_label_de(status: &str) -> &'static str {
    match status {
        "queued" => "wartet auf Versand",
        "sent" => "versendet",
        "failed" => "Versand fehlgeschlagen",
        "cancelled" => "nicht versendet (Code vorher ersetzt)",
        _ => "unbekannt",
    }
}

pub async fn inspect(pool: &PgPool, session: &Session, nr: AntragNr) -> Result<Vec<CodeInfo>> {
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::Lookup).await?;
    if current_status(&mut conn, nr).await?.is_none() {
        return Err(not_found(nr));
    }
    codes_of(&mut conn, nr).await
}

/// All codes of an Antrag, newest first. Callers have authorised already.
pub(crate) async fn codes_of(conn: &mut PgConnection, nr: AntragNr) -> Result<Vec<CodeInfo>> {
    let policy = policy::current(conn).await?;
    let rows = sqlx::query!(
        r#"/* hot:codes_of */ select c.id, c.prefix, c.sent_to, c.issued_at, c.expires_at, c.consumed_at, c.superseded_at,
                  c.wrong_attempts, cl.display_name as "issued_by?", c.issue_reason,
                  o.id as "outbox_id?", o.status as "mail_status?", o.attempts as "mail_attempts?",
                  o.last_error as "mail_error?", o.smtp_reply as "mail_reply?", o.sent_at as "mail_sent_at?",
                  o.next_attempt_at as "mail_next?"
           from confirmation_codes c
           left join clerks cl on cl.id = c.issued_by
           left join mail_outbox o on o.id = c.outbox_id
           where c.antrag_nr = $1
           order by c.issued_at desc, c.id desc"#,
        nr.get()
    )
    .fetch_all(&mut *conn)
    .await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let state = match state_of(
                r.consumed_at,
                r.superseded_at,
                r.expires_at,
                r.wrong_attempts,
                &policy,
                now,
            ) {
                // Rows come newest first: the newest code cannot have been replaced.
                CodeState::Superseded if i == 0 => CodeState::Retired,
                state => state,
            };
            let delivery = match (r.outbox_id, r.mail_status, r.mail_attempts, r.mail_next) {
                (Some(outbox_id), Some(status), Some(attempts), Some(next_attempt_at)) => {
                    Some(Delivery {
                        outbox_id,
                        label_de: Delivery::describe(
                            &status,
                            attempts,
                            r.mail_sent_at,
                            next_attempt_at,
                        ),
                        status,
                        attempts,
                        last_error: r.mail_error,
                        smtp_reply: r.mail_reply,
                        sent_at: r.mail_sent_at,
                        next_attempt_at,
                    })
                }
                _ => None,
            };
            CodeInfo {
                id: r.id,
                prefix: r.prefix,
                sent_to: r.sent_to,
                issued_at: r.issued_at,
                expires_at: r.expires_at,
                consumed_at: r.consumed_at,
                superseded_at: r.superseded_at,
                wrong_attempts: r.wrong_attempts,
                state,
                state_label: state.label_de().to_owned(),
                issued_by: r.issued_by,
                issue_reason: r.issue_reason,
                delivery,
            }
        })
        .collect())
}

fn state_of(
    consumed_at: Option<DateTime<Utc>>,
    superseded_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    wrong_attempts: i32,
    policy: &Policy,
    now: DateTime<Utc>,
) -> CodeState {
    if consumed_at.is_some() {
        CodeState::Consumed
    } else if superseded_at.is_some() {
        CodeState::Superseded
    } else if expires_at <= now {
        CodeState::Expired
    } else if wrong_attempts >= policy.code_attempt_limit {
        CodeState::Locked
    } else {
        CodeState::Valid
    }
}

/// The answer to "is the code I have the right one?", without using it up or counting a
/// wrong attempt.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CodeCheck {
    pub verdict: CodeVerdict,
    /// A German sentence the hotline can read out.
    pub message: String,
    /// The prefix of the Antrag's live code, so the hotline can ask "does yours begin with …?".
    pub current_prefix: Option<String>,
    pub antrag_status: AntragStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CodeVerdict {
    Valid,
    Superseded,
    Expired,
    Locked,
    Consumed,
    Wrong,
}

pub async fn check(
    pool: &PgPool,
    session: &Session,
    nr: AntragNr,
    input: &str,
) -> Result<CodeCheck> {
    let code = ConfirmationCode::parse(input)?;
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::HandleCodes).await?;
    let antrag = sqlx::query!(
        "select status, betrieb_id from antraege where nr = $1",
        nr.get()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| not_found(nr))?;
    let antrag_status = AntragStatus::from_db(&antrag.status)?;
    let policy = policy::current(&mut tx).await?;
    let matched = sqlx::query!(
        "select consumed_at, superseded_at, expires_at, wrong_attempts from confirmation_codes
         where antrag_nr = $1 and code_hash = $2",
        nr.get(),
        code.hash().0
    )
    .fetch_optional(&mut *tx)
    .await?;
    let current_prefix = sqlx::query_scalar!(
        "select prefix from confirmation_codes where antrag_nr = $1 and consumed_at is null and superseded_at is null",
        nr.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (verdict, message) = match matched {
        None => (
            CodeVerdict::Wrong,
            match &current_prefix {
                Some(p) => format!("Dieser Code gehört nicht zu Antrag Nr. {nr}. Der gültige Code beginnt mit {p}."),
                None => format!("Dieser Code gehört nicht zu Antrag Nr. {nr}."),
            },
        ),
        Some(m) => match state_of(m.consumed_at, m.superseded_at, m.expires_at, m.wrong_attempts, &policy, Utc::now()) {
            CodeState::Valid => (
                CodeVerdict::Valid,
                format!("Der Code ist der aktuelle Code von Antrag Nr. {nr} und gültig bis {}.", format_de(m.expires_at)),
            ),
            CodeState::Superseded | CodeState::Retired if !antrag_status.is_open() => (
                CodeVerdict::Superseded,
                format!("Über Antrag Nr. {nr} ist bereits entschieden ({}); dieser Code gilt nicht mehr.", antrag_status.label_de()),
            ),
            CodeState::Superseded | CodeState::Retired => (
                CodeVerdict::Superseded,
                "Dieser Code wurde durch einen neueren ersetzt. Bitte den Code aus der neuesten E-Mail verwenden.".to_string(),
            ),
            CodeState::Expired => (
                CodeVerdict::Expired,
                format!("Dieser Code ist seit {} abgelaufen. Bitte einen neuen Code senden.", format_de(m.expires_at)),
            ),
            CodeState::Locked => (
                CodeVerdict::Locked,
                "Dieser Code ist nach zu vielen Fehlversuchen gesperrt. Bitte einen neuen Code senden.".to_string(),
            ),
            CodeState::Consumed => (CodeVerdict::Consumed, "Dieser Code wurde bereits verwendet.".to_string()),
        },
    };
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(session.clerk_id),
            action: "code_checked",
            antrag: Some(nr),
            betrieb_id: Some(antrag.betrieb_id),
            details: serde_json::json!({ "verdict": verdict }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CodeCheck {
        verdict,
        message,
        current_prefix,
        antrag_status,
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Resent {
    pub prefix: String,
    pub expires_at: DateTime<Utc>,
    pub sent_to: String,
    pub outbox_id: i64,
}

/// Sends a new code for an Antrag that waits for one. Cooldown and daily limit are the
/// chamber's policy; the old code stops working in the same transaction.
pub async fn resend(
    pool: &PgPool,
    session: &Session,
    nr: AntragNr,
    reason: &Reason,
) -> Result<Resent> {
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::HandleCodes).await?;
    let antrag = lock_awaiting_code(&mut tx, nr).await?;
    let policy = policy::current(&mut tx).await?;
    enforce_send_limits(&mut tx, nr, &policy).await?;
    let issued = issue(&mut tx, nr, &policy, Some(session.clerk_id), Some(reason)).await?;
    record_resent(
        &mut tx,
        Actor::Clerk(session.clerk_id),
        nr,
        antrag,
        reason,
        &issued,
    )
    .await?;
    tx.commit().await?;
    Ok(Resent {
        prefix: issued.prefix,
        expires_at: issued.expires_at,
        sent_to: issued.sent_to,
        outbox_id: issued.outbox_id,
    })
}

/// The audit event of a resend, the same whether a clerk or the requester asked for it.
pub(crate) async fn record_resent(
    conn: &mut PgConnection,
    actor: Actor,
    nr: AntragNr,
    betrieb_id: i64,
    reason: &Reason,
    issued: &IssuedCode,
) -> Result<()> {
    audit::record(
        conn,
        Event {
            actor,
            action: "code_resent",
            antrag: Some(nr),
            betrieb_id: Some(betrieb_id),
            details: serde_json::json!({
                "reason": reason.as_str(), "prefix": issued.prefix, "sent_to": issued.sent_to,
                "code_id": issued.code_id, "outbox_id": issued.outbox_id,
            }),
        },
    )
    .await
}

/// Locks the Antrag row so that resends and code submissions on it run one after the other,
/// and checks that it still waits for a code. Returns the Betrieb id.
pub(crate) async fn lock_awaiting_code(conn: &mut PgConnection, nr: AntragNr) -> Result<i64> {
    let row = sqlx::query!(
        "/* hot:lock_awaiting_code */ select status, betrieb_id from antraege where nr = $1 for update",
        nr.get()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(nr))?;
    let status = AntragStatus::from_db(&row.status)?;
    if status != AntragStatus::AwaitingCode {
        return Err(Error::conflict(format!(
            "Antrag Nr. {nr} wartet nicht mehr auf einen Bestätigungs-Code (Status „{}“).",
            status.label_de()
        )));
    }
    Ok(row.betrieb_id)
}

/// The codes sent for an Antrag recently: what the cooldown and the daily limit look at.
struct SendWindow {
    last: Option<DateTime<Utc>>,
    /// Sends within the last 24 hours, and the oldest of them.
    last_day: i64,
    oldest_in_day: Option<DateTime<Utc>>,
}

impl SendWindow {
    async fn load(conn: &mut PgConnection, nr: AntragNr) -> Result<Self> {
        let row = sqlx::query!(
            r#"/* hot:send_window */ select max(issued_at) as last,
                      count(*) filter (where issued_at > now() - interval '24 hours') as "last_day!",
                      min(issued_at) filter (where issued_at > now() - interval '24 hours') as oldest_in_day
               from confirmation_codes where antrag_nr = $1"#,
            nr.get()
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok(SendWindow {
            last: row.last,
            last_day: row.last_day,
            oldest_in_day: row.oldest_in_day,
        })
    }

    fn cooldown_ends(&self, policy: &Policy) -> Option<DateTime<Utc>> {
        self.last
            .map(|last| last + Duration::seconds(i64::from(policy.resend_cooldown_seconds)))
    }

    fn day_limit_ends(&self, policy: &Policy) -> Option<DateTime<Utc>> {
        (self.last_day >= i64::from(policy.sends_per_day))
            .then(|| {
                self.oldest_in_day
                    .map(|oldest| oldest + Duration::hours(24))
            })
            .flatten()
    }

    /// When the next code may go out, if not now.
    fn next_send_at(&self, policy: &Policy, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        [self.cooldown_ends(policy), self.day_limit_ends(policy)]
            .into_iter()
            .flatten()
            .filter(|at| *at > now)
            .max()
    }
}

async fn enforce_send_limits(conn: &mut PgConnection, nr: AntragNr, policy: &Policy) -> Result<()> {
    let window = SendWindow::load(conn, nr).await?;
    let now = Utc::now();
    if let Some(ends) = window.cooldown_ends(policy).filter(|at| *at > now) {
        return Err(Error::validation(format!(
            "Für Antrag Nr. {nr} wurde eben erst ein Code gesendet. Ein neuer Code kann in {} Sekunden gesendet werden.",
            (ends - now).num_seconds().max(1)
        )));
    }
    if window.day_limit_ends(policy).is_some() {
        return Err(Error::validation(format!(
            "Für Antrag Nr. {nr} wurden in den letzten 24 Stunden bereits {} Codes gesendet – mehr lässt die Richtlinie der Kammer nicht zu.",
            window.last_day
        )));
    }
    Ok(())
}

/// When a clerk may send the next code for `nr`: `None` when that is possible now.
pub(crate) async fn next_send_at(
    conn: &mut PgConnection,
    nr: AntragNr,
) -> Result<Option<DateTime<Utc>>> {
    let policy = policy::current(conn).await?;
    let window = SendWindow::load(conn, nr).await?;
    Ok(window.next_send_at(&policy, Utc::now()))
}

//! Bestätigungs-Codes as the desk sees them: what the hotline may know of each (everything
//! but the code), checking a code a caller reads out, and resending. Codes are born in the
//! database (`kammer_internal.issue_code`): no desk ever holds one, and only the mail sender
//! reads the plaintext, until the mail is out.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Result;
use crate::antraege::transition::not_found;
use crate::auth::{ClerkConnection, Session};
use crate::domain::{AntragNr, AntragStatus, ConfirmationCode, Permission, Reason};
use crate::mail::format_de;
use crate::policy::{self, Policy};

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
    /// Why the code was made unusable before it was used: superseded, decided, expired or
    /// address_changed (the Betrieb's e-mail address changed in the Handwerksrolle).
    pub retire_reason: Option<String>,
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

const ADDRESS_CHANGED_LABEL: &str =
    "ungültig, weil sich die E-Mail-Adresse in der Handwerksrolle geändert hat";

/// „E-Mail-Adresse in der Handwerksrolle geändert am …: neuer Code nötig“ — for an Antrag
/// waiting for its code whose newest code went to an address the Handwerksrolle no longer has.
pub fn address_changed_notice(codes: &[CodeInfo]) -> Option<String> {
    let newest = codes.first()?;
    if newest.retire_reason.as_deref() != Some("address_changed") {
        return None;
    }
    let at = newest.superseded_at?;
    Some(format!(
        "E-Mail-Adresse in der Handwerksrolle geändert am {}: neuer Code nötig.",
        at.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%d.%m.%Y")
    ))
}

/// What became of the code's mail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Delivery {
    pub outbox_id: i64,
    /// queued, sent, failed or cancelled.
    pub status: String,
    /// Why a cancelled mail was not sent: superseded, decided, expired, address_changed.
    pub cancel_reason: Option<String>,
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
        cancel_reason: Option<&str>,
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
            (other, _) => delivery_status_label_de(other, cancel_reason).to_string(),
        }
    }
}

/// A mail's status in a word or two, for lists and exports (which show the date apart). A
/// cancelled mail says why it was not sent.
pub fn delivery_status_label_de(status: &str, cancel_reason: Option<&str>) -> &'static str {
    match (status, cancel_reason) {
        ("queued", _) => "wartet auf Versand",
        ("sent", _) => "versendet",
        ("failed", _) => "Versand fehlgeschlagen",
        ("cancelled", Some("decided")) => "nicht versendet (Antrag vorher entschieden)",
        ("cancelled", Some("expired")) => "nicht versendet (Antrag abgelaufen)",
        ("cancelled", Some("address_changed")) => {
            "nicht versendet (E-Mail-Adresse in der Handwerksrolle geändert)"
        }
        ("cancelled", Some("superseded")) => "nicht versendet (Code vorher ersetzt)",
        // Rows cancelled before the reason was recorded: nothing more is known.
        ("cancelled", _) => "nicht versendet",
        _ => "unbekannt",
    }
}

pub async fn inspect(session: &Session, nr: AntragNr) -> Result<Vec<CodeInfo>> {
    let mut conn = session.connection().await?;
    let exists = sqlx::query_scalar!(
        r#"select exists(select 1 from antraege where nr = $1) as "e!""#,
        nr.get()
    )
    .fetch_one(&mut conn)
    .await?;
    if !exists {
        return Err(not_found(nr));
    }
    codes_of(&mut conn, nr).await
}

/// All codes of an Antrag, newest first. Callers have authorised already.
pub(crate) async fn codes_of(conn: &mut ClerkConnection, nr: AntragNr) -> Result<Vec<CodeInfo>> {
    let policy = policy::current(&mut *conn).await?;
    let rows = sqlx::query!(
        r#"/* hot:codes_of */ select c.id, c.prefix, c.sent_to, c.issued_at, c.expires_at, c.consumed_at, c.superseded_at,
                  c.wrong_attempts, cl.display_name as "issued_by?", c.issue_reason, c.retire_reason,
                  o.id as "outbox_id?", o.status as "mail_status?", o.cancel_reason as "mail_cancel_reason?",
                  o.attempts as "mail_attempts?",
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
                            r.mail_cancel_reason.as_deref(),
                            attempts,
                            r.mail_sent_at,
                            next_attempt_at,
                        ),
                        status,
                        cancel_reason: r.mail_cancel_reason,
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
                state_label: match (state, r.retire_reason.as_deref()) {
                    (CodeState::Superseded | CodeState::Retired, Some("address_changed")) => {
                        ADDRESS_CHANGED_LABEL.to_owned()
                    }
                    _ => state.label_de().to_owned(),
                },
                issued_by: r.issued_by,
                issue_reason: r.issue_reason,
                retire_reason: r.retire_reason,
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

impl CodeVerdict {
    pub const ALL: [CodeVerdict; 6] = [
        CodeVerdict::Valid,
        CodeVerdict::Superseded,
        CodeVerdict::Expired,
        CodeVerdict::Locked,
        CodeVerdict::Consumed,
        CodeVerdict::Wrong,
    ];

    /// The verdict in a word, as the audit log's „Ergebnis“ shows it.
    pub fn label_de(self) -> &'static str {
        match self {
            CodeVerdict::Valid => "gültig",
            CodeVerdict::Superseded => "nicht mehr aktuell",
            CodeVerdict::Expired => "abgelaufen",
            CodeVerdict::Locked => "gesperrt",
            CodeVerdict::Consumed => "bereits verwendet",
            CodeVerdict::Wrong => "falsch",
        }
    }
}

pub async fn check(session: &Session, nr: AntragNr, input: &str) -> Result<CodeCheck> {
    let code = ConfirmationCode::parse(input)?;
    session.require(Permission::HandleCodes)?;
    let row = sqlx::query!(
        r#"select verdict as "verdict!", current_prefix, antrag_status as "antrag_status!", expires_at
           from kammer_api.code_check($1, $2)"#,
        nr.get(),
        code.hash().0
    )
    .fetch_one(&mut session.connection().await?)
    .await?;
    let antrag_status = AntragStatus::from_db(&row.antrag_status)?;
    let current_prefix = row.current_prefix;
    let until = || row.expires_at.map(format_de).unwrap_or_default();
    let (verdict, message) = match row.verdict.as_str() {
        "valid" => (
            CodeVerdict::Valid,
            format!("Der Code ist der aktuelle Code von Antrag Nr. {nr} und gültig bis {}.", until()),
        ),
        "superseded" if !antrag_status.is_open() => (
            CodeVerdict::Superseded,
            format!("Über Antrag Nr. {nr} ist bereits entschieden ({}); dieser Code gilt nicht mehr.", antrag_status.label_de()),
        ),
        "superseded" => (
            CodeVerdict::Superseded,
            "Dieser Code wurde durch einen neueren ersetzt. Bitte den Code aus der neuesten E-Mail verwenden.".to_string(),
        ),
        "expired" => (
            CodeVerdict::Expired,
            format!("Dieser Code ist seit {} abgelaufen. Bitte einen neuen Code senden.", until()),
        ),
        "locked" => (
            CodeVerdict::Locked,
            "Dieser Code ist nach zu vielen Fehlversuchen gesperrt. Bitte einen neuen Code senden.".to_string(),
        ),
        "consumed" => (CodeVerdict::Consumed, "Dieser Code wurde bereits verwendet.".to_string()),
        _ => (
            CodeVerdict::Wrong,
            match &current_prefix {
                Some(p) => format!("Dieser Code gehört nicht zu Antrag Nr. {nr}. Der gültige Code beginnt mit {p}."),
                None => format!("Dieser Code gehört nicht zu Antrag Nr. {nr}."),
            },
        ),
    };
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
pub async fn resend(session: &Session, nr: AntragNr, reason: &Reason) -> Result<Resent> {
    session.require(Permission::HandleCodes)?;
    let row = sqlx::query!(
        r#"/* hot:resend */ select prefix as "prefix!", expires_at as "expires_at!", sent_to as "sent_to!",
                  outbox_id as "outbox_id!"
           from kammer_api.code_resend($1, $2)"#,
        nr.get(),
        reason.as_str()
    )
    .fetch_one(&mut session.connection().await?)
    .await?;
    Ok(Resent {
        prefix: row.prefix,
        expires_at: row.expires_at,
        sent_to: row.sent_to,
        outbox_id: row.outbox_id,
    })
}

/// When a clerk may send the next code for `nr`: `None` when that is possible now. The
/// rule lives in the database (`kammer_internal.send_window`), where resends are refused.
pub(crate) async fn next_send_at(session: &Session, nr: AntragNr) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar!("select kammer_api.next_send_at($1)", nr.get())
            .fetch_one(&mut session.connection().await?)
            .await?,
    )
}

//! Antrag Nr. 178 of the portal's how-to: its first mail of 12.01.2024 as the outbox's first
//! row, and its current code issued now, through the database like every code, so the mail
//! with the code waits for the mail sender.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::accounts::JUSTUS_ID;
use super::{TEST_ANTRAG_NR, TEST_BETRIEBSNUMMER};
use crate::domain::random_hex;
use crate::mail::CodeMailFacts;
use crate::{Error, Result};

pub(super) async fn finish(
    tx: &mut PgConnection,
    t178: DateTime<Utc>,
    test_betrieb_id: i64,
    had_first_code: bool,
) -> Result<()> {
    let justus_id = JUSTUS_ID;
    let policy = crate::policy::current(&mut *tx).await?;
    if had_first_code {
        let expires = t178 + Duration::days(i64::from(policy.code_lifetime_days));
        let facts = CodeMailFacts {
            antrag_nr: TEST_ANTRAG_NR,
            betriebsnummer: TEST_BETRIEBSNUMMER.to_string(),
            firmenname: "Testbetrieb".to_string(),
            requester_name: "Justus Krämer".to_string(),
            requester_email: "justus.kraemer@example.org".to_string(),
            valid_until: expires,
            chamber_name: policy.chamber_name.clone(),
            hotline_phone: policy.hotline_phone.clone(),
            portal_url: policy.portal_url.clone(),
        };
        let domain = policy
            .mail_from
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("kammerdesk.invalid");
        let outbox_id: i64 = sqlx::query_scalar(
            "insert into mail_outbox (created_at, purpose, antrag_nr, message_id, mail_from, recipient, facts,
                                      status, attempts, next_attempt_at, sent_at, last_attempt_at, smtp_reply)
             values ($1, 'confirmation_code', $2, $3, $4, 'info@testbetrieb.example', $5,
                     'sent', 1, $1, $1 + interval '4 seconds', $1 + interval '4 seconds',
                     '250 2.0.0 Ok: queued as 4TzJ1b0c2Hz')
             returning id",
        )
        .bind(t178)
        .bind(TEST_ANTRAG_NR)
        .bind(format!("<antrag-{TEST_ANTRAG_NR}.{}@{domain}>", random_hex(12)))
        .bind(&policy.mail_from)
        .bind(serde_json::to_value(&facts).map_err(Error::internal)?)
        .fetch_one(&mut *tx)
        .await?;
        if outbox_id != 1 {
            return Err(Error::internal(format!(
                "demo seed: first mail of Antrag 178 got outbox id {outbox_id}, expected 1"
            )));
        }
        sqlx::query("update confirmation_codes set outbox_id = $1, expires_at = $2 where id = $3")
            .bind(outbox_id)
            .bind(expires)
            .bind(TEST_ANTRAG_NR)
            .execute(&mut *tx)
            .await?;
    }
    // The requester asked for the form again ("erneute Formularanforderung"): the current
    // code is issued now, by the database like every code, and waits for the mail sender.
    let reason = "erneute Formularanforderung";
    let issued: (i64, i64, String) = sqlx::query_as(
        "select o_code_id, o_outbox_id, o_prefix from kammer_internal.issue_code($1, null, $2)",
    )
    .bind(TEST_ANTRAG_NR)
    .bind(reason)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into audit_events (actor_kind, account_id, action, antrag_nr, betrieb_id, details)
         values ('account', $1, 'code_resent', $2, $3, $4)",
    )
    .bind(justus_id)
    .bind(TEST_ANTRAG_NR)
    .bind(test_betrieb_id)
    .bind(serde_json::json!({
        "reason": reason, "prefix": issued.2, "sent_to": "info@testbetrieb.example",
        "code_id": issued.0, "outbox_id": issued.1,
    }))
    .execute(&mut *tx)
    .await?;
    sqlx::query("update antraege set updated_at = now() where nr = $1")
        .bind(TEST_ANTRAG_NR)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

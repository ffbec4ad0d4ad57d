//! Expiring Anträge whose code was never used in time. A system job: it applies the
//! chamber's policy and needs no clerk, so cron can run `kammerctl expire` without a password.

use sqlx::PgPool;

use crate::Result;
use crate::audit;

/// Expires every Antrag that waits for a code whose live code has expired, in one
/// transaction: the status, the retired code, an audit event per Antrag, one notification.
/// Returns the numbers of the expired Anträge. It waits for row locks rather than skipping
/// them, so an Antrag that is overdue when the job starts is never left behind.
pub async fn expire_overdue(pool: &PgPool) -> Result<Vec<i64>> {
    let mut tx = pool.begin().await?;
    let expired = sqlx::query_scalar!(
        r#"with due as (
               select a.nr from antraege a
               join confirmation_codes c on c.antrag_nr = a.nr and c.consumed_at is null and c.superseded_at is null
               where a.status = 'awaiting_code' and c.expires_at <= now()
               for update of a
           ), moved as (
               update antraege a set status = 'expired', decided_at = now(), updated_at = now()
               from due where a.nr = due.nr and a.status = 'awaiting_code'
               returning a.nr, a.betrieb_id
           ), retired as (
               update confirmation_codes c set superseded_at = now()
               from moved where c.antrag_nr = moved.nr and c.consumed_at is null and c.superseded_at is null
           ), cancelled as (
               update mail_outbox o set status = 'cancelled', body_text = kammer_redact_codes(o.body_text),
                      body_html = kammer_redact_codes(o.body_html)
               from moved where o.antrag_nr = moved.nr and o.status = 'queued'
           ), logged as (
               insert into audit_events (actor_kind, action, antrag_nr, betrieb_id, details)
               select 'system', 'expired', nr, betrieb_id, '{"reason": "code_not_used_in_time"}'::jsonb from moved
           )
           select nr as "nr!" from moved order by nr"#
    )
    .fetch_all(&mut *tx)
    .await?;
    if !expired.is_empty() {
        audit::notify(&mut tx, "expired", None, None).await?;
    }
    tx.commit().await?;
    Ok(expired)
}

//! Expiring Anträge whose code was never used in time. A system job of the reporting service
//! (`kammerctl expire` from cron, as a login of the group `kammer_reporting`): it applies the
//! chamber's policy and needs no clerk.

use sqlx::PgPool;

use crate::Result;

/// Expires every Antrag that waits for a code whose live code has expired, in one
/// transaction, each through the one transition (`kammer_api.expire_overdue`): the status, the
/// retired code, an audit event per Antrag, one notification. Returns the numbers of the
/// expired Anträge. It waits for row locks rather than skipping them, so an Antrag that is
/// overdue when the job starts is never left behind.
pub async fn expire_overdue(reporting: &PgPool) -> Result<Vec<i64>> {
    let expired = sqlx::query_scalar!(r#"select nr as "nr!" from kammer_api.expire_overdue() nr"#)
        .fetch_all(reporting)
        .await?;
    Ok(expired)
}

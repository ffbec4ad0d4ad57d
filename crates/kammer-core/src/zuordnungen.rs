//! Zuordnungen: the link between a portal account and a Betrieb that an approved Antrag creates
//! (in the database, `kammer_internal.complete_approval`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Result;
use crate::auth::{ClerkConnection, Session};
use crate::domain::{Permission, Reason};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Zuordnung {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub account_email: String,
    pub betrieb_id: i64,
    pub antrag_nr: Option<i64>,
    pub since: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

/// Zuordnungen of a Betrieb, active ones first. Callers have authorised already.
pub(crate) async fn of_betrieb(
    conn: &mut ClerkConnection,
    betrieb_id: i64,
) -> Result<Vec<Zuordnung>> {
    let rows = sqlx::query_as!(
        Zuordnung,
        r#"select z.id, z.account_id, a.name as account_name, a.email as account_email, z.betrieb_id,
                  z.antrag_nr, z.since, z.revoked_at, c.display_name as "revoked_by?", z.revoke_reason
           from zuordnungen z
           join accounts a on a.id = z.account_id
           left join clerks c on c.id = z.revoked_by
           where z.betrieb_id = $1
           order by (z.revoked_at is null) desc, z.since desc"#,
        betrieb_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// Ends a Zuordnung, e.g. when the employee has left the Betrieb.
pub async fn revoke(session: &Session, zuordnung_id: i64, reason: &Reason) -> Result<()> {
    session.require(Permission::RevokeZuordnung)?;
    sqlx::query!(
        "select kammer_api.zuordnung_revoke($1, $2)",
        zuordnung_id,
        reason.as_str()
    )
    .execute(session.pool())
    .await?;
    Ok(())
}

//! Zuordnungen: the link between a portal account and a Betrieb that an approved Antrag creates.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::audit::{self, Actor, Event};
use crate::auth::Session;
use crate::domain::{AntragNr, Permission, Reason};
use crate::{Error, Result};

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

pub(crate) async fn create(
    conn: &mut PgConnection,
    account_id: i64,
    betrieb_id: i64,
    nr: AntragNr,
) -> Result<i64> {
    sqlx::query_scalar!(
        "/* hot:zuordnung_create */ insert into zuordnungen (account_id, betrieb_id, antrag_nr) values ($1, $2, $3)
         on conflict (account_id, betrieb_id) where revoked_at is null do nothing
         returning id",
        account_id,
        betrieb_id,
        nr.get()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::conflict("Dieser Account ist dem Betrieb bereits zugeordnet."))
}

/// Zuordnungen of a Betrieb, active ones first. Callers have authorised already.
pub(crate) async fn of_betrieb(conn: &mut PgConnection, betrieb_id: i64) -> Result<Vec<Zuordnung>> {
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
pub async fn revoke(
    pool: &PgPool,
    session: &Session,
    zuordnung_id: i64,
    reason: &Reason,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    session
        .authorize(&mut tx, Permission::RevokeZuordnung)
        .await?;
    let revoked = sqlx::query!(
        "update zuordnungen set revoked_at = now(), revoked_by = $2, revoke_reason = $3
         where id = $1 and revoked_at is null
         returning betrieb_id, account_id, antrag_nr",
        zuordnung_id,
        session.clerk_id,
        reason.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(revoked) = revoked else {
        let exists = sqlx::query_scalar!(
            "select revoked_at from zuordnungen where id = $1",
            zuordnung_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        return Err(match exists {
            Some(_) => Error::conflict(format!(
                "Die Zuordnung {zuordnung_id} ist bereits aufgehoben."
            )),
            None => Error::not_found(format!("Eine Zuordnung {zuordnung_id} gibt es nicht.")),
        });
    };
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(session.clerk_id),
            action: "zuordnung_revoked",
            antrag: revoked.antrag_nr.map(AntragNr::from_db),
            betrieb_id: Some(revoked.betrieb_id),
            details: serde_json::json!({
                "zuordnung_id": zuordnung_id, "account_id": revoked.account_id, "reason": reason.as_str()
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

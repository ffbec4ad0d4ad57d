//! The one place an Antrag changes status. The expected state is part of the `UPDATE`'s
//! `WHERE`, so of two clerks acting at once exactly one moves the row; the other gets a
//! typed conflict naming the state the Antrag is in now.

use sqlx::PgConnection;

use crate::domain::{AntragNr, AntragStatus, Reason};
use crate::{Error, Result};

pub(crate) struct Transitioned {
    pub betrieb_id: i64,
    pub account_id: i64,
    pub from: AntragStatus,
}

pub(crate) struct Decision<'a> {
    pub by_clerk: Option<i64>,
    pub reason: Option<&'a Reason>,
}

pub(crate) async fn transition(
    conn: &mut PgConnection,
    nr: AntragNr,
    from: &[AntragStatus],
    to: AntragStatus,
    decision: Decision<'_>,
) -> Result<Transitioned> {
    let from_names: Vec<String> = from.iter().map(|s| s.as_str().to_string()).collect();
    let decided = !to.is_open();
    let row = sqlx::query!(
        r#"/* hot:transition */ with old as (
               select nr, status from antraege where nr = $1 and status = any($2::text[]) for update
           )
           update antraege a set
               status = $3,
               updated_at = now(),
               decided_at = case when $4 then now() else a.decided_at end,
               decided_by = case when $4 then $5 else a.decided_by end,
               decision_reason = case when $4 then $6 else a.decision_reason end
           from old
           where a.nr = old.nr
           returning a.betrieb_id, a.account_id, old.status as "from!""#,
        nr.get(),
        &from_names,
        to.as_str(),
        decided,
        decision.by_clerk,
        decision.reason.map(Reason::as_str)
    )
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(Transitioned {
            betrieb_id: r.betrieb_id,
            account_id: r.account_id,
            from: AntragStatus::from_db(&r.from)?,
        }),
        None => Err(refusal(conn, nr).await),
    }
}

/// Why a transition found no row: the Antrag does not exist, or it is in another state now.
pub(crate) async fn refusal(conn: &mut PgConnection, nr: AntragNr) -> Error {
    match current_status(conn, nr).await {
        Ok(Some(status)) => Error::conflict(format!(
            "Antrag Nr. {nr} hat inzwischen den Status „{}“. Die Aktion wurde nicht ausgeführt; bitte laden Sie den Antrag neu.",
            status.label_de()
        )),
        Ok(None) => not_found(nr),
        Err(e) => e,
    }
}

pub(crate) async fn current_status(
    conn: &mut PgConnection,
    nr: AntragNr,
) -> Result<Option<AntragStatus>> {
    let status = sqlx::query_scalar!("select status from antraege where nr = $1", nr.get())
        .fetch_optional(&mut *conn)
        .await?;
    status.as_deref().map(AntragStatus::from_db).transpose()
}

pub(crate) fn not_found(nr: AntragNr) -> Error {
    Error::not_found(format!("Einen Antrag Nr. {nr} gibt es nicht."))
}

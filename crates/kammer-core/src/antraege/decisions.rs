//! What a clerk decides about an Antrag: approve, reject, withdraw on the requester's behalf.
//! Each is one call of a `kammer_api` function, which checks the clerk's group, moves the
//! Antrag through the one transition, retires its code, writes the audit event and notifies.

use serde::Serialize;

use crate::Result;
use crate::auth::Session;
use crate::domain::{AntragNr, Permission, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOutcome {
    /// Approved: the Zuordnung exists.
    Approved,
    /// Approval without the code asked for; a second Sachbearbeitung clerk confirms it.
    AwaitingSecond,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Approved {
    pub nr: AntragNr,
    pub outcome: ApprovalOutcome,
    pub zuordnung_id: Option<i64>,
}

/// Approves an Antrag. From "In Bearbeitung" a reason is optional. From "Freigabeschlüssel
/// notwendig" — approving without the code — it is required, and unless the chamber's policy
/// says otherwise the first clerk's approval waits for a second one (four eyes).
pub async fn approve(session: &Session, nr: AntragNr, reason: Option<&Reason>) -> Result<Approved> {
    session.require(Permission::Approve)?;
    let row = sqlx::query!(
        r#"/* hot:approve */ select outcome as "outcome!", zuordnung_id from kammer_api.antrag_approve($1, $2)"#,
        nr.get(),
        reason.map(Reason::as_str)
    )
    .fetch_one(&mut session.connection().await?)
    .await?;
    let outcome = match row.outcome.as_str() {
        "awaiting_second" => ApprovalOutcome::AwaitingSecond,
        _ => ApprovalOutcome::Approved,
    };
    Ok(Approved {
        nr,
        outcome,
        zuordnung_id: row.zuordnung_id,
    })
}

pub async fn reject(session: &Session, nr: AntragNr, reason: &Reason) -> Result<()> {
    session.require(Permission::Reject)?;
    sqlx::query!(
        "select kammer_api.antrag_reject($1, $2)",
        nr.get(),
        reason.as_str()
    )
    .execute(&mut session.connection().await?)
    .await?;
    Ok(())
}

/// "Ich habe keinen Bestätigungs-Code und möchte den Antrag zurückziehen", said on the phone.
pub async fn withdraw(session: &Session, nr: AntragNr, reason: &Reason) -> Result<()> {
    session.require(Permission::WithdrawOnBehalf)?;
    sqlx::query!(
        "select kammer_api.antrag_withdraw($1, $2)",
        nr.get(),
        reason.as_str()
    )
    .execute(&mut session.connection().await?)
    .await?;
    Ok(())
}

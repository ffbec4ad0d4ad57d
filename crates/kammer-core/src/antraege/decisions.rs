//! What a clerk decides about an Antrag: approve, reject, withdraw on the requester's behalf.

use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::transition::{Decision, Transitioned, current_status, transition};
use crate::audit::{self, Actor, Event};
use crate::auth::Session;
use crate::codes::retire_live_code;
use crate::domain::{AntragNr, AntragStatus, Permission, Reason};
use crate::zuordnungen;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Approved {
    pub nr: AntragNr,
    pub zuordnung_id: i64,
}

/// Approves an Antrag. From "In Bearbeitung" a reason is optional; from
/// "Freigabeschlüssel notwendig" — approving without the code — it is required.
pub async fn approve(
    pool: &PgPool,
    session: &Session,
    nr: AntragNr,
    reason: Option<&Reason>,
) -> Result<Approved> {
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::Approve).await?;
    let from: &[AntragStatus] = if reason.is_some() {
        &[AntragStatus::InReview, AntragStatus::AwaitingCode]
    } else {
        &[AntragStatus::InReview]
    };
    let moved = match transition(
        &mut tx,
        nr,
        from,
        AntragStatus::Approved,
        Decision {
            by_clerk: Some(session.clerk_id),
            reason,
        },
    )
    .await
    {
        Ok(moved) => moved,
        Err(e)
            if reason.is_none()
                && current_status(&mut tx, nr).await? == Some(AntragStatus::AwaitingCode) =>
        {
            tracing::debug!("approve without reason refused: {e}");
            return Err(Error::validation(format!(
                "Antrag Nr. {nr} wartet noch auf den Bestätigungs-Code. Ohne Code kann die Zuordnung nur mit Begründung bestätigt werden (z. B. „telefonisch bestätigt“)."
            )));
        }
        Err(e) => return Err(e),
    };
    let zuordnung_id =
        complete_approval(&mut tx, nr, &moved, Actor::Clerk(session.clerk_id), reason).await?;
    tx.commit().await?;
    Ok(Approved { nr, zuordnung_id })
}

/// The part of an approval shared by a clerk's decision and the portal's auto-approval:
/// the live code is retired, the Zuordnung created and the event written.
pub(crate) async fn complete_approval(
    conn: &mut PgConnection,
    nr: AntragNr,
    moved: &Transitioned,
    actor: Actor,
    reason: Option<&Reason>,
) -> Result<i64> {
    retire_live_code(conn, nr).await?;
    let zuordnung_id = zuordnungen::create(conn, moved.account_id, moved.betrieb_id, nr).await?;
    audit::record(
        conn,
        Event {
            actor,
            action: "approved",
            antrag: Some(nr),
            betrieb_id: Some(moved.betrieb_id),
            details: serde_json::json!({
                "from": moved.from.as_str(),
                "reason": reason.map(Reason::as_str),
                "without_code": moved.from == AntragStatus::AwaitingCode,
                "zuordnung_id": zuordnung_id,
            }),
        },
    )
    .await?;
    Ok(zuordnung_id)
}

pub async fn reject(pool: &PgPool, session: &Session, nr: AntragNr, reason: &Reason) -> Result<()> {
    close(
        pool,
        session,
        nr,
        reason,
        Permission::Reject,
        AntragStatus::Rejected,
        "rejected",
    )
    .await
}

/// "Ich habe keinen Bestätigungs-Code und möchte den Antrag zurückziehen", said on the phone.
pub async fn withdraw(
    pool: &PgPool,
    session: &Session,
    nr: AntragNr,
    reason: &Reason,
) -> Result<()> {
    close(
        pool,
        session,
        nr,
        reason,
        Permission::WithdrawOnBehalf,
        AntragStatus::Withdrawn,
        "withdrawn",
    )
    .await
}

async fn close(
    pool: &PgPool,
    session: &Session,
    nr: AntragNr,
    reason: &Reason,
    permission: Permission,
    to: AntragStatus,
    action: &str,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, permission).await?;
    let moved = transition(
        &mut tx,
        nr,
        &[AntragStatus::AwaitingCode, AntragStatus::InReview],
        to,
        Decision {
            by_clerk: Some(session.clerk_id),
            reason: Some(reason),
        },
    )
    .await?;
    retire_live_code(&mut tx, nr).await?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(session.clerk_id),
            action,
            antrag: Some(nr),
            betrieb_id: Some(moved.betrieb_id),
            details: serde_json::json!({ "from": moved.from.as_str(), "reason": reason.as_str() }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

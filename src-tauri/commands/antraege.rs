//! The queue, one Antrag, and the clerk's decisions on it.

use kammer_core::antraege::{self, AntragPage, AntragView, Approved, Cursor};
use kammer_core::domain::{AntragStatus, Reason};
use serde::Serialize;
use tauri::State;

use super::{CommandResult, antrag_nr, signed_in};
use crate::session::SessionState;

/// The queue's filter as the screen holds it; parsed in the core, like `kammerctl`'s.
pub use kammer_core::antraege::AntragQuery;

/// One tab of the queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatusCount {
    pub status: AntragStatus,
    pub label: String,
    pub count: i64,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_antraege(
    session: State<'_, SessionState>,
    query: AntragQuery,
    after: Option<String>,
    limit: i64,
) -> CommandResult<AntragPage> {
    let session = signed_in(&session).await?;
    let after = after.as_deref().map(Cursor::parse).transpose()?;
    Ok(antraege::list(&session, &query.to_filter()?, after.as_ref(), limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn count_antraege(
    session: State<'_, SessionState>,
    query: AntragQuery,
) -> CommandResult<Vec<StatusCount>> {
    let session = signed_in(&session).await?;
    let counts = antraege::count_by_status(&session, &query.to_filter()?).await?;
    Ok(counts
        .into_iter()
        .map(|(status, count)| StatusCount {
            status,
            label: status.label_de().to_owned(),
            count,
        })
        .collect())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn show_antrag(session: State<'_, SessionState>, nr: i64) -> CommandResult<AntragView> {
    let session = signed_in(&session).await?;
    Ok(antraege::view(&session, antrag_nr(nr)?).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn approve_antrag(
    session: State<'_, SessionState>,
    nr: i64,
    reason: Option<String>,
) -> CommandResult<Approved> {
    let session = signed_in(&session).await?;
    let reason = Reason::parse_optional(reason.as_deref())?;
    Ok(antraege::approve(&session, antrag_nr(nr)?, reason.as_ref()).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw_antrag(
    session: State<'_, SessionState>,
    nr: i64,
    reason: String,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    Ok(antraege::withdraw(&session, antrag_nr(nr)?, &super::reason(&reason)?).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reject_antrag(
    session: State<'_, SessionState>,
    nr: i64,
    reason: String,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    Ok(antraege::reject(&session, antrag_nr(nr)?, &super::reason(&reason)?).await?)
}

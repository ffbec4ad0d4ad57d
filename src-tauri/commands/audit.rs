//! The Protokoll.

use kammer_core::audit::{self, AuditEntry, AuditQuery};
use tauri::State;

use super::{CommandResult, signed_in};
use crate::session::SessionState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_audit(
    session: State<'_, SessionState>,
    query: AuditQuery,
) -> CommandResult<Vec<AuditEntry>> {
    let session = signed_in(&session).await?;
    let filter = query.to_filter(&session).await?;
    Ok(audit::list(&session, &filter).await?)
}

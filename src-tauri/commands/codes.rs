//! The hotline's code actions: check what a caller reads out, send a new code.

use kammer_core::codes::{self, CodeCheck, Resent};
use tauri::State;

use super::{CommandResult, antrag_nr, signed_in};
use crate::session::SessionState;

#[tauri::command(rename_all = "snake_case")]
pub async fn check_code(
    session: State<'_, SessionState>,
    nr: i64,
    code: String,
) -> CommandResult<CodeCheck> {
    let session = signed_in(&session).await?;
    Ok(codes::check(&session, antrag_nr(nr)?, &code).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn resend_code(
    session: State<'_, SessionState>,
    nr: i64,
    reason: String,
) -> CommandResult<Resent> {
    let session = signed_in(&session).await?;
    Ok(codes::resend(&session, antrag_nr(nr)?, &super::reason(&reason)?).await?)
}

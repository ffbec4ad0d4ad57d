//! The hotline's code actions: check what a caller reads out, send a new code.

use kammer_core::codes::{self, CodeCheck, Resent};
use tauri::State;

use super::{CommandResult, antrag_nr, body, signed_in};
use crate::database::Database;
use crate::session::SessionState;

#[tauri::command(rename_all = "snake_case")]
pub async fn check_code(
    database: State<'_, Database>,
    session: State<'_, SessionState>,
    nr: i64,
    code: String,
) -> CommandResult<CodeCheck> {
    let (pool, session) = signed_in(&database, &session).await?;
    codes::check(&pool, &session, antrag_nr(nr)?, &code)
        .await
        .map_err(body)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn resend_code(
    database: State<'_, Database>,
    session: State<'_, SessionState>,
    nr: i64,
    reason: String,
) -> CommandResult<Resent> {
    let (pool, session) = signed_in(&database, &session).await?;
    codes::resend(&pool, &session, antrag_nr(nr)?, &super::reason(&reason)?)
        .await
        .map_err(body)
}

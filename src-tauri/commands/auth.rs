//! Signing a clerk in and out of this desk.

use kammer_core::auth::{self, Password};
use tauri::State;

use super::{CommandResult, body};
use crate::database::Database;
use crate::session::{SessionState, SignedIn};

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    database: State<'_, Database>,
    session: State<'_, SessionState>,
    username: String,
    password: String,
) -> CommandResult<SignedIn> {
    let pool = database.pool().await.map_err(body)?;
    let signed_in = auth::sign_in(&pool, &username, &Password::attempt(&password))
        .await
        .map_err(body)?;
    tracing::info!(clerk = %signed_in.username, "signed in");
    let view = SignedIn::from(&signed_in);
    session.set(Some(signed_in)).await;
    Ok(view)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(session: State<'_, SessionState>) -> CommandResult<()> {
    session.set(None).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn current_clerk(session: State<'_, SessionState>) -> CommandResult<Option<SignedIn>> {
    Ok(session.current().await.as_ref().map(SignedIn::from))
}

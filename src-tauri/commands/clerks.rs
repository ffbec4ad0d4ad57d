//! „Zugänge“: the administration's screen for the clerks' logins. Each command is one call of
//! a `kammer_api.clerk_*` function through the administrator's own session; the database
//! checks that it is an administrator.

use kammer_core::auth::Password;
use kammer_core::clerks::{self, ClerkInfo, NewClerk};
use kammer_core::domain::Role;
use tauri::State;

use super::{CommandResult, signed_in};
use crate::session::SessionState;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_clerks(session: State<'_, SessionState>) -> CommandResult<Vec<ClerkInfo>> {
    let session = signed_in(&session).await?;
    Ok(clerks::list(&session).await?)
}

/// `password` none: the chamber's directory checks the password (LDAP).
#[tauri::command(rename_all = "snake_case")]
pub async fn add_clerk(
    session: State<'_, SessionState>,
    username: String,
    display_name: String,
    role: Role,
    password: Option<String>,
) -> CommandResult<i64> {
    let session = signed_in(&session).await?;
    let password = password
        .filter(|p| !p.is_empty())
        .map(|p| Password::new_checked(&p))
        .transpose()?;
    Ok(clerks::add(
        &session,
        &NewClerk {
            username: &username,
            display_name: &display_name,
            role,
            password: password.as_ref(),
        },
    )
    .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_clerk_role(
    session: State<'_, SessionState>,
    username: String,
    role: Role,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    Ok(clerks::set_role(&session, &username, role).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disable_clerk(
    session: State<'_, SessionState>,
    username: String,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    Ok(clerks::disable(&session, &username).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn enable_clerk(session: State<'_, SessionState>, username: String) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    Ok(clerks::enable(&session, &username).await?)
}

/// A new password: the clerk's own, or (administration) anyone's, which ends their sessions.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_clerk_password(
    session: State<'_, SessionState>,
    username: String,
    password: String,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    let password = Password::new_checked(&password)?;
    Ok(clerks::set_password(&session, &username, &password).await?)
}

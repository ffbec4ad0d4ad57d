//! Signing a clerk in and out of this desk. Signing in is connecting with the clerk's own
//! PostgreSQL login; the password is stored (in the keychain) only when the clerk asks.

use kammer_core::auth::{self, Password};
use kammer_core::db;
use kammer_core::error::ErrorBody;
use tauri::{AppHandle, Manager, Runtime, State};

use super::CommandResult;
use crate::database::Database;
use crate::listener;
use crate::secrets::{self, Secrets};
use crate::session::{SessionState, SignedIn};
use crate::settings::Pinned;

/// `password` empty and a password stored for this login on this server: the stored one is
/// used. `remember`: store the password that worked; otherwise any stored one is forgotten.
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    database: State<'_, Database>,
    session: State<'_, SessionState>,
    secrets: State<'_, Secrets>,
    username: String,
    password: String,
    remember: bool,
) -> CommandResult<SignedIn> {
    let (username, account) = keychain_account(&database, &username)?;
    let stored = if password.is_empty() {
        secrets.get(&account)
    } else {
        None
    };
    let password = stored.clone().unwrap_or(password);
    // Named „KammerDesk <version> (<login>)“ in pg_stat_activity, with a statement timeout.
    let options = db::desk_options(database.options()?, db::DESK_STATEMENT_TIMEOUT);
    let signed_in = auth::sign_in(&options, &username, &Password::attempt(&password))
        .await
        .map_err(|e| {
            if stored.is_some() {
                // A stored password that no longer works is worth nothing: ask next time.
                secrets.forget(&account);
            }
            ErrorBody::from(e)
        })?;
    if remember {
        secrets.set(&account, &password);
    } else {
        secrets.forget(&account);
    }
    tracing::info!(clerk = %signed_in.username, "signed in");
    let idle = app.state::<Pinned>().0.idle_sign_out();
    let chamber = kammer_core::policy::show(&signed_in).await?.chamber_name;
    let view = SignedIn::new(&signed_in, idle, chamber);
    let changes = listener::start(app, signed_in.pool().clone());
    session.begin(signed_in, changes, view.clone()).await;
    Ok(view)
}

/// Whether a password for `username` on this server is stored (the sign-in then needs none).
#[tauri::command(rename_all = "snake_case")]
pub async fn stored_password(
    database: State<'_, Database>,
    secrets: State<'_, Secrets>,
    username: String,
) -> CommandResult<bool> {
    let (_, account) = keychain_account(&database, &username)?;
    Ok(secrets.get(&account).is_some())
}

/// The login as typed, normalised as the sign-in normalises it, and its keychain entry on the
/// configured server. Both commands name the entry here, so „stored_password“ always asks
/// about the entry that sign-in reads and writes.
fn keychain_account(database: &Database, username: &str) -> CommandResult<(String, String)> {
    let username = username.trim().to_lowercase();
    let server = database.server()?;
    let account = secrets::account(&username, &server.host, server.port, &server.database);
    Ok((username, account))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(session: State<'_, SessionState>) -> CommandResult<()> {
    session.end().await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn current_clerk(session: State<'_, SessionState>) -> CommandResult<Option<SignedIn>> {
    Ok(session.signed_in().await)
}

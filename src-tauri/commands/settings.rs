//! The settings screen: where the database is. Anyone may look; only a signed-in
//! administrator may change it, and not what IT pinned (desk.toml, `KAMMERDESK_DB_…`,
//! `KAMMERDESK_DATABASE_URL`): before sign-in nothing can be saved at all.

use kammer_core::error::ErrorBody;
use kammer_core::{Error, ErrorKind};
use tauri::{AppHandle, Runtime, State};

use super::{CommandResult, signed_in};
use crate::database::Database;
use crate::secrets::{self, Secrets};
use crate::session::SessionState;
use crate::settings::{self, DeskSettings, Pinned};

#[tauri::command(rename_all = "snake_case")]
pub async fn load_settings<R: Runtime>(app: AppHandle<R>) -> CommandResult<DeskSettings> {
    Ok(settings::load(&app))
}

/// Saves, then signs the next clerks in at the database as now configured.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    database: State<'_, Database>,
    session: State<'_, SessionState>,
    secrets: State<'_, Secrets>,
    pinned: State<'_, Pinned>,
    settings: DeskSettings,
) -> CommandResult<DeskSettings> {
    let clerk = signed_in(&session).await?;
    // The role as the database sees it now: an administrator demoted (or disabled) a minute
    // ago may no longer repoint this desk.
    if !settings::may_change(clerk.current_role().await?) {
        tracing::warn!(clerk = %clerk.username, "settings change refused: not the administration");
        return Err(ErrorBody::from(Error::new(
            ErrorKind::Forbidden,
            "Die Verbindung zur Datenbank ändert nur die Administration.",
        )));
    }
    if crate::database::url_from_env().is_some() {
        return Err(ErrorBody::from(Error::new(
            ErrorKind::Forbidden,
            "Die Verbindung ist von der IT festgelegt (KAMMERDESK_DATABASE_URL) und kann hier nicht geändert werden.",
        )));
    }
    let saved = settings::save(&app, &settings)?;
    let target = pinned.connect_options(&saved.database)?;
    // Passwords stored for the previous server are forgotten (they were never offered to
    // another server: the keychain entries are named by server).
    secrets.forget_other_servers(&secrets::server_suffix(
        target.get_host(),
        target.get_port(),
        target.get_database().unwrap_or("postgres"),
    ));
    database.retarget(target);
    Ok(saved)
}

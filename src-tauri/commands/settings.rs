//! The settings screen: database and mail server.

use tauri::{AppHandle, Runtime, State};

use super::{CommandResult, body};
use crate::database::{Database, Target};
use crate::secrets::{Secret, Secrets};
use crate::settings::{self, DeskSettings};

#[tauri::command(rename_all = "snake_case")]
pub async fn load_settings<R: Runtime>(app: AppHandle<R>) -> CommandResult<DeskSettings> {
    Ok(settings::load(&app))
}

/// Saves, then points the desk at the database as now configured; the caller reconnects.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    database: State<'_, Database>,
    secrets: State<'_, Secrets>,
    settings: DeskSettings,
    database_password: Option<String>,
    smtp_password: Option<String>,
) -> CommandResult<DeskSettings> {
    let saved = settings::save(
        &app,
        &settings,
        database_password.as_deref(),
        smtp_password.as_deref(),
    )
    .map_err(body)?;
    if crate::database::url_from_env().is_none() {
        let password = secrets.get(Secret::Database);
        database.retarget(Target::Settings(Box::new(
            saved.database.connect_options(password.as_deref()),
        )));
    }
    crate::mail_worker::settings_changed(&app);
    Ok(saved)
}

//! The KammerDesk desktop shell. It owns the window, the signed-in clerk's database session
//! and its change listener, and the IPC commands; every business rule lives in `kammer_core`
//! and, where it counts, in the database, so commands stay thin. The desk holds no database
//! credential of its own and sends no mail.
//!
//! The web view is locked down twice: the CSP in tauri.conf.json lets it load only its own
//! bundled files and talk only to the IPC endpoint, and `capabilities/` grants it only the
//! commands listed there (see build.rs). The production CSP has no `'unsafe-inline'` for
//! styles, so Svelte components must not use static `style="…"` attributes; `style:`
//! directives and component `<style>` blocks work.

#[macro_use]
mod command_list;
#[cfg(test)]
mod bindings;
#[cfg(test)]
mod command_contract;
mod commands;
mod database;
mod file_dialog;
mod listener;
mod logging;
mod secrets;
mod session;
mod settings;

use tauri::{Builder, Context, Manager, Runtime};

pub use database::url_from_env;
use database::{DEMO_DATABASE_URL, Database};

/// The router: every command of the one list, at `commands::<module>::<name>`.
macro_rules! command_handler {
    ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ($($arg:ident : $ty:ty),*) -> $result:ty;)*) => {
        tauri::generate_handler![$(commands::$module::$name),*]
    };
}

/// Every command of the desk, as the web view names them (for the capability tests).
pub const COMMANDS: &[&str] = with_commands!(command_names);

/// Opens the window at once and connects to the database in the background, so a clerk
/// sees a window (and, if need be, a clear error) even when the database is down.
pub fn run() {
    let context = context();
    logging::init(logging::folder_for(&context.config().identifier));
    // First, so that a second start hands over to the running desk before it opens anything.
    let builder = Builder::default().plugin(tauri_plugin_single_instance::init(|app, _, _| {
        tracing::info!("KammerDesk started a second time: bringing the running window forward");
        focus_main_window(app);
    }));
    desk(builder, url_from_env())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .run(context)
        .expect("KammerDesk could not start its window");
}

/// Brings the desk's window to the front: un-minimised, shown and focused.
fn focus_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.webview_windows().values().next() {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The app without its runtime, so tests can drive the real commands and capabilities
/// on Tauri's mock runtime. The database server is `database_url` when given (the
/// environment), else the one saved in the settings, else the local demo database.
pub fn desk<R: Runtime>(builder: Builder<R>, database_url: Option<String>) -> Builder<R> {
    let builder = builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .manage(secrets::Secrets::default())
        .manage(settings::Pinned::load())
        .manage(session::SessionState::default())
        .manage(commands::export::RunningExport::default())
        .manage(commands::handwerksrolle::RunningImport::default());
    // An address from the environment needs nothing of the app (this is also the path of
    // the mock-runtime tests, which never run the setup hook).
    let builder = match database_url {
        Some(url) => builder.manage(Database::from_url(&url)),
        None => builder,
    };
    builder
        .setup(|app| {
            if app.try_state::<Database>().is_none() {
                app.manage(stored_target(app.handle()));
            }
            Ok(())
        })
        .invoke_handler(with_commands!(command_handler))
}

/// The database saved in the settings with what IT pinned over it (desk.toml, the
/// environment), else the local demo database.
fn stored_target<R: Runtime>(app: &tauri::AppHandle<R>) -> Database {
    let pinned = app.state::<settings::Pinned>();
    if !settings::database_configured(app) && !pinned.0.pins_database() {
        return Database::from_url(DEMO_DATABASE_URL);
    }
    match pinned.connect_options(&settings::load(app).database) {
        Ok(target) => Database::new(target),
        Err(e) => Database::unusable(e),
    }
}

/// tauri.conf.json, the icons, the front end and the resolved capabilities, embedded.
pub fn context<R: Runtime>() -> Context<R> {
    tauri::generate_context!()
}

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

#[cfg(test)]
mod bindings;
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
        .invoke_handler(tauri::generate_handler![
            commands::connection::connection_info,
            commands::about::about,
            commands::auth::sign_in,
            commands::auth::stored_password,
            commands::auth::sign_out,
            commands::auth::current_clerk,
            commands::clerks::list_clerks,
            commands::clerks::add_clerk,
            commands::clerks::set_clerk_role,
            commands::clerks::disable_clerk,
            commands::clerks::enable_clerk,
            commands::clerks::set_clerk_password,
            commands::betriebe::search_betriebe,
            commands::betriebe::show_betrieb,
            commands::betriebe::revoke_zuordnung,
            commands::antraege::list_antraege,
            commands::antraege::count_antraege,
            commands::antraege::show_antrag,
            commands::antraege::approve_antrag,
            commands::antraege::withdraw_antrag,
            commands::antraege::reject_antrag,
            commands::codes::check_code,
            commands::codes::resend_code,
            commands::audit::list_audit,
            commands::settings::load_settings,
            commands::settings::save_settings,
            commands::export::export_antraege,
            commands::export::cancel_export,
            commands::export::monthly_report,
            commands::export::export_report,
            commands::handwerksrolle::handwerksrolle_choose_file,
            commands::handwerksrolle::handwerksrolle_preview,
            commands::handwerksrolle::handwerksrolle_apply,
            commands::handwerksrolle::handwerksrolle_imports,
            commands::handwerksrolle::handwerksrolle_review,
        ])
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

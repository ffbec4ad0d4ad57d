//! The KammerDesk desktop shell. It owns the window, the database pool and the IPC commands;
//! every business rule lives in `kammer_core`, so commands stay thin.
//!
//! The web view is locked down twice: the CSP in tauri.conf.json lets it load only its own
//! bundled files and talk only to the IPC endpoint, and `capabilities/` grants it only the
//! commands listed there (see build.rs). The production CSP has no `'unsafe-inline'` for
//! styles, so Svelte components must not use static `style="…"` attributes; `style:`
//! directives and component `<style>` blocks work.

mod commands;
mod database;
mod logging;

use tauri::{Builder, Context, Runtime};

pub use database::url_from_env;

/// Opens the window at once and connects to the database in the background, so a clerk
/// sees a window (and, if need be, a clear error) even when the database is down.
pub fn run() {
    logging::init();
    desk(Builder::default(), url_from_env())
        .run(context())
        .expect("KammerDesk could not start its window");
}

/// The app without its runtime, so tests can drive the real commands and capabilities
/// on Tauri's mock runtime.
pub fn desk<R: Runtime>(builder: Builder<R>, database_url: String) -> Builder<R> {
    builder
        .manage(database::Database::connect_in_background(database_url))
        .invoke_handler(tauri::generate_handler![
            commands::connection::connection_info,
            commands::connection::reconnect,
        ])
}

/// tauri.conf.json, the icons, the front end and the resolved capabilities, embedded.
pub fn context<R: Runtime>() -> Context<R> {
    tauri::generate_context!()
}

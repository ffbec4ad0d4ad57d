//! The save dialog for exports, shown by Rust (`rfd`), so the web view needs no file-system
//! permission. The last folder is remembered in the settings store.
//! `KAMMERDESK_EXPORT_DIR` skips the dialog and saves there under the suggested name: for IT
//! scripting a desk, and for the end-to-end tests, which cannot click in a native dialog.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::settings::STORE_FILE;

const LAST_FOLDER: &str = "export_folder";

/// Asks where to save `suggested_name`; `None` when the clerk cancels the dialog.
pub async fn ask<R: Runtime>(app: &AppHandle<R>, suggested_name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KAMMERDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(suggested_name));
    }
    let store = app.store(STORE_FILE).ok();
    let last = store
        .as_ref()
        .and_then(|s| s.get(LAST_FOLDER))
        .and_then(|v| v.as_str().map(PathBuf::from))
        .filter(|p| p.is_dir());
    let (tx, rx) = tokio::sync::oneshot::channel();
    let name = suggested_name.to_owned();
    // GTK dialogs must run on the main thread; the command itself runs on tokio.
    let shown = app.run_on_main_thread(move || {
        let mut dialog = rfd::FileDialog::new()
            .set_title("Export speichern")
            .set_file_name(&name)
            .add_filter("CSV-Datei", &["csv"]);
        if let Some(dir) = last {
            dialog = dialog.set_directory(dir);
        }
        let _ = tx.send(dialog.save_file());
    });
    if let Err(e) = shown {
        tracing::error!("save dialog not shown: {e}");
        return None;
    }
    let chosen = rx.await.ok().flatten()?;
    if let (Some(store), Some(dir)) = (store, chosen.parent()) {
        store.set(LAST_FOLDER, dir.to_string_lossy().into_owned());
        if let Err(e) = store.save() {
            tracing::warn!("export folder not remembered: {e}");
        }
    }
    Some(chosen)
}

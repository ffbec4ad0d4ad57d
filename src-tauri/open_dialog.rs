//! The open dialog for the Handwerksrolle's export, shown by Rust (`rfd`), so the web view
//! needs no file-system permission; it starts in the folder of the last file chosen.
//! `KAMMERDESK_IMPORT_FILE` skips the dialog and returns that file: for the end-to-end tests,
//! which cannot click in a native dialog.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::settings::STORE_FILE;

const LAST_FOLDER: &str = "import_folder";

/// Asks which export to load; `None` when the clerk cancels the dialog.
pub async fn ask<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("KAMMERDESK_IMPORT_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    let store = app.store(STORE_FILE).ok();
    let last = store
        .as_ref()
        .and_then(|s| s.get(LAST_FOLDER))
        .and_then(|v| v.as_str().map(PathBuf::from))
        .filter(|p| p.is_dir());
    let (tx, rx) = tokio::sync::oneshot::channel();
    // GTK dialogs must run on the main thread; the command itself runs on tokio.
    let shown = app.run_on_main_thread(move || {
        let mut dialog = rfd::FileDialog::new()
            .set_title("Export der Handwerksrolle öffnen")
            .add_filter("CSV-Datei", &["csv", "CSV", "txt", "TXT"]);
        if let Some(dir) = last {
            dialog = dialog.set_directory(dir);
        }
        let _ = tx.send(dialog.pick_file());
    });
    if let Err(e) = shown {
        tracing::error!("open dialog not shown: {e}");
        return None;
    }
    let chosen = rx.await.ok().flatten()?;
    if let (Some(store), Some(dir)) = (store, chosen.parent()) {
        store.set(LAST_FOLDER, dir.to_string_lossy().into_owned());
        if let Err(e) = store.save() {
            tracing::warn!("import folder not remembered: {e}");
        }
    }
    Some(chosen)
}

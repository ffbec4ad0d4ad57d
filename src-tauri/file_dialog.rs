//! The desk's two file dialogs, shown by Rust (`rfd`) so the web view needs no file-system
//! permission: where to save an export, and which export of the Handwerksrolle to load. Each
//! starts in the folder last used for it (kept in the settings store). For IT scripting a
//! desk, and for the end-to-end tests, which cannot click in a native dialog, an environment
//! variable skips each: `KAMMERDESK_EXPORT_DIR` saves there under the suggested name,
//! `KAMMERDESK_IMPORT_FILE` is the file to load.

use std::path::PathBuf;

use rfd::FileDialog;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::settings::STORE_FILE;

/// Asks where to save `suggested_name`; `None` when the clerk cancels the dialog.
pub async fn save_export<R: Runtime>(app: &AppHandle<R>, suggested_name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KAMMERDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(suggested_name));
    }
    let name = suggested_name.to_owned();
    show(app, "export_folder", move |dialog| {
        dialog
            .set_title("Export speichern")
            .set_file_name(&name)
            .add_filter("CSV-Datei", &["csv"])
            .save_file()
    })
    .await
}

/// Asks which export of the Handwerksrolle to load; `None` when the clerk cancels.
pub async fn open_handwerksrolle<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("KAMMERDESK_IMPORT_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    show(app, "import_folder", |dialog| {
        dialog
            .set_title("Export der Handwerksrolle öffnen")
            .add_filter("CSV-Datei", &["csv", "CSV", "txt", "TXT"])
            .pick_file()
    })
    .await
}

/// Shows the dialog `ask` builds, starting in the folder remembered under `folder_key`, and
/// remembers the chosen file's folder there.
async fn show<R: Runtime>(
    app: &AppHandle<R>,
    folder_key: &'static str,
    ask: impl FnOnce(FileDialog) -> Option<PathBuf> + Send + 'static,
) -> Option<PathBuf> {
    let store = app.store(STORE_FILE).ok();
    let last = store
        .as_ref()
        .and_then(|s| s.get(folder_key))
        .and_then(|v| v.as_str().map(PathBuf::from))
        .filter(|p| p.is_dir());
    let (tx, rx) = tokio::sync::oneshot::channel();
    // GTK dialogs must run on the main thread; the commands themselves run on tokio.
    let shown = app.run_on_main_thread(move || {
        let mut dialog = FileDialog::new();
        if let Some(dir) = last {
            dialog = dialog.set_directory(dir);
        }
        let _ = tx.send(ask(dialog));
    });
    if let Err(e) = shown {
        tracing::error!("file dialog not shown: {e}");
        return None;
    }
    let chosen = rx.await.ok().flatten()?;
    if let (Some(store), Some(dir)) = (store, chosen.parent()) {
        store.set(folder_key, dir.to_string_lossy().into_owned());
        if let Err(e) = store.save() {
            tracing::warn!("{folder_key} not remembered: {e}");
        }
    }
    Some(chosen)
}

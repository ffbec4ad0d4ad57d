//! The desk's log: a file per day in the platform's log folder (the one Tauri calls the app
//! log dir), the last [`KEPT_FILES`] days kept, and the same lines on stderr for a developer's
//! terminal. A Windows release build has no console, so the file is what IT collects when the
//! hotline calls:
//!
//! - Windows: `%LOCALAPPDATA%\de.handwerkskammer.kammerdesk\logs\kammerdesk.YYYY-MM-DD.log`
//! - macOS: `~/Library/Logs/de.handwerkskammer.kammerdesk/`
//! - Linux: `~/.local/share/de.handwerkskammer.kammerdesk/logs/` (`$XDG_DATA_HOME`)
//!
//! `KAMMERDESK_LOG_DIR` puts it elsewhere (the end-to-end tests). Filtered by `RUST_LOG` like
//! `kammerctl`. What is logged never holds a code, a password or a mail's text: the desk never
//! sees a code, passwords stay in `kammer_core::auth::Password` (whose Debug is masked), and
//! lettre is built without its SMTP-transcript tracing (kammer-core's Cargo.toml).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// Without `RUST_LOG`: the app's own info messages and warnings from everything else.
const DEFAULT_FILTER: &str = "warn,kammerdesk=info,kammerdesk_lib=info,kammer_core=info";

/// Days of log files kept; older ones are deleted at rotation. At INFO a desk writes a few
/// kilobytes a day, so this bounds the folder to well under a megabyte in normal use.
pub const KEPT_FILES: usize = 14;

const FILE_PREFIX: &str = "kammerdesk";
const FILE_SUFFIX: &str = "log";

static FOLDER: OnceLock<PathBuf> = OnceLock::new();

/// Where the desk writes its log for the app `identifier`: the same folder as Tauri's
/// `app_log_dir()` (checked in a test), or `KAMMERDESK_LOG_DIR`.
pub fn folder_for(identifier: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KAMMERDESK_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    #[cfg(target_os = "macos")]
    let dir = dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier));
    #[cfg(not(target_os = "macos"))]
    let dir = dirs::data_local_dir().map(|data| data.join(identifier).join("logs"));
    dir
}

/// The folder the log is written to, once [`init`] has opened it.
pub fn folder() -> Option<&'static Path> {
    FOLDER.get().map(PathBuf::as_path)
}

fn appender(dir: &Path) -> Result<RollingFileAppender, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEPT_FILES)
        .build(dir)
        .map_err(|e| e.to_string())
}

/// Logs to the daily file in `dir` (when it can be opened) and to stderr.
pub fn init(dir: Option<PathBuf>) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let file = dir.as_deref().map(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    // A second init (e.g. from a test harness) is harmless; keep the first subscriber.
    let opened = match file {
        Some(Ok(file)) => subscriber
            .with_writer(file.and(std::io::stderr))
            .try_init()
            .is_ok(),
        _ => {
            let _ = subscriber.with_writer(std::io::stderr).try_init();
            false
        }
    };
    match (dir, opened) {
        (Some(dir), true) => {
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                "KammerDesk started, logging to {}",
                dir.display()
            );
            let _ = FOLDER.set(dir);
        }
        (Some(dir), false) => {
            tracing::warn!("no log file: folder {} not writable", dir.display())
        }
        (None, _) => tracing::warn!("no log file: the platform has no log folder"),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_folder_is_tauris_app_log_dir() {
        use tauri::Manager;
        if std::env::var_os("KAMMERDESK_LOG_DIR").is_some() {
            return;
        }
        let app = tauri::test::mock_builder()
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap();
        let identifier = app.config().identifier.clone();
        assert_eq!(
            folder_for(&identifier),
            Some(app.path().app_log_dir().unwrap())
        );
    }

    #[test]
    fn the_log_file_is_named_by_day_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = appender(&dir.path().join("logs")).unwrap();
        writeln!(file, "eine Zeile").unwrap();
        file.flush().unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path().join("logs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let today = chrono::Utc::now().format("%Y-%m-%d");
        assert_eq!(names, [format!("kammerdesk.{today}.log")]);
    }
}

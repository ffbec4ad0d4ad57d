//! „Handwerksrolle“: the Administration loads the chamber's export of the Handwerksrolle from
//! the desk, first as a dry run („Prüfen“, which lists every change), then for real
//! („Übernehmen“). Both run the same `kammer_core::handwerksrolle::import` as
//! `kammerctl handwerksrolle import`, through the administrator's own session; the database
//! checks again that they may, re-validates every line and records the file's SHA-256.
//! „Übernehmen“ names the SHA-256 „Prüfen“ saw: a file changed in between is refused, so
//! what is applied is what the Administration looked at.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use kammer_core::Error;
use kammer_core::domain::Permission;
use kammer_core::error::ErrorBody;
use kammer_core::handwerksrolle::{
    self, Change, DEFAULT_MAX_REMOVED_PERCENT, HandwerksrolleFile, ImportOptions, ImportRecord,
    ImportReport, Mapping, Mode, Progress, ReviewItem,
};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime, State};

use super::{CommandResult, signed_in};
use crate::file_dialog;
use crate::session::SessionState;

pub const PROGRESS_EVENT: &str = "handwerksrolle-progress";

/// The most changes a preview carries to the web view: a full snapshot of a million Betriebe
/// can change tens of thousands, and a table that long helps nobody (kammerctl lists all).
pub const MAX_PREVIEW_CHANGES: usize = 2000;

/// A mapping file (TOML) with the chamber's own column names, for every import from this
/// desk; without it the default column names of docs/handwerksrolle.md apply.
const MAPPING_ENV: &str = "KAMMERDESK_HANDWERKSROLLE_MAPPING";

/// What the Administration chooses in the desk; the rest is kammerctl's default.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct HandwerksrolleOptions {
    pub mode: Mode,
    pub skip_invalid: bool,
    /// „Trotzdem übernehmen“: apply a full snapshot that removes more than allowed.
    pub force: bool,
}

impl HandwerksrolleOptions {
    fn for_core(&self, dry_run: bool) -> ImportOptions {
        ImportOptions {
            mode: self.mode,
            skip_invalid: self.skip_invalid,
            force: self.force,
            max_removed_percent: DEFAULT_MAX_REMOVED_PERCENT,
            dry_run,
        }
    }
}

/// What „Prüfen“ shows: the counts, the refusal it would meet, and the changes line by line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportPreview {
    pub report: ImportReport,
    /// The first [`MAX_PREVIEW_CHANGES`] changes, in the file's order.
    pub changes: Vec<Change>,
    /// How many more there are beyond `changes`.
    pub changes_truncated: u64,
    /// The mapping file used (`KAMMERDESK_HANDWERKSROLLE_MAPPING`), `None` for the default columns.
    pub mapping: Option<String>,
}

/// How far the running import is: the payload of `handwerksrolle-progress`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportProgress {
    pub progress: Progress,
    /// The file's lines after the header: the records to expect (a field with a line break
    /// makes it a little more), for the bar's length.
    pub expected_rows: u64,
}

/// One import at a time per desk: a second click must not stage the file twice.
#[derive(Default)]
pub struct RunningImport(AtomicBool);

struct ImportSlot<'a>(&'a RunningImport);

impl RunningImport {
    fn claim(&self) -> Result<ImportSlot<'_>, Error> {
        if self.0.swap(true, Ordering::AcqRel) {
            return Err(Error::conflict(
                "Es läuft bereits ein Import der Handwerksrolle. Bitte warten Sie, bis er fertig ist.",
            ));
        }
        Ok(ImportSlot(self))
    }
}

impl Drop for ImportSlot<'_> {
    fn drop(&mut self) {
        (self.0).0.store(false, Ordering::Release);
    }
}

/// „Datei wählen …“: the path of the chosen export, `None` when the dialog was closed.
#[tauri::command(rename_all = "snake_case")]
pub async fn handwerksrolle_choose_file<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, SessionState>,
) -> CommandResult<Option<String>> {
    let session = signed_in(&session).await?;
    session.require(Permission::ImportHandwerksrolle)?;
    Ok(file_dialog::open_handwerksrolle(&app)
        .await
        .map(|p| p.to_string_lossy().into_owned()))
}

/// „Prüfen“: the import as a dry run, rolled back; nothing changes.
#[tauri::command(rename_all = "snake_case")]
pub async fn handwerksrolle_preview<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, SessionState>,
    running: State<'_, RunningImport>,
    path: String,
    options: HandwerksrolleOptions,
) -> CommandResult<ImportPreview> {
    let (report, changes, changes_truncated, mapping) =
        run(&app, &session, &running, &path, &options, None).await?;
    Ok(ImportPreview {
        report,
        changes,
        changes_truncated,
        mapping,
    })
}

/// „Übernehmen“: the import in one transaction; refused as a whole with the German reason.
/// `sha256` is the file's as „Prüfen“ read it.
#[tauri::command(rename_all = "snake_case")]
pub async fn handwerksrolle_apply<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, SessionState>,
    running: State<'_, RunningImport>,
    path: String,
    options: HandwerksrolleOptions,
    sha256: String,
) -> CommandResult<ImportReport> {
    let (report, ..) = run(&app, &session, &running, &path, &options, Some(&sha256)).await?;
    Ok(report)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn handwerksrolle_imports(
    session: State<'_, SessionState>,
) -> CommandResult<Vec<ImportRecord>> {
    let session = signed_in(&session).await?;
    Ok(handwerksrolle::recent_imports(&session, handwerksrolle::MAX_IMPORTS).await?)
}

/// Gelöschte Betriebe with active Zuordnungen, for the Sachbearbeitung to decide on.
#[tauri::command(rename_all = "snake_case")]
pub async fn handwerksrolle_review(
    session: State<'_, SessionState>,
) -> CommandResult<Vec<ReviewItem>> {
    let session = signed_in(&session).await?;
    Ok(handwerksrolle::review_list(&session).await?)
}

type Outcome = (ImportReport, Vec<Change>, u64, Option<String>);

async fn run<R: Runtime>(
    app: &AppHandle<R>,
    session: &SessionState,
    running: &RunningImport,
    path: &str,
    options: &HandwerksrolleOptions,
    previewed_sha256: Option<&str>,
) -> CommandResult<Outcome> {
    let dry_run = previewed_sha256.is_none();
    let session = signed_in(session).await?;
    session.require(Permission::ImportHandwerksrolle)?;
    let _slot = running.claim()?;
    let mapping_path = std::env::var_os(MAPPING_ENV)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let path = PathBuf::from(path);
    // Hashing and counting 150 MB is blocking work: off the async runtime.
    let (file, mapping, expected_rows) = tauri::async_runtime::spawn_blocking({
        let mapping_path = mapping_path.clone();
        move || -> kammer_core::Result<_> {
            let mapping = match &mapping_path {
                Some(p) => Mapping::from_toml_file(p)?,
                None => Mapping::default(),
            };
            let file = HandwerksrolleFile::inspect(&path, &mapping)?;
            let expected_rows = count_lines(&path).saturating_sub(1);
            Ok((file, mapping, expected_rows))
        }
    })
    .await
    .map_err(|e| ErrorBody::from(Error::internal(format!("handwerksrolle inspect: {e}"))))??;
    if previewed_sha256.is_some_and(|sha| sha != file.sha256) {
        return Err(ErrorBody::from(Error::conflict(format!(
            "Die Datei „{}“ hat sich seit „Prüfen“ geändert. Bitte prüfen Sie sie erneut, bevor Sie sie übernehmen.",
            file.file_name
        ))));
    }

    let mut changes = Vec::new();
    let mut truncated = 0u64;
    let report = handwerksrolle::import(
        session.pool(),
        &file,
        &mapping,
        &options.for_core(dry_run),
        |change| {
            if changes.len() < MAX_PREVIEW_CHANGES {
                changes.push(change);
            } else {
                truncated += 1;
            }
        },
        |progress| {
            let _ = app.emit(
                PROGRESS_EVENT,
                ImportProgress {
                    progress,
                    expected_rows,
                },
            );
        },
    )
    .await?;
    Ok((
        report,
        changes,
        truncated,
        mapping_path.map(|p| p.to_string_lossy().into_owned()),
    ))
}

/// The lines of the file (a last line without line end counts too); 0 when unreadable, as
/// the import itself then says why.
fn count_lines(path: &Path) -> u64 {
    let Ok(mut file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut buf = vec![0u8; 64 * 1024];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
                last = buf[n - 1];
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return 0,
        }
    }
    lines + u64::from(last != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use kammer_core::ErrorKind;

    #[test]
    fn lines_are_counted_with_or_without_a_last_line_end() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let with = dir.join("mit.csv");
        std::fs::write(&with, "Kopf\r\neins\r\nzwei\r\n").unwrap();
        assert_eq!(count_lines(&with), 3);
        let without = dir.join("ohne.csv");
        std::fs::write(&without, "Kopf\neins\nzwei").unwrap();
        assert_eq!(count_lines(&without), 3);
        assert_eq!(count_lines(&dir.join("fehlt.csv")), 0);
    }

    #[test]
    fn a_second_import_waits_for_the_first() {
        let running = RunningImport::default();
        let first = running.claim().expect("the first import runs");
        let second = running.claim().err().expect("a second one is refused");
        assert_eq!(second.kind(), ErrorKind::Conflict);
        drop(first);
        assert!(running.claim().is_ok(), "free again once the first is done");
    }
}

//! CSV exports: the Anträge list exactly as filtered on screen, and the monthly report.
//! Both go through the same pieces — a [`Dialect`], typed [`Cell`]s that neutralise formulas
//! in text, and a [`CsvFile`] that appears under its name only when complete — so the desk,
//! `kammerctl` and cron write identical files.

mod antraege;
mod cell;
mod dialect;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use sqlx::PgPool;

pub use antraege::{HEADER as ANTRAEGE_HEADER, antraege, delivery_label_de, site_label_de};
pub use cell::{Cell, TEXT_MARK, betriebsnummer, neutralise};
pub use dialect::Dialect;
pub use writer::CsvFile;

use crate::Result;

/// How often progress is reported: often enough for a smooth bar, rarely enough to cost nothing.
pub const PROGRESS_EVERY: u64 = 1000;

type ProgressFn = dyn Fn(u64) + Send + Sync;

/// What the desk holds on to while an export runs: a cancel flag its button sets, and a
/// callback that receives the number of rows written so far (every [`PROGRESS_EVERY`] rows,
/// and the final count once at the end). Cloning shares both.
#[derive(Clone, Default)]
pub struct ExportControl {
    cancelled: Arc<AtomicBool>,
    progress: Option<Arc<ProgressFn>>,
}

impl ExportControl {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Asks the running export to stop; it then removes its temporary file and reports
    /// [`ExportOutcome::Cancelled`].
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn report(&self, rows: u64) {
        if let Some(p) = &self.progress {
            p(rows);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ExportOutcome {
    Written {
        path: PathBuf,
        rows: u64,
    },
    /// Nothing was written under the target name; `rows` had been written to the discarded
    /// temporary file.
    Cancelled {
        rows: u64,
    },
}

/// The audit event of a finished export: who wrote which data, filtered how, how many rows,
/// into which file (`kammer_api.record_export`, which also checks that the reader may export).
/// `details` says the rest; the file's name is taken from `written` here, so every export
/// names the file it really wrote. Written after the file is in place, so the log never claims
/// an export that is not on disk; if it cannot be written, the file is taken back.
pub(crate) async fn record_written(
    primary: &PgPool,
    written: &Path,
    mut details: serde_json::Value,
) -> Result<()> {
    details["file"] = written
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .into();
    let logged = sqlx::query!("select kammer_api.record_export($1)", details)
        .execute(primary)
        .await;
    if let Err(e) = logged {
        // No export without its audit record.
        let _ = std::fs::remove_file(written);
        return Err(e.into());
    }
    Ok(())
}

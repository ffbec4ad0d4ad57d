//! Exports and the monthly report: the same core code path as `kammerctl export` and
//! `kammerctl report`, with a save dialog, progress events and a cancel button.

use std::sync::Mutex;

use chrono::Utc;
use kammer_core::error::ErrorBody;
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::report::{self, Month, MonthlyReport};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use super::antraege::AntragQuery;
use super::{CommandResult, signed_in};
use crate::file_dialog;
use crate::session::SessionState;

pub const PROGRESS_EVENT: &str = "export-progress";

/// The export under way, so "Abbrechen" can reach it. One at a time per desk.
#[derive(Default)]
pub struct RunningExport(Mutex<Option<ExportControl>>);

impl RunningExport {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<ExportControl>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What became of an export the clerk started; `dismissed` when the save dialog was closed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    Written { path: String, rows: u64 },
    Cancelled { rows: u64 },
    Dismissed,
}

impl From<ExportOutcome> for SaveOutcome {
    fn from(o: ExportOutcome) -> Self {
        match o {
            ExportOutcome::Written { path, rows } => SaveOutcome::Written {
                path: path.to_string_lossy().into_owned(),
                rows,
            },
            ExportOutcome::Cancelled { rows } => SaveOutcome::Cancelled { rows },
        }
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_antraege<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, SessionState>,
    running: State<'_, RunningExport>,
    query: AntragQuery,
    dialect: Dialect,
) -> CommandResult<SaveOutcome> {
    let session = signed_in(&session).await?;
    let filter = query.to_filter()?;
    let name = format!("antraege_{}.csv", Month::of(Utc::now()));
    let Some(path) = file_dialog::save_export(&app, &name).await else {
        return Ok(SaveOutcome::Dismissed);
    };
    let control = {
        let mut slot = running.slot();
        if slot.is_some() {
            return Err(ErrorBody::from(kammer_core::Error::conflict(
                "Es läuft bereits ein Export. Bitte warten Sie, bis er fertig ist, oder brechen Sie ihn ab.",
            )));
        }
        let progress_app = app.clone();
        let control = ExportControl::new().with_progress(move |rows| {
            let _ = progress_app.emit(PROGRESS_EVENT, rows);
        });
        *slot = Some(control.clone());
        control
    };
    let outcome = export::antraege(&session, &filter, dialect, &path, &control).await;
    running.slot().take();
    Ok(outcome.map(SaveOutcome::from)?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_export(running: State<'_, RunningExport>) -> CommandResult<bool> {
    Ok(match running.slot().as_ref() {
        Some(control) => {
            control.cancel();
            true
        }
        None => false,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn monthly_report(
    session: State<'_, SessionState>,
    month: String,
) -> CommandResult<MonthlyReport> {
    let session = signed_in(&session).await?;
    let month = Month::parse(&month)?;
    Ok(report::monthly(&session, month).await?)
}

/// Which table of the report to save: the month by Gewerk, or the twelve-month series.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReportPart {
    Monthly,
    Series,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    session: State<'_, SessionState>,
    month: String,
    dialect: Dialect,
    part: ReportPart,
) -> CommandResult<SaveOutcome> {
    let session = signed_in(&session).await?;
    let month = Month::parse(&month)?;
    let name = match part {
        ReportPart::Monthly => format!("monatsbericht_{month}.csv"),
        ReportPart::Series => format!("monatsbericht_{month}_12_monate.csv"),
    };
    let Some(path) = file_dialog::save_export(&app, &name).await else {
        return Ok(SaveOutcome::Dismissed);
    };
    let report = report::monthly(&session, month).await?;
    let written = match part {
        ReportPart::Monthly => report::write_monthly(&session, &report, dialect, &path).await,
        ReportPart::Series => report::write_series(&session, &report, dialect, &path).await,
    }?;
    let rows = match part {
        ReportPart::Monthly => report.table_rows() as u64,
        ReportPart::Series => report.series.len() as u64,
    };
    Ok(SaveOutcome::Written {
        path: written.to_string_lossy().into_owned(),
        rows,
    })
}

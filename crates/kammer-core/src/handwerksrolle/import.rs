//! One import of the Handwerksrolle, in one transaction: stage the file with COPY, list
//! what would change, then merge it — or, for a dry run, roll everything back. The rules
//! (what a valid line is, what an address change does to live codes) live in the database
//! functions `kammer_api.handwerksrolle_*`; this streams the file in and the answers out.

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

use super::change::Change;
use super::file::{HandwerksrolleFile, Record};
use super::mapping::Mapping;
use crate::copy_text::{COPY_CHUNK, Rows};
use crate::{Error, Result};

/// A full snapshot that would remove more than this share of the Betriebe is refused
/// without `force`: the signature of a truncated file.
pub const DEFAULT_MAX_REMOVED_PERCENT: f64 = 5.0;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The file is the whole Handwerksrolle: what it no longer names is gelöscht.
    #[default]
    Full,
    /// The file holds only changed Betriebe.
    Delta,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportOptions {
    pub mode: Mode,
    /// Import the valid lines and list the others, instead of refusing the file.
    pub skip_invalid: bool,
    /// Apply a full snapshot although it removes more than `max_removed_percent`.
    pub force: bool,
    pub max_removed_percent: f64,
    /// Only say what would change.
    pub dry_run: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mode: Mode::Full,
            skip_invalid: false,
            force: false,
            max_removed_percent: DEFAULT_MAX_REMOVED_PERCENT,
            dry_run: false,
        }
    }
}

/// The counts of an import (or of a dry run), as `kammer_api.handwerksrolle_apply` returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    pub mode: Mode,
    pub rows_in_file: i64,
    pub created: i64,
    pub changed: i64,
    pub email_changed: i64,
    pub removed: i64,
    pub unchanged: i64,
    pub invalid: i64,
    /// Betriebe not gelöscht before the import.
    pub active_before: i64,
    pub removed_percent: f64,
    pub max_removed_percent: f64,
    /// Why the import would be (dry run) refused; `None` when it can be applied.
    #[serde(default, alias = "refusal")]
    pub refusal_de: Option<String>,
    /// Set once applied.
    #[serde(default)]
    pub import_id: Option<i64>,
    #[serde(default)]
    pub codes_retired: Option<i64>,
    #[serde(default)]
    pub antraege_closed: Option<i64>,
}

impl Summary {
    /// Nothing new, changed, removed or invalid: the file matches the database.
    pub fn nothing_to_do(&self) -> bool {
        self.created + self.changed + self.removed + self.invalid == 0
    }
}

/// The file as the import saw it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileFacts {
    pub file_name: String,
    pub sha256: String,
    pub encoding: String,
    pub separator: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub file: FileFacts,
    pub summary: Summary,
    /// False for a dry run.
    pub applied: bool,
}

/// How far the import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Progress {
    /// Lines read and staged so far.
    Reading { rows: u64 },
    /// The file is staged; the database compares it with the Betriebe.
    Comparing { rows: u64 },
    /// The database merges the file.
    Applying,
}

const COPY_STAGING: &str = "COPY pg_temp.handwerksrolle_staging (line, betriebsnummer, firmenname, inhaber, \
     strasse, plz, ort, gewerk, email, hauptsitz, loeschdatum, problem) FROM STDIN";

/// Imports `file` as the login of `pool` (the import service, or an administrator's session
/// pool). `on_change` receives every line that is (or would be) new, changed, removed or
/// invalid, streamed, before the import is applied or refused.
pub async fn import(
    pool: &PgPool,
    file: &HandwerksrolleFile,
    mapping: &Mapping,
    options: &ImportOptions,
    mut on_change: impl FnMut(Change),
    mut on_progress: impl FnMut(Progress),
) -> Result<ImportReport> {
    if !(0.0..=100.0).contains(&options.max_removed_percent) {
        return Err(Error::validation(
            "Der Anteil gelöschter Betriebe ist ein Prozentsatz zwischen 0 und 100.",
        ));
    }
    let full = options.mode == Mode::Full;
    let mut tx = pool.begin().await?;
    // A million rows take longer than a clerk's statement limit; this transaction is the job.
    sqlx::query("set local statement_timeout = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query("select kammer_api.handwerksrolle_stage()")
        .execute(&mut *tx)
        .await?;

    let mut copy = tx.copy_in_raw(COPY_STAGING).await?;
    let mut rows = Rows::new();
    let mut staged: u64 = 0;
    let mut records = match file.records(mapping) {
        Ok(records) => records,
        Err(e) => {
            copy.abort("file unreadable").await.ok();
            return Err(e);
        }
    };
    loop {
        let record = match records.next() {
            None => break,
            Some(Ok(record)) => without_nul(record),
            Some(Err(e)) => {
                copy.abort("file unreadable").await.ok();
                return Err(e);
            }
        };
        let loeschdatum = record.loeschdatum.map(|d| d.format("%Y-%m-%d").to_string());
        rows.col(&record.line.to_string())
            .col(&record.betriebsnummer)
            .col(&record.firmenname)
            .col(&record.inhaber)
            .col(&record.strasse)
            .col(&record.plz)
            .col(&record.ort)
            .col(&record.gewerk)
            .col(&record.email)
            .opt(record.hauptsitz.as_deref())
            .opt(loeschdatum.as_deref())
            .opt(record.problem.as_deref())
            .end();
        staged += 1;
        if rows.buf.len() >= COPY_CHUNK {
            copy.send(rows.buf.as_bytes()).await?;
            rows.buf.clear();
            on_progress(Progress::Reading { rows: staged });
        }
    }
    drop(records);
    if !rows.buf.is_empty() {
        copy.send(rows.buf.as_bytes()).await?;
    }
    copy.finish().await?;
    if staged == 0 {
        return Err(Error::validation(
            "Die Datei enthält keine Betriebe (nur die Kopfzeile oder gar nichts).",
        ));
    }
    on_progress(Progress::Comparing { rows: staged });

    {
        let mut changes = sqlx::query(
            "select kind, line, betriebsnummer, firmenname, changes, reason, detail \
             from kammer_api.handwerksrolle_changes($1)",
        )
        .bind(full)
        .fetch(&mut *tx);
        while let Some(row) = changes.try_next().await? {
            let changes: serde_json::Value = row.try_get("changes")?;
            on_change(Change::from_db(
                row.try_get::<&str, _>("kind")?,
                row.try_get("line")?,
                row.try_get("betriebsnummer")?,
                row.try_get("firmenname")?,
                &changes,
                row.try_get::<Option<&str>, _>("reason")?,
                row.try_get::<Option<&str>, _>("detail")?,
            ));
        }
    }

    if !options.dry_run {
        on_progress(Progress::Applying);
    }
    let summary: serde_json::Value = sqlx::query_scalar(
        "select kammer_api.handwerksrolle_apply($1, $2, $3, $4, $5, $6::numeric, $7)",
    )
    .bind(&file.file_name)
    .bind(&file.sha256)
    .bind(full)
    .bind(options.skip_invalid)
    .bind(options.force)
    .bind(options.max_removed_percent)
    .bind(options.dry_run)
    .fetch_one(&mut *tx)
    .await?;
    let summary = summary_from_db(summary)?;
    if options.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(ImportReport {
        file: FileFacts {
            file_name: file.file_name.clone(),
            sha256: file.sha256.clone(),
            encoding: file.encoding.to_string(),
            separator: (file.separator as char).to_string(),
        },
        summary,
        applied: !options.dry_run,
    })
}

/// PostgreSQL's text cannot hold a NUL character: such a line becomes invalid with its reason
/// instead of failing the whole COPY.
fn without_nul(mut record: Record) -> Record {
    let fields = [
        &mut record.betriebsnummer,
        &mut record.firmenname,
        &mut record.inhaber,
        &mut record.strasse,
        &mut record.plz,
        &mut record.ort,
        &mut record.gewerk,
        &mut record.email,
    ];
    let mut found = false;
    for field in fields {
        if field.contains('\0') {
            *field = field.replace('\0', "");
            found = true;
        }
    }
    if let Some(h) = record.hauptsitz.as_mut().filter(|h| h.contains('\0')) {
        *h = h.replace('\0', "");
        found = true;
    }
    if found && record.problem.is_none() {
        record.problem =
            Some("Die Zeile enthält ein Nullzeichen (NUL); die Datei ist beschädigt.".into());
    }
    record
}

/// The database's summary, its refusal key in German.
fn summary_from_db(value: serde_json::Value) -> Result<Summary> {
    let mut summary: Summary = serde_json::from_value(value.clone())
        .map_err(|e| Error::internal(format!("handwerksrolle summary {value}: {e}")))?;
    summary.refusal_de = summary.refusal_de.as_deref().map(|key| {
        crate::refusal::from_database("KD422", key, Some(&value.to_string()))
            .map(|e| e.message().to_string())
            .unwrap_or_else(|| key.to_string())
    });
    Ok(summary)
}

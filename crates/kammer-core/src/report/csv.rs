use std::path::{Path, PathBuf};

use super::{FIGURE_COLUMNS, Figure, Figures, MonthlyReport, OUTCOME_COLUMNS};
use crate::Result;
use crate::db::Reader;
use crate::export::{Cell, CsvFile, Dialect, record_written};

pub const MONTHLY_HEADER: [&str; 3 + FIGURE_COLUMNS] = [
    "Monat",
    "Gewerk",
    "Hauptsitz/Filiale",
    "Anträge eingegangen",
    "Codes bestätigt",
    "bestätigt durch Code (Portal)",
    "bestätigt durch Sachbearbeitung",
    "zurückgezogen",
    "abgelehnt",
    "abgelaufen",
    "offen am Monatsende",
    "Codes gesendet",
    "davon erneut gesendet",
    "Mails gescheitert",
    "Zuordnungen angelegt",
    "Median Antrag bis Zuordnung (Stunden)",
    "90. Perzentil Antrag bis Zuordnung (Stunden)",
    "Betriebe neu zugeordnet",
];

pub const SERIES_HEADER: [&str; 1 + OUTCOME_COLUMNS] = [
    "Monat",
    "Anträge eingegangen",
    "bestätigt durch Code (Portal)",
    "bestätigt durch Sachbearbeitung",
    "zurückgezogen",
    "abgelehnt",
    "abgelaufen",
];

/// The label of the rows over all Gewerke.
pub const TOTAL: &str = "Gesamt";
/// „Hauptsitz/Filiale“ of a row over every Betrieb, Hauptsitz or Filiale.
pub const ALL_SITES: &str = "alle";
/// „Hauptsitz/Filiale“ of the rows over the Hauptsitze and over the Filialen only.
pub const HAUPTSITZ: &str = "Hauptsitz";
pub const FILIALE: &str = "Filiale";

fn figure_cells<'a>(month: &'a str, gewerk: &'a str, site: &'a str, f: &Figures) -> Vec<Cell<'a>> {
    let labels = [Cell::Text(month), Cell::Text(gewerk), Cell::Text(site)];
    let figures = f.columns().map(|figure| match figure {
        Figure::Count(n) => Cell::Int(n),
        Figure::Hours(h) => h.map_or(Cell::Empty, Cell::Decimal),
    });
    labels.into_iter().chain(figures).collect()
}

/// The month's table: the rows "Gesamt" for all Betriebe, for the Hauptsitze and for the
/// Filialen, then one per Gewerk. Needs the export permission.
pub async fn write_monthly(
    reader: &impl Reader,
    report: &MonthlyReport,
    dialect: Dialect,
    path: &Path,
) -> Result<PathBuf> {
    let month = report.month.to_string();
    let details = serde_json::json!({
        "export": "monatsbericht", "month": month, "dialect": dialect.as_str(),
        "rows": report.table_rows(),
    });
    write_table(reader, dialect, path, &MONTHLY_HEADER, details, |file| {
        file.row(&figure_cells(&month, TOTAL, ALL_SITES, &report.total))?;
        file.row(&figure_cells(&month, TOTAL, HAUPTSITZ, &report.hauptsitze))?;
        file.row(&figure_cells(&month, TOTAL, FILIALE, &report.filialen))?;
        for g in &report.by_gewerk {
            file.row(&figure_cells(&month, &g.gewerk, ALL_SITES, &g.figures))?;
        }
        Ok(())
    })
    .await
}

/// The last twelve months by outcome, oldest first. Needs the export permission.
pub async fn write_series(
    reader: &impl Reader,
    report: &MonthlyReport,
    dialect: Dialect,
    path: &Path,
) -> Result<PathBuf> {
    let details = serde_json::json!({
        "export": "monatsbericht_verlauf", "month": report.month.to_string(),
        "dialect": dialect.as_str(), "rows": report.series.len(),
    });
    write_table(reader, dialect, path, &SERIES_HEADER, details, |file| {
        for m in &report.series {
            let month = m.month.to_string();
            let cells: Vec<Cell<'_>> = [Cell::Text(&month)]
                .into_iter()
                .chain(m.columns().map(Cell::Int))
                .collect();
            file.row(&cells)?;
        }
        Ok(())
    })
    .await
}

/// Both tables are written alike: the permission is checked before a file is begun, and the
/// audit event with `details` is recorded only once the file is in place.
async fn write_table(
    reader: &impl Reader,
    dialect: Dialect,
    path: &Path,
    header: &[&str],
    details: serde_json::Value,
    rows: impl FnOnce(&mut CsvFile) -> Result<()>,
) -> Result<PathBuf> {
    reader.may_export()?;
    let mut file = CsvFile::create(path, dialect)?;
    file.header(header)?;
    rows(&mut file)?;
    let written = file.persist()?;
    record_written(reader.primary(), &written, details).await?;
    Ok(written)
}

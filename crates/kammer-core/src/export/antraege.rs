use std::borrow::Cow;
use std::path::Path;

use super::{Cell, CsvFile, Dialect, ExportControl, ExportOutcome, PROGRESS_EVERY, record_written};
use crate::Result;
use crate::antraege::{AntragFilter, AntragSummary, for_each_summary};
use crate::db::Reader;

/// The columns of the Anträge export, in the order of the list on screen.
pub const HEADER: [&str; 14] = [
    "Antrag Nr.",
    "gesendet am",
    "Status",
    "Betriebsnummer",
    "Inhaber/Firmenname",
    "Hauptsitz/Filiale",
    "Antragsteller:in",
    "E-Mail Antragsteller:in",
    "Codes gesendet",
    "letzter Versand",
    "Zustellstatus",
    "entschieden am",
    "entschieden von",
    "Begründung",
];

pub use crate::codes::delivery_status_label_de as delivery_label_de;

/// The „Hauptsitz/Filiale“ cell: „Hauptsitz“, or „Filiale von <Betriebsnummer des
/// Hauptsitzes>“ — the words the Suche uses, so a clerk reads the sheet as the screen.
pub fn site_label_de(hauptsitz: Option<&str>) -> Cow<'static, str> {
    match hauptsitz {
        None => Cow::Borrowed("Hauptsitz"),
        Some(nummer) => Cow::Owned(format!("Filiale von {nummer}")),
    }
}

fn cells<'a>(r: &'a AntragSummary, site: &'a str) -> [Cell<'a>; 14] {
    [
        Cell::Int(r.nr),
        Cell::Timestamp(r.sent_at),
        Cell::Text(r.status_label),
        Cell::Betriebsnummer(&r.betriebsnummer),
        Cell::Text(&r.firmenname),
        Cell::Text(site),
        Cell::Text(&r.requester_name),
        Cell::Text(&r.requester_email),
        Cell::Int(r.codes_sent),
        Cell::opt_timestamp(r.last_code_sent_at),
        Cell::opt_text(
            r.delivery_status
                .as_deref()
                .map(|s| delivery_label_de(s, r.delivery_cancel_reason.as_deref())),
        ),
        Cell::opt_timestamp(r.decided_at),
        Cell::opt_text(r.decided_by.as_deref()),
        Cell::opt_text(r.decision_reason.as_deref()),
    ]
}

/// Writes every Anträge row that the list shows for `filter` — all pages — to `path`.
/// Rows stream from PostgreSQL into the file; memory does not grow with their number.
/// Needs the export permission; a finished export is recorded in the audit log. The rows come
/// from the replica when there is one; the permission check and the audit record go to the
/// primary.
pub async fn antraege(
    reader: &impl Reader,
    filter: &AntragFilter,
    dialect: Dialect,
    path: &Path,
    control: &ExportControl,
) -> Result<ExportOutcome> {
    reader.may_export()?;
    let mut conn = reader.read_connection().await?;
    let mut file = CsvFile::create(path, dialect)?;
    file.header(&HEADER)?;
    // One statement streams every row for as long as the file takes to write: the desk's
    // statement timeout (db::DESK_STATEMENT_TIMEOUT) is for look-ups, not for this.
    sqlx::query("set statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    let mut rows = 0u64;
    let streamed = for_each_summary(&mut conn, filter, |r| {
        if control.is_cancelled() {
            return Ok(false);
        }
        let site = site_label_de(r.hauptsitz.as_deref());
        file.row(&cells(&r, &site))?;
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            control.report(rows);
        }
        Ok(true)
    })
    .await;
    if streamed.is_err() || control.is_cancelled() {
        // PostgreSQL may still be sending the rest of the rows. Back in the pool, the
        // connection would first have to read them all; closed, the server stops instead.
        let _ = conn.close().await;
        streamed?;
        return Ok(ExportOutcome::Cancelled { rows });
    }
    sqlx::query("reset statement_timeout")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    let written = file.persist()?;
    if rows == 0 || !rows.is_multiple_of(PROGRESS_EVERY) {
        control.report(rows);
    }
    let details = serde_json::json!({
        "export": "antraege",
        "dialect": dialect.as_str(),
        "rows": rows,
        "filter": {
            "statuses": filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "from": filter.from,
            "to": filter.to,
            "betriebsnummer": filter.betriebsnummer.as_ref().map(|b| b.as_str()),
            "search": filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            "order": filter.order.as_str(),
        },
    });
    record_written(reader.primary(), &written, details).await?;
    Ok(ExportOutcome::Written {
        path: written,
        rows,
    })
}

//! The monthly report: what came in, what was decided and how, codes and mails, and how long
//! an Antrag takes to become a Zuordnung — in total, for Hauptsitze and Filialen, and by
//! Gewerk — plus the last twelve
//! months by outcome for the desk's chart. Figures are derived from the tables that record
//! each fact (audit log, antraege, confirmation_codes, mail_outbox, zuordnungen);
//! docs/exports-and-report.md defines each one.

mod csv;
mod figures;
mod month;

use serde::Serialize;

pub use csv::{
    ALL_SITES, FILIALE, HAUPTSITZ, MONTHLY_HEADER, SERIES_HEADER, TOTAL, write_monthly,
    write_series,
};
pub use figures::{FIGURE_COLUMNS, FIGURE_KEYS, Figure, Figures, MonthOutcomes, OUTCOME_COLUMNS};
pub use month::Month;

use crate::Result;
use crate::db::Reader;
use figures::Group;

/// How many months the outcome series covers, ending with the report's month.
pub const SERIES_MONTHS: u32 = 12;

/// The label of Betriebe without a Gewerk in the Handwerksrolle data.
pub const NO_GEWERK: &str = "ohne Gewerk";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GewerkFigures {
    pub gewerk: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthlyReport {
    pub month: Month,
    pub total: Figures,
    /// The total over the Anträge of Hauptsitze only, and of Filialen only: how much of the
    /// work concerns Filialen. Counts of the two add up to the total, except „Mails
    /// gescheitert“ for a mail without an Antrag, which concerns neither.
    pub hauptsitze: Figures,
    pub filialen: Figures,
    /// Every Gewerk with at least one figure in the month, alphabetically; "ohne Gewerk" last.
    pub by_gewerk: Vec<GewerkFigures>,
    /// The last [`SERIES_MONTHS`] months up to and including `month`, oldest first.
    pub series: Vec<MonthOutcomes>,
}

impl MonthlyReport {
    /// The rows of the month's table ([`write_monthly`]), header aside: „Gesamt“ for all,
    /// for Hauptsitze and for Filialen, then one per Gewerk.
    pub fn table_rows(&self) -> usize {
        3 + self.by_gewerk.len()
    }
}

/// Computes the report for `month`. Reading figures needs only the look-up permission;
/// writing them to a file ([`write_monthly`]) is an export. The figures come from the replica
/// when there is one.
pub async fn monthly(reader: &impl Reader, month: Month) -> Result<MonthlyReport> {
    let mut conn = reader.read_connection().await?;
    let mut groups = figures::grouped(&mut conn, month.start(), month.end()).await?;
    let total = groups.remove(&Group::Total).unwrap_or_default();
    let hauptsitze = groups.remove(&Group::Hauptsitz(true)).unwrap_or_default();
    let filialen = groups.remove(&Group::Hauptsitz(false)).unwrap_or_default();
    let mut by_gewerk: Vec<GewerkFigures> = groups
        .into_iter()
        .filter_map(|(g, figures)| match g {
            Group::Gewerk(g) => Some(GewerkFigures {
                gewerk: if g.trim().is_empty() {
                    NO_GEWERK.to_string()
                } else {
                    g
                },
                figures,
            }),
            Group::Total | Group::Hauptsitz(_) => None,
        })
        .collect();
    by_gewerk.sort_by(|a, b| {
        (a.gewerk == NO_GEWERK, &a.gewerk).cmp(&(b.gewerk == NO_GEWERK, &b.gewerk))
    });
    let series = figures::series(&mut conn, month, SERIES_MONTHS).await?;
    Ok(MonthlyReport {
        month,
        total,
        hauptsitze,
        filialen,
        by_gewerk,
        series,
    })
}

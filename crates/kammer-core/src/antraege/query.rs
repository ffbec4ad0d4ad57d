//! The list's filter as a clerk types it — in the desk (sent over IPC) and in `kammerctl`
//! (`--status`, `--from`, `--to`, …) — parsed once, here, into an [`AntragFilter`]. Both
//! therefore select the same rows for the same days.

use serde::Deserialize;

use super::{AntragFilter, SortOrder};
use crate::Result;
use crate::domain::{AntragStatus, Betriebsnummer, GermanDay, given};

/// The queue's filter as the screen holds it. `from` and `to` are German calendar days
/// (`YYYY-MM-DD`), both included.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntragQuery {
    pub statuses: Vec<AntragStatus>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub betriebsnummer: Option<String>,
    pub search: Option<String>,
    pub order: SortOrder,
}

impl AntragQuery {
    /// The filter the core's list, counts and export take. `from` is the start of its day,
    /// `to` the end of its day ("bis einschließlich"): `--from 2026-11-01 --to 2026-11-30`
    /// is all of November, German time.
    pub fn to_filter(&self) -> Result<AntragFilter> {
        let day = |d: &Option<String>| given(d).map(GermanDay::parse).transpose();
        Ok(AntragFilter {
            statuses: self.statuses.clone(),
            from: day(&self.from)?.map(GermanDay::start),
            to: day(&self.to)?.map(GermanDay::end),
            betriebsnummer: given(&self.betriebsnummer)
                .map(Betriebsnummer::parse)
                .transpose()?,
            search: self.search.clone(),
            order: self.order,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_is_the_whole_day_and_blank_is_no_filter() {
        let q = AntragQuery {
            from: Some("01.11.2026".into()),
            to: Some("2026-11-30".into()),
            betriebsnummer: Some("  ".into()),
            ..AntragQuery::default()
        };
        let f = q.to_filter().unwrap();
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-10-31T23:00:00+00:00");
        // Midnight after 30 November, German time: the bound excludes it, so the day counts.
        assert_eq!(f.to.unwrap().to_rfc3339(), "2026-11-30T23:00:00+00:00");
        assert!(f.betriebsnummer.is_none());
        let bad = AntragQuery {
            to: Some("30.11.26x".into()),
            ..AntragQuery::default()
        };
        assert_eq!(
            bad.to_filter().unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
    }

    #[test]
    fn an_order_is_its_name_or_its_german_label() {
        assert_eq!(
            SortOrder::parse(" newest_first ").unwrap(),
            SortOrder::NewestFirst
        );
        assert_eq!(
            SortOrder::parse("betriebsnummer ABSTEIGEND").unwrap(),
            SortOrder::BetriebDescending
        );
        let err = SortOrder::parse("nach Name").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Validation);
        assert!(err.message().contains("betrieb_ascending"), "{err}");
    }
}

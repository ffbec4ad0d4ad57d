use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use serde::{Serialize, Serializer};

use crate::domain::GermanDay;
use crate::{Error, Result};

/// A calendar month in German local time: the chamber's months begin at midnight in
/// Europe/Berlin, not at midnight UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// `YYYY-MM` (or `MM.YYYY`, as a clerk writes it).
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        let bad = || {
            Error::validation(format!(
                "„{s}“ ist kein Monat. Bitte als JJJJ-MM angeben, z. B. 2026-11."
            ))
        };
        let (year, month) = match (s.split_once('-'), s.split_once('.')) {
            (Some((y, m)), _) => (y, m),
            (None, Some((m, y))) => (y, m),
            _ => return Err(bad()),
        };
        if year.len() != 4 || month.is_empty() || month.len() > 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(2000..=2999).contains(&year) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    pub fn of(at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&Berlin);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    pub fn current() -> Self {
        Self::of(Utc::now())
    }

    /// Months counted from year 0, so that stepping over a new year is plain arithmetic.
    fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    fn from_index(index: i32) -> Self {
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Self {
        Self::from_index(self.index() - n as i32)
    }

    pub fn next(self) -> Self {
        Self::from_index(self.index() + 1)
    }

    /// The first instant of the month: the start of its first German day.
    pub fn start(self) -> DateTime<Utc> {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated month");
        GermanDay::of(first).start()
    }

    /// The first instant after the month.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_begin_at_berlin_midnight() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.start().to_rfc3339(), "2026-10-31T23:00:00+00:00");
        assert_eq!(m.end().to_rfc3339(), "2026-11-30T23:00:00+00:00");
        let july = Month::parse("07.2026").unwrap();
        assert_eq!(july.start().to_rfc3339(), "2026-06-30T22:00:00+00:00");
        assert_eq!(
            Month::parse("2026-01").unwrap().minus(1).to_string(),
            "2025-12"
        );
        assert_eq!(
            Month::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(
            Month::parse("2026-03").unwrap().minus(11).to_string(),
            "2025-04"
        );
        for bad in ["2026-13", "2026", "26-11", "2026-1x", "", "2026-00"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }
}

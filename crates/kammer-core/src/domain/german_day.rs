use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

use crate::{Error, Result};

/// A calendar day as a clerk writes it (`2026-10-31` or `31.10.2026`). Periods in the desk,
/// the CLI and the report are German days: they begin at midnight in Europe/Berlin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GermanDay(NaiveDate);

impl GermanDay {
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
            .map(GermanDay)
            .map_err(|_| {
                Error::validation(format!(
                    "„{s}“ ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)."
                ))
            })
    }

    /// For days the code computes rather than a clerk types (the first of a report month),
    /// which are valid by construction; the crate's own, like the other domain values.
    pub(crate) fn of(date: NaiveDate) -> Self {
        GermanDay(date)
    }

    /// Midnight at the beginning of the day, German time.
    pub fn start(self) -> DateTime<Utc> {
        // Midnight is never inside Berlin's DST gap (02:00–03:00), so it is unambiguous.
        let midnight = self.0.and_hms_opt(0, 0, 0).expect("midnight exists");
        Berlin
            .from_local_datetime(&midnight)
            .earliest()
            .expect("midnight exists in Europe/Berlin")
            .with_timezone(&Utc)
    }

    /// Midnight at the end of the day: the exclusive bound of a period that includes it.
    pub fn end(self) -> DateTime<Utc> {
        GermanDay(self.0.checked_add_days(Days::new(1)).unwrap_or(self.0)).start()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_and_german_midnight() {
        let day = GermanDay::parse("31.10.2026").unwrap();
        assert_eq!(day, GermanDay::parse(" 2026-10-31 ").unwrap());
        // 31 October 2026 is winter time (UTC+1); 1 July is summer time (UTC+2).
        assert_eq!(day.start().to_rfc3339(), "2026-10-30T23:00:00+00:00");
        assert_eq!(day.end().to_rfc3339(), "2026-10-31T23:00:00+00:00");
        let summer = GermanDay::parse("2026-07-01").unwrap();
        assert_eq!(summer.start().to_rfc3339(), "2026-06-30T22:00:00+00:00");
    }

    #[test]
    fn nonsense_is_a_german_validation_error() {
        let e = GermanDay::parse("31.02.2026").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert!(e.message().contains("kein Datum"), "{}", e.message());
    }
}

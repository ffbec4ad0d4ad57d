use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use serde::{Deserialize, Serialize};

use crate::domain::by_name_or_label;
use crate::{Error, Result};

/// The two CSV forms a chamber needs: one a clerk opens with a double-click in a German
/// Excel, one that other programs read without guessing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// `;` (a German Excel reads `,` as the decimal comma), UTF-8 with BOM (without it Excel
    /// reads the file as Windows-1252 and mangles umlauts), German local time.
    #[default]
    ExcelDe,
    /// RFC 4180: `,`, no BOM, ISO 8601 timestamps in UTC, decimal point.
    Rfc4180,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::ExcelDe, Dialect::Rfc4180];

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::ExcelDe => "excel-de",
            Dialect::Rfc4180 => "rfc4180",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Dialect::ExcelDe => "Excel (Deutsch)",
            Dialect::Rfc4180 => "RFC 4180",
        }
    }

    pub fn parse(input: &str) -> Result<Self> {
        by_name_or_label(Self::ALL, input, |d| (d.as_str(), d.label_de())).ok_or_else(|| {
            Error::validation(format!(
                "Unbekanntes Format „{}“. Möglich sind: excel-de, rfc4180.",
                input.trim()
            ))
        })
    }

    pub fn separator(self) -> u8 {
        match self {
            Dialect::ExcelDe => b';',
            Dialect::Rfc4180 => b',',
        }
    }

    pub fn bom(self) -> &'static [u8] {
        match self {
            Dialect::ExcelDe => "\u{feff}".as_bytes(),
            Dialect::Rfc4180 => b"",
        }
    }

    pub fn timestamp(self, at: DateTime<Utc>) -> String {
        match self {
            // TT.MM.JJJJ HH:MM:SS is a format Excel recognises as a date and time.
            Dialect::ExcelDe => at
                .with_timezone(&Berlin)
                .format("%d.%m.%Y %H:%M:%S")
                .to_string(),
            Dialect::Rfc4180 => at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }

    /// A number with one decimal place, in the reader's convention.
    pub fn decimal(self, value: f64) -> String {
        let s = format!("{value:.1}");
        match self {
            Dialect::ExcelDe => s.replace('.', ","),
            Dialect::Rfc4180 => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_follow_the_dialect_and_berlin_time() {
        let winter = Utc.with_ymd_and_hms(2024, 1, 12, 6, 23, 17).unwrap();
        let summer = Utc.with_ymd_and_hms(2024, 7, 1, 22, 0, 0).unwrap();
        assert_eq!(Dialect::ExcelDe.timestamp(winter), "12.01.2024 07:23:17");
        assert_eq!(Dialect::ExcelDe.timestamp(summer), "02.07.2024 00:00:00");
        assert_eq!(Dialect::Rfc4180.timestamp(winter), "2024-01-12T06:23:17Z");
    }

    #[test]
    fn parses_names_and_labels() {
        assert_eq!(Dialect::parse("Excel (Deutsch)").unwrap(), Dialect::ExcelDe);
        assert_eq!(Dialect::parse(" RFC4180 ").unwrap(), Dialect::Rfc4180);
        assert!(Dialect::parse("xlsx").is_err());
        assert_eq!(Dialect::ExcelDe.decimal(2.26), "2,3");
        assert_eq!(Dialect::Rfc4180.decimal(12.0), "12.0");
    }
}

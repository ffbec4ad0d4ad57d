//! Formatting for people that several commands share; each command prints the rest itself.
//! `--json` bypasses all of this. Numbers for people go through [`number`] (German thousands
//! separator) and counted things through [`count`] (the right plural); identifiers such as an
//! Antrag Nr. are written plainly.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use kammer_core::antraege::AntragSummary;
use kammer_core::codes::CodeInfo;

pub fn date(at: DateTime<Utc>) -> String {
    kammer_core::mail::format_de(at)
}

/// The portal's own form: "12.01.2024, 07:23:17".
pub fn date_seconds(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M:%S")
        .to_string()
}

pub fn opt_date(at: Option<DateTime<Utc>>) -> String {
    at.map(date).unwrap_or_else(|| "–".into())
}

/// One Antrag in a list: `antrag list` and the Anträge of `betrieb show`.
pub fn summary_line(a: &AntragSummary) -> String {
    format!(
        "Nr. {:<7} {}  {:<28} {:<12} {:<32} {}",
        a.nr,
        date_seconds(a.sent_at),
        a.status_label,
        a.betriebsnummer,
        a.firmenname,
        a.requester_name
    )
}

/// A list for people: one entry a line, or `none` when there is nothing, so that an empty
/// result says so rather than printing nothing.
pub fn lines<T>(items: &[T], none: &str, line: impl FnMut(&T) -> String) -> String {
    if items.is_empty() {
        return none.into();
    }
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// The codes of an Antrag: `code inspect` and `antrag show`.
pub fn codes(codes: &[CodeInfo]) -> String {
    lines(codes, "Keine Codes.", |c| {
        let delivery = match &c.delivery {
            Some(d) => format!(
                "{}{}",
                d.label_de,
                d.last_error
                    .as_deref()
                    .map(|e| format!(" – {e}"))
                    .unwrap_or_default()
            ),
            None => "keine E-Mail".into(),
        };
        format!(
            "Code {}… ({})\n  ausgestellt {} von {}{}\n  gültig bis  {}\n  gesendet an {} – {}\n  Fehlversuche {}",
            c.prefix,
            c.state_label,
            date(c.issued_at),
            c.issued_by.as_deref().unwrap_or("Portal"),
            c.issue_reason
                .as_deref()
                .map(|r| format!(" („{r}“)"))
                .unwrap_or_default(),
            date(c.expires_at),
            c.sent_to,
            delivery,
            c.wrong_attempts
        )
    })
}

/// A number as a German reads it: `1.234.567`, `-1.000`.
pub fn number(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// A decimal with one place as a German reads it: `1.234,5`.
pub fn decimal(x: f64) -> String {
    let rounded = format!("{:.1}", x.abs());
    let (whole, tenth) = rounded.split_once('.').unwrap_or((&rounded, "0"));
    let sign = if x < 0.0 && rounded != "0.0" { "-" } else { "" };
    match whole.parse::<u64>() {
        Ok(w) => format!("{sign}{},{tenth}", number(w)),
        // Not finite: as Rust writes it, there is no German way.
        Err(_) => rounded,
    }
}

/// A noun in the singular and the plural.
#[derive(Debug, Clone, Copy)]
pub struct Noun {
    pub one: &'static str,
    pub many: &'static str,
}

impl Noun {
    pub const fn new(one: &'static str, many: &'static str) -> Noun {
        Noun { one, many }
    }
}

pub const ANTRAG: Noun = Noun::new("Antrag", "Anträge");
pub const BETRIEB: Noun = Noun::new("Betrieb", "Betriebe");
pub const ACCOUNT: Noun = Noun::new("Account", "Accounts");
pub const ZUORDNUNG: Noun = Noun::new("Zuordnung", "Zuordnungen");
pub const ZUGANG: Noun = Noun::new("Zugang", "Zugänge");
pub const ZEILE: Noun = Noun::new("Zeile", "Zeilen");
pub const CODE: Noun = Noun::new("Code", "Codes");
pub const EMAIL: Noun = Noun::new("E-Mail", "E-Mails");

/// `1 Antrag`, `0 Anträge`, `1.234 Anträge`.
pub fn count(n: impl Into<i128>, noun: Noun) -> String {
    let n: i128 = n.into();
    let word = if n == 1 { noun.one } else { noun.many };
    format!("{} {word}", number(n))
}

/// Antrag numbers (or other ids) as a list for people: `Nr. 12, 178`.
pub fn nr_list(nrs: &[i64]) -> String {
    let nrs: Vec<String> = nrs.iter().map(i64::to_string).collect();
    format!("Nr. {}", nrs.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_thousands_separators() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1.000");
        assert_eq!(number(1_234_567u64), "1.234.567");
        assert_eq!(number(-1_000_000i64), "-1.000.000");
        assert_eq!(number(u64::MAX), "18.446.744.073.709.551.615");
        assert_eq!(decimal(1234.56), "1.234,6");
        assert_eq!(decimal(0.04), "0,0");
        assert_eq!(decimal(-2.34), "-2,3");
    }

    #[test]
    fn plurals() {
        assert_eq!(count(1, ANTRAG), "1 Antrag");
        assert_eq!(count(2, ANTRAG), "2 Anträge");
        assert_eq!(count(0, ANTRAG), "0 Anträge");
        assert_eq!(count(1_000_000, ANTRAG), "1.000.000 Anträge");
        assert_eq!(count(1, ZUGANG), "1 Zugang");
        assert_eq!(count(3, ZUGANG), "3 Zugänge");
        assert_eq!(count(1, EMAIL), "1 E-Mail");
        assert_eq!(count(12, ZUORDNUNG), "12 Zuordnungen");
    }

    #[test]
    fn number_lists_are_no_debug_output() {
        assert_eq!(nr_list(&[12, 178]), "Nr. 12, 178");
    }
}

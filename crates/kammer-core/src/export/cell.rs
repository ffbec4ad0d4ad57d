use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::Dialect;

/// One field of an export row. The kind decides how it is written: only `Text` comes from
/// people (names, e-mail addresses, reasons) and is neutralised; numbers and timestamps are
/// made by us and are written as they are, so a count stays a number a spreadsheet can sum.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Decimal(f64),
    Timestamp(DateTime<Utc>),
    /// A Betriebsnummer: digits whose leading zeros matter (see [`betriebsnummer`]).
    Betriebsnummer(&'a str),
    Empty,
}

impl<'a> Cell<'a> {
    pub fn opt_text(value: Option<&'a str>) -> Self {
        value.map_or(Cell::Empty, Cell::Text)
    }

    pub fn opt_timestamp(value: Option<DateTime<Utc>>) -> Self {
        value.map_or(Cell::Empty, Cell::Timestamp)
    }

    pub fn render(&self, dialect: Dialect) -> Cow<'a, str> {
        match *self {
            Cell::Text(s) => neutralise(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Decimal(x) => Cow::Owned(dialect.decimal(x)),
            Cell::Timestamp(at) => Cow::Owned(dialect.timestamp(at)),
            Cell::Betriebsnummer(s) => betriebsnummer(s, dialect),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, let one hide behind whitespace), as listed by OWASP's "CSV Injection".
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// OWASP's rule: a text cell that begins with a formula character gets a leading single
/// quote, so Excel and LibreOffice show it as text instead of evaluating it. Everything
/// else — and every non-text cell — is left exactly as it is.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// WORD JOINER: invisible, not whitespace, not a formula character.
pub const TEXT_MARK: char = '\u{2060}';

/// A German Excel opening a CSV with a double-click turns every cell of digits into a number:
/// `0012345` becomes `12345`, and twelve digits become `1,23457E+11`. Quoting does not stop it
/// and `="0012345"` is a formula, which the injection rule exists to keep out. So the Excel
/// dialect puts an invisible WORD JOINER in front of the Betriebsnummer: the cell is text and
/// shows every digit. RFC 4180 is read by programs, which are told the column's type; there
/// the number stays plain. [`crate::domain::Betriebsnummer::parse`] ignores the mark, so a
/// number copied from the sheet back into KammerDesk still works.
pub fn betriebsnummer(nummer: &str, dialect: Dialect) -> Cow<'_, str> {
    match dialect {
        Dialect::ExcelDe => Cow::Owned(format!("{TEXT_MARK}{nummer}")),
        Dialect::Rfc4180 => Cow::Borrowed(nummer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts_only_in_text() {
        for payload in ["=1+1", "+49 30 1234", "-2", "@SUM(A1)", "\tx", "\r=1"] {
            assert_eq!(
                Cell::Text(payload).render(Dialect::ExcelDe),
                format!("'{payload}")
            );
        }
        for harmless in ["Müller", "1+1", "a=b", "", " =x", "'quoted"] {
            assert_eq!(Cell::Text(harmless).render(Dialect::Rfc4180), harmless);
        }
        assert_eq!(Cell::Int(-5).render(Dialect::ExcelDe), "-5");
        assert_eq!(Cell::Decimal(-1.5).render(Dialect::ExcelDe), "-1,5");
    }

    #[test]
    fn betriebsnummer_is_text_for_excel_and_plain_for_rfc4180() {
        assert_eq!(
            Cell::Betriebsnummer("0012").render(Dialect::ExcelDe),
            "\u{2060}0012"
        );
        assert_eq!(
            Cell::Betriebsnummer("0012").render(Dialect::Rfc4180),
            "0012"
        );
    }
}

use serde::{Deserialize, Serialize};

use crate::Error;

/// A Betriebsnummer (also "Mitgliedsnummer") of the Handwerksrolle: text of 4 to 12 digits.
/// Leading zeros are part of the number, so it is never an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Betriebsnummer(String);

const MIN_DIGITS: usize = 4;
const MAX_DIGITS: usize = 12;

/// Drops blanks and the invisible WORD JOINER that the Excel export puts in front of every
/// Betriebsnummer, so a number copied out of an exported sheet is taken as typed.
fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{2060}')
        .collect()
}

impl Betriebsnummer {
    /// Forgiving about blanks a clerk copies along ("212 115 5381"), strict about everything else.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let compact = compact(input);
        if compact.is_empty() {
            return Err(Error::validation(
                "Bitte geben Sie eine Betriebsnummer ein.",
            ));
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::validation(format!(
                "„{}“ ist keine Betriebsnummer: Sie besteht nur aus Ziffern, z. B. 2121155381.",
                input.trim()
            )));
        }
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&compact.len()) {
            return Err(Error::validation(format!(
                "Eine Betriebsnummer hat {MIN_DIGITS} bis {MAX_DIGITS} Ziffern, „{compact}“ hat {}.",
                compact.len()
            )));
        }
        Ok(Betriebsnummer(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Betriebsnummer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The beginning of a Betriebsnummer, for look-up while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BetriebsnummerPrefix(String);

impl BetriebsnummerPrefix {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let compact = compact(input);
        if compact.is_empty()
            || compact.len() > MAX_DIGITS
            || !compact.chars().all(|c| c.is_ascii_digit())
        {
            return Err(Error::validation(format!(
                "„{}“ ist kein Anfang einer Betriebsnummer (1 bis {MAX_DIGITS} Ziffern).",
                input.trim()
            )));
        }
        Ok(BetriebsnummerPrefix(compact))
    }

    /// The LIKE pattern; digits need no escaping.
    pub fn like_pattern(&self) -> String {
        format!("{}%", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn keeps_leading_zeros_and_drops_blanks() {
        assert_eq!(
            Betriebsnummer::parse(" 0012 3456 ").unwrap().as_str(),
            "00123456"
        );
        assert_eq!(
            Betriebsnummer::parse("2121155381").unwrap().to_string(),
            "2121155381"
        );
        assert_eq!(
            Betriebsnummer::parse("\u{2060}0123").unwrap().as_str(),
            "0123"
        );
    }

    #[test]
    fn rejects_letters_length_and_empty() {
        for bad in [
            "",
            "   ",
            "21211A5381",
            "123",
            "1234567890123",
            "-2121155381",
            "2121155381.0",
        ] {
            let e = Betriebsnummer::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{bad}");
        }
    }

    #[test]
    fn prefix_accepts_one_digit_and_rejects_text() {
        assert_eq!(
            BetriebsnummerPrefix::parse("21").unwrap().like_pattern(),
            "21%"
        );
        assert!(BetriebsnummerPrefix::parse("2x").is_err());
        assert!(BetriebsnummerPrefix::parse("").is_err());
    }
}

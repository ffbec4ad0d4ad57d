use serde::{Deserialize, Serialize};

use crate::Error;

/// A Begründung a clerk writes for a decision ("telefonisch bestätigt"). Required wherever
/// the decision is not self-evident, so the audit log can answer "why?" years later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reason(String);

const MAX_CHARS: usize = 2000;

impl Reason {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::validation("Bitte geben Sie eine Begründung an."));
        }
        if s.chars().count() > MAX_CHARS {
            return Err(Error::validation(format!(
                "Die Begründung ist zu lang (höchstens {MAX_CHARS} Zeichen)."
            )));
        }
        Ok(Reason(s.to_string()))
    }

    /// An optional reason: blank means none.
    pub fn parse_optional(input: Option<&str>) -> Result<Option<Self>, Error> {
        match input.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => Self::parse(s).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_text() {
        assert!(Reason::parse("  ").is_err());
        assert_eq!(
            Reason::parse(" telefonisch bestätigt ").unwrap().as_str(),
            "telefonisch bestätigt"
        );
        assert!(Reason::parse(&"x".repeat(2001)).is_err());
        assert_eq!(Reason::parse_optional(Some(" ")).unwrap(), None);
    }
}

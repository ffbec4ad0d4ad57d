use serde::{Deserialize, Serialize};

use crate::Error;

/// An e-mail address as the portal and the Handwerksrolle hold it. Case is kept for display;
/// comparisons are case-insensitive (the database indexes `lower(email)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        let invalid = || {
            Error::validation(format!(
                "„{s}“ ist keine gültige E-Mail-Adresse (Beispiel: name@betrieb.de)."
            ))
        };
        if s.is_empty() {
            return Err(Error::validation(
                "Bitte geben Sie eine E-Mail-Adresse ein.",
            ));
        }
        if s.len() > 254
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c))
        {
            return Err(invalid());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || !domain.contains('.')
            || !labels_ok
        {
            return Err(invalid());
        }
        Ok(EmailAddress(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        assert_eq!(
            EmailAddress::parse(" Info@Testbetrieb.de ")
                .unwrap()
                .as_str(),
            "Info@Testbetrieb.de"
        );
        assert_eq!(
            EmailAddress::parse("a.b+c@x.example").unwrap().domain(),
            "x.example"
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "", "info", "info@", "@x.de", "a@b", "a b@x.de", "a@x..de", "a@@x.de", "<a@x.de>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}

use serde::{Deserialize, Serialize};

use crate::Error;

/// The number of an Antrag as the portal shows it: "Antrag Nr. 178".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct AntragNr(i64);

impl AntragNr {
    /// Accepts what people paste: "178", "Nr. 178", "Antrag Nr. 178".
    pub fn parse(input: &str) -> Result<Self, Error> {
        let lower = input.trim().to_lowercase();
        let digits = lower
            .trim_start_matches("antrag")
            .trim_start()
            .trim_start_matches("nr.")
            .trim_start_matches("nr")
            .trim();
        match digits.parse::<i64>() {
            Ok(n) if n > 0 && digits.chars().all(|c| c.is_ascii_digit()) => Ok(AntragNr(n)),
            _ => Err(Error::validation(format!(
                "„{}“ ist keine Antragsnummer. Erwartet wird eine Zahl wie 178.",
                input.trim()
            ))),
        }
    }

    /// For numbers that come out of the database, where they are valid by construction.
    pub fn from_db(n: i64) -> Self {
        AntragNr(n)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for AntragNr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_paste() {
        for ok in ["178", " Nr. 178", "Antrag Nr. 178", "nr178"] {
            assert_eq!(AntragNr::parse(ok).unwrap().get(), 178, "{ok}");
        }
        for bad in ["", "0", "-3", "17 8", "abc", "178a", "99999999999999999999"] {
            assert!(AntragNr::parse(bad).is_err(), "{bad}");
        }
    }
}

use serde::{Deserialize, Serialize};

use super::by_name_or_label;
use crate::Error;

/// Where an Antrag stands. The German labels are the portal's own words where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AntragStatus {
    AwaitingCode,
    InReview,
    Approved,
    Withdrawn,
    Rejected,
    Expired,
}

impl AntragStatus {
    pub const ALL: [AntragStatus; 6] = [
        AntragStatus::AwaitingCode,
        AntragStatus::InReview,
        AntragStatus::Approved,
        AntragStatus::Withdrawn,
        AntragStatus::Rejected,
        AntragStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AntragStatus::AwaitingCode => "awaiting_code",
            AntragStatus::InReview => "in_review",
            AntragStatus::Approved => "approved",
            AntragStatus::Withdrawn => "withdrawn",
            AntragStatus::Rejected => "rejected",
            AntragStatus::Expired => "expired",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            AntragStatus::AwaitingCode => "Freigabeschlüssel notwendig",
            AntragStatus::InReview => "In Bearbeitung",
            AntragStatus::Approved => "Zuordnung bestätigt",
            AntragStatus::Withdrawn => "Zurückgezogen",
            AntragStatus::Rejected => "Abgelehnt",
            AntragStatus::Expired => "Abgelaufen",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, AntragStatus::AwaitingCode | AntragStatus::InReview)
    }

    /// Accepts the machine name or the German label, case-insensitively.
    pub fn parse(input: &str) -> Result<Self, Error> {
        by_name_or_label(Self::ALL, input, |s| (s.as_str(), s.label_de())).ok_or_else(|| {
            Error::validation(format!(
                "Unbekannter Status „{}“. Möglich sind: {}.",
                input.trim(),
                Self::ALL.map(|s| s.as_str()).join(", ")
            ))
        })
    }

    /// For values read from the database, whose CHECK constraint admits only these.
    pub fn from_db(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| Error::internal(format!("unknown antrag status in database: {s}")))
    }
}

impl std::fmt::Display for AntragStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label_de())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_names_and_labels() {
        for s in AntragStatus::ALL {
            assert_eq!(AntragStatus::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                AntragStatus::parse(&s.label_de().to_uppercase()).unwrap(),
                s
            );
            assert_eq!(AntragStatus::from_db(s.as_str()).unwrap(), s);
        }
        assert!(AntragStatus::parse("erledigt").is_err());
    }
}

use serde::{Deserialize, Serialize};

use super::by_name_or_label;
use crate::Error;

/// A clerk's role. Each includes everything of the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Hotline,
    Sachbearbeitung,
    Admin,
}

/// What a clerk may be allowed to do. The matrix lives in [`Role::allows`] and nowhere else;
/// the UI asks the same function to grey out buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Look up Betriebe and Anträge, read the audit log.
    Lookup,
    /// See a code's metadata, check a code a caller reads out, send a new one.
    HandleCodes,
    /// Withdraw an Antrag on the requester's behalf.
    WithdrawOnBehalf,
    Approve,
    Reject,
    RevokeZuordnung,
    Export,
    ManageClerks,
    ManagePolicy,
    /// Read queued mails, which contain codes: IT only.
    ReadOutbox,
    /// Load the chamber's Handwerksrolle export (also the import service's job).
    ImportHandwerksrolle,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Hotline, Role::Sachbearbeitung, Role::Admin];

    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        let needed = match p {
            Lookup | HandleCodes | WithdrawOnBehalf => Role::Hotline,
            Approve | Reject | RevokeZuordnung | Export => Role::Sachbearbeitung,
            ManageClerks | ManagePolicy | ReadOutbox | ImportHandwerksrolle => Role::Admin,
        };
        self >= needed
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hotline => "hotline",
            Role::Sachbearbeitung => "sachbearbeitung",
            Role::Admin => "admin",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Role::Hotline => "Hotline",
            Role::Sachbearbeitung => "Sachbearbeitung",
            Role::Admin => "Administration",
        }
    }

    /// Why this role may not do `permission`, as the clerk reads it (refusals and tooltips).
    pub fn refusal_de(self, permission: Permission) -> String {
        format!(
            "Ihre Rolle „{}“ darf {}.",
            self.label_de(),
            permission.describe_de()
        )
    }

    pub fn parse(input: &str) -> Result<Self, Error> {
        by_name_or_label(Self::ALL, input, |r| (r.as_str(), r.label_de())).ok_or_else(|| {
            Error::validation(format!(
                "Unbekannte Rolle „{}“. Möglich sind: hotline, sachbearbeitung, admin.",
                input.trim()
            ))
        })
    }
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::Lookup,
        Permission::HandleCodes,
        Permission::WithdrawOnBehalf,
        Permission::Approve,
        Permission::Reject,
        Permission::RevokeZuordnung,
        Permission::Export,
        Permission::ManageClerks,
        Permission::ManagePolicy,
        Permission::ReadOutbox,
        Permission::ImportHandwerksrolle,
    ];

    /// Completes "Ihre Rolle darf …" in the refusal message.
    pub fn describe_de(self) -> &'static str {
        use Permission::*;
        match self {
            Lookup => "Betriebe und Anträge nicht einsehen",
            HandleCodes => "keine Bestätigungs-Codes prüfen oder senden",
            WithdrawOnBehalf => "keine Anträge zurückziehen",
            Approve => "keine Zuordnungen bestätigen",
            Reject => "keine Anträge ablehnen",
            RevokeZuordnung => "keine Zuordnungen aufheben",
            Export => "keine Exporte erstellen",
            ManageClerks => "keine Zugänge von Sachbearbeiter:innen verwalten",
            ManagePolicy => "die Richtlinien der Kammer nicht ändern",
            ReadOutbox => "den Postausgang nicht einsehen",
            ImportHandwerksrolle => "die Handwerksrolle nicht importieren",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn matrix_is_as_in_the_architecture() {
        let hotline = [Lookup, HandleCodes, WithdrawOnBehalf];
        let sachbearbeitung = [Approve, Reject, RevokeZuordnung, Export];
        let admin = [ManageClerks, ManagePolicy, ReadOutbox, ImportHandwerksrolle];
        for p in hotline {
            assert!(Role::ALL.iter().all(|r| r.allows(p)), "{p:?}");
        }
        for p in sachbearbeitung {
            assert!(
                !Role::Hotline.allows(p)
                    && Role::Sachbearbeitung.allows(p)
                    && Role::Admin.allows(p),
                "{p:?}"
            );
        }
        for p in admin {
            assert!(
                !Role::Hotline.allows(p)
                    && !Role::Sachbearbeitung.allows(p)
                    && Role::Admin.allows(p),
                "{p:?}"
            );
        }
    }
}

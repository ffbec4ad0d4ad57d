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

/// What a clerk may be allowed to do. Which role may do what is the database's table
/// `kammer_internal.permissions` and nowhere else; a signed-in clerk's own are
/// [`Permissions`].
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

    /// The name the database's `permissions` table gives it (serde's name too).
    pub fn as_str(self) -> &'static str {
        use Permission::*;
        match self {
            Lookup => "lookup",
            HandleCodes => "handle_codes",
            WithdrawOnBehalf => "withdraw_on_behalf",
            Approve => "approve",
            Reject => "reject",
            RevokeZuordnung => "revoke_zuordnung",
            Export => "export",
            ManageClerks => "manage_clerks",
            ManagePolicy => "manage_policy",
            ReadOutbox => "read_outbox",
            ImportHandwerksrolle => "import_handwerksrolle",
        }
    }

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

/// The permissions the database gives a signed-in clerk (`kammer_api.my_permissions`, from
/// its table `kammer_internal.permissions`): the desk greys out buttons and the core refuses
/// early with them, but the database checks again on every call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions(Vec<Permission>);

impl Permissions {
    /// From the database's names. A name this version does not know (a newer server's) gives
    /// nothing here: the desk has no button for it.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Permissions {
        Permissions(
            Permission::ALL
                .into_iter()
                .filter(|p| names.iter().any(|n| n.as_ref() == p.as_str()))
                .collect(),
        )
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    pub fn to_vec(&self) -> Vec<Permission> {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_take_known_names_once_and_skip_a_newer_servers() {
        let p = Permissions::from_names(&["approve", "lookup", "approve", "fly_to_the_moon"]);
        assert_eq!(p.to_vec(), [Permission::Lookup, Permission::Approve]);
        assert!(p.allows(Permission::Approve) && !p.allows(Permission::Export));
        for permission in Permission::ALL {
            assert_eq!(
                serde_json::to_value(permission).unwrap(),
                serde_json::Value::String(permission.as_str().to_string())
            );
        }
    }
}

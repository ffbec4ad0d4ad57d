use serde::{Deserialize, Serialize};

/// What an entry of the audit log records (`audit_events.action`). The database functions
/// write these names, and its CHECK constraint `audit_events_action_known` admits only them
/// (a test compares the two); the German labels are the desk's, generated into
/// ui/src/lib/bindings.ts, and kammerctl's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Requested,
    CodeMailSent,
    CodeMailFailed,
    CodeMailDeferred,
    CodeChecked,
    CodeWrong,
    CodeConfirmed,
    CodeResent,
    Approved,
    ApprovalRequested,
    Withdrawn,
    Rejected,
    Expired,
    ZuordnungRevoked,
    ExportWritten,
    AccountRegistered,
    AccountConfirmed,
    ClerkAdded,
    ClerkDisabled,
    ClerkEnabled,
    ClerkRoleChanged,
    ClerkPasswordSet,
    PolicyChanged,
    OutboxMailRead,
    OutboxMailRequeued,
    BetriebEmailChanged,
    BetriebGeloescht,
    CodeRetired,
    HandwerksrolleImported,
}

impl AuditAction {
    /// In the order the Protokoll's action filter offers them.
    pub const ALL: [AuditAction; 29] = [
        AuditAction::Requested,
        AuditAction::CodeMailSent,
        AuditAction::CodeMailFailed,
        AuditAction::CodeMailDeferred,
        AuditAction::CodeChecked,
        AuditAction::CodeWrong,
        AuditAction::CodeConfirmed,
        AuditAction::CodeResent,
        AuditAction::Approved,
        AuditAction::ApprovalRequested,
        AuditAction::Withdrawn,
        AuditAction::Rejected,
        AuditAction::Expired,
        AuditAction::ZuordnungRevoked,
        AuditAction::ExportWritten,
        AuditAction::AccountRegistered,
        AuditAction::AccountConfirmed,
        AuditAction::ClerkAdded,
        AuditAction::ClerkDisabled,
        AuditAction::ClerkEnabled,
        AuditAction::ClerkRoleChanged,
        AuditAction::ClerkPasswordSet,
        AuditAction::PolicyChanged,
        AuditAction::OutboxMailRead,
        AuditAction::OutboxMailRequeued,
        AuditAction::BetriebEmailChanged,
        AuditAction::BetriebGeloescht,
        AuditAction::CodeRetired,
        AuditAction::HandwerksrolleImported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Requested => "requested",
            AuditAction::CodeMailSent => "code_mail_sent",
            AuditAction::CodeMailFailed => "code_mail_failed",
            AuditAction::CodeMailDeferred => "code_mail_deferred",
            AuditAction::CodeChecked => "code_checked",
            AuditAction::CodeWrong => "code_wrong",
            AuditAction::CodeConfirmed => "code_confirmed",
            AuditAction::CodeResent => "code_resent",
            AuditAction::Approved => "approved",
            AuditAction::ApprovalRequested => "approval_requested",
            AuditAction::Withdrawn => "withdrawn",
            AuditAction::Rejected => "rejected",
            AuditAction::Expired => "expired",
            AuditAction::ZuordnungRevoked => "zuordnung_revoked",
            AuditAction::ExportWritten => "export_written",
            AuditAction::AccountRegistered => "account_registered",
            AuditAction::AccountConfirmed => "account_confirmed",
            AuditAction::ClerkAdded => "clerk_added",
            AuditAction::ClerkDisabled => "clerk_disabled",
            AuditAction::ClerkEnabled => "clerk_enabled",
            AuditAction::ClerkRoleChanged => "clerk_role_changed",
            AuditAction::ClerkPasswordSet => "clerk_password_set",
            AuditAction::PolicyChanged => "policy_changed",
            AuditAction::OutboxMailRead => "outbox_mail_read",
            AuditAction::OutboxMailRequeued => "outbox_mail_requeued",
            AuditAction::BetriebEmailChanged => "betrieb_email_changed",
            AuditAction::BetriebGeloescht => "betrieb_geloescht",
            AuditAction::CodeRetired => "code_retired",
            AuditAction::HandwerksrolleImported => "handwerksrolle_imported",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            AuditAction::Requested => "Antrag gestellt",
            AuditAction::CodeMailSent => "Code-E-Mail versendet",
            AuditAction::CodeMailFailed => "Code-E-Mail nicht zustellbar",
            AuditAction::CodeMailDeferred => "Code-E-Mail zurückgestellt",
            AuditAction::CodeChecked => "Code geprüft",
            AuditAction::CodeWrong => "Falscher Bestätigungs-Code eingegeben",
            AuditAction::CodeConfirmed => "Richtiger Bestätigungs-Code eingegeben",
            AuditAction::CodeResent => "Code erneut gesendet",
            AuditAction::Approved => "Zuordnung bestätigt",
            AuditAction::ApprovalRequested => {
                "Bestätigung ohne Code angefragt (zweite Person nötig)"
            }
            AuditAction::Withdrawn => "Antrag zurückgezogen",
            AuditAction::Rejected => "Antrag abgelehnt",
            AuditAction::Expired => "Antrag abgelaufen",
            AuditAction::ZuordnungRevoked => "Zuordnung aufgehoben",
            AuditAction::ExportWritten => "Export geschrieben",
            AuditAction::AccountRegistered => "Konto registriert",
            AuditAction::AccountConfirmed => "Konto bestätigt",
            AuditAction::ClerkAdded => "Sachbearbeiter:in angelegt",
            AuditAction::ClerkDisabled => "Sachbearbeiter:in gesperrt",
            AuditAction::ClerkEnabled => "Sachbearbeiter:in entsperrt",
            AuditAction::ClerkRoleChanged => "Rolle geändert",
            AuditAction::ClerkPasswordSet => "Passwort gesetzt",
            AuditAction::PolicyChanged => "Richtlinie geändert",
            AuditAction::OutboxMailRead => "Ausgehende E-Mail eingesehen",
            AuditAction::OutboxMailRequeued => "E-Mail erneut eingereiht",
            AuditAction::BetriebEmailChanged => "E-Mail-Adresse in der Handwerksrolle geändert",
            AuditAction::BetriebGeloescht => "Betrieb in der Handwerksrolle gelöscht",
            AuditAction::CodeRetired => "Bestätigungs-Code ungültig gemacht",
            AuditAction::HandwerksrolleImported => "Handwerksrolle importiert",
        }
    }

    /// The action of a stored entry; `None` for a name this version does not know (an entry
    /// written by a newer release: shown as it is).
    pub fn parse(name: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_serde_agrees() {
        let mut seen = std::collections::BTreeSet::new();
        for action in AuditAction::ALL {
            assert!(seen.insert(action.as_str()), "{} twice", action.as_str());
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::json!(action.as_str())
            );
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert!(!action.label_de().is_empty());
        }
        assert_eq!(AuditAction::parse("gibt_es_nicht"), None);
    }
}

//! What a clerk may do with an Antrag now, and in words why not. The desk disables its
//! buttons with these answers; the database functions check role and state again when an
//! action runs, so this is advice for the UI, never the guard.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AntragStatus, Permission, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AntragAction {
    CheckCode,
    ResendCode,
    Approve,
    Withdraw,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionState {
    pub action: AntragAction,
    pub allowed: bool,
    /// The action asks for a Begründung (the core refuses it without one).
    pub reason_required: bool,
    /// The tooltip of a disabled button.
    pub why_not: Option<String>,
}

impl AntragAction {
    pub const ALL: [AntragAction; 5] = [
        AntragAction::CheckCode,
        AntragAction::ResendCode,
        AntragAction::Approve,
        AntragAction::Withdraw,
        AntragAction::Reject,
    ];

    fn permission(self) -> Permission {
        match self {
            AntragAction::CheckCode | AntragAction::ResendCode => Permission::HandleCodes,
            AntragAction::Approve => Permission::Approve,
            AntragAction::Withdraw => Permission::WithdrawOnBehalf,
            AntragAction::Reject => Permission::Reject,
        }
    }

    /// Whether the state machine allows the action from `status` (and then whether it needs
    /// a reason), or why not.
    fn in_status(
        self,
        status: AntragStatus,
        approval: Option<ApprovalState>,
    ) -> Result<bool, String> {
        use AntragStatus::*;
        let closed = || {
            format!(
                "Der Antrag ist abgeschlossen (Status „{}“).",
                status.label_de()
            )
        };
        let no_code = || {
            format!(
                "Der Antrag wartet auf keinen Bestätigungs-Code (Status „{}“).",
                status.label_de()
            )
        };
        match (self, status) {
            (AntragAction::CheckCode, AwaitingCode) => Ok(false),
            (AntragAction::ResendCode, AwaitingCode) => Ok(true),
            (AntragAction::CheckCode | AntragAction::ResendCode, _) => Err(no_code()),
            // Approving an Antrag whose code never arrived needs a reason and, by default, a
            // second clerk (kammer_api.antrag_approve).
            (AntragAction::Approve, InReview) => Ok(false),
            (AntragAction::Approve, AwaitingCode) => match approval {
                None => Ok(true),
                Some(ApprovalState { requested_by_me: true }) => Err(
                    "Sie haben die Bestätigung ohne Code angefragt. Die zweite Bestätigung gibt eine andere Person der Sachbearbeitung (Vier-Augen-Prinzip).".to_string(),
                ),
                Some(ApprovalState { requested_by_me: false }) => Ok(false),
            },
            (AntragAction::Withdraw | AntragAction::Reject, s) if s.is_open() => Ok(true),
            _ => Err(closed()),
        }
    }
}

/// An approval without the code that waits for its second confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalState {
    /// The clerk looking at it asked for it (and so cannot confirm it).
    pub requested_by_me: bool,
}

/// Every action with its availability for a clerk of `role` on an Antrag in `status`.
/// `resend_available_at` is when the policy allows the next code, if not now; `approval`
/// the pending first confirmation of an approval without the code, if any.
pub fn available(
    role: Role,
    status: AntragStatus,
    resend_available_at: Option<DateTime<Utc>>,
    approval: Option<ApprovalState>,
) -> Vec<ActionState> {
    AntragAction::ALL
        .into_iter()
        .map(|action| {
            let verdict = if role.allows(action.permission()) {
                action.in_status(status, approval)
            } else {
                Err(role.refusal_de(action.permission()))
            };
            let verdict = match (action, verdict, resend_available_at) {
                (AntragAction::ResendCode, Ok(_), Some(at)) => Err(format!(
                    "Ein neuer Code kann erst ab {} gesendet werden (Richtlinie der Kammer).",
                    crate::mail::format_de(at)
                )),
                (_, verdict, _) => verdict,
            };
            match verdict {
                Ok(reason_required) => ActionState {
                    action,
                    allowed: true,
                    reason_required,
                    why_not: None,
                },
                Err(why) => ActionState {
                    action,
                    allowed: false,
                    reason_required: false,
                    why_not: Some(why),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(role: Role, status: AntragStatus, action: AntragAction) -> ActionState {
        available(role, status, None, None)
            .into_iter()
            .find(|a| a.action == action)
            .unwrap()
    }

    #[test]
    fn hotline_cannot_confirm_and_is_told_why() {
        let s = state(Role::Hotline, AntragStatus::InReview, AntragAction::Approve);
        assert!(!s.allowed);
        assert_eq!(
            s.why_not.as_deref(),
            Some("Ihre Rolle „Hotline“ darf keine Zuordnungen bestätigen.")
        );
        assert!(
            state(
                Role::Hotline,
                AntragStatus::InReview,
                AntragAction::Withdraw
            )
            .allowed
        );
    }

    #[test]
    fn approving_without_the_code_needs_a_reason() {
        let with_code = state(
            Role::Sachbearbeitung,
            AntragStatus::InReview,
            AntragAction::Approve,
        );
        assert!(with_code.allowed && !with_code.reason_required);
        let without = state(
            Role::Sachbearbeitung,
            AntragStatus::AwaitingCode,
            AntragAction::Approve,
        );
        assert!(without.allowed && without.reason_required);
    }

    #[test]
    fn the_second_confirmation_comes_from_someone_else() {
        let mine = Some(ApprovalState {
            requested_by_me: true,
        });
        let theirs = Some(ApprovalState {
            requested_by_me: false,
        });
        let approve = |approval| {
            available(
                Role::Sachbearbeitung,
                AntragStatus::AwaitingCode,
                None,
                approval,
            )
            .into_iter()
            .find(|a| a.action == AntragAction::Approve)
            .unwrap()
        };
        let own = approve(mine);
        assert!(!own.allowed);
        assert!(own.why_not.unwrap().contains("andere Person"));
        let second = approve(theirs);
        assert!(second.allowed && !second.reason_required);
    }

    #[test]
    fn closed_antraege_allow_nothing() {
        for status in AntragStatus::ALL.into_iter().filter(|s| !s.is_open()) {
            for s in available(Role::Admin, status, None, None) {
                assert!(!s.allowed, "{status:?} {:?}", s.action);
                assert!(s.why_not.unwrap().contains(status.label_de()));
            }
        }
    }

    #[test]
    fn cooldown_disables_only_the_resend() {
        let later = Utc::now() + chrono::Duration::seconds(30);
        let states = available(Role::Hotline, AntragStatus::AwaitingCode, Some(later), None);
        let resend = states
            .iter()
            .find(|a| a.action == AntragAction::ResendCode)
            .unwrap();
        assert!(!resend.allowed);
        assert!(resend.why_not.as_deref().unwrap().contains("erst ab"));
        let check = states
            .iter()
            .find(|a| a.action == AntragAction::CheckCode)
            .unwrap();
        assert!(check.allowed);
    }
}

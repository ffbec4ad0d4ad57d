//! What a clerk may do with an Antrag now, and in words why not. The desk disables its
//! buttons with these answers; the database functions check role and state again when an
//! action runs, so this is advice for the UI, never the guard. The states and the
//! permissions come from the database's own tables (`StartStates`, `Permissions`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::auth::Session;
use crate::domain::{AntragStatus, Permission, Permissions, Role};

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

    /// The name the database's `start_states` gives the action (serde's name too).
    pub fn as_str(self) -> &'static str {
        match self {
            AntragAction::CheckCode => "check_code",
            AntragAction::ResendCode => "resend_code",
            AntragAction::Approve => "approve",
            AntragAction::Withdraw => "withdraw",
            AntragAction::Reject => "reject",
        }
    }

    /// Whether the database's start states allow the action from `status` (and then whether
    /// it needs a reason), or why not.
    fn in_status(
        self,
        status: AntragStatus,
        approval: Option<ApprovalState>,
        start: &StartStates,
    ) -> Result<bool, String> {
        let Some(reason_required) = start.reason_required(self, status) else {
            return Err(if start.needs_waiting_code(self) {
                format!(
                    "Der Antrag wartet auf keinen Bestätigungs-Code (Status „{}“).",
                    status.label_de()
                )
            } else if status.is_open() {
                format!("Im Status „{}“ ist das nicht möglich.", status.label_de())
            } else {
                format!(
                    "Der Antrag ist abgeschlossen (Status „{}“).",
                    status.label_de()
                )
            });
        };
        match (self, approval) {
            // A first approval without the code waits for a second clerk
            // (kammer_api.antrag_approve), who needs no reason of their own.
            (AntragAction::Approve, Some(ApprovalState { requested_by_me: true })) => Err(
                "Sie haben die Bestätigung ohne Code angefragt. Die zweite Bestätigung gibt eine andere Person der Sachbearbeitung (Vier-Augen-Prinzip).".to_string(),
            ),
            (AntragAction::Approve, Some(ApprovalState { requested_by_me: false })) => Ok(false),
            _ => Ok(reason_required),
        }
    }
}

/// From which states each of the desk's actions may start, and whether it needs a Begründung
/// there: the rows of the database's one declaration, `kammer_internal.start_states`, which its
/// functions enforce. The desk reads them for every Antrag it shows, so its buttons offer
/// exactly what the database will accept. Rows of the portal's and the system's actions are
/// not the desk's and are left out.
#[derive(Debug, Clone, Default)]
pub struct StartStates(Vec<(AntragAction, AntragStatus, bool)>);

impl StartStates {
    pub async fn read(session: &Session) -> Result<StartStates> {
        let rows = sqlx::query!(
            r#"select action as "action!", status as "status!", reason_required as "reason_required!"
               from kammer_api.start_states()"#
        )
        .fetch_all(&mut session.connection().await?)
        .await?;
        let mut states = Vec::new();
        for row in rows {
            let Some(action) = AntragAction::ALL
                .into_iter()
                .find(|a| a.as_str() == row.action)
            else {
                continue;
            };
            states.push((
                action,
                AntragStatus::from_db(&row.status)?,
                row.reason_required,
            ));
        }
        Ok(StartStates(states))
    }

    fn reason_required(&self, action: AntragAction, status: AntragStatus) -> Option<bool> {
        self.0
            .iter()
            .find(|&&(a, s, _)| a == action && s == status)
            .map(|&(_, _, reason_required)| reason_required)
    }

    /// The action starts only where a code is awaited (so the refusal says that, as the
    /// database's `kammer_internal.refuse_start` does).
    fn needs_waiting_code(&self, action: AntragAction) -> bool {
        let mut from = self.0.iter().filter(|&&(a, _, _)| a == action);
        from.clone().next().is_some() && from.all(|&(_, s, _)| s == AntragStatus::AwaitingCode)
    }
}

/// An approval without the code that waits for its second confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalState {
    /// The clerk looking at it asked for it (and so cannot confirm it).
    pub requested_by_me: bool,
}

/// Every action with its availability for a clerk of `role` with `permissions` on an Antrag
/// in `status`, by the database's `start`. `resend_available_at` is when the policy allows the next code, if not
/// now; `approval` the pending first confirmation of an approval without the code, if any.
pub fn available(
    role: Role,
    permissions: &Permissions,
    status: AntragStatus,
    start: &StartStates,
    resend_available_at: Option<DateTime<Utc>>,
    approval: Option<ApprovalState>,
) -> Vec<ActionState> {
    AntragAction::ALL
        .into_iter()
        .map(|action| {
            let verdict = if permissions.allows(action.permission()) {
                action.in_status(status, approval, start)
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

//! The states an action may start from exist twice, on purpose: in the database functions,
//! which enforce them (`kammer_api.antrag_approve` and the `p_from` it and the other
//! decisions pass to `kammer_internal.transition`; `kammer_internal.lock_awaiting_code`
//! before a resend), and in `antraege::available`, which greys out the desk's buttons with a
//! reason, and says when a Begründung is needed. This keeps the two equal, as `roles.rs` does
//! for the permission matrix: for every status (and every state of a pending approval without
//! the code) and every state-changing action, an Antrag brought there by the real flows is
//! acted on by the administration, whose role allows everything, and the database's answer
//! must be what the button promised.

use crate::common;

use common::*;
use kammer_core::antraege::{self, ActionState, AntragAction, ApprovalOutcome, ApprovalState};
use kammer_core::codes;
use kammer_core::domain::{AntragNr, AntragStatus, Role};
use kammer_core::expiry;
use kammer_core::{Error, ErrorKind, Result};
use sqlx::PgPool;

/// Where the Antrag stands before the action: its status, and for one waiting for its code
/// possibly a first approval without the code, by the administration itself or by someone else.
#[derive(Debug, Clone, Copy)]
struct Start {
    status: AntragStatus,
    approval: Option<ApprovalState>,
}

fn starts() -> Vec<Start> {
    let mut all: Vec<Start> = AntragStatus::ALL
        .into_iter()
        .map(|status| Start {
            status,
            approval: None,
        })
        .collect();
    for requested_by_me in [true, false] {
        all.push(Start {
            status: AntragStatus::AwaitingCode,
            approval: Some(ApprovalState { requested_by_me }),
        });
    }
    all
}

fn why() -> kammer_core::domain::Reason {
    reason("Prüfung der Startzustände")
}

/// An Antrag brought to `start` by the real flows (expiry by moving its code's end into the
/// past, then the reporting job).
async fn antrag_at(f: &Fixture, pool: &PgPool, start: Start, nummer: &str) -> AntragNr {
    let nr = f.file_for(pool, nummer).await;
    match start.status {
        AntragStatus::AwaitingCode => {}
        AntragStatus::InReview | AntragStatus::Approved => {
            let code = code_from_outbox(pool, nr).await;
            kammer_core::portal::submit_code(&f.portal, &f.email, nr, &code)
                .await
                .unwrap();
            if start.status == AntragStatus::Approved {
                antraege::approve(&f.sb, nr, None).await.unwrap();
            }
        }
        AntragStatus::Withdrawn => antraege::withdraw(&f.sb, nr, &why()).await.unwrap(),
        AntragStatus::Rejected => antraege::reject(&f.sb, nr, &why()).await.unwrap(),
        AntragStatus::Expired => {
            expire_codes(pool, nr).await;
            expiry::expire_overdue(&f.reporting).await.unwrap();
        }
    }
    if let Some(ApprovalState { requested_by_me }) = start.approval {
        let first = if requested_by_me { &f.admin } else { &f.sb };
        let asked = antraege::approve(first, nr, Some(&why())).await.unwrap();
        assert_eq!(asked.outcome, ApprovalOutcome::AwaitingSecond);
    }
    assert_eq!(status(pool, nr).await, start.status.as_str(), "{start:?}");
    nr
}

/// Refused because of where the Antrag stands, not for its role or its input.
fn refused_for_state(e: &Error) -> bool {
    let m = e.message();
    (e.kind() == ErrorKind::Conflict
        && (m.contains("hat inzwischen den Status")
            || m.contains("wartet nicht mehr auf einen Bestätigungs-Code")))
        // One's own first approval without the code cannot be confirmed by oneself.
        || (e.kind() == ErrorKind::Forbidden && m.contains("Vier-Augen-Prinzip"))
}

/// The action as the administration takes it from the desk: with a Begründung only where the
/// button asks for one. An approval without the code that now waits for its second
/// confirmation is completed by another clerk, so that the transition itself runs.
async fn act(f: &Fixture, pool: &PgPool, state: &ActionState, nr: AntragNr) -> Result<()> {
    let why = why();
    match state.action {
        AntragAction::Approve => {
            let reason = state.reason_required.then_some(&why);
            let approved = antraege::approve(&f.admin, nr, reason).await?;
            if approved.outcome == ApprovalOutcome::AwaitingSecond {
                let second = antraege::approve(&f.sb2, nr, None).await?;
                assert_eq!(second.outcome, ApprovalOutcome::Approved);
            }
            assert_eq!(status(pool, nr).await, "approved");
            Ok(())
        }
        AntragAction::Withdraw => antraege::withdraw(&f.admin, nr, &why).await,
        AntragAction::Reject => antraege::reject(&f.admin, nr, &why).await,
        AntragAction::ResendCode => codes::resend(&f.admin, nr, &why).await.map(|_| ()),
        AntragAction::CheckCode => unreachable!("a check changes no state"),
    }
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_buttons_allow_exactly_what_the_database_accepts(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_request_limits().await;
    f.without_resend_cooldown().await;
    f.auto_approve(false).await;
    let mut diverging = Vec::new();
    let mut betrieb = 3_000_000_000u64;
    let mut cases = 0;
    for start in starts() {
        let promised = antraege::available(Role::Admin, start.status, None, start.approval);
        for state in promised
            .iter()
            .filter(|s| s.action != AntragAction::CheckCode)
        {
            betrieb += 1;
            cases += 1;
            let nr = antrag_at(&f, &pool, start, &betrieb.to_string()).await;
            // Where the button asks for a Begründung, the database insists on it too.
            if state.allowed && state.reason_required && state.action == AntragAction::Approve {
                let without = antraege::approve(&f.admin, nr, None).await;
                assert_kind(without, ErrorKind::Validation);
            }
            let accepted = match act(&f, &pool, state, nr).await {
                Ok(()) => true,
                Err(e) if refused_for_state(&e) => false,
                Err(e) => panic!("{start:?} {:?}: unexpected refusal {e:?}", state.action),
            };
            if accepted != state.allowed {
                diverging.push(format!(
                    "{:?} from {start:?}: the desk says {}, the database {}",
                    state.action,
                    if state.allowed {
                        "allowed"
                    } else {
                        "not allowed"
                    },
                    if accepted {
                        "accepted it"
                    } else {
                        "refused it"
                    },
                ));
            }
        }
    }
    assert_eq!(cases, 8 * 4, "every start with every state-changing action");
    assert!(
        diverging.is_empty(),
        "the start states differ:\n{}",
        diverging.join("\n")
    );
}

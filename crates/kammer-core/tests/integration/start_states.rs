//! The states an action may start from are declared once, in the database's table
//! `kammer_internal.start_states`: its functions lock an Antrag through
//! `kammer_internal.start` and move it through `kammer_internal.transition`, both of which
//! ask the table, and the desk reads the same rows (`antraege::StartStates`) to grey out its
//! buttons with a reason and to say where a Begründung is needed. These tests check that the
//! functions really follow the table: for every status (and every state of a pending
//! approval without the code) and every state-changing action, an Antrag brought there by
//! the real flows is acted on by the administration, whose role allows everything, and the
//! database's answer must be what the button promised.

use crate::common;

use common::*;
use kammer_core::antraege::{
    self, ActionState, AntragAction, ApprovalOutcome, ApprovalState, StartStates,
};
use kammer_core::auth::Session;
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
    let declared = StartStates::read(&f.admin).await.unwrap();
    for start in starts() {
        let promised = antraege::available(
            Role::Admin,
            &f.admin.permissions,
            start.status,
            &declared,
            None,
            start.approval,
        );
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

fn action_of(states: Vec<ActionState>, action: AntragAction) -> ActionState {
    states.into_iter().find(|a| a.action == action).unwrap()
}

/// The buttons as the declared states, the role matrix and the pending approval make them,
/// with the reasons a clerk reads on a disabled one.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_buttons_follow_the_declared_states(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let declared = StartStates::read(&f.hotline).await.unwrap();
    let state = |who: &Session, status, action| {
        action_of(
            antraege::available(who.role, &who.permissions, status, &declared, None, None),
            action,
        )
    };

    // Every action of the desk starts somewhere.
    for action in AntragAction::ALL {
        assert!(
            AntragStatus::ALL
                .into_iter()
                .any(|s| state(&f.admin, s, action).allowed),
            "{action:?} has no start state"
        );
    }

    // The hotline may not confirm, and is told why; withdrawing is theirs.
    let s = state(&f.hotline, AntragStatus::InReview, AntragAction::Approve);
    assert!(!s.allowed);
    assert_eq!(
        s.why_not.as_deref(),
        Some("Ihre Rolle „Hotline“ darf keine Zuordnungen bestätigen.")
    );
    assert!(state(&f.hotline, AntragStatus::InReview, AntragAction::Withdraw).allowed);

    // Approving without the code needs a reason; with the code it does not.
    let with_code = state(&f.sb, AntragStatus::InReview, AntragAction::Approve);
    assert!(with_code.allowed && !with_code.reason_required);
    let without = state(&f.sb, AntragStatus::AwaitingCode, AntragAction::Approve);
    assert!(without.allowed && without.reason_required);

    // The second confirmation comes from someone else, who needs no reason of their own.
    let approve = |requested_by_me| {
        action_of(
            antraege::available(
                Role::Sachbearbeitung,
                &f.sb.permissions,
                AntragStatus::AwaitingCode,
                &declared,
                None,
                Some(ApprovalState { requested_by_me }),
            ),
            AntragAction::Approve,
        )
    };
    let own = approve(true);
    assert!(!own.allowed);
    assert!(own.why_not.unwrap().contains("andere Person"));
    let second = approve(false);
    assert!(second.allowed && !second.reason_required);

    // A code can be handled only while one is awaited, and the button says so.
    let resend = state(&f.hotline, AntragStatus::InReview, AntragAction::ResendCode);
    assert!(!resend.allowed);
    assert!(
        resend
            .why_not
            .unwrap()
            .contains("wartet auf keinen Bestätigungs-Code")
    );

    // A closed Antrag allows nothing and names its status.
    for status in AntragStatus::ALL.into_iter().filter(|s| !s.is_open()) {
        for s in antraege::available(
            Role::Admin,
            &f.admin.permissions,
            status,
            &declared,
            None,
            None,
        ) {
            assert!(!s.allowed, "{status:?} {:?}", s.action);
            assert!(s.why_not.unwrap().contains(status.label_de()));
        }
    }

    // The policy's cooldown disables only the resend.
    let later = chrono::Utc::now() + chrono::Duration::seconds(30);
    let states = antraege::available(
        Role::Hotline,
        &f.hotline.permissions,
        AntragStatus::AwaitingCode,
        &declared,
        Some(later),
        None,
    );
    let resend = action_of(states.clone(), AntragAction::ResendCode);
    assert!(!resend.allowed);
    assert!(resend.why_not.unwrap().contains("erst ab"));
    assert!(action_of(states, AntragAction::CheckCode).allowed);
}

/// The table holds the desk's actions under their Rust names, the portal's and the system's
/// under the names their functions use, and only statuses an Antrag can have. And it holds the
/// lifecycle of the chamber's architecture: this list is the specification the table is
/// checked against (the tests above check that the functions and the buttons follow the table).
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_declared_states_are_the_lifecycle(pool: PgPool) {
    let mut table: Vec<(String, String, bool)> =
        sqlx::query_as("select action, status, reason_required from kammer_api.start_states()")
            .fetch_all(&pool)
            .await
            .unwrap();
    table.sort();
    let mut specified: Vec<(String, String, bool)> = [
        ("check_code", "awaiting_code", false),
        ("resend_code", "awaiting_code", true),
        ("approve", "in_review", false),
        ("approve", "awaiting_code", true),
        ("withdraw", "awaiting_code", true),
        ("withdraw", "in_review", true),
        ("reject", "awaiting_code", true),
        ("reject", "in_review", true),
        ("submit_code", "awaiting_code", false),
        ("withdraw_own", "awaiting_code", false),
        ("withdraw_own", "in_review", false),
        ("expire", "awaiting_code", false),
        ("expire_geloescht", "awaiting_code", false),
        ("expire_geloescht", "in_review", false),
    ]
    .into_iter()
    .map(|(a, s, r)| (a.to_string(), s.to_string(), r))
    .collect();
    specified.sort();
    assert_eq!(table, specified);

    let rows: Vec<(String, String)> = table.into_iter().map(|(a, s, _)| (a, s)).collect();
    let portal_and_system = ["submit_code", "withdraw_own", "expire", "expire_geloescht"];
    for (action, status) in &rows {
        assert!(
            AntragAction::ALL.iter().any(|a| a.as_str() == action)
                || portal_and_system.contains(&action.as_str()),
            "unknown action {action}"
        );
        assert!(
            AntragStatus::ALL.iter().any(|s| s.as_str() == status),
            "unknown status {status} for {action}"
        );
    }
    for action in AntragAction::ALL
        .map(|a| a.as_str())
        .iter()
        .chain(&portal_and_system)
    {
        assert!(
            rows.iter().any(|(a, _)| a == action),
            "{action} starts nowhere"
        );
    }
    // serde's names are the table's.
    for action in AntragAction::ALL {
        assert_eq!(
            serde_json::to_value(action).unwrap(),
            serde_json::Value::String(action.as_str().to_string())
        );
    }
}

/// One place: take a start state out of the table (as the owner, in a migration, would) and
/// both the database's function and the desk's button stop offering the action from there.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn one_row_of_the_table_moves_both_the_database_and_the_button(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.auto_approve(false).await;
    let nr = antrag_at(
        &f,
        &pool,
        Start {
            status: AntragStatus::InReview,
            approval: None,
        },
        "3100000001",
    )
    .await;
    let withdraw = |view: &antraege::AntragView| {
        view.actions
            .iter()
            .find(|a| a.action == AntragAction::Withdraw)
            .unwrap()
            .allowed
    };
    assert!(withdraw(&antraege::view(&f.hotline, nr).await.unwrap()));

    sqlx::query(
        "delete from kammer_internal.start_states where action = 'withdraw' and status = 'in_review'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(!withdraw(&antraege::view(&f.hotline, nr).await.unwrap()));
    let before = snapshot(&pool).await;
    let e = assert_kind(
        antraege::withdraw(&f.hotline, nr, &why()).await,
        ErrorKind::Conflict,
    );
    // Withdrawing now starts only where a code is awaited, and the refusal says so.
    assert!(
        e.message()
            .contains("wartet nicht mehr auf einen Bestätigungs-Code"),
        "{}",
        e.message()
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "in_review");
}

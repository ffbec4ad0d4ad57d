//! The states an action may start from exist twice, on purpose: in the database functions,
//! which enforce them (`p_from` of `kammer_internal.transition` and the locks before a
//! resend), and in `antraege::available`, which greys out the desk's buttons with a reason.
//! This keeps the two equal, as `roles.rs` does for the permission matrix: for every status
//! and every state-changing action, an Antrag in that status is acted on by the
//! administration (whose role allows everything), and the database's answer must be what
//! the buttons promised.

use crate::common;

use common::*;
use kammer_core::antraege::{self, AntragAction};
use kammer_core::codes;
use kammer_core::domain::{AntragNr, AntragStatus, Role};
use kammer_core::expiry;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;

/// An Antrag brought to `status` by the real flows (expiry by moving its code's end into
/// the past, then the reporting job).
async fn antrag_in(f: &Fixture, pool: &PgPool, wanted: AntragStatus, nummer: &str) -> AntragNr {
    let nr = f.file_for(pool, nummer).await;
    let why = reason("Prüfung der Startzustände");
    match wanted {
        AntragStatus::AwaitingCode => {}
        AntragStatus::InReview | AntragStatus::Approved => {
            let code = code_from_outbox(pool, nr).await;
            kammer_core::portal::submit_code(&f.portal, &f.email, nr, &code)
                .await
                .unwrap();
            if wanted == AntragStatus::Approved {
                antraege::approve(&f.sb, nr, None).await.unwrap();
            }
        }
        AntragStatus::Withdrawn => antraege::withdraw(&f.sb, nr, &why).await.unwrap(),
        AntragStatus::Rejected => antraege::reject(&f.sb, nr, &why).await.unwrap(),
        AntragStatus::Expired => {
            sqlx::query(
                "update confirmation_codes set expires_at = now() - interval '1 minute' where antrag_nr = $1",
            )
            .bind(nr.get())
            .execute(pool)
            .await
            .unwrap();
            expiry::expire_overdue(&f.reporting).await.unwrap();
        }
    }
    assert_eq!(
        status(pool, nr).await,
        wanted.as_str(),
        "fixture for {wanted:?}"
    );
    nr
}

/// The action, run by the administration; `Ok` when the database accepted it.
async fn act(f: &Fixture, action: AntragAction, nr: AntragNr) -> Result<()> {
    let why = reason("Prüfung der Startzustände");
    match action {
        AntragAction::Approve => antraege::approve(&f.admin, nr, Some(&why))
            .await
            .map(|_| ()),
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
    for status in AntragStatus::ALL {
        let promised = antraege::available(Role::Admin, status, None, None);
        for state in promised
            .iter()
            .filter(|s| s.action != AntragAction::CheckCode)
        {
            betrieb += 1;
            let nr = antrag_in(&f, &pool, status, &betrieb.to_string()).await;
            let outcome = act(&f, state.action, nr).await;
            let accepted = match &outcome {
                Ok(()) => true,
                // The state machine's refusal: „… steht inzwischen auf …“.
                Err(e) if e.kind() == ErrorKind::Conflict => false,
                Err(e) => panic!("{status:?} {:?}: unexpected refusal {e:?}", state.action),
            };
            if accepted != state.allowed {
                diverging.push(format!(
                    "{:?} from {status:?}: the desk says {}, the database {}",
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
    assert!(
        diverging.is_empty(),
        "the start states differ:\n{}",
        diverging.join("\n")
    );
}

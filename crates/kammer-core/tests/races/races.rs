//! Concurrency: many tasks over real connections against one database, each clerk through
//! their own login. No sleeps: every task starts at once and the database decides.
use crate::common;

use std::sync::Arc;

use common::*;
use kammer_core::antraege::{self, AntragFilter, ApprovalOutcome};
use kammer_core::auth::Session;
use kammer_core::codes;
use kammer_core::domain::{AntragNr, Role};
use kammer_core::policy::PolicyChange;
use kammer_core::portal;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::{Barrier, Mutex};

/// The races open dozens of connections each; two at once could run PostgreSQL out of them.
/// One race at a time (and, as a binary of their own, none beside the other tests).
static ONE_RACE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A pool of `n` connections as `login`: enough that every task really runs its own
/// transaction.
async fn wide(f: &Fixture, login: &str, n: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(n)
        .connect_with(f.server.clone().username(login).password(CLERK_PW))
        .await
        .unwrap()
}

/// The session of `clerk` over a wide pool of its own login.
async fn wide_session(f: &Fixture, clerk: &Session, n: u32) -> Session {
    Session::from_pool(wide(f, &clerk.username, n).await)
        .await
        .unwrap()
}

/// The fixture with auto-approve off and no daily limit for its account, and `n` Anträge in
/// review, each for a Betrieb of its own (Betriebsnummern `{prefix}00`, `{prefix}01`, …).
async fn fixture_with_in_review(pool: &PgPool, prefix: &str, n: usize) -> (Fixture, Vec<AntragNr>) {
    let f = Fixture::new(pool).await;
    f.auto_approve(false).await;
    f.without_request_limits().await;
    let mut nrs = Vec::new();
    for i in 0..n {
        let nr = f.file_for(pool, &format!("{prefix}{i:02}")).await;
        f.submit_for_review(pool, nr).await;
        nrs.push(nr);
    }
    (f, nrs)
}

fn tally<T>(results: &[Result<T>]) -> (usize, usize) {
    let ok = results.iter().filter(|r| r.is_ok()).count();
    for r in results {
        if let Err(e) = r {
            assert_eq!(
                e.kind(),
                ErrorKind::Conflict,
                "unexpected refusal: {}",
                e.message()
            );
        }
    }
    (ok, results.len() - ok)
}

/// `n` signed-in sessions, taking turns among `clerks`.
async fn sessions_of(f: &Fixture, clerks: &[&Session], n: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for i in 0..n {
        sessions.push(sign_in(&f.server, &clerks[i % clerks.len()].username).await);
    }
    sessions
}

/// Every session approves `nr` at the same moment; each result with the clerk who tried.
async fn approve_at_once(
    sessions: &[Session],
    nr: AntragNr,
) -> Vec<(i64, Result<antraege::Approved>)> {
    let start = Arc::new(Barrier::new(sessions.len()));
    let mut tasks = Vec::new();
    for s in sessions {
        let (s, start) = (s.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            (s.clerk_id, antraege::approve(&s, nr, None).await)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    results
}

/// After the race `nr` is approved, once: one live Zuordnung, one "approved" event.
async fn approved_once(pool: &PgPool, nr: AntragNr) {
    assert_eq!(status(pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(pool, nr).await, 1);
    let approved_events = count_for(
        pool,
        "audit_events where action = 'approved' and antrag_nr = $1",
        nr,
    )
    .await;
    assert_eq!(approved_events, 1);
}

/// Twenty sessions of four Sachbearbeitung/admin clerks approve one Antrag in review at the
/// same moment: exactly one wins, one Zuordnung, one "approved" event.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn twenty_concurrent_approves_one_wins(pool: PgPool) {
    let _one = ONE_RACE_AT_A_TIME.lock().await;
    let (f, sb3) = fixture_with_third_sachbearbeitung(&pool).await;
    let nr = f.in_review(&pool).await;
    let sessions = sessions_of(&f, &[&f.sb, &f.sb2, &sb3, &f.admin], 20).await;
    let results: Vec<_> = approve_at_once(&sessions, nr)
        .await
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(tally(&results), (1, 19));
    let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
    assert_eq!(winner.outcome, ApprovalOutcome::Approved);
    let zuordnung = winner.zuordnung_id.unwrap();
    approved_once(&pool, nr).await;
    assert_eq!(count(&pool, "zuordnungen").await, 1);
    let ids: Vec<i64> = sqlx::query_scalar("select id from zuordnungen")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(ids, [zuordnung]);
    for s in sessions {
        s.close().await;
    }
}

/// The second confirmation of an approval without the code, given by many clerks at once
/// (and tried by the first clerk too): one approval, never by the clerk who asked.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn concurrent_second_confirmations_approve_once(pool: PgPool) {
    let _one = ONE_RACE_AT_A_TIME.lock().await;
    let (f, sb3) = fixture_with_third_sachbearbeitung(&pool).await;
    let nr = f.file().await;
    let first = antraege::approve(&f.sb, nr, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(first.outcome, ApprovalOutcome::AwaitingSecond);
    let sessions = sessions_of(&f, &[&f.sb, &f.sb2, &sb3, &f.admin], 16).await;
    let mut approvals = Vec::new();
    for (clerk, r) in approve_at_once(&sessions, nr).await {
        match r {
            Ok(a) => approvals.push((clerk, a)),
            Err(e) if clerk == f.sb.clerk_id => assert!(
                matches!(e.kind(), ErrorKind::Forbidden | ErrorKind::Conflict),
                "{}",
                e.message()
            ),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{}", e.message()),
        }
    }
    assert_eq!(approvals.len(), 1, "{approvals:?}");
    let (winner, approved) = &approvals[0];
    assert_ne!(
        *winner, f.sb.clerk_id,
        "the first clerk confirmed their own request"
    );
    assert_eq!(approved.outcome, ApprovalOutcome::Approved);
    approved_once(&pool, nr).await;
    for s in sessions {
        s.close().await;
    }
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_racing_submit_never_accepts_a_superseded_code(pool: PgPool) {
    let _one = ONE_RACE_AT_A_TIME.lock().await;
    let f = Fixture::new(&pool).await;
    f.set_policy(PolicyChange {
        resend_cooldown_seconds: Some(0),
        sends_per_day: Some(1000),
        account_requests_per_day: Some(1000),
        ..Default::default()
    })
    .await;
    let mut antraege = Vec::new();
    for i in 0..20 {
        let nr = f.file_for(&pool, &format!("60000{i:02}")).await;
        antraege.push((nr, code_from_outbox(&pool, nr).await));
    }
    let hotline = wide_session(&f, &f.hotline, 20).await;
    let portal_pool = wide(&f, &login(&f.tag, "portal"), 20).await;
    // Every Antrag at once: two resends and two submissions of the first code each.
    let mut tasks = Vec::new();
    for (nr, old) in &antraege {
        let (nr, old) = (*nr, old.clone());
        for k in 0..4 {
            let (portal_pool, s, email, old) = (
                portal_pool.clone(),
                hotline.clone(),
                f.email.clone(),
                old.clone(),
            );
            tasks.push(tokio::spawn(async move {
                if k % 2 == 0 {
                    (
                        nr,
                        true,
                        codes::resend(&s, nr, &reason("Rennen")).await.map(|_| ()),
                    )
                } else {
                    (
                        nr,
                        false,
                        portal::submit_code(&portal_pool, &email, nr, &old)
                            .await
                            .map(|_| ()),
                    )
                }
            }));
        }
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let mut approved_count = 0;
    for (nr, old) in &antraege {
        let mine: Vec<_> = outcomes.iter().filter(|(n, _, _)| n == nr).collect();
        let submits_ok = mine
            .iter()
            .filter(|(_, resend, r)| !resend && r.is_ok())
            .count();
        let resends_ok = mine
            .iter()
            .filter(|(_, resend, r)| *resend && r.is_ok())
            .count();
        for (_, resend, r) in &mine {
            if let Err(e) = r {
                // Resend after approval: conflict. Old code after a resend: "ersetzt" (validation).
                // Second submission after approval: conflict.
                let expected = if *resend {
                    ErrorKind::Conflict
                } else {
                    e.kind()
                };
                assert_eq!(e.kind(), expected, "{}", e.message());
                assert!(
                    matches!(e.kind(), ErrorKind::Conflict | ErrorKind::Validation),
                    "{}",
                    e.message()
                );
            }
        }
        let consumed = consumed_codes(&pool, *nr).await;
        let live = count_for(
            &pool,
            "confirmation_codes where antrag_nr = $1 and consumed_at is null and superseded_at is null",
            *nr,
        )
        .await;
        assert!(consumed.len() <= 1, "Antrag {nr}: {consumed:?}");
        let st = status(&pool, *nr).await;
        // Only a live code's mail may still hold its plaintext.
        let plaintexts = plaintexts(&pool, *nr).await;
        if submits_ok > 0 {
            approved_count += 1;
            assert_eq!(submits_ok, 1, "Antrag {nr}");
            assert_eq!(
                resends_ok, 0,
                "Antrag {nr}: a resend after the code was used"
            );
            assert_eq!(st, "approved");
            assert_eq!(
                consumed,
                vec![(old[..6].to_string(), true)],
                "Antrag {nr}: consumed a superseded code"
            );
            assert_eq!(live, 0);
            assert_eq!(active_zuordnungen(&pool, *nr).await, 1);
            assert_eq!(plaintexts, 0, "Antrag {nr}");
        } else {
            assert!(
                resends_ok >= 1,
                "Antrag {nr}: neither resend nor submit succeeded"
            );
            assert_eq!(st, "awaiting_code");
            assert!(consumed.is_empty());
            assert_eq!(live, 1, "Antrag {nr}: exactly one live code");
            assert_eq!(active_zuordnungen(&pool, *nr).await, 0);
            assert_eq!(plaintexts, 1, "Antrag {nr}");
        }
        assert_eq!(
            codes_issued(&pool, *nr).await as usize,
            1 + resends_ok,
            "Antrag {nr}"
        );
    }
    eprintln!(
        "{approved_count} of {} Anträge approved with the first code",
        antraege.len()
    );
    hotline.close().await;
    portal_pool.close().await;
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn reject_approve_withdraw_race_one_wins(pool: PgPool) {
    let _one = ONE_RACE_AT_A_TIME.lock().await;
    let (f, nrs) = fixture_with_in_review(&pool, "70000", 10).await;
    let (sb, admin, hotline) = (
        wide_session(&f, &f.sb, 10).await,
        wide_session(&f, &f.admin, 10).await,
        wide_session(&f, &f.hotline, 10).await,
    );
    let portal_pool = wide(&f, &login(&f.tag, "portal"), 10).await;
    let mut tasks = Vec::new();
    for nr in &nrs {
        let nr = *nr;
        for k in 0..4 {
            let (portal_pool, sb, admin, hotline, email) = (
                portal_pool.clone(),
                sb.clone(),
                admin.clone(),
                hotline.clone(),
                f.email.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let r = reason("Rennen");
                let out = match k {
                    0 => antraege::approve(&sb, nr, None).await.map(|_| "approved"),
                    1 => antraege::reject(&admin, nr, &r).await.map(|_| "rejected"),
                    2 => antraege::withdraw(&hotline, nr, &r)
                        .await
                        .map(|_| "withdrawn"),
                    _ => portal::withdraw(&portal_pool, &email, nr)
                        .await
                        .map(|_| "withdrawn"),
                };
                (nr, out)
            }));
        }
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    for nr in &nrs {
        let mine: Vec<Result<&str>> = outcomes
            .iter()
            .filter(|(n, _)| n == nr)
            .map(|(_, r)| r.clone())
            .collect();
        assert_eq!(tally(&mine), (1, 3), "Antrag {nr}");
        let winner = mine.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(status(&pool, *nr).await, *winner);
        let z = active_zuordnungen(&pool, *nr).await;
        assert_eq!(z, i64::from(*winner == "approved"), "Antrag {nr}");
        let decisions = count_for(
            &pool,
            "audit_events where antrag_nr = $1 and action in ('approved', 'rejected', 'withdrawn')",
            *nr,
        )
        .await;
        assert_eq!(decisions, 1, "Antrag {nr}");
    }
    for s in [sb, admin, hotline] {
        s.close().await;
    }
    portal_pool.close().await;
}

/// The counts per status that the trigger keeps (what the queue shows without a filter)
/// equal a real count after changes of every kind made at once, and reading them folds the
/// rows the trigger appended.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn status_counts_follow_concurrent_changes(pool: PgPool) {
    let _one = ONE_RACE_AT_A_TIME.lock().await;
    let (f, in_review) = fixture_with_in_review(&pool, "40000", 20).await;
    // Awaiting their code, each with the first confirmation of an approval without it: the
    // approval in the race below is the second pair of eyes, which decides.
    let mut awaiting = Vec::new();
    for i in 0..20 {
        let nr = f.file_for(&pool, &format!("41000{i:02}")).await;
        let first = antraege::approve(&f.sb2, nr, Some(&reason("telefonisch bestätigt")))
            .await
            .unwrap();
        assert_eq!(first.outcome, ApprovalOutcome::AwaitingSecond);
        awaiting.push(nr);
    }
    let (sb, admin) = (
        wide_session(&f, &f.sb, 20).await,
        wide_session(&f, &f.admin, 20).await,
    );
    let mut tasks = Vec::new();
    // Two clerks approve each Antrag in review; each awaiting one is withdrawn or rejected
    // while another clerk confirms its approval without code: every pair races, all at once.
    for nr in in_review {
        for s in [sb.clone(), admin.clone()] {
            tasks.push(tokio::spawn(async move {
                antraege::approve(&s, nr, None).await.map(|_| ())
            }));
        }
    }
    for (i, nr) in awaiting.into_iter().enumerate() {
        let s = sb.clone();
        tasks.push(tokio::spawn(async move {
            let why = reason("Antragsteller hat angerufen");
            if i % 2 == 0 {
                antraege::withdraw(&s, nr, &why).await
            } else {
                antraege::reject(&s, nr, &why).await
            }
        }));
        let s = admin.clone();
        tasks.push(tokio::spawn(async move {
            antraege::approve(&s, nr, None).await.map(|a| {
                assert_eq!(a.outcome, ApprovalOutcome::Approved);
            })
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(tally(&results), (40, 40));

    let appended = count(&pool, "antrag_status_counts").await;
    assert!(
        appended > 64,
        "{appended} rows appended, too few to be folded"
    );
    let kept = antraege::count_by_status(&f.hotline, &AntragFilter::default())
        .await
        .unwrap();
    let kept: Vec<(String, i64)> = kept
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(s, n)| (s.as_str().to_string(), n))
        .collect();
    let counted: Vec<(String, i64)> = sqlx::query_as(
        "select status, count(*) from antraege group by status order by array_position(
             array['awaiting_code','in_review','approved','withdrawn','rejected','expired'], status)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kept, counted);
    assert!(
        count(&pool, "antrag_status_counts").await <= counted.len() as i64,
        "reading the counts folds the appended rows"
    );
    // No Antrag is left waiting for a second confirmation that can no longer come.
    assert_eq!(
        count(&pool, "antraege where approval_requested_by is not null").await,
        0
    );
    sb.close().await;
    admin.close().await;
}

/// The fixture and a third Sachbearbeitung clerk: four approving clerks for the races.
async fn fixture_with_third_sachbearbeitung(pool: &PgPool) -> (Fixture, Session) {
    let f = Fixture::new(pool).await;
    let sb3 = add_clerk(
        &f.admin,
        &f.server,
        &login(&f.tag, "sb3"),
        Role::Sachbearbeitung,
    )
    .await;
    (f, sb3)
}

//! Concurrency: many tasks over real connections against one database.
mod common;

use common::*;
use kammer_core::antraege::{self, AntragFilter};
use kammer_core::codes;
use kammer_core::domain::{AntragNr, AntragStatus};
use kammer_core::policy::PolicyChange;
use kammer_core::portal;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// A pool with enough connections that every task really runs its own transaction.
async fn wide_pool(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .max_connections(40)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap()
}

async fn to_review(pool: &PgPool, f: &Fixture, nummer: &str) -> AntragNr {
    let nr = f.file_for(pool, nummer).await;
    let code = code_from_outbox(pool, nr).await;
    assert_eq!(
        portal::submit_code(pool, &f.email, nr, &code)
            .await
            .unwrap()
            .status,
        AntragStatus::InReview
    );
    nr
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

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn sixteen_concurrent_approves_one_wins(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    let wide = wide_pool(&pool).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (pool, s) = (
            wide.clone(),
            if i % 2 == 0 {
                f.sb.clone()
            } else {
                f.admin.clone()
            },
        );
        tasks.push(tokio::spawn(async move {
            antraege::approve(&pool, &s, nr, None).await
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(tally(&results), (1, 15));
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    assert_eq!(count(&pool, "zuordnungen").await, 1);
    let approvals: i64 = sqlx::query_scalar(
        "select count(*) from audit_events where action = 'approved' and antrag_nr = $1",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(approvals, 1);
    wide.close().await;
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_racing_submit_never_accepts_a_superseded_code(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.set_policy(
        &pool,
        PolicyChange {
            resend_cooldown_seconds: Some(0),
            sends_per_day: Some(1000),
            ..Default::default()
        },
    )
    .await;
    let mut antraege = Vec::new();
    for i in 0..20 {
        let nr = f.file_for(&pool, &format!("60000{i:02}")).await;
        antraege.push((nr, code_from_outbox(&pool, nr).await));
    }
    let wide = wide_pool(&pool).await;
    // Every Antrag at once: two resends and two submissions of the first code each.
    let mut tasks = Vec::new();
    for (nr, old) in &antraege {
        let (nr, old) = (*nr, old.clone());
        for k in 0..4 {
            let (pool, s, email, old) = (
                wide.clone(),
                f.hotline.clone(),
                f.email.clone(),
                old.clone(),
            );
            tasks.push(tokio::spawn(async move {
                if k % 2 == 0 {
                    (
                        nr,
                        true,
                        codes::resend(&pool, &s, nr, &reason("Rennen"))
                            .await
                            .map(|_| ()),
                    )
                } else {
                    (
                        nr,
                        false,
                        portal::submit_code(&pool, &email, nr, &old)
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
        let consumed: Vec<(String, bool)> = sqlx::query_as(
            "select prefix, superseded_at is null from confirmation_codes where antrag_nr = $1 and consumed_at is not null",
        )
        .bind(nr.get())
        .fetch_all(&pool)
        .await
        .unwrap();
        let live: i64 = sqlx::query_scalar(
            "select count(*) from confirmation_codes where antrag_nr = $1 and consumed_at is null and superseded_at is null",
        )
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(consumed.len() <= 1, "Antrag {nr}: {consumed:?}");
        let st = status(&pool, *nr).await;
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
        } else {
            assert!(
                resends_ok >= 1,
                "Antrag {nr}: neither resend nor submit succeeded"
            );
            assert_eq!(st, "awaiting_code");
            assert!(consumed.is_empty());
            assert_eq!(live, 1, "Antrag {nr}: exactly one live code");
            assert_eq!(active_zuordnungen(&pool, *nr).await, 0);
        }
        let codes_n: i64 =
            sqlx::query_scalar("select count(*) from confirmation_codes where antrag_nr = $1")
                .bind(nr.get())
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(codes_n as usize, 1 + resends_ok, "Antrag {nr}");
    }
    eprintln!(
        "{approved_count} of {} Anträge approved with the first code",
        antraege.len()
    );
    wide.close().await;
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn reject_approve_withdraw_race_one_wins(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.auto_approve(&pool, false).await;
    let mut nrs = Vec::new();
    for i in 0..10 {
        nrs.push(to_review(&pool, &f, &format!("70000{i:02}")).await);
    }
    let wide = wide_pool(&pool).await;
    let mut tasks = Vec::new();
    for nr in &nrs {
        let nr = *nr;
        for k in 0..4 {
            let (pool, sb, admin, hotline, email) = (
                wide.clone(),
                f.sb.clone(),
                f.admin.clone(),
                f.hotline.clone(),
                f.email.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let r = reason("Rennen");
                let out = match k {
                    0 => antraege::approve(&pool, &sb, nr, None)
                        .await
                        .map(|_| "approved"),
                    1 => antraege::reject(&pool, &admin, nr, &r)
                        .await
                        .map(|_| "rejected"),
                    2 => antraege::withdraw(&pool, &hotline, nr, &r)
                        .await
                        .map(|_| "withdrawn"),
                    _ => portal::withdraw(&pool, &email, nr)
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
        let decisions: i64 = sqlx::query_scalar(
            "select count(*) from audit_events where antrag_nr = $1 and action in ('approved', 'rejected', 'withdrawn')",
        )
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(decisions, 1, "Antrag {nr}");
    }
    wide.close().await;
}

/// The counts per status that the trigger keeps (what the queue shows without a filter)
/// equal a real count after changes of every kind made at once, and reading them folds the
/// rows the trigger appended.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn status_counts_follow_concurrent_changes(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.auto_approve(&pool, false).await;
    let mut in_review = Vec::new();
    for i in 0..20 {
        in_review.push(to_review(&pool, &f, &format!("40000{i:02}")).await);
    }
    let mut awaiting = Vec::new();
    for i in 0..20 {
        awaiting.push(f.file_for(&pool, &format!("41000{i:02}")).await);
    }
    let wide = wide_pool(&pool).await;
    let mut tasks = Vec::new();
    // Two clerks approve each Antrag in review; each awaiting one is withdrawn or rejected
    // while a clerk approves it without code: every pair races, all pairs at once.
    for nr in in_review {
        for s in [f.sb.clone(), f.admin.clone()] {
            let pool = wide.clone();
            tasks.push(tokio::spawn(async move {
                antraege::approve(&pool, &s, nr, None).await.map(|_| ())
            }));
        }
    }
    for (i, nr) in awaiting.into_iter().enumerate() {
        let (pool, s) = (wide.clone(), f.sb.clone());
        tasks.push(tokio::spawn(async move {
            let why = reason("Antragsteller hat angerufen");
            if i % 2 == 0 {
                antraege::withdraw(&pool, &s, nr, &why).await
            } else {
                antraege::reject(&pool, &s, nr, &why).await
            }
        }));
        let (pool, s) = (wide.clone(), f.admin.clone());
        tasks.push(tokio::spawn(async move {
            let why = reason("telefonisch bestätigt");
            antraege::approve(&pool, &s, nr, Some(&why))
                .await
                .map(|_| ())
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
    let kept = antraege::count_by_status(&pool, &f.hotline, &AntragFilter::default())
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
}

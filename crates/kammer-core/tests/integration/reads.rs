//! The clerk's own read connection (`auth::hot_connection`): a read cut off half-way, a
//! session ended by the server and a sign-out must each leave the next read right, or no
//! connection behind.

use std::time::Duration;

use crate::common::*;
use kammer_core::ErrorKind;
use kammer_core::betriebe;
use kammer_core::domain::Betriebsnummer;
use sqlx::PgPool;

async fn backends_of(pool: &PgPool, login: &str) -> i64 {
    sqlx::query_scalar("select count(*) from pg_stat_activity where usename = $1")
        .bind(login)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A look-up of `nr` by the hotline that waits for a lock the test holds, and that the caller
/// gives up on; the returned transaction holds the lock.
async fn abandon_behind_a_lock<'p>(
    pool: &'p PgPool,
    f: &Fixture,
    nr: &Betriebsnummer,
) -> sqlx::Transaction<'p, sqlx::Postgres> {
    let mut locker = pool.begin().await.unwrap();
    sqlx::query("lock table betriebe in access exclusive mode")
        .execute(&mut *locker)
        .await
        .unwrap();
    let cut = tokio::time::timeout(
        Duration::from_millis(300),
        betriebe::by_nummer(&f.hotline, nr),
    )
    .await;
    assert!(
        cut.is_err(),
        "the look-up must have been waiting for the lock"
    );
    locker
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_look_up_cut_off_half_way_leaves_the_next_one_right(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    for n in ["4000001", "4000002"] {
        insert_betrieb(
            &pool,
            n,
            &format!("Firma {n}"),
            &format!("info@f{n}.example"),
        )
        .await;
    }
    let first = Betriebsnummer::parse("4000001").unwrap();
    let second = Betriebsnummer::parse("4000002").unwrap();
    betriebe::by_nummer(&f.hotline, &first).await.unwrap();

    let locker = abandon_behind_a_lock(&pool, &f, &first).await;
    locker.commit().await.unwrap();

    // The answer to the abandoned look-up must not become the answer to the next ones.
    for (nr, want) in [
        (&second, "4000002"),
        (&first, "4000001"),
        (&second, "4000002"),
    ] {
        let b = betriebe::by_nummer(&f.hotline, nr).await.unwrap();
        assert_eq!(b.betriebsnummer, want);
    }
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_late_error_of_an_abandoned_look_up_does_not_reach_the_next(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    let locker = abandon_behind_a_lock(&pool, &f, &f.nummer).await;
    // The abandoned statement now ends in an error (57014, as a statement timeout would).
    let cancelled: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_cancel_backend(pid) from pg_stat_activity
                               where usename = $1 and wait_event_type = 'Lock') t",
    )
    .bind(&f.hotline.username)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        cancelled, 1,
        "the abandoned look-up was waiting for the lock"
    );
    locker.commit().await.unwrap();
    let b = betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    assert_eq!(b.betriebsnummer, f.nummer.as_str());
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_session_ended_by_the_server_is_replaced(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    let ended: i64 = sqlx::query_scalar(
        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity
                               where usename = $1) t",
    )
    .bind(&f.hotline.username)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(ended >= 1, "the hotline had a connection to end");
    // The dead connections fail once each at most (the clerk's own and the pool's idle
    // one); then a new one works. Without retiring a lost connection every try would fail.
    let mut failures = Vec::new();
    let found = loop {
        match betriebe::by_nummer(&f.hotline, &f.nummer).await {
            Ok(b) => break b,
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Unavailable, "{}", e.message());
                failures.push(e);
                assert!(
                    failures.len() <= 2,
                    "the ended session is used again and again"
                );
            }
        }
    };
    assert_eq!(found.betriebsnummer, f.nummer.as_str());
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn sign_out_closes_the_clerks_own_connection(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    assert!(backends_of(&pool, &f.hotline.username).await >= 1);
    f.hotline.close().await;
    let mut left = i64::MAX;
    for _ in 0..50 {
        left = backends_of(&pool, &f.hotline.username).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "the hotline's connections must end at sign-out");
}

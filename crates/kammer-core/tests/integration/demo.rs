//! The demo seed: the portal how-to's example is there, the demo clerks and services sign in with
//! their own logins, and a second seed (or one into a database with clerks) is refused.

use crate::common;

use common::{count, server, snapshot};
use kammer_core::ErrorKind;
use kammer_core::auth::{self, Password};
use kammer_core::clerks;
use kammer_core::db::{self, Service};
use kammer_core::demo::{DEMO_CLERKS, DEMO_PASSWORD, DEMO_SERVICES, SeedOptions, seed};
use kammer_core::domain::Role;
use sqlx::PgPool;

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn demo_seed_contains_antrag_178_and_refuses_a_second_run(pool: PgPool) {
    let started = std::time::Instant::now();
    let report = seed(&pool, &SeedOptions::default()).await.expect("seed");
    eprintln!("default demo seed took {:?}", started.elapsed());
    assert_eq!(report.betriebe, 300);
    assert_eq!(report.antraege, 600);
    assert_eq!(report.clerks, 3);
    assert!(
        report.zuordnungen > 300,
        "most Anträge are approved: {}",
        report.zuordnungen
    );

    let (firmenname, inhaber, email): (String, String, String) = sqlx::query_as(
        "select firmenname, inhaber, email from betriebe where betriebsnummer = '2121155381'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(firmenname, "Testbetrieb");
    assert_eq!(inhaber, "Max Mustermann");
    assert_eq!(email, "info@testbetrieb.example");

    let (status, sent_at, requester): (String, chrono::DateTime<chrono::Utc>, String) = sqlx::query_as(
        "select a.status, a.sent_at, acc.name from antraege a join accounts acc on acc.id = a.account_id
         join betriebe b on b.id = a.betrieb_id where a.nr = 178 and b.betriebsnummer = '2121155381'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "awaiting_code");
    assert_eq!(sent_at.to_rfc3339(), "2024-01-12T06:23:17+00:00");
    assert_eq!(requester, "Justus Krämer");

    let (live, superseded, queued): (i64, i64, i64) = sqlx::query_as(
        "select count(*) filter (where c.consumed_at is null and c.superseded_at is null and c.expires_at > now()),
                count(*) filter (where c.superseded_at is not null),
                count(*) filter (where c.consumed_at is null and c.superseded_at is null
                                 and o.status = 'queued' and o.recipient = 'info@testbetrieb.example'
                                 and c.issue_reason = 'erneute Formularanforderung')
         from confirmation_codes c left join mail_outbox o on o.id = c.outbox_id where c.antrag_nr = 178",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((live, superseded, queued), (1, 1, 1));

    // Every Antrag has its "requested" event; the sequence continues after the last number.
    let (without_event, next): (i64, i64) = sqlx::query_as(
        "select (select count(*) from antraege a where not exists
                   (select 1 from audit_events e where e.antrag_nr = a.nr and e.action = 'requested')),
                (select nextval('antrag_nr_seq'))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(without_event, 0);
    assert_eq!(next, 601);

    let open = count(
        &pool,
        "antraege where status in ('awaiting_code', 'in_review')",
    )
    .await;
    assert!((3..=60).contains(&open), "a few percent open: {open}");

    // The demo clerks are logins of their own, in the group of their role.
    for (username, role, name) in DEMO_CLERKS {
        let s = auth::sign_in(&server(&pool), username, &Password::attempt(DEMO_PASSWORD))
            .await
            .unwrap_or_else(|e| panic!("{username}: {}", e.message()));
        assert_eq!(s.role, Role::parse(role).unwrap(), "{username}");
        assert_eq!(s.display_name, name);
        s.close().await;
    }
    for (login, group) in DEMO_SERVICES {
        let service = match group {
            "kammer_portal" => Service::Portal,
            "kammer_mailer" => Service::Mailer,
            "kammer_reporting" => Service::Reporting,
            _ => Service::Import,
        };
        db::connect_service(
            server(&pool).username(login).password(DEMO_PASSWORD),
            service,
        )
        .await
        .unwrap_or_else(|e| panic!("{login}: {}", e.message()))
        .close()
        .await;
        // A service login is no clerk.
        assert_eq!(
            auth::sign_in(&server(&pool), login, &Password::attempt(DEMO_PASSWORD))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Forbidden,
            "{login}"
        );
    }

    let again = seed(&pool, &SeedOptions::default())
        .await
        .expect_err("second seed must be refused");
    assert_eq!(again.kind(), ErrorKind::Conflict);
    assert_eq!(count(&pool, "betriebe").await, 300);
}

/// Demo data only goes into an empty database: one with a clerk (set up for real use) is
/// refused, and nothing is loaded.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn demo_seed_refuses_a_database_with_clerks(pool: PgPool) {
    let name = format!("t{}.admin", kammer_core::domain::random_hex(3));
    clerks::bootstrap_admin(
        &pool,
        &name,
        "Erste Administratorin",
        Some(&Password::new_checked("ein-sehr-langes-passwort").unwrap()),
    )
    .await
    .unwrap();
    let before = snapshot(&pool).await;
    let e = seed(&pool, &SeedOptions::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.message().contains("Zugänge"), "{}", e.message());
    assert_eq!(snapshot(&pool).await, before);
}

/// A larger run, for timing: `cargo test -p kammer-core --test integration demo:: -- --ignored --nocapture`.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
#[ignore]
async fn demo_seed_of_100k_betriebe(pool: PgPool) {
    let started = std::time::Instant::now();
    let report = seed(
        &pool,
        &SeedOptions {
            betriebe: 100_000,
            antraege: 20_000,
        },
    )
    .await
    .expect("seed");
    eprintln!(
        "100k demo seed took {:?}: {}",
        started.elapsed(),
        serde_json::to_string(&report).unwrap()
    );
    assert_eq!(report.betriebe, 100_000);
}

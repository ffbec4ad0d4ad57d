mod common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege;
use kammer_core::auth::Password;
use kammer_core::clerks::{self, NewClerk};
use kammer_core::codes::{self, CodeVerdict};
use kammer_core::domain::Role;
use kammer_core::outbox::{self, OutboxFilter};
use kammer_core::policy::{self, PolicyChange};
use kammer_core::zuordnungen;
use sqlx::PgPool;

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn hotline_handles_codes_but_does_not_decide(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    let r = reason("Hotline");
    let before = snapshot(&pool).await;
    assert_kind(
        antraege::approve(&pool, &f.hotline, nr, None).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::approve(&pool, &f.hotline, nr, Some(&r)).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::reject(&pool, &f.hotline, nr, &r).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    let approved = antraege::approve(&pool, &f.sb, nr, None).await.unwrap();
    let before = snapshot(&pool).await;
    assert_kind(
        zuordnungen::revoke(&pool, &f.hotline, approved.zuordnung_id, &r).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);

    // What the hotline may do: check, resend, withdraw on behalf.
    f.without_resend_cooldown(&pool).await;
    let nr2 = f.file_for(&pool, "5555555").await;
    let code = code_from_outbox(&pool, nr2).await;
    assert_eq!(
        codes::check(&pool, &f.hotline, nr2, &code)
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Valid
    );
    codes::resend(&pool, &f.hotline, nr2, &r).await.unwrap();
    assert_eq!(
        codes::inspect(&pool, &f.hotline, nr2).await.unwrap().len(),
        2
    );
    antraege::withdraw(&pool, &f.hotline, nr2, &r)
        .await
        .unwrap();
    assert_eq!(status(&pool, nr2).await, "withdrawn");
    // Sachbearbeitung may revoke.
    zuordnungen::revoke(&pool, &f.sb, approved.zuordnung_id, &r)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn only_admin_manages_policy_clerks_and_outbox(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    let mail_id: i64 = sqlx::query_scalar("select id from mail_outbox where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    let change = PolicyChange {
        sends_per_day: Some(7),
        ..Default::default()
    };
    let pw = Password::new_checked(CLERK_PW).unwrap();
    let new = NewClerk {
        username: "neu",
        display_name: "Neu",
        role: Role::Hotline,
        password: &pw,
    };
    let before = snapshot(&pool).await;
    for s in [&f.sb, &f.hotline] {
        assert_kind(policy::set(&pool, s, &change).await, ErrorKind::Forbidden);
        assert_kind(
            clerks::add(&pool, Some(s), &new).await,
            ErrorKind::Forbidden,
        );
        assert_kind(outbox::show(&pool, s, mail_id).await, ErrorKind::Forbidden);
        assert_kind(
            outbox::list(
                &pool,
                s,
                &OutboxFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await,
            ErrorKind::Forbidden,
        );
        assert_kind(
            clerks::disable(&pool, s, "admin").await,
            ErrorKind::Forbidden,
        );
    }
    // Without a session, a clerk can only be added while there is none.
    assert_kind(clerks::add(&pool, None, &new).await, ErrorKind::Forbidden);
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(
        policy::show(&pool, &f.hotline).await.unwrap().sends_per_day,
        policy::show(&pool, &f.admin).await.unwrap().sends_per_day
    );

    assert_eq!(
        policy::set(&pool, &f.admin, &change)
            .await
            .unwrap()
            .sends_per_day,
        7
    );
    assert_eq!(policy::show(&pool, &f.sb).await.unwrap().sends_per_day, 7);
    assert_kind(
        policy::set(
            &pool,
            &f.admin,
            &PolicyChange {
                sends_per_day: Some(0),
                ..Default::default()
            },
        )
        .await,
        ErrorKind::Validation,
    );
    clerks::add(&pool, Some(&f.admin), &new).await.unwrap();
    assert_kind(
        clerks::add(&pool, Some(&f.admin), &new).await,
        ErrorKind::Conflict,
    );
    let mail = outbox::show(&pool, &f.admin, mail_id).await.unwrap();
    assert_eq!(mail.entry.recipient, BETRIEB_EMAIL);
    assert_eq!(
        extract_code(&mail.body_text),
        Some(code_from_outbox(&pool, nr).await)
    );
    let listed = outbox::list(
        &pool,
        &f.admin,
        &OutboxFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(listed.len(), 1);
    // Reading a mail leaves a trace.
    let reads: i64 =
        sqlx::query_scalar("select count(*) from audit_events where action = 'outbox_mail_read'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reads, 1);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn audit_log_is_append_only(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.file(&pool).await;
    let n = count(&pool, "audit_events").await;
    assert!(n > 0);
    assert!(
        sqlx::query("update audit_events set action = 'x'")
            .execute(&pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("delete from audit_events")
            .execute(&pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("truncate audit_events")
            .execute(&pool)
            .await
            .is_err()
    );
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("set role kammer_app")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert!(
        sqlx::query("delete from audit_events")
            .execute(&mut *conn)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("update audit_events set action = 'x'")
            .execute(&mut *conn)
            .await
            .is_err()
    );
    // The app role can still read and append.
    let seen: i64 = sqlx::query_scalar("select count(*) from audit_events")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(seen, n);
    sqlx::query("reset role").execute(&mut *conn).await.unwrap();
    drop(conn);
    assert_eq!(count(&pool, "audit_events").await, n);
    let changed: i64 = sqlx::query_scalar("select count(*) from audit_events where action = 'x'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(changed, 0);
}

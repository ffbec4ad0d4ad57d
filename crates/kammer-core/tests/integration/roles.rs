use crate::common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege;
use kammer_core::auth::{self, Password, scram_verifier};
use kammer_core::clerks::{self, NewClerk};
use kammer_core::codes::{self, CodeVerdict};
use kammer_core::domain::{AuditAction, Permission, Role};
use kammer_core::outbox::{self, OutboxFilter};
use kammer_core::policy::{self, PolicyChange};
use kammer_core::zuordnungen;
use sqlx::{Connection, PgConnection, PgPool};

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn hotline_handles_codes_but_does_not_decide(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    let r = reason("Hotline");
    let before = snapshot(&pool).await;
    assert_kind(
        antraege::approve(&f.hotline, nr, None).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::approve(&f.hotline, nr, Some(&r)).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::reject(&f.hotline, nr, &r).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    let approved = antraege::approve(&f.sb, nr, None).await.unwrap();
    let zuordnung = approved.zuordnung_id.unwrap();
    let before = snapshot(&pool).await;
    assert_kind(
        zuordnungen::revoke(&f.hotline, zuordnung, &r).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);

    // What the hotline may do: check, resend, withdraw on behalf.
    f.without_resend_cooldown().await;
    let nr2 = f.file_for(&pool, "5555555").await;
    let code = code_from_outbox(&pool, nr2).await;
    assert_eq!(
        codes::check(&f.hotline, nr2, &code).await.unwrap().verdict,
        CodeVerdict::Valid
    );
    codes::resend(&f.hotline, nr2, &r).await.unwrap();
    assert_eq!(codes::inspect(&f.hotline, nr2).await.unwrap().len(), 2);
    antraege::withdraw(&f.hotline, nr2, &r).await.unwrap();
    assert_eq!(status(&pool, nr2).await, "withdrawn");
    // Sachbearbeitung may revoke.
    zuordnungen::revoke(&f.sb, zuordnung, &r).await.unwrap();
}

/// Policy, clerks and the outbox are the administration's. The outbox shows a mail with its
/// code masked (no row holds a code any more), and reading it is no longer an audited event:
/// there is nothing secret left to read.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn only_admin_manages_policy_clerks_and_outbox(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
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
    let neu = login(&f.tag, "neu");
    let new = NewClerk {
        username: &neu,
        display_name: "Neu",
        role: Role::Hotline,
        password: Some(&pw),
    };
    let admin_login = f.admin.username.clone();
    let before = snapshot(&pool).await;
    for s in [&f.sb, &f.hotline] {
        assert_kind(policy::set(s, &change).await, ErrorKind::Forbidden);
        assert_kind(clerks::add(s, &new).await, ErrorKind::Forbidden);
        assert_kind(outbox::show(s, mail_id).await, ErrorKind::Forbidden);
        assert_kind(
            outbox::list(
                s,
                &OutboxFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await,
            ErrorKind::Forbidden,
        );
        assert_kind(clerks::disable(s, &admin_login).await, ErrorKind::Forbidden);
        assert_kind(clerks::list(s).await, ErrorKind::Forbidden);
    }
    // The first administrator is set up once, by a superuser; after that only the
    // administration adds clerks.
    assert_kind(
        clerks::bootstrap_admin(&pool, &neu, "Neu", Some(&pw)).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        clerks::bootstrap_admin(f.admin.pool(), &neu, "Neu", Some(&pw)).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(
        policy::show(&f.hotline).await.unwrap().sends_per_day,
        policy::show(&f.admin).await.unwrap().sends_per_day
    );

    assert_eq!(
        policy::set(&f.admin, &change).await.unwrap().sends_per_day,
        7
    );
    assert_eq!(policy::show(&f.sb).await.unwrap().sends_per_day, 7);
    assert_kind(
        policy::set(
            &f.admin,
            &PolicyChange {
                sends_per_day: Some(0),
                ..Default::default()
            },
        )
        .await,
        ErrorKind::Validation,
    );
    clerks::add(&f.admin, &new).await.unwrap();
    assert_kind(clerks::add(&f.admin, &new).await, ErrorKind::Conflict);
    let listed = clerks::list(&f.admin).await.unwrap();
    let added = listed.iter().find(|c| c.username == neu).unwrap();
    assert_eq!((added.role, added.can_login), (Some(Role::Hotline), true));

    let code = code_from_outbox(&pool, nr).await;
    let audit_before = count(&pool, "audit_events").await;
    let mail = outbox::show(&f.admin, mail_id).await.unwrap();
    assert_eq!(mail.entry.recipient, BETRIEB_EMAIL);
    // The text as it is sent, but with the code masked to the prefix the hotline may know.
    assert_eq!(extract_code(&mail.body_text), None);
    assert!(!mail.body_text.contains(&code));
    assert!(
        mail.body_text.contains(&format!("{}…", &code[..6])),
        "{}",
        mail.body_text
    );
    assert!(mail.body_text.contains(FIRMA));
    let listed = outbox::list(
        &f.admin,
        &OutboxFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].subject.contains(&nr.to_string()));
    // Reading the outbox leaves no event: it holds no code to be careful with.
    assert_eq!(count(&pool, "audit_events").await, audit_before);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn audit_log_is_append_only(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.file().await;
    let n = count(&pool, "audit_events").await;
    assert!(n > 0);
    // Not even the superuser changes it (the table's triggers).
    for sql in [
        "update audit_events set action = 'x'",
        "delete from audit_events",
        "truncate audit_events",
    ] {
        assert!(sqlx::query(sql).execute(&pool).await.is_err(), "{sql}");
    }
    // A clerk's own login — even the administration's — can read it, not write it.
    for s in [&f.hotline, &f.sb, &f.admin] {
        for sql in [
            "update audit_events set action = 'x'",
            "delete from audit_events",
            "insert into audit_events (actor_kind, action) values ('system', 'x')",
        ] {
            let e = sqlx::query(sql).execute(s.pool()).await.unwrap_err();
            assert_eq!(
                e.as_database_error().and_then(|d| d.code()).as_deref(),
                Some("42501"),
                "{sql}"
            );
        }
        assert_eq!(count(s.pool(), "audit_events").await, n);
    }
    assert_eq!(count(&pool, "audit_events").await, n);
    assert_eq!(count(&pool, "audit_events where action = 'x'").await, 0);
}

/// The audit log admits exactly the actions the core has labels for
/// (`audit_events_action_known` against `AuditAction::ALL`), and a name off the list is
/// refused by the database even from its owner's functions.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_database_knows_exactly_the_audit_actions(pool: PgPool) {
    let definition: String = sqlx::query_scalar(
        "select pg_get_constraintdef(oid) from pg_constraint \
         where conname = 'audit_events_action_known' and conrelid = 'audit_events'::regclass",
    )
    .fetch_one(&pool)
    .await
    .expect("the constraint exists");
    let mut in_db: Vec<String> = definition
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    in_db.sort();
    let mut in_rust: Vec<String> = AuditAction::ALL
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    in_rust.sort();
    assert_eq!(in_db, in_rust, "{definition}");

    let refused = sqlx::query(
        "select kammer_internal.audit('system', null, null, 'gibt_es_nicht', null, null, '{}')",
    )
    .execute(&pool)
    .await
    .expect_err("an unknown action is refused");
    assert!(
        refused.to_string().contains("audit_events_action_known"),
        "{refused}"
    );
}

/// The matrix is the database's table `kammer_internal.permissions`, and the desk reads each
/// clerk's own row set at sign-in (`Session::permissions`). This checks that the table knows
/// exactly the core's permissions, that each role gets what the chamber's architecture says,
/// and the group hierarchy that makes a role include the one before it.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_permission_matrix_is_the_databases_table(pool: PgPool) {
    let mut in_db: Vec<String> =
        sqlx::query_scalar("select permission from kammer_internal.permissions")
            .fetch_all(&pool)
            .await
            .unwrap();
    in_db.sort();
    let mut in_rust: Vec<String> = Permission::ALL
        .into_iter()
        .map(|p| p.as_str().to_string())
        .collect();
    in_rust.sort();
    assert_eq!(
        in_db, in_rust,
        "the database and the core name other permissions"
    );
    for p in Permission::ALL {
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            serde_json::Value::String(p.as_str().to_string()),
            "serde's name is the table's"
        );
    }

    use Permission::*;
    let f = Fixture::new(&pool).await;
    // Each role has everything of the one before it.
    let hotline = vec![Lookup, HandleCodes, WithdrawOnBehalf];
    let sachbearbeitung = [
        hotline.clone(),
        vec![Approve, Reject, RevokeZuordnung, Export],
    ]
    .concat();
    let expected = [
        (&f.hotline, hotline),
        (&f.sb, sachbearbeitung),
        (&f.admin, Permission::ALL.to_vec()),
    ];
    for (session, permissions) in expected {
        let allowed: Vec<Permission> = Permission::ALL
            .into_iter()
            .filter(|&p| session.permissions.allows(p))
            .collect();
        assert_eq!(allowed, permissions, "{:?}", session.role);
        assert_eq!(
            session.current_rights().await.unwrap(),
            (session.role, session.permissions.clone())
        );
    }

    // Each group is a member of the one below it, and of nothing else that matters.
    let groups: Vec<(String, bool, bool, bool)> = sqlx::query_as(
        "select g, pg_has_role(g, 'kammer_hotline', 'MEMBER'), pg_has_role(g, 'kammer_sachbearbeitung', 'MEMBER'),
                pg_has_role(g, 'kammer_admin', 'MEMBER')
         from unnest(array['kammer_hotline', 'kammer_sachbearbeitung', 'kammer_admin']) g",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        groups,
        vec![
            ("kammer_hotline".to_string(), true, false, false),
            ("kammer_sachbearbeitung".to_string(), true, true, false),
            ("kammer_admin".to_string(), true, true, true),
        ]
    );
    for group in ["kammer_hotline", "kammer_sachbearbeitung", "kammer_admin"] {
        for service in [
            "kammer_portal",
            "kammer_mailer",
            "kammer_reporting",
            "kammer_import",
            "kammer_owner",
        ] {
            let member: bool = sqlx::query_scalar("select pg_has_role($1, $2, 'MEMBER')")
                .bind(group)
                .bind(service)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert!(!member, "{group} is a member of {service}");
        }
    }
}

/// The verifier the core computes (`auth::scram_verifier`, so a password never reaches the
/// server in clear) is what PostgreSQL checks at sign-in, also for a password that SASLprep
/// normalises. A wrong password is refused with the one German message.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn the_scram_verifier_is_accepted_by_postgresql(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let name = login(&f.tag, "scram");
    // Umlauts and a no-break space (SASLprep maps it to a space on both sides).
    let pw = Password::new_checked("Grüße aus Köln\u{a0}– 2026").unwrap();
    clerks::add(
        &f.admin,
        &NewClerk {
            username: &name,
            display_name: "Scram Test",
            role: Role::Sachbearbeitung,
            password: Some(&pw),
        },
    )
    .await
    .unwrap();
    let stored: String = sqlx::query_scalar("select rolpassword from pg_authid where rolname = $1")
        .bind(&name)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    assert!(!stored.contains("Köln"));
    let s = auth::sign_in(&f.server, &name, &pw).await.unwrap();
    assert_eq!(s.role, Role::Sachbearbeitung);
    assert_eq!(s.display_name, "Scram Test");
    assert_eq!(s.current_role().await.unwrap(), Role::Sachbearbeitung);
    s.close().await;
    let e = assert_kind(
        auth::sign_in(
            &f.server,
            &name,
            &Password::attempt("Grüße aus Köln – 2025"),
        )
        .await,
        ErrorKind::Forbidden,
    );
    assert_eq!(e.message(), "Benutzername oder Passwort ist falsch.");

    // The bare verifier, set as PostgreSQL's own password by the superuser.
    let other = Password::new_checked("korrekt-pferd-batterie-heftklammer").unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter role \"{name}\" password '{}'",
        scram_verifier(&other)
    )))
    .execute(&pool)
    .await
    .unwrap();
    signs_in(&f.server, &name, &other).await;
    assert_kind(
        auth::sign_in(&f.server, &name, &pw).await,
        ErrorKind::Forbidden,
    );
    // Recovery by the superuser goes through the same verifier.
    let third = Password::new_checked("drittes-passwort-fuer-scram").unwrap();
    clerks::set_password_as_superuser(&pool, &name, &third)
        .await
        .unwrap();
    signs_in(&f.server, &name, &third).await;
}

/// An administrator's password reset ends the other clerk's open sessions at once: whoever
/// had the old password is out. A clerk's own new password leaves their session open.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn an_admins_password_reset_ends_the_other_clerks_session(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let sb = f.sb.username.clone();
    antraege::list(&f.sb, &Default::default(), None, 10)
        .await
        .unwrap();
    let mut open = PgConnection::connect_with(&f.server.clone().username(&sb).password(CLERK_PW))
        .await
        .unwrap();
    sqlx::query("select 1").execute(&mut open).await.unwrap();

    // Nobody but the administration resets someone else's password: the core refuses, and
    // the database too when asked directly.
    let fresh = Password::new_checked("ein-ganz-neues-passwort").unwrap();
    let before = snapshot(&pool).await;
    assert_kind(
        clerks::set_password(&f.hotline, &sb, &fresh).await,
        ErrorKind::Forbidden,
    );
    let raw = sqlx::query("select kammer_api.clerk_set_password($1, $2)")
        .bind(&sb)
        .bind(scram_verifier(&fresh))
        .execute(f.hotline.pool())
        .await
        .unwrap_err();
    assert_eq!(kammer_core::Error::from(raw).kind(), ErrorKind::Forbidden);
    assert_eq!(snapshot(&pool).await, before);

    clerks::set_password(&f.admin, &sb, &fresh).await.unwrap();
    assert!(
        sqlx::query("select 1").execute(&mut open).await.is_err(),
        "the open session must be gone"
    );
    // The desk's session: every call fails from now on, and once the pool has let go of the
    // ended connections its new attempts with the old password are refused.
    let all = antraege::AntragFilter::default();
    let last = refused_once_ended(|| antraege::list(&f.sb, &all, None, 10)).await;
    assert_eq!(last.message(), "Benutzername oder Passwort ist falsch.");
    assert_kind(
        auth::sign_in(&f.server, &sb, &Password::attempt(CLERK_PW)).await,
        ErrorKind::Forbidden,
    );
    let again = auth::sign_in(&f.server, &sb, &fresh).await.unwrap();
    assert_eq!(again.clerk_id, f.sb.clerk_id);
    let (login, by_admin): (String, bool) = sqlx::query_as(
        "select login, (details->>'by_admin')::boolean from audit_events where action = 'clerk_password_set'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((login, by_admin), (f.admin.username.clone(), true));

    // A clerk's own new password: the session goes on, also on the connections its pool
    // opens from now on (eight calls at once need more than the one it holds).
    let own = Password::new_checked("mein-eigenes-neues-passwort").unwrap();
    clerks::set_password(&f.hotline, &f.hotline.username, &own)
        .await
        .unwrap();
    let calls = (0..8).map(|_| antraege::list(&f.hotline, &all, None, 10));
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    let opened: i64 =
        sqlx::query_scalar("select count(*) from pg_stat_activity where usename = $1")
            .bind(&f.hotline.username)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(opened > 1, "the pool opened new connections: {opened}");
    signs_in(&f.server, &f.hotline.username, &own).await;
    again.close().await;
}

/// A clerk demoted a minute ago is refused now: the role seen at sign-in is only advice, the
/// database checks the login's group on every call.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_role_change_takes_effect_at_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    clerks::set_role(&f.admin, &f.sb.username, Role::Hotline)
        .await
        .unwrap();
    assert_eq!(
        f.sb.role,
        Role::Sachbearbeitung,
        "what the desk saw at sign-in"
    );
    assert_eq!(f.sb.current_role().await.unwrap(), Role::Hotline);
    let before = snapshot(&pool).await;
    // The desk still offers the button (it signed in as Sachbearbeitung); the database
    // refuses the call.
    assert_kind(
        antraege::approve(&f.sb, nr, None).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    // Nobody changes their own role.
    assert_kind(
        clerks::set_role(&f.admin, &f.admin.username, Role::Hotline).await,
        ErrorKind::Validation,
    );
    clerks::set_role(&f.admin, &f.sb.username, Role::Sachbearbeitung)
        .await
        .unwrap();
    antraege::approve(&f.sb, nr, None).await.unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
}

/// One place: move a permission to another group in the table (as the owner, in a migration,
/// would) and both the database's refusal and the desk's buttons follow at once. A permission
/// the table no longer knows is refused, not waved through.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn one_row_of_the_permissions_moves_both_the_database_and_the_desk(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let why = reason("Rückruf: Antrag versehentlich gestellt");
    assert!(f.hotline.permissions.allows(Permission::WithdrawOnBehalf));

    sqlx::query(
        "update kammer_internal.permissions set group_name = 'kammer_sachbearbeitung' where permission = 'withdraw_on_behalf'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (_, now) = f.hotline.current_rights().await.unwrap();
    assert!(!now.allows(Permission::WithdrawOnBehalf));
    let view = antraege::view(&f.hotline, nr).await.unwrap();
    let withdraw = view
        .actions
        .iter()
        .find(|a| a.action == antraege::AntragAction::Withdraw)
        .unwrap();
    assert!(!withdraw.allowed);
    // The session still holds what it was told at sign-in, so the core lets the call through
    // and the database refuses it.
    let before = snapshot(&pool).await;
    assert_kind(
        antraege::withdraw(&f.hotline, nr, &why).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);

    sqlx::query("delete from kammer_internal.permissions where permission = 'reject'")
        .execute(&pool)
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    // A function asking for a permission the table lacks is a fault of the schema, for IT.
    assert_kind(antraege::reject(&f.sb, nr, &why).await, ErrorKind::Internal);
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "awaiting_code");
}

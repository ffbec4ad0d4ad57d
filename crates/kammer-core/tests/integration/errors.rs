use crate::common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege::{self, AntragFilter};
use kammer_core::auth::{self, Password};
use kammer_core::betriebe;
use kammer_core::clerks;
use kammer_core::codes;
use kammer_core::domain::{AntragNr, Betriebsnummer, EmailAddress};
use kammer_core::policy::PolicyChange;
use kammer_core::portal;
use sqlx::PgPool;

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn request_refusals_change_nothing(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    for bad in ["21211A5381", "123", "", "1234567890123"] {
        assert_eq!(
            Betriebsnummer::parse(bad).unwrap_err().kind(),
            ErrorKind::Validation,
            "{bad}"
        );
    }
    assert_eq!(
        Betriebsnummer::parse("212 115 5381").unwrap().as_str(),
        NUMMER
    );
    let before = snapshot(&pool).await;
    let unknown = Betriebsnummer::parse("9999999999").unwrap();
    assert_kind(
        portal::request_zuordnung(&f.portal, &f.email, &unknown, FIRMA).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        portal::request_zuordnung(&f.portal, &f.email, &f.nummer, "Falscher Name").await,
        ErrorKind::Validation,
    );
    let stranger = EmailAddress::parse("niemand@example.org").unwrap();
    assert_kind(
        portal::request_zuordnung(&f.portal, &stranger, &f.nummer, FIRMA).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    // An account whose address is not confirmed yet may not file.
    let email = EmailAddress::parse("neu@privat.example").unwrap();
    portal::register(
        &f.portal,
        &email,
        "Neu",
        &Password::new_checked(ACCOUNT_PW).unwrap(),
    )
    .await
    .unwrap();
    let before = snapshot(&pool).await;
    assert_kind(
        portal::request_zuordnung(&f.portal, &email, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert_kind(
        portal::confirm_email(&f.portal, &email, "falsch").await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);
    // A second open Antrag for the same Betrieb is a conflict.
    let nr = f.file().await;
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::request_zuordnung(&f.portal, &f.email, &f.nummer, FIRMA).await,
        ErrorKind::Conflict,
    );
    assert!(e.message().contains(&nr.to_string()), "{}", e.message());
    assert_eq!(snapshot(&pool).await, before);
    // Only the portal's login files Anträge: a clerk's login is refused by the database.
    let raw = sqlx::query("select * from kammer_api.portal_request($1, $2, $3)")
        .bind(ACCOUNT_EMAIL)
        .bind("9999000001")
        .bind(FIRMA)
        .execute(f.admin.pool())
        .await
        .unwrap_err();
    assert_eq!(kammer_core::Error::from(raw).kind(), ErrorKind::Forbidden);
    assert_eq!(snapshot(&pool).await, before);
}

/// Request → withdraw → request loops: an account files at most `account_requests_per_day`
/// Anträge a day, a Betrieb gets at most `betrieb_sends_per_day` codes a day whoever asks.
/// The refusals say so in German and change nothing.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn request_withdraw_loops_stop_at_the_account_and_betrieb_limits(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    // The account's limit (default 5): the sixth request of the day is refused.
    for _ in 0..5 {
        let nr = f.file().await;
        portal::withdraw(&f.portal, &f.email, nr).await.unwrap();
    }
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::request_zuordnung(&f.portal, &f.email, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert_eq!(
        e.message(),
        "Von diesem Account wurden in den letzten 24 Stunden bereits 5 Anträge gestellt – mehr lässt die Richtlinie der Kammer nicht zu."
    );
    // Another Betrieb does not help: the limit is the account's.
    insert_betrieb(&pool, "5100001", "Anderer Betrieb", "info@anderer.example").await;
    let before_other = snapshot(&pool).await;
    assert_kind(
        portal::request_zuordnung(
            &f.portal,
            &f.email,
            &Betriebsnummer::parse("5100001").unwrap(),
            "Anderer Betrieb",
        )
        .await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before_other);
    sqlx::query("delete from betriebe where betriebsnummer = '5100001'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(snapshot(&pool).await, before);

    // The Betrieb's limit (default 10 codes a day): a second account brings it to ten, a
    // third gets nothing, and its refusal names the Betrieb.
    let (second, _) = register_confirmed(&f.portal, "zweite@privat.example").await;
    for _ in 0..5 {
        let nr = portal::request_zuordnung(&f.portal, &second, &f.nummer, FIRMA)
            .await
            .unwrap()
            .nr;
        portal::withdraw(&f.portal, &second, nr).await.unwrap();
    }
    let (third, _) = register_confirmed(&f.portal, "dritte@privat.example").await;
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::request_zuordnung(&f.portal, &third, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert_eq!(
        e.message(),
        format!(
            "An den Betrieb {NUMMER} wurden in den letzten 24 Stunden bereits 10 Codes gesendet – mehr lässt die Richtlinie der Kammer nicht zu. Bitte versuchen Sie es morgen erneut."
        )
    );
    assert_eq!(snapshot(&pool).await, before);
    let codes_to_betrieb = count(
        &pool,
        &format!("mail_outbox where recipient = '{BETRIEB_EMAIL}'"),
    )
    .await;
    assert_eq!(codes_to_betrieb, 10);
}

/// Resends count towards the Betrieb's limit too: the hotline cannot be talked into flooding
/// a Betrieb's mailbox either.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resends_count_towards_the_betrieb_limit(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.set_policy(PolicyChange {
        resend_cooldown_seconds: Some(0),
        betrieb_sends_per_day: Some(3),
        ..Default::default()
    })
    .await;
    let nr = f.file().await;
    codes::resend(&f.hotline, nr, &reason("Anruf 1"))
        .await
        .unwrap();
    codes::resend(&f.hotline, nr, &reason("Anruf 2"))
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    let e = assert_kind(
        codes::resend(&f.hotline, nr, &reason("Anruf 3")).await,
        ErrorKind::Validation,
    );
    assert!(
        e.message()
            .starts_with(&format!("An den Betrieb {NUMMER} wurden")),
        "{}",
        e.message()
    );
    assert_eq!(snapshot(&pool).await, before);
    // A new Antrag from another account for the same Betrieb is refused as well.
    portal::withdraw(&f.portal, &f.email, nr).await.unwrap();
    let (other, _) = register_confirmed(&f.portal, "andere@privat.example").await;
    let before = snapshot(&pool).await;
    assert_kind(
        portal::request_zuordnung(&f.portal, &other, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);
}

/// A requester's name goes into the code mail the Betrieb reads: one line of at most 100
/// characters without control characters. Refused by the core and, called with raw SQL from
/// the portal's own login, by the database function.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn requester_names_are_one_plain_line_in_rust_and_in_the_database(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let pw = Password::new_checked(ACCOUNT_PW).unwrap();
    let bad = [
        ("too long", "x".repeat(101)),
        (
            "line break",
            "Max Mustermann\nSehr geehrte Damen und Herren".to_string(),
        ),
        ("carriage return", "Max\r\n{{code}}".to_string()),
        ("control character", "Max\u{7}Mustermann".to_string()),
        ("tab", "Max\tMustermann".to_string()),
        ("C1 control", "Max\u{85}Mustermann".to_string()),
        ("blank", "   ".to_string()),
    ];
    let before = snapshot(&pool).await;
    for (i, (what, name)) in bad.iter().enumerate() {
        let email = EmailAddress::parse(&format!("name{i}@privat.example")).unwrap();
        let e = assert_kind(
            portal::register(&f.portal, &email, name, &pw).await,
            ErrorKind::Validation,
        );
        assert!(e.message().contains("Namen"), "{what}: {}", e.message());
        // The database, reached without the core's check.
        let raw = sqlx::query("select kammer_api.portal_register($1, $2, 'hash', 'token')")
            .bind(email.as_str())
            .bind(name)
            .execute(&f.portal)
            .await
            .unwrap_err();
        let db = raw.as_database_error().expect("a refusal of the database");
        assert_eq!(db.code().as_deref(), Some("KD422"), "{what}");
        assert_eq!(db.message(), "requester_name_invalid", "{what}");
        let e = kammer_core::Error::from(raw);
        assert_eq!(e.kind(), ErrorKind::Validation, "{what}");
        assert!(
            e.message().contains("höchstens 100 Zeichen"),
            "{what}: {}",
            e.message()
        );
    }
    assert_eq!(snapshot(&pool).await, before);
    // A hundred characters, umlauts and placeholder-like braces are a name like any other.
    let email = EmailAddress::parse("hundert@privat.example").unwrap();
    portal::register(&f.portal, &email, &"ä".repeat(100), &pw)
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar("select kammer_api.portal_register($1, $2, 'hash', 'token')")
        .bind("roh@privat.example")
        .bind("Max {{phone_hint}} {{code}}")
        .fetch_one(&f.portal)
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("select name from accounts where id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, "Max {{phone_hint}} {{code}}");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn code_refusals(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    let before = snapshot(&pool).await;
    // Malformed: nothing counted.
    for bad in ["xyz", "", &code[..63], &format!("{code}0")] {
        assert_kind(
            portal::submit_code(&f.portal, &f.email, nr, bad).await,
            ErrorKind::Validation,
        );
        assert_kind(
            codes::check(&f.hotline, nr, bad).await,
            ErrorKind::Validation,
        );
    }
    assert_eq!(snapshot(&pool).await, before);
    // Unknown Antrag and someone else's Antrag: not found.
    assert_kind(
        portal::submit_code(&f.portal, &f.email, AntragNr::from_db(999_999), &code).await,
        ErrorKind::NotFound,
    );
    let (other, _) = register_confirmed(&f.portal, "fremd@privat.example").await;
    let before = snapshot(&pool).await;
    assert_kind(
        portal::submit_code(&f.portal, &other, nr, &code).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    // Wrong code: refused, one attempt counted (and logged), nothing else changed.
    let audit_before = count(&pool, "audit_events").await;
    let e = assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &wrong_code()).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("4 Versuche"), "{}", e.message());
    assert_eq!(wrong_attempts(&pool, nr).await, 1);
    assert_eq!(count(&pool, "audit_events").await, audit_before + 1);
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    for t in [
        "antraege",
        "confirmation_codes",
        "mail_outbox",
        "zuordnungen",
    ] {
        assert_eq!(
            count(&pool, t).await.to_string(),
            before.iter().find(|(n, _)| n == t).unwrap().1,
            "{t}"
        );
    }
}

/// The right `code` of `nr` is refused saying `why`, a wrong code is refused too, and neither
/// changes anything (no attempt is counted).
async fn code_and_wrong_code_refused(
    pool: &PgPool,
    f: &Fixture,
    nr: AntragNr,
    code: &str,
    why: &str,
) {
    let before = snapshot(pool).await;
    let e = assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, code).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains(why), "{}", e.message());
    assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &wrong_code()).await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(pool).await, before);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn expired_and_locked_codes_are_refused(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.set_policy(PolicyChange {
        code_attempt_limit: Some(2),
        ..Default::default()
    })
    .await;
    let expired = f.file().await;
    let locked = f.file_for(&pool, "4444444").await;
    let expired_code = code_from_outbox(&pool, expired).await;
    let locked_code = code_from_outbox(&pool, locked).await;
    expire_codes(&pool, expired).await;
    code_and_wrong_code_refused(&pool, &f, expired, &expired_code, "abgelaufen").await;

    for _ in 0..2 {
        assert_kind(
            portal::submit_code(&f.portal, &f.email, locked, &wrong_code()).await,
            ErrorKind::Validation,
        );
    }
    assert_eq!(wrong_attempts(&pool, locked).await, 2);
    code_and_wrong_code_refused(&pool, &f, locked, &locked_code, "gesperrt").await;
    assert_eq!(status(&pool, locked).await, "awaiting_code");
    assert_eq!(status(&pool, expired).await, "awaiting_code");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn wrong_state_is_a_conflict(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    portal::submit_code(&f.portal, &f.email, nr, &code)
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    let r = reason("egal");
    assert_kind(
        antraege::approve(&f.sb, nr, None).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        antraege::approve(&f.sb, nr, Some(&r)).await,
        ErrorKind::Conflict,
    );
    assert_kind(antraege::reject(&f.sb, nr, &r).await, ErrorKind::Conflict);
    assert_kind(
        antraege::withdraw(&f.hotline, nr, &r).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        portal::withdraw(&f.portal, &f.email, nr).await,
        ErrorKind::Conflict,
    );
    assert_kind(codes::resend(&f.hotline, nr, &r).await, ErrorKind::Conflict);
    assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    let missing = AntragNr::from_db(999_999);
    assert_kind(
        antraege::approve(&f.sb, missing, Some(&r)).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        antraege::reject(&f.sb, missing, &r).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        codes::resend(&f.hotline, missing, &r).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        antraege::show(&f.hotline, missing).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "approved");
}

const WRONG: &str = "Benutzername oder Passwort ist falsch.";

/// Sign-in is a database sign-in: a wrong password or an unknown user is refused by
/// PostgreSQL (SCRAM), with one message for both; a superuser, a service login and a disabled
/// clerk are refused with their own German message.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn sign_in_refusals(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let sb = f.sb.username.clone();
    let before = snapshot(&pool).await;
    let e = assert_kind(
        auth::sign_in(&f.server, &sb, &Password::attempt("falsches-passwort")).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(e.message(), WRONG);
    let e = assert_kind(
        auth::sign_in(
            &f.server,
            &login(&f.tag, "gibtsnicht"),
            &Password::attempt(CLERK_PW),
        )
        .await,
        ErrorKind::Forbidden,
    );
    assert_eq!(e.message(), WRONG);
    assert_kind(
        auth::sign_in(&f.server, "  ", &Password::attempt(CLERK_PW)).await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);
    // Case and blanks in the user name do not matter.
    let again = auth::sign_in(
        &f.server,
        &format!(" {} ", sb.to_uppercase()),
        &Password::attempt(CLERK_PW),
    )
    .await
    .unwrap();
    assert_eq!(again.clerk_id, f.sb.clerk_id);
    again.close().await;

    // The superuser works only for set-up: the desk refuses it.
    let e = assert_kind(
        auth::sign_in(&f.server, "postgres", &Password::attempt("egal")).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(
        e.message(),
        "KammerDesk arbeitet nicht mit dem Superuser-Zugang „postgres“. Bitte melden Sie sich mit Ihrem persönlichen Zugang an."
    );
    // A service's login is no clerk.
    let portal_login = login(&f.tag, "portal");
    let e = assert_kind(
        auth::sign_in(&f.server, &portal_login, &Password::attempt(CLERK_PW)).await,
        ErrorKind::Forbidden,
    );
    assert!(
        e.message().contains(&format!("„{portal_login}“"))
            && e.message().contains("kein Zugang von KammerDesk"),
        "{}",
        e.message()
    );
    assert_eq!(snapshot(&pool).await, before);

    // A disabled clerk: refused at sign-in, and the session still open is refused at once.
    clerks::disable(&f.admin, &sb).await.unwrap();
    let before = snapshot(&pool).await;
    let e = assert_kind(
        auth::sign_in(&f.server, &sb, &Password::attempt(CLERK_PW)).await,
        ErrorKind::Forbidden,
    );
    assert!(e.message().contains("gesperrt"), "{}", e.message());
    let r = reason("trotzdem");
    // Its connections were ended; whatever the pool still holds fails, and no new one is
    // let in. Every call is refused, none changes anything, and the refusal says why.
    let last = refused_once_ended(|| antraege::approve(&f.sb, nr, Some(&r))).await;
    assert!(last.message().contains("gesperrt"), "{}", last.message());
    assert_kind(antraege::reject(&f.sb, nr, &r).await, ErrorKind::Forbidden);
    assert_kind(
        antraege::list(&f.sb, &Default::default(), None, 10).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        codes::check(&f.sb, nr, &wrong_code()).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    // Other clerks are unaffected.
    antraege::list(&f.hotline, &Default::default(), None, 10)
        .await
        .unwrap();
    // Enabled again, the clerk signs in as before.
    clerks::enable(&f.admin, &sb).await.unwrap();
    sign_in(&f.server, &sb).await.close().await;
}

/// The desk's guard rails on its connections (db::desk_options): every statement has a
/// timeout, and when it fires the clerk reads why in German; IT sees who runs what in
/// pg_stat_activity.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn desk_connections_have_a_statement_timeout_and_a_name(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.file().await;
    let desk =
        kammer_core::db::desk_options(f.server.clone(), std::time::Duration::from_millis(300));
    let sb = auth::sign_in(&desk, &f.sb.username, &Password::attempt(CLERK_PW))
        .await
        .unwrap();

    let name: String = sqlx::query_scalar("select current_setting('application_name')")
        .fetch_one(sb.pool())
        .await
        .unwrap();
    let expected = format!(
        "KammerDesk {} ({})",
        env!("CARGO_PKG_VERSION"),
        f.sb.username
    );
    assert_eq!(name, expected);
    let seen: Vec<String> =
        sqlx::query_scalar("select application_name from pg_stat_activity where usename = $1")
            .bind(&f.sb.username)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(seen.contains(&expected), "{seen:?}");

    // A look-up stuck behind a lock (here: the superuser holding the table) is cancelled by
    // the database after the timeout, not left to freeze the desk.
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("lock table antraege in access exclusive mode")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let e = assert_kind(
        antraege::list(&sb, &Default::default(), None, 10).await,
        ErrorKind::Unavailable,
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        e.message().starts_with(
            "Die Datenbank hat die Anfrage abgebrochen, weil sie zu lange gedauert hat."
        ),
        "{}",
        e.message()
    );
    blocker.rollback().await.unwrap();
    // The connection is fine afterwards, and the look-up works once the lock is gone.
    assert_eq!(list_all(&sb).await.len(), 1);
    sb.close().await;

    // The default a desk gets.
    assert_eq!(kammer_core::db::DESK_STATEMENT_TIMEOUT.as_secs(), 15);
}

/// A desk rolled out before IT migrated the database calls a function the schema does not
/// have yet: the clerk is told that, not shown an internal error. The older schema is made for
/// real, by taking the newest function the desk needs at sign-in out of a migrated database.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_database_older_than_the_desk_is_named_at_sign_in(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    sqlx::query("drop function kammer_api.my_permissions()")
        .execute(&pool)
        .await
        .unwrap();
    let e = assert_kind(
        auth::sign_in(&f.server, &f.sb.username, &Password::attempt(CLERK_PW)).await,
        ErrorKind::Unavailable,
    );
    assert!(e.message().contains("kammerctl migrate"), "{}", e.message());
}

/// The Suche and the queue's search take the same longest term, and refuse a longer one in
/// the same words.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_search_term_too_long_is_refused_alike_everywhere(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let longest = "a".repeat(200);
    let longer = "a".repeat(201);
    betriebe::search(&f.hotline, &longest, 10).await.unwrap();
    let filter = |search: &str| AntragFilter {
        search: Some(search.to_string()),
        ..AntragFilter::default()
    };
    antraege::list(&f.hotline, &filter(&longest), None, 10)
        .await
        .unwrap();
    let suche = assert_kind(
        betriebe::search(&f.hotline, &longer, 10).await,
        ErrorKind::Validation,
    );
    let queue = assert_kind(
        antraege::list(&f.hotline, &filter(&longer), None, 10).await,
        ErrorKind::Validation,
    );
    assert_eq!(suche.message(), queue.message());
    assert!(
        suche.message().contains("höchstens 200 Zeichen"),
        "{}",
        suche.message()
    );
}

mod common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege;
use kammer_core::auth::{self, Password};
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
        portal::request_zuordnung(&pool, &f.email, &unknown, FIRMA).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        portal::request_zuordnung(&pool, &f.email, &f.nummer, "Falscher Name").await,
        ErrorKind::Validation,
    );
    let stranger = EmailAddress::parse("niemand@example.org").unwrap();
    assert_kind(
        portal::request_zuordnung(&pool, &stranger, &f.nummer, FIRMA).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    // An account whose address is not confirmed yet may not file.
    let email = EmailAddress::parse("neu@privat.example").unwrap();
    portal::register(
        &pool,
        &email,
        "Neu",
        &Password::new_checked(ACCOUNT_PW).unwrap(),
    )
    .await
    .unwrap();
    let before = snapshot(&pool).await;
    assert_kind(
        portal::request_zuordnung(&pool, &email, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert_kind(
        portal::confirm_email(&pool, &email, "falsch").await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);
    // A second open Antrag for the same Betrieb is a conflict.
    let nr = f.file(&pool).await;
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::request_zuordnung(&pool, &f.email, &f.nummer, FIRMA).await,
        ErrorKind::Conflict,
    );
    assert!(e.message().contains(&nr.to_string()), "{}", e.message());
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn code_refusals(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    let code = code_from_outbox(&pool, nr).await;
    let before = snapshot(&pool).await;
    // Malformed: nothing counted.
    for bad in ["xyz", "", &code[..63], &format!("{code}0")] {
        assert_kind(
            portal::submit_code(&pool, &f.email, nr, bad).await,
            ErrorKind::Validation,
        );
        assert_kind(
            codes::check(&pool, &f.hotline, nr, bad).await,
            ErrorKind::Validation,
        );
    }
    assert_eq!(snapshot(&pool).await, before);
    // Unknown Antrag and someone else's Antrag: not found.
    assert_kind(
        portal::submit_code(&pool, &f.email, AntragNr::from_db(999_999), &code).await,
        ErrorKind::NotFound,
    );
    let (other, _) = register_confirmed(&pool, "fremd@privat.example").await;
    let before = snapshot(&pool).await;
    assert_kind(
        portal::submit_code(&pool, &other, nr, &code).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    // Wrong code: refused, one attempt counted (and logged), nothing else changed.
    let audit_before = count(&pool, "audit_events").await;
    let e = assert_kind(
        portal::submit_code(&pool, &f.email, nr, &wrong_code()).await,
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
            count(&pool, t).await,
            before.iter().find(|(n, _)| n == t).unwrap().1,
            "{t}"
        );
    }
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn expired_and_locked_codes_are_refused(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.set_policy(
        &pool,
        PolicyChange {
            code_attempt_limit: Some(2),
            ..Default::default()
        },
    )
    .await;
    let expired = f.file(&pool).await;
    let locked = f.file_for(&pool, "4444444").await;
    let expired_code = code_from_outbox(&pool, expired).await;
    let locked_code = code_from_outbox(&pool, locked).await;
    sqlx::query("update confirmation_codes set expires_at = now() - interval '1 minute' where antrag_nr = $1")
        .bind(expired.get())
        .execute(&pool)
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::submit_code(&pool, &f.email, expired, &expired_code).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("abgelaufen"), "{}", e.message());
    assert_kind(
        portal::submit_code(&pool, &f.email, expired, &wrong_code()).await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);

    for _ in 0..2 {
        assert_kind(
            portal::submit_code(&pool, &f.email, locked, &wrong_code()).await,
            ErrorKind::Validation,
        );
    }
    assert_eq!(wrong_attempts(&pool, locked).await, 2);
    let before = snapshot(&pool).await;
    let e = assert_kind(
        portal::submit_code(&pool, &f.email, locked, &locked_code).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("gesperrt"), "{}", e.message());
    assert_kind(
        portal::submit_code(&pool, &f.email, locked, &wrong_code()).await,
        ErrorKind::Validation,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, locked).await, "awaiting_code");
    assert_eq!(status(&pool, expired).await, "awaiting_code");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn wrong_state_is_a_conflict(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let nr = f.file(&pool).await;
    let code = code_from_outbox(&pool, nr).await;
    portal::submit_code(&pool, &f.email, nr, &code)
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    let r = reason("egal");
    assert_kind(
        antraege::approve(&pool, &f.sb, nr, None).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        antraege::approve(&pool, &f.sb, nr, Some(&r)).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        antraege::reject(&pool, &f.sb, nr, &r).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        antraege::withdraw(&pool, &f.hotline, nr, &r).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        portal::withdraw(&pool, &f.email, nr).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        codes::resend(&pool, &f.hotline, nr, &r).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        portal::submit_code(&pool, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    let missing = AntragNr::from_db(999_999);
    assert_kind(
        antraege::approve(&pool, &f.sb, missing, Some(&r)).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        antraege::reject(&pool, &f.sb, missing, &r).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        codes::resend(&pool, &f.hotline, missing, &r).await,
        ErrorKind::NotFound,
    );
    assert_kind(
        antraege::show(&pool, &f.hotline, missing).await,
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "approved");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn sign_in_refusals(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    let before = snapshot(&pool).await;
    assert_kind(
        auth::sign_in(&pool, "sb", &Password::attempt("falsches-passwort")).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        auth::sign_in(&pool, "gibtsnicht", &Password::attempt(CLERK_PW)).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    // Case and blanks in the user name do not matter.
    auth::sign_in(&pool, " SB ", &Password::attempt(CLERK_PW))
        .await
        .unwrap();

    clerks::disable(&pool, &f.admin, "sb").await.unwrap();
    let before = snapshot(&pool).await;
    let e = assert_kind(
        auth::sign_in(&pool, "sb", &Password::attempt(CLERK_PW)).await,
        ErrorKind::Forbidden,
    );
    assert!(e.message().contains("gesperrt"), "{}", e.message());
    // The session the clerk still holds is refused by authorize on the next operation.
    let r = reason("trotzdem");
    assert_kind(
        antraege::approve(&pool, &f.sb, nr, Some(&r)).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::reject(&pool, &f.sb, nr, &r).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::list(&pool, &f.sb, &Default::default(), None, 10).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        codes::check(&pool, &f.sb, nr, &wrong_code()).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    // Other clerks are unaffected.
    antraege::list(&pool, &f.hotline, &Default::default(), None, 10)
        .await
        .unwrap();
}

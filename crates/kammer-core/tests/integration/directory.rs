//! Directory sign-in: clerks sign in with the chamber directory's password, which PostgreSQL
//! checks itself (`ldap` in pg_hba.conf, search+bind over StartTLS) against a real OpenLDAP.
//!
//! Needs `scripts/tls-postgres.sh` then `scripts/slapd.sh` (slapd on 127.0.0.1:3389; the TLS
//! cluster on 5434 signs the group kammer_verzeichnis in through it). `scripts/test.sh` runs
//! both and sets `KD_DIRECTORY_TESTS=1`; without it this test only says it was skipped. It
//! makes the database kammerdesk_directory on that cluster afresh on every run.

use std::path::PathBuf;

use kammer_core::ErrorKind;
use kammer_core::auth::{self, Password};
use kammer_core::clerks::{self, NewClerk};
use kammer_core::db::{self, TlsMode};
use kammer_core::domain::Role;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgConnectOptions;

/// The directory's passwords (scripts/slapd.sh makes these entries).
const SB_PW: &str = "Verzeichnis-Passwort-sb";
const HL_PW: &str = "Verzeichnis-Passwort-hl";
const ALT_PW: &str = "Verzeichnis-Passwort-alt";
const DATABASE: &str = "kammerdesk_directory";
const LOGINS: [&str; 3] = ["ldap.sb", "ldap.hl", "ldap.alt"];

fn server(ca: &std::path::Path, database: &str) -> PgConnectOptions {
    db::with_tls(
        PgConnectOptions::new_without_pgpass()
            .host("localhost")
            .port(5434)
            .database(database),
        TlsMode::VerifyFull,
        Some(ca),
    )
    .unwrap()
}

#[tokio::test]
async fn clerks_sign_in_with_the_directory_password() {
    if std::env::var_os("KD_DIRECTORY_TESTS").is_none() {
        eprintln!(
            "skipped (run scripts/tls-postgres.sh and scripts/slapd.sh, set KD_DIRECTORY_TESTS=1)"
        );
        return;
    }
    let ca = match std::env::var_os("KD_TLS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/kammerdesk-tls"),
    }
    .join("ca.pem");

    // Set-up as the superuser (trusted over hostssl from loopback on this test cluster): a
    // fresh database, the logins of an earlier run dropped.
    let root = db::connect_with(server(&ca, "postgres").username("postgres"))
        .await
        .unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "drop database if exists {DATABASE} with (force)"
    )))
    .execute(&root)
    .await
    .unwrap();
    for login in LOGINS {
        sqlx::raw_sql(AssertSqlSafe(format!("drop role if exists \"{login}\"")))
            .execute(&root)
            .await
            .unwrap();
    }
    sqlx::raw_sql(AssertSqlSafe(format!("create database {DATABASE}")))
        .execute(&root)
        .await
        .unwrap();
    root.close().await;
    let su = db::connect_with(server(&ca, DATABASE).username("postgres"))
        .await
        .unwrap();
    db::migrate(&su).await.unwrap();
    // Their logins exist in PostgreSQL without a password; pg_hba.conf sends the group
    // kammer_verzeichnis to the directory.
    let to_directory = |login: &str| format!("grant kammer_verzeichnis to \"{login}\"");
    clerks::bootstrap_admin(&su, "ldap.sb", "Sabine Brandt", None)
        .await
        .unwrap();
    sqlx::raw_sql(AssertSqlSafe(to_directory("ldap.sb")))
        .execute(&su)
        .await
        .unwrap();

    let server = server(&ca, DATABASE);
    let admin = auth::sign_in(&server, "ldap.sb", &Password::attempt(SB_PW))
        .await
        .unwrap();
    assert_eq!(
        (admin.username.as_str(), admin.role),
        ("ldap.sb", Role::Admin)
    );

    // A wrong password: the directory refuses, the clerk reads the usual sentence.
    let err = auth::sign_in(
        &server,
        "ldap.sb",
        &Password::attempt("Verzeichnis-Passwort-falsch"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.message(), "Benutzername oder Passwort ist falsch.");

    // The administration adds directory clerks (kammer_api.clerk_create with no password).
    for (login, name, role) in [
        ("ldap.hl", "Hans Lange", Role::Hotline),
        ("ldap.alt", "Alfred Alt", Role::Sachbearbeitung),
    ] {
        clerks::add(
            &admin,
            &NewClerk {
                username: login,
                display_name: name,
                role,
                password: None,
            },
        )
        .await
        .unwrap();
        sqlx::raw_sql(AssertSqlSafe(to_directory(login)))
            .execute(&su)
            .await
            .unwrap();
    }
    let no_password: bool = sqlx::query_scalar(
        "select bool_and(rolpassword is null) from pg_authid where rolname = any($1)",
    )
    .bind(LOGINS)
    .fetch_one(&su)
    .await
    .unwrap();
    assert!(
        no_password,
        "directory logins have no password in PostgreSQL"
    );

    let hotline = auth::sign_in(&server, "ldap.hl", &Password::attempt(HL_PW))
        .await
        .unwrap();
    assert_eq!(hotline.role, Role::Hotline);
    // Each clerk has their own directory password.
    let err = auth::sign_in(&server, "ldap.hl", &Password::attempt(SB_PW))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);

    // Disabled in the directory (employeeType=gesperrt, outside the search filter): refused,
    // although the login is enabled in PostgreSQL and the password is the directory's.
    let err = auth::sign_in(&server, "ldap.alt", &Password::attempt(ALT_PW))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.message(), "Benutzername oder Passwort ist falsch.");
    let can_login: bool =
        sqlx::query_scalar("select rolcanlogin from pg_roles where rolname = 'ldap.alt'")
            .fetch_one(&su)
            .await
            .unwrap();
    assert!(can_login);

    admin.pool().close().await;
    hotline.pool().close().await;
    su.close().await;
}

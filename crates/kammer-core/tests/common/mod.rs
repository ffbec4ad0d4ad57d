//! Shared fixture for the integration tests against real PostgreSQL.
#![allow(dead_code)]

use kammer_core::antraege;
use kammer_core::auth::{self, Password, Session};
use kammer_core::clerks::{self, NewClerk};
use kammer_core::domain::{AntragNr, AntragStatus, Betriebsnummer, EmailAddress, Reason, Role};
use kammer_core::policy::{self, PolicyChange};
use kammer_core::portal;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;

pub const NUMMER: &str = "2121155381";
pub const FIRMA: &str = "Testbetrieb";
pub const BETRIEB_EMAIL: &str = "info@testbetrieb.example";
pub const ACCOUNT_EMAIL: &str = "anna@privat.example";
pub const CLERK_PW: &str = "sehr-geheimes-passwort";
pub const ACCOUNT_PW: &str = "account-passwort-123";

pub struct Fixture {
    pub admin: Session,
    pub sb: Session,
    pub hotline: Session,
    pub betrieb_id: i64,
    pub nummer: Betriebsnummer,
    pub email: EmailAddress,
    pub account_id: i64,
}

pub async fn add_clerk(pool: &PgPool, by: Option<&Session>, username: &str, role: Role) -> Session {
    let pw = Password::new_checked(CLERK_PW).unwrap();
    clerks::add(
        pool,
        by,
        &NewClerk {
            username,
            display_name: username,
            role,
            password: &pw,
        },
    )
    .await
    .unwrap();
    auth::sign_in(pool, username, &Password::attempt(CLERK_PW))
        .await
        .unwrap()
}

pub async fn insert_betrieb(pool: &PgPool, nummer: &str, firmenname: &str, email: &str) -> i64 {
    sqlx::query_scalar(
        "insert into betriebe (betriebsnummer, firmenname, inhaber, email, gewerk, ort)
         values ($1, $2, 'Erika Muster', $3, 'Tischler', 'Dortmund') returning id",
    )
    .bind(nummer)
    .bind(firmenname)
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn register_confirmed(pool: &PgPool, email: &str) -> (EmailAddress, i64) {
    let email = EmailAddress::parse(email).unwrap();
    let pw = Password::new_checked(ACCOUNT_PW).unwrap();
    let reg = portal::register(pool, &email, "Anna Antrag", &pw)
        .await
        .unwrap();
    portal::confirm_email(pool, &email, &reg.confirm_token)
        .await
        .unwrap();
    (email, reg.account_id)
}

impl Fixture {
    pub async fn new(pool: &PgPool) -> Fixture {
        let admin = add_clerk(pool, None, "admin", Role::Admin).await;
        let sb = add_clerk(pool, Some(&admin), "sb", Role::Sachbearbeitung).await;
        let hotline = add_clerk(pool, Some(&admin), "hotline", Role::Hotline).await;
        let betrieb_id = insert_betrieb(pool, NUMMER, FIRMA, BETRIEB_EMAIL).await;
        let (email, account_id) = register_confirmed(pool, ACCOUNT_EMAIL).await;
        Fixture {
            admin,
            sb,
            hotline,
            betrieb_id,
            nummer: Betriebsnummer::parse(NUMMER).unwrap(),
            email,
            account_id,
        }
    }

    /// Files an Antrag for the fixture's Betrieb.
    pub async fn file(&self, pool: &PgPool) -> AntragNr {
        portal::request_zuordnung(pool, &self.email, &self.nummer, FIRMA)
            .await
            .unwrap()
            .nr
    }

    /// Files an Antrag for another (freshly inserted) Betrieb, so many can be open at once.
    pub async fn file_for(&self, pool: &PgPool, nummer: &str) -> AntragNr {
        insert_betrieb(
            pool,
            nummer,
            &format!("Firma {nummer}"),
            &format!("info@f{nummer}.example"),
        )
        .await;
        let n = Betriebsnummer::parse(nummer).unwrap();
        portal::request_zuordnung(pool, &self.email, &n, &format!("Firma {nummer}"))
            .await
            .unwrap()
            .nr
    }

    pub async fn set_policy(&self, pool: &PgPool, change: PolicyChange) {
        policy::set(pool, &self.admin, &change).await.unwrap();
    }

    /// Lets tests resend at once instead of waiting out the policy's cooldown.
    pub async fn without_resend_cooldown(&self, pool: &PgPool) {
        self.set_policy(
            pool,
            PolicyChange {
                resend_cooldown_seconds: Some(0),
                ..Default::default()
            },
        )
        .await;
    }

    pub async fn auto_approve(&self, pool: &PgPool, on: bool) {
        self.set_policy(
            pool,
            PolicyChange {
                auto_approve_on_code: Some(on),
                ..Default::default()
            },
        )
        .await;
    }

    /// Files an Antrag and brings it to in_review with the right code.
    pub async fn in_review(&self, pool: &PgPool) -> AntragNr {
        self.auto_approve(pool, false).await;
        let nr = self.file(pool).await;
        let code = code_from_outbox(pool, nr).await;
        let s = portal::submit_code(pool, &self.email, nr, &code)
            .await
            .unwrap();
        assert_eq!(s.status, AntragStatus::InReview);
        nr
    }
}

pub fn reason(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}

/// The code of the newest mail queued for `nr`: the only place the plain code exists.
pub async fn code_from_outbox(pool: &PgPool, nr: AntragNr) -> String {
    let body: String = sqlx::query_scalar(
        "select body_text from mail_outbox where antrag_nr = $1 order by id desc limit 1",
    )
    .bind(nr.get())
    .fetch_one(pool)
    .await
    .unwrap();
    extract_code(&body).unwrap_or_else(|| panic!("no code in mail:\n{body}"))
}

pub fn extract_code(body: &str) -> Option<String> {
    body.split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .map(|w| w.to_lowercase())
}

/// A syntactically valid code that is certainly not the issued one.
pub fn wrong_code() -> String {
    "0".repeat(64)
}

pub async fn status(pool: &PgPool, nr: AntragNr) -> String {
    sqlx::query_scalar("select status from antraege where nr = $1")
        .bind(nr.get())
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn active_zuordnungen(pool: &PgPool, nr: AntragNr) -> i64 {
    sqlx::query_scalar(
        "select count(*) from zuordnungen where antrag_nr = $1 and revoked_at is null",
    )
    .bind(nr.get())
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn wrong_attempts(pool: &PgPool, nr: AntragNr) -> i32 {
    sqlx::query_scalar(
        "select wrong_attempts from confirmation_codes where antrag_nr = $1 order by id desc limit 1",
    )
    .bind(nr.get())
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Row counts of every table a refused operation must leave alone.
pub async fn snapshot(pool: &PgPool) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in [
        "antraege",
        "confirmation_codes",
        "mail_outbox",
        "zuordnungen",
        "audit_events",
        "clerks",
        "accounts",
    ] {
        out.push((t.to_string(), count(pool, t).await));
    }
    let states: String = sqlx::query_scalar(
        "select coalesce(string_agg(nr || ':' || status, ',' order by nr), '') from antraege",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    out.push((states, 0));
    let attempts: i64 = sqlx::query_scalar(
        "select coalesce(sum(wrong_attempts), 0)::bigint from confirmation_codes",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    out.push(("attempts".into(), attempts));
    out
}

#[track_caller]
pub fn assert_kind<T: std::fmt::Debug>(r: Result<T>, kind: ErrorKind) -> kammer_core::Error {
    match r {
        Ok(v) => panic!("expected {kind:?}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "wrong kind: {}", e.message());
            assert!(!e.message().is_empty());
            e
        }
    }
}

pub async fn audit_actions(pool: &PgPool, nr: AntragNr) -> Vec<String> {
    sqlx::query_scalar("select action from audit_events where antrag_nr = $1 order by id")
        .bind(nr.get())
        .fetch_all(pool)
        .await
        .unwrap()
}

pub async fn list_all(pool: &PgPool, s: &Session) -> Vec<i64> {
    let page = antraege::list(pool, s, &Default::default(), None, 1000)
        .await
        .unwrap();
    page.rows.iter().map(|r| r.nr).collect()
}

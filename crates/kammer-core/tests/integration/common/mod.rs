//! Shared fixture for the integration tests against real PostgreSQL.
//!
//! `#[sqlx::test]` hands each test a fresh database and a superuser pool on it: the tests use
//! that pool only to set up (the first administrator, service logins, Betriebe as the
//! Handwerksrolle would deliver them) and to look at the result. Everything under test runs
//! as the logins it would run as in production: each clerk through their own
//! [`Session`], the portal, the mail sender and the report jobs as their service logins.
//! Logins are server-wide, so each test names its own with a random tag.

use kammer_core::antraege;
use kammer_core::auth::{self, Password, Session};
use kammer_core::clerks::{self, NewClerk};
use kammer_core::db::{self, Service};
use kammer_core::domain::{AntragNr, AntragStatus, Betriebsnummer, EmailAddress, Reason, Role};
use kammer_core::policy::{self, PolicyChange};
use kammer_core::portal;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

pub const NUMMER: &str = "2121155381";
pub const FIRMA: &str = "Testbetrieb";
pub const BETRIEB_EMAIL: &str = "info@testbetrieb.example";
pub const ACCOUNT_EMAIL: &str = "anna@privat.example";
pub const CLERK_PW: &str = "sehr-geheimes-passwort";
pub const ACCOUNT_PW: &str = "account-passwort-123";

pub struct Fixture {
    /// This test's prefix for login names (`t1a2b3c.sb`).
    pub tag: String,
    pub server: PgConnectOptions,
    pub admin: Session,
    pub sb: Session,
    /// A second Sachbearbeitung clerk: the other pair of eyes.
    pub sb2: Session,
    pub hotline: Session,
    pub portal: PgPool,
    pub mailer: PgPool,
    pub reporting: PgPool,
    pub betrieb_id: i64,
    pub nummer: Betriebsnummer,
    pub email: EmailAddress,
    pub account_id: i64,
}

/// The server of the test's database, without a login.
pub fn server(pool: &PgPool) -> PgConnectOptions {
    (*pool.connect_options()).clone()
}

pub fn login(tag: &str, name: &str) -> String {
    format!("t{tag}.{name}")
}

/// A clerk created by `admin`, signed in with their own login.
pub async fn add_clerk(
    admin: &Session,
    server: &PgConnectOptions,
    username: &str,
    role: Role,
) -> Session {
    let pw = Password::new_checked(CLERK_PW).unwrap();
    clerks::add(
        admin,
        &NewClerk {
            username,
            display_name: username,
            role,
            password: Some(&pw),
        },
    )
    .await
    .unwrap();
    sign_in(server, username).await
}

pub async fn sign_in(server: &PgConnectOptions, username: &str) -> Session {
    auth::sign_in(server, username, &Password::attempt(CLERK_PW))
        .await
        .unwrap()
}

/// `username` signs in with `password`; the session is closed again.
pub async fn signs_in(server: &PgConnectOptions, username: &str, password: &Password) {
    auth::sign_in(server, username, password)
        .await
        .unwrap()
        .close()
        .await;
}

/// Ten calls through a session whose login was just ended (disabled, or its password reset):
/// every one fails — unavailable while the pool still holds ended connections, or refused —
/// and the last, once the pool has let go of them and tries to sign in anew, is refused
/// (forbidden). Returns that last refusal.
pub async fn refused_once_ended<T, F, Fut>(mut call: F) -> kammer_core::Error
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut last = None;
    for _ in 0..10 {
        let e = call().await.unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Unavailable | ErrorKind::Forbidden),
            "{:?}: {}",
            e.kind(),
            e.message()
        );
        last = Some(e);
    }
    let last = last.unwrap();
    assert_eq!(last.kind(), ErrorKind::Forbidden, "{}", last.message());
    last
}

/// A service login made by the superuser (first-time setup), connected.
pub async fn service_login(superuser: &PgPool, service: Service, name: &str) -> PgPool {
    let pw = Password::new_checked(CLERK_PW).unwrap();
    clerks::add_service_login(superuser, service, name, &pw)
        .await
        .unwrap();
    db::connect_service(server(superuser).username(name).password(CLERK_PW), service)
        .await
        .unwrap()
}

/// A Betrieb as the Handwerksrolle delivers it (set up directly, as the import would).
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

pub async fn register_confirmed(portal: &PgPool, email: &str) -> (EmailAddress, i64) {
    register_confirmed_as(portal, email, "Anna Antrag").await
}

/// A portal account with its e-mail address confirmed, under the requester's `name`.
pub async fn register_confirmed_as(
    portal: &PgPool,
    email: &str,
    name: &str,
) -> (EmailAddress, i64) {
    let email = EmailAddress::parse(email).unwrap();
    let pw = Password::new_checked(ACCOUNT_PW).unwrap();
    let reg = portal::register(portal, &email, name, &pw).await.unwrap();
    portal::confirm_email(portal, &email, &reg.confirm_token)
        .await
        .unwrap();
    (email, reg.account_id)
}

fn random_tag() -> String {
    let mut bytes = [0u8; 3];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Fixture {
    pub async fn new(pool: &PgPool) -> Fixture {
        let tag = random_tag();
        let server = server(pool);
        let pw = Password::new_checked(CLERK_PW).unwrap();
        let admin_name = login(&tag, "admin");
        clerks::bootstrap_admin(pool, &admin_name, "Andrea Admin", Some(&pw))
            .await
            .unwrap();
        let admin = sign_in(&server, &admin_name).await;
        let sb = add_clerk(&admin, &server, &login(&tag, "sb"), Role::Sachbearbeitung).await;
        let sb2 = add_clerk(&admin, &server, &login(&tag, "sb2"), Role::Sachbearbeitung).await;
        let hotline = add_clerk(&admin, &server, &login(&tag, "hotline"), Role::Hotline).await;
        let portal = service_login(pool, Service::Portal, &login(&tag, "portal")).await;
        let mailer = service_login(pool, Service::Mailer, &login(&tag, "mailer")).await;
        let reporting = service_login(pool, Service::Reporting, &login(&tag, "reporting")).await;
        let betrieb_id = insert_betrieb(pool, NUMMER, FIRMA, BETRIEB_EMAIL).await;
        let (email, account_id) = register_confirmed(&portal, ACCOUNT_EMAIL).await;
        Fixture {
            tag,
            server,
            admin,
            sb,
            sb2,
            hotline,
            portal,
            mailer,
            reporting,
            betrieb_id,
            nummer: Betriebsnummer::parse(NUMMER).unwrap(),
            email,
            account_id,
        }
    }

    /// Files an Antrag for the fixture's Betrieb.
    pub async fn file(&self) -> AntragNr {
        portal::request_zuordnung(&self.portal, &self.email, &self.nummer, FIRMA)
            .await
            .unwrap()
            .nr
    }

    /// Files an Antrag for another (freshly inserted) Betrieb, so many can be open at once.
    pub async fn file_for(&self, pool: &PgPool, nummer: &str) -> AntragNr {
        self.file_to(
            pool,
            nummer,
            &format!("Firma {nummer}"),
            &format!("info@f{nummer}.example"),
        )
        .await
    }

    /// Files an Antrag for a new Betrieb named `firmenname` whose address on file is `email`.
    pub async fn file_to(
        &self,
        pool: &PgPool,
        nummer: &str,
        firmenname: &str,
        email: &str,
    ) -> AntragNr {
        insert_betrieb(pool, nummer, firmenname, email).await;
        let n = Betriebsnummer::parse(nummer).unwrap();
        portal::request_zuordnung(&self.portal, &self.email, &n, firmenname)
            .await
            .unwrap()
            .nr
    }

    pub async fn set_policy(&self, change: PolicyChange) {
        policy::set(&self.admin, &change).await.unwrap();
    }

    /// Lets tests resend at once instead of waiting out the policy's cooldown.
    pub async fn without_resend_cooldown(&self) {
        self.set_policy(PolicyChange {
            resend_cooldown_seconds: Some(0),
            ..Default::default()
        })
        .await;
    }

    /// Lets one account file many Anträge in a day (tests that need many open at once); the
    /// per-Betrieb limit stays, each of those Anträge is for a Betrieb of its own.
    pub async fn without_request_limits(&self) {
        self.set_policy(PolicyChange {
            account_requests_per_day: Some(1000),
            ..Default::default()
        })
        .await;
    }

    pub async fn auto_approve(&self, on: bool) {
        self.set_policy(PolicyChange {
            auto_approve_on_code: Some(on),
            ..Default::default()
        })
        .await;
    }

    /// Files an Antrag and brings it to in_review with the right code.
    pub async fn in_review(&self, pool: &PgPool) -> AntragNr {
        self.auto_approve(false).await;
        let nr = self.file().await;
        self.submit_for_review(pool, nr).await;
        nr
    }

    /// The requester submits the right code of `nr` (auto-approve off): in_review.
    pub async fn submit_for_review(&self, pool: &PgPool, nr: AntragNr) {
        let code = code_from_outbox(pool, nr).await;
        let s = portal::submit_code(&self.portal, &self.email, nr, &code)
            .await
            .unwrap();
        assert_eq!(s.status, AntragStatus::InReview);
    }
}

pub fn reason(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}

/// The code of the newest mail queued for `nr`, read by the test's superuser from where only
/// the mail sender may read it (the tests of the mail path read it from the delivered mail).
pub async fn code_from_outbox(pool: &PgPool, nr: AntragNr) -> String {
    sqlx::query_scalar(
        "select s.code from kammer_secret.code_plaintext s join mail_outbox o on o.id = s.outbox_id
         where o.antrag_nr = $1 order by o.id desc limit 1",
    )
    .bind(nr.get())
    .fetch_optional(pool)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("no queued code for Antrag {nr}"))
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

/// The status of the Antrag's (only) code mail and why it was cancelled, if it was.
pub async fn mail_state(pool: &PgPool, nr: AntragNr) -> (String, Option<String>) {
    sqlx::query_as("select status, cancel_reason from mail_outbox where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(pool)
        .await
        .unwrap()
}

/// How many code plaintexts of the Antrag still wait for the mail sender.
pub async fn plaintexts(pool: &PgPool, nr: AntragNr) -> i64 {
    count_for(
        pool,
        "kammer_secret.code_plaintext s join mail_outbox o on o.id = s.outbox_id
         where o.antrag_nr = $1",
        nr,
    )
    .await
}

/// How many codes were issued for the Antrag: the first and one for each resend.
pub async fn codes_issued(pool: &PgPool, nr: AntragNr) -> i64 {
    count_for(pool, "confirmation_codes where antrag_nr = $1", nr).await
}

/// The Antrag's consumed codes: each one's prefix, and whether it was still live (not
/// superseded).
pub async fn consumed_codes(pool: &PgPool, nr: AntragNr) -> Vec<(String, bool)> {
    sqlx::query_as(
        "select prefix, superseded_at is null from confirmation_codes where antrag_nr = $1 and consumed_at is not null",
    )
    .bind(nr.get())
    .fetch_all(pool)
    .await
    .unwrap()
}

/// What time passing does to the Antrag's codes: they expired a minute ago.
pub async fn expire_codes(pool: &PgPool, nr: AntragNr) {
    sqlx::query(
        "update confirmation_codes set expires_at = now() - interval '1 minute' where antrag_nr = $1",
    )
    .bind(nr.get())
    .execute(pool)
    .await
    .unwrap();
}

pub async fn status(pool: &PgPool, nr: AntragNr) -> String {
    sqlx::query_scalar("select status from antraege where nr = $1")
        .bind(nr.get())
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `select count(*) from {rows}`: a table, or a table and a condition
/// (`"mail_outbox where status <> 'sent'"`).
pub async fn count(pool: &PgPool, rows: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {rows}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Like [`count`], for Antrag `nr`, which the condition names as `$1`.
pub async fn count_for(pool: &PgPool, rows: &str, nr: AntragNr) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {rows}")))
        .bind(nr.get())
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn active_zuordnungen(pool: &PgPool, nr: AntragNr) -> i64 {
    count_for(
        pool,
        "zuordnungen where antrag_nr = $1 and revoked_at is null",
        nr,
    )
    .await
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

/// Everything a refused operation or an attack must leave alone: row counts of every table,
/// every Antrag's status, every code's attempts and state, the policy, the clerks and their
/// logins' rights. Compared before and after.
pub async fn snapshot(pool: &PgPool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in [
        "antraege",
        "confirmation_codes",
        "mail_outbox",
        "zuordnungen",
        "audit_events",
        "clerks",
        "accounts",
        "betriebe",
        "kammer_secret.code_plaintext",
    ] {
        out.push((t.to_string(), count(pool, t).await.to_string()));
    }
    for (name, query) in [
        (
            "antraege",
            "select coalesce(string_agg(nr || ':' || status || ':' || coalesce(approval_requested_by::text, '-'), ',' order by nr), '') from antraege",
        ),
        (
            "codes",
            "select coalesce(string_agg(id || ':' || wrong_attempts || ':' || (consumed_at is null) || (superseded_at is null), ',' order by id), '') from confirmation_codes",
        ),
        (
            "outbox",
            "select coalesce(string_agg(id || ':' || status, ',' order by id), '') from mail_outbox",
        ),
        (
            "betriebe",
            "select coalesce(string_agg(betriebsnummer || ':' || email, ',' order by id), '') from betriebe",
        ),
        ("policy", "select to_jsonb(p)::text from policy p"),
        (
            "permissions",
            "select coalesce(string_agg(permission || ':' || group_name, ',' order by permission), '') from kammer_internal.permissions",
        ),
        (
            "start_states",
            "select coalesce(string_agg(action || ':' || status || ':' || reason_required, ',' order by action, status), '') from kammer_internal.start_states",
        ),
        (
            "logins",
            "select coalesce(string_agg(r.rolname || ':' || r.rolcanlogin || ':' || r.rolsuper || ':' ||
                 coalesce((select string_agg(g.rolname, '+' order by g.rolname) from pg_auth_members m
                           join pg_roles g on g.oid = m.roleid where m.member = r.oid), ''), ',' order by r.rolname), '')
             from pg_roles r where r.rolname in (select username from clerks) or r.rolname like 'kammer\\_%'",
        ),
    ] {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_string()))
            .fetch_one(pool)
            .await
            .unwrap();
        out.push((name.to_string(), value));
    }
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

pub async fn list_all(s: &Session) -> Vec<i64> {
    let page = antraege::list(s, &Default::default(), None, 1000)
        .await
        .unwrap();
    page.rows.iter().map(|r| r.nr).collect()
}

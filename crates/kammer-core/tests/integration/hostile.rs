//! The hostile-clerk catalogue: every login attacks the database with raw SQL over an
//! ordinary connection, as malware in a clerk's session could, not through kammer-core. Each
//! attempt must be refused with the expected SQLSTATE, and afterwards nothing may have
//! changed. docs/security.md carries the same table; a test fails when it is stale
//! (`UPDATE_SECURITY_DOC=1 cargo test -p kammer-core --test integration hostile::` rewrites it).

use crate::common;

use std::fmt::Write as _;

use common::*;
use kammer_core::auth::{Password, scram_verifier};
use kammer_core::db::Service;
use kammer_core::domain::AntragNr;
use kammer_core::{antraege, portal};
use sqlx::{Connection, PgConnection, PgPool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Hotline,
    Sachbearbeitung,
    Admin,
    Portal,
    Mailer,
    Reporting,
    Import,
}

impl Who {
    fn label(self) -> &'static str {
        match self {
            Who::Hotline => "Hotline",
            Who::Sachbearbeitung => "Sachbearbeitung",
            Who::Admin => "Administration",
            Who::Portal => "Portal-Dienst",
            Who::Mailer => "Mail-Versand",
            Who::Reporting => "Berichts-Dienst",
            Who::Import => "Import der Handwerksrolle",
        }
    }
}

/// One attempt: who, what they try, the SQL (with `{nr}`, `{other}`, `{me}`, `{account}`,
/// `{betrieb}`, `{verifier}`, `{outbox}` filled in), and the SQLSTATE that must refuse it.
struct Attack {
    who: Who,
    what: &'static str,
    sql: &'static str,
    refused_with: &'static str,
}

const fn attack(
    who: Who,
    what: &'static str,
    sql: &'static str,
    refused_with: &'static str,
) -> Attack {
    Attack {
        who,
        what,
        sql,
        refused_with,
    }
}

use Who::*;

const CATALOGUE: &[Attack] = &[
    attack(
        Hotline,
        "set an Antrag's status directly",
        "update antraege set status = 'approved', decided_at = now() where nr = {nr}",
        "42501",
    ),
    attack(
        Hotline,
        "insert a Zuordnung",
        "insert into zuordnungen (account_id, betrieb_id, antrag_nr) values ({account}, {betrieb}, {nr})",
        "42501",
    ),
    attack(
        Hotline,
        "change a Betrieb's e-mail address",
        "update betriebe set email = 'boese@angreifer.example' where id = {betrieb}",
        "42501",
    ),
    attack(
        Hotline,
        "read a code's plaintext",
        "select code from kammer_secret.code_plaintext",
        "42501",
    ),
    attack(
        Hotline,
        "read the code hashes",
        "select code_hash from confirmation_codes",
        "42501",
    ),
    attack(
        Hotline,
        "read account password hashes",
        "select password_hash from accounts",
        "42501",
    ),
    attack(
        Hotline,
        "forge an audit event",
        "insert into audit_events (actor_kind, clerk_id, action, antrag_nr) values ('clerk', (select id from clerks where username = '{other}'), 'approved', {nr})",
        "42501",
    ),
    attack(
        Hotline,
        "delete audit events",
        "delete from audit_events",
        "42501",
    ),
    attack(
        Hotline,
        "change audit events",
        "update audit_events set action = 'nichts'",
        "42501",
    ),
    attack(
        Admin,
        "write an audit event through the database's own helper",
        "select kammer_internal.audit('clerk', null, null, 'approved', {nr}, null, '{}')",
        "42501",
    ),
    attack(
        Admin,
        "drop the check that admits only known audit actions",
        "alter table audit_events drop constraint audit_events_action_known",
        "42501",
    ),
    attack(
        Hotline,
        "disable the append-only trigger",
        "alter table audit_events disable trigger audit_events_no_update",
        "42501",
    ),
    attack(
        Hotline,
        "SET ROLE to a group not held",
        "set role kammer_sachbearbeitung",
        "42501",
    ),
    attack(
        Hotline,
        "SET session_replication_role (triggers off)",
        "set session_replication_role = replica",
        "42501",
    ),
    attack(
        Hotline,
        "call approve",
        "select * from kammer_api.antrag_approve({nr}, 'telefonisch bestätigt')",
        "42501",
    ),
    attack(
        Hotline,
        "call an internal function (transition)",
        "select * from kammer_internal.transition({nr}, 'approve', 'approved', null, null)",
        "42501",
    ),
    attack(
        Hotline,
        "waive the Begründung a withdrawal needs (start states)",
        "update kammer_internal.start_states set reason_required = false",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "let a withdrawn Antrag be approved (add a start state)",
        "insert into kammer_internal.start_states (action, status, reason_required) values ('approve', 'withdrawn', false)",
        "42501",
    ),
    attack(
        Admin,
        "delete the start states",
        "delete from kammer_internal.start_states",
        "42501",
    ),
    attack(
        Portal,
        "let a withdrawn Antrag take a code again (add a start state)",
        "insert into kammer_internal.start_states (action, status, reason_required) values ('submit_code', 'withdrawn', false)",
        "42501",
    ),
    attack(
        Hotline,
        "give the hotline the right to approve (permissions)",
        "update kammer_internal.permissions set group_name = 'kammer_hotline' where permission = 'approve'",
        "42501",
    ),
    attack(
        Admin,
        "drop the permission to read the outbox from the table",
        "delete from kammer_internal.permissions where permission = 'read_outbox'",
        "42501",
    ),
    attack(
        Hotline,
        "issue a code directly",
        "select * from kammer_internal.issue_code({nr}, null, null)",
        "42501",
    ),
    attack(
        Hotline,
        "claim a mail with its code",
        "select * from kammer_api.mail_claim()",
        "42501",
    ),
    attack(
        Hotline,
        "create a function",
        "create function public.hintertuer() returns int language sql as 'select 1'",
        "42501",
    ),
    attack(
        Hotline,
        "create a temporary table (and functions in pg_temp)",
        "create temp table versteck (x int)",
        "42501",
    ),
    attack(
        Hotline,
        "COPY … TO PROGRAM",
        "copy (select 1) to program 'id'",
        "42501",
    ),
    attack(
        Hotline,
        "pg_read_file",
        "select pg_read_file('/etc/passwd')",
        "42501",
    ),
    attack(
        Hotline,
        "make oneself admin (GRANT)",
        "grant kammer_admin to \"{me}\"",
        "42501",
    ),
    attack(
        Hotline,
        "make oneself superuser",
        "alter role \"{me}\" superuser",
        "42501",
    ),
    attack(
        Hotline,
        "change the policy directly (four eyes off)",
        "update policy set four_eyes_without_code = false",
        "42501",
    ),
    attack(
        Hotline,
        "change the policy through its function",
        "select kammer_api.policy_set('{\"four_eyes_without_code\": false}')",
        "42501",
    ),
    attack(
        Hotline,
        "create a clerk login",
        "select kammer_api.clerk_create('t.boese', 'Böse', 'admin', null)",
        "42501",
    ),
    attack(
        Hotline,
        "submit a code as the portal",
        "select * from kammer_api.portal_submit_code('anna@privat.example', {nr}, sha256('x'))",
        "42501",
    ),
    attack(
        Hotline,
        "act as another clerk (SET SESSION AUTHORIZATION)",
        "set session authorization \"{other}\"",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "confirm one's own approval without code as the second pair of eyes",
        "select * from kammer_api.antrag_approve({nr})",
        "KD403",
    ),
    attack(
        Sachbearbeitung,
        "change a clerk's name directly",
        "update clerks set display_name = 'Andere' where username = '{me}'",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "make oneself admin (function)",
        "select kammer_api.clerk_set_role('{me}', 'admin')",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "set another clerk's password",
        "select kammer_api.clerk_set_password('{other}', '{verifier}')",
        "KD403",
    ),
    attack(
        Sachbearbeitung,
        "claim a mail with its code",
        "select * from kammer_api.mail_claim()",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "file an Antrag as the portal",
        "select * from kammer_api.portal_request('anna@privat.example', '2121155381', 'Testbetrieb')",
        "42501",
    ),
    attack(
        Admin,
        "read a code's plaintext",
        "select code from kammer_secret.code_plaintext",
        "42501",
    ),
    attack(
        Admin,
        "claim a mail with its code",
        "select * from kammer_api.mail_claim()",
        "42501",
    ),
    attack(
        Admin,
        "make oneself the mail sender",
        "grant kammer_mailer to \"{me}\"",
        "42501",
    ),
    attack(
        Admin,
        "take over the superuser as a clerk",
        "select kammer_api.clerk_create('postgres', 'Superuser', 'admin', '{verifier}')",
        "KD409",
    ),
    attack(
        Admin,
        "set the superuser's password",
        "select kammer_api.clerk_set_password('postgres', '{verifier}')",
        "KD404",
    ),
    attack(
        Admin,
        "take over a service login as a clerk",
        "select kammer_api.clerk_create('{mailer}', 'Versand', 'admin', '{verifier}')",
        "KD409",
    ),
    attack(
        Admin,
        "SET ROLE to the owner",
        "set role kammer_owner",
        "42501",
    ),
    attack(
        Admin,
        "drop the audit log",
        "drop table audit_events",
        "42501",
    ),
    attack(
        Admin,
        "empty the audit log",
        "truncate audit_events",
        "42501",
    ),
    attack(
        Portal,
        "approve",
        "select * from kammer_api.antrag_approve({nr}, 'x')",
        "42501",
    ),
    attack(
        Portal,
        "read a code's plaintext",
        "select code from kammer_secret.code_plaintext",
        "42501",
    ),
    attack(
        Portal,
        "confirm an account directly",
        "update accounts set email_confirmed_at = now()",
        "42501",
    ),
    attack(
        Mailer,
        "set an Antrag's status",
        "update antraege set status = 'approved' where nr = {nr}",
        "42501",
    ),
    attack(
        Mailer,
        "resend a code (a new one to read)",
        "select * from kammer_api.code_resend({nr}, 'x')",
        "42501",
    ),
    attack(
        Reporting,
        "reject an Antrag",
        "select kammer_api.antrag_reject({nr}, 'x')",
        "42501",
    ),
    attack(
        Reporting,
        "empty the queue's counts",
        "delete from antrag_status_counts",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "stage a Handwerksrolle file",
        "select kammer_api.handwerksrolle_stage()",
        "42501",
    ),
    attack(
        Sachbearbeitung,
        "merge a Handwerksrolle file",
        "select kammer_api.handwerksrolle_apply('x.csv', repeat('a', 64), false, true, true, 100, false)",
        "42501",
    ),
    attack(
        Portal,
        "mark a Betrieb gelöscht",
        "update betriebe set geloescht_am = current_date where id = {betrieb}",
        "42501",
    ),
    attack(
        Admin,
        "record an import that never happened",
        "insert into handwerksrolle_imports (file_name, file_sha256, mode, rows_in_file, created, changed, email_changed, removed, unchanged, skipped) values ('x.csv', repeat('a', 64), 'full', 0, 0, 0, 0, 0, 0, 0)",
        "42501",
    ),
    attack(
        Import,
        "change a Betrieb's e-mail address directly",
        "update betriebe set email = 'boese@angreifer.example' where id = {betrieb}",
        "42501",
    ),
    attack(
        Import,
        "read a code's plaintext",
        "select code from kammer_secret.code_plaintext",
        "42501",
    ),
    attack(
        Import,
        "approve an Antrag",
        "select * from kammer_api.antrag_approve({nr}, 'x')",
        "42501",
    ),
    attack(
        Import,
        "put a view named like the import's plan into pg_temp (it would run as the owner)",
        "create temp view handwerksrolle_plan as select 1 as x",
        "42501",
    ),
    attack(
        Admin,
        "put a function into pg_temp for the import to run as the owner",
        "create function pg_temp.x() returns int language sql as 'select 1'",
        "42501",
    ),
    attack(
        Import,
        "merge without a staged file",
        "select kammer_api.handwerksrolle_apply('x.csv', repeat('a', 64), false, true, true, 100, false)",
        "KD422",
    ),
    attack(
        Import,
        "write the staging table's rows past the merge",
        "select kammer_api.handwerksrolle_stage(); insert into betriebe (betriebsnummer, firmenname, email) values ('99999999', 'X', 'x@angreifer.example')",
        "42501",
    ),
];

struct Scene {
    f: Fixture,
    nr: AntragNr,
    verifier: String,
}

impl Scene {
    /// An open Antrag with a queued code mail, and Sachbearbeitung's first confirmation of an
    /// approval without code already given (so the second can be attempted by the same clerk).
    async fn new(pool: &PgPool) -> Scene {
        let f = Fixture::new(pool).await;
        let nr = f.file().await;
        let first = antraege::approve(&f.sb, nr, Some(&reason("telefonisch bestätigt")))
            .await
            .unwrap();
        assert_eq!(first.outcome, antraege::ApprovalOutcome::AwaitingSecond);
        service_login(pool, Service::Import, &login(&f.tag, "import")).await;
        let verifier = scram_verifier(&Password::attempt("neues-passwort-123"));
        Scene { f, nr, verifier }
    }

    fn login(&self, who: Who) -> String {
        let name = match who {
            Hotline => "hotline",
            Sachbearbeitung => "sb",
            Admin => "admin",
            Portal => "portal",
            Mailer => "mailer",
            Reporting => "reporting",
            Import => "import",
        };
        login(&self.f.tag, name)
    }

    fn sql(&self, attack: &Attack) -> String {
        let other = match attack.who {
            Sachbearbeitung => self.login(Hotline),
            _ => self.login(Sachbearbeitung),
        };
        attack
            .sql
            .replace("{nr}", &self.nr.to_string())
            .replace("{account}", &self.f.account_id.to_string())
            .replace("{betrieb}", &self.f.betrieb_id.to_string())
            .replace("{me}", &self.login(attack.who))
            .replace("{other}", &other)
            .replace("{mailer}", &self.login(Mailer))
            .replace("{verifier}", &self.verifier)
    }

    async fn connect(&self, who: Who) -> PgConnection {
        let login = self.login(who);
        PgConnection::connect_with(&self.f.server.clone().username(&login).password(CLERK_PW))
            .await
            .unwrap_or_else(|e| panic!("{login} cannot connect: {e}"))
    }
}

/// What the attempt got: `ok`, or the SQLSTATE of the refusal.
async fn outcome(conn: &mut PgConnection, sql: &str) -> String {
    match sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
    {
        Ok(_) => "ok".to_string(),
        Err(sqlx::Error::Database(db)) => db.code().unwrap_or_default().into_owned(),
        Err(e) => format!("error: {e}"),
    }
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn every_attack_is_refused_and_changes_nothing(pool: PgPool) {
    assert!(
        CATALOGUE.len() >= 30,
        "the catalogue keeps at least 30 attempts"
    );
    let scene = Scene::new(&pool).await;
    let before = snapshot(&pool).await;
    let mut failures = Vec::new();
    for attack in CATALOGUE {
        let mut conn = scene.connect(attack.who).await;
        let got = outcome(&mut conn, &scene.sql(attack)).await;
        if got != attack.refused_with {
            failures.push(format!(
                "{} – {}: expected {}, got {got}",
                attack.who.label(),
                attack.what,
                attack.refused_with
            ));
        }
        let after = snapshot(&pool).await;
        assert_eq!(
            after,
            before,
            "{} – {} changed the database",
            attack.who.label(),
            attack.what
        );
        conn.close().await.ok();
    }
    assert!(
        failures.is_empty(),
        "attacks not refused as expected:\n{}",
        failures.join("\n")
    );
}

/// The hotline, with psql-like freedom: every column of every table it may read, searched for
/// the live code and its hash. Neither may appear anywhere.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn no_clerk_can_read_a_code_anywhere(pool: PgPool) {
    let scene = Scene::new(&pool).await;
    let code = code_from_outbox(&pool, scene.nr).await;
    let hash =
        sqlx::query_scalar::<_, String>("select encode(sha256(convert_to($1, 'UTF8')), 'hex')")
            .bind(&code)
            .fetch_one(&pool)
            .await
            .unwrap();
    for who in [Hotline, Sachbearbeitung, Admin, Portal, Reporting] {
        let mut conn = scene.connect(who).await;
        let readable: Vec<(String, String)> = sqlx::query_as(
            "select table_schema || '.' || table_name, string_agg(quote_ident(column_name), ', ')
             from information_schema.columns c
             where table_schema not in ('pg_catalog', 'information_schema')
               and has_column_privilege(format('%I.%I', table_schema, table_name), column_name, 'SELECT')
             group by 1",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(
            !readable
                .iter()
                .any(|(t, _)| t == "kammer_secret.code_plaintext"),
            "{} may read the code table",
            who.label()
        );
        for (table, columns) in readable {
            let dump: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "select string_agg(r::text, ' ') from (select {columns} from {table}) r"
            )))
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{} reading {table}: {e}", who.label()));
            let dump = dump.unwrap_or_default();
            assert!(
                !dump.contains(&code),
                "{} reads the code in {table}",
                who.label()
            );
            assert!(
                !dump.contains(&hash),
                "{} reads the code's hash in {table}",
                who.label()
            );
        }
    }
    // The mail sender can, and only through its function.
    let claimed: Option<String> = sqlx::query_scalar("select code from kammer_api.mail_claim()")
        .fetch_optional(&scene.f.mailer)
        .await
        .unwrap();
    assert_eq!(claimed.as_deref(), Some(code.as_str()));
}

/// A disabled clerk's open session ends at once, and the login cannot sign in again.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn disabling_a_clerk_ends_their_sessions(pool: PgPool) {
    let scene = Scene::new(&pool).await;
    let mut open = scene.connect(Hotline).await;
    assert_eq!(outcome(&mut open, "select 1").await, "ok");
    kammer_core::clerks::disable(&scene.f.admin, &scene.login(Hotline))
        .await
        .unwrap();
    assert_ne!(
        outcome(&mut open, "select 1").await,
        "ok",
        "the open session must be gone"
    );
    let again = PgConnection::connect_with(
        &scene
            .f
            .server
            .clone()
            .username(&scene.login(Hotline))
            .password(CLERK_PW),
    )
    .await;
    assert!(again.is_err(), "a disabled login cannot sign in");
    // The requester's own withdrawal still works; the hotline's view of the world is gone.
    portal::withdraw(&scene.f.portal, &scene.f.email, scene.nr)
        .await
        .unwrap();
}

#[test]
fn docs_security_md_lists_the_catalogue() {
    let mut table = String::from("| # | login | attempt | refused with |\n|---:|---|---|---|\n");
    for (i, a) in CATALOGUE.iter().enumerate() {
        let state = match a.refused_with {
            "42501" => "42501 insufficient_privilege (PostgreSQL's grants)",
            "KD403" => "KD403 forbidden (checked in the function)",
            "KD404" => "KD404 not found (checked in the function)",
            "KD409" => "KD409 conflict (checked in the function)",
            other => other,
        };
        let sql = a.sql.replace('|', "\\|");
        writeln!(
            table,
            "| {} | {} | {} (`{}`) | {} |",
            i + 1,
            a.who.label(),
            a.what,
            sql,
            state
        )
        .unwrap();
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/security.md");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let (start, end) = ("<!-- catalogue:start -->\n", "<!-- catalogue:end -->");
    let fresh = match (doc.find(start), doc.find(end)) {
        (Some(s), Some(e)) => format!("{}{}{}{}", &doc[..s], start, table, &doc[e..]),
        _ => panic!("docs/security.md lacks the catalogue markers"),
    };
    if std::env::var_os("UPDATE_SECURITY_DOC").is_some() {
        std::fs::write(path, &fresh).unwrap();
    } else {
        assert_eq!(
            doc, fresh,
            "docs/security.md is stale: UPDATE_SECURITY_DOC=1 cargo test -p kammer-core --test integration hostile::"
        );
    }
}

//! `kammerctl` behind PgBouncer in session pooling mode, the mode Debian 12's PgBouncer 1.18
//! can offer sqlx (transaction pooling needs 1.21+; see docs/performance.md): the clerks sign
//! in through the pooler with their own SCRAM passwords — PgBouncer checks them against the
//! server's verifiers (`auth_query`) and passes SCRAM on to the server — and a look-up, an
//! approval by four eyes and the audit trail go through the pooler as through the server
//! itself. Schema changes and seeding go to the server directly, as docs/kammerctl.md says.
//!
//! Needs PgBouncer on 127.0.0.1:6432 (`scripts/pgbouncer.sh session`, which `scripts/test.sh`
//! runs; `KD_PGBOUNCER_URL` points elsewhere).

use crate::common;

use std::process::Command;

use common::{
    APPROVE_178_BY_PHONE, demo_database, json_as, json_error, kammerctl, ok, ok_as, refused, run,
    url_as,
};
use kammer_testkit::{psql, url_of};

const DEFAULT_POOLER: &str = "postgres://postgres@127.0.0.1:6432/postgres";

/// PgBouncer's URL, after checking that it answers in session pooling mode and checks the
/// clerks' passwords.
fn pooler() -> String {
    let url = std::env::var("KD_PGBOUNCER_URL").unwrap_or_else(|_| DEFAULT_POOLER.to_string());
    let out = Command::new("psql")
        .args([&url_of(&url, "pgbouncer"), "-tAqc", "show config"])
        .output()
        .expect("psql runs");
    let config = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && config.lines().any(|l| l.starts_with("pool_mode|session")),
        "no PgBouncer in session pooling mode at {url} ({}): run scripts/pgbouncer.sh session \
         first (scripts/test.sh does)",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    assert!(
        config.lines().any(|l| l.starts_with("auth_type|hba")),
        "PgBouncer at {url} does not check passwords (auth_type hba with SCRAM for the clerks): \
         run scripts/pgbouncer.sh session again, it updates the configuration"
    );
    url
}

#[test]
fn kammerctl_works_behind_pgbouncer_in_session_pooling() {
    let pooler = pooler();
    let (db, direct) = demo_database("kammerctl_pgbouncer");
    let through = url_of(&pooler, &db.name);

    // Signed in with --as (SCRAM from kammerctl to PgBouncer, and on to the server).
    let shown = ok_as(&through, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    assert!(shown.contains("Testbetrieb"), "{shown}");
    let approve = APPROVE_178_BY_PHONE;
    let first = json_as(&through, "sb.mueller", &approve);
    assert_eq!(first["outcome"], "awaiting_second");
    // The clerk's own login in the address works the same way.
    let second: serde_json::Value = serde_json::from_str(&ok(
        &url_as(&through, "admin"),
        &[&["--json"][..], &approve].concat(),
    ))
    .unwrap();
    assert_eq!(second["outcome"], "approved");
    let again = kammerctl(
        &url_as(&through, "admin"),
        &[&["--json"][..], &approve].concat(),
    );
    assert_eq!(
        json_error(&again)["kind"],
        "conflict",
        "a second approval is a conflict"
    );

    // PgBouncer checks the password itself, and the superuser is refused as everywhere.
    let wrong = run(
        &through,
        &[
            ("KAMMERDESK_USER", "sb.mueller"),
            ("KAMMERDESK_PASSWORD", "falsch"),
        ],
        &approve,
    );
    let said = refused(&approve, wrong);
    assert!(
        said.contains("Benutzername oder Passwort ist falsch"),
        "{said}"
    );
    let said = refused(&approve, kammerctl(&through, &approve));
    assert!(said.contains("Superuser-Zugang"), "{said}");

    assert_eq!(
        psql(&direct, "select status from antraege where nr = 178"),
        "approved"
    );
    assert_eq!(
        psql(
            &direct,
            "select string_agg(action || ' ' || login, ', ' order by id) from audit_events
             where antrag_nr = 178 and action in ('approval_requested', 'approved')"
        ),
        "approval_requested sb.mueller, approved admin"
    );
    // The connections really went through PgBouncer: it opened pools for the clerks' logins.
    let pools = psql(&url_of(&pooler, "pgbouncer"), "show pools");
    for login in ["hl.schmidt", "sb.mueller", "admin"] {
        assert!(
            pools
                .lines()
                .any(|l| l.starts_with(&format!("{}|{login}|", db.name))),
            "PgBouncer has no pool for {login} on {}: {pools}",
            db.name
        );
    }
}

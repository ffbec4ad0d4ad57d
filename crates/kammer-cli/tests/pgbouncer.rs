//! `kammerctl` behind PgBouncer in session pooling mode, the mode Debian 12's PgBouncer 1.18
//! can offer sqlx (transaction pooling needs 1.21+; see docs/performance.md): a look-up, an
//! approval and the audit trail go through the pooler as through the server itself. Schema
//! changes and seeding go to the server directly, as the README says they should.
//!
//! Needs PgBouncer on 127.0.0.1:6432 (`scripts/pgbouncer.sh session`, which `scripts/test.sh`
//! runs; `KD_PGBOUNCER_URL` points elsewhere).

mod common;

use std::process::{Command, Output};

use common::{kammerctl_as, ok_as};
use kammer_testkit::{ScratchDatabase, psql, url_of};

const DEFAULT_POOLER: &str = "postgres://postgres@127.0.0.1:6432/postgres";

fn kammerctl(url: &str, args: &[&str]) -> Output {
    kammerctl_as(url, "admin", args)
}

fn ok(url: &str, args: &[&str]) -> String {
    ok_as(url, "admin", args)
}

/// PgBouncer's URL, after checking that it answers in session pooling mode.
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
    url
}

#[test]
fn kammerctl_works_behind_pgbouncer_in_session_pooling() {
    let pooler = pooler();
    let db = ScratchDatabase::create("kammerctl_pgbouncer");
    let direct = db.url();
    ok(&direct, &["migrate"]);
    ok(&direct, &["demo-seed"]);
    let through = url_of(&pooler, &db.name);

    let shown = ok(&through, &["betrieb", "show", "2121155381"]);
    assert!(shown.contains("Testbetrieb"), "{shown}");
    ok(
        &through,
        &[
            "antrag",
            "approve",
            "178",
            "--reason",
            "telefonisch bestätigt",
        ],
    );
    let again = kammerctl(
        &through,
        &["antrag", "approve", "178", "--reason", "nochmal"],
    );
    assert_eq!(
        again.status.code(),
        Some(1),
        "a second approval is a conflict"
    );

    assert_eq!(
        psql(&direct, "select status from antraege where nr = 178"),
        "approved"
    );
    assert_eq!(
        psql(
            &direct,
            "select count(*) from audit_events where antrag_nr = 178 and action = 'approved'"
        ),
        "1"
    );
    // The connections really went through PgBouncer: it opened a pool for this database.
    let pools = psql(&url_of(&pooler, "pgbouncer"), "show pools");
    assert!(
        pools
            .lines()
            .any(|l| l.starts_with(&format!("{}|", db.name))),
        "PgBouncer has no pool for {}: {pools}",
        db.name
    );
}

//! `kammerctl --read-database-url` against a real streaming replica: look-ups, the export and
//! the monthly report read from the replica, while the permission check, the approval and the
//! export's audit record go to the primary. Proven by pausing the replica's WAL replay: what
//! the primary changed meanwhile is not visible through the read URL until replay resumes.
//!
//! Needs the replica of `scripts/replica.sh` on 127.0.0.1:5433 (`scripts/test.sh` starts it;
//! `KD_REPLICA_SERVER_URL` points elsewhere). The databases of these tests are created on the
//! primary and reach the replica by replication, like everything else — the logins too: the
//! demo clerk signs in at the replica with the same login and password as at the primary.

use crate::common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{
    DEMO_PASSWORD, json_error, kammerctl as kammerctl_url, migrate_and_seed, ok, ok_as, run, url_as,
};
use kammer_testkit::{ScratchDatabase, psql, url_of};

const DEFAULT_REPLICA_SERVER: &str = "postgres://postgres@127.0.0.1:5433/postgres";

/// Pausing replay stops it for every database on the replica, so the tests that use it take
/// turns: within this run and with a second run on the same machine (another checkout's
/// `scripts/test.sh`). The lock is released when the file is dropped, also after a panic.
fn take_turn() -> std::fs::File {
    let lock = std::fs::File::create(std::env::temp_dir().join("kammerdesk-replica-tests.lock"))
        .expect("lock file");
    lock.lock().expect("lock the replica for this test");
    lock
}

fn primary_server() -> String {
    std::env::var("DATABASE_URL").expect("DATABASE_URL points at the primary PostgreSQL server")
}

/// The replica's server URL, after checking that a replica answers there.
fn replica_server() -> String {
    let url = std::env::var("KD_REPLICA_SERVER_URL")
        .unwrap_or_else(|_| DEFAULT_REPLICA_SERVER.to_string());
    let out = Command::new("psql")
        .args([&url, "-tAqc", "select pg_is_in_recovery()"])
        .output()
        .expect("psql runs");
    let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && answer == "t",
        "no streaming replica at {url} ({}{}): run scripts/replica.sh first (scripts/test.sh does)",
        answer,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    url
}

/// Waits until the replica has replayed everything the primary has written so far.
fn wait_for_replay(primary: &str, replica: &str) {
    let lsn = psql(primary, "select pg_current_wal_lsn()");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let caught_up = psql(
            replica,
            &format!("select coalesce(pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn, false)"),
        );
        if caught_up == "t" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica has not replayed the primary's WAL up to {lsn} within two minutes \
             (replay paused? run scripts/replica.sh, which resumes it)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Resumes replay when dropped, also when an assertion fails while it is paused.
struct Paused<'a>(&'a str);

impl<'a> Paused<'a> {
    fn pause(replica: &'a str) -> Self {
        psql(replica, "select pg_wal_replay_pause()");
        let deadline = Instant::now() + Duration::from_secs(30);
        while psql(replica, "select pg_get_wal_replay_pause_state()") != "paused" {
            assert!(Instant::now() < deadline, "replay does not pause");
            std::thread::sleep(Duration::from_millis(20));
        }
        Paused(replica)
    }
}

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([self.0, "-qc", "select pg_wal_replay_resume()"])
            .output();
    }
}

/// The demo data, with approvals without the code by one clerk (the policy's four eyes are
/// the story tests' subject; here one approval must change what a look-up shows).
fn seed(url: &str) {
    migrate_and_seed(url);
    ok_as(
        url,
        "admin",
        &["policy", "set", "--four-eyes-without-code", "false"],
    );
}

/// What a test that pauses replay works with: its turn, both servers, a seeded database of its
/// own that the replica has caught up with, and a directory for files.
struct Replicated {
    _turn: std::fs::File,
    primary_server: String,
    replica_server: String,
    _db: ScratchDatabase,
    dir: tempfile::TempDir,
    url: String,
    read_url: String,
}

impl Replicated {
    fn seeded(prefix: &str) -> Replicated {
        let turn = take_turn();
        let (primary_server, replica_server) = (primary_server(), replica_server());
        let db = ScratchDatabase::create(prefix);
        let (url, read_url) = (db.url(), url_of(&replica_server, &db.name));
        seed(&url);
        wait_for_replay(&primary_server, &replica_server);
        Replicated {
            _turn: turn,
            primary_server,
            replica_server,
            _db: db,
            dir: tempfile::tempdir().unwrap(),
            url,
            read_url,
        }
    }
}

/// As the demo clerk `sb.mueller`, signed in with `--as`, reading from `read_url` if given.
fn kammerctl(url: &str, read_url: Option<&str>, args: &[&str]) -> Output {
    let read = read_url.map(|r| ["--read-database-url", r]);
    let args = [args, read.as_ref().map_or(&[][..], |r| &r[..])].concat();
    run(
        url,
        &[
            ("KAMMERDESK_USER", "sb.mueller"),
            ("KAMMERDESK_PASSWORD", DEMO_PASSWORD),
        ],
        &args,
    )
}

fn json(url: &str, read_url: Option<&str>, args: &[&str]) -> serde_json::Value {
    let out = kammerctl(url, read_url, &[&["--json"], args].concat());
    assert!(
        out.status.success(),
        "kammerctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn status_of_178(betrieb: &serde_json::Value) -> String {
    betrieb["antraege"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["nr"] == 178)
        .expect("Antrag 178 among the Betrieb's Anträge")["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The status column of Antrag 178 in an exported file (excel-de: `;`, BOM).
fn exported_status_of_178(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body)
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "178")
        .expect("Antrag 178 in the export")[2]
        .to_string()
}

#[test]
fn lookups_exports_and_reports_read_from_the_replica() {
    let Replicated {
        _turn,
        _db,
        primary_server,
        replica_server,
        url,
        read_url,
        dir,
    } = Replicated::seeded("kammerctl_replica");
    assert_eq!(psql(&read_url, "select pg_is_in_recovery()"), "t");
    let month = psql(
        &url,
        "select to_char(now() at time zone 'Europe/Berlin', 'YYYY-MM')",
    );

    // Caught up: the replica answers like the primary.
    let shown = json(&url, Some(&read_url), &["betrieb", "show", "2121155381"]);
    assert_eq!(shown["betrieb"]["firmenname"], "Testbetrieb");
    assert_eq!(status_of_178(&shown), "awaiting_code");
    let hits = json(&url, Some(&read_url), &["betrieb", "search", "Testbetrieb"]);
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["betriebsnummer"] == "2121155381"),
        "{hits}"
    );
    let report_before = json(
        &url,
        Some(&read_url),
        &["report", "monthly", "--month", &month],
    );

    // Replay paused: the primary approves Antrag 178; the read URL still sees it waiting.
    let paused = Paused::pause(&replica_server);
    json(
        &url,
        Some(&read_url),
        &[
            "antrag",
            "approve",
            "178",
            "--reason",
            "Inhaber hat telefonisch bestätigt",
        ],
    );
    let on_primary = json(&url, None, &["betrieb", "show", "2121155381"]);
    assert_eq!(status_of_178(&on_primary), "approved");
    let on_replica = json(&url, Some(&read_url), &["betrieb", "show", "2121155381"]);
    assert_eq!(
        status_of_178(&on_replica),
        "awaiting_code",
        "the look-up did not read from the replica"
    );
    assert_eq!(
        on_replica["zuordnungen"].as_array().unwrap().len() + 1,
        on_primary["zuordnungen"].as_array().unwrap().len()
    );

    let stale = dir.path().join("stale.csv");
    let said = json(
        &url,
        Some(&read_url),
        &["export", "antraege", "--out", stale.to_str().unwrap()],
    );
    assert_eq!(said["rows"], 600);
    assert_eq!(
        exported_status_of_178(&stale),
        "Freigabeschlüssel notwendig",
        "the export did not read from the replica"
    );
    // Its audit record went to the primary, not to the paused replica.
    let export_events = "select count(*) from audit_events where action = 'export_written'";
    assert_eq!(psql(&url, export_events), "1");
    assert_eq!(psql(&read_url, export_events), "0");

    let report_paused = json(
        &url,
        Some(&read_url),
        &["report", "monthly", "--month", &month],
    );
    let report_primary = json(&url, None, &["report", "monthly", "--month", &month]);
    assert_eq!(
        report_paused["total"]["approved_by_clerk"], report_before["total"]["approved_by_clerk"],
        "the report did not read from the replica"
    );
    assert_eq!(
        report_primary["total"]["approved_by_clerk"]
            .as_i64()
            .unwrap(),
        report_before["total"]["approved_by_clerk"]
            .as_i64()
            .unwrap()
            + 1
    );

    // Replay resumed: the replica catches up and the read URL shows the approval.
    drop(paused);
    wait_for_replay(&primary_server, &replica_server);
    let shown = json(&url, Some(&read_url), &["betrieb", "show", "2121155381"]);
    assert_eq!(status_of_178(&shown), "approved");
    let fresh = dir.path().join("fresh.csv");
    json(
        &url,
        Some(&read_url),
        &["export", "antraege", "--out", fresh.to_str().unwrap()],
    );
    assert_eq!(exported_status_of_178(&fresh), "Zuordnung bestätigt");
    assert_eq!(psql(&url, export_events), "2");
}

#[test]
fn the_replica_is_needed_only_by_what_reads_from_it() {
    let db = ScratchDatabase::create("kammerctl_replica_down");
    let url = db.url();
    seed(&url);
    // Nothing listens on port 1.
    let nowhere = format!("postgres://postgres@127.0.0.1:1/{}", db.name);

    let out = kammerctl(&url, Some(&nowhere), &["betrieb", "show", "2121155381"]);
    // Exit code 6: unreachable.
    assert_eq!(out.status.code(), Some(6));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Fehler (unavailable): Die Datenbank 127.0.0.1:1/"),
        "{said}"
    );
    // Everything else works on the primary alone.
    let shown = json(&url, Some(&nowhere), &["antrag", "show", "178"]);
    assert_eq!(shown["summary"]["nr"], 178);
    let approved = json(
        &url,
        Some(&nowhere),
        &[
            "antrag",
            "approve",
            "178",
            "--reason",
            "Inhaber hat telefonisch bestätigt",
        ],
    );
    assert_eq!(approved["outcome"], "approved", "{approved}");
    assert!(approved["zuordnung_id"].is_i64(), "{approved}");
}

/// A write through the read pool is refused twice over: by the replica, which is in
/// recovery, and by the pool itself, whose transactions are read-only even when its URL
/// points at the primary by mistake.
#[test]
fn the_read_pool_never_writes() {
    let _turn = take_turn();
    let replica_server = replica_server();
    let primary_server = primary_server();
    let db = ScratchDatabase::create("kammerctl_replica_ro");
    let url = db.url();
    ok(&url, &["migrate"]);
    wait_for_replay(&primary_server, &replica_server);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (read_url, in_recovery) in [
        (url_of(&replica_server, &db.name), true),
        (url.clone(), false),
    ] {
        runtime.block_on(async {
            let options = kammer_core::db::parse_url(&read_url).unwrap();
            let read = kammer_core::db::connect_read_only(options).await.unwrap();
            let recovery: bool = sqlx::query_scalar("select pg_is_in_recovery()")
                .fetch_one(&read)
                .await
                .unwrap();
            assert_eq!(recovery, in_recovery, "{read_url}");
            let refused = sqlx::query("create table kammer_probe (i int)")
                .execute(&read)
                .await
                .expect_err("a write through the read pool");
            let code = refused
                .as_database_error()
                .and_then(|e| e.code())
                .map(|c| c.into_owned());
            // 25006: read_only_sql_transaction.
            assert_eq!(code.as_deref(), Some("25006"), "{read_url}: {refused}");
            read.close().await;
        });
    }
    assert_eq!(
        psql(&url, "select to_regclass('kammer_probe') is null"),
        "t"
    );
}

/// Without `--as`: the clerk's or the reporting service's own login in both addresses. The
/// read address must name the same login as the primary's.
#[test]
fn the_address_login_reads_from_the_replica_as_itself() {
    let Replicated {
        _turn,
        _db,
        primary_server: _,
        replica_server,
        url,
        read_url,
        dir,
    } = Replicated::seeded("kammerctl_replica_login");
    let (clerk, clerk_read) = (url_as(&url, "hl.schmidt"), url_as(&read_url, "hl.schmidt"));
    let (cron, cron_read) = (
        url_as(&url, "kd_reporting"),
        url_as(&read_url, "kd_reporting"),
    );

    let paused = Paused::pause(&replica_server);
    ok(
        &clerk,
        &[
            "antrag",
            "withdraw",
            "178",
            "--reason",
            "Antragsteller hat angerufen",
        ],
    );
    let show = ["--json", "betrieb", "show", "2121155381"];
    let on_primary: serde_json::Value = serde_json::from_str(&ok(&clerk, &show)).unwrap();
    assert_eq!(status_of_178(&on_primary), "withdrawn");
    let read_args = [&show[..], &["--read-database-url", clerk_read.as_str()]].concat();
    let on_replica: serde_json::Value = serde_json::from_str(&ok(&clerk, &read_args)).unwrap();
    assert_eq!(
        status_of_178(&on_replica),
        "awaiting_code",
        "the clerk's look-up did not read from the replica"
    );

    // The reporting service (cron) exports from the replica; its record goes to the primary.
    let stale = dir.path().join("cron.csv");
    let export = [
        "export",
        "antraege",
        "--out",
        stale.to_str().unwrap(),
        "--read-database-url",
        &cron_read,
    ];
    ok(&cron, &export);
    assert_eq!(
        exported_status_of_178(&stale),
        "Freigabeschlüssel notwendig",
        "the service's export did not read from the replica"
    );
    let export_events = "select count(*) from audit_events where action = 'export_written' and login = 'kd_reporting'";
    assert_eq!(psql(&url, export_events), "1");
    assert_eq!(psql(&read_url, export_events), "0");

    // A read address with another login (here the superuser's) is refused before it is used.
    let other = [&show[..], &["--read-database-url", read_url.as_str()]].concat();
    let out = kammerctl_url(&clerk, &other);
    let message = json_error(&out)["message"].as_str().unwrap().to_string();
    assert!(message.contains("denselben Zugang"), "{message}");
    drop(paused);
}

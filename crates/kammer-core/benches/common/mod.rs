//! What the export and scale benchmarks share: a demo database seeded once and reused while
//! its schema is current, the demo clerks' sign-in, and the export measured in a process of
//! its own (so its peak memory is the export's, not that of the seeding before it).

// Each benchmark uses a part of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Utc};
use kammer_core::antraege::{AntragFilter, SortOrder, summary_sql};
use kammer_core::auth::{self, Password, Session};
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::{db, demo};
use kammer_testkit::{psql, url_of};

/// The server the benchmarks create their databases on, as a superuser URL (its database part
/// is replaced): DATABASE_URL, or the local default.
pub fn server_from_env() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The arguments of the size-driven benchmarks: `--rows N`, `--drop` (remove the database
/// afterwards), `--server URL` (default [`server_from_env`]). `cargo bench` adds `--bench`.
pub struct SizeArgs {
    pub rows: u32,
    pub drop: bool,
    pub server: String,
}

impl SizeArgs {
    pub fn parse(default_rows: u32) -> SizeArgs {
        let mut a = SizeArgs {
            rows: default_rows,
            drop: false,
            server: server_from_env(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--rows" => a.rows = it.next().and_then(|n| n.parse().ok()).expect("--rows N"),
                "--drop" => a.drop = true,
                "--server" => a.server = it.next().expect("--server URL"),
                "--bench" => {}
                other => panic!("unknown argument {other}"),
            }
        }
        a
    }
}

/// The URL of `url`'s database for the login `user` with `password` (pgbench and psql take it
/// as it is; a demo password on a loopback benchmark).
pub fn login_url(url: &str, user: &str, password: &str) -> String {
    let options = db::parse_url(url).expect("database URL");
    let database = url.rsplit_once('/').expect("URL has a database part").1;
    format!(
        "postgres://{user}:{password}@{}:{}/{database}",
        options.get_host(),
        options.get_port()
    )
}

/// Makes sure the database `name` on `server` holds demo data of this size in the current
/// schema: reused when it does (migrated first), otherwise dropped, created and seeded with
/// `demo::seed` as the superuser (which also makes the demo clerks and services). A database
/// from before the clerks became logins, or one whose applied migrations were changed since,
/// is seeded anew. Returns the database's superuser URL.
pub async fn seeded_database(server: &str, name: &str, opts: &demo::SeedOptions) -> String {
    let url = url_of(server, name);
    let exists = psql(
        server,
        &format!("select count(*) from pg_database where datname = '{name}'"),
    ) == "1";
    let mut current = exists
        && psql(
            &url,
            "select to_regprocedure('kammer_api.whoami()') is not null",
        ) == "t"
        && psql(
            &url,
            "select exists (select 1 from clerks where username = 'sb.mueller')",
        ) == "t"
        && psql(&url, "select count(*) from antraege")
            == opts.antraege.max(demo::TEST_ANTRAG_NR as u32).to_string();
    if current {
        let pool = db::connect(&url).await.unwrap();
        if let Err(e) = db::migrate(&pool).await {
            eprintln!("{name}: {} — seeding it anew", e.message());
            current = false;
        }
        pool.close().await;
    }
    if current {
        eprintln!("reusing {name}");
        return url;
    }
    if exists {
        psql(server, &format!("drop database {name} with (force)"));
    }
    psql(server, &format!("create database {name}"));
    let pool = db::connect(&url).await.unwrap();
    db::migrate(&pool).await.unwrap();
    eprintln!(
        "seeding {name}: {} Betriebe, {} Anträge …",
        opts.betriebe, opts.antraege
    );
    let started = Instant::now();
    demo::seed(&pool, opts).await.unwrap();
    eprintln!("seeded in {:.0} s", started.elapsed().as_secs_f64());
    pool.close().await;
    url
}

/// Signs a demo clerk in with their own login, as the desk does.
pub async fn sign_in(url: &str, username: &str) -> Session {
    auth::sign_in(
        &db::parse_url(url).unwrap(),
        username,
        &Password::attempt(demo::DEMO_PASSWORD),
    )
    .await
    .unwrap_or_else(|e| panic!("sign-in as {username}: {}", e.message()))
}

/// This process's peak resident memory so far (VmHWM), in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The list query that the export streams, oldest first, with every filter but `from` off
/// and its parameters written as literals: what `psql \copy` is given.
pub fn copy_sql(from: Option<DateTime<Utc>>) -> String {
    let mut sql = summary_sql(SortOrder::OldestFirst);
    let from = from.map_or("null".to_string(), |f| {
        format!("'{}'::timestamptz", f.to_rfc3339())
    });
    // Highest first, so $1 does not eat the front of a $1x.
    for (param, value) in [
        ("$8", "null"),
        ("$7", "null"),
        ("$6", "null"),
        ("$5", "null"),
        ("$4", "null"),
        ("$3", "null"),
        ("$2", from.as_str()),
        ("$1", "'{}'::text[]"),
    ] {
        sql = sql.replace(param, value);
    }
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One export as measured in its own process.
pub struct ExportRun {
    pub rows: u64,
    pub seconds: f64,
    pub peak_kib: u64,
}

/// The first argument that makes a benchmark binary the export's child process.
pub const EXPORT_CHILD: &str = "--export-child";

/// Runs the export in a child process (this benchmark binary with `EXPORT_CHILD`): the
/// clerk `username` signs in and exports the Anträge sent from `from` on to `path`; the
/// child reports rows, seconds and its own peak resident memory.
pub fn export_in_child(
    url: &str,
    username: &str,
    dialect: Dialect,
    from: Option<DateTime<Utc>>,
    path: &Path,
) -> ExportRun {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            EXPORT_CHILD,
            url,
            username,
            dialect.as_str(),
            &from.map_or("-".to_string(), |f| f.to_rfc3339()),
        ])
        .arg(path)
        .output()
        .expect("the export child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "export child failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("export "))
        .expect("the export child reports");
    let mut fields = line.split_whitespace();
    let mut next = || fields.next().expect("rows seconds peak_kib");
    ExportRun {
        rows: next().parse().unwrap(),
        seconds: next().parse().unwrap(),
        peak_kib: next().parse().unwrap(),
    }
}

/// The child's side of [`export_in_child`]: `args` are what follows `EXPORT_CHILD`.
pub async fn export_child(args: &[String]) {
    let [url, username, dialect, from, path] = args else {
        panic!("{EXPORT_CHILD} URL USER DIALECT FROM|- PATH")
    };
    let session = sign_in(url, username).await;
    let dialect = [Dialect::Rfc4180, Dialect::ExcelDe]
        .into_iter()
        .find(|d| d.as_str() == dialect)
        .expect("dialect");
    let filter = AntragFilter {
        from: (from != "-").then(|| from.parse().expect("FROM as RFC 3339")),
        ..AntragFilter::default()
    };
    let started = Instant::now();
    let outcome = export::antraege(
        &session,
        &filter,
        dialect,
        Path::new(path),
        &ExportControl::new(),
    )
    .await
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let ExportOutcome::Written { rows, .. } = outcome else {
        panic!("export not written")
    };
    session.close().await;
    println!("export {rows} {seconds} {}", peak_rss_kib());
}

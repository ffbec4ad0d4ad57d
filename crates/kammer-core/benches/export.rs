//! Export benchmark (not a test): exports every Antrag of a demo database through the core's
//! export path and, in the same run, `psql \copy` of the very same SELECT, then prints rows,
//! seconds, rows/s and peak memory of both.
//!
//! ```sh
//! # the real one, release build; reuses kammerdesk_bench_export_1000000 once seeded
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo bench -p kammer-core --bench export -- --rows 1000000
//! # the smoke run of scripts/test.sh: 2,000 rows in a throw-away database
//! cargo test -p kammer-core --bench export -- --rows 2000 --drop
//! ```
//!
//! The database is seeded by a child process (this binary with `--seed-only`), so the peak
//! RSS reported for the export is the export's, not the seeding's.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use kammer_core::antraege::{AntragFilter, summary_sql};
use kammer_core::auth::{self, Password};
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::{db, demo};
use kammer_testkit::{psql, psql_copy, url_of};

struct Args {
    rows: u32,
    drop: bool,
    seed_only: bool,
    server: String,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        drop: false,
        seed_only: false,
        server: std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => a.rows = it.next().and_then(|n| n.parse().ok()).expect("--rows N"),
            "--drop" => a.drop = true,
            "--seed-only" => a.seed_only = true,
            "--server" => a.server = it.next().expect("--server URL"),
            // `cargo bench` passes --bench; anything else is a mistake worth seeing.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The list query with every filter off, ready for `\copy`: parameters become literals.
fn copy_sql() -> String {
    let mut sql = summary_sql();
    for (param, value) in [
        ("$1", "'{}'::text[]"),
        ("$2", "null"),
        ("$3", "null"),
        ("$4", "null"),
        ("$5", "null"),
        ("$6", "null"),
        ("$7", "null"),
        ("$8", "null"),
    ] {
        sql = sql.replace(param, value);
    }
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Measured {
    what: String,
    rows: u64,
    seconds: f64,
    peak_kib: u64,
}

#[tokio::main]
async fn main() {
    let a = args();
    let name = format!("kammerdesk_bench_export_{}", a.rows);
    let url = url_of(&a.server, &name);
    if a.seed_only {
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        let started = Instant::now();
        let r = demo::seed(
            &pool,
            &demo::SeedOptions {
                betriebe: (a.rows / 10).max(300),
                antraege: a.rows,
            },
        )
        .await
        .unwrap();
        eprintln!(
            "seeded {} Anträge, {} Betriebe in {:.1} s",
            r.antraege,
            r.betriebe,
            started.elapsed().as_secs_f64()
        );
        return;
    }

    let exists = psql(
        &a.server,
        &format!("select count(*) from pg_database where datname = '{name}'"),
    ) == "1";
    let seeded = exists
        && psql(&url, "select to_regclass('antraege') is not null") == "t"
        && psql(&url, "select count(*) from antraege") == a.rows.to_string();
    if !seeded {
        if exists {
            psql(&a.server, &format!("drop database {name} with (force)"));
        }
        psql(&a.server, &format!("create database {name}"));
        eprintln!("seeding {name} with {} Anträge …", a.rows);
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "--seed-only",
                "--rows",
                &a.rows.to_string(),
                "--server",
                &a.server,
            ])
            .status()
            .unwrap();
        assert!(status.success(), "seeding failed");
    } else {
        eprintln!("reusing {name}");
    }

    let pool = db::connect(&url).await.unwrap();
    // A reused database may predate a migration the list query needs.
    db::migrate(&pool).await.unwrap();
    let session = auth::sign_in(&pool, "sb.mueller", &Password::attempt(demo::DEMO_PASSWORD))
        .await
        .unwrap();
    let out_dir = std::env::temp_dir();
    let mut results = Vec::new();
    for dialect in [Dialect::Rfc4180, Dialect::ExcelDe] {
        let path: PathBuf = out_dir.join(format!("kammer-bench-{}.csv", dialect.as_str()));
        let started = Instant::now();
        let outcome = export::antraege(
            &pool,
            &session,
            &AntragFilter::default(),
            dialect,
            &path,
            &ExportControl::new(),
        )
        .await
        .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        let ExportOutcome::Written { rows, .. } = outcome else {
            panic!("export not written")
        };
        assert_eq!(rows, u64::from(a.rows), "every Antrag exported");
        results.push(Measured {
            what: format!("kammer-core export ({})", dialect.as_str()),
            rows,
            seconds,
            peak_kib: peak_rss_kib(),
        });
        let _ = std::fs::remove_file(&path);
    }

    let copied = psql_copy(&url, &copy_sql(), &out_dir.join("kammer-bench-psql.csv"));
    results.push(Measured {
        what: "psql \\copy (same SELECT)".into(),
        rows: copied.rows,
        seconds: copied.seconds,
        peak_kib: copied.peak_kib,
    });

    println!("| | rows | seconds | rows/s | peak RSS |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for m in &results {
        println!(
            "| {} | {} | {:.2} | {:.0} | {:.1} MiB |",
            m.what,
            m.rows,
            m.seconds,
            m.rows as f64 / m.seconds,
            m.peak_kib as f64 / 1024.0
        );
    }
    let psql_s = results.last().unwrap().seconds;
    println!(
        "\nratio export (rfc4180) / psql \\copy: {:.2} × the time",
        results[0].seconds / psql_s
    );
    if a.drop {
        drop(pool);
        psql(&a.server, &format!("drop database {name} with (force)"));
    }
}

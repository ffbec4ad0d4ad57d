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
//! DATABASE_URL names the server as a superuser (its database part is replaced): seeding
//! with `demo::seed` needs one, and also makes the demo clerks. Each export runs in a child
//! process (this binary with `--export-child`) as the demo clerk `sb.mueller`, signed in with
//! its own login as `kammerctl export` does, so its peak resident memory is the export's
//! alone, not the seeding's or the other dialect's. `psql \copy` runs as the same login.

mod common;

use std::time::Instant;

use common::{
    EXPORT_CHILD, SizeArgs, copy_sql, export_child, export_in_child, login_url, seeded_database,
};
use kammer_core::demo;
use kammer_core::export::Dialect;
use kammer_testkit::{psql, psql_copy};

struct Measured {
    what: String,
    rows: u64,
    seconds: f64,
    peak_kib: u64,
}

#[tokio::main]
async fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(EXPORT_CHILD) {
        return export_child(&argv[1..]).await;
    }
    let a = SizeArgs::parse(1_000_000);
    let name = format!("kammerdesk_bench_export_{}", a.rows);
    let started = Instant::now();
    let url = seeded_database(
        &a.server,
        &name,
        &demo::SeedOptions {
            betriebe: (a.rows / 10).max(300),
            antraege: a.rows,
        },
    )
    .await;
    eprintln!("database ready in {:.1} s", started.elapsed().as_secs_f64());

    let out_dir = std::env::temp_dir();
    let mut results = Vec::new();
    for dialect in [Dialect::Rfc4180, Dialect::ExcelDe] {
        let path = out_dir.join(format!(
            "kammer-bench-{}-{}.csv",
            std::process::id(),
            dialect.as_str()
        ));
        let run = export_in_child(&url, "sb.mueller", dialect, None, &path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(run.rows, u64::from(a.rows), "every Antrag exported");
        results.push(Measured {
            what: format!("kammer-core export ({}), own process", dialect.as_str()),
            rows: run.rows,
            seconds: run.seconds,
            peak_kib: run.peak_kib,
        });
    }

    let copied = psql_copy(
        &login_url(&url, "sb.mueller", demo::DEMO_PASSWORD),
        &copy_sql(None),
        &out_dir.join(format!("kammer-bench-{}-psql.csv", std::process::id())),
    );
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
        psql(&a.server, &format!("drop database {name} with (force)"));
    }
}

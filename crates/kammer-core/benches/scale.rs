//! Scale benchmark (not a test): the hot operations of the desk at every German chamber's
//! data at once, each measured through the core function the desk calls, as a demo clerk
//! signed in with their own login, and, in the same run, the very same SQL run by `pgbench`
//! as the same login (the export: beside `psql \copy`).
//!
//! ```sh
//! scripts/bench-scale.sh            # 1,000,000 Betriebe, 5,000,000 Anträge, release build
//! scripts/bench-scale.sh --smoke    # tiny sizes, debug build: part of scripts/test.sh
//! ```
//!
//! The database `kammerdesk_scale_<betriebe>_<antraege>` is seeded with `demo::seed` (as the
//! superuser the server URL names; it also makes the demo clerks) when it does not hold that
//! many Anträge in the current schema yet, and reused otherwise (migrated first).
//!
//! One module per measured operation; `pgbench` builds pgbench's side from the statements
//! the core sends, `stats` times the app's side and prints the tables. Approve and resend
//! are each one call of a `kammer_api` function: pgbench makes the same call, on the
//! Anträge after the app's (`pick`). The plans of every measured statement (for approve and
//! resend: of every statement inside the function, from `auto_explain`) are written to the
//! cargo target directory, or to `--explain FILE`.

mod common;
mod scale {
    pub mod approve;
    pub mod detail;
    pub mod export;
    pub mod lookup;
    pub mod pgbench;
    pub mod pick;
    pub mod queue;
    pub mod resend;
    pub mod search;
    pub mod setup;
    pub mod stats;
}

use std::path::PathBuf;

use chrono::Utc;
use kammer_core::antraege::SortOrder;
use kammer_testkit::psql;
use scale::{approve, detail, export, lookup, pgbench, pick, queue, resend, search, setup, stats};

#[tokio::main]
async fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(common::EXPORT_CHILD) {
        return common::export_child(&argv[1..]).await;
    }
    let a = setup::args();
    let mut ctx = setup::Ctx::new(&a).await;
    let rows = vec![
        lookup::run(&mut ctx).await,
        search::run(&mut ctx).await,
        queue::run(&mut ctx, SortOrder::OldestFirst).await,
        queue::run(&mut ctx, SortOrder::BetriebAscending).await,
        detail::run(&mut ctx).await,
        approve::run(&mut ctx).await,
        resend::run(&mut ctx).await,
    ];
    let (export_app, export_copy) = export::run(&ctx).await;

    println!(
        "\n{} Betriebe, {} Anträge; one client; {} runs per read, {} per write; {}",
        a.betriebe,
        a.antraege,
        ctx.n,
        ctx.writes,
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!();
    stats::print_operations(&rows);
    println!();
    stats::print_export(&export_app, &export_copy);

    let header = format!(
        "# EXPLAIN (ANALYZE, BUFFERS) of the hot statements at {} Betriebe / {} Anträge\n\n\
         Written by the scale benchmark (`scripts/bench-scale.sh --iterations {}`) on {} \
         (PostgreSQL {}); parameters written as literals, i.e. the custom plans PostgreSQL \
         makes for them. Approve and resend: every statement inside the `kammer_api` call, \
         for the first Antrag pgbench was given, in a transaction that is rolled back.\n",
        a.betriebe,
        a.antraege,
        a.iterations,
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        psql(&ctx.url, "show server_version")
    );
    let path = a
        .explain
        .clone()
        .unwrap_or_else(|| default_plans_path(ctx.database()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, header + &ctx.plans).unwrap();
    eprintln!("plans written to {}", path.display());

    ctx.sb.close().await;
    ctx.hotline.close().await;
    ctx.superuser.close().await;
    if a.drop {
        psql(
            &a.server,
            &format!("drop database {} with (force)", ctx.database()),
        );
    }
}

/// `<cargo target dir>/bench-scale/<database>-plans.md`: this binary runs from
/// `<target>/<profile>/deps/`.
fn default_plans_path(database: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the benchmark runs from <target>/<profile>/deps");
    target
        .join("bench-scale")
        .join(format!("{database}-plans.md"))
}

//! Handwerksrolle import benchmark (not a test): a full snapshot of N Betriebe imported into a
//! database that already holds it, with 1 % of the rows changed (half of those e-mail
//! changes) — dry run and apply — beside `psql \copy` of the same file into an empty table.
//! Prints rows, seconds and peak memory of each.
//!
//! ```sh
//! # the real one, release build
//! cargo bench -p kammer-core --bench handwerksrolle -- --rows 1000000
//! # the smoke run of scripts/test.sh
//! cargo test -p kammer-core --bench handwerksrolle -- --rows 2000 --drop
//! ```
//!
//! DATABASE_URL names the server as a superuser (its database part is replaced). Each import
//! runs in a child process (this binary with `--import-child`) as an import service login, as
//! `kammerctl handwerksrolle import` does, so its peak resident memory is the import's alone.

mod common;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::{SizeArgs, login_url, peak_rss_kib};
use kammer_core::auth::Password;
use kammer_core::db::{self, Service};
use kammer_core::handwerksrolle::{self, HandwerksrolleFile, ImportOptions, Mapping, Mode};
use kammer_core::{clerks, demo};
use kammer_testkit::{psql, url_of};

const IMPORT_CHILD: &str = "--import-child";
const LOGIN: &str = "kd_bench_import";

/// Writes the snapshot: every 20th Betrieb a Filiale of the one before; with `changed`, every
/// 100th row has a new e-mail address and every other 100th a new Ort (1 % in all).
fn write_snapshot(path: &Path, rows: u64, changed: bool) {
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "Betriebsnummer;Firmenname;Inhaber;Straße;PLZ;Ort;Gewerk;E-Mail;Betriebsnummer des Hauptsitzes;Löschdatum"
    )
    .unwrap();
    for i in 0..rows {
        let nummer = 1_000_000_000 + i;
        let hauptsitz = if i % 20 == 19 {
            (nummer - 1).to_string()
        } else {
            String::new()
        };
        let email = if changed && i % 100 == 50 {
            format!("neu@betrieb-{i}.example")
        } else {
            format!("info@betrieb-{i}.example")
        };
        let ort = if changed && i % 100 == 0 {
            "Bochum"
        } else {
            "Dortmund"
        };
        writeln!(
            w,
            "{nummer};\"Tischlerei Müller {i}, GmbH\";Hans Müller;Große Straße {};44135;{ort};Tischler;{email};{hauptsitz};",
            i % 180 + 1
        )
        .unwrap();
    }
    w.flush().unwrap();
}

struct Run {
    what: &'static str,
    rows: u64,
    seconds: f64,
    peak_kib: u64,
}

fn import_in_child(what: &'static str, url: &str, file: &Path, dry_run: bool) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([IMPORT_CHILD, url, if dry_run { "dry" } else { "apply" }])
        .arg(file)
        .output()
        .expect("the import child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "import child failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("import "))
        .expect("the import child reports");
    let mut fields = line.split_whitespace();
    let mut next = || fields.next().expect("rows seconds peak_kib");
    Run {
        what,
        rows: next().parse().unwrap(),
        seconds: next().parse().unwrap(),
        peak_kib: next().parse().unwrap(),
    }
}

async fn import_child(args: &[String]) {
    let [url, mode, path] = args else {
        panic!("{IMPORT_CHILD} URL dry|apply PATH")
    };
    let pool = db::connect_service(db::parse_url(url).unwrap(), Service::Import)
        .await
        .unwrap();
    let mapping = Mapping::default();
    let started = Instant::now();
    let file = HandwerksrolleFile::inspect(Path::new(path), &mapping).unwrap();
    let options = ImportOptions {
        mode: Mode::Full,
        dry_run: mode == "dry",
        ..ImportOptions::default()
    };
    let mut listed = 0u64;
    let report = handwerksrolle::import(&pool, &file, &mapping, &options, |_| listed += 1, |_| {})
        .await
        .unwrap_or_else(|e| panic!("import: {}", e.message()));
    let seconds = started.elapsed().as_secs_f64();
    let s = &report.summary;
    eprintln!(
        "  {mode}: {} new, {} changed ({} e-mail), {} removed, {} unchanged, {listed} listed",
        s.created, s.changed, s.email_changed, s.removed, s.unchanged
    );
    println!("import {} {seconds:.3} {}", s.rows_in_file, peak_rss_kib());
}

/// `psql \copy` of the same file into an empty table of text columns: the floor.
fn psql_copy_in(url: &str, file: &Path) -> Run {
    psql(
        url,
        "drop table if exists bench_copy; create table bench_copy (betriebsnummer text, firmenname text, \
         inhaber text, strasse text, plz text, ort text, gewerk text, email text, hauptsitz text, loeschdatum text)",
    );
    let run = kammer_testkit::psql_copy_in(
        url,
        "bench_copy",
        file,
        "format csv, header true, delimiter ';'",
    );
    psql(url, "drop table bench_copy");
    Run {
        what: "psql \\copy (empty table)",
        rows: run.rows,
        seconds: run.seconds,
        peak_kib: run.peak_kib,
    }
}

#[tokio::main]
async fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(IMPORT_CHILD) {
        return import_child(&argv[1..]).await;
    }
    let a = SizeArgs::parse(1_000_000);
    let name = format!("kammerdesk_bench_hwr_{}", a.rows);
    let url = url_of(&a.server, &name);
    psql(
        &a.server,
        &format!("drop database if exists {name} with (force)"),
    );
    psql(&a.server, &format!("create database {name}"));
    let superuser = db::connect(&url).await.unwrap();
    db::migrate(&superuser).await.unwrap();
    if psql(
        &url,
        &format!("select count(*) from pg_roles where rolname = '{LOGIN}'"),
    ) == "1"
    {
        psql(&url, &format!("drop owned by {LOGIN}; drop role {LOGIN}"));
    }
    clerks::add_service_login(
        &superuser,
        Service::Import,
        LOGIN,
        &Password::new_checked(demo::DEMO_PASSWORD).unwrap(),
    )
    .await
    .unwrap();
    superuser.close().await;
    let import_url = login_url(&url, LOGIN, demo::DEMO_PASSWORD);

    let dir: PathBuf = std::env::temp_dir().join(format!("kd-bench-hwr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (first, second) = (dir.join("stand-1.csv"), dir.join("stand-2.csv"));
    write_snapshot(&first, u64::from(a.rows), false);
    write_snapshot(&second, u64::from(a.rows), true);
    let size_mb = std::fs::metadata(&second).unwrap().len() as f64 / 1e6;
    eprintln!("files written ({size_mb:.0} MB each); first import into the empty database …");

    let runs = [
        import_in_child("first import (all new)", &import_url, &first, false),
        import_in_child("dry run, 1 % changed", &import_url, &second, true),
        import_in_child("apply, 1 % changed", &import_url, &second, false),
        psql_copy_in(&url, &second),
    ];
    println!(
        "\nHandwerksrolle import, {} rows ({size_mb:.0} MB), full snapshot\n",
        a.rows
    );
    println!(
        "| {:<28} | {:>9} | {:>9} | {:>10} | {:>12} |",
        "what", "rows", "seconds", "rows/s", "peak memory"
    );
    println!(
        "|{:-<30}|{:->11}|{:->11}|{:->12}|{:->14}|",
        "", "", "", "", ""
    );
    for r in &runs {
        println!(
            "| {:<28} | {:>9} | {:>9.1} | {:>10.0} | {:>8.1} MiB |",
            r.what,
            r.rows,
            r.seconds,
            r.rows as f64 / r.seconds.max(1e-9),
            r.peak_kib as f64 / 1024.0
        );
    }
    for r in &runs[..3] {
        assert_eq!(r.rows, u64::from(a.rows), "{} read every row", r.what);
    }
    std::fs::remove_dir_all(&dir).ok();
    if a.drop {
        psql(&a.server, &format!("drop database {name} with (force)"));
        psql(&a.server, &format!("drop role if exists {LOGIN}"));
    }
}

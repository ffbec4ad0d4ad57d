//! Scale benchmark (not a test): the hot operations of the desk at every German chamber's
//! data at once, each measured through the core function the desk calls and, in the same
//! run, the very same SQL statements run by `pgbench` (the export: by `psql \copy`).
//!
//! ```sh
//! scripts/bench-scale.sh            # 1,000,000 Betriebe, 5,000,000 Anträge, release build
//! scripts/bench-scale.sh --smoke    # tiny sizes, debug build: part of scripts/test.sh
//! ```
//!
//! The database `kammerdesk_scale_<betriebe>_<antraege>` is seeded with `demo::seed` when it
//! does not hold that many Anträge yet, and reused otherwise (migrated first).
//!
//! "The same SQL": every statement the app sends for an operation carries a tag
//! (`/* hot:betrieb_search */`) in its source; the pgbench scripts are built from the
//! statement texts in `.sqlx/`, the offline data the compiler checked, found by that tag,
//! so a changed query is measured as changed on both sides. Parameters are pgbench
//! variables (sent as parameters of a prepared statement, like sqlx does); NULL parameters
//! are written as NULL. Both sides run one client, one operation after the other, cycling
//! through the same parameter sets.
//!
//! Approve and resend are transactions whose statements feed each other (the Betrieb a
//! transition returns, the outbox row a code points to). Their pgbench scripts run the same
//! statements inside `BEGIN … COMMIT`, passing those results on with `\gset`; each pgbench
//! transaction first takes the next unused Antrag from a pick table (`bench_pick`, one
//! primary-key read, dropped afterwards), so pgbench writes on Anträge of the same kind as the
//! app's, never the same ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kammer_core::antraege::{self, AntragFilter, summary_sql};
use kammer_core::auth::{self, Password, Session};
use kammer_core::domain::{AntragNr, AntragStatus, Betriebsnummer, Reason};
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::{betriebe, codes, db, demo};
use kammer_testkit::{psql, psql_copy, url_of};
use sqlx::PgPool;

struct Args {
    betriebe: u32,
    antraege: u32,
    iterations: usize,
    writes: usize,
    drop: bool,
    server: String,
    /// Where to write EXPLAIN (ANALYZE, BUFFERS) of every hot statement.
    explain: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        betriebe: 1_000_000,
        antraege: 5_000_000,
        iterations: 1000,
        writes: 300,
        drop: false,
        explain: None,
        server: std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |what: &str| -> u64 {
            it.next()
                .and_then(|n| n.replace('_', "").parse().ok())
                .unwrap_or_else(|| panic!("{what} N"))
        };
        match arg.as_str() {
            "--betriebe" => a.betriebe = num("--betriebe") as u32,
            "--antraege" => a.antraege = num("--antraege") as u32,
            "--iterations" => a.iterations = num("--iterations") as usize,
            "--writes" => a.writes = num("--writes") as usize,
            "--drop" => a.drop = true,
            "--explain" => a.explain = Some(it.next().expect("--explain FILE").into()),
            "--server" => a.server = it.next().expect("--server URL"),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// Latencies of one side of one operation.
struct Sample {
    micros: Vec<f64>,
    seconds: f64,
}

impl Sample {
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.micros.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[i.clamp(1, v.len()) - 1] / 1000.0
    }
    fn ops(&self) -> f64 {
        self.micros.len() as f64 / self.seconds
    }
}

/// A parameter of a hot statement, for pgbench.
#[derive(Clone)]
enum P {
    Text(String),
    Null,
    /// A pgbench variable set earlier in the script by `\gset` (a result of a previous
    /// statement of the same transaction).
    Var(&'static str),
}

/// Statement "tags" that are not hot statements of the app: bench plumbing written out.
const RAW: &str = "sql:";
/// A tag ending in this keeps the statement's result row in pgbench variables.
const GSET: &str = " \\gset";

fn t(v: impl ToString) -> P {
    P::Text(v.to_string())
}

/// The hot statements from .sqlx/, by tag.
fn hot_statements() -> HashMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.sqlx");
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(&dir).expect(".sqlx/ beside the workspace") {
        let path = entry.unwrap().path();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let query = json["query"].as_str().unwrap_or_default();
        if let Some(rest) = query.trim_start().strip_prefix("/* hot:") {
            let tag = rest.split(" */").next().unwrap().trim().to_string();
            out.insert(tag, query.to_string());
        }
    }
    out
}

/// One pgbench script: the statements of one operation with the parameter set `k`.
fn script(
    hot: &HashMap<String, String>,
    statements: &[(&str, Vec<P>)],
    k: usize,
    vars: &mut Vec<(String, String)>,
) -> String {
    let mut out = String::new();
    for (s, (tag, params)) in statements.iter().enumerate() {
        if let Some(raw) = tag.strip_prefix(RAW) {
            out.push_str(raw);
            out.push('\n');
            continue;
        }
        let (tag, end) = match tag.strip_suffix(GSET) {
            Some(tag) => (tag, GSET),
            None => (*tag, ";"),
        };
        let mut sql = hot
            .get(tag)
            .unwrap_or_else(|| panic!("no statement tagged hot:{tag} in .sqlx/"))
            .clone();
        // Highest first, so $1 does not eat the front of $10.
        for (i, p) in params.iter().enumerate().rev() {
            let placeholder = format!("${}", i + 1);
            let replacement = match p {
                P::Null => "NULL".to_string(),
                P::Var(name) => format!(":{name}"),
                P::Text(v) => {
                    let name = format!("p{k}_{s}_{}", i + 1);
                    vars.push((name.clone(), v.clone()));
                    format!(":{name}")
                }
            };
            sql = sql.replace(&placeholder, &replacement);
        }
        // pgbench would take the tag's ":name" for a variable.
        let sql = sql.replacen("/* hot:", "/* hot=", 1);
        out.push_str(&sql.split_whitespace().collect::<Vec<_>>().join(" "));
        out.push_str(end);
        out.push('\n');
    }
    out
}

/// EXPLAIN (ANALYZE, BUFFERS) of each statement of one parameter set, parameters written
/// as literals (the plan PostgreSQL makes for these values, as for a custom plan). A write
/// transaction's statements are explained for the first Antrag of the pick table, one after
/// the other in a transaction that is rolled back (EXPLAIN ANALYZE runs them): its pgbench
/// variables become psql variables set from that row, and the outbox row's id is taken as
/// `\gset` would hand it on.
fn explain(
    url: &str,
    what: &str,
    hot: &HashMap<String, String>,
    statements: &[(&str, Vec<P>)],
) -> String {
    let writes = statements
        .iter()
        .any(|(_, params)| params.iter().any(|p| matches!(p, P::Var(_))));
    let mut script = String::new();
    if writes {
        script.push_str(&PICK[RAW.len()..].replace("(select nextval('bench_pick_pos'))", "1"));
        script.push_str("\nbegin;\n");
    }
    for (tag, params) in statements {
        let tag = tag.strip_suffix(GSET).unwrap_or(tag);
        if tag.starts_with(RAW) || tag == "authorize" || tag == "policy" {
            continue;
        }
        let mut sql = hot[tag].clone();
        for (i, p) in params.iter().enumerate().rev() {
            let literal = match p {
                P::Null => "NULL".to_string(),
                P::Text(v) => format!("'{}'", v.replace('\'', "''")),
                P::Var(name) => format!(":'{name}'"),
            };
            sql = sql.replace(&format!("${}", i + 1), &literal);
        }
        // psql would take the tag's ":name" for a variable.
        let sql = sql.replacen("/* hot:", "/* hot=", 1);
        let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        script.push_str(&format!(
            "\\echo '@@ {tag}'\nexplain (analyze, buffers) {sql};\n"
        ));
        if tag == "outbox_insert" {
            script.push_str(
                "select currval(pg_get_serial_sequence('mail_outbox', 'id')) as id \\gset\n",
            );
        }
    }
    if writes {
        script.push_str("rollback;\n");
    }
    let path =
        std::env::temp_dir().join(format!("kammer-scale-{}-explain.sql", std::process::id()));
    std::fs::write(&path, script).unwrap();
    let run = Command::new("psql")
        .args([url, "-qAt", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&path)
        .output()
        .expect("psql runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        run.status.success(),
        "EXPLAIN of {what} failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut out = format!("\n### {what}\n");
    for section in String::from_utf8_lossy(&run.stdout).split("@@ ").skip(1) {
        let (tag, plan) = section.split_once('\n').unwrap_or((section, ""));
        out.push_str(&format!("\n`hot:{tag}`\n\n```\n{plan}```\n"));
    }
    out
}

/// Runs pgbench over the scripts of all parameter sets: one run per set, `transactions /
/// sets` each (one pgbench run with several `-f` scripts in prepared mode mixes up their
/// prepared statements in PostgreSQL 15's pgbench).
fn pgbench(
    url: &str,
    name: &str,
    hot: &HashMap<String, String>,
    sets: &[Vec<(&str, Vec<P>)>],
    transactions: usize,
) -> Sample {
    let dir = std::env::temp_dir().join(format!("kammer-scale-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let per_set = transactions.div_ceil(sets.len()).max(1);
    let mut micros = Vec::new();
    let mut seconds = 0.0;
    for (k, statements) in sets.iter().enumerate() {
        let mut vars = Vec::new();
        let path = dir.join(format!("{name}-{k}.sql"));
        std::fs::write(&path, script(hot, statements, k, &mut vars)).unwrap();
        let prefix = dir.join(format!("log{k}"));
        let mut cmd = Command::new("pgbench");
        cmd.args(["-n", "-M", "prepared", "-c", "1", "-j", "1"])
            .arg("-t")
            .arg(per_set.to_string())
            .arg("-l")
            .arg(format!("--log-prefix={}", prefix.display()))
            .arg("-f")
            .arg(&path);
        for (n, v) in &vars {
            cmd.arg("-D").arg(format!("{n}={v}"));
        }
        cmd.arg(url);
        let started = Instant::now();
        let out = cmd.output().expect("pgbench runs");
        let elapsed = started.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "pgbench {name} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        let mut these = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            if !file.starts_with(&format!("log{k}.")) {
                continue;
            }
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|v| v.parse::<f64>().ok())
                {
                    these.push(us);
                }
            }
        }
        // The run's own time without connection set-up, as pgbench reports it.
        let stdout = String::from_utf8_lossy(&out.stdout);
        let tps = stdout
            .lines()
            .find_map(|l| l.strip_prefix("tps = "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok());
        seconds += tps.map_or(elapsed, |tps| these.len() as f64 / tps);
        micros.extend(these);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Sample { micros, seconds }
}

/// pgbench's side of a write operation: the plans of its first transaction, then `picked`
/// transactions, one per Antrag of the pick table.
fn pgbench_writes(
    url: &str,
    name: &str,
    hot: &HashMap<String, String>,
    statements: Vec<(&str, Vec<P>)>,
    picked: usize,
    plans: &mut String,
) -> Option<Sample> {
    if picked == 0 {
        return None;
    }
    let what = format!("{name} (first Antrag of pgbench's)");
    plans.push_str(&explain(url, &what, hot, &statements));
    Some(pgbench(url, name, hot, &[statements], picked))
}

/// Runs `op` for every parameter set in turn, `n` times after a short warm-up.
async fn measure<F, Fut>(n: usize, sets: usize, mut op: F) -> Sample
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Writes use each parameter set once (sets == n): no warm-up, it would use them up.
    let warm_up = if sets >= n {
        0
    } else {
        (n / 10).min(50).max(sets)
    };
    for i in 0..warm_up {
        op(i % sets).await;
    }
    let mut micros = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        op(i % sets).await;
        micros.push(t0.elapsed().as_secs_f64() * 1e6);
    }
    Sample {
        micros,
        seconds: started.elapsed().as_secs_f64(),
    }
}

struct Row {
    what: &'static str,
    target: &'static str,
    app: Sample,
    reference: Option<Sample>,
}

fn vec_text(statuses: &[&str]) -> String {
    format!("{{{}}}", statuses.join(","))
}

async fn sample_i64(pool: &PgPool, sql: &str) -> Vec<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let a = args();
    let name = format!("kammerdesk_scale_{}_{}", a.betriebe, a.antraege);
    let url = url_of(&a.server, &name);
    let exists = psql(
        &a.server,
        &format!("select count(*) from pg_database where datname = '{name}'"),
    ) == "1";
    let seeded = exists
        && psql(&url, "select to_regclass('antraege') is not null") == "t"
        && psql(&url, "select count(*) >= 1 from betriebe") == "t";
    if !seeded {
        if exists {
            psql(&a.server, &format!("drop database {name} with (force)"));
        }
        psql(&a.server, &format!("create database {name}"));
        let pool = db::connect(&url).await.unwrap();
        db::migrate(&pool).await.unwrap();
        eprintln!(
            "seeding {name}: {} Betriebe, {} Anträge …",
            a.betriebe, a.antraege
        );
        let started = Instant::now();
        demo::seed(
            &pool,
            &demo::SeedOptions {
                betriebe: a.betriebe,
                antraege: a.antraege,
            },
        )
        .await
        .unwrap();
        eprintln!("seeded in {:.0} s", started.elapsed().as_secs_f64());
        pool.close().await;
    } else {
        eprintln!("reusing {name}");
    }
    let pool = db::connect(&url).await.unwrap();
    db::migrate(&pool).await.unwrap();
    // Resends one after the other on distinct Anträge: the cooldown is per Antrag.
    sqlx::query("update policy set resend_cooldown_seconds = 0, sends_per_day = 1000")
        .execute(&pool)
        .await
        .unwrap();
    let session = auth::sign_in(&pool, "sb.mueller", &Password::attempt(demo::DEMO_PASSWORD))
        .await
        .unwrap();
    let hot = hot_statements();
    let n = a.iterations;
    let sets = 16usize;
    let mut rows: Vec<Row> = Vec::new();
    let mut plans = String::new();
    let auth = |s: &Session| ("authorize", vec![t(s.clerk_id)]);

    // ------------------------------------------------------------ look-up by Betriebsnummer
    let nummern: Vec<String> = sqlx::query_scalar(
        "select betriebsnummer from betriebe where id % (select greatest(count(*) / 16, 1) from betriebe) = 7 order by id limit 16",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let parsed: Vec<Betriebsnummer> = nummern
        .iter()
        .map(|n| Betriebsnummer::parse(n).unwrap())
        .collect();
    let app = measure(n, parsed.len(), |k| {
        let (pool, session, nr) = (&pool, &session, &parsed[k]);
        async move {
            betriebe::by_nummer(pool, session, nr).await.unwrap();
        }
    })
    .await;
    let sets_sql: Vec<_> = nummern
        .iter()
        .map(|nr| vec![auth(&session), ("betrieb_by_nummer", vec![t(nr)])])
        .collect();
    plans.push_str(&explain(
        &url,
        "lookup (parameter set 0)",
        &hot,
        &sets_sql[0],
    ));
    rows.push(Row {
        what: "look-up by Betriebsnummer",
        target: "≤ 1.5 × pgbench",
        app,
        reference: Some(pgbench(&url, "lookup", &hot, &sets_sql, n)),
    });

    // ------------------------------------------------------------ Suche by name fragment
    let queries = [
        "Müller",
        "Bäckerei Schröder",
        "Elektro Schmidt",
        "Krämer",
        "Müler",
        "Dachdeckerei Schrödr",
        "Yilmaz",
        "Kowalsky",
        "Hoffmann GmbH",
        "Zimmerei Weiss",
        "Meyer",
        "Fischer Fleischerei",
        "bäck",
        "Friseursalon Öztürk",
        "Lübke",
        "Wagner Metallbau",
    ];
    let app = measure(n, queries.len(), |k| {
        let (pool, session, q) = (&pool, &session, queries[k]);
        async move {
            betriebe::search(pool, session, q, 50).await.unwrap();
        }
    })
    .await;
    let sets_sql: Vec<_> = queries
        .iter()
        .map(|q| vec![auth(&session), ("betrieb_search", vec![t(q), t(50)])])
        .collect();
    plans.push_str(&explain(
        &url,
        "search (parameter set 0)",
        &hot,
        &sets_sql[0],
    ));
    plans.push_str(&explain(
        &url,
        "search (parameter set 4)",
        &hot,
        &sets_sql[4],
    ));
    plans.push_str(&explain(
        &url,
        "search (parameter set 1)",
        &hot,
        &sets_sql[1],
    ));
    rows.push(Row {
        what: "Suche by name fragment (typos too)",
        target: "p99 ≤ 30 ms",
        app,
        reference: Some(pgbench(&url, "search", &hot, &sets_sql, n)),
    });

    // ------------------------------------------------------------ the open queue, first page
    let week_ago = Utc::now() - chrono::Duration::days(7);
    let filters: Vec<(Vec<AntragStatus>, Option<DateTime<Utc>>)> = vec![
        (vec![AntragStatus::AwaitingCode], None),
        (vec![AntragStatus::InReview], None),
        (
            vec![AntragStatus::AwaitingCode, AntragStatus::InReview],
            None,
        ),
        (vec![AntragStatus::AwaitingCode], Some(week_ago)),
    ];
    let app = measure(n, filters.len(), |k| {
        let (pool, session) = (&pool, &session);
        let filter = AntragFilter {
            statuses: filters[k].0.clone(),
            from: filters[k].1,
            ..AntragFilter::default()
        };
        async move {
            antraege::list(pool, session, &filter, None, 50)
                .await
                .unwrap();
        }
    })
    .await;
    let sets_sql: Vec<_> = filters
        .iter()
        .map(|(statuses, from)| {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            vec![
                auth(&session),
                (
                    "antrag_summary > asc",
                    vec![
                        t(vec_text(&names)),
                        from.map_or(P::Null, |f| t(f.to_rfc3339())),
                        P::Null,
                        P::Null,
                        P::Null,
                        P::Null,
                        t(51),
                        P::Null,
                    ],
                ),
            ]
        })
        .collect();
    plans.push_str(&explain(
        &url,
        "queue (parameter set 0)",
        &hot,
        &sets_sql[0],
    ));
    plans.push_str(&explain(
        &url,
        "queue (parameter set 2)",
        &hot,
        &sets_sql[2],
    ));
    rows.push(Row {
        what: "open queue, first page (50, oldest first)",
        target: "p99 ≤ 10 ms",
        app,
        reference: Some(pgbench(&url, "queue", &hot, &sets_sql, n)),
    });

    // ------------------------------------------------------------ Antrag detail
    let max_nr: i64 = sqlx::query_scalar("select max(nr) from antraege")
        .fetch_one(&pool)
        .await
        .unwrap();
    let step = (max_nr / sets as i64).max(1);
    let nrs: Vec<i64> = sample_i64(
        &pool,
        &format!(
            "select a.nr from generate_series(1, {sets}) g join antraege a on a.nr = g * {step} - 3 order by 1"
        ),
    )
    .await;
    let details: Vec<(i64, DateTime<Utc>)> = {
        let mut v = Vec::new();
        for nr in &nrs {
            let at: DateTime<Utc> =
                sqlx::query_scalar("select sent_at from antraege where nr = $1")
                    .bind(nr)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            v.push((*nr, at));
        }
        v
    };
    let app = measure(n, nrs.len(), |k| {
        let (pool, session, nr) = (&pool, &session, AntragNr::from_db(nrs[k]));
        async move {
            antraege::show(pool, session, nr).await.unwrap();
        }
    })
    .await;
    let sets_sql: Vec<_> = details
        .iter()
        .map(|(nr, at)| {
            vec![
                auth(&session),
                ("antrag_detail", vec![t(nr)]),
                (
                    "antrag_summary >= asc",
                    vec![
                        t("{}"),
                        P::Null,
                        P::Null,
                        P::Null,
                        t(at.to_rfc3339()),
                        t(nr),
                        t(1),
                        P::Null,
                    ],
                ),
                ("policy", vec![]),
                ("codes_of", vec![t(nr)]),
                ("history", vec![t(nr)]),
            ]
        })
        .collect();
    plans.push_str(&explain(
        &url,
        "detail (parameter set 0)",
        &hot,
        &sets_sql[0],
    ));
    rows.push(Row {
        what: "Antrag detail with codes and history",
        target: "≤ 1.5 × pgbench",
        app,
        reference: Some(pgbench(&url, "detail", &hot, &sets_sql, n)),
    });

    // ------------------------------------------------------------ approve, resend
    // The app takes the first `w` Anträge of each kind, pgbench the next `w`.
    let w = a.writes;
    let in_review = sample_i64(
        &pool,
        &format!(
            "select nr from antraege where status = 'in_review' order by sent_at, nr limit {w}"
        ),
    )
    .await;
    let app = measure(in_review.len(), in_review.len(), {
        let mut next = 0usize;
        let in_review = in_review.clone();
        let (pool, session) = (&pool, &session);
        move |_| {
            let nr = AntragNr::from_db(in_review[next % in_review.len()]);
            next += 1;
            async move {
                antraege::approve(pool, session, nr, None).await.unwrap();
            }
        }
    })
    .await;
    let picked = pick_table(
        &pool,
        &format!("status = 'in_review' order by sent_at, nr offset {w}"),
        w,
    )
    .await;
    let clerk = session.clerk_id;
    let approve_sql = vec![
        ("sql:begin;", vec![]),
        (PICK, vec![]),
        auth(&session),
        (
            "transition",
            vec![
                P::Var("nr"),
                t("{in_review}"),
                t(AntragStatus::Approved.as_str()),
                t(true),
                t(clerk),
                P::Null,
            ],
        ),
        ("retire_outbox", vec![P::Var("nr")]),
        ("retire_codes", vec![P::Var("nr")]),
        (
            "zuordnung_create",
            vec![P::Var("account_id"), P::Var("betrieb_id"), P::Var("nr")],
        ),
        (
            "audit_record",
            vec![
                t("clerk"),
                t(clerk),
                P::Null,
                t("approved"),
                P::Var("nr"),
                P::Var("betrieb_id"),
                t(r#"{"from":"in_review","reason":null,"without_code":false,"zuordnung_id":0}"#),
            ],
        ),
        (
            "notify",
            vec![
                t(kammer_core::audit::CHANGES_CHANNEL),
                t(r#"{"action":"approved","antrag_nr":0,"betrieb_id":0}"#),
            ],
        ),
        ("sql:commit;", vec![]),
    ];
    rows.push(Row {
        what: "approve (whole transaction)",
        target: "p99 ≤ 20 ms",
        app,
        reference: pgbench_writes(&url, "approve", &hot, approve_sql, picked, &mut plans),
    });
    done_by_pgbench(
        &pool,
        "approved",
        "select count(*) from bench_pick p join antraege a using (nr)
         join zuordnungen z on z.antrag_nr = p.nr where a.status = 'approved'",
        picked,
    )
    .await;

    let awaiting_where = format!(
        "status = 'awaiting_code' and nr <> {} order by sent_at desc, nr",
        demo::TEST_ANTRAG_NR
    );
    let awaiting = sample_i64(
        &pool,
        &format!("select nr from antraege where {awaiting_where} limit {w}"),
    )
    .await;
    let reason = Reason::parse("Anruf: Code nicht erhalten").unwrap();
    let app = measure(awaiting.len(), awaiting.len(), {
        let mut next = 0usize;
        let awaiting = awaiting.clone();
        let (pool, session, reason) = (&pool, &session, &reason);
        move |_| {
            let nr = AntragNr::from_db(awaiting[next % awaiting.len()]);
            next += 1;
            async move {
                codes::resend(pool, session, nr, reason).await.unwrap();
            }
        }
    })
    .await;
    // The mail of the app's last resend, as the parameters of pgbench's: same sizes.
    let (mail_from, recipient, subject, body_text, body_html): (String, String, String, String, String) =
        sqlx::query_as(
            "select mail_from, recipient, subject, body_text, body_html from mail_outbox order by id desc limit 1",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
    let picked = pick_table(&pool, &format!("{awaiting_where} offset {w}"), w).await;
    let expires = (Utc::now() + chrono::Duration::days(14)).to_rfc3339();
    let resend_sql = vec![
        ("sql:begin;", vec![]),
        (PICK, vec![]),
        auth(&session),
        ("lock_awaiting_code", vec![P::Var("nr")]),
        ("policy", vec![]),
        ("send_window", vec![P::Var("nr")]),
        ("code_facts", vec![P::Var("nr")]),
        ("retire_outbox", vec![P::Var("nr")]),
        ("retire_codes", vec![P::Var("nr")]),
        (
            "outbox_insert \\gset",
            vec![
                P::Var("nr"),
                P::Var("message_id"),
                t(&mail_from),
                t(&recipient),
                t(&subject),
                t(&body_text),
                t(&body_html),
            ],
        ),
        (
            "code_insert",
            vec![
                P::Var("nr"),
                P::Var("code_hash"),
                P::Var("prefix"),
                t(&recipient),
                P::Var("id"),
                t(&expires),
                t(clerk),
                t(reason.as_str()),
            ],
        ),
        (
            "audit_record",
            vec![
                t("clerk"),
                t(clerk),
                P::Null,
                t("code_resent"),
                P::Var("nr"),
                P::Var("betrieb_id"),
                t(
                    r#"{"reason":"Anruf: Code nicht erhalten","prefix":"000000","sent_to":"x@betrieb.example","code_id":0,"outbox_id":0}"#,
                ),
            ],
        ),
        (
            "notify",
            vec![
                t(kammer_core::audit::CHANGES_CHANNEL),
                t(r#"{"action":"code_resent","antrag_nr":0,"betrieb_id":0}"#),
            ],
        ),
        ("sql:commit;", vec![]),
    ];
    rows.push(Row {
        what: "resend (whole transaction)",
        target: "p99 ≤ 20 ms",
        app,
        reference: pgbench_writes(&url, "resend", &hot, resend_sql, picked, &mut plans),
    });
    done_by_pgbench(
        &pool,
        "resent",
        "select count(*) from bench_pick p join confirmation_codes c using (code_hash)
         join mail_outbox o on o.id = c.outbox_id and o.message_id = p.message_id",
        picked,
    )
    .await;
    psql(&url, "drop table bench_pick; drop sequence bench_pick_pos");

    // ------------------------------------------------------------ export
    let export = export_vs_copy(&pool, &session, &url).await;

    // ------------------------------------------------------------ the table
    println!(
        "\n{} Betriebe, {} Anträge; one client; {} runs per read, {} per write; {}",
        a.betriebe,
        a.antraege,
        n,
        w,
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!();
    println!(
        "| operation | target | app p50 ms | app p99 ms | app ops/s | pgbench p50 ms | pgbench p99 ms | pgbench ops/s | p50 ratio | p99 ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let (rp50, rp99, rops, ratio50, ratio99) = match &r.reference {
            Some(s) => (
                format!("{:.2}", s.pct(50.0)),
                format!("{:.2}", s.pct(99.0)),
                format!("{:.0}", s.ops()),
                format!("{:.2}", r.app.pct(50.0) / s.pct(50.0)),
                format!("{:.2}", r.app.pct(99.0) / s.pct(99.0)),
            ),
            None => ("—".into(), "—".into(), "—".into(), "—".into(), "—".into()),
        };
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.0} | {rp50} | {rp99} | {rops} | {ratio50} | {ratio99} |",
            r.what,
            r.target,
            r.app.pct(50.0),
            r.app.pct(99.0),
            r.app.ops()
        );
    }
    println!();
    println!(
        "| export | target | rows | app rows/s | app peak RSS | psql \\copy rows/s | psql peak RSS | throughput ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| Anträge CSV (rfc4180), last {} rows | ≥ 0.7 × psql \\copy | {} | {:.0} | {:.0} MiB | {:.0} | {:.0} MiB | {:.2} |",
        export.rows,
        export.rows,
        export.rows as f64 / export.app_seconds,
        export.app_peak_kib as f64 / 1024.0,
        export.copy_rows as f64 / export.copy_seconds,
        export.copy_peak_kib as f64 / 1024.0,
        export.copy_seconds / export.app_seconds
    );
    if let Some(path) = &a.explain {
        let header = format!(
            "# EXPLAIN (ANALYZE, BUFFERS) of the hot statements at {} Betriebe / {} Anträge\n\n\
             Written by `scripts/bench-scale.sh --iterations {} --explain FILE` on {} (PostgreSQL {}); parameters \
             written as literals, i.e. the custom plans PostgreSQL makes for them. The role check \
             (`hot:authorize`, a primary-key look-up in `clerks`) and `hot:policy` (one row) are \
             left out. Approve and resend are explained for the first Antrag pgbench was given, \
             statement after statement inside a transaction that is rolled back.\n",
            a.betriebe,
            a.antraege,
            a.iterations,
            Utc::now().format("%Y-%m-%d %H:%M UTC"),
            psql(&url, "show server_version")
        );
        std::fs::write(path, header + &plans).unwrap();
        eprintln!("plans written to {}", path.display());
    }
    if a.drop {
        pool.close().await;
        psql(&a.server, &format!("drop database {name} with (force)"));
    }
}

/// The first statement of a pgbench write transaction: the next unused Antrag of the pick
/// table, with what the app's statements would have at hand at that point. `nextval` sits in
/// a subquery so that it runs once per transaction, not once per row looked at.
const PICK: &str = "sql:select nr, account_id, betrieb_id, message_id, code_hash, prefix from bench_pick where pos = (select nextval('bench_pick_pos')) \\gset";

/// Fills `bench_pick` with up to `n` Anträge matching `filter` (a `where` clause with its
/// order), each with a fresh Message-ID and code hash (both are unique in the schema), and
/// restarts `bench_pick_pos`. Returns how many there are.
async fn pick_table(pool: &PgPool, filter: &str, n: usize) -> usize {
    for sql in [
        "drop table if exists bench_pick".to_string(),
        "drop sequence if exists bench_pick_pos".to_string(),
        "create sequence bench_pick_pos".to_string(),
        format!(
            "create table bench_pick as
             select row_number() over () as pos, nr, account_id, betrieb_id,
                    '<bench-' || nr || '.' || md5(random()::text) || '@kammer.example>' as message_id,
                    sha256(convert_to(random()::text || nr, 'UTF8')) as code_hash,
                    left(md5(random()::text), 6) as prefix
             from (select nr, account_id, betrieb_id from antraege where {filter} limit {n}) a"
        ),
        "alter table bench_pick add primary key (pos)".to_string(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }
    let picked: i64 = sqlx::query_scalar("select count(*) from bench_pick")
        .fetch_one(pool)
        .await
        .unwrap();
    usize::try_from(picked).unwrap()
}

/// pgbench reports no error for an `UPDATE` that finds no row: count what its transactions
/// really did, so that both sides are known to have done the same work.
async fn done_by_pgbench(pool: &PgPool, what: &str, count_sql: &'static str, picked: usize) {
    let done: i64 = sqlx::query_scalar(count_sql).fetch_one(pool).await.unwrap();
    assert_eq!(
        usize::try_from(done).unwrap(),
        picked,
        "pgbench {what} {done} of the {picked} Anträge it was given"
    );
}

struct ExportFigures {
    rows: u64,
    app_seconds: f64,
    app_peak_kib: u64,
    copy_rows: u64,
    copy_seconds: f64,
    copy_peak_kib: u64,
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The export of the newest million Anträge (at most) through the core, against `psql
/// \copy` of the list query with the same filter. Peak memory of the export is this
/// process's resident size while it runs, sampled; flat means it does not grow with rows.
async fn export_vs_copy(pool: &PgPool, session: &Session, url: &str) -> ExportFigures {
    let from: DateTime<Utc> = sqlx::query_scalar(
        "select coalesce((select sent_at from antraege order by sent_at desc, nr desc offset 1000000 limit 1),
                         (select min(sent_at) from antraege))",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let filter = AntragFilter {
        from: Some(from),
        ..AntragFilter::default()
    };
    let path: PathBuf =
        std::env::temp_dir().join(format!("kammer-scale-{}.csv", std::process::id()));
    let before = rss_kib("VmRSS:");
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kib("VmRSS:"), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let started = Instant::now();
    let outcome = export::antraege(
        pool,
        session,
        &filter,
        Dialect::Rfc4180,
        &path,
        &ExportControl::new(),
    )
    .await
    .unwrap();
    let app_seconds = started.elapsed().as_secs_f64();
    sampler.abort();
    let ExportOutcome::Written { rows, .. } = outcome else {
        panic!("export not written")
    };
    let _ = std::fs::remove_file(&path);

    let mut sql = summary_sql();
    let from_literal = format!("'{}'::timestamptz", from.to_rfc3339());
    for (param, value) in [
        ("$1", "'{}'::text[]"),
        ("$2", from_literal.as_str()),
        ("$3", "null"),
        ("$4", "null"),
        ("$5", "null"),
        ("$6", "null"),
        ("$7", "null"),
        ("$8", "null"),
    ] {
        sql = sql.replace(param, value);
    }
    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let copy_path =
        std::env::temp_dir().join(format!("kammer-scale-{}-psql.csv", std::process::id()));
    let copied = psql_copy(url, &sql, &copy_path);
    ExportFigures {
        rows,
        app_seconds,
        app_peak_kib: peak.load(std::sync::atomic::Ordering::Relaxed),
        copy_rows: copied.rows,
        copy_seconds: copied.seconds,
        copy_peak_kib: copied.peak_kib,
    }
}

//! pgbench's side: the hot statements as the core sends them, pgbench scripts of them, the
//! runs, and EXPLAIN of what they do.
//!
//! "The same SQL": every statement the app sends for a measured operation carries a tag
//! (`/* hot:betrieb_search */`) at the start of its text in the core's source. The texts are
//! taken from that source, compiled into this benchmark with `include_str!` (the very
//! literals the `sqlx::query!` macros send), and the list query from
//! `antraege::summary_sql(order)`, so a changed query is measured as changed on both sides.

use std::collections::HashMap;
use std::process::Command;
use std::time::Instant;

use kammer_core::antraege::{SortOrder, summary_sql};

use crate::stats::Sample;

/// The core's files that hold hot statements.
const SOURCES: [(&str, &str); 6] = [
    ("betriebe.rs", include_str!("../../src/betriebe.rs")),
    ("antraege/mod.rs", include_str!("../../src/antraege/mod.rs")),
    (
        "antraege/decisions.rs",
        include_str!("../../src/antraege/decisions.rs"),
    ),
    ("codes.rs", include_str!("../../src/codes.rs")),
    ("audit.rs", include_str!("../../src/audit.rs")),
    ("policy.rs", include_str!("../../src/policy.rs")),
];

const TAG: &str = "/* hot:";

/// The hot statements by tag.
pub struct Hot(HashMap<String, String>);

impl Hot {
    pub fn load() -> Hot {
        let mut out = HashMap::new();
        for (file, src) in SOURCES {
            let mut rest = src;
            while let Some(i) = rest.find(TAG) {
                let raw = rest[..i].ends_with("r#\"");
                assert!(
                    raw || rest[..i].ends_with('"'),
                    "{file}: a hot tag that does not open a string literal"
                );
                let body = &rest[i..];
                let end = body
                    .find(if raw { "\"#" } else { "\"" })
                    .unwrap_or_else(|| panic!("{file}: unterminated hot statement"));
                let text = &body[..end];
                rest = &body[end..];
                // The list query is put together by a macro: it comes from summary_sql(order).
                let Some((tag, _)) = text[TAG.len()..].split_once(" */") else {
                    continue;
                };
                assert!(
                    raw || !text.contains('\\'),
                    "{file}: hot:{tag} has an escape; make it a raw string"
                );
                out.insert(tag.to_string(), text.to_string());
            }
        }
        let asc = summary_sql(SortOrder::OldestFirst);
        let at_or_after = asc
            .replacen("hot:antrag_summary > asc", "hot:antrag_summary >= asc", 1)
            .replacen(
                "(a.sent_at, a.nr) > ($5, $6)",
                "(a.sent_at, a.nr) >= ($5, $6)",
                1,
            );
        assert_eq!(
            at_or_after.matches(">=").count(),
            asc.matches(">=").count() + 2,
            "summary_sql() changed shape"
        );
        out.insert("antrag_summary > asc".into(), asc);
        // Spliced by a macro too: the literal in the source is only its tag.
        out.insert("history".into(), kammer_core::audit::history_sql());
        out.insert(
            "antrag_summary betrieb asc".into(),
            summary_sql(SortOrder::BetriebAscending),
        );
        out.insert("antrag_summary >= asc".into(), at_or_after);
        Hot(out)
    }

    pub fn get(&self, tag: &str) -> &str {
        self.0
            .get(tag)
            .unwrap_or_else(|| panic!("no statement tagged hot:{tag} in the core"))
    }
}

/// A parameter of a hot statement, for pgbench.
#[derive(Clone)]
pub enum P {
    /// A value: a pgbench variable (sent as a parameter of the prepared statement, as sqlx
    /// does).
    Text(String),
    Null,
    /// An SQL expression written into the statement (the next Antrag of the pick table).
    Sql(String),
}

pub fn t(v: impl ToString) -> P {
    P::Text(v.to_string())
}

/// The statements of one operation with one parameter set, in order.
pub type Script = Vec<(&'static str, Vec<P>)>;

/// Writes `tag`'s statement with its parameters put in by `put` (highest first, so $1 does
/// not eat the front of $10), on one line, its tag made harmless for pgbench and psql (which
/// would take ":name" for a variable).
fn statement(
    hot: &Hot,
    tag: &str,
    params: &[P],
    mut put: impl FnMut(usize, &P) -> String,
) -> String {
    let mut sql = hot.get(tag).to_string();
    for (i, p) in params.iter().enumerate().rev() {
        sql = sql.replace(&format!("${}", i + 1), &put(i, p));
    }
    let sql = sql.replacen(TAG, "/* hot=", 1);
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One pgbench script: the statements of one operation with the parameter set `k`; the
/// variables it needs are added to `vars`.
fn script(hot: &Hot, statements: &Script, k: usize, vars: &mut Vec<(String, String)>) -> String {
    let mut out = String::new();
    for (s, (tag, params)) in statements.iter().enumerate() {
        out.push_str(&statement(hot, tag, params, |i, p| match p {
            P::Null => "NULL".into(),
            P::Sql(sql) => sql.clone(),
            P::Text(v) => {
                let name = format!("p{k}_{s}_{}", i + 1);
                vars.push((name.clone(), v.clone()));
                format!(":{name}")
            }
        }));
        out.push_str(";\n");
    }
    out
}

/// Runs pgbench as the login in `url` over the scripts of all parameter sets: one run per
/// set, `transactions / sets` each (one pgbench run with several `-f` scripts in prepared
/// mode mixes up their prepared statements in PostgreSQL 15's pgbench). One client, one
/// transaction after the other, like the app's side. With `warm_up`, each run makes one
/// transaction more and its first (which prepares the statements on the new connection) is
/// not counted, as the app's side warms up before it is timed; writes, which use each
/// Antrag once, count every call on both sides.
pub fn pgbench(
    url: &str,
    name: &str,
    hot: &Hot,
    sets: &[Script],
    transactions: usize,
    warm_up: bool,
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
            .arg((per_set + usize::from(warm_up)).to_string())
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
                // client, transaction (from 0), latency in µs, …
                let fields: Vec<&str> = line.split_whitespace().collect();
                if warm_up && fields.get(1) == Some(&"0") {
                    continue;
                }
                if let Some(us) = fields.get(2).and_then(|v| v.parse::<f64>().ok()) {
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

/// The statements of `script` with their parameters written as literals, for psql.
fn with_literals(hot: &Hot, script: &Script) -> Vec<(&'static str, String)> {
    script
        .iter()
        .map(|(tag, params)| {
            let sql = statement(hot, tag, params, |_, p| match p {
                P::Null => "NULL".into(),
                P::Sql(sql) => sql.clone(),
                P::Text(v) => format!("'{}'", v.replace('\'', "''")),
            });
            (*tag, sql)
        })
        .collect()
}

fn run_psql(url: &str, what: &str, script: &str) -> (String, String) {
    let path =
        std::env::temp_dir().join(format!("kammer-scale-{}-explain.sql", std::process::id()));
    std::fs::write(&path, script).unwrap();
    let run = Command::new("psql")
        .args([url, "-qAt", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&path)
        .output()
        .expect("psql runs");
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "EXPLAIN of {what} failed: {stderr}");
    (String::from_utf8_lossy(&run.stdout).to_string(), stderr)
}

/// EXPLAIN (ANALYZE, BUFFERS) of each statement of a read, run as the login in `url`,
/// parameters written as literals (the plan PostgreSQL makes for these values, as for a
/// custom plan).
pub fn explain(url: &str, what: &str, hot: &Hot, script: &Script) -> String {
    let mut psql_script = String::new();
    for (tag, sql) in with_literals(hot, script) {
        psql_script.push_str(&format!(
            "\\echo '@@ {tag}'\nexplain (analyze, buffers) {sql};\n"
        ));
    }
    let (stdout, _) = run_psql(url, what, &psql_script);
    let mut out = format!("\n### {what}\n");
    for section in stdout.split("@@ ").skip(1) {
        let (tag, plan) = section.split_once('\n').unwrap_or((section, ""));
        out.push_str(&format!("\n`hot:{tag}`\n\n```\n{plan}```\n"));
    }
    out
}

/// The plans of every statement a `kammer_api` function runs, from one call as the clerk
/// `login` inside a transaction that is rolled back: `auto_explain` with nested statements,
/// its output sent to the client (set up by the superuser of `superuser_url`, who then
/// becomes the clerk with `SET SESSION AUTHORIZATION`, so `session_user` is the clerk's as
/// the function demands). Sequences a statement advances stay advanced.
pub fn explain_call(
    superuser_url: &str,
    login: &str,
    what: &str,
    hot: &Hot,
    script: &Script,
) -> String {
    let mut psql_script = String::from(
        "load 'auto_explain';
         set auto_explain.log_min_duration = 0;
         set auto_explain.log_analyze = on;
         set auto_explain.log_buffers = on;
         set auto_explain.log_timing = on;
         set auto_explain.log_nested_statements = on;
         set auto_explain.log_level = notice;
         set client_min_messages = notice;\n",
    );
    psql_script.push_str(&format!("set session authorization \"{login}\";\nbegin;\n"));
    for (_, sql) in with_literals(hot, script) {
        psql_script.push_str(&sql);
        psql_script.push_str(";\n");
    }
    psql_script.push_str("rollback;\n");
    let (_, stderr) = run_psql(superuser_url, what, &psql_script);
    let mut plans = String::new();
    for line in stderr.lines() {
        match line.split_once("NOTICE:  ") {
            Some((_, rest)) => {
                plans.push('\n');
                plans.push_str(rest);
            }
            None => plans.push_str(line),
        }
        plans.push('\n');
    }
    format!(
        "\n### {what}\n\nEvery statement of the call, innermost first, the call itself last \
         (auto_explain):\n\n```{plans}```\n"
    )
}

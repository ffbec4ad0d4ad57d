//! The run's arguments, its database and who works on it.

use std::path::PathBuf;

use kammer_core::auth::Session;
use kammer_core::demo;
use sqlx::PgPool;

use crate::common::{login_url, seeded_database, sign_in};
use crate::pgbench::{self, Hot, Script};
use crate::stats::{Row, Sample};

pub struct Args {
    pub betriebe: u32,
    pub antraege: u32,
    pub iterations: usize,
    pub writes: usize,
    pub drop: bool,
    pub server: String,
    /// Where to write EXPLAIN (ANALYZE, BUFFERS) of every hot statement; default: the cargo
    /// target directory.
    pub explain: Option<PathBuf>,
}

pub fn args() -> Args {
    let mut a = Args {
        betriebe: 1_000_000,
        antraege: 5_000_000,
        iterations: 1000,
        writes: 300,
        drop: false,
        explain: None,
        server: crate::common::server_from_env(),
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

/// Everything a measured operation needs.
pub struct Ctx {
    /// The database's superuser: set-up (policy, pick tables) and checks only.
    pub superuser: PgPool,
    /// The database's superuser URL.
    pub url: String,
    /// The Sachbearbeitung demo clerk: look-ups, queue, detail, approvals, the export.
    pub sb: Session,
    /// The Hotline demo clerk: resends.
    pub hotline: Session,
    pub hot: Hot,
    /// Runs per read operation.
    pub n: usize,
    /// Approvals and resends on each side.
    pub writes: usize,
    /// EXPLAIN output gathered on the way.
    pub plans: String,
}

impl Ctx {
    pub async fn new(a: &Args) -> Ctx {
        let name = format!("kammerdesk_scale_{}_{}", a.betriebe, a.antraege);
        let url = seeded_database(
            &a.server,
            &name,
            &demo::SeedOptions {
                betriebe: a.betriebe,
                antraege: a.antraege,
            },
        )
        .await;
        let superuser = kammer_core::db::connect(&url).await.unwrap();
        // Resends one after the other on distinct Anträge: no cooldown, and no daily limit of
        // an Antrag or a Betrieb (a few hundred resends land on Betriebe with several
        // Anträge). Set as the superuser: the benchmark's own set-up.
        sqlx::query(
            "update policy set resend_cooldown_seconds = 0, sends_per_day = 1000, betrieb_sends_per_day = 1000",
        )
        .execute(&superuser)
        .await
        .unwrap();
        Ctx {
            sb: sign_in(&url, "sb.mueller").await,
            hotline: sign_in(&url, "hl.schmidt").await,
            superuser,
            url,
            hot: Hot::load(),
            n: a.iterations,
            writes: a.writes,
            plans: String::new(),
        }
    }

    /// The database's URL for a clerk's own login (pgbench, psql).
    pub fn url_of(&self, clerk: &Session) -> String {
        login_url(&self.url, &clerk.username, demo::DEMO_PASSWORD)
    }

    /// pgbench of `sets` as `clerk`, `transactions` in all (see [`pgbench::pgbench`]).
    pub fn pgbench(
        &self,
        clerk: &Session,
        name: &str,
        sets: &[Script],
        transactions: usize,
        warm_up: bool,
    ) -> Sample {
        pgbench::pgbench(
            &self.url_of(clerk),
            name,
            &self.hot,
            sets,
            transactions,
            warm_up,
        )
    }

    /// Adds the plans of a read's statements, run as `clerk`.
    pub fn explain(&mut self, clerk: &Session, what: &str, script: &Script) {
        let plans = pgbench::explain(&self.url_of(clerk), what, &self.hot, script);
        self.plans.push_str(&plans);
    }

    /// The row of a read measured as the Sachbearbeitung clerk: pgbench of the same `sets`
    /// as that login, and the plans of the sets numbered in `explained`.
    pub fn read_row(
        &mut self,
        (what, target): (&'static str, &'static str),
        name: &str,
        app: Sample,
        sets: &[Script],
        explained: &[usize],
    ) -> Row {
        let sb = self.sb.clone();
        for &k in explained {
            self.explain(&sb, &format!("{name} (parameter set {k})"), &sets[k]);
        }
        Row {
            what,
            target,
            app,
            reference: self.pgbench(&sb, name, sets, self.n, true),
        }
    }

    /// Adds the plans of every statement inside a `kammer_api` call, made as `clerk`.
    pub fn explain_call(&mut self, clerk: &Session, what: &str, script: &Script) {
        let plans = pgbench::explain_call(&self.url, &clerk.username, what, &self.hot, script);
        self.plans.push_str(&plans);
    }

    pub async fn sample_i64(&self, sql: &str) -> Vec<i64> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&self.superuser)
            .await
            .unwrap()
    }

    pub fn database(&self) -> &str {
        self.url.rsplit_once('/').unwrap().1
    }
}

//! Demo data: a deterministic, realistic Handwerksrolle of a Kammer in the Ruhrgebiet, with
//! portal accounts, Anträge in every state, Zuordnungen, the audit trail and three demo clerks.
//!
//! - Deterministic: one splitmix64 generator with a fixed seed, so every seed of the same size
//!   yields the same Betriebe, names and numbers (only the timestamps of the most recent,
//!   still open Anträge are placed relative to the time of seeding, so their codes are live).
//! - Always contains the example of the portal's how-to: Betrieb 2121155381 "Testbetrieb" and
//!   Antrag Nr. 178 of 12.01.2024, 07:23:17, still waiting for its code. Its current code was
//!   re-issued at seeding time through the real core path ([`crate::codes::issue`]), so the
//!   mail with the code sits queued in the outbox.
//! - Fast: the bulk tables are written with PostgreSQL `COPY`, all in one transaction, so a
//!   million Betriebe take minutes. Identity columns of an empty database start at 1, so row
//!   i of a COPY has id i; this is checked after each COPY rather than assumed.
//! - Bulk codes of other Anträge are random hashes: nobody knows those codes, and no mail was
//!   queued for them (their `outbox_id` is null).
//! - Refused (conflict) when the database already has Betriebe, so a second run never duplicates.
//!
//! One file per part, in the order they are seeded (each draws from the same generator, so
//! the order is part of the data): [`logins`], [`betriebe`], [`timeline`], [`accounts`],
//! [`antraege`], [`antrag_178`]; the words they are made of in [`names`].

mod accounts;
mod antraege;
mod antrag_178;
mod betriebe;
mod logins;
mod names;
mod timeline;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::{Error, Result};

/// How much to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub betriebe: u32,
    pub antraege: u32,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            betriebe: 300,
            antraege: 600,
        }
    }
}

/// What was seeded.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub betriebe: u64,
    pub accounts: u64,
    pub antraege: u64,
    pub zuordnungen: u64,
    pub clerks: u64,
}

/// Where a seed stands, for a progress bar: the step under way (in German) and how far it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedProgress {
    pub step: &'static str,
    pub done: u64,
    pub total: u64,
}

/// How often the long step, the Anträge, reports progress.
pub const SEED_PROGRESS_EVERY: u64 = 1000;

/// The password of every demo clerk and demo service login (documented in the README).
pub const DEMO_PASSWORD: &str = "kammer-demo-2026";
/// The demo clerks: user name (their PostgreSQL login), role, name.
pub const DEMO_CLERKS: [(&str, &str, &str); 3] = [
    ("admin", "admin", "Andrea Vogt"),
    ("sb.mueller", "sachbearbeitung", "Sabine Müller"),
    ("hl.schmidt", "hotline", "Jonas Schmidt"),
];
/// The demo's service logins and their groups (demo only; IT makes its own).
pub const DEMO_SERVICES: [(&str, &str); 4] = [
    ("kd_portal", "kammer_portal"),
    ("kd_mailer", "kammer_mailer"),
    ("kd_reporting", "kammer_reporting"),
    ("kd_import", "kammer_import"),
];
/// The portal how-to's example Betrieb and Antrag.
pub const TEST_BETRIEBSNUMMER: &str = "2121155381";
pub const TEST_ANTRAG_NR: i64 = 178;

const SEED: u64 = 0x4b41_4d4d_4552_2026; // "KAMMER" 2026

/// splitmix64: tiny, fast, and good enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        out
    }
}

/// A–Z, digits and dashes only: for e-mail local parts and domains.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ı' => out.push('i'),
            'ş' => out.push('s'),
            'a'..='z' | '0'..='9' => out.push(c),
            _ => {
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
        }
    }
    out.trim_end_matches('-').to_string()
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// Checks that the rows just copied into an empty table got ids 1..=n.
async fn assert_ids(conn: &mut PgConnection, table: &str, n: u64) -> Result<()> {
    let (min, max, count): (Option<i64>, Option<i64>, i64) = sqlx::query_as(sqlx::AssertSqlSafe(
        format!("select min(id), max(id), count(*) from {table}"),
    ))
    .fetch_one(&mut *conn)
    .await?;
    if count as u64 != n || (n > 0 && (min != Some(1) || max != Some(n as i64))) {
        return Err(Error::internal(format!(
            "demo seed: {table} ids are {min:?}..{max:?} for {count} rows, expected 1..{n}"
        )));
    }
    Ok(())
}

/// From this many Anträge on, demo-seed loads like a restore: secondary indexes are dropped
/// for the load and built once afterwards, and (for a superuser) foreign-key triggers are
/// skipped, since the generator makes the references consistent by construction. Below
/// it, every row is checked as usual (the tests seed small sets).
const BULK_LOAD_FROM: usize = 20_000;
/// Buffered COPY data is sent once a table's buffer reaches this size, so memory stays
/// bounded at millions of rows.
const FLUSH_BYTES: usize = 64 << 20;
const BULK_TABLES: &[&str] = &[
    "betriebe",
    "accounts",
    "antraege",
    "confirmation_codes",
    "zuordnungen",
    "audit_events",
];

/// Drops the indexes of the bulk tables that no constraint owns and returns their
/// definitions, for [`rebuild_indexes`] after the load.
async fn drop_secondary_indexes(conn: &mut PgConnection) -> Result<Vec<String>> {
    let tables: Vec<String> = BULK_TABLES.iter().map(|t| t.to_string()).collect();
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
         from pg_index i join pg_class t on t.oid = i.indrelid
         where t.relnamespace = 'public'::regnamespace and t.relname = any($1)
           and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
         order by 1",
    )
    .bind(&tables)
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(sqlx::AssertSqlSafe(format!("drop index {name}")))
            .execute(&mut *conn)
            .await?;
    }
    Ok(indexes.into_iter().map(|(_, def)| def).collect())
}

async fn rebuild_indexes(conn: &mut PgConnection, definitions: &[String]) -> Result<()> {
    for def in definitions {
        sqlx::query(sqlx::AssertSqlSafe(def.clone()))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Seeds an empty database. Refused with a conflict when there are Betriebe already.
pub async fn seed(pool: &PgPool, opts: &SeedOptions) -> Result<SeedReport> {
    seed_with_progress(pool, opts, &|_| {}).await
}

/// [`seed`], telling `progress` when each step begins and, during the Anträge, every
/// [`SEED_PROGRESS_EVERY`] of them.
pub async fn seed_with_progress(
    pool: &PgPool,
    opts: &SeedOptions,
    progress: &(dyn Fn(SeedProgress) + Send + Sync),
) -> Result<SeedReport> {
    let step = |step, done: usize, total: usize| {
        progress(SeedProgress {
            step,
            done: done as u64,
            total: total as u64,
        })
    };
    crate::db::require_superuser(pool, "Das Laden von Demo-Daten").await?;
    let betriebe_n = opts.betriebe.max(1) as usize;
    let antraege_n = opts.antraege.max(TEST_ANTRAG_NR as u32) as usize;
    if opts.betriebe < 4 {
        return Err(Error::validation(
            "Für Demo-Daten werden mindestens 4 Betriebe gebraucht.",
        ));
    }
    let mut rng = Rng(SEED);
    let now = Utc::now();

    let mut tx = pool.begin().await?;
    // Serialise concurrent seeds and check emptiness under the lock.
    sqlx::query("lock table betriebe in exclusive mode")
        .execute(&mut *tx)
        .await?;
    let existing: i64 = sqlx::query_scalar("select count(*) from betriebe")
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Err(Error::conflict(format!(
            "Die Datenbank enthält bereits {existing} Betriebe. Demo-Daten werden nur in eine leere Datenbank geladen."
        )));
    }
    let others: i64 = sqlx::query_scalar(
        "select (select count(*) from accounts) + (select count(*) from antraege) + (select count(*) from zuordnungen)
              + (select count(*) from clerks)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if others > 0 {
        return Err(Error::conflict(
            "Die Datenbank enthält bereits Zugänge, Accounts oder Anträge. Demo-Daten werden nur in eine leere Datenbank geladen.",
        ));
    }
    sqlx::query("set local synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    let bulk = antraege_n >= BULK_LOAD_FROM;
    let mut index_definitions = Vec::new();
    let mut skipping_foreign_keys = false;
    if bulk {
        sqlx::query("set local maintenance_work_mem = '512MB'")
            .execute(&mut *tx)
            .await?;
        index_definitions = drop_secondary_indexes(&mut tx).await?;
        let superuser: bool =
            sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
                .fetch_one(&mut *tx)
                .await?;
        if superuser {
            sqlx::query("set local session_replication_role = replica")
                .execute(&mut *tx)
                .await?;
            skipping_foreign_keys = true;
        }
    }

    step("Zugänge", 0, 1);
    let clerks = logins::seed_logins(&mut tx).await?;
    step("Betriebe", 0, betriebe_n);
    let (betriebe, test_betrieb_id) =
        betriebe::seed_betriebe(&mut tx, &mut rng, betriebe_n, skipping_foreign_keys).await?;
    let timeline = timeline::send_times(&mut rng, antraege_n, now);
    let accounts_n = (antraege_n * 3 / 4).max(2);
    step("Accounts", 0, accounts_n);
    let accounts = accounts::seed_accounts(&mut tx, &mut rng, accounts_n, &timeline).await?;
    let plan = antraege::Plan {
        antraege_n,
        accounts_n,
        betriebe: &betriebe,
        test_betrieb_id,
        timeline: &timeline,
        clerks: &clerks,
        now,
    };
    let seeded = antraege::seed_antraege(&mut tx, &mut rng, &plan, &step).await?;
    if skipping_foreign_keys {
        sqlx::query("set local session_replication_role = origin")
            .execute(&mut *tx)
            .await?;
        // The counts per status are kept by a trigger, which did not run for the load.
        sqlx::query("select kammer_recount_status_counts()")
            .execute(&mut *tx)
            .await?;
    }
    step("Anträge", antraege_n, antraege_n);
    rebuild_indexes(&mut tx, &index_definitions).await?;

    step("Antrag Nr. 178", 0, 1);
    antrag_178::finish(
        &mut tx,
        timeline.t178,
        test_betrieb_id,
        seeded.first_code_178.is_some(),
    )
    .await?;

    tx.commit().await?;
    // After a bulk load, vacuum too: it sets the hint bits and the visibility map once,
    // instead of leaving that to the first readers (index-only scans need the map).
    let maintenance = if bulk { "vacuum (analyze)" } else { "analyze" };
    step("Statistik", 0, 1);
    sqlx::query(maintenance).execute(pool).await?;
    Ok(SeedReport {
        betriebe: betriebe_n as u64,
        accounts,
        antraege: antraege_n as u64,
        zuordnungen: seeded.zuordnungen,
        clerks: clerks.added,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(
            slug("Elektro Schäfer GmbH & Co. KG"),
            "elektro-schaefer-gmbh-co-kg"
        );
        assert_eq!(slug("Yılmaz Öztürk"), "yilmaz-oeztuerk");
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng(SEED);
        let mut b = Rng(SEED);
        assert_eq!(
            (0..10).map(|_| a.next()).collect::<Vec<_>>(),
            (0..10).map(|_| b.next()).collect::<Vec<_>>()
        );
    }
}

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

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::auth::{Password, hash_password, scram_verifier};
use crate::copy_text::{Rows, copy};
use crate::domain::{ConfirmationCode, random_hex};
use crate::mail::CodeMailFacts;
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

const VORNAMEN: &[&str] = &[
    "Jürgen",
    "Günther",
    "Jörg",
    "Björn",
    "Sören",
    "Käthe",
    "Änne",
    "Uwe",
    "Klaus",
    "Stefan",
    "Thomas",
    "Michael",
    "Andreas",
    "Frank",
    "Martin",
    "Sabine",
    "Petra",
    "Monika",
    "Claudia",
    "Katrin",
    "Anja",
    "Nicole",
    "Daniel",
    "Tobias",
    "Sebastian",
    "Lukas",
    "Jonas",
    "Leon",
    "Finn",
    "Lea",
    "Hannah",
    "Jana",
    "Melanie",
    "Ralf",
    "Dirk",
    "Heinz",
    "Wolfgang",
    "Bernd",
    "Dieter",
    "Ömer",
    "Ayşe",
    "Mehmet",
    "Elif",
    "Dariusz",
    "Agnieszka",
    "Luca",
    "Marco",
    "Gülşen",
    "Timo",
    "Christina",
];
const NACHNAMEN: &[&str] = &[
    "Müller",
    "Schäfer",
    "Schröder",
    "Krämer",
    "Köhler",
    "Hoffmann",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köster",
    "Jäger",
    "Böhm",
    "Vogt",
    "Brückner",
    "Wöhler",
    "Göbel",
    "Lübke",
    "Düsterhus",
    "Kowalski",
    "Nowak",
    "Yılmaz",
    "Kaya",
    "Öztürk",
    "Großmann",
    "Weiß",
    "Fuß",
];
const ORTE: &[(&str, &str)] = &[
    ("Dortmund", "44"),
    ("Bochum", "44"),
    ("Hagen", "58"),
    ("Unna", "59"),
    ("Lünen", "44"),
    ("Witten", "58"),
    ("Hamm", "59"),
    ("Iserlohn", "58"),
    ("Schwerte", "58"),
    ("Castrop-Rauxel", "44"),
    ("Herne", "44"),
    ("Kamen", "59"),
    ("Bergkamen", "59"),
    ("Lüdenscheid", "58"),
    ("Menden", "58"),
    ("Hattingen", "45"),
    ("Schwelm", "58"),
    ("Gevelsberg", "58"),
    ("Holzwickede", "59"),
    ("Fröndenberg", "58"),
];
const STRASSEN: &[&str] = &[
    "Hauptstraße",
    "Bahnhofstraße",
    "Kirchstraße",
    "Schulstraße",
    "Gartenstraße",
    "Lindenweg",
    "Am Markt",
    "Mühlenweg",
    "Königsallee",
    "Hüttenstraße",
    "Zechenstraße",
    "Rheinische Straße",
    "Westfalendamm",
    "Märkische Straße",
    "Hellweg",
    "Ruhrallee",
    "Schützenstraße",
    "Brückstraße",
    "Grüner Weg",
    "Talstraße",
    "Industriestraße",
    "Gewerbepark Süd",
    "Friedrich-Ebert-Straße",
    "Kampstraße",
    "Löwenstraße",
];

/// (Gewerk, Firmenname stem, e-mail slug of the stem)
const GEWERKE: &[(&str, &str)] = &[
    ("Elektrotechniker", "Elektro"),
    ("Tischler", "Tischlerei"),
    ("Bäcker", "Bäckerei"),
    ("Friseure", "Friseursalon"),
    ("Maler und Lackierer", "Malerbetrieb"),
    ("Installateur und Heizungsbauer", "Sanitär und Heizung"),
    ("Kfz-Techniker", "Kfz-Werkstatt"),
    ("Dachdecker", "Dachdeckerei"),
    ("Maurer und Betonbauer", "Bauunternehmung"),
    ("Metallbauer", "Metallbau"),
    ("Fleischer", "Fleischerei"),
    ("Konditoren", "Konditorei"),
    ("Zimmerer", "Zimmerei"),
    ("Fliesen-, Platten- und Mosaikleger", "Fliesen"),
    ("Augenoptiker", "Optik"),
    ("Raumausstatter", "Raumausstattung"),
    ("Schornsteinfeger", "Schornsteinfegerbetrieb"),
    ("Glaser", "Glaserei"),
];
const RECHTSFORMEN: &[&str] = &[
    "GmbH",
    "GmbH & Co. KG",
    "e.K.",
    "GbR",
    "UG (haftungsbeschränkt)",
];
const REJECT_REASONS: &[&str] = &[
    "Antragsteller:in ist laut Rückruf beim Betrieb nicht beschäftigt",
    "Firmenname passt nicht zur Betriebsnummer; Betrieb hat Zuordnung abgelehnt",
    "Betrieb ist abgemeldet",
    "Doppelter Antrag, Zuordnung besteht über anderen Account",
];
const CLERK_APPROVE_REASONS: &[&str] = &[
    "telefonisch bestätigt",
    "Inhaber hat per Fax bestätigt",
    "persönlich vorgesprochen, Handwerkskarte vorgelegt",
];

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

/// The COPY statements of the Anträge and what hangs off them, in the order their foreign
/// keys need.
const COPY_ANTRAEGE: &str = "COPY antraege (nr, account_id, betrieb_id, betriebsnummer_entered, firmenname_entered, status, sent_at,
                        code_confirmed_at, decided_at, decided_by, decision_reason, updated_at) FROM STDIN";
const COPY_CODES: &str = "COPY confirmation_codes (antrag_nr, code_hash, prefix, sent_to, issued_at, expires_at, consumed_at, superseded_at) FROM STDIN";
const COPY_RESENT_CODES: &str = "COPY confirmation_codes (antrag_nr, code_hash, prefix, sent_to, issued_at, expires_at, consumed_at, superseded_at,
                        issued_by, issue_reason) FROM STDIN";
const COPY_ZUORDNUNGEN: &str =
    "COPY zuordnungen (account_id, betrieb_id, antrag_nr, since) FROM STDIN";
const COPY_EVENTS: &str = "COPY audit_events (at, actor_kind, clerk_id, account_id, action, antrag_nr, betrieb_id, details) FROM STDIN";

/// Sends what the four buffers hold, Anträge first, and empties them.
async fn flush(
    conn: &mut PgConnection,
    antraege: &mut Rows,
    codes: &mut Rows,
    zuordnungen: &mut Rows,
    events: &mut Rows,
) -> Result<()> {
    for (statement, rows) in [
        (COPY_ANTRAEGE, antraege),
        (COPY_CODES, codes),
        (COPY_ZUORDNUNGEN, zuordnungen),
        (COPY_EVENTS, events),
    ] {
        if !rows.buf.is_empty() {
            copy(&mut *conn, statement, &rows.buf).await?;
            rows.buf.clear();
        }
    }
    Ok(())
}

/// (at, (actor kind, clerk id, account id), action, details as JSON text)
type LaterEvent<'a> = (
    DateTime<Utc>,
    (&'a str, Option<i64>, Option<i64>),
    &'a str,
    String,
);

struct Betrieb {
    nummer: String,
    firmenname: String,
    inhaber: String,
    email: String,
}

struct Account {
    name: String,
    email: String,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    AwaitingCode,
    InReview,
    ApprovedByCode,
    ApprovedByClerk,
    WithdrawnByRequester,
    WithdrawnByClerk,
    Rejected,
    Expired,
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

    // ------------------------------------------------------------ clerks and services
    step("Zugänge", 0, 1);
    // Logins are server-wide: a second demo database on the same server takes over the demo
    // logins of the first (same names, same password), under a lock on the role catalogue so
    // that seeds running side by side do not trip over each other.
    sqlx::query("lock table pg_catalog.pg_authid in share row exclusive mode")
        .execute(&mut *tx)
        .await?;
    let verifier = scram_verifier(&Password::new_checked(DEMO_PASSWORD)?);
    let mut clerk_ids = Vec::new();
    for (username, role, name) in DEMO_CLERKS {
        let id: i64 =
            sqlx::query_scalar("select kammer_internal.provision_clerk($1, $2, $3, $4, true)")
                .bind(username)
                .bind(name)
                .bind(role)
                .bind(&verifier)
                .fetch_one(&mut *tx)
                .await?;
        clerk_ids.push(id);
    }
    let clerks_added = clerk_ids.len() as u64;
    for (login, group) in DEMO_SERVICES {
        sqlx::query("select kammer_internal.provision_service($1, $2, $3, true)")
            .bind(login)
            .bind(group)
            .bind(&verifier)
            .execute(&mut *tx)
            .await?;
    }
    let (admin_id, sb_id) = (clerk_ids[0], clerk_ids[1]);

    // ------------------------------------------------------------ Betriebe
    step("Betriebe", 0, betriebe_n);
    let test_index = betriebe_n / 2; // 0-based position of the Testbetrieb
    let mut numbers: HashSet<u64> = HashSet::with_capacity(betriebe_n);
    numbers.insert(2_121_155_381);
    let mut betriebe: Vec<Betrieb> = Vec::with_capacity(betriebe_n);
    let mut rows = Rows::new();
    for i in 0..betriebe_n {
        let (b, strasse, plz, ort, gewerk, hauptsitz) = if i == test_index {
            (
                Betrieb {
                    nummer: TEST_BETRIEBSNUMMER.to_string(),
                    firmenname: "Testbetrieb".to_string(),
                    inhaber: "Max Mustermann".to_string(),
                    email: "info@testbetrieb.example".to_string(),
                },
                "Musterstraße 1".to_string(),
                "44135".to_string(),
                "Dortmund",
                "Elektrotechniker",
                None,
            )
        } else {
            let nummer = loop {
                // About one in ten Betriebsnummern begins with a zero.
                let n = if rng.chance(10) {
                    rng.below(1_000_000_000)
                } else {
                    1_000_000_000 + rng.below(9_000_000_000)
                };
                if numbers.insert(n) {
                    break format!("{n:010}");
                }
            };
            let vorname = rng.pick(VORNAMEN);
            let nachname = rng.pick(NACHNAMEN);
            let inhaber = format!("{vorname} {nachname}");
            let (gewerk, stem) = GEWERKE[rng.below(GEWERKE.len() as u64) as usize];
            let (ort, plz_prefix) = ORTE[rng.below(ORTE.len() as u64) as usize];
            let firmenname = match rng.below(4) {
                0 => format!("{stem} {nachname} {}", rng.pick(RECHTSFORMEN)),
                1 => format!("{stem} {nachname}"),
                2 => format!("{nachname} {stem} {}", rng.pick(RECHTSFORMEN)),
                _ => format!("{stem} {inhaber}"),
            };
            // Unique by construction: the Betriebsnummer is part of the domain.
            let domain = format!(
                "{}-{}.example",
                slug(&format!("{stem} {nachname}")),
                &nummer[6..]
            );
            let email = match rng.below(3) {
                0 => format!("info@{domain}"),
                1 => format!("kontakt@{domain}"),
                _ => format!("{}@{domain}", slug(vorname)),
            };
            let strasse = format!("{} {}", rng.pick(STRASSEN), 1 + rng.below(180));
            let plz = format!("{plz_prefix}{:03}", rng.below(1000));
            // A few Filialen, always of a Betrieb seeded before them.
            let hauptsitz = if i > 10 && rng.chance(3) {
                Some(1 + rng.below(i as u64 - 1))
            } else {
                None
            };
            (
                Betrieb {
                    nummer,
                    firmenname,
                    inhaber,
                    email,
                },
                strasse,
                plz,
                ort,
                gewerk,
                hauptsitz,
            )
        };
        let created = Utc.with_ymd_and_hms(2005, 1, 1, 8, 0, 0).unwrap()
            + Duration::minutes(rng.below(9_000_000) as i64);
        rows.col(&b.nummer)
            .col(&b.firmenname)
            .col(&b.inhaber)
            .col(&strasse)
            .col(&plz)
            .col(ort)
            .col(gewerk)
            .col(&b.email)
            .opt(hauptsitz.map(|h| h.to_string()).as_deref())
            .col(&ts(created));
        rows.end();
        betriebe.push(b);
    }
    drop(numbers);
    copy(
        &mut tx,
        "COPY betriebe (betriebsnummer, firmenname, inhaber, strasse, plz, ort, gewerk, email, hauptsitz_id, created_at) FROM STDIN",
        &rows.buf,
    )
    .await?;
    drop(rows);
    assert_ids(&mut tx, "betriebe", betriebe_n as u64).await?;
    if skipping_foreign_keys {
        // The trigger that fills the Suche's dictionary did not fire either.
        sqlx::query(
            "insert into search_dictionary (word)
             select distinct unnest(tsvector_to_array(search_words)) from betriebe
             on conflict do nothing",
        )
        .execute(&mut *tx)
        .await?;
    }
    let test_betrieb_id = test_index as i64 + 1;

    // ------------------------------------------------------------ Anträge (timeline and fates)
    let t178 = Utc.with_ymd_and_hms(2024, 1, 12, 6, 23, 17).unwrap();
    let start = Utc.with_ymd_and_hms(2023, 9, 4, 7, 0, 0).unwrap();
    // The most recent ~5 % are within the code lifetime and mostly still open.
    let recent_n = (antraege_n / 20)
        .max(3)
        .min(antraege_n - TEST_ANTRAG_NR as usize);
    let recent_from = now - Duration::days(10);
    let old_end = recent_from - Duration::hours(6);
    let mut sent: Vec<DateTime<Utc>> = Vec::with_capacity(antraege_n);
    for nr in 1..=antraege_n as i64 {
        let (a, b, i, span) = if nr < TEST_ANTRAG_NR {
            (start, t178, nr - 1, TEST_ANTRAG_NR - 1)
        } else if nr == TEST_ANTRAG_NR {
            sent.push(t178);
            continue;
        } else if (nr as usize) <= antraege_n - recent_n {
            (
                t178,
                old_end,
                nr - TEST_ANTRAG_NR,
                (antraege_n - recent_n) as i64 - TEST_ANTRAG_NR + 1,
            )
        } else {
            let first = (antraege_n - recent_n) as i64;
            (
                recent_from,
                now - Duration::minutes(30),
                nr - first - 1,
                recent_n as i64,
            )
        };
        let step = (b - a).num_seconds() / span.max(1);
        let t = a + Duration::seconds(step * i + rng.below(step.max(2) as u64 - 1) as i64 + 1);
        sent.push(t.max(*sent.last().unwrap_or(&start)));
    }

    // ------------------------------------------------------------ accounts
    let accounts_n = (antraege_n * 3 / 4).max(2);
    step("Accounts", 0, accounts_n);
    let mut accounts: Vec<Account> = Vec::with_capacity(accounts_n);
    accounts.push(Account {
        name: "Justus Krämer".to_string(),
        email: "justus.kraemer@example.org".to_string(),
        created_at: t178 - Duration::minutes(11),
    });
    // How often each local part and domain was given out: the n-th one gets the suffix n
    // (the first none), so a million accounts need no probing for a free address.
    let mut taken: HashMap<(String, usize), u32> = HashMap::new();
    let domains = ["example.org", "example.com", "example.net"];
    while accounts.len() < accounts_n {
        let vorname = rng.pick(VORNAMEN);
        let nachname = rng.pick(NACHNAMEN);
        let base = format!("{}.{}", slug(vorname), slug(nachname));
        let d = rng.below(3) as usize;
        let domain = domains[d];
        let k = taken.entry((base.clone(), d)).or_insert(0);
        *k += 1;
        let email = if *k == 1 {
            format!("{base}@{domain}")
        } else {
            format!("{base}{k}@{domain}")
        };
        accounts.push(Account {
            name: format!("{vorname} {nachname}"),
            email,
            created_at: start - Duration::days(30)
                + Duration::minutes(rng.below(60 * 24 * 365 * 3) as i64),
        });
    }
    let justus_id: i64 = 1;
    let password_hash = hash_password(&Password::new_checked("demo-account-passwort")?).await?;
    let mut rows = Rows::new();
    for (i, a) in accounts.iter().enumerate() {
        // Every account that filed an Antrag has confirmed its e-mail (a precondition).
        let created = if i == 0 {
            a.created_at
        } else {
            a.created_at.min(start)
        };
        let confirmed =
            created + Duration::minutes(if i == 0 { 4 } else { 3 + rng.below(600) as i64 });
        rows.col(&a.email)
            .col(&a.name)
            .col(&password_hash)
            .null()
            .col(&ts(confirmed))
            .col(&ts(created));
        rows.end();
    }
    copy(
        &mut tx,
        "COPY accounts (email, name, password_hash, confirm_token_hash, email_confirmed_at, created_at) FROM STDIN",
        &rows.buf,
    )
    .await?;
    assert_ids(&mut tx, "accounts", accounts.len() as u64).await?;

    // ------------------------------------------------------------ Anträge, codes, Zuordnungen, audit
    let mut pairs: HashSet<(i64, i64)> = HashSet::new();
    pairs.insert((justus_id, test_betrieb_id));
    let mut antraege = Rows::new();
    let mut codes = Rows::new();
    let mut zuordnungen = Rows::new();
    let mut events = Rows::new();
    let mut resent_codes = Rows::new();
    let mut resent_n = 0i64;
    let hotline_id = clerk_ids[2];
    let mut zuordnungen_n = 0u64;
    let mut first_code_178: Option<ConfirmationCode> = None;
    for nr in 1..=antraege_n as i64 {
        if (nr as u64 - 1).is_multiple_of(SEED_PROGRESS_EVERY) {
            step("Anträge", nr as usize - 1, antraege_n);
        }
        let sent_at = sent[nr as usize - 1];
        let (account_id, betrieb_id) = if nr == TEST_ANTRAG_NR {
            (justus_id, test_betrieb_id)
        } else {
            loop {
                let acc = 2 + rng.below(accounts_n as u64 - 1) as i64;
                // The Testbetrieb gets a share of the first Anträge, not of millions.
                let bet = if nr < 5_000 && rng.chance(2) {
                    test_betrieb_id
                } else {
                    1 + rng.below(betriebe_n as u64) as i64
                };
                if pairs.insert((acc, bet)) {
                    break (acc, bet);
                }
            }
        };
        let recent = sent_at >= recent_from;
        let fate = if nr == TEST_ANTRAG_NR {
            Fate::AwaitingCode
        } else {
            let r = rng.below(100);
            if recent {
                match r {
                    0..=54 => Fate::AwaitingCode,
                    55..=74 => Fate::InReview,
                    75..=89 => Fate::ApprovedByCode,
                    _ => Fate::WithdrawnByRequester,
                }
            } else {
                match r {
                    0..=59 => Fate::ApprovedByCode,
                    60..=69 => Fate::ApprovedByClerk,
                    70..=77 => Fate::WithdrawnByRequester,
                    78..=81 => Fate::WithdrawnByClerk,
                    82..=88 => Fate::Rejected,
                    // Expiry needs the code lifetime to have passed before now.
                    _ if sent_at + Duration::days(15) < now => Fate::Expired,
                    _ => Fate::WithdrawnByRequester,
                }
            }
        };
        let b = &betriebe[betrieb_id as usize - 1];
        // As typed into the portal: mostly the Firmenname, sometimes the Inhaber, sometimes sloppy.
        let entered_name = if nr == TEST_ANTRAG_NR {
            "Testbetrieb".to_string()
        } else {
            match rng.below(10) {
                0..=6 => b.firmenname.clone(),
                7 | 8 => b.inhaber.clone(),
                _ => b.firmenname.to_lowercase(),
            }
        };
        let lifetime = Duration::days(14);
        let within = |max_minutes: i64, rng: &mut Rng| {
            // Never in the future: decisions happen between filing and seeding.
            let cap = ((now - sent_at).num_minutes() - 2).clamp(1, max_minutes);
            sent_at + Duration::minutes(1 + rng.below(cap as u64) as i64)
        };
        let mut code_confirmed_at = None;
        let mut decided_at = None;
        let mut decided_by = None;
        let mut decision_reason: Option<String> = None;
        let mut consumed_at = None;
        let mut superseded_at = None;
        let status;
        let acc_actor = ("account", None::<i64>, Some(account_id));
        let mut later_events: Vec<LaterEvent> = Vec::new();
        match fate {
            Fate::AwaitingCode => status = "awaiting_code",
            Fate::InReview => {
                status = "in_review";
                let t = within(60 * 24 * 3, &mut rng);
                code_confirmed_at = Some(t);
                consumed_at = Some(t);
                later_events.push((
                    t,
                    acc_actor,
                    "code_confirmed",
                    format!(r#"{{"code_id": {nr}}}"#),
                ));
            }
            Fate::ApprovedByCode => {
                status = "approved";
                let t = within(60 * 24 * 6, &mut rng);
                code_confirmed_at = Some(t);
                consumed_at = Some(t);
                decided_at = Some(t);
                later_events.push((
                    t,
                    acc_actor,
                    "code_confirmed",
                    format!(r#"{{"code_id": {nr}}}"#),
                ));
                zuordnungen_n += 1;
                later_events.push((
                    t,
                    ("system", None, None),
                    "approved",
                    format!(
                        r#"{{"from": "awaiting_code", "reason": null, "without_code": false, "zuordnung_id": {zuordnungen_n}}}"#
                    ),
                ));
            }
            Fate::ApprovedByClerk => {
                status = "approved";
                let t = within(60 * 24 * 12, &mut rng);
                let reason = rng.pick(CLERK_APPROVE_REASONS);
                decided_at = Some(t);
                decided_by = Some(sb_id);
                decision_reason = Some(reason.to_string());
                superseded_at = Some(t);
                zuordnungen_n += 1;
                later_events.push((
                    t,
                    ("clerk", Some(sb_id), None),
                    "approved",
                    format!(
                        r#"{{"from": "awaiting_code", "reason": "{reason}", "without_code": true, "zuordnung_id": {zuordnungen_n}}}"#
                    ),
                ));
            }
            Fate::WithdrawnByRequester => {
                status = "withdrawn";
                let t = within(60 * 24 * 10, &mut rng);
                decided_at = Some(t);
                superseded_at = Some(t);
                later_events.push((
                    t,
                    acc_actor,
                    "withdrawn",
                    r#"{"from": "awaiting_code", "by": "requester"}"#.to_string(),
                ));
            }
            Fate::WithdrawnByClerk => {
                status = "withdrawn";
                let t = within(60 * 24 * 10, &mut rng);
                let reason = "Antragsteller:in hat keinen Code erhalten und zieht den Antrag telefonisch zurück";
                decided_at = Some(t);
                decided_by = Some(admin_id);
                decision_reason = Some(reason.to_string());
                superseded_at = Some(t);
                later_events.push((
                    t,
                    ("clerk", Some(admin_id), None),
                    "withdrawn",
                    format!(r#"{{"from": "awaiting_code", "reason": "{reason}"}}"#),
                ));
            }
            Fate::Rejected => {
                status = "rejected";
                let t = within(60 * 24 * 12, &mut rng);
                let reason = rng.pick(REJECT_REASONS);
                decided_at = Some(t);
                decided_by = Some(sb_id);
                decision_reason = Some(reason.to_string());
                superseded_at = Some(t);
                later_events.push((
                    t,
                    ("clerk", Some(sb_id), None),
                    "rejected",
                    format!(r#"{{"from": "awaiting_code", "reason": "{reason}"}}"#),
                ));
            }
            Fate::Expired => {
                status = "expired";
                let t = sent_at + lifetime + Duration::minutes(5 + rng.below(60 * 20) as i64);
                decided_at = Some(t);
                superseded_at = Some(t);
                later_events.push((
                    t,
                    ("system", None, None),
                    "expired",
                    r#"{"reason": "code_not_used_in_time"}"#.to_string(),
                ));
            }
        }
        // About one Antrag in twelve had its code sent again (the requester filled in the
        // form again, or the hotline resent it after a call) before anything else happened.
        let first_after = later_events.iter().map(|e| e.0).min().unwrap_or(now);
        let gap = (first_after - sent_at).num_minutes();
        let mut resend = None;
        if nr != TEST_ANTRAG_NR && fate != Fate::Expired && gap >= 3 && rng.chance(8) {
            let at = sent_at
                + Duration::minutes(1 + rng.below((gap - 2).min(60 * 24 * 3) as u64) as i64);
            resent_n += 1;
            let code_id = antraege_n as i64 + resent_n;
            let by_hotline = rng.chance(40);
            let reason = if by_hotline {
                "Anruf: Code nicht erhalten"
            } else {
                "erneute Formularanforderung"
            };
            let prefix = hex::encode(&rng.bytes32()[..3]);
            let bytes = rng.bytes32();
            resent_codes
                .col(&nr.to_string())
                .col(&format!("\\x{}", hex::encode(Sha256Like::hash(&bytes))))
                .col(&prefix)
                .col(&b.email)
                .col(&ts(at))
                .col(&ts(at + lifetime))
                .opt(consumed_at.map(ts).as_deref())
                .opt(superseded_at.map(ts).as_deref())
                .opt(by_hotline.then(|| hotline_id.to_string()).as_deref())
                .col(reason);
            resent_codes.end();
            for e in later_events.iter_mut().filter(|e| e.2 == "code_confirmed") {
                e.3 = format!(r#"{{"code_id": {code_id}}}"#);
            }
            let actor = if by_hotline {
                ("clerk", Some(hotline_id), None)
            } else {
                acc_actor
            };
            later_events.insert(
                0,
                (
                    at,
                    actor,
                    "code_resent",
                    format!(
                        r#"{{"reason": "{reason}", "prefix": "{prefix}", "sent_to": "{}", "code_id": {code_id}, "outbox_id": null}}"#,
                        b.email
                    ),
                ),
            );
            // The first code was superseded by the new one, which took over its fate.
            consumed_at = None;
            superseded_at = Some(at);
            resend = Some(at);
        }
        let updated_at = decided_at
            .or(code_confirmed_at)
            .or(resend)
            .unwrap_or(sent_at);
        antraege
            .col(&nr.to_string())
            .col(&account_id.to_string())
            .col(&betrieb_id.to_string())
            .col(&b.nummer)
            .col(&entered_name)
            .col(status)
            .col(&ts(sent_at))
            .opt(code_confirmed_at.map(ts).as_deref())
            .opt(decided_at.map(ts).as_deref())
            .opt(decided_by.map(|d| d.to_string()).as_deref())
            .opt(decision_reason.as_deref())
            .col(&ts(updated_at));
        antraege.end();

        // Code #1 of each Antrag; code ids are the Antrag numbers (asserted after the COPY).
        let (hash_hex, prefix) = if nr == TEST_ANTRAG_NR {
            let code = ConfirmationCode::generate();
            let out = (hex::encode(code.hash().0), code.prefix().to_string());
            first_code_178 = Some(code);
            out
        } else {
            let bytes = rng.bytes32();
            (
                hex::encode(Sha256Like::hash(&bytes)),
                hex::encode(&rng.bytes32()[..3]),
            )
        };
        codes
            .col(&nr.to_string())
            .col(&format!("\\x{hash_hex}"))
            .col(&prefix)
            .col(&b.email)
            .col(&ts(sent_at))
            .col(&ts(sent_at + lifetime))
            .opt(consumed_at.map(ts).as_deref())
            .opt(superseded_at.map(ts).as_deref());
        codes.end();

        let requested = format!(
            r#"{{"betriebsnummer": "{}", "firmenname": {}, "prefix": "{prefix}", "sent_to": "{}", "outbox_id": {}}}"#,
            b.nummer,
            serde_json::Value::String(entered_name.clone()),
            b.email,
            // The first mail of Antrag 178 is the outbox's first row (checked when it is written).
            if nr == TEST_ANTRAG_NR { "1" } else { "null" }
        );
        let mut event = |at: DateTime<Utc>,
                         actor: (&str, Option<i64>, Option<i64>),
                         action: &str,
                         details: &str| {
            events
                .col(&ts(at))
                .col(actor.0)
                .opt(actor.1.map(|c| c.to_string()).as_deref())
                .opt(actor.2.map(|c| c.to_string()).as_deref())
                .col(action)
                .col(&nr.to_string())
                .col(&betrieb_id.to_string())
                .col(details);
            events.end();
        };
        event(sent_at, acc_actor, "requested", &requested);
        for (at, actor, action, details) in &later_events {
            event(*at, *actor, action, details);
        }
        if status == "approved" {
            zuordnungen
                .col(&account_id.to_string())
                .col(&betrieb_id.to_string())
                .col(&nr.to_string())
                .col(&ts(decided_at.unwrap_or(sent_at)));
            zuordnungen.end();
        }
        if antraege.buf.len() + events.buf.len() >= FLUSH_BYTES {
            flush(
                &mut tx,
                &mut antraege,
                &mut codes,
                &mut zuordnungen,
                &mut events,
            )
            .await?;
        }
    }
    flush(
        &mut tx,
        &mut antraege,
        &mut codes,
        &mut zuordnungen,
        &mut events,
    )
    .await?;
    sqlx::query("select setval('antrag_nr_seq', (select max(nr) from antraege))")
        .execute(&mut *tx)
        .await?;
    // Resent codes after every first code, so the first code of Antrag n keeps id n.
    copy(&mut tx, COPY_RESENT_CODES, &resent_codes.buf).await?;
    drop(resent_codes);
    assert_ids(
        &mut tx,
        "confirmation_codes",
        antraege_n as u64 + resent_n as u64,
    )
    .await?;
    assert_ids(&mut tx, "zuordnungen", zuordnungen_n).await?;
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

    // ------------------------------------------------------------ Antrag Nr. 178
    step("Antrag Nr. 178", 0, 1);
    // Its first mail went out on 12.01.2024; the requester filled in the form again, so the
    // current code is issued now, through the same path as every other code.
    let policy = crate::policy::current(&mut tx).await?;
    if first_code_178.is_some() {
        let expires = t178 + Duration::days(i64::from(policy.code_lifetime_days));
        let facts = CodeMailFacts {
            antrag_nr: TEST_ANTRAG_NR,
            betriebsnummer: TEST_BETRIEBSNUMMER.to_string(),
            firmenname: "Testbetrieb".to_string(),
            requester_name: "Justus Krämer".to_string(),
            requester_email: "justus.kraemer@example.org".to_string(),
            valid_until: expires,
            chamber_name: policy.chamber_name.clone(),
            hotline_phone: policy.hotline_phone.clone(),
            portal_url: policy.portal_url.clone(),
        };
        let domain = policy
            .mail_from
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("kammerdesk.invalid");
        let outbox_id: i64 = sqlx::query_scalar(
            "insert into mail_outbox (created_at, purpose, antrag_nr, message_id, mail_from, recipient, facts,
                                      status, attempts, next_attempt_at, sent_at, last_attempt_at, smtp_reply)
             values ($1, 'confirmation_code', $2, $3, $4, 'info@testbetrieb.example', $5,
                     'sent', 1, $1, $1 + interval '4 seconds', $1 + interval '4 seconds',
                     '250 2.0.0 Ok: queued as 4TzJ1b0c2Hz')
             returning id",
        )
        .bind(t178)
        .bind(TEST_ANTRAG_NR)
        .bind(format!("<antrag-{TEST_ANTRAG_NR}.{}@{domain}>", random_hex(12)))
        .bind(&policy.mail_from)
        .bind(serde_json::to_value(&facts).map_err(Error::internal)?)
        .fetch_one(&mut *tx)
        .await?;
        if outbox_id != 1 {
            return Err(Error::internal(format!(
                "demo seed: first mail of Antrag 178 got outbox id {outbox_id}, expected 1"
            )));
        }
        sqlx::query("update confirmation_codes set outbox_id = $1, expires_at = $2 where id = $3")
            .bind(outbox_id)
            .bind(expires)
            .bind(TEST_ANTRAG_NR)
            .execute(&mut *tx)
            .await?;
    }
    // The requester asked for the form again ("erneute Formularanforderung"): the current
    // code is issued now, by the database like every code, and waits for the mail sender.
    let reason = "erneute Formularanforderung";
    let issued: (i64, i64, String) = sqlx::query_as(
        "select o_code_id, o_outbox_id, o_prefix from kammer_internal.issue_code($1, null, $2)",
    )
    .bind(TEST_ANTRAG_NR)
    .bind(reason)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "insert into audit_events (actor_kind, account_id, action, antrag_nr, betrieb_id, details)
         values ('account', $1, 'code_resent', $2, $3, $4)",
    )
    .bind(justus_id)
    .bind(TEST_ANTRAG_NR)
    .bind(test_betrieb_id)
    .bind(serde_json::json!({
        "reason": reason, "prefix": issued.2, "sent_to": "info@testbetrieb.example",
        "code_id": issued.0, "outbox_id": issued.1,
    }))
    .execute(&mut *tx)
    .await?;
    sqlx::query("update antraege set updated_at = now() where nr = $1")
        .bind(TEST_ANTRAG_NR)
        .execute(&mut *tx)
        .await?;

    tx.commit().await?;
    // After a bulk load, vacuum too: it sets the hint bits and the visibility map once,
    // instead of leaving that to the first readers (index-only scans need the map).
    let maintenance = if bulk { "vacuum (analyze)" } else { "analyze" };
    step("Statistik", 0, 1);
    sqlx::query(maintenance).execute(pool).await?;
    Ok(SeedReport {
        betriebe: betriebe_n as u64,
        accounts: accounts.len() as u64,
        antraege: antraege_n as u64,
        zuordnungen: zuordnungen_n,
        clerks: clerks_added,
    })
}

/// Bulk codes nobody knows: a hash of random bytes is as good as any.
struct Sha256Like;

impl Sha256Like {
    fn hash(bytes: &[u8; 32]) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        Sha256::digest(bytes).to_vec()
    }
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

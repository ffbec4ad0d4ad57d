//! The demo Handwerksrolle: Betriebe with owners, addresses, Gewerke and e-mail addresses,
//! some of them Filialen, the Testbetrieb of the portal's how-to in the middle.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use sqlx::PgConnection;

use super::names::{GEWERKE, NACHNAMEN, ORTE, RECHTSFORMEN, STRASSEN, VORNAMEN};
use super::{Rng, TEST_BETRIEBSNUMMER, assert_ids, slug, ts};
use crate::Result;
use crate::copy_text::{Rows, copy};

pub(super) struct Betrieb {
    pub nummer: String,
    pub firmenname: String,
    pub inhaber: String,
    pub email: String,
}

/// Seeds `betriebe_n` Betriebe; returns them (row i has id i + 1) and the Testbetrieb's id.
pub(super) async fn seed_betriebe(
    tx: &mut PgConnection,
    rng: &mut Rng,
    betriebe_n: usize,
    skipping_foreign_keys: bool,
) -> Result<(Vec<Betrieb>, i64)> {
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
        tx,
        "COPY betriebe (betriebsnummer, firmenname, inhaber, strasse, plz, ort, gewerk, email, hauptsitz_id, created_at) FROM STDIN",
        &rows.buf,
    )
    .await?;
    drop(rows);
    assert_ids(tx, "betriebe", betriebe_n as u64).await?;
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
    Ok((betriebe, test_betrieb_id))
}

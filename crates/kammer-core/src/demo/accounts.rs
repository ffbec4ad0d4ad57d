//! The portal's personal accounts: Justus Krämer of the how-to first, then unique names and
//! addresses, each confirmed before its first Antrag.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::names::{NACHNAMEN, VORNAMEN};
use super::timeline::Timeline;
use super::{Rng, assert_ids, slug, ts};
use crate::Result;
use crate::auth::{Password, hash_password};
use crate::copy_text::{Rows, copy};

/// Justus Krämer, who filed Antrag Nr. 178: the first account.
pub(super) const JUSTUS_ID: i64 = 1;

struct Account {
    name: String,
    email: String,
    created_at: DateTime<Utc>,
}

/// Seeds `accounts_n` accounts; returns how many.
pub(super) async fn seed_accounts(
    tx: &mut PgConnection,
    rng: &mut Rng,
    accounts_n: usize,
    timeline: &Timeline,
) -> Result<u64> {
    let (t178, start) = (timeline.t178, timeline.start);
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
        tx,
        "COPY accounts (email, name, password_hash, confirm_token_hash, email_confirmed_at, created_at) FROM STDIN",
        &rows.buf,
    )
    .await?;
    assert_ids(tx, "accounts", accounts.len() as u64).await?;
    Ok(accounts.len() as u64)
}

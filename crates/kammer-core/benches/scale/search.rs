//! The Suche by name fragment, typos too: `betriebe::search`, one statement, beside pgbench
//! of it.

use kammer_core::betriebe;

use crate::pgbench::t;
use crate::setup::Ctx;
use crate::stats::{Row, measure};

const QUERIES: [&str; 16] = [
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

pub async fn run(ctx: &mut Ctx) -> Row {
    let app = measure(ctx.n, QUERIES.len(), |k| {
        let session = &ctx.sb;
        async move {
            betriebe::search(session, QUERIES[k], 50).await.unwrap();
        }
    })
    .await;
    let sets: Vec<_> = QUERIES
        .iter()
        .map(|q| vec![("betrieb_search", vec![t(q), t(50)])])
        .collect();
    ctx.read_row(
        ("Suche by name fragment (typos too)", "p99 ≤ 30 ms"),
        "Suche",
        app,
        &sets,
        &[0, 4, 1],
    )
}

//! Look-up by Betriebsnummer: `betriebe::by_nummer`, one statement, beside pgbench of it.

use kammer_core::betriebe;
use kammer_core::domain::Betriebsnummer;

use crate::pgbench::t;
use crate::setup::Ctx;
use crate::stats::{Row, measure};

pub async fn run(ctx: &mut Ctx) -> Row {
    // 16 Betriebsnummern spread over the table.
    let nummern: Vec<String> = sqlx::query_scalar(
        "select betriebsnummer from betriebe where id % (select greatest(count(*) / 16, 1) from betriebe) = 7 order by id limit 16",
    )
    .fetch_all(&ctx.superuser)
    .await
    .unwrap();
    let parsed: Vec<Betriebsnummer> = nummern
        .iter()
        .map(|n| Betriebsnummer::parse(n).unwrap())
        .collect();
    let app = measure(ctx.n, parsed.len(), |k| {
        let (session, nr) = (&ctx.sb, &parsed[k]);
        async move {
            betriebe::by_nummer(session, nr).await.unwrap();
        }
    })
    .await;
    let sets: Vec<_> = nummern
        .iter()
        .map(|nr| vec![("betrieb_by_nummer", vec![t(nr)])])
        .collect();
    ctx.read_row(
        ("look-up by Betriebsnummer", "≤ 1.5 × pgbench"),
        "look-up",
        app,
        &sets,
        &[0],
    )
}

//! One Antrag with its codes and history: `antraege::show`, five statements on one
//! connection (the Antrag, its queue row, the policy, its codes, its history), beside
//! pgbench of the same five.

use chrono::{DateTime, Utc};
use kammer_core::antraege;
use kammer_core::domain::AntragNr;

use crate::pgbench::{P, t};
use crate::setup::Ctx;
use crate::stats::{Row, measure};

pub async fn run(ctx: &mut Ctx) -> Row {
    // 16 Anträge spread over the numbers.
    let max_nr: i64 = sqlx::query_scalar("select max(nr) from antraege")
        .fetch_one(&ctx.superuser)
        .await
        .unwrap();
    let step = (max_nr / 16).max(1);
    let details: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select a.nr, a.sent_at from generate_series(1, 16) g join antraege a on a.nr = g * {step} - 3 order by 1"
    )))
    .fetch_all(&ctx.superuser)
    .await
    .unwrap();
    let app = measure(ctx.n, details.len(), |k| {
        let (session, nr) = (&ctx.sb, AntragNr::from_db(details[k].0));
        async move {
            antraege::show(session, nr).await.unwrap();
        }
    })
    .await;
    let sets: Vec<_> = details
        .iter()
        .map(|(nr, at)| {
            vec![
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
    ctx.read_row(
        ("Antrag detail with codes and history", "≤ 1.5 × pgbench"),
        "detail",
        app,
        &sets,
        &[0],
    )
}

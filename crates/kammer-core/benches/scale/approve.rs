//! Approve from "In Bearbeitung": `antraege::approve`, one call of
//! `kammer_api.antrag_approve` as the Sachbearbeitung clerk, beside pgbench making the same
//! call as the same login.

use kammer_core::antraege;
use kammer_core::domain::AntragNr;

use crate::pgbench::P;
use crate::pick;
use crate::setup::Ctx;
use crate::stats::{Row, measure};

const ORDER: &str = "status = 'in_review' order by sent_at, nr";

pub async fn run(ctx: &mut Ctx) -> Row {
    let nrs = ctx
        .sample_i64(&format!(
            "select nr from antraege where {ORDER} limit {}",
            ctx.writes
        ))
        .await;
    let app = measure(nrs.len(), nrs.len(), |k| {
        let (session, nr) = (&ctx.sb, AntragNr::from_db(nrs[k]));
        async move {
            antraege::approve(session, nr, None).await.unwrap();
        }
    })
    .await;
    let sb = ctx.sb.clone();
    let reference = pick::pgbench_writes(
        ctx,
        &sb,
        "approve",
        ORDER,
        |nr| vec![("approve", vec![nr, P::Null])],
        "select count(*) from bench_pick p join antraege a using (nr)
         join zuordnungen z on z.antrag_nr = p.nr
         where a.status = 'approved' and a.decided_at >= $1",
    )
    .await;
    Row {
        what: "approve (one call)",
        target: "p99 ≤ 10 ms",
        app,
        reference,
    }
}

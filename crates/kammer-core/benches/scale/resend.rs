//! „Code erneut senden“: `codes::resend`, one call of `kammer_api.code_resend` as the
//! Hotline clerk, beside pgbench making the same call as the same login.

use kammer_core::codes;
use kammer_core::demo;
use kammer_core::domain::{AntragNr, Reason};

use crate::pgbench::t;
use crate::pick;
use crate::setup::Ctx;
use crate::stats::{Row, measure};

const REASON: &str = "Anruf: Code nicht erhalten";

pub async fn run(ctx: &mut Ctx) -> Row {
    // The newest first: their codes are recent, as a caller's would be.
    let order = format!(
        "status = 'awaiting_code' and nr <> {} order by sent_at desc, nr",
        demo::TEST_ANTRAG_NR
    );
    let nrs = ctx
        .sample_i64(&format!(
            "select nr from antraege where {order} limit {}",
            ctx.writes
        ))
        .await;
    let reason = Reason::parse(REASON).unwrap();
    let app = measure(nrs.len(), nrs.len(), |k| {
        let (session, nr, reason) = (&ctx.hotline, AntragNr::from_db(nrs[k]), &reason);
        async move {
            codes::resend(session, nr, reason).await.unwrap();
        }
    })
    .await;
    let hotline = ctx.hotline.clone();
    let reference = pick::pgbench_writes(
        ctx,
        &hotline,
        "resend",
        &order,
        |nr| vec![("resend", vec![nr, t(REASON)])],
        // The live code of each is one pgbench had issued.
        "select count(distinct p.nr) from bench_pick p
         join confirmation_codes c on c.antrag_nr = p.nr
         where c.issued_at >= $1 and c.consumed_at is null and c.superseded_at is null",
    )
    .await;
    Row {
        what: "resend (one call)",
        target: "p99 ≤ 10 ms",
        app,
        reference,
    }
}

//! The open queue's first page, oldest first and sorted by Betrieb: `antraege::list`, one
//! statement, beside pgbench of it.

use chrono::{DateTime, Utc};
use kammer_core::antraege::{self, AntragFilter, SortOrder};
use kammer_core::domain::AntragStatus;

use crate::pgbench::{P, t};
use crate::setup::Ctx;
use crate::stats::{Row, measure};

/// 50 rows and one more, which tells whether another page follows.
const PAGE: i64 = 50;

/// The first page in `order` (oldest first, or by Betriebsnummer ascending).
pub async fn run(ctx: &mut Ctx, order: SortOrder) -> Row {
    // Sorting by Betrieb is a click on a column head, not the queue's steady paging: its
    // target is the Suche's kind (docs/performance.md).
    let (tag, what, target, name) = match order {
        SortOrder::BetriebAscending => (
            "antrag_summary betrieb asc",
            "open queue, first page (50, by Betriebsnummer)",
            "p99 ≤ 50 ms",
            "queue-betrieb",
        ),
        SortOrder::OldestFirst => (
            "antrag_summary > asc",
            "open queue, first page (50, oldest first)",
            "p99 ≤ 10 ms",
            "queue",
        ),
        other => unimplemented!("no pgbench statement for the queue sorted {other:?}"),
    };
    let week_ago = Utc::now() - chrono::Duration::days(7);
    let filters: Vec<(Vec<AntragStatus>, Option<DateTime<Utc>>)> = vec![
        (vec![AntragStatus::AwaitingCode], None),
        (vec![AntragStatus::InReview], None),
        (
            vec![AntragStatus::AwaitingCode, AntragStatus::InReview],
            None,
        ),
        (vec![AntragStatus::AwaitingCode], Some(week_ago)),
    ];
    let app = measure(ctx.n, filters.len(), |k| {
        let session = &ctx.sb;
        let filter = AntragFilter {
            statuses: filters[k].0.clone(),
            from: filters[k].1,
            order,
            ..AntragFilter::default()
        };
        async move {
            antraege::list(session, &filter, None, PAGE).await.unwrap();
        }
    })
    .await;
    let sets: Vec<_> = filters
        .iter()
        .map(|(statuses, from)| {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            let mut params = vec![
                t(format!("{{{}}}", names.join(","))),
                from.map_or(P::Null, |f| t(f.to_rfc3339())),
                P::Null,
                P::Null,
                P::Null,
                P::Null,
                t(PAGE + 1),
                P::Null,
            ];
            if order == SortOrder::BetriebAscending {
                // $9: no cursor's Betriebsnummer on the first page.
                params.push(P::Null);
            }
            vec![(tag, params)]
        })
        .collect();
    ctx.read_row((what, target), name, app, &sets, &[0, 2])
}

//! The export of the newest million Anträge (at most) through the core, as the
//! Sachbearbeitung clerk in a process of its own (so its peak memory is the export's, not
//! the seeding's or the other measurements'), beside `psql \copy` of the list query with the
//! same filter as the same login.

use chrono::{DateTime, Utc};
use kammer_core::export::Dialect;
use kammer_testkit::{CopyRun, psql_copy};

use crate::common::{ExportRun, copy_sql, export_in_child};
use crate::setup::Ctx;

pub async fn run(ctx: &Ctx) -> (ExportRun, CopyRun) {
    let from: DateTime<Utc> = sqlx::query_scalar(
        "select coalesce((select sent_at from antraege order by sent_at desc, nr desc offset 1000000 limit 1),
                         (select min(sent_at) from antraege))",
    )
    .fetch_one(&ctx.superuser)
    .await
    .unwrap();
    let dir = std::env::temp_dir();
    let pid = std::process::id();
    let app = export_in_child(
        &ctx.url,
        &ctx.sb.username,
        Dialect::Rfc4180,
        Some(from),
        &dir.join(format!("kammer-scale-{pid}.csv")),
    );
    let _ = std::fs::remove_file(dir.join(format!("kammer-scale-{pid}.csv")));
    let copy = psql_copy(
        &ctx.url_of(&ctx.sb),
        &copy_sql(Some(from)),
        &dir.join(format!("kammer-scale-{pid}-psql.csv")),
    );
    (app, copy)
}

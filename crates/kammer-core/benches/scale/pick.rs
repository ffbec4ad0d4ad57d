//! The Anträge pgbench writes on: the app approves and resends the first `--writes` Anträge
//! of a kind, pgbench the next ones, so neither side finds its rows already decided.

use chrono::{DateTime, Utc};
use kammer_core::auth::Session;

use crate::pgbench::{P, Script};
use crate::setup::Ctx;
use crate::stats::Sample;

/// The next unused Antrag of the pick table, as the first argument of a `kammer_api` call:
/// one primary-key read in the same statement, so pgbench's side stays one round trip.
/// `nextval` sits in a subquery so that it runs once per call, not once per row looked at.
fn next_nr() -> P {
    P::Sql("(select nr from bench_pick where pos = (select nextval('bench_pick_pos')))".into())
}

/// The first Antrag of the pick table, without using it up (for EXPLAIN, rolled back).
fn first_nr() -> P {
    P::Sql("(select nr from bench_pick where pos = 1)".into())
}

/// Fills `bench_pick` with up to `n` Anträge matching `filter` (a `where` clause with its
/// order), restarts `bench_pick_pos` and lets `clerk` read both. Returns how many there are.
async fn fill(ctx: &Ctx, clerk: &Session, filter: &str, n: usize) -> usize {
    let login = &clerk.username;
    for sql in [
        "drop table if exists bench_pick".to_string(),
        "drop sequence if exists bench_pick_pos".to_string(),
        "create sequence bench_pick_pos".to_string(),
        format!(
            "create table bench_pick as
             select row_number() over () as pos, nr
             from (select nr from antraege where {filter} limit {n}) a"
        ),
        "alter table bench_pick add primary key (pos)".to_string(),
        format!("grant select on bench_pick to \"{login}\""),
        format!("grant usage on sequence bench_pick_pos to \"{login}\""),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&ctx.superuser)
            .await
            .unwrap();
    }
    let picked: i64 = sqlx::query_scalar("select count(*) from bench_pick")
        .fetch_one(&ctx.superuser)
        .await
        .unwrap();
    usize::try_from(picked).unwrap()
}

/// pgbench's side of a write: `call` (the statements of one call for the Antrag `nr`) for
/// each of the up to `--writes` Anträge after the app's (`filter`: the app's `where` clause
/// and order, which the app took the first of), as `clerk`. Before it, the plans of one call
/// for the first of them, rolled back; after it, `done_sql` (over `bench_pick`, `$1` the time
/// pgbench started) must count every Antrag pgbench was given.
pub async fn pgbench_writes(
    ctx: &mut Ctx,
    clerk: &Session,
    name: &str,
    filter: &str,
    call: impl Fn(P) -> Script,
    done_sql: &str,
) -> Sample {
    let picked = fill(
        ctx,
        clerk,
        &format!("{filter} offset {}", ctx.writes),
        ctx.writes,
    )
    .await;
    assert!(picked > 0, "no Antrag left for pgbench's {name}");
    ctx.explain_call(
        clerk,
        &format!("{name} (the first Antrag of pgbench's, rolled back)"),
        &call(first_nr()),
    );
    let started: DateTime<Utc> = sqlx::query_scalar("select now()")
        .fetch_one(&ctx.superuser)
        .await
        .unwrap();
    let sample = ctx.pgbench(clerk, name, &[call(next_nr())], picked, false);
    // pgbench reports no error for a call that did less than asked: count what it did.
    let done: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(done_sql.to_string()))
        .bind(started)
        .fetch_one(&ctx.superuser)
        .await
        .unwrap();
    assert_eq!(
        usize::try_from(done).unwrap(),
        picked,
        "pgbench's {name}: {done} of the {picked} Anträge it was given"
    );
    for sql in ["drop table bench_pick", "drop sequence bench_pick_pos"] {
        sqlx::query(sql).execute(&ctx.superuser).await.unwrap();
    }
    sample
}

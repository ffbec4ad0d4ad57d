//! The report's SQL. Each figure comes from the table that records it; see
//! docs/exports-and-report.md ("The monthly report") for the definitions. Every query groups
//! by Gewerk, by Hauptsitz/Filiale and, in the same pass, over everything (`grouping sets`),
//! so a total is never a sum computed elsewhere — which matters for the median and the 90th
//! percentile, which do not add up.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

use crate::Result;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(test, derive(serde::Deserialize))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Figures {
    /// `requested` events in the month.
    pub received: i64,
    /// `code_confirmed` events: a correct code submitted in the portal.
    pub codes_confirmed: i64,
    /// `approved` events by the system: the portal approved on a correct code.
    pub approved_by_portal: i64,
    /// `approved` events by a clerk (after review, or without code with a reason).
    pub approved_by_clerk: i64,
    pub withdrawn: i64,
    pub rejected: i64,
    pub expired: i64,
    /// Anträge sent before the month's end and not decided before it.
    pub open_at_month_end: i64,
    /// Codes issued in the month (first codes and resends).
    pub codes_sent: i64,
    /// Of those, codes that were not the first of their Antrag.
    pub codes_resent: i64,
    /// Code mails queued in the month whose delivery has finally failed.
    pub mails_failed: i64,
    /// Zuordnungen created in the month.
    pub zuordnungen: i64,
    /// From "gesendet am" to the Zuordnung, over the Zuordnungen created in the month.
    pub median_hours_to_zuordnung: Option<f64>,
    pub p90_hours_to_zuordnung: Option<f64>,
    /// Betriebe whose first Zuordnung ever was created in the month.
    pub betriebe_newly_linked: i64,
}

/// One figure as a table shows it: a count, or hours, unknown when the month had nothing to
/// measure them on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    Count(i64),
    Hours(Option<f64>),
}

/// How many figures a row of the month's table has, after its three label columns.
pub const FIGURE_COLUMNS: usize = 15;

/// The figures' names in [`Figures::columns`]' order, as they cross to the desk (its
/// field names): the desk's table and chart take each heading from the CSV's
/// ([`super::MONTHLY_HEADER`]) by this name, generated into its bindings.
pub const FIGURE_KEYS: [&str; FIGURE_COLUMNS] = [
    "received",
    "codes_confirmed",
    "approved_by_portal",
    "approved_by_clerk",
    "withdrawn",
    "rejected",
    "expired",
    "open_at_month_end",
    "codes_sent",
    "codes_resent",
    "mails_failed",
    "zuordnungen",
    "median_hours_to_zuordnung",
    "p90_hours_to_zuordnung",
    "betriebe_newly_linked",
];

impl Figures {
    /// The figures in the order of the month's columns ([`super::MONTHLY_HEADER`] after
    /// Monat, Gewerk and Hauptsitz/Filiale). The CSV and kammerctl's table both read this one
    /// list, so a figure cannot reach one and miss the other, or stand under another heading.
    pub fn columns(&self) -> [Figure; FIGURE_COLUMNS] {
        use Figure::{Count, Hours};
        [
            Count(self.received),
            Count(self.codes_confirmed),
            Count(self.approved_by_portal),
            Count(self.approved_by_clerk),
            Count(self.withdrawn),
            Count(self.rejected),
            Count(self.expired),
            Count(self.open_at_month_end),
            Count(self.codes_sent),
            Count(self.codes_resent),
            Count(self.mails_failed),
            Count(self.zuordnungen),
            Hours(self.median_hours_to_zuordnung),
            Hours(self.p90_hours_to_zuordnung),
            Count(self.betriebe_newly_linked),
        ]
    }
}

/// Which row of the report a figure belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Group {
    /// Over every Betrieb.
    Total,
    /// `""` for a Betrieb without Gewerk.
    Gewerk(String),
    /// Over the Hauptsitze (`true`) or over the Filialen (`false`).
    Hauptsitz(bool),
}

pub(super) type Groups = BTreeMap<Group, Figures>;

/// The figures of the group one result line of `grouping sets ((b.gewerk), (<is Hauptsitz>),
/// ())` belongs to. `None` for the line of the second set whose Betrieb is unknown (a failed
/// mail without an Antrag): it concerns neither a Hauptsitz nor a Filiale.
fn figures_of(
    out: &mut Groups,
    by_gewerk: bool,
    by_hauptsitz: bool,
    gewerk: Option<String>,
    hauptsitz: Option<bool>,
) -> Option<&mut Figures> {
    let group = if by_gewerk {
        Group::Gewerk(gewerk.unwrap_or_default())
    } else if by_hauptsitz {
        Group::Hauptsitz(hauptsitz?)
    } else {
        Group::Total
    };
    Some(out.entry(group).or_default())
}

/// Runs a query grouped as every figure is — by Gewerk, by Hauptsitz/Filiale and over
/// everything — and hands each result line `$r` with its group's figures `$f` (see
/// [`figures_of`]) to `$then`. `query!` takes only literal SQL, so the grouping columns and
/// `grouping sets` are spliced around `$figures_from` (the query's own columns, `from` and
/// `where`) rather than passed; and each query's rows are a type of their own, so a macro
/// rather than a function reads them.
macro_rules! for_each_group {
    ($conn:expr, $out:expr, $figures_from:literal, $($arg:expr),+ ; |$f:ident, $r:ident| $then:block) => {
        let rows = sqlx::query!(
            r#"select b.gewerk as "gewerk?", b.hauptsitz_id is null as "hauptsitz?",
                  grouping(b.gewerk) = 0 as "by_gewerk!", grouping(b.hauptsitz_id is null) = 0 as "by_hauptsitz!",
                  "# + $figures_from + r#"
           group by grouping sets ((b.gewerk), (b.hauptsitz_id is null), ())"#,
            $($arg),+
        )
        .fetch_all(&mut *$conn)
        .await?;
        for $r in rows {
            if let Some($f) = figures_of(&mut $out, $r.by_gewerk, $r.by_hauptsitz, $r.gewerk, $r.hauptsitz) $then
        }
    };
}

pub(super) async fn grouped(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Groups> {
    let mut out = Groups::new();
    for always in [
        Group::Total,
        Group::Hauptsitz(true),
        Group::Hauptsitz(false),
    ] {
        out.insert(always, Figures::default());
    }

    for_each_group!(
        conn,
        out,
        r#"count(*) filter (where e.action = 'requested') as "received!",
                  count(*) filter (where e.action = 'code_confirmed') as "codes_confirmed!",
                  count(*) filter (where e.action = 'approved' and e.actor_kind = 'system') as "approved_by_portal!",
                  count(*) filter (where e.action = 'approved' and e.actor_kind <> 'system') as "approved_by_clerk!",
                  count(*) filter (where e.action = 'withdrawn') as "withdrawn!",
                  count(*) filter (where e.action = 'rejected') as "rejected!",
                  count(*) filter (where e.action = 'expired') as "expired!"
           from audit_events e
           join betriebe b on b.id = e.betrieb_id
           where e.at >= $1 and e.at < $2
             and e.action in ('requested', 'code_confirmed', 'approved', 'withdrawn', 'rejected', 'expired')"#,
        from, to;
        |f, r| {
            f.received = r.received;
            f.codes_confirmed = r.codes_confirmed;
            f.approved_by_portal = r.approved_by_portal;
            f.approved_by_clerk = r.approved_by_clerk;
            f.withdrawn = r.withdrawn;
            f.rejected = r.rejected;
            f.expired = r.expired;
        }
    );

    for_each_group!(
        conn,
        out,
        r#"count(*) as "n!"
           from antraege a
           join betriebe b on b.id = a.betrieb_id
           where a.sent_at < $1 and (a.decided_at is null or a.decided_at >= $1)"#,
        to;
        |f, r| {
            f.open_at_month_end = r.n;
        }
    );

    for_each_group!(
        conn,
        out,
        r#"count(*) as "sent!",
                  count(*) filter (where exists (
                      select 1 from confirmation_codes p
                      where p.antrag_nr = c.antrag_nr and (p.issued_at, p.id) < (c.issued_at, c.id))) as "resent!"
           from confirmation_codes c
           join antraege a on a.nr = c.antrag_nr
           join betriebe b on b.id = a.betrieb_id
           where c.issued_at >= $1 and c.issued_at < $2"#,
        from, to;
        |f, r| {
            f.codes_sent = r.sent;
            f.codes_resent = r.resent;
        }
    );

    let mails = sqlx::query!(
        r#"select b.gewerk as "gewerk?", case when b.id is not null then b.hauptsitz_id is null end as "hauptsitz?",
                  grouping(b.gewerk) = 0 as "by_gewerk!",
                  grouping(case when b.id is not null then b.hauptsitz_id is null end) = 0 as "by_hauptsitz!",
                  count(*) as "n!"
           from mail_outbox o
           left join antraege a on a.nr = o.antrag_nr
           left join betriebe b on b.id = a.betrieb_id
           where o.status = 'failed' and o.created_at >= $1 and o.created_at < $2
           group by grouping sets ((b.gewerk), (case when b.id is not null then b.hauptsitz_id is null end), ())"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in mails {
        if let Some(f) = figures_of(&mut out, r.by_gewerk, r.by_hauptsitz, r.gewerk, r.hauptsitz) {
            f.mails_failed = r.n;
        }
    }

    for_each_group!(
        conn,
        out,
        r#"count(*) as "n!",
                  percentile_cont(0.5) within group (order by extract(epoch from z.since - a.sent_at)::float8) / 3600 as "median_hours",
                  percentile_cont(0.9) within group (order by extract(epoch from z.since - a.sent_at)::float8) / 3600 as "p90_hours",
                  count(distinct z.betrieb_id) filter (where not exists (
                      select 1 from zuordnungen f where f.betrieb_id = z.betrieb_id and f.since < $1)) as "newly_linked!"
           from zuordnungen z
           join antraege a on a.nr = z.antrag_nr
           join betriebe b on b.id = z.betrieb_id
           where z.since >= $1 and z.since < $2"#,
        from, to;
        |f, r| {
            f.zuordnungen = r.n;
            f.median_hours_to_zuordnung = r.median_hours;
            f.p90_hours_to_zuordnung = r.p90_hours;
            f.betriebe_newly_linked = r.newly_linked;
        }
    );
    Ok(out)
}

/// One month of the "last 12 months by outcome" chart: decisions taken in that month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthOutcomes {
    pub month: super::Month,
    pub received: i64,
    pub approved_by_portal: i64,
    pub approved_by_clerk: i64,
    pub withdrawn: i64,
    pub rejected: i64,
    pub expired: i64,
}

/// How many counts a month of the series has, after its label column.
pub const OUTCOME_COLUMNS: usize = 6;

impl MonthOutcomes {
    /// The counts in the order of the series' columns ([`super::SERIES_HEADER`] after
    /// Monat), for the CSV and kammerctl's table alike.
    pub fn columns(&self) -> [i64; OUTCOME_COLUMNS] {
        [
            self.received,
            self.approved_by_portal,
            self.approved_by_clerk,
            self.withdrawn,
            self.rejected,
            self.expired,
        ]
    }
}

pub(super) async fn series(
    conn: &mut PgConnection,
    last: super::Month,
    months: u32,
) -> Result<Vec<MonthOutcomes>> {
    let first = last.minus(months - 1);
    let rows = sqlx::query!(
        r#"select to_char(e.at at time zone 'Europe/Berlin', 'YYYY-MM') as "month!",
                  count(*) filter (where e.action = 'requested') as "received!",
                  count(*) filter (where e.action = 'approved' and e.actor_kind = 'system') as "approved_by_portal!",
                  count(*) filter (where e.action = 'approved' and e.actor_kind <> 'system') as "approved_by_clerk!",
                  count(*) filter (where e.action = 'withdrawn') as "withdrawn!",
                  count(*) filter (where e.action = 'rejected') as "rejected!",
                  count(*) filter (where e.action = 'expired') as "expired!"
           from audit_events e
           where e.at >= $1 and e.at < $2
             and e.action in ('requested', 'approved', 'withdrawn', 'rejected', 'expired')
           group by 1"#,
        first.start(),
        last.end()
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((0..months)
        .rev()
        .map(|back| {
            let month = last.minus(back);
            let label = month.to_string();
            match rows.iter().find(|r| r.month == label) {
                Some(r) => MonthOutcomes {
                    month,
                    received: r.received,
                    approved_by_portal: r.approved_by_portal,
                    approved_by_clerk: r.approved_by_clerk,
                    withdrawn: r.withdrawn,
                    rejected: r.rejected,
                    expired: r.expired,
                },
                None => MonthOutcomes {
                    month,
                    received: 0,
                    approved_by_portal: 0,
                    approved_by_clerk: 0,
                    withdrawn: 0,
                    rejected: 0,
                    expired: 0,
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIGURE_KEYS names each column of `columns()` by its field: a figure with a distinct
    /// value in every field must show that value under its own name.
    #[test]
    fn the_keys_name_the_columns_in_order() {
        let mut json = serde_json::Map::new();
        for (i, key) in FIGURE_KEYS.iter().enumerate() {
            json.insert(key.to_string(), serde_json::json!(i as i64 + 1));
        }
        let figures: Figures =
            serde_json::from_value(serde_json::Value::Object(json)).expect("every key a field");
        let serialized = serde_json::to_value(&figures).unwrap();
        assert_eq!(
            serialized.as_object().unwrap().len(),
            FIGURE_COLUMNS,
            "a field without a key"
        );
        for (i, column) in figures.columns().into_iter().enumerate() {
            let want = i as i64 + 1;
            match column {
                Figure::Count(n) => assert_eq!(n, want, "{}", FIGURE_KEYS[i]),
                Figure::Hours(h) => assert_eq!(h, Some(want as f64), "{}", FIGURE_KEYS[i]),
            }
        }
    }
}

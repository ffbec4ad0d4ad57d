//! Anträge zur Zuordnung as clerks see them: the queue with keyset paging, one Antrag with
//! its whole history, and the decisions a clerk takes.

mod actions;
mod decisions;
mod query;
pub(crate) mod transition;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

pub use actions::{ActionState, AntragAction, ApprovalState, StartStates, available};
pub use decisions::{ApprovalOutcome, Approved, approve, reject, withdraw};
pub use query::AntragQuery;

use crate::audit::{self, AuditEntry};
use crate::auth::{ClerkConnection, Session};
use crate::betriebe::{check_search_length, escape_like};
use crate::codes::{self, CodeInfo};
use crate::domain::{AntragNr, AntragStatus, Betriebsnummer, by_name_or_label};
use crate::{Error, Result};

/// One row of the queue; also the row of the CSV export.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntragSummary {
    pub nr: i64,
    pub sent_at: DateTime<Utc>,
    pub status: AntragStatus,
    pub status_label: &'static str,
    pub betrieb_id: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    /// `None` for a Hauptsitz; for a Filiale the Betriebsnummer of its Hauptsitz (the
    /// export's „Hauptsitz/Filiale“).
    pub hauptsitz: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub codes_sent: i64,
    pub last_code_sent_at: Option<DateTime<Utc>>,
    /// Delivery status of the newest code mail: queued, sent, failed or cancelled.
    pub delivery_status: Option<String>,
    /// Why that mail was cancelled (superseded, decided, expired, address_changed).
    pub delivery_cancel_reason: Option<String>,
    /// A Sachbearbeitung clerk asked to approve without the code; a second one must confirm.
    pub awaiting_second_approval: bool,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// The queue: oldest first, so nothing waits forever.
    #[default]
    OldestFirst,
    NewestFirst,
    /// By Betriebsnummer, and a Betrieb's Anträge oldest first: the hotline's view of who
    /// asked for the same Betrieb.
    BetriebAscending,
    /// The exact reverse: Betriebsnummer descending, a Betrieb's Anträge newest first.
    BetriebDescending,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        SortOrder::OldestFirst,
        SortOrder::NewestFirst,
        SortOrder::BetriebAscending,
        SortOrder::BetriebDescending,
    ];

    /// The name on the wire, in the export's record and in `kammerctl --order`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::OldestFirst => "oldest_first",
            SortOrder::NewestFirst => "newest_first",
            SortOrder::BetriebAscending => "betrieb_ascending",
            SortOrder::BetriebDescending => "betrieb_descending",
        }
    }

    /// The queue's „Sortierung“ in words.
    pub fn label_de(self) -> &'static str {
        match self {
            SortOrder::OldestFirst => "Älteste zuerst",
            SortOrder::NewestFirst => "Neueste zuerst",
            SortOrder::BetriebAscending => "Betriebsnummer aufsteigend",
            SortOrder::BetriebDescending => "Betriebsnummer absteigend",
        }
    }

    /// Accepts the machine name or the German label, case-insensitively.
    pub fn parse(input: &str) -> Result<Self> {
        by_name_or_label(Self::ALL, input, |o| (o.as_str(), o.label_de())).ok_or_else(|| {
            Error::validation(format!(
                "Unbekannte Sortierung „{}“. Möglich sind: {}.",
                input.trim(),
                Self::ALL.map(|o| o.as_str()).join(", ")
            ))
        })
    }

    fn by_betrieb(self) -> bool {
        matches!(
            self,
            SortOrder::BetriebAscending | SortOrder::BetriebDescending
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct AntragFilter {
    /// Empty: every status.
    pub statuses: Vec<AntragStatus>,
    /// Sent at or after.
    pub from: Option<DateTime<Utc>>,
    /// Sent before (exclusive). [`AntragQuery`] sets it to the end of the last day given.
    pub to: Option<DateTime<Utc>>,
    pub betriebsnummer: Option<Betriebsnummer>,
    /// The list's search box: part of the Firmenname, Inhaber, the Betrieb's or the
    /// requester's name or e-mail, the beginning of a Betriebsnummer, or an Antrag Nr.
    /// Case does not matter; blank means no search.
    pub search: Option<String>,
    pub order: SortOrder,
}

impl AntragFilter {
    /// The search as the query needs it: trimmed, lower-cased, LIKE-escaped; `None` when blank.
    fn search_needle(&self) -> Result<Option<String>> {
        let Some(search) = self.search.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if search.is_empty() {
            return Ok(None);
        }
        check_search_length(search)?;
        Ok(Some(escape_like(&search.to_lowercase())))
    }

    fn statuses(&self) -> Vec<String> {
        self.statuses
            .iter()
            .map(|s| s.as_str().to_string())
            .collect()
    }

    fn betriebsnummer(&self) -> Option<String> {
        self.betriebsnummer.as_ref().map(|b| b.as_str().to_string())
    }
}

/// Where a page ends: the (sent_at, nr) of its last row, and its Betriebsnummer when the
/// list is sorted by Betrieb. Opaque text for the UI and CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    sent_at: DateTime<Utc>,
    nr: i64,
    betriebsnummer: Option<String>,
}

impl Cursor {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::validation("Die Seitenmarke ist ungültig. Bitte die Liste neu laden.");
        let mut parts = s.splitn(3, '.');
        let micros: i64 = parts.next().unwrap_or("").parse().map_err(|_| bad())?;
        let nr: i64 = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let betriebsnummer = parts
            .next()
            .map(|n| Betriebsnummer::parse(n).map(|n| n.as_str().to_string()))
            .transpose()
            .map_err(|_| bad())?;
        Ok(Cursor {
            sent_at: DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
            nr,
            betriebsnummer,
        })
    }

    fn of(row: &AntragSummary, order: SortOrder) -> Cursor {
        Cursor {
            sent_at: row.sent_at,
            nr: row.nr,
            betriebsnummer: order.by_betrieb().then(|| row.betriebsnummer.clone()),
        }
    }

    /// A cursor from a page of another order cannot continue this one.
    fn fits(&self, order: SortOrder) -> Result<()> {
        if self.betriebsnummer.is_some() == order.by_betrieb() {
            Ok(())
        } else {
            Err(Error::validation(
                "Die Seitenmarke gehört zu einer anderen Sortierung. Bitte die Liste neu laden.",
            ))
        }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.sent_at.timestamp_micros(), self.nr)?;
        match &self.betriebsnummer {
            Some(n) => write!(f, ".{n}"),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntragPage {
    pub rows: Vec<AntragSummary>,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

struct SummaryRow {
    nr: i64,
    sent_at: DateTime<Utc>,
    status: String,
    betrieb_id: i64,
    betriebsnummer: String,
    firmenname: String,
    hauptsitz: Option<String>,
    requester_name: String,
    requester_email: String,
    codes_sent: i64,
    last_code_sent_at: Option<DateTime<Utc>>,
    delivery_status: Option<String>,
    delivery_cancel_reason: Option<String>,
    awaiting_second_approval: bool,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
    decision_reason: Option<String>,
}

impl TryFrom<SummaryRow> for AntragSummary {
    type Error = Error;
    fn try_from(r: SummaryRow) -> Result<Self> {
        let status = AntragStatus::from_db(&r.status)?;
        Ok(AntragSummary {
            nr: r.nr,
            sent_at: r.sent_at,
            status,
            status_label: status.label_de(),
            betrieb_id: r.betrieb_id,
            betriebsnummer: r.betriebsnummer,
            firmenname: r.firmenname,
            hauptsitz: r.hauptsitz,
            requester_name: r.requester_name,
            requester_email: r.requester_email,
            codes_sent: r.codes_sent,
            last_code_sent_at: r.last_code_sent_at,
            delivery_status: r.delivery_status,
            delivery_cancel_reason: r.delivery_cancel_reason,
            awaiting_second_approval: r.awaiting_second_approval,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            decision_reason: r.decision_reason,
        })
    }
}

/// The list query for every order; only the keyset comparison (`$keyset`, the rows after the
/// cursor) and the order differ. Sorted by Betrieb, the cursor's Betriebsnummer is `$9`; the
/// extra `b.betriebsnummer >= $9` lets PostgreSQL start its walk of the Betriebe there.
macro_rules! summary_query {
    ($tag:literal, $keyset:literal, $order:literal, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            SummaryRow,
            "/* hot:antrag_summary " + $tag + r#" */ select a.nr, a.sent_at, a.status, a.betrieb_id, b.betriebsnummer, b.firmenname,
                      hb.betriebsnummer as "hauptsitz?",
                      acc.name as requester_name, acc.email as requester_email,
                      cs.codes_sent as "codes_sent!", cs.last_sent as last_code_sent_at,
                      d.status as "delivery_status?", d.cancel_reason as "delivery_cancel_reason?",
                      a.approval_requested_by is not null as "awaiting_second_approval!",
                      cl.display_name as "decided_by?", a.decided_at, a.decision_reason
               from antraege a
               join betriebe b on b.id = a.betrieb_id
               left join betriebe hb on hb.id = b.hauptsitz_id
               join accounts acc on acc.id = a.account_id
               left join clerks cl on cl.id = a.decided_by
               cross join lateral (
                   select count(*) as codes_sent, max(c.issued_at) as last_sent
                   from confirmation_codes c where c.antrag_nr = a.nr) cs
               left join lateral (
                   select o.status, o.cancel_reason from confirmation_codes c join mail_outbox o on o.id = c.outbox_id
                   where c.antrag_nr = a.nr order by c.issued_at desc, c.id desc limit 1) d on true
               where (cardinality($1::text[]) = 0 or a.status = any($1))
                 and ($2::timestamptz is null or a.sent_at >= $2)
                 and ($3::timestamptz is null or a.sent_at < $3)
                 and ($4::text is null or b.betriebsnummer = $4)
                 and ($5::timestamptz is null or "# + $keyset + r#")
                 and kammer_antrag_matches($8, a.nr, b.betriebsnummer, b.search_text, acc.name, acc.email)
               order by "# + $order + r#"
               limit $7"#,
            $($arg),*
        )
    };
}

/// The most rows one page of the queue returns, whatever the caller asks for (the only clamp:
/// the desk and kammerctl pass their wish through).
pub const MAX_PAGE: i64 = 1000;

/// The list query in `order`, its rows after `after` (none: from the start), handed to
/// `then` as `q`. One statement per order, because each needs its own keyset comparison and
/// ORDER BY; each arm's query has a type of its own (sqlx maps rows with a closure), so the
/// caller's `then` is written into every arm.
macro_rules! summary_in_order {
    ($order:expr, $filter:expr, $statuses:expr, $betriebsnummer:expr, $needle:expr, $after:expr, $limit:expr, |$q:ident| $then:expr) => {{
        let after: Option<&Cursor> = $after;
        let (at, nr) = (after.map(|c| c.sent_at), after.map(|c| c.nr));
        let after_betrieb = after.and_then(|c| c.betriebsnummer.clone());
        let f: &AntragFilter = $filter;
        match $order {
            SortOrder::OldestFirst => {
                let $q = summary_query!(
                    "> asc",
                    "(a.sent_at, a.nr) > ($5, $6)",
                    "a.sent_at asc, a.nr asc",
                    $statuses,
                    f.from,
                    f.to,
                    $betriebsnummer,
                    at,
                    nr,
                    $limit,
                    $needle
                );
                $then
            }
            SortOrder::NewestFirst => {
                let $q = summary_query!(
                    "< desc",
                    "(a.sent_at, a.nr) < ($5, $6)",
                    "a.sent_at desc, a.nr desc",
                    $statuses,
                    f.from,
                    f.to,
                    $betriebsnummer,
                    at,
                    nr,
                    $limit,
                    $needle
                );
                $then
            }
            SortOrder::BetriebAscending => {
                let $q = summary_query!(
                    "betrieb asc",
                    "b.betriebsnummer >= $9 and (b.betriebsnummer, a.sent_at, a.nr) > ($9, $5, $6)",
                    "b.betriebsnummer asc, a.sent_at asc, a.nr asc",
                    $statuses,
                    f.from,
                    f.to,
                    $betriebsnummer,
                    at,
                    nr,
                    $limit,
                    $needle,
                    after_betrieb
                );
                $then
            }
            SortOrder::BetriebDescending => {
                let $q = summary_query!(
                    "betrieb desc",
                    "b.betriebsnummer <= $9 and (b.betriebsnummer, a.sent_at, a.nr) < ($9, $5, $6)",
                    "b.betriebsnummer desc, a.sent_at desc, a.nr desc",
                    $statuses,
                    f.from,
                    f.to,
                    $betriebsnummer,
                    at,
                    nr,
                    $limit,
                    $needle,
                    after_betrieb
                );
                $then
            }
        }
    }};
}

pub async fn list(
    session: &Session,
    filter: &AntragFilter,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<AntragPage> {
    if let Some(cursor) = after {
        cursor.fits(filter.order)?;
    }
    let mut conn = session.read_connection().await?;
    let limit = limit.clamp(1, MAX_PAGE);
    let (statuses, betriebsnummer, needle) = (
        filter.statuses(),
        filter.betriebsnummer(),
        filter.search_needle()?,
    );
    // One row more than asked tells whether another page follows.
    let rows = summary_in_order!(
        filter.order,
        filter,
        &statuses,
        betriebsnummer,
        needle,
        after,
        limit + 1,
        |q| q.fetch_all(&mut conn).await?
    );
    let mut rows: Vec<AntragSummary> = rows
        .into_iter()
        .map(AntragSummary::try_from)
        .collect::<Result<_>>()?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor::of(r, filter.order).to_string())
    } else {
        None
    };
    Ok(AntragPage { rows, next })
}

/// Every row the list shows for `filter`, across all pages, handed to `row` one at a time
/// as PostgreSQL sends them: the export's source. It is the list's own query in one
/// statement, so the export holds exactly what the screen shows, from one consistent
/// snapshot, and memory stays flat however many rows match. `row` returns `false` to stop.
/// Callers authorise.
pub(crate) async fn for_each_summary(
    conn: &mut PgConnection,
    filter: &AntragFilter,
    mut row: impl FnMut(AntragSummary) -> Result<bool>,
) -> Result<()> {
    let (statuses, betriebsnummer, needle) = (
        filter.statuses(),
        filter.betriebsnummer(),
        filter.search_needle()?,
    );
    let mut rows = summary_in_order!(
        filter.order,
        filter,
        &statuses,
        betriebsnummer,
        needle,
        None,
        i64::MAX,
        |q| q.fetch(&mut *conn)
    );
    while let Some(r) = rows.try_next().await? {
        if !row(r.try_into()?)? {
            break;
        }
    }
    Ok(())
}

/// The text of the list query in `order`, for the benchmarks to hand the very same SELECT
/// to pgbench and `psql \copy`. Parameters stay as `$1`…`$8` (statuses, from, to,
/// Betriebsnummer, after-time, after-nr, limit, search), and `$9` (after-Betriebsnummer)
/// when sorted by Betrieb.
pub fn summary_sql(order: SortOrder) -> String {
    use sqlx::Execute;
    let statuses: Vec<String> = Vec::new();
    summary_in_order!(
        order,
        &AntragFilter::default(),
        &statuses,
        None::<String>,
        None::<String>,
        None,
        0i64,
        |q| q.sql().as_str().to_string()
    )
}

/// How many Anträge per status match the filter (ignoring its status part): the queue's tabs.
pub async fn count_by_status(
    session: &Session,
    filter: &AntragFilter,
) -> Result<Vec<(AntragStatus, i64)>> {
    let mut conn = session.connection().await?;
    let (betriebsnummer, needle) = (filter.betriebsnummer(), filter.search_needle()?);
    let unfiltered = filter.from.is_none() && filter.to.is_none();
    let rows: Vec<(String, i64)> = if betriebsnummer.is_none() && needle.is_none() && unfiltered {
        // The queue's usual case, asked again by every open desk on each change: the counts
        // the trigger keeps (migration 20261129000001), instead of counting millions of rows.
        compact_status_counts(&mut conn).await?;
        sqlx::query!(
            r#"select status, sum(n)::bigint as "n!"
               from antrag_status_counts group by status"#
        )
        .fetch_all(&mut conn)
        .await?
        .into_iter()
        .map(|r| (r.status, r.n))
        .collect()
    } else if betriebsnummer.is_none() && needle.is_none() {
        // Only a period: no join and no text match per row, which for all of five million
        // Anträge made 2.3 s of 0.3–0.6 s.
        sqlx::query!(
            r#"select status, count(*) as "n!" from antraege
               where ($1::timestamptz is null or sent_at >= $1)
                 and ($2::timestamptz is null or sent_at < $2)
               group by status"#,
            filter.from,
            filter.to
        )
        .fetch_all(&mut conn)
        .await?
        .into_iter()
        .map(|r| (r.status, r.n))
        .collect()
    } else {
        sqlx::query!(
            r#"select a.status, count(*) as "n!"
               from antraege a
               join betriebe b on b.id = a.betrieb_id
               join accounts acc on acc.id = a.account_id
               where ($1::timestamptz is null or a.sent_at >= $1)
                 and ($2::timestamptz is null or a.sent_at < $2)
                 and ($3::text is null or b.betriebsnummer = $3)
                 and kammer_antrag_matches($4, a.nr, b.betriebsnummer, b.search_text, acc.name, acc.email)
               group by a.status"#,
            filter.from,
            filter.to,
            betriebsnummer,
            needle
        )
        .fetch_all(&mut conn)
        .await?
        .into_iter()
        .map(|r| (r.status, r.n))
        .collect()
    };
    let mut counts: Vec<(AntragStatus, i64)> = AntragStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for (status, n) in rows {
        let status = AntragStatus::from_db(&status)?;
        if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == status) {
            entry.1 = n;
        }
    }
    Ok(counts)
}

/// Folds the counts' appended rows into one per status once there are many of them, so that
/// summing them stays a read of a few rows.
async fn compact_status_counts(conn: &mut ClerkConnection) -> Result<()> {
    let rows = sqlx::query_scalar!(
        r#"select count(*) as "n!" from (select 1 from antrag_status_counts limit 65) r"#
    )
    .fetch_one(&mut *conn)
    .await?;
    if rows > 64 {
        sqlx::query!("select kammer_api.compact_status_counts()")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Everything about one Antrag: the portal's header, requester, Betrieb, codes and history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntragDetail {
    pub summary: AntragSummary,
    pub kind: String,
    pub account_id: i64,
    pub requester_email_confirmed_at: Option<DateTime<Utc>>,
    pub betriebsnummer_entered: String,
    pub firmenname_entered: String,
    pub betrieb_email: String,
    pub code_confirmed_at: Option<DateTime<Utc>>,
    /// The first of two confirmations of an approval without the code, while the second is due.
    pub approval_request: Option<ApprovalRequest>,
    /// What the clerk must know first, e.g. „E-Mail-Adresse in der Handwerksrolle geändert
    /// am …: neuer Code nötig“.
    pub notice: Option<String>,
    pub codes: Vec<CodeInfo>,
    pub history: Vec<AuditEntry>,
}

/// „Bestätigung ohne Code angefragt von …“: who asked, when and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApprovalRequest {
    pub clerk_id: i64,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

pub async fn show(session: &Session, nr: AntragNr) -> Result<AntragDetail> {
    let mut conn = session.connection().await?;
    let extra = sqlx::query!(
        r#"/* hot:antrag_detail */ select a.kind, a.account_id, acc.email_confirmed_at, a.betriebsnummer_entered, a.firmenname_entered,
                b.email as betrieb_email, a.code_confirmed_at, a.sent_at,
                a.approval_requested_by, a.approval_requested_at, a.approval_request_reason,
                rq.display_name as "approval_requested_by_name?"
         from antraege a join betriebe b on b.id = a.betrieb_id join accounts acc on acc.id = a.account_id
         left join clerks rq on rq.id = a.approval_requested_by
         where a.nr = $1"#,
        nr.get()
    )
    .fetch_optional(&mut conn)
    .await?
    .ok_or_else(|| transition::not_found(nr))?;
    // The summary is the queue row of this Antrag: the same query, so both always agree.
    let row = summary_query!(
        ">= asc",
        "(a.sent_at, a.nr) >= ($5, $6)",
        "a.sent_at asc, a.nr asc",
        &Vec::<String>::new(),
        None::<DateTime<Utc>>,
        None::<DateTime<Utc>>,
        None::<String>,
        Some(extra.sent_at),
        Some(nr.get()),
        1i64,
        None::<String>
    )
    .fetch_one(&mut conn)
    .await?;
    let approval_request = match (extra.approval_requested_by, extra.approval_requested_at) {
        (Some(clerk_id), Some(at)) => Some(ApprovalRequest {
            clerk_id,
            by: extra.approval_requested_by_name.unwrap_or_default(),
            at,
            reason: extra.approval_request_reason,
        }),
        _ => None,
    };
    let codes = codes::codes_of(&mut conn, nr).await?;
    let summary: AntragSummary = row.try_into()?;
    let notice = (summary.status == AntragStatus::AwaitingCode)
        .then(|| codes::address_changed_notice(&codes))
        .flatten();
    Ok(AntragDetail {
        summary,
        kind: extra.kind,
        account_id: extra.account_id,
        requester_email_confirmed_at: extra.email_confirmed_at,
        betriebsnummer_entered: extra.betriebsnummer_entered,
        firmenname_entered: extra.firmenname_entered,
        betrieb_email: extra.betrieb_email,
        code_confirmed_at: extra.code_confirmed_at,
        approval_request,
        notice,
        codes,
        history: audit::history(&mut conn, nr).await?,
    })
}

/// An Antrag as the desk shows it: everything about it, and what the clerk may do now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AntragView {
    pub detail: AntragDetail,
    pub actions: Vec<ActionState>,
    /// When the policy allows the next code, if not now.
    pub resend_available_at: Option<DateTime<Utc>>,
}

pub async fn view(session: &Session, nr: AntragNr) -> Result<AntragView> {
    let detail = show(session, nr).await?;
    let (role, permissions) = session.current_rights().await?;
    let status = detail.summary.status;
    let resend_available_at = if status == AntragStatus::AwaitingCode {
        codes::next_send_at(session, nr).await?
    } else {
        None
    };
    let approval = detail.approval_request.as_ref().map(|r| ApprovalState {
        requested_by_me: r.clerk_id == session.clerk_id,
    });
    let start = StartStates::read(session).await?;
    Ok(AntragView {
        actions: available(
            role,
            &permissions,
            status,
            &start,
            resend_available_at,
            approval,
        ),
        detail,
        resend_available_at,
    })
}

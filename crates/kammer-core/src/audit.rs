//! The append-only audit log. Events are written by the database functions themselves, in
//! the transaction of the change they record (`kammer_internal.audit`), with the session's
//! login, which no caller can fake; writing one also notifies listeners (`LISTEN
//! kammer_changes`), so every desk sees every committed change, and none that was rolled back.
//! Here: reading it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::auth::{ClerkConnection, Session};
use crate::betriebe;
use crate::domain::{AntragNr, Betriebsnummer, GermanDay, given};

/// The channel desks `LISTEN` on; the payload is a [`Change`] as JSON.
pub const CHANGES_CHANNEL: &str = "kammer_changes";

/// What one notification on [`CHANGES_CHANNEL`] says: enough for a desk to decide whether
/// the screen it shows is affected. A change touching many Anträge at once (the expiry
/// job) names none, which tells a desk to reload whatever it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    pub action: String,
    pub antrag_nr: Option<i64>,
    pub betrieb_id: Option<i64>,
}

/// One line of the Protokoll.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    /// Clerk display name, account name, or "System".
    pub actor: String,
    /// The PostgreSQL login that did it (the clerk's own, or a service's).
    pub login: String,
    pub action: String,
    pub antrag_nr: Option<i64>,
    pub betrieb_id: Option<i64>,
    pub details: serde_json::Value,
}

/// The Protokoll's filters as a clerk types them (the desk sends them over IPC), parsed
/// once, here, into an [`AuditFilter`]. Days are German calendar days (`YYYY-MM-DD`), both
/// included; blank text is no filter.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditQuery {
    pub antrag: Option<i64>,
    pub betriebsnummer: Option<String>,
    /// A clerk's user name.
    pub clerk: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Paging: entries older than this one.
    pub before_id: Option<i64>,
    pub limit: i64,
}

impl AuditQuery {
    /// The filter [`list`] takes. A Betriebsnummer is looked up (an unknown one is
    /// `not_found`), so the session is needed.
    pub async fn to_filter(&self, session: &Session) -> Result<AuditFilter> {
        let day = |d: &Option<String>| given(d).map(GermanDay::parse).transpose();
        let betrieb_id = match given(&self.betriebsnummer) {
            Some(n) => Some(
                betriebe::by_nummer(session, &Betriebsnummer::parse(n)?)
                    .await?
                    .id,
            ),
            None => None,
        };
        Ok(AuditFilter {
            antrag: self
                .antrag
                .map(|n| AntragNr::parse(&n.to_string()))
                .transpose()?,
            betrieb_id,
            clerk_username: given(&self.clerk).map(str::to_lowercase),
            action: given(&self.action).map(str::to_owned),
            from: day(&self.from)?.map(GermanDay::start),
            to: day(&self.to)?.map(GermanDay::end),
            before_id: self.before_id,
            limit: self.limit,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub antrag: Option<AntragNr>,
    pub betrieb_id: Option<i64>,
    pub clerk_username: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Keyset: entries with an id below this one (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// An [`AuditEntry`] is read alike everywhere (above all who the actor was), so the Protokoll
/// and an Antrag's history never name one event differently. `query_as!` takes only literal
/// SQL: the shared part is spliced in between `$marker` (the hot-path tag or nothing)
/// and `$filter`, the `where` and `order by` of each query.
macro_rules! audit_entries {
    ($marker:literal, $filter:literal, $($arg:expr),+ $(,)?) => {
        sqlx::query_as!(
            AuditEntry,
            $marker + r#"select e.id as "id!", e.at as "at!", e.actor_kind as "actor_kind!",
                  coalesce(c.display_name, a.name, 'System') as "actor!", e.login as "login!",
                  e.action as "action!", e.antrag_nr, e.betrieb_id, e.details as "details!"
           from audit_events e
           left join clerks c on c.id = e.clerk_id
           left join accounts a on a.id = e.account_id
           "# + $filter,
            $($arg),+
        )
    };
}

pub async fn list(session: &Session, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut conn = session.connection().await?;
    let rows = audit_entries!(
        "",
        r#"where ($1::bigint is null or e.antrag_nr = $1)
             and ($2::bigint is null or e.betrieb_id = $2)
             and ($3::text is null or c.username = $3)
             and ($4::text is null or e.action = $4)
             and ($5::timestamptz is null or e.at >= $5)
             and ($6::timestamptz is null or e.at < $6)
             and ($7::bigint is null or e.id < $7)
           order by e.id desc
           limit $8"#,
        filter.antrag.map(AntragNr::get),
        filter.betrieb_id,
        filter.clerk_username,
        filter.action,
        filter.from,
        filter.to,
        filter.before_id,
        filter.limit.clamp(1, 1000)
    )
    .fetch_all(&mut conn)
    .await?;
    Ok(rows)
}

/// [`history`]'s statement, whose text [`history_sql`] hands to the scale benchmark.
macro_rules! history_query {
    ($nr:expr) => {
        audit_entries!(
            "/* hot:history */ ",
            r#"where e.antrag_nr = $1
           order by e.id"#,
            $nr
        )
    };
}

/// The text of [`history`]'s statement, for the scale benchmark to hand the very same SELECT
/// to pgbench (the macro splices it, so it is no single literal in this file).
pub fn history_sql() -> String {
    use sqlx::Execute;
    history_query!(0i64).sql().as_str().to_string()
}

/// The whole history of one Antrag, oldest first. Callers have authorised already.
pub(crate) async fn history(
    conn: &mut ClerkConnection,
    antrag: AntragNr,
) -> Result<Vec<AuditEntry>> {
    let rows = history_query!(antrag.get()).fetch_all(&mut *conn).await?;
    Ok(rows)
}

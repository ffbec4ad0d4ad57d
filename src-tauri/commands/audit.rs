//! The Protokoll.

use kammer_core::audit::{self, AuditEntry, AuditFilter};
use kammer_core::betriebe;
use kammer_core::domain::{AntragNr, Betriebsnummer, GermanDay};
use kammer_core::error::ErrorBody;
use serde::Deserialize;
use tauri::State;

use super::{CommandResult, signed_in};
use crate::session::SessionState;

/// The Protokoll's filters as the screen holds them; days are German days, both included.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_audit(
    session: State<'_, SessionState>,
    query: AuditQuery,
) -> CommandResult<Vec<AuditEntry>> {
    let session = signed_in(&session).await?;
    let day = |d: &Option<String>| {
        given(d)
            .map(GermanDay::parse)
            .transpose()
            .map_err(ErrorBody::from)
    };
    let betrieb_id = match given(&query.betriebsnummer) {
        Some(n) => {
            let nummer = Betriebsnummer::parse(n)?;
            Some(betriebe::by_nummer(&session, &nummer).await?.id)
        }
        None => None,
    };
    let filter = AuditFilter {
        antrag: query
            .antrag
            .map(|n| AntragNr::parse(&n.to_string()))
            .transpose()?,
        betrieb_id,
        clerk_username: given(&query.clerk).map(str::to_lowercase),
        action: given(&query.action).map(str::to_owned),
        from: day(&query.from)?.map(GermanDay::start),
        to: day(&query.to)?.map(GermanDay::end),
        before_id: query.before_id,
        limit: query.limit,
    };
    Ok(audit::list(&session, &filter).await?)
}

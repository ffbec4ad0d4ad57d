//! What the imports did, for the desk's „Handwerksrolle“ section: the last imports, and the
//! gelöschte Betriebe whose Zuordnungen the Sachbearbeitung still has to review.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::Result;
use crate::auth::Session;
use crate::domain::Permission;

/// One applied import.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The clerk's name, or the import service's login.
    pub by: String,
    pub file_name: String,
    pub file_sha256: String,
    /// full or delta.
    pub mode: String,
    pub rows_in_file: i32,
    pub created: i32,
    pub changed: i32,
    pub email_changed: i32,
    pub removed: i32,
    pub unchanged: i32,
    pub skipped: i32,
    pub codes_retired: i32,
    pub antraege_closed: i32,
}

/// A gelöschter Betrieb that still has active Zuordnungen: the Sachbearbeitung decides
/// whether to revoke them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewItem {
    pub betrieb_id: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub geloescht_am: NaiveDate,
    pub active_zuordnungen: i64,
}

/// The most imports the list shows.
pub const MAX_IMPORTS: i64 = 50;

/// The last imports, newest first (Sachbearbeitung and Administration).
pub async fn recent_imports(session: &Session, limit: i64) -> Result<Vec<ImportRecord>> {
    session.require(Permission::RevokeZuordnung)?;
    let mut conn = session.read_connection().await?;
    Ok(sqlx::query_as!(
        ImportRecord,
        r#"select i.id, i.at, coalesce(c.display_name, i.login) as "by!", i.file_name, i.file_sha256, i.mode,
                  i.rows_in_file, i.created, i.changed, i.email_changed, i.removed, i.unchanged, i.skipped,
                  i.codes_retired, i.antraege_closed
           from handwerksrolle_imports i left join clerks c on c.id = i.clerk_id
           order by i.at desc, i.id desc
           limit $1"#,
        limit.clamp(1, MAX_IMPORTS)
    )
    .fetch_all(&mut conn)
    .await?)
}

/// Gelöschte Betriebe with active Zuordnungen, most recently gelöscht first.
pub async fn review_list(session: &Session) -> Result<Vec<ReviewItem>> {
    session.require(Permission::RevokeZuordnung)?;
    let mut conn = session.read_connection().await?;
    Ok(sqlx::query_as!(
        ReviewItem,
        r#"select b.id as betrieb_id, b.betriebsnummer, b.firmenname, b.geloescht_am as "geloescht_am!",
                  count(z.id) as "active_zuordnungen!"
           from betriebe b join zuordnungen z on z.betrieb_id = b.id and z.revoked_at is null
           where b.geloescht_am is not null
           group by b.id
           order by b.geloescht_am desc, b.betriebsnummer"#
    )
    .fetch_all(&mut conn)
    .await?)
}

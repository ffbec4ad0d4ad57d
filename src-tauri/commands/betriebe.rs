//! Suche and the Betrieb view.

use kammer_core::betriebe::{self, BetriebDetail, BetriebHit};
use kammer_core::domain::Betriebsnummer;
use kammer_core::zuordnungen;
use tauri::State;

use super::{CommandResult, signed_in};
use crate::session::SessionState;

#[tauri::command(rename_all = "snake_case")]
pub async fn search_betriebe(
    session: State<'_, SessionState>,
    query: String,
    limit: i64,
) -> CommandResult<Vec<BetriebHit>> {
    let session = signed_in(&session).await?;
    Ok(betriebe::search(&session, &query, limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn show_betrieb(
    session: State<'_, SessionState>,
    betriebsnummer: String,
) -> CommandResult<BetriebDetail> {
    let session = signed_in(&session).await?;
    let nummer = Betriebsnummer::parse(&betriebsnummer)?;
    Ok(betriebe::show(&session, &nummer).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_zuordnung(
    session: State<'_, SessionState>,
    zuordnung_id: i64,
    reason: String,
) -> CommandResult<()> {
    let session = signed_in(&session).await?;
    let reason = super::reason(&reason)?;
    Ok(zuordnungen::revoke(&session, zuordnung_id, &reason).await?)
}

//! Which database the desk works on: before sign-in the server it will sign in at (and
//! whether it answers), after sign-in the facts of the clerk's own connection.

use kammer_core::db::{self, DatabaseInfo};
use serde::Serialize;
use tauri::State;

use super::CommandResult;
use crate::database::{Database, ServerInfo};
use crate::session::SessionState;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectionInfo {
    pub server: ServerInfo,
    /// The clerk's connection, once signed in.
    pub signed_in: Option<DatabaseInfo>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connection_info(
    database: State<'_, Database>,
    session: State<'_, SessionState>,
) -> CommandResult<ConnectionInfo> {
    match session.current().await {
        Some(s) => Ok(ConnectionInfo {
            server: database.server()?,
            signed_in: Some(db::database_info(s.pool()).await?),
        }),
        None => Ok(ConnectionInfo {
            server: database.probe().await?,
            signed_in: None,
        }),
    }
}

//! Which database the desk works on, and a second try when it could not connect.

use kammer_core::db::{self, DatabaseInfo};
use tauri::State;

use super::{CommandResult, body};
use crate::database::Database;

#[tauri::command]
pub async fn connection_info(database: State<'_, Database>) -> CommandResult<DatabaseInfo> {
    let pool = database.pool().await.map_err(body)?;
    db::database_info(&pool).await.map_err(body)
}

#[tauri::command]
pub async fn reconnect(database: State<'_, Database>) -> CommandResult<DatabaseInfo> {
    let pool = database.reconnect().await.map_err(body)?;
    db::database_info(&pool).await.map_err(body)
}

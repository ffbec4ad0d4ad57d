//! Live refresh: every committed change (by any desk, the portal or `kammerctl`) is
//! notified on PostgreSQL's `kammer_changes` channel; this forwards each to the web view as
//! the `kammer-changed` event. It listens with the signed-in clerk's login and stops at
//! sign-out. `LISTEN` needs a direct connection (not a transaction pooler).

use std::time::Duration;

use kammer_core::audit::{CHANGES_CHANNEL, Change};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Runtime};

pub const EVENT: &str = "kammer-changed";

/// Listens on `pool`'s server until aborted (sign-out), reconnecting after a lost connection.
pub fn start<R: Runtime>(app: AppHandle<R>, pool: PgPool) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(e) = listen(&app, &pool).await {
                tracing::debug!("change listener: {e}");
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    })
}

/// Listens until the connection goes away.
async fn listen<R: Runtime>(app: &AppHandle<R>, pool: &PgPool) -> Result<(), String> {
    let mut listener = PgListener::connect_with(pool)
        .await
        .map_err(|e| e.to_string())?;
    listener
        .listen(CHANGES_CHANNEL)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("listening for changes");
    loop {
        let notification = listener.recv().await.map_err(|e| e.to_string())?;
        let change = parse(notification.payload());
        if let Err(e) = app.emit(EVENT, change) {
            tracing::warn!("change event not delivered to the window: {e}");
        }
    }
}

/// A payload from an older or foreign writer still tells the desk that something changed.
fn parse(payload: &str) -> Change {
    serde_json::from_str(payload).unwrap_or_else(|_| Change {
        action: "unknown".to_owned(),
        antrag_nr: None,
        betrieb_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_payload_still_reports_a_change() {
        assert_eq!(parse("not json").action, "unknown");
        let change = parse(r#"{"action":"approved","antrag_nr":178,"betrieb_id":7}"#);
        assert_eq!(change.antrag_nr, Some(178));
        assert_eq!(change.betrieb_id, Some(7));
    }
}

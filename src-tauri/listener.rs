//! Live refresh: every committed change (by any desk, the portal or `kammerctl`) is
//! notified on PostgreSQL's `kammer_changes` channel; this forwards each to the web view as
//! the `kammer-changed` event. `LISTEN` needs a direct connection (not a transaction pooler).

use std::time::Duration;

use kammer_core::audit::{CHANGES_CHANNEL, Change};
use sqlx::postgres::PgListener;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::database::Database;

pub const EVENT: &str = "kammer-changed";

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(e) = listen(&app).await {
                tracing::debug!("change listener: {e}");
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    });
}

/// Listens on the current pool until the connection or the pool goes away.
async fn listen<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    let pool = app
        .state::<Database>()
        .pool()
        .await
        .map_err(|e| e.message().to_owned())?;
    let mut listener = PgListener::connect_with(&pool)
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

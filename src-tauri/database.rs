//! The desk's one connection pool, or the reason there is none.

use std::sync::Arc;

use kammer_core::Error;
use sqlx::PgPool;
use tokio::sync::RwLock;

/// The local demo database that `kammerctl` sets up, for a desk started without configuration.
pub const DEMO_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/kammerdesk_demo";

/// `KAMMERDESK_DATABASE_URL` wins over the generic `DATABASE_URL` that sqlx tools also read,
/// so a clerk's desk can point elsewhere than a developer's shell.
pub fn url_from_env() -> String {
    ["KAMMERDESK_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| DEMO_DATABASE_URL.to_owned())
}

/// The slot is write-locked for as long as a connect is under way, so a command that needs
/// the pool waits for the outcome instead of seeing a half-started state.
pub struct Database {
    url: String,
    slot: Arc<RwLock<Result<PgPool, Error>>>,
}

impl Database {
    pub fn connect_in_background(url: String) -> Self {
        let slot = Arc::new(RwLock::new(Err(Error::unavailable(
            "Die Verbindung zur Datenbank wird noch aufgebaut.",
        ))));
        let mut guard = Arc::clone(&slot)
            .try_write_owned()
            .expect("a lock nobody else has seen is free");
        let target = url.clone();
        tauri::async_runtime::spawn(async move {
            *guard = connect(&target).await;
        });
        Database { url, slot }
    }

    pub async fn pool(&self) -> Result<PgPool, Error> {
        self.slot.read().await.clone()
    }

    /// Replaces the pool (or the error) with a fresh attempt. Concurrent calls queue on the
    /// lock, so a double click costs a second attempt, never a leaked pool.
    pub async fn reconnect(&self) -> Result<PgPool, Error> {
        let mut slot = self.slot.write().await;
        let fresh = connect(&self.url).await;
        if let Ok(old) = std::mem::replace(&mut *slot, fresh.clone()) {
            tauri::async_runtime::spawn(async move { old.close().await });
        }
        fresh
    }
}

async fn connect(url: &str) -> Result<PgPool, Error> {
    tracing::info!("connecting to the database");
    let result = kammer_core::db::connect(url).await;
    match &result {
        Ok(_) => tracing::info!("database connected"),
        Err(e) => tracing::warn!(
            kind = e.kind().as_str(),
            "database not connected: {}",
            e.message()
        ),
    }
    result
}

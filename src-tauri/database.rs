//! The desk's one connection pool, or the reason there is none.

use std::sync::Arc;

use kammer_core::Error;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tokio::sync::RwLock;

/// The local demo database that `kammerctl` sets up, for a desk started without configuration.
pub const DEMO_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/kammerdesk_demo";

/// `KAMMERDESK_DATABASE_URL`, for IT pinning a desk and for the end-to-end tests. The generic
/// `DATABASE_URL` of sqlx tools is deliberately ignored: a developer's shell must not point
/// a clerk's desk elsewhere.
pub fn url_from_env() -> Option<String> {
    std::env::var("KAMMERDESK_DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// Where to connect: an address from the environment, or the fields of the settings screen.
#[derive(Clone)]
pub enum Target {
    Url(String),
    Settings(Box<PgConnectOptions>),
}

/// The slot is write-locked for as long as a connect is under way, so a command that needs
/// the pool waits for the outcome instead of seeing a half-started state.
pub struct Database {
    target: std::sync::Mutex<Target>,
    slot: Arc<RwLock<Result<PgPool, Error>>>,
}

impl Database {
    pub fn connect_in_background(target: Target) -> Self {
        let slot = Arc::new(RwLock::new(Err(Error::unavailable(
            "Die Verbindung zur Datenbank wird noch aufgebaut.",
        ))));
        let mut guard = Arc::clone(&slot)
            .try_write_owned()
            .expect("a lock nobody else has seen is free");
        let first = target.clone();
        tauri::async_runtime::spawn(async move {
            *guard = connect(&first).await;
        });
        Database {
            target: std::sync::Mutex::new(target),
            slot,
        }
    }

    pub async fn pool(&self) -> Result<PgPool, Error> {
        self.slot.read().await.clone()
    }

    /// Connects elsewhere from now on (after the settings changed); call [`Self::reconnect`].
    pub fn retarget(&self, target: Target) {
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = target;
    }

    /// Replaces the pool (or the error) with a fresh attempt. Concurrent calls queue on the
    /// lock, so a double click costs a second attempt, never a leaked pool.
    pub async fn reconnect(&self) -> Result<PgPool, Error> {
        let mut slot = self.slot.write().await;
        let target = self
            .target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let fresh = connect(&target).await;
        if let Ok(old) = std::mem::replace(&mut *slot, fresh.clone()) {
            tauri::async_runtime::spawn(async move { old.close().await });
        }
        fresh
    }
}

async fn connect(target: &Target) -> Result<PgPool, Error> {
    tracing::info!("connecting to the database");
    let result = match target {
        Target::Url(url) => kammer_core::db::connect(url).await,
        Target::Settings(options) => kammer_core::db::connect_with((**options).clone()).await,
    };
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

//! Connecting, migrating, and the connection facts the desk shows in its title bar.

use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use crate::{Error, Result};

/// The migrations, embedded so that `kammerctl migrate` and the desk need no files beside them.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Opens a pool. Connection failures become `unavailable` with a message that names the
/// target, never the password.
pub async fn connect(url: &str) -> Result<PgPool> {
    let options: PgConnectOptions = url.parse().map_err(|_| {
        Error::validation("Die Datenbank-Adresse ist ungültig. Erwartet wird postgres://benutzer@host:port/datenbank.")
    })?;
    connect_with(options).await
}

/// [`connect`] for options built field by field, as the desk's settings screen does.
pub async fn connect_with(options: PgConnectOptions) -> Result<PgPool> {
    let options = options
        .application_name("kammerdesk")
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
    let target = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("?")
    );
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(4))
        // sqlx pings every connection before handing it out: one more round trip for each
        // operation, as long as the statement itself at a look-up. A connection that was in
        // use a moment ago is alive; only one idle for a while (a server restart, a NAT
        // timeout) is checked first.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= Duration::from_secs(10) {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| {
            tracing::warn!("cannot connect to {target}: {e}");
            match e {
                sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => {
                    Error::unavailable(format!("Die Datenbank {target} existiert nicht. Bitte zuerst einrichten (kammerctl migrate)."))
                }
                sqlx::Error::Database(db) if db.code().as_deref() == Some("28P01") || db.code().as_deref() == Some("28000") => {
                    Error::unavailable(format!("Die Datenbank {target} hat die Anmeldung abgelehnt. Bitte Benutzer und Passwort prüfen."))
                }
                _ => Error::unavailable(format!(
                    "Die Datenbank {target} ist nicht erreichbar. Bitte prüfen Sie die Verbindung und versuchen Sie es erneut."
                )),
            }
        })
}

pub async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// What the desk shows about the connection it works on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DatabaseInfo {
    pub database: String,
    pub user: String,
    pub server_version: String,
    pub host: String,
}

pub async fn database_info(pool: &PgPool) -> Result<DatabaseInfo> {
    let row = sqlx::query!(
        r#"select current_database() as "database!", current_user as "user!",
                  current_setting('server_version') as "server_version!",
                  coalesce(host(inet_server_addr()), 'lokaler Socket') as "host!""#
    )
    .fetch_one(pool)
    .await?;
    Ok(DatabaseInfo {
        database: row.database,
        user: row.user,
        server_version: row.server_version,
        host: row.host,
    })
}

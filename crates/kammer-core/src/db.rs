//! Connecting, migrating, and the connection facts the desk shows in its title bar.

use std::time::Duration;

use serde::Serialize;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres};

use crate::auth::Session;
use crate::domain::Permission;
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

/// Where look-ups and exports read. They only read, so past one server they can go to a
/// streaming replica and leave the primary to the writes. The permission check before a
/// read stays on the primary: a replica lags, and a clerk disabled a moment ago must be
/// refused now, not once the replica has caught up. A plain [`PgPool`] is one server for
/// both, as the desk has it.
pub trait ReadPool: Sync {
    /// Every write, and the permission check before a read.
    fn primary(&self) -> &PgPool;
    /// Look-ups and exports, when a replica is configured.
    fn replica(&self) -> Option<&PgPool> {
        None
    }
}

impl ReadPool for PgPool {
    fn primary(&self) -> &PgPool {
        self
    }
}

/// The primary and, for look-ups and exports, optionally a read replica
/// (`kammerctl --read-database-url`).
#[derive(Debug, Clone)]
pub struct Pools {
    pub primary: PgPool,
    pub replica: Option<PgPool>,
}

impl ReadPool for Pools {
    fn primary(&self) -> &PgPool {
        &self.primary
    }
    fn replica(&self) -> Option<&PgPool> {
        self.replica.as_ref()
    }
}

/// A pool whose every transaction is read-only. A replica refuses writes anyway; this makes
/// a read URL that points at the primary by mistake (or a PgBouncer in front of either)
/// refuse them just the same, so a write can only ever go through the primary's pool.
pub async fn connect_read_only(url: &str) -> Result<PgPool> {
    let options: PgConnectOptions = url.parse().map_err(|_| {
        Error::validation("Die Adresse der Lese-Datenbank ist ungültig. Erwartet wird postgres://benutzer@host:port/datenbank.")
    })?;
    connect_with(options.options([("default_transaction_read_only", "on")])).await
}

/// A connection to read from, handed out only once the primary has allowed `permission`.
/// Without a replica it is the very connection the check ran on, as before there were two.
pub(crate) async fn authorized_read(
    db: &impl ReadPool,
    session: &Session,
    permission: Permission,
) -> Result<PoolConnection<Postgres>> {
    let mut conn = db.primary().acquire().await?;
    session.authorize(&mut conn, permission).await?;
    match db.replica() {
        None => Ok(conn),
        Some(replica) => {
            // Back to the pool before waiting for the other one, so that eight look-ups at
            // once can never hold all of the primary's connections while they wait.
            drop(conn);
            Ok(replica.acquire().await?)
        }
    }
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

//! Connecting (clerks through [`crate::auth::sign_in`], services and setup here), migrating,
//! and the connection facts the desk shows in its title bar.

use std::time::Duration;

use serde::Serialize;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres};

use crate::{Error, Result};

/// The migrations, embedded so that `kammerctl migrate` and the desk need no files beside them.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Opens a pool. Connection failures become `unavailable` with a message that names the
/// target, never the password.
pub async fn connect(url: &str) -> Result<PgPool> {
    connect_with(parse_url(url)?).await
}

/// A pool whose every transaction is read-only: the read replica of look-ups and exports
/// (`kammerctl --read-database-url`). A replica refuses writes anyway; this makes a read URL
/// that points at the primary by mistake (or a PgBouncer in front of either) refuse them
/// just the same, so a write can only ever go through the primary's pool.
pub async fn connect_read_only(options: PgConnectOptions) -> Result<PgPool> {
    connect_with(options.options([("default_transaction_read_only", "on")])).await
}

/// The server part of a database address: host, port, database, TLS. Clerks add their own
/// login at sign-in; services and setup give it in the address.
pub fn parse_url(url: &str) -> Result<PgConnectOptions> {
    url.parse().map_err(|_| {
        Error::validation(
            "Die Datenbank-Adresse ist ungültig. Erwartet wird postgres://benutzer@host:port/datenbank.",
        )
    })
}

/// The system services, each a group of logins in the database (migrations/20261204000001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The Verwaltungsportal's interface (and `kammerctl portal`, the support tool).
    Portal,
    /// The mail sender, `kammerctl outbox run`: the only reader of codes.
    Mailer,
    /// Cron jobs: `kammerctl expire`, scheduled exports, the monthly report.
    Reporting,
    /// The Handwerksrolle import.
    Import,
}

impl Service {
    pub fn group(self) -> &'static str {
        match self {
            Service::Portal => "kammer_portal",
            Service::Mailer => "kammer_mailer",
            Service::Reporting => "kammer_reporting",
            Service::Import => "kammer_import",
        }
    }

    fn label_de(self) -> &'static str {
        match self {
            Service::Portal => "Portal-Schnittstelle",
            Service::Mailer => "E-Mail-Versand",
            Service::Reporting => "Berichte und Fristen",
            Service::Import => "Import der Handwerksrolle",
        }
    }
}

/// Connects as a service login and checks that it is one: a member of the service's group and
/// not a superuser (nothing runs with the keys to everything but migrations and setup).
pub async fn connect_service(options: PgConnectOptions, service: Service) -> Result<PgPool> {
    let pool = connect_with(options).await?;
    let row = sqlx::query!(
        r#"select current_user as "login!", pg_has_role(current_user, $1, 'MEMBER') as "member!",
                  (select rolsuper from pg_roles where rolname = current_user) as "superuser!""#,
        service.group()
    )
    .fetch_one(&pool)
    .await?;
    if row.superuser || !row.member {
        pool.close().await;
        return Err(Error::forbidden(format!(
            "Der Zugang „{}“ ist kein Dienst-Zugang für {} (Gruppe {}). {}",
            row.login,
            service.label_de(),
            service.group(),
            if row.superuser {
                "Dienste laufen nie als Superuser."
            } else {
                "Bitte den Zugang des Dienstes verwenden."
            }
        )));
    }
    Ok(pool)
}

/// Who reads for an export or a report: a clerk (their [`crate::auth::Session`]) or the
/// reporting service (cron). Either may read from a streaming replica; the audit record of an
/// export always goes to the primary.
pub trait Reader: Sync {
    /// The primary: the export's audit record, and reads that must be current.
    fn primary(&self) -> &PgPool;
    /// A connection to read from (the replica when there is one), once the reader may.
    fn read_connection(&self) -> impl Future<Output = Result<PoolConnection<Postgres>>> + Send;
    /// Refuses early, in words, a reader who may not export; the database decides anyway.
    fn may_export(&self) -> Result<()>;
}

/// The reporting service (a login of the group `kammer_reporting`): scheduled exports and the
/// monthly report from cron, and `kammerctl expire`.
#[derive(Debug, Clone)]
pub struct ReportingService {
    pub pool: PgPool,
    pub replica: Option<PgPool>,
}

impl Reader for ReportingService {
    fn primary(&self) -> &PgPool {
        &self.pool
    }
    async fn read_connection(&self) -> Result<PoolConnection<Postgres>> {
        Ok(self
            .replica
            .as_ref()
            .unwrap_or(&self.pool)
            .acquire()
            .await?)
    }
    fn may_export(&self) -> Result<()> {
        Ok(())
    }
}

/// Migrations, demo data and first-time setup create roles and objects: only a superuser may.
pub async fn require_superuser(pool: &PgPool, what: &str) -> Result<()> {
    let superuser = sqlx::query_scalar!(
        r#"select rolsuper as "superuser!" from pg_roles where rolname = current_user"#
    )
    .fetch_one(pool)
    .await?;
    if superuser {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{what} ist Einrichtung und braucht einen Superuser-Zugang der Datenbank (z. B. postgres)."
        )))
    }
}

/// How long one statement of a desk may run before the database cancels it: a look-up that
/// takes longer is stuck (a lock, a runaway filter), and the clerk gets a clear message
/// instead of a frozen window. Exports lift it for their one long stream.
pub const DESK_STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

/// The desk's server options: `application_name` „KammerDesk <version>“ (sign-in adds the
/// login, so IT sees „KammerDesk 0.1.0 (sb.mueller)“ in `pg_stat_activity`) and a
/// `statement_timeout` for every connection. Both go in the start-up packet; PgBouncer passes
/// `application_name` on but drops `options` (`ignore_startup_parameters`), so behind it the
/// timeout is the server's (docs/deployment.md).
pub fn desk_options(server: PgConnectOptions, statement_timeout: Duration) -> PgConnectOptions {
    server
        .application_name(&format!("KammerDesk {}", env!("CARGO_PKG_VERSION")))
        .options([(
            "statement_timeout",
            format!("{}ms", statement_timeout.as_millis()),
        )])
}

/// [`connect`] for options built field by field, as the desk's settings screen does. Without
/// an `application_name` of their own, connections are named „kammerdesk“.
pub async fn connect_with(options: PgConnectOptions) -> Result<PgPool> {
    let options = match options.get_application_name() {
        Some(_) => options,
        None => options.application_name("kammerdesk"),
    };
    let options =
        options.log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
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
                sqlx::Error::Database(db) if db.code().as_deref() == Some("28P01") => {
                    Error::forbidden("Benutzername oder Passwort ist falsch.")
                }
                sqlx::Error::Database(db) if db.code().as_deref() == Some("28000") => {
                    if db.message().contains("not permitted to log in") {
                        Error::forbidden("Dieser Zugang ist gesperrt. Bitte wenden Sie sich an die Administration der Kammer.")
                    } else if db.message().contains("pg_hba.conf") {
                        Error::forbidden(format!("Die Datenbank {target} lässt diese Anmeldung von diesem Rechner nicht zu (pg_hba.conf). Bitte wenden Sie sich an die IT."))
                    } else {
                        Error::forbidden("Benutzername oder Passwort ist falsch.")
                    }
                }
                // PgBouncer checks the password itself and refuses in its own words.
                sqlx::Error::Database(db)
                    if db.message().ends_with("authentication failed") || db.message() == "no such user" =>
                {
                    Error::forbidden("Benutzername oder Passwort ist falsch.")
                }
                sqlx::Error::Database(db) if db.code().as_deref() == Some("42501") => {
                    Error::forbidden(format!("Ihr Zugang ist für die Datenbank {target} nicht freigeschaltet. Bitte wenden Sie sich an die Administration der Kammer."))
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

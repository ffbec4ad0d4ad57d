//! Connecting (clerks through [`crate::auth::sign_in`], services and setup here), migrating,
//! and the connection facts the desk shows in its title bar.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
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
///
/// TLS defaults to `verify-full` (the server's certificate and name are checked against the
/// platform's trust store and the CA file `sslrootcert`, if given) unless the address or
/// `PGSSLMODE` names a mode. A server on this machine (loopback or a Unix socket) is the
/// exception: nothing crosses a network, so it defaults to `prefer` without a warning.
pub fn parse_url(url: &str) -> Result<PgConnectOptions> {
    let invalid = || {
        Error::validation(
            "Die Datenbank-Adresse ist ungültig. Erwartet wird postgres://benutzer@host:port/datenbank.",
        )
    };
    let parsed = url::Url::parse(url).map_err(|_| invalid())?;
    let mut mode_given = std::env::var_os("PGSSLMODE").is_some();
    let mut ca_file = std::env::var_os("PGSSLROOTCERT").map(PathBuf::from);
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "sslmode" | "ssl-mode" => {
                TlsMode::parse(&value)?;
                mode_given = true;
            }
            "sslrootcert" | "ssl-root-cert" | "ssl-ca" => ca_file = Some(PathBuf::from(&*value)),
            _ => {}
        }
    }
    if let Some(path) = &ca_file {
        check_ca_file(path)?;
    }
    let mut options: PgConnectOptions = url.parse().map_err(|_| invalid())?;
    if !mode_given {
        let mode = TlsMode::default_for(&options);
        options = options.ssl_mode(mode.ssl_mode());
    }
    Ok(options)
}

/// How a connection to the database is encrypted: libpq's `sslmode`, the four that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// No encryption. Only for a server on this machine; anything else gets a warning.
    Disable,
    /// Encrypted if the server offers it, unchecked: a warning except on this machine.
    Prefer,
    /// Encrypted, but the certificate is not checked (an attacker in between goes unnoticed).
    Require,
    /// Encrypted; the certificate must come from a trusted CA and name the server. The default.
    #[default]
    VerifyFull,
}

impl TlsMode {
    /// `disable`, `prefer`, `require`, `verify-full` (also with an underscore, as settings store it).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "disable" => Ok(Self::Disable),
            "prefer" => Ok(Self::Prefer),
            "require" => Ok(Self::Require),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(Error::validation(format!(
                "Unbekannte TLS-Einstellung „{other}“ für die Datenbank. Möglich sind: verify-full (empfohlen), require, prefer, disable."
            ))),
        }
    }

    /// libpq's spelling, as in `sslmode=verify-full`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyFull => "verify-full",
        }
    }

    pub fn ssl_mode(self) -> PgSslMode {
        match self {
            Self::Disable => PgSslMode::Disable,
            Self::Prefer => PgSslMode::Prefer,
            Self::Require => PgSslMode::Require,
            Self::VerifyFull => PgSslMode::VerifyFull,
        }
    }

    /// The mode of `options`. sqlx's `allow` never encrypts and counts as `disable`;
    /// `verify-ca` checks the CA but not the name and counts as `require`.
    pub fn of(options: &PgConnectOptions) -> Self {
        match options.get_ssl_mode() {
            PgSslMode::Disable | PgSslMode::Allow => Self::Disable,
            PgSslMode::Prefer => Self::Prefer,
            PgSslMode::Require | PgSslMode::VerifyCa => Self::Require,
            PgSslMode::VerifyFull => Self::VerifyFull,
        }
    }

    /// Whether a connection in this mode may go unencrypted (`disable`, `prefer`).
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Disable | Self::Prefer)
    }

    /// The default for a server: `verify-full`, `prefer` for one on this machine.
    pub fn default_for(options: &PgConnectOptions) -> Self {
        if is_local(options) {
            Self::Prefer
        } else {
            Self::VerifyFull
        }
    }
}

/// Whether the server is on this machine: a Unix socket, `localhost` or a loopback address.
/// The same rule as for unencrypted SMTP (`mail::SmtpConfig`).
pub fn is_local(options: &PgConnectOptions) -> bool {
    if options.get_socket().is_some() {
        return true;
    }
    let host = options
        .get_host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The warning to show (desk) or print (kammerctl, on stderr) when `options` may send the
/// password and the data unencrypted over a network: `disable` or `prefer` to a server that
/// is not on this machine. `None` when the connection is safe.
pub fn tls_warning(options: &PgConnectOptions) -> Option<String> {
    let mode = TlsMode::of(options);
    if !mode.is_weak() || is_local(options) {
        return None;
    }
    Some(format!(
        "Achtung: Die Verbindung zur Datenbank {}:{} ist {} (TLS-Einstellung „{}“). Passwörter und Daten können mitgelesen oder verändert werden. Bitte „verify-full“ einstellen.",
        options.get_host(),
        options.get_port(),
        if mode == TlsMode::Disable {
            "unverschlüsselt"
        } else {
            "möglicherweise unverschlüsselt und ungeprüft"
        },
        mode.as_str()
    ))
}

/// Sets the TLS mode and, if given, the chamber's own CA (a PEM file) that the server's
/// certificate may come from, on top of the platform's trust store.
pub fn with_tls(
    options: PgConnectOptions,
    mode: TlsMode,
    ca_file: Option<&Path>,
) -> Result<PgConnectOptions> {
    let options = options.ssl_mode(mode.ssl_mode());
    Ok(match ca_file {
        Some(path) => {
            check_ca_file(path)?;
            options.ssl_root_cert(path)
        }
        None => options,
    })
}

/// A CA file must be readable and hold at least one PEM certificate: said now, in German,
/// rather than as a TLS failure at the first connection.
pub fn check_ca_file(path: &Path) -> Result<()> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::validation(format!(
            "Die CA-Datei {} lässt sich nicht lesen: {e}",
            path.display()
        ))
    })?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::validation(format!(
            "Die CA-Datei {} enthält kein Zertifikat im PEM-Format (-----BEGIN CERTIFICATE-----).",
            path.display()
        )));
    }
    Ok(())
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

/// How long a statement waits for a connection, the pool's or the clerk's own, before the
/// clerk is told the database is not reachable.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(4);

/// A connection idle this long is checked (pinged) before use: a server restart or a NAT
/// timeout meanwhile shows there, not as the clerk's error.
pub(crate) const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

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
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx pings every connection before handing it out: one more round trip for each
        // operation, as long as the statement itself at a look-up. A connection that was in
        // use a moment ago is alive; only one idle for a while (a server restart, a NAT
        // timeout) is checked first.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| {
            tracing::warn!("cannot connect to {target}: {e}");
            if let Some(refusal) = crate::error::tls_refusal(&e, &target) {
                return refusal;
            }
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
    // Roles are the server's, not the database's: two databases migrated at the same moment
    // on a new server (two chambers on one host, a test suite) both find `kammer_app` missing,
    // and the slower `create role` fails. Its migration rolled back in its own transaction;
    // run again, it finds the role there. One connection throughout: a failed run leaves the
    // migrator's advisory lock held on its connection, released here before the next attempt.
    let mut conn = pool.acquire().await?;
    let mut attempt = 1;
    loop {
        let outcome = MIGRATOR.run(&mut *conn).await;
        if outcome.is_err() {
            sqlx::query("select pg_advisory_unlock_all()")
                .execute(&mut *conn)
                .await?;
        }
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 && is_concurrent_role_creation(&e) => {
                tracing::info!(
                    attempt,
                    "migration met a role created meanwhile by another database's migration; running it again"
                );
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A unique violation in the server-wide role catalogue (`pg_authid`).
fn is_concurrent_role_creation(e: &sqlx::migrate::MigrateError) -> bool {
    let sqlx::migrate::MigrateError::ExecuteMigration(sqlx::Error::Database(db), _) = e else {
        return false;
    };
    db.code().as_deref() == Some("23505") && db.constraint() == Some("pg_authid_rolname_index")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_defaults_to_verify_full_except_on_this_machine() {
        let remote = parse_url("postgres://kd_portal@db.hwk.example:5432/kammerdesk").unwrap();
        assert_eq!(TlsMode::of(&remote), TlsMode::VerifyFull);
        assert_eq!(tls_warning(&remote), None);
        for local in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://postgres@localhost/postgres",
            "postgres://postgres@[::1]:5432/postgres",
        ] {
            let options = parse_url(local).unwrap();
            assert_eq!(TlsMode::of(&options), TlsMode::Prefer, "{local}");
            assert_eq!(tls_warning(&options), None, "{local}");
        }
    }

    #[test]
    fn weak_modes_to_another_machine_warn() {
        for (mode, words) in [
            ("disable", "ist unverschlüsselt"),
            ("prefer", "möglicherweise unverschlüsselt und ungeprüft"),
        ] {
            let options = parse_url(&format!(
                "postgres://db.hwk.example/kammerdesk?sslmode={mode}"
            ))
            .unwrap();
            assert!(TlsMode::of(&options).is_weak());
            let warning = tls_warning(&options).expect(mode);
            assert!(
                warning.contains("db.hwk.example:5432") && warning.contains(words),
                "{warning}"
            );
        }
        for mode in ["require", "verify-full"] {
            let options = parse_url(&format!(
                "postgres://db.hwk.example/kammerdesk?sslmode={mode}"
            ))
            .unwrap();
            assert!(!TlsMode::of(&options).is_weak());
            assert_eq!(tls_warning(&options), None, "{mode}");
        }
    }

    #[test]
    fn tls_mode_names() {
        for mode in [
            TlsMode::Disable,
            TlsMode::Prefer,
            TlsMode::Require,
            TlsMode::VerifyFull,
        ] {
            assert_eq!(TlsMode::parse(mode.as_str()).unwrap(), mode);
        }
        assert_eq!(TlsMode::parse("verify_full").unwrap(), TlsMode::VerifyFull);
        assert_eq!(TlsMode::default(), TlsMode::VerifyFull);
        let err = parse_url("postgres://db.hwk.example/kammerdesk?sslmode=sometimes").unwrap_err();
        assert!(
            err.message().contains("Unbekannte TLS-Einstellung"),
            "{}",
            err.message()
        );
    }
}

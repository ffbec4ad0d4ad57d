//! Where the desk signs in: the database server from the environment, the settings or the
//! demo default — never a login. Before sign-in the desk holds no connection at all; a clerk's
//! sign-in opens one with their own login (`session`).

use std::time::Duration;

use kammer_core::Error;
use serde::Serialize;
use sqlx::postgres::PgConnectOptions;

/// The local demo database that `scripts/run-app.sh` sets up, for a desk started without
/// configuration.
pub const DEMO_DATABASE_URL: &str = "postgres://127.0.0.1:5432/kammerdesk_demo";

/// `KAMMERDESK_DATABASE_URL`, for IT pinning a desk and for the end-to-end tests. The generic
/// `DATABASE_URL` of sqlx tools is deliberately ignored: a developer's shell must not point
/// a clerk's desk elsewhere. A user name or password in it is ignored too: clerks sign in.
pub fn url_from_env() -> Option<String> {
    std::env::var("KAMMERDESK_DATABASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// The server the desk signs clerks in at, or why there is none (an address that does not
/// parse). Retargeted when an administrator saves settings.
pub struct Database {
    target: std::sync::Mutex<Result<PgConnectOptions, Error>>,
}

/// What the sign-in screen says about the server before anyone has signed in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ServerInfo {
    pub host: String,
    pub port: u16,
    pub database: String,
    /// Set when the connection may go unencrypted over a network (`disable`/`prefer` to
    /// another machine): the desk shows it for as long as that is so.
    pub tls_warning: Option<String>,
}

impl Database {
    pub fn new(target: PgConnectOptions) -> Self {
        Database {
            target: std::sync::Mutex::new(Ok(target)),
        }
    }

    /// A target that cannot be used (e.g. an unreadable CA file), kept as the reason.
    pub fn unusable(reason: Error) -> Self {
        tracing::error!("database settings not usable: {}", reason.message());
        Database {
            target: std::sync::Mutex::new(Err(reason)),
        }
    }

    /// From an address like `KAMMERDESK_DATABASE_URL`; a broken one is kept as the reason the
    /// desk cannot sign anyone in, shown in German where the server would be.
    pub fn from_url(url: &str) -> Self {
        let target = kammer_core::db::parse_url(url);
        if let Err(e) = &target {
            tracing::error!("database address not usable: {}", e.message());
        }
        Database {
            target: std::sync::Mutex::new(target),
        }
    }

    pub fn options(&self) -> Result<PgConnectOptions, Error> {
        self.target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn retarget(&self, target: PgConnectOptions) {
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = Ok(target);
    }

    pub fn server(&self) -> Result<ServerInfo, Error> {
        let options = self.options()?;
        Ok(ServerInfo {
            host: options.get_host().to_owned(),
            port: options.get_port(),
            database: options.get_database().unwrap_or("postgres").to_owned(),
            tls_warning: kammer_core::db::tls_warning(&options),
        })
    }

    /// Whether the server answers at all, without signing in: so the desk can say „nicht
    /// erreichbar“ before a clerk types a password.
    pub async fn probe(&self) -> Result<ServerInfo, Error> {
        let server = self.server()?;
        let address = format!("{}:{}", server.host, server.port);
        let reached = if server.host.starts_with('/') {
            // A Unix socket directory: the socket file must be there.
            std::path::Path::new(&server.host)
                .join(format!(".s.PGSQL.{}", server.port))
                .exists()
        } else {
            tokio::time::timeout(
                Duration::from_secs(4),
                tokio::net::TcpStream::connect(&address),
            )
            .await
            .is_ok_and(|r| r.is_ok())
        };
        if reached {
            Ok(server)
        } else {
            tracing::warn!("database server {address} not reachable");
            Err(Error::unavailable(format!(
                "Der Datenbankserver {address} (Datenbank {}) ist nicht erreichbar. Bitte prüfen Sie die Netzwerkverbindung oder wenden Sie sich an die IT.",
                server.database
            )))
        }
    }
}

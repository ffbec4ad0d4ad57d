//! `kammerctl service-login add`: a login for a service (the portal's interface, the mail
//! sender, the cron jobs, the Handwerksrolle import). Set-up, as a superuser only: no clerk,
//! not even an administrator, may make one, because the mail sender reads codes.

use clap::{Subcommand, ValueEnum};
use kammer_core::db::{self, Service};
use kammer_core::{Result, clerks};

use crate::context::{Context, new_password};

#[derive(Subcommand)]
pub enum Cmd {
    /// Dienst-Zugang anlegen (nur als Superuser); Passwort aus KAMMERDESK_NEW_PASSWORD oder
    /// Abfrage
    Add {
        /// Der Dienst; der Zugang kommt in dessen Gruppe
        #[arg(long, value_enum)]
        service: ServiceArg,
        /// Name des Zugangs, z. B. kd_mailer
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ServiceArg {
    /// Schnittstelle des Verwaltungsportals (Gruppe kammer_portal)
    Portal,
    /// E-Mail-Versand, `outbox run`; der einzige Leser von Codes (kammer_mailer)
    Mailer,
    /// Berichte und Fristen: `expire`, Exporte und Berichte aus cron (kammer_reporting)
    Reporting,
    /// Import der Handwerksrolle (kammer_import)
    Import,
}

impl From<ServiceArg> for Service {
    fn from(s: ServiceArg) -> Service {
        match s {
            ServiceArg::Portal => Service::Portal,
            ServiceArg::Mailer => Service::Mailer,
            ServiceArg::Reporting => Service::Reporting,
            ServiceArg::Import => Service::Import,
        }
    }
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Add { service, name } => {
                let service = Service::from(service);
                let login = name.trim().to_string();
                let pool = ctx.superuser().await?;
                // Refused before anyone types a password for it.
                db::require_superuser(&pool, "Ein Dienst-Zugang").await?;
                let password = new_password(&login)?;
                clerks::add_service_login(&pool, service, &login, &password).await?;
                ctx.print(
                    &serde_json::json!({ "login": login, "group": service.group() }),
                    |_| {
                        format!(
                            "Dienst-Zugang „{login}“ (Gruppe {}) angelegt; er darf sich mit dieser Datenbank verbinden.",
                            service.group()
                        )
                    },
                );
                Ok(())
            }
        }
    }
}

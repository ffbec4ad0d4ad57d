//! `kammerctl portal …`: the portal's side of the process, for support and tests — what a
//! chamber's Verwaltungsportal calls, done by hand. Signs in as a portal service login
//! (group `kammer_portal`) from `--database-url`, never as a clerk.

use clap::Subcommand;
use kammer_core::auth::Password;
use kammer_core::db::Service;
use kammer_core::domain::{AntragNr, Betriebsnummer, EmailAddress};
use kammer_core::{Result, portal};

use crate::context::{Context, secret};
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Persönlichen Account anlegen (Passwort aus KAMMERDESK_PORTAL_PASSWORD oder Abfrage)
    Register {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// E-Mail-Adresse des Accounts bestätigen (Token aus dem Link)
    Confirm {
        #[arg(long)]
        email: String,
        #[arg(long)]
        token: String,
    },
    /// Antrag zur Zuordnung stellen
    Request {
        #[arg(long)]
        email: String,
        #[arg(long)]
        betriebsnummer: String,
        #[arg(long)]
        firmenname: String,
    },
    /// Den Bestätigungs-Code eingeben („Antrag versenden“)
    SubmitCode {
        #[arg(long)]
        email: String,
        nr: String,
        code: String,
    },
    /// Antrag als antragstellende Person zurückziehen
    Withdraw {
        #[arg(long)]
        email: String,
        nr: String,
    },
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Register { email, name } => {
                let email = EmailAddress::parse(&email)?;
                let name = portal::requester_name(&name)?;
                let pool = ctx.service(Service::Portal).await?;
                let password = Password::new_checked(&secret(
                    "KAMMERDESK_PORTAL_PASSWORD",
                    "Passwort für den Portal-Account: ",
                )?)?;
                let r = portal::register(&pool, &email, &name, &password).await?;
                ctx.print(&r, |r| {
                    format!(
                        "Account {} angelegt. Bestätigungs-Token für den E-Mail-Link: {}",
                        r.account_id, r.confirm_token
                    )
                });
            }
            Cmd::Confirm { email, token } => {
                let email = EmailAddress::parse(&email)?;
                let pool = ctx.service(Service::Portal).await?;
                portal::confirm_email(&pool, &email, &token).await?;
                ctx.print(&serde_json::json!({ "confirmed": email }), |_| {
                    format!("E-Mail-Adresse {email} bestätigt.")
                });
            }
            Cmd::Request {
                email,
                betriebsnummer,
                firmenname,
            } => {
                let (email, nummer) = (
                    EmailAddress::parse(&email)?,
                    Betriebsnummer::parse(&betriebsnummer)?,
                );
                let pool = ctx.service(Service::Portal).await?;
                let f = portal::request_zuordnung(&pool, &email, &nummer, &firmenname).await?;
                ctx.print(&f, |f| {
                    format!(
                        "Antrag Nr. {}, gesendet am {} – {}. Der Bestätigungs-Code geht an {}.",
                        f.nr,
                        human::date_seconds(f.sent_at),
                        f.status.label_de(),
                        f.sent_to_masked
                    )
                });
            }
            Cmd::SubmitCode { email, nr, code } => {
                let (email, nr) = (EmailAddress::parse(&email)?, AntragNr::parse(&nr)?);
                let pool = ctx.service(Service::Portal).await?;
                let s = portal::submit_code(&pool, &email, nr, &code).await?;
                ctx.print(&s, |s| {
                    format!("Antrag Nr. {}: {}.", s.nr, s.status.label_de())
                });
            }
            Cmd::Withdraw { email, nr } => {
                let (email, nr) = (EmailAddress::parse(&email)?, AntragNr::parse(&nr)?);
                let pool = ctx.service(Service::Portal).await?;
                portal::withdraw(&pool, &email, nr).await?;
                ctx.print(&serde_json::json!({ "withdrawn": nr }), |_| {
                    format!("Antrag Nr. {nr} zurückgezogen.")
                });
            }
        }
        Ok(())
    }
}

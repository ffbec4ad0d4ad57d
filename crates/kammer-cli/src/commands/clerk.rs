//! `kammerctl clerk …`: the clerks' logins. The administration signs in with `--as`; set-up
//! (the first administrator of an empty database, a password when no administrator can sign
//! in) runs as the superuser of `--database-url`.

use clap::Subcommand;
use kammer_core::clerks::{self, ClerkInfo, NewClerk};
use kammer_core::domain::Role;
use kammer_core::{Error, Result};
use serde::Serialize;

use crate::context::{Acting, Context, new_password};
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Zugang anlegen: als Administration (--as), oder ohne --as als Superuser den ersten
    /// Zugang einer Datenbank ohne Zugänge (immer admin). Passwort aus KAMMERDESK_NEW_PASSWORD
    /// oder Abfrage
    Add {
        username: String,
        /// Angezeigter Name
        #[arg(long)]
        name: String,
        /// hotline, sachbearbeitung (Standard) oder admin
        #[arg(long)]
        role: Option<String>,
        /// Ohne Passwort: die Anmeldung prüft das Verzeichnis der Kammer (ldap in pg_hba.conf)
        #[arg(long)]
        directory: bool,
    },
    /// Neues Passwort setzen: das eigene, als Administration für andere (deren offene
    /// Sitzungen enden), oder ohne --as als Superuser (Wiederherstellung)
    Passwd { username: String },
    /// Rolle ändern: hotline, sachbearbeitung oder admin (nicht die eigene)
    Role { username: String, role: String },
    /// Zugang sperren; offene Sitzungen enden sofort
    Disable { username: String },
    /// Gesperrten Zugang wieder freigeben
    Enable { username: String },
    /// Zugänge auflisten
    List,
}

/// What `clerk add` reports.
#[derive(Serialize)]
struct Added {
    id: i64,
    username: String,
    display_name: String,
    role: Role,
    /// Signs in through the chamber's directory, not with a database password.
    directory: bool,
    /// The first administrator of an empty database (set-up).
    bootstrap: bool,
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Add {
                username,
                name,
                role,
                directory,
            } => add(ctx, &username, &name, role.as_deref(), directory).await,
            Cmd::Passwd { username } => {
                let username = clerks::parse_username(&username)?;
                let acting = ctx.clerk_or_superuser().await?;
                let password = new_password(&username)?;
                match acting {
                    Acting::Clerk(session) => {
                        clerks::set_password(&session, &username, &password).await?
                    }
                    Acting::Superuser(pool) => {
                        clerks::set_password_as_superuser(&pool, &username, &password).await?
                    }
                }
                ctx.print(&serde_json::json!({ "password_set": username }), |_| {
                    format!("Passwort für „{username}“ gesetzt.")
                });
                Ok(())
            }
            Cmd::Role { username, role } => {
                let (username, role) = (clerks::parse_username(&username)?, Role::parse(&role)?);
                clerks::set_role(&ctx.clerk().await?, &username, role).await?;
                ctx.print(
                    &serde_json::json!({ "username": username, "role": role }),
                    |_| format!("„{username}“ hat jetzt die Rolle {}.", role.label_de()),
                );
                Ok(())
            }
            Cmd::Disable { username } => {
                let username = clerks::parse_username(&username)?;
                clerks::disable(&ctx.clerk().await?, &username).await?;
                ctx.print(&serde_json::json!({ "disabled": username }), |_| {
                    format!("Zugang „{username}“ gesperrt; seine offenen Sitzungen sind beendet.")
                });
                Ok(())
            }
            Cmd::Enable { username } => {
                let username = clerks::parse_username(&username)?;
                clerks::enable(&ctx.clerk().await?, &username).await?;
                ctx.print(&serde_json::json!({ "enabled": username }), |_| {
                    format!("Zugang „{username}“ wieder freigegeben.")
                });
                Ok(())
            }
            Cmd::List => {
                let list = clerks::list(&ctx.clerk().await?).await?;
                ctx.print(&list, |l| list_human(l));
                Ok(())
            }
        }
    }
}

async fn add(
    ctx: &Context,
    username: &str,
    name: &str,
    role: Option<&str>,
    directory: bool,
) -> Result<()> {
    let username = clerks::parse_username(username)?;
    let role = role.map(Role::parse).transpose()?;
    let acting = ctx.clerk_or_superuser().await?;
    let password = if directory {
        None
    } else {
        Some(new_password(&username)?)
    };
    let (id, role, bootstrap) = match acting {
        Acting::Clerk(session) => {
            let role = role.unwrap_or(Role::Sachbearbeitung);
            let new = NewClerk {
                username: &username,
                display_name: name,
                role,
                password: password.as_ref(),
            };
            (clerks::add(&session, &new).await?, role, false)
        }
        Acting::Superuser(pool) => {
            if role.is_some_and(|r| r != Role::Admin) {
                return Err(Error::validation(
                    "Der erste Zugang einer Datenbank ist immer ein Zugang der Administration \
                     (--role admin); weitere Zugänge legt die Administration an (--as <admin>).",
                ));
            }
            let id = clerks::bootstrap_admin(&pool, &username, name, password.as_ref()).await?;
            (id, Role::Admin, true)
        }
    };
    let added = Added {
        id,
        username,
        display_name: name.trim().to_string(),
        role,
        directory,
        bootstrap,
    };
    ctx.print(&added, |a| {
        format!(
            "{} „{}“ ({}, {}) angelegt{}.",
            if a.bootstrap {
                "Erster Zugang"
            } else {
                "Zugang"
            },
            a.username,
            a.display_name,
            a.role.label_de(),
            if a.directory {
                "; die Anmeldung prüft das Verzeichnis der Kammer"
            } else {
                ""
            }
        )
    });
    Ok(())
}

fn list_human(list: &[ClerkInfo]) -> String {
    list.iter()
        .map(|c| {
            format!(
                "{:<16} {:<28} {:<16} {}",
                c.username,
                c.display_name,
                c.role.map_or("keine Rolle", Role::label_de),
                match (c.disabled_at, c.can_login) {
                    (Some(at), _) => format!("gesperrt seit {}", human::date(at)),
                    (None, false) => "kann sich nicht anmelden".to_string(),
                    (None, true) => "aktiv".to_string(),
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

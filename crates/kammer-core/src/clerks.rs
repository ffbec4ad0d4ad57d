//! Clerk accounts (Sachbearbeiter:innen): created, re-keyed and disabled by the administration.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::audit::{self, Actor, Event};
use crate::auth::{Password, Session, hash_password};
use crate::domain::{Permission, Role};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct ClerkInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub struct NewClerk<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a Password,
}

fn parse_username(input: &str) -> Result<String> {
    let u = input.trim().to_lowercase();
    let ok = (2..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if !ok {
        return Err(Error::validation(
            "Ein Benutzername hat 2 bis 32 Zeichen: Kleinbuchstaben a–z, Ziffern, Punkt, Binde- und Unterstrich.",
        ));
    }
    Ok(u)
}

/// Creates a clerk. `by` is the signed-in administrator; `None` is allowed only while there
/// is no clerk at all, so a fresh installation can create its first administrator.
pub async fn add(pool: &PgPool, by: Option<&Session>, new: &NewClerk<'_>) -> Result<ClerkInfo> {
    let username = parse_username(new.username)?;
    let display_name = new.display_name.trim();
    if display_name.is_empty() {
        return Err(Error::validation(
            "Bitte geben Sie den angezeigten Namen an.",
        ));
    }
    let password_hash = hash_password(new.password).await?;
    let mut tx = pool.begin().await?;
    match by {
        Some(session) => {
            session.authorize(&mut tx, Permission::ManageClerks).await?;
        }
        None => {
            // Serialises concurrent bootstraps: only the first finds the table empty.
            sqlx::query!("lock table clerks in share row exclusive mode")
                .execute(&mut *tx)
                .await?;
            let any = sqlx::query_scalar!(r#"select exists(select 1 from clerks) as "e!""#)
                .fetch_one(&mut *tx)
                .await?;
            if any {
                return Err(Error::forbidden(
                    "Es gibt bereits Zugänge. Neue Zugänge legt die Administration an (--as <admin>).",
                ));
            }
            if new.role != Role::Admin {
                return Err(Error::validation(
                    "Der erste Zugang muss die Rolle admin haben.",
                ));
            }
        }
    }
    let clerk = sqlx::query!(
        "insert into clerks (username, display_name, role, password_hash) values ($1, $2, $3, $4)
         on conflict (username) do nothing
         returning id, created_at",
        username,
        display_name,
        new.role.as_str(),
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::conflict(format!("Den Benutzernamen „{username}“ gibt es bereits.")))?;
    audit::record(
        &mut tx,
        Event {
            actor: by.map_or(Actor::System, |s| Actor::Clerk(s.clerk_id)),
            action: "clerk_added",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({ "clerk_id": clerk.id, "username": username, "role": new.role.as_str() }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ClerkInfo {
        id: clerk.id,
        username,
        display_name: display_name.to_string(),
        role: new.role,
        disabled_at: None,
        created_at: clerk.created_at,
    })
}

/// Sets a new password: the administration for anyone, every clerk for themselves.
pub async fn set_password(
    pool: &PgPool,
    by: &Session,
    username: &str,
    password: &Password,
) -> Result<()> {
    let username = parse_username(username)?;
    let password_hash = hash_password(password).await?;
    let mut tx = pool.begin().await?;
    if username != by.username {
        by.authorize(&mut tx, Permission::ManageClerks).await?;
    } else {
        by.authorize(&mut tx, Permission::Lookup).await?;
    }
    let id = sqlx::query_scalar!(
        "update clerks set password_hash = $2 where username = $1 returning id",
        username,
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| unknown(&username))?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(by.clerk_id),
            action: "clerk_password_set",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({ "clerk_id": id, "username": username }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn disable(pool: &PgPool, by: &Session, username: &str) -> Result<()> {
    let username = parse_username(username)?;
    if username == by.username {
        return Err(Error::validation(
            "Sie können Ihren eigenen Zugang nicht sperren.",
        ));
    }
    let mut tx = pool.begin().await?;
    by.authorize(&mut tx, Permission::ManageClerks).await?;
    let row = sqlx::query!(
        "update clerks set disabled_at = coalesce(disabled_at, now()) where username = $1 returning id",
        username
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| unknown(&username))?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(by.clerk_id),
            action: "clerk_disabled",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({ "clerk_id": row.id, "username": username }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn unknown(username: &str) -> Error {
    Error::not_found(format!("Einen Zugang „{username}“ gibt es nicht."))
}

pub async fn list(pool: &PgPool, by: &Session) -> Result<Vec<ClerkInfo>> {
    let mut conn = pool.acquire().await?;
    by.authorize(&mut conn, Permission::ManageClerks).await?;
    let rows = sqlx::query!("select id, username, display_name, role, disabled_at, created_at from clerks order by username")
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ClerkInfo {
                id: r.id,
                username: r.username,
                display_name: r.display_name,
                role: Role::parse(&r.role)?,
                disabled_at: r.disabled_at,
                created_at: r.created_at,
            })
        })
        .collect()
}

//! Clerk logins (Sachbearbeiter:innen): created, re-keyed, given another role and disabled by
//! the administration through `kammer_api.clerk_*`. Each clerk is a PostgreSQL login role in
//! the group of their KammerDesk role; the password is PostgreSQL's (only its SCRAM verifier,
//! made here, travels) or the chamber's directory's.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::auth::{Password, Session, scram_verifier};
use crate::db::{self, Service};
use crate::domain::{Permission, Role};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClerkInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The login can sign in (not disabled in PostgreSQL).
    pub can_login: bool,
}

pub struct NewClerk<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// `None`: the chamber's directory checks the password (`ldap` in pg_hba.conf).
    pub password: Option<&'a Password>,
}

/// A user name as a login role may be named: lower case, and what the database accepts too.
pub fn parse_username(input: &str) -> Result<String> {
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

fn display_name(input: &str) -> Result<&str> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::validation(
            "Bitte geben Sie den angezeigten Namen an (eine Zeile, höchstens 100 Zeichen).",
        ));
    }
    Ok(name)
}

/// Creates a clerk: their login, in the group of their role, allowed into this database.
pub async fn add(session: &Session, new: &NewClerk<'_>) -> Result<i64> {
    session.require(Permission::ManageClerks)?;
    let username = parse_username(new.username)?;
    let name = display_name(new.display_name)?;
    let verifier = new.password.map(scram_verifier);
    let id = sqlx::query_scalar!(
        r#"select kammer_api.clerk_create($1, $2, $3, $4) as "id!""#,
        username,
        name,
        new.role.as_str(),
        verifier
    )
    .fetch_one(session.pool())
    .await?;
    Ok(id)
}

/// First-time setup of an empty database, as a superuser: its first administrator.
pub async fn bootstrap_admin(
    superuser: &PgPool,
    username: &str,
    display_name_input: &str,
    password: Option<&Password>,
) -> Result<i64> {
    db::require_superuser(superuser, "Der erste Zugang").await?;
    let username = parse_username(username)?;
    let name = display_name(display_name_input)?;
    let verifier = password.map(scram_verifier);
    let id = sqlx::query_scalar!(
        r#"select kammer_internal.bootstrap_admin($1, $2, $3) as "id!""#,
        username,
        name,
        verifier
    )
    .fetch_one(superuser)
    .await?;
    Ok(id)
}

/// First-time setup, as a superuser: a login for a service. No clerk — not even an
/// administrator — can make one, because the mail sender reads codes.
pub async fn add_service_login(
    superuser: &PgPool,
    service: Service,
    login: &str,
    password: &Password,
) -> Result<()> {
    db::require_superuser(superuser, "Ein Dienst-Zugang").await?;
    sqlx::query!(
        "select kammer_internal.provision_service($1, $2, $3, false)",
        login.trim(),
        service.group(),
        scram_verifier(password)
    )
    .execute(superuser)
    .await?;
    Ok(())
}

/// Sets a new password: every clerk for themselves; the administration for anyone else,
/// which also ends that clerk's open sessions.
pub async fn set_password(session: &Session, username: &str, password: &Password) -> Result<()> {
    let username = parse_username(username)?;
    if username != session.username {
        session.require(Permission::ManageClerks)?;
    }
    sqlx::query!(
        "select kammer_api.clerk_set_password($1, $2)",
        username,
        scram_verifier(password)
    )
    .execute(session.pool())
    .await?;
    if username == session.username {
        session.password_changed(password);
    }
    Ok(())
}

/// First-time setup or recovery, as a superuser: a clerk's password when no administrator
/// can sign in (e.g. right after the upgrade that made clerks logins).
pub async fn set_password_as_superuser(
    superuser: &PgPool,
    username: &str,
    password: &Password,
) -> Result<()> {
    db::require_superuser(superuser, "Ein Passwort ohne Administration zu setzen").await?;
    let username = parse_username(username)?;
    let known = sqlx::query_scalar!(
        r#"select exists(select 1 from clerks where username = $1) as "e!""#,
        username
    )
    .fetch_one(superuser)
    .await?;
    if !known {
        return Err(Error::not_found(format!(
            "Einen Zugang „{username}“ gibt es nicht."
        )));
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "alter role {} password '{}'",
        quote_ident(&username),
        scram_verifier(password)
    )))
    .execute(superuser)
    .await?;
    Ok(())
}

/// A role name for a statement that cannot take it as a parameter. User names are checked by
/// [`parse_username`] first; the quoting is the belt to those braces.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub async fn set_role(session: &Session, username: &str, role: Role) -> Result<()> {
    session.require(Permission::ManageClerks)?;
    let username = parse_username(username)?;
    sqlx::query!(
        "select kammer_api.clerk_set_role($1, $2)",
        username,
        role.as_str()
    )
    .execute(session.pool())
    .await?;
    Ok(())
}

/// Disables a clerk: their login can no longer sign in, and their open sessions end now.
pub async fn disable(session: &Session, username: &str) -> Result<()> {
    session.require(Permission::ManageClerks)?;
    let username = parse_username(username)?;
    if username == session.username {
        return Err(Error::validation(
            "Sie können Ihren eigenen Zugang nicht sperren.",
        ));
    }
    sqlx::query!("select kammer_api.clerk_disable($1)", username)
        .execute(session.pool())
        .await?;
    Ok(())
}

pub async fn enable(session: &Session, username: &str) -> Result<()> {
    session.require(Permission::ManageClerks)?;
    let username = parse_username(username)?;
    sqlx::query!("select kammer_api.clerk_enable($1)", username)
        .execute(session.pool())
        .await?;
    Ok(())
}

pub async fn list(session: &Session) -> Result<Vec<ClerkInfo>> {
    session.require(Permission::ManageClerks)?;
    let rows = sqlx::query!(
        r#"select id as "id!", username as "username!", display_name as "display_name!", role,
                  disabled_at, created_at as "created_at!", can_login as "can_login!"
           from kammer_api.clerk_list()"#
    )
    .fetch_all(session.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ClerkInfo {
                id: r.id,
                username: r.username,
                display_name: r.display_name,
                role: r.role.as_deref().map(Role::parse).transpose()?,
                disabled_at: r.disabled_at,
                created_at: r.created_at,
                can_login: r.can_login,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_what_a_login_may_be_called() {
        assert_eq!(parse_username(" SB.Mueller ").unwrap(), "sb.mueller");
        for bad in ["a", "x\"; drop role y; --", "ü.ber", &"a".repeat(33)] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
        assert_eq!(quote_ident("sb.mueller"), "\"sb.mueller\"");
    }
}

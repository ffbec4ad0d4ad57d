use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::password::{Password, verify_password};
use crate::domain::{Permission, Role};
use crate::{Error, Result};

/// A signed-in clerk. Only [`sign_in`] makes one, so holding a `Session` proves the password
/// was right at some point; [`Session::authorize`] re-reads role and lock state from the
/// database on every operation, so a clerk disabled or demoted a minute ago is refused now.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub clerk_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A valid Argon2id hash of a random string: verifying against it when the user name is
/// unknown makes "no such clerk" take as long as "wrong password".
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J7eQzV3a6ZxG0y5p5b3fM6mZ0C0tY6wKk8w2nq2mJ1Q";

pub async fn sign_in(pool: &PgPool, username: &str, password: &Password) -> Result<Session> {
    let wrong = || Error::forbidden("Benutzername oder Passwort ist falsch.");
    let username = username.trim().to_lowercase();
    let row = sqlx::query!(
        "select id, username, display_name, role, password_hash, disabled_at from clerks where username = $1",
        username
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        let _ = verify_password(password, DUMMY_HASH).await;
        return Err(wrong());
    };
    if !verify_password(password, &row.password_hash).await? {
        tracing::info!(username = %row.username, "sign-in refused: wrong password");
        return Err(wrong());
    }
    if row.disabled_at.is_some() {
        return Err(disabled());
    }
    Ok(Session {
        clerk_id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: Role::parse(&row.role)?,
    })
}

fn disabled() -> Error {
    Error::forbidden(
        "Dieser Zugang ist gesperrt. Bitte wenden Sie sich an die Administration der Kammer.",
    )
}

impl Session {
    /// Checks, against the database as it is now, that this clerk still exists, is not
    /// disabled, and has a role that allows `permission`. Returns the current role.
    pub async fn authorize(&self, conn: &mut PgConnection, permission: Permission) -> Result<Role> {
        let row = sqlx::query!(
            "/* hot:authorize */ select role, disabled_at from clerks where id = $1",
            self.clerk_id
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(disabled)?;
        if row.disabled_at.is_some() {
            return Err(disabled());
        }
        let role = Role::parse(&row.role)?;
        if !role.allows(permission) {
            return Err(Error::forbidden(role.refusal_de(permission)));
        }
        Ok(role)
    }
}

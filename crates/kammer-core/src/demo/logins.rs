//! The demo clerks and the demo services' logins, with the one demo password.

use sqlx::PgConnection;

use super::{DEMO_CLERKS, DEMO_PASSWORD, DEMO_SERVICES};
use crate::Result;
use crate::auth::{Password, scram_verifier};

/// The demo clerks' ids, by role.
pub(super) struct Clerks {
    pub admin: i64,
    pub sachbearbeitung: i64,
    pub hotline: i64,
    pub added: u64,
}

pub(super) async fn seed_logins(tx: &mut PgConnection) -> Result<Clerks> {
    // Logins are server-wide: a second demo database on the same server takes over the demo
    // logins of the first (same names, same password), under a lock on the role catalogue so
    // that seeds running side by side do not trip over each other.
    sqlx::query("lock table pg_catalog.pg_authid in share row exclusive mode")
        .execute(&mut *tx)
        .await?;
    let verifier = scram_verifier(&Password::new_checked(DEMO_PASSWORD)?);
    let mut clerk_ids = Vec::new();
    for (username, role, name) in DEMO_CLERKS {
        let id: i64 =
            sqlx::query_scalar("select kammer_internal.provision_clerk($1, $2, $3, $4, true)")
                .bind(username)
                .bind(name)
                .bind(role)
                .bind(&verifier)
                .fetch_one(&mut *tx)
                .await?;
        clerk_ids.push(id);
    }
    let clerks_added = clerk_ids.len() as u64;
    for (login, group) in DEMO_SERVICES {
        sqlx::query("select kammer_internal.provision_service($1, $2, $3, true)")
            .bind(login)
            .bind(group)
            .bind(&verifier)
            .execute(&mut *tx)
            .await?;
    }
    Ok(Clerks {
        admin: clerk_ids[0],
        sachbearbeitung: clerk_ids[1],
        hotline: clerk_ids[2],
        added: clerks_added,
    })
}

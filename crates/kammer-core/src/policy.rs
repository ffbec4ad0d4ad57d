//! The chamber-wide policy: one row in the database, so every desk and every server job
//! applies the same limits, and a change by the administration takes effect everywhere at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use crate::audit::{self, Actor, Event};
use crate::auth::Session;
use crate::domain::{EmailAddress, Permission};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Policy {
    pub code_lifetime_days: i32,
    pub code_attempt_limit: i32,
    pub resend_cooldown_seconds: i32,
    pub sends_per_day: i32,
    /// As in the portal today: a correct code finishes the Zuordnung without a clerk.
    pub auto_approve_on_code: bool,
    pub chamber_name: String,
    pub hotline_phone: String,
    pub mail_from: String,
    pub portal_url: String,
    pub updated_at: DateTime<Utc>,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PolicyChange {
    pub code_lifetime_days: Option<i32>,
    pub code_attempt_limit: Option<i32>,
    pub resend_cooldown_seconds: Option<i32>,
    pub sends_per_day: Option<i32>,
    pub auto_approve_on_code: Option<bool>,
    pub chamber_name: Option<String>,
    pub hotline_phone: Option<String>,
    pub mail_from: Option<String>,
    pub portal_url: Option<String>,
}

impl PolicyChange {
    fn validate(&self) -> Result<()> {
        let range = |v: Option<i32>, lo: i32, hi: i32, what: &str| match v {
            Some(x) if !(lo..=hi).contains(&x) => Err(Error::validation(format!(
                "{what} muss zwischen {lo} und {hi} liegen."
            ))),
            _ => Ok(()),
        };
        range(
            self.code_lifetime_days,
            1,
            365,
            "Die Gültigkeit eines Codes (Tage)",
        )?;
        range(self.code_attempt_limit, 1, 100, "Die Zahl der Fehlversuche")?;
        range(
            self.resend_cooldown_seconds,
            0,
            86_400,
            "Die Wartezeit zwischen zwei Sendungen (Sekunden)",
        )?;
        range(self.sends_per_day, 1, 1000, "Die Zahl der Sendungen je Tag")?;
        if let Some(from) = &self.mail_from {
            EmailAddress::parse(from)?;
        }
        if let Some(name) = &self.chamber_name
            && name.trim().is_empty()
        {
            return Err(Error::validation(
                "Der Name der Kammer darf nicht leer sein.",
            ));
        }
        Ok(())
    }
}

/// Reads the policy on the caller's connection, so a transition sees the limits of its own snapshot.
pub(crate) async fn current(conn: &mut PgConnection) -> Result<Policy> {
    let p = sqlx::query_as!(
        Policy,
        "/* hot:policy */ select code_lifetime_days, code_attempt_limit, resend_cooldown_seconds, sends_per_day,
                auto_approve_on_code, chamber_name, hotline_phone, mail_from, portal_url, updated_at
         from policy"
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(p)
}

pub async fn show(pool: &PgPool, session: &Session) -> Result<Policy> {
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::Lookup).await?;
    current(&mut conn).await
}

pub async fn set(pool: &PgPool, session: &Session, change: &PolicyChange) -> Result<Policy> {
    change.validate()?;
    let mut tx = pool.begin().await?;
    session.authorize(&mut tx, Permission::ManagePolicy).await?;
    let before = current(&mut tx).await?;
    let after = sqlx::query_as!(
        Policy,
        "update policy set
            code_lifetime_days = coalesce($1, code_lifetime_days),
            code_attempt_limit = coalesce($2, code_attempt_limit),
            resend_cooldown_seconds = coalesce($3, resend_cooldown_seconds),
            sends_per_day = coalesce($4, sends_per_day),
            auto_approve_on_code = coalesce($5, auto_approve_on_code),
            chamber_name = coalesce($6, chamber_name),
            hotline_phone = coalesce($7, hotline_phone),
            mail_from = coalesce($8, mail_from),
            portal_url = coalesce($9, portal_url),
            updated_at = now(), updated_by = $10
         returning code_lifetime_days, code_attempt_limit, resend_cooldown_seconds, sends_per_day,
                   auto_approve_on_code, chamber_name, hotline_phone, mail_from, portal_url, updated_at",
        change.code_lifetime_days,
        change.code_attempt_limit,
        change.resend_cooldown_seconds,
        change.sends_per_day,
        change.auto_approve_on_code,
        change.chamber_name.as_deref().map(str::trim),
        change.hotline_phone.as_deref().map(str::trim),
        change.mail_from.as_deref().map(str::trim),
        change.portal_url.as_deref().map(str::trim),
        session.clerk_id
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Clerk(session.clerk_id),
            action: "policy_changed",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({ "before": before, "after": after }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

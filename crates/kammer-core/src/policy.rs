//! The chamber-wide policy: one row in the database, so every desk and every server job
//! applies the same limits, and a change by the administration takes effect everywhere at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Approving without the code needs a second Sachbearbeitung clerk's confirmation.
    pub four_eyes_without_code: bool,
    /// Codes a Betrieb's address may get within 24 hours, across all its Anträge.
    pub betrieb_sends_per_day: i32,
    /// Anträge one portal account may file within 24 hours.
    pub account_requests_per_day: i32,
    pub chamber_name: String,
    pub hotline_phone: String,
    pub mail_from: String,
    pub portal_url: String,
    pub updated_at: DateTime<Utc>,
}

/// Fields to change; `None` leaves a field as it is. Sent to the database as JSON with the
/// columns' names, so a `None` is left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PolicyChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_lifetime_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_attempt_limit: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend_cooldown_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sends_per_day: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_approve_on_code: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub four_eyes_without_code: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub betrieb_sends_per_day: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_requests_per_day: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chamber_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotline_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
        range(
            self.betrieb_sends_per_day,
            1,
            1000,
            "Die Zahl der Codes je Betrieb und Tag",
        )?;
        range(
            self.account_requests_per_day,
            1,
            1000,
            "Die Zahl der Anträge je Account und Tag",
        )?;
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

/// Reads the policy on the caller's connection.
pub(crate) async fn current<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Postgres>,
) -> Result<Policy> {
    let p = sqlx::query_as!(
        Policy,
        "/* hot:policy */ select code_lifetime_days, code_attempt_limit, resend_cooldown_seconds, sends_per_day,
                auto_approve_on_code, four_eyes_without_code, betrieb_sends_per_day, account_requests_per_day,
                chamber_name, hotline_phone, mail_from, portal_url, updated_at
         from policy"
    )
    .fetch_one(conn)
    .await?;
    Ok(p)
}

pub async fn show(session: &Session) -> Result<Policy> {
    current(&mut session.connection().await?).await
}

/// Changes the policy (`kammer_api.policy_set`: administration only, audited with before and after).
pub async fn set(session: &Session, change: &PolicyChange) -> Result<Policy> {
    change.validate()?;
    session.require(Permission::ManagePolicy)?;
    let change = serde_json::to_value(change).map_err(Error::internal)?;
    let p = sqlx::query_as!(
        Policy,
        r#"select code_lifetime_days as "code_lifetime_days!", code_attempt_limit as "code_attempt_limit!",
                  resend_cooldown_seconds as "resend_cooldown_seconds!", sends_per_day as "sends_per_day!",
                  auto_approve_on_code as "auto_approve_on_code!", four_eyes_without_code as "four_eyes_without_code!",
                  betrieb_sends_per_day as "betrieb_sends_per_day!", account_requests_per_day as "account_requests_per_day!",
                  chamber_name as "chamber_name!", hotline_phone as "hotline_phone!", mail_from as "mail_from!",
                  portal_url as "portal_url!", updated_at as "updated_at!"
           from kammer_api.policy_set($1)"#,
        change
    )
    .fetch_one(session.pool())
    .await?;
    Ok(p)
}

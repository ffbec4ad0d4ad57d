//! The portal's side of the flow, as the chamber's Verwaltungsportal calls it
//! (docs/portal-interface.md): each function is one call of a `kammer_api.portal_*` function
//! on a pool connected as a login of the group `kammer_portal` ([`crate::db::Service::Portal`]).
//! The portal has authenticated the account itself; this side hashes what must not travel in
//! clear (the account's password, the confirmation token, the code) and gives the database's
//! answers German words. `kammerctl portal` drives it as a support and test tool.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::auth::{Password, hash_password};
use crate::domain::{
    AntragNr, AntragStatus, Betriebsnummer, ConfirmationCode, EmailAddress, random_hex,
};
use crate::{Error, Result};

/// Longest requester name the code mail carries (the database checks it too).
const NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub account_id: i64,
    /// The token of the confirmation link the portal mails to the account's own address.
    pub confirm_token: String,
}

/// A requester's name as it goes into the code mail the Betrieb reads: one line, at most 100
/// characters, no control characters (a line break would let a requester write a paragraph
/// of their own into a genuine chamber mail).
pub fn requester_name(input: &str) -> Result<String> {
    let name = input.trim();
    if name.is_empty() {
        return Err(Error::validation("Bitte geben Sie Ihren Namen an."));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "Bitte geben Sie Ihren Namen in einer Zeile an (höchstens {NAME_MAX_CHARS} Zeichen, ohne Steuerzeichen)."
        )));
    }
    Ok(name.to_string())
}

/// Step 1 of the how-to: a personal account, independent of any Betrieb.
pub async fn register(
    portal: &PgPool,
    email: &EmailAddress,
    name: &str,
    password: &Password,
) -> Result<Registered> {
    let name = requester_name(name)?;
    let password_hash = hash_password(password).await?;
    let token = random_hex(16);
    let account_id = sqlx::query_scalar!(
        r#"select kammer_api.portal_register($1, $2, $3, $4) as "id!""#,
        email.as_str(),
        name,
        password_hash,
        token_hash(&token)
    )
    .fetch_one(portal)
    .await?;
    Ok(Registered {
        account_id,
        confirm_token: token,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The click on the link in the registration mail. Confirming twice is harmless.
pub async fn confirm_email(portal: &PgPool, email: &EmailAddress, token: &str) -> Result<()> {
    sqlx::query!(
        "select kammer_api.portal_confirm($1, $2)",
        email.as_str(),
        token_hash(token)
    )
    .execute(portal)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    pub nr: AntragNr,
    pub sent_at: DateTime<Utc>,
    pub status: AntragStatus,
    /// The Betrieb's address, masked as the portal would show it to the requester.
    pub sent_to_masked: String,
    pub code_expires_at: DateTime<Utc>,
}

/// Step 2: the "Antrag zur Zuordnung". The code goes to the Betrieb's address on file.
pub async fn request_zuordnung(
    portal: &PgPool,
    email: &EmailAddress,
    nummer: &Betriebsnummer,
    firmenname: &str,
) -> Result<Filed> {
    let row = sqlx::query!(
        r#"select nr as "nr!", sent_at as "sent_at!", sent_to as "sent_to!", code_expires_at as "code_expires_at!"
           from kammer_api.portal_request($1, $2, $3)"#,
        email.as_str(),
        nummer.as_str(),
        firmenname.trim()
    )
    .fetch_one(portal)
    .await?;
    Ok(Filed {
        nr: AntragNr::from_db(row.nr),
        sent_at: row.sent_at,
        status: AntragStatus::AwaitingCode,
        sent_to_masked: mask_email(&row.sent_to),
        code_expires_at: row.code_expires_at,
    })
}

/// "i…@testbetrieb.de": enough for the requester to recognise the address, not to harvest it.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}…@{domain}", local.chars().next().unwrap_or('?')),
        None => "…".to_string(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub nr: AntragNr,
    pub status: AntragStatus,
}

/// Step 7: the requester pastes the code and clicks "Antrag versenden". A wrong code counts
/// an attempt, committed although the call fails; at the policy's limit the code locks.
pub async fn submit_code(
    portal: &PgPool,
    email: &EmailAddress,
    nr: AntragNr,
    input: &str,
) -> Result<Submitted> {
    let code = ConfirmationCode::parse(input)?;
    let row = sqlx::query!(
        r#"select outcome as "outcome!", status as "status!", attempts_left
           from kammer_api.portal_submit_code($1, $2, $3)"#,
        email.as_str(),
        nr.get(),
        code.hash().0
    )
    .fetch_one(portal)
    .await?;
    match row.outcome.as_str() {
        "confirmed" => Ok(Submitted {
            nr,
            status: AntragStatus::from_db(&row.status)?,
        }),
        "locked" => Err(Error::validation(crate::refusal::code_locked(
            &nr.to_string(),
        ))),
        _ => {
            let left = row.attempts_left.unwrap_or(0);
            Err(Error::validation(format!(
                "Der Bestätigungs-Code ist nicht richtig. Sie haben noch {left} {}.",
                if left == 1 { "Versuch" } else { "Versuche" }
            )))
        }
    }
}

/// "Ich habe keinen Bestätigungs-Code und möchte den Antrag zurückziehen".
pub async fn withdraw(portal: &PgPool, email: &EmailAddress, nr: AntragNr) -> Result<()> {
    sqlx::query!(
        "select kammer_api.portal_withdraw($1, $2)",
        email.as_str(),
        nr.get()
    )
    .execute(portal)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requester_names_are_one_plain_line() {
        assert_eq!(requester_name("  Anna Antrag ").unwrap(), "Anna Antrag");
        for bad in [
            "",
            "  ",
            "Max\nMustermann",
            "Max\r\n{{code}}",
            &"x".repeat(101),
            "A\u{7}",
        ] {
            assert!(requester_name(bad).is_err(), "{bad:?}");
        }
        assert!(requester_name(&"ä".repeat(100)).is_ok());
    }
}

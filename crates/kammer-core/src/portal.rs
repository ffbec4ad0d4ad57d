//! The portal's side of the flow. The web portal is not part of KammerDesk; these functions
//! let tests, demos, the hotline's support tools and a future portal drive the real flow
//! through the same transactions. The caller is trusted to have authenticated the account.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::antraege::complete_approval;
use crate::antraege::transition::{Decision, not_found, transition};
use crate::audit::{self, Actor, Event};
use crate::auth::{Password, hash_password};
use crate::betriebe::unknown;
use crate::codes::{issue, lock_awaiting_code};
use crate::domain::{
    AntragNr, AntragStatus, Betriebsnummer, ConfirmationCode, EmailAddress, firmenname_matches,
    random_hex,
};
use crate::policy;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub account_id: i64,
    /// The token of the confirmation link the portal mails to the account's own address.
    pub confirm_token: String,
}

/// Step 1 of the how-to: a personal account, independent of any Betrieb.
pub async fn register(
    pool: &PgPool,
    email: &EmailAddress,
    name: &str,
    password: &Password,
) -> Result<Registered> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::validation("Bitte geben Sie Ihren Namen an."));
    }
    let password_hash = hash_password(password).await?;
    let token = random_hex(16);
    let mut tx = pool.begin().await?;
    let account_id = sqlx::query_scalar!(
        "insert into accounts (email, name, password_hash, confirm_token_hash) values ($1, $2, $3, $4)
         on conflict (lower(email)) do nothing returning id",
        email.as_str(),
        name,
        password_hash,
        token_hash(&token)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Error::conflict(format!("Für {email} gibt es bereits einen Account.")))?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Account(account_id),
            action: "account_registered",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Registered {
        account_id,
        confirm_token: token,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The click on the link in the registration mail. Confirming twice is harmless.
pub async fn confirm_email(pool: &PgPool, email: &EmailAddress, token: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    let account = account_by_email(&mut tx, email).await?;
    if account.confirmed {
        return Ok(());
    }
    let updated = sqlx::query_scalar!(
        "update accounts set email_confirmed_at = now(), confirm_token_hash = null
         where id = $1 and confirm_token_hash = $2 returning id",
        account.id,
        token_hash(token)
    )
    .fetch_optional(&mut *tx)
    .await?;
    if updated.is_none() {
        return Err(Error::validation(
            "Der Bestätigungslink ist ungültig. Bitte verwenden Sie den Link aus der neuesten E-Mail.",
        ));
    }
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Account(account.id),
            action: "account_confirmed",
            antrag: None,
            betrieb_id: None,
            details: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

struct AccountRef {
    id: i64,
    confirmed: bool,
}

async fn account_by_email(conn: &mut PgConnection, email: &EmailAddress) -> Result<AccountRef> {
    let row = sqlx::query!(
        "select id, email_confirmed_at from accounts where lower(email) = lower($1)",
        email.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        Error::not_found(format!(
            "Einen Account mit der E-Mail-Adresse {email} gibt es nicht."
        ))
    })?;
    Ok(AccountRef {
        id: row.id,
        confirmed: row.email_confirmed_at.is_some(),
    })
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
    pool: &PgPool,
    email: &EmailAddress,
    nummer: &Betriebsnummer,
    firmenname: &str,
) -> Result<Filed> {
    let mut tx = pool.begin().await?;
    let account = account_by_email(&mut tx, email).await?;
    if !account.confirmed {
        return Err(Error::validation(
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link aus der Registrierungs-E-Mail.",
        ));
    }
    let betrieb = sqlx::query!(
        "select id, firmenname, inhaber from betriebe where betriebsnummer = $1",
        nummer.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| unknown(nummer))?;
    if !firmenname_matches(firmenname, &betrieb.firmenname, &betrieb.inhaber) {
        return Err(Error::validation(format!(
            "Der angegebene Inhaber/Firmenname passt nicht zur Betriebsnummer {nummer}. Bitte geben Sie ihn so an, wie er auf der Handwerkskarte steht."
        )));
    }
    let linked = sqlx::query_scalar!(
        "select exists(select 1 from zuordnungen where account_id = $1 and betrieb_id = $2 and revoked_at is null) as \"e!\"",
        account.id,
        betrieb.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if linked {
        return Err(Error::conflict(format!(
            "Ihr Account ist dem Betrieb {nummer} bereits zugeordnet."
        )));
    }
    let antrag = sqlx::query!(
        "insert into antraege (account_id, betrieb_id, betriebsnummer_entered, firmenname_entered)
         values ($1, $2, $3, $4)
         on conflict (account_id, betrieb_id) where status in ('awaiting_code', 'in_review') do nothing
         returning nr, sent_at",
        account.id,
        betrieb.id,
        nummer.as_str(),
        firmenname.trim()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(antrag) = antrag else {
        let open = sqlx::query_scalar!(
            "select nr from antraege where account_id = $1 and betrieb_id = $2 and status in ('awaiting_code', 'in_review')",
            account.id,
            betrieb.id
        )
        .fetch_optional(&mut *tx)
        .await?;
        return Err(Error::conflict(match open {
            Some(nr) => format!(
                "Für diesen Betrieb gibt es bereits einen offenen Antrag (Antrag Nr. {nr})."
            ),
            None => "Für diesen Betrieb gibt es bereits einen offenen Antrag.".to_string(),
        }));
    };
    let nr = AntragNr::from_db(antrag.nr);
    let policy = policy::current(&mut tx).await?;
    let issued = issue(&mut tx, nr, &policy, None, None).await?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Account(account.id),
            action: "requested",
            antrag: Some(nr),
            betrieb_id: Some(betrieb.id),
            details: serde_json::json!({
                "betriebsnummer": nummer.as_str(), "firmenname": firmenname.trim(),
                "prefix": issued.prefix, "sent_to": issued.sent_to, "outbox_id": issued.outbox_id,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Filed {
        nr,
        sent_at: antrag.sent_at,
        status: AntragStatus::AwaitingCode,
        sent_to_masked: mask_email(&issued.sent_to),
        code_expires_at: issued.expires_at,
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
/// an attempt (committed even though the call fails); at the policy's limit the code locks.
pub async fn submit_code(
    pool: &PgPool,
    email: &EmailAddress,
    nr: AntragNr,
    input: &str,
) -> Result<Submitted> {
    let code = ConfirmationCode::parse(input)?;
    let mut tx = pool.begin().await?;
    let account = account_by_email(&mut tx, email).await?;
    own_antrag(&mut tx, account.id, nr).await?;
    let betrieb_id = lock_awaiting_code(&mut tx, nr).await?;
    let policy = policy::current(&mut tx).await?;
    let live = sqlx::query!(
        "select id, code_hash, expires_at, wrong_attempts from confirmation_codes
         where antrag_nr = $1 and consumed_at is null and superseded_at is null for update",
        nr.get()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        Error::conflict(format!(
            "Für Antrag Nr. {nr} gibt es keinen gültigen Code. Bitte fordern Sie einen neuen an."
        ))
    })?;
    if live.expires_at <= Utc::now() {
        return Err(Error::validation(format!(
            "Der Bestätigungs-Code für Antrag Nr. {nr} ist abgelaufen. Bitte fordern Sie einen neuen Code an."
        )));
    }
    if live.wrong_attempts >= policy.code_attempt_limit {
        return Err(locked(nr));
    }
    if live.code_hash != code.hash().0 {
        let refusal =
            record_wrong_code(&mut tx, nr, live.id, &code, &policy, account.id, betrieb_id).await?;
        tx.commit().await?;
        return Err(refusal);
    }
    sqlx::query!(
        "update confirmation_codes set consumed_at = now() where id = $1",
        live.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update antraege set code_confirmed_at = now() where nr = $1",
        nr.get()
    )
    .execute(&mut *tx)
    .await?;
    let to = if policy.auto_approve_on_code {
        AntragStatus::Approved
    } else {
        AntragStatus::InReview
    };
    let moved = transition(
        &mut tx,
        nr,
        &[AntragStatus::AwaitingCode],
        to,
        Decision {
            by_clerk: None,
            reason: None,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Account(account.id),
            action: "code_confirmed",
            antrag: Some(nr),
            betrieb_id: Some(betrieb_id),
            details: serde_json::json!({ "code_id": live.id }),
        },
    )
    .await?;
    if to == AntragStatus::Approved {
        // Approved by the portal on a correct code: the system, not a clerk, decided.
        complete_approval(&mut tx, nr, &moved, Actor::System, None).await?;
    }
    tx.commit().await?;
    Ok(Submitted { nr, status: to })
}

fn locked(nr: AntragNr) -> Error {
    Error::validation(format!(
        "Der Bestätigungs-Code für Antrag Nr. {nr} ist nach zu vielen Fehlversuchen gesperrt. Bitte fordern Sie einen neuen Code an."
    ))
}

/// Counts a wrong attempt and returns the explanation; the caller commits, so the count
/// survives the failed call. An old code replaced by a newer one is a mix-up, not a guess,
/// and does not count.
async fn record_wrong_code(
    conn: &mut PgConnection,
    nr: AntragNr,
    live_id: i64,
    code: &ConfirmationCode,
    policy: &policy::Policy,
    account_id: i64,
    betrieb_id: i64,
) -> Result<Error> {
    let superseded = sqlx::query_scalar!(
        "select exists(select 1 from confirmation_codes where antrag_nr = $1 and code_hash = $2) as \"e!\"",
        nr.get(),
        code.hash().0
    )
    .fetch_one(&mut *conn)
    .await?;
    if superseded {
        return Ok(Error::validation(
            "Dieser Bestätigungs-Code wurde durch einen neueren ersetzt. Bitte verwenden Sie den Code aus der neuesten E-Mail.",
        ));
    }
    let attempts = sqlx::query_scalar!(
        "update confirmation_codes set wrong_attempts = wrong_attempts + 1 where id = $1 returning wrong_attempts",
        live_id
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Event {
            actor: Actor::Account(account_id),
            action: "code_wrong",
            antrag: Some(nr),
            betrieb_id: Some(betrieb_id),
            details: serde_json::json!({ "attempts": attempts }),
        },
    )
    .await?;
    let left = policy.code_attempt_limit - attempts;
    Ok(if left <= 0 {
        locked(nr)
    } else {
        Error::validation(format!(
            "Der Bestätigungs-Code ist nicht richtig. Sie haben noch {left} {}.",
            if left == 1 { "Versuch" } else { "Versuche" }
        ))
    })
}

async fn own_antrag(conn: &mut PgConnection, account_id: i64, nr: AntragNr) -> Result<()> {
    let owner = sqlx::query_scalar!("select account_id from antraege where nr = $1", nr.get())
        .fetch_optional(&mut *conn)
        .await?;
    match owner {
        Some(owner) if owner == account_id => Ok(()),
        // Someone else's Antrag is, to this account, one that does not exist.
        _ => Err(not_found(nr)),
    }
}

/// "Ich habe keinen Bestätigungs-Code und möchte den Antrag zurückziehen".
pub async fn withdraw(pool: &PgPool, email: &EmailAddress, nr: AntragNr) -> Result<()> {
    let mut tx = pool.begin().await?;
    let account = account_by_email(&mut tx, email).await?;
    own_antrag(&mut tx, account.id, nr).await?;
    let moved = transition(
        &mut tx,
        nr,
        &[AntragStatus::AwaitingCode, AntragStatus::InReview],
        AntragStatus::Withdrawn,
        Decision {
            by_clerk: None,
            reason: None,
        },
    )
    .await?;
    crate::codes::retire_live_code(&mut tx, nr).await?;
    audit::record(
        &mut tx,
        Event {
            actor: Actor::Account(account.id),
            action: "withdrawn",
            antrag: Some(nr),
            betrieb_id: Some(moved.betrieb_id),
            details: serde_json::json!({ "from": moved.from.as_str(), "by": "requester" }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

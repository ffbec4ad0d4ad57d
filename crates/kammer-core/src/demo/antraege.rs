//! The Anträge with their fates (open, confirmed by code, approved by a clerk, withdrawn,
//! rejected, expired), their codes (one in twelve sent again), the Zuordnungen and the audit
//! trail, written with COPY in bounded batches.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::accounts::JUSTUS_ID;
use super::betriebe::Betrieb;
use super::logins::Clerks;
use super::names::{CLERK_APPROVE_REASONS, REJECT_REASONS};
use super::timeline::Timeline;
use super::{FLUSH_BYTES, Rng, SEED_PROGRESS_EVERY, TEST_ANTRAG_NR, assert_ids, ts};
use crate::Result;
use crate::copy_text::{Rows, copy};
use crate::domain::ConfirmationCode;

/// The COPY statements of the Anträge and what hangs off them, in the order their foreign
/// keys need.
const COPY_ANTRAEGE: &str = "COPY antraege (nr, account_id, betrieb_id, betriebsnummer_entered, firmenname_entered, status, sent_at,
                        code_confirmed_at, decided_at, decided_by, decision_reason, updated_at) FROM STDIN";
const COPY_CODES: &str = "COPY confirmation_codes (antrag_nr, code_hash, prefix, sent_to, issued_at, expires_at, consumed_at, superseded_at) FROM STDIN";
const COPY_RESENT_CODES: &str = "COPY confirmation_codes (antrag_nr, code_hash, prefix, sent_to, issued_at, expires_at, consumed_at, superseded_at,
                        issued_by, issue_reason) FROM STDIN";
const COPY_ZUORDNUNGEN: &str =
    "COPY zuordnungen (account_id, betrieb_id, antrag_nr, since) FROM STDIN";
const COPY_EVENTS: &str = "COPY audit_events (at, actor_kind, clerk_id, account_id, action, antrag_nr, betrieb_id, details) FROM STDIN";

/// Sends what the four buffers hold, Anträge first, and empties them.
async fn flush(
    conn: &mut PgConnection,
    antraege: &mut Rows,
    codes: &mut Rows,
    zuordnungen: &mut Rows,
    events: &mut Rows,
) -> Result<()> {
    for (statement, rows) in [
        (COPY_ANTRAEGE, antraege),
        (COPY_CODES, codes),
        (COPY_ZUORDNUNGEN, zuordnungen),
        (COPY_EVENTS, events),
    ] {
        if !rows.buf.is_empty() {
            copy(&mut *conn, statement, &rows.buf).await?;
            rows.buf.clear();
        }
    }
    Ok(())
}

/// How long a code is valid. The database's policy says the same for the codes it issues;
/// the bulk writes its codes itself.
const CODE_LIFETIME: Duration = Duration::days(14);

/// Who an audit event names: the kind of actor and, where one acted, the clerk or account.
#[derive(Clone, Copy)]
struct Actor {
    kind: &'static str,
    clerk_id: Option<i64>,
    account_id: Option<i64>,
}

impl Actor {
    const SYSTEM: Actor = Actor {
        kind: "system",
        clerk_id: None,
        account_id: None,
    };

    fn account(id: i64) -> Actor {
        Actor {
            kind: "account",
            clerk_id: None,
            account_id: Some(id),
        }
    }

    fn clerk(id: i64) -> Actor {
        Actor {
            kind: "clerk",
            clerk_id: Some(id),
            account_id: None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    AwaitingCode,
    InReview,
    ApprovedByCode,
    ApprovedByClerk,
    WithdrawnByRequester,
    WithdrawnByClerk,
    Rejected,
    Expired,
}

impl Fate {
    /// The decision's audit event is named after the status it leads to.
    fn status(self) -> &'static str {
        match self {
            Fate::AwaitingCode => "awaiting_code",
            Fate::InReview => "in_review",
            Fate::ApprovedByCode | Fate::ApprovedByClerk => "approved",
            Fate::WithdrawnByRequester | Fate::WithdrawnByClerk => "withdrawn",
            Fate::Rejected => "rejected",
            Fate::Expired => "expired",
        }
    }
}

/// The moments a fate put on an Antrag, as its columns hold them.
#[derive(Clone, Copy, Default)]
struct Decision {
    /// The requester entered the code.
    confirmed_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    /// A clerk decides only with a Begründung.
    decided_by: Option<i64>,
    reason: Option<&'static str>,
}

impl Decision {
    fn at(t: DateTime<Utc>) -> Decision {
        Decision {
            decided_at: Some(t),
            ..Decision::default()
        }
    }

    fn by_clerk(t: DateTime<Utc>, clerk_id: i64, reason: &'static str) -> Decision {
        Decision {
            decided_at: Some(t),
            decided_by: Some(clerk_id),
            reason: Some(reason),
            ..Decision::default()
        }
    }

    /// A confirmation uses the code in force up, a decision without it retires it, and an
    /// open Antrag keeps it live.
    fn code_end(&self) -> CodeEnd {
        match self.confirmed_at {
            Some(t) => CodeEnd {
                consumed_at: Some(t),
                superseded_at: None,
            },
            None => CodeEnd {
                consumed_at: None,
                superseded_at: self.decided_at,
            },
        }
    }

    /// The first thing that happened after the request; a resend can only come before it.
    fn first_after(&self) -> Option<DateTime<Utc>> {
        self.confirmed_at.or(self.decided_at)
    }
}

/// What the Anträge are made of.
pub(super) struct Plan<'a> {
    pub antraege_n: usize,
    pub accounts_n: usize,
    pub betriebe: &'a [Betrieb],
    pub test_betrieb_id: i64,
    pub timeline: &'a Timeline,
    pub clerks: &'a Clerks,
    pub now: DateTime<Utc>,
}

/// What came of them.
pub(super) struct Seeded {
    pub zuordnungen: u64,
    /// Antrag Nr. 178's first code, the one real code of the bulk.
    pub first_code_178: Option<ConfirmationCode>,
}

/// A requester and a Betrieb that have no Antrag together yet: one Antrag per pair, as the
/// portal allows.
fn draw_requester_and_betrieb(
    rng: &mut Rng,
    nr: i64,
    plan: &Plan<'_>,
    pairs: &mut HashSet<(i64, i64)>,
) -> (i64, i64) {
    loop {
        let acc = 2 + rng.below(plan.accounts_n as u64 - 1) as i64;
        // The Testbetrieb gets a share of the first Anträge, not of millions.
        let bet = if nr < 5_000 && rng.chance(2) {
            plan.test_betrieb_id
        } else {
            1 + rng.below(plan.betriebe.len() as u64) as i64
        };
        if pairs.insert((acc, bet)) {
            return (acc, bet);
        }
    }
}

/// Recent Anträge are mostly still open; older ones have mostly been decided.
fn draw_fate(
    rng: &mut Rng,
    sent_at: DateTime<Utc>,
    recent_from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Fate {
    let r = rng.below(100);
    if sent_at >= recent_from {
        match r {
            0..=54 => Fate::AwaitingCode,
            55..=74 => Fate::InReview,
            75..=89 => Fate::ApprovedByCode,
            _ => Fate::WithdrawnByRequester,
        }
    } else {
        match r {
            0..=59 => Fate::ApprovedByCode,
            60..=69 => Fate::ApprovedByClerk,
            70..=77 => Fate::WithdrawnByRequester,
            78..=81 => Fate::WithdrawnByClerk,
            82..=88 => Fate::Rejected,
            // Expiry needs the code lifetime to have passed before now.
            _ if sent_at + CODE_LIFETIME + Duration::days(1) < now => Fate::Expired,
            _ => Fate::WithdrawnByRequester,
        }
    }
}

/// As typed into the portal: mostly the Firmenname, sometimes the Inhaber, sometimes sloppy.
fn draw_entered_name(rng: &mut Rng, b: &Betrieb) -> String {
    match rng.below(10) {
        0..=6 => b.firmenname.clone(),
        7 | 8 => b.inhaber.clone(),
        _ => b.firmenname.to_lowercase(),
    }
}

/// A moment after `sent_at`, at most `max_minutes` later and never in the future: decisions
/// happen between filing and seeding.
fn decision_time(
    rng: &mut Rng,
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
    max_minutes: i64,
) -> DateTime<Utc> {
    let cap = ((now - sent_at).num_minutes() - 2).clamp(1, max_minutes);
    sent_at + Duration::minutes(1 + rng.below(cap as u64) as i64)
}

/// Draws when the fate struck and, for a clerk's decision, the Begründung.
fn decide(
    rng: &mut Rng,
    fate: Fate,
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
    clerks: &Clerks,
) -> Decision {
    let mut within_days = |days: i64| decision_time(rng, sent_at, now, 60 * 24 * days);
    match fate {
        Fate::AwaitingCode => Decision::default(),
        Fate::InReview => Decision {
            confirmed_at: Some(within_days(3)),
            ..Decision::default()
        },
        Fate::ApprovedByCode => {
            let t = within_days(6);
            Decision {
                confirmed_at: Some(t),
                ..Decision::at(t)
            }
        }
        Fate::ApprovedByClerk => {
            let t = within_days(12);
            Decision::by_clerk(t, clerks.sachbearbeitung, rng.pick(CLERK_APPROVE_REASONS))
        }
        Fate::WithdrawnByRequester => Decision::at(within_days(10)),
        Fate::WithdrawnByClerk => Decision::by_clerk(
            within_days(10),
            clerks.admin,
            "Antragsteller:in hat keinen Code erhalten und zieht den Antrag telefonisch zurück",
        ),
        Fate::Rejected => {
            let t = within_days(12);
            Decision::by_clerk(t, clerks.sachbearbeitung, rng.pick(REJECT_REASONS))
        }
        Fate::Expired => {
            let late = Duration::minutes(5 + rng.below(60 * 20) as i64);
            Decision::at(sent_at + CODE_LIFETIME + late)
        }
    }
}

/// The audit event of the decision, as (at, actor, details), named after the status; none
/// while the Antrag is open. `zuordnung_id` is the Zuordnung an approval made.
fn decision_event(
    fate: Fate,
    decision: &Decision,
    account_id: i64,
    zuordnung_id: u64,
) -> Option<(DateTime<Utc>, Actor, String)> {
    let at = decision.decided_at?;
    // Who gave a Begründung decided; else the requester withdrew, or the system acted.
    let actor = match decision.decided_by {
        Some(clerk_id) => Actor::clerk(clerk_id),
        None if fate == Fate::WithdrawnByRequester => Actor::account(account_id),
        None => Actor::SYSTEM,
    };
    let reason = decision.reason.unwrap_or_default();
    let details = match fate {
        Fate::AwaitingCode | Fate::InReview => return None,
        Fate::ApprovedByCode => format!(
            r#"{{"from": "awaiting_code", "reason": null, "without_code": false, "zuordnung_id": {zuordnung_id}}}"#
        ),
        Fate::ApprovedByClerk => format!(
            r#"{{"from": "awaiting_code", "reason": "{reason}", "without_code": true, "zuordnung_id": {zuordnung_id}}}"#
        ),
        Fate::WithdrawnByRequester => r#"{"from": "awaiting_code", "by": "requester"}"#.to_string(),
        Fate::WithdrawnByClerk | Fate::Rejected => {
            format!(r#"{{"from": "awaiting_code", "reason": "{reason}"}}"#)
        }
        Fate::Expired => r#"{"reason": "code_not_used_in_time"}"#.to_string(),
    };
    Some((at, actor, details))
}

/// A code as the COPY writes it: its hash as a `bytea` literal, and its prefix.
struct DrawnCode {
    hash: String,
    prefix: String,
}

/// How a code's life ended, if it has.
#[derive(Clone, Copy)]
struct CodeEnd {
    consumed_at: Option<DateTime<Utc>>,
    superseded_at: Option<DateTime<Utc>>,
}

/// A code sent again before anything else happened; it takes over the first code's fate.
struct Resend {
    at: DateTime<Utc>,
    /// The hotline clerk who resent it after a call; `None` when the requester filled in
    /// the form again.
    hotline: Option<i64>,
    code: DrawnCode,
}

impl Resend {
    fn reason(&self) -> &'static str {
        match self.hotline {
            Some(_) => "Anruf: Code nicht erhalten",
            None => "erneute Formularanforderung",
        }
    }
}

fn bytea(hash: &[u8]) -> String {
    format!("\\x{}", hex::encode(hash))
}

/// Bulk codes nobody knows: a hash of random bytes is as good as any.
fn unknown_code_hash(rng: &mut Rng) -> String {
    use sha2::{Digest, Sha256};
    bytea(&Sha256::digest(rng.bytes32()))
}

fn draw_prefix(rng: &mut Rng) -> String {
    hex::encode(&rng.bytes32()[..3])
}

/// Code #1 of an Antrag, and for Antrag 178 the code itself: its mail is written later, the
/// one real code of the bulk.
fn draw_first_code(rng: &mut Rng, nr: i64) -> (DrawnCode, Option<ConfirmationCode>) {
    if nr == TEST_ANTRAG_NR {
        let code = ConfirmationCode::generate();
        let drawn = DrawnCode {
            hash: bytea(&code.hash().0),
            prefix: code.prefix().to_string(),
        };
        return (drawn, Some(code));
    }
    let hash = unknown_code_hash(rng);
    let prefix = draw_prefix(rng);
    (DrawnCode { hash, prefix }, None)
}

/// About one Antrag in twelve had its code sent again before `first_after` (the first thing
/// after the request); never an expired one, whose requester did nothing.
fn draw_resend(
    rng: &mut Rng,
    fate: Fate,
    sent_at: DateTime<Utc>,
    first_after: DateTime<Utc>,
    hotline_id: i64,
) -> Option<Resend> {
    let gap = (first_after - sent_at).num_minutes();
    if fate == Fate::Expired || gap < 3 || !rng.chance(8) {
        return None;
    }
    let at = sent_at + Duration::minutes(1 + rng.below((gap - 2).min(60 * 24 * 3) as u64) as i64);
    let hotline = rng.chance(40).then_some(hotline_id);
    // Prefix before hash, the other way round than a first code: the order of the draws is
    // part of the data.
    let prefix = draw_prefix(rng);
    let hash = unknown_code_hash(rng);
    Some(Resend {
        at,
        hotline,
        code: DrawnCode { hash, prefix },
    })
}

/// The columns both COPYs of codes share; the caller adds its own and ends the row.
fn code_row<'r>(
    rows: &'r mut Rows,
    nr: i64,
    code: &DrawnCode,
    sent_to: &str,
    issued_at: DateTime<Utc>,
    end: CodeEnd,
) -> &'r mut Rows {
    rows.col(&nr.to_string())
        .col(&code.hash)
        .col(&code.prefix)
        .col(sent_to)
        .col(&ts(issued_at))
        .col(&ts(issued_at + CODE_LIFETIME))
        .opt(end.consumed_at.map(ts).as_deref())
        .opt(end.superseded_at.map(ts).as_deref())
}

pub(super) async fn seed_antraege(
    tx: &mut PgConnection,
    rng: &mut Rng,
    plan: &Plan<'_>,
    step: &(dyn Fn(&'static str, usize, usize) + Send + Sync),
) -> Result<Seeded> {
    let Plan {
        antraege_n,
        betriebe,
        test_betrieb_id,
        timeline,
        clerks,
        now,
        ..
    } = *plan;
    let justus_id = JUSTUS_ID;
    let (sent, recent_from) = (&timeline.sent, timeline.recent_from);
    let mut pairs: HashSet<(i64, i64)> = HashSet::new();
    pairs.insert((justus_id, test_betrieb_id));
    let mut antraege = Rows::new();
    let mut codes = Rows::new();
    let mut zuordnungen = Rows::new();
    let mut events = Rows::new();
    let mut resent_codes = Rows::new();
    let mut resent_n = 0i64;
    let hotline_id = clerks.hotline;
    let mut zuordnungen_n = 0u64;
    let mut first_code_178: Option<ConfirmationCode> = None;
    for nr in 1..=antraege_n as i64 {
        if (nr as u64 - 1).is_multiple_of(SEED_PROGRESS_EVERY) {
            step("Anträge", nr as usize - 1, antraege_n);
        }
        let sent_at = sent[nr as usize - 1];
        let (account_id, betrieb_id) = if nr == TEST_ANTRAG_NR {
            (justus_id, test_betrieb_id)
        } else {
            draw_requester_and_betrieb(rng, nr, plan, &mut pairs)
        };
        let fate = if nr == TEST_ANTRAG_NR {
            Fate::AwaitingCode
        } else {
            draw_fate(rng, sent_at, recent_from, now)
        };
        let b = &betriebe[betrieb_id as usize - 1];
        let entered_name = if nr == TEST_ANTRAG_NR {
            "Testbetrieb".to_string()
        } else {
            draw_entered_name(rng, b)
        };
        let decision = decide(rng, fate, sent_at, now, clerks);
        let status = fate.status();
        if status == "approved" {
            zuordnungen_n += 1;
        }
        let acc_actor = Actor::account(account_id);
        let resend = if nr == TEST_ANTRAG_NR {
            None
        } else {
            let first_after = decision.first_after().unwrap_or(now);
            draw_resend(rng, fate, sent_at, first_after, hotline_id)
        };
        let (first_code, code_178) = draw_first_code(rng, nr);
        if code_178.is_some() {
            first_code_178 = code_178;
        }
        let mut code_in_force = nr;
        let mut first_code_end = decision.code_end();
        if let Some(r) = &resend {
            resent_n += 1;
            code_in_force = antraege_n as i64 + resent_n;
            code_row(
                &mut resent_codes,
                nr,
                &r.code,
                &b.email,
                r.at,
                decision.code_end(),
            )
            .opt(r.hotline.map(|id| id.to_string()).as_deref())
            .col(r.reason());
            resent_codes.end();
            // The first code was superseded by the new one, which took over its fate.
            first_code_end = CodeEnd {
                consumed_at: None,
                superseded_at: Some(r.at),
            };
        }
        let updated_at = decision
            .decided_at
            .or(decision.confirmed_at)
            .or(resend.as_ref().map(|r| r.at))
            .unwrap_or(sent_at);
        antraege
            .col(&nr.to_string())
            .col(&account_id.to_string())
            .col(&betrieb_id.to_string())
            .col(&b.nummer)
            .col(&entered_name)
            .col(status)
            .col(&ts(sent_at))
            .opt(decision.confirmed_at.map(ts).as_deref())
            .opt(decision.decided_at.map(ts).as_deref())
            .opt(decision.decided_by.map(|d| d.to_string()).as_deref())
            .opt(decision.reason)
            .col(&ts(updated_at));
        antraege.end();
        code_row(
            &mut codes,
            nr,
            &first_code,
            &b.email,
            sent_at,
            first_code_end,
        )
        .end();
        let prefix = &first_code.prefix;

        let requested = format!(
            r#"{{"betriebsnummer": "{}", "firmenname": {}, "prefix": "{prefix}", "sent_to": "{}", "outbox_id": {}}}"#,
            b.nummer,
            serde_json::Value::String(entered_name.clone()),
            b.email,
            // The first mail of Antrag 178 is the outbox's first row (checked when it is written).
            if nr == TEST_ANTRAG_NR { "1" } else { "null" }
        );
        let mut event = |at: DateTime<Utc>, actor: Actor, action: &str, details: &str| {
            events
                .col(&ts(at))
                .col(actor.kind)
                .opt(actor.clerk_id.map(|c| c.to_string()).as_deref())
                .opt(actor.account_id.map(|c| c.to_string()).as_deref())
                .col(action)
                .col(&nr.to_string())
                .col(&betrieb_id.to_string())
                .col(details);
            events.end();
        };
        event(sent_at, acc_actor, "requested", &requested);
        if let Some(r) = &resend {
            let actor = r.hotline.map_or(acc_actor, Actor::clerk);
            let details = format!(
                r#"{{"reason": "{}", "prefix": "{}", "sent_to": "{}", "code_id": {code_in_force}, "outbox_id": null}}"#,
                r.reason(),
                r.code.prefix,
                b.email
            );
            event(r.at, actor, "code_resent", &details);
        }
        if let Some(at) = decision.confirmed_at {
            let details = format!(r#"{{"code_id": {code_in_force}}}"#);
            event(at, acc_actor, "code_confirmed", &details);
        }
        if let Some((at, actor, details)) =
            decision_event(fate, &decision, account_id, zuordnungen_n)
        {
            event(at, actor, status, &details);
        }
        if status == "approved" {
            zuordnungen
                .col(&account_id.to_string())
                .col(&betrieb_id.to_string())
                .col(&nr.to_string())
                .col(&ts(decision.decided_at.unwrap_or(sent_at)));
            zuordnungen.end();
        }
        if antraege.buf.len() + events.buf.len() >= FLUSH_BYTES {
            flush(tx, &mut antraege, &mut codes, &mut zuordnungen, &mut events).await?;
        }
    }
    flush(tx, &mut antraege, &mut codes, &mut zuordnungen, &mut events).await?;
    sqlx::query("select setval('antrag_nr_seq', (select max(nr) from antraege))")
        .execute(&mut *tx)
        .await?;
    // Resent codes after every first code, so the first code of Antrag n keeps id n.
    copy(tx, COPY_RESENT_CODES, &resent_codes.buf).await?;
    drop(resent_codes);
    assert_ids(
        tx,
        "confirmation_codes",
        antraege_n as u64 + resent_n as u64,
    )
    .await?;
    assert_ids(tx, "zuordnungen", zuordnungen_n).await?;
    Ok(Seeded {
        zuordnungen: zuordnungen_n,
        first_code_178,
    })
}

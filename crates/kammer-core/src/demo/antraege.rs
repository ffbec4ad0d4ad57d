//! The Anträge with their fates (open, confirmed by code, approved by a clerk, withdrawn,
//! rejected, expired), their codes (one in twelve sent again), the Zuordnungen and the audit
//! trail, written with COPY in bounded batches.
//!
//! Each Antrag is drawn whole ([`draw_antrag`]) before it is written ([`Batch::add`]): what
//! is written later depends on draws made earlier (a resend fits before the decision, the
//! confirmation names the code in force), and the order of the draws is part of the data.

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

/// The policy's default code lifetime: the bulk writes its codes itself, not through the
/// database, which would take it from the policy.
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

pub(super) async fn seed_antraege(
    tx: &mut PgConnection,
    rng: &mut Rng,
    plan: &Plan<'_>,
    step: &(dyn Fn(&'static str, usize, usize) + Send + Sync),
) -> Result<Seeded> {
    let mut pairs: HashSet<(i64, i64)> = HashSet::new();
    pairs.insert((JUSTUS_ID, plan.test_betrieb_id));
    let mut batch = Batch::new(plan.antraege_n);
    let mut first_code_178 = None;
    for nr in 1..=plan.antraege_n as i64 {
        if (nr as u64 - 1).is_multiple_of(SEED_PROGRESS_EVERY) {
            step("Anträge", nr as usize - 1, plan.antraege_n);
        }
        let (antrag, code_178) = draw_antrag(rng, nr, plan, &mut pairs);
        first_code_178 = first_code_178.or(code_178);
        batch.add(&antrag);
        if batch.is_full() {
            batch.flush(tx).await?;
        }
    }
    let zuordnungen = batch.finish(tx).await?;
    Ok(Seeded {
        zuordnungen,
        first_code_178,
    })
}

/// One Antrag as drawn: what its rows are written from.
struct Antrag<'a> {
    nr: i64,
    account_id: i64,
    betrieb_id: i64,
    betrieb: &'a Betrieb,
    entered_name: String,
    sent_at: DateTime<Utc>,
    fate: Fate,
    decision: Decision,
    first_code: DrawnCode,
    resend: Option<Resend>,
}

/// Draws Antrag `nr`, and for Antrag 178 returns its first code too. Every draw from `rng` is
/// part of the data, so their order must stay as it is. Antrag 178 is the how-to's: fixed,
/// still waiting for its code, and sent again later by the database itself.
fn draw_antrag<'a>(
    rng: &mut Rng,
    nr: i64,
    plan: &Plan<'a>,
    pairs: &mut HashSet<(i64, i64)>,
) -> (Antrag<'a>, Option<ConfirmationCode>) {
    let is_178 = nr == TEST_ANTRAG_NR;
    let sent_at = plan.timeline.sent[nr as usize - 1];
    let (account_id, betrieb_id) = if is_178 {
        (JUSTUS_ID, plan.test_betrieb_id)
    } else {
        draw_requester_and_betrieb(rng, nr, plan, pairs)
    };
    let fate = if is_178 {
        Fate::AwaitingCode
    } else {
        draw_fate(rng, sent_at, plan.timeline.recent_from, plan.now)
    };
    let betrieb = &plan.betriebe[betrieb_id as usize - 1];
    let entered_name = if is_178 {
        "Testbetrieb".to_string()
    } else {
        draw_entered_name(rng, betrieb)
    };
    let decision = decide(rng, fate, sent_at, plan.now, plan.clerks);
    let resend = if is_178 {
        None
    } else {
        let first_after = decision.first_after().unwrap_or(plan.now);
        draw_resend(rng, fate, sent_at, first_after, plan.clerks.hotline)
    };
    let (first_code, code_178) = draw_first_code(rng, nr);
    let antrag = Antrag {
        nr,
        account_id,
        betrieb_id,
        betrieb,
        entered_name,
        sent_at,
        fate,
        decision,
        first_code,
        resend,
    };
    (antrag, code_178)
}

impl Antrag<'_> {
    fn updated_at(&self) -> DateTime<Utc> {
        self.decision
            .decided_at
            .or(self.decision.confirmed_at)
            .or(self.resend.as_ref().map(|r| r.at))
            .unwrap_or(self.sent_at)
    }

    /// The decision's audit event, as (at, actor, details), named after the status; none
    /// while the Antrag is open. `zuordnung_id` is the Zuordnung an approval made.
    fn decision_event(&self, zuordnung_id: u64) -> Option<(DateTime<Utc>, Actor, String)> {
        let decision = &self.decision;
        let at = decision.decided_at?;
        // Who gave a Begründung decided; else the requester withdrew, or the system acted.
        let actor = match decision.decided_by {
            Some(clerk_id) => Actor::clerk(clerk_id),
            None if self.fate == Fate::WithdrawnByRequester => Actor::account(self.account_id),
            None => Actor::SYSTEM,
        };
        let reason = decision.reason.unwrap_or_default();
        let details = match self.fate {
            Fate::AwaitingCode | Fate::InReview => return None,
            Fate::ApprovedByCode => format!(
                r#"{{"from": "awaiting_code", "reason": null, "without_code": false, "zuordnung_id": {zuordnung_id}}}"#
            ),
            Fate::ApprovedByClerk => format!(
                r#"{{"from": "awaiting_code", "reason": "{reason}", "without_code": true, "zuordnung_id": {zuordnung_id}}}"#
            ),
            Fate::WithdrawnByRequester => {
                r#"{"from": "awaiting_code", "by": "requester"}"#.to_string()
            }
            Fate::WithdrawnByClerk | Fate::Rejected => {
                format!(r#"{{"from": "awaiting_code", "reason": "{reason}"}}"#)
            }
            Fate::Expired => r#"{"reason": "code_not_used_in_time"}"#.to_string(),
        };
        Some((at, actor, details))
    }
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

/// The fate says what happened; this draws when, and for a clerk's decision the Begründung.
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

/// The COPY rows not sent yet, and the ids handed out so far: an empty table numbers its rows
/// in the order they are copied (checked at the end), so the ids are known before the rows
/// are sent.
struct Batch {
    antraege: Rows,
    codes: Rows,
    zuordnungen: Rows,
    events: Rows,
    /// Sent only at the end, after every first code, so the first code of Antrag n keeps id n.
    resent_codes: Rows,
    antraege_n: u64,
    resent_n: u64,
    zuordnungen_n: u64,
}

impl Batch {
    fn new(antraege_n: usize) -> Batch {
        Batch {
            antraege: Rows::new(),
            codes: Rows::new(),
            zuordnungen: Rows::new(),
            events: Rows::new(),
            resent_codes: Rows::new(),
            antraege_n: antraege_n as u64,
            resent_n: 0,
            zuordnungen_n: 0,
        }
    }

    /// Writes the Antrag's rows and what hangs off them.
    fn add(&mut self, a: &Antrag) {
        let code_in_force = self.add_codes(a);
        self.add_antrag(a);
        if a.fate.status() == "approved" {
            self.zuordnungen_n += 1;
            self.add_zuordnung(a);
        }
        self.add_audit_trail(a, code_in_force);
    }

    fn add_antrag(&mut self, a: &Antrag) {
        let d = &a.decision;
        self.antraege
            .col(&a.nr.to_string())
            .col(&a.account_id.to_string())
            .col(&a.betrieb_id.to_string())
            .col(&a.betrieb.nummer)
            .col(&a.entered_name)
            .col(a.fate.status())
            .col(&ts(a.sent_at))
            .opt(d.confirmed_at.map(ts).as_deref())
            .opt(d.decided_at.map(ts).as_deref())
            .opt(d.decided_by.map(|c| c.to_string()).as_deref())
            .opt(d.reason)
            .col(&ts(a.updated_at()));
        self.antraege.end();
    }

    /// Writes the first code and a resent one; returns the id of the code in force, the one
    /// the requester confirmed with.
    fn add_codes(&mut self, a: &Antrag) -> i64 {
        let sent_to = &a.betrieb.email;
        let first_end = match &a.resend {
            // The first code was superseded by the new one, which took over its fate.
            Some(r) => CodeEnd {
                consumed_at: None,
                superseded_at: Some(r.at),
            },
            None => a.decision.code_end(),
        };
        code_row(
            &mut self.codes,
            a.nr,
            &a.first_code,
            sent_to,
            a.sent_at,
            first_end,
        )
        .end();
        let Some(r) = &a.resend else {
            return a.nr;
        };
        let end = a.decision.code_end();
        code_row(&mut self.resent_codes, a.nr, &r.code, sent_to, r.at, end)
            .opt(r.hotline.map(|id| id.to_string()).as_deref())
            .col(r.reason());
        self.resent_codes.end();
        self.resent_n += 1;
        (self.antraege_n + self.resent_n) as i64
    }

    fn add_zuordnung(&mut self, a: &Antrag) {
        self.zuordnungen
            .col(&a.account_id.to_string())
            .col(&a.betrieb_id.to_string())
            .col(&a.nr.to_string())
            .col(&ts(a.decision.decided_at.unwrap_or(a.sent_at)));
        self.zuordnungen.end();
    }

    /// The Antrag's audit events in the order they happened: requested, code resent, code
    /// confirmed, decided.
    fn add_audit_trail(&mut self, a: &Antrag, code_in_force: i64) {
        let b = a.betrieb;
        let requester = Actor::account(a.account_id);
        let requested = format!(
            r#"{{"betriebsnummer": "{}", "firmenname": {}, "prefix": "{}", "sent_to": "{}", "outbox_id": {}}}"#,
            b.nummer,
            serde_json::Value::String(a.entered_name.clone()),
            a.first_code.prefix,
            b.email,
            // The first mail of Antrag 178 is the outbox's first row (checked when it is written).
            if a.nr == TEST_ANTRAG_NR { "1" } else { "null" }
        );
        self.add_event(a, a.sent_at, requester, "requested", &requested);
        if let Some(r) = &a.resend {
            let actor = r.hotline.map_or(requester, Actor::clerk);
            let details = format!(
                r#"{{"reason": "{}", "prefix": "{}", "sent_to": "{}", "code_id": {code_in_force}, "outbox_id": null}}"#,
                r.reason(),
                r.code.prefix,
                b.email
            );
            self.add_event(a, r.at, actor, "code_resent", &details);
        }
        if let Some(at) = a.decision.confirmed_at {
            let details = format!(r#"{{"code_id": {code_in_force}}}"#);
            self.add_event(a, at, requester, "code_confirmed", &details);
        }
        if let Some((at, actor, details)) = a.decision_event(self.zuordnungen_n) {
            self.add_event(a, at, actor, a.fate.status(), &details);
        }
    }

    fn add_event(
        &mut self,
        a: &Antrag,
        at: DateTime<Utc>,
        actor: Actor,
        action: &str,
        details: &str,
    ) {
        self.events
            .col(&ts(at))
            .col(actor.kind)
            .opt(actor.clerk_id.map(|c| c.to_string()).as_deref())
            .opt(actor.account_id.map(|c| c.to_string()).as_deref())
            .col(action)
            .col(&a.nr.to_string())
            .col(&a.betrieb_id.to_string())
            .col(details);
        self.events.end();
    }

    /// Bounds memory at millions of Anträge; the Anträge and their events are most of it.
    fn is_full(&self) -> bool {
        self.antraege.buf.len() + self.events.buf.len() >= FLUSH_BYTES
    }

    /// Sends what the four buffers hold, Anträge first for the foreign keys, and empties them.
    async fn flush(&mut self, conn: &mut PgConnection) -> Result<()> {
        for (statement, rows) in [
            (COPY_ANTRAEGE, &mut self.antraege),
            (COPY_CODES, &mut self.codes),
            (COPY_ZUORDNUNGEN, &mut self.zuordnungen),
            (COPY_EVENTS, &mut self.events),
        ] {
            if !rows.buf.is_empty() {
                copy(&mut *conn, statement, &rows.buf).await?;
                rows.buf.clear();
            }
        }
        Ok(())
    }

    /// Sends the rest and the resent codes, and checks the ids the rows got; returns the
    /// number of Zuordnungen.
    async fn finish(mut self, conn: &mut PgConnection) -> Result<u64> {
        self.flush(conn).await?;
        // The numbers were given here, not by the sequence: the portal's next Antrag follows.
        sqlx::query("select setval('antrag_nr_seq', (select max(nr) from antraege))")
            .execute(&mut *conn)
            .await?;
        copy(conn, COPY_RESENT_CODES, &self.resent_codes.buf).await?;
        drop(self.resent_codes);
        assert_ids(conn, "confirmation_codes", self.antraege_n + self.resent_n).await?;
        assert_ids(conn, "zuordnungen", self.zuordnungen_n).await?;
        Ok(self.zuordnungen_n)
    }
}

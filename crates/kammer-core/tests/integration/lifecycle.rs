use crate::common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege::{self, AntragAction, AntragFilter, ApprovalOutcome, Cursor};
use kammer_core::betriebe;
use kammer_core::codes::{self, CodeVerdict};
use kammer_core::domain::{AntragStatus, Reason};
use kammer_core::expiry;
use kammer_core::policy::PolicyChange;
use kammer_core::portal;
use kammer_core::zuordnungen;
use sqlx::PgPool;

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn right_code_auto_approves(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let filed = portal::request_zuordnung(&f.portal, &f.email, &f.nummer, "test betrieb")
        .await
        .unwrap();
    let nr = filed.nr;
    assert_eq!(filed.status, AntragStatus::AwaitingCode);
    let recipients: Vec<String> =
        sqlx::query_scalar("select recipient from mail_outbox where antrag_nr = $1")
            .bind(nr.get())
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(recipients, vec![BETRIEB_EMAIL.to_string()]);
    assert_ne!(recipients[0], ACCOUNT_EMAIL);
    let sent_to: String =
        sqlx::query_scalar("select sent_to from confirmation_codes where antrag_nr = $1")
            .bind(nr.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(sent_to, BETRIEB_EMAIL);

    let code = code_from_outbox(&pool, nr).await;
    // Forgiving input: upper case and blanks.
    let pasted = format!("{} {}", code[..32].to_uppercase(), &code[32..]);
    let s = portal::submit_code(&f.portal, &f.email, nr, &pasted)
        .await
        .unwrap();
    assert_eq!(s.status, AntragStatus::Approved);
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let actions = audit_actions(&pool, nr).await;
    for a in ["requested", "code_confirmed", "approved"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
    }
    let detail = antraege::show(&f.sb, nr).await.unwrap();
    assert_eq!(detail.summary.status, AntragStatus::Approved);
    assert!(detail.code_confirmed_at.is_some());
    assert_eq!(detail.betrieb_email, BETRIEB_EMAIL);
    // The consumed code cannot be used again.
    assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    // A second Antrag for a Betrieb already linked is refused.
    assert_kind(
        portal::request_zuordnung(&f.portal, &f.email, &f.nummer, FIRMA).await,
        ErrorKind::Conflict,
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn without_auto_approve_clerk_approves(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    assert_eq!(status(&pool, nr).await, "in_review");
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    let approved = antraege::approve(&f.sb, nr, None).await.unwrap();
    assert_eq!(approved.outcome, ApprovalOutcome::Approved);
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let z: i64 = sqlx::query_scalar("select id from zuordnungen where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(Some(z), approved.zuordnung_id);
    // Revoke, then revoke again: conflict.
    zuordnungen::revoke(&f.sb, z, &reason("Mitarbeiterin ausgeschieden"))
        .await
        .unwrap();
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    assert_kind(
        zuordnungen::revoke(&f.sb, z, &reason("nochmal")).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        zuordnungen::revoke(&f.sb, 999_999, &reason("gibt es nicht")).await,
        ErrorKind::NotFound,
    );
    // After revoking, a new Antrag is possible again.
    f.file().await;
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_supersedes_old_code(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let nr = f.file().await;
    let old = code_from_outbox(&pool, nr).await;
    let resent = codes::resend(&f.hotline, nr, &reason("Mail nicht angekommen"))
        .await
        .unwrap();
    assert_eq!(resent.sent_to, BETRIEB_EMAIL);
    let new = code_from_outbox(&pool, nr).await;
    assert_ne!(old, new);
    assert_eq!(resent.prefix, new[..6]);
    let before = wrong_attempts(&pool, nr).await;
    let e = assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &old).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("ersetzt"), "{}", e.message());
    assert_eq!(
        wrong_attempts(&pool, nr).await,
        before,
        "superseded code must not count"
    );
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    portal::submit_code(&f.portal, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(
        consumed_codes(&pool, nr).await,
        vec![(new[..6].to_string(), true)]
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_cooldown_and_daily_limit(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    // Default cooldown (60 s) refuses an immediate resend.
    let codes_before = count(&pool, "confirmation_codes").await;
    let e = assert_kind(
        codes::resend(&f.hotline, nr, &reason("sofort")).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("Sekunden"), "{}", e.message());
    assert_eq!(count(&pool, "confirmation_codes").await, codes_before);
    // Without cooldown the daily limit applies: 3 sends in total.
    f.set_policy(PolicyChange {
        resend_cooldown_seconds: Some(0),
        sends_per_day: Some(3),
        ..Default::default()
    })
    .await;
    codes::resend(&f.hotline, nr, &reason("zweiter"))
        .await
        .unwrap();
    codes::resend(&f.hotline, nr, &reason("dritter"))
        .await
        .unwrap();
    let outbox = count(&pool, "mail_outbox").await;
    let e = assert_kind(
        codes::resend(&f.hotline, nr, &reason("vierter")).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("24 Stunden"), "{}", e.message());
    assert_eq!(count(&pool, "mail_outbox").await, outbox);
    assert_eq!(codes_issued(&pool, nr).await, 3);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn attempt_limit_locks_and_resend_unlocks(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let nr = f.file().await;
    let right = code_from_outbox(&pool, nr).await;
    for i in 1..=5 {
        assert_kind(
            portal::submit_code(&f.portal, &f.email, nr, &wrong_code()).await,
            ErrorKind::Validation,
        );
        assert_eq!(wrong_attempts(&pool, nr).await, i);
    }
    let e = assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &right).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("gesperrt"), "{}", e.message());
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    let chk = codes::check(&f.hotline, nr, &right).await.unwrap();
    assert_eq!(chk.verdict, CodeVerdict::Locked);
    codes::resend(&f.hotline, nr, &reason("gesperrt"))
        .await
        .unwrap();
    let new = code_from_outbox(&pool, nr).await;
    assert_ne!(new, right);
    portal::submit_code(&f.portal, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn check_verdicts_do_not_count_attempts(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let nr = f.file().await;
    let old = code_from_outbox(&pool, nr).await;
    let chk = codes::check(&f.hotline, nr, &old).await.unwrap();
    assert_eq!(chk.verdict, CodeVerdict::Valid);
    assert_eq!(chk.current_prefix.as_deref(), Some(&old[..6]));
    codes::resend(&f.hotline, nr, &reason("neu")).await.unwrap();
    let new = code_from_outbox(&pool, nr).await;
    assert_eq!(
        codes::check(&f.hotline, nr, &old).await.unwrap().verdict,
        CodeVerdict::Superseded
    );
    assert_eq!(
        codes::check(&f.hotline, nr, &wrong_code())
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Wrong
    );
    assert_eq!(
        codes::check(&f.hotline, nr, &new).await.unwrap().verdict,
        CodeVerdict::Valid
    );
    assert_eq!(wrong_attempts(&pool, nr).await, 0);
    let total: i64 =
        sqlx::query_scalar("select sum(wrong_attempts)::bigint from confirmation_codes")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(total, 0);
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    portal::submit_code(&f.portal, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(
        codes::check(&f.hotline, nr, &new).await.unwrap().verdict,
        CodeVerdict::Consumed
    );
    let infos = codes::inspect(&f.hotline, nr).await.unwrap();
    assert_eq!(infos.len(), 2);
    // Every check is in the Antrag's history, with the hotline's own login.
    let checks: Vec<String> = sqlx::query_scalar(
        "select login from audit_events where antrag_nr = $1 and action = 'code_checked'",
    )
    .bind(nr.get())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(checks.len(), 5);
    assert!(
        checks.iter().all(|l| *l == f.hotline.username),
        "{checks:?}"
    );
}

/// The expiry job runs as the reporting service (`kammerctl expire` from cron); a clerk's
/// login may not run it.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn expiry_expires_overdue(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let other = f.file_for(&pool, "1234567").await;
    let code = code_from_outbox(&pool, nr).await;
    assert!(
        expiry::expire_overdue(&f.reporting)
            .await
            .unwrap()
            .is_empty()
    );
    expire_codes(&pool, nr).await;
    assert_eq!(
        codes::check(&f.hotline, nr, &code).await.unwrap().verdict,
        CodeVerdict::Expired
    );
    // The requester's late submission is refused; the job, which waits for row locks rather
    // than skipping them, then still finds the Antrag.
    let e = assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &code).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("abgelaufen"), "{}", e.message());

    // Not a clerk's job, not even an administrator's: refused, nothing changed.
    let before = snapshot(&pool).await;
    for s in [&f.hotline, &f.sb, &f.admin] {
        assert_kind(expiry::expire_overdue(s.pool()).await, ErrorKind::Forbidden);
    }
    assert_kind(
        expiry::expire_overdue(&f.portal).await,
        ErrorKind::Forbidden,
    );
    assert_eq!(snapshot(&pool).await, before);

    assert_eq!(
        expiry::expire_overdue(&f.reporting).await.unwrap(),
        vec![nr.get()]
    );
    assert_eq!(status(&pool, nr).await, "expired");
    assert_eq!(status(&pool, other).await, "awaiting_code");
    let (actor, login): (String, String) = sqlx::query_as(
        "select actor_kind, login from audit_events where antrag_nr = $1 and action = 'expired'",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), login),
        ("system", login_of(&f, "reporting"))
    );
    // The queued mail of the expired code is not sent any more, and its code is gone.
    let (mail_status, cancel_reason) = mail_state(&pool, nr).await;
    assert_eq!(
        (mail_status.as_str(), cancel_reason.as_deref()),
        ("cancelled", Some("expired"))
    );
    assert_eq!(plaintexts(&pool, nr).await, 0);
    assert!(
        expiry::expire_overdue(&f.reporting)
            .await
            .unwrap()
            .is_empty()
    );
    assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
}

fn login_of(f: &Fixture, name: &str) -> String {
    login(&f.tag, name)
}

/// Approving without the code needs a reason and, by default, a second Sachbearbeitung
/// clerk: the first call only asks for it (four eyes; before, one clerk's call
/// approved).
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn approve_from_awaiting_code_needs_reason(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    let before = snapshot(&pool).await;
    let e = assert_kind(
        antraege::approve(&f.sb, nr, None).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("Begründung"), "{}", e.message());
    assert_eq!(snapshot(&pool).await, before);
    let first = antraege::approve(&f.sb, nr, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(
        (first.outcome, first.zuordnung_id),
        (ApprovalOutcome::AwaitingSecond, None)
    );
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    let second = antraege::approve(&f.sb2, nr, None).await.unwrap();
    assert_eq!(second.outcome, ApprovalOutcome::Approved);
    assert!(second.zuordnung_id.is_some());
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    // The live code was retired with the approval, and says so (not "replaced by a newer one").
    let check = codes::check(&f.hotline, nr, &code).await.unwrap();
    assert_eq!(check.verdict, CodeVerdict::Superseded);
    assert!(
        check.message.contains("bereits entschieden"),
        "{}",
        check.message
    );
    let detail = antraege::show(&f.hotline, nr).await.unwrap();
    assert_eq!(detail.codes[0].state, codes::CodeState::Retired);
    assert_eq!(
        detail.codes[0].state_label,
        "ungültig, weil über den Antrag entschieden wurde"
    );
    assert_eq!(plaintexts(&pool, nr).await, 0);
    let (reason_db, decided_by): (Option<String>, Option<i64>) =
        sqlx::query_as("select decision_reason, decided_by from antraege where nr = $1")
            .bind(nr.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason_db.as_deref(), Some("telefonisch bestätigt"));
    assert_eq!(decided_by, Some(f.sb2.clerk_id));
}

/// The four-eyes flow end to end: the first Sachbearbeitung clerk's approval without the code
/// waits; the queue and the detail show it; the same clerk and the hotline cannot confirm it;
/// another Sachbearbeitung clerk does.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn four_eyes_second_sachbearbeitung_clerk_confirms(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file().await;
    let why = reason("telefonisch bestätigt, Rückruf über die Nummer aus der Handwerksrolle");
    let first = antraege::approve(&f.sb, nr, Some(&why)).await.unwrap();
    assert_eq!(first.outcome, ApprovalOutcome::AwaitingSecond);
    assert_eq!(first.zuordnung_id, None);

    // The queue shows it as waiting for the second confirmation…
    let page = antraege::list(&f.hotline, &AntragFilter::default(), None, 100)
        .await
        .unwrap();
    let row = page.rows.iter().find(|r| r.nr == nr.get()).unwrap();
    assert_eq!(row.status, AntragStatus::AwaitingCode);
    assert!(row.awaiting_second_approval);
    // …and the detail says who asked, when and why.
    let detail = antraege::show(&f.sb2, nr).await.unwrap();
    let request = detail.approval_request.expect("the first confirmation");
    assert_eq!(request.clerk_id, f.sb.clerk_id);
    assert_eq!(request.by, f.sb.display_name);
    assert_eq!(request.reason.as_deref(), Some(why.as_str()));
    assert!(detail.summary.awaiting_second_approval);
    let requested = detail
        .history
        .iter()
        .find(|e| e.action == "approval_requested")
        .expect("the request is in the history");
    assert_eq!(requested.login, f.sb.username);

    // What each clerk's screen offers.
    let approve_of = |view: &antraege::AntragView| {
        view.actions
            .iter()
            .find(|a| a.action == AntragAction::Approve)
            .unwrap()
            .clone()
    };
    let mine = approve_of(&antraege::view(&f.sb, nr).await.unwrap());
    assert!(!mine.allowed);
    assert!(mine.why_not.unwrap().contains("andere Person"));
    let theirs = approve_of(&antraege::view(&f.sb2, nr).await.unwrap());
    assert!(theirs.allowed && !theirs.reason_required);
    assert!(!approve_of(&antraege::view(&f.hotline, nr).await.unwrap()).allowed);

    // The same clerk cannot be the second pair of eyes, with or without a new reason; the
    // hotline cannot approve at all. Nothing changes.
    let before = snapshot(&pool).await;
    for r in [None, Some(&why)] {
        let e = assert_kind(antraege::approve(&f.sb, nr, r).await, ErrorKind::Forbidden);
        assert!(e.message().contains("Vier-Augen"), "{}", e.message());
    }
    assert_kind(
        antraege::approve(&f.hotline, nr, None).await,
        ErrorKind::Forbidden,
    );
    assert_kind(
        antraege::approve(&f.hotline, nr, Some(&why)).await,
        ErrorKind::Forbidden,
    );
    // The database refuses the hotline too, whatever the desk would have checked.
    let raw = sqlx::query("select * from kammer_api.antrag_approve($1, 'ich auch')")
        .bind(nr.get())
        .execute(f.hotline.pool())
        .await
        .unwrap_err();
    assert_eq!(kammer_core::Error::from(raw).kind(), ErrorKind::Forbidden);
    assert_eq!(snapshot(&pool).await, before);

    // Another Sachbearbeitung clerk confirms: approved, with both clerks on record.
    let second = antraege::approve(&f.sb2, nr, None).await.unwrap();
    assert_eq!(second.outcome, ApprovalOutcome::Approved);
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let (login, details): (String, serde_json::Value) = sqlx::query_as(
        "select login, details from audit_events where antrag_nr = $1 and action = 'approved'",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(login, f.sb2.username);
    assert_eq!(details["first_clerk_id"], f.sb.clerk_id);
    assert_eq!(details["without_code"], true);
    assert_eq!(details["first_reason"], why.as_str());
    let detail = antraege::show(&f.hotline, nr).await.unwrap();
    assert!(detail.approval_request.is_none());
    assert!(!detail.summary.awaiting_second_approval);
    assert_eq!(
        detail.summary.decided_by.as_deref(),
        Some(f.sb2.display_name.as_str())
    );
}

/// With the policy switched off, one Sachbearbeitung clerk approves without the code — with
/// a reason, still.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn four_eyes_switched_off_one_clerk_approves_with_reason(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let p = kammer_core::policy::set(
        &f.admin,
        &PolicyChange {
            four_eyes_without_code: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!p.four_eyes_without_code);
    let nr = f.file().await;
    assert_kind(
        antraege::approve(&f.sb, nr, None).await,
        ErrorKind::Validation,
    );
    let approved = antraege::approve(&f.sb, nr, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(approved.outcome, ApprovalOutcome::Approved);
    assert!(approved.zuordnung_id.is_some());
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    assert!(
        !audit_actions(&pool, nr)
            .await
            .contains(&"approval_requested".to_string())
    );
}

/// The right code arriving while the second confirmation is pending moves the Antrag on and
/// clears the pending request: the code decided, no second clerk is needed any more.
#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_code_submitted_while_the_second_confirmation_is_pending_clears_it(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.auto_approve(false).await;
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    let first = antraege::approve(&f.sb, nr, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(first.outcome, ApprovalOutcome::AwaitingSecond);
    let s = portal::submit_code(&f.portal, &f.email, nr, &code)
        .await
        .unwrap();
    assert_eq!(s.status, AntragStatus::InReview);
    let pending: (
        Option<i64>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<String>,
    ) = sqlx::query_as(
        "select approval_requested_by, approval_requested_at, approval_request_reason
             from antraege where nr = $1",
    )
    .bind(nr.get())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(pending, (None, None, None));
    let detail = antraege::show(&f.sb, nr).await.unwrap();
    assert!(detail.approval_request.is_none());
    assert!(!detail.summary.awaiting_second_approval);
    // In review, the clerk who asked may now approve on their own: the code was confirmed.
    let approved = antraege::approve(&f.sb, nr, None).await.unwrap();
    assert_eq!(approved.outcome, ApprovalOutcome::Approved);
    assert_eq!(status(&pool, nr).await, "approved");

    // The same with the portal approving on the code: approved by the system.
    f.auto_approve(true).await;
    let nr2 = f.file_for(&pool, "8800001").await;
    let code2 = code_from_outbox(&pool, nr2).await;
    antraege::approve(&f.sb2, nr2, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    let s = portal::submit_code(&f.portal, &f.email, nr2, &code2)
        .await
        .unwrap();
    assert_eq!(s.status, AntragStatus::Approved);
    let requested_by: Option<i64> =
        sqlx::query_scalar("select approval_requested_by from antraege where nr = $1")
            .bind(nr2.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(requested_by, None);
    // A late second confirmation finds the Antrag decided.
    assert_kind(
        antraege::approve(&f.sb, nr2, None).await,
        ErrorKind::Conflict,
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn withdraw_and_reject_with_reason(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    assert_eq!(Reason::parse("").unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(
        Reason::parse("   ").unwrap_err().kind(),
        ErrorKind::Validation
    );
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    antraege::withdraw(&f.hotline, nr, &reason("Anruf: kein Code"))
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "withdrawn");
    assert_kind(
        portal::submit_code(&f.portal, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    let nr2 = f.file().await;
    antraege::reject(&f.sb, nr2, &reason("falscher Betrieb"))
        .await
        .unwrap();
    assert_eq!(status(&pool, nr2).await, "rejected");
    assert_kind(
        antraege::reject(&f.sb, nr2, &reason("nochmal")).await,
        ErrorKind::Conflict,
    );
    let nr3 = f.file().await;
    portal::withdraw(&f.portal, &f.email, nr3).await.unwrap();
    assert_eq!(status(&pool, nr3).await, "withdrawn");
    assert_eq!(count(&pool, "zuordnungen").await, 0);
    // Who did what is the login of the session, not a parameter.
    let logins: Vec<(String, String)> = sqlx::query_as(
        "select action, login from audit_events where action in ('withdrawn', 'rejected') order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        logins,
        vec![
            ("withdrawn".to_string(), f.hotline.username.clone()),
            ("rejected".to_string(), f.sb.username.clone()),
            ("withdrawn".to_string(), login_of(&f, "portal")),
        ]
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn keyset_paging_returns_every_antrag_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_request_limits().await;
    let mut filed = Vec::new();
    for i in 0..25 {
        filed.push(f.file_for(&pool, &format!("30000{i:02}")).await.get());
    }
    // Several Anträge with the same sent_at: the nr breaks the tie.
    sqlx::query("update antraege set sent_at = date_trunc('hour', now()) where nr % 3 = 0")
        .execute(&pool)
        .await
        .unwrap();
    // Every fourth Antrag (closed, so the one-open rule holds) moves to one Betrieb: sorted by
    // Betrieb, its Anträge and their equal sent_at must page in (sent_at, nr) order.
    sqlx::query(
        "update antraege set status = 'withdrawn', decided_at = now(),
             betrieb_id = (select id from betriebe where betriebsnummer = '3000003')
         where nr % 4 = 1",
    )
    .execute(&pool)
    .await
    .unwrap();
    let in_order = |order_by: &str| {
        let pool = pool.clone();
        let sql = format!(
            "select a.nr from antraege a join betriebe b on b.id = a.betrieb_id order by {order_by}"
        );
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    let by_sent = in_order("a.sent_at, a.nr").await;
    let by_betrieb = in_order("b.betriebsnummer, a.sent_at, a.nr").await;
    assert_eq!(by_sent.len(), 25);
    assert_ne!(
        by_sent, by_betrieb,
        "the fixture must tell the orders apart"
    );
    for order in antraege::SortOrder::ALL {
        let filter = AntragFilter {
            order,
            ..Default::default()
        };
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        let mut pages = 0;
        loop {
            let page = antraege::list(&f.hotline, &filter, after.as_ref(), 10)
                .await
                .unwrap();
            pages += 1;
            assert!(page.rows.len() <= 10);
            seen.extend(page.rows.iter().map(|r| r.nr));
            match page.next {
                Some(c) => after = Some(Cursor::parse(&c).unwrap()),
                None => break,
            }
            assert!(pages < 10, "paging does not end");
        }
        assert_eq!(pages, 3);
        let mut want = match order {
            antraege::SortOrder::OldestFirst | antraege::SortOrder::NewestFirst => by_sent.clone(),
            _ => by_betrieb.clone(),
        };
        if matches!(
            order,
            antraege::SortOrder::NewestFirst | antraege::SortOrder::BetriebDescending
        ) {
            want.reverse();
        }
        assert_eq!(seen, want, "{order:?}");
    }
    // A page mark of one order does not continue another.
    let by_betrieb_page = antraege::list(
        &f.hotline,
        &AntragFilter {
            order: antraege::SortOrder::BetriebAscending,
            ..Default::default()
        },
        None,
        10,
    )
    .await
    .unwrap();
    let mark = Cursor::parse(&by_betrieb_page.next.unwrap()).unwrap();
    let err = antraege::list(&f.hotline, &AntragFilter::default(), Some(&mark), 10)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("anderen Sortierung"), "{err}");
    let counts = antraege::count_by_status(&f.hotline, &AntragFilter::default())
        .await
        .unwrap();
    let awaiting = counts
        .iter()
        .find(|(s, _)| *s == AntragStatus::AwaitingCode)
        .unwrap()
        .1;
    let withdrawn = by_sent.iter().filter(|nr| *nr % 4 == 1).count() as i64;
    assert!(withdrawn > 0);
    assert_eq!(awaiting, 25 - withdrawn);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn search_forgives_typos_and_finds_prefix(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    insert_betrieb(
        &pool,
        "9999000011",
        "Bäckerei Sonnenschein",
        "post@sonne.example",
    )
    .await;
    for q in ["Testbetreib", "testbtrieb", "Testbetrieb"] {
        let hits = betriebe::search(&f.hotline, q, 20).await.unwrap();
        assert!(
            hits.iter().any(|h| h.betriebsnummer == NUMMER),
            "{q}: {hits:?}"
        );
        assert!(
            !hits.iter().any(|h| h.betriebsnummer == "9999000011"),
            "{q}: {hits:?}"
        );
    }
    let hits = betriebe::search(&f.hotline, "2121", 20).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].betriebsnummer, NUMMER);
    let b = betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    assert_eq!(b.email, BETRIEB_EMAIL);
    let detail = betriebe::show(&f.hotline, &f.nummer).await.unwrap();
    assert_eq!(detail.betrieb.id, f.betrieb_id);
    assert_kind(
        betriebe::search(&f.hotline, "x", 20).await,
        ErrorKind::Validation,
    );
}

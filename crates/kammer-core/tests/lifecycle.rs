mod common;

use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege::{self, AntragFilter, Cursor};
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
    let filed = portal::request_zuordnung(&pool, &f.email, &f.nummer, "test betrieb")
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
    let s = portal::submit_code(&pool, &f.email, nr, &pasted)
        .await
        .unwrap();
    assert_eq!(s.status, AntragStatus::Approved);
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let actions = audit_actions(&pool, nr).await;
    for a in ["requested", "code_confirmed", "approved"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
    }
    let detail = antraege::show(&pool, &f.sb, nr).await.unwrap();
    assert_eq!(detail.summary.status, AntragStatus::Approved);
    assert!(detail.code_confirmed_at.is_some());
    assert_eq!(detail.betrieb_email, BETRIEB_EMAIL);
    // The consumed code cannot be used again.
    assert_kind(
        portal::submit_code(&pool, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    // A second Antrag for a Betrieb already linked is refused.
    assert_kind(
        portal::request_zuordnung(&pool, &f.email, &f.nummer, FIRMA).await,
        ErrorKind::Conflict,
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn without_auto_approve_clerk_approves(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.in_review(&pool).await;
    assert_eq!(status(&pool, nr).await, "in_review");
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    let approved = antraege::approve(&pool, &f.sb, nr, None).await.unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let z: i64 = sqlx::query_scalar("select id from zuordnungen where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(z, approved.zuordnung_id);
    // Revoke, then revoke again: conflict.
    zuordnungen::revoke(&pool, &f.sb, z, &reason("Mitarbeiterin ausgeschieden"))
        .await
        .unwrap();
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    assert_kind(
        zuordnungen::revoke(&pool, &f.sb, z, &reason("nochmal")).await,
        ErrorKind::Conflict,
    );
    assert_kind(
        zuordnungen::revoke(&pool, &f.sb, 999_999, &reason("gibt es nicht")).await,
        ErrorKind::NotFound,
    );
    // After revoking, a new Antrag is possible again.
    f.file(&pool).await;
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_supersedes_old_code(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let nr = f.file(&pool).await;
    let old = code_from_outbox(&pool, nr).await;
    let resent = codes::resend(&pool, &f.hotline, nr, &reason("Mail nicht angekommen"))
        .await
        .unwrap();
    assert_eq!(resent.sent_to, BETRIEB_EMAIL);
    let new = code_from_outbox(&pool, nr).await;
    assert_ne!(old, new);
    assert_eq!(resent.prefix, new[..6]);
    let before = wrong_attempts(&pool, nr).await;
    let e = assert_kind(
        portal::submit_code(&pool, &f.email, nr, &old).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("ersetzt"), "{}", e.message());
    assert_eq!(
        wrong_attempts(&pool, nr).await,
        before,
        "superseded code must not count"
    );
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    portal::submit_code(&pool, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
    let consumed: Vec<(String, bool)> = sqlx::query_as(
        "select prefix, superseded_at is null from confirmation_codes where antrag_nr = $1 and consumed_at is not null",
    )
    .bind(nr.get())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(consumed, vec![(new[..6].to_string(), true)]);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn resend_cooldown_and_daily_limit(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    // Default cooldown (60 s) refuses an immediate resend.
    let codes_before = count(&pool, "confirmation_codes").await;
    let e = assert_kind(
        codes::resend(&pool, &f.hotline, nr, &reason("sofort")).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("Sekunden"), "{}", e.message());
    assert_eq!(count(&pool, "confirmation_codes").await, codes_before);
    // Without cooldown the daily limit applies: 3 sends in total.
    f.set_policy(
        &pool,
        PolicyChange {
            resend_cooldown_seconds: Some(0),
            sends_per_day: Some(3),
            ..Default::default()
        },
    )
    .await;
    codes::resend(&pool, &f.hotline, nr, &reason("zweiter"))
        .await
        .unwrap();
    codes::resend(&pool, &f.hotline, nr, &reason("dritter"))
        .await
        .unwrap();
    let outbox = count(&pool, "mail_outbox").await;
    let e = assert_kind(
        codes::resend(&pool, &f.hotline, nr, &reason("vierter")).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("24 Stunden"), "{}", e.message());
    assert_eq!(count(&pool, "mail_outbox").await, outbox);
    let n: i64 = sqlx::query_scalar("select count(*) from confirmation_codes where antrag_nr = $1")
        .bind(nr.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 3);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn attempt_limit_locks_and_resend_unlocks(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let nr = f.file(&pool).await;
    let right = code_from_outbox(&pool, nr).await;
    for i in 1..=5 {
        assert_kind(
            portal::submit_code(&pool, &f.email, nr, &wrong_code()).await,
            ErrorKind::Validation,
        );
        assert_eq!(wrong_attempts(&pool, nr).await, i);
    }
    let e = assert_kind(
        portal::submit_code(&pool, &f.email, nr, &right).await,
        ErrorKind::Validation,
    );
    assert!(e.message().contains("gesperrt"), "{}", e.message());
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    let chk = codes::check(&pool, &f.hotline, nr, &right).await.unwrap();
    assert_eq!(chk.verdict, CodeVerdict::Locked);
    codes::resend(&pool, &f.hotline, nr, &reason("gesperrt"))
        .await
        .unwrap();
    let new = code_from_outbox(&pool, nr).await;
    assert_ne!(new, right);
    portal::submit_code(&pool, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn check_verdicts_do_not_count_attempts(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown(&pool).await;
    let nr = f.file(&pool).await;
    let old = code_from_outbox(&pool, nr).await;
    let chk = codes::check(&pool, &f.hotline, nr, &old).await.unwrap();
    assert_eq!(chk.verdict, CodeVerdict::Valid);
    assert_eq!(chk.current_prefix.as_deref(), Some(&old[..6]));
    codes::resend(&pool, &f.hotline, nr, &reason("neu"))
        .await
        .unwrap();
    let new = code_from_outbox(&pool, nr).await;
    assert_eq!(
        codes::check(&pool, &f.hotline, nr, &old)
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Superseded
    );
    assert_eq!(
        codes::check(&pool, &f.hotline, nr, &wrong_code())
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Wrong
    );
    assert_eq!(
        codes::check(&pool, &f.hotline, nr, &new)
            .await
            .unwrap()
            .verdict,
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
    portal::submit_code(&pool, &f.email, nr, &new)
        .await
        .unwrap();
    assert_eq!(
        codes::check(&pool, &f.hotline, nr, &new)
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Consumed
    );
    let infos = codes::inspect(&pool, &f.hotline, nr).await.unwrap();
    assert_eq!(infos.len(), 2);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn expiry_expires_overdue(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    let other = f.file_for(&pool, "1234567").await;
    let code = code_from_outbox(&pool, nr).await;
    assert!(expiry::expire_overdue(&pool).await.unwrap().is_empty());
    sqlx::query("update confirmation_codes set expires_at = now() - interval '1 minute' where antrag_nr = $1")
        .bind(nr.get())
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        codes::check(&pool, &f.hotline, nr, &code)
            .await
            .unwrap()
            .verdict,
        CodeVerdict::Expired
    );
    // (The refused submission of the expired code is covered in errors.rs: a refused
    // submit_code leaves its row lock until the pool flushes the rollback, and
    // expire_overdue skips locked rows, so running it right after would be racy.)
    assert_eq!(expiry::expire_overdue(&pool).await.unwrap(), vec![nr.get()]);
    assert_eq!(status(&pool, nr).await, "expired");
    assert_eq!(status(&pool, other).await, "awaiting_code");
    assert!(
        audit_actions(&pool, nr)
            .await
            .contains(&"expired".to_string())
    );
    assert!(expiry::expire_overdue(&pool).await.unwrap().is_empty());
    assert_kind(
        portal::submit_code(&pool, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn approve_from_awaiting_code_needs_reason(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let nr = f.file(&pool).await;
    let code = code_from_outbox(&pool, nr).await;
    assert_kind(
        antraege::approve(&pool, &f.sb, nr, None).await,
        ErrorKind::Validation,
    );
    assert_eq!(status(&pool, nr).await, "awaiting_code");
    assert_eq!(active_zuordnungen(&pool, nr).await, 0);
    antraege::approve(&pool, &f.sb, nr, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "approved");
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    // The live code was retired with the approval, and says so (not "replaced by a newer one").
    let check = codes::check(&pool, &f.hotline, nr, &code).await.unwrap();
    assert_eq!(check.verdict, CodeVerdict::Superseded);
    assert!(
        check.message.contains("bereits entschieden"),
        "{}",
        check.message
    );
    let detail = antraege::show(&pool, &f.hotline, nr).await.unwrap();
    assert_eq!(detail.codes[0].state, codes::CodeState::Retired);
    assert_eq!(
        detail.codes[0].state_label,
        "ungültig, weil über den Antrag entschieden wurde"
    );
    let reason_db: Option<String> =
        sqlx::query_scalar("select decision_reason from antraege where nr = $1")
            .bind(nr.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason_db.as_deref(), Some("telefonisch bestätigt"));
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn withdraw_and_reject_with_reason(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    assert_eq!(Reason::parse("").unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(
        Reason::parse("   ").unwrap_err().kind(),
        ErrorKind::Validation
    );
    let nr = f.file(&pool).await;
    let code = code_from_outbox(&pool, nr).await;
    antraege::withdraw(&pool, &f.hotline, nr, &reason("Anruf: kein Code"))
        .await
        .unwrap();
    assert_eq!(status(&pool, nr).await, "withdrawn");
    assert_kind(
        portal::submit_code(&pool, &f.email, nr, &code).await,
        ErrorKind::Conflict,
    );
    let nr2 = f.file(&pool).await;
    antraege::reject(&pool, &f.sb, nr2, &reason("falscher Betrieb"))
        .await
        .unwrap();
    assert_eq!(status(&pool, nr2).await, "rejected");
    assert_kind(
        antraege::reject(&pool, &f.sb, nr2, &reason("nochmal")).await,
        ErrorKind::Conflict,
    );
    let nr3 = f.file(&pool).await;
    portal::withdraw(&pool, &f.email, nr3).await.unwrap();
    assert_eq!(status(&pool, nr3).await, "withdrawn");
    assert_eq!(count(&pool, "zuordnungen").await, 0);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn keyset_paging_returns_every_antrag_once(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let mut filed = Vec::new();
    for i in 0..25 {
        filed.push(f.file_for(&pool, &format!("30000{i:02}")).await.get());
    }
    // Several Anträge with the same sent_at: the nr breaks the tie.
    sqlx::query("update antraege set sent_at = date_trunc('hour', now()) where nr % 3 = 0")
        .execute(&pool)
        .await
        .unwrap();
    let expected: Vec<i64> = sqlx::query_scalar("select nr from antraege order by sent_at, nr")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(expected.len(), 25);
    for order in [
        antraege::SortOrder::OldestFirst,
        antraege::SortOrder::NewestFirst,
    ] {
        let filter = AntragFilter {
            order,
            ..Default::default()
        };
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        let mut pages = 0;
        loop {
            let page = antraege::list(&pool, &f.hotline, &filter, after.as_ref(), 10)
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
        let mut want = expected.clone();
        if order == antraege::SortOrder::NewestFirst {
            want.reverse();
        }
        assert_eq!(seen, want, "{order:?}");
    }
    let counts = antraege::count_by_status(&pool, &f.hotline, &AntragFilter::default())
        .await
        .unwrap();
    let awaiting = counts
        .iter()
        .find(|(s, _)| *s == AntragStatus::AwaitingCode)
        .unwrap()
        .1;
    assert_eq!(awaiting, 25);
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
        let hits = betriebe::search(&pool, &f.hotline, q, 20).await.unwrap();
        assert!(
            hits.iter().any(|h| h.betriebsnummer == NUMMER),
            "{q}: {hits:?}"
        );
        assert!(
            !hits.iter().any(|h| h.betriebsnummer == "9999000011"),
            "{q}: {hits:?}"
        );
    }
    let hits = betriebe::search(&pool, &f.hotline, "2121", 20)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].betriebsnummer, NUMMER);
    let b = betriebe::by_nummer(&pool, &f.hotline, &f.nummer)
        .await
        .unwrap();
    assert_eq!(b.email, BETRIEB_EMAIL);
    let detail = betriebe::show(&pool, &f.hotline, &f.nummer).await.unwrap();
    assert_eq!(detail.betrieb.id, f.betrieb_id);
    assert_kind(
        betriebe::search(&pool, &f.hotline, "x", 20).await,
        ErrorKind::Validation,
    );
}

//! The Handwerksrolle import against the real PostgreSQL, with real files written here: the
//! encodings and quirks of a chamber's export, the refusals that keep a bad file out whole,
//! and what an address change or a deletion does to live codes, open Anträge and Zuordnungen.

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use kammer_core::antraege;
use kammer_core::betriebe;
use kammer_core::codes;
use kammer_core::db::Service;
use kammer_core::domain::{Betriebsnummer, Reason};
use kammer_core::handwerksrolle::{
    self, Change, ChangeKind, HandwerksrolleFile, ImportOptions, ImportReport, Mapping, Mode,
};
use kammer_core::portal;
use kammer_core::{ErrorKind, Result};
use sqlx::PgPool;

const HEADER: &str = "Betriebsnummer;Firmenname;Inhaber;Straße;PLZ;Ort;Gewerk;E-Mail;Betriebsnummer des Hauptsitzes;Löschdatum";

/// A file in the test's own temporary directory.
fn write_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kd-hwr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tag = [0u8; 4];
    getrandom::fill(&mut tag).unwrap();
    let path = dir.join(format!("{}-{name}", hex_of(&tag)));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A UTF-8 file of the canonical header and `lines`, CRLF as Windows writes it.
fn csv(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from(HEADER);
    for l in lines {
        text.push_str("\r\n");
        text.push_str(l);
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// The fixture's Betrieb as a file line, with `email`.
fn fixture_line(email: &str) -> String {
    format!("{NUMMER};{FIRMA};Erika Muster;;;Dortmund;Tischler;{email};;")
}

async fn run(
    pool: &PgPool,
    path: &Path,
    options: ImportOptions,
) -> (Result<ImportReport>, Vec<Change>) {
    let mapping = Mapping::default();
    let file = HandwerksrolleFile::inspect(path, &mapping).unwrap();
    let mut changes = Vec::new();
    let report =
        handwerksrolle::import(pool, &file, &mapping, &options, |c| changes.push(c), |_| {}).await;
    (report, changes)
}

/// A full import of `path`, refused whole for its invalid lines with a message that says
/// `says`; returns the changes it listed.
async fn refused_as_invalid(import: &PgPool, path: &Path, says: &str) -> Vec<Change> {
    let (report, changes) = run(import, path, full()).await;
    let e = assert_kind(report, ErrorKind::Validation);
    assert!(e.message().contains(says), "{}", e.message());
    changes
}

fn full() -> ImportOptions {
    ImportOptions::default()
}

fn delta() -> ImportOptions {
    ImportOptions {
        mode: Mode::Delta,
        ..ImportOptions::default()
    }
}

async fn importer(pool: &PgPool, f: &Fixture) -> PgPool {
    service_login(pool, Service::Import, &login(&f.tag, "import")).await
}

async fn betrieb(pool: &PgPool, nummer: &str) -> (String, String, String, Option<String>) {
    sqlx::query_as(
        "select b.firmenname, b.strasse, b.email, h.betriebsnummer from betriebe b
         left join betriebe h on h.id = b.hauptsitz_id where b.betriebsnummer = $1",
    )
    .bind(nummer)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn windows_1252_and_utf8_with_bom_keep_their_umlauts(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    // Windows-1252: ä = E4, ü = FC, ß = DF.
    let mut bytes = encode_1252(HEADER);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend(encode_1252(&fixture_line(BETRIEB_EMAIL)));
    bytes.extend_from_slice(b"\r\n");
    bytes.extend(encode_1252(
        "4711;Bäckerei Müller;Hans Müller;Große Straße 1;44135;Dortmund;Bäcker;info@baeckerei-mueller.example;;",
    ));
    bytes.extend_from_slice(b"\r\n");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file must not be UTF-8"
    );
    let path = write_file("win1252.csv", &bytes);
    let (report, _) = run(&import, &path, full()).await;
    let report = report.unwrap();
    assert_eq!(report.file.encoding, "Windows-1252");
    assert_eq!(report.summary.created, 1);
    let (name, strasse, ..) = betrieb(&pool, "4711").await;
    assert_eq!(name, "Bäckerei Müller");
    assert_eq!(strasse, "Große Straße 1");

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(csv(&[
        "4712;Fleischerei Jürgens;;Am Fluß 2;;Köln;Fleischer;post@juergens.example;;",
    ]));
    let path = write_file("bom.csv", &bom);
    let (report, _) = run(&import, &path, delta()).await;
    let report = report.unwrap();
    assert_eq!(report.file.encoding, "UTF-8 mit BOM");
    let (name, strasse, ..) = betrieb(&pool, "4712").await;
    assert_eq!(
        (name.as_str(), strasse.as_str()),
        ("Fleischerei Jürgens", "Am Fluß 2")
    );
}

fn encode_1252(s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    assert!(!unmappable);
    bytes.into_owned()
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn quoted_separators_and_line_breaks_keep_line_numbers(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    let path = write_file(
        "quoted.csv",
        &csv(&[
            &fixture_line(BETRIEB_EMAIL),
            "5001;\"Maler; Lackierer GmbH\";;\"Hof 3\r\nHinterhaus\";;Essen;Maler;maler@example.de;;",
            "5002;Ohne Adresse;;;;;;;;",
        ]),
    );
    let changes = refused_as_invalid(&import, &path, "1 Zeile ist ungültig").await;
    let invalid: Vec<_> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Invalid)
        .collect();
    assert_eq!(invalid.len(), 1);
    // Line 3 spans two physical lines, so the next record starts on line 5.
    assert_eq!(invalid[0].line, Some(5));
    assert!(
        invalid[0]
            .reason_de
            .as_deref()
            .unwrap()
            .contains("E-Mail-Adresse fehlt")
    );
    assert_eq!(count(&pool, "betriebe").await, 1, "nothing imported");

    let (report, _) = run(
        &import,
        &path,
        ImportOptions {
            skip_invalid: true,
            ..full()
        },
    )
    .await;
    assert_eq!(report.unwrap().summary.invalid, 1);
    let (name, strasse, ..) = betrieb(&pool, "5001").await;
    assert_eq!(name, "Maler; Lackierer GmbH");
    assert!(
        strasse.starts_with("Hof 3\r\n") && strasse.ends_with("Hinterhaus"),
        "{strasse:?}"
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_bad_file_is_refused_whole_and_changes_nothing(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    let before = snapshot(&pool).await;
    let path = write_file(
        "bad.csv",
        &csv(&[
            &fixture_line("neu@testbetrieb.example"),
            "6001;Doppelt A;;;;;;a@example.de;;",
            "6001;Doppelt B;;;;;;b@example.de;;",
            "6002;Filiale ohne Hauptsitz;;;;;;f@example.de;9999999;",
            "6003;Kein Mail;;;;;;;;",
            "12;Zu kurz;;;;;;k@example.de;;",
            "6004;Falsches Datum;;;;;;d@example.de;;31.02.2025",
            "6005;Mit\0Nullzeichen;;;;;;n@example.de;;",
        ]),
    );
    let changes = refused_as_invalid(&import, &path, "7 Zeilen sind ungültig").await;
    let reasons: Vec<(Option<i64>, String)> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Invalid)
        .map(|c| (c.line, c.reason_de.clone().unwrap()))
        .collect();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(
        reasons[0].1.contains("mehrfach") && reasons[0].1.contains("3, 4"),
        "{reasons:?}"
    );
    assert!(reasons[2].1.contains("Hauptsitz"), "{reasons:?}");
    assert!(reasons[3].1.contains("E-Mail-Adresse fehlt"), "{reasons:?}");
    assert!(reasons[4].1.contains("Betriebsnummer"), "{reasons:?}");
    assert!(reasons[5].1.contains("31.02.2025"), "{reasons:?}");
    assert!(reasons[6].1.contains("Nullzeichen"), "{reasons:?}");
    // The valid change of the fixture's address was listed but not applied.
    assert!(
        changes
            .iter()
            .any(|c| c.kind == ChangeKind::Changed && c.betriebsnummer == NUMMER)
    );
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_truncated_full_snapshot_is_refused_unless_forced(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    for i in 0..40 {
        insert_betrieb(
            &pool,
            &format!("{}", 7000 + i),
            &format!("Firma {i}"),
            &format!("f{i}@example.de"),
        )
        .await;
    }
    // 41 Betriebe; the file names only the first 30: 11 would go (27 %).
    let mut lines = vec![fixture_line(BETRIEB_EMAIL)];
    lines.extend((0..29).map(|i| {
        format!(
            "{};Firma {i};Erika Muster;;;Dortmund;Tischler;f{i}@example.de;;",
            7000 + i
        )
    }));
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let path = write_file("truncated.csv", &csv(&lines));
    let before = snapshot(&pool).await;
    let (dry, _) = run(
        &import,
        &path,
        ImportOptions {
            dry_run: true,
            ..full()
        },
    )
    .await;
    let dry = dry.unwrap();
    assert!(!dry.applied);
    assert_eq!(dry.summary.removed, 11);
    assert!(
        dry.summary
            .refusal_de
            .as_deref()
            .unwrap()
            .contains("unvollständigen Datei")
    );
    let (report, _) = run(&import, &path, full()).await;
    let e = report.unwrap_err();
    assert!(
        e.message().contains("11 von 41 Betrieben"),
        "{}",
        e.message()
    );
    assert_eq!(snapshot(&pool).await, before);

    let (report, changes) = run(
        &import,
        &path,
        ImportOptions {
            force: true,
            ..full()
        },
    )
    .await;
    assert_eq!(report.unwrap().summary.removed, 11);
    assert_eq!(
        changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Removed && c.line.is_none())
            .count(),
        11
    );
    assert_eq!(
        count(&pool, "betriebe where geloescht_am = current_date").await,
        11
    );
    assert_eq!(
        count(&pool, "betriebe").await,
        41,
        "gelöscht, never deleted"
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn an_address_change_retires_the_queued_code_and_the_desk_says_so(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.without_resend_cooldown().await;
    let import = importer(&pool, &f).await;
    let nr = f.file().await;
    let old_code = code_from_outbox(&pool, nr).await;
    let path = write_file(
        "address.csv",
        &csv(&[&fixture_line("neu@testbetrieb.example")]),
    );
    let (report, changes) = run(&import, &path, delta()).await;
    let summary = report.unwrap().summary;
    assert_eq!(
        (
            summary.changed,
            summary.email_changed,
            summary.codes_retired
        ),
        (1, 1, Some(1))
    );
    assert_eq!(changes[0].fields[0].label_de, "E-Mail");
    assert_eq!(changes[0].fields[0].old.as_deref(), Some(BETRIEB_EMAIL));

    let (mail_status, reason) = mail_state(&pool, nr).await;
    assert_eq!(
        (mail_status.as_str(), reason.as_deref()),
        ("cancelled", Some("address_changed"))
    );
    assert_eq!(plaintexts(&pool, nr).await, 0, "the plaintext is gone");
    // The old code no longer links anybody.
    let outcome = portal::submit_code(&f.portal, &f.email, nr, &old_code).await;
    assert!(
        outcome
            .map(|s| s.status.as_str() != "approved")
            .unwrap_or(true)
    );
    assert_eq!(status(&pool, nr).await, "awaiting_code");

    let detail = antraege::show(&f.hotline, nr).await.unwrap();
    let notice = detail.notice.expect("the desk says a new code is needed");
    assert!(
        notice.starts_with("E-Mail-Adresse in der Handwerksrolle geändert am "),
        "{notice}"
    );
    assert!(notice.ends_with("neuer Code nötig."), "{notice}");
    assert!(detail.codes[0].state_label.contains("E-Mail-Adresse"));
    let history: Vec<String> =
        sqlx::query_scalar("select action from audit_events where betrieb_id = $1 order by id")
            .bind(f.betrieb_id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(
        history.contains(&"betrieb_email_changed".to_string()),
        "{history:?}"
    );
    assert!(history.contains(&"code_retired".to_string()), "{history:?}");

    // The hotline sends a new code: to the new address.
    let resent = codes::resend(&f.hotline, nr, &Reason::parse("Adresse geändert").unwrap())
        .await
        .unwrap();
    assert_eq!(resent.sent_to, "neu@testbetrieb.example");
    assert!(
        antraege::show(&f.hotline, nr)
            .await
            .unwrap()
            .notice
            .is_none()
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_deleted_betrieb_closes_its_anträge_and_lists_its_zuordnungen(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.auto_approve(true).await;
    let import = importer(&pool, &f).await;
    let nr = f.file().await;
    let code = code_from_outbox(&pool, nr).await;
    portal::submit_code(&f.portal, &f.email, nr, &code)
        .await
        .unwrap();
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let (other, _) =
        register_confirmed_as(&f.portal, "bernd@privat.example", "Bernd Beispiel").await;
    let open = portal::request_zuordnung(&f.portal, &other, &f.nummer, FIRMA)
        .await
        .unwrap()
        .nr;

    let mut line = fixture_line(BETRIEB_EMAIL);
    line.push_str("01.12.2026");
    let path = write_file("deleted.csv", &csv(&[&line]));
    let (report, changes) = run(&import, &path, delta()).await;
    let summary = report.unwrap().summary;
    assert_eq!((summary.removed, summary.antraege_closed), (1, Some(1)));
    assert_eq!(changes[0].kind, ChangeKind::Removed);
    assert_eq!(status(&pool, open).await, "expired");
    let reason: String = sqlx::query_scalar("select decision_reason from antraege where nr = $1")
        .bind(open.get())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        reason,
        "Betrieb in der Handwerksrolle gelöscht am 01.12.2026"
    );
    // The Zuordnung stays until the Sachbearbeitung decides.
    assert_eq!(active_zuordnungen(&pool, nr).await, 1);
    let review = handwerksrolle::review_list(&f.sb).await.unwrap();
    assert_eq!(review.len(), 1);
    assert_eq!(
        (
            review[0].betriebsnummer.as_str(),
            review[0].active_zuordnungen
        ),
        (NUMMER, 1)
    );
    assert_kind(
        handwerksrolle::review_list(&f.hotline).await,
        ErrorKind::Forbidden,
    );
    let shown = betriebe::by_nummer(&f.hotline, &f.nummer).await.unwrap();
    assert_eq!(
        shown.geloescht_am.map(|d| d.to_string()).as_deref(),
        Some("2026-12-01")
    );
    assert!(shown.stand.is_some());
    // Nobody can file a new Antrag for it.
    let (third, _) = register_confirmed_as(&f.portal, "clara@privat.example", "Clara C").await;
    let e = assert_kind(
        portal::request_zuordnung(&f.portal, &third, &f.nummer, FIRMA).await,
        ErrorKind::Validation,
    );
    assert!(
        e.message().contains("gelöscht (am 01.12.2026)"),
        "{}",
        e.message()
    );
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_delta_touches_only_its_lines_and_a_second_import_changes_nothing(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    insert_betrieb(&pool, "8001", "Bleibt GmbH", "bleibt@example.de").await;
    let path = write_file(
        "delta.csv",
        &csv(&[
            "8002;Neu GmbH;;;;;;neu@example.de;;",
            "8003;Neue Filiale;;;;;;filiale@example.de;8002;",
        ]),
    );
    let (report, _) = run(&import, &path, delta()).await;
    let s = report.unwrap().summary;
    assert_eq!((s.created, s.removed, s.changed), (2, 0, 0));
    assert_eq!(betrieb(&pool, "8003").await.3.as_deref(), Some("8002"));
    assert_eq!(betrieb(&pool, "8001").await.2, "bleibt@example.de");

    let before = snapshot(&pool).await;
    let (again, changes) = run(&import, &path, delta()).await;
    let again = again.unwrap();
    assert!(again.summary.nothing_to_do());
    assert_eq!(again.summary.unchanged, 2);
    assert!(changes.is_empty());
    // Only the import's own record and audit event are new.
    let after = snapshot(&pool).await;
    let differs: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert_eq!(differs, ["audit_events"]);
    let imports = handwerksrolle::recent_imports(&f.admin, 10).await.unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0].unchanged, 2);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn only_the_import_service_and_the_administration_may_import(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let path = write_file(
        "rights.csv",
        &csv(&[&fixture_line("boese@attacker.example")]),
    );
    let before = snapshot(&pool).await;
    for session in [&f.hotline, &f.sb] {
        let (report, _) = run(session.pool(), &path, delta()).await;
        assert_kind(report, ErrorKind::Forbidden);
    }
    // Raw SQL from the Sachbearbeitung's own login: no staging table, no merge.
    let raw = sqlx::query("select kammer_api.handwerksrolle_stage()")
        .execute(f.sb.pool())
        .await;
    assert!(raw.is_err());
    let raw = sqlx::query("update betriebe set email = 'boese@attacker.example'")
        .execute(f.sb.pool())
        .await;
    assert!(raw.is_err());
    assert_eq!(snapshot(&pool).await, before);
    // The administration may.
    let (report, _) = run(f.admin.pool(), &path, delta()).await;
    assert_eq!(report.unwrap().summary.email_changed, 1);
    let by: Option<i64> = sqlx::query_scalar("select clerk_id from handwerksrolle_imports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(by.is_some(), "the administrator is recorded");
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_filiale_gets_its_code_at_its_own_address_and_the_suche_marks_it(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    let path = write_file(
        "filiale.csv",
        &csv(&[
            &fixture_line(BETRIEB_EMAIL),
            "2121155399;Testbetrieb Filiale Hamm;Erika Muster;Markt 1;59065;Hamm;Tischler;hamm@testbetrieb.example;2121155381;",
        ]),
    );
    run(&import, &path, full()).await.0.unwrap();
    let filiale = Betriebsnummer::parse("2121155399").unwrap();
    let filed =
        portal::request_zuordnung(&f.portal, &f.email, &filiale, "Testbetrieb Filiale Hamm")
            .await
            .unwrap();
    let recipient: String =
        sqlx::query_scalar("select recipient from mail_outbox where antrag_nr = $1")
            .bind(filed.nr.get())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(recipient, "hamm@testbetrieb.example");
    let hits = betriebe::search(&f.hotline, "21211553", 10).await.unwrap();
    let marked: Vec<_> = hits
        .iter()
        .map(|h| (h.betriebsnummer.as_str(), h.hauptsitz.as_deref()))
        .collect();
    assert_eq!(
        marked,
        [("2121155381", None), ("2121155399", Some("2121155381"))]
    );
    let detail = betriebe::show(&f.hotline, &f.nummer).await.unwrap();
    assert_eq!(detail.filialen.len(), 1);
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_plan_cannot_change_its_mode_or_be_applied_twice(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    let before = snapshot(&pool).await;
    // A full snapshot's plan (with its removals) applied as a delta: the guard against a
    // truncated file would be skipped.
    let mut tx = import.begin().await.unwrap();
    sqlx::query("select kammer_api.handwerksrolle_stage()")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("select count(*) from kammer_api.handwerksrolle_changes(true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let e = sqlx::query(
        "select kammer_api.handwerksrolle_apply('x.csv', repeat('a', 64), false, true, true, 100, false)",
    )
    .execute(&mut *tx)
    .await
    .map_err(kammer_core::Error::from)
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{}", e.message());
    tx.rollback().await.unwrap();
    assert_eq!(snapshot(&pool).await, before);

    // Applied once, the staging is gone: a second apply in the same transaction finds nothing.
    let mut tx = import.begin().await.unwrap();
    sqlx::query("select kammer_api.handwerksrolle_stage()")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("select kammer_api.handwerksrolle_apply('x.csv', repeat('a', 64), false, true, true, 100, false)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let e = sqlx::query("select kammer_api.handwerksrolle_apply('x.csv', repeat('a', 64), false, true, true, 100, false)")
        .execute(&mut *tx)
        .await
        .map_err(kammer_core::Error::from)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{}", e.message());
}

#[sqlx::test(migrator = "kammer_core::db::MIGRATOR")]
async fn a_hauptsitz_with_filialen_cannot_become_a_filiale(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let import = importer(&pool, &f).await;
    let path = write_file(
        "kette-1.csv",
        &csv(&[
            "9001;Hauptsitz Alt;;;;;;alt@example.de;;",
            "9002;Filiale;;;;;;filiale@example.de;9001;",
            "9003;Neuer Hauptsitz;;;;;;neu@example.de;;",
        ]),
    );
    run(&import, &path, delta()).await.0.unwrap();
    // 9001 is to become a Filiale of 9003 while its own Filiale 9002 stays: refused.
    let path = write_file(
        "kette-2.csv",
        &csv(&["9001;Hauptsitz Alt;;;;;;alt@example.de;9003;"]),
    );
    let (report, changes) = run(&import, &path, delta()).await;
    assert_kind(report, ErrorKind::Validation);
    assert!(
        changes[0]
            .reason_de
            .as_deref()
            .unwrap()
            .contains("hat selbst Filialen")
    );
    // With its Filiale re-pointed in the same file, it may.
    let path = write_file(
        "kette-3.csv",
        &csv(&[
            "9001;Hauptsitz Alt;;;;;;alt@example.de;9003;",
            "9002;Filiale;;;;;;filiale@example.de;9003;",
        ]),
    );
    run(&import, &path, delta()).await.0.unwrap();
    assert_eq!(betrieb(&pool, "9001").await.3.as_deref(), Some("9003"));
    assert_eq!(betrieb(&pool, "9002").await.3.as_deref(), Some("9003"));
}

//! The monthly report against a fixture whose every figure is worked out by hand below.
//! The Anträge go through the real core functions in the current month; what must lie in
//! the month before is written with explicit timestamps (the audit log takes INSERTs).

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use kammer_core::ErrorKind;
use kammer_core::antraege;
use kammer_core::antraege::ApprovalOutcome;
use kammer_core::codes;
use kammer_core::db::ReportingService;
use kammer_core::domain::{AntragNr, Betriebsnummer, EmailAddress};
use kammer_core::expiry;
use kammer_core::export::Dialect;
use kammer_core::portal;
use kammer_core::report::{self, Figures, Month, SERIES_MONTHS};
use sqlx::PgPool;

async fn betrieb(pool: &PgPool, nummer: &str, gewerk: &str) -> i64 {
    let id = insert_betrieb(
        pool,
        nummer,
        &format!("Firma {nummer}"),
        &format!("info@f{nummer}.example"),
    )
    .await;
    sqlx::query("update betriebe set gewerk = $1 where id = $2")
        .bind(gewerk)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    id
}

async fn request(portal: &PgPool, email: &EmailAddress, nummer: &str) -> AntragNr {
    portal::request_zuordnung(
        portal,
        email,
        &Betriebsnummer::parse(nummer).unwrap(),
        &format!("Firma {nummer}"),
    )
    .await
    .unwrap()
    .nr
}

/// Makes the time from "gesendet am" to the Zuordnung exactly `hours`.
async fn took(pool: &PgPool, nr: AntragNr, hours: i32) {
    let n = sqlx::query(
        "update antraege a set sent_at = z.since - make_interval(hours => $2)
         from zuordnungen z where z.antrag_nr = a.nr and a.nr = $1",
    )
    .bind(nr.get())
    .bind(hours)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
}

/// An Antrag filed last month and still open: row, code and audit event all dated then.
async fn filed_last_month(pool: &PgPool, account_id: i64, betrieb_id: i64, at: DateTime<Utc>) {
    let nr: i64 = sqlx::query_scalar(
        "insert into antraege (account_id, betrieb_id, betriebsnummer_entered, firmenname_entered, sent_at, updated_at)
         values ($1, $2, 'x', 'x', $3, $3) returning nr",
    )
    .bind(account_id)
    .bind(betrieb_id)
    .bind(at)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into confirmation_codes (antrag_nr, code_hash, prefix, sent_to, issued_at, expires_at)
         values ($1, sha256(random()::text::bytea), 'abcdef', 'x@x.example', $2, now() + interval '1 day')",
    )
    .bind(nr)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into audit_events (at, actor_kind, account_id, action, antrag_nr, betrieb_id)
         values ($1, 'account', $2, 'requested', $3, $4)",
    )
    .bind(at)
    .bind(account_id)
    .bind(nr)
    .bind(betrieb_id)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn monthly_figures_match_the_hand_count(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    let month = Month::current();
    let last_month = month.minus(1).start() + Duration::days(3);
    let anna = &f.email;
    let (_, jupp_id) = register_confirmed(&f.portal, "jupp@privat.example").await;
    f.without_request_limits().await;

    let t = ["3000001", "3000002", "3000003", "3000004", "3000005"];
    let b = ["4000001", "4000002", "4000003"];
    let mut tischler = Vec::new();
    for n in t {
        tischler.push(betrieb(&pool, n, "Tischler").await);
    }
    let mut baecker = Vec::new();
    for n in b {
        baecker.push(betrieb(&pool, n, "Bäcker").await);
    }
    // T2 and B1 are Filialen of T1: the rows „Hauptsitz“ and „Filiale“ split the total.
    sqlx::query("update betriebe set hauptsitz_id = $1 where id = any($2)")
        .bind(tischler[0])
        .bind(vec![tischler[1], baecker[0]])
        .execute(&pool)
        .await
        .unwrap();
    // T2 was linked to Jupp last month already, so it is not "newly linked" this month.
    sqlx::query("insert into zuordnungen (account_id, betrieb_id, since) values ($1, $2, $3)")
        .bind(jupp_id)
        .bind(tischler[1])
        .bind(last_month)
        .execute(&pool)
        .await
        .unwrap();
    // P1: Jupp's Antrag for B1, filed last month, still open.
    filed_last_month(&pool, jupp_id, baecker[0], last_month).await;

    // A1 (T1): correct code, the portal approves. 2 h to the Zuordnung.
    let a1 = request(&f.portal, anna, t[0]).await;
    let code = code_from_outbox(&pool, a1).await;
    portal::submit_code(&f.portal, anna, a1, &code)
        .await
        .unwrap();
    took(&pool, a1, 2).await;
    // A2 (T2): correct code into review, then a clerk approves. 4 h.
    f.auto_approve(false).await;
    let a2 = request(&f.portal, anna, t[1]).await;
    let code = code_from_outbox(&pool, a2).await;
    portal::submit_code(&f.portal, anna, a2, &code)
        .await
        .unwrap();
    antraege::approve(&f.sb, a2, None).await.unwrap();
    took(&pool, a2, 4).await;
    // A3 (B1): clerks approve without code (four eyes: asked by one, confirmed by another). 6 h.
    let a3 = request(&f.portal, anna, b[0]).await;
    let first = antraege::approve(&f.sb, a3, Some(&reason("telefonisch bestätigt")))
        .await
        .unwrap();
    assert_eq!(first.outcome, ApprovalOutcome::AwaitingSecond);
    antraege::approve(&f.sb2, a3, None).await.unwrap();
    took(&pool, a3, 6).await;
    // A4 (B2): rejected; its code mail finally failed.
    let a4 = request(&f.portal, anna, b[1]).await;
    antraege::reject(&f.sb, a4, &reason("Kein Bezug zum Betrieb"))
        .await
        .unwrap();
    sqlx::query(
        "update mail_outbox set status = 'failed', last_error = '550' where antrag_nr = $1",
    )
    .bind(a4.get())
    .execute(&pool)
    .await
    .unwrap();
    // A5 (T3): withdrawn by a clerk; A8 (T5): withdrawn by the requester.
    let a5 = request(&f.portal, anna, t[2]).await;
    antraege::withdraw(&f.hotline, a5, &reason("Anruf"))
        .await
        .unwrap();
    let a8 = request(&f.portal, anna, t[4]).await;
    portal::withdraw(&f.portal, anna, a8).await.unwrap();
    // A6 (B3): its code runs out, the expiry job expires it.
    let a6 = request(&f.portal, anna, b[2]).await;
    expire_codes(&pool, a6).await;
    assert_eq!(
        expiry::expire_overdue(&f.reporting).await.unwrap(),
        vec![a6.get()]
    );
    // A7 (T4): still waiting, with one resend.
    let a7 = request(&f.portal, anna, t[3]).await;
    f.without_resend_cooldown().await;
    codes::resend(&f.hotline, a7, &reason("Anruf: nicht erhalten"))
        .await
        .unwrap();

    let r = report::monthly(&f.hotline, month).await.unwrap();
    assert_eq!(r.month, month);
    let total = Figures {
        received: 8,                          // A1–A8 (P1 was received last month)
        codes_confirmed: 2,                   // A1, A2
        approved_by_portal: 1,                // A1
        approved_by_clerk: 2,                 // A2, A3
        withdrawn: 2,                         // A5, A8
        rejected: 1,                          // A4
        expired: 1,                           // A6
        open_at_month_end: 2,                 // A7, P1
        codes_sent: 9,                        // one each for A1–A8, plus A7's resend
        codes_resent: 1,                      // A7
        mails_failed: 1,                      // A4
        zuordnungen: 3,                       // A1, A2, A3 (Jupp's T2 link is last month's)
        median_hours_to_zuordnung: Some(4.0), // of 2, 4, 6
        p90_hours_to_zuordnung: Some(5.6),    // 4 + 0.8 × (6 − 4)
        betriebe_newly_linked: 2,             // T1, B1 (T2 was linked before)
    };
    assert_figures(&r.total, &total);
    let names: Vec<&str> = r.by_gewerk.iter().map(|g| g.gewerk.as_str()).collect();
    assert_eq!(names, vec!["Bäcker", "Tischler"]);
    assert_figures(
        &r.by_gewerk[0].figures,
        &Figures {
            received: 3, // A3, A4, A6
            codes_confirmed: 0,
            approved_by_portal: 0,
            approved_by_clerk: 1, // A3
            withdrawn: 0,
            rejected: 1,          // A4
            expired: 1,           // A6
            open_at_month_end: 1, // P1
            codes_sent: 3,
            codes_resent: 0,
            mails_failed: 1,
            zuordnungen: 1,
            median_hours_to_zuordnung: Some(6.0),
            p90_hours_to_zuordnung: Some(6.0),
            betriebe_newly_linked: 1, // B1
        },
    );
    assert_figures(
        &r.by_gewerk[1].figures,
        &Figures {
            received: 5, // A1, A2, A5, A7, A8
            codes_confirmed: 2,
            approved_by_portal: 1,
            approved_by_clerk: 1,
            withdrawn: 2,
            rejected: 0,
            expired: 0,
            open_at_month_end: 1, // A7
            codes_sent: 6,        // A1, A2, A5, A7 ×2, A8
            codes_resent: 1,
            mails_failed: 0,
            zuordnungen: 2,
            median_hours_to_zuordnung: Some(3.0),
            p90_hours_to_zuordnung: Some(3.8),
            betriebe_newly_linked: 1, // T1
        },
    );

    // The Filialen T2 and B1: A2, A3 and the open P1.
    let filialen = Figures {
        received: 2, // A2, A3
        codes_confirmed: 1,
        approved_by_portal: 0,
        approved_by_clerk: 2, // A2, A3
        withdrawn: 0,
        rejected: 0,
        expired: 0,
        open_at_month_end: 1, // P1
        codes_sent: 2,
        codes_resent: 0,
        mails_failed: 0,
        zuordnungen: 2,
        median_hours_to_zuordnung: Some(5.0), // of 4, 6
        p90_hours_to_zuordnung: Some(5.8),    // 4 + 0.9 × (6 − 4)
        betriebe_newly_linked: 1,             // B1 (T2 was linked before)
    };
    assert_figures(&r.filialen, &filialen);
    assert_figures(
        &r.hauptsitze,
        &Figures {
            received: 6, // A1, A4–A8
            codes_confirmed: 1,
            approved_by_portal: 1,
            approved_by_clerk: 0,
            withdrawn: 2,
            rejected: 1,
            expired: 1,
            open_at_month_end: 1, // A7
            codes_sent: 7,
            codes_resent: 1,
            mails_failed: 1,
            zuordnungen: 1,
            median_hours_to_zuordnung: Some(2.0),
            p90_hours_to_zuordnung: Some(2.0),
            betriebe_newly_linked: 1, // T1
        },
    );

    // The twelve months, oldest first; only the last two have anything.
    assert_eq!(r.series.len(), SERIES_MONTHS as usize);
    assert_eq!(r.series.last().unwrap().month, month);
    assert_eq!(r.series[0].month, month.minus(11));
    let now = r.series.last().unwrap();
    assert_eq!(
        (
            now.received,
            now.approved_by_portal,
            now.approved_by_clerk,
            now.withdrawn,
            now.rejected,
            now.expired
        ),
        (8, 1, 2, 2, 1, 1)
    );
    let before = &r.series[10];
    assert_eq!(
        (before.month, before.received, before.approved_by_portal),
        (month.minus(1), 1, 0)
    );
    assert!(
        r.series[..10]
            .iter()
            .all(|m| m.received + m.approved_by_portal + m.withdrawn == 0)
    );

    // Last month on its own: P1 received, still open at that month's end, nothing decided.
    let prev = report::monthly(&f.hotline, month.minus(1)).await.unwrap();
    assert_eq!(
        (
            prev.total.received,
            prev.total.open_at_month_end,
            prev.total.zuordnungen
        ),
        (1, 1, 0)
    );
    assert_eq!(
        prev.total.betriebe_newly_linked, 0,
        "Jupp's link came without an Antrag"
    );

    // The CSV in both dialects carries the same figures; writing it needs the export right.
    let dir = std::env::temp_dir().join(format!(
        "kammer-report-{}",
        kammer_core::domain::random_hex(6)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for d in Dialect::ALL {
        let path = dir.join(format!("bericht-{}.csv", d.as_str()));
        report::write_monthly(&f.sb, &r, d, &path).await.unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
        assert_eq!(
            body.len() < bytes.len(),
            d == Dialect::ExcelDe,
            "BOM only for Excel"
        );
        let mut rd = csv::ReaderBuilder::new()
            .delimiter(d.separator())
            .from_reader(body);
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows.len(), r.table_rows());
        let site: Vec<(&str, &str)> = rows.iter().map(|row| (&row[1], &row[2])).collect();
        assert_eq!(
            site,
            [
                ("Gesamt", "alle"),
                ("Gesamt", "Hauptsitz"),
                ("Gesamt", "Filiale"),
                ("Bäcker", "alle"),
                ("Tischler", "alle"),
            ]
        );
        assert_eq!(&rows[0][0], month.to_string());
        assert_eq!(&rows[0][3], "8");
        assert_eq!(&rows[0][10], "2");
        let (median, p90) = match d {
            Dialect::ExcelDe => ("4,0", "5,6"),
            Dialect::Rfc4180 => ("4.0", "5.6"),
        };
        assert_eq!((&rows[0][15], &rows[0][16]), (median, p90));
        // The Filiale row counts the Filialen's Anträge.
        assert_eq!((&rows[2][3], &rows[2][14]), ("2", "2"));
        assert_eq!(&rows[1][3], "6");
        let series = dir.join(format!("verlauf-{}.csv", d.as_str()));
        report::write_series(&f.sb, &r, d, &series).await.unwrap();
        let text = std::fs::read_to_string(&series).unwrap();
        assert_eq!(text.lines().count(), 1 + SERIES_MONTHS as usize);
    }
    let refused =
        report::write_monthly(&f.hotline, &r, Dialect::ExcelDe, &dir.join("nein.csv")).await;
    assert_kind(refused, ErrorKind::Forbidden);
    assert!(!dir.join("nein.csv").exists());
    // Each file written is in the audit log (two dialects × table and series); the refusal is not.
    let logged: Vec<String> = sqlx::query_scalar(
        "select details->>'export' from audit_events where action = 'export_written' order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        logged,
        [
            "monatsbericht",
            "monatsbericht_verlauf",
            "monatsbericht",
            "monatsbericht_verlauf"
        ]
    );

    // The monthly job from cron, as the reporting service: the same figures, its file
    // recorded as the system's.
    let cron = ReportingService {
        pool: f.reporting.clone(),
        replica: None,
    };
    let by_cron = report::monthly(&cron, month).await.unwrap();
    assert_figures(&by_cron.total, &total);
    assert_figures(&by_cron.filialen, &filialen);
    assert_eq!(by_cron.by_gewerk.len(), 2);
    report::write_monthly(&cron, &by_cron, Dialect::ExcelDe, &dir.join("cron.csv"))
        .await
        .unwrap();
    let (actor, login_seen): (String, String) = sqlx::query_as(
        "select actor_kind, login from audit_events where action = 'export_written' order by id desc limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), login_seen),
        ("system", login(&f.tag, "reporting"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A failed mail without an Antrag has no Betrieb: it counts in the total (under „ohne
/// Gewerk“), but concerns neither a Hauptsitz nor a Filiale.
#[sqlx::test(migrations = "../../migrations")]
async fn a_mail_without_betrieb_is_neither_hauptsitz_nor_filiale(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    sqlx::query(
        "insert into mail_outbox (purpose, message_id, mail_from, recipient, status)
         values ('confirmation_code', 'waise@kammer.example', 'a@kammer.example', 'b@x.example', 'failed')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let r = report::monthly(&f.hotline, Month::current()).await.unwrap();
    assert_eq!(r.total.mails_failed, 1);
    assert_eq!((r.hauptsitze.mails_failed, r.filialen.mails_failed), (0, 0));
    assert_eq!(r.by_gewerk.len(), 1);
    assert_eq!(r.by_gewerk[0].gewerk, report::NO_GEWERK);
    assert_eq!(r.by_gewerk[0].figures.mails_failed, 1);
}

fn assert_figures(got: &Figures, want: &Figures) {
    let round = |h: Option<f64>| h.map(|h| (h * 1000.0).round() / 1000.0);
    let mut got = got.clone();
    got.median_hours_to_zuordnung = round(got.median_hours_to_zuordnung);
    got.p90_hours_to_zuordnung = round(got.p90_hours_to_zuordnung);
    assert_eq!(&got, want);
}

#[test]
fn months_are_validated() {
    assert_eq!(
        Month::parse("2026-13").unwrap_err().kind(),
        ErrorKind::Validation
    );
}

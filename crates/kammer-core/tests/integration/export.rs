//! The CSV export of the Anträge list: files parsed back with the `csv` crate and compared
//! with the database row for row, in both dialects; formula neutralisation; the atomic file.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::*;
use kammer_core::antraege::{self, AntragFilter, AntragSummary, Cursor};
use kammer_core::auth::Session;
use kammer_core::codes;
use kammer_core::db::ReportingService;
use kammer_core::domain::{AntragNr, AntragStatus, Betriebsnummer};
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::{ErrorKind, portal};
use sqlx::PgPool;

const PAYLOADS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example\";\"Klick\")",
    "+49 231 123456 Bau",
    "-Minus Bau GmbH",
    "@SUMME(A1:A9) Fliesen",
    "\tTabulator Bau",
    "\rWagenrücklauf Bau",
];
const TRICKY: &str = "Müller & Söhne; \"Die Besten\"\nZweite Zeile, mit Komma";
const LEADING_ZEROS: &str = "0012345";
const REQUESTER: &str = "=1+1 Jürgen \"Jupp\" Weiß; Köln";
/// The Betrieb of `PAYLOADS[FILIALE]` is a Filiale of the Betrieb with leading zeros.
const FILIALE: usize = 3;

/// A directory of its own under the system's temp dir, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        let p = std::env::temp_dir().join(format!(
            "kammer-export-{}",
            kammer_core::domain::random_hex(6)
        ));
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Anträge with every awkward value a chamber's data can hold, in several states.
async fn awkward_data(pool: &PgPool, f: &Fixture) -> Vec<AntragNr> {
    f.without_request_limits().await;
    let mut nrs = Vec::new();
    for (i, name) in PAYLOADS.iter().enumerate() {
        let nummer = format!("70000{i:02}");
        nrs.push(
            f.file_to(pool, &nummer, name, &format!("info@p{i}.example"))
                .await,
        );
    }
    let hauptsitz = insert_betrieb(pool, LEADING_ZEROS, TRICKY, "info@tricky.example").await;
    sqlx::query("update betriebe set hauptsitz_id = $1 where betriebsnummer = $2")
        .bind(hauptsitz)
        .bind(format!("70000{FILIALE:02}"))
        .execute(pool)
        .await
        .unwrap();
    let (email, _) = register_confirmed_as(&f.portal, "jupp@köln.example", REQUESTER).await;
    // The Handwerksrolle's name has a line break; the requester types it on one line (the
    // portal takes one line, and blanks do not count when the names are compared).
    let tricky = portal::request_zuordnung(
        &f.portal,
        &email,
        &Betriebsnummer::parse(LEADING_ZEROS).unwrap(),
        &TRICKY.replace('\n', " "),
    )
    .await
    .unwrap()
    .nr;
    nrs.push(tricky);
    // Decisions with reasons that look like formulas, and one approved by the portal. The
    // approval without code takes two Sachbearbeitung clerks (four eyes).
    antraege::reject(&f.sb, nrs[0], &reason("-\"böse\"; Zeile 1\nZeile 2"))
        .await
        .unwrap();
    antraege::approve(&f.sb, nrs[1], Some(&reason("@telefonisch bestätigt")))
        .await
        .unwrap();
    antraege::approve(&f.sb2, nrs[1], None).await.unwrap();
    let code = code_from_outbox(pool, tricky).await;
    portal::submit_code(&f.portal, &email, tricky, &code)
        .await
        .unwrap();
    f.without_resend_cooldown().await;
    codes::resend(&f.hotline, nrs[2], &reason("Anruf: nicht erhalten"))
        .await
        .unwrap();
    nrs
}

/// What the list shows for `filter`, page by page (small pages, so paging is exercised).
async fn screen(s: &Session, filter: &AntragFilter) -> Vec<AntragSummary> {
    let mut rows = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = antraege::list(s, filter, after.as_ref(), 2).await.unwrap();
        rows.extend(page.rows);
        match page.next {
            Some(c) => after = Some(Cursor::parse(&c).unwrap()),
            None => return rows,
        }
    }
}

fn neutral(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn expected_record(r: &AntragSummary, d: Dialect) -> Vec<String> {
    let ts =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| d.timestamp(t)).unwrap_or_default();
    let opt = |s: &Option<String>| s.as_deref().map(neutral).unwrap_or_default();
    vec![
        r.nr.to_string(),
        d.timestamp(r.sent_at),
        r.status_label.to_string(),
        match d {
            Dialect::ExcelDe => format!("\u{2060}{}", r.betriebsnummer),
            Dialect::Rfc4180 => r.betriebsnummer.clone(),
        },
        neutral(&r.firmenname),
        match &r.hauptsitz {
            None => "Hauptsitz".to_string(),
            Some(h) => format!("Filiale von {h}"),
        },
        neutral(&r.requester_name),
        neutral(&r.requester_email),
        r.codes_sent.to_string(),
        ts(r.last_code_sent_at),
        r.delivery_status
            .as_deref()
            .map(|s| export::delivery_label_de(s, r.delivery_cancel_reason.as_deref()))
            .unwrap_or_default()
            .to_string(),
        ts(r.decided_at),
        opt(&r.decided_by),
        opt(&r.decision_reason),
    ]
}

/// Parses an export back: checks the BOM for the dialect, returns header and records.
fn read_back(path: &Path, d: Dialect) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    let bom = "\u{feff}".as_bytes();
    let body = match d {
        Dialect::ExcelDe => {
            assert!(bytes.starts_with(bom), "Excel (Deutsch) starts with a BOM");
            &bytes[bom.len()..]
        }
        Dialect::Rfc4180 => {
            assert!(!bytes.starts_with(bom), "RFC 4180 has no BOM");
            &bytes[..]
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(d.separator())
        .has_headers(false)
        .from_reader(body);
    let mut records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let header = records.next().expect("a header");
    (header, records.collect())
}

async fn export_to(
    reader: &impl kammer_core::db::Reader,
    filter: &AntragFilter,
    d: Dialect,
    path: &Path,
) -> u64 {
    match export::antraege(reader, filter, d, path, &ExportControl::new())
        .await
        .unwrap()
    {
        ExportOutcome::Written { path: p, rows } => {
            assert_eq!(p, path);
            rows
        }
        other => panic!("not written: {other:?}"),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn export_matches_the_list_row_for_row_in_both_dialects(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    awkward_data(&pool, &f).await;
    let dir = Dir::new();
    let all = screen(&f.sb, &AntragFilter::default()).await;
    assert_eq!(all.len(), 7);

    // The list's raw values are the database's: checked against the tables directly.
    for r in &all {
        let (nummer, firma, hauptsitz, name): (String, String, Option<String>, String) =
            sqlx::query_as(
                "select b.betriebsnummer, b.firmenname, h.betriebsnummer, acc.name from antraege a
                 join betriebe b on b.id = a.betrieb_id join accounts acc on acc.id = a.account_id
                 left join betriebe h on h.id = b.hauptsitz_id
                 where a.nr = $1",
            )
            .bind(r.nr)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(
            (&nummer, &firma, &hauptsitz, &name),
            (
                &r.betriebsnummer,
                &r.firmenname,
                &r.hauptsitz,
                &r.requester_name
            )
        );
    }
    assert_eq!(
        all.iter().filter(|r| r.hauptsitz.is_some()).count(),
        1,
        "one Antrag is for a Filiale"
    );

    for d in Dialect::ALL {
        let path = dir.file(&format!("antraege-{}.csv", d.as_str()));
        let rows = export_to(&f.sb, &AntragFilter::default(), d, &path).await;
        assert_eq!(rows, 7);
        let (header, records) = read_back(&path, d);
        assert_eq!(header, export::ANTRAEGE_HEADER.map(String::from).to_vec());
        let expected: Vec<Vec<String>> = all.iter().map(|r| expected_record(r, d)).collect();
        assert_eq!(records, expected, "{d:?}");

        // Round trips: umlauts, quotes, separators and line breaks come back unchanged;
        // the leading zeros of the Betriebsnummer survive.
        let tricky = records
            .iter()
            .find(|r| r[4] == TRICKY)
            .expect("the tricky Firmenname round-trips");
        assert_eq!(tricky[3].trim_start_matches('\u{2060}'), LEADING_ZEROS);
        assert_eq!(
            Betriebsnummer::parse(&tricky[3]).unwrap().as_str(),
            LEADING_ZEROS,
            "a number copied from the sheet is accepted again"
        );
        assert_eq!(tricky[5], "Hauptsitz");
        assert_eq!(tricky[6], format!("'{REQUESTER}"));
        assert_eq!(tricky[7], "jupp@köln.example");
        assert_eq!(tricky[2], "Zuordnung bestätigt");
        // Every formula payload is neutralised, numbers are untouched.
        for p in PAYLOADS {
            let rec = records
                .iter()
                .find(|r| r[4] == format!("'{p}"))
                .unwrap_or_else(|| panic!("payload {p:?} not neutralised"));
            assert!(
                rec[0].parse::<i64>().is_ok(),
                "Antrag Nr. is a plain number"
            );
            assert!(
                rec[8].parse::<i64>().unwrap() >= 1,
                "count is a plain number"
            );
        }
        // The Filiale's Antrag names its Hauptsitz, leading zeros and all (no mark needed:
        // the cell is text anyway); every other Betrieb is a Hauptsitz.
        let filiale = records
            .iter()
            .find(|r| r[4] == format!("'{}", PAYLOADS[FILIALE]))
            .unwrap();
        assert_eq!(filiale[5], format!("Filiale von {LEADING_ZEROS}"));
        assert_eq!(
            records.iter().filter(|r| r[5] == "Hauptsitz").count(),
            records.len() - 1
        );
        let rejected = records.iter().find(|r| r[2] == "Abgelehnt").unwrap();
        assert_eq!(rejected[13], "'-\"böse\"; Zeile 1\nZeile 2");
        assert_eq!(rejected[12], f.sb.display_name);
        assert_eq!(rejected[10], "nicht versendet (Antrag vorher entschieden)");
        let approved = records
            .iter()
            .find(|r| r[13] == "'@telefonisch bestätigt")
            .unwrap();
        assert_eq!(
            approved[12], f.sb2.display_name,
            "the second pair of eyes decided"
        );
        let resent = records
            .iter()
            .find(|r| r[8] == "2")
            .expect("one Antrag has two codes");
        assert_eq!(resent[10], "wartet auf Versand");
    }

    let raw = std::fs::read_to_string(dir.file("antraege-excel-de.csv")).unwrap();
    assert!(raw.contains(";\"Müller & Söhne; \"\"Die Besten\"\"\nZweite Zeile, mit Komma\";"));
    assert!(
        raw.lines().nth(1).unwrap().contains(" "),
        "German dates have a blank"
    );
    let raw = std::fs::read_to_string(dir.file("antraege-rfc4180.csv")).unwrap();
    assert!(raw.contains(",\"Müller & Söhne; \"\"Die Besten\"\"\nZweite Zeile, mit Komma\","));
    assert!(
        raw.contains("T") && raw.contains("Z,"),
        "ISO 8601 timestamps"
    );
    assert_eq!(
        dir.names().len(),
        2,
        "no temporary files left: {:?}",
        dir.names()
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn export_holds_exactly_what_the_filtered_list_shows(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    awkward_data(&pool, &f).await;
    let dir = Dir::new();
    let filters = [
        AntragFilter {
            statuses: vec![AntragStatus::AwaitingCode],
            ..Default::default()
        },
        AntragFilter {
            search: Some("BAU".into()),
            order: antraege::SortOrder::NewestFirst,
            ..Default::default()
        },
        AntragFilter {
            search: Some("jupp".into()),
            ..Default::default()
        },
        AntragFilter {
            betriebsnummer: Some(Betriebsnummer::parse(LEADING_ZEROS).unwrap()),
            ..Default::default()
        },
        AntragFilter {
            from: Some(chrono::Utc::now() + chrono::Duration::days(1)),
            ..Default::default()
        },
    ];
    let mut sizes = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        let want = screen(&f.sb, filter).await;
        let path = dir.file(&format!("f{i}.csv"));
        let rows = export_to(&f.sb, filter, Dialect::Rfc4180, &path).await;
        let (_, records) = read_back(&path, Dialect::Rfc4180);
        let nrs: Vec<i64> = records.iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(
            nrs,
            want.iter().map(|r| r.nr).collect::<Vec<_>>(),
            "filter {i}"
        );
        assert_eq!(rows as usize, want.len());
        // The list's tabs count the same rows (their own status part aside).
        if filter.statuses.is_empty() {
            let counts = antraege::count_by_status(&f.sb, filter).await.unwrap();
            assert_eq!(
                counts.iter().map(|(_, n)| n).sum::<i64>(),
                rows as i64,
                "filter {i}"
            );
        }
        sizes.push(rows);
    }
    // The filters really filter: 4 awaiting code, 4 Firmennamen with "Bau" in any case,
    // one Antrag by Jupp, one for the Betrieb with leading zeros, none in the future.
    assert_eq!(sizes, vec![4, 4, 1, 1, 0]);

    // Every export is in the audit log with its filter and row count.
    let details: Vec<serde_json::Value> = sqlx::query_scalar(
        "select details from audit_events where action = 'export_written' order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(details.len(), filters.len());
    assert_eq!(details[1]["rows"], 4);
    assert_eq!(details[1]["filter"]["search"], "BAU");
    assert_eq!(details[3]["filter"]["betriebsnummer"], LEADING_ZEROS);
    assert_eq!(details[0]["filter"]["statuses"][0], "awaiting_code");
}

#[sqlx::test(migrations = "../../migrations")]
async fn hotline_may_not_export_and_nothing_is_written(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    f.file().await;
    let dir = Dir::new();
    let target = dir.file("x.csv");
    let r = export::antraege(
        &f.hotline,
        &AntragFilter::default(),
        Dialect::ExcelDe,
        &target,
        &ExportControl::new(),
    )
    .await;
    assert_kind(r, ErrorKind::Forbidden);
    assert!(dir.names().is_empty());
    let missing = export::antraege(
        &f.sb,
        &AntragFilter::default(),
        Dialect::ExcelDe,
        &dir.file("kein/verzeichnis.csv"),
        &ExportControl::new(),
    )
    .await;
    assert_kind(missing, ErrorKind::Validation);
    let long = AntragFilter {
        search: Some("x".repeat(201)),
        ..Default::default()
    };
    let r = export::antraege(
        &f.sb,
        &long,
        Dialect::ExcelDe,
        &target,
        &ExportControl::new(),
    )
    .await;
    assert_kind(r, ErrorKind::Validation);
    assert!(dir.names().is_empty());
    assert_eq!(
        count(&pool, "audit_events where action = 'export_written'").await,
        0
    );
}

/// Many closed Anträge in one statement: the cancel test needs more rows than one progress step.
async fn bulk(pool: &PgPool, f: &Fixture, n: i64) {
    sqlx::query(
        "insert into antraege (account_id, betrieb_id, betriebsnummer_entered, firmenname_entered, status, decided_at)
         select $1, $2, $3, 'Testbetrieb', 'withdrawn', now() from generate_series(1, $4)",
    )
    .bind(f.account_id)
    .bind(f.betrieb_id)
    .bind(NUMMER)
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn progress_is_reported_and_a_cancelled_export_leaves_nothing(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    bulk(&pool, &f, 2500).await;
    let dir = Dir::new();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let control = ExportControl::new().with_progress({
        let seen = seen.clone();
        move |n| seen.lock().unwrap().push(n)
    });
    let target = dir.file("antraege.csv");
    let done = export::antraege(
        &f.sb,
        &AntragFilter::default(),
        Dialect::ExcelDe,
        &target,
        &control,
    )
    .await
    .unwrap();
    assert_eq!(
        done,
        ExportOutcome::Written {
            path: target.clone(),
            rows: 2500
        }
    );
    assert_eq!(*seen.lock().unwrap(), vec![1000, 2000, 2500]);

    // The old file stays as it was when the next export is cancelled half-way.
    std::fs::write(&target, "alter Export").unwrap();
    let control = ExportControl::new();
    let control = control.clone().with_progress({
        let control = control.clone();
        move |_| control.cancel()
    });
    let r = export::antraege(
        &f.sb,
        &AntragFilter::default(),
        Dialect::Rfc4180,
        &target,
        &control,
    )
    .await
    .unwrap();
    assert_eq!(r, ExportOutcome::Cancelled { rows: 1000 });
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "alter Export");
    assert_eq!(dir.names(), vec!["antraege.csv"], "no temporary file left");

    // Cancelled before the first row, under a new name: no file at all.
    let control = ExportControl::new();
    control.cancel();
    let fresh = dir.file("neu.csv");
    let r = export::antraege(
        &f.sb,
        &AntragFilter::default(),
        Dialect::ExcelDe,
        &fresh,
        &control,
    )
    .await
    .unwrap();
    assert_eq!(r, ExportOutcome::Cancelled { rows: 0 });
    assert!(!fresh.exists());
    assert_eq!(dir.names(), vec!["antraege.csv"]);
    // Only the finished export was logged.
    assert_eq!(
        count(&pool, "audit_events where action = 'export_written'").await,
        1
    );
}

/// A scheduled export runs as the reporting service (cron), not as a clerk: the same rows,
/// recorded as the system's, with the service's login.
#[sqlx::test(migrations = "../../migrations")]
async fn the_reporting_service_exports_what_a_clerk_sees(pool: PgPool) {
    let f = Fixture::new(&pool).await;
    awkward_data(&pool, &f).await;
    let dir = Dir::new();
    let cron = ReportingService {
        pool: f.reporting.clone(),
        replica: None,
    };
    let by_clerk = dir.file("sb.csv");
    let by_cron = dir.file("cron.csv");
    assert_eq!(
        export_to(&f.sb, &AntragFilter::default(), Dialect::Rfc4180, &by_clerk).await,
        7
    );
    assert_eq!(
        export_to(&cron, &AntragFilter::default(), Dialect::Rfc4180, &by_cron).await,
        7
    );
    assert_eq!(
        read_back(&by_clerk, Dialect::Rfc4180),
        read_back(&by_cron, Dialect::Rfc4180)
    );
    let logged: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "select actor_kind, clerk_id, login from audit_events where action = 'export_written' order by id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        logged,
        vec![
            (
                "clerk".to_string(),
                Some(f.sb.clerk_id),
                f.sb.username.clone()
            ),
            ("system".to_string(), None, login(&f.tag, "reporting")),
        ]
    );
}

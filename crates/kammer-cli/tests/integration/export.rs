//! `kammerctl export antraege` and `kammerctl report monthly` with the real binary against a
//! fresh database holding the demo data: for a Sachbearbeitung clerk (`--as sb.mueller`), and
//! from cron as the reporting service (`kd_reporting` in the address).

use crate::common;

use common::{
    json, json_error, kammerctl, kammerctl_as, migrate_and_seed, ok, ok_as, refused, url_as,
};
use kammer_testkit::{ScratchDatabase, psql};

/// A database and a directory of their own, removed at the end even when an assertion fails.
struct Scratch {
    db: ScratchDatabase,
    dir: tempfile::TempDir,
}

impl Scratch {
    fn create() -> Self {
        Scratch {
            db: ScratchDatabase::create("kammerctl_export"),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn url(&self) -> String {
        self.db.url()
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
}

/// As the Sachbearbeitung clerk, signed in with `--as`.
fn ok_sb(url: &str, args: &[&str]) -> String {
    ok_as(url, "sb.mueller", args)
}

fn records(path: &str, separator: u8) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(&bytes)
        .to_vec();
    csv::ReaderBuilder::new()
        .delimiter(separator)
        .from_reader(body.as_slice())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn cron_exports_the_list_and_the_monthly_report() {
    let db = Scratch::create();
    let url = db.url();
    migrate_and_seed(&url);

    // Everything, Excel dialect (the default).
    let all = db.file("alle.csv");
    let said = ok_sb(&url, &["export", "antraege", "--out", &all]);
    assert!(said.contains("600 Anträge"), "{said}");
    assert!(
        std::fs::read(&all)
            .unwrap()
            .starts_with("\u{feff}".as_bytes())
    );
    let rows = records(&all, b';');
    assert_eq!(rows.len(), 600);
    let r178 = rows.iter().find(|r| &r[0] == "178").expect("Antrag 178");
    assert_eq!(&r178[1], "12.01.2024 07:23:17");
    assert_eq!(&r178[2], "Freigabeschlüssel notwendig");
    assert_eq!(&r178[3], "\u{2060}2121155381");
    assert_eq!(&r178[5], "Hauptsitz");
    assert_eq!(&r178[6], "Justus Krämer");
    // A Filiale's Antrag names its Hauptsitz; every other Antrag says „Hauptsitz“.
    let want = psql(
        &url,
        "select string_agg(a.nr || ' Filiale von ' || h.betriebsnummer, '|' order by a.nr)
         from antraege a join betriebe b on b.id = a.betrieb_id join betriebe h on h.id = b.hauptsitz_id",
    );
    assert!(!want.is_empty(), "the demo has Anträge of Filialen");
    let mut filialen: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| &r[5] != "Hauptsitz")
        .map(|r| (r[0].parse().unwrap(), format!("{} {}", &r[0], &r[5])))
        .collect();
    filialen.sort();
    let got: Vec<String> = filialen.into_iter().map(|(_, s)| s).collect();
    assert_eq!(got.join("|"), want);

    // Filtered, RFC 4180: the same rows as the database holds for that filter; `--to` is the
    // last day included.
    let approved = db.file("bestaetigt.csv");
    let json = ok_sb(
        &url,
        &[
            "--json",
            "export",
            "antraege",
            "--status",
            "approved",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--dialect",
            "rfc4180",
            "--out",
            &approved,
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let want: usize = psql(
        &url,
        "select count(*) from antraege where status = 'approved'
         and sent_at >= '2024-01-01 00:00 Europe/Berlin' and sent_at < '2025-01-01 00:00 Europe/Berlin'",
    )
    .parse()
    .unwrap();
    assert!(want > 10);
    assert_eq!(v["outcome"], "written");
    assert_eq!(v["rows"], want);
    let rows = records(&approved, b',');
    assert_eq!(rows.len(), want);
    assert!(rows.iter().all(|r| &r[2] == "Zuordnung bestätigt"));
    let logged = psql(
        &url,
        "select details->>'rows' || ' ' || login from audit_events
         where action = 'export_written' and details->>'dialect' = 'rfc4180'",
    );
    assert_eq!(logged, format!("{want} sb.mueller"));

    // The search box: a Betriebsnummer's beginning finds that Betrieb's Anträge.
    let searched = db.file("suche.csv");
    ok_sb(
        &url,
        &[
            "export", "antraege", "--search", "212115", "--out", &searched,
        ],
    );
    let want: usize = psql(
        &url,
        "select count(*) from antraege a join betriebe b on b.id = a.betrieb_id
         where b.betriebsnummer like '212115%'",
    )
    .parse()
    .unwrap();
    assert!(want >= 2);
    let rows = records(&searched, b';');
    assert_eq!(rows.len(), want);
    assert!(rows.iter().all(|r| r[3].starts_with("\u{2060}212115")));

    // The hotline may not export: exit 5 (forbidden), a German refusal, no file.
    let refused_path = db.file("hotline.csv");
    let hotline = kammerctl_as(
        &url,
        "hl.schmidt",
        &["export", "antraege", "--out", &refused_path],
    );
    assert_eq!(hotline.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&hotline.stderr).contains("keine Exporte erstellen"));
    assert!(!std::path::Path::new(&refused_path).exists());
    let bad = kammerctl_as(
        &url,
        "sb.mueller",
        &[
            "export",
            "antraege",
            "--dialect",
            "xlsx",
            "--out",
            &refused_path,
        ],
    );
    // An unknown dialect is a malformed call: exit 2.
    assert_eq!(bad.status.code(), Some(2));

    // The monthly report of the month the demo data files most in, as JSON, as text and as CSV.
    let month = psql(
        &url,
        "select to_char(sent_at at time zone 'Europe/Berlin', 'YYYY-MM') from antraege
         group by 1 order by count(*) desc, 1 desc limit 1",
    );
    let received: i64 = psql(
        &url,
        &format!(
            "select count(*) from antraege where to_char(sent_at at time zone 'Europe/Berlin', 'YYYY-MM') = '{month}'"
        ),
    )
    .parse()
    .unwrap();
    let report: serde_json::Value = serde_json::from_str(&ok_sb(
        &url,
        &["--json", "report", "monthly", "--month", &month],
    ))
    .unwrap();
    assert_eq!(report["month"], month);
    assert_eq!(report["total"]["received"], received);
    assert_eq!(report["series"].as_array().unwrap().len(), 12);
    let text = ok_sb(&url, &["report", "monthly", "--month", &month]);
    assert!(text.contains(&format!("Monatsbericht {month}")), "{text}");
    assert!(text.contains("Anträge eingegangen"), "{text}");
    assert!(text.contains("Hauptsitz/Filiale"), "{text}");
    let csv_path = db.file("bericht.csv");
    let series_path = db.file("verlauf.csv");
    ok_sb(
        &url,
        &[
            "report",
            "monthly",
            "--month",
            &month,
            "--dialect",
            "rfc4180",
            "--out",
            &csv_path,
            "--series-out",
            &series_path,
        ],
    );
    let rows = records(&csv_path, b',');
    assert_eq!((&rows[0][1], &rows[0][2]), ("Gesamt", "alle"));
    assert_eq!(rows[0][3].parse::<i64>().unwrap(), received);
    // Split into Hauptsitze and Filialen (the demo has both), the rows add up to the total.
    assert_eq!((&rows[1][1], &rows[1][2]), ("Gesamt", "Hauptsitz"));
    assert_eq!((&rows[2][1], &rows[2][2]), ("Gesamt", "Filiale"));
    assert_eq!(
        rows[1][3].parse::<i64>().unwrap() + rows[2][3].parse::<i64>().unwrap(),
        received
    );
    assert_eq!(
        report["filialen"]["received"],
        rows[2][3].parse::<i64>().unwrap()
    );
    assert!(rows[3..].iter().all(|r| &r[2] == "alle"));
    assert_eq!(
        rows.len(),
        3 + report["by_gewerk"].as_array().unwrap().len()
    );
    assert_eq!(records(&series_path, b',').len(), 12);
    let bad_month = kammerctl_as(
        &url,
        "sb.mueller",
        &["--json", "report", "monthly", "--month", "2026-13"],
    );
    assert_eq!(bad_month.status.code(), Some(2));
    assert_eq!(json_error(&bad_month)["kind"], "validation");
}

/// Cron runs the export and the report as the reporting service: no clerk, no password in a
/// crontab but the service's own, and the audit trail says the system did it.
#[test]
fn cron_exports_as_the_reporting_service() {
    let db = Scratch::create();
    let url = db.url();
    migrate_and_seed(&url);
    let cron = url_as(&url, "kd_reporting");

    let all = db.file("cron.csv");
    let said = ok(&cron, &["export", "antraege", "--out", &all]);
    assert!(said.contains("600 Anträge"), "{said}");
    assert_eq!(records(&all, b';').len(), 600);
    assert_eq!(
        psql(
            &url,
            "select actor_kind || ' ' || login from audit_events where action = 'export_written'"
        ),
        "system kd_reporting"
    );
    let month = psql(
        &url,
        "select to_char(now() at time zone 'Europe/Berlin', 'YYYY-MM')",
    );
    let report = json(&cron, &["report", "monthly", "--month", &month]);
    assert_eq!(report["month"], month);
    let series = db.file("verlauf.csv");
    ok(
        &cron,
        &[
            "report",
            "monthly",
            "--month",
            &month,
            "--series-out",
            &series,
        ],
    );
    assert_eq!(records(&series, b';').len(), 12);

    // Not the reporting service: the mail sender is refused; the superuser too, in the words
    // for a clerk command (it is one, without a reporting login).
    let out = db.file("nein.csv");
    let args = ["export", "antraege", "--out", out.as_str()];
    let said = refused(&args, kammerctl(&url_as(&url, "kd_mailer"), &args));
    assert!(said.contains("kein Zugang von KammerDesk"), "{said}");
    let said = refused(&args, kammerctl(&url, &args));
    assert!(said.contains("Superuser-Zugang"), "{said}");
    assert!(!std::path::Path::new(&out).exists());
}

/// `--from`/`--to` of `kammerctl export antraege` and the desk's date filter are the same
/// German days, both included: the export selects exactly the rows the desk's query (as the
/// screen sends it over IPC) lists, and the rows the database holds for those days. Four
/// Anträge are moved to the edges of 12.01.2024 (winter time, UTC+1), so a bound that is
/// exclusive, or a day taken in UTC, selects different rows.
#[test]
fn export_and_desk_select_the_same_days() {
    use std::collections::BTreeSet;

    use kammer_core::antraege::{self, AntragQuery};
    use kammer_core::auth::{self, Password};

    let db = Scratch::create();
    let url = db.url();
    migrate_and_seed(&url);
    psql(
        &url,
        "update antraege set sent_at = case nr
             when 10 then timestamptz '2024-01-11 23:59:59.999999 Europe/Berlin'
             when 11 then timestamptz '2024-01-12 00:00:00 Europe/Berlin'
             when 12 then timestamptz '2024-01-12 23:59:59.999999 Europe/Berlin'
             when 13 then timestamptz '2024-01-13 00:00:00 Europe/Berlin' end
         where nr in (10, 11, 12, 13)",
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let session = runtime
        .block_on(auth::sign_in(
            &kammer_core::db::parse_url(&url).unwrap(),
            "sb.mueller",
            &Password::attempt(common::DEMO_PASSWORD),
        ))
        .unwrap();
    // The desk's side: the query as the Anträge screen sends it, every page of the list.
    let desk = |query: serde_json::Value| -> BTreeSet<i64> {
        let filter = serde_json::from_value::<AntragQuery>(query)
            .unwrap()
            .to_filter()
            .unwrap();
        runtime.block_on(async {
            let mut nrs = BTreeSet::new();
            let mut after = None;
            loop {
                let page = antraege::list(&session, &filter, after.as_ref(), 200)
                    .await
                    .unwrap();
                nrs.extend(page.rows.iter().map(|r| r.nr));
                match page.next {
                    Some(next) => after = Some(antraege::Cursor::parse(&next).unwrap()),
                    None => return nrs,
                }
            }
        })
    };
    let cli = |name: &str, filter: &[&str]| -> BTreeSet<i64> {
        let out = db.file(name);
        let args = [&["export", "antraege", "--out", out.as_str()], filter].concat();
        ok_sb(&url, &args);
        records(&out, b';')
            .iter()
            .map(|r| r[0].parse().unwrap())
            .collect()
    };
    let database = |where_clause: &str| -> BTreeSet<i64> {
        psql(
            &url,
            &format!("select string_agg(nr::text, ',') from antraege where {where_clause}"),
        )
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
    };

    // One day, written both ways.
    let day = database(
        "sent_at >= '2024-01-12 00:00 Europe/Berlin' and sent_at < '2024-01-13 00:00 Europe/Berlin'",
    );
    assert!(day.is_superset(&BTreeSet::from([11, 12, 178])), "{day:?}");
    assert!(!day.contains(&10) && !day.contains(&13), "{day:?}");
    let on_screen = desk(serde_json::json!({
        "statuses": [], "from": "2024-01-12", "to": "2024-01-12",
        "betriebsnummer": null, "search": null, "order": "oldest_first",
    }));
    assert_eq!(on_screen, day);
    assert_eq!(
        cli(
            "tag-iso.csv",
            &["--from", "2024-01-12", "--to", "2024-01-12"]
        ),
        day
    );
    assert_eq!(
        cli(
            "tag-de.csv",
            &["--from", "12.01.2024", "--to", "12.01.2024"]
        ),
        day
    );

    // Only an end, with a status; only a start.
    let until = database("sent_at < '2024-01-13 00:00 Europe/Berlin' and status = 'approved'");
    assert!(until.len() > 5, "{until:?}");
    let on_screen = desk(serde_json::json!({
        "statuses": ["approved"], "from": "", "to": "12.01.2024",
        "betriebsnummer": null, "search": null, "order": "newest_first",
    }));
    assert_eq!(on_screen, until);
    assert_eq!(
        cli(
            "bis.csv",
            &[
                "--to",
                "12.01.2024",
                "--status",
                "approved",
                "--newest-first"
            ]
        ),
        until
    );
    let since = database("sent_at >= '2024-01-13 00:00 Europe/Berlin'");
    assert!(since.contains(&13) && !since.contains(&12), "{since:?}");
    let on_screen = desk(serde_json::json!({
        "statuses": [], "from": "2024-01-13", "to": null,
        "betriebsnummer": null, "search": null, "order": "oldest_first",
    }));
    assert_eq!(on_screen, since);
    assert_eq!(cli("ab.csv", &["--from", "2024-01-13"]), since);
}

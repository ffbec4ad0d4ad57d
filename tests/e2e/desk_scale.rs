//! The desk's own speed at scale: the built app against an existing large database
//! (the scale database of scripts/bench-scale.sh), measured as a clerk meets it — launch to
//! the sign-in screen, sign-in to the first screen, Enter in Suche to the Betrieb shown (by
//! Betriebsnummer and by name fragment), the queue's first page — and the resident memory of
//! the app with its WebKit processes after the session. Each launch is a fresh app, so the
//! launch and first-paint figures are cold for the app (not for PostgreSQL's cache).
//!
//! Not part of the stories (`#[ignore]`): scripts/bench-scale.sh runs it after its own table
//! with `KD_DESK_SCALE_URL` set, and prints the table this writes to
//! `$CARGO_TARGET_DIR/e2e-screenshots/desk-at-scale.md`. By hand, under a display:
//!
//! ```sh
//! KD_DESK_SCALE_URL=postgres://postgres@127.0.0.1:5432/kammerdesk_scale_20000_100000 \
//!   cargo test --workspace --features kammerdesk/custom-protocol --test e2e -- \
//!   --ignored --nocapture desk_at_scale
//! ```
//!
//! `KD_DESK_SCALE_LAUNCHES` (default 5) apps are launched one after the other; each looks up
//! `KD_DESK_SCALE_SEARCHES` (default 8) Betriebe by number and as many by name.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use kammer_testkit::psql;
use serde_json::json;

use crate::harness::{Database, Desk, LAUNCH, STEP, artefact_dir, keys, run_with};
use crate::launch::{self, DEMO_PASSWORD};
use crate::memory;

/// The demo clerk the scale database has (`demo::seed` creates it with the demo password).
const CLERK: &str = "sb.mueller";

/// One kind of measurement and its samples.
struct Series {
    what: &'static str,
    notes: &'static str,
    unit: Unit,
    values: Vec<f64>,
}

#[derive(Clone, Copy)]
enum Unit {
    Ms,
    MiB,
}

/// Everything measured over all launches, in the order of the table.
struct Samples(Vec<Series>);

impl Samples {
    fn new() -> Samples {
        let s = |what, unit, notes| Series {
            what,
            notes,
            unit,
            values: Vec::new(),
        };
        Samples(vec![
            s(
                LAUNCH_WD,
                Unit::Ms,
                "WebDriver: session asked for → `#sign-in` found (WebKit started, bundle loaded, database reached)",
            ),
            s(
                SIGN_IN_DOM,
                Unit::Ms,
                "in the page: click on „Anmelden“ → `#suche` in the DOM (the Argon2id check of the password included)",
            ),
            s(
                SIGN_IN_PAGE,
                Unit::Ms,
                "in the page: click → the frame showing the Suche painted",
            ),
            s(SIGN_IN_WD, Unit::Ms, "WebDriver: click → `#suche` found"),
            s(
                NUMMER_DOM,
                Unit::Ms,
                "in the page: Enter on the highlighted hit → the Stammdaten in the DOM; Betriebsnummern spread over the table",
            ),
            s(
                NUMMER_PAGE,
                Unit::Ms,
                "in the page: Enter → that frame painted",
            ),
            s(
                NUMMER_WD,
                Unit::Ms,
                "WebDriver: Enter → `#betrieb-email` found",
            ),
            s(
                NAME_DOM,
                Unit::Ms,
                "in the page: a surname typed and Enter in one key sequence → the Betrieb in the DOM (the search runs on Enter)",
            ),
            s(
                NAME_PAGE,
                Unit::Ms,
                "in the page: Enter → that frame painted",
            ),
            s(
                NAME_WD,
                Unit::Ms,
                "WebDriver: typing and Enter → `#betrieb-email` found",
            ),
            s(
                QUEUE_DOM,
                Unit::Ms,
                "in the page: click on „Anträge“ → first row in the DOM (first visit of the session: the first page; the counts follow)",
            ),
            s(
                QUEUE_PAGE,
                Unit::Ms,
                "in the page: click → that frame painted",
            ),
            s(
                QUEUE_WD,
                Unit::Ms,
                "WebDriver: click → first `[data-antrag-nr]` found",
            ),
            s(
                QUEUE_COUNTS_WD,
                Unit::Ms,
                "WebDriver: click → `#antraege-total` found (the Anträge counted by status)",
            ),
            s(
                MEMORY_PSS,
                Unit::MiB,
                "after the session: PSS summed over the app and its WebKit processes",
            ),
            s(
                MEMORY_RSS,
                Unit::MiB,
                "the same as RSS (shared pages counted per process)",
            ),
        ])
    }

    fn add(&mut self, what: &str, value: f64) {
        let series = self
            .0
            .iter_mut()
            .find(|s| s.what == what)
            .expect("a known measurement");
        series.values.push(value);
    }

    fn add_ms(&mut self, what: &str, took: Duration) {
        self.add(what, took.as_secs_f64() * 1000.0);
    }

    fn add_page(&mut self, dom: &str, painted: &str, (in_dom, in_frame): (Duration, Duration)) {
        self.add_ms(dom, in_dom);
        self.add_ms(painted, in_frame);
    }

    /// The Markdown table: median and max below 20 samples, p50 and p99 from 20 on.
    fn table(&self, title: &str) -> String {
        let mut out = format!("{title}\n\n");
        out.push_str("| measurement | samples | median (p50) | max, or p99 from 20 samples | target / notes |\n");
        out.push_str("|---|---:|---:|---:|---|\n");
        for s in &self.0 {
            let mut v = s.values.clone();
            v.sort_by(f64::total_cmp);
            let (mid, top) = if v.is_empty() {
                ("—".to_string(), "—".to_string())
            } else if v.len() >= 20 {
                (
                    s.unit.show(percentile(&v, 50.0)),
                    format!("{} (p99)", s.unit.show(percentile(&v, 99.0))),
                )
            } else {
                (
                    s.unit.show(percentile(&v, 50.0)),
                    format!("{} (max)", s.unit.show(v[v.len() - 1])),
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {mid} | {top} | {} |",
                s.what,
                v.len(),
                s.notes
            );
        }
        out
    }
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Ms => format!("{v:.0} ms"),
            Unit::MiB => format!("{v:.0} MiB"),
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

const LAUNCH_WD: &str = "launch → sign-in screen";
const SIGN_IN_DOM: &str = "sign-in → first screen (Suche), in the page, in the DOM";
const SIGN_IN_PAGE: &str = "sign-in → first screen (Suche), in the page, painted";
const SIGN_IN_WD: &str = "sign-in → first screen (Suche), WebDriver";
const NUMMER_DOM: &str = "Enter in Suche (Betriebsnummer) → Betrieb shown, in the page, in the DOM";
const NUMMER_PAGE: &str = "Enter in Suche (Betriebsnummer) → Betrieb shown, in the page, painted";
const NUMMER_WD: &str = "Enter in Suche (Betriebsnummer) → Betrieb shown, WebDriver";
const NAME_DOM: &str = "Enter in Suche (name fragment) → Betrieb shown, in the page, in the DOM";
const NAME_PAGE: &str = "Enter in Suche (name fragment) → Betrieb shown, in the page, painted";
const NAME_WD: &str = "Enter in Suche (name fragment) → Betrieb shown, WebDriver";
const QUEUE_DOM: &str = "Anträge queue first paint, in the page, in the DOM";
const QUEUE_PAGE: &str = "Anträge queue first paint, in the page, painted";
const QUEUE_WD: &str = "Anträge queue first paint, WebDriver";
const QUEUE_COUNTS_WD: &str = "Anträge queue counts shown, WebDriver";
const MEMORY_PSS: &str = "resident memory after the session (PSS)";
const MEMORY_RSS: &str = "resident memory after the session (RSS)";

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `count` values of `select`, spread over the table by id (the same in every run).
fn spread(url: &str, column_sql: &str, count: usize) -> Vec<String> {
    let total: u64 = psql(url, "select count(*) from betriebe")
        .parse()
        .expect("a count of Betriebe");
    let step = (total / count.max(1) as u64).max(1);
    let rows = psql(
        url,
        &format!(
            "select {column_sql} from betriebe where id % {step} = 3 order by id limit {count}"
        ),
    );
    let values: Vec<String> = rows.lines().map(str::to_string).collect();
    assert!(
        values.len() == count,
        "{url} has too few Betriebe for {count} samples"
    );
    values
}

#[test]
#[ignore = "needs a scale database: run through scripts/bench-scale.sh (KD_DESK_SCALE_URL)"]
fn desk_at_scale() {
    let url = std::env::var("KD_DESK_SCALE_URL")
        .expect("KD_DESK_SCALE_URL: the scale database (scripts/bench-scale.sh sets it)");
    let launches = env_count("KD_DESK_SCALE_LAUNCHES", 5);
    let searches = env_count("KD_DESK_SCALE_SEARCHES", 8);
    let nummern = spread(&url, "betriebsnummer", launches * searches);
    // A surname, as a clerk types it from a letterhead: the last word of the Inhaber (the
    // Firmenname where a Betrieb has none).
    let names = spread(
        &url,
        "coalesce(substring(inhaber from '(\\S+)$'), firmenname)",
        launches * searches,
    );
    let betriebe = psql(&url, "select count(*) from betriebe");
    let antraege = psql(&url, "select count(*) from antraege");

    let mut samples = Samples::new();
    for round in 0..launches {
        let chunk = round * searches..(round + 1) * searches;
        let (nummern, names) = (&nummern[chunk.clone()], &names[chunk]);
        let samples = &mut samples;
        run_with(
            &format!("desk_at_scale_{round}"),
            None,
            Database::Existing(url.clone()),
            async move |desk| session(desk, samples, nummern, names).await,
        );
    }

    let table = samples.table(&format!(
        "Desk at scale: {betriebe} Betriebe, {antraege} Anträge; {launches} launches, \
         {searches} look-ups of each kind per launch"
    ));
    println!("\n{table}");
    std::fs::write(artefact_dir().join("desk-at-scale.md"), table).expect("desk-at-scale.md");
}

/// One launch: every measurement once, the look-ups `nummern.len()` times each.
async fn session(desk: &Desk, samples: &mut Samples, nummern: &[String], names: &[String]) {
    desk.wait_for("#sign-in", LAUNCH).await;
    samples.add_ms(LAUNCH_WD, desk.launched.elapsed());

    desk.type_into("#sign-in-username", CLERK).await;
    desk.type_into("#sign-in-password", DEMO_PASSWORD).await;
    let timer = PageTimer::arm(desk, Trigger::Click, "#suche", "").await;
    let start = Instant::now();
    desk.click("#sign-in-submit").await;
    desk.wait_for("#suche", STEP).await;
    samples.add_ms(SIGN_IN_WD, start.elapsed());
    samples.add_page(SIGN_IN_DOM, SIGN_IN_PAGE, timer.read(desk).await);
    desk.wait_for("#main-nav", STEP).await;

    for nr in nummern {
        desk.focus_search().await;
        desk.type_keys(nr).await;
        desk.find(&format!(
            "#search-results [data-betriebsnummer=\"{nr}\"][aria-selected=\"true\"]"
        ))
        .await;
        let shown = format!("#betrieb[data-betriebsnummer=\"{nr}\"] #betrieb-email");
        let timer = PageTimer::arm(desk, Trigger::Enter, &shown, "@").await;
        let start = Instant::now();
        desk.press(&[keys::ENTER]).await;
        desk.wait_text(&shown, "@").await;
        samples.add_ms(NUMMER_WD, start.elapsed());
        samples.add_page(NUMMER_DOM, NUMMER_PAGE, timer.read(desk).await);
    }

    for name in names {
        desk.focus_search().await;
        let shown = "#betrieb[data-betriebsnummer] #betrieb-email";
        let timer = PageTimer::arm(desk, Trigger::Enter, shown, "@").await;
        // The name and Enter in one sequence of keys: Enter comes before the debounced
        // search, so the desk searches on Enter and opens the best hit, every time alike.
        let start = Instant::now();
        desk.type_keys(&format!("{name}{}", keys::ENTER)).await;
        desk.wait_text(shown, "@").await;
        samples.add_ms(NAME_WD, start.elapsed());
        samples.add_page(NAME_DOM, NAME_PAGE, timer.read(desk).await);
    }

    let first_row = "#antraege-list [data-antrag-nr]";
    let timer = PageTimer::arm(desk, Trigger::Click, first_row, "").await;
    let start = Instant::now();
    desk.click("#nav-antraege").await;
    desk.wait_for(first_row, STEP).await;
    samples.add_ms(QUEUE_WD, start.elapsed());
    samples.add_page(QUEUE_DOM, QUEUE_PAGE, timer.read(desk).await);
    desk.wait_for("#antraege-total", STEP).await;
    samples.add_ms(QUEUE_COUNTS_WD, start.elapsed());

    let footprint = memory::of_app_below(desk.driver.pid(), &launch::app_binary())
        .expect("the app's process below tauri-driver");
    println!(
        "[desk at scale] {}: PSS {} KiB, RSS {} KiB over {:?}",
        desk.name, footprint.pss_kib, footprint.rss_kib, footprint.processes
    );
    samples.add(MEMORY_PSS, footprint.pss_kib as f64 / 1024.0);
    samples.add(MEMORY_RSS, footprint.rss_kib as f64 / 1024.0);
}

#[derive(Clone, Copy)]
enum Trigger {
    /// The next Enter keydown anywhere.
    Enter,
    /// The next click anywhere.
    Click,
}

/// A measurement inside the page: `performance.now()` at the trigger (a capturing listener,
/// so before the desk's own handler), when the element appeared with its text (a
/// MutationObserver), and once the frame showing it is painted (`requestAnimationFrame`
/// runs just before that frame's style, layout and paint; a task queued from it runs after
/// them).
struct PageTimer;

impl PageTimer {
    async fn arm(desk: &Desk, trigger: Trigger, css: &str, needle: &str) -> PageTimer {
        let trigger = match trigger {
            Trigger::Enter => "enter",
            Trigger::Click => "click",
        };
        desk.client
            .execute(
                "const [trigger, sel, needle] = arguments;\
                 if (window.__kdScaleObserver) window.__kdScaleObserver.disconnect();\
                 const t = window.__kdScale = { trigger, start: null, dom: null, paint: null };\
                 if (!window.__kdScaleHooked) {\
                   window.__kdScaleHooked = true;\
                   const mark = kind => { const t = window.__kdScale; if (t && t.trigger === kind && t.start === null) t.start = performance.now(); };\
                   window.addEventListener('keydown', e => { if (e.key === 'Enter') mark('enter'); }, true);\
                   window.addEventListener('click', () => mark('click'), true);\
                 }\
                 const shown = () => { const e = document.querySelector(sel); return e !== null && e.textContent.includes(needle); };\
                 const obs = window.__kdScaleObserver = new MutationObserver(() => {\
                   if (t.start === null || t.dom !== null || !shown()) return;\
                   t.dom = performance.now(); obs.disconnect();\
                   requestAnimationFrame(() => setTimeout(() => { t.paint = performance.now(); }, 0));\
                 });\
                 obs.observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });",
                vec![json!(trigger), json!(css), json!(needle)],
            )
            .await
            .expect("in-page timer");
        PageTimer
    }

    /// Trigger → in the DOM, and trigger → painted; waits for the frame (the WebDriver side
    /// may see the element before it is painted).
    async fn read(self, desk: &Desk) -> (Duration, Duration) {
        let client = &desk.client;
        let ms = desk
            .poll("the in-page timing", STEP, move || async move {
                let v = client
                    .execute(
                        "const t = window.__kdScale || {};\
                         return (t.start !== null && t.paint !== null) ? [t.dom - t.start, t.paint - t.start] : null;",
                        vec![],
                    )
                    .await
                    .ok()?;
                let v = v.as_array()?;
                Some((v[0].as_f64()?, v[1].as_f64()?))
            })
            .await;
        let duration = |ms: f64| Duration::from_secs_f64(ms.max(0.0) / 1000.0);
        (duration(ms.0), duration(ms.1))
    }
}

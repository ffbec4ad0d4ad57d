//! Progress bars for the long commands (`export antraege`, `demo-seed`, `report monthly`), on
//! stderr and only when stderr is a terminal: a cron job's mail, a log file and a script's
//! pipe get the result alone. Numbers and durations in German.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::human::{self, Noun};

/// How often a spinner turns while the database works.
const TICK: Duration = Duration::from_millis(120);

fn on_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// `12 s`, `3:07 min`, `1:02:09 h`.
fn duration_de(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{}:{:02} min", s / 60, s % 60),
        _ => format!("{}:{:02}:{:02} h", s / 3600, s / 60 % 60, s % 60),
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("progress template is valid")
        .progress_chars("█▌░")
        .with_key("dauer", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&duration_de(s.elapsed()));
        })
        .with_key("stand", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(
                w,
                "{} von {}",
                human::number(s.pos()),
                human::number(s.len().unwrap_or(0))
            );
        })
}

fn start(bar: ProgressBar) -> ProgressBar {
    bar.enable_steady_tick(TICK);
    bar
}

/// Things written one by one, how many in all unknown: `⠋ 12.000 Anträge geschrieben (3 s)`.
pub fn count(noun: Noun, done: &'static str) -> ProgressBar {
    if !on_terminal() {
        return ProgressBar::hidden();
    }
    let style = style(&format!("{{spinner}} {{anzahl}} {done} ({{dauer}})")).with_key(
        "anzahl",
        move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&human::count(s.pos(), noun));
        },
    );
    start(ProgressBar::new_spinner().with_style(style))
}

/// Steps of known size, each named: `Anträge  [████▌░░░░] 12.000 von 30.000 (4 s)`.
pub fn steps() -> ProgressBar {
    if !on_terminal() {
        return ProgressBar::hidden();
    }
    start(ProgressBar::new(1).with_style(style("{spinner} {msg:<16} [{bar:30}] {stand} ({dauer})")))
}

/// One thing under way, of unknown length: `⠋ Zahlen des Monats werden berechnet … (2 s)`.
pub fn spinner() -> ProgressBar {
    if !on_terminal() {
        return ProgressBar::hidden();
    }
    start(ProgressBar::new_spinner().with_style(style("{spinner} {msg} … ({dauer})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_german() {
        assert_eq!(duration_de(Duration::from_secs(12)), "12 s");
        assert_eq!(duration_de(Duration::from_secs(187)), "3:07 min");
        assert_eq!(duration_de(Duration::from_secs(3729)), "1:02:09 h");
    }

    #[test]
    fn the_templates_are_valid() {
        // `style` panics on a template indicatif cannot read.
        style("{spinner} {msg:<16} [{bar:30}] {stand} ({dauer})");
        style("{spinner} {msg} … ({dauer})");
    }
}

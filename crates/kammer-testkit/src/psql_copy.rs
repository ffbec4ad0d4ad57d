//! PostgreSQL's own export, `psql \copy`, timed and with its peak memory, so the export
//! benchmarks compare the app with the tool IT would otherwise use.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub struct CopyRun {
    pub rows: u64,
    pub seconds: f64,
    pub peak_kib: u64,
}

/// Runs `\copy (select) to 'out' csv` under `/usr/bin/time`; the file is removed afterwards.
pub fn psql_copy(url: &str, select: &str, out: &Path) -> CopyRun {
    let copy = format!("\\copy ({select}) to '{}' csv", out.display());
    let started = Instant::now();
    let run = Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kib=%M", "psql", url, "-qc", &copy])
        .output()
        .expect("/usr/bin/time and psql run");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "psql \\copy failed: {stderr}");
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let rows = std::fs::read(out)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        .unwrap_or(0);
    let _ = std::fs::remove_file(out);
    CopyRun {
        rows,
        seconds,
        peak_kib,
    }
}

//! PostgreSQL's own bulk paths, `psql \copy` out and in, timed and with their peak memory, so
//! the benchmarks compare the app with the tool IT would otherwise use.

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
    let (seconds, peak_kib) = timed_psql(
        url,
        &format!("\\copy ({select}) to '{}' csv", out.display()),
    );
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

/// Runs `\copy table from 'file' with (options)` under `/usr/bin/time`; `rows` as the
/// table then holds.
pub fn psql_copy_in(url: &str, table: &str, file: &Path, options: &str) -> CopyRun {
    let (seconds, peak_kib) = timed_psql(
        url,
        &format!("\\copy {table} from '{}' with ({options})", file.display()),
    );
    let rows = crate::psql(url, &format!("select count(*) from {table}"))
        .parse()
        .unwrap_or(0);
    CopyRun {
        rows,
        seconds,
        peak_kib,
    }
}

/// One psql command under `/usr/bin/time`: seconds and peak resident memory in KiB.
fn timed_psql(url: &str, command: &str) -> (f64, u64) {
    let started = Instant::now();
    let run = Command::new("/usr/bin/time")
        .args(["-f", "maxrss_kib=%M", "psql", url, "-qc", command])
        .output()
        .expect("/usr/bin/time and psql run");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "psql {command} failed: {stderr}");
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (seconds, peak_kib)
}

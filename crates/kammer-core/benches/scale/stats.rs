//! Latency samples, the app side's timing loop, and the Markdown tables the run prints.

use std::future::Future;
use std::time::Instant;

use crate::common::ExportRun;
use kammer_testkit::CopyRun;

/// Latencies of one side of one operation.
pub struct Sample {
    pub micros: Vec<f64>,
    /// The run's own time (for operations per second).
    pub seconds: f64,
}

impl Sample {
    /// Percentile `p` (nearest rank) in milliseconds.
    pub fn pct(&self, p: f64) -> f64 {
        let mut v = self.micros.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[i.clamp(1, v.len()) - 1] / 1000.0
    }

    pub fn ops(&self) -> f64 {
        self.micros.len() as f64 / self.seconds
    }
}

/// Runs `op` for every parameter set in turn, `n` times after a short warm-up.
pub async fn measure<F, Fut>(n: usize, sets: usize, mut op: F) -> Sample
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    // Writes use each parameter set once (sets == n): no warm-up, it would use them up.
    let warm_up = if sets >= n {
        0
    } else {
        (n / 10).min(50).max(sets)
    };
    for i in 0..warm_up {
        op(i % sets).await;
    }
    let mut micros = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        op(i % sets).await;
        micros.push(t0.elapsed().as_secs_f64() * 1e6);
    }
    Sample {
        micros,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// One measured operation: the app's side and pgbench's.
pub struct Row {
    pub what: &'static str,
    pub target: &'static str,
    pub app: Sample,
    pub reference: Sample,
}

pub fn print_operations(rows: &[Row]) {
    println!(
        "| operation | target | app p50 ms | app p99 ms | app ops/s | pgbench p50 ms | pgbench p99 ms | pgbench ops/s | p50 ratio | p99 ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let (app, pgb) = (&r.app, &r.reference);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} |",
            r.what,
            r.target,
            app.pct(50.0),
            app.pct(99.0),
            app.ops(),
            pgb.pct(50.0),
            pgb.pct(99.0),
            pgb.ops(),
            app.pct(50.0) / pgb.pct(50.0),
            app.pct(99.0) / pgb.pct(99.0)
        );
    }
}

pub fn print_export(app: &ExportRun, copy: &CopyRun) {
    println!(
        "| export | target | rows | app rows/s | app peak RSS (own process) | psql \\copy rows/s | psql peak RSS | throughput ratio |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let (app_rate, copy_rate) = (
        app.rows as f64 / app.seconds,
        copy.rows as f64 / copy.seconds,
    );
    println!(
        "| Anträge CSV (rfc4180), newest {} rows | ≥ 0.7 × psql \\copy | {} | {:.0} | {:.0} MiB | {:.0} | {:.0} MiB | {:.2} |",
        app.rows,
        app.rows,
        app_rate,
        app.peak_kib as f64 / 1024.0,
        copy_rate,
        copy.peak_kib as f64 / 1024.0,
        app_rate / copy_rate
    );
}

//! The short table printed on stdout after a run.

use crate::metrics::{Stats, Summary};
use std::fmt::Write;

fn ms(v: f64) -> String {
    if v == 0.0 {
        "-".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn row(out: &mut String, name: &str, s: &Stats) {
    let _ = writeln!(
        out,
        "{:<16} {:>11} {:>7.2}% {:>9} {:>7} {:>9} {:>9} {:>9} {:>7} {:>6.1} {:>11.2} {:>12.2}",
        name,
        s.invocations,
        s.cold_start_ratio * 100.0,
        s.throttled,
        s.errors,
        ms(s.latency_ms.p50),
        ms(s.latency_ms.p99),
        ms(s.cold_latency_ms.p50),
        s.environments.peak,
        s.environments.mean_total,
        s.cost_usd.total,
        s.cost_usd_per_month,
    );
}

/// A readable summary: one row per function and a total.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {} · seed {} · {:.0} s counted · cost ${:.2}, ${:.2} per month (730 h) at this traffic",
        summary.scenario,
        summary.seed,
        summary.simulated_seconds,
        summary.stats.cost_usd.total,
        summary.stats.cost_usd_per_month
    );
    let _ = writeln!(
        out,
        "{:<16} {:>11} {:>8} {:>9} {:>7} {:>9} {:>9} {:>9} {:>7} {:>6} {:>11} {:>12}",
        "function",
        "requests",
        "cold",
        "throttled",
        "errors",
        "p50 ms",
        "p99 ms",
        "cold p50",
        "peak",
        "envs",
        "cost $",
        "$ / month"
    );
    for f in &summary.functions {
        let name: String = f.name.chars().take(16).collect();
        row(&mut out, &name, &f.stats);
    }
    if summary.functions.len() > 1 {
        row(&mut out, "all", &summary.stats);
    }
    out
}

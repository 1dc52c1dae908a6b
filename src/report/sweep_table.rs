//! The table printed on stdout after a sweep: one row per point, means ± half the 95%
//! confidence interval.

use super::sweep_html::fig;
use crate::sweep::{Estimate, Metric, SweepSummary};
use std::fmt::Write;

fn cell(e: &Estimate, scale: f64) -> String {
    match e.half_width() {
        Some(h) => format!("{} ±{}", fig(e.mean * scale), fig(h * scale)),
        None => fig(e.mean * scale),
    }
}

/// A readable summary of a sweep.
pub fn sweep_table(summary: &SweepSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "sweep {} · {} points × {} replications · seed {} · {} counted per run{}",
        summary.name,
        summary.points.len(),
        summary.replications,
        summary.seed,
        summary.simulated,
        if summary.replications > 1 {
            " · mean ± half the 95% CI"
        } else {
            ""
        }
    );
    let width = summary
        .points
        .iter()
        .map(|p| p.label.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let _ = writeln!(
        out,
        "{:>4}  {:<width$}  {:>16} {:>16} {:>16} {:>14} {:>14} {:>16} {:>16}",
        "#",
        "point",
        "cold %",
        "p50 ms",
        "p99 ms",
        "environments",
        "throttled",
        "cost $",
        "$ per month"
    );
    for p in &summary.points {
        let label: String = p.label.chars().take(width).collect();
        let _ = writeln!(
            out,
            "{:>4}  {:<width$}  {:>16} {:>16} {:>16} {:>14} {:>14} {:>16} {:>16}{}",
            p.index,
            label,
            cell(&p.get(Metric::ColdStartRatio), 100.0),
            cell(&p.get(Metric::LatencyP50), 1.0),
            cell(&p.get(Metric::LatencyP99), 1.0),
            cell(&p.get(Metric::MeanEnvironments), 1.0),
            cell(&p.get(Metric::Throttled), 1.0),
            cell(&p.get(Metric::Cost), 1.0),
            cell(&p.get(Metric::CostPerMonth), 1.0),
            if p.pareto { "  ◆" } else { "" }
        );
    }
    out += "◆ = on the Pareto front of p99 latency and cost\n";
    out
}

//! `functions.csv`: one row per function, from a serde row struct.

use crate::metrics::{FunctionSummary, Summary};
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    function: &'a str,
    runtime: &'a str,
    arch: &'a str,
    memory_mb: u32,
    invocations: u64,
    cold_starts: u64,
    warm_starts: u64,
    throttled: u64,
    /// Part of `throttled`: refused by the account's requests-per-second limit (the rest:
    /// concurrency, scaling tokens or memory).
    throttled_rate: u64,
    throttled_concurrency: u64,
    error_retries: u64,
    dead_lettered: u64,
    errors: u64,
    cold_start_ratio: f64,
    latency_mean_ms: Option<f64>,
    latency_p50_ms: Option<f64>,
    latency_p99_ms: Option<f64>,
    cold_latency_p50_ms: Option<f64>,
    cold_latency_p99_ms: Option<f64>,
    warm_latency_p50_ms: Option<f64>,
    warm_latency_p99_ms: Option<f64>,
    init_p50_ms: Option<f64>,
    init_p99_ms: Option<f64>,
    environments_created: u64,
    environments_peak: u32,
    environments_mean: f64,
    environments_mean_busy: f64,
    environments_mean_idle: f64,
    utilization: f64,
    idle_gb_seconds: f64,
    cost_usd: f64,
}

impl<'a> From<&'a FunctionSummary> for Row<'a> {
    fn from(f: &'a FunctionSummary) -> Self {
        let s = &f.stats;
        Row {
            function: &f.name,
            runtime: &f.runtime,
            arch: &f.arch,
            memory_mb: f.memory_mb,
            invocations: s.invocations,
            cold_starts: s.cold_starts,
            warm_starts: s.warm_starts,
            throttled: s.throttled,
            throttled_rate: s.rate_throttled,
            throttled_concurrency: s.throttled - s.rate_throttled,
            error_retries: s.error_retries,
            dead_lettered: s.dead_lettered,
            errors: s.errors,
            cold_start_ratio: s.cold_start_ratio,
            latency_mean_ms: s.latency_ms.get(|l| l.mean),
            latency_p50_ms: s.latency_ms.get(|l| l.p50),
            latency_p99_ms: s.latency_ms.get(|l| l.p99),
            cold_latency_p50_ms: s.cold_latency_ms.get(|l| l.p50),
            cold_latency_p99_ms: s.cold_latency_ms.get(|l| l.p99),
            warm_latency_p50_ms: s.warm_latency_ms.get(|l| l.p50),
            warm_latency_p99_ms: s.warm_latency_ms.get(|l| l.p99),
            init_p50_ms: s.init_ms.get(|l| l.p50),
            init_p99_ms: s.init_ms.get(|l| l.p99),
            environments_created: s.environments.created,
            environments_peak: s.environments.peak,
            environments_mean: s.environments.mean_total,
            environments_mean_busy: s.environments.mean_busy,
            environments_mean_idle: s.environments.mean_idle,
            utilization: s.environments.utilization,
            idle_gb_seconds: s.environments.idle_gb_seconds,
            cost_usd: s.cost_usd.total,
        }
    }
}

/// The bytes of `functions.csv`. A latency of a function with nothing measured (no cold
/// start, say) is an empty cell.
pub fn functions_csv(summary: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in &summary.functions {
        w.serialize(Row::from(f))
            .expect("writing CSV to memory cannot fail");
    }
    w.into_inner().expect("writing CSV to memory cannot fail")
}

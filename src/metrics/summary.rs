//! The figures of `summary.json` and `functions.csv`, computed from the run's totals.

use super::cost::{CostBreakdown, Pricing};
use super::{Class, FunctionStats, Histogram};
use crate::engine::SimDuration;
use crate::runtime::Arch;
use serde::Serialize;

/// What a summary needs to know of the run it describes: the scenario's name, seed and
/// counted period, and each function's name, runtime, architecture and memory. Built from a
/// scenario by `From<&scenario::Scenario>`, so the metrics do not depend on the scenario types.
#[derive(Debug, Clone)]
pub struct RunInfo<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// Seed of the run.
    pub seed: u64,
    /// Simulated duration, warm-up included.
    pub duration: SimDuration,
    /// Warm-up, not counted.
    pub warmup: SimDuration,
    /// The functions, in the order of the run's per-function totals.
    pub functions: Vec<FunctionInfo<'a>>,
}

/// A function as its summary row and its cost need it.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo<'a> {
    /// Function name.
    pub name: &'a str,
    /// Runtime identifier.
    pub runtime: &'a str,
    /// Instruction set architecture.
    pub arch: Arch,
    /// Configured memory, MB.
    pub memory_mb: u32,
    /// The app whose environments it shares (`[trace] unit = "app"`), if any.
    pub app: Option<&'a str>,
}

impl FunctionInfo<'_> {
    /// Configured memory in GB (MB / 1024), as AWS bills it.
    pub fn memory_gb(&self) -> f64 {
        self.memory_mb as f64 / 1024.0
    }
}

/// Cost in US dollars by component.
pub type Cost = CostBreakdown;

/// Latency statistics in milliseconds. With nothing measured (`samples` 0) every figure is
/// written as `null`: no latency is invented.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencySummary {
    /// Values measured (not written: the counts beside it say how many requests there were).
    pub samples: u64,
    /// Exact mean.
    pub mean: f64,
    /// Median (within 0.39%).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Exact maximum.
    pub max: f64,
}

impl LatencySummary {
    /// From a histogram of nanoseconds.
    pub fn of(h: &Histogram) -> Self {
        let ms = |ns: f64| ns / 1e6;
        LatencySummary {
            samples: h.count(),
            mean: ms(h.mean()),
            p50: ms(h.quantile(0.5)),
            p90: ms(h.quantile(0.9)),
            p95: ms(h.quantile(0.95)),
            p99: ms(h.quantile(0.99)),
            p999: ms(h.quantile(0.999)),
            max: ms(h.max() as f64),
        }
    }
}

impl LatencySummary {
    /// `figure` of this summary, `None` when nothing was measured.
    pub fn get(&self, figure: impl Fn(&Self) -> f64) -> Option<f64> {
        (self.samples > 0).then(|| figure(self))
    }
}

impl Serialize for LatencySummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("LatencySummary", 7)?;
        st.serialize_field("mean", &self.get(|l| l.mean))?;
        st.serialize_field("p50", &self.get(|l| l.p50))?;
        st.serialize_field("p90", &self.get(|l| l.p90))?;
        st.serialize_field("p95", &self.get(|l| l.p95))?;
        st.serialize_field("p99", &self.get(|l| l.p99))?;
        st.serialize_field("p999", &self.get(|l| l.p999))?;
        st.serialize_field("max", &self.get(|l| l.max))?;
        st.end()
    }
}

/// Environment counts and time-weighted means over the counted period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct EnvironmentSummary {
    /// Environments created (provisioned ones included).
    pub created: u64,
    /// Retired after the keep-alive expired.
    pub retired_idle: u64,
    /// Retired at the maximum lifetime.
    pub retired_lifetime: u64,
    /// Discarded after a failed request.
    pub retired_error: u64,
    /// Most environments alive at once.
    pub peak: u32,
    /// Mean live environments.
    pub mean_total: f64,
    /// Mean environments serving a request.
    pub mean_busy: f64,
    /// Mean idle environments (provisioned ones included).
    pub mean_idle: f64,
    /// Mean environments running init.
    pub mean_initializing: f64,
    /// Mean idle provisioned environments (part of `mean_idle`).
    pub mean_provisioned_idle: f64,
    /// mean_busy / mean_total.
    pub utilization: f64,
    /// Idle environment time × configured memory, GB-seconds.
    pub idle_gb_seconds: f64,
    /// Provisioned environments retired by a scale-in (schedule or autoscaling).
    pub retired_scale_in: u64,
    /// Evicted to make room on a memory-bounded platform.
    pub retired_evicted: u64,
    /// Loaded ahead of requests by the keep-alive policy (part of `created`).
    pub prewarmed: u64,
}

/// Provisioned concurrency figures over the counted period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ProvisionedSummary {
    /// Mean provisioned environments allocated (the configured count over time).
    pub mean_allocated: f64,
    /// Busy provisioned environment time / allocated time.
    pub utilization: f64,
    /// Requests that found every provisioned environment busy while some were allocated.
    pub spillover: u64,
    /// Allocated environment time × configured memory, GB-seconds (what is billed).
    pub allocated_gb_seconds: f64,
}

/// Warm-up pings: invocations, not requests, so outside every other figure but cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct WarmersSummary {
    /// Pings that ran.
    pub pings: u64,
    /// Of which started a new environment.
    pub cold_starts: u64,
    /// Pings refused for lack of concurrency or scaling tokens.
    pub throttled: u64,
    /// What the pings cost (requests, duration and init; part of `cost_usd`).
    pub cost_usd: f64,
}

/// The statistics reported for the whole run and for each function.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Requests that arrived in the counted period.
    pub invocations: u64,
    /// Requests that needed a new environment.
    pub cold_starts: u64,
    /// Requests served by an existing environment.
    pub warm_starts: u64,
    /// Requests rejected (sync 429) or dropped (async, after the maximum event age).
    pub throttled: u64,
    /// Requests that failed (timeout, memory, init limit); part of cold + warm.
    pub errors: u64,
    /// cold_starts / invocations.
    pub cold_start_ratio: f64,
    /// Asynchronous requests dropped (part of `throttled`).
    pub dropped: u64,
    /// Throttled attempts of asynchronous requests that were retried.
    pub retries: u64,
    /// Requests refused by the account's requests-per-second limit (part of `throttled`; the
    /// rest of `throttled` is concurrency, scaling or memory).
    pub rate_throttled: u64,
    /// Retries of asynchronous requests after a function error (part of `invocations`).
    pub error_retries: u64,
    /// Asynchronous events discarded to the on-failure destination or dead-letter queue:
    /// failed every attempt, or expired.
    pub dead_lettered: u64,
    /// Requests that waited for memory on a full platform (`when_full = "wait"`).
    pub capacity_waited: u64,
    /// Requests dropped for lack of memory (`when_full = "drop"`, or still waiting at the
    /// end); part of `throttled`.
    pub capacity_dropped: u64,
    /// Latency of all successful requests, ms.
    pub latency_ms: LatencySummary,
    /// Latency of successful cold requests, ms (init + execution).
    pub cold_latency_ms: LatencySummary,
    /// Latency of successful warm requests, ms.
    pub warm_latency_ms: LatencySummary,
    /// Init durations, ms.
    pub init_ms: LatencySummary,
    /// Environment figures.
    pub environments: EnvironmentSummary,
    /// Cost in US dollars.
    pub cost_usd: Cost,
    /// Cost per month at the simulated traffic: `cost_usd.total` scaled from the counted
    /// period to 730 hours (AWS's billing month), US dollars. For the whole scenario the
    /// on-demand duration of that month is priced in AWS's tiers and, with
    /// `pricing.free_tier`, less the free tier (`metrics::monthly`); a function's own figure
    /// is its list-price share.
    pub cost_usd_per_month: f64,
    /// Provisioned concurrency.
    pub provisioned: ProvisionedSummary,
    /// Warm-up pings.
    pub warmers: WarmersSummary,
}

/// One function's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionSummary {
    /// Function name.
    pub name: String,
    /// Runtime as written.
    pub runtime: String,
    /// Architecture.
    pub arch: String,
    /// Configured memory, MB.
    pub memory_mb: u32,
    /// Its statistics.
    #[serde(flatten)]
    pub stats: Stats,
}

/// Everything `summary.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Version of this layout.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Seed of the run.
    pub seed: u64,
    /// Length of the counted period (duration − warmup), seconds.
    pub simulated_seconds: f64,
    /// Bad rows of the replayed trace files, skipped with `lenient = true`; 0 without traces.
    pub trace_rows_skipped: u64,
    /// All-function statistics.
    #[serde(flatten)]
    pub stats: Stats,
    /// The keep-alive trade-off: per-function cold starts against memory kept idle.
    pub keep_alive: KeepAliveSummary,
    /// Per-function statistics, in scenario order.
    pub functions: Vec<FunctionSummary>,
    /// Lambda Managed Instances capacity providers that ran instances (absent without).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity_providers: Vec<super::managed::CapacityProviderSummary>,
    /// Hosts, placement and CPU contention (`[cluster]` only; absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::hosts::ClusterSummary>,
}

/// The figures keep-alive policies are compared by (Shahrad et al., ATC'20, Fig. 15).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KeepAliveSummary {
    /// Functions with at least one request counted (those the distribution is over).
    pub functions_with_requests: u64,
    /// Distribution over functions of each function's cold starts, % of its requests
    /// (percentiles interpolated between functions).
    pub function_cold_start_pct: Spread,
    /// With apps as the unit (`[trace] unit = "app"`): apps with at least one request
    /// counted, a function outside any app counting as an app of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apps_with_requests: Option<u64>,
    /// With apps as the unit: the distribution over apps of each app's cold starts, % of
    /// its functions' requests. The paper's figure is over applications (its p75 is the
    /// headline), so sweeps compare policies by this one when it is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_cold_start_pct: Option<Spread>,
    /// Memory kept by idle on-demand environments, GB-seconds: the paper's wasted memory
    /// time, weighted by each function's memory (normalize it by another policy's, e.g. fixed
    /// 10 minutes, to compare; sweeps do).
    pub wasted_memory_gb_seconds: f64,
}

/// Summary of a distribution across functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl Spread {
    /// From values (any order); zeros when empty. Percentiles interpolate linearly between
    /// the sorted values (position p × (n − 1)).
    pub fn of(mut values: Vec<f64>) -> Spread {
        if values.is_empty() {
            return Spread::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let q = |p: f64| {
            let pos = p * (n - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
        };
        Spread {
            mean: values.iter().sum::<f64>() / n as f64,
            p50: q(0.5),
            p75: q(0.75),
            p90: q(0.9),
            p99: q(0.99),
            max: values[n - 1],
        }
    }
}

/// Each app's cold starts, % of its functions' requests, for the apps with requests (in order
/// of first appearance; a function outside any app is an app of its own), if any function
/// shares an app's environments; else `None`.
fn app_cold_start_pcts(info: &[FunctionInfo], functions: &[FunctionStats]) -> Option<Vec<f64>> {
    info.iter().any(|f| f.app.is_some()).then(|| {
        let mut index: std::collections::HashMap<&str, usize> = Default::default();
        let mut apps: Vec<(u64, u64)> = Vec::new();
        for (f, s) in info.iter().zip(functions) {
            let i = match f.app {
                Some(app) => *index.entry(app).or_insert(apps.len()),
                None => apps.len(),
            };
            if i == apps.len() {
                apps.push((0, 0));
            }
            apps[i].0 += s.cold;
            apps[i].1 += s.invocations;
        }
        (apps.into_iter())
            .filter(|&(_, n)| n > 0)
            .map(|(cold, n)| cold as f64 / n as f64 * 100.0)
            .collect()
    })
}

/// Hours in a month for a monthly budget: 8760 h / 12, the month AWS's per-month prices
/// assume.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// `cost` of a counted period of `period_s` seconds, scaled to a month of `HOURS_PER_MONTH`.
pub fn per_month(cost: f64, period_s: f64) -> f64 {
    if period_s > 0.0 {
        cost * HOURS_PER_MONTH * 3600.0 / period_s
    } else {
        0.0
    }
}

fn stats(
    s: &FunctionStats,
    peak: u32,
    period_s: f64,
    gb: impl Fn(&[u128; 4]) -> f64,
    (cost, allocated_gb_seconds, pings_cost): (Cost, f64, f64),
) -> Stats {
    let mean = |ns: u128| {
        if period_s > 0.0 {
            ns as f64 / 1e9 / period_s
        } else {
            0.0
        }
    };
    let o = &s.occupancy;
    let total = o.iter().sum::<u128>();
    let idle = o[Class::Idle as usize] + o[Class::ProvisionedIdle as usize];
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Stats {
        invocations: s.invocations,
        cold_starts: s.cold,
        warm_starts: s.warm,
        throttled: s.throttled,
        errors: s.errors(),
        cold_start_ratio: ratio(s.cold, s.invocations),
        dropped: s.dropped,
        retries: s.retries,
        rate_throttled: s.rate_throttled,
        error_retries: s.error_retries,
        dead_lettered: s.dead_lettered,
        capacity_waited: s.capacity_waited,
        capacity_dropped: s.capacity_dropped,
        latency_ms: LatencySummary::of(&s.latency()),
        cold_latency_ms: LatencySummary::of(&s.cold_latency),
        warm_latency_ms: LatencySummary::of(&s.warm_latency),
        init_ms: LatencySummary::of(&s.init),
        environments: EnvironmentSummary {
            created: s.created,
            retired_idle: s.retired_idle,
            retired_lifetime: s.retired_lifetime,
            retired_error: s.retired_error,
            peak,
            mean_total: mean(total),
            mean_busy: mean(o[Class::Busy as usize]),
            mean_idle: mean(idle),
            mean_initializing: mean(o[Class::Initializing as usize]),
            mean_provisioned_idle: mean(o[Class::ProvisionedIdle as usize]),
            utilization: if total == 0 {
                0.0
            } else {
                o[Class::Busy as usize] as f64 / total as f64
            },
            idle_gb_seconds: gb(o),
            retired_scale_in: s.retired_scale_in,
            retired_evicted: s.retired_evicted,
            prewarmed: s.prewarmed,
        },
        cost_usd_per_month: per_month(cost.total, period_s),
        cost_usd: cost,
        provisioned: ProvisionedSummary {
            mean_allocated: mean(s.provisioned_ns),
            utilization: ratio_ns(s.provisioned_busy_ns, s.provisioned_ns),
            spillover: s.spillover,
            allocated_gb_seconds,
        },
        warmers: WarmersSummary {
            pings: s.pings_ran(),
            cold_starts: s.ping_cold,
            throttled: s.ping_throttled,
            cost_usd: pings_cost,
        },
    }
}

fn ratio_ns(a: u128, b: u128) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Summary {
    /// Builds the summary of a run of `scenario` (a `&Scenario`, or its [`RunInfo`]) from its
    /// per-function totals.
    pub fn new<'a>(
        scenario: impl Into<RunInfo<'a>>,
        functions: &[FunctionStats],
        peak_total: u32,
        pricing: &Pricing,
    ) -> Self {
        let scenario: RunInfo<'a> = scenario.into();
        let period_s = scenario.duration.as_secs_f64() - scenario.warmup.as_secs_f64();
        let idle_gb_s = |o: &[u128; 4], mb: u32| {
            (o[Class::Idle as usize] + o[Class::ProvisionedIdle as usize]) as f64 / 1e9 * mb as f64
                / 1024.0
        };
        let mut all = FunctionStats::default();
        let mut total_cost = Cost::default();
        let mut total_idle_gb_s = 0.0;
        let (mut total_alloc_gb_s, mut total_pings_cost) = (0.0, 0.0);
        let mut usage = super::monthly::Usage::default();
        let rows = scenario
            .functions
            .iter()
            .zip(functions)
            .map(|(f, s)| {
                all.merge(s);
                let cost = pricing.cost(s, f.memory_mb, f.arch);
                usage.add(s, f.memory_mb, f.arch);
                total_cost.requests += cost.requests;
                total_cost.duration += cost.duration;
                total_cost.init += cost.init;
                total_cost.provisioned += cost.provisioned;
                total_cost.snapstart += cost.snapstart;
                total_cost.total += cost.total;
                total_idle_gb_s += idle_gb_s(&s.occupancy, f.memory_mb);
                let alloc_gb_s = s.provisioned_ns as f64 / 1e9 * f.memory_gb();
                let pings_cost = pricing.pings_cost(s, f.memory_mb, f.arch);
                total_alloc_gb_s += alloc_gb_s;
                total_pings_cost += pings_cost;
                FunctionSummary {
                    name: f.name.to_owned(),
                    runtime: f.runtime.to_owned(),
                    arch: f.arch.to_string(),
                    memory_mb: f.memory_mb,
                    stats: stats(
                        s,
                        s.peak,
                        period_s,
                        |o| idle_gb_s(o, f.memory_mb),
                        (cost, alloc_gb_s, pings_cost),
                    ),
                }
            })
            .collect();
        let pcts: Vec<f64> = functions
            .iter()
            .filter(|s| s.invocations > 0)
            .map(|s| s.cold as f64 / s.invocations as f64 * 100.0)
            .collect();
        let wasted: f64 = scenario
            .functions
            .iter()
            .zip(functions)
            .map(|(f, s)| s.occupancy[Class::Idle as usize] as f64 / 1e9 * f.memory_gb())
            .sum();
        let app_pcts = app_cold_start_pcts(&scenario.functions, functions);
        let keep_alive = KeepAliveSummary {
            functions_with_requests: pcts.len() as u64,
            function_cold_start_pct: Spread::of(pcts),
            apps_with_requests: app_pcts.as_ref().map(|p| p.len() as u64),
            app_cold_start_pct: app_pcts.map(Spread::of),
            wasted_memory_gb_seconds: wasted,
        };
        Summary {
            keep_alive,
            schema_version: 1,
            scenario: scenario.name.to_owned(),
            seed: scenario.seed,
            simulated_seconds: period_s,
            trace_rows_skipped: 0,
            cluster: None,
            stats: Stats {
                // Tiers and the free tier are the account's: priced on all functions' month.
                cost_usd_per_month: super::monthly::month_cost(
                    pricing,
                    &usage,
                    total_cost.total,
                    period_s,
                ),
                ..stats(
                    &all,
                    peak_total,
                    period_s,
                    |_| total_idle_gb_s,
                    (total_cost, total_alloc_gb_s, total_pings_cost),
                )
            },
            functions: rows,
            capacity_providers: Vec::new(),
        }
    }

    /// Adds the capacity providers' summaries and their cost to the run's (`cost_usd` and
    /// `cost_usd_per_month`; each function's own cost stays its requests).
    pub fn add_capacity_providers(
        &mut self,
        providers: Vec<super::managed::CapacityProviderSummary>,
    ) {
        for p in &providers {
            let c = &mut self.stats.cost_usd;
            c.managed_instances += p.cost_usd.total;
            c.total += p.cost_usd.total;
            self.stats.cost_usd_per_month += p.cost_usd_per_month;
        }
        self.capacity_providers = providers;
    }
}

#[cfg(test)]
mod tests {
    use super::{app_cold_start_pcts, FunctionInfo, FunctionStats, Spread};
    use crate::runtime::Arch;

    #[test]
    fn apps_sum_their_functions_and_a_lone_function_is_an_app() {
        let info = |app| FunctionInfo {
            name: "f",
            runtime: "custom",
            arch: Arch::X86_64,
            memory_mb: 128,
            app,
        };
        let stats = |invocations, cold| FunctionStats {
            invocations,
            cold,
            ..FunctionStats::default()
        };
        // x: 1 + 9 cold of 10 + 30; a lone function 5 of 5; y: no request, left out.
        let infos = [
            info(Some("x")),
            info(None),
            info(Some("x")),
            info(Some("y")),
        ];
        let counts = [stats(10, 1), stats(5, 5), stats(30, 9), stats(0, 0)];
        assert_eq!(
            app_cold_start_pcts(&infos, &counts),
            Some(vec![25.0, 100.0])
        );
        // Without apps there is nothing to count over.
        assert_eq!(app_cold_start_pcts(&[info(None)], &counts[..1]), None);
    }

    #[test]
    fn spread_interpolates_between_functions() {
        let s = Spread::of(vec![40.0, 0.0, 10.0, 20.0, 30.0]);
        assert_eq!((s.mean, s.p50, s.p75, s.max), (20.0, 20.0, 30.0, 40.0));
        assert!((s.p90 - 36.0).abs() < 1e-12);
        assert_eq!(Spread::of(Vec::new()), Spread::default());
    }
}

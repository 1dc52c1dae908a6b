//! The statistics of a sweep: per point, the mean and 95% confidence interval of each
//! headline metric over replications, the cost/latency Pareto front, and averaged quantiles
//! for box plots. Reports and charts only draw what this computes.

use super::execute::{Quantiles, RunRecord};
use super::plan::Plan;
use super::spec::Mode;
use super::stats::Estimate;
use crate::scenario::quantity::parse_duration;
use std::path::PathBuf;

/// The headline metrics of `sweep.csv`, in column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Cold starts / requests.
    ColdStartRatio,
    /// Median end-to-end latency, ms.
    LatencyP50,
    /// 99th-percentile end-to-end latency, ms.
    LatencyP99,
    /// Time-weighted mean of live environments.
    MeanEnvironments,
    /// Throttled requests.
    Throttled,
    /// Total cost, US dollars.
    Cost,
    /// Cost scaled to a month (730 h) at the simulated traffic, US dollars (the summary's
    /// `cost_usd_per_month`).
    CostPerMonth,
}

impl Metric {
    /// Every metric, in column order.
    pub const ALL: [Metric; 7] = [
        Metric::ColdStartRatio,
        Metric::LatencyP50,
        Metric::LatencyP99,
        Metric::MeanEnvironments,
        Metric::Throttled,
        Metric::Cost,
        Metric::CostPerMonth,
    ];

    /// Whether the sweep report draws a chart of it (not of the cost per month, which is the
    /// total cost's chart at another scale).
    pub fn charted(self) -> bool {
        self != Metric::CostPerMonth
    }

    /// Column stem in `sweep.csv` (`_mean`, `_ci_low`, `_ci_high` follow).
    pub fn column(self) -> &'static str {
        match self {
            Metric::ColdStartRatio => "cold_start_ratio",
            Metric::LatencyP50 => "latency_p50_ms",
            Metric::LatencyP99 => "latency_p99_ms",
            Metric::MeanEnvironments => "mean_environments",
            Metric::Throttled => "throttled",
            Metric::Cost => "cost_usd",
            Metric::CostPerMonth => "cost_usd_per_month",
        }
    }

    /// The metric's value in one run.
    pub fn of(self, r: &RunRecord) -> f64 {
        match self {
            Metric::ColdStartRatio => r.cold_start_ratio,
            Metric::LatencyP50 => r.latency_p50_ms,
            Metric::LatencyP99 => r.latency_p99_ms,
            Metric::MeanEnvironments => r.mean_environments,
            Metric::Throttled => r.throttled as f64,
            Metric::Cost => r.cost_usd,
            Metric::CostPerMonth => r.cost_usd_per_month,
        }
    }
}

/// A swept parameter as reports show it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSummary {
    /// Scenario path.
    pub path: String,
    /// Shortest unambiguous name.
    pub short: String,
    /// The values as written (strings unquoted).
    pub labels: Vec<String>,
    /// The values as numbers, when every value is a number or a duration (in seconds).
    pub numeric: Option<Vec<f64>>,
}

/// One point's figures over its replications.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSummary {
    /// Index in grid order.
    pub index: usize,
    /// For each parameter, the index of this point's value.
    pub choice: Vec<usize>,
    /// `idle=5m, rate=0.05`.
    pub label: String,
    /// Each metric of [`Metric::ALL`], in that order.
    pub estimates: [Estimate; 7],
    /// Mean requests counted per run.
    pub invocations: f64,
    /// Init quantiles averaged over replications (zeros if no replication had a cold start).
    pub init_ms: Quantiles,
    /// Cold starts behind `init_ms`, summed over replications.
    pub cold_starts: u64,
    /// End-to-end latency quantiles averaged over replications.
    pub latency_ms: Quantiles,
    /// No other point has both a lower (or equal) mean p99 latency and a lower (or equal) mean
    /// cost, one of them strictly.
    pub pareto: bool,
    /// Mean failed requests (timeout, memory, init limit) per run.
    pub errors: f64,
    /// On a cluster: the estimates of [`ClusterRecord::COLUMNS`](super::ClusterRecord::COLUMNS)
    /// (host memory and CPU utilization, slowdown p50 and p99); `None` without `[cluster]`.
    pub cluster: Option<[Estimate; 4]>,
}

impl PointSummary {
    /// The estimate of `metric`.
    pub fn get(&self, metric: Metric) -> Estimate {
        let i = Metric::ALL
            .iter()
            .position(|&m| m == metric)
            .expect("ALL lists every metric");
        self.estimates[i]
    }
}

/// Everything a sweep's report shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSummary {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// The scenario file.
    pub origin: PathBuf,
    /// The file text as written.
    pub text: String,
    /// Seed of the first point's scenario (replication seeds derive from it).
    pub seed: u64,
    /// Simulated time counted per run, e.g. "1d".
    pub simulated: String,
    /// Runs per point.
    pub replications: u32,
    /// Grid or zip.
    pub mode: Mode,
    /// The swept parameters.
    pub params: Vec<ParamSummary>,
    /// The points in grid order.
    pub points: Vec<PointSummary>,
    /// A function's runtime is swept (the report adds runtime box plots).
    pub runtime_swept: bool,
    /// Points are named by the sweep's `labels` (each point's `label`).
    pub labelled: bool,
    /// The keep-alive policy is swept: the cold-start / wasted-memory trade-off.
    pub keep_alive: Option<KeepAliveTradeoff>,
}

/// The trade-off of Shahrad et al. (ATC'20, Fig. 15) over a sweep of keep-alive policies:
/// per point, the 75th percentile over apps (when apps are the unit, as in the paper) or over
/// functions of their cold-start %, against the memory kept idle normalized by the baseline
/// point's.
#[derive(Clone, Debug, PartialEq)]
pub struct KeepAliveTradeoff {
    /// Label of the point wasted memory is normalized by: fixed 10 minutes as in the paper
    /// when the sweep has it, else the first point.
    pub baseline: String,
    /// The baseline is the paper's (fixed, 10 minutes).
    pub baseline_is_fixed_10m: bool,
    /// One per point, in grid order.
    pub points: Vec<KeepAlivePoint>,
}

/// One point of [`KeepAliveTradeoff`].
#[derive(Clone, Debug, PartialEq)]
pub struct KeepAlivePoint {
    /// Mean over replications of the p75 per-function cold-start %, with its interval.
    pub function_cold_pct_p75: Estimate,
    /// With apps as the unit (`[trace] unit = "app"`): the same over apps, the paper's figure.
    pub app_cold_pct_p75: Option<Estimate>,
    /// Mean wasted memory divided by the baseline's mean (its interval scaled likewise,
    /// ignoring the baseline's own uncertainty).
    pub wasted_memory_normalized: Estimate,
    /// No other point is at least as good on both, and better on one.
    pub pareto: bool,
}

impl KeepAliveTradeoff {
    /// The cold-start figure is over apps (`[trace] unit = "app"`), not functions.
    pub fn over_apps(&self) -> bool {
        self.points.iter().all(|p| p.app_cold_pct_p75.is_some())
    }
}

impl KeepAlivePoint {
    /// The p75 cold-start % the trade-off is drawn with: over apps when apps are the unit,
    /// else over functions.
    pub fn cold_pct_p75(&self) -> &Estimate {
        self.app_cold_pct_p75
            .as_ref()
            .unwrap_or(&self.function_cold_pct_p75)
    }
}

impl SweepSummary {
    /// Summarises `records` (every run of `plan`, indexed `point × replications + replication`).
    pub fn new(plan: &Plan, records: &[RunRecord]) -> SweepSummary {
        let reps = plan.replications as usize;
        let points: Vec<PointSummary> = plan
            .points
            .iter()
            .map(|p| {
                let runs = &records[p.index * reps..(p.index + 1) * reps];
                let estimates = Metric::ALL.map(|m| {
                    let samples: Vec<f64> = runs.iter().map(|r| m.of(r)).collect();
                    Estimate::of(&samples)
                });
                let with_cold: Vec<&RunRecord> =
                    runs.iter().filter(|r| r.cold_starts > 0).collect();
                PointSummary {
                    index: p.index,
                    choice: p.choice.clone(),
                    label: p.label.clone(),
                    estimates,
                    invocations: runs.iter().map(|r| r.invocations as f64).sum::<f64>()
                        / reps as f64,
                    init_ms: mean_quantiles(with_cold.iter().map(|r| &r.init_ms)),
                    cold_starts: runs.iter().map(|r| r.cold_starts).sum(),
                    latency_ms: mean_quantiles(runs.iter().map(|r| &r.latency_ms)),
                    pareto: false,
                    errors: runs.iter().map(|r| r.errors as f64).sum::<f64>() / reps as f64,
                    cluster: runs.iter().all(|r| r.cluster.is_some()).then(|| {
                        [0, 1, 2, 3].map(|k| {
                            let samples: Vec<f64> = (runs.iter())
                                .filter_map(|r| r.cluster.map(|c| c.figures()[k]))
                                .collect();
                            Estimate::of(&samples)
                        })
                    }),
                }
            })
            .collect();
        let mut summary = SweepSummary {
            name: plan.name.clone(),
            description: plan.description.clone(),
            origin: plan.origin.clone(),
            text: plan.text.clone(),
            seed: plan.points[0].loaded.scenario.seed,
            simulated: {
                let s = &plan.points[0].loaded.scenario;
                (s.duration - s.warmup).to_string()
            },
            replications: plan.replications,
            mode: plan.mode,
            params: plan
                .params
                .iter()
                .zip(&plan.short_names)
                .map(|(p, short)| ParamSummary {
                    path: p.path.clone(),
                    short: short.clone(),
                    labels: p.values.iter().map(|v| v.label.clone()).collect(),
                    numeric: numeric(p.values.iter().map(|v| v.toml.as_str())),
                })
                .collect(),
            points,
            runtime_swept: plan.sweeps_runtime(),
            labelled: plan.labelled,
            keep_alive: None,
        };
        mark_pareto(&mut summary.points);
        summary.keep_alive = keep_alive_tradeoff(plan, records, &summary.points);
        summary
    }
}

/// The keep-alive trade-off when a `platform.keep_alive` path is swept.
fn keep_alive_tradeoff(
    plan: &Plan,
    records: &[RunRecord],
    points: &[PointSummary],
) -> Option<KeepAliveTradeoff> {
    if !plan
        .params
        .iter()
        .any(|p| p.path.starts_with("platform.keep_alive"))
    {
        return None;
    }
    let reps = plan.replications as usize;
    let of = |i: usize, f: fn(&RunRecord) -> f64| {
        let v: Vec<f64> = records[i * reps..(i + 1) * reps].iter().map(f).collect();
        Estimate::of(&v)
    };
    let fixed_10m = plan.points.iter().position(|p| {
        matches!(
            p.loaded.scenario.platform.keep_alive,
            crate::scenario::KeepAlive::Fixed { idle } if idle == crate::scenario::KeepAlive::DEFAULT_IDLE
        )
    });
    let base = fixed_10m.unwrap_or(0);
    let base_mean = of(base, |r| r.wasted_memory_gb_s).mean;
    let scale = if base_mean > 0.0 {
        1.0 / base_mean
    } else {
        0.0
    };
    let mut out: Vec<KeepAlivePoint> = (0..plan.points.len())
        .map(|i| {
            let w = of(i, |r| r.wasted_memory_gb_s);
            let runs = &records[i * reps..(i + 1) * reps];
            let apps: Option<Vec<f64>> = runs.iter().map(|r| r.app_cold_pct_p75).collect();
            KeepAlivePoint {
                function_cold_pct_p75: of(i, |r| r.function_cold_pct_p75),
                app_cold_pct_p75: apps.map(|v| Estimate::of(&v)),
                wasted_memory_normalized: Estimate {
                    mean: w.mean * scale,
                    ci: w.ci.map(|(l, h)| (l * scale, h * scale)),
                },
                pareto: false,
            }
        })
        .collect();
    let keys: Vec<(f64, f64)> = out
        .iter()
        .map(|p| (p.wasted_memory_normalized.mean, p.cold_pct_p75().mean))
        .collect();
    for (i, p) in out.iter_mut().enumerate() {
        let (a, b) = keys[i];
        p.pareto = !keys
            .iter()
            .enumerate()
            .any(|(j, &(a2, b2))| j != i && a2 <= a && b2 <= b && (a2 < a || b2 < b));
    }
    Some(KeepAliveTradeoff {
        baseline: points[base].label.clone(),
        baseline_is_fixed_10m: fixed_10m.is_some(),
        points: out,
    })
}

/// Vincentised quantiles: the mean of each quantile over runs (zeros when there is none).
fn mean_quantiles<'a>(qs: impl Iterator<Item = &'a Quantiles>) -> Quantiles {
    let mut sum = Quantiles::default();
    let mut n = 0.0;
    for q in qs {
        sum.p5 += q.p5;
        sum.p25 += q.p25;
        sum.p50 += q.p50;
        sum.p75 += q.p75;
        sum.p95 += q.p95;
        n += 1.0;
    }
    if n == 0.0 {
        return sum;
    }
    Quantiles {
        p5: sum.p5 / n,
        p25: sum.p25 / n,
        p50: sum.p50 / n,
        p75: sum.p75 / n,
        p95: sum.p95 / n,
    }
}

/// The values as numbers if all are TOML numbers, or all durations (in seconds).
fn numeric<'a>(values: impl Iterator<Item = &'a str> + Clone) -> Option<Vec<f64>> {
    let numbers: Option<Vec<f64>> = values
        .clone()
        .map(|t| match t.parse::<toml_edit::Value>() {
            Ok(toml_edit::Value::Integer(i)) => Some(*i.value() as f64),
            Ok(toml_edit::Value::Float(f)) => Some(*f.value()),
            _ => None,
        })
        .collect();
    numbers
        .or_else(|| {
            values
                .map(|t| match t.parse::<toml_edit::Value>() {
                    Ok(toml_edit::Value::String(s)) => {
                        parse_duration(s.value()).ok().map(|d| d.as_secs_f64())
                    }
                    _ => None,
                })
                .collect()
        })
        .filter(|v: &Vec<f64>| v.iter().all(|x| x.is_finite()))
}

/// Marks the points on the Pareto front of (mean p99 latency, mean cost), both minimised.
fn mark_pareto(points: &mut [PointSummary]) {
    let key = |p: &PointSummary| (p.get(Metric::LatencyP99).mean, p.get(Metric::Cost).mean);
    let keys: Vec<(f64, f64)> = points.iter().map(key).collect();
    for (i, p) in points.iter_mut().enumerate() {
        let (l, c) = keys[i];
        p.pareto = l.is_finite()
            && c.is_finite()
            && !keys
                .iter()
                .enumerate()
                .any(|(j, &(l2, c2))| j != i && l2 <= l && c2 <= c && (l2 < l || c2 < c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(p99: f64, cost: f64) -> PointSummary {
        let e = |mean| Estimate { mean, ci: None };
        PointSummary {
            index: 0,
            choice: Vec::new(),
            label: String::new(),
            estimates: [e(0.0), e(0.0), e(p99), e(0.0), e(0.0), e(cost), e(cost)],
            invocations: 0.0,
            init_ms: Quantiles::default(),
            cold_starts: 0,
            latency_ms: Quantiles::default(),
            pareto: false,
            errors: 0.0,
            cluster: None,
        }
    }

    #[test]
    fn pareto_front_by_hand() {
        // (p99, cost): B is dominated by A; D equals C (both kept); E is dominated by C.
        let mut pts = vec![
            point(100.0, 5.0),
            point(120.0, 6.0),
            point(200.0, 2.0),
            point(200.0, 2.0),
            point(250.0, 2.0),
            point(50.0, 9.0),
        ];
        mark_pareto(&mut pts);
        let front: Vec<bool> = pts.iter().map(|p| p.pareto).collect();
        assert_eq!(front, [true, false, true, true, false, true]);
    }

    #[test]
    fn numeric_values() {
        assert_eq!(numeric(["1", "2.5"].into_iter()), Some(vec![1.0, 2.5]));
        assert_eq!(
            numeric(["\"1m\"", "\"90s\""].into_iter()),
            Some(vec![60.0, 90.0])
        );
        assert_eq!(numeric(["\"python3.12\"", "\"1m\""].into_iter()), None);
        assert_eq!(numeric(["1", "\"1m\""].into_iter()), None);
    }

    #[test]
    fn quantiles_are_averaged() {
        let a = Quantiles {
            p5: 1.0,
            p25: 2.0,
            p50: 3.0,
            p75: 4.0,
            p95: 5.0,
        };
        let b = Quantiles {
            p5: 3.0,
            p25: 4.0,
            p50: 5.0,
            p75: 6.0,
            p95: 7.0,
        };
        let m = mean_quantiles([a, b].iter());
        assert_eq!((m.p5, m.p50, m.p95), (2.0, 4.0, 6.0));
        assert_eq!(mean_quantiles([].iter()), Quantiles::default());
    }
}

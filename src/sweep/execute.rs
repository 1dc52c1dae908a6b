//! Running a sweep's points × replications in parallel (rayon), results kept in grid order.

use super::plan::{Plan, Point};
use super::seeds::{arrival_seed, service_salt};
use super::SweepError;
use crate::metrics::{Histogram, Summary};
use crate::scenario::Scenario;
use crate::simulation::{Results, SimInit, SimulationError};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Five quantiles of a latency distribution (ms), for box plots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5th percentile, ms.
    #[serde(with = "exact")]
    pub p5: f64,
    /// 25th percentile, ms.
    #[serde(with = "exact")]
    pub p25: f64,
    /// Median, ms.
    #[serde(with = "exact")]
    pub p50: f64,
    /// 75th percentile, ms.
    #[serde(with = "exact")]
    pub p75: f64,
    /// 95th percentile, ms.
    #[serde(with = "exact")]
    pub p95: f64,
}

impl Quantiles {
    /// From a histogram of nanoseconds (zeros when it is empty).
    pub fn of(h: &Histogram) -> Quantiles {
        if h.count() == 0 {
            return Quantiles::default();
        }
        let q = |p: f64| h.quantile(p) / 1e6;
        Quantiles {
            p5: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        }
    }
}

/// The figures a sweep keeps of one run (written to disk as it completes, for `--resume`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Point index in grid order.
    pub point: usize,
    /// Replication (0-based).
    pub replication: u32,
    /// The run's scenario seed (drives arrivals).
    pub seed: u64,
    /// The salt of its service and platform streams.
    pub service_salt: u64,
    /// Requests counted.
    pub invocations: u64,
    /// Cold starts counted.
    pub cold_starts: u64,
    /// cold_starts / invocations.
    #[serde(with = "exact")]
    pub cold_start_ratio: f64,
    /// Latency median over all requests, ms.
    #[serde(with = "exact")]
    pub latency_p50_ms: f64,
    /// Latency 99th percentile, ms.
    #[serde(with = "exact")]
    pub latency_p99_ms: f64,
    /// Time-weighted mean of live environments.
    #[serde(with = "exact")]
    pub mean_environments: f64,
    /// Throttled requests.
    pub throttled: u64,
    /// Total cost, US dollars.
    #[serde(with = "exact")]
    pub cost_usd: f64,
    /// The cost scaled to a month (730 h) at the simulated traffic, US dollars.
    #[serde(with = "exact")]
    pub cost_usd_per_month: f64,
    /// Init durations (all functions), ms; zeros without cold starts.
    pub init_ms: Quantiles,
    /// End-to-end latency of successful requests, ms.
    pub latency_ms: Quantiles,
    /// 75th percentile over functions of each function's cold-start %.
    #[serde(with = "exact", default)]
    pub function_cold_pct_p75: f64,
    /// With apps as the unit (`[trace] unit = "app"`): the 75th percentile over apps of each
    /// app's cold-start %. Absent otherwise, so other records read and checksum as before.
    #[serde(with = "exact_opt", default, skip_serializing_if = "Option::is_none")]
    pub app_cold_pct_p75: Option<f64>,
    /// Memory kept by idle on-demand environments, GB-seconds.
    #[serde(with = "exact", default)]
    pub wasted_memory_gb_s: f64,
    /// Requests that failed (timeout, memory, init limit). Not written when zero, so a record
    /// without failures reads and checksums as before the field existed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors: u64,
    /// Host figures of a run on a cluster (`[cluster]`); absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterRecord>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The host figures a sweep keeps of a run on a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterRecord {
    /// Time-weighted memory held ÷ the cluster's memory, 0–1.
    #[serde(with = "exact")]
    pub host_memory_utilization: f64,
    /// Time-weighted busy vCPUs ÷ the cluster's vCPUs, 0–1.
    #[serde(with = "exact")]
    pub host_cpu_utilization: f64,
    /// Median slowdown of the requests (execution ÷ uncontended).
    #[serde(with = "exact")]
    pub slowdown_p50: f64,
    /// 99th-percentile slowdown.
    #[serde(with = "exact")]
    pub slowdown_p99: f64,
}

impl ClusterRecord {
    /// Column stems in `sweep.csv`, in order (`_mean`, `_ci_low`, `_ci_high` follow).
    pub const COLUMNS: [&'static str; 4] = [
        "host_memory_utilization",
        "host_cpu_utilization",
        "slowdown_p50",
        "slowdown_p99",
    ];

    /// The figures in [`COLUMNS`](Self::COLUMNS) order.
    pub fn figures(&self) -> [f64; 4] {
        [
            self.host_memory_utilization,
            self.host_cpu_utilization,
            self.slowdown_p50,
            self.slowdown_p99,
        ]
    }
}

/// f64 written as its shortest round-trip text and read back with `str::parse`, which rounds
/// correctly: a resumed run's figures are bit-identical to the computed ones.
mod exact {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:?}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// [`exact`] for an optional figure (never serialized when `None`).
mod exact_opt {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::exact::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        super::exact::deserialize(d).map(Some)
    }
}

/// How far a sweep has got, reported after every run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Runs finished (resumed ones included).
    pub runs_done: usize,
    /// Points × replications.
    pub runs_total: usize,
    /// Points with every replication finished.
    pub points_done: usize,
    /// Points.
    pub points_total: usize,
}

/// What a sweep's execution listens to.
pub struct Control<'a> {
    /// Set (e.g. by Ctrl-C) to stop: no run starts, running ones stop within 65 536 events
    /// and are discarded (they run again on `--resume`).
    pub stop: &'a AtomicBool,
    /// Stop as if interrupted once this many runs have finished in this session (for tests
    /// of `--resume`).
    pub stop_after: Option<usize>,
    /// Called after every run, from worker threads.
    pub progress: &'a (dyn Fn(Progress) + Sync),
}

/// Called with every finished run before it counts as done; an error stops the sweep. `E` is
/// the caller's error (the layer that writes the runs down has errors of its own).
pub type OnRun<'a, E = SweepError> =
    dyn Fn(&Point, &RunRecord, &Results, &Summary) -> Result<(), E> + Sync + 'a;

/// Runs every run of the points `selected` (indices in grid order; every point for a whole
/// sweep, a shard's for `--shard`) that `done` (indexed `point × replications + replication`)
/// does not hold yet, in parallel, and stores its record there. Returns true when every run
/// of the selected points is done, false when stopped early.
pub fn execute<E: From<SweepError> + Send>(
    plan: &Plan,
    selected: &[usize],
    done: &mut [Option<RunRecord>],
    control: &Control,
    on_run: &OnRun<E>,
) -> Result<bool, E> {
    let reps = plan.replications as usize;
    debug_assert_eq!(done.len(), plan.runs());
    let runs_of = |p: usize| p * reps..(p + 1) * reps;
    let total = selected.len() * reps;
    let pending: Vec<usize> = selected
        .iter()
        .flat_map(|&p| runs_of(p))
        .filter(|&j| done[j].is_none())
        .collect();
    let per_point: Vec<AtomicU32> = plan
        .points
        .iter()
        .map(|p| {
            let n = (0..reps)
                .filter(|r| done[p.index * reps + r].is_some())
                .count();
            AtomicU32::new(n as u32)
        })
        .collect();
    let points_done = selected
        .iter()
        .filter(|&&p| per_point[p].load(Ordering::Relaxed) as usize == reps)
        .count();
    // Runs and points done, updated and reported together so that reports never go back.
    let done_so_far = Mutex::new((total - pending.len(), points_done));
    let this_session = AtomicUsize::new(0);
    let halt = AtomicBool::new(false);
    let report = |(runs, points): (usize, usize)| {
        (control.progress)(Progress {
            runs_done: runs,
            runs_total: total,
            points_done: points,
            points_total: selected.len(),
        })
    };
    report((total - pending.len(), points_done));

    // One job per task, so idle threads can steal single runs: runs are long and uneven.
    let outcomes: Vec<Option<Result<RunRecord, E>>> = pending
        .par_iter()
        .with_max_len(1)
        .map(|&j| {
            if control.stop.load(Ordering::Relaxed) || halt.load(Ordering::Relaxed) {
                return None;
            }
            let point = &plan.points[j / reps];
            let replication = (j % reps) as u32;
            let outcome = match run(point, replication, control.stop) {
                // Stopped mid-way: not done, and not an error.
                Err(SweepError::Run { source, .. })
                    if matches!(*source, SimulationError::Interrupted { .. }) =>
                {
                    return None;
                }
                Err(e) => Err(E::from(e)),
                Ok((record, results, summary)) => {
                    on_run(point, &record, &results, &summary).map(|()| record)
                }
            };
            match &outcome {
                Ok(_) => {
                    let point_done =
                        per_point[point.index].fetch_add(1, Ordering::Relaxed) as usize + 1 == reps;
                    {
                        let mut d = done_so_far.lock().unwrap_or_else(|e| e.into_inner());
                        d.0 += 1;
                        d.1 += usize::from(point_done);
                        report(*d);
                    }
                    let n = this_session.fetch_add(1, Ordering::Relaxed) + 1;
                    if control.stop_after.is_some_and(|k| n >= k) {
                        halt.store(true, Ordering::Relaxed);
                    }
                }
                Err(_) => halt.store(true, Ordering::Relaxed),
            }
            Some(outcome)
        })
        .collect();

    let mut first_error = None;
    for (&j, outcome) in pending.iter().zip(outcomes) {
        match outcome {
            Some(Ok(record)) => done[j] = Some(record),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(selected
        .iter()
        .all(|&p| done[runs_of(p)].iter().all(Option::is_some)))
}

/// Runs replication `replication` of `point`.
fn run(
    point: &Point,
    replication: u32,
    stop: &AtomicBool,
) -> Result<(RunRecord, Results, Summary), SweepError> {
    let base = &point.loaded.scenario;
    let seed = arrival_seed(base.seed, replication);
    let salt = service_salt(base.seed, point.index, replication);
    let results = simulate(base, seed, salt, stop).map_err(|source| SweepError::Run {
        index: point.index,
        label: point.label.clone(),
        replication,
        source: Box::new(source),
    })?;
    let summary = results.summary(base);
    let mut init = Histogram::new();
    let mut latency = Histogram::new();
    for s in &results.stats {
        init.merge(&s.init);
        latency.merge(&s.warm_latency);
        latency.merge(&s.cold_latency);
    }
    let s = &summary.stats;
    let record = RunRecord {
        point: point.index,
        replication,
        seed,
        service_salt: salt,
        invocations: s.invocations,
        cold_starts: s.cold_starts,
        cold_start_ratio: s.cold_start_ratio,
        latency_p50_ms: s.latency_ms.p50,
        latency_p99_ms: s.latency_ms.p99,
        mean_environments: s.environments.mean_total,
        throttled: s.throttled,
        cost_usd: s.cost_usd.total,
        cost_usd_per_month: s.cost_usd_per_month,
        init_ms: Quantiles::of(&init),
        latency_ms: Quantiles::of(&latency),
        function_cold_pct_p75: summary.keep_alive.function_cold_start_pct.p75,
        app_cold_pct_p75: summary.keep_alive.app_cold_start_pct.map(|s| s.p75),
        wasted_memory_gb_s: summary.keep_alive.wasted_memory_gb_seconds,
        errors: s.errors,
        cluster: summary.cluster.as_ref().map(|c| ClusterRecord {
            host_memory_utilization: c.mean_memory_utilization,
            host_cpu_utilization: c.mean_cpu_utilization,
            slowdown_p50: c.slowdown.p50,
            slowdown_p99: c.slowdown.p99,
        }),
    };
    Ok((record, results, summary))
}

/// One run of `scenario` with `seed` (which drives the arrivals) and `salt` mixed into the
/// other random streams; it stops (`SimulationError::Interrupted`) once `stop` is set.
fn simulate(
    scenario: &Scenario,
    seed: u64,
    salt: u64,
    stop: &AtomicBool,
) -> Result<Results, SimulationError> {
    SimInit::new(scenario)
        .seed(seed)
        .service_salt(salt)
        .progress(|_| {
            if stop.load(Ordering::Relaxed) {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        })
        .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_exactly() {
        let r = RunRecord {
            point: 3,
            replication: 1,
            seed: u64::MAX,
            service_salt: 12,
            invocations: 10,
            cold_starts: 1,
            cold_start_ratio: 0.1 + 0.2,
            latency_p50_ms: 1.0 / 3.0,
            latency_p99_ms: 123456.789e-7,
            mean_environments: f64::MIN_POSITIVE,
            throttled: 0,
            cost_usd: 5e-324,
            cost_usd_per_month: 0.1 + 0.7,
            init_ms: Quantiles {
                p5: 0.1,
                p25: 2.0 / 7.0,
                p50: 1e300,
                p75: 3.3,
                p95: 4.4,
            },
            latency_ms: Quantiles::default(),
            function_cold_pct_p75: 12.5,
            app_cold_pct_p75: None,
            wasted_memory_gb_s: 0.1,
            errors: 7,
            cluster: None,
        };
        let text = serde_json::to_string(&r).expect("serializes");
        let back: RunRecord = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, r);
        assert_eq!(
            back.cold_start_ratio.to_bits(),
            r.cold_start_ratio.to_bits()
        );
        // Without apps the record has no app figure at all (it checksums as before it
        // existed); with one, the figure round-trips bit for bit.
        assert!(!text.contains("app_cold_pct_p75"), "{text}");
        let apps = RunRecord {
            app_cold_pct_p75: Some(1.0 / 3.0),
            ..r
        };
        let back: RunRecord =
            serde_json::from_str(&serde_json::to_string(&apps).expect("serializes"))
                .expect("parses");
        assert_eq!(
            back.app_cold_pct_p75.map(f64::to_bits),
            Some((1.0f64 / 3.0).to_bits())
        );
    }
}

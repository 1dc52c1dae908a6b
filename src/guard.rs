//! Resource guards: before a run, estimate the requests it will simulate and the memory it
//! needs, and refuse (unless forced) a run that would take hours or exhaust memory.
//!
//! The estimates are deliberately cheap and rough (they read only the validated scenario):
//! requests are each arrival process's mean rate × the simulated time (a trace's at most the
//! requests it holds); memory adds environments (Little's law with head-room, capped by the
//! concurrency limits and the capacity), per-function statistics, time-series rows and the
//! hybrid histogram policy's bins. Work that is not an arrival counts as requests too: warm-up
//! pings, autoscaling periods, bursty phase changes and the retries of an asynchronous
//! function that reaches its concurrency limit.

use crate::engine::SimDuration;
use crate::metrics::timeseries::MAX_TRACKED;
use crate::scenario::dist::Distribution;
use crate::scenario::model::{Invocation, Provisioned, Retry};
use crate::scenario::{KeepAlive, Scenario};
use crate::workload::Process;
use std::fmt;

/// Default `--max-requests`: about a minute and a half at the simulator's ~6 M requests/s on
/// a laptop core, a few minutes for heavier scenarios (see the README).
pub const DEFAULT_MAX_REQUESTS: u64 = 500_000_000;

/// Memory a run may need before it is refused: 4 GiB, which a laptop with 8 GB has to spare.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 4 << 30;

/// Bytes per live environment (slab slot, pool entry, pending events), rounded up.
const ENVIRONMENT_BYTES: f64 = 256.0;
/// Bytes per function for its statistics (latency, init and idle histograms, counters): the
/// Azure 2019-layout day of the README's performance table peaks at ~23 KB per function
/// (72.9 MB for 3 215 functions, everything included).
const FUNCTION_BYTES: f64 = 32.0 * 1024.0;
/// Bytes per time-series row and series (see `metrics::timeseries`: ~150).
const SERIES_ROW_BYTES: f64 = 150.0;
/// Bytes per bin and function of the hybrid histogram policy.
const HISTOGRAM_BIN_BYTES: f64 = 8.0;
/// Bytes per trace being replayed (read buffers, the sort window).
const TRACE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// What a run is expected to need.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Requests simulated, warm-up included (and work that costs as much: warm-up pings,
    /// autoscaling periods, bursty phase changes, async retries).
    pub requests: f64,
    /// Provisioned environments recycled at their maximum lifetime: inits off the request
    /// path, each about a request's work. Checked with `requests`, but kept apart so that
    /// shards keep balancing by requests (recycling is a small share of any real scenario;
    /// it only dominates when a lifetime is absurdly short).
    pub recycles: f64,
    /// Peak of live environments (rough upper estimate).
    pub environments: f64,
    /// Memory, bytes.
    pub memory_bytes: f64,
    /// Where most requests come from (`functions.api.arrivals`, or a trace function), and
    /// how many.
    pub busiest: Option<(String, f64)>,
    /// Where most environments come from, and how many.
    pub widest: Option<(String, f64)>,
}

/// Keeps the larger of `best` and `(at, v)`.
fn keep_max(best: &mut Option<(String, f64)>, at: impl FnOnce() -> String, v: f64) {
    if best.as_ref().map_or(true, |(_, b)| v > *b) {
        *best = Some((at(), v));
    }
}

/// Estimates the requests and memory of one run of `s`.
pub fn estimate(s: &Scenario) -> Estimate {
    let duration_s = s.duration.as_secs_f64();
    let mut requests = 0.0;
    let mut recycles = 0.0;
    let mut environments = 0.0;
    let mut per_function_bytes = 0.0;
    let bins = match &s.platform.keep_alive {
        KeepAlive::HybridHistogram(h) => f64::from(h.bins),
        _ => 0.0,
    };
    let mut busiest = None;
    let mut widest = None;
    for f in &s.functions {
        let mut rate = 0.0;
        let mut own = 0.0;
        for p in &f.arrivals.0 {
            let r = p.mean_rate_per_s();
            rate += r;
            own += match p {
                Process::Trace { requests: n, .. } => (r * duration_s).min(*n),
                _ => r * duration_s,
            };
        }
        // Work that is not an arrival but costs as much: each is an event or more.
        let span_s = |start: SimDuration| (s.duration.0.saturating_sub(start.0)) as f64 / 1e9;
        let mut extra = |what: &str, n: f64| {
            requests += n;
            keep_max(&mut busiest, || format!("functions.{}.{what}", f.name), n);
        };
        if let Some(w) = &f.warmers {
            extra(
                "warmers",
                f64::from(w.concurrency) * span_s(w.start) / w.every.as_secs_f64(),
            );
        }
        if let Provisioned::Autoscale(a) = &f.provisioned {
            extra("provisioned", duration_s / a.period.as_secs_f64());
        }
        for p in &f.arrivals.0 {
            if let Process::Bursty(b) = p {
                // Two phase changes per mean burst-and-gap cycle.
                let cycle_s = (b.mean_burst.0 as f64 + b.mean_gap.0 as f64) / 1e9;
                extra("arrivals", 2.0 * duration_s / cycle_s);
            }
        }
        if f.provisioned_concurrency > 0 {
            // Each provisioned environment is recycled once per maximum lifetime, or per init
            // when its init is longer; none before the first lifetime ends.
            let cycle_ns = (s.platform.max_lifetime.0 as f64)
                .max(f.mean_init_ns())
                .max(1.0);
            let n = f64::from(f.provisioned_concurrency) * (s.duration.0 as f64 / cycle_ns).floor();
            recycles += n;
            keep_max(
                &mut busiest,
                || format!("functions.{}.provisioned", f.name),
                n,
            );
        }
        requests += own;
        let at = || {
            if s.traces.is_empty() || f.arrivals.trace_source().is_none() {
                format!("functions.{}.arrivals", f.name)
            } else {
                format!("function `{}` of the [trace] section", f.name)
            }
        };
        keep_max(&mut busiest, at, own);
        // Busy environments by Little's law, plus a Poisson peak's head-room, doubled for
        // the idle ones kept alive; never more than the function may run at once.
        let service_s = (f.execution.mean() + f.mean_init_ns()) / 1e9;
        let busy = rate * service_s;
        let peak = busy + 5.0 * busy.sqrt() + 1.0;
        let cap = f64::from(
            f.reserved_concurrency
                .unwrap_or(s.platform.account_concurrency),
        );
        // An asynchronous function that reaches its limit retries its throttled requests
        // until their maximum age: count every attempt (a 1 ns back-off is a storm).
        if f.invocation == Invocation::Async && peak >= cap {
            let n = rate * duration_s * retries(&s.platform.retry, s.platform.max_event_age);
            requests += n;
            keep_max(&mut busiest, || "platform.retry".into(), n);
        }
        let own = 2.0 * peak.min(cap) + f64::from(f.provisioned_concurrency);
        environments += own;
        keep_max(&mut widest, at, own);
        per_function_bytes += FUNCTION_BYTES + bins * HISTOGRAM_BIN_BYTES;
    }
    if let Some(mb) = s.platform.capacity_mb {
        let smallest = s.functions.iter().map(|f| f.memory_mb).min().unwrap_or(128);
        environments = environments.min(mb as f64 / f64::from(smallest.max(1)));
    }
    let counted = s.duration.0.saturating_sub(s.warmup.0);
    let rows = counted.div_ceil(s.report_interval.0.max(1)) as f64;
    let series = (s.functions.len().min(MAX_TRACKED) + 2) as f64;
    let memory_bytes = environments * ENVIRONMENT_BYTES
        + per_function_bytes
        + rows * series * SERIES_ROW_BYTES
        + s.traces.len() as f64 * TRACE_BYTES
        + distribution_bytes(s);
    Estimate {
        requests,
        recycles,
        environments,
        memory_bytes,
        busiest,
        widest,
    }
}

/// Bytes of the values of the empirical distributions of `s`, each shared copy once (a
/// sweep's points share one copy of a file's column, so this is not multiplied per point).
fn distribution_bytes(s: &Scenario) -> f64 {
    let mut seen: Vec<*const f64> = Vec::new();
    let mut bytes = 0.0;
    let mut add = |d: &Distribution| {
        if let Distribution::Empirical(v) = d {
            let at = v.as_ptr();
            if !seen.contains(&at) {
                seen.push(at);
                bytes += (v.len() * std::mem::size_of::<f64>()) as f64;
            }
        }
    };
    if let KeepAlive::Random { idle } = &s.platform.keep_alive {
        add(idle);
    }
    for f in &s.functions {
        add(&f.init);
        add(&f.execution);
        for d in [
            &f.runtime_init,
            &f.snapstart,
            &f.first_execution,
            &f.memory_used,
        ]
        .into_iter()
        .flatten()
        {
            add(d);
        }
    }
    bytes
}

/// Retries of one throttled asynchronous request that is throttled every time: back-off
/// delays from `retry.initial`, growing by `multiplier` up to `max`, until `max_age`.
fn retries(retry: &Retry, max_age: SimDuration) -> f64 {
    let age = max_age.0 as f64;
    let max = (retry.max.0 as f64).max(1.0);
    let mut delay = (retry.initial.0 as f64).max(1.0);
    let (mut waited, mut n) = (0.0, 0.0);
    // Geometric growth reaches `max` within a few dozen steps unless the multiplier is
    // barely above 1; after 1 000 steps the rest is counted at the delay reached.
    for _ in 0..1000 {
        if waited >= age {
            return n;
        }
        if delay >= max {
            break;
        }
        waited += delay;
        n += 1.0;
        delay *= retry.multiplier;
    }
    n + ((age - waited) / delay.min(max)).max(0.0).ceil()
}

/// The limits a run is checked against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Most requests one run (and a whole sweep) may simulate.
    pub max_requests: u64,
    /// Most memory one run may need, bytes.
    pub max_memory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_requests: DEFAULT_MAX_REQUESTS,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
        }
    }
}

/// A run the guards refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GuardError {
    /// Too many requests: it would run for long.
    #[error("{what} would simulate about {} requests{}, above the limit of {} (--max-requests; at ~6 M requests/s that is {}); to run it anyway pass --force or a higher --max-requests, or shorten `duration`, lower the arrival rates or a trace's `rate_scale`", count(*requests), most(busiest), limit, wall(*requests))]
    TooManyRequests {
        /// "the run" or "the sweep's N runs".
        what: String,
        /// Estimated number of simulated requests (over all the runs `what` names).
        requests: f64,
        /// Where most requests come from (a field path such as `functions.api.arrivals`), and how many.
        busiest: Option<(String, f64)>,
        /// The request limit (`--max-requests`).
        limit: u64,
    },
    /// Too much memory.
    #[error("{what} would need about {} of memory ({} environments at peak{}), above the limit of {}; to run it anyway pass --force, or lower the arrival rates, execution times or concurrency limits, or use a longer `report.interval`", bytes(*memory_bytes), count(*environments), most(widest), bytes(*limit as f64))]
    TooMuchMemory {
        /// "the run" or "point N's runs".
        what: String,
        /// Estimated peak memory, in bytes.
        memory_bytes: f64,
        /// Estimated peak number of live environments.
        environments: f64,
        /// Where most environments come from, and how many.
        widest: Option<(String, f64)>,
        /// The memory limit, in bytes.
        limit: u64,
    },
}

/// Checks one run's estimate; `what` names it in the message ("the run").
pub fn check(what: &str, e: &Estimate, limits: &Limits) -> Result<(), GuardError> {
    // NaN estimates are refused too.
    let requests = e.requests + e.recycles;
    if requests.is_nan() || requests > limits.max_requests as f64 {
        return Err(GuardError::TooManyRequests {
            what: what.to_owned(),
            requests,
            busiest: e.busiest.clone(),
            limit: limits.max_requests,
        });
    }
    if e.memory_bytes.is_nan() || e.memory_bytes > limits.max_memory_bytes as f64 {
        return Err(GuardError::TooMuchMemory {
            what: what.to_owned(),
            memory_bytes: e.memory_bytes,
            environments: e.environments,
            widest: e.widest.clone(),
            limit: limits.max_memory_bytes,
        });
    }
    Ok(())
}

/// `, most from functions.api.arrivals (1.2 billion)` when more than one place contributes.
fn most(top: &Option<(String, f64)>) -> String {
    match top {
        Some((at, n)) => format!(", {} from {at}", count(*n)),
        None => String::new(),
    }
}

/// A count for messages: `1.2 billion`, `350 million`, `12,345`.
fn count(n: f64) -> String {
    if !n.is_finite() {
        return format!("{n}");
    }
    if n >= 1e9 {
        format!("{} billion", sig(n / 1e9))
    } else if n >= 1e6 {
        format!("{} million", sig(n / 1e6))
    } else {
        format!("{n:.0}")
    }
}

/// Whole from 100 up, else three significant figures; no trailing zeros.
fn sig(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Bytes for messages: `5.2 GiB`, `300 MiB`.
fn bytes(b: f64) -> String {
    if b >= f64::from(1u32 << 30) {
        format!("{} GiB", sig(b / f64::from(1u32 << 30)))
    } else {
        format!("{} MiB", sig(b / f64::from(1u32 << 20)))
    }
}

/// Wall-clock time at ~6 M requests/s, for messages.
fn wall(requests: f64) -> String {
    let s = requests / 6e6;
    if !s.is_finite() {
        "forever".into()
    } else if s < 1.0 {
        "under a second".into()
    } else if s >= 2.0 * 86_400.0 {
        format!("about {:.0} days", s / 86_400.0)
    } else if s >= 2.0 * 3600.0 {
        format!("about {:.0} hours", s / 3600.0)
    } else if s >= 120.0 {
        format!("about {:.0} minutes", s / 60.0)
    } else {
        format!("about {s:.0} s")
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "about {} requests, {} memory",
            count(self.requests),
            bytes(self.memory_bytes)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::path::Path;

    fn load(text: &str) -> Scenario {
        scenario::parse(
            text,
            &scenario::ParseOptions::default()
                .origin(Path::new("t.toml"))
                .name_default("t"),
        )
        .map(|l| l.scenario)
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const ONE: &str = r#"
duration = "1h"
[[functions]]
name = "api"
runtime = "custom"
execution = { dist = "constant", value = "100ms" }
arrivals = [{ process = "poisson", rate = 10.0 }, { process = "periodic", every = "1s" }]
"#;

    #[test]
    fn requests_are_rate_times_duration() {
        let e = estimate(&load(ONE));
        assert!((e.requests - 11.0 * 3600.0).abs() < 1e-6, "{e:?}");
        // 11/s × 0.1 s = 1.1 busy: (1.1 + 5√1.1 + 1) × 2 ≈ 14.7 environments.
        assert!((e.environments - 2.0 * (1.1 + 5.0 * 1.1f64.sqrt() + 1.0)).abs() < 1e-9);
        assert!(check("the run", &e, &Limits::default()).is_ok());
    }

    #[test]
    fn a_run_above_the_limits_is_refused_with_the_estimate() {
        let e = estimate(&load(ONE));
        let low = Limits {
            max_requests: 1000,
            ..Limits::default()
        };
        let err = check("the run", &e, &low).expect_err("39600 > 1000");
        let text = err.to_string();
        assert!(
            text.contains("about 39600 requests, 39600 from functions.api.arrivals"),
            "{text}"
        );
        assert!(text.contains("limit of 1000 (--max-requests"), "{text}");
        assert!(text.contains("--force"), "{text}");
        let tight = Limits {
            max_memory_bytes: 40_000,
            ..Limits::default()
        };
        // 32 KiB of statistics + 60 rows × 3 series × 150 B + ~15 environments × 256 B.
        assert!((e.memory_bytes - 63_600.0).abs() < 100.0, "{e:?}");
        let err = check("the run", &e, &tight).expect_err("~63.6 kB > 40 kB");
        assert!(matches!(err, GuardError::TooMuchMemory { .. }), "{err}");
    }

    #[test]
    fn provisioned_recycling_is_counted_per_lifetime_or_init() {
        let provisioned = |lifetime: &str, init: &str| {
            let text = ONE
                .replace("duration = \"1h\"", &format!("duration = \"1h\"\n[platform]\nmax_lifetime = \"{lifetime}\""))
                .replace("runtime = \"custom\"", &format!("runtime = \"custom\"\nprovisioned_concurrency = 10\ninit = {{ dist = \"constant\", value = \"{init}\" }}"));
            estimate(&load(&text))
        };
        // The default two hours outlast the hour: nothing is recycled.
        assert_eq!(provisioned("2h", "1s").recycles, 0.0);
        // 10 units × ⌊3600 s / 4 min⌋ = 150; an init longer than the lifetime sets the pace.
        assert_eq!(provisioned("4m", "1s").recycles, 150.0);
        assert_eq!(provisioned("4s", "5s").recycles, 10.0 * 720.0);
        // A zero init and a nanosecond: 3.6 × 10¹³, refused though arrivals are few.
        let e = provisioned("1ns", "0s");
        assert_eq!(e.recycles, 3.6e13);
        let err = check("the run", &e, &Limits::default()).expect_err("recycling storm");
        assert!(
            err.to_string().contains("from functions.api.provisioned"),
            "{err}"
        );
    }

    #[test]
    fn nan_estimates_are_refused() {
        let e = Estimate {
            requests: f64::NAN,
            recycles: 0.0,
            environments: 0.0,
            memory_bytes: 0.0,
            busiest: None,
            widest: None,
        };
        assert!(check("the run", &e, &Limits::default()).is_err());
    }

    #[test]
    fn counts_and_bytes_read_well() {
        assert_eq!(count(1.234e12), "1234 billion");
        assert_eq!(count(3.5e8), "350 million");
        assert_eq!(count(12345.0), "12345");
        assert_eq!(bytes(5.0 * f64::from(1u32 << 30)), "5 GiB");
        assert_eq!(wall(6e6 * 3.0 * 3600.0), "about 3 hours");
        assert_eq!(wall(1e6), "under a second");
    }
}

//! Validated scenario types: what the simulation core trusts. Built only by `validate.rs`.

use super::dist::Distribution;
pub use super::raw::{Invocation, Reuse};
use crate::engine::SimDuration;
use crate::runtime::{Arch, Package, RuntimeProfile};
use crate::workload::trace::TraceSpec;
use crate::workload::Arrivals;

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name of the run; names the output folder.
    pub name: String,
    /// Free text for the report.
    pub description: String,
    /// Seed of every random stream.
    pub seed: u64,
    /// Simulated time; no arrival is generated at or after it.
    pub duration: SimDuration,
    /// Requests arriving before this are not counted; means over time start here.
    pub warmup: SimDuration,
    /// Platform settings.
    pub platform: Platform,
    /// The functions, in file order; a function's id is its index.
    pub functions: Vec<Function>,
    /// Width of one time-series row.
    pub report_interval: SimDuration,
    /// Traces replayed; a function fed by trace `i` has arrivals `Process::Trace { source: i }`.
    pub traces: Vec<TraceSpec>,
}

/// Platform-wide settings.
#[derive(Clone, Debug)]
pub struct Platform {
    /// When idle environments are retired.
    pub keep_alive: KeepAlive,
    /// Environments are retired this long after creation, once idle.
    pub max_lifetime: SimDuration,
    /// Account concurrency limit (in-flight requests).
    pub account_concurrency: u32,
    /// Part of the account concurrency that reserved concurrency can never take.
    pub unreserved_minimum: u32,
    /// Per-function token bucket for new environments.
    pub scaling: Scaling,
    /// Which idle environment takes a warm request.
    pub reuse: Reuse,
    /// An init longer than this fails the request.
    pub init_limit: SimDuration,
    /// Requests one environment serves at once.
    pub env_concurrency: u32,
    /// Longest time a throttled asynchronous request keeps being retried.
    pub max_event_age: SimDuration,
    /// Back-off between retries of throttled asynchronous requests.
    pub retry: Retry,
}

/// The keep-alive policy.
#[derive(Clone, Debug, PartialEq)]
pub enum KeepAlive {
    /// Retired `idle` after the last request.
    Fixed { idle: SimDuration },
}

/// Token bucket: `capacity` new environments at once, refilled continuously over `per`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// Bucket size.
    pub capacity: u32,
    /// Time to refill a whole bucket.
    pub per: SimDuration,
}

/// Exponential back-off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    /// First delay.
    pub initial: SimDuration,
    /// Largest delay.
    pub max: SimDuration,
    /// Growth per attempt (≥ 1).
    pub multiplier: f64,
}

impl Retry {
    /// Delay before retry number `attempt` (1 = first retry).
    pub fn delay(&self, attempt: u32) -> SimDuration {
        let grown = self.initial.0 as f64 * self.multiplier.powi(attempt.saturating_sub(1) as i32);
        SimDuration::from_nanos_f64(grown.min(self.max.0 as f64))
    }
}

/// A validated function.
#[derive(Clone, Debug)]
pub struct Function {
    /// Unique name.
    pub name: String,
    /// Runtime name as written ("custom" when there is no built-in profile).
    pub runtime: String,
    /// The built-in profile, `None` for "custom".
    pub profile: Option<&'static RuntimeProfile>,
    /// Instruction set.
    pub arch: Arch,
    /// Package type.
    pub package: Package,
    /// Configured memory.
    pub memory_mb: u32,
    /// Execution timeout.
    pub timeout: SimDuration,
    /// Reserved concurrency (also the function's cap).
    pub reserved_concurrency: Option<u32>,
    /// Environments kept initialized ahead of time.
    pub provisioned_concurrency: u32,
    /// Runtime bootstrap init (from the profile), nanoseconds; `None` for custom runtimes.
    pub runtime_init: Option<Distribution>,
    /// The function's own init code, nanoseconds.
    pub init: Distribution,
    /// Warm handler time, nanoseconds.
    pub execution: Distribution,
    /// Handler time of an environment's first request, nanoseconds.
    pub first_execution: Option<Distribution>,
    /// Memory a request uses, MB.
    pub memory_used: Option<Distribution>,
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Sync or async.
    pub invocation: Invocation,
}

impl Function {
    /// Configured memory in GB (1 GB = 1024 MB, as AWS bills).
    pub fn memory_gb(&self) -> f64 {
        self.memory_mb as f64 / 1024.0
    }

    /// Mean total init (runtime + function), nanoseconds.
    pub fn mean_init_ns(&self) -> f64 {
        self.runtime_init.as_ref().map_or(0.0, Distribution::mean) + self.init.mean()
    }
}

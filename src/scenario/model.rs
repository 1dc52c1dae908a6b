//! Validated scenario types: what the simulation core trusts. Built only by `validate.rs`.

use super::dist::Distribution;
pub use super::raw::{CpuPolicy, Eviction, Invocation, Placement, Reuse, WhenFull};
use crate::engine::SimDuration;
use crate::metrics::{FunctionInfo, Pricing, RunInfo};
use crate::runtime::{Arch, Package, RuntimeProfile};
use crate::workload::trace::TraceSpec;
use crate::workload::Arrivals;
use std::path::PathBuf;

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
    /// Prices of the cost figures (`[pricing]` over the us-east-1 list prices).
    pub pricing: Pricing,
    /// The empirical distribution files validation read (their values are in the
    /// distributions), in the order met.
    pub data_files: Vec<PathBuf>,
    /// Lambda Managed Instances capacity providers, in file order; a provider's id is its index.
    pub capacity_providers: Vec<CapacityProvider>,
    /// Hosts with their own memory and vCPUs (`[cluster]`); `None`: one pool of memory
    /// (`platform.capacity_mb`) and no CPU.
    pub cluster: Option<Cluster>,
}

/// `[cluster]`: the hosts, the placement policy and the CPU policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Host groups, in order; hosts are numbered group by group from 0.
    pub groups: Vec<HostGroup>,
    /// Which host a new environment goes to.
    pub placement: Placement,
    /// How executions share a host's vCPUs.
    pub cpu: CpuPolicy,
}

impl Cluster {
    /// Hosts in every group.
    pub fn hosts(&self) -> u64 {
        self.groups.iter().map(|g| u64::from(g.count)).sum()
    }

    /// Memory of every host together, MB.
    pub fn memory_mb(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| u64::from(g.count) * g.memory_mb)
            .sum()
    }
}

/// `count` identical hosts.
#[derive(Clone, Debug, PartialEq)]
pub struct HostGroup {
    /// Its name in reports.
    pub name: String,
    /// Hosts in it (≥ 1).
    pub count: u32,
    /// vCPUs of each host (≥ 1).
    pub vcpus: u32,
    /// Memory of each host for environments, MB (≥ 128).
    pub memory_mb: u64,
}

impl Scenario {
    /// Every file a run of this scenario depends on: the empirical distribution files and
    /// every file of every trace, in order, each once. Resume state and shard parts
    /// fingerprint their content.
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut all: Vec<PathBuf> = Vec::new();
        let traces = self.traces.iter().flat_map(|t| t.inputs());
        for f in self.data_files.iter().cloned().chain(traces) {
            if !all.contains(&f) {
                all.push(f);
            }
        }
        all
    }
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
    /// Account-wide invocations per second (every attempt and warm-up ping), counted over
    /// each whole second of simulated time.
    pub requests_per_second: u64,
    /// Part of the account concurrency that reserved concurrency can never take.
    pub unreserved_minimum: u32,
    /// Per-function token bucket for new environments.
    pub scaling: Scaling,
    /// Which idle environment takes a warm request.
    pub reuse: Reuse,
    /// An on-demand init longer than this is cut at the limit and runs again inside the
    /// invoke, under the function's timeout.
    pub init_limit: SimDuration,
    /// Requests one environment serves at once.
    pub env_concurrency: u32,
    /// Longest time an asynchronous event is kept and retried.
    pub max_event_age: SimDuration,
    /// Retries of an asynchronous event whose function returned an error (0–2).
    pub retry_attempts: u32,
    /// Back-off between retries of throttled asynchronous requests.
    pub retry: Retry,
    /// Memory shared by all environments, MB; `None`: unbounded.
    pub capacity_mb: Option<u64>,
    /// Which idle environment makes room when a new one does not fit.
    pub eviction: Eviction,
    /// What a request does when nothing idle can be evicted.
    pub when_full: WhenFull,
}

/// The keep-alive policy.
#[derive(Clone, Debug)]
pub enum KeepAlive {
    /// Retired `idle` after the last request.
    Fixed {
        /// How long an environment stays idle before it is retired.
        idle: SimDuration,
    },
    /// Retired `idle` after the environment first became idle, whatever happened since.
    FixedOnce {
        /// How long after first becoming idle the environment is retired.
        idle: SimDuration,
    },
    /// Retired a time drawn from `idle` (nanoseconds) after the last request.
    Random {
        /// The idle time, drawn per idle period, in nanoseconds.
        idle: Distribution,
    },
    /// Never retired for idleness.
    Forever,
    /// Shahrad et al.'s hybrid histogram policy.
    HybridHistogram(HybridHistogram),
}

impl KeepAlive {
    /// The idle time of the default policy (`fixed`, when `platform.keep_alive` is left out):
    /// 10 minutes after the last request, as M. Shilkov measured ("AWS Lambda Cold Starts After
    /// 10 Minutes", mikhail.io, August 2019).
    pub const DEFAULT_IDLE: SimDuration = SimDuration::from_secs(600);
}

/// Settings of the hybrid histogram keep-alive policy (validated).
#[derive(Clone, Debug, PartialEq)]
pub struct HybridHistogram {
    /// Width of one bin.
    pub bin: SimDuration,
    /// Number of bins (`range / bin`); longer idle times are out of range.
    pub bins: u32,
    /// Head percentile, 0..100.
    pub head_percentile: f64,
    /// Tail percentile, head..=100.
    pub tail_percentile: f64,
    /// Fraction taken off the head and added to the tail.
    pub margin: f64,
    /// Minimum coefficient of variation of the bin counts.
    pub cv_threshold: f64,
    /// Minimum number of in-range idle times.
    pub min_samples: u32,
    /// Keep-alive while the histogram is not representative.
    pub fallback_idle: SimDuration,
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

impl<'a> From<&'a Scenario> for RunInfo<'a> {
    fn from(s: &'a Scenario) -> Self {
        RunInfo {
            name: &s.name,
            seed: s.seed,
            duration: s.duration,
            warmup: s.warmup,
            functions: s
                .functions
                .iter()
                .map(|f| FunctionInfo {
                    name: &f.name,
                    runtime: &f.runtime,
                    arch: f.arch,
                    memory_mb: f.memory_mb,
                    app: f.app.as_deref().filter(|_| f.shares_app),
                })
                .collect(),
        }
    }
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
    /// Most environments `provisioned` ever allocates (the fixed count, the schedule's or
    /// autoscaling's maximum): what limits are checked against.
    pub provisioned_concurrency: u32,
    /// How many environments are kept initialized ahead of time, over time.
    pub provisioned: Provisioned,
    /// Scheduled warm-up invocations, if any.
    pub warmers: Option<Warmers>,
    /// SnapStart restore latency replacing init (nanoseconds), if enabled.
    pub snapstart: Option<Distribution>,
    /// Share of a SnapStart restore that is billed (`Billed Restore Duration` ÷ `Restore
    /// Duration`), 0 to 1; unused without SnapStart.
    pub snapstart_billed: f64,
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
    /// The application it belongs to, for Azure traces (2019: owner and app hashes; 2021:
    /// `app`): the hybrid histogram keep-alive policy pools idle times per app, as the paper.
    pub app: Option<String>,
    /// It shares environments with the other functions of its `app` (`[trace] unit = "app"`):
    /// their requests draw from one pool, under one keep-alive, eviction and scaling state,
    /// one provisioned count and one concurrency limit, while request statistics stay per
    /// function. The pool's provisioned and reserved concurrency are those of the app's first
    /// function (in scenario order); validation leaves the others' at 0 and none.
    pub shares_app: bool,
    /// On Lambda Managed Instances: its capacity provider and environments; `None`: on demand.
    pub managed: Option<Managed>,
    /// The CPU part of its execution and the memory it was measured at, if given: execution
    /// then scales with the vCPUs of `memory_mb` (`platform::cpu`). `None`: as sampled.
    pub cpu: Option<CpuWork>,
}

/// Which part of a function's sampled execution is CPU work, and at which memory size it
/// was measured (`cpu = { share, threads, measured_at_mb }`). Validated data; what it means
/// (vCPUs from memory, splitting and scaling an execution) is in `platform::cpu`, a layer
/// above, which re-exports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CpuWork {
    /// Part of each sampled execution that is CPU work, 0 to 1; the rest is waiting (I/O).
    pub share: f64,
    /// Threads the CPU work runs on (≥ 1): it uses at most this many vCPUs.
    pub threads: u32,
    /// Memory size, MB (128–10,240), at which the execution times were measured.
    pub measured_at_mb: u32,
}

/// A function on Lambda Managed Instances (validated).
#[derive(Clone, Debug, PartialEq)]
pub struct Managed {
    /// Index of its capacity provider in `Scenario::capacity_providers`.
    pub provider: u32,
    /// vCPUs of one environment (memory / memory per vCPU).
    pub vcpus: u32,
    /// Requests one environment serves at once (`PerExecutionEnvironmentMaxConcurrency`).
    pub max_concurrency: u32,
    /// Share of an execution that is CPU work, [0, 1] (`managed.cpu_share`, else `cpu.share`).
    pub cpu_share: f64,
    /// Fewest environments (`MinExecutionEnvironments`), also those started at publication.
    pub min_environments: u32,
    /// Most environments (`MaxExecutionEnvironments`).
    pub max_environments: u32,
}

impl Managed {
    /// Requests one environment admits at once: its maximum concurrency, and no more than
    /// its vCPUs can run (vCPUs / CPU share, at least 1). Lambda rejects invocations to an
    /// environment whose resources are taken, "to protect invokes that are already in
    /// flight" (Lambda developer guide, "Troubleshooting Lambda Managed Instances").
    pub fn room(&self) -> u32 {
        let by_cpu = (f64::from(self.vcpus) / self.cpu_share + 1e-9).floor();
        (by_cpu.min(f64::from(self.max_concurrency)) as u32).max(1)
    }
}

/// A validated capacity provider.
#[derive(Clone, Debug)]
pub struct CapacityProvider {
    /// Unique name.
    pub name: String,
    /// The EC2 instance type's name.
    pub instance_type: String,
    /// vCPUs of one instance.
    pub instance_vcpus: u32,
    /// Memory of one instance, MB (GiB × 1024).
    pub instance_memory_mb: u64,
    /// EC2 price of one instance, US dollars per hour.
    pub price_per_hour: f64,
    /// Instances always running.
    pub min_instances: u32,
    /// Most instances (`MaxVCpuCount` / instance vCPUs).
    pub max_instances: u32,
    /// Target average CPU utilization, (0, 1).
    pub target: f64,
    /// The scaler's measurement period.
    pub period: SimDuration,
    /// Periods below target before scaling in.
    pub scale_in_periods: u32,
    /// From a launch decision to a ready instance.
    pub instance_launch: SimDuration,
    /// Start of a new environment (nanoseconds); `None`: the function's init.
    pub environment_start: Option<Distribution>,
    /// Instances are replaced this long after launch.
    pub instance_lifetime: SimDuration,
}

impl Function {
    /// Configured memory in GB (1 GB = 1024 MB, as AWS bills).
    pub fn memory_gb(&self) -> f64 {
        self.memory_mb as f64 / 1024.0
    }

    /// The billed part of an init phase of `d` on a new on-demand environment: all of it,
    /// except for a SnapStart restore, of which AWS bills only loading the runtime and the
    /// after-restore hooks, not restoring the snapshot ("Monitoring for Lambda SnapStart").
    pub fn billed_init(&self, d: SimDuration) -> SimDuration {
        if self.snapstart.is_some() {
            SimDuration::from_nanos_f64(d.0 as f64 * self.snapstart_billed)
        } else {
            d
        }
    }

    /// Mean total init (runtime + function), nanoseconds.
    pub fn mean_init_ns(&self) -> f64 {
        self.runtime_init.as_ref().map_or(0.0, Distribution::mean) + self.init.mean()
    }
}

/// Provisioned concurrency over time.
#[derive(Clone, Debug, PartialEq)]
pub enum Provisioned {
    /// A fixed number of environments (0: none).
    Fixed(u32),
    /// A daily schedule: `(time of day, count)` sorted by time, at least one entry; the last
    /// entry of a day holds until the first of the next.
    Schedule(Vec<(SimDuration, u32)>),
    /// Target-tracking autoscaling.
    Autoscale(Autoscale),
}

impl Provisioned {
    /// True when no environment is ever provisioned.
    pub fn is_none(&self) -> bool {
        *self == Provisioned::Fixed(0)
    }

    /// Environments allocated at time 0.
    pub fn initial(&self) -> u32 {
        match self {
            Provisioned::Fixed(n) => *n,
            Provisioned::Schedule(steps) => Self::scheduled(steps, SimDuration::ZERO).1,
            Provisioned::Autoscale(a) => a.min,
        }
    }

    /// The schedule's entry in force at time of day `tod` (index and count).
    pub fn scheduled(steps: &[(SimDuration, u32)], tod: SimDuration) -> (usize, u32) {
        match steps.iter().rposition(|&(at, _)| at <= tod) {
            Some(i) => (i, steps[i].1),
            None => (steps.len() - 1, steps[steps.len() - 1].1),
        }
    }
}

/// Target tracking as Application Auto Scaling does it: utilization (busy provisioned
/// environments / allocated) averaged per `period`; after `out_after` consecutive periods above
/// the target, scale out; after `in_after` consecutive periods below `in_ratio` × target,
/// scale in; the new count is ceil(allocated × utilization / target), within `[min, max]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoscale {
    /// Fewest environments.
    pub min: u32,
    /// Most environments.
    pub max: u32,
    /// Tracked utilization, in (0, 1].
    pub target: f64,
    /// Measurement period.
    pub period: SimDuration,
    /// Consecutive periods above target before scaling out.
    pub out_after: u32,
    /// Consecutive periods below `in_ratio × target` before scaling in.
    pub in_after: u32,
    /// Fraction of the target below which a period counts towards scaling in (0.9).
    pub in_ratio: f64,
    /// Periods ignored after a scaling action.
    pub cooldown: u32,
}

/// Warm-up pings: `concurrency` invocations at once every `every`, from `start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmers {
    /// Time between rounds.
    pub every: SimDuration,
    /// Pings per round.
    pub concurrency: u32,
    /// Handler time of a ping.
    pub execution: SimDuration,
    /// First round.
    pub start: SimDuration,
}

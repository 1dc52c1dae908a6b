//! Raw serde types that mirror what the user wrote in a scenario file.
//!
//! Every struct denies unknown keys; enums are internally tagged with struct variants so that a
//! typo inside a variant is also rejected. Validation into trusted types is in `validate.rs`.

use super::quantity::{DurationText, Quantity};
use crate::runtime::{Arch, Package};
use crate::workload::trace;
pub use crate::workload::trace::{HuaweiCounts, Spread, TimeUnit};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// A whole scenario file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Names the output folder (`output/<name>/`) and every chart. Default: the file's stem.
    pub name: Option<String>,
    /// Free text shown in the report.
    pub description: Option<String>,
    /// Seed of every random stream (default `1`).
    pub seed: Option<u64>,
    /// Simulated time, e.g. "24h".
    pub duration: DurationText,
    /// Requests arriving before this are simulated but not counted (default `0s`).
    pub warmup: Option<DurationText>,
    /// Platform settings; defaults are AWS Lambda as observed.
    #[serde(default)]
    pub platform: RawPlatform,
    /// The functions deployed on the platform (a `[trace]` section may add more).
    #[serde(default)]
    pub functions: Vec<RawFunction>,
    /// A trace that defines functions: one per function in the trace, replaying its requests.
    pub trace: Option<RawTrace>,
    /// Report settings.
    #[serde(default)]
    pub report: RawReport,
    /// Prices overriding the us-east-1 list prices, in US dollars.
    pub pricing: Option<RawPricing>,
    /// Lambda Managed Instances: capacity providers (EC2 instances in your account) that
    /// functions with a `managed` table run on.
    #[serde(default)]
    pub capacity_provider: Vec<RawCapacityProvider>,
    /// Hosts that run the environments, with placement and CPU contention [none: one pool of
    /// memory, `platform.capacity`, and no CPU].
    pub cluster: Option<RawCluster>,
}

/// `[platform]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlatform {
    /// When an idle environment is retired [fixed, 10m].
    pub keep_alive: Option<RawKeepAlive>,
    /// An environment is retired this long after it was created, once idle (default `2h`).
    pub max_lifetime: Option<DurationText>,
    /// Account-wide concurrency limit (default `1000`).
    pub account_concurrency: Option<u32>,
    /// Account-wide invocations per second, counted over each whole second of simulated time
    /// [10 × account_concurrency, as AWS documents].
    pub requests_per_second: Option<u64>,
    /// Part of the account concurrency that reserved concurrency can never take (default `100`).
    pub unreserved_minimum: Option<u32>,
    /// Per-function scale-up rate, a token bucket [1000 environments per 10s].
    pub scaling: Option<RawScaling>,
    /// Which idle environment takes a request (default `mru`).
    pub reuse: Option<Reuse>,
    /// On-demand inits longer than this are cut and run again inside the invoke, under the
    /// function's timeout (default `10s`).
    pub init_limit: Option<DurationText>,
    /// Requests one environment serves at once [1; Lambda is 1].
    pub env_concurrency: Option<u32>,
    /// How long an asynchronous event is kept and retried (default `6h`).
    pub max_event_age: Option<DurationText>,
    /// Retries of an asynchronous event whose function returned an error, 0–2 (default `2`), 1 minute
    /// and then 2 minutes after the failed attempt.
    pub retry_attempts: Option<u32>,
    /// Back-off of throttled asynchronous requests [1s doubling to 5m].
    pub retry: Option<RawRetry>,
    /// Memory of the machines running environments [unbounded, as Lambda appears].
    pub capacity: Option<RawCapacity>,
    /// Which idle environment is evicted when a new one does not fit the capacity (default `lru`).
    pub eviction: Option<Eviction>,
    /// What a request does when nothing idle can be evicted to fit it (default `wait`).
    pub when_full: Option<WhenFull>,
}

/// `capacity = { memory_gb = 64 }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    /// Memory shared by every environment (configured memory each), GB of 1024 MB.
    pub memory_gb: f64,
}

/// `[cluster]`: host groups, where new environments are placed, and how executions share a
/// host's vCPUs. Replaces `platform.capacity` (each host has its own memory).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    /// Which host a new environment goes to.
    pub placement: Placement,
    /// How the executions on one host share its vCPUs.
    pub cpu: CpuPolicy,
    /// The host groups (`[[cluster.hosts]]`), in order; hosts are numbered group by group.
    pub hosts: Vec<RawHostGroup>,
}

/// `[[cluster.hosts]]`: `count` identical hosts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHostGroup {
    /// Names the group in reports [`group-N`, N from 1].
    pub name: Option<String>,
    /// Hosts in the group (default `1`).
    pub count: Option<u32>,
    /// vCPUs of each host.
    pub vcpus: u32,
    /// Memory of each host for environments, GB of 1024 MB.
    pub memory_gb: f64,
}

/// Placement policy: which host a new environment goes to, among those it fits (in free
/// memory, or else once idle environments there are evicted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// The first host (in order) it fits.
    FirstFit,
    /// The host it fits with the least memory left.
    BestFit,
    /// The host with the most memory left.
    WorstFit,
    /// The host whose running executions demand the smallest part of its vCPUs.
    LeastLoaded,
    /// The next host after the last one used that it fits.
    RoundRobin,
    /// A host it fits, uniformly at random (the platform's seeded stream).
    Random,
    /// The function's home host (a hash of its name), else the next ones by a step co-prime
    /// with the number of hosts (OpenWhisk's sharding load balancer).
    Home,
}

/// How the executions on one host share its vCPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CpuPolicy {
    /// Executions never slow each other down (the host's CPU use is still reported).
    Ignored,
    /// Processor sharing: when the running executions demand more vCPUs than the host has,
    /// the CPU part of each slows in proportion.
    Shared,
    /// An execution starts only when its environment's vCPUs are free on the host; until
    /// then its request waits.
    Isolated,
}

/// Eviction policy of a memory-bounded platform (FaasCache, Fuerst & Sharma, ASPLOS'21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    /// The environment idle for the longest time.
    Lru,
    /// Greedy-Dual: lowest priority = clock + frequency × cold-start cost / memory.
    GreedyDual,
    /// The largest memory first (ties: least recently used).
    Size,
    /// The function with the fewest requests first (ties: least recently used).
    Frequency,
}

/// What a request does when it needs a new environment and nothing idle can be evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhenFull {
    /// Waits (first come, first served) until memory is freed.
    Wait,
    /// Fails at once (counted as throttled and as `capacity_dropped`).
    Drop,
}

/// Keep-alive policy, tagged by `policy`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawKeepAlive {
    /// Retire an environment `idle` after its last request; every request resets the timer.
    Fixed {
        /// Idle time before retirement.
        idle: DurationText,
    },
    /// Retire an environment `idle` after it first became idle; later requests do not extend
    /// the timer (OpenWhisk-like).
    FixedOnce {
        /// Idle time before retirement, counted from the first idle period.
        idle: DurationText,
    },
    /// Retire an environment a random time after its last request, drawn anew each time.
    Random {
        /// Distribution of the idle time before retirement.
        idle: RawDist,
    },
    /// Never retire an environment for idleness (the maximum lifetime still applies).
    Forever {},
    /// The hybrid histogram policy of Shahrad et al., "Serverless in the Wild" (ATC'20): per
    /// function, a histogram of idle times; after a request the environment is unloaded and
    /// one is pre-warmed just before the head percentile, kept until the tail percentile.
    HybridHistogram {
        /// Width of one histogram bin (default `1m`).
        bin: Option<DurationText>,
        /// Idle times up to this are binned; longer ones are counted as out of range (default `4h`).
        range: Option<DurationText>,
        /// Percentile of idle times where pre-warming starts, minus the margin (default `5`).
        head_percentile: Option<f64>,
        /// Percentile of idle times until which an environment is kept, plus the margin (default `99`).
        tail_percentile: Option<f64>,
        /// Fraction taken off the head and added to the tail [0.1].
        margin: Option<f64>,
        /// Below this coefficient of variation of the bin counts the histogram is not
        /// representative and the fallback applies (default `2`).
        cv_threshold: Option<f64>,
        /// Fewer idle times than this in range: not representative (default `10`).
        min_samples: Option<u32>,
        /// Fixed keep-alive while the histogram is not representative [= range].
        fallback_idle: Option<DurationText>,
    },
}

/// `scaling = { envs = 1000, per = "10s" }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScaling {
    /// Bucket size: environments that may start at once.
    pub envs: u32,
    /// Time to refill the whole bucket (refilled continuously).
    pub per: DurationText,
}

/// `retry = { initial = "1s", max = "5m", multiplier = 2.0 }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    /// Delay before the first retry.
    pub initial: Option<DurationText>,
    /// Longest delay between retries.
    pub max: Option<DurationText>,
    /// Growth of the delay per retry.
    pub multiplier: Option<f64>,
}

/// Which idle environment serves a warm request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reuse {
    /// Most recently used first (Lambda's observed behaviour; lets spare environments expire).
    Mru,
    /// Least recently used first (spreads requests, keeps more environments alive).
    Lru,
    /// Uniformly at random.
    Random,
}

/// How a function is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Invocation {
    /// The caller waits; a throttle is a 429 error.
    Sync,
    /// Queued by the platform; a throttle is retried with back-off until the maximum event age.
    Async,
}

/// `[[functions]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    /// Unique name.
    pub name: String,
    /// A built-in runtime profile (`coldsim runtimes`), or "custom" (no built-in runtime init).
    pub runtime: String,
    /// Instruction set (default `x86_64`).
    pub arch: Option<Arch>,
    /// Deployment package (default `zip`).
    pub package: Option<Package>,
    /// Configured memory, 128..=10240 MB (default `128`).
    pub memory_mb: Option<u32>,
    /// Execution timeout (default `3s`), at most 15m.
    pub timeout: Option<DurationText>,
    /// Concurrency set aside for this function; also its cap.
    pub reserved_concurrency: Option<u32>,
    /// Environments kept initialized ahead of time (default `0`): a number, `{ count }`, a daily
    /// `{ schedule = [...] }` or target-tracking `{ autoscale = {...} }`.
    pub provisioned_concurrency: Option<RawProvisioned>,
    /// Scheduled warm-up invocations (pings) that keep environments warm (default `none`).
    pub warmers: Option<RawWarmers>,
    /// SnapStart: init replaced by a snapshot restore (Java 11+, Python 3.12+, .NET 8+) (default `off`).
    pub snapstart: Option<RawSnapStart>,
    /// The function's own init code, added to the runtime's init (default `0`).
    pub init: Option<RawDist>,
    /// Handler time of a request on a warm environment.
    pub execution: RawDist,
    /// Handler time of the first request an environment serves (lazy loading, JIT warm-up) [= execution].
    pub first_execution: Option<RawDist>,
    /// Memory a request uses, in MB; above `memory_mb` the request fails [never].
    pub memory_used: Option<RawDist>,
    /// Arrival process, or a list of processes (their superposition).
    pub arrivals: RawArrivals,
    /// sync or async (default `sync`).
    pub invocation: Option<Invocation>,
    /// Lambda Managed Instances: run on a capacity provider's instances instead of on demand
    /// (default `off`).
    pub managed: Option<RawManaged>,
    /// Which part of the execution is CPU work, measured at which memory: execution then
    /// follows the vCPUs of `memory_mb` [none: the execution is the same at every memory].
    pub cpu: Option<RawCpu>,
}

/// `cpu = { share = 0.7, threads = 1, measured_at_mb = 1024 }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCpu {
    /// Part of each execution that is CPU work, 0 to 1; the rest is waiting (I/O), unchanged
    /// by memory.
    pub share: f64,
    /// Threads the CPU work runs on: it uses at most this many vCPUs (default `1`).
    pub threads: Option<u32>,
    /// Memory, 128..=10240 MB, at which `execution` (or the trace's execution times) was
    /// measured [the function's `memory_mb`].
    pub measured_at_mb: Option<u32>,
}

/// `managed = { capacity_provider = "fleet", memory_gib_per_vcpu = 2.0 }`: a function on
/// Lambda Managed Instances (`LambdaManagedInstancesCapacityProviderConfig`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawManaged {
    /// `false` runs the function on demand (handy in sweeps) [true].
    pub enabled: Option<bool>,
    /// The `[[capacity_provider]]` it runs on, by name.
    pub capacity_provider: Option<String>,
    /// `ExecutionEnvironmentMemoryGiBPerVCpu`, 2–8: an environment has `memory_mb` / 1024 / this
    /// vCPUs, a whole number of at least 1 (default `2`).
    pub memory_gib_per_vcpu: Option<f64>,
    /// `PerExecutionEnvironmentMaxConcurrency`, 1–1600: requests one environment serves at once
    /// [per vCPU 16 for Python, 64 for Node.js, 32 for Java and .NET, as AWS documents; 32 otherwise].
    pub max_concurrency: Option<u32>,
    /// Share of a request's execution that is CPU work on its environment's vCPUs, 0–1: an
    /// environment admits at most vCPUs / cpu_share requests (default `1`).
    pub cpu_share: Option<f64>,
    /// `MinExecutionEnvironments` (default `3`, the environments AWS starts when a version is published).
    pub min_environments: Option<u32>,
    /// `MaxExecutionEnvironments` (default `15000`).
    pub max_environments: Option<u32>,
}

/// `[[capacity_provider]]`: EC2 instances that run Managed Instances functions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityProvider {
    /// Unique name, which functions' `managed.capacity_provider` gives.
    pub name: String,
    /// The instance type every instance is.
    pub instance: RawInstanceType,
    /// Instances always running (default `3`: AWS launches three for Availability Zone resiliency).
    pub min_instances: Option<u32>,
    /// `MaxVCpuCount`, 2–15000: vCPUs of all instances together (default `15000`, the API's maximum).
    pub max_vcpus: Option<u32>,
    /// How instances and environments scale (default `{ mode = "auto" }`).
    pub scaling: Option<RawManagedScaling>,
    /// From a launch decision to an instance ready for environments (default `2m`).
    pub instance_launch: Option<DurationText>,
    /// Start of a new environment on a ready instance [the function's init].
    pub environment_start: Option<RawDist>,
    /// Instances are replaced this long after launch (default `14d`).
    pub instance_lifetime: Option<DurationText>,
}

/// `instance = { type = "c7g.xlarge", vcpus = 4, memory_gib = 8, price_per_hour = 0.145 }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInstanceType {
    /// The EC2 instance type's name, for the report.
    #[serde(rename = "type")]
    pub name: String,
    /// vCPUs of one instance.
    pub vcpus: u32,
    /// Memory of one instance, GiB.
    pub memory_gib: f64,
    /// EC2 on-demand price of one instance, US dollars per hour (the 15% management fee is added).
    pub price_per_hour: f64,
}

/// How a capacity provider scales, tagged by `mode` (`ScalingMode`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawManagedScaling {
    /// Lambda chooses the target: average CPU utilization 0.5 (coldsim's choice; AWS does not say).
    Auto {
        /// The scaler measures utilization over periods this long (default `1m`).
        period: Option<DurationText>,
        /// Scale in after utilization stayed below target this long (default `5m`).
        scale_in_after: Option<DurationText>,
    },
    /// A target-tracking policy on average CPU utilization (`LambdaCapacityProviderAverageCPUUtilization`).
    Manual {
        /// Target average CPU utilization, 0–1 exclusive of 0 (AWS's `TargetValue` / 100).
        target_cpu_utilization: f64,
        /// The scaler measures utilization over periods this long (default `1m`).
        period: Option<DurationText>,
        /// Scale in after utilization stayed below target this long (default `5m`).
        scale_in_after: Option<DurationText>,
    },
}

/// A probability distribution, tagged by `dist`. Times are strings with units ("45ms") or
/// numbers in `unit` where a `unit` key exists.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDist {
    /// Always `value`.
    Constant {
        /// The value.
        value: Quantity,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower bound.
        min: Quantity,
        /// Upper bound.
        max: Quantity,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: Quantity,
    },
    /// Normal, truncated at zero.
    Normal {
        /// Mean.
        mean: Quantity,
        /// Standard deviation.
        std: Quantity,
    },
    /// Lognormal, by `median` and `p99`, or by `mu` and `sigma` of ln(value in `unit`).
    Lognormal {
        /// Median (50th percentile).
        median: Option<Quantity>,
        /// 99th percentile; must exceed the median.
        p99: Option<Quantity>,
        /// Mean of ln(value / unit).
        mu: Option<f64>,
        /// Standard deviation of ln(value / unit).
        sigma: Option<f64>,
        /// Unit of `mu` [ms for times, MB for memory].
        unit: Option<String>,
    },
    /// Gamma with `shape` k and `scale` θ (mean kθ).
    Gamma {
        /// Shape k > 0.
        shape: f64,
        /// Scale θ.
        scale: Quantity,
    },
    /// Weibull with `shape` k and `scale` λ.
    Weibull {
        /// Shape k > 0.
        shape: f64,
        /// Scale λ.
        scale: Quantity,
    },
    /// Pareto with minimum `scale` and tail index `shape`.
    Pareto {
        /// Minimum value.
        scale: Quantity,
        /// Tail index α > 0 (the mean is finite for α > 1).
        shape: f64,
    },
    /// Drawn uniformly from `values`, or from a CSV/text file's `column`.
    Empirical {
        /// The sample values.
        values: Option<Vec<Quantity>>,
        /// A CSV file (relative to the scenario file) with the values.
        path: Option<String>,
        /// The CSV column to read [the first].
        column: Option<String>,
        /// Unit of bare numbers [ms for times, MB for memory].
        unit: Option<String>,
    },
}

/// An arrival process, tagged by `process`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "process", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawProcess {
    /// Poisson arrivals at `rate` per second.
    Poisson {
        /// Requests per second.
        rate: f64,
    },
    /// One request every `every`, the first at `start` (default `0s`).
    Periodic {
        /// Interval between requests.
        every: DurationText,
        /// Time of the first request.
        start: Option<DurationText>,
    },
    /// Non-homogeneous Poisson with a daily sinusoidal rate.
    Diurnal {
        /// Mean requests per second over a period.
        mean_rate: f64,
        /// Peak rate divided by trough rate (≥ 1).
        peak_to_trough: f64,
        /// Time of day of the peak, "HH:MM" (default `14:00`).
        peak_at: Option<String>,
        /// Length of one cycle (default `24h`).
        period: Option<DurationText>,
    },
    /// Two-state Markov-modulated Poisson process.
    Bursty {
        /// Requests per second between bursts.
        base_rate: f64,
        /// Requests per second during a burst.
        burst_rate: f64,
        /// Mean burst length (exponential).
        mean_burst: DurationText,
        /// Mean time between bursts (exponential).
        mean_gap: DurationText,
    },
    /// Requests replayed from a trace file (see `[trace]` for the options). Boxed: it is large.
    Trace(Box<RawTrace>),
}

/// Trace file formats: a name of the registry [`trace::FORMATS`] (`csv`, `azure2019`,
/// `azure2021`, `huawei2023`), read and described in the schema as an enum of those names.
#[derive(Clone, Copy)]
pub struct TraceFormat(pub &'static dyn trace::Format);

impl std::ops::Deref for TraceFormat {
    type Target = dyn trace::Format;

    fn deref(&self) -> &Self::Target {
        self.0
    }
}

impl std::fmt::Debug for TraceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

impl PartialEq for TraceFormat {
    fn eq(&self, other: &Self) -> bool {
        self.0.name() == other.0.name()
    }
}

impl Eq for TraceFormat {}

/// The format names in registry order, as serde's enum errors list them.
fn format_names() -> &'static [&'static str] {
    static NAMES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| trace::FORMATS.iter().map(|f| f.name()).collect());
    &NAMES
}

/// Read as serde reads a unit-only enum (the same errors as the enum this replaced).
impl<'de> Deserialize<'de> for TraceFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, EnumAccess, Unexpected, VariantAccess, Visitor};
        use std::fmt;

        struct Name(&'static dyn trace::Format);
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Name, E> {
                let formats = trace::FORMATS;
                usize::try_from(v)
                    .ok()
                    .and_then(|i| formats.get(i))
                    .map(|&f| Name(f))
                    .ok_or_else(|| {
                        let expected = format!("variant index 0 <= i < {}", formats.len());
                        E::invalid_value(Unexpected::Unsigned(v), &expected.as_str())
                    })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name, E> {
                trace::find(v)
                    .map(Name)
                    .ok_or_else(|| E::unknown_variant(v, format_names()))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Name, E> {
                match std::str::from_utf8(v).ok().and_then(trace::find) {
                    Some(f) => Ok(Name(f)),
                    None => Err(E::unknown_variant(
                        &String::from_utf8_lossy(v),
                        format_names(),
                    )),
                }
            }
        }
        impl<'de> Deserialize<'de> for Name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_identifier(NameVisitor)
            }
        }
        struct FormatVisitor;
        impl<'de> Visitor<'de> for FormatVisitor {
            type Value = TraceFormat;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("enum TraceFormat")
            }
            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<TraceFormat, A::Error> {
                let (Name(f), variant) = data.variant()?;
                variant.unit_variant()?;
                Ok(TraceFormat(f))
            }
        }
        d.deserialize_enum("TraceFormat", format_names(), FormatVisitor)
    }
}

/// The schema of an enum of the format names, each described by [`trace::Format::reads`].
impl JsonSchema for TraceFormat {
    fn schema_name() -> String {
        "TraceFormat".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, SubschemaValidation};
        let describe = |text: &str| {
            Some(Box::new(Metadata {
                description: Some(text.to_owned()),
                ..Default::default()
            }))
        };
        let one_of = trace::FORMATS
            .iter()
            .map(|f| {
                Schema::Object(SchemaObject {
                    metadata: describe(f.reads()),
                    instance_type: Some(InstanceType::String.into()),
                    enum_values: Some(vec![f.name().into()]),
                    ..Default::default()
                })
            })
            .collect();
        Schema::Object(SchemaObject {
            metadata: describe("Trace file formats."),
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(one_of),
                ..Default::default()
            })),
            ..Default::default()
        })
    }
}

/// A trace: in `[trace]` it defines the scenario's functions; as a function's
/// `arrivals = { process = "trace", ... }` it replays one function's requests. Which options
/// apply depends on `format` and on where the trace is used; validation names misplaced ones.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// File format.
    pub format: TraceFormat,
    /// The trace file, relative to the scenario file (csv, azure2021, huawei2023).
    pub path: Option<String>,
    /// Several files replayed one after another, e.g. one per day (instead of `path`).
    pub paths: Option<Vec<String>>,
    /// azure2019: the folder with the `*.anon.dNN.csv` files, relative to the scenario file.
    pub dir: Option<String>,
    /// azure2019: days replayed one after another, 24 h each (default `1`).
    pub days: Option<Vec<u32>>,
    /// csv: header of the timestamp column (default `timestamp`).
    pub timestamp: Option<String>,
    /// csv: how timestamps are written: datetime, s, ms, us or ns (default `s`).
    pub time_unit: Option<TimeUnit>,
    /// csv: header of the column naming each request's function.
    pub function_column: Option<String>,
    /// In a function's arrivals: the trace function to replay, by its name in the trace (the
    /// `function_column` value, `HashFunction` (azure2019), `func` (azure2021) or column (huawei2023)).
    pub function: Option<String>,
    /// csv: header of a column with each request's execution time.
    pub duration_column: Option<String>,
    /// csv: unit of `duration_column`: ns, us, ms, s, m or h (default `ms`).
    pub duration_unit: Option<String>,
    /// huawei2023: requests_minute or requests_second (default `requests_minute`).
    pub counts: Option<HuaweiCounts>,
    /// azure2019, huawei2023: how a count is spread over its interval: uniform, poisson or equidistant (default `uniform`).
    pub spread: Option<Spread>,
    /// `[trace]` azure2019: keep only functions with this `Trigger`, e.g. "http".
    pub trigger: Option<String>,
    /// `[trace]`: keep the N functions with the most requests.
    pub top: Option<u32>,
    /// `[trace]`: keep N functions drawn at random (seeded by the scenario file's seed).
    pub sample: Option<u32>,
    /// Multiplies the requests [1.0]; per-request formats keep each with this probability (≤ 1).
    pub rate_scale: Option<f64>,
    /// Multiplies trace time [1.0]: 2.0 replays at half speed, 0.5 at double speed.
    pub time_scale: Option<f64>,
    /// Simulated time of the trace's first instant (default `0s`).
    pub start: Option<DurationText>,
    /// Skip bad rows (counted as `trace_rows_skipped` in summary.json) instead of failing [false].
    pub lenient: Option<bool>,
    /// csv, azure2021: rows may be out of time order by up to this many rows (default `10000`).
    pub sort_window: Option<u32>,
    /// `[trace]`: settings of every trace function (runtime, memory, init, execution, ...).
    pub defaults: Option<RawTraceFunction>,
    /// `[trace]`: settings for functions whose name matches `pattern` (`*` and `?` wildcards);
    /// later entries win.
    pub overrides: Option<Vec<RawTraceFunction>>,
    /// `[trace]` azure2019, azure2021: what gets environments: `function` (each function its
    /// own, as AWS Lambda) or `app` (an app's functions share them, with the app's keep-alive,
    /// provisioned and reserved concurrency, as Azure Functions) (default `function`).
    pub unit: Option<TraceUnit>,
}

/// `[trace] unit`: the unit that is started, kept warm and scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TraceUnit {
    /// Every trace function has environments of its own (AWS Lambda).
    Function,
    /// The functions of an app share its environments (Azure Functions' function app).
    App,
}

impl RawTrace {
    /// Whether each of [`trace::OPTIONS`] is set, in that order.
    pub fn format_options_set(&self) -> [(&'static str, bool); 13] {
        let set = [
            self.path.is_some(),
            self.paths.is_some(),
            self.dir.is_some(),
            self.days.is_some(),
            self.timestamp.is_some(),
            self.time_unit.is_some(),
            self.function_column.is_some(),
            self.duration_column.is_some(),
            self.duration_unit.is_some(),
            self.counts.is_some(),
            self.spread.is_some(),
            self.trigger.is_some(),
            self.sort_window.is_some(),
        ];
        std::array::from_fn(|i| (trace::OPTIONS[i], set[i]))
    }

    /// The options its format checks, as written.
    pub fn format_options<'a>(
        &'a self,
        at: &'a str,
        base_dir: &'a std::path::Path,
    ) -> trace::Options<'a> {
        trace::Options {
            at,
            base_dir,
            path: self.path.as_deref(),
            paths: self.paths.as_deref(),
            dir: self.dir.as_deref(),
            days: self.days.as_deref(),
            timestamp: self.timestamp.as_deref(),
            time_unit: self.time_unit,
            function_column: self.function_column.as_deref(),
            duration_column: self.duration_column.as_deref(),
            duration_unit: self.duration_unit.as_deref(),
            counts: self.counts,
            spread: self.spread,
        }
    }
}

/// Settings of trace-defined functions: `defaults`, or an override with a `pattern`. Values the
/// trace provides (memory, execution times) take precedence over `defaults`, not over overrides.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTraceFunction {
    /// Overrides only: function names this applies to, e.g. "a1b2*" (`*` any text, `?` one character).
    pub pattern: Option<String>,
    /// A built-in runtime profile (`coldsim runtimes`), or "custom".
    pub runtime: Option<String>,
    /// Instruction set (default `x86_64`).
    pub arch: Option<Arch>,
    /// Deployment package (default `zip`).
    pub package: Option<Package>,
    /// Configured memory, 128..=10240 MB [from the trace when it has memory, else 128].
    pub memory_mb: Option<u32>,
    /// Execution timeout (default `3s`), at most 15m.
    pub timeout: Option<DurationText>,
    /// Concurrency set aside for each matching function; also its cap. With `unit = "app"`
    /// the app's: the functions of an app must have one value.
    pub reserved_concurrency: Option<u32>,
    /// Environments kept initialized ahead of time (default `0`). With `unit = "app"` the
    /// app's pool gets the largest its functions are given, serving any of them.
    pub provisioned_concurrency: Option<u32>,
    /// The function's own init code (default `0`).
    pub init: Option<RawDist>,
    /// Handler time where the trace has none (an override's replaces the trace's).
    pub execution: Option<RawDist>,
    /// Handler time of an environment's first request [= execution].
    pub first_execution: Option<RawDist>,
    /// Memory a request uses, in MB [never fails].
    pub memory_used: Option<RawDist>,
    /// sync or async (default `sync`).
    pub invocation: Option<Invocation>,
    /// CPU part of the execution and the memory it was measured at (default: none).
    pub cpu: Option<RawCpu>,
}

/// One process or a list of processes (their superposition).
#[derive(Debug, Clone)]
pub enum RawArrivals {
    /// A single process.
    One(RawProcess),
    /// The superposition of several.
    Many(Vec<RawProcess>),
}

impl<'de> Deserialize<'de> for RawArrivals {
    // Hand-written instead of `#[serde(untagged)]`: untagged enums replace the inner error
    // (e.g. "unknown field `rat`") with "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawArrivals;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an arrival process table such as { process = \"poisson\", rate = 10.0 }, or a list of them")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawArrivals, A::Error> {
                RawProcess::deserialize(MapAccessDeserializer::new(map)).map(RawArrivals::One)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<RawArrivals, A::Error> {
                Vec::<RawProcess>::deserialize(SeqAccessDeserializer::new(seq))
                    .map(RawArrivals::Many)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawArrivals {
    fn schema_name() -> String {
        "Arrivals".into()
    }
    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut s = schemars::schema::SchemaObject::default();
        s.subschemas().any_of = Some(vec![
            gen.subschema_for::<RawProcess>(),
            gen.subschema_for::<Vec<RawProcess>>(),
        ]);
        s.into()
    }
}

/// Provisioned concurrency: a plain number or one of the table forms.
#[derive(Debug, Clone, PartialEq)]
pub enum RawProvisioned {
    /// `provisioned_concurrency = 10`.
    Count(u32),
    /// `provisioned_concurrency = { count = 10 }`, `{ schedule = [...] }` or `{ autoscale = {...} }`.
    Table(RawProvisionedTable),
}

/// The table form of provisioned concurrency: exactly one of its keys.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProvisionedTable {
    /// A fixed number of environments.
    pub count: Option<u32>,
    /// A daily schedule: from each `at` (time of day, simulated time 0 is midnight) the count
    /// is `count`, until the next entry; the last entry of the day holds over midnight.
    pub schedule: Option<Vec<RawScheduleStep>>,
    /// Target-tracking autoscaling (Application Auto Scaling).
    pub autoscale: Option<RawAutoscale>,
}

/// `{ at = "08:00", count = 20 }`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScheduleStep {
    /// Time of day, "HH:MM" or "HH:MM:SS".
    pub at: String,
    /// Provisioned environments from then on.
    pub count: u32,
}

/// `{ min = 1, max = 50, target_utilization = 0.7 }`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscale {
    /// Fewest environments (also the count at time 0).
    pub min: u32,
    /// Most environments.
    pub max: u32,
    /// Busy provisioned / allocated that the policy tracks [0.7].
    pub target_utilization: Option<f64>,
    /// Utilization is measured over periods this long (default `1m`).
    pub period: Option<DurationText>,
    /// Scale out after utilization stayed above target this long (default `3m`).
    pub scale_out_after: Option<DurationText>,
    /// Scale in after utilization stayed below 90% of target this long (default `15m`).
    pub scale_in_after: Option<DurationText>,
    /// No evaluation counts for this long after a scaling action (default `0s`).
    pub cooldown: Option<DurationText>,
}

impl<'de> Deserialize<'de> for RawProvisioned {
    // Hand-written instead of `#[serde(untagged)]`, like `RawArrivals`: errors inside the
    // table (e.g. "unknown field `shedule`") keep their text.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::MapAccessDeserializer;
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawProvisioned;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of environments, or a table { count }, { schedule = [...] } or { autoscale = {...} }")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawProvisioned, E> {
                u32::try_from(v)
                    .map(RawProvisioned::Count)
                    .map_err(|_| E::custom(format!("{v} environments is out of range")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawProvisioned, E> {
                u64::try_from(v)
                    .map_err(|_| {
                        E::custom(format!(
                            "provisioned concurrency cannot be negative, got {v}"
                        ))
                    })
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawProvisioned, A::Error> {
                RawProvisionedTable::deserialize(MapAccessDeserializer::new(map))
                    .map(RawProvisioned::Table)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for RawProvisioned {
    fn schema_name() -> String {
        "ProvisionedConcurrency".into()
    }
    fn json_schema(gen: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        let mut s = schemars::schema::SchemaObject::default();
        s.subschemas().any_of = Some(vec![
            gen.subschema_for::<u32>(),
            gen.subschema_for::<RawProvisionedTable>(),
        ]);
        s.into()
    }
}

/// `warmers = { every = "5m", concurrency = 3, execution = "20ms" }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWarmers {
    /// Time between rounds of pings.
    pub every: DurationText,
    /// Pings sent at once in each round (environments kept warm); 0 sends none (default `1`).
    pub concurrency: Option<u32>,
    /// Handler time of a ping (default `10ms`).
    pub execution: Option<DurationText>,
    /// Time of the first round (default `0s`).
    pub start: Option<DurationText>,
}

/// `snapstart = {}` or `snapstart = { restore = <distribution> }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSnapStart {
    /// `false` turns SnapStart off (handy in sweeps) [true].
    pub enabled: Option<bool>,
    /// Restore latency, replacing init [a per-runtime default].
    pub restore: Option<RawDist>,
    /// Share of the restore that is billed as INIT, 0 to 1: AWS bills loading the runtime and
    /// the after-restore hooks, not restoring the snapshot (`Billed Restore Duration` ÷
    /// `Restore Duration` of your REPORT lines) [0.21, the median of five public Java logs].
    pub billed: Option<f64>,
}

/// `[pricing]`: US dollars; every key optional, defaulting to us-east-1 list prices.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPricing {
    /// Per million requests [0.20].
    pub requests_per_million: Option<f64>,
    /// Per GB-second of duration and INIT, x86_64 [0.0000166667].
    pub gb_second_x86_64: Option<f64>,
    /// Per GB-second of duration and INIT, arm64 [0.0000133334].
    pub gb_second_arm64: Option<f64>,
    /// Per GB-second of provisioned concurrency allocated, x86_64 [0.0000041667].
    pub provisioned_gb_second_x86_64: Option<f64>,
    /// Per GB-second of provisioned concurrency allocated, arm64 [0.0000033334].
    pub provisioned_gb_second_arm64: Option<f64>,
    /// Per GB-second executed on provisioned environments, x86_64 [0.0000097222].
    pub provisioned_execution_gb_second_x86_64: Option<f64>,
    /// Per GB-second executed on provisioned environments, arm64 [0.0000077778].
    pub provisioned_execution_gb_second_arm64: Option<f64>,
    /// SnapStart cache (Python, .NET), per GB-second of the function's memory [0.0000015046].
    pub snapstart_cache_gb_second: Option<f64>,
    /// SnapStart restore (Python, .NET), per GB restored [0.0001397998].
    pub snapstart_restore_gb: Option<f64>,
    /// Subtract the monthly free tier (1 million requests, 400,000 GB-s, not provisioned
    /// concurrency) from the projected month, `cost_usd_per_month` [false].
    pub free_tier: Option<bool>,
    /// Lambda Managed Instances' management fee, a share of the EC2 instance price [0.15].
    pub managed_instances_fee: Option<f64>,
}

/// `[report]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// Width of one row of `timeseries.csv` [1m up to a counted day; beyond, the first of 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d that gives at most 1440 rows].
    pub interval: Option<DurationText>,
}

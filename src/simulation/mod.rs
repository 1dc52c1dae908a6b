//! The model: the closed `enum Event` and its one dispatch. Start reading here.
//!
//! A request arrives: from a generated process or a replayed trace (not events: both come in
//! time order, so `run` merges them with the queue, queued events first at equal times, and
//! calls `on_arrived` / `on_trace_arrived`), or `Retried` for a throttled asynchronous one. It
//! runs on an
//! idle environment (a warm start), or on a new one after init (a cold start), or is throttled.
//! When it completes (`ExecutionCompleted`) its environment becomes idle; the keep-alive policy
//! gives a deadline, and `KeepAliveExpired` retires idle environments whose deadline passed
//! (`IdleDeadline` for policies whose deadlines come in no order; `PrewarmDue`/`PrewarmReady`
//! when the hybrid histogram policy loads an environment ahead of a request). On a
//! memory-bounded platform new environments evict idle ones, and requests that find no room
//! wait for `MemoryFreed`. Provisioned environments that a raised target cannot place for
//! lack of concurrency (on-demand requests hold it) wait for `ConcurrencyFreed`.
//! A run ([`SimInit`]) is a pure function of the scenario: no clock, no global state, and no
//! I/O but reading the traces it replays (streamed: one pending arrival per trace).
//!
//! The parts, one file each, composed by `Simulation` and driven by the one dispatch in
//! `run`: `arrivals` (generators and traces merged), `routing` (one `route` for requests and
//! pings), `idle` (idle environments and keep-alive), `provisioned` (provisioned
//! concurrency), `capacity` (memory and eviction); billing rules are in `metrics`.

mod arrivals;
mod capacity;
mod hosts;
mod idle;
mod managed;
mod provisioned;
mod routing;

use crate::engine::rng::{stream, Rng};
use crate::engine::{EventQueue, SimDuration, SimTime, Slab};
use crate::metrics::managed::{CapacityProviderSummary, ProviderInfo};
use crate::metrics::Summary;
use crate::metrics::{Class, Failure, FunctionStats, Recorder, Retirement};
use crate::platform::managed::{ManagedScaler, TargetTracking};
use crate::platform::{eviction, keep_alive, placement, PlacementPolicy, Placer};
use crate::platform::{
    Candidate, Concurrency, EnvId, EnvState, Environment, Environments, EvictionPolicy, Evictor,
    Idle, KeepAliveDecision, KeepAlivePolicy, KeepAliveState, Pool, Provisioned, ScalingDecision,
    TokenBucket, Used,
};
use crate::scenario::model::{self, Invocation, Reuse, WhenFull};
use crate::scenario::Scenario;
use crate::workload::trace::{Arrival, TraceError, TraceSource};
use crate::workload::Generator;
use arrivals::{function_source, trace_source, OpenTrace};
use capacity::Capacity;
use hosts::Hosts;
use rand::Rng as _;
use routing::{InitOf, Request};
use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};
use std::ops::ControlFlow;

/// Everything that can happen. Each variant is a fact, handled by `on_<event>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// An asynchronous request, first arrived at `arrived`, is tried again after a throttle
    /// or a function error; `request` indexes the table of waiting requests (its function,
    /// recorded execution time and error retries so far).
    Retried {
        request: u32,
        attempt: u16,
        arrived: SimTime,
    },
    /// An environment finished init (or its first attempt was cut at the init limit: the
    /// init runs again inside the invoke); `ping`: it was started by a warm-up ping sent at
    /// `arrived`.
    InitCompleted {
        env: EnvId,
        arrived: SimTime,
        ping: bool,
    },
    /// A provisioned environment finished init, off the request path, and is ready.
    ProvisionedReady { env: EnvId },
    /// A function's provisioned concurrency is due for a change: a schedule entry starts, or
    /// an autoscaling measurement period ended.
    ProvisioningDue { function: u32 },
    /// A function's warm-up pings are due.
    WarmersDue { function: u32 },
    /// A request that arrived at `arrived` finished on `env`.
    ExecutionCompleted {
        env: EnvId,
        arrived: SimTime,
        outcome: Outcome,
    },
    /// The earliest keep-alive deadline of a function's idle environments was reached.
    KeepAliveExpired { function: u32 },
    /// An environment reached its maximum lifetime while idle, or will find it so; scheduled
    /// at most once per environment (ignored if `generation` shows the slot was reused).
    LifetimeEnded { env: EnvId, generation: u32 },
    /// The keep-alive deadline of an idle environment under a non-monotone policy (one timer
    /// per idle period; ignored unless the environment is still idle with this deadline).
    IdleDeadline { env: EnvId, generation: u32 },
    /// The hybrid histogram policy's pre-warm of a function is due (ignored if a later
    /// decision replaced it: `seq` is not the function's latest).
    PrewarmDue { function: u32, seq: u32 },
    /// A pre-warmed environment finished init, off the request path.
    PrewarmReady { env: EnvId, ok: bool },
    /// Memory was freed on a memory-bounded platform: requests waiting for room try again.
    MemoryFreed,
    /// Concurrency was released: provisioned environments waiting for it are started.
    ConcurrencyFreed,
    /// The warm-up is over: the counted period starts.
    WarmupEnded,
    /// A request that arrived at `arrived` finished on managed environment `env` (Lambda
    /// Managed Instances).
    ManagedCompleted {
        env: EnvId,
        arrived: SimTime,
        outcome: Outcome,
    },
    /// A capacity provider's scaler period ended.
    ManagedScalerDue { provider: u32 },
    /// A capacity provider's launched instance is ready for environments.
    InstanceReady { provider: u32, instance: u32 },
    /// A managed environment finished starting, off the request path.
    ManagedEnvReady { env: EnvId },
    /// A capacity provider's instance reached its lifetime and is replaced.
    InstanceExpired { provider: u32, instance: u32 },
    /// A cluster host's next CPU completion or timeout is due (ignored if `generation` is
    /// not the host's latest: its executions changed since).
    CpuDue { host: u32, generation: u32 },
    /// A request finished on an environment that an app's functions share with
    /// `env_concurrency > 1`, which serves requests of several functions at once: `request`
    /// indexes the table of running requests (its environment, function and arrival).
    AppExecutionCompleted { request: u32, outcome: Outcome },
}

/// A request's execution time as a trace recorded it, or `Given::NONE`: sample the function's
/// distribution. Kept out of events (in per-environment and per-retry tables) so that events
/// stay two words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Given(u64);

impl Given {
    /// No recorded execution time.
    pub const NONE: Given = Given(u64::MAX);

    /// From a trace arrival's execution time.
    pub fn of(d: Option<SimDuration>) -> Given {
        d.map_or(Given::NONE, |d| Given(d.0.min(u64::MAX - 1)))
    }

    /// The recorded time, if any.
    #[inline]
    pub fn get(self) -> Option<SimDuration> {
        (self != Given::NONE).then_some(SimDuration(self.0))
    }
}

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// A replayed trace is unreadable or has a bad row (bad input, not a bug).
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The progress callback asked to stop (an interruption): no results.
    #[error("the run was interrupted at simulated time {at:?}")]
    Interrupted {
        /// The simulated time reached.
        at: SimTime,
    },
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// It waited for a new environment.
    pub cold: bool,
    /// Why it failed, if it did.
    pub failure: Option<Failure>,
    /// Retries after function errors before this attempt (asynchronous requests, 0–2), or
    /// `Outcome::PING` for a warm-up ping, not a request (one byte, so events stay two words).
    pub retries: u8,
}

impl Outcome {
    /// `retries` of a warm-up ping.
    pub const PING: u8 = u8::MAX;

    /// A warm-up ping, not a request.
    #[inline]
    pub fn ping(&self) -> bool {
        self.retries == Outcome::PING
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Results {
    /// The seed the run used (the scenario's unless [`SimInit::seed`] replaced it).
    pub seed: u64,
    /// Per-function totals, by function id.
    pub stats: Vec<FunctionStats>,
    /// Most environments alive at once over all functions.
    pub peak_total: u32,
    /// Events processed.
    pub events: u64,
    /// Requests that arrived, warm-up included.
    pub arrivals: u64,
    /// Requests that ended (completed, failed, rejected or dropped), warm-up included.
    pub ended: u64,
    /// Largest number of environment slots ever in use.
    pub env_slots: usize,
    /// Per-interval figures.
    pub series: crate::metrics::TimeSeries,
    /// Per function: most concurrency used at once (provisioned + in flight on-demand). The
    /// functions of an app that share environments (`[trace] unit = "app"`) share one limit:
    /// the app's first function holds their peak, the others 0.
    pub peak_concurrency: Vec<u32>,
    /// Most account concurrency used at once.
    pub peak_account_concurrency: u32,
    /// Per function: most provisioned environments alive at once (initializing, ready, and
    /// recycled ones serving until retired); at most twice the most ever allocated. An app
    /// whose functions share environments has them on its first function.
    pub peak_provisioned: Vec<u32>,
    /// Most memory held by live environments at once on a memory-bounded platform, MB (0
    /// without `platform.capacity`).
    pub peak_memory_mb: u64,
    /// Bad rows of the replayed trace files, skipped (`lenient = true`); each file counted once
    /// however many functions replay it, and whether or not the run reached the row.
    pub trace_rows_skipped: u64,
    /// Lambda Managed Instances: each capacity provider that ran instances (its functions on
    /// it), in scenario order with its index; empty without managed functions.
    pub capacity_providers: Vec<(usize, crate::metrics::managed::ProviderStats)>,
    /// The hosts' statistics on a cluster (`[cluster]`), `None` without one.
    pub hosts: Option<crate::metrics::hosts::HostRecorder>,
}

/// Assembles a run, apart from running it (in the spirit of nexosim's `SimInit`): a
/// scenario, and optionally another seed, a service salt, a keep-alive or eviction policy of
/// your own, and a progress callback. Nothing runs until [`SimInit::run`].
///
/// A run is a pure function of what it was given: no clock, no global state, and no I/O but
/// reading the traces the scenario replays.
///
/// ```
/// use coldsim::scenario::Scenario;
/// use coldsim::simulation::SimInit;
///
/// let scenario = Scenario::from_toml_str(
///     r#"
///     duration = "1h"
///     [[functions]]
///     name = "api"
///     runtime = "python3.12"
///     execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
///     arrivals = { process = "poisson", rate = 0.05 }
///     "#,
/// )?;
/// let results = SimInit::new(&scenario).seed(7).run()?;
/// let summary = results.summary(&scenario);
/// assert_eq!(summary.seed, 7);
/// assert!(summary.stats.invocations > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SimInit<'a> {
    scenario: &'a Scenario,
    seed: u64,
    service_salt: u64,
    keep_alive: Option<Box<dyn KeepAlivePolicy + 'a>>,
    eviction: Option<Box<dyn EvictionPolicy + 'a>>,
    progress: Option<Box<dyn FnMut(SimTime) -> ControlFlow<()> + 'a>>,
    managed_scaler: Option<Box<dyn ManagedScaler + 'a>>,
    placement: Option<Box<dyn PlacementPolicy + 'a>>,
}

impl<'a> SimInit<'a> {
    /// A run of `scenario` with its own seed and policies, salt 0 and no progress callback.
    pub fn new(scenario: &'a Scenario) -> Self {
        SimInit {
            scenario,
            seed: scenario.seed,
            service_salt: 0,
            keep_alive: None,
            eviction: None,
            progress: None,
            managed_scaler: None,
            placement: None,
        }
    }

    /// Runs with `scaler` choosing the environments of Lambda Managed Instances functions
    /// instead of the built-in [`TargetTracking`].
    pub fn managed_scaler(mut self, scaler: impl ManagedScaler + 'a) -> Self {
        self.managed_scaler = Some(Box::new(scaler));
        self
    }

    /// Runs with `seed` instead of the scenario's (as `coldsim run --seed` does).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Mixes `salt` into every random stream but the arrivals: runs with one seed and
    /// different salts see the same traffic and independent service times and platform
    /// choices (a sweep's points). Salt 0 (the default) leaves the streams as the seed gives.
    pub fn service_salt(mut self, salt: u64) -> Self {
        self.service_salt = salt;
        self
    }

    /// Runs with `policy` as the keep-alive policy instead of `platform.keep_alive`.
    pub fn keep_alive(mut self, policy: impl KeepAlivePolicy + 'a) -> Self {
        self.keep_alive = Some(Box::new(policy));
        self
    }

    /// Runs with `policy` as the eviction policy of a memory-bounded platform instead of
    /// `platform.eviction` (without `platform.capacity` nothing is evicted).
    pub fn eviction(mut self, policy: impl EvictionPolicy + 'a) -> Self {
        self.eviction = Some(Box::new(policy));
        self
    }

    /// Runs with `policy` as the placement policy of a cluster instead of
    /// `cluster.placement` (without `[cluster]` there is nothing to place).
    pub fn placement(mut self, policy: impl PlacementPolicy + 'a) -> Self {
        self.placement = Some(Box::new(policy));
        self
    }

    /// Calls `progress` with the simulated time every 65 536 events (for progress bars and
    /// interruptions: it cannot change the run, only stop it by returning `Break`, which
    /// ends the run with [`SimulationError::Interrupted`]).
    pub fn progress(mut self, progress: impl FnMut(SimTime) -> ControlFlow<()> + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Runs the simulation to the scenario's end. Fails only if a trace it replays cannot be
    /// read, or the progress callback stopped it.
    pub fn run(self) -> Result<Results, SimulationError> {
        let scenario = self.scenario;
        let keep_alive = match self.keep_alive {
            Some(p) => KeepAliveState::Custom(p),
            None => keep_alive::built_in(&scenario.platform.keep_alive, app_groups(scenario)),
        };
        let evictor = match self.eviction {
            Some(p) => Evictor::Custom(p),
            None => eviction::built_in(scenario.platform.eviction),
        };
        let placer = match self.placement {
            Some(p) => Some(Placer::Custom(p)),
            None => scenario
                .cluster
                .as_ref()
                .map(|c| placement::built_in(c.placement)),
        };
        let mut progress = self.progress;
        let mut callback = |t| {
            progress
                .as_mut()
                .map_or(ControlFlow::Continue(()), |p| p(t))
        };
        let scaler = self
            .managed_scaler
            .unwrap_or_else(|| Box::new(TargetTracking));
        Simulation::new(
            scenario,
            self.seed,
            self.service_salt,
            keep_alive,
            evictor,
            scaler,
        )
        .with_hosts(placer, self.service_salt)
        .run(&mut callback)
    }
}

impl Results {
    /// The summary of this run of `scenario` (the one it ran; its seed is the run's):
    /// what `summary.json` holds.
    ///
    /// ```
    /// use coldsim::scenario::Scenario;
    /// use coldsim::simulation::SimInit;
    ///
    /// let scenario = Scenario::from_toml_str(
    ///     r#"
    ///     duration = "1h"
    ///     [[functions]]
    ///     name = "api"
    ///     runtime = "nodejs20.x"
    ///     execution = { dist = "constant", value = "20ms" }
    ///     arrivals = { process = "periodic", every = "30s" }
    ///     "#,
    /// )?;
    /// let summary = SimInit::new(&scenario).seed(7).run()?.summary(&scenario);
    /// assert_eq!(summary.seed, 7);
    /// // One request every 30 s for an hour, each on the environment the last one left warm:
    /// // only the first is a cold start.
    /// assert_eq!(summary.stats.invocations, 120);
    /// assert_eq!(summary.stats.cold_starts, 1);
    /// assert_eq!(summary.functions[0].name, "api");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary(&self, scenario: &Scenario) -> Summary {
        let mut summary = Summary::new(scenario, &self.stats, self.peak_total, &scenario.pricing);
        summary.seed = self.seed;
        summary.trace_rows_skipped = self.trace_rows_skipped;
        if !self.capacity_providers.is_empty() {
            let period_s = summary.simulated_seconds;
            let fee = scenario.pricing.managed_fee;
            let providers = (self.capacity_providers.iter())
                .map(|(i, stats)| {
                    let p = &scenario.capacity_providers[*i];
                    let info = ProviderInfo {
                        name: &p.name,
                        instance_type: &p.instance_type,
                        instance_vcpus: p.instance_vcpus,
                        price_per_hour: p.price_per_hour,
                        target: p.target,
                    };
                    CapacityProviderSummary::new(&info, stats, period_s, fee)
                })
                .collect();
            summary.add_capacity_providers(providers);
        }
        if let (Some(h), Some(c)) = (&self.hosts, &scenario.cluster) {
            let groups: Vec<String> = c.groups.iter().map(|g| g.name.clone()).collect();
            let names: Vec<&str> = scenario.functions.iter().map(|f| f.name.as_str()).collect();
            summary.cluster = Some(h.summary(&groups, &names));
        }
        summary
    }
}

/// A throttled asynchronous request waiting for its retry.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    function: u32,
    execution: Given,
    /// Retries after function errors so far.
    errors: u8,
}

/// Group of each function for keep-alive policies that learn: its app's (in order of first
/// appearance), or a group of its own.
fn app_groups(scenario: &Scenario) -> Vec<u32> {
    let mut apps: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut next = 0u32;
    scenario
        .functions
        .iter()
        .map(|f| {
            let mut fresh = || {
                next += 1;
                next - 1
            };
            match &f.app {
                Some(app) => *apps.entry(app.as_str()).or_insert_with(fresh),
                None => fresh(),
            }
        })
        .collect()
}

/// The pool of each function (see `Simulation::pool_of`): the first function of its app if it
/// shares the app's environments, else itself.
fn pools(scenario: &Scenario) -> Vec<u32> {
    let mut first: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    (scenario.functions.iter().enumerate())
        .map(|(i, f)| match (&f.app, f.shares_app) {
            (Some(app), true) => *first.entry(app.as_str()).or_insert(i as u32),
            _ => i as u32,
        })
        .collect()
}

/// A running request, with `Simulation::tags_requests` (see `AppExecutionCompleted`).
#[derive(Clone, Copy, Debug)]
struct Running {
    env: EnvId,
    function: u32,
    arrived: SimTime,
}

/// The request a cold start's init is for.
#[derive(Clone, Copy, Debug)]
struct InitFor {
    execution: Given,
    errors: u8,
    /// The init runs again for this long inside the invoke (its first attempt passed the
    /// init limit); zero otherwise.
    reinit: SimDuration,
}

impl InitFor {
    const NONE: InitFor = InitFor {
        execution: Given::NONE,
        errors: 0,
        reinit: SimDuration::ZERO,
    };
}

/// The longest a request can take from its first arrival to its completion: the init limit
/// plus the longest timeout, plus the maximum event age when a function is asynchronous.
/// Unbounded when requests may wait for memory (`when_full = "wait"`): the queue of waiting
/// requests has no limit.
fn latency_bound(scenario: &Scenario) -> SimDuration {
    let p = &scenario.platform;
    // On a cluster, requests may also wait for vCPUs (`isolated`), and slowed executions
    // end at their timeout: the bound is not worth a special case.
    if (p.capacity_mb.is_some() && p.when_full == WhenFull::Wait) || scenario.cluster.is_some() {
        return SimDuration::MAX;
    }
    let timeout = scenario
        .functions
        .iter()
        .map(|f| f.timeout)
        .max()
        .unwrap_or_default();
    let retrying = scenario
        .functions
        .iter()
        .any(|f| f.invocation == Invocation::Async);
    let age = if retrying {
        p.max_event_age + p.retry.max
    } else {
        SimDuration::ZERO
    };
    p.init_limit + timeout + age
}

/// Random stream purposes.
const ARRIVALS: u64 = 1;
const SERVICE: u64 = 2;
const PLATFORM: u64 = 3;

/// The seed of the non-arrival streams: the run's seed itself without a salt.
fn service_seed(seed: u64, service_salt: u64) -> u64 {
    if service_salt == 0 {
        seed
    } else {
        crate::engine::rng::mix(seed ^ service_salt)
    }
}

struct FunctionState {
    /// On-demand idle environments.
    pool: Pool,
    /// Provisioned idle environments (most recent last).
    provisioned_idle: Vec<EnvId>,
    /// The function has provisioned concurrency (at some time).
    provisioned: bool,
    /// With `env_concurrency > 1`: the on-demand (`[0]`) and provisioned (`[1]`) environments
    /// that have requests (running, or waiting for their init) and room for more, as
    /// (requests, slot): the first is the least loaded.
    partial: [BTreeSet<(u32, u32)>; 2],
    bucket: TokenBucket,
    /// A `KeepAliveExpired` event is pending.
    check_pending: bool,
    /// Pre-warms (hybrid histogram): the latest decision (`PrewarmDue` events of an older one
    /// are stale) and when its pre-warmed environments are retired. Under an app-level policy
    /// every environment the app had loaded gets one pre-warm of the same decision; a request
    /// of the app starting to run makes the pending ones stale.
    prewarm_seq: u32,
    prewarm_until: SimTime,
    /// Requests so far (eviction by frequency and Greedy-Dual; counted only on a
    /// memory-bounded platform).
    frequency: u64,
    arrivals: Generator,
    /// The pending time of `arrivals` is a wake-up of its generator, not an arrival.
    arrival_is_wake: bool,
    rng_arrivals: Rng,
    rng_service: Rng,
    /// Pre-warmed environments (hybrid histogram) still initializing that no request has
    /// claimed, oldest first: a request that finds no idle environment takes one of them
    /// instead of starting another (`Simulation::claim_prewarm`).
    prewarming: Vec<EnvId>,
    /// Its requests take `route`'s plain path: none of the features that route, start or end
    /// a request differently applies (`Simulation::takes_plain_path`).
    plain: bool,
}

struct Simulation<'a> {
    scenario: &'a Scenario,
    queue: EventQueue<Event>,
    now: SimTime,
    end: SimTime,
    envs: Environments,
    fns: Vec<FunctionState>,
    concurrency: Concurrency,
    keep_alive: KeepAliveState<'a>,
    /// The eviction policy of a memory-bounded platform.
    evictor: Evictor<'a>,
    /// The run's seed (arrival streams and traces).
    seed: u64,
    /// The policy is monotone: idle expiry is checked lazily per function (`KeepAliveExpired`)
    /// instead of per environment (`IdleDeadline`).
    lazy_expiry: bool,
    /// The policy learns from requests starting and ending.
    tracks_requests: bool,
    /// Memory: capacity, use and requests waiting for room.
    capacity: Capacity,
    /// Functions whose provisioned target is above what concurrency allows now (a scheduled
    /// or autoscaled rise while on-demand requests hold the units), and whether a
    /// `ConcurrencyFreed` event is pending.
    provisioning_starved: Vec<u32>,
    concurrency_freed_pending: bool,
    recorder: Recorder,
    rng_platform: Rng,
    env_concurrency: u32,
    events: u64,
    arrivals: u64,
    ended: u64,
    traces: Vec<OpenTrace>,
    /// The next arrival of every arrival process and trace, earliest first (ties: functions by
    /// index, then traces by index); keys from `function_source` and `trace_source`.
    arrival_order: BinaryHeap<Reverse<(SimTime, u32)>>,
    /// Requests waiting for a retry, indexed by `Retried::request`; `free_waiting` lists free slots.
    waiting: Vec<Waiting>,
    free_waiting: Vec<u32>,
    /// Per environment slot: the request its init is for (recorded execution time, error
    /// retries, and the init to run again inside the invoke when the first was cut).
    init_for: Vec<InitFor>,
    /// Account requests-per-second limit: the end of the current whole second, and the
    /// invocations counted in it.
    rate_second_ends: SimTime,
    rate_count: u64,
    /// Per function: provisioned concurrency counts and levels (kept out of `FunctionState`,
    /// which the hot path touches on every request).
    prov: Vec<Provisioned>,
    /// With `env_concurrency > 1`, per environment slot: the requests that joined it while it
    /// initializes, started when its init completes (buffers kept for reuse).
    joined: Vec<Vec<Request>>,
    /// Per function: the pool its requests draw environments from, as the index of the
    /// `FunctionState` that holds the pool's idle environments, keep-alive timers, pre-warms,
    /// scaling bucket and eviction frequency. The function itself, unless it shares its app's
    /// environments (`[trace] unit = "app"`): then its app's first function.
    pool_of: Vec<u32>,
    /// The keep-alive policy treats an app as one unit (`KeepAlivePolicy::app_level`).
    app_level: bool,
    /// Per function: its app group (as the keep-alive policy pools idle times); per group:
    /// requests running now and the distinct pools of its functions (app-level policies).
    group_of: Vec<u32>,
    group_running: Vec<u32>,
    group_pools: Vec<Vec<u32>>,
    /// The hosts of a cluster (`[cluster]`): memory per host, placement, CPU.
    hosts: Option<Hosts<'a>>,
    /// Lambda Managed Instances: capacity providers and managed functions (`None` without).
    managed: Option<Box<managed::ManagedState<'a>>>,
    /// With `env_concurrency > 1` and environments shared by an app's functions, requests end
    /// through `AppExecutionCompleted`: `running` holds each running request's environment,
    /// function and arrival, so the request's function is known when it ends. Off otherwise:
    /// `ExecutionCompleted` and `Environment::serving` suffice.
    tags_requests: bool,
    running: Slab<Running>,
}

impl<'a> Simulation<'a> {
    fn new(
        scenario: &'a Scenario,
        seed: u64,
        service_salt: u64,
        keep_alive: KeepAliveState<'a>,
        evictor: Evictor<'a>,
        scaler: Box<dyn ManagedScaler + 'a>,
    ) -> Self {
        let service_seed = service_seed(seed, service_salt);
        let p = &scenario.platform;
        let keep_alive_app_level = keep_alive.app_level();
        let fns = scenario
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut rng_arrivals = stream(seed, ARRIVALS, i as u64);
                FunctionState {
                    pool: Pool::default(),
                    provisioned_idle: Vec::new(),
                    provisioned: !f.provisioned.is_none(),
                    partial: Default::default(),
                    bucket: TokenBucket::new(p.scaling.capacity, p.scaling.per),
                    check_pending: false,
                    prewarm_seq: 0,
                    prewarm_until: SimTime::NEVER,
                    frequency: 0,
                    arrivals: f.arrivals.generator(&mut rng_arrivals),
                    arrival_is_wake: false,
                    rng_arrivals,
                    rng_service: stream(service_seed, SERVICE, i as u64),
                    prewarming: Vec::new(),
                    plain: false,
                }
            })
            .collect();
        let pool_of = pools(scenario);
        // Concurrency is counted per pool: an app's functions that share environments share
        // its first function's limit (validation keeps their reservation there).
        let reserved: Vec<Option<u32>> = (scenario.functions.iter().enumerate())
            .map(|(i, f)| f.reserved_concurrency.filter(|_| pool_of[i] as usize == i))
            .collect();
        let tags_requests =
            p.env_concurrency > 1 && pool_of.iter().enumerate().any(|(i, &q)| q as usize != i);
        let group_of = app_groups(scenario);
        let groups = group_of.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
        let mut group_pools: Vec<Vec<u32>> = vec![Vec::new(); groups];
        for (f, &g) in group_of.iter().enumerate() {
            let pools = &mut group_pools[g as usize];
            if !pools.contains(&pool_of[f]) {
                pools.push(pool_of[f]);
            }
        }
        let mut sim = Simulation {
            scenario,
            queue: EventQueue::new(),
            now: SimTime::ZERO,
            end: SimTime::ZERO + scenario.duration,
            envs: Environments::default(),
            fns,
            concurrency: Concurrency::new(p.account_concurrency, &reserved),
            lazy_expiry: keep_alive.monotone(),
            tracks_requests: keep_alive.tracks_requests(),
            keep_alive,
            evictor,
            seed,
            capacity: Capacity::new(p.capacity_mb, scenario.cluster.is_some()),
            provisioning_starved: Vec::new(),
            concurrency_freed_pending: false,
            recorder: Recorder::new(
                scenario.functions.len(),
                SimTime::ZERO + scenario.warmup,
                SimTime::ZERO + scenario.duration,
                scenario.report_interval,
                latency_bound(scenario),
            ),
            rng_platform: stream(service_seed, PLATFORM, 0),
            env_concurrency: p.env_concurrency,
            events: 0,
            arrivals: 0,
            ended: 0,
            traces: Vec::new(),
            arrival_order: BinaryHeap::new(),
            waiting: Vec::new(),
            free_waiting: Vec::new(),
            init_for: Vec::new(),
            rate_second_ends: SimTime::ZERO,
            rate_count: 0,
            prov: vec![Provisioned::default(); scenario.functions.len()],
            joined: Vec::new(),
            pool_of,
            app_level: keep_alive_app_level,
            group_of,
            group_running: vec![0; groups],
            group_pools,
            hosts: None,
            managed: managed::ManagedState::new(scenario, scaler),
            tags_requests,
            running: Slab::default(),
        };
        for f in 0..sim.fns.len() {
            sim.fns[f].plain = sim.takes_plain_path(f);
        }
        sim
    }

    /// The pool (its `FunctionState` index) that function `f`'s requests draw from.
    #[inline]
    pub(super) fn pool(&self, f: usize) -> usize {
        self.pool_of[f] as usize
    }

    /// The hosts of the scenario's cluster, with `placer` as its placement policy (nothing
    /// without `[cluster]`).
    fn with_hosts(mut self, placer: Option<Placer<'a>>, service_salt: u64) -> Self {
        if let (Some(c), Some(placer)) = (&self.scenario.cluster, placer) {
            let seed = service_seed(self.seed, service_salt);
            self.hosts = Some(Hosts::new(self.scenario, c, placer, seed));
        }
        self
    }

    fn run(
        mut self,
        progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
    ) -> Result<Results, SimulationError> {
        for (i, spec) in self.scenario.traces.iter().enumerate() {
            let mut source = spec.open(self.seed, i)?;
            let pending = source.next()?.filter(|a| a.at < self.end);
            if let Some(a) = pending {
                self.arrival_order.push(Reverse((a.at, trace_source(i))));
            }
            self.traces.push(OpenTrace { source, pending });
        }
        for (f, func) in self.scenario.functions.iter().enumerate() {
            // Provisioned environments are initialized before the run starts.
            let initial = func.provisioned.initial();
            self.prov[f].target = initial;
            for _ in 0..initial {
                // On a cluster each needs a host; those that fit nowhere start when memory
                // is freed.
                if self.hosts.is_some() && !self.make_room(f) {
                    self.provisioning_blocked(f);
                    break;
                }
                let env = self.create(f, true, EnvState::Idle, SimTime::ZERO, SimTime::ZERO);
                self.memory_taken(f);
                self.concurrency.acquire(f);
                let p = &mut self.prov[f];
                p.ready += 1;
                p.peak_live = p.peak_live.max(p.live());
                self.provisioned_lifetime(env);
                self.fns[f].provisioned_idle.push(env);
            }
            if let Some(at) = self.next_provisioning(f) {
                self.queue
                    .push(at, Event::ProvisioningDue { function: f as u32 });
            }
            if let Some(w) = func.warmers {
                let at = SimTime::ZERO + w.start;
                if at < self.end {
                    self.queue
                        .push(at, Event::WarmersDue { function: f as u32 });
                }
            }
            let fs = &mut self.fns[f];
            let first = fs.arrivals.next(&mut fs.rng_arrivals);
            fs.arrival_is_wake = fs.arrivals.woke();
            if first < self.end {
                self.arrival_order
                    .push(Reverse((first, function_source(f))));
            }
        }
        self.managed_publish();
        if self.scenario.warmup > SimDuration::ZERO {
            self.queue
                .push(SimTime::ZERO + self.scenario.warmup, Event::WarmupEnded);
        } else {
            self.recorder.period_started();
        }

        loop {
            // Arrivals come in time order per process and per trace, so they are merged with the
            // queue rather than pushed through it (half the heap traffic); at equal times, queued
            // events go first, so a request arriving as an environment frees up finds it idle.
            let (t, event) = match (self.queue.peek_time(), self.arrival_order.peek()) {
                // The arrival stays on top of `arrival_order` until its handler has its
                // source's next one (`reschedule_arrival`). Handled here rather than through
                // the `match` below: its indirect jump then sees mostly completions.
                (q, Some(&Reverse((at, source)))) if q.map_or(true, |q| at < q) => {
                    self.advance(at, progress)?;
                    if source & 1 == 0 {
                        self.on_arrived((source >> 1) as usize);
                    } else {
                        self.on_trace_arrived((source >> 1) as usize)?;
                    }
                    continue;
                }
                (Some(_), _) => self.queue.pop().expect("the queue has a head"),
                (None, _) => break,
            };
            self.advance(t, progress)?;
            match event {
                Event::Retried {
                    request,
                    attempt,
                    arrived,
                } => self.on_retried(request, attempt, arrived),
                Event::InitCompleted { env, arrived, ping } => {
                    self.on_init_completed(env, arrived, ping)
                }
                Event::ProvisionedReady { env } => self.on_provisioned_ready(env),
                Event::ProvisioningDue { function } => self.on_provisioning_due(function as usize),
                Event::WarmersDue { function } => self.on_warmers_due(function as usize),
                Event::ExecutionCompleted {
                    env,
                    arrived,
                    outcome,
                } => self.on_execution_completed(env, arrived, outcome),
                Event::KeepAliveExpired { function } => {
                    self.on_keep_alive_expired(function as usize)
                }
                Event::LifetimeEnded { env, generation } => self.on_lifetime_ended(env, generation),
                Event::IdleDeadline { env, generation } => self.on_idle_deadline(env, generation),
                Event::PrewarmDue { function, seq } => self.on_prewarm_due(function as usize, seq),
                Event::PrewarmReady { env, ok } => self.on_prewarm_ready(env, ok),
                Event::MemoryFreed => self.on_memory_freed(),
                Event::ConcurrencyFreed => self.on_concurrency_freed(),
                Event::WarmupEnded => self.recorder.period_started(),
                Event::ManagedCompleted {
                    env,
                    arrived,
                    outcome,
                } => self.on_managed_completed(env, arrived, outcome),
                Event::ManagedScalerDue { provider } => {
                    self.on_managed_scaler_due(provider as usize)
                }
                Event::InstanceReady { provider, instance } => {
                    self.on_instance_ready(provider as usize, instance)
                }
                Event::ManagedEnvReady { env } => self.on_managed_env_ready(env),
                Event::InstanceExpired { provider, instance } => {
                    self.on_instance_expired(provider as usize, instance)
                }
                Event::CpuDue { host, generation } => self.on_cpu_due(host, generation),
                Event::AppExecutionCompleted { request, outcome } => {
                    self.on_app_execution_completed(request, outcome)
                }
            }
        }

        // Requests still waiting for memory never got any: they end as dropped.
        while let Some(p) = self.capacity.parked.pop_front() {
            self.recorder
                .capacity_dropped(p.function as usize, p.arrived);
            self.ended += 1;
        }
        // Only provisioned environments (and idle ones under `forever`) outlive the queue;
        // they stop being counted at the end.
        let end = self.end;
        let live: Vec<(usize, Class)> = self
            .envs
            .live()
            .map(|(_, e)| (e.function as usize, e.class()))
            .collect();
        for (f, class) in live {
            self.recorder.left(f, class, end);
        }
        for (f, func) in self.scenario.functions.iter().enumerate() {
            let p = &self.prov[f];
            let (busy, target) = (p.busy, p.target);
            let (busy_since, target_since) = (p.busy_since, p.target_since);
            self.recorder
                .provisioned_level(f, true, busy, busy_since, end.max(busy_since));
            self.recorder
                .provisioned_level(f, false, target, target_since, end.max(target_since));
            self.recorder
                .snapstart_billing(f, func.snapstart.is_some(), &func.runtime, end);
        }
        let mut files = std::collections::HashSet::new();
        let trace_rows_skipped = (self.scenario.traces.iter())
            .filter(|t| files.insert(t.files()))
            .map(|t| t.rows_skipped)
            .sum();
        let capacity_providers = self.managed_finish();
        self.recorder.finish();
        if let Some(h) = &mut self.hosts {
            h.recorder.finish();
        }
        Ok(Results {
            seed: self.seed,
            peak_memory_mb: self
                .hosts
                .as_ref()
                .map_or(self.capacity.peak_mb, |h| h.peak_mb),
            hosts: self.hosts.map(|h| h.recorder),
            trace_rows_skipped,
            capacity_providers,
            peak_total: self.recorder.peak_total(),
            series: self.recorder.series,
            peak_concurrency: self.concurrency.peaks().to_vec(),
            peak_account_concurrency: self.concurrency.peak_total(),
            peak_provisioned: self.prov.iter().map(|p| p.peak_live).collect(),
            stats: self.recorder.functions,
            events: self.events,
            arrivals: self.arrivals,
            ended: self.ended,
            env_slots: self.envs.capacity(),
        })
    }

    /// Moves simulated time to `t`, the next event's, and counts the event; every 65 536
    /// events the progress callback may interrupt the run.
    #[inline(always)]
    fn advance(
        &mut self,
        t: SimTime,
        progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
    ) -> Result<(), SimulationError> {
        // A real assert: cheap, and the property tests run in release builds.
        assert!(
            t >= self.now,
            "simulated time went back from {:?} to {:?}",
            self.now,
            t
        );
        self.now = t;
        self.events += 1;
        if self.events & 0xFFFF == 0 && progress(t).is_break() {
            return Err(SimulationError::Interrupted { at: t });
        }
        Ok(())
    }

    /// A new environment of `f`, created at `t`, counted in `created` if `counted_at` is in
    /// the counted period (a cold start's request arrival, else `t`).
    fn create(
        &mut self,
        f: usize,
        provisioned: bool,
        state: EnvState,
        t: SimTime,
        counted_at: SimTime,
    ) -> EnvId {
        let env = self.envs.create(f as u32, provisioned, state, t);
        self.recorder
            .created(f, self.envs[env].class(), t, counted_at);
        if let Some(h) = &mut self.hosts {
            h.placed(env, t);
        }
        env
    }

    /// Moves `env` to `state` now.
    #[inline(always)]
    fn set_state(&mut self, env: EnvId, state: EnvState) {
        let e = &mut self.envs[env];
        let (f, from) = (e.function as usize, e.class());
        e.state = state;
        let to = e.class();
        self.recorder.transition(f, from, to, self.now);
    }

    fn retire(&mut self, env: EnvId, at: SimTime, reason: Retirement) {
        let e = &mut self.envs[env];
        let (f, class) = (e.function as usize, e.class());
        e.state = EnvState::Retired;
        self.recorder.retired(f, class, at, reason);
        self.envs.release(env);
        let memory_mb = self.scenario.functions[f].memory_mb;
        let freed = match &mut self.hosts {
            Some(h) => {
                h.give_back(env, memory_mb, at);
                true
            }
            None => self.capacity.give_back(memory_mb),
        };
        if freed {
            self.memory_freed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        // The queue moves events around on every push and pop; keep them at two words.
        assert!(std::mem::size_of::<super::Event>() <= 16);
    }

    /// Which functions of scenario `text` take the plain path.
    fn plain(text: &str) -> Vec<bool> {
        let s = Scenario::from_toml_str(text).expect("a valid scenario");
        let keep_alive = keep_alive::built_in(&s.platform.keep_alive, app_groups(&s));
        let evictor = eviction::built_in(s.platform.eviction);
        let sim = Simulation::new(&s, 1, 0, keep_alive, evictor, Box::new(TargetTracking));
        sim.fns.iter().map(|f| f.plain).collect()
    }

    #[test]
    fn the_plain_path_is_taken_only_where_nothing_else_applies() {
        let two = |platform: &str, second: &str| {
            format!(
                r#"
                duration = "1h"
                [platform]
                {platform}
                [[functions]]
                name = "a"
                runtime = "custom"
                execution = {{ dist = "constant", value = "20ms" }}
                arrivals = {{ process = "poisson", rate = 1.0 }}
                [[functions]]
                name = "b"
                runtime = "custom"
                execution = {{ dist = "constant", value = "20ms" }}
                arrivals = {{ process = "poisson", rate = 1.0 }}
                {second}
                "#
            )
        };
        // Throttles, timeouts, async retries and reserved concurrency keep it plain.
        let plain_extras = "invocation = \"async\"\nreserved_concurrency = 3\ntimeout = \"1s\"";
        assert_eq!(plain(&two("", plain_extras)), [true, true]);
        for second in [
            "provisioned_concurrency = 1",
            "first_execution = { dist = \"constant\", value = \"1s\" }",
            "memory_used = { dist = \"uniform\", min = 10, max = 20 }",
        ] {
            assert_eq!(plain(&two("", second)), [true, false], "{second}");
        }
        for platform in [
            "env_concurrency = 2",
            "reuse = \"lru\"",
            "capacity = { memory_gb = 4 }",
            "keep_alive = { policy = \"random\", idle = { dist = \"exponential\", mean = \"1m\" } }",
            "keep_alive = { policy = \"hybrid_histogram\" }",
        ] {
            assert_eq!(plain(&two(platform, "")), [false, false], "{platform}");
        }
    }
}

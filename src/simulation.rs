//! The model: the closed `enum Event` and its one dispatch. Start reading here.
//!
//! A request arrives (`Arrived` from a generated process, `TraceArrived` from a replayed trace,
//! or `Retried` for a throttled asynchronous one). It runs on an
//! idle environment (a warm start), or on a new one after init (a cold start), or is throttled.
//! When it completes (`ExecutionCompleted`) its environment becomes idle; the keep-alive policy
//! gives a deadline, and `KeepAliveExpired` retires idle environments whose deadline passed
//! (`IdleDeadline` for policies whose deadlines come in no order; `PrewarmDue`/`PrewarmReady`
//! when the hybrid histogram policy loads an environment ahead of a request). On a
//! memory-bounded platform new environments evict idle ones, and requests that find no room
//! wait for `MemoryFreed`. Provisioned environments that a raised target cannot place for
//! lack of concurrency (on-demand requests hold it) wait for `ConcurrencyFreed`.
//! `simulate` is a pure function of the scenario: no clock, no global state, and no I/O but
//! reading the traces it replays (streamed: one pending arrival per trace).

use crate::engine::rng::{stream, Rng};
use crate::engine::{EventQueue, SimDuration, SimTime};
use crate::metrics::{Class, Failure, FunctionStats, Recorder, Retirement};
use crate::platform::{
    Candidate, Concurrency, EnvId, EnvState, Environments, EvictionPolicy, GreedyDual, Idle,
    KeepAliveDecision, KeepAlivePolicy, KeepAliveState, Pool, Provisioned, ScalingDecision,
    TokenBucket,
};
use crate::scenario::model::{self, Invocation, Reuse, WhenFull};
use crate::scenario::Scenario;
use crate::workload::trace::{Arrival, TraceError, TraceSource};
use crate::workload::Generator;
use rand::Rng as _;
use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::{BinaryHeap, VecDeque};
use std::ops::ControlFlow;

/// Everything that can happen. Each variant is a fact, handled by `on_<event>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next request of a function's arrival process arrived.
    Arrived { function: u32 },
    /// The pending request of trace `source` (`Scenario::traces`) arrived. Not queued: traces
    /// yield arrivals in time order, so the run merges them with the queue (queued events first
    /// at equal times).
    TraceArrived { source: u32 },
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
}

/// A request's execution time as a trace recorded it, or `Given::NONE`: sample the function's
/// distribution. Kept out of events (in per-environment and per-retry tables) so that events
/// stay two words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Given(u64);

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
pub struct Outcome {
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
    /// Per function: most concurrency used at once (provisioned + in flight on-demand).
    pub peak_concurrency: Vec<u32>,
    /// Most account concurrency used at once.
    pub peak_account_concurrency: u32,
    /// Per function: most provisioned environments alive at once (initializing, ready, and
    /// recycled ones serving until retired); at most twice the most ever allocated.
    pub peak_provisioned: Vec<u32>,
    /// Most memory held by live environments at once on a memory-bounded platform, MB (0
    /// without `platform.capacity`).
    pub peak_memory_mb: u64,
    /// Bad rows of the replayed trace files, skipped (`lenient = true`); each file counted once
    /// however many functions replay it, and whether or not the run reached the row.
    pub trace_rows_skipped: u64,
}

/// Runs `scenario` with its seed. Fails only if a trace it replays cannot be read.
pub fn simulate(scenario: &Scenario) -> Result<Results, SimulationError> {
    simulate_salted(scenario, 0)
}

/// Runs `scenario`, calling `progress` with the simulated time every 65 536 events (for
/// progress bars and interruptions: it cannot change the run, only stop it by returning
/// `Break`, which ends the run with [`SimulationError::Interrupted`]).
pub fn simulate_with_progress(
    scenario: &Scenario,
    progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
) -> Result<Results, SimulationError> {
    simulate_salted_with_progress(scenario, 0, progress)
}

/// Runs `scenario` with `service_salt` mixed into every random stream but the arrivals:
/// runs with one seed and different salts see the same traffic and independent service times
/// and platform choices (a sweep's points). Salt 0 is exactly [`simulate`].
pub fn simulate_salted(scenario: &Scenario, service_salt: u64) -> Result<Results, SimulationError> {
    simulate_salted_with_progress(scenario, service_salt, &mut |_| ControlFlow::Continue(()))
}

/// [`simulate_salted`] with a progress callback that may stop the run, as
/// [`simulate_with_progress`] takes.
pub fn simulate_salted_with_progress(
    scenario: &Scenario,
    service_salt: u64,
    progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
) -> Result<Results, SimulationError> {
    Simulation::new(scenario, service_salt).run(progress)
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

/// A request waiting for memory on a full platform.
#[derive(Clone, Copy, Debug)]
struct Parked {
    function: u32,
    attempt: u16,
    errors: u8,
    arrived: SimTime,
    execution: Given,
}

/// An open trace and its next arrival (at most one pending `TraceArrived` per trace).
struct OpenTrace {
    source: Box<dyn TraceSource>,
    pending: Option<Arrival>,
}

/// The longest a request can take from its first arrival to its completion: the init limit
/// plus the longest timeout, plus the maximum event age when a function is asynchronous.
/// Unbounded when requests may wait for memory (`when_full = "wait"`): the queue of waiting
/// requests has no limit.
fn latency_bound(scenario: &Scenario) -> SimDuration {
    let p = &scenario.platform;
    if p.capacity_mb.is_some() && p.when_full == WhenFull::Wait {
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

/// Key of function `f`'s arrival process in the arrival order (even: generated processes).
#[inline]
fn function_source(f: usize) -> u32 {
    (f as u32) << 1
}

/// Key of trace `k` in the arrival order (odd: traces).
#[inline]
fn trace_source(k: usize) -> u32 {
    ((k as u32) << 1) | 1
}

/// Random stream purposes.
const ARRIVALS: u64 = 1;
const SERVICE: u64 = 2;
const PLATFORM: u64 = 3;

struct FunctionState {
    /// On-demand idle environments.
    pool: Pool,
    /// Provisioned idle environments (most recent last).
    provisioned_idle: Vec<EnvId>,
    /// The function has provisioned concurrency (at some time).
    provisioned: bool,
    /// With `env_concurrency > 1`: environments serving requests with a free slot.
    partial: Vec<EnvId>,
    bucket: TokenBucket,
    /// A `KeepAliveExpired` event is pending.
    check_pending: bool,
    /// Hybrid histogram: the latest pre-warm decision (older `PrewarmDue` events are stale)
    /// and when its pre-warmed environment is retired.
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
}

struct Simulation<'a> {
    scenario: &'a Scenario,
    queue: EventQueue<Event>,
    now: SimTime,
    end: SimTime,
    envs: Environments,
    fns: Vec<FunctionState>,
    concurrency: Concurrency,
    keep_alive: KeepAliveState,
    /// The policy is monotone: idle expiry is checked lazily per function (`KeepAliveExpired`)
    /// instead of per environment (`IdleDeadline`).
    lazy_expiry: bool,
    /// The policy learns from requests starting and ending.
    tracks_requests: bool,
    /// Memory-bounded platform: capacity and use, MB.
    capacity_mb: Option<u64>,
    memory_used_mb: u64,
    peak_memory_mb: u64,
    greedy_dual: GreedyDual,
    /// Requests waiting for memory (first come, first served), and whether a `MemoryFreed`
    /// event is pending.
    parked: VecDeque<Parked>,
    memory_freed_pending: bool,
    /// Functions whose provisioned environments did not fit (memory-bounded platform).
    provisioning_blocked: Vec<u32>,
    /// Functions whose provisioned target is above what concurrency allows now (a scheduled
    /// or autoscaled rise while on-demand requests hold the units), and whether a
    /// `ConcurrencyFreed` event is pending.
    provisioning_starved: Vec<u32>,
    concurrency_freed_pending: bool,
    /// Set while waiting requests are tried again: a request that still does not fit goes
    /// back to the front and stops the round.
    retrying_parked: bool,
    parked_again: bool,
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
    /// Account requests-per-second limit: the current whole second and the invocations
    /// counted in it.
    rate_second: u64,
    rate_count: u64,
    /// Per function: provisioned concurrency counts and levels (kept out of `FunctionState`,
    /// which the hot path touches on every request).
    prov: Vec<Provisioned>,
}

impl<'a> Simulation<'a> {
    fn new(scenario: &'a Scenario, service_salt: u64) -> Self {
        let seed = scenario.seed;
        // The seed of the non-arrival streams: the run's seed itself without a salt.
        let service_seed = if service_salt == 0 {
            seed
        } else {
            crate::engine::rng::mix(seed ^ service_salt)
        };
        let p = &scenario.platform;
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
                    partial: Vec::new(),
                    bucket: TokenBucket::new(p.scaling.capacity, p.scaling.per),
                    check_pending: false,
                    prewarm_seq: 0,
                    prewarm_until: SimTime::NEVER,
                    frequency: 0,
                    arrivals: f.arrivals.generator(&mut rng_arrivals),
                    arrival_is_wake: false,
                    rng_arrivals,
                    rng_service: stream(service_seed, SERVICE, i as u64),
                }
            })
            .collect();
        let reserved: Vec<Option<u32>> = scenario
            .functions
            .iter()
            .map(|f| f.reserved_concurrency)
            .collect();
        Simulation {
            scenario,
            queue: EventQueue::new(),
            now: SimTime::ZERO,
            end: SimTime::ZERO + scenario.duration,
            envs: Environments::default(),
            fns,
            concurrency: Concurrency::new(p.account_concurrency, &reserved),
            keep_alive: KeepAliveState::new(p.keep_alive.clone(), app_groups(scenario)),
            lazy_expiry: matches!(p.keep_alive, crate::scenario::KeepAlive::Fixed { .. }),
            tracks_requests: matches!(p.keep_alive, crate::scenario::KeepAlive::HybridHistogram(_)),
            capacity_mb: p.capacity_mb,
            memory_used_mb: 0,
            peak_memory_mb: 0,
            greedy_dual: GreedyDual::default(),
            parked: VecDeque::new(),
            memory_freed_pending: false,
            provisioning_blocked: Vec::new(),
            provisioning_starved: Vec::new(),
            concurrency_freed_pending: false,
            retrying_parked: false,
            parked_again: false,
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
            rate_second: 0,
            rate_count: 0,
            prov: vec![Provisioned::default(); scenario.functions.len()],
        }
    }

    fn run(
        mut self,
        progress: &mut dyn FnMut(SimTime) -> ControlFlow<()>,
    ) -> Result<Results, SimulationError> {
        for (i, spec) in self.scenario.traces.iter().enumerate() {
            let mut source = spec.open(self.scenario.seed, i)?;
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
                let env = self.create(f, true, EnvState::Idle, SimTime::ZERO, SimTime::ZERO);
                if self.capacity_mb.is_some() {
                    self.memory_taken(func.memory_mb);
                }
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
                // source's next one (`reschedule_arrival`).
                (q, Some(&Reverse((at, source)))) if q.map_or(true, |q| at < q) => {
                    let event = if source & 1 == 0 {
                        Event::Arrived {
                            function: source >> 1,
                        }
                    } else {
                        Event::TraceArrived {
                            source: source >> 1,
                        }
                    };
                    (at, event)
                }
                (Some(_), _) => self.queue.pop().expect("the queue has a head"),
                (None, _) => break,
            };
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
            match event {
                Event::Arrived { function } => self.on_arrived(function as usize),
                Event::TraceArrived { source } => self.on_trace_arrived(source as usize)?,
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
            }
        }

        // Requests still waiting for memory never got any: they end as dropped.
        while let Some(p) = self.parked.pop_front() {
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
        let counted = end.since(self.recorder.from).0 as u128;
        for (f, func) in self.scenario.functions.iter().enumerate() {
            let p = &self.prov[f];
            let (busy, target) = (p.busy, p.target);
            let (busy_since, target_since) = (p.busy_since, p.target_since);
            self.recorder
                .provisioned_level(f, true, busy, busy_since, end.max(busy_since));
            self.recorder
                .provisioned_level(f, false, target, target_since, end.max(target_since));
            // SnapStart's cache and restores are charged for Python and .NET, not Java.
            let s = &mut self.recorder.functions[f];
            if func.snapstart.is_some() && !func.runtime.starts_with("java") {
                s.snapstart_cache_ns = counted;
            } else {
                s.restores = 0;
            }
        }
        let mut files = std::collections::HashSet::new();
        let trace_rows_skipped = (self.scenario.traces.iter())
            .filter(|t| files.insert(t.files()))
            .map(|t| t.rows_skipped)
            .sum();
        self.recorder.finish();
        Ok(Results {
            peak_memory_mb: self.peak_memory_mb,
            trace_rows_skipped,
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

    fn on_arrived(&mut self, f: usize) {
        let fs = &mut self.fns[f];
        let wake = fs.arrival_is_wake;
        let next = fs.arrivals.next(&mut fs.rng_arrivals);
        fs.arrival_is_wake = fs.arrivals.woke();
        self.reschedule_arrival(next);
        if wake {
            // A generator's pause (nanosecond bursty phases): no request, but an event, so
            // the progress callback and its stop flag are reached.
            return;
        }
        self.arrivals += 1;
        self.recorder.arrived(f, self.now);
        self.invoke(f, self.now, 0, 0, Given::NONE);
    }

    /// The source on top of `arrival_order`, whose arrival is being handled, has its next
    /// one at `next` (dropped if not before the end). Replacing the top in place costs one
    /// sift instead of a pop and a push.
    #[inline]
    fn reschedule_arrival(&mut self, next: SimTime) {
        let mut top = (self.arrival_order.peek_mut()).expect("the arrival being handled is on top");
        if next < self.end {
            top.0 .0 = next;
        } else {
            PeekMut::pop(top);
        }
    }

    /// Replays trace `k`'s pending request and schedules its next one.
    fn on_trace_arrived(&mut self, k: usize) -> Result<(), SimulationError> {
        let t = &mut self.traces[k];
        let a = t
            .pending
            .take()
            .expect("a TraceArrived event has its arrival pending");
        let mut next_at = SimTime::NEVER;
        if let Some(next) = t.source.next()? {
            debug_assert!(
                next.at >= a.at,
                "trace sources yield arrivals in time order"
            );
            if next.at < self.end {
                t.pending = Some(next);
                next_at = next.at;
            }
        }
        self.reschedule_arrival(next_at);
        let f = a.function as usize;
        debug_assert!(
            f < self.fns.len(),
            "trace selections name scenario functions"
        );
        self.arrivals += 1;
        self.recorder.arrived(f, self.now);
        self.invoke(f, self.now, 0, 0, Given::of(a.execution));
        Ok(())
    }

    /// A request that needs a new environment on a full platform waits or is dropped.
    fn full(&mut self, f: usize, arrived: SimTime, attempt: u16, errors: u8, execution: Given) {
        let p = Parked {
            function: f as u32,
            attempt,
            errors,
            arrived,
            execution,
        };
        if self.retrying_parked {
            self.parked.push_front(p);
            self.parked_again = true;
            return;
        }
        match self.scenario.platform.when_full {
            WhenFull::Wait => {
                self.recorder.capacity_waited(f, arrived);
                self.parked.push_back(p);
            }
            WhenFull::Drop => {
                self.recorder.capacity_dropped(f, arrived);
                if self.scenario.functions[f].invocation == Invocation::Async {
                    self.recorder.dead_lettered(f, arrived);
                }
                self.ended += 1;
            }
        }
    }

    /// Memory was freed (or an environment became evictable): provisioned environments that
    /// did not fit are started, then waiting requests try again in order until one still does
    /// not fit.
    fn on_memory_freed(&mut self) {
        self.memory_freed_pending = false;
        // Provisioned environments that did not fit come first: the platform maintains them.
        for f in std::mem::take(&mut self.provisioning_blocked) {
            self.reconcile(f as usize);
        }
        self.retrying_parked = true;
        self.parked_again = false;
        while !self.parked_again {
            let Some(p) = self.parked.pop_front() else {
                break;
            };
            self.invoke(
                p.function as usize,
                p.arrived,
                p.attempt,
                p.errors,
                p.execution,
            );
        }
        self.retrying_parked = false;
    }

    /// Concurrency was released: provisioned environments waiting for it try again.
    fn on_concurrency_freed(&mut self) {
        self.concurrency_freed_pending = false;
        for f in std::mem::take(&mut self.provisioning_starved) {
            self.reconcile(f as usize);
        }
    }

    /// Gives back one concurrency unit of `f`, waking provisioned environments waiting for one.
    #[inline]
    fn release_concurrency(&mut self, f: usize) {
        self.concurrency.release(f);
        if !self.provisioning_starved.is_empty() && !self.concurrency_freed_pending {
            self.concurrency_freed_pending = true;
            self.queue.push(self.now, Event::ConcurrencyFreed);
        }
    }

    /// Memory may have been freed: wake the waiting requests.
    #[inline]
    fn memory_freed(&mut self) {
        if (!self.parked.is_empty() || !self.provisioning_blocked.is_empty())
            && !self.memory_freed_pending
        {
            self.memory_freed_pending = true;
            self.queue.push(self.now, Event::MemoryFreed);
        }
    }

    /// Evicts idle environments until one of `f` fits; false if it cannot.
    fn make_room(&mut self, f: usize) -> bool {
        let cap = self.capacity_mb.expect("only on a memory-bounded platform");
        let need = self.scenario.functions[f].memory_mb as u64;
        while self.memory_used_mb + need > cap {
            let victim = {
                let (envs, fns, functions) = (&self.envs, &self.fns, &self.scenario.functions);
                let mut candidates = fns.iter().flat_map(|fs| {
                    fs.pool.iter().map(|(env, _)| {
                        let e = &envs[env];
                        Candidate {
                            env,
                            memory_mb: functions[e.function as usize].memory_mb,
                            idle_since: e.idle_since,
                            frequency: fns[e.function as usize].frequency,
                            priority: e.priority,
                        }
                    })
                });
                self.scenario.platform.eviction.victim(&mut candidates)
            };
            let Some(v) = victim else {
                return false;
            };
            self.greedy_dual.evicted(&v);
            let g = self.envs[v.env].function as usize;
            let removed = self.fns[g].pool.remove(v.env);
            debug_assert!(removed, "candidates are idle in their pool");
            self.retire(v.env, self.now, Retirement::Evicted);
        }
        true
    }

    fn on_retried(&mut self, request: u32, attempt: u16, arrived: SimTime) {
        let w = self.waiting[request as usize];
        self.free_waiting.push(request);
        self.invoke(w.function as usize, arrived, attempt, w.errors, w.execution);
    }

    /// Counts one invocation against the account's requests-per-second limit: false if this
    /// second's are used up. AWS: "Lambda enforces a requests per second limit of 10 times
    /// your account concurrency" (Lambda developer guide, concurrency and requests per
    /// second); counted over each whole second of simulated time, as AWS states it per second.
    #[inline]
    fn within_rate(&mut self) -> bool {
        let second = self.now.0 / 1_000_000_000;
        if second != self.rate_second {
            self.rate_second = second;
            self.rate_count = 0;
        }
        if self.rate_count < self.scenario.platform.requests_per_second {
            self.rate_count += 1;
            true
        } else {
            false
        }
    }

    /// Routes a request: provisioned first, then an idle on-demand environment, then a new one.
    /// `attempt`: throttled tries so far; `errors`: retries after function errors so far.
    fn invoke(&mut self, f: usize, arrived: SimTime, attempt: u16, errors: u8, execution: Given) {
        // Every attempt counts against the requests-per-second limit, once (not again when a
        // request waiting for memory tries again).
        if !self.retrying_parked && !self.within_rate() {
            self.throttle(f, arrived, attempt, errors, execution, true);
            return;
        }
        if let Some(env) = self.take_provisioned(f) {
            self.start_execution(
                env,
                arrived,
                false,
                execution,
                false,
                errors,
                SimDuration::ZERO,
            );
            return;
        }
        // Once per request: not again for a retry, nor when a request waiting for memory
        // tries again.
        if attempt == 0
            && !self.retrying_parked
            && self.fns[f].provisioned
            && self.prov[f].target > 0
        {
            self.recorder.spillover(f, arrived);
        }
        if !self.concurrency.allows(f) {
            self.throttle(f, arrived, attempt, errors, execution, false);
            return;
        }
        if let Some(env) = self.take_on_demand(f) {
            self.concurrency.acquire(f);
            self.start_execution(
                env,
                arrived,
                false,
                execution,
                false,
                errors,
                SimDuration::ZERO,
            );
        } else if self.capacity_mb.is_some() && !self.make_room(f) {
            self.full(f, arrived, attempt, errors, execution);
        } else if self.fns[f].bucket.take(self.now) {
            self.concurrency.acquire(f);
            self.cold_start(f, arrived, execution, false, errors);
        } else {
            self.throttle(f, arrived, attempt, errors, execution, false);
        }
    }

    /// Sends one warm-up ping: routed like a request, but refused silently when throttled
    /// (or when a memory-bounded platform has no room for a new environment).
    fn ping(&mut self, f: usize, execution: Given) {
        let now = self.now;
        if !self.within_rate() {
            // Pings count against the requests-per-second limit like any invocation.
            self.recorder.ping_throttled(f, now);
        } else if let Some(env) = self.take_provisioned(f) {
            self.start_execution(env, now, false, execution, true, 0, SimDuration::ZERO);
        } else if !self.concurrency.allows(f) {
            self.recorder.ping_throttled(f, now);
        } else if let Some(env) = self.take_on_demand(f) {
            self.concurrency.acquire(f);
            self.start_execution(env, now, false, execution, true, 0, SimDuration::ZERO);
        } else if self.capacity_mb.is_some() && !self.make_room(f) {
            // A full platform refuses a ping like a throttle: pings never wait for memory.
            self.recorder.ping_throttled(f, now);
        } else if self.fns[f].bucket.take(now) {
            self.concurrency.acquire(f);
            self.cold_start(f, now, execution, true, 0);
        } else {
            self.recorder.ping_throttled(f, now);
        }
    }

    fn on_warmers_due(&mut self, f: usize) {
        let w = self.scenario.functions[f]
            .warmers
            .expect("only functions with warmers schedule pings");
        let next = self.now + w.every;
        if next < self.end {
            self.queue
                .push(next, Event::WarmersDue { function: f as u32 });
        }
        // Pings of one round run at once, so each occupies its own environment.
        for _ in 0..w.concurrency {
            self.ping(f, Given::of(Some(w.execution)));
        }
    }

    fn take_provisioned(&mut self, f: usize) -> Option<EnvId> {
        if self.env_concurrency > 1 {
            if let Some(env) = self.take_partial(f, true) {
                return Some(env);
            }
        }
        let env = self.fns[f].provisioned_idle.pop()?;
        self.leave_idle(env);
        Some(env)
    }

    fn take_on_demand(&mut self, f: usize) -> Option<EnvId> {
        if self.env_concurrency > 1 {
            if let Some(env) = self.take_partial(f, false) {
                return Some(env);
            }
        }
        if self.lazy_expiry {
            self.expire(f);
        }
        let fs = &mut self.fns[f];
        let env = match self.scenario.platform.reuse {
            Reuse::Mru => fs.pool.take_newest(),
            Reuse::Lru => fs.pool.take_oldest(),
            Reuse::Random if fs.pool.is_empty() => None,
            Reuse::Random => {
                let i = self.rng_platform.random_range(0..fs.pool.len());
                fs.pool.take_at(i)
            }
        }?;
        self.leave_idle(env);
        Some(env)
    }

    /// With `env_concurrency > 1`: a busy environment with a free slot.
    fn take_partial(&mut self, f: usize, provisioned: bool) -> Option<EnvId> {
        let partial = &mut self.fns[f].partial;
        let i = partial
            .iter()
            .rposition(|&e| self.envs[e].provisioned == provisioned)?;
        let env = partial[i];
        if self.envs[env].active + 1 >= self.env_concurrency {
            partial.swap_remove(i);
        }
        Some(env)
    }

    fn leave_idle(&mut self, env: EnvId) {
        self.set_state(env, EnvState::Busy);
    }

    /// Starts a new on-demand environment for a request (or ping) of `f` that arrived at
    /// `arrived`. An init longer than the init limit follows AWS: "If all three tasks do not
    /// complete within 10 seconds, Lambda retries the Init phase at the time of the first
    /// function invocation with the configured function timeout" (Lambda developer guide,
    /// "Understanding the Lambda execution environment lifecycle", Init phase). The first
    /// attempt is cut at the limit and billed as INIT; the init then runs again, as long
    /// again, inside the invoke: billed as invoke duration, and the request succeeds if the
    /// init and the execution together fit the timeout. "The 10-second timeout doesn't apply
    /// to functions that are using provisioned concurrency or SnapStart" (same page): their
    /// Init phase is off the request path here (provisioned inits are never cut; SnapStart's
    /// runs when a version is published, not simulated). A SnapStart restore past the limit
    /// is cut and rerun the same way, which keeps every latency bounded (`latency_bound`).
    fn cold_start(&mut self, f: usize, arrived: SimTime, execution: Given, ping: bool, errors: u8) {
        let env = self.create(f, false, EnvState::Initializing, self.now, arrived);
        if self.capacity_mb.is_some() {
            self.memory_taken(self.scenario.functions[f].memory_mb);
        }
        let init = self.sample_init(f, arrived);
        let func = &self.scenario.functions[f];
        let limit = self.scenario.platform.init_limit;
        let (first, reinit) = if init <= limit {
            (init, SimDuration::ZERO)
        } else {
            (limit, init)
        };
        let completes = reinit == SimDuration::ZERO || reinit <= func.timeout;
        self.recorder
            .init(f, arrived, init, func.billed_init(first), completes);
        if ping {
            self.recorder
                .ping_billed(f, arrived, SimDuration::ZERO, first);
        }
        let slot = env.0 as usize;
        if slot >= self.init_for.len() {
            self.init_for.resize(slot + 1, InitFor::NONE);
        }
        self.init_for[slot] = InitFor {
            execution,
            errors,
            reinit,
        };
        self.queue.push(
            self.now + first,
            Event::InitCompleted { env, arrived, ping },
        );
    }

    /// Draws the init of a new on-demand environment of `f` for a request that arrived at `t`:
    /// a SnapStart restore (counted as one) when enabled, else runtime plus function init.
    fn sample_init(&mut self, f: usize, t: SimTime) -> SimDuration {
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        match &func.snapstart {
            // A restore from the snapshot replaces runtime and function init.
            Some(restore) => {
                if self.recorder.counts(t) {
                    self.recorder.functions[f].restores += 1;
                }
                restore.sample_duration(rng)
            }
            None => {
                let runtime = func
                    .runtime_init
                    .as_ref()
                    .map_or(SimDuration::ZERO, |d| d.sample_duration(rng));
                runtime + func.init.sample_duration(rng)
            }
        }
    }

    fn on_init_completed(&mut self, env: EnvId, arrived: SimTime, ping: bool) {
        let InitFor {
            execution,
            errors,
            reinit,
        } = self.init_for[env.0 as usize];
        self.set_state(env, EnvState::Busy);
        self.start_execution(env, arrived, true, execution, ping, errors, reinit);
    }

    /// Starts a request on `env`, which is already `Busy`.
    /// `execution`: the time the trace recorded, which replaces a draw from the function's
    /// distribution (timeouts and memory failures still apply). `errors`: retries after
    /// function errors before this attempt. `reinit`: an init that passed the init limit,
    /// run again inside this invoke, under the timeout (zero if none).
    #[allow(clippy::too_many_arguments)]
    fn start_execution(
        &mut self,
        env: EnvId,
        arrived: SimTime,
        cold: bool,
        execution: Given,
        ping: bool,
        errors: u8,
        reinit: SimDuration,
    ) {
        let e = &mut self.envs[env];
        let f = e.function as usize;
        let first = e.served == 0;
        e.active += 1;
        if self.capacity_mb.is_some() {
            self.fns[f].frequency += 1;
        }
        if self.tracks_requests {
            self.keep_alive.on_request_started(f as u32, self.now);
        }
        let (provisioned, active) = (e.provisioned, e.active);
        if self.env_concurrency > 1 && active == 1 && active < self.env_concurrency {
            self.fns[f].partial.push(env);
        }
        if provisioned && active == 1 {
            self.provisioned_busy(f, 1);
        }
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        let dist = match (&func.first_execution, first) {
            (Some(d), true) => d,
            _ => &func.execution,
        };
        let exec = match execution.get() {
            Some(d) => d,
            None => dist.sample_duration(rng),
        };
        let oom = !ping
            && func
                .memory_used
                .as_ref()
                .is_some_and(|m| m.sample(rng) > func.memory_mb as f64);
        let (run, failure) = if reinit > func.timeout {
            // The init run again inside the invoke did not finish within the timeout.
            (func.timeout, Some(Failure::InitTimeout))
        } else if reinit + exec > func.timeout {
            (func.timeout, Some(Failure::Timeout))
        } else if oom {
            (reinit + exec, Some(Failure::OutOfMemory))
        } else {
            (reinit + exec, None)
        };
        self.recorder.billed(f, arrived, run, provisioned);
        if ping {
            self.recorder
                .ping_billed(f, arrived, run, SimDuration::ZERO);
        }
        self.queue.push(
            self.now + run,
            Event::ExecutionCompleted {
                env,
                arrived,
                outcome: Outcome {
                    cold,
                    failure,
                    retries: if ping { Outcome::PING } else { errors },
                },
            },
        );
    }

    fn on_execution_completed(&mut self, env: EnvId, arrived: SimTime, outcome: Outcome) {
        let f = self.envs[env].function as usize;
        if outcome.ping() {
            self.recorder.ping_completed(f, arrived, outcome.cold);
        } else {
            self.recorder
                .completed(f, arrived, self.now, outcome.cold, outcome.failure);
            self.ended += 1;
        }
        if !outcome.ping()
            && outcome.failure.is_some()
            && self.scenario.functions[f].invocation == Invocation::Async
        {
            self.after_function_error(f, arrived, outcome.retries);
        }
        if self.tracks_requests {
            self.keep_alive.on_request_ended(f as u32, self.now);
        }
        let e = &mut self.envs[env];
        e.active -= 1;
        e.served += 1;
        let (active, provisioned) = (e.active, e.provisioned);
        if !provisioned {
            self.release_concurrency(f);
        } else if active == 0 {
            self.provisioned_busy(f, -1);
        }
        if self.env_concurrency > 1 {
            let partial = &mut self.fns[f].partial;
            if active == 0 || outcome.failure.is_some() {
                if let Some(i) = partial.iter().position(|&x| x == env) {
                    partial.swap_remove(i);
                }
            } else if active + 1 == self.env_concurrency {
                partial.push(env);
            }
        }
        if active > 0 {
            return;
        }
        if outcome.failure.is_some() && !provisioned {
            // A failed environment is discarded; provisioned capacity is replaced at once
            // (off the request path), which we model as the same environment staying.
            self.retire(env, self.now, Retirement::Error);
        } else {
            self.become_idle(env);
        }
    }

    /// An asynchronous request of `f` (its event first arrived at `arrived`) failed after
    /// `errors` retries: retried as AWS does, or discarded to the on-failure destination.
    /// AWS: "If the function returns an error, by default Lambda attempts to run it two more
    /// times, with a one-minute wait between the first two attempts, and two minutes between
    /// the second and third attempts" ... "When an event expires or fails all processing
    /// attempts, Lambda discards it" (Lambda developer guide, "How Lambda handles errors and
    /// retries with asynchronous invocation"). Each retry is an invocation of its own. It
    /// draws its execution time from the function's distribution (a trace's recorded time
    /// is not carried over).
    fn after_function_error(&mut self, f: usize, arrived: SimTime, errors: u8) {
        let p = &self.scenario.platform;
        if u32::from(errors) < p.retry_attempts {
            let at = self.now + SimDuration::from_secs(60 * (u64::from(errors) + 1));
            if at <= arrived + p.max_event_age {
                let request = self.wait(Waiting {
                    function: f as u32,
                    execution: Given::NONE,
                    errors: errors + 1,
                });
                self.queue.push(
                    at,
                    Event::Retried {
                        request,
                        attempt: 0,
                        arrived,
                    },
                );
                self.arrivals += 1;
                self.recorder.error_retried(f, arrived);
                return;
            }
        }
        self.recorder.dead_lettered(f, arrived);
    }

    /// Stores a request waiting for a retry; its index in the table.
    fn wait(&mut self, w: Waiting) -> u32 {
        match self.free_waiting.pop() {
            Some(i) => {
                self.waiting[i as usize] = w;
                i
            }
            None => {
                self.waiting.push(w);
                (self.waiting.len() - 1) as u32
            }
        }
    }

    fn become_idle(&mut self, env: EnvId) {
        self.set_state(env, EnvState::Idle);
        let now = self.now;
        let e = &mut self.envs[env];
        e.idle_since = now;
        let (f, created, generation) = (e.function as usize, e.created, e.generation);
        if e.provisioned {
            let (recycled, p) = (e.recycled, &self.prov[f]);
            if recycled && p.ready >= p.target {
                self.retire_provisioned(env, Retirement::Lifetime);
            } else if recycled && p.recycled > p.target {
                // More recycled environments than units (their replacements were recycled
                // in turn): this one's unit is held by a newer one. A replacement may have
                // waited for it to go (`Provisioned::to_start`).
                self.retire_provisioned(env, Retirement::Lifetime);
                self.reconcile(f);
            } else if !recycled && p.ready > p.target {
                self.prov[f].ready -= 1;
                self.retire_provisioned(env, Retirement::ScaledIn);
            } else {
                self.fns[f].provisioned_idle.push(env);
            }
            return;
        }
        let lifetime_end = created + self.scenario.platform.max_lifetime;
        if now >= lifetime_end {
            self.retire(env, now, Retirement::Lifetime);
            return;
        }
        if !self.lazy_expiry {
            self.become_idle_timed(env, lifetime_end);
            return;
        }
        let KeepAliveDecision::RetireAt(deadline) = self.keep_alive.on_idle(
            &Idle {
                now,
                function: f as u32,
                first_idle: now,
            },
            &mut self.rng_platform,
        ) else {
            unreachable!("the lazy path is only taken by the fixed policy")
        };
        debug_assert!(self.keep_alive.monotone());
        if self.capacity_mb.is_some() {
            self.set_priority(env);
        }
        let e = &mut self.envs[env];
        // The lifetime ends before the keep-alive would: one timer per environment, whatever
        // its state when it fires (a busy one is retired when its request completes).
        if lifetime_end < deadline && !e.lifetime_timer {
            e.lifetime_timer = true;
            self.queue
                .push(lifetime_end, Event::LifetimeEnded { env, generation });
        }
        let fs = &mut self.fns[f];
        fs.pool.push(env, deadline);
        if !fs.check_pending {
            fs.check_pending = true;
            let at = fs.pool.front_deadline().expect("just pushed");
            self.queue
                .push(at, Event::KeepAliveExpired { function: f as u32 });
        }
        self.memory_freed();
    }

    /// A new environment of `memory_mb` holds memory.
    fn memory_taken(&mut self, memory_mb: u32) {
        self.memory_used_mb += u64::from(memory_mb);
        self.peak_memory_mb = self.peak_memory_mb.max(self.memory_used_mb);
        debug_assert!(
            self.capacity_mb
                .is_some_and(|cap| self.memory_used_mb <= cap),
            "make_room runs before every new environment"
        );
    }

    /// Sets the Greedy-Dual priority of `env`, used now.
    fn set_priority(&mut self, env: EnvId) {
        let f = self.envs[env].function as usize;
        let func = &self.scenario.functions[f];
        self.envs[env].priority = self.greedy_dual.priority(
            self.fns[f].frequency,
            func.mean_init_ns() / 1e6,
            func.memory_mb,
        );
    }

    /// `become_idle` under a non-monotone policy: the decision gets a timer of its own.
    fn become_idle_timed(&mut self, env: EnvId, lifetime_end: SimTime) {
        let now = self.now;
        let e = &mut self.envs[env];
        if e.first_idle == SimTime::NEVER {
            e.first_idle = now;
        }
        let idle = Idle {
            now,
            function: e.function,
            first_idle: e.first_idle,
        };
        let f = e.function as usize;
        let decision = self.keep_alive.on_idle(&idle, &mut self.rng_platform);
        let deadline = match decision {
            KeepAliveDecision::RetireAt(at) => at,
            KeepAliveDecision::Keep => SimTime::NEVER,
            KeepAliveDecision::Unload {
                prewarm_at,
                retire_at,
            } => {
                self.retire(env, now, Retirement::Idle);
                let fs = &mut self.fns[f];
                fs.prewarm_seq = fs.prewarm_seq.wrapping_add(1);
                fs.prewarm_until = retire_at;
                let seq = fs.prewarm_seq;
                self.queue.push(
                    prewarm_at,
                    Event::PrewarmDue {
                        function: f as u32,
                        seq,
                    },
                );
                return;
            }
        };
        self.park_idle(env, deadline, lifetime_end);
    }

    /// Puts idle `env` in its pool until `deadline` (at once if it has passed), with a timer.
    fn park_idle(&mut self, env: EnvId, deadline: SimTime, lifetime_end: SimTime) {
        let now = self.now;
        if deadline <= now {
            self.retire(env, now, Retirement::Idle);
            return;
        }
        if self.capacity_mb.is_some() {
            self.set_priority(env);
        }
        let e = &mut self.envs[env];
        e.deadline = deadline;
        let (f, generation) = (e.function as usize, e.generation);
        if lifetime_end < deadline && !e.lifetime_timer {
            e.lifetime_timer = true;
            self.queue
                .push(lifetime_end, Event::LifetimeEnded { env, generation });
        }
        self.fns[f].pool.push(env, deadline);
        if deadline != SimTime::NEVER {
            self.queue
                .push(deadline, Event::IdleDeadline { env, generation });
        }
        self.memory_freed();
    }

    fn on_idle_deadline(&mut self, env: EnvId, generation: u32) {
        let e = &self.envs[env];
        if e.generation != generation
            || e.state != EnvState::Idle
            || e.provisioned
            || e.deadline != self.now
        {
            return;
        }
        let f = e.function as usize;
        if self.fns[f].pool.remove(env) {
            self.retire(env, self.now, Retirement::Idle);
        }
    }

    /// Loads an environment of `f` off the request path, unless a later decision replaced
    /// this one or it does not fit.
    fn on_prewarm_due(&mut self, f: usize, seq: u32) {
        if self.fns[f].prewarm_seq != seq {
            return;
        }
        if self.capacity_mb.is_some() && !self.make_room(f) {
            return;
        }
        let env = self.create(f, false, EnvState::Initializing, self.now, self.now);
        self.recorder.prewarmed(f, self.now);
        if self.capacity_mb.is_some() {
            self.memory_taken(self.scenario.functions[f].memory_mb);
        }
        let init = self.sample_init(f, self.now);
        let limit = self.scenario.platform.init_limit;
        let ok = init <= limit;
        self.queue.push(
            self.now + if ok { init } else { limit },
            Event::PrewarmReady { env, ok },
        );
    }

    fn on_prewarm_ready(&mut self, env: EnvId, ok: bool) {
        if !ok {
            self.retire(env, self.now, Retirement::Error);
            return;
        }
        self.set_state(env, EnvState::Idle);
        let now = self.now;
        let e = &mut self.envs[env];
        e.idle_since = now;
        e.first_idle = now;
        let (f, created) = (e.function as usize, e.created);
        let deadline = self.fns[f].prewarm_until;
        let lifetime_end = created + self.scenario.platform.max_lifetime;
        self.park_idle(env, deadline, lifetime_end);
    }

    fn on_keep_alive_expired(&mut self, f: usize) {
        self.fns[f].check_pending = false;
        self.expire(f);
        let fs = &mut self.fns[f];
        if let Some(at) = fs.pool.front_deadline() {
            fs.check_pending = true;
            self.queue
                .push(at, Event::KeepAliveExpired { function: f as u32 });
        }
    }

    /// Retires `f`'s idle environments whose deadline has passed, each at its deadline.
    #[inline]
    fn expire(&mut self, f: usize) {
        while let Some((env, deadline)) = self.fns[f].pool.pop_expired(self.now) {
            self.retire(env, deadline, Retirement::Idle);
        }
    }

    fn on_lifetime_ended(&mut self, env: EnvId, generation: u32) {
        let e = &self.envs[env];
        if e.generation != generation || e.state == EnvState::Retired {
            return;
        }
        if e.provisioned {
            // Recycled: it serves on until a replacement (started now) is ready.
            let f = e.function as usize;
            if !e.recycled {
                // Its concurrency passes to the replacement: recycling is the platform's
                // business and never takes concurrency from the function.
                self.envs[env].recycled = true;
                let p = &mut self.prov[f];
                p.ready -= 1;
                p.recycled += 1;
                self.release_concurrency(f);
                self.reconcile(f);
            }
            return;
        }
        if e.state != EnvState::Idle {
            return;
        }
        let f = e.function as usize;
        if self.fns[f].pool.remove(env) {
            self.retire(env, self.now, Retirement::Lifetime);
        }
    }

    /// Schedules the recycling of provisioned `env` at its maximum lifetime.
    fn provisioned_lifetime(&mut self, env: EnvId) {
        let e = &mut self.envs[env];
        // An init longer than the maximum lifetime: recycled as soon as it is ready.
        let at = (e.created + self.scenario.platform.max_lifetime).max(self.now);
        if at < self.end {
            e.lifetime_timer = true;
            let generation = e.generation;
            self.queue
                .push(at, Event::LifetimeEnded { env, generation });
        }
    }

    /// Starts a provisioned environment's init, off the request path. On a memory-bounded
    /// platform it evicts idle on-demand environments to fit; false (and `f` is retried when
    /// memory is freed) if it still does not fit, or (retried when concurrency is released)
    /// if the function's or the account's concurrency is all in use.
    fn spawn_provisioned(&mut self, f: usize) -> bool {
        // A raised target cannot take units that on-demand requests hold: the environment
        // starts when one is released, so the limits hold.
        if !self.concurrency.allows(f) {
            if !self.provisioning_starved.contains(&(f as u32)) {
                self.provisioning_starved.push(f as u32);
            }
            return false;
        }
        if self.capacity_mb.is_some() {
            if !self.make_room(f) {
                if !self.provisioning_blocked.contains(&(f as u32)) {
                    self.provisioning_blocked.push(f as u32);
                }
                return false;
            }
            self.memory_taken(self.scenario.functions[f].memory_mb);
        }
        let env = self.create(f, true, EnvState::Initializing, self.now, self.now);
        self.concurrency.acquire(f);
        let p = &mut self.prov[f];
        p.initializing += 1;
        p.peak_live = p.peak_live.max(p.live());
        let func = &self.scenario.functions[f];
        let rng = &mut self.fns[f].rng_service;
        let runtime = func
            .runtime_init
            .as_ref()
            .map_or(SimDuration::ZERO, |d| d.sample_duration(rng));
        let init = runtime + func.init.sample_duration(rng);
        self.queue
            .push(self.now + init, Event::ProvisionedReady { env });
        true
    }

    fn on_provisioned_ready(&mut self, env: EnvId) {
        let f = self.envs[env].function as usize;
        let p = &mut self.prov[f];
        p.initializing -= 1;
        p.ready += 1;
        self.provisioned_lifetime(env);
        self.become_idle(env);
        self.reconcile(f);
    }

    /// Brings `f`'s provisioned environments towards the target: starts missing ones (at
    /// most one replacement in flight per unit), and retires idle ones no longer needed
    /// (recycled ones once enough others are ready, so capacity never dips, or once more
    /// of them are recycled than units are allocated, oldest first; extra ones once the
    /// others cover the target). Busy ones are checked when they become idle (`become_idle`).
    fn reconcile(&mut self, f: usize) {
        // An init longer than the maximum lifetime recycles each replacement as soon as it
        // is ready, so ready ones may never reach the target: a unit with a newer recycled
        // environment lets its older one go. (With replacements ready within their lifetime
        // there are never more recycled environments than units, and this does nothing.)
        while self.prov[f].recycled > self.prov[f].target {
            let envs = &self.envs;
            let oldest = self.fns[f]
                .provisioned_idle
                .iter()
                .enumerate()
                .filter(|&(_, &e)| envs[e].recycled)
                .min_by_key(|&(_, &e)| envs[e].created)
                .map(|(i, _)| i);
            let Some(i) = oldest else {
                break;
            };
            let env = self.fns[f].provisioned_idle.remove(i);
            self.retire_provisioned(env, Retirement::Lifetime);
        }
        for _ in 0..self.prov[f].to_start() {
            if !self.spawn_provisioned(f) {
                break;
            }
        }
        let mut i = 0;
        while i < self.fns[f].provisioned_idle.len() {
            let env = self.fns[f].provisioned_idle[i];
            let p = &self.prov[f];
            let recycled = self.envs[env].recycled;
            let reason = if recycled && p.ready >= p.target {
                Retirement::Lifetime
            } else if !recycled && p.ready > p.target {
                self.prov[f].ready -= 1;
                Retirement::ScaledIn
            } else {
                i += 1;
                continue;
            };
            self.fns[f].provisioned_idle.swap_remove(i);
            self.retire_provisioned(env, reason);
        }
    }

    fn retire_provisioned(&mut self, env: EnvId, reason: Retirement) {
        let f = self.envs[env].function as usize;
        if self.envs[env].recycled {
            self.prov[f].recycled -= 1;
        } else {
            self.release_concurrency(f);
        }
        self.retire(env, self.now, reason);
    }

    /// One more (+1) or one less (-1) busy provisioned environment of `f`.
    fn provisioned_busy(&mut self, f: usize, by: i32) {
        let now = self.now;
        let p = &mut self.prov[f];
        self.recorder
            .provisioned_level(f, true, p.busy, p.busy_since, now);
        p.busy_ns += p.busy as u128 * now.since(p.busy_since).0 as u128;
        p.busy = p.busy.wrapping_add_signed(by);
        p.busy_since = now;
    }

    /// Allocates `target` provisioned environments of `f` from now on.
    fn set_provisioned(&mut self, f: usize, target: u32) {
        let now = self.now;
        let p = &mut self.prov[f];
        self.recorder
            .provisioned_level(f, false, p.target, p.target_since, now);
        p.target_ns += p.target as u128 * now.since(p.target_since).0 as u128;
        p.target = target;
        p.target_since = now;
        self.reconcile(f);
    }

    /// When `f`'s provisioned concurrency is next due for a change, if before the end.
    fn next_provisioning(&self, f: usize) -> Option<SimTime> {
        const DAY: u64 = 86_400_000_000_000;
        let at = match &self.scenario.functions[f].provisioned {
            model::Provisioned::Fixed(_) => return None,
            model::Provisioned::Schedule(steps) => {
                let (day, tod) = (self.now.0 / DAY, self.now.0 % DAY);
                match steps.iter().find(|s| s.0 .0 > tod) {
                    Some(s) => SimTime(day * DAY + s.0 .0),
                    None => SimTime((day + 1) * DAY + steps[0].0 .0),
                }
            }
            model::Provisioned::Autoscale(a) => self.now + a.period,
        };
        (at < self.end).then_some(at)
    }

    fn on_provisioning_due(&mut self, f: usize) {
        let scenario = self.scenario;
        match &scenario.functions[f].provisioned {
            model::Provisioned::Fixed(_) => {}
            model::Provisioned::Schedule(steps) => {
                let tod = SimDuration(self.now.0 % 86_400_000_000_000);
                self.set_provisioned(f, model::Provisioned::scheduled(steps, tod).1);
            }
            model::Provisioned::Autoscale(a) => {
                let now = self.now;
                let p = &mut self.prov[f];
                let (busy, alloc) = p.integrals(now);
                let (d_busy, d_alloc) = (busy - p.last.0, alloc - p.last.1);
                p.last = (busy, alloc);
                let utilization = if d_alloc == 0 {
                    0.0
                } else {
                    d_busy as f64 / d_alloc as f64
                };
                let target = p.target;
                if let ScalingDecision::Scale(n) = p.tracker.observe(a, target, utilization) {
                    self.set_provisioned(f, n);
                }
            }
        }
        if let Some(at) = self.next_provisioning(f) {
            self.queue
                .push(at, Event::ProvisioningDue { function: f as u32 });
        }
    }

    /// Refuses a request: by the requests-per-second limit (`rate`) or for lack of
    /// concurrency or scaling tokens. Asynchronous ones are retried within the event age.
    fn throttle(
        &mut self,
        f: usize,
        arrived: SimTime,
        attempt: u16,
        errors: u8,
        execution: Given,
        rate: bool,
    ) {
        let platform = &self.scenario.platform;
        let is_async = self.scenario.functions[f].invocation == Invocation::Async;
        if is_async {
            let next = attempt.saturating_add(1);
            let at = self.now + platform.retry.delay(next.into());
            if at <= arrived + platform.max_event_age {
                let request = self.wait(Waiting {
                    function: f as u32,
                    execution,
                    errors,
                });
                self.queue.push(
                    at,
                    Event::Retried {
                        request,
                        attempt: next,
                        arrived,
                    },
                );
                self.recorder.retried(f, arrived);
                return;
            }
        }
        self.recorder.throttled(f, arrived, is_async);
        if rate {
            self.recorder.rate_throttled(f, arrived);
        }
        if is_async {
            self.recorder.dead_lettered(f, arrived);
        }
        self.ended += 1;
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
        env
    }

    /// Moves `env` to `state` now.
    #[inline]
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
        if self.capacity_mb.is_some() {
            self.memory_used_mb -= self.scenario.functions[f].memory_mb as u64;
            self.memory_freed();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_stay_small() {
        // The queue moves events around on every push and pop; keep them at two words.
        assert!(std::mem::size_of::<super::Event>() <= 16);
    }
}

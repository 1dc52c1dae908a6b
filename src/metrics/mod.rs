//! Streaming statistics: counters, histograms and time-weighted environment counts.
//!
//! Nothing is stored per request. The simulation calls the `Recorder` at each state change;
//! `Results::summary` turns the totals into the figures of `summary.json`.

mod cost;
mod histogram;
pub mod hosts;
pub mod managed;
pub mod monthly;
mod summary;
pub mod timeseries;

pub use cost::Pricing;
pub use histogram::{CoarseHistogram, Histogram, LogHistogram};
pub use summary::{
    Cost, EnvironmentSummary, FunctionInfo, FunctionSummary, KeepAliveSummary, LatencySummary,
    RunInfo, Spread, Stats, Summary,
};
pub use timeseries::TimeSeries;

use crate::engine::{SimDuration, SimTime};

/// What an environment is doing, for time-weighted means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Class {
    /// Running init for a request (on-demand).
    Initializing = 0,
    /// Serving at least one request (on-demand or provisioned).
    Busy = 1,
    /// On-demand and idle.
    Idle = 2,
    /// Provisioned and idle.
    ProvisionedIdle = 3,
}

/// How a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Ran past the function's timeout.
    Timeout,
    /// Used more memory than configured.
    OutOfMemory,
    /// Init ran past the init limit, and its run again inside the invoke past the timeout.
    InitTimeout,
}

/// Per-function totals. Counts are of requests that arrived in the counted period; means over
/// time cover `[warmup, duration)`.
#[derive(Clone, Debug, Default)]
pub struct FunctionStats {
    /// Invocations that arrived: each request once, however often it was retried after a
    /// throttle, plus each retry of an asynchronous request after a function error.
    pub invocations: u64,
    /// Requests served by an existing environment.
    pub warm: u64,
    /// Requests that waited for a new environment.
    pub cold: u64,
    /// Requests that never ran: synchronous 429s and asynchronous requests dropped.
    pub throttled: u64,
    /// Asynchronous requests dropped after the maximum event age (part of `throttled`).
    pub dropped: u64,
    /// Throttled attempts of asynchronous requests that were retried.
    pub retries: u64,
    /// Requests refused by the account's requests-per-second limit (part of `throttled`).
    pub rate_throttled: u64,
    /// Retries of asynchronous requests after a function error (part of `invocations`).
    pub error_retries: u64,
    /// Asynchronous events discarded (to the on-failure destination or dead-letter queue):
    /// failed every attempt, or expired.
    pub dead_lettered: u64,
    /// Failed requests by cause (part of warm + cold).
    pub timeouts: u64,
    /// Failed: memory exceeded.
    pub out_of_memory: u64,
    /// Failed: init exceeded the init limit, and its run again inside the invoke the timeout.
    pub init_timeouts: u64,
    /// End-to-end latency of successful warm requests, ns.
    pub warm_latency: Histogram,
    /// End-to-end latency of successful cold requests, ns.
    pub cold_latency: Histogram,
    /// Init durations (runtime + function init) of environments that finished init, ns.
    pub init: Histogram,
    /// Environment-nanoseconds spent in each `Class`.
    pub occupancy: [u128; 4],
    /// Environments created in the counted period (provisioned ones included).
    pub created: u64,
    /// Retired for idleness.
    pub retired_idle: u64,
    /// Retired at the maximum lifetime.
    pub retired_lifetime: u64,
    /// Discarded after a failure.
    pub retired_error: u64,
    /// Evicted to make room on a memory-bounded platform.
    pub retired_evicted: u64,
    /// Environments loaded ahead of a request by the keep-alive policy (part of `created`).
    pub prewarmed: u64,
    /// Requests that waited for memory on a full platform.
    pub capacity_waited: u64,
    /// Requests dropped for lack of memory (part of `throttled`).
    pub capacity_dropped: u64,
    /// Largest number of live environments at once.
    pub peak: u32,
    /// Billed milliseconds of executions on on-demand environments.
    pub billed_ms: u64,
    /// Billed milliseconds of init.
    pub billed_init_ms: u64,
    /// Billed milliseconds of executions on provisioned environments.
    pub billed_provisioned_ms: u64,
    /// Provisioned environment-nanoseconds allocated.
    pub provisioned_ns: u128,
    /// Provisioned environment-nanoseconds billed beyond `provisioned_ns` by AWS's 5-minute
    /// rounding: each span of enablement in the counted period is rounded up to 5 minutes,
    /// the extension at the level in force at the span's end (see `PC_BILLING_INCREMENT`).
    pub provisioned_rounding_ns: u128,
    /// Provisioned environment-nanoseconds spent serving requests (or pings).
    pub provisioned_busy_ns: u128,
    /// Requests that found no idle provisioned environment while some were allocated
    /// (served on demand, or throttled).
    pub spillover: u64,
    /// Provisioned environments retired by a scale-in (schedule or autoscaling).
    pub retired_scale_in: u64,
    /// Warm-up pings that ran on an existing environment.
    pub ping_warm: u64,
    /// Warm-up pings that started a new environment.
    pub ping_cold: u64,
    /// Warm-up pings refused for lack of concurrency or scaling tokens.
    pub ping_throttled: u64,
    /// Billed milliseconds of ping executions (part of `billed_ms`/`billed_provisioned_ms`).
    pub ping_billed_ms: u64,
    /// Billed milliseconds of inits started by pings (part of `billed_init_ms`).
    pub ping_billed_init_ms: u64,
    /// SnapStart restores charged (Python, .NET): on-demand inits.
    pub restores: u64,
    /// Nanoseconds of SnapStart cache charged (Python, .NET): the counted period.
    pub snapstart_cache_ns: u128,
}

impl FunctionStats {
    /// Warm-up pings that ran.
    pub fn pings_ran(&self) -> u64 {
        self.ping_warm + self.ping_cold
    }

    /// Failed requests.
    pub fn errors(&self) -> u64 {
        self.timeouts + self.out_of_memory + self.init_timeouts
    }

    /// Latency of all successful requests.
    pub fn latency(&self) -> Histogram {
        let mut h = self.warm_latency.clone();
        h.merge(&self.cold_latency);
        h
    }

    /// Adds `other` (for all-function totals; `peak` is handled by the caller).
    pub fn merge(&mut self, o: &FunctionStats) {
        self.invocations += o.invocations;
        self.warm += o.warm;
        self.cold += o.cold;
        self.throttled += o.throttled;
        self.dropped += o.dropped;
        self.retries += o.retries;
        self.rate_throttled += o.rate_throttled;
        self.error_retries += o.error_retries;
        self.dead_lettered += o.dead_lettered;
        self.timeouts += o.timeouts;
        self.out_of_memory += o.out_of_memory;
        self.init_timeouts += o.init_timeouts;
        self.warm_latency.merge(&o.warm_latency);
        self.cold_latency.merge(&o.cold_latency);
        self.init.merge(&o.init);
        for k in 0..4 {
            self.occupancy[k] += o.occupancy[k];
        }
        self.created += o.created;
        self.retired_idle += o.retired_idle;
        self.retired_lifetime += o.retired_lifetime;
        self.retired_error += o.retired_error;
        self.retired_evicted += o.retired_evicted;
        self.prewarmed += o.prewarmed;
        self.capacity_waited += o.capacity_waited;
        self.capacity_dropped += o.capacity_dropped;
        self.billed_ms += o.billed_ms;
        self.billed_init_ms += o.billed_init_ms;
        self.billed_provisioned_ms += o.billed_provisioned_ms;
        self.provisioned_ns += o.provisioned_ns;
        self.provisioned_rounding_ns += o.provisioned_rounding_ns;
        self.provisioned_busy_ns += o.provisioned_busy_ns;
        self.spillover += o.spillover;
        self.retired_scale_in += o.retired_scale_in;
        self.ping_warm += o.ping_warm;
        self.ping_cold += o.ping_cold;
        self.ping_throttled += o.ping_throttled;
        self.ping_billed_ms += o.ping_billed_ms;
        self.ping_billed_init_ms += o.ping_billed_init_ms;
        self.restores += o.restores;
        self.snapstart_cache_ns += o.snapstart_cache_ns;
    }
}

/// The per-function figures that every request touches, kept apart from `FunctionStats`
/// (~600 bytes, whose fields the compiler spreads over ten cache lines) so that a request
/// reaches two adjacent lines of statistics per function whatever the number of functions.
/// `Recorder::finish` adds them to `FunctionStats`.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
struct Hot {
    /// Environment-ns per class integrated up to the end of the counted period. A change of
    /// level by `d` at `t` adds `d × (to − t)`, so a transition costs O(1) however long the
    /// span it closes; the totals are exact once every change is in (`finish`).
    area: [i128; 4],
    /// `FunctionStats::invocations` so far.
    invocations: u64,
    /// `FunctionStats::warm` so far.
    warm: u64,
    /// `FunctionStats::cold` so far.
    cold: u64,
    /// `FunctionStats::billed_ms` so far.
    billed_ms: u64,
}

/// A successful request's latency, not yet in its function's summary histogram: `slot` is
/// `2 × function + cold`.
#[derive(Clone, Copy, Debug)]
struct Pending {
    value: u64,
    slot: u32,
}

/// Latencies buffered before `Recorder::flush` (16 bytes each: 8 KB, within the L1 cache).
const PENDING: usize = 512;

/// Functions above which latencies are buffered (`Recorder::flush`): below, their summary
/// histograms stay in the cache and recording at once saves the buffer's round trip.
const BUFFERED_FROM: usize = 64;

/// Collects statistics during a run. The per-function totals (`functions`) are complete once
/// `finish` has run.
#[derive(Debug)]
pub struct Recorder {
    /// Start of the counted period.
    pub from: SimTime,
    /// End of the counted period.
    pub to: SimTime,
    /// Per function, by function id (complete after `finish`: the figures of every request
    /// are kept apart until then).
    pub functions: Vec<FunctionStats>,
    /// Per-interval figures.
    pub series: TimeSeries,
    /// Per function, what every request and every transition touches, in two adjacent cache
    /// lines (`Hot`); folded into `functions` by `finish`.
    hot: Vec<Hot>,
    /// Latencies not yet added to the summary histograms of `functions` (see `Pending`).
    pending: Vec<Pending>,
    /// Per function, the open span of provisioned concurrency enabled (allocated > 0) in the
    /// counted period: its start, its end so far and the level in force at that end.
    pc_span: Vec<Option<(SimTime, SimTime, u32)>>,
    live: Vec<u32>,
    live_total: u32,
    peak_total: u32,
    /// Latencies go through `pending` (more than `BUFFERED_FROM` functions); else straight
    /// into their histograms, which a few functions keep in the cache.
    buffered: bool,
}

impl Recorder {
    /// A recorder for `n` functions counting `[from, to)`, with time-series rows `interval`
    /// wide, for requests whose latency never exceeds `latency_bound`.
    pub fn new(
        n: usize,
        from: SimTime,
        to: SimTime,
        interval: SimDuration,
        latency_bound: SimDuration,
    ) -> Self {
        Recorder {
            from,
            to,
            functions: vec![FunctionStats::default(); n],
            series: TimeSeries::new(n, from, to, interval.0, latency_bound),
            hot: vec![Hot::default(); n],
            pending: Vec::with_capacity(PENDING),
            pc_span: vec![None; n],
            live: vec![0; n],
            live_total: 0,
            peak_total: 0,
            buffered: n > BUFFERED_FROM,
        }
    }

    /// True if a request that arrived at `t` is counted.
    #[inline]
    pub fn counts(&self, t: SimTime) -> bool {
        t >= self.from && t < self.to
    }

    /// A SnapStart restore of `f` for a request (or pre-warm) at `t`: counted if `t` is.
    #[inline]
    pub fn restored(&mut self, f: usize, t: SimTime) {
        if self.counts(t) {
            self.functions[f].restores += 1;
        }
    }

    /// SnapStart's billing at the end of a run that ended at `end`, for function `f` of
    /// `runtime` (with SnapStart if `snapstart`): its cache is charged over the counted
    /// period and its restores are charged for Python and .NET, neither for Java.
    pub fn snapstart_billing(&mut self, f: usize, snapstart: bool, runtime: &str, end: SimTime) {
        let counted = end.since(self.from).0 as u128;
        let s = &mut self.functions[f];
        if snapstart && !runtime.starts_with("java") {
            s.snapstart_cache_ns = counted;
        } else {
            s.restores = 0;
        }
    }

    /// Environment-ns from `t` to the end of the counted period (none if `t` is past it).
    #[inline]
    fn remaining(&self, t: SimTime) -> i128 {
        self.to.0.saturating_sub(t.0.max(self.from.0)) as i128
    }

    /// An environment of `f` moved from class `from` to class `to` at `t`.
    #[inline(always)]
    pub fn transition(&mut self, f: usize, from: Class, to: Class, t: SimTime) {
        if from == to {
            return;
        }
        // Changes after the counted period count at its end.
        let t = t.min(self.to);
        let ns = self.remaining(t);
        let area = &mut self.hot[f].area;
        area[from as usize] -= ns;
        area[to as usize] += ns;
        self.series.transition(f, from, to, t);
    }

    /// An environment of `f` entered (`by = 1`) or left (`by = -1`) `class` at `t`.
    #[inline]
    fn change(&mut self, f: usize, class: Class, t: SimTime, by: i64) {
        // Changes after the counted period count at its end.
        let t = t.min(self.to);
        self.hot[f].area[class as usize] += by as i128 * self.remaining(t);
        self.series.change(f, class, t, by);
    }

    /// An environment of `f` in `class` stops being counted at `t` (the end of the run).
    pub fn left(&mut self, f: usize, class: Class, t: SimTime) {
        self.change(f, class, t, -1);
    }

    /// A request of `f` arrived at `t` (first attempts only).
    #[inline]
    pub fn arrived(&mut self, f: usize, t: SimTime) {
        if self.counts(t) {
            self.hot[f].invocations += 1;
            if let Some(i) = self.series.slot(f, t) {
                i.arrivals += 1;
            }
        }
    }

    /// A request of `f` that arrived at `arrived` ended at `now` after running.
    #[inline]
    pub fn completed(
        &mut self,
        f: usize,
        arrived: SimTime,
        now: SimTime,
        cold: bool,
        failure: Option<Failure>,
    ) {
        if !self.counts(arrived) {
            return;
        }
        let latency = now.since(arrived).0;
        let hot = &mut self.hot[f];
        if cold {
            hot.cold += 1;
        } else {
            hot.warm += 1;
        }
        match failure {
            // A few functions' histograms stay in the cache: recorded at once.
            None if !self.buffered => {
                let s = &mut self.functions[f];
                if cold {
                    s.cold_latency.record(latency);
                } else {
                    s.warm_latency.record(latency);
                }
            }
            None => {
                self.pending.push(Pending {
                    value: latency,
                    slot: (f as u32) << 1 | u32::from(cold),
                });
                if self.pending.len() == PENDING {
                    self.flush();
                }
            }
            Some(Failure::Timeout) => self.functions[f].timeouts += 1,
            Some(Failure::OutOfMemory) => self.functions[f].out_of_memory += 1,
            Some(Failure::InitTimeout) => self.functions[f].init_timeouts += 1,
        }
        let latency = failure.is_none().then_some(latency);
        self.series.completed(f, arrived, now, cold, latency);
    }

    /// A request of `f` that arrived at `arrived` was rejected or dropped.
    #[inline]
    pub fn throttled(&mut self, f: usize, arrived: SimTime, dropped: bool) {
        if self.counts(arrived) {
            let s = &mut self.functions[f];
            s.throttled += 1;
            s.dropped += u64::from(dropped);
            if let Some(i) = self.series.slot(f, arrived) {
                i.throttled += 1;
            }
        }
    }

    /// An environment of `f` was loaded at `t` ahead of requests (after `created`).
    #[inline]
    pub fn prewarmed(&mut self, f: usize, t: SimTime) {
        if self.counts(t) {
            self.functions[f].prewarmed += 1;
        }
    }

    /// A request of `f` that arrived at `arrived` waits for memory.
    #[inline]
    pub fn capacity_waited(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.functions[f].capacity_waited += 1;
        }
    }

    /// A request of `f` that arrived at `arrived` was dropped for lack of memory.
    #[inline]
    pub fn capacity_dropped(&mut self, f: usize, arrived: SimTime) {
        self.throttled(f, arrived, false);
        if self.counts(arrived) {
            self.functions[f].capacity_dropped += 1;
        }
    }

    /// A request of `f` that arrived at `arrived` was refused by the requests-per-second limit
    /// (after `throttled`).
    #[inline]
    pub fn rate_throttled(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.functions[f].rate_throttled += 1;
        }
    }

    /// An asynchronous request of `f` whose event arrived at `arrived` failed and will be
    /// retried: one more invocation, counted with the event's arrival.
    #[inline]
    pub fn error_retried(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.hot[f].invocations += 1;
            self.functions[f].error_retries += 1;
            if let Some(i) = self.series.slot(f, arrived) {
                i.arrivals += 1;
            }
        }
    }

    /// An asynchronous event of `f` that arrived at `arrived` was discarded: it failed every
    /// attempt or expired.
    #[inline]
    pub fn dead_lettered(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.functions[f].dead_lettered += 1;
        }
    }

    /// A throttled asynchronous request of `f` will be retried.
    #[inline]
    pub fn retried(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.functions[f].retries += 1;
        }
    }

    /// An environment of `f` started init for a request that arrived at `arrived`.
    #[inline]
    pub fn init(
        &mut self,
        f: usize,
        arrived: SimTime,
        init: SimDuration,
        billed: SimDuration,
        ok: bool,
    ) {
        if self.counts(arrived) {
            let s = &mut self.functions[f];
            s.billed_init_ms += billed_ms(billed);
            if ok {
                s.init.record(init.0);
            }
        }
    }

    /// A request of `f` that arrived at `arrived` runs for `run`.
    #[inline]
    pub fn billed(&mut self, f: usize, arrived: SimTime, run: SimDuration, provisioned: bool) {
        if self.counts(arrived) {
            if provisioned {
                self.functions[f].billed_provisioned_ms += billed_ms(run);
            } else {
                self.hot[f].billed_ms += billed_ms(run);
            }
        }
    }

    /// A warm-up ping of `f` sent at `sent` ended (it is not a request: no user statistics).
    #[inline]
    pub fn ping_completed(&mut self, f: usize, sent: SimTime, cold: bool) {
        if self.counts(sent) {
            let s = &mut self.functions[f];
            if cold {
                s.ping_cold += 1;
            } else {
                s.ping_warm += 1;
            }
        }
    }

    /// A warm-up ping of `f` sent at `sent` was refused.
    #[inline]
    pub fn ping_throttled(&mut self, f: usize, sent: SimTime) {
        if self.counts(sent) {
            self.functions[f].ping_throttled += 1;
        }
    }

    /// A warm-up ping of `f` sent at `sent` was billed `run` (and `init` for its environment).
    #[inline]
    pub fn ping_billed(&mut self, f: usize, sent: SimTime, run: SimDuration, init: SimDuration) {
        if self.counts(sent) {
            let s = &mut self.functions[f];
            s.ping_billed_ms += billed_ms(run);
            s.ping_billed_init_ms += billed_ms(init);
        }
    }

    /// A request of `f` that arrived at `arrived` found every provisioned environment busy.
    #[inline]
    pub fn spillover(&mut self, f: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.functions[f].spillover += 1;
        }
    }

    /// `level` provisioned environments of `f` were allocated (`busy = false`) or busy
    /// (`busy = true`) over `[a, b)`.
    pub fn provisioned_level(&mut self, f: usize, busy: bool, level: u32, a: SimTime, b: SimTime) {
        let (a, b) = (a.max(self.from), b.min(self.to));
        if b > a && level > 0 {
            let ns = level as u128 * (b.0 - a.0) as u128;
            let s = &mut self.functions[f];
            if busy {
                s.provisioned_busy_ns += ns;
            } else {
                s.provisioned_ns += ns;
                match &mut self.pc_span[f] {
                    // Continues the span: the level changed, provisioned concurrency stayed on.
                    Some((_, end, at)) if *end == a => (*end, *at) = (b, level),
                    span => {
                        // A gap at level 0 (disabled, then enabled again) or the first span.
                        if let Some(closed) = span.replace((a, b, level)) {
                            s.provisioned_rounding_ns += pc_rounding_ns(closed);
                        }
                    }
                }
            }
            self.series.level(f, usize::from(busy), level, a, b);
        }
    }

    /// An environment of `f` was created at `t` in `class`; it counts in `created` when
    /// `counted_at` is in the counted period. The rule: an environment started for a request
    /// (or ping) counts with the request's arrival, as its cold start does, so every counted
    /// cold start has its counted environment (an asynchronous retry that cold-starts after
    /// the end included; with `env_concurrency > 1` requests that join an init are cold on
    /// that one environment); provisioned and pre-warmed ones count with their creation.
    #[inline]
    pub fn created(&mut self, f: usize, class: Class, t: SimTime, counted_at: SimTime) {
        self.change(f, class, t, 1);
        self.live[f] += 1;
        self.live_total += 1;
        if self.counts(counted_at) {
            self.functions[f].created += 1;
        }
        if self.counts(t) {
            let s = &mut self.functions[f];
            s.peak = s.peak.max(self.live[f]);
            self.peak_total = self.peak_total.max(self.live_total);
        }
    }

    /// An environment of `f` in `class` was retired at `t`.
    #[inline]
    pub fn retired(&mut self, f: usize, class: Class, t: SimTime, reason: Retirement) {
        self.change(f, class, t, -1);
        self.live[f] -= 1;
        self.live_total -= 1;
        if self.counts(t) {
            let s = &mut self.functions[f];
            match reason {
                Retirement::Idle => s.retired_idle += 1,
                Retirement::Lifetime => s.retired_lifetime += 1,
                Retirement::Error => s.retired_error += 1,
                Retirement::ScaledIn => s.retired_scale_in += 1,
                Retirement::Evicted => s.retired_evicted += 1,
            }
        }
    }

    /// The counted period starts: environments alive now count towards the peaks.
    pub fn period_started(&mut self) {
        for (s, &l) in self.functions.iter_mut().zip(&self.live) {
            s.peak = s.peak.max(l);
        }
        self.peak_total = self.peak_total.max(self.live_total);
    }

    /// Closes the statistics once every environment has left: occupancy totals and the
    /// time series' last intervals.
    pub fn finish(&mut self) {
        // A span still enabled at the end of the counted period is billed as disabled there.
        for (s, span) in self.functions.iter_mut().zip(&mut self.pc_span) {
            if let Some(closed) = span.take() {
                s.provisioned_rounding_ns += pc_rounding_ns(closed);
            }
        }
        self.flush();
        for (s, hot) in self.functions.iter_mut().zip(&mut self.hot) {
            for (o, &a) in s.occupancy.iter_mut().zip(&hot.area) {
                debug_assert!(a >= 0, "occupancy cannot be negative");
                *o = a.max(0) as u128;
            }
            s.invocations += hot.invocations;
            s.warm += hot.warm;
            s.cold += hot.cold;
            s.billed_ms += hot.billed_ms;
            *hot = Hot::default();
        }
        self.series.finish();
    }

    /// Adds the pending latencies to their histograms. One tight loop over a batch instead
    /// of one histogram access per completion: the bucket each value lands in is a random
    /// cache line of a histogram of up to ~25 KB, and with thousands of functions those miss
    /// the cache; here the misses of a whole batch overlap. The histograms are the same in
    /// any order of recording (counts, sum, min and max commute).
    fn flush(&mut self) {
        for p in self.pending.drain(..) {
            let s = &mut self.functions[(p.slot >> 1) as usize];
            if p.slot & 1 == 1 {
                s.cold_latency.record(p.value);
            } else {
                s.warm_latency.record(p.value);
            }
        }
    }

    /// Peak of live environments over all functions.
    pub fn peak_total(&self) -> u32 {
        self.peak_total
    }
}

/// AWS bills provisioned concurrency in 5-minute increments: "Provisioned Concurrency is
/// calculated from the time you enable it on your function until it is disabled, rounded up to
/// the nearest 5 minutes" (AWS Lambda pricing page, <https://aws.amazon.com/lambda/pricing/>).
pub const PC_BILLING_INCREMENT: SimDuration = SimDuration(300_000_000_000);

/// Environment-ns that the 5-minute rounding adds to a closed span `(start, end, level)` of
/// enablement: the span's length rounded up to `PC_BILLING_INCREMENT`, the extension billed at
/// `level`, the level in force when it was disabled. AWS rounds the time from enabling to
/// disabling, not each level: the configuration in force is read as continuing to the rounded
/// end, so a change of level inside a span is billed exactly and only the tail is extended.
fn pc_rounding_ns((start, end, level): (SimTime, SimTime, u32)) -> u128 {
    let len = end.0 - start.0;
    let step = PC_BILLING_INCREMENT.0;
    (len.div_ceil(step) * step - len) as u128 * level as u128
}

/// Billed duration: rounded up to the next millisecond.
#[inline]
fn billed_ms(d: SimDuration) -> u64 {
    d.0.div_ceil(1_000_000)
}

/// Why an environment was retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retirement {
    /// Keep-alive expired.
    Idle,
    /// Maximum lifetime reached.
    Lifetime,
    /// Discarded after a failed request.
    Error,
    /// A provisioned environment no longer needed (schedule or autoscaling scale-in).
    ScaledIn,
    /// Evicted to make room for another environment.
    Evicted,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-request figures kept apart (`Hot`, batched latencies) come out exactly as if
    /// each request had been written into `FunctionStats` at once: several batches, functions
    /// interleaved, failures, a counted period that excludes some arrivals.
    #[test]
    fn batched_statistics_equal_direct_recording() {
        // Both ways of adding latencies: straight into the histograms (few functions) and
        // through the buffer (more than `BUFFERED_FROM`).
        for n in [3, BUFFERED_FROM + 1] {
            batched_statistics_equal_direct_recording_with(n);
        }
    }

    fn batched_statistics_equal_direct_recording_with(n: usize) {
        let (from, to) = (SimTime(1_000), SimTime(1_000_000_000_000));
        let mut r = Recorder::new(n, from, to, SimDuration(60_000_000_000), SimDuration::MAX);
        assert_eq!(r.buffered, n > BUFFERED_FROM);
        let mut direct = vec![FunctionStats::default(); n];
        let mut x = 7u64;
        for k in 0..(3 * PENDING as u64 + 17) {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let f = (x >> 40) as usize % 3;
            let arrived = SimTime(k * 1_000_000);
            let latency = 1 + (x >> 20) % 5_000_000_000;
            let cold = (x >> 7) % 5 == 0;
            let failure = ((x >> 11) % 50 == 0).then_some(Failure::Timeout);
            r.arrived(f, arrived);
            r.billed(f, arrived, SimDuration(latency), false);
            r.completed(f, arrived, SimTime(arrived.0 + latency), cold, failure);
            if !r.counts(arrived) {
                continue;
            }
            let d = &mut direct[f];
            d.invocations += 1;
            d.billed_ms += latency.div_ceil(1_000_000);
            if cold {
                d.cold += 1;
            } else {
                d.warm += 1;
            }
            match (failure, cold) {
                (Some(_), _) => d.timeouts += 1,
                (None, true) => d.cold_latency.record(latency),
                (None, false) => d.warm_latency.record(latency),
            }
        }
        r.finish();
        for (got, want) in r.functions.iter().zip(&direct).take(3) {
            assert!(want.warm_latency.count() > PENDING as u64 / 3);
            assert_eq!(got.warm_latency, want.warm_latency);
            assert_eq!(got.cold_latency, want.cold_latency);
            assert_eq!(
                (got.invocations, got.warm, got.cold, got.timeouts),
                (want.invocations, want.warm, want.cold, want.timeouts)
            );
            assert_eq!(got.billed_ms, want.billed_ms);
        }
    }

    /// Occupancy integrated in `Hot` reaches `FunctionStats::occupancy` at `finish`.
    #[test]
    fn occupancy_reaches_the_function_totals() {
        let mut r = Recorder::new(
            2,
            SimTime(0),
            SimTime(100),
            SimDuration(10),
            SimDuration(10),
        );
        r.created(1, Class::Initializing, SimTime(10), SimTime(10));
        r.transition(1, Class::Initializing, Class::Busy, SimTime(30));
        r.transition(1, Class::Busy, Class::Idle, SimTime(60));
        r.retired(1, Class::Idle, SimTime(90), Retirement::Idle);
        r.finish();
        assert_eq!(r.functions[1].occupancy, [20, 30, 30, 0]);
        assert_eq!(r.functions[0].occupancy, [0; 4]);
    }
}

//! Per-interval statistics for `timeseries.csv` and the charts over time.
//!
//! Requests are attributed to the interval of their arrival; environment time is split
//! exactly across the intervals it spans. Each function up to `MAX_TRACKED` has its own
//! series; the rest share one.
//!
//! Memory is bounded by design. Adding a span costs O(1) however many intervals it covers: it
//! records a partial amount in its first and last interval and a change of level that carries
//! over the intervals between (a difference array), integrated when read. Latency histograms
//! exist only for intervals that can still receive a completion (the latency bound is the init
//! limit plus the timeout, plus the maximum event age with asynchronous functions); older
//! intervals keep just their mean, p50 and p99. So a row costs ~150 bytes per series, and doubling the simulated time
//! does not double the memory of histograms.

use super::histogram::CoarseHistogram;
use super::Class;
use crate::engine::{SimDuration, SimTime};

/// Functions beyond this many share one series (the all-function total stays exact).
pub const MAX_TRACKED: usize = 20;

/// One interval's figures, as read by reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interval {
    /// Requests that arrived.
    pub arrivals: u64,
    /// Of which cold starts.
    pub cold: u64,
    /// Of which warm starts.
    pub warm: u64,
    /// Of which throttled (rejected or dropped).
    pub throttled: u64,
    /// Of which failed.
    pub errors: u64,
    /// Exact mean latency of the successful ones, ns (`None` when none: nothing to measure).
    pub latency_mean_ns: Option<f64>,
    /// Median latency of the successful ones, ns (within 3.1%; `None` when none).
    pub latency_p50_ns: Option<f64>,
    /// 99th percentile latency of the successful ones, ns (within 3.1%; `None` when none).
    pub latency_p99_ns: Option<f64>,
    /// Environment-nanoseconds per `Class`.
    pub occupancy: [u128; 4],
    /// Provisioned environment-nanoseconds allocated (`[0]`) and busy (`[1]`).
    pub provisioned: [u128; 2],
}

/// Difference-array form of one interval's provisioned levels (allocated, busy).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct LevelEdge {
    partial: [i128; 2],
    delta: [i64; 2],
}

/// Request counts of one interval of one series.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    /// Requests that arrived.
    pub arrivals: u64,
    /// Of which cold starts.
    pub cold: u64,
    /// Of which warm starts.
    pub warm: u64,
    /// Of which throttled.
    pub throttled: u64,
    /// Of which failed.
    pub errors: u64,
    /// Latency mean, p50 and p99 once closed, ns; NaN when no request completed (read as
    /// `None`: a NaN keeps a row at 8 bytes per figure).
    mean: f64,
    p50: f64,
    p99: f64,
}

/// A closed interval's latency figure: `None` for the NaN of an interval without latencies.
fn measured(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// Mean, p50 and p99 of `h`, NaN when it is empty (nothing was measured).
fn latency_figures(h: &CoarseHistogram) -> (f64, f64, f64) {
    if h.count() == 0 {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        (h.mean(), h.quantile(0.5), h.quantile(0.99))
    }
}

/// Difference-array form of one interval's occupancy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Edge {
    /// Environment-ns inside this interval from spans that start or end in it.
    partial: [i128; 4],
    /// Spans starting here minus spans ending here: the level carried to later intervals.
    delta: [i64; 4],
}

/// Interval series per tracked function (and one for the others).
#[derive(Clone, Debug)]
pub struct TimeSeries {
    /// Start of the first interval.
    pub start: SimTime,
    /// Width of an interval, ns.
    pub interval_ns: u64,
    /// Number of intervals.
    pub len: usize,
    /// `counts[g][i]`: interval `i` of series `g`.
    counts: Vec<Vec<Counts>>,
    /// `edges[g][i]`: occupancy of interval `i` of series `g`, as a difference array.
    edges: Vec<Vec<Edge>>,
    /// Latency histograms of the open intervals, a ring: interval `finalized + k` of series
    /// `g` is `open[(ring_head + k) % window][g]`.
    open: Vec<Vec<CoarseHistogram>>,
    /// Intervals before this one are final (histograms summarised).
    finalized: usize,
    /// Mean, p50 and p99 over all series, per final interval.
    total_latency: Vec<(f64, f64, f64)>,
    /// A latency is recorded at most this long after its request's arrival.
    latency_bound: SimDuration,
    /// The next interval can be closed from this time on (ns): saves a division per latency.
    close_at: u64,
    /// Position of interval `finalized` in the ring `open`.
    ring_head: usize,
    /// `levels[g][i]`: provisioned levels of interval `i` of series `g`, as a difference
    /// array; empty until a function has provisioned concurrency.
    levels: Vec<Vec<LevelEdge>>,
    /// Number of functions with a series of their own.
    tracked: usize,
    /// The interval of the latest time looked up, and its bounds (ns): most lookups hit it,
    /// which saves a division.
    cached: (usize, u64, u64),
}

impl TimeSeries {
    /// Series for `functions` functions over `[start, end)` in steps of `interval_ns`, for
    /// requests whose latency never exceeds `latency_bound`.
    pub fn new(
        functions: usize,
        start: SimTime,
        end: SimTime,
        interval_ns: u64,
        latency_bound: SimDuration,
    ) -> Self {
        let interval_ns = interval_ns.max(1);
        let len = (end.0.saturating_sub(start.0)).div_ceil(interval_ns) as usize;
        let tracked = functions.min(MAX_TRACKED);
        let groups = tracked + usize::from(functions > tracked);
        // An interval stays open until its end plus the bound has passed.
        let window = ((latency_bound.0 / interval_ns) as usize)
            .saturating_add(2)
            .min(len.max(1));
        TimeSeries {
            start,
            interval_ns,
            len,
            counts: vec![vec![Counts::default(); len]; groups],
            edges: vec![vec![Edge::default(); len]; groups],
            open: vec![vec![CoarseHistogram::new(); groups]; window],
            finalized: 0,
            total_latency: Vec::with_capacity(len),
            latency_bound,
            close_at: start
                .0
                .saturating_add(interval_ns)
                .saturating_add(latency_bound.0),
            ring_head: 0,
            levels: vec![Vec::new(); groups],
            tracked,
            cached: (
                0,
                start.0,
                start
                    .0
                    .saturating_add(interval_ns)
                    .min(start.0 + len as u64 * interval_ns),
            ),
        }
    }

    /// Series index of function `f`: its own, or the shared one (computed, not looked up: a
    /// table of thousands of functions would cost a cache miss per request).
    #[inline]
    fn group(&self, f: usize) -> usize {
        f.min(self.tracked)
    }

    #[inline]
    fn index(&mut self, t: SimTime) -> Option<usize> {
        let (i, lo, hi) = self.cached;
        if t.0 >= lo && t.0 < hi {
            return Some(i);
        }
        if t < self.start {
            return None;
        }
        let i = ((t.0 - self.start.0) / self.interval_ns) as usize;
        if i >= self.len {
            return None;
        }
        let lo = self.start.0 + i as u64 * self.interval_ns;
        self.cached = (i, lo, lo + self.interval_ns);
        Some(i)
    }

    /// The counts of `f`'s series for the interval holding `t`, if any.
    #[inline]
    pub fn slot(&mut self, f: usize, t: SimTime) -> Option<&mut Counts> {
        let i = self.index(t)?;
        let g = self.group(f);
        Some(&mut self.counts[g][i])
    }

    /// Records the latency of a successful request of `f` that arrived at `arrived`; `now` is
    /// the current time (it closes intervals that can no longer receive a completion).
    #[inline]
    pub fn latency(&mut self, f: usize, arrived: SimTime, now: SimTime, latency_ns: u64) {
        if now.0 >= self.close_at {
            self.close_until(now);
        }
        if let Some(i) = self.index(arrived) {
            self.record_latency(f, i, latency_ns);
        }
    }

    /// A request of `f` that arrived at `arrived` ended at `now` after running, cold or
    /// warm, with its latency (`None`: it failed). One interval lookup for both figures.
    #[inline]
    pub fn completed(
        &mut self,
        f: usize,
        arrived: SimTime,
        now: SimTime,
        cold: bool,
        latency_ns: Option<u64>,
    ) {
        if now.0 >= self.close_at {
            self.close_until(now);
        }
        let Some(i) = self.index(arrived) else { return };
        let g = self.group(f);
        let c = &mut self.counts[g][i];
        if cold {
            c.cold += 1;
        } else {
            c.warm += 1;
        }
        match latency_ns {
            Some(ns) => self.record_latency(f, i, ns),
            None => c.errors += 1,
        }
    }

    /// Adds a latency of `f` to open interval `i`.
    #[inline]
    fn record_latency(&mut self, f: usize, i: usize, latency_ns: u64) {
        if i < self.finalized {
            debug_assert!(false, "a latency beyond the latency bound");
            return;
        }
        // The ring holds intervals `finalized ..` from `ring_head` on.
        let window = self.open.len();
        let mut k = self.ring_head + (i - self.finalized);
        if k >= window {
            k -= window;
        }
        let g = self.group(f);
        self.open[k][g].record(latency_ns);
    }

    /// Closes the intervals that ended more than the latency bound before `now`.
    pub fn close_until(&mut self, now: SimTime) {
        let horizon = now
            .0
            .saturating_sub(self.latency_bound.0)
            .saturating_sub(self.start.0);
        let closable = ((horizon / self.interval_ns) as usize).min(self.len);
        // Also keep the ring from wrapping over an open interval.
        while self.finalized < closable {
            self.close_next();
        }
        self.close_at = (self.finalized as u64 + 1)
            .saturating_mul(self.interval_ns)
            .saturating_add(self.start.0)
            .saturating_add(self.latency_bound.0);
    }

    /// Summarises the oldest open interval and frees its histograms for reuse.
    fn close_next(&mut self) {
        let i = self.finalized;
        let window = self.open.len();
        let slot = &mut self.open[self.ring_head];
        let mut total = CoarseHistogram::new();
        for (g, h) in slot.iter_mut().enumerate() {
            let c = &mut self.counts[g][i];
            (c.mean, c.p50, c.p99) = latency_figures(h);
            total.merge(h);
            h.clear();
        }
        self.total_latency.push(latency_figures(&total));
        self.finalized += 1;
        self.ring_head += 1;
        if self.ring_head == window {
            self.ring_head = 0;
        }
    }

    /// Closes every interval: call once the run is over.
    pub fn finish(&mut self) {
        while self.finalized < self.len {
            self.close_next();
        }
    }

    /// Adds environment time `[a, b)` in `class`, split across intervals, in O(1).
    pub fn span(&mut self, f: usize, class: Class, a: SimTime, b: SimTime) {
        self.change(f, class, a, 1);
        self.change(f, class, b, -1);
    }

    /// The number of `f`'s environments in `class` changes by `by` at `t`, in O(1): the
    /// change is recorded in `t`'s interval and its level carries over the later ones (a
    /// difference array). Changes before the start count from the start.
    #[inline]
    pub fn change(&mut self, f: usize, class: Class, t: SimTime, by: i64) {
        let Some((i, hi)) = self.edge(t) else { return };
        let g = self.group(f);
        let e = &mut self.edges[g][i];
        e.partial[class as usize] += by as i128 * (hi - t.0.max(self.start.0)) as i128;
        e.delta[class as usize] += by;
    }

    /// One of `f`'s environments moves from class `from` to class `to` at `t`.
    #[inline(always)]
    pub fn transition(&mut self, f: usize, from: Class, to: Class, t: SimTime) {
        let Some((i, hi)) = self.edge(t) else { return };
        let g = self.group(f);
        let e = &mut self.edges[g][i];
        let ns = (hi - t.0.max(self.start.0)) as i128;
        e.partial[from as usize] -= ns;
        e.delta[from as usize] -= 1;
        e.partial[to as usize] += ns;
        e.delta[to as usize] += 1;
    }

    /// The interval holding `t` (the first one if `t` is earlier) and its end, ns; `None`
    /// past the last interval.
    #[inline]
    fn edge(&mut self, t: SimTime) -> Option<(usize, u64)> {
        let i = self.index(t.max(self.start))?;
        Some((i, self.cached.2))
    }

    /// Adds `level` environments over `[a, b)` to provisioned channel `ch` (0 allocated,
    /// 1 busy), in O(1).
    pub fn level(&mut self, f: usize, ch: usize, level: u32, a: SimTime, b: SimTime) {
        let end = self.start.0 + self.len as u64 * self.interval_ns;
        let (a, b) = (a.0.max(self.start.0), b.0.min(end));
        if b <= a {
            return;
        }
        let w = self.interval_ns;
        let g = self.group(f);
        let edges = &mut self.levels[g];
        if edges.is_empty() {
            edges.resize(self.len, LevelEdge::default());
        }
        let l = level as i128;
        let ia = ((a - self.start.0) / w) as usize;
        edges[ia].partial[ch] += l * (self.start.0 + (ia as u64 + 1) * w - a) as i128;
        edges[ia].delta[ch] += level as i64;
        let ib = ((b - self.start.0) / w) as usize;
        if ib < self.len {
            edges[ib].partial[ch] -= l * (self.start.0 + (ib as u64 + 1) * w - b) as i128;
            edges[ib].delta[ch] -= level as i64;
        }
    }

    /// Series `g` with its occupancy integrated, interval by interval (nothing is stored).
    fn integrated(&self, g: usize) -> impl Iterator<Item = Interval> + '_ {
        let mut level = [0i64; 4];
        self.counts[g]
            .iter()
            .zip(&self.edges[g])
            .map(move |(c, e)| {
                let mut iv = Interval {
                    arrivals: c.arrivals,
                    cold: c.cold,
                    warm: c.warm,
                    throttled: c.throttled,
                    errors: c.errors,
                    latency_mean_ns: measured(c.mean),
                    latency_p50_ns: measured(c.p50),
                    latency_p99_ns: measured(c.p99),
                    occupancy: [0; 4],
                    provisioned: [0; 2],
                };
                for ((occ, lvl), (partial, delta)) in iv
                    .occupancy
                    .iter_mut()
                    .zip(&mut level)
                    .zip(e.partial.iter().zip(&e.delta))
                {
                    let ns = partial + *lvl as i128 * self.interval_ns as i128;
                    debug_assert!(ns >= 0, "occupancy cannot be negative");
                    *occ = ns.max(0) as u128;
                    *lvl += delta;
                }
                iv
            })
            .zip(
                self.levels[g]
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .scan([0i64; 2], |level, (mut iv, e)| {
                if let Some(e) = e {
                    for (ch, lvl) in level.iter_mut().enumerate() {
                        let ns = e.partial[ch] + *lvl as i128 * self.interval_ns as i128;
                        iv.provisioned[ch] = ns.max(0) as u128;
                        *lvl += e.delta[ch];
                    }
                }
                Some(iv)
            })
    }

    /// The series of function `f`, if it has one of its own (after `finish`).
    pub fn function(&self, f: usize) -> Option<Vec<Interval>> {
        self.function_rows(f).map(Iterator::collect)
    }

    /// The series of function `f` interval by interval, if it has one of its own (after
    /// `finish`).
    pub fn function_rows(&self, f: usize) -> Option<impl Iterator<Item = Interval> + '_> {
        (f < self.tracked).then(|| self.integrated(f))
    }

    /// True when every function has a series of its own.
    pub fn all_tracked(&self) -> bool {
        self.counts.len() == self.tracked
    }

    /// The all-function series (after `finish`).
    pub fn total(&self) -> Vec<Interval> {
        self.total_rows().collect()
    }

    /// The all-function series interval by interval (after `finish`): what reports stream
    /// out without holding a second copy of the series.
    pub fn total_rows(&self) -> impl Iterator<Item = Interval> + '_ {
        let mut groups: Vec<_> = (0..self.counts.len()).map(|g| self.integrated(g)).collect();
        (0..self.len).map(move |k| {
            let mut o = Interval::default();
            for i in groups.iter_mut().filter_map(Iterator::next) {
                o.arrivals += i.arrivals;
                o.cold += i.cold;
                o.warm += i.warm;
                o.throttled += i.throttled;
                o.errors += i.errors;
                for (a, b) in o.occupancy.iter_mut().zip(i.occupancy) {
                    *a += b;
                }
                for (a, b) in o.provisioned.iter_mut().zip(i.provisioned) {
                    *a += b;
                }
            }
            if let Some(&(mean, p50, p99)) = self.total_latency.get(k) {
                o.latency_mean_ns = measured(mean);
                o.latency_p50_ns = measured(p50);
                o.latency_p99_ns = measured(p99);
            }
            o
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_split_exactly_across_intervals() {
        let mut ts = TimeSeries::new(1, SimTime(100), SimTime(400), 100, SimDuration(1000));
        assert_eq!(ts.len, 3);
        ts.span(0, Class::Idle, SimTime(50), SimTime(350));
        let s = ts.function(0).expect("tracked");
        let idle: Vec<u128> = s
            .iter()
            .map(|i| i.occupancy[Class::Idle as usize])
            .collect();
        assert_eq!(idle, vec![100, 100, 50]);
    }

    #[test]
    fn difference_array_matches_direct_splitting() {
        // Many random spans: the integrated occupancy equals splitting each span directly.
        let (w, len) = (7u64, 50usize);
        let mut ts = TimeSeries::new(
            1,
            SimTime(3),
            SimTime(3 + w * len as u64),
            w,
            SimDuration(10),
        );
        let mut direct = vec![0u128; len];
        let mut x = 12345u64;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (x >> 33) % 400;
            let b = a + (x >> 13) % 120;
            ts.span(0, Class::Busy, SimTime(a), SimTime(b));
            for t in a.max(3)..b.min(3 + w * len as u64) {
                direct[((t - 3) / w) as usize] += 1;
            }
        }
        let got: Vec<u128> = ts
            .function(0)
            .expect("tracked")
            .iter()
            .map(|i| i.occupancy[Class::Busy as usize])
            .collect();
        assert_eq!(got, direct);
    }

    /// Regression (issue 15): an interval where no request completed had latencies of 0.
    #[test]
    fn an_interval_without_latencies_has_none() {
        let mut ts = TimeSeries::new(2, SimTime(0), SimTime(100), 10, SimDuration(25));
        ts.latency(0, SimTime(1), SimTime(5), 4);
        ts.finish();
        let f0 = ts.function(0).expect("tracked");
        assert_eq!(f0[0].latency_p50_ns.map(|v| v.round()), Some(4.0));
        for iv in f0[1..].iter().chain(&ts.function(1).expect("tracked")) {
            assert_eq!(
                (iv.latency_mean_ns, iv.latency_p50_ns, iv.latency_p99_ns),
                (None, None, None)
            );
        }
        let total = ts.total();
        assert!(total[0].latency_p99_ns.is_some());
        assert!(total[1..].iter().all(|iv| iv.latency_p50_ns.is_none()));
    }

    #[test]
    fn latency_percentiles_survive_closing_and_the_ring_wraps() {
        // 100 intervals of 10 ns, latencies bounded by 25 ns: at most 4 intervals are open.
        let mut ts = TimeSeries::new(2, SimTime(0), SimTime(1000), 10, SimDuration(25));
        assert_eq!(ts.open.len(), 4);
        for i in 0..100u64 {
            let arrived = SimTime(i * 10 + 1);
            ts.latency(0, arrived, SimTime(arrived.0 + 20), 1000 + i);
            ts.latency(1, arrived, SimTime(arrived.0 + 20), 5000);
        }
        ts.finish();
        let f0 = ts.function(0).expect("tracked");
        for (i, iv) in f0.iter().enumerate() {
            let want = 1000.0 + i as f64;
            let p50 = iv.latency_p50_ns.expect("measured");
            assert!(
                (p50 - want).abs() / want < 1.0 / 32.0,
                "interval {i}: {p50}"
            );
        }
        let total = ts.total();
        assert!(total.iter().all(|iv| iv
            .latency_p99_ns
            .is_some_and(|p99| (p99 - 5000.0).abs() / 5000.0 < 1.0 / 32.0)));
    }

    #[test]
    fn untracked_functions_share_a_series_and_totals_add_up() {
        let n = MAX_TRACKED + 5;
        let mut ts = TimeSeries::new(n, SimTime(0), SimTime(10), 10, SimDuration(10));
        for f in 0..n {
            ts.slot(f, SimTime(3)).expect("in range").arrivals += 1;
        }
        assert!(!ts.all_tracked());
        assert_eq!(ts.total()[0].arrivals, n as u64);
        assert!(ts.function(MAX_TRACKED).is_none());
    }
}

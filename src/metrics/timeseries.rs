//! Per-interval statistics for `timeseries.csv` and the charts over time.
//!
//! Requests are attributed to the interval of their arrival; environment time is split
//! exactly across the intervals it spans. Each function up to `MAX_TRACKED` has its own
//! series; the rest share one, so memory grows with intervals × tracked functions only.
//!
//! Adding a span costs O(1) however many intervals it covers: it records a partial amount in
//! its first and last interval and a change of level that carries over the intervals between
//! (a difference array); the per-interval totals are integrated when read.

use super::histogram::CoarseHistogram;
use super::Class;
use crate::engine::SimTime;

/// Functions beyond this many share one series (the all-function total stays exact).
pub const MAX_TRACKED: usize = 20;

/// One interval's figures.
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
    /// Latency of the successful ones, ns.
    pub latency: CoarseHistogram,
    /// Environment-nanoseconds per `Class`.
    pub occupancy: [u128; 4],
}

/// Difference-array form of one interval's occupancy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Edge {
    /// Environment-ns inside this interval from spans that start or end in it.
    partial: [i128; 4],
    /// Spans starting here minus spans ending here: the level carried to later intervals.
    delta: [i64; 4],
}

impl Interval {
    fn merge(&mut self, o: &Interval) {
        self.arrivals += o.arrivals;
        self.cold += o.cold;
        self.warm += o.warm;
        self.throttled += o.throttled;
        self.errors += o.errors;
        self.latency.merge(&o.latency);
        for k in 0..4 {
            self.occupancy[k] += o.occupancy[k];
        }
    }
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
    /// Series index of each function.
    group: Vec<u32>,
    /// `groups[g][i]`: interval `i` of series `g` (occupancy left at zero; see `edges`).
    groups: Vec<Vec<Interval>>,
    /// `edges[g][i]`: occupancy of interval `i` of series `g`, as a difference array.
    edges: Vec<Vec<Edge>>,
    /// Number of functions with a series of their own.
    tracked: usize,
}

impl TimeSeries {
    /// Series for `functions` functions over `[start, end)` in steps of `interval_ns`.
    pub fn new(functions: usize, start: SimTime, end: SimTime, interval_ns: u64) -> Self {
        let len = (end.0.saturating_sub(start.0)).div_ceil(interval_ns.max(1)) as usize;
        let tracked = functions.min(MAX_TRACKED);
        let groups = tracked + usize::from(functions > tracked);
        TimeSeries {
            start,
            interval_ns: interval_ns.max(1),
            len,
            group: (0..functions).map(|f| f.min(tracked) as u32).collect(),
            groups: vec![vec![Interval::default(); len]; groups],
            edges: vec![vec![Edge::default(); len]; groups],
            tracked,
        }
    }

    /// The interval holding `t`, if any.
    #[inline]
    pub fn slot(&mut self, f: usize, t: SimTime) -> Option<&mut Interval> {
        if t < self.start {
            return None;
        }
        let i = ((t.0 - self.start.0) / self.interval_ns) as usize;
        let g = self.group[f] as usize;
        self.groups[g].get_mut(i)
    }

    /// Adds environment time `[a, b)` in `class`, split across intervals, in O(1).
    #[inline]
    pub fn span(&mut self, f: usize, class: Class, a: SimTime, b: SimTime) {
        let end = self.start.0 + self.len as u64 * self.interval_ns;
        let (a, b) = (a.0.max(self.start.0), b.0.min(end));
        if b <= a {
            return;
        }
        let (w, c) = (self.interval_ns, class as usize);
        let edges = &mut self.edges[self.group[f] as usize];
        let ia = ((a - self.start.0) / w) as usize;
        edges[ia].partial[c] += (self.start.0 + (ia as u64 + 1) * w - a) as i128;
        edges[ia].delta[c] += 1;
        let ib = ((b - self.start.0) / w) as usize;
        if ib < self.len {
            edges[ib].partial[c] -= (self.start.0 + (ib as u64 + 1) * w - b) as i128;
            edges[ib].delta[c] -= 1;
        }
    }

    /// Series `g` with its occupancy integrated.
    fn integrated(&self, g: usize) -> Vec<Interval> {
        let mut level = [0i64; 4];
        self.groups[g]
            .iter()
            .zip(&self.edges[g])
            .map(|(iv, e)| {
                let mut iv = iv.clone();
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
            .collect()
    }

    /// The series of function `f`, if it has one of its own.
    pub fn function(&self, f: usize) -> Option<Vec<Interval>> {
        (f < self.tracked).then(|| self.integrated(f))
    }

    /// True when every function has a series of its own.
    pub fn all_tracked(&self) -> bool {
        self.groups.len() == self.tracked
    }

    /// The all-function series.
    pub fn total(&self) -> Vec<Interval> {
        let mut out = vec![Interval::default(); self.len];
        for g in 0..self.groups.len() {
            for (o, i) in out.iter_mut().zip(self.integrated(g)) {
                o.merge(&i);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_split_exactly_across_intervals() {
        let mut ts = TimeSeries::new(1, SimTime(100), SimTime(400), 100);
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
        let mut ts = TimeSeries::new(1, SimTime(3), SimTime(3 + w * len as u64), w);
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

    #[test]
    fn untracked_functions_share_a_series_and_totals_add_up() {
        let n = MAX_TRACKED + 5;
        let mut ts = TimeSeries::new(n, SimTime(0), SimTime(10), 10);
        for f in 0..n {
            ts.slot(f, SimTime(3)).expect("in range").arrivals += 1;
        }
        assert!(!ts.all_tracked());
        assert_eq!(ts.total()[0].arrivals, n as u64);
        assert!(ts.function(MAX_TRACKED).is_none());
    }
}

//! Per-interval statistics for `timeseries.csv` and the charts over time.
//!
//! Requests are attributed to the interval of their arrival; environment time is split
//! exactly across the intervals it spans. Each function up to `MAX_TRACKED` has its own
//! series; the rest share one, so memory grows with intervals × tracked functions only.

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
    /// `groups[g][i]`: interval `i` of series `g`.
    groups: Vec<Vec<Interval>>,
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

    /// Adds environment time `[a, b)` in `class`, split across intervals.
    pub fn span(&mut self, f: usize, class: Class, a: SimTime, b: SimTime) {
        let g = self.group[f] as usize;
        let mut t = a.0.max(self.start.0);
        let end = b.0.min(self.start.0 + self.len as u64 * self.interval_ns);
        while t < end {
            let i = ((t - self.start.0) / self.interval_ns) as usize;
            let stop = (self.start.0 + (i as u64 + 1) * self.interval_ns).min(end);
            self.groups[g][i].occupancy[class as usize] += (stop - t) as u128;
            t = stop;
        }
    }

    /// The series of function `f`, if it has one of its own.
    pub fn function(&self, f: usize) -> Option<&[Interval]> {
        (f < self.tracked).then(|| self.groups[f].as_slice())
    }

    /// True when every function has a series of its own.
    pub fn all_tracked(&self) -> bool {
        self.groups.len() == self.tracked
    }

    /// The all-function series.
    pub fn total(&self) -> Vec<Interval> {
        let mut out = vec![Interval::default(); self.len];
        for g in &self.groups {
            for (o, i) in out.iter_mut().zip(g) {
                o.merge(i);
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

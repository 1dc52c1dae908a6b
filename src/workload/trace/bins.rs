//! Expansion of per-interval counts into requests, one interval at a time for all functions:
//! each count is scaled by `rate_scale`, spread over its interval, and the interval's requests
//! are sorted. The buffer holds one interval, so memory follows the busiest interval only.

use super::{round_stochastic, Arrival, Spread};
use crate::engine::rng::Rng;
use crate::engine::{SimDuration, SimTime};
use rand::Rng as _;
use rand_distr::Distribution as _;

/// Execution times given as percentiles 0, 1, 25, 50, 75, 99 and 100 (nanoseconds), sampled
/// piecewise-linearly between them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Percentiles(pub [f64; 7]);

/// The percentile ranks of [`Percentiles`].
const RANKS: [f64; 7] = [0.0, 1.0, 25.0, 50.0, 75.0, 99.0, 100.0];

impl Percentiles {
    /// Whether the values are finite, ≥ 0 and non-decreasing.
    pub fn is_valid(&self) -> bool {
        self.0.iter().all(|v| v.is_finite() && *v >= 0.0) && self.0.windows(2).all(|w| w[0] <= w[1])
    }

    /// One draw by inverse transform of the piecewise-linear distribution function,
    /// nanoseconds (≥ 0, finite).
    #[inline]
    fn sample_ns(&self, rng: &mut Rng) -> f64 {
        let u = rng.random::<f64>() * 100.0;
        let i = RANKS[1..6].iter().take_while(|&&r| u >= r).count();
        let (r0, r1) = (RANKS[i], RANKS[i + 1]);
        let (v0, v1) = (self.0[i], self.0[i + 1]);
        v0 + (v1 - v0) * (u - r0) / (r1 - r0)
    }
}

/// The requests of one interval, in time order.
///
/// Each request is one 16-byte record (offset in the interval; function and execution time),
/// sorted as a whole, so equal offsets are ordered by function then execution time and the
/// order never depends on the sort algorithm. Reading records in order avoids gathering from
/// parallel arrays.
#[derive(Debug)]
pub struct Bins {
    spread: Spread,
    rate_scale: f64,
    rng: Rng,
    start: SimTime,
    width: SimDuration,
    /// `(offset ns, function << 32 | execution µs)`, execution `u32::MAX` for none.
    records: Vec<(u64, u64)>,
    /// `records` in order, and the bucket counts that order them.
    sorted: Vec<(u64, u64)>,
    buckets: Vec<u32>,
    pos: usize,
}

/// Most requests one interval may hold: its buffers take 32 bytes per request (512 MB here).
pub const MAX_INTERVAL_REQUESTS: u64 = 1 << 24;

/// The requests of one `count` after `rate_scale` if they alone are more than an interval may
/// hold: validation refuses such a count, so a replay never fails on it.
pub fn too_many(count: f64, rate_scale: f64) -> Option<u64> {
    let scaled = count * rate_scale;
    (scaled > MAX_INTERVAL_REQUESTS as f64).then(|| scaled.ceil().min(u64::MAX as f64) as u64)
}

/// Execution times are kept in microseconds (`u32`: up to 71 min, beyond Lambda's 15 min timeout).
const NO_EXECUTION: u64 = u32::MAX as u64;

impl Bins {
    /// An empty expander.
    pub fn new(spread: Spread, rate_scale: f64, rng: Rng) -> Bins {
        Bins {
            spread,
            rate_scale,
            rng,
            start: SimTime::ZERO,
            width: SimDuration::ZERO,
            records: Vec::new(),
            sorted: Vec::new(),
            buckets: Vec::new(),
            pos: 0,
        }
    }

    /// Starts the interval `[start, start + width)`.
    pub fn clear(&mut self, start: SimTime, width: SimDuration) {
        self.start = start;
        self.width = width;
        self.records.clear();
        self.sorted.clear();
        self.pos = 0;
    }

    /// Adds `count` requests (before `rate_scale`) of `function` to the interval, with
    /// execution times drawn from `execution` when given.
    /// `Err(total)` if the interval would hold more than [`MAX_INTERVAL_REQUESTS`].
    #[inline]
    pub fn add(
        &mut self,
        function: u32,
        count: f64,
        execution: Option<&Percentiles>,
    ) -> Result<(), u64> {
        let scaled = count * self.rate_scale;
        // Also skips NaN.
        if scaled.is_nan() || scaled <= 0.0 {
            return Ok(());
        }
        let n = match self.spread {
            Spread::Poisson => match rand_distr::Poisson::new(scaled) {
                Ok(p) => p.sample(&mut self.rng) as u64,
                Err(_) => scaled.round() as u64,
            },
            Spread::Uniform | Spread::Equidistant => round_stochastic(scaled, &mut self.rng),
        };
        let total = (self.records.len() as u64).saturating_add(n);
        if total > MAX_INTERVAL_REQUESTS {
            return Err(total);
        }
        let w = self.width.0;
        let last = w.saturating_sub(1);
        let f = u64::from(function) << 32;
        for i in 0..n {
            let offset = match self.spread {
                Spread::Equidistant => ((2 * i + 1) as u128 * w as u128 / (2 * n) as u128) as u64,
                Spread::Uniform | Spread::Poisson => (self.rng.random::<f64>() * w as f64) as u64,
            };
            // `+ 0.5` and a truncating cast round to the nearest µs without a libm call.
            let exec_us = execution.map_or(NO_EXECUTION, |p| {
                ((p.sample_ns(&mut self.rng) * 1e-3 + 0.5) as u64).min(NO_EXECUTION - 1)
            });
            self.records.push((offset.min(last), f | exec_us));
        }
        Ok(())
    }

    /// Ends the interval: orders its requests by time (ties by function, then execution time).
    ///
    /// A counting pass spreads the records over about one bucket per 16 of them by offset (a
    /// non-decreasing map, so equal offsets share a bucket), then each small bucket is sorted:
    /// the same order as one big sort, in well under half the time.
    pub fn finish(&mut self) {
        let n = self.records.len();
        let nb = (n / 16).clamp(1, 1 << 20);
        let scale = nb as f64 / self.width.0.max(1) as f64;
        let bucket = |offset: u64| ((offset as f64 * scale) as usize).min(nb - 1);
        self.buckets.clear();
        self.buckets.resize(nb + 1, 0);
        for r in &self.records {
            self.buckets[bucket(r.0) + 1] += 1;
        }
        for b in 1..=nb {
            self.buckets[b] += self.buckets[b - 1];
        }
        self.sorted.resize(n, (0, 0));
        for &r in &self.records {
            let b = bucket(r.0);
            self.sorted[self.buckets[b] as usize] = r;
            self.buckets[b] += 1;
        }
        // `buckets[b]` is now the end of bucket b (and the start of b + 1).
        let mut start = 0;
        for b in 0..nb {
            let end = self.buckets[b] as usize;
            self.sorted[start..end].sort_unstable();
            start = end;
        }
        self.pos = 0;
    }

    /// The next request of the interval.
    #[inline]
    pub fn next(&mut self) -> Option<Arrival> {
        let &(offset, payload) = self.sorted.get(self.pos)?;
        self.pos += 1;
        let exec_us = payload & NO_EXECUTION;
        Some(Arrival {
            at: self.start + SimDuration(offset),
            function: (payload >> 32) as u32,
            execution: (exec_us != NO_EXECUTION).then_some(SimDuration(exec_us * 1_000)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn expand(spread: Spread, rate_scale: f64, count: f64) -> Vec<Arrival> {
        let mut b = Bins::new(spread, rate_scale, stream(1, 2, 3));
        b.clear(SimTime(1_000), SimDuration(60));
        b.add(0, count, None).expect("small");
        b.add(1, count, None).expect("small");
        b.finish();
        std::iter::from_fn(|| b.next()).collect()
    }

    #[test]
    fn ties_are_ordered_by_function_and_executions_follow_their_request() {
        let p = Percentiles([5.0; 7]);
        let mut b = Bins::new(Spread::Equidistant, 1.0, stream(1, 2, 3));
        b.clear(SimTime(0), SimDuration(u64::MAX / 2));
        for (f, e) in [(7, None), (3, Some(&p)), (9, None)] {
            b.add(f, 1.0, e).expect("small");
        }
        b.finish();
        let a: Vec<Arrival> = std::iter::from_fn(|| b.next()).collect();
        assert_eq!(a.iter().map(|x| x.function).collect::<Vec<_>>(), [3, 7, 9]);
        // Kept in microseconds: 5 ns rounds to 0.
        assert_eq!(a[0].execution, Some(SimDuration(0)));
        assert_eq!(a[1].execution, None);
    }

    #[test]
    fn uniform_keeps_exact_counts_inside_the_interval() {
        let a = expand(Spread::Uniform, 1.0, 7.0);
        assert_eq!(a.len(), 14);
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(a
            .iter()
            .all(|x| x.at >= SimTime(1_000) && x.at < SimTime(1_060)));
    }

    #[test]
    fn bucketed_order_equals_one_sort() {
        let mut b = Bins::new(Spread::Uniform, 1.0, stream(9, 9, 9));
        b.clear(SimTime(0), SimDuration(60_000_000_000));
        for f in 0..50 {
            b.add(f, 500.0, None).expect("small");
        }
        let mut all = b.records.clone();
        b.finish();
        all.sort_unstable();
        assert_eq!(b.sorted, all);
    }

    #[test]
    fn an_overfull_interval_is_refused_before_allocating() {
        let mut b = Bins::new(Spread::Uniform, 1e12, stream(1, 1, 1));
        b.clear(SimTime(0), SimDuration(60));
        assert_eq!(b.add(0, 1.0, None), Err(1_000_000_000_000));
        assert!(b.records.is_empty());
    }

    #[test]
    fn equidistant_spaces_evenly() {
        let a = expand(Spread::Equidistant, 1.0, 3.0);
        let f0: Vec<u64> = a
            .iter()
            .filter(|x| x.function == 0)
            .map(|x| x.at.0 - 1_000)
            .collect();
        assert_eq!(f0, [10, 30, 50]);
    }

    #[test]
    fn rate_scale_rounds_stochastically() {
        // 0.25 × 10 = 2.5 per function: 2 or 3 each, never anything else.
        let n = expand(Spread::Uniform, 0.25, 10.0).len();
        assert!((4..=6).contains(&n), "{n}");
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let p = Percentiles([0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
        assert!(p.is_valid());
        let mut rng = stream(5, 0, 0);
        let draws: Vec<f64> = (0..20_000).map(|_| p.sample_ns(&mut rng)).collect();
        // Half of the mass lies below the median (30 ns), a quarter below 20 ns.
        let below = |v: f64| draws.iter().filter(|&&d| d < v).count() as f64 / draws.len() as f64;
        assert!((below(30.0) - 0.5).abs() < 0.02);
        assert!((below(20.0) - 0.25).abs() < 0.02);
        assert!(draws.iter().all(|&d| (0.0..=60.0).contains(&d)));
        assert!(!Percentiles([1.0, 0.5, 2.0, 3.0, 4.0, 5.0, 6.0]).is_valid());
    }
}

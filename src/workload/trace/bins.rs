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

    /// One draw by inverse transform of the piecewise-linear distribution function.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> SimDuration {
        let u = rng.random::<f64>() * 100.0;
        let i = RANKS[1..6].iter().take_while(|&&r| u >= r).count();
        let (r0, r1) = (RANKS[i], RANKS[i + 1]);
        let (v0, v1) = (self.0[i], self.0[i + 1]);
        SimDuration::from_nanos_f64(v0 + (v1 - v0) * (u - r0) / (r1 - r0))
    }
}

/// The requests of one interval, in time order.
#[derive(Debug)]
pub struct Bins {
    spread: Spread,
    rate_scale: f64,
    rng: Rng,
    buf: Vec<Arrival>,
    pos: usize,
}

impl Bins {
    /// An empty expander.
    pub fn new(spread: Spread, rate_scale: f64, rng: Rng) -> Bins {
        Bins {
            spread,
            rate_scale,
            rng,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// Starts a new interval.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
    }

    /// Adds `count` requests (before `rate_scale`) of `function` in `[start, start + width)`,
    /// with execution times drawn from `execution` when given.
    #[inline]
    pub fn add(
        &mut self,
        function: u32,
        count: f64,
        start: SimTime,
        width: SimDuration,
        execution: Option<&Percentiles>,
    ) {
        let scaled = count * self.rate_scale;
        // Also skips NaN.
        if scaled.is_nan() || scaled <= 0.0 {
            return;
        }
        let n = match self.spread {
            Spread::Poisson => match rand_distr::Poisson::new(scaled) {
                Ok(p) => p.sample(&mut self.rng) as u64,
                Err(_) => scaled.round() as u64,
            },
            Spread::Uniform | Spread::Equidistant => round_stochastic(scaled, &mut self.rng),
        };
        self.buf.reserve(n as usize);
        let w = width.0;
        for i in 0..n {
            let offset = match self.spread {
                Spread::Equidistant => ((2 * i + 1) as u128 * w as u128 / (2 * n) as u128) as u64,
                Spread::Uniform | Spread::Poisson => (self.rng.random::<f64>() * w as f64) as u64,
            };
            let execution = execution.map(|p| p.sample(&mut self.rng));
            self.buf.push(Arrival {
                at: start + SimDuration(offset.min(w.saturating_sub(1))),
                function,
                execution,
            });
        }
    }

    /// Ends the interval: sorts its requests by time (then function, for determinism).
    pub fn finish(&mut self) {
        self.buf
            .sort_unstable_by(|a, b| a.at.cmp(&b.at).then(a.function.cmp(&b.function)));
        self.pos = 0;
    }

    /// The next request of the interval.
    #[inline]
    pub fn next(&mut self) -> Option<Arrival> {
        let a = self.buf.get(self.pos).copied();
        self.pos += 1;
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn expand(spread: Spread, rate_scale: f64, count: f64) -> Vec<Arrival> {
        let mut b = Bins::new(spread, rate_scale, stream(1, 2, 3));
        b.clear();
        b.add(0, count, SimTime(1_000), SimDuration(60), None);
        b.add(1, count, SimTime(1_000), SimDuration(60), None);
        b.finish();
        std::iter::from_fn(|| b.next()).collect()
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
        let draws: Vec<f64> = (0..20_000).map(|_| p.sample(&mut rng).0 as f64).collect();
        // Half of the mass lies below the median (30 ns), a quarter below 20 ns.
        let below = |v: f64| draws.iter().filter(|&&d| d < v).count() as f64 / draws.len() as f64;
        assert!((below(30.0) - 0.5).abs() < 0.02);
        assert!((below(20.0) - 0.25).abs() < 0.02);
        assert!(draws.iter().all(|&d| (0.0..=60.0).contains(&d)));
        assert!(!Percentiles([1.0, 0.5, 2.0, 3.0, 4.0, 5.0, 6.0]).is_valid());
    }
}

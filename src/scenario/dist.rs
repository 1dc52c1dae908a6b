//! Validated probability distributions and their samplers.
//!
//! Values are in a base unit fixed by what the distribution describes: nanoseconds for times,
//! megabytes for memory. Samplers hold only precomputed parameters, so sampling allocates nothing.

use crate::engine::rng::Rng;
use crate::engine::SimDuration;
use rand::Rng as _;
use rand_distr::{Distribution as _, Exp1, StandardNormal};
use std::sync::Arc;

/// A distribution over non-negative values in its base unit.
#[derive(Clone, Debug)]
pub enum Distribution {
    /// Always the same value.
    Constant(f64),
    /// Uniform on `[lo, hi]`.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound (≥ `lo`).
        hi: f64,
    },
    /// Exponential with this mean.
    Exponential {
        /// Mean (> 0).
        mean: f64,
    },
    /// Normal truncated at zero (by rejection).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation (≥ 0).
        std: f64,
    },
    /// `ln(x) ~ Normal(mu, sigma)`, `x` in the base unit.
    LogNormal {
        /// Mean of `ln(x)`.
        mu: f64,
        /// Standard deviation of `ln(x)` (≥ 0).
        sigma: f64,
    },
    /// Gamma with `shape` k and `scale` θ (rand_distr's sampler does not expose them).
    Gamma {
        /// The sampler built from `shape` and `scale`.
        sampler: rand_distr::Gamma<f64>,
        /// Shape k (> 0).
        shape: f64,
        /// Scale θ (> 0), in the base unit.
        scale: f64,
    },
    /// Weibull with `scale` and `shape`.
    Weibull {
        /// Scale λ (> 0), in the base unit.
        scale: f64,
        /// 1 / shape k: a sample is `scale · E^inv_shape` with `E ~ Exp(1)`.
        inv_shape: f64,
    },
    /// Pareto with minimum `scale` and tail index `shape`.
    Pareto {
        /// Minimum value x_m (> 0), in the base unit.
        scale: f64,
        /// 1 / tail index α: a sample is `scale · U^-inv_shape` with `U ~ Uniform(0, 1]`.
        inv_shape: f64,
    },
    /// Uniformly one of the values.
    Empirical(Arc<[f64]>),
}

/// `v` as a draw: itself if finite and positive, else 0 (negative or NaN) or `f64::MAX`.
#[inline(always)]
fn finite_non_negative(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v
    } else if v.is_finite() {
        0.0
    } else {
        f64::MAX
    }
}

impl Distribution {
    /// Draws one value (≥ 0, finite).
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        let v = match self {
            Distribution::Constant(v) => *v,
            Distribution::Uniform { lo, hi } => lo + (hi - lo) * rng.random::<f64>(),
            Distribution::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Distribution::Normal { mean, std } => {
                // Rejection keeps the shape of the positive part; give up after many tries
                // (only when the mean is many deviations below zero, which validation forbids).
                for _ in 0..64 {
                    let z: f64 = StandardNormal.sample(rng);
                    let v = mean + std * z;
                    if v >= 0.0 {
                        return v;
                    }
                }
                0.0
            }
            Distribution::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Distribution::Gamma { sampler, .. } => sampler.sample(rng),
            Distribution::Weibull { scale, inv_shape } => {
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(*inv_shape)
            }
            Distribution::Pareto { scale, inv_shape } => {
                // 1 - U in (0, 1] avoids an infinite draw.
                let u = 1.0 - rng.random::<f64>();
                scale * u.powf(-inv_shape)
            }
            Distribution::Empirical(values) => values[rng.random_range(0..values.len())],
        };
        finite_non_negative(v)
    }

    /// Draws a duration (for time distributions, whose base unit is nanoseconds).
    #[inline(always)]
    pub fn sample_duration(&self, rng: &mut Rng) -> SimDuration {
        // The exponential (the benchmark's execution time) inline, without the call and the
        // jump of `sample`'s match; the same draw.
        if let Distribution::Exponential { mean } = self {
            let e: f64 = Exp1.sample(rng);
            return SimDuration::from_nanos_f64(finite_non_negative(mean * e));
        }
        self.sample_duration_general(rng)
    }

    /// [`Distribution::sample_duration`] of anything but an exponential, out of line.
    #[inline(never)]
    fn sample_duration_general(&self, rng: &mut Rng) -> SimDuration {
        SimDuration::from_nanos_f64(self.sample(rng))
    }

    /// The mean in the base unit (infinite for a Pareto with shape ≤ 1).
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Constant(v) => *v,
            Distribution::Uniform { lo, hi } => (lo + hi) / 2.0,
            Distribution::Exponential { mean } => *mean,
            Distribution::Normal { mean, std } => {
                // Mean of a normal truncated at zero.
                let a = -mean / std;
                let pdf = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let tail = 0.5 * erfc(a / std::f64::consts::SQRT_2);
                mean + std * pdf / tail
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Gamma { shape, scale, .. } => shape * scale,
            Distribution::Weibull { scale, inv_shape } => scale * gamma_fn(1.0 + inv_shape),
            Distribution::Pareto { scale, inv_shape } => {
                let shape = 1.0 / inv_shape;
                if shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale / (shape - 1.0)
                }
            }
            Distribution::Empirical(v) => v.iter().sum::<f64>() / v.len() as f64,
        }
    }
}

/// Complementary error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let r = poly * (-z * z).exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The gamma function by the Lanczos approximation (g = 7, n = 9), relative error ~1e-15.
pub fn gamma_fn(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x))
    } else {
        let x = x - 1.0;
        let mut a = C[0];
        let t = x + G + 0.5;
        for (i, c) in C.iter().enumerate().skip(1) {
            a += c / (x + i as f64);
        }
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn sample_mean(d: &Distribution, n: usize) -> f64 {
        let mut rng = stream(7, 0, 0);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn gamma_function_known_values() {
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma_fn(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn sample_means_match_analytic_means() {
        // 200k draws: the standard error of each mean is < 0.5% of it for these shapes, so a
        // 2% tolerance fails only on a real bug.
        let cases = [
            Distribution::Uniform { lo: 1.0, hi: 3.0 },
            Distribution::Exponential { mean: 5.0 },
            Distribution::Normal {
                mean: 10.0,
                std: 2.0,
            },
            Distribution::Normal {
                mean: 1.0,
                std: 2.0,
            },
            Distribution::LogNormal {
                mu: 1.0,
                sigma: 0.5,
            },
            Distribution::Weibull {
                scale: 2.0,
                inv_shape: 1.0 / 1.5,
            },
            Distribution::Pareto {
                scale: 1.0,
                inv_shape: 1.0 / 3.0,
            },
            Distribution::Empirical(vec![1.0, 2.0, 6.0].into()),
        ];
        for d in &cases {
            let m = sample_mean(d, 200_000);
            let want = d.mean();
            assert!(
                (m - want).abs() / want < 0.02,
                "{d:?}: sample mean {m}, analytic {want}"
            );
        }
    }

    #[test]
    fn inlined_exponential_durations_are_the_general_draws() {
        // `sample_duration` draws an exponential without `sample`'s match: the same values
        // from the same stream.
        let d = Distribution::Exponential { mean: 2e9 };
        let (mut a, mut b) = (stream(5, 0, 0), stream(5, 0, 0));
        for _ in 0..10_000 {
            let general = SimDuration::from_nanos_f64(d.sample(&mut b));
            assert_eq!(d.sample_duration(&mut a), general);
        }
    }

    #[test]
    fn samples_are_finite_and_non_negative() {
        let d = Distribution::Pareto {
            scale: 1.0,
            inv_shape: 10.0,
        };
        let mut rng = stream(1, 0, 0);
        for _ in 0..10_000 {
            let v = d.sample(&mut rng);
            assert!(v.is_finite() && v >= 0.0);
        }
    }
}

//! Means and Student-t confidence intervals over replications.

/// A mean over replications and, with at least two, its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// 95% confidence interval of the mean (Student t, n − 1 degrees of freedom); `None`
    /// with a single replication, where no interval can be estimated.
    pub ci: Option<(f64, f64)>,
}

impl Estimate {
    /// The estimate from `samples` (in a fixed order, so the float sums are reproducible).
    /// An empty slice gives a NaN mean.
    pub fn of(samples: &[f64]) -> Estimate {
        let n = samples.len();
        let mean = samples.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Estimate { mean, ci: None };
        }
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t975(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean,
            ci: Some((mean - half, mean + half)),
        }
    }

    /// Half the width of the interval, if there is one.
    pub fn half_width(&self) -> Option<f64> {
        self.ci.map(|(lo, hi)| (hi - lo) / 2.0)
    }
}

/// Two-sided 95% quantiles of Student's t (the 0.975 quantile) for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`df` ≥ 1): a table up to
/// 30, beyond it the Cornish–Fisher expansion around the normal quantile (error < 1e-5).
pub fn t975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    if df <= T975.len() {
        return T975[df - 1];
    }
    let z: f64 = 1.959963984540054;
    let v = df as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_values() {
        assert_eq!(t975(1), 12.706204736);
        assert!((t975(9) - 2.262157).abs() < 1e-6);
        // Beyond the table: R's qt(0.975, df).
        for (df, want) in [
            (31, 2.039513),
            (40, 2.021075),
            (60, 2.000298),
            (120, 1.979930),
        ] {
            assert!((t975(df) - want).abs() < 2e-5, "df {df}: {}", t975(df));
        }
        assert!((t975(100_000) - 1.959987).abs() < 1e-5);
    }

    #[test]
    fn estimate_worked_by_hand() {
        // Mean 2, sample variance 1, n = 3: half width = t(2) · 1/√3 = 4.302653 / 1.732051.
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        let (lo, hi) = e.ci.expect("n = 3");
        assert!((hi - 2.0 - 2.484138).abs() < 1e-6, "{hi}");
        assert!((2.0 - lo - 2.484138).abs() < 1e-6, "{lo}");
        assert_eq!(Estimate::of(&[5.0]).ci, None);
        assert_eq!(Estimate::of(&[4.0, 4.0]).ci, Some((4.0, 4.0)));
    }
}

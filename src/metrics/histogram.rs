//! A compact log-linear histogram of durations in nanoseconds, with a stated error bound.
//!
//! Buckets are exact below 256 ns; above, each power of two is split into 128 equal buckets, so
//! a reported quantile is within 1/256 (0.39%) of a true sample value of that rank. Counts live
//! in a window that grows to the range actually observed (about 13 KB for latencies spanning
//! 1 ms to 10 s), which keeps thousands of per-function histograms cheap. `hdrhistogram` was
//! the first choice, but at 3 significant digits it needs ~100 KB per histogram for the same
//! range, too much for trace replays with thousands of functions.

/// Bucket index of a value, with 2^`bits` buckets per power of two.
#[inline]
fn index(v: u64, bits: u32) -> usize {
    let sub = 1u64 << bits;
    if v < 2 * sub {
        v as usize
    } else {
        let msb = 63 - v.leading_zeros();
        let shift = msb - bits;
        (shift as usize) * sub as usize + (v >> shift) as usize
    }
}

/// The lowest value of bucket `i` and the bucket's width.
#[inline]
fn bounds(i: usize, bits: u32) -> (u64, u64) {
    let sub = 1u64 << bits;
    if (i as u64) < 2 * sub {
        (i as u64, 1)
    } else {
        let shift = (i as u64 / sub) - 1;
        let top = i as u64 - shift * sub;
        (top << shift, 1 << shift)
    }
}

/// The histogram of summaries: 128 buckets per power of two, quantiles within 0.39%.
pub type Histogram = LogHistogram<7>;

/// A coarse histogram for per-interval time series: 16 buckets per power of two, quantiles
/// within 3.1%, about a tenth of the memory.
pub type CoarseHistogram = LogHistogram<4>;

/// Counts of nanosecond values in log-linear buckets (2^`BITS` per power of two); exact
/// count, sum, min and max.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogHistogram<const BITS: u32> {
    /// Index of `counts[0]`.
    first: usize,
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl<const BITS: u32> LogHistogram<BITS> {
    /// An empty histogram (allocates nothing until the first value).
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every value, keeping the allocation for reuse.
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.total = 0;
        self.sum = 0;
        self.min = 0;
        self.max = 0;
    }

    /// Adds one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        let i = index(v, BITS);
        // One comparison for both ends of the window: below `first` wraps around.
        match self.counts.get_mut(i.wrapping_sub(self.first)) {
            Some(c) => *c += 1,
            None => {
                self.grow_to(i);
                self.counts[i - self.first] += 1;
            }
        }
        self.min = if self.total == 0 { v } else { self.min.min(v) };
        self.max = self.max.max(v);
        self.total += 1;
        self.sum += v as u128;
    }

    #[cold]
    fn grow_to(&mut self, i: usize) {
        if self.counts.is_empty() {
            self.first = i;
            self.counts.push(0);
        } else if i < self.first {
            let extra = self.first - i;
            let mut v = vec![0; extra + self.counts.len()];
            v[extra..].copy_from_slice(&self.counts);
            self.counts = v;
            self.first = i;
        } else if i >= self.first + self.counts.len() {
            self.counts.resize(i - self.first + 1, 0);
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Self) {
        if other.total == 0 {
            return;
        }
        self.grow_to(other.first);
        self.grow_to(other.first + other.counts.len() - 1);
        for (k, c) in other.counts.iter().enumerate() {
            self.counts[other.first + k - self.first] += c;
        }
        if self.total == 0 || other.min < self.min {
            self.min = other.min;
        }
        self.max = self.max.max(other.max);
        self.total += other.total;
        self.sum += other.sum;
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Exact mean, or 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum as f64 / self.total as f64
        }
    }

    /// Exact largest value, 0 when empty.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Exact smallest value, 0 when empty.
    pub fn min(&self) -> u64 {
        self.min
    }

    /// The value of rank ⌈q·n⌉ (q in [0, 1]), within 2^-(BITS+1) relative; 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (k, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, width) = bounds(self.first + k, BITS);
                let mid = lo as f64 + (width as f64 - 1.0) / 2.0;
                return mid.clamp(self.min as f64, self.max as f64);
            }
        }
        self.max as f64
    }

    /// Points of the empirical CDF: (upper edge of a non-empty bucket, fraction ≤ it).
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut seen = 0;
        for (k, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            seen += c;
            let (lo, width) = bounds(self.first + k, BITS);
            let hi = (lo + width - 1).min(self.max).max(self.min);
            out.push((hi as f64, seen as f64 / self.total as f64));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_bounds_agree() {
        for v in (0..100_000u64).chain([1 << 20, (1 << 20) + 12345, u64::MAX / 3, u64::MAX]) {
            let (lo, w) = bounds(index(v, 7), 7);
            assert!(lo <= v && v - lo < w, "v {v} lo {lo} w {w}");
        }
        // Contiguous: the bucket after i starts where i ends.
        for i in 1..7000 {
            let (lo, w) = bounds(i, 7);
            assert_eq!(bounds(i + 1, 7).0, lo + w, "bucket {i}");
        }
    }

    #[test]
    fn quantiles_within_stated_error() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record(v * 1000);
        }
        for q in [0.01, 0.5, 0.9, 0.99, 0.999] {
            let exact = (q * 100_000.0f64).ceil() * 1000.0;
            let got = h.quantile(q);
            assert!(
                (got - exact).abs() / exact <= 1.0 / 256.0,
                "q {q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.max(), 100_000_000);
        assert_eq!(h.min(), 1000);
        assert!((h.mean() - 50_000_500.0).abs() < 1e-6);
    }

    #[test]
    fn merge_equals_recording_everything() {
        let (mut a, mut b, mut all) = (Histogram::new(), Histogram::new(), Histogram::new());
        for v in 0..5000u64 {
            let x = v * v * 37 + 3;
            if v % 3 == 0 {
                a.record(x)
            } else {
                b.record(x)
            }
            all.record(x);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn coarse_quantiles_within_stated_error() {
        let mut h = CoarseHistogram::new();
        for v in 1..=10_000u64 {
            h.record(v * 1_000_000);
        }
        let exact = 9_900.0 * 1e6;
        assert!((h.quantile(0.99) - exact).abs() / exact <= 1.0 / 32.0);
    }

    #[test]
    fn empty_is_zero() {
        let h = Histogram::new();
        assert_eq!(h.quantile(0.5), 0.0);
        assert_eq!(h.mean(), 0.0);
        assert!(h.cdf().is_empty());
    }
}

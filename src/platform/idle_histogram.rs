//! The idle-time histogram of the hybrid histogram keep-alive policy (Shahrad et al.,
//! "Serverless in the Wild", USENIX ATC'20, §4.2).
//!
//! An idle time is the time from the end of a function's (or app's) last running request to
//! the start of its next one, recorded only when nothing of it was running in between. Idle
//! times up to the range go into fixed-width bins; longer ones are counted as out of range
//! (the paper hands those apps to a time-series forecast, which coldsim does not model: while
//! they are the majority the histogram is not representative and the fixed fallback applies).

use crate::engine::{SimDuration, SimTime};
use crate::scenario::model::HybridHistogram;

/// Idle times of one function or app.
#[derive(Clone, Debug)]
pub struct IdleHistogram {
    counts: Vec<u32>,
    in_range: u64,
    out_of_range: u64,
    running: u32,
    last_end: Option<SimTime>,
}

/// The windows of a representative histogram, from the end of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// When to load an environment again: the head percentile's bin start, minus the margin
    /// (zero: do not unload).
    pub prewarm: SimDuration,
    /// When to retire it: the tail percentile's bin end, plus the margin.
    pub keep: SimDuration,
}

impl IdleHistogram {
    /// An empty histogram of `bins` bins.
    pub fn new(bins: u32) -> Self {
        IdleHistogram {
            counts: vec![0; bins as usize],
            in_range: 0,
            out_of_range: 0,
            running: 0,
            last_end: None,
        }
    }

    /// A request started at `now`: records the idle time since the last one ended, if nothing
    /// ran in between.
    pub fn started(&mut self, now: SimTime, cfg: &HybridHistogram) {
        if self.running == 0 {
            if let Some(end) = self.last_end {
                self.record(now.since(end), cfg);
            }
        }
        self.running += 1;
    }

    /// A running request ended at `now`.
    pub fn ended(&mut self, now: SimTime) {
        debug_assert!(self.running > 0, "a request ends after it started");
        self.running = self.running.saturating_sub(1);
        if self.running == 0 {
            self.last_end = Some(now);
        }
    }

    /// True while a request of it runs.
    pub fn running(&self) -> bool {
        self.running > 0
    }

    /// Adds one idle time.
    pub fn record(&mut self, idle: SimDuration, cfg: &HybridHistogram) {
        let bin = idle.0 / cfg.bin.0;
        match self.counts.get_mut(bin as usize) {
            Some(c) => {
                *c += 1;
                self.in_range += 1;
            }
            None => self.out_of_range += 1,
        }
    }

    /// Idle times recorded in range and out of range.
    #[cfg(test)]
    pub fn samples(&self) -> (u64, u64) {
        (self.in_range, self.out_of_range)
    }

    /// Coefficient of variation of the bin counts (0 when empty).
    pub fn cv(&self) -> f64 {
        let n = self.counts.len() as f64;
        let mean = self.in_range as f64 / n;
        if mean == 0.0 {
            return 0.0;
        }
        let var = self
            .counts
            .iter()
            .map(|&c| (c as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        var.sqrt() / mean
    }

    /// The pre-warm and keep-alive windows, or `None` while the histogram is not
    /// representative: fewer than `min_samples` idle times in range, a coefficient of variation
    /// of the bin counts below `cv_threshold`, or more idle times out of range than in range.
    pub fn windows(&self, cfg: &HybridHistogram) -> Option<Windows> {
        if self.in_range < u64::from(cfg.min_samples)
            || self.out_of_range > self.in_range
            || self.cv() < cfg.cv_threshold
        {
            return None;
        }
        let head = self.bin_of(cfg.head_percentile);
        let tail = self.bin_of(cfg.tail_percentile);
        let width = cfg.bin.0 as f64;
        Some(Windows {
            prewarm: SimDuration((head as f64 * width * (1.0 - cfg.margin)) as u64),
            keep: SimDuration(((tail + 1) as f64 * width * (1.0 + cfg.margin)).ceil() as u64),
        })
    }

    /// The bin holding the `p`-th percentile of the in-range idle times: the first bin whose
    /// cumulative count reaches p% of them (at least one).
    fn bin_of(&self, p: f64) -> usize {
        let target = ((p / 100.0) * self.in_range as f64).ceil().max(1.0) as u64;
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= target {
                return i;
            }
        }
        self.counts.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(min_samples: u32) -> HybridHistogram {
        HybridHistogram {
            bin: SimDuration::from_secs(60),
            bins: 240,
            head_percentile: 5.0,
            tail_percentile: 99.0,
            margin: 0.1,
            cv_threshold: 2.0,
            min_samples,
            fallback_idle: SimDuration::from_secs(4 * 3600),
        }
    }

    #[test]
    fn one_peak_gives_windows_around_it() {
        let c = cfg(3);
        let mut h = IdleHistogram::new(240);
        for _ in 0..3 {
            h.record(SimDuration::from_secs(9 * 60 + 50), &c);
        }
        // Bin 9 ([9m, 10m)): pre-warm at 9m × 0.9 = 8m06s, keep until 10m × 1.1 = 11m.
        assert_eq!(
            h.windows(&c),
            Some(Windows {
                prewarm: SimDuration::from_secs(486),
                keep: SimDuration::from_secs(660),
            })
        );
        assert!((h.cv() - 239f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn too_few_flat_or_out_of_range_is_not_representative() {
        let c = cfg(3);
        let mut h = IdleHistogram::new(240);
        h.record(SimDuration::from_secs(60), &c);
        h.record(SimDuration::from_secs(60), &c);
        assert_eq!(h.windows(&c), None, "two samples");
        let mut flat = IdleHistogram::new(240);
        for i in 0..240 {
            flat.record(SimDuration::from_secs(i * 60 + 1), &c);
        }
        assert_eq!(flat.cv(), 0.0);
        assert_eq!(flat.windows(&c), None, "uniform over the bins");
        let mut oob = IdleHistogram::new(240);
        for _ in 0..3 {
            oob.record(SimDuration::from_secs(60), &c);
        }
        for _ in 0..4 {
            oob.record(SimDuration::from_secs(5 * 3600), &c);
        }
        assert_eq!(oob.samples(), (3, 4));
        assert_eq!(oob.windows(&c), None, "mostly out of range");
    }

    #[test]
    fn idle_times_only_between_requests_that_do_not_overlap() {
        let c = cfg(1);
        let mut h = IdleHistogram::new(240);
        let t = |s: u64| SimTime::ZERO + SimDuration::from_secs(s);
        h.started(t(0), &c);
        h.started(t(10), &c); // overlaps: no idle time
        h.ended(t(20));
        h.ended(t(30));
        h.started(t(150), &c); // idle 120 s → bin 2
        assert_eq!(h.samples(), (1, 0));
        assert_eq!(h.bin_of(50.0), 2);
    }
}

//! Bursty traffic: a two-state Markov-modulated Poisson process (MMPP-2).
//!
//! The process alternates between a base phase and a burst phase with exponentially distributed
//! lengths; within a phase arrivals are Poisson at that phase's rate. It starts in its
//! stationary phase distribution, so there is no start-up transient.

use crate::engine::rng::Rng;
use crate::engine::{SimDuration, SimTime};
use rand::Rng as _;
use rand_distr::{Distribution as _, Exp1};

/// Parameters of an MMPP-2.
#[derive(Clone, Debug, PartialEq)]
pub struct Bursty {
    /// Rate outside bursts, requests per second (may be 0).
    pub base_rate_per_s: f64,
    /// Rate during bursts, requests per second.
    pub burst_rate_per_s: f64,
    /// Mean burst length.
    pub mean_burst: SimDuration,
    /// Mean time between bursts.
    pub mean_gap: SimDuration,
}

/// The current phase and when it ends.
#[derive(Clone, Debug)]
pub struct Phase {
    in_burst: bool,
    ends: SimTime,
    /// The last time `next` returned is a phase boundary, not an arrival: it stopped after
    /// [`MAX_PHASES_PER_CALL`] phase changes so that the simulation (and its stop flag) gets
    /// control back.
    pub(super) paused: bool,
}

/// Phase changes `next` makes before it returns a pause instead of an arrival: with phases of
/// nanoseconds and rates of a few per second, a billion changes separate two arrivals.
const MAX_PHASES_PER_CALL: u32 = 1024;

impl Bursty {
    /// Long-run mean rate, requests per second.
    pub fn mean_rate_per_s(&self) -> f64 {
        let (b, g) = (self.mean_burst.0 as f64, self.mean_gap.0 as f64);
        (self.burst_rate_per_s * b + self.base_rate_per_s * g) / (b + g)
    }

    fn phase_length(&self, in_burst: bool, rng: &mut Rng) -> SimDuration {
        let mean = if in_burst {
            self.mean_burst
        } else {
            self.mean_gap
        };
        let e: f64 = Exp1.sample(rng);
        SimDuration::from_nanos_f64(mean.0 as f64 * e)
    }

    pub(super) fn start(&self, rng: &mut Rng) -> Phase {
        let (b, g) = (self.mean_burst.0 as f64, self.mean_gap.0 as f64);
        let in_burst = rng.random::<f64>() < b / (b + g);
        // Memorylessness: the residual length of the current phase has the same law.
        let ends = SimTime::ZERO + self.phase_length(in_burst, rng);
        Phase {
            in_burst,
            ends,
            paused: false,
        }
    }

    pub(super) fn next(&self, phase: &mut Phase, now: SimTime, rng: &mut Rng) -> Option<SimTime> {
        let mut t = now;
        phase.paused = false;
        let mut changes = 0;
        loop {
            let rate = if phase.in_burst {
                self.burst_rate_per_s
            } else {
                self.base_rate_per_s
            };
            if rate > 0.0 {
                let e: f64 = Exp1.sample(rng);
                let candidate = t + SimDuration::from_secs_f64(e / rate);
                if candidate < phase.ends {
                    return Some(candidate);
                }
            }
            if phase.ends == SimTime::NEVER {
                return None;
            }
            // Memorylessness again: restart the draw at the phase boundary.
            t = phase.ends;
            phase.in_burst = !phase.in_burst;
            phase.ends = t + self.phase_length(phase.in_burst, rng);
            changes += 1;
            if changes >= MAX_PHASES_PER_CALL {
                // Memorylessness: resuming from `t` in the new phase draws what the loop would.
                phase.paused = true;
                return Some(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    #[test]
    fn long_run_rate_and_burstiness() {
        // base 1/s, burst 50/s, bursts 1 min every ~10 min: mean (50·60 + 1·600)/660 ≈ 5.45/s.
        // Over 200 000 s (~300 bursts) the count's relative sd is ~6% (burst count varies), so
        // a 15% tolerance is 2.5 sigma; the index of dispersion must be far above Poisson's 1.
        let b = Bursty {
            base_rate_per_s: 1.0,
            burst_rate_per_s: 50.0,
            mean_burst: SimDuration::from_secs(60),
            mean_gap: SimDuration::from_secs(600),
        };
        let mut rng = stream(5, 0, 0);
        let mut phase = b.start(&mut rng);
        let end = SimTime(2_000_000 * 1_000_000_000);
        let mut per_minute = vec![0u64; 2_000_000 / 60 + 1];
        let mut t = SimTime::ZERO;
        let mut n = 0u64;
        while let Some(next) = b.next(&mut phase, t, &mut rng) {
            if next >= end {
                break;
            }
            t = next;
            if phase.paused {
                continue;
            }
            n += 1;
            per_minute[(t.0 / 60_000_000_000) as usize] += 1;
        }
        let rate = n as f64 / 2_000_000.0;
        assert!(
            (rate - b.mean_rate_per_s()).abs() / b.mean_rate_per_s() < 0.10,
            "rate {rate}"
        );
        let mean = per_minute.iter().sum::<u64>() as f64 / per_minute.len() as f64;
        let var = per_minute
            .iter()
            .map(|&c| (c as f64 - mean).powi(2))
            .sum::<f64>()
            / per_minute.len() as f64;
        assert!(var / mean > 10.0, "index of dispersion {}", var / mean);
    }
}

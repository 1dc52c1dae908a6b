//! `greedy_dual`: FaasCache's Greedy-Dual-Size-Frequency (Fuerst & Sharma, ASPLOS'21).

use super::{lru_key, Candidate, EvictionPolicy, Used};

/// Greedy-Dual with its clock: priorities are `clock + frequency × cost / size`, and the clock
/// advances to the priority of each evicted environment, so environments not used for long
/// age relative to fresh ones. The lowest priority is evicted.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GreedyDual {
    clock: f64,
}

impl GreedyDual {
    /// The clock.
    pub fn clock(&self) -> f64 {
        self.clock
    }
}

impl EvictionPolicy for GreedyDual {
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        candidates.min_by(|a, b| {
            a.priority
                .total_cmp(&b.priority)
                .then_with(|| lru_key(a).cmp(&lru_key(b)))
        })
    }

    /// `clock + frequency × cost_ms / memory_mb`.
    #[inline]
    fn priority(&self, used: &Used) -> f64 {
        self.clock + used.frequency as f64 * used.cost_ms / f64::from(used.memory_mb)
    }

    /// The clock advances to the victim's priority.
    fn evicted(&mut self, victim: &Candidate) {
        self.clock = self.clock.max(victim.priority);
    }
}

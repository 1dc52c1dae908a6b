//! Eviction on a memory-bounded platform: which idle environment makes room for a new one
//! (the caching view of FaasCache, Fuerst & Sharma, ASPLOS'21).

use super::environment::EnvId;
use crate::engine::SimTime;
use crate::scenario::model::Eviction;

/// An idle environment that could be evicted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The environment.
    pub env: EnvId,
    /// Its configured memory, MB.
    pub memory_mb: u32,
    /// When it became idle (its last use).
    pub idle_since: SimTime,
    /// Requests of its function so far.
    pub frequency: u64,
    /// Its Greedy-Dual priority, set at its last use.
    pub priority: f64,
}

/// An eviction policy: picks the victim among idle environments.
pub trait EvictionPolicy {
    /// The candidate to evict, `None` if there is none.
    fn victim(&self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate>;
}

impl EvictionPolicy for Eviction {
    fn victim(&self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        // Ties go to the least recently used, then the lowest id, so runs are deterministic.
        let lru = |c: &Candidate| (c.idle_since, c.env.0);
        match self {
            Eviction::Lru => candidates.min_by_key(lru),
            Eviction::Size => candidates.min_by_key(|c| (std::cmp::Reverse(c.memory_mb), lru(c))),
            Eviction::Frequency => candidates.min_by_key(|c| (c.frequency, lru(c))),
            Eviction::GreedyDual => candidates.min_by(|a, b| {
                a.priority
                    .total_cmp(&b.priority)
                    .then_with(|| lru(a).cmp(&lru(b)))
            }),
        }
    }
}

/// The Greedy-Dual clock: priorities are `clock + frequency × cost / size`, and the clock
/// advances to the priority of each evicted environment, so environments not used for long
/// age relative to fresh ones.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GreedyDual {
    /// The clock.
    pub clock: f64,
}

impl GreedyDual {
    /// Priority of an environment used now: `frequency` requests of its function so far, a
    /// cold start costing `cost_ms`, `memory_mb` of memory.
    pub fn priority(&self, frequency: u64, cost_ms: f64, memory_mb: u32) -> f64 {
        self.clock + frequency as f64 * cost_ms / f64::from(memory_mb)
    }

    /// `victim` was evicted: the clock advances to its priority.
    pub fn evicted(&mut self, victim: &Candidate) {
        self.clock = self.clock.max(victim.priority);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn c(env: u32, memory_mb: u32, idle_s: u64, frequency: u64, priority: f64) -> Candidate {
        Candidate {
            env: EnvId(env),
            memory_mb,
            idle_since: SimTime::ZERO + SimDuration::from_secs(idle_s),
            frequency,
            priority,
        }
    }

    #[test]
    fn greedy_dual_worked_example() {
        // Three functions used at clock 0: A (256 MB, init 500 ms, 4 requests) → 0 + 4 × 500
        // / 256 = 7.8125; B (1024 MB, init 2000 ms, 2 requests) → 2 × 2000 / 1024 = 3.90625;
        // C (128 MB, init 100 ms, 10 requests) → 10 × 100 / 128 = 7.8125.
        let mut gd = GreedyDual::default();
        let a = c(0, 256, 10, 4, gd.priority(4, 500.0, 256));
        let b = c(1, 1024, 20, 2, gd.priority(2, 2000.0, 1024));
        let cc = c(2, 128, 5, 10, gd.priority(10, 100.0, 128));
        assert_eq!(
            (a.priority, b.priority, cc.priority),
            (7.8125, 3.90625, 7.8125)
        );
        let v = Eviction::GreedyDual
            .victim(&mut [a, b, cc].into_iter())
            .expect("three candidates");
        assert_eq!(v.env, EnvId(1), "B has the lowest priority");
        gd.evicted(&v);
        assert_eq!(gd.clock, 3.90625);
        // A and C tie at 7.8125: the least recently used (C, idle since 5 s) goes next.
        let v = Eviction::GreedyDual
            .victim(&mut [a, cc].into_iter())
            .expect("two candidates");
        assert_eq!(v.env, EnvId(2));
        gd.evicted(&v);
        // A function used again now starts from the advanced clock: B's priority would be
        // 7.8125 + 3.90625, above A's.
        assert_eq!(gd.priority(2, 2000.0, 1024), 7.8125 + 3.90625);
    }

    #[test]
    fn lru_size_and_frequency() {
        let all = [
            c(0, 256, 30, 1, 0.0),
            c(1, 1024, 20, 9, 0.0),
            c(2, 512, 10, 5, 0.0),
        ];
        let pick = |e: Eviction| e.victim(&mut all.into_iter()).map(|c| c.env.0);
        assert_eq!(pick(Eviction::Lru), Some(2));
        assert_eq!(pick(Eviction::Size), Some(1));
        assert_eq!(pick(Eviction::Frequency), Some(0));
        assert_eq!(Eviction::Lru.victim(&mut std::iter::empty()), None);
    }
}

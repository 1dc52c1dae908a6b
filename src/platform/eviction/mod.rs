//! Eviction on a memory-bounded platform: which idle environment makes room for a new one
//! (the caching view of FaasCache, Fuerst & Sharma, ASPLOS'21): the trait
//! [`EvictionPolicy`], one file per built-in policy, and the registry (`built_in`) that maps
//! `platform.eviction` to its policy.

mod frequency;
mod greedy_dual;
mod lru;
mod size;

pub use frequency::Frequency;
pub use greedy_dual::GreedyDual;
pub use lru::Lru;
pub use size::Size;

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

/// An environment just used (by a request or ping), as a policy that ranks by use sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Used {
    /// Requests of its function so far (counted on a memory-bounded platform).
    pub frequency: u64,
    /// Mean cold start of its function (runtime plus function init), ms.
    pub cost_ms: f64,
    /// Its configured memory, MB.
    pub memory_mb: u32,
}

/// An eviction policy: picks the victim among idle environments when a new one needs room on
/// a memory-bounded platform.
///
/// One method is required, [`victim`](EvictionPolicy::victim); the defaults fit a policy
/// that keeps no state of its own (the candidates carry their memory, last use and function
/// frequency). Ties should go to the least recently used, then the lowest id, so runs are
/// deterministic.
pub trait EvictionPolicy {
    /// The candidate to evict, `None` if there is none.
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate>;

    /// The priority of an environment used now, kept in its [`Candidate::priority`] until its
    /// next use. Default: 0.
    fn priority(&self, used: &Used) -> f64 {
        let _ = used;
        0.0
    }

    /// `victim` was evicted. Default: nothing.
    fn evicted(&mut self, victim: &Candidate) {
        let _ = victim;
    }
}

/// Ties go to the least recently used, then the lowest id, so runs are deterministic.
#[inline]
pub(crate) fn lru_key(c: &Candidate) -> (SimTime, u32) {
    (c.idle_since, c.env.0)
}

/// The registry of built-in policies: the policy `platform.eviction` configures. Adding a
/// policy: a file in this folder, a variant of [`Eviction`] (with its TOML validation) and
/// one line here.
pub(crate) fn built_in(policy: Eviction) -> Evictor<'static> {
    match policy {
        Eviction::Lru => Evictor::Lru(Lru),
        Eviction::Size => Evictor::Size(Size),
        Eviction::Frequency => Evictor::Frequency(Frequency),
        Eviction::GreedyDual => Evictor::GreedyDual(GreedyDual::default()),
    }
}

/// The eviction policy of a run: a built-in one (dispatched without a virtual call) or a
/// user's own.
pub(crate) enum Evictor<'a> {
    Lru(Lru),
    Size(Size),
    Frequency(Frequency),
    GreedyDual(GreedyDual),
    Custom(Box<dyn EvictionPolicy + 'a>),
}

/// Calls `$call` on the policy inside whichever variant.
macro_rules! each {
    ($self:ident, $p:ident => $call:expr) => {
        match $self {
            Evictor::Lru($p) => $call,
            Evictor::Size($p) => $call,
            Evictor::Frequency($p) => $call,
            Evictor::GreedyDual($p) => $call,
            Evictor::Custom($p) => $call,
        }
    };
}

impl EvictionPolicy for Evictor<'_> {
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        each!(self, p => p.victim(candidates))
    }

    #[inline]
    fn priority(&self, used: &Used) -> f64 {
        each!(self, p => p.priority(used))
    }

    fn evicted(&mut self, victim: &Candidate) {
        each!(self, p => p.evicted(victim))
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
        let used = |frequency, cost_ms, memory_mb| Used {
            frequency,
            cost_ms,
            memory_mb,
        };
        let a = c(0, 256, 10, 4, gd.priority(&used(4, 500.0, 256)));
        let b = c(1, 1024, 20, 2, gd.priority(&used(2, 2000.0, 1024)));
        let cc = c(2, 128, 5, 10, gd.priority(&used(10, 100.0, 128)));
        assert_eq!(
            (a.priority, b.priority, cc.priority),
            (7.8125, 3.90625, 7.8125)
        );
        let v = gd
            .victim(&mut [a, b, cc].into_iter())
            .expect("three candidates");
        assert_eq!(v.env, EnvId(1), "B has the lowest priority");
        gd.evicted(&v);
        assert_eq!(gd.clock(), 3.90625);
        // A and C tie at 7.8125: the least recently used (C, idle since 5 s) goes next.
        let v = gd.victim(&mut [a, cc].into_iter()).expect("two candidates");
        assert_eq!(v.env, EnvId(2));
        gd.evicted(&v);
        // A function used again now starts from the advanced clock: B's priority would be
        // 7.8125 + 3.90625, above A's.
        assert_eq!(gd.priority(&used(2, 2000.0, 1024)), 7.8125 + 3.90625);
    }

    #[test]
    fn lru_size_and_frequency() {
        let all = [
            c(0, 256, 30, 1, 0.0),
            c(1, 1024, 20, 9, 0.0),
            c(2, 512, 10, 5, 0.0),
        ];
        let pick = |e: Eviction| built_in(e).victim(&mut all.into_iter()).map(|c| c.env.0);
        assert_eq!(pick(Eviction::Lru), Some(2));
        assert_eq!(pick(Eviction::Size), Some(1));
        assert_eq!(pick(Eviction::Frequency), Some(0));
        assert_eq!(Lru.victim(&mut std::iter::empty()), None);
    }
}

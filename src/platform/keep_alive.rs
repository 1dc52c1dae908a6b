//! Keep-alive policies decide when an idle environment is retired, and (the hybrid histogram
//! policy) when one is loaded again ahead of the next request.

use super::idle_histogram::IdleHistogram;
use crate::engine::rng::Rng;
use crate::engine::SimTime;
use crate::scenario::KeepAlive;

/// What to do with an environment that just became idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepAliveDecision {
    /// Retire it at this instant unless a request takes it first (at once if not after now).
    RetireAt(SimTime),
    /// Keep it until a request takes it (or its maximum lifetime ends).
    Keep,
    /// Retire it now, load a new environment of the function at `prewarm_at` (off the request
    /// path) and retire that one at `retire_at` unless a request takes it first.
    Unload {
        /// When the pre-warmed environment starts its init.
        prewarm_at: SimTime,
        /// When the pre-warmed environment is retired if no request came.
        retire_at: SimTime,
    },
}

/// An environment that just became idle, as a policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Idle {
    /// Now.
    pub now: SimTime,
    /// Its function.
    pub function: u32,
    /// When it first became idle (now, for its first idle period).
    pub first_idle: SimTime,
}

/// A keep-alive policy.
pub trait KeepAlivePolicy {
    /// Decision for an environment that became idle; `rng` is the platform's random stream.
    fn on_idle(&mut self, idle: &Idle, rng: &mut Rng) -> KeepAliveDecision;

    /// A request of `function` started running at `now` (only called when
    /// [`KeepAlivePolicy::tracks_requests`]).
    fn on_request_started(&mut self, function: u32, now: SimTime);

    /// A request of `function` that started running ended at `now` (only called when
    /// [`KeepAlivePolicy::tracks_requests`]).
    fn on_request_ended(&mut self, function: u32, now: SimTime);

    /// True if the policy learns from requests (the two calls above).
    fn tracks_requests(&self) -> bool;

    /// True if deadlines never decrease in the order environments become idle, which lets
    /// the simulation check expiry lazily at one end of the idle queue; other policies get a
    /// timer per idle period.
    fn monotone(&self) -> bool;
}

/// The configured policy with its per-function state.
#[derive(Clone, Debug)]
pub struct KeepAliveState {
    policy: KeepAlive,
    /// Hybrid histogram: the histogram of each group of functions.
    histograms: Vec<IdleHistogram>,
    /// Hybrid histogram: the group (histogram index) of each function.
    group: Vec<u32>,
}

impl KeepAliveState {
    /// The state of `policy` for functions whose idle times are pooled by `group` (function id
    /// → group id, dense from 0; the hybrid histogram keeps one histogram per group).
    pub fn new(policy: KeepAlive, group: Vec<u32>) -> Self {
        let histograms = match &policy {
            KeepAlive::HybridHistogram(h) => {
                let groups = group.iter().map(|&g| g as usize + 1).max().unwrap_or(0);
                vec![IdleHistogram::new(h.bins); groups]
            }
            _ => Vec::new(),
        };
        KeepAliveState {
            policy,
            histograms,
            group,
        }
    }

    /// The histogram of `function`'s group (hybrid histogram policy only).
    pub fn histogram(&self, function: u32) -> Option<&IdleHistogram> {
        self.histograms.get(self.group[function as usize] as usize)
    }
}

impl KeepAlivePolicy for KeepAliveState {
    #[inline]
    fn on_idle(&mut self, idle: &Idle, rng: &mut Rng) -> KeepAliveDecision {
        match &self.policy {
            KeepAlive::Fixed { idle: d } => KeepAliveDecision::RetireAt(idle.now + *d),
            KeepAlive::FixedOnce { idle: d } => KeepAliveDecision::RetireAt(idle.first_idle + *d),
            KeepAlive::Random { idle: d } => {
                KeepAliveDecision::RetireAt(idle.now + d.sample_duration(rng))
            }
            KeepAlive::Forever => KeepAliveDecision::Keep,
            KeepAlive::HybridHistogram(h) => {
                let g = self.group[idle.function as usize] as usize;
                match self.histograms[g].windows(h) {
                    None => KeepAliveDecision::RetireAt(idle.now + h.fallback_idle),
                    Some(w) if w.prewarm.0 == 0 => KeepAliveDecision::RetireAt(idle.now + w.keep),
                    Some(w) => KeepAliveDecision::Unload {
                        prewarm_at: idle.now + w.prewarm,
                        retire_at: idle.now + w.keep,
                    },
                }
            }
        }
    }

    fn on_request_started(&mut self, function: u32, now: SimTime) {
        if let KeepAlive::HybridHistogram(h) = &self.policy {
            let g = self.group[function as usize] as usize;
            self.histograms[g].started(now, h);
        }
    }

    fn on_request_ended(&mut self, function: u32, now: SimTime) {
        if !self.histograms.is_empty() {
            let g = self.group[function as usize] as usize;
            self.histograms[g].ended(now);
        }
    }

    fn tracks_requests(&self) -> bool {
        matches!(self.policy, KeepAlive::HybridHistogram(_))
    }

    fn monotone(&self) -> bool {
        matches!(self.policy, KeepAlive::Fixed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;
    use crate::engine::SimDuration;
    use crate::scenario::dist::Distribution;

    fn idle(now_s: u64, first_s: u64) -> Idle {
        Idle {
            now: SimTime::ZERO + SimDuration::from_secs(now_s),
            function: 0,
            first_idle: SimTime::ZERO + SimDuration::from_secs(first_s),
        }
    }

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn fixed_resets_and_fixed_once_does_not() {
        let mut rng = stream(1, 9, 0);
        let ten = SimDuration::from_secs(600);
        let mut fixed = KeepAliveState::new(KeepAlive::Fixed { idle: ten }, vec![0]);
        let mut once = KeepAliveState::new(KeepAlive::FixedOnce { idle: ten }, vec![0]);
        assert_eq!(
            fixed.on_idle(&idle(900, 100), &mut rng),
            KeepAliveDecision::RetireAt(at(1500))
        );
        assert_eq!(
            once.on_idle(&idle(900, 100), &mut rng),
            KeepAliveDecision::RetireAt(at(700))
        );
        assert!(fixed.monotone() && !once.monotone());
    }

    #[test]
    fn forever_keeps_and_random_draws() {
        let mut rng = stream(1, 9, 0);
        let mut forever = KeepAliveState::new(KeepAlive::Forever, vec![0]);
        assert_eq!(
            forever.on_idle(&idle(5, 5), &mut rng),
            KeepAliveDecision::Keep
        );
        let mut random = KeepAliveState::new(
            KeepAlive::Random {
                idle: Distribution::Constant(3e9),
            },
            vec![0],
        );
        assert_eq!(
            random.on_idle(&idle(5, 5), &mut rng),
            KeepAliveDecision::RetireAt(at(8))
        );
    }
}

//! Keep-alive policies decide when an idle environment is retired, and (the hybrid histogram
//! policy) when one is loaded again ahead of the next request: the trait
//! [`KeepAlivePolicy`], one file per built-in policy, and the registry (`built_in`) that maps
//! `platform.keep_alive` to its policy.

mod fixed;
mod fixed_once;
mod forever;
mod hybrid_histogram;
mod random;

pub use fixed::Fixed;
pub use fixed_once::FixedOnce;
pub use forever::Forever;
pub use hybrid_histogram::HybridHistogram;
pub use random::Random;

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
    /// Keep it while anything of its app runs (only for [`KeepAlivePolicy::app_level`]
    /// policies): the simulation asks again for every idle environment of the app once the
    /// app's last running request ends.
    WhileRunning,
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

/// A keep-alive policy: what happens to an environment that just became idle.
///
/// One method is required, [`on_idle`](KeepAlivePolicy::on_idle); the others have defaults
/// that fit a policy which does not learn from traffic and whose deadlines come in no
/// particular order. A policy is one value per run, shared by every function (`Idle::function`
/// tells them apart); it is called on the simulation's thread only.
///
/// ```
/// use coldsim::engine::{rng::Rng, SimDuration};
/// use coldsim::platform::{Idle, KeepAliveDecision, KeepAlivePolicy};
///
/// /// Keeps environments of function 0 for an hour, the others for a minute.
/// struct FavourFirst;
///
/// impl KeepAlivePolicy for FavourFirst {
///     fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
///         let keep = if idle.function == 0 { 3600 } else { 60 };
///         KeepAliveDecision::RetireAt(idle.now + SimDuration::from_secs(keep))
///     }
/// }
/// ```
pub trait KeepAlivePolicy {
    /// Decision for an environment that became idle; `rng` is the platform's random stream
    /// (use it, not a generator of your own, so runs stay reproducible from the seed).
    fn on_idle(&mut self, idle: &Idle, rng: &mut Rng) -> KeepAliveDecision;

    /// A request of `function` arrived at `now` (warm-up pings and retries excluded; only
    /// called when [`tracks_requests`](KeepAlivePolicy::tracks_requests)). Default: nothing.
    fn on_arrival(&mut self, function: u32, now: SimTime) {
        let _ = (function, now);
    }

    /// A request of `function` started running at `now` (only called when
    /// [`tracks_requests`](KeepAlivePolicy::tracks_requests)). Default: nothing.
    fn on_request_started(&mut self, function: u32, now: SimTime) {
        let _ = (function, now);
    }

    /// A request of `function` that started running ended at `now` (only called when
    /// [`tracks_requests`](KeepAlivePolicy::tracks_requests)). Default: nothing.
    fn on_request_ended(&mut self, function: u32, now: SimTime) {
        let _ = (function, now);
    }

    /// True if the policy learns from requests (the three calls above). Default: false, so
    /// the hot path makes no calls.
    fn tracks_requests(&self) -> bool {
        false
    }

    /// True if the policy only answers [`KeepAliveDecision::RetireAt`] and its deadlines never
    /// decrease in the order environments become idle, which lets the simulation check expiry
    /// lazily at one end of each function's idle queue; other policies get a timer per idle
    /// period. Default: false (always correct, a little slower).
    fn monotone(&self) -> bool {
        false
    }

    /// True if the policy treats an app (the group of functions whose idle times it pools) as
    /// one loaded unit, as Shahrad et al.'s hybrid histogram does: while anything of the app
    /// runs, every idle environment of the app is kept (its timer stopped, and
    /// [`on_idle`](KeepAlivePolicy::on_idle) may answer [`KeepAliveDecision::WhileRunning`]);
    /// when the app's last running request ends, `on_idle` is asked again for each of them,
    /// so their timers start together; and a pre-warm still pending when the app runs again
    /// is cancelled. Default: false (each environment is decided alone).
    fn app_level(&self) -> bool {
        false
    }
}

/// The registry of built-in policies: the policy `platform.keep_alive` configures, for
/// functions whose idle times are pooled by `group` (function id → group id, dense from 0;
/// the hybrid histogram keeps one histogram per group). Adding a policy: a file in this
/// folder, a variant of [`KeepAlive`] (with its TOML validation) and one line here.
pub(crate) fn built_in(policy: &KeepAlive, group: Vec<u32>) -> KeepAliveState<'static> {
    match policy {
        KeepAlive::Fixed { idle } => KeepAliveState::Fixed(Fixed { idle: *idle }),
        KeepAlive::FixedOnce { idle } => KeepAliveState::FixedOnce(FixedOnce { idle: *idle }),
        KeepAlive::Random { idle } => KeepAliveState::Random(Random { idle: idle.clone() }),
        KeepAlive::Forever => KeepAliveState::Forever(Forever),
        KeepAlive::HybridHistogram(h) => {
            KeepAliveState::HybridHistogram(HybridHistogram::new(h.clone(), group))
        }
    }
}

/// The policy of a run: a built-in one (dispatched without a virtual call) or a user's own.
pub(crate) enum KeepAliveState<'a> {
    Fixed(Fixed),
    FixedOnce(FixedOnce),
    Random(Random),
    Forever(Forever),
    HybridHistogram(HybridHistogram),
    Custom(Box<dyn KeepAlivePolicy + 'a>),
}

/// Calls `$call` on the policy inside whichever variant.
macro_rules! each {
    ($self:ident, $p:ident => $call:expr) => {
        match $self {
            KeepAliveState::Fixed($p) => $call,
            KeepAliveState::FixedOnce($p) => $call,
            KeepAliveState::Random($p) => $call,
            KeepAliveState::Forever($p) => $call,
            KeepAliveState::HybridHistogram($p) => $call,
            KeepAliveState::Custom($p) => $call,
        }
    };
}

impl KeepAlivePolicy for KeepAliveState<'_> {
    #[inline]
    fn on_idle(&mut self, idle: &Idle, rng: &mut Rng) -> KeepAliveDecision {
        each!(self, p => p.on_idle(idle, rng))
    }

    fn on_arrival(&mut self, function: u32, now: SimTime) {
        each!(self, p => p.on_arrival(function, now))
    }

    fn on_request_started(&mut self, function: u32, now: SimTime) {
        each!(self, p => p.on_request_started(function, now))
    }

    fn on_request_ended(&mut self, function: u32, now: SimTime) {
        each!(self, p => p.on_request_ended(function, now))
    }

    fn tracks_requests(&self) -> bool {
        each!(self, p => p.tracks_requests())
    }

    fn monotone(&self) -> bool {
        each!(self, p => p.monotone())
    }

    fn app_level(&self) -> bool {
        each!(self, p => p.app_level())
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
        let mut fixed = Fixed { idle: ten };
        let mut once = FixedOnce { idle: ten };
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
        let mut forever = Forever;
        assert_eq!(
            forever.on_idle(&idle(5, 5), &mut rng),
            KeepAliveDecision::Keep
        );
        let mut random = Random {
            idle: Distribution::Constant(3e9),
        };
        assert_eq!(
            random.on_idle(&idle(5, 5), &mut rng),
            KeepAliveDecision::RetireAt(at(8))
        );
    }

    #[test]
    fn the_registry_gives_each_policy_its_traits() {
        use crate::scenario::model::HybridHistogram as Settings;
        let ten = SimDuration::from_secs(600);
        let h = Settings {
            bin: SimDuration::from_secs(60),
            bins: 240,
            head_percentile: 5.0,
            tail_percentile: 99.0,
            margin: 0.1,
            cv_threshold: 2.0,
            min_samples: 10,
            fallback_idle: ten,
        };
        let cases = [
            (KeepAlive::Fixed { idle: ten }, true, false),
            (KeepAlive::FixedOnce { idle: ten }, false, false),
            (KeepAlive::Forever, false, false),
            (KeepAlive::HybridHistogram(h), false, true),
        ];
        for (policy, monotone, tracks) in cases {
            let p = built_in(&policy, vec![0]);
            // Only the hybrid histogram (the one that tracks requests) treats the app as a unit.
            assert_eq!(p.app_level(), tracks, "{policy:?}");
            assert_eq!(
                (p.monotone(), p.tracks_requests()),
                (monotone, tracks),
                "{policy:?}"
            );
        }
    }
}

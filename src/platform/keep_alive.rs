//! Keep-alive policies decide when an idle environment is retired.

use crate::engine::SimTime;
use crate::scenario::KeepAlive;

/// What to do with an environment that just became idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepAliveDecision {
    /// Retire it at this instant unless a request takes it first.
    RetireAt(SimTime),
}

/// A keep-alive policy.
pub trait KeepAlivePolicy {
    /// Decision for an environment that became idle at `now`.
    fn on_idle(&mut self, now: SimTime) -> KeepAliveDecision;

    /// True if deadlines never decrease in the order environments become idle, which lets
    /// the simulation check expiry lazily at one end of the idle queue.
    fn monotone(&self) -> bool;
}

impl KeepAlivePolicy for KeepAlive {
    #[inline]
    fn on_idle(&mut self, now: SimTime) -> KeepAliveDecision {
        match self {
            KeepAlive::Fixed { idle } => KeepAliveDecision::RetireAt(now + *idle),
        }
    }

    fn monotone(&self) -> bool {
        match self {
            KeepAlive::Fixed { .. } => true,
        }
    }
}

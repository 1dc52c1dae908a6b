//! `random`: an idle environment is retired a random time (drawn per idle period) after its
//! last request.

use super::{Idle, KeepAliveDecision, KeepAlivePolicy};
use crate::engine::rng::Rng;
use crate::scenario::dist::Distribution;

/// Retires an environment a time drawn from `idle` (nanoseconds) after it became idle.
#[derive(Clone, Debug)]
pub struct Random {
    /// The keep-alive's distribution, nanoseconds.
    pub idle: Distribution,
}

impl KeepAlivePolicy for Random {
    fn on_idle(&mut self, idle: &Idle, rng: &mut Rng) -> KeepAliveDecision {
        KeepAliveDecision::RetireAt(idle.now + self.idle.sample_duration(rng))
    }
}

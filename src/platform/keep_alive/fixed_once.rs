//! `fixed_once`: an environment is retired a fixed time after it first became idle, whatever
//! happened since.

use super::{Idle, KeepAliveDecision, KeepAlivePolicy};
use crate::engine::rng::Rng;
use crate::engine::SimDuration;

/// Retires an environment `idle` after its first idle period started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedOnce {
    /// The keep-alive, from the first idle instant.
    pub idle: SimDuration,
}

impl KeepAlivePolicy for FixedOnce {
    fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
        KeepAliveDecision::RetireAt(idle.first_idle + self.idle)
    }
}

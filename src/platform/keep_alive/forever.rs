//! `forever`: idle environments are never retired for idleness (only at their maximum
//! lifetime, or by eviction).

use super::{Idle, KeepAliveDecision, KeepAlivePolicy};
use crate::engine::rng::Rng;

/// Keeps every idle environment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forever;

impl KeepAlivePolicy for Forever {
    fn on_idle(&mut self, _idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
        KeepAliveDecision::Keep
    }
}

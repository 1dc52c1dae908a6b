//! `fixed`: an idle environment is retired a fixed time after its last request (AWS's
//! behaviour as measured; the default policy).

use super::{Idle, KeepAliveDecision, KeepAlivePolicy};
use crate::engine::rng::Rng;
use crate::engine::SimDuration;

/// Retires an environment `idle` after it last became idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The keep-alive.
    pub idle: SimDuration,
}

impl KeepAlivePolicy for Fixed {
    #[inline]
    fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
        KeepAliveDecision::RetireAt(idle.now + self.idle)
    }

    /// Deadlines are `now + idle`: they never decrease.
    fn monotone(&self) -> bool {
        true
    }
}

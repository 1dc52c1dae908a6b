//! `round_robin`: the next host after the last one used that the environment fits.

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;

/// Places on the first host after the last one it placed on (cyclically) that fits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundRobin {
    /// The host index to try first.
    next: u32,
}

impl PlacementPolicy for RoundRobin {
    fn place(
        &mut self,
        _env: &NewEnvironment,
        hosts: &[HostView],
        _rng: &mut Rng,
    ) -> Option<usize> {
        let i = hosts
            .iter()
            .position(|h| h.index >= self.next)
            .or_else(|| (!hosts.is_empty()).then_some(0))?;
        self.next = hosts[i].index + 1;
        Some(i)
    }
}

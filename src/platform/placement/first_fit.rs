//! `first_fit`: the first host (in order) the environment fits.

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;

/// Places on the lowest-numbered host it fits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FirstFit;

impl PlacementPolicy for FirstFit {
    fn place(
        &mut self,
        _env: &NewEnvironment,
        hosts: &[HostView],
        _rng: &mut Rng,
    ) -> Option<usize> {
        (!hosts.is_empty()).then_some(0)
    }
}

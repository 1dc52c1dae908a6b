//! `random`: a host the environment fits, uniformly at random.

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;
use rand::Rng as _;

/// Places on a fitting host drawn uniformly from the run's placement stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RandomHost;

impl PlacementPolicy for RandomHost {
    fn place(&mut self, _env: &NewEnvironment, hosts: &[HostView], rng: &mut Rng) -> Option<usize> {
        (!hosts.is_empty()).then(|| rng.random_range(0..hosts.len()))
    }
}

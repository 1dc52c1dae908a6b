//! `best_fit`: the host the environment fits with the least memory left (packs hosts).

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;

/// Places on the host with the least free memory (ties: the lowest host).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BestFit;

impl PlacementPolicy for BestFit {
    fn place(
        &mut self,
        _env: &NewEnvironment,
        hosts: &[HostView],
        _rng: &mut Rng,
    ) -> Option<usize> {
        (0..hosts.len()).min_by_key(|&i| (hosts[i].free_mb, hosts[i].index))
    }
}

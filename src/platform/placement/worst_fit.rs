//! `worst_fit`: the host with the most memory left (spreads environments).

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;
use std::cmp::Reverse;

/// Places on the host with the most free memory (ties: the lowest host).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorstFit;

impl PlacementPolicy for WorstFit {
    fn place(
        &mut self,
        _env: &NewEnvironment,
        hosts: &[HostView],
        _rng: &mut Rng,
    ) -> Option<usize> {
        (0..hosts.len()).min_by_key(|&i| (Reverse(hosts[i].free_mb), hosts[i].index))
    }
}

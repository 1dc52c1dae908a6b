//! `least_loaded`: the host whose running executions demand the smallest part of its vCPUs.

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;

/// Places on the host with the lowest CPU demand ÷ vCPUs (ties: the most free memory, then
/// the lowest host).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeastLoaded;

impl PlacementPolicy for LeastLoaded {
    fn place(
        &mut self,
        _env: &NewEnvironment,
        hosts: &[HostView],
        _rng: &mut Rng,
    ) -> Option<usize> {
        // demand_a / vcpus_a < demand_b / vcpus_b, compared exactly in integers.
        (0..hosts.len()).min_by(|&a, &b| {
            let (x, y) = (&hosts[a], &hosts[b]);
            let lx = u128::from(x.cpu_demand.0) * u128::from(y.vcpus.0);
            let ly = u128::from(y.cpu_demand.0) * u128::from(x.vcpus.0);
            lx.cmp(&ly)
                .then(y.free_mb.cmp(&x.free_mb))
                .then(x.index.cmp(&y.index))
        })
    }
}

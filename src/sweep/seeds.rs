//! Seeds of a sweep's runs.
//!
//! Replication `r` of every point replays the same traffic: its arrival seed depends only on
//! the scenario's seed and `r` (common random numbers, so differences between points are not
//! drowned by differences in traffic). Service times and platform choices use a salt that
//! also depends on the point, so points are independent samples of everything else.

use crate::engine::rng::mix;

/// Purpose constants keep the two derivations apart even for equal inputs.
const ARRIVAL: u64 = 0x5357_4545_505f_4152; // "SWEEP_AR"
const SERVICE: u64 = 0x5357_4545_505f_5356; // "SWEEP_SV"

/// The seed of replication `replication`: the run's scenario seed, which drives its arrivals.
pub fn arrival_seed(scenario_seed: u64, replication: u32) -> u64 {
    mix(mix(scenario_seed ^ ARRIVAL) ^ u64::from(replication))
}

/// The salt mixed into the service and platform streams of point `point`, replication
/// `replication`.
pub fn service_salt(scenario_seed: u64, point: usize, replication: u32) -> u64 {
    mix(mix(mix(scenario_seed ^ SERVICE) ^ point as u64) ^ u64::from(replication))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_ignore_the_point_and_salts_do_not() {
        assert_eq!(arrival_seed(7, 2), arrival_seed(7, 2));
        assert_ne!(arrival_seed(7, 2), arrival_seed(7, 3));
        assert_ne!(arrival_seed(7, 2), arrival_seed(8, 2));
        assert_ne!(service_salt(7, 0, 0), service_salt(7, 1, 0));
        assert_ne!(service_salt(7, 0, 0), service_salt(7, 0, 1));
        assert_ne!(service_salt(7, 0, 0), arrival_seed(7, 0));
    }
}

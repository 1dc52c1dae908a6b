//! Placement on a cluster: which host a new environment goes to (the schedulers of DSLab
//! FaaS, faas-sim and OpenWhisk's controller): the trait [`PlacementPolicy`], one file per
//! built-in policy, and the registry (`built_in`) that maps `cluster.placement` to its
//! policy.
//!
//! The core asks a policy only about hosts the environment fits: first those with the
//! memory free; when none has, those where evicting idle environments would make room (the
//! core then evicts on the host chosen). A policy that answers `None` leaves the
//! environment unplaced: its request waits for memory or is dropped (`platform.when_full`).

mod best_fit;
mod first_fit;
mod home;
mod least_loaded;
mod random;
mod round_robin;
mod worst_fit;

pub use best_fit::BestFit;
pub use first_fit::FirstFit;
pub use home::Home;
pub use least_loaded::LeastLoaded;
pub use random::RandomHost;
pub use round_robin::RoundRobin;
pub use worst_fit::WorstFit;

use super::cpu_share::Vcpus;
use crate::engine::rng::Rng;
use crate::scenario::model::Placement;

/// A host the new environment fits, as a placement policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostView {
    /// Its index among all hosts (group by group, from 0).
    pub index: u32,
    /// Its host group (index in `cluster.hosts`).
    pub group: u32,
    /// Its vCPUs.
    pub vcpus: Vcpus,
    /// Its memory for environments, MB.
    pub memory_mb: u64,
    /// Memory not held by any environment, MB (less than the new environment needs when
    /// no host has room and idle environments must be evicted).
    pub free_mb: u64,
    /// vCPUs the executions running on it demand now (may exceed `vcpus`).
    pub cpu_demand: Vcpus,
    /// Live environments on it.
    pub environments: u32,
}

/// The environment being placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewEnvironment {
    /// Its function (index in the scenario).
    pub function: u32,
    /// A stable hash of the function's name (the same in every run and every scenario).
    pub function_hash: u64,
    /// Its configured memory, MB.
    pub memory_mb: u32,
    /// Its vCPUs (from its memory).
    pub vcpus: Vcpus,
    /// Hosts in the cluster (fitting or not).
    pub hosts_total: u32,
}

/// A placement policy: picks the host of each new environment.
///
/// `hosts` holds only hosts the environment fits, in host order, never empty; the answer
/// is an index into it (`None`, or an index out of range: leave the environment unplaced).
/// Ties should go to the lowest host index, so runs are deterministic; draw randomness
/// only from `rng` (the run's seeded placement stream).
pub trait PlacementPolicy {
    /// The position in `hosts` of the host for `env`.
    fn place(&mut self, env: &NewEnvironment, hosts: &[HostView], rng: &mut Rng) -> Option<usize>;
}

/// The registry of built-in policies: the policy `cluster.placement` configures. Adding a
/// policy: a file in this folder, a variant of [`Placement`] and one line here.
pub(crate) fn built_in(policy: Placement) -> Placer<'static> {
    match policy {
        Placement::FirstFit => Placer::FirstFit(FirstFit),
        Placement::BestFit => Placer::BestFit(BestFit),
        Placement::WorstFit => Placer::WorstFit(WorstFit),
        Placement::LeastLoaded => Placer::LeastLoaded(LeastLoaded),
        Placement::RoundRobin => Placer::RoundRobin(RoundRobin::default()),
        Placement::Random => Placer::Random(RandomHost),
        Placement::Home => Placer::Home(Home),
    }
}

/// The placement policy of a run: a built-in one (dispatched without a virtual call) or a
/// user's own.
pub(crate) enum Placer<'a> {
    FirstFit(FirstFit),
    BestFit(BestFit),
    WorstFit(WorstFit),
    LeastLoaded(LeastLoaded),
    RoundRobin(RoundRobin),
    Random(RandomHost),
    Home(Home),
    Custom(Box<dyn PlacementPolicy + 'a>),
}

impl PlacementPolicy for Placer<'_> {
    fn place(&mut self, env: &NewEnvironment, hosts: &[HostView], rng: &mut Rng) -> Option<usize> {
        match self {
            Placer::FirstFit(p) => p.place(env, hosts, rng),
            Placer::BestFit(p) => p.place(env, hosts, rng),
            Placer::WorstFit(p) => p.place(env, hosts, rng),
            Placer::LeastLoaded(p) => p.place(env, hosts, rng),
            Placer::RoundRobin(p) => p.place(env, hosts, rng),
            Placer::Random(p) => p.place(env, hosts, rng),
            Placer::Home(p) => p.place(env, hosts, rng),
            Placer::Custom(p) => p.place(env, hosts, rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    /// Four hosts of 4 vCPUs and 8 GB: free memory and CPU demand as given.
    fn hosts(free_mb: [u64; 4], demand: [u64; 4]) -> Vec<HostView> {
        (0..4)
            .map(|i| HostView {
                index: i as u32,
                group: 0,
                vcpus: Vcpus::whole(4),
                memory_mb: 8192,
                free_mb: free_mb[i],
                cpu_demand: Vcpus::whole(demand[i]),
                environments: 0,
            })
            .collect()
    }

    fn env(function_hash: u64) -> NewEnvironment {
        NewEnvironment {
            function: 0,
            function_hash,
            memory_mb: 1024,
            vcpus: Vcpus(578_858),
            hosts_total: 4,
        }
    }

    #[test]
    fn each_policy_by_hand() {
        let h = hosts([2048, 1024, 8192, 4096], [3, 0, 1, 1]);
        let mut rng = stream(1, 99, 0);
        let pick = |p: Placement, rng: &mut Rng| built_in(p).place(&env(6), &h, rng);
        assert_eq!(pick(Placement::FirstFit, &mut rng), Some(0));
        assert_eq!(
            pick(Placement::BestFit, &mut rng),
            Some(1),
            "least left: 1024"
        );
        assert_eq!(
            pick(Placement::WorstFit, &mut rng),
            Some(2),
            "most left: 8192"
        );
        // Demand 0 of 4 vCPUs on host 1.
        assert_eq!(pick(Placement::LeastLoaded, &mut rng), Some(1));
        // Home of hash 6 on 4 hosts: 6 mod 4 = 2.
        assert_eq!(pick(Placement::Home, &mut rng), Some(2));
    }

    #[test]
    fn ties_go_to_the_lowest_host() {
        let h = hosts([4096; 4], [2; 4]);
        let mut rng = stream(1, 99, 0);
        for p in [
            Placement::BestFit,
            Placement::WorstFit,
            Placement::LeastLoaded,
        ] {
            assert_eq!(built_in(p).place(&env(0), &h, &mut rng), Some(0), "{p:?}");
        }
    }

    #[test]
    fn round_robin_goes_round_skipping_hosts_that_do_not_fit() {
        let all = hosts([4096; 4], [0; 4]);
        let mut rr = RoundRobin::default();
        let mut rng = stream(1, 99, 0);
        let mut order = Vec::new();
        for _ in 0..5 {
            let i = rr.place(&env(0), &all, &mut rng).expect("fits");
            order.push(all[i].index);
        }
        assert_eq!(order, [0, 1, 2, 3, 0]);
        // Host 1 is missing (it has no room): after 0 comes 2.
        let some: Vec<HostView> = [0, 2, 3].iter().map(|&i| all[i]).collect();
        let i = rr.place(&env(0), &some, &mut rng).expect("fits");
        assert_eq!(some[i].index, 2);
    }

    #[test]
    fn home_falls_back_by_a_co_prime_step() {
        // Six hosts; hash 8: home 8 mod 6 = 2; the step is a number co-prime with 6.
        let all: Vec<HostView> = (0..6)
            .map(|i| HostView {
                index: i,
                group: 0,
                vcpus: Vcpus::whole(4),
                memory_mb: 8192,
                free_mb: 8192,
                cpu_demand: Vcpus(0),
                environments: 0,
            })
            .collect();
        let e = NewEnvironment {
            hosts_total: 6,
            ..env(8)
        };
        let mut rng = stream(1, 99, 0);
        assert_eq!(Home.place(&e, &all, &mut rng), Some(2));
        let step = home::step(8, 6);
        assert!(step > 0 && step < 6 && gcd(step, 6) == 1, "step {step}");
        // Without host 2 it goes to 2 + step.
        let rest: Vec<HostView> = all.iter().copied().filter(|h| h.index != 2).collect();
        let i = Home.place(&e, &rest, &mut rng).expect("fits elsewhere");
        assert_eq!(rest[i].index as u64, (2 + step) % 6);
    }

    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }

    #[test]
    fn random_picks_every_fitting_host_and_repeats_with_its_seed() {
        let h = hosts([4096; 4], [0; 4]);
        let draw = |seed| {
            let mut rng = stream(seed, 99, 0);
            (0..400)
                .map(|_| RandomHost.place(&env(0), &h, &mut rng).expect("fits"))
                .collect::<Vec<_>>()
        };
        let a = draw(3);
        assert_eq!(a, draw(3));
        // 400 draws over 4 hosts: each about 100 (binomial sd ≈ 8.7; 60 is 4.6 sd away).
        for host in 0..4 {
            let n = a.iter().filter(|&&i| i == host).count();
            assert!((60..=140).contains(&n), "host {host}: {n}");
        }
    }
}

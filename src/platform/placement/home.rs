//! `home`: the function's home host, else the next hosts by a step co-prime with their
//! number, as OpenWhisk's `ShardingContainerPoolBalancer` does: "the home invoker is
//! hash(namespace, action) mod #invokers … if the home invoker is overloaded, the next
//! invoker is chosen by a step size that is co-prime to the number of invokers" (Apache
//! OpenWhisk, `core/controller/.../ShardingContainerPoolBalancer.scala`, class comment).
//! The hash is of the function's name, so a function keeps its home across runs.

use super::{HostView, NewEnvironment, PlacementPolicy};
use crate::engine::rng::Rng;

/// Places on the function's home host or the first fitting one along its probe sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Home;

/// The probe step of a function with `hash` on `n` hosts: a number from 1 to n − 1
/// co-prime with `n` (1 when `n` ≤ 2), picked by the hash (the first co-prime at or after
/// 1 + (hash ÷ n) mod (n − 1)), so functions with one home probe in different orders.
pub(crate) fn step(hash: u64, n: u64) -> u64 {
    if n <= 2 {
        return 1;
    }
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let start = 1 + (hash / n) % (n - 1);
    // 1 is co-prime with every n, so the search ends.
    (start..n)
        .chain(1..start)
        .find(|&s| gcd(s, n) == 1)
        .unwrap_or(1)
}

impl PlacementPolicy for Home {
    fn place(&mut self, env: &NewEnvironment, hosts: &[HostView], _rng: &mut Rng) -> Option<usize> {
        let n = u64::from(env.hosts_total.max(1));
        let home = env.function_hash % n;
        let step = step(env.function_hash, n);
        // The probe visits every host once (the step is co-prime with n): the first that
        // fits is the answer; `hosts` is sorted by index, so each probe is a binary search.
        (0..n)
            .map(|k| ((home + k * step) % n) as u32)
            .find_map(|h| hosts.binary_search_by_key(&h, |v| v.index).ok())
    }
}

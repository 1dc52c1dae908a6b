//! `frequency`: evict an idle environment of the function with the fewest requests so far.

use super::{lru_key, Candidate, EvictionPolicy};

/// Evicts an environment of the least requested function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frequency;

impl EvictionPolicy for Frequency {
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        candidates.min_by_key(|c| (c.frequency, lru_key(c)))
    }
}

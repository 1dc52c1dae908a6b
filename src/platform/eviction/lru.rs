//! `lru`: evict the least recently used idle environment.

use super::{lru_key, Candidate, EvictionPolicy};

/// Evicts the environment idle the longest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lru;

impl EvictionPolicy for Lru {
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        candidates.min_by_key(lru_key)
    }
}

//! `size`: evict the largest idle environment (least recently used among equals).

use super::{lru_key, Candidate, EvictionPolicy};
use std::cmp::Reverse;

/// Evicts the environment with the most memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size;

impl EvictionPolicy for Size {
    fn victim(&mut self, candidates: &mut dyn Iterator<Item = Candidate>) -> Option<Candidate> {
        candidates.min_by_key(|c| (Reverse(c.memory_mb), lru_key(c)))
    }
}

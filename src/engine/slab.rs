//! A slab: values kept by `u32` slot, the slot of a taken value reused by the next insert (last
//! freed first, so the values in use stay on a few cache lines). The event queue keeps its
//! events in one; the simulation its requests in flight on shared environments and its host
//! jobs.

use std::ops::{Index, IndexMut};

/// Values by slot, with the freed slots reused.
#[derive(Clone, Debug)]
pub struct Slab<T> {
    values: Vec<T>,
    /// Slots of taken values, for reuse.
    free: Vec<u32>,
}

impl<T: Copy> Default for Slab<T> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl<T: Copy> Slab<T> {
    /// An empty slab with room for `n` values before it grows.
    pub fn with_capacity(n: usize) -> Self {
        Slab {
            values: Vec::with_capacity(n),
            free: Vec::with_capacity(n),
        }
    }

    /// Keeps `value` and returns its slot.
    #[inline]
    pub fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.values[slot as usize] = value;
                slot
            }
            None => {
                let slot = u32::try_from(self.values.len()).expect("fewer than 2^32 values");
                self.values.push(value);
                slot
            }
        }
    }

    /// The value in `slot`, whose slot is free from now on.
    #[inline]
    pub fn take(&mut self, slot: u32) -> T {
        self.free.push(slot);
        self.values[slot as usize]
    }
}

impl<T> Index<u32> for Slab<T> {
    type Output = T;
    #[inline]
    fn index(&self, slot: u32) -> &T {
        &self.values[slot as usize]
    }
}

impl<T> IndexMut<u32> for Slab<T> {
    #[inline]
    fn index_mut(&mut self, slot: u32) -> &mut T {
        &mut self.values[slot as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_slot_is_reused_last_freed_first() {
        let mut s = Slab::default();
        let (a, b, c) = (s.insert('a'), s.insert('b'), s.insert('c'));
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(s.take(a), 'a');
        assert_eq!(s.take(c), 'c');
        assert_eq!(s.insert('d'), c);
        assert_eq!(s.insert('e'), a);
        assert_eq!(s.insert('f'), 3);
        s[b] = 'B';
        assert_eq!((s[0], s[1], s[2], s[3]), ('e', 'B', 'd', 'f'));
    }
}

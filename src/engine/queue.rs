//! The event queue: a 4-ary min-heap of 16-byte keys `(time, sequence, slot)` ([`Heap`]), the
//! events themselves in a slab beside it.
//!
//! The sequence number is assigned at push time, so events scheduled for the same instant pop
//! first-in-first-out. That makes every run deterministic without relying on payload order.
//! Keeping only the key in the heap halves what each level of a sift moves and compares
//! (a 32-byte entry of key and event before), and the slab's free slots are reused last
//! freed first, so the events in flight stay on a few cache lines.

use super::heap::{Heap, Key};
use super::{SimTime, Slab};

/// Pending events ordered by time, ties broken by insertion order.
pub struct EventQueue<E> {
    heap: Heap,
    /// The events, by slot (the low 32 bits of their key).
    slots: Slab<E>,
    /// The sequence number of the next push; when it would pass `u32::MAX` the pending keys
    /// are renumbered in order (`renumber`).
    seq: u32,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: Heap::with_capacity(1024),
            slots: Slab::with_capacity(1024),
            seq: 0,
        }
    }

    /// Schedules `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let slot = self.slots.insert(event);
        if self.seq == u32::MAX {
            self.renumber();
        }
        let key = (time.0 as u128) << 64 | (self.seq as u128) << 32 | slot as u128;
        self.seq += 1;
        self.heap.push(key);
    }

    /// Gives the pending keys the sequence numbers `0..len` in their order, which keeps
    /// every comparison between them, and continues from `len` (once per 2^32 pushes).
    #[cold]
    fn renumber(&mut self) {
        let mut keys = self.heap.take_keys();
        keys.sort_unstable();
        let mask: Key = !((u32::MAX as Key) << 32);
        for (rank, k) in keys.iter_mut().enumerate() {
            *k = (*k & mask) | (rank as Key) << 32;
        }
        self.seq = keys.len() as u32;
        self.heap = Heap::from_sorted(keys);
    }

    /// Removes and returns the earliest event, or `None` when the queue is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let key = self.heap.pop()?;
        Some((SimTime((key >> 64) as u64), self.slots.take(key as u32)))
    }

    /// The time of the earliest event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|k| SimTime((k >> 64) as u64))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_first_in_first_out() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(SimTime(7), i);
        }
        q.push(SimTime(3), 1000);
        let (t, e) = q.pop().expect("non-empty");
        assert_eq!((t, e), (SimTime(3), 1000));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((SimTime(7), i)));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn matches_a_sorted_reference_under_random_interleaving() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new();
        let (mut seq, mut now) = (0u64, 0u64);
        for _ in 0..20_000 {
            if rng.random::<f64>() < 0.55 || reference.is_empty() {
                let t = now + rng.random_range(0..50u64);
                q.push(SimTime(t), seq);
                reference.push((t, seq));
                seq += 1;
            } else {
                reference.sort_unstable();
                let want = reference.remove(0);
                let (t, e) = q.pop().expect("non-empty");
                assert_eq!((t.0, e), want);
                now = t.0;
            }
        }
        assert_eq!(q.len(), reference.len());
    }

    #[test]
    fn renumbering_at_the_sequence_limit_keeps_the_order() {
        // Pushes near the sequence limit renumber the pending keys: time order, then push
        // order among equal times, must hold across it.
        let mut q = EventQueue::new();
        q.seq = u32::MAX - 5;
        let mut reference = Vec::new();
        for i in 0..40u64 {
            let t = 100 + (i * 7) % 5;
            q.push(SimTime(t), i);
            reference.push((t, i));
            if i % 3 == 0 {
                reference.sort_unstable();
                let want = reference.remove(0);
                assert_eq!(q.pop().map(|(t, e)| (t.0, e)), Some(want));
            }
        }
        assert!(q.seq < 100, "renumbered from the pending count");
        reference.sort_unstable();
        for want in reference {
            assert_eq!(q.pop().map(|(t, e)| (t.0, e)), Some(want));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        let times = [50u64, 10, 40, 10, 0, 99, 40];
        for (i, t) in times.iter().enumerate() {
            q.push(SimTime(*t), i);
        }
        let mut last = (SimTime::ZERO, 0usize);
        let mut first = true;
        while let Some((t, i)) = q.pop() {
            if !first {
                assert!(t > last.0 || (t == last.0 && i > last.1));
            }
            first = false;
            last = (t, i);
        }
    }
}

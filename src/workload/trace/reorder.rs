//! A bounded reorder window: rows of a per-request file may be out of time order by up to
//! `window` rows; a row later than that is reported instead of silently replayed out of order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A row waiting in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pending {
    /// Trace time, ns (compared first).
    pub t: i64,
    /// Row order, so equal times keep file order.
    pub seq: u64,
    /// Line in the file, for messages.
    pub line: u64,
    /// Slot of the function.
    pub slot: u32,
    /// Execution time from the trace, ns; `u64::MAX` for none.
    pub execution_ns: u64,
}

/// Holds up to `window` rows and releases them in time order.
#[derive(Debug)]
pub struct Reorder {
    heap: BinaryHeap<Reverse<Pending>>,
    window: usize,
    seq: u64,
    /// Time and line of the last released row.
    released: Option<(i64, u64)>,
}

impl Reorder {
    /// A window of `window` rows (0: the file must be sorted).
    pub fn new(window: usize) -> Reorder {
        Reorder {
            heap: BinaryHeap::with_capacity(window.min(1 << 16) + 1),
            window,
            seq: 0,
            released: None,
        }
    }

    /// Adds a row; `Err(line)` names the already released row it would come before.
    #[inline]
    pub fn push(&mut self, t: i64, line: u64, slot: u32, execution_ns: u64) -> Result<(), u64> {
        if let Some((rt, rl)) = self.released {
            if t < rt {
                return Err(rl);
            }
        }
        self.heap.push(Reverse(Pending {
            t,
            seq: self.seq,
            line,
            slot,
            execution_ns,
        }));
        self.seq += 1;
        Ok(())
    }

    /// The earliest row once the window is full.
    #[inline]
    pub fn pop_full(&mut self) -> Option<Pending> {
        if self.heap.len() > self.window {
            self.pop()
        } else {
            None
        }
    }

    /// The earliest row (at the end of the file).
    #[inline]
    pub fn pop(&mut self) -> Option<Pending> {
        let Reverse(p) = self.heap.pop()?;
        self.released = Some((p.t, p.line));
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(r: &mut Reorder, out: &mut Vec<i64>) {
        while let Some(p) = r.pop() {
            out.push(p.t);
        }
    }

    #[test]
    fn sorts_within_the_window() {
        let mut r = Reorder::new(2);
        let mut out = Vec::new();
        for (i, t) in [3, 1, 2, 5, 4, 6].into_iter().enumerate() {
            r.push(t, i as u64 + 2, 0, u64::MAX)
                .expect("within the window");
            if let Some(p) = r.pop_full() {
                out.push(p.t);
            }
        }
        drain(&mut r, &mut out);
        assert_eq!(out, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_row_beyond_the_window_is_refused() {
        let mut r = Reorder::new(1);
        r.push(5, 2, 0, 0).unwrap();
        r.push(6, 3, 0, 0).unwrap();
        assert_eq!(r.pop_full().map(|p| p.t), Some(5));
        assert_eq!(r.push(4, 4, 0, 0), Err(2));
    }

    #[test]
    fn equal_times_keep_file_order() {
        let mut r = Reorder::new(10);
        for slot in 0..5 {
            r.push(7, u64::from(slot) + 2, slot, 0).unwrap();
        }
        let slots: Vec<u32> = std::iter::from_fn(|| r.pop()).map(|p| p.slot).collect();
        assert_eq!(slots, [0, 1, 2, 3, 4]);
    }
}

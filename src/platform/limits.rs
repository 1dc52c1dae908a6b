//! Concurrency limits (reserved and account-wide) and the per-function scaling token bucket.

use crate::engine::{SimDuration, SimTime};

/// A token bucket refilled continuously: `capacity` tokens, a full refill every `per`.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    tokens: f64,
    per_ns: f64,
    last: SimTime,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(capacity: u32, per: SimDuration) -> Self {
        TokenBucket {
            capacity: capacity as f64,
            tokens: capacity as f64,
            per_ns: per.0 as f64,
            last: SimTime::ZERO,
        }
    }

    /// Takes one token at `now` if there is one.
    #[inline]
    pub fn take(&mut self, now: SimTime) -> bool {
        let elapsed = (now.0 - self.last.0.min(now.0)) as f64;
        self.tokens = (self.tokens + elapsed * self.capacity / self.per_ns).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// In-flight requests counted against concurrency limits.
///
/// A function's usage is its provisioned environments plus its requests in flight on
/// on-demand environments. Functions with reserved concurrency are capped at it; the others
/// share the account's unreserved pool.
#[derive(Clone, Debug)]
pub struct Concurrency {
    /// Per function: its cap, usage, peak and pool, in one 16-byte record (every request
    /// reads them together: one cache line, not four arrays, with thousands of functions).
    per: Vec<Unit>,
    /// Account concurrency minus all reservations.
    pool: u32,
    /// Usage of the unreserved pool.
    pool_used: u32,
    /// Highest total usage seen.
    peak_total: u32,
    total: u32,
}

/// One function's concurrency.
#[derive(Clone, Copy, Debug)]
struct Unit {
    /// The cap (reserved concurrency, or `u32::MAX` when unreserved).
    cap: u32,
    /// Current usage.
    used: u32,
    /// Highest usage seen.
    peak: u32,
    /// Draws on the unreserved pool.
    shared: bool,
}

impl Concurrency {
    /// Limits for functions with the given reservations (`None` = unreserved).
    pub fn new(account: u32, reserved: &[Option<u32>]) -> Self {
        let total_reserved: u32 = reserved.iter().flatten().sum();
        Concurrency {
            per: reserved
                .iter()
                .map(|r| Unit {
                    cap: r.unwrap_or(u32::MAX),
                    used: 0,
                    peak: 0,
                    shared: r.is_none(),
                })
                .collect(),
            pool: account.saturating_sub(total_reserved),
            pool_used: 0,
            peak_total: 0,
            total: 0,
        }
    }

    /// True if function `f` may take one more unit.
    #[inline]
    pub fn allows(&self, f: usize) -> bool {
        let u = &self.per[f];
        u.used < u.cap && (!u.shared || self.pool_used < self.pool)
    }

    /// Takes one unit for `f` (caller checked `allows`, or is placing provisioned capacity
    /// that validation fitted).
    #[inline]
    pub fn acquire(&mut self, f: usize) {
        let u = &mut self.per[f];
        u.used += 1;
        u.peak = u.peak.max(u.used);
        self.total += 1;
        self.peak_total = self.peak_total.max(self.total);
        if u.shared {
            self.pool_used += 1;
        }
    }

    /// Gives one unit of `f` back.
    #[inline]
    pub fn release(&mut self, f: usize) {
        let u = &mut self.per[f];
        debug_assert!(u.used > 0, "release without acquire");
        u.used -= 1;
        self.total -= 1;
        if u.shared {
            self.pool_used -= 1;
        }
    }

    /// Highest usage of each function over the run.
    pub fn peaks(&self) -> Vec<u32> {
        self.per.iter().map(|u| u.peak).collect()
    }

    /// Highest account-wide usage over the run.
    pub fn peak_total(&self) -> u32 {
        self.peak_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_continuously() {
        let mut b = TokenBucket::new(2, SimDuration::from_secs(10));
        assert!(b.take(SimTime::ZERO));
        assert!(b.take(SimTime::ZERO));
        assert!(!b.take(SimTime::ZERO));
        // One token takes 5 s to come back.
        assert!(!b.take(SimTime(4_999_999_999)));
        assert!(b.take(SimTime(10_000_000_000)));
    }

    #[test]
    fn reserved_and_pool_limits() {
        let mut c = Concurrency::new(10, &[Some(3), None, None]);
        for _ in 0..3 {
            assert!(c.allows(0));
            c.acquire(0);
        }
        assert!(!c.allows(0));
        for _ in 0..7 {
            assert!(c.allows(1) || c.allows(2));
            c.acquire(1);
        }
        assert!(!c.allows(2), "the unreserved pool is 10 - 3 = 7");
        c.release(1);
        assert!(c.allows(2));
    }
}

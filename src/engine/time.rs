//! Simulated time as integer nanoseconds: `SimTime` (an instant) and `SimDuration` (a span).
//!
//! Integer time makes runs exactly reproducible and event order independent of float rounding.
//! Nanoseconds in a `u64` cover about 584 years of simulated time.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per unit, for conversions.
pub const NANOS_PER_MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const NANOS_PER_S: u64 = 1_000_000_000;

/// An instant of simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// Later than any event a run can schedule.
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// Seconds since the start, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_S as f64
    }

    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// Longer than any run.
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// From whole milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * NANOS_PER_MS)
    }

    /// From whole seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * NANOS_PER_S)
    }

    /// From (non-negative, finite) seconds, rounded to the nearest nanosecond; saturates.
    pub fn from_secs_f64(s: f64) -> Self {
        Self::from_nanos_f64(s * NANOS_PER_S as f64)
    }

    /// From (non-negative, finite) milliseconds, rounded to the nearest nanosecond; saturates.
    pub fn from_millis_f64(ms: f64) -> Self {
        Self::from_nanos_f64(ms * NANOS_PER_MS as f64)
    }

    /// From nanoseconds as a float; negative or NaN becomes zero, too large saturates.
    pub fn from_nanos_f64(ns: f64) -> Self {
        // `as` saturates for out-of-range floats and maps NaN (and negatives) to 0. Adding one
        // half instead of calling `round` avoids a libm call on the hot path (it was ~5% of a
        // one-function run); both round halves up for the non-negative values that matter.
        SimDuration((ns + 0.5) as u64)
    }

    /// Seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_S as f64
    }

    /// Milliseconds, for reports.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_MS as f64
    }

    /// Nanoseconds.
    pub fn as_nanos(self) -> u64 {
        self.0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    /// Saturating: an earlier minus a later instant is zero.
    fn sub(self, other: SimTime) -> SimDuration {
        self.since(other)
    }
}

impl Sub for SimDuration {
    type Output = SimDuration;
    /// Saturating at zero.
    fn sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for SimDuration {
    /// Compact human form: `1h30m`, `250ms`, `1.5s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        if ns == 0 {
            return write!(f, "0s");
        }
        if ns % NANOS_PER_S == 0 {
            let mut s = ns / NANOS_PER_S;
            let d = s / 86_400;
            s %= 86_400;
            let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
            let mut out = String::new();
            if d > 0 {
                out += &format!("{d}d");
            }
            if h > 0 {
                out += &format!("{h}h");
            }
            if m > 0 {
                out += &format!("{m}m");
            }
            if sec > 0 {
                out += &format!("{sec}s");
            }
            return write!(f, "{out}");
        }
        if ns >= NANOS_PER_S {
            write!(f, "{}s", ns as f64 / NANOS_PER_S as f64)
        } else if ns >= NANOS_PER_MS {
            write!(f, "{}ms", ns as f64 / NANOS_PER_MS as f64)
        } else if ns >= 1000 {
            write!(f, "{}us", ns as f64 / 1000.0)
        } else {
            write!(f, "{ns}ns")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_compact() {
        assert_eq!(SimDuration::from_secs(5400).to_string(), "1h30m");
        assert_eq!(SimDuration::from_secs(86_400 + 1).to_string(), "1d1s");
        assert_eq!(SimDuration::from_millis(250).to_string(), "250ms");
        assert_eq!(SimDuration::from_millis(1500).to_string(), "1.5s");
        assert_eq!(SimDuration::ZERO.to_string(), "0s");
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::NEVER + SimDuration::from_secs(1), SimTime::NEVER);
        assert_eq!(SimTime(5) - SimTime(9), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_nanos_f64(1e30), SimDuration::MAX);
    }
}

//! Provisioned concurrency: how many environments a function keeps ready, the levels the
//! cost and utilization figures integrate, and the target-tracking autoscaling decision.

use crate::engine::SimTime;
use crate::scenario::model::Autoscale;

/// One function's provisioned environments, by what they are doing for the target.
#[derive(Clone, Debug, Default)]
pub struct Provisioned {
    /// Environments allocated (the configured count, billed).
    pub target: u32,
    /// Ready environments not yet past their maximum lifetime (idle or busy).
    pub ready: u32,
    /// Environments initializing (off the request path).
    pub initializing: u32,
    /// Recycled environments still alive: past their maximum lifetime, serving until they
    /// are retired (they hold no concurrency unit: it passed to their replacement).
    pub recycled: u32,
    /// Most environments alive at once (`ready + initializing + recycled`, and ready ones
    /// waiting to be scaled in, which `ready` still counts).
    pub peak_live: u32,
    /// Busy provisioned environments.
    pub busy: u32,
    /// Since when `busy` and `target` have held.
    pub busy_since: SimTime,
    /// Since when `target` has held.
    pub target_since: SimTime,
    /// Busy environment-nanoseconds before `busy_since`, whole run.
    pub busy_ns: u128,
    /// Allocated environment-nanoseconds before `target_since`, whole run.
    pub target_ns: u128,
    /// Autoscaling state.
    pub tracker: Tracker,
    /// `busy_ns` and `target_ns` at the last autoscaling evaluation.
    pub last: (u128, u128),
}

impl Provisioned {
    /// Environments alive: initializing, ready, and recycled ones still serving.
    pub fn live(&self) -> u32 {
        self.ready + self.initializing + self.recycled
    }

    /// How many environments to start now to bring `ready + initializing` up to the target,
    /// at most one replacement in flight per unit: never more than 2 × target alive, so an
    /// init that outlasts the maximum lifetime (each replacement recycled as soon as it is
    /// ready) cannot pile environments up.
    pub fn to_start(&self) -> u32 {
        let missing = self.target.saturating_sub(self.ready + self.initializing);
        let room = self.target.saturating_mul(2).saturating_sub(self.live());
        missing.min(room)
    }

    /// Busy and allocated environment-nanoseconds up to `now`, whole run.
    pub fn integrals(&self, now: SimTime) -> (u128, u128) {
        let busy = self.busy_ns + self.busy as u128 * now.since(self.busy_since).0 as u128;
        let alloc = self.target_ns + self.target as u128 * now.since(self.target_since).0 as u128;
        (busy, alloc)
    }
}

/// What a target-tracking policy decides after one measurement period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingDecision {
    /// Keep the allocation.
    Hold,
    /// Allocate this many environments instead.
    Scale(u32),
}

/// Consecutive periods above and below the target (the two CloudWatch alarms of an
/// Application Auto Scaling target-tracking policy) and the cooldown left.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tracker {
    above: u32,
    below: u32,
    quiet: u32,
}

impl Tracker {
    /// Feeds one period's mean `utilization` (busy / allocated) with `allocated` environments.
    /// Scales out after `out_after` periods in a row above the target, in after `in_after`
    /// in a row below `in_ratio` × target, to ceil(allocated × utilization / target) within
    /// `[min, max]`; both alarms start over after an action, and `cooldown` periods are skipped.
    pub fn observe(&mut self, a: &Autoscale, allocated: u32, utilization: f64) -> ScalingDecision {
        if self.quiet > 0 {
            self.quiet -= 1;
            return ScalingDecision::Hold;
        }
        if utilization > a.target {
            self.above += 1;
            self.below = 0;
        } else if utilization < a.in_ratio * a.target {
            self.below += 1;
            self.above = 0;
        } else {
            self.above = 0;
            self.below = 0;
        }
        let wanted = (allocated as f64 * utilization / a.target - 1e-9)
            .ceil()
            .max(0.0);
        let wanted = (wanted.min(u32::MAX as f64) as u32).clamp(a.min, a.max);
        let act = (self.above >= a.out_after && wanted > allocated)
            || (self.below >= a.in_after && wanted < allocated);
        if act {
            *self = Tracker {
                quiet: a.cooldown,
                ..Tracker::default()
            };
            ScalingDecision::Scale(wanted)
        } else {
            ScalingDecision::Hold
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn policy() -> Autoscale {
        Autoscale {
            min: 1,
            max: 50,
            target: 0.7,
            period: SimDuration::from_secs(60),
            out_after: 3,
            in_after: 15,
            in_ratio: 0.9,
            cooldown: 0,
        }
    }

    #[test]
    fn scales_out_after_three_periods_in_proportion_to_the_gap() {
        let (a, mut t) = (policy(), Tracker::default());
        assert_eq!(t.observe(&a, 10, 1.0), ScalingDecision::Hold);
        assert_eq!(t.observe(&a, 10, 1.0), ScalingDecision::Hold);
        // 10 × 1.0 / 0.7 = 14.3 → 15.
        assert_eq!(t.observe(&a, 10, 1.0), ScalingDecision::Scale(15));
        // The alarm starts over.
        assert_eq!(t.observe(&a, 15, 1.0), ScalingDecision::Hold);
    }

    #[test]
    fn a_period_at_target_breaks_the_run() {
        let (a, mut t) = (policy(), Tracker::default());
        t.observe(&a, 10, 0.9);
        t.observe(&a, 10, 0.9);
        assert_eq!(t.observe(&a, 10, 0.66), ScalingDecision::Hold);
        assert_eq!(t.observe(&a, 10, 0.9), ScalingDecision::Hold);
    }

    #[test]
    fn scales_in_after_fifteen_periods_below_ninety_percent_of_target() {
        let (a, mut t) = (policy(), Tracker::default());
        for _ in 0..14 {
            assert_eq!(t.observe(&a, 20, 0.35), ScalingDecision::Hold);
        }
        // 20 × 0.35 / 0.7 = 10.
        assert_eq!(t.observe(&a, 20, 0.35), ScalingDecision::Scale(10));
        // Never below min.
        let mut t = Tracker::default();
        let last = (0..15).map(|_| t.observe(&a, 3, 0.0)).last();
        assert_eq!(last, Some(ScalingDecision::Scale(1)));
    }
}

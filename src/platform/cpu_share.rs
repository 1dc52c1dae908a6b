//! Processor sharing: jobs sharing a capacity of vCPUs ([`CpuShare`]), in integer time.
//!
//! Each job has CPU work remaining, in vCPU-nanoseconds, and a maximum rate, in vCPUs (its
//! threads, capped by what it may use). While the jobs' maximum rates together (the
//! *demand*) fit in the capacity, every job runs at its maximum rate; when they do not, every
//! job slows in the same proportion, capacity ÷ demand (DSLab FaaS's fair slowdown
//! max(cores, load) ÷ cores). On one vCPU with jobs of one thread this is the textbook
//! processor-sharing server: two jobs of equal work take exactly twice as long as one.
//!
//! Because every job slows by the same factor, one *virtual clock* serves them all: it counts
//! the nanoseconds an unslowed job would have run, advancing at min(1, capacity ÷ demand) per
//! real nanosecond. A job finishes when the virtual clock reaches its tag, set when it was
//! added (virtual clock + work ÷ maximum rate). Adding or removing a job is O(log n) and
//! touches no other job. Rates are integer micro-vCPUs and the clock is an integer, so
//! results are exact and repeatable: the virtual clock is rounded down when it advances and
//! completion times are rounded up, so a job is never reported done before its work is.
//!
//! The caller owns the events: after any change it asks [`CpuShare::next_completion`] and
//! schedules a wake-up there; when woken it takes the finished jobs with
//! [`CpuShare::pop_completed`]. A change moves the next completion, so wake-ups scheduled
//! before it are stale: keep a generation per share and ignore a wake-up whose generation is
//! not the latest (as `IdleDeadline` is handled).

use crate::engine::{SimDuration, SimTime};
use std::collections::{BTreeMap, BTreeSet};

/// An amount of vCPUs as integer micro-vCPUs (one vCPU = 1,000,000).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vcpus(pub u64);

impl Vcpus {
    /// Micro-vCPUs per vCPU.
    pub const MICRO: u64 = 1_000_000;

    /// Whole vCPUs.
    pub const fn whole(n: u64) -> Vcpus {
        Vcpus(n * Vcpus::MICRO)
    }

    /// From a (non-negative, finite) number of vCPUs, rounded to the nearest micro-vCPU.
    pub fn from_f64(vcpus: f64) -> Vcpus {
        Vcpus((vcpus * Vcpus::MICRO as f64 + 0.5) as u64)
    }

    /// As a number of vCPUs, for reports.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Vcpus::MICRO as f64
    }
}

/// One job: its maximum rate and its tag on the virtual clock.
#[derive(Clone, Copy, Debug)]
struct Job {
    rate: u64,
    tag: u128,
}

/// Jobs with ids of type `K` (chosen by the caller, unique among live jobs) sharing a
/// capacity of vCPUs by processor sharing. See the module documentation.
#[derive(Clone, Debug)]
pub struct CpuShare<K: Ord + Copy> {
    /// Capacity, micro-vCPUs (at least 1).
    capacity: u64,
    /// Sum of the live jobs' maximum rates, micro-vCPUs.
    demand: u64,
    /// Nanoseconds an unslowed job has run since the start.
    virtual_ns: u128,
    /// The real time `virtual_ns` was last advanced to.
    at: SimTime,
    jobs: BTreeMap<K, Job>,
    /// Live jobs by (tag, id): the earliest to finish first, ties by id.
    order: BTreeSet<(u128, K)>,
}

impl<K: Ord + Copy> CpuShare<K> {
    /// An idle share of `capacity` (a zero capacity is taken as one micro-vCPU).
    pub fn new(capacity: Vcpus) -> Self {
        CpuShare {
            capacity: capacity.0.max(1),
            demand: 0,
            virtual_ns: 0,
            at: SimTime::ZERO,
            jobs: BTreeMap::new(),
            order: BTreeSet::new(),
        }
    }

    /// Brings the virtual clock to `now` (never back).
    fn advance(&mut self, now: SimTime) {
        let dt = u128::from(now.since(self.at).0);
        if dt == 0 {
            return;
        }
        self.at = now;
        self.virtual_ns += if self.demand <= self.capacity {
            dt
        } else {
            dt * u128::from(self.capacity) / u128::from(self.demand)
        };
    }

    /// Adds job `id` at `now` with `work` vCPU-nanoseconds to do at up to `max_rate` (a zero
    /// rate is taken as one micro-vCPU). Work 0 completes at once. An id already live is
    /// replaced.
    pub fn add(&mut self, now: SimTime, id: K, work: u64, max_rate: Vcpus) {
        self.remove(now, id);
        self.advance(now);
        let rate = max_rate.0.max(1);
        // Unslowed nanoseconds: work ÷ rate, rounded up.
        let ns = (u128::from(work) * u128::from(Vcpus::MICRO)).div_ceil(u128::from(rate));
        let tag = self.virtual_ns + ns;
        self.demand += rate;
        self.jobs.insert(id, Job { rate, tag });
        self.order.insert((tag, id));
    }

    /// Adds job `id` at `now` that alone, at `max_rate`, would take exactly `alone` (its
    /// work is `alone` × `max_rate`): the same as [`add`](Self::add) without rounding the
    /// work, so an unslowed job ends exactly `alone` later.
    pub fn add_unslowed(&mut self, now: SimTime, id: K, alone: SimDuration, max_rate: Vcpus) {
        self.remove(now, id);
        self.advance(now);
        let rate = max_rate.0.max(1);
        let tag = self.virtual_ns + u128::from(alone.0);
        self.demand += rate;
        self.jobs.insert(id, Job { rate, tag });
        self.order.insert((tag, id));
    }

    /// Removes job `id` at `now` (finished elsewhere, or cut short); its work left, in
    /// vCPU-nanoseconds (rounded up), or `None` if it is not live.
    pub fn remove(&mut self, now: SimTime, id: K) -> Option<u64> {
        self.advance(now);
        let job = self.jobs.remove(&id)?;
        self.order.remove(&(job.tag, id));
        self.demand -= job.rate;
        let ns = job.tag.saturating_sub(self.virtual_ns);
        let work = (ns * u128::from(job.rate)).div_ceil(u128::from(Vcpus::MICRO));
        Some(u64::try_from(work).unwrap_or(u64::MAX))
    }

    /// When the next job finishes if nothing changes before, `None` without jobs. Never
    /// earlier than the last time the share was changed or asked.
    pub fn next_completion(&self) -> Option<SimTime> {
        let &(tag, _) = self.order.first()?;
        let ns = tag.saturating_sub(self.virtual_ns);
        let dt = if self.demand <= self.capacity {
            ns
        } else {
            (ns * u128::from(self.demand)).div_ceil(u128::from(self.capacity))
        };
        let dt = u64::try_from(dt).unwrap_or(u64::MAX);
        Some(SimTime(self.at.0.saturating_add(dt)))
    }

    /// A job whose work is done by `now`, removed (the earliest tag first, ties by id);
    /// `None` if none is. Call until `None` when woken at [`next_completion`](Self::next_completion).
    pub fn pop_completed(&mut self, now: SimTime) -> Option<K> {
        self.advance(now);
        let &(tag, id) = self.order.first()?;
        if tag > self.virtual_ns {
            return None;
        }
        self.order.remove(&(tag, id));
        let job = self.jobs.remove(&id)?;
        self.demand -= job.rate;
        Some(id)
    }

    /// Live jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// True without live jobs.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// The capacity.
    pub fn capacity(&self) -> Vcpus {
        Vcpus(self.capacity)
    }

    /// The live jobs' maximum rates together.
    pub fn demand(&self) -> Vcpus {
        Vcpus(self.demand)
    }

    /// vCPUs in use now: min(capacity, demand).
    pub fn busy(&self) -> Vcpus {
        Vcpus(self.demand.min(self.capacity))
    }

    /// How much slower than unslowed every job runs now, ≥ 1 (demand ÷ capacity when the
    /// demand exceeds the capacity).
    pub fn slowdown(&self) -> f64 {
        (self.demand as f64 / self.capacity as f64).max(1.0)
    }

    /// The time an unslowed job with `work` vCPU-nanoseconds at `max_rate` takes (what
    /// [`add`](Self::add) counts on the virtual clock, as a duration).
    pub fn unslowed(work: u64, max_rate: Vcpus) -> SimDuration {
        let ns =
            (u128::from(work) * u128::from(Vcpus::MICRO)).div_ceil(u128::from(max_rate.0.max(1)));
        SimDuration(u64::try_from(ns).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// Runs the share to the end, returning (id, completion time) in completion order.
    fn drain(s: &mut CpuShare<u32>) -> Vec<(u32, u64)> {
        let mut done = Vec::new();
        while let Some(t) = s.next_completion() {
            let mut any = false;
            while let Some(id) = s.pop_completed(t) {
                done.push((id, t.0));
                any = true;
            }
            assert!(any, "a wake-up at next_completion finds a job done");
        }
        done
    }

    #[test]
    fn one_job_runs_at_its_rate() {
        let mut s = CpuShare::new(Vcpus::whole(2));
        // 100 ms of vCPU work at half a vCPU takes 200 ms.
        s.add(SimTime(5), 1u32, 100 * MS, Vcpus(500_000));
        assert_eq!(s.next_completion(), Some(SimTime(5 + 200 * MS)));
        assert_eq!(drain(&mut s), vec![(1, 5 + 200 * MS)]);
        assert!(s.is_empty());
    }

    #[test]
    fn two_jobs_on_one_vcpu_take_exactly_twice_as_long() {
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add(SimTime::ZERO, 1u32, 300 * MS, Vcpus::whole(1));
        s.add(SimTime::ZERO, 2u32, 300 * MS, Vcpus::whole(1));
        assert_eq!(s.slowdown(), 2.0);
        assert_eq!(drain(&mut s), vec![(1, 600 * MS), (2, 600 * MS)]);
    }

    #[test]
    fn demand_within_capacity_does_not_slow() {
        let mut s = CpuShare::new(Vcpus::whole(2));
        s.add(SimTime::ZERO, 1u32, 10 * MS, Vcpus::whole(1));
        s.add(SimTime::ZERO, 2u32, 30 * MS, Vcpus::whole(1));
        assert_eq!(s.busy(), Vcpus::whole(2));
        assert_eq!(drain(&mut s), vec![(1, 10 * MS), (2, 30 * MS)]);
    }

    #[test]
    fn worked_by_hand_arrival_and_departure_change_the_rates() {
        // One vCPU. A: 10 ms of work at t=0. B: 10 ms at t=5 ms. Until 5 ms A runs alone and
        // does 5 ms; then both at half speed: A's last 5 ms take 10 ms (ends at 15 ms), B has
        // done 5 ms by then and its last 5 ms run alone (ends at 20 ms).
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add(SimTime::ZERO, 1u32, 10 * MS, Vcpus::whole(1));
        assert_eq!(s.next_completion(), Some(SimTime(10 * MS)));
        s.add(SimTime(5 * MS), 2u32, 10 * MS, Vcpus::whole(1));
        assert_eq!(s.next_completion(), Some(SimTime(15 * MS)));
        assert_eq!(drain(&mut s), vec![(1, 15 * MS), (2, 20 * MS)]);
    }

    #[test]
    fn slowdown_is_in_proportion_to_the_rates() {
        // Two vCPUs; a 2-thread job and a 2-thread job demand 4: each runs at 1 vCPU.
        let mut s = CpuShare::new(Vcpus::whole(2));
        s.add(SimTime::ZERO, 1u32, 20 * MS, Vcpus::whole(2));
        s.add(SimTime::ZERO, 2u32, 40 * MS, Vcpus::whole(2));
        // Job 1: 20 ms of work at 1 vCPU = 20 ms. Then job 2 alone: 20 ms of work left at 2
        // vCPUs = 10 ms.
        assert_eq!(drain(&mut s), vec![(1, 20 * MS), (2, 30 * MS)]);
    }

    #[test]
    fn removal_returns_the_work_left_and_frees_the_share() {
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add(SimTime::ZERO, 1u32, 10 * MS, Vcpus::whole(1));
        s.add(SimTime::ZERO, 2u32, 10 * MS, Vcpus::whole(1));
        // At 4 ms each has done 2 ms.
        assert_eq!(s.remove(SimTime(4 * MS), 2), Some(8 * MS));
        assert_eq!(s.remove(SimTime(4 * MS), 2), None);
        assert_eq!(s.demand(), Vcpus::whole(1));
        // Job 1 has 8 ms left, alone.
        assert_eq!(drain(&mut s), vec![(1, 12 * MS)]);
    }

    #[test]
    fn zero_work_completes_at_once_and_ties_go_by_id() {
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add(SimTime(7), 9u32, 0, Vcpus::whole(1));
        s.add(SimTime(7), 3u32, 0, Vcpus::whole(1));
        assert_eq!(s.next_completion(), Some(SimTime(7)));
        assert_eq!(s.pop_completed(SimTime(7)), Some(3));
        assert_eq!(s.pop_completed(SimTime(7)), Some(9));
        assert_eq!(s.pop_completed(SimTime(7)), None);
    }

    #[test]
    fn rounding_never_reports_a_job_early() {
        // Three jobs on one vCPU with awkward sizes, added at awkward times: each completion
        // is at or after the exact (rational) one, and within a few ns of it.
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add(SimTime(0), 1u32, 1_000_001, Vcpus::whole(1));
        s.add(SimTime(333), 2u32, 999_999, Vcpus::whole(1));
        s.add(SimTime(777), 3u32, 7, Vcpus::whole(1));
        let done = drain(&mut s);
        // Total work 2,000,007 vCPU-ns on one vCPU, busy from 0: the last ends at 2,000,007.
        let last = done.last().map(|d| d.1);
        assert!(
            last >= Some(2_000_007) && last <= Some(2_000_010),
            "{done:?}"
        );
        // Job 3 (7 ns of work) shares with two others from 777: it needs 21 ns of wall time.
        assert_eq!(done[0].0, 3);
        assert!(done[0].1 >= 777 + 21 && done[0].1 <= 777 + 23, "{done:?}");
    }

    #[test]
    fn add_unslowed_is_exact_alone_and_shares_like_add() {
        // 0.3 vCPU: work would round; the duration does not.
        let mut s = CpuShare::new(Vcpus::whole(1));
        s.add_unslowed(SimTime(1), 1u32, SimDuration(1_000_003), Vcpus(300_000));
        assert_eq!(drain(&mut s), vec![(1, 1_000_004)]);
        // Two 0.75-vCPU jobs on one vCPU demand 1.5: each slows by 1.5.
        s.add_unslowed(SimTime(10 * MS), 1u32, SimDuration(2 * MS), Vcpus(750_000));
        s.add_unslowed(SimTime(10 * MS), 2u32, SimDuration(2 * MS), Vcpus(750_000));
        assert_eq!(drain(&mut s), vec![(1, 13 * MS), (2, 13 * MS)]);
    }

    #[test]
    fn unslowed_matches_a_lone_job() {
        assert_eq!(
            CpuShare::<u32>::unslowed(100 * MS, Vcpus(500_000)),
            SimDuration(200 * MS)
        );
        assert_eq!(Vcpus::from_f64(1024.0 / 1769.0), Vcpus(578_858));
    }
}

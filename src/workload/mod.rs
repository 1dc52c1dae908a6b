//! Arrival processes: validated descriptions (`Arrivals`) and their generators.
//!
//! A generator yields one function's arrival instants in increasing order. Only the next
//! arrival of each function is ever pending, so memory does not grow with traffic.

mod bursty;
mod diurnal;
pub mod trace;

pub use bursty::Bursty;
pub use diurnal::Diurnal;

use crate::engine::rng::Rng;
use crate::engine::{SimDuration, SimTime};
use rand_distr::{Distribution as _, Exp1};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One arrival process.
#[derive(Clone, Debug, PartialEq)]
pub enum Process {
    /// Poisson with `rate_per_s` requests per second.
    Poisson {
        /// Mean arrival rate, requests per second (> 0).
        rate_per_s: f64,
    },
    /// One request every `every`, the first at `start`.
    Periodic {
        /// Time between requests (> 0).
        every: SimDuration,
        /// Time of the first request, from the start of the run.
        start: SimDuration,
    },
    /// Non-homogeneous Poisson with a sinusoidal daily rate.
    Diurnal(Diurnal),
    /// Two-state Markov-modulated Poisson process.
    Bursty(Bursty),
    /// Arrivals replayed from trace `source` (`Scenario::traces`); the generator yields none,
    /// the simulation reads the trace. `mean_rate_per_s` and `requests` (all the trace
    /// replays, after `rate_scale`) are the trace's, for estimates.
    Trace {
        /// Index of the trace in `Scenario::traces`.
        source: u32,
        /// The trace's mean arrival rate, requests per second.
        mean_rate_per_s: f64,
        /// Requests the whole trace replays, after `rate_scale`.
        requests: f64,
    },
}

impl Process {
    /// Long-run mean rate, requests per second.
    pub fn mean_rate_per_s(&self) -> f64 {
        match self {
            Process::Poisson { rate_per_s } => *rate_per_s,
            Process::Periodic { every, .. } => 1.0 / every.as_secs_f64(),
            Process::Diurnal(d) => d.mean_rate_per_s,
            Process::Bursty(b) => b.mean_rate_per_s(),
            Process::Trace {
                mean_rate_per_s, ..
            } => *mean_rate_per_s,
        }
    }

    fn start(&self, rng: &mut Rng) -> State {
        match self {
            Process::Bursty(b) => State::Bursty(b.start(rng)),
            _ => State::Stateless,
        }
    }

    /// The arrival after `now` (for periodic: the next grid point), or `None` if there is none.
    #[inline]
    fn next(&self, state: &mut State, now: SimTime, first: bool, rng: &mut Rng) -> Option<SimTime> {
        match self {
            Process::Poisson { rate_per_s } => {
                Some(poisson_next(mean_gap_ns(*rate_per_s), now, rng))
            }
            Process::Periodic { every, start } => {
                if first {
                    Some(SimTime::ZERO + *start)
                } else {
                    Some(now + *every)
                }
            }
            Process::Diurnal(d) => Some(d.next(now, rng)),
            Process::Bursty(b) => match state {
                State::Bursty(s) => b.next(s, now, rng),
                State::Stateless => unreachable!("bursty process always has bursty state"),
            },
            Process::Trace { .. } => None,
        }
    }
}

/// The mean gap of a Poisson process of `rate_per_s`, ns.
fn mean_gap_ns(rate_per_s: f64) -> f64 {
    1e9 / rate_per_s
}

/// The arrival after `now` of a Poisson process whose mean gap is `gap_ns`: a multiplication
/// by the gap rather than a division by the rate (a division's latency is on the run's
/// critical path, ~2% of the one-function benchmark).
#[inline(always)]
fn poisson_next(gap_ns: f64, now: SimTime, rng: &mut Rng) -> SimTime {
    let e: f64 = Exp1.sample(rng);
    now + SimDuration::from_nanos_f64(e * gap_ns)
}

/// Per-process generator state.
#[derive(Clone, Debug)]
enum State {
    Stateless,
    Bursty(bursty::Phase),
}

impl State {
    /// The process's pending time is a pause of its generator loop, not an arrival.
    fn paused(&self) -> bool {
        matches!(self, State::Bursty(p) if p.paused)
    }
}

/// A function's arrivals: one process, or the superposition of several.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals(pub Vec<Process>);

impl Arrivals {
    /// Long-run mean rate, requests per second.
    pub fn mean_rate_per_s(&self) -> f64 {
        self.0.iter().map(Process::mean_rate_per_s).sum()
    }

    /// The trace feeding this function, if its arrivals are replayed.
    pub fn trace_source(&self) -> Option<u32> {
        self.0.iter().find_map(|p| match p {
            Process::Trace { source, .. } => Some(*source),
            _ => None,
        })
    }

    /// A generator of this function's arrivals.
    pub fn generator(&self, rng: &mut Rng) -> Generator {
        let mut g = Generator {
            processes: self.0.clone(),
            states: self.0.iter().map(|p| p.start(rng)).collect(),
            next: vec![SimTime::ZERO; self.0.len()],
            heap: None,
            woke: false,
            lone_poisson_gap_ns: match &self.0[..] {
                [Process::Poisson { rate_per_s }] => Some(mean_gap_ns(*rate_per_s)),
                _ => None,
            },
        };
        for i in 0..g.processes.len() {
            let t = g.processes[i].next(&mut g.states[i], SimTime::ZERO, true, rng);
            g.next[i] = t.unwrap_or(SimTime::NEVER);
        }
        if g.next.len() > HEAP_FROM {
            g.heap = Some(
                g.next
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| Reverse((t, i)))
                    .collect(),
            );
        }
        g
    }
}

/// Yields arrival instants in increasing order; `SimTime::NEVER` once exhausted.
#[derive(Clone, Debug)]
pub struct Generator {
    processes: Vec<Process>,
    states: Vec<State>,
    /// Pending next arrival of each process.
    next: Vec<SimTime>,
    /// With more than [`HEAP_FROM`] processes, their next arrivals as a min-heap of
    /// `(time, index)` (then `next` is not kept up to date): the same order as the scan,
    /// whose first minimum wins ties, in O(log n) per arrival instead of O(n).
    heap: Option<BinaryHeap<Reverse<(SimTime, usize)>>>,
    /// The time `next` last returned is a wake-up, not an arrival (see [`Generator::woke`]).
    woke: bool,
    /// The mean gap (ns) of the one process, if it is the only one and a Poisson process.
    lone_poisson_gap_ns: Option<f64>,
}

/// Processes of one function above which the generator keeps a heap instead of scanning.
const HEAP_FROM: usize = 16;

impl Generator {
    /// True when the time [`Generator::next`] last returned is no arrival but a wake-up: a
    /// process whose loop ran long (a bursty one of nanosecond phases) paused there, so the
    /// caller gets control back (to honour an interruption) and asks for the next time again.
    pub fn woke(&self) -> bool {
        self.woke
    }

    /// The next arrival instant, advancing the generator.
    #[inline(always)]
    pub fn next(&mut self, rng: &mut Rng) -> SimTime {
        // One Poisson process (the commonest case) inline in the caller, without a call and
        // the jump of `Process::next`'s match; the same draw.
        if let (Some(gap_ns), [t]) = (self.lone_poisson_gap_ns, &mut self.next[..]) {
            let now = *t;
            self.woke = false;
            if now != SimTime::NEVER {
                *t = poisson_next(gap_ns, now, rng);
            }
            return now;
        }
        self.next_general(rng)
    }

    /// [`Generator::next`] of anything but one Poisson process.
    #[inline(never)]
    fn next_general(&mut self, rng: &mut Rng) -> SimTime {
        if self.next.is_empty() {
            return SimTime::NEVER;
        }
        if let Some(heap) = &mut self.heap {
            let Some(mut top) = heap.peek_mut() else {
                return SimTime::NEVER;
            };
            let Reverse((t, i)) = *top;
            self.woke = self.states[i].paused();
            if t != SimTime::NEVER {
                let next = self.processes[i]
                    .next(&mut self.states[i], t, false, rng)
                    .unwrap_or(SimTime::NEVER);
                *top = Reverse((next, i));
            }
            return t;
        }
        // The first minimum wins ties, so superposition order is deterministic.
        let mut best = 0;
        for i in 1..self.next.len() {
            if self.next[i] < self.next[best] {
                best = i;
            }
        }
        let t = self.next[best];
        self.woke = self.states[best].paused();
        if t != SimTime::NEVER {
            self.next[best] = self.processes[best]
                .next(&mut self.states[best], t, false, rng)
                .unwrap_or(SimTime::NEVER);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    #[test]
    fn a_lone_poisson_process_draws_as_in_a_superposition() {
        // The inlined path of one Poisson process against the general one: the same process
        // beside a periodic one that never comes (it draws nothing) yields the same times.
        let poisson = Process::Poisson { rate_per_s: 100.0 };
        let never = Process::Periodic {
            every: SimDuration::from_secs(1),
            start: SimDuration::from_secs(1_000_000_000),
        };
        let (mut ra, mut rb) = (stream(3, 0, 0), stream(3, 0, 0));
        let mut alone = Arrivals(vec![poisson.clone()]).generator(&mut ra);
        let mut both = Arrivals(vec![poisson, never]).generator(&mut rb);
        for _ in 0..10_000 {
            let t = alone.next(&mut ra);
            assert_eq!(t, both.next(&mut rb));
            assert!(!alone.woke());
        }
    }

    fn count_until(a: &Arrivals, end_s: u64, seed: u64) -> u64 {
        let mut rng = stream(seed, 0, 0);
        let mut g = a.generator(&mut rng);
        let end = SimTime::ZERO + SimDuration::from_secs(end_s);
        let mut n = 0;
        let mut last = SimTime::ZERO;
        loop {
            let t = g.next(&mut rng);
            if t >= end {
                return n;
            }
            assert!(t >= last, "arrivals go back in time");
            last = t;
            if !g.woke() {
                n += 1;
            }
        }
    }

    #[test]
    fn periodic_is_exact() {
        let a = Arrivals(vec![Process::Periodic {
            every: SimDuration::from_secs(10),
            start: SimDuration::from_secs(5),
        }]);
        // 5, 15, ..., 95 → 10 arrivals before 100 s.
        assert_eq!(count_until(&a, 100, 1), 10);
    }

    #[test]
    fn poisson_count_matches_rate() {
        // 100/s for 10 000 s: 1e6 expected, standard deviation 1000, so ±0.5% is 5 sigma.
        let a = Arrivals(vec![Process::Poisson { rate_per_s: 100.0 }]);
        let n = count_until(&a, 10_000, 3) as f64;
        assert!((n - 1e6).abs() < 5_000.0, "{n}");
    }

    #[test]
    fn a_trace_process_generates_nothing() {
        let a = Arrivals(vec![Process::Trace {
            source: 0,
            mean_rate_per_s: 3.0,
            requests: 30.0,
        }]);
        assert_eq!(count_until(&a, 100, 1), 0);
        assert_eq!(a.trace_source(), Some(0));
        assert_eq!(count_until(&Arrivals(Vec::new()), 100, 1), 0);
    }

    #[test]
    fn many_processes_give_the_scan_order() {
        // The heap (above HEAP_FROM processes) must yield exactly what the scan does: build
        // the same arrivals twice, once with the heap switched off, and compare 10 000 draws.
        let mut ps: Vec<Process> = (0..40)
            .map(|i| Process::Poisson {
                rate_per_s: 0.5 + f64::from(i),
            })
            .collect();
        // Ties: two identical periodic processes, the first must win each time.
        for _ in 0..2 {
            ps.push(Process::Periodic {
                every: SimDuration::from_secs(1),
                start: SimDuration::ZERO,
            });
        }
        let a = Arrivals(ps);
        let mut r1 = stream(9, 0, 0);
        let mut r2 = stream(9, 0, 0);
        let mut heap = a.generator(&mut r1);
        let mut scan = a.generator(&mut r2);
        assert!(heap.heap.is_some());
        scan.heap = None;
        for _ in 0..10_000 {
            assert_eq!(heap.next(&mut r1), scan.next(&mut r2));
        }
    }

    #[test]
    fn superposition_adds_rates() {
        // 1/s + one every 2 s for 100 000 s: 150 000 expected, Poisson sd ~316 → ±1% is ample.
        let a = Arrivals(vec![
            Process::Poisson { rate_per_s: 1.0 },
            Process::Periodic {
                every: SimDuration::from_secs(2),
                start: SimDuration::ZERO,
            },
        ]);
        let n = count_until(&a, 100_000, 5) as f64;
        assert!((n - 150_000.0).abs() < 1_500.0, "{n}");
        assert!((a.mean_rate_per_s() - 1.5).abs() < 1e-12);
    }
}

//! The floor to compare coldsim against: a minimal hand-written loop of the one-function model
//! of `scenarios/poisson-benchmark.toml` (Poisson arrivals at 100/s, init 250 ms, exponential
//! execution with mean 2 s, MRU reuse, a fixed 10-minute keep-alive, 100 000 s).
//!
//! Nothing but the model: one binary heap of completion times, idle environments in a deque
//! (reused newest first, expired oldest first, lazily at each arrival), and one log-linear
//! histogram of latencies (128 buckets per power of two, like coldsim's summaries). No warm-up,
//! no time series, no cost, no limits, no failures: what coldsim measures on top is its
//! feature set, this loop is the floor.
//!
//! `cargo run --release --example minimal_loop [-- RATE DURATION_S]` prints requests,
//! cold starts, p50/p99 latency and requests per second of the loop alone; compare with
//! `coldsim run --no-charts scenarios/poisson-benchmark.toml`, which prints its own
//! requests per second. Time both as whole processes, alternately (see README "Performance").

use rand::SeedableRng;
use rand_distr::{Distribution, Exp, Exp1};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

const NS: f64 = 1e9;

/// Counts of nanosecond values, 128 log-linear buckets per power of two (exact below 256 ns).
struct LogHistogram {
    counts: Vec<u64>,
    total: u64,
}

impl LogHistogram {
    const BITS: u32 = 7;

    fn new() -> Self {
        LogHistogram {
            counts: vec![0; (64 - Self::BITS as usize) << Self::BITS],
            total: 0,
        }
    }

    #[inline]
    fn index(v: u64) -> usize {
        let sub = 1u64 << Self::BITS;
        if v < 2 * sub {
            v as usize
        } else {
            let shift = 63 - v.leading_zeros() - Self::BITS;
            shift as usize * sub as usize + (v >> shift) as usize
        }
    }

    #[inline]
    fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
    }

    /// The lowest value of the bucket holding rank ⌈q·n⌉.
    fn quantile(&self, q: f64) -> u64 {
        let rank = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        let sub = 1u64 << Self::BITS;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let i = i as u64;
                if i < 2 * sub {
                    return i;
                }
                let shift = i / sub - 1;
                return (i - shift * sub) << shift;
            }
        }
        0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rate: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100.0);
    let duration_s: f64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000.0);
    let end = (duration_s * NS) as u64;
    let keep_alive = 600 * NS as u64;
    let init = 250_000_000u64;
    let mean_exec = 2.0 * NS;
    let gap = Exp::new(rate / NS).expect("a positive rate");

    let started = Instant::now();
    let mut rng_arrivals = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut rng_service = Xoshiro256PlusPlus::seed_from_u64(2);
    // Completions: (time, environment), earliest first.
    let mut busy: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    // Idle environments, oldest idle first: (idle since, environment).
    let mut idle: VecDeque<(u64, u32)> = VecDeque::new();
    let mut next_env = 0u32;
    let mut latency = LogHistogram::new();
    let (mut requests, mut cold, mut events) = (0u64, 0u64, 0u64);

    let mut next_arrival = gap.sample(&mut rng_arrivals) as u64;
    while next_arrival < end || !busy.is_empty() {
        // Completions first at equal times, as in coldsim: an arrival finds the freed one idle.
        if busy
            .peek()
            .is_some_and(|&Reverse((t, _))| t <= next_arrival || next_arrival >= end)
        {
            let Some(Reverse((t, env))) = busy.pop() else {
                break;
            };
            idle.push_back((t, env));
            events += 1;
            continue;
        }
        let now = next_arrival;
        events += 1;
        requests += 1;
        // Fixed keep-alive, checked lazily: retire what has been idle too long.
        while idle
            .front()
            .is_some_and(|&(since, _)| since + keep_alive <= now)
        {
            idle.pop_front();
        }
        let e: f64 = Exp1.sample(&mut rng_service);
        let exec = (mean_exec * e) as u64;
        let (env, start) = match idle.pop_back() {
            Some((_, env)) => (env, 0),
            None => {
                cold += 1;
                next_env += 1;
                (next_env - 1, init)
            }
        };
        latency.record(start + exec);
        busy.push(Reverse((now + start + exec, env)));
        next_arrival = now + gap.sample(&mut rng_arrivals) as u64;
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "minimal loop: {requests} requests, {events} events, {cold} cold starts ({:.4}%), \
         p50 {:.1} ms, p99 {:.1} ms, {} environments created, in {s:.2} s ({:.1} M requests/s)",
        cold as f64 / requests as f64 * 100.0,
        latency.quantile(0.5) as f64 / 1e6,
        latency.quantile(0.99) as f64 / 1e6,
        next_env,
        requests as f64 / s / 1e6
    );
}

//! A keep-alive policy of your own, run through coldsim's public API with no change to its
//! source: keep an idle environment for twice the mean inter-arrival time of its function seen
//! so far (10 minutes until two requests have arrived), compared with AWS's fixed 10 minutes
//! on the same traffic and seeds.
//!
//! Run: `cargo run --release --example custom_keep_alive`

use coldsim::engine::rng::Rng;
use coldsim::engine::{SimDuration, SimTime};
use coldsim::platform::{Fixed, Idle, KeepAliveDecision, KeepAlivePolicy};
use coldsim::scenario::Scenario;
use coldsim::simulation::SimInit;

/// Keeps an environment idle for twice the mean inter-arrival time of its function so far.
#[derive(Default)]
pub struct TwiceMeanGap {
    /// Per function: first arrival, last arrival, arrivals seen.
    seen: Vec<(SimTime, SimTime, u64)>,
}

impl TwiceMeanGap {
    /// Before two arrivals there is no gap to go by.
    const FALLBACK: SimDuration = SimDuration::from_secs(600);
}

impl KeepAlivePolicy for TwiceMeanGap {
    fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
        let keep = match self.seen.get(idle.function as usize) {
            Some(&(first, last, n)) if n >= 2 => SimDuration(2 * (last.since(first).0 / (n - 1))),
            _ => Self::FALLBACK,
        };
        KeepAliveDecision::RetireAt(idle.now + keep)
    }

    fn on_arrival(&mut self, function: u32, now: SimTime) {
        let f = function as usize;
        if self.seen.len() <= f {
            self.seen.resize(f + 1, (now, now, 0));
        }
        let (first, last, n) = &mut self.seen[f];
        if *n == 0 {
            *first = now;
        }
        *last = now;
        *n += 1;
    }

    /// The policy learns from arrivals.
    fn tracks_requests(&self) -> bool {
        true
    }
}

/// One day of a Poisson function at 0.02 requests per second (a mean gap of 50 s).
pub const SCENARIO: &str = r#"
name = "custom-keep-alive"
duration = "24h"
seed = 42
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
arrivals = { process = "poisson", rate = 0.02 }
"#;

/// Cold-start ratios of (twice the mean gap, fixed 10 minutes) on `scenario`.
pub fn compare(scenario: &Scenario) -> Result<(f64, f64), coldsim::simulation::SimulationError> {
    let custom = SimInit::new(scenario)
        .keep_alive(TwiceMeanGap::default())
        .run()?;
    let fixed = SimInit::new(scenario)
        .keep_alive(Fixed {
            idle: SimDuration::from_secs(600),
        })
        .run()?;
    Ok((
        custom.summary(scenario).stats.cold_start_ratio,
        fixed.summary(scenario).stats.cold_start_ratio,
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scenario = Scenario::from_toml_str(SCENARIO)?;
    let (custom, fixed) = compare(&scenario)?;
    println!(
        "twice the mean inter-arrival time: {:.2}% cold starts",
        custom * 100.0
    );
    println!(
        "fixed 10 minutes:                  {:.2}% cold starts",
        fixed * 100.0
    );
    Ok(())
}

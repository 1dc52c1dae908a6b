//! coldsim as a library: a scenario built in code (TOML text, with the same defaults as a
//! file), assembled with another seed and a progress callback, run, and summarised in one
//! call; then the same traffic with an eviction policy of the crate's on a memory-bounded
//! platform.
//!
//! Run: `cargo run --release --example library`

use coldsim::platform::Size;
use coldsim::scenario::Scenario;
use coldsim::simulation::SimInit;
use std::ops::ControlFlow;

const SCENARIO: &str = r#"
name = "library"
duration = "6h"
warmup = "10m"
platform = { capacity = { memory_gb = 4 } }
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
memory_mb = 1024
arrivals = { process = "poisson", rate = 0.05 }
[[functions]]
name = "report"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
memory_mb = 2048
arrivals = { process = "poisson", rate = 0.02 }
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scenario = Scenario::from_toml_str(SCENARIO)?;
    // The callback sees the simulated time every 65 536 events; `Break` would stop the run.
    let results = SimInit::new(&scenario)
        .seed(7)
        .progress(|now| {
            eprintln!("at {:.0} s simulated", now.as_secs_f64());
            ControlFlow::Continue(())
        })
        .run()?;
    let summary = results.summary(&scenario);
    println!(
        "seed {}: {} requests, {:.2}% cold starts, p99 latency {:.1} ms, ${:.4}",
        summary.seed,
        summary.stats.invocations,
        summary.stats.cold_start_ratio * 100.0,
        summary.stats.latency_ms.p99,
        summary.stats.cost_usd.total,
    );
    let by_size = SimInit::new(&scenario).seed(7).eviction(Size).run()?;
    println!(
        "evicting the largest first: {:.2}% cold starts",
        by_size.summary(&scenario).stats.cold_start_ratio * 100.0
    );
    println!("({} events)", results.events);
    Ok(())
}

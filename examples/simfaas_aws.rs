//! Prints the README's "Validation" table of coldsim against AWS: the cold-start probability
//! of the 20 AWS Lambda experiments published with SimFaaS (`data/simfaas-aws/exp.csv`,
//! Mahmoudi & Khazaei 2021) beside coldsim's, with the default 2-hour maximum lifetime and
//! with it switched off.
//!
//! Each experiment becomes one function with Poisson arrivals at the measured rate and a fixed
//! 10-minute keep-alive; as in the SimFaaS comparison notebook, the service times are the
//! means over all 20 rows: execution exponential with the mean warm response time, and a
//! constant init of the mean cold minus the mean warm response time. Each run lasts at least
//! 10⁶ s (SimFaaS's run length) and at least 200 000 requests, seed 1, after a 1-hour warm-up.
//!
//! `cargo run --release --example simfaas_aws` (a few seconds).

use coldsim::scenario;
use coldsim::simulation::SimInit;
use std::error::Error;
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/simfaas-aws/exp.csv");
/// Requests each run simulates at least, so the rarest cold starts (0.13%) number ~260.
const MIN_REQUESTS: f64 = 2e5;
/// SimFaaS's run length (`max_time=1e6`), seconds.
const MIN_SECONDS: f64 = 1e6;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

struct Experiment {
    name: String,
    rate: f64,
    warm_ms: f64,
    cold_ms: f64,
    cold_p: f64,
    cold_se: f64,
}

fn load() -> Result<Vec<Experiment>> {
    let text = std::fs::read_to_string(DATA)?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() < 9 {
            return Err(format!("{DATA}: a row with {} columns, 11 expected", c.len()).into());
        }
        rows.push(Experiment {
            name: c[0].to_string(),
            rate: c[1].parse()?,
            warm_ms: c[2].parse()?,
            cold_ms: c[3].parse()?,
            cold_p: c[7].parse()?,
            cold_se: c[8].parse()?,
        });
    }
    Ok(rows)
}

/// coldsim's cold-start probability at `rate` with the given mean times and lifetime.
fn simulated(rate: f64, warm_ms: f64, init_ms: f64, lifetime: &str) -> Result<(f64, u64)> {
    let seconds = MIN_SECONDS.max(MIN_REQUESTS / rate).ceil();
    let text = format!(
        "name = \"simfaas-aws\"\nseed = 1\nduration = \"{d}s\"\nwarmup = \"1h\"\n\
         [platform]\nkeep_alive = {{ policy = \"fixed\", idle = \"10m\" }}\n\
         max_lifetime = \"{lifetime}\"\n\
         [[functions]]\nname = \"f\"\nruntime = \"custom\"\ntimeout = \"60s\"\n\
         init = {{ dist = \"constant\", value = \"{init_ms}ms\" }}\n\
         execution = {{ dist = \"exponential\", mean = \"{warm_ms}ms\" }}\n\
         arrivals = {{ process = \"poisson\", rate = {rate} }}\n",
        d = seconds + 3600.0,
    );
    let loaded = scenario::parse(
        &text,
        &scenario::ParseOptions::default()
            .origin(Path::new("<simfaas-aws>"))
            .name_default("simfaas-aws"),
    )?;
    let s = &loaded.scenario;
    let summary = SimInit::new(s).run()?.summary(s);
    Ok((summary.stats.cold_start_ratio, summary.stats.invocations))
}

fn main() -> Result<()> {
    let rows = load()?;
    let n = rows.len() as f64;
    let warm = rows.iter().map(|r| r.warm_ms).sum::<f64>() / n;
    let cold = rows.iter().map(|r| r.cold_ms).sum::<f64>() / n;
    // Rounded to the microsecond so that the scenario text states it exactly.
    let (warm, init) = (
        (warm * 1000.0).round() / 1000.0,
        ((cold - warm) * 1000.0).round() / 1000.0,
    );
    println!(
        "Mean warm {warm:.1} ms, init {init:.1} ms (mean cold {cold:.1} ms); keep-alive 10 min.\n"
    );
    println!("| experiment | λ (/s) | AWS cold-start % (± s.e.) | coldsim, 2 h lifetime | error | coldsim, no lifetime | error |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let (mut err_2h, mut err_off) = (0.0, 0.0);
    for r in &rows {
        let (with, _) = simulated(r.rate, warm, init, "2h")?;
        let (without, _) = simulated(r.rate, warm, init, "100000h")?;
        let e_with = (with - r.cold_p).abs() / r.cold_p;
        let e_without = (without - r.cold_p).abs() / r.cold_p;
        err_2h += e_with / n;
        err_off += e_without / n;
        println!(
            "| {} | {:.4} | {:.3} ± {:.3} | {:.3} | {:.0}% | {:.3} | {:.0}% |",
            r.name,
            r.rate,
            r.cold_p * 100.0,
            r.cold_se * 100.0,
            with * 100.0,
            e_with * 100.0,
            without * 100.0,
            e_without * 100.0
        );
    }
    println!(
        "\nMean absolute percentage error of the cold-start probability: {:.1}% with the 2-hour lifetime, {:.1}% without.",
        err_2h * 100.0,
        err_off * 100.0
    );
    Ok(())
}

//! The performance workloads of the README, each in a fresh child process so peak memory is
//! its own: `cargo run --release --example perf [-- AZURE2019_DIR]`.
//!
//! Prints wall time, requests and events per second, and peak resident memory (VmHWM). With an
//! Azure 2019 directory (from `python3 tools/gen_azure2019.py DIR 2000 1`) it also
//! replays that day.

use coldsim::scenario;
use coldsim::simulation::SimInit;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn poisson(rate: f64, duration_s: u64) -> String {
    format!(
        r#"
name = "perf"
seed = 1
duration = "{duration_s}s"
[platform]
keep_alive = {{ policy = "fixed", idle = "10m" }}
[[functions]]
name = "f"
runtime = "custom"
timeout = "15m"
execution = {{ dist = "exponential", mean = "2s" }}
arrivals = {{ process = "poisson", rate = {rate} }}
"#
    )
}

fn azure(dir: &str, rate_scale: f64, days: &str) -> String {
    format!(
        r#"
name = "perf-azure"
seed = 1
duration = "{days}"
[trace]
format = "azure2019"
dir = "{dir}"
rate_scale = {rate_scale}
defaults = {{ runtime = "python3.12", timeout = "15m" }}
"#
    )
}

/// Peak resident set size of this process, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs one workload in this process and prints one result line.
fn child(name: &str, text: &str) {
    let started = Instant::now();
    let loaded = match scenario::parse(
        text,
        &scenario::ParseOptions::default()
            .origin(Path::new(name))
            .name_default("perf"),
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    };
    let sim_started = Instant::now();
    let results = match SimInit::new(&loaded.scenario).run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    };
    let sim_s = sim_started.elapsed().as_secs_f64();
    let summary = results.summary(&loaded.scenario);
    let total_s = started.elapsed().as_secs_f64();
    println!(
        "{name:<34} {:>11} {:>8.2} {:>8.2} {:>10.2} {:>10.2} {:>9.1}  (cold {:.4}%)",
        results.arrivals,
        total_s,
        sim_s,
        results.arrivals as f64 / sim_s / 1e6,
        results.events as f64 / sim_s / 1e6,
        peak_rss_mb(),
        summary.stats.cold_start_ratio * 100.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workloads: Vec<(String, String)> = {
        let mut w = vec![
            (
                "poisson 100/s, 100 000 s".to_string(),
                poisson(100.0, 100_000),
            ),
            (
                "poisson 100/s, 200 000 s".to_string(),
                poisson(100.0, 200_000),
            ),
            (
                "poisson 0.9/s, 1 000 000 s (SimFaaS)".to_string(),
                poisson(0.9, 1_000_000),
            ),
        ];
        if let Some(dir) = args.get(1).filter(|a| !a.starts_with("--")) {
            w.push(("azure2019 day".into(), azure(dir, 1.0, "1d")));
            w.push((
                "azure2019 day, rate_scale 0.25".into(),
                azure(dir, 0.25, "1d"),
            ));
        }
        w
    };
    if let Some(pos) = args.iter().position(|a| a == "--one") {
        let i: usize = args[pos + 1].parse().expect("an index");
        child(&workloads[i].0, &workloads[i].1);
        return;
    }
    println!(
        "{:<34} {:>11} {:>8} {:>8} {:>10} {:>10} {:>9}",
        "workload", "requests", "total s", "sim s", "M req/s", "M ev/s", "peak MB"
    );
    let exe = std::env::current_exe().expect("the example knows its path");
    for i in 0..workloads.len() {
        let mut cmd = Command::new(&exe);
        if let Some(dir) = args.get(1).filter(|a| !a.starts_with("--")) {
            cmd.arg(dir);
        }
        let status = cmd
            .args(["--one", &i.to_string()])
            .status()
            .expect("the example can re-run itself");
        if !status.success() {
            eprintln!("workload {i} failed");
        }
    }
}

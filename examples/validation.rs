//! Prints the tables of the README's "Validation" section, in markdown:
//!
//! 1. the steady-state model (`coldsim estimate`) against the simulator, over arrival rates
//!    λ ∈ {0.01, 0.1, 1, 10, 100}/s × keep-alives T ∈ {1, 10, 30} min, on
//!    `scenarios/single-function.toml` (maximum lifetime off, as the model has none);
//! 2. the runtime init profiles against the lambda-perf samples they were fitted to
//!    (`data/lambda-perf/`).
//!
//! `cargo run --release --example validation` — a few minutes on one core (about 4·10⁸
//! simulated requests: the rare cold starts at high λ need long runs). Add `-- model` or
//! `-- runtimes` for one table only.

use coldsim::estimate::{
    estimate, format_difference, format_error, format_figure, simulate_figures, FromScenario,
    Inputs, LifetimeRule, Simulated,
};
use coldsim::metrics::{Pricing, Summary};
use coldsim::runtime::{profiles, Arch, Package, RuntimeProfile};
use coldsim::scenario::{self, Loaded};
use coldsim::simulation::SimInit;
use serde_json::Value;
use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/single-function.toml"
);
const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/lambda-perf/");
const RATES: [f64; 5] = [0.01, 0.1, 1.0, 10.0, 100.0];
const KEEP_ALIVES_MIN: [u32; 3] = [1, 10, 30];
/// Slices of the counted period for batch-means standard errors.
const BATCHES: usize = 20;
/// Cold starts to aim for at each grid point (relative standard error ≈ 2–3%) ...
const TARGET_COLD_STARTS: f64 = 4000.0;
/// ... within these bounds on simulated requests.
const MIN_REQUESTS: f64 = 2e6;
const MAX_REQUESTS: f64 = 5e7;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let only = std::env::args().nth(1);
    if only.as_deref() != Some("runtimes") {
        println!("{}", model_table()?);
    }
    if only.as_deref() != Some("model") {
        match runtime_tables() {
            Ok(t) => println!("{t}"),
            Err(e) => println!("(runtime table skipped: {e})"),
        }
    }
    Ok(())
}

/// Loads the single-function scenario at one grid point, simulated long enough for
/// `TARGET_COLD_STARTS` (by the model's estimate) and at least 20 keep-alives per slice.
fn grid_point(rate: f64, keep_alive_min: u32) -> Result<(Loaded, FromScenario)> {
    let base = [
        format!("functions.api.arrivals.rate={rate}"),
        format!("platform.keep_alive.idle=\"{keep_alive_min}m\""),
    ];
    let loaded = scenario::load(Path::new(SCENARIO), &base)?;
    let fit = Inputs::from_scenario(&loaded.scenario)?;
    let p = estimate(&fit.inputs, LifetimeRule::Renewal)?
        .figures
        .cold_start_probability;
    let t = keep_alive_min as f64 * 60.0;
    let requests = (TARGET_COLD_STARTS / p).clamp(MIN_REQUESTS, MAX_REQUESTS);
    let counted = (requests / rate).max(BATCHES as f64 * 20.0 * t).round();
    let warmup = 10.0 * t;
    let mut overrides = base.to_vec();
    overrides.extend([
        format!("warmup=\"{warmup}s\""),
        format!("duration=\"{}s\"", counted + warmup),
        format!("report.interval=\"{}s\"", (counted / BATCHES as f64).ceil()),
    ]);
    let loaded = scenario::load(Path::new(SCENARIO), &overrides)?;
    let fit = Inputs::from_scenario(&loaded.scenario)?;
    Ok((loaded, fit))
}

fn model_table() -> Result<String> {
    let mut out = String::new();
    out.push_str(
        "| λ (/s) | T | λT_w | requests simulated | environments: simulation | model | Δ | \
         published Δ | cold-start probability: simulation | model | Δ | published Δ |\n",
    );
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for rate in RATES {
        for t in KEEP_ALIVES_MIN {
            let (loaded, fit) = grid_point(rate, t)?;
            let renewal = estimate(&fit.inputs, LifetimeRule::Renewal)?.figures;
            let paper = estimate(&fit.inputs, LifetimeRule::Paper)?.figures;
            let s: Simulated = simulate_figures(&loaded.scenario, BATCHES)?;
            let (sf, se) = (s.figures, s.standard_error);
            out.push_str(&format!(
                "| {rate} | {t} min | {} | {} | {} ± {} | {} | {} | {} | {} ± {} | {} | {} | {} |\n",
                format_figure(rate * fit.inputs.execution_s),
                format_count(s.requests),
                format_figure(sf.mean_environments),
                format_error(se.mean_environments),
                format_figure(renewal.mean_environments),
                format_difference(renewal.mean_environments, sf.mean_environments),
                format_difference(paper.mean_environments, sf.mean_environments),
                format_figure(sf.cold_start_probability),
                format_error(se.cold_start_probability),
                format_figure(renewal.cold_start_probability),
                format_difference(renewal.cold_start_probability, sf.cold_start_probability),
                format_difference(paper.cold_start_probability, sf.cold_start_probability),
            ));
            eprintln!("λ = {rate}/s, T = {t} min: done");
        }
    }
    Ok(out)
}

fn format_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.0}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// (profile name, arch, package) → pooled init samples (ms) of one lambda-perf file.
type Pools = BTreeMap<(String, Arch, Package), Vec<f64>>;

/// The profile name of a lambda-perf display name; the rule of `tools/fit_runtimes.py`:
/// "go (prov.al2023)" → "go-provided.al2023", "c++ 11 (prov.al2)" → "cpp11-provided.al2".
fn profile_name(display: &str) -> String {
    let display = display.trim();
    let Some(open) = display.rfind('(') else {
        return display.to_string();
    };
    let os = match &display[open..] {
        "(prov.al2023)" => "provided.al2023",
        "(prov.al2)" => "provided.al2",
        _ => "provided",
    };
    let lang = display[..open].trim().to_lowercase().replace("c++", "cpp");
    let lang = lang.strip_prefix("apple ").unwrap_or(&lang);
    let mut out = String::new();
    for tok in lang.split_whitespace() {
        if !out.is_empty() && !tok.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('-');
        }
        out.push_str(tok);
    }
    format!("{out}-{os}")
}

fn load_pools(file: &str) -> Result<Pools> {
    let text = std::fs::read_to_string(format!("{DATA_DIR}{file}"))?;
    let doc: Value = serde_json::from_str(&text)?;
    let mut pools = Pools::new();
    let rows = doc["runtimeData"].as_array().ok_or("no runtimeData")?;
    for e in rows {
        // The 2026 file uses short keys, the 2023 one long keys.
        let (display, inits, arch, package) = if e.get("r").is_some() {
            (&e["d"], &e["i"], &e["a"], e["p"].as_str().unwrap_or("zip"))
        } else {
            let image = e["runtime"].as_str().unwrap_or("").contains("image");
            (
                &e["displayName"],
                &e["initDurations"],
                &e["architecture"],
                if image { "image" } else { "zip" },
            )
        };
        let display = display.as_str().ok_or("display name")?;
        if display.ends_with(" snapstart") {
            continue;
        }
        let arch = match arch.as_str() {
            Some("arm64") => Arch::Arm64,
            _ => Arch::X86_64,
        };
        let package = if package == "image" {
            Package::Image
        } else {
            Package::Zip
        };
        let samples = inits.as_array().ok_or("init durations")?;
        pools
            .entry((profile_name(display), arch, package))
            .or_default()
            .extend(samples.iter().filter_map(Value::as_f64));
    }
    Ok(pools)
}

/// Empirical quantile with linear interpolation between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Runtimes of the per-profile table: one per language family, plus the scenario's.
const SHOWN: [(&str, Arch, Package); 9] = [
    ("python3.12", Arch::Arm64, Package::Zip),
    ("python3.13", Arch::X86_64, Package::Zip),
    ("nodejs22.x", Arch::X86_64, Package::Zip),
    ("nodejs22.x", Arch::X86_64, Package::Image),
    ("java21", Arch::X86_64, Package::Zip),
    ("dotnet8", Arch::X86_64, Package::Zip),
    ("ruby3.4", Arch::X86_64, Package::Zip),
    ("go-provided.al2023", Arch::X86_64, Package::Zip),
    ("rust-provided.al2023", Arch::X86_64, Package::Zip),
];

/// Simulates forced cold starts of each shown runtime (no function init, keep-alive shorter
/// than the gap between requests) and returns coldsim's init p50/p90/p99 (ms) per runtime.
fn simulated_init(shown: &[&RuntimeProfile]) -> Result<Vec<[f64; 3]>> {
    let mut text = String::from(
        "name = \"runtime-init\"\nduration = \"1000d\"\n\
         [platform]\nkeep_alive = { policy = \"fixed\", idle = \"1m\" }\n\
         [report]\ninterval = \"100d\"\n",
    );
    for (i, p) in shown.iter().enumerate() {
        text.push_str(&format!(
            "[[functions]]\nname = \"f{i}\"\nruntime = \"{}\"\narch = \"{}\"\npackage = \"{}\"\n\
             execution = {{ dist = \"constant\", value = \"1ms\" }}\n\
             arrivals = {{ process = \"periodic\", every = \"1h\" }}\n",
            p.name, p.arch, p.package
        ));
    }
    let loaded = scenario::parse(
        &text,
        &scenario::ParseOptions::default()
            .origin(Path::new("<runtime-init>"))
            .name_default("runtime-init"),
    )?;
    let s = &loaded.scenario;
    let results = SimInit::new(s).run()?;
    let summary = Summary::new(s, &results.stats, results.peak_total, &Pricing::default());
    Ok(summary
        .functions
        .iter()
        .map(|f| {
            let i = &f.stats.init_ms;
            [i.p50, i.p90, i.p99]
        })
        .collect())
}

fn runtime_tables() -> Result<String> {
    let mut sources: BTreeMap<&str, Pools> = BTreeMap::new();
    for p in profiles() {
        let file = p
            .source
            .strip_prefix("lambda-perf ")
            .ok_or("profile source")?;
        if !sources.contains_key(file) {
            sources.insert(file, load_pools(file)?);
        }
    }
    let samples_of = |p: &RuntimeProfile| -> Result<Vec<f64>> {
        let file = p
            .source
            .strip_prefix("lambda-perf ")
            .ok_or("profile source")?;
        let mut v = sources[file]
            .get(&(p.name.to_string(), p.arch, p.package))
            .ok_or_else(|| format!("{} {} {}: not in {file}", p.name, p.arch, p.package))?
            .clone();
        v.sort_by(f64::total_cmp);
        Ok(v)
    };

    // Calibration over every profile: where do the samples fall against the fitted quantiles?
    let (mut n, mut above_p50, mut above_p90, mut above_p99, mut above_max_tail) = (0, 0, 0, 0, 0);
    for p in profiles() {
        for x in samples_of(p)? {
            n += 1;
            above_p50 += usize::from(x > p.median_ms);
            above_p90 += usize::from(x > p.p90_ms);
            above_p99 += usize::from(x > p.p99_ms);
            above_max_tail += usize::from(x > 1.5 * p.p99_ms);
        }
    }
    let pct = |k: usize| format!("{:.1}%", 100.0 * k as f64 / n as f64);

    let shown: Vec<&RuntimeProfile> = SHOWN
        .iter()
        .map(|&(name, arch, package)| {
            coldsim::runtime::find(name, arch, package).map_err(|e| e.to_string())
        })
        .collect::<std::result::Result<_, _>>()?;
    let simulated = simulated_init(&shown)?;
    let mut out = String::new();
    out.push_str(
        "| runtime | arch | package | samples (date) | median: data | coldsim | \
         p90: data | profile | coldsim | max of data | p99: profile | coldsim |\n",
    );
    out.push_str("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (p, sim) in shown.iter().zip(&simulated) {
        let v = samples_of(p)?;
        out.push_str(&format!(
            "| {} | {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p.name,
            p.arch,
            p.package,
            v.len(),
            p.date,
            format_figure(quantile(&v, 0.5)),
            format_figure(sim[0]),
            format_figure(quantile(&v, 0.9)),
            format_figure(p.p90_ms),
            format_figure(sim[1]),
            format_figure(v[v.len() - 1]),
            format_figure(p.p99_ms),
            format_figure(sim[2]),
        ));
    }
    out.push_str(&format!(
        "\nOver all {} profiles ({n} samples): {} of the samples lie above their profile's \
         median (50% expected), {} above its p90 (10%), {} above its p99 (1%), {} above 1.5 × its p99.\n",
        profiles().len(),
        pct(above_p50),
        pct(above_p90),
        pct(above_p99),
        pct(above_max_tail),
    ));
    Ok(out)
}

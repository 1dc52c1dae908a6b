//! Orchestration: load → simulate → report, and the other subcommands.

use crate::cli::{CheckArgs, Cli, Command, RunArgs};
use anyhow::Context;
use coldsim::metrics::{Pricing, Summary};
use coldsim::report;
use coldsim::scenario::{self, Loaded};
use coldsim::simulation::simulate;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a command failed, which decides the exit code.
pub enum Failure {
    /// The user's input is wrong (exit 2).
    BadInput(anyhow::Error),
    /// Something went wrong inside (exit 1).
    Internal(anyhow::Error),
}

impl From<scenario::ScenarioError> for Failure {
    fn from(e: scenario::ScenarioError) -> Self {
        Failure::BadInput(e.into())
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        None => run_scenario(RunArgs::default()),
        Some(Command::Run(args)) => run_scenario(args),
        Some(Command::Check(args)) => check(args),
        Some(Command::Runtimes) => {
            print!("{}", coldsim::runtime::table());
            Ok(())
        }
        Some(Command::Schema) => {
            println!("{}", scenario::schema());
            Ok(())
        }
    }
}

fn load(path: Option<&Path>, overrides: &[String]) -> Result<Loaded, Failure> {
    Ok(match path {
        Some(p) => scenario::load(p, overrides)?,
        None => scenario::parse(
            scenario::QUICKSTART,
            Path::new("<built-in quickstart>"),
            "quickstart",
            Path::new("scenarios"),
            overrides,
        )?,
    })
}

fn check(args: CheckArgs) -> Result<(), Failure> {
    let loaded = load(Some(&args.scenario), &args.overrides)?;
    let s = &loaded.scenario;
    println!(
        "{}: valid — scenario `{}`, {} function{}, {} simulated, about {:.0} requests",
        args.scenario.display(),
        s.name,
        s.functions.len(),
        if s.functions.len() == 1 { "" } else { "s" },
        s.duration,
        s.functions.iter().map(|f| f.arrivals.mean_rate_per_s()).sum::<f64>() * s.duration.as_secs_f64()
    );
    Ok(())
}

fn run_scenario(args: RunArgs) -> Result<(), Failure> {
    let mut loaded = load(args.scenario.as_deref(), &args.overrides)?;
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    let scenario = &loaded.scenario;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let started = Instant::now();
    let results = simulate(scenario);
    let wall = started.elapsed();
    let summary = Summary::new(scenario, &results.stats, results.peak_total, &Pricing::default());
    report::write_atomically(&out, |dir| {
        report::write_file(dir, "summary.json", &report::summary_json(&summary))?;
        report::write_file(dir, "functions.csv", &report::functions_csv(&summary))?;
        report::write_file(dir, "scenario.toml", loaded.text.as_bytes())
    })
    .with_context(|| format!("writing the report to {}", out.display()))
    .map_err(Failure::Internal)?;
    if !args.quiet {
        print!("{}", report::table(&summary));
        println!(
            "{} requests, {} events in {:.2} s ({:.1} M requests/s) → {}",
            results.arrivals,
            results.events,
            wall.as_secs_f64(),
            results.arrivals as f64 / wall.as_secs_f64().max(1e-9) / 1e6,
            out.display()
        );
    }
    Ok(())
}

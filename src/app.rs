//! Orchestration: load → simulate → report, and the other subcommands.

use crate::cli::{CheckArgs, Cli, Command, RunArgs};
use anyhow::Context;
use coldsim::metrics::{Pricing, Summary};
use coldsim::report;
use coldsim::scenario::{self, Loaded};
use coldsim::simulation::simulate_with_progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A progress bar over simulated seconds, hidden until the run has taken a second (so short
/// runs print nothing) and never shown with `--quiet` or when stderr is not a terminal.
fn progress_bar(total_s: f64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total_s as u64), ProgressDrawTarget::hidden());
    if !quiet {
        let style = ProgressStyle::with_template("{spinner} simulating [{bar:40}] {percent}% of simulated time · {elapsed} elapsed, ~{eta} left")
            .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
    }
    bar
}

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
        s.functions
            .iter()
            .map(|f| f.arrivals.mean_rate_per_s())
            .sum::<f64>()
            * s.duration.as_secs_f64()
    );
    Ok(())
}

fn run_scenario(args: RunArgs) -> Result<(), Failure> {
    let mut loaded = load(args.scenario.as_deref(), &args.overrides)?;
    if let Some(seed) = args.seed {
        loaded.scenario.seed = seed;
    }
    let scenario = &loaded.scenario;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let started = Instant::now();
    let bar = progress_bar(scenario.duration.as_secs_f64(), args.quiet);
    let results = simulate_with_progress(scenario, &mut |now| {
        if started.elapsed().as_secs_f64() > 1.0
            && bar.is_hidden()
            && !args.quiet
            && std::io::stderr().is_terminal()
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_position(now.as_secs_f64() as u64);
    });
    bar.finish_and_clear();
    // A trace that fails mid-run is bad input, like one that fails validation.
    let results = results.map_err(|e| Failure::BadInput(e.into()))?;
    let wall = started.elapsed();
    let mut summary = Summary::new(
        scenario,
        &results.stats,
        results.peak_total,
        &Pricing::default(),
    );
    summary.trace_rows_skipped = results.trace_rows_skipped;
    let options = report::Options {
        charts: !args.no_charts,
        svg: args.svg,
        wall_s: wall.as_secs_f64(),
    };
    report::write(&out, &loaded, &results, &summary, &options)
        .with_context(|| format!("writing the report to {}", out.display()))
        .map_err(Failure::Internal)?;
    if !args.quiet {
        print!("{}", report::table(&summary));
        println!(
            "{} requests, {} events in {:.2} s ({:.1} M requests/s) → {}/report.html",
            results.arrivals,
            results.events,
            wall.as_secs_f64(),
            results.arrivals as f64 / wall.as_secs_f64().max(1e-9) / 1e6,
            out.display()
        );
    }
    Ok(())
}

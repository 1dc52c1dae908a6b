//! Command-line definitions (clap) only; no behaviour.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// coldsim: simulate serverless cold and warm starts (AWS Lambda semantics).
///
/// Without a command it runs the built-in quickstart and writes output/quickstart/.
#[derive(Debug, Parser)]
#[command(name = "coldsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do [default: run the built-in quickstart].
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its report.
    Run(RunArgs),
    /// Parse and validate a scenario; report every problem at once.
    Check(CheckArgs),
    /// List the built-in runtime init profiles.
    Runtimes,
    /// Print the JSON Schema of scenario files (for editor completion).
    Schema,
}

/// `coldsim run`.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Scenario file [default: the built-in quickstart].
    pub scenario: Option<PathBuf>,
    /// Output folder [default: output/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed, overriding the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override one scenario value, e.g. --set platform.keep_alive.idle=5m (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write each chart as SVG.
    #[arg(long)]
    pub svg: bool,
    /// Sweep: continue an interrupted sweep from the runs kept in the output folder.
    #[arg(long)]
    pub resume: bool,
    /// Sweep: also write each point's full report under points/ (its first replication).
    #[arg(long)]
    pub keep_points: bool,
    /// Sweep: stop as if interrupted after this many runs (for testing --resume).
    #[arg(long, hide = true, value_name = "RUNS")]
    pub stop_after: Option<usize>,
}

/// `coldsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// Override one scenario value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
}

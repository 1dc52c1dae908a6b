//! Command-line definitions (clap) only; no behaviour.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Join the part folders of a sweep run with --shard into one report (the same sweep.csv
    /// as a single-machine run).
    Merge(MergeArgs),
    /// Steady-state analytic estimate for one function with Poisson arrivals and a fixed
    /// keep-alive (Mahmoudi & Khazaei, IEEE TCC 2020); --compare also simulates it.
    Estimate(EstimateArgs),
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
    /// Sweep: run only shard I of N (from 0) and write a part folder for `coldsim merge`;
    /// without a value, I and N come from Slurm's SLURM_ARRAY_TASK_ID and _COUNT.
    #[arg(long, value_name = "I/N", num_args = 0..=1, default_missing_value = "slurm")]
    pub shard: Option<String>,
    /// Refuse a run (and a sweep, per run and in total) estimated to simulate more requests
    /// than this [500000000, ~1.5 minutes at 6 M requests/s].
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
    /// Run even when the estimated requests or memory are above the limits.
    #[arg(long)]
    pub force: bool,
    /// Sweep: stop as if interrupted after this many runs (for testing --resume).
    #[arg(long, hide = true, value_name = "RUNS")]
    pub stop_after: Option<usize>,
}

/// `coldsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folder of the merged report (replaced).
    pub out: PathBuf,
    /// The part folders, one per shard.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip drawing charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write each chart as SVG.
    #[arg(long)]
    pub svg: bool,
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

/// `coldsim estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Scenario file: exactly one function, Poisson arrivals, fixed keep-alive.
    pub scenario: PathBuf,
    /// Also simulate the scenario and print model and simulation side by side.
    #[arg(long)]
    pub compare: bool,
    /// Seed of the simulation (with --compare), overriding the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override one scenario value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// How an environment's lifetime follows from the requests it gets: `renewal` (exact for
    /// a Poisson stream) or `paper` (the published formula, short for λT near 1).
    #[arg(long, value_enum, default_value_t = LifetimeArg::Renewal)]
    pub lifetime: LifetimeArg,
    /// With --compare: refuse a simulation estimated to simulate more requests
    /// than this [500000000, ~1.5 minutes at 6 M requests/s].
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
    /// Run even when the estimated requests or memory are above the limits.
    #[arg(long)]
    pub force: bool,
}

/// `--lifetime` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LifetimeArg {
    /// ℓ = T_c + (e^(λ_m T) − 1)(1/λ_m + T_w).
    Renewal,
    /// ℓ = T + (1/p − 1)·g, as published.
    Paper,
}

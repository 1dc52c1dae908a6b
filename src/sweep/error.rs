//! `SweepError`: everything that can stop a sweep, each variant naming the file and the point.

use crate::scenario::ScenarioError;
use crate::simulation::SimulationError;
use std::fmt;
use std::path::PathBuf;

/// One sweep point that failed to load, with the overrides that define it.
#[derive(Debug)]
pub struct PointFailure {
    /// Index of the point in grid order.
    pub index: usize,
    /// The point's parameter values, e.g. `platform.keep_alive.idle=-5m`.
    pub label: String,
    /// Why it failed.
    pub error: ScenarioError,
}

impl fmt::Display for PointFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "point {} ({}): ", self.index, self.label)?;
        // The scenario error already names the file; keep only what follows it.
        let text = self.error.to_string();
        let text = match &self.error {
            ScenarioError::Invalid { path, .. } | ScenarioError::Parse { path, .. } => text
                .strip_prefix(&format!("{}: ", path.display()))
                .unwrap_or(&text)
                .to_owned(),
            _ => text,
        };
        write!(f, "{}", text.replace('\n', "\n    "))
    }
}

/// Why a sweep could not be planned or run; every variant is the user's input at fault (exit
/// code 2). Writing its state, parts and report fails with `orchestrate::Error`.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario file itself (reading, TOML syntax, `--set`) is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A key of the `[sweep]` table is wrong; `key` is the key as written (a scenario path,
    /// `replications` or `mode`).
    #[error("{}: line {line}: [sweep] {key}: {message}", path.display())]
    Spec {
        /// The sweep file.
        path: PathBuf,
        /// 1-based line of the key.
        line: usize,
        /// The key, as written.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// Some points of the grid are not valid scenarios (an invalid value in a list).
    #[error("{}: {} of {total} sweep point{} {} invalid:\n{}", path.display(), failures.len(),
        if *total == 1 { "" } else { "s" }, if failures.len() == 1 { "is" } else { "are" },
        failures.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"))]
    Points {
        /// The sweep file.
        path: PathBuf,
        /// Number of points in the grid.
        total: usize,
        /// The invalid points, each with its problems (at least one).
        failures: Vec<PointFailure>,
    },
    /// A run failed while simulating (a replayed trace could not be read).
    #[error("sweep point {index} ({label}), replication {replication}: {source}")]
    Run {
        /// 0-based index of the point in the grid.
        index: usize,
        /// The point's label, e.g. `memory_mb=512`.
        label: String,
        /// 0-based replication number.
        replication: u32,
        /// The simulation's error.
        #[source]
        source: Box<SimulationError>,
    },
    /// `--resume` found state that does not belong to this sweep.
    #[error("cannot resume from {}: {message}", dir.display())]
    Resume {
        /// The sweep's output folder.
        dir: PathBuf,
        /// What does not match.
        message: String,
    },
    /// `--shard` (or the Slurm variables behind it) is wrong.
    #[error("{message}")]
    Shard {
        /// What is wrong, naming the argument or variable.
        message: String,
    },
    /// The parts given to `coldsim merge` do not make one whole sweep.
    #[error("cannot merge: {message}")]
    Merge {
        /// What is wrong, naming the part.
        message: String,
    },
    /// A file the scenario reads could not be read to fingerprint its content.
    #[error("{}: cannot read it to fingerprint its content: {error}", path.display())]
    Input {
        /// The input file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
}

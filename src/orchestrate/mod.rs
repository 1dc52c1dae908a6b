//! The steps of a sweep that read and write files, above `sweep` (which plans, runs and
//! summarises, writing nothing) and `report` (the bytes of every file): [`run`] keeps the
//! resume state, runs the points (one shard's with `--shard I/N`) and writes the report or a
//! part folder; [`merge`] checks the parts of a sharded sweep and writes the same report.

mod merge;
mod sweep;

pub use merge::{merge, Merged};
pub use sweep::{run, Outcome, Settings};

use crate::report::{PartError, ReportError};
use crate::sweep::SweepError;

/// Why a sweep could not be run, merged or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The sweep itself (its scenario, `[sweep]` table, points, runs, resume state, shard or
    /// parts) is wrong.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A part folder given to `coldsim merge` cannot be read.
    #[error(transparent)]
    Part(#[from] PartError),
    /// Writing the state or the report failed.
    #[error(transparent)]
    Report(#[from] ReportError),
}

impl Error {
    /// True when the user's input is at fault (exit code 2), false for internal failures.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Error::Report(_))
    }
}

//! Sweeps and replications: a scenario's `[sweep]` table turns it into a grid of points,
//! each run `replications` times in parallel (the crate's only user of rayon), summarised as
//! means with 95% confidence intervals.
//!
//! The pipeline is [`load`] (read `[sweep]`, validate every point as a scenario with
//! `--set`-style overrides) → [`run`] (resume state, [`execute`] in parallel, then
//! [`report::write_sweep`](crate::report::write_sweep)). Runs are gathered in grid order, so
//! the outputs do not depend on the number of threads. On a cluster, `--shard I/N` runs one
//! [`shard`]'s points into a part folder and [`merge`] joins the parts into the same report.

mod error;
mod execute;
mod inputs;
mod merge;
mod plan;
mod run;
mod seeds;
pub mod shard;
pub mod spec;
mod stats;
mod summary;

pub use error::{PointFailure, SweepError};
pub use execute::{execute, Control, OnRun, Progress, Quantiles, RunRecord};
pub use inputs::{hash_file, hex, InputHash};
pub use merge::{merge, Merged};
pub use plan::{load, plan, plan_text_of, text_hash, Plan, Point, MAX_POINTS};
pub use run::{run, Outcome, Settings};
pub use seeds::{arrival_seed, service_salt};
pub use shard::{assignment, points_of, Shard};
pub use spec::{Mode, Param, ParamValue, Spec};
pub use stats::{t975, Estimate};
pub use summary::{Metric, ParamSummary, PointSummary, SweepSummary};

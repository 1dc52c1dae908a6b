//! Sweeps and replications: a scenario's `[sweep]` table turns it into a grid of points,
//! each run `replications` times in parallel (the crate's only user of rayon), summarised as
//! means with 95% confidence intervals.
//!
//! The pipeline is [`load`] (read `[sweep]`, validate every point as a scenario with
//! `--set`-style overrides) → [`execute`] (the runs in parallel, gathered in grid order, so
//! the outputs do not depend on the number of threads) → [`SweepSummary::new`]. This module
//! writes nothing: `orchestrate` keeps the resume state, writes the report or a shard's part
//! folder (`--shard I/N`, one [`shard`]'s points) and merges parts, through `report`.

mod error;
mod execute;
pub mod inputs;
mod plan;
mod seeds;
pub mod shard;
pub mod spec;
mod stats;
mod summary;

pub use error::{PointFailure, SweepError};
pub use execute::{execute, ClusterRecord, Control, OnRun, Progress, Quantiles, RunRecord};
pub use inputs::{hash_file, hex, InputHash};
pub use plan::{load, plan, plan_text_of, text_hash, Plan, Point, MAX_POINTS};
pub use seeds::{arrival_seed, service_salt};
pub use shard::{assignment, points_of, Shard};
pub use spec::{Mode, Param, ParamValue, Spec};
pub use stats::{t975, Estimate};
pub use summary::{Metric, ParamSummary, PointSummary, SweepSummary};

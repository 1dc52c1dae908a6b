//! coldsim: a discrete-event simulator of serverless cold and warm starts (AWS Lambda semantics).
//!
//! The pipeline is [`scenario::load`] → [`simulation::simulate`] → [`report::write`].
//! See `ARCHITECTURE.md` for the code map and invariants.

pub mod engine;
pub mod estimate;
pub mod guard;
pub mod input;
pub mod metrics;
pub mod orchestrate;
pub mod platform;
pub mod report;
pub mod runtime;
pub mod scenario;
pub mod simulation;
pub mod sweep;
pub mod workload;

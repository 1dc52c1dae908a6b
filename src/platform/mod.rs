//! The platform's state: environments, per-function pools, limits and keep-alive policy.
//!
//! These types hold state and answer questions; `simulation.rs` decides what happens when.

mod environment;
mod eviction;
mod idle_histogram;
mod keep_alive;
mod limits;
mod pool;
mod provisioned;

pub use environment::{EnvId, EnvState, Environment, Environments};
pub use eviction::{Candidate, EvictionPolicy, GreedyDual};
pub use idle_histogram::{IdleHistogram, Windows};
pub use keep_alive::{Idle, KeepAliveDecision, KeepAlivePolicy, KeepAliveState};
pub use limits::{Concurrency, TokenBucket};
pub use pool::Pool;
pub use provisioned::{Provisioned, ScalingDecision, Tracker};

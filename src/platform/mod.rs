//! The platform's state: environments, per-function pools, limits, and the keep-alive and
//! eviction policies (the public part: the policy traits, what they see, and the built-in
//! policies as values).
//!
//! These types hold state and answer questions; `simulation/` decides what happens when.

pub mod cpu;
pub mod cpu_share;
mod environment;
pub(crate) mod eviction;
mod idle_histogram;
pub(crate) mod keep_alive;
mod limits;
pub mod managed;
pub(crate) mod placement;
mod pool;
mod provisioned;

pub use cpu::{lambda_vcpus, CpuWork};
pub use cpu_share::{CpuShare, Vcpus};
pub use environment::EnvId;
pub(crate) use environment::{EnvState, Environment, Environments};
pub(crate) use eviction::Evictor;
pub use eviction::{Candidate, EvictionPolicy, Frequency, GreedyDual, Lru, Size, Used};
pub(crate) use keep_alive::KeepAliveState;
pub use keep_alive::{
    Fixed, FixedOnce, Forever, HybridHistogram, Idle, KeepAliveDecision, KeepAlivePolicy, Random,
};
pub(crate) use limits::{Concurrency, TokenBucket};
pub(crate) use placement::Placer;
pub use placement::{
    BestFit, FirstFit, Home, HostView, LeastLoaded, NewEnvironment, PlacementPolicy, RandomHost,
    RoundRobin, WorstFit,
};
pub(crate) use pool::Pool;
pub(crate) use provisioned::{Provisioned, ScalingDecision};

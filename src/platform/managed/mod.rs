//! Lambda Managed Instances: a capacity provider's instances (`Fleet`), the placement of
//! execution environments on them, and the scaler policy (`ManagedScaler`, with the built-in
//! `TargetTracking`). The simulation part that drives them is `simulation/managed.rs`.

mod fleet;
mod scaler;

pub(crate) use fleet::{Fleet, InstanceState};
pub use scaler::{FunctionLoad, ManagedScaler, TargetTracking};

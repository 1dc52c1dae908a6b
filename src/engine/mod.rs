//! A generic discrete-event core: integer simulated time and a FIFO-stable event queue.
//!
//! Nothing here knows about serverless platforms; `simulation.rs` builds the model on top.

mod heap;
mod queue;
mod slab;
mod time;

pub use queue::EventQueue;
pub use slab::Slab;
pub use time::{SimDuration, SimTime};
pub mod rng;

//! coldsim: a discrete-event simulator of serverless cold and warm starts (AWS Lambda semantics).
//!
//! The pipeline is [`scenario`] (TOML → a validated [`scenario::Scenario`]) →
//! [`simulation::SimInit`] (assemble a run: seed, service salt, policies, progress callback)
//! → [`simulation::Results`] → [`metrics::Summary`] (what `summary.json` holds) →
//! [`report::write`]. See `ARCHITECTURE.md` for the code map and invariants.
//!
//! A run of a scenario built in code, with the defaults a scenario file gets:
//!
//! ```
//! use coldsim::scenario::Scenario;
//! use coldsim::simulation::SimInit;
//!
//! let scenario = Scenario::from_toml_str(
//!     r#"
//!     duration = "6h"
//!     [[functions]]
//!     name = "api"
//!     runtime = "python3.12"
//!     execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
//!     arrivals = { process = "poisson", rate = 0.05 }
//!     "#,
//! )?;
//! let summary = SimInit::new(&scenario).run()?.summary(&scenario);
//! assert!(summary.stats.cold_start_ratio > 0.0 && summary.stats.cold_start_ratio < 1.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A keep-alive policy of your own (see [`platform::KeepAlivePolicy`]) runs in place of the
//! scenario's, on the same traffic:
//!
//! ```
//! use coldsim::engine::{rng::Rng, SimDuration};
//! use coldsim::platform::{Fixed, Idle, KeepAliveDecision, KeepAlivePolicy};
//! use coldsim::scenario::Scenario;
//! use coldsim::simulation::SimInit;
//!
//! /// Retires idle environments after one minute.
//! struct OneMinute;
//!
//! impl KeepAlivePolicy for OneMinute {
//!     fn on_idle(&mut self, idle: &Idle, _rng: &mut Rng) -> KeepAliveDecision {
//!         KeepAliveDecision::RetireAt(idle.now + SimDuration::from_secs(60))
//!     }
//!     fn monotone(&self) -> bool {
//!         true // deadlines are now + 60 s: they never decrease
//!     }
//! }
//!
//! let scenario = Scenario::from_toml_str(
//!     r#"
//!     duration = "6h"
//!     [[functions]]
//!     name = "api"
//!     runtime = "python3.12"
//!     execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
//!     arrivals = { process = "poisson", rate = 0.01 }
//!     "#,
//! )?;
//! let short = SimInit::new(&scenario).keep_alive(OneMinute).run()?;
//! let ten = SimInit::new(&scenario)
//!     .keep_alive(Fixed { idle: SimDuration::from_secs(600) })
//!     .run()?;
//! let cold = |r: &coldsim::simulation::Results| r.summary(&scenario).stats.cold_starts;
//! assert!(cold(&short) > cold(&ten));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

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

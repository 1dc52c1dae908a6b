//! What the model needs from a scenario, and why a scenario may not fit it.

use crate::scenario::model::Reuse;
use crate::scenario::{KeepAlive, Scenario};
use crate::workload::Process;

/// The model's inputs, in seconds and requests per second.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// λ: Poisson arrival rate, requests per second.
    pub arrival_rate_per_s: f64,
    /// T_w: mean execution time of a warm request, seconds.
    pub execution_s: f64,
    /// Mean execution time of an environment's first request, seconds (= `execution_s`
    /// unless the function has `first_execution`).
    pub first_execution_s: f64,
    /// Mean init (runtime + the function's own), seconds.
    pub init_s: f64,
    /// T: an environment is retired this long after its last request, seconds.
    pub keep_alive_s: f64,
    /// Most environments at once (reserved concurrency, else the account's concurrency).
    pub max_concurrency: u32,
}

impl Inputs {
    /// T_c: mean service time of a cold request (init + first execution), seconds.
    pub fn cold_s(&self) -> f64 {
        self.init_s + self.first_execution_s
    }

    /// Every input finite and in range.
    pub fn check(&self) -> Result<(), EstimateError> {
        let positive = [
            ("arrival rate", self.arrival_rate_per_s),
            ("mean execution time", self.execution_s),
            ("mean first execution time", self.first_execution_s),
            ("keep-alive", self.keep_alive_s),
        ];
        for (what, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(EstimateError::Input { what, value });
            }
        }
        if !(self.init_s.is_finite() && self.init_s >= 0.0) {
            return Err(EstimateError::Input {
                what: "mean init time",
                value: self.init_s,
            });
        }
        if self.max_concurrency == 0 {
            return Err(EstimateError::Input {
                what: "maximum concurrency",
                value: 0.0,
            });
        }
        Ok(())
    }

    /// The inputs of the only function of `scenario`, and what the simulation of the same
    /// scenario does that the model leaves out (`caveats`, one sentence each).
    pub fn from_scenario(scenario: &Scenario) -> Result<FromScenario, EstimateError> {
        let [f] = scenario.functions.as_slice() else {
            return Err(EstimateError::Functions {
                count: scenario.functions.len(),
            });
        };
        let field = |rest: &str| format!("functions.{}.{rest}", f.name);
        if let Some(other) = f.arrivals.0.iter().find_map(|p| match p {
            Process::Poisson { .. } => None,
            Process::Periodic { .. } => Some("periodic"),
            Process::Diurnal(_) => Some("diurnal"),
            Process::Bursty(_) => Some("bursty"),
            _ => Some("replayed (trace)"),
        }) {
            return Err(EstimateError::NotPoisson {
                field: field("arrivals"),
                found: other,
            });
        }
        if f.provisioned_concurrency > 0 {
            return Err(EstimateError::Provisioned {
                field: field("provisioned_concurrency"),
                count: f.provisioned_concurrency,
            });
        }
        if f.warmers.is_some() || f.snapstart.is_some() {
            return Err(EstimateError::Unmodelled {
                field: field(if f.warmers.is_some() {
                    "warmers"
                } else {
                    "snapstart"
                }),
            });
        }
        let p = &scenario.platform;
        if p.env_concurrency != 1 {
            return Err(EstimateError::EnvConcurrency {
                count: p.env_concurrency,
            });
        }
        let keep_alive = match &p.keep_alive {
            KeepAlive::Fixed { idle } => *idle,
            _ => return Err(EstimateError::KeepAlive),
        };
        let execution_s = f.execution.mean() / 1e9;
        let inputs = Inputs {
            // A superposition of Poisson processes is Poisson with the summed rate.
            arrival_rate_per_s: f.arrivals.mean_rate_per_s(),
            execution_s,
            first_execution_s: f
                .first_execution
                .as_ref()
                .map_or(execution_s, |d| d.mean() / 1e9),
            init_s: f.mean_init_ns() / 1e9,
            keep_alive_s: keep_alive.as_secs_f64(),
            max_concurrency: f.reserved_concurrency.unwrap_or(p.account_concurrency),
        };
        inputs.check()?;

        let mut caveats = Vec::new();
        if p.max_lifetime < scenario.duration {
            caveats.push(format!(
                "the simulation retires environments {} after creation (platform.max_lifetime); \
                 the model never does — add --set platform.max_lifetime=10000h to compare like with like",
                p.max_lifetime
            ));
        }
        if p.reuse != Reuse::Mru {
            caveats.push(
                "the model assumes requests try environments in a fixed order, which the default \
                 platform.reuse = \"mru\" approximates; other reuse orders spread requests over \
                 more environments and keep more of them alive"
                    .to_string(),
            );
        }
        if f.memory_used.is_some() {
            caveats.push(format!(
                "requests that exceed memory fail and discard their environment in the simulation \
                 ({}); the model has no failures",
                field("memory_used")
            ));
        }
        if scenario.duration.as_secs_f64() < 20.0 * keep_alive.as_secs_f64() {
            caveats.push(format!(
                "the simulated duration {} is short against the keep-alive {}: the simulation may \
                 not have reached the steady state the model describes",
                scenario.duration, keep_alive
            ));
        }
        Ok(FromScenario {
            inputs,
            function: f.name.clone(),
            caveats,
        })
    }
}

/// [`Inputs::from_scenario`]'s answer.
#[derive(Clone, Debug)]
pub struct FromScenario {
    /// The model's inputs.
    pub inputs: Inputs,
    /// Name of the function they describe.
    pub function: String,
    /// What the simulation of this scenario does that the model leaves out.
    pub caveats: Vec<String>,
}

/// Why a scenario does not fit the model. Each message says what the model needs.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// Not exactly one function.
    #[error(
        "the model describes one function and this scenario has {count}; \
         give `estimate` a scenario with a single [[functions]] entry"
    )]
    Functions {
        /// Number of `[[functions]]` entries in the scenario.
        count: usize,
    },
    /// Arrivals other than Poisson.
    #[error(
        "{field}: the model needs Poisson arrivals (`{{ process = \"poisson\", rate = ... }}`), \
         not {found} ones; `coldsim run` simulates any arrival process"
    )]
    NotPoisson {
        /// The scenario field of the arrivals, e.g. `functions[0].arrivals`.
        field: String,
        /// The process found, e.g. "periodic".
        found: &'static str,
    },
    /// Provisioned concurrency.
    #[error(
        "{field}: the model has no provisioned environments; set it to 0 (it is {count}) \
         or use `coldsim run`"
    )]
    Provisioned {
        /// The scenario field, e.g. `functions[0].provisioned`.
        field: String,
        /// Provisioned environments asked for.
        count: u32,
    },
    /// Warm-up pings or SnapStart.
    #[error(
        "{field}: the model has no warm-up pings nor SnapStart; remove it or use `coldsim run`"
    )]
    Unmodelled {
        /// The scenario field holding the feature the model lacks.
        field: String,
    },
    /// More than one request per environment.
    #[error(
        "platform.env_concurrency: the model needs environments that serve one request at a \
         time (1), not {count}"
    )]
    EnvConcurrency {
        /// The scenario's `platform.env_concurrency`.
        count: u32,
    },
    /// The model assumes a fixed keep-alive reset by every request.
    #[error("the model needs platform.keep_alive = {{ policy = \"fixed\", idle = ... }}; other keep-alive policies can only be simulated")]
    KeepAlive,
    /// An input that is not a positive finite number (an infinite mean, a zero rate).
    #[error("the model needs a positive, finite {what}; this scenario gives {value}")]
    Input {
        /// The input, e.g. "mean execution time".
        what: &'static str,
        /// Its value, in the input's unit.
        value: f64,
    },
    /// The load is too large for the chain.
    #[error(
        "an offered load of {load:.0} concurrent requests needs more than {states} states; \
         the model is meant for loads up to about 100 000"
    )]
    TooManyStates {
        /// The state limit of the Markov chain.
        states: usize,
        /// The offered load: arrival rate × mean execution time (mean concurrent requests).
        load: f64,
    },
}

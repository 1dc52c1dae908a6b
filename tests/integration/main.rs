//! One integration test binary: hand-checked scenarios, analytic oracles, properties and the CLI.

mod aws_behaviours;
mod bad_inputs;
mod cli;
mod hand_checked;
mod hostile;
mod interrupt;
mod keep_alive;
mod oracles;
mod out_folder;
mod properties;
mod readme;
mod reports;
mod schema;
mod strategies;
mod stress;

use coldsim::metrics::Summary;
use coldsim::scenario::{self, Scenario};
use coldsim::simulation::{Results, SimInit};
use std::path::Path;

/// Parses and validates scenario text, panicking with the error if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match scenario::parse(text, Path::new("test.toml"), "test", Path::new("."), &[]) {
        Ok(l) => l.scenario,
        Err(e) => panic!("invalid test scenario: {e}"),
    }
}

/// Runs scenario text and returns the results and the summary.
pub fn run(text: &str) -> (Results, Summary) {
    let s = scenario(text);
    let r = SimInit::new(&s)
        .run()
        .expect("test scenarios replay no trace, so the run cannot fail");
    let summary = r.summary(&s);
    (r, summary)
}

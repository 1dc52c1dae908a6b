//! `capacity_providers.csv`: Lambda Managed Instances, one row per capacity provider and
//! scaler period of the counted period (written only when a capacity provider ran).

use crate::metrics::managed::CapacityRow;
use crate::scenario::Scenario;
use crate::simulation::Results;
use serde::Serialize;

#[derive(Serialize)]
struct Row<'a> {
    provider: &'a str,
    time_s: f64,
    instances: u32,
    instances_ready: u32,
    environments: u32,
    environments_ready: u32,
    in_flight: f64,
    cpu_utilization: f64,
    target_cpu_utilization: f64,
}

impl<'a> Row<'a> {
    fn new(provider: &'a str, r: &CapacityRow) -> Self {
        Row {
            provider,
            time_s: r.time_s,
            instances: r.instances,
            instances_ready: r.instances_ready,
            environments: r.environments,
            environments_ready: r.environments_ready,
            in_flight: r.in_flight,
            cpu_utilization: r.cpu_utilization,
            target_cpu_utilization: r.target_cpu_utilization,
        }
    }
}

/// The bytes of `capacity_providers.csv`, or `None` when no capacity provider ran.
pub fn capacity_csv(scenario: &Scenario, results: &Results) -> Option<Vec<u8>> {
    if results.capacity_providers.is_empty() {
        return None;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, stats) in &results.capacity_providers {
        let provider = &scenario.capacity_providers[*i].name;
        for row in &stats.rows {
            w.serialize(Row::new(provider, row))
                .expect("writing CSV to memory cannot fail");
        }
    }
    Some(w.into_inner().expect("writing CSV to memory cannot fail"))
}

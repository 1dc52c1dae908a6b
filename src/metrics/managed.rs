//! Lambda Managed Instances: what a capacity provider's instances did over a run, its rows
//! of `capacity_providers.csv`, its summary and its cost (EC2 instance-hours × price, plus
//! the management fee; requests are billed per function as on demand; no GB-second charge).

use super::summary::per_month;
use serde::Serialize;

/// Totals of one capacity provider over the counted period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderStats {
    /// Instance-nanoseconds billed (launching, ready or draining).
    pub instance_ns: u128,
    /// vCPU-nanoseconds of ready instances.
    pub ready_vcpu_ns: u128,
    /// vCPU-nanoseconds of CPU work done on them.
    pub cpu_ns: f64,
    /// Most instances billed at once.
    pub peak_instances: u32,
    /// Instances launched (the ones published before the run not included).
    pub launches: u64,
    /// Instances replaced at the end of their lifetime.
    pub replaced: u64,
    /// One row per scaler period in the counted period.
    pub rows: Vec<CapacityRow>,
}

/// The state of a capacity provider at the end of one scaler period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CapacityRow {
    /// End of the period, seconds since the start of the run.
    pub time_s: f64,
    /// Instances billed (launching, ready or draining).
    pub instances: u32,
    /// Instances ready for environments.
    pub instances_ready: u32,
    /// Environments of its functions (ready, starting and waiting for an instance).
    pub environments: u32,
    /// Of which ready for requests.
    pub environments_ready: u32,
    /// Requests in flight on its environments, averaged over the period.
    pub in_flight: f64,
    /// CPU work done ÷ vCPUs of ready instances over the period (0–1).
    pub cpu_utilization: f64,
    /// The target average CPU utilization the scaler tracks.
    pub target_cpu_utilization: f64,
}

/// What a capacity provider costs, US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ManagedCost {
    /// EC2 instance-hours × the instance price.
    pub instances: f64,
    /// The management fee on them.
    pub management_fee: f64,
    /// Sum of the above.
    pub total: f64,
}

/// One capacity provider in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapacityProviderSummary {
    /// Its name.
    pub name: String,
    /// Its EC2 instance type.
    pub instance_type: String,
    /// vCPUs of one instance.
    pub instance_vcpus: u32,
    /// EC2 price of one instance, US dollars per hour.
    pub price_per_hour: f64,
    /// Target average CPU utilization.
    pub target_cpu_utilization: f64,
    /// Instances billed, time-weighted over the counted period.
    pub mean_instances: f64,
    /// Most instances billed at once.
    pub peak_instances: u32,
    /// Instances launched during the run.
    pub launches: u64,
    /// Instances replaced at the end of their lifetime.
    pub replaced: u64,
    /// Instance-hours billed.
    pub instance_hours: f64,
    /// CPU work ÷ vCPUs of ready instances over the counted period.
    pub cpu_utilization: f64,
    /// Cost of the counted period.
    pub cost_usd: ManagedCost,
    /// `cost_usd.total` scaled to a month of 730 hours.
    pub cost_usd_per_month: f64,
}

/// What the summary needs of a capacity provider's configuration.
#[derive(Clone, Copy, Debug)]
pub struct ProviderInfo<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its EC2 instance type.
    pub instance_type: &'a str,
    /// vCPUs of one instance.
    pub instance_vcpus: u32,
    /// EC2 price of one instance, US dollars per hour.
    pub price_per_hour: f64,
    /// Target average CPU utilization.
    pub target: f64,
}

impl CapacityProviderSummary {
    /// The summary of `stats` over a counted period of `period_s` seconds, with the
    /// management fee `fee` (a share of the instance price).
    pub fn new(info: &ProviderInfo, stats: &ProviderStats, period_s: f64, fee: f64) -> Self {
        let hours = stats.instance_ns as f64 / 3.6e12;
        let instances = hours * info.price_per_hour;
        let management_fee = instances * fee;
        let total = instances + management_fee;
        CapacityProviderSummary {
            name: info.name.to_owned(),
            instance_type: info.instance_type.to_owned(),
            instance_vcpus: info.instance_vcpus,
            price_per_hour: info.price_per_hour,
            target_cpu_utilization: info.target,
            mean_instances: if period_s > 0.0 {
                stats.instance_ns as f64 / 1e9 / period_s
            } else {
                0.0
            },
            peak_instances: stats.peak_instances,
            launches: stats.launches,
            replaced: stats.replaced,
            instance_hours: hours,
            cpu_utilization: if stats.ready_vcpu_ns == 0 {
                0.0
            } else {
                stats.cpu_ns / stats.ready_vcpu_ns as f64
            },
            cost_usd: ManagedCost {
                instances,
                management_fee,
                total,
            },
            cost_usd_per_month: per_month(total, period_s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_by_hand() {
        // Three instances for 10 hours at $0.17 an hour: $5.10, plus 15%: $0.765.
        let stats = ProviderStats {
            instance_ns: 3 * 10 * 3_600_000_000_000,
            ready_vcpu_ns: 100,
            cpu_ns: 25.0,
            ..Default::default()
        };
        let info = ProviderInfo {
            name: "fleet",
            instance_type: "c7g.xlarge",
            instance_vcpus: 4,
            price_per_hour: 0.17,
            target: 0.5,
        };
        let s = CapacityProviderSummary::new(&info, &stats, 36_000.0, 0.15);
        assert!((s.cost_usd.instances - 5.10).abs() < 1e-12);
        assert!((s.cost_usd.management_fee - 0.765).abs() < 1e-12);
        assert!((s.cost_usd.total - 5.865).abs() < 1e-12);
        assert!((s.mean_instances - 3.0).abs() < 1e-12);
        assert_eq!(s.cpu_utilization, 0.25);
        assert!((s.cost_usd_per_month - 5.865 * 73.0).abs() < 1e-9);
    }
}

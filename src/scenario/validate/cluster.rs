//! `[cluster]`: host groups, placement and CPU policy, and the functions against the hosts.

use super::*;
use crate::scenario::model::{Cluster, HostGroup};

/// Most hosts a cluster may have (the run keeps a few hundred bytes and a time-series row
/// per host).
pub(super) const MAX_HOSTS: u64 = 100_000;

/// Most vCPUs of one host.
const MAX_VCPUS: u32 = 4096;

/// Most memory of one host, GB.
const MAX_MEMORY_GB: f64 = 1_048_576.0;

/// `[cluster]`, checked against the functions; `None` without it.
pub(super) fn cluster(
    c: &mut Checker,
    raw: &RawScenario,
    functions: &[Function],
) -> Option<Cluster> {
    let cl = raw.cluster.as_ref()?;
    if raw.platform.capacity.is_some() {
        c.fail(
            "platform.capacity",
            "cannot be used with [cluster]: each host has its own memory (cluster.hosts memory_gb); remove platform.capacity",
        );
    }
    if cl.hosts.is_empty() {
        c.fail(
            "cluster.hosts",
            "a cluster needs at least one host group: [[cluster.hosts]] with vcpus and memory_gb",
        );
    }
    let mut names = HashSet::new();
    let mut groups = Vec::new();
    for (i, g) in cl.hosts.iter().enumerate() {
        let at = format!("cluster.hosts.{i}");
        let name = g.name.clone().unwrap_or_else(|| format!("group-{}", i + 1));
        if name.is_empty() || !names.insert(name.clone()) {
            c.fail(
                format!("{at}.name"),
                format!("`{name}` must be non-empty and unique among the host groups"),
            );
        }
        let count = g.count.unwrap_or(1);
        if count == 0 {
            c.fail(
                format!("{at}.count"),
                "must be at least 1 (omit the group instead)",
            );
        }
        if g.vcpus == 0 || g.vcpus > MAX_VCPUS {
            c.fail(
                format!("{at}.vcpus"),
                format!("must be from 1 to {MAX_VCPUS}, got {}", g.vcpus),
            );
        }
        let mb = g.memory_gb * 1024.0;
        if !(g.memory_gb.is_finite() && mb >= 128.0 && g.memory_gb <= MAX_MEMORY_GB) {
            c.fail(
                format!("{at}.memory_gb"),
                format!(
                    "must be a finite number of GB from 0.125 (one 128 MB environment) to {MAX_MEMORY_GB}, got {}",
                    g.memory_gb
                ),
            );
        }
        groups.push(HostGroup {
            name,
            count,
            vcpus: g.vcpus,
            memory_mb: if mb.is_finite() {
                mb.max(0.0).round() as u64
            } else {
                0
            },
        });
    }
    let cluster = Cluster {
        groups,
        placement: cl.placement,
        cpu: cl.cpu,
    };
    let hosts = cluster.hosts();
    if hosts > MAX_HOSTS {
        c.fail(
            "cluster.hosts",
            format!("{hosts} hosts in all; the limit is {MAX_HOSTS}"),
        );
    }
    let largest = cluster
        .groups
        .iter()
        .map(|g| g.memory_mb)
        .max()
        .unwrap_or(0);
    if largest > 0 {
        if let Some(f) = functions.iter().find(|f| u64::from(f.memory_mb) > largest) {
            c.fail(
                "cluster.hosts",
                format!(
                    "function `{}` needs {} MB, more than the largest host ({largest} MB): raise memory_gb",
                    f.name, f.memory_mb
                ),
            );
        }
    }
    let provisioned: u64 = functions
        .iter()
        .map(|f| u64::from(f.provisioned_concurrency) * u64::from(f.memory_mb))
        .sum();
    let total = cluster.memory_mb();
    if provisioned > total && total > 0 {
        c.fail(
            "cluster.hosts",
            format!("provisioned environments need {provisioned} MB, more than every host together ({total} MB)"),
        );
    }
    Some(cluster)
}

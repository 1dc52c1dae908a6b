//! Host statistics of a cluster run (`[cluster]`): time-weighted memory and CPU use per host
//! (in total and per report interval, for the utilization chart), environments placed,
//! requests that waited for vCPUs, and each function's slowdown (execution ÷ its
//! uncontended time). `HostRecorder` accumulates; `ClusterSummary` is what `summary.json`
//! and `hosts.csv` show.

use super::Histogram;
use crate::engine::{SimDuration, SimTime};
use serde::Serialize;

/// Hosts whose use is kept per report interval (the utilization chart's rows); hosts past
/// it are in the totals only, so memory stays at most this × intervals.
pub const SERIES_HOSTS: usize = 256;

/// Slowdowns are recorded as millionths above 1 (1.0 = 0, exact in the histogram; 2.0 =
/// 1,000,000), so quantiles are within 0.39% of the excess over 1.
const SLOWDOWN_SCALE: f64 = 1e6;

/// A level held since a time, integrated over the counted period.
#[derive(Clone, Debug, Default)]
struct Level {
    value: u64,
    since: SimTime,
    /// ∫ value dt over the counted period (value × ns).
    total: u128,
    /// ∫ value dt per report interval, for hosts with a series.
    series: Vec<u128>,
}

/// The counted period and its intervals.
#[derive(Clone, Copy, Debug)]
struct Period {
    from: SimTime,
    to: SimTime,
    interval: SimDuration,
}

impl Period {
    fn rows(&self) -> usize {
        self.to.since(self.from).0.div_ceil(self.interval.0.max(1)) as usize
    }
}

impl Level {
    /// Integrates the current value up to `now`, then holds `value` from `now`.
    fn set(&mut self, p: &Period, now: SimTime, value: u64, keep_series: bool) {
        let (a, b) = (self.since.max(p.from), now.min(p.to));
        if b > a && self.value > 0 {
            let v = u128::from(self.value);
            self.total += v * u128::from(b.since(a).0);
            if keep_series {
                let w = p.interval.0.max(1);
                let mut t = a.0 - p.from.0;
                let end = b.0 - p.from.0;
                while t < end {
                    let row = (t / w) as usize;
                    let row_end = ((row as u64 + 1) * w).min(end);
                    if self.series.len() <= row {
                        self.series.resize(row + 1, 0);
                    }
                    self.series[row] += v * u128::from(row_end - t);
                    t = row_end;
                }
            }
        }
        self.value = value;
        self.since = now;
    }
}

/// One host's accumulators.
#[derive(Clone, Debug, Default)]
struct HostAcc {
    memory: Level,
    /// vCPUs busy (micro-vCPUs): min(demand, vCPUs), or held under `isolated`.
    busy: Level,
    /// vCPUs demanded (micro-vCPUs), uncapped.
    demand: Level,
    placed: u64,
    waited: u64,
    peak_memory_mb: u64,
}

/// A host of the cluster as the recorder needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct HostSpec {
    /// Its group's index.
    pub group: u32,
    /// vCPUs.
    pub vcpus: u32,
    /// Memory for environments, MB.
    pub memory_mb: u64,
}

/// Accumulates the host statistics of a run.
#[derive(Clone, Debug)]
pub struct HostRecorder {
    period: Period,
    specs: Vec<HostSpec>,
    hosts: Vec<HostAcc>,
    /// Per function: slowdowns of its counted requests, millionths.
    slowdown: Vec<Histogram>,
    /// Requests counted that waited for memory (no host had room).
    waited_for_memory: u64,
}

impl HostRecorder {
    /// A recorder for `specs` and `functions` functions, counting over [`from`, `to`) in
    /// rows of `interval`.
    pub fn new(
        specs: Vec<HostSpec>,
        functions: usize,
        from: SimTime,
        to: SimTime,
        interval: SimDuration,
    ) -> Self {
        HostRecorder {
            period: Period { from, to, interval },
            hosts: vec![HostAcc::default(); specs.len()],
            specs,
            slowdown: vec![Histogram::new(); functions],
            waited_for_memory: 0,
        }
    }

    fn counts(&self, t: SimTime) -> bool {
        t >= self.period.from && t < self.period.to
    }

    /// Host `h` holds `used_mb` of memory from `now`.
    #[inline]
    pub fn memory(&mut self, h: usize, now: SimTime, used_mb: u64) {
        let p = self.period;
        let a = &mut self.hosts[h];
        a.memory.set(&p, now, used_mb, h < SERIES_HOSTS);
        if now < p.to {
            a.peak_memory_mb = a.peak_memory_mb.max(used_mb);
        }
    }

    /// Host `h`'s running executions demand `demand` and keep `busy` busy (micro-vCPUs)
    /// from `now`.
    #[inline]
    pub fn cpu(&mut self, h: usize, now: SimTime, busy: u64, demand: u64) {
        let p = self.period;
        let a = &mut self.hosts[h];
        a.busy.set(&p, now, busy, h < SERIES_HOSTS);
        a.demand.set(&p, now, demand, false);
    }

    /// An environment was placed on host `h` at `now`.
    #[inline]
    pub fn placed(&mut self, h: usize, now: SimTime) {
        if self.counts(now) {
            self.hosts[h].placed += 1;
        }
    }

    /// A request that arrived at `arrived` waited for vCPUs on host `h`.
    #[inline]
    pub fn waited_for_cpu(&mut self, h: usize, arrived: SimTime) {
        if self.counts(arrived) {
            self.hosts[h].waited += 1;
        }
    }

    /// A request that arrived at `arrived` waited for memory (no host had room).
    #[inline]
    pub fn waited_for_memory(&mut self, arrived: SimTime) {
        if self.counts(arrived) {
            self.waited_for_memory += 1;
        }
    }

    /// A request of `f` that arrived at `arrived` took `took` on its environment where it
    /// would have taken `alone` without contention.
    #[inline]
    pub fn slowdown(&mut self, f: usize, arrived: SimTime, took: SimDuration, alone: SimDuration) {
        if self.counts(arrived) && alone > SimDuration::ZERO {
            let s = took.0 as f64 / alone.0 as f64;
            self.slowdown[f].record(((s - 1.0).max(0.0) * SLOWDOWN_SCALE).round() as u64);
        }
    }

    /// Closes every level at the end of the counted period.
    pub fn finish(&mut self) {
        let p = self.period;
        for (h, a) in self.hosts.iter_mut().enumerate() {
            let keep = h < SERIES_HOSTS;
            let (m, b, d) = (a.memory.value, a.busy.value, a.demand.value);
            a.memory.set(&p, p.to, m, keep);
            a.busy.set(&p, p.to, b, keep);
            a.demand.set(&p, p.to, d, false);
        }
    }

    /// The figures of the run: per host, per group (names from `groups`) and per function
    /// (names from `functions`).
    pub fn summary(&self, groups: &[String], functions: &[&str]) -> ClusterSummary {
        let span = self.period.to.since(self.period.from).0.max(1) as f64;
        let hosts: Vec<HostSummary> = self
            .specs
            .iter()
            .zip(&self.hosts)
            .enumerate()
            .map(|(i, (s, a))| {
                let cpu = f64::from(s.vcpus) * 1e6;
                HostSummary {
                    host: i as u32,
                    group: groups.get(s.group as usize).cloned().unwrap_or_default(),
                    vcpus: s.vcpus,
                    memory_mb: s.memory_mb,
                    mean_memory_utilization: a.memory.total as f64
                        / span
                        / s.memory_mb.max(1) as f64,
                    peak_memory_mb: a.peak_memory_mb,
                    mean_cpu_utilization: a.busy.total as f64 / span / cpu,
                    mean_cpu_demand: a.demand.total as f64 / span / cpu,
                    environments_placed: a.placed,
                    requests_waited_for_cpu: a.waited,
                }
            })
            .collect();
        let groups_out = groups
            .iter()
            .enumerate()
            .map(|(g, name)| {
                let members: Vec<&HostSummary> = self
                    .specs
                    .iter()
                    .zip(&hosts)
                    .filter(|(s, _)| s.group as usize == g)
                    .map(|(_, h)| h)
                    .collect();
                let n = members.len().max(1) as f64;
                let (memory, cpu) = self.weighted(|s| s.group as usize == g);
                GroupSummary {
                    group: name.clone(),
                    hosts: members.len() as u32,
                    mean_memory_utilization: memory,
                    mean_cpu_utilization: cpu,
                    mean_cpu_demand: members.iter().map(|h| h.mean_cpu_demand).sum::<f64>() / n,
                    environments_placed: members.iter().map(|h| h.environments_placed).sum(),
                    requests_waited_for_cpu: members
                        .iter()
                        .map(|h| h.requests_waited_for_cpu)
                        .sum(),
                }
            })
            .collect();
        let mut all = Histogram::new();
        let functions = functions
            .iter()
            .zip(&self.slowdown)
            .map(|(name, h)| {
                all.merge(h);
                FunctionSlowdown {
                    function: (*name).to_owned(),
                    slowdown: SlowdownSummary::of(h),
                }
            })
            .collect();
        let (memory, cpu) = self.weighted(|_| true);
        ClusterSummary {
            hosts_total: hosts.len() as u32,
            mean_memory_utilization: memory,
            mean_cpu_utilization: cpu,
            environments_placed: hosts.iter().map(|h| h.environments_placed).sum(),
            requests_waited_for_memory: self.waited_for_memory,
            requests_waited_for_cpu: hosts.iter().map(|h| h.requests_waited_for_cpu).sum(),
            slowdown: SlowdownSummary::of(&all),
            groups: groups_out,
            functions,
            hosts,
        }
    }

    /// Memory and CPU utilization of the hosts `keep` selects together: time-weighted memory
    /// held ÷ their memory, busy vCPUs ÷ their vCPUs.
    fn weighted(&self, keep: impl Fn(&HostSpec) -> bool) -> (f64, f64) {
        let span = self.period.to.since(self.period.from).0.max(1) as f64;
        let (mut used, mut memory, mut busy, mut vcpus) = (0.0, 0.0, 0.0, 0.0);
        for (s, a) in self.specs.iter().zip(&self.hosts).filter(|(s, _)| keep(s)) {
            used += a.memory.total as f64;
            memory += s.memory_mb as f64;
            busy += a.busy.total as f64;
            vcpus += f64::from(s.vcpus) * 1e6;
        }
        let ratio = |a: f64, b: f64| if b > 0.0 { a / span / b } else { 0.0 };
        (ratio(used, memory), ratio(busy, vcpus))
    }

    /// Per report interval (rows) and host (the first [`SERIES_HOSTS`]), the mean memory
    /// and CPU utilization, 0–1: `(memory, cpu)`, each `rows × hosts`, row-major.
    pub fn series(&self) -> HostSeries {
        let p = self.period;
        let rows = p.rows();
        let n = self.hosts.len().min(SERIES_HOSTS);
        let mut memory = vec![0.0f32; rows * n];
        let mut cpu = vec![0.0f32; rows * n];
        for (h, (a, s)) in self.hosts.iter().zip(&self.specs).take(n).enumerate() {
            for r in 0..rows {
                let start = p.interval.0 * r as u64;
                let width = (p.to.since(p.from).0.saturating_sub(start))
                    .min(p.interval.0)
                    .max(1) as f64;
                let m = a.memory.series.get(r).copied().unwrap_or(0) as f64;
                let c = a.busy.series.get(r).copied().unwrap_or(0) as f64;
                memory[r * n + h] = (m / width / s.memory_mb.max(1) as f64) as f32;
                cpu[r * n + h] = (c / width / (f64::from(s.vcpus) * 1e6)) as f32;
            }
        }
        HostSeries {
            interval: p.interval,
            rows,
            hosts: n,
            hosts_total: self.hosts.len(),
            memory,
            cpu,
        }
    }
}

/// Host utilization per report interval, for the chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostSeries {
    /// Width of a row.
    pub interval: SimDuration,
    /// Rows (intervals of the counted period).
    pub rows: usize,
    /// Hosts (the first [`SERIES_HOSTS`]).
    pub hosts: usize,
    /// Hosts in the cluster.
    pub hosts_total: usize,
    /// Mean memory utilization, 0–1, `rows × hosts` row-major.
    pub memory: Vec<f32>,
    /// Mean CPU utilization (busy vCPUs ÷ vCPUs), 0–1, `rows × hosts` row-major.
    pub cpu: Vec<f32>,
}

/// Slowdown of requests: execution (from reaching the environment to the end) ÷ its
/// uncontended time; 1 = not slowed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SlowdownSummary {
    /// Requests measured.
    pub samples: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl SlowdownSummary {
    fn of(h: &Histogram) -> Self {
        if h.count() == 0 {
            return SlowdownSummary::default();
        }
        let s = |v: f64| 1.0 + v / SLOWDOWN_SCALE;
        SlowdownSummary {
            samples: h.count(),
            mean: s(h.mean()),
            p50: s(h.quantile(0.5)),
            p90: s(h.quantile(0.9)),
            p99: s(h.quantile(0.99)),
            max: s(h.max() as f64),
        }
    }
}

/// The `cluster` object of `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterSummary {
    /// Hosts.
    pub hosts_total: u32,
    /// Time-weighted memory held on every host ÷ the cluster's memory, 0–1.
    pub mean_memory_utilization: f64,
    /// Time-weighted busy vCPUs of every host ÷ the cluster's vCPUs, 0–1.
    pub mean_cpu_utilization: f64,
    /// Environments placed in the counted period.
    pub environments_placed: u64,
    /// Requests counted that waited because no host had memory for a new environment.
    pub requests_waited_for_memory: u64,
    /// Requests counted that waited for vCPUs on their host (`cpu = "isolated"`).
    pub requests_waited_for_cpu: u64,
    /// Slowdown over every counted request.
    pub slowdown: SlowdownSummary,
    /// Per host group.
    pub groups: Vec<GroupSummary>,
    /// Per function, in scenario order.
    pub functions: Vec<FunctionSlowdown>,
    /// Per host, in host order (also `hosts.csv`).
    pub hosts: Vec<HostSummary>,
}

/// A host group's figures (utilization of the group's memory and vCPUs together, sums of
/// counts).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Its name.
    pub group: String,
    /// Hosts in it.
    pub hosts: u32,
    /// Mean memory utilization, 0–1.
    pub mean_memory_utilization: f64,
    /// Mean CPU utilization, 0–1.
    pub mean_cpu_utilization: f64,
    /// Mean vCPUs demanded ÷ vCPUs (above 1 when executions were slowed, or under
    /// `cpu = "ignored"` would have been).
    pub mean_cpu_demand: f64,
    /// Environments placed.
    pub environments_placed: u64,
    /// Requests that waited for vCPUs.
    pub requests_waited_for_cpu: u64,
}

/// A function's slowdown.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FunctionSlowdown {
    /// Its name.
    pub function: String,
    /// Its requests' slowdown.
    pub slowdown: SlowdownSummary,
}

/// One host's figures: a row of `hosts.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HostSummary {
    /// Its index (group by group, from 0).
    pub host: u32,
    /// Its group's name.
    pub group: String,
    /// vCPUs.
    pub vcpus: u32,
    /// Memory for environments, MB.
    pub memory_mb: u64,
    /// Time-weighted memory held ÷ memory, 0–1.
    pub mean_memory_utilization: f64,
    /// Most memory held at once, MB.
    pub peak_memory_mb: u64,
    /// Time-weighted busy vCPUs ÷ vCPUs, 0–1.
    pub mean_cpu_utilization: f64,
    /// Time-weighted vCPUs demanded ÷ vCPUs (may exceed 1).
    pub mean_cpu_demand: f64,
    /// Environments placed on it in the counted period.
    pub environments_placed: u64,
    /// Requests that waited for its vCPUs.
    pub requests_waited_for_cpu: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_integrate_by_hand_and_split_into_intervals() {
        // Counted from 10 s to 40 s in 10 s rows; one host of 1000 MB and 2 vCPUs.
        let s = SimTime::ZERO + SimDuration::from_secs(1);
        let at = |k: u64| SimTime(k * s.0);
        let mut r = HostRecorder::new(
            vec![HostSpec {
                group: 0,
                vcpus: 2,
                memory_mb: 1000,
            }],
            1,
            at(10),
            at(40),
            SimDuration::from_secs(10),
        );
        // 500 MB from 5 s (warm-up) to 25 s, then 1000 MB to the end.
        r.memory(0, at(5), 500);
        r.memory(0, at(25), 1000);
        // One vCPU busy from 15 s to 20 s.
        r.cpu(0, at(15), 1_000_000, 1_000_000);
        r.cpu(0, at(20), 0, 0);
        r.finish();
        let c = r.summary(&["g".into()], &["f"]);
        // Memory: (15 s × 500 + 15 s × 1000) / 30 s / 1000 = 0.75. CPU: 5 s × 1 / 30 s / 2.
        assert_eq!(c.hosts[0].mean_memory_utilization, 0.75);
        assert!((c.hosts[0].mean_cpu_utilization - 5.0 / 60.0).abs() < 1e-12);
        let series = r.series();
        assert_eq!(series.rows, 3);
        assert_eq!(series.memory, vec![0.5, 0.75, 1.0]);
        assert_eq!(series.cpu, vec![0.25, 0.0, 0.0]);
    }

    #[test]
    fn slowdown_quantiles() {
        let mut r = HostRecorder::new(vec![], 1, SimTime::ZERO, SimTime(100), SimDuration(10));
        r.slowdown(0, SimTime(1), SimDuration(200), SimDuration(100));
        r.slowdown(0, SimTime(2), SimDuration(100), SimDuration(100));
        // Not counted: arrived after the period.
        r.slowdown(0, SimTime(100), SimDuration(900), SimDuration(100));
        let c = r.summary(&[], &["f"]);
        let s = c.functions[0].slowdown;
        assert_eq!((s.samples, s.max), (2, 2.0));
        assert!((s.mean - 1.5).abs() < 0.01);
    }
}

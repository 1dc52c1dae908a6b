//! Turns a run's statistics into the inputs of each chart and draws those of [`CHARTS`], the
//! registry that `report.html` follows too.
//!
//! Adding a chart to a run's report: its file in `charts/` (a `pub fn (path, format, meta,
//! data)`), one line in [`CHARTS`], and a field in [`RunData`] if it needs data no chart uses yet.

use super::charts::{
    self, CdfSeries, ChartError, ChartMeta, Environments, Format, FunctionBar, HostHeat, InitBox,
    ManagedCapacity, ManagedCpu, Traffic,
};
use super::html::Figure;
use super::ReportError;
use crate::metrics::{Class, Histogram, Summary};
use crate::scenario::Scenario;
use crate::simulation::Results;
use std::path::Path;

fn cdf(label: &str, h: &Histogram) -> CdfSeries {
    CdfSeries {
        label: label.to_owned(),
        points: h
            .cdf()
            .into_iter()
            .map(|(ns, q)| (ns / 1e6, q))
            .filter(|(ms, _)| *ms > 0.0)
            .collect(),
        p50_ms: h.quantile(0.5) / 1e6,
        p99_ms: h.quantile(0.99) / 1e6,
    }
}

/// The inputs of every chart of a run, computed once from its results.
pub struct RunData {
    /// Title block of every chart.
    pub meta: ChartMeta,
    /// Latency CDFs: all, warm and cold requests.
    pub latency: Vec<CdfSeries>,
    /// Arrivals, cold starts and throttles per interval.
    pub traffic: Traffic,
    /// Mean environments per state per interval.
    pub envs: Environments,
    /// Init-duration quantiles per function.
    pub boxes: Vec<InitBox>,
    /// Cold-start rate and p99 latency per function.
    pub bars: Vec<FunctionBar>,
    /// Lambda Managed Instances: traffic, instances and environments (`None` without).
    pub managed: Option<(ManagedCapacity, ManagedCpu)>,
    /// Host utilization over time, on a cluster.
    pub hosts: Option<HostHeat>,
}

/// One chart of a run's report: what `report.html` shows of it, whether the run has it, and how
/// it is drawn.
pub struct RunChart {
    /// File stem and caption.
    pub figure: Figure,
    /// Whether this run's report has the chart.
    pub applies: fn(&RunData) -> bool,
    /// Draws the chart into `path` in `format`.
    pub draw: fn(&Path, Format, &RunData) -> Result<(), ChartError>,
}

fn always(_: &RunData) -> bool {
    true
}

/// The charts of a run's report, in the order `report.html` shows them.
pub static CHARTS: &[RunChart] = &[
    RunChart {
        figure: Figure {
            stem: "latency_cdf",
            caption: "Latency distribution of warm and cold requests",
        },
        applies: always,
        draw: |p, f, d| charts::latency_cdf(p, f, &d.meta, &d.latency),
    },
    RunChart {
        figure: Figure {
            stem: "traffic",
            caption: "Requests, cold starts and throttles over time",
        },
        applies: always,
        draw: |p, f, d| charts::traffic(p, f, &d.meta, &d.traffic),
    },
    RunChart {
        figure: Figure {
            stem: "environments",
            caption: "Execution environments over time",
        },
        applies: always,
        draw: |p, f, d| charts::environments(p, f, &d.meta, &d.envs),
    },
    RunChart {
        figure: Figure {
            stem: "init_by_runtime",
            caption: "Init latency by function and runtime",
        },
        applies: always,
        draw: |p, f, d| charts::init_by_runtime(p, f, &d.meta, &d.boxes),
    },
    RunChart {
        figure: Figure {
            stem: "function_comparison",
            caption: "Cold-start rate and p99 latency per function",
        },
        applies: always,
        draw: |p, f, d| charts::function_comparison(p, f, &d.meta, &d.bars),
    },
    RunChart {
        figure: Figure {
            stem: "managed_capacity",
            caption: "Managed Instances: instances and environments against traffic",
        },
        applies: |d| d.managed.is_some(),
        draw: |p, f, d| match &d.managed {
            Some((c, _)) => charts::managed_capacity(p, f, &d.meta, c),
            None => Ok(()),
        },
    },
    RunChart {
        figure: Figure {
            stem: "managed_cpu",
            caption: "Managed Instances: CPU utilization against the scaler's target",
        },
        applies: |d| d.managed.is_some(),
        draw: |p, f, d| match &d.managed {
            Some((_, c)) => charts::managed_cpu(p, f, &d.meta, c),
            None => Ok(()),
        },
    },
    RunChart {
        figure: Figure {
            stem: "host_utilization",
            caption: "Memory and CPU utilization of each host over time",
        },
        applies: |d| d.hosts.is_some(),
        draw: |p, f, d| match &d.hosts {
            Some(h) => charts::host_utilization(p, f, &d.meta, h),
            None => Ok(()),
        },
    },
];

/// Draws every chart into `dir` (PNG, and SVG too when `svg`). Returns the charts drawn, in
/// report order.
pub fn draw(
    dir: &Path,
    scenario: &Scenario,
    results: &Results,
    summary: &Summary,
    svg: bool,
) -> Result<Vec<Figure>, ReportError> {
    let data = run_data(scenario, results, summary);
    let formats: &[Format] = if svg {
        &[Format::Png, Format::Svg]
    } else {
        &[Format::Png]
    };
    let drawn: Vec<&RunChart> = CHARTS.iter().filter(|c| (c.applies)(&data)).collect();
    // Rasterizing and PNG encoding are most of a short run's time. Every chart writes only
    // its own file, so the bytes do not depend on which thread draws it or when.
    let data = &data;
    let jobs = formats.iter().flat_map(|&format| {
        drawn.iter().map(move |c| {
            let path = dir.join(format!("{}.{}", c.figure.stem, format.extension()));
            move || (c.draw)(&path, format, data)
        })
    });
    // Two workers take the charts in turn: a second core halves a short run's report time,
    // and no more than two bitmaps are held at once.
    let queue = std::sync::Mutex::new(jobs.enumerate());
    let next = || queue.lock().map_or(None, |mut q| q.next());
    let mut done: Vec<(usize, Result<(), ChartError>)> = std::thread::scope(|scope| {
        let helper = scope.spawn(|| {
            let mut done = Vec::new();
            while let Some((i, job)) = next() {
                done.push((i, job()));
            }
            done
        });
        let mut done = Vec::new();
        while let Some((i, job)) = next() {
            done.push((i, job()));
        }
        done.extend(
            helper
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        done
    });
    // The first error in chart order, whichever worker met it.
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().try_for_each(|(_, r)| r)?;
    Ok(drawn.iter().map(|c| c.figure).collect())
}

/// The inputs of every chart, from a run's results.
fn run_data(scenario: &Scenario, results: &Results, summary: &Summary) -> RunData {
    let meta = ChartMeta {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        counted: (scenario.duration - scenario.warmup).to_string(),
    };
    let mut warm = Histogram::new();
    let mut cold = Histogram::new();
    for s in &results.stats {
        warm.merge(&s.warm_latency);
        cold.merge(&s.cold_latency);
    }
    let mut all = warm.clone();
    all.merge(&cold);
    let latency = vec![cdf("all", &all), cdf("warm", &warm), cdf("cold", &cold)];

    let ts = &results.series;
    let interval_s = ts.interval_ns as f64 / 1e9;
    let start_s = ts.start.as_secs_f64();
    let mut traffic = Traffic {
        start_s,
        interval_s,
        arrivals: Vec::with_capacity(ts.len),
        cold_starts: Vec::with_capacity(ts.len),
        throttled: Vec::with_capacity(ts.len),
    };
    let mut envs = Environments {
        start_s,
        interval_s,
        busy: Vec::with_capacity(ts.len),
        idle: Vec::with_capacity(ts.len),
        initializing: Vec::with_capacity(ts.len),
        provisioned: Vec::with_capacity(ts.len),
    };
    // One pass over the intervals, without a copy of the whole series.
    for i in ts.total_rows() {
        let mean = |c: Class| i.occupancy[c as usize] as f64 / ts.interval_ns as f64;
        traffic.arrivals.push(i.arrivals);
        traffic.cold_starts.push(i.cold);
        traffic.throttled.push(i.throttled);
        envs.busy.push(mean(Class::Busy));
        envs.idle.push(mean(Class::Idle));
        envs.initializing.push(mean(Class::Initializing));
        envs.provisioned.push(mean(Class::ProvisionedIdle));
    }
    let boxes: Vec<InitBox> = scenario
        .functions
        .iter()
        .zip(&results.stats)
        .map(|(f, s)| {
            let q = |p: f64| s.init.quantile(p) / 1e6;
            InitBox {
                label: format!("{} ({}, {})", f.name, f.runtime, f.arch),
                p5_ms: q(0.05),
                p25_ms: q(0.25),
                p50_ms: q(0.5),
                p75_ms: q(0.75),
                p95_ms: q(0.95),
                count: s.init.count(),
            }
        })
        .collect();
    let bars: Vec<FunctionBar> = summary
        .functions
        .iter()
        .map(|f| FunctionBar {
            name: f.name.clone(),
            cold_start_pct: f.stats.cold_start_ratio * 100.0,
            p99_ms: f.stats.latency_ms.p99,
        })
        .collect();

    RunData {
        meta,
        latency,
        traffic,
        envs,
        boxes,
        bars,
        managed: managed_data(scenario, results),
        hosts: results
            .hosts
            .as_ref()
            .map(|h| host_heat(&h.series(), start_s)),
    }
}

/// Most columns and rows of the host heatmap: finer series are averaged in spans of
/// intervals and bands of hosts, so the chart stays legible (and its SVG small).
const HEAT_COLUMNS: usize = 240;
const HEAT_ROWS: usize = 64;

/// The heatmap of a run's host series, starting at `start_s`.
fn host_heat(s: &crate::metrics::hosts::HostSeries, start_s: f64) -> HostHeat {
    let span = s.rows.div_ceil(HEAT_COLUMNS).max(1);
    let band = s.hosts.div_ceil(HEAT_ROWS).max(1);
    let (columns, rows) = (s.rows.div_ceil(span), s.hosts.div_ceil(band));
    let cell = |v: &[f32], c: usize, r: usize| {
        let (mut sum, mut n) = (0.0f64, 0usize);
        for t in c * span..((c + 1) * span).min(s.rows) {
            for h in r * band..((r + 1) * band).min(s.hosts) {
                sum += f64::from(v[t * s.hosts + h]);
                n += 1;
            }
        }
        (sum / n.max(1) as f64) as f32
    };
    let grid = |v: &[f32]| {
        (0..columns)
            .flat_map(|c| (0..rows).map(move |r| (c, r)))
            .map(|(c, r)| cell(v, c, r))
            .collect()
    };
    HostHeat {
        start_s,
        column_s: s.interval.as_secs_f64() * span as f64,
        columns,
        hosts_per_row: band,
        rows,
        memory: grid(&s.memory),
        cpu: grid(&s.cpu),
        hosts_not_shown: s.hosts_total.saturating_sub(s.hosts),
    }
}

/// The Managed Instances charts' inputs: the managed functions' requests per second per
/// interval, and every capacity provider's rows summed (one provider in most scenarios).
fn managed_data(scenario: &Scenario, results: &Results) -> Option<(ManagedCapacity, ManagedCpu)> {
    let (_, first) = results.capacity_providers.first()?;
    let ts = &results.series;
    let interval_s = ts.interval_ns as f64 / 1e9;
    let start_s = ts.start.as_secs_f64();
    let managed: Vec<usize> = (scenario.functions.iter().enumerate())
        .filter(|(_, f)| f.managed.is_some())
        .map(|(i, _)| i)
        .collect();
    // Only the managed functions' traffic, when the series tracks each of them.
    let mut sums = vec![0u64; ts.len];
    let mut own = managed.len() < scenario.functions.len();
    for &f in &managed {
        match ts.function_rows(f) {
            Some(rows) if own => rows
                .zip(sums.iter_mut())
                .for_each(|(i, s)| *s += i.arrivals),
            _ => own = false,
        }
    }
    let rate: Vec<u64> = if own {
        sums
    } else {
        ts.total_rows().map(|i| i.arrivals).collect()
    };
    let rate = (rate.iter().enumerate())
        .map(|(k, &a)| {
            (
                start_s + (k as f64 + 0.5) * interval_s,
                a as f64 / interval_s,
            )
        })
        .collect();
    let mut instances: Vec<(f64, f64)> = first.rows.iter().map(|r| (r.time_s, 0.0)).collect();
    let mut environments = instances.clone();
    for (_, stats) in &results.capacity_providers {
        for (k, r) in stats.rows.iter().enumerate().take(instances.len()) {
            instances[k].1 += f64::from(r.instances);
            environments[k].1 += f64::from(r.environments);
        }
    }
    // CPU work over the vCPUs of every provider's ready instances, period by period.
    let utilization = (0..first.rows.len())
        .map(|k| {
            let (mut work, mut vcpus) = (0.0, 0.0);
            for (i, stats) in &results.capacity_providers {
                if let Some(r) = stats.rows.get(k) {
                    let v = f64::from(r.instances_ready)
                        * f64::from(scenario.capacity_providers[*i].instance_vcpus);
                    work += r.cpu_utilization * v;
                    vcpus += v;
                }
            }
            (
                first.rows[k].time_s,
                if vcpus > 0.0 { work / vcpus } else { 0.0 },
            )
        })
        .collect();
    let target = scenario.capacity_providers[results.capacity_providers[0].0].target;
    Some((
        ManagedCapacity {
            rate,
            instances,
            environments,
        },
        ManagedCpu {
            utilization,
            target,
        },
    ))
}

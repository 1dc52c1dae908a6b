//! Turns a run's statistics into the inputs of each chart and draws them all.

use super::charts::{
    self, CdfSeries, ChartMeta, Environments, Format, FunctionBar, InitBox, Traffic,
};
use super::html::CHARTS;
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

/// Draws every chart into `dir` (PNG, and SVG too when `svg`). Returns the stems drawn.
pub fn draw(
    dir: &Path,
    scenario: &Scenario,
    results: &Results,
    summary: &Summary,
    svg: bool,
) -> Result<Vec<&'static str>, ReportError> {
    let meta = ChartMeta {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        simulated: (scenario.duration - scenario.warmup).to_string(),
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

    let formats: &[Format] = if svg {
        &[Format::Png, Format::Svg]
    } else {
        &[Format::Png]
    };
    // Rasterizing and PNG encoding are most of a short run's time. Every chart writes only
    // its own file, so the bytes do not depend on which thread draws it or when.
    type Job<'a> = Box<dyn FnOnce() -> Result<(), charts::ChartError> + Send + 'a>;
    let (meta, latency, traffic, envs, boxes, bars) =
        (&meta, &latency, &traffic, &envs, &boxes, &bars);
    let mut jobs: Vec<Job> = Vec::new();
    for &format in formats {
        let path = |stem: &str| dir.join(format!("{stem}.{}", format.extension()));
        let p = path("latency_cdf");
        jobs.push(Box::new(move || {
            charts::latency_cdf(&p, format, meta, latency)
        }));
        let p = path("traffic");
        jobs.push(Box::new(move || charts::traffic(&p, format, meta, traffic)));
        let p = path("environments");
        jobs.push(Box::new(move || {
            charts::environments(&p, format, meta, envs)
        }));
        let p = path("init_by_runtime");
        jobs.push(Box::new(move || {
            charts::init_by_runtime(&p, format, meta, boxes)
        }));
        let p = path("function_comparison");
        jobs.push(Box::new(move || {
            charts::function_comparison(&p, format, meta, bars)
        }));
    }
    // Two workers take the charts in turn: a second core halves a short run's report time,
    // and no more than two bitmaps are held at once.
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
    let next = || queue.lock().map_or(None, |mut q| q.next());
    let mut done: Vec<(usize, Result<(), charts::ChartError>)> = std::thread::scope(|scope| {
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
    Ok(CHARTS.iter().map(|(stem, _)| *stem).collect())
}

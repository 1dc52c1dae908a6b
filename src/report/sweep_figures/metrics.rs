//! One chart per metric not zero at every point: its mean (and 95% confidence interval) against
//! the first parameter, one line per combination of the other parameters' values.

use super::SweepFigure;
use crate::report::charts::{self, MetricChart, MetricPoint, MetricSeries, SweepAxis};
use crate::report::sweep_html::{charted_metrics, SweepChart};
use crate::sweep::{Metric, Mode, PointSummary, SweepSummary};

/// Stem, title and value-axis title of each metric's chart, and the factor from the summary's
/// unit to the axis unit.
fn metric_text(metric: Metric, simulated: &str) -> (&'static str, &'static str, String, f64) {
    match metric {
        Metric::ColdStartRatio => (
            "sweep_cold_start_ratio",
            "Cold-start ratio",
            "cold starts (% of requests)".into(),
            100.0,
        ),
        Metric::LatencyP50 => (
            "sweep_latency_p50",
            "Median latency",
            "p50 latency (ms)".into(),
            1.0,
        ),
        Metric::LatencyP99 => (
            "sweep_latency_p99",
            "p99 latency",
            "p99 latency (ms)".into(),
            1.0,
        ),
        Metric::MeanEnvironments => (
            "sweep_mean_environments",
            "Mean live environments",
            "environments (time-weighted mean)".into(),
            1.0,
        ),
        Metric::Throttled => (
            "sweep_throttled",
            "Throttled requests",
            format!("throttled requests per run ({simulated})"),
            1.0,
        ),
        Metric::Cost => (
            "sweep_cost",
            "Total cost",
            format!("cost per run (US$, {simulated})"),
            1.0,
        ),
        Metric::CostPerMonth => (
            "sweep_cost_per_month",
            "Cost per month",
            "cost per month (US$, 730 h at this traffic)".into(),
            1.0,
        ),
    }
}

/// One figure per charted metric, in [`Metric::ALL`] order.
pub(super) fn figures(summary: &SweepSummary) -> Vec<SweepFigure<'_>> {
    let x_name = match summary.params.first() {
        Some(p) if !summary.labelled => p.path.clone(),
        _ => "point".to_owned(),
    };
    let by = match summary.params.first() {
        Some(p) if !summary.labelled => p.short.clone(),
        _ => "point".to_owned(),
    };
    let x_axis = axis(summary);
    charted_metrics(summary)
        .into_iter()
        .map(|metric| {
            let (stem, title, y_desc, scale) = metric_text(metric, &summary.simulated);
            let chart = MetricChart {
                title: format!("{title} by {by}"),
                y_desc,
                x_desc: x_name.clone(),
                axis: x_axis.clone(),
                series: series(summary, metric, scale),
                replications: summary.replications,
            };
            SweepFigure {
                chart: SweepChart {
                    stem: stem.into(),
                    caption: format!(
                        "{title} against {x_name}{}",
                        if summary.replications > 1 {
                            ": mean and 95% confidence interval"
                        } else {
                            " (one replication: no confidence interval)"
                        }
                    ),
                },
                draw: Box::new(move |path, f, meta| charts::sweep_metric(path, f, meta, &chart)),
            }
        })
        .collect()
}

pub(super) fn axis(summary: &SweepSummary) -> SweepAxis {
    let Some(param) = summary.params.first() else {
        return SweepAxis::Categories(vec!["as written".into()]);
    };
    if summary.labelled {
        // Zip mode with names: one category per point, in order (x = the point's index).
        return SweepAxis::Categories(summary.points.iter().map(|p| p.label.clone()).collect());
    }
    match &param.numeric {
        Some(values) => {
            let pairs: Vec<(f64, String)> = values
                .iter()
                .copied()
                .zip(param.labels.iter().cloned())
                .collect();
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if lo > 0.0 && hi / lo >= 10.0 {
                SweepAxis::Log(pairs)
            } else {
                SweepAxis::Linear(pairs)
            }
        }
        None => SweepAxis::Categories(param.labels.clone()),
    }
}

/// The lines of a metric chart: x is the first parameter; one line per combination of the
/// other parameters' values (grid mode), one line in zip mode.
pub(super) fn series(summary: &SweepSummary, metric: Metric, scale: f64) -> Vec<MetricSeries> {
    let x_of = |p: &PointSummary| -> f64 {
        match summary.params.first() {
            // Named points are categories in point order (see `axis`).
            _ if summary.labelled => p.index as f64,
            None => 0.0,
            Some(param) => {
                let c = p.choice[0];
                param.numeric.as_ref().map_or(c as f64, |v| v[c])
            }
        }
    };
    let point = |p: &PointSummary| {
        let e = p.get(metric);
        MetricPoint {
            x: x_of(p),
            mean: e.mean * scale,
            ci: e.ci.map(|(l, h)| (l * scale, h * scale)),
        }
    };
    let key = |p: &PointSummary| -> Vec<usize> {
        if summary.mode == Mode::Zip || summary.params.len() < 2 {
            Vec::new()
        } else {
            p.choice[1..].to_vec()
        }
    };
    let mut out: Vec<(Vec<usize>, MetricSeries)> = Vec::new();
    for p in &summary.points {
        let k = key(p);
        let i = match out.iter().position(|(key, _)| *key == k) {
            Some(i) => i,
            None => {
                let label = summary.params[1.min(summary.params.len())..]
                    .iter()
                    .zip(&k)
                    .map(|(param, &c)| format!("{}={}", param.short, param.labels[c]))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push((
                    k,
                    MetricSeries {
                        label,
                        points: Vec::new(),
                    },
                ));
                out.len() - 1
            }
        };
        out[i].1.points.push(point(p));
    }
    out.into_iter()
        .map(|(_, mut s)| {
            s.points.sort_by(|a, b| a.x.total_cmp(&b.x));
            s
        })
        .collect()
}

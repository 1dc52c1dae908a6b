//! Turns a sweep's summary into the inputs of its charts and draws them.

use super::charts::{
    self, BoxQuantiles, ChartMeta, Format, MetricChart, MetricPoint, MetricSeries, RuntimeRow,
    SweepAxis, TradeoffPoint,
};
use super::sweep_html::{charted_metrics, SweepChart};
use super::ReportError;
use crate::sweep::{Metric, Mode, PointSummary, Quantiles, SweepSummary};
use std::path::Path;

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
    }
}

/// A short label of a point for chart annotations: its values joined by " · " (the chart
/// names the parameters once, see [`label_key`]).
pub fn point_label(summary: &SweepSummary, p: &PointSummary) -> String {
    if summary.params.is_empty() || summary.labelled {
        return p.label.clone();
    }
    summary
        .params
        .iter()
        .zip(&p.choice)
        .map(|(param, &c)| param.labels[c].clone())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What the point labels of [`point_label`] hold: "labels: idle · reuse".
pub fn label_key(summary: &SweepSummary) -> String {
    if summary.params.is_empty() || summary.labelled {
        return String::new();
    }
    let names: Vec<&str> = summary.params.iter().map(|p| p.short.as_str()).collect();
    format!("labels: {}", names.join(" · "))
}

fn axis(summary: &SweepSummary) -> SweepAxis {
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
fn series(summary: &SweepSummary, metric: Metric, scale: f64) -> Vec<MetricSeries> {
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

fn quantiles(q: &Quantiles) -> Option<BoxQuantiles> {
    (q.p50 > 0.0).then_some(BoxQuantiles {
        p5: q.p5,
        p25: q.p25,
        p50: q.p50,
        p75: q.p75,
        p95: q.p95,
    })
}

/// The subtitle line of every sweep chart.
pub fn chart_meta(summary: &SweepSummary) -> ChartMeta {
    let runs = summary.points.len() * summary.replications as usize;
    ChartMeta {
        scenario: summary.name.clone(),
        seed: summary.seed,
        simulated: format!(
            "{} × {runs} run{} ({} point{} × {} replication{})",
            summary.simulated,
            if runs == 1 { "" } else { "s" },
            summary.points.len(),
            if summary.points.len() == 1 { "" } else { "s" },
            summary.replications,
            if summary.replications == 1 { "" } else { "s" },
        ),
    }
}

/// Draws every sweep chart into `dir` (PNG, and SVG too when `svg`); returns them in report
/// order.
pub fn draw_sweep(
    dir: &Path,
    summary: &SweepSummary,
    svg: bool,
) -> Result<Vec<SweepChart>, ReportError> {
    let meta = chart_meta(summary);
    let formats: &[Format] = if svg {
        &[Format::Png, Format::Svg]
    } else {
        &[Format::Png]
    };
    let path = |stem: &str, f: Format| dir.join(format!("{stem}.{}", f.extension()));
    let mut drawn = Vec::new();
    let x_name = match summary.params.first() {
        Some(p) if !summary.labelled => p.path.clone(),
        _ => "point".to_owned(),
    };
    let by = match summary.params.first() {
        Some(p) if !summary.labelled => p.short.clone(),
        _ => "point".to_owned(),
    };

    let tradeoff: Vec<TradeoffPoint> = summary
        .points
        .iter()
        .map(|p| {
            let l = p.get(Metric::LatencyP99);
            let c = p.get(Metric::Cost);
            TradeoffPoint {
                label: point_label(summary, p),
                x: l.mean,
                x_ci: l.ci,
                y: c.mean,
                y_ci: c.ci,
                pareto: p.pareto,
            }
        })
        .collect();
    let cost_desc = format!("cost per run (US$, {})", summary.simulated);
    for &f in formats {
        charts::sweep_tradeoff(
            &path("sweep_cost_vs_p99", f),
            f,
            &meta,
            &tradeoff,
            &cost_desc,
            &label_key(summary),
        )?;
    }
    drawn.push(SweepChart {
        stem: "sweep_cost_vs_p99".into(),
        caption: "Cost against p99 latency; the Pareto front joins the points no other point beats on both".into(),
    });

    if let Some(ka) = &summary.keep_alive {
        let data: Vec<TradeoffPoint> = summary
            .points
            .iter()
            .zip(&ka.points)
            .map(|(p, k)| TradeoffPoint {
                label: point_label(summary, p),
                x: k.wasted_memory_normalized.mean,
                x_ci: k.wasted_memory_normalized.ci,
                y: k.function_cold_pct_p75.mean,
                y_ci: k.function_cold_pct_p75.ci,
                pareto: k.pareto,
            })
            .collect();
        let baseline = point_label(
            summary,
            summary
                .points
                .iter()
                .find(|p| p.label == ka.baseline)
                .expect("the baseline is one of the points"),
        );
        for &f in formats {
            charts::keep_alive_tradeoff(
                &path("keep_alive_tradeoff", f),
                f,
                &meta,
                &data,
                &baseline,
                "",
            )?;
        }
        drawn.push(SweepChart {
            stem: "keep_alive_tradeoff".into(),
            caption: format!(
                "75th percentile over functions of each function's cold-start %, against the memory kept idle relative to {baseline}{} (Shahrad et al., ATC'20, Fig. 15)",
                if ka.baseline_is_fixed_10m { " (the paper's baseline)" } else { " (the first point: the sweep has no fixed 10-minute policy)" }
            ),
        });
    }

    if summary.runtime_swept {
        let rows: Vec<RuntimeRow> = summary
            .points
            .iter()
            .map(|p| RuntimeRow {
                label: summary
                    .params
                    .iter()
                    .zip(&p.choice)
                    .map(|(param, &c)| param.labels[c].clone())
                    .collect::<Vec<_>>()
                    .join(" · "),
                init: quantiles(&p.init_ms),
                latency: quantiles(&p.latency_ms),
            })
            .collect();
        for &f in formats {
            charts::sweep_runtimes(&path("sweep_runtimes", f), f, &meta, &rows)?;
        }
        drawn.push(SweepChart {
            stem: "sweep_runtimes".into(),
            caption: format!(
                "Init duration and end-to-end latency per point (quantiles averaged over {} replication{})",
                summary.replications,
                if summary.replications == 1 { "" } else { "s" }
            ),
        });
    }

    let x_axis = axis(summary);
    for metric in charted_metrics(summary) {
        let (stem, title, y_desc, scale) = metric_text(metric, &summary.simulated);
        let chart = MetricChart {
            title: format!("{title} by {by}"),
            y_desc,
            x_desc: x_name.clone(),
            axis: x_axis.clone(),
            series: series(summary, metric, scale),
            replications: summary.replications,
        };
        for &f in formats {
            charts::sweep_metric(&path(stem, f), f, &meta, &chart)?;
        }
        drawn.push(SweepChart {
            stem: stem.into(),
            caption: format!(
                "{title} against {x_name}{}",
                if summary.replications > 1 {
                    ": mean and 95% confidence interval"
                } else {
                    " (one replication: no confidence interval)"
                }
            ),
        });
    }
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{self, RunRecord};
    use std::path::Path as P;

    fn summary(sweep: &str) -> SweepSummary {
        let text = format!(
            "name = \"t\"\nduration = \"1h\"\n[[functions]]\nname = \"api\"\nruntime = \"python3.12\"\nexecution = {{ dist = \"constant\", value = \"10ms\" }}\narrivals = {{ process = \"poisson\", rate = 1.0 }}\n{sweep}"
        );
        let plan = sweep::plan(&text, P::new("t.toml"), "t", P::new("."), &[], None)
            .expect("valid")
            .expect("a sweep");
        let records: Vec<RunRecord> = (0..plan.runs())
            .map(|j| RunRecord {
                point: j,
                replication: 0,
                seed: 0,
                service_salt: 0,
                invocations: 10,
                cold_starts: 1,
                cold_start_ratio: 0.1 * j as f64,
                latency_p50_ms: 1.0,
                latency_p99_ms: 2.0,
                mean_environments: 1.0,
                throttled: 0,
                cost_usd: 1.0,
                function_cold_pct_p75: 0.0,
                wasted_memory_gb_s: 0.0,
                cluster: None,
                init_ms: Quantiles::default(),
                latency_ms: Quantiles::default(),
            })
            .collect();
        SweepSummary::new(&plan, &records)
    }

    #[test]
    fn numbers_and_durations_are_placed_by_value() {
        let s = summary("[sweep]\n\"platform.keep_alive.idle\" = [\"1m\", \"10m\", \"1h\"]\n");
        assert!(matches!(axis(&s), SweepAxis::Log(_)));
        let xs: Vec<f64> = series(&s, Metric::ColdStartRatio, 100.0)[0]
            .points
            .iter()
            .map(|p| p.x)
            .collect();
        assert_eq!(xs, [60.0, 600.0, 3600.0]);
    }

    #[test]
    fn named_points_are_categories_in_order() {
        let s = summary("[sweep]\nmode = \"zip\"\nlabels = [\"big\", \"small\"]\n\"functions.api.memory_mb\" = [1024, 128]\n");
        assert!(matches!(axis(&s), SweepAxis::Categories(ref c) if c == &["big", "small"]));
        let xs: Vec<f64> = series(&s, Metric::ColdStartRatio, 100.0)[0]
            .points
            .iter()
            .map(|p| p.x)
            .collect();
        assert_eq!(xs, [0.0, 1.0]);
    }

    #[test]
    fn other_parameters_make_one_line_each() {
        let s = summary(
            "[sweep]\n\"functions.api.memory_mb\" = [128, 256, 512]\n\"platform.reuse\" = [\"mru\", \"lru\"]\n",
        );
        let lines = series(&s, Metric::ColdStartRatio, 100.0);
        let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["reuse=mru", "reuse=lru"]);
        assert_eq!(lines[1].points.len(), 3);
        assert_eq!(point_label(&s, &s.points[3]), "256 · lru");
        assert_eq!(label_key(&s), "labels: memory_mb · reuse");
    }
}

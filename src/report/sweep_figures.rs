//! Turns a sweep's summary into the inputs of its charts and draws those of [`SWEEP_CHARTS`],
//! the registry whose order `report.html` follows.
//!
//! Adding a chart to a sweep's report: its file in `sweep_figures/` (a `figures` function giving
//! the chart's [`SweepFigure`]s for a sweep, drawn with the kit of `charts/`), its `mod` line
//! and one line in [`SWEEP_CHARTS`].

mod cost_vs_p99;
mod keep_alive_tradeoff;
mod memory_sizing;
mod metrics;
mod runtimes;

use super::charts::{ChartError, ChartMeta, Format};
use super::sweep_html::SweepChart;
use super::ReportError;
use crate::sweep::{PointSummary, SweepSummary};
use std::path::Path;

/// One figure of a sweep's report: what `report.html` shows of it and how it is drawn.
pub struct SweepFigure<'a> {
    /// File stem and caption.
    pub chart: SweepChart,
    /// Draws the figure into `path` in `format`, under the title block `meta`.
    #[allow(clippy::type_complexity)]
    pub draw: Box<dyn Fn(&Path, Format, &ChartMeta) -> Result<(), ChartError> + 'a>,
}

/// One chart of a sweep's report: the figures it gives for a sweep (none when it does not
/// apply; one per charted metric for the metric charts).
pub struct SweepChartDef {
    /// Its name, for documentation and tests.
    pub name: &'static str,
    /// Its figures for `summary`, in report order.
    pub figures: fn(&SweepSummary) -> Vec<SweepFigure<'_>>,
}

/// The charts of a sweep's report, in the order `report.html` shows them.
pub static SWEEP_CHARTS: &[SweepChartDef] = &[
    SweepChartDef {
        name: "cost_vs_p99",
        figures: cost_vs_p99::figures,
    },
    SweepChartDef {
        name: "memory_sizing",
        figures: memory_sizing::figures,
    },
    SweepChartDef {
        name: "keep_alive_tradeoff",
        figures: keep_alive_tradeoff::figures,
    },
    SweepChartDef {
        name: "runtimes",
        figures: runtimes::figures,
    },
    SweepChartDef {
        name: "metrics",
        figures: metrics::figures,
    },
];

/// A short label of a point for chart annotations: its values joined by " · " (the chart
/// names the parameters once, see [`label_key`]).
fn point_label(summary: &SweepSummary, p: &PointSummary) -> String {
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
fn label_key(summary: &SweepSummary) -> String {
    if summary.params.is_empty() || summary.labelled {
        return String::new();
    }
    let names: Vec<&str> = summary.params.iter().map(|p| p.short.as_str()).collect();
    format!("labels: {}", names.join(" · "))
}

/// The subtitle line of every sweep chart.
pub fn chart_meta(summary: &SweepSummary) -> ChartMeta {
    let runs = summary.points.len() * summary.replications as usize;
    ChartMeta {
        scenario: summary.name.clone(),
        seed: summary.seed,
        counted: format!(
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

/// Draws every sweep chart of [`SWEEP_CHARTS`] into `dir` (PNG, and SVG too when `svg`);
/// returns them in report order.
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
    let mut drawn = Vec::new();
    for chart in SWEEP_CHARTS {
        for figure in (chart.figures)(summary) {
            for &f in formats {
                let path = dir.join(format!("{}.{}", figure.chart.stem, f.extension()));
                (figure.draw)(&path, f, &meta)?;
            }
            drawn.push(figure.chart);
        }
    }
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::metrics::{axis, series};
    use super::*;
    use crate::report::charts::SweepAxis;
    use crate::sweep::{self, RunRecord};
    use crate::sweep::{Metric, Quantiles};
    use std::path::Path as P;

    fn summary(sweep: &str) -> SweepSummary {
        summary_of(sweep, |_| (0.0, None, 0.0))
    }

    /// The summary of `sweep` whose run `j` has `keep_alive(j)` = (p75 function cold-start %,
    /// p75 app cold-start %, wasted GB-s).
    fn summary_of(
        sweep: &str,
        keep_alive: impl Fn(usize) -> (f64, Option<f64>, f64),
    ) -> SweepSummary {
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
                cost_usd_per_month: 730.0,
                function_cold_pct_p75: keep_alive(j).0,
                app_cold_pct_p75: keep_alive(j).1,
                wasted_memory_gb_s: keep_alive(j).2,
                errors: 0,
                cluster: None,
                init_ms: Quantiles::default(),
                latency_ms: Quantiles::default(),
            })
            .collect();
        SweepSummary::new(&plan, &records)
    }

    #[test]
    fn the_keep_alive_tradeoff_is_over_apps_when_the_runs_count_apps() {
        // Point 1 has fewer cold starts per function than point 0 for more waste, but more
        // per app: over apps (the unit) point 0 dominates it; over functions neither does.
        let sweep = "[sweep]\n\"platform.keep_alive.idle\" = [\"10m\", \"20m\"]\n";
        let runs = [(50.0, 40.0, 1.0), (30.0, 60.0, 2.0)];
        let apps = summary_of(sweep, |j| (runs[j].0, Some(runs[j].1), runs[j].2));
        let ka = apps.keep_alive.as_ref().expect("a keep-alive sweep");
        assert!(ka.over_apps());
        let front: Vec<bool> = ka.points.iter().map(|p| p.pareto).collect();
        assert_eq!(front, [true, false]);
        assert_eq!(ka.points[1].cold_pct_p75().mean, 60.0);
        let functions = summary_of(sweep, |j| (runs[j].0, None, runs[j].2));
        let ka = functions.keep_alive.as_ref().expect("a keep-alive sweep");
        assert!(!ka.over_apps());
        let front: Vec<bool> = ka.points.iter().map(|p| p.pareto).collect();
        assert_eq!(front, [true, true]);
        assert_eq!(ka.points[1].cold_pct_p75().mean, 30.0);
        let caption = |s: &SweepSummary| keep_alive_tradeoff::figures(s)[0].chart.caption.clone();
        assert!(
            caption(&apps).starts_with("75th percentile over apps"),
            "{}",
            caption(&apps)
        );
        assert!(caption(&functions).starts_with("75th percentile over functions"));
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

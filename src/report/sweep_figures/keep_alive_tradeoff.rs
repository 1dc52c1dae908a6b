//! The keep-alive trade-off of Shahrad et al. (ATC'20, Fig. 15): per point, the 75th percentile
//! over apps (when apps are the unit) or over functions of their cold-start %, against the
//! memory kept idle relative to a baseline point. Drawn when the sweep varies the keep-alive
//! policy.

use super::{point_label, SweepFigure};
use crate::report::charts::{self, TradeoffPoint};
use crate::report::sweep_html::SweepChart;
use crate::sweep::SweepSummary;

/// The chart when the summary has a keep-alive comparison.
pub(super) fn figures(summary: &SweepSummary) -> Vec<SweepFigure<'_>> {
    let Some(ka) = &summary.keep_alive else {
        return Vec::new();
    };
    let data: Vec<TradeoffPoint> = summary
        .points
        .iter()
        .zip(&ka.points)
        .map(|(p, k)| TradeoffPoint {
            label: point_label(summary, p),
            x: k.wasted_memory_normalized.mean,
            x_ci: k.wasted_memory_normalized.ci,
            y: k.cold_pct_p75().mean,
            y_ci: k.cold_pct_p75().ci,
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
    let over_apps = ka.over_apps();
    let caption = format!(
        "75th percentile over {} cold-start %, against the memory kept idle relative to {baseline}{} (Shahrad et al., ATC'20, Fig. 15)",
        if over_apps { "apps of each app's" } else { "functions of each function's" },
        if ka.baseline_is_fixed_10m { " (the paper's baseline)" } else { " (the first point: the sweep has no fixed 10-minute policy)" }
    );
    vec![SweepFigure {
        chart: SweepChart {
            stem: "keep_alive_tradeoff".into(),
            caption,
        },
        draw: Box::new(move |path, f, meta| {
            charts::keep_alive_tradeoff(path, f, meta, &data, &baseline, "", over_apps)
        }),
    }]
}

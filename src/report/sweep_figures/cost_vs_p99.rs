//! Cost against p99 latency per point, with the Pareto front: every sweep has it.

use super::{label_key, point_label, SweepFigure};
use crate::report::charts::{self, TradeoffPoint};
use crate::report::sweep_html::SweepChart;
use crate::sweep::{Metric, SweepSummary};

/// The one chart, for every sweep.
pub(super) fn figures(summary: &SweepSummary) -> Vec<SweepFigure<'_>> {
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
    let key = label_key(summary);
    vec![SweepFigure {
        chart: SweepChart {
            stem: "sweep_cost_vs_p99".into(),
            caption: "Cost against p99 latency; the Pareto front joins the points no other point beats on both".into(),
        },
        draw: Box::new(move |path, f, meta| {
            charts::sweep_tradeoff(path, f, meta, &tradeoff, &cost_desc, &key)
        }),
    }]
}

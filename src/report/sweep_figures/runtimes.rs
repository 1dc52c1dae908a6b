//! Init duration and end-to-end latency per point, as box plots: drawn when the sweep varies a
//! runtime.

use super::SweepFigure;
use crate::report::charts::{self, BoxQuantiles, RuntimeRow};
use crate::report::sweep_html::SweepChart;
use crate::sweep::{Quantiles, SweepSummary};

/// The chart when the sweep varies a runtime.
pub(super) fn figures(summary: &SweepSummary) -> Vec<SweepFigure<'_>> {
    if !summary.runtime_swept {
        return Vec::new();
    }
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
    vec![SweepFigure {
        chart: SweepChart {
            stem: "sweep_runtimes".into(),
            caption: format!(
                "Init duration and end-to-end latency per point (quantiles averaged over {} replication{})",
                summary.replications,
                if summary.replications == 1 { "" } else { "s" }
            ),
        },
        draw: Box::new(move |path, f, meta| charts::sweep_runtimes(path, f, meta, &rows)),
    }]
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

//! Choosing a memory size: cost per million successful requests and p99 latency against
//! memory, drawn when the sweep varies a function's `memory_mb` (the picks and the numbers
//! are those of `report::sweep_memory_sizing`, which also writes its section of `report.html`).

use super::SweepFigure;
use crate::platform::cpu::MB_PER_VCPU;
use crate::report::charts::{self, MemorySizing, SizingLine, SizingPoint};
use crate::report::sweep_html::SweepChart;
use crate::report::sweep_memory_sizing::{sizing, FASTEST_WITHIN, MAX_FAILED_PCT};

/// Chart file stem.
const STEM: &str = "sweep_memory_sizing";
use crate::sweep::SweepSummary;

/// The chart when the sweep varies a `memory_mb`.
pub(super) fn figures(summary: &SweepSummary) -> Vec<SweepFigure<'_>> {
    let Some(s) = sizing(summary) else {
        return Vec::new();
    };
    let chart = MemorySizing {
        title: "Choosing a memory size: cost and p99 latency by memory".into(),
        x_desc: s.path.clone(),
        lines: s
            .lines
            .iter()
            .map(|l| SizingLine {
                label: l.label.clone(),
                points: l
                    .sizes
                    .iter()
                    .enumerate()
                    .map(|(i, z)| SizingPoint {
                        memory_mb: z.memory_mb,
                        cost_per_million: z.cost_per_million,
                        p99_ms: z.p99_ms.mean,
                        p99_ci: z.p99_ms.ci,
                        cheapest: l.cheapest == Some(i),
                        fastest: l.fastest == Some(i),
                    })
                    .collect(),
            })
            .collect(),
        one_vcpu_mb: f64::from(MB_PER_VCPU),
    };
    vec![SweepFigure {
        chart: SweepChart {
            stem: STEM.into(),
            caption: format!(
                "Cost per million successful requests and p99 latency against {}; the cheapest and the fastest size of each line ringed (sizes failing more than {MAX_FAILED_PCT}% of requests are not candidates; the fastest is the smallest within {}% of the lowest p99); the dashed line is one vCPU ({MB_PER_VCPU} MB)",
                s.path,
                FASTEST_WITHIN * 100.0
            ),
        },
        draw: Box::new(move |path, f, meta| charts::memory_sizing(path, f, meta, &chart)),
    }]
}

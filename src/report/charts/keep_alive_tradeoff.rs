//! Keep-alive policies compared as in Shahrad et al. (ATC'20, Fig. 15): the 75th percentile
//! over apps (when apps are the unit, as in the paper) or over functions of their cold-start %
//! against the memory kept idle, normalized by a baseline policy's; one labelled marker per
//! policy, the Pareto front joined.

use std::path::Path;

use super::sweep_tradeoff::{Tradeoff, TradeoffText};
use super::{render, ChartError, ChartMeta, Format, TradeoffPoint};

/// Renders the keep-alive trade-off: `x` of each point is its normalized wasted memory time,
/// `y` its p75 cold-start % per app (`over_apps`) or per function; `baseline` names the
/// policy the memory is normalized by, `label_key` what the point labels are.
pub fn keep_alive_tradeoff(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &[TradeoffPoint],
    baseline: &str,
    label_key: &str,
    over_apps: bool,
) -> Result<(), ChartError> {
    let x_desc = format!("wasted memory time (idle GB-seconds) normalized to {baseline} = 1");
    let x_desc_log = format!("{x_desc} (log scale)");
    render(
        path,
        format,
        &Tradeoff {
            meta,
            data,
            cost_desc: if over_apps {
                "75th-percentile per-app cold starts (% of its requests)"
            } else {
                "75th-percentile per-function cold starts (% of its requests)"
            },
            label_key,
            text: &TradeoffText {
                title: "Keep-alive policies: cold starts against wasted memory",
                x_desc: &x_desc,
                x_desc_log: &x_desc_log,
                front: "Pareto front (no other policy has both fewer cold starts and less waste)",
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{assert_png, example_dir, meta, temp_dir};

    #[test]
    fn draws_policies() {
        let dir = temp_dir();
        let data: Vec<TradeoffPoint> = [(5, 0.62, 40.0), (10, 1.0, 30.0), (60, 3.1, 12.0)]
            .iter()
            .map(|&(m, x, y)| TradeoffPoint {
                label: format!("fixed {m}m"),
                x,
                x_ci: None,
                y,
                y_ci: None,
                pareto: true,
            })
            .chain(std::iter::once(TradeoffPoint {
                label: "hybrid".into(),
                x: 0.8,
                x_ci: None,
                y: 20.0,
                y_ci: None,
                pareto: true,
            }))
            .collect();
        let path = dir.path().join("keep_alive.png");
        keep_alive_tradeoff(&path, Format::Png, &meta(), &data, "fixed 10m", "", false)
            .expect("draws");
        assert_png(&path);
        let _ = std::fs::copy(&path, example_dir().join("keep_alive_tradeoff.png"));
    }
}

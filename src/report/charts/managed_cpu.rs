//! Lambda Managed Instances: the capacity providers' CPU utilization per scaler period
//! against the target the scaler tracks.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_line, draw_note, render, time_panel, ChartError, ChartMeta, DrawResult,
    Figure, Format, Framed, LegendEntry, Swatch, TimeFrame, ValueAxis, BUSY, COLD, WHOLE,
};

/// What the CPU chart draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagedCpu {
    /// CPU work ÷ vCPUs of ready instances per scaler period: (time s, 0–1).
    pub utilization: Vec<(f64, f64)>,
    /// The target average CPU utilization, 0–1.
    pub target: f64,
}

/// Renders CPU utilization over time against the target to `path`.
pub fn managed_cpu(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &ManagedCpu,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

impl Figure for Framed<'_, ManagedCpu> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let d = self.data;
        let legend = [
            LegendEntry::new("CPU utilization of the instances", BUSY, Swatch::Line),
            LegendEntry::new("target", COLD, Swatch::Line),
        ];
        let body = draw_header(
            root,
            "Managed Instances: CPU utilization against the scaler's target",
            self.meta,
            &legend,
        )?;
        let percent: Vec<(f64, f64)> = (d.utilization.iter())
            .map(|&(t, u)| (t, u * 100.0))
            .collect();
        let time = TimeFrame::spanning([&percent[..]]);
        let points = time.scaled(&percent);
        let y = ValueAxis::new(100.0, 6, 1.0, "CPU utilization (%)");
        let mut chart = time_panel(&body, &time, y, WHOLE)?;
        if d.target.is_finite() {
            let y = d.target * 100.0;
            draw_line(&mut chart, &[(time.x0, y), (time.x1, y)], COLD, 3)?;
        }
        draw_line(&mut chart, &points, BUSY, 2)?;
        if points.is_empty() {
            draw_note(
                chart.plotting_area(),
                "no scaler period in the counted time",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    #[test]
    fn renders_png_and_svg() {
        let data = ManagedCpu {
            utilization: (0..600)
                .map(|i| (i as f64 * 60.0, 0.45 + 0.05 * (i as f64 / 30.0).sin()))
                .collect(),
            target: 0.5,
        };
        assert_renders("managed_cpu", |path, format| {
            managed_cpu(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases = [
            ManagedCpu::default(),
            ManagedCpu {
                utilization: vec![(f64::NAN, 0.2), (3.0, 7.0)],
                target: f64::NAN,
            },
        ];
        assert_each_renders("cpu", &cases, |path, format, data| {
            managed_cpu(path, format, &meta(), data)
        });
    }
}

//! Lambda Managed Instances: the capacity providers' CPU utilization per scaler period
//! against the target the scaler tracks.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_title_style, draw_header, draw_line, draw_note, linear_axis, linear_ticks, mesh_styles,
    render, tick_labeller, tick_style, time_axis, ChartError, ChartMeta, DrawResult, Figure,
    Format, LegendEntry, Swatch, BUSY, COLD,
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
    render(path, format, &CpuChart { meta, data })
}

struct CpuChart<'a> {
    meta: &'a ChartMeta,
    data: &'a ManagedCpu,
}

impl Figure for CpuChart<'_> {
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
        let points: Vec<(f64, f64)> = (d.utilization.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(t, u)| (t, u * 100.0))
            .collect();
        let t0 = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let t1 = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let (t0, t1) = if t0.is_finite() && t1 > t0 {
            (t0, t1)
        } else {
            (0.0, 60.0)
        };
        let axis = time_axis(t0, t1, 13);
        let unit = axis.unit;
        let points: Vec<(f64, f64)> = points.iter().map(|&(t, u)| (t / unit.seconds, u)).collect();
        let (x0, x1) = (t0 / unit.seconds, t1 / unit.seconds);
        let y_ticks = linear_ticks(0.0, 100.0, 6, 1.0);
        let y_label = tick_labeller(&y_ticks);
        let (mesh_bold, mesh_light) = mesh_styles();
        let mut chart = ChartBuilder::on(&body)
            .margin_left(20)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(10)
            .x_label_area_size(80)
            .y_label_area_size(120)
            .build_cartesian_2d(
                linear_axis(x0, x1, axis.ticks.clone()),
                linear_axis(0.0, 100.0, y_ticks),
            )?;
        chart
            .configure_mesh()
            .bold_line_style(mesh_bold)
            .light_line_style(mesh_light)
            .label_style(tick_style())
            .axis_desc_style(axis_title_style())
            .x_desc(format!("time ({})", unit.name))
            .y_desc("CPU utilization (%)")
            .x_label_formatter(&|v| axis.label(*v))
            .y_label_formatter(&y_label)
            .draw()?;
        if d.target.is_finite() {
            let y = d.target * 100.0;
            draw_line(&mut chart, &[(x0, y), (x1, y)], COLD, 3)?;
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
        let dir = temp_dir();
        for (i, data) in [
            ManagedCpu::default(),
            ManagedCpu {
                utilization: vec![(f64::NAN, 0.2), (3.0, 7.0)],
                target: f64::NAN,
            },
        ]
        .iter()
        .enumerate()
        {
            let p = dir.path().join(format!("cpu-{i}.png"));
            managed_cpu(&p, Format::Png, &meta(), data).expect("render");
        }
    }
}

//! Lambda Managed Instances over time: requests per second (top panel) against the capacity
//! providers' instances and their functions' environments (bottom panel).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_title_style, draw_header, draw_line, draw_note, linear_axis, linear_ticks, mesh_styles,
    padded_top, render, tick_labeller, tick_style, time_axis, ChartError, ChartMeta, DrawResult,
    Figure, Format, LegendEntry, Swatch, ALL, BUSY, PROVISIONED,
};

/// What the capacity chart draws, precomputed by the report from the run's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagedCapacity {
    /// Requests per second of the managed functions: (time s, rate), one point per interval.
    pub rate: Vec<(f64, f64)>,
    /// Instances billed at the end of each scaler period: (time s, count).
    pub instances: Vec<(f64, f64)>,
    /// Environments at the end of each scaler period: (time s, count).
    pub environments: Vec<(f64, f64)>,
}

/// Renders requests per second against instances and environments over time to `path`.
pub fn managed_capacity(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &ManagedCapacity,
) -> Result<(), ChartError> {
    render(path, format, &CapacityChart { meta, data })
}

struct CapacityChart<'a> {
    meta: &'a ChartMeta,
    data: &'a ManagedCapacity,
}

const Y_LABEL_AREA: u32 = 120;
const MAX_TIME_TICKS: usize = 13;

fn finite(points: &[(f64, f64)]) -> impl Iterator<Item = &(f64, f64)> {
    points.iter().filter(|p| p.0.is_finite() && p.1.is_finite())
}

impl Figure for CapacityChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let d = self.data;
        let legend = [
            LegendEntry::new("requests per second", ALL, Swatch::Line),
            LegendEntry::new("instances", PROVISIONED, Swatch::Line),
            LegendEntry::new("environments", BUSY, Swatch::Line),
        ];
        let body = draw_header(
            root,
            "Managed Instances: instances and environments against traffic",
            self.meta,
            &legend,
        )?;
        let all = || {
            finite(&d.rate)
                .chain(finite(&d.instances))
                .chain(finite(&d.environments))
        };
        let t0 = all().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let t1 = all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let (t0, t1) = if t0.is_finite() && t1 > t0 {
            (t0, t1)
        } else {
            (0.0, 60.0)
        };
        let axis = time_axis(t0, t1, MAX_TIME_TICKS);
        let unit = axis.unit;
        let (x0, x1) = (t0 / unit.seconds, t1 / unit.seconds);
        let scaled = |v: &[(f64, f64)]| -> Vec<(f64, f64)> {
            finite(v).map(|&(t, y)| (t / unit.seconds, y)).collect()
        };
        let (rate, instances, envs) = (
            scaled(&d.rate),
            scaled(&d.instances),
            scaled(&d.environments),
        );
        let max_of = |s: &[(f64, f64)]| s.iter().map(|p| p.1).fold(0.0, f64::max);
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 45 / 100);
        let (mesh_bold, mesh_light) = mesh_styles();

        let top_y = padded_top(max_of(&rate), 0.08, 1.0);
        let top_ticks = linear_ticks(0.0, top_y, 6, 0.001);
        let top_label = tick_labeller(&top_ticks);
        let mut upper = ChartBuilder::on(&top)
            .margin_left(20)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(8)
            .x_label_area_size(0)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(
                linear_axis(x0, x1, axis.ticks.clone()),
                linear_axis(0.0, top_y, top_ticks),
            )?;
        upper
            .configure_mesh()
            .bold_line_style(mesh_bold)
            .light_line_style(mesh_light)
            .label_style(tick_style())
            .axis_desc_style(axis_title_style())
            .y_desc("requests per second")
            .y_label_formatter(&top_label)
            .draw()?;
        draw_line(&mut upper, &rate, ALL, 2)?;
        if rate.is_empty() {
            draw_note(upper.plotting_area(), "no requests")?;
        }

        let bottom_y = padded_top(max_of(&instances).max(max_of(&envs)), 0.12, 4.0);
        let bottom_ticks = linear_ticks(0.0, bottom_y, 6, 1.0);
        let bottom_label = tick_labeller(&bottom_ticks);
        let mut lower = ChartBuilder::on(&bottom)
            .margin_left(20)
            .margin_right(60)
            .margin_top(8)
            .margin_bottom(10)
            .x_label_area_size(80)
            .y_label_area_size(Y_LABEL_AREA)
            .build_cartesian_2d(
                linear_axis(x0, x1, axis.ticks.clone()),
                linear_axis(0.0, bottom_y, bottom_ticks),
            )?;
        lower
            .configure_mesh()
            .bold_line_style(mesh_bold)
            .light_line_style(mesh_light)
            .label_style(tick_style())
            .axis_desc_style(axis_title_style())
            .x_desc(format!("time ({})", unit.name))
            .y_desc("count")
            .x_label_formatter(&|v| axis.label(*v))
            .y_label_formatter(&bottom_label)
            .draw()?;
        // Instances wide underneath, environments narrow on top: both stay visible when the
        // counts are equal (3 and 3 at publication).
        draw_line(&mut lower, &instances, PROVISIONED, 7)?;
        draw_line(&mut lower, &envs, BUSY, 3)?;
        if instances.is_empty() {
            draw_note(
                lower.plotting_area(),
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

    fn example() -> ManagedCapacity {
        let rate: Vec<(f64, f64)> = (0..1440)
            .map(|i| {
                let h = i as f64 / 60.0;
                (
                    i as f64 * 60.0 + 30.0,
                    300.0 - 100.0 * (std::f64::consts::PI * h / 12.0).cos(),
                )
            })
            .collect();
        let envs: Vec<(f64, f64)> = rate
            .iter()
            .map(|&(t, r)| (t + 30.0, (r / 50.0).ceil()))
            .collect();
        let instances = envs
            .iter()
            .map(|&(t, e)| (t, (e / 2.0).ceil().max(3.0)))
            .collect();
        ManagedCapacity {
            rate,
            instances,
            environments: envs,
        }
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("managed_capacity", |path, format| {
            managed_capacity(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let dir = temp_dir();
        let cases = [
            ManagedCapacity::default(),
            ManagedCapacity {
                rate: vec![(f64::NAN, 1.0), (10.0, f64::INFINITY)],
                instances: vec![(5.0, 3.0)],
                environments: vec![],
            },
        ];
        for (i, data) in cases.iter().enumerate() {
            for format in [Format::Png, Format::Svg] {
                let p = dir.path().join(format!("mc-{i}.{}", format.extension()));
                managed_capacity(&p, format, &meta(), data).expect("render");
            }
        }
    }
}

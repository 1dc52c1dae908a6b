//! Lambda Managed Instances over time: requests per second (top panel) against the capacity
//! providers' instances and their functions' environments (bottom panel).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_line, draw_note, max_value, padded_top, render, time_panel, ChartError,
    ChartMeta, DrawResult, Figure, Format, Framed, Layout, LegendEntry, Swatch, TimeFrame,
    ValueAxis, ALL, BUSY, LOWER, PROVISIONED, TICK_PX, UPPER,
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
    render(path, format, &Framed { meta, data })
}

/// The lower panel, a tick label's height further from the upper one than [`LOWER`]: the
/// count axis ends at or just above a tick (4 for the 3 instances at publication), whose label
/// would otherwise touch the upper panel's "0".
const APART: Layout = Layout {
    top: LOWER.top + TICK_PX as u32,
    ..LOWER
};

impl Figure for Framed<'_, ManagedCapacity> {
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
        let time = TimeFrame::spanning([&d.rate[..], &d.instances, &d.environments]);
        let (rate, instances, envs) = (
            time.scaled(&d.rate),
            time.scaled(&d.instances),
            time.scaled(&d.environments),
        );
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 45 / 100);

        let top_y = padded_top(max_value(&rate), 0.08, 1.0);
        let y = ValueAxis::new(top_y, 6, 0.001, "requests per second");
        let mut upper = time_panel(&top, &time, y, UPPER)?;
        draw_line(&mut upper, &rate, ALL, 2)?;
        if rate.is_empty() {
            draw_note(upper.plotting_area(), "no requests")?;
        }

        let bottom_y = padded_top(max_value(&instances).max(max_value(&envs)), 0.12, 4.0);
        let y = ValueAxis::new(bottom_y, 6, 1.0, "count");
        let mut lower = time_panel(&bottom, &time, y, APART)?;
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

    /// Regression: with the 3 instances of publication the count axis ends at its tick 4,
    /// whose label sat 17 px below the traffic panel's "0" and touched it. Every two y tick
    /// labels (the only right-aligned text) are now at least a label's height apart.
    #[test]
    fn the_two_panels_tick_labels_keep_apart() {
        let three: Vec<(f64, f64)> = (1..=60).map(|i| (f64::from(i) * 60.0, 3.0)).collect();
        let data = ManagedCapacity {
            rate: (0..60)
                .map(|i| (f64::from(i) * 60.0 + 30.0, 10.0))
                .collect(),
            instances: three.clone(),
            environments: three,
        };
        let dir = temp_dir();
        let path = dir.path().join("mc.svg");
        managed_capacity(&path, Format::Svg, &meta(), &data).expect("svg");
        let svg = std::fs::read_to_string(&path).expect("read svg");
        let mut ys: Vec<i32> = (svg.split("<text ").skip(1))
            .filter(|t| t.contains("text-anchor=\"end\""))
            .filter_map(|t| t.split(" y=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        ys.sort_unstable();
        // 0, 5, 10 requests per second above; 0 to 4 below.
        assert_eq!(ys.len(), 8, "{ys:?}");
        let closest = ys.windows(2).map(|w| w[1] - w[0]).min();
        assert!(closest >= Some(TICK_PX as i32), "{ys:?}");
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases = [
            ManagedCapacity::default(),
            ManagedCapacity {
                rate: vec![(f64::NAN, 1.0), (10.0, f64::INFINITY)],
                instances: vec![(5.0, 3.0)],
                environments: vec![],
            },
        ];
        assert_each_renders("mc", &cases, |path, format, data| {
            managed_capacity(path, format, &meta(), data)
        });
    }
}

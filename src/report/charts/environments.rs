//! Execution environments over time: time-weighted mean counts per interval, stacked by state.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_note, padded_top, render, time_panel, ChartError, ChartMeta, DrawResult,
    Figure, Format, Framed, Intervals, Layout, LegendEntry, Swatch, ValueAxis, BUSY, IDLE,
    INITIALIZING, PROVISIONED, WHOLE,
};

/// Time-weighted mean environment counts per interval, precomputed by the metrics code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environments {
    /// Simulated time of the start of the first interval (s).
    pub start_s: f64,
    /// Interval length (s).
    pub interval_s: f64,
    /// Environments serving requests (on-demand or provisioned).
    pub busy: Vec<f64>,
    /// On-demand environments kept warm without work.
    pub idle: Vec<f64>,
    /// On-demand environments running their init phase.
    pub initializing: Vec<f64>,
    /// Provisioned-concurrency environments (idle ones).
    pub provisioned: Vec<f64>,
}

/// Renders the stacked environment counts of `data` to `path`.
pub fn environments(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &Environments,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

fn value(v: &[f64], i: usize) -> f64 {
    match v.get(i) {
        Some(x) if x.is_finite() && *x > 0.0 => *x,
        _ => 0.0,
    }
}

impl Figure for Framed<'_, Environments> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let d = self.data;
        // Bottom to top of the stack.
        let layers: [(&[f64], &str, RGBColor); 4] = [
            (&d.provisioned, "provisioned (idle)", PROVISIONED),
            (&d.busy, "busy", BUSY),
            (&d.initializing, "initializing", INITIALIZING),
            (&d.idle, "idle", IDLE),
        ];
        let legend: Vec<LegendEntry> = layers
            .iter()
            .map(|(_, label, color)| LegendEntry::new(*label, *color, Swatch::Fill))
            .collect();
        let body = draw_header(root, "Execution environments by state", self.meta, &legend)?;

        let intervals = Intervals::new(d.start_s, d.interval_s);
        let n = layers.iter().map(|(v, _, _)| v.len()).max().unwrap_or(0);
        let time = intervals.frame(n);

        // Cumulative tops per layer and interval.
        let mut tops: Vec<Vec<f64>> = Vec::with_capacity(layers.len());
        for (v, _, _) in &layers {
            let below = tops.last();
            let layer: Vec<f64> = (0..n)
                .map(|i| below.map_or(0.0, |b| b[i]) + value(v, i))
                .collect();
            tops.push(layer);
        }
        let max_total = tops
            .last()
            .map(|t| t.iter().copied().fold(0.0, f64::max))
            .unwrap_or(0.0);
        let y_top = padded_top(max_total, 0.08, 1.0);
        let y = ValueAxis::new(y_top, 8, 0.1, "environments (time-weighted mean)");
        let layout = Layout {
            y_labels: 110,
            ..WHOLE
        };
        let mut chart = time_panel(&body, &time, y, layout)?;

        if n == 0 {
            draw_note(chart.plotting_area(), "no environment data")?;
            return Ok(());
        }
        // Draw the tallest (cumulative) layer first so each lower layer paints over it; each
        // interval is a flat step because the values are means over the interval.
        for (k, (_, _, color)) in layers.iter().enumerate().rev() {
            let steps: Vec<(f64, f64)> = (0..n)
                .flat_map(|i| {
                    let (a, b) = (time.x(intervals.at(i)), time.x(intervals.at(i + 1)));
                    [(a, tops[k][i]), (b, tops[k][i])]
                })
                .collect();
            chart.draw_series(
                AreaSeries::new(steps, 0.0, color.filled()).border_style(color.stroke_width(1)),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    pub(crate) fn example() -> Environments {
        let mut rng = Lcg(5);
        let n = 24 * 60;
        let mut e = Environments {
            start_s: 0.0,
            interval_s: 60.0,
            ..Default::default()
        };
        for i in 0..n {
            let hour = i as f64 / 60.0;
            let phase = 2.0 * std::f64::consts::PI * (hour - 3.0) / 24.0;
            let load = 0.55 - 0.45 * phase.cos();
            let busy = (40.0 * load + 2.0 * rng.normal()).max(0.0);
            e.provisioned.push(if (8.0..20.0).contains(&hour) {
                10.0
            } else {
                5.0
            });
            e.busy.push(busy);
            e.initializing
                .push((phase.sin().max(0.0) * 3.0 * rng.next_f64()).max(0.0));
            e.idle
                .push((busy * 0.35 + 3.0 + 1.5 * rng.normal()).max(0.0));
        }
        e
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("envs", |path, format| {
            environments(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases = [
            Environments::default(),
            Environments {
                start_s: 0.0,
                interval_s: 60.0,
                busy: vec![1.5],
                ..Default::default()
            },
            Environments {
                start_s: f64::NAN,
                interval_s: 0.0,
                busy: vec![f64::NAN, f64::INFINITY, -1.0, 2.0],
                idle: vec![0.0; 4],
                initializing: vec![0.0; 2],
                provisioned: vec![f64::NEG_INFINITY],
            },
            Environments {
                start_s: 0.0,
                interval_s: 1.0,
                busy: vec![0.0; 10],
                idle: vec![0.0; 10],
                initializing: vec![0.0; 10],
                provisioned: vec![0.0; 10],
            },
        ];
        assert_each_renders("envs", &cases, |path, format, data| {
            environments(path, format, &meta(), data)
        });
    }

    #[test]
    fn example_for_review() {
        let dir = example_dir();
        environments(
            &dir.join("environments.svg"),
            Format::Svg,
            &meta(),
            &example(),
        )
        .expect("example");
        environments(
            &dir.join("environments.png"),
            Format::Png,
            &meta(),
            &example(),
        )
        .expect("example");
        environments(
            &dir.join("edge_environments_empty.png"),
            Format::Png,
            &meta(),
            &Environments::default(),
        )
        .expect("example");
        let short = Environments {
            start_s: 0.0,
            interval_s: 60.0,
            busy: vec![2.0, 3.5, 1.0, 0.5, 0.0],
            idle: vec![0.0, 0.5, 2.5, 2.5, 1.5],
            initializing: vec![1.0, 0.5, 0.0, 0.0, 0.0],
            provisioned: vec![1.0; 5],
        };
        environments(
            &dir.join("edge_environments_short.png"),
            Format::Png,
            &meta(),
            &short,
        )
        .expect("example");
    }
}

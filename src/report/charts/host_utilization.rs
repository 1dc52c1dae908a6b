//! Host utilization over time (`[cluster]`): two heatmaps, memory above and CPU below, one
//! row per host (or band of hosts) and one column per interval (or span of intervals),
//! shaded from pale (idle) to dark (full).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_note, render, time_panel, ChartError, ChartMeta, DrawResult, Figure, Format,
    Framed, Intervals, Layout, LegendEntry, Swatch, ValueAxis, WHOLE,
};

/// Host utilization per cell, precomputed by the report from the run's host series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostHeat {
    /// Simulated time of the start of the first column (s).
    pub start_s: f64,
    /// Width of one column (s).
    pub column_s: f64,
    /// Columns.
    pub columns: usize,
    /// Hosts per row (1, or more when hosts are banded).
    pub hosts_per_row: usize,
    /// Rows (hosts or bands, from host 0).
    pub rows: usize,
    /// Mean memory utilization, 0–1, `columns × rows`, column-major (`c * rows + r`).
    pub memory: Vec<f32>,
    /// Mean CPU utilization, 0–1, same layout.
    pub cpu: Vec<f32>,
    /// Hosts left out (past the ones whose series are kept).
    pub hosts_not_shown: usize,
}

/// Renders the heatmaps of `data` to `path`.
pub fn host_utilization(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &HostHeat,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

/// Pale grey-blue at 0 (visible on the white page, so an idle host differs from no host) to
/// dark blue at 1 (values outside are clamped).
fn shade(u: f32) -> RGBColor {
    let u = if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.0
    } as f64;
    let mix = |lo: f64, hi: f64| (lo + (hi - lo) * u).round() as u8;
    RGBColor(mix(232.0, 8.0), mix(238.0, 48.0), mix(245.0, 107.0))
}

impl Framed<'_, HostHeat> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        values: &[f32],
        what: &str,
    ) -> DrawResult {
        let d = self.data;
        let columns = Intervals::new(d.start_s, d.column_s);
        // A reference, so that the cells' closures copy it.
        let time = &columns.frame(d.columns);
        let hosts = (d.rows * d.hosts_per_row.max(1)).max(1) as f64;
        let y = ValueAxis::new(hosts, 6, 1.0, format!("host — {what}"));
        let layout = Layout {
            bottom: 5,
            x_labels: 60,
            y_labels: 110,
            ..WHOLE
        };
        let mut chart = time_panel(area, time, y, layout)?;
        if d.columns == 0 || d.rows == 0 {
            draw_note(chart.plotting_area(), "no host data")?;
            return Ok(());
        }
        let band = d.hosts_per_row.max(1) as f64;
        chart.draw_series((0..d.columns).flat_map(|c| {
            (0..d.rows).map(move |r| {
                let (x0, x1) = (time.x(columns.at(c)), time.x(columns.at(c + 1)));
                let u = values.get(c * d.rows + r).copied().unwrap_or(0.0);
                Rectangle::new(
                    [(x0, r as f64 * band), (x1, (r + 1) as f64 * band)],
                    shade(u).filled(),
                )
            })
        }))?;
        Ok(())
    }
}

impl Figure for Framed<'_, HostHeat> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let legend: Vec<LegendEntry> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&u| LegendEntry::new(format!("{:.0}%", u * 100.0), shade(u), Swatch::Fill))
            .collect();
        let title = if self.data.hosts_not_shown > 0 {
            format!(
                "Host utilization over time (first hosts; {} more not shown)",
                self.data.hosts_not_shown
            )
        } else {
            "Host utilization over time".to_owned()
        };
        let body = draw_header(root, &title, self.meta, &legend)?;
        let (_, h) = body.dim_in_pixel();
        let (top, bottom) = body.split_vertically(h / 2);
        self.panel(&top, &self.data.memory, "memory")?;
        self.panel(&bottom, &self.data.cpu, "CPU")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    fn example() -> HostHeat {
        let (columns, rows) = (96, 12);
        let mut h = HostHeat {
            start_s: 1800.0,
            column_s: 225.0,
            columns,
            hosts_per_row: 1,
            rows,
            ..Default::default()
        };
        for c in 0..columns {
            for r in 0..rows {
                let load = (c as f32 / columns as f32) * (1.0 - r as f32 / rows as f32);
                h.memory.push(load);
                h.cpu.push(load * 0.6);
            }
        }
        h
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("hosts", |path, format| {
            host_utilization(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases = [
            HostHeat::default(),
            HostHeat {
                columns: 2,
                rows: 1,
                column_s: f64::NAN,
                memory: vec![f32::NAN],
                cpu: vec![2.0, -1.0],
                ..Default::default()
            },
        ];
        assert_each_renders("h", &cases, |path, format, data| {
            host_utilization(path, format, &meta(), data)
        });
    }

    #[test]
    fn shades_run_from_white_to_dark() {
        assert_eq!(shade(0.0), RGBColor(232, 238, 245));
        assert_eq!(shade(1.0), RGBColor(8, 48, 107));
        assert_eq!(shade(f32::NAN), shade(0.0));
    }
}

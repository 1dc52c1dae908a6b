//! A sweep metric against a swept parameter: the mean per point with its 95% confidence
//! interval as an error bar, one line per value of the other parameters.

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_line, draw_note, line_color, linear_axis, linear_ticks, padded_top, render,
    styled_mesh, tick_labeller, ticked, ChartError, ChartMeta, DrawResult, Figure, Format, Framed,
    LegendEntry, Swatch, Ticked, ALL, TEXT, WARM,
};

/// How the swept parameter is laid out along x.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepAxis {
    /// Evenly spaced values; a point's x is the value's index.
    Categories(Vec<String>),
    /// Numbers on a linear scale: (value, label as written).
    Linear(Vec<(f64, String)>),
    /// Positive numbers on a log scale: (value, label as written).
    Log(Vec<(f64, String)>),
}

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricPoint {
    /// Position along the axis (a value, or an index for categories).
    pub x: f64,
    /// Mean over replications.
    pub mean: f64,
    /// 95% confidence interval, if there were at least two replications.
    pub ci: Option<(f64, f64)>,
}

/// One line: the points sharing the values of the other parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    /// E.g. `rate=0.05`; empty when there is a single line.
    pub label: String,
    /// Points in axis order.
    pub points: Vec<MetricPoint>,
}

/// Everything the figure shows, precomputed by the sweep summary.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    /// Figure title.
    pub title: String,
    /// Value axis title with unit.
    pub y_desc: String,
    /// Parameter axis title.
    pub x_desc: String,
    /// Parameter axis.
    pub axis: SweepAxis,
    /// The lines.
    pub series: Vec<MetricSeries>,
    /// Replications per point (the error bars' sample size).
    pub replications: u32,
}

/// Renders `chart` to `path`.
pub fn sweep_metric(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    chart: &MetricChart,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data: chart })
}

/// The parameter axis as a plotters coordinate.
enum XCoord {
    Lin(Ticked<RangedCoordf64>),
    Log(Ticked<LogCoord<f64>>),
}

/// The parameter axis and its range.
fn x_axis(axis: &SweepAxis) -> (XCoord, f64, f64) {
    match axis {
        SweepAxis::Categories(labels) => {
            let n = labels.len().max(1) as f64;
            let ticks = (0..labels.len()).map(|i| i as f64).collect();
            (
                XCoord::Lin(linear_axis(-0.5, n - 0.5, ticks)),
                -0.5,
                n - 0.5,
            )
        }
        SweepAxis::Linear(values) => {
            let lo = values.iter().map(|v| v.0).fold(f64::INFINITY, f64::min);
            let hi = values.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max);
            let pad = if hi > lo { (hi - lo) * 0.06 } else { 1.0 };
            let ticks = thin(values).into_iter().map(|v| v.0).collect();
            (
                XCoord::Lin(linear_axis(lo - pad, hi + pad, ticks)),
                lo - pad,
                hi + pad,
            )
        }
        SweepAxis::Log(values) => {
            let lo = values.iter().map(|v| v.0).fold(f64::INFINITY, f64::min);
            let hi = values.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = (lo / 1.3, hi * 1.3);
            let ticks: Vec<f64> = thin(values).into_iter().map(|v| v.0).collect();
            (
                XCoord::Log(ticked(
                    LogCoord::from((lo..hi).log_scale()),
                    ticks,
                    Vec::new(),
                )),
                lo,
                hi,
            )
        }
    }
}

/// At most 12 labelled ticks (every k-th value beyond that).
fn thin(values: &[(f64, String)]) -> Vec<(f64, String)> {
    let k = values.len().div_ceil(12).max(1);
    values.iter().step_by(k).cloned().collect()
}

fn label_of(axis: &SweepAxis, x: f64) -> String {
    let near = |values: &[(f64, String)]| {
        values
            .iter()
            .find(|(v, _)| (v - x).abs() <= 1e-9 * v.abs().max(1e-12))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    match axis {
        SweepAxis::Categories(labels) => {
            let r = x.round();
            if (r - x).abs() > 1e-6 || r < 0.0 {
                return String::new();
            }
            labels.get(r as usize).cloned().unwrap_or_default()
        }
        SweepAxis::Linear(values) | SweepAxis::Log(values) => near(values),
    }
}

impl Figure for Framed<'_, MetricChart> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let c = self.data;
        let m = c.series.len();
        let has_ci = c
            .series
            .iter()
            .any(|s| s.points.iter().any(|p| p.ci.is_some()));
        let mut legend: Vec<LegendEntry> = if m > 1 {
            c.series
                .iter()
                .enumerate()
                .map(|(i, s)| LegendEntry::new(s.label.clone(), line_color(i), Swatch::Line))
                .collect()
        } else {
            vec![LegendEntry::new(
                format!(
                    "mean of {} replication{}",
                    c.replications,
                    plural(c.replications)
                ),
                WARM,
                Swatch::Marker,
            )]
        };
        if has_ci {
            legend.push(LegendEntry::new(
                "95% confidence interval",
                ALL,
                Swatch::Whisker,
            ));
        }
        let body = draw_header(root, &c.title, self.meta, &legend)?;

        let finite = |v: f64| v.is_finite();
        let top = c
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .flat_map(|p| [Some(p.mean), p.ci.map(|ci| ci.1)])
            .flatten()
            .filter(|v| finite(*v))
            .fold(0.0, f64::max);
        let bottom = c
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .flat_map(|p| [Some(p.mean), p.ci.map(|ci| ci.0)])
            .flatten()
            .filter(|v| finite(*v))
            .fold(0.0, f64::min);
        let top = padded_top(top, 0.1, 1e-9).max(if top > 0.0 { 0.0 } else { 1.0 });
        let bottom = if bottom < 0.0 { bottom * 1.1 } else { 0.0 };
        let y_ticks = linear_ticks(bottom, top, 8, 0.0);
        let y_label = tick_labeller(&y_ticks);
        let y = linear_axis(bottom, top, y_ticks);
        let (x_coord, lo, hi) = x_axis(&c.axis);
        // Series are moved slightly sideways so error bars at equal x do not hide each other.
        let dodge = |k: usize, x: f64| -> f64 {
            if m < 2 {
                return x;
            }
            let slot = k as f64 - (m as f64 - 1.0) / 2.0;
            match c.axis {
                SweepAxis::Categories(_) => x + slot * (0.6 / m as f64).min(0.12),
                SweepAxis::Log(_) => x * (hi / lo).powf(slot * 0.006),
                SweepAxis::Linear(_) => x + slot * 0.006 * (hi - lo),
            }
        };
        // Categories have no order: no lines between them, only markers.
        let join = !matches!(c.axis, SweepAxis::Categories(_));
        let points = c.series.iter().map(|s| s.points.len()).sum::<usize>();
        let x_desc = match c.axis {
            SweepAxis::Log(_) => format!("{} (log scale)", c.x_desc),
            _ => c.x_desc.clone(),
        };

        macro_rules! plot {
            ($x:expr) => {{
                let mut chart = ChartBuilder::on(&body)
                    .margin_left(20)
                    .margin_right(50)
                    .margin_top(10)
                    .margin_bottom(10)
                    .x_label_area_size(90)
                    .y_label_area_size(120)
                    .build_cartesian_2d($x, y)?;
                styled_mesh(&mut chart)
                    .x_desc(x_desc.as_str())
                    .y_desc(c.y_desc.as_str())
                    .x_label_formatter(&|v| label_of(&c.axis, *v))
                    .y_label_formatter(&y_label)
                    .draw()?;
                if points == 0 {
                    draw_note(chart.plotting_area(), "no data")?;
                }
                for (k, s) in c.series.iter().enumerate() {
                    let col = line_color(k);
                    let pts: Vec<(f64, f64)> = s
                        .points
                        .iter()
                        .filter(|p| finite(p.mean))
                        .map(|p| (dodge(k, p.x), p.mean))
                        .collect();
                    if join && pts.len() > 1 {
                        draw_line(&mut chart, &pts, col, 3)?;
                    }
                    for p in s.points.iter().filter(|p| finite(p.mean)) {
                        let x = dodge(k, p.x);
                        if let Some((l, h)) = p.ci.filter(|(l, h)| finite(*l) && finite(*h)) {
                            let bar = col.stroke_width(2);
                            chart.draw_series(std::iter::once(PathElement::new(
                                vec![(x, l), (x, h)],
                                bar,
                            )))?;
                            for v in [l, h] {
                                chart.draw_series(std::iter::once(
                                    EmptyElement::at((x, v))
                                        + PathElement::new(vec![(-7, 0), (7, 0)], bar),
                                ))?;
                            }
                        }
                        chart.draw_series(std::iter::once(Circle::new(
                            (x, p.mean),
                            6,
                            col.filled(),
                        )))?;
                        chart.draw_series(std::iter::once(Circle::new(
                            (x, p.mean),
                            6,
                            TEXT.stroke_width(1),
                        )))?;
                    }
                }
            }};
        }
        match x_coord {
            XCoord::Log(x) => plot!(x),
            XCoord::Lin(x) => plot!(x),
        }
        Ok(())
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{assert_png, example_dir, meta, temp_dir};

    fn chart(axis: SweepAxis, lines: usize, reps: u32) -> MetricChart {
        let xs: Vec<f64> = match &axis {
            SweepAxis::Categories(l) => (0..l.len()).map(|i| i as f64).collect(),
            SweepAxis::Linear(v) | SweepAxis::Log(v) => v.iter().map(|p| p.0).collect(),
        };
        MetricChart {
            title: "Cold-start ratio by keep-alive".into(),
            y_desc: "cold starts (% of requests)".into(),
            x_desc: "platform.keep_alive.idle".into(),
            axis,
            series: (0..lines)
                .map(|k| MetricSeries {
                    label: format!("rate={}", [0.01, 0.05, 0.2][k % 3]),
                    points: xs
                        .iter()
                        .enumerate()
                        .map(|(i, &x)| {
                            let mean = 40.0 / (1.0 + i as f64) / (1.0 + k as f64);
                            MetricPoint {
                                x,
                                mean,
                                ci: (reps > 1).then_some((mean * 0.9, mean * 1.1)),
                            }
                        })
                        .collect(),
                })
                .collect(),
            replications: reps,
        }
    }

    #[test]
    fn draws_every_axis_kind() {
        let dir = temp_dir();
        let log = SweepAxis::Log(
            [
                (60.0, "1m"),
                (300.0, "5m"),
                (600.0, "10m"),
                (1800.0, "30m"),
                (3600.0, "1h"),
            ]
            .iter()
            .map(|(v, l)| (*v, l.to_string()))
            .collect(),
        );
        let cases = [
            ("log", chart(log, 3, 5)),
            (
                "linear",
                chart(
                    SweepAxis::Linear(vec![
                        (0.0, "0".into()),
                        (8.0, "8".into()),
                        (16.0, "16".into()),
                    ]),
                    1,
                    5,
                ),
            ),
            (
                "categories",
                chart(
                    SweepAxis::Categories(vec!["python3.13".into(), "java21".into()]),
                    2,
                    1,
                ),
            ),
            ("empty", chart(SweepAxis::Categories(Vec::new()), 0, 1)),
        ];
        for (name, c) in cases {
            let path = dir.path().join(format!("{name}.png"));
            sweep_metric(&path, Format::Png, &meta(), &c).expect("draws");
            assert_png(&path);
            let _ = std::fs::copy(
                &path,
                example_dir().join(format!("sweep_metric_{name}.png")),
            );
        }
    }
}

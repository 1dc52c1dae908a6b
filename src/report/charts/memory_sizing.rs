//! Choosing a memory size: cost per million successful requests (top) and p99 latency
//! (bottom) against memory, one line per value of the other swept parameters; the cheapest
//! and the fastest size of each line ringed, and one vCPU (1,769 MB) marked. The picture AWS
//! Lambda Power Tuning draws, from a sweep under traffic.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_header, draw_line, draw_note, fmt_num, line_color, linear_axis, linear_ticks, log_axis,
    padded_top, render, styled_mesh, text_style, tick_labeller, ticked, ChartError, ChartMeta,
    DrawResult, Figure, Format, Framed, LegendEntry, Swatch, ALL, MUTED, TEXT,
};

/// One memory size of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingPoint {
    /// Configured memory, MB.
    pub memory_mb: f64,
    /// Mean cost per million successful requests, US dollars; `None` when none succeeded.
    pub cost_per_million: Option<f64>,
    /// Mean p99 latency of successful requests, ms.
    pub p99_ms: f64,
    /// Its 95% confidence interval, with at least two replications.
    pub p99_ci: Option<(f64, f64)>,
    /// This size is the line's cheapest.
    pub cheapest: bool,
    /// This size is the line's fastest (lowest p99).
    pub fastest: bool,
}

/// One line: the sizes sharing the values of the other parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SizingLine {
    /// E.g. `cpu=share=0.9`; empty when there is a single line.
    pub label: String,
    /// Sizes in increasing memory.
    pub points: Vec<SizingPoint>,
}

/// Everything the figure shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySizing {
    /// Figure title.
    pub title: String,
    /// Memory axis title (the swept path).
    pub x_desc: String,
    /// The lines.
    pub lines: Vec<SizingLine>,
    /// Memory of one vCPU, MB, drawn as a dashed line (when within the axis).
    pub one_vcpu_mb: f64,
}

/// Renders `chart` to `path`.
pub fn memory_sizing(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    chart: &MemorySizing,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data: chart })
}

const Y_LABEL_AREA: u32 = 130;

impl Figure for Framed<'_, MemorySizing> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let c = self.data;
        let mut legend: Vec<LegendEntry> = c
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.label.is_empty())
            .map(|(i, l)| LegendEntry::new(l.label.clone(), line_color(i), Swatch::Line))
            .collect();
        legend.push(LegendEntry::new(
            "cheapest / fastest (ringed)",
            ALL,
            Swatch::Marker,
        ));
        let body = draw_header(root, &c.title, self.meta, &legend)?;
        let finite = |v: f64| v.is_finite();
        let xs: Vec<f64> = c
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.memory_mb))
            .filter(|&m| finite(m) && m > 0.0)
            .collect();
        if xs.is_empty() {
            let mut chart = ChartBuilder::on(&body)
                .margin(20)
                .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
            chart.configure_mesh().disable_mesh().draw()?;
            return draw_note(chart.plotting_area(), "no data");
        }
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min) / 1.25;
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.25;
        let mut ticks = xs.clone();
        ticks.sort_by(f64::total_cmp);
        ticks.dedup();
        // Labels that would overlap (closer than 0.09 decades to the last labelled) are left
        // out; their grid lines stay.
        let mut labelled: Vec<f64> = Vec::new();
        for &t in &ticks {
            if labelled.last().map_or(true, |&l| (t / l).log10() >= 0.09) {
                labelled.push(t);
            }
        }
        let label_x = |v: &f64| {
            if labelled.iter().any(|t| (t - v).abs() <= 1e-9 * t) {
                format!("{v:.0}")
            } else {
                String::new()
            }
        };
        let no_label = |_: &f64| String::new();
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 47 / 100);
        let cost = |p: &SizingPoint| p.cost_per_million.filter(|v| finite(*v) && *v > 0.0);
        let p99 = |p: &SizingPoint| Some(p.p99_ms).filter(|v| finite(*v));
        let points = || c.lines.iter().flat_map(|l| l.points.iter());
        let x_desc = format!("{} (MB, log scale)", c.x_desc);

        // One panel: `$value` of each point against memory on `$y`; `$at(f)` is the value a fraction `f` up the panel (for the dashed vCPU line).
        macro_rules! panel {
            ($area:expr, $y:expr, $at:expr, $y_desc:expr, $y_label:expr,
             $x_label:expr, $x_area:expr, $value:expr, $ci:expr, $mark:expr, $word:expr) => {{
                let x = ticked(
                    LogCoord::from((lo..hi).log_scale()),
                    ticks.clone(),
                    Vec::new(),
                );
                let mut chart = ChartBuilder::on(&$area)
                    .margin_left(20)
                    .margin_right(50)
                    .margin_top(10)
                    .margin_bottom(10)
                    .x_label_area_size($x_area)
                    .y_label_area_size(Y_LABEL_AREA)
                    .build_cartesian_2d(x, $y)?;
                let mut mesh = styled_mesh(&mut chart);
                mesh.y_desc($y_desc)
                    .x_label_formatter($x_label)
                    .y_label_formatter($y_label);
                if $x_area > 40 {
                    mesh.x_desc(x_desc.as_str());
                }
                mesh.draw()?;
                if c.one_vcpu_mb > lo && c.one_vcpu_mb < hi {
                    chart.draw_series((0..20).map(|k| {
                        PathElement::new(
                            vec![
                                (c.one_vcpu_mb, $at(k as f64 / 20.0)),
                                (c.one_vcpu_mb, $at((k as f64 + 0.6) / 20.0)),
                            ],
                            MUTED.stroke_width(2),
                        )
                    }))?;
                    chart.draw_series(std::iter::once(Text::new(
                        format!(" 1 vCPU ({:.0} MB)", c.one_vcpu_mb),
                        (c.one_vcpu_mb, $at(0.97)),
                        text_style(22.0, MUTED),
                    )))?;
                }
                for (k, l) in c.lines.iter().enumerate() {
                    let col = line_color(k);
                    let pts: Vec<(f64, f64)> = l
                        .points
                        .iter()
                        .filter_map(|p| $value(p).map(|v| (p.memory_mb, v)))
                        .collect();
                    if pts.len() > 1 {
                        draw_line(&mut chart, &pts, col, 3)?;
                    }
                    for p in &l.points {
                        let Some(v) = $value(p) else { continue };
                        let ci: Option<(f64, f64)> = $ci(p);
                        if let Some((a, b)) = ci.filter(|(a, b)| finite(*a) && finite(*b)) {
                            chart.draw_series(std::iter::once(PathElement::new(
                                vec![(p.memory_mb, a), (p.memory_mb, b)],
                                col.stroke_width(2),
                            )))?;
                        }
                        chart.draw_series(std::iter::once(Circle::new(
                            (p.memory_mb, v),
                            6,
                            col.filled(),
                        )))?;
                        if $mark(p) {
                            chart.draw_series(std::iter::once(Circle::new(
                                (p.memory_mb, v),
                                14,
                                TEXT.stroke_width(3),
                            )))?;
                            chart.draw_series(std::iter::once(Text::new(
                                $word,
                                (p.memory_mb * 1.06, v),
                                text_style(22.0, col).pos(Pos::new(HPos::Left, VPos::Bottom)),
                            )))?;
                        }
                    }
                }
            }};
        }

        // Top: cost, log scale (it spans more than a decade from 128 to 10,240 MB).
        let c_lo = points().filter_map(cost).fold(f64::INFINITY, f64::min);
        let c_hi = points().filter_map(cost).fold(0.0, f64::max);
        let (c_lo, c_hi) = if c_hi > 0.0 {
            (c_lo / 1.4, c_hi * 1.4)
        } else {
            (0.1, 1.0)
        };
        let cost_label = |v: &f64| fmt_num(*v);
        let c_at = |f: f64| c_lo * (c_hi / c_lo).powf(f);
        panel!(
            top,
            log_axis(c_lo, c_hi),
            c_at,
            "US$ per 1M successful",
            &cost_label,
            &no_label,
            20,
            cost,
            |_: &SizingPoint| None,
            |p: &SizingPoint| p.cheapest,
            "cheapest"
        );

        // Bottom: p99, linear from zero.
        let p_hi = points()
            .flat_map(|p| [p99(p), p.p99_ci.map(|ci| ci.1)])
            .flatten()
            .filter(|v| finite(*v))
            .fold(0.0, f64::max);
        let p_hi = padded_top(p_hi, 0.12, 1e-9).max(if p_hi > 0.0 { 0.0 } else { 1.0 });
        let y_ticks = linear_ticks(0.0, p_hi, 6, 0.0);
        let y_label = tick_labeller(&y_ticks);
        let p_at = |f: f64| p_hi * f;
        panel!(
            bottom,
            linear_axis(0.0, p_hi, y_ticks),
            p_at,
            "p99 of successful (ms)",
            &y_label,
            &label_x,
            90,
            p99,
            |p: &SizingPoint| p.p99_ci,
            |p: &SizingPoint| p.fastest,
            "fastest"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{assert_png, example_dir, meta, temp_dir};

    #[test]
    fn draws_two_lines_and_an_empty_chart() {
        let sizes = [128.0, 256.0, 512.0, 1024.0, 1769.0, 3008.0, 10240.0];
        let line = |label: &str, k: f64| SizingLine {
            label: label.into(),
            points: sizes
                .iter()
                .enumerate()
                .map(|(i, &m)| SizingPoint {
                    memory_mb: m,
                    cost_per_million: (i > 0).then_some(2.0 + k * (i as f64 - 2.0).powi(2)),
                    p99_ms: 3000.0 * k / (m / 128.0).min(13.8),
                    p99_ci: Some((0.0, 10.0)),
                    cheapest: i == 2,
                    fastest: i == 5,
                })
                .collect(),
        };
        let dir = temp_dir();
        let c = MemorySizing {
            title: "Choosing a memory size".into(),
            x_desc: "functions.handler.memory_mb".into(),
            lines: vec![line("cpu-heavy", 1.0), line("io-heavy", 0.2)],
            one_vcpu_mb: 1769.0,
        };
        let path = dir.path().join("sizing.png");
        memory_sizing(&path, Format::Png, &meta(), &c).expect("draws");
        assert_png(&path);
        let _ = std::fs::copy(&path, example_dir().join("memory_sizing.png"));
        let empty = MemorySizing {
            lines: Vec::new(),
            ..c
        };
        let path = dir.path().join("empty.svg");
        memory_sizing(&path, Format::Svg, &meta(), &empty).expect("draws");
    }
}

//! Cost against p99 latency, one labelled marker per sweep point, with the Pareto front (the
//! points no other point beats on both) joined and highlighted.

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_header, draw_note, linear_axis, linear_ticks, log_axis, render, styled_mesh, text_style,
    tick_labeller, ChartError, ChartMeta, DrawResult, Figure, Format, LegendEntry, Swatch, Ticked,
    ALL, ANNOTATION_PX, COLD, MUTED, NEUTRAL, TEXT,
};

/// One sweep point, precomputed by the sweep summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffPoint {
    /// E.g. `pc=8`.
    pub label: String,
    /// Mean p99 latency, ms (the x axis; another figure may put another metric there).
    pub x: f64,
    /// Its 95% confidence interval.
    pub x_ci: Option<(f64, f64)>,
    /// Mean total cost, US dollars (the y axis).
    pub y: f64,
    /// Its 95% confidence interval.
    pub y_ci: Option<(f64, f64)>,
    /// On the Pareto front.
    pub pareto: bool,
}

/// Renders the trade-off of `data` to `path`; `cost_desc` titles the cost axis and
/// `label_key` says what the point labels are (e.g. "labels: idle · reuse"), in the plot's
/// upper right corner.
pub fn sweep_tradeoff(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &[TradeoffPoint],
    cost_desc: &str,
    label_key: &str,
) -> Result<(), ChartError> {
    render(
        path,
        format,
        &Tradeoff {
            meta,
            data,
            cost_desc,
            label_key,
            text: &TradeoffText {
                title: "Cost against p99 latency by sweep point",
                x_desc: "p99 latency (ms)",
                x_desc_log: "p99 latency (ms, log scale)",
                front: "Pareto front (no other point is both cheaper and faster)",
            },
        },
    )
}

/// The words of a trade-off figure.
pub(crate) struct TradeoffText<'a> {
    pub(crate) title: &'a str,
    pub(crate) x_desc: &'a str,
    pub(crate) x_desc_log: &'a str,
    pub(crate) front: &'a str,
}

/// A trade-off of two metrics to minimise: labelled markers, the Pareto front joined.
pub(crate) struct Tradeoff<'a> {
    pub(crate) meta: &'a ChartMeta,
    pub(crate) data: &'a [TradeoffPoint],
    /// Title of the y axis.
    pub(crate) cost_desc: &'a str,
    pub(crate) label_key: &'a str,
    pub(crate) text: &'a TradeoffText<'a>,
}

enum XCoord {
    Lin(Ticked<RangedCoordf64>),
    Log(Ticked<LogCoord<f64>>),
}

/// A value range with some air; from zero when zero is near.
fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    if hi <= lo {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.2 };
        return Some(((lo - pad).max(0.0), hi + pad));
    }
    let pad = (hi - lo) * 0.12;
    let lo = if lo >= 0.0 && lo < (hi - lo) * 0.6 {
        0.0
    } else {
        lo - pad
    };
    Some((lo, hi + pad))
}

impl Figure for Tradeoff<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let has_ci = self
            .data
            .iter()
            .any(|p| p.x_ci.is_some() || p.y_ci.is_some());
        let mut legend = vec![
            LegendEntry::new(self.text.front, COLD, Swatch::Line),
            LegendEntry::new("dominated point", NEUTRAL, Swatch::Marker),
        ];
        if has_ci {
            legend.push(LegendEntry::new(
                "95% confidence interval",
                ALL,
                Swatch::Whisker,
            ));
        }
        let body = draw_header(root, self.text.title, self.meta, &legend)?;
        let ok = |p: &&TradeoffPoint| p.x.is_finite() && p.y.is_finite();
        let points: Vec<&TradeoffPoint> = self.data.iter().filter(ok).collect();
        let xs = || {
            points
                .iter()
                .flat_map(|p| [Some(p.x), p.x_ci.map(|c| c.0), p.x_ci.map(|c| c.1)])
                .flatten()
        };
        let ys = points
            .iter()
            .flat_map(|p| [Some(p.y), p.y_ci.map(|c| c.0), p.y_ci.map(|c| c.1)])
            .flatten();
        let (ylo, yhi) = range(ys).unwrap_or((0.0, 1.0));
        let xmin = xs().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
        let xmax = xs().fold(0.0, f64::max);
        // A log axis labels its 1-2-5 ticks with `fmt_num` (no ticks given to the labeller).
        let (x, x_label) = if xmin.is_finite() && xmax / xmin > 10.0 {
            (
                XCoord::Log(log_axis(xmin / 1.4, xmax * 1.4)),
                tick_labeller(&[]),
            )
        } else {
            let (lo, hi) = range(xs()).unwrap_or((0.0, 1.0));
            let ticks = linear_ticks(lo, hi, 9, 0.0);
            let label = tick_labeller(&ticks);
            (XCoord::Lin(linear_axis(lo, hi, ticks)), label)
        };
        let y_ticks = linear_ticks(ylo, yhi, 8, 0.0);
        let y_label = tick_labeller(&y_ticks);
        let y = linear_axis(ylo, yhi, y_ticks);
        let x_desc = match x {
            XCoord::Log(_) => self.text.x_desc_log,
            XCoord::Lin(_) => self.text.x_desc,
        };

        macro_rules! plot {
            ($x:expr) => {{
                let mut chart = ChartBuilder::on(&body)
                    .margin_left(20)
                    .margin_right(60)
                    .margin_top(10)
                    .margin_bottom(10)
                    .x_label_area_size(90)
                    .y_label_area_size(130)
                    .build_cartesian_2d($x, y)?;
                styled_mesh(&mut chart)
                    .x_desc(x_desc)
                    .y_desc(self.cost_desc)
                    .x_label_formatter(&x_label)
                    .y_label_formatter(&y_label)
                    .draw()?;
                if points.is_empty() {
                    draw_note(chart.plotting_area(), "no data")?;
                    return Ok(());
                }
                let bar = ALL.mix(0.35).stroke_width(1);
                for p in &points {
                    if let Some((l, h)) = p.x_ci {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(l, p.y), (h, p.y)],
                            bar,
                        )))?;
                    }
                    if let Some((l, h)) = p.y_ci {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(p.x, l), (p.x, h)],
                            bar,
                        )))?;
                    }
                }
                let mut front: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| p.pareto)
                    .map(|p| (p.x, p.y))
                    .collect();
                front.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
                chart.draw_series(
                    front
                        .windows(2)
                        .map(|w| PathElement::new(vec![w[0], w[1]], COLD.stroke_width(3))),
                )?;
                for p in &points {
                    let (fill, r) = if p.pareto { (COLD, 9) } else { (NEUTRAL, 7) };
                    chart.draw_series(std::iter::once(Circle::new(
                        (p.x, p.y),
                        r,
                        fill.filled(),
                    )))?;
                }
                // Labels: the first place, going round the marker at growing distances, that
                // overlaps no marker and no label already placed and stays inside the plot;
                // labels away from their marker get a leader line. Front points go first.
                let (xr, yr) = chart.plotting_area().get_pixel_range();
                let style = text_style(ANNOTATION_PX, TEXT);
                let marks: Vec<(i32, i32)> = points
                    .iter()
                    .map(|p| chart.backend_coord(&(p.x, p.y)))
                    .collect();
                let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
                if !self.label_key.is_empty() {
                    let (w, h) = body.estimate_text_size(self.label_key, &style)?;
                    let (w, h) = (w as i32, h as i32);
                    let corner = (xr.end - 12 - w, yr.start + 10);
                    placed.push((corner.0, corner.1, corner.0 + w, corner.1 + h));
                    chart.plotting_area().strip_coord_spec().draw(&Text::new(
                        self.label_key.to_string(),
                        (corner.0 - xr.start, corner.1 - yr.start),
                        text_style(ANNOTATION_PX, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
                    ))?;
                }
                let overlaps = |r: (i32, i32, i32, i32), o: &(i32, i32, i32, i32)| {
                    r.0 < o.2 && o.0 < r.2 && r.1 < o.3 && o.1 < r.3
                };
                let mut order: Vec<usize> = (0..points.len()).collect();
                order.sort_by_key(|&i| !points[i].pareto);
                for i in order {
                    let p = points[i];
                    let (mx, my) = marks[i];
                    let (w, h) = body.estimate_text_size(&p.label, &style)?;
                    let (w, h) = (w as i32, h as i32);
                    let rect = |(dx, dy): (i32, i32)| (mx + dx, my + dy, mx + dx + w, my + dy + h);
                    let fits = |r: (i32, i32, i32, i32), placed: &[(i32, i32, i32, i32)]| {
                        r.0 >= xr.start
                            && r.2 <= xr.end
                            && r.1 >= yr.start
                            && r.3 <= yr.end
                            && !placed.iter().any(|o| overlaps(r, o))
                            && !marks
                                .iter()
                                .any(|&(x, y)| overlaps(r, &(x - 10, y - 10, x + 10, y + 10)))
                    };
                    // Offsets of the label's top-left corner for a label centred on the
                    // direction `angle` at `radius` px from the marker.
                    let offset = |radius: f64, angle: f64| -> (i32, i32) {
                        let (cx, cy) = (radius * angle.cos(), -radius * angle.sin());
                        let dx = cx + (angle.cos() - 1.0) * f64::from(w) / 2.0;
                        let dy = cy - (angle.sin() + 1.0) * f64::from(h) / 2.0;
                        (dx.round() as i32, dy.round() as i32)
                    };
                    let mut chosen = None;
                    'search: for radius in [14.0, 30.0, 55.0, 85.0, 120.0] {
                        for k in 0..16 {
                            // Right first, then alternately above and below, left last.
                            let turn = [0, 1, 15, 2, 14, 3, 13, 4, 12, 5, 11, 6, 10, 7, 9, 8][k];
                            let angle = f64::from(turn) * std::f64::consts::PI / 8.0;
                            let off = offset(radius, angle);
                            if fits(rect(off), &placed) {
                                chosen = Some((off, radius, angle));
                                break 'search;
                            }
                        }
                    }
                    let (off, radius, angle) = chosen.unwrap_or((offset(14.0, 0.0), 14.0, 0.0));
                    placed.push(rect(off));
                    let color = if p.pareto { TEXT } else { MUTED };
                    if radius > 20.0 {
                        let tip = (
                            ((radius - 6.0) * angle.cos()).round() as i32,
                            (-(radius - 6.0) * angle.sin()).round() as i32,
                        );
                        let start = (
                            (10.0 * angle.cos()).round() as i32,
                            (-10.0 * angle.sin()).round() as i32,
                        );
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((p.x, p.y))
                                + PathElement::new(
                                    vec![start, tip],
                                    color.mix(0.6).stroke_width(1),
                                ),
                        ))?;
                    }
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((p.x, p.y))
                            + Text::new(
                                p.label.clone(),
                                off,
                                text_style(ANNOTATION_PX, color)
                                    .pos(Pos::new(HPos::Left, VPos::Top)),
                            ),
                    ))?;
                }
            }};
        }
        match x {
            XCoord::Log(x) => plot!(x),
            XCoord::Lin(x) => plot!(x),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{assert_png, example_dir, meta, temp_dir};

    #[test]
    fn draws_a_front_with_labels() {
        let dir = temp_dir();
        let data: Vec<TradeoffPoint> = [0, 2, 4, 8, 12, 16, 24]
            .iter()
            .map(|&pc| {
                let p99 = 3000.0 / (1.0 + pc as f64 * 0.8) + 400.0;
                let cost = 20.0 + pc as f64 * 3.1;
                TradeoffPoint {
                    label: pc.to_string(),
                    x: p99,
                    x_ci: Some((p99 * 0.93, p99 * 1.07)),
                    y: cost,
                    y_ci: Some((cost - 0.4, cost + 0.4)),
                    pareto: pc != 12,
                }
            })
            .collect();
        for (name, d) in [("front", &data[..]), ("empty", &[][..])] {
            let path = dir.path().join(format!("{name}.png"));
            sweep_tradeoff(
                &path,
                Format::Png,
                &meta(),
                d,
                "total cost (US$)",
                "labels: pc",
            )
            .expect("draws");
            assert_png(&path);
            let _ = std::fs::copy(
                &path,
                example_dir().join(format!("sweep_tradeoff_{name}.png")),
            );
        }
    }
}

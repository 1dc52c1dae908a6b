//! Runtime comparison of a sweep over `runtime`: per point, box plots of init duration and of
//! end-to-end latency side by side (box p25–p75, whiskers p5–p95, quantiles averaged over the
//! replications by the sweep summary).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bold_style, draw_header, draw_note, fmt_num, linear_axis, linear_ticks, log_axis,
    max_text_width, render, styled_mesh, text_style, ChartError, ChartMeta, DrawResult, Figure,
    Format, Framed, LegendEntry, Swatch, COLD, MUTED, PANEL_TITLE_PX, TEXT, TICK_PX, WARM,
};

/// Five quantiles in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BoxQuantiles {
    /// 5th percentile, ms.
    pub p5: f64,
    /// 25th percentile, ms.
    pub p25: f64,
    /// Median, ms.
    pub p50: f64,
    /// 75th percentile, ms.
    pub p75: f64,
    /// 95th percentile, ms.
    pub p95: f64,
}

/// One row: a sweep point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuntimeRow {
    /// E.g. `python3.13 · arm64`.
    pub label: String,
    /// Init duration quantiles; `None` without cold starts.
    pub init: Option<BoxQuantiles>,
    /// End-to-end latency quantiles; `None` without requests.
    pub latency: Option<BoxQuantiles>,
}

/// Renders one row per entry of `rows` (top to bottom) to `path`.
pub fn sweep_runtimes(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    rows: &[RuntimeRow],
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data: rows })
}

/// Ratio of largest to smallest value above which an axis becomes logarithmic.
const LOG_RATIO: f64 = 20.0;

fn clean(q: &BoxQuantiles) -> Option<BoxQuantiles> {
    let ok = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
    let p50 = ok(q.p50)?;
    let p25 = ok(q.p25).unwrap_or(p50).min(p50);
    let p75 = ok(q.p75).unwrap_or(p50).max(p50);
    Some(BoxQuantiles {
        p5: ok(q.p5).unwrap_or(p25).min(p25),
        p25,
        p50,
        p75,
        p95: ok(q.p95).unwrap_or(p75).max(p75),
    })
}

impl Figure for Framed<'_, [RuntimeRow]> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let legend = [
            LegendEntry::new("p25–p75", TEXT, Swatch::Box),
            LegendEntry::new("median", TEXT, Swatch::Line),
            LegendEntry::new("p5–p95", TEXT, Swatch::Whisker),
        ];
        let body = draw_header(
            root,
            "Init duration and end-to-end latency by runtime",
            self.meta,
            &legend,
        )?;
        let n = self.data.len();
        let (w, h) = body.dim_in_pixel();
        let row_px = (f64::from(h) - 160.0) / n.max(1) as f64;
        let label_px = TICK_PX.min(row_px * 0.6).max(8.0);
        let label_style = text_style(label_px, TEXT);
        let label_w = max_text_width(
            &body,
            self.data.iter().map(|r| r.label.clone()),
            &label_style,
        )?;
        // Row labels once, left of the first panel; the second panel gets the rest.
        let y_area = (label_w + 24).clamp(80, w * 2 / 5);
        let (left, right) = body.split_horizontally(y_area + (w - y_area) / 2);
        let init: Vec<Option<BoxQuantiles>> = self
            .data
            .iter()
            .map(|r| r.init.as_ref().and_then(clean))
            .collect();
        let latency: Vec<Option<BoxQuantiles>> = self
            .data
            .iter()
            .map(|r| r.latency.as_ref().and_then(clean))
            .collect();
        let labels: Vec<String> = self.data.iter().map(|r| r.label.clone()).collect();
        panel(
            &left,
            "Init duration (cold starts)",
            "init (ms",
            COLD,
            &init,
            Some(&labels),
            y_area,
            &label_style,
            "no cold starts",
        )?;
        panel(
            &right,
            "End-to-end latency (all requests)",
            "latency (ms",
            WARM,
            &latency,
            None,
            10,
            &label_style,
            "no requests",
        )?;
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    x_desc: &str,
    color: RGBColor,
    boxes: &[Option<BoxQuantiles>],
    labels: Option<&[String]>,
    y_area: u32,
    label_style: &TextStyle,
    missing: &str,
) -> DrawResult {
    let n = boxes.len();
    let lo = boxes
        .iter()
        .flatten()
        .map(|q| q.p5)
        .fold(f64::INFINITY, f64::min);
    let hi = boxes.iter().flatten().map(|q| q.p95).fold(0.0, f64::max);
    let has_data = lo.is_finite() && hi > 0.0;
    let log = has_data && hi / lo > LOG_RATIO;
    let y_range = linear_axis(
        -0.5,
        n.max(1) as f64 - 0.5,
        (0..n).map(|i| i as f64).collect(),
    );
    let row_label = |v: &f64| -> String {
        let r = v.round();
        match labels {
            Some(l) if (r - v).abs() < 1e-6 && r >= 0.0 && (r as usize) < n => {
                l[n - 1 - r as usize].clone()
            }
            _ => String::new(),
        }
    };
    let desc = if log {
        format!("{x_desc}, log scale)")
    } else {
        format!("{x_desc})")
    };
    macro_rules! plot {
        ($x:expr, $xlo:expr) => {{
            let mut chart = ChartBuilder::on(area)
                .caption(caption, bold_style(PANEL_TITLE_PX, TEXT))
                .margin_left(10)
                .margin_right(40)
                .margin_top(6)
                .margin_bottom(10)
                .x_label_area_size(80)
                .y_label_area_size(y_area)
                .build_cartesian_2d($x, y_range)?;
            styled_mesh(&mut chart)
                .disable_y_mesh()
                .y_label_style(label_style.clone())
                .x_desc(desc.as_str())
                .x_label_formatter(&|v| fmt_num(*v))
                .y_label_formatter(&row_label)
                .draw()?;
            if n == 0 {
                draw_note(chart.plotting_area(), "no points")?;
            }
            let half = 0.3f64.min(30.0 / (f64::from(area.dim_in_pixel().1) / n.max(1) as f64));
            let cap = half * 0.55;
            for (i, q) in boxes.iter().enumerate() {
                let y = (n - 1 - i) as f64;
                let Some(q) = q else {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at(($xlo, y))
                            + Text::new(
                                missing.to_string(),
                                (12, 0),
                                label_style
                                    .color(&MUTED)
                                    .pos(Pos::new(HPos::Left, VPos::Center)),
                            ),
                    ))?;
                    continue;
                };
                let whisker = TEXT.stroke_width(2);
                chart.draw_series(
                    [
                        vec![(q.p5, y), (q.p25, y)],
                        vec![(q.p75, y), (q.p95, y)],
                        vec![(q.p5, y - cap), (q.p5, y + cap)],
                        vec![(q.p95, y - cap), (q.p95, y + cap)],
                    ]
                    .into_iter()
                    .map(|pts| PathElement::new(pts, whisker)),
                )?;
                chart.draw_series([
                    Rectangle::new(
                        [(q.p25, y - half), (q.p75, y + half)],
                        color.mix(0.35).filled(),
                    ),
                    Rectangle::new(
                        [(q.p25, y - half), (q.p75, y + half)],
                        color.stroke_width(2),
                    ),
                ])?;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(q.p50, y - half), (q.p50, y + half)],
                    TEXT.stroke_width(4),
                )))?;
            }
        }};
    }
    if log {
        let (xlo, xhi) = (lo / 1.3, hi * 1.3);
        plot!(log_axis(xlo, xhi), xlo);
    } else {
        let xhi = if has_data { hi * 1.15 } else { 1000.0 };
        plot!(linear_axis(0.0, xhi, linear_ticks(0.0, xhi, 8, 0.001)), 0.0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::{assert_png, example_dir, meta, temp_dir};

    #[test]
    fn draws_runtimes_side_by_side() {
        let dir = temp_dir();
        let q = |m: f64| BoxQuantiles {
            p5: m * 0.7,
            p25: m * 0.85,
            p50: m,
            p75: m * 1.2,
            p95: m * 1.8,
        };
        let mut rows: Vec<RuntimeRow> = [
            ("python3.13", 280.0),
            ("nodejs22.x", 300.0),
            ("java21", 900.0),
            ("dotnet8", 700.0),
            ("go-provided.al2023", 120.0),
            ("ruby3.4", 350.0),
        ]
        .iter()
        .flat_map(|&(r, m)| {
            ["x86_64", "arm64"].map(|a| RuntimeRow {
                label: format!("{r} · {a}"),
                init: Some(q(m)),
                latency: Some(BoxQuantiles {
                    p5: 12.0,
                    p25: 20.0,
                    p50: 30.0,
                    p75: 60.0,
                    p95: m,
                }),
            })
        })
        .collect();
        rows[3].init = None;
        let path = dir.path().join("runtimes.png");
        sweep_runtimes(&path, Format::Png, &meta(), &rows).expect("draws");
        assert_png(&path);
        let _ = std::fs::copy(&path, example_dir().join("sweep_runtimes.png"));
        let empty = dir.path().join("empty.png");
        sweep_runtimes(&empty, Format::Png, &meta(), &[]).expect("draws");
        assert_png(&empty);
    }
}

//! Per-function comparison: cold-start percentage and p99 latency as two side-by-side bar panels.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bold_style, draw_header, draw_note, fmt_ms, fmt_num, linear_axis, linear_ticks, max_text_width,
    render, styled_mesh, text_style, tick_labeller, ChartError, ChartMeta, DrawResult, Figure,
    Format, Framed, ANNOTATION_PX, COLD, MUTED, NEUTRAL, PANEL_TITLE_PX, TEXT, TICK_PX,
};

/// One function's summary, precomputed by the metrics code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionBar {
    /// Function name, as in the scenario.
    pub name: String,
    /// Share of invocations that were cold starts, in percent (0..=100).
    pub cold_start_pct: f64,
    /// 99th percentile end-to-end latency (ms).
    pub p99_ms: f64,
}

/// Renders cold-start % and p99 latency per function (top to bottom in the given order) to `path`.
pub fn function_comparison(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &[FunctionBar],
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

struct Panel<'a> {
    caption: &'a str,
    x_desc: &'a str,
    color: RGBColor,
    values: Vec<Option<f64>>,
    fmt: &'a dyn Fn(f64) -> String,
    /// Smallest upper bound of the value axis.
    min_top: f64,
    /// Largest upper bound of the value axis (e.g. 100 %).
    max_top: f64,
}

impl Figure for Framed<'_, [FunctionBar]> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = draw_header(
            root,
            "Cold starts and p99 latency by function",
            self.meta,
            &[],
        )?;
        let nonneg = |v: f64| (v.is_finite() && v >= 0.0).then_some(v);
        let pct = |v: f64| format!("{}%", fmt_num(v));
        let ms = |v: f64| fmt_ms(v);
        let panels = [
            Panel {
                caption: "Cold starts",
                x_desc: "cold starts (% of invocations)",
                color: COLD,
                values: self.data.iter().map(|f| nonneg(f.cold_start_pct)).collect(),
                fmt: &pct,
                min_top: 1.0,
                max_top: 100.0,
            },
            Panel {
                caption: "p99 latency",
                x_desc: "p99 latency (ms)",
                color: NEUTRAL,
                values: self.data.iter().map(|f| nonneg(f.p99_ms)).collect(),
                fmt: &ms,
                min_top: 10.0,
                max_top: f64::INFINITY,
            },
        ];
        let (w, _) = body.dim_in_pixel();
        let (left, right) = body.split_horizontally(w / 2);
        for (area, panel) in [left, right].iter().zip(panels.iter()) {
            draw_panel(area, panel, self.data)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel<'_>,
    data: &[FunctionBar],
) -> DrawResult {
    let n = data.len();
    let (w, h) = area.dim_in_pixel();
    let row_px = (f64::from(h) - 160.0) / n.max(1) as f64;
    let label_px = TICK_PX.min(row_px * 0.7).max(8.0);
    let label_style = text_style(label_px, TEXT);
    let label_w = max_text_width(area, data.iter().map(|f| f.name.clone()), &label_style)?;
    let y_area = (label_w + 24).clamp(60, w * 2 / 5);

    // Room on the right of the longest bar for its value label (labels of bars reaching past
    // 80 % of the axis go inside the bar instead).
    let max = panel.values.iter().flatten().copied().fold(0.0, f64::max);
    let top = if max > 0.0 {
        (max * 1.25).min(panel.max_top).max(max)
    } else {
        panel.min_top
    };

    let y_range = linear_axis(
        -0.5,
        n.max(1) as f64 - 0.5,
        (0..n).map(|i| i as f64).collect(),
    );
    let names: Vec<&str> = data.iter().map(|f| f.name.as_str()).collect();
    let row_label = |v: &f64| -> String {
        let r = v.round();
        if r < 0.0 || (r - v).abs() > 1e-6 || r as usize >= n {
            return String::new();
        }
        names[n - 1 - r as usize].to_string()
    };
    let x_ticks = linear_ticks(0.0, top, 8, 0.0);
    let x_label = tick_labeller(&x_ticks);
    let mut chart = ChartBuilder::on(area)
        .caption(panel.caption, bold_style(PANEL_TITLE_PX, TEXT))
        .margin_left(20)
        .margin_right(50)
        .margin_top(6)
        .margin_bottom(10)
        .x_label_area_size(80)
        .y_label_area_size(y_area)
        .build_cartesian_2d(linear_axis(0.0, top, x_ticks), y_range)?;
    styled_mesh(&mut chart)
        .disable_y_mesh()
        .y_label_style(label_style.clone())
        .x_desc(panel.x_desc)
        .x_label_formatter(&x_label)
        .y_label_formatter(&row_label)
        .draw()?;
    if n == 0 {
        draw_note(chart.plotting_area(), "no functions")?;
        return Ok(());
    }

    // Bars at most ~70 px thick so few functions do not turn into slabs.
    let half = 0.32f64.min(35.0 / row_px.max(1.0));
    for (i, v) in panel.values.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let value_px = label_px.min(ANNOTATION_PX);
        match v {
            Some(v) => {
                let end = v.min(top);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - half), (end, y + half)],
                    panel.color.filled(),
                )))?;
                let (dx, anchor, color) = if end / top > 0.8 {
                    (-8, HPos::Right, WHITE)
                } else {
                    (8, HPos::Left, TEXT)
                };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((end, y))
                        + Text::new(
                            (panel.fmt)(*v),
                            (dx, 0),
                            text_style(value_px, color).pos(Pos::new(anchor, VPos::Center)),
                        ),
                ))?;
            }
            None => {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((0.0, y))
                        + Text::new(
                            "n/a",
                            (8, 0),
                            text_style(value_px, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                        ),
                ))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    pub(crate) fn example() -> Vec<FunctionBar> {
        vec![
            FunctionBar {
                name: "api".into(),
                cold_start_pct: 0.82,
                p99_ms: 412.0,
            },
            FunctionBar {
                name: "thumbnails".into(),
                cold_start_pct: 6.4,
                p99_ms: 2_310.0,
            },
            FunctionBar {
                name: "orders-worker".into(),
                cold_start_pct: 2.15,
                p99_ms: 985.0,
            },
        ]
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("functions", |path, format| {
            function_comparison(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases: Vec<Vec<FunctionBar>> = vec![
            vec![],
            vec![FunctionBar::default()],
            vec![FunctionBar {
                name: "nan".into(),
                cold_start_pct: f64::NAN,
                p99_ms: f64::INFINITY,
            }],
            vec![FunctionBar {
                name: "all".into(),
                cold_start_pct: 100.0,
                p99_ms: -4.0,
            }],
            (0..80)
                .map(|i| FunctionBar {
                    name: format!("function-{i}"),
                    cold_start_pct: i as f64 / 10.0,
                    p99_ms: 100.0 + i as f64,
                })
                .collect(),
        ];
        assert_each_renders("fn", &cases, |path, format, data| {
            function_comparison(path, format, &meta(), data)
        });
    }

    #[test]
    fn example_for_review() {
        let dir = example_dir();
        function_comparison(
            &dir.join("function_comparison.svg"),
            Format::Svg,
            &meta(),
            &example(),
        )
        .expect("example");
        function_comparison(
            &dir.join("function_comparison.png"),
            Format::Png,
            &meta(),
            &example(),
        )
        .expect("example");
        let many: Vec<FunctionBar> = (0..40)
            .map(|i| FunctionBar {
                name: format!("function-{i}"),
                cold_start_pct: i as f64 / 10.0,
                p99_ms: 100.0 + 37.0 * i as f64,
            })
            .collect();
        function_comparison(
            &dir.join("edge_function_comparison_many.png"),
            Format::Png,
            &meta(),
            &many,
        )
        .expect("example");
        function_comparison(
            &dir.join("edge_function_comparison_empty.png"),
            Format::Png,
            &meta(),
            &[],
        )
        .expect("example");
    }
}

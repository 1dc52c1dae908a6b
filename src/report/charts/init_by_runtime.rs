//! Init duration by function/runtime: one horizontal box plot per entry (box p25–p75, whiskers p5–p95).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_header, draw_note, fmt_ms, fmt_num, linear_axis, linear_ticks, log_axis, max_text_width,
    render, styled_mesh, text_style, ChartError, ChartMeta, DrawResult, Figure, Format, Framed,
    LegendEntry, Swatch, ANNOTATION_PX, COLD, MUTED, TEXT, TICK_PX,
};

/// Init-duration percentiles of one function/runtime, precomputed by the metrics code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InitBox {
    /// Row label, e.g. "api (python3.12, arm64)"; `" · n=<count>"` is appended when drawn.
    pub label: String,
    /// 5th percentile init duration, ms.
    pub p5_ms: f64,
    /// 25th percentile init duration, ms.
    pub p25_ms: f64,
    /// Median init duration, ms.
    pub p50_ms: f64,
    /// 75th percentile init duration, ms.
    pub p75_ms: f64,
    /// 95th percentile init duration, ms.
    pub p95_ms: f64,
    /// Number of cold starts behind the percentiles; 0 draws "no cold starts".
    pub count: u64,
}

/// Renders one box per entry of `data` (top to bottom in the given order) to `path`.
pub fn init_by_runtime(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &[InitBox],
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

/// Box values after sanitising; `None` when there is nothing to draw.
#[derive(Debug, Clone, Copy)]
struct Quantiles {
    p5: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
}

fn quantiles(b: &InitBox) -> Option<Quantiles> {
    let ok = |v: f64| (v.is_finite() && v > 0.0).then_some(v);
    if b.count == 0 {
        return None;
    }
    let p50 = ok(b.p50_ms)?;
    let p25 = ok(b.p25_ms).unwrap_or(p50).min(p50);
    let p75 = ok(b.p75_ms).unwrap_or(p50).max(p50);
    let p5 = ok(b.p5_ms).unwrap_or(p25).min(p25);
    let p95 = ok(b.p95_ms).unwrap_or(p75).max(p75);
    Some(Quantiles {
        p5,
        p25,
        p50,
        p75,
        p95,
    })
}

/// The ratio above which the latency axis becomes logarithmic.
const LOG_RATIO: f64 = 20.0;

impl Figure for Framed<'_, [InitBox]> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let legend = [
            LegendEntry::new("p25–p75", COLD, Swatch::Box),
            LegendEntry::new("median (p50)", TEXT, Swatch::Line),
            LegendEntry::new("p5–p95", TEXT, Swatch::Whisker),
        ];
        let body = draw_header(
            root,
            "Init duration by function and runtime",
            self.meta,
            &legend,
        )?;

        let n = self.data.len();
        let boxes: Vec<Option<Quantiles>> = self.data.iter().map(quantiles).collect();
        let labels: Vec<String> = self
            .data
            .iter()
            .map(|b| format!("{} · n={}", b.label, fmt_num(b.count as f64)))
            .collect();

        let lo = boxes
            .iter()
            .flatten()
            .map(|q| q.p5)
            .fold(f64::INFINITY, f64::min);
        let hi = boxes.iter().flatten().map(|q| q.p95).fold(0.0, f64::max);
        let has_data = lo.is_finite() && hi > 0.0;
        let log = has_data && hi / lo > LOG_RATIO;

        // Row labels shrink when there are many rows so they do not overlap.
        let (_, body_h) = body.dim_in_pixel();
        let row_px = (f64::from(body_h) - 120.0) / n.max(1) as f64;
        let label_px = TICK_PX.min(row_px * 0.7).max(8.0);
        let label_style = text_style(label_px, TEXT);
        let label_w = max_text_width(&body, labels.iter().cloned(), &label_style)?;
        let (body_w, _) = body.dim_in_pixel();
        let y_area = (label_w + 30).clamp(120, body_w / 2);

        // Row i (0 = first entry) is drawn at y = n-1-i so the first entry is at the top.
        let y_range = linear_axis(
            -0.5,
            n.max(1) as f64 - 0.5,
            (0..n).map(|i| i as f64).collect(),
        );
        let row_label = |v: &f64| -> String {
            let r = v.round();
            if r < 0.0 || (r - v).abs() > 1e-6 {
                return String::new();
            }
            let row = r as usize;
            if row >= n {
                return String::new();
            }
            labels.get(n - 1 - row).cloned().unwrap_or_default()
        };
        let y_of = |i: usize| (n - 1 - i) as f64;
        let x_desc = if log {
            "init duration (ms, log scale)"
        } else {
            "init duration (ms)"
        };

        if log {
            // A little air around the data; the median labels switch sides near the right edge.
            let (xlo, xhi) = (lo / 1.3, hi * 1.3);
            let mut chart = ChartBuilder::on(&body)
                .margin_left(20)
                .margin_right(60)
                .margin_top(10)
                .margin_bottom(10)
                .x_label_area_size(80)
                .y_label_area_size(y_area)
                .build_cartesian_2d(log_axis(xlo, xhi), y_range)?;
            styled_mesh(&mut chart)
                .disable_y_mesh()
                .y_label_style(label_style.clone())
                .x_desc(x_desc)
                .x_label_formatter(&|v| fmt_num(*v))
                .y_label_formatter(&row_label)
                .draw()?;
            let frac = |x: f64| (x / xlo).ln() / (xhi / xlo).ln();
            draw_boxes(&mut chart, &boxes, &y_of, xlo, &frac, label_px)?;
        } else {
            let xhi = if has_data { hi * 1.3 } else { 1000.0 };
            let mut chart = ChartBuilder::on(&body)
                .margin_left(20)
                .margin_right(60)
                .margin_top(10)
                .margin_bottom(10)
                .x_label_area_size(80)
                .y_label_area_size(y_area)
                .build_cartesian_2d(
                    linear_axis(0.0, xhi, linear_ticks(0.0, xhi, 10, 0.001)),
                    y_range,
                )?;
            styled_mesh(&mut chart)
                .disable_y_mesh()
                .y_label_style(label_style.clone())
                .x_desc(x_desc)
                .x_label_formatter(&|v| fmt_num(*v))
                .y_label_formatter(&row_label)
                .draw()?;
            let frac = |x: f64| x / xhi;
            draw_boxes(&mut chart, &boxes, &y_of, 0.0, &frac, label_px)?;
            if n == 0 {
                draw_note(chart.plotting_area(), "no functions")?;
            }
        }
        Ok(())
    }
}

/// Draws the boxes, whiskers, median labels and "no cold starts" notes on `chart`.
fn draw_boxes<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    boxes: &[Option<Quantiles>],
    y_of: &dyn Fn(usize) -> f64,
    x_min: f64,
    frac: &dyn Fn(f64) -> f64,
    label_px: f64,
) -> DrawResult
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let half = 0.28;
    let cap = 0.16;
    for (i, q) in boxes.iter().enumerate() {
        let y = y_of(i);
        let Some(q) = q else {
            let at = if x_min > 0.0 { x_min } else { 0.0 };
            chart.draw_series(std::iter::once(
                EmptyElement::at((at, y))
                    + Text::new(
                        "no cold starts",
                        (12, 0),
                        text_style(label_px, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
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
                COLD.mix(0.35).filled(),
            ),
            Rectangle::new([(q.p25, y - half), (q.p75, y + half)], COLD.stroke_width(2)),
        ])?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(q.p50, y - half), (q.p50, y + half)],
            TEXT.stroke_width(4),
        )))?;
        // Median value, right of the whisker (or left of it when near the right edge).
        let text = format!("p50 {}", fmt_ms(q.p50));
        let (x, dx, anchor) = if frac(q.p95) > 0.82 {
            (q.p5, -12, HPos::Right)
        } else {
            (q.p95, 12, HPos::Left)
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y))
                + Text::new(
                    text,
                    (dx, 0),
                    text_style(label_px.min(ANNOTATION_PX), TEXT)
                        .pos(Pos::new(anchor, VPos::Center)),
                ),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    fn ibox(label: &str, p50: f64, spread: f64, count: u64) -> InitBox {
        InitBox {
            label: label.to_string(),
            p5_ms: p50 / spread.powf(1.6),
            p25_ms: p50 / spread.powf(0.6),
            p50_ms: p50,
            p75_ms: p50 * spread.powf(0.6),
            p95_ms: p50 * spread.powf(1.6),
            count,
        }
    }

    pub(crate) fn example() -> Vec<InitBox> {
        vec![
            ibox("api (python3.12, arm64)", 180.0, 1.25, 1_234),
            ibox("auth (nodejs20.x, x86_64)", 150.0, 1.2, 856),
            ibox("thumbnails (java21, x86_64)", 1_900.0, 1.25, 97),
            ibox("thumbnails-snap (java21 SnapStart, arm64)", 320.0, 1.3, 41),
            ibox("orders (dotnet8, x86_64)", 700.0, 1.2, 310),
            ibox("edge (provided.al2023 rust, arm64)", 55.0, 1.15, 2_048),
            ibox("reports (ruby3.3, arm64)", 0.0, 1.0, 0),
        ]
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("init", |path, format| {
            init_by_runtime(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases: Vec<Vec<InitBox>> = vec![
            vec![],
            vec![InitBox::default()],
            vec![ibox("one", 100.0, 1.0, 1)],
            vec![InitBox {
                label: "nan".into(),
                p5_ms: f64::NAN,
                p25_ms: f64::INFINITY,
                p50_ms: 80.0,
                p75_ms: -1.0,
                p95_ms: f64::NAN,
                count: 3,
            }],
            vec![InitBox {
                label: "all nan".into(),
                p5_ms: f64::NAN,
                p25_ms: f64::NAN,
                p50_ms: f64::NAN,
                p75_ms: f64::NAN,
                p95_ms: f64::NAN,
                count: 3,
            }],
            (0..60)
                .map(|i| ibox(&format!("f{i}"), 50.0 + 40.0 * i as f64, 1.3, 10))
                .collect(),
        ];
        assert_each_renders("init", &cases, |path, format, data| {
            init_by_runtime(path, format, &meta(), data)
        });
    }

    #[test]
    fn example_for_review() {
        let dir = example_dir();
        init_by_runtime(
            &dir.join("init_by_runtime.svg"),
            Format::Svg,
            &meta(),
            &example(),
        )
        .expect("example");
        init_by_runtime(
            &dir.join("init_by_runtime.png"),
            Format::Png,
            &meta(),
            &example(),
        )
        .expect("example");
        let narrow: Vec<InitBox> = vec![
            ibox("api (python3.12, arm64)", 180.0, 1.25, 1_234),
            ibox("auth (nodejs20.x, x86_64)", 150.0, 1.2, 856),
            ibox("idle (ruby3.3, arm64)", 0.0, 1.0, 0),
        ];
        init_by_runtime(
            &dir.join("init_by_runtime_linear.png"),
            Format::Png,
            &meta(),
            &narrow,
        )
        .expect("example");
        let many: Vec<InitBox> = (0..40)
            .map(|i| {
                ibox(
                    &format!("function-{i} (python3.12, arm64)"),
                    50.0 + 40.0 * i as f64,
                    1.3,
                    10,
                )
            })
            .collect();
        init_by_runtime(
            &dir.join("edge_init_by_runtime_many.png"),
            Format::Png,
            &meta(),
            &many,
        )
        .expect("example");
        init_by_runtime(
            &dir.join("edge_init_by_runtime_empty.png"),
            Format::Png,
            &meta(),
            &[],
        )
        .expect("example");
        let none = vec![InitBox {
            label: "api (python3.12, arm64)".into(),
            ..Default::default()
        }];
        init_by_runtime(
            &dir.join("edge_init_by_runtime_none.png"),
            Format::Png,
            &meta(),
            &none,
        )
        .expect("example");
    }
}

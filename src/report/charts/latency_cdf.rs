//! Latency CDF: cumulative fraction of requests against latency (log scale), with p50/p99 marked.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    annotation_style, draw_header, draw_line, draw_note, fmt_ms, fmt_num, linear_axis, log_axis,
    nice_ceil_125, nice_floor_125, render, series_color, styled_mesh, ChartError, ChartMeta,
    DrawResult, Figure, Format, Framed, LegendEntry, Swatch,
};

/// One CDF curve, precomputed by the metrics code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CdfSeries {
    /// Series name, typically "all", "warm" or "cold".
    pub label: String,
    /// (latency ms > 0, cumulative fraction 0..=1), ascending.
    pub points: Vec<(f64, f64)>,
    /// Median latency, ms (marked on the curve).
    pub p50_ms: f64,
    /// 99th percentile latency, ms (marked on the curve).
    pub p99_ms: f64,
}

/// Renders the latency CDF of `data` (empty series are skipped) to `path`.
pub fn latency_cdf(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &[CdfSeries],
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

/// A series after dropping unusable points.
struct Clean<'a> {
    label: &'a str,
    color: RGBColor,
    points: Vec<(f64, f64)>,
    p50: Option<f64>,
    p99: Option<f64>,
}

fn positive(v: f64) -> Option<f64> {
    (v.is_finite() && v > 0.0).then_some(v)
}

fn clean(data: &[CdfSeries]) -> Vec<Clean<'_>> {
    let mut others = 0;
    let mut out = Vec::new();
    for s in data {
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|(x, y)| x.is_finite() && *x > 0.0 && y.is_finite())
            .map(|&(x, y)| (x, y.clamp(0.0, 1.0)))
            .collect();
        if points.is_empty() {
            continue;
        }
        let color = series_color(&s.label, others);
        if !matches!(
            s.label.trim().to_ascii_lowercase().as_str(),
            "all" | "warm" | "cold" | "throttled"
        ) {
            others += 1;
        }
        out.push(Clean {
            label: &s.label,
            color,
            points,
            p50: positive(s.p50_ms),
            p99: positive(s.p99_ms),
        });
    }
    out
}

/// "all" is drawn first as a wide light band, the other curves thin on top of it: where a curve
/// coincides with "all" (warm, when cold starts are rare) both stay visible.
const ALL_BAND: RGBColor = RGBColor(170, 170, 170);
const ALL_BAND_PX: u32 = 10;
const CURVE_PX: u32 = 3;

fn is_all(label: &str) -> bool {
    label.trim().eq_ignore_ascii_case("all")
}

/// Whether two curves read as one: p50 and p99 within 1% of each other (the legend says so).
fn coincide(a: &Clean<'_>, b: &Clean<'_>) -> bool {
    let near = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() <= 0.01 * x.max(y),
        _ => false,
    };
    near(a.p50, b.p50) && near(a.p99, b.p99)
}

/// The colour of a curve's marks and reference lines (the band of "all" is too light for them).
fn ink(s: &Clean<'_>) -> RGBColor {
    if is_all(s.label) {
        super::ALL
    } else {
        s.color
    }
}

impl Figure for Framed<'_, [CdfSeries]> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let mut series = clean(self.data);
        for s in series.iter_mut().filter(|s| is_all(s.label)) {
            s.color = ALL_BAND;
        }
        let all = series.iter().position(|s| is_all(s.label));

        let legend: Vec<LegendEntry> = series
            .iter()
            .map(|s| {
                let mut label = s.label.to_string();
                let mut parts = Vec::new();
                if let Some(p) = s.p50 {
                    parts.push(format!("p50 {}", fmt_ms(p)));
                }
                if let Some(p) = s.p99 {
                    parts.push(format!("p99 {}", fmt_ms(p)));
                }
                if all.is_some_and(|a| !is_all(s.label) && coincide(s, &series[a])) {
                    parts.push("on the all curve".to_string());
                }
                if !parts.is_empty() {
                    label = format!("{label} ({})", parts.join(", "));
                }
                LegendEntry::new(label, s.color, Swatch::Line)
            })
            .chain(
                (!series.is_empty())
                    .then(|| LegendEntry::new("p50 / p99", super::ALL, Swatch::Marker)),
            )
            .collect();
        let body = draw_header(
            root,
            "Request latency distribution (CDF)",
            self.meta,
            &legend,
        )?;

        // x range from the data, widened to the 1-2-5 grid.
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in &series {
            for &(x, _) in &s.points {
                lo = lo.min(x);
                hi = hi.max(x);
            }
            for p in [s.p50, s.p99].into_iter().flatten() {
                lo = lo.min(p);
                hi = hi.max(p);
            }
        }
        if !(lo.is_finite() && hi.is_finite()) {
            lo = 1.0;
            hi = 1000.0;
        }
        let mut lo = nice_floor_125(lo);
        let mut hi = nice_ceil_125(hi);
        if hi / lo < 10.0 {
            // Too narrow for a readable log axis: show at least one decade around the data.
            let mid = (lo * hi).sqrt();
            lo = nice_floor_125(mid / 3.2);
            hi = nice_ceil_125(mid * 3.2);
        }

        let mut chart = ChartBuilder::on(&body)
            .margin_left(20)
            .margin_right(60)
            .margin_top(10)
            .margin_bottom(10)
            .x_label_area_size(80)
            .y_label_area_size(110)
            .build_cartesian_2d(
                log_axis(lo, hi),
                linear_axis(0.0, 1.02, (0..=10).map(|k| f64::from(k) / 10.0).collect()),
            )?;
        styled_mesh(&mut chart)
            .x_desc("latency (ms, log scale)")
            .y_desc("fraction of requests")
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .draw()?;

        if series.is_empty() {
            draw_note(chart.plotting_area(), "no latency data")?;
            return Ok(());
        }

        // Reference lines at p50 / p99 of the "all" series (or the first one drawn).
        let reference = all.map(|a| &series[a]).or_else(|| series.first());
        if let Some(r) = reference {
            let frac = |x: f64| (x / lo).ln() / (hi / lo).ln();
            for (name, value, y) in [("p50", r.p50, 0.04), ("p99", r.p99, 0.12)] {
                let Some(v) = value else { continue };
                chart.draw_series(DashedLineSeries::new(
                    vec![(v, 0.0), (v, 1.0)],
                    10,
                    7,
                    ink(r).mix(0.7).stroke_width(2),
                ))?;
                let (dx, anchor) = if frac(v) > 0.8 {
                    (-8, HPos::Right)
                } else {
                    (8, HPos::Left)
                };
                let label = if series.len() > 1 {
                    format!("{name} {} = {}", r.label, fmt_ms(v))
                } else {
                    format!("{name} = {}", fmt_ms(v))
                };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((v, y))
                        + Text::new(
                            label,
                            (dx, 0),
                            annotation_style(super::TEXT).pos(Pos::new(anchor, VPos::Center)),
                        ),
                ))?;
            }
        }

        for s in series.iter().filter(|s| is_all(s.label)) {
            draw_line(&mut chart, &s.points, s.color, ALL_BAND_PX)?;
        }
        for s in series.iter().filter(|s| !is_all(s.label)) {
            draw_line(&mut chart, &s.points, s.color, CURVE_PX)?;
        }
        for s in &series {
            let marks = [s.p50.map(|p| (p, 0.5)), s.p99.map(|p| (p, 0.99))];
            chart.draw_series(marks.into_iter().flatten().map(|c| {
                EmptyElement::at(c)
                    + Circle::new((0, 0), 8, ink(s).filled())
                    + Circle::new((0, 0), 8, WHITE.stroke_width(2))
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    fn lognormal(rng: &mut Lcg, n: usize, median: f64, sigma: f64) -> Vec<f64> {
        let mut xs: Vec<f64> = (0..n)
            .map(|_| median * (sigma * rng.normal()).exp())
            .collect();
        xs.sort_by(f64::total_cmp);
        xs
    }

    fn to_series(label: &str, xs: &[f64]) -> CdfSeries {
        let n = xs.len();
        let q = |p: f64| xs[((p * n as f64) as usize).min(n - 1)];
        CdfSeries {
            label: label.to_string(),
            points: xs
                .iter()
                .enumerate()
                .map(|(i, &x)| (x, (i + 1) as f64 / n as f64))
                .collect(),
            p50_ms: q(0.5),
            p99_ms: q(0.99),
        }
    }

    pub(crate) fn example() -> Vec<CdfSeries> {
        let mut rng = Lcg(7);
        let warm = lognormal(&mut rng, 9_500, 40.0, 0.35);
        let cold = lognormal(&mut rng, 500, 400.0, 0.4);
        let mut all: Vec<f64> = warm.iter().chain(cold.iter()).copied().collect();
        all.sort_by(f64::total_cmp);
        vec![
            to_series("all", &all),
            to_series("warm", &warm),
            to_series("cold", &cold),
        ]
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("cdf", |path, format| {
            latency_cdf(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases: Vec<Vec<CdfSeries>> = vec![
            vec![],
            vec![CdfSeries::default()],
            vec![CdfSeries {
                label: "all".into(),
                points: vec![(12.0, 1.0)],
                p50_ms: 12.0,
                p99_ms: 12.0,
            }],
            vec![CdfSeries {
                label: "cold".into(),
                points: vec![
                    (f64::NAN, 0.5),
                    (0.0, 0.1),
                    (-3.0, 0.2),
                    (f64::INFINITY, 1.0),
                ],
                p50_ms: f64::NAN,
                p99_ms: f64::INFINITY,
            }],
            vec![CdfSeries {
                label: "x".into(),
                points: vec![(5.0, 0.0), (5.0, 0.0)],
                p50_ms: 0.0,
                p99_ms: 0.0,
            }],
        ];
        assert_each_renders("cdf", &cases, |path, format, data| {
            latency_cdf(path, format, &meta(), data)
        });
    }

    #[test]
    fn example_for_review() {
        let dir = example_dir();
        latency_cdf(
            &dir.join("latency_cdf.svg"),
            Format::Svg,
            &meta(),
            &example(),
        )
        .expect("example");
        latency_cdf(
            &dir.join("latency_cdf.png"),
            Format::Png,
            &meta(),
            &example(),
        )
        .expect("example");
        let single = vec![example().remove(0)];
        latency_cdf(
            &dir.join("latency_cdf_single.png"),
            Format::Png,
            &meta(),
            &single,
        )
        .expect("example");
        let mut five = example();
        let mut rng = Lcg(3);
        five.push(to_series(
            "provisioned",
            &lognormal(&mut rng, 2_000, 35.0, 0.3),
        ));
        five.push(to_series(
            "snapstart-restore",
            &lognormal(&mut rng, 300, 180.0, 0.35),
        ));
        latency_cdf(
            &dir.join("edge_latency_cdf_five.png"),
            Format::Png,
            &meta(),
            &five,
        )
        .expect("example");
        latency_cdf(
            &dir.join("edge_latency_cdf_empty.png"),
            Format::Png,
            &meta(),
            &[],
        )
        .expect("example");
        let one = vec![CdfSeries {
            label: "cold".into(),
            points: vec![(250.0, 1.0)],
            p50_ms: 250.0,
            p99_ms: 250.0,
        }];
        latency_cdf(
            &dir.join("edge_latency_cdf_one_point.png"),
            Format::Png,
            &meta(),
            &one,
        )
        .expect("example");
    }
}

//! Traffic over time: arrivals per interval (top panel), cold starts and throttles (bottom panel).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_header, draw_line, draw_note, fmt_interval, max_value, padded_top, render, time_panel,
    ChartError, ChartMeta, DrawResult, Figure, Format, Framed, Intervals, LegendEntry, Swatch,
    ValueAxis, ALL, COLD, LOWER, THROTTLED, UPPER,
};

/// Request counts per fixed interval, precomputed by the metrics code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traffic {
    /// Simulated time of the start of the first interval (s).
    pub start_s: f64,
    /// Interval length (s).
    pub interval_s: f64,
    /// Requests arriving in each interval.
    pub arrivals: Vec<u64>,
    /// Requests that hit a cold start in each interval.
    pub cold_starts: Vec<u64>,
    /// Requests throttled in each interval.
    pub throttled: Vec<u64>,
}

/// Renders requests per interval over time, with cold starts and throttles, to `path`.
pub fn traffic(
    path: &Path,
    format: Format,
    meta: &ChartMeta,
    data: &Traffic,
) -> Result<(), ChartError> {
    render(path, format, &Framed { meta, data })
}

impl Figure for Framed<'_, Traffic> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let d = self.data;
        let legend = [
            LegendEntry::new("arrivals", ALL, Swatch::Line),
            LegendEntry::new("cold starts", COLD, Swatch::Line),
            LegendEntry::new("throttled", THROTTLED, Swatch::Line),
        ];
        let body = draw_header(
            root,
            "Traffic, cold starts and throttles over time",
            self.meta,
            &legend,
        )?;

        let intervals = Intervals::new(d.start_s, d.interval_s);
        let n = d
            .arrivals
            .len()
            .max(d.cold_starts.len())
            .max(d.throttled.len());
        let time = intervals.frame(n);
        // Each count is drawn at the middle of its interval.
        let series = |v: &[u64]| -> Vec<(f64, f64)> {
            v.iter()
                .enumerate()
                .map(|(i, &c)| (time.x(intervals.middle(i)), c as f64))
                .collect()
        };
        let arrivals = series(&d.arrivals);
        let cold = series(&d.cold_starts);
        let throttled = series(&d.throttled);

        let per = format!("requests per {}", fmt_interval(intervals.length_s));
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 * 55 / 100);

        // Top panel: arrivals.
        let top_y = padded_top(max_value(&arrivals), 0.08, 5.0);
        let mut upper = time_panel(&top, &time, ValueAxis::new(top_y, 8, 1.0, &per), UPPER)?;
        if arrivals.len() > 1 {
            upper.draw_series(AreaSeries::new(
                arrivals.iter().copied(),
                0.0,
                ALL.mix(0.12).filled(),
            ))?;
        }
        draw_line(&mut upper, &arrivals, ALL, 2)?;
        if n == 0 {
            draw_note(upper.plotting_area(), "no requests")?;
        }

        // Bottom panel: cold starts and throttles, on their own scale.
        let bottom_y = padded_top(max_value(&cold).max(max_value(&throttled)), 0.1, 5.0);
        let mut lower = time_panel(&bottom, &time, ValueAxis::new(bottom_y, 5, 1.0, per), LOWER)?;
        for (points, color) in [(&throttled, THROTTLED), (&cold, COLD)] {
            if !points.is_empty() {
                draw_line(&mut lower, points, color, 2)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::test_support::*;

    pub(crate) fn example() -> Traffic {
        let mut rng = Lcg(11);
        let n = 24 * 60;
        let mut arrivals = Vec::with_capacity(n);
        let mut cold_starts = Vec::with_capacity(n);
        let mut throttled = Vec::with_capacity(n);
        for i in 0..n {
            let hour = i as f64 / 60.0;
            let diurnal = 0.55 - 0.45 * (2.0 * std::f64::consts::PI * (hour - 3.0) / 24.0).cos();
            let rate = 1200.0 * diurnal + 40.0 * rng.normal();
            let a = rate.max(0.0).round() as u64;
            arrivals.push(a);
            // Cold starts when traffic ramps up; throttles near the peak.
            let ramp = (2.0 * std::f64::consts::PI * (hour - 3.0) / 24.0)
                .sin()
                .max(0.0);
            cold_starts.push((ramp * 12.0 * rng.next_f64() + 0.5 * rng.next_f64()).round() as u64);
            throttled.push(if a > 1150 {
                ((a - 1150) as f64 * 0.3).round() as u64
            } else {
                0
            });
        }
        Traffic {
            start_s: 0.0,
            interval_s: 60.0,
            arrivals,
            cold_starts,
            throttled,
        }
    }

    #[test]
    fn renders_png_and_svg() {
        let data = example();
        assert_renders("traffic", |path, format| {
            traffic(path, format, &meta(), &data)
        });
    }

    #[test]
    fn degenerate_inputs_do_not_error() {
        let cases = [
            Traffic::default(),
            Traffic {
                start_s: f64::NAN,
                interval_s: f64::NAN,
                arrivals: vec![3],
                cold_starts: vec![],
                throttled: vec![0, 0, 0],
            },
            Traffic {
                start_s: 0.0,
                interval_s: 10.0,
                arrivals: vec![0; 50],
                cold_starts: vec![0; 50],
                throttled: vec![0; 50],
            },
            Traffic {
                start_s: 1e9,
                interval_s: -5.0,
                arrivals: vec![u64::MAX, 0],
                cold_starts: vec![1],
                throttled: vec![],
            },
        ];
        assert_each_renders("traffic", &cases, |path, format, data| {
            traffic(path, format, &meta(), data)
        });
    }

    #[test]
    fn example_for_review() {
        let dir = example_dir();
        traffic(&dir.join("traffic.svg"), Format::Svg, &meta(), &example()).expect("example");
        traffic(&dir.join("traffic.png"), Format::Png, &meta(), &example()).expect("example");
        let mut short = example();
        short.interval_s = 1.0;
        short.arrivals.truncate(90);
        short.cold_starts.truncate(90);
        short.throttled.truncate(90);
        traffic(&dir.join("traffic_short.png"), Format::Png, &meta(), &short).expect("example");
        traffic(
            &dir.join("edge_traffic_empty.png"),
            Format::Png,
            &meta(),
            &Traffic::default(),
        )
        .expect("example");
        let one = Traffic {
            start_s: 0.0,
            interval_s: 60.0,
            arrivals: vec![12],
            cold_starts: vec![3],
            throttled: vec![0],
        };
        traffic(
            &dir.join("edge_traffic_one_point.png"),
            Format::Png,
            &meta(),
            &one,
        )
        .expect("example");
    }
}

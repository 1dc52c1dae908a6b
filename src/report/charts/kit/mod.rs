//! The drawing kit every chart uses: styles, rendering and fonts, headers and legends, panels
//! (layout, grid, time frames), ticks and axes. Nothing here draws a particular chart; each
//! chart is a file of `charts/`.

mod frame;
mod panel;
mod render;
mod style;
mod ticks;

pub(crate) use frame::*;
pub(crate) use panel::*;
pub use render::*;
pub use style::*;
// Named, so that it wins over plotters' prelude `DrawResult`, glob-imported too.
pub(crate) use render::DrawResult;
pub(crate) use ticks::*;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, RGBColor};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_fonts_is_idempotent_and_thread_safe() {
        let handles: Vec<_> = (0..8).map(|_| std::thread::spawn(register_fonts)).collect();
        for h in handles {
            assert_eq!(h.join().expect("thread"), Ok(()));
        }
        assert_eq!(register_fonts(), Ok(()));
    }

    #[test]
    fn number_formatting() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(1234.4), "1,234");
        assert_eq!(fmt_num(1_234_567.0), "1,234,567");
        assert_eq!(fmt_num(42.26), "42.3");
        assert_eq!(fmt_num(40.0), "40");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(0.2), "0.2");
        assert_eq!(fmt_num(0.01234), "0.0123");
        assert_eq!(fmt_num(-1500.0), "-1,500");
        assert_eq!(fmt_num(f64::NAN), "n/a");
        assert_eq!(fmt_interval(60.0), "1 min");
        assert_eq!(fmt_interval(10.0), "10 s");
        assert_eq!(fmt_interval(3600.0), "1 h");
        assert_eq!(fmt_interval(90.0), "90 s");
        assert_eq!(fmt_interval(0.5), "500 ms");
    }

    #[test]
    fn ticks() {
        let (bold, light) = log_ticks(10.0, 1000.0);
        assert_eq!(bold, vec![10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert!(light.contains(&30.0));
        assert!(log_ticks(0.0, 10.0).0.is_empty());
        assert_eq!(nice_floor_125(37.0), 20.0);
        assert_eq!(nice_ceil_125(37.0), 50.0);
        assert_eq!(nice_ceil_125(100.0), 100.0);
        assert_eq!(
            linear_ticks(0.0, 10.0, 6, 1.0),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        let t = time_axis(0.0, 86_400.0, 13);
        assert_eq!((t.unit, t.step), (HOURS, 2.0));
        assert_eq!(
            t.ticks,
            (0..=12).map(|k| f64::from(k) * 2.0).collect::<Vec<_>>()
        );
        assert_eq!(time_axis(0.0, 3600.0, 13).unit, MINUTES);
        assert_eq!(time_axis(0.0, 60.0, 13).unit, SECONDS);
    }

    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;

    /// The regression: a 7-day run with a 1-hour warm-up (scenarios/single-function.toml) had
    /// no labelled time tick (steps of 24 h were rounded to 25 h, then filtered away), and 2–5
    /// days had two.
    #[test]
    fn long_runs_get_labelled_time_ticks() {
        let week = time_axis(HOUR, 7.0 * DAY, 13);
        assert_eq!((week.unit, week.step), (DAYS, 1.0));
        assert_eq!(week.ticks, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        let three = time_axis(HOUR, 3.0 * DAY, 13);
        assert_eq!((three.unit, three.step), (HOURS, 6.0));
        assert_eq!(three.ticks.len(), 12);
        let fortnight = time_axis(0.0, 14.0 * DAY, 13);
        assert_eq!((fortnight.unit, fortnight.step), (DAYS, 2.0));
        let long = time_axis(0.0, 3000.0 * HOUR, 13);
        assert_eq!((long.unit, long.step), (DAYS, 10.0));
        assert_eq!(long.label(120.0), "120");
    }

    /// Over many durations and starts (warm-ups), from a second to 30 years: at least four and
    /// at most 13 labelled ticks, inside the span, evenly spaced, no label repeated.
    #[test]
    fn time_axis_labels_any_duration() {
        let mut durations = Vec::new();
        let mut d = 1.0;
        while d < 30.0 * 365.0 * DAY {
            durations.push(d);
            d *= 1.07;
        }
        durations.extend([
            60.0,
            180.0,
            3.0 * HOUR,
            23.5 * HOUR,
            DAY,
            2.0 * DAY,
            5.0 * DAY,
            7.0 * DAY,
            14.0 * DAY,
            3000.0 * HOUR,
        ]);
        for &span in &durations {
            for start in [0.0, 0.1 * span, 60.0, 1800.0, HOUR, DAY] {
                let t = time_axis(start, start + span, 13);
                let what = format!("start {start} s, span {span} s: {t:?}");
                assert!(t.ticks.len() >= MIN_TIME_TICKS, "{what}");
                assert!(t.ticks.len() <= 13, "{what}");
                let (lo, hi) = (start / t.unit.seconds, (start + span) / t.unit.seconds);
                let eps = 1e-9 * hi.abs().max(1.0);
                assert!(
                    t.ticks.iter().all(|v| *v >= lo - eps && *v <= hi + eps),
                    "{what}"
                );
                assert!(
                    t.ticks
                        .windows(2)
                        .all(|w| ((w[1] - w[0]) - t.step).abs() <= 1e-9 * t.step.max(1.0)),
                    "{what}"
                );
                let labels: Vec<String> = t.ticks.iter().map(|v| t.label(*v)).collect();
                let unique: std::collections::HashSet<&String> = labels.iter().collect();
                assert_eq!(unique.len(), labels.len(), "{what}: {labels:?}");
            }
        }
    }

    #[test]
    fn tick_labels_carry_the_digits_that_differ() {
        // The keep-alive-policies sweep's cost axis: a $0.01 spread read "2.06" six times.
        let ticks = linear_ticks(2.0552, 2.0648, 8, 0.0);
        let label = tick_labeller(&ticks);
        let labels: Vec<String> = ticks.iter().map(&label).collect();
        assert_eq!(labels, ["2.056", "2.058", "2.06", "2.062", "2.064"]);
        assert_eq!(fmt_tick(1250.0, 250.0), "1,250");
        assert_eq!(fmt_tick(100.5, 0.5), "100.5");
        assert_eq!(fmt_tick(-0.25, 0.25), "-0.25");
        assert_eq!(fmt_tick(-0.0, 0.1), "0");
        assert_eq!(fmt_tick(0.30000000000000004, 0.1), "0.3");
        assert_eq!(tick_labeller(&[7.0])(&7.25), "7.25");
    }

    /// The ranges the charts of the bundled scenarios produce (costs in dollars from cents to
    /// thousands, latencies in ms, percentages, environment counts, request counts), and
    /// ranges at every scale and offset: the labels of one axis never repeat.
    #[test]
    fn linear_tick_labels_never_repeat() {
        let mut ranges = vec![
            (2.0552, 2.0648),
            (0.0, 1.02),
            (0.0, 5.0),
            (0.0, 0.35),
            (11.94, 12.03),
            (1.0041, 1.0049),
            (0.0, 1_300_000.0),
            (99.2, 100.4),
            (2350.0, 2430.0),
            (-0.004, 0.011),
        ];
        let mut rng = test_support::Lcg(15);
        for _ in 0..20_000 {
            let scale = 10f64.powf(rng.next_f64() * 14.0 - 6.0);
            let lo = (rng.next_f64() - 0.3) * scale * 10f64.powf(rng.next_f64() * 4.0);
            let width = scale * (0.001 + rng.next_f64());
            ranges.push((lo, lo + width));
        }
        for (lo, hi) in ranges {
            for max_ticks in [5, 8, 9, 10] {
                let ticks = linear_ticks(lo, hi, max_ticks, 0.0);
                assert!(ticks.len() >= 2, "[{lo}, {hi}]: {ticks:?}");
                let label = tick_labeller(&ticks);
                let labels: Vec<String> = ticks.iter().map(&label).collect();
                let unique: std::collections::HashSet<&String> = labels.iter().collect();
                assert_eq!(unique.len(), labels.len(), "[{lo}, {hi}]: {labels:?}");
            }
        }
    }
}

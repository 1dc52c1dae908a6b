//! Numbers, ticks and axes: number and tick labels, linear, logarithmic and time axes.

use super::*;

/// Compact human formatting: thousands separators from 1,000, at most 3 significant digits below
/// 100, trailing zeros trimmed.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".to_string();
    }
    let s = if a >= 100.0 {
        group_thousands(v.round())
    } else if a >= 10.0 {
        trim_zeros(format!("{v:.1}"))
    } else if a >= 1.0 {
        trim_zeros(format!("{v:.2}"))
    } else {
        // 3 significant digits
        let digits = (-(a.log10().floor()) as usize + 2).min(12);
        trim_zeros(format!("{v:.digits$}"))
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

pub(crate) fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

pub(crate) fn group_thousands(v: f64) -> String {
    let neg = v < 0.0;
    let out = group_digits(&format!("{:.0}", v.abs()));
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// "1234567" → "1,234,567".
pub(crate) fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "123 ms", "1,234 ms", "4.56 ms".
pub(crate) fn fmt_ms(v: f64) -> String {
    format!("{} ms", fmt_num(v))
}

/// The label of tick `v` on an axis whose ticks are multiples of `step`: as many decimals as
/// the step has (trailing zeros trimmed) and thousands separators, so two ticks never read
/// alike ("2.056", "2.058", where `fmt_num` gives "2.06" twice).
pub(crate) fn fmt_tick(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let step = step.abs();
    let decimals = (0..=12)
        .find(|&d| {
            let x = step * 10f64.powi(d);
            x.round() >= 1.0 && (x - x.round()).abs() <= 1e-6 * x
        })
        .unwrap_or(12);
    let text = trim_zeros(format!("{:.*}", decimals as usize, v.abs()));
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = group_digits(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// The labels for the labelled ticks `ticks` of a linear axis: [`fmt_tick`] with their
/// smallest gap as the step ([`fmt_num`] for fewer than two ticks).
pub(crate) fn tick_labeller(ticks: &[f64]) -> impl Fn(&f64) -> String {
    let gap = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .filter(|d| *d > 0.0)
        .fold(f64::INFINITY, f64::min);
    move |v: &f64| {
        if gap.is_finite() {
            fmt_tick(*v, gap)
        } else {
            fmt_num(*v)
        }
    }
}

/// Largest value of the 1-2-5 sequence that is <= v (v > 0).
pub(crate) fn nice_floor_125(v: f64) -> f64 {
    let e = 10f64.powf(v.log10().floor());
    let m = v / e;
    let n = if m >= 5.0 {
        5.0
    } else if m >= 2.0 {
        2.0
    } else {
        1.0
    };
    n * e
}

/// Smallest value of the 1-2-5 sequence that is >= v (v > 0).
pub(crate) fn nice_ceil_125(v: f64) -> f64 {
    let e = 10f64.powf(v.log10().floor());
    let m = v / e;
    let n = if m <= 1.0 + 1e-9 {
        1.0
    } else if m <= 2.0 + 1e-9 {
        2.0
    } else if m <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    n * e
}

/// Tick values for a log axis over [lo, hi]: (labelled, grid-only).
///
/// Labelled ticks use 1-2-5 per decade for up to 3 decades, 1-3 up to 5, and powers of ten beyond;
/// grid lines are drawn at every integer multiple inside each decade.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return (Vec::new(), Vec::new());
    }
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades <= 3.2 {
        &[1.0, 2.0, 5.0]
    } else if decades <= 5.2 {
        &[1.0, 3.0]
    } else {
        &[1.0]
    };
    let mut bold = Vec::new();
    let mut light = Vec::new();
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let tol = 1e-9;
    for e in first..=last {
        let base = 10f64.powi(e);
        for m in 1..10 {
            let v = base * f64::from(m);
            if v < lo * (1.0 - tol) || v > hi * (1.0 + tol) {
                continue;
            }
            if mantissas.contains(&f64::from(m)) {
                bold.push(v);
            } else {
                light.push(v);
            }
        }
    }
    (bold, light)
}

/// Smallest step of the 1-2-2.5-5 sequence that is >= raw (2.5 only from 25 up, so small count
/// axes keep whole numbers).
pub(crate) fn nice_step(raw: f64) -> f64 {
    let e = 10f64.powf(raw.log10().floor());
    let m = raw / e;
    let eps = 1e-9;
    let n = if m <= 1.0 + eps {
        1.0
    } else if m <= 2.0 + eps {
        2.0
    } else if m <= 2.5 + eps && e >= 10.0 {
        2.5
    } else if m <= 5.0 + eps {
        5.0
    } else {
        10.0
    };
    n * e
}

/// Evenly spaced "nice" ticks covering [lo, hi], at most about `max_ticks`, never finer than
/// `min_step`; at least two unless `min_step` forbids them (a nice step can leave a single
/// multiple in a narrow range away from zero, which would hide the scale).
pub(crate) fn linear_ticks(lo: f64, hi: f64, max_ticks: usize, min_step: f64) -> Vec<f64> {
    let out = linear_ticks_once(lo, hi, max_ticks, min_step);
    if out.len() < 2 && max_ticks < 64 && (hi - lo) / (max_ticks.max(2) as f64) > min_step {
        return linear_ticks(lo, hi, max_ticks * 2, min_step);
    }
    out
}

pub(crate) fn linear_ticks_once(lo: f64, hi: f64, max_ticks: usize, min_step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    let raw = (hi - lo) / (max_ticks.max(2) as f64 - 1.0);
    let step = nice_step(raw.max(min_step).max(f64::MIN_POSITIVE));
    let mut out = Vec::new();
    let mut k = (lo / step).ceil();
    loop {
        let v = k * step;
        if v > hi + step * 1e-9 || out.len() > 1000 {
            break;
        }
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// Upper bound for a count axis starting at 0: the maximum plus headroom, at least `min_top`.
pub(crate) fn padded_top(max: f64, headroom: f64, min_top: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * (1.0 + headroom)).max(min_top)
    } else {
        min_top
    }
}

/// A 1-D coordinate with explicit tick positions: `bold` ticks are labelled and get a grid line,
/// `light` ones only a faint grid line. (plotters' own `WithKeyPoints` loses the label formatter
/// for `f64` ranges, hence this wrapper.)
pub(crate) struct Ticked<R: Ranged> {
    inner: R,
    bold: Vec<R::ValueType>,
    light: Vec<R::ValueType>,
}

pub(crate) fn ticked<R: Ranged>(
    inner: R,
    bold: Vec<R::ValueType>,
    light: Vec<R::ValueType>,
) -> Ticked<R> {
    Ticked { inner, bold, light }
}

/// A linear f64 axis over [lo, hi] with the given labelled ticks.
pub(crate) fn linear_axis(lo: f64, hi: f64, bold: Vec<f64>) -> Ticked<RangedCoordf64> {
    ticked(RangedCoordf64::from(lo..hi), bold, Vec::new())
}

/// A log10 f64 axis over [lo, hi] (lo > 0) with 1-2-5 ticks from [`log_ticks`].
pub(crate) fn log_axis(lo: f64, hi: f64) -> Ticked<LogCoord<f64>> {
    let (bold, light) = log_ticks(lo, hi);
    ticked(LogCoord::from((lo..hi).log_scale()), bold, light)
}

impl<R: Ranged> Ranged for Ticked<R>
where
    R::ValueType: Clone,
{
    type ValueType = R::ValueType;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn map(&self, value: &Self::ValueType, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(
        &self,
        hint: Hint,
    ) -> Vec<Self::ValueType> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<Self::ValueType> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> std::ops::Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

/// A time unit for a time axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TimeUnit {
    pub name: &'static str,
    pub seconds: f64,
    /// Tick steps (in this unit) that read naturally.
    pub steps: &'static [f64],
}

pub(crate) const SECONDS: TimeUnit = TimeUnit {
    name: "s",
    seconds: 1.0,
    steps: &[1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0],
};
pub(crate) const MINUTES: TimeUnit = TimeUnit {
    name: "min",
    seconds: 60.0,
    steps: &[1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0],
};
pub(crate) const HOURS: TimeUnit = TimeUnit {
    name: "h",
    seconds: 3600.0,
    steps: &[1.0, 2.0, 3.0, 4.0, 6.0, 12.0],
};
pub(crate) const DAYS: TimeUnit = TimeUnit {
    name: "d",
    seconds: 86_400.0,
    steps: &[1.0, 2.0, 5.0, 7.0, 10.0, 14.0, 20.0, 30.0, 50.0, 100.0],
};

/// Fewest labelled ticks a time axis gets.
pub(crate) const MIN_TIME_TICKS: usize = 4;

/// A time axis: the unit its labels read in, the step between ticks and the ticks (both in
/// that unit).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeAxis {
    pub unit: TimeUnit,
    pub step: f64,
    pub ticks: Vec<f64>,
}

impl TimeAxis {
    /// The label of tick `v`: as many decimals as the step has.
    pub fn label(&self, v: f64) -> String {
        fmt_tick(v, self.step)
    }
}

/// Multiples of `step` in [lo, hi].
pub(crate) fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let eps = 1e-9;
    let first = (lo / step - eps).ceil() as i64;
    let last = (hi / step + eps).floor() as i64;
    (first..=last)
        .map(|k| if k == 0 { 0.0 } else { k as f64 * step })
        .collect()
}

/// The time axis over [lo_s, hi_s] seconds: the coarsest unit (days, hours, minutes, seconds)
/// whose natural steps give at least `MIN_TIME_TICKS` and at most `max_ticks` (>= 13)
/// labelled ticks, with the finest such step; 1-2-5 multiples of days beyond the longest step,
/// of seconds below a few seconds. Pure, so every duration can be tested.
pub(crate) fn time_axis(lo_s: f64, hi_s: f64, max_ticks: usize) -> TimeAxis {
    let max_ticks = max_ticks.max(13);
    let empty = TimeAxis {
        unit: SECONDS,
        step: 1.0,
        ticks: Vec::new(),
    };
    if !(lo_s.is_finite() && hi_s.is_finite()) || hi_s <= lo_s {
        return empty;
    }
    // With a 1-2-5 step no finer than span / (max - 1) there are at least
    // (max - 1) / 2.5 >= 4.8 multiples in the span, and at most max.
    let nice = |unit: TimeUnit| {
        let (lo, hi) = (lo_s / unit.seconds, hi_s / unit.seconds);
        let step = nice_ceil_125((hi - lo) / (max_ticks - 1) as f64);
        TimeAxis {
            unit,
            step,
            ticks: multiples(lo, hi, step),
        }
    };
    for unit in [DAYS, HOURS, MINUTES, SECONDS] {
        let (lo, hi) = (lo_s / unit.seconds, hi_s / unit.seconds);
        let found = unit.steps.iter().find_map(|&step| {
            let ticks = multiples(lo, hi, step);
            (ticks.len() <= max_ticks).then_some(TimeAxis { unit, step, ticks })
        });
        match found {
            Some(axis) if axis.ticks.len() >= MIN_TIME_TICKS => return axis,
            Some(_) => {}
            // Longer than the longest step of the coarsest unit can label.
            None => return nice(unit),
        }
    }
    nice(SECONDS)
}

/// "1 min", "10 s", "1 h", "0.5 s", "90 s".
pub(crate) fn fmt_interval(interval_s: f64) -> String {
    if !(interval_s.is_finite() && interval_s > 0.0) {
        return "interval".to_string();
    }
    let whole = |v: f64| (v - v.round()).abs() < 1e-9;
    if interval_s >= 3600.0 && whole(interval_s / 3600.0) {
        format!("{} h", fmt_num(interval_s / 3600.0))
    } else if interval_s >= 60.0 && whole(interval_s / 60.0) {
        format!("{} min", fmt_num(interval_s / 60.0))
    } else if interval_s >= 1.0 {
        format!("{} s", fmt_num(interval_s))
    } else {
        format!("{} ms", fmt_num(interval_s * 1000.0))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the chart tests.
    use super::*;

    /// A fresh temporary folder for one test.
    pub fn temp_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("coldsim-charts-test-")
            .tempdir()
            .expect("temp dir")
    }

    /// Where the example charts for visual review are written.
    pub fn example_dir() -> PathBuf {
        let dir = std::env::temp_dir().join("coldsim-charts");
        std::fs::create_dir_all(&dir).expect("example dir");
        dir
    }

    pub fn meta() -> ChartMeta {
        ChartMeta {
            scenario: "diurnal-api".to_string(),
            seed: 42,
            counted: "24 h".to_string(),
        }
    }

    /// Reads width and height from a PNG's IHDR chunk.
    pub fn png_size(path: &Path) -> (u32, u32) {
        let bytes = std::fs::read(path).expect("read png");
        assert!(bytes.len() > 24, "png too short");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "png signature");
        assert_eq!(&bytes[12..16], b"IHDR");
        let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        (w, h)
    }

    /// Draws a chart as PNG and as SVG into a fresh folder and checks both files.
    pub fn assert_renders(stem: &str, draw: impl Fn(&Path, Format) -> Result<(), ChartError>) {
        let dir = temp_dir();
        let png = dir.path().join(format!("{stem}.png"));
        draw(&png, Format::Png).expect("png");
        assert_png(&png);
        let svg = dir.path().join(format!("{stem}.svg"));
        draw(&svg, Format::Svg).expect("svg");
        assert_svg(&svg);
    }

    /// Draws every case as PNG and as SVG into a fresh folder and checks each file: broken or
    /// empty inputs draw a chart (empty, or with a note), never an error.
    pub fn assert_each_renders<D>(
        stem: &str,
        cases: &[D],
        draw: impl Fn(&Path, Format, &D) -> Result<(), ChartError>,
    ) {
        let dir = temp_dir();
        for (i, data) in cases.iter().enumerate() {
            let png = dir.path().join(format!("{stem}-{i}.png"));
            draw(&png, Format::Png, data).unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert_png(&png);
            let svg = dir.path().join(format!("{stem}-{i}.svg"));
            draw(&svg, Format::Svg, data).unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert_svg(&svg);
        }
    }

    pub fn assert_png(path: &Path) {
        assert_eq!(png_size(path), (WIDTH, HEIGHT), "{}", path.display());
    }

    pub fn assert_svg(path: &Path) {
        let text = std::fs::read_to_string(path).expect("read svg");
        assert!(text.contains("<svg"), "{} is not an SVG", path.display());
    }

    /// Deterministic pseudo-random numbers in (0, 1) for example data (no rand dependency needed).
    pub struct Lcg(pub u64);
    impl Lcg {
        pub fn next_f64(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        /// Standard normal via Box–Muller.
        pub fn normal(&mut self) -> f64 {
            let u1 = self.next_f64();
            let u2 = self.next_f64();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }
}

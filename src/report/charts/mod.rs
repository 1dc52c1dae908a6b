//! Chart rendering: one file per figure, each drawing precomputed data (charts never compute statistics).
//!
//! Every figure is a `pub fn (path, format, meta, data) -> Result<(), ChartError>` that renders a
//! 1600×900 PNG or SVG with a title, a subtitle built from [`ChartMeta`], axis titles with units and
//! a legend row under the subtitle when there is more than one series. Non-finite values are
//! skipped, and empty inputs produce an empty chart with a "no data" note instead of an error.
//!
//! Text is drawn with the DejaVu Sans font embedded from `assets/fonts/` (no system fonts needed).

pub mod environments;
pub mod function_comparison;
pub mod init_by_runtime;
pub mod keep_alive_tradeoff;
pub mod latency_cdf;
pub mod sweep_metric;
pub mod sweep_runtimes;
pub mod sweep_tradeoff;
pub mod traffic;

pub use environments::{environments, Environments};
pub use function_comparison::{function_comparison, FunctionBar};
pub use init_by_runtime::{init_by_runtime, InitBox};
pub use keep_alive_tradeoff::keep_alive_tradeoff;
pub use latency_cdf::{latency_cdf, CdfSeries};
pub use sweep_metric::{sweep_metric, MetricChart, MetricPoint, MetricSeries, SweepAxis};
pub use sweep_runtimes::{sweep_runtimes, BoxQuantiles, RuntimeRow};
pub use sweep_tradeoff::{sweep_tradeoff, TradeoffPoint};
pub use traffic::{traffic, Traffic};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, RGBColor};

/// Width of every chart in pixels.
pub const WIDTH: u32 = 1600;
/// Height of every chart in pixels.
pub const HEIGHT: u32 = 900;

/// Font family name the embedded font is registered under.
pub const FONT: &str = "sans-serif";
/// Chart title size (px).
pub const TITLE_PX: f64 = 40.0;
/// Subtitle size (px).
pub const SUBTITLE_PX: f64 = 26.0;
/// Axis title size (px).
pub const AXIS_TITLE_PX: f64 = 28.0;
/// Tick label size (px).
pub const TICK_PX: f64 = 22.0;
/// Legend text size (px).
pub const LEGEND_PX: f64 = 24.0;
/// Size of value annotations inside the plot (px).
pub const ANNOTATION_PX: f64 = 22.0;
/// Panel caption size for multi-panel figures (px).
pub const PANEL_TITLE_PX: f64 = 28.0;

/// Warm starts / warm requests (blue).
pub const WARM: RGBColor = RGBColor(0, 114, 178);
/// Cold starts / cold requests (vermillion).
pub const COLD: RGBColor = RGBColor(213, 94, 0);
/// Throttled requests (reddish purple).
pub const THROTTLED: RGBColor = RGBColor(148, 52, 110);
/// "All requests" series (dark grey).
pub const ALL: RGBColor = RGBColor(51, 51, 51);
/// Busy execution environments (blue).
pub const BUSY: RGBColor = RGBColor(0, 114, 178);
/// Idle on-demand execution environments (sky blue).
pub const IDLE: RGBColor = RGBColor(140, 200, 235);
/// Initializing execution environments (orange).
pub const INITIALIZING: RGBColor = RGBColor(230, 159, 0);
/// Provisioned execution environments (bluish green).
pub const PROVISIONED: RGBColor = RGBColor(0, 158, 115);
/// Neutral bar colour (slate).
pub const NEUTRAL: RGBColor = RGBColor(85, 98, 112);
/// Text colour.
pub const TEXT: RGBColor = RGBColor(30, 30, 30);
/// Secondary text colour (subtitle, notes).
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
/// Extra colours for series without a dedicated colour.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(120, 120, 120),
    RGBColor(240, 200, 40),
];

const MESH_BOLD: RGBColor = RGBColor(205, 205, 205);
const MESH_LIGHT: RGBColor = RGBColor(236, 236, 236);

/// Output file format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 1600×900 PNG bitmap.
    Png,
    /// 1600×900 SVG (text kept as text).
    Svg,
}

impl Format {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Shown under every chart title: "scenario <name> · seed <seed> · <simulated> simulated".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartMeta {
    pub scenario: String,
    pub seed: u64,
    pub simulated: String,
}

impl ChartMeta {
    /// The subtitle line drawn under every chart title.
    pub fn subtitle(&self) -> String {
        format!(
            "scenario {} · seed {} · {} simulated",
            self.scenario, self.seed, self.simulated
        )
    }
}

/// Why a chart could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The folder that should hold the chart could not be created.
    #[error("cannot create the folder for chart {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// The embedded font could not be loaded.
    #[error("cannot draw chart {}: embedded font failed to load: {message}", path.display())]
    Font { path: PathBuf, message: String },
    /// Drawing or writing the chart failed.
    #[error("cannot draw chart {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
}

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded DejaVu Sans (regular and bold) as `"sans-serif"`.
///
/// Idempotent and thread-safe: the registration runs once per process, later calls return the
/// stored outcome.
pub fn register_fonts() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
                .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())?;
            plotters::style::register_font(FONT, FontStyle::Bold, FONT_BOLD_BYTES)
                .map_err(|_| "DejaVuSans-Bold.ttf is not a valid font".to_string())
        })
        .clone()
}

/// A drawing failure, as text (backend error types differ between PNG and SVG).
#[derive(Debug)]
pub(crate) struct DrawErr(pub(crate) String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawErr {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawErr(e.to_string())
    }
}

pub(crate) type DrawResult<T = ()> = Result<T, DrawErr>;

/// A figure that can draw itself on any plotters backend.
pub(crate) trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Renders `figure` to `path` in `format`; creates the parent folder if needed.
pub(crate) fn render<F: Figure>(path: &Path, format: Format, figure: &F) -> Result<(), ChartError> {
    register_fonts().map_err(|message| ChartError::Font {
        path: path.to_path_buf(),
        message,
    })?;
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| ChartError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        }
    }
    // Inputs are sanitised before drawing; this only turns an unexpected panic inside the
    // plotting library into an error instead of taking the whole run down.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Png => {
            let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
            figure.draw(&root)?;
            root.present()?;
            Ok(())
        }
        Format::Svg => {
            let root = SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
            figure.draw(&root)?;
            root.present()?;
            Ok(())
        }
    }));
    let result: DrawResult = outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(DrawErr(format!("plotting library panicked: {what}")))
    });
    result.map_err(|DrawErr(message)| ChartError::Draw {
        path: path.to_path_buf(),
        message,
    })
}

// ---------------------------------------------------------------------------------------------
// Text styles
// ---------------------------------------------------------------------------------------------

pub(crate) fn text_style(px: f64, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, px).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

pub(crate) fn bold_style(px: f64, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, px, FontStyle::Bold).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

pub(crate) fn tick_style() -> TextStyle<'static> {
    text_style(TICK_PX, TEXT)
}

pub(crate) fn axis_title_style() -> TextStyle<'static> {
    text_style(AXIS_TITLE_PX, TEXT)
}

pub(crate) fn annotation_style(color: RGBColor) -> TextStyle<'static> {
    text_style(ANNOTATION_PX, color)
}

/// Grid line styles shared by all charts: (bold, light).
pub(crate) fn mesh_styles() -> (ShapeStyle, ShapeStyle) {
    (MESH_BOLD.stroke_width(1), MESH_LIGHT.stroke_width(1))
}

// ---------------------------------------------------------------------------------------------
// Header and legend
// ---------------------------------------------------------------------------------------------

/// How a legend entry's swatch is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A thick line.
    Line,
    /// A filled square.
    Fill,
    /// A filled circle (marker).
    Marker,
    /// A box with a median line (box plot).
    Box,
    /// An I-shaped whisker.
    Whisker,
}

#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    pub swatch: Swatch,
}

impl LegendEntry {
    pub(crate) fn new(label: impl Into<String>, color: RGBColor, swatch: Swatch) -> Self {
        Self {
            label: label.into(),
            color,
            swatch,
        }
    }
}

const TITLE_Y: i32 = 18;
const SUBTITLE_Y: i32 = 70;
const LEGEND_Y: i32 = 122;
const HEADER_NO_LEGEND: u32 = 112;
const HEADER_WITH_LEGEND: u32 = 160;
const LEGEND_ROW_H: i32 = 36;
const LEGEND_MAX_ROWS: usize = 3;
const SWATCH_W: i32 = 40;

/// Clears the canvas, draws title, subtitle and (if given) a centred legend row, and returns the
/// area below the header for the plot.
pub(crate) fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    meta: &ChartMeta,
    legend: &[LegendEntry],
) -> DrawResult<DrawingArea<DB, Shift>> {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let cx = (w / 2) as i32;
    root.draw(&Text::new(
        title.to_string(),
        (cx, TITLE_Y),
        bold_style(TITLE_PX, TEXT).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    root.draw(&Text::new(
        meta.subtitle(),
        (cx, SUBTITLE_Y),
        text_style(SUBTITLE_PX, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let header = if legend.is_empty() {
        HEADER_NO_LEGEND
    } else {
        let rows = draw_legend(root, legend, cx, LEGEND_Y)?;
        // Capped so even an absurd number of series leaves room for the plot.
        (HEADER_WITH_LEGEND + LEGEND_ROW_H as u32 * (rows.saturating_sub(1) as u32)).min(360)
    };
    let (_, body) = root.split_vertically(header);
    Ok(body)
}

/// Draws legend entries in centred rows, the first centred vertically on `y`, wrapping to at most
/// three rows (the text shrinks, down to 60 %, only if three rows are not enough). Returns the
/// number of rows drawn.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    center_x: i32,
    y: i32,
) -> DrawResult<usize> {
    const GAP_AFTER_SWATCH: i32 = 10;
    const GAP_BETWEEN: i32 = 44;
    let (area_w, _) = area.dim_in_pixel();
    let available = area_w as i32 - 40;
    let mut px = LEGEND_PX;
    loop {
        let style = text_style(px, TEXT);
        // Greedy wrapping: rows of (entry index, entry width).
        let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
        let mut row_w = 0;
        for (i, e) in entries.iter().enumerate() {
            let (tw, _) = area.estimate_text_size(&e.label, &style)?;
            let w = SWATCH_W + GAP_AFTER_SWATCH + tw as i32;
            let needed = if row_w == 0 {
                w
            } else {
                row_w + GAP_BETWEEN + w
            };
            if row_w > 0 && needed > available {
                rows.push(vec![(i, w)]);
                row_w = w;
            } else {
                if let Some(last) = rows.last_mut() {
                    last.push((i, w));
                }
                row_w = needed;
            }
        }
        let widest = rows
            .iter()
            .map(|r| r.iter().map(|(_, w)| w).sum::<i32>() + GAP_BETWEEN * (r.len() as i32 - 1))
            .max()
            .unwrap_or(0);
        if (rows.len() > LEGEND_MAX_ROWS || widest > available) && px > LEGEND_PX * 0.6 {
            px = (px - 2.0).max(LEGEND_PX * 0.6);
            continue;
        }
        for (r, row) in rows.iter().enumerate() {
            let total: i32 =
                row.iter().map(|(_, w)| w).sum::<i32>() + GAP_BETWEEN * (row.len() as i32 - 1);
            let row_y = y + LEGEND_ROW_H * r as i32;
            let mut x = (center_x - total / 2).max(20);
            for &(i, w) in row {
                let e = &entries[i];
                draw_swatch(area, e.swatch, e.color, x, row_y)?;
                area.draw(&Text::new(
                    e.label.clone(),
                    (x + SWATCH_W + GAP_AFTER_SWATCH, row_y),
                    style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                x += w + GAP_BETWEEN;
            }
        }
        return Ok(rows.len());
    }
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    color: RGBColor,
    x: i32,
    y: i32,
) -> DrawResult {
    let x1 = x + SWATCH_W;
    match swatch {
        Swatch::Line => {
            area.draw(&PathElement::new(
                vec![(x, y), (x1, y)],
                color.stroke_width(4),
            ))?;
        }
        Swatch::Fill => {
            area.draw(&Rectangle::new(
                [(x + 4, y - 14), (x1 - 4, y + 14)],
                color.filled(),
            ))?;
        }
        Swatch::Marker => {
            area.draw(&Circle::new((x + SWATCH_W / 2, y), 8, color.filled()))?;
        }
        Swatch::Box => {
            area.draw(&Rectangle::new(
                [(x + 2, y - 13), (x1 - 2, y + 13)],
                color.mix(0.35).filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x + 2, y - 13), (x1 - 2, y + 13)],
                color.stroke_width(2),
            ))?;
        }
        Swatch::Whisker => {
            area.draw(&PathElement::new(
                vec![(x + 2, y), (x1 - 2, y)],
                color.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                vec![(x + 2, y - 9), (x + 2, y + 9)],
                color.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                vec![(x1 - 2, y - 9), (x1 - 2, y + 9)],
                color.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Draws a data line as separate segments, skipping points closer than 2 px to the previous kept
/// one. (plotters joins thick polylines with unbounded miters, which draws spikes on noisy data;
/// separate segments avoid that, and thinning keeps SVGs small.) A single point becomes a dot.
pub(crate) fn draw_line<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    points: &[(f64, f64)],
    color: RGBColor,
    width: u32,
) -> DrawResult
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let mut kept: Vec<(f64, f64)> = Vec::with_capacity(points.len().min(4096));
    let mut last_px: Option<(i32, i32)> = None;
    for (i, &p) in points.iter().enumerate() {
        if !(p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        let px = chart.backend_coord(&p);
        let is_last = i + 1 == points.len();
        if let Some((lx, ly)) = last_px {
            if (px.0 - lx).abs() < 2 && (px.1 - ly).abs() < 2 && !is_last {
                continue;
            }
        }
        kept.push(p);
        last_px = Some(px);
    }
    let style = color.stroke_width(width);
    match kept.as_slice() {
        [] => {}
        [single] => {
            chart.draw_series(std::iter::once(Circle::new(
                *single,
                width.max(2) + 4,
                color.filled(),
            )))?;
        }
        many => {
            chart.draw_series(
                many.windows(2)
                    .map(|w| PathElement::new(vec![w[0], w[1]], style)),
            )?;
        }
    }
    Ok(())
}

/// Writes a grey note (e.g. "no data") centred in `area`.
pub(crate) fn draw_note<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    note: &str,
) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let plain = area.strip_coord_spec();
    plain.draw(&Text::new(
        note.to_string(),
        ((w / 2) as i32, (h / 2) as i32),
        text_style(AXIS_TITLE_PX, MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

/// Width in pixels of the widest of `labels` at `style` (0 when empty).
pub(crate) fn max_text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl IntoIterator<Item = String>,
    style: &TextStyle,
) -> DrawResult<u32> {
    let mut widest = 0;
    for l in labels {
        let (w, _) = area.estimate_text_size(&l, style)?;
        widest = widest.max(w);
    }
    Ok(widest)
}

/// Colour for a series label: "all", "warm", "cold", "throttled" get their fixed colours, others
/// take the palette in order.
pub(crate) fn series_color(label: &str, other_index: usize) -> RGBColor {
    match label.trim().to_ascii_lowercase().as_str() {
        "all" => ALL,
        "warm" => WARM,
        "cold" => COLD,
        "throttled" => THROTTLED,
        _ => PALETTE[other_index % PALETTE.len()],
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers, ticks and time units
// ---------------------------------------------------------------------------------------------

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

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn group_thousands(v: f64) -> String {
    let neg = v < 0.0;
    let out = group_digits(&format!("{:.0}", v.abs()));
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// "1234567" → "1,234,567".
fn group_digits(digits: &str) -> String {
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
fn nice_step(raw: f64) -> f64 {
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

fn linear_ticks_once(lo: f64, hi: f64, max_ticks: usize, min_step: f64) -> Vec<f64> {
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
fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
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
            simulated: "24 h".to_string(),
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

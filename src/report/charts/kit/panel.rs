//! Panels: a chart's plotting area in the house layout (margins, label areas, the styled grid),
//! and the time frame the panels of a chart over simulated time share.

use super::*;

/// A chart's data with the title block it is drawn under: what each chart file implements
/// [`Figure`] for.
pub(crate) struct Framed<'a, D: ?Sized> {
    /// Shown under the title.
    pub meta: &'a ChartMeta,
    /// What the chart draws.
    pub data: &'a D,
}

/// The mesh of `chart` in the house style: bold and light grid lines, tick labels at
/// [`TICK_PX`], axis titles at [`AXIS_TITLE_PX`]. The caller adds its axis titles and label
/// formatters (and may restyle a label axis), then draws it.
pub(crate) fn styled_mesh<'a, 'b, X, Y, DB>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
    DB: DrawingBackend,
{
    let (bold, light) = mesh_styles();
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(bold)
        .light_line_style(light)
        .label_style(tick_style())
        .axis_desc_style(axis_title_style());
    mesh
}

/// Most labelled ticks of a time axis.
pub(crate) const MAX_TIME_TICKS: usize = 13;

/// The time axis of a chart over simulated time, and its range in the axis's unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeFrame {
    /// The ticks and the unit they read in.
    pub axis: TimeAxis,
    /// Start, in `axis.unit`.
    pub x0: f64,
    /// End, in `axis.unit`.
    pub x1: f64,
}

impl TimeFrame {
    /// Over [`t0_s`, `t1_s`] seconds.
    pub fn new(t0_s: f64, t1_s: f64) -> Self {
        let axis = time_axis(t0_s, t1_s, MAX_TIME_TICKS);
        let (x0, x1) = (t0_s / axis.unit.seconds, t1_s / axis.unit.seconds);
        TimeFrame { axis, x0, x1 }
    }

    /// Over the times of the finite points of `series` (seconds), or the first minute when
    /// they span no time.
    pub fn spanning<'a>(series: impl IntoIterator<Item = &'a [(f64, f64)]> + Clone) -> Self {
        let times = || (series.clone().into_iter()).flat_map(finite).map(|p| p.0);
        let t0 = times().fold(f64::INFINITY, f64::min);
        let t1 = times().fold(f64::NEG_INFINITY, f64::max);
        if t0.is_finite() && t1 > t0 {
            Self::new(t0, t1)
        } else {
            Self::new(0.0, 60.0)
        }
    }

    /// `t_s` seconds in the axis's unit.
    pub fn x(&self, t_s: f64) -> f64 {
        t_s / self.axis.unit.seconds
    }

    /// The finite points of `points` (time in seconds, value), their time in the axis's unit.
    pub fn scaled(&self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        finite(points).map(|&(t, y)| (self.x(t), y)).collect()
    }

    /// The title of the time axis: "time (h)".
    pub fn desc(&self) -> String {
        format!("time ({})", self.axis.unit.name)
    }
}

/// The points of `points` whose coordinates are both finite.
pub(crate) fn finite(points: &[(f64, f64)]) -> impl Iterator<Item = &(f64, f64)> {
    points.iter().filter(|p| p.0.is_finite() && p.1.is_finite())
}

/// The largest value of `points` (0 for none).
pub(crate) fn max_value(points: &[(f64, f64)]) -> f64 {
    points.iter().map(|p| p.1).fold(0.0, f64::max)
}

/// Back-to-back intervals of equal length from a start, as the metrics count per interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Intervals {
    /// Start of the first interval (s).
    pub start_s: f64,
    /// Length of one (s).
    pub length_s: f64,
}

impl Intervals {
    /// Intervals of `length_s` from `start_s`; a non-finite start reads as 0, a length that is
    /// not finite and positive as 1 s (so broken inputs draw an empty chart, not an error).
    pub fn new(start_s: f64, length_s: f64) -> Self {
        Intervals {
            start_s: if start_s.is_finite() { start_s } else { 0.0 },
            length_s: if length_s.is_finite() && length_s > 0.0 {
                length_s
            } else {
                1.0
            },
        }
    }

    /// The start of interval `i` (s); `at(n)` is the end of the first n.
    pub fn at(&self, i: usize) -> f64 {
        self.start_s + i as f64 * self.length_s
    }

    /// The middle of interval `i` (s), where a count over it is drawn.
    pub fn middle(&self, i: usize) -> f64 {
        self.start_s + (i as f64 + 0.5) * self.length_s
    }

    /// The time frame of the first `n` intervals (of one, when `n` is 0).
    pub fn frame(&self, n: usize) -> TimeFrame {
        TimeFrame::new(self.start_s, self.start_s + self.length_s * n.max(1) as f64)
    }
}

/// A value axis from 0 to `top` with its labelled ticks and its title.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueAxis {
    /// The top of the axis.
    pub top: f64,
    /// Labelled ticks ([`linear_ticks`]).
    pub ticks: Vec<f64>,
    /// Axis title.
    pub desc: String,
}

impl ValueAxis {
    /// From 0 to `top`, at most about `max_ticks` ticks no closer than `min_step`.
    pub fn new(top: f64, max_ticks: usize, min_step: f64, desc: impl Into<String>) -> Self {
        ValueAxis {
            top,
            ticks: linear_ticks(0.0, top, max_ticks, min_step),
            desc: desc.into(),
        }
    }
}

/// Margins and label areas of a panel, in pixels. Every panel over time has 20 px on the
/// left and 60 px on the right, where the last time label overhangs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Margin above the plot.
    pub top: u32,
    /// Margin below the x labels.
    pub bottom: u32,
    /// Height of the time labels and title; 0: none (the panel below has them).
    pub x_labels: u32,
    /// Width of the y labels and title.
    pub y_labels: u32,
}

/// A chart's only panel.
pub(crate) const WHOLE: Layout = Layout {
    top: 10,
    bottom: 10,
    x_labels: 80,
    y_labels: 120,
};
/// The upper of two panels over one time axis: no time labels.
pub(crate) const UPPER: Layout = Layout {
    top: 10,
    bottom: 8,
    x_labels: 0,
    y_labels: 120,
};
/// The lower of two panels over one time axis.
pub(crate) const LOWER: Layout = Layout {
    top: 8,
    bottom: 10,
    x_labels: 80,
    y_labels: 120,
};

/// A panel's coordinates: time (in its frame's unit) against a value.
pub(crate) type TimeCoord = Cartesian2d<Ticked<RangedCoordf64>, Ticked<RangedCoordf64>>;

/// Builds a panel of `area` over `time` and `y` in `layout`, and draws its grid, its tick
/// labels and its axis titles (the time's only when the layout has room for them).
pub(crate) fn time_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    time: &TimeFrame,
    y: ValueAxis,
    layout: Layout,
) -> DrawResult<ChartContext<'a, DB, TimeCoord>> {
    let y_label = tick_labeller(&y.ticks);
    let time_label = |v: &f64| time.axis.label(*v);
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(60)
        .margin_top(layout.top)
        .margin_bottom(layout.bottom)
        .x_label_area_size(layout.x_labels)
        .y_label_area_size(layout.y_labels)
        .build_cartesian_2d(
            linear_axis(time.x0, time.x1, time.axis.ticks.clone()),
            linear_axis(0.0, y.top, y.ticks),
        )?;
    let mut mesh = styled_mesh(&mut chart);
    mesh.y_desc(y.desc).y_label_formatter(&y_label);
    if layout.x_labels > 0 {
        mesh.x_desc(time.desc()).x_label_formatter(&time_label);
    }
    mesh.draw()?;
    Ok(chart)
}

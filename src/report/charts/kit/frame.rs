//! What frames a plot: the title and subtitle header, the legend, series lines, notes, series colours.

use super::*;

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

pub(crate) const TITLE_Y: i32 = 18;
pub(crate) const SUBTITLE_Y: i32 = 70;
pub(crate) const LEGEND_Y: i32 = 122;
pub(crate) const HEADER_NO_LEGEND: u32 = 112;
pub(crate) const HEADER_WITH_LEGEND: u32 = 160;
pub(crate) const LEGEND_ROW_H: i32 = 36;
pub(crate) const LEGEND_MAX_ROWS: usize = 3;
pub(crate) const SWATCH_W: i32 = 40;

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

pub(crate) fn draw_swatch<DB: DrawingBackend>(
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

/// Colour of the `i`-th line of a chart whose lines are not warm, cold or throttled: the first
/// blue, the others the palette in order.
pub(crate) fn line_color(i: usize) -> RGBColor {
    match i {
        0 => WARM,
        _ => PALETTE[(i - 1) % PALETTE.len()],
    }
}

//! Sizes, colours and text styles of every chart.

use super::*;

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

pub(crate) const MESH_BOLD: RGBColor = RGBColor(205, 205, 205);
pub(crate) const MESH_LIGHT: RGBColor = RGBColor(236, 236, 236);

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

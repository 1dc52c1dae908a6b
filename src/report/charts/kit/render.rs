//! Output formats, the subtitle, errors, the embedded fonts and `render` (one figure into one file).

use super::*;

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

/// Shown under every chart title: `"scenario <name> · seed <seed> · <counted> counted"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartMeta {
    /// Scenario name.
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// The counted time span (after any warm-up), human-readable (e.g. "6h").
    pub counted: String,
}

impl ChartMeta {
    /// The subtitle line drawn under every chart title.
    pub fn subtitle(&self) -> String {
        format!(
            "scenario {} · seed {} · {} counted",
            self.scenario, self.seed, self.counted
        )
    }
}

/// Why a chart could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The folder that should hold the chart could not be created.
    #[error("cannot create the folder for chart {}: {message}", path.display())]
    Io {
        /// The chart file.
        path: PathBuf,
        /// The I/O error, as text.
        message: String,
    },
    /// The embedded font could not be loaded.
    #[error("cannot draw chart {}: embedded font failed to load: {message}", path.display())]
    Font {
        /// The chart file.
        path: PathBuf,
        /// The font loader's error, as text.
        message: String,
    },
    /// Drawing or writing the chart failed.
    #[error("cannot draw chart {}: {message}", path.display())]
    Draw {
        /// The chart file.
        path: PathBuf,
        /// The drawing backend's error, as text.
        message: String,
    },
}

pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
pub(crate) static FONT_BOLD_BYTES: &[u8] =
    include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

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

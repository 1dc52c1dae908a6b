//! Writes a sweep's report folder: `sweep.csv`, the charts, `report.html`, `scenario.toml`
//! and, with `--keep-points`, every point's own report under `points/`.

use super::folder::{write_atomically, write_file, ReportError};
use super::sweep_csv::sweep_csv;
#[cfg(feature = "charts")]
use super::sweep_figures::draw_sweep;
use super::sweep_html::{sweep_html, SweepPage};
use crate::sweep::SweepSummary;
use std::path::{Path, PathBuf};

/// What `write_sweep` needs besides the summary.
pub struct SweepOptions {
    /// Draw the charts.
    pub charts: bool,
    /// Also write SVG charts.
    pub svg: bool,
    /// Wall-clock seconds of this session's runs.
    pub wall_s: f64,
    /// Runs computed in this session.
    pub computed: usize,
    /// A folder of point reports (one subfolder per point) to move under `points/`.
    pub points_from: Option<PathBuf>,
}

/// Writes the whole report of a sweep into `out`, replacing it atomically (the sweep's
/// resume state inside it goes with the old contents).
pub fn write_sweep(
    out: &Path,
    summary: &SweepSummary,
    options: &SweepOptions,
) -> Result<(), ReportError> {
    write_atomically(out, |dir| {
        write_file(dir, "sweep.csv", &sweep_csv(summary))?;
        write_file(dir, "scenario.toml", summary.text.as_bytes())?;
        #[cfg(feature = "charts")]
        let charts = if options.charts {
            draw_sweep(dir, summary, options.svg)?
        } else {
            Vec::new()
        };
        // Built without the `charts` feature: the text outputs only.
        #[cfg(not(feature = "charts"))]
        let charts = Vec::new();
        let mut point_dirs = Vec::new();
        if let Some(from) = options.points_from.as_ref().filter(|p| p.is_dir()) {
            let to = dir.join("points");
            std::fs::rename(from, &to).map_err(|source| ReportError::Io {
                path: to.clone(),
                source,
            })?;
            let mut names: Vec<String> = std::fs::read_dir(&to)
                .map_err(|source| ReportError::Io {
                    path: to.clone(),
                    source,
                })?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect();
            names.sort();
            point_dirs = names;
        }
        let page = SweepPage {
            charts: &charts,
            wall_s: options.wall_s,
            computed: options.computed,
            point_dirs: &point_dirs,
        };
        write_file(dir, "report.html", &sweep_html(summary, &page))
    })
}

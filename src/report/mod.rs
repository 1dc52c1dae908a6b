//! Output writers: the only module that writes result files. Each writer turns results into
//! bytes; `write` puts them in place atomically.

mod capacity_csv;
#[cfg(feature = "charts")]
pub mod charts;
#[cfg(feature = "charts")]
mod figures;
mod folder;
mod functions_csv;
mod hosts_csv;
mod html;
mod outdir;
mod sweep_csv;
#[cfg(feature = "charts")]
mod sweep_figures;
mod sweep_html;
mod sweep_memory_sizing;
mod sweep_part;
mod sweep_state;
mod sweep_table;
mod sweep_write;
mod table;
mod timeseries_csv;

pub use capacity_csv::capacity_csv;
#[cfg(feature = "charts")]
pub use figures::{draw, RunChart, RunData, CHARTS};
pub use folder::{write_atomically, write_file, write_streamed, ReportError};
pub use functions_csv::functions_csv;
pub use hosts_csv::hosts_csv;
pub use html::{report_html, Figure, Page};
pub use outdir::{prepare, split as split_out, OutError, OutLock, MARKER, NAME_MAX};
pub use sweep_csv::{fmt_figure, sweep_csv};
#[cfg(feature = "charts")]
pub use sweep_figures::{chart_meta, draw_sweep, SweepChartDef, SweepFigure, SWEEP_CHARTS};
pub use sweep_html::{charted_metrics, sweep_html, SweepChart, SweepPage};
pub use sweep_part::{
    copy_folder, parse_record, read_part, record_bytes, write_part, Part, PartError, PartManifest,
    PART_FILE, PART_FORMAT,
};
pub use sweep_state::{SweepState, STATE_DIR};
pub use sweep_table::sweep_table;
pub use sweep_write::{write_sweep, SweepOptions};
pub use table::table;
pub use timeseries_csv::{timeseries_csv, write_timeseries_csv};

use crate::metrics::Summary;
use crate::scenario::Loaded;
use crate::simulation::Results;
use std::path::Path;

/// `summary.json`: pretty-printed, newline-terminated, byte-identical for the same run.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(summary).expect("summary has only finite numbers and strings");
    bytes.push(b'\n');
    bytes
}

/// What `write` needs besides the results.
pub struct Options {
    /// Draw the charts.
    pub charts: bool,
    /// Also write SVG charts.
    pub svg: bool,
    /// Wall-clock seconds of the simulation, shown in the report; `None` for a sweep point,
    /// whose run is not timed apart.
    pub wall_s: Option<f64>,
}

/// Writes the whole report of one run into `out`, replacing it atomically.
pub fn write(
    out: &Path,
    loaded: &Loaded,
    results: &Results,
    summary: &Summary,
    options: &Options,
) -> Result<(), ReportError> {
    let scenario = &loaded.scenario;
    write_atomically(out, |dir| {
        write_file(dir, "summary.json", &summary_json(summary))?;
        write_file(dir, "functions.csv", &functions_csv(summary))?;
        if let Some(bytes) = hosts_csv(summary) {
            write_file(dir, "hosts.csv", &bytes)?;
        }
        let names: Vec<String> = scenario.functions.iter().map(|f| f.name.clone()).collect();
        write_streamed(dir, "timeseries.csv", |out| {
            write_timeseries_csv(out, &results.series, &names).map_err(std::io::Error::from)
        })?;
        let text = crate::scenario::text_as_run(&loaded.text, &scenario.name, scenario.seed);
        write_file(dir, "scenario.toml", text.as_bytes())?;
        if let Some(bytes) = capacity_csv(scenario, results) {
            write_file(dir, "capacity_providers.csv", &bytes)?;
        }
        #[cfg(feature = "charts")]
        let drawn = if options.charts {
            draw(dir, scenario, results, summary, options.svg)?
        } else {
            Vec::new()
        };
        // Built without the `charts` feature: the text outputs only.
        #[cfg(not(feature = "charts"))]
        let drawn = Vec::new();
        let providers: Vec<Option<&str>> = (scenario.functions.iter())
            .map(|f| {
                let m = f.managed.as_ref()?;
                let p = scenario.capacity_providers.get(m.provider as usize)?;
                Some(p.name.as_str())
            })
            .collect();
        let page = Page {
            scenario_text: &loaded.text,
            origin: &loaded.origin.display().to_string(),
            description: &scenario.description,
            wall_s: options.wall_s,
            requests: results.arrivals,
            charts: &drawn,
            providers: &providers,
        };
        write_file(dir, "report.html", &report_html(summary, &page))
    })
}

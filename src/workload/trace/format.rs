//! What a trace format is to the rest of coldsim: a [`Format`] descriptor (its name, what it
//! reads, the options it takes and how it checks them) and the [`Layout`] its check returns (the
//! files, how to scan and open them). The built-in formats are listed in [`super::FORMATS`];
//! validation and replay iterate that list and call these traits, never naming a format.

use super::{HuaweiCounts, Spread, TimeUnit};
use super::{Replay, Scan, TraceError, TraceSource, TraceSpec};
use crate::engine::rng::Rng;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A trace format: one per file of `workload/trace/`, listed in [`super::FORMATS`].
pub trait Format: Sync {
    /// Its name, the value of a trace's `format` option (`csv`, `azure2019`, …).
    fn name(&self) -> &'static str;
    /// What it reads, one sentence (the schema's description of its `format` value).
    fn reads(&self) -> &'static str;
    /// The options of [`OPTIONS`] it takes; validation names any other one that is set.
    fn options(&self) -> &'static [&'static str];
    /// One request per row (a `rate_scale` above 1 would copy requests), rather than counts
    /// per interval.
    fn per_request(&self) -> bool;
    /// Its files are found in a folder named by `dir` (else `path` or `paths` name them).
    fn in_folder(&self) -> bool {
        false
    }
    /// How many leading parts of a function's key name its app (`None`: the trace has no apps).
    fn app_parts(&self) -> Option<usize> {
        None
    }
    /// Checks the format's own options, reporting every problem to `check`; `None` when one
    /// is wrong.
    fn layout(&self, options: &Options, check: &mut dyn Check) -> Option<FormatSpec>;
}

/// The options of a trace that belong to some formats and not others, in the order validation
/// reports misplaced ones. Each [`Format::options`] lists those it takes.
pub const OPTIONS: [&str; 13] = [
    "path",
    "paths",
    "dir",
    "days",
    "timestamp",
    "time_unit",
    "function_column",
    "duration_column",
    "duration_unit",
    "counts",
    "spread",
    "trigger",
    "sort_window",
];

/// Where a format's check reports problems: the scenario's validation.
pub trait Check {
    /// Records a problem with the option at `field` (a dotted path such as `trace.days`).
    fn problem(&mut self, field: String, message: String);
    /// Nanoseconds per `unit` (`ms`, `s`, …), read as the scenario reads time units; `None`
    /// after reporting an unknown unit at `field`.
    fn time_unit_ns(&mut self, unit: &str, field: &str) -> Option<f64>;
}

/// A trace's options as written, for its format to check.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Field path of the trace (`trace`, or `functions.N.arrivals`), to name options by.
    pub at: &'a str,
    /// Folder relative paths resolve against (the scenario file's).
    pub base_dir: &'a Path,
    /// `path`.
    pub path: Option<&'a str>,
    /// `paths`.
    pub paths: Option<&'a [String]>,
    /// `dir`.
    pub dir: Option<&'a str>,
    /// `days`.
    pub days: Option<&'a [u32]>,
    /// `timestamp`.
    pub timestamp: Option<&'a str>,
    /// `time_unit`.
    pub time_unit: Option<TimeUnit>,
    /// `function_column`.
    pub function_column: Option<&'a str>,
    /// `duration_column`.
    pub duration_column: Option<&'a str>,
    /// `duration_unit`.
    pub duration_unit: Option<&'a str>,
    /// `counts`.
    pub counts: Option<HuaweiCounts>,
    /// `spread`.
    pub spread: Option<Spread>,
}

impl Options<'_> {
    /// The files named by `path` or `paths`, resolved; `None` after reporting that neither,
    /// both or an empty list is given (`format` names the format in the message).
    pub fn files(&self, format: &str, check: &mut dyn Check) -> Option<Vec<PathBuf>> {
        let at = self.at;
        match (self.path, self.paths) {
            (Some(p), None) => Some(vec![self.base_dir.join(p)]),
            (None, Some(ps)) if !ps.is_empty() => {
                Some(ps.iter().map(|p| self.base_dir.join(p)).collect())
            }
            (None, Some(_)) => {
                check.problem(
                    format!("{at}.paths"),
                    "is empty: list at least one file".into(),
                );
                None
            }
            (Some(_), Some(_)) => {
                check.problem(
                    format!("{at}.paths"),
                    "give either `path` (one file) or `paths` (several), not both".into(),
                );
                None
            }
            (None, None) => {
                check.problem(
                    format!("{at}.path"),
                    format!(
                        "a {format} trace needs `path`: the file, relative to the scenario file"
                    ),
                );
                None
            }
        }
    }

    /// `spread`, uniform when not given.
    pub fn spread(&self) -> Spread {
        self.spread.unwrap_or(Spread::Uniform)
    }
}

/// A checked trace layout: which files a format reads and how, as [`Format::layout`] made it.
pub trait Layout: fmt::Debug + Send + Sync {
    /// Its format.
    fn format(&self) -> &'static dyn Format;
    /// The files read, to tell traces that share them apart from those that do not.
    fn files(&self) -> Vec<PathBuf>;
    /// Every file a replay may read: [`Layout::files`] and any side file it reads when present.
    fn inputs(&self) -> Vec<PathBuf> {
        self.files()
    }
    /// Reads the whole trace once, as validation does (see [`super::scan`]); the functions'
    /// names are given after.
    fn scan(&self, replay: &Replay) -> Result<Scan, TraceError>;
    /// Opens a reader of `trace` (whose format is this one) with random stream `rng`. Called
    /// once per replay: the reader it returns is a concrete type, so reading rows is not
    /// dispatched through this trait.
    fn open(&self, trace: &TraceSpec, rng: Rng) -> Result<Box<dyn TraceSource>, TraceError>;
    /// Rows name their function (a generic CSV without `function_column` does not).
    fn names_functions(&self) -> bool {
        true
    }
    /// A function's own trace may leave out `function` and replay every row (generic CSV).
    fn replays_all_rows(&self) -> bool {
        false
    }
    /// Where function names are, for a message about a name not found: e.g. "column `func`",
    /// and the first file.
    fn names_at(&self) -> (String, PathBuf);
    /// The trace records each request's execution time (or percentiles of it).
    fn records_execution(&self) -> bool;
}

/// A checked trace layout of any format (see [`Layout`]; it dereferences to it).
#[derive(Clone, Debug)]
pub struct FormatSpec(Arc<dyn Layout>);

impl FormatSpec {
    /// Wraps a format's layout, e.g. `FormatSpec::new(CsvSpec { … })`.
    pub fn new(layout: impl Layout + 'static) -> FormatSpec {
        FormatSpec(Arc::new(layout))
    }
}

impl std::ops::Deref for FormatSpec {
    type Target = dyn Layout;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

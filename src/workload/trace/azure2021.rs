//! Azure Functions 2021 invocation trace (Zhang et al., "Faster and Cheaper Serverless Computing
//! on Harvested Resources", SOSP'21): `app,func,end_timestamp,duration`, one request per row,
//! times in seconds from the trace start. A request arrived at `end_timestamp − duration`;
//! `duration` is its execution time. Rows in end-time order give arrivals out of order by up to
//! the longest execution: the reorder window (`sort_window`) puts them back, and a row beyond it
//! is reported with its line.

use super::csv::{scan, Layout, RequestSource};
use super::{
    Check, Format, FormatSpec, Layout as TraceLayout, Matcher, Options, Replay, Scan, TimeUnit,
    TraceError, TraceSource, TraceSpec,
};
use crate::engine::rng::Rng;
use std::path::PathBuf;

/// The expected header.
const HEADER: &str = "app,func,end_timestamp,duration";

/// The fixed column layout of the 2021 trace.
fn layout() -> Layout {
    Layout {
        time_column: "end_timestamp".into(),
        time_unit: TimeUnit::Seconds,
        key_columns: vec!["app".into(), "func".into()],
        duration_column: Some("duration".into()),
        duration_ns_per_unit: 1e9,
        time_is_end: true,
        fixed_header: Some(HEADER),
    }
}

/// The Azure Functions 2021 format, `format = "azure2021"`.
pub struct Azure2021;

impl Format for Azure2021 {
    fn name(&self) -> &'static str {
        "azure2021"
    }

    fn reads(&self) -> &'static str {
        "Azure Functions 2021: `app,func,end_timestamp,duration` (seconds), one request per row."
    }

    fn options(&self) -> &'static [&'static str] {
        &["path", "paths", "sort_window"]
    }

    fn per_request(&self) -> bool {
        true
    }

    fn app_parts(&self) -> Option<usize> {
        Some(1)
    }

    fn layout(&self, o: &Options, check: &mut dyn Check) -> Option<FormatSpec> {
        Some(FormatSpec::new(Azure2021Spec {
            paths: o.files(self.name(), check)?,
        }))
    }
}

/// Azure Functions 2021 files.
#[derive(Clone, Debug)]
pub struct Azure2021Spec {
    /// Files replayed one after another.
    pub paths: Vec<PathBuf>,
}

impl TraceLayout for Azure2021Spec {
    fn format(&self) -> &'static dyn Format {
        &Azure2021
    }

    fn files(&self) -> Vec<PathBuf> {
        self.paths.clone()
    }

    fn scan(&self, replay: &Replay) -> Result<Scan, TraceError> {
        scan(layout(), &self.paths, replay)
    }

    fn open(&self, trace: &TraceSpec, rng: Rng) -> Result<Box<dyn TraceSource>, TraceError> {
        let matcher = Matcher::new(&trace.select);
        Ok(Box::new(RequestSource::new(
            layout(),
            self.paths.clone(),
            trace,
            matcher,
            rng,
        )?))
    }

    fn names_at(&self) -> (String, PathBuf) {
        ("column `func`".into(), self.paths[0].clone())
    }

    fn records_execution(&self) -> bool {
        true
    }
}

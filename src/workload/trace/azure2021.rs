//! Azure Functions 2021 invocation trace (Zhang et al., "Faster and Cheaper Serverless Computing
//! on Harvested Resources", SOSP'21): `app,func,end_timestamp,duration`, one request per row,
//! times in seconds from the trace start. A request arrived at `end_timestamp − duration`;
//! `duration` is its execution time. Rows in end-time order give arrivals out of order by up to
//! the longest execution: the reorder window (`sort_window`) puts them back, and a row beyond it
//! is reported with its line.

use super::csv::Layout;
use super::TimeUnit;

/// The expected header.
pub const HEADER: &str = "app,func,end_timestamp,duration";

/// The fixed column layout of the 2021 trace.
pub fn layout() -> Layout {
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

//! Output writers: the only module that writes result files. Each writer turns results into
//! bytes; `write` puts them in place atomically.

pub mod charts;
mod folder;
mod functions_csv;
mod table;

pub use folder::{write_atomically, write_file, ReportError};
pub use functions_csv::functions_csv;
pub use table::table;

use crate::metrics::Summary;

/// `summary.json`: pretty-printed, newline-terminated, byte-identical for the same run.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(summary).expect("summary has only finite numbers and strings");
    bytes.push(b'\n');
    bytes
}

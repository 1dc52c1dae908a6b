//! `TraceError`: everything that can be wrong with a trace file. Each variant names the file,
//! the line (1-based, the header is line 1) and column where it applies, and what to do.

use std::path::PathBuf;

/// Why a trace cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file cannot be opened or read.
    #[error("cannot read trace file {}: {source}; check the path (a relative path is resolved against the scenario file's folder)", path.display())]
    Open {
        /// The trace file, as given (resolved against the scenario's folder).
        path: PathBuf,
        /// The I/O error that stopped the read.
        #[source]
        source: std::io::Error,
    },
    /// The CSV structure is broken (e.g. a row with a different number of fields).
    #[error("{}: line {line}: {message}", path.display())]
    Malformed {
        /// The trace file.
        path: PathBuf,
        /// 1-based line of the broken row (the header is line 1; 0 if unknown).
        line: u64,
        /// What is wrong, from the CSV reader.
        message: String,
    },
    /// No header line, or no data row.
    #[error("{}: {what}; a trace needs a header line and at least one data row", path.display())]
    Empty {
        /// The trace file.
        path: PathBuf,
        /// What is missing: the header or a data row.
        what: &'static str,
    },
    /// A column the format needs is not in the header.
    #[error("{}: line 1: no column `{column}` (the header has: {found}); {hint}", path.display())]
    MissingColumn {
        /// The trace file.
        path: PathBuf,
        /// The column the format needs.
        column: String,
        /// The header's columns, comma-separated (at most 12).
        found: String,
        /// What to do, e.g. which `format` or column mapping fits.
        hint: String,
    },
    /// A cell holds a value the format does not allow.
    #[error("{}: line {line}, column {column}: {problem}; fix the row, or set `lenient = true` to skip bad rows (they are counted in summary.json)", path.display())]
    BadValue {
        /// The trace file.
        path: PathBuf,
        /// 1-based line of the row.
        line: u64,
        /// The cell's column: its 1-based index and header name.
        column: String,
        /// What is wrong with the value, quoting it.
        problem: String,
    },
    /// A row is earlier than an arrival already replayed: the file is not in time order.
    #[error("{}: line {line}: its time is earlier than that of line {replayed_line}, already replayed; rows must be in time order within `sort_window` = {window} rows: sort the file by time, raise `sort_window`, or set `lenient = true` to skip such rows", path.display())]
    Unsorted {
        /// The trace file.
        path: PathBuf,
        /// 1-based line of the out-of-order row.
        line: u64,
        /// 1-based line of the later arrival already replayed.
        replayed_line: u64,
        /// The trace's `sort_window`, in rows.
        window: usize,
    },
    /// A per-interval file's rows are not at least one interval apart (rows out of order, day
    /// files listed out of order, or the wrong `counts`).
    #[error("{}: line {line}: time {time_s} s is less than one interval ({width_s} s) after the previous row's {previous_s} s; rows must be in increasing time, one interval apart or more (check `counts`), and day files listed in order", path.display())]
    TimeWentBack {
        /// The trace file.
        path: PathBuf,
        /// 1-based line of the row.
        line: u64,
        /// The row's time, in seconds from the trace's start.
        time_s: f64,
        /// The previous row's time, in seconds.
        previous_s: f64,
        /// The interval width implied by `counts`, in seconds.
        width_s: f64,
    },
    /// One interval asks for more requests than a replay expands at once.
    #[error("{}: {place} holds {requests} requests after `rate_scale`, more than the {limit} a replay expands at once (16 bytes each); lower `rate_scale`, or check the counts", path.display())]
    IntervalTooFull {
        /// The trace file.
        path: PathBuf,
        /// Where the interval is, e.g. a line and column.
        place: String,
        /// Requests the interval holds after `rate_scale`.
        requests: u64,
        /// The most requests a replay expands at once.
        limit: u64,
    },
    /// The selected function does not occur in the trace.
    #[error("{}: no row has {column} = `{value}`; check the name (it is case-sensitive)", path.display())]
    NoSuchFunction {
        /// The trace file.
        path: PathBuf,
        /// The column that names functions.
        column: String,
        /// The function name looked for.
        value: String,
    },
}

impl TraceError {
    pub(super) fn open(path: &std::path::Path, source: std::io::Error) -> TraceError {
        TraceError::Open {
            path: path.to_owned(),
            source,
        }
    }

    /// From a `csv` crate error while reading `path`.
    pub(super) fn csv(path: &std::path::Path, e: ::csv::Error) -> TraceError {
        let line = e.position().map_or(0, |p| p.line());
        match e.into_kind() {
            ::csv::ErrorKind::Io(source) => TraceError::Open { path: path.to_owned(), source },
            ::csv::ErrorKind::UnequalLengths { expected_len, len, .. } => TraceError::Malformed {
                path: path.to_owned(),
                line,
                message: format!("the row has {len} fields but the header has {expected_len}; every row needs one value per column"),
            },
            other => TraceError::Malformed { path: path.to_owned(), line, message: format!("{other:?}") },
        }
    }
}

/// Names a column for messages: `3 (\`duration\`)`.
pub(super) fn column_name(index: usize, header: &[u8]) -> String {
    format!("{} (`{}`)", index + 1, String::from_utf8_lossy(header))
}

/// Shows a cell in a message: lossy UTF-8, trimmed to 40 characters.
pub(super) fn shown(cell: &[u8]) -> String {
    let s = String::from_utf8_lossy(cell);
    if s.chars().count() > 40 {
        format!("`{}…`", s.chars().take(40).collect::<String>())
    } else {
        format!("`{s}`")
    }
}

/// The header's columns for a "no column" message (at most 12 of them).
pub(super) fn header_list(headers: &::csv::ByteRecord) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .take(12)
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if headers.len() > 12 {
        names.push(format!("… {} more", headers.len() - 12));
    }
    names.join(", ")
}

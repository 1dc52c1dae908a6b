//! Per-request CSV traces: one row per request, a timestamp column, optional function and
//! duration columns. Rows are read lazily into one reused `ByteRecord` and pass through a
//! bounded reorder window, so memory does not grow with the file.
//!
//! The reader serves every per-request format (see `azure2021.rs`, which gives it a fixed
//! [`Layout`]); this file is also the generic `csv` format ([`Csv`], [`CsvSpec`]).

use super::cells::{self, time_expected};
use super::error::{column_name, header_list};
use super::reorder::{Pending, Reorder};
use super::{
    Arrival, Check, Clock, Format, FormatSpec, Found, Layout as TraceLayout, Matcher, Options,
    Replay, Scan, TimeUnit, TraceError, TraceSource, TraceSpec,
};
use crate::engine::rng::Rng;
use crate::engine::SimDuration;
use ::csv::{ByteRecord, ReaderBuilder};
use rand::Rng as _;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Which columns a per-request format uses and how to read them.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    /// Header of the timestamp column.
    pub time_column: String,
    /// How timestamps are written.
    pub time_unit: TimeUnit,
    /// Headers of the columns that identify a function (none: every row is one function).
    pub key_columns: Vec<String>,
    /// Header of the execution time column.
    pub duration_column: Option<String>,
    /// Nanoseconds per unit of the duration column.
    pub duration_ns_per_unit: f64,
    /// The timestamp is when the request ended: it arrived at timestamp − duration.
    pub time_is_end: bool,
    /// For messages about a missing column: the expected header of a fixed-layout format.
    pub fixed_header: Option<&'static str>,
}

impl Layout {
    /// The layout of a generic CSV trace.
    fn of_csv(spec: &CsvSpec) -> Layout {
        Layout {
            time_column: spec.timestamp.clone(),
            time_unit: spec.time_unit,
            key_columns: spec.function_column.iter().cloned().collect(),
            duration_column: spec.duration_column.clone(),
            duration_ns_per_unit: spec.duration_ns_per_unit,
            time_is_end: false,
            fixed_header: None,
        }
    }

    fn hint(&self, option: &str) -> String {
        match self.fixed_header {
            Some(h) => format!("this format's header is `{h}`"),
            None => format!("set `{option}` to the header of the column to use"),
        }
    }
}

/// Column positions in the current file.
#[derive(Debug)]
struct Columns {
    time: usize,
    keys: [usize; 3],
    n_keys: usize,
    duration: Option<usize>,
}

struct OpenFile {
    path: PathBuf,
    reader: ::csv::Reader<BufReader<crate::input::LineLimit<File>>>,
    headers: ByteRecord,
    cols: Columns,
    rows: u64,
}

/// Streams the requests of per-request CSV files.
pub(super) struct RequestSource {
    layout: Layout,
    paths: Vec<PathBuf>,
    next_path: usize,
    file: Option<OpenFile>,
    /// All files read to the end.
    done: bool,
    record: ByteRecord,
    matcher: Matcher,
    key: Vec<u8>,
    /// Scenario index of slot 0.
    first: u32,
    /// Per slot: use the trace's execution times (`None`: all).
    trace_execution: Option<Vec<bool>>,
    reorder: Reorder,
    replay: Replay,
    clock: Option<Clock>,
    /// Earliest valid row time read before the first arrival was released: the origin.
    earliest: Option<i64>,
    rng: Rng,
    skipped: u64,
}

impl RequestSource {
    /// A reader of `paths` feeding the functions of `spec.select`.
    pub(super) fn new(
        layout: Layout,
        paths: Vec<PathBuf>,
        spec: &TraceSpec,
        matcher: Matcher,
        rng: Rng,
    ) -> Result<Self, TraceError> {
        let trace_execution = Some(
            (0..spec.select.len())
                .map(|i| spec.select.trace_execution(i))
                .collect(),
        );
        let mut s = Self::with(layout, paths, &spec.replay, matcher, rng);
        s.first = spec.select.first();
        s.trace_execution = trace_execution;
        s.open_next()?;
        Ok(s)
    }

    fn with(
        layout: Layout,
        paths: Vec<PathBuf>,
        replay: &Replay,
        matcher: Matcher,
        rng: Rng,
    ) -> Self {
        RequestSource {
            layout,
            paths,
            next_path: 0,
            file: None,
            done: false,
            record: ByteRecord::new(),
            matcher,
            key: Vec::new(),
            first: 0,
            trace_execution: None,
            reorder: Reorder::new(replay.sort_window),
            replay: *replay,
            clock: None,
            earliest: None,
            rng,
            skipped: 0,
        }
    }

    /// Opens the next file and resolves its columns; sets `done` after the last.
    fn open_next(&mut self) -> Result<(), TraceError> {
        let Some(path) = self.paths.get(self.next_path).cloned() else {
            self.done = true;
            return Ok(());
        };
        self.next_path += 1;
        let file = crate::input::open_lines(&path).map_err(|e| TraceError::open(&path, e))?;
        let mut reader = ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let headers = reader
            .byte_headers()
            .map_err(|e| TraceError::csv(&path, e))?
            .clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].trim_ascii().is_empty()) {
            return Err(TraceError::Empty {
                path,
                what: "the file is empty",
            });
        }
        let find = |name: &str, option: &str| -> Result<usize, TraceError> {
            headers
                .iter()
                .position(|h| h.trim_ascii() == name.as_bytes())
                .ok_or_else(|| TraceError::MissingColumn {
                    path: path.clone(),
                    column: name.to_owned(),
                    found: header_list(&headers),
                    hint: self.layout.hint(option),
                })
        };
        let time = find(&self.layout.time_column, "timestamp")?;
        let mut keys = [0; 3];
        for (i, k) in self.layout.key_columns.iter().enumerate().take(3) {
            keys[i] = find(k, "function_column")?;
        }
        let duration = match &self.layout.duration_column {
            Some(d) => Some(find(d, "duration_column")?),
            None => None,
        };
        let cols = Columns {
            time,
            keys,
            n_keys: self.layout.key_columns.len().min(3),
            duration,
        };
        self.file = Some(OpenFile {
            path,
            reader,
            headers,
            cols,
            rows: 0,
        });
        Ok(())
    }

    /// Reads one row into the window (or moves to the next file).
    fn read_row(&mut self) -> Result<(), TraceError> {
        let Some(f) = self.file.as_mut() else {
            return self.open_next();
        };
        match f.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                f.rows += 1;
                self.take_row()
            }
            Ok(false) => {
                let f = self.file.take().expect("a file is open");
                if f.rows == 0 {
                    return Err(TraceError::Empty {
                        path: f.path,
                        what: "the file has a header but no data rows",
                    });
                }
                self.open_next()
            }
            Err(e) => {
                let e = TraceError::csv(&f.path, e);
                if matches!(e, TraceError::Malformed { .. }) && self.replay.lenient {
                    f.rows += 1;
                    self.skipped += 1;
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    fn skip_or(&mut self, e: TraceError) -> Result<(), TraceError> {
        if self.replay.lenient {
            self.skipped += 1;
            Ok(())
        } else {
            Err(e)
        }
    }

    fn take_row(&mut self) -> Result<(), TraceError> {
        let f = self.file.as_ref().expect("a row was just read");
        let rec = &self.record;
        let line = rec.position().map_or(0, |p| p.line());
        let c = &f.cols;
        let mut cells: [&[u8]; 3] = [b""; 3];
        for (i, cell) in cells.iter_mut().enumerate().take(c.n_keys) {
            *cell = &rec[c.keys[i]];
        }
        let slot = match self.matcher.slot(&cells[..c.n_keys], &mut self.key) {
            Ok(s) => s,
            Err(()) => {
                let col = c.keys[c.n_keys - 1];
                let e = TraceError::BadValue {
                    path: f.path.clone(),
                    line,
                    column: column_name(col, &f.headers[col]),
                    problem: cells::bad(&rec[col], "a function name"),
                };
                return self.skip_or(e);
            }
        };
        if slot.is_none() && self.clock.is_some() {
            // Not selected, and the origin is fixed: nothing to learn from this row.
            return Ok(());
        }
        let bad = |col: usize, expected: &str| TraceError::BadValue {
            path: f.path.clone(),
            line,
            column: column_name(col, &f.headers[col]),
            problem: cells::bad(&rec[col], expected),
        };
        let Some(mut t) = cells::time_ns(&rec[c.time], self.layout.time_unit) else {
            let e = bad(c.time, time_expected(self.layout.time_unit));
            return self.skip_or(e);
        };
        let mut execution_ns = u64::MAX;
        if let Some(d) = c.duration {
            match cells::number(&rec[d]) {
                Some(v) if v.is_finite() && v >= 0.0 => {
                    let ns = SimDuration::from_nanos_f64(v * self.layout.duration_ns_per_unit).0;
                    execution_ns = ns.min(u64::MAX - 1);
                    if self.layout.time_is_end {
                        t = t.saturating_sub(ns.min(i64::MAX as u64) as i64);
                    }
                }
                Some(v) if v.is_finite() => {
                    let e = TraceError::BadValue {
                        path: f.path.clone(),
                        line,
                        column: column_name(d, &f.headers[d]),
                        problem: format!("the duration {v} is negative"),
                    };
                    return self.skip_or(e);
                }
                _ => {
                    let e = bad(d, "a duration (a number ≥ 0)");
                    return self.skip_or(e);
                }
            }
        }
        if self.clock.is_none() {
            self.earliest = Some(self.earliest.map_or(t, |e| e.min(t)));
        }
        let Some(slot) = slot else { return Ok(()) };
        if self.replay.rate_scale < 1.0 && self.rng.random::<f64>() >= self.replay.rate_scale {
            return Ok(());
        }
        if let Err(replayed_line) = self.reorder.push(t, line, slot, execution_ns) {
            let e = TraceError::Unsorted {
                path: f.path.clone(),
                line,
                replayed_line,
                window: self.replay.sort_window,
            };
            return self.skip_or(e);
        }
        Ok(())
    }

    fn emit(&mut self, p: Pending) -> Arrival {
        let clock = *self
            .clock
            .get_or_insert_with(|| Clock::new(self.earliest.unwrap_or(p.t).min(p.t), &self.replay));
        let use_exec = match &self.trace_execution {
            Some(v) => v[p.slot as usize],
            None => true,
        };
        Arrival {
            at: clock.at(p.t),
            function: self.first + p.slot,
            execution: (use_exec && p.execution_ns != u64::MAX)
                .then_some(SimDuration(p.execution_ns)),
        }
    }
}

impl TraceSource for RequestSource {
    fn next(&mut self) -> Result<Option<Arrival>, TraceError> {
        loop {
            if let Some(p) = self.reorder.pop_full() {
                return Ok(Some(self.emit(p)));
            }
            if self.done {
                return Ok(self.reorder.pop().map(|p| self.emit(p)));
            }
            self.read_row()?;
        }
    }

    fn rows_skipped(&self) -> u64 {
        self.skipped
    }
}

/// One pass over per-request files: every row is checked, every function counted.
pub(super) fn scan(layout: Layout, paths: &[PathBuf], replay: &Replay) -> Result<Scan, TraceError> {
    let keyless = layout.key_columns.is_empty();
    let replay = Replay {
        rate_scale: 1.0,
        start: SimDuration::ZERO,
        time_scale: 1.0,
        ..*replay
    };
    let matcher = if keyless {
        Matcher::All
    } else {
        Matcher::Discover(HashMap::new())
    };
    let mut s = RequestSource::with(
        layout,
        paths.to_vec(),
        &replay,
        matcher,
        crate::engine::rng::stream(0, 0, 0),
    );
    s.open_next()?;
    let mut counts: Vec<u64> = Vec::new();
    let (mut first, mut last) = (None, None);
    while let Some(a) = s.next()? {
        let i = a.function as usize;
        if i >= counts.len() {
            counts.resize(i + 1, 0);
        }
        counts[i] += 1;
        first.get_or_insert(a.at);
        last = Some(a.at);
    }
    let keys = if keyless {
        vec![stem(&paths[0])]
    } else {
        std::mem::replace(&mut s.matcher, Matcher::All).discovered()
    };
    counts.resize(keys.len(), 0);
    Ok(Scan {
        functions: keys
            .into_iter()
            .zip(counts)
            .map(|(key, n)| Found {
                name: key.clone(),
                key,
                requests: n as f64,
                trigger: None,
                days_without_durations: 0,
                app_memory_mb: None,
            })
            .collect(),
        span_s: match (first, last) {
            (Some(a), Some(b)) => b.since(a).as_secs_f64(),
            _ => 0.0,
        },
        rows_skipped: s.skipped,
    })
}

/// The file name without extension, to name the one function of a trace without a function column.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trace".into())
}

/// The generic per-request CSV format, `format = "csv"`.
pub struct Csv;

impl Format for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn reads(&self) -> &'static str {
        "Any CSV with one request per row: `timestamp`, optional `function_column`, `duration_column`."
    }

    fn options(&self) -> &'static [&'static str] {
        &[
            "path",
            "paths",
            "timestamp",
            "time_unit",
            "function_column",
            "duration_column",
            "duration_unit",
            "sort_window",
        ]
    }

    fn per_request(&self) -> bool {
        true
    }

    fn layout(&self, o: &Options, check: &mut dyn Check) -> Option<FormatSpec> {
        let duration_ns_per_unit = match o.duration_unit {
            None => 1e6,
            Some(u) => check.time_unit_ns(u, &format!("{}.duration_unit", o.at))?,
        };
        Some(FormatSpec::new(CsvSpec {
            paths: o.files(self.name(), check)?,
            timestamp: o.timestamp.unwrap_or("timestamp").to_owned(),
            time_unit: o.time_unit.unwrap_or(TimeUnit::Seconds),
            function_column: o.function_column.map(str::to_owned),
            duration_column: o.duration_column.map(str::to_owned),
            duration_ns_per_unit,
        }))
    }
}

/// A generic per-request CSV.
#[derive(Clone, Debug)]
pub struct CsvSpec {
    /// Files replayed one after another (times continue across them).
    pub paths: Vec<PathBuf>,
    /// Header of the timestamp column.
    pub timestamp: String,
    /// How timestamps are written.
    pub time_unit: TimeUnit,
    /// Header of the column naming the function; `None`: every row is one function.
    pub function_column: Option<String>,
    /// Header of a column with each request's execution time.
    pub duration_column: Option<String>,
    /// Nanoseconds per unit of the duration column.
    pub duration_ns_per_unit: f64,
}

impl TraceLayout for CsvSpec {
    fn format(&self) -> &'static dyn Format {
        &Csv
    }

    fn files(&self) -> Vec<PathBuf> {
        self.paths.clone()
    }

    fn scan(&self, replay: &Replay) -> Result<Scan, TraceError> {
        scan(Layout::of_csv(self), &self.paths, replay)
    }

    fn open(&self, trace: &TraceSpec, rng: Rng) -> Result<Box<dyn TraceSource>, TraceError> {
        let matcher = Matcher::new(&trace.select);
        Ok(Box::new(RequestSource::new(
            Layout::of_csv(self),
            self.paths.clone(),
            trace,
            matcher,
            rng,
        )?))
    }

    fn names_functions(&self) -> bool {
        self.function_column.is_some()
    }

    fn replays_all_rows(&self) -> bool {
        true
    }

    fn names_at(&self) -> (String, PathBuf) {
        (
            format!(
                "column `{}`",
                self.function_column.clone().unwrap_or_default()
            ),
            self.paths[0].clone(),
        )
    }

    fn records_execution(&self) -> bool {
        self.duration_column.is_some()
    }
}

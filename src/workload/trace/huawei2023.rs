//! Huawei 2023 public trace (Joosen et al., "How Does It Function?", SoCC'23): one wide CSV per
//! day, `day,time,<one column per function>`, `time` in seconds from the trace start, values the
//! requests of each function in that minute (`requests_minute`) or second (`requests_second`);
//! `NaN` or an empty cell means no data (no requests).
//!
//! Rows are intervals, so the file streams row by row: each row is expanded for all selected
//! functions at once. Day files are read one after another; `time` must keep increasing.

use super::bins::{too_many, Bins, MAX_INTERVAL_REQUESTS};
use super::cells;
use super::error::{column_name, header_list};
use super::{
    Arrival, Check, Clock, Format, FormatSpec, Found, HuaweiCounts, Layout, Matcher, Options,
    Replay, Scan, Spread, TraceError, TraceSource, TraceSpec,
};
use crate::engine::rng::Rng;
use crate::engine::SimDuration;
use ::csv::{ByteRecord, ReaderBuilder};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

/// The Huawei 2023 format, `format = "huawei2023"`.
pub struct Huawei2023;

impl Format for Huawei2023 {
    fn name(&self) -> &'static str {
        "huawei2023"
    }

    fn reads(&self) -> &'static str {
        "Huawei 2023: `day,time,<one column per function>`, requests per minute or second."
    }

    fn options(&self) -> &'static [&'static str] {
        &["path", "paths", "counts", "spread"]
    }

    fn per_request(&self) -> bool {
        false
    }

    fn layout(&self, o: &Options, check: &mut dyn Check) -> Option<FormatSpec> {
        Some(FormatSpec::new(HuaweiSpec {
            paths: o.files(self.name(), check)?,
            counts: o.counts.unwrap_or(HuaweiCounts::RequestsMinute),
            spread: o.spread(),
        }))
    }
}

/// Huawei 2023 ("How Does It Function?", Joosen et al., SoCC'23).
#[derive(Clone, Debug)]
pub struct HuaweiSpec {
    /// Day files replayed one after another; `time` must keep increasing across them.
    pub paths: Vec<PathBuf>,
    /// Per minute or per second.
    pub counts: HuaweiCounts,
    /// How each row's count is spread over its interval.
    pub spread: Spread,
}

impl HuaweiCounts {
    /// Width of one row's interval.
    pub fn width(self) -> SimDuration {
        match self {
            HuaweiCounts::RequestsMinute => SimDuration::from_secs(60),
            HuaweiCounts::RequestsSecond => SimDuration::from_secs(1),
        }
    }
}

impl Layout for HuaweiSpec {
    fn format(&self) -> &'static dyn Format {
        &Huawei2023
    }

    fn files(&self) -> Vec<PathBuf> {
        self.paths.clone()
    }

    fn scan(&self, replay: &Replay) -> Result<Scan, TraceError> {
        scan(self, replay)
    }

    fn open(&self, trace: &TraceSpec, rng: Rng) -> Result<Box<dyn TraceSource>, TraceError> {
        let matcher = Matcher::new(&trace.select);
        Ok(Box::new(HuaweiSource::new(self, trace, matcher, rng)?))
    }

    fn names_at(&self) -> (String, PathBuf) {
        (
            "the header (one column per function)".into(),
            self.paths[0].clone(),
        )
    }

    fn records_execution(&self) -> bool {
        false
    }
}

/// An open day file.
struct DayFile {
    path: PathBuf,
    reader: ::csv::Reader<BufReader<crate::input::LineLimit<File>>>,
    headers: ByteRecord,
    time: usize,
    /// Every function column and its slot (`None`: not selected). Unselected columns are
    /// checked too, so a replay skips (or fails on) exactly the rows validation did.
    columns: Vec<(usize, Option<u32>)>,
    rows: u64,
}

/// Reads the rows of Huawei day files; shared by the replay and the validation scan.
struct Rows {
    paths: Vec<PathBuf>,
    next_path: usize,
    file: Option<DayFile>,
    record: ByteRecord,
    matcher: Matcher,
    key: Vec<u8>,
    width_ns: i64,
    lenient: bool,
    /// Time and line of the previous row.
    previous: Option<(i64, u64)>,
    /// The current row's values, by position in `columns`.
    values: Vec<f64>,
    skipped: u64,
}

impl Rows {
    fn new(paths: Vec<PathBuf>, matcher: Matcher, width_ns: i64, lenient: bool) -> Rows {
        Rows {
            paths,
            next_path: 0,
            file: None,
            record: ByteRecord::new(),
            matcher,
            key: Vec::new(),
            width_ns,
            lenient,
            previous: None,
            values: Vec::new(),
            skipped: 0,
        }
    }

    /// Opens the next day file; `Ok(false)` after the last.
    fn open_next(&mut self) -> Result<bool, TraceError> {
        let Some(path) = self.paths.get(self.next_path).cloned() else {
            return Ok(false);
        };
        self.next_path += 1;
        let file = crate::input::open_lines(&path).map_err(|e| TraceError::open(&path, e))?;
        let mut reader = ReaderBuilder::new().from_reader(BufReader::with_capacity(1 << 16, file));
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
        let Some(time) = headers.iter().position(|h| h.trim_ascii() == b"time") else {
            return Err(TraceError::MissingColumn {
                path,
                column: "time".into(),
                found: header_list(&headers),
                hint: "a Huawei 2023 file has the header `day,time,<one column per function>`"
                    .into(),
            });
        };
        let mut columns = Vec::new();
        for (j, h) in headers.iter().enumerate() {
            let h = h.trim_ascii();
            if j == time || h == b"day" {
                continue;
            }
            match self.matcher.slot(&[h], &mut self.key) {
                Ok(slot) => columns.push((j, slot)),
                Err(()) => {
                    return Err(TraceError::BadValue {
                        path,
                        line: 1,
                        column: column_name(j, h),
                        problem: cells::bad(h, "a function name"),
                    })
                }
            }
        }
        self.file = Some(DayFile {
            path,
            reader,
            headers,
            time,
            columns,
            rows: 0,
        });
        Ok(true)
    }

    /// Reads the next good row into `values`; its trace time (ns) or `None` at the end.
    fn next_row(&mut self) -> Result<Option<i64>, TraceError> {
        loop {
            let Some(f) = self.file.as_mut() else {
                if self.open_next()? {
                    continue;
                }
                return Ok(None);
            };
            match f.reader.read_byte_record(&mut self.record) {
                Ok(true) => f.rows += 1,
                Ok(false) => {
                    let f = self.file.take().expect("a file is open");
                    if f.rows == 0 {
                        return Err(TraceError::Empty {
                            path: f.path,
                            what: "the file has a header but no data rows",
                        });
                    }
                    continue;
                }
                Err(e) => {
                    let e = TraceError::csv(&f.path, e);
                    if self.lenient && matches!(e, TraceError::Malformed { .. }) {
                        self.skipped += 1;
                        continue;
                    }
                    return Err(e);
                }
            }
            match self.parse_row() {
                Ok(t) => return Ok(Some(t)),
                Err(e) if self.lenient && !matches!(e, TraceError::Open { .. }) => {
                    self.skipped += 1
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn parse_row(&mut self) -> Result<i64, TraceError> {
        let f = self.file.as_ref().expect("a row was just read");
        let rec = &self.record;
        let line = rec.position().map_or(0, |p| p.line());
        let bad = |col: usize, problem: String| TraceError::BadValue {
            path: f.path.clone(),
            line,
            column: column_name(col, &f.headers[col]),
            problem,
        };
        let t = cells::decimal_ns(&rec[f.time], 1_000_000_000)
            .ok_or_else(|| bad(f.time, cells::bad(&rec[f.time], "a time in seconds")))?;
        if let Some((prev, _)) = self.previous {
            if t < prev + self.width_ns {
                return Err(TraceError::TimeWentBack {
                    path: f.path.clone(),
                    line,
                    time_s: t as f64 / 1e9,
                    previous_s: prev as f64 / 1e9,
                    width_s: self.width_ns as f64 / 1e9,
                });
            }
        }
        self.values.clear();
        for &(j, _) in &f.columns {
            let v = match cells::number(&rec[j]) {
                Some(v) if v.is_nan() => 0.0,
                Some(v) if v.is_finite() && v >= 0.0 => v,
                Some(v) if v.is_finite() => {
                    return Err(bad(j, format!("the count {v} is negative")))
                }
                _ => {
                    return Err(bad(
                        j,
                        cells::bad(&rec[j], "a number of requests (or NaN for no data)"),
                    ))
                }
            };
            self.values.push(v);
        }
        self.previous = Some((t, line));
        Ok(t)
    }
}

/// Streams the requests of the selected functions, row by row.
struct HuaweiSource {
    rows: Rows,
    first: u32,
    width_ns: i64,
    bins: Bins,
    clock: Option<Clock>,
    replay: Replay,
}

impl HuaweiSource {
    fn new(
        spec: &HuaweiSpec,
        trace: &TraceSpec,
        matcher: Matcher,
        rng: Rng,
    ) -> Result<Self, TraceError> {
        let width_ns = spec.counts.width().0 as i64;
        let mut rows = Rows::new(spec.paths.clone(), matcher, width_ns, trace.replay.lenient);
        rows.open_next()?;
        Ok(HuaweiSource {
            rows,
            first: trace.select.first(),
            width_ns,
            bins: Bins::new(spec.spread, trace.replay.rate_scale, rng),
            clock: None,
            replay: trace.replay,
        })
    }
}

impl TraceSource for HuaweiSource {
    fn next(&mut self) -> Result<Option<Arrival>, TraceError> {
        loop {
            if let Some(a) = self.bins.next() {
                return Ok(Some(a));
            }
            let Some(t) = self.rows.next_row()? else {
                return Ok(None);
            };
            let clock = *self
                .clock
                .get_or_insert_with(|| Clock::new(t, &self.replay));
            let start = clock.at(t);
            let width = clock.at(t + self.width_ns).since(start);
            self.bins.clear(start, width);
            let f = self.rows.file.as_ref().expect("a row was just read");
            for (&(_, slot), &v) in f.columns.iter().zip(&self.rows.values) {
                let Some(slot) = slot else { continue };
                if let Err(requests) = self.bins.add(self.first + slot, v, None) {
                    let line = self.rows.previous.map_or(0, |(_, line)| line);
                    return Err(TraceError::IntervalTooFull {
                        path: f.path.clone(),
                        place: format!("line {line}"),
                        requests,
                        limit: MAX_INTERVAL_REQUESTS,
                    });
                }
            }
            self.bins.finish();
        }
    }

    fn rows_skipped(&self) -> u64 {
        self.rows.skipped
    }
}

/// One pass over the day files: every row checked, every column summed.
fn scan(spec: &HuaweiSpec, replay: &Replay) -> Result<Scan, TraceError> {
    let width_ns = spec.counts.width().0 as i64;
    let mut rows = Rows::new(
        spec.paths.clone(),
        Matcher::Discover(HashMap::new()),
        width_ns,
        replay.lenient,
    );
    let mut totals: Vec<f64> = Vec::new();
    let (mut first, mut last) = (None, None);
    while let Some(t) = rows.next_row()? {
        first.get_or_insert(t);
        last = Some(t);
        let f = rows.file.as_ref().expect("a row was just read");
        for (&(_, slot), &v) in f.columns.iter().zip(&rows.values) {
            if let Some(requests) = too_many(v, replay.rate_scale) {
                let line = rows.previous.map_or(0, |(_, line)| line);
                return Err(TraceError::IntervalTooFull {
                    path: f.path.clone(),
                    place: format!("line {line}"),
                    requests,
                    limit: MAX_INTERVAL_REQUESTS,
                });
            }
            let Some(slot) = slot else { continue };
            let slot = slot as usize;
            if slot >= totals.len() {
                totals.resize(slot + 1, 0.0);
            }
            totals[slot] += v;
        }
    }
    let keys = std::mem::replace(&mut rows.matcher, Matcher::All).discovered();
    totals.resize(keys.len(), 0.0);
    Ok(Scan {
        functions: keys
            .into_iter()
            .zip(totals)
            .map(|(key, requests)| Found {
                name: key.clone(),
                key,
                requests,
                trigger: None,
                days_without_durations: 0,
                app_memory_mb: None,
            })
            .collect(),
        span_s: match (first, last) {
            (Some(a), Some(b)) => (b - a + width_ns) as f64 / 1e9,
            _ => 0.0,
        },
        rows_skipped: rows.skipped,
    })
}

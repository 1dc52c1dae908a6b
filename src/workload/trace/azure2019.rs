//! Azure Functions 2019 trace (Shahrad et al., "Serverless in the Wild", USENIX ATC'20).
//!
//! Per day `dNN`, in one folder:
//! `invocations_per_function_md.anon.dNN.csv` — `HashOwner,HashApp,HashFunction,Trigger,1,…,1440`,
//! requests per minute; `function_durations_percentiles.anon.dNN.csv` — execution time
//! percentiles in ms (0, 1, 25, 50, 75, 99, 100), sampled piecewise-linearly; and
//! `app_memory_percentiles.anon.dNN.csv` — allocated memory percentiles per app (days 1–12).
//!
//! Rows are functions, so a day is loaded as a sparse table of its non-zero minutes (6 bytes
//! each) for the selected functions only, then expanded one minute at a time for all of them.
//! Days are read one after another, lazily: memory follows one day's selected functions.

use super::bins::{too_many, Bins, Percentiles, MAX_INTERVAL_REQUESTS};
use super::cells;
use super::error::{column_name, header_list};
use super::Arrival;
use super::{
    Check, Clock, Format, FormatSpec, Found, Layout, Matcher, Options, Replay, Scan, Spread,
    TraceError, TraceSource, TraceSpec,
};
use crate::engine::rng::Rng;
use ::csv::{ByteRecord, ReaderBuilder};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Minutes in a day: the count columns `1` … `1440`.
const MINUTES: usize = 1440;
const INVOCATIONS_HEADER: &str = "HashOwner,HashApp,HashFunction,Trigger,1,…,1440";
const DURATION_COLUMNS: [&str; 7] = [
    "percentile_Average_0",
    "percentile_Average_1",
    "percentile_Average_25",
    "percentile_Average_50",
    "percentile_Average_75",
    "percentile_Average_99",
    "percentile_Average_100",
];
const MEMORY_COLUMNS: [&str; 8] = [
    "AverageAllocatedMb_pct1",
    "AverageAllocatedMb_pct5",
    "AverageAllocatedMb_pct25",
    "AverageAllocatedMb_pct50",
    "AverageAllocatedMb_pct75",
    "AverageAllocatedMb_pct95",
    "AverageAllocatedMb_pct99",
    "AverageAllocatedMb_pct100",
];

/// The Azure Functions 2019 format, `format = "azure2019"`.
pub struct Azure2019;

impl Format for Azure2019 {
    fn name(&self) -> &'static str {
        "azure2019"
    }

    fn reads(&self) -> &'static str {
        "Azure Functions 2019: per-minute counts per function and day, in `dir`."
    }

    fn options(&self) -> &'static [&'static str] {
        &["dir", "days", "spread", "trigger"]
    }

    fn per_request(&self) -> bool {
        false
    }

    fn in_folder(&self) -> bool {
        true
    }

    fn app_parts(&self) -> Option<usize> {
        Some(2)
    }

    fn layout(&self, o: &Options, check: &mut dyn Check) -> Option<FormatSpec> {
        let at = o.at;
        let Some(dir) = o.dir else {
            check.problem(format!("{at}.dir"), "an azure2019 trace needs `dir`: the folder with the invocations_per_function_md.anon.dNN.csv files, relative to the scenario file".into());
            return None;
        };
        let days = o.days.map_or_else(|| vec![1], <[u32]>::to_vec);
        if days.is_empty() {
            check.problem(
                format!("{at}.days"),
                "is empty: list at least one day, e.g. days = [1]".into(),
            );
            return None;
        }
        if let Some(d) = days.iter().find(|&&d| !(1..=99).contains(&d)) {
            check.problem(format!("{at}.days"), format!("day {d} is not a day of the trace: days are numbered from 1, as in the file names (d01 …)"));
            return None;
        }
        // Increasing, so at most 99 days: a replay cannot go back in time, and a list of
        // a million repeats would otherwise be scanned day by day.
        if let Some(w) = days.windows(2).find(|w| w[0] >= w[1]) {
            check.problem(format!("{at}.days"), format!("day {} after day {}: list days in increasing order, each once (a replay cannot go back in time)", w[1], w[0]));
            return None;
        }
        Some(FormatSpec::new(Azure2019Spec {
            dir: o.base_dir.join(dir),
            days,
            spread: o.spread(),
        }))
    }
}

/// Azure Functions 2019 (Shahrad et al., ATC'20).
#[derive(Clone, Debug)]
pub struct Azure2019Spec {
    /// Folder with the `*.anon.dNN.csv` files.
    pub dir: PathBuf,
    /// Days replayed one after another, each 24 h long (1-based, as in the file names).
    pub days: Vec<u32>,
    /// How each minute's count is spread over the minute.
    pub spread: Spread,
}

impl Azure2019Spec {
    /// The invocation counts file of `day`.
    pub fn invocations(&self, day: u32) -> PathBuf {
        self.dir
            .join(format!("invocations_per_function_md.anon.d{day:02}.csv"))
    }
    /// The execution time percentiles file of `day`.
    pub fn durations(&self, day: u32) -> PathBuf {
        self.dir
            .join(format!("function_durations_percentiles.anon.d{day:02}.csv"))
    }
    /// The app memory percentiles file of `day` (days 1–12 only in the public trace).
    pub fn memory(&self, day: u32) -> PathBuf {
        self.dir
            .join(format!("app_memory_percentiles.anon.d{day:02}.csv"))
    }
}

impl Layout for Azure2019Spec {
    fn format(&self) -> &'static dyn Format {
        &Azure2019
    }

    fn files(&self) -> Vec<PathBuf> {
        self.days.iter().map(|&d| self.invocations(d)).collect()
    }

    /// The invocation files, and the durations and memory files of the chosen days that exist.
    fn inputs(&self) -> Vec<PathBuf> {
        let mut all = self.files();
        for &d in &self.days {
            all.extend(
                [self.durations(d), self.memory(d)]
                    .into_iter()
                    .filter(|p| p.is_file()),
            );
        }
        all
    }

    fn scan(&self, replay: &Replay) -> Result<Scan, TraceError> {
        scan(self, replay)
    }

    fn open(&self, trace: &TraceSpec, rng: Rng) -> Result<Box<dyn TraceSource>, TraceError> {
        let matcher = Matcher::new(&trace.select);
        Ok(Box::new(Azure2019Source::new(self, trace, matcher, rng)?))
    }

    fn names_at(&self) -> (String, PathBuf) {
        (
            "column `HashFunction`".into(),
            self.invocations(self.days[0]),
        )
    }

    fn records_execution(&self) -> bool {
        true
    }
}

/// An open CSV file with its header.
struct Table {
    path: PathBuf,
    reader: ::csv::Reader<BufReader<crate::input::LineLimit<File>>>,
    headers: ByteRecord,
}

impl Table {
    fn open(path: &Path) -> Result<Table, TraceError> {
        let file = crate::input::open_lines(path).map_err(|e| TraceError::open(path, e))?;
        let mut reader = ReaderBuilder::new().from_reader(BufReader::with_capacity(1 << 16, file));
        let headers = reader
            .byte_headers()
            .map_err(|e| TraceError::csv(path, e))?
            .clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].trim_ascii().is_empty()) {
            return Err(TraceError::Empty {
                path: path.to_owned(),
                what: "the file is empty",
            });
        }
        Ok(Table {
            path: path.to_owned(),
            reader,
            headers,
        })
    }

    fn column(&self, name: &str, expected: &str) -> Result<usize, TraceError> {
        self.headers
            .iter()
            .position(|h| h.trim_ascii() == name.as_bytes())
            .ok_or_else(|| TraceError::MissingColumn {
                path: self.path.clone(),
                column: name.to_owned(),
                found: header_list(&self.headers),
                hint: format!(
                    "an Azure Functions 2019 file of this kind has the header `{expected}`"
                ),
            })
    }

    /// The key columns `HashOwner`, `HashApp`, `HashFunction`.
    fn key_columns(&self, expected: &str) -> Result<[usize; 3], TraceError> {
        Ok([
            self.column("HashOwner", expected)?,
            self.column("HashApp", expected)?,
            self.column("HashFunction", expected)?,
        ])
    }

    /// The position of minute column `1`, checking that `2` … `1440` follow it.
    fn minute_columns(&self) -> Result<usize, TraceError> {
        let first = self.column("1", INVOCATIONS_HEADER)?;
        for m in 1..MINUTES {
            let want = (m + 1).to_string();
            if self.headers.get(first + m).map(<[u8]>::trim_ascii) != Some(want.as_bytes()) {
                return Err(TraceError::MissingColumn {
                    path: self.path.clone(),
                    column: want,
                    found: header_list(&self.headers),
                    hint: format!("the minute columns must be `1` to `1440` in order (header `{INVOCATIONS_HEADER}`)"),
                });
            }
        }
        Ok(first)
    }

    /// Reads the next row; `Ok(None)` at the end. Structural errors are skipped when lenient.
    fn read(
        &mut self,
        rec: &mut ByteRecord,
        lenient: bool,
        skipped: &mut u64,
    ) -> Result<Option<u64>, TraceError> {
        loop {
            match self.reader.read_byte_record(rec) {
                Ok(true) => return Ok(Some(rec.position().map_or(0, |p| p.line()))),
                Ok(false) => return Ok(None),
                Err(e) => {
                    let e = TraceError::csv(&self.path, e);
                    if lenient && matches!(e, TraceError::Malformed { .. }) {
                        *skipped += 1;
                    } else {
                        return Err(e);
                    }
                }
            }
        }
    }

    fn bad(&self, line: u64, col: usize, problem: String) -> TraceError {
        TraceError::BadValue {
            path: self.path.clone(),
            line,
            column: column_name(col, &self.headers[col]),
            problem,
        }
    }
}

/// Parses the 1440 counts of a row into `out`; on failure, the column and the problem.
fn parse_counts(
    rec: &ByteRecord,
    first: usize,
    out: &mut [u32; MINUTES],
) -> Result<u64, (usize, String)> {
    let mut total = 0u64;
    for (m, slot) in out.iter_mut().enumerate() {
        let cell = &rec[first + m];
        match cells::count(cell) {
            Some(c) => {
                *slot = c;
                total += u64::from(c);
            }
            None => {
                let digits = cell.trim_ascii();
                let problem = if digits.starts_with(b"-") {
                    format!("the count {} is negative", String::from_utf8_lossy(digits))
                } else if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                    format!(
                        "the count {} is absurd: no function gets more than {} requests in a minute; check the file",
                        String::from_utf8_lossy(digits),
                        u32::MAX
                    )
                } else {
                    cells::bad(cell, "a whole number of requests ≥ 0")
                };
                return Err((first + m, problem));
            }
        }
    }
    Ok(total)
}

/// Parses a durations row into percentiles in nanoseconds.
fn parse_percentiles(rec: &ByteRecord, cols: &[usize; 7]) -> Result<Percentiles, (usize, String)> {
    let mut v = [0.0; 7];
    for (i, &c) in cols.iter().enumerate() {
        match cells::number(&rec[c]) {
            Some(x) if x.is_finite() && x >= 0.0 => v[i] = x * 1e6,
            _ => return Err((c, cells::bad(&rec[c], "a duration in ms (a number ≥ 0)"))),
        }
    }
    let p = Percentiles(v);
    if p.is_valid() {
        Ok(p)
    } else {
        Err((
            cols[0],
            "the percentiles decrease from one column to the next".into(),
        ))
    }
}

/// Streams the requests of the selected functions, day after day, minute by minute.
struct Azure2019Source {
    spec: Azure2019Spec,
    replay: Replay,
    matcher: Matcher,
    key: Vec<u8>,
    record: ByteRecord,
    first: u32,
    /// Per slot: use the trace's execution times.
    trace_execution: Vec<bool>,
    /// Index in `spec.days` of the next day to load.
    next_day: usize,
    /// Per slot: its entries in `minutes`/`counts` for the loaded day.
    ranges: Vec<(u32, u32)>,
    minutes: Vec<u16>,
    counts: Vec<u32>,
    cursor: Vec<u32>,
    durations: Vec<Option<Percentiles>>,
    row: Box<[u32; MINUTES]>,
    /// Next minute of the loaded day to expand; `MINUTES` when done.
    minute: usize,
    bins: Bins,
    clock: Clock,
    skipped: u64,
}

impl Azure2019Source {
    fn new(
        spec: &Azure2019Spec,
        trace: &TraceSpec,
        matcher: Matcher,
        rng: Rng,
    ) -> Result<Self, TraceError> {
        let n = trace.select.len();
        let s = Azure2019Source {
            spec: spec.clone(),
            replay: trace.replay,
            matcher,
            key: Vec::new(),
            record: ByteRecord::new(),
            first: trace.select.first(),
            trace_execution: (0..n).map(|i| trace.select.trace_execution(i)).collect(),
            next_day: 0,
            ranges: vec![(0, 0); n],
            minutes: Vec::new(),
            counts: Vec::new(),
            cursor: vec![0; n],
            durations: vec![None; n],
            row: Box::new([0; MINUTES]),
            minute: MINUTES,
            bins: Bins::new(spec.spread, trace.replay.rate_scale, rng),
            clock: Clock::new(0, &trace.replay),
            skipped: 0,
        };
        // Fail on a missing or malformed first file now rather than mid-run.
        let t = Table::open(&spec.invocations(spec.days[0]))?;
        t.key_columns(INVOCATIONS_HEADER)?;
        t.minute_columns()?;
        Ok(s)
    }

    fn skip_or(&mut self, e: TraceError) -> Result<(), TraceError> {
        if self.replay.lenient {
            self.skipped += 1;
            Ok(())
        } else {
            Err(e)
        }
    }

    fn load_day(&mut self) -> Result<(), TraceError> {
        let day = self.spec.days[self.next_day];
        self.next_day += 1;
        self.minutes.clear();
        self.counts.clear();
        self.ranges.iter_mut().for_each(|r| *r = (0, 0));
        let mut t = Table::open(&self.spec.invocations(day))?;
        let keys = t.key_columns(INVOCATIONS_HEADER)?;
        let first = t.minute_columns()?;
        let mut rows = 0u64;
        while let Some(line) = t.read(&mut self.record, self.replay.lenient, &mut self.skipped)? {
            rows += 1;
            let rec = &self.record;
            let cells = [&rec[keys[0]], &rec[keys[1]], &rec[keys[2]]];
            let slot = match self.matcher.slot(&cells, &mut self.key) {
                Ok(Some(s)) => s as usize,
                Ok(None) => continue,
                Err(()) => unreachable!("only validation discovers keys"),
            };
            if let Err((col, problem)) = parse_counts(rec, first, &mut self.row) {
                let e = t.bad(line, col, problem);
                self.skip_or(e)?;
                continue;
            }
            self.append(slot);
        }
        if rows == 0 {
            return Err(TraceError::Empty {
                path: t.path,
                what: "the file has a header but no data rows",
            });
        }
        self.minutes.shrink_to_fit();
        self.counts.shrink_to_fit();
        for (c, r) in self.cursor.iter_mut().zip(&self.ranges) {
            *c = r.0;
        }
        self.load_durations(day)?;
        self.minute = 0;
        Ok(())
    }

    /// Appends the non-zero minutes of `self.row` to `slot`; a second row of the same function
    /// on one day is merged with the first (its old entries are left unused).
    fn append(&mut self, slot: usize) {
        let (s, e) = self.ranges[slot];
        let start = self.minutes.len() as u32;
        if s == e {
            for (m, &c) in self.row.iter().enumerate() {
                if c > 0 {
                    self.minutes.push(m as u16);
                    self.counts.push(c);
                }
            }
        } else {
            let mut merged = *self.row;
            for i in s as usize..e as usize {
                let m = self.minutes[i] as usize;
                merged[m] = merged[m].saturating_add(self.counts[i]);
            }
            for (m, &c) in merged.iter().enumerate() {
                if c > 0 {
                    self.minutes.push(m as u16);
                    self.counts.push(c);
                }
            }
        }
        self.ranges[slot] = (start, self.minutes.len() as u32);
    }

    fn load_durations(&mut self, day: u32) -> Result<(), TraceError> {
        self.durations.iter_mut().for_each(|d| *d = None);
        if !self.trace_execution.iter().any(|&b| b) {
            return Ok(());
        }
        let path = self.spec.durations(day);
        if !path.exists() {
            return Ok(());
        }
        let mut t = Table::open(&path)?;
        let expected = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,…,percentile_Average_100";
        let keys = t.key_columns(expected)?;
        let mut cols = [0; 7];
        for (i, name) in DURATION_COLUMNS.iter().enumerate() {
            cols[i] = t.column(name, expected)?;
        }
        while let Some(line) = t.read(&mut self.record, self.replay.lenient, &mut self.skipped)? {
            let rec = &self.record;
            let cells = [&rec[keys[0]], &rec[keys[1]], &rec[keys[2]]];
            let Ok(Some(slot)) = self.matcher.slot(&cells, &mut self.key) else {
                continue;
            };
            match parse_percentiles(rec, &cols) {
                Ok(p) => self.durations[slot as usize] = Some(p),
                Err((col, problem)) => {
                    let e = t.bad(line, col, problem);
                    self.skip_or(e)?;
                }
            }
        }
        Ok(())
    }

    /// Expands minute `self.minute` of the loaded day for every selected function.
    fn expand(&mut self) -> Result<(), TraceError> {
        let day_index = (self.next_day - 1) as u64;
        let m = self.minute;
        let raw = ((day_index * MINUTES as u64 + m as u64) * 60 * 1_000_000_000) as i64;
        let start = self.clock.at(raw);
        let width = self.clock.at(raw + 60_000_000_000).since(start);
        self.bins.clear(start, width);
        for slot in 0..self.cursor.len() {
            let i = self.cursor[slot] as usize;
            if i < self.ranges[slot].1 as usize && self.minutes[i] as usize == m {
                self.cursor[slot] += 1;
                let exec = if self.trace_execution[slot] {
                    self.durations[slot].as_ref()
                } else {
                    None
                };
                let f = self.first + slot as u32;
                if let Err(requests) = self.bins.add(f, f64::from(self.counts[i]), exec) {
                    let day = self.spec.days[self.next_day - 1];
                    return Err(TraceError::IntervalTooFull {
                        path: self.spec.invocations(day),
                        place: format!("minute {}", m + 1),
                        requests,
                        limit: MAX_INTERVAL_REQUESTS,
                    });
                }
            }
        }
        self.bins.finish();
        self.minute += 1;
        Ok(())
    }
}

impl TraceSource for Azure2019Source {
    fn next(&mut self) -> Result<Option<Arrival>, TraceError> {
        loop {
            if let Some(a) = self.bins.next() {
                return Ok(Some(a));
            }
            if self.minute < MINUTES {
                self.expand()?;
            } else if self.next_day < self.spec.days.len() {
                self.load_day()?;
            } else {
                return Ok(None);
            }
        }
    }

    fn rows_skipped(&self) -> u64 {
        self.skipped
    }
}

/// One pass over the invocation files of the chosen days (per-function totals only), plus the
/// durations files (which functions have execution times) and the first memory file found.
fn scan(spec: &Azure2019Spec, replay: &Replay) -> Result<Scan, TraceError> {
    let mut matcher = Matcher::Discover(HashMap::new());
    let mut key = Vec::new();
    let mut rec = ByteRecord::new();
    let mut row = Box::new([0u32; MINUTES]);
    let mut found: Vec<Found> = Vec::new();
    // Per function: the last day (index + 1) it had an invocations row, and days with durations.
    let mut on_day: Vec<usize> = Vec::new();
    let mut skipped = 0u64;
    let lenient = replay.lenient;
    for (k, &day) in spec.days.iter().enumerate() {
        let mut t = Table::open(&spec.invocations(day))?;
        let keys = t.key_columns(INVOCATIONS_HEADER)?;
        let trigger = t.column("Trigger", INVOCATIONS_HEADER)?;
        let first = t.minute_columns()?;
        let mut rows = 0;
        while let Some(line) = t.read(&mut rec, lenient, &mut skipped)? {
            rows += 1;
            let total = match parse_counts(&rec, first, &mut row) {
                Ok(total) => total,
                Err((col, problem)) => {
                    if lenient {
                        skipped += 1;
                        continue;
                    }
                    return Err(t.bad(line, col, problem));
                }
            };
            for (m, &c) in row.iter().enumerate() {
                if let Some(requests) = too_many(f64::from(c), replay.rate_scale) {
                    return Err(TraceError::IntervalTooFull {
                        path: spec.invocations(day),
                        place: format!("line {line}, minute {}", m + 1),
                        requests,
                        limit: MAX_INTERVAL_REQUESTS,
                    });
                }
            }
            let cells = [&rec[keys[0]], &rec[keys[1]], &rec[keys[2]]];
            let slot = match matcher.slot(&cells, &mut key) {
                Ok(s) => s.expect("discovery matches every row") as usize,
                Err(()) => {
                    let e = t.bad(line, keys[2], cells::bad(&rec[keys[2]], "a function hash"));
                    if lenient {
                        skipped += 1;
                        continue;
                    }
                    return Err(e);
                }
            };
            if slot == found.len() {
                found.push(Found {
                    key: String::new(),
                    name: String::new(),
                    requests: 0.0,
                    trigger: Some(String::from_utf8_lossy(&rec[trigger]).trim().to_owned()),
                    days_without_durations: 0,
                    app_memory_mb: None,
                });
                on_day.push(0);
            }
            found[slot].requests += total as f64;
            if on_day[slot] != k + 1 {
                on_day[slot] = k + 1;
                // Counted as missing until its durations row is seen below.
                found[slot].days_without_durations += 1;
            }
        }
        if rows == 0 {
            return Err(TraceError::Empty {
                path: t.path,
                what: "the file has a header but no data rows",
            });
        }
        scan_durations(
            spec,
            day,
            k,
            &mut matcher,
            &on_day,
            &mut found,
            lenient,
            &mut skipped,
        )?;
    }
    for (f, k) in found.iter_mut().zip(matcher.discovered()) {
        f.key = k;
    }
    if let Some(&day) = spec.days.iter().find(|&&d| spec.memory(d).exists()) {
        scan_memory(&spec.memory(day), &mut found, lenient, &mut skipped)?;
    }
    Ok(Scan {
        functions: found,
        span_s: spec.days.len() as f64 * 86_400.0,
        rows_skipped: skipped,
    })
}

#[allow(clippy::too_many_arguments)]
fn scan_durations(
    spec: &Azure2019Spec,
    day: u32,
    k: usize,
    matcher: &mut Matcher,
    on_day: &[usize],
    found: &mut [Found],
    lenient: bool,
    skipped: &mut u64,
) -> Result<(), TraceError> {
    let path = spec.durations(day);
    if !path.exists() {
        return Ok(());
    }
    let mut t = Table::open(&path)?;
    let expected = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,…,percentile_Average_100";
    let keys = t.key_columns(expected)?;
    let mut cols = [0; 7];
    for (i, name) in DURATION_COLUMNS.iter().enumerate() {
        cols[i] = t.column(name, expected)?;
    }
    let mut rec = ByteRecord::new();
    let mut key = Vec::new();
    let Matcher::Discover(map) = matcher else {
        unreachable!("scan discovers")
    };
    while let Some(line) = t.read(&mut rec, lenient, skipped)? {
        if let Err((col, problem)) = parse_percentiles(&rec, &cols) {
            if lenient {
                *skipped += 1;
                continue;
            }
            return Err(t.bad(line, col, problem));
        }
        super::join_key(&[&rec[keys[0]], &rec[keys[1]], &rec[keys[2]]], &mut key);
        if let Some(&slot) = map.get(&key[..]) {
            let slot = slot as usize;
            // Only functions with requests on this day need its durations (a duplicate
            // durations row can at worst under-count missing days).
            if on_day[slot] == k + 1 && found[slot].days_without_durations > 0 {
                found[slot].days_without_durations -= 1;
            }
        }
    }
    Ok(())
}

fn scan_memory(
    path: &Path,
    found: &mut [Found],
    lenient: bool,
    skipped: &mut u64,
) -> Result<(), TraceError> {
    let mut t = Table::open(path)?;
    let expected = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,…,AverageAllocatedMb_pct100";
    let owner = t.column("HashOwner", expected)?;
    let app = t.column("HashApp", expected)?;
    let mut cols = [0; 8];
    for (i, name) in MEMORY_COLUMNS.iter().enumerate() {
        cols[i] = t.column(name, expected)?;
    }
    let mut apps: HashMap<String, [f64; 8]> = HashMap::new();
    let mut rec = ByteRecord::new();
    'rows: while let Some(line) = t.read(&mut rec, lenient, skipped)? {
        let mut v = [0.0; 8];
        for (i, &c) in cols.iter().enumerate() {
            match cells::number(&rec[c]) {
                Some(x) if x.is_finite() && x >= 0.0 => v[i] = x,
                _ => {
                    let e = t.bad(
                        line,
                        c,
                        cells::bad(&rec[c], "a memory size in MB (a number ≥ 0)"),
                    );
                    if lenient {
                        *skipped += 1;
                        continue 'rows;
                    }
                    return Err(e);
                }
            }
        }
        let k = format!(
            "{}{}{}",
            String::from_utf8_lossy(&rec[owner]),
            super::KEY_SEP,
            String::from_utf8_lossy(&rec[app])
        );
        apps.insert(k, v);
    }
    for f in found.iter_mut() {
        let app_key = f.key.rsplit_once(super::KEY_SEP).map_or("", |(a, _)| a);
        f.app_memory_mb = apps.get(app_key).copied();
    }
    Ok(())
}

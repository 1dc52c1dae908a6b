//! Trace replay: readers that stream recorded arrivals in time order, in bounded memory.
//!
//! A [`TraceSource`] yields [`Arrival`]s in non-decreasing simulated time. One reader per format:
//! per-request files (`csv.rs`, and `azure2021.rs` on top of it) are read row by row through a
//! bounded reorder window; per-interval counts (`azure2019.rs`, `huawei2023.rs`) are expanded one
//! interval at a time for all functions (`bins.rs`). Memory grows with the number of functions
//! and the sort window, never with the number of rows or days.
//!
//! A validated [`TraceSpec`] says what to read and which scenario functions it feeds; `open`
//! starts a reader, [`scan`] makes the one pass validation needs (columns, values, the functions
//! in the trace and how many requests each has).
//!
//! Each format is one file holding a [`Format`] descriptor, listed in [`FORMATS`]; validation
//! and replay go through that list and never name a format.

mod azure2019;
mod azure2021;
mod bins;
mod cells;
mod csv;
mod error;
mod format;
mod huawei2023;
mod reorder;

pub use azure2019::Azure2019Spec;
pub use azure2021::Azure2021Spec;
pub use csv::CsvSpec;
pub use error::TraceError;
pub use format::{Check, Format, FormatSpec, Layout, Options, OPTIONS};
pub use huawei2023::HuaweiSpec;

/// The trace formats, in the order the schema and messages list them. Adding a format: its
/// file in this folder (a [`Format`] and the [`Layout`] its check returns), its `mod` line
/// and one line here.
pub static FORMATS: &[&dyn Format] = &[
    &csv::Csv,
    &azure2019::Azure2019,
    &azure2021::Azure2021,
    &huawei2023::Huawei2023,
];

/// The format named `name`.
pub fn find(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name() == name)
}

use crate::engine::rng::{stream, Rng};
use crate::engine::{SimDuration, SimTime};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One request read from a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// When it arrives, in simulated time (rebased and scaled).
    pub at: SimTime,
    /// The scenario function it belongs to (its index in `Scenario::functions`).
    pub function: u32,
    /// Its execution time when the trace records one; `None`: sample the function's distribution.
    pub execution: Option<SimDuration>,
}

/// A stream of arrivals in non-decreasing `at`.
pub trait TraceSource {
    /// The next arrival, `Ok(None)` when the trace is exhausted.
    fn next(&mut self) -> Result<Option<Arrival>, TraceError>;
    /// Bad rows skipped so far (only with `lenient = true`).
    fn rows_skipped(&self) -> u64;
}

/// How timestamps of a per-request CSV are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum TimeUnit {
    /// A date and time such as `2023-11-16 18:17:03.9799600` (ISO 8601, `T` or space, no zone).
    #[serde(rename = "datetime")]
    Datetime,
    /// Seconds (decimals allowed), e.g. epoch seconds.
    #[serde(rename = "s")]
    Seconds,
    /// Milliseconds.
    #[serde(rename = "ms")]
    Millis,
    /// Microseconds.
    #[serde(rename = "us")]
    Micros,
    /// Nanoseconds.
    #[serde(rename = "ns")]
    Nanos,
}

/// How a per-interval count is spread over its interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// Exactly the (scaled) count, each at an independent uniform instant of the interval.
    Uniform,
    /// A Poisson process whose mean over the interval is the (scaled) count: the number varies.
    Poisson,
    /// Exactly the (scaled) count, evenly spaced: request i of n at (i + ½)/n of the interval.
    Equidistant,
}

/// What one value of a Huawei 2023 table counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HuaweiCounts {
    /// Requests per minute (`requests_minute` files): one row per minute.
    RequestsMinute,
    /// Requests per second (`requests_second` files): one row per second.
    RequestsSecond,
}

/// A validated trace: what to read, how to replay it, which functions it feeds.
#[derive(Clone, Debug)]
pub struct TraceSpec {
    /// The files and their layout.
    pub format: FormatSpec,
    /// Time and rate transformations, error handling.
    pub replay: Replay,
    /// Which rows go to which scenario function.
    pub select: Select,
    /// Bad rows in the trace's files, found when validation read them all (skipped, since
    /// validation fails on a bad row unless `lenient`).
    pub rows_skipped: u64,
}

/// Time and rate transformations applied on replay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Replay {
    /// Simulated time of the trace's first instant (its first row, or the start of its first
    /// interval for per-interval formats).
    pub start: SimDuration,
    /// Trace time is multiplied by this: 2.0 replays at half speed, 0.5 at double speed.
    pub time_scale: f64,
    /// Requests are multiplied by this: per-request formats keep each row with this probability
    /// (so it is at most 1); per-interval formats scale each count.
    pub rate_scale: f64,
    /// Skip bad rows (and count them) instead of failing.
    pub lenient: bool,
    /// Rows of a per-request file may be out of time order by up to this many rows.
    pub sort_window: usize,
}

/// Which rows feed which scenario function.
#[derive(Clone, Debug)]
pub enum Select {
    /// Every row feeds `function`.
    All {
        /// The scenario function.
        function: u32,
    },
    /// Rows whose function name (the format's name column) equals `value` feed `function`.
    Value {
        /// Function name in the trace.
        value: String,
        /// The scenario function.
        function: u32,
    },
    /// Function `keys[i]` (see [`Found::key`]) feeds scenario function `first + i`.
    Keys {
        /// Trace keys of the selected functions.
        keys: Arc<[String]>,
        /// Scenario index of the first one.
        first: u32,
        /// Per key: use the execution times the trace records (else the function's distribution).
        trace_execution: Arc<[bool]>,
    },
}

impl Select {
    /// Number of scenario functions fed.
    fn len(&self) -> usize {
        match self {
            Select::All { .. } | Select::Value { .. } => 1,
            Select::Keys { keys, .. } => keys.len(),
        }
    }

    /// Scenario index of the first function fed; they are contiguous.
    fn first(&self) -> u32 {
        match self {
            Select::All { function } | Select::Value { function, .. } => *function,
            Select::Keys { first, .. } => *first,
        }
    }

    /// Whether the trace's execution times apply to slot `i`.
    fn trace_execution(&self, i: usize) -> bool {
        match self {
            Select::Keys {
                trace_execution, ..
            } => trace_execution[i],
            _ => true,
        }
    }
}

/// Separates the parts of a composite function key (owner, app, function).
pub const KEY_SEP: char = '\u{1f}';

/// Maps a row's key cells to a slot (`0..select.len()`).
#[derive(Debug)]
enum Matcher {
    /// Every row is slot 0.
    All,
    /// Rows whose last key cell equals the value are slot 0.
    Value(Box<[u8]>),
    /// Composite keys to slots.
    Keys(HashMap<Box<[u8]>, u32>),
    /// Validation pass: every new key gets the next slot.
    Discover(HashMap<Box<[u8]>, u32>),
}

impl Matcher {
    fn new(select: &Select) -> Matcher {
        match select {
            Select::All { .. } => Matcher::All,
            Select::Value { value, .. } => Matcher::Value(value.as_bytes().into()),
            Select::Keys { keys, .. } => Matcher::Keys(
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| (k.as_bytes().into(), i as u32))
                    .collect(),
            ),
        }
    }

    /// The slot of the row whose key cells are `cells`; `key` is scratch space. `None`: not
    /// selected. In discovery, a new key is added (`Err` if its cells are not UTF-8).
    #[inline]
    fn slot(&mut self, cells: &[&[u8]], key: &mut Vec<u8>) -> Result<Option<u32>, ()> {
        match self {
            // Key cells that validation's discovery would refuse are refused here too, so a
            // replay never keeps a row that validation skipped or failed on.
            Matcher::All if !cells.iter().all(|c| is_name(c)) => Err(()),
            Matcher::All => Ok(Some(0)),
            Matcher::Value(v) => Ok((cells.last().copied() == Some(&v[..])).then_some(0)),
            Matcher::Keys(map) => {
                join_key(cells, key);
                Ok(map.get(&key[..]).copied())
            }
            Matcher::Discover(map) => {
                // Before the lookup: a name holding the separator could pass for a composite key.
                if !cells.iter().all(|c| is_name(c)) {
                    return Err(());
                }
                join_key(cells, key);
                if let Some(&s) = map.get(&key[..]) {
                    return Ok(Some(s));
                }
                let s = map.len() as u32;
                map.insert(key[..].into(), s);
                Ok(Some(s))
            }
        }
    }

    /// In discovery: the keys in slot order.
    fn discovered(self) -> Vec<String> {
        match self {
            Matcher::Discover(map) => {
                let mut keys = vec![String::new(); map.len()];
                for (k, s) in map {
                    keys[s as usize] =
                        String::from_utf8(k.into_vec()).expect("checked when discovered");
                }
                keys
            }
            _ => Vec::new(),
        }
    }
}

/// Whether a key cell can be (part of) a function name: UTF-8 without [`KEY_SEP`].
#[inline]
fn is_name(cell: &[u8]) -> bool {
    !cell.contains(&(KEY_SEP as u8)) && std::str::from_utf8(cell).is_ok()
}

fn join_key(cells: &[&[u8]], key: &mut Vec<u8>) {
    key.clear();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            key.push(KEY_SEP as u8);
        }
        key.extend_from_slice(c);
    }
}

/// Maps trace time (nanoseconds on the trace's own clock) to simulated time: the origin goes
/// to `start`, spans are multiplied by `time_scale`.
#[derive(Clone, Copy, Debug)]
struct Clock {
    origin: i64,
    start: SimTime,
    time_scale: f64,
}

impl Clock {
    fn new(origin: i64, replay: &Replay) -> Clock {
        Clock {
            origin,
            start: SimTime::ZERO + replay.start,
            time_scale: replay.time_scale,
        }
    }

    /// `raw` must not be before the origin.
    #[inline]
    fn at(&self, raw: i64) -> SimTime {
        debug_assert!(raw >= self.origin, "trace time before the origin");
        let span = raw.wrapping_sub(self.origin) as u64;
        self.start + self.scale(span)
    }

    #[inline]
    fn scale(&self, span_ns: u64) -> SimDuration {
        if self.time_scale == 1.0 {
            SimDuration(span_ns)
        } else {
            SimDuration::from_nanos_f64(span_ns as f64 * self.time_scale)
        }
    }
}

/// Random stream purpose of trace replay (thinning, spreading, sampled execution times).
const TRACE_STREAM: u64 = 4;

impl TraceSpec {
    /// The files read, to tell traces that share them apart from those that do not.
    pub fn files(&self) -> Vec<PathBuf> {
        self.format.files()
    }

    /// Every file a replay may read: [`TraceSpec::files`], and side files such as the Azure
    /// 2019 durations and memory files of the chosen days that exist.
    pub fn inputs(&self) -> Vec<PathBuf> {
        self.format.inputs()
    }

    /// Opens a reader. `seed` and `index` (the trace's position in the scenario) seed its
    /// random stream, so a replay is reproducible.
    pub fn open(&self, seed: u64, index: usize) -> Result<Box<dyn TraceSource>, TraceError> {
        self.format
            .open(self, stream(seed, TRACE_STREAM, index as u64))
    }
}

/// One function found in a trace by [`scan`].
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Its key in the trace: the name column, or for Azure the columns that identify a function
    /// joined by [`KEY_SEP`] (`HashOwner`, `HashApp`, `HashFunction` for 2019; `app`, `func` for
    /// 2021).
    pub key: String,
    /// A readable unique name: the last part of the key, the whole key with `/` when that
    /// part is shared.
    pub name: String,
    /// Requests in the trace (before `rate_scale`); per-interval counts may be fractional.
    pub requests: f64,
    /// Azure 2019: the `Trigger` column.
    pub trigger: Option<String>,
    /// Azure 2019: days (of those replayed) without a durations row.
    pub days_without_durations: u32,
    /// Azure 2019: the app's memory percentiles (1, 5, 25, 50, 75, 95, 99, 100), MB.
    pub app_memory_mb: Option<[f64; 8]>,
}

/// What [`scan`] found.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// The functions, in order of first appearance.
    pub functions: Vec<Found>,
    /// Trace time covered, seconds (for rate estimates).
    pub span_s: f64,
    /// Bad rows skipped (with `lenient`).
    pub rows_skipped: u64,
}

/// Reads a whole trace once, as validation does: checks every column and value, and lists
/// the functions with their request counts. Memory grows with the number of functions.
pub fn scan(format: &FormatSpec, replay: &Replay) -> Result<Scan, TraceError> {
    let mut scan = format.scan(replay)?;
    name_functions(&mut scan.functions);
    Ok(scan)
}

/// Names functions by the last part of their key, or the whole key (parts joined by `/`) when
/// that part is shared.
fn name_functions(functions: &mut [Found]) {
    let last = |k: &str| k.rsplit(KEY_SEP).next().unwrap_or(k).to_owned();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for f in functions.iter() {
        *seen.entry(last(&f.key)).or_default() += 1;
    }
    for f in functions.iter_mut() {
        let short = last(&f.key);
        f.name = if seen[&short] > 1 {
            f.key.replace(KEY_SEP, "/")
        } else {
            short
        };
    }
}

/// Draws an exact or a rounded count: `floor(c)` plus one with probability `frac(c)`.
#[inline]
fn round_stochastic(c: f64, rng: &mut Rng) -> u64 {
    use rand::Rng as _;
    let whole = c.floor();
    let frac = c - whole;
    whole as u64 + u64::from(frac > 0.0 && rng.random::<f64>() < frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_rebases_and_scales() {
        let replay = Replay {
            start: SimDuration::from_secs(10),
            time_scale: 2.0,
            rate_scale: 1.0,
            lenient: false,
            sort_window: 0,
        };
        let c = Clock::new(1_000, &replay);
        assert_eq!(c.at(1_000), SimTime(10_000_000_000));
        assert_eq!(c.at(1_500), SimTime(10_000_001_000));
    }

    #[test]
    fn names_use_the_last_key_part_unless_shared() {
        let f = |k: &str| Found {
            key: k.replace('|', &KEY_SEP.to_string()),
            name: String::new(),
            requests: 0.0,
            trigger: None,
            days_without_durations: 0,
            app_memory_mb: None,
        };
        let mut fs = vec![f("o1|a1|f1"), f("o1|a1|f2"), f("o2|a2|f2")];
        name_functions(&mut fs);
        let names: Vec<_> = fs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["f1", "o1/a1/f2", "o2/a2/f2"]);
    }

    /// Found by fuzzing: with a function column but no `function` (every row feeds one
    /// function), a lenient replay kept rows whose name was not UTF-8, which validation had
    /// skipped, so the run replayed more requests than validation counted.
    #[test]
    fn matcher_all_refuses_what_discovery_refuses() {
        let mut buf = Vec::new();
        assert_eq!(Matcher::All.slot(&[], &mut buf), Ok(Some(0)));
        assert_eq!(Matcher::All.slot(&[b"api"], &mut buf), Ok(Some(0)));
        assert_eq!(Matcher::All.slot(&[b"\xff"], &mut buf), Err(()));
        let mut discover = Matcher::Discover(HashMap::new());
        assert_eq!(discover.slot(&[b"\xff"], &mut buf), Err(()));
        // Found by fuzzing: a name holding the key separator matched no `function = ...`.
        assert_eq!(Matcher::All.slot(&[b"a\x1fb"], &mut buf), Err(()));
        assert_eq!(discover.slot(&[b"a\x1fb"], &mut buf), Err(()));
        assert_eq!(discover.slot(&[b"a", b"b"], &mut buf), Ok(Some(0)));
    }

    #[test]
    fn matcher_discovers_keys_in_order() {
        let mut m = Matcher::Discover(HashMap::new());
        let mut buf = Vec::new();
        assert_eq!(m.slot(&[b"a", b"x"], &mut buf), Ok(Some(0)));
        assert_eq!(m.slot(&[b"b", b"x"], &mut buf), Ok(Some(1)));
        assert_eq!(m.slot(&[b"a", b"x"], &mut buf), Ok(Some(0)));
        assert_eq!(m.slot(&[b"\xff"], &mut buf), Err(()));
        assert_eq!(
            m.discovered(),
            vec![format!("a{KEY_SEP}x"), format!("b{KEY_SEP}x")]
        );
    }
}

//! Shared by the fuzz targets: a scratch folder per process, trace options decoded from the
//! input's first byte, and streaming a trace to its end while checking its arrivals.

#![allow(dead_code)]

use coldsim::engine::SimDuration;
use coldsim::workload::trace::{self, FormatSpec, Replay, Select, TraceSpec};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Arrivals streamed per input at most: a per-interval count may legitimately ask for
/// billions, which is slow, not wrong; a hang without arrivals is still caught by `-timeout`.
pub const MAX_ARRIVALS: u64 = 200_000;

/// An empty folder of this process, for the files an input is written to.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("coldsim-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        dir
    })
}

/// Writes `bytes` to `name` in the scratch folder and returns its path.
pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("write a fuzz input file");
    path
}

/// Splits `data` at each `sep`, into at most `n` parts.
pub fn split<'a>(data: &'a [u8], sep: &[u8], n: usize) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() + 1 < n {
        match rest.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// The first byte of an input chooses replay options (bits 0–4) and the selection (bits 5–7);
/// the rest is the file.
pub fn options(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&b, rest)| (b, rest))
}

/// Replay options of option byte `b`.
pub fn replay(b: u8, per_request: bool) -> Replay {
    let time_scale = [1.0, 0.5, 3.0, 1e-6][usize::from(b & 3)];
    let rate_scale = match (per_request, (b >> 2) & 1) {
        (_, 0) => 1.0,
        (true, _) => 0.5,
        (false, _) => 2.5,
    };
    Replay {
        start: SimDuration::from_secs(u64::from(b >> 5)),
        time_scale,
        rate_scale,
        lenient: b & 8 != 0,
        sort_window: [0, 3, 1000, 0][usize::from((b >> 4) & 1) + usize::from(b >> 7)],
    }
}

/// Does what validation and a run do with a trace: scans it once (an error ends there, as
/// validation would), then opens it with a selection built from the scan (bits 5–6 of `b`) and
/// streams every arrival, checking that times never go back, functions are selected ones, and
/// a trace that validation accepted replays without an error. With `exact` (the number of
/// requests is not random) and no `rate_scale`, it also checks that the replay yields as many
/// requests as the scan counted (what validation reports).
pub fn replay_trace(format: FormatSpec, replay: Replay, b: u8, exact: bool) {
    let Ok(scan) = trace::scan(&format, &replay) else {
        return;
    };
    // As validation selects: a CSV without a function column has one function, whose key
    // (for a `[trace]` section) is empty, and cannot be selected by name.
    let keyless = !format.names_functions();
    let keys: Vec<String> = scan
        .functions
        .iter()
        .map(|f| {
            if keyless {
                String::new()
            } else {
                f.key.clone()
            }
        })
        .collect();
    let first = 3;
    let select = match ((b >> 5) & 3, keys.first()) {
        (0, _) | (1, _) if keyless => Select::All { function: first },
        (0, _) => Select::All { function: first },
        (1, Some(k)) => Select::Value {
            value: k.rsplit(trace::KEY_SEP).next().unwrap_or(k).to_owned(),
            function: first,
        },
        (2, Some(_)) => {
            // Every other function, those of odd positions sampling their execution times.
            let picked: Vec<String> = keys.iter().step_by(2).cloned().collect();
            let exec: Vec<bool> = (0..picked.len()).map(|i| i % 2 == 0).collect();
            Select::Keys {
                keys: picked.into(),
                first,
                trace_execution: exec.into(),
            }
        }
        (_, Some(_)) => Select::Keys {
            trace_execution: vec![true; keys.len()].into(),
            keys: keys.clone().into(),
            first,
        },
        // Validation refuses a trace with no function to select.
        (_, None) if !keyless => return,
        (_, None) => Select::All { function: first },
    };
    let last_part = |k: &str| k.rsplit(trace::KEY_SEP).next().unwrap_or(k).to_owned();
    let expected: f64 = match &select {
        Select::All { .. } => scan.functions.iter().map(|f| f.requests).sum(),
        Select::Value { value, .. } => scan
            .functions
            .iter()
            .filter(|f| last_part(&f.key) == *value)
            .map(|f| f.requests)
            .sum(),
        Select::Keys { keys: picked, .. } => scan
            .functions
            .iter()
            .zip(&keys)
            .filter(|(_, k)| picked.contains(k))
            .map(|(f, _)| f.requests)
            .sum(),
    };
    // Known gap: with `lenient`, validation's sort window sees every row, a replay only the
    // selected ones, so a selected row that validation skipped as out of order (behind another
    // function's row) may be replayed. Only then are the counts allowed to differ.
    let subset = match &select {
        Select::All { .. } => false,
        Select::Value { .. } => true,
        Select::Keys { keys: picked, .. } => picked.len() < keys.len(),
    };
    let per_request = format.format().per_request();
    let known_gap = replay.lenient && subset && per_request;
    let exact = exact && !known_gap && replay.rate_scale == 1.0 && expected.fract() == 0.0;
    let fed = match &select {
        Select::All { .. } | Select::Value { .. } => 1,
        Select::Keys { keys, .. } => keys.len() as u32,
    };
    let spec = TraceSpec {
        format,
        replay,
        select,
        rows_skipped: scan.rows_skipped,
    };
    let Ok(mut source) = spec.open(7, 1) else {
        return;
    };
    let mut last = None;
    for n in 0..MAX_ARRIVALS {
        match source.next() {
            Ok(Some(a)) => {
                if let Some(prev) = last {
                    assert!(a.at >= prev, "arrival at {:?} after one at {prev:?}", a.at);
                }
                assert!(
                    (first..first + fed).contains(&a.function),
                    "arrival for function {} of {first}..{}",
                    a.function,
                    first + fed
                );
                last = Some(a.at);
            }
            Ok(None) => {
                if exact {
                    assert_eq!(n as f64, expected, "arrivals replayed, requests scanned");
                }
                return;
            }
            Err(e) => panic!("validation accepted the trace, the replay fails: {e}"),
        }
    }
}

/// Loads scenario `text` with `overrides` as `coldsim check` does (the sweep planner, then
/// parse and validation); files it names are looked up in an empty folder. Every outcome but
/// a panic is fine, and a scenario that loads must load again from the text a run saves.
pub fn load_scenario(text: &str, overrides: &[String]) {
    let base = scratch().join("empty");
    let _ = std::fs::create_dir_all(&base);
    let origin = Path::new("fuzz.toml");
    match coldsim::sweep::plan(text, origin, "fuzz", &base, overrides, None) {
        Ok(Some(_)) | Err(_) => {}
        Ok(None) => {
            // The text a run saves as `scenario.toml` (overrides applied) loads again.
            if let Ok(loaded) = coldsim::scenario::parse(
                text,
                &coldsim::scenario::ParseOptions::default()
                    .origin(origin)
                    .name_default("fuzz")
                    .base_dir(&base)
                    .overrides(overrides),
            ) {
                if let Err(e) = coldsim::scenario::parse(
                    &loaded.text,
                    &coldsim::scenario::ParseOptions::default()
                        .origin(origin)
                        .name_default("fuzz")
                        .base_dir(&base),
                ) {
                    panic!(
                        "the saved scenario.toml does not load: {e}\n{}",
                        loaded.text
                    );
                }
            }
        }
    }
}

/// Whether `text` could name a file outside the empty folder that never ends or blocks
/// (`/dev/zero`, a FIFO): not what the scenario targets test. TOML escapes could spell such a
/// path, so texts with `\\u` are skipped too.
pub fn leaves_folder(text: &str) -> bool {
    ["..", "/dev", "/proc", "/sys", "/run", "/tmp", "\\u", "\\U"]
        .iter()
        .any(|s| text.contains(s))
}

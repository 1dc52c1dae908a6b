//! Trace replay end to end: every format on small fixtures (good and malformed), the real Azure
//! LLM trace, a synthetic Azure 2019 day, strict keys of the trace schema, and the CLI's exit
//! code on a bad trace. Fixtures are in `tests/fixtures/traces/` (see its README).

use assert_cmd::Command;
use coldsim::metrics::{Pricing, Summary};
use coldsim::scenario::{self, Scenario, ScenarioError};
use coldsim::simulation::{Results, SimInit, SimulationError};
use coldsim::workload::trace::Arrival;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traces")
}

/// Scenario text with relative paths resolved against the fixtures folder.
fn load(text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse(
        text,
        &scenario::ParseOptions::default()
            .origin(Path::new("trace-test.toml"))
            .name_default("trace-test")
            .base_dir(&fixtures()),
    )
    .map(|l| l.scenario)
}

fn valid(text: &str) -> Scenario {
    load(text).unwrap_or_else(|e| panic!("invalid test scenario: {e}"))
}

/// The whole error message of an invalid scenario.
fn invalid(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("the scenario should be rejected:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(message: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(message.contains(f), "expected `{f}` in:\n{message}");
    }
}

fn run(s: &Scenario) -> (Results, Summary) {
    let r = SimInit::new(s).run().expect("the trace replays");
    let summary = Summary::new(s, &r.stats, r.peak_total, &Pricing::default());
    (r, summary)
}

/// Every arrival of trace `i`, read straight from its source.
fn arrivals(s: &Scenario, i: usize) -> Vec<Arrival> {
    let mut source = s.traces[i].open(s.seed, i).expect("the trace opens");
    std::iter::from_fn(|| source.next().expect("the trace reads")).collect()
}

fn secs(a: &Arrival) -> f64 {
    a.at.as_secs_f64()
}

/// A one-function scenario whose arrivals are `trace` (an inline table's inner keys).
fn one_function(trace: &str) -> String {
    format!(
        r#"
duration = "1h"
[[functions]]
name = "f"
runtime = "custom"
timeout = "15m"
execution = {{ dist = "constant", value = "10ms" }}
arrivals = {{ process = "trace", {trace} }}
"#
    )
}

/// A `[trace]` scenario (`trace`: the section's lines) whose functions have a custom runtime,
/// no init, and 5 ms executions where the trace records none.
fn section(trace: &str, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
[trace]
{trace}
defaults = {{ runtime = "custom", timeout = "15m", execution = {{ dist = "constant", value = "5ms" }} }}
"#
    )
}

// ---------------------------------------------------------------------------------------------
// The real Azure LLM inference trace (CC BY 4.0, Patel et al., "Splitwise", ISCA 2024).

const LLM: &str = "../../../data/azure-llm-2023/AzureLLMInferenceTrace_code.csv";

/// Nanoseconds of `HH:MM:SS.fffffff` on the trace's single day, parsed independently of the reader.
fn time_of_day_ns(ts: &str) -> i128 {
    let time = ts.split(' ').nth(1).expect("date and time");
    let (hms, frac) = time.split_once('.').expect("fractional seconds");
    let p: Vec<i128> = hms.split(':').map(|x| x.parse().expect("number")).collect();
    let frac_ns: i128 = format!("{frac:0<9}")[..9].parse().expect("fraction");
    ((p[0] * 60 + p[1]) * 60 + p[2]) * 1_000_000_000 + frac_ns
}

#[test]
fn the_azure_llm_trace_replays_every_row_at_its_own_time() {
    let text = std::fs::read_to_string(fixtures().join(LLM)).expect("the bundled LLM trace");
    let rows: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        rows.len(),
        8_819,
        "data rows of the file (8 818 newlines after the header, and a last row without one)"
    );
    let first = time_of_day_ns(rows[0].split(',').next().expect("timestamp"));
    let last = time_of_day_ns(rows[rows.len() - 1].split(',').next().expect("timestamp"));

    let s = valid(&one_function(&format!(
        r#"format = "csv", path = "{LLM}", timestamp = "TIMESTAMP", time_unit = "datetime""#
    )));
    let a = arrivals(&s, 0);
    assert_eq!(a.len(), rows.len());
    assert_eq!(a[0].at.0, 0, "the first request is rebased to the start");
    assert_eq!(
        a[a.len() - 1].at.0 as i128,
        last - first,
        "the last request keeps its offset to the nanosecond"
    );
    assert!(a.windows(2).all(|w| w[0].at <= w[1].at));

    let (r, summary) = run(&s);
    assert_eq!(r.arrivals, rows.len() as u64);
    assert_eq!(summary.stats.invocations, rows.len() as u64);
    assert_eq!(summary.trace_rows_skipped, 0);
}

#[test]
fn start_shifts_and_time_scale_stretches_the_trace() {
    let plain = valid(&one_function(&format!(
        r#"format = "csv", path = "{LLM}", timestamp = "TIMESTAMP", time_unit = "datetime""#
    )));
    let moved = valid(&one_function(&format!(
        r#"format = "csv", path = "{LLM}", timestamp = "TIMESTAMP", time_unit = "datetime", start = "10s", time_scale = 2.0"#
    )));
    let (a, b) = (arrivals(&plain, 0), arrivals(&moved, 0));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b).step_by(97) {
        assert_eq!(y.at.0, 10_000_000_000 + 2 * x.at.0);
    }
}

#[test]
fn rate_scale_thins_a_per_request_trace() {
    let s = valid(&one_function(&format!(
        r#"format = "csv", path = "{LLM}", timestamp = "TIMESTAMP", time_unit = "datetime", rate_scale = 0.5"#
    )));
    let n = arrivals(&s, 0).len() as f64;
    // Binomial(8819, 0.5): standard deviation 47, so ±300 is more than 6 of them.
    assert!((n - 4_409.5).abs() < 300.0, "{n}");
}

// ---------------------------------------------------------------------------------------------
// Generic CSV.

#[test]
fn a_csv_function_column_defines_functions_with_recorded_execution_times() {
    let s = valid(&section(
        r#"format = "csv"
path = "csv/requests.csv"
timestamp = "ts"
function_column = "fn"
duration_column = "dur_ms""#,
        "1h",
    ));
    let names: Vec<&str> = s.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["api", "worker"]);
    let (_, summary) = run(&s);
    let api = &summary.functions[0].stats;
    let worker = &summary.functions[1].stats;
    assert_eq!((api.invocations, worker.invocations), (4, 2));
    // Custom runtime, no init: a request's latency is exactly its recorded duration.
    assert_eq!(api.latency_ms.max, 120.0);
    assert_eq!(worker.latency_ms.max, 2000.0);
    let a = arrivals(&s, 0);
    let t: Vec<f64> = a.iter().map(secs).collect();
    assert_eq!(t, [0.0, 0.5, 1.25, 3.0, 10.0, 10.0]);
    assert_eq!(a[3].execution.map(|d| d.0), Some(95_500_000));
}

#[test]
fn a_function_can_replay_one_function_of_a_csv() {
    let s = valid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "ts", function_column = "fn", function = "worker""#,
    ));
    let a = arrivals(&s, 0);
    // Rebased on the file's first row (an `api` request), so both functions of one file stay aligned.
    assert_eq!(a.iter().map(secs).collect::<Vec<_>>(), [1.25, 10.0]);
    assert_eq!(run(&s).0.arrivals, 2);
}

#[test]
fn an_unknown_function_name_is_reported_with_examples() {
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "ts", function_column = "fn", function = "Worker""#,
    ));
    assert_mentions(
        &e,
        &[
            "functions.f.arrivals.function",
            "requests.csv",
            "no function `Worker` in column `fn`",
            "api, worker",
        ],
    );
}

#[test]
fn rows_out_of_order_are_sorted_within_the_window_or_reported() {
    let strict = invalid(&one_function(
        r#"format = "csv", path = "csv/unsorted.csv", timestamp = "ts", sort_window = 0"#,
    ));
    assert_mentions(
        &strict,
        &[
            "unsorted.csv",
            "line 4",
            "line 3",
            "sort_window",
            "sort the file",
        ],
    );

    let s = valid(&one_function(
        r#"format = "csv", path = "csv/unsorted.csv", timestamp = "ts", sort_window = 1"#,
    ));
    let t: Vec<f64> = arrivals(&s, 0).iter().map(secs).collect();
    assert_eq!(t, [0.0, 0.5, 2.0, 3.0]);

    let lenient = valid(&one_function(
        r#"format = "csv", path = "csv/unsorted.csv", timestamp = "ts", sort_window = 0, lenient = true"#,
    ));
    let r = SimInit::new(&lenient).run().expect("lenient replay");
    assert_eq!((r.arrivals, r.trace_rows_skipped), (3, 1));
}

#[test]
fn a_bad_value_names_file_line_and_column() {
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/not_a_number.csv", timestamp = "ts""#,
    ));
    assert_mentions(
        &e,
        &[
            "not_a_number.csv",
            "line 3, column 1 (`ts`)",
            "`ten` is not a number of seconds",
            "lenient = true",
        ],
    );
}

#[test]
fn lenient_skips_bad_rows_and_counts_them() {
    let s = valid(&one_function(
        r#"format = "csv", path = "csv/not_a_number.csv", timestamp = "ts", lenient = true"#,
    ));
    let (r, _) = run(&s);
    assert_eq!((r.arrivals, r.trace_rows_skipped), (2, 1));
}

#[test]
fn malformed_csv_files_are_reported() {
    let cases = [
        (
            "csv/negative_duration.csv",
            r#", duration_column = "dur_ms""#,
            vec!["line 3, column 3 (`dur_ms`)", "the duration -5 is negative"],
        ),
        (
            "csv/ragged.csv",
            "",
            vec![
                "ragged.csv: line 3",
                "the row has 2 fields but the header has 3",
            ],
        ),
        ("csv/empty.csv", "", vec!["empty.csv", "the file is empty"]),
        (
            "csv/header_only.csv",
            "",
            vec!["header_only.csv", "no data rows"],
        ),
        (
            "csv/not_utf8.csv",
            "",
            vec!["not_utf8.csv", "line 3, column 1 (`ts`)", "not UTF-8"],
        ),
        (
            "csv/requests.csv",
            r#", duration_column = "duration""#,
            vec![
                "line 1",
                "no column `duration`",
                "ts, fn, dur_ms",
                "duration_column",
            ],
        ),
        (
            "csv/no_such_file.csv",
            "",
            vec!["cannot read trace file", "no_such_file.csv"],
        ),
    ];
    for (path, extra, fragments) in cases {
        let e = invalid(&one_function(&format!(
            r#"format = "csv", path = "{path}", timestamp = "ts"{extra}"#
        )));
        assert_mentions(&e, &fragments);
    }
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "time""#,
    ));
    assert_mentions(
        &e,
        &[
            "requests.csv: line 1",
            "no column `time`",
            "set `timestamp`",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Azure Functions 2021.

#[test]
fn azure2021_arrives_at_end_minus_duration_and_runs_for_the_duration() {
    let s = valid(&section(
        r#"format = "azure2021"
path = "azure2021/invocations.csv""#,
        "1h",
    ));
    let names: Vec<&str> = s.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["f1", "f2", "f3"]);
    let a = arrivals(&s, 0);
    let t: Vec<f64> = a.iter().map(secs).collect();
    assert_eq!(t, [0.0, 0.1, 1.25, 4.4, 6.5]);
    let f: Vec<u32> = a.iter().map(|x| x.function).collect();
    assert_eq!(f, [0, 2, 1, 0, 2]);
    let exec: Vec<u64> = a
        .iter()
        .map(|x| x.execution.expect("recorded").0 / 1_000_000)
        .collect();
    assert_eq!(exec, [500, 1500, 250, 100, 2000]);
    let (_, summary) = run(&s);
    assert_eq!(summary.functions[2].stats.latency_ms.max, 2000.0);
}

#[test]
fn azure2021_rows_out_of_order_beyond_the_window_are_reported() {
    let e = invalid(&section(
        r#"format = "azure2021"
path = "azure2021/invocations.csv"
sort_window = 0"#,
        "1h",
    ));
    assert_mentions(
        &e,
        &[
            "trace.path",
            "invocations.csv: line 4",
            "line 3",
            "`sort_window` = 0",
        ],
    );
    let e = invalid(&section(
        r#"format = "azure2021"
path = "azure2021/negative_duration.csv""#,
        "1h",
    ));
    assert_mentions(&e, &["line 3, column 4 (`duration`)", "negative"]);
}

// ---------------------------------------------------------------------------------------------
// Huawei 2023.

#[test]
fn huawei_minutes_expand_exactly_and_nan_means_no_requests() {
    let s = valid(&section(
        r#"format = "huawei2023"
paths = ["huawei2023/requests_minute_day0.csv", "huawei2023/requests_minute_day1.csv"]"#,
        "1h",
    ));
    let names: Vec<&str> = s.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["0", "1", "2"]);
    let a = arrivals(&s, 0);
    let count = |f: u32| a.iter().filter(|x| x.function == f).count();
    assert_eq!((count(0), count(1), count(2)), (9, 3, 3));
    assert!(a.windows(2).all(|w| w[0].at <= w[1].at));
    // Function 1's two requests of minute 1 (time 60) fall inside that minute.
    let f1: Vec<f64> = a.iter().filter(|x| x.function == 1).map(secs).collect();
    assert!(
        f1[..2].iter().all(|&t| (60.0..120.0).contains(&t)),
        "{f1:?}"
    );
    // The second day file continues at 180 s.
    assert!(secs(&a[a.len() - 1]) >= 180.0);
    assert!(a.iter().all(|x| x.execution.is_none()));
    assert_eq!(run(&s).0.arrivals, 15);
}

#[test]
fn huawei_seconds_use_one_second_intervals() {
    let s = valid(&section(
        r#"format = "huawei2023"
path = "huawei2023/requests_second.csv"
counts = "requests_second"
spread = "equidistant""#,
        "1m",
    ));
    let a = arrivals(&s, 0);
    let b: Vec<u64> = a
        .iter()
        .filter(|x| x.function == 1)
        .map(|x| x.at.0)
        .collect();
    // b: 1 request in second 0, 3 in second 1 (evenly spaced), none (NaN) in second 2.
    assert_eq!(
        b,
        [500_000_000, 1_166_666_666, 1_500_000_000, 1_833_333_333]
    );
    assert_eq!(a.len(), 7);
}

/// Found by fuzzing: with `lenient`, validation skipped a row for a bad cell in a column the
/// replay did not select, but the replay kept the row (it read only selected columns), so the
/// run replayed requests validation had not counted.
#[test]
fn lenient_huawei_replay_skips_the_rows_validation_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.csv");
    std::fs::write(&file, "day,time,a,b\n0,0,2,1\n0,60,3,oops\n0,120,1,1\n").unwrap();
    let s = valid(&one_function(&format!(
        r#"format = "huawei2023", path = "{}", function = "a", lenient = true, spread = "equidistant""#,
        file.display()
    )));
    assert_eq!(s.traces[0].rows_skipped, 1);
    let a = arrivals(&s, 0);
    assert_eq!(a.len(), 3, "{a:?}");
    assert!(a.iter().all(|x| !(60.0..120.0).contains(&secs(x))));
}

/// Found by fuzzing: a count too large to expand passed validation and failed the run.
#[test]
fn huawei_count_too_large_to_replay_is_refused_by_validation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("day.csv");
    std::fs::write(&file, "day,time,a\n0,0,1\n0,60,20000000\n").unwrap();
    let e = invalid(&one_function(&format!(
        r#"format = "huawei2023", path = "{}", function = "a""#,
        file.display()
    )));
    assert_mentions(
        &e,
        &["day.csv", "line 3", "20000000 requests", "rate_scale"],
    );
}

#[test]
fn malformed_huawei_files_are_reported() {
    let e = invalid(&section(
        r#"format = "huawei2023"
path = "huawei2023/time_goes_back.csv""#,
        "1h",
    ));
    assert_mentions(
        &e,
        &[
            "time_goes_back.csv: line 4",
            "time 60 s is less than one interval (60 s) after the previous row's 120 s",
        ],
    );
    let e = invalid(&section(
        r#"format = "huawei2023"
path = "huawei2023/negative_count.csv""#,
        "1h",
    ));
    assert_mentions(
        &e,
        &[
            "negative_count.csv: line 3, column 3 (`0`)",
            "the count -2 is negative",
        ],
    );
    // A per-second file read as per-minute: rows one second apart are too close.
    let e = invalid(&section(
        r#"format = "huawei2023"
path = "huawei2023/requests_second.csv""#,
        "1h",
    ));
    assert_mentions(&e, &["line 3", "check `counts`"]);
}

// ---------------------------------------------------------------------------------------------
// Azure Functions 2019.

const SMALL: &str = r#"format = "azure2019"
dir = "azure2019-small"
days = [1, 2]"#;

#[test]
fn azure2019_replays_the_counts_with_trace_memory_and_durations() {
    let s = valid(&section(SMALL, "48h"));
    let names: Vec<&str> = s.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["fhttp", "ftimer", "fbig"]);
    let memory: Vec<u32> = s.functions.iter().map(|f| f.memory_mb).collect();
    // The app's 99th percentile rounded up (a1: 399.2 MB), at least Lambda's 128 MB (a2: 99 MB).
    assert_eq!(memory, [400, 400, 128]);
    let a = arrivals(&s, 0);
    let count = |f: u32| a.iter().filter(|x| x.function == f).count();
    assert_eq!((count(0), count(1), count(2)), (7, 2, 40));
    // fbig's 40 requests fall in minute 5; fhttp's last one in minute 1 of day 2.
    assert!(a
        .iter()
        .filter(|x| x.function == 2)
        .all(|x| (240.0..300.0).contains(&secs(x))));
    let last = a
        .iter()
        .filter(|x| x.function == 0)
        .map(secs)
        .fold(0.0, f64::max);
    assert!((86_400.0..86_460.0).contains(&last), "{last}");
    // Execution times: between fhttp's 0th and 100th percentiles; fbig has none in the trace.
    for x in &a {
        match x.function {
            0 => assert!((10.0..=500.0).contains(&(x.execution.expect("traced").0 as f64 / 1e6))),
            1 => assert!((900.0..=1100.0).contains(&(x.execution.expect("traced").0 as f64 / 1e6))),
            _ => assert_eq!(x.execution, None),
        }
    }
    let (r, summary) = run(&s);
    assert_eq!(r.arrivals, 49);
    assert_eq!(
        summary.functions[2].stats.latency_ms.max, 5.0,
        "fbig uses defaults.execution"
    );
}

#[test]
fn azure2019_functions_without_durations_need_a_default_execution() {
    let text =
        format!("duration = \"24h\"\n[trace]\n{SMALL}\ndefaults = {{ runtime = \"custom\" }}\n");
    let e = invalid(&text);
    assert_mentions(
        &e,
        &[
            "trace.defaults.execution",
            "1 trace function (e.g. `fbig`) have no execution times in the trace",
        ],
    );
    let picked = format!("duration = \"24h\"\n[trace]\n{SMALL}\ntrigger = \"timer\"\ndefaults = {{ runtime = \"custom\" }}\n");
    assert_eq!(
        valid(&picked).functions.len(),
        1,
        "ftimer has durations on every day it runs"
    );
}

#[test]
fn azure2019_selection_by_trigger_top_and_sample() {
    let names = |extra: &str| -> Vec<String> {
        valid(&section(&format!("{SMALL}\n{extra}"), "48h"))
            .functions
            .iter()
            .map(|f| f.name.clone())
            .collect()
    };
    assert_eq!(names("trigger = \"timer\""), ["ftimer"]);
    assert_eq!(
        names("top = 2"),
        ["fhttp", "fbig"],
        "the two busiest, in trace order"
    );
    assert_eq!(names("trigger = \"http\"\ntop = 1"), ["fbig"]);
    let sampled = names("sample = 2");
    assert_eq!(sampled.len(), 2);
    assert_eq!(
        sampled,
        names("sample = 2"),
        "seeded by the scenario's seed"
    );
    assert_eq!(names("sample = 10").len(), 3);
    let e = invalid(&section(&format!("{SMALL}\ntrigger = \"queue\""), "48h"));
    assert_mentions(
        &e,
        &[
            "trace.trigger",
            "no function has Trigger = `queue`",
            "http, timer",
        ],
    );
    let e = invalid(&section(&format!("{SMALL}\ntop = 1\nsample = 1"), "48h"));
    assert_mentions(&e, &["trace.sample", "not both"]);
}

#[test]
fn overrides_apply_by_name_pattern_and_the_last_match_wins() {
    let text = format!(
        r#"duration = "48h"
[trace]
{SMALL}
defaults = {{ runtime = "python3.12", execution = {{ dist = "constant", value = "5ms" }} }}
[[trace.overrides]]
pattern = "f*"
memory_mb = 1024
[[trace.overrides]]
pattern = "fb?g"
runtime = "nodejs22.x"
memory_mb = 2048
execution = {{ dist = "constant", value = "7ms" }}
"#
    );
    let s = valid(&text);
    let got: Vec<(&str, &str, u32)> = s
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.runtime.as_str(), f.memory_mb))
        .collect();
    assert_eq!(
        got,
        [
            ("fhttp", "python3.12", 1024),
            ("ftimer", "python3.12", 1024),
            ("fbig", "nodejs22.x", 2048)
        ]
    );
    let e = invalid(&text.replace("pattern = \"fb?g\"\n", ""));
    assert_mentions(&e, &["trace.overrides.1.pattern", "needs a pattern"]);
    let e = invalid(&text.replace("runtime = \"nodejs22.x\"", "runtime = \"cobol\""));
    assert_mentions(&e, &["trace.overrides.1.runtime"]);
}

#[test]
fn one_function_can_replay_one_azure2019_function() {
    let s = valid(&one_function(
        r#"format = "azure2019", dir = "azure2019-small", function = "fbig", spread = "equidistant""#,
    ));
    let t: Vec<f64> = arrivals(&s, 0).iter().map(secs).collect();
    assert_eq!(t.len(), 40);
    assert_eq!(t[0], 240.75, "request 1 of 40 at (0 + ½)/40 of minute 5");
    let e = invalid(&one_function(
        r#"format = "azure2019", dir = "azure2019-small", function = "fnone""#,
    ));
    assert_mentions(
        &e,
        &[
            "invocations_per_function_md.anon.d01.csv",
            "no function `fnone` in column `HashFunction`",
        ],
    );
}

#[test]
fn malformed_azure2019_files_are_reported() {
    let cases = [
        (
            "negative",
            vec![
                "negative/invocations_per_function_md.anon.d01.csv: line 3, column 11 (`7`)",
                "the count -1 is negative",
            ],
        ),
        (
            "not_a_number",
            vec![
                "line 2, column 5 (`1`)",
                "`three` is not a whole number of requests",
            ],
        ),
        (
            "missing_column",
            vec![
                "line 1",
                "no column `HashFunction`",
                "HashOwner,HashApp,HashFunction,Trigger,1,…,1440",
            ],
        ),
    ];
    for (dir, fragments) in cases {
        let e = invalid(&section(
            &format!("format = \"azure2019\"\ndir = \"azure2019-bad/{dir}\""),
            "24h",
        ));
        assert_mentions(&e, &fragments);
        assert_mentions(&e, &["trace.dir"]);
    }
    let e = invalid(&section(
        "format = \"azure2019\"\ndir = \"azure2019-small\"\ndays = [3]",
        "24h",
    ));
    assert_mentions(
        &e,
        &[
            "cannot read trace file",
            "invocations_per_function_md.anon.d03.csv",
        ],
    );
    let lenient = valid(&section(
        "format = \"azure2019\"\ndir = \"azure2019-bad/negative\"\nlenient = true",
        "24h",
    ));
    let r = SimInit::new(&lenient).run().expect("lenient replay");
    assert_eq!((r.arrivals, r.trace_rows_skipped), (3, 1));
}

/// The sum of every per-minute count of an Azure 2019 invocations file, parsed independently.
fn total_requests(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).expect("invocations file");
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .skip(4)
                .map(|c| c.parse::<u64>().expect("count"))
                .sum::<u64>()
        })
        .sum()
}

#[test]
fn a_synthetic_azure2019_day_replays_every_counted_request() {
    let dir = fixtures().join("azure2019-synthetic");
    let total = total_requests(&dir.join("invocations_per_function_md.anon.d01.csv"));
    assert_eq!(total, 432_807, "as gen_azure2019.py reported");
    let s = valid(&section(
        "format = \"azure2019\"\ndir = \"azure2019-synthetic\"",
        "24h",
    ));
    assert_eq!(s.functions.len(), 33);
    let (r, summary) = run(&s);
    assert_eq!(r.arrivals, total);
    assert_eq!(summary.stats.invocations, total);
    // The same seed gives the same run.
    assert_eq!(run(&s).1, summary);

    for (extra, want) in [
        ("rate_scale = 0.25", total as f64 / 4.0),
        ("spread = \"poisson\"", total as f64),
    ] {
        let s = valid(&section(
            &format!("format = \"azure2019\"\ndir = \"azure2019-synthetic\"\n{extra}"),
            "24h",
        ));
        let n = run(&s).0.arrivals as f64;
        // Roundings and Poisson draws add up to a standard deviation of a few hundred at most.
        assert!((n - want).abs() < 0.01 * want, "{extra}: {n} vs {want}");
    }
}

// ---------------------------------------------------------------------------------------------
// Schema and placement.

#[test]
fn typos_in_trace_keys_and_values_are_rejected() {
    let cases = [
        (
            r#"format = "csvv", path = "csv/requests.csv""#,
            "unknown variant `csvv`",
        ),
        (
            r#"format = "csv", path = "csv/requests.csv", time_unit = "sec""#,
            "unknown variant `sec`",
        ),
        (
            r#"format = "azure2019", dir = "azure2019-small", function = "fbig", spread = "even""#,
            "unknown variant `even`",
        ),
        (
            r#"format = "huawei2023", path = "huawei2023/requests_second.csv", counts = "per_second", function = "a""#,
            "unknown variant `per_second`",
        ),
        (
            r#"format = "csv", pth = "csv/requests.csv""#,
            "unknown field `pth`",
        ),
    ];
    for (trace, fragment) in cases {
        assert_mentions(&invalid(&one_function(trace)), &[fragment, "line"]);
    }
    let e = invalid(&section(SMALL, "24h").replace("timeout = \"15m\"", "timout = \"15m\""));
    assert_mentions(&e, &["unknown field `timout`"]);
}

#[test]
fn trace_options_are_checked_against_format_and_place() {
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "ts", dir = "x", spread = "poisson""#,
    ));
    assert_mentions(&e, &["functions.f.arrivals.dir: does not apply to format \"csv\"; it is an option of azure2019", "arrivals.spread"]);
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "ts", top = 3"#,
    ));
    assert_mentions(&e, &["arrivals.top", "only applies in a [trace] section"]);
    let e = invalid(&section(
        "format = \"azure2019\"\ndir = \"azure2019-small\"\nfunction = \"fbig\"",
        "24h",
    ));
    assert_mentions(&e, &["trace.function", "top` or `sample"]);
    let e = invalid(&one_function(
        r#"format = "csv", path = "csv/requests.csv", timestamp = "ts", rate_scale = 2.0"#,
    ));
    assert_mentions(
        &e,
        &[
            "arrivals.rate_scale",
            "at most 1 for a per-request trace",
            "time_scale < 1",
        ],
    );
    let e = invalid(&one_function(
        r#"format = "azure2021", path = "azure2021/invocations.csv""#,
    ));
    assert_mentions(&e, &["arrivals.function", "name the trace function"]);
    let e = invalid(
        &section(
            "format = \"csv\"\npath = \"csv/requests.csv\"\ntimestamp = \"ts\"",
            "1h",
        )
        .replace("runtime = \"custom\", ", ""),
    );
    assert_mentions(
        &e,
        &[
            "trace.defaults.runtime",
            "set the runtime of trace functions",
        ],
    );
}

#[test]
fn a_trace_cannot_be_part_of_a_superposition() {
    let text = r#"
duration = "1h"
[[functions]]
name = "f"
runtime = "custom"
execution = { dist = "constant", value = "10ms" }
arrivals = [
  { process = "poisson", rate = 1.0 },
  { process = "trace", format = "csv", path = "csv/requests.csv", timestamp = "ts" },
]
"#;
    assert_mentions(
        &invalid(text),
        &[
            "functions.f.arrivals.1",
            "cannot be part of a list of arrival processes",
        ],
    );
}

#[test]
fn trace_functions_and_declared_functions_can_be_mixed() {
    let text = format!(
        r#"duration = "48h"
[[functions]]
name = "steady"
runtime = "custom"
execution = {{ dist = "constant", value = "10ms" }}
arrivals = {{ process = "periodic", every = "1h" }}
[trace]
{SMALL}
defaults = {{ runtime = "custom", execution = {{ dist = "constant", value = "5ms" }} }}
"#
    );
    let s = valid(&text);
    assert_eq!(s.functions.len(), 4);
    assert!(
        arrivals(&s, 0).iter().all(|a| a.function >= 1),
        "trace functions come after the declared ones"
    );
    assert_eq!(run(&s).0.arrivals, 48 + 49);
    let clash = text.replace("name = \"steady\"", "name = \"fbig\"");
    assert_mentions(
        &invalid(&clash),
        &["trace function `fbig` has the same name as a [[functions]] entry"],
    );
}

// ---------------------------------------------------------------------------------------------
// Failures at run time and on the command line.

#[test]
fn a_trace_that_disappears_after_validation_fails_the_run_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.csv");
    std::fs::copy(fixtures().join("csv/requests.csv"), &path).expect("copy");
    let s = valid(&one_function(&format!(
        r#"format = "csv", path = "{}", timestamp = "ts""#,
        path.display()
    )));
    std::fs::remove_file(&path).expect("remove");
    match SimInit::new(&s).run() {
        Err(SimulationError::Trace(e)) => {
            assert_mentions(&e.to_string(), &["cannot read trace file", "t.csv"])
        }
        Err(e) => panic!("the run should fail reading the trace, not with: {e}"),
        Ok(_) => panic!("the run should fail"),
    }
}

#[test]
fn the_cli_exits_2_on_a_bad_trace_and_reports_skipped_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, trace_options: &str| {
        let path = dir.path().join(name);
        let csv = fixtures().join("csv/not_a_number.csv");
        std::fs::write(
            &path,
            one_function(&format!(
                r#"format = "csv", path = "{}", timestamp = "ts"{trace_options}"#,
                csv.display()
            )),
        )
        .expect("write");
        path
    };
    let bad = write("bad.toml", "");
    let out = Command::cargo_bin("coldsim")
        .expect("binary")
        .arg("check")
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_mentions(
        &String::from_utf8_lossy(&out.stderr),
        &["bad.toml", "not_a_number.csv: line 3, column 1 (`ts`)"],
    );

    let lenient = write("lenient.toml", ", lenient = true");
    let report = dir.path().join("out");
    let out = Command::cargo_bin("coldsim")
        .expect("binary")
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&report)
        .arg(&lenient)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(json["trace_rows_skipped"], 1);
    assert_eq!(json["invocations"], 2);
}

#[test]
fn the_bundled_trace_scenarios_are_valid() {
    for name in [
        "azure-llm-replay",
        "azure2019-replay",
        "azure2021-replay",
        "huawei-replay",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        let loaded = scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!loaded.scenario.traces.is_empty(), "{name} replays a trace");
    }
}

#[test]
fn a_request_arriving_as_another_completes_finds_its_environment_idle() {
    // Hand-checked: request 1 arrives at 0 s, cold with no init, and runs its recorded 1 s;
    // request 2 arrives at exactly 1 s. Queued events go first at equal times, so the
    // completion frees the environment and request 2 is warm.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two.csv");
    std::fs::write(&path, "ts,ms\n0,1000\n1,1000\n").expect("write");
    let s = valid(&section(
        &format!(
            "format = \"csv\"\npath = \"{}\"\ntimestamp = \"ts\"\nduration_column = \"ms\"",
            path.display()
        ),
        "1h",
    ));
    let (_, summary) = run(&s);
    assert_eq!(
        (summary.stats.cold_starts, summary.stats.warm_starts),
        (1, 1)
    );
    assert_eq!(summary.stats.environments.created, 1);
}

/// One count too large to expand is refused by validation (found by fuzzing: it used to pass
/// and fail the run); counts that fit alone but not together fail the run, with the same advice.
#[test]
fn an_interval_too_full_to_expand_is_refused_with_advice() {
    let trace = |rate_scale: &str| {
        section(
            &format!("format = \"huawei2023\"\npath = \"huawei2023/requests_minute_day0.csv\"\nrate_scale = {rate_scale}"),
            "1h",
        )
    };
    // Line 2 holds 3 and 1 requests: 3e7 alone is too many.
    assert_mentions(
        &invalid(&trace("1e7")),
        &[
            "requests_minute_day0.csv: line 2 holds 30000000 requests",
            "lower `rate_scale`",
        ],
    );
    // Line 4 holds 5 and 1 requests: 1.5e7 and 3e6 fit alone, 1.8e7 together do not.
    let s = valid(&trace("3e6"));
    match SimInit::new(&s).run() {
        Err(e) => assert_mentions(
            &e.to_string(),
            &[
                "requests_minute_day0.csv: line 4 holds 18000000 requests",
                "lower `rate_scale`",
            ],
        ),
        Ok(_) => panic!("18 million requests in one minute should be refused"),
    }
}

/// The format registry: unique names, each found by its name, each taking only options of
/// `OPTIONS`, and the scenario's `format` accepting exactly the registered names, with serde's
/// enum message for any other.
#[test]
fn the_format_registry_is_what_scenarios_accept() {
    use coldsim::workload::trace::{find, FORMATS, OPTIONS};
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["csv", "azure2019", "azure2021", "huawei2023"]);
    for f in FORMATS {
        assert_eq!(find(f.name()).map(|g| g.name()), Some(f.name()));
        for o in f.options() {
            assert!(OPTIONS.contains(o), "{}: unknown option {o}", f.name());
        }
        assert!(!f.reads().is_empty());
    }
    assert!(find("azure2020").is_none());
    let e = invalid("duration = \"1h\"\n[trace]\nformat = \"azure2020\"\npath = \"x.csv\"\n");
    assert_mentions(
        &e,
        &["trace.format: unknown variant `azure2020`, expected one of `csv`, `azure2019`, `azure2021`, `huawei2023`"],
    );
    // The schema lists the same names, in registry order.
    let schema = coldsim::scenario::schema_json().to_string();
    let listed: Vec<&str> = FORMATS
        .iter()
        .map(|f| f.name())
        .filter(|n| schema.contains(&format!("\"{n}\"")))
        .collect();
    assert_eq!(listed, names);
}

/// An option of one format set on another is named with the formats that take it, as the
/// registry lists them.
#[test]
fn a_misplaced_option_names_the_formats_that_take_it() {
    let e = invalid(
        "duration = \"1h\"\n[trace]\nformat = \"azure2021\"\npath = \"azure2021/invocations.csv\"\nspread = \"poisson\"\n[trace.defaults]\nruntime = \"python3.12\"\n",
    );
    assert_mentions(
        &e,
        &["trace.spread: does not apply to format \"azure2021\"; it is an option of azure2019, huawei2023"],
    );
}

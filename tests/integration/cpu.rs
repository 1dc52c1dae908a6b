//! `cpu = { share, threads, measured_at_mb }`: parsing and its defaults.

use super::scenario;
use coldsim::platform::CpuWork;

const BASE: &str = r#"
duration = "1h"

[[functions]]
name = "api"
runtime = "python3.12"
memory_mb = 512
execution = { dist = "constant", value = "100ms" }
arrivals = { process = "poisson", rate = 1.0 }
"#;

#[test]
fn cpu_parses_with_one_thread_measured_at_the_functions_memory_by_default() {
    assert_eq!(scenario(BASE).functions[0].cpu, None);
    let s = scenario(&format!("{BASE}cpu = {{ share = 0.7 }}\n"));
    assert_eq!(
        s.functions[0].cpu,
        Some(CpuWork {
            share: 0.7,
            threads: 1,
            measured_at_mb: 512
        })
    );
    let s = scenario(&format!(
        "{BASE}cpu = {{ share = 1.0, threads = 4, measured_at_mb = 1769 }}\n"
    ));
    assert_eq!(
        s.functions[0].cpu,
        Some(CpuWork {
            share: 1.0,
            threads: 4,
            measured_at_mb: 1769
        })
    );
}

/// A function without init (runtime `custom`), so every latency is its execution.
fn no_init(memory_mb: u32, execution: &str, cpu: &str) -> String {
    format!(
        r#"
duration = "10m"

[[functions]]
name = "f"
runtime = "custom"
memory_mb = {memory_mb}
timeout = "15m"
execution = {execution}
arrivals = {{ process = "poisson", rate = 2.0 }}
{cpu}
"#
    )
}

#[test]
fn memory_scaling_is_exact_for_a_constant_execution() {
    // Exact: a constant execution gives one duration, whose milliseconds are integers here
    // (the scaled CPU part is rounded to the nanosecond, and these factors are whole).
    let constant = r#"{ dist = "constant", value = "100ms" }"#;
    let latency = |memory_mb: u32, cpu: &str| {
        let (_, s) = super::run(&no_init(memory_mb, constant, cpu));
        let l = s.functions[0].stats.latency_ms;
        assert!(l.samples > 1000, "{} requests", l.samples);
        (l.mean, l.max)
    };
    // Without `cpu` the memory changes nothing.
    assert_eq!(latency(256, ""), (100.0, 100.0));
    assert_eq!(latency(10_240, ""), (100.0, 100.0));
    // 70 ms of CPU measured at 1,024 MB take 4× as long at 256 MB; the 30 ms of waiting stay.
    let cpu = "cpu = { share = 0.7, measured_at_mb = 1024 }";
    assert_eq!(latency(256, cpu), (310.0, 310.0));
    assert_eq!(latency(128, cpu), (590.0, 590.0));
    assert_eq!(latency(1024, cpu), (100.0, 100.0));
    // One thread gains nothing beyond one vCPU (1,769 MB); six threads gain 6× at 10,240 MB.
    let one = "cpu = { share = 1.0, measured_at_mb = 1769 }";
    assert_eq!(latency(10_240, one), (100.0, 100.0));
    let six = "cpu = { share = 0.6, threads = 6, measured_at_mb = 1769 }";
    assert_eq!(latency(10_240, six), (50.0, 50.0));
    // Measured at the function's own memory by default: nothing to scale.
    assert_eq!(latency(256, "cpu = { share = 0.7 }"), (100.0, 100.0));
}

#[test]
fn a_traces_execution_times_count_as_measured_at_the_functions_memory() {
    let with = |cpu: &str| {
        let text = format!(
            r#"
duration = "1h"

[[functions]]
name = "api"
runtime = "custom"
memory_mb = 512
arrivals = {{ process = "trace", format = "csv", path = "tests/fixtures/traces/csv/requests.csv", timestamp = "ts", function_column = "fn", function = "api", duration_column = "dur_ms" }}
execution = {{ dist = "constant", value = "1ms" }}
{cpu}
"#
        );
        let (_, s) = super::run(&text);
        let l = s.functions[0].stats.latency_ms;
        (l.samples, l.mean, l.max)
    };
    // The trace's api requests took 120, 80, 95.5 and 70 ms.
    assert_eq!(with(""), (4, 91.375, 120.0));
    assert_eq!(with("cpu = { share = 0.5 }"), (4, 91.375, 120.0));
    // Measured at 1,024 MB, run at 512 MB: the CPU half takes twice as long (× 1.5 in all).
    assert_eq!(
        with("cpu = { share = 0.5, measured_at_mb = 1024 }"),
        (4, 137.0625, 180.0)
    );
}

/// The bundled memory-sizing sweep answers its question: for the CPU-heavy handler the p99
/// falls with every size up to one vCPU, and the cheapest size that works is not the smallest;
/// `report.html` names the cheapest and the fastest size of both kinds. The scenario's seed is
/// fixed, so the run is the same each time; the margins between the sizes are wide (p99 falls
/// by more than 10% from each size to the next up to 1,769 MB; 128 and 256 MB fail more than
/// 1% of their requests, the limit of a candidate).
#[test]
fn the_memory_sizing_scenario_names_a_cheapest_size_above_the_smallest() {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temp dir");
    assert_cmd::Command::cargo_bin("coldsim")
        .expect("the coldsim binary")
        .current_dir(&repo)
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .arg("scenarios/memory-sizing.toml")
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).expect("sweep.csv");
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().expect("a header").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("sweep.csv has {name}"))
    };
    let (memory, share, p99) = (
        col("functions.handler.memory_mb"),
        col("functions.handler.cpu.share"),
        col("latency_p99_ms_mean"),
    );
    let mut heavy: Vec<(u32, f64)> = rows
        .map(|r| r.split(',').collect::<Vec<_>>())
        .filter(|r| r[share] == "0.9")
        .map(|r| {
            (
                r[memory].parse().expect("memory"),
                r[p99].parse().expect("p99"),
            )
        })
        .filter(|&(m, _)| m <= 1769)
        .collect();
    heavy.sort_by_key(|&(m, _)| m);
    assert_eq!(heavy.len(), 7, "{heavy:?}");
    for w in heavy.windows(2) {
        assert!(w[1].1 < w[0].1 * 0.9, "p99 does not fall from {w:?}");
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("report.html");
    let named = |kind: &str| {
        let at = html
            .find(&format!("<b>share={kind}</b>: cheapest <b>"))
            .unwrap_or_else(|| panic!("report.html names the cheapest size of share={kind}"));
        let rest = &html[at..];
        let size = |word: &str| -> u32 {
            let i = rest.find(word).expect("named") + word.len();
            rest[i..]
                .split(' ')
                .next()
                .expect("a size")
                .parse()
                .expect("a number")
        };
        (size("cheapest <b>"), size("fastest <b>"))
    };
    let (cheapest, fastest) = named("0.9");
    assert!(
        cheapest > 128,
        "the CPU-heavy handler's cheapest size is {cheapest} MB"
    );
    // One thread gains nothing beyond one vCPU, and 1,536 MB is more than 10% slower.
    assert_eq!(fastest, 1769);
    let (io_cheapest, _) = named("0.1");
    assert_eq!(io_cheapest, 128);
}

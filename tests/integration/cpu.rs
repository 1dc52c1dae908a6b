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

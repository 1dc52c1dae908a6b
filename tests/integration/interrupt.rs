//! Interruptions: SIGINT or SIGTERM during a run stops it promptly with exit code 130, says
//! nothing was written, and leaves the previous report byte-identical with no stray folder.

#![cfg(unix)]

use crate::{snapshot, Files};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// 200 million requests: minutes of work, far longer than the test waits.
const LONG: &str = r#"
name = "long"
duration = "2000s"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "constant", value = "1ms" }
arrivals = { process = "poisson", rate = 100000.0 }
"#;

fn coldsim() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("coldsim"))
}

/// CPU time the process has used, from /proc (Linux); `None` elsewhere or once it has gone.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which ends with the last ')'): utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Waits until `child` is really simulating: it has used 0.3 s of CPU (loading and
/// validating this scenario takes milliseconds), or, without /proc, a second has passed.
fn wait_until_simulating(child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let has_proc = Path::new("/proc/self/stat").exists();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            panic!("the run ended before it was interrupted: {status}");
        }
        let ready = if has_proc {
            cpu_seconds(child.id()).is_some_and(|s| s >= 0.3)
        } else {
            started.elapsed() >= Duration::from_secs(1)
        };
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "the run never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for `child` to exit, at most `limit`; kills it and fails past that.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not stop within {limit:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt_keeps_the_previous_report(signal: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("long.toml");
    std::fs::write(&scenario, LONG).expect("temp dir is writable");
    let (stderr, before, after) = interrupt(&scenario, signal);
    for fragment in [
        "interrupted at ",
        "of 33m20s simulated: nothing written, the previous report in",
        "is untouched",
    ] {
        assert!(
            stderr.contains(fragment),
            "{signal}: `{fragment}` not in {stderr}"
        );
    }
    assert!(after == before, "{signal} changed the previous report");
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("readable")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    left.sort();
    assert_eq!(left, ["long.toml", "out"], "a stray folder was left");
}

/// Writes a short run of `scenario` to `out` beside it, then starts the full one over it and
/// sends `signal` once it simulates: returns its stderr and the files of `out` before and
/// after (without a sweep's resume state), having checked exit code 130 and no panic.
fn interrupt(scenario: &Path, signal: &str) -> (String, Files, Files) {
    let dir = scenario.parent().expect("a folder");
    let out = dir.join("out");
    // The previous report: the same scenario, ten simulated seconds.
    let previous = coldsim()
        .arg("run")
        .arg(scenario)
        .args(["--set", "duration=10s", "--quiet", "--out"])
        .arg(&out)
        .output()
        .expect("coldsim starts");
    assert!(previous.status.success(), "{previous:?}");
    let before = snapshot(&out);
    let report = ["summary.json", "sweep.csv"];
    assert!(
        report.iter().any(|f| before.contains_key(Path::new(f))),
        "no report in {:?}",
        before.keys().collect::<Vec<_>>()
    );

    let mut child = coldsim()
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("coldsim starts");
    wait_until_simulating(&mut child);
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill {signal} failed");
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().expect("stderr is piped"), &mut stderr)
        .expect("stderr is readable");

    assert_eq!(
        status.code(),
        Some(130),
        "{signal}: {status}, stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut after = snapshot(&out);
    after.retain(|p, _| !p.starts_with(".sweep-state"));
    (stderr, before, after)
}

#[test]
fn sigint_during_a_sweep_stops_its_runs_and_keeps_the_previous_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("long.toml");
    let sweep = format!("{LONG}\n[sweep]\n\"platform.reuse\" = [\"mru\", \"lru\"]\n");
    std::fs::write(&scenario, sweep).expect("temp dir is writable");
    let started = Instant::now();
    let (stderr, before, after) = interrupt(&scenario, "-INT");
    assert!(
        stderr.contains("sweep interrupted after 0 of 2 runs") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(
        after, before,
        "the interrupted sweep changed the previous report"
    );
    // Each run simulates 200 million requests: the runs were stopped, not finished.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn sigint_during_a_run_keeps_the_previous_report() {
    interrupt_keeps_the_previous_report("-INT");
}

#[test]
fn sigterm_during_a_run_keeps_the_previous_report() {
    interrupt_keeps_the_previous_report("-TERM");
}

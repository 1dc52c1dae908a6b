//! Hostile files and streams (issue 16): special files, huge files of one endless line, huge
//! lists, closed stdout. Each must end within 10 s of CPU time (and 60 s of wall time, for a
//! hang that uses none) and 1 GB of address space with exit 2 and a
//! located message (or the conventional status for a closed stdout), never a hang or abort.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_coldsim");

/// Runs coldsim with `args` under a 1 GiB address-space limit (`ulimit -v`), 10 s of CPU time
/// (`ulimit -t`: the limit that does not depend on what else the machine runs; the slowest
/// case takes ~1 s) and a 60 s wall-clock
/// deadline; returns the exit code and stderr.
fn run_limited(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && ulimit -t 10 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            child
                .stderr
                .take()
                .expect("piped")
                .read_to_string(&mut err)
                .expect("stderr is text");
            return (status.code(), err);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("coldsim {args:?} ran for more than 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_refused(dir: &Path, args: &[&str], fragments: &[&str]) {
    let (code, err) = run_limited(dir, args);
    assert_eq!(
        code,
        Some(2),
        "coldsim {args:?}: exit {code:?}, stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    for f in fragments {
        assert!(
            err.contains(f),
            "coldsim {args:?}: stderr lacks `{f}`:\n{err}"
        );
    }
}

const FUNCTION: &str = "[[functions]]\nname = \"api\"\nruntime = \"python3.12\"\n";

fn trace_scenario(dir: &Path, trace: &str) -> PathBuf {
    let p = dir.join("s.toml");
    std::fs::write(
        &p,
        format!(
            "duration = \"1h\"\n\n[trace]\nformat = \"csv\"\npath = \"{trace}\"\ntimestamp = \"ts\"\nfunction_column = \"fn\"\n\n[trace.defaults]\nruntime = \"python3.12\"\nexecution = {{ dist = \"constant\", value = \"10ms\" }}\n"
        ),
    )
    .expect("write");
    p
}

fn empirical_scenario(dir: &Path, csv: &str) -> PathBuf {
    let p = dir.join("e.toml");
    std::fs::write(
        &p,
        format!(
            "duration = \"1h\"\n\n{FUNCTION}execution = {{ dist = \"empirical\", path = \"{csv}\" }}\narrivals = {{ process = \"poisson\", rate = 2.0 }}\n"
        ),
    )
    .expect("write");
    p
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn fifos_are_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    mkfifo(&dir.path().join("f.toml"));
    mkfifo(&dir.path().join("f.csv"));
    let msg = "it is a named pipe (FIFO), not a regular file";
    assert_refused(dir.path(), &["check", "f.toml"], &["f.toml", msg]);
    assert_refused(
        dir.path(),
        &["run", "f.toml", "--out", "o", "--quiet"],
        &["f.toml", msg],
    );
    trace_scenario(dir.path(), "f.csv");
    assert_refused(
        dir.path(),
        &["check", "s.toml"],
        &["trace.path", "f.csv", msg],
    );
    empirical_scenario(dir.path(), "f.csv");
    assert_refused(
        dir.path(),
        &["check", "e.toml"],
        &["functions.api.execution.path", "f.csv", msg],
    );
    assert!(!dir.path().join("o").exists());
}

#[cfg(unix)]
#[test]
fn devices_and_folders_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_refused(
        dir.path(),
        &["check", "/dev/zero"],
        &["/dev/zero: it is a device, not a regular file"],
    );
    assert_refused(
        dir.path(),
        &["check", "."],
        &["it is a folder, not a regular file"],
    );
}

#[test]
fn a_huge_file_of_one_endless_line_is_refused_quickly() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 2 GB, sparse: all zero bytes and no newline.
    let big = std::fs::File::create(dir.path().join("big.csv")).expect("create");
    big.set_len(2 << 30).expect("a sparse file");
    drop(big);
    let long = "line 1 is longer than 1024 KiB";
    trace_scenario(dir.path(), "big.csv");
    assert_refused(
        dir.path(),
        &["check", "s.toml"],
        &["trace.path", "big.csv", long],
    );
    empirical_scenario(dir.path(), "big.csv");
    assert_refused(
        dir.path(),
        &["check", "e.toml"],
        &["functions.api.execution.path", "big.csv", long],
    );
    std::fs::rename(dir.path().join("big.csv"), dir.path().join("big.toml")).expect("rename");
    assert_refused(
        dir.path(),
        &["check", "big.toml"],
        &["big.toml", "larger than 8 MiB"],
    );
}

#[test]
fn a_million_azure_days_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let days = vec!["1"; 1_000_000].join(",");
    std::fs::write(
        dir.path().join("d.toml"),
        format!("duration = \"1h\"\n\n[trace]\nformat = \"azure2019\"\ndir = \".\"\ndays = [{days}]\n\n[trace.defaults]\nruntime = \"python3.12\"\nexecution = {{ dist = \"constant\", value = \"10ms\" }}\n"),
    )
    .expect("write");
    assert_refused(
        dir.path(),
        &["check", "d.toml"],
        &["d.toml", "trace.days: day 1 after day 1"],
    );
}

#[test]
fn a_huge_zip_sweep_is_not_told_to_use_zip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let values = vec!["1.0"; 1_000_000];
    std::fs::write(
        dir.path().join("z.toml"),
        format!(
            "duration = \"1m\"\n\n{FUNCTION}execution = {{ dist = \"constant\", value = \"10ms\" }}\narrivals = {{ process = \"poisson\", rate = 1.0 }}\n\n[sweep]\nmode = \"zip\"\n\"functions.api.arrivals.rate\" = [{}]\n",
            values.join(",")
        ),
    )
    .expect("write");
    let (code, err) = run_limited(dir.path(), &["check", "z.toml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the zip sweep has more than"), "{err}");
    assert!(!err.contains("use mode"), "{err}");
}

#[test]
fn many_superposed_processes_run_quickly() {
    // 100 000 Poisson processes of 0.01/s for 5 minutes: about 300 000 requests. A linear
    // scan per arrival took about 40 s; the heap a few seconds (most of it parsing).
    let dir = tempfile::tempdir().expect("temp dir");
    let one = "{ process = \"poisson\", rate = 0.01 }";
    let arrivals = vec![one; 100_000].join(",\n");
    std::fs::write(
        dir.path().join("m.toml"),
        format!("duration = \"5m\"\nwarmup = \"0s\"\n\n{FUNCTION}execution = {{ dist = \"constant\", value = \"10ms\" }}\narrivals = [\n{arrivals}\n]\n"),
    )
    .expect("write");
    let (code, err) = run_limited(
        dir.path(),
        &["run", "m.toml", "--out", "o", "--quiet", "--no-charts"],
    );
    assert_eq!(code, Some(0), "{err}");
    let summary = std::fs::read_to_string(dir.path().join("o/summary.json")).expect("summary");
    let v: serde_json::Value = serde_json::from_str(&summary).expect("json");
    let n = v["invocations"]
        .as_f64()
        .expect("summary.json has invocations");
    // 300 000 expected, Poisson sd ~548: ±1% is over 5 sigma.
    assert!((n - 300_000.0).abs() < 3_000.0, "{n} requests");
}

/// Runs coldsim with its stdout a pipe whose reader is already gone: the reader is closed
/// before the child starts, so its first write fails whatever the timing (a reader dropped
/// after spawning races with writes that fit in the pipe's buffer). `std::io::pipe` is newer
/// than the crate's declared rust-version, which only the library's users need.
#[allow(clippy::incompatible_msrv)]
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("coldsim runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    for args in [
        &["schema"][..],
        &["runtimes"][..],
        &["run", "--out", "o", "--no-charts"][..],
        &[
            "estimate",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scenarios/single-function.toml"
            ),
        ][..],
    ] {
        let (code, err) = with_closed_stdout(args);
        assert_eq!(code, Some(141), "{args:?}: exit {code:?}, stderr:\n{err}");
        assert!(err.is_empty(), "{args:?} printed:\n{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_forced_run_of_nanosecond_bursts_stops_on_sigterm() {
    // Phases of 1 ns: a billion phase changes between two arrivals. The generator pauses
    // every 1 024 changes, so the run reaches its stop check and ends promptly on SIGTERM.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("b.toml"),
        format!("duration = \"1h\"\n\n{FUNCTION}execution = {{ dist = \"constant\", value = \"10ms\" }}\narrivals = {{ process = \"bursty\", base_rate = 1.0, burst_rate = 10.0, mean_burst = \"1ns\", mean_gap = \"1ns\" }}\n"),
    )
    .expect("write");
    let mut child = Command::new(BIN)
        .args([
            "run",
            "b.toml",
            "--force",
            "--quiet",
            "--no-charts",
            "--out",
            "o",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("coldsim starts");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the run ended before the signal"
    );
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let signalled = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(130), "{status}");
            break;
        }
        if signalled.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run did not stop within 5 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut err)
        .expect("stderr is text");
    assert!(err.contains("interrupted at"), "{err}");
    assert!(!dir.path().join("o").exists());
}

#[test]
fn a_zip_sweep_over_a_big_empirical_file_shares_one_copy() {
    // 2 million values (16 MB as numbers) × 80 points: 1.3 GB if every point kept its own
    // copy, above the 1 GiB the check may use; shared, one copy.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::with_capacity(20 << 20);
    csv.push_str("ms\n");
    for i in 0..2_000_000u32 {
        csv.push_str(&format!("{}\n", 1 + i % 97));
    }
    std::fs::write(dir.path().join("exec.csv"), csv).expect("write");
    let rates: Vec<String> = (1..=80).map(|i| format!("{i}.0")).collect();
    std::fs::write(
        dir.path().join("z.toml"),
        format!(
            "duration = \"1m\"\n\n{FUNCTION}execution = {{ dist = \"empirical\", path = \"exec.csv\", unit = \"ms\" }}\narrivals = {{ process = \"poisson\", rate = 1.0 }}\n\n[sweep]\nmode = \"zip\"\n\"functions.api.arrivals.rate\" = [{}]\n",
            rates.join(",")
        ),
    )
    .expect("write");
    let (code, err) = run_limited(dir.path(), &["check", "z.toml"]);
    assert_eq!(code, Some(0), "{err}");
}

#[cfg(unix)]
#[test]
fn sigterm_during_validation_ends_the_run_at_once() {
    // 200 000 superposed processes (7.8 MB, under the 8 MiB scenario limit): reading and
    // validating them takes seconds, with no progress callback; the first SIGTERM must end
    // the command then, not be ignored.
    let dir = tempfile::tempdir().expect("temp dir");
    let one = "{ process = \"poisson\", rate = 0.001 }";
    let arrivals = vec![one; 200_000].join(",\n");
    std::fs::write(
        dir.path().join("v.toml"),
        format!("duration = \"1m\"\n\n{FUNCTION}execution = {{ dist = \"constant\", value = \"10ms\" }}\narrivals = [\n{arrivals}\n]\n"),
    )
    .expect("write");
    let mut child = Command::new(BIN)
        .args(["run", "v.toml", "--quiet", "--no-charts", "--out", "o"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("coldsim starts");
    std::thread::sleep(Duration::from_millis(700));
    if child.try_wait().expect("wait").is_some() {
        // A machine fast enough to validate it all in 0.7 s has nothing to show here.
        return;
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(2) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the first SIGTERM during validation was not honoured within 2 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut err)
        .expect("stderr is text");
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted while reading"), "{err}");
    assert!(!dir.path().join("o").exists());
}

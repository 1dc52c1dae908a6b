//! A sharded sweep on a real Slurm cluster (single node, brought up by
//! `tools/slurm-localhost.sh`): submits `scenarios/slurm/sweep-array.sbatch` as a 3-task
//! array and `sweep-merge.sbatch` after it (`afterok`), waits, and compares the merged
//! `sweep.csv` byte for byte with a single-machine run. Without a running cluster it says so
//! loudly, and fails when `CI` is set, so CI cannot skip it silently.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const COLDSIM: &str = env!("CARGO_BIN_EXE_coldsim");

/// How long the array and merge jobs may take, queueing included (they need about a second of
/// CPU; Slurm's scheduling adds a few seconds).
const TIMEOUT: Duration = Duration::from_secs(180);

/// The small sweep shared with the other sweep tests (`tests/fixtures/small-sweep.toml`):
/// bursty traffic, so throttles and cold starts vary, and a 3 × 2 grid of 3 replications,
/// 18 runs of a few milliseconds. `tests/sweep.rs` pins figures and lines of it.
const SWEEP: &str = include_str!("fixtures/small-sweep.toml");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Written straight to stderr, past the test harness's capture, so a skip is always seen.
fn shout(message: &str) {
    let bar = "!".repeat(78);
    let _ = writeln!(std::io::stderr(), "\n{bar}\n{message}\n{bar}\n");
}

fn run(cmd: &mut Command) -> Option<Output> {
    cmd.output().ok()
}

/// Why the cluster cannot take jobs, or `None` when it can.
fn cluster_problem() -> Option<String> {
    for tool in ["slurmctld", "sbatch", "squeue", "sinfo", "scontrol"] {
        let found = run(Command::new("sh").args(["-c", &format!("command -v {tool}")]))
            .is_some_and(|o| o.status.success());
        if !found {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    let sinfo = run(Command::new("sinfo").args(["-h", "-N", "-o", "%t"]));
    match sinfo {
        Some(o) if o.status.success() => {
            let states = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            let ready = states
                .lines()
                .any(|s| ["idle", "mix", "alloc"].contains(&s.trim()));
            (!ready).then(|| format!("no node is up (sinfo node states: {states:?})"))
        }
        Some(o) => Some(format!(
            "sinfo failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        None => Some("sinfo could not be started".into()),
    }
}

fn sbatch(dir: &Path, env: &[(&str, &Path)], extra: &[&str], script: &str) -> String {
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable")
        .arg(format!("--chdir={}", dir.display()))
        .args(extra)
        .arg(repo().join("scenarios/slurm").join(script));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sbatch starts");
    assert!(
        out.status.success(),
        "sbatch {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or("").to_owned();
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "sbatch printed {text:?}"
    );
    id
}

/// Every `slurm-*.out` log in `dir`, for failure messages.
fn logs(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "out"));
    names.sort();
    names
        .iter()
        .map(|p| {
            format!(
                "--- {}\n{}",
                p.display(),
                std::fs::read_to_string(p).unwrap_or_default()
            )
        })
        .collect()
}

fn job_state(id: &str) -> String {
    let out = Command::new("scontrol")
        .args(["show", "job", id])
        .output()
        .expect("scontrol starts");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix("JobState="))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_sweep_sharded_on_slurm_merges_to_the_single_machine_csv() {
    if let Some(problem) = cluster_problem() {
        let message = format!(
            "SLURM TEST NOT RUN: {problem}.\nBring up a single-node cluster with \
             `sudo tools/slurm-localhost.sh` (Debian: installs slurm-wlm and munge)."
        );
        shout(&message);
        if std::env::var_os("CI").is_some() {
            panic!("{message}\nCI is set, so this test must run: it fails instead of skipping.");
        }
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let sweep = dir.join("slurm-sweep.toml");
    std::fs::write(&sweep, SWEEP).expect("temp dir is writable");

    let single = dir.join("single");
    let status = Command::new(COLDSIM)
        .args(["run", "--quiet", "--out"])
        .arg(&single)
        .arg(&sweep)
        .status()
        .expect("coldsim starts");
    assert!(status.success());

    let out = dir.join("merged");
    let env: [(&str, &Path); 3] = [
        ("SWEEP", &sweep),
        ("OUT", &out),
        ("COLDSIM", Path::new(COLDSIM)),
    ];
    let array = sbatch(dir, &env, &["--array=0-2"], "sweep-array.sbatch");
    let merge = sbatch(
        dir,
        &env,
        &[&format!("--dependency=afterok:{array}")],
        "sweep-merge.sbatch",
    );
    loop {
        let queued = Command::new("squeue")
            .args(["-h", "-o", "%i %T", "-j", &format!("{array},{merge}")])
            .output()
            .expect("squeue starts");
        let text = String::from_utf8_lossy(&queued.stdout).trim().to_owned();
        if text.is_empty() {
            break;
        }
        if started.elapsed() > TIMEOUT {
            let _ = Command::new("scancel").args([&array, &merge]).status();
            panic!(
                "the Slurm jobs did not finish in {TIMEOUT:?} (still queued: {text}); \
                 cancelled them.\n{}",
                logs(dir)
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let states = (job_state(&array), job_state(&merge));
    assert!(
        states.0.split(',').all(|s| s == "COMPLETED") && states.1 == "COMPLETED",
        "array job {array}: {}, merge job {merge}: {}\n{}",
        states.0,
        states.1,
        logs(dir)
    );
    // Three array tasks, three parts, each a different shard.
    let parts: Vec<String> = (0..3)
        .map(|i| {
            std::fs::read_to_string(dir.join(format!("merged-parts/shard-{i}/part.json")))
                .unwrap_or_else(|e| panic!("part of task {i}: {e}\n{}", logs(dir)))
        })
        .collect();
    for (i, text) in parts.iter().enumerate() {
        assert!(text.contains(&format!("\"shard\": {i},")), "{text}");
        assert!(text.contains("\"shards\": 3,"), "{text}");
    }
    let merged = std::fs::read(out.join("sweep.csv"))
        .unwrap_or_else(|e| panic!("merged sweep.csv: {e}\n{}", logs(dir)));
    let expected = std::fs::read(single.join("sweep.csv")).expect("single-machine sweep.csv");
    assert_eq!(
        String::from_utf8_lossy(&merged),
        String::from_utf8_lossy(&expected),
        "the merged sweep.csv differs from the single-machine run's"
    );
    assert_eq!(merged, expected);
    assert!(out.join("report.html").is_file());
    assert!(out.join("sweep_cost_vs_p99.png").is_file());
    let _ = writeln!(
        std::io::stderr(),
        "slurm test: array of 3 + merge on Slurm in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

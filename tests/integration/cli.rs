//! The command line as a user meets it: exit codes, messages, files.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn coldsim() -> Command {
    Command::cargo_bin("coldsim").expect("the binary is built")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("temp dir is writable");
    p
}

const VALID: &str = r#"
name = "t"
duration = "1h"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
arrivals = { process = "poisson", rate = 2.0 }
"#;

const SUMMARY_KEYS: [&str; 17] = [
    "schema_version",
    "scenario",
    "seed",
    "simulated_seconds",
    "invocations",
    "cold_starts",
    "warm_starts",
    "throttled",
    "errors",
    "cold_start_ratio",
    "latency_ms",
    "cold_latency_ms",
    "warm_latency_ms",
    "init_ms",
    "environments",
    "cost_usd",
    "functions",
];

#[test]
fn no_arguments_runs_the_quickstart() {
    let dir = tempfile::tempdir().expect("temp dir");
    coldsim()
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("api"));
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/quickstart/summary.json")).expect("summary written"),
    )
    .expect("valid JSON");
    for k in SUMMARY_KEYS {
        assert!(json.get(k).is_some(), "summary.json lacks {k}");
    }
    for k in [
        "created",
        "retired_idle",
        "retired_lifetime",
        "peak",
        "mean_total",
        "mean_busy",
        "mean_idle",
        "mean_initializing",
        "utilization",
        "idle_gb_seconds",
    ] {
        assert!(
            json["environments"].get(k).is_some(),
            "environments lacks {k}"
        );
    }
    for k in ["requests", "duration", "init", "provisioned", "total"] {
        assert!(json["cost_usd"].get(k).is_some(), "cost_usd lacks {k}");
    }
    for k in ["mean", "p50", "p90", "p95", "p99", "p999", "max"] {
        assert!(json["latency_ms"].get(k).is_some(), "latency_ms lacks {k}");
    }
    let f = &json["functions"][0];
    for k in [
        "name",
        "invocations",
        "cold_starts",
        "latency_ms",
        "environments",
        "cost_usd",
    ] {
        assert!(f.get(k).is_some(), "functions[0] lacks {k}");
    }
    assert!(dir.path().join("output/quickstart/functions.csv").exists());
}

#[test]
fn every_bundled_scenario_checks_and_runs() {
    let out = tempfile::tempdir().expect("temp dir");
    let mut n = 0;
    for entry in std::fs::read_dir(repo().join("scenarios")).expect("scenarios/ exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_some_and(|e| e == "toml") {
            n += 1;
            coldsim()
                .current_dir(repo())
                .arg("check")
                .arg(&path)
                .assert()
                .success();
            coldsim()
                .current_dir(repo())
                .args(["run", "--quiet", "--no-charts", "--out"])
                .arg(out.path().join(path.file_stem().expect("a name")))
                .arg(&path)
                .assert()
                .success();
        }
    }
    assert!(
        n >= 4,
        "expected at least four bundled scenarios, found {n}"
    );
}

#[test]
fn a_misspelt_key_names_the_key_and_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(
        dir.path(),
        "typo.toml",
        &VALID.replace("runtime = ", "runtme = "),
    );
    coldsim().arg("check").arg(&p).assert().code(2).stderr(
        predicate::str::contains("runtme")
            .and(predicate::str::contains("line 6"))
            .and(predicate::str::contains("typo.toml")),
    );
}

#[test]
fn a_negative_rate_names_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(
        dir.path(),
        "neg.toml",
        &VALID.replace("rate = 2.0", "rate = -2.0"),
    );
    coldsim()
        .args(["run", "--quiet"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("functions.api.arrivals.rate")
                .and(predicate::str::contains("line 8")),
        );
}

#[test]
fn check_reports_every_problem_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = VALID
        .replace("rate = 2.0", "rate = 0.0")
        .replace("python3.12", "python9")
        .replace("300ms", "10ms");
    let p = write(dir.path(), "bad.toml", &bad);
    coldsim().arg("check").arg(&p).assert().code(2).stderr(
        predicate::str::contains("3 problems")
            .and(predicate::str::contains("python9"))
            .and(predicate::str::contains("p99")),
    );
}

#[test]
fn same_seed_gives_identical_summary_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(dir.path(), "s.toml", VALID);
    for out in ["a", "b"] {
        coldsim()
            .args(["run", "--quiet", "--no-charts", "--out"])
            .arg(dir.path().join(out))
            .arg(&p)
            .assert()
            .success();
    }
    let a = std::fs::read(dir.path().join("a/summary.json")).expect("written");
    let b = std::fs::read(dir.path().join("b/summary.json")).expect("written");
    assert_eq!(a, b);
    coldsim()
        .args(["run", "--quiet", "--no-charts", "--seed", "9", "--out"])
        .arg(dir.path().join("c"))
        .arg(&p)
        .assert()
        .success();
    let c = std::fs::read(dir.path().join("c/summary.json")).expect("written");
    assert_ne!(a, c, "another seed gives another run");
}

/// Issue 16: the written `scenario.toml` dropped `--seed`, so rerunning "the scenario as run"
/// gave other results. It now holds the seed, the `--set` overrides and the name.
#[test]
fn the_written_scenario_reruns_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    // No name in the text: it comes from the file name, which the rerun's file lacks.
    let text = VALID
        .lines()
        .filter(|&l| l != "name = \"t\"")
        .collect::<Vec<_>>()
        .join("\n");
    let p = write(dir.path(), "s.toml", &text);
    let run = |file: &Path, out: &str, extra: &[&str]| {
        coldsim()
            .args(["run", "--quiet", "--no-charts", "--out"])
            .arg(dir.path().join(out))
            .arg(file)
            .args(extra)
            .assert()
            .success();
        std::fs::read(dir.path().join(out).join("summary.json")).expect("written")
    };
    let first = run(&p, "first", &["--seed", "7", "--set", "duration=20m"]);
    let written = dir.path().join("first/scenario.toml");
    let as_run = std::fs::read_to_string(&written).expect("written");
    assert!(as_run.contains("seed = 7"), "{as_run}");
    assert!(as_run.contains("name = \"s\""), "{as_run}");
    let again = run(&written, "again", &[]);
    assert_eq!(first, again);
    assert_ne!(
        first,
        run(&p, "other", &["--set", "duration=20m"]),
        "seed 7 is not the default"
    );
}

#[test]
fn set_overrides_a_value_and_rejects_unknown_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write(dir.path(), "s.toml", VALID);
    coldsim()
        .args([
            "run",
            "--quiet",
            "--no-charts",
            "--set",
            "functions.api.provisioned_concurrency=3",
            "--set",
            "duration=2h",
            "--set",
            "platform.keep_alive.idle=5m",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .arg(&p)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/summary.json")).expect("written"))
            .expect("JSON");
    assert_eq!(json["simulated_seconds"], 7200.0);
    assert!(json["cost_usd"]["provisioned"].as_f64().expect("number") > 0.0);
    coldsim()
        .args(["check", "--set", "platform.keep_alive.idel=5m"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--set platform.keep_alive.idel=5m")
                .and(predicate::str::contains("idel")),
        );
    coldsim()
        .args(["check", "--set", "functions.nope.memory_mb=512"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no function named `nope`"));
    coldsim()
        .args(["check", "--set", "functions.api.memory_mb=lots"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set functions.api.memory_mb=lots",
        ));
}

#[test]
fn unreadable_and_non_utf8_files_are_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    coldsim()
        .args(["check", "missing.toml"])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
    let p = dir.path().join("bin.toml");
    std::fs::write(&p, [0xff, 0xfe, 0x00, 0x41]).expect("writable");
    coldsim()
        .arg("check")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UTF-8"));
}

#[test]
fn schema_and_runtimes_print() {
    let out = coldsim()
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: serde_json::Value = serde_json::from_slice(&out).expect("the schema is JSON");
    assert!(schema["properties"]["functions"].is_object());
    coldsim().arg("runtimes").assert().success().stdout(
        predicate::str::contains("python3.12").and(predicate::str::contains("lambda-perf")),
    );
}

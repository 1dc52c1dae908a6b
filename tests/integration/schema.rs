//! `coldsim schema` against what the loader accepts: every bundled scenario validates with a
//! standard JSON Schema validator, `[sweep]` included; `--set sweep.<key>` works like any other
//! `--set` path; `coldsim check` lists every unknown key and wrong type of a file at once.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn coldsim() -> Command {
    Command::cargo_bin("coldsim").expect("the binary is built")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The schema `coldsim schema` prints, compiled by the `jsonschema` crate (draft 7, as the
/// schema's `$schema` says).
fn validator() -> jsonschema::Validator {
    let out = coldsim()
        .arg("schema")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let schema: Value = serde_json::from_slice(&out).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// A TOML file as the JSON value an editor's TOML plugin validates.
fn as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: not TOML: {e}", path.display()))
}

fn errors(v: &jsonschema::Validator, value: &Value) -> Vec<String> {
    v.iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_bundled_scenario_validates_against_the_schema() {
    let v = validator();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let sweeps = files
        .iter()
        .filter(|p| as_json(p).get("sweep").is_some())
        .count();
    assert!(files.len() >= 14, "bundled scenarios: {files:?}");
    assert!(sweeps >= 5, "bundled sweeps: {sweeps}");
    files.push(repo().join("tests/fixtures/small-sweep.toml"));
    for path in &files {
        let problems = errors(&v, &as_json(path));
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
    }
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    // The same checks with the validator's eyes: a typo in a scenario key, in a tagged table
    // and in [sweep] (a setting misspelt is a swept path, which needs a list) all fail.
    let v = validator();
    let base = as_json(&repo().join("tests/fixtures/small-sweep.toml"));
    type Spoil = fn(&mut Value);
    let cases: [(&str, Spoil); 5] = [
        ("top-level typo", |s| {
            s["seeed"] = Value::from(5);
        }),
        ("arrivals typo", |s| {
            s["functions"][0]["arrivals"]["burst_rat"] = Value::from(1.0);
        }),
        ("sweep setting typo", |s| {
            s["sweep"]["replicatons"] = Value::from(2);
        }),
        ("sweep mode", |s| {
            s["sweep"]["mode"] = Value::from("product");
        }),
        ("cpu typo", |s| {
            s["functions"][0]["cpu"] = serde_json::json!({ "share": 0.5, "thread": 2 });
        }),
    ];
    for (what, spoil) in cases {
        let mut s = base.clone();
        spoil(&mut s);
        assert!(!errors(&v, &s).is_empty(), "{what} validated");
    }
}

#[test]
fn set_sweep_replications_changes_the_replications() {
    let fixture = repo().join("tests/fixtures/small-sweep.toml");
    coldsim()
        .arg("check")
        .arg(&fixture)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 points × 3 replications (18 runs)",
        ));
    coldsim()
        .args(["check", "--set", "sweep.replications=2"])
        .arg(&fixture)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 points × 2 replications (12 runs)",
        ));
    // A list by --set replaces the file's list of that path; a scenario without [sweep] gets one.
    coldsim()
        .args(["check", "--set", "sweep.platform.keep_alive.idle=[\"2m\"]"])
        .arg(&fixture)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 points × 3 replications"));
    coldsim()
        .args(["check", "--set", "sweep.replications=4"])
        .arg(repo().join("scenarios/single-function.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 point × 4 replications (4 runs)",
        ));
    // The run itself: every row of sweep.csv has two replications.
    let out = tempfile::tempdir().expect("temp dir");
    coldsim()
        .args([
            "run",
            "--quiet",
            "--no-charts",
            "--set",
            "sweep.replications=2",
            "--out",
        ])
        .arg(out.path().join("s"))
        .arg(&fixture)
        .assert()
        .success();
    let mut csv = csv::Reader::from_path(out.path().join("s/sweep.csv")).expect("sweep.csv");
    let column = csv
        .headers()
        .expect("a header")
        .iter()
        .position(|h| h == "replications")
        .expect("a replications column");
    let replications: Vec<String> = csv
        .records()
        .map(|r| r.expect("a row")[column].to_owned())
        .collect();
    assert_eq!(replications, vec!["2"; 6]);
    // A bad value names the argument, like any bad --set.
    coldsim()
        .args(["check", "--set", "sweep.replications=0"])
        .arg(&fixture)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set sweep.replications=0: [sweep] replications: expected a whole number from 1",
        ));
}

#[test]
fn check_lists_three_typos_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("typos.toml");
    std::fs::write(
        &p,
        r#"name = "typos"
duraton = "1h"

[platform]
keep_alive = { policy = "fixed", idel = "5m" }

[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
arrivals = { process = "poisson", rat = 2.0 }
"#,
    )
    .expect("writable");
    coldsim().arg("check").arg(&p).assert().code(2).stderr(
        predicate::str::contains("typos.toml: 3 problems:")
            .and(predicate::str::contains(
                "line 2, duraton: unknown field `duraton`, expected one of",
            ))
            .and(predicate::str::contains(
                "line 5, platform.keep_alive.idel: unknown field `idel`, expected `idle`",
            ))
            .and(predicate::str::contains(
                "line 11, functions.api.arrivals.rat: unknown field `rat`, expected `rate`",
            ))
            // The missing keys are the typos' doing: not reported again.
            .and(predicate::str::contains("missing").not()),
    );
    // A wrong type and an unknown variant are listed with the unknown keys.
    let text = std::fs::read_to_string(&p).expect("readable").replace(
        "name = \"api\"",
        "name = \"api\"\nmemory_mb = \"512\"\ninvocation = \"asink\"",
    );
    std::fs::write(&p, text).expect("writable");
    coldsim()
        .arg("check")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("5 problems:")
                .and(predicate::str::contains(
                    "line 9, functions.api.memory_mb: invalid type: string \"512\", expected a whole number",
                ))
                .and(predicate::str::contains(
                    "line 10, functions.api.invocation: unknown variant `asink`, expected `sync` or `async`",
                )),
        );
}

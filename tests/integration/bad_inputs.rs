//! The bad-input corpus: every `tests/bad_inputs/**/*.toml` case must make `coldsim` exit
//! with code 2, no panic, and a message holding each of the case's `# expect:` fragments,
//! naming the file and a line or field path. See `tests/bad_inputs/README.md` for the format.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Fewest cases the corpus must hold (issue 9 asks for at least 40).
const MIN_CASES: usize = 40;

/// A case's directives, read from its first comment lines.
#[derive(Debug, Default)]
struct Case {
    path: PathBuf,
    expect: Vec<String>,
    args: Vec<String>,
    command: String,
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Reads the leading `# key: value` lines as raw bytes (a case may be neither UTF-8 nor TOML).
fn directives(path: &Path) -> Case {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut case = Case {
        path: path.to_owned(),
        command: "run".into(),
        ..Case::default()
    };
    for line in bytes.split(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"#") else {
            break;
        };
        let text = String::from_utf8_lossy(rest);
        let Some((key, value)) = text.trim().split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "expect" => case.expect.push(value),
            "args" => case
                .args
                .extend(value.split_whitespace().map(str::to_owned)),
            "command" => case.command = value,
            _ => {}
        }
    }
    case
}

/// Runs one case; returns what is wrong with its outcome, if anything.
fn check(case: &Case, out: &Path) -> Option<String> {
    let mut cmd = Command::cargo_bin("coldsim").expect("the binary is built");
    cmd.arg(&case.command).arg(&case.path).args(&case.args);
    if case.command == "run" {
        cmd.arg("--out").arg(out).args(["--quiet", "--no-charts"]);
    }
    let output = cmd
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("coldsim starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut wrong = Vec::new();
    if output.status.code() != Some(2) {
        wrong.push(format!("exit code {:?}, expected 2", output.status.code()));
    }
    if stderr.contains("panicked") {
        wrong.push("it panicked".into());
    }
    if case.expect.is_empty() {
        wrong.push("the case has no `# expect:` line".into());
    }
    for e in &case.expect {
        if !stderr.contains(e.as_str()) {
            wrong.push(format!("stderr lacks `{e}`"));
        }
    }
    // The message names the file: the case's, or a trace's beside it.
    let file = case.path.file_name().expect("a file").to_string_lossy();
    let names_file = stderr.contains(file.as_ref())
        || case
            .expect
            .iter()
            .any(|e| e.ends_with(".csv") || e.contains(".csv:") || e.contains(".csv "));
    if !names_file {
        wrong.push(format!(
            "stderr does not name `{file}` (nor, in an expect, a trace)"
        ));
    }
    // ... and a line or a field path, which an expect fragment must pin.
    if !case.expect.iter().any(|e| locates(e)) {
        wrong.push("no expect fragment pins a line or a field path".into());
    }
    if out.exists() {
        wrong.push(format!("it wrote {}", out.display()));
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}:\n    {}\n  stderr:\n{}",
            case.path.display(),
            wrong.join("\n    "),
            stderr
        )
    })
}

/// True when `fragment` holds `line <digit>`, a `--set` argument, a `[sweep]` or `[trace]`
/// section, or a field path: a dotted path (`functions.api.arrivals.rate`) or a name followed
/// by a colon (`duration:`).
fn locates(fragment: &str) -> bool {
    let has_line = fragment
        .match_indices("line ")
        .any(|(i, m)| fragment[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()));
    let path_like = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    };
    let has_path = fragment.split(' ').any(|word| {
        let bare = word.trim_end_matches([',', ';', ')']);
        let dotted = bare.contains('.')
            && !bare.ends_with('.')
            && !bare.ends_with(".csv")
            && !bare.ends_with(".toml");
        word.strip_suffix(':').is_some_and(path_like) || (dotted && path_like(bare))
    });
    has_line
        || has_path
        || ["--set ", "[sweep]", "[trace]"]
            .iter()
            .any(|s| fragment.contains(s))
}

#[test]
fn every_bad_input_gets_a_located_error_and_exit_code_2() {
    let mut paths = Vec::new();
    collect(&corpus(), &mut paths);
    assert!(
        paths.len() >= MIN_CASES,
        "the corpus holds {} cases, fewer than {MIN_CASES}",
        paths.len()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let failures: Vec<String> = paths
        .iter()
        .enumerate()
        .filter_map(|(i, p)| check(&directives(p), &dir.path().join(format!("out{i}"))))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

#[test]
fn directives_are_read_from_raw_leading_comments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("c.toml");
    std::fs::write(
        &p,
        b"# expect: line 3, x: bad\n# expect: second\n# args: --set a=1 --set b=2\n# command: check\nname = \"\xff\"\n# expect: not a directive\n",
    )
    .expect("temp dir is writable");
    let c = directives(&p);
    assert_eq!(c.expect, ["line 3, x: bad", "second"]);
    assert_eq!(c.args, ["--set", "a=1", "--set", "b=2"]);
    assert_eq!(c.command, "check");
}

#[test]
fn locations_are_recognised() {
    assert!(locates("line 7, functions.api.arrivals.rate: must be"));
    assert!(locates("functions.api.arrivals.rate: must be"));
    assert!(locates("functions: a scenario needs"));
    assert!(locates("--set platform.reus=lru: unknown field"));
    assert!(locates("1 billion from functions.api.arrivals, above"));
    assert!(locates("function `f` of the [trace] section"));
    assert!(!locates("must be a positive, finite rate"));
    assert!(!locates(
        "see scenarios/quickstart.toml and data.csv, then retry."
    ));
    assert!(!locates("unknown variant `arm`: expected"));
}

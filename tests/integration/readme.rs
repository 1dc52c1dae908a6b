//! The README says what the code does: every shell example of its "Using it" section runs as
//! written, and every `--set` example of that section is accepted by the quickstart.
//!
//! Each `coldsim …` line of the section's ```sh blocks runs through `sh -c`, with the built
//! binary first on `PATH` as `coldsim`, in a temporary folder holding links to the
//! repository's `scenarios/` and `data/` (so the default `output/<name>/` and redirections
//! land in that folder). Two changes, and only these: a `--out DIR` argument is moved into the
//! temporary folder (the README's `/tmp/pc` must not touch the machine's /tmp), and a
//! `cargo run [--release] [-- ARGS]` line runs as `coldsim ARGS`. Other lines (`cargo install`)
//! are not run: they install, they do not use coldsim.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The text of the README's section `## <title>`, up to the next `## ` heading.
fn section(title: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("README has a section `## {title}`"));
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_owned()
}

/// The command lines of the ```sh blocks in `text`, comments and blank lines dropped.
fn shell_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if in_sh {
            let command = without_comment(trimmed).trim().to_owned();
            if !command.is_empty() {
                lines.push(command);
            }
        }
    }
    lines
}

/// The line without a trailing `# comment` (a `#` outside quotes, after a space).
fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// The line as the test runs it: `cargo run` as `coldsim`, `--out DIR` inside `tmp`.
fn as_run(line: &str, tmp: &Path, n: usize) -> Option<String> {
    let line = if let Some(rest) = line.strip_prefix("cargo run") {
        let args = rest.split_once(" -- ").map_or("", |(_, a)| a);
        format!("coldsim {args}")
    } else if line.starts_with("coldsim ") || line == "coldsim" {
        line.to_owned()
    } else {
        return None;
    };
    Some(match line.split_once("--out ") {
        Some((before, after)) => {
            let rest = after.split_once(' ').map_or("", |(_, r)| r);
            let dir = tmp.join(format!("out-{n}"));
            format!("{before}--out {} {rest}", dir.display())
        }
        None => line,
    })
}

#[test]
fn every_shell_example_of_using_it_runs() {
    let lines = shell_lines(&section("Using it"));
    assert!(lines.len() >= 8, "the section's examples: {lines:#?}");
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).expect("writable");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_coldsim"), bin.join("coldsim"))
        .expect("a link to the binary");
    for dir in ["scenarios", "data"] {
        std::os::unix::fs::symlink(repo().join(dir), tmp.path().join(dir))
            .expect("a link to the repository's folder");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for (n, line) in lines.iter().enumerate() {
        let Some(command) = as_run(line, tmp.path(), n) else {
            assert!(
                line.starts_with("cargo install"),
                "a shell example that is neither coldsim nor cargo: {line}"
            );
            continue;
        };
        let started = Instant::now();
        let out = Command::new("sh")
            .args(["-c", &command])
            .current_dir(tmp.path())
            .env("PATH", &path)
            .timeout(Duration::from_secs(300))
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "README example `{line}` failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("{:6.2} s  {line}", started.elapsed().as_secs_f64());
        if command.starts_with("coldsim run") && command.contains("--out ") {
            let dir = tmp.path().join(format!("out-{n}"));
            assert!(
                dir.join("report.html").exists(),
                "{line}: no report in --out"
            );
        }
        ran += 1;
    }
    assert!(ran >= 8, "ran {ran} examples");
    // The examples without --out wrote their reports into output/ of the folder they ran in.
    let reports = std::fs::read_dir(tmp.path().join("output"))
        .expect("output/ written")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().join("report.html").exists())
        })
        .count();
    assert!(reports >= 3, "{reports} reports in output/");
    let schema = std::fs::read(tmp.path().join("coldsim.schema.json")).expect("redirected");
    serde_json::from_slice::<serde_json::Value>(&schema).expect("the schema is JSON");
}

#[test]
fn every_set_example_of_using_it_is_accepted() {
    // The paragraph on --set lists paths as `path=value`; each applies to the quickstart.
    let text = section("Using it");
    let paragraph = text
        .split("\n\n")
        .find(|p| p.starts_with("`--set` takes"))
        .expect("a paragraph on --set");
    let examples: Vec<&str> = paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.contains('=') && !s.contains(' '))
        .collect();
    assert!(examples.len() >= 4, "{examples:?}");
    for set in examples {
        coldsim_check(&repo().join("scenarios/quickstart.toml"), set);
    }
}

fn coldsim_check(scenario: &Path, set: &str) {
    let out = Command::cargo_bin("coldsim")
        .expect("the binary is built")
        .args(["check", "--set", set])
        .arg(scenario)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "--set {set} on {}: {}",
        scenario.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

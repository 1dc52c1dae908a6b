//! The output folder: coldsim replaces only a folder it wrote itself (for `run`, sweeps and
//! `merge`), refuses everything else before simulating with exit 2 and leaves every file as
//! it was; a kill at any rename or write of the report leaves the old or the new report
//! complete and the next run leaves no temporary folder; concurrent runs on one `--out` do
//! not fail or leave temporaries.

#![cfg(unix)]

use crate::snapshot;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Over 100 million requests: a minute or more of simulation, so a refusal that comes after
/// simulating shows in the elapsed time.
const LONG: &str = r#"
name = "long"
duration = "1200s"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "constant", value = "1ms" }
arrivals = { process = "poisson", rate = 100000.0 }
"#;

/// The same as a sweep of two points.
const LONG_SWEEP: &str = r#"
name = "long-sweep"
duration = "1200s"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "constant", value = "1ms" }
arrivals = { process = "poisson", rate = 100000.0 }
[sweep]
"platform.keep_alive.idle" = ["1m", "5m"]
"#;

/// A run of milliseconds.
const TINY: &str = r#"
name = "tiny"
duration = "10m"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "50ms", p99 = "400ms" }
arrivals = { process = "poisson", rate = 2.0 }
"#;

/// A sweep of milliseconds.
const TINY_SWEEP: &str = r#"
name = "tiny-sweep"
duration = "10m"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "50ms", p99 = "400ms" }
arrivals = { process = "poisson", rate = 2.0 }
[sweep]
replications = 2
"platform.keep_alive.idle" = ["1m", "5m"]
"#;

fn coldsim() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("coldsim"))
}

/// A tmpfs mounted at `at` while alive (the test runs as root), with a file in it.
struct Mount(PathBuf);

impl Mount {
    /// Mounts, or says loudly why not and gives `None`.
    fn new(at: &Path) -> Option<Mount> {
        std::fs::create_dir_all(at).expect("a mount point");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but a tmpfs cannot be mounted: the mount case is untested"
            );
            eprintln!("SKIPPED: cannot mount a tmpfs (not root?): the mount-inside case is not tested here");
            return None;
        }
        std::fs::write(at.join("on-the-mount.txt"), "keep me").expect("writable tmpfs");
        Some(Mount(at.to_owned()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A place with a project folder (`proj/` holding the scenarios), a user's folder (`docs/`),
/// a file, a symbolic link and an empty working folder (`work/`, the current folder of the
/// commands, so `.` and `..` are `work/` and the root).
struct Place {
    root: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let root = tempfile::tempdir().expect("a temporary folder");
        let p = root.path();
        std::fs::create_dir_all(p.join("proj")).expect("proj");
        std::fs::write(p.join("proj/long.toml"), LONG).expect("scenario");
        std::fs::write(p.join("proj/long-sweep.toml"), LONG_SWEEP).expect("scenario");
        std::fs::write(p.join("proj/tiny.toml"), TINY).expect("scenario");
        std::fs::write(p.join("proj/tiny-sweep.toml"), TINY_SWEEP).expect("scenario");
        std::fs::write(p.join("proj/notes.md"), "my notes").expect("notes");
        std::fs::create_dir_all(p.join("docs/deeper")).expect("docs");
        std::fs::write(p.join("docs/letter.txt"), "dear").expect("letter");
        std::fs::write(p.join("docs/deeper/x.csv"), "a,b\n1,2\n").expect("csv");
        std::fs::write(p.join("file.txt"), "a user's file").expect("file");
        std::os::unix::fs::symlink("docs", p.join("link")).expect("a link");
        std::fs::create_dir_all(p.join("work")).expect("work");
        Place { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Runs coldsim in `work/`.
    fn run(&self, args: &[&str]) -> Output {
        coldsim()
            .current_dir(self.path("work"))
            .args(args)
            .output()
            .expect("coldsim starts")
    }

    /// A finished part folder of the tiny sweep (one shard) at `rel`.
    fn part(&self, rel: &str) -> PathBuf {
        let out = self.path(rel);
        let scenario = self.path("proj/tiny-sweep.toml");
        let o = coldsim()
            .arg("run")
            .arg(&scenario)
            .args(["--quiet", "--no-charts", "--shard", "0/1", "--out"])
            .arg(&out)
            .output()
            .expect("coldsim starts");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    }
}

/// Asserts coldsim refused `out` quickly (before simulating) with exit 2 and a message
/// suggesting another folder, and that nothing under the place changed.
fn assert_refused(place: &Place, what: &str, args: &[&str], before: &BTreeMap<PathBuf, Vec<u8>>) {
    let started = Instant::now();
    let o = place.run(args);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{what}: {args:?}: {stderr}");
    assert!(
        stderr.contains("error: output folder") && stderr.contains("choose"),
        "{what}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    // A simulation of LONG takes a minute or more.
    assert!(
        elapsed < Duration::from_secs(10),
        "{what}: refused only after {elapsed:?}"
    );
    let after = snapshot(place.root.path());
    assert!(
        &after == before,
        "{what}: files changed or a temporary was left: {:?}",
        after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .collect::<Vec<_>>()
    );
}

/// Every refused `--out` for `run`, a sweep and `merge`: a user's folder, the scenario's
/// folder, a folder above it, `.`, `..`, a file, a symbolic link, a folder with a mount inside.
#[test]
fn folders_coldsim_did_not_write_are_refused_before_simulating() {
    let place = Place::new();
    let part = place.part("parts/0-of-1");
    // A coldsim output with a filesystem mounted inside it.
    let mounted = place.path("mounted");
    let o = place.run(&[
        "run",
        place.path("proj/tiny.toml").to_str().expect("utf-8"),
        "--quiet",
        "--no-charts",
        "--out",
        mounted.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mount = Mount::new(&mounted.join("mnt"));
    let abs = |rel: &str| place.path(rel).to_str().expect("utf-8").to_owned();
    let mut outs: Vec<(&str, String)> = vec![
        ("a user's folder", abs("docs")),
        ("the scenario's folder", abs("proj")),
        ("a folder above the scenario's", abs("")),
        ("`.`", ".".into()),
        ("`..`", "..".into()),
        ("a file", abs("file.txt")),
        ("a symbolic link", abs("link")),
    ];
    if mount.is_some() {
        outs.push(("a folder with a mount inside", abs("mounted")));
    }
    let before = snapshot(place.root.path());
    let long = abs("proj/long.toml");
    let sweep = abs("proj/long-sweep.toml");
    let part = part.to_str().expect("utf-8").to_owned();
    for (what, out) in &outs {
        assert_refused(
            &place,
            &format!("run into {what}"),
            &["run", &long, "--quiet", "--out", out],
            &before,
        );
        assert_refused(
            &place,
            &format!("sweep into {what}"),
            &["run", &sweep, "--quiet", "--out", out],
            &before,
        );
        assert_refused(
            &place,
            &format!("resumed sweep into {what}"),
            &["run", &sweep, "--quiet", "--resume", "--out", out],
            &before,
        );
        assert_refused(
            &place,
            &format!("shard into {what}"),
            &["run", &sweep, "--quiet", "--shard", "0/2", "--out", out],
            &before,
        );
        assert_refused(
            &place,
            &format!("merge into {what}"),
            &["merge", "--quiet", "--no-charts", out, &part],
            &before,
        );
    }
    // Merging into the folder holding the parts (or into a part) would lose them.
    for out in [abs("parts"), part.clone()] {
        assert_refused(
            &place,
            "merge into its parts",
            &["merge", "--quiet", "--no-charts", &out, &part],
            &before,
        );
    }
    drop(mount);
}

/// A second run, sweep or merge into coldsim's own folder replaces it whole.
#[test]
fn a_second_run_into_its_own_folder_replaces_it() {
    let place = Place::new();
    let part = place.part("parts/0-of-1");
    let part = part.to_str().expect("utf-8");
    let tiny = place.path("proj/tiny.toml");
    let sweep = place.path("proj/tiny-sweep.toml");
    let (tiny, sweep) = (
        tiny.to_str().expect("utf-8"),
        sweep.to_str().expect("utf-8"),
    );
    let out = place.path("out");
    let o_str = out.to_str().expect("utf-8");
    let cases: [(&str, Vec<&str>, &str); 3] = [
        (
            "run",
            vec!["run", tiny, "--quiet", "--no-charts", "--out", o_str],
            "summary.json",
        ),
        (
            "sweep",
            vec!["run", sweep, "--quiet", "--no-charts", "--out", o_str],
            "sweep.csv",
        ),
        (
            "merge",
            vec!["merge", "--quiet", "--no-charts", o_str, part],
            "sweep.csv",
        ),
    ];
    for (what, args, file) in &cases {
        for round in 0..2 {
            let o = place.run(args);
            assert!(
                o.status.success(),
                "{what} round {round}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(out.join(file).is_file(), "{what}: no {file}");
            assert!(out.join(".coldsim-output").is_file(), "{what}: no marker");
            assert!(!out.join("stale.txt").exists(), "{what}: not replaced");
            std::fs::write(out.join("stale.txt"), "from the previous run").expect("writable");
        }
    }
    // Nothing beside `out` but what was there.
    let mut left: Vec<String> = std::fs::read_dir(place.root.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["docs", "file.txt", "link", "out", "parts", "proj", "work"]
    );
}

/// Names too long for the file-name limit and a read-only destination are refused before
/// simulating.
#[test]
fn long_names_and_unwritable_destinations_are_refused_before_simulating() {
    let place = Place::new();
    let long = place.path("proj/long.toml");
    let long = long.to_str().expect("utf-8");
    // 245–255 bytes: within the limit alone, over it with coldsim's temporary sibling.
    for len in [240, 245, 255] {
        let name = "a".repeat(len);
        let before = snapshot(place.root.path());
        let out = place.path(&name);
        assert_refused(
            &place,
            &format!("a {len}-byte --out"),
            &[
                "run",
                long,
                "--quiet",
                "--out",
                out.to_str().expect("utf-8"),
            ],
            &before,
        );
        // The default output folder is named after the scenario.
        let text = LONG.replace("name = \"long\"", &format!("name = \"{name}\""));
        std::fs::write(place.path("proj/named.toml"), text).expect("scenario");
        let before = snapshot(place.root.path());
        let o = place.run(&[
            "run",
            place.path("proj/named.toml").to_str().expect("utf-8"),
            "--quiet",
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("file-name limit of 255 bytes"), "{stderr}");
        assert_eq!(snapshot(place.root.path()), before);
        std::fs::remove_file(place.path("proj/named.toml")).expect("removable");
    }
    // A read-only parent: a read-only tmpfs as root, a folder without write permission else.
    let ro = place.path("ro");
    std::fs::create_dir_all(&ro).expect("ro");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro", "tmpfs"])
        .arg(&ro)
        .status()
        .is_ok_and(|s| s.success());
    let _unmount = mounted.then(|| Mount(ro.clone()));
    if !mounted {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    let before = snapshot(place.root.path());
    let out = ro.join("out");
    assert_refused(
        &place,
        "a read-only parent",
        &[
            "run",
            long,
            "--quiet",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        &before,
    );
}

/// Syscall counts of a run under strace, by name.
fn syscall_counts(args: &[&str], env: &[(&str, &str)], calls: &str) -> BTreeMap<String, usize> {
    let log = tempfile::NamedTempFile::new().expect("a log file");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-o"])
        .arg(log.path())
        .args(["-e", &format!("trace={calls}")])
        .arg(assert_cmd::cargo::cargo_bin("coldsim"))
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("strace starts");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(log.path()).expect("the log");
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        // "PID name(args) = ..." (or "<... name resumed>").
        let rest = line.split_once(' ').map_or(line, |(_, r)| r).trim_start();
        if let Some((name, _)) = rest.split_once('(') {
            *counts.entry(name.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// The `when=` values to inject at for a syscall made `n` times: every one up to 20, else 20
/// spread over them (first and last included).
fn injection_points(n: usize) -> Vec<usize> {
    if n <= 20 {
        (1..=n).collect()
    } else {
        let mut v: Vec<usize> = (0..20).map(|i| 1 + i * (n - 1) / 19).collect();
        v.dedup();
        v
    }
}

/// A SIGKILL at each rename and at writes of the report (strace fault injection) leaves the
/// old or the new report complete at `out`; the next run leaves no temporary folder. Both the
/// Linux exchange and the portable two-rename replacement.
#[test]
fn a_kill_at_any_rename_or_write_leaves_a_complete_report() {
    if Command::new("strace").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but strace is missing: .ci/run installs it"
        );
        eprintln!("SKIPPED: strace is not installed (apt-get install strace): kills at each rename and write are not tested");
        return;
    }
    let place = Place::new();
    let tiny = place.path("proj/tiny.toml");
    let tiny = tiny.to_str().expect("utf-8");
    let out = place.path("out");
    let o_str = out.to_str().expect("utf-8");
    let args = |seed: &'static str| -> Vec<&str> {
        vec!["run", tiny, "--quiet", "--seed", seed, "--out", o_str]
    };
    // The report files whose bytes depend only on the scenario and seed.
    let report = |dir: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(dir)
            .into_iter()
            .filter(|(p, _)| {
                p.extension()
                    .is_some_and(|e| e == "json" || e == "csv" || e == "toml")
            })
            .collect()
    };
    let write_report = |seed: &'static str| {
        let o = place.run(&args(seed));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        report(&out)
    };
    let new = write_report("2");
    let old = write_report("1");
    assert_ne!(old, new);
    let complete_at = |dir: &Path, what: &str| {
        let now = report(dir);
        assert!(
            now == old || now == new,
            "{what}: the report at {} is neither the old nor the new one",
            dir.display()
        );
        let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
        assert!(
            html.trim_end().ends_with("</html>"),
            "{what}: report.html is torn"
        );
        assert!(dir.join(".coldsim-output").is_file(), "{what}: no marker");
    };
    let complete = |what: &str| complete_at(&out, what);
    let mut kills = 0;
    for portable in [false, true] {
        let env: Vec<(&str, &str)> = if portable {
            vec![("COLDSIM_TEST_PORTABLE_SWAP", "1")]
        } else {
            vec![]
        };
        let counts = syscall_counts(&args("2"), &env, "rename,renameat,renameat2,write,fsync");
        write_report("1");
        let renames: usize = ["rename", "renameat", "renameat2"]
            .iter()
            .map(|c| counts.get(*c).copied().unwrap_or(0))
            .sum();
        assert!(renames >= if portable { 3 } else { 1 }, "{counts:?}");
        for (call, &n) in &counts {
            for when in injection_points(n) {
                let mut cmd = Command::new("strace");
                cmd.args(["-f", "-qq", "-o", "/dev/null", "-e"])
                    .arg(format!("trace={call}"))
                    .arg("-e")
                    .arg(format!("inject={call}:signal=SIGKILL:when={when}"))
                    .arg(assert_cmd::cargo::cargo_bin("coldsim"))
                    .args(args("2"));
                for (k, v) in &env {
                    cmd.env(k, v);
                }
                let o = cmd.output().expect("strace starts");
                let what = format!("portable {portable}, kill at {call} #{when}");
                // strace counts per thread: the chart threads' writes may not reach `when`.
                let killed = !o.status.success();
                assert!(
                    killed || call == "write" || call == "fsync",
                    "{what}: not killed"
                );
                kills += usize::from(killed);
                if out.exists() {
                    complete(&what);
                } else {
                    // Only between the portable replacement's two renames: the old report
                    // waits aside, complete, for the next run to put back.
                    assert!(portable, "{what}: out is missing");
                    let aside: Vec<PathBuf> = std::fs::read_dir(place.root.path())
                        .expect("readable")
                        .map(|e| e.expect("entry").path())
                        .filter(|p| {
                            p.file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with(".out.old-"))
                        })
                        .collect();
                    assert_eq!(aside.len(), 1, "{what}: out is missing and not aside");
                    complete_at(&aside[0], &what);
                    // The next command into out puts it back first: a merge of a missing
                    // part locks out, recovers it, then fails reading the part.
                    let o = place.run(&["merge", "--quiet", o_str, "/nonexistent-part"]);
                    assert_eq!(
                        o.status.code(),
                        Some(2),
                        "{}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                    complete(&format!("{what}, put back"));
                }
                // The next run puts things right and leaves no temporary.
                write_report("1");
                complete(&what);
                let mut left: Vec<String> = std::fs::read_dir(place.root.path())
                    .expect("readable")
                    .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                    .collect();
                left.sort();
                assert_eq!(
                    left,
                    ["docs", "file.txt", "link", "out", "proj", "work"],
                    "{what}: a temporary was left"
                );
            }
        }
    }
    assert!(kills > 10, "only {kills} kills");
}

/// Concurrent runs (and sweeps) on one `--out`: none fails inside (exit 1), a refused one
/// says why (exit 2), none leaves a temporary, and the report at `out` is complete.
#[test]
fn concurrent_runs_on_one_out_wait_or_refuse() {
    let place = Place::new();
    let out = place.path("out");
    let o_str = out.to_str().expect("utf-8");
    for scenario in ["proj/tiny.toml", "proj/tiny-sweep.toml"] {
        let s = place.path(scenario);
        let s = s.to_str().expect("utf-8");
        for round in 0..4 {
            let children: Vec<_> = (0..5)
                .map(|_| {
                    coldsim()
                        .current_dir(place.path("work"))
                        .args(["run", s, "--quiet", "--no-charts", "--out", o_str])
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .expect("coldsim starts")
                })
                .collect();
            let mut ok = 0;
            for child in children {
                let o = child.wait_with_output().expect("coldsim ends");
                let stderr = String::from_utf8_lossy(&o.stderr);
                match o.status.code() {
                    Some(0) => ok += 1,
                    Some(2) => assert!(
                        stderr.contains("another coldsim run is writing into it"),
                        "{stderr}"
                    ),
                    c => panic!("{scenario} round {round}: exit {c:?}: {stderr}"),
                }
            }
            assert!(ok >= 1, "{scenario} round {round}: every run was refused");
            let name = if scenario.contains("sweep") {
                "sweep.csv"
            } else {
                "summary.json"
            };
            assert!(out.join(name).is_file(), "{scenario}: no {name}");
            let mut left: Vec<String> = std::fs::read_dir(place.root.path())
                .expect("readable")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            left.sort();
            assert_eq!(
                left,
                ["docs", "file.txt", "link", "out", "proj", "work"],
                "{scenario} round {round}"
            );
        }
    }
}

/// Two signals at once (as GNU `timeout` sends them, to the process and its group) are one
/// interruption: the run stops cleanly with its message, and no temporary is left.
#[test]
fn two_signals_within_a_second_are_one_interruption() {
    let place = Place::new();
    let long = place.path("proj/long.toml");
    let out = place.path("out");
    let mut child = coldsim()
        .current_dir(place.path("work"))
        .arg("run")
        .arg(&long)
        .args(["--quiet", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("coldsim starts");
    // Loading takes milliseconds; the simulation a minute or more.
    std::thread::sleep(Duration::from_millis(700));
    for _ in 0..2 {
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }
    let started = Instant::now();
    loop {
        if child.try_wait().expect("waitable").is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the run did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().expect("coldsim ends");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted at ") && stderr.contains("nothing written"),
        "{stderr}"
    );
    assert!(!stderr.contains("interrupted again"), "{stderr}");
    let mut left: Vec<String> = std::fs::read_dir(place.root.path())
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["docs", "file.txt", "link", "proj", "work"]);
}

//! Sharded sweeps without Slurm: the shard assignment, `--shard` part folders, `coldsim
//! merge` giving the single-machine `sweep.csv` byte for byte, and every refusal of merge.

use assert_cmd::Command;
use coldsim::sweep;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn coldsim() -> Command {
    Command::cargo_bin("coldsim").expect("the binary is built")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The small sweep shared with the other sweep tests (`tests/fixtures/small-sweep.toml`):
/// bursty traffic, so throttles and cold starts vary, and a 3 × 2 grid of 3 replications,
/// 18 runs of a few milliseconds. `tests/sweep.rs` pins figures and lines of it.
const SWEEP: &str = include_str!("fixtures/small-sweep.toml");

struct Fixture {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("s.toml");
        std::fs::write(&file, SWEEP).expect("writable");
        Fixture { dir, file }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs shard `shard` (`I/N`) into `name`, with `extra` arguments.
    fn shard(&self, shard: &str, name: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
        coldsim()
            .args(["run", "--quiet", "--no-charts", "--out"])
            .arg(self.path(name))
            .arg(&self.file)
            .args(["--shard", shard])
            .args(extra)
            .assert()
    }

    fn merge(&self, out: &str, parts: &[&str]) -> assert_cmd::assert::Assert {
        coldsim()
            .args(["merge", "--quiet", "--no-charts"])
            .arg(self.path(out))
            .args(parts.iter().map(|p| self.path(p)))
            .assert()
    }

    /// Shards 0..n of n into `p<i>`.
    fn parts(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let name = format!("p{i}");
                self.shard(&format!("{i}/{n}"), &name, &[]).success();
                name
            })
            .collect()
    }
}

fn plan_of(text: &str) -> sweep::Plan {
    sweep::plan(text, Path::new("t.toml"), "t", Path::new("."), &[], None)
        .expect("valid")
        .expect("a sweep")
}

#[test]
fn equal_points_are_dealt_round_robin_and_every_point_has_one_shard() {
    let plan = plan_of(SWEEP);
    assert_eq!(sweep::assignment(&plan, 4), vec![0, 1, 2, 3, 0, 1]);
    assert_eq!(sweep::assignment(&plan, 1), vec![0; 6]);
    // More shards than points: the extra shards are empty.
    assert_eq!(sweep::assignment(&plan, 8), vec![0, 1, 2, 3, 4, 5]);
    for n in 1..=7 {
        let mut seen = vec![0; plan.points.len()];
        for i in 0..n {
            for p in sweep::points_of(&plan, sweep::Shard { index: i, count: n }) {
                seen[p] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "{n} shards: {seen:?}");
    }
}

#[test]
fn costly_points_are_spread_by_expected_requests() {
    // Rates 1, 2, ..., 8 per second: the costs grow along the grid.
    let text = SWEEP
        .replace(
            "arrivals = { process = \"bursty\", base_rate = 0.2, burst_rate = 20.0, mean_burst = \"30s\", mean_gap = \"10m\" }",
            "arrivals = { process = \"poisson\", rate = 1.0 }",
        )
        .replace("\"functions.api.provisioned_concurrency\" = [0, 2]", "")
        .replace(
            "\"platform.keep_alive.idle\" = [\"1m\", \"5m\", \"20m\"]",
            "\"functions.api.arrivals.rate\" = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]",
        );
    let plan = plan_of(&text);
    let shards = sweep::assignment(&plan, 2);
    // Longest first, each to the lighter shard: 8→0, 7→1, 6→1, 5→0, 4→0, 3→1, 2→1, 1→0
    // (ties to shard 0): loads 18 and 18 rate-units, where round-robin gives 16 and 20.
    assert_eq!(shards, vec![0, 1, 1, 0, 0, 1, 1, 0]);
    let load = |s: usize| -> usize { (0..8).filter(|&p| shards[p] == s).map(|p| p + 1).sum() };
    assert_eq!((load(0), load(1)), (18, 18));
}

#[test]
fn merged_parts_give_the_single_machine_sweep_csv_and_charts() {
    let f = Fixture::new();
    coldsim()
        .args(["run", "--quiet", "--out"])
        .arg(f.path("single"))
        .arg(&f.file)
        .assert()
        .success();
    let parts = f.parts(4);
    // A part folder: the manifest, the scenario and one record per run, no report.
    let manifest = String::from_utf8(read(&f.path("p1/part.json"))).expect("UTF-8");
    assert!(manifest.contains("\"shard\": 1,"), "{manifest}");
    assert!(manifest.contains("\"shards\": 4,"), "{manifest}");
    assert!(manifest.contains("\"runs\": 6,"), "{manifest}");
    assert_eq!(read(&f.path("p1/scenario.toml")), SWEEP.as_bytes());
    let runs: Vec<_> = std::fs::read_dir(f.path("p1/runs"))
        .expect("runs/")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .collect();
    assert_eq!(runs.len(), 6, "points 1 and 5, 3 replications: {runs:?}");
    assert!(runs.contains(&"5-2.json".to_owned()), "{runs:?}");
    assert!(!f.path("p1/sweep.csv").exists());
    // Parts in any order.
    let reversed: Vec<&str> = parts.iter().rev().map(String::as_str).collect();
    coldsim()
        .arg("merge")
        .arg(f.path("merged"))
        .args(reversed.iter().map(|p| f.path(p)))
        .assert()
        .success()
        .stdout(predicate::str::contains("4 parts, 18 runs"));
    assert_eq!(
        read(&f.path("merged/sweep.csv")),
        read(&f.path("single/sweep.csv"))
    );
    for chart in ["sweep_cost_vs_p99.png", "sweep_cold_start_ratio.png"] {
        assert_eq!(
            read(&f.path("merged").join(chart)),
            read(&f.path("single").join(chart)),
            "{chart}"
        );
    }
    assert!(f.path("merged/report.html").is_file());
    // The parts are left as they were.
    assert!(f.path("p0/part.json").is_file());
}

#[test]
fn kept_point_reports_of_every_shard_are_merged() {
    let f = Fixture::new();
    coldsim()
        .args(["run", "--quiet", "--no-charts", "--keep-points", "--out"])
        .arg(f.path("single"))
        .arg(&f.file)
        .assert()
        .success();
    f.shard("0/2", "k0", &["--keep-points"]).success();
    f.shard("1/2", "k1", &["--keep-points"]).success();
    assert!(f.path("k1/points").is_dir());
    assert!(!f.path("k1/.sweep-state").exists());
    f.merge("merged", &["k0", "k1"]).success();
    let names = |dir: PathBuf| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("points/")
            .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
            .collect();
        v.sort();
        v
    };
    let points = names(f.path("merged/points"));
    assert_eq!(points.len(), 6, "{points:?}");
    assert_eq!(points, names(f.path("single/points")));
    for p in &points {
        let summary = Path::new("points").join(p).join("summary.json");
        assert_eq!(
            read(&f.path("merged").join(&summary)),
            read(&f.path("single").join(&summary)),
            "{p}"
        );
    }
    // The parts keep their copies; no staging folder is left behind.
    assert!(f.path("k0/points").is_dir());
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .expect("temp dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Parts with and without point reports do not mix.
    f.shard("1/2", "n1", &[]).success();
    f.merge("mixed", &["k0", "n1"])
        .code(2)
        .stderr(predicate::str::contains("--keep-points"));
}

#[test]
fn an_interrupted_shard_resumes_to_the_same_part() {
    let f = Fixture::new();
    f.shard("0/2", "whole", &[]).success();
    f.shard("0/2", "cut", &["--stop-after", "2"])
        .code(130)
        .stderr(predicate::str::contains("--resume"));
    // An unfinished shard is no part: merge says how to finish it.
    f.merge("m", &["cut"])
        .code(2)
        .stderr(predicate::str::contains("cut").and(predicate::str::contains("--resume")));
    // Another shard's state is not taken up.
    f.shard("1/2", "cut", &["--resume"])
        .code(2)
        .stderr(predicate::str::contains("different sweep"));
    f.shard("0/2", "cut", &["--resume"]).success();
    for name in ["0-0.json", "2-1.json", "4-2.json"] {
        assert_eq!(
            read(&f.path("whole/runs").join(name)),
            read(&f.path("cut/runs").join(name))
        );
    }
}

#[test]
fn shard_takes_its_index_and_count_from_slurm() {
    let f = Fixture::new();
    coldsim()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(f.path("t"))
        .arg(&f.file)
        .arg("--shard")
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .assert()
        .success();
    let manifest = String::from_utf8(read(&f.path("t/part.json"))).expect("UTF-8");
    assert!(manifest.contains("\"shard\": 2,"), "{manifest}");
    assert!(manifest.contains("\"shards\": 3,"), "{manifest}");
    coldsim()
        .args(["run", "--quiet", "--out"])
        .arg(f.path("u"))
        .arg(&f.file)
        .arg("--shard")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SLURM_ARRAY_TASK_ID"));
}

#[test]
fn shard_is_refused_where_it_does_not_apply() {
    let f = Fixture::new();
    f.shard("2/2", "x", &[])
        .code(2)
        .stderr(predicate::str::contains("numbered 0 to 1"));
    coldsim()
        .args(["run", "--quiet", "--shard"])
        .arg(&f.file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("after the scenario file"));
    let plain = f.path("plain.toml");
    let text = SWEEP.split("[sweep]").next().expect("text");
    std::fs::write(&plain, text).expect("writable");
    coldsim()
        .args(["run", "--quiet", "--shard", "0/2"])
        .arg(&plain)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweeps only"));
}

/// Merges `parts` into a folder holding an earlier report, expects exit 2 with every one of
/// `needles` in the message, and checks the earlier report is intact.
fn refused(f: &Fixture, parts: &[&str], needles: &[&str]) {
    let out = f.path("earlier");
    std::fs::create_dir_all(&out).expect("writable");
    std::fs::write(out.join("sweep.csv"), "earlier\n").expect("writable");
    // An earlier coldsim report (its marker), which merge may replace but must not here.
    std::fs::write(out.join(coldsim::report::MARKER), "").expect("writable");
    let assert = f.merge("earlier", parts).code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for n in needles {
        assert!(stderr.contains(n), "expected {n:?} in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(read(&out.join("sweep.csv")), b"earlier\n");
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_parts() {
    let f = Fixture::new();
    f.parts(3);
    let p = |i: usize| f.path(&format!("p{i}")).display().to_string();
    // A shard missing.
    refused(
        &f,
        &["p0", "p2"],
        &["shard 1 of 3 is missing", "--shard I/3"],
    );
    // A shard twice.
    refused(
        &f,
        &["p0", "p1", "p1", "p2"],
        &[&p(1), "both shard 1/3", "each shard once"],
    );
    // A part of another split.
    f.shard("1/2", "q1", &[]).success();
    refused(
        &f,
        &["p0", "q1", "p2"],
        &["shard 1/2", "shard 0/3", "same N"],
    );
    // A part of another seed.
    f.shard("1/3", "s1", &["--seed", "9"]).success();
    refused(&f, &["p0", "s1", "p2"], &["different sweep", "--seed"]);
    // A part of another scenario.
    let other = f.path("other.toml");
    std::fs::write(&other, SWEEP.replace("base_rate = 0.2", "base_rate = 0.3")).expect("w");
    coldsim()
        .args(["run", "--quiet", "--shard", "1/3", "--out"])
        .arg(f.path("o1"))
        .arg(&other)
        .assert()
        .success();
    refused(
        &f,
        &["p0", "o1", "p2"],
        &["different sweep", "scenario text", "other.toml"],
    );
    // A part of another coldsim version.
    copy_dir(&f.path("p1"), &f.path("v1"));
    let manifest = String::from_utf8(read(&f.path("v1/part.json"))).expect("UTF-8");
    let edited = manifest.replace(
        &format!("\"coldsim_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"coldsim_version\": \"0.0.1\"",
    );
    assert_ne!(edited, manifest);
    std::fs::write(f.path("v1/part.json"), edited).expect("writable");
    refused(
        &f,
        &["p0", "v1", "p2"],
        &[
            &f.path("v1").display().to_string(),
            "coldsim 0.0.1",
            "same coldsim version",
        ],
    );
    // Every part of another coldsim version.
    refused(&f, &["v1"], &["coldsim 0.0.1", "this is coldsim"]);
    // A part that lost a run.
    copy_dir(&f.path("p1"), &f.path("l1"));
    std::fs::remove_file(f.path("l1/runs/4-2.json")).expect("exists");
    refused(
        &f,
        &["p0", "l1", "p2"],
        &[
            "lacks the run of point 4, replication 2",
            "run its shard again",
        ],
    );
    // Not a part at all, and no folder.
    refused(
        &f,
        &["p0", "p1", "p2", "nothing"],
        &["nothing", "no such folder"],
    );
    std::fs::create_dir_all(f.path("empty")).expect("writable");
    refused(&f, &["p0", "p1", "empty"], &["empty", "part.json"]);
    // The output folder may not hold a part: the merge replaces it.
    // (A part as the output folder is refused with the output-folder checks, before merge
    // reads the parts; a folder inside a part by merge itself.)
    for (out, says) in [("p0", "which this run reads"), ("p1/report", "overlap")] {
        f.merge(out, &["p0", "p1", "p2"])
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert!(f.path("p0/part.json").is_file());
    assert!(!f.path("p1/report").exists());
    // And the parts do merge.
    f.merge("earlier", &["p0", "p1", "p2"]).success();
}

/// Issue 16: shards run on different data (an empirical CSV edited between them) merged with
/// exit 0, and edited numbers in run records were accepted. Both are refused, naming the file.
#[test]
fn merge_refuses_parts_of_other_data_and_edited_records() {
    let f = Fixture::new();
    let text = SWEEP.replace(
        "execution = { dist = \"lognormal\", median = \"50ms\", p99 = \"400ms\" }",
        "execution = { dist = \"empirical\", path = \"exec.csv\", unit = \"ms\" }",
    );
    std::fs::write(&f.file, text).expect("writable");
    let data = f.path("exec.csv");
    std::fs::write(&data, "ms\n20\n50\n400\n").expect("writable");
    f.parts(2);
    std::fs::write(&data, "ms\n20\n50\n401\n").expect("writable");
    f.shard("1/2", "d1", &[]).success();
    refused(
        &f,
        &["p0", "d1"],
        &["exec.csv", "other content", "same files"],
    );
    // Parts of the same data, but the file changed before the merge.
    refused(&f, &["p0", "p1"], &["exec.csv", "restore it"]);
    std::fs::write(&data, "ms\n20\n50\n400\n").expect("writable");
    // An edited record.
    copy_dir(&f.path("p1"), &f.path("e1"));
    let runs = f.path("e1/runs");
    let mut records: Vec<PathBuf> = std::fs::read_dir(&runs)
        .expect("runs/")
        .map(|e| e.expect("entry").path())
        .collect();
    records.sort();
    let record = String::from_utf8(read(&records[0])).expect("UTF-8");
    let edited = record.replacen("\"cold_starts\": ", "\"cold_starts\": 9", 1);
    assert_ne!(edited, record);
    std::fs::write(&records[0], edited).expect("writable");
    let name = records[0]
        .file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned();
    refused(
        &f,
        &["p0", "e1"],
        &[&name, "checksum", "run its shard again"],
    );
    // The untouched parts merge to the single-machine bytes.
    coldsim()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(f.path("single"))
        .arg(&f.file)
        .assert()
        .success();
    f.merge("merged", &["p0", "p1"]).success();
    assert_eq!(
        read(&f.path("merged/sweep.csv")),
        read(&f.path("single/sweep.csv"))
    );
}

/// Issue 16: merge followed symbolic links in a part's `points/`, so a link to a private file
/// was copied into the merged report. A part may hold only the files coldsim writes there.
#[cfg(unix)]
#[test]
fn merge_refuses_links_and_foreign_files_in_a_part() {
    let f = Fixture::new();
    f.shard("0/2", "k0", &["--keep-points"]).success();
    f.shard("1/2", "k1", &["--keep-points"]).success();
    let private = f.path("secret.txt");
    std::fs::write(&private, "private\n").expect("writable");
    let point = std::fs::read_dir(f.path("k1/points"))
        .expect("points/")
        .next()
        .expect("a point")
        .expect("entry")
        .file_name()
        .into_string()
        .expect("UTF-8");
    // What the part gains, and how.
    type Case<'a> = (&'a str, &'a dyn Fn(&Path));
    let cases: [Case; 5] = [
        ("chart.png", &|d| {
            std::os::unix::fs::symlink(&private, d.join("points").join(&point).join("chart.png"))
                .expect("links")
        }),
        ("notes.txt", &|d| {
            std::fs::write(d.join("points").join(&point).join("notes.txt"), "x").expect("w")
        }),
        ("stray.json", &|d| {
            std::fs::write(d.join("runs/stray.json"), "{}").expect("w")
        }),
        ("extra", &|d| {
            std::fs::create_dir(d.join("extra")).expect("w")
        }),
        ("part-link", &|d| {
            std::os::unix::fs::symlink(&private, d.join("part-link")).expect("links")
        }),
    ];
    for (i, (name, spoil)) in cases.iter().enumerate() {
        let part = format!("bad{i}");
        copy_dir(&f.path("k1"), &f.path(&part));
        spoil(&f.path(&part));
        refused(&f, &["k0", &part], &[&part, name, "merge will not copy it"]);
    }
    assert!(!f.path("earlier/points").exists());
    f.merge("merged", &["k0", "k1"]).success();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("writable");
    for e in std::fs::read_dir(from).expect("readable") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copies");
        }
    }
}

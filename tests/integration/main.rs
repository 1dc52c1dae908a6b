//! One integration test binary: hand-checked scenarios, analytic oracles, properties and the CLI.

mod app_unit;
mod aws_behaviours;
mod bad_inputs;
mod cli;
mod cluster;
mod cpu;
mod hand_checked;
mod hostile;
mod interrupt;
mod keep_alive;
mod managed;
mod oracles;
mod out_folder;
mod properties;
mod readme;
mod reports;
mod schema;
mod shared_env;
mod strategies;
mod stress;

use coldsim::metrics::Summary;
use coldsim::scenario::{self, Scenario};
use coldsim::simulation::{Results, SimInit};
use std::path::Path;

/// Parses and validates scenario text, panicking with the error if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match scenario::parse(
        text,
        &scenario::ParseOptions::default()
            .origin(Path::new("test.toml"))
            .name_default("test"),
    ) {
        Ok(l) => l.scenario,
        Err(e) => panic!("invalid test scenario: {e}"),
    }
}

/// Runs scenario text and returns the results and the summary.
pub fn run(text: &str) -> (Results, Summary) {
    let s = scenario(text);
    let r = SimInit::new(&s)
        .run()
        .expect("test scenarios replay no trace, so the run cannot fail");
    let summary = r.summary(&s);
    (r, summary)
}

/// Files, folders and links by path relative to a folder: a file's bytes, `<dir>`, or
/// `-> target` for a link.
pub type Files = std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>;

/// Every file, folder and link under `dir` (links not followed), with the bytes of files and
/// the targets of links.
pub fn snapshot(dir: &std::path::Path) -> Files {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Files) {
        for e in std::fs::read_dir(dir).expect("readable folder") {
            let p = e.expect("an entry").path();
            let rel = p.strip_prefix(root).expect("under root").to_owned();
            let meta = std::fs::symlink_metadata(&p).expect("an entry's metadata");
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p).expect("a link");
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).expect("readable file"));
            }
        }
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out);
    out
}

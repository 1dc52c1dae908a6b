//! A shard's partial result folder (`coldsim run SWEEP --shard I/N`): `part.json` (the
//! manifest naming the scenario, seed, coldsim version, shard and points), `scenario.toml`
//! (the text as written) and `runs/<point>-<replication>.json`, one run record per finished
//! run in the resume state's format (figures exact to the bit), and with `--keep-points` the
//! shard's point reports under `points/`. `coldsim merge` reads them.

use super::folder::{write_atomically, write_file, ReportError};
use crate::sweep::{hex, InputHash, RunRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The manifest's file name inside a part folder.
pub const PART_FILE: &str = "part.json";

/// Version of the part folder layout (2: input fingerprints, checksummed run records).
pub const PART_FORMAT: u32 = 2;

/// `part.json`: what a part holds and what it was made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartManifest {
    /// [`PART_FORMAT`].
    pub format: u32,
    /// The coldsim version that ran the shard.
    pub coldsim_version: String,
    /// The scenario file as named on the command line.
    pub scenario: PathBuf,
    /// Hash (FNV-1a, hex) of the scenario text as written.
    pub scenario_hash: String,
    /// `--set` overrides.
    pub overrides: Vec<String>,
    /// `--seed`, if given.
    pub seed: Option<u64>,
    /// The sweep's fingerprint (every point's scenario and seed, replications, version).
    pub fingerprint: String,
    /// Which shard (from 0).
    pub shard: usize,
    /// Of how many.
    pub shards: usize,
    /// Points of the whole sweep.
    pub points_total: usize,
    /// Runs per point.
    pub replications: u32,
    /// The points of this shard, in grid order.
    pub points: Vec<usize>,
    /// Runs in this part (points × replications).
    pub runs: usize,
    /// Wall-clock seconds the shard's runs took (this session).
    pub wall_s: f64,
    /// Run with `--keep-points`: `points/` holds each of its points' reports.
    #[serde(default)]
    pub keep_points: bool,
    /// The content fingerprint of every file the sweep's points read.
    pub inputs: Vec<InputHash>,
}

/// A part folder read back.
#[derive(Clone, Debug)]
pub struct Part {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: PartManifest,
    /// Its scenario text.
    pub text: String,
    /// Its run records, sorted by point and replication.
    pub records: Vec<RunRecord>,
}

/// A part folder that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The folder does not exist.
    #[error("part {}: no such folder; pass the folders written by `coldsim run SWEEP --shard I/N --out FOLDER`", dir.display())]
    Missing {
        /// The part folder, as given.
        dir: PathBuf,
    },
    /// The folder has no manifest: not a part, or its shard has not finished.
    #[error("part {}: no {PART_FILE}, so it is not a finished shard (an interrupted one keeps its runs in .sweep-state/): finish it with `coldsim run SWEEP --shard I/N --out {} --resume`", dir.display(), dir.display())]
    NoManifest {
        /// The part folder.
        dir: PathBuf,
    },
    /// A file of the part cannot be read or parsed.
    #[error("part {}: {}: {message}; run its shard again", dir.display(), file.display())]
    Damaged {
        /// The part folder.
        dir: PathBuf,
        /// The damaged file, relative to the part folder.
        file: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// A run record file: the record and the SHA-256 of its compact JSON, so an edited figure
/// is caught (`--resume` and `merge` refuse it).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    record: RunRecord,
    sha256: String,
}

/// The checksum of `record`: SHA-256 of its compact JSON (figures exact to the bit).
fn checksum(record: &RunRecord) -> String {
    let json = serde_json::to_vec(record).expect("records hold numbers only");
    hex(&Sha256::digest(json))
}

/// The bytes of one run record, as in the resume state.
pub fn record_bytes(record: &RunRecord) -> Vec<u8> {
    let file = RecordFile {
        record: record.clone(),
        sha256: checksum(record),
    };
    let mut bytes = serde_json::to_vec_pretty(&file).expect("records hold numbers only");
    bytes.push(b'\n');
    bytes
}

/// Reads a run record written by [`record_bytes`]; `Err` says why it is not one (not JSON of
/// a record, or figures that do not match their checksum: edited).
pub fn parse_record(bytes: &[u8]) -> Result<RunRecord, String> {
    let file: RecordFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if checksum(&file.record) != file.sha256 {
        return Err("its figures do not match its checksum (edited after the run?)".into());
    }
    Ok(file.record)
}

/// Writes a part folder into `out`, replacing it atomically (the shard's resume state inside
/// it goes with the old contents).
pub fn write_part(
    out: &Path,
    manifest: &PartManifest,
    text: &str,
    records: &[RunRecord],
    points_from: Option<&Path>,
) -> Result<(), ReportError> {
    write_atomically(out, |dir| {
        if let Some(from) = points_from.filter(|p| p.is_dir()) {
            let to = dir.join("points");
            std::fs::rename(from, &to).map_err(|source| ReportError::Io { path: to, source })?;
        }
        let runs = dir.join("runs");
        std::fs::create_dir_all(&runs).map_err(|source| ReportError::Io {
            path: runs.clone(),
            source,
        })?;
        for r in records {
            let name = format!("{}-{}.json", r.point, r.replication);
            write_file(&runs, &name, &record_bytes(r))?;
        }
        write_file(dir, "scenario.toml", text.as_bytes())?;
        let mut bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
        bytes.push(b'\n');
        // The manifest last: a folder with one is complete.
        write_file(dir, PART_FILE, &bytes)
    })
}

/// Reads the part folder `dir`, strictly: any unreadable file is an error.
pub fn read_part(dir: &Path) -> Result<Part, PartError> {
    if !dir.is_dir() {
        return Err(PartError::Missing {
            dir: dir.to_owned(),
        });
    }
    let damaged = |file: &Path, message: String| PartError::Damaged {
        dir: dir.to_owned(),
        file: file.strip_prefix(dir).unwrap_or(file).to_owned(),
        message,
    };
    let manifest_path = dir.join(PART_FILE);
    if !manifest_path.is_file() {
        return Err(PartError::NoManifest {
            dir: dir.to_owned(),
        });
    }
    let bytes =
        crate::input::read(&manifest_path).map_err(|e| damaged(&manifest_path, e.to_string()))?;
    let manifest: PartManifest =
        serde_json::from_slice(&bytes).map_err(|e| damaged(&manifest_path, e.to_string()))?;
    if manifest.format != PART_FORMAT {
        return Err(damaged(
            &manifest_path,
            format!(
                "format {} is not {PART_FORMAT}, the one this coldsim reads",
                manifest.format
            ),
        ));
    }
    check_contents(dir, manifest.keep_points).map_err(|(file, message)| damaged(&file, message))?;
    let text_path = dir.join("scenario.toml");
    let text =
        crate::input::read_to_string(&text_path).map_err(|e| damaged(&text_path, e.to_string()))?;
    let runs = dir.join("runs");
    let entries = std::fs::read_dir(&runs).map_err(|e| damaged(&runs, e.to_string()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut records = Vec::with_capacity(paths.len());
    for p in &paths {
        let bytes = crate::input::read(p).map_err(|e| damaged(p, e.to_string()))?;
        let record = parse_record(&bytes).map_err(|e| damaged(p, e))?;
        records.push(record);
    }
    records.sort_by_key(|r| (r.point, r.replication));
    Ok(Part {
        dir: dir.to_owned(),
        manifest,
        text,
        records,
    })
}

/// True for the name of a file `report::write` puts in a point's report folder.
fn is_report_file(name: &str) -> bool {
    matches!(
        name,
        "summary.json" | "functions.csv" | "timeseries.csv" | "scenario.toml" | "report.html"
    ) || name == super::outdir::MARKER
        || name.ends_with(".png")
        || name.ends_with(".svg")
}

/// True for `<point>-<replication>.json`.
fn is_record_name(name: &str) -> bool {
    name.strip_suffix(".json")
        .and_then(|stem| stem.split_once('-'))
        .is_some_and(|(p, r)| {
            [p, r]
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A folder entry: its path, name and type (of the entry itself, not what a link points to).
type Entry = (PathBuf, String, std::fs::FileType);

/// Checks that the part folder `dir` holds only what `write_part` writes: `part.json`,
/// `scenario.toml`, run records in `runs/` and (with `keep_points`) point reports in
/// `points/`, every one a regular file or folder — no symbolic link (merge would copy what
/// it points to, a private file say, into the report) and nothing else. `Err` has the
/// offending path and why.
fn check_contents(dir: &Path, keep_points: bool) -> Result<(), (PathBuf, String)> {
    let entries = |d: &Path| -> Result<Vec<Entry>, (PathBuf, String)> {
        let read = std::fs::read_dir(d).map_err(|e| (d.to_owned(), e.to_string()))?;
        let mut all = Vec::new();
        for e in read {
            let e = e.map_err(|e| (d.to_owned(), e.to_string()))?;
            // `file_type` does not follow symbolic links.
            let kind = e.file_type().map_err(|err| (e.path(), err.to_string()))?;
            all.push((e.path(), e.file_name().to_string_lossy().into_owned(), kind));
        }
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(all)
    };
    let foreign = |path: &Path, kind: &std::fs::FileType| {
        let what = if kind.is_symlink() {
            "is a symbolic link"
        } else {
            "is not a file coldsim writes in a part"
        };
        (
            path.to_owned(),
            format!("{what}, so merge will not copy it (remove it)"),
        )
    };
    for (path, name, kind) in entries(dir)? {
        let ok = match name.as_str() {
            PART_FILE | "scenario.toml" | super::outdir::MARKER => kind.is_file(),
            "runs" => kind.is_dir(),
            "points" => kind.is_dir() && keep_points,
            _ => false,
        };
        if !ok {
            return Err(foreign(&path, &kind));
        }
    }
    for (path, name, kind) in entries(&dir.join("runs"))? {
        if !(kind.is_file() && is_record_name(&name)) {
            return Err(foreign(&path, &kind));
        }
    }
    let points = dir.join("points");
    if keep_points && points.is_dir() {
        for (path, _, kind) in entries(&points)? {
            if !kind.is_dir() {
                return Err(foreign(&path, &kind));
            }
            for (file, name, kind) in entries(&path)? {
                if !(kind.is_file() && is_report_file(&name)) {
                    return Err(foreign(&file, &kind));
                }
            }
        }
    }
    Ok(())
}

/// Copies the folder `from` to `to` (which must not exist), recursively.
pub fn copy_folder(from: &Path, to: &Path) -> Result<(), ReportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(to).map_err(io(to))?;
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        if kind.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else if kind.is_symlink() {
            // Never follow a link out of the folder (`read_part` refuses them first).
            return Err(ReportError::Io {
                path: entry.path(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a symbolic link, not copied",
                ),
            });
        } else {
            std::fs::copy(entry.path(), &target).map_err(io(&target))?;
        }
    }
    Ok(())
}

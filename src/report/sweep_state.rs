//! A sweep's state on disk, for `--resume`: `OUT/.sweep-state/` holds `plan.json` (the sweep's
//! fingerprint and the content fingerprints of the files it reads), one `runs/<point>-<replication>.json` per finished run, and with
//! `--keep-points` the points' reports under `points/`. The completed report replaces the
//! whole output folder, state included.

use super::folder::{write_file, ReportError};
use crate::sweep::{InputHash, RunRecord};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the state folder inside the output folder.
pub const STATE_DIR: &str = ".sweep-state";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    fingerprint: String,
    /// Absent in state of an older coldsim: then every input counts as changed.
    #[serde(default)]
    inputs: Vec<InputHash>,
}

/// The state folder of one output folder.
#[derive(Clone, Debug)]
pub struct SweepState {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_owned(),
        source,
    }
}

impl SweepState {
    /// The state of the sweep writing into `out`.
    pub fn at(out: &Path) -> SweepState {
        SweepState {
            dir: out.join(STATE_DIR),
        }
    }

    /// The state folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The fingerprint of the sweep that wrote the state and of the files it read, if there
    /// is readable state.
    pub fn fingerprint(&self) -> Option<(String, Vec<InputHash>)> {
        let bytes = crate::input::read(&self.dir.join("plan.json")).ok()?;
        serde_json::from_slice::<PlanFile>(&bytes)
            .ok()
            .map(|p| (p.fingerprint, p.inputs))
    }

    /// Empties the state and starts it for the sweep with `fingerprint`, reading `inputs`.
    pub fn reset(&self, fingerprint: &str, inputs: &[InputHash]) -> Result<(), ReportError> {
        if self.dir.exists() {
            std::fs::remove_dir_all(&self.dir).map_err(io(&self.dir))?;
        }
        let runs = self.dir.join("runs");
        std::fs::create_dir_all(&runs).map_err(io(&runs))?;
        // The output folder now exists, perhaps only for the state: mark it as coldsim's.
        if let Some(out) = self.dir.parent() {
            if !out.join(super::outdir::MARKER).is_file() {
                write_file(out, super::outdir::MARKER, super::outdir::MARKER_TEXT)?;
            }
        }
        let plan = PlanFile {
            fingerprint: fingerprint.to_owned(),
            inputs: inputs.to_vec(),
        };
        let bytes = serde_json::to_vec_pretty(&plan).expect("a string serializes");
        write_file(&self.dir, "plan.json", &bytes)
    }

    /// Every run record (records are renamed into place whole, so none is torn); `Err` has
    /// the first that is not a record or whose figures do not match its checksum, and why.
    pub fn records(&self) -> Result<Vec<RunRecord>, (PathBuf, String)> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("runs")) else {
            return Ok(Vec::new());
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let bytes = crate::input::read(p).map_err(|e| (p.clone(), e.to_string()))?;
                super::sweep_part::parse_record(&bytes).map_err(|e| (p.clone(), e))
            })
            .collect()
    }

    /// Saves one run's record (written to a temporary name, then renamed, so a record is
    /// either whole or absent).
    pub fn save(&self, record: &RunRecord) -> Result<(), ReportError> {
        let runs = self.dir.join("runs");
        let name = format!("{}-{}.json", record.point, record.replication);
        let tmp = runs.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, super::sweep_part::record_bytes(record)).map_err(io(&tmp))?;
        let path = runs.join(name);
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// Where kept point reports are written.
    pub fn points_dir(&self) -> PathBuf {
        self.dir.join("points")
    }

    /// The report folder of the point with folder name `slug`.
    pub fn point_dir(&self, slug: &str) -> PathBuf {
        self.points_dir().join(slug)
    }

    /// True when the point's report is complete (its folder is only renamed into place once
    /// written).
    pub fn has_point(&self, slug: &str) -> bool {
        self.point_dir(slug).join("report.html").is_file()
    }
}

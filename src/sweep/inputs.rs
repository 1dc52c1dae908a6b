//! Content fingerprints of the files a sweep's runs read (traces, empirical distribution
//! files): the resume state and every shard part record them, so `--resume` and `merge`
//! refuse runs made from other data than the files hold now, naming the file.

use super::plan::Plan;
use super::SweepError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One input file and the SHA-256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputHash {
    /// The file, as the scenario resolved it.
    pub path: PathBuf,
    /// SHA-256 of its content, lowercase hex.
    pub sha256: String,
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the bytes of the regular file at `path`, read through a small buffer (never
/// the whole file at once).
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

/// The fingerprints of every file any point of `plan` reads, in the order first met.
pub fn of_plan(plan: &Plan) -> Result<Vec<InputHash>, SweepError> {
    let mut files: Vec<PathBuf> = Vec::new();
    for p in &plan.points {
        for f in p.loaded.scenario.input_files() {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    files
        .into_iter()
        .map(|path| match hash_file(&path) {
            Ok(sha256) => Ok(InputHash { path, sha256 }),
            Err(error) => Err(SweepError::Input { path, error }),
        })
        .collect()
}

/// The first file whose content in `then` is not its content in `now` (or that only one of
/// them lists); `None` when they agree.
pub fn changed<'a>(then: &'a [InputHash], now: &'a [InputHash]) -> Option<&'a Path> {
    let lost = then.iter().find(|h| !now.contains(h));
    let new = now.iter().find(|h| !then.contains(h));
    lost.or(new).map(|h| h.path.as_path())
}

//! Atomic output folders: files are written into a temporary sibling folder which then
//! replaces the target, so an interrupted run never leaves a half-written report over a good one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writing the report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder operation failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A chart failed to draw.
    #[cfg(feature = "charts")]
    #[error(transparent)]
    Chart(#[from] super::charts::ChartError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Name tags of an output folder's temporary siblings: `.NAME` + tag + process id.
pub const TMP_TAG: &str = ".tmp-";
/// The previous folder set aside by the portable replacement.
pub const OLD_TAG: &str = ".old-";
/// A merge's staged point reports.
pub const POINTS_TAG: &str = ".points-";

/// Replaces folder `target` with a folder holding what `fill` writes into the path it is given
/// (and the [`MARKER`](super::outdir::MARKER) that makes it coldsim's). Everything is
/// fsynced before the swap; on Linux the swap is one `renameat2(RENAME_EXCHANGE)`, so `target`
/// is never missing; elsewhere it is two renames, and a run killed between them leaves the
/// old folder aside for the next run's [`prepare`](super::outdir::prepare) to put back.
/// On error the previous contents of `target` are left as they were and the temporary
/// sibling is removed. The caller checks and locks `target` first (`prepare`).
pub fn write_atomically(
    target: &Path,
    fill: impl FnOnce(&Path) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let (parent, name) = super::outdir::split(target);
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = parent.join(format!(".{name}{TMP_TAG}{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let filled = write_file(&tmp, super::outdir::MARKER, super::outdir::MARKER_TEXT)
        .and_then(|()| fill(&tmp))
        .and_then(|()| sync_tree(&tmp));
    if let Err(e) = filled.and_then(|()| swap(&tmp, target, &parent, &name)) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    sync_dir(&parent)
}

/// Puts the filled folder `tmp` at `target`; `tmp` then holds the old folder, removed here.
fn swap(tmp: &Path, target: &Path, parent: &Path, name: &str) -> Result<(), ReportError> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(tmp, target).map_err(io(target));
    }
    if !exchange(tmp, target)? {
        let old = parent.join(format!(".{name}{OLD_TAG}{}", std::process::id()));
        std::fs::rename(target, &old).map_err(io(target))?;
        std::fs::rename(tmp, target).map_err(io(target))?;
        std::fs::rename(&old, tmp).map_err(io(&old))?;
    }
    // `tmp` now holds the previous report.
    std::fs::remove_dir_all(tmp).map_err(io(tmp))
}

/// Test hook: with this variable set (to anything), the portable two-rename replacement is
/// used on Linux too, so the tests can kill a run between its renames.
pub const PORTABLE_SWAP_VAR: &str = "COLDSIM_TEST_PORTABLE_SWAP";

/// Exchanges `a` and `b` atomically; `false` where the system or filesystem cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool, ReportError> {
    use std::os::unix::ffi::OsStrExt;
    if std::env::var_os(PORTABLE_SWAP_VAR).is_some() {
        return Ok(false);
    }
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|e| ReportError::Io {
            path: p.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
        })
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(io(b)(e)),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> Result<bool, ReportError> {
    Ok(false)
}

/// fsyncs every file and folder under `dir`, `dir` included.
fn sync_tree(dir: &Path) -> Result<(), ReportError> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io(&path))?;
        }
    }
    sync_dir(dir)
}

/// fsyncs a folder (its entries), where the system can.
fn sync_dir(dir: &Path) -> Result<(), ReportError> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `dir/name` through a buffer with `write`, for files too large to build in memory.
pub fn write_streamed(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), ReportError> {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).map_err(io(&path))?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(io(&path))
}

/// Writes `bytes` to `dir/name`.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(io(&path))
}

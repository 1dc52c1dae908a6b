//! The output folder before a run: what coldsim may replace, its lock, and recovery from
//! runs that died while replacing it.
//!
//! coldsim replaces only a folder it wrote itself: every folder written by
//! [`write_atomically`](super::write_atomically) holds the marker file [`MARKER`]. Before
//! simulating, [`prepare`] refuses an `--out` that is a file, a symbolic link, a folder
//! without the marker (a user's folder), a folder holding the scenario, the parts of a merge
//! or the current folder, and a folder with a filesystem mounted inside it; checks the name
//! against the file-name limit; takes a lock beside the folder (so two runs into one `--out`
//! never interleave); and, holding it, puts back a report a killed run left aside and removes
//! the temporary siblings of dead runs.

use super::folder::{OLD_TAG, POINTS_TAG, TMP_TAG};
use std::fs::{File, OpenOptions};
use std::path::{Component, Path, PathBuf};

/// The file that marks a folder as a coldsim output (its presence is what counts).
pub const MARKER: &str = ".coldsim-output";

/// The marker's content.
pub const MARKER_TEXT: &[u8] =
    b"coldsim wrote this folder; a later run with --out here replaces it whole\n";

/// The longest file name most filesystems accept (bytes).
pub const NAME_MAX: usize = 255;

/// What coldsim adds to an output folder's name for its siblings: `.` + name +
/// `.points-` + a process id (at most 10 digits).
const SIBLING_EXTRA: usize = 1 + 8 + 10;

/// The output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutError {
    /// coldsim will not replace it.
    #[error("output folder {}: {why}; {hint}", path.display())]
    Refused {
        /// The output folder.
        path: PathBuf,
        /// Why it is refused (e.g. it holds files coldsim did not write).
        why: String,
        /// What to do instead.
        hint: String,
    },
    /// Another coldsim holds the lock.
    #[error("output folder {}: another coldsim run is writing into it (lock {}); wait for it to finish or choose another folder", path.display(), lock.display())]
    Busy {
        /// The output folder.
        path: PathBuf,
        /// The lock file held by the other run.
        lock: PathBuf,
    },
    /// Its parent cannot be written.
    #[error("output folder {}: cannot write into {} (choose a folder you can write to)", path.display(), parent.display())]
    Unwritable {
        /// The output folder.
        path: PathBuf,
        /// Its parent folder, which cannot be written.
        parent: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The lock on an output folder, held until dropped (the lock file is then removed).
#[derive(Debug)]
pub struct OutLock {
    path: PathBuf,
    file: File,
}

impl Drop for OutLock {
    fn drop(&mut self) {
        // Removed while still locked: a run waiting on this file finds it gone and retries.
        let _ = std::fs::remove_file(&self.path);
        unlock(&self.file);
    }
}

/// The parent folder and the file name of `out` (`.` for a bare name).
pub fn split(out: &Path) -> (PathBuf, String) {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (parent, name)
}

/// Checks `out` before a run and locks it. `protect` lists paths the run reads (the
/// scenario, a merge's parts): `out` must not be one of them or hold one; the current folder
/// is always protected.
pub fn prepare(out: &Path, protect: &[&Path]) -> Result<OutLock, OutError> {
    let suggest = |why: String| {
        // A subfolder of a folder; beside a file or a link.
        let is_dir = std::fs::symlink_metadata(out).is_ok_and(|m| m.is_dir());
        let base = if is_dir && matches!(out.components().next_back(), Some(Component::Normal(_))) {
            out.to_path_buf()
        } else {
            split(out).0
        };
        let base = if base == Path::new(".") {
            PathBuf::new()
        } else {
            base
        };
        OutError::Refused {
            path: out.to_owned(),
            why,
            hint: format!(
                "coldsim replaces only a folder it wrote itself: choose a new subfolder, e.g. --out {}",
                base.join("coldsim-out").display()
            ),
        }
    };
    match out.components().next_back() {
        Some(Component::Normal(_)) => {}
        Some(Component::CurDir) => return Err(suggest("`.` is the current folder".into())),
        Some(Component::ParentDir) => {
            return Err(suggest("`..` is a folder above this one".into()))
        }
        _ => return Err(suggest("it is not a folder name".into())),
    }
    let (parent, name) = split(out);
    if name.len() + SIBLING_EXTRA > NAME_MAX {
        return Err(OutError::Refused {
            path: out.to_owned(),
            why: format!(
                "its name is {} bytes, and with the {SIBLING_EXTRA} bytes coldsim adds for its \
                 temporary sibling it exceeds the file-name limit of {NAME_MAX} bytes",
                name.len()
            ),
            hint: "choose a shorter name".into(),
        });
    }
    let meta = std::fs::symlink_metadata(out);
    if let Ok(meta) = &meta {
        if meta.file_type().is_symlink() {
            return Err(suggest(
                "it is a symbolic link (replacing it would lose the link)".into(),
            ));
        }
        if !meta.is_dir() {
            return Err(suggest("it is a file, not a folder".into()));
        }
        check_folder(out, protect).map_err(suggest)?;
    }
    std::fs::create_dir_all(&parent).map_err(|source| OutError::Unwritable {
        path: out.to_owned(),
        parent: parent.clone(),
        source,
    })?;
    let lock = lock(out, &parent, &name)?;
    recover(out, &parent, &name);
    Ok(lock)
}

/// Why the existing folder `out` must not be replaced, if it must not.
fn check_folder(out: &Path, protect: &[&Path]) -> Result<(), String> {
    let canonical = std::fs::canonicalize(out).map_err(|e| format!("cannot resolve it: {e}"))?;
    if let Ok(cwd) = std::env::current_dir() {
        if cwd.starts_with(&canonical) {
            return Err("it is the current folder or a folder above it".into());
        }
    }
    for p in protect {
        if let Ok(p) = std::fs::canonicalize(p) {
            if p.starts_with(&canonical) {
                return Err(format!("it holds {}, which this run reads", p.display()));
            }
        }
    }
    if let Some(mount) = mount_inside(&canonical) {
        return Err(format!(
            "a filesystem is mounted at {} inside it",
            mount.display()
        ));
    }
    let marked = std::fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
    let empty = std::fs::read_dir(out)
        .map_err(|e| format!("cannot read it: {e}"))?
        .next()
        .is_none();
    if !marked && !empty {
        return Err(format!(
            "it is a folder coldsim did not write (it has no {MARKER} file)"
        ));
    }
    Ok(())
}

/// A mount point at or below `dir` (canonical), if any.
fn mount_inside(dir: &Path) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    if let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") {
        // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
        for line in text.lines() {
            let Some(field) = line.split(' ').nth(4) else {
                continue;
            };
            let point = PathBuf::from(unescape_mount(field));
            if point.starts_with(dir) {
                return Some(point);
            }
        }
    }
    different_device(dir)
}

#[cfg(target_os = "linux")]
fn unescape_mount(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            if let Ok(b) = u8::from_str_radix(&field[i + 1..i + 4], 8) {
                out.push(b);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A folder at or below `dir` on another device than `dir` (a mount another way finds).
#[cfg(unix)]
fn different_device(dir: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let dev = std::fs::symlink_metadata(dir).ok()?.dev();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                if meta.dev() != dev {
                    return Some(entry.path());
                }
                stack.push(entry.path());
            }
        }
    }
    None
}

#[cfg(not(unix))]
fn different_device(_dir: &Path) -> Option<PathBuf> {
    None
}

/// Takes the lock `.NAME.lock` beside `out`, or says who holds it.
fn lock(out: &Path, parent: &Path, name: &str) -> Result<OutLock, OutError> {
    let path = parent.join(format!(".{name}.lock"));
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| OutError::Unwritable {
                path: out.to_owned(),
                parent: parent.to_owned(),
                source,
            })?;
        if !try_lock(&file) {
            return Err(OutError::Busy {
                path: out.to_owned(),
                lock: path,
            });
        }
        // The holder before us may have removed the file after we opened it: lock the file
        // that is at the path now.
        if same_file(&file, &path) {
            return Ok(OutLock { path, file });
        }
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this function's caller owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(unix)]
fn unlock(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: as in `try_lock`.
    unsafe {
        libc::flock(file.as_raw_fd(), libc::LOCK_UN);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> bool {
    true
}

#[cfg(not(unix))]
fn unlock(_file: &File) {}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Holding the lock: puts back a report that a run killed between its two renames left
/// aside (the portable replacement), and removes every temporary sibling of `out` (their
/// runs are dead: a live one would hold the lock).
fn recover(out: &Path, parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let ours = |file: &str, tag: &str| {
        file.strip_prefix(&format!(".{name}{tag}"))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut stale = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir {
            continue;
        }
        if ours(&file, OLD_TAG)
            && std::fs::symlink_metadata(out).is_err()
            && std::fs::rename(entry.path(), out).is_ok()
        {
            continue;
        }
        if ours(&file, TMP_TAG) || ours(&file, OLD_TAG) || ours(&file, POINTS_TAG) {
            stale.push(entry.path());
        }
    }
    for dir in stale {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_are_unescaped() {
        #[cfg(target_os = "linux")]
        assert_eq!(unescape_mount("/tmp/a\\040b"), "/tmp/a b");
    }
}

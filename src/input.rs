//! Opening the files coldsim reads (scenarios, traces, empirical CSVs, sweep state and run
//! records): only regular files, and never without a bound. A FIFO, a device such as
//! `/dev/zero` or a folder is refused before it is opened (opening a FIFO would block); a
//! whole file read at once has a size limit, and a file read line by line (CSV) a line-length
//! limit. Every refusal is an [`std::io::Error`], so callers' messages name the file as for
//! any other read error.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Most bytes of a file read whole (a scenario, `plan.json`, a run record, a part manifest):
/// 64 MiB, far above any real one (the largest bundled scenario is a few KB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Most bytes of a scenario file: 8 MiB. The largest bundled scenario is a few KB; TOML
/// parsing takes ~40 times a file's size in memory and grows faster than linearly with the
/// length of one array (200 000 inline tables in one list, 7.8 MB: about 5 s and 280 MB).
pub const MAX_SCENARIO_BYTES: u64 = 8 << 20;

/// Most bytes of one line of a CSV file (a trace, an empirical distribution): 1 MiB. The
/// widest real trace row (Azure 2019's 1 440 per-minute counts) is under 10 KB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What `path` is when it is not a regular file, for messages.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` for reading when it is a regular file (symbolic links are followed).
pub fn open(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {}, not a regular file", kind(&meta)),
        ));
    }
    File::open(path)
}

/// Reads the regular file at `path` whole, refusing one above `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, the most coldsim reads of such a file",
                limit >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// [`read_limited`] with [`MAX_FILE_BYTES`].
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    read_limited(path, MAX_FILE_BYTES)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

/// Opens the regular file at `path` for reading line by line: a line longer than
/// [`MAX_LINE_BYTES`] is a read error naming the line.
pub fn open_lines(path: &Path) -> io::Result<LineLimit<File>> {
    Ok(LineLimit::new(open(path)?, MAX_LINE_BYTES))
}

/// A reader that fails once a line (bytes between two `\n`) is longer than its limit.
#[derive(Debug)]
pub struct LineLimit<R> {
    inner: R,
    limit: usize,
    /// Bytes of the current line so far.
    run: usize,
    /// The current line, 1-based.
    line: u64,
}

impl<R> LineLimit<R> {
    /// Wraps `inner`, allowing lines of at most `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        LineLimit {
            inner,
            limit,
            run: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.limit {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "line {} is longer than {} KiB, the most coldsim reads of one line; is this the right file?",
                            self.line,
                            self.limit >> 10
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_refused_with_its_number() {
        let text = b"a,b\n1,2\n".iter().chain([b'x'; 100].iter()).copied();
        let bytes: Vec<u8> = text.collect();
        let mut r = LineLimit::new(&bytes[..], 50);
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).expect_err("line 3 is too long");
        assert!(e.to_string().contains("line 3 is longer"), "{e}");
    }

    #[test]
    fn lines_up_to_the_limit_pass() {
        let bytes = b"12345\n12345\n12345";
        let mut out = Vec::new();
        LineLimit::new(&bytes[..], 5)
            .read_to_end(&mut out)
            .expect("no line above 5 bytes");
        assert_eq!(out, bytes);
    }

    #[test]
    fn special_files_are_refused_before_opening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let e = open(dir.path()).expect_err("a folder");
        assert!(e.to_string().contains("a folder"), "{e}");
        #[cfg(unix)]
        {
            let e = open(Path::new("/dev/zero")).expect_err("a device");
            assert!(e.to_string().contains("a device"), "{e}");
        }
    }

    #[test]
    fn a_file_above_the_limit_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'a'; 2 << 20]).expect("write");
        let e = read_limited(&p, 1 << 20).expect_err("too big");
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
        assert_eq!(read_limited(&p, 2 << 20).expect("fits").len(), 2 << 20);
    }
}

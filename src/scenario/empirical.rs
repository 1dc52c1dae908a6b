//! Reads the values of an empirical distribution from one column of a CSV file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

/// What identifies a column read: the file (and its size and modification time, so an
/// edited file is read again), the column and the unit scale applied.
type Key = (
    PathBuf,
    Option<String>,
    u64,
    u64,
    Option<std::time::SystemTime>,
);

/// Columns read and still in use somewhere (a sweep's points), shared instead of copied.
static SHARED: Mutex<Vec<(Key, Weak<[f64]>)>> = Mutex::new(Vec::new());

/// [`read_column`] with each value times `scale`, shared: while one copy of the same
/// column of the same unchanged file is alive (another sweep point holds it), that copy is
/// returned instead of reading the file again.
pub fn shared_column(path: &Path, column: Option<&str>, scale: f64) -> Result<Arc<[f64]>, String> {
    let meta = std::fs::metadata(path).ok();
    let key: Key = (
        path.to_owned(),
        column.map(str::to_owned),
        scale.to_bits(),
        meta.as_ref().map_or(0, std::fs::Metadata::len),
        meta.and_then(|m| m.modified().ok()),
    );
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    shared.retain(|(_, w)| w.strong_count() > 0);
    if let Some(values) = shared
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, w)| w.upgrade())
    {
        return Ok(values);
    }
    let values: Arc<[f64]> = read_column(path, column)?
        .into_iter()
        .map(|v| v * scale)
        .collect();
    shared.push((key, Arc::downgrade(&values)));
    Ok(values)
}

/// The finite numbers of `column` (by header name; the first column when `None`).
/// Errors name the file, the line and what is wrong.
pub fn read_column(path: &Path, column: Option<&str>) -> Result<Vec<f64>, String> {
    let shown = path.display();
    let file = crate::input::open_lines(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| format!("{shown}: {e}"))?
        .clone();
    let idx = match column {
        None => 0,
        Some(name) => headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                format!(
                    "{shown} has no column `{name}`; its columns are: {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })?,
    };
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{shown}: line {line}: {e}"))?;
        let Some(cell) = rec.get(idx) else {
            return Err(format!(
                "{shown}: line {line}: the row has no column {}",
                idx + 1
            ));
        };
        let cell = cell.trim();
        if cell.is_empty() || cell.eq_ignore_ascii_case("nan") {
            continue;
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => out.push(v),
            _ => {
                return Err(format!(
                    "{shown}: line {line}: `{cell}` is not a number ≥ 0"
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(format!("{shown}: the column holds no values"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_in_use_is_shared_and_an_edited_file_read_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("v.csv");
        std::fs::write(&p, "ms\n1\n2\n3\n").expect("write");
        let a = shared_column(&p, None, 1e6).expect("readable");
        let b = shared_column(&p, None, 1e6).expect("readable");
        assert!(Arc::ptr_eq(&a, &b), "the second read is the first copy");
        assert_eq!(&a[..], &[1e6, 2e6, 3e6]);
        let other_scale = shared_column(&p, None, 1.0).expect("readable");
        assert_eq!(&other_scale[..], &[1.0, 2.0, 3.0]);
        std::fs::write(&p, "ms\n1\n2\n3\n4\n").expect("write");
        let c = shared_column(&p, None, 1e6).expect("readable");
        assert_eq!(c.len(), 4, "the edited file (another size) is read again");
    }
}

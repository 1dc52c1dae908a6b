//! Reads the values of an empirical distribution from one column of a CSV file.

use std::path::Path;

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

//! Scenario files: raw serde types, validation into trusted types, distributions.
//!
//! `load` reads a file, applies `--set` overrides, parses strictly and validates, reporting
//! every problem at once with its field path and line.

pub mod dist;
mod empirical;
mod error;
mod locate;
pub mod model;
pub mod quantity;
pub mod raw;
mod validate;

pub use error::{Problem, ScenarioError};
pub use model::{Function, KeepAlive, Platform, Scenario};

use std::path::{Path, PathBuf};

/// The built-in quickstart scenario (the text of `scenarios/quickstart.toml`).
pub const QUICKSTART: &str = include_str!("../../scenarios/quickstart.toml");

/// A scenario as loaded: the validated model and the text it came from (after overrides).
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The scenario text, with overrides applied, for the report.
    pub text: String,
    /// Where it came from (`<built-in quickstart>` for the embedded one).
    pub origin: PathBuf,
}

/// Reads and validates the scenario at `path`, applying `overrides` (`path=value`).
pub fn load(path: &Path, overrides: &[String]) -> Result<Loaded, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ScenarioError::NotUtf8 {
        path: path.to_owned(),
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, path, &stem, &base, overrides)
}

/// Validates scenario `text` read from `origin`.
pub fn parse(
    text: &str,
    origin: &Path,
    name_default: &str,
    base_dir: &Path,
    overrides: &[String],
) -> Result<Loaded, ScenarioError> {
    let merged = apply_overrides(text, origin, overrides)?;
    let raw: raw::RawScenario =
        toml::from_str(&merged).map_err(|e| blame(text, origin, overrides, &e))?;
    let scenario = validate::validate(raw, name_default, base_dir).map_err(|mut problems| {
        for p in &mut problems {
            let overridden = overrides.iter().any(|o| {
                o.split_once('=')
                    .is_some_and(|(path, _)| path.trim() == p.field)
            });
            if overridden {
                p.field = format!("{} (from --set)", p.field);
            } else {
                // Lines of the user's file, not of the merged text.
                p.line = locate::line_of(text, &p.field);
            }
        }
        ScenarioError::Invalid {
            path: origin.to_owned(),
            problems,
        }
    })?;
    Ok(Loaded {
        scenario,
        text: merged,
        origin: origin.to_owned(),
    })
}

/// A parse error of the merged text: the file's own fault if the file alone fails to parse,
/// else the first override that breaks it.
fn blame(text: &str, origin: &Path, overrides: &[String], e: &toml::de::Error) -> ScenarioError {
    if !overrides.is_empty() {
        match toml::from_str::<raw::RawScenario>(text) {
            Err(own) => return parse_error(text, origin, &own),
            Ok(_) => {
                for k in 1..=overrides.len() {
                    let partial = apply_overrides(text, origin, &overrides[..k]);
                    if let Ok(Err(err)) = partial.map(|t| toml::from_str::<raw::RawScenario>(&t)) {
                        return ScenarioError::Override {
                            arg: overrides[k - 1].clone(),
                            message: err.message().trim_end().to_owned(),
                        };
                    }
                }
            }
        }
    }
    parse_error(text, origin, e)
}

fn parse_error(text: &str, origin: &Path, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = e.span().map_or((0, 0), |s| line_column(text, s.start));
    ScenarioError::Parse {
        path: origin.to_owned(),
        line,
        column,
        message: e.message().trim_end().to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Applies each `path=value`. A value that is not valid TOML is taken as a string, so
/// `platform.keep_alive.idle=5m` works without quotes.
fn apply_overrides(
    text: &str,
    origin: &Path,
    overrides: &[String],
) -> Result<String, ScenarioError> {
    if overrides.is_empty() {
        return Ok(text.to_owned());
    }
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let (line, column) = e.span().map_or((0, 0), |s| line_column(text, s.start));
        ScenarioError::Parse {
            path: origin.to_owned(),
            line,
            column,
            message: e.message().to_owned(),
        }
    })?;
    for arg in overrides {
        let Some((path, value)) = arg.split_once('=') else {
            return Err(ScenarioError::Override {
                arg: arg.clone(),
                message: "expected path=value, e.g. --set duration=2h".into(),
            });
        };
        let (path, value) = (path.trim(), value.trim());
        let value: toml_edit::Value = value
            .parse()
            .unwrap_or_else(|_| toml_edit::Value::from(value));
        locate::set(&mut doc, path, value).map_err(|message| ScenarioError::Override {
            arg: arg.clone(),
            message,
        })?;
    }
    Ok(doc.to_string())
}

/// The JSON Schema of scenario files, for editor completion.
pub fn schema() -> String {
    let schema = schemars::schema_for!(raw::RawScenario);
    serde_json::to_string_pretty(&schema).expect("a schema always serializes")
}

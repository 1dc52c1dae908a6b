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
mod schema;
mod sweep_table;
mod validate;

pub use error::{Problem, ScenarioError};
pub use model::{Function, KeepAlive, Platform, Scenario};
pub use schema::{schema, schema_json};
pub use sweep_table::{SweepTable, MAX_REPLICATIONS};

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
    let text = read_text(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(
        &text,
        &ParseOptions::default()
            .origin(path)
            .name_default(&stem)
            .base_dir(&base)
            .overrides(overrides),
    )
}

/// Reads the scenario file at `path` as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes =
        crate::input::read_limited(path, crate::input::MAX_SCENARIO_BYTES).map_err(|source| {
            ScenarioError::Read {
                path: path.to_owned(),
                source,
            }
        })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ScenarioError::NotUtf8 {
            path: path.to_owned(),
            line: good.iter().filter(|&&b| b == b'\n').count() + 1,
        }
    })
}

impl Scenario {
    /// A scenario from TOML `text`, with the defaults `coldsim run` applies to a file (every
    /// key the text leaves out takes its documented default; see `coldsim schema`). The name
    /// defaults to `scenario`; relative trace paths resolve against the current directory.
    ///
    /// ```
    /// use coldsim::scenario::Scenario;
    ///
    /// let s = Scenario::from_toml_str(
    ///     r#"
    ///     duration = "2h"
    ///     [[functions]]
    ///     name = "api"
    ///     runtime = "python3.12"
    ///     execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
    ///     arrivals = { process = "poisson", rate = 1.0 }
    ///     "#,
    /// )?;
    /// assert_eq!(s.functions.len(), 1);
    /// // AWS's measured keep-alive, as in a file that leaves `platform.keep_alive` out:
    /// assert!(matches!(
    ///     s.platform.keep_alive,
    ///     coldsim::scenario::KeepAlive::Fixed { idle } if idle.as_secs_f64() == 600.0
    /// ));
    /// # Ok::<(), coldsim::scenario::ScenarioError>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        parse(text, &ParseOptions::default()).map(|l| l.scenario)
    }
}

/// How [`parse`] reads a scenario's text: where it came from, its name when it has none, where
/// its relative paths point and `--set` overrides. [`Default`] is text typed in code: origin
/// `<text>`, name `scenario`, paths relative to the working folder, no overrides.
///
/// ```
/// use coldsim::scenario::{parse, ParseOptions};
/// use std::path::Path;
///
/// let text = r#"
///     duration = "1h"
///     [[functions]]
///     name = "api"
///     runtime = "python3.12"
///     execution = { dist = "constant", value = "50ms" }
///     arrivals = { process = "poisson", rate = 2.0 }
/// "#;
/// let overrides = ["functions.api.memory_mb=512".to_owned()];
/// let loaded = parse(
///     text,
///     &ParseOptions::default()
///         .origin(Path::new("scenarios/api.toml"))
///         .name_default("api")
///         .base_dir(Path::new("scenarios"))
///         .overrides(&overrides),
/// )?;
/// assert_eq!(loaded.scenario.name, "api");
/// assert_eq!(loaded.scenario.functions[0].memory_mb, 512);
/// // Errors name the origin.
/// let bad = parse("duration = 3", &ParseOptions::default().origin(Path::new("bad.toml")));
/// assert!(bad.unwrap_err().to_string().contains("bad.toml"));
/// # Ok::<(), coldsim::scenario::ScenarioError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions<'a> {
    /// The path errors name and [`Loaded::origin`] keeps (default `<text>`).
    pub origin: &'a Path,
    /// The scenario's name when the text sets none (default `scenario`; `coldsim run` gives
    /// the file's stem).
    pub name_default: &'a str,
    /// The folder relative trace and data paths resolve against (default `.`; the file's
    /// folder for a file).
    pub base_dir: &'a Path,
    /// `path=value` settings applied over the text first, as `--set` gives them (default none).
    pub overrides: &'a [String],
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        ParseOptions {
            origin: Path::new("<text>"),
            name_default: "scenario",
            base_dir: Path::new("."),
            overrides: &[],
        }
    }
}

impl<'a> ParseOptions<'a> {
    /// Sets [`ParseOptions::origin`].
    pub fn origin(mut self, origin: &'a Path) -> Self {
        self.origin = origin;
        self
    }

    /// Sets [`ParseOptions::name_default`].
    pub fn name_default(mut self, name: &'a str) -> Self {
        self.name_default = name;
        self
    }

    /// Sets [`ParseOptions::base_dir`].
    pub fn base_dir(mut self, dir: &'a Path) -> Self {
        self.base_dir = dir;
        self
    }

    /// Sets [`ParseOptions::overrides`].
    pub fn overrides(mut self, overrides: &'a [String]) -> Self {
        self.overrides = overrides;
        self
    }
}

/// Validates scenario `text` as `options` say (see [`ParseOptions`]): applies the overrides,
/// reads the TOML and checks every field, reporting every problem at once.
pub fn parse(text: &str, options: &ParseOptions) -> Result<Loaded, ScenarioError> {
    let ParseOptions {
        origin,
        name_default,
        base_dir,
        overrides,
    } = *options;
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
                            path: origin.to_owned(),
                            arg: overrides[k - 1].clone(),
                            message: readable(err.message().trim_end()),
                        };
                    }
                }
            }
        }
    }
    parse_error(text, origin, e)
}

fn parse_error(text: &str, origin: &Path, e: &toml::de::Error) -> ScenarioError {
    let span = e.span();
    let (line, column) = span.clone().map_or((0, 0), |s| line_column(text, s.start));
    let syntax = toml_edit::ImDocument::parse(text.to_owned()).is_err();
    let mut message = readable(e.message().trim_end());
    if syntax {
        message.push_str(
            "; this is not valid TOML: text values need quotes (duration = \"1h\"), tables are [platform], each function is a [[functions]] table",
        );
    }
    // An empty span at the start, or one over the whole text, means a root field is
    // missing: it names no field.
    let field = span
        .filter(|s| !(s.start == 0 && (s.end == 0 || s.end >= text.trim_end().len())))
        .and_then(|s| locate::path_at(text, s.start));
    if field.as_deref() == Some("sweep") && message.starts_with("unknown field `sweep`") {
        message = "this file is a sweep ([sweep] is read by `coldsim run` and `coldsim check`); this command takes a single scenario: remove the [sweep] table, or use a copy without it".into();
    }
    let parse = |message: String| ScenarioError::Parse {
        path: origin.to_owned(),
        line,
        column,
        message: match &field {
            Some(f) => format!("{f}: {message}"),
            None => message,
        },
    };
    if syntax {
        return parse(message);
    }
    // The parser stops at its first problem; the schema finds the others (unknown keys,
    // wrong types) of a file that is TOML, so one round of fixes is enough.
    let mut problems = schema::problems(text);
    let covering = problems
        .iter()
        .position(|p| same_problem(p, field.as_deref(), line, &message));
    match covering {
        // One problem: the parser's own words, with the column.
        Some(_) if problems.len() == 1 => return parse(message),
        None if problems.is_empty() => return parse(message),
        // The parser's words where it has some (its custom messages say more).
        Some(i) => problems[i].message = message,
        None => {
            problems.push(Problem {
                field: field.clone().unwrap_or_else(|| "(top level)".into()),
                line: Some(line),
                message,
            });
            problems.sort_by_key(|p| p.line);
        }
    }
    ScenarioError::Invalid {
        path: origin.to_owned(),
        problems,
    }
}

/// True when the schema's `problem` is the parser's (`field` at `line`, `message`): at the
/// same field and line, or the same kind of problem at the same line, or one naming the same
/// key (`unknown field `rat``) on the same path (the parser places a missing key at its
/// table, the schema at the key).
fn same_problem(problem: &Problem, field: Option<&str>, line: usize, message: &str) -> bool {
    let head = |m: &str| m.split([',', ':']).next().unwrap_or_default().to_owned();
    let field = field.unwrap_or_default();
    let same_line = problem.line == Some(line);
    let same_head = head(&problem.message) == head(message);
    let overlap = problem.field.starts_with(field) || field.starts_with(problem.field.as_str());
    (same_line && (problem.field == field || same_head))
        || (same_head && head(message).contains('`') && overlap)
}

/// Rewrites the parser's wording for users: Rust type names become what to write, a missing
/// field gets a pointer to the schema.
fn readable(message: &str) -> String {
    let mut m = message
        .replace(
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        )
        .replace("expected u64", "expected a whole number ≥ 0")
        .replace("expected f64", "expected a number, e.g. 2.5")
        .replace("expected a boolean", "expected true or false")
        .replace(
            "expected a sequence",
            "expected a list [...] (each function is a [[functions]] table, with double brackets)",
        );
    if m.starts_with("missing field") {
        m.push_str(": add it (`coldsim schema` lists every field; scenarios/quickstart.toml shows them in use)");
    }
    m
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The scenario `text` (overrides already applied) as it ran with `name` and `seed`: the same
/// text, with `seed` (`--seed`, or a sweep point's replication seed) and `name` (taken from
/// the file name when the text has none) written in where the text says otherwise, so the
/// `scenario.toml` of a report reruns to the same results. A seed above `i64::MAX`, which
/// TOML cannot hold, is left out.
pub fn text_as_run(text: &str, name: &str, seed: u64) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text.to_owned();
    };
    let mut changed = false;
    if doc.get("name").and_then(|n| n.as_str()) != Some(name) {
        doc["name"] = toml_edit::value(name);
        changed = true;
    }
    let written = doc.get("seed").and_then(|s| s.as_integer()).unwrap_or(1);
    if let Ok(seed) = i64::try_from(seed) {
        if written != seed {
            doc["seed"] = toml_edit::value(seed);
            changed = true;
        }
    }
    if changed {
        doc.to_string()
    } else {
        text.to_owned()
    }
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
                path: origin.to_owned(),
                arg: arg.clone(),
                message: "expected path=value, e.g. --set duration=2h".into(),
            });
        };
        let (path, value) = (path.trim(), value.trim());
        if path == "sweep" || path.starts_with("sweep.") {
            return Err(ScenarioError::Override {
                path: origin.to_owned(),
                arg: arg.clone(),
                message: "sets a key of [sweep], which `coldsim run` and `coldsim check` read; this command takes a single scenario".into(),
            });
        }
        let value: toml_edit::Value = value
            .parse()
            .unwrap_or_else(|_| toml_edit::Value::from(value));
        locate::set(&mut doc, path, value).map_err(|message| ScenarioError::Override {
            path: origin.to_owned(),
            arg: arg.clone(),
            message,
        })?;
    }
    Ok(doc.to_string())
}

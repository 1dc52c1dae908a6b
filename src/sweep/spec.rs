//! The `[sweep]` table: read from the scenario text and removed from it before the scenario
//! is parsed, so the scenario's serde types never see it (`coldsim schema` describes it with
//! [`SweepTable`]).
//!
//! ```toml
//! [sweep]
//! replications = 10                      # runs per point [1]
//! mode = "grid"                          # grid (Cartesian product) | zip (pairs) [grid]
//! labels = ["none", "some", "many"]        # zip only: a name per point [path=value]
//! "platform.keep_alive.idle" = ["1m", "5m", "10m"]
//! "functions.api.provisioned_concurrency" = [0, 5, 10]
//! ```
//!
//! Every other key is a scenario path (the `--set` form) with a list of values. Unquoted
//! dotted keys (`platform.keep_alive.idle = [...]`) mean the same path. `--set sweep.<key>=…`
//! sets a key of the table like any other `--set` path (and makes a table if the file has
//! none): `sweep.replications=2`, `sweep.mode=zip`, `'sweep.platform.keep_alive.idle=["1m", "5m"]'`.

use super::SweepError;
use crate::scenario::ScenarioError;
pub use crate::scenario::{SweepTable, MAX_REPLICATIONS};
use std::path::Path;
use toml_edit::{ImDocument, Item, Value};

/// Where a `[sweep]` key was given: a line of the file or a `--set sweep.…` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// 1-based line of the key (or of the `[sweep]` header) in the file.
    Line(usize),
    /// The `--set` argument, e.g. `sweep.replications=2`.
    Set(String),
}

impl Source {
    /// The line in the file, if the key is written there.
    pub fn line(&self) -> Option<usize> {
        match self {
            Source::Line(l) => Some(*l),
            Source::Set(_) => None,
        }
    }

    /// An error about `key` (quoted as the messages quote it): at its line of the file, or
    /// naming the `--set` argument.
    pub fn error(&self, origin: &Path, key: &str, message: String) -> SweepError {
        match self {
            Source::Line(line) => SweepError::Spec {
                path: origin.to_owned(),
                line: *line,
                key: key.to_owned(),
                message,
            },
            Source::Set(arg) => SweepError::Scenario(ScenarioError::Override {
                path: origin.to_owned(),
                arg: arg.clone(),
                message: format!("[sweep] {key}: {message}"),
            }),
        }
    }

    /// How a problem of a value from here marks its field: ` (from [sweep])` or
    /// ` (from --set sweep.…)`.
    pub fn mark(&self) -> String {
        match self {
            Source::Line(_) => " (from [sweep])".to_owned(),
            Source::Set(arg) => {
                let path = arg.split_once('=').map_or(arg.as_str(), |(p, _)| p).trim();
                format!(" (from --set {path})")
            }
        }
    }
}

/// How the lists of values combine into points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every combination; the first key varies slowest, the last fastest.
    Grid,
    /// The i-th values of every list form point i; the lists have the same length.
    Zip,
}

/// One value of a swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamValue {
    /// The value as TOML text, as `--set` takes it (`"5m"`, `10`, `{ dist = ... }`).
    pub toml: String,
    /// The value for people: strings without quotes (`5m`), others as TOML.
    pub label: String,
}

/// A swept scenario path and its values, in the order written.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Scenario path, e.g. `platform.keep_alive.idle`.
    pub path: String,
    /// Its key's line in the file, or the `--set sweep.<path>=[...]` that gave it.
    pub source: Source,
    /// The values, in the order written.
    pub values: Vec<ParamValue>,
}

/// The parsed `[sweep]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Runs per point (at least 1).
    pub replications: u32,
    /// How the lists combine.
    pub mode: Mode,
    /// The swept parameters in the order written (none: replications of the scenario as is).
    pub params: Vec<Param>,
    /// The `[sweep]` header's (or key's) line, or the first `--set sweep.…` when the file
    /// has no `[sweep]`.
    pub source: Source,
    /// `labels = [...]`: a name per point (zip mode), replacing the `path=value` labels.
    pub labels: Option<Vec<String>>,
}

/// True when the `--set path=value` argument `arg` sets a key of `[sweep]` (`sweep.…`).
pub fn is_sweep_override(arg: &str) -> bool {
    let path = arg.split_once('=').map_or(arg, |(p, _)| p).trim();
    path == "sweep" || path.starts_with("sweep.")
}

/// Splits `text` into the scenario without its `[sweep]` table and the parsed table, or
/// `None` if the text has no `[sweep]` and `overrides` sets none of its keys (or the text is
/// not TOML: the scenario parser reports that). The `[sweep]` lines are emptied rather than
/// removed, so line numbers stay those of the file. Of `overrides`, the `sweep.<key>=value`
/// ones ([`is_sweep_override`]) are applied to the table, after the file's keys; the others
/// are the scenario's and left to the caller.
pub fn extract(
    text: &str,
    origin: &Path,
    overrides: &[String],
) -> Result<Option<(String, Spec)>, SweepError> {
    let set: Vec<&String> = overrides.iter().filter(|a| is_sweep_override(a)).collect();
    let Ok(doc) = ImDocument::parse(text.to_owned()) else {
        return Ok(None);
    };
    let (rest, mut spec) = match doc.as_table().get_key_value("sweep") {
        Some((key, item)) => {
            let header_span = match item {
                Item::Table(t) => t.span(),
                _ => None,
            };
            let start = header_span
                .as_ref()
                .map(|s| s.start)
                .or_else(|| key.span().map(|s| s.start))
                .unwrap_or(0);
            let line = line_at(text, start);
            let spec = parse_spec(item, text, origin, line)?;
            (without_sweep(text, item, key.span()), spec)
        }
        None => match set.first() {
            None => return Ok(None),
            Some(first) => (
                text.to_owned(),
                Spec {
                    replications: 1,
                    mode: Mode::Grid,
                    params: Vec::new(),
                    source: Source::Set((*first).clone()),
                    labels: None,
                },
            ),
        },
    };
    let mut set_keys = Vec::new();
    for arg in set {
        let key = apply_override(&mut spec, arg, origin)?;
        set_keys.push((key, Source::Set(arg.clone())));
    }
    check(&spec, origin, &set_keys)?;
    Ok(Some((rest, spec)))
}

fn parse_spec(item: &Item, text: &str, origin: &Path, line: usize) -> Result<Spec, SweepError> {
    let Some(table) = item.as_table_like() else {
        return Err(Source::Line(line).error(
            origin,
            "sweep",
            "expected a table: write `[sweep]` followed by `\"path\" = [values]` lines".into(),
        ));
    };
    let mut spec = Spec {
        replications: 1,
        mode: Mode::Grid,
        params: Vec::new(),
        source: Source::Line(line),
        labels: None,
    };
    for (key, item) in table.iter() {
        let key_line = table
            .get_key_value(key)
            .and_then(|(k, _)| k.span())
            .map_or(line, |s| line_at(text, s.start));
        if !read_setting(&mut spec, key, item, &Source::Line(key_line), origin)? {
            collect_params(key, item, key_line, text, origin, &mut spec.params)?;
        }
    }
    for (i, p) in spec.params.iter().enumerate() {
        if spec.params[..i].iter().any(|q| q.path == p.path) {
            return Err(p.source.error(
                origin,
                &quoted(&p.path),
                "this path is swept twice; keep one list".into(),
            ));
        }
    }
    Ok(spec)
}

/// Reads `key` into `spec` if it is one of the table's settings (`replications`, `mode`,
/// `labels`): `Ok(true)`; `Ok(false)` for a swept path.
fn read_setting(
    spec: &mut Spec,
    key: &str,
    item: &Item,
    at: &Source,
    origin: &Path,
) -> Result<bool, SweepError> {
    match key {
        "replications" => {
            let n = item
                .as_integer()
                .filter(|n| (1..=MAX_REPLICATIONS).contains(n));
            spec.replications = n.ok_or_else(|| {
                at.error(
                    origin,
                    key,
                    format!(
                        "expected a whole number from 1 to {MAX_REPLICATIONS}, e.g. `replications = 10`"
                    ),
                )
            })? as u32;
        }
        "mode" => {
            spec.mode = match item.as_str() {
                Some("grid") => Mode::Grid,
                Some("zip") => Mode::Zip,
                _ => return Err(at.error(
                    origin,
                    key,
                    "expected \"grid\" (every combination) or \"zip\" (the i-th values of every list together)".into(),
                )),
            }
        }
        "labels" => {
            let labels: Option<Vec<String>> = item
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect());
            let labels = labels.filter(|l| !l.is_empty()).ok_or_else(|| {
                at.error(
                    origin,
                    key,
                    "expected a list of point names, e.g. `labels = [\"baseline\", \"pings\"]`"
                        .into(),
                )
            })?;
            spec.labels = Some(labels);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Applies one `--set sweep.<key>=value`: a setting, or a swept path whose list replaces the
/// file's list of that path (or is added after the file's). Returns the key it set.
fn apply_override(spec: &mut Spec, arg: &str, origin: &Path) -> Result<String, SweepError> {
    let at = Source::Set(arg.to_owned());
    let err = |message: String| {
        SweepError::Scenario(ScenarioError::Override {
            path: origin.to_owned(),
            arg: arg.to_owned(),
            message,
        })
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(err(
            "expected path=value, e.g. --set sweep.replications=10".into()
        ));
    };
    let key = path.trim().strip_prefix("sweep.").unwrap_or("").trim();
    // `sweep."platform.keep_alive.idle"=[...]` as TOML would quote it.
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key);
    if key.is_empty() {
        return Err(err(
            "name a key of [sweep], e.g. --set sweep.replications=10 or --set 'sweep.platform.keep_alive.idle=[\"1m\", \"10m\"]'".into(),
        ));
    }
    let value = value.trim();
    let value: Value = value.parse().unwrap_or_else(|_| Value::from(value));
    let item = Item::Value(value);
    if read_setting(spec, key, &item, &at, origin)? {
        return Ok(key.to_owned());
    }
    let values: Vec<ParamValue> = match item.as_array() {
        Some(a) if !a.is_empty() => a.iter().map(param_value).collect(),
        Some(_) => {
            return Err(err(
                "an empty list: give at least one value, e.g. [\"1m\", \"10m\"]".into(),
            ))
        }
        None => {
            return Err(err(format!(
                "a swept path takes a list of values, e.g. --set 'sweep.{key}=[...]' (or set replications, mode or labels)"
            )))
        }
    };
    let param = Param {
        path: key.to_owned(),
        source: at,
        values,
    };
    match spec.params.iter_mut().find(|p| p.path == key) {
        Some(p) => *p = param,
        None => spec.params.push(param),
    }
    Ok(key.to_owned())
}

/// The checks that involve several keys, once the file's keys and the overrides are in.
/// `set` holds each key `--set sweep.…` gave with its argument: an error about the labels
/// names the `--set` that gave them (or the mode), else the `[sweep]` line.
fn check(spec: &Spec, origin: &Path, set: &[(String, Source)]) -> Result<(), SweepError> {
    let set_by = |key: &str| set.iter().rev().find(|(k, _)| k == key).map(|(_, s)| s);
    if let Some(labels) = &spec.labels {
        let n = spec.params.first().map_or(1, |p| p.values.len());
        if spec.mode != Mode::Zip || labels.len() != n {
            let at = set_by("labels")
                .or_else(|| set_by("mode"))
                .unwrap_or(&spec.source);
            return Err(at.error(
                origin,
                "labels",
                format!("names points one by one: it needs mode = \"zip\" and one label per value ({n}), got {}", labels.len()),
            ));
        }
    }
    if spec.mode == Mode::Zip {
        if let Some(first) = spec.params.first() {
            for p in &spec.params[1..] {
                if p.values.len() != first.values.len() {
                    return Err(p.source.error(
                        origin,
                        &quoted(&p.path),
                        format!(
                            "has {} values but {} has {}; with mode = \"zip\" every list needs the same length",
                            p.values.len(),
                            quoted(&first.path),
                            first.values.len()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Adds the parameter(s) under `path`: a list is one parameter; a table (unquoted dotted
/// keys) holds more, one level down.
fn collect_params(
    path: &str,
    item: &Item,
    line: usize,
    text: &str,
    origin: &Path,
    out: &mut Vec<Param>,
) -> Result<(), SweepError> {
    let err = |message: String| SweepError::Spec {
        path: origin.to_owned(),
        line,
        key: quoted(path),
        message,
    };
    if let Some(array) = item.as_array() {
        if array.is_empty() {
            return Err(err(
                "an empty list: give at least one value, e.g. [\"1m\", \"10m\"]".into(),
            ));
        }
        let values = array.iter().map(param_value).collect();
        out.push(Param {
            path: path.to_owned(),
            source: Source::Line(line),
            values,
        });
        return Ok(());
    }
    if let Some(table) = item.as_table_like() {
        for (k, child) in table.iter() {
            let child_line = table
                .get_key_value(k)
                .and_then(|(key, _)| key.span())
                .map_or(line, |s| line_at(text, s.start));
            collect_params(&format!("{path}.{k}"), child, child_line, text, origin, out)?;
        }
        return Ok(());
    }
    if item.is_array_of_tables() {
        return Err(err(
            "write the values as one list, e.g. \"functions.api.memory_mb\" = [512, 1024]".into(),
        ));
    }
    Err(err(
        "expected a list of values, e.g. \"platform.keep_alive.idle\" = [\"1m\", \"10m\"] (or replications = N, mode = \"grid\" | \"zip\")".into(),
    ))
}

fn param_value(v: &Value) -> ParamValue {
    let bare = v.clone().decorated("", "");
    let toml = single_line(&bare.to_string());
    let label = match (v.as_str(), v.as_inline_table()) {
        (Some(s), _) => s.to_owned(),
        (None, Some(t)) if !t.is_empty() => table_label(t),
        _ => toml.clone(),
    };
    ParamValue { toml, label }
}

/// A short label of an inline table such as a policy, `{ policy = "fixed", idle = "5m" }`:
/// the first value alone (the tag), then `key=value` (strings unquoted): `fixed idle=5m`.
fn table_label(t: &toml_edit::InlineTable) -> String {
    let text = |v: &Value| match v.as_str() {
        Some(s) => s.to_owned(),
        None => single_line(&v.clone().decorated("", "").to_string()),
    };
    t.iter()
        .enumerate()
        .map(|(i, (k, v))| {
            if i == 0 {
                text(v)
            } else {
                format!("{k}={}", text(v))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Inline tables and arrays written over several lines become one line (a `--set` value).
fn single_line(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_owned();
    }
    match s.parse::<Value>() {
        Ok(mut v) => {
            fmt_value(&mut v);
            v.to_string()
        }
        Err(_) => s.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn fmt_value(v: &mut Value) {
    match v {
        Value::Array(a) => {
            for x in a.iter_mut() {
                fmt_value(x);
            }
            a.fmt();
        }
        Value::InlineTable(t) => {
            for (_, x) in t.iter_mut() {
                fmt_value(x);
            }
            t.fmt();
        }
        _ => {}
    }
    v.decor_mut().clear();
}

/// `"path"` — how the error messages quote a swept path.
pub(crate) fn quoted(path: &str) -> String {
    format!("\"{path}\"")
}

/// The text with the `[sweep]` table's lines emptied (their newlines kept).
fn without_sweep(text: &str, item: &Item, key_span: Option<std::ops::Range<usize>>) -> String {
    let mut spans = Vec::new();
    match item {
        Item::Table(t) if !t.is_dotted() => collect_table_spans(t, &mut spans),
        Item::Value(v) => {
            if let (Some(k), Some(v)) = (key_span, v.span()) {
                spans.push(k.start..v.end);
            }
        }
        _ => {}
    }
    if !spans.is_empty() {
        let mut bytes = text.as_bytes().to_vec();
        for s in &spans {
            let start = line_start(text, s.start);
            let end = line_end(text, s.end);
            for b in &mut bytes[start..end] {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        // Only whole lines of ASCII and multi-byte sequences were replaced byte by byte, so
        // the result is UTF-8 only if no multi-byte character was cut: check, and trim lines.
        if let Ok(s) = String::from_utf8(bytes) {
            let blanked: String = s
                .split_inclusive('\n')
                .map(|l| {
                    if l.trim().is_empty() {
                        if l.ends_with("\r\n") {
                            "\r\n"
                        } else if l.ends_with('\n') {
                            "\n"
                        } else {
                            ""
                        }
                    } else {
                        l
                    }
                })
                .collect();
            if has_no_sweep(&blanked) {
                return blanked;
            }
        }
    }
    // Fallback (dotted `sweep.x = ...` keys at the top level): remove it structurally.
    // Lines after the removed keys may shift.
    let mut doc: toml_edit::DocumentMut = text.parse().expect("the text parsed above");
    doc.remove("sweep");
    doc.to_string()
}

fn collect_table_spans(t: &toml_edit::Table, out: &mut Vec<std::ops::Range<usize>>) {
    if let Some(s) = t.span() {
        out.push(s);
    }
    for (_, item) in t.iter() {
        if let Item::Table(child) = item {
            if !child.is_dotted() {
                collect_table_spans(child, out);
            }
        }
    }
}

fn has_no_sweep(text: &str) -> bool {
    ImDocument::parse(text.to_owned()).is_ok_and(|d| !d.as_table().contains_key("sweep"))
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "name = \"t\"\nduration = \"1h\"\n";

    fn spec(text: &str) -> Result<Option<(String, Spec)>, SweepError> {
        extract(text, Path::new("s.toml"), &[])
    }

    #[test]
    fn no_sweep_is_none() {
        assert!(spec(BASE).expect("valid").is_none());
        assert!(spec("not toml [").expect("left to the parser").is_none());
    }

    #[test]
    fn parses_keys_in_order_and_keeps_line_numbers() {
        let text = format!(
            "{BASE}[sweep]\nreplications = 3\n\"platform.keep_alive.idle\" = [\"1m\", \"5m\"]\nfunctions.api.memory_mb = [\n  512, # small\n  1024,\n]\n\n[[functions]]\nname = \"api\"\n"
        );
        let (rest, s) = spec(&text).expect("valid").expect("a sweep");
        assert_eq!(s.replications, 3);
        assert_eq!(s.mode, Mode::Grid);
        assert_eq!(s.source, Source::Line(3));
        let paths: Vec<&str> = s.params.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["platform.keep_alive.idle", "functions.api.memory_mb"]
        );
        assert_eq!(s.params[0].source, Source::Line(5));
        assert_eq!(s.params[1].source, Source::Line(6));
        assert_eq!(s.params[0].values[1].toml, "\"5m\"");
        assert_eq!(s.params[0].values[1].label, "5m");
        let t: Value = r#"{ policy = "fixed", idle = "5m" }"#.parse().expect("TOML");
        assert_eq!(param_value(&t).label, "fixed idle=5m");
        assert_eq!(s.params[1].values[0].toml, "512");
        assert_eq!(rest.lines().count(), text.lines().count());
        assert_eq!(rest.lines().nth(11), Some("name = \"api\""));
        assert!(!rest.contains("sweep") && !rest.contains("1024"));
    }

    #[test]
    fn inline_table_values_become_one_line() {
        let text = format!(
            "{BASE}[sweep]\n\"functions.api.arrivals\" = [\n  {{ process = \"poisson\", rate = 1.0 }},\n  {{ process = \"periodic\", every = \"1m\" }},\n]\n"
        );
        let (_, s) = spec(&text).expect("valid").expect("a sweep");
        assert_eq!(
            s.params[0].values[1].toml,
            "{ process = \"periodic\", every = \"1m\" }"
        );
    }

    #[test]
    fn bad_tables_are_reported_with_their_line() {
        let cases = [
            ("[sweep]\n\"duration\" = []\n", 4, "empty list"),
            ("[sweep]\nreplications = 0\n", 4, "whole number"),
            ("[sweep]\nmode = \"product\"\n", 4, "\"zip\""),
            ("[sweep]\n\"duration\" = \"1h\"\n", 4, "list of values"),
            (
                "[sweep]\nmode = \"zip\"\n\"duration\" = [\"1h\", \"2h\"]\n\"seed\" = [1]\n",
                6,
                "same length",
            ),
            ("[sweep]\n\"seed\" = [1]\nseed = [2]\n", 0, "duplicate"),
        ];
        for (sweep, line, needle) in cases {
            let text = format!("{BASE}{sweep}");
            match spec(&text) {
                Err(SweepError::Spec {
                    line: l, message, ..
                }) => {
                    assert_eq!(l, line, "{sweep}");
                    assert!(message.contains(needle), "{message}");
                }
                // A key written twice is a TOML error: the scenario parser reports it.
                Ok(None) => assert_eq!(line, 0, "{sweep}"),
                other => panic!("{sweep}: {other:?}"),
            }
        }
    }

    #[test]
    fn swept_twice_is_an_error() {
        let text = format!("{BASE}[sweep]\n\"a.b\" = [1]\na.b = [2]\n");
        let e = spec(&text).expect_err("twice");
        assert!(e.to_string().contains("swept twice"), "{e}");
    }

    #[test]
    fn sweep_before_other_tables_and_inline_form() {
        let text = "sweep = { \"seed\" = [1, 2] }\nname = \"t\"\n";
        let (rest, s) = spec(text).expect("valid").expect("a sweep");
        assert_eq!(s.params[0].values.len(), 2);
        assert_eq!(rest, "\nname = \"t\"\n");
    }
}

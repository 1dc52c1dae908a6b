//! The JSON Schema of scenario files (`coldsim schema`, `[sweep]` included), and the check of
//! a file that parses as TOML against it: every unknown key, wrong type, missing key and
//! unknown variant at once, each with its field path and line. The serde pass stops at the
//! first of them; `parse` runs this check only when that pass fails, so a file the serde
//! types accept is never refused here.

use super::error::Problem;
use super::{locate, raw};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value as Json;
use std::sync::OnceLock;

/// The JSON Schema of scenario files: the serde types of `raw.rs` and the `[sweep]` table.
pub fn schema_json() -> Json {
    let mut gen = schemars::gen::SchemaSettings::draft07().into_generator();
    let mut root = gen.root_schema_for::<raw::RawScenario>();
    let sweep = gen.subschema_for::<super::sweep_table::SweepTable>();
    root.schema
        .object()
        .properties
        .insert("sweep".into(), sweep);
    root.definitions.extend(gen.take_definitions());
    serde_json::to_value(&root).expect("a schema always serializes")
}

/// The JSON Schema of scenario files, for editor completion.
pub fn schema() -> String {
    serde_json::to_string_pretty(&schema_json()).expect("a schema always serializes")
}

/// Every unknown key, value of the wrong type, missing key and unknown variant of `text`
/// (a scenario that parses as TOML), in the order of the file. Empty when the text is not
/// TOML or the schema finds nothing (the serde error then speaks alone). Range, pattern and
/// consistency problems are left to validation, which words them better.
pub fn problems(text: &str) -> Vec<Problem> {
    let Ok(value) = toml::from_str::<Json>(text) else {
        return Vec::new();
    };
    // Compiled once: a sweep whose file has a typo checks it at every point.
    static COMPILED: OnceLock<Option<(Json, jsonschema::Validator)>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        let schema = schema_json();
        // The schema is ours and compiles; if it ever did not, the serde error still speaks.
        let validator = jsonschema::validator_for(&schema).ok()?;
        Some((schema, validator))
    });
    let Some((schema, validator)) = compiled else {
        return Vec::new();
    };
    let check = Check {
        text,
        value: &value,
        schema,
    };
    let mut found = Vec::new();
    for e in validator.iter_errors(&value) {
        check.collect(&e, None, &mut found);
    }
    // A missing key next to an unknown key that resembles it is the same typo: the unknown
    // key's message names the expected keys. One unlike any unknown key is reported.
    let unknown: Vec<(String, String)> = found
        .iter()
        .filter_map(|f| match &f.kind {
            Kind::Unknown(k) => Some((f.table.clone(), k.clone())),
            _ => None,
        })
        .collect();
    found.retain(|f| match &f.kind {
        Kind::Missing(name) => !unknown
            .iter()
            .any(|(table, k)| *table == f.table && resembles(k, name)),
        _ => true,
    });
    let mut out: Vec<Problem> = found.into_iter().map(|f| f.problem).collect();
    out.sort_by_key(|p| p.line);
    out.dedup();
    out
}

/// True when the unknown key `typed` is likely a misspelling of `name`: within an edit
/// distance of max(2, a third of its length), or one holding the other (`maximum`, `max`).
fn resembles(typed: &str, name: &str) -> bool {
    crate::runtime::edit_distance(typed, name) <= (name.chars().count() / 3).max(2)
        || typed.contains(name)
        || name.contains(typed)
}

/// A problem and what `problems` needs to know of it.
struct Found {
    /// Field path of the table it is in (or of the value itself, for a type).
    table: String,
    kind: Kind,
    problem: Problem,
}

enum Kind {
    /// A key that is not in the schema.
    Unknown(String),
    /// A required key that is absent.
    Missing(String),
    Other,
}

struct Check<'a> {
    text: &'a str,
    value: &'a Json,
    schema: &'a Json,
}

impl Check<'_> {
    /// Adds the problems of `e`. `tag` is the instance path and key of the tag that chose
    /// the variant `e` belongs to (`process`, `dist`, `policy`): not listed as expected.
    fn collect(&self, e: &ValidationError, tag: Option<(&str, &str)>, out: &mut Vec<Found>) {
        let at = e.instance_path().as_str();
        let field = self.field(at);
        let table = field.clone();
        let mut push = |field: String, kind: Kind, message: String| {
            out.push(Found {
                table: table.clone(),
                kind,
                problem: problem(self.text, field, message),
            });
        };
        match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let skip = tag.filter(|(p, _)| *p == at).map(|(_, k)| k);
                let expected = self.properties(e.schema_path().as_str(), skip);
                for key in unexpected {
                    push(
                        join(&field, key),
                        Kind::Unknown(key.clone()),
                        format!("unknown field `{key}`, expected {}", listed(&expected)),
                    );
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                push(
                    field,
                    Kind::Missing(name.to_owned()),
                    format!("missing field `{name}`: add it (`coldsim schema` lists every field; scenarios/quickstart.toml shows them in use)"),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(t) => vec![*t],
                    TypeKind::Multiple(set) => set.iter().collect(),
                };
                push(field, Kind::Other, invalid_type(e.instance(), &expected));
            }
            ValidationErrorKind::Enum { options } => {
                push(
                    field,
                    Kind::Other,
                    unknown_variant(e.instance(), options.as_array()),
                );
            }
            ValidationErrorKind::Constant { expected_value } => {
                push(
                    field,
                    Kind::Other,
                    unknown_variant(e.instance(), Some(&vec![(**expected_value).clone()])),
                );
            }
            ValidationErrorKind::Minimum { limit } => {
                let limit = limit
                    .as_f64()
                    .map_or_else(|| limit.to_string(), |l| l.to_string());
                push(
                    field,
                    Kind::Other,
                    format!(
                        "invalid value: {}, expected a whole number ≥ {limit}",
                        described(e.instance())
                    ),
                );
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.collect_branches(e, at, &field, context, out);
            }
            // Patterns, formats and ranges: validation reports them in its own words once
            // the file parses.
            _ => {}
        }
    }

    /// A value matching none of the alternatives (an `Option`, a tagged enum, a number or a
    /// table): the problems of the alternative the user meant, when it can be told.
    fn collect_branches(
        &self,
        e: &ValidationError,
        at: &str,
        field: &str,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Vec<Found>,
    ) {
        let mut push = |field: String, message: String| {
            out.push(Found {
                table: field.clone(),
                kind: Kind::Other,
                problem: problem(self.text, field, message),
            });
        };
        // Alternatives of another JSON type (null for an `Option`, a number beside a table).
        let viable: Vec<&Vec<ValidationError>> = context
            .iter()
            .filter(|errors| !mismatched_type(errors, at))
            .collect();
        if viable.is_empty() {
            let mut expected = Vec::new();
            for errors in context {
                expected_types(errors, at, &mut expected);
            }
            push(field.to_owned(), invalid_type(e.instance(), &expected));
            return;
        }
        if let [only] = viable[..] {
            for inner in only {
                self.collect(inner, None, out);
            }
            return;
        }
        // An enumeration whose values are alternatives of their own (for their doc comments).
        let values: Vec<Option<Vec<Json>>> =
            viable.iter().map(|errors| fixed_to(errors, at)).collect();
        if values.iter().all(Option::is_some) {
            let options: Vec<Json> = values.into_iter().flatten().flatten().collect();
            push(
                field.to_owned(),
                unknown_variant(e.instance(), Some(&options)),
            );
            return;
        }
        // A tagged table: the variant whose tag value matches, or none (an unknown variant).
        let Some(tag) = tag_key(&viable, at) else {
            // Cannot tell: the alternative with the fewest problems.
            if let Some(best) = viable.iter().min_by_key(|errors| errors.len()) {
                for inner in best.iter() {
                    self.collect(inner, None, out);
                }
            }
            return;
        };
        let tag_path = format!("{at}/{tag}");
        let chosen: Vec<&&Vec<ValidationError>> = viable
            .iter()
            .filter(|errors| {
                !errors.iter().any(|x| {
                    x.instance_path().as_str() == tag_path
                        || (x.instance_path().as_str() == at
                            && matches!(x.kind(), ValidationErrorKind::Required { property } if property.as_str() == Some(&tag)))
                })
            })
            .collect();
        if let [one] = chosen[..] {
            for inner in one.iter() {
                self.collect(inner, Some((at, &tag)), out);
            }
            return;
        }
        let names = self.variants(e.schema_path().as_str(), &tag);
        let options: Vec<Json> = names.iter().map(|n| Json::from(n.as_str())).collect();
        match self.value.pointer(&tag_path) {
            None => push(
                field.to_owned(),
                format!("missing field `{tag}`, expected {}", listed(&names)),
            ),
            Some(value) => push(join(field, &tag), unknown_variant(value, Some(&options))),
        }
    }

    /// The values the alternatives of the `oneOf`/`anyOf` at `schema_path` give their `tag`
    /// key, in the order of the schema (the serde variants' order).
    fn variants(&self, schema_path: &str, tag: &str) -> Vec<String> {
        self.schema
            .pointer(schema_path)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|branch| {
                let fixed = branch.get("properties")?.get(tag)?;
                let value = fixed.get("const").or_else(|| fixed.get("enum")?.get(0))?;
                value.as_str().map(str::to_owned)
            })
            .collect()
    }

    /// The field path (`functions.api.arrivals`) of a JSON pointer into the file's value:
    /// functions (and other named list entries) by their name, other list entries by index.
    fn field(&self, pointer: &str) -> String {
        let mut node = self.value;
        let mut parts = Vec::new();
        for seg in pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            node = match node {
                Json::Array(items) => {
                    let item = seg.parse::<usize>().ok().and_then(|i| items.get(i));
                    match item.and_then(|i| i.get("name")).and_then(Json::as_str) {
                        Some(name) => parts.push(name.to_owned()),
                        None => parts.push(seg.clone()),
                    }
                    match item {
                        Some(i) => i,
                        None => break,
                    }
                }
                Json::Object(map) => {
                    parts.push(seg.clone());
                    match map.get(&seg) {
                        Some(v) => v,
                        None => break,
                    }
                }
                _ => break,
            };
        }
        parts.join(".")
    }

    /// The keys of the object schema holding the keyword at `schema_path` (its
    /// `additionalProperties`), without `skip` (a tag).
    fn properties(&self, schema_path: &str, skip: Option<&str>) -> Vec<String> {
        let parent = schema_path
            .rsplit_once('/')
            .map_or("", |(parent, _)| parent);
        let props = self
            .schema
            .pointer(parent)
            .and_then(|s| s.get("properties"))
            .and_then(Json::as_object);
        props
            .into_iter()
            .flat_map(|p| p.keys())
            .filter(|k| Some(k.as_str()) != skip)
            .cloned()
            .collect()
    }
}

fn problem(text: &str, field: String, message: String) -> Problem {
    Problem {
        line: locate::line_of(text, &field),
        field: if field.is_empty() {
            "(top level)".into()
        } else {
            field
        },
        message,
    }
}

/// The values an alternative that fixes the value at `at` (`enum`, `const`) allows, if it
/// failed for that alone.
fn fixed_to(errors: &[ValidationError], at: &str) -> Option<Vec<Json>> {
    match errors {
        [e] if e.instance_path().as_str() == at => match e.kind() {
            ValidationErrorKind::Enum { options } => options.as_array().cloned(),
            ValidationErrorKind::Constant { expected_value } => {
                Some(vec![(**expected_value).clone()])
            }
            _ => None,
        },
        _ => None,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// True when every way `errors` could fail at `at` includes a JSON type mismatch there: the
/// alternative is not what the user wrote, whatever its details.
fn mismatched_type(errors: &[ValidationError], at: &str) -> bool {
    errors.iter().any(|e| {
        e.instance_path().as_str() == at
            && match e.kind() {
                ValidationErrorKind::Type { .. } => true,
                ValidationErrorKind::AnyOf { context }
                | ValidationErrorKind::OneOfNotValid { context } => {
                    context.iter().all(|branch| mismatched_type(branch, at))
                }
                _ => false,
            }
    })
}

/// The JSON types the alternatives in `errors` expected at `at`.
fn expected_types(errors: &[ValidationError], at: &str, out: &mut Vec<JsonType>) {
    for e in errors.iter().filter(|e| e.instance_path().as_str() == at) {
        match e.kind() {
            ValidationErrorKind::Type {
                kind: TypeKind::Single(t),
            } => out.push(*t),
            ValidationErrorKind::Type {
                kind: TypeKind::Multiple(set),
            } => out.extend(set.iter()),
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                for branch in context {
                    expected_types(branch, at, out);
                }
            }
            _ => {}
        }
    }
}

/// The key that tells the alternatives apart: one that every alternative but at most one
/// fixes to another value (an `enum` of one string), or requires when it is missing.
fn tag_key(viable: &[&Vec<ValidationError>], at: &str) -> Option<String> {
    let prefix = format!("{at}/");
    let mut counts: Vec<(String, usize)> = Vec::new();
    for errors in viable {
        let mut keys: Vec<String> = Vec::new();
        for e in errors.iter() {
            let key = match e.kind() {
                ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => e
                    .instance_path()
                    .as_str()
                    .strip_prefix(&prefix)
                    .filter(|k| !k.contains('/'))
                    .map(str::to_owned),
                ValidationErrorKind::Required { property } if e.instance_path().as_str() == at => {
                    property.as_str().map(str::to_owned)
                }
                _ => None,
            };
            if let Some(k) = key.filter(|k| !keys.contains(k)) {
                keys.push(k);
            }
        }
        for k in keys {
            match counts.iter_mut().find(|(c, _)| *c == k) {
                Some((_, n)) => *n += 1,
                None => counts.push((k, 1)),
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n + 1 >= viable.len())
        .max_by_key(|(_, n)| *n)
        .map(|(k, _)| k)
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` `` — as serde lists what it expected.
fn listed(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match &q[..] {
        [] => "no keys here".into(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", q.join(", ")),
    }
}

/// A value as the messages show it: `string "abc"`, `integer 5`, `a table`.
fn described(v: &Json) -> String {
    match v {
        Json::Null => "nothing".into(),
        Json::Bool(b) => format!("boolean `{b}`"),
        Json::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Json::Number(n) => format!("integer `{n}`"),
        Json::String(s) => format!("string {s:?}"),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "a table".into(),
    }
}

fn invalid_type(actual: &Json, expected: &[JsonType]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for t in expected {
        let w = match t {
            JsonType::Null => continue,
            JsonType::Boolean => "true or false",
            JsonType::Integer => "a whole number",
            JsonType::Number => "a number, e.g. 2.5",
            JsonType::String => "text in quotes",
            JsonType::Array => "a list [...]",
            JsonType::Object => "a table { ... }",
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let expected = match &words[..] {
        [] => "another type".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    format!("invalid type: {}, expected {expected}", described(actual))
}

fn unknown_variant(actual: &Json, options: Option<&Vec<Json>>) -> String {
    let names: Vec<String> = options
        .into_iter()
        .flatten()
        .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
        .collect();
    match actual.as_str() {
        Some(s) => format!("unknown variant `{s}`, expected {}", listed(&names)),
        None => format!(
            "invalid type: {}, expected {}",
            described(actual),
            listed(&names)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"duration = "1h"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "lognormal", median = "40ms", p99 = "300ms" }
arrivals = { process = "poisson", rate = 2.0 }
"#;

    fn found(text: &str) -> Vec<String> {
        problems(text).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_scenario_has_no_problems() {
        assert!(problems(super::super::QUICKSTART).is_empty());
        assert!(problems(BASE).is_empty());
        assert!(problems("not [ toml").is_empty(), "left to the parser");
    }

    #[test]
    fn each_kind_is_located_by_field_and_line() {
        let text = BASE
            .replace("runtime = ", "memory_mb = -1\nruntime = ")
            .replace("rate = 2.0", "rate = \"fast\"")
            .replace("dist = \"lognormal\"", "dist = \"logn\"")
            + "[platform]\nreuse = \"mur\"\nkeep_alive = { idle = \"5m\" }\n";
        assert_eq!(
            found(&text),
            [
                "line 4, functions.api.memory_mb: invalid value: integer `-1`, expected a whole number ≥ 0",
                "line 6, functions.api.execution.dist: unknown variant `logn`, expected one of `constant`, `uniform`, `exponential`, `normal`, `lognormal`, `gamma`, `weibull`, `pareto`, `empirical`",
                "line 7, functions.api.arrivals.rate: invalid type: string \"fast\", expected a number, e.g. 2.5",
                "line 9, platform.reuse: unknown variant `mur`, expected one of `mru`, `lru`, `random`",
                "line 10, platform.keep_alive: missing field `policy`, expected one of `fixed`, `fixed_once`, `random`, `forever`, `hybrid_histogram`",
            ]
        );
    }

    #[test]
    fn the_variant_named_by_its_tag_is_checked() {
        // `every` is periodic's key: the typo is reported against periodic, not poisson, and
        // the tag is not offered as an expected key.
        let text = BASE.replace(
            "{ process = \"poisson\", rate = 2.0 }",
            "[\n  { process = \"poisson\", rate = 2.0 },\n  { process = \"periodic\", evry = \"1m\" },\n]",
        );
        assert_eq!(
            found(&text),
            ["line 8, functions.api.arrivals.1.evry: unknown field `evry`, expected `every` or `start`"]
        );
    }

    #[test]
    fn a_missing_key_is_kept_unless_a_typo_explains_it() {
        let text = BASE.replace("runtime = \"python3.12\"\n", "");
        assert_eq!(
            found(&text),
            ["line 3, functions.api: missing field `runtime`: add it (`coldsim schema` lists every field; scenarios/quickstart.toml shows them in use)"]
        );
        let text = BASE.replace("runtime = ", "runtme = ");
        assert_eq!(found(&text).len(), 1, "{:?}", found(&text));
    }

    #[test]
    fn the_schema_describes_sweep() {
        let schema = schema_json();
        assert_eq!(schema["properties"]["sweep"]["$ref"], "#/definitions/Sweep");
        let sweep = &schema["definitions"]["Sweep"];
        assert_eq!(sweep["properties"]["replications"]["minimum"], 1.0);
        assert_eq!(
            sweep["properties"]["mode"]["enum"],
            serde_json::json!(["grid", "zip"])
        );
        assert_eq!(
            sweep["additionalProperties"]["$ref"],
            "#/definitions/SweptValues"
        );
    }
}

//! A sweep's points: the grid (or zip) of the `[sweep]` values, each point a validated
//! scenario built by applying its values as `--set` overrides to the file.

use super::spec::{self, quoted, Mode, Param, Source};
use super::{PointFailure, SweepError};
use crate::scenario::{self, Loaded, Problem, ScenarioError};
use std::path::{Path, PathBuf};

/// Most points a sweep may have (a guard against a grid that would never finish).
pub const MAX_POINTS: usize = 100_000;

/// One point of the grid.
#[derive(Clone, Debug)]
pub struct Point {
    /// Position in grid order (0-based); rows of `sweep.csv` follow it.
    pub index: usize,
    /// For each parameter, the index of this point's value.
    pub choice: Vec<usize>,
    /// The point's values for people, e.g. `idle=5m, rate=0.05`.
    pub label: String,
    /// A folder name: `03-idle-5m-rate-0.05`.
    pub slug: String,
    /// The point's overrides (`path=value`), the command line's first.
    pub overrides: Vec<String>,
    /// The validated scenario of this point.
    pub loaded: Loaded,
}

/// A planned sweep: every point validated, nothing run yet.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario file.
    pub origin: PathBuf,
    /// The file's text as written, `[sweep]` included.
    pub text: String,
    /// Scenario name (of the first point): names the output folder.
    pub name: String,
    /// Scenario description (of the first point).
    pub description: String,
    /// Runs per point.
    pub replications: u32,
    /// How the values combine.
    pub mode: Mode,
    /// The swept parameters, in the order written.
    pub params: Vec<Param>,
    /// Each parameter's shortest unambiguous name (`idle` for `platform.keep_alive.idle`).
    pub short_names: Vec<String>,
    /// The points in grid order.
    pub points: Vec<Point>,
    /// The points are named by `labels = [...]` (their `label`), not by their values.
    pub labelled: bool,
    /// The command line's `--set` overrides.
    pub cli_overrides: Vec<String>,
    /// The command line's `--seed`.
    pub cli_seed: Option<u64>,
}

impl Plan {
    /// Points × replications.
    pub fn runs(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// A hash of everything that decides the runs' results (each point's scenario text and
    /// seed, the replications, the coldsim version): resumed state must carry the same one.
    pub fn fingerprint(&self) -> String {
        let mut h = Fnv::default();
        h.write(env!("CARGO_PKG_VERSION").as_bytes());
        h.write(&self.replications.to_le_bytes());
        for p in &self.points {
            h.write(&(p.index as u64).to_le_bytes());
            h.write(&p.loaded.scenario.seed.to_le_bytes());
            h.write(p.loaded.text.as_bytes());
        }
        format!("{:016x}", h.0)
    }

    /// A hash of the scenario text as written (`[sweep]` included).
    pub fn text_hash(&self) -> String {
        text_hash(&self.text)
    }

    /// True when a parameter sets a function's runtime.
    pub fn sweeps_runtime(&self) -> bool {
        self.params.iter().any(|p| p.path.ends_with(".runtime"))
    }
}

/// A hash (FNV-1a, hex) of a scenario text.
pub fn text_hash(text: &str) -> String {
    let mut h = Fnv::default();
    h.write(text.as_bytes());
    format!("{:016x}", h.0)
}

/// FNV-1a, 64 bits: small, stable across Rust versions (unlike `DefaultHasher`).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3) ^ 0xff;
    }
}

/// Reads the scenario at `path` and plans its sweep; `None` if it has no `[sweep]`.
pub fn load(
    path: &Path,
    overrides: &[String],
    seed: Option<u64>,
) -> Result<Option<Plan>, SweepError> {
    let text = crate::scenario::read_text(path)?;
    plan_text_of(&text, path, overrides, seed)
}

/// Plans the sweep of `text` as if read from the file at `path` (whose folder anchors the
/// relative paths inside); `None` if it has no `[sweep]`.
pub fn plan_text_of(
    text: &str,
    path: &Path,
    overrides: &[String],
    seed: Option<u64>,
) -> Result<Option<Plan>, SweepError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    plan(text, path, &stem, &base, overrides, seed)
}

/// Plans the sweep of scenario `text` read from `origin` (see [`scenario::parse`] for the
/// other arguments); `seed` replaces every point's seed. `None` if the text has no `[sweep]`
/// and `overrides` sets none of its keys (`--set sweep.…`, applied to the table; the other
/// overrides apply to every point).
pub fn plan(
    text: &str,
    origin: &Path,
    name_default: &str,
    base_dir: &Path,
    overrides: &[String],
    seed: Option<u64>,
) -> Result<Option<Plan>, SweepError> {
    let Some((base_text, spec)) = spec::extract(text, origin, overrides)? else {
        return Ok(None);
    };
    let cli_overrides = overrides;
    let overrides: Vec<String> = overrides
        .iter()
        .filter(|a| !spec::is_sweep_override(a))
        .cloned()
        .collect();
    for arg in &overrides {
        let path = arg.split_once('=').map_or(arg.as_str(), |(p, _)| p).trim();
        if let Some(p) = spec.params.iter().find(|p| p.path == path) {
            return Err(ScenarioError::Override {
                path: origin.to_owned(),
                arg: arg.clone(),
                message: match &p.source {
                    Source::Line(line) => format!(
                        "this path is swept by [sweep] (line {line}); remove it from the sweep or drop --set"
                    ),
                    Source::Set(by) => format!(
                        "this path is swept by --set {by}; drop one of them"
                    ),
                },
            }
            .into());
        }
    }
    if seed.is_some() {
        if let Some(p) = spec.params.iter().find(|p| p.path == "seed") {
            return Err(p.source.error(
                origin,
                &quoted(&p.path),
                "the seed is swept, so --seed cannot set it; drop one of them".into(),
            ));
        }
    }
    let choices = choices(&spec.params, spec.mode).ok_or_else(|| {
        spec.source.error(
            origin,
            "sweep",
            match spec.mode {
                Mode::Zip => format!(
                    "the zip sweep has more than {MAX_POINTS} points (one per value); sweep fewer values"
                ),
                _ => format!(
                    "the grid has more than {MAX_POINTS} points; sweep fewer values or use mode = \"zip\""
                ),
            },
        )
    })?;
    let short_names = short_names(&spec.params);
    let width = choices.len().saturating_sub(1).to_string().len();
    let mut points = Vec::with_capacity(choices.len());
    let mut failures = Vec::new();
    for (index, choice) in choices.into_iter().enumerate() {
        let mut all = overrides.to_vec();
        let mut label = Vec::new();
        let mut slug = format!("{index:0width$}");
        for ((p, short), &v) in spec.params.iter().zip(&short_names).zip(&choice) {
            let value = &p.values[v];
            all.push(format!("{}={}", p.path, value.toml));
            label.push(format!("{short}={}", value.label));
            slug.push('-');
            slug.push_str(&slug_part(&format!("{short}-{}", value.label)));
        }
        let label = if let Some(names) = &spec.labels {
            slug = format!("{index:0width$}-{}", slug_part(&names[index]));
            names[index].clone()
        } else if label.is_empty() {
            "as written".to_owned()
        } else {
            label.join(", ")
        };
        let slug = truncate(&slug, 80);
        match scenario::parse(
            &base_text,
            &scenario::ParseOptions::default()
                .origin(origin)
                .name_default(name_default)
                .base_dir(base_dir)
                .overrides(&all),
        ) {
            Ok(mut loaded) => {
                if let Some(s) = seed {
                    loaded.scenario.seed = s;
                }
                points.push(Point {
                    index,
                    choice,
                    label,
                    slug,
                    overrides: all,
                    loaded,
                });
            }
            Err(error) => {
                let error = blame(error, &spec.params, origin, &overrides)?;
                failures.push(PointFailure {
                    index,
                    label,
                    error,
                });
            }
        }
    }
    if !failures.is_empty() {
        let total = failures.len() + points.len();
        // The same problem at every point is the file's, not the sweep's: report it once.
        let first = failures[0].error.to_string();
        if points.is_empty() && failures.iter().all(|f| f.error.to_string() == first) {
            return Err(failures.swap_remove(0).error.into());
        }
        return Err(SweepError::Points {
            path: origin.to_owned(),
            total,
            failures,
        });
    }
    let first = &points[0].loaded.scenario;
    Ok(Some(Plan {
        origin: origin.to_owned(),
        text: text.to_owned(),
        name: first.name.clone(),
        description: first.description.clone(),
        replications: spec.replications,
        mode: spec.mode,
        params: spec.params,
        short_names,
        points,
        labelled: spec.labels.is_some(),
        cli_overrides: cli_overrides.to_vec(),
        cli_seed: seed,
    }))
}

/// Sorts a point's error: an unknown swept path is the `[sweep]` key's fault (returned as
/// `Err`); problems with swept values are marked as coming from `[sweep]`, at its line.
fn blame(
    error: ScenarioError,
    params: &[Param],
    origin: &Path,
    cli: &[String],
) -> Result<ScenarioError, SweepError> {
    match error {
        ScenarioError::Override { arg, message, .. } if !cli.contains(&arg) => {
            let path = arg.split_once('=').map_or(arg.as_str(), |(p, _)| p);
            let source = params
                .iter()
                .find(|p| p.path == path)
                .map_or(Source::Line(0), |p| p.source.clone());
            if is_path_error(&message) {
                return Err(source.error(
                    origin,
                    &quoted(path),
                    format!("{message} (the key must be a scenario path, as --set takes)"),
                ));
            }
            // A value of the wrong type or form: that point's problem.
            Ok(ScenarioError::Invalid {
                path: origin.to_owned(),
                problems: vec![Problem {
                    field: format!("{path}{}", source.mark()),
                    line: source.line(),
                    message,
                }],
            })
        }
        ScenarioError::Invalid { path, mut problems } => {
            for problem in &mut problems {
                if let Some(field) = problem.field.strip_suffix(" (from --set)") {
                    if let Some(p) = params.iter().find(|p| p.path == field) {
                        problem.field = format!("{field}{}", p.source.mark());
                        problem.line = p.source.line();
                    }
                }
            }
            Ok(ScenarioError::Invalid { path, problems })
        }
        other => Ok(other),
    }
}

/// True for the messages of `--set` that mean the path names no field (as opposed to a
/// value of the wrong type).
fn is_path_error(message: &str) -> bool {
    [
        "unknown field",
        "no function named",
        "has no [[functions]]",
        "name a field of",
        "is not a table",
        "empty segment",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// Each point's value indices, in grid order; `None` beyond [`MAX_POINTS`].
fn choices(params: &[Param], mode: Mode) -> Option<Vec<Vec<usize>>> {
    match mode {
        Mode::Zip => {
            let n = params.first().map_or(1, |p| p.values.len());
            (n <= MAX_POINTS).then(|| (0..n).map(|i| vec![i; params.len()]).collect())
        }
        Mode::Grid => {
            let n = params
                .iter()
                .try_fold(1usize, |n, p| n.checked_mul(p.values.len()))
                .filter(|&n| n <= MAX_POINTS)?;
            Some(
                (0..n)
                    .map(|mut i| {
                        // Mixed radix, last parameter fastest.
                        let mut c = vec![0; params.len()];
                        for (k, p) in params.iter().enumerate().rev() {
                            c[k] = i % p.values.len();
                            i /= p.values.len();
                        }
                        c
                    })
                    .collect(),
            )
        }
    }
}

/// The shortest suffix of each path's segments that no other path ends with.
fn short_names(params: &[Param]) -> Vec<String> {
    params
        .iter()
        .map(|p| {
            let segs: Vec<&str> = p.path.split('.').collect();
            (1..=segs.len())
                .map(|k| segs[segs.len() - k..].join("."))
                .find(|suffix| {
                    params
                        .iter()
                        .filter(|q| q.path != p.path)
                        .all(|q| q.path != *suffix && !q.path.ends_with(&format!(".{suffix}")))
                })
                .unwrap_or_else(|| p.path.clone())
        })
        .collect()
}

fn slug_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            c
        } else {
            '-'
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"name = "t"
duration = "1h"
[[functions]]
name = "api"
runtime = "python3.12"
execution = { dist = "constant", value = "10ms" }
arrivals = { process = "poisson", rate = 1.0 }
"#;

    fn plan_of(sweep: &str) -> Result<Option<Plan>, SweepError> {
        plan(
            &format!("{BASE}{sweep}"),
            Path::new("s.toml"),
            "s",
            Path::new("."),
            &[],
            None,
        )
    }

    #[test]
    fn grid_runs_the_last_key_fastest() {
        let p = plan_of("[sweep]\n\"platform.keep_alive.idle\" = [\"1m\", \"5m\"]\n\"functions.api.memory_mb\" = [128, 256, 512]\n")
            .expect("valid")
            .expect("a sweep");
        assert_eq!(p.points.len(), 6);
        assert_eq!(p.short_names, ["idle", "memory_mb"]);
        let labels: Vec<&str> = p.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels[0], "idle=1m, memory_mb=128");
        assert_eq!(labels[1], "idle=1m, memory_mb=256");
        assert_eq!(labels[3], "idle=5m, memory_mb=128");
        assert_eq!(p.points[4].slug, "4-idle-5m-memory_mb-256");
        assert_eq!(p.points[4].loaded.scenario.functions[0].memory_mb, 256);
        assert_eq!(p.replications, 1);
    }

    #[test]
    fn zip_pairs_values() {
        let p = plan_of("[sweep]\nmode = \"zip\"\nreplications = 2\n\"functions.api.memory_mb\" = [128, 256]\n\"functions.api.arrivals.rate\" = [1.0, 2.0]\n")
            .expect("valid")
            .expect("a sweep");
        assert_eq!(p.points.len(), 2);
        assert_eq!(p.points[1].label, "memory_mb=256, rate=2.0");
        assert_eq!(p.runs(), 4);
    }

    #[test]
    fn labels_name_zip_points() {
        let p = plan_of("[sweep]\nmode = \"zip\"\nlabels = [\"small\", \"big one\"]\n\"functions.api.memory_mb\" = [128, 256]\n")
            .expect("valid")
            .expect("a sweep");
        assert!(p.labelled);
        assert_eq!(p.points[1].label, "big one");
        assert_eq!(p.points[1].slug, "1-big-one");
        // One label per point, and only in zip mode.
        let wrong = plan_of(
            "[sweep]\nmode = \"zip\"\nlabels = [\"a\"]\n\"functions.api.memory_mb\" = [128, 256]\n",
        );
        assert!(wrong.is_err());
        let grid =
            plan_of("[sweep]\nlabels = [\"a\", \"b\"]\n\"functions.api.memory_mb\" = [128, 256]\n");
        assert!(grid.is_err());
    }

    #[test]
    fn replications_alone_make_one_point() {
        let p = plan_of("[sweep]\nreplications = 5\n")
            .expect("valid")
            .expect("a sweep");
        assert_eq!(p.points.len(), 1);
        assert_eq!(p.points[0].label, "as written");
        assert_eq!(p.runs(), 5);
    }

    #[test]
    fn unknown_path_names_the_sweep_key_and_line() {
        let e = plan_of("[sweep]\n\"functions.api.memroy_mb\" = [128]\n").expect_err("unknown");
        let text = e.to_string();
        assert!(
            text.starts_with("s.toml: line 9: [sweep] \"functions.api.memroy_mb\": "),
            "{text}"
        );
        let e = plan_of("[sweep]\n\"functions.web.memory_mb\" = [128]\n").expect_err("unknown");
        assert!(e.to_string().contains("no function named `web`"), "{e}");
    }

    #[test]
    fn an_invalid_value_names_the_point() {
        let e = plan_of("[sweep]\n\"platform.keep_alive.idle\" = [\"1m\", \"-5m\", \"10m\"]\n")
            .expect_err("invalid");
        let text = e.to_string();
        assert!(text.contains("1 of 3 sweep points is invalid"), "{text}");
        assert!(text.contains("point 1 (idle=-5m)"), "{text}");
        assert!(
            text.contains("line 9, platform.keep_alive.idle (from [sweep])"),
            "{text}"
        );
    }

    #[test]
    fn a_problem_of_the_file_is_reported_once() {
        let text = BASE.replace("rate = 1.0", "rate = -1.0") + "[sweep]\n\"seed\" = [1, 2]\n";
        let e =
            plan(&text, Path::new("s.toml"), "s", Path::new("."), &[], None).expect_err("invalid");
        assert!(matches!(e, SweepError::Scenario(_)), "{e}");
    }

    #[test]
    fn set_on_a_swept_path_is_refused() {
        let text = format!("{BASE}[sweep]\n\"seed\" = [1, 2]\n");
        let e = plan(
            &text,
            Path::new("s.toml"),
            "s",
            Path::new("."),
            &["seed=3".into()],
            None,
        )
        .expect_err("conflict");
        assert!(e.to_string().contains("swept by [sweep] (line 9)"), "{e}");
    }

    fn plan_set(sweep: &str, set: &[&str]) -> Result<Option<Plan>, SweepError> {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        plan(
            &format!("{BASE}{sweep}"),
            Path::new("s.toml"),
            "s",
            Path::new("."),
            &set,
            None,
        )
    }

    #[test]
    fn set_sweep_keys_change_the_table() {
        let p = plan_set(
            "[sweep]\nreplications = 3\n\"seed\" = [1, 2]\n",
            &["sweep.replications=2"],
        )
        .expect("valid")
        .expect("a sweep");
        assert_eq!((p.points.len(), p.replications), (2, 2));
        // The --set list replaces the file's list of the same path, another path is added.
        let p = plan_set(
            "[sweep]\n\"seed\" = [1, 2]\n",
            &[
                "sweep.seed=[7, 8, 9]",
                "sweep.functions.api.memory_mb=[128, 256]",
            ],
        )
        .expect("valid")
        .expect("a sweep");
        assert_eq!(p.points.len(), 6);
        assert_eq!(p.points[5].label, "seed=9, memory_mb=256");
        assert_eq!(p.cli_overrides.len(), 2, "kept for part.json and resume");
        assert!(p.points.iter().all(|pt| pt.overrides.len() == 2));
        // Without [sweep] in the file, --set makes one.
        let p = plan_set("", &["sweep.replications=4", "sweep.mode=zip"])
            .expect("valid")
            .expect("a sweep");
        assert_eq!((p.points.len(), p.runs(), p.mode), (1, 4, Mode::Zip));
        assert!(plan_set("", &["seed=3"]).expect("valid").is_none());
    }

    #[test]
    fn bad_set_sweep_keys_name_the_argument() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["sweep.replications=0"],
                "--set sweep.replications=0: [sweep] replications: expected a whole number",
            ),
            (
                &["sweep.mode=product"],
                "--set sweep.mode=product: [sweep] mode: expected \"grid\"",
            ),
            (
                &["sweep.seed=3"],
                "--set sweep.seed=3: a swept path takes a list of values",
            ),
            (&["sweep.=3"], "name a key of [sweep]"),
            (
                &["sweep.labels=[\"a\"]"],
                "--set sweep.labels=[\"a\"]: [sweep] labels: names points one by one",
            ),
            (
                &["sweep.seed=[1, 2]", "seed=5"],
                "--set seed=5: this path is swept by --set sweep.seed=[1, 2]",
            ),
        ];
        for (set, needle) in cases {
            let e = plan_set("", set).expect_err("invalid");
            assert!(e.to_string().contains(needle), "{set:?}: {e}");
        }
        let e = plan_set("", &["sweep.platform.keep_alive.idle=[\"1m\", \"-5m\"]"])
            .expect_err("a bad value");
        assert!(
            e.to_string()
                .contains("platform.keep_alive.idle (from --set sweep.platform.keep_alive.idle)"),
            "{e}"
        );
        let e = plan_set("", &["sweep.functions.api.memroy_mb=[128]"]).expect_err("unknown");
        assert!(
            e.to_string().contains(
                "--set sweep.functions.api.memroy_mb=[128]: [sweep] \"functions.api.memroy_mb\": "
            ),
            "{e}"
        );
    }

    #[test]
    fn short_names_disambiguate() {
        let p = |path: &str| Param {
            path: path.into(),
            source: Source::Line(1),
            values: Vec::new(),
        };
        assert_eq!(
            short_names(&[
                p("functions.a.memory_mb"),
                p("functions.b.memory_mb"),
                p("seed")
            ]),
            ["a.memory_mb", "b.memory_mb", "seed"]
        );
    }

    #[test]
    fn fingerprint_follows_the_points() {
        let a = plan_of("[sweep]\n\"seed\" = [1, 2]\n")
            .expect("ok")
            .expect("sweep");
        let b = plan_of("[sweep]\n\"seed\" = [1, 3]\n")
            .expect("ok")
            .expect("sweep");
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}

//! Built-in runtime init profiles: lognormal fits of AWS Lambda runtime init times (ms), with lookup and a text table.
//!
//! The numbers live in the generated `profiles.rs` table (written by `tools/fit_runtimes.py`),
//! fitted from maxday/lambda-perf daily measurements (Apache-2.0) of hello-world functions,
//! so they are platform + runtime-bootstrap init times, without any application init.

use std::fmt;

mod profiles;

/// Instruction-set architecture of a Lambda function.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// `x86_64` (the Lambda default).
    #[default]
    X86_64,
    /// `arm64` (Graviton).
    Arm64,
}

impl Arch {
    /// Same text as the serde name.
    const fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Deployment package type of a Lambda function.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Package {
    /// `zip` archive on a managed (or OS-only) runtime (the Lambda default).
    #[default]
    Zip,
    /// `image`: container image.
    Image,
}

impl Package {
    /// Same text as the serde name.
    const fn as_str(self) -> &'static str {
        match self {
            Package::Zip => "zip",
            Package::Image => "image",
        }
    }
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Init-time distribution of one runtime × architecture × package type.
///
/// Init time in milliseconds is lognormal: `ln(init ms) ~ Normal(mu, sigma)`.
/// Fitted from `samples` measured Init Durations (all memory sizes pooled).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuntimeProfile {
    /// Runtime name: the AWS runtime identifier (`python3.12`, `java8.al2`, `go1.x`) or,
    /// for a custom runtime on an OS-only runtime, `<lang>-provided.al2023` / `<lang>-provided.al2`.
    pub name: &'static str,
    /// Architecture measured.
    pub arch: Arch,
    /// Package type measured.
    pub package: Package,
    /// Number of measured init durations the fit is based on.
    pub samples: u32,
    /// Location of `ln(init ms)`: the natural log of the sample median in ms.
    pub mu: f64,
    /// Scale of `ln(init ms)`: sample standard deviation (n-1) of ln(samples in ms); dimensionless.
    pub sigma: f64,
    /// Median init time, ms (= `exp(mu)`, the sample median).
    pub median_ms: f64,
    /// 90th percentile of the fitted distribution, ms.
    pub p90_ms: f64,
    /// 99th percentile of the fitted distribution, ms.
    pub p99_ms: f64,
    /// Smallest measured init time, ms.
    pub min_ms: f64,
    /// Largest measured init time, ms.
    pub max_ms: f64,
    /// Data file the profile was fitted from, e.g. `"lambda-perf 2026-08-22.json"`.
    pub source: &'static str,
    /// Measurement date of the source file, `YYYY-MM-DD`.
    pub date: &'static str,
}

/// All built-in init profiles (init times in ms), sorted by name, arch, package.
pub fn profiles() -> &'static [RuntimeProfile] {
    &profiles::PROFILES
}

/// SnapStart restore-time profiles (ms; not init times) for `java11` and `java17` (x86_64 zip),
/// measured by lambda-perf on 2023-09-15. Not part of [`profiles`] nor found by [`find`].
pub fn snapstart_profiles() -> &'static [RuntimeProfile] {
    &profiles::SNAPSTART_PROFILES
}

/// Alternative names accepted by [`find`], as `(alias, profile name)`.
///
/// `provided.al2023` and `provided.al2` are AWS's OS-only runtimes: they run whatever
/// `bootstrap` the function ships, so there is no language runtime to measure. lambda-perf's
/// "shell" function is the thinnest such bootstrap (a shell script polling the Runtime API),
/// so its init time is the best estimate of the OS-only runtime itself.
const ALIASES: &[(&str, &str)] = &[
    ("provided.al2023", "shell-provided.al2023"),
    ("provided.al2", "shell-provided.al2"),
];

/// Looks up a profile; resolves aliases.
///
/// `name` is matched ignoring ASCII case and surrounding whitespace. Aliases:
/// `provided.al2023` → `shell-provided.al2023`, `provided.al2` → `shell-provided.al2`.
pub fn find(
    name: &str,
    arch: Arch,
    package: Package,
) -> Result<&'static RuntimeProfile, LookupError> {
    let key = name.trim().to_ascii_lowercase();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key.as_str(), |(_, target)| target);
    let mut available = Vec::new();
    for p in profiles().iter().filter(|p| p.name == canonical) {
        if p.arch == arch && p.package == package {
            return Ok(p);
        }
        available.push((p.arch, p.package));
    }
    if available.is_empty() {
        Err(LookupError::UnknownName {
            name: name.trim().to_string(),
            suggestions: suggest(&key),
        })
    } else {
        Err(LookupError::Unavailable {
            name: name.trim().to_string(),
            arch,
            package,
            available,
        })
    }
}

/// Text table for `coldsim runtimes`: one header line, then one line per profile with
/// name, arch, package, sample count, init p50/p90/p99 (ms; 1 decimal below 100 ms,
/// else 0), source file and date, in aligned columns.
pub fn table() -> String {
    const HEADER: [&str; 9] = [
        "runtime", "arch", "package", "samples", "p50_ms", "p90_ms", "p99_ms", "source", "date",
    ];
    // Numeric columns are right-aligned.
    const RIGHT: [bool; 9] = [false, false, false, true, true, true, true, false, false];
    let rows: Vec<[String; 9]> = profiles()
        .iter()
        .map(|p| {
            [
                p.name.to_string(),
                p.arch.to_string(),
                p.package.to_string(),
                p.samples.to_string(),
                fmt_ms(p.median_ms),
                fmt_ms(p.p90_ms),
                fmt_ms(p.p99_ms),
                p.source.to_string(),
                p.date.to_string(),
            ]
        })
        .collect();
    let mut width = HEADER.map(str::len);
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let header = HEADER.map(String::from);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if RIGHT[i] {
                line.push_str(&format!("{cell:>w$}", w = width[i]));
            } else {
                line.push_str(&format!("{cell:<w$}", w = width[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Formats milliseconds: 1 decimal below 100 ms, else 0 decimals.
fn fmt_ms(ms: f64) -> String {
    if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Why [`find`] found no profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    /// No built-in profile or alias has this name; `suggestions` holds up to 3 close known names.
    #[error("{}", unknown_name_message(.name, .suggestions))]
    UnknownName {
        /// The name asked for (trimmed).
        name: String,
        /// Up to 3 known names closest by edit distance, closest first.
        suggestions: Vec<String>,
    },
    /// The runtime is known, but was not measured for this architecture and package type.
    #[error("{}", unavailable_message(.name, *.arch, *.package, .available))]
    Unavailable {
        /// The name asked for (trimmed).
        name: String,
        /// Architecture asked for.
        arch: Arch,
        /// Package type asked for.
        package: Package,
        /// The (arch, package) combinations that do have a profile.
        available: Vec<(Arch, Package)>,
    },
}

fn unknown_name_message(name: &str, suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("\"{s}\"")).collect();
    let hint = match quoted.as_slice() {
        [] => "no built-in runtime has a similar name".to_string(),
        [one] => format!("did you mean {one}?"),
        [init @ .., last] => format!("did you mean {} or {last}?", init.join(", ")),
    };
    format!(
        "unknown runtime \"{name}\" ({hint}); run \"coldsim runtimes\" for the list, \
         or use runtime = \"custom\" to give your own init-time distribution."
    )
}

fn unavailable_message(
    name: &str,
    arch: Arch,
    package: Package,
    available: &[(Arch, Package)],
) -> String {
    let list: Vec<String> = available.iter().map(|(a, p)| format!("{a} {p}")).collect();
    let list = match list.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!(
        "runtime \"{name}\" has no built-in profile for {arch} {package}: it was measured only for \
         {list}; choose one of those, or use runtime = \"custom\" to give your own init-time distribution."
    )
}

/// Up to 3 known names (profiles and aliases) close to `key`: within an edit distance of
/// max(2, len/3), or containing `key`; closest first, ties by name.
fn suggest(key: &str) -> Vec<String> {
    let limit = (key.chars().count() / 3).max(2);
    let mut names: Vec<&str> = profiles().iter().map(|p| p.name).collect();
    names.extend(ALIASES.iter().map(|(alias, _)| *alias));
    names.sort_unstable();
    names.dedup();
    let mut scored: Vec<(usize, &str)> = names
        .into_iter()
        .map(|n| (edit_distance(key, n), n))
        .filter(|&(d, n)| d <= limit || (key.len() >= 2 && n.contains(key)))
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost 1.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j] = distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests;

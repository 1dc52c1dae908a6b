//! `ScenarioError`: everything that can be wrong with a scenario file or an override.

use std::fmt;
use std::path::PathBuf;

/// One problem found while validating, located by field path (the `--set` form) and line.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Field path such as `functions.api.arrivals.rate`.
    pub field: String,
    /// 1-based line in the scenario file, when known.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}, {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

/// Why a scenario could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        /// The scenario file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{path}: line {line}: the scenario file is not UTF-8 text (the first bad byte is in this line); save it as UTF-8")]
    NotUtf8 {
        /// The scenario file.
        path: PathBuf,
        /// 1-based line holding the first invalid byte.
        line: usize,
    },
    /// TOML syntax, an unknown key or a wrong type: reported by the parser with its position.
    #[error("{path}: line {line}, column {column}: {message}")]
    Parse {
        /// The scenario file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The file parsed, but values are out of range or inconsistent.
    #[error("{path}: {} problem{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" },
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The scenario file.
        path: PathBuf,
        /// Every problem found, each with its field path (at least one).
        problems: Vec<Problem>,
    },
    /// A `--set path=value` argument is malformed or names no field.
    #[error("{path}: --set {arg}: {message}")]
    Override {
        /// The scenario file.
        path: PathBuf,
        /// The `--set` argument, as given.
        arg: String,
        /// What is wrong with it.
        message: String,
    },
}

//! Errors of the secret scanner. None of them ever holds a secret's value.

use std::path::PathBuf;

use thiserror::Error;

/// A problem with one rule or rule file, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The rule file (a built-in file name or a path).
    pub file: String,
    /// The rule id, when the problem belongs to one rule.
    pub rule: Option<String>,
    /// The 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule `{rule}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Errors of this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more rules are invalid.
    #[error("invalid secret rules: {}", summarise(.0))]
    InvalidRules(Vec<RuleProblem>),
    /// A rule directory or file could not be read.
    #[error("cannot read secret rules at {path}")]
    ReadRules {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The baseline (suppression) file could not be read or parsed.
    #[error("cannot load secret baseline {path}: {message}")]
    Baseline {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The keyword prefilter could not be built.
    #[error("cannot build the keyword prefilter: {0}")]
    Prefilter(String),
}

fn summarise(problems: &[RuleProblem]) -> String {
    let mut text = String::new();
    for (i, problem) in problems.iter().take(5).enumerate() {
        if i > 0 {
            text.push_str("; ");
        }
        text.push_str(&problem.to_string());
    }
    if problems.len() > 5 {
        text.push_str(&format!("; and {} more", problems.len() - 5));
    }
    text
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

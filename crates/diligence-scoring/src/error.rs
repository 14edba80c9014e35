//! Errors of loading and validating a framework file.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// One problem in a framework file, at a line and column.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Problem {
    /// The file name given to [`Framework::parse`](crate::Framework::parse).
    pub source: String,
    /// Line, 1-based.
    pub line: usize,
    /// Column in characters, 1-based.
    pub column: usize,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.source, self.line, self.column, self.message
        )
    }
}

/// Every problem found while validating one file, printed one per line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Errors of this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The framework file could not be read.
    #[error("failed to read framework file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the framework's shape
    /// (unknown keys, wrong types, missing keys).
    #[error("{0}")]
    Syntax(Problem),
    /// The file parsed but breaks the framework's rules (unknown facts or
    /// rules, duplicate ids, inconsistent thresholds).
    #[error("{0}")]
    Invalid(Problems),
    /// No embedded framework has this id.
    #[error("no embedded framework `{id}`; known: {known}")]
    UnknownFramework {
        /// The id asked for.
        id: String,
        /// The embedded ids, comma-separated.
        known: String,
    },
}

impl Error {
    /// Every located problem this error carries (none for I/O errors).
    pub fn problems(&self) -> Vec<&Problem> {
        match self {
            Self::Syntax(problem) => vec![problem],
            Self::Invalid(problems) => problems.0.iter().collect(),
            Self::Io { .. } | Self::UnknownFramework { .. } => Vec::new(),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

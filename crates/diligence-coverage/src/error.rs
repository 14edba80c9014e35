//! Errors of this crate.

use thiserror::Error;

/// Why a coverage report could not be read. Carries the 1-based line of the
/// offending record when the format has lines worth naming.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ParseError {
    /// The 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
}

impl ParseError {
    /// An error at `line`.
    pub fn new(line: Option<u32>, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

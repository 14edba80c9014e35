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

/// Why a Rust source file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RustSourceError {
    /// Larger than the size cap.
    #[error("larger than {cap} bytes")]
    TooLarge {
        /// The cap.
        cap: usize,
    },
    /// Brackets nest deeper than the parser is allowed to recurse.
    #[error("brackets nest {depth} deep, more than {cap}")]
    TooDeep {
        /// The depth seen.
        depth: usize,
        /// The cap.
        cap: usize,
    },
    /// Not valid Rust.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line.
        line: u32,
        /// The parser's message.
        message: String,
    },
}

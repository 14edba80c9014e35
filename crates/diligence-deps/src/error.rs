//! Errors of the dependency collector.

use std::fmt;

/// A manifest or lockfile that could not be parsed, with the place of the
/// first error. `line` and `column` are 1-based; 0 means unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file, relative to the repository root.
    pub file: String,
    /// Line of the error, 1-based; 0 when the parser did not say.
    pub line: u32,
    /// Column of the error, 1-based; 0 when the parser did not say.
    pub column: u32,
    /// What is wrong, in the parser's words.
    pub message: String,
}

impl ParseError {
    /// An error at a known place.
    pub fn at(file: &str, line: u32, column: u32, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file, self.message),
            (line, 0) => write!(f, "{}:{line}: {}", self.file, self.message),
            (line, column) => write!(f, "{}:{line}:{column}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ParseError {}

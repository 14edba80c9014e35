//! Why a file yielded no model.

use thiserror::Error;

/// Why one file could not be parsed. Each becomes a `source.parse-failed`
/// finding; none stops the scan.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Deeper nesting than the parser is allowed to recurse into.
    #[error("nested {depth} levels deep, more than the {limit} levels the parser is allowed")]
    TooDeep {
        /// The depth the pre-scan measured.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Larger than the parser is allowed to read.
    #[error("{size} bytes, more than the {limit} bytes the parser reads")]
    TooLarge {
        /// The text's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not UTF-8 text.
    #[error("not UTF-8 text")]
    NotUtf8,
    /// A syntax error.
    #[error("syntax error: {message}")]
    Syntax {
        /// The parser's message.
        message: String,
        /// 1-based line of the error, when the parser gave a position.
        line: Option<u32>,
    },
    /// Invalid configuration (a TOML file).
    #[error("invalid TOML: {message}")]
    Config {
        /// The reader's message.
        message: String,
        /// 1-based line of the error, when known.
        line: Option<u32>,
    },
    /// The file could not be read.
    #[error("could not be read: {message}")]
    Read {
        /// The I/O error, as text (the model is owned and cloneable).
        message: String,
    },
    /// The parser stopped on an internal error.
    #[error("the parser stopped on an internal error")]
    Crashed,
}

impl ParseError {
    /// The line the error points at, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            Self::Syntax { line, .. } | Self::Config { line, .. } => *line,
            _ => None,
        }
    }
}

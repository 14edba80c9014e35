//! Errors of the annotation layer.

use thiserror::Error;

/// Why annotations, a baseline or an assessment could not be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The TOML does not parse or has unknown fields.
    #[error("invalid {what} file")]
    Toml {
        /// `annotations` or `baseline`.
        what: &'static str,
        /// The parse error, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A value of the file is invalid.
    #[error("invalid {what} file: {message}")]
    Invalid {
        /// `annotations` or `baseline`.
        what: &'static str,
        /// What is wrong, naming the entry.
        message: String,
    },
    /// A baseline could not be written.
    #[error("failed to serialise the baseline")]
    Serialise(#[source] toml::ser::Error),
    /// A saved assessment does not parse.
    #[error("invalid assessment JSON")]
    Json(#[source] serde_json::Error),
    /// A saved assessment was written by a newer version of the tool.
    #[error(
        "the assessment has schema version {found}, newer than {supported}, the newest this version of diligence reads: upgrade diligence"
    )]
    NewerSchema {
        /// The assessment's schema version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

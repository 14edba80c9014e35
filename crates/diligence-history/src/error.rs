//! Errors of the history walk.

use std::path::PathBuf;

use thiserror::Error;

/// A boxed cause from gix.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong when resolving a target or walking its history.
///
/// Missing objects are not errors: the walk counts them and marks the
/// evidence partial.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The target path does not exist or cannot be read.
    #[error("cannot read target {path}")]
    TargetUnreadable {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The target path is not a directory.
    #[error("target {path} is not a directory")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A git repository was found but could not be opened.
    #[error("cannot open git repository at {path}")]
    Open {
        /// The repository path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: Cause,
    },
    /// Reading references, HEAD or the object database failed.
    #[error("cannot read git {what} in {path}")]
    Read {
        /// What was being read (`references`, `HEAD`).
        what: &'static str,
        /// The repository path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: Cause,
    },
    /// An identity file (merges and bots) could not be read or parsed.
    #[error("invalid identity file {path}: {message}")]
    IdentityFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column when parsing.
        message: String,
    },
    /// The worker thread pool could not be built.
    #[error("cannot start {threads} worker threads")]
    ThreadPool {
        /// The requested thread count.
        threads: usize,
        /// The cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

use std::path::PathBuf;

use thiserror::Error;

/// Why a scan could not produce an assessment. Failures of single
/// collectors are not errors: they are recorded in the assessment.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The target path could not be resolved.
    #[error("cannot scan {}", path.display())]
    Target {
        /// The path given.
        path: PathBuf,
        /// The cause.
        #[source]
        source: diligence_history::Error,
    },
    /// The framework file is invalid.
    #[error("invalid framework")]
    Framework(#[source] diligence_scoring::Error),
    /// A collector id given to [`Scan::only`](crate::Scan::only) is unknown.
    #[error("unknown collector `{id}` (known: {known})")]
    UnknownCollector {
        /// The id given.
        id: String,
        /// The ids that exist.
        known: String,
    },
    /// The file list could not be built.
    #[error("cannot list the files of {}", path.display())]
    Files {
        /// The root.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The worker threads could not be started.
    #[error("cannot start {jobs} worker threads")]
    Threads {
        /// Threads asked for.
        jobs: usize,
        /// The cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

/// Result alias for the facade.
pub type Result<T> = std::result::Result<T, Error>;

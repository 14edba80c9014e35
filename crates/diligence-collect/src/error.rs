use thiserror::Error;

/// Why a collector produced no evidence.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The input it needs is absent: no git repository, no lockfile, no
    /// advisory database offline. Not a bug; the report says what is missing.
    #[error("{reason}")]
    Unavailable {
        /// What is missing, for the report.
        reason: String,
    },
    /// It ran and failed: corrupt input or a bug.
    #[error("{message}")]
    Failed {
        /// What failed.
        message: String,
        /// The cause.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The scan was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl CollectError {
    /// An unavailable input.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable {
            reason: reason.into(),
        }
    }

    /// A failure with its cause.
    pub fn failed(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Failed {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Result alias for collectors.
pub type Result<T> = std::result::Result<T, CollectError>;

use thiserror::Error;

/// Errors raised when a model value would break one of its invariants.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An identifier does not follow the grammar of its kind.
    #[error("invalid {kind} `{value}`: {reason}")]
    InvalidId {
        /// Which kind of identifier (rule id, fact name, ...).
        kind: &'static str,
        /// The rejected text.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A finding was built without a field it needs.
    #[error("finding `{rule}` is incomplete: {reason}")]
    IncompleteFinding {
        /// The rule id of the finding.
        rule: String,
        /// What is missing.
        reason: &'static str,
    },
    /// A timestamp could not be parsed.
    #[error("invalid timestamp `{0}`: expected YYYY-MM-DDTHH:MM:SSZ")]
    InvalidTimestamp(String),
    /// An effort range whose low end is above its high end.
    #[error("invalid effort range {low}..{high}: low must not exceed high")]
    InvalidEffort {
        /// Low end, in tenths of an engineer-day.
        low: u32,
        /// High end, in tenths of an engineer-day.
        high: u32,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

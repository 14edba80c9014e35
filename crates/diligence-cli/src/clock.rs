//! The one place the wall clock is read: only for `--timestamp`.

use std::time::{SystemTime, UNIX_EPOCH};

use diligence::model::Timestamp;

/// The current time, whole seconds.
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Timestamp(i64::try_from(seconds).unwrap_or(i64::MAX))
}

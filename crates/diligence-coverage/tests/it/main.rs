//! Integration tests of the `tests` collector and the coverage parsers.

mod collector;
mod formats;
mod history;
mod lcov_summary;

use std::path::PathBuf;

/// A file under `fixtures/coverage/`.
pub(crate) fn fixture(path: &str) -> PathBuf {
    diligence_testkit::workspace_root()
        .join("fixtures/coverage")
        .join(path)
}

//! Test evidence for `diligence`, gathered without running anything: the
//! `tests` collector.
//!
//! It reads coverage reports found in the tree or given explicitly (LCOV,
//! Cobertura, JaCoCo, llvm-cov JSON, Go cover profiles, Clover, coverage.py
//! JSON), maps their paths to the repository's files and dates them from
//! the history walk; it inventories test files by each ecosystem's
//! conventions, test frameworks from manifests, Rust test functions from
//! the shared source model's `syn` parse, code and test size by language;
//! and it reads the history walk for the share of recent commits that
//! touch tests (test files, and lines inside Rust inline tests). Whether CI runs the tests is not read here:
//! CI files belong to the `deploy` collector.
//!
//! The decision to know: nothing of the target runs. Coverage is whatever
//! the reports say, dated by the commit that last changed them, so an old
//! report is reported as old evidence rather than trusted as current.

#![warn(missing_docs)]

mod collector;
mod error;
pub mod history;
pub mod inventory;
pub mod loc;
pub mod paths;
pub mod readme;
pub mod report;
pub mod rust;

pub use collector::{
    LARGE_FILE_LINES, LOW_FILE_LINES, LOW_FILE_PERMILLE, MAX_REPORT_SIZE, MAX_SOURCE_SIZE,
    STALE_DAYS, TestsCollector, is_report_candidate,
};
pub use error::ParseError;
pub use report::{
    Counts, CoverageReport, FileCoverage, Format, detect_format, parse_as, parse_report,
};

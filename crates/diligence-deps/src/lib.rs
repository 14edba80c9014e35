//! Dependency evidence: what the target depends on, which of those carry
//! known advisories, under which licences, and whether the dependency tree
//! is under control.
//!
//! Everything is read from manifests and lockfiles: no package manager is
//! run and nothing is fetched. Advisory databases are local directories
//! (RustSec, or OSV JSON/YAML); without one the advisory control reads
//! "not evidenced".

#![warn(missing_docs)]

pub mod advisory;
mod analysis;
mod collector;
mod error;
mod formats;
pub mod licence;
mod package;
mod text;

pub use advisory::{AdvisoryDb, AdvisoryError, AdvisoryMatch, LoadReport, merge_matches};
pub use analysis::{
    Analysis, Counts, FileRead, LARGE_TREE, MAX_VENDORED_MANIFESTS, SKIPPED_DIRS, analyse,
    is_unbounded,
};
pub use collector::{DepsCollector, FACTS, RULES, evidence_from};
pub use error::ParseError;
pub use formats::{
    DepKind, FileKind, Manifest, ParsedFile, Requirement, normalise_python_name, normalised_name,
    parse_file,
};
pub use package::{Ecosystem, Package, Source};

//! Dependency evidence: what the target depends on, which of those carry
//! known advisories, under which licences, and whether the dependency tree
//! is under control.
//!
//! Everything is read from manifests and lockfiles: no package manager is
//! run and nothing is fetched. Advisory databases are local directories
//! (RustSec, or OSV JSON/YAML); without one the advisory control reads
//! "not evidenced". [`fetch`] fills a local cache of databases when a user
//! asks for it, and is the only network access in the crate.

#![warn(missing_docs)]

pub mod advisory;
mod analysis;
mod collector;
mod error;
pub mod fetch;
mod formats;
pub mod licence;
mod package;
pub mod services;
mod text;

pub use advisory::{AdvisoryDb, AdvisoryError, AdvisoryMatch, LoadReport, merge_matches};
pub use analysis::{
    Analysis, Counts, CoverageUnit, FileRead, LARGE_TREE, LOCKFILE_CAP, MANIFEST_CAP,
    MAX_VENDORED_MANIFESTS, Resolution, SKIPPED_DIRS, analyse, is_unbounded, read_cap,
};
pub use collector::{Dates, DepsCollector, FACTS, RULES, evidence_from, evidence_with};
pub use error::ParseError;
pub use formats::{
    DepKind, FileKind, Manifest, ParsedFile, Pom, PomDependency, Requirement, Unsupported,
    detect_unsupported, normalise_python_name, normalised_name, parse_file,
};
pub use package::{Ecosystem, Package, Source};

//! Dependency evidence: what the target depends on, which of those carry
//! known advisories, under which licences, and whether the dependency tree
//! is under control.
//!
//! Everything is read from manifests and lockfiles: no package manager is
//! run and nothing is fetched. Advisory databases are local directories
//! (RustSec, or OSV JSON/YAML); without one the advisory control reads
//! "not evidenced".

#![warn(missing_docs)]

mod package;

pub use package::{Ecosystem, Package, Source};

//! `diligence` turns a software repository into a technical due-diligence
//! [`Assessment`]: evidence gathered from the files and the full git
//! history, scored against a production-readiness framework.
//!
//! The pipeline: resolve the [`Target`], walk the history once (only when a
//! selected collector [reads it](Collector::reads_history)), list the files
//! once, parse the source once (only when a selected collector
//! [reads it](Collector::reads_source)), run every [`Collector`] in parallel, score the evidence
//! against a framework, and return an owned, serialisable [`Assessment`]
//! that any renderer ([`render`]) can turn into a report later.
//!
//! ```no_run
//! let assessment = diligence::Scan::new(".").jobs(2).run()?;
//! println!("{}", assessment.gate.verdict);
//! # Ok::<(), diligence::Error>(())
//! ```
//!
//! The library never prints and keeps no global state; progress arrives
//! through [`Scan::on_progress`]. Results do not depend on the thread count.

#![warn(missing_docs)]

mod collectors;
mod error;
mod scan;

pub use collectors::{GitCollector, SourceCollector, default_collectors};
pub use diligence_collect::{
    CollectContext, CollectError, Collector, FileIndex, FileIndexOptions, FingerprintKey, Options,
    Progress,
};
pub use diligence_deploy as deploy;
pub use diligence_deps as deps;
pub use diligence_history::{History, HistoryOptions, IdentityConfig, Target};
pub use diligence_model as model;
pub use diligence_model::Assessment;
pub use diligence_render as render;
pub use diligence_scoring as scoring;
pub use diligence_secrets as secrets;
pub use diligence_source as source;
pub use error::{Error, Result};
pub use scan::{FrameworkSource, Scan, catalog};

/// The tool's version, recorded in every assessment.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

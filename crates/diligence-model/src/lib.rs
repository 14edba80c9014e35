//! The evidence model of `diligence`: the data every stage of the pipeline
//! exchanges, and the JSON contract that tool builders read.
//!
//! Collectors produce [`Evidence`] (findings, facts and inventories); scoring
//! turns evidence into [`ControlResult`]s, [`Scores`] and a [`Gate`]; the
//! [`Assessment`] holds all of it, and renderers read nothing else. This crate
//! is data only: no I/O, no clock, no global state.
//!
//! The one decision to know: everything serialised is ordered
//! ([`BTreeMap`](std::collections::BTreeMap), sorted vectors), so the same
//! input gives byte-identical JSON. A secret's value can only be held by
//! [`Redacted`], whose every output shows a masked prefix and a fingerprint.

#![warn(missing_docs)]

mod annotation;
mod assessment;
mod catalog;
pub mod context;
mod error;
mod evidence;
mod fact;
mod finding;
mod id;
mod redact;
mod time;

pub use annotation::{
    Acceptance, Annotations, Baseline, ControlComment, FindingComment, ReportMeta, StatusOverride,
};
pub use assessment::{
    Assessment, ControlResult, ControlStatus, DatabaseInfo, EvidenceRef, FrameworkInfo, Gate,
    LiveValidationInfo, Question, RemediationPlan, ScanOptionsInfo, Scores, SectionScore,
    StatusCounts, TargetInfo, ToolInfo, VcsInfo, Verdict, WorkItem,
};
pub use catalog::{Catalog, rule_matches};
pub use context::{FileClass, classify, classify_content};
pub use error::{Error, Result};
pub use evidence::{
    CollectorFailure, Evidence, FailureKind, Inventory, Series, SeriesPoint, Table,
};
pub use fact::{Fact, FactValue, Unit};
pub use finding::{
    CommitRef, Confidence, Effort, Excerpt, Finding, FindingBuilder, LiveCheck, LiveStatus,
    Location, Severity,
};
pub use id::{CollectorId, ControlId, FactName, RuleId, SectionId};
pub use redact::Redacted;
pub use time::{Timestamp, YearMonth};

/// Version of the JSON report's structure. Bumped on any change that a
/// reader of an earlier version could misread.
pub const SCHEMA_VERSION: u32 = 1;

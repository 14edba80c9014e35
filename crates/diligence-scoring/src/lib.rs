//! Scoring for `diligence`: a framework file turns evidence into control
//! results, section and overall scores, a gate verdict, a remediation plan
//! and questions for management.
//!
//! It sits between the collectors and the renderers: it reads
//! [`Evidence`](diligence_model::Evidence) and
//! [`CollectorFailure`](diligence_model::CollectorFailure)s and produces the
//! scoring half of an [`Assessment`](diligence_model::Assessment).
//!
//! A framework file is parsed in two steps: [`toml`] into raw structs that
//! reject unknown keys, then validation against a
//! [`Catalog`] into a [`Framework`], so every fact
//! and rule a check names exists and every error points at
//! `file:line:column`.
//!
//! The one decision to know: a control without evidence is *not evidenced*,
//! never a pass. It is left out of the score, lowers the evidence coverage,
//! and becomes a question for management. Scores are integer arithmetic
//! with explicit rounding, so the same evidence always gives the same
//! numbers.

#![warn(missing_docs)]

mod error;
mod evaluate;
mod framework;
mod raw;

pub use error::{Error, Problem, Problems, Result};
pub use evaluate::Scoring;
pub use framework::{
    Ask, Check, Control, EffortBasis, Framework, GatePolicy, GroupBy, Remediation, Section,
    Subject, Threshold,
};

use diligence_model::Catalog;

/// The frameworks embedded in the binary: (id, file text). The default is first.
pub const EMBEDDED: &[(&str, &str)] = &[(
    "production-readiness",
    include_str!("../../../scoring/production-readiness.toml"),
)];

/// The id of the default framework.
pub const DEFAULT_FRAMEWORK: &str = "production-readiness";

/// Parses and validates an embedded framework by id.
pub fn embedded(id: &str, catalog: &Catalog) -> Result<Framework> {
    let (name, text) = EMBEDDED
        .iter()
        .find(|(name, _)| *name == id)
        .ok_or_else(|| Error::UnknownFramework {
            id: id.to_owned(),
            known: EMBEDDED
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let source = format!("scoring/{name}.toml");
    Framework::parse(text, &source, catalog).map(|f| f.with_origin("embedded"))
}

/// The JSON Schema of a framework file's structure (what `deny_unknown_fields`
/// accepts; cross-references are checked by [`Framework::parse`]).
pub fn framework_schema() -> schemars::Schema {
    schemars::schema_for!(raw::RawFramework)
}

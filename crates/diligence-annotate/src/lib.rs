//! The consultant's layer over a `diligence` assessment: annotations,
//! risk acceptances, baselines, and the diff of two assessments.
//!
//! This crate works on saved [`Assessment`]s, after scoring: it reads an
//! annotations file ([`AnnotationsFile`]), resolves it against an
//! assessment (acceptances expire at the assessment's reference date,
//! overrides record the tool's status beside the consultant's) and merges
//! the result into [`Assessment::annotations`], where every renderer finds
//! it. It also writes and reads baselines and compares two assessments.
//!
//! The one decision to know: annotations never change evidence, control
//! results or scores. The tool's findings stay in every report; the
//! consultant's comments, acceptances and overrides are printed beside
//! them and attributed to the consultant. An acceptance in force only
//! marks a finding as accepted (and suppresses it in SARIF); once expired,
//! the finding counts again everywhere.

#![warn(missing_docs)]

mod annotations;
mod baseline;
mod diff;
mod error;

pub use annotations::{AnnotationsFile, reference_date};
pub use baseline::{baseline_of, parse_baseline, write_baseline};
pub use diff::{Diff, FindingEntry, Movement, SectionMovement, StatusMovement, diff};
pub use error::{Error, Result};

use diligence_model::{Annotations, Assessment, Baseline, ReportMeta, SCHEMA_VERSION};

/// Parses a saved assessment, refusing one written by a newer version of
/// the tool (its schema version is above [`SCHEMA_VERSION`]).
pub fn load_assessment(json: &str) -> Result<Assessment> {
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let version: Version = serde_json::from_str(json).map_err(Error::Json)?;
    if version.schema_version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: version.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    serde_json::from_str(json).map_err(Error::Json)
}

/// Merges annotations, a baseline and metadata into an assessment. Later
/// sources win for metadata: the file's `[report]`, then `meta` (from the
/// command line) for each field it sets.
pub fn merge(
    assessment: &mut Assessment,
    file: Option<&AnnotationsFile>,
    baseline: Option<Baseline>,
    meta: &ReportMeta,
) -> Result<()> {
    let mut annotations = match file {
        Some(file) => file.resolve(assessment)?,
        None => assessment.annotations.take().unwrap_or_default(),
    };
    let set = |field: &mut Option<String>, value: &Option<String>| {
        if value.is_some() {
            field.clone_from(value);
        }
    };
    set(&mut annotations.meta.client, &meta.client);
    set(&mut annotations.meta.prepared_by, &meta.prepared_by);
    set(&mut annotations.meta.engagement, &meta.engagement);
    set(&mut annotations.meta.logo, &meta.logo);
    if baseline.is_some() {
        annotations.baseline = baseline;
    }
    assessment.annotations = (annotations != Annotations::default()).then_some(annotations);
    Ok(())
}

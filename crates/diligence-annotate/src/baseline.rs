//! Baselines: the fingerprints of findings accepted in a previous
//! assessment, so that a repeat assessment shows what is new.

use std::collections::BTreeSet;

use diligence_model::{Assessment, Baseline};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const WHAT: &str = "baseline";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    /// Where the fingerprints came from.
    source: String,
    /// Fingerprints of accepted findings.
    fingerprints: BTreeSet<String>,
}

/// Parses a baseline file (TOML: `source` and `fingerprints`).
pub fn parse_baseline(text: &str) -> Result<Baseline> {
    let raw: RawBaseline = toml::from_str(text).map_err(|e| Error::Toml {
        what: WHAT,
        source: Box::new(e),
    })?;
    if let Some(bad) = raw.fingerprints.iter().find(|f| f.trim().is_empty()) {
        return Err(Error::Invalid {
            what: WHAT,
            message: format!("empty fingerprint `{bad}`"),
        });
    }
    Ok(Baseline {
        source: raw.source,
        fingerprints: raw.fingerprints,
    })
}

/// The baseline of an assessment: every finding's fingerprint.
pub fn baseline_of(assessment: &Assessment) -> Baseline {
    let commit = assessment
        .target
        .vcs
        .as_ref()
        .and_then(|v| v.head.as_deref())
        .unwrap_or("no commit");
    Baseline {
        source: format!("{} at {commit}", assessment.target.name),
        fingerprints: assessment
            .evidence
            .iter()
            .flat_map(|e| &e.findings)
            .map(|f| f.fingerprint.clone())
            .collect(),
    }
}

/// A baseline as TOML, fingerprints sorted.
pub fn write_baseline(baseline: &Baseline) -> Result<String> {
    let raw = RawBaseline {
        source: baseline.source.clone(),
        fingerprints: baseline.fingerprints.clone(),
    };
    let body = toml::to_string(&raw).map_err(Error::Serialise)?;
    Ok(format!(
        "# Fingerprints of accepted findings; `diligence render --baseline` marks them.\n{body}"
    ))
}

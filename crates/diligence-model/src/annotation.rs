//! The consultant's layer over an assessment: report metadata, comments,
//! risk acceptances, status overrides and the baseline of a previous
//! assessment. Annotations never change the evidence, the control results
//! or the scores; reports print them beside the tool's results as the
//! consultant's.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::assessment::ControlStatus;
use crate::id::ControlId;
use crate::time::Timestamp;

/// Who the report is for and who prepared it. Empty fields are left out.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ReportMeta {
    /// The client the report is prepared for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The firm or person who prepared it; consultant's notes are
    /// attributed to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_by: Option<String>,
    /// The engagement's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement: Option<String>,
    /// Path of a logo image for the cover, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

/// A comment on one finding.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FindingComment {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The comment.
    pub comment: String,
}

/// A comment on one control.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ControlComment {
    /// The control.
    pub control: ControlId,
    /// The comment.
    pub comment: String,
}

/// A finding whose risk the client accepts, for a time.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Acceptance {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who owns the risk.
    pub owner: String,
    /// Last day the acceptance holds.
    pub expires: Timestamp,
    /// Whether it had expired at the assessment's reference date; an
    /// expired acceptance no longer counts and the finding counts again.
    pub expired: bool,
    /// Whether a finding of the assessment has this fingerprint.
    pub matched: bool,
}

/// The consultant's status for a control, beside the tool's.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct StatusOverride {
    /// The control.
    pub control: ControlId,
    /// The tool's status.
    pub original: ControlStatus,
    /// The consultant's status.
    pub status: ControlStatus,
    /// The written justification.
    pub justification: String,
}

/// Fingerprints of findings accepted in a previous assessment.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Baseline {
    /// Where it came from (file name, engagement).
    pub source: String,
    /// The accepted fingerprints.
    pub fingerprints: BTreeSet<String>,
}

/// Everything a consultant adds to an assessment.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Annotations {
    /// Report metadata.
    #[serde(default)]
    pub meta: ReportMeta,
    /// Comments on findings, by fingerprint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finding_comments: Vec<FindingComment>,
    /// Comments on controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_comments: Vec<ControlComment>,
    /// Risk acceptances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptances: Vec<Acceptance>,
    /// Status overrides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<StatusOverride>,
    /// The baseline of a previous assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
}

impl Annotations {
    /// The acceptance in force for a fingerprint: present and not expired.
    pub fn active_acceptance(&self, fingerprint: &str) -> Option<&Acceptance> {
        self.acceptances
            .iter()
            .find(|a| a.fingerprint == fingerprint && !a.expired)
    }

    /// Whether a finding is accepted: by an acceptance in force or by the
    /// baseline.
    pub fn is_accepted(&self, fingerprint: &str) -> bool {
        self.active_acceptance(fingerprint).is_some()
            || self
                .baseline
                .as_ref()
                .is_some_and(|b| b.fingerprints.contains(fingerprint))
    }

    /// The override of a control, if any.
    pub fn override_of(&self, control: &ControlId) -> Option<&StatusOverride> {
        self.overrides.iter().find(|o| &o.control == control)
    }
}

//! The annotations file: TOML written by a consultant beside the scan.

use std::collections::BTreeSet;

use diligence_model::{
    Acceptance, Annotations, Assessment, ControlComment, ControlId, ControlStatus, FindingComment,
    ReportMeta, StatusOverride, Timestamp,
};
use serde::Deserialize;

use crate::error::{Error, Result};

const WHAT: &str = "annotations";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    report: RawMeta,
    #[serde(default)]
    finding: Vec<RawFindingComment>,
    #[serde(default)]
    control: Vec<RawControlComment>,
    #[serde(default)]
    accept: Vec<RawAcceptance>,
    #[serde(default, rename = "override")]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    client: Option<String>,
    prepared_by: Option<String>,
    engagement: Option<String>,
    logo: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFindingComment {
    fingerprint: String,
    comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControlComment {
    id: String,
    comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAcceptance {
    fingerprint: String,
    reason: String,
    owner: String,
    expires: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    control: String,
    status: ControlStatus,
    justification: String,
}

/// A parsed annotations file, not yet resolved against an assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnnotationsFile {
    /// Report metadata (`[report]`).
    pub meta: ReportMeta,
    finding_comments: Vec<FindingComment>,
    control_comments: Vec<ControlComment>,
    acceptances: Vec<(String, String, String, Timestamp)>,
    overrides: Vec<(ControlId, ControlStatus, String)>,
}

fn invalid(message: String) -> Error {
    Error::Invalid {
        what: WHAT,
        message,
    }
}

fn required(field: &str, entry: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(invalid(format!("{entry}: `{field}` must not be empty")));
    }
    Ok(())
}

impl AnnotationsFile {
    /// Parses the TOML text of an annotations file.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: RawFile = toml::from_str(text).map_err(|e| Error::Toml {
            what: WHAT,
            source: Box::new(e),
        })?;
        let mut file = Self {
            meta: ReportMeta {
                client: raw.report.client,
                prepared_by: raw.report.prepared_by,
                engagement: raw.report.engagement,
                logo: raw.report.logo,
            },
            ..Self::default()
        };
        for c in raw.finding {
            required(
                "comment",
                &format!("[[finding]] {}", c.fingerprint),
                &c.comment,
            )?;
            file.finding_comments.push(FindingComment {
                fingerprint: c.fingerprint,
                comment: c.comment,
            });
        }
        for c in raw.control {
            let control =
                ControlId::new(&c.id).map_err(|e| invalid(format!("[[control]] {}: {e}", c.id)))?;
            required("comment", &format!("[[control]] {}", c.id), &c.comment)?;
            file.control_comments.push(ControlComment {
                control,
                comment: c.comment,
            });
        }
        for a in raw.accept {
            let entry = format!("[[accept]] {}", a.fingerprint);
            required("reason", &entry, &a.reason)?;
            required("owner", &entry, &a.owner)?;
            let expires = Timestamp::parse(&a.expires)
                .map_err(|e| invalid(format!("{entry}: `expires`: {e}")))?;
            file.acceptances
                .push((a.fingerprint, a.reason, a.owner, expires));
        }
        for o in raw.overrides {
            let entry = format!("[[override]] {}", o.control);
            let control =
                ControlId::new(&o.control).map_err(|e| invalid(format!("{entry}: {e}")))?;
            required("justification", &entry, &o.justification)?;
            file.overrides.push((control, o.status, o.justification));
        }
        Ok(file)
    }

    /// Resolves the file against an assessment: acceptances are compared
    /// with the assessment's reference date (an acceptance holds through
    /// its expiry day), overrides record the tool's status beside the
    /// consultant's. Fails when a comment or override names a control the
    /// assessment does not have.
    pub fn resolve(&self, assessment: &Assessment) -> Result<Annotations> {
        let reference = reference_date(assessment);
        let fingerprints: BTreeSet<&str> = assessment
            .evidence
            .iter()
            .flat_map(|e| &e.findings)
            .map(|f| f.fingerprint.as_str())
            .collect();
        let status_of = |id: &ControlId| {
            assessment
                .controls
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.status)
                .ok_or_else(|| invalid(format!("control `{id}` is not in the assessment")))
        };
        for c in &self.control_comments {
            status_of(&c.control)?;
        }
        let mut annotations = Annotations {
            meta: self.meta.clone(),
            finding_comments: self.finding_comments.clone(),
            control_comments: self.control_comments.clone(),
            acceptances: self
                .acceptances
                .iter()
                .map(|(fingerprint, reason, owner, expires)| Acceptance {
                    fingerprint: fingerprint.clone(),
                    reason: reason.clone(),
                    owner: owner.clone(),
                    expires: *expires,
                    // The expiry day itself is still covered.
                    expired: reference.is_some_and(|r| r.days() > expires.days()),
                    matched: fingerprints.contains(fingerprint.as_str()),
                })
                .collect(),
            overrides: Vec::new(),
            baseline: None,
        };
        for (control, status, justification) in &self.overrides {
            annotations.overrides.push(StatusOverride {
                control: control.clone(),
                original: status_of(control)?,
                status: *status,
                justification: justification.clone(),
            });
        }
        annotations.finding_comments.sort();
        annotations.control_comments.sort();
        annotations.acceptances.sort();
        annotations.overrides.sort();
        Ok(annotations)
    }
}

/// The date acceptances are judged at: the assessment's reference date,
/// else HEAD's date; `None` when it has neither (acceptances then hold).
pub fn reference_date(assessment: &Assessment) -> Option<Timestamp> {
    assessment
        .options
        .as_of
        .or_else(|| assessment.target.vcs.as_ref().and_then(|v| v.head_date))
}

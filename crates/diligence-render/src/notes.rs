//! The consultant's annotations as every report prints them: metadata for
//! the header, notes beside controls and findings, and the annotations
//! part. Nothing here changes a status, a score or a finding: the
//! consultant's words are printed beside the tool's, attributed to them.

use diligence_model::{Acceptance, Annotations, Assessment, ControlId, Finding};
use serde::Serialize;

/// Who the report is for and who prepared it.
#[derive(Debug, Default, Serialize)]
pub(crate) struct MetaView {
    client: Option<String>,
    prepared_by: Option<String>,
    engagement: Option<String>,
    /// Whether any field is set.
    any: bool,
}

/// The consultant's annotations part.
#[derive(Debug, Serialize)]
pub(crate) struct NotesView {
    /// To whom the notes are attributed.
    by: String,
    acceptances: Vec<AcceptanceRow>,
    finding_comments: Vec<FindingCommentRow>,
    control_comments: Vec<ControlCommentRow>,
    overrides: Vec<OverrideRow>,
    baseline: Option<BaselineRow>,
    /// Findings of this assessment an acceptance in force or the baseline covers.
    accepted: usize,
    /// Findings of this assessment whose acceptance has expired.
    expired: usize,
}

#[derive(Debug, Serialize)]
struct AcceptanceRow {
    fingerprint: String,
    rule: Option<String>,
    reason: String,
    owner: String,
    expires: String,
    expired: bool,
    state: &'static str,
}

#[derive(Debug, Serialize)]
struct FindingCommentRow {
    fingerprint: String,
    rule: Option<String>,
    comment: String,
}

#[derive(Debug, Serialize)]
struct ControlCommentRow {
    control: String,
    comment: String,
}

#[derive(Debug, Serialize)]
struct OverrideRow {
    control: String,
    original: String,
    status: String,
    justification: String,
}

#[derive(Debug, Serialize)]
struct BaselineRow {
    source: String,
    fingerprints: usize,
}

/// The consultant's note on one control: comments and a status override.
#[derive(Debug, Serialize)]
pub(crate) struct ControlNote {
    by: String,
    comments: Vec<String>,
    status: Option<String>,
    original: Option<String>,
    justification: Option<String>,
}

/// What the consultant says about one finding.
#[derive(Debug, Default, Serialize)]
pub(crate) struct FindingNote {
    /// Whether an acceptance in force or the baseline covers it.
    pub(crate) accepted: bool,
    /// One line for tables: acceptance, expiry and comment.
    pub(crate) text: String,
}

/// The name notes are attributed to.
pub(crate) fn attribution(notes: &Annotations) -> String {
    notes
        .meta
        .prepared_by
        .clone()
        .unwrap_or_else(|| "the consultant".to_owned())
}

pub(crate) fn meta(a: &Assessment) -> MetaView {
    let Some(notes) = &a.annotations else {
        return MetaView::default();
    };
    let m = &notes.meta;
    MetaView {
        client: m.client.clone(),
        prepared_by: m.prepared_by.clone(),
        engagement: m.engagement.clone(),
        any: m.client.is_some() || m.prepared_by.is_some() || m.engagement.is_some(),
    }
}

fn rule_of<'a>(a: &'a Assessment, fingerprint: &str) -> Option<&'a Finding> {
    a.evidence
        .iter()
        .flat_map(|e| &e.findings)
        .find(|f| f.fingerprint == fingerprint)
}

fn acceptance_state(x: &Acceptance) -> &'static str {
    match (x.expired, x.matched) {
        (true, _) => "expired: the finding counts again",
        (false, false) => "in force; no finding of this assessment has this fingerprint",
        (false, true) => "in force",
    }
}

pub(crate) fn notes(a: &Assessment) -> Option<NotesView> {
    let notes = a.annotations.as_ref()?;
    let all: Vec<&Finding> = a.evidence.iter().flat_map(|e| &e.findings).collect();
    let accepted = all
        .iter()
        .filter(|f| notes.is_accepted(&f.fingerprint))
        .count();
    let expired = all
        .iter()
        .filter(|f| !notes.is_accepted(&f.fingerprint) && expired_acceptance(notes, f).is_some())
        .count();
    let view = NotesView {
        by: attribution(notes),
        acceptances: notes
            .acceptances
            .iter()
            .map(|x| AcceptanceRow {
                fingerprint: x.fingerprint.clone(),
                rule: rule_of(a, &x.fingerprint).map(|f| f.rule.to_string()),
                reason: x.reason.clone(),
                owner: x.owner.clone(),
                expires: x.expires.date_string(),
                expired: x.expired,
                state: acceptance_state(x),
            })
            .collect(),
        finding_comments: notes
            .finding_comments
            .iter()
            .map(|c| FindingCommentRow {
                fingerprint: c.fingerprint.clone(),
                rule: rule_of(a, &c.fingerprint).map(|f| f.rule.to_string()),
                comment: c.comment.clone(),
            })
            .collect(),
        control_comments: notes
            .control_comments
            .iter()
            .map(|c| ControlCommentRow {
                control: c.control.to_string(),
                comment: c.comment.clone(),
            })
            .collect(),
        overrides: notes
            .overrides
            .iter()
            .map(|o| OverrideRow {
                control: o.control.to_string(),
                original: o.original.label().to_owned(),
                status: o.status.label().to_owned(),
                justification: o.justification.clone(),
            })
            .collect(),
        baseline: notes.baseline.as_ref().map(|b| BaselineRow {
            source: b.source.clone(),
            fingerprints: b.fingerprints.len(),
        }),
        accepted,
        expired,
    };
    // Metadata alone makes no annotations part.
    let empty = view.acceptances.is_empty()
        && view.finding_comments.is_empty()
        && view.control_comments.is_empty()
        && view.overrides.is_empty()
        && view.baseline.is_none();
    (!empty).then_some(view)
}

/// An expired acceptance of a finding, when no acceptance in force covers it.
fn expired_acceptance<'a>(notes: &'a Annotations, f: &Finding) -> Option<&'a Acceptance> {
    notes
        .acceptances
        .iter()
        .find(|x| x.fingerprint == f.fingerprint && x.expired)
}

pub(crate) fn control_note(a: &Assessment, control: &ControlId) -> Option<ControlNote> {
    let notes = a.annotations.as_ref()?;
    let comments: Vec<String> = notes
        .control_comments
        .iter()
        .filter(|c| &c.control == control)
        .map(|c| c.comment.clone())
        .collect();
    let over = notes.override_of(control);
    if comments.is_empty() && over.is_none() {
        return None;
    }
    Some(ControlNote {
        by: attribution(notes),
        comments,
        status: over.map(|o| o.status.label().to_owned()),
        original: over.map(|o| o.original.label().to_owned()),
        justification: over.map(|o| o.justification.clone()),
    })
}

/// The consultant's status of a control, when overridden.
pub(crate) fn override_status(a: &Assessment, control: &ControlId) -> Option<String> {
    let o = a.annotations.as_ref()?.override_of(control)?;
    Some(o.status.label().to_owned())
}

pub(crate) fn finding_note(a: &Assessment, f: &Finding) -> FindingNote {
    let Some(notes) = &a.annotations else {
        return FindingNote::default();
    };
    let mut parts = Vec::new();
    let mut accepted = false;
    if let Some(x) = notes.active_acceptance(&f.fingerprint) {
        accepted = true;
        parts.push(format!(
            "Accepted until {} (owner: {}): {}",
            x.expires.date_string(),
            x.owner,
            x.reason
        ));
    } else if notes
        .baseline
        .as_ref()
        .is_some_and(|b| b.fingerprints.contains(&f.fingerprint))
    {
        accepted = true;
        parts.push("Accepted in a previous assessment (baseline)".to_owned());
    } else if let Some(x) = expired_acceptance(notes, f) {
        parts.push(format!(
            "Acceptance expired on {} (owner: {}): counts again",
            x.expires.date_string(),
            x.owner
        ));
    }
    for c in notes
        .finding_comments
        .iter()
        .filter(|c| c.fingerprint == f.fingerprint)
    {
        parts.push(format!("Comment: {}", c.comment));
    }
    let mut text = parts
        .iter()
        .map(|p| p.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join(". ");
    if !text.is_empty() {
        text.push('.');
    }
    FindingNote { accepted, text }
}

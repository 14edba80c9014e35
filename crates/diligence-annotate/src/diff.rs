//! The difference between two assessments of the same target: findings
//! fixed, new and unchanged (matched by fingerprint), and how the verdict,
//! the scores and the control statuses moved.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use diligence_model::{Assessment, Finding};
use serde::Serialize;

/// One finding as the diff lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEntry {
    /// Fingerprint.
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Severity.
    pub severity: String,
    /// Where it was seen.
    pub location: String,
    /// What was found.
    pub message: String,
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement<T> {
    /// In the old assessment.
    pub old: T,
    /// In the new assessment.
    pub new: T,
}

/// A section's score before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionMovement {
    /// Section title.
    pub title: String,
    /// Score before and after (`None`: not scored).
    pub score: Movement<Option<u32>>,
}

/// A control whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusMovement {
    /// Control id.
    pub control: String,
    /// Control title.
    pub title: String,
    /// Status labels before and after (`absent` when the control is new or gone).
    pub status: Movement<String>,
}

/// Everything that changed between two assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Target and commit of the old assessment.
    pub old: String,
    /// Target and commit of the new assessment.
    pub new: String,
    /// Verdict before and after.
    pub verdict: Movement<String>,
    /// Overall score before and after.
    pub overall: Movement<Option<u32>>,
    /// Evidence coverage before and after, per cent.
    pub coverage: Movement<u32>,
    /// Remediation total before and after.
    pub effort: Movement<String>,
    /// Per-section scores, in the new framework's order, then sections only the old had.
    pub sections: Vec<SectionMovement>,
    /// Controls whose status changed.
    pub statuses: Vec<StatusMovement>,
    /// Findings of the old assessment that are gone.
    pub fixed: Vec<FindingEntry>,
    /// Findings that the old assessment did not have.
    pub new_findings: Vec<FindingEntry>,
    /// Findings in both.
    pub unchanged: Vec<FindingEntry>,
}

fn label(a: &Assessment) -> String {
    let commit = a
        .target
        .vcs
        .as_ref()
        .and_then(|v| v.head.as_deref())
        .map_or_else(
            || "no commit".to_owned(),
            |c| c.get(..12).unwrap_or(c).to_owned(),
        );
    format!("{} at {commit}", a.target.name)
}

fn by_fingerprint(a: &Assessment) -> BTreeMap<&str, &Finding> {
    a.evidence
        .iter()
        .flat_map(|e| &e.findings)
        .map(|f| (f.fingerprint.as_str(), f))
        .collect()
}

fn entry(f: &Finding) -> FindingEntry {
    FindingEntry {
        fingerprint: f.fingerprint.clone(),
        rule: f.rule.to_string(),
        severity: f.severity.to_string(),
        location: f.location.to_string(),
        message: f.message.clone(),
    }
}

/// Sorts entries most severe first, then by rule and location.
fn sorted(mut entries: Vec<(&Finding, FindingEntry)>) -> Vec<FindingEntry> {
    entries.sort_by(|(a, _), (b, _)| {
        b.severity
            .cmp(&a.severity)
            .then(a.sort_key().cmp(&b.sort_key()))
    });
    entries.into_iter().map(|(_, e)| e).collect()
}

/// Compares two assessments.
pub fn diff(old: &Assessment, new: &Assessment) -> Diff {
    let before = by_fingerprint(old);
    let after = by_fingerprint(new);
    let fixed = before
        .iter()
        .filter(|(fp, _)| !after.contains_key(*fp))
        .map(|(_, f)| (*f, entry(f)))
        .collect();
    let new_findings = after
        .iter()
        .filter(|(fp, _)| !before.contains_key(*fp))
        .map(|(_, f)| (*f, entry(f)))
        .collect();
    let unchanged = after
        .iter()
        .filter(|(fp, _)| before.contains_key(*fp))
        .map(|(_, f)| (*f, entry(f)))
        .collect();

    let mut sections: Vec<SectionMovement> = new
        .scores
        .sections
        .iter()
        .map(|s| SectionMovement {
            title: s.title.clone(),
            score: Movement {
                old: old
                    .scores
                    .sections
                    .iter()
                    .find(|o| o.id == s.id)
                    .and_then(|o| o.score),
                new: s.score,
            },
        })
        .collect();
    sections.extend(
        old.scores
            .sections
            .iter()
            .filter(|o| new.scores.sections.iter().all(|s| s.id != o.id))
            .map(|o| SectionMovement {
                title: o.title.clone(),
                score: Movement {
                    old: o.score,
                    new: None,
                },
            }),
    );

    let mut statuses = Vec::new();
    for c in &new.controls {
        let was = old.controls.iter().find(|o| o.id == c.id);
        if was.map(|o| o.status) != Some(c.status) {
            statuses.push(StatusMovement {
                control: c.id.to_string(),
                title: c.title.clone(),
                status: Movement {
                    old: was.map_or_else(|| "absent".to_owned(), |o| o.status.label().to_owned()),
                    new: c.status.label().to_owned(),
                },
            });
        }
    }
    for o in old
        .controls
        .iter()
        .filter(|o| new.controls.iter().all(|c| c.id != o.id))
    {
        statuses.push(StatusMovement {
            control: o.id.to_string(),
            title: o.title.clone(),
            status: Movement {
                old: o.status.label().to_owned(),
                new: "absent".to_owned(),
            },
        });
    }

    Diff {
        old: label(old),
        new: label(new),
        verdict: Movement {
            old: old.gate.verdict.label().to_owned(),
            new: new.gate.verdict.label().to_owned(),
        },
        overall: Movement {
            old: old.scores.overall,
            new: new.scores.overall,
        },
        coverage: Movement {
            old: old.scores.coverage,
            new: new.scores.coverage,
        },
        effort: Movement {
            old: old.remediation.total.to_string(),
            new: new.remediation.total.to_string(),
        },
        sections,
        statuses,
        fixed: sorted(fixed),
        new_findings: sorted(new_findings),
        unchanged: sorted(unchanged),
    }
}

fn score(s: Option<u32>) -> String {
    s.map_or_else(|| "not scored".to_owned(), |v| v.to_string())
}

fn delta(m: &Movement<Option<u32>>) -> String {
    match (m.old, m.new) {
        (Some(a), Some(b)) if b > a => format!("+{}", b - a),
        (Some(a), Some(b)) if b < a => format!("−{}", a - b),
        (Some(_), Some(_)) => "±0".to_owned(),
        _ => "—".to_owned(),
    }
}

/// Text for a Markdown table cell: one line, pipes and markup escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn findings_table(out: &mut String, title: &str, entries: &[FindingEntry]) {
    let _ = writeln!(out, "\n## {title} ({})\n", entries.len());
    if entries.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str("| Severity | Rule | Location | Finding | Fingerprint |\n|---|---|---|---|---|\n");
    for e in entries {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | `{}` |",
            e.severity,
            e.rule,
            cell(&e.location),
            cell(&e.message),
            e.fingerprint
        );
    }
}

impl Diff {
    /// The diff as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Changes from {} to {}\n",
            cell(&self.old),
            cell(&self.new)
        );
        out.push_str("| | Before | After | Change |\n|---|---|---|---|\n");
        let _ = writeln!(
            out,
            "| Verdict | {} | {} | {} |",
            self.verdict.old,
            self.verdict.new,
            if self.verdict.old == self.verdict.new {
                "unchanged"
            } else {
                "changed"
            }
        );
        let _ = writeln!(
            out,
            "| Overall score | {} | {} | {} |",
            score(self.overall.old),
            score(self.overall.new),
            delta(&self.overall)
        );
        let _ = writeln!(
            out,
            "| Evidence coverage | {}% | {}% | {} |",
            self.coverage.old,
            self.coverage.new,
            delta(&Movement {
                old: Some(self.coverage.old),
                new: Some(self.coverage.new)
            })
        );
        let _ = writeln!(
            out,
            "| Remediation effort | {} | {} | |",
            self.effort.old, self.effort.new
        );
        for s in &self.sections {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&s.title),
                score(s.score.old),
                score(s.score.new),
                delta(&s.score)
            );
        }
        let _ = writeln!(
            out,
            "\n## Control status changes ({})\n",
            self.statuses.len()
        );
        if self.statuses.is_empty() {
            out.push_str("None.\n");
        } else {
            out.push_str("| Control | Before | After |\n|---|---|---|\n");
            for s in &self.statuses {
                let _ = writeln!(
                    out,
                    "| `{}` {} | {} | {} |",
                    s.control,
                    cell(&s.title),
                    s.status.old,
                    s.status.new
                );
            }
        }
        findings_table(&mut out, "Fixed findings", &self.fixed);
        findings_table(&mut out, "New findings", &self.new_findings);
        let _ = writeln!(
            out,
            "\n## Unchanged findings\n\n{}",
            match self.unchanged.len() {
                0 => "No finding is in both assessments.".to_owned(),
                1 => "1 finding is in both assessments.".to_owned(),
                n => format!("{n} findings are in both assessments."),
            }
        );
        out
    }

    /// The diff as pretty JSON.
    pub fn json(&self) -> crate::Result<String> {
        let mut text = serde_json::to_string_pretty(self).map_err(crate::Error::Json)?;
        text.push('\n');
        Ok(text)
    }
}

//! The assessment: the whole serialisable result of a scan.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::annotation::Annotations;
use crate::evidence::{CollectorFailure, Evidence};
use crate::fact::FactValue;
use crate::finding::{Effort, Severity};
use crate::id::{CollectorId, ControlId, FactName, RuleId, SectionId};
use crate::time::Timestamp;

/// The tool that produced an assessment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// Tool name, `diligence`.
    pub name: String,
    /// Tool version.
    pub version: String,
}

/// Version-control identity of the target.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct VcsInfo {
    /// The commit scanned; `None` for a repository without commits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The branch HEAD points at; `None` when detached or unborn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Whether HEAD is detached.
    pub detached: bool,
    /// URL of the `origin` remote (or the only remote), credentials removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Committer date of HEAD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_date: Option<Timestamp>,
    /// Whether the clone is shallow (history evidence is partial).
    pub shallow: bool,
    /// Whether the repository is bare (no worktree).
    pub bare: bool,
}

/// What was scanned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TargetInfo {
    /// Display name: the repository folder's name.
    pub name: String,
    /// Git identity; `None` for a plain directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs: Option<VcsInfo>,
}

/// The framework the evidence was scored against.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkInfo {
    /// Framework id.
    pub id: String,
    /// Framework version.
    pub version: String,
    /// Human title.
    pub title: String,
    /// `embedded` or the file name it was loaded from.
    pub source: String,
}

/// Options that shaped the result (never the thread count: results do not
/// depend on it).
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ScanOptionsInfo {
    /// Collectors that ran, in order.
    pub collectors: Vec<CollectorId>,
    /// The reference date used for "last 90 days" and similar windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
    /// Live validation of found credentials, when the user asked for it
    /// (`--validate`): the one scan option that uses the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_validation: Option<LiveValidationInfo>,
}

/// How live validation ran: which hosts were asked and what they said.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct LiveValidationInfo {
    /// Hosts contacted, sorted: provider endpoints asked over HTTPS, and
    /// database hosts whose names were resolved (never connected to).
    pub hosts: Vec<String>,
    /// Findings checked.
    pub checked: usize,
    /// Proven live.
    pub live: usize,
    /// Refused by the provider, or a database host that no longer resolves.
    pub revoked: usize,
    /// Not decided.
    pub unknown: usize,
    /// The time limit of one request, in seconds.
    pub timeout_seconds: u64,
    /// The most requests in flight at once.
    pub concurrency: usize,
}

/// A database that fed the assessment (advisories, rules).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseInfo {
    /// Name (`rustsec`, `osv-pypi`, `secret-rules`).
    pub name: String,
    /// Version, snapshot date or commit, as known.
    pub version: String,
}

/// The status of one control.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// The evidence meets the control.
    Pass,
    /// Partly met.
    Partial,
    /// Not met.
    Fail,
    /// No evidence either way: a question for management, never a pass.
    NotEvidenced,
    /// The control does not apply to this target.
    NotApplicable,
}

impl ControlStatus {
    /// The label printed in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "Pass",
            Self::Partial => "Partial",
            Self::Fail => "Fail",
            Self::NotEvidenced => "Not evidenced",
            Self::NotApplicable => "Not applicable",
        }
    }

    /// Points out of 100 for an evidenced status; `None` for the others.
    pub fn points(self) -> Option<u32> {
        match self {
            Self::Pass => Some(100),
            Self::Partial => Some(50),
            Self::Fail => Some(0),
            Self::NotEvidenced | Self::NotApplicable => None,
        }
    }
}

impl fmt::Display for ControlStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A pointer from a control to the evidence behind its status.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EvidenceRef {
    /// A fact and the value it had.
    Fact {
        /// Fact name.
        name: FactName,
        /// Its value, as printed.
        value: String,
    },
    /// Findings of a rule.
    Findings {
        /// Rule id or pattern (`secrets.*`).
        rule: String,
        /// How many findings matched.
        count: u32,
        /// The worst severity among them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        worst: Option<Severity>,
    },
    /// A collector that failed or could not run.
    Failure {
        /// The collector.
        collector: CollectorId,
    },
}

/// One control's result.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ControlResult {
    /// Control id.
    pub id: ControlId,
    /// Section it belongs to.
    pub section: SectionId,
    /// Human title.
    pub title: String,
    /// Status.
    pub status: ControlStatus,
    /// Whether a failure breaks the gate.
    pub critical: bool,
    /// Weight within its section.
    pub weight: u32,
    /// Why it got this status, one sentence per check.
    pub rationale: Vec<String>,
    /// Evidence behind the status.
    pub evidence: Vec<EvidenceRef>,
    /// Whether the evidence is partial (shallow history, skipped files).
    pub partial_evidence: bool,
    /// The question to put to management when evidence is missing or weak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// How to fix it, when failed or partial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Effort to fix, when failed or partial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    /// Fingerprints of the findings behind the result: those its rule
    /// checks counted (with their severity, confidence and context
    /// filters), or those its remediation fixes; in report order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// The score of one section.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct SectionScore {
    /// Section id.
    pub id: SectionId,
    /// Human title.
    pub title: String,
    /// 0–100 over evidenced controls; `None` when nothing was evidenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    /// Share of the section's weight that was evidenced, 0–100.
    pub coverage: u32,
    /// Controls by status: pass, partial, fail, not evidenced, not applicable.
    pub counts: StatusCounts,
}

/// Number of controls per status.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct StatusCounts {
    /// Passed.
    pub pass: u32,
    /// Partly met.
    pub partial: u32,
    /// Failed.
    pub fail: u32,
    /// Not evidenced.
    pub not_evidenced: u32,
    /// Not applicable.
    pub not_applicable: u32,
}

impl StatusCounts {
    /// Counts one more control of `status`.
    pub fn add(&mut self, status: ControlStatus) {
        match status {
            ControlStatus::Pass => self.pass += 1,
            ControlStatus::Partial => self.partial += 1,
            ControlStatus::Fail => self.fail += 1,
            ControlStatus::NotEvidenced => self.not_evidenced += 1,
            ControlStatus::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// Overall and per-section scores.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Scores {
    /// 0–100 over all evidenced controls; `None` when nothing was evidenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<u32>,
    /// Share of the framework's weight that was evidenced, 0–100.
    pub coverage: u32,
    /// Per section, in framework order.
    pub sections: Vec<SectionScore>,
}

/// The gate verdict.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Meets every threshold.
    ProductionReady,
    /// No critical failure, but below a threshold; reasons listed.
    Conditional,
    /// A critical control failed.
    Prototype,
}

impl Verdict {
    /// The label printed in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::ProductionReady => "Production-ready",
            Self::Conditional => "Conditional",
            Self::Prototype => "Prototype",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The verdict with its reasons.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Gate {
    /// The verdict.
    pub verdict: Verdict,
    /// Why it is not production-ready, one line each; empty when it is.
    pub reasons: Vec<String>,
}

/// A unit of remediation work: one control and its fix.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct WorkItem {
    /// The control it fixes.
    pub control: ControlId,
    /// What to do.
    pub title: String,
    /// The findings it covers.
    pub findings: u32,
    /// Units of work it counts (credentials to rotate, dependencies to
    /// move); the effort is the sum over them. 0 for a whole-control item.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub units: u32,
    /// Where the findings behind it are (`path:line`, up to five).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// Estimated effort.
    pub effort: Effort,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Work items with their total.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RemediationPlan {
    /// Work items, most severe control first.
    pub items: Vec<WorkItem>,
    /// Sum of the items.
    pub total: Effort,
    /// Assumptions behind the estimates.
    pub assumptions: Vec<String>,
}

/// A question for management.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    /// The control that raised it.
    pub control: ControlId,
    /// The question.
    pub text: String,
    /// Why it is asked (not evidenced, partial, ...).
    pub reason: String,
    /// The evidence it rests on: files of the findings behind the control.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// The whole result of a scan: what renderers read and tool builders embed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// Version of this structure, [`SCHEMA_VERSION`](crate::SCHEMA_VERSION).
    pub schema_version: u32,
    /// The tool.
    pub tool: ToolInfo,
    /// The target.
    pub target: TargetInfo,
    /// The framework.
    pub framework: FrameworkInfo,
    /// Options that shaped the result.
    pub options: ScanOptionsInfo,
    /// When the report was generated, only when asked for (it breaks
    /// byte-identical output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<Timestamp>,
    /// Databases that fed the evidence.
    #[serde(default)]
    pub databases: Vec<DatabaseInfo>,
    /// Evidence per collector, in collector order.
    pub evidence: Vec<Evidence>,
    /// Collectors that produced no evidence.
    #[serde(default)]
    pub failures: Vec<CollectorFailure>,
    /// Control results, in framework order.
    pub controls: Vec<ControlResult>,
    /// Scores.
    pub scores: Scores,
    /// The gate verdict.
    pub gate: Gate,
    /// Remediation work items.
    pub remediation: RemediationPlan,
    /// Questions for management.
    pub questions: Vec<Question>,
    /// The consultant's annotations, when merged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
}

impl Assessment {
    /// The evidence of a collector, if it ran.
    pub fn evidence_of(&self, collector: &str) -> Option<&Evidence> {
        self.evidence
            .iter()
            .find(|e| e.collector.as_str() == collector)
    }

    /// A fact by name, from whichever collector recorded it.
    pub fn fact(&self, name: &str) -> Option<&FactValue> {
        self.evidence
            .iter()
            .find_map(|e| e.facts.get(name))
            .map(|f| &f.value)
    }

    /// Every finding of a rule id.
    pub fn findings_of<'a>(&'a self, rule: &'a RuleId) -> impl Iterator<Item = &'a crate::Finding> {
        self.evidence
            .iter()
            .flat_map(|e| e.findings.iter())
            .filter(move |f| &f.rule == rule)
    }
}

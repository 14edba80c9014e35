//! Findings: one observation tied to a rule, a place and a reason.

use std::collections::BTreeSet;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::RuleId;
use crate::redact::Redacted;
use crate::time::Timestamp;

/// How much a finding matters if it is true. Ordered: `Info < ... < Critical`.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Context for the reader, no action needed.
    Info,
    /// Worth fixing when convenient.
    Low,
    /// Should be fixed before or soon after a deal.
    Medium,
    /// A real risk; fix first.
    High,
    /// Breaks the gate on its own.
    Critical,
}

/// How sure the detector is that the finding is true. Ordered: `Low < Medium < High`.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// A heuristic that often misfires.
    Low,
    /// Usually right.
    Medium,
    /// Verified structure or an exact measurement.
    High,
}

impl Severity {
    /// The kebab-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Confidence {
    /// The kebab-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A commit a finding was seen in.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
pub struct CommitRef {
    /// Full hexadecimal object id.
    pub id: String,
    /// Author name (after `.mailmap`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Author date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
}

/// Where a finding was seen: a path in the tree, a line span, and for
/// history findings the commit that introduced it.
#[derive(
    Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
pub struct Location {
    /// Path relative to the repository root, with `/` separators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// First line, 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Last line, 1-based, when the finding spans several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// The commit that introduced the content, for history findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRef>,
    /// Whether the content is still in the tree at HEAD (history findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// Whether the assessed commit reaches the commit that introduced the
    /// content (history findings). Content on other branches is exposed to
    /// everyone with a clone all the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_scope: Option<bool>,
    /// When the assessed commit does not reach it: up to five branches and
    /// tags that do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// How many more references reach it beyond [`refs`](Self::refs).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refs_more: u32,
    /// The class of the file (production, test, example, template,
    /// vendored, generated): see [`classify`](crate::classify). Filled in
    /// from the path by [`Evidence::normalise`](crate::Evidence::normalise)
    /// when a collector did not set it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<crate::FileClass>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Location {
    /// The class of the location's file; production when it names none
    /// (a repository-wide finding).
    pub fn class_or_production(&self) -> crate::FileClass {
        self.class.unwrap_or_else(|| {
            self.path
                .as_deref()
                .map_or(crate::FileClass::Production, crate::classify)
        })
    }

    /// A location that names a file only.
    pub fn file(path: impl Into<String>) -> Self {
        Self {
            path: Some(path.into()),
            ..Self::default()
        }
    }

    /// A location that names a file and a line.
    pub fn line(path: impl Into<String>, line: u32) -> Self {
        Self {
            path: Some(path.into()),
            line: Some(line),
            ..Self::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(path), Some(line)) => write!(f, "{path}:{line}")?,
            (Some(path), None) => f.write_str(path)?,
            (None, _) => f.write_str("(repository)")?,
        }
        if let Some(commit) = &self.commit {
            write!(f, " @ {}", commit.id.get(..12).unwrap_or(&commit.id))?;
        }
        Ok(())
    }
}

/// What a report may quote from the evidence.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Excerpt {
    /// Text that holds no secret (a config line, a commit subject).
    Plain {
        /// The quoted text, at most a few hundred characters.
        text: String,
    },
    /// A secret, masked.
    Redacted {
        /// The mask.
        secret: Redacted,
    },
}

impl fmt::Display for Excerpt {
    /// The plain text, or the secret's mask: never a secret's value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain { text } => f.write_str(text),
            Self::Redacted { secret } => write!(f, "{secret}"),
        }
    }
}

/// A remediation estimate in engineer-days, kept in tenths of a day so that
/// sums are exact integers.
#[derive(
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Serialize,
    Deserialize,
    JsonSchema,
)]
pub struct Effort {
    /// Low estimate, tenths of an engineer-day.
    pub low_tenths: u32,
    /// High estimate, tenths of an engineer-day.
    pub high_tenths: u32,
}

impl Effort {
    /// A checked range, in tenths of an engineer-day.
    pub fn new(low_tenths: u32, high_tenths: u32) -> Result<Self> {
        if low_tenths > high_tenths {
            return Err(Error::InvalidEffort {
                low: low_tenths,
                high: high_tenths,
            });
        }
        Ok(Self {
            low_tenths,
            high_tenths,
        })
    }

    /// The range multiplied by a count (per-occurrence efforts).
    pub fn times(self, count: u32) -> Self {
        Self {
            low_tenths: self.low_tenths.saturating_mul(count),
            high_tenths: self.high_tenths.saturating_mul(count),
        }
    }

    /// Formats tenths of a day as a decimal (`5` → `0.5`, `20` → `2`).
    pub fn format_days(tenths: u32) -> String {
        if tenths.is_multiple_of(10) {
            (tenths / 10).to_string()
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    }
}

impl std::ops::Add for Effort {
    type Output = Self;

    /// The sum of two ranges (saturating).
    fn add(self, other: Self) -> Self {
        Self {
            low_tenths: self.low_tenths.saturating_add(other.low_tenths),
            high_tenths: self.high_tenths.saturating_add(other.high_tenths),
        }
    }
}

impl fmt::Display for Effort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{} days",
            Self::format_days(self.low_tenths),
            Self::format_days(self.high_tenths)
        )
    }
}

/// One observation: a rule that fired at a place, with how bad and how sure.
///
/// Build with [`Finding::builder`]; fields are public for reading.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable id of the rule that fired.
    pub rule: RuleId,
    /// How much it matters.
    pub severity: Severity,
    /// How sure the detector is.
    pub confidence: Confidence,
    /// One-sentence statement of what was found.
    pub message: String,
    /// The primary place it was seen.
    pub location: Location,
    /// Further places the same thing was seen (same secret, same pattern).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Location>,
    /// What a report may quote; secrets only ever as [`Redacted`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<Excerpt>,
    /// How to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Estimated effort to fix, when the rule carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    /// Context labels (`client-exposed`, `env-file`, `history-only`, ...).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// Stable identity across rescans, for baselines and SARIF.
    pub fingerprint: String,
    /// What a live check with the credential's provider found; only when
    /// the user asked for live validation (`--validate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveCheck>,
}

/// The outcome of checking a found credential with its provider.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LiveStatus {
    /// The provider's identity endpoint accepted it: anyone holding it can
    /// use it today.
    Live,
    /// The provider refused it as invalid, or its database host no longer
    /// resolves: a hygiene matter, not an open door.
    Revoked,
    /// Not decided: no check for this kind of credential, a missing pair,
    /// a timeout, or an answer that proves neither.
    Unknown,
}

impl LiveStatus {
    /// The kebab-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Revoked => "revoked",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for LiveStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A live check of one finding's credential (`--validate`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct LiveCheck {
    /// Live, revoked or unknown.
    pub status: LiveStatus,
    /// Why, in one sentence (the answer's status code or error name, never
    /// the credential or the provider's identity details).
    pub reason: String,
    /// The host asked, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Finding {
    /// The finding's class: production when any place that holds it is
    /// production, else the class of its primary location.
    pub fn class(&self) -> crate::FileClass {
        let primary = self.location.class_or_production();
        if primary == crate::FileClass::Production
            || self
                .occurrences
                .iter()
                .any(|l| l.class_or_production() == crate::FileClass::Production)
        {
            crate::FileClass::Production
        } else {
            primary
        }
    }

    /// Starts a finding for `rule`.
    pub fn builder(rule: RuleId, severity: Severity, confidence: Confidence) -> FindingBuilder {
        FindingBuilder {
            finding: Self {
                rule,
                severity,
                confidence,
                message: String::new(),
                location: Location::default(),
                occurrences: Vec::new(),
                excerpt: None,
                remediation: None,
                effort: None,
                tags: BTreeSet::new(),
                fingerprint: String::new(),
                live: None,
            },
        }
    }

    /// The total order findings are reported in: path, line, rule, fingerprint.
    pub fn sort_key(&self) -> (Option<&str>, Option<u32>, &RuleId, &str) {
        (
            self.location.path.as_deref(),
            self.location.line,
            &self.rule,
            &self.fingerprint,
        )
    }
}

/// Builds a [`Finding`] and checks its invariants once, in [`build`](Self::build).
#[derive(Debug, Clone)]
#[must_use]
pub struct FindingBuilder {
    finding: Finding,
}

impl FindingBuilder {
    /// Sets the message (required).
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.finding.message = message.into();
        self
    }

    /// Sets the primary location.
    pub fn location(mut self, location: Location) -> Self {
        self.finding.location = location;
        self
    }

    /// Adds a further occurrence.
    pub fn occurrence(mut self, location: Location) -> Self {
        self.finding.occurrences.push(location);
        self
    }

    /// Sets the excerpt.
    pub fn excerpt(mut self, excerpt: Excerpt) -> Self {
        self.finding.excerpt = Some(excerpt);
        self
    }

    /// Sets a plain-text excerpt, cut to 240 characters.
    pub fn plain_excerpt(self, text: &str) -> Self {
        let text: String = text.chars().take(240).collect();
        self.excerpt(Excerpt::Plain { text })
    }

    /// Sets the remediation advice.
    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.finding.remediation = Some(remediation.into());
        self
    }

    /// Sets the effort estimate.
    pub fn effort(mut self, effort: Effort) -> Self {
        self.finding.effort = Some(effort);
        self
    }

    /// Adds a context tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.finding.tags.insert(tag.into());
        self
    }

    /// Sets the fingerprint; without one, [`build`](Self::build) derives it
    /// from the rule, path, line and excerpt.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.finding.fingerprint = fingerprint.into();
        self
    }

    /// Checks the finding and returns it.
    pub fn build(mut self) -> Result<Finding> {
        let incomplete = |reason| Error::IncompleteFinding {
            rule: self.finding.rule.to_string(),
            reason,
        };
        if self.finding.message.trim().is_empty() {
            return Err(incomplete("message is empty"));
        }
        if self.finding.location.line.is_some() && self.finding.location.path.is_none() {
            return Err(incomplete("a line number needs a path"));
        }
        if let (Some(start), Some(end)) =
            (self.finding.location.line, self.finding.location.end_line)
            && end < start
        {
            return Err(incomplete("end line before start line"));
        }
        if self.finding.fingerprint.is_empty() {
            self.finding.fingerprint = derive_fingerprint(&self.finding);
        }
        self.finding.occurrences.sort();
        self.finding.occurrences.dedup();
        Ok(self.finding)
    }
}

/// FNV-1a over the fields that identify a finding; stable across runs and
/// platforms.
fn derive_fingerprint(finding: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(finding.rule.as_str().as_bytes());
    feed(
        finding
            .location
            .path
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
    );
    feed(&finding.location.line.unwrap_or(0).to_le_bytes());
    match &finding.excerpt {
        Some(Excerpt::Plain { text }) => feed(text.as_bytes()),
        Some(Excerpt::Redacted { secret }) => feed(secret.fingerprint().as_bytes()),
        None => feed(finding.message.as_bytes()),
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> RuleId {
        RuleId::new("git.example").unwrap()
    }

    #[test]
    fn builder_checks_invariants() {
        let empty = Finding::builder(rule(), Severity::Low, Confidence::High).build();
        assert!(empty.is_err());
        let line_without_path = Finding::builder(rule(), Severity::Low, Confidence::High)
            .message("m")
            .location(Location {
                line: Some(3),
                ..Location::default()
            })
            .build();
        assert!(line_without_path.is_err());
        let ok = Finding::builder(rule(), Severity::Low, Confidence::High)
            .message("m")
            .location(Location::line("a.rs", 3))
            .build()
            .unwrap();
        assert_eq!(ok.fingerprint.len(), 16);
    }

    #[test]
    fn fingerprint_is_stable_and_discriminating() {
        let make = |line| {
            Finding::builder(rule(), Severity::Low, Confidence::High)
                .message("m")
                .location(Location::line("a.rs", line))
                .build()
                .unwrap()
                .fingerprint
        };
        assert_eq!(make(1), make(1));
        assert_ne!(make(1), make(2));
    }

    #[test]
    fn excerpt_display_shows_text_or_mask_only() {
        let plain = Excerpt::Plain {
            text: "FROM node:20".into(),
        };
        assert_eq!(plain.to_string(), "FROM node:20");
        let value = ["sk", "_live_", "0123456789abcdef"].concat();
        let masked = Excerpt::Redacted {
            secret: Redacted::new(&value, "fp01"),
        }
        .to_string();
        assert!(
            masked.starts_with("sk_l") && masked.contains("fp01"),
            "{masked}"
        );
        assert!(!masked.contains(&value[4..]), "{masked}");
    }

    #[test]
    fn severity_orders() {
        assert!(Severity::Critical > Severity::High && Severity::Info < Severity::Low);
        assert!(Confidence::High > Confidence::Medium);
    }

    #[test]
    fn effort_arithmetic() {
        let e = Effort::new(5, 10).unwrap();
        assert_eq!(e.times(3) + e, Effort::new(20, 40).unwrap());
        assert_eq!(e.to_string(), "0.5–1 days");
        assert!(Effort::new(2, 1).is_err());
    }
}

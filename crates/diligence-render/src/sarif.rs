//! SARIF 2.1.0 for code-scanning tools: the subset we emit, as our own
//! serde structs.
//!
//! One run; one rule per rule id that fired, with help text and a link to
//! the rule's entry in the rules reference; one result per finding with
//! its location, the finding's fingerprint as `partialFingerprints` (so
//! results stay matched across rescans), and the commit, author and date
//! of history findings in `properties`. Findings accepted by the
//! consultant (an acceptance in force or the baseline) carry an external
//! suppression with the reason; expired acceptances do not.

use std::collections::BTreeMap;

use diligence_model::{Assessment, Excerpt, Finding, Severity};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rule_doc_anchor;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema URI written in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "diligence/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<Provenance>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
    properties: RunProperties,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Message,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    documentation: String,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provenance {
    repository_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u32>,
    coverage: u32,
    framework: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    severity: &'static str,
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_head: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<usize>,
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Percent-encodes what a relative URI may not hold, keeping `/`.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_of(first: &Finding) -> Rule {
    let id = first.rule.to_string();
    let doc = rule_doc_anchor(&first.rule);
    let advice = first
        .remediation
        .clone()
        .unwrap_or_else(|| "See the rule's documentation.".to_owned());
    Rule {
        short_description: Message {
            text: format!("{id}: {}", first.message),
        },
        help: Help {
            text: format!("{advice} Documentation: {doc}"),
            markdown: format!("{advice}\n\n[Rule documentation]({doc})"),
        },
        default_configuration: Configuration {
            level: level(first.severity),
        },
        properties: RuleProperties {
            documentation: doc,
            tags: vec![
                id.split('.').next().unwrap_or_default().to_owned(),
                "security".to_owned(),
            ],
        },
        id,
    }
}

/// Renders an assessment as a SARIF 2.1.0 log (pretty JSON, newline at the end).
pub fn sarif(assessment: &Assessment) -> Result<String> {
    let mut findings: Vec<&Finding> = assessment
        .evidence
        .iter()
        .flat_map(|e| &e.findings)
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut first_of: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in &findings {
        first_of.entry(f.rule.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = first_of
        .keys()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let rules = first_of.values().map(|f| rule_of(f)).collect();
    let annotations = assessment.annotations.as_ref();
    let results = findings
        .iter()
        .map(|f| {
            let loc = &f.location;
            let commit = loc.commit.as_ref();
            let mut suppressions = Vec::new();
            if let Some(notes) = annotations {
                if let Some(a) = notes.active_acceptance(&f.fingerprint) {
                    suppressions.push(Suppression {
                        kind: "external",
                        status: "accepted",
                        justification: format!(
                            "{} (owner {}, until {})",
                            a.reason,
                            a.owner,
                            a.expires.date_string()
                        ),
                    });
                } else if notes.is_accepted(&f.fingerprint) {
                    suppressions.push(Suppression {
                        kind: "external",
                        status: "accepted",
                        justification: "in the baseline of a previous assessment".to_owned(),
                    });
                }
            }
            SarifResult {
                rule_id: f.rule.as_str(),
                rule_index: index.get(f.rule.as_str()).copied().unwrap_or(0),
                level: level(f.severity),
                message: Message {
                    text: f.message.clone(),
                },
                locations: loc
                    .path
                    .as_ref()
                    .map(|path| SarifLocation {
                        physical_location: PhysicalLocation {
                            artifact_location: ArtifactLocation {
                                uri: uri(path),
                                uri_base_id: "%SRCROOT%",
                            },
                            region: loc.line.map(|line| Region {
                                start_line: line.max(1),
                                end_line: loc.end_line.filter(|end| *end >= line),
                            }),
                        },
                    })
                    .into_iter()
                    .collect(),
                partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
                suppressions,
                properties: ResultProperties {
                    severity: f.severity.as_str(),
                    confidence: f.confidence.as_str(),
                    commit: commit.map(|c| c.id.clone()),
                    author: commit.and_then(|c| c.author.clone()),
                    date: commit.and_then(|c| c.date).map(|d| d.to_string()),
                    at_head: loc.at_head,
                    // A secret only ever appears as its mask.
                    excerpt: f.excerpt.as_ref().map(|e| match e {
                        Excerpt::Plain { text } => text.clone(),
                        Excerpt::Redacted { secret } => secret.to_string(),
                    }),
                    occurrences: (!f.occurrences.is_empty()).then_some(f.occurrences.len()),
                },
            }
        })
        .collect();
    let vcs = assessment.target.vcs.as_ref();
    let provenance = vcs
        .and_then(|v| v.remote.as_ref().map(|remote| (v, remote)))
        .filter(|(_, remote)| remote.contains("://"))
        .map(|(v, remote)| Provenance {
            repository_uri: remote.clone(),
            revision_id: v.head.clone(),
            branch: v.branch.clone(),
        })
        .into_iter()
        .collect();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: SARIF_VERSION,
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: assessment.tool.name.clone(),
                    version: assessment.tool.version.clone(),
                    semantic_version: assessment.tool.version.clone(),
                    rules,
                },
            },
            version_control_provenance: provenance,
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                verdict: match assessment.gate.verdict {
                    diligence_model::Verdict::ProductionReady => "production-ready",
                    diligence_model::Verdict::Conditional => "conditional",
                    diligence_model::Verdict::Prototype => "prototype",
                },
                score: assessment.scores.overall,
                coverage: assessment.scores.coverage,
                framework: format!(
                    "{} {}",
                    assessment.framework.id, assessment.framework.version
                ),
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).map_err(Error::Json)?;
    text.push('\n');
    Ok(text)
}

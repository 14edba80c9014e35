//! The view model: everything the Markdown templates print, computed here
//! so that templates hold no logic.
//!
//! Strings in the view are raw text; templates pass each through the `md`
//! or `code` helper. Every field is always present (`null` rather than
//! missing) because templates render in strict mode.

use std::collections::BTreeMap;

use diligence_model::{
    Assessment, CollectorFailure, Confidence, ControlResult, ControlStatus, Effort, EvidenceRef,
    Excerpt, FactValue, FailureKind, Finding, Inventory, Redacted, Series, Severity, Table,
    Timestamp, Verdict,
};
use serde::Serialize;

use crate::notes::{self, ControlNote, MetaView, NotesView};
use crate::overview::{self, FixItem, Profile, Reason, SeverityDistribution, Strength};
use crate::parts::{self, EvidencePart};
use crate::sentences::{self, first_sentence};

/// The id of the collector whose evidence fills the history part.
const HISTORY_COLLECTOR: &str = "git";
/// Most red flags shown in the executive summary.
const MAX_RED_FLAGS: usize = 5;
/// Length of an abbreviated commit id.
const SHORT_COMMIT: usize = 12;

/// The whole report.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    title: String,
    target: TargetView,
    meta: MetaView,
    framework: FrameworkView,
    summary: Summary,
    /// What the target is: size, languages, history, people.
    profile: Profile,
    scorecard: Vec<ScorecardRow>,
    sections: Vec<SectionPart>,
    history: History,
    /// Parts of the collectors that have one (dependencies, secrets, tests).
    parts: Vec<EvidencePart>,
    /// Every other collector's evidence.
    collectors: Vec<CollectorPart>,
    /// The consultant's annotations, when there are any beyond metadata.
    notes: Option<NotesView>,
    remediation: Remediation,
    findings: Vec<FindingRow>,
    /// Sentences every finding of a rule repeats, said once per rule.
    finding_notes: Vec<RuleNote>,
    questions: Vec<QuestionRow>,
    failures: Vec<FailureRow>,
    methodology: Methodology,
}

#[derive(Debug, Serialize)]
struct TargetView {
    name: String,
    kind: &'static str,
    commit: Option<String>,
    commit_date: Option<String>,
    branch: String,
    /// The remote's URL when it is a network address; a remote that is a
    /// local path (a mirror, a copy) is never printed.
    remote: Option<String>,
    /// How the report names the repository: the remote URL, else the
    /// folder name; never an absolute local path.
    repository: String,
    shallow: bool,
}

#[derive(Debug, Clone, Serialize)]
struct FrameworkView {
    id: String,
    version: String,
    title: String,
    source: String,
}

#[derive(Debug, Serialize)]
struct Summary {
    verdict: &'static str,
    production_ready: bool,
    /// Why it is not production-ready, in words.
    reasons: Vec<Reason>,
    score: String,
    sections: Vec<SectionScoreRow>,
    /// What counts in the target's favour, best first.
    strengths: Vec<Strength>,
    red_flags: Vec<RedFlag>,
    /// Findings by severity.
    severity: SeverityDistribution,
    /// The failed and partial controls to fix first, with their files.
    fix_first: Vec<FixItem>,
}

#[derive(Debug, Serialize)]
struct SectionScoreRow {
    title: String,
    score: String,
    coverage: String,
    pass: u32,
    partial: u32,
    fail: u32,
    not_evidenced: u32,
    not_applicable: u32,
}

#[derive(Debug, Serialize)]
struct RedFlag {
    kind: &'static str,
    /// A severity: the control's gate (`critical`) or the worst finding
    /// behind it, or the finding's own.
    severity: String,
    id: String,
    text: String,
}

/// Sentences that every finding of a rule repeats, printed once.
#[derive(Debug, Serialize)]
struct RuleNote {
    rule: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct ScorecardRow {
    section: String,
    id: String,
    title: String,
    status: String,
    /// The consultant's status, when overridden.
    consultant_status: Option<String>,
    critical: &'static str,
    weight: u32,
}

#[derive(Debug, Serialize)]
struct SectionPart {
    id: String,
    title: String,
    score: String,
    controls: Vec<ControlView>,
}

#[derive(Debug, Serialize)]
struct ControlView {
    id: String,
    title: String,
    status: String,
    critical: bool,
    weight: u32,
    rationale: Vec<String>,
    evidence: Vec<EvidenceView>,
    partial_evidence: bool,
    question: Option<String>,
    remediation: Option<String>,
    effort: Option<String>,
    /// The consultant's note: comments and a status override.
    note: Option<ControlNote>,
}

#[derive(Debug, Serialize)]
struct EvidenceView {
    id: String,
    text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct FactRow {
    name: String,
    label: String,
    value: String,
    note: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct TableView {
    title: String,
    key: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct History {
    evidenced: bool,
    reason: Option<String>,
    partial: Option<String>,
    overview: Vec<FactRow>,
    activity_by_year: Option<TableView>,
    activity_recent: Option<TableView>,
    people: Vec<FactRow>,
    contributors: Option<TableView>,
    key_people: Option<TableView>,
    practices: Vec<FactRow>,
    releases: Vec<FactRow>,
    tags: Option<TableView>,
    ai: Vec<FactRow>,
    other_facts: Vec<FactRow>,
    inventories: Vec<TableView>,
}

#[derive(Debug, Serialize)]
struct CollectorPart {
    id: String,
    findings: usize,
    partial: Option<String>,
    facts: Vec<FactRow>,
    inventories: Vec<TableView>,
}

#[derive(Debug, Serialize)]
struct Remediation {
    items: Vec<WorkRow>,
    total: String,
    assumptions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct WorkRow {
    control: String,
    title: String,
    findings: u32,
    /// Units of work (credentials, dependencies); 0 for a whole-control item.
    units: u32,
    /// Where the findings behind it are.
    locations: Vec<String>,
    low: String,
    high: String,
}

#[derive(Debug, Serialize)]
struct FindingRow {
    severity: &'static str,
    confidence: &'static str,
    rule: String,
    location: String,
    commit: Option<String>,
    author: String,
    date: String,
    message: String,
    excerpt: String,
    fingerprint: String,
    /// Whether an acceptance in force or the baseline covers it.
    accepted: bool,
    /// The consultant's acceptance, expiry or comment, in one line.
    note: String,
}

#[derive(Debug, Serialize)]
struct QuestionRow {
    control: String,
    text: String,
    reason: String,
    /// Files the question rests on.
    evidence: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FailureRow {
    collector: String,
    kind: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct Methodology {
    tool_name: String,
    tool_version: String,
    framework: FrameworkView,
    commit: Option<String>,
    commit_date: Option<String>,
    /// The report date, `YYYY-MM-DD`.
    report_date: String,
    /// What the history statistics cover.
    scope: Option<String>,
    /// Identities counted as another person's, beyond `.mailmap`.
    identity_merges: Option<TableView>,
    as_of: String,
    generated_at: Option<String>,
    collectors: Vec<String>,
    databases: Vec<DatabaseRow>,
    /// Live validation (`--validate`), when it ran: what it did and the
    /// hosts it contacted.
    live_validation: Option<String>,
    schema_version: u32,
}

#[derive(Debug, Serialize)]
struct DatabaseRow {
    name: String,
    version: String,
}

impl Report {
    /// Builds the view of an assessment.
    pub(crate) fn new(a: &Assessment) -> Self {
        let framework = FrameworkView {
            id: a.framework.id.clone(),
            version: a.framework.version.clone(),
            title: a.framework.title.clone(),
            source: a.framework.source.clone(),
        };
        Self {
            title: format!("Technical due-diligence report: {}", a.target.name),
            profile: overview::profile(a),
            target: target_view(a),
            meta: notes::meta(a),
            framework: framework.clone(),
            summary: summary(a),
            scorecard: scorecard(a),
            sections: sections(a),
            history: history(a),
            parts: parts::parts(a),
            collectors: collectors(a),
            notes: notes::notes(a),
            remediation: remediation(a),
            findings: findings(a),
            finding_notes: finding_notes(a),
            questions: a
                .questions
                .iter()
                .map(|q| QuestionRow {
                    control: q.control.to_string(),
                    text: q.text.clone(),
                    reason: q.reason.clone(),
                    evidence: q.evidence.clone(),
                })
                .collect(),
            failures: a.failures.iter().map(failure_row).collect(),
            methodology: methodology(a, framework),
        }
    }
}

pub(crate) fn short(id: &str) -> String {
    id.get(..SHORT_COMMIT).unwrap_or(id).to_owned()
}

fn percent(value: u32) -> String {
    format!("{value}%")
}

fn target_view(a: &Assessment) -> TargetView {
    match &a.target.vcs {
        None => TargetView {
            name: a.target.name.clone(),
            kind: "plain directory (no git repository)",
            commit: None,
            commit_date: None,
            branch: "none".to_owned(),
            remote: None,
            repository: a.target.name.clone(),
            shallow: false,
        },
        Some(vcs) => TargetView {
            name: a.target.name.clone(),
            kind: if vcs.bare {
                "bare git repository"
            } else {
                "git repository"
            },
            commit: vcs.head.clone(),
            commit_date: vcs.head_date.map(|t| t.date_string()),
            branch: match (&vcs.branch, vcs.detached) {
                (Some(branch), _) => branch.clone(),
                (None, true) => "detached HEAD".to_owned(),
                (None, false) => "none (no commits)".to_owned(),
            },
            remote: vcs.remote.as_deref().and_then(network_remote),
            repository: vcs
                .remote
                .as_deref()
                .and_then(network_remote)
                .unwrap_or_else(|| a.target.name.clone()),
            shallow: vcs.shallow,
        },
    }
}

/// A remote URL as printed: a network address (`https://…`, `ssh://…`,
/// `git@host:path`) as it is, a local path or `file://` URL not at all.
fn network_remote(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        let local = scheme.eq_ignore_ascii_case("file") || rest.starts_with('/');
        return (!local && !rest.is_empty()).then(|| url.to_owned());
    }
    // scp-like `user@host:path`: a host before the first colon, no slash
    // before it, and not a drive letter (`C:\repo`).
    let (host, path) = url.split_once(':')?;
    let scp = !host.is_empty()
        && host.len() > 1
        && !host.contains('/')
        && !host.contains('\\')
        && !path.is_empty();
    scp.then(|| url.to_owned())
}

/// "72/100 at 64% evidence coverage": a score never appears without its coverage.
fn score_line(score: Option<u32>, coverage: u32) -> String {
    match score {
        Some(score) => format!("{score}/100 at {coverage}% evidence coverage"),
        None => format!("not scored: nothing evidenced ({coverage}% evidence coverage)"),
    }
}

fn summary(a: &Assessment) -> Summary {
    Summary {
        verdict: a.gate.verdict.label(),
        production_ready: a.gate.verdict == Verdict::ProductionReady,
        reasons: overview::reasons(a),
        score: score_line(a.scores.overall, a.scores.coverage),
        sections: a
            .scores
            .sections
            .iter()
            .map(|s| SectionScoreRow {
                title: s.title.clone(),
                score: s
                    .score
                    .map_or_else(|| "not scored".to_owned(), |v| format!("{v}/100")),
                coverage: percent(s.coverage),
                pass: s.counts.pass,
                partial: s.counts.partial,
                fail: s.counts.fail,
                not_evidenced: s.counts.not_evidenced,
                not_applicable: s.counts.not_applicable,
            })
            .collect(),
        strengths: overview::strengths(a),
        red_flags: red_flags(a),
        severity: overview::severity_distribution(a),
        fix_first: overview::fix_first(a),
    }
}

/// The most severe failed controls and findings: critical failed controls,
/// critical findings, other failed controls with high or critical findings
/// behind them, high findings, in that order. A failed control's severity
/// is its gate or the worst finding behind it; a failed control with
/// neither is left to "what to fix first".
fn red_flags(a: &Assessment) -> Vec<RedFlag> {
    let mut ranked: Vec<(u8, usize, RedFlag)> = Vec::new();
    for (order, c) in a.controls.iter().enumerate() {
        if c.status != ControlStatus::Fail {
            continue;
        }
        let worst = overview::findings_behind(a, c)
            .iter()
            .map(|f| f.severity)
            .max();
        let (rank, severity) = match (c.critical, worst) {
            (true, _) => (0, Severity::Critical),
            (false, Some(s)) if s >= Severity::High => (2, s),
            _ => continue,
        };
        ranked.push((
            rank,
            order,
            RedFlag {
                kind: if c.critical {
                    "Critical control failed"
                } else {
                    "Control failed"
                },
                severity: severity.to_string(),
                id: c.id.to_string(),
                text: c.title.clone(),
            },
        ));
    }
    for (order, (f, _)) in sorted_findings(a).into_iter().enumerate() {
        // Low-confidence heuristics stay out of the headline, and so does
        // what is not the product (a test fixture's vulnerable migration, a
        // documentation example), unless a credential there was proven live.
        let product = f.location.class_or_production() == diligence_model::FileClass::Production
            || f.tags.iter().any(|t| t == "live");
        if f.confidence == Confidence::Low || !product {
            continue;
        }
        let rank = match f.severity {
            Severity::Critical => 1,
            Severity::High => 3,
            _ => continue,
        };
        ranked.push((
            rank,
            order,
            RedFlag {
                kind: "Finding",
                severity: f.severity.to_string(),
                id: f.rule.to_string(),
                text: match f.location.path {
                    Some(_) => format!("{} ({})", first_sentence(&f.message), finding_location(f)),
                    None => first_sentence(&f.message).to_owned(),
                },
            },
        ));
    }
    ranked.sort_by_key(|(rank, order, _)| (*rank, *order));
    ranked
        .into_iter()
        .take(MAX_RED_FLAGS)
        .map(|(_, _, flag)| flag)
        .collect()
}

fn status_label(a: &Assessment, c: &ControlResult) -> String {
    if c.status != ControlStatus::NotEvidenced {
        return c.status.label().to_owned();
    }
    let failed: Vec<String> = c
        .evidence
        .iter()
        .filter_map(|e| match e {
            EvidenceRef::Failure { collector } => Some(
                match a.failures.iter().find(|f| &f.collector == collector) {
                    Some(f) if f.kind == FailureKind::Unavailable => {
                        format!("{collector} unavailable")
                    }
                    _ => format!("{collector} failed"),
                },
            ),
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        c.status.label().to_owned()
    } else {
        format!("{} (collector {})", c.status.label(), failed.join(", "))
    }
}

fn section_title(a: &Assessment, c: &ControlResult) -> String {
    a.scores
        .sections
        .iter()
        .find(|s| s.id == c.section)
        .map_or_else(|| c.section.to_string(), |s| s.title.clone())
}

fn scorecard(a: &Assessment) -> Vec<ScorecardRow> {
    a.controls
        .iter()
        .map(|c| ScorecardRow {
            section: section_title(a, c),
            id: c.id.to_string(),
            title: c.title.clone(),
            status: status_label(a, c),
            consultant_status: notes::override_status(a, &c.id),
            critical: if c.critical { "yes" } else { "no" },
            weight: c.weight,
        })
        .collect()
}

fn evidence_view(a: &Assessment, e: &EvidenceRef) -> EvidenceView {
    match e {
        EvidenceRef::Fact { name, value } => EvidenceView {
            id: name.to_string(),
            text: format!("fact, value {value}"),
        },
        EvidenceRef::Findings { rule, count, worst } => EvidenceView {
            id: rule.clone(),
            text: match (count, worst) {
                (0, _) => "no findings".to_owned(),
                (1, Some(worst)) => format!("1 finding, {worst}"),
                (n, Some(worst)) => format!("{n} findings, worst {worst}"),
                (1, None) => "1 finding".to_owned(),
                (n, None) => format!("{n} findings"),
            },
        },
        EvidenceRef::Failure { collector } => EvidenceView {
            id: collector.to_string(),
            text: match a.failures.iter().find(|f| &f.collector == collector) {
                Some(f) => format!("not evidenced — {}", failure_text(f)),
                None => "not evidenced — collector failed".to_owned(),
            },
        },
    }
}

fn failure_text(f: &CollectorFailure) -> String {
    match f.kind {
        FailureKind::Unavailable => format!("collector unavailable: {}", f.message),
        FailureKind::Failed => format!("collector failed: {}", f.message),
    }
}

fn control_view(a: &Assessment, c: &ControlResult) -> ControlView {
    ControlView {
        id: c.id.to_string(),
        title: c.title.clone(),
        status: status_label(a, c),
        critical: c.critical,
        weight: c.weight,
        rationale: c.rationale.clone(),
        evidence: c.evidence.iter().map(|e| evidence_view(a, e)).collect(),
        partial_evidence: c.partial_evidence,
        question: c.question.clone(),
        remediation: c.remediation.clone(),
        effort: c.effort.map(|e| e.to_string()),
        note: notes::control_note(a, &c.id),
    }
}

fn sections(a: &Assessment) -> Vec<SectionPart> {
    let mut parts: Vec<SectionPart> = a
        .scores
        .sections
        .iter()
        .map(|s| SectionPart {
            id: s.id.to_string(),
            title: s.title.clone(),
            score: score_line(s.score, s.coverage),
            controls: a
                .controls
                .iter()
                .filter(|c| c.section == s.id)
                .map(|c| control_view(a, c))
                .collect(),
        })
        .collect();
    // Controls of a section the scores do not list still get a part.
    for c in &a.controls {
        if a.scores.sections.iter().any(|s| s.id == c.section) {
            continue;
        }
        let view = control_view(a, c);
        match parts.iter_mut().find(|p| p.id == c.section.as_str()) {
            Some(part) => part.controls.push(view),
            None => parts.push(SectionPart {
                id: c.section.to_string(),
                title: c.section.to_string(),
                score: "not scored".to_owned(),
                controls: vec![view],
            }),
        }
    }
    parts
}

/// A fact value as printed: ratios in whole per cent with their counts.
/// Entries of a list fact shown in a table cell; the JSON report keeps all.
const LIST_CAP: usize = 20;

/// A list's first `cap` entries, then how many more there are.
pub(crate) fn capped_list(values: &[String], cap: usize) -> String {
    if values.is_empty() {
        return "none".to_owned();
    }
    let shown = values[..values.len().min(cap)].join(", ");
    match values.len().saturating_sub(cap) {
        0 => shown,
        more => format!("{shown} and {more} more (all in the JSON report)"),
    }
}

fn format_value(value: &FactValue) -> String {
    match value {
        FactValue::List { values } => capped_list(values, LIST_CAP),
        FactValue::Ratio {
            numerator,
            denominator,
        } => match value.percent() {
            Some(p) => format!("{p}% ({numerator} of {denominator})"),
            None => "no data".to_owned(),
        },
        other => other.to_string(),
    }
}

pub(crate) fn fact_row(name: &str, label: &str, fact: &diligence_model::Fact) -> FactRow {
    let mut note = Vec::new();
    if let Some(confidence) = fact.heuristic {
        note.push(format!("heuristic, {confidence} confidence"));
    }
    if let Some(detail) = &fact.detail {
        note.push(detail.clone());
    }
    FactRow {
        name: name.to_owned(),
        label: label.to_owned(),
        value: format_value(&fact.value),
        note: note.join("; "),
    }
}

fn table_view(key: &str, table: &Table) -> Option<TableView> {
    if table.columns.is_empty() {
        return None;
    }
    let width = table.columns.len();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let mut row: Vec<String> = row.iter().take(width).cloned().collect();
            row.resize(width, String::new());
            row
        })
        .collect();
    Some(TableView {
        title: table.title.clone(),
        key: key.to_owned(),
        columns: table.columns.clone(),
        rows,
    })
}

fn series_view(key: &str, series: &Series) -> TableView {
    let unit = series.unit.suffix();
    TableView {
        title: series.title.clone(),
        key: key.to_owned(),
        columns: vec![
            "Period".to_owned(),
            if unit.is_empty() {
                "Value".to_owned()
            } else {
                capitalise(unit)
            },
        ],
        rows: series
            .points
            .iter()
            .map(|p| vec![p.label.clone(), p.value.to_string()])
            .collect(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A table built by the renderer itself rather than read from an
/// inventory (the deployment findings grouped by file).
pub(crate) fn table(title: &str, key: &str, columns: &[&str], rows: Vec<Vec<String>>) -> TableView {
    TableView {
        title: title.to_owned(),
        key: key.to_owned(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    }
}

pub(crate) fn inventory_view(key: &str, inventory: &Inventory) -> Option<TableView> {
    match inventory {
        Inventory::Series(series) => Some(series_view(key, series)),
        Inventory::Table(table) => table_view(key, table),
    }
}

/// Groups of the history collector's facts, each with its label.
const OVERVIEW: &[(&str, &str)] = &[
    ("git.scope", "Statistics cover"),
    ("git.commits", "Commits"),
    ("git.commits.all-refs", "Commits on every branch and tag"),
    ("git.refs", "Branches and tags"),
    (
        "git.branches.outside-scope",
        "Branches the assessed commit does not reach",
    ),
    ("git.first-commit", "First commit"),
    ("git.last-commit", "Last commit"),
    (
        "git.days-since-last-commit",
        "Days since the last commit (to the report date)",
    ),
    ("git.age-days", "Age of the history"),
    ("git.blobs", "Unique file versions (blobs)"),
    ("git.objects.missing", "Missing objects"),
    ("git.shallow", "Shallow clone"),
];
const PEOPLE: &[(&str, &str)] = &[
    ("git.authors", "Authors (people)"),
    (
        "git.author-identities",
        "Author identities (name and e-mail)",
    ),
    (
        "git.identity-merges",
        "Identities counted as another's (see the methodology)",
    ),
    ("git.automation.share", "Share of commits by automation"),
    ("git.automation.accounts", "Automation accounts"),
    ("git.committers", "Committer identities"),
    (
        "git.contributors.active-90d",
        "Contributors active in the last 90 days",
    ),
    (
        "git.contributors.active-365d",
        "Contributors active in the last 365 days",
    ),
    ("git.truck-factor", "Truck factor"),
    (
        "git.top-author.share-12m",
        "Top person's share of commits by people, last 12 months",
    ),
];
const PRACTICES: &[(&str, &str)] = &[
    ("git.merges", "Merge commits"),
    ("git.review.share", "Share of changes with a review trace"),
    (
        "git.traceability.share",
        "Share of commits that reference an issue",
    ),
    ("git.signed.share", "Share of signed commits"),
    ("git.reverts", "Reverts"),
    (
        "git.throwaway.share",
        "Share of commits with throwaway messages",
    ),
];
const RELEASES: &[(&str, &str)] = &[
    ("git.tags", "Tags in scope"),
    ("git.tags.all-refs", "Tags in the repository"),
    ("git.releases", "Releases (version tags in scope)"),
    ("git.releases.last", "Last release"),
    (
        "git.releases.days-since-last",
        "Days since the last release (to the report date)",
    ),
    ("git.releases.cadence-days", "Median days between releases"),
];
const AI: &[(&str, &str)] = &[
    (
        "git.ai.assistant-commits",
        "Commits with an AI-assistant marker",
    ),
    ("git.ai.instruction-files", "AI-assistant instruction files"),
    (
        "git.ai.generator-markers",
        "App-builder markers ever committed",
    ),
    (
        "git.ai.builders",
        "App builders and coding agents among the authors",
    ),
];
const ACTIVITY: &str = "commits-per-month";
const HISTORY_TABLES: &[&str] = &[
    ACTIVITY,
    "contributors",
    "key-people",
    "tags",
    IDENTITY_MERGES,
];
/// The identity-merge table, shown in the methodology.
const IDENTITY_MERGES: &str = "identity-merges";

fn history(a: &Assessment) -> History {
    let evidence = a.evidence_of(HISTORY_COLLECTOR);
    let commits = evidence
        .and_then(|e| e.facts.get("git.commits"))
        .and_then(|f| match f.value {
            FactValue::Int { value, .. } => Some(value),
            _ => None,
        });
    let failure = a
        .failures
        .iter()
        .find(|f| f.collector.as_str() == HISTORY_COLLECTOR);
    let reason = match (evidence, commits, failure) {
        (Some(_), Some(n), _) if n > 0 => None,
        (_, _, Some(f)) => Some(match f.kind {
            FailureKind::Unavailable => format!("the git collector was unavailable: {}", f.message),
            FailureKind::Failed => format!("the git collector failed: {}", f.message),
        }),
        (Some(_), _, None) => Some("the repository has no commits".to_owned()),
        (None, _, None) if a.target.vcs.is_none() => {
            Some("the target is a plain directory, not a git repository".to_owned())
        }
        (None, _, None) => Some("the history collector did not run".to_owned()),
    };
    let mut view = History {
        evidenced: reason.is_none(),
        reason,
        partial: None,
        overview: Vec::new(),
        activity_by_year: None,
        activity_recent: None,
        people: Vec::new(),
        contributors: None,
        key_people: None,
        practices: Vec::new(),
        releases: Vec::new(),
        tags: None,
        ai: Vec::new(),
        other_facts: Vec::new(),
        inventories: Vec::new(),
    };
    let Some(evidence) = evidence.filter(|_| view.evidenced) else {
        return view;
    };
    view.partial = evidence.partial.clone();
    let group = |labels: &[(&str, &str)]| -> Vec<FactRow> {
        labels
            .iter()
            .filter_map(|(name, label)| evidence.facts.get(*name).map(|f| fact_row(name, label, f)))
            .collect()
    };
    view.overview = group(OVERVIEW);
    view.people = group(PEOPLE);
    view.practices = group(PRACTICES);
    view.releases = group(RELEASES);
    view.ai = group(AI);
    let known = |name: &str| {
        [OVERVIEW, PEOPLE, PRACTICES, RELEASES, AI]
            .iter()
            .any(|g| g.iter().any(|(n, _)| *n == name))
    };
    view.other_facts = evidence
        .facts
        .iter()
        .filter(|(name, _)| !known(name.as_str()))
        .map(|(name, f)| fact_row(name.as_str(), name.as_str(), f))
        .collect();
    if let Some(Inventory::Series(series)) = evidence.inventories.get(ACTIVITY) {
        view.activity_by_year = Some(by_year(series));
        view.activity_recent = Some(last_months(series, a));
    }
    let table = |key: &str| match evidence.inventories.get(key) {
        Some(Inventory::Table(t)) => table_view(key, t),
        _ => None,
    };
    view.contributors = table("contributors");
    view.key_people = table("key-people");
    view.tags = table("tags");
    view.inventories = evidence
        .inventories
        .iter()
        .filter(|(key, inv)| {
            !HISTORY_TABLES.contains(&key.as_str())
                || matches!(
                    (key.as_str(), inv),
                    (ACTIVITY, Inventory::Table(_))
                        | ("contributors" | "key-people" | "tags", Inventory::Series(_))
                )
        })
        .filter_map(|(key, inv)| inventory_view(key, inv))
        .collect();
    view
}

/// Parses a `YYYY-MM` bucket label.
fn parse_month(label: &str) -> Option<(i32, u8)> {
    let (year, month) = label.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

fn by_year(series: &Series) -> TableView {
    let mut years: BTreeMap<String, i64> = BTreeMap::new();
    for p in &series.points {
        let year = match parse_month(&p.label) {
            Some((year, _)) => format!("{year:04}"),
            None => p.label.clone(),
        };
        *years.entry(year).or_default() += p.value;
    }
    TableView {
        title: "Commits per year".to_owned(),
        key: ACTIVITY.to_owned(),
        columns: vec!["Year".to_owned(), "Commits".to_owned()],
        rows: years
            .into_iter()
            .map(|(year, n)| vec![year, n.to_string()])
            .collect(),
    }
}

/// The twelve months up to the assessment's reference date (or the last
/// bucket), months without commits shown as 0.
fn last_months(series: &Series, a: &Assessment) -> TableView {
    let values: BTreeMap<(i32, u8), i64> = series
        .points
        .iter()
        .filter_map(|p| parse_month(&p.label).map(|m| (m, p.value)))
        .collect();
    let end = a
        .options
        .as_of
        .map(|t| {
            let ym = t.year_month();
            (ym.year, ym.month)
        })
        .or_else(|| values.keys().next_back().copied());
    let rows = match end {
        Some((mut year, mut month)) if values.len() == series.points.len() => {
            let mut months = Vec::with_capacity(12);
            for _ in 0..12 {
                months.push((year, month));
                if month == 1 {
                    year -= 1;
                    month = 12;
                } else {
                    month -= 1;
                }
            }
            months
                .into_iter()
                .rev()
                .map(|(y, m)| {
                    let n = values.get(&(y, m)).copied().unwrap_or(0);
                    vec![format!("{y:04}-{m:02}"), n.to_string()]
                })
                .collect()
        }
        // Labels that are not months: show the last twelve buckets as they are.
        _ => series
            .points
            .iter()
            .rev()
            .take(12)
            .rev()
            .map(|p| vec![p.label.clone(), p.value.to_string()])
            .collect(),
    };
    TableView {
        title: "Commits in the last 12 months".to_owned(),
        key: ACTIVITY.to_owned(),
        columns: vec!["Month".to_owned(), "Commits".to_owned()],
        rows,
    }
}

fn collectors(a: &Assessment) -> Vec<CollectorPart> {
    a.evidence
        .iter()
        .filter(|e| {
            e.collector.as_str() != HISTORY_COLLECTOR && !parts::has_part(e.collector.as_str())
        })
        .map(|e| CollectorPart {
            id: e.collector.to_string(),
            findings: e.findings.len(),
            partial: e.partial.clone(),
            facts: e
                .facts
                .iter()
                .map(|(name, f)| fact_row(name.as_str(), name.as_str(), f))
                .collect(),
            inventories: e
                .inventories
                .iter()
                .filter_map(|(key, inv)| inventory_view(key, inv))
                .collect(),
        })
        .collect()
}

fn remediation(a: &Assessment) -> Remediation {
    let plan = &a.remediation;
    Remediation {
        items: plan
            .items
            .iter()
            .map(|w| WorkRow {
                control: w.control.to_string(),
                title: w.title.clone(),
                findings: w.findings,
                units: w.units,
                locations: w.locations.clone(),
                low: Effort::format_days(w.effort.low_tenths),
                high: Effort::format_days(w.effort.high_tenths),
            })
            .collect(),
        total: plan.total.to_string(),
        assumptions: plan.assumptions.clone(),
    }
}

/// Every finding with its collector's position, most severe first; ties
/// keep collector order and the findings' own total order.
fn sorted_findings(a: &Assessment) -> Vec<(&Finding, usize)> {
    let mut all: Vec<(&Finding, usize)> = a
        .evidence
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.findings.iter().map(move |f| (f, i)))
        .collect();
    all.sort_by(|(a, ai), (b, bi)| {
        b.severity
            .cmp(&a.severity)
            .then(b.confidence.cmp(&a.confidence))
            .then(ai.cmp(bi))
            .then(a.sort_key().cmp(&b.sort_key()))
    });
    all
}

/// Where a finding was seen, as printed in reports: `path:line` (or a line
/// span), "(history only)" when it is no longer at HEAD, and how many further
/// places hold the same thing.
pub fn finding_location(f: &Finding) -> String {
    let loc = &f.location;
    let mut text = match (&loc.path, loc.line, loc.end_line) {
        (Some(path), Some(line), Some(end)) if end > line => format!("{path}:{line}-{end}"),
        (Some(path), Some(line), _) => format!("{path}:{line}"),
        (Some(path), None, _) => path.clone(),
        (None, _, _) => "(repository)".to_owned(),
    };
    let mut notes = Vec::new();
    if loc.at_head == Some(false) {
        notes.push("history only".to_owned());
    }
    if loc.in_scope == Some(false) {
        let mut refs = loc.refs.join(", ");
        if loc.refs_more > 0 {
            refs.push_str(&format!(" and {} more", loc.refs_more));
        }
        notes.push(if refs.is_empty() {
            "outside the assessed history".to_owned()
        } else {
            format!("outside the assessed history, on {refs}")
        });
    }
    if !notes.is_empty() {
        text.push_str(&format!(" ({})", notes.join("; ")));
    }
    if !f.occurrences.is_empty() {
        text.push_str(&format!(" and {} more", f.occurrences.len()));
    }
    text
}

/// The sentences each rule's findings all repeat, by rule.
fn shared_by_rule(a: &Assessment) -> BTreeMap<&str, Vec<&str>> {
    let mut messages: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in a.evidence.iter().flat_map(|e| &e.findings) {
        messages
            .entry(f.rule.as_str())
            .or_default()
            .push(f.message.as_str());
    }
    messages
        .into_iter()
        .map(|(rule, m)| (rule, sentences::shared_sentences(&m)))
        .filter(|(_, shared)| !shared.is_empty())
        .collect()
}

fn finding_notes(a: &Assessment) -> Vec<RuleNote> {
    shared_by_rule(a)
        .into_iter()
        .map(|(rule, shared)| RuleNote {
            rule: rule.to_owned(),
            text: shared.join(" "),
        })
        .collect()
}

/// A finding's excerpt as printed: plain text as it is, a secret as its
/// mask labelled so, so that a masked prefix such as `1.2.` never reads
/// like a version number.
pub fn excerpt_text(excerpt: &Excerpt) -> String {
    match excerpt {
        Excerpt::Plain { text } => text.clone(),
        Excerpt::Redacted { secret } => masked(secret),
    }
}

/// `masked: sk_l… (32 chars, fingerprint 7c1e20a9)`.
pub(crate) fn masked(secret: &Redacted) -> String {
    let shown = match secret.prefix() {
        "" => "masked".to_owned(),
        prefix => format!("masked: {prefix}…"),
    };
    format!(
        "{shown} ({} chars, fingerprint {})",
        secret.length(),
        secret.fingerprint()
    )
}

fn findings(a: &Assessment) -> Vec<FindingRow> {
    let shared = shared_by_rule(a);
    sorted_findings(a)
        .into_iter()
        .map(|(f, _)| {
            let loc = &f.location;
            let location = finding_location(f);
            let commit = loc.commit.as_ref();
            let note = notes::finding_note(a, f);
            FindingRow {
                severity: f.severity.as_str(),
                confidence: f.confidence.as_str(),
                rule: f.rule.to_string(),
                location,
                commit: commit.map(|c| short(&c.id)),
                author: commit.and_then(|c| c.author.clone()).unwrap_or_default(),
                date: commit
                    .and_then(|c| c.date)
                    .map(|d| d.date_string())
                    .unwrap_or_default(),
                message: match shared.get(f.rule.as_str()) {
                    Some(lifted) => sentences::without_sentences(&f.message, lifted),
                    None => f.message.clone(),
                },
                excerpt: f.excerpt.as_ref().map(excerpt_text).unwrap_or_default(),
                fingerprint: f.fingerprint.clone(),
                accepted: note.accepted,
                note: note.text,
            }
        })
        .collect()
}

fn failure_row(f: &CollectorFailure) -> FailureRow {
    FailureRow {
        collector: f.collector.to_string(),
        kind: match f.kind {
            FailureKind::Unavailable => "unavailable",
            FailureKind::Failed => "failed",
        },
        message: f.message.clone(),
    }
}

fn methodology(a: &Assessment, framework: FrameworkView) -> Methodology {
    Methodology {
        tool_name: a.tool.name.clone(),
        tool_version: a.tool.version.clone(),
        framework,
        commit: a.target.vcs.as_ref().and_then(|v| v.head.clone()),
        commit_date: a
            .target
            .vcs
            .as_ref()
            .and_then(|v| v.head_date)
            .map(Timestamp::date_string),
        report_date: a
            .options
            .as_of
            .or_else(|| a.target.vcs.as_ref().and_then(|v| v.head_date))
            .map_or_else(|| "undated".to_owned(), Timestamp::date_string),
        scope: a
            .evidence_of(HISTORY_COLLECTOR)
            .and_then(|e| e.facts.get("git.scope"))
            .map(|f| f.value.to_string()),
        identity_merges: a
            .evidence_of(HISTORY_COLLECTOR)
            .and_then(|e| e.inventories.get(IDENTITY_MERGES))
            .and_then(|inv| inventory_view(IDENTITY_MERGES, inv)),
        as_of: a
            .options
            .as_of
            .map_or_else(|| "not set".to_owned(), |t| t.to_string()),
        generated_at: a.generated_at.map(|t| t.to_string()),
        collectors: a
            .options
            .collectors
            .iter()
            .map(ToString::to_string)
            .collect(),
        databases: a
            .databases
            .iter()
            .map(|d| DatabaseRow {
                name: d.name.clone(),
                version: d.version.clone(),
            })
            .collect(),
        live_validation: a.options.live_validation.as_ref().map(live_validation),
        schema_version: a.schema_version,
    }
}

/// One sentence on a live validation run, naming every host contacted.
fn live_validation(live: &diligence_model::LiveValidationInfo) -> String {
    let hosts = if live.hosts.is_empty() {
        "no host was contacted".to_owned()
    } else {
        format!("hosts contacted: {}", live.hosts.join(", "))
    };
    format!(
        "ran (--validate, the only scan option that uses the network): {} credentials checked, {} live, {} revoked, {} unknown; {hosts}. One request per credential at its provider's read-only identity endpoint, never retried, {} s time limit, at most {} at once; database hosts are resolved by name, never connected to",
        live.checked, live.live, live.revoked, live.unknown, live.timeout_seconds, live.concurrency
    )
}

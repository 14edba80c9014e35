//! The data handed to the typst templates as `data.json`: the shared view
//! model (`view`) plus what only the PDF draws (`doc`): chart values as
//! numbers and the evidence findings of each control.

use std::collections::BTreeMap;

use diligence_model::{
    Assessment, ControlStatus, EvidenceRef, Finding, Inventory, YearMonth, rule_matches,
};
use diligence_render::sentences;
use serde::Serialize;

use crate::error::{Error, Result};

/// Questions shown in the executive summary.
const KEY_QUESTIONS: usize = 5;
/// Findings quoted under each control before pointing at the appendix.
const FINDINGS_PER_CONTROL: usize = 8;
/// Months shown in the activity chart.
const CHART_MONTHS: usize = 36;
/// Fewest months shown in the activity chart.
const MIN_CHART_MONTHS: usize = 12;
/// Length of an abbreviated commit id.
const SHORT_COMMIT: usize = 12;

/// Everything the templates read.
#[derive(Debug, Serialize)]
pub(crate) struct Data {
    view: serde_json::Value,
    doc: Doc,
}

#[derive(Debug, Serialize)]
struct Doc {
    date: String,
    meta: Meta,
    verdict: &'static str,
    overall: Option<u32>,
    coverage: u32,
    sections: Vec<SectionBar>,
    key_questions: Vec<KeyQuestion>,
    activity: Vec<Bar>,
    activity_title: String,
    findings_total: usize,
    controls_total: usize,
    total_effort: String,
    control_findings: BTreeMap<String, ControlFindings>,
    parts: Vec<Part>,
    coverage_chart: Vec<CoverageBar>,
    language_chart: Vec<LanguageBar>,
}

/// Report metadata shown on the cover.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct Meta {
    pub(crate) client: Option<String>,
    pub(crate) prepared_by: Option<String>,
    pub(crate) engagement: Option<String>,
    /// The logo's file name inside the typst world, when there is one.
    pub(crate) logo: Option<String>,
}

#[derive(Debug, Serialize)]
struct SectionBar {
    title: String,
    score: Option<u32>,
    coverage: u32,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct KeyQuestion {
    control: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    value: i64,
}

#[derive(Debug, Default, Serialize)]
struct ControlFindings {
    shown: Vec<EvidenceFinding>,
    more: usize,
    /// Sentences every one of these findings repeats, said once above them.
    note: String,
}

#[derive(Debug, Serialize)]
struct EvidenceFinding {
    severity: &'static str,
    rule: String,
    location: String,
    commit: String,
    author: String,
    date: String,
    message: String,
    excerpt: String,
}

/// A part of the report fed by one collector's evidence.
#[derive(Debug, Serialize)]
struct Part {
    collector: String,
    title: String,
}

/// Line coverage of one top-level directory, in per mille.
#[derive(Debug, Serialize)]
struct CoverageBar {
    label: String,
    permille: u64,
    lines: u64,
}

/// Lines of product code and of test code in one language.
#[derive(Debug, Serialize)]
struct LanguageBar {
    label: String,
    code: u64,
    test: u64,
}

/// Collectors with a part of their own in the shared view model.
const OWN_PARTS: &[&str] = &[
    "deps",
    "dependencies",
    "secrets",
    "tests",
    "coverage",
    "deploy",
    "source",
];
/// The tests collector, whose inventories feed the charts.
const TESTS_COLLECTOR: &str = "tests";
/// Most bars in a chart.
const CHART_BARS: usize = 12;

/// Titles of the generic parts fed by known collectors, in report order;
/// any other collector follows under its own id.
const PARTS: &[(&str, &str)] = &[("deployment", "Deployment")];

impl Data {
    pub(crate) fn new(a: &Assessment, meta: Meta) -> Result<Self> {
        let view = diligence_render::report_view(a).map_err(Error::Data)?;
        let findings = sorted_findings(a);
        let (activity_title, activity) = activity(a);
        Ok(Self {
            view,
            doc: Doc {
                date: report_date(a),
                meta,
                verdict: match a.gate.verdict {
                    diligence_model::Verdict::ProductionReady => "production-ready",
                    diligence_model::Verdict::Conditional => "conditional",
                    diligence_model::Verdict::Prototype => "prototype",
                },
                overall: a.scores.overall,
                coverage: a.scores.coverage,
                sections: a
                    .scores
                    .sections
                    .iter()
                    .map(|s| SectionBar {
                        title: s.title.clone(),
                        score: s.score,
                        coverage: s.coverage,
                        status: match s.score {
                            None => "none",
                            Some(v) if v >= 80 => "good",
                            Some(v) if v >= 50 => "fair",
                            Some(_) => "poor",
                        },
                    })
                    .collect(),
                key_questions: key_questions(a),
                activity,
                activity_title,
                findings_total: findings.len(),
                controls_total: a.controls.len(),
                total_effort: a.remediation.total.to_string(),
                control_findings: control_findings(a, &findings),
                parts: parts(a),
                coverage_chart: coverage_chart(a),
                language_chart: language_chart(a),
            },
        })
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(Error::Json)
    }
}

/// The report's date: the reference date of the scan, else HEAD's date.
pub(crate) fn report_timestamp(a: &Assessment) -> Option<diligence_model::Timestamp> {
    a.options
        .as_of
        .or_else(|| a.target.vcs.as_ref().and_then(|v| v.head_date))
}

fn report_date(a: &Assessment) -> String {
    report_timestamp(a).map_or_else(|| "undated".to_owned(), |t| t.date_string())
}

/// Every finding, most severe and most certain first, then in the
/// findings' own total order.
fn sorted_findings(a: &Assessment) -> Vec<&Finding> {
    let mut all: Vec<&Finding> = a.evidence.iter().flat_map(|e| &e.findings).collect();
    all.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(y.confidence.cmp(&x.confidence))
            .then(x.sort_key().cmp(&y.sort_key()))
    });
    all
}

/// Questions behind critical controls first, then framework order.
fn key_questions(a: &Assessment) -> Vec<KeyQuestion> {
    let critical =
        |id: &diligence_model::ControlId| a.controls.iter().any(|c| &c.id == id && c.critical);
    let mut questions: Vec<(bool, usize, KeyQuestion)> = a
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            (
                !critical(&q.control),
                i,
                KeyQuestion {
                    control: q.control.to_string(),
                    text: q.text.clone(),
                },
            )
        })
        .collect();
    questions.sort_by_key(|(rank, i, _)| (*rank, *i));
    questions
        .into_iter()
        .take(KEY_QUESTIONS)
        .map(|(_, _, q)| q)
        .collect()
}

/// The commits-per-month series of the history collector as a window of
/// whole months ending at the reference date (12 to 36 months, months
/// without commits as 0), so that a young history does not fill the chart
/// with one bar.
fn activity(a: &Assessment) -> (String, Vec<Bar>) {
    let series = a
        .evidence
        .iter()
        .find_map(|e| match e.inventories.get("commits-per-month") {
            Some(Inventory::Series(s)) => Some(s),
            _ => None,
        });
    let Some(series) = series else {
        return (String::new(), Vec::new());
    };
    let months: BTreeMap<YearMonth, i64> = series
        .points
        .iter()
        .filter_map(|p| parse_month(&p.label).map(|m| (m, p.value)))
        .collect();
    let end = report_timestamp(a)
        .map(|t| t.year_month())
        .or_else(|| months.keys().next_back().copied());
    let (Some(end), Some(first)) = (end, months.keys().next().copied()) else {
        // Labels that are not months: the last buckets as they are.
        let skip = series.points.len().saturating_sub(CHART_MONTHS);
        let bars = series
            .points
            .iter()
            .skip(skip)
            .map(|p| Bar {
                label: p.label.clone(),
                value: p.value,
            })
            .collect();
        return (series.title.clone(), bars);
    };
    let span = month_index(end) - month_index(first) + 1;
    let count = span.clamp(MIN_CHART_MONTHS as i64, CHART_MONTHS as i64);
    let mut month = from_month_index(month_index(end) - count + 1);
    let mut bars = Vec::new();
    for _ in 0..count {
        bars.push(Bar {
            label: month.to_string(),
            value: months.get(&month).copied().unwrap_or(0),
        });
        month = month.next();
    }
    (series.title.clone(), bars)
}

fn parse_month(label: &str) -> Option<YearMonth> {
    let (year, month) = label.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let month: u8 = month.parse().ok()?;
    (1..=12).contains(&month).then_some(YearMonth {
        year: year.parse().ok()?,
        month,
    })
}

fn month_index(m: YearMonth) -> i64 {
    i64::from(m.year) * 12 + i64::from(m.month) - 1
}

fn from_month_index(index: i64) -> YearMonth {
    YearMonth {
        year: i32::try_from(index.div_euclid(12)).unwrap_or(0),
        month: u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1),
    }
}

fn evidence_finding(f: &Finding, shared: &[&str]) -> EvidenceFinding {
    let commit = f.location.commit.as_ref();
    EvidenceFinding {
        severity: f.severity.as_str(),
        rule: f.rule.to_string(),
        location: diligence_render::finding_location(f),
        commit: commit
            .map(|c| c.id.get(..SHORT_COMMIT).unwrap_or(&c.id).to_owned())
            .unwrap_or_default(),
        author: commit.and_then(|c| c.author.clone()).unwrap_or_default(),
        date: commit
            .and_then(|c| c.date)
            .map(|d| d.date_string())
            .unwrap_or_default(),
        message: sentences::without_sentences(&f.message, shared),
        // A secret only ever reaches the report as its mask.
        excerpt: f
            .excerpt
            .as_ref()
            .map(diligence_render::excerpt_text)
            .unwrap_or_default(),
    }
}

/// For each failed, partial or not-evidenced control, the findings its
/// evidence names, most serious first.
fn control_findings(a: &Assessment, findings: &[&Finding]) -> BTreeMap<String, ControlFindings> {
    let mut map = BTreeMap::new();
    for c in &a.controls {
        if matches!(c.status, ControlStatus::NotApplicable) {
            continue;
        }
        let rules: Vec<&str> = c
            .evidence
            .iter()
            .filter_map(|e| match e {
                EvidenceRef::Findings { rule, .. } => Some(rule.as_str()),
                _ => None,
            })
            .collect();
        if rules.is_empty() {
            continue;
        }
        let matching: Vec<&&Finding> = findings
            .iter()
            .filter(|f| rules.iter().any(|r| rule_matches(r, &f.rule)))
            .collect();
        if matching.is_empty() {
            continue;
        }
        let messages: Vec<&str> = matching.iter().map(|f| f.message.as_str()).collect();
        let shared = sentences::shared_sentences(&messages);
        map.insert(
            c.id.to_string(),
            ControlFindings {
                shown: matching
                    .iter()
                    .take(FINDINGS_PER_CONTROL)
                    .map(|f| evidence_finding(f, &shared))
                    .collect(),
                more: matching.len().saturating_sub(FINDINGS_PER_CONTROL),
                note: shared.join(" "),
            },
        );
    }
    map
}

/// Parts fed by collectors other than the history, in report order.
fn parts(a: &Assessment) -> Vec<Part> {
    let mut parts: Vec<(usize, Part)> = a
        .evidence
        .iter()
        .filter(|e| e.collector.as_str() != "git" && !OWN_PARTS.contains(&e.collector.as_str()))
        .map(|e| {
            let id = e.collector.as_str();
            let (rank, title) = PARTS
                .iter()
                .position(|(known, _)| *known == id)
                .map_or_else(
                    || (PARTS.len(), capitalise(id)),
                    |i| (i, PARTS[i].1.to_owned()),
                );
            (
                rank,
                Part {
                    collector: id.to_owned(),
                    title,
                },
            )
        })
        .collect();
    parts.sort_by_key(|(rank, _)| *rank);
    parts.into_iter().map(|(_, p)| p).collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A table inventory of the tests collector and the index of each named
/// column, or `None` when a column is missing.
fn tests_table<'a, const N: usize>(
    a: &'a Assessment,
    key: &str,
    columns: [&str; N],
) -> Option<(&'a diligence_model::Table, [usize; N])> {
    let Some(Inventory::Table(table)) = a.evidence_of(TESTS_COLLECTOR)?.inventories.get(key) else {
        return None;
    };
    let mut at = [0; N];
    for (slot, name) in at.iter_mut().zip(columns) {
        *slot = table.columns.iter().position(|c| c == name)?;
    }
    Some((table, at))
}

fn number(row: &[String], at: usize) -> u64 {
    row.get(at).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Line coverage by top-level directory, largest directories first.
fn coverage_chart(a: &Assessment) -> Vec<CoverageBar> {
    let Some((table, [dir, lines, covered])) = tests_table(
        a,
        "coverage-by-directory",
        ["directory", "lines", "covered"],
    ) else {
        return Vec::new();
    };
    let mut bars: Vec<CoverageBar> = table
        .rows
        .iter()
        .filter_map(|row| {
            let total = number(row, lines);
            (total > 0).then(|| CoverageBar {
                label: row.get(dir).cloned().unwrap_or_default(),
                permille: number(row, covered).min(total) * 1000 / total,
                lines: total,
            })
        })
        .collect();
    bars.sort_by(|x, y| y.lines.cmp(&x.lines).then(x.label.cmp(&y.label)));
    bars.truncate(CHART_BARS);
    bars
}

/// Product code beside test code by language, largest first; languages
/// with neither are left out.
fn language_chart(a: &Assessment) -> Vec<LanguageBar> {
    let Some((table, [language, code, test])) =
        tests_table(a, "code-by-language", ["language", "code", "test code"])
    else {
        return Vec::new();
    };
    let mut bars: Vec<LanguageBar> = table
        .rows
        .iter()
        .map(|row| LanguageBar {
            label: row.get(language).cloned().unwrap_or_default(),
            code: number(row, code),
            test: number(row, test),
        })
        .filter(|b| b.code + b.test > 0)
        .collect();
    bars.sort_by(|x, y| {
        (y.code + y.test)
            .cmp(&(x.code + x.test))
            .then(x.label.cmp(&y.label))
    });
    bars.truncate(CHART_BARS);
    bars
}

//! The first pages: what the target is (its profile), why the verdict is
//! what it is (reasons in words), what speaks for it (strengths), how the
//! findings spread over severities, and what to fix first.
//!
//! Everything here is derived from evidence already in the assessment;
//! nothing is shown that no fact, control or finding supports, and every
//! line names the facts or controls behind it as a small reference.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use diligence_model::{
    Assessment, Confidence, ControlResult, ControlStatus, EvidenceRef, Fact, FactValue, Finding,
    Inventory, Severity, rule_matches,
};
use serde::Serialize;

/// Most strengths shown.
const MAX_STRENGTHS: usize = 5;
/// Most items in "what to fix first".
const MAX_FIX_FIRST: usize = 5;
/// Files named under one item to fix before "and N more".
const FILES_PER_ITEM: usize = 3;
/// The suffix of a fact that says the README declares the project a
/// deliberately vulnerable or training application.
const TRAINING_FACT: &str = "readme.intentionally-vulnerable";

/// One line of the target profile.
#[derive(Debug, Serialize)]
pub(crate) struct ProfileRow {
    label: &'static str,
    value: String,
    /// The facts or inventories it was read from.
    source: String,
}

/// One language's share of the code.
#[derive(Debug, Serialize)]
pub(crate) struct LanguageRow {
    language: String,
    code: String,
    test: String,
    /// Share of all product code, `"98%"`, or `"<1%"`.
    share: String,
    /// The share in per mille, for a chart.
    permille: u64,
}

/// What the target is, before any judgement of it.
#[derive(Debug, Serialize)]
pub(crate) struct Profile {
    /// Size, history, activity and people, in words.
    rows: Vec<ProfileRow>,
    /// Product and test code by language, largest first.
    languages: Vec<LanguageRow>,
    /// Frameworks, services and deployables, when the source and deployment
    /// collectors report them (empty until then).
    stack: Vec<ProfileRow>,
    /// A plain statement when the README declares the project deliberately
    /// vulnerable or a training application: a fact for the reader, never
    /// an input to the verdict.
    training: Option<String>,
}

/// One reason of the verdict, in words.
#[derive(Debug, Serialize)]
pub(crate) struct Reason {
    text: String,
    /// The control it is about, as a small reference.
    control: Option<String>,
}

/// Something a buyer can count in the target's favour.
#[derive(Debug, Serialize)]
pub(crate) struct Strength {
    text: String,
    /// Facts and controls behind it.
    evidence: Vec<String>,
}

/// Findings of one severity.
#[derive(Debug, Serialize)]
pub(crate) struct SeverityCount {
    severity: &'static str,
    label: &'static str,
    count: usize,
    /// Of those, at medium or high confidence.
    confident: usize,
}

/// The spread of findings over severities.
#[derive(Debug, Serialize)]
pub(crate) struct SeverityDistribution {
    /// Every severity, most severe first, zeros included.
    levels: Vec<SeverityCount>,
    total: usize,
    confident: usize,
    /// The largest count, for a chart's scale (at least 1).
    peak: usize,
}

/// One item of "what to fix first": a failed or partial control, its fix,
/// and the files behind it.
#[derive(Debug, Serialize)]
pub(crate) struct FixItem {
    /// Its place in the list, from 1.
    rank: usize,
    /// What to do.
    title: String,
    control: String,
    control_title: String,
    status: &'static str,
    critical: bool,
    /// The worst severity among the findings behind it.
    worst: Option<&'static str>,
    findings: usize,
    /// Files named by those findings, most severe first.
    files: Vec<String>,
    more_files: usize,
    /// Facts behind it when no finding names a file
    /// (`git.signed.share: 0% (0 of 93)`).
    facts: Vec<String>,
    effort: Option<String>,
}

/// The facts of every collector by name; the first collector wins.
fn facts(a: &Assessment) -> BTreeMap<&str, &Fact> {
    let mut all = BTreeMap::new();
    for e in &a.evidence {
        for (name, fact) in &e.facts {
            all.entry(name.as_str()).or_insert(fact);
        }
    }
    all
}

fn int(facts: &BTreeMap<&str, &Fact>, name: &str) -> Option<i64> {
    match facts.get(name).map(|f| &f.value) {
        Some(FactValue::Int { value, .. }) => Some(*value),
        _ => None,
    }
}

fn boolean(facts: &BTreeMap<&str, &Fact>, name: &str) -> Option<bool> {
    match facts.get(name).map(|f| &f.value) {
        Some(FactValue::Bool { value }) => Some(*value),
        _ => None,
    }
}

fn percent(facts: &BTreeMap<&str, &Fact>, name: &str) -> Option<u64> {
    facts.get(name).and_then(|f| f.value.percent())
}

fn list(facts: &BTreeMap<&str, &Fact>, name: &str) -> Option<Vec<String>> {
    match facts.get(name).map(|f| &f.value) {
        Some(FactValue::List { values }) => Some(values.clone()),
        _ => None,
    }
}

/// `26857` → `26,857`.
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// An age in days in the largest unit that reads naturally.
fn age(days: i64) -> String {
    if days < 60 {
        plural(days, "day", "days")
    } else if days < 730 {
        format!("{} months", days / 30)
    } else {
        let tenths = days * 10 / 365;
        format!("{}.{} years", tenths / 10, tenths % 10)
    }
}

fn share(part: u64, whole: u64) -> (String, u64) {
    if whole == 0 {
        return ("0%".to_owned(), 0);
    }
    let permille = part * 1000 / whole;
    let text = if part > 0 && permille < 10 {
        "<1%".to_owned()
    } else {
        format!("{}%", permille / 10)
    };
    (text, permille)
}

/// The tests collector's code-by-language table as rows, largest first.
fn languages(a: &Assessment) -> Vec<LanguageRow> {
    let Some(Inventory::Table(table)) = a
        .evidence
        .iter()
        .find_map(|e| e.inventories.get("code-by-language"))
    else {
        return Vec::new();
    };
    let col = |name: &str| table.columns.iter().position(|c| c == name);
    let (Some(language), Some(code)) = (col("language"), col("code")) else {
        return Vec::new();
    };
    let test = col("test code");
    let number = |row: &[String], at: Option<usize>| -> u64 {
        at.and_then(|i| row.get(i))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mut rows: Vec<(String, u64, u64)> = table
        .rows
        .iter()
        .map(|row| {
            (
                row.get(language).cloned().unwrap_or_default(),
                number(row, Some(code)),
                number(row, test),
            )
        })
        .filter(|(_, code, test)| code + test > 0)
        .collect();
    rows.sort_by(|x, y| (y.1, y.2).cmp(&(x.1, x.2)).then(x.0.cmp(&y.0)));
    let total: u64 = rows.iter().map(|r| r.1).sum();
    rows.into_iter()
        .map(|(language, code, test)| {
            let (share, permille) = share(code, total);
            LanguageRow {
                language,
                code: thousands(i64::try_from(code).unwrap_or(i64::MAX)),
                test: thousands(i64::try_from(test).unwrap_or(i64::MAX)),
                share,
                permille,
            }
        })
        .collect()
}

/// Commits in the twelve months up to the report date, from the monthly
/// series; `None` without a series or a report date.
fn commits_last_year(a: &Assessment) -> Option<i64> {
    let Some(Inventory::Series(series)) = a
        .evidence
        .iter()
        .find_map(|e| e.inventories.get("commits-per-month"))
    else {
        return None;
    };
    let end = a
        .options
        .as_of
        .or_else(|| a.target.vcs.as_ref().and_then(|v| v.head_date))?
        .year_month();
    let end = i64::from(end.year) * 12 + i64::from(end.month) - 1;
    let mut total = 0;
    for p in &series.points {
        let (year, month) = p.label.split_once('-')?;
        let index = year.parse::<i64>().ok()? * 12 + month.parse::<i64>().ok()? - 1;
        if (end - 11..=end).contains(&index) {
            total += p.value;
        }
    }
    Some(total)
}

/// Facts that would name the stack, once collectors report them.
const STACK: &[(&str, &str)] = &[
    ("source.frameworks", "Frameworks"),
    ("source.services", "Services"),
    ("deps.services", "Services (from the SDKs it depends on)"),
    ("deploy.platforms", "Platforms"),
    ("deploy.deployables", "Deployables"),
];

pub(crate) fn profile(a: &Assessment) -> Profile {
    let f = facts(a);
    let mut rows = Vec::new();
    let languages = languages(a);
    if !languages.is_empty() {
        rows.push(ProfileRow {
            label: "Languages",
            value: languages
                .iter()
                .filter(|l| l.share != "0%")
                .take(4)
                .map(|l| format!("{} {}", l.language, l.share))
                .collect::<Vec<_>>()
                .join(", "),
            source: "tests: code-by-language".to_owned(),
        });
    }
    if let Some(code) = int(&f, "tests.code.lines") {
        let mut value = format!("{} of product code", plural(code, "line", "lines"));
        if let Some(test) = int(&f, "tests.lines") {
            value.push_str(&format!(", {} of tests", thousands(test)));
            if let Some(p) = percent(&f, "tests.ratio.test-to-code") {
                value.push_str(&format!(" ({p}% of the product code)"));
            }
        }
        if let Some(files) = int(&f, "tests.files") {
            value.push_str(&format!(" in {}", plural(files, "test file", "test files")));
        }
        rows.push(ProfileRow {
            label: "Code size",
            value,
            source: "tests.code.lines, tests.lines".to_owned(),
        });
    }
    if let Some(commits) = int(&f, "git.commits") {
        let mut value = plural(commits, "commit", "commits");
        if let Some(days) = int(&f, "git.age-days") {
            value.push_str(&format!(" over {}", age(days)));
        }
        if let Some(first) = f.get("git.first-commit") {
            value.push_str(&format!(", the first on {}", first.value));
        }
        rows.push(ProfileRow {
            label: "History",
            value,
            source: "git.commits, git.age-days, git.first-commit".to_owned(),
        });
    }
    if let Some(days) = int(&f, "git.days-since-last-commit") {
        let mut value = match days {
            0 => "last commit on the report date".to_owned(),
            d => format!("last commit {} before the report date", age(d)),
        };
        if let Some(n) = commits_last_year(a) {
            value.push_str(&format!(
                "; {} in the last 12 months",
                plural(n, "commit", "commits")
            ));
        }
        rows.push(ProfileRow {
            label: "Activity",
            value,
            source: "git.days-since-last-commit, commits-per-month".to_owned(),
        });
    }
    if let Some(authors) = int(&f, "git.authors") {
        let mut parts = vec![plural(authors, "person", "people")];
        if let Some(active) = int(&f, "git.contributors.active-90d") {
            parts.push(format!("{} active in the last 90 days", thousands(active)));
        }
        if let Some(p) = percent(&f, "git.automation.share") {
            parts.push(format!("{p}% of commits by automation"));
        }
        if let Some(tf) = int(&f, "git.truck-factor") {
            parts.push(format!("truck factor {tf}"));
        }
        rows.push(ProfileRow {
            label: "People",
            value: parts.join("; "),
            source:
                "git.authors, git.contributors.active-90d, git.automation.share, git.truck-factor"
                    .to_owned(),
        });
    }
    let builders = list(&f, "git.ai.builders").unwrap_or_default();
    let assisted = int(&f, "git.ai.assistant-commits");
    if !builders.is_empty() || assisted.is_some() {
        let mut parts = Vec::new();
        if !builders.is_empty() {
            parts.push(format!("built with {}", builders.join(", ")));
        }
        match assisted {
            Some(0) | None => {}
            Some(n) => parts.push(format!(
                "{} with an AI-assistant marker",
                plural(n, "commit", "commits")
            )),
        }
        if parts.is_empty() {
            parts.push("no AI-assistant or app-builder marker in the history".to_owned());
        }
        rows.push(ProfileRow {
            label: "AI assistance",
            value: parts.join("; "),
            source: "git.ai.builders, git.ai.assistant-commits".to_owned(),
        });
    }
    if let Some(releases) = int(&f, "git.releases") {
        let value = match (releases, f.get("git.releases.last")) {
            (0, _) => "no release tags".to_owned(),
            (n, Some(last)) => format!(
                "{}, the last on {}",
                plural(n, "release", "releases"),
                last.value
            ),
            (n, None) => plural(n, "release", "releases"),
        };
        rows.push(ProfileRow {
            label: "Releases",
            value,
            source: "git.releases, git.releases.last".to_owned(),
        });
    }
    if let Some(packages) = int(&f, "deps.packages") {
        let mut value = plural(packages, "package", "packages");
        if let Some(direct) = int(&f, "deps.packages.direct") {
            value.push_str(&format!(" ({} direct)", thousands(direct)));
        }
        if let Some(ecosystems) = list(&f, "deps.ecosystems").filter(|e| !e.is_empty()) {
            value.push_str(&format!(" from {}", ecosystems.join(", ")));
        }
        match boolean(&f, "deps.lockfile.present") {
            Some(true) => value.push_str(", every manifest locked"),
            Some(false) => value.push_str(", not every manifest locked"),
            None => {}
        }
        rows.push(ProfileRow {
            label: "Dependencies",
            value,
            source: "deps.packages, deps.ecosystems, deps.lockfile.present".to_owned(),
        });
    }
    if let Some(licence) = f.get("deps.licence.project") {
        rows.push(ProfileRow {
            label: "Licence",
            value: licence.value.to_string(),
            source: "deps.licence.project".to_owned(),
        });
    }
    let stack = STACK
        .iter()
        .filter_map(|(name, label)| {
            f.get(name)
                .filter(
                    |fact| !matches!(&fact.value, FactValue::List { values } if values.is_empty()),
                )
                .map(|fact| ProfileRow {
                    label,
                    value: match &fact.value {
                        FactValue::List { values } => crate::view::capped_list(values, 8),
                        other => other.to_string(),
                    },
                    source: (*name).to_owned(),
                })
        })
        .collect();
    Profile {
        rows,
        languages,
        stack,
        training: training(&f),
    }
}

/// The statement for a README that declares the project deliberately
/// vulnerable, from any collector's `*.readme.intentionally-vulnerable`.
fn training(f: &BTreeMap<&str, &Fact>) -> Option<String> {
    let (name, fact) = f.iter().find(|(name, _)| {
        name.strip_suffix(TRAINING_FACT)
            .is_some_and(|p| p.is_empty() || p.ends_with('.'))
    })?;
    let quote = match &fact.value {
        FactValue::Bool { value: false } => return None,
        FactValue::Text { value } if !value.trim().is_empty() => Some(value.trim().to_owned()),
        _ => fact.detail.clone().filter(|d| !d.trim().is_empty()),
    };
    let mut text =
        "The README declares this a deliberately vulnerable or training application".to_owned();
    if let Some(quote) = quote {
        text.push_str(&format!(" (“{quote}”)"));
    }
    text.push_str(&format!(
        ". Its weaknesses may be there on purpose; this is stated for the reader and does not change the verdict (fact {name})."
    ));
    Some(text)
}

/// Whether `text` holds `id` as a whole token: not inside a longer id
/// (a sentence's closing period is not part of it).
fn names(text: &str, id: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let mut after = text[at + id.len()..].chars();
        let longer = match after.next() {
            Some('.') => after.next().is_some_and(word),
            Some(c) => word(c),
            None => false,
        };
        !before.is_some_and(|c| word(c) || c == '.') && !longer
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The verdict's reasons in words: a reason that names a control becomes
/// its status and title, with the id kept as a reference.
pub(crate) fn reasons(a: &Assessment) -> Vec<Reason> {
    a.gate
        .reasons
        .iter()
        .map(|reason| {
            let control = a
                .controls
                .iter()
                .filter(|c| names(reason, c.id.as_str()))
                .max_by_key(|c| c.id.as_str().len());
            match control {
                Some(c) => Reason {
                    text: format!("{}: {}", status_phrase(c), c.title),
                    control: Some(c.id.to_string()),
                },
                None => {
                    let mut text = capitalise(reason.trim());
                    for s in &a.scores.sections {
                        let prefix = format!("Section {} ", s.title);
                        if let Some(rest) = text.strip_prefix(&prefix) {
                            text = format!("Section “{}” {rest}", s.title);
                            break;
                        }
                    }
                    Reason {
                        text,
                        control: None,
                    }
                }
            }
        })
        .collect()
}

fn status_phrase(c: &ControlResult) -> &'static str {
    match (c.critical, c.status) {
        (true, ControlStatus::Fail) => "Critical control failed",
        (true, ControlStatus::NotEvidenced) => "Critical control not evidenced",
        (true, ControlStatus::Partial) => "Critical control only partly met",
        (true, _) => "Critical control",
        (false, ControlStatus::Fail) => "Control failed",
        (false, ControlStatus::NotEvidenced) => "Control not evidenced",
        (false, ControlStatus::Partial) => "Control only partly met",
        (false, _) => "Control",
    }
}

/// Whether a failed or partial control cites one of `names` as a fact.
fn contradicted(a: &Assessment, names: &[&str]) -> bool {
    a.controls
        .iter()
        .filter(|c| matches!(c.status, ControlStatus::Fail | ControlStatus::Partial))
        .flat_map(|c| &c.evidence)
        .any(|e| matches!(e, EvidenceRef::Fact { name, .. } if names.contains(&name.as_str())))
}

/// A strength found in the facts: its text, the facts it rests on (a failed
/// or partial control citing one of them voids it), and further facts whose
/// passing controls it stands for.
struct Found {
    text: String,
    rests_on: Vec<&'static str>,
    stands_for: Vec<&'static str>,
}

/// Strengths read from facts, best first.
fn fact_strengths(f: &BTreeMap<&str, &Fact>) -> Vec<Found> {
    let mut found = Vec::new();
    let heuristic_low = |name: &str| {
        f.get(name)
            .is_some_and(|fact| fact.heuristic == Some(Confidence::Low))
    };
    // No credential of a provider rule at HEAD or in the history.
    if let (Some(0), Some(files), Some(blobs)) = (
        int(f, "secrets.findings"),
        int(f, "secrets.files-scanned"),
        int(f, "secrets.blobs-scanned"),
    ) && files + blobs > 0
    {
        found.push(Found {
            text: format!(
                "No credential matched a provider rule in the {} at HEAD or the {} of the history",
                plural(files, "file", "files"),
                plural(blobs, "file version", "file versions"),
            ),
            rests_on: vec![
                "secrets.findings",
                "secrets.findings.at-head",
                "secrets.findings.history-only",
                "secrets.client-exposed",
            ],
            stands_for: vec!["secrets.findings.medium"],
        });
    }
    // A thorough test suite.
    if let (Some(functions), Some(ratio)) = (
        int(f, "tests.functions"),
        percent(f, "tests.ratio.test-to-code"),
    ) && functions >= 50
        && ratio >= 25
        && !heuristic_low("tests.functions")
    {
        let mut text = format!(
            "A substantial test suite: {}",
            plural(functions, "test function", "test functions")
        );
        if let Some(files) = int(f, "tests.files") {
            text.push_str(&format!(" in {}", plural(files, "file", "files")));
        }
        text.push_str(&format!(
            ", with test code {ratio}% the size of the product code"
        ));
        found.push(Found {
            text,
            rests_on: vec!["tests.functions", "tests.ratio.test-to-code"],
            stands_for: Vec::new(),
        });
    }
    if let Some(line) = percent(f, "tests.coverage.line")
        && line >= 70
    {
        found.push(Found {
            text: format!("Line coverage of {line}% in a coverage report"),
            rests_on: vec!["tests.coverage.line"],
            stands_for: Vec::new(),
        });
    }
    if boolean(f, "deploy.ci-runs-tests") == Some(true) && !heuristic_low("deploy.ci-runs-tests") {
        found.push(Found {
            text: "Continuous integration runs the tests".to_owned(),
            rests_on: vec!["deploy.ci-runs-tests"],
            stands_for: Vec::new(),
        });
    }
    if boolean(f, "deps.lockfile.present") == Some(true)
        && int(f, "deps.unpinned").unwrap_or(0) == 0
    {
        let mut text = "Every dependency manifest is locked".to_owned();
        if let Some(n) = int(f, "deps.lockfiles") {
            text.push_str(&format!(" ({})", plural(n, "lockfile", "lockfiles")));
        }
        if int(f, "deps.unpinned") == Some(0) {
            text.push_str(" and no direct dependency is unpinned");
        }
        found.push(Found {
            text,
            rests_on: vec!["deps.lockfile.present"],
            stands_for: Vec::new(),
        });
    }
    if boolean(f, "deps.advisories.evidenced") == Some(true)
        && int(f, "deps.advisories.total") == Some(0)
    {
        found.push(Found {
            text: "No known advisory affects a locked dependency version".to_owned(),
            rests_on: vec![
                "deps.advisories.total",
                "deps.advisories.critical",
                "deps.advisories.high",
            ],
            stands_for: Vec::new(),
        });
    }
    if let Some(p) = percent(f, "git.review.share")
        && p >= 70
    {
        found.push(Found {
            text: format!("{p}% of changes carry a review trace"),
            rests_on: vec!["git.review.share"],
            stands_for: Vec::new(),
        });
    }
    if let Some(tf) = int(f, "git.truck-factor")
        && tf >= 3
    {
        found.push(Found {
            text: format!("Low key-person risk: a truck factor of {tf}"),
            rests_on: vec!["git.truck-factor", "git.top-author.share-12m"],
            stands_for: Vec::new(),
        });
    }
    if let Some(p) = percent(f, "git.signed.share")
        && p >= 80
    {
        found.push(Found {
            text: format!("{p}% of commits are signed"),
            rests_on: vec!["git.signed.share"],
            stands_for: Vec::new(),
        });
    }
    if let (Some(n), Some(cadence)) = (int(f, "git.releases"), int(f, "git.releases.cadence-days"))
        && n >= 4
        && cadence <= 60
    {
        found.push(Found {
            text: format!(
                "Regular releases: {} a median {} apart",
                plural(n, "release", "releases"),
                plural(cadence, "day", "days")
            ),
            rests_on: vec!["git.releases.cadence-days", "git.releases.days-since-last"],
            stands_for: Vec::new(),
        });
    }
    if boolean(f, "deps.update-tool") == Some(true) {
        found.push(Found {
            text: "Dependency updates are automated".to_owned(),
            rests_on: vec!["deps.update-tool"],
            stands_for: Vec::new(),
        });
    }
    found
}

/// Up to five strengths, best first: strong facts, then passing controls
/// (critical and heavier first) that no fact strength already stands for.
/// None is shown without evidence.
pub(crate) fn strengths(a: &Assessment) -> Vec<Strength> {
    let f = facts(a);
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<Strength> = Vec::new();
    for found in fact_strengths(&f) {
        if contradicted(a, &found.rests_on) {
            continue;
        }
        let mut evidence: Vec<String> = found
            .rests_on
            .iter()
            .filter(|n| f.contains_key(**n))
            .map(|n| (*n).to_owned())
            .collect();
        // The passing controls this strength stands for.
        for c in a
            .controls
            .iter()
            .filter(|c| c.status == ControlStatus::Pass)
        {
            let cites = c.evidence.iter().any(|e| {
                matches!(e, EvidenceRef::Fact { name, .. }
                    if found.rests_on.contains(&name.as_str())
                        || found.stands_for.contains(&name.as_str()))
            });
            if cites && covered.insert(c.id.as_str()) {
                evidence.push(c.id.to_string());
            }
        }
        out.push(Strength {
            text: found.text,
            evidence,
        });
    }
    let mut passing: Vec<(usize, &ControlResult)> = a
        .controls
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == ControlStatus::Pass && !covered.contains(c.id.as_str()))
        // A pass that rests on no evidence at all says nothing.
        .filter(|(_, c)| !c.evidence.is_empty())
        .collect();
    passing.sort_by_key(|(i, c)| (!c.critical, Reverse(c.weight), *i));
    for (_, c) in passing {
        out.push(Strength {
            text: if c.critical {
                format!("Critical control met: {}", c.title)
            } else {
                format!("Control met: {}", c.title)
            },
            evidence: vec![c.id.to_string()],
        });
    }
    out.truncate(MAX_STRENGTHS);
    out
}

const SEVERITIES: [(Severity, &str); 5] = [
    (Severity::Critical, "Critical"),
    (Severity::High, "High"),
    (Severity::Medium, "Medium"),
    (Severity::Low, "Low"),
    (Severity::Info, "Info"),
];

pub(crate) fn severity_distribution(a: &Assessment) -> SeverityDistribution {
    let all: Vec<&Finding> = a.evidence.iter().flat_map(|e| &e.findings).collect();
    let levels: Vec<SeverityCount> = SEVERITIES
        .iter()
        .map(|(s, label)| {
            let of: Vec<&&Finding> = all.iter().filter(|f| f.severity == *s).collect();
            SeverityCount {
                severity: s.as_str(),
                label,
                count: of.len(),
                confident: of
                    .iter()
                    .filter(|f| f.confidence >= Confidence::Medium)
                    .count(),
            }
        })
        .collect();
    SeverityDistribution {
        total: all.len(),
        confident: levels.iter().map(|l| l.confident).sum(),
        peak: levels.iter().map(|l| l.count).max().unwrap_or(0).max(1),
        levels,
    }
}

/// The findings a control's evidence names, most severe first.
pub(crate) fn findings_behind<'a>(a: &'a Assessment, c: &ControlResult) -> Vec<&'a Finding> {
    // The scoring records the findings behind each control with the
    // check's filters applied (severity, confidence, file class); an
    // assessment saved before that falls back to the rule patterns.
    let mut found: Vec<&Finding> = if c.findings.is_empty() {
        let rules: Vec<&str> = c
            .evidence
            .iter()
            .filter_map(|e| match e {
                EvidenceRef::Findings { rule, count, .. } if *count > 0 => Some(rule.as_str()),
                _ => None,
            })
            .collect();
        a.evidence
            .iter()
            .flat_map(|e| &e.findings)
            .filter(|f| rules.iter().any(|r| rule_matches(r, &f.rule)))
            .collect()
    } else {
        a.evidence
            .iter()
            .flat_map(|e| &e.findings)
            .filter(|f| c.findings.contains(&f.fingerprint))
            .collect()
    };
    found.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(y.confidence.cmp(&x.confidence))
            .then(x.sort_key().cmp(&y.sort_key()))
    });
    found
}

/// The order of "what to fix first": critical first, failed before
/// partial, worst finding, heavier weight, framework order.
type FixRank = (u8, u8, Reverse<Option<Severity>>, Reverse<u32>, usize);

/// Failed controls, then partial ones; critical first, then by the worst
/// finding behind them and their weight. Each names the files behind it.
pub(crate) fn fix_first(a: &Assessment) -> Vec<FixItem> {
    let mut ranked: Vec<(FixRank, FixItem)> = Vec::new();
    for (order, c) in a.controls.iter().enumerate() {
        let status_rank = match c.status {
            ControlStatus::Fail => 0,
            ControlStatus::Partial => 1,
            _ => continue,
        };
        let behind = findings_behind(a, c);
        let worst = behind.iter().map(|f| f.severity).max();
        let mut files: Vec<String> = Vec::new();
        for f in &behind {
            if let Some(path) = &f.location.path
                && !files.contains(path)
            {
                files.push(path.clone());
            }
        }
        let more_files = files.len().saturating_sub(FILES_PER_ITEM);
        files.truncate(FILES_PER_ITEM);
        let facts = if files.is_empty() {
            c.evidence
                .iter()
                .filter_map(|e| match e {
                    EvidenceRef::Fact { name, value } => Some(format!("{name}: {value}")),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let title = a
            .remediation
            .items
            .iter()
            .find(|w| w.control == c.id)
            .map(|w| w.title.clone())
            .or_else(|| c.remediation.clone())
            .unwrap_or_else(|| c.title.clone());
        ranked.push((
            (
                u8::from(!c.critical),
                status_rank,
                Reverse(worst),
                Reverse(c.weight),
                order,
            ),
            FixItem {
                rank: 0,
                title,
                control: c.id.to_string(),
                control_title: c.title.clone(),
                status: c.status.label(),
                critical: c.critical,
                worst: worst.map(Severity::as_str),
                findings: behind.len(),
                files,
                more_files,
                facts,
                effort: c.effort.map(|e| e.to_string()),
            },
        ));
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked
        .into_iter()
        .take(MAX_FIX_FIRST)
        .enumerate()
        .map(|(i, (_, item))| FixItem {
            rank: i + 1,
            ..item
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(26857), "26,857");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1200), "-1,200");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(1), "1 day");
        assert_eq!(age(8), "8 days");
        assert_eq!(age(596), "19 months");
        assert_eq!(age(1100), "3.0 years");
    }

    #[test]
    fn control_ids_are_found_as_whole_tokens() {
        let reason = "critical control a.b-c failed: A title.";
        assert!(names(reason, "a.b-c"));
        assert!(!names(reason, "a.b"));
        assert!(!names("critical control xa.b-c failed", "a.b-c"));
        assert!(names("control a.b-c.", "a.b-c"));
    }
}

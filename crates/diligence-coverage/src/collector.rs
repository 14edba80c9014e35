//! The `tests` collector: coverage reports, the test inventory, code size,
//! recent test activity, as evidence.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use diligence_collect::{CollectContext, CollectError, Collector, FileEntry, ReadOutcome};
use diligence_model::{
    Catalog, CollectorId, Confidence, Evidence, Fact, FactName, Finding, Inventory, Location,
    RuleId, Severity, Table, Unit,
};

use crate::history::{LastChange, MAX_INLINE_BLOB, last_change, recent_commits_touching};
use crate::inventory::{Frameworks, is_e2e_path, is_test_path, is_vendored};
use crate::loc::{LineCounts, LineKind, classify_lines, language_of};
use crate::paths::{PathMapper, normalise};
use crate::report::{Counts, CoverageReport, FileCoverage, detect_format, parse_as};
use crate::rust::RustTests;

/// Coverage reports larger than this are not parsed.
pub const MAX_REPORT_SIZE: u64 = 64 * 1024 * 1024;
/// Source files larger than this are not counted.
pub const MAX_SOURCE_SIZE: u64 = 2 * 1024 * 1024;
/// Manifests larger than this are not read.
const MAX_MANIFEST_SIZE: u64 = 1024 * 1024;
/// A report older than this, with commits after it, is stale.
pub const STALE_DAYS: i64 = 90;
/// Files with fewer instrumented lines are left out of the least-covered list.
pub const LARGE_FILE_LINES: u64 = 50;
/// Files with at least this many instrumented lines and under
/// [`LOW_FILE_PERMILLE`] coverage get a `tests.coverage-low-file` finding.
pub const LOW_FILE_LINES: u64 = 100;
/// See [`LOW_FILE_LINES`]: 30.0 %.
pub const LOW_FILE_PERMILLE: u64 = 300;
/// At most this many rows in the least-covered table and low-file findings.
const TOP_FILES: usize = 10;

/// Every fact this collector can emit, with its description.
const FACTS: &[(&str, &str)] = &[
    (
        "tests.files",
        "Test files by each ecosystem's conventions, plus Rust files with inline tests",
    ),
    (
        "tests.functions",
        "Rust test functions, from the source model's syn parse: #[test] and look-alikes, #[rstest], property tests",
    ),
    (
        "tests.doc-tests",
        "Rust doc tests: Rust code blocks in doc comments",
    ),
    (
        "tests.benches",
        "Rust benchmarks: #[bench], criterion and divan functions",
    ),
    (
        "tests.frameworks",
        "Test frameworks named by manifests, configuration files and test sources",
    ),
    (
        "tests.e2e",
        "Whether an end-to-end suite is present (heuristic)",
    ),
    ("tests.lines", "Lines of test code"),
    ("tests.code.lines", "Lines of non-test code"),
    (
        "tests.ratio.test-to-code",
        "Lines of test code per line of non-test code",
    ),
    (
        "tests.coverage.present",
        "Whether a coverage report was found and parsed",
    ),
    ("tests.coverage.reports", "Coverage reports parsed"),
    (
        "tests.coverage.line",
        "Covered out of instrumented lines (statements for Go, Clover, coverage.py)",
    ),
    (
        "tests.coverage.branch",
        "Covered out of instrumented branches",
    ),
    (
        "tests.coverage.function",
        "Covered out of instrumented functions",
    ),
    (
        "tests.coverage.age-days",
        "Days between the newest coverage report's last commit and the reference date",
    ),
    (
        "tests.coverage.files-missing",
        "Files a coverage report names that are not in the repository",
    ),
    (
        "tests.recent-commits-touching-tests",
        "Share of recent non-merge commits that change a test file or lines inside Rust inline tests",
    ),
    (
        "tests.readme.intentionally-vulnerable",
        "Whether the root README declares the project deliberately vulnerable or a training target (the sentence is the detail); a fact for the reader, not an input to any control",
    ),
];

/// Every rule this collector can emit, with its description.
const RULES: &[(&str, &str)] = &[
    (
        "tests.none-found",
        "No test files or test functions in a repository with code",
    ),
    (
        "tests.coverage-stale",
        "A coverage report last changed long before the code it describes",
    ),
    (
        "tests.coverage-malformed",
        "A coverage report that could not be parsed",
    ),
    (
        "tests.coverage-unreadable",
        "A coverage report that could not be read (too large, I/O error)",
    ),
    (
        "tests.coverage-low-file",
        "A large file with little coverage",
    ),
    (
        "tests.rust-source-skipped",
        "A Rust file not searched for tests (too large, too deep, not valid Rust, minified)",
    ),
];

/// Test evidence without running anything: coverage reports found in the
/// tree or named in [`Options::coverage_reports`](diligence_collect::Options),
/// the test inventory, code size by language, the share of recent commits
/// that touch tests. Whether CI runs the tests is the `deploy` collector's
/// evidence (`deploy.ci-runs-tests`). Collector id `tests`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TestsCollector;

impl TestsCollector {
    /// The facts and rules this collector can emit.
    pub fn catalog() -> Catalog {
        Catalog::from_tables(FACTS, RULES).expect("built-in fact names and rule ids are valid")
    }
}

impl Collector for TestsCollector {
    fn id(&self) -> CollectorId {
        CollectorId::new("tests").expect("`tests` is a valid collector id")
    }

    /// Recent commits touching tests, and the age of coverage reports.
    fn reads_history(&self) -> bool {
        true
    }

    /// Rust test functions, from the one syn parse of the source model.
    fn reads_source(&self) -> bool {
        true
    }

    fn catalog(&self) -> Catalog {
        Self::catalog()
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        let mut run = Run::new(self.id());
        run.inventory(cx)?;
        run.coverage(cx)?;
        run.history(cx)?;
        run.readme(cx);
        run.finish()
    }
}

fn fact_name(name: &str) -> FactName {
    FactName::new(name).expect("built-in fact names are valid")
}

fn rule(id: &str) -> RuleId {
    RuleId::new(id).expect("built-in rule ids are valid")
}

fn table(title: &str, columns: &[&str], rows: Vec<Vec<String>>) -> Inventory {
    Inventory::Table(Table {
        title: title.to_owned(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    })
}

fn ratio(counts: Counts) -> Fact {
    Fact::ratio(counts.hit, counts.found)
}

fn opt_percent(counts: Option<Counts>) -> String {
    counts.map_or_else(|| "n/a".to_owned(), Counts::percent_text)
}

/// Code size of one language.
#[derive(Default)]
struct LanguageSize {
    files: u64,
    test_files: u64,
    code: LineCounts,
    test: LineCounts,
}

/// One coverage report, parsed or not.
struct ReportRecord {
    /// Repository-relative path, or the path as given for a report outside.
    path: String,
    /// Repository-relative directory, for mapping relative paths.
    dir: String,
    in_repo: bool,
    parsed: Option<CoverageReport>,
    change: Option<LastChange>,
    mapped: usize,
    missing: usize,
}

struct Run {
    evidence: Evidence,
    partial: Vec<String>,
    findings: Vec<Finding>,
    test_files: u64,
    rust: RustTests,
    /// Whether the shared source model was there to read.
    source_read: bool,
    frameworks: Frameworks,
    e2e_paths: Vec<String>,
    languages: BTreeMap<&'static str, LanguageSize>,
    has_code: bool,
}

impl Run {
    fn new(id: CollectorId) -> Self {
        Self {
            evidence: Evidence::new(id),
            partial: Vec::new(),
            findings: Vec::new(),
            test_files: 0,
            rust: RustTests::default(),
            source_read: false,
            frameworks: Frameworks::default(),
            e2e_paths: Vec::new(),
            languages: BTreeMap::new(),
            has_code: false,
        }
    }

    fn fact(&mut self, name: &str, fact: Fact) {
        self.evidence.set_fact(fact_name(name), fact);
    }

    /// What the root README says the project is.
    fn readme(&mut self, cx: &CollectContext<'_>) {
        let mut readmes: Vec<_> = cx
            .files
            .entries()
            .iter()
            .filter(|e| crate::readme::is_root_readme(&e.path))
            .collect();
        if readmes.is_empty() {
            return;
        }
        readmes.sort_by(|a, b| a.path.cmp(&b.path));
        let mut found = None;
        for entry in readmes {
            if let Ok(diligence_collect::ReadOutcome::Content(bytes)) =
                cx.files.read_capped(entry, 1 << 20)
                && let Some(sentence) =
                    crate::readme::vulnerable_by_design(&String::from_utf8_lossy(&bytes))
            {
                found = Some((entry.path.clone(), sentence));
                break;
            }
        }
        let fact = match found {
            Some((path, sentence)) => Fact::bool(true).detail(format!("{path}: \"{sentence}\"")),
            None => Fact::bool(false),
        };
        self.fact("tests.readme.intentionally-vulnerable", fact);
    }

    fn finding(
        &mut self,
        id: &str,
        severity: Severity,
        confidence: Confidence,
        location: Location,
        message: String,
        remediation: &str,
    ) {
        let built = Finding::builder(rule(id), severity, confidence)
            .message(message)
            .location(location)
            .remediation(remediation)
            .build()
            .expect("findings built here have a message and a consistent location");
        self.findings.push(built);
    }

    /// The tests of one Rust file, from the shared source model; `None`,
    /// with a finding when the model says why, when the file was not
    /// parsed. Vendored and generated files are skipped by the model and
    /// hold no tests of the product.
    fn rust_file(&mut self, cx: &CollectContext<'_>, path: &str) -> Option<RustTests> {
        let model = cx.source?;
        if let Some(file) = model.file(path) {
            return Some(RustTests::of(file));
        }
        let (location, why) = if let Some(failed) = model.failure(path) {
            let location = match failed.error.line() {
                Some(line) => Location::line(path, line.max(1)),
                None => Location::file(path),
            };
            (location, failed.error.to_string())
        } else {
            let skipped = model.skipped.iter().find(|s| s.path == path)?;
            match skipped.reason {
                diligence_source::SkipReason::TooLarge => (
                    Location::file(path),
                    format!("larger than {} bytes", diligence_source::MAX_FILE_SIZE),
                ),
                diligence_source::SkipReason::Minified => {
                    (Location::file(path), "minified".to_owned())
                }
                _ => return None,
            }
        };
        self.finding(
            "tests.rust-source-skipped",
            Severity::Info,
            Confidence::High,
            location,
            format!("{path} was not searched for tests: {why}"),
            "Nothing to fix in the target; its tests, if any, are not counted.",
        );
        None
    }

    /// Reads every source file once: languages, test files, Rust tests,
    /// frameworks, end-to-end suites.
    fn inventory(&mut self, cx: &CollectContext<'_>) -> Result<(), CollectError> {
        let mut skipped_large = 0usize;
        let mut cargo_manifest: Option<String> = None;
        for entry in cx.files.entries() {
            if cx.cancelled() {
                return Err(CollectError::Cancelled);
            }
            let path = entry.path.as_str();
            if is_vendored(path) {
                continue;
            }
            self.frameworks.from_name(path);
            let name = path.rsplit('/').next().unwrap_or(path);
            if name == "Cargo.toml" && cargo_manifest.is_none() {
                cargo_manifest = Some(path.to_owned());
            }
            // Manifests kept as test data describe some other project.
            if is_manifest(name)
                && !path.split('/').any(|d| {
                    matches!(
                        d,
                        "fixtures" | "__fixtures__" | "testdata" | "test-fixtures"
                    )
                })
                && let Some(text) = read_text(cx, entry, MAX_MANIFEST_SIZE)
            {
                self.frameworks.from_manifest(path, &text);
            }
            let test_path = is_test_path(path);
            if test_path && is_e2e_path(path) {
                self.e2e_paths.push(path.to_owned());
            }
            let Some(language) = language_of(path) else {
                if test_path && is_code_like_test(name) {
                    self.test_files += 1;
                }
                continue;
            };
            let Some(text) = read_text(cx, entry, MAX_SOURCE_SIZE) else {
                skipped_large += 1;
                continue;
            };
            if test_path {
                self.frameworks.from_test_source(path, &text);
            }
            let kinds = classify_lines(language, &text);
            let mut spans: Vec<(u32, u32)> = Vec::new();
            let mut inline_tests = false;
            if language.name == "Rust"
                && let Some(found) = self.rust_file(cx, path)
            {
                inline_tests = !found.test_spans.is_empty();
                spans = found.test_spans.clone();
                self.rust.unit += found.unit;
                self.rust.rstest += found.rstest;
                self.rust.property += found.property;
                self.rust.bench += found.bench;
                self.rust.doc += found.doc;
            }
            let size = self.languages.entry(language.name).or_default();
            size.files += 1;
            if test_path || inline_tests {
                self.test_files += 1;
                size.test_files += 1;
            }
            for (index, kind) in kinds.into_iter().enumerate() {
                let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let in_test = test_path || spans.iter().any(|&(a, b)| a <= line && line <= b);
                if in_test {
                    size.test.add(kind);
                } else {
                    size.code.add(kind);
                    if kind == LineKind::Code {
                        self.has_code = true;
                    }
                }
            }
        }
        if let Some(manifest) = cargo_manifest
            && (self.rust.functions() > 0 || self.rust.doc > 0)
        {
            self.frameworks.add("cargo", "Rust", &manifest);
        }
        self.source_read = cx.source.is_some();
        if !self.source_read && self.languages.contains_key("Rust") {
            self.partial.push(
                "Rust test functions not analysed: the source model was not built for this scan"
                    .to_owned(),
            );
        }
        if skipped_large > 0 {
            self.partial.push(format!(
                "{skipped_large} source files over {MAX_SOURCE_SIZE} bytes were not counted"
            ));
        }
        if cx.files.omitted() > 0 {
            self.partial.push(format!(
                "{} files were not listed (over the file-count cap or unreadable)",
                cx.files.omitted()
            ));
        }
        self.inventory_evidence();
        Ok(())
    }

    fn inventory_evidence(&mut self) {
        let rust_tests = self.rust.clone();
        let frameworks = std::mem::take(&mut self.frameworks).into_vec();
        self.fact(
            "tests.files",
            Fact::int(
                i64::try_from(self.test_files).unwrap_or(i64::MAX),
                Unit::Files,
            )
            .detail(
                "Files that are tests by their ecosystem's naming and directory conventions, \
                 plus Rust files with #[cfg(test)] modules or test functions.",
            ),
        );
        // Without the source model the Rust tests were not read: no count
        // rather than a wrong zero.
        if self.languages.contains_key("Rust") && self.source_read {
            let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.fact(
                "tests.functions",
                Fact::int(int(rust_tests.functions()), Unit::Count).detail(format!(
                    "Rust, from the source model's syn parse without expanding macros: {} #[test]-style, {} #[rstest], {} property tests.",
                    rust_tests.unit, rust_tests.rstest, rust_tests.property
                )),
            );
            self.fact(
                "tests.doc-tests",
                Fact::int(int(rust_tests.doc), Unit::Count),
            );
            self.fact(
                "tests.benches",
                Fact::int(int(rust_tests.bench), Unit::Count),
            );
        }
        self.fact(
            "tests.frameworks",
            Fact::list(frameworks.iter().map(|f| f.name.to_owned())),
        );
        let e2e_frameworks: Vec<&str> = frameworks
            .iter()
            .filter(|f| f.e2e)
            .map(|f| f.name)
            .collect();
        let e2e = !e2e_frameworks.is_empty() || !self.e2e_paths.is_empty();
        let mut detail = String::new();
        if !e2e_frameworks.is_empty() {
            detail.push_str(&format!(
                "End-to-end frameworks: {}. ",
                e2e_frameworks.join(", ")
            ));
        }
        if let Some(first) = self.e2e_paths.first() {
            detail.push_str(&format!(
                "{} end-to-end test files, first {first}. ",
                self.e2e_paths.len()
            ));
        }
        if detail.is_empty() {
            detail.push_str(
                "No end-to-end framework or e2e/, cypress/, playwright/ test files found. ",
            );
        }
        detail.push_str("From names and manifests; whether the suite runs is not known.");
        self.fact(
            "tests.e2e",
            Fact::bool(e2e).heuristic(Confidence::Medium).detail(detail),
        );

        // Markup and styles are counted by language but left out of the ratio.
        let programming = |name: &str| !matches!(name, "HTML" | "CSS" | "SCSS");
        let (mut code, mut test) = (0u64, 0u64);
        for (name, size) in &self.languages {
            if programming(name) {
                code += size.code.code;
                test += size.test.code;
            }
        }
        self.fact(
            "tests.lines",
            Fact::int(i64::try_from(test).unwrap_or(i64::MAX), Unit::Lines),
        );
        self.fact(
            "tests.code.lines",
            Fact::int(i64::try_from(code).unwrap_or(i64::MAX), Unit::Lines).detail(
                "Lines of code (not comments, not blanks) outside tests, vendored and generated files; by language in the code-by-language inventory.",
            ),
        );
        self.fact(
            "tests.ratio.test-to-code",
            Fact::ratio(test, code).detail(
                "Lines of test code over lines of non-test code, programming languages only (no HTML or CSS).",
            ),
        );
        let rows = self
            .languages
            .iter()
            .map(|(name, s)| {
                vec![
                    (*name).to_owned(),
                    s.files.to_string(),
                    s.code.code.to_string(),
                    s.code.comments.to_string(),
                    s.code.blanks.to_string(),
                    s.test_files.to_string(),
                    s.test.code.to_string(),
                ]
            })
            .collect();
        self.evidence.inventories.insert(
            "code-by-language".to_owned(),
            table(
                "Code and tests by language",
                &[
                    "language",
                    "files",
                    "code",
                    "comments",
                    "blanks",
                    "test files",
                    "test code",
                ],
                rows,
            ),
        );
        let rows = frameworks
            .iter()
            .map(|f| {
                vec![
                    f.name.to_owned(),
                    f.ecosystem.to_owned(),
                    if f.e2e { "yes" } else { "no" }.to_owned(),
                    f.evidence.clone(),
                ]
            })
            .collect();
        self.evidence.inventories.insert(
            "test-frameworks".to_owned(),
            table(
                "Test frameworks",
                &["framework", "ecosystem", "end-to-end", "seen in"],
                rows,
            ),
        );
        if self.languages.contains_key("Rust") && self.source_read {
            let r = &rust_tests;
            let rows = [
                ("#[test] and look-alikes", r.unit),
                ("#[rstest]", r.rstest),
                ("property tests", r.property),
                ("benchmarks", r.bench),
                ("doc tests", r.doc),
            ]
            .iter()
            .map(|(k, n)| vec![(*k).to_owned(), n.to_string()])
            .collect();
            self.evidence.inventories.insert(
                "rust-tests".to_owned(),
                table("Rust tests found with syn", &["kind", "count"], rows),
            );
        }
        let rust_unread = self.languages.contains_key("Rust") && !self.source_read;
        if self.test_files == 0 && rust_tests.functions() == 0 && self.has_code && !rust_unread {
            self.finding(
                "tests.none-found",
                Severity::Medium,
                Confidence::Medium,
                Location::default(),
                "No test files or test functions were found in a repository with code.".to_owned(),
                "Add automated tests for the critical paths (authentication, payments, data access) and run them in CI.",
            );
        }
    }

    fn coverage(&mut self, cx: &CollectContext<'_>) -> Result<(), CollectError> {
        let mapper = PathMapper::new(cx.files.entries().iter().map(|e| e.path.as_str()));
        let mut reports: Vec<ReportRecord> = Vec::new();
        for entry in cx.files.entries() {
            if cx.cancelled() {
                return Err(CollectError::Cancelled);
            }
            if !is_report_candidate(&entry.path) {
                continue;
            }
            match cx.files.read_capped(entry, MAX_REPORT_SIZE) {
                Ok(ReadOutcome::Content(data)) => {
                    // A candidate by name that is not a report is not an error.
                    if detect_format(&entry.path, &data).is_some() {
                        let record = self.parse_report(cx, &entry.path, true, &data);
                        reports.push(record);
                    }
                }
                Ok(ReadOutcome::TooLarge { size }) => {
                    self.unreadable(
                        &entry.path,
                        &format!("{size} bytes, over the {MAX_REPORT_SIZE}-byte cap"),
                    );
                }
                Err(e) => self.unreadable(&entry.path, &e.to_string()),
            }
        }
        for given in &cx.options.coverage_reports {
            let (path, in_repo) = repo_relative(cx, given);
            if reports
                .iter()
                .any(|r| r.in_repo && in_repo && r.path == path)
            {
                continue;
            }
            match read_file_capped(given, MAX_REPORT_SIZE) {
                Ok(Some(data)) => {
                    let record = self.parse_report(cx, &path, in_repo, &data);
                    reports.push(record);
                }
                Ok(None) => self.unreadable(&path, &format!("over the {MAX_REPORT_SIZE}-byte cap")),
                Err(e) => self.unreadable(&path, &e.to_string()),
            }
        }
        self.coverage_evidence(&mapper, reports);
        Ok(())
    }

    fn unreadable(&mut self, path: &str, why: &str) {
        self.finding(
            "tests.coverage-unreadable",
            Severity::Low,
            Confidence::High,
            Location::file(path),
            format!("Coverage report {path} was not read: {why}."),
            "Provide the report in a supported format and under the size cap, or pass it with --coverage.",
        );
    }

    fn parse_report(
        &mut self,
        cx: &CollectContext<'_>,
        path: &str,
        in_repo: bool,
        data: &[u8],
    ) -> ReportRecord {
        let dir = if in_repo {
            path.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_owned())
        } else {
            String::new()
        };
        let change = match (in_repo, cx.history) {
            (true, Some(history)) => last_change(history, path),
            _ => None,
        };
        let parsed = match detect_format(path, data) {
            None => Err(crate::ParseError::new(
                None,
                "not a coverage report in a known format",
            )),
            Some(format) => parse_as(format, data),
        };
        let parsed = match parsed {
            Ok(report) => Some(report),
            Err(error) => {
                let location = match error.line {
                    Some(line) if in_repo => Location::line(path, line.max(1)),
                    _ => Location::file(path),
                };
                self.finding(
                    "tests.coverage-malformed",
                    Severity::Low,
                    Confidence::High,
                    location,
                    format!("Coverage report {path} could not be parsed: {error}."),
                    "Regenerate the report with the coverage tool; a truncated or hand-edited report is not evidence.",
                );
                None
            }
        };
        ReportRecord {
            path: path.to_owned(),
            dir,
            in_repo,
            parsed,
            change,
            mapped: 0,
            missing: 0,
        }
    }

    fn coverage_evidence(&mut self, mapper: &PathMapper, mut reports: Vec<ReportRecord>) {
        reports.sort_by(|a, b| a.path.cmp(&b.path));
        // Per repository file, the entry of the report that instruments the
        // most lines of it; reports that overlap are not summed.
        let mut files: BTreeMap<String, (FileCoverage, usize)> = BTreeMap::new();
        let mut missing: BTreeMap<String, FileCoverage> = BTreeMap::new();
        for (index, record) in reports.iter_mut().enumerate() {
            let Some(report) = &record.parsed else {
                continue;
            };
            for (path, coverage) in &report.files {
                match mapper.map(path, &record.dir, &report.sources) {
                    Some(repo_path) => {
                        record.mapped += 1;
                        let slot = files.entry(repo_path).or_insert((coverage.clone(), index));
                        if coverage.lines.found > slot.0.lines.found {
                            *slot = (coverage.clone(), index);
                        }
                    }
                    None => {
                        record.missing += 1;
                        missing.insert(normalise(path), coverage.clone());
                    }
                }
            }
        }
        let parsed: Vec<&ReportRecord> = reports.iter().filter(|r| r.parsed.is_some()).collect();
        self.fact(
            "tests.coverage.present",
            Fact::bool(!parsed.is_empty()).detail(
                "A coverage report in a known format was found in the tree or given with --coverage, and parsed.",
            ),
        );
        if parsed.is_empty() {
            return;
        }
        self.fact(
            "tests.coverage.reports",
            Fact::list(parsed.iter().map(|r| r.path.clone())),
        );
        let total = files
            .values()
            .fold(FileCoverage::default(), |acc, (f, _)| acc.plus(f));
        self.fact(
            "tests.coverage.line",
            ratio(total.lines).detail(format!(
                "Over the {} repository files the reports cover; Go, Clover and coverage.py count statements.",
                files.len()
            )),
        );
        if let Some(branches) = total.branches.filter(|b| b.found > 0) {
            self.fact("tests.coverage.branch", ratio(branches));
        }
        if let Some(functions) = total.functions.filter(|f| f.found > 0) {
            self.fact("tests.coverage.function", ratio(functions));
        }
        let missing_total = missing
            .values()
            .fold(FileCoverage::default(), |acc, f| acc.plus(f));
        self.fact(
            "tests.coverage.files-missing",
            Fact::count(missing.len(), Unit::Files).detail(format!(
                "Files named by a report but not found in the repository (deleted, or from another checkout), with {} instrumented lines; not in the totals.",
                missing_total.lines.found
            )),
        );
        if let Some(newest) = parsed
            .iter()
            .filter_map(|r| r.change.as_ref())
            .min_by_key(|c| c.age_days)
        {
            self.fact(
                "tests.coverage.age-days",
                Fact::int(newest.age_days, Unit::Days).detail(format!(
                    "Age of the newest committed report: last changed in {} on {}, {} commits before HEAD.",
                    newest.commit.get(..12).unwrap_or(&newest.commit),
                    newest.date.date_string(),
                    newest.commits_since
                )),
            );
        }
        for record in &parsed {
            if let Some(change) = &record.change
                && change.age_days > STALE_DAYS
                && change.commits_since > 0
            {
                self.finding(
                    "tests.coverage-stale",
                    Severity::Low,
                    Confidence::High,
                    Location::file(record.path.clone()),
                    format!(
                        "Coverage report {} was last changed {} days before the reference date, and {} commits came after it.",
                        record.path, change.age_days, change.commits_since
                    ),
                    "Regenerate coverage in CI on every change and publish it as an artefact instead of committing it.",
                );
            }
        }

        let rows = reports
            .iter()
            .filter_map(|r| {
                let report = r.parsed.as_ref()?;
                let t = report.totals();
                Some(vec![
                    r.path.clone(),
                    report.format.to_string(),
                    report.files.len().to_string(),
                    r.mapped.to_string(),
                    r.missing.to_string(),
                    t.lines.percent_text(),
                    opt_percent(t.branches),
                    opt_percent(t.functions),
                    r.change.as_ref().map_or_else(
                        || {
                            if r.in_repo {
                                "not committed".to_owned()
                            } else {
                                "outside the repository".to_owned()
                            }
                        },
                        |c| c.date.date_string(),
                    ),
                    r.change
                        .as_ref()
                        .map_or_else(|| "n/a".to_owned(), |c| c.age_days.to_string()),
                ])
            })
            .collect();
        self.evidence.inventories.insert(
            "coverage-reports".to_owned(),
            table(
                "Coverage reports",
                &[
                    "report",
                    "format",
                    "files",
                    "mapped",
                    "missing",
                    "lines",
                    "branches",
                    "functions",
                    "last changed",
                    "age (days)",
                ],
                rows,
            ),
        );

        let mut by_dir: BTreeMap<String, (u64, FileCoverage)> = BTreeMap::new();
        for (path, (coverage, _)) in &files {
            let dir = match path.split_once('/') {
                Some((top, _)) => format!("{top}/"),
                None => "(root)".to_owned(),
            };
            let slot = by_dir.entry(dir).or_default();
            slot.0 += 1;
            slot.1 = slot.1.plus(coverage);
        }
        let rows = by_dir
            .into_iter()
            .map(|(dir, (n, c))| {
                vec![
                    dir,
                    n.to_string(),
                    c.lines.found.to_string(),
                    c.lines.hit.to_string(),
                    c.lines.percent_text(),
                    opt_percent(c.branches),
                    opt_percent(c.functions),
                ]
            })
            .collect();
        self.evidence.inventories.insert(
            "coverage-by-directory".to_owned(),
            table(
                "Coverage by top-level directory",
                &[
                    "directory",
                    "files",
                    "lines",
                    "covered",
                    "line coverage",
                    "branch coverage",
                    "function coverage",
                ],
                rows,
            ),
        );

        let mut large: Vec<(&String, &FileCoverage)> = files
            .iter()
            .filter(|(_, (c, _))| c.lines.found >= LARGE_FILE_LINES)
            .map(|(p, (c, _))| (p, c))
            .collect();
        // Most uncovered lines first, then lowest coverage, then path.
        large.sort_by(|a, b| {
            b.1.lines
                .missed()
                .cmp(&a.1.lines.missed())
                .then(a.1.lines.permille().cmp(&b.1.lines.permille()))
                .then(a.0.cmp(b.0))
        });
        large.truncate(TOP_FILES);
        let rows = large
            .iter()
            .map(|(p, c)| {
                vec![
                    (*p).clone(),
                    c.lines.found.to_string(),
                    c.lines.hit.to_string(),
                    c.lines.missed().to_string(),
                    c.lines.percent_text(),
                ]
            })
            .collect();
        self.evidence.inventories.insert(
            "least-covered-files".to_owned(),
            table(
                "Least-covered large files",
                &["file", "lines", "covered", "uncovered", "line coverage"],
                rows,
            ),
        );
        for (path, c) in large {
            if c.lines.found >= LOW_FILE_LINES
                && c.lines.permille().is_some_and(|p| p < LOW_FILE_PERMILLE)
            {
                self.finding(
                    "tests.coverage-low-file",
                    Severity::Low,
                    Confidence::Medium,
                    Location::file(path.clone()),
                    format!(
                        "{path} has {} of {} instrumented lines covered ({}).",
                        c.lines.hit,
                        c.lines.found,
                        c.lines.percent_text()
                    ),
                    "Add tests for this file's main paths, starting with the code that handles money, identity or data.",
                );
            }
        }
    }

    fn history(&mut self, cx: &CollectContext<'_>) -> Result<(), CollectError> {
        let Some(history) = cx.history else {
            return Ok(());
        };
        let recent = recent_commits_touching(history, cx.target.repository(), is_test_path, || {
            cx.cancelled()
        })
        .ok_or(CollectError::Cancelled)?;
        let mut detail = format!(
            "Of {}, those changing a test file by its ecosystem's conventions",
            recent.basis
        );
        if recent.inline_read {
            detail.push_str(&format!(
                " or lines inside a Rust file's inline tests (#[cfg(test)] modules and #[test]-style functions, found with syn in the file as of that commit); {} of them only for inline tests.",
                recent.inline_only
            ));
            if recent.unread_files > 0 {
                let files = match recent.unread_files {
                    1 => "1 changed Rust file".to_owned(),
                    n => format!("{n} changed Rust files"),
                };
                detail.push_str(&format!(
                    " {files} could not be read (over {} MiB, absent from the object database or not valid Rust); such a file counts as not touching tests.",
                    MAX_INLINE_BLOB / (1024 * 1024)
                ));
            }
        } else {
            detail.push_str("; Rust inline tests were not read (no object database).");
        }
        detail.push_str(
            " Inline tests are read for Rust only; Python and JavaScript tests live in test files, which the conventions cover.",
        );
        self.fact(
            "tests.recent-commits-touching-tests",
            Fact::ratio(recent.touching, recent.window)
                .heuristic(Confidence::Medium)
                .detail(detail),
        );
        Ok(())
    }

    fn finish(mut self) -> Result<Evidence, CollectError> {
        self.evidence.findings = self.findings;
        if !self.partial.is_empty() {
            self.evidence.partial = Some(self.partial.join("; "));
        }
        self.evidence.normalise();
        Ok(self.evidence)
    }
}

/// Manifest and configuration file names whose content names frameworks.
fn is_manifest(name: &str) -> bool {
    matches!(
        name,
        "package.json"
            | "pyproject.toml"
            | "setup.cfg"
            | "tox.ini"
            | "Pipfile"
            | "setup.py"
            | "pom.xml"
            | "build.gradle"
            | "build.gradle.kts"
            | "Gemfile"
            | "composer.json"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
        || name.ends_with(".csproj")
}

/// Test files in languages the counter does not know still count as tests
/// when they look like code (`.feature` files, snapshots do not).
fn is_code_like_test(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "groovy" | "clj" | "erl" | "hs" | "ml" | "fs" | "r" | "jl" | "m" | "mm" | "pl"
    )
}

/// Whether a file name suggests a coverage report; the content decides.
pub fn is_report_candidate(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.split('/').any(|d| {
        matches!(
            d,
            "node_modules"
                | "vendor"
                | "third_party"
                | "site-packages"
                | ".git"
                // Reports kept as test data describe some other code.
                | "fixtures"
                | "__fixtures__"
                | "test-fixtures"
                | "testdata"
        )
    }) {
        return false;
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_cov_dir = lower.contains("cov") || lower.contains("jacoco") || lower.contains("clover");
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "info" => name.starts_with("lcov") || in_cov_dir,
        "lcov" => true,
        "xml" => {
            name.contains("cov")
                || name.contains("cobertura")
                || name.contains("jacoco")
                || name.contains("clover")
                || (in_cov_dir && name == "report.xml")
        }
        "json" => {
            (name.contains("cov") || in_cov_dir)
                && !matches!(
                    name,
                    "coverage-final.json" | "coverage-summary.json" | "package.json"
                )
        }
        "out" => name.starts_with("cover") || name.contains("coverage") || name == "c.out",
        "txt" => name == "coverage.txt" || name == "cover.txt",
        "coverprofile" | "gocov" => true,
        _ => false,
    }
}

fn read_text(cx: &CollectContext<'_>, entry: &FileEntry, cap: u64) -> Option<String> {
    match cx.files.read_capped(entry, cap) {
        Ok(ReadOutcome::Content(data)) => Some(String::from_utf8_lossy(&data).into_owned()),
        _ => None,
    }
}

/// A report given by path: repository-relative when it lies inside the
/// target, otherwise the path as given.
fn repo_relative(cx: &CollectContext<'_>, given: &Path) -> (String, bool) {
    let root = cx.target.root();
    let absolute_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let absolute = given.canonicalize().unwrap_or_else(|_| given.to_path_buf());
    match absolute.strip_prefix(&absolute_root) {
        Ok(relative) if cx.files.get(&slash(relative)).is_some() => (slash(relative), true),
        _ => (given.display().to_string(), false),
    }
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a file outside the index with a cap; `Ok(None)` when over it.
fn read_file_capped(path: &Path, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = std::fs::File::open(path)?;
    let mut data = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut data)?;
    Ok((data.len() as u64 <= cap).then_some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_candidates_by_name() {
        for path in [
            "coverage/lcov.info",
            "coverage.xml",
            "build/reports/jacoco/test/jacocoTestReport.xml",
            "coverage/clover.xml",
            "coverage.json",
            "target/llvm-cov/cov.json",
            "cover.out",
            "coverage.txt",
            "web/coverage/cobertura-coverage.xml",
        ] {
            assert!(is_report_candidate(path), "{path}");
        }
        for path in [
            "package.json",
            "coverage/coverage-final.json",
            "node_modules/x/coverage.xml",
            "pom.xml",
            "docs/info.info",
            "src/discover.out",
            "fixtures/coverage/lcov/jest.info",
        ] {
            assert!(!is_report_candidate(path), "{path}");
        }
    }

    #[test]
    fn catalog_is_complete_and_prefixed() {
        let catalog = TestsCollector::catalog();
        assert_eq!(catalog.facts.len(), FACTS.len());
        assert_eq!(catalog.rules.len(), RULES.len());
        assert!(catalog.facts.keys().all(|f| f.prefix() == "tests"));
        assert!(catalog.rules.keys().all(|r| r.prefix() == "tests"));
    }
}

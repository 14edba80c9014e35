//! The collector on small repositories built in the test: coverage
//! mapping, age, findings, inventory and history, both ways.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use diligence_collect::{
    CollectContext, Collector, FileIndex, FileIndexOptions, History, Options, ReadOutcome, Target,
};
use diligence_coverage::TestsCollector;
use diligence_history::HistoryOptions;
use diligence_model::{Evidence, FactValue, Inventory};
use diligence_source::{SourceFile, SourceModel};

use crate::fixture;

fn write(root: &Path, path: &str, content: &[u8]) -> anyhow::Result<()> {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(full, content)?;
    Ok(())
}

fn copy(root: &Path, to: &str, from: &str) -> anyhow::Result<()> {
    write(root, to, &fs::read(fixture(from))?)
}

/// Commits everything at `days` after the testkit's base time.
fn commit_all(root: &Path, days: i64, message: &str) -> anyhow::Result<()> {
    let date = format!("{} +0000", diligence_testkit::BASE_TIME + days * 86_400);
    for args in [vec!["add", "-A"], vec!["commit", "-q", "-m", message]] {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(root).args(&args);
        diligence_testkit::configure(&mut cmd, root);
        cmd.env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        let output = cmd.output()?;
        anyhow::ensure!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn init(root: &Path) -> anyhow::Result<()> {
    let mut cmd = Command::new("git");
    cmd.arg("init").arg("-q").arg(root);
    diligence_testkit::configure(&mut cmd, root);
    let output = cmd.output()?;
    anyhow::ensure!(
        output.status.success(),
        "git init failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

fn collect(root: &Path, options: &Options) -> anyhow::Result<Evidence> {
    let target = Target::resolve(root)?;
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {})?;
    let files = FileIndex::build(&target, &FileIndexOptions::default())?;
    let source = source_model(&files);
    let cancel = AtomicBool::new(false);
    let cx = CollectContext::new(&target, history.as_ref(), &files, options, &|_| {}, &cancel)
        .with_source(Some(&source));
    Ok(TestsCollector.collect(&cx)?)
}

/// The shared source model, built as a scan builds it.
fn source_model(files: &FileIndex) -> SourceModel {
    let listed: Vec<SourceFile<'_>> = files
        .entries()
        .iter()
        .map(|e| SourceFile {
            path: &e.path,
            size: e.size,
        })
        .collect();
    let read = |path: &str| -> std::io::Result<Vec<u8>> {
        let entry = files
            .get(path)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        match files.read_capped(entry, diligence_source::MAX_FILE_SIZE)? {
            ReadOutcome::Content(bytes) => Ok(bytes),
            ReadOutcome::TooLarge { size } => Err(std::io::Error::other(format!("{size} bytes"))),
        }
    };
    SourceModel::build(&listed, &read)
}

fn value<'e>(ev: &'e Evidence, name: &str) -> &'e FactValue {
    &ev.facts
        .get(name)
        .unwrap_or_else(|| panic!("fact {name} is missing"))
        .value
}

fn ratio(ev: &Evidence, name: &str) -> (u64, u64) {
    match value(ev, name) {
        FactValue::Ratio {
            numerator,
            denominator,
        } => (*numerator, *denominator),
        other => panic!("{name} is not a ratio: {other:?}"),
    }
}

fn boolean(ev: &Evidence, name: &str) -> bool {
    match value(ev, name) {
        FactValue::Bool { value } => *value,
        other => panic!("{name} is not a bool: {other:?}"),
    }
}

fn int(ev: &Evidence, name: &str) -> i64 {
    match value(ev, name) {
        FactValue::Int { value, .. } => *value,
        other => panic!("{name} is not an int: {other:?}"),
    }
}

fn rules(ev: &Evidence) -> Vec<(String, String)> {
    ev.findings
        .iter()
        .map(|f| (f.rule.to_string(), f.location.to_string()))
        .collect()
}

fn rows(ev: &Evidence, key: &str) -> Vec<Vec<String>> {
    match ev.inventories.get(key) {
        Some(Inventory::Table(t)) => t.rows.clone(),
        other => panic!("inventory {key}: {other:?}"),
    }
}

/// Three projects with reports from real tools, a report of deleted code,
/// a broken report, CI, and a later commit that makes the reports stale.
fn polyglot(root: &Path) -> anyhow::Result<()> {
    init(root)?;
    copy(root, "native/calc.c", "src/native/calc.c")?;
    copy(root, "native/coverage/lcov.info", "lcov/gcc-geninfo.info")?;
    copy(root, "shop/app/__init__.py", "src/shop/app/__init__.py")?;
    copy(root, "shop/app/pricing.py", "src/shop/app/pricing.py")?;
    copy(
        root,
        "shop/tests/test_pricing.py",
        "src/shop/tests/test_pricing.py",
    )?;
    copy(root, "shop/coverage.xml", "cobertura/coverage-py.xml")?;
    copy(root, "web/src/cart.js", "src/web/src/cart.js")?;
    copy(root, "web/src/cart.test.js", "src/web/src/cart.test.js")?;
    copy(root, "web/coverage/clover.xml", "clover/jest.xml")?;
    write(
        root,
        "web/package.json",
        br#"{"name": "web", "devDependencies": {"jest": "^29.7.0"}, "scripts": {"test": "jest"}}"#,
    )?;
    copy(root, "old/lcov.info", "lcov/edge-cases.info")?;
    copy(root, "broken/lcov.info", "malformed/bad-count.info")?;
    write(root, ".github/workflows/ci.yml", b"on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n        working-directory: web\n")?;
    commit_all(root, 0, "Shop, cart and calculator with coverage")?;
    let cart = fs::read_to_string(root.join("web/src/cart.js"))?;
    write(
        root,
        "web/src/cart.js",
        format!("{cart}// Prices are in cents.\n").as_bytes(),
    )?;
    commit_all(root, 200, "Note the unit of prices")?;
    Ok(())
}

#[test]
fn polyglot_repository() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    polyglot(root)?;
    let ev = collect(root, &Options::default())?;

    assert!(boolean(&ev, "tests.coverage.present"));
    // calc.c 11/14 (lcov), pricing.py 9/14 (Cobertura), cart.js 9/14 (Clover).
    assert_eq!(ratio(&ev, "tests.coverage.line"), (29, 42));
    assert_eq!(ratio(&ev, "tests.coverage.branch"), (5 + 4 + 3, 6 + 8 + 7));
    // Cobertura from coverage.py has no methods; lcov 2/3 and Clover 2/3.
    assert_eq!(ratio(&ev, "tests.coverage.function"), (4, 6));
    // The report of deleted code names three files that are not here.
    assert_eq!(int(&ev, "tests.coverage.files-missing"), 3);
    assert_eq!(int(&ev, "tests.coverage.age-days"), 200);

    let found = rules(&ev);
    for report in [
        "native/coverage/lcov.info",
        "old/lcov.info",
        "shop/coverage.xml",
        "web/coverage/clover.xml",
    ] {
        assert!(
            found.contains(&("tests.coverage-stale".to_owned(), report.to_owned())),
            "{report} is stale: {found:?}"
        );
    }
    assert!(
        found.contains(&(
            "tests.coverage-malformed".to_owned(),
            "broken/lcov.info:4".to_owned()
        )),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == "tests.none-found"));

    let by_dir = rows(&ev, "coverage-by-directory");
    let dirs: Vec<&str> = by_dir.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(dirs, ["native/", "shop/", "web/"]);
    assert_eq!(by_dir[0][4], "78.5%");
    let reports = rows(&ev, "coverage-reports");
    assert_eq!(reports.len(), 4);
    assert_eq!(
        reports[3][..5],
        ["web/coverage/clover.xml", "clover", "1", "1", "0"]
    );

    // Inventory and history.
    assert_eq!(int(&ev, "tests.files"), 2);
    assert_eq!(
        value(&ev, "tests.frameworks"),
        &FactValue::List {
            values: vec!["jest".to_owned(), "unittest".to_owned()]
        }
    );
    assert!(!boolean(&ev, "tests.e2e"));
    assert_eq!(ratio(&ev, "tests.recent-commits-touching-tests"), (1, 2));
    // CI files are the deploy collector's evidence.
    assert!(!ev.facts.contains_key("tests.ci-runs-tests"));
    let (test, code) = ratio(&ev, "tests.ratio.test-to-code");
    assert!(test > 0 && code > test, "{test}/{code}");
    let languages: Vec<String> = rows(&ev, "code-by-language")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(languages, ["C", "JavaScript", "Python"]);
    Ok(())
}

#[test]
fn explicit_report_outside_the_repository() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    init(root)?;
    copy(root, "shop/app/pricing.py", "src/shop/app/pricing.py")?;
    commit_all(root, 0, "Pricing")?;
    let mut options = Options::default();
    options.coverage_reports = vec![fixture("coveragepy/coverage.json")];
    let ev = collect(root, &options)?;
    assert!(boolean(&ev, "tests.coverage.present"));
    assert_eq!(ratio(&ev, "tests.coverage.line"), (9, 14));
    // Not in the repository, so no age and never stale.
    assert!(!ev.facts.contains_key("tests.coverage.age-days"));
    assert!(!rules(&ev).iter().any(|(r, _)| r == "tests.coverage-stale"));
    Ok(())
}

#[test]
fn untested_repository_is_flagged() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    init(root)?;
    write(
        root,
        "server.js",
        b"const http = require('http');\nhttp.createServer(() => {}).listen(3000);\n",
    )?;
    write(
        root,
        ".github/workflows/deploy.yml",
        b"jobs:\n  deploy:\n    steps:\n      - run: npm run build\n      - run: ./deploy.sh\n",
    )?;
    commit_all(root, 0, "Server")?;
    let ev = collect(root, &Options::default())?;
    assert_eq!(
        rules(&ev),
        [("tests.none-found".to_owned(), "(repository)".to_owned())]
    );
    assert!(!boolean(&ev, "tests.coverage.present"));
    assert_eq!(int(&ev, "tests.files"), 0);
    assert_eq!(ratio(&ev, "tests.recent-commits-touching-tests"), (0, 1));
    Ok(())
}

#[test]
fn rust_inline_tests_count() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(root, "Cargo.toml", b"[package]\nname = \"demo\"\n")?;
    write(
        root,
        "src/lib.rs",
        b"/// ```\n/// assert_eq!(demo::one(), 1);\n/// ```\npub fn one() -> i32 {\n    1\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn one() {\n        assert_eq!(super::one(), 1);\n    }\n}\n",
    )?;
    write(root, "src/broken.rs", b"fn f( {\n")?;
    // No git: history facts are absent, the rest still works.
    let ev = collect(root, &Options::default())?;
    assert!(!rules(&ev).iter().any(|(r, _)| r == "tests.none-found"));
    assert!(
        rules(&ev)
            .iter()
            .any(|(r, l)| r == "tests.rust-source-skipped" && l.starts_with("src/broken.rs"))
    );
    assert_eq!(int(&ev, "tests.functions"), 1);
    assert_eq!(int(&ev, "tests.doc-tests"), 1);
    assert_eq!(int(&ev, "tests.files"), 1);
    // The `#[cfg(test)]` module is 7 lines of test code; `one` and the
    // broken file are 4 lines of code.
    assert_eq!(ratio(&ev, "tests.ratio.test-to-code"), (7, 4));
    assert_eq!(
        value(&ev, "tests.frameworks"),
        &FactValue::List {
            values: vec!["cargo".to_owned()]
        }
    );
    assert!(!ev.facts.contains_key("tests.recent-commits-touching-tests"));
    Ok(())
}

#[test]
fn rust_tests_without_the_source_model_are_not_analysed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    write(
        root,
        "src/lib.rs",
        b"pub fn one() -> i32 {\n    1\n}\n\n#[test]\nfn one_is_one() {}\n",
    )?;
    let target = Target::resolve(root)?;
    let files = FileIndex::build(&target, &FileIndexOptions::default())?;
    let cancel = AtomicBool::new(false);
    let options = Options::default();
    let cx = CollectContext::new(&target, None, &files, &options, &|_| {}, &cancel);
    let ev = TestsCollector.collect(&cx)?;
    // No count rather than a wrong zero, no "no tests" finding, and the
    // evidence says why.
    assert!(!ev.facts.contains_key("tests.functions"));
    assert!(!rules(&ev).iter().any(|(r, _)| r == "tests.none-found"));
    let partial = ev.partial.unwrap_or_default();
    assert!(
        partial.contains("Rust test functions not analysed"),
        "{partial}"
    );
    // With the model, the same tree counts its test.
    assert_eq!(int(&collect(root, &options)?, "tests.functions"), 1);
    Ok(())
}

#[test]
fn recent_commits_see_inline_rust_tests() -> anyhow::Result<()> {
    let repo = diligence_testkit::fixture_repo("inline-tests");
    let ev = collect(&repo, &Options::default())?;
    // Nine of the sixteen commits touch tests (see the fixture's
    // subjects); by test paths alone it would be one.
    assert_eq!(ratio(&ev, "tests.recent-commits-touching-tests"), (9, 16));
    let detail = ev.facts["tests.recent-commits-touching-tests"]
        .detail
        .clone()
        .unwrap_or_default();
    assert_eq!(
        detail,
        "Of the last 16 non-merge commits (only 16 in the last 90 days), those changing a test file by its ecosystem's conventions or lines inside a Rust file's inline tests (#[cfg(test)] modules and #[test]-style functions, found with syn in the file as of that commit); 8 of them only for inline tests. 1 changed Rust file could not be read (over 1 MiB, absent from the object database or not valid Rust); such a file counts as not touching tests. Inline tests are read for Rust only; Python and JavaScript tests live in test files, which the conventions cover."
    );
    Ok(())
}

#[test]
fn a_readme_that_declares_the_project_vulnerable_is_a_fact() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "README.md",
        b"# Juicy shop\n\nA deliberately vulnerable shop for security training.\n",
    )?;
    write(dir.path(), "src/app.js", b"module.exports = 1;\n")?;
    let ev = collect(dir.path(), &Options::default())?;
    assert!(boolean(&ev, "tests.readme.intentionally-vulnerable"));
    let detail = ev.facts["tests.readme.intentionally-vulnerable"]
        .detail
        .clone()
        .unwrap_or_default();
    assert_eq!(
        detail,
        "README.md: \"A deliberately vulnerable shop for security training.\""
    );

    let plain = tempfile::tempdir()?;
    write(
        plain.path(),
        "README.md",
        b"# Shop\n\nWe patch vulnerable dependencies weekly.\n",
    )?;
    write(
        plain.path(),
        "docs/README.md",
        b"An intentionally vulnerable demo.\n",
    )?;
    let ev = collect(plain.path(), &Options::default())?;
    assert!(!boolean(&ev, "tests.readme.intentionally-vulnerable"));
    let none = tempfile::tempdir()?;
    write(none.path(), "src/app.js", b"module.exports = 1;\n")?;
    let ev = collect(none.path(), &Options::default())?;
    assert!(
        !ev.facts
            .contains_key("tests.readme.intentionally-vulnerable")
    );
    Ok(())
}

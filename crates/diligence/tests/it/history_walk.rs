//! The history is walked only when a selected collector reads it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use diligence::model::{Assessment, Catalog, CollectorId, Evidence, Timestamp};
use diligence::{CollectContext, CollectError, Collector, Scan, default_collectors};
use diligence_testkit::{BASE_TIME, git, target_dir, workspace_root};

use crate::{copy_tree, run};

/// A git repository of three commits holding the Cargo dependency fixture,
/// rebuilt for each test under the target directory.
fn cargo_repo(name: &str) -> PathBuf {
    let dir = target_dir()
        .join("facade-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fixture = workspace_root().join("fixtures/deps/cargo");
    copy_tree(&fixture, &dir);
    git(&dir, &["init", "-q", "."]);
    git(&dir, &["add", "Cargo.toml", "crates"]);
    git(&dir, &["commit", "-q", "-m", "Manifests"]);
    git(&dir, &["add", "Cargo.lock"]);
    git(&dir, &["commit", "-q", "-m", "Lockfile"]);
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "Release"]);
    dir
}

fn evidence<'a>(assessment: &'a Assessment, collector: &str) -> &'a Evidence {
    assessment
        .evidence
        .iter()
        .find(|e| e.collector.as_str() == collector)
        .unwrap_or_else(|| panic!("no evidence from {collector}: {:?}", assessment.failures))
}

fn advisory_db() -> PathBuf {
    workspace_root().join("fixtures/advisories/rustsec")
}

#[test]
fn only_deps_does_not_walk_and_finds_the_same_as_with_the_walk() {
    let repo = cargo_repo("only-deps");
    let (alone, stages) = run(Scan::new(&repo).only(["deps"]).advisory_db(advisory_db()));
    assert!(!stages.iter().any(|s| s == "history"), "{stages:?}");
    assert!(stages.iter().any(|s| s == "deps"), "{stages:?}");

    let (walked, stages) = run(Scan::new(&repo)
        .only(["deps", "git"])
        .advisory_db(advisory_db()));
    assert!(stages.iter().any(|s| s == "history"), "{stages:?}");
    let deps = evidence(&alone, "deps");
    assert!(!deps.facts.is_empty());
    assert_eq!(deps, evidence(&walked, "deps"));
    assert_eq!(alone.databases, walked.databases);
}

#[test]
fn without_a_walk_the_report_date_is_still_the_assessed_commits() {
    let repo = cargo_repo("as-of");
    let (alone, _) = run(Scan::new(&repo).only(["deps"]));
    let (walked, _) = run(Scan::new(&repo).only(["git"]));
    // Every commit of the fixture environment carries BASE_TIME.
    let head = Some(Timestamp(BASE_TIME));
    assert_eq!(alone.target.vcs.as_ref().unwrap().head_date, head);
    assert_eq!(alone.options.as_of, head);
    assert_eq!(walked.options.as_of, head);

    // A date given to the builder wins either way.
    let given = Timestamp::parse("2026-12-01").unwrap();
    let (alone, _) = run(Scan::new(&repo).only(["deps"]).as_of(given));
    assert_eq!(alone.options.as_of, Some(given));
    assert_eq!(alone.target.vcs.as_ref().unwrap().head_date, head);
}

/// What a probe saw: whether `collect` was handed the history, and the
/// report date in its options.
type Seen = Arc<Mutex<Option<(bool, Option<Timestamp>)>>>;

/// Makes a probe reporting to a [`Seen`].
type MakeProbe = fn(Seen) -> Box<dyn Collector>;

fn probe_id() -> CollectorId {
    CollectorId::new("probe").unwrap()
}

fn record(seen: &Seen, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
    *seen.lock().unwrap() = Some((cx.history.is_some(), cx.options.as_of));
    Err(CollectError::unavailable("a probe has no evidence"))
}

/// A collector that keeps the trait's default for `reads_history`.
struct DefaultProbe(Seen);

impl Collector for DefaultProbe {
    fn id(&self) -> CollectorId {
        probe_id()
    }
    fn catalog(&self) -> Catalog {
        Catalog::default()
    }
    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        record(&self.0, cx)
    }
}

/// A collector that declares whether it reads the history.
struct DeclaredProbe(bool, Seen);

impl Collector for DeclaredProbe {
    fn id(&self) -> CollectorId {
        probe_id()
    }
    fn catalog(&self) -> Catalog {
        Catalog::default()
    }
    fn reads_history(&self) -> bool {
        self.0
    }
    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        record(&self.1, cx)
    }
}

#[test]
fn a_collector_gets_the_history_unless_it_says_it_does_not_read_it() {
    let repo = cargo_repo("probe");
    let cases: [(&str, MakeProbe, bool); 3] = [
        ("default", |seen| Box::new(DefaultProbe(seen)), true),
        ("reads", |seen| Box::new(DeclaredProbe(true, seen)), true),
        (
            "does not read",
            |seen| Box::new(DeclaredProbe(false, seen)),
            false,
        ),
    ];
    for (case, make, expected) in cases {
        let seen = Seen::default();
        // The built-in collectors stay for the embedded framework's
        // catalog; only the probe runs.
        let mut collectors = default_collectors();
        collectors.push(make(seen.clone()));
        let (assessment, stages) = run(Scan::new(&repo).collectors(collectors).only(["probe"]));
        // Walk or not, collectors see the report date resolved to the
        // assessed commit's.
        let head = Some(Timestamp(BASE_TIME));
        assert_eq!(*seen.lock().unwrap(), Some((expected, head)), "{case}");
        assert_eq!(
            stages.iter().any(|s| s == "history"),
            expected,
            "{case}: {stages:?}"
        );
        assert_eq!(assessment.failures.len(), 1, "{case}");
    }
}

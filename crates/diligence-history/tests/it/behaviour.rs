//! Target kinds and the facts and findings of the basic fixture.

use diligence_history::{ChangeKind, History, HistoryOptions, ResolveOptions, Target};
use diligence_model::{FactValue, Inventory, Severity, Timestamp};
use diligence_testkit::{fixture_repo, git};

use crate::{int, list, ratio, walk};

#[test]
fn basic_target_identity() {
    let repo = fixture_repo("basic");
    let target = Target::resolve(&repo.join("src")).expect("a subdirectory resolves");
    assert_eq!(target.root(), repo.canonicalize().expect("path"));
    let vcs = target.info().vcs.as_ref().expect("git");
    assert_eq!(vcs.branch.as_deref(), Some("main"));
    assert!(!vcs.detached && !vcs.shallow && !vcs.bare);
    assert_eq!(
        vcs.head.as_deref(),
        Some(git(&repo, &["rev-parse", "HEAD"]).trim())
    );
    assert!(vcs.head_date.is_some());
}

#[test]
fn basic_env_files_are_flagged_once_per_path() {
    let (_, history) = walk(&fixture_repo("basic"));
    let ev = history.evidence();
    let env: Vec<_> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "git.env-file-committed")
        .collect();
    let paths: Vec<_> = env
        .iter()
        .map(|f| f.location.path.clone().expect("path"))
        .collect();
    assert_eq!(paths, vec![".env".to_owned(), ".env.production".to_owned()]);
    // `postgres://localhost/dev` and a port hold nothing to rotate.
    assert!(env.iter().all(|f| f.severity == Severity::Low));
    let dot_env = env[0];
    assert_eq!(dot_env.location.at_head, Some(false));
    assert_eq!(env[1].location.at_head, Some(true));
    let commit = dot_env.location.commit.as_ref().expect("commit");
    assert_eq!(commit.author.as_deref(), Some("Alice Smith"));
    assert_eq!(list(&ev, "git.env-files"), vec![".env", ".env.production"]);
}

#[test]
fn basic_classifications() {
    let (_, history) = walk(&fixture_repo("basic"));
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.ai.assistant-commits"), 1);
    assert_eq!(list(&ev, "git.ai.instruction-files"), vec!["CLAUDE.md"]);
    assert!(list(&ev, "git.ai.generator-markers").is_empty());
    assert_eq!(int(&ev, "git.reverts"), 1);
    // Erin's experiment branch is outside the assessed history.
    let scoped = history.scoped_commits().count() as u64;
    assert_eq!(scoped, history.commits().len() as u64 - 1);
    let (signed, total) = ratio(&ev, "git.signed.share");
    assert_eq!((signed, total), (2, scoped));
    let (throwaway, non_merge) = ratio(&ev, "git.throwaway.share");
    // "fix", "wip" and "."
    assert_eq!(throwaway, 3);
    assert_eq!(non_merge, scoped - 2);
    let (traceable, _) = ratio(&ev, "git.traceability.share");
    // (#12), ABC-42, feat:, docs:, refactor: (#34)
    assert_eq!(traceable, 5);
    let (reviewed, first_parent) = ratio(&ev, "git.review.share");
    assert!(
        reviewed >= 4,
        "merges, (#n), co-author, committer≠author: {reviewed}"
    );
    assert!(first_parent > reviewed);
    assert_eq!(int(&ev, "git.tags"), 2);
    assert_eq!(int(&ev, "git.releases"), 2);
    assert!(ev.facts.contains_key("git.releases.cadence-days"));
    assert!(matches!(
        ev.facts["git.shallow"].value,
        FactValue::Bool { value: false }
    ));
}

#[test]
fn basic_rename_and_conflict_resolution() {
    let (_, history) = walk(&fixture_repo("basic"));
    let renamed = history.commits().iter().flat_map(|c| &c.changes).any(|ch| {
        ch.path == "src/core.rs"
            && ch.kind
                == ChangeKind::Renamed {
                    from: "src/lib.rs".into(),
                }
    });
    assert!(renamed);
    let resolved = history
        .blobs()
        .iter()
        .find(|b| b.path == "src/limits.rs" && b.at_head)
        .expect("the resolution's blob is indexed");
    assert!(history.commits()[resolved.first_commit].is_merge());
}

#[test]
fn basic_inventories_and_truck_factor() {
    let (_, history) = walk(&fixture_repo("basic"));
    let ev = history.evidence();
    let Inventory::Series(series) = &ev.inventories["commits-per-month"] else {
        panic!("series expected")
    };
    let total: i64 = series.points.iter().map(|p| p.value).sum();
    assert_eq!(total, history.scoped_commits().count() as i64);
    assert_eq!(series.points.first().expect("points").label, "2023-11");
    let Inventory::Table(contributors) = &ev.inventories["contributors"] else {
        panic!("table expected")
    };
    assert_eq!(contributors.rows[0][0], "Alice Smith");
    assert_eq!(contributors.rows[0][1], "16");
    let tf = int(&ev, "git.truck-factor");
    assert_eq!(tf as usize, history.truck_factor().value);
    assert!(tf >= 1);
    let Inventory::Table(key) = &ev.inventories["key-people"] else {
        panic!("table expected")
    };
    assert_eq!(key.rows.len() as i64, tf);
    let key_person = ev
        .findings
        .iter()
        .any(|f| f.rule.as_str() == "git.key-person-risk");
    assert_eq!(key_person, tf == 1);
}

#[test]
fn as_of_comes_from_head_not_the_clock() {
    let repo = fixture_repo("basic");
    let (_, history) = walk(&repo);
    let head_time: i64 = git(&repo, &["log", "-1", "--format=%ct", "HEAD"])
        .trim()
        .parse()
        .expect("n");
    assert_eq!(history.as_of(), Timestamp(head_time));
    let target = Target::resolve(&repo).expect("resolve");
    let later = History::walk(
        &target,
        &HistoryOptions {
            as_of: Some(Timestamp(head_time + 400 * 86_400)),
            jobs: 1,
            ..HistoryOptions::default()
        },
        &|_| {},
    )
    .expect("walk")
    .expect("repo");
    let ev = later.evidence();
    assert_eq!(int(&ev, "git.contributors.active-90d"), 0);
    assert_eq!(int(&ev, "git.contributors.active-365d"), 0);
    // Erin's experiment postdates HEAD, so it falls outside the window.
    assert_eq!(int(&history.evidence(), "git.contributors.active-90d"), 4);
}

#[test]
fn results_do_not_depend_on_threads() {
    let repo = fixture_repo("basic");
    let target = Target::resolve(&repo).expect("resolve");
    let run = |jobs| {
        History::walk(
            &target,
            &HistoryOptions {
                jobs,
                ..HistoryOptions::default()
            },
            &|_| {},
        )
        .expect("walk")
        .expect("repo")
        .evidence()
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn empty_repository_gives_zero_counts() {
    let (target, history) = walk(&fixture_repo("empty"));
    let vcs = target.info().vcs.as_ref().expect("git");
    assert_eq!(vcs.head, None);
    assert_eq!(vcs.branch, None);
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.commits"), 0);
    assert_eq!(int(&ev, "git.authors"), 0);
    assert_eq!(int(&ev, "git.truck-factor"), 0);
    assert!(ev.findings.is_empty());
    assert!(!ev.facts.contains_key("git.first-commit"));
}

#[test]
fn shallow_clone_is_partial() {
    let repo = fixture_repo("shallow");
    let (target, history) = walk(&repo);
    assert!(target.info().vcs.as_ref().expect("git").shallow);
    assert!(history.shallow());
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.commits"), 3);
    assert!(ev.partial.as_deref().expect("partial").contains("shallow"));
    assert_eq!(int(&ev, "git.objects.missing"), 0);
    // The boundary commit counts as a root: all its files are introduced there.
    assert_eq!(history.commits()[0].parents, 0);
    assert!(history.blobs().iter().any(|b| b.path == "f1.txt"));
}

#[test]
fn bare_repository_and_credentials() {
    let repo = fixture_repo("bare");
    let (target, history) = walk(&repo);
    assert!(target.worktree().is_none());
    let vcs = target.info().vcs.as_ref().expect("git");
    assert!(vcs.bare);
    assert_eq!(
        vcs.remote.as_deref(),
        Some("https://git.example.com/team/app.git")
    );
    assert_eq!(vcs.branch.as_deref(), Some("main"));
    assert_eq!(int(&history.evidence(), "git.commits"), 3);
}

#[test]
fn detached_head() {
    let repo = fixture_repo("detached");
    let (target, history) = walk(&repo);
    let vcs = target.info().vcs.as_ref().expect("git");
    assert!(vcs.detached);
    assert_eq!(vcs.branch, None);
    assert_eq!(vcs.remote.as_deref(), Some("git@github.com:team/app.git"));
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.commits.all-refs"), 3);
    assert_eq!(int(&ev, "git.commits"), 2);
}

#[test]
fn plain_directory_has_no_history() {
    let dir = fixture_repo("plain");
    let options = ResolveOptions {
        stay_in_directory: true,
        ..ResolveOptions::default()
    };
    let target = Target::resolve_with(&dir, &options).expect("resolve");
    assert!(target.info().vcs.is_none());
    assert!(target.repository().is_none());
    assert_eq!(target.worktree(), Some(target.root()));
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {}).expect("walk");
    assert!(history.is_none());
}

#[test]
fn missing_and_non_directory_targets_fail() {
    let dir = fixture_repo("plain");
    assert!(Target::resolve(&dir.join("does-not-exist")).is_err());
    assert!(Target::resolve(&dir.join("requirements.txt")).is_err());
}

#[test]
fn partial_clone_counts_promised_blobs_as_missing() {
    let repo = fixture_repo("partial");
    let (target, history) = walk(&repo);
    assert_eq!(history.commits().len(), 4);
    // Commits and trees are present, so every blob is still indexed.
    let blobs = history.blobs().len();
    assert_eq!(blobs, 8, "file.txt four times and f1..f4");
    let stats = history.blobs().for_each_blob(
        target.repository().expect("repo"),
        |_| true,
        |_, _| panic!("no blob content is present"),
    );
    assert_eq!(stats.missing as usize, blobs);
    assert_eq!(stats.scanned, 0);
    assert_eq!(history.missing_objects(), 8);
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.objects.missing"), 8);
}

#[test]
fn replace_refs_do_not_swap_objects() {
    let repo = fixture_repo("replaced");
    let (_, history) = walk(&repo);
    let real = git(&repo, &["rev-parse", "main"]);
    let head = &history.commits()[history.head().expect("head")];
    assert_eq!(head.id.to_string(), real.trim());
    assert_eq!(head.subject, "Second");
    let files: Vec<&str> = history
        .head_files()
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(files, ["a.txt"], "HEAD's own tree, not the replacement's");
    // The replacement commit is reachable from its ref and walked as a
    // commit of its own, as `git rev-list --all` without replacements does.
    let subjects: Vec<&str> = history
        .commits()
        .iter()
        .map(|c| c.subject.as_str())
        .collect();
    assert!(subjects.contains(&"Swapped"), "{subjects:?}");
    assert_eq!(history.commits().len(), 3);
}

#[test]
fn submodules_are_listed_not_entered() {
    let repo = fixture_repo("submodule");
    let (_, history) = walk(&repo);
    assert_eq!(history.submodules(), ["libs/vendor"]);
    let files: Vec<&str> = history
        .head_files()
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(files, [".gitmodules", "app.txt"]);
    assert_eq!(
        history.missing_objects(),
        0,
        "a gitlink is not a missing object"
    );
    let ev = history.evidence();
    assert_eq!(list(&ev, "git.submodules"), ["libs/vendor"]);
    let (_, basic) = walk(&fixture_repo("basic"));
    assert!(list(&basic.evidence(), "git.submodules").is_empty());
}

#[test]
fn env_files_are_as_serious_as_what_their_versions_held() {
    let (_, history) = walk(&fixture_repo("envfiles"));
    let ev = history.evidence();
    let env: Vec<(String, Severity, String)> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "git.env-file-committed")
        .map(|f| {
            (
                f.location.path.clone().unwrap_or_default(),
                f.severity,
                f.message.clone(),
            )
        })
        .collect();
    assert_eq!(env.len(), 3, "{env:?}");
    // Public keys and a local database: low, and nothing to rotate.
    assert_eq!((env[0].0.as_str(), env[0].1), (".env", Severity::Low));
    assert!(
        env[0]
            .2
            .ends_with("Its one version holds no credential-looking value (only browser-public keys, local addresses and settings)"),
        "{}",
        env[0].2
    );
    // A secret added in a later version names the variable, never its value.
    assert_eq!(
        (env[1].0.as_str(), env[1].1),
        (".env.local", Severity::High)
    );
    assert!(
        env[1]
            .2
            .ends_with("`SESSION_SECRET` holds a credential-looking value")
    );
    assert!(!env[1].2.contains("k3Q9"));
    // A password for a remote database.
    assert_eq!(
        (env[2].0.as_str(), env[2].1),
        (".env.staging", Severity::High)
    );
    assert!(env[2].2.contains("`DATABASE_URL`"));
}

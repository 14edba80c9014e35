//! Recent commits touching tests on the `inline-tests` fixture, whose
//! subjects say which commits touch tests, checked against `git log`.

use std::path::Path;

use diligence_collect::{History, Target};
use diligence_coverage::history::{RecentTests, recent_commits_touching};
use diligence_coverage::inventory::is_test_path;
use diligence_history::HistoryOptions;
use diligence_testkit::{fixture_repo, git};

/// The window of `repo`, reading Rust files for inline tests unless
/// `paths_only`.
fn count(repo: &Path, paths_only: bool) -> anyhow::Result<RecentTests> {
    let target = Target::resolve(repo)?;
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {})?
        .ok_or_else(|| anyhow::anyhow!("the fixture is a git repository"))?;
    let objects = if paths_only {
        None
    } else {
        target.repository()
    };
    recent_commits_touching(&history, objects, is_test_path, || false)
        .ok_or_else(|| anyhow::anyhow!("nothing cancels the count"))
}

/// Ids of the `git log` lines (`%H %s`) containing `text`.
fn ids(log: &str, text: &str) -> Vec<String> {
    log.lines()
        .filter(|line| line.contains(text))
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn inline_rust_tests_touch_tests() -> anyhow::Result<()> {
    let repo = fixture_repo("inline-tests");
    let recent = count(&repo, false)?;
    // Newest first, as `git log` lists them.
    let log = git(&repo, &["log", "--no-merges", "--format=%H %s"]);
    assert_eq!(recent.window, 16);
    assert_eq!(recent.window as usize, log.lines().count());
    let expected = ids(&log, " [tests] ");
    assert_eq!(expected.len(), 9, "{log}");
    assert_eq!(recent.touching_commits, expected, "{log}");
    assert_eq!(recent.touching, 9);
    assert!(recent.inline_read);
    // `src/wip.rs` does not parse.
    assert_eq!(recent.unread_files, 1);

    // By test paths alone, only the commit adding `tests/api.rs` counts.
    let by_path: Vec<String> = git(&repo, &["log", "--format=%H", "--", "tests/"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(by_path.len(), 1);
    assert_eq!(recent.inline_only, 9 - 1);
    let paths_only = count(&repo, true)?;
    assert_eq!(paths_only.touching_commits, by_path);
    assert!(!paths_only.inline_read);
    assert_eq!(paths_only.unread_files, 0);
    Ok(())
}

#[test]
fn renames_and_production_changes_do_not_count() -> anyhow::Result<()> {
    let repo = fixture_repo("inline-tests");
    let recent = count(&repo, false)?;
    let log = git(&repo, &["log", "--format=%H %s"]);
    for subject in [
        "Use wrapping addition",
        "Rename the helper module",
        "Document the library",
        "Add multiplication after the tests",
    ] {
        let id = ids(&log, subject);
        assert_eq!(id.len(), 1, "{subject}");
        assert!(
            !recent.touching_commits.contains(&id[0]),
            "{subject} does not touch tests"
        );
    }
    // What git shows for the rename: one path renamed, no line changed.
    let rename = ids(&log, "Rename the helper module");
    let stat = git(&repo, &["show", "--format=", "--numstat", &rename[0]]);
    assert_eq!(stat.trim(), "0\t0\tsrc/{util.rs => helpers.rs}");
    Ok(())
}

#[test]
fn a_cancelled_count_has_no_result() -> anyhow::Result<()> {
    let repo = fixture_repo("inline-tests");
    let target = Target::resolve(&repo)?;
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {})?
        .ok_or_else(|| anyhow::anyhow!("the fixture is a git repository"))?;
    let counted = recent_commits_touching(&history, target.repository(), is_test_path, || true);
    assert_eq!(counted, None);
    Ok(())
}

//! Statistics describe the assessed line of history; exposure covers every
//! reference and names the references that reach it.

use diligence_history::HistoryOptions;
use diligence_model::{Inventory, Timestamp};
use diligence_testkit::{fixture_repo, git};

use crate::{git_count, int, list, walk, walk_with};

fn commit_time(repo: &std::path::Path, rev: &str) -> i64 {
    git(repo, &["log", "-1", "--format=%ct", rev])
        .trim()
        .parse()
        .expect("a timestamp")
}

#[test]
fn statistics_describe_the_assessed_commit() {
    let repo = fixture_repo("scope");
    // Report date: after every tag, so only reachability decides.
    let as_of = Timestamp(commit_time(&repo, "v1.1.0") + 90 * 86_400);
    let history = walk_with(
        &repo,
        &HistoryOptions {
            as_of: Some(as_of),
            ..HistoryOptions::default()
        },
    );
    let ev = history.evidence();
    assert_eq!(
        int(&ev, "git.commits"),
        git_count(&repo, &["rev-list", "--count", "HEAD"])
    );
    assert_eq!(int(&ev, "git.commits"), 3);
    assert_eq!(
        int(&ev, "git.commits.all-refs"),
        git_count(&repo, &["rev-list", "--count", "--all"])
    );
    let shortlog = git(&repo, &["shortlog", "-sne", "HEAD"]);
    assert_eq!(int(&ev, "git.authors"), shortlog.lines().count() as i64);
    assert_eq!(int(&ev, "git.authors"), 2, "Carol and Dan are outside");
    // Tags HEAD reaches: v0.9.0, v1.0.0 and before-refactor; releases are
    // the version-named ones.
    let merged = git(&repo, &["tag", "--merged", "HEAD"]);
    assert_eq!(int(&ev, "git.tags"), merged.lines().count() as i64);
    assert_eq!(int(&ev, "git.tags"), 3);
    assert_eq!(int(&ev, "git.tags.all-refs"), 4);
    assert_eq!(int(&ev, "git.releases"), 2);
    let v1_date = git(
        &repo,
        &[
            "for-each-ref",
            "--format=%(creatordate:short)",
            "refs/tags/v1.0.0",
        ],
    );
    let Some(diligence_model::FactValue::Date { value }) =
        ev.facts.get("git.releases.last").map(|f| &f.value)
    else {
        panic!("a last release date")
    };
    assert_eq!(value.date_string(), v1_date.trim(), "v1.1.0 is not reached");
    assert_eq!(
        list(&ev, "git.branches.outside-scope"),
        vec![
            "feature/payments",
            "main",
            "origin/main",
            "origin/old-spike"
        ]
    );
    let Inventory::Table(tags) = &ev.inventories["tags"] else {
        panic!("table expected")
    };
    let names: Vec<&str> = tags.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, vec!["v1.0.0", "v0.9.0"]);

    // --all-refs widens the statistics, not the exposure.
    let wide = walk_with(
        &repo,
        &HistoryOptions {
            as_of: Some(as_of),
            all_refs: true,
            ..HistoryOptions::default()
        },
    )
    .evidence();
    assert_eq!(int(&wide, "git.commits"), int(&ev, "git.commits.all-refs"));
    assert_eq!(int(&wide, "git.authors"), 4);
    assert_eq!(int(&wide, "git.releases"), 3);
    assert_eq!(int(&wide, "git.blobs"), int(&ev, "git.blobs"));
}

#[test]
fn tags_after_the_report_date_do_not_count() {
    let repo = fixture_repo("scope");
    // The report date is the assessed commit's own date: the annotated
    // v1.0.0 tag was made a month later, so it is not yet a release.
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    assert_eq!(int(&ev, "git.releases"), 1);
}

#[test]
fn exposure_names_the_references_that_reach_it() {
    let repo = fixture_repo("scope");
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    let env = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "git.env-file-committed")
        .expect("the env file on the unmerged branch is a finding");
    assert_eq!(env.location.in_scope, Some(false));
    assert_eq!(
        env.location.refs,
        vec!["feature/payments".to_owned(), "origin/old-spike".to_owned()]
    );
    assert!(
        env.message.contains("the assessed commit does not reach"),
        "{}",
        env.message
    );

    // A commit HEAD reaches is in scope and names no refs.
    let root = history
        .commits()
        .iter()
        .position(|c| c.parents == 0)
        .expect("a root");
    let reach = history.reach(root);
    assert!(reach.assessed);
    assert!(reach.refs.len() <= diligence_history::Reach::LIMIT);
    assert!(reach.more > 0, "seven refs reach the root: {reach:?}");
}

#[test]
fn moved_content_shows_its_path_at_head() {
    let repo = fixture_repo("scope");
    let (_, history) = walk(&repo);
    let settings = history
        .blobs()
        .iter()
        .find(|b| b.path == "config/old-settings.toml")
        .expect("indexed under the path it first appeared at");
    assert!(settings.at_head);
    assert_eq!(settings.head_path.as_deref(), Some("config/settings.toml"));
    assert_eq!(settings.display_path(), "config/settings.toml");
}

#[test]
fn dormant_history_and_stale_releases_are_findings() {
    let repo = fixture_repo("dormant");
    let last = commit_time(&repo, "HEAD");
    let months_22 = 22 * 30 * 86_400 + 86_400 * 10;
    let history = walk_with(
        &repo,
        &HistoryOptions {
            as_of: Some(Timestamp(last + months_22)),
            ..HistoryOptions::default()
        },
    );
    let ev = history.evidence();
    let days = int(&ev, "git.days-since-last-commit");
    assert_eq!(days, months_22 / 86_400);
    let dormant = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "git.dormant")
        .expect("dormant");
    assert!(dormant.message.contains("22 months"), "{}", dormant.message);
    assert!(
        ev.findings
            .iter()
            .any(|f| f.rule.as_str() == "git.release-stale")
    );
    assert!(int(&ev, "git.releases.days-since-last") > 600);
    assert_eq!(int(&ev, "git.contributors.active-365d"), 0);

    // Read on the day of the last commit, nothing is stale.
    let fresh = walk(&repo).1.evidence();
    assert_eq!(int(&fresh, "git.days-since-last-commit"), 0);
    assert!(
        !fresh
            .findings
            .iter()
            .any(|f| matches!(f.rule.as_str(), "git.dormant" | "git.release-stale"))
    );

    // A report date between the two releases sees only the first.
    let v1 = commit_time(&repo, "v0.1.0");
    let between = walk_with(
        &repo,
        &HistoryOptions {
            as_of: Some(Timestamp(v1 + 86_400)),
            ..HistoryOptions::default()
        },
    )
    .evidence();
    assert_eq!(int(&between, "git.releases"), 1);
}

#[test]
fn many_branches_are_counted_not_listed_and_pull_refs_are_not_branches() {
    let repo = fixture_repo("many-refs");
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    let outside = list(&ev, "git.branches.outside-scope");
    assert_eq!(outside.len(), 11, "{outside:?}");
    assert_eq!(outside[0], "topic-00");
    assert_eq!(outside[10], "and 4 more");
    assert!(outside.iter().all(|b| !b.starts_with("pull/")));
    let detail = ev.facts["git.branches.outside-scope"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(detail.contains("3 other references"), "{detail}");
    // A pull-request ref reads as one, after branches.
    let topic = history
        .commits()
        .iter()
        .position(|c| c.subject == "Topic 01")
        .expect("a topic commit");
    let reach = history.reach(topic);
    assert_eq!(reach.refs, vec!["topic-01", "pull request #1"]);
}

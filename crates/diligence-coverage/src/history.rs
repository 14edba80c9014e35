//! What the shared history walk says about tests: when a coverage report
//! last changed, and how many recent commits touch tests.

use diligence_history::{ChangeKind, CommitRecord, History};
use diligence_model::Timestamp;

/// The recent-commit window: the non-merge commits on HEAD's line of the
/// last [`RECENT_DAYS`] days; when those are fewer than [`MIN_SAMPLE`], the
/// last [`RECENT_COMMITS`] non-merge commits instead.
pub const RECENT_DAYS: i64 = 90;
/// See [`RECENT_DAYS`].
pub const RECENT_COMMITS: usize = 100;
/// See [`RECENT_DAYS`].
pub const MIN_SAMPLE: usize = 20;

/// The last commit on HEAD's line that changed a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    /// Commit id, hexadecimal.
    pub commit: String,
    /// Committer date.
    pub date: Timestamp,
    /// Whole days between it and the reference date.
    pub age_days: i64,
    /// Commits on HEAD's line after it.
    pub commits_since: usize,
}

fn head_line(history: &History) -> impl Iterator<Item = &CommitRecord> {
    history.commits().iter().filter(|c| c.on_head)
}

/// The last commit on HEAD's line that added, modified or renamed `path`;
/// `None` when history never saw it (an untracked report).
pub fn last_change(history: &History, path: &str) -> Option<LastChange> {
    let commits: Vec<&CommitRecord> = head_line(history).collect();
    let index = commits.iter().rposition(|c| {
        c.changes
            .iter()
            .any(|ch| ch.path == path && !matches!(ch.kind, ChangeKind::Deleted))
    })?;
    let commit = commits[index];
    let age = history.as_of().seconds() - commit.commit_time.seconds();
    Some(LastChange {
        commit: commit.id.to_string(),
        date: commit.commit_time,
        age_days: age.max(0) / 86_400,
        commits_since: commits.len() - index - 1,
    })
}

/// The share of recent commits that touch a test path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentTests {
    /// Commits in the window that changed at least one test path.
    pub touching: u64,
    /// Commits in the window.
    pub window: u64,
    /// How the window was chosen, in words.
    pub basis: String,
}

/// Counts recent commits that change a path `is_test` accepts.
pub fn recent_commits_touching(history: &History, is_test: impl Fn(&str) -> bool) -> RecentTests {
    let mut commits: Vec<&CommitRecord> = head_line(history).filter(|c| !c.is_merge()).collect();
    // Newest first, by committer date then id, so the window is stable.
    commits.sort_by(|a, b| b.commit_time.cmp(&a.commit_time).then(b.id.cmp(&a.id)));
    let since = history.as_of().seconds() - RECENT_DAYS * 86_400;
    let in_days = commits
        .iter()
        .take_while(|c| c.commit_time.seconds() >= since)
        .count();
    let (window, basis) = if in_days >= MIN_SAMPLE {
        (
            &commits[..in_days],
            format!("the {in_days} non-merge commits of the last {RECENT_DAYS} days"),
        )
    } else {
        let n = commits.len().min(RECENT_COMMITS);
        (
            &commits[..n],
            format!(
                "the last {n} non-merge commits (only {in_days} in the last {RECENT_DAYS} days)"
            ),
        )
    };
    let touching = window
        .iter()
        .filter(|c| c.changes.iter().any(|ch| is_test(&ch.path)))
        .count();
    RecentTests {
        touching: touching as u64,
        window: window.len() as u64,
        basis,
    }
}

//! What the shared history walk says about tests: when a coverage report
//! last changed, and how many recent commits touch tests.
//!
//! A recent commit touches tests when it changes a file that is a test by
//! its ecosystem's conventions, or changes lines inside the inline tests of
//! a Rust file (`#[cfg(test)]` modules, `#[test]`-style functions): a line
//! it adds or modifies lies in test code of the file as of that commit, or
//! a line it removes lay in test code of the file before it. Test code is
//! found by the source model's syn walk ([`test_spans`]). Other
//! languages keep their tests in test files, which the conventions already
//! cover.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use diligence_history::gix::diff::blob::{Algorithm, InternedInput, diff_with_slider_heuristics};
use diligence_history::gix::{self, ObjectId};
use diligence_history::{ChangeKind, CommitRecord, History};
use diligence_model::Timestamp;
use rayon::prelude::*;

use crate::rust::test_spans;

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

/// Rust blobs larger than this are not read for inline tests; the change
/// counts as not touching them.
pub const MAX_INLINE_BLOB: u64 = 1024 * 1024;

/// The share of recent commits that touch tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentTests {
    /// Commits in the window that touch tests.
    pub touching: u64,
    /// Commits in the window.
    pub window: u64,
    /// How the window was chosen, in words.
    pub basis: String,
    /// Of [`touching`](Self::touching), the commits counted only because
    /// they change lines inside Rust inline tests.
    pub inline_only: u64,
    /// Whether Rust files were read for inline tests; `false` without an
    /// object database, when only test paths count.
    pub inline_read: bool,
    /// Changed Rust files that could not be read for inline tests (over
    /// [`MAX_INLINE_BLOB`], absent from the object database, or not valid
    /// Rust); each counts as not touching tests.
    pub unread_files: u64,
    /// The commits that touch tests, newest first, hexadecimal.
    pub touching_commits: Vec<String>,
}

/// One changed Rust file of a window commit: the blobs before and after.
struct RustChange {
    /// Index into the window.
    commit: usize,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
}

/// Whether a changed Rust file touches its inline tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inline {
    Touches,
    Clean,
    Unread,
}

/// Counts the recent commits that touch tests: those changing a path
/// `is_test` accepts, and, when `repo` is given, those changing lines
/// inside the inline tests of a Rust file (see the module docs). Only the
/// window's commits are read; the changed files are diffed and parsed in
/// parallel on the current rayon pool, each blob at most once. Nothing is
/// executed. `None` when `cancelled` turned true while files were read.
pub fn recent_commits_touching(
    history: &History,
    repo: Option<&gix::ThreadSafeRepository>,
    is_test: impl Fn(&str) -> bool,
    cancelled: impl Fn() -> bool + Sync,
) -> Option<RecentTests> {
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

    let by_path: Vec<bool> = window
        .iter()
        .map(|c| c.changes.iter().any(|ch| is_test(&ch.path)))
        .collect();
    let mut inline = vec![false; window.len()];
    let mut unread_files = 0u64;
    if let Some(repo) = repo {
        let changes: Vec<RustChange> = window
            .iter()
            .enumerate()
            .filter(|(i, _)| !by_path[*i])
            .flat_map(|(i, c)| {
                c.changes
                    .iter()
                    .filter(|ch| is_rust(&ch.path) || renamed_from_rust(&ch.kind))
                    // An exact rename or a mode change changes no line.
                    .filter(|ch| ch.blob != ch.old_blob)
                    .map(move |ch| RustChange {
                        commit: i,
                        old: ch.old_blob,
                        new: ch.blob,
                    })
            })
            .collect();
        let cache = SpanCache::default();
        let outcomes: Vec<Inline> = changes
            .par_iter()
            .map_init(
                || repo.to_thread_local(),
                |local, change| {
                    if cancelled() {
                        return Inline::Unread;
                    }
                    touches_inline_tests(local, &cache, change.old, change.new)
                },
            )
            .collect();
        if cancelled() {
            return None;
        }
        for (change, outcome) in changes.iter().zip(outcomes) {
            match outcome {
                Inline::Touches => inline[change.commit] = true,
                Inline::Unread => unread_files += 1,
                Inline::Clean => {}
            }
        }
    }

    let mut touching_commits = Vec::new();
    let mut inline_only = 0u64;
    for (i, commit) in window.iter().enumerate() {
        if by_path[i] || inline[i] {
            touching_commits.push(commit.id.to_string());
        }
        if inline[i] && !by_path[i] {
            inline_only += 1;
        }
    }
    Some(RecentTests {
        touching: touching_commits.len() as u64,
        window: window.len() as u64,
        basis,
        inline_only,
        inline_read: repo.is_some(),
        unread_files,
        touching_commits,
    })
}

fn is_rust(path: &str) -> bool {
    path.ends_with(".rs")
}

fn renamed_from_rust(kind: &ChangeKind) -> bool {
    matches!(kind, ChangeKind::Renamed { from } if is_rust(from))
}

/// Reads a blob as text for parsing: `None` when over
/// [`MAX_INLINE_BLOB`], absent or not a blob.
fn read_source(repo: &gix::Repository, id: ObjectId) -> Option<String> {
    let header = repo.try_find_header(id).ok()??;
    if header.kind() != gix::object::Kind::Blob || header.size() > MAX_INLINE_BLOB {
        return None;
    }
    let object = repo.try_find_object(id).ok()??;
    Some(String::from_utf8_lossy(&object.data).into_owned())
}

/// Test spans by blob id, shared by the window's changed files: a blob is
/// usually the new side of one change and the old side of the next, so
/// each is parsed about once. `None` records a blob that did not parse.
#[derive(Default)]
struct SpanCache(Mutex<HashMap<ObjectId, Option<Spans>>>);

type Spans = Arc<[(u32, u32)]>;

impl SpanCache {
    fn spans(&self, id: Option<ObjectId>, text: &str) -> Option<Spans> {
        let parse = || test_spans(text).ok().map(Spans::from);
        let Some(id) = id else {
            return parse();
        };
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = lock().get(&id) {
            return known.clone();
        }
        let found = parse();
        lock().insert(id, found.clone());
        found
    }
}

/// Which side of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// Reads both sides of a changed Rust file (either absent for an addition
/// or a deletion) and judges the change with [`inline_change`].
fn touches_inline_tests(
    repo: &gix::Repository,
    cache: &SpanCache,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
) -> Inline {
    let read = |id: Option<ObjectId>| match id {
        Some(id) => read_source(repo, id).map(Some),
        None => Some(None),
    };
    let (Some(old_text), Some(new_text)) = (read(old), read(new)) else {
        return Inline::Unread;
    };
    let old_text = old_text.unwrap_or_default();
    let new_text = new_text.unwrap_or_default();
    inline_change(&old_text, &new_text, |side| match side {
        Side::Old => cache.spans(old, &old_text),
        Side::New => cache.spans(new, &new_text),
    })
}

/// Whether the change from `old` to `new` adds or modifies a line inside
/// the new file's test code, or removes one from the old file's (a
/// deletion-only hunk, a deleted file). `spans` gives a side's test spans,
/// `None` when it does not parse, which makes the file unread; the old
/// side is parsed only when the new one does not decide.
fn inline_change(old: &str, new: &str, spans: impl Fn(Side) -> Option<Spans>) -> Inline {
    let (removed, added) = changed_lines(old, new);
    for (side, lines) in [(Side::New, &added), (Side::Old, &removed)] {
        if lines.is_empty() {
            continue;
        }
        let Some(spans) = spans(side) else {
            return Inline::Unread;
        };
        if lines.iter().any(|l| in_spans(&spans, *l)) {
            return Inline::Touches;
        }
    }
    Inline::Clean
}

/// The lines (1-based) a line diff from `old` to `new` removes from `old`
/// and adds to `new`; a modified line is both. The diff is Myers with
/// git's indentation heuristic for placing ambiguous hunks, as `git diff`
/// does by default.
fn changed_lines(old: &str, new: &str) -> (Vec<u32>, Vec<u32>) {
    let input = InternedInput::new(old, new);
    let diff = diff_with_slider_heuristics(Algorithm::Myers, &input);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for hunk in diff.hunks() {
        removed.extend(hunk.before.map(|l| l + 1));
        added.extend(hunk.after.map(|l| l + 1));
    }
    (removed, added)
}

fn in_spans(spans: &[(u32, u32)], line: u32) -> bool {
    spans.iter().any(|&(a, b)| a <= line && line <= b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline_change(old: &str, new: &str) -> Inline {
        super::inline_change(old, new, |side| {
            let text = if side == Side::Old { old } else { new };
            test_spans(text).ok().map(Spans::from)
        })
    }

    const BEFORE: &str = "pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::add(1, 2), 3);
    }

    #[test]
    fn adds_zero() {
        assert_eq!(super::add(0, 0), 0);
    }
}
";

    #[test]
    fn changed_lines_are_one_based_on_each_side() {
        let after = BEFORE.replace("a + b", "a.wrapping_add(b)");
        assert_eq!(changed_lines(BEFORE, &after), (vec![2], vec![2]));
        assert_eq!(changed_lines("a\nb\n", "a\nb\nc\n"), (vec![], vec![3]));
        assert_eq!(changed_lines("a\nb\nc\n", "a\nc\n"), (vec![2], vec![]));
        assert_eq!(changed_lines("", "a\n"), (vec![], vec![1]));
    }

    #[test]
    fn production_changes_do_not_touch_tests() {
        let after = BEFORE.replace("a + b", "a.wrapping_add(b)");
        assert_eq!(inline_change(BEFORE, &after), Inline::Clean);
        let appended = format!("{BEFORE}\npub fn one() -> i32 {{\n    1\n}}\n");
        assert_eq!(inline_change(BEFORE, &appended), Inline::Clean);
        let prepended = format!("//! Docs.\n\n{BEFORE}");
        assert_eq!(inline_change(BEFORE, &prepended), Inline::Clean);
    }

    #[test]
    fn test_changes_touch_tests() {
        let edited = BEFORE.replace("add(1, 2), 3", "add(2, 2), 4");
        assert_eq!(inline_change(BEFORE, &edited), Inline::Touches);
        // Deletion only: judged on the old file's spans.
        let dropped = BEFORE.replace(
            "\n    #[test]\n    fn adds_zero() {\n        assert_eq!(super::add(0, 0), 0);\n    }\n",
            "",
        );
        assert_eq!(changed_lines(BEFORE, &dropped).1, Vec::<u32>::new());
        assert_eq!(inline_change(BEFORE, &dropped), Inline::Touches);
        // A new file with tests, a deleted one.
        assert_eq!(inline_change("", BEFORE), Inline::Touches);
        assert_eq!(inline_change(BEFORE, ""), Inline::Touches);
        // A top-level `#[tokio::test]`.
        let top = "#[tokio::test]\nasync fn pings() {\n    assert!(true);\n}\n";
        assert_eq!(
            inline_change(top, &top.replace("true", "!false")),
            Inline::Touches
        );
    }

    #[test]
    fn unparsable_files_are_unread() {
        assert_eq!(inline_change("", "#[test]\nfn f( {\n"), Inline::Unread);
        // No test code and nothing to parse: clean without syn.
        assert_eq!(inline_change("", "fn f( {\n"), Inline::Clean);
    }
}

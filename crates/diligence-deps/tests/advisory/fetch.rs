//! `fetch`: a shallow, sparse clone of a repository laid out like GitHub's
//! advisory database, made from a local repository (the real one cannot be
//! reached from the tests).

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use diligence_deps::AdvisoryDb;
use diligence_deps::fetch::{self, FetchError};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args([
            "-c",
            "user.name=Fixture",
            "-c",
            "user.email=fixture@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn osv(id: &str, ecosystem: &str, name: &str, fixed: &str) -> String {
    format!(
        r#"{{"schema_version": "1.4.0", "id": "{id}", "published": "2024-01-02T00:00:00Z", "modified": "2024-01-03T00:00:00Z",
"summary": "Invented for the tests", "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "{name}"}},
"ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}],
"database_specific": {{"severity": "HIGH", "github_reviewed": true}}}}"#
    )
}

/// A repository shaped like github/advisory-database.
fn upstream(dir: &Path) {
    git(dir, &["init", "--quiet"]);
    git(dir, &["config", "uploadpack.allowFilter", "true"]);
    write(dir, "README.md", "advisories\n");
    write(
        dir,
        "advisories/github-reviewed/2024/01/GHSA-test-aaaa-0001/GHSA-test-aaaa-0001.json",
        &osv("GHSA-test-aaaa-0001", "npm", "left-pad-ish", "1.3.1"),
    );
    write(
        dir,
        "advisories/github-reviewed/2023/06/GHSA-test-aaaa-0002/GHSA-test-aaaa-0002.json",
        &osv("GHSA-test-aaaa-0002", "Maven", "org.acme:parser", "2.1.0"),
    );
    write(
        dir,
        "advisories/unreviewed/2024/02/GHSA-test-zzzz-0003/GHSA-test-zzzz-0003.json",
        &osv("GHSA-test-zzzz-0003", "npm", "unreviewed-thing", "9.9.9"),
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", "advisories"]);
}

#[test]
fn github_reviewed_advisories_are_fetched_sparse_and_load() {
    let up = tempfile::tempdir().unwrap();
    upstream(up.path());
    let url = format!("file://{}", up.path().display());
    let cache = tempfile::tempdir().unwrap();
    let source = fetch::select(&["github".to_owned()]).unwrap()[0];
    let dir = fetch::fetch(cache.path(), &source, Some(&url)).unwrap();
    assert_eq!(
        dir,
        cache
            .path()
            .join("advisory-db/github/advisories/github-reviewed")
    );
    let clone = cache.path().join("advisory-db/github");
    // Sparse: only the reviewed folder (and top-level files) are there.
    assert!(clone.join("README.md").is_file());
    assert!(!clone.join("advisories/unreviewed").exists());
    // Shallow and partial: blobs outside the folder were never fetched.
    assert!(clone.join(".git/shallow").is_file());
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    assert!(
        config.contains("partialclonefilter = blob:none"),
        "{config}"
    );
    // No hook was installed from a template.
    let hooks = clone.join(".git/hooks");
    assert!(!hooks.exists() || std::fs::read_dir(&hooks).unwrap().next().is_none());
    let db = AdvisoryDb::load(&dir).unwrap();
    assert_eq!(db.load_report().advisories, 2);
    assert_eq!(
        db.load_report().per_ecosystem.keys().collect::<Vec<_>>(),
        ["Maven", "npm"]
    );
    assert_eq!(db.newest(), Some("2024-01-03"));
    assert_eq!(
        fetch::cached_databases(cache.path()),
        std::slice::from_ref(&dir)
    );

    // A refetch replaces the copy; a failed one leaves it in place.
    write(
        up.path(),
        "advisories/github-reviewed/2024/03/GHSA-test-aaaa-0004/GHSA-test-aaaa-0004.json",
        &osv("GHSA-test-aaaa-0004", "NuGet", "Acme.Json", "3.0.0"),
    );
    git(up.path(), &["add", "-A"]);
    git(up.path(), &["commit", "--quiet", "-m", "more"]);
    fetch::fetch(cache.path(), &source, Some(&url)).unwrap();
    assert_eq!(AdvisoryDb::load(&dir).unwrap().load_report().advisories, 3);
    let missing = format!("file://{}/nowhere", up.path().display());
    let err = fetch::fetch(cache.path(), &source, Some(&missing)).unwrap_err();
    assert!(matches!(err, FetchError::Git { .. }), "{err}");
    assert_eq!(AdvisoryDb::load(&dir).unwrap().load_report().advisories, 3);
}

#[test]
fn a_clone_without_the_expected_folder_is_refused() {
    let up = tempfile::tempdir().unwrap();
    git(up.path(), &["init", "--quiet"]);
    write(up.path(), "README.md", "nothing here\n");
    git(up.path(), &["add", "-A"]);
    git(up.path(), &["commit", "--quiet", "-m", "empty"]);
    let url = format!("file://{}", up.path().display());
    let cache = tempfile::tempdir().unwrap();
    let source = fetch::select(&["github".to_owned()]).unwrap()[0];
    let err = fetch::fetch(cache.path(), &source, Some(&url)).unwrap_err();
    assert!(matches!(err, FetchError::Layout { .. }), "{err}");
    assert!(fetch::cached_databases(cache.path()).is_empty());
}

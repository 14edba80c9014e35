//! Re-rendering a saved assessment, SARIF, baselines and diffs.

use std::fs;

use diligence_testkit::fixture_repo;

use crate::{diligence, stderr, stdout};

/// Scans `repo` and saves its assessment as `a.json` in `dir`.
fn save_assessment(repo: &std::path::Path, dir: &std::path::Path) -> std::path::PathBuf {
    let saved = dir.join("a.json");
    let out = diligence(
        repo,
        &[
            "scan",
            ".",
            "-q",
            "-f",
            "json",
            "-o",
            saved.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    saved
}

#[test]
fn a_saved_assessment_renders_to_the_same_markdown_as_the_scan() {
    let (repo, dir) = (fixture_repo("basic"), tempfile::tempdir().unwrap());
    save_assessment(&repo, dir.path());
    let scanned = stdout(&diligence(&repo, &["scan", ".", "-q"]));
    let out = diligence(dir.path(), &["render", "a.json", "-f", "md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), scanned);
}

#[test]
fn sarif_is_2_1_0_with_stable_fingerprints() {
    let repo = fixture_repo("basic");
    let run = || {
        let out = diligence(&repo, &["scan", ".", "-q", "-f", "sarif"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["version"], "2.1.0");
    let results = first["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["partialFingerprints"].is_object()));
    assert_eq!(first, run());
}

#[test]
fn newer_schema_versions_are_refused() {
    let repo = fixture_repo("basic");
    let dir = tempfile::tempdir().unwrap();
    let out = diligence(&repo, &["scan", ".", "-q", "-f", "json"]);
    let mut value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    value["schema_version"] = serde_json::json!(999);
    fs::write(dir.path().join("future.json"), value.to_string()).unwrap();
    let out = diligence(dir.path(), &["render", "future.json", "-f", "md"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("999"), "{}", stderr(&out));
}

#[test]
fn diff_of_an_assessment_with_itself_finds_nothing_new_and_baseline_lists_fingerprints() {
    let (repo, dir) = (fixture_repo("basic"), tempfile::tempdir().unwrap());
    let saved = save_assessment(&repo, dir.path());

    let out = diligence(dir.path(), &["diff", "a.json", "a.json", "-f", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = diff.to_string();
    assert!(diff.is_object(), "{text}");
    for key in ["new", "fixed"] {
        if let Some(list) = diff.get(key).and_then(|v| v.as_array()) {
            assert!(list.is_empty(), "{key} should be empty: {text}");
        }
    }

    let out = diligence(dir.path(), &["baseline", "a.json", "-o", "baseline.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let baseline = fs::read_to_string(dir.path().join("baseline.toml")).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&fs::read(&saved).unwrap()).unwrap();
    let first = report["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["findings"].as_array().unwrap())
        .next()
        .expect("the basic fixture has findings");
    assert!(
        baseline.contains(first["fingerprint"].as_str().unwrap()),
        "{baseline}"
    );
}

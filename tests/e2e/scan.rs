//! Scans of fixture repositories through the command.

use std::fs;

use diligence_testkit::fixture_repo;
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::{diligence, stderr, stdout};

fn scan_json(repo: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["scan", ".", "-f", "json", "-q"];
    args.extend_from_slice(extra);
    let out = diligence(repo, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("the JSON report parses")
}

fn fact<'a>(report: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    report["evidence"]
        .as_array()?
        .iter()
        .find_map(|e| e["facts"].get(name))
        .map(|f| &f["value"])
}

#[test]
fn markdown_report_is_valid_commonmark_with_every_part() {
    let repo = fixture_repo("basic");
    let out = diligence(&repo, &["scan", ".", "-o", "-", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).is_empty(),
        "quiet means quiet: {}",
        stderr(&out)
    );
    let text = stdout(&out);

    let mut headings = Vec::new();
    let mut in_heading = false;
    let mut tables = 0;
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                headings.push(String::new());
            }
            Event::End(pulldown_cmark::TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => {
                headings.last_mut().unwrap().push_str(&t);
            }
            Event::Start(Tag::Table(_)) => tables += 1,
            _ => {}
        }
    }
    assert!(tables >= 3, "expected several tables, found {tables}");
    let all = headings.join("\n").to_lowercase();
    for part in [
        "summary",
        "scorecard",
        "history",
        "remediation",
        "questions",
        "methodology",
    ] {
        assert!(all.contains(part), "no heading mentions {part}:\n{all}");
    }
}

#[test]
fn json_report_agrees_with_git() {
    let repo = fixture_repo("basic");
    let report = scan_json(&repo, &[]);
    assert_eq!(report["schema_version"], 1);
    // Statistics count the assessed commit's history; every ref is counted
    // apart.
    let count = |args: &[&str]| {
        let mut all = vec!["rev-list", "--count"];
        all.extend_from_slice(args);
        diligence_testkit::git(&repo, &all).trim().to_owned()
    };
    assert_eq!(
        fact(&report, "git.commits").unwrap()["value"].to_string(),
        count(&["HEAD"])
    );
    assert_eq!(
        fact(&report, "git.commits.all-refs").unwrap()["value"].to_string(),
        count(&["--all"])
    );
    let head = diligence_testkit::git(&repo, &["rev-parse", "HEAD"]);
    assert_eq!(report["target"]["vcs"]["head"], head.trim());
    assert!(report["controls"].as_array().unwrap().len() >= 20);
}

#[test]
fn output_is_deterministic_across_runs_and_thread_counts() {
    let repo = fixture_repo("basic");
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "2"] {
        let target = dir.path().join(format!("out-{}", outputs.len()));
        let out = diligence(
            &repo,
            &[
                "scan",
                ".",
                "-f",
                "md",
                "-f",
                "json",
                "--jobs",
                jobs,
                "-q",
                "-o",
                target.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        outputs.push((
            fs::read(target.join("report.md")).unwrap(),
            fs::read(target.join("report.json")).unwrap(),
        ));
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "reports differ between runs"
    );
}

#[test]
fn plain_directory_reports_history_as_not_evidenced() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.py"), "print('hello')\n").unwrap();
    let report = scan_json(dir.path(), &[]);
    assert!(report["target"].get("vcs").is_none());
    let failures = report["failures"].as_array().unwrap();
    assert!(
        failures
            .iter()
            .any(|f| f["collector"] == "git" && f["kind"] == "unavailable"),
        "{failures:?}"
    );
    assert!(fact(&report, "git.commits").is_none());
    let md = stdout(&diligence(dir.path(), &["scan", ".", "-q"]));
    assert!(md.to_lowercase().contains("not evidenced"), "{md}");
}

#[test]
fn empty_repository_scans() {
    let repo = fixture_repo("empty");
    let report = scan_json(&repo, &[]);
    assert!(report["target"]["vcs"].get("head").is_none());
    assert_ne!(report["gate"]["verdict"], "production-ready");
}

#[test]
fn shallow_clone_is_marked_partial() {
    let repo = fixture_repo("shallow");
    let report = scan_json(&repo, &[]);
    assert_eq!(report["target"]["vcs"]["shallow"], true);
    let git = report["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["collector"] == "git")
        .unwrap();
    assert!(git["partial"].as_str().unwrap().contains("shallow"));
    let partial_controls = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["partial_evidence"] == true)
        .count();
    assert!(partial_controls > 0);
}

#[test]
fn env_files_fail_their_control_by_what_they_held() {
    let status = |fixture: &str| {
        let report = scan_json(&fixture_repo(fixture), &[]);
        let env_findings = report["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["findings"].as_array().unwrap())
            .filter(|f| f["rule"] == "git.env-file-committed")
            .count();
        assert!(env_findings > 0, "{fixture}");
        report["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "secrets-and-surface.no-committed-env-files")
            .map(|c| c["status"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    // A session secret and a remote database password fail the control;
    // a local database URL and a port make it partial.
    assert_eq!(status("envfiles"), "fail");
    assert_eq!(status("basic"), "partial");
}

#[test]
fn fail_under_gates() {
    let repo = fixture_repo("basic");
    let out = diligence(
        &repo,
        &["scan", ".", "-q", "--fail-under", "100", "-o", "-"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = diligence(&repo, &["scan", ".", "-q", "--fail-under", "0", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn only_runs_the_named_collectors_and_rejects_unknown_ones() {
    let repo = fixture_repo("basic");
    let report = scan_json(&repo, &["--only", "git"]);
    assert_eq!(report["options"]["collectors"], serde_json::json!(["git"]));
    let out = diligence(&repo, &["scan", ".", "--only", "nope"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("unknown collector `nope`"));
}

#[test]
fn snapshots_of_the_basic_fixture() {
    let repo = fixture_repo("basic");
    let md = stdout(&diligence(&repo, &["scan", ".", "-q"]));
    let json = stdout(&diligence(&repo, &["scan", ".", "-q", "-f", "json"]));
    // The fixture folder's name carries a hash of its script.
    insta::with_settings!({filters => vec![(r"basic-[0-9a-f]{8,}", "basic-[script]")]}, {
        insta::assert_snapshot!("basic-report-md", md);
        insta::assert_snapshot!("basic-report-json", json);
    });
}

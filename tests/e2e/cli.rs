//! Command-line behaviour: exit codes, output routing, framework commands.

use crate::{diligence, stderr, stdout, workspace};

#[test]
fn frameworks_list_names_the_default() {
    let out = diligence(workspace(), &["frameworks", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().contains("(default)"), "{text}");
    assert!(text.contains("production-readiness"), "{text}");
}

#[test]
fn framework_check_accepts_the_embedded_file() {
    let out = diligence(
        workspace(),
        &["framework", "check", "scoring/production-readiness.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(": ok"), "{}", stdout(&out));
}

#[test]
fn framework_check_points_at_file_and_line() {
    let out = diligence(
        workspace(),
        &[
            "framework",
            "check",
            "fixtures/frameworks/unknown-fact.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("unknown-fact.toml:"), "{err}");
    assert!(err.contains("git.no-such-fact"), "{err}");
}

#[test]
fn missing_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = diligence(dir.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: scan of does-not-exist failed"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let out = diligence(workspace(), &["scan", "--fail-under", "101"]);
    assert_eq!(out.status.code(), Some(2));
    let out = diligence(workspace(), &["scan", "-f", "pdfx"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn several_formats_need_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = diligence(dir.path(), &["scan", ".", "-f", "md", "-f", "json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));
}

#[test]
fn rules_check_accepts_a_good_folder_and_names_problems_in_a_bad_one() {
    let out = diligence(workspace(), &["rules", "check", "fixtures/rules/good"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("1 rules in 1 files, 0 errors"),
        "{}",
        stdout(&out)
    );

    let out = diligence(workspace(), &["rules", "check", "fixtures/rules/bad"]);
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("acme.yml"), "{text}");
    assert!(text.contains("secrets.acme.internal-token"), "{text}");
}

//! The report date: today by default, `SOURCE_DATE_EPOCH` for reproducible
//! runs, `--as-of` above both; the assessed commit's date beside it.

use std::process::Output;

use diligence_testkit::fixture_repo;

use crate::{REPORT_EPOCH, diligence_command, stderr};

/// The basic fixture's HEAD commit date.
const BASIC_HEAD_DATE: &str = "2023-12-06T22:13:20Z";

/// `REPORT_EPOCH` written as the assessment writes timestamps.
const REPORT_DATE: &str = "2024-01-01T00:00:00Z";

/// Runs a JSON scan of the basic fixture with `extra` arguments and the
/// variable set to `epoch` (`None`: unset).
fn scan(epoch: Option<&str>, extra: &[&str]) -> Output {
    let repo = fixture_repo("basic");
    let mut args = vec!["scan", ".", "-q", "-f", "json"];
    args.extend_from_slice(extra);
    let mut command = diligence_command(&repo, &args);
    match epoch {
        Some(value) => command.env("SOURCE_DATE_EPOCH", value),
        None => command.env_remove("SOURCE_DATE_EPOCH"),
    };
    command.output().expect("the diligence binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("the JSON report parses")
}

fn seconds(value: &serde_json::Value) -> i64 {
    let text = value.as_str().expect("a timestamp string");
    diligence::model::Timestamp::parse(text)
        .expect("an RFC 3339 timestamp")
        .seconds()
}

fn active_90d(report: &serde_json::Value) -> i64 {
    report["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["facts"].get("git.contributors.active-90d"))
        .and_then(|f| f["value"]["value"].as_i64())
        .expect("the git collector counts active contributors")
}

#[test]
fn without_source_date_epoch_the_report_is_dated_today() {
    // Tests may read the clock: the command's own reading is what is tested.
    #[allow(clippy::disallowed_methods)]
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let before = now();
    let report = json(&scan(None, &["--timestamp"]));
    let after = now();
    let as_of = seconds(&report["options"]["as_of"]);
    // One second either side for clocks read at whole seconds.
    assert!(
        (before - 1..=after + 1).contains(&as_of),
        "as_of {as_of} outside [{before}, {after}]"
    );
    // One reading serves both the report date and the generation time.
    assert_eq!(report["generated_at"], report["options"]["as_of"]);
    // The assessed commit keeps its own date, and a repository whose last
    // commit is years old reads as dormant.
    assert_eq!(report["target"]["vcs"]["head_date"], BASIC_HEAD_DATE);
    assert_eq!(active_90d(&report), 0);
}

#[test]
fn an_empty_source_date_epoch_counts_as_unset() {
    let report = json(&scan(Some(""), &[]));
    assert!(seconds(&report["options"]["as_of"]) > seconds(&BASIC_HEAD_DATE.into()));
    assert_ne!(report["options"]["as_of"], REPORT_DATE);
}

#[test]
fn source_date_epoch_dates_the_report_and_fixes_the_generation_time() {
    let epoch = REPORT_EPOCH.to_string();
    let first = scan(Some(&epoch), &["--timestamp"]);
    let report = json(&first);
    assert_eq!(report["options"]["as_of"], REPORT_DATE);
    assert_eq!(report["generated_at"], REPORT_DATE);
    assert_eq!(report["target"]["vcs"]["head_date"], BASIC_HEAD_DATE);
    // Windows end at the report date: the fixture's authors were active in
    // the 90 days before 2024-01-01.
    assert!(active_90d(&report) > 0);
    // Byte-identical, even with the generation time recorded.
    let second = scan(Some(&epoch), &["--timestamp"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn markdown_shows_the_report_date_and_the_commit_date() {
    let repo = fixture_repo("basic");
    let out = diligence_command(&repo, &["scan", ".", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2024-01-01"), "{text}");
    assert!(text.contains("2023-12-06"), "{text}");
}

#[cfg(feature = "pdf")]
#[test]
fn source_date_epoch_fixes_the_pdf_dates() {
    let repo = fixture_repo("basic");
    let dir = tempfile::tempdir().unwrap();
    let render = |name: &str| {
        let path = dir.path().join(name);
        let out = diligence_command(
            &repo,
            &[
                "scan",
                ".",
                "-q",
                "--timestamp",
                "-f",
                "pdf",
                "-o",
                path.to_str().unwrap(),
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read(path).unwrap()
    };
    let first = render("a.pdf");
    assert_eq!(first, render("b.pdf"));
    // The document's creation date is the report date.
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains("2024-01-01T00:00:00"), "no creation date");
}

#[test]
fn as_of_beats_source_date_epoch() {
    let epoch = REPORT_EPOCH.to_string();
    let report = json(&scan(
        Some(&epoch),
        &["--as-of", "2023-12-20", "--timestamp"],
    ));
    assert_eq!(report["options"]["as_of"], "2023-12-20T00:00:00Z");
    // The generation time still comes from the variable.
    assert_eq!(report["generated_at"], REPORT_DATE);
}

#[test]
fn a_malformed_source_date_epoch_is_a_usage_error() {
    for (value, extra) in [
        ("yesterday", &[][..]),
        ("1.5", &[][..]),
        ("-86400", &[][..]),
        // Checked under `--as-of` too: never a quiet fall-back.
        ("2024-01-01", &["--as-of", "2024-01-01"][..]),
    ] {
        let out = scan(Some(value), extra);
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("error: invalid SOURCE_DATE_EPOCH `{value}`")),
            "{err}"
        );
        assert!(err.contains("seconds since 1970-01-01"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

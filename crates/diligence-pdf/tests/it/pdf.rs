//! Renders fixture assessments and checks the PDF: structure, text,
//! determinism, and that no secret leaks.

use std::io::Write;
use std::process::{Command, Stdio};

use diligence_pdf::{PdfOptions, PdfRenderer};

use crate::sample;

/// Pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let mut count = 0;
    let mut rest = pdf;
    while let Some(at) = rest.windows(5).position(|w| w == b"/Type") {
        rest = &rest[at + 5..];
        let skipped = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let after = &rest[skipped..];
        if after.starts_with(b"/Page") && !after[5..].starts_with(b"s") {
            count += 1;
        }
    }
    count
}

/// The text of a PDF through `pdftotext`, or `None` when it is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let mut child = Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(pdf).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Text without whitespace and the break hints long ids carry, so that an
/// id wrapped over two lines still matches.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200b}')
        .collect()
}

#[test]
fn fixture_report_is_complete_deterministic_and_redacted() -> anyhow::Result<()> {
    let assessment = sample::with_findings(sample::basic(), 40);
    let renderer = PdfRenderer::embedded();
    let options = PdfOptions {
        client: Some("Example Capital".to_owned()),
        prepared_by: Some("Example Advisory".to_owned()),
        engagement: Some("Project Falcon".to_owned()),
        logo: None,
    };
    let first = renderer.render(&assessment, &options)?;
    let second = renderer.render(&assessment, &options)?;
    assert!(first.starts_with(b"%PDF-"));
    assert!(first == second, "two renders of one assessment differ");
    let pages = page_count(&first);
    assert!((12..80).contains(&pages), "unexpected page count {pages}");

    let data = renderer.data(&assessment, &options)?;
    assert!(
        !data.contains(&sample::secret()),
        "the secret reached the template data"
    );
    assert!(!String::from_utf8_lossy(&first).contains(&sample::secret()));

    let Some(text) = pdf_text(&first) else {
        eprintln!("pdftotext not found: skipping the text checks (install poppler-utils)");
        return Ok(());
    };
    let flat = squeeze(&text);
    assert!(
        !flat.contains(&squeeze(&sample::secret())),
        "the secret is in the PDF text"
    );
    let mut wanted: Vec<String> = vec![
        "Executive summary".into(),
        "Scorecard".into(),
        "History".into(),
        "Remediation plan".into(),
        "Questions for management".into(),
        "Methodology and reproducibility".into(),
        "Appendix: every finding".into(),
        "Example Capital".into(),
        "Project Falcon".into(),
        "fp-0001".into(),
    ];
    wanted.extend(assessment.scores.sections.iter().map(|s| s.title.clone()));
    wanted.extend(assessment.controls.iter().map(|c| c.id.to_string()));
    for needle in wanted {
        assert!(
            flat.contains(&squeeze(&needle)),
            "`{needle}` is missing from the PDF text"
        );
    }
    Ok(())
}

#[test]
fn template_data_snapshot() -> anyhow::Result<()> {
    let assessment = sample::with_findings(sample::basic(), 6);
    let data = PdfRenderer::embedded().data(&assessment, &PdfOptions::default())?;
    let value: serde_json::Value = serde_json::from_str(&data)?;
    insta::assert_json_snapshot!("basic-doc", value["doc"]);
    Ok(())
}

#[test]
fn template_errors_name_the_file_and_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("report.typ"), "#let x = (\n")?;
    let renderer = PdfRenderer::from_dir(dir.path())?;
    let error = renderer
        .render(&sample::basic(), &PdfOptions::default())
        .expect_err("a broken template fails");
    assert!(error.to_string().contains("report.typ:"), "{error}");
    Ok(())
}

#[test]
fn package_imports_and_outside_files_are_denied() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("report.typ"),
        "#import \"@preview/cetz:0.3.0\": canvas\n",
    )?;
    let error = PdfRenderer::from_dir(dir.path())?
        .render(&sample::basic(), &PdfOptions::default())
        .expect_err("package imports fail");
    assert!(error.to_string().contains("package"), "{error}");
    std::fs::write(dir.path().join("report.typ"), "#read(\"/etc/hostname\")\n")?;
    let error = PdfRenderer::from_dir(dir.path())?
        .render(&sample::basic(), &PdfOptions::default())
        .expect_err("outside files fail");
    assert!(error.to_string().contains("not found"), "{error}");
    Ok(())
}

#[test]
fn accepted_findings_are_marked_and_expired_ones_count_again() -> anyhow::Result<()> {
    use diligence_model::{Acceptance, Annotations, Timestamp};
    let mut assessment = sample::with_findings(sample::basic(), 6);
    let fingerprints: Vec<String> = assessment
        .evidence
        .iter()
        .filter(|e| e.collector.as_str() == "synthetic")
        .flat_map(|e| &e.findings)
        .map(|f| f.fingerprint.clone())
        .collect();
    let acceptance = |fingerprint: &str, year: i32, expired: bool| Acceptance {
        fingerprint: fingerprint.to_owned(),
        reason: "Accepted for the test.".to_owned(),
        owner: "CTO".to_owned(),
        expires: Timestamp::from_ymd(year, 1, 31),
        expired,
        matched: true,
    };
    assessment.annotations = Some(Annotations {
        acceptances: vec![
            acceptance(&fingerprints[0], 2099, false),
            acceptance(&fingerprints[1], 2001, true),
        ],
        ..Annotations::default()
    });
    let renderer = PdfRenderer::embedded();
    let data: serde_json::Value =
        serde_json::from_str(&renderer.data(&assessment, &PdfOptions::default())?)?;
    let rows = data["view"]["findings"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("findings are a list"))?;
    let row = |fp: &str| rows.iter().find(|r| r["fingerprint"] == fp).cloned();
    let active = row(&fingerprints[0]).ok_or_else(|| anyhow::anyhow!("active row"))?;
    let expired = row(&fingerprints[1]).ok_or_else(|| anyhow::anyhow!("expired row"))?;
    assert_eq!(active["accepted"], true);
    assert_eq!(expired["accepted"], false);
    assert!(
        expired["note"]
            .as_str()
            .is_some_and(|n| n.contains("counts again")),
        "{expired}"
    );
    assert_eq!(data["view"]["notes"]["accepted"], 1);
    assert_eq!(data["view"]["notes"]["expired"], 1);

    let pdf = renderer.render(&assessment, &PdfOptions::default())?;
    let Some(text) = pdf_text(&pdf) else {
        eprintln!("pdftotext not found: skipping the text checks (install poppler-utils)");
        return Ok(());
    };
    let flat = squeeze(&text);
    for needle in [
        "Consultant's annotations",
        "Risk acceptances",
        "ACCEPTED",
        "EXPIRED",
        "counts again",
    ] {
        assert!(
            flat.contains(&squeeze(needle)) || flat.contains(&squeeze(&needle.replace('\'', "’"))),
            "`{needle}` is missing from the PDF text"
        );
    }
    Ok(())
}

#[test]
fn test_evidence_part_has_its_numbers_and_a_chart() -> anyhow::Result<()> {
    let assessment = sample::basic();
    let renderer = PdfRenderer::embedded();
    let data: serde_json::Value =
        serde_json::from_str(&renderer.data(&assessment, &PdfOptions::default())?)?;
    let parts = data["view"]["parts"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("parts are a list"))?;
    let tests = parts
        .iter()
        .find(|p| p["kind"] == "tests")
        .ok_or_else(|| anyhow::anyhow!("a tests part"))?;
    let names: Vec<&str> = tests["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["facts"].as_array().into_iter().flatten())
        .filter_map(|f| f["name"].as_str())
        .collect();
    for wanted in ["tests.files", "tests.ratio.test-to-code"] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    assert!(
        data["doc"]["language_chart"]
            .as_array()
            .is_some_and(|bars| !bars.is_empty()),
        "the language chart has bars"
    );
    let pdf = renderer.render(&assessment, &PdfOptions::default())?;
    if let Some(text) = pdf_text(&pdf) {
        let flat = squeeze(&text);
        for needle in [
            "Tests and coverage",
            "Product code and test code by language",
            "Test-to-code ratio",
        ] {
            assert!(flat.contains(&squeeze(needle)), "`{needle}` is missing");
        }
    }
    Ok(())
}

/// The text of pages `first` to `last` through `pdftotext`.
fn pages_text(pdf: &[u8], first: u32, last: u32) -> Option<String> {
    let mut child = Command::new("pdftotext")
        .args(["-f", &first.to_string(), "-l", &last.to_string(), "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(pdf).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn first_pages_profile_strengths_severities_and_fixes() -> anyhow::Result<()> {
    let assessment = sample::with_findings(sample::basic(), 12);
    let pdf = PdfRenderer::embedded().render(&assessment, &PdfOptions::default())?;
    let Some(first) = pages_text(&pdf, 1, 5) else {
        eprintln!("pdftotext not found: skipping the text checks (install poppler-utils)");
        return Ok(());
    };
    let flat = squeeze(&first);
    for needle in [
        "Executive summary",
        "Strengths",
        "Findings by severity",
        "Red flags",
        "What to fix first",
        "Scores by section",
        "Target profile",
        "Languages",
        "History",
    ] {
        assert!(
            flat.contains(&squeeze(needle)),
            "`{needle}` is not on the first pages"
        );
    }
    // Reasons name controls by title, not as "critical control <id> failed".
    assert!(!first.contains("critical control "), "{first}");
    // The repository is a name, never a local path.
    assert!(!first.contains("fixture-repos"), "{first}");
    let Some(all) = pdf_text(&pdf) else {
        return Ok(());
    };
    // Markdown backticks of framework wording and messages never show.
    assert!(
        !all.contains('`'),
        "a literal backtick in the PDF: {}",
        all.lines()
            .filter(|l| l.contains('`'))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    // A masked secret reads as masked.
    assert!(flat_contains(&all, "masked: sk_l…"));
    Ok(())
}

fn flat_contains(text: &str, needle: &str) -> bool {
    squeeze(text).contains(&squeeze(needle))
}

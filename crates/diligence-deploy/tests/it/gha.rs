//! GitHub Actions hardening: every `deploy.gha-*` rule on workflows that
//! must be flagged, and on look-alikes that must not.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits};

const PREVIEW: &str = ".github/workflows/preview.yml";
const SHARED: &str = ".github/workflows/shared.yml";
const TRIAGE: &str = ".github/workflows/triage.yml";

fn at(
    path: &str,
    line: u32,
    severity: Severity,
    confidence: Confidence,
) -> (String, u32, Severity, Confidence) {
    (path.to_owned(), line, severity, confidence)
}

#[test]
fn flags_every_hardening_rule() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Info, Low, Medium};
    let ev = collect(Some("gha/flag"), &[])?;
    assert_eq!(
        hits(&ev, "deploy.gha-untrusted-checkout"),
        [at(PREVIEW, 12, High, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-template-injection"),
        [at(PREVIEW, 16, High, H), at(TRIAGE, 11, High, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-secret-echoed"),
        [at(PREVIEW, 17, High, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-unpinned-action"),
        [
            at(PREVIEW, 10, Info, H),
            at(PREVIEW, 18, Medium, H),
            at(PREVIEW, 19, Info, H),
            at(SHARED, 4, Low, H),
            at(SHARED, 9, Info, H),
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-excessive-permissions"),
        [at(PREVIEW, 5, Medium, H), at(SHARED, 1, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-secrets-inherit"),
        [at(SHARED, 5, Low, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-self-hosted-pr"),
        [at(PREVIEW, 8, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.gha-persisted-credentials"),
        [at(PREVIEW, 10, Medium, M)]
    );
    // Heuristic rules say so; none quotes a secret's value.
    for f in &ev.findings {
        let heuristic = matches!(
            f.rule.as_str(),
            "deploy.gha-self-hosted-pr" | "deploy.gha-persisted-credentials"
        );
        assert_eq!(f.tags.contains("heuristic"), heuristic, "{}", f.rule);
        assert!(f.remediation.is_some(), "{}", f.rule);
        let excerpt = f
            .excerpt
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(!excerpt.contains("secrets."), "{excerpt}");
    }
    let injection = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.gha-template-injection")
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert!(
        injection.contains("github.event.pull_request.title"),
        "{injection}"
    );
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("gha/clean"), &[])?;
    let gha: Vec<String> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("deploy.gha-"))
        .map(|f| format!("{} {}", f.rule, f.location))
        .collect();
    assert!(gha.is_empty(), "{gha:?}");
    Ok(())
}

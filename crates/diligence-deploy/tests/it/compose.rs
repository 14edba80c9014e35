//! Compose files: every `deploy.compose-*` rule on services that must be
//! flagged, and on look-alikes that must not.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits, list};

const F: &str = "docker-compose.yml";

fn at(
    line: u32,
    severity: Severity,
    confidence: Confidence,
) -> (String, u32, Severity, Confidence) {
    (F.to_owned(), line, severity, confidence)
}

#[test]
fn flags_compose_practices() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let ev = collect(Some("compose/flag"), &[])?;
    assert_eq!(list(&ev, "deploy.compose-files"), [F]);
    assert_eq!(
        hits(&ev, "deploy.compose-latest-image"),
        [at(3, Low, H), at(10, Low, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.compose-db-port-public"),
        [at(5, Medium, M), at(12, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.compose-inline-password"),
        [at(8, Medium, M), at(20, Medium, M)]
    );
    assert_eq!(hits(&ev, "deploy.compose-privileged"), [at(15, High, H)]);
    assert_eq!(
        hits(&ev, "deploy.compose-host-network"),
        [at(16, Medium, H)]
    );
    assert_eq!(hits(&ev, "deploy.compose-docker-socket"), [at(18, High, H)]);
    for f in ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deploy.compose-inline-password")
    {
        let shown = format!("{} {:?}", f.message, f.excerpt);
        assert!(
            !shown.contains("postgres\"") && !shown.contains("dev-token"),
            "{shown}"
        );
        assert!(f.tags.contains("heuristic"));
    }
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("compose/clean"), &[])?;
    let compose: Vec<String> = ev
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.location))
        .collect();
    assert!(compose.is_empty(), "{compose:?}");
    assert_eq!(list(&ev, "deploy.compose-files"), ["compose.yaml"]);
    Ok(())
}

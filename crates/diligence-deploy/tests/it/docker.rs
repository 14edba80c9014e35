//! Dockerfiles: every `deploy.docker-*` rule on files that must be flagged,
//! and on look-alikes that must not.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits};

fn one(
    path: &str,
    line: u32,
    severity: Severity,
    confidence: Confidence,
) -> (String, u32, Severity, Confidence) {
    (path.to_owned(), line, severity, confidence)
}

#[test]
fn flags_dockerfile_practices() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    const D: &str = "Dockerfile";
    const W: &str = "worker.Dockerfile";
    // The env file is written by the test, never committed.
    let ev = collect(Some("docker/flag"), &[(".env", "APP_MODE=demo\n")])?;
    assert_eq!(
        hits(&ev, "deploy.docker-unpinned-base"),
        [one(D, 1, Low, H), one(D, 10, Low, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.docker-secret-in-env"),
        [one(D, 3, Medium, M), one(D, 11, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.docker-unpinned-packages"),
        [one(D, 4, Low, H), one(W, 2, Low, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.docker-curl-pipe-shell"),
        [one(D, 5, Medium, H)]
    );
    assert_eq!(hits(&ev, "deploy.docker-add-url"), [one(D, 6, Medium, H)]);
    assert_eq!(
        hits(&ev, "deploy.docker-env-file-copied"),
        [one(D, 7, High, M), one(D, 12, High, H)]
    );
    assert_eq!(hits(&ev, "deploy.docker-sudo"), [one(D, 8, Low, H)]);
    assert_eq!(
        hits(&ev, "deploy.docker-root-user"),
        [one(D, 14, Medium, H), one(W, 1, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.docker-no-healthcheck"),
        [one(D, 10, Low, M), one(W, 1, Low, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.config-malformed"),
        [one("Dockerfile.broken", 2, Low, H)]
    );
    // The practice is reported, never the value.
    for f in ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deploy.docker-secret-in-env")
    {
        let shown = format!("{} {:?}", f.message, f.excerpt);
        assert!(!shown.contains("changeme"), "{shown}");
    }
    let packages = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.docker-unpinned-packages")
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert!(packages.ends_with("curl, git"), "{packages}");
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("docker/clean"), &[(".env", "APP_MODE=demo\n")])?;
    let docker: Vec<String> = ev
        .findings
        .iter()
        .filter(|f| {
            f.rule.as_str().starts_with("deploy.docker-")
                || f.rule.as_str() == "deploy.config-malformed"
        })
        .map(|f| format!("{} {}", f.rule, f.location))
        .collect();
    assert!(docker.is_empty(), "{docker:?}");
    Ok(())
}

//! Pipelines: tests in CI, deploys, and whether the tests gate them.

use diligence_model::{Confidence, Inventory, Severity};

use crate::{boolean, collect, hits, list, rules};

#[test]
fn gated_deploys_through_make_package_scripts_and_needs() -> anyhow::Result<()> {
    let ev = collect(Some("gated"), &[])?;
    assert_eq!(list(&ev, "deploy.pipelines"), ["github-actions"]);
    assert!(boolean(&ev, "deploy.ci-runs-tests"));
    let detail = ev.facts["deploy.ci-runs-tests"]
        .detail
        .clone()
        .unwrap_or_default();
    // One level down: make ci → its prerequisite test, the web package
    // script, and the shell script run inside a container.
    assert!(detail.contains("cargo test via Makefile: ci"), "{detail}");
    assert!(
        detail.contains("vitest via web/package.json: verify"),
        "{detail}"
    );
    assert!(detail.contains("pytest via scripts/test.sh"), "{detail}");
    assert_eq!(
        list(&ev, "deploy.deploys"),
        [
            ".github/workflows/deploy.yml#image (container-registry; push to main)",
            ".github/workflows/deploy.yml#ship (fly; push to main)",
        ]
    );
    assert_eq!(list(&ev, "deploy.platforms"), ["container-registry", "fly"]);
    assert!(boolean(&ev, "deploy.tests-gate-deploys"));
    assert!(hits(&ev, "deploy.ungated-deploy").is_empty());
    assert!(rules(&ev).iter().all(|r| r != "deploy.config-malformed"));
    // The inventory: what is built, shipped by which job, from which
    // trigger, to which platform.
    assert_eq!(list(&ev, "deploy.platform-configs"), ["fly.toml (fly)"]);
    assert_eq!(
        list(&ev, "deploy.deployables"),
        ["Dockerfile (image from node:20.11.1-alpine3.19, runs as node)"]
    );
    let Some(Inventory::Table(table)) = ev.inventories.get("deployment") else {
        panic!("no deployment table: {:?}", ev.inventories.keys());
    };
    assert_eq!(
        table.columns,
        ["What", "Built from", "Shipped by", "Trigger", "To"]
    );
    assert_eq!(
        table.rows,
        [
            [
                "docker/build-push-action with push",
                "Dockerfile",
                ".github/workflows/deploy.yml#image",
                "push to main",
                "container-registry"
            ],
            [
                "flyctl deploy via Makefile: deploy",
                "Dockerfile",
                ".github/workflows/deploy.yml#ship",
                "push to main",
                "fly"
            ],
            [
                "app example-api; HTTP service on port 3000; region ams (primary); no health check",
                "fly.toml",
                "the platform (its git integration or CLI)",
                "",
                "fly"
            ],
        ]
    );
    Ok(())
}

#[test]
fn an_image_no_pipeline_ships_is_listed_as_such() -> anyhow::Result<()> {
    let ev = collect(
        None,
        &[
            (
                "api/Dockerfile",
                "FROM python:3.12-slim\nUSER app\nCMD [\"python\", \"app.py\"]\n",
            ),
            ("vercel.json", "{}\n"),
            ("app.json", "{\"name\": \"not heroku\"}\n"),
        ],
    )?;
    assert_eq!(list(&ev, "deploy.platforms"), ["vercel"]);
    let Some(Inventory::Table(table)) = ev.inventories.get("deployment") else {
        panic!("no deployment table");
    };
    assert_eq!(
        table.rows[0],
        [
            "container image (from python:3.12-slim, runs as app)",
            "api/Dockerfile",
            "no pipeline job found",
            "",
            ""
        ]
    );
    assert_eq!(table.rows.len(), 2, "{:?}", table.rows);
    Ok(())
}

#[test]
fn a_deploy_beside_the_tests_is_not_gated() -> anyhow::Result<()> {
    let ev = collect(Some("ungated"), &[])?;
    assert!(boolean(&ev, "deploy.ci-runs-tests"));
    assert_eq!(
        list(&ev, "deploy.deploys"),
        [".github/workflows/release.yaml#publish (vercel; tags v*)"]
    );
    assert!(!boolean(&ev, "deploy.tests-gate-deploys"));
    assert_eq!(
        hits(&ev, "deploy.ungated-deploy"),
        [(
            ".github/workflows/release.yaml".to_owned(),
            8,
            Severity::Medium,
            Confidence::Medium
        )]
    );
    let finding = ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.ungated-deploy")
        .map(|f| (f.tags.contains("heuristic"), f.remediation.is_some()));
    assert_eq!(finding, Some((true, true)));
    Ok(())
}

#[test]
fn gitlab_stages_gate_and_text_ci_counts() -> anyhow::Result<()> {
    let ev = collect(Some("gitlab"), &[])?;
    assert_eq!(list(&ev, "deploy.pipelines"), ["circleci", "gitlab-ci"]);
    assert!(boolean(&ev, "deploy.ci-runs-tests"));
    assert_eq!(
        list(&ev, "deploy.deploys"),
        [
            ".circleci/config.yml (gcp; jobs not parsed)",
            ".gitlab-ci.yml#production (supabase; push to main)",
        ]
    );
    // The text-only CircleCI file cannot say; the GitLab job is gated.
    assert!(boolean(&ev, "deploy.tests-gate-deploys"));
    let detail = ev.facts["deploy.tests-gate-deploys"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(detail.contains("job unit (stage test)"), "{detail}");
    Ok(())
}

#[test]
fn malformed_workflow_is_reported_and_the_scan_goes_on() -> anyhow::Result<()> {
    let ev = collect(Some("malformed"), &[])?;
    let malformed = hits(&ev, "deploy.config-malformed");
    assert_eq!(malformed.len(), 1, "{malformed:?}");
    let (path, line, severity, confidence) = &malformed[0];
    assert_eq!(path, ".github/workflows/broken.yml");
    assert!(*line >= 6, "line {line}");
    assert_eq!((*severity, *confidence), (Severity::Low, Confidence::High));
    let message = &ev
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.config-malformed")
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert!(message.contains("column"), "{message}");
    // The other workflow is still read: it builds, tests nothing, deploys nothing.
    assert_eq!(list(&ev, "deploy.pipelines"), ["github-actions"]);
    assert!(!boolean(&ev, "deploy.ci-runs-tests"));
    assert!(list(&ev, "deploy.deploys").is_empty());
    assert!(!ev.facts.contains_key("deploy.tests-gate-deploys"));
    Ok(())
}

#[test]
fn no_ci_at_all_is_said_not_passed() -> anyhow::Result<()> {
    let ev = collect(
        None,
        &[("README.md", "# app\n"), ("deploy.sh", "flyctl deploy\n")],
    )?;
    assert!(list(&ev, "deploy.pipelines").is_empty());
    assert!(!boolean(&ev, "deploy.ci-runs-tests"));
    assert_eq!(
        ev.facts["deploy.ci-runs-tests"].detail.as_deref(),
        Some("No CI configuration file found.")
    );
    assert!(list(&ev, "deploy.deploys").is_empty());
    assert!(ev.findings.is_empty());
    Ok(())
}

#[test]
fn oversized_and_hostile_files_are_bounded() -> anyhow::Result<()> {
    let big = format!("on: push\njobs:\n{}", "  # padding\n".repeat(120_000));
    let deep = format!(
        "on: push\njobs: {}1{}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let ev = collect(
        None,
        &[
            (".github/workflows/big.yml", &big),
            (".github/workflows/deep.yml", &deep),
        ],
    )?;
    assert_eq!(
        hits(&ev, "deploy.config-skipped"),
        [(
            ".github/workflows/big.yml".to_owned(),
            0,
            Severity::Low,
            Confidence::High
        )]
    );
    assert_eq!(hits(&ev, "deploy.config-malformed").len(), 1);
    Ok(())
}

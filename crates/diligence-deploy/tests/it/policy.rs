//! Repository policy and operations facts, both ways.

use diligence_model::FactValue;

use crate::{boolean, collect, list, value};

#[test]
fn a_repository_that_writes_its_operations_down() -> anyhow::Result<()> {
    let ev = collect(Some("policy/full"), &[])?;
    assert_eq!(list(&ev, "deploy.codeowners"), [".github/CODEOWNERS"]);
    assert!(boolean(&ev, "deploy.codeowners-catch-all"));
    assert!(boolean(&ev, "deploy.security-policy"));
    assert_eq!(
        list(&ev, "deploy.dependency-updates"),
        ["dependabot (npm, github-actions)"]
    );
    assert!(boolean(&ev, "deploy.dependency-updates.actions"));
    assert!(boolean(&ev, "deploy.pr-template"));
    assert_eq!(list(&ev, "deploy.runbooks"), ["docs/runbooks/rollback.md"]);
    assert!(boolean(&ev, "deploy.rollback-documented"));
    assert_eq!(
        list(&ev, "deploy.backups"),
        [
            ".github/workflows/backup.yml (scheduled)",
            "scripts/backup-db.sh"
        ]
    );
    assert_eq!(
        value(&ev, "deploy.migrations-reversible"),
        &FactValue::Ratio {
            numerator: 1,
            denominator: 2
        }
    );
    Ok(())
}

#[test]
fn look_alikes_do_not_count() -> anyhow::Result<()> {
    let ev = collect(Some("policy/partial"), &[])?;
    assert_eq!(list(&ev, "deploy.codeowners"), [".github/CODEOWNERS"]);
    assert!(!boolean(&ev, "deploy.codeowners-catch-all"));
    assert!(!boolean(&ev, "deploy.security-policy"));
    assert_eq!(
        list(&ev, "deploy.dependency-updates"),
        ["renovate (renovate.json)"]
    );
    assert!(!boolean(&ev, "deploy.dependency-updates.actions"));
    assert!(!boolean(&ev, "deploy.pr-template"));
    assert_eq!(list(&ev, "deploy.runbooks"), ["docs/runbook.md"]);
    assert!(!boolean(&ev, "deploy.rollback-documented"));
    assert!(list(&ev, "deploy.backups").is_empty());
    assert_eq!(
        value(&ev, "deploy.migrations-reversible"),
        &FactValue::Ratio {
            numerator: 0,
            denominator: 1
        }
    );
    Ok(())
}

#[test]
fn nothing_written_down_is_recorded_as_absent() -> anyhow::Result<()> {
    let ev = collect(None, &[("README.md", "# app\n")])?;
    assert!(list(&ev, "deploy.codeowners").is_empty());
    assert!(!ev.facts.contains_key("deploy.codeowners-catch-all"));
    assert!(list(&ev, "deploy.dependency-updates").is_empty());
    assert!(!ev.facts.contains_key("deploy.dependency-updates.actions"));
    assert!(!ev.facts.contains_key("deploy.migrations-reversible"));
    assert!(!boolean(&ev, "deploy.rollback-documented"));
    Ok(())
}

#[test]
fn codeowners_coverage_of_sensitive_areas() -> anyhow::Result<()> {
    let ev = collect(
        None,
        &[
            (
                ".github/CODEOWNERS",
                "# security owns sign-in\n/src/auth/ @org/security\n*.sql @org/data\n/src/billing/generated/\n",
            ),
            ("src/auth/login.ts", "export {};\n"),
            ("src/billing/charge.ts", "export {};\n"),
            ("src/billing/generated/client.ts", "export {};\n"),
            (
                "supabase/migrations/1_init.sql",
                "create table t (id int);\n",
            ),
            ("src/app.ts", "export {};\n"),
        ],
    )?;
    assert_eq!(
        list(&ev, "deploy.codeowners-sensitive-unowned"),
        ["payments (2 of 2 files without an owner, e.g. src/billing/charge.ts)"]
    );
    let detail = ev.facts["deploy.codeowners-sensitive-unowned"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(
        detail.contains("authentication (1 files), database migrations (1 files)"),
        "{detail}"
    );
    // A catch-all owner covers every area: nothing is listed.
    let all = collect(
        None,
        &[
            (".github/CODEOWNERS", "* @org/core\n"),
            ("src/auth/login.ts", "export {};\n"),
        ],
    )?;
    assert!(list(&all, "deploy.codeowners-sensitive-unowned").is_empty());
    Ok(())
}

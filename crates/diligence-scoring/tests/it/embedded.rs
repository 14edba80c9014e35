use std::collections::BTreeSet;

use diligence_model::ControlStatus;
use diligence_scoring::{DEFAULT_FRAMEWORK, EMBEDDED, Error, Subject, embedded};

use crate::common::{builtin_catalog, evidence};

#[test]
fn embedded_frameworks_validate_against_the_history_catalog() -> anyhow::Result<()> {
    assert_eq!(EMBEDDED[0].0, DEFAULT_FRAMEWORK);
    for (id, _) in EMBEDDED {
        let framework = embedded(id, &builtin_catalog())?;
        let info = framework.info();
        assert_eq!(info.id, *id);
        assert_eq!(info.source, "embedded");
        assert!(!info.version.is_empty() && !info.title.is_empty());
    }
    Ok(())
}

#[test]
fn default_framework_has_the_design_sections_and_gate() -> anyhow::Result<()> {
    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    assert!(
        framework.warnings().is_empty(),
        "the default framework uses current fact names and contexts: {:?}",
        framework.warnings()
    );
    let sections: Vec<&str> = framework.sections().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        sections,
        [
            "secrets-and-surface",
            "identity-and-authorisation",
            "data-handling",
            "observability-and-limits",
            "change-control",
            "cross-cutting",
        ]
    );
    let gate = framework.gate();
    assert_eq!(
        (gate.min_overall, gate.min_section, gate.min_coverage),
        (80, 50, 70)
    );
    assert!(!framework.assumptions().is_empty());
    let ids: BTreeSet<&str> = framework.controls().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        framework.controls().len(),
        "control ids are unique"
    );
    for required in [
        "secrets-and-surface.no-committed-env-files",
        "change-control.review-gate",
        "change-control.key-person-continuity",
        "cross-cutting.auditability",
        "cross-cutting.tenant-isolation",
        "cross-cutting.dependencies-advisory-free",
    ] {
        assert!(ids.contains(required), "{required} is missing");
    }
    // The history answers the env-file control through its rule.
    let env = framework
        .control("secrets-and-surface.no-committed-env-files")
        .expect("control exists");
    assert!(
        matches!(&env.checks[0].subject, Subject::Rule { pattern, .. } if pattern == "git.env-file-committed")
    );
    Ok(())
}

#[test]
fn without_evidence_every_control_is_a_question() -> anyhow::Result<()> {
    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let scoring = framework.evaluate(&[], &[]);
    assert!(
        scoring
            .controls
            .iter()
            .all(|c| c.status == ControlStatus::NotEvidenced)
    );
    assert_eq!(scoring.questions.len(), framework.controls().len());
    assert_eq!(scoring.scores.overall, None);
    assert_eq!(scoring.scores.coverage, 0);
    // Empty git evidence: the env-file rule has no findings, so it passes.
    let scoring = framework.evaluate(&[evidence("git")], &[]);
    let env = scoring
        .controls
        .iter()
        .find(|c| c.id.as_str() == "secrets-and-surface.no-committed-env-files")
        .expect("control exists");
    assert_eq!(env.status, ControlStatus::Pass);
    Ok(())
}

#[test]
fn unknown_embedded_id_is_an_error() {
    let err = embedded("nope", &builtin_catalog()).expect_err("unknown id");
    assert!(matches!(err, Error::UnknownFramework { .. }));
    assert!(err.to_string().contains("production-readiness"));
}

#[test]
fn missing_catalog_entries_fail_the_embedded_framework() {
    let err = embedded(DEFAULT_FRAMEWORK, &diligence_model::Catalog::default())
        .expect_err("facts are unknown");
    let problems = err.problems();
    assert!(!problems.is_empty());
    assert!(
        problems
            .iter()
            .all(|p| p.source == "scoring/production-readiness.toml")
    );
    assert!(
        problems
            .iter()
            .any(|p| p.message == "unknown fact `git.review.share`")
    );
}

#[test]
fn model_spending_questions_are_asked_only_of_targets_that_call_models() -> anyhow::Result<()> {
    use diligence_model::{Fact, Unit};

    use crate::common::{evidence, with_fact};

    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let question = |ai: &[&str]| {
        let deps = with_fact(
            evidence("deps"),
            "deps.packages",
            Fact::count(40, Unit::Count),
        );
        let deps = with_fact(
            deps,
            "deps.services.ai",
            Fact::list(ai.iter().map(|s| (*s).to_owned())),
        );
        let scoring = framework.evaluate(&[deps], &[]);
        scoring
            .questions
            .iter()
            .find(|q| q.control.as_str() == "observability-and-limits.spending-caps")
            .map(|q| (q.text.clone(), q.evidence.clone()))
            .expect("a spending question")
    };
    let (with_models, evidence_cited) = question(&["Anthropic", "OpenAI"]);
    assert_eq!(
        with_models,
        "Which spending caps or billing alerts are set on Anthropic and OpenAI and on the cloud accounts, and at what amounts?"
    );
    assert_eq!(evidence_cited, vec!["fact deps.services.ai"]);
    let (without, _) = question(&[]);
    assert!(
        !without.contains("AI") && !without.contains("model"),
        "{without}"
    );
    assert!(without.contains("spending caps"), "{without}");
    Ok(())
}

#[test]
fn deletion_asks_what_purges_soft_deleted_rows() -> anyhow::Result<()> {
    use diligence_model::Fact;

    use crate::common::{evidence, with_fact};

    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let ask = |facts: &[(&str, &[&str])]| {
        let mut source = evidence("source");
        for (name, values) in facts {
            source = with_fact(
                source,
                name,
                Fact::list(values.iter().map(|v| (*v).to_owned())),
            );
        }
        framework
            .evaluate(&[source], &[])
            .questions
            .iter()
            .find(|q| q.control.as_str() == "data-handling.deletion-complete")
            .map(|q| q.text.clone())
            .expect("a deletion question")
    };
    let both = ask(&[
        ("source.deletion-paths", &["app/api/account/route.ts:12"]),
        ("source.soft-delete", &["Project"]),
    ]);
    assert!(
        both.contains("app/api/account/route.ts:12") && both.contains("Project only mark rows"),
        "{both}"
    );
    let soft_only = ask(&[
        ("source.deletion-paths", &[]),
        ("source.soft-delete", &["Project"]),
    ]);
    assert!(
        soft_only.starts_with("No account-deletion code was found, and Project"),
        "{soft_only}"
    );
    let hard_only = ask(&[
        ("source.deletion-paths", &["app/api/account/route.ts:12"]),
        ("source.soft-delete", &[]),
    ]);
    assert!(!hard_only.contains("mark rows"), "{hard_only}");
    Ok(())
}

#[test]
fn per_user_tables_evidence_tenant_isolation() -> anyhow::Result<()> {
    use diligence_model::{Fact, Unit};

    use crate::common::{evidence, with_fact};

    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let id = "cross-cutting.tenant-isolation";
    let run = |open: usize, without_rls: usize| {
        let source = with_fact(
            with_fact(
                with_fact(
                    with_fact(
                        evidence("source"),
                        "source.db.tables",
                        Fact::count(3, Unit::Count),
                    ),
                    "source.db.tables.without-rls",
                    Fact::count(without_rls, Unit::Count),
                ),
                "source.db.user-tables",
                Fact::list(["public.notes (user_id)".to_owned()]),
            ),
            "source.db.user-unenforced",
            Fact::count(open, Unit::Count),
        );
        let scoring = framework.evaluate(&[source], &[]);
        let status = scoring
            .controls
            .iter()
            .find(|c| c.id.as_str() == id)
            .map(|c| c.status)
            .expect("the control");
        let question = scoring
            .questions
            .iter()
            .find(|q| q.control.as_str() == id)
            .map(|q| q.text.clone());
        (status, question)
    };
    assert_eq!(run(0, 0).0, ControlStatus::Pass);
    assert_eq!(run(0, 1).0, ControlStatus::Partial);
    let (status, question) = run(1, 0);
    assert_eq!(status, ControlStatus::Fail);
    let question = question.expect("a question");
    assert!(
        question
            .starts_with("1 of the tables whose rows belong to one user (public.notes (user_id))"),
        "{question}"
    );
    Ok(())
}

#[test]
fn a_self_updatable_role_fails_data_layer_access_control() -> anyhow::Result<()> {
    use diligence_model::{Confidence, Fact, Severity, Unit};

    use crate::common::{evidence, finding, with_fact};

    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let status = |severity: Severity| {
        let mut source = with_fact(
            with_fact(
                evidence("source"),
                "source.db.tables",
                Fact::count(2, Unit::Count),
            ),
            "source.db.tables.without-rls",
            Fact::count(0, Unit::Count),
        );
        source.findings = vec![finding(
            "source.db.self-update-privileged-column",
            severity,
            Confidence::Medium,
            "supabase/migrations/1_init.sql",
        )];
        framework
            .evaluate(&[source], &[])
            .controls
            .iter()
            .find(|c| c.id.as_str() == "cross-cutting.data-layer-access-control")
            .map(|c| c.status)
            .expect("the control")
    };
    assert_eq!(status(Severity::Critical), ControlStatus::Fail);
    assert_eq!(status(Severity::High), ControlStatus::Partial);
    Ok(())
}

#[test]
fn a_self_granted_role_fails_server_side_authorisation_beside_guarded_routes() -> anyhow::Result<()>
{
    use diligence_model::{Confidence, Fact, Severity, Unit};

    use crate::common::{evidence, finding, with_fact};

    let framework = embedded(DEFAULT_FRAMEWORK, &builtin_catalog())?;
    let status = |findings: Vec<diligence_model::Finding>| {
        let mut source = with_fact(
            with_fact(
                with_fact(
                    evidence("source"),
                    "source.db.tables",
                    Fact::count(2, Unit::Count),
                ),
                "source.routes",
                Fact::count(4, Unit::Count),
            ),
            "source.not-analysed",
            Fact::list(Vec::<String>::new()),
        );
        source.findings = findings;
        framework
            .evaluate(&[source], &[])
            .controls
            .iter()
            .find(|c| c.id.as_str() == "identity-and-authorisation.server-side-authorisation")
            .map(|c| c.status)
            .expect("the control")
    };
    let migration = "supabase/migrations/1_init.sql";
    assert_eq!(status(vec![]), ControlStatus::Pass);
    assert_eq!(
        status(vec![finding(
            "source.db.self-update-privileged-column",
            Severity::Critical,
            Confidence::Medium,
            migration,
        )]),
        ControlStatus::Fail
    );
    assert_eq!(
        status(vec![finding(
            "source.db.self-update-privileged-column",
            Severity::High,
            Confidence::Medium,
            migration,
        )]),
        ControlStatus::Pass
    );
    assert_eq!(
        status(vec![finding(
            "source.db.signup-role-from-metadata",
            Severity::Critical,
            Confidence::High,
            migration,
        )]),
        ControlStatus::Fail
    );
    Ok(())
}

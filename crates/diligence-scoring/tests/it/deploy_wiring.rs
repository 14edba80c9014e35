//! The default framework on deployment evidence: infrastructure, platform
//! and container files feed the controls they evidence, and no control
//! passes on a file kind the repository does not have.

use diligence_model::{Confidence, ControlStatus, Evidence, Fact, Finding, Severity, Unit};
use diligence_scoring::{DEFAULT_FRAMEWORK, Framework, Scoring, embedded};

use crate::common::{HEADER, builtin_catalog, evidence, finding, parse, with_fact};

fn framework() -> Framework {
    embedded(DEFAULT_FRAMEWORK, &builtin_catalog()).expect("the default framework loads")
}

fn list(values: &[&str]) -> Fact {
    Fact::list(values.iter().map(|v| (*v).to_owned()))
}

/// Deploy evidence with the given list facts and findings.
fn deploy(facts: &[(&str, &[&str])], findings: Vec<Finding>) -> Evidence {
    let mut ev = evidence("deploy");
    for (name, values) in facts {
        ev = with_fact(ev, name, list(values));
    }
    ev.findings = findings;
    ev
}

fn status(scoring: &Scoring, id: &str) -> ControlStatus {
    scoring
        .controls
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("control {id}"))
        .status
}

fn question(scoring: &Scoring, id: &str) -> Option<String> {
    scoring
        .questions
        .iter()
        .find(|q| q.control.as_str() == id)
        .map(|q| q.text.clone())
}

fn high(rule: &str, path: &str) -> Finding {
    finding(rule, Severity::High, Confidence::High, path)
}

#[test]
fn at_best_partial_turns_a_met_check_into_partial_and_keeps_a_failure() {
    let framework = parse(&format!(
        r#"{HEADER}
[remediation]
assumptions = ["One engineer."]

[[section]]
id = "a"
title = "A"

[[control]]
id = "a.backups"
section = "a"
title = "Backups"
weight = 1
question = "Backups?"
remediation = {{ title = "Fix", effort = [1, 1] }}
[[control.check]]
rule = "t.leak"
at-best = "partial"
"#
    ));
    let none = evidence("t");
    let scoring = framework.evaluate(&[none], &[]);
    assert_eq!(status(&scoring, "a.backups"), ControlStatus::Partial);
    assert!(
        scoring.controls[0]
            .rationale
            .iter()
            .any(|r| r.contains("partial at best")),
        "{:?}",
        scoring.controls[0].rationale
    );
    let mut one = evidence("t");
    one.findings = vec![high("t.leak", "src/a.rs")];
    let scoring = framework.evaluate(&[one], &[]);
    assert_eq!(status(&scoring, "a.backups"), ControlStatus::Fail);
}

#[test]
fn backups_fail_when_turned_off_and_are_partial_at_best_otherwise() {
    let framework = framework();
    let id = "data-handling.backups-restorable";
    let dbs: &[&str] = &["aws_db_instance.main: 7 days"];

    let on = framework.evaluate(&[deploy(&[("deploy.database-backups", dbs)], vec![])], &[]);
    assert_eq!(status(&on, id), ControlStatus::Partial);
    let asked = question(&on, id).expect("a question");
    assert!(asked.contains("aws_db_instance.main: 7 days"), "{asked}");

    let off = framework.evaluate(
        &[deploy(
            &[("deploy.database-backups", dbs)],
            vec![high("deploy.tf-db-no-backups", "infra/db.tf")],
        )],
        &[],
    );
    assert_eq!(status(&off, id), ControlStatus::Fail);
    assert!(
        question(&off, id)
            .expect("a question")
            .contains("infra/db.tf")
    );

    // The low "provider default" finding does not fail it.
    let default = framework.evaluate(
        &[deploy(
            &[("deploy.database-backups", dbs)],
            vec![finding(
                "deploy.tf-db-no-backups",
                Severity::Low,
                Confidence::Medium,
                "infra/db.tf",
            )],
        )],
        &[],
    );
    assert_eq!(status(&default, id), ControlStatus::Partial);

    // No database in infrastructure code: a question, never a pass.
    let none = framework.evaluate(&[deploy(&[("deploy.backups", &[])], vec![])], &[]);
    assert_eq!(status(&none, id), ControlStatus::NotEvidenced);
}

#[test]
fn budgets_in_infrastructure_code_pass_spending_caps_unless_ai_providers_are_left_out() {
    let framework = framework();
    let id = "observability-and-limits.spending-caps";
    let budget: &[&str] = &["aws_budgets_budget.monthly (infra/billing.tf)"];

    let with = framework.evaluate(&[deploy(&[("deploy.budgets", budget)], vec![])], &[]);
    assert_eq!(status(&with, id), ControlStatus::Pass);

    let none = framework.evaluate(&[deploy(&[("deploy.budgets", &[])], vec![])], &[]);
    assert_eq!(status(&none, id), ControlStatus::Partial);
    assert!(
        question(&none, id)
            .expect("a question")
            .contains("declares no budget"),
    );

    let deps = with_fact(
        with_fact(
            evidence("deps"),
            "deps.packages",
            Fact::count(10, Unit::Count),
        ),
        "deps.services.ai",
        list(&["OpenAI"]),
    );
    let ai = framework.evaluate(&[deploy(&[("deploy.budgets", budget)], vec![]), deps], &[]);
    assert_eq!(status(&ai, id), ControlStatus::Partial);
    let asked = question(&ai, id).expect("a question");
    assert!(
        asked.contains("OpenAI") && asked.contains("aws_budgets_budget.monthly"),
        "{asked}"
    );

    // No infrastructure code: not evidenced.
    let absent = framework.evaluate(&[deploy(&[], vec![])], &[]);
    assert_eq!(status(&absent, id), ControlStatus::NotEvidenced);
}

#[test]
fn a_database_reachable_from_the_internet_fails_deny_by_default() {
    let framework = framework();
    let id = "secrets-and-surface.database-deny-by-default";
    let dbs: &[&str] = &["aws_db_instance.main: 7 days"];

    let private = framework.evaluate(
        &[deploy(
            &[
                ("deploy.database-backups", dbs),
                ("deploy.public-databases", &[]),
            ],
            vec![],
        )],
        &[],
    );
    assert_eq!(status(&private, id), ControlStatus::Pass);

    let public = framework.evaluate(
        &[deploy(
            &[
                ("deploy.database-backups", dbs),
                (
                    "deploy.public-databases",
                    &["aws_db_instance.main (infra/db.tf:3; publicly_accessible = true)"],
                ),
            ],
            vec![],
        )],
        &[],
    );
    assert_eq!(status(&public, id), ControlStatus::Fail);
    assert!(
        public
            .questions
            .iter()
            .any(|q| q.control.as_str() == id && q.text.contains("aws_db_instance.main")),
    );

    // A Render database open to every address only lowers what others show.
    let render = vec![finding(
        "deploy.platform-db-open",
        Severity::Medium,
        Confidence::High,
        "render.yaml",
    )];
    let alone = framework.evaluate(&[deploy(&[], render.clone())], &[]);
    assert_eq!(status(&alone, id), ControlStatus::NotEvidenced);
    let lowered = framework.evaluate(
        &[deploy(
            &[
                ("deploy.database-backups", dbs),
                ("deploy.public-databases", &[]),
                ("deploy.platform-configs", &["render.yaml (render)"]),
            ],
            render,
        )],
        &[],
    );
    assert_eq!(status(&lowered, id), ControlStatus::Partial);
}

#[test]
fn platform_cors_headers_feed_the_explicit_cors_control() {
    let framework = framework();
    let id = "secrets-and-surface.explicit-cors";
    let listed = framework.evaluate(
        &[deploy(
            &[(
                "deploy.platform-cors",
                &["https://app.example.com (vercel.json on /api/(.*))"],
            )],
            vec![],
        )],
        &[],
    );
    assert_eq!(status(&listed, id), ControlStatus::Pass);
    let wildcard = framework.evaluate(
        &[deploy(
            &[("deploy.platform-cors", &["* (vercel.json on /api/(.*))"])],
            vec![finding(
                "deploy.platform-cors-wildcard",
                Severity::Medium,
                Confidence::High,
                "vercel.json",
            )],
        )],
        &[],
    );
    assert_eq!(status(&wildcard, id), ControlStatus::Partial);
    assert!(
        question(&wildcard, id)
            .expect("a question")
            .contains("vercel.json")
    );
    // No CORS header anywhere: same-origin only, not evidenced.
    let none = framework.evaluate(&[deploy(&[("deploy.platform-cors", &[])], vec![])], &[]);
    assert_eq!(status(&none, id), ControlStatus::NotEvidenced);
}

#[test]
fn containers_are_judged_only_when_the_repository_ships_them() {
    let framework = framework();
    let id = "secrets-and-surface.containers-unprivileged";
    let specs: &[&str] = &["Dockerfile", "k8s/deploy.yaml"];

    let none = framework.evaluate(&[deploy(&[("deploy.container-specs", &[])], vec![])], &[]);
    assert_eq!(status(&none, id), ControlStatus::NotEvidenced);

    let clean = framework.evaluate(&[deploy(&[("deploy.container-specs", specs)], vec![])], &[]);
    assert_eq!(status(&clean, id), ControlStatus::Pass);

    let root = framework.evaluate(
        &[deploy(
            &[("deploy.container-specs", specs)],
            vec![finding(
                "deploy.docker-root-user",
                Severity::Medium,
                Confidence::High,
                "Dockerfile",
            )],
        )],
        &[],
    );
    assert_eq!(status(&root, id), ControlStatus::Partial);
    assert!(
        question(&root, id)
            .expect("a question")
            .contains("Dockerfile")
    );

    let privileged = framework.evaluate(
        &[deploy(
            &[("deploy.container-specs", specs)],
            vec![high("deploy.kube-privileged", "k8s/deploy.yaml")],
        )],
        &[],
    );
    assert_eq!(status(&privileged, id), ControlStatus::Fail);

    // A chart whose templates were not rendered is never a full pass.
    let chart = framework.evaluate(
        &[deploy(
            &[
                ("deploy.container-specs", &["charts/app (app 1.0.0)"]),
                (
                    "deploy.kube-templates-not-analysed",
                    &["charts/app/templates/ (4 files)"],
                ),
            ],
            vec![],
        )],
        &[],
    );
    assert_eq!(status(&chart, id), ControlStatus::Partial);
    assert!(
        question(&chart, id)
            .expect("a question")
            .contains("charts/app/templates/")
    );
}

#[test]
fn a_browser_prefixed_paid_key_in_an_env_template_fails_server_side_calls() {
    let framework = framework();
    let id = "secrets-and-surface.server-side-api-calls";
    let source = with_fact(
        evidence("source"),
        "source.client-files",
        list(&["src/App.tsx"]),
    );
    let template = vec![finding(
        "deploy.env-client-secret-name",
        Severity::Medium,
        Confidence::Medium,
        ".env.example",
    )];
    let with_client = framework.evaluate(&[source.clone(), deploy(&[], template.clone())], &[]);
    assert_eq!(status(&with_client, id), ControlStatus::Fail);
    let clean = framework.evaluate(&[source, deploy(&[], vec![])], &[]);
    assert_eq!(status(&clean, id), ControlStatus::Pass);
    // Without browser code read, the template alone does not decide it.
    let alone = framework.evaluate(&[deploy(&[], template)], &[]);
    assert_eq!(status(&alone, id), ControlStatus::NotEvidenced);
}

#[test]
fn secret_values_in_deployment_files_lower_secret_hygiene() {
    let framework = framework();
    let id = "cross-cutting.secret-hygiene";
    let secrets = with_fact(
        with_fact(
            evidence("secrets"),
            "secrets.generic",
            Fact::count(0, Unit::Count),
        ),
        "secrets.findings.medium",
        Fact::count(0, Unit::Count),
    );
    let clean = framework.evaluate(
        &[
            secrets.clone(),
            deploy(&[("deploy.container-specs", &["k8s/secret.yaml"])], vec![]),
        ],
        &[],
    );
    assert_eq!(status(&clean, id), ControlStatus::Pass);
    let manifest = framework.evaluate(
        &[
            secrets,
            deploy(
                &[("deploy.container-specs", &["k8s/secret.yaml"])],
                vec![finding(
                    "deploy.kube-secret-manifest",
                    Severity::Medium,
                    Confidence::Medium,
                    "k8s/secret.yaml",
                )],
            ),
        ],
        &[],
    );
    assert_eq!(status(&manifest, id), ControlStatus::Partial);
}

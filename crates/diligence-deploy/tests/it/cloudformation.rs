//! CloudFormation, SAM and serverless.yml: the `deploy.cfn-*` and
//! `deploy.lambda-*` rules on templates that must be flagged and on
//! look-alikes that must not; the functions and infrastructure facts.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits, list};

type Hit = (String, u32, Severity, Confidence);

fn at(path: &str, line: u32, severity: Severity, confidence: Confidence) -> Hit {
    (path.to_owned(), line, severity, confidence)
}

#[test]
fn flags_templates_and_serverless_files() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let ev = collect(Some("cloudformation/flag"), &[])?;
    assert_eq!(
        list(&ev, "deploy.cloudformation-templates"),
        ["infra/db.json", "template.yaml (SAM)"]
    );
    assert_eq!(
        hits(&ev, "deploy.cfn-public-bucket"),
        [
            at("serverless.yml", 28, High, H),
            at("template.yaml", 28, Medium, H),
            at("template.yaml", 28, Medium, H),
            at("template.yaml", 38, Medium, H),
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.cfn-open-ingress"),
        [
            at("infra/db.json", 12, High, H),
            at("template.yaml", 49, High, H)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.cfn-public-database"),
        [at("infra/db.json", 4, High, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.lambda-endpoint-no-auth"),
        [
            at("serverless.yml", 10, Low, M),
            at("template.yaml", 13, Low, M)
        ]
    );
    let messages: Vec<&str> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deploy.lambda-endpoint-no-auth")
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages[0].starts_with(
            "2 HTTP endpoints have no authorizer or API key: list (GET notes), hook (POST /hooks/stripe);"
        ),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with("Endpoint OrdersFunction (GET /orders) has no authorizer"),
        "{}",
        messages[1]
    );
    assert_eq!(
        hits(&ev, "deploy.lambda-url-public"),
        [
            at("serverless.yml", 24, Medium, H),
            at("template.yaml", 25, Medium, H)
        ]
    );
    assert_eq!(
        list(&ev, "deploy.functions"),
        [
            "OrdersFunction (template.yaml): GET /orders [no auth], POST /orders [auth], function URL [no auth]",
            "create (serverless.yml): POST notes [auth]",
            "hook (serverless.yml): POST /hooks/stripe [no auth], function URL [no auth]",
            "list (serverless.yml): GET notes [no auth]",
        ]
    );
    assert_eq!(
        list(&ev, "deploy.public-databases"),
        ["Database (AWS::RDS::DBInstance) (infra/db.json:4; PubliclyAccessible: true)"]
    );
    assert_eq!(
        list(&ev, "deploy.database-backups"),
        ["Database (AWS::RDS::DBInstance): off (BackupRetentionPeriod: 0)"]
    );
    assert_eq!(list(&ev, "deploy.budgets"), Vec::<String>::new());
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("cloudformation/clean"), &[])?;
    let found: Vec<String> = ev
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.rule, f.location, f.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        list(&ev, "deploy.cloudformation-templates"),
        ["template.yaml (SAM)"]
    );
    assert_eq!(
        list(&ev, "deploy.functions"),
        [
            "OrdersFunction (template.yaml): GET /orders [auth], function URL [auth]",
            "Worker (template.yaml): no HTTP endpoint",
            "create (serverless.yml): POST notes [auth], function URL [auth]",
            "list (serverless.yml): GET notes [auth]",
            "nightly (serverless.yml): no HTTP endpoint",
        ]
    );
    assert_eq!(
        list(&ev, "deploy.budgets"),
        ["Budget (AWS::Budgets::Budget) (template.yaml)"]
    );
    assert_eq!(
        list(&ev, "deploy.database-backups"),
        ["Database (AWS::RDS::DBInstance): 14 days"]
    );
    assert_eq!(list(&ev, "deploy.public-databases"), Vec::<String>::new());
    Ok(())
}

#[test]
fn malformed_template_is_reported() -> anyhow::Result<()> {
    let ev = collect(
        None,
        &[
            (
                "template.yaml",
                "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  A: [\n",
            ),
            ("serverless.yml", "service: x\nfunctions: {\n"),
        ],
    )?;
    let malformed = hits(&ev, "deploy.config-malformed");
    assert_eq!(malformed.len(), 2, "{malformed:?}");
    assert!(malformed.iter().all(|m| m.1 > 0), "{malformed:?}");
    Ok(())
}

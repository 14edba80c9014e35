//! Terraform: every `deploy.tf-*` rule on resources that must be flagged,
//! and on look-alikes that must not; the infrastructure facts; malformed
//! files.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits, list, rules};

type Hit = (String, u32, Severity, Confidence);

fn at(path: &str, line: u32, severity: Severity, confidence: Confidence) -> Hit {
    (path.to_owned(), line, severity, confidence)
}

fn messages(ev: &diligence_model::Evidence, rule: &str) -> Vec<String> {
    ev.findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn flags_terraform_practices() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let ev = collect(Some("terraform/flag"), &[])?;
    assert_eq!(
        list(&ev, "deploy.terraform-files"),
        ["data.tf", "iam.tf", "main.tf", "variables.tf"]
    );
    assert_eq!(
        list(&ev, "deploy.terraform-resources"),
        ["aws: 19", "azurerm: 2", "google: 3"]
    );
    assert_eq!(
        hits(&ev, "deploy.tf-public-bucket"),
        [
            at("iam.tf", 58, Medium, H),
            at("iam.tf", 63, High, H),
            at("main.tf", 1, Medium, H),
            at("main.tf", 6, High, H),
            at("main.tf", 11, Medium, H),
            at("main.tf", 19, Medium, H),
            at("main.tf", 25, Medium, H),
        ]
    );
    let buckets = messages(&ev, "deploy.tf-public-bucket");
    assert!(
        buckets[0].contains("aws_s3_bucket_policy.site allows everyone"),
        "{}",
        buckets[0]
    );
    assert_eq!(
        hits(&ev, "deploy.lambda-url-public"),
        [at("iam.tf", 75, Medium, H)]
    );
    assert!(buckets[2].starts_with("aws_s3_bucket.site sets the ACL public-read"));
    assert!(buckets[4].contains("block_public_policy, restrict_public_buckets = false"));
    assert!(buckets[5].contains("allUsers"));
    assert_eq!(
        hits(&ev, "deploy.tf-open-ingress"),
        [
            at("main.tf", 30, High, H),
            at("main.tf", 48, High, H),
            at("main.tf", 57, High, H),
            at("main.tf", 63, High, H),
            at("main.tf", 74, High, H),
            at("main.tf", 85, High, H),
            at("main.tf", 100, High, M),
        ]
    );
    let ingress = messages(&ev, "deploy.tf-open-ingress");
    assert!(ingress[0].contains("aws_security_group.bastion") && ingress[0].contains("SSH (22)"));
    assert!(!ingress[0].contains("443"), "{}", ingress[0]);
    assert!(ingress[1].contains("::/0") && ingress[1].contains("PostgreSQL (5432)"));
    assert!(ingress[2].contains("all ports"));
    assert!(ingress[4].contains("RDP (3389)"));
    assert!(
        ingress[5].contains(
            "ports 0-8888, which include SSH (22), Telnet (23), RDP (3389), WinRM (5985) and 10 more"
        ),
        "{}",
        ingress[5]
    );

    assert_eq!(
        hits(&ev, "deploy.tf-public-database"),
        [
            at("data.tf", 1, High, M),
            at("data.tf", 14, High, H),
            at("data.tf", 44, High, H),
        ]
    );
    assert!(messages(&ev, "deploy.tf-public-database")[0].contains("var.db_public"));
    assert_eq!(
        hits(&ev, "deploy.tf-db-no-backups"),
        [
            at("data.tf", 1, High, H),
            at("data.tf", 9, Low, M),
            at("data.tf", 14, High, H),
            at("data.tf", 44, High, H),
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.tf-db-no-deletion-protection"),
        [
            at("data.tf", 1, Low, M),
            at("data.tf", 9, Low, M),
            at("data.tf", 39, Low, M),
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.tf-unencrypted-storage"),
        [
            at("data.tf", 1, Medium, H),
            at("data.tf", 9, Medium, M),
            at("data.tf", 34, Medium, M),
            at("data.tf", 39, Medium, M),
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.tf-iam-wildcard"),
        [
            at("iam.tf", 1, High, H),
            at("iam.tf", 13, High, H),
            at("iam.tf", 30, High, H),
            at("iam.tf", 37, High, H),
        ]
    );

    assert_eq!(list(&ev, "deploy.budgets"), Vec::<String>::new());
    assert_eq!(
        list(&ev, "deploy.database-backups"),
        [
            "aws_db_instance.main: off (backup_retention_period = 0)",
            "aws_db_instance.reports: not set (AWS default: 1 day)",
            "aws_docdb_cluster.documents: 1 day",
            "google_sql_database_instance.pg: off (backup_configuration.enabled = false)",
            "module.legacy_db: off (backup_retention_period = 0)",
        ]
    );
    assert_eq!(
        list(&ev, "deploy.public-databases"),
        [
            "aws_db_instance.main (data.tf:1; publicly_accessible = true)",
            "google_sql_database_instance.pg (data.tf:14; authorised network 0.0.0.0/0)",
            "module.legacy_db (data.tf:44; publicly_accessible = true)",
        ]
    );
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("terraform/clean"), &[])?;
    let found: Vec<String> = ev
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.rule, f.location, f.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(list(&ev, "deploy.terraform-files"), ["main.tf"]);
    let detail = ev.facts["deploy.terraform-files"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(
        detail.contains("2 file(s) under tests, examples"),
        "{detail}"
    );
    assert_eq!(
        list(&ev, "deploy.budgets"),
        ["aws_budgets_budget.monthly (main.tf)"]
    );
    assert_eq!(
        list(&ev, "deploy.database-backups"),
        [
            "aws_db_instance.configured: unknown (var.retention)",
            "aws_db_instance.main: 14 days",
            "aws_db_instance.replica: not set (replica or restore)",
            "google_sql_database_instance.pg: on (7 backups kept by default)",
            "module.db: 7 days",
        ]
    );
    assert_eq!(list(&ev, "deploy.public-databases"), Vec::<String>::new());
    Ok(())
}

#[test]
fn no_terraform_records_no_infrastructure_facts() -> anyhow::Result<()> {
    let ev = collect(None, &[("README.md", "# app\n")])?;
    assert_eq!(list(&ev, "deploy.terraform-files"), Vec::<String>::new());
    assert_eq!(
        list(&ev, "deploy.cloudformation-templates"),
        Vec::<String>::new()
    );
    for name in [
        "deploy.budgets",
        "deploy.functions",
        "deploy.database-backups",
        "deploy.public-databases",
        "deploy.terraform-resources",
    ] {
        assert!(!ev.facts.contains_key(name), "{name}");
    }
    Ok(())
}

#[test]
fn malformed_terraform_is_reported_and_the_scan_goes_on() -> anyhow::Result<()> {
    let broken = "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"private\"\n  tags = {\n}\n";
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let ev = collect(
        None,
        &[
            ("infra/broken.tf", broken),
            ("infra/deep.tf", &deep),
            (
                "infra/ok.tf",
                "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
            ),
            ("infra/stack.tf.json", "{}"),
        ],
    )?;
    let malformed = hits(&ev, "deploy.config-malformed");
    assert_eq!(malformed.len(), 2, "{malformed:?}");
    assert_eq!(malformed[0].0, "infra/broken.tf");
    assert!(malformed[0].1 >= 4, "{malformed:?}");
    assert_eq!(malformed[1].0, "infra/deep.tf");
    let message = &messages(&ev, "deploy.config-malformed")[0];
    assert!(message.contains("column"), "{message}");
    assert_eq!(hits(&ev, "deploy.tf-public-bucket").len(), 1);
    assert!(rules(&ev).contains(&"deploy.tf-public-bucket".to_owned()));
    let detail = ev.facts["deploy.terraform-files"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(
        detail.contains("1 `.tf.json` file(s) are not analysed"),
        "{detail}"
    );
    Ok(())
}

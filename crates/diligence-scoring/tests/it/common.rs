//! Shared helpers: the history collector's catalog, evidence builders.

use diligence_model::{
    Catalog, CollectorFailure, CollectorId, Confidence, Evidence, Fact, FactName, FailureKind,
    Finding, Location, RuleId, Severity,
};
use diligence_scoring::Framework;

/// The catalog of every built-in collector, as the facade builds it (built
/// once: the secret rules compile on first use).
pub(crate) fn builtin_catalog() -> Catalog {
    use diligence_collect::Collector;
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let mut catalog = diligence_history::History::catalog();
            catalog.merge(diligence_deps::DepsCollector.catalog());
            catalog.merge(diligence_coverage::TestsCollector.catalog());
            catalog.merge(diligence_deploy::DeployCollector.catalog());
            catalog.merge(diligence_secrets::SecretsCollector::new().catalog());
            catalog.merge(diligence_source::catalog());
            catalog
        })
        .clone()
}

/// The git catalog plus a small test collector `t` with a few facts and rules.
pub(crate) fn test_catalog() -> Catalog {
    let mut catalog = builtin_catalog();
    for fact in [
        "t.ratio",
        "t.count",
        "t.flag",
        "t.list",
        "t.applies",
        "t.text",
    ] {
        catalog.fact(fact, "test fact").expect("valid fact name");
    }
    for rule in ["t.leak", "t.leak-other", "u.thing"] {
        catalog.rule(rule, "test rule").expect("valid rule id");
    }
    catalog
}

pub(crate) fn parse(text: &str) -> Framework {
    Framework::parse(text, "test.toml", &test_catalog()).expect("framework is valid")
}

pub(crate) fn evidence(collector: &str) -> Evidence {
    Evidence::new(CollectorId::new(collector).expect("valid collector id"))
}

pub(crate) fn with_fact(mut evidence: Evidence, name: &str, fact: Fact) -> Evidence {
    evidence.set_fact(FactName::new(name).expect("valid fact name"), fact);
    evidence
}

pub(crate) fn finding(
    rule: &str,
    severity: Severity,
    confidence: Confidence,
    path: &str,
) -> Finding {
    Finding::builder(
        RuleId::new(rule).expect("valid rule id"),
        severity,
        confidence,
    )
    .message("found")
    .location(Location::file(path))
    .build()
    .expect("complete finding")
}

pub(crate) fn failure(collector: &str, message: &str) -> CollectorFailure {
    CollectorFailure {
        collector: CollectorId::new(collector).expect("valid collector id"),
        kind: FailureKind::Failed,
        message: message.to_owned(),
    }
}

/// A framework header with the default gate; append sections and controls.
pub(crate) const HEADER: &str = r#"
[framework]
id = "test"
version = "1"
title = "Test"

[gate]
min-overall = 80
min-section = 50
min-coverage = 70
"#;

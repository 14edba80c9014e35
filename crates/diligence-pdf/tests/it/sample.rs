//! Assessments for tests and the benchmark: a real scan of a fixture
//! repository with synthetic findings added, among them a secret whose
//! value must never reach any output.

use diligence_model::{
    Assessment, CommitRef, Confidence, Effort, Evidence, Excerpt, Finding, Location, Redacted,
    RuleId, Severity, Timestamp,
};

/// A secret-shaped value, assembled at run time so that no scanner flags
/// this file.
pub(crate) fn secret() -> String {
    ["sk", "_live_", "51HsQ", "x9vZ", "Qw3rTy", "UiOp7788"].concat()
}

/// The basic fixture, scanned with a fixed reference date.
pub(crate) fn basic() -> Assessment {
    let repo = diligence_testkit::fixture_repo("basic");
    diligence::Scan::new(&repo)
        .jobs(1)
        .as_of(Timestamp::from_ymd(2024, 6, 30))
        .run()
        .expect("the basic fixture scans")
}

/// `base` with `count` synthetic findings from a `synthetic` collector:
/// every severity, long paths, history commits, and one redacted secret.
pub(crate) fn with_findings(mut base: Assessment, count: usize) -> Assessment {
    let collector = diligence_model::CollectorId::new("synthetic").expect("valid id");
    let mut evidence = Evidence::new(collector);
    let severities = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    for i in 0..count {
        let severity = severities[i % severities.len()];
        let rule = RuleId::new(format!("synthetic.rule-number-{}", i % 17)).expect("valid id");
        let path = format!(
            "services/very-long-service-name-{}/src/handlers/authentication_and_authorisation_module_{i}.ts",
            i % 9
        );
        let mut builder = Finding::builder(rule, severity, Confidence::Medium)
            .message(format!(
                "Synthetic finding {i}: a token is compared without constant time"
            ))
            .effort(Effort::new(5, 20).expect("valid range"));
        let mut location = Location::line(path, u32::try_from(i % 400 + 1).unwrap_or(1));
        if i % 3 == 0 {
            location.commit = Some(CommitRef {
                id: format!("{:040x}", i * 7919 + 1),
                author: Some("Dana Example".to_owned()),
                date: Some(Timestamp::from_ymd(2023, 5, 4)),
            });
            location.at_head = Some(i % 2 == 0);
        }
        builder = builder.location(location);
        builder = if i == 0 {
            builder.excerpt(Excerpt::Redacted {
                secret: Redacted::new(&secret(), "fp-0001"),
            })
        } else {
            builder.plain_excerpt("if (token == expected) { return next(); }")
        };
        evidence
            .findings
            .push(builder.build().expect("valid finding"));
    }
    evidence.normalise();
    base.evidence.push(evidence);
    base
}

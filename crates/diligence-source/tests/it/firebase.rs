//! Firebase security rules.

use diligence_model::{Confidence, FactValue, Severity};
use diligence_source::firebase::{Access, classify_condition};

use crate::evidence_of;

/// A finding as (rule, path, line, severity, confidence).
type Row = (String, String, u32, Severity, Confidence);

fn findings(name: &str) -> anyhow::Result<Vec<Row>> {
    let evidence = evidence_of(name)?;
    Ok(evidence
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str().to_owned(),
                f.location.path.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect())
}

#[test]
fn open_test_mode_and_any_user_rules_are_flagged_at_their_line() -> anyhow::Result<()> {
    let found = findings("firebase/open")?;
    let expected = [
        (
            "source.firebase-rules-open",
            "database.rules.json",
            3,
            Severity::Critical,
            Confidence::High,
        ),
        (
            "source.firebase-rules-any-user",
            "database.rules.json",
            4,
            Severity::Medium,
            Confidence::High,
        ),
        (
            "source.firebase-rules-open",
            "firestore.rules",
            6,
            Severity::High,
            Confidence::Medium,
        ),
        (
            "source.firebase-rules-any-user",
            "firestore.rules",
            7,
            Severity::Medium,
            Confidence::Medium,
        ),
        (
            "source.firebase-rules-test-mode",
            "firestore.rules",
            10,
            Severity::High,
            Confidence::High,
        ),
        (
            "source.firebase-rules-open",
            "firestore.rules",
            13,
            Severity::Critical,
            Confidence::High,
        ),
        (
            "source.firebase-rules-any-user",
            "storage.rules",
            5,
            Severity::Medium,
            Confidence::High,
        ),
    ];
    let mut found = found;
    found.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let found: Vec<(&str, &str, u32, Severity, Confidence)> = found
        .iter()
        .map(|(r, p, l, s, c)| (r.as_str(), p.as_str(), *l, *s, *c))
        .collect();
    assert_eq!(found, expected);
    Ok(())
}

#[test]
fn owner_checks_and_closed_rules_are_not_flagged() -> anyhow::Result<()> {
    assert_eq!(findings("firebase/sound")?, []);
    let evidence = evidence_of("firebase/sound")?;
    let Some(FactValue::List { values }) = evidence
        .facts
        .get("source.firebase.rules")
        .map(|f| f.value.clone())
    else {
        panic!("no rules fact");
    };
    assert_eq!(
        values,
        [
            "Cloud Firestore (firestore.rules)",
            "Cloud Storage (storage.rules)",
            "Realtime Database (database.rules.json)",
        ]
    );
    Ok(())
}

#[test]
fn conditions_are_classified_from_their_text() {
    assert_eq!(classify_condition("true"), Access::Everyone);
    assert_eq!(classify_condition(""), Access::Everyone);
    assert_eq!(classify_condition("false"), Access::Narrower);
    assert_eq!(
        classify_condition("request.time < timestamp.date(2025, 3, 1)"),
        Access::EveryoneUntil("2025,3,1".to_owned())
    );
    assert_eq!(
        classify_condition("request.auth != null"),
        Access::AnySignedIn
    );
    assert_eq!(classify_condition("auth != null"), Access::AnySignedIn);
    for narrower in [
        "request.auth != null && request.auth.uid == userId",
        "request.auth.uid == resource.data.ownerId",
        "$uid === auth.uid",
        "request.auth.token.admin == true",
        "isOwner(userId)",
        "request.auth != null && request.time < timestamp.date(2025, 1, 1) && get(/databases/$(database)/documents/admins/$(request.auth.uid)).data.active",
    ] {
        assert_eq!(classify_condition(narrower), Access::Narrower, "{narrower}");
    }
}

#[test]
fn malformed_rules_are_reported_not_passed() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    std::fs::write(
        temp.path().join("firestore.rules"),
        "service cloud.firestore {\n  match /databases/{database}/documents {\n    allow read: if true;\n",
    )?;
    std::fs::write(temp.path().join("database.rules.json"), "{ \"rules\": ")?;
    let deep = format!(
        "service cloud.firestore {{\n{}\n{}\n}}",
        "match /a {\n".repeat(100),
        "}\n".repeat(100)
    );
    std::fs::create_dir_all(temp.path().join("deep"))?;
    std::fs::write(temp.path().join("deep/firestore.rules"), deep)?;
    let mut evidence = crate::model_of(temp.path())?.evidence();
    evidence.normalise();
    let failed: Vec<&str> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "source.parse-failed")
        .filter_map(|f| f.location.path.as_deref())
        .collect();
    assert_eq!(
        failed,
        [
            "database.rules.json",
            "deep/firestore.rules",
            "firestore.rules"
        ]
    );
    assert!(
        evidence
            .findings
            .iter()
            .all(|f| f.rule.as_str() == "source.parse-failed")
    );
    Ok(())
}

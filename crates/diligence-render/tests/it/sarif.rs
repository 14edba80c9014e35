//! SARIF output, checked against the structure the SARIF 2.1.0 schema
//! requires of what we emit (the official schema cannot be fetched in our
//! build; each check names the schema rule it mirrors).

use std::collections::BTreeSet;

use diligence_render::sarif::{FINGERPRINT_KEY, sarif};
use serde_json::Value;

use crate::fixtures;

const LEVELS: &[&str] = &["none", "note", "warning", "error"];
const SUPPRESSION_KINDS: &[&str] = &["inSource", "external"];
const SUPPRESSION_STATUSES: &[&str] = &["accepted", "underReview", "rejected"];

fn is_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty())
}

/// The required properties and value constraints of the SARIF 2.1.0
/// schema for the objects we write.
fn validate(log: &Value) -> Result<(), String> {
    let fail = |what: &str| Err(what.to_owned());
    // sarifLog: required version (const "2.1.0") and runs (array).
    if log["version"] != "2.1.0" {
        return fail("sarifLog.version must be 2.1.0");
    }
    let Some(runs) = log["runs"].as_array() else {
        return fail("sarifLog.runs must be an array");
    };
    for run in runs {
        // run: required tool; tool: required driver; toolComponent: required name.
        let driver = &run["tool"]["driver"];
        if !is_string(&driver["name"]) {
            return fail("toolComponent.name is required");
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        let mut ids = BTreeSet::new();
        for rule in &rules {
            // reportingDescriptor: required id; unique ids within a driver.
            let Some(id) = rule["id"].as_str() else {
                return fail("reportingDescriptor.id is required");
            };
            if !ids.insert(id.to_owned()) {
                return Err(format!("duplicate rule id {id}"));
            }
            // multiformatMessageString: required text.
            for key in ["shortDescription", "help"] {
                if !is_string(&rule[key]["text"]) {
                    return Err(format!("{key}.text is required for {id}"));
                }
            }
            let level = rule["defaultConfiguration"]["level"]
                .as_str()
                .unwrap_or("warning");
            if !LEVELS.contains(&level) {
                return Err(format!("invalid default level {level}"));
            }
        }
        if let Some(kind) = run.get("columnKind")
            && !["utf16CodeUnits", "unicodeCodePoints"].contains(&kind.as_str().unwrap_or(""))
        {
            return fail("invalid columnKind");
        }
        for p in run["versionControlProvenance"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            // versionControlDetails: required repositoryUri (format uri).
            if !p["repositoryUri"]
                .as_str()
                .is_some_and(|u| u.contains("://"))
            {
                return fail("versionControlDetails.repositoryUri must be an absolute URI");
            }
        }
        let Some(results) = run["results"].as_array() else {
            return fail("run.results must be an array when present");
        };
        for r in results {
            // result: required message; message: text or id.
            if !is_string(&r["message"]["text"]) {
                return fail("result.message.text is required");
            }
            let level = r["level"].as_str().unwrap_or("warning");
            if !LEVELS.contains(&level) {
                return Err(format!("invalid level {level}"));
            }
            // ruleIndex: integer >= -1, and it must point at the rule named by ruleId.
            if let Some(i) = r["ruleIndex"].as_u64() {
                let i = usize::try_from(i).map_err(|e| e.to_string())?;
                if rules.get(i).map(|rule| &rule["id"]) != Some(&r["ruleId"]) {
                    return fail("ruleIndex does not match ruleId");
                }
            }
            for loc in r["locations"].as_array().cloned().unwrap_or_default() {
                let physical = &loc["physicalLocation"];
                // artifactLocation.uri: format uri-reference (no spaces, no backslashes).
                let uri = physical["artifactLocation"]["uri"].as_str().unwrap_or("");
                if uri.is_empty() || uri.contains([' ', '\\']) {
                    return Err(format!("invalid artifact uri {uri:?}"));
                }
                // region: startLine minimum 1, endLine >= startLine.
                if let Some(region) = physical.get("region") {
                    let start = region["startLine"].as_u64().unwrap_or(0);
                    if start < 1 {
                        return fail("region.startLine must be at least 1");
                    }
                    if region["endLine"].as_u64().is_some_and(|end| end < start) {
                        return fail("region.endLine before startLine");
                    }
                }
            }
            // partialFingerprints: an object of strings.
            let fps = r["partialFingerprints"]
                .as_object()
                .ok_or("partialFingerprints must be an object")?;
            if !fps.values().all(is_string) {
                return fail("partialFingerprints values must be strings");
            }
            for s in r["suppressions"].as_array().cloned().unwrap_or_default() {
                // suppression: required kind; status from its enum.
                if !SUPPRESSION_KINDS.contains(&s["kind"].as_str().unwrap_or("")) {
                    return fail("invalid suppression kind");
                }
                if !SUPPRESSION_STATUSES.contains(&s["status"].as_str().unwrap_or("accepted")) {
                    return fail("invalid suppression status");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_fixture_gives_valid_sarif_without_secrets() -> anyhow::Result<()> {
    for (name, assessment) in fixtures::all() {
        let text = sarif(&assessment)?;
        let log: Value = serde_json::from_str(&text)?;
        validate(&log).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        assert!(
            !text.contains(&fixtures::secret_value()),
            "{name}: secret in SARIF"
        );
        let findings: usize = assessment.evidence.iter().map(|e| e.findings.len()).sum();
        assert_eq!(
            log["runs"][0]["results"].as_array().map(Vec::len),
            Some(findings)
        );
    }
    Ok(())
}

#[test]
fn fingerprints_and_locations_come_from_the_findings() -> anyhow::Result<()> {
    let assessment = fixtures::realistic();
    let log: Value = serde_json::from_str(&sarif(&assessment)?)?;
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fingerprints: BTreeSet<&str> = results
        .iter()
        .filter_map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str())
        .collect();
    let expected: BTreeSet<&str> = assessment
        .evidence
        .iter()
        .flat_map(|e| &e.findings)
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(fingerprints, expected);
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["commit"].is_string())
    );
    // Same assessment, same bytes: fingerprints are stable across renders.
    assert_eq!(sarif(&assessment)?, sarif(&assessment)?);
    Ok(())
}

#[test]
fn accepted_findings_are_suppressed_until_the_acceptance_expires() -> anyhow::Result<()> {
    let mut assessment = fixtures::realistic();
    let fp = assessment
        .evidence
        .iter()
        .flat_map(|e| &e.findings)
        .map(|f| f.fingerprint.clone())
        .next()
        .expect("the fixture has findings");
    let acceptance = |expired| diligence_model::Acceptance {
        fingerprint: fp.clone(),
        reason: "Sandbox only".to_owned(),
        owner: "CTO".to_owned(),
        expires: diligence_model::Timestamp::from_ymd(2025, 12, 31),
        expired,
        matched: true,
    };
    let suppressed = |a: &diligence_model::Assessment| -> anyhow::Result<usize> {
        let log: Value = serde_json::from_str(&sarif(a)?)?;
        Ok(log["runs"][0]["results"].as_array().map_or(0, |r| {
            r.iter().filter(|r| r["suppressions"].is_array()).count()
        }))
    };
    assessment.annotations = Some(diligence_model::Annotations {
        acceptances: vec![acceptance(false)],
        ..Default::default()
    });
    assert_eq!(suppressed(&assessment)?, 1);
    assessment.annotations = Some(diligence_model::Annotations {
        acceptances: vec![acceptance(true)],
        ..Default::default()
    });
    assert_eq!(suppressed(&assessment)?, 0);
    Ok(())
}

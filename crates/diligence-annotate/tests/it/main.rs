//! Integration tests of annotations, baselines and the diff.

use diligence_annotate::{
    AnnotationsFile, baseline_of, diff, load_assessment, merge, parse_baseline, write_baseline,
};
use diligence_model::{Assessment, ControlStatus, ReportMeta};

/// A small assessment: one control, findings with the given fingerprints
/// and severities, a reference date of 2024-06-30.
fn assessment(findings: &[(&str, &str)], status: &str, score: u32) -> Assessment {
    let findings: Vec<serde_json::Value> = findings
        .iter()
        .enumerate()
        .map(|(i, (fp, severity))| {
            serde_json::json!({
                "rule": "secrets.generic-key",
                "severity": severity,
                "confidence": "high",
                "message": format!("finding {i}"),
                "location": {"path": "src/app.ts", "line": i + 1},
                "fingerprint": fp,
            })
        })
        .collect();
    let json = serde_json::json!({
        "schema_version": 1,
        "tool": {"name": "diligence", "version": "0.1.0"},
        "target": {"name": "demo", "vcs": {"head": "0123456789abcdef0123456789abcdef01234567", "detached": false, "shallow": false, "bare": false}},
        "framework": {"id": "production-readiness", "version": "1.0.0", "title": "Production readiness", "source": "embedded"},
        "options": {"collectors": ["secrets"], "as_of": "2024-06-30T00:00:00Z"},
        "evidence": [{"collector": "secrets", "findings": findings}],
        "controls": [{
            "id": "secrets-and-surface.no-secrets-in-code", "section": "secrets-and-surface",
            "title": "No credentials in the current code", "status": status, "critical": true,
            "weight": 5, "rationale": [], "evidence": [], "partial_evidence": false
        }],
        "scores": {"overall": score, "coverage": 100, "sections": [{
            "id": "secrets-and-surface", "title": "Secrets and surface", "score": score, "coverage": 100,
            "counts": {"pass": 0, "partial": 0, "fail": 1, "not_evidenced": 0, "not_applicable": 0}
        }]},
        "gate": {"verdict": "prototype", "reasons": []},
        "remediation": {"items": [], "total": {"low_tenths": 0, "high_tenths": 0}, "assumptions": []},
        "questions": []
    });
    serde_json::from_value(json).expect("valid assessment")
}

const ANNOTATIONS: &str = r#"
[report]
client = "Example Capital"
prepared_by = "Example Advisory"

[[finding]]
fingerprint = "aaaa"
comment = "Test key for the staging sandbox."

[[control]]
id = "secrets-and-surface.no-secrets-in-code"
comment = "Keys rotated on 2024-06-01."

[[accept]]
fingerprint = "aaaa"
reason = "Sandbox key with no access to production data."
owner = "CTO"
expires = "2024-06-30"

[[accept]]
fingerprint = "bbbb"
reason = "Rotation scheduled."
owner = "CTO"
expires = "2024-06-29"

[[override]]
control = "secrets-and-surface.no-secrets-in-code"
status = "partial"
justification = "Only sandbox keys remain."
"#;

#[test]
fn acceptances_expire_at_the_reference_date() -> anyhow::Result<()> {
    let mut a = assessment(&[("aaaa", "high"), ("bbbb", "critical")], "fail", 0);
    let file = AnnotationsFile::parse(ANNOTATIONS)?;
    merge(&mut a, Some(&file), None, &ReportMeta::default())?;
    let notes = a.annotations.as_ref().expect("merged");
    // Expires on the reference date itself: still in force.
    assert!(notes.is_accepted("aaaa"));
    // Expired the day before: counts again.
    assert!(!notes.is_accepted("bbbb"));
    assert!(notes.acceptances.iter().all(|x| x.matched));
    let o = &notes.overrides[0];
    assert_eq!(
        (o.original, o.status),
        (ControlStatus::Fail, ControlStatus::Partial)
    );
    // The evidence and scores are untouched.
    assert_eq!(a.controls[0].status, ControlStatus::Fail);
    assert_eq!(a.evidence[0].findings.len(), 2);
    Ok(())
}

#[test]
fn command_line_metadata_wins_over_the_file() -> anyhow::Result<()> {
    let mut a = assessment(&[], "pass", 100);
    let file = AnnotationsFile::parse(ANNOTATIONS)?;
    let meta = ReportMeta {
        client: Some("Other Fund".to_owned()),
        ..ReportMeta::default()
    };
    merge(&mut a, Some(&file), None, &meta)?;
    let m = &a.annotations.as_ref().expect("merged").meta;
    assert_eq!(m.client.as_deref(), Some("Other Fund"));
    assert_eq!(m.prepared_by.as_deref(), Some("Example Advisory"));
    Ok(())
}

#[test]
fn invalid_files_are_rejected_with_the_entry() {
    let missing =
        "[[accept]]\nfingerprint = \"x\"\nreason = \"\"\nowner = \"o\"\nexpires = \"2024-01-01\"\n";
    let error = AnnotationsFile::parse(missing).expect_err("empty reason");
    assert!(error.to_string().contains("[[accept]] x"), "{error}");
    let unknown = "[[override]]\ncontrol = \"a.b\"\nstatus = \"great\"\njustification = \"j\"\n";
    assert!(AnnotationsFile::parse(unknown).is_err());
    let typo = "[report]\nclinet = \"x\"\n";
    assert!(AnnotationsFile::parse(typo).is_err());
    let unknown_control = "[[control]]\nid = \"secrets-and-surface.nope\"\ncomment = \"c\"\n";
    let file = AnnotationsFile::parse(unknown_control).expect("parses");
    let error = file
        .resolve(&assessment(&[], "pass", 100))
        .expect_err("unknown control");
    assert!(
        error.to_string().contains("secrets-and-surface.nope"),
        "{error}"
    );
}

#[test]
fn baselines_round_trip() -> anyhow::Result<()> {
    let a = assessment(&[("bbbb", "low"), ("aaaa", "high")], "fail", 0);
    let text = write_baseline(&baseline_of(&a))?;
    let back = parse_baseline(&text)?;
    assert_eq!(
        back.fingerprints.iter().collect::<Vec<_>>(),
        ["aaaa", "bbbb"]
    );
    let mut b = a.clone();
    merge(&mut b, None, Some(back), &ReportMeta::default())?;
    assert!(b.annotations.expect("merged").is_accepted("aaaa"));
    Ok(())
}

#[test]
fn newer_schemas_are_refused() {
    let mut value = serde_json::to_value(assessment(&[], "pass", 100)).expect("serialises");
    value["schema_version"] = 99.into();
    let error = load_assessment(&value.to_string()).expect_err("newer schema");
    assert!(error.to_string().contains("schema version 99"), "{error}");
    value["schema_version"] = 1.into();
    assert!(load_assessment(&value.to_string()).is_ok());
}

#[test]
fn diff_reports_fixed_new_and_movements() -> anyhow::Result<()> {
    let old = assessment(&[("aaaa", "high"), ("bbbb", "critical")], "fail", 0);
    let new = assessment(&[("bbbb", "critical"), ("cccc", "medium")], "pass", 100);
    let d = diff(&old, &new);
    assert_eq!(d.fixed.len(), 1);
    assert_eq!(d.fixed[0].fingerprint, "aaaa");
    assert_eq!(d.new_findings[0].fingerprint, "cccc");
    assert_eq!(d.unchanged[0].fingerprint, "bbbb");
    assert_eq!(d.statuses[0].status.old, "Fail");
    assert_eq!(d.statuses[0].status.new, "Pass");
    insta::assert_snapshot!("diff-markdown", d.markdown());
    let json: serde_json::Value = serde_json::from_str(&d.json()?)?;
    assert_eq!(json["overall"]["new"], 100);
    Ok(())
}

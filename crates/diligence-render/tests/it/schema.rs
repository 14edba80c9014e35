use std::path::PathBuf;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/assessment.schema.json")
}

/// The committed schema matches the model. `DILIGENCE_UPDATE_SCHEMA=1`
/// rewrites it.
#[test]
fn committed_schema_matches_the_model() -> anyhow::Result<()> {
    let generated = diligence_render::assessment_schema();
    let path = schema_path();
    if std::env::var_os("DILIGENCE_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated)?;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/schema/assessment.schema.json is out of date; rerun with DILIGENCE_UPDATE_SCHEMA=1"
    );
    Ok(())
}

#[test]
fn schema_describes_the_assessment() -> anyhow::Result<()> {
    let schema: serde_json::Value = serde_json::from_str(&diligence_render::assessment_schema())?;
    assert_eq!(schema["title"], "Assessment");
    let required = schema["required"]
        .as_array()
        .expect("required fields listed");
    for field in ["schema_version", "target", "controls", "scores", "gate"] {
        assert!(required.iter().any(|r| r == field), "{field} is required");
    }
    Ok(())
}

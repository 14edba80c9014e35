use std::path::PathBuf;

#[test]
fn committed_schema_matches_the_code() -> anyhow::Result<()> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/framework.schema.json");
    let generated = serde_json::to_string_pretty(&diligence_scoring::framework_schema())? + "\n";
    if std::env::var_os("DILIGENCE_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/schema/framework.schema.json is out of date; rerun with DILIGENCE_UPDATE_SCHEMA=1"
    );
    Ok(())
}

//! Every fact and rule id is documented.

#[test]
fn every_fact_and_rule_is_documented() -> anyhow::Result<()> {
    let docs = std::fs::read_to_string(crate::workspace_root().join("docs/collectors/deploy.md"))?;
    let catalog = diligence_deploy::DeployCollector::catalog();
    let ids = catalog
        .facts
        .keys()
        .map(|f| f.to_string())
        .chain(catalog.rules.keys().map(|r| r.to_string()));
    for id in ids {
        let anchor = format!("<a id=\"{}\"></a>**`{id}`**", id.replace('.', "-"));
        assert!(
            docs.contains(&anchor),
            "{id} has no entry in docs/collectors/deploy.md"
        );
    }
    Ok(())
}

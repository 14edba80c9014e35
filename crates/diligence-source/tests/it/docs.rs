//! Every fact and rule of the collector has an entry in its page.

#[test]
fn every_fact_and_rule_is_documented() -> anyhow::Result<()> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/collectors/source.md");
    let docs = std::fs::read_to_string(path)?;
    let catalog = diligence_source::catalog();
    let ids = catalog
        .facts
        .keys()
        .map(|f| f.to_string())
        .chain(catalog.rules.keys().map(|r| r.to_string()));
    for id in ids {
        assert!(
            id.starts_with("source."),
            "{id} does not start with the collector's id"
        );
        let anchor = format!("<a id=\"{}\"></a>**`{id}`**", id.replace('.', "-"));
        assert!(
            docs.contains(&anchor),
            "{id} has no entry in docs/collectors/source.md"
        );
    }
    Ok(())
}

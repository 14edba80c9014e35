use diligence_scoring::{EMBEDDED, embedded};

use crate::common::builtin_catalog;

const DOCS: &str = include_str!("../../../../docs/scoring.md");

#[test]
fn every_control_id_is_documented_with_an_anchor() -> anyhow::Result<()> {
    for (id, _) in EMBEDDED {
        let framework = embedded(id, &builtin_catalog())?;
        for control in framework.controls() {
            let heading = format!("\n### {}\n", control.id);
            assert!(
                DOCS.contains(&heading),
                "docs/scoring.md lacks a `### {}` heading",
                control.id
            );
        }
    }
    Ok(())
}

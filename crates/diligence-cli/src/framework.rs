//! `diligence frameworks list` and `diligence framework check`.

use anyhow::{Context, Result};
use diligence::scoring;

use crate::{exit, output};

pub(crate) fn list() -> Result<u8> {
    let catalog = diligence::catalog(&diligence::default_collectors());
    let mut lines = String::new();
    for (i, (id, _)) in scoring::EMBEDDED.iter().enumerate() {
        let framework = scoring::embedded(id, &catalog)
            .with_context(|| format!("the embedded framework `{id}` is invalid"))?;
        let info = framework.info();
        let default = if i == 0 { " (default)" } else { "" };
        lines.push_str(&format!(
            "{}\t{}\t{}{default}\n",
            info.id, info.version, info.title
        ));
    }
    output::stdout(&lines)?;
    Ok(exit::SUCCESS)
}

pub(crate) fn check(file: &std::path::Path) -> Result<u8> {
    let catalog = diligence::catalog(&diligence::default_collectors());
    match scoring::Framework::load(file, &catalog) {
        Ok(framework) => {
            let info = framework.info();
            let mut text = String::new();
            for warning in framework.warnings() {
                text.push_str(&format!("warning: {warning}\n"));
            }
            text.push_str(&format!(
                "{}: ok ({} {}, {} controls, {} warnings)\n",
                file.display(),
                info.id,
                info.version,
                framework.controls().len(),
                framework.warnings().len()
            ));
            output::stdout(&text)?;
            Ok(exit::SUCCESS)
        }
        Err(error) => {
            output::error(&anyhow::Error::new(error));
            Ok(exit::CHECK_FAILED)
        }
    }
}

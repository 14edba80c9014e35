//! `diligence rules check`: lint a folder of secret rules.

use std::path::Path;

use anyhow::{Context, Result};
use diligence::secrets::check_rules_dir;

use crate::{exit, output};

pub(crate) fn check(dir: &Path) -> Result<u8> {
    let report = check_rules_dir(dir)
        .with_context(|| format!("cannot read the rules in {}", dir.display()))?;
    let mut text = String::new();
    for problem in &report.errors {
        text.push_str(&format!("error: {problem}\n"));
    }
    for problem in &report.warnings {
        text.push_str(&format!("warning: {problem}\n"));
    }
    text.push_str(&format!(
        "{}: {} rules in {} files, {} errors, {} warnings\n",
        dir.display(),
        report.rules,
        report.files,
        report.errors.len(),
        report.warnings.len()
    ));
    output::stdout(&text)?;
    Ok(if report.is_ok() {
        exit::SUCCESS
    } else {
        exit::CHECK_FAILED
    })
}

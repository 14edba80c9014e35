//! Integration tests of the source model and the `source` evidence, on
//! the hand-written apps in `fixtures/source/`.

mod admin;
mod data_layer;
mod docs;
mod edge_functions;
mod express;
mod firebase;
mod hostile;
mod js_frameworks;
mod model;
mod nextjs;
mod observability;
mod personal;
mod public_routes;
mod python;
mod python_surface;
mod rust;
mod rust_routes;
mod schema;
mod speed;
mod surface;
mod tenant;

use std::path::{Path, PathBuf};

use diligence_model::{Evidence, Finding};
use diligence_source::{SourceFile, SourceModel};

/// A fixture app's folder.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/source")
        .join(name)
}

/// Every file under `root`, relative and `/`-separated, sorted.
fn list(root: &Path) -> anyhow::Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() {
                let relative = entry.path().strip_prefix(root)?.to_path_buf();
                let path = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((path, entry.metadata()?.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The model of a directory.
pub(crate) fn model_of(root: &Path) -> anyhow::Result<SourceModel> {
    let listed = list(root)?;
    let files: Vec<SourceFile<'_>> = listed
        .iter()
        .map(|(path, size)| SourceFile { path, size: *size })
        .collect();
    let read = |path: &str| std::fs::read(root.join(path));
    Ok(SourceModel::build(&files, &read))
}

/// The evidence of a fixture app.
pub(crate) fn evidence_of(name: &str) -> anyhow::Result<Evidence> {
    let mut evidence = model_of(&fixture(name))?.evidence();
    evidence.normalise();
    Ok(evidence)
}

/// The evidence of a small app written at test time: (path, text) pairs
/// in a temporary folder.
pub(crate) fn evidence_of_files(files: &[(&str, &str)]) -> anyhow::Result<Evidence> {
    let temp = tempfile::tempdir()?;
    for (path, text) in files {
        let path = temp.path().join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
    }
    let mut evidence = model_of(temp.path())?.evidence();
    evidence.normalise();
    Ok(evidence)
}

/// Findings of one rule, as (path, line, confidence).
pub(crate) fn found<'e>(
    evidence: &'e Evidence,
    rule: &str,
) -> Vec<(&'e str, Option<u32>, diligence_model::Confidence)> {
    evidence
        .findings
        .iter()
        .filter(|f: &&Finding| f.rule.as_str() == rule)
        .map(|f| {
            (
                f.location.path.as_deref().unwrap_or(""),
                f.location.line,
                f.confidence,
            )
        })
        .collect()
}

/// Findings other than the route rules, as (rule, path, line, severity,
/// confidence), sorted.
pub(crate) fn planted(
    evidence: &Evidence,
) -> Vec<(
    String,
    String,
    u32,
    diligence_model::Severity,
    diligence_model::Confidence,
)> {
    let mut out: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| {
            !matches!(
                f.rule.as_str(),
                "source.route-unguarded" | "source.webhook-unverified"
            )
        })
        .map(|f| {
            (
                f.rule.to_string(),
                f.location.path.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect();
    out.sort();
    out
}

//! Integration tests of the `deploy` collector: small trees copied from
//! `fixtures/deploy/` (or written by the test) into a temporary directory,
//! collected, and checked both ways.

mod cloudformation;
mod compose;
mod docker;
mod docs;
mod gha;
mod kube;
mod pipelines;
mod platform;
mod policy;
mod reference;
mod terraform;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use diligence_collect::{CollectContext, Collector, FileIndex, FileIndexOptions, Options, Target};
use diligence_deploy::DeployCollector;
use diligence_model::{Confidence, Evidence, FactValue, Finding, Severity};

/// The workspace root, from this crate's own manifest directory.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `fixtures/deploy/<name>`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    crate::workspace_root().join("fixtures/deploy").join(name)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Collects a copy of a fixture tree plus extra files (path, content).
pub(crate) fn collect(
    fixture_name: Option<&str>,
    extra: &[(&str, &str)],
) -> anyhow::Result<Evidence> {
    let dir = tempfile::tempdir()?;
    if let Some(name) = fixture_name {
        copy_dir(&fixture(name), dir.path())?;
    }
    for (path, content) in extra {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(full, content)?;
    }
    let target = Target::resolve(dir.path())?;
    let files = FileIndex::build(&target, &FileIndexOptions::default())?;
    let options = Options::default();
    let cancel = AtomicBool::new(false);
    let cx = CollectContext::new(&target, None, &files, &options, &|_| {}, &cancel);
    Ok(DeployCollector.collect(&cx)?)
}

pub(crate) fn value<'e>(ev: &'e Evidence, name: &str) -> &'e FactValue {
    &ev.facts
        .get(name)
        .unwrap_or_else(|| panic!("fact {name} is missing"))
        .value
}

pub(crate) fn boolean(ev: &Evidence, name: &str) -> bool {
    match value(ev, name) {
        FactValue::Bool { value } => *value,
        other => panic!("{name} is not a bool: {other:?}"),
    }
}

pub(crate) fn list(ev: &Evidence, name: &str) -> Vec<String> {
    match value(ev, name) {
        FactValue::List { values } => values.clone(),
        other => panic!("{name} is not a list: {other:?}"),
    }
}

/// Findings of one rule as (path, line, severity, confidence).
pub(crate) fn hits(ev: &Evidence, rule: &str) -> Vec<(String, u32, Severity, Confidence)> {
    ev.findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f: &Finding| {
            (
                f.location.path.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
                f.severity,
                f.confidence,
            )
        })
        .collect()
}

/// Rule ids of every finding, sorted and deduplicated.
pub(crate) fn rules(ev: &Evidence) -> Vec<String> {
    let mut r: Vec<String> = ev.findings.iter().map(|f| f.rule.to_string()).collect();
    r.sort();
    r.dedup();
    r
}

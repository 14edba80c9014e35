//! Integration tests of discovery, parsing, hygiene, licences and the
//! `deps` collector, on the fixtures in `fixtures/deps/` and on small trees
//! built at test time.

// Test helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod buyer;
mod collector;
mod fixtures;
mod hostile;

use std::collections::BTreeMap;
use std::path::Path;

use diligence_deps::{Analysis, FileRead, analyse};

/// Analyses in-memory files.
pub(crate) fn analyse_files(files: &[(&str, &str)]) -> Analysis {
    let map: BTreeMap<String, Vec<u8>> = files
        .iter()
        .map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec()))
        .collect();
    let paths: Vec<String> = map.keys().cloned().collect();
    analyse(&paths, &|p| match map.get(p) {
        Some(c) => FileRead::Content(c.clone()),
        None => FileRead::Failed("missing".into()),
    })
}

/// Analyses a directory, paths relative to it.
pub(crate) fn analyse_dir(root: &Path) -> Analysis {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    let mut paths = Vec::new();
    walk(root, root, &mut paths);
    analyse(&paths, &|p| match std::fs::read(root.join(p)) {
        Ok(c) => FileRead::Content(c),
        Err(e) => FileRead::Failed(e.to_string()),
    })
}

/// The fixtures directory.
pub(crate) fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deps")
}

/// Findings of one rule, as (path, message).
pub(crate) fn findings<'a>(a: &'a Analysis, rule: &str) -> Vec<(&'a str, &'a str)> {
    a.findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .map(|f| (f.location.path.as_deref().unwrap_or(""), f.message.as_str()))
        .collect()
}

//! Rust: `Cargo.toml` and `Cargo.lock`, read with in-house `toml` structs
//! (not the cargo-lock crate) so each package keeps its line number and a
//! malformed file reports toml's own line and column.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::{DepKind, FileKind, Manifest, ParsedFile, Requirement, package, toml_error};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};
use crate::text::{Lines, find_line, strip_credentials};

#[derive(Deserialize)]
struct RawLock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<RawLockPackage>,
}

#[derive(Deserialize)]
struct RawLockPackage {
    name: Spanned<String>,
    version: String,
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// The crates.io index, as old (git) and new (sparse) lockfiles name it.
fn is_crates_io(source: &str) -> bool {
    matches!(
        source.trim_end_matches('/'),
        "registry+https://github.com/rust-lang/crates.io-index" | "sparse+https://index.crates.io"
    )
}

pub(crate) fn lock_source(source: &str) -> Source {
    if is_crates_io(source) {
        return Source::Registry { url: None };
    }
    if let Some(rest) = source.strip_prefix("git+") {
        let (url, reference) = match rest.split_once('#') {
            Some((url, commit)) => (url, Some(commit.to_owned())),
            None => (rest, None),
        };
        let url = url.split('?').next().unwrap_or(url);
        return Source::Git {
            url: strip_credentials(url),
            reference,
        };
    }
    let url = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
        .unwrap_or(source);
    Source::Registry {
        url: Some(strip_credentials(url)),
    }
}

pub(super) fn parse_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawLock = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let lines = Lines::new(text);
    let mut parsed = ParsedFile::new(file, FileKind::CargoLock);
    parsed.format_version = Some(raw.version.unwrap_or(1).to_string());
    // Packages without a source are the workspace's own crates (and local
    // path dependencies); what they depend on is direct.
    let mut direct = BTreeSet::new();
    let mut members = 0;
    for p in raw.package.iter().filter(|p| p.source.is_none()) {
        members += 1;
        parsed.local.insert(p.name.get_ref().clone());
        for dep in &p.dependencies {
            direct.insert(dep.split(' ').next().unwrap_or(dep).to_owned());
        }
    }
    for p in &raw.package {
        // v1/v2 lockfiles write `name version source` where a name is ambiguous.
        parsed.resolved.insert(
            format!("{} {}", p.name.get_ref(), p.version),
            p.dependencies
                .iter()
                .map(|d| d.split(' ').next().unwrap_or(d).to_owned())
                .collect(),
        );
    }
    for p in &raw.package {
        let Some(source) = &p.source else { continue };
        let line = lines.line_of(p.name.span().start);
        let mut pkg = package(
            Ecosystem::CratesIo,
            p.name.get_ref(),
            &p.version,
            file,
            Some(line),
        );
        pkg.source = lock_source(source);
        if members > 0 {
            pkg.direct = Some(direct.contains(p.name.get_ref()));
        }
        parsed.packages.push(pkg);
    }
    parsed.direct_known = members > 0;
    Ok(parsed)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawManifest {
    package: Option<RawPackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    build_dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    target: BTreeMap<String, RawTarget>,
    workspace: Option<RawWorkspace>,
    #[serde(default)]
    bin: Vec<toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawTarget {
    #[serde(default)]
    dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    build_dependencies: BTreeMap<String, RawDep>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: Option<String>,
    license: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
struct RawWorkspace {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawDep>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDep {
    Version(String),
    Detailed(DetailedDep),
}

#[derive(Deserialize, Default)]
struct DetailedDep {
    version: Option<String>,
    git: Option<String>,
    branch: Option<String>,
    tag: Option<String>,
    rev: Option<String>,
    path: Option<String>,
    registry: Option<String>,
    #[serde(rename = "registry-index")]
    registry_index: Option<String>,
    package: Option<String>,
    #[serde(default)]
    workspace: bool,
    #[serde(default)]
    optional: bool,
}

fn requirement(key: &str, dep: &RawDep, kind: DepKind, text: &str) -> Requirement {
    let line = dependency_line(text, key);
    match dep {
        RawDep::Version(v) => Requirement {
            name: key.to_owned(),
            requirement: v.clone(),
            kind,
            source: Source::Registry { url: None },
            line,
        },
        RawDep::Detailed(d) => {
            let source = if let Some(git) = &d.git {
                Source::Git {
                    url: strip_credentials(git),
                    reference: d.rev.clone().or(d.tag.clone()).or(d.branch.clone()),
                }
            } else if let Some(path) = &d.path {
                Source::Path { path: path.clone() }
            } else {
                Source::Registry {
                    url: d
                        .registry_index
                        .as_deref()
                        .map(strip_credentials)
                        .or(d.registry.clone()),
                }
            };
            let kind = if d.optional && kind == DepKind::Normal {
                DepKind::Optional
            } else {
                kind
            };
            Requirement {
                name: d.package.clone().unwrap_or_else(|| key.to_owned()),
                requirement: match (&d.version, d.workspace) {
                    (Some(v), _) => v.clone(),
                    (None, true) => "workspace".to_owned(),
                    (None, false) => String::new(),
                },
                kind,
                source,
                line,
            }
        }
    }
}

/// The line declaring dependency `key`: `key = ...`, `key.workspace = ...`
/// or a `[...dependencies.key]` table header.
fn dependency_line(text: &str, key: &str) -> Option<u32> {
    let quoted = format!("\"{key}\"");
    find_line(text, 1, |l| {
        let rest = l
            .strip_prefix(key)
            .or_else(|| l.strip_prefix(quoted.as_str()));
        if let Some(rest) = rest {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with('.') {
                return true;
            }
        }
        l.starts_with('[')
            && l.trim_end_matches(']')
                .ends_with(&format!("dependencies.{key}"))
    })
}

pub(super) fn parse_manifest(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let mut manifest = Manifest {
        name: raw.package.as_ref().and_then(|p| p.name.clone()),
        license: raw
            .package
            .as_ref()
            .and_then(|p| p.license.as_ref())
            .and_then(|l| l.as_str().map(str::to_owned)),
        application: !raw.bin.is_empty(),
        ..Manifest::default()
    };
    let mut add = |deps: &BTreeMap<String, RawDep>, kind| {
        for (key, dep) in deps {
            manifest
                .dependencies
                .push(requirement(key, dep, kind, text));
        }
    };
    add(&raw.dependencies, DepKind::Normal);
    add(&raw.dev_dependencies, DepKind::Dev);
    add(&raw.build_dependencies, DepKind::Build);
    for target in raw.target.values() {
        add(&target.dependencies, DepKind::Normal);
        add(&target.dev_dependencies, DepKind::Dev);
        add(&target.build_dependencies, DepKind::Build);
    }
    if let Some(ws) = &raw.workspace {
        manifest.workspace_members = ws.members.clone();
        // Workspace dependencies are declarations members inherit; they are
        // checked for pinning and sources like any other.
        add(&ws.dependencies, DepKind::Normal);
    }
    manifest.dependencies.sort();
    manifest.dependencies.dedup();
    let mut parsed = ParsedFile::new(file, FileKind::CargoToml);
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde",
 "mycrate",
]

[[package]]
name = "serde"
version = "1.0.210"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "c8e3592472072e6e22e0a54d5904d9febf8508f65fb8552499a1abc7d1078c3a"
dependencies = [
 "serde_derive",
]

[[package]]
name = "serde_derive"
version = "1.0.210"
source = "sparse+https://index.crates.io/"

[[package]]
name = "mycrate"
version = "0.3.0"
source = "git+https://github.com/acme/mycrate?branch=main#0123456789abcdef"
"#;

    #[test]
    fn lock_packages_sources_lines_and_direct() {
        let parsed = parse_lock("Cargo.lock", LOCK).unwrap();
        assert_eq!(parsed.format_version.as_deref(), Some("4"));
        assert!(parsed.direct_known);
        let names: Vec<_> = parsed.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["serde", "serde_derive", "mycrate"]);
        let serde = &parsed.packages[0];
        assert_eq!(serde.line, Some(13));
        assert_eq!(serde.direct, Some(true));
        assert_eq!(parsed.packages[1].direct, Some(false));
        assert_eq!(parsed.packages[1].source, Source::Registry { url: None });
        assert_eq!(
            parsed.packages[2].source,
            Source::Git {
                url: "https://github.com/acme/mycrate".into(),
                reference: Some("0123456789abcdef".into())
            }
        );
    }

    #[test]
    fn malformed_lock_names_line() {
        let err = parse_lock("Cargo.lock", "[[package]]\nname = \"a\"\nversion = \n").unwrap_err();
        assert_eq!(err.file, "Cargo.lock");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("Cargo.lock:3:"), "{err}");
    }

    #[test]
    fn manifest_dependencies() {
        let text = r#"[package]
name = "app"
license = "MIT OR Apache-2.0"

[dependencies]
serde = { version = "1", features = ["derive"] }
anything = "*"
mine = { git = "https://github.com/acme/mine", tag = "v1" }
local = { path = "../local" }
renamed = { package = "real-name", version = "0.2", registry = "corp" }

[dev-dependencies.insta]
version = "1.40"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[[bin]]
name = "app"
"#;
        let parsed = parse_manifest("Cargo.toml", text).unwrap();
        let m = parsed.manifest.unwrap();
        assert_eq!(m.name.as_deref(), Some("app"));
        assert_eq!(m.license.as_deref(), Some("MIT OR Apache-2.0"));
        assert!(m.application);
        let find = |n: &str| m.dependencies.iter().find(|d| d.name == n).unwrap();
        assert_eq!(find("anything").requirement, "*");
        assert_eq!(find("anything").line, Some(7));
        assert!(matches!(find("mine").source, Source::Git { .. }));
        assert!(matches!(find("local").source, Source::Path { .. }));
        assert_eq!(
            find("real-name").source,
            Source::Registry {
                url: Some("corp".into())
            }
        );
        assert_eq!(find("insta").kind, DepKind::Dev);
        assert_eq!(find("insta").line, Some(12));
        assert_eq!(find("libc").kind, DepKind::Normal);
    }
}

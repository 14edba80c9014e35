//! JavaScript: `pnpm-lock.yaml`, lockfile versions 5.x, 6 and 9, with
//! in-house structs read through serde-saphyr under an explicit budget.
//! Version 9 keeps one `packages:` entry per name and version (peer
//! variants moved to `snapshots:`), earlier versions key packages by path.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

use super::{FileKind, ParsedFile, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};
use crate::text::strip_credentials;

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(f64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DepRef {
    Version(String),
    Detailed { version: String },
}

impl DepRef {
    fn version(&self) -> &str {
        match self {
            Self::Version(v) | Self::Detailed { version: v } => v,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawImporter {
    #[serde(default)]
    dependencies: BTreeMap<String, DepRef>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, DepRef>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, DepRef>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawResolution {
    tarball: Option<String>,
    repo: Option<String>,
    commit: Option<String>,
    directory: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawPackage {
    name: Option<String>,
    version: Option<String>,
    resolution: Option<RawResolution>,
    dev: Option<bool>,
    #[serde(default)]
    requires_build: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLock {
    lockfile_version: Option<Scalar>,
    #[serde(default)]
    importers: BTreeMap<String, RawImporter>,
    #[serde(flatten)]
    root: RawImporter,
    #[serde(default)]
    packages: BTreeMap<String, RawPackage>,
}

/// The YAML budget for lockfiles: generous for real monorepo lockfiles,
/// small enough that an alias bomb or deep nesting stops early.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 64;
    budget.max_events = 20_000_000;
    budget.max_nodes = 8_000_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 100_000;
    serde_saphyr::options! {
        budget: Some(budget),
        strict_booleans: true,
    }
}

/// Strips peer-dependency suffixes: `1.0.0(react@18.2.0)` (v6+) and
/// `1.0.0_react@18.2.0` (v5).
fn base_version(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    v.split('_').next().unwrap_or(v)
}

/// `/@scope/name@1.0.0(peer)` (v6), `@scope/name@1.0.0` (v9) or
/// `/@scope/name/1.0.0_peer` (v5) → name and version.
fn split_key(key: &str, v5: bool) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split('(').next().unwrap_or(k);
    if v5 {
        let k = k.split('_').next().unwrap_or(k);
        let (name, version) = k.rsplit_once('/')?;
        return Some((name.to_owned(), version.to_owned()));
    }
    let at = k.get(1..)?.find('@')? + 1;
    Some((k[..at].to_owned(), k[at + 1..].to_owned()))
}

/// The line of each key directly under the top-level `packages:` mapping.
fn package_key_lines(text: &str) -> HashMap<String, u32> {
    let mut map = HashMap::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == "packages:";
            continue;
        }
        if inside && line.starts_with("  ") && !line.starts_with("   ") {
            let key = line.trim().trim_end_matches(':');
            let key = key.trim_matches(|c| c == '\'' || c == '"');
            map.insert(key.to_owned(), u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    map
}

pub(super) fn parse(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawLock = serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| {
                (
                    u32::try_from(l.line()).unwrap_or(u32::MAX),
                    u32::try_from(l.column()).unwrap_or(u32::MAX),
                )
            })
            .unwrap_or((0, 0));
        let message = e.to_string();
        let message = message.lines().next().unwrap_or(&message).to_owned();
        ParseError::at(file, line, column, message)
    })?;
    let mut parsed = ParsedFile::new(file, FileKind::PnpmLock);
    let version = match &raw.lockfile_version {
        Some(Scalar::Text(t)) => t.clone(),
        Some(Scalar::Number(n)) => n.to_string(),
        None => String::new(),
    };
    let v5 = version.starts_with('5');
    parsed.format_version = (!version.is_empty()).then_some(version);

    let mut importers: Vec<&RawImporter> = raw.importers.values().collect();
    importers.push(&raw.root);
    let mut direct: BTreeSet<(String, String)> = BTreeSet::new();
    let mut direct_dev: BTreeSet<(String, String)> = BTreeSet::new();
    for importer in importers {
        for (deps, dev) in [
            (&importer.dependencies, false),
            (&importer.optional_dependencies, false),
            (&importer.dev_dependencies, true),
        ] {
            for (name, dep) in deps {
                let key = (name.clone(), base_version(dep.version()).to_owned());
                if dev {
                    direct_dev.insert(key.clone());
                }
                direct.insert(key);
            }
        }
    }
    let lines = package_key_lines(text);
    for (key, entry) in &raw.packages {
        let Some((key_name, key_version)) = split_key(key, v5) else {
            continue;
        };
        let name = entry.name.clone().unwrap_or(key_name);
        let version = entry.version.clone().unwrap_or(key_version);
        let version = base_version(&version).to_owned();
        let mut pkg = package(
            Ecosystem::Npm,
            &name,
            &version,
            file,
            lines.get(key.as_str()).copied(),
        );
        let id = (name.clone(), version.clone());
        pkg.direct = Some(direct.contains(&id));
        pkg.dev = entry
            .dev
            .or_else(|| direct_dev.contains(&id).then_some(true));
        pkg.install_script = entry.requires_build;
        if let Some(res) = &entry.resolution {
            if let Some(repo) = &res.repo {
                pkg.source = Source::Git {
                    url: strip_credentials(repo),
                    reference: res.commit.clone(),
                };
            } else if let Some(tarball) = &res.tarball {
                pkg.source = super::npm::resolved_source(tarball);
                if matches!(pkg.source, Source::Registry { url: None })
                    && tarball.starts_with("file:")
                {
                    pkg.source = Source::Path {
                        path: tarball.clone(),
                    };
                }
            } else if let Some(dir) = &res.directory {
                pkg.source = Source::Path { path: dir.clone() };
            }
        }
        parsed.packages.push(pkg);
    }
    parsed.direct_known = true;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v9() {
        let text = r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true

importers:

  .:
    dependencies:
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

packages:

  react-dom@18.2.0:
    resolution: {integrity: sha512-abc}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-def}

  typescript@5.4.5:
    resolution: {integrity: sha512-ghi}
    hasBin: true

  mylib@https://codeload.github.com/acme/mylib/tar.gz/abc123:
    resolution: {tarball: https://codeload.github.com/acme/mylib/tar.gz/abc123}
    version: 1.0.0

snapshots:

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      react: 18.2.0
"#;
        let parsed = parse("pnpm-lock.yaml", text).unwrap();
        assert_eq!(parsed.format_version.as_deref(), Some("9.0"));
        let find = |n: &str| parsed.packages.iter().find(|p| p.name == n).unwrap();
        assert_eq!(find("react-dom").direct, Some(true));
        assert_eq!(find("react-dom").line, Some(20));
        assert_eq!(find("react").direct, Some(false));
        assert_eq!(find("typescript").dev, Some(true));
        assert_eq!(find("mylib").version, "1.0.0");
        assert!(matches!(find("mylib").source, Source::Url { .. }));
    }

    #[test]
    fn v6_and_v5_keys() {
        assert_eq!(
            split_key("/@types/node@20.1.0(x@1)", false),
            Some(("@types/node".into(), "20.1.0".into()))
        );
        assert_eq!(
            split_key("/@types/node/20.1.0_x@1", true),
            Some(("@types/node".into(), "20.1.0".into()))
        );
        let text = r#"lockfileVersion: '6.0'

dependencies:
  esbuild:
    specifier: ^0.19.0
    version: 0.19.12

packages:

  /esbuild@0.19.12:
    resolution: {integrity: sha512-x}
    requiresBuild: true
    dev: false
"#;
        let parsed = parse("pnpm-lock.yaml", text).unwrap();
        let p = &parsed.packages[0];
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("esbuild", "0.19.12")
        );
        assert!(p.install_script);
        assert_eq!(p.direct, Some(true));
        assert_eq!(p.dev, Some(false));
        assert_eq!(p.line, Some(10));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        text.push_str("packages: {}\n");
        let err = parse("pnpm-lock.yaml", &text).unwrap_err();
        assert_eq!(err.file, "pnpm-lock.yaml");
        assert!(!err.message.is_empty());
    }
}

//! JavaScript: `package.json` and `package-lock.json` / `npm-shrinkwrap.json`
//! (lockfile versions 1, 2 and 3), with in-house serde structs that keep
//! `resolved`, `license`, `dev`, `hasInstallScript` and `link`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{DepKind, FileKind, Manifest, ParsedFile, Requirement, json_error, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};
use crate::text::{json_string_lines, strip_credentials};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawPackageJson {
    name: Option<String>,
    license: Option<serde_json::Value>,
    #[serde(default)]
    private: bool,
    main: Option<serde_json::Value>,
    exports: Option<serde_json::Value>,
    module: Option<serde_json::Value>,
    bin: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    peer_dependencies: BTreeMap<String, serde_json::Value>,
    workspaces: Option<serde_json::Value>,
    renovate: Option<serde_json::Value>,
}

/// A licence field: `"MIT"`, `{ "type": "MIT" }` or the old `licenses` array.
pub(crate) fn license_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("type").and_then(|t| t.as_str()).map(str::to_owned),
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(license_value).collect();
            (!parts.is_empty()).then(|| parts.join(" OR "))
        }
        _ => None,
    }
}

/// Classifies an npm requirement string by where it points.
pub(crate) fn spec_source(spec: &str) -> Source {
    let spec = spec.trim();
    if let Some(path) = ["file:", "link:", "workspace:", "portal:"]
        .iter()
        .find_map(|p| spec.strip_prefix(p))
    {
        return Source::Path {
            path: path.to_owned(),
        };
    }
    let is_git = spec.starts_with("git+")
        || spec.starts_with("git://")
        || spec.starts_with("github:")
        || spec.starts_with("gitlab:")
        || spec.starts_with("bitbucket:")
        || spec.ends_with(".git")
        || (!spec.starts_with('@')
            && !spec.contains(':')
            && !spec.contains(' ')
            && spec.matches('/').count() == 1
            && spec
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric()));
    if is_git {
        let (url, reference) = match spec.split_once('#') {
            Some((u, r)) => (u, Some(r.to_owned())),
            None => (spec, None),
        };
        return Source::Git {
            url: strip_credentials(url),
            reference,
        };
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return Source::Url {
            url: strip_credentials(spec),
        };
    }
    Source::Registry { url: None }
}

/// Classifies a lockfile `resolved` URL.
pub(crate) fn resolved_source(resolved: &str) -> Source {
    let r = resolved.trim();
    if r.starts_with("git+") || r.starts_with("git://") || r.starts_with("github:") {
        return spec_source(r);
    }
    if let Some(path) = r.strip_prefix("file:") {
        return Source::Path {
            path: path.to_owned(),
        };
    }
    if r.starts_with("http://") || r.starts_with("https://") {
        let url = strip_credentials(r);
        let host = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("");
        if matches!(host, "registry.npmjs.org" | "registry.yarnpkg.com") {
            return Source::Registry { url: None };
        }
        if url.contains("/-/") {
            let before = url.split("/-/").next().unwrap_or(&url);
            // `https://host/path/@scope/name` → the registry is `https://host/path`.
            let mut base = before.rsplit_once('/').map_or(before, |(b, _)| b);
            if let Some((b, last)) = base.rsplit_once('/')
                && last.starts_with('@')
            {
                base = b;
            }
            return Source::Registry {
                url: Some(base.to_owned()),
            };
        }
        return Source::Url { url };
    }
    Source::Registry { url: None }
}

pub(super) fn parse_manifest(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawPackageJson = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let lines = json_string_lines(text);
    let library = raw.main.is_some() || raw.exports.is_some() || raw.module.is_some();
    let mut manifest = Manifest {
        name: raw.name.clone(),
        license: raw.license.as_ref().and_then(license_value),
        application: raw.private || (!library && raw.bin.is_none()),
        renovate: raw.renovate.is_some(),
        ..Manifest::default()
    };
    let groups = [
        (&raw.dependencies, DepKind::Normal),
        (&raw.dev_dependencies, DepKind::Dev),
        (&raw.optional_dependencies, DepKind::Optional),
        (&raw.peer_dependencies, DepKind::Optional),
    ];
    for (deps, kind) in groups {
        for (name, spec) in deps {
            let spec = spec.as_str().unwrap_or_default();
            // `npm:real@^1` aliases install another package under this name.
            let (real, range) = match spec.strip_prefix("npm:") {
                Some(alias) => match alias[1..].find('@') {
                    Some(at) => (&alias[..at + 1], &alias[at + 2..]),
                    None => (alias, ""),
                },
                None => (name.as_str(), spec),
            };
            manifest.dependencies.push(Requirement {
                name: real.to_owned(),
                requirement: range.to_owned(),
                kind,
                source: spec_source(spec),
                line: lines.get(name.as_str()).copied(),
            });
        }
    }
    manifest.workspace_members = match &raw.workspaces {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::Object(o)) => o
            .get("packages")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut parsed = ParsedFile::new(file, FileKind::PackageJson);
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLock {
    lockfile_version: Option<u32>,
    #[serde(default)]
    packages: BTreeMap<String, RawEntry>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawV1Entry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    license: Option<serde_json::Value>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    has_install_script: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    peer_dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct RawV1Entry {
    version: Option<String>,
    resolved: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, Self>,
}

pub(super) fn parse_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawLock = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let lines = json_string_lines(text);
    let mut parsed = ParsedFile::new(file, FileKind::PackageLock);
    let version = raw.lockfile_version.unwrap_or(1);
    parsed.format_version = Some(version.to_string());
    if version >= 2 && !raw.packages.is_empty() {
        // The root entry and workspace folders (keys outside node_modules)
        // are the project itself; what they depend on is direct.
        let mut direct = BTreeSet::new();
        for (key, entry) in &raw.packages {
            if key.contains("node_modules/") {
                continue;
            }
            for deps in [
                &entry.dependencies,
                &entry.dev_dependencies,
                &entry.optional_dependencies,
                &entry.peer_dependencies,
            ] {
                direct.extend(deps.keys().cloned());
            }
        }
        for (key, entry) in &raw.packages {
            let Some(idx) = key.rfind("node_modules/") else {
                continue;
            };
            if entry.link {
                continue;
            }
            let folder_name = &key[idx + "node_modules/".len()..];
            let name = entry.name.as_deref().unwrap_or(folder_name);
            let top_level = idx == 0;
            let mut pkg = package(
                Ecosystem::Npm,
                name,
                entry.version.as_deref().unwrap_or_default(),
                file,
                lines.get(key.as_str()).copied(),
            );
            pkg.direct = Some(top_level && direct.contains(folder_name));
            pkg.dev = Some(entry.dev);
            pkg.license = entry.license.as_ref().and_then(license_value);
            pkg.install_script = entry.has_install_script;
            if let Some(resolved) = &entry.resolved {
                pkg.source = resolved_source(resolved);
            }
            parsed.packages.push(pkg);
        }
        parsed.direct_known = true;
    } else {
        walk_v1(file, &lines, &raw.dependencies, &mut parsed.packages);
    }
    Ok(parsed)
}

fn walk_v1(
    file: &str,
    lines: &std::collections::HashMap<&str, u32>,
    deps: &BTreeMap<String, RawV1Entry>,
    out: &mut Vec<crate::package::Package>,
) {
    for (name, entry) in deps {
        let version = entry.version.as_deref().unwrap_or_default();
        let mut pkg = package(
            Ecosystem::Npm,
            name,
            version,
            file,
            lines.get(name.as_str()).copied(),
        );
        pkg.dev = Some(entry.dev);
        pkg.source = match (&entry.resolved, version) {
            (Some(resolved), _) => resolved_source(resolved),
            (None, v) => spec_source(v),
        };
        if !matches!(pkg.source, Source::Registry { .. }) {
            // v1 writes git and file dependencies' specs into `version`.
            pkg.pinned = matches!(
                pkg.source,
                Source::Git {
                    reference: Some(_),
                    ..
                }
            );
        }
        out.push(pkg);
        // Nesting depth is bounded by serde_json's recursion limit.
        walk_v1(file, lines, &entry.dependencies, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_ranges_and_sources() {
        let text = r#"{
  "name": "web",
  "private": true,
  "license": "UNLICENSED",
  "dependencies": {
    "react": "^18.2.0",
    "left-pad": "*",
    "mylib": "github:acme/mylib#v1.2.0",
    "tarball": "https://example.com/t.tgz",
    "alias": "npm:lodash@^4.17.0"
  },
  "devDependencies": { "jest": "latest" },
  "workspaces": ["packages/*"],
  "renovate": { "extends": ["config:base"] }
}"#;
        let m = parse_manifest("package.json", text)
            .unwrap()
            .manifest
            .unwrap();
        assert!(m.application && m.renovate);
        assert_eq!(m.license.as_deref(), Some("UNLICENSED"));
        assert_eq!(m.workspace_members, ["packages/*"]);
        let find = |n: &str| m.dependencies.iter().find(|d| d.name == n).unwrap();
        assert_eq!(find("react").line, Some(6));
        assert!(matches!(find("mylib").source, Source::Git { .. }));
        assert!(matches!(find("tarball").source, Source::Url { .. }));
        assert_eq!(find("lodash").requirement, "^4.17.0");
        assert_eq!(find("jest").kind, DepKind::Dev);
    }

    #[test]
    fn sources_from_resolved() {
        assert_eq!(
            resolved_source("https://registry.npmjs.org/a/-/a-1.0.0.tgz"),
            Source::Registry { url: None }
        );
        assert_eq!(
            resolved_source("https://npm.corp.example/repo/@acme/x/-/x-1.0.0.tgz"),
            Source::Registry {
                url: Some("https://npm.corp.example/repo".into())
            }
        );
        assert!(matches!(
            resolved_source("git+ssh://git@github.com/a/b.git#abc"),
            Source::Git { .. }
        ));
        assert!(matches!(spec_source("1.2.3"), Source::Registry { .. }));
        assert!(matches!(
            spec_source("@scope/name"),
            Source::Registry { .. }
        ));
    }
}

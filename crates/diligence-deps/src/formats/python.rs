//! Python: `requirements*.txt`, `pyproject.toml` (PEP 621 and Poetry),
//! `Pipfile`, `poetry.lock`, `uv.lock` and `Pipfile.lock`, all with
//! in-house structs (toml and serde_json) or a line reader.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::{
    DepKind, FileKind, Manifest, ParsedFile, Requirement, json_error, normalise_python_name,
    package, toml_error,
};
use crate::error::ParseError;
use crate::package::{Ecosystem, Package, Source};
use crate::text::{Lines, find_line, json_string_lines, strip_credentials};

/// The default index, which needs no mention.
fn is_pypi(url: &str) -> bool {
    let u = url.trim_end_matches('/');
    matches!(
        u,
        "https://pypi.org/simple" | "https://pypi.python.org/simple" | "https://pypi.org/pypi"
    ) || u == "https://files.pythonhosted.org"
}

fn registry(url: Option<&str>) -> Source {
    match url {
        Some(u) if !is_pypi(u) => Source::Registry {
            url: Some(strip_credentials(u)),
        },
        _ => Source::Registry { url: None },
    }
}

/// A PEP 508 requirement, split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Pep508 {
    pub(crate) name: String,
    pub(crate) spec: String,
    pub(crate) url: Option<String>,
}

/// Parses `name[extras] (>=1, <2) ; markers` or `name @ url ; markers`.
pub(crate) fn parse_pep508(line: &str) -> Option<Pep508> {
    let line = line.split(" #").next().unwrap_or(line).trim();
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    let name = line[..end].to_owned();
    let mut rest = line[end..].trim_start();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    let rest = rest.split(';').next().unwrap_or(rest).trim();
    if let Some(url) = rest.strip_prefix('@') {
        return Some(Pep508 {
            name,
            spec: String::new(),
            url: Some(url.trim().to_owned()),
        });
    }
    let spec: String = rest
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("");
    Some(Pep508 {
        name,
        spec,
        url: None,
    })
}

/// Whether a version specifier pins one exact version.
pub(crate) fn is_exact_pin(spec: &str) -> bool {
    let spec = spec.trim();
    (spec.starts_with("===") || (spec.starts_with("==") && !spec.contains('*')))
        && !spec.contains(',')
}

fn url_source(url: &str) -> Source {
    let u = url.trim();
    if let Some(rest) = u.strip_prefix("git+") {
        let rest = rest.split("#egg=").next().unwrap_or(rest);
        let (url, reference) = match rest.rsplit_once('@') {
            Some((url, r)) if !r.contains('/') => (url, Some(r.to_owned())),
            _ => (rest, None),
        };
        return Source::Git {
            url: strip_credentials(url),
            reference,
        };
    }
    if u.starts_with("http://") || u.starts_with("https://") {
        return Source::Url {
            url: strip_credentials(u),
        };
    }
    Source::Path {
        path: u.trim_start_matches("file:").to_owned(),
    }
}

/// Joins an include path to the directory of `file`, resolving `..`.
fn join_relative(file: &str, include: &str) -> String {
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in include.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

pub(super) fn parse_requirements(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::new(file, FileKind::Requirements);
    let mut manifest = Manifest {
        application: true,
        ..Manifest::default()
    };
    let mut index: Option<String> = None;
    let mut logical = String::new();
    let mut start_line = 0u32;
    let mut entries: Vec<(u32, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if logical.is_empty() {
            start_line = line_no;
        }
        let raw = if raw.trim_start().starts_with('#') {
            ""
        } else {
            raw
        };
        if let Some(cont) = raw.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        let line = line.split(" #").next().unwrap_or(&line).trim().to_owned();
        if !line.is_empty() {
            entries.push((start_line, line));
        }
    }
    for (line_no, line) in entries {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let option_value = |flag: &str| -> Option<String> {
            if let Some(v) = first.strip_prefix(&format!("{flag}=")) {
                return Some(v.to_owned());
            }
            (first == flag).then(|| line.split_whitespace().nth(1).unwrap_or("").to_owned())
        };
        if let Some(include) = option_value("-r")
            .or_else(|| option_value("--requirement"))
            .or_else(|| option_value("-c"))
            .or_else(|| option_value("--constraint"))
            .or_else(|| {
                first
                    .strip_prefix("-r")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
        {
            if !include.is_empty() {
                manifest.includes.push(join_relative(file, &include));
            }
            continue;
        }
        if let Some(url) = option_value("-i")
            .or_else(|| option_value("--index-url"))
            .or_else(|| option_value("--extra-index-url"))
        {
            if !is_pypi(&url) {
                index = Some(url);
            }
            continue;
        }
        if let Some(target) = option_value("-e").or_else(|| option_value("--editable")) {
            let source = url_source(&target);
            let name = target
                .split("#egg=")
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    target
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                });
            manifest.dependencies.push(Requirement {
                name,
                requirement: String::new(),
                kind: DepKind::Normal,
                source,
                line: Some(line_no),
            });
            continue;
        }
        if first.starts_with('-') {
            continue;
        }
        // A bare URL or path with `#egg=name`.
        let requirement =
            if first.contains("://") || first.starts_with('.') || first.starts_with('/') {
                let name = first.split("#egg=").nth(1).unwrap_or("").to_owned();
                Requirement {
                    name,
                    requirement: String::new(),
                    kind: DepKind::Normal,
                    source: url_source(first),
                    line: Some(line_no),
                }
            } else {
                let without_hashes: String = line
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--hash"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let Some(req) = parse_pep508(&without_hashes) else {
                    return Err(ParseError::at(
                        file,
                        line_no,
                        1,
                        format!("not a requirement: {line}"),
                    ));
                };
                Requirement {
                    name: req.name,
                    requirement: req.spec,
                    kind: DepKind::Normal,
                    source: req
                        .url
                        .as_deref()
                        .map_or(Source::Registry { url: None }, url_source),
                    line: Some(line_no),
                }
            };
        manifest.dependencies.push(requirement);
    }
    for dep in &mut manifest.dependencies {
        if matches!(dep.source, Source::Registry { .. }) {
            dep.source = registry(index.as_deref());
        }
        let exact = is_exact_pin(&dep.requirement);
        let version = if exact {
            dep.requirement.trim_start_matches('=').to_owned()
        } else {
            dep.requirement.clone()
        };
        let mut pkg = package(Ecosystem::PyPi, &dep.name, &version, file, dep.line);
        pkg.pinned = exact;
        pkg.direct = Some(true);
        pkg.source = dep.source.clone();
        parsed.packages.push(pkg);
    }
    parsed.direct_known = true;
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawPyProject {
    project: Option<RawProject>,
    #[serde(default)]
    dependency_groups: BTreeMap<String, Vec<toml::Value>>,
    build_system: Option<toml::Value>,
    #[serde(default)]
    tool: RawTool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawProject {
    name: Option<String>,
    license: Option<toml::Value>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
struct RawTool {
    poetry: Option<RawPoetry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawPoetry {
    name: Option<String>,
    license: Option<String>,
    package_mode: Option<bool>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    group: BTreeMap<String, RawPoetryGroup>,
}

#[derive(Deserialize, Default)]
struct RawPoetryGroup {
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

fn pep508_requirement(text: &str, entry: &str, kind: DepKind) -> Option<Requirement> {
    let req = parse_pep508(entry)?;
    let line = find_line(text, 1, |l| {
        l.trim_start_matches(['"', '\''])
            .starts_with(entry.get(..req.name.len()).unwrap_or(""))
            && (l.starts_with('"') || l.starts_with('\''))
    });
    Some(Requirement {
        source: req
            .url
            .as_deref()
            .map_or(Source::Registry { url: None }, url_source),
        name: req.name,
        requirement: req.spec,
        kind,
        line,
    })
}

/// A Poetry or Pipfile dependency value: `"^1.2"` or a table.
fn table_requirement(text: &str, name: &str, value: &toml::Value, kind: DepKind) -> Requirement {
    let line = find_line(text, 1, |l| {
        l.strip_prefix(name)
            .or_else(|| l.strip_prefix(&format!("\"{name}\"")))
            .is_some_and(|r| r.trim_start().starts_with('='))
    });
    let (requirement, source) = match value {
        toml::Value::String(s) => (s.clone(), Source::Registry { url: None }),
        toml::Value::Table(t) => {
            let get = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let source = if let Some(git) = get("git") {
                Source::Git {
                    url: strip_credentials(&git),
                    reference: get("rev").or(get("tag")).or(get("branch")).or(get("ref")),
                }
            } else if let Some(path) = get("path") {
                Source::Path { path }
            } else if let Some(url) = get("url").or(get("file")) {
                Source::Url {
                    url: strip_credentials(&url),
                }
            } else {
                Source::Registry {
                    url: get("source").or(get("index")),
                }
            };
            (get("version").unwrap_or_default(), source)
        }
        // Several constraints for different Pythons: keep the first.
        toml::Value::Array(items) => {
            let first = items
                .first()
                .map(|v| table_requirement(text, name, v, kind));
            return first.unwrap_or(Requirement {
                name: name.to_owned(),
                requirement: String::new(),
                kind,
                source: Source::Registry { url: None },
                line,
            });
        }
        _ => (String::new(), Source::Registry { url: None }),
    };
    Requirement {
        name: name.to_owned(),
        requirement,
        kind,
        source,
        line,
    }
}

pub(super) fn parse_pyproject(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawPyProject = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let mut manifest = Manifest::default();
    if let Some(project) = &raw.project {
        manifest.name = project.name.clone();
        manifest.license = project.license.as_ref().and_then(|l| match l {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Table(t) => t.get("text").and_then(|v| v.as_str()).map(str::to_owned),
            _ => None,
        });
        for entry in &project.dependencies {
            manifest
                .dependencies
                .extend(pep508_requirement(text, entry, DepKind::Normal));
        }
        for entries in project.optional_dependencies.values() {
            for entry in entries {
                manifest
                    .dependencies
                    .extend(pep508_requirement(text, entry, DepKind::Optional));
            }
        }
    }
    for entries in raw.dependency_groups.values() {
        for entry in entries.iter().filter_map(|v| v.as_str()) {
            manifest
                .dependencies
                .extend(pep508_requirement(text, entry, DepKind::Dev));
        }
    }
    let mut package_mode = true;
    if let Some(poetry) = &raw.tool.poetry {
        manifest.name = manifest.name.or(poetry.name.clone());
        manifest.license = manifest.license.or(poetry.license.clone());
        package_mode = poetry.package_mode.unwrap_or(true);
        let mut add = |deps: &BTreeMap<String, toml::Value>, kind| {
            for (name, value) in deps {
                if name.eq_ignore_ascii_case("python") {
                    continue;
                }
                manifest
                    .dependencies
                    .push(table_requirement(text, name, value, kind));
            }
        };
        add(&poetry.dependencies, DepKind::Normal);
        add(&poetry.dev_dependencies, DepKind::Dev);
        for group in poetry.group.values() {
            add(&group.dependencies, DepKind::Dev);
        }
    }
    manifest.application = raw.build_system.is_none() || !package_mode;
    let mut parsed = ParsedFile::new(file, FileKind::PyProject);
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawPipfile {
    #[serde(default)]
    source: Vec<RawPipSource>,
    #[serde(default)]
    packages: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dev_packages: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
struct RawPipSource {
    url: Option<String>,
}

pub(super) fn parse_pipfile(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawPipfile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let index = raw
        .source
        .iter()
        .find_map(|s| s.url.clone().filter(|u| !is_pypi(u)));
    let mut manifest = Manifest {
        application: true,
        ..Manifest::default()
    };
    for (deps, kind) in [
        (&raw.packages, DepKind::Normal),
        (&raw.dev_packages, DepKind::Dev),
    ] {
        for (name, value) in deps {
            let mut req = table_requirement(text, name, value, kind);
            if req.source == (Source::Registry { url: None }) {
                req.source = registry(index.as_deref());
            }
            manifest.dependencies.push(req);
        }
    }
    let mut parsed = ParsedFile::new(file, FileKind::Pipfile);
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[derive(Deserialize)]
struct RawPoetryLock {
    #[serde(default)]
    package: Vec<RawPoetryPackage>,
    metadata: Option<RawPoetryMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawPoetryMeta {
    lock_version: Option<String>,
}

#[derive(Deserialize)]
struct RawPoetryPackage {
    name: Spanned<String>,
    version: String,
    category: Option<String>,
    groups: Option<Vec<String>>,
    source: Option<RawPoetrySource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawPoetrySource {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
    reference: Option<String>,
    #[serde(rename = "resolved_reference")]
    resolved_reference: Option<String>,
}

pub(super) fn parse_poetry_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawPoetryLock = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let lines = Lines::new(text);
    let mut parsed = ParsedFile::new(file, FileKind::PoetryLock);
    parsed.format_version = raw.metadata.and_then(|m| m.lock_version);
    for p in raw.package {
        let mut pkg = package(
            Ecosystem::PyPi,
            p.name.get_ref(),
            &p.version,
            file,
            Some(lines.line_of(p.name.span().start)),
        );
        pkg.dev = match (&p.category, &p.groups) {
            (Some(c), _) => Some(c == "dev"),
            (None, Some(groups)) => Some(!groups.iter().any(|g| g == "main")),
            (None, None) => None,
        };
        if let Some(source) = p.source {
            let url = source.url.clone().unwrap_or_default();
            pkg.source = match source.kind.as_deref() {
                Some("git") => Source::Git {
                    url: strip_credentials(&url),
                    reference: source.resolved_reference.or(source.reference),
                },
                Some("directory" | "file") => Source::Path { path: url },
                Some("url") => Source::Url {
                    url: strip_credentials(&url),
                },
                _ => registry(Some(&url)),
            };
        }
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct RawUvLock {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<RawUvPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawUvPackage {
    name: Spanned<String>,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, String>,
    #[serde(default)]
    dependencies: Vec<RawUvDep>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<RawUvDep>>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Vec<RawUvDep>>,
}

#[derive(Deserialize)]
struct RawUvDep {
    name: String,
}

pub(super) fn parse_uv_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawUvLock = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let lines = Lines::new(text);
    let mut parsed = ParsedFile::new(file, FileKind::UvLock);
    parsed.format_version = raw.version.map(|v| v.to_string());
    let local =
        |p: &RawUvPackage| p.source.contains_key("editable") || p.source.contains_key("virtual");
    let mut direct = BTreeSet::new();
    let mut dev = BTreeSet::new();
    let mut members = 0;
    for p in raw.package.iter().filter(|p| local(p)) {
        members += 1;
        direct.extend(
            p.dependencies
                .iter()
                .map(|d| normalise_python_name(&d.name)),
        );
        for deps in p.optional_dependencies.values() {
            direct.extend(deps.iter().map(|d| normalise_python_name(&d.name)));
        }
        for deps in p.dev_dependencies.values() {
            dev.extend(deps.iter().map(|d| normalise_python_name(&d.name)));
        }
    }
    for p in raw.package.iter().filter(|p| !local(p)) {
        let name = p.name.get_ref();
        let key = normalise_python_name(name);
        let mut pkg = package(
            Ecosystem::PyPi,
            name,
            p.version.as_deref().unwrap_or_default(),
            file,
            Some(lines.line_of(p.name.span().start)),
        );
        if members > 0 {
            pkg.direct = Some(direct.contains(&key) || dev.contains(&key));
            if dev.contains(&key) && !direct.contains(&key) {
                pkg.dev = Some(true);
            }
        }
        pkg.source = if let Some(url) = p.source.get("registry") {
            registry(Some(url))
        } else if let Some(git) = p.source.get("git") {
            let (url, reference) = match git.split_once('#') {
                Some((u, r)) => (u, Some(r.to_owned())),
                None => (git.as_str(), None),
            };
            Source::Git {
                url: strip_credentials(url.split('?').next().unwrap_or(url)),
                reference,
            }
        } else if let Some(url) = p.source.get("url") {
            Source::Url {
                url: strip_credentials(url),
            }
        } else if let Some(path) = p.source.get("path").or(p.source.get("directory")) {
            Source::Path { path: path.clone() }
        } else {
            Source::Registry { url: None }
        };
        parsed.packages.push(pkg);
    }
    parsed.direct_known = members > 0;
    Ok(parsed)
}

#[derive(Deserialize)]
struct RawPipfileLock {
    #[serde(rename = "_meta", default)]
    meta: Option<serde_json::Value>,
    #[serde(default)]
    default: BTreeMap<String, RawPipfileLockEntry>,
    #[serde(default)]
    develop: BTreeMap<String, RawPipfileLockEntry>,
}

#[derive(Deserialize)]
struct RawPipfileLockEntry {
    version: Option<String>,
    git: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    path: Option<String>,
    file: Option<String>,
    index: Option<String>,
}

pub(super) fn parse_pipfile_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawPipfileLock = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let lines = json_string_lines(text);
    // `_meta.sources` names indexes; entries refer to them by name.
    let mut sources = BTreeMap::new();
    if let Some(list) = raw
        .meta
        .as_ref()
        .and_then(|m| m.get("sources"))
        .and_then(|s| s.as_array())
    {
        for s in list {
            if let (Some(name), Some(url)) = (
                s.get("name").and_then(|v| v.as_str()),
                s.get("url").and_then(|v| v.as_str()),
            ) {
                sources.insert(name.to_owned(), url.to_owned());
            }
        }
    }
    let mut parsed = ParsedFile::new(file, FileKind::PipfileLock);
    let mut out: Vec<Package> = Vec::new();
    for (entries, dev) in [(&raw.default, false), (&raw.develop, true)] {
        for (name, e) in entries {
            let version = e.version.as_deref().unwrap_or_default();
            let mut pkg = package(
                Ecosystem::PyPi,
                name,
                version.trim_start_matches('='),
                file,
                lines.get(name.as_str()).copied(),
            );
            pkg.dev = Some(dev);
            pkg.source = if let Some(git) = &e.git {
                Source::Git {
                    url: strip_credentials(git),
                    reference: e.reference.clone(),
                }
            } else if let Some(path) = &e.path {
                Source::Path { path: path.clone() }
            } else if let Some(f) = &e.file {
                url_source(f)
            } else {
                registry(
                    e.index
                        .as_ref()
                        .and_then(|i| sources.get(i))
                        .map(String::as_str),
                )
            };
            pkg.pinned = is_exact_pin(version)
                || matches!(
                    pkg.source,
                    Source::Git {
                        reference: Some(_),
                        ..
                    }
                );
            out.push(pkg);
        }
    }
    parsed.packages = out;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep508() {
        assert_eq!(
            parse_pep508("requests[socks] >= 2.8.1, == 2.8.* ; python_version < \"2.7\""),
            Some(Pep508 {
                name: "requests".into(),
                spec: ">=2.8.1,==2.8.*".into(),
                url: None
            })
        );
        let at = parse_pep508("pip @ https://github.com/pypa/pip/archive/1.3.1.zip").unwrap();
        assert_eq!(
            at.url.as_deref(),
            Some("https://github.com/pypa/pip/archive/1.3.1.zip")
        );
        assert!(is_exact_pin("==2.31.0"));
        assert!(!is_exact_pin("==2.*"));
        assert!(!is_exact_pin(">=2"));
    }

    #[test]
    fn requirements() {
        let text = "# app\n-r base.txt\n--extra-index-url https://pypi.corp.example/simple\nrequests==2.31.0 \\\n    --hash=sha256:abc\nflask>=2.0\ndjango\nuvicorn[standard]==0.29.0 ; python_version >= \"3.8\"\ngit+https://github.com/acme/lib.git@v1.2#egg=lib\n-e ./local\n";
        let parsed = parse_requirements("svc/requirements.txt", text).unwrap();
        let m = parsed.manifest.as_ref().unwrap();
        assert_eq!(m.includes, ["svc/base.txt"]);
        let find = |n: &str| parsed.packages.iter().find(|p| p.name == n).unwrap();
        assert!(find("requests").pinned);
        assert_eq!(find("requests").version, "2.31.0");
        assert_eq!(find("requests").line, Some(4));
        assert_eq!(
            find("requests").source,
            Source::Registry {
                url: Some("https://pypi.corp.example/simple".into())
            }
        );
        assert!(!find("flask").pinned);
        assert_eq!(find("flask").line, Some(6));
        assert!(!find("django").pinned);
        assert!(find("uvicorn").pinned);
        assert_eq!(
            find("lib").source,
            Source::Git {
                url: "https://github.com/acme/lib.git".into(),
                reference: Some("v1.2".into())
            }
        );
        assert!(matches!(find("local").source, Source::Path { .. }));
    }

    #[test]
    fn pyproject_pep621_and_poetry() {
        let text = r#"[project]
name = "svc"
license = { text = "AGPL-3.0-only" }
dependencies = [
  "fastapi>=0.110",
  "pydantic==2.7.1",
]

[dependency-groups]
dev = ["pytest"]

[tool.poetry.dependencies]
python = "^3.11"
httpx = { git = "https://github.com/encode/httpx", tag = "0.27.0" }
"#;
        let parsed = parse_pyproject("pyproject.toml", text).unwrap();
        let m = parsed.manifest.unwrap();
        assert!(m.application);
        assert_eq!(m.license.as_deref(), Some("AGPL-3.0-only"));
        let find = |n: &str| m.dependencies.iter().find(|d| d.name == n).unwrap();
        assert_eq!(find("fastapi").requirement, ">=0.110");
        assert_eq!(find("fastapi").line, Some(5));
        assert_eq!(find("pytest").kind, DepKind::Dev);
        assert!(matches!(find("httpx").source, Source::Git { .. }));
        assert!(m.dependencies.iter().all(|d| d.name != "python"));
    }

    #[test]
    fn poetry_lock() {
        let text = r#"[[package]]
name = "certifi"
version = "2024.2.2"
description = ""
optional = false
python-versions = ">=3.6"
groups = ["main"]

[[package]]
name = "mylib"
version = "0.1.0"
groups = ["dev"]

[package.source]
type = "git"
url = "https://github.com/acme/mylib.git"
reference = "main"
resolved_reference = "abc123"

[metadata]
lock-version = "2.1"
"#;
        let parsed = parse_poetry_lock("poetry.lock", text).unwrap();
        assert_eq!(parsed.format_version.as_deref(), Some("2.1"));
        assert_eq!(parsed.packages[0].line, Some(2));
        assert_eq!(parsed.packages[0].dev, Some(false));
        assert_eq!(parsed.packages[1].dev, Some(true));
        assert_eq!(
            parsed.packages[1].source,
            Source::Git {
                url: "https://github.com/acme/mylib.git".into(),
                reference: Some("abc123".into())
            }
        );
    }

    #[test]
    fn uv_lock() {
        let text = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "svc"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "fastapi" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "fastapi"
version = "0.111.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.2.0"
source = { registry = "https://pypi.org/simple" }
"#;
        let parsed = parse_uv_lock("uv.lock", text).unwrap();
        assert!(parsed.direct_known);
        let find = |n: &str| parsed.packages.iter().find(|p| p.name == n).unwrap();
        assert_eq!(find("anyio").direct, Some(false));
        assert_eq!(find("fastapi").direct, Some(true));
        assert_eq!(find("pytest").dev, Some(true));
        assert_eq!(find("anyio").line, Some(5));
        assert_eq!(parsed.packages.len(), 3);
    }

    #[test]
    fn pipfile_and_lock() {
        let pipfile = "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n[packages]\nrequests = \"*\"\nflask = { version = \"==3.0.0\" }\n\n[dev-packages]\npytest = \"*\"\n";
        let m = parse_pipfile("Pipfile", pipfile).unwrap().manifest.unwrap();
        assert_eq!(m.dependencies.len(), 3);
        assert_eq!(
            m.dependencies
                .iter()
                .find(|d| d.name == "requests")
                .unwrap()
                .line,
            Some(6)
        );
        let lock = r#"{
  "_meta": {"sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]},
  "default": {
    "requests": {"hashes": ["sha256:x"], "index": "pypi", "version": "==2.31.0"}
  },
  "develop": {
    "pytest": {"version": "==8.2.0"}
  }
}"#;
        let parsed = parse_pipfile_lock("Pipfile.lock", lock).unwrap();
        assert_eq!(parsed.packages[0].version, "2.31.0");
        assert_eq!(parsed.packages[0].line, Some(4));
        assert_eq!(parsed.packages[1].dev, Some(true));
    }
}

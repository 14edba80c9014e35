//! Maven `pom.xml`, Gradle version catalogs (`gradle/libs.versions.toml`)
//! and NuGet `packages.lock.json`.
//!
//! A POM names direct dependencies only: the transitive tree needs the
//! remote repository, which a scan never contacts. So a POM's packages are
//! exact where the POM pins them (after `${property}` interpolation and
//! `<dependencyManagement>`, the parent's too when it sits in the same
//! repository; that step happens in the analysis, which sees every POM),
//! and the ecosystem counts as partially analysed.
//!
//! XML is read with roxmltree, which rejects DTDs by default: a POM has no
//! use for one, and refusing it rules out entity expansion attacks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DepKind, FileKind, Manifest, ParsedFile, Requirement, json_error, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};
use crate::text::Lines;

/// What a POM says, before interpolation.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Pom {
    /// `groupId`, inherited from the parent when absent.
    pub group: Option<String>,
    /// `artifactId`.
    pub artifact: Option<String>,
    /// `version`, inherited from the parent when absent.
    pub version: Option<String>,
    /// The parent's path relative to this POM's directory, when a parent is
    /// declared (`relativePath`, default `../pom.xml`).
    pub parent_path: Option<String>,
    /// The parent's `version`, for `${project.parent.version}`.
    pub parent_version: Option<String>,
    /// `<properties>`.
    pub properties: BTreeMap<String, String>,
    /// `<dependencyManagement>` versions by `group:artifact`.
    pub managed: BTreeMap<String, String>,
    /// `<dependencies>` as written.
    pub dependencies: Vec<PomDependency>,
}

/// One `<dependency>` as written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PomDependency {
    /// `group:artifact`.
    pub name: String,
    /// `version` as written, if any.
    pub version: Option<String>,
    /// `scope` (`compile` when absent).
    pub scope: String,
    /// `<optional>true</optional>`.
    pub optional: bool,
    /// Line of the `<dependency>` element.
    pub line: u32,
}

fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn dependency_list<'a, 'i>(
    node: Option<roxmltree::Node<'a, 'i>>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.into_iter().flat_map(|n| {
        n.children()
            .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
    })
}

/// Reads a POM's own declarations; packages are built by
/// [`resolve_pom`] once the parent is known.
pub(super) fn parse_pom(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        let pos = e.pos();
        ParseError::at(file, pos.row, pos.col, e.to_string())
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(ParseError::at(
            file,
            1,
            1,
            "not a Maven POM: the root element is not <project>",
        ));
    }
    let lines = Lines::new(text);
    let mut pom = Pom {
        group: child_text(root, "groupId").map(str::to_owned),
        artifact: child_text(root, "artifactId").map(str::to_owned),
        version: child_text(root, "version").map(str::to_owned),
        ..Pom::default()
    };
    if let Some(parent) = child(root, "parent") {
        pom.parent_version = child_text(parent, "version").map(str::to_owned);
        if pom.group.is_none() {
            pom.group = child_text(parent, "groupId").map(str::to_owned);
        }
        if pom.version.is_none() {
            pom.version.clone_from(&pom.parent_version);
        }
        // An empty <relativePath/> means "look in the repository, not here".
        pom.parent_path = match child(parent, "relativePath") {
            Some(n) => n.text().map(str::trim).filter(|t| !t.is_empty()).map(|p| {
                if p.ends_with(".xml") {
                    p.to_owned()
                } else {
                    format!("{}/pom.xml", p.trim_end_matches('/'))
                }
            }),
            None => Some("../pom.xml".to_owned()),
        };
    }
    if let Some(props) = child(root, "properties") {
        for p in props.children().filter(roxmltree::Node::is_element) {
            pom.properties.insert(
                p.tag_name().name().to_owned(),
                p.text().unwrap_or("").trim().to_owned(),
            );
        }
    }
    let coordinates = |d: roxmltree::Node<'_, '_>| {
        Some(format!(
            "{}:{}",
            child_text(d, "groupId")?,
            child_text(d, "artifactId")?
        ))
    };
    let managed = child(root, "dependencyManagement").and_then(|m| child(m, "dependencies"));
    for d in dependency_list(managed) {
        // A BOM import (`scope` import) needs the remote repository.
        if let (Some(name), Some(version)) = (coordinates(d), child_text(d, "version")) {
            pom.managed.insert(name, version.to_owned());
        }
    }
    for d in dependency_list(child(root, "dependencies")) {
        let Some(name) = coordinates(d) else { continue };
        pom.dependencies.push(PomDependency {
            name,
            version: child_text(d, "version").map(str::to_owned),
            scope: child_text(d, "scope").unwrap_or("compile").to_owned(),
            optional: child_text(d, "optional") == Some("true"),
            line: lines.line_of(d.range().start),
        });
    }
    let mut parsed = ParsedFile::new(file, FileKind::PomXml);
    parsed.direct_known = true;
    parsed.pom = Some(pom);
    resolve_pom(&mut parsed, &[]);
    Ok(parsed)
}

/// Replaces `${name}` from `properties` (and the project's own coordinates),
/// up to ten rounds for properties that refer to properties. `None` when a
/// reference stays unresolved.
fn interpolate(value: &str, pom: &Pom, properties: &BTreeMap<String, String>) -> Option<String> {
    let mut text = value.to_owned();
    for _ in 0..10 {
        let Some(start) = text.find("${") else {
            return Some(text);
        };
        let end = start + text[start..].find('}')?;
        let key = &text[start + 2..end];
        let replacement = match key {
            "project.version" | "pom.version" | "version" => pom.version.clone(),
            "project.groupId" | "pom.groupId" => pom.group.clone(),
            "project.parent.version" => pom.parent_version.clone(),
            _ => properties.get(key).cloned(),
        }?;
        text.replace_range(start..=end, &replacement);
    }
    None
}

/// Whether a Maven version is one exact version (not a range, `LATEST`,
/// `RELEASE` or a snapshot).
fn maven_exact(version: &str) -> bool {
    !(version.is_empty()
        || version.contains(['[', '(', ',', '$'])
        || matches!(version, "LATEST" | "RELEASE")
        || version.ends_with("-SNAPSHOT"))
}

/// Builds a POM's packages and manifest from its declarations and its
/// ancestors' (nearest first), which supply properties and managed versions.
pub(crate) fn resolve_pom(parsed: &mut ParsedFile, ancestors: &[&Pom]) {
    let Some(pom) = parsed.pom.clone() else {
        return;
    };
    let mut properties = BTreeMap::new();
    let mut managed = BTreeMap::new();
    for a in ancestors.iter().rev() {
        properties.extend(a.properties.clone());
        managed.extend(a.managed.clone());
    }
    properties.extend(pom.properties.clone());
    managed.extend(pom.managed.clone());
    let mut manifest = Manifest {
        name: pom.artifact.clone(),
        application: false,
        ..Manifest::default()
    };
    let mut packages = Vec::new();
    for d in &pom.dependencies {
        let written = d.version.clone().or_else(|| managed.get(&d.name).cloned());
        let resolved = written
            .as_deref()
            .and_then(|v| interpolate(v, &pom, &properties));
        let shown = resolved
            .clone()
            .or_else(|| written.clone())
            .unwrap_or_default();
        let dev = d.scope == "test";
        let kind = if d.optional {
            DepKind::Optional
        } else if dev {
            DepKind::Dev
        } else {
            DepKind::Normal
        };
        manifest.dependencies.push(Requirement {
            name: d.name.clone(),
            requirement: shown.clone(),
            kind,
            source: if d.scope == "system" {
                Source::Path {
                    path: "system scope".to_owned(),
                }
            } else {
                Source::Registry { url: None }
            },
            line: Some(d.line),
        });
        if d.scope == "system" || d.scope == "import" {
            continue;
        }
        let mut pkg = package(
            Ecosystem::Maven,
            &d.name,
            &shown,
            &parsed.file,
            Some(d.line),
        );
        pkg.pinned = resolved.as_deref().is_some_and(maven_exact);
        pkg.direct = Some(true);
        pkg.dev = Some(dev);
        packages.push(pkg);
    }
    packages.sort();
    packages.dedup();
    parsed.packages = packages;
    parsed.manifest = Some(manifest);
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawCatalog {
    versions: BTreeMap<String, toml::Value>,
    libraries: BTreeMap<String, toml::Value>,
}

/// A catalog version: `"1.2"` or `{ strictly = "1.2" }` / `{ require = ... }`
/// / `{ prefer = ... }`.
fn catalog_version(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Table(t) => ["strictly", "require", "prefer"]
            .iter()
            .find_map(|k| t.get(*k).and_then(toml::Value::as_str))
            .map(str::to_owned),
        _ => None,
    }
}

/// `gradle/libs.versions.toml`: the `[libraries]` table with versions from
/// `[versions]`. Direct dependencies only.
pub(super) fn parse_gradle_catalog(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawCatalog = toml::from_str(text).map_err(|e| super::toml_error(file, text, &e))?;
    let mut manifest = Manifest::default();
    for (alias, value) in &raw.libraries {
        let line = crate::text::find_line(text, 1, |l| {
            l.starts_with(alias.as_str()) || l.starts_with(&format!("\"{alias}\""))
        });
        let (name, version) = match value {
            toml::Value::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts[..] {
                    [g, a, v] => (format!("{g}:{a}"), Some(v.to_owned())),
                    [g, a] => (format!("{g}:{a}"), None),
                    _ => continue,
                }
            }
            toml::Value::Table(t) => {
                let name = match (
                    t.get("module").and_then(toml::Value::as_str),
                    t.get("group").and_then(toml::Value::as_str),
                    t.get("name").and_then(toml::Value::as_str),
                ) {
                    (Some(m), _, _) => m.to_owned(),
                    (None, Some(g), Some(n)) => format!("{g}:{n}"),
                    _ => continue,
                };
                let version = match t.get("version") {
                    Some(toml::Value::Table(v)) if v.contains_key("ref") => v
                        .get("ref")
                        .and_then(toml::Value::as_str)
                        .and_then(|r| raw.versions.get(r))
                        .and_then(catalog_version),
                    Some(v) => catalog_version(v),
                    None => t
                        .get("version.ref")
                        .and_then(toml::Value::as_str)
                        .and_then(|r| raw.versions.get(r))
                        .and_then(catalog_version),
                };
                (name, version)
            }
            _ => continue,
        };
        manifest.dependencies.push(Requirement {
            name,
            requirement: version.unwrap_or_default(),
            kind: DepKind::Normal,
            source: Source::Registry { url: None },
            line,
        });
    }
    manifest.dependencies.sort();
    manifest.dependencies.dedup();
    let mut parsed = ParsedFile::new(file, FileKind::GradleCatalog);
    for dep in &manifest.dependencies {
        let mut pkg = package(
            Ecosystem::Maven,
            &dep.name,
            &dep.requirement,
            file,
            dep.line,
        );
        pkg.pinned = maven_exact(&dep.requirement);
        pkg.direct = Some(true);
        parsed.packages.push(pkg);
    }
    parsed.direct_known = true;
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

#[derive(Deserialize)]
struct RawNuGetLock {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, RawNuGetPackage>>,
}

#[derive(Deserialize)]
struct RawNuGetPackage {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    resolved: Option<String>,
}

/// NuGet `packages.lock.json`: packages per target framework, merged.
pub(super) fn parse_nuget_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawNuGetLock = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let lines = crate::text::json_string_lines(text);
    let mut parsed = ParsedFile::new(file, FileKind::NuGetLock);
    parsed.format_version = raw.version.map(|v| v.to_string());
    let mut seen: BTreeMap<(String, String), bool> = BTreeMap::new();
    for framework in raw.dependencies.values() {
        for (name, p) in framework {
            // Project references are the solution's own code.
            if p.kind == "Project" {
                parsed.local.insert(name.clone());
                continue;
            }
            let Some(version) = &p.resolved else { continue };
            let direct = seen.entry((name.clone(), version.clone())).or_default();
            *direct |= p.kind == "Direct";
        }
    }
    for ((name, version), direct) in seen {
        let mut pkg = package(
            Ecosystem::NuGet,
            &name,
            &version,
            file,
            lines.get(name.as_str()).copied(),
        );
        pkg.direct = Some(direct);
        parsed.packages.push(pkg);
    }
    parsed.direct_known = true;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>orders</artifactId>
  <version>1.4.0</version>
  <properties>
    <jackson.version>2.15.2</jackson.version>
    <log.version>${slf4j.version}</log.version>
    <slf4j.version>2.0.9</slf4j.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.postgresql</groupId>
        <artifactId>postgresql</artifactId>
        <version>42.6.0</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>${log.version}</version>
    </dependency>
    <dependency>
      <groupId>org.postgresql</groupId>
      <artifactId>postgresql</artifactId>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>[4.0,)</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>com.acme</groupId>
      <artifactId>missing-prop</artifactId>
      <version>${nowhere.version}</version>
    </dependency>
  </dependencies>
</project>
"#;

    #[test]
    fn pom_interpolates_properties_and_managed_versions() {
        let parsed = parse_pom("pom.xml", POM).unwrap();
        let find = |n: &str| parsed.packages.iter().find(|p| p.name == n).unwrap();
        let jackson = find("com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(jackson.version, "2.15.2");
        assert!(jackson.pinned);
        assert_eq!(jackson.line, Some(22));
        assert_eq!(find("org.slf4j:slf4j-api").version, "2.0.9");
        assert_eq!(find("org.postgresql:postgresql").version, "42.6.0");
        let junit = find("junit:junit");
        assert!(!junit.pinned);
        assert_eq!(junit.dev, Some(true));
        let missing = find("com.acme:missing-prop");
        assert!(!missing.pinned);
        assert_eq!(missing.version, "${nowhere.version}");
    }

    #[test]
    fn pom_inherits_from_an_ancestor() {
        let parent = parse_pom(
            "pom.xml",
            "<project><groupId>g</groupId><artifactId>parent</artifactId><version>3</version><properties><x.version>1.2.3</x.version></properties><dependencyManagement><dependencies><dependency><groupId>g</groupId><artifactId>m</artifactId><version>9.9</version></dependency></dependencies></dependencyManagement></project>",
        )
        .unwrap();
        let mut child = parse_pom(
            "svc/pom.xml",
            "<project><parent><groupId>g</groupId><artifactId>parent</artifactId><version>3</version></parent><artifactId>svc</artifactId><dependencies><dependency><groupId>g</groupId><artifactId>x</artifactId><version>${x.version}</version></dependency><dependency><groupId>g</groupId><artifactId>m</artifactId></dependency><dependency><groupId>g</groupId><artifactId>own</artifactId><version>${project.version}</version></dependency></dependencies></project>",
        )
        .unwrap();
        assert_eq!(
            child.pom.as_ref().unwrap().parent_path.as_deref(),
            Some("../pom.xml")
        );
        assert!(child.packages.iter().all(|p| p.name != "g:x" || !p.pinned));
        let ancestor = parent.pom.clone().unwrap();
        resolve_pom(&mut child, &[&ancestor]);
        let versions: Vec<_> = child
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.pinned))
            .collect();
        assert_eq!(
            versions,
            [
                ("g:m", "9.9", true),
                ("g:own", "3", true),
                ("g:x", "1.2.3", true)
            ]
        );
    }

    #[test]
    fn pom_rejects_doctype_and_foreign_xml() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE project [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><project><artifactId>&b;</artifactId></project>";
        assert!(parse_pom("pom.xml", bomb).is_err());
        let err = parse_pom("pom.xml", "<settings/>").unwrap_err();
        assert!(err.message.contains("not a Maven POM"), "{err}");
        assert!(parse_pom("pom.xml", "<project><dependencies>").is_err());
    }

    #[test]
    fn gradle_catalog_reads_versions_and_refs() {
        let text = r#"[versions]
okhttp = "4.12.0"
kotlin = { strictly = "1.9.22" }

[libraries]
okhttp = { module = "com.squareup.okhttp3:okhttp", version.ref = "okhttp" }
kotlin-stdlib = { group = "org.jetbrains.kotlin", name = "kotlin-stdlib", version.ref = "kotlin" }
guava = "com.google.guava:guava:33.0.0-jre"
bom-managed = { module = "io.ktor:ktor-client-core" }
ranged = { module = "a:b", version = "[1.0,2.0)" }
"#;
        let parsed = parse_gradle_catalog("gradle/libs.versions.toml", text).unwrap();
        let got: Vec<_> = parsed
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.pinned))
            .collect();
        assert_eq!(
            got,
            [
                ("a:b", "[1.0,2.0)", false),
                ("com.google.guava:guava", "33.0.0-jre", true),
                ("com.squareup.okhttp3:okhttp", "4.12.0", true),
                ("io.ktor:ktor-client-core", "", false),
                ("org.jetbrains.kotlin:kotlin-stdlib", "1.9.22", true),
            ]
        );
    }

    #[test]
    fn nuget_lock_merges_frameworks() {
        let text = r#"{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1", "contentHash": "x"},
      "System.Text.Json": {"type": "Transitive", "resolved": "8.0.0", "contentHash": "y"},
      "Acme.Core": {"type": "Project"}
    },
    "net6.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1", "contentHash": "x"}
    }
  }
}"#;
        let parsed = parse_nuget_lock("src/App/packages.lock.json", text).unwrap();
        let got: Vec<_> = parsed
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("Newtonsoft.Json", "13.0.1", Some(true)),
                ("System.Text.Json", "8.0.0", Some(false)),
            ]
        );
        assert!(parsed.local.contains("Acme.Core"));
        assert!(parse_nuget_lock("packages.lock.json", "{\"dependencies\": 3}").is_err());
    }
}

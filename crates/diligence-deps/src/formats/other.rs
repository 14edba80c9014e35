//! Ruby `Gemfile.lock`, PHP `composer.lock` and Gradle `gradle.lockfile`.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{FileKind, ParsedFile, json_error, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};
use crate::text::{json_string_lines, strip_credentials};

pub(super) fn parse_gemfile_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::new(file, FileKind::GemfileLock);
    let mut section = String::new();
    let mut remote = String::new();
    let mut revision: Option<String> = None;
    let mut direct = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if indent == 0 {
            section = trimmed.to_owned();
            remote.clear();
            revision = None;
            continue;
        }
        match (section.as_str(), indent) {
            ("GEM" | "GIT" | "PATH", 2) => {
                if let Some(r) = trimmed.strip_prefix("remote:") {
                    remote = r.trim().to_owned();
                } else if let Some(r) = trimmed.strip_prefix("revision:") {
                    revision = Some(r.trim().to_owned());
                }
            }
            ("GEM" | "GIT" | "PATH", 4) => {
                let Some((name, rest)) = trimmed.split_once(" (") else {
                    return Err(ParseError::at(file, line_no, 5, "expected: name (version)"));
                };
                let version = rest.trim_end_matches(')');
                let mut pkg = package(Ecosystem::RubyGems, name, version, file, Some(line_no));
                pkg.source = match section.as_str() {
                    "GIT" => Source::Git {
                        url: strip_credentials(&remote),
                        reference: revision.clone(),
                    },
                    "PATH" => Source::Path {
                        path: remote.clone(),
                    },
                    _ if remote.trim_end_matches('/') == "https://rubygems.org" => {
                        Source::Registry { url: None }
                    }
                    _ => Source::Registry {
                        url: Some(strip_credentials(&remote)),
                    },
                };
                if section == "PATH" && remote == "." {
                    continue;
                }
                parsed.packages.push(pkg);
            }
            ("DEPENDENCIES", 2) => {
                let name = trimmed.split([' ', '!']).next().unwrap_or(trimmed);
                direct.insert(name.to_owned());
            }
            _ => {}
        }
    }
    if !direct.is_empty() {
        for pkg in &mut parsed.packages {
            pkg.direct = Some(direct.contains(&pkg.name));
        }
        parsed.direct_known = true;
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct RawComposer {
    #[serde(default)]
    packages: Vec<RawComposerPackage>,
    #[serde(rename = "packages-dev", default)]
    packages_dev: Vec<RawComposerPackage>,
}

#[derive(Deserialize)]
struct RawComposerPackage {
    name: String,
    version: String,
    #[serde(default)]
    license: Vec<String>,
    dist: Option<RawComposerDist>,
}

#[derive(Deserialize)]
struct RawComposerDist {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: Option<String>,
}

pub(super) fn parse_composer_lock(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let raw: RawComposer = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    let lines = json_string_lines(text);
    let mut parsed = ParsedFile::new(file, FileKind::ComposerLock);
    for (list, dev) in [(&raw.packages, false), (&raw.packages_dev, true)] {
        for p in list {
            let mut pkg = package(
                Ecosystem::Packagist,
                &p.name,
                p.version.trim_start_matches('v'),
                file,
                lines.get(p.name.as_str()).copied(),
            );
            pkg.dev = Some(dev);
            if !p.license.is_empty() {
                pkg.license = Some(p.license.join(" OR "));
            }
            if let Some(dist) = &p.dist
                && dist.kind.as_deref() == Some("path")
            {
                pkg.source = Source::Path {
                    path: dist.url.clone().unwrap_or_default(),
                };
            }
            pkg.pinned = !p.version.starts_with("dev-");
            parsed.packages.push(pkg);
        }
    }
    Ok(parsed)
}

pub(super) fn parse_gradle_lockfile(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::new(file, FileKind::GradleLockfile);
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coordinates, configurations) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coordinates.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            return Err(ParseError::at(
                file,
                line_no,
                1,
                "expected group:artifact:version=configurations",
            ));
        };
        let mut pkg = package(
            Ecosystem::Maven,
            &format!("{group}:{artifact}"),
            version,
            file,
            Some(line_no),
        );
        pkg.dev = Some(
            !configurations.is_empty()
                && configurations
                    .split(',')
                    .all(|c| c.trim().to_ascii_lowercase().starts_with("test")),
        );
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemfile_lock() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.9)\n    rails (7.1.3)\n      rack (>= 2.2.4)\n\nGIT\n  remote: https://github.com/acme/gem.git\n  revision: abc123\n  specs:\n    acme (0.1.0)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  acme!\n  rails (~> 7.1)\n\nBUNDLED WITH\n   2.5.6\n";
        let parsed = parse_gemfile_lock("Gemfile.lock", text).unwrap();
        assert_eq!(parsed.packages.len(), 3);
        assert_eq!(parsed.packages[0].direct, Some(false));
        assert_eq!(parsed.packages[1].direct, Some(true));
        assert_eq!(parsed.packages[1].line, Some(5));
        assert!(matches!(parsed.packages[2].source, Source::Git { .. }));
        assert!(parse_gemfile_lock("Gemfile.lock", "GEM\n  specs:\n    broken\n").is_err());
    }

    #[test]
    fn composer_lock() {
        let text = r#"{"packages": [{"name": "monolog/monolog", "version": "3.5.0", "license": ["MIT"]}],
"packages-dev": [{"name": "phpunit/phpunit", "version": "10.5.0", "license": ["BSD-3-Clause"]}]}"#;
        let parsed = parse_composer_lock("composer.lock", text).unwrap();
        assert_eq!(parsed.packages[0].license.as_deref(), Some("MIT"));
        assert_eq!(parsed.packages[1].dev, Some(true));
        assert_eq!(parsed.packages[0].line, Some(1));
    }

    #[test]
    fn gradle_lockfile() {
        let text = "# comment\ncom.google.guava:guava:33.0.0-jre=compileClasspath,runtimeClasspath\njunit:junit:4.13.2=testCompileClasspath\nempty=\n";
        let parsed = parse_gradle_lockfile("gradle.lockfile", text).unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "com.google.guava:guava");
        assert_eq!(parsed.packages[1].dev, Some(true));
        assert!(parse_gradle_lockfile("gradle.lockfile", "nonsense\n").is_err());
    }
}

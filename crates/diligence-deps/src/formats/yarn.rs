//! JavaScript: `yarn.lock`, classic (v1) and Berry (v2+), read line by line.
//! Both put one entry per unindented `descriptors:` line with indented
//! fields below it; classic writes `version "1.0.0"`, Berry (a YAML subset)
//! writes `version: 1.0.0`. A hand-written reader keeps each entry's line.

use super::{FileKind, ParsedFile, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Package, Source};
use crate::text::strip_credentials;

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// Splits `name@range` (name may be scoped: `@scope/name@range`).
fn split_descriptor(descriptor: &str) -> (&str, &str) {
    let d = unquote(descriptor);
    match d.get(1..).and_then(|rest| rest.find('@')) {
        Some(i) => (&d[..i + 1], &d[i + 2..]),
        None => (d, ""),
    }
}

struct Entry {
    line: u32,
    name: String,
    range: String,
    version: Option<String>,
    resolved: Option<String>,
    resolution: Option<String>,
}

pub(super) fn parse(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::new(file, FileKind::YarnLock);
    let berry = text.lines().any(|l| l.trim_end() == "__metadata:");
    let mut entries: Vec<Entry> = Vec::new();
    let mut in_metadata = false;
    for (i, raw_line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw_line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            let Some(header) = line.strip_suffix(':') else {
                return Err(ParseError::at(
                    file,
                    line_no,
                    1,
                    "expected an entry header ending with ':'",
                ));
            };
            in_metadata = header == "__metadata";
            if in_metadata {
                continue;
            }
            let descriptors: Vec<&str> = header.split(", ").collect();
            let (name, range) = split_descriptor(descriptors[0]);
            if name.is_empty() || header.matches('"').count() % 2 == 1 {
                return Err(ParseError::at(file, line_no, 1, "malformed entry header"));
            }
            entries.push(Entry {
                line: line_no,
                name: name.to_owned(),
                range: range.to_owned(),
                version: None,
                resolved: None,
                resolution: None,
            });
            continue;
        }
        if in_metadata {
            if indent == 2
                && let Some(v) = line.trim().strip_prefix("version:")
            {
                parsed.format_version = Some(v.trim().to_owned());
            }
            continue;
        }
        if indent != 2 {
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            return Err(ParseError::at(
                file,
                line_no,
                1,
                "indented field before any entry",
            ));
        };
        let field = line.trim();
        let (key, value) = match field.split_once(':') {
            Some((k, v)) if berry => (k.trim(), v.trim()),
            _ => match field.split_once(' ') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (field.trim_end_matches(':'), ""),
            },
        };
        let value = unquote(value).to_owned();
        match key {
            "version" => entry.version = Some(value),
            "resolved" => entry.resolved = Some(value),
            "resolution" => entry.resolution = Some(value),
            _ => {}
        }
    }
    if !berry {
        parsed.format_version = Some("1".to_owned());
    }
    for entry in entries {
        if let Some(pkg) = to_package(file, entry)? {
            parsed.packages.push(pkg);
        }
    }
    Ok(parsed)
}

fn to_package(file: &str, entry: Entry) -> Result<Option<Package>, ParseError> {
    let Some(version) = entry.version else {
        return Err(ParseError::at(
            file,
            entry.line,
            1,
            format!("entry {} has no version", entry.name),
        ));
    };
    // Berry: the resolution names the protocol that produced the package.
    let locator = entry
        .resolution
        .as_deref()
        .map(|r| split_descriptor(r).1.to_owned())
        .unwrap_or_else(|| entry.range.clone());
    if locator.starts_with("workspace:") {
        return Ok(None);
    }
    let mut pkg = package(
        Ecosystem::Npm,
        &entry.name,
        &version,
        file,
        Some(entry.line),
    );
    pkg.source = if let Some(resolved) = &entry.resolved {
        super::npm::resolved_source(resolved)
    } else if let Some(path) = ["link:", "portal:", "file:"]
        .iter()
        .find_map(|p| locator.strip_prefix(p))
    {
        Source::Path {
            path: path.to_owned(),
        }
    } else if locator.contains("#commit=") || locator.starts_with("git") {
        let (url, reference) = match locator.split_once('#') {
            Some((u, r)) => (u, Some(r.trim_start_matches("commit=").to_owned())),
            None => (locator.as_str(), None),
        };
        Source::Git {
            url: strip_credentials(url),
            reference,
        }
    } else if locator.starts_with("http://") || locator.starts_with("https://") {
        Source::Url {
            url: strip_credentials(&locator),
        }
    } else {
        Source::Registry { url: None }
    };
    Ok(Some(pkg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826b"
  integrity sha512-abc
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.21:
  version "4.17.21"
  resolved "https://npm.corp.example/lodash/-/lodash-4.17.21.tgz"
"#;
        let parsed = parse("yarn.lock", text).unwrap();
        assert_eq!(parsed.format_version.as_deref(), Some("1"));
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "@babel/code-frame");
        assert_eq!(parsed.packages[0].version, "7.12.13");
        assert_eq!(parsed.packages[0].line, Some(5));
        assert_eq!(parsed.packages[0].source, Source::Registry { url: None });
        assert_eq!(
            parsed.packages[1].source,
            Source::Registry {
                url: Some("https://npm.corp.example".into())
            }
        );
    }

    #[test]
    fn berry() {
        let text = r#"# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"mylib@https://github.com/acme/mylib.git#commit=abc123":
  version: 1.0.0
  resolution: "mylib@https://github.com/acme/mylib.git#commit=abc123"
  languageName: node
  linkType: hard

"web@workspace:.":
  version: 0.0.0-use.local
  resolution: "web@workspace:."
  languageName: unknown
  linkType: soft
"#;
        let parsed = parse("yarn.lock", text).unwrap();
        assert_eq!(parsed.format_version.as_deref(), Some("8"));
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].name, "lodash");
        assert_eq!(parsed.packages[0].version, "4.17.21");
        assert_eq!(parsed.packages[0].line, Some(7));
        assert!(matches!(parsed.packages[1].source, Source::Git { .. }));
    }

    #[test]
    fn malformed() {
        let err = parse(
            "yarn.lock",
            "lodash@^4:\n  version \"4\"\nthis is not yarn\n",
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        let err = parse("yarn.lock", "lodash@^4:\n  resolved \"x\"\n").unwrap_err();
        assert_eq!(err.line, 1);
    }
}

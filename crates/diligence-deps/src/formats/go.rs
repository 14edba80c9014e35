//! Go: `go.mod` (read line by line, with `// indirect`, `replace` and
//! blocks) and `go.sum`. Go selects exactly the versions go.mod lists, so
//! go.mod is the inventory and go.sum the checksum file that locks it.

use std::collections::BTreeMap;

use super::{DepKind, FileKind, Manifest, ParsedFile, Requirement, package};
use crate::error::ParseError;
use crate::package::{Ecosystem, Source};

const DIRECTIVES: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "godebug",
    "tool",
    "ignore",
];

pub(super) fn parse_mod(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut manifest = Manifest {
        application: true,
        ..Manifest::default()
    };
    let mut requires: Vec<(String, String, bool, u32)> = Vec::new();
    let mut replaces: BTreeMap<String, String> = BTreeMap::new();
    let mut block: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (code, comment) = match raw.split_once("//") {
            Some((c, comment)) => (c.trim(), comment.trim()),
            None => (raw.trim(), ""),
        };
        if code.is_empty() {
            continue;
        }
        let (verb, rest) = match &block {
            Some((verb, _)) => {
                if code == ")" {
                    block = None;
                    continue;
                }
                (verb.clone(), code)
            }
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                if !DIRECTIVES.contains(&verb) {
                    return Err(ParseError::at(
                        file,
                        line_no,
                        1,
                        format!("unknown directive: {verb}"),
                    ));
                }
                let rest = rest.trim();
                if rest == "(" {
                    block = Some((verb.to_owned(), line_no));
                    continue;
                }
                (verb.to_owned(), rest)
            }
        };
        let words: Vec<&str> = rest
            .split_whitespace()
            .map(|w| w.trim_matches('"'))
            .collect();
        match verb.as_str() {
            "module" => manifest.name = words.first().map(|w| (*w).to_owned()),
            "require" => {
                let [module, version] = words[..] else {
                    return Err(ParseError::at(
                        file,
                        line_no,
                        1,
                        "require needs a module and a version",
                    ));
                };
                requires.push((
                    module.to_owned(),
                    version.to_owned(),
                    comment.contains("indirect"),
                    line_no,
                ));
            }
            "replace" => {
                if let Some(arrow) = words.iter().position(|w| *w == "=>") {
                    if let (Some(from), Some(to)) = (words.first(), words.get(arrow + 1)) {
                        replaces.insert((*from).to_owned(), (*to).to_owned());
                    }
                } else {
                    return Err(ParseError::at(file, line_no, 1, "replace needs =>"));
                }
            }
            _ => {}
        }
    }
    if let Some((verb, line)) = block {
        return Err(ParseError::at(
            file,
            line,
            1,
            format!("{verb} block is never closed"),
        ));
    }
    let mut parsed = ParsedFile::new(file, FileKind::GoMod);
    for (module, version, indirect, line) in requires {
        let source = match replaces.get(&module) {
            Some(to) if to.starts_with('.') || to.starts_with('/') => {
                Source::Path { path: to.clone() }
            }
            _ => Source::Registry { url: None },
        };
        if !indirect {
            manifest.dependencies.push(Requirement {
                name: module.clone(),
                requirement: version.clone(),
                kind: DepKind::Normal,
                source: source.clone(),
                line: Some(line),
            });
        }
        let mut pkg = package(Ecosystem::Go, &module, &version, file, Some(line));
        pkg.direct = Some(!indirect);
        pkg.source = source;
        parsed.packages.push(pkg);
    }
    parsed.direct_known = true;
    parsed.manifest = Some(manifest);
    Ok(parsed)
}

pub(super) fn parse_sum(file: &str, text: &str) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::new(file, FileKind::GoSum);
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if raw.trim().is_empty() {
            continue;
        }
        let words: Vec<&str> = raw.split_whitespace().collect();
        let [module, version, hash] = words[..] else {
            return Err(ParseError::at(
                file,
                line_no,
                1,
                "expected: module version hash",
            ));
        };
        if !hash.contains(':') {
            return Err(ParseError::at(file, line_no, 1, "malformed checksum"));
        }
        if version.ends_with("/go.mod") {
            continue;
        }
        parsed
            .packages
            .push(package(Ecosystem::Go, module, version, file, Some(line_no)));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod() {
        let text = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgolang.org/x/text v0.14.0 // indirect\n)\n\nrequire example.com/local v0.0.0\n\nreplace example.com/local => ../local\n";
        let parsed = parse_mod("go.mod", text).unwrap();
        let m = parsed.manifest.as_ref().unwrap();
        assert_eq!(m.name.as_deref(), Some("example.com/app"));
        assert_eq!(m.dependencies.len(), 2);
        assert_eq!(parsed.packages.len(), 3);
        assert_eq!(parsed.packages[0].line, Some(6));
        assert_eq!(parsed.packages[1].direct, Some(false));
        assert!(matches!(parsed.packages[2].source, Source::Path { .. }));
    }

    #[test]
    fn go_mod_malformed() {
        let err = parse_mod("go.mod", "module a\nrequire (\n\tb v1\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_mod("go.mod", "module a\nfrobnicate x\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn go_sum() {
        let text = "github.com/a/b v1.0.0 h1:abc=\ngithub.com/a/b v1.0.0/go.mod h1:def=\n";
        let parsed = parse_sum("go.sum", text).unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert!(parse_sum("go.sum", "oops\n").is_err());
    }
}

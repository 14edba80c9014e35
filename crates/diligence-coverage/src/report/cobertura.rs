//! Cobertura XML (coverage.py `coverage xml`, Jest, gcovr, many CI tools).
//!
//! Lines are merged by number across the classes of one file (hits summed);
//! a line's branches come from its `condition-coverage="50% (1/2)"`, the
//! largest seen. Methods count as functions, hit when any of their lines
//! is; a file without `<method>` elements has no function data.

use std::collections::BTreeMap;

use super::xml::{children, document, line_of, num_attr, root};
use super::{Counts, CoverageReport, FileCoverage, Format};
use crate::error::ParseError;

#[derive(Default)]
struct Acc {
    lines: BTreeMap<u64, u64>,
    branches: BTreeMap<u64, (u64, u64)>,
    methods: BTreeMap<(String, String, u64), bool>,
}

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let doc = document(data)?;
    let root = root(&doc, "coverage", "Cobertura")?;
    let mut report = CoverageReport::new(Format::Cobertura);
    for sources in children(root, "sources") {
        for source in children(sources, "source") {
            if let Some(text) = source.text().map(str::trim).filter(|t| !t.is_empty()) {
                report.sources.push(text.to_owned());
            }
        }
    }
    let mut files: BTreeMap<String, Acc> = BTreeMap::new();
    for class in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "class")
    {
        let filename = class.attribute("filename").ok_or_else(|| {
            ParseError::new(
                Some(line_of(class)),
                "<class> lacks the `filename` attribute",
            )
        })?;
        let acc = files.entry(filename.to_owned()).or_default();
        for lines in children(class, "lines") {
            for line in children(lines, "line") {
                read_line(line, acc)?;
            }
        }
        for methods in children(class, "methods") {
            for method in children(methods, "method") {
                let name = method.attribute("name").unwrap_or_default().to_owned();
                let signature = method.attribute("signature").unwrap_or_default().to_owned();
                let mut first = u64::MAX;
                let mut hit = false;
                for lines in children(method, "lines") {
                    for line in children(lines, "line") {
                        first = first.min(num_attr(line, "number", None)?);
                        hit |= num_attr(line, "hits", Some(0))? > 0;
                    }
                }
                let slot = acc.methods.entry((name, signature, first)).or_default();
                *slot |= hit;
            }
        }
    }
    let any_methods = files.values().any(|a| !a.methods.is_empty());
    let any_branches = files.values().any(|a| !a.branches.is_empty());
    for (path, acc) in files {
        let hit = acc.lines.values().filter(|&&h| h > 0).count() as u64;
        let branches = acc
            .branches
            .values()
            .fold(Counts::default(), |sum, &(covered, total)| {
                sum.plus(Counts::new(total, covered))
            });
        let methods_hit = acc.methods.values().filter(|&&h| h).count() as u64;
        report.files.insert(
            path,
            FileCoverage {
                lines: Counts::new(acc.lines.len() as u64, hit),
                branches: any_branches.then_some(branches),
                functions: any_methods.then(|| Counts::new(acc.methods.len() as u64, methods_hit)),
            },
        );
    }
    Ok(report)
}

fn read_line(line: roxmltree::Node<'_, '_>, acc: &mut Acc) -> Result<(), ParseError> {
    let number = num_attr(line, "number", None)?;
    let hits = num_attr(line, "hits", Some(0))?;
    let slot = acc.lines.entry(number).or_default();
    *slot = slot.saturating_add(hits);
    if line.attribute("branch") == Some("true")
        && let Some(cc) = line.attribute("condition-coverage")
    {
        let (covered, total) = condition_coverage(cc).ok_or_else(|| {
            ParseError::new(
                Some(super::xml::line_of(line)),
                format!("`condition-coverage` is not `N% (covered/total)`: {cc:?}"),
            )
        })?;
        let slot = acc.branches.entry(number).or_default();
        if total > slot.1 || (total == slot.1 && covered > slot.0) {
            *slot = (covered.min(total), total);
        }
    }
    Ok(())
}

/// `50% (1/2)` → `(1, 2)`.
fn condition_coverage(text: &str) -> Option<(u64, u64)> {
    let inner = text.split_once('(')?.1.split_once(')')?.0;
    let (covered, total) = inner.split_once('/')?;
    Some((covered.trim().parse().ok()?, total.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" branch-rate="0.5" lines-covered="2" lines-valid="4" version="7">
  <sources><source>/home/ci/app</source></sources>
  <packages><package name="app"><classes>
    <class name="A" filename="app/a.py" line-rate="0.5">
      <methods>
        <method name="f" signature="()V"><lines><line number="1" hits="1"/></lines></method>
        <method name="g" signature="()V"><lines><line number="3" hits="0"/></lines></method>
      </methods>
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="1" branch="true" condition-coverage="50% (1/2)"/>
        <line number="3" hits="0"/>
      </lines>
    </class>
    <class name="A$Inner" filename="app/a.py"><lines><line number="4" hits="0"/><line number="3" hits="0"/></lines></class>
  </classes></package></packages>
</coverage>"#;

    #[test]
    fn reads_lines_branches_methods() {
        let report = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(report.sources, ["/home/ci/app"]);
        let a = &report.files["app/a.py"];
        assert_eq!(a.lines, Counts::new(4, 2));
        assert_eq!(a.branches, Some(Counts::new(2, 1)));
        assert_eq!(a.functions, Some(Counts::new(2, 1)));
    }

    #[test]
    fn malformed_attributes_name_their_line() {
        let bad = SAMPLE.replace(
            r#"<line number="3" hits="0"/>
      </lines>"#,
            r#"<line number="three" hits="0"/>
      </lines>"#,
        );
        let e = parse(bad.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(14), "{e}");
        assert!(parse(b"<coverage><packages>").is_err());
        assert!(parse(b"<report/>").is_err());
    }
}

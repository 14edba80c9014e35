//! JaCoCo XML (`jacoco:report`, Gradle's `jacocoTestReport`).
//!
//! Each `<sourcefile>` of a `<package>` is one file, `package/name`; its
//! `LINE`, `BRANCH` and `METHOD` counters give lines, branches and
//! functions. Packages may sit inside `<group>` elements.

use super::xml::{children, document, line_of, num_attr, root};
use super::{Counts, CoverageReport, FileCoverage, Format, plus_opt};
use crate::error::ParseError;

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let doc = document(data)?;
    let root = root(&doc, "report", "JaCoCo")?;
    let mut report = CoverageReport::new(Format::Jacoco);
    for package in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "package")
    {
        let package_name = package.attribute("name").unwrap_or_default();
        for source in children(package, "sourcefile") {
            let name = source.attribute("name").ok_or_else(|| {
                ParseError::new(
                    Some(line_of(source)),
                    "<sourcefile> lacks the `name` attribute",
                )
            })?;
            let path = if package_name.is_empty() {
                name.to_owned()
            } else {
                format!("{package_name}/{name}")
            };
            let mut file = FileCoverage::default();
            for counter in children(source, "counter") {
                let missed = num_attr(counter, "missed", None)?;
                let covered = num_attr(counter, "covered", None)?;
                let counts = Counts::new(missed.saturating_add(covered), covered);
                match counter.attribute("type") {
                    Some("LINE") => file.lines = counts,
                    Some("BRANCH") => file.branches = Some(counts),
                    Some("METHOD") => file.functions = Some(counts),
                    _ => {}
                }
            }
            let entry = report.files.entry(path).or_default();
            entry.lines = entry.lines.plus(file.lines);
            entry.branches = plus_opt(entry.branches, file.branches);
            entry.functions = plus_opt(entry.functions, file.functions);
        }
    }
    // A method without branches has no BRANCH counter; zero, not unknown.
    if report.files.values().any(|f| f.branches.is_some()) {
        for f in report.files.values_mut() {
            f.branches.get_or_insert_default();
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sourcefile_counters() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="demo"><sessioninfo id="x" start="1" dump="2"/><package name="com/acme"><class name="com/acme/A" sourcefilename="A.java"><counter type="LINE" missed="9" covered="9"/></class><sourcefile name="A.java"><line nr="3" mi="0" ci="3" mb="0" cb="0"/><counter type="INSTRUCTION" missed="5" covered="20"/><counter type="BRANCH" missed="1" covered="3"/><counter type="LINE" missed="2" covered="6"/><counter type="METHOD" missed="1" covered="2"/></sourcefile><sourcefile name="B.java"><counter type="LINE" missed="4" covered="0"/><counter type="METHOD" missed="1" covered="0"/></sourcefile></package></report>"#;
        let report = parse(xml.as_bytes()).unwrap();
        let a = &report.files["com/acme/A.java"];
        assert_eq!(a.lines, Counts::new(8, 6));
        assert_eq!(a.branches, Some(Counts::new(4, 3)));
        assert_eq!(a.functions, Some(Counts::new(3, 2)));
        assert_eq!(
            report.files["com/acme/B.java"].branches,
            Some(Counts::default())
        );
        assert_eq!(report.totals().lines, Counts::new(12, 6));
    }

    #[test]
    fn rejects_bad_counters_and_entity_bombs() {
        let bad = r#"<report><package name="p"><sourcefile name="A.java">
<counter type="LINE" missed="x" covered="1"/></sourcefile></package></report>"#;
        assert_eq!(parse(bad.as_bytes()).unwrap_err().line, Some(2));
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE report [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]><report name="&i;"/>"#;
        assert!(parse(bomb.as_bytes()).is_err());
    }
}

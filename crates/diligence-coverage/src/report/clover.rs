//! Clover XML (Jest's `clover` reporter, PHPUnit, OpenClover).
//!
//! Each `<file>` is one source file, named by its `path` attribute when
//! present (Jest writes the absolute path there) and otherwise by `name`.
//! Its `<metrics>` give statements (reported as lines), conditionals
//! (branches) and methods (functions).

use super::xml::{children, document, line_of, num_attr, root};
use super::{Counts, CoverageReport, FileCoverage, Format};
use crate::error::ParseError;

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let doc = document(data)?;
    let root = root(&doc, "coverage", "Clover")?;
    let mut report = CoverageReport::new(Format::Clover);
    for file in root
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "file")
    {
        let path = file
            .attribute("path")
            .or_else(|| file.attribute("name"))
            .ok_or_else(|| {
                ParseError::new(Some(line_of(file)), "<file> lacks `path` and `name`")
            })?;
        let Some(metrics) = children(file, "metrics").next() else {
            continue;
        };
        let pair = |total: &str, covered: &str| -> Result<Counts, ParseError> {
            Ok(Counts::new(
                num_attr(metrics, total, Some(0))?,
                num_attr(metrics, covered, Some(0))?,
            ))
        };
        let coverage = FileCoverage {
            lines: pair("statements", "coveredstatements")?,
            branches: Some(pair("conditionals", "coveredconditionals")?),
            functions: Some(pair("methods", "coveredmethods")?),
        };
        let entry = report.files.entry(path.to_owned()).or_default();
        *entry = entry.plus(&coverage);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_file_metrics() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1700000000000" clover="3.2.0">
  <project timestamp="1700000000000" name="All files">
    <metrics statements="6" coveredstatements="4" conditionals="2" coveredconditionals="1" methods="2" coveredmethods="1" elements="10" coveredelements="6" complexity="0" loc="6" ncloc="6" packages="1" files="1" classes="1"/>
    <file name="sum.js" path="/home/ci/app/src/sum.js">
      <metrics statements="6" coveredstatements="4" conditionals="2" coveredconditionals="1" methods="2" coveredmethods="1"/>
      <line num="1" count="1" type="stmt"/>
    </file>
  </project>
</coverage>"#;
        let report = parse(xml.as_bytes()).unwrap();
        let f = &report.files["/home/ci/app/src/sum.js"];
        assert_eq!(f.lines, Counts::new(6, 4));
        assert_eq!(f.branches, Some(Counts::new(2, 1)));
        assert_eq!(f.functions, Some(Counts::new(2, 1)));
    }

    #[test]
    fn rejects_bad_metrics() {
        let xml = "<coverage clover=\"3\"><project>\n<file name=\"a.js\"><metrics statements=\"-2\"/></file></project></coverage>";
        assert_eq!(parse(xml.as_bytes()).unwrap_err().line, Some(2));
    }
}

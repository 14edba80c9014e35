//! coverage.py JSON (`coverage json`).
//!
//! Per file, `summary.covered_lines` of `summary.num_statements` (so
//! statements, reported as lines), and `covered_branches` of `num_branches`
//! when the run measured branches. Format 3 (coverage.py 7.5 and later)
//! also lists functions: a function with statements counts as hit when any
//! of them ran; the module-level entry (`""`) is not a function.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Counts, CoverageReport, FileCoverage, Format, line_u32, utf8};
use crate::error::ParseError;

#[derive(Deserialize)]
struct Report {
    meta: Meta,
    files: BTreeMap<String, File>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    branch_coverage: bool,
}

#[derive(Deserialize)]
struct File {
    summary: Summary,
    #[serde(default)]
    functions: Option<BTreeMap<String, Function>>,
}

#[derive(Deserialize)]
struct Function {
    summary: Summary,
}

#[derive(Deserialize)]
struct Summary {
    covered_lines: u64,
    num_statements: u64,
    #[serde(default)]
    num_branches: Option<u64>,
    #[serde(default)]
    covered_branches: Option<u64>,
}

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let text = utf8(data)?;
    let parsed: Report = serde_json::from_str(text).map_err(|e| {
        ParseError::new(
            Some(line_u32(e.line())),
            format!("invalid coverage.py JSON: {e}"),
        )
    })?;
    let mut report = CoverageReport::new(Format::CoveragePy);
    for (path, file) in parsed.files {
        let s = &file.summary;
        let branches = match (
            parsed.meta.branch_coverage,
            s.num_branches,
            s.covered_branches,
        ) {
            (true, Some(total), Some(covered)) => Some(Counts::new(total, covered)),
            _ => None,
        };
        let functions = file.functions.map(|functions| {
            let mut counts = Counts::default();
            for (name, f) in functions {
                if name.is_empty() || f.summary.num_statements == 0 {
                    continue;
                }
                counts = counts.plus(Counts::new(1, u64::from(f.summary.covered_lines > 0)));
            }
            counts
        });
        report.files.insert(
            path,
            FileCoverage {
                lines: Counts::new(s.num_statements, s.covered_lines),
                branches,
                functions,
            },
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_summaries() {
        let json = r#"{"meta": {"format": 3, "version": "7.6.1", "branch_coverage": true},
 "files": {"app/calc.py": {"executed_lines": [1, 2], "summary": {"covered_lines": 2, "num_statements": 4, "percent_covered": 50.0, "missing_lines": 2, "excluded_lines": 0, "num_branches": 2, "num_partial_branches": 1, "covered_branches": 1, "missing_branches": 1},
 "functions": {"add": {"summary": {"covered_lines": 1, "num_statements": 1}}, "sub": {"summary": {"covered_lines": 0, "num_statements": 1}}, "": {"summary": {"covered_lines": 1, "num_statements": 2}}}}},
 "totals": {}}"#;
        let report = parse(json.as_bytes()).unwrap();
        let f = &report.files["app/calc.py"];
        assert_eq!(f.lines, Counts::new(4, 2));
        assert_eq!(f.branches, Some(Counts::new(2, 1)));
        assert_eq!(f.functions, Some(Counts::new(2, 1)));
    }

    #[test]
    fn rejects_truncated_json() {
        let e = parse(b"{\"meta\": {},\n\"files\": {\"a.py\": {\"summary\": ").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}

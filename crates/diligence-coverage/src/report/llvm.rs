//! `llvm-cov export` JSON (`cargo llvm-cov --json`, `llvm-cov export -format=text`).
//!
//! Each file's `summary` gives lines, functions and branches. Several
//! `data` entries (one per binary) naming the same file are summed, as
//! `llvm-cov` does not merge across exports. A report whose branch counts
//! are all zero was made without branch instrumentation: no branch data.

use serde::Deserialize;

use super::{Counts, CoverageReport, FileCoverage, Format, line_u32, utf8};
use crate::error::ParseError;

#[derive(Deserialize)]
struct Export {
    #[serde(rename = "type")]
    kind: String,
    data: Vec<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    summary: Summary,
}

#[derive(Deserialize)]
struct Summary {
    lines: Pair,
    #[serde(default)]
    functions: Option<Pair>,
    #[serde(default)]
    branches: Option<Pair>,
}

#[derive(Deserialize)]
struct Pair {
    count: u64,
    covered: u64,
}

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let text = utf8(data)?;
    let export: Export = serde_json::from_str(text).map_err(|e| {
        ParseError::new(
            Some(line_u32(e.line())),
            format!("invalid llvm-cov JSON: {e}"),
        )
    })?;
    if export.kind != "llvm.coverage.json.export" {
        return Err(ParseError::new(
            None,
            format!(
                "`type` is {:?}, not \"llvm.coverage.json.export\"",
                export.kind
            ),
        ));
    }
    let mut report = CoverageReport::new(Format::LlvmJson);
    for data in export.data {
        for file in data.files {
            let s = file.summary;
            let coverage = FileCoverage {
                lines: Counts::new(s.lines.count, s.lines.covered),
                branches: s.branches.map(|p| Counts::new(p.count, p.covered)),
                functions: s.functions.map(|p| Counts::new(p.count, p.covered)),
            };
            let entry = report.files.entry(file.filename).or_default();
            *entry = entry.plus(&coverage);
        }
    }
    if report
        .files
        .values()
        .all(|f| f.branches.is_none_or(|b| b.found == 0))
    {
        report.files.values_mut().for_each(|f| f.branches = None);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_file_summaries() {
        let json = r#"{"data":[{"files":[{"filename":"/w/src/lib.rs","summary":{"branches":{"count":0,"covered":0,"notcovered":0,"percent":0},"functions":{"count":4,"covered":3,"percent":75},"instantiations":{"count":4,"covered":3,"percent":75},"lines":{"count":20,"covered":15,"percent":75},"regions":{"count":10,"covered":8,"notcovered":2,"percent":80}}}],"totals":{}}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        let report = parse(json.as_bytes()).unwrap();
        let f = &report.files["/w/src/lib.rs"];
        assert_eq!(f.lines, Counts::new(20, 15));
        assert_eq!(f.functions, Some(Counts::new(4, 3)));
        assert_eq!(f.branches, None);
    }

    #[test]
    fn rejects_other_json() {
        let e = parse(b"{\"type\": \"x\", \"data\": []}").unwrap_err();
        assert!(e.message.contains("llvm.coverage.json.export"));
        let e = parse(b"{\n\"type\": \"llvm.coverage.json.export\",\n\"data\": [{\"files\": [{\"filename\": 3}]}]}").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}

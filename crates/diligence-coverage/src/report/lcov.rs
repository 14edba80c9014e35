//! LCOV tracefiles, read the way `lcov --summary` reads them.
//!
//! Records of the same source file are merged, as lcov merges them: line
//! hits and branch hits are summed by line (by line, block and branch for
//! branches), function hits by function name. Totals then count distinct
//! lines, branches and functions, and those hit at least once. The summary
//! records (`LF`, `LH`, `FNF`, ...) are ignored, as lcov ignores them.
//! Unknown records are skipped, so newer writers still parse.

use std::collections::BTreeMap;

use super::{Counts, CoverageReport, FileCoverage, Format, line_u32, utf8};
use crate::error::ParseError;

#[derive(Default)]
struct Accumulator {
    lines: BTreeMap<u32, u64>,
    /// `(line, block, branch)` → taken; `None` for `-` (never evaluated).
    branches: BTreeMap<(u32, String, String), Option<u64>>,
    functions: BTreeMap<String, u64>,
}

impl Accumulator {
    fn coverage(&self) -> FileCoverage {
        let hit_lines = self.lines.values().filter(|&&c| c > 0).count() as u64;
        let branch_hit = self
            .branches
            .values()
            .filter(|t| t.is_some_and(|t| t > 0))
            .count() as u64;
        let fn_hit = self.functions.values().filter(|&&c| c > 0).count() as u64;
        FileCoverage {
            lines: Counts::new(self.lines.len() as u64, hit_lines),
            branches: Some(Counts::new(self.branches.len() as u64, branch_hit)),
            functions: Some(Counts::new(self.functions.len() as u64, fn_hit)),
        }
    }
}

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let text = utf8(data)?;
    let mut files: BTreeMap<String, Accumulator> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut records = 0usize;
    for (index, raw) in text.lines().enumerate() {
        let line_no = line_u32(index + 1);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: &str| ParseError::new(Some(line_no), message);
        let (tag, value) = line.split_once(':').unwrap_or((line, ""));
        match tag {
            "SF" => {
                if value.is_empty() {
                    return Err(err("`SF` record without a path"));
                }
                files.entry(value.to_owned()).or_default();
                current = Some(value.to_owned());
                records += 1;
            }
            "end_of_record" => current = None,
            "DA" | "FN" | "FNDA" | "BRDA" => {
                let Some(path) = current.as_ref() else {
                    return Err(err(&format!(
                        "`{tag}` record outside a file record (no `SF` before it)"
                    )));
                };
                let acc = files.entry(path.clone()).or_default();
                match tag {
                    "DA" => {
                        let mut parts = value.split(',');
                        let line = number(parts.next(), "`DA` line number").map_err(|m| err(&m))?;
                        let count =
                            count(parts.next(), "`DA` execution count").map_err(|m| err(&m))?;
                        let slot = acc.lines.entry(line_u32_of(line)).or_default();
                        *slot = slot.saturating_add(count);
                    }
                    "FN" => {
                        // `FN:line,name` or, since lcov 2, `FN:line,end,name`.
                        let mut parts = value.splitn(2, ',');
                        number(parts.next(), "`FN` line number").map_err(|m| err(&m))?;
                        let rest = parts
                            .next()
                            .filter(|n| !n.is_empty())
                            .ok_or_else(|| err("`FN` record needs `line,name`"))?;
                        let name = match rest.split_once(',') {
                            Some((end, name)) if end.bytes().all(|b| b.is_ascii_digit()) => name,
                            _ => rest,
                        };
                        acc.functions.entry(name.to_owned()).or_default();
                    }
                    "FNDA" => {
                        let (hits, name) = value
                            .split_once(',')
                            .filter(|(_, n)| !n.is_empty())
                            .ok_or_else(|| err("`FNDA` record needs `count,name`"))?;
                        let hits =
                            count(Some(hits), "`FNDA` execution count").map_err(|m| err(&m))?;
                        let slot = acc.functions.entry(name.to_owned()).or_default();
                        *slot = slot.saturating_add(hits);
                    }
                    _ => {
                        let parts: Vec<&str> = value.splitn(4, ',').collect();
                        let [line, block, branch, taken] = parts[..] else {
                            return Err(err("`BRDA` record needs `line,block,branch,taken`"));
                        };
                        let line = number(Some(line), "`BRDA` line number").map_err(|m| err(&m))?;
                        let taken = match taken {
                            "-" => None,
                            t => Some(count(Some(t), "`BRDA` taken count").map_err(|m| err(&m))?),
                        };
                        let slot = acc
                            .branches
                            .entry((line_u32_of(line), block.to_owned(), branch.to_owned()))
                            .or_insert(None);
                        *slot = match (*slot, taken) {
                            (Some(a), Some(b)) => Some(a.saturating_add(b)),
                            (a, b) => a.or(b),
                        };
                    }
                }
            }
            // Summaries, test names, checksums and records of newer writers.
            _ => {}
        }
    }
    if records == 0 {
        return Err(ParseError::new(
            None,
            "no `SF` record: not an LCOV tracefile",
        ));
    }
    let mut report = CoverageReport::new(Format::Lcov);
    report.files = files
        .into_iter()
        .map(|(path, acc)| (path, acc.coverage()))
        .collect();
    // Branch and function data are absent, not zero, when no record has any.
    if report
        .files
        .values()
        .all(|f| f.branches.is_some_and(|b| b.found == 0))
    {
        report.files.values_mut().for_each(|f| f.branches = None);
    }
    if report
        .files
        .values()
        .all(|f| f.functions.is_some_and(|b| b.found == 0))
    {
        report.files.values_mut().for_each(|f| f.functions = None);
    }
    Ok(report)
}

fn line_u32_of(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn number(field: Option<&str>, what: &str) -> Result<u64, String> {
    let field = field.map(str::trim).unwrap_or_default();
    field
        .parse::<u64>()
        .map_err(|_| format!("{what} is not a whole number: {field:?}"))
}

/// An execution count. Some gcov versions write negative counts on
/// overflow; lcov treats them as an error too.
fn count(field: Option<&str>, what: &str) -> Result<u64, String> {
    let field = field.map(str::trim).unwrap_or_default();
    // geninfo may write large counts in exponent form (`1.2e+07`).
    if let Ok(n) = field.parse::<u64>() {
        return Ok(n);
    }
    match field.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f as u64),
        _ => Err(format!("{what} is not a non-negative number: {field:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_records_of_one_file() {
        let text = "TN:\nSF:src/a.c\nFN:1,main\nFNDA:1,main\nFN:5,f\nFNDA:0,f\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\nSF:src/a.c\nDA:2,3\nDA:3,0\nBRDA:2,0,1,2\nend_of_record\n";
        let report = parse(text.as_bytes()).unwrap();
        let a = &report.files["src/a.c"];
        assert_eq!(a.lines, Counts::new(3, 2));
        assert_eq!(a.branches, Some(Counts::new(2, 2)));
        assert_eq!(a.functions, Some(Counts::new(2, 1)));
    }

    #[test]
    fn malformed_records_name_their_line() {
        let e = parse(b"SF:a.c\nDA:1,1\nDA:x,1\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("DA"), "{e}");
        let e = parse(b"DA:1,1\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert_eq!(parse(b"DA:1,-1\n").unwrap_err().line, Some(1));
        assert!(parse(b"hello\n").is_err());
        assert!(parse(b"SF:a\nDA:1,\xff\n").is_err());
    }

    #[test]
    fn absent_branch_data_is_none() {
        let report = parse(b"SF:a.c\nDA:1,1\nend_of_record\n").unwrap();
        assert_eq!(report.files["a.c"].branches, None);
        assert_eq!(report.files["a.c"].functions, None);
    }
}

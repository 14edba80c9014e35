//! Go cover profiles (`go test -coverprofile=cover.out`).
//!
//! A profile counts statements per block: `file.go:l1.c1,l2.c2 stmts count`.
//! Blocks listed more than once (profiles of several packages concatenated)
//! are merged as `go tool cover` merges them: in `set` mode a block is hit
//! if any copy is, otherwise counts are summed. Statements are reported as
//! lines: `go tool cover -func` reports the same statement ratio.

use std::collections::BTreeMap;

use super::{Counts, CoverageReport, FileCoverage, Format, line_u32, utf8};
use crate::error::ParseError;

type Block = (u32, u32, u32, u32);

pub(super) fn parse(data: &[u8]) -> Result<CoverageReport, ParseError> {
    let text = utf8(data)?;
    let mut lines = text.lines().enumerate();
    let set_mode = match lines.next().map(|(_, l)| l.trim()) {
        Some("mode: set") => true,
        Some("mode: count" | "mode: atomic") => false,
        _ => {
            return Err(ParseError::new(
                Some(1),
                "a Go cover profile starts with `mode: set`, `mode: count` or `mode: atomic`",
            ));
        }
    };
    let mut files: BTreeMap<String, BTreeMap<Block, (u64, u64)>> = BTreeMap::new();
    for (index, raw) in lines {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        // Concatenated profiles repeat the mode line.
        if line.starts_with("mode:") {
            continue;
        }
        let err = |m: &str| ParseError::new(Some(line_u32(index + 1)), m.to_owned());
        let shape = "a block line is `file.go:line.col,line.col statements count`";
        let (name, rest) = line.rsplit_once(':').ok_or_else(|| err(shape))?;
        let mut fields = rest.split_whitespace();
        let (range, stmts, count) =
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some(r), Some(s), Some(c), None) => (r, s, c),
                _ => return Err(err(shape)),
            };
        let block = parse_range(range).ok_or_else(|| err(shape))?;
        let stmts: u64 = stmts.parse().map_err(|_| err(shape))?;
        let count: u64 = count.parse().map_err(|_| err(shape))?;
        let slot = files
            .entry(name.to_owned())
            .or_default()
            .entry(block)
            .or_insert((stmts, 0));
        if slot.0 != stmts {
            return Err(err(
                "the same block is listed with different statement counts",
            ));
        }
        slot.1 = if set_mode {
            slot.1.max(count)
        } else {
            slot.1.saturating_add(count)
        };
    }
    let mut report = CoverageReport::new(Format::GoCover);
    for (name, blocks) in files {
        let mut counts = Counts::default();
        for (stmts, count) in blocks.values() {
            counts = counts.plus(Counts::new(*stmts, if *count > 0 { *stmts } else { 0 }));
        }
        report.files.insert(
            name,
            FileCoverage {
                lines: counts,
                branches: None,
                functions: None,
            },
        );
    }
    Ok(report)
}

fn parse_range(text: &str) -> Option<Block> {
    let (start, end) = text.split_once(',')?;
    let (l1, c1) = start.split_once('.')?;
    let (l2, c2) = end.split_once('.')?;
    Some((
        l1.parse().ok()?,
        c1.parse().ok()?,
        l2.parse().ok()?,
        c2.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_repeated_blocks() {
        let text = "mode: set\nexample.com/m/calc.go:3.24,5.2 1 1\nexample.com/m/calc.go:7.24,8.12 1 0\nexample.com/m/calc.go:8.12,10.3 2 0\nmode: set\nexample.com/m/calc.go:8.12,10.3 2 1\n";
        let report = parse(text.as_bytes()).unwrap();
        assert_eq!(
            report.files["example.com/m/calc.go"].lines,
            Counts::new(4, 3)
        );
    }

    #[test]
    fn rejects_bad_lines() {
        assert_eq!(parse(b"cover\n").unwrap_err().line, Some(1));
        let e = parse(b"mode: count\na.go:1.1,2.2 1 1\na.go:1.1 1\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = parse(b"mode: count\na.go:1.1,2.2 1 1\na.go:1.1,2.2 2 1\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}

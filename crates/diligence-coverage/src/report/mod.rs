//! Coverage reports: one parser per format, one model for all of them.
//!
//! Every parser returns a [`CoverageReport`]: per file, lines (or
//! statements, for formats that only count statements), and branches and
//! functions where the format records them. Paths are kept as the report
//! wrote them; [`crate::paths`] maps them to repository files.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::ParseError;

mod clover;
mod cobertura;
mod coveragepy;
mod gocover;
mod jacoco;
mod lcov;
mod llvm;
mod xml;

/// A coverage report format.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum Format {
    /// LCOV tracefile (`lcov.info`): `geninfo`, `c8`, Jest, `cargo llvm-cov --lcov`.
    Lcov,
    /// Cobertura XML (`coverage.xml`): coverage.py, Jest, many CI tools.
    Cobertura,
    /// JaCoCo XML report.
    Jacoco,
    /// `llvm-cov export` JSON (`cargo llvm-cov --json`).
    LlvmJson,
    /// Go cover profile (`go test -coverprofile`); counts statements.
    GoCover,
    /// Clover XML (Jest, PHPUnit, OpenClover); counts statements.
    Clover,
    /// coverage.py JSON (`coverage json`); counts statements.
    CoveragePy,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Self; 7] = [
        Self::Lcov,
        Self::Cobertura,
        Self::Jacoco,
        Self::LlvmJson,
        Self::GoCover,
        Self::Clover,
        Self::CoveragePy,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lcov => "lcov",
            Self::Cobertura => "cobertura",
            Self::Jacoco => "jacoco",
            Self::LlvmJson => "llvm-cov-json",
            Self::GoCover => "go-cover",
            Self::Clover => "clover",
            Self::CoveragePy => "coverage-py-json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Covered out of total.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Counts {
    /// Instrumented items (lines, branches, functions).
    pub found: u64,
    /// Items executed at least once.
    pub hit: u64,
}

impl Counts {
    /// A pair, with `hit` clamped to `found` so a corrupt report cannot
    /// claim more than everything.
    pub fn new(found: u64, hit: u64) -> Self {
        Self {
            found,
            hit: hit.min(found),
        }
    }

    /// Items not executed.
    pub fn missed(self) -> u64 {
        self.found - self.hit
    }

    /// The sum of two counts (saturating).
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            found: self.found.saturating_add(other.found),
            hit: self.hit.saturating_add(other.hit),
        }
    }

    /// Coverage in tenths of a per cent, rounded down; `None` without data.
    pub fn permille(self) -> Option<u64> {
        (self.found > 0).then(|| self.hit.saturating_mul(1000) / self.found)
    }

    /// `12.3%`, or `n/a` without data.
    pub fn percent_text(self) -> String {
        match self.permille() {
            Some(p) => format!("{}.{}%", p / 10, p % 10),
            None => "n/a".to_owned(),
        }
    }
}

/// Adds two optional counts: `None` only when both are.
pub(crate) fn plus_opt(a: Option<Counts>, b: Option<Counts>) -> Option<Counts> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.plus(b)),
        (a, b) => a.or(b),
    }
}

/// Coverage of one source file.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct FileCoverage {
    /// Lines, or statements for Go profiles, Clover and coverage.py.
    pub lines: Counts,
    /// Branches (conditions), when the format records them.
    pub branches: Option<Counts>,
    /// Functions or methods, when the format records them.
    pub functions: Option<Counts>,
}

impl FileCoverage {
    /// The sum of two files' counts.
    #[must_use]
    pub fn plus(&self, other: &Self) -> Self {
        Self {
            lines: self.lines.plus(other.lines),
            branches: plus_opt(self.branches, other.branches),
            functions: plus_opt(self.functions, other.functions),
        }
    }
}

/// One parsed report.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CoverageReport {
    /// Its format.
    pub format: Format,
    /// Coverage by path as the report wrote it (Windows separators and all).
    pub files: BTreeMap<String, FileCoverage>,
    /// Source roots the report names (Cobertura `<source>`), used to map
    /// relative paths.
    pub sources: Vec<String>,
}

impl CoverageReport {
    pub(crate) fn new(format: Format) -> Self {
        Self {
            format,
            files: BTreeMap::new(),
            sources: Vec::new(),
        }
    }

    /// The sum over all files.
    pub fn totals(&self) -> FileCoverage {
        self.files
            .values()
            .fold(FileCoverage::default(), |acc, f| acc.plus(f))
    }
}

/// Guesses a report's format from its file name and first bytes; `None`
/// when the content is not a coverage report this crate reads.
pub fn detect_format(name: &str, data: &[u8]) -> Option<Format> {
    let head = &data[..data.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        // The root element decides; skip the prolog, comments and DOCTYPE.
        let root = xml_root_name(text)?;
        return match root {
            "report" => Some(Format::Jacoco),
            "coverage" if text.contains("<project") || text.contains("clover=") => {
                Some(Format::Clover)
            }
            "coverage" => Some(Format::Cobertura),
            _ => None,
        };
    }
    if text.starts_with('{') {
        if text.contains("llvm.coverage.json.export") {
            return Some(Format::LlvmJson);
        }
        // coverage.py writes `meta` first; the parser checks the rest.
        return text.contains("\"meta\"").then_some(Format::CoveragePy);
    }
    if text.starts_with("mode:") {
        return Some(Format::GoCover);
    }
    let first = text.lines().next().unwrap_or_default();
    let lcov_start = ["TN:", "SF:", "VER:"].iter().any(|p| first.starts_with(p));
    if lcov_start {
        return Some(Format::Lcov);
    }
    let lower = name.to_ascii_lowercase();
    if (lower.ends_with(".info") || lower.ends_with(".lcov")) && text.contains("\nSF:") {
        return Some(Format::Lcov);
    }
    None
}

/// The name of the first element of an XML text, skipping the declaration,
/// comments, processing instructions and the DOCTYPE.
fn xml_root_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>")? + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if let Some(after) = rest.strip_prefix("<!") {
            // A DOCTYPE may carry an internal subset: `[ ... ]>`.
            let close = after.find('>')?;
            rest = match after.find('[') {
                Some(open) if open < close => {
                    let end = after[open..].find("]")? + open;
                    &after[end + after[end..].find('>')? + 1..]
                }
                _ => &after[close + 1..],
            };
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            return Some(&after[..end]);
        } else {
            return None;
        }
    }
}

/// Parses a report in a known format.
pub fn parse_as(format: Format, data: &[u8]) -> Result<CoverageReport, ParseError> {
    match format {
        Format::Lcov => lcov::parse(data),
        Format::Cobertura => cobertura::parse(data),
        Format::Jacoco => jacoco::parse(data),
        Format::LlvmJson => llvm::parse(data),
        Format::GoCover => gocover::parse(data),
        Format::Clover => clover::parse(data),
        Format::CoveragePy => coveragepy::parse(data),
    }
}

/// Detects the format from the name and content, then parses.
pub fn parse_report(name: &str, data: &[u8]) -> Result<CoverageReport, ParseError> {
    let format = detect_format(name, data)
        .ok_or_else(|| ParseError::new(None, "not a coverage report in a known format"))?;
    parse_as(format, data)
}

/// The text of a report, or an error naming the first invalid byte's line.
pub(crate) fn utf8(data: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(data).map_err(|e| {
        let line = data[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ParseError::new(Some(line_u32(line)), "not valid UTF-8")
    })
}

pub(crate) fn line_u32(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_by_content() {
        let cases: [(&str, &str, Option<Format>); 9] = [
            ("lcov.info", "TN:\nSF:a.c\n", Some(Format::Lcov)),
            ("x.info", "# c\nSF:a.c\n", Some(Format::Lcov)),
            ("cover.out", "mode: set\n", Some(Format::GoCover)),
            (
                "coverage.xml",
                "<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM \"x\">\n<coverage line-rate=\"1\">",
                Some(Format::Cobertura),
            ),
            (
                "clover.xml",
                "<?xml version=\"1.0\"?><coverage generated=\"1\" clover=\"3\"><project>",
                Some(Format::Clover),
            ),
            (
                "jacoco.xml",
                "<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\">",
                Some(Format::Jacoco),
            ),
            (
                "cov.json",
                "{\"data\":[],\"type\":\"llvm.coverage.json.export\"}",
                Some(Format::LlvmJson),
            ),
            (
                "coverage.json",
                "{\"meta\": {\"format\": 3}, \"files\": {}}",
                Some(Format::CoveragePy),
            ),
            ("package.json", "{\"name\": \"x\"}", None),
        ];
        for (name, text, want) in cases {
            assert_eq!(detect_format(name, text.as_bytes()), want, "{name}");
        }
        assert_eq!(detect_format("README.md", b"# hello"), None);
        assert_eq!(detect_format("a.xml", b"<html>"), None);
    }

    #[test]
    fn counts_clamp_and_format() {
        assert_eq!(Counts::new(3, 5), Counts { found: 3, hit: 3 });
        assert_eq!(Counts::new(3, 1).percent_text(), "33.3%");
        assert_eq!(Counts::default().percent_text(), "n/a");
        assert_eq!(
            plus_opt(None, Some(Counts::new(2, 1))),
            Some(Counts::new(2, 1))
        );
    }
}

//! Small text helpers shared by the parsers: byte offsets to line numbers,
//! and the first line on which a JSON string literal appears.

use std::collections::HashMap;

/// Maps byte offsets to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// The 1-based line and column of byte `offset`.
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.line_of(offset);
        let start = self.starts[(line as usize).saturating_sub(1)];
        let column = u32::try_from(offset.saturating_sub(start) + 1).unwrap_or(u32::MAX);
        (line, column)
    }
}

/// The first line on which each JSON string literal (key or value) appears,
/// keyed by its raw text between the quotes. One linear pass, so locating
/// thousands of packages in a large lockfile stays cheap.
pub(crate) fn json_string_lines(text: &str) -> HashMap<&str, u32> {
    let bytes = text.as_bytes();
    let mut map = HashMap::new();
    let mut line = 1u32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    } else if bytes[j] == b'\n' {
                        break;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                if let Some(s) = text.get(start..end) {
                    map.entry(s).or_insert(line);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    map
}

/// The first line (1-based) whose trimmed text satisfies `pred`, starting at
/// line `from` (1-based).
pub(crate) fn find_line(text: &str, from: u32, pred: impl Fn(&str) -> bool) -> Option<u32> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1) as usize)
        .find(|(_, l)| pred(l.trim()))
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// Removes user information (the `user:password@` part) from a URL, so
/// credentials never reach a report.
pub(crate) fn strip_credentials(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_positions() {
        let lines = Lines::new("ab\ncd\n\nef");
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(3), 2);
        assert_eq!(lines.position(4), (2, 2));
        assert_eq!(lines.line_of(7), 4);
    }

    #[test]
    fn json_lines_first_occurrence() {
        let map = json_string_lines("{\n \"a\": \"b\",\n \"c\\\"d\": \"a\"\n}");
        assert_eq!(map.get("a"), Some(&2));
        assert_eq!(map.get("b"), Some(&2));
        assert_eq!(map.get("c\\\"d"), Some(&3));
    }

    #[test]
    fn credentials_are_removed() {
        assert_eq!(
            strip_credentials("https://u:secret@example.com/a@b"),
            "https://example.com/a@b"
        );
        assert_eq!(
            strip_credentials("git@github.com:a/b"),
            "git@github.com:a/b"
        );
    }
}

//! Escaping evidence text for Markdown.
//!
//! Evidence text (finding messages, paths, table cells from collectors,
//! framework wording) is untrusted: it may hold `|`, newlines, HTML or
//! Markdown syntax. [`inline`] turns any string into one line of literal
//! CommonMark text that is safe in a paragraph, a list item, a heading or a
//! GFM table cell.

/// Escapes `text` so that it renders literally on one line.
///
/// Line breaks and other control characters become spaces (so nothing can
/// end a table row or open a block), every character with inline meaning is
/// backslash-escaped (`\`, `` ` ``, `*`, `_`, `[`, `]`, `<`, `>`, `|`, `~`,
/// `&`, `!`, `#`), and a leading character that could open a block (`-`,
/// `+`, `=`, an ordered-list number) is escaped too.
pub(crate) fn inline(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = flat.trim();
    let mut out = String::with_capacity(trimmed.len() + 8);
    for (i, c) in trimmed.char_indices() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => true,
            '-' | '+' | '=' => i == 0,
            '.' | ')' => {
                ordered_list_marker(&trimmed[..i])
                    && trimmed[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace)
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `prefix` (the text before a `.` or `)` that ends the text or is
/// followed by a space) is the number of an ordered list item.
fn ordered_list_marker(prefix: &str) -> bool {
    !prefix.is_empty() && prefix.len() <= 9 && prefix.bytes().all(|b| b.is_ascii_digit())
}

/// A code span for text made only of characters that are safe inside one
/// (ids, hexadecimal commit ids, simple paths); anything else falls back to
/// [`inline`] so that a stray backtick or pipe cannot escape.
pub(crate) fn code(text: &str) -> String {
    let safe = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':' | '*' | '@' | '+')
        });
    if safe {
        format!("`{text}`")
    } else {
        inline(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_and_escapes() {
        assert_eq!(inline("a | b\nc"), "a \\| b c");
        assert_eq!(inline("# title"), "\\# title");
        assert_eq!(inline("<script>"), "\\<script\\>");
        assert_eq!(inline("`x`"), "\\`x\\`");
        assert_eq!(inline("12. item"), "12\\. item");
        assert_eq!(inline("v1.2"), "v1.2");
        assert_eq!(inline("1.0.0"), "1.0.0");
        assert_eq!(inline("3)"), "3\\)");
        assert_eq!(inline("a-b # c"), "a-b \\# c");
        assert_eq!(inline("- item"), "\\- item");
    }

    #[test]
    fn code_only_for_safe_text() {
        assert_eq!(code("git.commits"), "`git.commits`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(code(""), "");
    }
}

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
    let flat = flatten(text);
    escape_part(flat.trim(), true)
}

/// Control characters as spaces.
fn flatten(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Escapes one piece of a line; `at_start` when it opens the line, where
/// block markers need escaping too.
fn escape_part(text: &str, at_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => true,
            '-' | '+' | '=' => i == 0 && at_start,
            '.' | ')' => {
                at_start
                    && ordered_list_marker(&text[..i])
                    && text[i + 1..].chars().next().is_none_or(char::is_whitespace)
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

/// Like [`inline`], but text between a pair of backticks (framework
/// wording such as "commit only a `.env.example`") becomes a code span
/// when it is safe in one; anything else reads literally.
pub(crate) fn inline_code(text: &str) -> String {
    let flat = flatten(text);
    let trimmed = flat.trim();
    let pieces: Vec<&str> = trimmed.split('`').collect();
    // An odd number of pieces means paired backticks.
    if pieces.len() < 3 || pieces.len().is_multiple_of(2) {
        return inline(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len() + 8);
    for (i, piece) in pieces.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape_part(piece, i == 0));
        } else if !piece.is_empty()
            && !piece.contains('|')
            && !piece.starts_with(' ')
            && !piece.ends_with(' ')
        {
            out.push('`');
            out.push_str(piece);
            out.push('`');
        } else {
            out.push_str("\\`");
            out.push_str(&escape_part(piece, false));
            out.push_str("\\`");
        }
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
    fn backticked_words_become_code_spans() {
        assert_eq!(
            inline_code("add `.env` to `.gitignore`"),
            "add `.env` to `.gitignore`"
        );
        assert_eq!(inline_code("not `*`"), "not `*`");
        assert_eq!(inline_code("odd ` tick"), "odd \\` tick");
        assert_eq!(inline_code("a `x|y` b"), "a \\`x\\|y\\` b");
        assert_eq!(inline_code("- `a` * b"), "\\- `a` \\* b");
        for (input, literal) in [
            ("add `.env` to `.gitignore`", "add .env to .gitignore"),
            ("not `*` | `<b>`", "not * | <b>"),
            ("a `x|y` b", "a `x|y` b"),
            ("`` x", "`` x"),
            ("1. `a`", "1. a"),
        ] {
            assert_eq!(
                cell_text(input, inline_code).as_deref(),
                Some(literal),
                "{input:?}"
            );
        }
    }

    #[test]
    fn code_only_for_safe_text() {
        assert_eq!(code("git.commits"), "`git.commits`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(code(""), "");
    }

    /// The literal text of a one-cell table whose cell is `escape(text)`,
    /// or `None` when the cell did not survive as one cell of one row.
    fn cell_text(text: &str, escape: fn(&str) -> String) -> Option<String> {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        let doc = format!("| h |\n| --- |\n| {} |\n", escape(text));
        let (mut cells, mut rows, mut out) = (0, 0, String::new());
        let mut in_body_cell = false;
        let mut in_head = false;
        for event in Parser::new_ext(&doc, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows += 1,
                Event::Start(Tag::TableCell) if !in_head => {
                    cells += 1;
                    in_body_cell = true;
                }
                Event::End(TagEnd::TableCell) => in_body_cell = false,
                Event::Text(t) | Event::Code(t) if in_body_cell => out.push_str(&t),
                Event::Text(_) | Event::End(_) | Event::Start(Tag::Table(_) | Tag::TableCell) => {}
                _ => return None,
            }
        }
        (rows == 1 && cells == 1).then_some(out)
    }

    #[test]
    fn any_punctuation_reads_literally_in_a_cell() {
        let punctuation: Vec<char> = (b'!'..=b'~')
            .map(char::from)
            .filter(char::is_ascii_punctuation)
            .collect();
        let mut inputs: Vec<String> = Vec::new();
        for &a in &punctuation {
            inputs.push(a.to_string());
            inputs.push(format!("{a}{a}{a} x"));
            inputs.push(format!("x {a}y{a} z"));
            for &b in &punctuation {
                inputs.push(format!("{a}x{b}"));
            }
        }
        inputs.extend(
            [
                "1. item",
                "10) item",
                "a\nb",
                "<script>alert(1)</script>",
                "<!-- c -->",
                "&amp; &#42;",
                "[l](http://x)",
                "![i](x.png)",
                "http://example.com",
                "`` x ``",
                "a\\|b",
            ]
            .map(String::from),
        );
        for input in inputs {
            let expected = input.replace('\n', " ").trim().to_owned();
            assert_eq!(cell_text(&input, inline), Some(expected), "input {input:?}");
        }
        // The check itself catches text that escapes its cell.
        for raw in ["a|b", "<b>x</b>", "`x`", "*x*", "a\nb"] {
            assert_ne!(
                cell_text(raw, str::to_owned),
                Some(raw.to_owned()),
                "{raw:?}"
            );
        }
    }
}

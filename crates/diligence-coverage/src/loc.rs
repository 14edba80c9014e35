//! A small line counter: code, comment and blank lines by language.
//!
//! Languages are known by file extension. A line is blank when it holds
//! only whitespace, a comment when it holds only comment text (line
//! comments, block comments, or the inside of a block comment), and code
//! otherwise. Comment markers inside string literals are not recognised,
//! so a string holding `/*` can shift the counts of the lines after it;
//! Python docstrings count as code. Data and markup formats (JSON, YAML,
//! Markdown) are not code and are not counted.
//!
//! NOTE: the tokei crate counts strings correctly but costs about 80 CPU
//! seconds to build; a report needs sizes and a ratio, not exact counts,
//! so this counter trades that precision for build time.

/// A programming language this counter knows.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Language {
    /// Display name.
    pub name: &'static str,
    line_comments: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    nested: bool,
}

const C_LIKE: &[&str] = &["//"];
const HASH: &[&str] = &["#"];
const C_BLOCK: Option<(&str, &str)> = Some(("/*", "*/"));

const fn lang(
    name: &'static str,
    line_comments: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
    nested: bool,
) -> Language {
    Language {
        name,
        line_comments,
        block,
        nested,
    }
}

const RUST: Language = lang("Rust", C_LIKE, C_BLOCK, true);
const JAVASCRIPT: Language = lang("JavaScript", C_LIKE, C_BLOCK, false);
const TYPESCRIPT: Language = lang("TypeScript", C_LIKE, C_BLOCK, false);
const PYTHON: Language = lang("Python", HASH, None, false);
const GO: Language = lang("Go", C_LIKE, C_BLOCK, false);
const JAVA: Language = lang("Java", C_LIKE, C_BLOCK, false);
const KOTLIN: Language = lang("Kotlin", C_LIKE, C_BLOCK, true);
const SCALA: Language = lang("Scala", C_LIKE, C_BLOCK, true);
const C: Language = lang("C", C_LIKE, C_BLOCK, false);
const CPP: Language = lang("C++", C_LIKE, C_BLOCK, false);
const CSHARP: Language = lang("C#", C_LIKE, C_BLOCK, false);
const SWIFT: Language = lang("Swift", C_LIKE, C_BLOCK, true);
const DART: Language = lang("Dart", C_LIKE, C_BLOCK, true);
const PHP: Language = lang("PHP", &["//", "#"], C_BLOCK, false);
const RUBY: Language = lang("Ruby", HASH, Some(("=begin", "=end")), false);
const SHELL: Language = lang("Shell", HASH, None, false);
const ELIXIR: Language = lang("Elixir", HASH, None, false);
const LUA: Language = lang("Lua", &["--"], Some(("--[[", "]]")), false);
const SQL: Language = lang("SQL", &["--"], C_BLOCK, false);
const HCL: Language = lang("HCL", &["#", "//"], C_BLOCK, false);
const VUE: Language = lang("Vue", C_LIKE, Some(("<!--", "-->")), false);
const SVELTE: Language = lang("Svelte", C_LIKE, Some(("<!--", "-->")), false);
const HTML: Language = lang("HTML", &[], Some(("<!--", "-->")), false);
const CSS: Language = lang("CSS", &[], C_BLOCK, false);
const SCSS: Language = lang("SCSS", C_LIKE, C_BLOCK, false);

/// The language of a file, from its extension; `None` for files that are
/// not source code.
pub fn language_of(path: &str) -> Option<Language> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext.to_ascii_lowercase().as_str() {
        "rs" => RUST,
        "js" | "jsx" | "mjs" | "cjs" => JAVASCRIPT,
        "ts" | "tsx" | "mts" | "cts" => TYPESCRIPT,
        "py" | "pyi" => PYTHON,
        "go" => GO,
        "java" => JAVA,
        "kt" | "kts" => KOTLIN,
        "scala" | "sc" => SCALA,
        "c" | "h" => C,
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => CPP,
        "cs" => CSHARP,
        "swift" => SWIFT,
        "dart" => DART,
        "php" => PHP,
        "rb" | "rake" => RUBY,
        "sh" | "bash" | "zsh" => SHELL,
        "ex" | "exs" => ELIXIR,
        "lua" => LUA,
        "sql" => SQL,
        "tf" | "hcl" => HCL,
        "vue" => VUE,
        "svelte" => SVELTE,
        "html" | "htm" => HTML,
        "css" => CSS,
        "scss" | "sass" | "less" => SCSS,
        _ => return None,
    })
}

/// What a line holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LineKind {
    /// Whitespace only.
    Blank,
    /// Comment text only.
    Comment,
    /// Anything else.
    Code,
}

/// Code, comment and blank line counts.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct LineCounts {
    /// Lines with code.
    pub code: u64,
    /// Lines with comments only.
    pub comments: u64,
    /// Blank lines.
    pub blanks: u64,
}

impl LineCounts {
    /// Counts one line.
    pub fn add(&mut self, kind: LineKind) {
        match kind {
            LineKind::Blank => self.blanks += 1,
            LineKind::Comment => self.comments += 1,
            LineKind::Code => self.code += 1,
        }
    }

    /// The sum of two counts.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self {
            code: self.code + other.code,
            comments: self.comments + other.comments,
            blanks: self.blanks + other.blanks,
        }
    }
}

/// Classifies every line of `text`, in order.
pub fn classify_lines(language: Language, text: &str) -> Vec<LineKind> {
    let mut depth = 0usize;
    let mut kinds = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            kinds.push(LineKind::Blank);
            continue;
        }
        let mut rest = trimmed;
        let mut code = false;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            if depth > 0 {
                let Some((open, close)) = language.block else {
                    depth = 0;
                    continue;
                };
                let next_close = rest.find(close);
                let next_open = if language.nested {
                    rest.find(open)
                } else {
                    None
                };
                match (next_open, next_close) {
                    (Some(o), Some(c)) if o < c => {
                        depth += 1;
                        rest = &rest[o + open.len()..];
                    }
                    (Some(o), None) => {
                        depth += 1;
                        rest = &rest[o + open.len()..];
                    }
                    (_, Some(c)) => {
                        depth -= 1;
                        rest = &rest[c + close.len()..];
                    }
                    (None, None) => break,
                }
                continue;
            }
            if language.line_comments.iter().any(|m| rest.starts_with(m)) {
                // A Lua block opener starts like a line comment.
                match language.block {
                    Some((open, _)) if rest.starts_with(open) => {}
                    _ => break,
                }
            }
            if let Some((open, _)) = language.block
                && rest.starts_with(open)
            {
                depth = 1;
                rest = &rest[open.len()..];
                continue;
            }
            code = true;
            // Find the next comment start after code on the same line.
            let line_at = language
                .line_comments
                .iter()
                .filter_map(|m| rest.find(m))
                .min();
            let block_at = language.block.and_then(|(open, _)| rest.find(open));
            match (line_at, block_at) {
                (Some(l), Some(b)) if b < l => rest = &rest[b..],
                (None, Some(b)) => rest = &rest[b..],
                _ => break,
            }
        }
        kinds.push(if code {
            LineKind::Code
        } else {
            LineKind::Comment
        });
    }
    kinds
}

/// Counts the lines of `text`.
pub fn count_lines(language: Language, text: &str) -> LineCounts {
    let mut counts = LineCounts::default();
    for kind in classify_lines(language, text) {
        counts.add(kind);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_c_like_comments() {
        let text = "// header\nfn main() { /* inline */ }\n\n/* block\n   still\n*/ let x = 1;\n/* a */ /* b */\n/* nested /* inner */ still comment */\n";
        let kinds = classify_lines(RUST, text);
        use LineKind::*;
        assert_eq!(
            kinds,
            [
                Comment, Code, Blank, Comment, Comment, Code, Comment, Comment
            ]
        );
        // Without nesting the first `*/` closes the comment.
        assert_eq!(classify_lines(JAVASCRIPT, "/* a /* b */ c */")[0], Code);
    }

    #[test]
    fn counts_hash_and_lua() {
        let c = count_lines(PYTHON, "# c\nx = 1  # trailing\n\n");
        assert_eq!(
            c,
            LineCounts {
                code: 1,
                comments: 1,
                blanks: 1
            }
        );
        let c = count_lines(LUA, "--[[ block\nstill ]]\n-- line\nprint(1)\n");
        assert_eq!(
            c,
            LineCounts {
                code: 1,
                comments: 3,
                blanks: 0
            }
        );
    }

    #[test]
    fn knows_extensions() {
        assert_eq!(
            language_of("src/App.TSX").map(|l| l.name),
            Some("TypeScript")
        );
        assert_eq!(language_of("a/b.rs").map(|l| l.name), Some("Rust"));
        assert_eq!(language_of("README.md"), None);
        assert_eq!(language_of("Makefile"), None);
    }
}

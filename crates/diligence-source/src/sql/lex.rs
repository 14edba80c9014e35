//! A small SQL lexer and statement splitter that never fails: quotes,
//! comments and dollar quotes are respected, so a `;` inside a function
//! body does not end the statement. It is iterative (no recursion), so
//! hostile nesting costs time linear in the input, never stack.

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An unquoted word, lowercased (`create`, `public`, `auth`).
    Word(String),
    /// A double-quoted identifier, as written inside the quotes.
    Quoted(String),
    /// A string literal (`'ids'`, `E'…'`), unescaped.
    Str(String),
    /// A dollar-quoted string (`$$ … $$`, `$body$ … $body$`): its body.
    Dollar(String),
    /// A number.
    Num,
    /// Any other character (`(`, `,`, `=`, `.`, `;`).
    Punct(char),
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// The token.
    pub(crate) tok: Tok,
    /// 1-based line of its first character.
    pub(crate) line: u32,
    /// Byte offset of its first character.
    pub(crate) start: usize,
}

impl Token {
    /// Whether it is the unquoted word `word` (lowercase).
    pub(crate) fn is(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w == word)
    }

    /// Whether it is the character `c`.
    pub(crate) fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    /// The name it spells, when it is a word or a quoted identifier.
    pub(crate) fn name(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            Tok::Quoted(q) => Some(q),
            _ => None,
        }
    }
}

/// One statement of a file.
#[derive(Clone, Debug)]
pub(crate) struct Statement<'t> {
    /// Its tokens, without the closing `;`.
    pub(crate) tokens: Vec<Token>,
    /// Its text, from its first token to its end (without the `;`).
    pub(crate) text: &'t str,
    /// 1-based line of its first token.
    pub(crate) line: u32,
    /// Deepest parenthesis nesting in it.
    pub(crate) depth: usize,
}

/// Words of PL/pgSQL control flow that can precede a statement inside a
/// `DO` block (`begin`, `if … then`, `else`, `loop`).
const CONTROL: &[&str] = &["then", "begin", "else", "loop", "declare"];

/// Words that start a statement the data layer reads.
const STARTS: &[&str] = &["create", "alter", "drop", "grant", "revoke", "insert"];

impl<'t> Statement<'t> {
    /// The statement inside PL/pgSQL control flow: from its first
    /// statement word that starts the text or follows a control word, at
    /// the top level (`begin if not exists (…) then create policy …` gives
    /// `create policy …`). `None` when there is none.
    pub(crate) fn without_control(&self) -> Option<Self> {
        let mut depth = 0usize;
        let mut previous_control = true;
        for (i, token) in self.tokens.iter().enumerate() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 {
                if previous_control && STARTS.iter().any(|w| token.is(w)) {
                    let offset = token.start.checked_sub(self.tokens[0].start)?;
                    return Some(Self {
                        tokens: self.tokens[i..].to_vec(),
                        text: self.text.get(offset..)?,
                        line: token.line,
                        depth: self.depth,
                    });
                }
                previous_control = CONTROL.iter().any(|w| token.is(w));
                continue;
            }
            previous_control = false;
        }
        None
    }
}

/// Splits `text` into statements at top-level `;`. Empty statements are
/// dropped. Stops after `limit` statements and says so.
pub(crate) fn split(text: &str, limit: usize) -> (Vec<Statement<'_>>, bool) {
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut truncated = false;
    let mut finish = |tokens: &mut Vec<Token>, end: usize, deepest: &mut usize| -> bool {
        if let Some((start, line)) = tokens.first().map(|t| (t.start, t.line)) {
            out.push(Statement {
                tokens: std::mem::take(tokens),
                text: text.get(start..end).unwrap_or(""),
                line,
                depth: *deepest,
            });
        }
        *deepest = 0;
        out.len() < limit
    };
    for token in Lexer::new(text) {
        if token.is_punct(';') {
            depth = 0;
            if !finish(&mut current, token.start, &mut deepest) {
                truncated = true;
                break;
            }
            continue;
        }
        if token.is_punct('(') {
            depth += 1;
            deepest = deepest.max(depth);
        } else if token.is_punct(')') {
            depth = depth.saturating_sub(1);
        }
        current.push(token);
    }
    if !truncated {
        finish(&mut current, text.len(), &mut deepest);
    }
    (out, truncated)
}

/// Tokens of a text.
pub(crate) struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line: u32,
}

impl<'t> Lexer<'t> {
    /// A lexer at the start of `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn advance_to(&mut self, end: usize) {
        let end = end.min(self.bytes.len());
        let newlines = self.bytes[self.pos..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        self.pos = end;
    }

    fn find_bytes(&self, from: usize, needle: &[u8]) -> Option<usize> {
        self.bytes
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| from + i)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            match self.bytes.get(self.pos..) {
                Some([b, ..]) if b.is_ascii_whitespace() => self.advance_to(self.pos + 1),
                Some([b'-', b'-', ..]) => {
                    let end = self.find_bytes(self.pos, b"\n").unwrap_or(self.bytes.len());
                    self.advance_to(end);
                }
                Some([b'/', b'*', ..]) => {
                    // Block comments nest in PostgreSQL.
                    let mut level = 0usize;
                    let mut i = self.pos;
                    while i < self.bytes.len() {
                        match &self.bytes[i..] {
                            [b'/', b'*', ..] => {
                                level += 1;
                                i += 2;
                            }
                            [b'*', b'/', ..] => {
                                level -= 1;
                                i += 2;
                                if level == 0 {
                                    break;
                                }
                            }
                            _ => i += 1,
                        }
                    }
                    self.advance_to(i);
                }
                _ => return,
            }
        }
    }

    /// The end of a quoted run starting after `open` at `from`, where a
    /// doubled quote escapes it (and a backslash too when `backslash`).
    fn quoted_end(&self, from: usize, quote: u8, backslash: bool) -> usize {
        let mut i = from;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if backslash && b == b'\\' {
                i += 2;
            } else if b == quote {
                if self.bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i;
                }
            } else {
                i += 1;
            }
        }
        self.bytes.len()
    }

    fn slice(&self, from: usize, to: usize) -> &'t str {
        self.text.get(from..to).unwrap_or("")
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        self.skip_trivia();
        let start = self.pos;
        let line = self.line;
        let first = *self.bytes.get(start)?;
        let token = |tok| Token { tok, line, start };
        // String literals, with an optional E (escapes) prefix.
        let escaped = matches!(first, b'e' | b'E') && self.bytes.get(start + 1) == Some(&b'\'');
        if first == b'\'' || escaped {
            let open = if escaped { start + 2 } else { start + 1 };
            let end = self.quoted_end(open, b'\'', escaped);
            let value = self.slice(open, end).replace("''", "'");
            self.advance_to(end + 1);
            return Some(token(Tok::Str(value)));
        }
        if first == b'"' {
            let end = self.quoted_end(start + 1, b'"', false);
            let value = self.slice(start + 1, end).replace("\"\"", "\"");
            self.advance_to(end + 1);
            return Some(token(Tok::Quoted(value)));
        }
        if first == b'$' {
            // `$tag$` where tag is empty or an identifier.
            let tag_end = self.bytes[start + 1..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map(|i| start + 1 + i);
            if let Some(tag_end) = tag_end
                && self.bytes[tag_end] == b'$'
                && !self.bytes.get(start + 1).is_some_and(u8::is_ascii_digit)
            {
                let tag = &self.bytes[start..=tag_end];
                let body_start = tag_end + 1;
                let close = self.find_bytes(body_start, tag).unwrap_or(self.bytes.len());
                let body = self.slice(body_start, close).to_owned();
                self.advance_to((close + tag.len()).min(self.bytes.len()));
                return Some(token(Tok::Dollar(body)));
            }
        }
        if first.is_ascii_alphabetic() || first == b'_' || first >= 0x80 {
            let end = self.bytes[start..]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' || *b >= 0x80)
                })
                .map_or(self.bytes.len(), |i| start + i);
            let word = self.slice(start, end).to_ascii_lowercase();
            self.advance_to(end);
            return Some(token(Tok::Word(word)));
        }
        if first.is_ascii_digit() {
            let end = self.bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'.'))
                .map_or(self.bytes.len(), |i| start + i);
            self.advance_to(end);
            return Some(token(Tok::Num));
        }
        // One character; a multi-byte character stays whole.
        let c = self.text.get(start..)?.chars().next()?;
        self.advance_to(start + c.len_utf8());
        Some(token(Tok::Punct(c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let text = "create table a (x int); -- a; comment\n/* b; /* nested; */ */\ncreate function f() returns int as $body$ begin; return 1; end $body$ language plpgsql;\ninsert into t values ('a;''b');";
        let (statements, truncated) = split(text, 100);
        assert!(!truncated);
        let lines: Vec<u32> = statements.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![1, 3, 4]);
        assert!(statements[1].text.ends_with("language plpgsql"));
        assert!(
            statements[1]
                .tokens
                .iter()
                .any(|t| t.tok == Tok::Dollar(" begin; return 1; end ".to_owned()))
        );
        assert!(
            statements[2]
                .tokens
                .iter()
                .any(|t| t.tok == Tok::Str("a;'b".to_owned()))
        );
    }

    #[test]
    fn statements_inside_control_flow_are_found() {
        let body = "\nbegin\n  if not exists (select 1 from pg_policies where policyname = 'p') then\n    create policy p on public.t for select using (true);\n  end if;\n  raise notice 'x';\nend\n";
        let (statements, _) = split(body, 10);
        let inner: Vec<(u32, &str)> = statements
            .iter()
            .filter_map(Statement::without_control)
            .map(|s| (s.line, s.text))
            .collect();
        assert_eq!(
            inner,
            [(4, "create policy p on public.t for select using (true)")]
        );
    }

    #[test]
    fn stops_at_the_statement_limit() {
        let (statements, truncated) = split("select 1; select 2; select 3;", 2);
        assert_eq!(statements.len(), 2);
        assert!(truncated);
    }

    #[test]
    fn unterminated_quotes_end_at_the_end_of_the_file() {
        let (statements, _) = split("select 'open; select $$ also", 10);
        assert_eq!(statements.len(), 1);
    }
}

//! Rust through `syn`: one parse per file, walked once into a
//! [`FileModel`].
//!
//! `syn` is a recursive-descent parser without a stack guard, and its tree
//! is recursive too, so three bounds apply: the caller refuses files
//! nested deeper than [`crate::js::MAX_DEPTH`] by this module's
//! [`nesting_depth`] (brackets, generic angle brackets, assignment chains
//! and prefix runs, skipping comments, strings, raw strings and character
//! literals but not lifetimes), parses on a thread with a large stack, and
//! the walk refuses a tree deeper than [`MAX_TREE_DEPTH`] (a method or
//! operator chain nests without brackets). Nothing is expanded: macros are
//! calls (`format!`, `sqlx::query!`), their arguments read when they parse
//! as comma-separated expressions.
//!
//! What lands in the shared model: `use` trees as imports (one per leaf,
//! `axum::routing::get`), functions and methods with their attributes as
//! decorators (`tokio::test`, `get`) and their non-`doc` attributes with
//! arguments as calls at the attribute (`#[post("/p", data = "<x>")]` is
//! the call `post` with `Str("/p")` and the keyword `data`), calls with
//! the callee convention of the JavaScript model (`Router::new().route`,
//! `sqlx::query`, `state.db.execute`), `format!` strings as templates,
//! structs and enums as classes with their derives as decorators. What
//! does not fit lands in [`RustModel`]: parameter types, modules, `impl`
//! blocks, macro blocks that hold functions, and doc-comment code blocks.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Lit, Token};

use crate::error::ParseError;
use crate::model::{
    Arg, Binding, Call, Class, Comparison, EnvBinding, EnvRead, FileModel, Function, Import,
    Language, Param, Runtime,
};

/// Deepest syntax tree walked; past it the file is refused rather than
/// walked.
pub const MAX_TREE_DEPTH: usize = 2_000;

/// Longest type kept as text, in bytes.
const MAX_TEXT: usize = 200;

/// Most parts of a dotted path.
const MAX_PATH_PARTS: usize = 64;

/// Deepest argument read into an [`Arg`].
const MAX_ARG_DEPTH: usize = 4;

/// Most items of an argument list, array or struct literal read.
const MAX_ITEMS: usize = 32;

/// The deepest nesting of a Rust text: `(`, `[`, `{` and generic `<`
/// (angle brackets and assignment chains are reset at `;`, `{`, `}`, so
/// a comparison cannot pile up), plus runs of prefix operators and
/// keywords (`!`, `-`, `*`, `&`, `|`, `return`, `break`, `move`), skipping
/// comments (nested block comments too), strings, raw strings and
/// character literals; a `'` that opens a lifetime or a label is skipped
/// alone. Cheap and conservative: it may overcount, never undercount by
/// enough to matter below [`crate::js::MAX_DEPTH`].
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut loose: usize = 0;
    let mut deepest: usize = 0;
    let mut run: usize = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if b == b'{' {
                    loose = 0;
                }
                deepest = deepest.max(depth + loose + run);
                run = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if b == b'}' {
                    loose = 0;
                }
                run = 0;
            }
            b';' => {
                loose = 0;
                run = 0;
            }
            b'<' => {
                loose += 1;
                deepest = deepest.max(depth + loose + run);
                run = 0;
            }
            b'>' => {
                // `->` and `=>` close nothing.
                if i == 0 || !matches!(bytes[i - 1], b'-' | b'=') {
                    loose = loose.saturating_sub(1);
                }
                run = 0;
            }
            b'=' => {
                let compound = i > 0 && matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>');
                let next = bytes.get(i + 1).copied();
                if !compound && next != Some(b'=') && next != Some(b'>') {
                    loose += 1;
                    deepest = deepest.max(depth + loose + run);
                }
                run = 0;
            }
            b'!' | b'-' | b'*' | b'&' | b'|' => {
                run += 1;
                deepest = deepest.max(depth + loose + run);
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut level = 0usize;
                while i + 1 < bytes.len() {
                    if bytes[i] == b'/' && bytes[i + 1] == b'*' {
                        level += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
                        level -= 1;
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                i = i.saturating_sub(1);
                run = 0;
            }
            b'"' => {
                i = skip_string(bytes, i + 1);
                run = 0;
            }
            b'r' if raw_string_at(bytes, i) => {
                i = skip_raw_string(bytes, i + 1);
                run = 0;
            }
            b'\'' => {
                i = skip_quote(bytes, i);
                run = 0;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &bytes[start..i];
                i -= 1;
                // `b"…"`, `br"…"`, `c"…"`: the string follows the prefix.
                if matches!(word, b"b" | b"c") && bytes.get(i + 1) == Some(&b'"') {
                    i = skip_string(bytes, i + 2);
                    run = 0;
                } else if matches!(word, b"br" | b"cr")
                    && matches!(bytes.get(i + 1), Some(b'"' | b'#'))
                {
                    i = skip_raw_string(bytes, i + 1);
                    run = 0;
                } else if matches!(word, b"return" | b"break" | b"move" | b"yield") {
                    run += 1;
                    deepest = deepest.max(depth + loose + run);
                } else {
                    run = 0;
                }
            }
            _ => run = 0,
        }
        i += 1;
    }
    deepest
}

/// Whether a raw string starts at `i` (`r"`, `r#"`), not an identifier
/// that ends in `r`.
fn raw_string_at(bytes: &[u8], i: usize) -> bool {
    let after_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    after_word && matches!(bytes.get(i + 1), Some(b'"' | b'#'))
}

/// From just after an opening `"`, the index of the closing quote.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'"' {
        if bytes[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i
}

/// From the `#`s or `"` after `r`, the index of the raw string's last byte.
fn skip_raw_string(bytes: &[u8], mut i: usize) -> usize {
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        // `r#ident`: a raw identifier, not a string.
        return i.saturating_sub(1);
    }
    i += 1;
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes.len() >= i + 1 + hashes
            && bytes[i + 1..i + 1 + hashes].iter().all(|&h| h == b'#')
        {
            return i + hashes;
        }
        i += 1;
    }
    i
}

/// At a `'`: the index of a character literal's closing quote, or `i`
/// itself for a lifetime or label.
fn skip_quote(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i + 1) {
        Some(b'\\') => {
            let mut j = i + 2;
            while j < bytes.len() && j < i + 12 && bytes[j] != b'\'' {
                j += 1;
            }
            j
        }
        Some(_) => {
            // One character, possibly several bytes, then `'`.
            let rest = &bytes[i + 1..];
            let width = match rest[0] {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            if rest.get(width) == Some(&b'\'') {
                i + 1 + width
            } else {
                i
            }
        }
        None => i,
    }
}

/// A module declared in the file: inline (`mod tests { … }`) or in its own
/// file (`mod handlers;`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct RustModule {
    /// Its name.
    pub name: String,
    /// Whether it is compiled only for tests (`#[cfg(test)]`, not under
    /// `not`).
    pub cfg_test: bool,
    /// Whether its body is in this file.
    pub inline: bool,
    /// 1-based first line (its first attribute's, if any).
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
}

/// An `impl` block.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct RustImpl {
    /// The trait's path as written, without generic arguments
    /// (`FromRequestParts`, `axum::extract::FromRequestParts`), for a trait
    /// implementation.
    pub trait_: Option<String>,
    /// The last name of the type it is for (`AuthUser`).
    pub self_ty: String,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line.
    pub end_line: u32,
}

/// A macro invocation whose body holds `fn` items (`proptest! { … }`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct MacroBlock {
    /// The macro's path as written (`proptest`, `quickcheck`).
    pub path: String,
    /// `fn` keywords in its body, at any depth.
    pub fns: u64,
    /// 1-based line of its path.
    pub line: u32,
    /// 1-based line of its closing delimiter.
    pub end_line: u32,
}

/// A table declared by diesel's `table!` macro
/// (`table! { users (id) { id -> Int4, email -> Varchar, } }`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct RustTable {
    /// Its name as the macro writes it (the last name of
    /// `schema.users`).
    pub name: String,
    /// Its SQL name, from `#[sql_name = "…"]`, when it differs.
    pub sql_name: Option<String>,
    /// Columns, in order.
    pub columns: Vec<RustColumn>,
    /// 1-based line of its name.
    pub line: u32,
}

/// A column of a [`RustTable`].
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct RustColumn {
    /// Its name (`r#type` reads `type`).
    pub name: String,
    /// Its SQL type as written, without spaces (`Nullable<Varchar>`).
    pub kind: String,
    /// 1-based line.
    pub line: u32,
}

/// A foreign key declared by diesel's `joinable!` macro.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct RustJoin {
    /// The table holding the key (`posts`).
    pub child: String,
    /// The table it refers to (`users`).
    pub parent: String,
    /// The key column (`user_id`).
    pub column: String,
    /// 1-based line.
    pub line: u32,
}

/// Reads `child -> parent (column)` from a `joinable!` macro's tokens.
fn diesel_join(tokens: TokenStream, at: u32) -> Option<RustJoin> {
    let trees: Vec<TokenTree> = tokens.into_iter().take(8).collect();
    match trees.as_slice() {
        [
            TokenTree::Ident(child),
            TokenTree::Punct(dash),
            TokenTree::Punct(gt),
            TokenTree::Ident(parent),
            TokenTree::Group(column),
            ..,
        ] if dash.as_char() == '-' && gt.as_char() == '>' => Some(RustJoin {
            child: child.to_string(),
            parent: parent.to_string(),
            column: column.stream().to_string(),
            line: at,
        }),
        _ => None,
    }
}

/// Most tables and columns read from one `table!` macro.
const MAX_TABLE_ITEMS: usize = 1_000;

/// The string of a `name = "value"` attribute body, if it is one.
fn attribute_string(group: &proc_macro2::Group, name: &str) -> Option<String> {
    let trees: Vec<TokenTree> = group.stream().into_iter().collect();
    match trees.as_slice() {
        [
            TokenTree::Ident(key),
            TokenTree::Punct(eq),
            TokenTree::Literal(lit),
        ] if *key == name && eq.as_char() == '=' => {
            Some(lit.to_string().trim_matches('"').to_owned())
        }
        _ => None,
    }
}

/// Reads the tables of one `table!` macro's tokens: attributes
/// (`#[sql_name = "…"]`), `use` lines, then `name (keys) { column -> Type, … }`
/// as often as they come.
fn diesel_tables(tokens: TokenStream) -> Vec<RustTable> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut tables = Vec::new();
    let mut sql_name = None;
    let mut name: Option<(String, u32)> = None;
    let mut i = 0;
    while i < trees.len() && tables.len() < MAX_TABLE_ITEMS {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = trees.get(i + 1) {
                    sql_name = attribute_string(g, "sql_name").or(sql_name);
                    i += 1;
                }
            }
            TokenTree::Ident(ident) if *ident == "use" => {
                while i < trees.len()
                    && !matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == ';')
                {
                    i += 1;
                }
            }
            TokenTree::Ident(ident) => {
                name = Some((
                    ident.to_string().trim_start_matches("r#").to_owned(),
                    line(ident.span()),
                ));
            }
            TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace => {
                if let Some((table, at)) = name.take() {
                    tables.push(RustTable {
                        name: table,
                        sql_name: sql_name.take(),
                        columns: diesel_columns(g.stream()),
                        line: at,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    tables
}

/// The columns of a `table!` body: `name -> Type,` with optional
/// attributes.
fn diesel_columns(tokens: TokenStream) -> Vec<RustColumn> {
    let mut columns = Vec::new();
    let mut current: Option<(String, u32)> = None;
    let mut kind = String::new();
    let mut arrow = false;
    let mut depth = 0_i32;
    let mut last: Option<TokenTree> = None;
    let mut flush = |current: &mut Option<(String, u32)>, kind: &mut String| {
        if let Some((name, at)) = current.take()
            && !kind.is_empty()
            && columns.len() < MAX_TABLE_ITEMS
        {
            columns.push(RustColumn {
                name,
                kind: std::mem::take(kind),
                line: at,
            });
        }
        kind.clear();
    };
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                flush(&mut current, &mut kind);
                arrow = false;
            }
            TokenTree::Punct(p) if p.as_char() == '>' && !arrow && current.is_some() => {
                // The `>` of `->`.
                if matches!(&last, Some(TokenTree::Punct(q)) if q.as_char() == '-') {
                    arrow = true;
                }
            }
            _ if arrow => {
                if let TokenTree::Punct(p) = &tree {
                    match p.as_char() {
                        '<' => depth += 1,
                        '>' => depth -= 1,
                        _ => {}
                    }
                }
                if kind.len() < 200 {
                    kind.push_str(&tree.to_string());
                }
            }
            TokenTree::Ident(ident) if current.is_none() => {
                current = Some((
                    ident.to_string().trim_start_matches("r#").to_owned(),
                    line(ident.span()),
                ));
            }
            _ => {}
        }
        last = Some(tree);
    }
    flush(&mut current, &mut kind);
    columns
}

/// The Rust part of a [`FileModel`].
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize)]
pub struct RustModel {
    /// Parameters of every function, with their types as text
    /// (`Json<CreateUser>`, `&mut Criterion`), in source order; `self`
    /// for a receiver.
    pub params: Vec<Param>,
    /// Modules, in source order.
    pub modules: Vec<RustModule>,
    /// `impl` blocks, in source order.
    pub impls: Vec<RustImpl>,
    /// Macro invocations that hold functions, in source order.
    pub macro_blocks: Vec<MacroBlock>,
    /// Tables declared by diesel's `table!` macro, in source order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<RustTable>,
    /// Foreign keys declared by diesel's `joinable!` macro
    /// (`joinable!(posts -> users (user_id))`), in source order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub joins: Vec<RustJoin>,
    /// Code blocks in doc comments that rustdoc runs as doc tests (no
    /// language, or `rust` and rustdoc's own attributes).
    pub doc_code_blocks: u64,
}

impl RustModel {
    /// Whether it holds nothing (every non-Rust file).
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
            && self.modules.is_empty()
            && self.impls.is_empty()
            && self.macro_blocks.is_empty()
            && self.tables.is_empty()
            && self.joins.is_empty()
            && self.doc_code_blocks == 0
    }

    /// The parameters of `function`.
    pub fn params_of<'s>(&'s self, function: &'s Function) -> impl Iterator<Item = &'s Param> + 's {
        self.params.iter().filter(|p| p.function == function.span.0)
    }

    /// Whether a 1-based line is inside a `#[cfg(test)]` module.
    pub fn in_test_module(&self, line: u32) -> bool {
        self.modules
            .iter()
            .any(|m| m.cfg_test && m.inline && m.line <= line && line <= m.end_line)
    }

    /// The `impl` blocks of trait `name` (its last name:
    /// `FromRequestParts`).
    pub fn impls_of<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s RustImpl> + 's {
        self.impls.iter().filter(move |i| {
            i.trait_
                .as_deref()
                .is_some_and(|t| t.rsplit("::").next() == Some(name))
        })
    }
}

/// Parses one Rust text outside [`crate::SourceModel::build`] (a file as
/// of an older commit), with the same bounds: at most
/// [`crate::MAX_FILE_SIZE`] bytes, the depth pre-scan, and a thread of its
/// own with a large stack.
pub fn parse_text(path: &str, text: &str) -> Result<FileModel, ParseError> {
    if text.len() as u64 > crate::MAX_FILE_SIZE {
        return Err(ParseError::TooLarge {
            size: text.len() as u64,
            limit: crate::MAX_FILE_SIZE,
        });
    }
    let depth = nesting_depth(text);
    if depth > crate::js::MAX_DEPTH {
        return Err(ParseError::TooDeep {
            depth,
            limit: crate::js::MAX_DEPTH,
        });
    }
    let class = diligence_model::classify(path);
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("diligence-parse-rust".to_owned())
            .stack_size(crate::PARSER_STACK)
            .spawn_scoped(scope, || parse(path, text, class));
        match worker {
            Ok(handle) => handle.join().unwrap_or(Err(ParseError::Crashed)),
            Err(error) => Err(ParseError::Read {
                message: format!("no parser thread could be started: {error}"),
            }),
        }
    })
}

/// Parses one Rust file into its model. The caller has checked the size
/// and [`nesting_depth`] and runs this on a thread with a large stack.
pub(crate) fn parse(
    path: &str,
    text: &str,
    class: diligence_model::FileClass,
) -> Result<FileModel, ParseError> {
    let result = parse_inner(path, text, class);
    // proc-macro2 keeps every parsed text in a per-thread map; the spans
    // are dead now, so free it before the thread parses the next file.
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

fn parse_inner(
    path: &str,
    text: &str,
    class: diligence_model::FileClass,
) -> Result<FileModel, ParseError> {
    let file = syn::parse_file(text).map_err(|e| ParseError::Syntax {
        message: e.to_string(),
        line: Some(line(e.span())),
    })?;
    let mut walker = Walker {
        model: FileModel::new(path, Language::Rust, class, Runtime::Server),
        class: Vec::new(),
        module_depth: 0,
        closure_callees: Vec::new(),
        binding: None,
        depth: 0,
        too_deep: None,
        in_fence: false,
    };
    walker.visit_file(&file);
    drop(file);
    if let Some(depth) = walker.too_deep {
        return Err(ParseError::TooDeep {
            depth,
            limit: MAX_TREE_DEPTH,
        });
    }
    let mut model = walker.model;
    model.exports.sort();
    model.exports.dedup();
    Ok(model)
}

fn line(span: Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX).max(1)
}

fn end_line(span: Span) -> u32 {
    u32::try_from(span.end().line).unwrap_or(u32::MAX).max(1)
}

fn start(span: Span) -> u32 {
    u32::try_from(span.byte_range().start).unwrap_or(u32::MAX)
}

fn end(span: Span) -> u32 {
    u32::try_from(span.byte_range().end).unwrap_or(u32::MAX)
}

/// A path as written, without generic arguments (`axum::routing::get`).
pub(crate) fn path_text(path: &syn::Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
    }
    out
}

/// A type as compact text (`Json<CreateUser>`, `&mut Criterion`,
/// `Option<TypedHeader<Authorization<Bearer>>>`), bounded in length.
fn type_text(ty: &syn::Type) -> String {
    let mut out = String::new();
    write_type(ty, &mut out, 0);
    if out.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

fn write_type(ty: &syn::Type, out: &mut String, depth: usize) {
    if depth > 16 || out.len() > MAX_TEXT {
        out.push('?');
        return;
    }
    match ty {
        syn::Type::Path(p) => {
            if let Some(q) = &p.qself {
                out.push('<');
                write_type(&q.ty, out, depth + 1);
                out.push('>');
                out.push_str("::");
            }
            for (i, segment) in p.path.segments.iter().enumerate() {
                if i > 0 || p.path.leading_colon.is_some() {
                    out.push_str("::");
                }
                out.push_str(&segment.ident.to_string());
                if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                    out.push('<');
                    let mut first = true;
                    for arg in &args.args {
                        if !first {
                            out.push_str(", ");
                        }
                        first = false;
                        match arg {
                            syn::GenericArgument::Type(t) => write_type(t, out, depth + 1),
                            syn::GenericArgument::Lifetime(l) => {
                                out.push('\'');
                                out.push_str(&l.ident.to_string());
                            }
                            _ => out.push('?'),
                        }
                    }
                    out.push('>');
                }
            }
        }
        syn::Type::Reference(r) => {
            out.push('&');
            if r.mutability.is_some() {
                out.push_str("mut ");
            }
            write_type(&r.elem, out, depth + 1);
        }
        syn::Type::Tuple(t) => {
            out.push('(');
            for (i, elem) in t.elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_type(elem, out, depth + 1);
            }
            out.push(')');
        }
        syn::Type::Slice(s) => {
            out.push('[');
            write_type(&s.elem, out, depth + 1);
            out.push(']');
        }
        syn::Type::Paren(p) => write_type(&p.elem, out, depth + 1),
        syn::Type::Group(g) => write_type(&g.elem, out, depth + 1),
        syn::Type::ImplTrait(_) => out.push_str("impl ?"),
        _ => out.push('?'),
    }
}

/// The last name of a type, without generic arguments (`AuthUser` for
/// `crate::auth::AuthUser<T>`); `?` when it is not a path.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map_or_else(|| "?".to_owned(), |s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => "?".to_owned(),
    }
}

/// Strips what does not change which value an expression is: parentheses,
/// references, `?`, `.await`.
fn strip(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Reference(r) => &r.expr,
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            _ => return expr,
        };
    }
}

/// An expression as a path (`state.db`, `Router::new().route`,
/// `sqlx::query`); calls inside the chain read `name()`, parts that are
/// not names `?`. Iterative and bounded.
pub(crate) fn expr_path(expr: &Expr) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = expr;
    loop {
        if parts.len() > MAX_PATH_PARTS {
            return None;
        }
        match strip(current) {
            Expr::Path(p) => {
                parts.push(path_text(&p.path));
                break;
            }
            Expr::Field(f) => {
                let member = match &f.member {
                    syn::Member::Named(ident) => ident.to_string(),
                    syn::Member::Unnamed(index) => index.index.to_string(),
                };
                parts.push(format!(".{member}"));
                current = &f.base;
            }
            Expr::MethodCall(m) => {
                parts.push(format!(".{}()", m.method));
                current = &m.receiver;
            }
            Expr::Call(c) => {
                parts.push("()".to_owned());
                current = &c.func;
            }
            Expr::Macro(m) => {
                parts.push(format!("{}!()", path_text(&m.mac.path)));
                break;
            }
            _ => {
                parts.push("?".to_owned());
                break;
            }
        }
    }
    let mut path = String::new();
    for part in parts.iter().rev() {
        path.push_str(part);
    }
    Some(path)
}

/// The callee of a method call: its receiver's path, then `.method`.
fn method_callee(m: &syn::ExprMethodCall) -> String {
    let receiver = expr_path(&m.receiver).unwrap_or_else(|| "?".to_owned());
    format!("{receiver}.{}", m.method)
}

/// Macros whose first argument is a format string.
const FORMAT_MACROS: &[&str] = &["format", "format_args"];

/// Whether a call reads an environment variable: its name, when it is a
/// literal.
/// The string literal an `unwrap_or` or `unwrap_or_else` falls back to:
/// `"v"`, `"v".to_string()`, `.to_owned()`, `.into()`, `String::from("v")`,
/// or a closure returning one of these.
fn fallback_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "to_string" | "to_owned" | "into"
                ) =>
        {
            fallback_literal(&m.receiver)
        }
        Expr::Call(c)
            if expr_path(&c.func).is_some_and(|p| p == "String::from") && c.args.len() == 1 =>
        {
            fallback_literal(&c.args[0])
        }
        Expr::Closure(closure) => fallback_literal(&closure.body),
        Expr::Paren(p) => fallback_literal(&p.expr),
        _ => None,
    }
}

fn env_call(callee: &str, args: &[Arg]) -> Option<String> {
    let reads = matches!(
        callee,
        "env::var"
            | "std::env::var"
            | "env::var_os"
            | "std::env::var_os"
            | "dotenvy::var"
            | "dotenv::var"
            | "env!"
            | "option_env!"
            | "std::env!"
    );
    match args.first() {
        Some(Arg::Str(name)) if reads => Some(name.clone()),
        _ => None,
    }
}

/// A format string split into its literal parts and its placeholders:
/// `{}`/`{:?}` take the next positional argument, `{0}` one by index,
/// `{name}` a named argument or a captured variable.
fn format_template(format: &str, args: &[(Option<String>, String)]) -> Arg {
    let mut parts = Vec::new();
    let mut exprs = Vec::new();
    let mut literal = String::new();
    let mut next = 0usize;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let mut inside = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inside.push(c);
                }
                let name = inside.split(':').next().unwrap_or("").trim();
                let value = if name.is_empty() {
                    let value = args.get(next).map(|(_, v)| v.clone());
                    next += 1;
                    value
                } else if let Ok(index) = name.parse::<usize>() {
                    args.get(index).map(|(_, v)| v.clone())
                } else {
                    args.iter()
                        .find(|(n, _)| n.as_deref() == Some(name))
                        .map(|(_, v)| v.clone())
                        .or_else(|| Some(name.to_owned()))
                };
                parts.push(std::mem::take(&mut literal));
                exprs.push(value.unwrap_or_else(|| "?".to_owned()));
            }
            c => literal.push(c),
        }
    }
    parts.push(literal);
    if exprs.is_empty() {
        Arg::Str(parts.concat())
    } else {
        Arg::Template { parts, exprs }
    }
}

/// The arguments of a macro that takes comma-separated expressions, or
/// `None`.
fn macro_args(mac: &syn::Macro) -> Option<Punctuated<Expr, Token![,]>> {
    if mac.path.is_ident("macro_rules") {
        return None;
    }
    mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()
}

/// A macro as an argument: a template for `format!`, else a call.
fn macro_arg(mac: &syn::Macro, depth: usize) -> Arg {
    let name = path_text(&mac.path);
    let last = name.rsplit("::").next().unwrap_or(&name);
    let Some(args) = macro_args(mac) else {
        return Arg::Call {
            callee: format!("{name}!"),
            args: Vec::new(),
        };
    };
    if FORMAT_MACROS.contains(&last)
        && let Some(Expr::Lit(syn::ExprLit {
            lit: Lit::Str(format),
            ..
        })) = args.first()
    {
        return format_template(&format.value(), &format_values(args.iter().skip(1)));
    }
    let args: Vec<Arg> = args
        .iter()
        .take(MAX_ITEMS)
        .map(|a| arg_within(a, depth + 1))
        .collect();
    let callee = format!("{name}!");
    if let Some(env) = env_call(&callee, &args) {
        return Arg::Env(env);
    }
    Arg::Call { callee, args }
}

/// The arguments after a format string: `(name, path)`, `name` for
/// `name = value`.
fn format_values<'e>(args: impl Iterator<Item = &'e Expr>) -> Vec<(Option<String>, String)> {
    args.map(|a| match a {
        Expr::Assign(assign) => (expr_path(&assign.left), value_text(&assign.right)),
        other => (None, value_text(other)),
    })
    .collect()
}

/// An expression as a path for a template, or `?`; a call keeps its
/// callee (`id.to_string()` reads `id.to_string`).
fn value_text(expr: &Expr) -> String {
    let expr = strip(expr);
    match expr {
        Expr::MethodCall(m) if m.args.is_empty() => method_callee(m),
        _ => expr_path(expr)
            .filter(|p| !p.contains('?'))
            .unwrap_or_else(|| "?".to_owned()),
    }
}

/// A value passed to a call, as far as a detector cares.
pub(crate) fn arg_of(expr: &Expr) -> Arg {
    arg_within(expr, 0)
}

fn arg_within(expr: &Expr, depth: usize) -> Arg {
    if depth > MAX_ARG_DEPTH {
        return Arg::Other;
    }
    match strip(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => Arg::Str(s.value()),
            Lit::ByteStr(b) => Arg::Str(String::from_utf8_lossy(&b.value()).into_owned()),
            Lit::Bool(b) => Arg::Bool(b.value),
            _ => Arg::Other,
        },
        Expr::Path(p) => {
            if p.path.segments.len() == 1 && p.qself.is_none() {
                Arg::Ident(path_text(&p.path))
            } else {
                Arg::Member(path_text(&p.path))
            }
        }
        e @ Expr::Field(_) => expr_path(e)
            .filter(|p| !p.contains('?'))
            .map_or(Arg::Other, Arg::Member),
        Expr::Call(c) => {
            let callee = expr_path(&c.func).unwrap_or_else(|| "?".to_owned());
            let args: Vec<Arg> = c
                .args
                .iter()
                .take(MAX_ITEMS)
                .map(|a| arg_within(a, depth + 1))
                .collect();
            if let Some(env) = env_call(&callee, &args) {
                return Arg::Env(env);
            }
            Arg::Call { callee, args }
        }
        // Conversions that keep the value (`"k".as_bytes()`,
        // `secret.as_ref()`): the value itself.
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "as_bytes" | "as_ref" | "to_vec" | "into_bytes" | "to_owned" | "as_str"
                ) =>
        {
            arg_within(&m.receiver, depth + 1)
        }
        Expr::MethodCall(m) => {
            // `env::var("X").unwrap()` still reads `X` in place.
            if matches!(
                m.method.to_string().as_str(),
                "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default" | "unwrap_or_else"
            ) && let Arg::Env(name) = arg_within(&m.receiver, depth + 1)
            {
                return Arg::Env(name);
            }
            Arg::Call {
                callee: method_callee(m),
                args: m
                    .args
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|a| arg_within(a, depth + 1))
                    .collect(),
            }
        }
        Expr::Macro(m) => macro_arg(&m.mac, depth),
        Expr::Tuple(t) => Arg::Array(
            t.elems
                .iter()
                .take(MAX_ITEMS)
                .map(|e| arg_within(e, depth + 1))
                .collect(),
        ),
        Expr::Array(a) => Arg::Array(
            a.elems
                .iter()
                .take(MAX_ITEMS)
                .map(|e| arg_within(e, depth + 1))
                .collect(),
        ),
        Expr::Struct(s) => Arg::Object(
            s.fields
                .iter()
                .take(MAX_ITEMS)
                .filter_map(|f| match &f.member {
                    syn::Member::Named(name) => {
                        Some((name.to_string(), arg_within(&f.expr, depth + 1)))
                    }
                    syn::Member::Unnamed(_) => None,
                })
                .collect(),
        ),
        e @ Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            concatenation(e).unwrap_or(Arg::Other)
        }
        _ => Arg::Other,
    }
}

/// A `+` chain that joins a string literal with other values
/// (`"SELECT … " .to_owned() + &id`), as a template.
fn concatenation(expr: &Expr) -> Option<Arg> {
    let mut terms = Vec::new();
    let mut current = expr;
    // A left-leaning chain: walk down the left side.
    loop {
        if terms.len() > MAX_ITEMS {
            return None;
        }
        match strip(current) {
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                terms.push(b.right.as_ref());
                current = &b.left;
            }
            other => {
                terms.push(other);
                break;
            }
        }
    }
    terms.reverse();
    let literal = |e: &Expr| -> Option<String> {
        match strip(e) {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            // `"…".to_owned()`, `"…".to_string()`, `String::from("…")`.
            Expr::MethodCall(m) if m.args.is_empty() => match strip(&m.receiver) {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            Expr::Call(c) if c.args.len() == 1 => match c.args.first().map(strip) {
                Some(Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                })) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    };
    if !terms.iter().any(|t| literal(t).is_some()) {
        return None;
    }
    let mut parts = vec![String::new()];
    let mut exprs = Vec::new();
    for term in terms {
        match literal(term) {
            Some(text) => {
                if let Some(last) = parts.last_mut() {
                    last.push_str(&text);
                }
            }
            None => {
                exprs.push(value_text(term));
                parts.push(String::new());
            }
        }
    }
    Some(if exprs.is_empty() {
        Arg::Str(parts.concat())
    } else {
        Arg::Template { parts, exprs }
    })
}

/// The name a parameter pattern binds: `x`, `mut x`, the one name in
/// `Json(payload)` or `State(state)`; `_` or `?` otherwise.
fn pat_name(pat: &syn::Pat) -> String {
    match pat {
        syn::Pat::Ident(i) => i.ident.to_string(),
        syn::Pat::Wild(_) => "_".to_owned(),
        syn::Pat::TupleStruct(t) if t.elems.len() == 1 => {
            t.elems.first().map_or_else(|| "?".to_owned(), pat_name)
        }
        syn::Pat::Reference(r) => pat_name(&r.pat),
        syn::Pat::Type(t) => pat_name(&t.pat),
        _ => "?".to_owned(),
    }
}

/// Whether attributes compile their item only for tests.
fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && match &attr.meta {
                syn::Meta::List(list) => {
                    let mut idents = Vec::new();
                    collect_idents(list.tokens.clone(), &mut idents);
                    idents.iter().any(|i| i == "test") && !idents.iter().any(|i| i == "not")
                }
                _ => false,
            }
    })
}

fn collect_idents(tokens: TokenStream, out: &mut Vec<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => out.push(ident.to_string()),
            TokenTree::Group(group) => collect_idents(group.stream(), out),
            _ => {}
        }
    }
}

/// `fn` keywords in a macro body, at any depth.
/// Whether a macro path names diesel's `table!` (`table`,
/// `diesel::table`).
fn name_is_table(path: &str) -> bool {
    path == "table" || path.ends_with("::table")
}

fn count_fns(tokens: TokenStream) -> u64 {
    let mut n = 0;
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) if ident == "fn" => n += 1,
            TokenTree::Group(group) => n += count_fns(group.stream()),
            _ => {}
        }
    }
    n
}

/// Rustdoc runs a code block unless its info string names another language.
fn is_rust_fence(info: &str) -> bool {
    const RUSTDOC: &[&str] = &[
        "rust",
        "ignore",
        "should_panic",
        "no_run",
        "compile_fail",
        "edition2015",
        "edition2018",
        "edition2021",
        "edition2024",
        "test_harness",
        "standalone_crate",
    ];
    info.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.starts_with('{') && !t.starts_with('.'))
        .all(|t| RUSTDOC.contains(&t) || t.starts_with("E0"))
}

/// Attributes that say nothing a detector asks about as calls.
const QUIET_ATTRIBUTES: &[&str] = &[
    "doc", "cfg", "cfg_attr", "allow", "warn", "deny", "expect", "derive", "inline", "must_use",
];

struct Walker {
    model: FileModel,
    /// The type of the enclosing `impl` blocks.
    class: Vec<String>,
    /// How many modules deep the walk is (exports are top-level only).
    module_depth: usize,
    /// Closures passed straight to a call: (closure start, callee).
    closure_callees: Vec<(u32, String)>,
    /// The variable the next call is bound to, by the call's offset.
    binding: Option<(u32, String)>,
    depth: usize,
    too_deep: Option<usize>,
    in_fence: bool,
}

/// The offset a call is recorded at: where its callee's last name starts.
fn call_offset(expr: &Expr) -> Option<u32> {
    match strip(expr) {
        Expr::Call(c) => match strip(&c.func) {
            Expr::Path(p) => p.path.segments.last().map(|s| start(s.ident.span())),
            _ => Some(start(c.paren_token.span.open())),
        },
        Expr::MethodCall(m) => Some(start(m.method.span())),
        Expr::Macro(m) => m.mac.path.segments.last().map(|s| start(s.ident.span())),
        _ => None,
    }
}

impl Walker {
    fn deeper(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_TREE_DEPTH {
            self.too_deep = Some(self.too_deep.unwrap_or(0).max(self.depth));
            return false;
        }
        self.too_deep.is_none()
    }

    fn doc_blocks(&mut self, attrs: &[syn::Attribute]) {
        for attr in attrs {
            if attr.path().is_ident("doc")
                && let syn::Meta::NameValue(nv) = &attr.meta
                && let Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(text),
                    ..
                }) = &nv.value
            {
                for doc_line in text.value().lines() {
                    let trimmed = doc_line.trim_start();
                    let fence = trimmed
                        .strip_prefix("```")
                        .or_else(|| trimmed.strip_prefix("~~~"));
                    if let Some(info) = fence {
                        if self.in_fence {
                            self.in_fence = false;
                        } else {
                            self.in_fence = true;
                            if is_rust_fence(info) {
                                self.model.rust.doc_code_blocks += 1;
                            }
                        }
                    }
                }
            }
        }
    }

    /// The attributes' paths (but `doc`), and each with arguments as a
    /// call at the attribute.
    fn decorators(&mut self, attrs: &[syn::Attribute]) -> Vec<String> {
        let mut out = Vec::new();
        for attr in attrs {
            let path = path_text(attr.path());
            if path == "doc" {
                continue;
            }
            let quiet = QUIET_ATTRIBUTES.contains(&path.as_str());
            if !quiet && let syn::Meta::List(list) = &attr.meta {
                let offset = attr
                    .path()
                    .segments
                    .last()
                    .map_or(0, |s| start(s.ident.span()));
                let (args, keywords) =
                    match list.parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
                        Ok(exprs) => split_keywords(exprs.iter()),
                        Err(_) => (Vec::new(), Vec::new()),
                    };
                self.model.calls.push(Call {
                    callee: path.clone(),
                    args,
                    bound_to: None,
                    line: line(attr.pound_token.span),
                    offset,
                    keywords,
                });
            }
            out.push(path);
        }
        out
    }

    fn function(
        &mut self,
        attrs: &[syn::Attribute],
        vis: Option<&syn::Visibility>,
        sig: &syn::Signature,
        block: &syn::Block,
    ) {
        self.doc_blocks(attrs);
        let first = attrs
            .first()
            .map_or_else(|| sig.fn_token.span, |a| a.pound_token.span);
        let first = match vis {
            Some(syn::Visibility::Public(p)) if attrs.is_empty() => p.span,
            _ => first,
        };
        let span_start = start(first);
        let exported = matches!(vis, Some(syn::Visibility::Public(_)));
        let name = sig.ident.to_string();
        if exported && self.module_depth == 0 && self.class.is_empty() {
            self.model.exports.push(name.clone());
        }
        let index = self.model.functions.len();
        self.model.functions.push(Function {
            name: Some(name),
            class: self.class.last().cloned(),
            passed_to: None,
            params: Vec::new(),
            decorators: Vec::new(),
            decorator_args: Vec::new(),
            exported,
            is_async: sig.asyncness.is_some(),
            line: line(first),
            end_line: end_line(block.brace_token.span.close()),
            span: (span_start, end(block.brace_token.span.close())),
        });
        let decorators = self.decorators(attrs);
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => {
                    params.push("self".to_owned());
                    self.model.rust.params.push(Param {
                        function: span_start,
                        name: "self".to_owned(),
                        annotation: Some(type_text(&r.ty)),
                        default: None,
                        line: line(r.self_token.span),
                    });
                }
                syn::FnArg::Typed(typed) => {
                    let name = pat_name(&typed.pat);
                    params.push(name.clone());
                    self.model.rust.params.push(Param {
                        function: span_start,
                        name,
                        annotation: Some(type_text(&typed.ty)),
                        default: None,
                        line: line(typed.colon_token.span),
                    });
                }
            }
        }
        let function = &mut self.model.functions[index];
        function.decorators = decorators;
        function.params = params;
        self.visit_block(block);
    }

    fn push_call(&mut self, callee: String, args: Vec<Arg>, line: u32, offset: u32) {
        let bound_to = match &self.binding {
            Some((at, name)) if *at == offset => Some(name.clone()),
            _ => None,
        };
        if let Some(env) = env_call(&callee, &args) {
            self.model.env_reads.push(EnvRead {
                name: env,
                line,
                fallback: None,
            });
        }
        self.model.calls.push(Call {
            callee,
            args,
            bound_to,
            line,
            offset,
            keywords: Vec::new(),
        });
    }

    /// Records which call each closure argument is passed to.
    fn note_closures<'e>(&mut self, callee: &str, args: impl Iterator<Item = &'e Expr>) {
        for arg in args {
            if let Expr::Closure(c) = arg {
                let at = c
                    .or1_token
                    .span
                    .byte_range()
                    .start
                    .min(
                        c.asyncness
                            .as_ref()
                            .map_or(usize::MAX, |a| a.span.byte_range().start),
                    )
                    .min(
                        c.capture
                            .as_ref()
                            .map_or(usize::MAX, |m| m.span.byte_range().start),
                    );
                self.closure_callees
                    .push((u32::try_from(at).unwrap_or(u32::MAX), callee.to_owned()));
            }
        }
    }
}

/// Arguments and `name = value` keywords (attribute arguments).
fn split_keywords<'e>(exprs: impl Iterator<Item = &'e Expr>) -> (Vec<Arg>, Vec<(String, Arg)>) {
    let mut args = Vec::new();
    let mut keywords = Vec::new();
    for expr in exprs.take(MAX_ITEMS) {
        match expr {
            Expr::Assign(a) => {
                if let Some(name) = expr_path(&a.left) {
                    keywords.push((name, arg_of(&a.right)));
                }
            }
            other => args.push(arg_of(other)),
        }
    }
    (args, keywords)
}

/// Flattens a `use` tree into one import per leaf.
fn use_imports(tree: &syn::UseTree, prefix: &str, line_of: u32, out: &mut Vec<Import>) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}::{name}")
        }
    };
    if out.len() > 4 * MAX_ITEMS * MAX_ITEMS {
        return;
    }
    match tree {
        syn::UseTree::Path(p) => use_imports(&p.tree, &join(&p.ident.to_string()), line_of, out),
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            // `use crate::x::{self}` names the module itself.
            let (specifier, local) = if name == "self" {
                (
                    prefix.to_owned(),
                    prefix.rsplit("::").next().unwrap_or(prefix).to_owned(),
                )
            } else {
                (join(&name), name)
            };
            out.push(Import {
                specifier,
                names: vec![local],
                line: line(n.ident.span()).max(line_of),
            });
        }
        syn::UseTree::Rename(r) => out.push(Import {
            specifier: join(&r.ident.to_string()),
            names: vec![r.rename.to_string()],
            line: line(r.ident.span()).max(line_of),
        }),
        syn::UseTree::Glob(g) => out.push(Import {
            specifier: prefix.to_owned(),
            names: vec!["*".to_owned()],
            line: line(g.star_token.span).max(line_of),
        }),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_imports(item, prefix, line_of, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walker {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let prefix = if item.leading_colon.is_some() {
            "::"
        } else {
            ""
        };
        let mut imports = Vec::new();
        use_imports(&item.tree, prefix, line(item.use_token.span), &mut imports);
        for import in &mut imports {
            import.specifier = import.specifier.replacen(":::", "::", 1);
        }
        self.model.imports.extend(imports);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let name = item.ident.to_string();
        self.model.imports.push(Import {
            specifier: name.clone(),
            names: vec![item.rename.as_ref().map_or(name, |(_, r)| r.to_string())],
            line: line(item.extern_token.span),
        });
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.doc_blocks(&item.attrs);
        let first = item
            .attrs
            .first()
            .map_or(item.mod_token.span, |a| a.pound_token.span);
        let end = match &item.content {
            Some((brace, _)) => end_line(brace.span.close()),
            None => item.semi.as_ref().map_or(line(first), |s| line(s.span)),
        };
        self.model.rust.modules.push(RustModule {
            name: item.ident.to_string(),
            cfg_test: is_cfg_test(&item.attrs),
            inline: item.content.is_some(),
            line: line(first),
            end_line: end,
        });
        self.module_depth += 1;
        if let Some((_, items)) = &item.content {
            for inner in items {
                self.visit_item(inner);
            }
        }
        self.module_depth -= 1;
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        // A nested `fn` is no method of the enclosing `impl`.
        let class = std::mem::take(&mut self.class);
        self.function(&item.attrs, Some(&item.vis), &item.sig, &item.block);
        self.class = class;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.function(&item.attrs, Some(&item.vis), &item.sig, &item.block);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        match &item.default {
            Some(block) => self.function(&item.attrs, None, &item.sig, block),
            None => self.doc_blocks(&item.attrs),
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        self.doc_blocks(&item.attrs);
        let self_ty = type_name(&item.self_ty);
        let first = item
            .attrs
            .first()
            .map_or(item.impl_token.span, |a| a.pound_token.span);
        self.model.rust.impls.push(RustImpl {
            trait_: item.trait_.as_ref().map(|(_, path, _)| path_text(path)),
            self_ty: self_ty.clone(),
            line: line(first),
            end_line: end_line(item.brace_token.span.close()),
        });
        self.class.push(self_ty);
        for inner in &item.items {
            self.visit_impl_item(inner);
        }
        self.class.pop();
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.type_item(
            &item.attrs,
            &item.ident,
            item.struct_token.span,
            item_end(item),
        );
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.type_item(
            &item.attrs,
            &item.ident,
            item.enum_token.span,
            end_line(item.brace_token.span.close()),
        );
        visit::visit_item_enum(self, item);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        // Only doc blocks: decorators are read with their item.
        self.doc_blocks(std::slice::from_ref(attr));
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.deeper() {
            visit::visit_expr(self, expr);
        }
        self.depth -= 1;
    }

    fn visit_type(&mut self, ty: &'ast syn::Type) {
        if self.deeper() {
            visit::visit_type(self, ty);
        }
        self.depth -= 1;
    }

    fn visit_pat(&mut self, pat: &'ast syn::Pat) {
        if self.deeper() {
            visit::visit_pat(self, pat);
        }
        self.depth -= 1;
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if self.deeper() {
            visit::visit_item(self, item);
        }
        self.depth -= 1;
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let callee = expr_path(&call.func).unwrap_or_else(|| "?".to_owned());
        let at = match strip(&call.func) {
            Expr::Path(p) => p
                .path
                .segments
                .last()
                .map_or(call.paren_token.span.open(), |s| s.ident.span()),
            _ => call.paren_token.span.open(),
        };
        let args = call.args.iter().take(MAX_ITEMS).map(arg_of).collect();
        self.note_closures(&callee, call.args.iter());
        self.push_call(callee, args, line(at), start(at));
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let callee = method_callee(call);
        let offset = start(call.method.span());
        let args = call.args.iter().take(MAX_ITEMS).map(arg_of).collect();
        self.note_closures(&callee, call.args.iter());
        self.push_call(callee, args, line(call.method.span()), offset);
        let first = self.model.env_reads.len();
        visit::visit_expr_method_call(self, call);
        // A read with a literal to fall back to
        // (`env::var("K").unwrap_or("v".to_string())`, `.unwrap_or_else(|_|
        // "v".into())`): the literal goes with the read the walk recorded.
        if matches!(
            call.method.to_string().as_str(),
            "unwrap_or" | "unwrap_or_else"
        ) && let Arg::Env(name) = arg_of(&call.receiver)
            && let Some(fallback) = call.args.first().and_then(fallback_literal)
        {
            self.model.set_env_fallback(first, &name, fallback);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let path = path_text(&mac.path);
        let Some(last) = mac.path.segments.last() else {
            return;
        };
        let offset = start(last.ident.span());
        let at = line(last.ident.span());
        let fns = count_fns(mac.tokens.clone());
        if fns > 0 {
            self.model.rust.macro_blocks.push(MacroBlock {
                path: path.clone(),
                fns,
                line: mac
                    .path
                    .segments
                    .first()
                    .map_or(at, |s| line(s.ident.span())),
                end_line: end_line(mac.delimiter.span().close()),
            });
        }
        if name_is_table(&path) {
            let tables = diesel_tables(mac.tokens.clone());
            self.model.rust.tables.extend(tables);
        }
        if path == "joinable" || path.ends_with("::joinable") {
            let join = diesel_join(mac.tokens.clone(), at);
            self.model.rust.joins.extend(join);
        }
        let parsed = macro_args(mac);
        let callee = format!("{path}!");
        let name = path.rsplit("::").next().unwrap_or(&path);
        let args = match &parsed {
            Some(exprs) => match exprs.first() {
                Some(Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(format),
                    ..
                })) if FORMAT_MACROS.contains(&name) => vec![format_template(
                    &format.value(),
                    &format_values(exprs.iter().skip(1)),
                )],
                _ => exprs.iter().take(MAX_ITEMS).map(arg_of).collect(),
            },
            None => Vec::new(),
        };
        self.push_call(callee.clone(), args, at, offset);
        if let Some(exprs) = parsed {
            self.note_closures(&callee, exprs.iter());
            for expr in &exprs {
                self.visit_expr(expr);
            }
        }
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        let first = closure
            .capture
            .as_ref()
            .map(|c| c.span)
            .or(closure.asyncness.as_ref().map(|a| a.span))
            .unwrap_or(closure.or1_token.span);
        let at = start(closure.or1_token.span)
            .min(
                closure
                    .asyncness
                    .as_ref()
                    .map_or(u32::MAX, |a| start(a.span)),
            )
            .min(closure.capture.as_ref().map_or(u32::MAX, |c| start(c.span)));
        let passed_to = self
            .closure_callees
            .iter()
            .rev()
            .find(|(s, _)| *s == at)
            .map(|(_, c)| c.clone());
        let body_end = last_span(&closure.body);
        self.model.functions.push(Function {
            name: None,
            class: None,
            passed_to,
            params: closure.inputs.iter().map(pat_name).collect(),
            decorator_args: Vec::new(),
            decorators: Vec::new(),
            exported: false,
            is_async: closure.asyncness.is_some() || matches!(strip(&closure.body), Expr::Async(_)),
            line: line(first),
            end_line: body_end.map_or(line(first), end_line),
            span: (start(first), body_end.map_or(start(first), end)),
        });
        visit::visit_expr_closure(self, closure);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let name = match &local.pat {
            syn::Pat::Ident(i) => Some(i.ident.to_string()),
            syn::Pat::Type(t) => match t.pat.as_ref() {
                syn::Pat::Ident(i) => Some(i.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        if let (Some(name), Some(init)) = (&name, &local.init) {
            let value = arg_of(&init.expr);
            let at = line(local.let_token.span);
            if let Arg::Env(env) = &value {
                self.model.env_bindings.push(EnvBinding {
                    name: name.clone(),
                    env: env.clone(),
                    line: at,
                });
            }
            if value != Arg::Other {
                self.model.bindings.push(Binding {
                    name: name.clone(),
                    value,
                    line: at,
                });
            }
            if let Some(offset) = call_offset(&init.expr) {
                self.binding = Some((offset, name.clone()));
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_binary(&mut self, binary: &'ast syn::ExprBinary) {
        if matches!(binary.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_))
            && let (Some(left), Some(right)) = (expr_path(&binary.left), expr_path(&binary.right))
        {
            self.model.comparisons.push(Comparison {
                left,
                right,
                line: line(match &binary.op {
                    syn::BinOp::Eq(t) => t.spans[0],
                    syn::BinOp::Ne(t) => t.spans[0],
                    _ => return,
                }),
            });
        }
        visit::visit_expr_binary(self, binary);
    }
}

/// The last token's span of an expression, cheaply for the usual closure
/// bodies (a block, an `async` block, a call).
fn last_span(expr: &Expr) -> Option<Span> {
    match strip(expr) {
        Expr::Block(b) => Some(b.block.brace_token.span.close()),
        Expr::Async(a) => Some(a.block.brace_token.span.close()),
        Expr::Call(c) => Some(c.paren_token.span.close()),
        Expr::MethodCall(m) => Some(m.paren_token.span.close()),
        Expr::Macro(m) => Some(m.mac.delimiter.span().close()),
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.span()),
        _ => None,
    }
}

fn item_end(item: &syn::ItemStruct) -> u32 {
    match &item.fields {
        syn::Fields::Named(f) => end_line(f.brace_token.span.close()),
        _ => item
            .semi_token
            .as_ref()
            .map_or(line(item.ident.span()), |s| line(s.span)),
    }
}

impl Walker {
    /// A struct or enum as a class; its attributes' doc blocks are read by
    /// the walk that follows.
    fn type_item(&mut self, attrs: &[syn::Attribute], ident: &syn::Ident, kw: Span, end: u32) {
        let mut decorators = Vec::new();
        for attr in attrs {
            let path = path_text(attr.path());
            if path == "doc" {
                continue;
            }
            if path == "derive"
                && let Ok(derived) =
                    attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            {
                decorators.extend(derived.iter().map(path_text));
                continue;
            }
            decorators.push(path);
        }
        let first = attrs.first().map_or(kw, |a| a.pound_token.span);
        self.model.classes.push(Class {
            name: ident.to_string(),
            bases: Vec::new(),
            keywords: Vec::new(),
            decorators,
            decorator_args: Vec::new(),
            line: line(first),
            end_line: end,
        });
    }
}

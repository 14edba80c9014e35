//! Python through Ruff's parser: one parse per file, walked once into a
//! [`FileModel`].
//!
//! The parser grows its own stack ([`stacker`](https://docs.rs/stacker))
//! on deep input; the walk here is recursive too, so the caller still
//! refuses files nested deeper than [`crate::js::MAX_DEPTH`] by
//! [`nesting_depth`] and parses on threads with a large stack.
//!
//! What the walk keeps, beyond the shared model: each parameter's
//! annotation and default as written (`Depends(get_current_user)`),
//! assignments with the names their values read (`permission_classes =
//! [IsAuthenticated]`, `q = f"... {name}"`), and strings built by
//! interpolation, `%`, `.format` or `+` that are passed straight to a call.
//! Decorators are calls like any other, at the decorator's line, so
//! `@app.post("/items")` is the call `app.post` with `Arg::Str("/items")`.

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{CmpOp, Decorator, Expr, Operator, Parameters, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::error::ParseError;
use crate::model::Lines;
use crate::model::{
    Arg, ArgValues, Assignment, BuiltArg, Call, Class, Comparison, EnvBinding, EnvRead, FileModel,
    Function, Import, Language, Param, Runtime,
};

/// Longest annotation or default kept as text, in bytes.
const MAX_TEXT: usize = 200;

/// Most names kept for one value.
const MAX_NAMES: usize = 64;

/// Most parts of a dotted path.
const MAX_PATH_PARTS: usize = 64;

/// Deepest syntax tree walked. Brackets are counted before parsing, but
/// an operator chain (`1 + 1 + … + 1`) nests without them; past this depth
/// the file is refused rather than walked.
pub const MAX_TREE_DEPTH: usize = 2_000;

/// The deepest nesting of `(`, `[`, `{` and of runs of the prefix
/// operators `-`, `+`, `~` and `not`, skipping comments and strings
/// (triple-quoted ones included). Cheap and conservative, like
/// [`crate::js::nesting_depth`].
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut deepest: usize = 0;
    let mut run: usize = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth + run);
                run = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                run = 0;
            }
            b'~' | b'+' | b'-' => {
                run += 1;
                deepest = deepest.max(depth + run);
            }
            b'n' if bytes[i..].starts_with(b"not")
                && bytes
                    .get(i + 3)
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_')
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')) =>
            {
                run += 1;
                deepest = deepest.max(depth + run);
                i += 2;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b'\\' => {}
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b);
                if triple {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(&[b, b, b]) {
                        if bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 2;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                        if bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                run = 0;
            }
            _ => run = 0,
        }
        i += 1;
    }
    deepest
}

/// Parses one Python file into its model. The caller has checked the size
/// and [`nesting_depth`] and runs this on a thread with a large stack.
pub(crate) fn parse(
    path: &str,
    text: &str,
    class: diligence_model::FileClass,
) -> Result<FileModel, ParseError> {
    let lines = Lines::new(text);
    let parsed = ruff_python_parser::parse_module(text).map_err(|error| ParseError::Syntax {
        message: error.error.to_string(),
        line: Some(lines.line(error.location.start().to_u32())),
    })?;
    let mut walker = Walker {
        text,
        lines: &lines,
        model: FileModel::new(path, Language::Python, class, Runtime::Server),
        scopes: Vec::new(),
        binding: None,
        depth: 0,
        too_deep: None,
    };
    walker.visit_body(parsed.suite());
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

/// A scope being walked.
enum Scope {
    Class(String),
    Function,
}

struct Walker<'t> {
    text: &'t str,
    lines: &'t Lines,
    model: FileModel,
    scopes: Vec<Scope>,
    /// The variable the next call is bound to, by the call's start offset
    /// (`user = get_user(token)`).
    binding: Option<(u32, String)>,
    /// How deep the walk is in nested statements and expressions.
    depth: usize,
    /// The deepest nesting met, once it passed [`MAX_TREE_DEPTH`].
    too_deep: Option<usize>,
}

/// An expression as a dotted path (`request.args.get`); calls inside the
/// chain read `name()` and parts that are not names `?`.
pub(crate) fn path_of(expr: &Expr) -> Option<String> {
    // Iterative, and bounded: a chain of thousands of attributes is no
    // path anyone asks about.
    let mut parts: Vec<String> = Vec::new();
    let mut current = expr;
    loop {
        if parts.len() > MAX_PATH_PARTS {
            return None;
        }
        match current {
            Expr::Name(name) => {
                parts.push(name.id.as_str().to_owned());
                break;
            }
            Expr::Attribute(attribute) => {
                parts.push(attribute.attr.id.as_str().to_owned());
                current = match attribute.value.as_ref() {
                    Expr::Call(call) => {
                        parts.push("()".to_owned());
                        &call.func
                    }
                    other => other,
                };
            }
            _ => return None,
        }
    }
    let mut path = String::new();
    for part in parts.iter().rev() {
        if part == "()" {
            path.push_str("()");
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
        }
    }
    Some(path)
}

/// The environment variable an expression reads in place, if any:
/// `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`.
fn env_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Subscript(subscript) => {
            let base = path_of(&subscript.value)?;
            if base != "os.environ" && base != "environ" {
                return None;
            }
            match subscript.slice.as_ref() {
                Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
                _ => None,
            }
        }
        Expr::Call(call) => {
            let callee = path_of(&call.func)?;
            if !matches!(
                callee.as_str(),
                "os.getenv" | "getenv" | "os.environ.get" | "environ.get"
            ) {
                return None;
            }
            match call.arguments.args.first() {
                Some(Expr::StringLiteral(s)) => Some(s.value.to_str().to_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A value passed to a call, as far as a detector cares.
/// Where a call is placed ([`Call::offset`]): the start of its callee's
/// last name.
fn call_offset(call: &ruff_python_ast::ExprCall) -> u32 {
    match call.func.as_ref() {
        Expr::Attribute(a) => a.attr.range.start(),
        other => other.range().start(),
    }
    .to_u32()
}

fn arg_of(expr: &Expr) -> Arg {
    if let Some(env) = env_of(expr) {
        return Arg::Env(env);
    }
    // `os.getenv("K") or "v"` reads `K` (its fallback is in the file's
    // environment reads).
    if let Expr::BoolOp(bool_op) = expr
        && bool_op.op == ruff_python_ast::BoolOp::Or
        && let Some(env) = bool_op.values.first().and_then(env_of)
    {
        return Arg::Env(env);
    }
    match expr {
        Expr::StringLiteral(s) => Arg::Str(s.value.to_str().to_owned()),
        Expr::Name(name) => Arg::Ident(name.id.as_str().to_owned()),
        // The constants read as the names they are written with.
        Expr::BooleanLiteral(b) => Arg::Ident(if b.value { "True" } else { "False" }.to_owned()),
        Expr::NoneLiteral(_) => Arg::Ident("None".to_owned()),
        Expr::Attribute(_) => path_of(expr).map_or(Arg::Other, Arg::Member),
        _ => Arg::Other,
    }
}

/// How an expression builds a string from other values, if it does.
fn built(expr: &Expr) -> Option<&'static str> {
    built_within(expr, 0)
}

fn built_within(expr: &Expr, depth: usize) -> Option<&'static str> {
    if depth > MAX_TREE_DEPTH {
        return None;
    }
    match expr {
        Expr::FString(f) => {
            let interpolated = f.value.elements().any(|e| e.as_interpolation().is_some());
            interpolated.then_some("f-string")
        }
        Expr::BinOp(binop) if binop.op == Operator::Mod => matches!(
            binop.left.as_ref(),
            Expr::StringLiteral(_) | Expr::FString(_)
        )
        .then_some("%"),
        Expr::BinOp(binop) if binop.op == Operator::Add => {
            let stringy = |e: &Expr| {
                matches!(e, Expr::StringLiteral(_) | Expr::FString(_))
                    || built_within(e, depth + 1).is_some()
            };
            (stringy(&binop.left) || stringy(&binop.right)).then_some("+")
        }
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Attribute(a)
                if a.attr.id.as_str() == "format"
                    && matches!(a.value.as_ref(), Expr::StringLiteral(_)) =>
            {
                Some("format")
            }
            _ => None,
        },
        _ => None,
    }
}

/// Names, member paths and callees an expression reads, outermost paths
/// only (`request.args.get`, not also `request`).
fn names_in(expr: &Expr) -> Vec<String> {
    struct Names(Vec<String>, usize);
    impl<'a> Visitor<'a> for Names {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.0.len() >= MAX_NAMES || self.1 >= MAX_TREE_DEPTH {
                return;
            }
            self.1 += 1;
            self.visit_expr_inner(expr);
            self.1 -= 1;
        }
    }
    impl<'a> Names {
        fn visit_expr_inner(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(_) | Expr::Attribute(_) => {
                    if let Some(path) = path_of(expr) {
                        self.0.push(path);
                        return;
                    }
                    walk_expr(self, expr);
                }
                Expr::Call(call) => {
                    if let Some(path) = path_of(&call.func) {
                        self.0.push(path);
                    } else {
                        self.visit_expr(&call.func);
                    }
                    for arg in &call.arguments.args {
                        self.visit_expr(arg);
                    }
                    for keyword in &call.arguments.keywords {
                        self.visit_expr(&keyword.value);
                    }
                }
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut names = Names(Vec::new(), 0);
    names.visit_expr(expr);
    names.0
}

/// String literals in an expression, in order.
fn strings_in(expr: &Expr) -> Vec<String> {
    struct Strings(Vec<String>, usize);
    impl<'a> Visitor<'a> for Strings {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.0.len() >= MAX_NAMES || self.1 >= MAX_TREE_DEPTH {
                return;
            }
            if let Expr::StringLiteral(s) = expr {
                self.0.push(s.value.to_str().to_owned());
            }
            self.1 += 1;
            walk_expr(self, expr);
            self.1 -= 1;
        }
    }
    let mut strings = Strings(Vec::new(), 0);
    strings.visit_expr(expr);
    strings.0
}

impl Walker<'_> {
    fn line(&self, offset: u32) -> u32 {
        self.lines.line(offset)
    }

    fn text_of(&self, range: TextRange) -> String {
        let text = self
            .text
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("");
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text[..end].to_owned()
    }

    fn class(&self) -> Option<String> {
        match self.scopes.last() {
            Some(Scope::Class(name)) => Some(name.clone()),
            _ => None,
        }
    }

    fn in_function(&self) -> bool {
        self.scopes.iter().any(|s| matches!(s, Scope::Function))
    }

    fn decorators(decorators: &[Decorator]) -> Vec<String> {
        decorators
            .iter()
            .filter_map(|d| match &d.expression {
                Expr::Call(call) => path_of(&call.func),
                other => path_of(other),
            })
            .collect()
    }

    fn function(&mut self, def: &ruff_python_ast::StmtFunctionDef) {
        let start = def.name.range.start().to_u32();
        let end = def.range.end().to_u32();
        let params = self.params(&def.parameters, start);
        let top_level = self.scopes.is_empty();
        let name = def.name.id.as_str().to_owned();
        if top_level && !name.starts_with('_') {
            self.model.exports.push(name.clone());
        }
        self.model.functions.push(Function {
            name: Some(name),
            class: self.class(),
            passed_to: None,
            params,
            decorators: Self::decorators(&def.decorator_list),
            decorator_args: Vec::new(),
            exported: top_level,
            is_async: def.is_async,
            line: self.line(start),
            end_line: self.line(end.saturating_sub(1).max(start)),
            span: (start, end),
        });
    }

    fn params(&mut self, parameters: &Parameters, function: u32) -> Vec<String> {
        let mut names = Vec::new();
        let all = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs);
        for p in all {
            let name = p.parameter.name.id.as_str().to_owned();
            let annotation = p
                .parameter
                .annotation
                .as_ref()
                .map(|a| self.text_of(a.range()));
            let default = p.default.as_ref().map(|d| self.text_of(d.range()));
            let line = self.line(p.range.start().to_u32());
            self.model.python.params.push(Param {
                function,
                name: name.clone(),
                annotation,
                default,
                line,
            });
            names.push(name);
        }
        for p in parameters.vararg.iter().chain(&parameters.kwarg) {
            names.push(p.name.id.as_str().to_owned());
        }
        names
    }

    fn class_def(&mut self, def: &ruff_python_ast::StmtClassDef) {
        let bases = def
            .arguments
            .as_ref()
            .map(|a| a.args.iter().filter_map(path_of).collect())
            .unwrap_or_default();
        let keywords = def
            .arguments
            .as_ref()
            .map(|a| {
                a.keywords
                    .iter()
                    .filter_map(|k| {
                        Some((k.arg.as_ref()?.id.as_str().to_owned(), arg_of(&k.value)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let start = def.name.range.start().to_u32();
        self.model.classes.push(Class {
            name: def.name.id.as_str().to_owned(),
            bases,
            keywords,
            decorators: Self::decorators(&def.decorator_list),
            decorator_args: Vec::new(),
            line: self.line(start),
            end_line: self.line(def.range.end().to_u32().saturating_sub(1).max(start)),
        });
    }

    fn import(&mut self, stmt: &Stmt) {
        let line = self.line(stmt.range().start().to_u32());
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.id.as_str();
                    let local = alias.asname.as_ref().map_or_else(
                        || module.split('.').next().unwrap_or(module).to_owned(),
                        |a| a.id.as_str().to_owned(),
                    );
                    self.model.imports.push(Import {
                        specifier: module.to_owned(),
                        names: vec![local],
                        line,
                    });
                }
            }
            Stmt::ImportFrom(from) => {
                let dots = ".".repeat(usize::try_from(from.level).unwrap_or(0));
                let module = from.module.as_ref().map_or("", |m| m.id.as_str());
                let names = from
                    .names
                    .iter()
                    .map(|a| {
                        a.asname
                            .as_ref()
                            .map_or_else(|| a.name.id.as_str(), |n| n.id.as_str())
                            .to_owned()
                    })
                    .collect();
                self.model.imports.push(Import {
                    specifier: format!("{dots}{module}"),
                    names,
                    line,
                });
            }
            _ => {}
        }
    }

    fn assignment(&mut self, target: &Expr, value: &Expr, annotation: Option<&Expr>) {
        let Some(path) = path_of(target) else {
            return;
        };
        let offset = target.range().start().to_u32();
        let line = self.line(offset);
        if let (Expr::Name(_), Some(env)) = (target, env_of(value)) {
            self.model.env_bindings.push(EnvBinding {
                name: path.clone(),
                env,
                line,
            });
        }
        let entries = match value {
            Expr::Dict(dict) => dict
                .items
                .iter()
                .filter_map(|item| match &item.key {
                    Some(Expr::StringLiteral(key)) => {
                        let mut names = names_in(&item.value);
                        names.extend(strings_in(&item.value));
                        Some((key.value.to_str().to_owned(), names))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let inner = match value {
            Expr::Await(a) => a.value.as_ref(),
            other => other,
        };
        self.model.python.assignments.push(Assignment {
            target: path,
            class: self.class(),
            in_function: self.in_function(),
            names: names_in(value),
            entries,
            built: built(inner).map(str::to_owned),
            value: arg_of(value),
            annotation: annotation.map(|a| self.text_of(a.range())),
            call: match inner {
                Expr::Call(call) => Some(call_offset(call)),
                _ => None,
            },
            line,
            offset,
        });
    }

    /// A class attribute that is only annotated (`email: Mapped[str]`).
    fn declaration(&mut self, target: &Expr, annotation: &Expr) {
        let Some(path) = path_of(target) else {
            return;
        };
        let offset = target.range().start().to_u32();
        let line = self.line(offset);
        self.model.python.assignments.push(Assignment {
            target: path,
            class: self.class(),
            in_function: false,
            names: Vec::new(),
            entries: Vec::new(),
            built: None,
            value: Arg::Other,
            annotation: Some(self.text_of(annotation.range())),
            call: None,
            line,
            offset,
        });
    }

    fn call(&mut self, call: &ruff_python_ast::ExprCall, bound_to: Option<String>) {
        let callee = path_of(&call.func).unwrap_or_else(|| "?".to_owned());
        let start = call_offset(call);
        let line = self.line(start);
        let args: Vec<Arg> = call.arguments.args.iter().map(arg_of).collect();
        let keywords = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.id.as_str().to_owned(), arg_of(&k.value))))
            .collect();
        let compound = |e: &Expr| {
            matches!(
                e,
                Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) | Expr::Call(_)
            )
        };
        let positional = call
            .arguments
            .args
            .iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), e));
        let named = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.id.as_str().to_owned(), &k.value)));
        for (arg, value) in positional.chain(named) {
            if compound(value) {
                self.model.python.arg_values.push(ArgValues {
                    call: start,
                    arg,
                    names: names_in(value),
                    strings: strings_in(value),
                });
            }
        }
        for (index, arg) in call.arguments.args.iter().enumerate() {
            if let Some(how) = built(arg) {
                self.model.python.built_args.push(BuiltArg {
                    call: start,
                    index,
                    how: how.to_owned(),
                    names: names_in(arg),
                    line: self.line(arg.range().start().to_u32()),
                });
            }
        }
        self.model.calls.push(Call {
            callee,
            args,
            bound_to,
            line,
            offset: start,
            keywords,
        });
    }
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.deeper() {
            self.visit_stmt_inner(stmt);
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.deeper() {
            self.visit_expr_inner(expr);
        }
        self.depth -= 1;
    }
}

impl<'a> Walker<'_> {
    /// Enters one level; false (and the file marked too deep) past the
    /// limit.
    fn deeper(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_TREE_DEPTH {
            self.too_deep = Some(self.too_deep.unwrap_or(0).max(self.depth));
            return false;
        }
        self.too_deep.is_none()
    }

    fn visit_stmt_inner(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.function(def);
                self.scopes.push(Scope::Function);
                walk_stmt(self, stmt);
                self.scopes.pop();
                return;
            }
            Stmt::ClassDef(def) => {
                self.class_def(def);
                self.scopes
                    .push(Scope::Class(def.name.id.as_str().to_owned()));
                walk_stmt(self, stmt);
                self.scopes.pop();
                return;
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(stmt),
            Stmt::Try(try_stmt) => {
                // `except …: pass` (or `...`): the exception is dropped.
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    let drops = handler.body.iter().all(|s| match s {
                        Stmt::Pass(_) => true,
                        Stmt::Expr(e) => matches!(e.value.as_ref(), Expr::EllipsisLiteral(_)),
                        _ => false,
                    });
                    if drops {
                        let line = self.line(handler.range.start().to_u32());
                        self.model.swallowed.push(line);
                    }
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.assignment(target, &assign.value, None);
                }
                let inner = match assign.value.as_ref() {
                    Expr::Await(a) => a.value.as_ref(),
                    other => other,
                };
                if let (Expr::Call(call), [Expr::Name(name)]) = (inner, assign.targets.as_slice()) {
                    self.binding =
                        Some((call.range().start().to_u32(), name.id.as_str().to_owned()));
                }
            }
            Stmt::AnnAssign(assign) => match &assign.value {
                Some(value) => self.assignment(&assign.target, value, Some(&assign.annotation)),
                None if self.class().is_some() => {
                    self.declaration(&assign.target, &assign.annotation);
                }
                None => {}
            },
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr_inner(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                if let Some(env) = env_of(expr) {
                    let line = self.line(expr.range().start().to_u32());
                    // The default a read falls back to: `os.getenv("K", "v")`,
                    // `os.environ.get("K", default="v")`.
                    let fallback = call
                        .arguments
                        .args
                        .get(1)
                        .or_else(|| {
                            call.arguments
                                .keywords
                                .iter()
                                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
                                .map(|k| &k.value)
                        })
                        .and_then(|value| match value {
                            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
                            _ => None,
                        });
                    self.model.env_reads.push(EnvRead {
                        name: env,
                        line,
                        fallback,
                    });
                }
                let start = call.range().start().to_u32();
                let bound_to = match self.binding.take() {
                    Some((at, name)) if at == start => Some(name),
                    _ => None,
                };
                self.call(call, bound_to);
            }
            Expr::Subscript(_) => {
                if let Some(env) = env_of(expr) {
                    let line = self.line(expr.range().start().to_u32());
                    self.model.env_reads.push(EnvRead {
                        name: env,
                        line,
                        fallback: None,
                    });
                }
            }
            // A read with a literal to fall back to (`os.getenv("K") or
            // "v"`): the literal goes with the read the walk records.
            Expr::BoolOp(bool_op)
                if bool_op.op == ruff_python_ast::BoolOp::Or
                    && let [left, Expr::StringLiteral(literal), ..] = bool_op.values.as_slice()
                    && let Some(name) = env_of(left) =>
            {
                let first = self.model.env_reads.len();
                walk_expr(self, expr);
                self.model
                    .set_env_fallback(first, &name, literal.value.to_str().to_owned());
                return;
            }
            Expr::Compare(compare) => {
                let equality = compare
                    .ops
                    .iter()
                    .all(|op| matches!(op, CmpOp::Eq | CmpOp::NotEq | CmpOp::Is | CmpOp::IsNot));
                if let (true, [right]) = (equality, compare.comparators.as_ref())
                    && let (Some(left), Some(right)) = (path_of(&compare.left), path_of(right))
                {
                    let line = self.line(expr.range().start().to_u32());
                    self.model
                        .comparisons
                        .push(Comparison { left, right, line });
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// The file a Python module specifier names, seen from `from`
/// (`.routers` → `app/routers.py` or `app/routers/__init__.py`;
/// `app.auth` → a file ending in `app/auth.py`), or, with `name`, the
/// submodule `name` of that package (`from .routers import items`).
pub(crate) fn resolve_module<'m>(
    model: &'m crate::SourceModel,
    from: &str,
    specifier: &str,
    name: Option<&str>,
) -> Option<&'m FileModel> {
    let level = specifier.len() - specifier.trim_start_matches('.').len();
    let dotted = specifier.trim_start_matches('.');
    let mut parts: Vec<&str> = dotted.split('.').filter(|p| !p.is_empty()).collect();
    if let Some(name) = name {
        parts.push(name);
    }
    let module = parts.join("/");
    let candidates = |module: &str| [format!("{module}.py"), format!("{module}/__init__.py")];
    if level > 0 {
        let mut dir: Vec<&str> = from.split('/').collect();
        dir.pop();
        for _ in 1..level {
            dir.pop()?;
        }
        let base = dir.join("/");
        let full = match (base.is_empty(), module.is_empty()) {
            (_, true) => base,
            (true, false) => module,
            (false, false) => format!("{base}/{module}"),
        };
        return candidates(&full).iter().find_map(|c| model.file(c));
    }
    if module.is_empty() {
        return None;
    }
    candidates(&module)
        .iter()
        .find_map(|c| model.file(c).or_else(|| model.file_ending(c)))
}

/// Where a name used in `file` is defined: the same file, or the module
/// one import away (`from .auth import get_current_user`; `items.router`
/// after `from .routers import items`). Gives the defining file and the
/// name there.
pub(crate) fn resolve_name<'m>(
    model: &'m crate::SourceModel,
    file: &'m FileModel,
    name: &str,
) -> Option<(&'m FileModel, String)> {
    if let Some((module, member)) = name.rsplit_once('.') {
        // `items.router`: `items` is a module imported by name.
        let import = file
            .imports
            .iter()
            .find(|i| i.names.iter().any(|n| n == module))?;
        let target = resolve_module(model, &file.path, &import.specifier, Some(module))
            .or_else(|| resolve_module(model, &file.path, &import.specifier, None))?;
        return Some((target, member.to_owned()));
    }
    if let Some(import) = file
        .imports
        .iter()
        .find(|i| i.names.iter().any(|n| n == name) && !i.specifier.is_empty())
    {
        let target = resolve_module(model, &file.path, &import.specifier, None)?;
        return Some((target, name.to_owned()));
    }
    Some((file, name.to_owned()))
}

/// The decorator call of `function` whose callee is `callee`: the last
/// such call before the function's name with no other function between.
pub(crate) fn decorator_call<'f>(
    file: &'f FileModel,
    function: &Function,
    callee: &str,
) -> Option<&'f Call> {
    let call = file
        .calls
        .iter()
        .filter(|c| c.callee == callee && c.offset < function.span.0)
        .max_by_key(|c| c.offset)?;
    let between = file
        .functions
        .iter()
        .any(|f| call.offset < f.span.0 && f.span.0 < function.span.0);
    (!between).then_some(call)
}

/// The top-level function `name` of a file.
pub(crate) fn function_named<'f>(file: &'f FileModel, name: &str) -> Option<&'f Function> {
    file.functions
        .iter()
        .find(|f| f.name.as_deref() == Some(name) && f.class.is_none())
}

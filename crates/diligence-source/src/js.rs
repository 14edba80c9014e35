//! JavaScript and TypeScript through oxc: one parse per file, walked once
//! into a [`FileModel`].
//!
//! oxc is a recursive-descent parser: deep enough nesting overflows the
//! stack, and a stack overflow aborts the whole process (Rust cannot catch
//! it). Two guards keep hostile input bounded: [`nesting_depth`] refuses a
//! file before parsing when brackets or prefix-operator runs nest deeper
//! than [`MAX_DEPTH`], and the caller parses on threads with a large stack.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BindingPattern, CallExpression, ChainElement, Declaration, Directive,
    ExportAllDeclaration, ExportDeclaration, ExportDefaultDeclaration,
    ExportDefaultDeclarationKind, ExportFromDeclaration, Expression, ImportDeclaration,
    ImportDeclarationSpecifier, NewExpression, VariableDeclarator,
};
use oxc_ast::ast::{
    ArrowFunctionBody, ArrowFunctionExpression, AssignmentExpression, AssignmentTarget,
    BinaryExpression, CatchClause, Class, Decorator, FormalParameters, Function, MethodDefinition,
    ObjectExpression, ObjectProperty, ObjectPropertyKind, PropertyDefinition,
    StaticMemberExpression, UnaryExpression,
};
use oxc_ast_visit::Visit;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};
use oxc_syntax::scope::ScopeFlags;
use std::collections::HashMap;

use crate::error::ParseError;
use crate::model::Lines;
use crate::model::{
    Arg, Binding, BodyField, Call, ClassField, Comparison, EnvBinding, EnvRead, FileModel,
    Function as FunctionModel, Import, Language, Property, Runtime,
};

/// Longest type annotation kept for a class field, in characters.
const MAX_ANNOTATION: usize = 200;

/// Deepest bracket or prefix-operator nesting a file may have.
pub const MAX_DEPTH: usize = 1_000;

/// The deepest nesting of `(`, `[`, `{` and of runs of prefix operators
/// (`!`, `~`, `+`, `-`), skipping strings and comments roughly. Cheap and
/// conservative: it may overcount (a regex literal holding brackets), never
/// by enough to matter below [`MAX_DEPTH`] in real code.
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
            b'!' | b'~' | b'+' | b'-' => {
                run += 1;
                deepest = deepest.max(depth + run);
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'\'' | b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                run = 0;
            }
            _ => run = 0,
        }
        i += 1;
    }
    deepest
}

/// Parses one file into its model. The caller has checked the size and
/// [`nesting_depth`], and runs this on a thread with a large stack: without
/// those guards deep input aborts the process, so this is not public.
pub(crate) fn parse(
    path: &str,
    text: &str,
    language: Language,
    class: diligence_model::FileClass,
    runtime: Runtime,
) -> Result<FileModel, ParseError> {
    let source_type = match language {
        Language::JavaScript => SourceType::mjs(),
        Language::Jsx => SourceType::jsx(),
        Language::TypeScript => SourceType::ts(),
        Language::Tsx => SourceType::tsx(),
        Language::Python | Language::Rust => {
            return Err(ParseError::Syntax {
                message: "not a JavaScript file".to_owned(),
                line: None,
            });
        }
    };
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type).parse();
    let lines = Lines::new(text);
    if parsed.panicked || parsed.diagnostics.has_errors() {
        let first = parsed.diagnostics.errors().next();
        let line = first
            .and_then(|d| d.labels.first())
            .map(|l| lines.line(l.offset()));
        let message = first.map_or_else(
            || "the parser stopped".to_owned(),
            |d| d.message.to_string(),
        );
        return Err(ParseError::Syntax { message, line });
    }
    let mut walker = Walker {
        text,
        lines: &lines,
        model: FileModel::new(path, language, class, runtime),
        body_vars: Vec::new(),
        pending: HashMap::new(),
        classes: Vec::new(),
        objects: Vec::new(),
    };
    walker.visit_program(&parsed.program);
    let mut model = walker.model;
    model.runtime = match model.directives.iter().map(String::as_str).next() {
        Some("use client") => Runtime::Client,
        Some("use server") => Runtime::Server,
        _ => model.runtime,
    };
    model.exports.sort();
    model.exports.dedup();
    Ok(model)
}

/// Whether an arrow function given to `.catch` drops the error: an empty
/// body, or one that only yields `null` or `undefined`.
fn drops_error(arrow: &ArrowFunctionExpression<'_>) -> bool {
    match &arrow.body {
        ArrowFunctionBody::FunctionBody(body) => body.statements.is_empty(),
        ArrowFunctionBody::NullLiteral(_) => true,
        ArrowFunctionBody::Identifier(id) => id.name == "undefined",
        _ => false,
    }
}

struct Walker<'l> {
    text: &'l str,
    lines: &'l Lines,
    model: FileModel,
    /// Variables holding a parsed request body (`const body = await req.json()`).
    body_vars: Vec<String>,
    /// What the parent of a function node knows about it (its name, the
    /// call it is passed to, whether it is exported), by the function's
    /// start offset; taken when the function itself is visited.
    pending: HashMap<u32, Pending>,
    /// Names of the classes being walked, innermost last.
    classes: Vec<String>,
    /// Start offsets of the object literals being walked, innermost last.
    objects: Vec<u32>,
}

/// What a function's parent knows about it.
#[derive(Default)]
struct Pending {
    name: Option<String>,
    passed_to: Option<String>,
    decorators: Vec<String>,
    decorator_args: Vec<Vec<Arg>>,
    exported: bool,
    method: bool,
}

/// The start offset of a function or arrow expression, if `expr` is one.
fn function_start(expr: &Expression<'_>) -> Option<u32> {
    match unwrap(expr) {
        Expression::ArrowFunctionExpression(f) => Some(f.span.start),
        Expression::FunctionExpression(f) => Some(f.span.start),
        _ => None,
    }
}

fn param_names(params: &FormalParameters<'_>) -> Vec<String> {
    params
        .items
        .iter()
        .map(|p| {
            p.pattern
                .get_identifier_name()
                .map_or_else(|| "?".to_owned(), |n| n.as_str().to_owned())
        })
        .collect()
}

fn decorator_names(decorators: &[Decorator<'_>]) -> Vec<String> {
    decorators
        .iter()
        .filter_map(|d| match d.expression.get_inner_expression() {
            Expression::CallExpression(c) => path_of(&c.callee),
            e => path_of(e),
        })
        .collect()
}

/// The arguments of each decorator that [`decorator_names`] keeps, in the
/// same order (empty for a decorator that is not a call).
fn decorator_args(decorators: &[Decorator<'_>]) -> Vec<Vec<Arg>> {
    decorators
        .iter()
        .filter_map(|d| match d.expression.get_inner_expression() {
            Expression::CallExpression(c) => path_of(&c.callee).map(|_| {
                c.arguments
                    .iter()
                    .take(ARG_ITEMS)
                    .map(|a| a.as_expression().map_or(Arg::Other, arg_of))
                    .collect()
            }),
            e => path_of(e).map(|_| Vec::new()),
        })
        .collect()
}

/// Strips parentheses, type assertions, `await`, `!` and `?? fallback`.
fn unwrap<'e, 'a>(mut expr: &'e Expression<'a>) -> &'e Expression<'a> {
    loop {
        expr = expr.get_inner_expression();
        expr = match expr {
            Expression::AwaitExpression(e) => &e.argument,
            Expression::LogicalExpression(e) => &e.left,
            _ => return expr,
        };
    }
}

/// The dotted path of an expression, if it is made of names, members and
/// calls (`supabase.from().select`); `None` otherwise.
fn path_of(expr: &Expression<'_>) -> Option<String> {
    match unwrap(expr) {
        Expression::Identifier(id) => Some(id.name.as_str().to_owned()),
        Expression::ThisExpression(_) => Some("this".to_owned()),
        Expression::ImportMeta(_) => Some("import.meta".to_owned()),
        Expression::StaticMemberExpression(m) => Some(format!(
            "{}.{}",
            path_of(&m.object)?,
            m.property.name.as_str()
        )),
        Expression::ComputedMemberExpression(m) => {
            let key = match m.expression.get_inner_expression() {
                Expression::StringLiteral(s) => s.value.as_str().to_owned(),
                _ => "?".to_owned(),
            };
            Some(format!("{}.{key}", path_of(&m.object)?))
        }
        Expression::CallExpression(c) => Some(format!("{}()", path_of(&c.callee)?)),
        Expression::NewExpression(n) => Some(format!("new {}()", path_of(&n.callee)?)),
        Expression::ChainExpression(chain) => match &chain.expression {
            ChainElement::CallExpression(c) => Some(format!("{}()", path_of(&c.callee)?)),
            ChainElement::StaticMemberExpression(m) => Some(format!(
                "{}.{}",
                path_of(&m.object)?,
                m.property.name.as_str()
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The environment variable an expression reads, if it is one read.
fn env_of(expr: &Expression<'_>) -> Option<String> {
    match unwrap(expr) {
        Expression::CallExpression(c) => {
            let callee = path_of(&c.callee)?;
            if callee == "Deno.env.get" || callee == "process.env.get" {
                match c.arguments.first()?.as_expression()?.get_inner_expression() {
                    Expression::StringLiteral(s) => Some(s.value.as_str().to_owned()),
                    _ => None,
                }
            } else {
                None
            }
        }
        Expression::StaticMemberExpression(m) => {
            let object = path_of(&m.object)?;
            (object == "process.env" || object == "import.meta.env" || object == "Bun.env")
                .then(|| m.property.name.as_str().to_owned())
        }
        Expression::ComputedMemberExpression(m) => {
            let object = path_of(&m.object)?;
            if object != "process.env" && object != "import.meta.env" {
                return None;
            }
            match m.expression.get_inner_expression() {
                Expression::StringLiteral(s) => Some(s.value.as_str().to_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// How deep object, array and call arguments are read.
const ARG_DEPTH: usize = 3;

/// How many items of an object or array literal are read.
const ARG_ITEMS: usize = 32;

fn arg_of(expr: &Expression<'_>) -> Arg {
    arg_at(expr, 0)
}

fn arg_at(expr: &Expression<'_>, depth: usize) -> Arg {
    if let Some(env) = env_of(expr) {
        return Arg::Env(env);
    }
    let expr_path = |e: &Expression<'_>| path_of(e).unwrap_or_else(|| "?".to_owned());
    match unwrap(expr) {
        Expression::StringLiteral(s) => Arg::Str(s.value.as_str().to_owned()),
        Expression::BooleanLiteral(b) => Arg::Bool(b.value),
        Expression::TemplateLiteral(t) => match t.single_quasi() {
            Some(q) => Arg::Str(q.as_str().to_owned()),
            None => Arg::Template {
                parts: t
                    .quasis
                    .iter()
                    .map(|q| q.value.raw.as_str().to_owned())
                    .collect(),
                exprs: t.expressions.iter().map(expr_path).collect(),
            },
        },
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
            let mut parts = Vec::new();
            let mut exprs = Vec::new();
            concat_leaves(expr, &mut parts, &mut exprs, 0);
            if parts.is_empty() {
                Arg::Other
            } else {
                Arg::Template { parts, exprs }
            }
        }
        Expression::Identifier(id) => Arg::Ident(id.name.as_str().to_owned()),
        e @ (Expression::StaticMemberExpression(_)
        | Expression::ComputedMemberExpression(_)
        | Expression::ChainExpression(_))
            if !matches!(e, Expression::ChainExpression(c) if matches!(c.expression, ChainElement::CallExpression(_))) =>
        {
            path_of(e).map_or(Arg::Other, Arg::Member)
        }
        _ if depth >= ARG_DEPTH => Arg::Other,
        Expression::ObjectExpression(o) => Arg::Object(
            o.properties
                .iter()
                .filter_map(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p) => Some((
                        p.key.static_name()?.to_string(),
                        arg_at(&p.value, depth + 1),
                    )),
                    ObjectPropertyKind::SpreadProperty(_) => None,
                })
                .take(ARG_ITEMS)
                .collect(),
        ),
        Expression::ArrayExpression(a) => Arg::Array(
            a.elements
                .iter()
                .take(ARG_ITEMS)
                .map(|e| {
                    e.as_expression()
                        .map_or(Arg::Other, |e| arg_at(e, depth + 1))
                })
                .collect(),
        ),
        Expression::CallExpression(c) => match path_of(&c.callee) {
            Some(callee) => Arg::Call {
                callee,
                args: c
                    .arguments
                    .iter()
                    .take(ARG_ITEMS)
                    .map(|a| {
                        a.as_expression()
                            .map_or(Arg::Other, |e| arg_at(e, depth + 1))
                    })
                    .collect(),
            },
            None => Arg::Other,
        },
        _ => Arg::Other,
    }
}

/// The leaves of a `+` chain: string literals into `parts`, the rest into
/// `exprs` as paths. Bounded like the other argument reads.
fn concat_leaves(
    expr: &Expression<'_>,
    parts: &mut Vec<String>,
    exprs: &mut Vec<String>,
    depth: usize,
) {
    match unwrap(expr) {
        Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition && depth < 64 => {
            concat_leaves(&b.left, parts, exprs, depth + 1);
            concat_leaves(&b.right, parts, exprs, depth + 1);
        }
        Expression::StringLiteral(s) => parts.push(s.value.as_str().to_owned()),
        Expression::TemplateLiteral(t) => {
            parts.extend(t.quasis.iter().map(|q| q.value.raw.as_str().to_owned()));
            exprs.extend(
                t.expressions
                    .iter()
                    .map(|e| path_of(e).unwrap_or_else(|| "?".to_owned())),
            );
        }
        e => exprs.push(path_of(e).unwrap_or_else(|| "?".to_owned())),
    }
}

/// Whether an expression is a request body parse (`req.json()`, awaited
/// or not).
fn is_body_parse(expr: &Expression<'_>) -> bool {
    match unwrap(expr) {
        Expression::CallExpression(c) => path_of(&c.callee).is_some_and(|p| {
            p.rsplit_once('.').is_some_and(|(object, method)| {
                method == "json"
                    && !object.contains('(')
                    && object != "JSON"
                    && object != "Response"
            })
        }),
        _ => false,
    }
}

impl Walker<'_> {
    fn line(&self, offset: u32) -> u32 {
        self.lines.line(offset)
    }

    fn pending_mut(&mut self, start: u32) -> &mut Pending {
        self.pending.entry(start).or_default()
    }

    fn push_function(&mut self, start: u32, end: u32, params: Vec<String>, is_async: bool) {
        let pending = self.pending.remove(&start).unwrap_or_default();
        let class = if pending.method {
            self.classes.last().cloned()
        } else {
            None
        };
        let (line, end_line) = (self.line(start), self.line(end));
        self.model.functions.push(FunctionModel {
            name: pending.name,
            class,
            passed_to: pending.passed_to,
            params,
            decorators: pending.decorators,
            decorator_args: pending.decorator_args,
            exported: pending.exported,
            is_async,
            line,
            end_line,
            span: (start, end),
        });
    }

    fn record_call(
        &mut self,
        callee: &Expression<'_>,
        args: &[Argument<'_>],
        start: u32,
        new: bool,
    ) {
        let Some(path) = path_of(callee) else {
            return;
        };
        // A chained call reads at its method, not at the chain's start.
        let start = match callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => m.property.span.start,
            _ => start,
        };
        let callee = if new { format!("new {path}") } else { path };
        let args = args
            .iter()
            .map(|a| a.as_expression().map_or(Arg::Other, arg_of))
            .collect();
        let line = self.line(start);
        self.model.calls.push(Call {
            callee,
            args,
            bound_to: None,
            line,
            offset: start,
            keywords: Vec::new(),
        });
    }

    /// Records what a non-function declaration binds: the value of a
    /// named variable, or the members a destructuring takes from a path.
    fn record_binding(
        &mut self,
        pattern: &BindingPattern<'_>,
        name: Option<&str>,
        init: &Expression<'_>,
        line: u32,
    ) {
        if let Some(name) = name {
            let value = arg_of(init);
            if value != Arg::Other {
                self.model.bindings.push(Binding {
                    name: name.to_owned(),
                    value,
                    line,
                });
            }
            return;
        }
        let (BindingPattern::ObjectPattern(object), Some(path)) = (pattern, path_of(init)) else {
            return;
        };
        for property in &object.properties {
            let Some(field) = property.key.static_name() else {
                continue;
            };
            let Some(local) = property.value.get_identifier_name() else {
                continue;
            };
            self.model.bindings.push(Binding {
                name: local.as_str().to_owned(),
                value: Arg::Member(format!("{path}.{field}")),
                line,
            });
        }
    }

    fn body_fields_from_pattern(&mut self, pattern: &BindingPattern<'_>, line: u32) {
        let BindingPattern::ObjectPattern(object) = pattern else {
            return;
        };
        for property in &object.properties {
            let Some(field) = property.key.static_name() else {
                continue;
            };
            let local = property
                .value
                .get_identifier_name()
                .map_or_else(|| field.to_string(), |n| n.as_str().to_owned());
            let field = field.to_string();
            self.model
                .body_fields
                .push(BodyField { field, local, line });
        }
    }
}

impl<'a> Visit<'a> for Walker<'_> {
    fn visit_directive(&mut self, it: &Directive<'a>) {
        self.model
            .directives
            .push(it.expression.value.as_str().to_owned());
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let names = it
            .specifiers
            .iter()
            .flatten()
            .map(|s| match s {
                ImportDeclarationSpecifier::ImportSpecifier(s) => s.local.name.as_str().to_owned(),
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    s.local.name.as_str().to_owned()
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    s.local.name.as_str().to_owned()
                }
            })
            .collect();
        let line = self.line(it.span.start);
        self.model.imports.push(Import {
            specifier: it.source.value.as_str().to_owned(),
            names,
            line,
        });
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let line = self.line(it.span.start);
        self.model.imports.push(Import {
            specifier: it.source.value.as_str().to_owned(),
            names: Vec::new(),
            line,
        });
        oxc_ast_visit::walk::walk_export_from_declaration(self, it);
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        // `export * from './auth'`: a barrel re-export, recorded like
        // `export { … } from` (no local names).
        if it.exported.is_none() {
            let line = self.line(it.span.start);
            self.model.imports.push(Import {
                specifier: it.source.value.as_str().to_owned(),
                names: Vec::new(),
                line,
            });
        }
        oxc_ast_visit::walk::walk_export_all_declaration(self, it);
    }

    fn visit_export_declaration(&mut self, it: &ExportDeclaration<'a>) {
        match &it.declaration {
            Declaration::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    self.model.exports.push(id.name.as_str().to_owned());
                }
                self.pending_mut(f.span.start).exported = true;
            }
            Declaration::VariableDeclaration(v) => {
                for d in &v.declarations {
                    let callable = d.init.as_ref().is_some_and(|e| {
                        matches!(
                            unwrap(e),
                            Expression::ArrowFunctionExpression(_)
                                | Expression::FunctionExpression(_)
                                | Expression::CallExpression(_)
                        )
                    });
                    if callable && let Some(name) = d.id.get_identifier_name() {
                        self.model.exports.push(name.as_str().to_owned());
                    }
                    if let Some(start) = d.init.as_ref().and_then(function_start) {
                        self.pending_mut(start).exported = true;
                    }
                }
            }
            _ => {}
        }
        oxc_ast_visit::walk::walk_export_declaration(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        match &it.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                let name = f.id.as_ref().map_or("default", |id| id.name.as_str());
                self.model.exports.push(name.to_owned());
                let pending = self.pending_mut(f.span.start);
                pending.exported = true;
                if f.id.is_none() {
                    pending.name = Some("default".to_owned());
                }
            }
            ExportDefaultDeclarationKind::ArrowFunctionExpression(f) => {
                self.model.exports.push("default".to_owned());
                let pending = self.pending_mut(f.span.start);
                pending.exported = true;
                pending.name = Some("default".to_owned());
            }
            _ => {}
        }
        oxc_ast_visit::walk::walk_export_default_declaration(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            let line = self.line(it.span.start);
            let name = it.id.get_identifier_name().map(|n| n.as_str().to_owned());
            if let (Some(name), Some(start)) = (&name, function_start(init)) {
                self.pending_mut(start)
                    .name
                    .get_or_insert_with(|| name.clone());
            }
            if let (Some(name), Some(env)) = (&name, env_of(init)) {
                self.model.env_bindings.push(EnvBinding {
                    name: name.clone(),
                    env,
                    line,
                });
            }
            if function_start(init).is_none() {
                self.record_binding(&it.id, name.as_deref(), init, line);
            }
            if is_body_parse(init) {
                match &name {
                    Some(name) => self.body_vars.push(name.clone()),
                    None => self.body_fields_from_pattern(&it.id, line),
                }
            } else if let Expression::Identifier(source) = unwrap(init)
                && self.body_vars.iter().any(|b| b == source.name.as_str())
            {
                match &name {
                    Some(name) => self.body_vars.push(name.clone()),
                    None => self.body_fields_from_pattern(&it.id, line),
                }
            }
            // Walk first, so the call this declarator binds is recorded,
            // then name its result.
            let before = self.model.calls.len();
            oxc_ast_visit::walk::walk_variable_declarator(self, it);
            let bound = match unwrap(init) {
                Expression::CallExpression(call) => path_of(&call.callee),
                Expression::NewExpression(new) => path_of(&new.callee).map(|p| format!("new {p}")),
                _ => None,
            };
            if let (Some(name), Some(path)) = (&name, bound)
                && let Some(recorded) = self.model.calls[before..]
                    .iter_mut()
                    .find(|c| c.callee == path)
            {
                recorded.bound_to = Some(name.clone());
            }
            return;
        }
        oxc_ast_visit::walk::walk_variable_declarator(self, it);
    }

    fn visit_catch_clause(&mut self, it: &CatchClause<'a>) {
        if it.body.body.is_empty() {
            let line = self.line(it.span.start);
            self.model.swallowed.push(line);
        }
        oxc_ast_visit::walk::walk_catch_clause(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        // `.catch(() => {})`, `.catch(() => null)`: a rejection dropped.
        if let Expression::StaticMemberExpression(member) = &it.callee
            && member.property.name == "catch"
            && let Some(Argument::ArrowFunctionExpression(arrow)) = it.arguments.first()
            && drops_error(arrow)
        {
            let line = self.line(it.span.start);
            self.model.swallowed.push(line);
        }
        self.record_call(&it.callee, &it.arguments, it.span.start, false);
        if let Some(callee) = path_of(&it.callee) {
            for argument in &it.arguments {
                if let Some(start) = argument.as_expression().and_then(function_start) {
                    self.pending_mut(start).passed_to = Some(callee.clone());
                }
            }
        }
        oxc_ast_visit::walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.record_call(&it.callee, &it.arguments, it.span.start, true);
        oxc_ast_visit::walk::walk_new_expression(self, it);
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if let Expression::Identifier(object) = it.object.get_inner_expression()
            && self.body_vars.iter().any(|b| b == object.name.as_str())
        {
            let line = self.line(it.span.start);
            self.model.body_fields.push(BodyField {
                field: it.property.name.as_str().to_owned(),
                local: format!("{}.{}", object.name.as_str(), it.property.name.as_str()),
                line,
            });
        }
        oxc_ast_visit::walk::walk_static_member_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        if let Some(id) = &it.id {
            self.pending_mut(it.span.start)
                .name
                .get_or_insert_with(|| id.name.as_str().to_owned());
        }
        self.push_function(
            it.span.start,
            it.span.end,
            param_names(&it.params),
            it.r#async,
        );
        oxc_ast_visit::walk::walk_function(self, it, flags);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        self.push_function(
            it.span.start,
            it.span.end,
            param_names(&it.params),
            it.r#async,
        );
        oxc_ast_visit::walk::walk_arrow_function_expression(self, it);
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let name = it
            .id
            .as_ref()
            .map_or_else(|| "default".to_owned(), |id| id.name.as_str().to_owned());
        let bases = it
            .heritage
            .as_ref()
            .and_then(|h| path_of(&h.expression))
            .into_iter()
            .collect();
        self.model.classes.push(crate::model::Class {
            name: name.clone(),
            bases,
            keywords: Vec::new(),
            decorators: decorator_names(&it.decorators),
            decorator_args: decorator_args(&it.decorators),
            line: self.line(it.span.start),
            end_line: self.line(it.span.end),
        });
        self.classes.push(name);
        oxc_ast_visit::walk::walk_class(self, it);
        self.classes.pop();
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if let Some(name) = it.key.static_name() {
            let annotation = it.type_annotation.as_ref().and_then(|t| {
                let span = t.type_annotation.span();
                self.text
                    .get(span.start as usize..span.end as usize)
                    .map(|s| s.chars().take(MAX_ANNOTATION).collect())
            });
            let line = self.line(it.key.span().start);
            self.model.class_fields.push(ClassField {
                class: self
                    .classes
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "default".to_owned()),
                name: name.to_string(),
                decorators: decorator_names(&it.decorators),
                decorator_args: decorator_args(&it.decorators),
                annotation,
                is_static: it.r#static,
                line,
            });
        }
        oxc_ast_visit::walk::walk_property_definition(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let start = it.value.span.start;
        let decorators = decorator_names(&it.decorators);
        let args = decorator_args(&it.decorators);
        let name = it.key.static_name().map(|n| n.to_string());
        let pending = self.pending_mut(start);
        pending.method = true;
        pending.decorators = decorators;
        pending.decorator_args = args;
        pending.name = name;
        oxc_ast_visit::walk::walk_method_definition(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if let Some(start) = function_start(&it.value)
            && let Some(name) = it.key.static_name()
        {
            self.pending_mut(start)
                .name
                .get_or_insert_with(|| name.to_string());
        }
        if let Some(key) = it.key.static_name() {
            let line = self.line(it.span.start);
            self.model.properties.push(Property {
                key: key.to_string(),
                value: arg_of(&it.value),
                line,
                offset: it.span.start,
                object: self.objects.last().copied().unwrap_or(0),
            });
        }
        oxc_ast_visit::walk::walk_object_property(self, it);
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        self.objects.push(it.span.start);
        oxc_ast_visit::walk::walk_object_expression(self, it);
        self.objects.pop();
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        // CommonJS: `exports.name = …` and `module.exports.name = …` export
        // `name`, as `export const name = …` would, and
        // `module.exports = …` is the default export.
        let exported = match &it.left {
            AssignmentTarget::StaticMemberExpression(m) => {
                match (path_of(&m.object).as_deref(), m.property.name.as_str()) {
                    (Some("module"), "exports") => Some("default".to_owned()),
                    (Some("exports" | "module.exports"), name) => Some(name.to_owned()),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(name) = exported else {
            oxc_ast_visit::walk::walk_assignment_expression(self, it);
            return;
        };
        let value = unwrap(&it.right);
        if let Some(start) = function_start(value) {
            let pending = self.pending_mut(start);
            pending.name.get_or_insert_with(|| name.clone());
            pending.exported = true;
        }
        if matches!(
            value,
            Expression::ArrowFunctionExpression(_)
                | Expression::FunctionExpression(_)
                | Expression::CallExpression(_)
        ) {
            self.model.exports.push(name.clone());
        }
        let before = self.model.calls.len();
        oxc_ast_visit::walk::walk_assignment_expression(self, it);
        if let Expression::CallExpression(call) = value
            && let Some(path) = path_of(&call.callee)
            && let Some(recorded) = self.model.calls[before..]
                .iter_mut()
                .find(|c| c.callee == path)
        {
            recorded.bound_to.get_or_insert(name);
        }
    }

    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        if it.operator == UnaryOperator::LogicalNot
            && let Some(path) = path_of(&it.argument)
            && !path.ends_with(')')
        {
            let line = self.line(it.span.start);
            self.model.negations.push((path, line));
        }
        oxc_ast_visit::walk::walk_unary_expression(self, it);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator.is_equality() {
            let left = path_of(&it.left);
            let right = path_of(&it.right);
            if let (Some(left), Some(right)) = (left, right) {
                let line = self.line(it.span.start);
                self.model
                    .comparisons
                    .push(Comparison { left, right, line });
            }
        }
        oxc_ast_visit::walk::walk_binary_expression(self, it);
    }

    fn visit_expression(&mut self, it: &Expression<'a>) {
        // A read with a literal to fall back to (`process.env.X || 'x'`,
        // `?? 'x'`): the literal goes with the read the walk records.
        if let Expression::LogicalExpression(logical) = it.get_inner_expression()
            && matches!(
                logical.operator,
                LogicalOperator::Or | LogicalOperator::Coalesce
            )
            && let Some(name) = env_of(&logical.left)
            && let Arg::Str(fallback) = arg_of(&logical.right)
        {
            let first = self.model.env_reads.len();
            oxc_ast_visit::walk::walk_expression(self, it);
            self.model.set_env_fallback(first, &name, fallback);
            return;
        }
        // Only the read itself, not the `await`, `!` or `??` around it.
        let start = match it {
            Expression::CallExpression(c) => Some(c.span.start),
            Expression::StaticMemberExpression(m) => Some(m.span.start),
            Expression::ComputedMemberExpression(m) => Some(m.span.start),
            _ => None,
        };
        if let Some(start) = start
            && let Some(name) = env_of(it)
        {
            let line = self.line(start);
            self.model.env_reads.push(EnvRead {
                name,
                line,
                fallback: None,
            });
        }
        oxc_ast_visit::walk::walk_expression(self, it);
    }
}

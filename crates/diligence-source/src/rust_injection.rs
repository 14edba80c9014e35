//! Injection in Rust handlers: request input formatted into SQL or passed
//! to a shell.
//!
//! Input is what a route handler extracts from the request (`Json(body)`,
//! `Query(q)`, `Path(id)`, `Form(f)`, actix's `web::Json` …, a Rocket
//! handler's parameters), or a variable bound from one earlier in the same
//! handler. A SQL sink (`sqlx::query`, `query_as`, `diesel::sql_query`, a
//! tokio-postgres or rusqlite `execute`/`query`) flags when its SQL text is
//! built by `format!`, `+` or `push_str` from that input, directly or one
//! variable away: a parameterised query (`$1` with `.bind`) is the fix.
//! A command flags when `Command::new` or its `.arg`/`.args` take the
//! input. The flow is followed within one function, so every finding is
//! heuristic: high confidence for an extractor of the request, medium for
//! a Rocket parameter.

use diligence_model::{Confidence, Evidence, Finding, Location, RuleId, Severity};

use crate::model::{Arg, Call, FileModel, Function};
use crate::routes::Route;
use crate::{Language, SourceModel};

/// Extractors whose value is the caller's input.
const INPUT_EXTRACTORS: &[&str] = &[
    "Json",
    "Query",
    "Path",
    "Form",
    "RawQuery",
    "Multipart",
    "String",
    "Bytes",
];

/// SQL sinks by callee: the exact callee or its last name after `.`.
const SQL_FUNCTIONS: &[&str] = &[
    "sqlx::query",
    "sqlx::query_as",
    "sqlx::query_scalar",
    "sqlx::raw_sql",
    "query",
    "query_as",
    "query_scalar",
    "raw_sql",
    "diesel::sql_query",
    "sql_query",
    "Statement::from_string",
    "Statement::from_sql_and_values",
];

/// SQL methods of database clients (tokio-postgres, rusqlite, mysql):
/// the SQL text is their first argument.
const SQL_METHODS: &[&str] = &[
    "execute",
    "query",
    "query_one",
    "query_opt",
    "query_row",
    "batch_execute",
    "simple_query",
    "prepare",
    "query_drop",
    "exec_drop",
];

/// Where tainted input comes from.
struct Source {
    what: String,
    line: u32,
    confidence: Confidence,
}

/// The root name of a path (`payload` for `payload.name.clone`).
fn root(name: &str) -> &str {
    name.split(['.', '(', ':']).next().unwrap_or(name)
}

/// The names an argument reads: identifiers, member paths, template
/// expressions, call receivers and arguments.
fn reads(arg: &Arg, out: &mut Vec<String>, depth: usize) {
    if depth > 6 || out.len() > 64 {
        return;
    }
    match arg {
        Arg::Ident(n) | Arg::Member(n) => out.push(n.clone()),
        Arg::Template { exprs, .. } => out.extend(exprs.iter().cloned()),
        Arg::Call { callee, args } => {
            out.push(callee.clone());
            for a in args {
                reads(a, out, depth + 1);
            }
        }
        Arg::Array(items) => {
            for a in items {
                reads(a, out, depth + 1);
            }
        }
        Arg::Object(props) => {
            for (_, a) in props {
                reads(a, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The handler's input parameters, with the confidence they carry.
fn inputs(file: &FileModel, function: &Function, rocket: bool) -> Vec<(String, Confidence)> {
    file.rust
        .params_of(function)
        .filter(|p| p.name != "self" && p.name != "?" && p.name != "_")
        .filter_map(|p| {
            let ty = p.annotation.as_deref().unwrap_or("");
            let ty = ty.trim_start_matches('&').trim_start_matches("mut ");
            let ty = ty.strip_prefix("web::").unwrap_or(ty);
            let name = ty.split('<').next().unwrap_or(ty);
            let name = name.rsplit("::").next().unwrap_or(name);
            if INPUT_EXTRACTORS.contains(&name) || name == "str" {
                Some((p.name.clone(), Confidence::High))
            } else if rocket {
                Some((p.name.clone(), Confidence::Medium))
            } else {
                None
            }
        })
        .collect()
}

/// Whether the names read reach the input, directly or through a
/// variable bound earlier in the function.
fn taint(
    file: &FileModel,
    function: &Function,
    names: &[String],
    line: u32,
    inputs: &[(String, Confidence)],
    depth: usize,
) -> Option<Source> {
    for name in names {
        if let Some((input, confidence)) = inputs.iter().find(|(i, _)| i == root(name)) {
            return Some(Source {
                what: format!("`{name}` (request input `{input}`)"),
                line: function.line,
                confidence: *confidence,
            });
        }
    }
    if depth > 2 {
        return None;
    }
    for name in names {
        let local = root(name);
        if let Some(binding) = file
            .bindings
            .iter()
            .filter(|b| b.name == local && function.contains(b.line) && b.line <= line)
            .max_by_key(|b| b.line)
        {
            let mut inner = Vec::new();
            reads(&binding.value, &mut inner, 0);
            if let Some(mut source) = taint(file, function, &inner, binding.line, inputs, depth + 1)
            {
                source.what = format!("`{local}` from {}", source.what);
                source.line = binding.line;
                return Some(source);
            }
        }
    }
    None
}

/// How the SQL argument was built, and what it reads: a template in place,
/// a variable bound to one, or a variable grown with `push_str`.
fn built_sql(
    file: &FileModel,
    function: &Function,
    call: &Call,
) -> Option<(&'static str, Vec<String>, u32)> {
    let arg = call.args.first()?;
    match arg {
        Arg::Template { exprs, .. } => Some(("string formatting", exprs.clone(), call.line)),
        Arg::Ident(var) => {
            let binding = file
                .bindings
                .iter()
                .filter(|b| b.name == *var && function.contains(b.line) && b.line <= call.line)
                .max_by_key(|b| b.line);
            if let Some(binding) = binding
                && let Arg::Template { exprs, .. } = &binding.value
            {
                return Some(("string formatting", exprs.clone(), binding.line));
            }
            // `sql.push_str(&input)` before the call.
            let pushed: Vec<String> = file
                .calls_in(function)
                .filter(|c| {
                    c.callee == format!("{var}.push_str") && c.offset < call.offset
                        || c.callee == "write!" && c.args.first() == Some(&Arg::Ident(var.clone()))
                })
                .flat_map(|c| {
                    let mut names = Vec::new();
                    for a in &c.args {
                        reads(a, &mut names, 0);
                    }
                    names
                })
                .collect();
            (!pushed.is_empty()).then_some(("push_str", pushed, call.line))
        }
        _ => None,
    }
}

fn is_sql_sink(file: &FileModel, call: &Call) -> bool {
    let callee = call.callee.as_str();
    if SQL_FUNCTIONS.contains(&callee) {
        // A bare `query(…)` is sqlx's only when the file imports it.
        return callee.contains("::")
            || file.imports_module("sqlx")
            || file.imports_module("diesel")
            || file.imports_module("sea_orm");
    }
    SQL_FUNCTIONS
        .iter()
        .any(|f| f.contains("::") && callee.ends_with(&format!("::{f}")))
        || callee.contains('.') && SQL_METHODS.contains(&call.method())
}

fn is_command(call: &Call) -> bool {
    let callee = call.callee.as_str();
    let base = callee.split("().").next().unwrap_or(callee);
    let command = base.ends_with("Command::new");
    command && (callee == base || matches!(call.method(), "arg" | "args"))
}

/// Every injection finding in the target's Rust files.
pub(crate) fn findings(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
    for file in model.files.iter().filter(|f| f.language == Language::Rust) {
        let handlers: Vec<(u32, bool)> = routes
            .iter()
            .filter(|r| r.file == file.path)
            .filter_map(|r| r.line.map(|l| (l, r.framework == crate::rocket::FRAMEWORK)))
            .collect();
        if handlers.is_empty() {
            continue;
        }
        for function in file.functions.iter().filter(|f| f.name.is_some()) {
            let Some(&(_, rocket)) = handlers.iter().find(|(l, _)| *l == function.line) else {
                continue;
            };
            let inputs = inputs(file, function, rocket);
            if inputs.is_empty() {
                continue;
            }
            for call in file.calls_in(function) {
                if is_sql_sink(file, call)
                    && let Some((how, names, _)) = built_sql(file, function, call)
                    && let Some(source) = taint(file, function, &names, call.line, &inputs, 0)
                {
                    push(file, call, "source.sql-injection", how, &source, evidence);
                } else if is_command(call) {
                    let mut names = Vec::new();
                    for a in &call.args {
                        reads(a, &mut names, 0);
                    }
                    if let Some(source) = taint(file, function, &names, call.line, &inputs, 0) {
                        push(
                            file,
                            call,
                            "source.command-injection",
                            "",
                            &source,
                            evidence,
                        );
                    }
                }
            }
        }
    }
}

fn push(
    file: &FileModel,
    call: &Call,
    rule: &str,
    how: &str,
    source: &Source,
    evidence: &mut Evidence,
) {
    let (what, fix) = if rule == "source.sql-injection" {
        (
            format!("runs SQL built with {how} from {}", source.what),
            "Bind the values as query parameters (`sqlx::query(\"… WHERE id = $1\").bind(id)`, diesel's query builder) instead of formatting them into the SQL text.",
        )
    } else {
        (
            format!("runs a command from {}", source.what),
            "Pass the input as a separate argument to a fixed program without a shell (`Command::new(\"grep\").arg(\"--\").arg(term)`), and validate it against an allow-list.",
        )
    };
    let built = Finding::builder(
        RuleId::new(rule).expect("built-in rule ids are valid"),
        Severity::High,
        source.confidence,
    )
    .message(format!(
        "`{}` at line {} {what} (input at line {}).",
        call.callee, call.line, source.line
    ))
    .location(Location::line(&file.path, call.line))
    .remediation(fix)
    .tag("heuristic")
    .build();
    if let Ok(finding) = built {
        evidence.findings.push(finding);
    }
}

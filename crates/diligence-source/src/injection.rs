//! Injection: request input that reaches an SQL query, a shell, `eval`,
//! an outgoing request or a redirect without passing through anything
//! that makes it safe.
//!
//! Patterns, not data flow: request input is `req.body.*`, `req.query.*`,
//! `req.params.*` (and `request.*`, `ctx.*` alike), the fields of a parsed
//! JSON body, and `searchParams.get(…)` / `formData.get(…)`; a variable
//! bound to one of these (directly, or by destructuring, up to three
//! bindings deep) carries it. Anything passed through another call
//! (`Number(x)`, `encodeURIComponent(x)`, a schema's `parse`) is taken as
//! handled.

use diligence_model::{Confidence, Evidence, Finding, Location, RuleId, Severity};

use crate::{Arg, Call, FileModel, Runtime, SourceModel};

/// Request objects' members that hold client input.
const REQUEST_PATHS: &[&str] = &[
    "req.body",
    "req.query",
    "req.params",
    "request.body",
    "request.query",
    "request.params",
    "ctx.request.body",
    "ctx.query",
    "ctx.params",
];

/// Query methods that run the SQL text they are given.
const SQL_SINKS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "queryRawUnsafe",
    "executeRawUnsafe",
    "run",
    "prepare",
];

/// Words that make a literal look like SQL.
const SQL_WORDS: &[&str] = &[
    "select ", "insert ", "update ", "delete ", " where ", " from ", " values", " set ",
];

/// Calls that run a command through a shell.
const SHELL_SINKS: &[&str] = &["exec", "execSync"];

/// Calls that run a command, through a shell only with `shell: true`.
const SPAWN_SINKS: &[&str] = &["spawn", "spawnSync", "execFile", "execFileSync"];

/// Calls that make an outgoing request to the URL they are given.
const FETCH_SINKS: &[&str] = &[
    "fetch",
    "axios",
    "axios.get",
    "axios.post",
    "axios.put",
    "axios.patch",
    "axios.delete",
    "axios.head",
    "axios.request",
    "got",
    "got.get",
    "got.post",
    "http.get",
    "https.get",
    "http.request",
    "https.request",
    "ky",
    "ky.get",
    "needle",
    "superagent.get",
];

/// How far a variable is followed back to its value.
const MAX_HOPS: usize = 3;

/// Whether a dotted path reads request input.
fn request_path(path: &str) -> bool {
    REQUEST_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }) || path.ends_with("searchParams.get()")
        || path.ends_with("formData.get()")
}

/// Whether a call's result is request input (`searchParams.get('next')`).
fn request_getter(callee: &str) -> bool {
    callee.ends_with("searchParams.get")
        || callee.ends_with("formData.get")
        || callee.ends_with("formData().get")
}

/// Where a value comes from the request, if it does: a description of the
/// source and its line.
fn input(file: &FileModel, arg: &Arg, line: u32, hops: usize) -> Option<(String, u32)> {
    match arg {
        Arg::Member(path) => {
            if request_path(path) {
                return Some((format!("`{path}`"), line));
            }
            file.body_fields
                .iter()
                .find(|f| f.local == *path)
                .map(|f| (format!("the body field `{}`", f.field), f.line))
        }
        Arg::Ident(name) => {
            if let Some(field) = file
                .body_fields
                .iter()
                .find(|f| f.local == *name && f.line <= line)
            {
                return Some((format!("the body field `{}`", field.field), field.line));
            }
            if hops >= MAX_HOPS {
                return None;
            }
            let binding = file.binding(name, line)?;
            input(file, &binding.value, binding.line, hops + 1)
        }
        Arg::Call { callee, .. } => {
            request_getter(callee).then(|| (format!("`{callee}(…)`"), line))
        }
        Arg::Template { exprs, .. } => exprs.iter().find_map(|e| {
            if e.contains('.') || e.ends_with("()") {
                input(file, &Arg::Member(e.clone()), line, hops)
            } else {
                input(file, &Arg::Ident(e.clone()), line, hops)
            }
        }),
        _ => None,
    }
}

/// The value an argument stands for: a variable followed to its binding.
fn value_of<'f>(file: &'f FileModel, arg: &'f Arg, line: u32) -> &'f Arg {
    match arg {
        Arg::Ident(name) => file.binding(name, line).map_or(arg, |b| &b.value),
        _ => arg,
    }
}

/// Input that controls where a URL points: the whole value, or the start
/// of a template (`${base}/path`); input later in a template with a fixed
/// origin only picks the path.
fn url_input(file: &FileModel, arg: &Arg, line: u32) -> Option<(String, u32)> {
    match value_of(file, arg, line) {
        Arg::Template { parts, .. } if parts.first().is_some_and(|p| !p.is_empty()) => None,
        _ => input(file, arg, line, 0),
    }
}

fn looks_like_sql(parts: &[String]) -> bool {
    let text = parts.join(" ").to_ascii_lowercase();
    SQL_WORDS.iter().any(|w| text.contains(w))
}

/// One sink reached by request input.
struct Hit<'f> {
    rule: &'static str,
    severity: Severity,
    call: &'f Call,
    source: (String, u32),
}

fn hits(file: &FileModel) -> Vec<Hit<'_>> {
    let mut out = Vec::new();
    // Rust has its own sinks and sources (`rust_injection`).
    if file.language == crate::Language::Rust {
        return out;
    }
    let server = file.runtime != Runtime::Client;
    let child_process = file.imports_module("child_process")
        || file.calls.iter().any(|c| {
            c.callee == "require"
                && c.args
                    .first()
                    .and_then(Arg::as_str)
                    .is_some_and(|s| s.ends_with("child_process"))
        });
    for call in &file.calls {
        let method = call.method();
        let first = call.args.first();
        let mut hit = |rule, severity, source: Option<(String, u32)>| {
            if let Some(source) = source {
                out.push(Hit {
                    rule,
                    severity,
                    call,
                    source,
                });
            }
        };
        if SQL_SINKS.contains(&method) && call.callee.contains('.') {
            let sql = first.map(|a| value_of(file, a, call.line));
            if let Some(Arg::Template { parts, .. }) = sql
                && looks_like_sql(parts)
            {
                hit(
                    "source.sql-injection",
                    Severity::High,
                    first.and_then(|a| input(file, a, call.line, 0)),
                );
            }
            continue;
        }
        if child_process && SHELL_SINKS.contains(&method) {
            hit(
                "source.command-injection",
                Severity::High,
                first.and_then(|a| input(file, a, call.line, 0)),
            );
            continue;
        }
        if child_process && SPAWN_SINKS.contains(&method) {
            let shell = call
                .args
                .iter()
                .any(|a| matches!(a.property("shell"), Some(Arg::Bool(true) | Arg::Str(_))));
            if shell {
                let source = call.args.iter().find_map(|a| match a {
                    Arg::Array(items) => items.iter().find_map(|i| input(file, i, call.line, 0)),
                    a => input(file, a, call.line, 0),
                });
                hit("source.command-injection", Severity::High, source);
            }
            continue;
        }
        if matches!(
            call.callee.as_str(),
            "eval"
                | "new Function"
                | "vm.runInNewContext"
                | "vm.runInThisContext"
                | "vm.runInContext"
        ) {
            hit(
                "source.eval-input",
                Severity::High,
                call.args.iter().find_map(|a| input(file, a, call.line, 0)),
            );
            continue;
        }
        if server && FETCH_SINKS.contains(&call.callee.as_str()) {
            let url = match first {
                // `axios({ url })`, `http.request({ host })`.
                Some(options @ Arg::Object(_)) => ["url", "host", "hostname", "baseURL"]
                    .iter()
                    .filter_map(|k| options.property(k))
                    .find_map(|a| url_input(file, a, call.line)),
                Some(a) => url_input(file, a, call.line),
                None => None,
            };
            hit("source.ssrf", Severity::Medium, url);
            continue;
        }
        if method == "redirect" && server {
            hit(
                "source.open-redirect",
                Severity::Medium,
                call.args.iter().find_map(|a| url_input(file, a, call.line)),
            );
        }
    }
    out
}

/// What each rule says and how to fix it.
fn words(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "source.sql-injection" => (
            "builds SQL text from request input",
            "Pass input as query parameters (`$1`, `?`, or a tagged `sql` template), never by string building; for identifiers, choose from a fixed list.",
        ),
        "source.command-injection" => (
            "runs a shell command built from request input",
            "Call the program directly with an argument array (`execFile`, `spawn` without `shell`), and check the input against an allow-list.",
        ),
        "source.eval-input" => (
            "evaluates request input as code",
            "Never evaluate input: parse it (`JSON.parse`, a math expression parser) or map it to a fixed set of operations.",
        ),
        "source.ssrf" => (
            "makes a server-side request to a URL taken from the request",
            "Build URLs from a fixed origin, or check the host against an allow-list after resolving it; block private and metadata addresses.",
        ),
        _ => (
            "redirects to a URL taken from the request",
            "Redirect only to relative paths or to a fixed list of destinations; reject absolute and protocol-relative URLs (`//evil.example`).",
        ),
    }
}

/// The injection findings of every parsed file.
pub(crate) fn findings(model: &SourceModel, evidence: &mut Evidence) {
    for file in &model.files {
        for hit in hits(file) {
            let (what, fix) = words(hit.rule);
            let (source, source_line) = &hit.source;
            let built = Finding::builder(
                RuleId::new(hit.rule).expect("built-in rule ids are valid"),
                hit.severity,
                Confidence::Medium,
            )
            .message(format!(
                "`{}` {what}: {source} (line {source_line}) reaches it at line {}.",
                hit.call.callee, hit.call.line
            ))
            .location(Location::line(&file.path, hit.call.line))
            .remediation(fix)
            .tag("heuristic")
            .build();
            if let Ok(finding) = built {
                evidence.findings.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_whole_names() {
        assert!(request_path("req.query.q"));
        assert!(request_path("req.body"));
        assert!(request_path("request.nextUrl.searchParams.get()"));
        assert!(!request_path("req.queryCount"));
        assert!(!request_path("required.body"));
        assert!(!request_path("req.user.id"));
    }

    #[test]
    fn sql_words_need_a_statement() {
        assert!(looks_like_sql(&["SELECT * FROM t WHERE id = ".into()]));
        assert!(!looks_like_sql(&["Hello ".into(), "!".into()]));
    }
}

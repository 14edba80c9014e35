//! Injection in Python handlers: request input that reaches SQL, a shell,
//! `eval`, an outgoing request or a redirect.
//!
//! Input is a read of the request (`request.args`, `request.GET`,
//! `request.json`, `request.data` …), a variable assigned from one in the
//! same function, or a parameter of a route handler (a path or query
//! parameter). A sink flags when its argument reads input: for SQL only
//! when the string is built by an f-string, `%`, `.format` or `+`
//! (directly or one variable away), since a parameterised query is the
//! fix. The flow is followed within one function and one assignment, so
//! every finding is heuristic: high confidence when the request read is
//! seen, medium when the input is a route parameter.

use diligence_model::{Confidence, Evidence, Finding, Location, RuleId, Severity};

use crate::model::{Arg, Call, FileModel, Function};
use crate::routes::Route;
use crate::{Language, SourceModel};

/// Kinds of sink.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sink {
    Sql,
    Command,
    Eval,
    Ssrf,
    Redirect,
}

/// Sinks by callee: the exact callee or, with a leading `.`, its last
/// name; the argument read; the kind.
const SINKS: &[(&str, usize, Sink)] = &[
    (".execute", 0, Sink::Sql),
    (".executemany", 0, Sink::Sql),
    (".executescript", 0, Sink::Sql),
    (".raw", 0, Sink::Sql),
    ("text", 0, Sink::Sql),
    ("sqlalchemy.text", 0, Sink::Sql),
    ("RawSQL", 0, Sink::Sql),
    ("os.system", 0, Sink::Command),
    ("os.popen", 0, Sink::Command),
    ("subprocess.run", 0, Sink::Command),
    ("subprocess.call", 0, Sink::Command),
    ("subprocess.check_call", 0, Sink::Command),
    ("subprocess.check_output", 0, Sink::Command),
    ("subprocess.Popen", 0, Sink::Command),
    ("subprocess.getoutput", 0, Sink::Command),
    ("eval", 0, Sink::Eval),
    ("exec", 0, Sink::Eval),
    ("requests.get", 0, Sink::Ssrf),
    ("requests.post", 0, Sink::Ssrf),
    ("requests.put", 0, Sink::Ssrf),
    ("requests.patch", 0, Sink::Ssrf),
    ("requests.delete", 0, Sink::Ssrf),
    ("requests.head", 0, Sink::Ssrf),
    ("requests.request", 1, Sink::Ssrf),
    ("httpx.get", 0, Sink::Ssrf),
    ("httpx.post", 0, Sink::Ssrf),
    ("httpx.request", 1, Sink::Ssrf),
    ("urlopen", 0, Sink::Ssrf),
    ("urllib.request.urlopen", 0, Sink::Ssrf),
    ("redirect", 0, Sink::Redirect),
    ("flask.redirect", 0, Sink::Redirect),
    ("HttpResponseRedirect", 0, Sink::Redirect),
    ("RedirectResponse", 0, Sink::Redirect),
];

/// `subprocess` calls run a shell only with `shell=True`.
fn needs_shell(callee: &str) -> bool {
    callee.starts_with("subprocess.") && callee != "subprocess.getoutput"
}

/// Parts of a request that carry the caller's input.
const REQUEST_INPUTS: &[&str] = &[
    "args",
    "form",
    "values",
    "json",
    "get_json",
    "data",
    "GET",
    "POST",
    "FILES",
    "query_params",
    "path_params",
    "cookies",
    "headers",
    "body",
    "files",
];

/// Calls that make a redirect target safe.
const REDIRECT_CHECKS: &[&str] = &[
    "url_has_allowed_host_and_scheme",
    "is_safe_url",
    "is_safe_redirect",
];

/// Whether a name reads the request's input (`request.args.get`).
fn request_read(name: &str) -> bool {
    let mut parts = name.split('.');
    let root = parts.next().unwrap_or("");
    let part = parts.next().unwrap_or("");
    matches!(root, "request" | "req" | "self.request") && REQUEST_INPUTS.contains(&part)
        || name.starts_with("self.request.")
            && REQUEST_INPUTS.contains(&name.split('.').nth(2).unwrap_or(""))
}

/// Where tainted input comes from.
struct Source {
    what: String,
    line: u32,
    confidence: Confidence,
}

fn root(name: &str) -> &str {
    name.split(['.', '(']).next().unwrap_or(name)
}

/// Parameters of `function` that carry route input, if it is a handler.
fn route_params(file: &FileModel, function: &Function, handlers: &[u32]) -> Vec<String> {
    if !handlers.contains(&function.line) {
        return Vec::new();
    }
    file.python
        .params_of(function)
        .filter(|p| !matches!(p.name.as_str(), "self" | "cls" | "request" | "req"))
        .filter(|p| {
            !p.default
                .as_deref()
                .is_some_and(|d| d.contains("Depends(") || d.contains("Security("))
        })
        .map(|p| p.name.clone())
        .collect()
}

/// The input `names` read, seen from a call at `offset` in `function`.
fn taint(
    file: &FileModel,
    function: &Function,
    names: &[String],
    offset: u32,
    line: u32,
    params: &[String],
) -> Option<Source> {
    // A direct read of the request.
    if let Some(name) = names.iter().find(|n| request_read(n)) {
        return Some(Source {
            what: format!("`{name}`"),
            line,
            confidence: Confidence::High,
        });
    }
    // A variable assigned from the request (or a route parameter) earlier
    // in the function.
    for name in names {
        let local = root(name);
        let assigned = file
            .python
            .assignments
            .iter()
            .filter(|a| {
                a.in_function
                    && a.target == local
                    && function.span.0 <= a.offset
                    && a.offset < offset
            })
            .max_by_key(|a| a.offset);
        if let Some(a) = assigned {
            if let Some(read) = a.names.iter().find(|n| request_read(n)) {
                return Some(Source {
                    what: format!("`{local}` from `{read}`"),
                    line: a.line,
                    confidence: Confidence::High,
                });
            }
            if let Some(param) = a
                .names
                .iter()
                .find(|n| params.contains(&root(n).to_owned()))
            {
                return Some(Source {
                    what: format!("`{local}` from route parameter `{param}`"),
                    line: a.line,
                    confidence: Confidence::Medium,
                });
            }
        }
    }
    names
        .iter()
        .find(|n| params.contains(&root(n).to_owned()))
        .map(|n| Source {
            what: format!("route parameter `{}`", root(n)),
            line: function.line,
            confidence: Confidence::Medium,
        })
}

/// What the argument of a sink reads, and how the string was built.
fn argument(
    file: &FileModel,
    function: &Function,
    call: &Call,
    index: usize,
) -> (Vec<String>, Option<String>) {
    if let Some(built) = file
        .python
        .built_args
        .iter()
        .find(|b| b.call == call.offset && b.index == index)
    {
        return (built.names.clone(), Some(built.how.clone()));
    }
    match call.args.get(index) {
        Some(Arg::Ident(name)) => {
            // One variable away: `query = f"..."; cursor.execute(query)`.
            let assigned = file
                .python
                .assignments
                .iter()
                .filter(|a| {
                    a.in_function
                        && a.target == *name
                        && function.span.0 <= a.offset
                        && a.offset < call.offset
                })
                .max_by_key(|a| a.offset);
            match assigned {
                Some(a) if a.built.is_some() => (a.names.clone(), a.built.clone()),
                _ => (vec![name.clone()], None),
            }
        }
        Some(Arg::Member(name)) => (vec![name.clone()], None),
        Some(Arg::Other) => (
            file.python
                .arg_values(call, &index.to_string())
                .map(|v| v.names.clone())
                .unwrap_or_default(),
            None,
        ),
        _ => (Vec::new(), None),
    }
}

fn sink_of(call: &Call) -> Option<(usize, Sink)> {
    SINKS.iter().find_map(|(callee, index, sink)| {
        let hit = match callee.strip_prefix('.') {
            Some(method) => call.method() == method && call.callee.contains('.'),
            None => call.callee == *callee,
        };
        hit.then_some((*index, *sink))
    })
}

/// Every injection finding in the target's Python files.
pub(crate) fn findings(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
    for file in model
        .files
        .iter()
        .filter(|f| f.language == Language::Python)
    {
        let handlers: Vec<u32> = routes
            .iter()
            .filter(|r| r.file == file.path)
            .filter_map(|r| r.line)
            .collect();
        for call in &file.calls {
            let Some((index, sink)) = sink_of(call) else {
                continue;
            };
            if needs_shell(&call.callee)
                && !call
                    .keywords
                    .iter()
                    .any(|(k, v)| k == "shell" && *v == Arg::Ident("True".to_owned()))
            {
                continue;
            }
            let Some(function) = file
                .functions
                .iter()
                .filter(|f| f.contains_call(call))
                .max_by_key(|f| f.span.0)
            else {
                continue;
            };
            let (names, built) = argument(file, function, call, index);
            if sink == Sink::Sql && built.is_none() {
                continue;
            }
            if sink == Sink::Redirect
                && file
                    .calls_in(function)
                    .any(|c| REDIRECT_CHECKS.contains(&c.method()))
            {
                continue;
            }
            let params = route_params(file, function, &handlers);
            let Some(source) = taint(file, function, &names, call.offset, call.line, &params)
            else {
                continue;
            };
            push(file, call, sink, built.as_deref(), &source, evidence);
        }
    }
}

fn push(
    file: &FileModel,
    call: &Call,
    sink: Sink,
    built: Option<&str>,
    source: &Source,
    evidence: &mut Evidence,
) {
    let how = built.map_or_else(String::new, |h| format!(" built with {h}"));
    let (rule, severity, what, fix) = match sink {
        Sink::Sql => (
            "source.sql-injection",
            Severity::High,
            format!("runs SQL{how} from {}", source.what),
            "Pass the values as query parameters (`cursor.execute(sql, (value,))`, the ORM's filters) instead of formatting them into the SQL text.",
        ),
        Sink::Command => (
            "source.command-injection",
            Severity::High,
            format!("runs a shell command{how} from {}", source.what),
            "Run the program with a list of arguments and no shell (`subprocess.run([\"grep\", \"--\", term])`), and validate the input against an allow-list.",
        ),
        Sink::Eval => (
            "source.eval-input",
            Severity::High,
            format!("evaluates code from {}", source.what),
            "Never evaluate request input; parse it with a restricted parser (`ast.literal_eval` for literals, a small expression grammar) or map it to known operations.",
        ),
        Sink::Ssrf => (
            "source.ssrf",
            Severity::Medium,
            format!("requests a URL{how} from {}", source.what),
            "Request only hosts on an allow-list, resolve the host and refuse private, loopback and metadata addresses, and do not follow redirects blindly.",
        ),
        Sink::Redirect => (
            "source.open-redirect",
            Severity::Low,
            format!("redirects to a URL from {}", source.what),
            "Redirect only to relative paths or allowed hosts (`url_has_allowed_host_and_scheme`), or map the parameter to known pages.",
        ),
    };
    let built = Finding::builder(
        RuleId::new(rule).expect("built-in rule ids are valid"),
        severity,
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

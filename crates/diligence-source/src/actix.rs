//! actix-web: handlers routed by attribute (`#[get("/p")]`,
//! `#[route("/p", method = "POST")]`) and registered with `.service(h)`,
//! and handlers routed in code (`.route("/p", web::post().to(h))`,
//! `web::resource("/p").route(web::get().to(h))`), inside scopes
//! (`web::scope("/api")`) with their middleware (`.wrap(…)`).
//!
//! A scope's or app's `.wrap` covers every service of it, whatever the
//! order (actix wraps the whole scope). Scopes are followed outwards
//! through inline `.service(web::scope(…))` calls, three levels at most;
//! the `App::new()` chains of a file wrap every route registered in that
//! file. A middleware is a caller check when it is
//! `HttpAuthentication::bearer(validator)` / `::basic` / `::with_fn`
//! (actix-web-httpauth) or `from_fn(f)`, and the function's body reads a
//! credential and refuses, or decodes a token; a header guard
//! (`guard::Header("authorization", …)`) or a middleware type whose name
//! suggests a check counts with low confidence. Extractors (`BearerAuth`,
//! `Identity`, custom `FromRequest` types) are judged as for axum.

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Function};
use crate::routes::{Route, RouteGuard};
use crate::rust_web::{self, Verdict, chain_of};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "actix-web";

/// Extractor traits whose implementation runs before an actix handler.
const EXTRACTOR_TRAITS: &[&str] = &["FromRequest"];

/// Route attributes and `web::` method functions, with their method.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("trace", "TRACE"),
    ("connect", "CONNECT"),
];

/// Whether a file is an actix-web file: it imports the crate.
fn is_actix(file: &FileModel) -> bool {
    file.language == Language::Rust
        && file
            .imports
            .iter()
            .any(|i| i.specifier.starts_with("actix_web"))
}

/// Judges a `.wrap(…)` or attribute `wrap = "…"` middleware.
fn judge_wrap(model: &SourceModel, file: &FileModel, arg: &Arg) -> Option<Verdict> {
    match arg {
        Arg::Call { callee, args } => {
            let last = callee.rsplit("::").next().unwrap_or(callee);
            let httpauth = callee.contains("HttpAuthentication")
                && matches!(last, "bearer" | "basic" | "with_fn");
            if httpauth || matches!(last, "from_fn" | "wrap_fn") {
                let function = args.iter().rev().find_map(|a| match a {
                    Arg::Ident(n) | Arg::Member(n) => Some(n.as_str()),
                    _ => None,
                });
                return match function {
                    Some(f) => rust_web::judge_function(model, file, f, callee).or_else(|| {
                        httpauth.then(|| Verdict {
                            check: format!("{callee}({f}) (credentials required, check not read)"),
                            via: None,
                            confidence: Confidence::Low,
                        })
                    }),
                    None => None,
                };
            }
            let head = callee.split("::").next().unwrap_or(callee);
            rust_web::auth_name(head).then(|| Verdict {
                check: format!("{callee} (by name)"),
                via: None,
                confidence: Confidence::Low,
            })
        }
        // A variable bound to the middleware: judge its value.
        Arg::Ident(name) if file.bindings.iter().any(|b| b.name == *name) => file
            .bindings
            .iter()
            .rfind(|b| b.name == *name)
            .filter(|b| !matches!(b.value, Arg::Ident(_)))
            .and_then(|b| judge_wrap(model, file, &b.value)),
        Arg::Ident(name) | Arg::Member(name) => rust_web::auth_name(name).then(|| Verdict {
            check: format!("{name} (by name)"),
            via: None,
            confidence: Confidence::Low,
        }),
        // `#[get("/p", wrap = "HttpAuthentication::bearer(validator)")]`.
        Arg::Str(text) => {
            let function = text
                .split_once('(')
                .map(|(_, rest)| rest.trim_end_matches(')').trim())
                .filter(|f| !f.is_empty() && !f.contains('('));
            match function {
                Some(f) => rust_web::judge_function(model, file, f, "wrap"),
                None => rust_web::auth_name(text).then(|| Verdict {
                    check: format!("wrap = \"{text}\" (by name)"),
                    via: None,
                    confidence: Confidence::Low,
                }),
            }
        }
        _ => None,
    }
}

/// A header guard (`.guard(guard::Header("authorization", …))`).
fn judge_guard(arg: &Arg) -> Option<Verdict> {
    match arg {
        Arg::Call { callee, args } if callee.ends_with("Header") => {
            let header = args.first().and_then(Arg::as_str)?;
            header
                .eq_ignore_ascii_case("authorization")
                .then(|| Verdict {
                    check: format!("{callee}(\"{header}\") (header required, not verified)"),
                    via: None,
                    confidence: Confidence::Low,
                })
        }
        _ => None,
    }
}

/// The prefix and the middleware of the scopes around a call: its own
/// chain, then the inline `.service(…)` calls that hold that chain.
fn scopes(model: &SourceModel, file: &FileModel, call: &Call) -> (String, Vec<Verdict>) {
    let mut prefixes = Vec::new();
    let mut guards = Vec::new();
    let mut current = call;
    for _ in 0..4 {
        let (calls, base) = chain_of(file, current);
        for c in &calls {
            match c.method() {
                "wrap" => guards.extend(c.args.first().and_then(|a| judge_wrap(model, file, a))),
                "guard" => guards.extend(c.args.first().and_then(judge_guard)),
                _ => {}
            }
        }
        let head = base.or_else(|| calls.first().copied()).unwrap_or(current);
        if (head.callee.ends_with("scope") || head.callee.ends_with("Scope::new"))
            && let Some(prefix) = head.args.first().and_then(Arg::as_str)
        {
            prefixes.push(prefix.to_owned());
        }
        // The `.service(…)` call whose argument holds this chain: the
        // nearest service call before the head.
        let Some(outer) = file
            .calls
            .iter()
            .filter(|c| {
                c.method() == "service"
                    && c.offset < head.offset
                    && matches!(c.args.first(), Some(Arg::Call { callee, .. })
                        if callee.starts_with(head.callee.as_str()))
            })
            .max_by_key(|c| c.offset)
        else {
            break;
        };
        current = outer;
    }
    // The app's middleware covers every route of the file.
    for c in file
        .calls
        .iter()
        .filter(|c| c.method() == "wrap" && c.callee.starts_with("App::new()"))
    {
        guards.extend(c.args.first().and_then(|a| judge_wrap(model, file, a)));
    }
    prefixes.reverse();
    let mut path = String::new();
    for p in prefixes {
        path = join(&path, &p);
    }
    (path, guards)
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return path.to_owned();
    }
    if path.is_empty() {
        return prefix.to_owned();
    }
    format!(
        "{}/{}",
        prefix.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// The methods and path of a route attribute, with its `wrap`.
fn attribute_route(
    file: &FileModel,
    function: &Function,
) -> Option<(Vec<String>, String, Option<Arg>)> {
    for call in file
        .calls_in(function)
        .filter(|c| c.line < function.end_line)
    {
        let last = call.callee.rsplit("::").next().unwrap_or(&call.callee);
        let decorated = function.decorators.contains(&call.callee);
        if !decorated {
            continue;
        }
        let path = call.args.first().and_then(Arg::as_str)?;
        let wrap = call
            .keywords
            .iter()
            .find(|(k, _)| k == "wrap")
            .map(|(_, v)| v.clone());
        if let Some((_, http)) = METHODS.iter().find(|(m, _)| *m == last) {
            return Some((vec![(*http).to_owned()], path.to_owned(), wrap));
        }
        if last == "route" {
            let methods: Vec<String> = call
                .keywords
                .iter()
                .filter(|(k, _)| k == "method")
                .filter_map(|(_, v)| v.as_str().map(str::to_ascii_uppercase))
                .collect();
            let methods = if methods.is_empty() {
                vec!["ANY".to_owned()]
            } else {
                methods
            };
            return Some((methods, path.to_owned(), wrap));
        }
    }
    None
}

/// Every actix-web route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let validated = rust_web::validated_types(model);
    let files: Vec<&FileModel> = model.files.iter().filter(|f| is_actix(f)).collect();
    let mut out = Vec::new();
    // Attribute routes, with the `.service(h)` calls that register them.
    for file in &files {
        for function in file.functions.iter().filter(|f| f.name.is_some()) {
            let Some((methods, path, wrap)) = attribute_route(file, function) else {
                continue;
            };
            let name = function.name.as_deref().unwrap_or("");
            let registrations: Vec<(&FileModel, &Call)> = files
                .iter()
                .flat_map(|f| f.calls.iter().map(move |c| (*f, c)))
                .filter(|(f, c)| {
                    c.method() == "service"
                        && matches!(c.args.first(), Some(Arg::Ident(n) | Arg::Member(n))
                            if n.rsplit("::").next() == Some(name)
                                && rust_web::resolve_function(model, f, n)
                                    .is_some_and(|(_, h)| h.span == function.span))
                })
                .collect();
            let mut extra = Vec::new();
            if let Some(wrap) = &wrap {
                extra.extend(judge_wrap(model, file, wrap));
            }
            if registrations.is_empty() {
                for method in &methods {
                    out.push(route(
                        model,
                        file,
                        function,
                        method,
                        &path,
                        extra.clone(),
                        &validated,
                        Some("registration not found"),
                    ));
                }
            }
            for (by, call) in registrations {
                let (prefix, mut guards) = scopes(model, by, call);
                guards.extend(extra.iter().cloned());
                for method in &methods {
                    out.push(route(
                        model,
                        file,
                        function,
                        method,
                        &join(&prefix, &path),
                        guards.clone(),
                        &validated,
                        None,
                    ));
                }
            }
        }
    }
    // Routes in code: `web::post().to(h)`.
    for file in &files {
        for call in file.calls.iter().filter(|c| c.method() == "to") {
            let Some(receiver) = rust_web::receiver(&call.callee) else {
                continue;
            };
            let verb = receiver.rsplit("::").next().unwrap_or(receiver);
            let method = match METHODS.iter().find(|(m, _)| *m == verb) {
                Some((_, http)) if receiver.starts_with("web::") => (*http).to_owned(),
                _ if receiver.ends_with("resource") || receiver.ends_with("route") => {
                    "ANY".to_owned()
                }
                _ => continue,
            };
            let Some(Arg::Ident(handler) | Arg::Member(handler)) = call.args.first() else {
                continue;
            };
            // The path: the nearest `.route("/p", …)` or `web::resource("/p")`
            // before it.
            let Some(anchor) = file
                .calls
                .iter()
                .filter(|c| {
                    c.offset < call.offset
                        && (c.method() == "route" || c.callee.ends_with("resource"))
                        && c.args.first().and_then(Arg::as_str).is_some()
                })
                .max_by_key(|c| c.offset)
            else {
                continue;
            };
            let path = anchor.args.first().and_then(Arg::as_str).unwrap_or("?");
            let (prefix, guards) = scopes(model, file, anchor);
            let full = join(&prefix, path);
            match rust_web::resolve_function(model, file, handler) {
                Some((target, function)) => out.push(route(
                    model, target, function, &method, &full, guards, &validated, None,
                )),
                None => out.push(Route {
                    framework: FRAMEWORK.to_owned(),
                    method,
                    path: full,
                    file: file.path.clone(),
                    line: Some(call.line),
                    class: file.class,
                    guard: to_guard(rust_web::best(guards)),
                    validation: None,
                    notes: vec!["handler not resolved".to_owned()],
                }),
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.file, a.line, &a.method, &a.path).cmp(&(&b.file, b.line, &b.method, &b.path))
    });
    out.dedup();
    out
}

fn to_guard(verdict: Option<Verdict>) -> RouteGuard {
    match verdict {
        Some(v) => RouteGuard::Caller {
            check: v.check,
            via: v.via,
            confidence: v.confidence,
        },
        None => RouteGuard::None,
    }
}

#[allow(clippy::too_many_arguments)]
fn route(
    model: &SourceModel,
    file: &FileModel,
    function: &Function,
    method: &str,
    path: &str,
    mut guards: Vec<Verdict>,
    validated: &[(String, &'static str)],
    note: Option<&str>,
) -> Route {
    guards.extend(rust_web::extractor_guard(
        model,
        file,
        function,
        EXTRACTOR_TRAITS,
    ));
    Route {
        framework: FRAMEWORK.to_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
        file: file.path.clone(),
        line: Some(function.line),
        class: rust_web::class_at(file, function.line),
        guard: to_guard(rust_web::best(guards)),
        validation: rust_web::validation(file, function, validated),
        notes: note.map(str::to_owned).into_iter().collect(),
    }
}

//! axum: `Router::new().route("/p", get(h).post(h2))` chains, with
//! `.nest`, `.merge`, `.layer` and `.route_layer`, and the handlers'
//! extractors.
//!
//! A router is a chain of method calls that starts at `Router::new()`, at
//! a variable bound to such a chain (`let app = app.layer(…)` continues
//! it), or at a call of a function that returns one. `.nest("/api", x)`
//! and `.merge(x)` take a router variable of the same function, an inline
//! chain, or a function one `use` away whose last chain is the one it
//! returns. A layer applies to the routes added before it, as axum runs
//! it: `.layer(middleware::from_fn(auth))` guards what the chain holds so
//! far, including nested routers, and not what is added after it.
//!
//! A route's guard is the best of its handler's extractors (judged as in
//! the shared Rust web module), the layers of its method router
//! (`post(h).layer(…)`) and the layers that cover it. Its validation is a body type deriving
//! `Validate` or a validating wrapper (`Valid<Json<T>>`).

use std::collections::BTreeSet;

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Function};
use crate::routes::{Route, RouteGuard};
use crate::rust_web::{self, Verdict, receiver};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "axum";

/// Method-router functions and the method each serves.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("trace", "TRACE"),
    ("any", "ANY"),
    ("get_service", "GET"),
    ("post_service", "POST"),
    ("any_service", "ANY"),
    ("on", "ANY"),
];

/// Router methods a chain is made of.
const ROUTER_METHODS: &[&str] = &[
    "route",
    "nest",
    "merge",
    "layer",
    "route_layer",
    "with_state",
    "fallback",
    "nest_service",
    "route_service",
    "fallback_service",
];

/// Extractor traits whose implementation runs before an axum handler.
pub(crate) const EXTRACTOR_TRAITS: &[&str] = &["FromRequestParts", "FromRequest"];

/// Layers of libraries that refuse a caller without valid credentials.
const LIBRARY_LAYERS: &[&str] = &[
    "RequireAuthorizationLayer",
    "AsyncRequireAuthorizationLayer",
    "ValidateRequestHeaderLayer::bearer",
    "ValidateRequestHeaderLayer::basic",
    "ValidateRequestHeaderLayer::custom",
    "login_required!",
    "permission_required!",
    "predicate_required!",
];

/// One router chain: its calls from head to tail, in one file.
struct Chain<'m> {
    file: &'m FileModel,
    calls: Vec<&'m Call>,
    /// What the head's receiver is.
    base: Base,
    /// The variable the chain is bound to (`let app = …`).
    bound_to: Option<String>,
    /// The function it is in (its span start).
    function: Option<u32>,
    /// Where the chain's last call's arguments end, at most.
    end: u32,
}

enum Base {
    /// `Router::new()`.
    New,
    /// A variable (`app.route(…)`).
    Var(String),
    /// A call of something else (`routes().layer(…)`).
    Call(String),
}

fn is_router_method(call: &Call) -> bool {
    ROUTER_METHODS.contains(&call.method())
        && call.callee.contains('.')
        && !call.callee.starts_with("?")
}

/// Whether a callee is a method router: `get`, `routing::post`,
/// `get().post`, `post().layer` (the layer of a method router).
fn method_router(callee: &str) -> Option<Vec<&str>> {
    let callee = callee
        .trim_start_matches("axum::")
        .trim_start_matches("routing::")
        .trim_start_matches("method_routing::");
    let parts: Vec<&str> = callee.split("().").collect();
    let known = |p: &&str| METHODS.iter().any(|(m, _)| m == p);
    let first_ok = parts.first().is_some_and(known);
    let rest_ok = parts[1..]
        .iter()
        .all(|p| known(p) || matches!(*p, "layer" | "route_layer" | "with_state"));
    (first_ok && rest_ok).then_some(parts)
}

fn chains(file: &FileModel) -> Vec<Chain<'_>> {
    let mut by_offset: Vec<&Call> = file.calls.iter().collect();
    by_offset.sort_by_key(|c| c.offset);
    let router_calls: Vec<&Call> = by_offset
        .iter()
        .copied()
        .filter(|c| is_router_method(c))
        .collect();
    // The receiver call of each router call: the nearest call before it
    // with the receiver's callee.
    let receiver_of = |call: &Call| -> Option<&Call> {
        let wanted = receiver(&call.callee)?;
        by_offset
            .iter()
            .copied()
            .filter(|c| c.offset < call.offset && c.callee == wanted)
            .max_by_key(|c| c.offset)
    };
    let receivers: BTreeSet<u32> = router_calls
        .iter()
        .filter_map(|c| receiver_of(c))
        .filter(|r| is_router_method(r))
        .map(|r| r.offset)
        .collect();
    let mut out = Vec::new();
    for tail in router_calls
        .iter()
        .filter(|c| !receivers.contains(&c.offset))
    {
        let mut calls = vec![*tail];
        let mut head = *tail;
        let base = loop {
            match receiver_of(head) {
                Some(r) if is_router_method(r) => {
                    calls.push(r);
                    head = r;
                }
                Some(r) => {
                    let callee = r.callee.as_str();
                    break if callee.ends_with("Router::new") || callee.ends_with("Router::default")
                    {
                        Base::New
                    } else {
                        Base::Call(callee.to_owned())
                    };
                }
                None => {
                    let root = head.callee.rsplit_once('.').map_or("", |(r, _)| r);
                    break Base::Var(root.to_owned());
                }
            }
        };
        calls.reverse();
        // A chain on something else (`ServiceBuilder::new().layer(…)`,
        // `post(h).layer(…)`) is no router.
        let routerish = match &base {
            Base::New => true,
            Base::Var(v) => {
                !v.contains('.')
                    && !v.contains('(')
                    && calls
                        .iter()
                        .any(|c| matches!(c.method(), "route" | "nest" | "merge" | "route_layer"))
                    || file.calls.iter().any(|c| {
                        c.bound_to.as_deref() == Some(v.as_str())
                            && (c.callee.ends_with("Router::new") || is_router_method(c))
                    })
            }
            Base::Call(callee) => {
                method_router(callee).is_none()
                    && !callee.contains("ServiceBuilder")
                    && calls.iter().any(|c| {
                        matches!(
                            c.method(),
                            "route" | "nest" | "merge" | "route_layer" | "with_state"
                        )
                    })
            }
        };
        if !routerish {
            continue;
        }
        let function = file
            .functions
            .iter()
            .filter(|f| f.name.is_some() && f.contains_call(tail))
            .min_by_key(|f| f.span.1 - f.span.0);
        out.push(Chain {
            file,
            bound_to: tail.bound_to.clone(),
            function: function.map(|f| f.span.0),
            end: function.map_or(u32::MAX, |f| f.span.1),
            calls,
            base,
        });
    }
    out
}

/// A route found so far, with the layers that cover it.
#[derive(Clone)]
struct Item<'m> {
    method: String,
    path: String,
    /// The file and line of the `.route` call.
    router: &'m FileModel,
    router_line: u32,
    file: &'m FileModel,
    handler: Option<&'m Function>,
    line: u32,
    guards: Vec<Verdict>,
}

struct Routers<'m> {
    model: &'m SourceModel,
    chains: Vec<Chain<'m>>,
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        };
    }
    if path == "/" || path.is_empty() {
        return prefix.to_owned();
    }
    format!(
        "{}/{}",
        prefix.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

impl<'m> Routers<'m> {
    /// The chains a nest or merge argument (or a chain's base) names.
    fn targets(&self, chain: usize, arg: &Arg, at: u32) -> Vec<usize> {
        let c = &self.chains[chain];
        match arg {
            Arg::Ident(var) => self
                .bound(c.file, c.function, var, at)
                .into_iter()
                .collect(),
            Arg::Call { callee, .. } if callee.starts_with("Router::new") => self
                .chains
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    std::ptr::eq(o.file, c.file)
                        && o.calls
                            .last()
                            .is_some_and(|t| t.offset > at && t.callee == *callee)
                })
                .min_by_key(|(_, o)| o.calls.last().map_or(u32::MAX, |t| t.offset))
                .map(|(i, _)| i)
                .into_iter()
                .collect(),
            Arg::Call { callee, .. } | Arg::Member(callee) => self.returned(c.file, callee),
            _ => Vec::new(),
        }
    }

    /// The chain bound to `var` last before `at` in the same function.
    fn bound(&self, file: &FileModel, function: Option<u32>, var: &str, at: u32) -> Option<usize> {
        self.chains
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                std::ptr::eq(o.file, file)
                    && o.function == function
                    && o.bound_to.as_deref() == Some(var)
                    && o.calls.last().is_some_and(|t| t.offset < at)
            })
            .max_by_key(|(_, o)| o.calls.last().map_or(0, |t| t.offset))
            .map(|(i, _)| i)
    }

    /// The chain a function returns: its last chain.
    fn returned(&self, file: &'m FileModel, callee: &str) -> Vec<usize> {
        let Some((target, function)) = rust_web::resolve_function(self.model, file, callee) else {
            return Vec::new();
        };
        self.chains
            .iter()
            .enumerate()
            .filter(|(_, o)| std::ptr::eq(o.file, target) && o.function == Some(function.span.0))
            .max_by_key(|(_, o)| o.calls.last().map_or(0, |t| t.offset))
            .map(|(i, _)| i)
            .into_iter()
            .collect()
    }

    /// The chains `chain` mounts: its base, nests and merges.
    fn mounted(&self, chain: usize) -> Vec<usize> {
        let c = &self.chains[chain];
        let mut out = self.base_of(chain);
        for call in &c.calls {
            let arg = match call.method() {
                "nest" => call.args.get(1),
                "merge" => call.args.first(),
                _ => None,
            };
            if let Some(arg) = arg {
                out.extend(self.targets(chain, arg, call.offset));
            }
        }
        out.retain(|&i| i != chain);
        out
    }

    fn base_of(&self, chain: usize) -> Vec<usize> {
        let c = &self.chains[chain];
        let head = c.calls.first().map_or(0, |h| h.offset);
        match &c.base {
            Base::New => Vec::new(),
            Base::Var(var) => self
                .bound(c.file, c.function, var, head)
                .into_iter()
                .collect(),
            Base::Call(callee) => self.returned(c.file, callee),
        }
    }

    fn expand(&self, chain: usize, depth: usize, seen: &mut Vec<usize>) -> Vec<Item<'m>> {
        if depth > 8 || seen.contains(&chain) {
            return Vec::new();
        }
        seen.push(chain);
        let c = &self.chains[chain];
        let mut items: Vec<Item<'m>> = Vec::new();
        for base in self.base_of(chain) {
            items.extend(self.expand(base, depth + 1, seen));
        }
        for (i, call) in c.calls.iter().enumerate() {
            let next = c.calls.get(i + 1).map_or(c.end, |n| n.offset);
            match call.method() {
                "route" => items.extend(self.route_items(c, call, next)),
                "nest" | "merge" => {
                    let (prefix, arg) = if call.method() == "nest" {
                        (
                            call.args.first().and_then(Arg::as_str).unwrap_or("?"),
                            call.args.get(1),
                        )
                    } else {
                        ("", call.args.first())
                    };
                    let Some(arg) = arg else { continue };
                    for target in self.targets(chain, arg, call.offset) {
                        for mut item in self.expand(target, depth + 1, seen) {
                            item.path = join(prefix, &item.path);
                            items.push(item);
                        }
                    }
                }
                "layer" | "route_layer" => {
                    if let Some(verdict) = call
                        .args
                        .first()
                        .and_then(|a| judge_layer(self.model, c.file, a, 0))
                    {
                        for item in &mut items {
                            item.guards.push(verdict.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        seen.pop();
        items
    }

    /// The routes of one `.route(path, method_router)` call.
    fn route_items(&self, chain: &Chain<'m>, call: &Call, next: u32) -> Vec<Item<'m>> {
        let file = chain.file;
        let path = call
            .args
            .first()
            .and_then(Arg::as_str)
            .unwrap_or("?")
            .to_owned();
        let in_range = |c: &&Call| c.offset > call.offset && c.offset < next;
        let mut routers: Vec<(&Call, Vec<&str>)> = file
            .calls
            .iter()
            .filter(in_range)
            .filter_map(|c| method_router(&c.callee).map(|parts| (c, parts)))
            .collect();
        routers.sort_by_key(|(c, _)| c.offset);
        let layer_guards: Vec<Verdict> = routers
            .iter()
            .filter(|(_, parts)| matches!(parts.last(), Some(&"layer" | &"route_layer")))
            .filter_map(|(c, _)| {
                c.args
                    .first()
                    .and_then(|a| judge_layer(self.model, file, a, 0))
            })
            .collect();
        let mut items = Vec::new();
        for (router, parts) in &routers {
            let Some(method) = parts.last() else { continue };
            let Some((_, http)) = METHODS.iter().find(|(m, _)| m == method) else {
                continue;
            };
            let (http, handler_arg) = if *method == "on" {
                let filter = match router.args.first() {
                    Some(Arg::Member(m)) => m.rsplit("::").next().unwrap_or("ANY").to_owned(),
                    _ => "ANY".to_owned(),
                };
                (filter, router.args.get(1))
            } else {
                ((*http).to_owned(), router.args.first())
            };
            let (handler_file, handler) = match handler_arg {
                Some(Arg::Ident(name) | Arg::Member(name)) => {
                    match rust_web::resolve_function(self.model, file, name) {
                        Some((f, h)) => (f, Some(h)),
                        None => (file, None),
                    }
                }
                // A closure handler: the first closure passed to this call.
                _ => (
                    file,
                    file.functions
                        .iter()
                        .filter(|f| f.name.is_none() && f.span.0 > router.offset && f.span.0 < next)
                        .min_by_key(|f| f.span.0),
                ),
            };
            items.push(Item {
                method: http,
                path: path.clone(),
                router: file,
                router_line: call.line,
                file: handler_file,
                handler,
                line: handler.map_or(call.line, |h| h.line),
                guards: layer_guards.clone(),
            });
        }
        items
    }
}

/// Judges a layer's argument as a caller check.
pub(crate) fn judge_layer(
    model: &SourceModel,
    file: &FileModel,
    arg: &Arg,
    depth: usize,
) -> Option<Verdict> {
    if depth > 4 {
        return None;
    }
    match arg {
        Arg::Call { callee, args } => {
            if LIBRARY_LAYERS.iter().any(|l| callee.contains(l)) {
                return Some(Verdict {
                    check: callee.clone(),
                    via: None,
                    confidence: Confidence::High,
                });
            }
            let last = callee.rsplit("::").next().unwrap_or(callee);
            if matches!(
                last,
                "from_fn" | "from_fn_with_state" | "map_request" | "map_request_with_state"
            ) {
                let function = args.iter().rev().find_map(|a| match a {
                    Arg::Ident(n) | Arg::Member(n) => Some(n.as_str()),
                    _ => None,
                })?;
                return rust_web::judge_function(model, file, function, last);
            }
            if last == "from_extractor" || last == "from_extractor_with_state" {
                return Some(Verdict {
                    check: format!("{callee} (extractor type not read)"),
                    via: None,
                    confidence: Confidence::Low,
                });
            }
            // `ServiceBuilder::new().layer(…)`: the best of its layers.
            let inner = rust_web::best(
                args.iter()
                    .filter_map(|a| judge_layer(model, file, a, depth + 1))
                    .collect::<Vec<_>>(),
            );
            inner.or_else(|| {
                rust_web::auth_name(callee.split("::").next().unwrap_or(callee)).then(|| Verdict {
                    check: format!("{callee} (by name)"),
                    via: None,
                    confidence: Confidence::Low,
                })
            })
        }
        Arg::Ident(var) => match file.bindings.iter().rfind(|b| b.name == *var) {
            Some(binding) => judge_layer(model, file, &binding.value, depth + 1),
            None => rust_web::auth_name(var).then(|| Verdict {
                check: format!("{var} (by name)"),
                via: None,
                confidence: Confidence::Low,
            }),
        },
        _ => None,
    }
}

/// Every axum route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let files = model.files.iter().filter(|f| {
        f.language == Language::Rust && f.imports.iter().any(|i| i.specifier.starts_with("axum"))
    });
    let chains: Vec<Chain<'_>> = files.flat_map(chains).collect();
    let routers = Routers { model, chains };
    let mounted: BTreeSet<usize> = (0..routers.chains.len())
        .flat_map(|i| routers.mounted(i))
        .collect();
    let validated = rust_web::validated_types(model);
    let mut out = Vec::new();
    for root in (0..routers.chains.len()).filter(|i| !mounted.contains(i)) {
        for item in routers.expand(root, 0, &mut Vec::new()) {
            out.push(to_route(model, &item, &validated));
        }
    }
    out.sort_by(|a, b| {
        (&a.file, a.line, &a.method, &a.path).cmp(&(&b.file, b.line, &b.method, &b.path))
    });
    out.dedup();
    out
}

fn to_route(model: &SourceModel, item: &Item<'_>, validated: &[(String, &'static str)]) -> Route {
    let mut verdicts = item.guards.clone();
    let mut notes = Vec::new();
    let mut validation = None;
    match item.handler {
        Some(handler) => {
            verdicts.extend(rust_web::extractor_guard(
                model,
                item.file,
                handler,
                EXTRACTOR_TRAITS,
            ));
            validation = rust_web::validation(item.file, handler, validated);
        }
        None => notes.push("handler not resolved".to_owned()),
    }
    let guard = match rust_web::best(verdicts) {
        Some(v) => RouteGuard::Caller {
            check: v.check,
            via: v.via,
            confidence: v.confidence,
        },
        None => RouteGuard::None,
    };
    Route {
        framework: FRAMEWORK.to_owned(),
        method: item.method.clone(),
        path: item.path.clone(),
        file: item.file.path.clone(),
        line: Some(item.line),
        // A router built in a test module is test code, whatever the file.
        class: rust_web::class_at(item.router, item.router_line)
            .max(rust_web::class_at(item.file, item.line)),
        guard,
        validation,
        notes,
    }
}

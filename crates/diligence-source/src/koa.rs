//! Koa: routes registered on a router of `@koa/router` or `koa-router`
//! (`router.get/post/…(path, …middleware, handler)`, a `prefix` option or
//! `router.prefix('/x')`), routers nested with `router.use('/x',
//! other.routes())` and mounted with `app.use(router.routes())` (in the
//! same file or one import away), and the middleware in front of them.
//!
//! Middleware runs in registration order: an `app.use(jwt({ secret }))`
//! guards the routers mounted after it (except the paths of its
//! `.unless({ path })`), a `router.use(check)` the routes registered after
//! it on that router. `koa-jwt` and `koa-passport` are caller checks with
//! high confidence, as is a middleware whose body verifies a token or
//! refuses a request without `ctx.state.user` (`ctx.assert(ctx.state.user,
//! 401)`, `if (!ctx.state.user) ctx.throw(401)`); a name alone gives low
//! confidence.

use std::collections::HashMap;

use diligence_model::Confidence;

use crate::express::{join, middleware_guard, module_of};
use crate::model::Nesting;
use crate::nextjs::{guard_of, validation};
use crate::routes::{GuardMemo, Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Koa";

/// Registration methods and the HTTP method they serve.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("del", "DELETE"),
    ("all", "ANY"),
];

/// Whether a file uses Koa's router.
pub(crate) fn is_koa(file: &FileModel) -> bool {
    file.imports_module("koa-router")
        || file.imports_module("@koa/router")
        || file.calls.iter().any(|c| {
            c.callee == "require"
                && matches!(
                    c.args.first().and_then(Arg::as_str),
                    Some("koa-router" | "@koa/router")
                )
        })
}

/// Whether a file makes a Koa app.
fn makes_app(file: &FileModel) -> bool {
    file.calls
        .iter()
        .any(|c| c.callee == "new Koa" || c.callee == "new koa")
}

/// The routers a file makes, with their `prefix` option.
fn routers(file: &FileModel) -> Vec<(&str, String)> {
    if !is_koa(file) {
        return Vec::new();
    }
    file.calls
        .iter()
        .filter(|c| matches!(c.callee.as_str(), "new Router" | "Router" | "new KoaRouter"))
        .filter_map(|c| {
            let var = c.bound_to.as_deref()?;
            let mut prefix = c
                .args
                .first()
                .and_then(|o| o.property("prefix"))
                .and_then(Arg::as_str)
                .unwrap_or("")
                .to_owned();
            if let Some(set) = file
                .calls
                .iter()
                .find(|p| p.callee == format!("{var}.prefix"))
                .and_then(|p| p.args.first()?.as_str())
            {
                prefix = set.to_owned();
            }
            Some((var, prefix))
        })
        .collect()
}

/// Whether a function refuses a request without a signed-in user: it
/// reads `ctx.state.user` and throws or asserts.
fn state_check(file: &FileModel, function: &Function) -> bool {
    let calls: Vec<&Call> = file.calls_in(function).collect();
    state_check_in(file, function, &calls)
}

/// [`state_check`] with the function's calls already gathered.
fn state_check_in(file: &FileModel, function: &Function, calls: &[&Call]) -> bool {
    let reads_user = |s: &str| s.contains("state.user");
    let reads = calls.iter().any(|c| {
        c.args.iter().any(|a| match a {
            Arg::Member(m) => reads_user(m),
            _ => false,
        })
    }) || file.bindings.iter().any(|b| {
        function.contains(b.line) && matches!(&b.value, Arg::Member(m) if reads_user(m))
    }) || file
        .comparisons
        .iter()
        .any(|c| function.contains(c.line) && (reads_user(&c.left) || reads_user(&c.right)))
        // `if (!ctx.state.user) ctx.throw(401)`.
        || file
            .negations
            .iter()
            .any(|(path, line)| function.contains(*line) && reads_user(path));
    let ctx = function.params.first().map_or("ctx", String::as_str);
    reads
        && calls
            .iter()
            .any(|c| matches!(c.method(), "throw" | "assert") && c.root() == ctx)
}

/// What a middleware argument checks: the shared reading, `koa-jwt`'s
/// `.unless`, or a body that refuses a request without `ctx.state.user`.
fn guard(model: &SourceModel, file: &FileModel, arg: &Arg) -> Option<RouteGuard> {
    if let Arg::Call { callee, .. } = arg
        && let Some(base) = callee.strip_suffix("().unless")
        && matches!(base, "jwt" | "koaJwt" | "passport.authenticate")
    {
        return Some(RouteGuard::Caller {
            check: format!("{base} (with unless)"),
            via: None,
            confidence: Confidence::High,
        });
    }
    if let Arg::Ident(name) = arg
        && let Some((made, via)) = jwt_made(model, file, name)
    {
        // `passthrough: true` lets requests without a token through.
        let passthrough =
            made.args.first().and_then(|o| o.property("passthrough")) == Some(&Arg::Bool(true));
        return (!passthrough).then(|| RouteGuard::Caller {
            check: format!("{name} = {}", made.callee),
            via,
            confidence: Confidence::High,
        });
    }
    if let Arg::Ident(name) = arg {
        let local = file
            .functions
            .iter()
            .find(|f| f.name.as_deref() == Some(name.as_str()))
            .map(|f| (file, f));
        let imported = || {
            let (helper, function) = crate::nextjs::imported_function(model, file, name)?;
            Some((helper, function?))
        };
        if let Some((owner, function)) = local.or_else(imported)
            && state_check(owner, function)
        {
            return Some(RouteGuard::Caller {
                check: format!("{name} → ctx.state.user"),
                via: (owner.path != file.path).then(|| owner.path.clone()),
                confidence: Confidence::High,
            });
        }
    }
    middleware_guard(model, file, arg)
}

/// The `koa-jwt` call a middleware name is bound to: here
/// (`const auth = jwt({ … })`) or as the export of the module it is
/// required from (`module.exports = koaJwt({ … })`).
fn jwt_made<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    name: &str,
) -> Option<(&'m Call, Option<String>)> {
    let is_jwt = |c: &&Call| matches!(c.callee.as_str(), "jwt" | "koaJwt" | "koajwt");
    if let Some(made) = file
        .calls
        .iter()
        .filter(is_jwt)
        .find(|c| c.bound_to.as_deref() == Some(name))
    {
        return Some((made, None));
    }
    let specifier = module_of(file, name)?;
    let helper = resolve::import(model, &file.path, specifier)?;
    let made = helper
        .calls
        .iter()
        .filter(is_jwt)
        .find(|c| c.bound_to.as_deref() == Some("default"))?;
    Some((made, Some(helper.path.clone())))
}

/// The strongest guard among middleware arguments.
fn args_guard(
    model: &SourceModel,
    memo: &GuardMemo,
    file: &FileModel,
    args: &[Arg],
) -> Option<RouteGuard> {
    args.iter()
        .filter_map(|a| memo.get(file, a, || guard(model, file, a)))
        .max_by_key(|g| match g {
            RouteGuard::Caller { confidence, .. } => *confidence,
            _ => Confidence::Low,
        })
}

/// The paths a `koa-jwt` `.unless({ path: [...] })` lets through, as
/// written (strings only).
fn unless_paths(args: &[Arg]) -> Vec<&str> {
    args.iter()
        .filter_map(|a| match a {
            Arg::Call { callee, args } if callee.ends_with("().unless") => Some(args),
            _ => None,
        })
        .flat_map(|args| args.iter())
        .filter_map(|o| o.property("path"))
        .flat_map(|p| match p {
            Arg::Array(items) => items.iter().filter_map(Arg::as_str).collect(),
            Arg::Str(s) => vec![s.as_str()],
            _ => Vec::new(),
        })
        .collect()
}

/// A `x.use(…)` call: the object, the path it is limited to, and the
/// rest of its arguments.
struct Use<'f> {
    var: &'f str,
    path: Option<&'f str>,
    args: &'f [Arg],
    call: &'f Call,
}

fn uses<'f>(file: &'f FileModel) -> Vec<Use<'f>> {
    file.calls
        .iter()
        .filter_map(|call| {
            let (var, method) = call.callee.split_once('.')?;
            if method != "use" {
                return None;
            }
            let (path, args) = match call.args.split_first() {
                Some((Arg::Str(p), rest)) => (Some(p.as_str()), rest),
                _ => (None, call.args.as_slice()),
            };
            Some(Use {
                var,
                path,
                args,
                call,
            })
        })
        .collect()
}

/// The router a `use` argument mounts (`router.routes()`).
fn mounted(args: &[Arg]) -> Option<&str> {
    args.iter().find_map(|a| match a {
        Arg::Call { callee, .. } => callee
            .strip_suffix(".routes")
            .or_else(|| callee.strip_suffix(".middleware")),
        _ => None,
    })
}

/// Where a router is mounted.
#[derive(Clone)]
struct Mount {
    prefix: String,
    guard: Option<RouteGuard>,
    via: Option<String>,
    unless: Vec<String>,
}

/// The guard of the `use` calls on `var` before `offset`, with the paths
/// a `koa-jwt` among them lets through.
fn use_guard(
    model: &SourceModel,
    memo: &GuardMemo,
    file: &FileModel,
    uses: &[Use<'_>],
    var: &str,
    offset: u32,
) -> (Option<RouteGuard>, Vec<String>) {
    let before: Vec<&Use<'_>> = uses
        .iter()
        .filter(|u| u.var == var && u.call.offset < offset && mounted(u.args).is_none())
        .collect();
    let guard = before
        .iter()
        .find_map(|u| args_guard(model, memo, file, u.args));
    let unless = before
        .iter()
        .flat_map(|u| unless_paths(u.args))
        .map(str::to_owned)
        .collect();
    (guard, unless)
}

/// One `x.use([path], router.routes())` (or `x.use(required)` of a
/// module that exports a router's routes).
struct Edge {
    parent_file: String,
    parent_var: String,
    prefix: String,
    guard: Option<RouteGuard>,
    unless: Vec<String>,
    target_file: String,
    /// The router's variable, empty when the target is a module.
    target_var: String,
}

/// Where the router `var` of `file` ends up mounted, following mounts of
/// mounts (a bounded number of levels).
fn mount_of(
    model: &SourceModel,
    edges: &[Edge],
    file: &str,
    var: &str,
    depth: usize,
) -> Option<Mount> {
    if depth > 6 {
        return None;
    }
    let edge = edges
        .iter()
        .find(|e| e.target_file == file && e.target_var == var)
        .or_else(|| {
            edges
                .iter()
                .find(|e| e.target_file == file && e.target_var.is_empty())
        })?;
    let parent = mount_of(model, edges, &edge.parent_file, &edge.parent_var, depth + 1);
    let parent_own = model
        .file(&edge.parent_file)
        .map(|f| {
            routers(f)
                .into_iter()
                .find(|(v, _)| *v == edge.parent_var)
                .map(|(_, p)| p)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let here = join(&parent_own, &edge.prefix);
    let outer = parent.as_ref().map_or("", |p| p.prefix.as_str());
    let via = (edge.parent_file != file).then(|| edge.parent_file.clone());
    let guard = match (&edge.guard, &parent) {
        (Some(g), _) => Some(with_via(g.clone(), via.as_deref())),
        (None, Some(p)) => p.guard.clone(),
        (None, None) => None,
    };
    let mut unless = edge.unless.clone();
    if let Some(p) = &parent {
        unless.extend(p.unless.iter().cloned());
    }
    Some(Mount {
        prefix: join(outer, &here),
        guard,
        via: via.or_else(|| parent.and_then(|p| p.via)),
        unless,
    })
}

/// A guard seen from another file: that file named when it is not yet.
fn with_via(guard: RouteGuard, via: Option<&str>) -> RouteGuard {
    match (guard, via) {
        (
            RouteGuard::Caller {
                check,
                via: None,
                confidence,
            },
            Some(via),
        ) => RouteGuard::Caller {
            check,
            via: Some(via.to_owned()),
            confidence,
        },
        (g, _) => g,
    }
}

/// Every Koa route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let memo = &GuardMemo::default();
    let mut edges: Vec<Edge> = Vec::new();
    for file in &model.files {
        if !(makes_app(file) || is_koa(file)) {
            continue;
        }
        let file_uses = uses(file);
        let local = routers(file);
        for u in &file_uses {
            // `router.routes()`, or a required module or local router
            // passed as is.
            let named = u.args.last().and_then(|a| match a {
                Arg::Ident(name) => Some(name.as_str()),
                _ => None,
            });
            let Some(router) = mounted(u.args).or(named) else {
                continue;
            };
            let (guard, unless) = use_guard(model, memo, file, &file_uses, u.var, u.call.offset);
            let guard = guard.or_else(|| {
                args_guard(model, memo, file, &u.args[..u.args.len().saturating_sub(1)])
            });
            let (target_file, target_var) = if local.iter().any(|(v, _)| *v == router) {
                (file.path.clone(), router.to_owned())
            } else if let Some(specifier) = module_of(file, router)
                && let Some(target) = resolve::import(model, &file.path, specifier)
            {
                (target.path.clone(), String::new())
            } else {
                continue;
            };
            edges.push(Edge {
                parent_file: file.path.clone(),
                parent_var: u.var.to_owned(),
                prefix: u.path.unwrap_or("").to_owned(),
                guard,
                unless,
                target_file,
                target_var,
            });
        }
    }

    let mut out = Vec::new();
    for file in &model.files {
        let local = routers(file);
        if local.is_empty() {
            continue;
        }
        let file_uses = uses(file);
        let mut registered: Vec<(&str, &str, &str, &Call)> = file
            .calls
            .iter()
            .filter_map(|call| {
                let (var, verb) = call.callee.split_once('.')?;
                local.iter().find(|(v, _)| *v == var)?;
                let (_, method) = VERBS.iter().find(|(v, _)| *v == verb)?;
                // `router.get('name', '/path', …)` names the route.
                let path = match (call.args.first(), call.args.get(1)) {
                    (Some(Arg::Str(_)), Some(Arg::Str(path))) => path.as_str(),
                    (Some(Arg::Str(path)), _) => path.as_str(),
                    _ => return None,
                };
                Some((var, *method, path, call))
            })
            .collect();
        registered.sort_by_key(|r| r.3.offset);
        let nesting = Nesting::new(&file.functions);
        let mut by_name: HashMap<&str, &Function> = HashMap::new();
        for f in &file.functions {
            if let Some(name) = f.name.as_deref() {
                by_name.entry(name).or_insert(f);
            }
        }
        let mut mounts: HashMap<&str, Option<Mount>> = HashMap::new();
        // The file's calls in offset order, to take a registration's
        // middleware calls without a scan of every call per route.
        let mut by_offset: Vec<&Call> = file.calls.iter().collect();
        by_offset.sort_by_key(|c| c.offset);
        for (i, (var, method, path, call)) in registered.iter().enumerate() {
            let prefix = local
                .iter()
                .find(|(v, _)| v == var)
                .map_or("", |(_, p)| p.as_str());
            let mount = mounts
                .entry(*var)
                .or_insert_with(|| mount_of(model, &edges, &file.path, var, 0))
                .clone();
            let own = join(prefix, path);
            let full = match &mount {
                Some(m) => join(&m.prefix, &own),
                None => own,
            };
            let next = registered.get(i + 1).map_or(u32::MAX, |n| n.3.offset);
            let inline = nesting
                .between(call.offset, next)
                .filter(|f| f.passed_to.as_deref() == Some(call.callee.as_str()))
                .last();
            let named = match call.args.last() {
                Some(Arg::Ident(name)) if call.args.len() > 1 => {
                    by_name.get(name.as_str()).copied()
                }
                _ => None,
            };
            let handler = inline.or(named);
            let handler_calls: Vec<&Call> = handler
                .map(|h| file.calls_in(h).collect())
                .unwrap_or_default();
            let skip = usize::from(matches!(call.args.get(1), Some(Arg::Str(_)))) + 1;
            let middleware = call.args.get(skip..).unwrap_or(&[]);
            let middleware = match (inline, middleware.split_last()) {
                (None, Some((_, rest))) => rest,
                _ => middleware,
            };
            let mut guard = args_guard(model, memo, file, middleware)
                .or_else(|| use_guard(model, memo, file, &file_uses, var, call.offset).0);
            if guard.is_none()
                && let Some(m) = &mount
                && !m.unless.iter().any(|u| full.starts_with(u.as_str()))
            {
                guard = m.guard.clone().map(|g| match (g, &m.via) {
                    (
                        RouteGuard::Caller {
                            check,
                            via: None,
                            confidence,
                        },
                        Some(via),
                    ) => RouteGuard::Caller {
                        check,
                        via: Some(via.clone()),
                        confidence,
                    },
                    (g, _) => g,
                });
            }
            let in_handler = match handler {
                Some(h) if state_check_in(file, h, &handler_calls) => RouteGuard::Caller {
                    check: "ctx.state.user".to_owned(),
                    via: None,
                    confidence: Confidence::High,
                },
                _ => guard_of(model, file, handler_calls.iter().copied()),
            };
            let guard = match (guard, in_handler) {
                (
                    _,
                    g @ RouteGuard::Caller {
                        confidence: Confidence::High,
                        ..
                    },
                ) => g,
                (Some(g), _) => g,
                (None, g) => g,
            };
            // Middleware calls of the registration before an inline
            // handler (`validate(T.CreateSchema)`) validate too.
            let end = inline.map_or(0, |f| f.span.0);
            let after = by_offset.partition_point(|c| c.offset <= call.offset);
            let middleware_calls = by_offset[after..]
                .iter()
                .copied()
                .take_while(|c| c.offset < end || c.line == call.line);
            let validation = validation(
                model,
                file,
                handler_calls.iter().copied().chain(middleware_calls),
            );
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: (*method).to_owned(),
                path: if full.is_empty() {
                    "/".to_owned()
                } else {
                    full
                },
                file: file.path.clone(),
                line: Some(call.line),
                class: file.class,
                guard,
                validation,
                notes: Vec::new(),
            });
        }
    }
    out
}

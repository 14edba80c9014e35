//! Hono: routes registered on an app (`new Hono()`, `new OpenAPIHono()`,
//! chained or not), a base path (`.basePath('/api')`), sub-apps mounted
//! with `app.route('/prefix', sub)` (in the same file or one import away),
//! and the middleware that guards them.
//!
//! Middleware runs in registration order, as in Express: an
//! `app.use('/api/*', jwt({ secret }))` guards the routes registered after
//! it whose path it matches, and the sub-apps mounted after it; a
//! middleware argument of one registration guards that route. Hono's own
//! `jwt`, `bearerAuth` and `basicAuth` are caller checks with high
//! confidence, as is a middleware (`createMiddleware(…)` or a function)
//! whose body verifies a token or session, and a handler that reads the
//! Clerk session (`getAuth(c)`); a name alone gives low confidence.
//! `zValidator`, `validator` and their kin are validation.

use std::collections::HashMap;

use diligence_model::Confidence;

use crate::express::{join, middleware_guard, module_of};
use crate::model::Nesting;
use crate::nextjs::{guard_of, is_caller_check, validation};
use crate::routes::{GuardMemo, Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Hono";

/// Registration methods and the HTTP method they serve.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("all", "ANY"),
];

/// Validator middleware factories.
const VALIDATORS: &[(&str, &str)] = &[
    ("zValidator", "zod"),
    ("vValidator", "valibot"),
    ("tbValidator", "typebox"),
    ("arktypeValidator", "arktype"),
    ("typiaValidator", "typia"),
    ("sValidator", "standard schema"),
    ("validator", "hono validator"),
];

/// Middleware of Hono's authentication packages that refuse a request
/// without a verified session or token (`@hono/auth-js`, `@hono/firebase-auth`,
/// `@hono/oidc-auth`, `@hono/stytch-auth`, `hono/jwk`).
const LIBRARY_MIDDLEWARE: &[&str] = &[
    "verifyAuth",
    "verifyFirebaseAuth",
    "oidcAuthMiddleware",
    "authenticateSessionLocal",
    "authenticateSessionRemote",
    "authenticateOAuthToken",
    "jwk",
];

/// Constructors of an app.
const MAKERS: &[&str] = &["new Hono", "new OpenAPIHono"];

/// The calls that make an app: the constructors, and the target's own
/// factories that return one (`function createRouter() { return new
/// OpenAPIHono(…) }`, and factories calling those).
fn makers(model: &SourceModel) -> Vec<String> {
    let mut makers: Vec<String> = MAKERS.iter().map(|m| (*m).to_owned()).collect();
    for _ in 0..2 {
        let mut found = Vec::new();
        for file in model.files.iter().filter(|f| hono_file(f, &makers)) {
            for function in &file.functions {
                let Some(name) = function.name.as_deref() else {
                    continue;
                };
                if function.class.is_none()
                    && !makers.iter().chain(&found).any(|m| m == name)
                    && file
                        .calls_in(function)
                        .any(|c| is_maker(&c.callee, &makers))
                {
                    found.push(name.to_owned());
                }
            }
        }
        makers.extend(found);
    }
    makers
}

/// Whether a callee makes an app.
fn is_maker(callee: &str, makers: &[String]) -> bool {
    makers.iter().any(|m| callee == m)
}

/// Whether a callee is a chain that starts by making an app.
fn starts_with_maker(callee: &str, makers: &[String]) -> bool {
    makers
        .iter()
        .any(|m| callee.starts_with(m.as_str()) && callee[m.len()..].starts_with("()"))
}

/// Whether a file is a Hono file: it imports Hono, or makes an app with a
/// factory of the target's.
fn hono_file(file: &FileModel, makers: &[String]) -> bool {
    file.calls.iter().any(|c| {
        makers.len() > MAKERS.len()
            && (is_maker(&c.callee, &makers[MAKERS.len()..])
                || starts_with_maker(&c.callee, &makers[MAKERS.len()..]))
    }) || file.imports.iter().any(|i| {
        i.specifier == "hono"
            || i.specifier.starts_with("hono/")
            || i.specifier.starts_with("npm:hono")
            || i.specifier.starts_with("jsr:@hono/")
            || i.specifier.contains("/hono@")
            || i.specifier.starts_with("@hono/")
    })
}

/// An app of a file: its variable and the base path it was made with.
struct App<'f> {
    var: &'f str,
    base: String,
}

/// The apps a file makes, and for a chain that starts with a
/// constructor, the variable it ends bound to (by the chain's calls).
fn apps<'f>(file: &'f FileModel, makers: &[String]) -> Vec<App<'f>> {
    let mut apps = Vec::new();
    for call in &file.calls {
        let Some(var) = call.bound_to.as_deref() else {
            continue;
        };
        if is_maker(&call.callee, makers) {
            apps.push(App {
                var,
                base: String::new(),
            });
        } else if starts_with_maker(&call.callee, makers) {
            apps.push(App {
                var,
                base: base_path(file, call, makers),
            });
        } else if call.method() == "basePath"
            && let Some(parent) = apps.iter().find(|a| a.var == call.root())
        {
            let prefix = call.args.first().and_then(Arg::as_str).unwrap_or("");
            let base = join(&parent.base, prefix);
            apps.push(App { var, base });
        }
    }
    apps
}

/// The base path set in a constructor chain (`new Hono().basePath('/api')`).
fn base_path(file: &FileModel, bound: &Call, makers: &[String]) -> String {
    file.calls
        .iter()
        .filter(|c| c.method() == "basePath" && c.offset <= bound.offset)
        .filter(|c| starts_with_maker(&c.callee, makers))
        .filter_map(|c| c.args.first().and_then(Arg::as_str))
        .next_back()
        .unwrap_or("")
        .to_owned()
}

/// The app a call is made on: its root variable, or for a constructor
/// chain the variable the chain ends bound to (`default` when it is not
/// bound, as in `export default new Hono().get(…)`).
fn app_of<'f>(
    file: &'f FileModel,
    call: &Call,
    apps: &[App<'f>],
    makers: &[String],
) -> Option<&'f str> {
    if starts_with_maker(&call.callee, makers) {
        let end = file
            .calls
            .iter()
            .filter(|c| c.offset >= call.offset && c.bound_to.is_some())
            .filter(|c| starts_with_maker(&c.callee, makers))
            .min_by_key(|c| c.offset)
            .and_then(|c| c.bound_to.as_deref());
        return Some(end.unwrap_or("default"));
    }
    let root = call.root();
    apps.iter().find(|a| a.var == root).map(|a| a.var)
}

/// One `app.get('/path', …)` call.
struct Registration<'f> {
    var: &'f str,
    method: &'static str,
    path: &'f str,
    call: &'f Call,
    /// The middleware it names (the arguments between path and handler,
    /// or an OpenAPI route's `middleware`), and the file that names it.
    middleware: &'f [Arg],
    middleware_file: &'f FileModel,
    /// Validation its definition declares (an OpenAPI route's `request`).
    declared: Option<&'static str>,
}

/// What `app.openapi(route, handler)` registers: the `createRoute({ method,
/// path, request, middleware })` passed inline or bound to a name.
fn openapi_route<'f>(
    model: &'f SourceModel,
    file: &'f FileModel,
    call: &'f Call,
) -> Option<(&'static str, &'f str, &'f [Arg], &'f FileModel, bool)> {
    let mut owner = file;
    let definition = match call.args.first()? {
        Arg::Ident(name) => &file.binding(name, call.line)?.value,
        // `routes.create`, where `import * as routes from './tasks.routes'`.
        Arg::Member(path) => {
            let (module, name) = path.split_once('.')?;
            let specifier = module_of(file, module)?;
            let helper = resolve::import(model, &file.path, specifier)?;
            owner = helper;
            &helper.binding(name, u32::MAX)?.value
        }
        other => other,
    };
    let Arg::Call { callee, args } = definition else {
        return None;
    };
    if callee != "createRoute" {
        return None;
    }
    let options = args.first()?;
    let method = options.property("method")?.as_str()?.to_ascii_lowercase();
    let (_, http) = VERBS.iter().find(|(v, _)| *v == method)?;
    let path = options.property("path")?.as_str()?;
    let middleware = match options.property("middleware") {
        Some(Arg::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    let validates = options.property("request").is_some_and(|r| {
        ["body", "query", "params", "json"]
            .iter()
            .any(|k| r.property(k).is_some())
    });
    Some((http, path, middleware, owner, validates))
}

/// A `use` call: the app, its path pattern, and the middleware; `at` is
/// where it takes effect (the call itself, or the mount that brings a
/// sub-app's middleware into its parent).
#[derive(Clone)]
struct Use<'f> {
    var: &'f str,
    pattern: Option<String>,
    args: &'f [Arg],
    call: &'f Call,
    at: u32,
}

/// Whether a `use` path pattern (`/api/*`, `*`, `/admin`) covers a route
/// path.
fn covers(pattern: &str, path: &str) -> bool {
    let prefix = pattern.trim_end_matches('*').trim_end_matches('/');
    prefix.is_empty()
        || path == prefix
        || path.starts_with(&format!("{prefix}/"))
        || (pattern.ends_with('*') && path.starts_with(prefix))
}

/// Whether a call checks the caller in Hono code: the shared vocabulary,
/// `verify` of `hono/jwt`, or Clerk's `getAuth`.
fn hono_check(call: &Call, file: &FileModel) -> bool {
    is_caller_check(call, file)
        || (call.method() == "verify" && file.imports_module("hono/jwt"))
        || (call.method() == "getAuth" && file.imports_module("clerk"))
}

/// What a middleware argument checks: the shared reading, or the body of
/// the `createMiddleware(…)` it is bound to.
fn guard(model: &SourceModel, file: &FileModel, arg: &Arg) -> Option<RouteGuard> {
    if let Arg::Call { callee, .. } = arg
        && LIBRARY_MIDDLEWARE.contains(&callee.rsplit('.').next().unwrap_or(callee))
    {
        return Some(RouteGuard::Caller {
            check: callee.clone(),
            via: None,
            confidence: Confidence::High,
        });
    }
    if let Arg::Ident(name) = arg
        && let Some(made) = file.calls.iter().find(|c| {
            c.bound_to.as_deref() == Some(name.as_str()) && c.callee == "createMiddleware"
        })
        && let Some(function) = file
            .functions
            .iter()
            .find(|f| f.passed_to.as_deref() == Some("createMiddleware") && f.span.0 > made.offset)
        && let Some(check) = file.calls_in(function).find(|c| hono_check(c, file))
    {
        return Some(RouteGuard::Caller {
            check: format!("{name} → {}", check.callee),
            via: None,
            confidence: Confidence::High,
        });
    }
    if let Arg::Ident(name) = arg
        && let Some((helper, _)) = crate::nextjs::imported_function(model, file, name)
        && let Some(made) = helper.calls.iter().find(|c| {
            c.bound_to.as_deref() == Some(name.as_str()) && c.callee == "createMiddleware"
        })
        && let Some(check) = helper
            .calls
            .iter()
            .filter(|c| c.offset > made.offset)
            .find(|c| hono_check(c, helper))
    {
        return Some(RouteGuard::Caller {
            check: format!("{name} → {}", check.callee),
            via: Some(helper.path.clone()),
            confidence: Confidence::High,
        });
    }
    middleware_guard(model, file, arg)
}

/// The first guard among middleware arguments.
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

/// The guard of the `use` calls on `var` before `offset` covering `path`.
fn use_guard(
    model: &SourceModel,
    memo: &GuardMemo,
    file: &FileModel,
    uses: &[Use<'_>],
    var: &str,
    offset: u32,
    path: &str,
) -> Option<RouteGuard> {
    uses.iter()
        .filter(|u| u.var == var && u.at < offset)
        .filter(|u| u.pattern.as_deref().is_none_or(|p| covers(p, path)))
        .find_map(|u| args_guard(model, memo, file, u.args).or_else(|| inline_guard(file, u.call)))
}

/// What a middleware written inline in a `use` call checks
/// (`(c, next) => jwt({ secret: c.env.SECRET })(c, next)`).
fn inline_guard(file: &FileModel, call: &Call) -> Option<RouteGuard> {
    let function = file
        .functions
        .iter()
        .filter(|f| f.passed_to.as_deref() == Some(call.callee.as_str()) && f.span.0 > call.offset)
        .min_by_key(|f| f.span.0)
        .filter(|f| {
            !file
                .calls
                .iter()
                .any(|c| c.callee == call.callee && c.offset > call.offset && c.offset < f.span.0)
        })?;
    let check = file.calls_in(function).find(|c| {
        hono_check(c, file) || matches!(c.callee.as_str(), "jwt" | "bearerAuth" | "basicAuth")
    })?;
    Some(RouteGuard::Caller {
        check: check.callee.clone(),
        via: None,
        confidence: Confidence::High,
    })
}

/// Where a sub-app is mounted: the prefix (with the parent's base path),
/// the prefix as written (which the parent's `use` patterns match), and
/// the parent app's file, variable and mount offset.
#[derive(Clone)]
struct Mount {
    prefix: String,
    written: String,
    parent: usize,
    var: String,
    at: u32,
}

/// The validator among the calls made in a registration (`sorted`: the
/// file's calls by offset).
fn validator(call: &Call, sorted: &[&Call], next: u32) -> Option<String> {
    let first = sorted.partition_point(|c| c.offset <= call.offset);
    sorted[first..]
        .iter()
        .take_while(|c| c.offset < next)
        .find_map(|c| {
            VALIDATORS
                .iter()
                .find(|(v, _)| c.callee == *v)
                .map(|(_, name)| (*name).to_owned())
        })
}

/// Every Hono route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let memo = &GuardMemo::default();
    struct Read<'f> {
        file: &'f FileModel,
        apps: Vec<App<'f>>,
        registrations: Vec<Registration<'f>>,
        uses: Vec<Use<'f>>,
        mounts: Vec<(&'f str, &'f str, &'f str, &'f Call)>,
    }
    let makers = makers(model);
    let read: Vec<Read<'_>> = model
        .files
        .iter()
        .filter(|f| hono_file(f, &makers))
        .map(|file| {
            let apps = apps(file, &makers);
            let mut registrations = Vec::new();
            let mut uses = Vec::new();
            let mut mounts = Vec::new();
            for call in &file.calls {
                let Some(var) = app_of(file, call, &apps, &makers) else {
                    continue;
                };
                let method = call.method();
                match method {
                    "use" => {
                        let (pattern, args) = match call.args.split_first() {
                            Some((Arg::Str(p), rest)) => (Some(p.clone()), rest),
                            _ => (None, call.args.as_slice()),
                        };
                        uses.push(Use {
                            var,
                            pattern,
                            args,
                            call,
                            at: call.offset,
                        });
                    }
                    "route" => {
                        if let (Some(Arg::Str(prefix)), Some(Arg::Ident(sub))) =
                            (call.args.first(), call.args.get(1))
                        {
                            mounts.push((var, prefix.as_str(), sub.as_str(), call));
                        }
                    }
                    "openapi" => {
                        if let Some((http, path, middleware, owner, validates)) =
                            openapi_route(model, file, call)
                        {
                            registrations.push(Registration {
                                var,
                                method: http,
                                path,
                                call,
                                middleware,
                                middleware_file: owner,
                                declared: validates.then_some("zod (OpenAPI route)"),
                            });
                        }
                    }
                    _ => {
                        let Some((_, http)) = VERBS.iter().find(|(v, _)| *v == method) else {
                            continue;
                        };
                        let Some(path) = call.args.first().and_then(Arg::as_str) else {
                            continue;
                        };
                        registrations.push(Registration {
                            var,
                            method: http,
                            path,
                            call,
                            middleware: &call.args[1..],
                            middleware_file: file,
                            declared: None,
                        });
                    }
                }
            }
            // A local sub-app's middleware joins its parent at the mount
            // (`app.route('/api', middleware)` then `app.route('/api', api)`).
            let mut merged = Vec::new();
            for (var, prefix, sub, call) in &mounts {
                for u in uses.iter().filter(|u| u.var == *sub) {
                    merged.push(Use {
                        var,
                        pattern: Some(join(prefix, u.pattern.as_deref().unwrap_or("*"))),
                        at: call.offset,
                        ..u.clone()
                    });
                }
            }
            uses.extend(merged);
            registrations.sort_by_key(|r| r.call.offset);
            uses.sort_by_key(|u| u.at);
            Read {
                file,
                apps,
                registrations,
                uses,
                mounts,
            }
        })
        .collect();

    // Sub-apps mounted from another file, by the sub-app file's path; and
    // local ones, by (file, variable).
    let mut outside: Vec<(String, Mount)> = Vec::new();
    let mut local: Vec<(String, String, Mount)> = Vec::new();
    for (index, r) in read.iter().enumerate() {
        for (var, prefix, sub, call) in &r.mounts {
            let base = r
                .apps
                .iter()
                .find(|a| a.var == *var)
                .map_or("", |a| a.base.as_str());
            let mount = Mount {
                prefix: join(base, prefix),
                written: (*prefix).to_owned(),
                parent: index,
                var: (*var).to_owned(),
                at: call.offset,
            };
            if r.apps.iter().any(|a| a.var == *sub) {
                local.push((r.file.path.clone(), (*sub).to_owned(), mount));
            } else if let Some(specifier) = module_of(r.file, sub)
                && let Some(target) = resolve::import(model, &r.file.path, specifier)
            {
                outside.push((target.path.clone(), mount));
            }
        }
    }
    let outer_of = |path: &str| {
        outside
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, m)| m.clone())
    };
    // The guard a chain of mounts (innermost first) puts in front of a
    // path relative to the innermost app.
    let mount_guard = |chain: &[Mount], path: &str, here: &str| {
        let mut relative = path.to_owned();
        for m in chain {
            relative = join(&m.written, &relative);
            let parent = &read[m.parent];
            if let Some(guard) = use_guard(
                model,
                memo,
                parent.file,
                &parent.uses,
                &m.var,
                m.at,
                &relative,
            ) {
                return Some(match guard {
                    RouteGuard::Caller {
                        check,
                        via: None,
                        confidence,
                    } if parent.file.path != here => RouteGuard::Caller {
                        check,
                        via: Some(parent.file.path.clone()),
                        confidence,
                    },
                    g => g,
                });
            }
        }
        None
    };
    let mut out = Vec::new();
    for r in &read {
        let file = r.file;
        let file_mount = outer_of(&file.path);
        let nesting = Nesting::new(&file.functions);
        let mut sorted: Vec<&Call> = file.calls.iter().collect();
        sorted.sort_by_key(|c| c.offset);
        let mut by_name: HashMap<&str, &Function> = HashMap::new();
        for f in &file.functions {
            if let Some(name) = f.name.as_deref() {
                by_name.entry(name).or_insert(f);
            }
        }
        for (i, reg) in r.registrations.iter().enumerate() {
            let own_mount = local
                .iter()
                .find(|(p, v, _)| *p == file.path && v == reg.var)
                .map(|(_, _, m)| m.clone());
            let chain: Vec<Mount> = own_mount.into_iter().chain(file_mount.clone()).collect();
            let base = r
                .apps
                .iter()
                .find(|a| a.var == reg.var)
                .map_or("", |a| a.base.as_str());
            let own_path = join(base, reg.path);
            let path = chain
                .iter()
                .fold(own_path.clone(), |path, m| join(&m.prefix, &path));
            let next = r
                .registrations
                .get(i + 1)
                .map_or(u32::MAX, |n| n.call.offset);
            let inline: Option<&Function> = nesting
                .between(reg.call.offset, next)
                .filter(|f| f.passed_to.as_deref() == Some(reg.call.callee.as_str()))
                .last();
            let named = match reg.call.args.last() {
                Some(Arg::Ident(name)) if reg.call.args.len() > 1 => {
                    by_name.get(name.as_str()).copied()
                }
                _ => None,
            };
            let handler = inline.or(named);
            let handler_calls: Vec<&Call> = handler
                .map(|h| file.calls_in(h).collect())
                .unwrap_or_default();
            let mut guard =
                args_guard(model, memo, reg.middleware_file, reg.middleware).or_else(|| {
                    use_guard(
                        model,
                        memo,
                        file,
                        &r.uses,
                        reg.var,
                        reg.call.offset,
                        reg.path,
                    )
                });
            if guard.is_none() {
                guard = mount_guard(&chain, &own_path, &file.path);
            }
            let in_handler = handler_calls
                .iter()
                .find(|c| hono_check(c, file))
                .map(|c| RouteGuard::Caller {
                    check: c.callee.clone(),
                    via: None,
                    confidence: Confidence::High,
                })
                .unwrap_or_else(|| guard_of(model, file, handler_calls.iter().copied()));
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
            let validation = reg
                .declared
                .map(str::to_owned)
                .or_else(|| validator(reg.call, &sorted, next))
                .or_else(|| validation(model, file, handler_calls.iter().copied()));
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: reg.method.to_owned(),
                path: if path.is_empty() {
                    "/".to_owned()
                } else {
                    path
                },
                file: file.path.clone(),
                line: Some(reg.call.line),
                class: file.class,
                guard,
                validation,
                notes: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_patterns_cover_paths() {
        assert!(covers("/api/*", "/api/users"));
        assert!(covers("*", "/anything"));
        assert!(covers("/admin", "/admin/users"));
        assert!(!covers("/api/*", "/health"));
        assert!(!covers("/admin", "/administrators"));
    }
}

//! Express: `app.get/post/put/patch/delete/all(path, …handlers)` on an
//! app (`express()`) or a router (`express.Router()`), routers mounted
//! with `app.use('/prefix', router)` (in the same file or imported from
//! another, one level), and the middleware that guards them.
//!
//! Middleware counts in source order, as Express runs it: an
//! `app.use(requireAuth)` guards the routes registered after it on the
//! same app or router, and the routers mounted after it; a middleware
//! argument of one registration (`app.post('/x', requireAuth, handler)`)
//! guards that route. A middleware is a caller check with high confidence
//! when it is a known library's (`passport.authenticate`, `expressjwt`,
//! `auth` of express-oauth2-jwt-bearer) or its body, in the same file or
//! one import away, verifies a token or session; with low confidence when
//! only its name suggests it.

use diligence_model::Confidence;

use crate::nextjs::{guard_of, imported_function, is_caller_check, validation};
use crate::routes::{Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Express";

/// Registration methods and the HTTP method they serve.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("all", "ANY"),
];

/// Calls that make an Express app or router.
const MAKERS: &[&str] = &["express", "express.Router", "Router", "express.default"];

/// Middleware factories of authentication libraries (Express's, and
/// Hono's and Koa's, which read the same): they verify the
/// token or session themselves.
const LIBRARY_MIDDLEWARE: &[&str] = &[
    "passport.authenticate",
    "expressjwt",
    "expressJwt",
    "jwt",
    "auth",
    "requiresAuth",
    "requireAuth",
    "ClerkExpressRequireAuth",
    "ClerkExpressWithAuth",
    "ensureLoggedIn",
    "connectEnsureLogin.ensureLoggedIn",
    // Hono's and Koa's.
    "bearerAuth",
    "basicAuth",
    "koaJwt",
    "jwtAuth",
];

/// Words in a middleware's name that suggest it checks the caller.
const AUTH_WORDS: &[&str] = &[
    "auth",
    "loggedin",
    "login",
    "signedin",
    "verifytoken",
    "verifyjwt",
    "checkjwt",
    "jwt",
    "protect",
    "requireuser",
    "currentuser",
    "session",
    "isadmin",
    "requireadmin",
    "requirerole",
];

/// Whether a name suggests an authentication middleware.
pub(crate) fn auth_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    !(last.ends_with("router") || last.ends_with("routes") || last.starts_with("oauth"))
        && AUTH_WORDS.iter().any(|w| lower.contains(w))
}

/// One `x.get('/path', …)` call.
struct Registration<'f> {
    var: &'f str,
    method: &'static str,
    path: &'f str,
    call: &'f Call,
}

/// The apps and routers a file makes, by variable.
fn app_vars(file: &FileModel) -> Vec<&str> {
    file.calls
        .iter()
        .filter(|c| {
            MAKERS.contains(&c.callee.as_str())
                || (c.callee == "new Router"
                    && file.imports_module("router")
                    && !crate::koa::is_koa(file))
        })
        .filter_map(|c| c.bound_to.as_deref())
        .collect()
}

fn registrations<'f>(file: &'f FileModel, vars: &[&str]) -> Vec<Registration<'f>> {
    file.calls
        .iter()
        .filter_map(|call| {
            let (var, verb) = call.callee.split_once('.')?;
            if !vars.contains(&var) {
                return None;
            }
            let (_, method) = VERBS.iter().find(|(v, _)| *v == verb)?;
            // `app.get('env')` reads a setting.
            if call.args.len() < 2 {
                return None;
            }
            let path = call.args.first()?.as_str()?;
            Some(Registration {
                var,
                method,
                path,
                call,
            })
        })
        .collect()
}

/// A verifying call in a middleware's body.
pub(crate) fn body_check(file: &FileModel, function: &Function) -> Option<String> {
    file.calls_in(function)
        .find(|c| is_caller_check(c, file))
        .map(|c| c.callee.clone())
}

/// What a middleware argument checks, if anything.
pub(crate) fn middleware_guard(
    model: &SourceModel,
    file: &FileModel,
    arg: &Arg,
) -> Option<RouteGuard> {
    let high = |check: String, via: Option<String>| RouteGuard::Caller {
        check,
        via,
        confidence: Confidence::High,
    };
    // A provider's signature checked before the handler
    // (`validateWebhook({ secretKey })`, `verifySlackRequest`).
    if let Arg::Call { callee: name, .. } | Arg::Ident(name) | Arg::Member(name) = arg
        && crate::supabase::verifier_name(name)
    {
        return Some(RouteGuard::Signature {
            check: name.clone(),
        });
    }
    match arg {
        Arg::Call { callee, .. } => {
            if LIBRARY_MIDDLEWARE.contains(&callee.as_str())
                || callee.ends_with("passport.authenticate")
            {
                return Some(high(callee.clone(), None));
            }
            // A local factory (`requireRole('admin')`).
            named_guard(model, file, callee)
        }
        Arg::Ident(name) | Arg::Member(name) => named_guard(model, file, name),
        _ => None,
    }
}

/// What a middleware named `name` checks: its body in this file or one
/// import away, a library factory it is bound to, or its name alone.
pub(crate) fn named_guard(model: &SourceModel, file: &FileModel, name: &str) -> Option<RouteGuard> {
    // `const checkJwt = auth({ audience })`.
    if let Some(made) = file
        .calls
        .iter()
        .find(|c| c.bound_to.as_deref() == Some(name))
        && (LIBRARY_MIDDLEWARE.contains(&made.callee.as_str())
            || made.callee.ends_with("passport.authenticate"))
    {
        return Some(RouteGuard::Caller {
            check: format!("{name} = {}", made.callee),
            via: None,
            confidence: Confidence::High,
        });
    }
    let root = name.split('.').next().unwrap_or(name);
    // `auth.required`, where `auth = { required: jwt({ … }) }` here or in
    // the module `auth` is imported from.
    if let Some((_, key)) = name.split_once('.') {
        let here = file.binding(root, u32::MAX).map(|b| (&b.value, None));
        let there = || {
            let specifier = module_of(file, root)?;
            let helper = resolve::import(model, &file.path, specifier)?;
            let value = &helper.binding(root, u32::MAX)?.value;
            Some((value, Some(helper.path.clone())))
        };
        if let Some((value, via)) = here.or_else(there)
            && let Some(Arg::Call { callee, args }) = value.property(key)
            && LIBRARY_MIDDLEWARE.contains(&callee.as_str())
        {
            // `credentialsRequired: false` lets anonymous callers through.
            let optional = args
                .iter()
                .any(|a| matches!(a.property("credentialsRequired"), Some(Arg::Bool(false))));
            return (!optional).then(|| RouteGuard::Caller {
                check: format!("{name} = {callee}"),
                via,
                confidence: Confidence::High,
            });
        }
    }
    let local = file
        .functions
        .iter()
        .filter(|f| f.name.as_deref() == Some(root))
        .find_map(|f| body_check(file, f));
    if let Some(check) = local {
        return Some(RouteGuard::Caller {
            check: format!("{name} → {check}"),
            via: None,
            confidence: Confidence::High,
        });
    }
    if let Some((helper, function)) = imported_function(model, file, root) {
        let check = match function {
            Some(function) => body_check(helper, function),
            None => helper
                .calls
                .iter()
                .find(|c| is_caller_check(c, helper))
                .map(|c| c.callee.clone()),
        };
        if let Some(check) = check {
            return Some(RouteGuard::Caller {
                check: format!("{name} → {check}"),
                via: Some(helper.path.clone()),
                confidence: Confidence::High,
            });
        }
    }
    auth_name(name).then(|| RouteGuard::Caller {
        check: format!("{name} (by name)"),
        via: None,
        confidence: Confidence::Low,
    })
}

/// The first guard among a middleware list.
pub(crate) fn first_guard<'a>(
    model: &SourceModel,
    file: &FileModel,
    args: impl Iterator<Item = &'a Arg>,
) -> Option<RouteGuard> {
    args.filter_map(|a| middleware_guard(model, file, a))
        .max_by_key(|g| match g {
            RouteGuard::Caller { confidence, .. } => *confidence,
            _ => Confidence::Low,
        })
}

/// `x.use(…)` calls of a file on its apps and routers, with their path
/// prefix (when the first argument is one) and the other arguments.
fn uses<'f>(
    file: &'f FileModel,
    vars: &[&str],
) -> Vec<(&'f str, Option<&'f str>, &'f [Arg], &'f Call)> {
    file.calls
        .iter()
        .filter_map(|call| {
            let (var, method) = call.callee.split_once('.')?;
            if method != "use" || !vars.contains(&var) {
                return None;
            }
            let (prefix, rest) = match call.args.split_first() {
                Some((Arg::Str(prefix), rest)) => (Some(prefix.as_str()), rest),
                _ => (None, call.args.as_slice()),
            };
            Some((var, prefix, rest, call))
        })
        .collect()
}

/// The local module a name stands for: an ES import or a `require`.
pub(crate) fn module_of<'f>(file: &'f FileModel, name: &str) -> Option<&'f str> {
    file.imports
        .iter()
        .find(|i| i.names.iter().any(|n| n == name))
        .map(|i| i.specifier.as_str())
        .or_else(|| {
            file.calls
                .iter()
                .find(|c| c.callee == "require" && c.bound_to.as_deref() == Some(name))
                .and_then(|c| c.args.first()?.as_str())
        })
        .filter(|s| resolve::is_local(s))
}

/// Joins a mount prefix and a route path.
pub(crate) fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    match (prefix.is_empty(), path) {
        (true, _) => path.to_owned(),
        (false, "/" | "") => prefix.to_owned(),
        (false, _) => format!("{prefix}/{}", path.trim_start_matches('/')),
    }
}

/// Where a router is mounted: the prefix, and the guard the mounting file
/// puts in front of it.
#[derive(Clone)]
struct Mount {
    prefix: String,
    guard: Option<RouteGuard>,
    /// The file it is mounted in, when not the router's own.
    via: Option<String>,
}

/// The guard that a file's global middleware (`x.use(mw)` on `var`
/// before `offset`, or with a prefix covering `path`) puts in front.
fn use_guard(
    model: &SourceModel,
    file: &FileModel,
    uses: &[(&str, Option<&str>, &[Arg], &Call)],
    var: &str,
    offset: u32,
    path: Option<&str>,
) -> Option<RouteGuard> {
    uses.iter()
        .filter(|(v, prefix, _, call)| {
            *v == var
                && call.offset < offset
                && match (prefix, path) {
                    (None, _) => true,
                    (Some(prefix), Some(path)) => {
                        path == *prefix
                            || path.starts_with(&format!("{}/", prefix.trim_end_matches('/')))
                    }
                    (Some(_), None) => false,
                }
        })
        .find_map(|(_, _, args, _)| first_guard(model, file, args.iter()))
}

/// Every Express route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    // Routers mounted from another file, by the router file's path.
    let mut mounts: Vec<(String, Mount)> = Vec::new();
    for file in &model.files {
        let vars = app_vars(file);
        if vars.is_empty() {
            continue;
        }
        let file_uses = uses(file, &vars);
        for (var, prefix, args, call) in &file_uses {
            let Some(Arg::Ident(router)) = args.last() else {
                continue;
            };
            let Some(specifier) = module_of(file, router) else {
                continue;
            };
            let Some(target) = resolve::import(model, &file.path, specifier) else {
                continue;
            };
            let own = first_guard(model, file, args[..args.len() - 1].iter());
            let guard =
                own.or_else(|| use_guard(model, file, &file_uses, var, call.offset, *prefix));
            mounts.push((
                target.path.clone(),
                Mount {
                    prefix: prefix.unwrap_or("").to_owned(),
                    guard,
                    via: Some(file.path.clone()),
                },
            ));
        }
    }

    let mut out = Vec::new();
    for file in &model.files {
        let vars = app_vars(file);
        if vars.is_empty() {
            continue;
        }
        let file_uses = uses(file, &vars);
        let registered = registrations(file, &vars);
        let outside = mounts
            .iter()
            .find(|(path, _)| *path == file.path)
            .map(|(_, m)| m.clone());
        // The file's calls in offset order, to take a registration's
        // middleware calls without a scan of every call per route.
        let mut by_offset: Vec<&Call> = file.calls.iter().collect();
        by_offset.sort_by_key(|c| c.offset);
        for (i, r) in registered.iter().enumerate() {
            // A router of this file mounted in this file.
            let local_mount = file_uses.iter().find_map(|(var, prefix, args, call)| {
                matches!(args.last(), Some(Arg::Ident(name)) if name == r.var).then(|| {
                    let own = first_guard(model, file, args[..args.len() - 1].iter());
                    Mount {
                        prefix: prefix.unwrap_or("").to_owned(),
                        guard: own.or_else(|| {
                            use_guard(model, file, &file_uses, var, call.offset, *prefix)
                        }),
                        via: None,
                    }
                })
            });
            let mount = local_mount.or_else(|| outside.clone());
            let path = match &mount {
                Some(m) => join(&m.prefix, r.path),
                None => r.path.to_owned(),
            };

            // The handler: the first function passed to this call, or the
            // last named argument.
            let next = registered.get(i + 1).map_or(u32::MAX, |n| n.call.offset);
            let inline = file.functions.iter().find(|f| {
                f.passed_to.as_deref() == Some(r.call.callee.as_str())
                    && f.span.0 > r.call.offset
                    && f.span.0 < next
            });
            let named = match r.call.args.last() {
                Some(Arg::Ident(name)) if r.call.args.len() > 1 => Some(name.as_str()),
                _ => None,
            };
            let handler_calls: Vec<&Call> = match (inline, named) {
                (Some(f), _) => file.calls_in(f).collect(),
                (None, Some(name)) => file
                    .functions
                    .iter()
                    .find(|f| f.name.as_deref() == Some(name))
                    .map(|f| file.calls_in(f).collect())
                    .unwrap_or_default(),
                (None, None) => Vec::new(),
            };
            let middleware_args = {
                let args = &r.call.args[1..];
                if inline.is_none() && named.is_some() {
                    &args[..args.len() - 1]
                } else {
                    args
                }
            };

            let mut guard = first_guard(model, file, middleware_args.iter());
            if guard.is_none() {
                guard = use_guard(model, file, &file_uses, r.var, r.call.offset, Some(r.path));
            }
            if guard.is_none()
                && let Some(m) = &mount
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
            let handler_guard = guard_of(model, file, handler_calls.iter().copied());
            let guard = match (guard, handler_guard) {
                // A check in the handler itself is the strongest evidence.
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
            // The middleware calls of the registration, on its line or on
            // the lines before the inline handler (`validate(Schema)`).
            let end = inline.map_or(0, |f| f.span.0);
            let after = by_offset.partition_point(|c| c.offset <= r.call.offset);
            let middleware_calls = by_offset[after..]
                .iter()
                .copied()
                .take_while(|c| c.offset < end || c.line == r.call.line);
            let validation = validation(
                model,
                file,
                handler_calls.iter().copied().chain(middleware_calls),
            );
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: r.method.to_owned(),
                path,
                file: file.path.clone(),
                line: Some(r.call.line),
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
    fn names_that_suggest_a_check() {
        for name in [
            "requireAuth",
            "authenticate",
            "isAuthenticated",
            "ensureLoggedIn",
            "verifyToken",
            "protect",
            "checkJwt",
            "auth.required",
        ] {
            assert!(auth_name(name), "{name}");
        }
        for name in [
            "authRouter",
            "userRoutes",
            "oauthCallback",
            "cors",
            "rateLimit",
            "json",
        ] {
            assert!(!auth_name(name), "{name}");
        }
    }

    #[test]
    fn joins_prefixes() {
        assert_eq!(join("/api", "/users"), "/api/users");
        assert_eq!(join("/api/", "/"), "/api");
        assert_eq!(join("", "/users"), "/users");
    }
}

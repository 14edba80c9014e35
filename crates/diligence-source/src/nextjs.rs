//! Next.js: app-router route handlers (`app/**/route.ts`), pages-router
//! API routes (`pages/api/**`), server actions (`'use server'` modules),
//! and the middleware that covers them.
//!
//! A route is guarded when its handler makes a caller check (the
//! vocabulary in `is_caller_check`), when a local helper it calls makes
//! one (one hop, through relative imports and `tsconfig.json` aliases), or
//! when a middleware that checks the session covers its path
//! (`config.matcher`).

use diligence_model::Confidence;

use crate::routes::{Route, RouteGuard};
use crate::supabase::is_signature_check;
use crate::{Arg, Call, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Next.js";

/// HTTP methods an app-router `route.ts` may export.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Calls that identify the caller whatever module they come from.
const CALLER_CHECKS: &[&str] = &[
    "getServerSession",
    "getUser",
    "getClaims",
    "currentUser",
    "getToken",
    "verifyToken",
    "jwtVerify",
    "verifyJwt",
    "verifyJWT",
    "getKindeServerSession",
    "withApiAuthRequired",
    "withPageAuthRequired",
    "validateRequest",
    "getIronSession",
    "verifyIdToken",
    "verifySessionCookie",
    "isAuthenticated",
];

/// Modules whose `getSession` or `auth` reads the caller's session.
const SESSION_MODULES: &[&str] = &[
    "next-auth",
    "@auth/",
    "@auth0/",
    "@clerk/",
    "better-auth",
    "iron-session",
    "lucia",
    "@kinde-oss/",
    "@supabase/",
];

/// Functions that wrap a handler or a middleware in an authentication
/// check (`export const POST = withAuth(…)`, `export default
/// clerkMiddleware(…)`).
const AUTH_WRAPPERS: &[&str] = &[
    "withAuth",
    "withApiAuthRequired",
    "withMiddlewareAuthRequired",
    "withIronSessionApiRoute",
    "clerkMiddleware",
    "authMiddleware",
    "withClerkMiddleware",
    "withKindeAuth",
];

/// Schema libraries, by the module a file imports them from.
const VALIDATORS: &[(&str, &str)] = &[
    ("zod", "zod"),
    ("valibot", "valibot"),
    ("yup", "yup"),
    ("joi", "joi"),
    ("superstruct", "superstruct"),
    ("@sinclair/typebox", "typebox"),
    ("ajv", "ajv"),
    ("class-validator", "class-validator"),
    ("express-validator", "express-validator"),
];

/// Methods that validate a value against a schema.
const VALIDATE_METHODS: &[&str] = &[
    "parse",
    "safeParse",
    "parseAsync",
    "safeParseAsync",
    "validate",
    "validateSync",
    "validateAsync",
    "assert",
    "create",
    "compile",
    "body",
    "check",
    "checkSchema",
];

/// Whether a call identifies the caller (a session or token read and
/// verified on the server).
pub(crate) fn is_caller_check(call: &Call, file: &FileModel) -> bool {
    let method = call.method();
    let session_module = || SESSION_MODULES.iter().any(|m| file.imports_module(m));
    // `oauth2.getToken(code)` exchanges an OAuth code; next-auth's
    // `getToken({ req })` is called bare.
    (CALLER_CHECKS.contains(&method) && !(method == "getToken" && call.callee != "getToken"))
        || call.callee.ends_with("jwt.verify")
        || call.callee.ends_with("auth.api.getSession")
        // Supabase Auth acts on the signed-in caller's own account only.
        || call.callee.ends_with("auth.updateUser")
        || (method == "verify"
            && (file.imports_module("jose") || file.imports_module("jsonwebtoken")))
        || (method == "getSession" && session_module())
        || (call.callee == "auth"
            && file
                .imports
                .iter()
                .any(|i| i.names.iter().any(|n| n == "auth")))
}

/// Whether a call wraps a handler in an authentication check.
pub(crate) fn is_auth_wrapper(call: &Call) -> bool {
    AUTH_WRAPPERS.contains(&call.method())
}

/// The schema library that validates input among `calls` of `file`: a
/// validating method called while the file, or a local module it
/// imports, imports a schema library.
pub(crate) fn validation<'c>(
    model: &SourceModel,
    file: &FileModel,
    calls: impl Iterator<Item = &'c Call>,
) -> Option<String> {
    let calls: Vec<&Call> = calls.collect();
    let validates = calls.iter().any(|c| {
        VALIDATE_METHODS.contains(&c.method()) && !c.callee.starts_with("JSON.")
            || c.callee == "validationResult"
    });
    if !validates {
        return hand_written(&calls);
    }
    let library = |f: &FileModel| {
        VALIDATORS
            .iter()
            .find(|(module, _)| {
                f.imports.iter().any(|i| {
                    i.specifier == *module || i.specifier.starts_with(&format!("{module}/"))
                })
            })
            .map(|(_, name)| (*name).to_owned())
    };
    library(file)
        .or_else(|| {
            // The file's local modules, imported or required.
            let required = file
                .calls
                .iter()
                .filter(|c| c.callee == "require")
                .filter_map(|c| c.args.first()?.as_str());
            file.imports
                .iter()
                .map(|i| i.specifier.as_str())
                .chain(required)
                .filter(|s| resolve::is_local(s))
                .filter_map(|s| resolve::import(model, &file.path, s))
                .find_map(library)
        })
        .or_else(|| hand_written(&calls))
}

/// A validating helper of the app's own, called bare or from a local
/// module (`isValidEmail(email)`, `validateInput(body)`): hand-written
/// validation, named as such. Library methods on a receiver
/// (`validator.isEmail`) are the schema check above.
fn hand_written(calls: &[&Call]) -> Option<String> {
    calls
        .iter()
        .map(|c| c.callee.as_str())
        .find(|callee| {
            !callee.contains(['.', '('])
                && ["isValid", "validate", "is_valid_", "validate_"]
                    .iter()
                    .any(|p| callee.starts_with(p) && callee.len() > p.len())
        })
        .map(|callee| format!("hand-written ({callee})"))
}

/// The function a name imported by `file` stands for, one hop away: the
/// helper file and the function (an exported one by that name, or the
/// default export for a default import).
pub(crate) fn imported_function<'m>(
    model: &'m SourceModel,
    file: &FileModel,
    name: &str,
) -> Option<(&'m FileModel, Option<&'m Function>)> {
    // An ES import, or `const name = require('./x')`.
    let specifier = file
        .imports
        .iter()
        .find(|i| resolve::is_own(model, &i.specifier) && i.names.iter().any(|n| n == name))
        .map(|i| i.specifier.as_str())
        .or_else(|| match &file.binding(name, u32::MAX)?.value {
            Arg::Call { callee, args } if callee == "require" => {
                args.first()?.as_str().filter(|s| resolve::is_local(s))
            }
            _ => None,
        })?;
    let helper = resolve::import(model, &file.path, specifier)?;
    let named = |module: &'m FileModel| {
        module.exported_function(name).or_else(|| {
            module
                .functions
                .iter()
                .find(|f| f.name.as_deref() == Some(name))
        })
    };
    if let Some(function) = named(helper) {
        return Some((helper, Some(function)));
    }
    // A barrel (`lib/index.ts` re-exporting `export * from './auth'`):
    // the function is in a module it re-exports, up to three barrels deep.
    if let Some((module, function)) = reexported(model, helper, name, 3) {
        return Some((module, Some(function)));
    }
    Some((helper, helper.exported_function("default")))
}

/// The function `name` in a module that `barrel` re-exports
/// (`export * from './auth'`, `export { requireUser } from './auth'`),
/// following at most `depth` barrels.
fn reexported<'m>(
    model: &'m SourceModel,
    barrel: &'m FileModel,
    name: &str,
    depth: u8,
) -> Option<(&'m FileModel, &'m Function)> {
    if depth == 0 {
        return None;
    }
    barrel
        .imports
        .iter()
        // Re-exports are recorded with no local names.
        .filter(|i| i.names.is_empty() && resolve::is_own(model, &i.specifier))
        .take(64)
        .filter_map(|i| resolve::import(model, &barrel.path, &i.specifier))
        .filter(|module| module.path != barrel.path)
        .find_map(|module| {
            module
                .exported_function(name)
                .map(|f| (module, f))
                .or_else(|| reexported(model, module, name, depth - 1))
        })
}

/// The caller check among `calls` of `file`: in the calls themselves
/// (high confidence), a webhook signature, or in the body of a local
/// helper one of them calls (medium).
pub(crate) fn guard_of<'c>(
    model: &SourceModel,
    file: &FileModel,
    calls: impl Iterator<Item = &'c Call> + Clone,
) -> RouteGuard {
    let calls_all = calls.clone();
    if let Some(call) = calls.clone().find(|c| is_caller_check(c, file)) {
        return RouteGuard::Caller {
            check: call.callee.clone(),
            via: None,
            confidence: Confidence::High,
        };
    }
    if let Some(call) = calls.clone().find(|c| is_signature_check(c, file)) {
        return RouteGuard::Signature {
            check: call.callee.clone(),
        };
    }
    for call in calls {
        let Some((helper, function)) = imported_function(model, file, call.root()) else {
            continue;
        };
        let check = match function {
            Some(function) => helper
                .calls_in(function)
                .find(|c| is_caller_check(c, helper)),
            None => helper.calls.iter().find(|c| is_caller_check(c, helper)),
        };
        if let Some(check) = check {
            return RouteGuard::Caller {
                check: format!("{} → {}", call.callee, check.callee),
                via: Some(helper.path.clone()),
                confidence: Confidence::Medium,
            };
        }
    }
    session_client(model, file, calls_all).unwrap_or(RouteGuard::None)
}

/// Factories of a Supabase client bound to the request's cookies: what it
/// does, it does as the signed-in caller (or as `anon`).
const SESSION_CLIENT_FACTORIES: &[&str] = &[
    "createServerClient",
    "createRouteHandlerClient",
    "createServerActionClient",
    "createServerComponentClient",
    "createPagesServerClient",
];

/// Whether a file or a function reads a privileged key (the service-role
/// key or an admin secret) from the environment.
fn reads_privileged_key(file: &FileModel, function: Option<&Function>) -> bool {
    let privileged = |name: &str| {
        let upper = name.to_ascii_uppercase();
        upper.contains("SERVICE_ROLE") || upper.contains("SERVICE_KEY")
    };
    match function {
        Some(function) => file
            .env_reads
            .iter()
            .any(|e| function.contains(e.line) && privileged(&e.name)),
        None => file.env_reads.iter().any(|e| privileged(&e.name)),
    }
}

/// A Supabase client created with the caller's session, directly or
/// through a local helper one hop away, while nothing in the handler or
/// that helper reads a privileged key: the database's row-level security
/// decides what the call may do, so the route is not open by itself. Low
/// confidence: whether the policies are right is the data layer's
/// evidence, not this route's.
fn session_client<'c>(
    model: &SourceModel,
    file: &FileModel,
    calls: impl Iterator<Item = &'c Call> + Clone,
) -> Option<RouteGuard> {
    let acts = calls
        .clone()
        .any(|c| matches!(c.method(), "from" | "rpc") || c.callee.contains(".storage."));
    if !acts {
        return None;
    }
    let mut found = None;
    for call in calls {
        if call
            .args
            .iter()
            .any(|a| matches!(a, Arg::Env(name) if name.to_ascii_uppercase().contains("SERVICE")))
        {
            return None;
        }
        if found.is_some() {
            continue;
        }
        if SESSION_CLIENT_FACTORIES.contains(&call.method()) {
            found = Some((call.callee.clone(), None));
            continue;
        }
        let Some((helper, function)) = imported_function(model, file, call.root()) else {
            continue;
        };
        let creates = match function {
            Some(function) => helper
                .calls_in(function)
                .any(|c| SESSION_CLIENT_FACTORIES.contains(&c.method())),
            None => false,
        };
        if creates && !reads_privileged_key(helper, function) {
            found = Some((call.callee.clone(), Some(helper.path.clone())));
        }
    }
    let (callee, via) = found?;
    Some(RouteGuard::Caller {
        check: format!(
            "{callee} (Supabase client with the caller's session: row-level security decides)"
        ),
        via,
        confidence: Confidence::Low,
    })
}

/// Where a file sits in a Next.js project.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// An app-router route handler serving `path`.
    AppRoute { root: String, path: String },
    /// A pages-router API route serving `path`.
    PagesApi { root: String, path: String },
}

/// The project root of a path's segments before `app`/`pages` (a
/// trailing `src` dropped), with a trailing `/`.
fn root_of(segments: &[&str]) -> String {
    let segments = match segments.split_last() {
        Some((&"src", rest)) => rest,
        _ => segments,
    };
    segments.iter().map(|s| format!("{s}/")).collect()
}

/// Where `path` sits in a Next.js project, if it is a route file.
fn place(path: &str) -> Option<Place> {
    let segments: Vec<&str> = path.split('/').collect();
    let (name, dirs) = segments.split_last()?;
    let (stem, ext) = name.rsplit_once('.')?;
    if !matches!(ext, "ts" | "js" | "tsx" | "jsx" | "mjs") {
        return None;
    }
    if stem == "route"
        && let Some(at) = dirs.iter().position(|s| *s == "app")
    {
        let route: Vec<&str> = dirs[at + 1..]
            .iter()
            .filter(|s| !(s.starts_with('@') || s.starts_with('(') && s.ends_with(')')))
            .copied()
            .collect();
        return Some(Place::AppRoute {
            root: root_of(&dirs[..at]),
            path: format!("/{}", route.join("/")),
        });
    }
    let at = dirs
        .windows(2)
        .position(|w| w[0] == "pages" && w[1] == "api")?;
    if stem.starts_with('_') {
        return None;
    }
    let mut route: Vec<&str> = dirs[at + 1..].to_vec();
    if stem != "index" {
        route.push(stem);
    }
    Some(Place::PagesApi {
        root: root_of(&dirs[..at]),
        path: format!("/{}", route.join("/")),
    })
}

/// A `middleware.ts` (or `proxy.ts`) and what it checks.
#[derive(Debug)]
struct Middleware {
    /// Its file.
    path: String,
    /// The caller check it makes, if any.
    check: Option<String>,
    /// Its `config.matcher` patterns; `None` when it has none (it runs on
    /// every path).
    matchers: Option<Vec<String>>,
}

/// Modules whose re-export is an authentication middleware
/// (`export { default } from 'next-auth/middleware'`).
const AUTH_MIDDLEWARE_MODULES: &[&str] =
    &["next-auth/middleware", "@clerk/nextjs", "@auth0/nextjs"];

impl Middleware {
    fn read(model: &SourceModel, file: &FileModel) -> Self {
        let check = file
            .calls
            .iter()
            .find(|c| is_caller_check(c, file) || is_auth_wrapper(c))
            .map(|c| c.callee.clone())
            .or_else(|| {
                // `export { auth as middleware } from '@/auth'`, or the
                // next-auth middleware re-exported.
                file.imports
                    .iter()
                    .find(|i| {
                        i.names.is_empty()
                            && (AUTH_MIDDLEWARE_MODULES
                                .iter()
                                .any(|m| i.specifier.starts_with(m))
                                || i.specifier.ends_with("/auth"))
                    })
                    .map(|i| format!("re-export of {}", i.specifier))
            })
            .or_else(|| match guard_of(model, file, file.calls.iter()) {
                RouteGuard::Caller { check, .. } => Some(check),
                _ => None,
            });
        let matchers = file
            .binding("config", u32::MAX)
            .and_then(|b| b.value.property("matcher"))
            .map(|m| match m {
                Arg::Str(s) => vec![s.clone()],
                Arg::Array(items) => items
                    .iter()
                    .filter_map(|i| match i {
                        Arg::Str(s) => Some(s.clone()),
                        other => other.property("source")?.as_str().map(str::to_owned),
                    })
                    .collect(),
                other => other
                    .property("source")
                    .and_then(Arg::as_str)
                    .map(|s| vec![s.to_owned()])
                    .unwrap_or_default(),
            });
        Self {
            path: file.path.clone(),
            check,
            matchers,
        }
    }

    /// Whether the middleware runs on a route path.
    fn covers(&self, path: &str) -> bool {
        match &self.matchers {
            None => true,
            Some(patterns) => patterns.iter().any(|p| matcher_covers(p, path)),
        }
    }
}

/// Whether one `config.matcher` pattern covers a route path. Understood:
/// literal prefixes, `:param`, `:param*`, `:param+`, `(.*)`, groups of
/// alternatives (`/(api|trpc)(.*)`) and the negative lookahead that means
/// "everything except" (`/((?!_next/static|favicon.ico).*)`).
pub fn matcher_covers(pattern: &str, path: &str) -> bool {
    if let Some(start) = pattern.find("(?!") {
        let inner = &pattern[start + 3..];
        let end = inner.find(')').unwrap_or(inner.len());
        let rest = path.trim_start_matches('/');
        return !inner[..end]
            .split('|')
            .map(|alt| alt.replace('\\', ""))
            .any(|alt| !alt.is_empty() && rest.starts_with(&alt));
    }
    let mut wanted = pattern.trim_start_matches('/').split('/');
    let mut actual = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    loop {
        let Some(segment) = wanted.next() else {
            return true;
        };
        if segment.is_empty() {
            continue;
        }
        if segment.ends_with('*') || segment == "(.*)" || segment == ".*" {
            return true;
        }
        let Some(got) = actual.next() else {
            return false;
        };
        if segment.ends_with('+') {
            return true;
        }
        if segment.starts_with(':') || (got.starts_with('[') && got.ends_with(']')) {
            continue;
        }
        if let Some(group) = segment.strip_prefix('(')
            && let Some(close) = group.find(')')
        {
            let tail = &group[close + 1..];
            let matched = group[..close].split('|').any(|alt| got.starts_with(alt));
            if !matched {
                return false;
            }
            if tail == "(.*)" || tail.ends_with('*') {
                return true;
            }
            continue;
        }
        if segment != got {
            return false;
        }
    }
}

/// The middlewares of a project root (`middleware.ts`, `src/middleware.ts`,
/// or the `proxy.ts` of later versions).
fn middleware_of<'m>(model: &'m SourceModel, root: &str) -> Option<&'m FileModel> {
    ["", "src/"].iter().find_map(|dir| {
        ["middleware", "proxy"].iter().find_map(|stem| {
            ["ts", "js"]
                .iter()
                .find_map(|ext| model.file(&format!("{root}{dir}{stem}.{ext}")))
        })
    })
}

/// A route of `file` with its guard: the handler's own, or the
/// middleware's when it covers the path.
#[allow(clippy::too_many_arguments)]
fn route(
    model: &SourceModel,
    file: &FileModel,
    method: &str,
    path: String,
    function: Option<&Function>,
    wrapper: Option<&Call>,
    middleware: Option<&Middleware>,
) -> Route {
    let calls: Vec<&Call> = match function {
        Some(function) => file.calls_in(function).collect(),
        None => file.calls.iter().collect(),
    };
    let mut guard = guard_of(model, file, calls.iter().copied().chain(wrapper));
    if let (RouteGuard::None, Some(wrapper)) = (&guard, wrapper)
        && is_auth_wrapper(wrapper)
    {
        guard = RouteGuard::Caller {
            check: wrapper.callee.clone(),
            via: None,
            confidence: Confidence::High,
        };
    }
    if guard == RouteGuard::None
        && method != "ACTION"
        && let Some(middleware) = middleware
        && let Some(check) = &middleware.check
        && middleware.covers(&path)
    {
        guard = RouteGuard::Caller {
            check: check.clone(),
            via: Some(middleware.path.clone()),
            confidence: Confidence::Medium,
        };
    }
    let validation = validation(model, file, calls.iter().copied());
    Route {
        framework: FRAMEWORK.to_owned(),
        method: method.to_owned(),
        path,
        file: file.path.clone(),
        line: function.map(|f| f.line).or(wrapper.map(|c| c.line)),
        class: file.class,
        guard,
        validation,
        notes: Vec::new(),
    }
}

/// Every Next.js route of the target: route handlers, API routes and
/// server actions.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let mut out = Vec::new();
    for file in &model.files {
        match place(&file.path) {
            Some(Place::AppRoute { root, path }) => {
                let middleware = middleware_of(model, &root).map(|f| Middleware::read(model, f));
                for method in METHODS {
                    let function = file.exported_function(method);
                    let wrapper = file
                        .calls
                        .iter()
                        .find(|c| c.bound_to.as_deref() == Some(*method));
                    if function.is_none() && !file.exports.iter().any(|e| e == method) {
                        continue;
                    }
                    let function = function.or_else(|| {
                        let wrapper = wrapper?;
                        file.functions
                            .iter()
                            .find(|f| f.passed_to.as_deref() == Some(wrapper.callee.as_str()))
                    });
                    out.push(route(
                        model,
                        file,
                        method,
                        path.clone(),
                        function,
                        wrapper,
                        middleware.as_ref(),
                    ));
                }
            }
            Some(Place::PagesApi { root, path }) => {
                let middleware = middleware_of(model, &root).map(|f| Middleware::read(model, f));
                // `export default function handler`, or a wrapped handler
                // (`export default withApiAuthRequired(handler)`).
                let function = file
                    .exported_function("default")
                    .or_else(|| file.functions.iter().find(|f| f.exported));
                let wrapper = file.calls.iter().find(|c| is_auth_wrapper(c));
                out.push(route(
                    model,
                    file,
                    "ANY",
                    path,
                    function,
                    wrapper,
                    middleware.as_ref(),
                ));
            }
            None if file.directives.first().map(String::as_str) == Some("use server") => {
                for function in file
                    .functions
                    .iter()
                    .filter(|f| f.exported && f.is_async && f.class.is_none())
                {
                    let name = function
                        .name
                        .clone()
                        .unwrap_or_else(|| "default".to_owned());
                    out.push(route(
                        model,
                        file,
                        "ACTION",
                        name,
                        Some(function),
                        None,
                        None,
                    ));
                }
            }
            None => {}
        }
    }
    for failed in &model.failed {
        let (method, path) = match place(&failed.path) {
            Some(Place::AppRoute { path, .. }) => ("ANY", path),
            Some(Place::PagesApi { path, .. }) => ("ANY", path),
            None => continue,
        };
        out.push(Route {
            framework: FRAMEWORK.to_owned(),
            method: method.to_owned(),
            path,
            file: failed.path.clone(),
            line: None,
            class: failed.class,
            guard: RouteGuard::NotAnalysed,
            validation: None,
            notes: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_app_routes_pages_and_monorepos() {
        assert_eq!(
            place("app/api/users/[id]/route.ts"),
            Some(Place::AppRoute {
                root: String::new(),
                path: "/api/users/[id]".into()
            })
        );
        assert_eq!(
            place("apps/web/src/app/(admin)/api/stats/route.js"),
            Some(Place::AppRoute {
                root: "apps/web/".into(),
                path: "/api/stats".into()
            })
        );
        assert_eq!(
            place("pages/api/users/index.ts"),
            Some(Place::PagesApi {
                root: String::new(),
                path: "/api/users".into()
            })
        );
        assert_eq!(
            place("src/pages/api/[...slug].ts"),
            Some(Place::PagesApi {
                root: String::new(),
                path: "/api/[...slug]".into()
            })
        );
        assert_eq!(place("app/dashboard/page.tsx"), None);
        assert_eq!(place("pages/index.tsx"), None);
        assert_eq!(place("pages/api/_utils.ts"), None);
    }

    #[test]
    fn matchers_cover_what_next_would_run_on() {
        assert!(matcher_covers("/api/:path*", "/api/users/[id]"));
        assert!(matcher_covers("/api/:path*", "/api"));
        assert!(!matcher_covers("/dashboard/:path*", "/api/users"));
        assert!(matcher_covers("/api/admin", "/api/admin/users"));
        assert!(!matcher_covers("/api/admin", "/api/public"));
        assert!(matcher_covers("/users/:id", "/users/[id]"));
        assert!(!matcher_covers("/api/:path+", "/api"));
        let everything = "/((?!_next/static|_next/image|favicon.ico).*)";
        assert!(matcher_covers(everything, "/api/orders"));
        assert!(!matcher_covers(everything, "/_next/static/chunk.js"));
        let not_api = "/((?!api|_next/static|_next/image|favicon.ico).*)";
        assert!(!matcher_covers(not_api, "/api/orders"));
        assert!(matcher_covers("/(api|trpc)(.*)", "/api/orders"));
        assert!(!matcher_covers("/(api|trpc)(.*)", "/dashboard"));
    }
}

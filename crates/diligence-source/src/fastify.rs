//! Fastify: routes registered on an instance (`fastify()`) or on the
//! instance a plugin receives (`async function routes(fastify) { … }`),
//! with `x.get/post/…(path, [options], handler)` or `x.route({ method,
//! url, handler })`, and plugins registered with `x.register(plugin, {
//! prefix })` in the same file or one import away (or loaded from a
//! `routes/` folder by `@fastify/autoload`).
//!
//! Hooks are encapsulated as Fastify runs them: an `x.addHook('onRequest'
//! | 'preHandler' | 'preValidation', check)` guards the routes of the
//! instance or plugin it is added in and of the plugins registered in it;
//! a plugin wrapped in `fastify-plugin` shares its hooks with its parent.
//! A route's own `onRequest`/`preHandler` option guards that route. A
//! check is a caller check when its body, or the body of the decorator it
//! names (`fastify.decorate('authenticate', …)` calling
//! `request.jwtVerify()`), verifies a token or session; a library
//! middleware or a name alone counts as in Express. A JSON schema for the
//! body (`schema: { body }`) is validation, by the type provider's
//! library when there is one (zod, TypeBox).

use diligence_model::Confidence;

use crate::express::{body_check, join, middleware_guard, module_of};
use crate::model::Nesting;
use crate::nextjs::{guard_of, validation};
use crate::routes::{Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Fastify";

/// Registration methods and the HTTP method they serve.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("all", "ANY"),
];

/// Hooks that run before the handler and can refuse a request.
const GUARD_HOOKS: &[&str] = &["onRequest", "preHandler", "preValidation", "preParsing"];

/// How deep plugin registrations are followed.
const MAX_DEPTH: usize = 8;

/// Whether a file may hold Fastify code: it imports Fastify or a Fastify
/// plugin, or the target depends on Fastify.
fn fastify_file(model: &SourceModel, file: &FileModel) -> bool {
    file.imports_module("fastify")
        || file.calls.iter().any(|c| {
            c.callee == "require" && c.args.first().and_then(Arg::as_str) == Some("fastify")
        })
        || model.stacks.frameworks.contains(FRAMEWORK)
}

/// One scope that routes and hooks are added to: a file's instance, or a
/// plugin function and the name of its instance parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Scope {
    file: usize,
    /// The plugin function's start, `None` for an instance made at the
    /// top of the file.
    function: Option<u32>,
    var: String,
}

/// Instances a file makes (`const app = fastify()`).
fn instances(file: &FileModel) -> Vec<&str> {
    file.calls
        .iter()
        .filter(|c| {
            matches!(
                c.callee.as_str(),
                "fastify" | "Fastify" | "fastify.default" | "Fastify.fastify"
            ) || (c.callee == "require()"
                && file.calls.iter().any(|r| {
                    // `require('fastify')(…)`: the inner call starts where
                    // the outer one does.
                    r.callee == "require"
                        && r.offset <= c.offset
                        && r.args.first().and_then(Arg::as_str) == Some("fastify")
                }))
        })
        .filter_map(|c| c.bound_to.as_deref())
        .collect()
}

/// The scope a call on `var` is made in: the innermost function around it
/// whose first parameter is `var`, or the file's instance `var`.
fn scope_of(nesting: &Nesting<'_>, index: usize, call: &Call, instances: &[&str]) -> Option<Scope> {
    let var = call.root();
    let plugin = nesting
        .around(call.offset)
        .find(|f| f.params.first().map(String::as_str) == Some(var));
    match plugin {
        Some(f) => Some(Scope {
            file: index,
            function: Some(f.span.0),
            var: var.to_owned(),
        }),
        None => instances.contains(&var).then(|| Scope {
            file: index,
            function: None,
            var: var.to_owned(),
        }),
    }
}

/// The method of a call on an instance (`get` for `app.get`), when its
/// callee is `var.method`.
fn method_of(call: &Call) -> Option<&str> {
    let (_, method) = call.callee.split_once('.')?;
    (!method.contains(['.', '('])).then_some(method)
}

/// A route as registered.
struct Registration<'f> {
    scope: Scope,
    methods: Vec<String>,
    path: String,
    call: &'f Call,
    /// The options object (`{ schema, preHandler }`, or the whole
    /// `route({ … })` argument).
    options: Option<&'f Arg>,
}

/// A plugin registration: the scope it is made in, the plugin's scopes,
/// the prefix, and whether it shares its hooks with the parent.
struct Register {
    parent: Scope,
    children: Vec<Scope>,
    prefix: String,
}

/// Everything read from the target's files.
#[derive(Default)]
struct Graph<'m> {
    registrations: Vec<Registration<'m>>,
    registers: Vec<Register>,
    /// Hook guards, by the scope they are added in.
    hooks: Vec<(Scope, RouteGuard)>,
    /// Every scope seen, in file order.
    scopes: Vec<Scope>,
    /// Scopes whose function is wrapped in `fastify-plugin` (`fp(…)`).
    shared: Vec<Scope>,
}

/// Whether a function is passed to `fastify-plugin`.
fn wrapped(function: &Function) -> bool {
    function.passed_to.as_deref().is_some_and(|p| {
        matches!(
            p,
            "fp" | "fastifyPlugin" | "plugin" | "fastifyPlugin.default"
        )
    })
}

/// The function passed inline to `call`: the first one after it, before
/// the next call `limit`.
fn inline_function<'f>(file: &'f FileModel, call: &Call, limit: u32) -> Option<&'f Function> {
    file.functions
        .iter()
        .filter(|f| {
            f.passed_to.as_deref() == Some(call.callee.as_str())
                && f.span.0 > call.offset
                && f.span.0 < limit
        })
        .min_by_key(|f| f.span.0)
}

/// `inline_function` through a file's nesting index.
fn passed_inline<'f>(nesting: &Nesting<'f>, call: &Call, limit: u32) -> Option<&'f Function> {
    nesting
        .between(call.offset, limit)
        .find(|f| f.passed_to.as_deref() == Some(call.callee.as_str()))
}

/// What a decorator named `name` (`fastify.decorate('authenticate', fn)`)
/// checks, anywhere in the target.
fn decorator_guard(model: &SourceModel, name: &str) -> Option<RouteGuard> {
    for file in &model.files {
        for call in file.calls_named("decorate") {
            if call.args.first().and_then(Arg::as_str) != Some(name) {
                continue;
            }
            let function = match call.args.get(1) {
                Some(Arg::Ident(local)) => file
                    .functions
                    .iter()
                    .find(|f| f.name.as_deref() == Some(local.as_str())),
                _ => inline_function(file, call, u32::MAX),
            };
            let check = function.and_then(|f| body_check(file, f)).or_else(|| {
                let Some(Arg::Call { callee, .. }) = call.args.get(1) else {
                    return None;
                };
                auth_library(callee).then(|| callee.clone())
            });
            if let Some(check) = check {
                return Some(RouteGuard::Caller {
                    check: format!("{name} → {check}"),
                    via: Some(file.path.clone()),
                    confidence: Confidence::High,
                });
            }
        }
    }
    None
}

/// Factories of authentication plugins whose result verifies the caller.
fn auth_library(callee: &str) -> bool {
    callee.ends_with("jwtVerify") || callee.ends_with("passport.authenticate")
}

/// What one hook or `onRequest`/`preHandler` value checks.
fn value_guard(model: &SourceModel, file: &FileModel, value: &Arg) -> Option<RouteGuard> {
    match value {
        Arg::Array(items) => items.iter().find_map(|i| value_guard(model, file, i)),
        // `fastify.auth([fastify.verifyJwt, …])` of `@fastify/auth`.
        Arg::Call { callee, args } if callee.ends_with(".auth") => {
            args.iter().find_map(|a| value_guard(model, file, a))
        }
        Arg::Member(path) => {
            let (_, name) = path.rsplit_once('.')?;
            decorator_guard(model, name)
                .map(|g| match g {
                    RouteGuard::Caller {
                        check,
                        via,
                        confidence,
                    } => RouteGuard::Caller {
                        check: check.replacen(name, path, 1),
                        via: via.filter(|v| *v != file.path),
                        confidence,
                    },
                    g => g,
                })
                .or_else(|| middleware_guard(model, file, value))
        }
        _ => middleware_guard(model, file, value),
    }
}

/// The guard of a hook function passed inline, or named.
fn hook_guard(
    model: &SourceModel,
    file: &FileModel,
    value: &Arg,
    inline: Option<&Function>,
) -> Option<RouteGuard> {
    if let Some(function) = inline {
        if let Some(check) = body_check(file, function) {
            return Some(RouteGuard::Caller {
                check,
                via: None,
                confidence: Confidence::High,
            });
        }
        let calls: Vec<&Call> = file.calls_in(function).collect();
        if let g @ RouteGuard::Caller { .. } = guard_of(model, file, calls.iter().copied()) {
            return Some(g);
        }
        // `async (request) => request.jwtVerify()` reads as a call above;
        // a hook calling a decorator (`fastify.authenticate(request)`);
        // a hook refusing a request without a session user.
        return file
            .calls_in(function)
            .find_map(|c| {
                let (_, name) = c.callee.rsplit_once('.')?;
                decorator_guard(model, name)
            })
            .or_else(|| refusal(file, function));
    }
    value_guard(model, file, value)
}

/// A function that tests for a signed-in user and (presumably) refuses
/// without one: medium confidence, since the branch is not read.
pub(crate) fn refusal(file: &FileModel, function: &Function) -> Option<RouteGuard> {
    file.refuses_without_user(function)
        .map(|path| RouteGuard::Caller {
            check: format!("refuses without {path}"),
            via: None,
            confidence: Confidence::Medium,
        })
}

/// Reads the target's Fastify files.
fn read(model: &SourceModel) -> Graph<'_> {
    let mut graph = Graph::default();
    for (index, file) in model.files.iter().enumerate() {
        if !fastify_file(model, file) {
            continue;
        }
        let instances = instances(file);
        let seen = |graph: &mut Graph<'_>, scope: &Scope| {
            if !graph.scopes.contains(scope) {
                graph.scopes.push(scope.clone());
            }
        };
        for s in &instances {
            seen(
                &mut graph,
                &Scope {
                    file: index,
                    function: None,
                    var: (*s).to_owned(),
                },
            );
        }
        let nesting = Nesting::new(&file.functions);
        // Names a call may be made on: instances and the first parameters
        // of functions (checked before looking for the function itself).
        let firsts: std::collections::BTreeSet<&str> = file
            .functions
            .iter()
            .filter_map(|f| f.params.first().map(String::as_str))
            .chain(instances.iter().copied())
            .collect();
        let mut calls: Vec<(&Call, &str, Scope)> = file
            .calls
            .iter()
            .filter_map(|c| {
                let method = method_of(c)?;
                let known = VERBS.iter().any(|(v, _)| *v == method)
                    || matches!(method, "route" | "register" | "addHook");
                if !known || !firsts.contains(c.root()) {
                    return None;
                }
                Some((c, method, scope_of(&nesting, index, c, &instances)?))
            })
            .collect();
        calls.sort_by_key(|(c, _, _)| c.offset);
        for (i, (call, method, scope)) in calls.iter().enumerate() {
            let next = calls.get(i + 1).map_or(u32::MAX, |(c, _, _)| c.offset);
            match *method {
                "register" => {
                    let children = plugin_scopes(model, file, index, call, next);
                    if children.is_empty() {
                        continue;
                    }
                    seen(&mut graph, scope);
                    let prefix = call
                        .args
                        .get(1)
                        .and_then(|o| o.property("prefix"))
                        .and_then(Arg::as_str)
                        .unwrap_or("")
                        .to_owned();
                    graph.registers.push(Register {
                        parent: scope.clone(),
                        children,
                        prefix,
                    });
                }
                "addHook" => {
                    let hook = call.args.first().and_then(Arg::as_str).unwrap_or("");
                    if !GUARD_HOOKS.contains(&hook) {
                        continue;
                    }
                    seen(&mut graph, scope);
                    let value = call.args.get(1).unwrap_or(&Arg::Other);
                    let inline = passed_inline(&nesting, call, next);
                    if let Some(guard) = hook_guard(model, file, value, inline) {
                        graph.hooks.push((scope.clone(), guard));
                    }
                }
                "route" => {
                    let Some(options) = call.args.first() else {
                        continue;
                    };
                    let url = options
                        .property("url")
                        .or_else(|| options.property("path"))
                        .and_then(Arg::as_str);
                    let methods: Vec<String> = match options.property("method") {
                        Some(Arg::Str(m)) => vec![m.to_ascii_uppercase()],
                        Some(Arg::Array(items)) => items
                            .iter()
                            .filter_map(Arg::as_str)
                            .map(str::to_ascii_uppercase)
                            .collect(),
                        _ => Vec::new(),
                    };
                    let (Some(url), false) = (url, methods.is_empty()) else {
                        continue;
                    };
                    seen(&mut graph, scope);
                    graph.registrations.push(Registration {
                        scope: scope.clone(),
                        methods,
                        path: url.to_owned(),
                        call,
                        options: Some(options),
                    });
                }
                verb => {
                    let Some((_, http)) = VERBS.iter().find(|(v, _)| *v == verb) else {
                        continue;
                    };
                    // `app.get('key')` of a decorated value is no route.
                    let Some(path) = call.args.first().and_then(Arg::as_str) else {
                        continue;
                    };
                    if call.args.len() < 2 && passed_inline(&nesting, call, next).is_none() {
                        continue;
                    }
                    seen(&mut graph, scope);
                    let options = call.args.get(1).filter(|a| matches!(a, Arg::Object(_)));
                    graph.registrations.push(Registration {
                        scope: scope.clone(),
                        methods: vec![(*http).to_owned()],
                        path: path.to_owned(),
                        call,
                        options,
                    });
                }
            }
        }
        for function in file.functions.iter().filter(|f| wrapped(f)) {
            if let Some(var) = function.params.first() {
                graph.shared.push(Scope {
                    file: index,
                    function: Some(function.span.0),
                    var: var.clone(),
                });
            }
        }
    }
    graph
}

/// The scopes of the plugin a `register` call names: a function passed
/// inline, a local function, or the plugins of a module one import away.
fn plugin_scopes(
    model: &SourceModel,
    file: &FileModel,
    index: usize,
    call: &Call,
    next: u32,
) -> Vec<Scope> {
    let scope_of_function = |file: usize, f: &Function| {
        f.params.first().map(|var| Scope {
            file,
            function: Some(f.span.0),
            var: var.clone(),
        })
    };
    if let Some(f) = inline_function(file, call, next) {
        return scope_of_function(index, f).into_iter().collect();
    }
    let (name, specifier) = match call.args.first() {
        Some(Arg::Ident(name)) => (Some(name.as_str()), module_of(file, name)),
        Some(Arg::Call { callee, args }) if callee == "require" || callee == "import" => {
            (None, args.first().and_then(Arg::as_str))
        }
        // `fp(plugin)`.
        Some(Arg::Call { args, .. }) => match args.first() {
            Some(Arg::Ident(name)) => (Some(name.as_str()), module_of(file, name)),
            _ => (None, None),
        },
        _ => (None, None),
    };
    if let Some(name) = name
        && specifier.is_none()
    {
        return file
            .functions
            .iter()
            .filter(|f| f.name.as_deref() == Some(name))
            .filter_map(|f| scope_of_function(index, f))
            .collect();
    }
    let Some(specifier) = specifier else {
        return Vec::new();
    };
    let Some(helper) = resolve::import(model, &file.path, specifier) else {
        return Vec::new();
    };
    let Some(at) = model.files.iter().position(|f| f.path == helper.path) else {
        return Vec::new();
    };
    // The plugin functions of that file: those whose first parameter
    // registers routes, hooks or plugins, outermost ones only.
    let plugins: Vec<&Function> = helper
        .functions
        .iter()
        .filter(|f| {
            let Some(var) = f.params.first() else {
                return false;
            };
            helper.calls_in(f).any(|c| {
                c.root() == var
                    && method_of(c).is_some_and(|m| {
                        VERBS.iter().any(|(v, _)| *v == m)
                            || matches!(m, "route" | "register" | "addHook")
                    })
            })
        })
        .collect();
    plugins
        .iter()
        .filter(|f| {
            !plugins
                .iter()
                .any(|g| g.span.0 < f.span.0 && f.span.1 <= g.span.1)
        })
        .filter_map(|f| scope_of_function(at, f))
        .collect()
}

/// Where a scope sits: its prefix and the guards of the hooks that cover
/// it (its own, its parents', and those of shared plugins registered in
/// them), strongest first.
struct Placement {
    prefix: String,
    guards: Vec<RouteGuard>,
}

fn place(model: &SourceModel, graph: &Graph<'_>, scope: &Scope) -> Placement {
    let mut prefix = String::new();
    let mut guards = Vec::new();
    let mut current = scope.clone();
    let autoload = model
        .files
        .iter()
        .any(|f| f.imports_module("@fastify/autoload"));
    let here = scope.file;
    for _ in 0..MAX_DEPTH {
        guards.extend(
            graph
                .hooks
                .iter()
                .filter(|(s, _)| *s == current)
                .map(|(s, g)| from(model, g, s.file, here)),
        );
        // Hooks of shared plugins registered in this scope.
        for register in graph.registers.iter().filter(|r| r.parent == current) {
            for child in register
                .children
                .iter()
                .filter(|c| graph.shared.contains(c))
            {
                guards.extend(
                    graph
                        .hooks
                        .iter()
                        .filter(|(s, _)| s == child)
                        .map(|(s, g)| from(model, g, s.file, here)),
                );
            }
        }
        let Some(register) = graph
            .registers
            .iter()
            .find(|r| r.children.contains(&current))
        else {
            if autoload && current.function.is_some() {
                let path = &model.files[current.file].path;
                prefix = join(&autoload_prefix(path), &prefix);
                guards.extend(autohooks(model, graph, path, here));
            }
            break;
        };
        prefix = join(&register.prefix, &prefix);
        current = register.parent.clone();
    }
    guards.sort_by_key(|g| match g {
        RouteGuard::Caller { confidence, .. } => std::cmp::Reverse(*confidence),
        _ => std::cmp::Reverse(Confidence::Low),
    });
    Placement { prefix, guards }
}

/// The hooks of the `autohooks` files `@fastify/autoload` applies to a
/// route file: the one in its folder and, with `cascadeHooks`, those of
/// the folders above it up to `routes/`.
fn autohooks(model: &SourceModel, graph: &Graph<'_>, path: &str, here: usize) -> Vec<RouteGuard> {
    let cascade = model
        .files
        .iter()
        .flat_map(|f| f.properties_named("cascadeHooks"))
        .any(|p| p.value == Arg::Bool(true));
    let Some((dir, _)) = path.rsplit_once('/') else {
        return Vec::new();
    };
    let mut dirs = vec![dir];
    if cascade {
        let mut current = dir;
        while let Some((parent, last)) = current.rsplit_once('/') {
            if last == "routes" {
                break;
            }
            dirs.push(parent);
            current = parent;
        }
    }
    graph
        .hooks
        .iter()
        .filter(|(scope, _)| {
            let hooks_path = &model.files[scope.file].path;
            hooks_path
                .rsplit_once('/')
                .is_some_and(|(d, name)| name.starts_with("autohooks.") && dirs.contains(&d))
        })
        .map(|(s, g)| from(model, g, s.file, here))
        .collect()
}

/// A hook's guard as seen from a route in file `here`: the hook's file
/// named when it is another.
fn from(model: &SourceModel, guard: &RouteGuard, hook_file: usize, here: usize) -> RouteGuard {
    match guard {
        RouteGuard::Caller {
            check,
            via: None,
            confidence,
        } if hook_file != here => RouteGuard::Caller {
            check: check.clone(),
            via: Some(model.files[hook_file].path.clone()),
            confidence: *confidence,
        },
        g => g.clone(),
    }
}

/// The prefix `@fastify/autoload` gives a file under a `routes/` folder:
/// its folders below `routes/`.
fn autoload_prefix(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let Some(at) = segments.iter().rposition(|s| *s == "routes") else {
        return String::new();
    };
    let dirs = &segments[at + 1..segments.len() - 1];
    dirs.iter().map(|d| format!("/{d}")).collect()
}

/// The validation a route's options declare: a schema for the body, the
/// query or the parameters.
fn schema_validation(file: &FileModel, options: Option<&Arg>) -> Option<String> {
    let schema = options?.property("schema")?;
    let declares = match schema {
        Arg::Object(_) => ["body", "querystring", "query", "params"]
            .iter()
            .any(|k| schema.property(k).is_some()),
        Arg::Ident(_) | Arg::Member(_) => true,
        _ => false,
    };
    if !declares {
        return None;
    }
    let library = if file.imports_module("zod") {
        "zod (type provider)"
    } else if file.imports_module("typebox") {
        "typebox (type provider)"
    } else {
        "JSON schema"
    };
    Some(library.to_owned())
}

/// Every Fastify route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let graph = read(model);
    let mut out = Vec::new();
    for (i, r) in graph.registrations.iter().enumerate() {
        let file = &model.files[r.scope.file];
        let placement = place(model, &graph, &r.scope);
        let next = graph
            .registrations
            .get(i + 1)
            .filter(|n| n.scope.file == r.scope.file)
            .map_or(u32::MAX, |n| n.call.offset);

        // The handler: a function passed inline, a `handler` in the
        // options, or the last argument by name.
        let named = |name: &str| {
            file.functions
                .iter()
                .find(|f| f.name.as_deref() == Some(name))
        };
        let handler = match r.options.and_then(|o| o.property("handler")) {
            Some(Arg::Ident(name)) => named(name),
            _ => None,
        }
        .or_else(|| {
            file.functions
                .iter()
                .filter(|f| f.span.0 > r.call.offset && f.span.0 < next)
                .filter(|f| {
                    f.passed_to.as_deref() == Some(r.call.callee.as_str())
                        || f.name.as_deref() == Some("handler")
                })
                .min_by_key(|f| f.span.0)
        })
        .or_else(|| match r.call.args.last() {
            Some(Arg::Ident(name)) if r.call.args.len() > 1 => named(name),
            _ => None,
        });

        // Route-level hooks: options values, or functions written inline
        // under those keys.
        let own = r.options.and_then(|options| {
            GUARD_HOOKS.iter().find_map(|hook| {
                let inline = file.functions.iter().find(|f| {
                    f.name.as_deref() == Some(*hook) && f.span.0 > r.call.offset && f.span.0 < next
                });
                match (options.property(hook), inline) {
                    (Some(value), inline) => hook_guard(model, file, value, inline),
                    (None, Some(inline)) => hook_guard(model, file, &Arg::Other, Some(inline)),
                    (None, None) => None,
                }
            })
        });
        let handler_calls: Vec<&Call> = handler
            .map(|h| file.calls_in(h).collect())
            .unwrap_or_default();
        let handler_guard = guard_of(model, file, handler_calls.iter().copied());
        let guard = match (own, placement.guards.first(), handler_guard) {
            (
                _,
                _,
                g @ RouteGuard::Caller {
                    confidence: Confidence::High,
                    ..
                },
            ) => g,
            (Some(g), _, _) => g,
            (None, Some(g), _) => g.clone(),
            (None, None, g) => g,
        };
        let validation = schema_validation(file, r.options)
            .or_else(|| validation(model, file, handler_calls.iter().copied()));
        let path = join(&placement.prefix, &r.path);
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        for method in &r.methods {
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: method.clone(),
                path: path.clone(),
                file: file.path.clone(),
                line: Some(r.call.line),
                class: file.class,
                guard: guard.clone(),
                validation: validation.clone(),
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
    fn autoload_prefixes_follow_folders() {
        assert_eq!(autoload_prefix("src/routes/users/index.ts"), "/users");
        assert_eq!(autoload_prefix("routes/root.js"), "");
        assert_eq!(autoload_prefix("src/app.ts"), "");
    }
}

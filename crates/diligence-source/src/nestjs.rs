//! NestJS: methods of `@Controller('prefix')` classes decorated with
//! `@Get(':id')`, `@Post()` …, under the application's global prefix
//! (`app.setGlobalPrefix('api')`), and the guards that cover them.
//!
//! A route is guarded by `@UseGuards(…)` on its method or its class, or
//! by a global guard (an `APP_GUARD` provider, `app.useGlobalGuards(…)`).
//! A guard is a caller check with high confidence when it is Passport's
//! `AuthGuard('jwt')`, a class extending it, or a class whose
//! `canActivate` verifies a token or session (in the same file or one
//! import away); with low confidence when only its name suggests it. A
//! route marked by a decorator that sets "public" metadata for a global
//! guard to read (`@Public()`, built on `SetMetadata`) is public by
//! design and noted so. A `ValidationPipe` (global, or on the route or its
//! class) with class-validator DTOs, or a zod pipe, is validation.

use diligence_model::Confidence;

use crate::express::auth_name;
use crate::nextjs::{guard_of, is_caller_check};
use crate::routes::{Route, RouteGuard};
use crate::{Arg, Call, Class, FileModel, Function, SourceModel, resolve};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "NestJS";

/// Method decorators and the HTTP method they serve.
const VERBS: &[(&str, &str)] = &[
    ("Get", "GET"),
    ("Post", "POST"),
    ("Put", "PUT"),
    ("Patch", "PATCH"),
    ("Delete", "DELETE"),
    ("Options", "OPTIONS"),
    ("Head", "HEAD"),
    ("All", "ANY"),
];

/// Names of decorators that mark a route public for a global guard.
const PUBLIC_DECORATORS: &[&str] = &[
    "Public",
    "IsPublic",
    "AllowAnonymous",
    "Anonymous",
    "SkipAuth",
    "PublicRoute",
    "NoAuth",
    "Unprotected",
];

/// Guard base classes of authentication libraries.
const LIBRARY_GUARDS: &[&str] = &["AuthGuard", "PassportAuthGuard", "ClerkAuthGuard"];

/// The note a route marked public by decorator carries.
pub const PUBLIC_NOTE: &str = "public by decorator";

/// Whether a call verifies a token in a Nest guard: the shared
/// vocabulary, or `this.jwtService.verify(Async)`.
fn nest_check(call: &Call, file: &FileModel) -> bool {
    is_caller_check(call, file)
        || (matches!(call.method(), "verify" | "verifyAsync")
            && call.callee.to_ascii_lowercase().contains("jwt"))
}

/// A class named `name` in `file` or one import away.
fn find_class<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    name: &str,
) -> Option<(&'m FileModel, &'m Class)> {
    if let Some(class) = file.classes.iter().find(|c| c.name == name) {
        return Some((file, class));
    }
    let import = file
        .imports
        .iter()
        .find(|i| resolve::is_local(&i.specifier) && i.names.iter().any(|n| n == name))?;
    let helper = resolve::import(model, &file.path, &import.specifier)?;
    let class = helper.classes.iter().find(|c| c.name == name)?;
    Some((helper, class))
}

/// What a guard named by a `@UseGuards` argument (or a global guard)
/// checks.
fn guard_of_arg(model: &SourceModel, file: &FileModel, arg: &Arg) -> Option<RouteGuard> {
    let high = |check: String, via: Option<String>| RouteGuard::Caller {
        check,
        via,
        confidence: Confidence::High,
    };
    match arg {
        Arg::Call { callee, args } if LIBRARY_GUARDS.contains(&callee.as_str()) => {
            let strategy = match args.first() {
                Some(Arg::Str(s)) => format!("'{s}'"),
                None => String::new(),
                Some(_) => "…".to_owned(),
            };
            Some(high(format!("{callee}({strategy})"), None))
        }
        Arg::Ident(name) => guard_class(model, file, name),
        _ => None,
    }
}

/// What a guard class checks.
fn guard_class(model: &SourceModel, file: &FileModel, name: &str) -> Option<RouteGuard> {
    if let Some((owner, class)) = find_class(model, file, name) {
        let via = (owner.path != file.path).then(|| owner.path.clone());
        if let Some(base) = class.bases.iter().find(|b| {
            LIBRARY_GUARDS
                .iter()
                .any(|g| b.trim_end_matches("()") == *g)
        }) {
            return Some(RouteGuard::Caller {
                check: format!("{name} extends {}", base.trim_end_matches("()")),
                via,
                confidence: Confidence::High,
            });
        }
        let check = owner
            .functions
            .iter()
            .filter(|f| f.class.as_deref() == Some(class.name.as_str()))
            .flat_map(|f| owner.calls_in(f))
            .find(|c| nest_check(c, owner));
        if let Some(check) = check {
            return Some(RouteGuard::Caller {
                check: format!("{name} → {}", check.callee),
                via,
                confidence: Confidence::High,
            });
        }
    }
    // A guard whose class is not in the target (a library's, or one the
    // imports do not lead to) refuses what it refuses: low confidence.
    let unread = find_class(model, file, name).is_none();
    (unread || auth_name(name)).then(|| RouteGuard::Caller {
        check: if unread {
            format!("{name} (guard not read)")
        } else {
            format!("{name} (by name)")
        },
        via: None,
        confidence: Confidence::Low,
    })
}

/// The guard a decorator of the target's own puts on a method or class:
/// a function (here or one import away) that composes `UseGuards(…)` with
/// `applyDecorators` (`@Auth([Role.User])`).
fn composed_guard(
    model: &SourceModel,
    file: &FileModel,
    decorators: &[String],
) -> Option<RouteGuard> {
    decorators.iter().find_map(|name| {
        if VERBS.iter().any(|(v, _)| v == name)
            || matches!(name.as_str(), "UseGuards" | "Controller" | "UsePipes")
        {
            return None;
        }
        let (owner, function) = match file
            .functions
            .iter()
            .find(|f| f.name.as_deref() == Some(name.as_str()) && f.class.is_none())
        {
            Some(f) => (file, f),
            None => {
                let (helper, function) = crate::nextjs::imported_function(model, file, name)?;
                (helper, function?)
            }
        };
        let guards = owner.calls_in(function).find(|c| c.callee == "UseGuards")?;
        let guard = use_guards(model, owner, &guards.args)?;
        Some(match guard {
            RouteGuard::Caller {
                check,
                via,
                confidence,
            } => RouteGuard::Caller {
                check: format!("@{name} → {check}"),
                via: via.or_else(|| (owner.path != file.path).then(|| owner.path.clone())),
                confidence,
            },
            g => g,
        })
    })
}

/// The strongest guard among `@UseGuards` arguments.
fn use_guards(model: &SourceModel, file: &FileModel, args: &[Arg]) -> Option<RouteGuard> {
    args.iter()
        .filter_map(|a| guard_of_arg(model, file, a))
        .max_by_key(|g| match g {
            RouteGuard::Caller { confidence, .. } => *confidence,
            _ => Confidence::Low,
        })
}

/// The application's global guard, if one is set: an `APP_GUARD`
/// provider or `useGlobalGuards(new X())`.
fn global_guard(model: &SourceModel) -> Option<(RouteGuard, String)> {
    for file in &model.files {
        for call in &file.calls {
            if call.method() == "useGlobalGuards" {
                let made = file
                    .calls
                    .iter()
                    .filter(|c| c.offset > call.offset && c.line <= call.line + 3)
                    .filter_map(|c| c.callee.strip_prefix("new "));
                for name in made {
                    if let Some(guard) = guard_class(model, file, name) {
                        return Some((guard, file.path.clone()));
                    }
                }
                if let Some(guard) = use_guards(model, file, &call.args) {
                    return Some((guard, file.path.clone()));
                }
            }
        }
        for property in file.properties_named("provide") {
            let names_guard = matches!(
                &property.value,
                Arg::Ident(t) | Arg::Member(t) if t.rsplit('.').next() == Some("APP_GUARD")
            );
            if !names_guard {
                continue;
            }
            // The `useClass` beside it in the same object literal.
            let class = file
                .properties
                .iter()
                .filter(|p| p.key == "useClass" && p.offset > property.offset)
                .filter(|p| p.offset < property.offset + 200)
                .find_map(|p| match &p.value {
                    Arg::Ident(name) => Some(name.as_str()),
                    _ => None,
                });
            if let Some(name) = class
                && let Some(guard) = guard_class(model, file, name)
            {
                return Some((guard, file.path.clone()));
            }
        }
    }
    None
}

/// Middleware applied to routes by a module's `configure(consumer)`:
/// `consumer.apply(AuthMiddleware).exclude(…).forRoutes(…)`.
struct Applied {
    guard: RouteGuard,
    targets: Vec<Target>,
    excludes: Vec<Target>,
}

/// What `forRoutes` or `exclude` names.
enum Target {
    /// A path (without the global prefix) and a method (`None` for all).
    Path(String, Option<String>),
    /// Every route of a controller.
    Controller(String),
}

impl Target {
    fn read(arg: &Arg) -> Option<Self> {
        match arg {
            Arg::Str(path) => Some(Self::Path(path.clone(), None)),
            Arg::Ident(name) => Some(Self::Controller(name.clone())),
            Arg::Object(_) => {
                let path = arg.property("path")?.as_str()?.to_owned();
                let method = match arg.property("method") {
                    Some(Arg::Member(m)) => m.rsplit('.').next().map(str::to_owned),
                    _ => None,
                };
                Some(Self::Path(path, method.filter(|m| m != "ALL")))
            }
            _ => None,
        }
    }

    fn covers(&self, controller: &str, path: &str, method: &str) -> bool {
        match self {
            Self::Controller(name) => name == controller,
            Self::Path(pattern, wanted) => {
                wanted.as_deref().is_none_or(|w| w == method) && nest_path_covers(pattern, path)
            }
        }
    }
}

impl Applied {
    fn covers(&self, controller: &str, path: &str, method: &str) -> bool {
        self.targets
            .iter()
            .any(|t| t.covers(controller, path, method))
            && !self
                .excludes
                .iter()
                .any(|t| t.covers(controller, path, method))
    }
}

/// Whether a `forRoutes` path pattern covers a route path (both without
/// the global prefix): `:param` matches any segment, `*` and `(.*)` the
/// rest.
fn nest_path_covers(pattern: &str, path: &str) -> bool {
    let mut wanted = pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    let mut actual = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
    loop {
        match (wanted.next(), actual.next()) {
            (None, None) => return true,
            (Some(w), _) if w == "*" || w.ends_with("(.*)") || w.ends_with('*') => return true,
            (Some(w), Some(a)) if w == a || w.starts_with(':') => {}
            _ => return false,
        }
    }
}

/// What a middleware class (its `use` method) or function checks.
fn middleware_guard(model: &SourceModel, file: &FileModel, name: &str) -> Option<RouteGuard> {
    if let Some((owner, class)) = find_class(model, file, name) {
        let via = (owner.path != file.path).then(|| owner.path.clone());
        let check = owner
            .functions
            .iter()
            .filter(|f| f.class.as_deref() == Some(class.name.as_str()))
            .flat_map(|f| owner.calls_in(f))
            .find(|c| nest_check(c, owner));
        return match check {
            Some(check) => Some(RouteGuard::Caller {
                check: format!("{name} → {}", check.callee),
                via,
                confidence: Confidence::High,
            }),
            None => auth_name(name).then(|| RouteGuard::Caller {
                check: format!("{name} (by name)"),
                via: None,
                confidence: Confidence::Low,
            }),
        };
    }
    crate::express::named_guard(model, file, name)
}

/// Every `consumer.apply(…).forRoutes(…)` of the target whose middleware
/// checks the caller.
fn middleware(model: &SourceModel) -> Vec<Applied> {
    let mut out = Vec::new();
    for file in &model.files {
        for routes in file.calls.iter().filter(|c| c.method() == "forRoutes") {
            let before = |method: &str| {
                file.calls
                    .iter()
                    .filter(|c| c.method() == method && c.offset < routes.offset)
                    .filter(|c| routes.callee.starts_with(&format!("{}(", c.callee)))
                    .max_by_key(|c| c.offset)
            };
            let Some(apply) = before("apply") else {
                continue;
            };
            let Some(guard) = apply.args.iter().find_map(|a| match a {
                Arg::Ident(name) => middleware_guard(model, file, name),
                _ => None,
            }) else {
                continue;
            };
            let excludes = before("exclude")
                .filter(|e| e.offset > apply.offset)
                .map(|e| e.args.iter().filter_map(Target::read).collect())
                .unwrap_or_default();
            out.push(Applied {
                guard,
                targets: routes.args.iter().filter_map(Target::read).collect(),
                excludes,
            });
        }
    }
    out
}

/// The names of custom decorators that set "public" metadata
/// (`export const Public = () => SetMetadata(IS_PUBLIC_KEY, true)`).
fn public_decorators(model: &SourceModel) -> Vec<String> {
    let mut names: Vec<String> = PUBLIC_DECORATORS.iter().map(|n| (*n).to_owned()).collect();
    for file in &model.files {
        for call in file.calls_named("SetMetadata") {
            let key = match call.args.first() {
                Some(Arg::Str(s) | Arg::Ident(s) | Arg::Member(s)) => s.to_ascii_lowercase(),
                _ => continue,
            };
            if ![
                "public",
                "anonymous",
                "skipauth",
                "skip_auth",
                "noauth",
                "no_auth",
            ]
            .iter()
            .any(|w| key.contains(w))
            {
                continue;
            }
            if let Some(name) = file
                .functions
                .iter()
                .filter(|f| f.contains_call(call))
                .find_map(|f| f.name.clone())
                .or_else(|| call.bound_to.clone())
            {
                names.push(name);
            }
        }
    }
    names
}

/// The validation pipe that covers a route: on the method (or a
/// parameter), on its class, or global.
fn pipe(file: &FileModel, class: &Class, function: &Function, global: bool) -> Option<String> {
    let named = |text: &str| {
        if text.contains("Zod") {
            Some("zod (pipe)")
        } else if text.contains("ValidationPipe") {
            Some("class-validator (ValidationPipe)")
        } else {
            None
        }
    };
    let in_args = |args: &[Arg]| {
        args.iter().find_map(|a| match a {
            Arg::Ident(n) | Arg::Call { callee: n, .. } => named(n),
            _ => None,
        })
    };
    // Decorators sit between the previous member and this one.
    let above = file
        .functions
        .iter()
        .filter(|f| f.class == function.class && f.end_line < function.line)
        .map(|f| f.end_line)
        .max()
        .unwrap_or(class.line);
    let local = function
        .decorator("UsePipes")
        .and_then(in_args)
        .or_else(|| class.decorator("UsePipes").and_then(in_args))
        .or_else(|| {
            // `new ValidationPipe()` in a decorator above the method or in
            // a parameter decorator.
            file.calls
                .iter()
                .filter(|c| c.callee.starts_with("new "))
                .filter(|c| {
                    function.contains_call(c) || (c.line > above && c.line <= function.line)
                })
                .find_map(|c| named(&c.callee))
        });
    local
        .map(str::to_owned)
        .or_else(|| global.then(|| "class-validator (ValidationPipe)".to_owned()))
}

/// Whether the application validates globally.
fn global_pipe(model: &SourceModel) -> bool {
    model.files.iter().any(|file| {
        file.calls.iter().any(|call| {
            call.method() == "useGlobalPipes"
                && file
                    .calls
                    .iter()
                    .filter(|c| c.offset > call.offset && c.line <= call.line + 3)
                    .any(|c| c.callee.ends_with("ValidationPipe"))
        }) || file
            .properties_named("provide")
            .any(|p| matches!(&p.value, Arg::Ident(t) if t == "APP_PIPE"))
    })
}

/// The application's global prefix (`app.setGlobalPrefix('api')`).
fn global_prefix(model: &SourceModel) -> String {
    model
        .files
        .iter()
        .flat_map(|f| f.calls_named("setGlobalPrefix"))
        .find_map(|c| c.args.first()?.as_str())
        .unwrap_or("")
        .to_owned()
}

/// The path a `@Controller` or route decorator gives.
fn path_arg(args: &[Arg]) -> String {
    match args.first() {
        Some(Arg::Str(s)) => s.clone(),
        Some(Arg::Array(items)) => items.iter().find_map(Arg::as_str).unwrap_or("").to_owned(),
        Some(o @ Arg::Object(_)) => o
            .property("path")
            .and_then(Arg::as_str)
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    }
}

/// Joins path parts the way Nest does: each without its slashes, empty
/// ones left out.
fn join_all(parts: &[&str]) -> String {
    let kept: Vec<&str> = parts
        .iter()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .collect();
    format!("/{}", kept.join("/"))
}

/// Every NestJS route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let controllers: Vec<(&FileModel, &Class)> = model
        .files
        .iter()
        .flat_map(|f| {
            f.classes
                .iter()
                .filter(|c| c.decorator("Controller").is_some())
                .map(move |c| (f, c))
        })
        .collect();
    if controllers.is_empty() {
        return Vec::new();
    }
    let global = global_guard(model);
    let public = public_decorators(model);
    let validates = global_pipe(model);
    let prefix = global_prefix(model);
    let applied = middleware(model);
    let mut out = Vec::new();
    for (file, class) in controllers {
        let base = path_arg(class.decorator("Controller").unwrap_or(&[]));
        let class_guard = class
            .decorator("UseGuards")
            .and_then(|args| use_guards(model, file, args))
            .or_else(|| composed_guard(model, file, &class.decorators));
        let class_public = public.iter().any(|p| class.decorator(p).is_some());
        for function in file
            .functions
            .iter()
            .filter(|f| f.class.as_deref() == Some(class.name.as_str()))
            .filter(|f| f.line >= class.line && f.end_line <= class.end_line)
        {
            for (decorator, method) in VERBS {
                let Some(args) = function.decorator(decorator) else {
                    continue;
                };
                let path = join_all(&[&prefix, &base, &path_arg(args)]);
                let own = function
                    .decorator("UseGuards")
                    .and_then(|args| use_guards(model, file, args))
                    .or_else(|| composed_guard(model, file, &function.decorators));
                let marked_public =
                    class_public || public.iter().any(|p| function.decorator(p).is_some());
                let mut notes = Vec::new();
                // A service's own `this.users.getUser(id)` is no caller check.
                let calls: Vec<&Call> = file
                    .calls_in(function)
                    .filter(|c| c.root() != "this")
                    .collect();
                let in_handler = guard_of(model, file, calls.iter().copied());
                let relative = join_all(&[&base, &path_arg(args)]);
                let consumer = applied
                    .iter()
                    .find(|a| a.covers(&class.name, &relative, method))
                    .map(|a| a.guard.clone());
                let guard = if let Some(g) = own {
                    g
                } else if let Some(g) = consumer {
                    g
                } else if marked_public {
                    notes.push(PUBLIC_NOTE.to_owned());
                    in_handler
                } else if let Some(g) = class_guard.clone() {
                    g
                } else if let (RouteGuard::None, Some((g, path))) = (&in_handler, &global) {
                    match g {
                        RouteGuard::Caller {
                            check,
                            via,
                            confidence,
                        } => RouteGuard::Caller {
                            check: format!("global {check}"),
                            via: via.clone().or_else(|| Some(path.clone())),
                            confidence: *confidence,
                        },
                        g => g.clone(),
                    }
                } else {
                    in_handler
                };
                out.push(Route {
                    framework: FRAMEWORK.to_owned(),
                    method: (*method).to_owned(),
                    path,
                    file: file.path.clone(),
                    line: Some(function.line),
                    class: file.class,
                    guard,
                    validation: pipe(file, class, function, validates),
                    notes,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_routes_patterns_cover_paths() {
        assert!(nest_path_covers("articles/:slug", "/articles/my-post"));
        assert!(nest_path_covers("/articles", "/articles"));
        assert!(!nest_path_covers("articles", "/articles/my-post"));
        assert!(nest_path_covers("admin/*", "/admin/users/1"));
        assert!(nest_path_covers("(.*)", "/anything"));
        assert!(!nest_path_covers("articles/feed", "/articles/:slug"));
    }

    #[test]
    fn joins_nest_paths() {
        assert_eq!(join_all(&["api", "users", ":id"]), "/api/users/:id");
        assert_eq!(join_all(&["", "/users/", ""]), "/users");
        assert_eq!(join_all(&["", "", ""]), "/");
    }
}

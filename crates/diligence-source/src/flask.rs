//! Flask routes: `@app.route("/x", methods=["POST"])`, the method
//! shortcuts (`@bp.post`), blueprints with their `url_prefix`, and the
//! guards that cover them.
//!
//! A route hangs on an object bound to `Flask()` or `Blueprint()`; a
//! blueprint's path joins its own `url_prefix` and the one given to
//! `register_blueprint` (one import away). Guards: `@login_required`
//! (Flask-Login), `@jwt_required()` (Flask-JWT-Extended),
//! `@auth.login_required` (Flask-HTTPAuth), a decorator of the project
//! whose body verifies a token, a decorator whose name says it requires
//! a role or token (low confidence), and a `before_request` handler of the
//! app or the blueprint whose body verifies a token or refuses the
//! request.

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Function};
use crate::py::{decorator_call, function_named, resolve_name};
use crate::routes::{Route, RouteGuard};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Flask";

/// Route decorators and the method each declares (`route` reads
/// `methods=`, `GET` by default).
const METHODS: &[(&str, &str)] = &[
    ("route", "GET"),
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
];

/// Decorators of auth libraries that require a signed-in caller.
const GUARDS: &[&str] = &[
    "login_required",
    "jwt_required",
    "fresh_jwt_required",
    "roles_required",
    "roles_accepted",
    "permission_required",
    "auth_required",
    "token_auth.login_required",
];

/// Whether a call verifies a token or a session.
fn verifies(call: &Call) -> bool {
    let method = call.method().to_ascii_lowercase();
    call.callee.ends_with("jwt.decode")
        || method.starts_with("verify")
        || method.starts_with("decode_token")
        || method == "verify_jwt_in_request"
        || method == "verify_id_token"
}

/// Whether a call refuses the request (`abort(401)`, a redirect to a login
/// page).
fn refuses(call: &Call) -> bool {
    matches!(call.method(), "abort" | "Unauthorized" | "Forbidden")
        || call.method() == "redirect"
            && call
                .args
                .iter()
                .any(|a| matches!(a, Arg::Str(s) if s.contains("login")))
}

/// An object routes hang on.
struct Mount<'m> {
    file: &'m FileModel,
    var: String,
    prefix: String,
    /// `register_blueprint` prefixes, empty for the app.
    registered: Vec<String>,
    is_app: bool,
}

fn str_keyword(call: &Call, key: &str) -> Option<String> {
    call.keywords.iter().find_map(|(k, a)| match a {
        Arg::Str(s) if k == key => Some(s.clone()),
        _ => None,
    })
}

fn mounts(model: &SourceModel) -> Vec<Mount<'_>> {
    let python = || {
        model
            .files
            .iter()
            .filter(|f| f.language == Language::Python)
    };
    let mut mounts = Vec::new();
    for file in python() {
        for call in &file.calls {
            let is_app = call.method() == "Flask";
            if !is_app && call.method() != "Blueprint" {
                continue;
            }
            let Some(var) = &call.bound_to else { continue };
            mounts.push(Mount {
                file,
                var: var.clone(),
                prefix: str_keyword(call, "url_prefix").unwrap_or_default(),
                registered: Vec::new(),
                is_app,
            });
        }
    }
    for file in python() {
        for call in file
            .calls
            .iter()
            .filter(|c| c.method() == "register_blueprint")
        {
            let name = match call.args.first() {
                Some(Arg::Ident(n) | Arg::Member(n)) => n,
                _ => continue,
            };
            let Some((target, local)) = resolve_name(model, file, name) else {
                continue;
            };
            if let Some(mount) = mounts
                .iter_mut()
                .find(|m| m.file.path == target.path && m.var == local)
            {
                mount
                    .registered
                    .push(str_keyword(call, "url_prefix").unwrap_or_default());
            }
        }
    }
    mounts
}

/// A guard from one decorator of the handler.
fn decorator_guard(model: &SourceModel, file: &FileModel, decorator: &str) -> Option<RouteGuard> {
    let last = decorator.rsplit('.').next().unwrap_or(decorator);
    if GUARDS.contains(&decorator) || GUARDS.contains(&last) {
        return Some(RouteGuard::Caller {
            check: format!("@{decorator}"),
            via: None,
            confidence: Confidence::High,
        });
    }
    // A decorator of the project: read its body.
    if let Some((target, local)) = resolve_name(model, file, decorator)
        && let Some(function) = function_named(target, &local)
    {
        let via = (target.path != file.path).then(|| target.path.clone());
        if let Some(call) = target.calls_in(function).find(|c| verifies(c)) {
            return Some(RouteGuard::Caller {
                check: format!("@{decorator} → {}", call.callee),
                via,
                confidence: Confidence::Medium,
            });
        }
    }
    let named = last.ends_with("_required")
        || last.starts_with("require")
        || last.contains("auth")
        || last.contains("token");
    named.then(|| RouteGuard::Caller {
        check: format!("@{decorator} (by name)"),
        via: None,
        confidence: Confidence::Low,
    })
}

/// The `before_request` guard of a mount, if its handler checks the
/// caller.
fn before_request(file: &FileModel, var: &str) -> Option<RouteGuard> {
    let hook = format!("{var}.before_request");
    let handlers = file.functions.iter().filter(|f| {
        f.decorators.contains(&hook)
            || file.calls.iter().any(|c| {
                c.callee == hook
                    && matches!(c.args.first(), Some(Arg::Ident(n)) if Some(n.as_str()) == f.name.as_deref())
            })
    });
    for handler in handlers {
        let name = handler.name.as_deref().unwrap_or("?");
        if let Some(call) = file.calls_in(handler).find(|c| verifies(c)) {
            return Some(RouteGuard::Caller {
                check: format!("{hook} {name} → {}", call.callee),
                via: None,
                confidence: Confidence::High,
            });
        }
        if let Some(call) = file.calls_in(handler).find(|c| refuses(c)) {
            return Some(RouteGuard::Caller {
                check: format!("{hook} {name} → {}", call.callee),
                via: None,
                confidence: Confidence::Medium,
            });
        }
    }
    None
}

fn join(prefix: &str, path: &str) -> String {
    let joined = format!("{}{}", prefix.trim_end_matches('/'), path);
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// Every Flask route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let mounts = mounts(model);
    // `before_request` on an app covers its blueprints too.
    let app_guard = mounts
        .iter()
        .filter(|m| m.is_app)
        .find_map(|m| before_request(m.file, &m.var).map(|g| (g, m.file.path.clone())));
    let mut routes = Vec::new();
    for mount in &mounts {
        let file = mount.file;
        let own_hook = before_request(file, &mount.var);
        for function in &file.functions {
            for decorator in &function.decorators {
                let Some((var, method)) = decorator.rsplit_once('.') else {
                    continue;
                };
                if var != mount.var {
                    continue;
                }
                let Some((_, default)) = METHODS.iter().find(|(m, _)| *m == method) else {
                    continue;
                };
                let Some(call) = decorator_call(file, function, decorator) else {
                    continue;
                };
                let hook = own_hook.clone().or_else(|| {
                    app_guard.as_ref().map(|(g, path)| match g {
                        RouteGuard::Caller {
                            check, confidence, ..
                        } if *path != file.path => RouteGuard::Caller {
                            check: check.clone(),
                            via: Some(path.clone()),
                            confidence: *confidence,
                        },
                        other => other.clone(),
                    })
                });
                routes.extend(routes_of(model, mount, function, call, default, hook));
            }
        }
    }
    routes
}

fn routes_of(
    model: &SourceModel,
    mount: &Mount<'_>,
    function: &Function,
    call: &Call,
    default: &str,
    hook: Option<RouteGuard>,
) -> Vec<Route> {
    let file = mount.file;
    let path = match call.args.first() {
        Some(Arg::Str(path)) => path.clone(),
        _ => str_keyword(call, "rule").unwrap_or_else(|| "?".to_owned()),
    };
    let methods: Vec<String> = match file.python.arg_values(call, "methods") {
        Some(v) if !v.strings.is_empty() => {
            v.strings.iter().map(|s| s.to_ascii_uppercase()).collect()
        }
        _ => vec![default.to_owned()],
    };
    let guard = function
        .decorators
        .iter()
        .filter_map(|d| decorator_guard(model, file, d))
        .max_by_key(|g| match g {
            RouteGuard::Caller { confidence, .. } => Some(*confidence),
            _ => None,
        })
        .or(hook)
        .unwrap_or(RouteGuard::None);
    let prefixes = if mount.registered.is_empty() {
        vec![String::new()]
    } else {
        mount.registered.clone()
    };
    let mut out = Vec::new();
    for registered in &prefixes {
        // `register_blueprint(url_prefix=...)` replaces the blueprint's own.
        let prefix = if registered.is_empty() {
            mount.prefix.as_str()
        } else {
            registered.as_str()
        };
        for method in &methods {
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: method.clone(),
                path: join(prefix, &path),
                file: file.path.clone(),
                line: Some(function.line),
                class: file.class,
                guard: guard.clone(),
                validation: None,
                notes: Vec::new(),
            });
        }
    }
    out
}

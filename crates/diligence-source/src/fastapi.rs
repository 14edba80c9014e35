//! FastAPI routes: `@app.get("/x")` and `APIRouter` routes, with router
//! prefixes and the dependencies that guard them.
//!
//! A route is found by its decorator on an object bound to `FastAPI()` or
//! `APIRouter()`. Its path joins the router's `prefix` and the `prefix` of
//! the `include_router` call that mounts it (one import away at most).
//! Its guard is the first auth dependency found, in order, on the route's
//! parameters (`user = Depends(get_current_user)`), its decorator's
//! `dependencies=[...]`, its router's, the `include_router` call's and the
//! app's. A dependency counts when its function (one import away) decodes
//! or verifies a token or raises a 401/403, or depends on one that does;
//! a known auth name alone (`get_current_user`, `require_*`, an
//! `OAuth2PasswordBearer` scheme) counts with low confidence.

use std::collections::BTreeSet;

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Function};
use crate::py::{decorator_call, function_named, resolve_name};
use crate::routes::{Route, RouteGuard};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "FastAPI";

/// Decorator methods and the HTTP method each declares.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("api_route", "ANY"),
    ("websocket", "WEBSOCKET"),
];

/// Names of dependencies that check the caller, recognised by name alone
/// (exact, or as a prefix when they end with `_`).
const AUTH_NAMES: &[&str] = &[
    "get_current_user",
    "get_current_active_user",
    "get_current_active_superuser",
    "current_user",
    "current_active_user",
    "verify_token",
    "verify_jwt",
    "require_",
    "get_user_from_token",
    "authenticate",
];

/// Security schemes: they refuse a request without credentials but do not
/// verify them.
const SCHEMES: &[&str] = &[
    "OAuth2PasswordBearer",
    "OAuth2AuthorizationCodeBearer",
    "HTTPBearer",
    "HTTPBasic",
    "APIKeyHeader",
    "APIKeyCookie",
    "APIKeyQuery",
];

/// Whether a call in a dependency's body checks a token or refuses the
/// caller.
fn verifies(call: &Call) -> bool {
    let method = call.method().to_ascii_lowercase();
    let callee = call.callee.to_ascii_lowercase();
    let refuses = call.method() == "HTTPException"
        && call
            .args
            .iter()
            .chain(call.keywords.iter().map(|(_, a)| a))
            .any(|a| {
                matches!(a, Arg::Member(m) if m.contains("401") || m.contains("403")
                || m.contains("UNAUTHORIZED") || m.contains("FORBIDDEN"))
            });
    refuses
        || callee == "jwt.decode"
        || callee.ends_with("jwt.decode")
        || method.starts_with("verify")
        || method.starts_with("decode_token")
        || method.starts_with("decode_access_token")
        || method == "verify_id_token"
        || method == "get_user" && callee.contains("auth")
}

fn auth_name(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    AUTH_NAMES.iter().any(|known| {
        if known.ends_with('_') {
            last.starts_with(known)
        } else {
            last == *known
        }
    })
}

/// The functions named in `Depends(f)` / `Security(f)` in a text or a
/// list of names (where a callee comes before its arguments).
fn dependencies_in_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["Depends(", "Security("] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

fn dependencies_in_names(names: &[String]) -> Vec<String> {
    names
        .windows(2)
        .filter(|w| matches!(w[0].as_str(), "Depends" | "Security" | "fastapi.Depends"))
        .map(|w| w[1].clone())
        .collect()
}

/// How far a dependency was seen to check the caller.
struct Verdict {
    check: String,
    via: Option<String>,
    confidence: Confidence,
}

/// Whether dependency `name`, used in `file`, checks the caller.
fn judge(model: &SourceModel, file: &FileModel, name: &str, depth: u8) -> Option<Verdict> {
    let resolved = resolve_name(model, file, name);
    if let Some((target, local)) = &resolved {
        // A scheme instance: `oauth2_scheme = OAuth2PasswordBearer(...)`.
        let scheme = target.calls.iter().any(|c| {
            c.bound_to.as_deref() == Some(local.as_str()) && SCHEMES.contains(&c.method())
        });
        if scheme {
            return Some(Verdict {
                check: format!("Depends({name}) (token required, not verified)"),
                via: (target.path != file.path).then(|| target.path.clone()),
                confidence: Confidence::Low,
            });
        }
        if let Some(function) = function_named(target, local) {
            let via = (target.path != file.path).then(|| target.path.clone());
            if let Some(call) = target.calls_in(function).find(|c| verifies(c)) {
                let confidence = if depth == 0 {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                return Some(Verdict {
                    check: format!("Depends({name}) → {}", call.callee),
                    via,
                    confidence,
                });
            }
            if depth == 0 {
                // One more hop: a dependency that depends on a checking one.
                let inner = target
                    .python
                    .params_of(function)
                    .flat_map(|p| {
                        let text = format!(
                            "{} {}",
                            p.annotation.as_deref().unwrap_or(""),
                            p.default.as_deref().unwrap_or("")
                        );
                        dependencies_in_text(&text)
                    })
                    .collect::<Vec<_>>();
                for dependency in inner {
                    if let Some(verdict) = judge(model, target, &dependency, depth + 1)
                        && verdict.confidence > Confidence::Low
                    {
                        return Some(Verdict {
                            check: format!("Depends({name}) → {}", verdict.check),
                            via: via.or(verdict.via),
                            confidence: Confidence::Medium,
                        });
                    }
                }
            }
        }
    }
    auth_name(name).then(|| Verdict {
        check: format!("Depends({name}) (by name)"),
        via: None,
        confidence: Confidence::Low,
    })
}

/// The best verdict among the dependencies that parameters take through
/// a type alias (`CurrentUser = Annotated[User, Depends(get_current_user)]`
/// in a shared module, then `current_user: CurrentUser`): the dependency is
/// judged in the alias's module, where its name resolves.
fn alias_verdict(model: &SourceModel, file: &FileModel, function: &Function) -> Option<Verdict> {
    file.python
        .params_of(function)
        .filter_map(|p| alias_name(p.annotation.as_deref()?))
        .filter_map(|name| {
            let (target, local) = resolve_name(model, file, name)?;
            let alias = target
                .python
                .assignments
                .iter()
                .find(|a| !a.in_function && a.class.is_none() && a.target == local)?;
            let dependencies = dependencies_in_names(&alias.names);
            let mut verdict = best(model, target, &dependencies, None)?;
            if target.path != file.path {
                verdict.via = verdict.via.or_else(|| Some(target.path.clone()));
            }
            Some(verdict)
        })
        .max_by_key(|v| v.confidence)
}

/// The alias an annotation names: a bare (or dotted) name, possibly
/// optional (`CurrentUser`, `deps.CurrentUser`, `CurrentUser | None`).
fn alias_name(annotation: &str) -> Option<&str> {
    let name = annotation.split('|').next()?.trim();
    let name = name
        .strip_prefix("Optional[")
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name)
        .trim();
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
    .then_some(name)
}

/// The best verdict among dependencies.
fn best(
    model: &SourceModel,
    file: &FileModel,
    names: &[String],
    hop: Option<&str>,
) -> Option<Verdict> {
    names
        .iter()
        .filter_map(|n| judge(model, file, n, 0))
        .map(|mut v| {
            if let Some(hop) = hop {
                // Mounted from another file: one hop away from the route.
                v.confidence = v.confidence.min(Confidence::Medium);
                v.via = v.via.or_else(|| Some(hop.to_owned()));
            }
            v
        })
        .max_by_key(|v| v.confidence)
}

/// An object routes hang on: the app or a router.
struct Mount<'m> {
    file: &'m FileModel,
    var: String,
    prefix: String,
    dependencies: Vec<String>,
    /// `include_router` calls that mount it: (file, prefix, dependencies).
    included: Vec<(&'m FileModel, String, Vec<String>)>,
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
    let mut mounts: Vec<Mount<'_>> = Vec::new();
    for file in python() {
        for call in &file.calls {
            if !matches!(call.method(), "FastAPI" | "APIRouter") {
                continue;
            }
            let Some(var) = &call.bound_to else { continue };
            let dependencies = file
                .python
                .arg_values(call, "dependencies")
                .map(|v| dependencies_in_names(&v.names))
                .unwrap_or_default();
            mounts.push(Mount {
                file,
                var: var.clone(),
                prefix: str_keyword(call, "prefix").unwrap_or_default(),
                dependencies,
                included: Vec::new(),
            });
        }
    }
    for file in python() {
        for call in file.calls.iter().filter(|c| c.method() == "include_router") {
            let name = match call.args.first() {
                Some(Arg::Ident(n) | Arg::Member(n)) => n,
                _ => continue,
            };
            let Some((target, local)) = resolve_name(model, file, name) else {
                continue;
            };
            let dependencies = file
                .python
                .arg_values(call, "dependencies")
                .map(|v| dependencies_in_names(&v.names))
                .unwrap_or_default();
            if let Some(mount) = mounts
                .iter_mut()
                .find(|m| m.file.path == target.path && m.var == local)
            {
                mount.included.push((
                    file,
                    str_keyword(call, "prefix").unwrap_or_default(),
                    dependencies,
                ));
            }
        }
    }
    mounts
}

/// Names of the target's pydantic models: classes deriving from
/// `BaseModel` or `SQLModel`, or from one of the target's classes that
/// does.
fn pydantic_models(model: &SourceModel) -> BTreeSet<&str> {
    let classes = || model.files.iter().flat_map(|f| &f.classes);
    let direct: BTreeSet<&str> = classes()
        .filter(|c| {
            c.bases
                .iter()
                .any(|b| b.ends_with("BaseModel") || b.ends_with("SQLModel"))
        })
        .map(|c| c.name.as_str())
        .collect();
    let mut all = direct.clone();
    all.extend(
        classes()
            .filter(|c| c.bases.iter().any(|b| direct.contains(b.as_str())))
            .map(|c| c.name.as_str()),
    );
    all
}

/// Whether a parameter's annotation names one of `models`.
fn pydantic(models: &BTreeSet<&str>, annotation: &str) -> bool {
    let name = annotation
        .trim()
        .trim_start_matches("Annotated[")
        .split([',', '[', ']', '|', ' '])
        .next()
        .unwrap_or("");
    let name = name.rsplit('.').next().unwrap_or(name);
    models.contains(name)
}

/// Every FastAPI route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let mounts = mounts(model);
    let models = pydantic_models(model);
    let mut routes = Vec::new();
    for mount in &mounts {
        let file = mount.file;
        for function in &file.functions {
            for decorator in &function.decorators {
                let Some((var, method)) = decorator.rsplit_once('.') else {
                    continue;
                };
                if var != mount.var {
                    continue;
                }
                let Some((_, http)) = METHODS.iter().find(|(m, _)| *m == method) else {
                    continue;
                };
                let Some(call) = decorator_call(file, function, decorator) else {
                    continue;
                };
                routes.extend(routes_of(model, &models, mount, function, call, http));
            }
        }
    }
    routes
}

fn join(prefix: &str, path: &str) -> String {
    let joined = format!("{}{}", prefix.trim_end_matches('/'), path);
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

fn routes_of(
    model: &SourceModel,
    models: &BTreeSet<&str>,
    mount: &Mount<'_>,
    function: &Function,
    call: &Call,
    http: &str,
) -> Vec<Route> {
    let file = mount.file;
    let path = match call.args.first() {
        Some(Arg::Str(path)) => path.clone(),
        _ => str_keyword(call, "path").unwrap_or_else(|| "?".to_owned()),
    };
    let methods: Vec<String> = if http == "ANY" {
        match file.python.arg_values(call, "methods") {
            Some(v) if !v.strings.is_empty() => {
                v.strings.iter().map(|s| s.to_ascii_uppercase()).collect()
            }
            _ => vec!["ANY".to_owned()],
        }
    } else {
        vec![http.to_owned()]
    };

    // Guards nearest first: parameters, decorator, router, mount, app.
    let param_deps: Vec<String> = file
        .python
        .params_of(function)
        .flat_map(|p| {
            let text = format!(
                "{} {}",
                p.annotation.as_deref().unwrap_or(""),
                p.default.as_deref().unwrap_or("")
            );
            dependencies_in_text(&text)
        })
        .collect();
    let decorator_deps = file
        .python
        .arg_values(call, "dependencies")
        .map(|v| dependencies_in_names(&v.names))
        .unwrap_or_default();
    let mut verdict = best(model, file, &param_deps, None)
        .or_else(|| alias_verdict(model, file, function))
        .or_else(|| best(model, file, &decorator_deps, None))
        .or_else(|| best(model, file, &mount.dependencies, None));
    let mut prefixes = vec![String::new()];
    if !mount.included.is_empty() {
        prefixes = mount.included.iter().map(|(_, p, _)| p.clone()).collect();
        if verdict.is_none() {
            verdict = mount
                .included
                .iter()
                .filter_map(|(by, _, deps)| {
                    let hop = (by.path != file.path).then_some(by.path.as_str());
                    best(model, by, deps, hop)
                })
                .min_by_key(|v| v.confidence);
            // Every mount must guard it; an unguarded mount leaves it open.
            if mount.included.iter().any(|(by, _, deps)| {
                let hop = (by.path != file.path).then_some(by.path.as_str());
                best(model, by, deps, hop).is_none()
            }) {
                verdict = None;
            }
        }
    }
    let guard = match verdict {
        Some(v) => RouteGuard::Caller {
            check: v.check,
            via: v.via,
            confidence: v.confidence,
        },
        None => RouteGuard::None,
    };
    let validation = file
        .python
        .params_of(function)
        .any(|p| p.annotation.as_deref().is_some_and(|a| pydantic(models, a)))
        .then(|| "pydantic".to_owned());
    let mut out = Vec::new();
    for prefix in &prefixes {
        let full = join(&join(prefix, &mount.prefix), &path);
        for method in &methods {
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: method.clone(),
                path: full.clone(),
                file: file.path.clone(),
                line: Some(function.line),
                class: file.class,
                guard: guard.clone(),
                validation: validation.clone(),
                notes: Vec::new(),
            });
        }
    }
    out
}

//! Rocket: handlers routed by attribute (`#[get("/p")]`,
//! `#[post("/p", data = "<x>")]`) and mounted with
//! `.mount("/base", routes![a, b])`.
//!
//! A handler's request guards are its parameters whose type implements
//! `FromRequest`: judged as axum extractors are (see the shared Rust web module),
//! high confidence when the implementation reads a credential and
//! refuses (`Outcome::Error((Status::Unauthorized, …))`), low when only
//! the type's name suggests it. A handler never mounted is still listed,
//! with its attribute's path and a note. Rocket files are those that
//! import `rocket` or, in a target whose manifest names Rocket, any file
//! with a route attribute that does not import actix-web (Rocket's
//! `#[macro_use] extern crate rocket` makes imports optional).

use crate::model::{Arg, Call, FileModel, Function};
use crate::routes::{Route, RouteGuard};
use crate::rust_web::{self, Verdict};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Rocket";

/// Request-guard traits.
const GUARD_TRAITS: &[&str] = &["FromRequest"];

/// Route attributes and their method.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
];

fn is_rocket(model: &SourceModel, file: &FileModel) -> bool {
    if file.language != Language::Rust {
        return false;
    }
    let imports = |prefix: &str| file.imports.iter().any(|i| i.specifier.starts_with(prefix));
    imports("rocket") || model.stacks.frameworks.contains(FRAMEWORK) && !imports("actix_web")
}

/// The method, path and attribute call of a route attribute.
fn attribute_route<'f>(
    file: &'f FileModel,
    function: &'f Function,
) -> Option<(String, String, &'f Call)> {
    file.calls_in(function).find_map(|call| {
        if !function.decorators.contains(&call.callee) {
            return None;
        }
        let last = call.callee.rsplit("::").next().unwrap_or(&call.callee);
        let (_, http) = METHODS.iter().find(|(m, _)| *m == last)?;
        let path = call.args.first().and_then(Arg::as_str)?;
        Some(((*http).to_owned(), path.to_owned(), call))
    })
}

fn join(base: &str, path: &str) -> String {
    if base.is_empty() || base == "/" {
        return path.to_owned();
    }
    if path == "/" {
        return base.to_owned();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// Every Rocket route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let validated = rust_web::validated_types(model);
    let files: Vec<&FileModel> = model.files.iter().filter(|f| is_rocket(model, f)).collect();
    // `.mount("/base", routes![a, b])`: (file, base, handler path).
    let mut mounts: Vec<(&FileModel, String, String)> = Vec::new();
    for file in &files {
        for call in file.calls.iter().filter(|c| c.method() == "mount") {
            let Some(base) = call.args.first().and_then(Arg::as_str) else {
                continue;
            };
            let Some(Arg::Call { callee, args }) = call.args.get(1) else {
                continue;
            };
            if !callee.ends_with("routes!") {
                continue;
            }
            for arg in args {
                if let Arg::Ident(name) | Arg::Member(name) = arg {
                    mounts.push((file, base.to_owned(), name.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    for file in &files {
        for function in file.functions.iter().filter(|f| f.name.is_some()) {
            let Some((method, path, _)) = attribute_route(file, function) else {
                continue;
            };
            let name = function.name.as_deref().unwrap_or("");
            let bases: Vec<&str> = mounts
                .iter()
                .filter(|(by, _, handler)| {
                    handler.rsplit("::").next() == Some(name)
                        && rust_web::resolve_function(model, by, handler)
                            .is_some_and(|(_, h)| h.span == function.span)
                })
                .map(|(_, base, _)| base.as_str())
                .collect();
            let guard = rust_web::extractor_guard(model, file, function, GUARD_TRAITS);
            let validation = rust_web::validation(file, function, &validated);
            let make = |full: String, notes: Vec<String>| Route {
                framework: FRAMEWORK.to_owned(),
                method: method.clone(),
                path: full,
                file: file.path.clone(),
                line: Some(function.line),
                class: rust_web::class_at(file, function.line),
                guard: to_guard(guard.clone()),
                validation: validation.clone(),
                notes,
            };
            if bases.is_empty() {
                out.push(make(path.clone(), vec!["not mounted".to_owned()]));
            }
            for base in bases {
                out.push(make(join(base, &path), Vec::new()));
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

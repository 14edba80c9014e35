//! Django and Django REST framework routes, read from `urls.py`.
//!
//! Every `path()`, `re_path()` and `url()` in a file that assigns
//! `urlpatterns` is a route; `include("app.urls")` mounts another app's
//! patterns under its prefix (followed a few levels, cycles cut), and
//! `include(router.urls)` mounts the viewsets registered on a DRF router.
//! A view named by the pattern is found one import away (`views.index`,
//! `ItemView.as_view()`).
//!
//! Guards: `@login_required`, `@permission_required`,
//! `@user_passes_test`, `@staff_member_required`; the mixins
//! `LoginRequiredMixin`, `PermissionRequiredMixin`, `UserPassesTestMixin`;
//! `method_decorator(login_required)` on a class; and for DRF views the
//! `permission_classes` of the view (or of its base class in the project),
//! of `@permission_classes([...])`, or else the
//! `REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]` of the settings, whose
//! absence means DRF's own default, `AllowAny`. `AllowAny` is no guard.

use diligence_model::{Confidence, Evidence, Finding, Location, RuleId, Severity};

use crate::model::{Arg, Call, Class, FileModel, Function};
use crate::py::{function_named, resolve_module, resolve_name};
use crate::routes::{Route, RouteGuard};
use crate::{Language, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Django";

/// Decorators that require a signed-in (or permitted) user.
const DECORATORS: &[&str] = &[
    "login_required",
    "permission_required",
    "user_passes_test",
    "staff_member_required",
    "superuser_required",
];

/// Class-based view mixins that require a signed-in (or permitted) user.
const MIXINS: &[&str] = &[
    "LoginRequiredMixin",
    "PermissionRequiredMixin",
    "UserPassesTestMixin",
];

/// DRF permission classes that do not check the caller.
const OPEN: &[&str] = &["AllowAny"];

/// DRF base classes: a view deriving from one is a DRF view.
const DRF_BASES: &[&str] = &[
    "APIView",
    "GenericAPIView",
    "ViewSet",
    "GenericViewSet",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "ListAPIView",
    "CreateAPIView",
    "RetrieveAPIView",
    "UpdateAPIView",
    "DestroyAPIView",
    "ListCreateAPIView",
    "RetrieveUpdateAPIView",
    "RetrieveDestroyAPIView",
    "RetrieveUpdateDestroyAPIView",
];

/// HTTP methods a class-based view may define.
const HTTP: &[&str] = &["get", "post", "put", "patch", "delete"];

fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The global DRF default permission classes: the settings file and the
/// class names, or `None` when no settings set them.
fn drf_default(model: &SourceModel) -> Option<(String, Vec<String>, u32)> {
    model
        .files
        .iter()
        .filter(|f| f.language == Language::Python)
        .find_map(|f| {
            f.python.assignments.iter().find_map(|a| {
                if a.target != "REST_FRAMEWORK" || a.in_function {
                    return None;
                }
                a.entries
                    .iter()
                    .find(|(k, _)| k == "DEFAULT_PERMISSION_CLASSES")
                    .map(|(_, names)| (f.path.clone(), names.clone(), a.line))
            })
        })
}

/// A guard from DRF permission class names.
fn from_permissions(names: &[String], via: Option<String>) -> (RouteGuard, Vec<String>) {
    let names: Vec<&str> = names.iter().map(|n| last(n)).collect();
    if names.is_empty() || names.iter().all(|n| OPEN.contains(n)) {
        return (RouteGuard::None, vec!["permission AllowAny".to_owned()]);
    }
    let known = names.iter().any(|n| {
        matches!(
            *n,
            "IsAuthenticated"
                | "IsAdminUser"
                | "IsAuthenticatedOrReadOnly"
                | "DjangoModelPermissions"
        )
    });
    let mut notes = Vec::new();
    if names.contains(&"IsAuthenticatedOrReadOnly") {
        notes.push("reads are public (IsAuthenticatedOrReadOnly)".to_owned());
    }
    (
        RouteGuard::Caller {
            check: format!("permission_classes {}", names.join(", ")),
            via,
            // A custom permission class is trusted by name: its body is
            // not read.
            confidence: if known {
                Confidence::High
            } else {
                Confidence::Medium
            },
        },
        notes,
    )
}

/// The DRF guard of a view whose own permissions are not set.
fn drf_fallback(model: &SourceModel) -> (RouteGuard, Vec<String>) {
    match drf_default(model) {
        Some((path, names, _)) => {
            let (guard, mut notes) = from_permissions(&names, Some(path));
            if matches!(guard, RouteGuard::None) {
                notes = vec!["DEFAULT_PERMISSION_CLASSES is AllowAny".to_owned()];
            }
            (guard, notes)
        }
        None => (
            RouteGuard::None,
            vec!["no DEFAULT_PERMISSION_CLASSES: DRF allows any caller".to_owned()],
        ),
    }
}

/// What a view resolved to.
enum View<'m> {
    Function(&'m FileModel, &'m Function),
    Class(&'m FileModel, &'m Class),
}

/// The routes of one view at `path`.
fn view_routes(model: &SourceModel, view: &View<'_>, path: &str, viewset: bool) -> Vec<Route> {
    match view {
        View::Function(file, function) => function_routes(model, file, function, path),
        View::Class(file, class) => class_routes(model, file, class, path, viewset),
    }
}

fn route(file: &FileModel, line: u32, method: &str, path: &str) -> Route {
    Route {
        framework: FRAMEWORK.to_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
        file: file.path.clone(),
        line: Some(line),
        class: file.class,
        guard: RouteGuard::None,
        validation: None,
        notes: Vec::new(),
    }
}

/// The decorator call of `function` named `name` (its last part).
fn decorator<'f>(file: &'f FileModel, function: &Function, name: &str) -> Option<&'f Call> {
    let path = function.decorators.iter().find(|d| last(d) == name)?;
    crate::py::decorator_call(file, function, path)
}

fn function_routes(
    model: &SourceModel,
    file: &FileModel,
    function: &Function,
    path: &str,
) -> Vec<Route> {
    let mut route = route(file, function.line, "ANY", path);
    let has = |name: &str| function.decorators.iter().any(|d| last(d) == name);
    // Methods.
    if has("require_POST") {
        route.method = "POST".to_owned();
    } else if has("require_GET") || has("require_safe") {
        route.method = "GET".to_owned();
    }
    let methods = decorator(file, function, "require_http_methods")
        .or_else(|| decorator(file, function, "api_view"))
        .and_then(|call| file.python.arg_values(call, "0"))
        .map(|v| v.strings.clone())
        .unwrap_or_default();
    let drf = has("api_view");
    // Guard.
    if let Some(d) = function
        .decorators
        .iter()
        .find(|d| DECORATORS.contains(&last(d)))
    {
        route.guard = RouteGuard::Caller {
            check: format!("@{}", last(d)),
            via: None,
            confidence: Confidence::High,
        };
    } else if drf {
        let (guard, notes) = match decorator(file, function, "permission_classes")
            .and_then(|call| file.python.arg_values(call, "0"))
        {
            Some(v) => from_permissions(&v.names, None),
            None => drf_fallback(model),
        };
        route.guard = guard;
        route.notes.extend(notes);
    }
    if has("csrf_exempt") {
        route.notes.push("csrf_exempt".to_owned());
    }
    if methods.is_empty() {
        vec![route]
    } else {
        methods
            .iter()
            .map(|m| {
                let mut r = route.clone();
                r.method = m.to_ascii_uppercase();
                r
            })
            .collect()
    }
}

fn class_routes(
    model: &SourceModel,
    file: &FileModel,
    class: &Class,
    path: &str,
    viewset: bool,
) -> Vec<Route> {
    let base_names: Vec<&str> = class.bases.iter().map(|b| last(b)).collect();
    // A base class of the project, one level up.
    let parent = class.bases.iter().find_map(|b| {
        let (f, name) = resolve_name(model, file, b)?;
        f.classes.iter().find(|c| c.name == name).map(|c| (f, c))
    });
    let inherited = |pred: &dyn Fn(&str) -> bool| {
        base_names.iter().any(|b| pred(b))
            || parent.is_some_and(|(_, c)| c.bases.iter().any(|b| pred(last(b))))
    };
    let drf = inherited(&|b: &str| DRF_BASES.contains(&b) || b.ends_with("ViewSet"));
    let is_viewset = viewset || inherited(&|b: &str| b.ends_with("ViewSet"));
    let attribute = |f: &FileModel, c: &Class, name: &str| {
        f.python
            .assignments
            .iter()
            .find(|a| a.target == name && a.class.as_deref() == Some(c.name.as_str()))
            .map(|a| a.names.clone())
    };
    let mut notes = Vec::new();
    let guard = if let Some(mixin) = base_names.iter().find(|b| MIXINS.contains(b)) {
        RouteGuard::Caller {
            check: (*mixin).to_owned(),
            via: None,
            confidence: Confidence::High,
        }
    } else if let Some(call) = file.calls.iter().find(|c| {
        c.method() == "method_decorator"
            && c.line + 3 >= class.line
            && c.line <= class.end_line
            && c.args.iter().any(
                |a| matches!(a, Arg::Ident(n) | Arg::Member(n) if DECORATORS.contains(&last(n))),
            )
    }) {
        RouteGuard::Caller {
            check: format!("method_decorator at line {}", call.line),
            via: None,
            confidence: Confidence::Medium,
        }
    } else if drf {
        let own = attribute(file, class, "permission_classes");
        let from_parent = parent.and_then(|(f, c)| attribute(f, c, "permission_classes"));
        let (guard, more) = match (own, from_parent) {
            (Some(names), _) => from_permissions(&names, None),
            (None, Some(names)) => from_permissions(&names, parent.map(|(f, _)| f.path.clone())),
            (None, None) => drf_fallback(model),
        };
        notes.extend(more);
        guard
    } else {
        RouteGuard::None
    };
    if is_viewset {
        notes.insert(0, "ViewSet: every action".to_owned());
    }
    let methods: Vec<&Function> = file
        .functions
        .iter()
        .filter(|f| {
            f.class.as_deref() == Some(class.name.as_str())
                && f.name.as_deref().is_some_and(|n| HTTP.contains(&n))
        })
        .collect();
    let make = |line: u32, method: &str| {
        let mut r = route(file, line, method, path);
        r.guard = guard.clone();
        r.notes = notes.clone();
        r
    };
    if is_viewset || methods.is_empty() {
        vec![make(class.line, "ANY")]
    } else {
        methods
            .iter()
            .map(|f| {
                make(
                    f.line,
                    &f.name.as_deref().unwrap_or("").to_ascii_uppercase(),
                )
            })
            .collect()
    }
}

/// Resolves the view argument of a pattern.
fn resolve_view<'m>(model: &'m SourceModel, urls: &'m FileModel, call: &Call) -> Option<View<'m>> {
    let name = match call.args.get(1) {
        Some(Arg::Ident(n) | Arg::Member(n)) => n.clone(),
        Some(Arg::Other) => {
            let values = urls.python.arg_values(call, "1")?;
            let first = values.names.first()?;
            first.strip_suffix(".as_view")?.to_owned()
        }
        _ => return None,
    };
    let (file, local) = resolve_name(model, urls, &name)?;
    if let Some(function) = function_named(file, &local) {
        return Some(View::Function(file, function));
    }
    file.classes
        .iter()
        .find(|c| c.name == local)
        .map(|c| View::Class(file, c))
}

fn join(prefix: &str, path: &str) -> String {
    let path = path
        .trim_start_matches('^')
        .trim_end_matches('$')
        .trim_start_matches('/');
    format!("{}/{}", prefix.trim_end_matches('/'), path)
}

/// Most `include` levels followed.
const MAX_INCLUDES: usize = 4;

fn patterns(
    model: &SourceModel,
    urls: &FileModel,
    prefix: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<Route>,
) {
    if seen.contains(&urls.path) || seen.len() > MAX_INCLUDES {
        return;
    }
    seen.push(urls.path.clone());
    let mut routers_included = false;
    for call in &urls.calls {
        if !matches!(
            call.callee.as_str(),
            "path" | "re_path" | "url" | "urls.path" | "urls.re_path"
        ) {
            continue;
        }
        let Some(Arg::Str(pattern)) = call.args.first() else {
            continue;
        };
        let full = join(prefix, pattern);
        let include = urls
            .python
            .arg_values(call, "1")
            .filter(|v| v.names.first().is_some_and(|n| last(n) == "include"));
        if let Some(include) = include {
            if let Some(module) = include.strings.first() {
                if let Some(target) = resolve_module(model, &urls.path, module, None) {
                    patterns(model, target, &full, seen, out);
                }
            } else if let Some(router) = include.names.get(1).and_then(|n| n.strip_suffix(".urls"))
            {
                routers_included = true;
                registered(model, urls, router, &full, out);
            }
            continue;
        }
        if let Some(view) = resolve_view(model, urls, call) {
            out.extend(view_routes(model, &view, &full, false));
        }
    }
    // `urlpatterns += router.urls` mounts a router at this level.
    for a in &urls.python.assignments {
        if a.target == "urlpatterns" && !routers_included {
            for name in &a.names {
                if let Some(router) = name.strip_suffix(".urls") {
                    registered(model, urls, router, prefix, out);
                }
            }
        }
    }
    seen.pop();
}

/// The viewsets registered on a DRF router.
fn registered(
    model: &SourceModel,
    urls: &FileModel,
    router: &str,
    prefix: &str,
    out: &mut Vec<Route>,
) {
    let register = format!("{router}.register");
    for call in urls.calls.iter().filter(|c| c.callee == register) {
        let (Some(Arg::Str(pattern)), Some(Arg::Ident(view) | Arg::Member(view))) =
            (call.args.first(), call.args.get(1))
        else {
            continue;
        };
        let Some((file, local)) = resolve_name(model, urls, view) else {
            continue;
        };
        if let Some(class) = file.classes.iter().find(|c| c.name == local) {
            let path = join(prefix, &format!("{pattern}/"));
            out.extend(view_routes(model, &View::Class(file, class), &path, true));
        }
    }
}

/// Every Django route of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let urls: Vec<&FileModel> = model
        .files
        .iter()
        .filter(|f| {
            f.language == Language::Python
                && f.python
                    .assignments
                    .iter()
                    .any(|a| a.target == "urlpatterns" && !a.in_function)
        })
        .collect();
    // Roots: urls modules no other includes.
    let included: Vec<String> = urls
        .iter()
        .flat_map(|u| {
            u.python
                .arg_values
                .iter()
                .filter(|v| v.names.first().is_some_and(|n| last(n) == "include"))
                .filter_map(|v| v.strings.first())
                .filter_map(|m| resolve_module(model, &u.path, m, None))
                .map(|f| f.path.clone())
        })
        .collect();
    let mut out = Vec::new();
    for root in urls.iter().filter(|u| !included.contains(&u.path)) {
        patterns(model, root, "", &mut Vec::new(), &mut out);
    }
    out
}

/// `source.csrf-exempt`: a Django view that changes state with
/// `@csrf_exempt`. Low: an API authenticated by tokens, not cookies,
/// needs no CSRF protection, which the view does not say.
pub(crate) fn findings(routes: &[Route], evidence: &mut Evidence) {
    for route in routes {
        if route.framework != FRAMEWORK
            || !route.mutating()
            || !route.notes.iter().any(|n| n == "csrf_exempt")
        {
            continue;
        }
        let Some(line) = route.line else { continue };
        let built = Finding::builder(
            RuleId::new("source.csrf-exempt").expect("built-in rule ids are valid"),
            Severity::Low,
            Confidence::Medium,
        )
        .message(format!(
            "Django view {} {} is marked @csrf_exempt: a page on another site can make a signed-in visitor's browser call it.",
            route.method, route.path
        ))
        .location(Location::line(&route.file, line))
        .remediation("Remove @csrf_exempt and send the CSRF token from the client; if the view is an API authenticated by a token header rather than a cookie, say so in a comment.")
        .tag("heuristic")
        .build();
        if let Ok(finding) = built {
            evidence.findings.push(finding);
        }
    }
}

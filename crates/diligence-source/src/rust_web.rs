//! What the Rust web stacks share: module paths to files, handlers one
//! `use` away, and how a handler's extractors, a middleware function or a
//! layer are judged as caller checks or input validation.
//!
//! A parameter type is a guard when the framework runs it before the
//! handler and it refuses a caller: a custom extractor (`impl
//! FromRequestParts for AuthUser`, actix's and Rocket's `FromRequest`) is
//! a high-confidence caller check when its implementation reads the
//! `Authorization` header, a cookie or a session, or decodes a token, and
//! refuses (`StatusCode::UNAUTHORIZED`, `Status::Unauthorized`,
//! `ErrorUnauthorized`); a type whose implementation was not found counts
//! with low confidence when its name alone suggests it (`AuthUser`,
//! `Claims`, `CurrentUser`). A middleware function (`from_fn(auth)`,
//! actix `from_fn`, `HttpAuthentication::bearer(validator)`) is judged the
//! same way on its body.

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Function};
use crate::{Language, SourceModel};

/// A caller check found for a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// What was seen.
    pub(crate) check: String,
    /// The file the check is in, when not the handler's.
    pub(crate) via: Option<String>,
    /// How sure.
    pub(crate) confidence: Confidence,
}

/// Words in a type or function name that suggest a caller check.
const AUTH_WORDS: &[&str] = &[
    "auth",
    "claims",
    "currentuser",
    "loggedin",
    "signedin",
    "requiresession",
    "checksession",
    "verifysession",
    "sessionuser",
    "sessionguard",
    "identity",
    "jwt",
    "bearer",
    "apikey",
    "admin",
    "requireuser",
    "requirelogin",
    "guard",
    "protect",
    "verifytoken",
];

/// Session and identity providers: middleware and extractors that load a
/// session or identity for the handler but refuse nobody
/// (actix-session, actix-identity's middleware, tower-sessions,
/// axum-login's manager layer).
const PROVIDERS: &[&str] = &[
    "session",
    "sessionmiddleware",
    "sessionlayer",
    "sessionmanagerlayer",
    "identitymiddleware",
    "identityservice",
    "cookiesession",
    "redissession",
    "authmanagerlayer",
    "authmanagerlayerbuilder",
    "cookiemanagerlayer",
];

/// Whether a name suggests a caller check (`AuthUser`, `require_auth`,
/// `Claims`); session and identity providers (`SessionMiddleware`,
/// `Session`) do not.
pub(crate) fn auth_name(name: &str) -> bool {
    let lower: String = name
        .rsplit("::")
        .next()
        .unwrap_or(name)
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let head = name.split(['(', '.', '<']).next().unwrap_or(name);
    let head: String = head
        .split("::")
        .filter(|p| p.chars().next().is_some_and(char::is_uppercase))
        .last()
        .unwrap_or(head)
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let excluded = lower.starts_with("oauth")
        || lower.ends_with("router")
        || lower.ends_with("routes")
        || PROVIDERS.contains(&head.as_str())
        || PROVIDERS.contains(&lower.as_str());
    !excluded && AUTH_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether a call reads a credential: the `Authorization` header, a
/// cookie, a session, or a token decoder.
fn reads_credential(call: &Call) -> bool {
    let callee = call.callee.to_ascii_lowercase();
    let arg_says = call.args.iter().any(|a| match a {
        Arg::Str(s) => {
            let s = s.to_ascii_lowercase();
            s == "authorization" || s.contains("token") || s.contains("session") || s == "cookie"
        }
        Arg::Member(m) | Arg::Ident(m) => {
            let m = m.to_ascii_lowercase();
            m.ends_with("authorization") || m.ends_with("cookie")
        }
        _ => false,
    });
    arg_says
        || callee.contains("authorization")
        || callee.contains("bearer")
        || callee.contains("cookie")
        || callee.contains("session")
        || callee.contains("identity")
        || callee.ends_with("decode")
        || callee.contains("jsonwebtoken")
        || callee.contains("verify")
        || callee.contains("validate_token")
}

/// Whether text names a refusal: 401, 403, a redirect to a login page
/// (`AuthRedirect`) or an error the framework turns into one.
fn refusal_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("redirect")
        || lower.contains("unauthenticated")
        || lower.contains("unauthorized")
        || lower.contains("unauthorised")
        || lower.contains("forbidden")
        || lower.contains("401")
        || lower.contains("403")
}

fn arg_refuses(arg: &Arg, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    match arg {
        Arg::Member(m) | Arg::Ident(m) => refusal_text(m),
        Arg::Call { callee, args } => {
            refusal_text(callee) || args.iter().any(|a| arg_refuses(a, depth + 1))
        }
        Arg::Array(items) => items.iter().any(|a| arg_refuses(a, depth + 1)),
        _ => false,
    }
}

/// Whether a call refuses the caller (`Err(StatusCode::UNAUTHORIZED)`,
/// `ErrorUnauthorized("…")`, `Outcome::Error((Status::Unauthorized, …))`,
/// `AuthError::MissingCredentials.into_response()` …).
fn refuses(call: &Call) -> bool {
    refusal_text(&call.callee) || call.args.iter().any(|a| arg_refuses(a, 0))
}

/// Whether a call's arguments name a token (`decode(token, …)`,
/// `decode::<Claims>(bearer.token(), …)`), unlike a generic
/// `T::decode(bytes)`.
fn mentions_token(call: &Call) -> bool {
    fn names(arg: &Arg, depth: usize) -> bool {
        if depth > 4 {
            return false;
        }
        match arg {
            Arg::Ident(n) | Arg::Member(n) => {
                let n = n.to_ascii_lowercase();
                n.contains("token") || n.contains("jwt") || n.contains("bearer")
            }
            Arg::Call { callee, args } => {
                names(&Arg::Member(callee.clone()), depth + 1)
                    || args.iter().any(|a| names(a, depth + 1))
            }
            _ => false,
        }
    }
    call.args.iter().any(|a| names(a, 0))
}

/// The class of code at a line of a file: test code inside a
/// `#[cfg(test)]` module or a `#[test]`-style function, else the file's.
pub(crate) fn class_at(file: &FileModel, line: u32) -> diligence_model::FileClass {
    let in_test_fn = file.functions.iter().any(|f| {
        f.contains(line)
            && f.decorators.iter().any(|d| {
                let last = d.rsplit("::").next().unwrap_or(d);
                last == "test" || last == "rstest" || last == "test_case"
            })
    });
    if file.rust.in_test_module(line) || in_test_fn {
        diligence_model::FileClass::Test
    } else {
        file.class
    }
}

/// Whether the calls of a body both read a credential and refuse, or
/// decode/verify a token: the shape of a caller check.
fn checks<'c>(calls: &[&'c Call]) -> Option<&'c Call> {
    let refused = calls.iter().any(|c| refuses(c));
    let decodes = |c: &&Call| {
        let callee = c.callee.to_ascii_lowercase();
        let last = callee.rsplit(['.', ':']).next().unwrap_or(&callee);
        callee.ends_with("jsonwebtoken::decode")
            || callee.ends_with("jwt::decode")
            || last == "decode" && (callee.contains("jwt") || mentions_token(c))
            || (last.starts_with("decode")
                || last.starts_with("verify")
                || last.starts_with("validate"))
                && (last.contains("token") || last.contains("jwt") || last.contains("claims"))
            || callee.ends_with(".verify") && !callee.contains("password")
    };
    calls.iter().copied().find(decodes).or_else(|| {
        calls
            .iter()
            .copied()
            .find(|c| reads_credential(c))
            .filter(|_| refused)
    })
}

/// The crate root folder of a file (`crates/api/src/`, `src/`): the part
/// of its path up to the last `src/`; `None` outside one.
fn src_root(path: &str) -> Option<&str> {
    if path.starts_with("src/") {
        return Some("src/");
    }
    path.rfind("/src/").map(|i| &path[..i + 5])
}

/// The module path of a file under its crate root (`handlers::users` for
/// `src/handlers/users.rs` or `src/handlers/users/mod.rs`; empty for
/// `lib.rs`, `main.rs`).
fn module_of(path: &str) -> Option<Vec<String>> {
    let root = src_root(path)?;
    let rest = path.strip_prefix(root)?.strip_suffix(".rs")?;
    let mut parts: Vec<String> = rest.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    if parts.first().map(String::as_str) == Some("bin") {
        return Some(Vec::new());
    }
    Some(parts)
}

/// The file of module `parts` under the crate root of `from`.
fn module_file<'m>(model: &'m SourceModel, from: &str, parts: &[String]) -> Option<&'m FileModel> {
    let root = src_root(from)?;
    if parts.is_empty() {
        return model
            .file(&format!("{root}lib.rs"))
            .or_else(|| model.file(&format!("{root}main.rs")));
    }
    let joined = parts.join("/");
    model
        .file(&format!("{root}{joined}.rs"))
        .or_else(|| model.file(&format!("{root}{joined}/mod.rs")))
}

/// Resolves a path as written in `file` (`create`, `handlers::create`,
/// `crate::handlers::users::create`, `super::auth::require`) to the file
/// and the item's name: through the file's `use` declarations, then as a
/// module path relative to the crate root or the file's module.
pub(crate) fn resolve<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    path: &str,
) -> Option<(&'m FileModel, String)> {
    let segments: Vec<&str> = path.split("::").collect();
    let (first, rest) = segments.split_first()?;
    // Through a `use`: the first segment is a name the file imports.
    let imported = file
        .imports
        .iter()
        .find(|i| i.names.iter().any(|n| n == first) && i.specifier != "*");
    let full: Vec<String> = match imported {
        Some(import) => import
            .specifier
            .split("::")
            .chain(rest.iter().copied())
            .map(str::to_owned)
            .collect(),
        None if rest.is_empty() => return Some((file, (*first).to_owned())),
        None => segments.iter().map(|s| (*s).to_owned()).collect(),
    };
    let (name, module) = full.split_last()?;
    let here = module_of(&file.path)?;
    let mut parts: Vec<String> = Vec::new();
    let mut iter = module.iter().peekable();
    match iter.peek().map(|s| s.as_str()) {
        Some("crate") => {
            iter.next();
        }
        Some("self") => {
            iter.next();
            parts.clone_from(&here);
        }
        Some("super") => {
            parts.clone_from(&here);
            while iter.peek().map(|s| s.as_str()) == Some("super") {
                iter.next();
                parts.pop();
            }
        }
        // A child module declared here (`mod handlers;`), else a path
        // from the crate root (2015-style).
        Some(first)
            if file
                .rust
                .modules
                .iter()
                .any(|m| m.name == first && !m.inline) =>
        {
            parts.clone_from(&here);
        }
        _ => {}
    }
    parts.extend(iter.cloned());
    let target = module_file(model, &file.path, &parts)?;
    Some((target, name.clone()))
}

/// The top-level function `name` of a file (not a method).
pub(crate) fn function_named<'f>(file: &'f FileModel, name: &str) -> Option<&'f Function> {
    file.functions
        .iter()
        .find(|f| f.class.is_none() && f.name.as_deref() == Some(name))
}

/// Resolves a handler or middleware path to its function, in the same
/// file or one `use` away.
pub(crate) fn resolve_function<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    path: &str,
) -> Option<(&'m FileModel, &'m Function)> {
    let (target, name) = resolve(model, file, path)?;
    function_named(target, &name)
        .map(|f| (target, f))
        .or_else(|| {
            // A glob import (`use crate::handlers::*`) or a re-export: the
            // one function of that name in the crate, if unique.
            let mut found = model
                .files
                .iter()
                .filter(|f| f.language == Language::Rust)
                .filter_map(|f| {
                    function_named(f, &name)
                        .filter(|func| func.exported)
                        .map(|func| (f, func))
                });
            let first = found.next()?;
            found.next().is_none().then_some(first)
        })
}

/// Judges a middleware function (`from_fn(auth)`, a validator of
/// `HttpAuthentication::bearer`): a caller check when its body reads a
/// credential and refuses, or decodes a token; by name otherwise.
pub(crate) fn judge_function(
    model: &SourceModel,
    file: &FileModel,
    path: &str,
    what: &str,
) -> Option<Verdict> {
    if let Some((target, function)) = resolve_function(model, file, path) {
        let via = (target.path != file.path).then(|| target.path.clone());
        if let Some(call) = checks(&target.calls_in(function).collect::<Vec<_>>()) {
            return Some(Verdict {
                check: format!("{what}({path}) → {}", call.callee),
                via,
                confidence: Confidence::High,
            });
        }
        let own: Vec<&Call> = target.calls_in(function).collect();
        if let Some((helper, call, same_file)) = with_helpers(model, target, function, &own) {
            return Some(Verdict {
                check: format!("{what}({path}) → {helper} → {}", call.callee),
                via,
                confidence: if same_file {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
            });
        }
    }
    auth_name(path).then(|| Verdict {
        check: format!("{what}({path}) (by name)"),
        via: None,
        confidence: Confidence::Low,
    })
}

/// The first method of `name` inside an `impl` block's lines.
fn methods_host<'f>(
    file: &'f FileModel,
    name: &str,
    line: u32,
    end_line: u32,
) -> Option<&'f Function> {
    file.functions
        .iter()
        .find(|f| f.class.as_deref() == Some(name) && line <= f.line && f.end_line <= end_line)
}

/// The check made by `own` calls together with a helper they call (one
/// hop, resolved) and the helpers that helper calls in its own file (a
/// private `decode_token` beside `extract_auth`): `(helper, the call that
/// checks, whether the helper is in the same file)`.
fn with_helpers<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    function: &Function,
    own: &[&'m Call],
) -> Option<(String, &'m Call, bool)> {
    for call in own {
        let Some((helper_file, helper)) = resolve_function(model, file, &call.callee) else {
            continue;
        };
        if helper.span == function.span && std::ptr::eq(helper_file, file) {
            continue;
        }
        let mut combined: Vec<&Call> = own.to_vec();
        combined.extend(helper_file.calls_in(helper));
        for inner in helper_file.calls_in(helper) {
            if let Some(f) = function_named(helper_file, &inner.callee)
                && f.span != helper.span
            {
                combined.extend(helper_file.calls_in(f));
            }
        }
        if let Some(found) = checks(&combined) {
            return Some((call.callee.clone(), found, std::ptr::eq(helper_file, file)));
        }
    }
    None
}

/// Extractor types of libraries, and how far each checks the caller.
const LIBRARY_EXTRACTORS: &[(&str, Confidence, &str)] = &[
    // actix-web-httpauth: requires the header, does not verify it.
    (
        "BearerAuth",
        Confidence::Low,
        "token required, not verified",
    ),
    (
        "BasicAuth",
        Confidence::Low,
        "credentials required, not verified",
    ),
    // axum-extra / headers: requires the header, does not verify it.
    (
        "TypedHeader<Authorization",
        Confidence::Low,
        "token required, not verified",
    ),
    // actix-identity: refuses a caller who is not logged in.
    ("Identity", Confidence::Medium, "login required"),
    // axum-login: an optional user the handler must check.
    (
        "AuthSession",
        Confidence::Low,
        "session read, user not required",
    ),
];

/// Judges a handler parameter's type as a caller check: a library
/// extractor, a custom extractor whose implementation (of `traits`)
/// checks a credential, or a name that suggests one.
pub(crate) fn judge_extractor(
    model: &SourceModel,
    file: &FileModel,
    ty: &str,
    traits: &[&str],
) -> Option<Verdict> {
    let ty = ty.trim_start_matches('&').trim_start_matches("mut ");
    // An optional extractor refuses nobody.
    if ty.starts_with("Option<") {
        return None;
    }
    let name = ty
        .split('<')
        .next()
        .unwrap_or(ty)
        .rsplit("::")
        .next()
        .unwrap_or(ty);
    // `Extension<Claims>` is put there by a middleware: name only.
    let inner = ["Extension<", "Data<", "ReqData<"]
        .iter()
        .find_map(|w| ty.strip_prefix(w))
        .map(|rest| rest.trim_end_matches('>'));
    if let Some(inner) = inner {
        return auth_name(inner).then(|| Verdict {
            check: format!("{ty} (by name)"),
            via: None,
            confidence: Confidence::Low,
        });
    }
    for (library, confidence, words) in LIBRARY_EXTRACTORS {
        let matches = if library.contains('<') {
            ty.contains(library)
        } else {
            name == *library
        };
        if matches {
            return Some(Verdict {
                check: format!("{ty} ({words})"),
                via: None,
                confidence: *confidence,
            });
        }
    }
    // A custom extractor: its trait implementation, anywhere in the crate.
    let mut implemented = false;
    for target in model.files.iter().filter(|f| f.language == Language::Rust) {
        for imp in target.rust.impls.iter().filter(|i| {
            i.self_ty == name
                && i.trait_
                    .as_deref()
                    .is_some_and(|t| traits.contains(&t.rsplit("::").next().unwrap_or(t)))
        }) {
            let methods = target.functions.iter().filter(|f| {
                f.class.as_deref() == Some(name) && imp.line <= f.line && f.end_line <= imp.end_line
            });
            let calls = methods.flat_map(|m| target.calls_in(m)).collect::<Vec<_>>();
            if let Some(call) = checks(&calls) {
                return Some(Verdict {
                    check: format!("{name} extractor → {}", call.callee),
                    via: (target.path != file.path).then(|| target.path.clone()),
                    confidence: Confidence::High,
                });
            }
            // One hop: the implementation calls helpers that read or
            // decode the credential, and refuses.
            if let Some(method) = methods_host(target, name, imp.line, imp.end_line)
                && let Some((helper, found, same_file)) =
                    with_helpers(model, target, method, &calls)
            {
                return Some(Verdict {
                    check: format!("{name} extractor → {helper} → {}", found.callee),
                    via: Some(target.path.clone()).filter(|p| *p != file.path),
                    confidence: if same_file {
                        Confidence::High
                    } else {
                        Confidence::Medium
                    },
                });
            }
            implemented = true;
        }
    }
    if implemented {
        // Implemented, and it checks nothing a caller must present.
        return None;
    }
    auth_name(name).then(|| Verdict {
        check: format!("{name} extractor (by name)"),
        via: None,
        confidence: Confidence::Low,
    })
}

/// The best verdict among several.
pub(crate) fn best(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
    verdicts.into_iter().max_by_key(|v| v.confidence)
}

/// Body wrappers whose inner type is the request's input.
const BODY_WRAPPERS: &[&str] = &[
    "Json",
    "Form",
    "Query",
    "Path",
    "web::Json",
    "web::Form",
    "web::Query",
    "axum::Json",
];

/// Wrappers that validate what they wrap (axum-valid, axum-garde,
/// actix-web-validator, custom `ValidatedJson`).
const VALIDATING_WRAPPERS: &[(&str, &str)] = &[
    ("Valid<", "validator"),
    ("Garde<", "garde"),
    ("WithRejection<Valid", "validator"),
    ("ValidatedJson<", "validator"),
    ("ValidJson<", "validator"),
    ("ValidatedForm<", "validator"),
    ("ValidatedQuery<", "validator"),
];

/// Names of the target's types that derive `Validate`: with the library
/// (`garde` when the derive or the file names garde, else `validator`).
pub(crate) fn validated_types(model: &SourceModel) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for file in model.files.iter().filter(|f| f.language == Language::Rust) {
        let garde_file = file.imports_module("garde");
        for class in &file.classes {
            if let Some(derive) = class
                .decorators
                .iter()
                .find(|d| d.rsplit("::").next() == Some("Validate"))
            {
                let library = if derive.starts_with("garde") || garde_file {
                    "garde"
                } else {
                    "validator"
                };
                out.push((class.name.clone(), library));
            }
        }
    }
    out
}

/// The validation library of a handler's input: a validating wrapper, a
/// body whose type derives `Validate`, or a `.validate()` call in the
/// handler.
pub(crate) fn validation(
    file: &FileModel,
    function: &Function,
    validated: &[(String, &'static str)],
) -> Option<String> {
    for param in file.rust.params_of(function) {
        let Some(ty) = param.annotation.as_deref() else {
            continue;
        };
        if let Some((_, library)) = VALIDATING_WRAPPERS.iter().find(|(w, _)| ty.starts_with(w)) {
            return Some((*library).to_owned());
        }
        for wrapper in BODY_WRAPPERS {
            if let Some(inner) = ty.strip_prefix(wrapper).and_then(|r| r.strip_prefix('<')) {
                let inner = inner.trim_end_matches('>');
                let inner = inner.rsplit("::").next().unwrap_or(inner);
                if let Some((_, library)) = validated.iter().find(|(n, _)| n == inner) {
                    return Some((*library).to_owned());
                }
            }
        }
    }
    file.calls_in(function)
        .any(|c| c.method() == "validate" || c.callee.ends_with(".validate"))
        .then(|| "validator".to_owned())
}

/// The handler-side caller check: the best of its parameters' types.
pub(crate) fn extractor_guard(
    model: &SourceModel,
    file: &FileModel,
    function: &Function,
    traits: &[&str],
) -> Option<Verdict> {
    best(
        file.rust
            .params_of(function)
            .filter_map(|p| p.annotation.as_deref())
            .filter_map(|ty| judge_extractor(model, file, ty, traits))
            .collect::<Vec<_>>(),
    )
}

/// The receiver callee of a chained call (`Router::new().route` for
/// `Router::new().route().layer`), or `None` when the receiver is no call.
pub(crate) fn receiver(callee: &str) -> Option<&str> {
    let (before, _) = callee.rsplit_once('.')?;
    before.strip_suffix("()")
}

/// The chain a call ends: its receiver calls, head first, then the call;
/// and the head's receiver call (`web::scope("/api")`), if it is a call.
pub(crate) fn chain_of<'f>(
    file: &'f FileModel,
    call: &'f Call,
) -> (Vec<&'f Call>, Option<&'f Call>) {
    let mut calls = vec![call];
    let mut head = call;
    let mut base = None;
    while calls.len() < 64 {
        let Some(wanted) = receiver(&head.callee) else {
            break;
        };
        let Some(r) = file
            .calls
            .iter()
            .filter(|c| c.offset < head.offset && c.callee == wanted)
            .max_by_key(|c| c.offset)
        else {
            break;
        };
        if receiver(&r.callee).is_none() {
            base = Some(r);
            break;
        }
        calls.push(r);
        head = r;
    }
    calls.reverse();
    (calls, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_suggest_a_check_and_providers_that_do_not() {
        for name in [
            "AuthUser",
            "Claims",
            "CurrentUser",
            "require_auth",
            "auth::jwt_guard",
            "AdminUser",
            "SessionUser",
        ] {
            assert!(auth_name(name), "{name}");
        }
        for name in [
            "Session",
            "SessionMiddleware",
            "IdentityMiddleware",
            "AuthManagerLayer",
            "OAuthClient",
            "auth_routes",
            "Pagination",
            "User",
        ] {
            assert!(!auth_name(name), "{name}");
        }
    }

    #[test]
    fn module_paths_map_to_files() {
        assert_eq!(
            src_root("crates/api/src/http/mod.rs"),
            Some("crates/api/src/")
        );
        assert_eq!(
            module_of("src/http/users.rs"),
            Some(vec!["http".to_owned(), "users".to_owned()])
        );
        assert_eq!(module_of("src/http/mod.rs"), Some(vec!["http".to_owned()]));
        assert_eq!(module_of("src/main.rs"), Some(Vec::new()));
        assert_eq!(module_of("build.rs"), None);
    }
}

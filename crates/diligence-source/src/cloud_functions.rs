//! Firebase Cloud Functions: HTTPS functions, exported by name. Second
//! generation `onCall` and `onRequest` (`firebase-functions/v2/https`,
//! `firebase-functions/https`), and first generation
//! `functions.https.onCall/onRequest` (with `region(…)` or `runWith(…)`
//! in the chain). The route's path is the exported name; a callable
//! function answers `POST`, a request function any method.
//!
//! Background triggers (Firestore, Database, Storage, Pub/Sub, Auth) are
//! not routes: nobody calls them over HTTP, so they are not listed.
//!
//! A callable is guarded when its handler refuses a call without
//! `request.auth` (`throw new HttpsError('unauthenticated', …)`, high
//! confidence) or only reads `request.auth` / `context.auth` (medium); a
//! request function when it verifies an ID token or session cookie
//! (`getAuth().verifyIdToken`), in the handler or a helper one import
//! away. `enforceAppCheck` is noted: it vouches for the app, not for the
//! caller. A function that serves an Express app (`onRequest(app)`) is
//! left to the Express reading, which lists the app's routes.

use diligence_model::Confidence;

use crate::nextjs::{guard_of, validation};
use crate::routes::{Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, SourceModel};

/// The framework's name, as in `source.frameworks`.
pub const FRAMEWORK: &str = "Firebase Cloud Functions";

/// Error codes that refuse an anonymous or unauthorised caller.
const REFUSALS: &[&str] = &["unauthenticated", "permission-denied"];

/// Whether a file declares Cloud Functions.
fn functions_file(file: &FileModel) -> bool {
    file.imports_module("firebase-functions")
        || file.calls.iter().any(|c| {
            c.callee == "require"
                && c.args
                    .first()
                    .and_then(Arg::as_str)
                    .is_some_and(|s| s.starts_with("firebase-functions"))
        })
}

/// The kind of HTTPS function a call declares: `onCall` or `onRequest`.
fn kind(call: &Call, file: &FileModel) -> Option<&'static str> {
    let method = call.method();
    let kind = match method {
        "onCall" | "onCallGenkit" => "onCall",
        "onRequest" => "onRequest",
        _ => return None,
    };
    // `functions.https.onCall`, `https.onRequest`, or the name imported
    // from an `https` module.
    let https_module = |s: &str| {
        s.starts_with("firebase-functions") && (s.ends_with("/https") || s.ends_with("/v2"))
    };
    let https = call.callee.contains("https.")
        || file.imports.iter().any(|i| {
            https_module(&i.specifier) && i.names.iter().any(|n| n == call.root())
        })
        // `const { onRequest } = require('firebase-functions/https')`.
        || (file.calls.iter().any(|c| {
            c.callee == "require" && c.args.first().and_then(Arg::as_str).is_some_and(https_module)
        }) && file.bindings.iter().any(|b| {
            b.name == call.root() && matches!(&b.value, Arg::Member(m) if m.starts_with("require()."))
        }));
    https.then_some(kind)
}

/// Whether a handler refuses a caller without `auth`.
fn refuses(file: &FileModel, function: &Function) -> Option<String> {
    file.calls_in(function)
        .find(|c| {
            c.callee.ends_with("HttpsError")
                && c.args
                    .first()
                    .and_then(Arg::as_str)
                    .is_some_and(|code| REFUSALS.contains(&code))
        })
        .map(|c| {
            format!(
                "{} '{}'",
                c.callee.trim_start_matches("new "),
                c.args.first().and_then(Arg::as_str).unwrap_or("")
            )
        })
}

/// The `request.auth` (or `context.auth`) read in a handler, if any.
fn reads_auth(file: &FileModel, function: &Function) -> Option<String> {
    let prefixes: Vec<String> = function
        .params
        .iter()
        .map(|p| format!("{p}.auth"))
        .collect();
    let is_auth = |path: &str| {
        prefixes
            .iter()
            .any(|p| path == p || path.starts_with(&format!("{p}.")))
    };
    let in_calls = file.calls_in(function).find_map(|c| {
        c.args.iter().find_map(|a| match a {
            Arg::Member(m) if is_auth(m) => Some(m.clone()),
            _ => None,
        })
    });
    in_calls
        .or_else(|| {
            file.bindings
                .iter()
                .filter(|b| function.contains(b.line))
                .find_map(|b| match &b.value {
                    Arg::Member(m) if is_auth(m) => Some(m.clone()),
                    _ => None,
                })
        })
        .or_else(|| {
            file.comparisons
                .iter()
                .filter(|c| function.contains(c.line))
                .find_map(|c| {
                    [&c.left, &c.right]
                        .into_iter()
                        .find(|s| is_auth(s))
                        .cloned()
                })
        })
}

/// Whether a handler tests its caller's `auth` for absence
/// (`if (!request.auth)`, `if (!context.auth || !context.auth.uid)`).
fn tests_auth(file: &FileModel, function: &Function) -> bool {
    file.negations.iter().any(|(path, line)| {
        function.contains(*line)
            && function.params.iter().any(|p| {
                path.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest == ".auth" || rest == ".auth.uid")
            })
    })
}

/// Every HTTPS Cloud Function of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    let mut out = Vec::new();
    for file in model.files.iter().filter(|f| functions_file(f)) {
        for call in &file.calls {
            let Some(kind) = kind(call, file) else {
                continue;
            };
            let Some(name) = call.bound_to.as_deref() else {
                continue;
            };
            if !file.exports.iter().any(|e| e == name) {
                continue;
            }
            let inline = file
                .functions
                .iter()
                .filter(|f| f.passed_to.as_deref() == Some(call.callee.as_str()))
                .filter(|f| f.span.0 > call.offset)
                .min_by_key(|f| f.span.0);
            let named = match call.args.last() {
                Some(Arg::Ident(local)) => file
                    .functions
                    .iter()
                    .find(|f| f.name.as_deref() == Some(local.as_str())),
                _ => None,
            };
            let Some(handler) = inline.or(named) else {
                // `onRequest(app)`: an Express app, whose routes the
                // Express reading lists.
                continue;
            };
            let calls: Vec<&Call> = file.calls_in(handler).collect();
            let shared = guard_of(model, file, calls.iter().copied());
            let guard = match (refuses(file, handler), &shared) {
                (
                    _,
                    RouteGuard::Caller {
                        confidence: Confidence::High,
                        ..
                    },
                )
                | (_, RouteGuard::Signature { .. }) => shared,
                (Some(check), _) => RouteGuard::Caller {
                    check,
                    via: None,
                    confidence: Confidence::High,
                },
                (None, RouteGuard::Caller { .. }) => shared,
                // `if (!request.auth) throw new HttpsError(…)` with
                // another code than `unauthenticated`.
                (None, _) if kind == "onCall" && tests_auth(file, handler) => {
                    let throws = file
                        .calls_in(handler)
                        .any(|c| c.callee.ends_with("HttpsError"));
                    RouteGuard::Caller {
                        check: "refuses without auth".to_owned(),
                        via: None,
                        confidence: if throws {
                            Confidence::High
                        } else {
                            Confidence::Medium
                        },
                    }
                }
                (None, _) => match reads_auth(file, handler) {
                    Some(read) if kind == "onCall" => RouteGuard::Caller {
                        check: format!("reads {read}"),
                        via: None,
                        confidence: Confidence::Medium,
                    },
                    _ => shared,
                },
            };
            let mut notes = vec![kind.to_owned()];
            let app_check = file.properties_named("enforceAppCheck").any(|p| {
                p.value == Arg::Bool(true) && p.line + 3 >= call.line && p.line <= handler.line
            });
            if app_check {
                notes.push("App Check enforced".to_owned());
            }
            out.push(Route {
                framework: FRAMEWORK.to_owned(),
                method: if kind == "onCall" { "POST" } else { "ANY" }.to_owned(),
                path: name.to_owned(),
                file: file.path.clone(),
                line: Some(call.line),
                class: file.class,
                guard,
                validation: validation(model, file, calls.iter().copied()),
                notes,
            });
        }
    }
    out
}

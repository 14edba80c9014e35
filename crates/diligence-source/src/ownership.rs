//! Object-level authorisation: a signed-in route that changes the record
//! the request names (`req.params.id`, a path parameter) without ever
//! relating it to the caller. Any signed-in user can then change anyone's
//! records by changing the id.
//!
//! Read from the handler's own calls and comparisons: a write (an ORM's
//! `update`/`delete`, `findByIdAndUpdate`, SQL text starting with `UPDATE`
//! or `DELETE`, Django's `.delete()`, SQLAlchemy's `session.delete`) whose
//! arguments carry an id from the request, in a handler where nothing
//! names the caller's identity (`req.user.id`, `session.user.id`,
//! `current_user.id`, `request.user`, `auth.uid()`) in a call or a
//! comparison, and no SQL text filters by an owner column. Admin routes
//! (their check asks for an admin) and routes bounded by row-level
//! security (a Supabase client with the caller's session) are left out:
//! there the database or the role decides. Supabase edge functions have
//! their own rule (`source.service-role-on-request-ids`).

use diligence_model::{Confidence, Evidence, FileClass, Finding, Location, Severity};

use crate::evidence::{HEURISTIC, rule};
use crate::model::{Arg, Call, FileModel, Function, Language};
use crate::routes::{Route, RouteGuard};
use crate::{SourceModel, entry};

/// Methods that write or delete records.
const WRITES: &[&str] = &[
    "update",
    "updateOne",
    "updateMany",
    "delete",
    "deleteOne",
    "deleteMany",
    "destroy",
    "remove",
    "findByIdAndUpdate",
    "findByIdAndDelete",
    "findByIdAndRemove",
    "findOneAndUpdate",
    "findOneAndDelete",
    "upsert",
    "replaceOne",
];

/// Methods that run SQL text.
const SQL_RUNNERS: &[&str] = &["query", "execute", "exec", "run", "raw", "unsafe"];

/// Roots of the request's own data, by stack.
const REQUEST_ROOTS: &[&str] = &[
    "req.params",
    "req.body",
    "req.query",
    "request.params",
    "request.body",
    "request.query",
    "ctx.params",
    "ctx.request.body",
    "params",
    "body",
    "c.req.param",
    "request.data",
    "request.POST",
    "request.args",
    "request.json",
    "request.form",
    "kwargs",
];

/// Whether a path is the request's own data (`req.params.userId`): what
/// the client sends never names the caller, whatever it is called.
fn from_request(path: &str) -> bool {
    REQUEST_ROOTS
        .iter()
        .any(|r| path == *r || path.starts_with(&format!("{r}.")))
}

/// Words that name the caller's identity in a path (`req.user.id`,
/// `session.user.id`, `current_user`, `auth.uid`).
fn names_caller(path: &str) -> bool {
    if from_request(path) {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    [
        "req.user",
        "req.auth",
        "payload.sub",
        "token.sub",
        "decoded.sub",
        "request.user",
        "session.user",
        "current_user",
        "currentuser",
        "ctx.state.user",
        "auth.uid",
        "claims.sub",
        "user.id",
        "user._id",
        "user.sub",
        "userid",
        "user_id",
        "owner",
        "caller",
        "viewer",
        "me.id",
        "principal",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether an argument names the caller anywhere inside it. A name bound
/// to the request's data (`const { userId } = req.body`) does not.
fn arg_names_caller(file: &FileModel, arg: &Arg, line: u32) -> bool {
    let recurse = |a: &Arg| arg_names_caller(file, a, line);
    match arg {
        Arg::Member(path) => names_caller(path),
        Arg::Ident(name) => {
            names_caller(name)
                && !file
                    .binding(name, line)
                    .is_some_and(|b| matches!(&b.value, Arg::Member(p) if from_request(p)))
        }
        Arg::Str(text) => {
            let lower = text.to_ascii_lowercase();
            lower.contains("user_id") || lower.contains("owner") || lower.contains("auth.uid")
        }
        Arg::Template { parts, exprs } => {
            exprs.iter().any(|e| names_caller(e))
                || parts.iter().any(|p| {
                    let lower = p.to_ascii_lowercase();
                    lower.contains("user_id") || lower.contains("owner")
                })
        }
        Arg::Object(properties) => properties.iter().any(|(key, value)| {
            (names_caller(key) && !matches!(value, Arg::Member(p) if from_request(p)))
                || recurse(value)
        }),
        Arg::Array(items) => items.iter().any(recurse),
        Arg::Call { callee, args } => names_caller(callee) || args.iter().any(recurse),
        _ => false,
    }
}

/// The request path an argument takes an id from, if any: a member of the
/// request's data, a name bound to one, or a path parameter.
fn request_id(file: &FileModel, params: &[&str], arg: &Arg, line: u32) -> Option<String> {
    match arg {
        Arg::Member(path) => (from_request(path)
            && path
                .rsplit('.')
                .next()
                .is_some_and(|last| id_like(last) || params.contains(&last)))
        .then(|| path.clone()),
        Arg::Ident(name) => {
            if params.contains(&name.as_str()) {
                return Some(name.clone());
            }
            if !id_like(name) {
                return None;
            }
            match file.binding(name, line) {
                Some(binding) if binding.line < line => {
                    request_id(file, params, &binding.value, binding.line).map(|_| name.clone())
                }
                _ => None,
            }
        }
        Arg::Object(properties) => properties
            .iter()
            .find_map(|(_, value)| request_id(file, params, value, line)),
        Arg::Array(items) => items
            .iter()
            .find_map(|item| request_id(file, params, item, line)),
        Arg::Call { callee, args } if callee.starts_with("c.req.param") => args
            .first()
            .and_then(Arg::as_str)
            .map(|name| format!("c.req.param('{name}')")),
        Arg::Call { args, .. } => args
            .iter()
            .find_map(|item| request_id(file, params, item, line)),
        _ => None,
    }
}

/// Whether a name looks like a record's id (`id`, `pk`, `slug`, `noteId`,
/// `note_id`), not like data (`name`, `paid`).
fn id_like(name: &str) -> bool {
    matches!(name, "id" | "_id" | "pk" | "slug" | "uuid" | "key")
        || name.ends_with("_id")
        || name.ends_with("Id")
        || name.ends_with("ID")
}

/// Path parameters the route's path names (`:id`, `[id]`, `{id}`,
/// `<int:id>`), which Python handlers receive as arguments.
fn path_params(route: &Route) -> Vec<String> {
    route
        .path
        .split('/')
        .filter_map(|segment| {
            let inner = segment
                .strip_prefix(':')
                .or_else(|| segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')))
                .or_else(|| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .or_else(|| segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')))?;
            let name = inner.rsplit(':').next().unwrap_or(inner);
            (!name.is_empty()).then(|| name.trim_start_matches("...").to_owned())
        })
        .collect()
}

fn is_write(call: &Call) -> bool {
    let method = call.method();
    if WRITES.contains(&method) {
        return true;
    }
    SQL_RUNNERS.contains(&method)
        && call
            .args
            .first()
            .and_then(Arg::sql_verb)
            .is_some_and(|verb| verb == "UPDATE" || verb == "DELETE")
}

/// Whether the handler itself identifies the caller (a caller check among
/// its own calls, a FastAPI parameter that takes the user): it had the
/// caller in hand and still wrote a record the request chose. A check in
/// a middleware alone leaves the handler without the caller, as in an
/// admin area or a single-tenant app, so that case is less certain.
fn handler_identifies_caller(file: &FileModel, function: &Function) -> bool {
    match file.language {
        Language::Python => file.python.params_of(function).any(|p| {
            names_caller(&p.name)
                || [p.annotation.as_deref(), p.default.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|text| text.contains("Depends(") || text.contains("Security("))
        }),
        _ => file
            .calls_in(function)
            .any(|call| crate::nextjs::is_caller_check(call, file)),
    }
}

/// The unowned write of a route's handler: the call, the request id and
/// whether the handler identified the caller itself.
fn unowned_write<'m>(
    model: &'m SourceModel,
    route: &Route,
) -> Option<(&'m FileModel, &'m Call, String, bool)> {
    let (file, function) = entry::handler(model, route)?;
    let calls: Vec<&Call> = file.calls_in(function).collect();
    if calls.iter().any(|c| {
        c.args
            .iter()
            .chain(c.keywords.iter().map(|(_, a)| a))
            .any(|a| arg_names_caller(file, a, c.line))
    }) || names_caller_in_comparisons(file, function)
        || (file.language == Language::Python && python_param_names_caller(file, function))
    {
        return None;
    }
    let params = path_params(route);
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    calls.into_iter().filter(|c| is_write(c)).find_map(|call| {
        // The id may sit on the chain before the write
        // (`db.notes.where({ id }).delete()`, `Note.objects.filter(pk=pk).delete()`).
        let chain = file
            .calls
            .iter()
            .filter(|c| c.line == call.line && function.contains_call(c));
        chain
            .flat_map(|c| c.args.iter().chain(c.keywords.iter().map(|(_, a)| a)))
            .find_map(|arg| request_id(file, &params, arg, call.line))
            .map(|id| (file, call, id, handler_identifies_caller(file, function)))
    })
}

fn names_caller_in_comparisons(file: &FileModel, function: &Function) -> bool {
    file.comparisons
        .iter()
        .any(|c| function.contains(c.line) && (names_caller(&c.left) || names_caller(&c.right)))
}

/// Whether a Python handler takes the caller as a parameter and reads it
/// in a call (`current_user: CurrentUser` passed on): a parameter alone,
/// unused, does not relate the record to the caller.
fn python_param_names_caller(file: &FileModel, function: &Function) -> bool {
    file.python.params_of(function).any(|p| {
        names_caller(&p.name)
            && file
                .calls_in(function)
                .any(|c| {
                    c.args
                        .iter()
                        .chain(c.keywords.iter().map(|(_, a)| a))
                        .any(|a| matches!(a, Arg::Member(m) | Arg::Ident(m) if m == &p.name || m.starts_with(&format!("{}.", p.name))))
                })
    })
}

/// Whether a route's caller check asks for an admin (who may act on any
/// record) or leaves the decision to row-level security.
fn exempt(route: &Route) -> bool {
    match &route.guard {
        RouteGuard::Caller { check, .. } => {
            let lower = check.to_ascii_lowercase();
            lower.contains("row-level security")
                || crate::admin::is_admin(route)
                || lower.contains("role")
        }
        _ => true,
    }
}

/// `source.object-not-owned` findings.
pub(crate) fn findings(model: &SourceModel, routes: &[Route], evidence: &mut Evidence) {
    for route in routes {
        if route.framework == "Supabase Edge Functions"
            || route.class != FileClass::Production
            || !route.mutating()
            || exempt(route)
        {
            continue;
        }
        let Some((file, call, id, in_hand)) = unowned_write(model, route) else {
            continue;
        };
        // Behind a middleware alone the finding is a question (an admin area
        // or a single-tenant app look the same): low severity and
        // confidence; the message says what to check.
        let (severity, confidence, how) = if in_hand {
            (Severity::High, Confidence::Medium, "identifies the caller")
        } else {
            (
                Severity::Low,
                Confidence::Low,
                "is covered by a check of the caller (outside the handler, which never reads who it is)",
            )
        };
        let built = Finding::builder(rule("source.object-not-owned"), severity, confidence)
            .message(format!(
                "{} route {} {} {how}, then `{}` (line {}) changes the record named by `{id}` from the request without relating it to the caller: any signed-in user can change anyone's records by changing the id.",
                route.framework, route.method, route.path, call.callee, call.line
            ))
            .location(Location::line(&file.path, call.line))
            .remediation("Scope the write to the caller (`where: { id, ownerId: user.id }`, `filter(pk=pk, owner=request.user)`), or load the record and refuse when its owner is not the caller; add a test that calls the route as another user.")
            .tag(HEURISTIC)
            .build();
        if let Ok(finding) = built {
            evidence.findings.push(finding);
        }
    }
}

//! What a route's handler does, read from its calls: whether it is an
//! authentication entry point (signing up, signing in, resetting a
//! password), which must be public, and whether a server action changes
//! anything at all.
//!
//! The handler is the innermost function at the route's line; its calls
//! are read with one hop into the local helpers it calls (a controller
//! calling `createUser` in a service module), in JavaScript and Python.

use crate::model::{Arg, Call, FileModel, Function, Language};
use crate::routes::Route;
use crate::{SourceModel, nextjs, py};

/// Calls of identity providers' SDKs that sign a caller up or in, or
/// start a password reset: a route that makes one serves people who are
/// not signed in yet.
const AUTH_FLOWS: &[&str] = &[
    "signUp",
    "signInWithPassword",
    "signInWithOtp",
    "signInWithOAuth",
    "signInWithIdToken",
    "verifyOtp",
    "exchangeCodeForSession",
    "resetPasswordForEmail",
    "createUserWithEmailAndPassword",
    "signInWithEmailAndPassword",
    "sendPasswordResetEmail",
    "sendSignInLinkToEmail",
    "authenticate",
    "login",
    // The app's own sign-in of the account a route just created
    // (`signIn(ctx, 'email', { user })`), or next-auth's server `signIn`.
    "signIn",
    "create_user",
    // WebAuthn sign-in with a passkey (SimpleWebAuthn).
    "generateAuthenticationOptions",
    "verifyAuthenticationResponse",
];

/// Password hashing or comparison helpers, by their own name.
const PASSWORD_CALLS: &[&str] = &[
    "hashPassword",
    "comparePassword",
    "verifyPassword",
    "get_password_hash",
    "hash_password",
    "verify_password",
    "make_password",
    "set_password",
    "check_password",
    "generate_password_hash",
    "check_password_hash",
];

/// Libraries whose `hash` or `compare` handles a password.
const PASSWORD_LIBRARIES: &[&str] = &["bcrypt", "bcryptjs", "argon2", "argon", "scrypt"];

/// Calls that only navigate or read the request: a server action made of
/// nothing else changes no state.
const NAVIGATION: &[&str] = &[
    "redirect",
    "permanentRedirect",
    "notFound",
    "revalidatePath",
    "revalidateTag",
    "cookies",
    "headers",
    "get",
    "getAll",
    "has",
    "trim",
    "toString",
    "String",
    "Number",
    "encodeURIComponent",
];

/// The handler function of a route, when it can be placed.
pub(crate) fn handler<'m>(
    model: &'m SourceModel,
    route: &Route,
) -> Option<(&'m FileModel, &'m Function)> {
    let file = model.file(&route.file)?;
    let function = file.function_at(route.line?)?;
    Some((file, function))
}

/// The handler's calls, and those of the local helpers it calls (one hop).
fn calls_with_helpers<'m>(
    model: &'m SourceModel,
    file: &'m FileModel,
    function: &'m Function,
) -> Vec<(&'m FileModel, &'m Call)> {
    let mut out: Vec<(&FileModel, &Call)> =
        file.calls_in(function).map(|call| (file, call)).collect();
    let direct = out.len();
    for i in 0..direct {
        let call = out[i].1;
        let helper = match file.language {
            Language::Python => py::resolve_name(model, file, call.root())
                .and_then(|(target, name)| Some((target, py::function_named(target, &name)?))),
            _ => nextjs::imported_function(model, file, call.root())
                .and_then(|(target, function)| Some((target, function?))),
        };
        // A function in the same file is not one hop away: it is read when
        // named; the handler itself is left out.
        if let Some((target, function_called)) = helper
            && !(target.path == file.path && function_called.span == function.span)
        {
            out.extend(target.calls_in(function_called).map(|call| (target, call)));
        }
    }
    out
}

fn is_password_call(file: &FileModel, call: &Call) -> bool {
    let method = call.method();
    if PASSWORD_CALLS.contains(&method) {
        return true;
    }
    matches!(
        method,
        "hash" | "hashSync" | "compare" | "compareSync" | "verify"
    ) && PASSWORD_LIBRARIES.iter().any(|library| {
        call.root() == *library
            || file.imports.iter().any(|i| {
                (i.specifier == *library || i.specifier.starts_with(&format!("{library}/")))
                    && i.names.iter().any(|n| n == call.root())
            })
    })
}

/// Whether the route's handler signs callers up or in, or resets a
/// password, directly or through a helper one hop away: such a route is
/// public by design. `None` when the handler cannot be placed.
pub(crate) fn auth_entry_point(model: &SourceModel, route: &Route) -> bool {
    let Some((file, function)) = handler(model, route) else {
        return false;
    };
    calls_with_helpers(model, file, function)
        .iter()
        .any(|(owner, call)| AUTH_FLOWS.contains(&call.method()) || is_password_call(owner, call))
}

/// Whether a server action only navigates (its calls are redirects,
/// revalidations and request reads): it changes no state. An action
/// that makes no call at all is not judged (it is kept as changing state).
pub(crate) fn navigation_only(model: &SourceModel, route: &Route) -> bool {
    if route.method != "ACTION" {
        return false;
    }
    let Some((file, function)) = handler(model, route) else {
        return false;
    };
    let mut calls = file.calls_in(function).peekable();
    calls.peek().is_some() && calls.all(|call| NAVIGATION.contains(&call.method()))
}

/// Word stems of calls that change state: writes, sends, charges.
const WRITE_STEMS: &[&str] = &[
    "insert",
    "create",
    "update",
    "upsert",
    "delete",
    "destroy",
    "remove",
    "save",
    "add",
    "put",
    "post",
    "patch",
    "send",
    "write",
    "charge",
    "refund",
    "transfer",
    "publish",
    "enqueue",
    "mutate",
    "increment",
    "decrement",
    "upload",
    "invoke",
    "exec",
    "spawn",
    "commit",
    "rpc",
    "set",
];

/// Receivers whose `set…` and `send…` calls only shape the response.
const RESPONSE_ROOTS: &[&str] = &["res", "reply", "ctx", "c", "response", "headers", "event"];

/// Whether a route that answers every method (`ANY`: a Vercel or Netlify
/// function, a pages-router API route) shows a state change in its
/// handler or the local helpers it calls: a write, a send or a charge, a
/// request body read, or SQL text that changes rows. A handler that only
/// reads is not reported as changing state. `true` when the handler cannot
/// be placed, so nothing unread passes.
pub(crate) fn any_route_writes(model: &SourceModel, route: &Route) -> bool {
    let Some((file, function)) = handler(model, route) else {
        return true;
    };
    if file.body_fields.iter().any(|f| function.contains(f.line)) {
        return true;
    }
    // A request body read anywhere in a call (`eval(req.body.expression)`,
    // `JSON.parse(event.body)`).
    let body = |arg: &crate::model::Arg| {
        matches!(arg, crate::model::Arg::Member(path)
            if ["req.body", "request.body", "event.body"]
                .iter()
                .any(|root| path == root || path.starts_with(&format!("{root}."))))
    };
    if file
        .calls_in(function)
        .any(|call| call.args.iter().any(body))
    {
        return true;
    }
    calls_with_helpers(model, file, function)
        .iter()
        .any(|(home, call)| {
            let method = call.method();
            // A helper the file defines (`createExcerpt(text)`) is judged
            // by what it calls, not by its name.
            if !call.callee.contains(['.', '('])
                && home
                    .functions
                    .iter()
                    .any(|f| f.name.as_deref() == Some(method))
            {
                return false;
            }
            let lower = method.to_ascii_lowercase();
            let response = RESPONSE_ROOTS.contains(&call.root())
                && (lower.starts_with("set") || lower.starts_with("send") || lower == "status");
            let sql = call
                .args
                .first()
                .and_then(crate::model::Arg::sql_verb)
                .is_some_and(|verb| {
                    matches!(
                        verb.as_str(),
                        "INSERT" | "UPDATE" | "DELETE" | "UPSERT" | "MERGE" | "REPLACE"
                    )
                });
            sql || (!response
                && !matches!(method, "json" | "text" | "end")
                && WRITE_STEMS.iter().any(|stem| lower.starts_with(stem)))
        })
}

/// Methods on a response object that only shape the answer.
const RESPONSE_METHODS: &[&str] = &[
    "set",
    "setHeader",
    "header",
    "status",
    "sendStatus",
    "code",
    "type",
    "json",
    "send",
    "end",
    "text",
    "throw",
    "redirect",
    "writeHead",
    "append",
    "vary",
];

/// Whether a handler only refuses: every call it makes shapes the
/// response, one of them throws an error (`ctx.throw(500)`) or names the
/// methods allowed instead (`ctx.set('Allow', 'POST')` beside a 405), and
/// it reads no request body. Such a route changes no state whatever its
/// method. A handler that answers with content is not judged here (a
/// stub's `res.end()` stays a route to check). `false` when the handler
/// cannot be placed.
pub(crate) fn answers_only(model: &SourceModel, route: &Route) -> bool {
    let Some((file, function)) = handler(model, route) else {
        return false;
    };
    if file.body_fields.iter().any(|f| function.contains(f.line)) {
        return false;
    }
    let response_roots: Vec<&str> = function
        .params
        .iter()
        .map(String::as_str)
        .chain(RESPONSE_ROOTS.iter().copied())
        .collect();
    let refuses = file.calls_in(function).any(|call| {
        response_roots.contains(&call.root())
            && (call.method() == "throw"
                || (matches!(call.method(), "set" | "setHeader" | "header")
                    && matches!(call.args.first(), Some(Arg::Str(h)) if h.eq_ignore_ascii_case("allow"))))
    });
    refuses
        && file.calls_in(function).all(|call| {
            // The error an answer carries (`ctx.throw(500, new Error())`).
            if call.callee.starts_with("new ") && call.callee.ends_with("Error") {
                return true;
            }
            response_roots.contains(&call.root())
                && call
                    .callee
                    .split('.')
                    .skip(1)
                    .all(|part| RESPONSE_METHODS.contains(&part.trim_end_matches("()")))
                && call.callee.contains('.')
        })
}

/// Whether a handler reads stored data (a query, a document or collection
/// read), directly or through a local helper: an open route that does so
/// hands the data to anyone.
pub(crate) fn reads_data(model: &SourceModel, route: &Route) -> bool {
    let Some((file, function)) = handler(model, route) else {
        return false;
    };
    calls_with_helpers(model, file, function)
        .iter()
        .any(|(_, call)| {
            let method = call.method();
            matches!(
                method,
                "find"
                    | "findMany"
                    | "findUnique"
                    | "findFirst"
                    | "findOne"
                    | "findAll"
                    | "select"
                    | "query"
                    | "from"
                    | "collection"
                    | "doc"
                    | "where"
            ) || (method == "get"
                && ["collection", "doc", "db", "firestore", "database", "ref"]
                    .iter()
                    .any(|w| call.callee.contains(w)))
        })
}

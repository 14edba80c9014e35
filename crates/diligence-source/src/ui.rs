//! "Guarded only in the UI": a server route with no server-side check of
//! the caller, called from browser code that only runs for signed-in
//! users.
//!
//! The browser side is read from the client modules' calls: `fetch`,
//! axios-style clients (`axios.post('/api/x')`), `supabase.functions.invoke`
//! and server actions imported from a `'use server'` module. A call is
//! matched to a route by method and path (route parameters and template
//! expressions match any segment). The calling module counts as signed-in
//! only when it reads the signed-in user itself (`useAuth()`,
//! `useSession()`, `supabase.auth.getUser()`), or when a module that
//! imports it imports a route-guard component (`ProtectedRoute`,
//! `RequireAuth`). When the call also sends the user's own id
//! (`{ userId: user.id }`), the server trusts an id the caller chose.

use diligence_model::Confidence;

use crate::model::{Arg, Call, FileModel, Language, Runtime};
use crate::routes::Route;
use crate::{SourceModel, resolve};

/// Hooks and calls that read the signed-in user in browser code.
const AUTH_HOOKS: &[&str] = &[
    "useAuth",
    "useSession",
    "useUser",
    "useAuthContext",
    "useCurrentUser",
    "useSupabaseUser",
    "useAuthState",
    "useAuthUser",
    "useClerk",
    "onAuthStateChanged",
    "onAuthStateChange",
];

/// Words of component names that guard client-side routes.
const GUARD_COMPONENTS: &[&str] = &[
    "ProtectedRoute",
    "PrivateRoute",
    "RequireAuth",
    "AuthGuard",
    "RequireAdmin",
    "AdminRoute",
    "AuthRoute",
    "ProtectedLayout",
    "withAuth",
    "SignedIn",
    "AuthenticatedRoute",
    "RequireUser",
];

/// Methods of HTTP clients that name the method they send.
const CLIENT_METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// Roots of HTTP clients whose `get`/`post`… send a request.
const CLIENT_ROOTS: &[&str] = &[
    "axios",
    "api",
    "http",
    "client",
    "ky",
    "apiClient",
    "instance",
];

/// What makes the calling module a signed-in page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// The module reads the signed-in user (`useAuth`).
    ReadsUser(String),
    /// A module that imports it imports a guard component.
    GuardedBy {
        /// The guard's name.
        guard: String,
        /// The importing module.
        file: String,
    },
}

/// A browser call of a route from a signed-in page.
#[derive(Clone, Debug)]
pub(crate) struct UiCall {
    /// The calling module.
    pub(crate) file: String,
    /// The call's line.
    pub(crate) line: u32,
    /// Why the page is taken as signed-in.
    pub(crate) signal: Signal,
    /// Whether the call sends the signed-in user's id.
    pub(crate) sends_user_id: bool,
}

impl UiCall {
    /// How sure the finding is: high when the page reads the user and
    /// sends its id, medium when it reads the user, low through an
    /// importer's guard component alone.
    pub(crate) fn confidence(&self) -> Confidence {
        match (&self.signal, self.sends_user_id) {
            (Signal::ReadsUser(_), true) => Confidence::High,
            (Signal::ReadsUser(_), false) | (Signal::GuardedBy { .. }, true) => Confidence::Medium,
            (Signal::GuardedBy { .. }, false) => Confidence::Low,
        }
    }

    /// The signal in words, for a finding's message.
    pub(crate) fn describe(&self) -> String {
        let page = match &self.signal {
            Signal::ReadsUser(hook) => format!(
                "{}:{} calls it from a page that reads the signed-in user (`{hook}`)",
                self.file, self.line
            ),
            Signal::GuardedBy { guard, file } => format!(
                "{}:{} calls it from a page that {file} puts behind `{guard}`",
                self.file, self.line
            ),
        };
        if self.sends_user_id {
            format!("{page} and sends the user's own id, which the server takes on trust")
        } else {
            page
        }
    }
}

fn is_browser(file: &FileModel) -> bool {
    match file.runtime {
        Runtime::Client => true,
        Runtime::Server => false,
        _ => matches!(file.language, Language::Jsx | Language::Tsx),
    }
}

/// The path a URL argument names, with `*` for its expressions; `None`
/// when it is not a path of this app.
fn url_path(arg: &Arg) -> Option<String> {
    let raw = match arg {
        Arg::Str(s) => s.clone(),
        Arg::Template { parts, .. } => parts.join("*"),
        _ => return None,
    };
    // Drop an origin (`${API}/x`, `https://host/x`) and a query.
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    let path = match raw.find("://") {
        Some(at) => raw[at + 3..].find('/').map(|p| &raw[at + 3 + p..])?,
        None => raw.trim_start_matches('*'),
    };
    path.starts_with('/').then(|| path.to_owned())
}

/// Whether a route path matches a called path segment by segment: route
/// parameters and `*` match any one segment, and a trailing `*` of the
/// called path any rest.
fn path_matches(route: &str, called: &str) -> bool {
    let param = |s: &str| {
        s.starts_with(':')
            || (s.starts_with('[') && s.ends_with(']'))
            || (s.starts_with('{') && s.ends_with('}'))
            || (s.starts_with('<') && s.ends_with('>'))
    };
    let route: Vec<&str> = route.trim_end_matches('/').split('/').collect();
    let called: Vec<&str> = called.trim_end_matches('/').split('/').collect();
    if route.len() != called.len() {
        return false;
    }
    route
        .iter()
        .zip(&called)
        .all(|(r, c)| r == c || param(r) || c.contains('*'))
}

/// The method and path a browser call sends, when it is an HTTP call.
fn http_call(call: &Call) -> Option<(String, String)> {
    let method = call.method();
    let first = call.args.first()?;
    if call.callee == "fetch" || call.callee == "$fetch" || call.callee == "ofetch" {
        let path = url_path(first)?;
        let method = call
            .args
            .get(1)
            .and_then(|options| options.property("method"))
            .and_then(Arg::as_str)
            .map_or("GET".to_owned(), str::to_ascii_uppercase);
        return Some((method, path));
    }
    if CLIENT_METHODS.contains(&method) && CLIENT_ROOTS.contains(&call.root()) {
        return Some((method.to_ascii_uppercase(), url_path(first)?));
    }
    None
}

/// Whether a browser call reaches `route`.
fn reaches(model: &SourceModel, file: &FileModel, call: &Call, route: &Route) -> bool {
    if route.framework == "Supabase Edge Functions" {
        let name = route.path.rsplit('/').next().unwrap_or("");
        if call.callee.ends_with("functions.invoke") {
            return call.args.first().and_then(Arg::as_str) == Some(name);
        }
        return http_call(call).is_some_and(|(_, path)| path.ends_with(&format!("/{name}")));
    }
    if route.method == "ACTION" {
        // A server action is called by name, imported from its module.
        return call.callee == route.path
            && file.imports.iter().any(|i| {
                i.names.contains(&route.path)
                    && resolve::import(model, &file.path, &i.specifier)
                        .is_some_and(|target| target.path == route.file)
            });
    }
    let Some((method, path)) = http_call(call) else {
        return false;
    };
    (route.method == "ANY" || route.method == method) && path_matches(&route.path, &path)
}

/// Body keys that carry a user's id.
const USER_ID_KEYS: &[&str] = &[
    "userId",
    "user_id",
    "uid",
    "ownerId",
    "owner_id",
    "profileId",
];

/// Whether an argument sends the signed-in user's id.
fn sends_user_id(arg: &Arg) -> bool {
    match arg {
        Arg::Member(path) => {
            let path = path.replace('?', "");
            let owner = path.rsplit_once('.').map_or("", |(o, _)| o);
            path.ends_with(".id")
                && [
                    "user",
                    "session.user",
                    "currentUser",
                    "profile",
                    "auth.user",
                ]
                .iter()
                .any(|o| owner == *o || owner.ends_with(&format!(".{o}")))
        }
        Arg::Ident(name) => name == "userId" || name == "user_id",
        // `{ userId: … }`: the key says whose id it is, whatever the value.
        Arg::Object(properties) => properties.iter().any(|(key, value)| {
            (USER_ID_KEYS.contains(&key.as_str()) && !matches!(value, Arg::Str(_) | Arg::Bool(_)))
                || sends_user_id(value)
        }),
        Arg::Array(items) => items.iter().any(sends_user_id),
        Arg::Call { args, .. } => args.iter().any(sends_user_id),
        _ => false,
    }
}

/// The hook or call by which a module reads the signed-in user.
fn reads_user(file: &FileModel) -> Option<String> {
    file.calls
        .iter()
        .find(|c| {
            AUTH_HOOKS.contains(&c.method())
                || c.callee.ends_with("auth.getUser")
                || c.callee.ends_with("auth.getSession")
        })
        .map(|c| c.callee.clone())
}

/// A guard component imported by a module that imports `file`.
fn guarded_by(model: &SourceModel, file: &FileModel) -> Option<(String, String)> {
    model
        .files
        .iter()
        .filter(|f| is_browser(f) && f.path != file.path)
        .filter(|f| {
            f.imports.iter().any(|i| {
                resolve::is_local(&i.specifier)
                    && resolve::import(model, &f.path, &i.specifier)
                        .is_some_and(|target| target.path == file.path)
            })
        })
        .find_map(|importer| {
            importer.imports.iter().find_map(|i| {
                i.names
                    .iter()
                    .find(|n| GUARD_COMPONENTS.iter().any(|g| n.contains(g)))
                    .map(|n| (n.clone(), importer.path.clone()))
            })
        })
}

/// The first browser call of `route` from a signed-in page, if any.
pub(crate) fn caller(model: &SourceModel, route: &Route) -> Option<UiCall> {
    let mut best: Option<UiCall> = None;
    for file in model.files.iter().filter(|f| is_browser(f)) {
        let Some(call) = file.calls.iter().find(|c| reaches(model, file, c, route)) else {
            continue;
        };
        let signal = match reads_user(file) {
            Some(hook) => Signal::ReadsUser(hook),
            None => match guarded_by(model, file) {
                Some((guard, by)) => Signal::GuardedBy { guard, file: by },
                None => continue,
            },
        };
        let found = UiCall {
            file: file.path.clone(),
            line: call.line,
            signal,
            sends_user_id: call.args.iter().any(sends_user_id),
        };
        if best
            .as_ref()
            .is_none_or(|b| found.confidence() > b.confidence())
        {
            best = Some(found);
        }
    }
    best
}

//! Supabase edge functions: the project configuration (`verify_jwt` per
//! function), the route inventory and the caller checks in each handler.
//!
//! Each `supabase/functions/<name>/index.ts` (`_shared` and other folders
//! starting with `_` excepted) is one route, `ANY /functions/v1/<name>`.
//! The platform checks a JWT before the handler runs unless the function
//! sets `verify_jwt = false`; the anon key is such a JWT and ships in every
//! client, so `verify_jwt` alone never tells *who* calls. A handler is
//! guarded when it asks Supabase Auth who the caller is (`auth.getUser`,
//! `auth.getClaims`) or verifies a JWT itself, in its own file (high
//! confidence) or in a local helper it imports and calls (one hop, medium).

use std::collections::BTreeMap;

use diligence_model::Confidence;

use crate::{Call, FileModel, MAX_FILE_SIZE, ParseError, Reader, SourceFile, SourceModel};

/// Where the Supabase CLI keeps the project configuration, relative to the
/// project's folder.
pub const CONFIG_PATH: &str = "supabase/config.toml";

/// The folder of edge functions, relative to the project's folder.
const FUNCTIONS_DIR: &str = "supabase/functions/";

/// The Supabase project configuration, as far as routes care.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupabaseConfig {
    /// `verify_jwt` of each function that sets it, with the line.
    pub verify_jwt: BTreeMap<String, (bool, u32)>,
    /// The schemas the API exposes (`[api] schemas`), when listed.
    pub api_schemas: Option<Vec<String>>,
    /// Second factors enabled under `[auth.mfa]` (`TOTP`, `phone`,
    /// `WebAuthn`): offered to users, not enforced by themselves.
    pub mfa: Vec<String>,
    /// Why the file could not be read, when it could not.
    pub error: Option<ParseError>,
}

impl SupabaseConfig {
    /// Reads every `supabase/config.toml` of the target (at the root or in
    /// a monorepo's app folder), vendored and generated copies aside.
    pub fn find_all(files: &[SourceFile<'_>], read: &Reader<'_>) -> BTreeMap<String, Self> {
        files
            .iter()
            .filter(|f| f.path == CONFIG_PATH || f.path.ends_with(&format!("/{CONFIG_PATH}")))
            .filter(|f| {
                !matches!(
                    diligence_model::classify(f.path),
                    diligence_model::FileClass::Vendored | diligence_model::FileClass::Generated
                )
            })
            .map(|file| (file.path.to_owned(), Self::read(file, read)))
            .collect()
    }

    fn read(file: &SourceFile<'_>, read: &Reader<'_>) -> Self {
        if file.size > MAX_FILE_SIZE {
            return Self {
                error: Some(ParseError::Read {
                    message: format!("larger than {MAX_FILE_SIZE} bytes"),
                }),
                ..Self::default()
            };
        }
        match read(file.path) {
            Ok(bytes) => Self::parse(&String::from_utf8_lossy(&bytes)),
            Err(error) => Self {
                error: Some(ParseError::Read {
                    message: error.to_string(),
                }),
                ..Self::default()
            },
        }
    }

    /// Parses the text of `supabase/config.toml`.
    pub fn parse(text: &str) -> Self {
        let table = match text.parse::<toml::Table>() {
            Ok(table) => table,
            Err(error) => {
                let line = error.span().map(|span| line_of(text, span.start));
                return Self {
                    error: Some(ParseError::Config {
                        message: error.message().to_owned(),
                        line,
                    }),
                    ..Self::default()
                };
            }
        };
        let mut config = Self::default();
        if let Some(toml::Value::Array(schemas)) =
            table.get("api").and_then(|api| api.get("schemas"))
        {
            config.api_schemas = Some(
                schemas
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        if let Some(toml::Value::Table(mfa)) = table.get("auth").and_then(|auth| auth.get("mfa")) {
            for (key, name) in [
                ("totp", "TOTP"),
                ("phone", "phone"),
                ("web_authn", "WebAuthn"),
            ] {
                let enabled = |setting: &str| {
                    mfa.get(key)
                        .and_then(|factor| factor.get(setting))
                        .and_then(toml::Value::as_bool)
                        == Some(true)
                };
                if enabled("enroll_enabled") || enabled("verify_enabled") {
                    config.mfa.push(name.to_owned());
                }
            }
        }
        let Some(toml::Value::Table(functions)) = table.get("functions") else {
            return config;
        };
        for (name, settings) in functions {
            if let Some(toml::Value::Boolean(verify)) = settings.get("verify_jwt") {
                let line = header_line(text, name).unwrap_or(1);
                config.verify_jwt.insert(name.clone(), (*verify, line));
            }
        }
        config
    }
}

fn line_of(text: &str, offset: usize) -> u32 {
    let before = text.get(..offset).unwrap_or(text);
    u32::try_from(before.bytes().filter(|b| *b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

/// The line of `[functions.<name>]`.
fn header_line(text: &str, name: &str) -> Option<u32> {
    let plain = format!("[functions.{name}]");
    let quoted = format!("[functions.\"{name}\"]");
    text.lines()
        .position(|l| {
            let l = l.trim();
            l.starts_with(&plain) || l.starts_with(&quoted)
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// How a route checks its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guard {
    /// A call that identifies the caller, in the handler or one hop away.
    Caller {
        /// The call (`supabase.auth.getUser`).
        call: String,
        /// The file it is in.
        path: String,
        /// High in the handler file, medium through a helper.
        confidence: Confidence,
    },
    /// A webhook that verifies its provider's signature.
    Signature {
        /// The call (`stripe.webhooks.constructEventAsync`).
        call: String,
    },
    /// No check found.
    None,
}

/// A query or admin call made with the service-role key on an id taken
/// from the request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyIdUse {
    /// The call (`admin.from().update().eq`).
    pub call: String,
    /// The body field (`userId`).
    pub field: String,
    /// 1-based line of the call in the handler.
    pub line: u32,
    /// Whether the handler compares that id with something (an ownership
    /// check such as `user.id !== userId`).
    pub compared: bool,
    /// How sure the client is the service-role one.
    pub confidence: Confidence,
}

/// One edge function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeFunction {
    /// The function's name (its folder).
    pub name: String,
    /// The handler file.
    pub path: String,
    /// Line of the `serve` / `Deno.serve` call, when found.
    pub line: Option<u32>,
    /// `verify_jwt` from the configuration: `None` when not set (the
    /// platform default is on).
    pub verify_jwt: Option<bool>,
    /// Whether the handler was parsed (a handler that failed to parse is
    /// listed but not judged).
    pub parsed: bool,
    /// The caller check.
    pub guard: Guard,
    /// Where the service-role key is used, when it is: the file (the
    /// handler or a helper it imports).
    pub service_role: Option<String>,
    /// Ids from the request body used with the service-role client.
    pub body_ids: Vec<BodyIdUse>,
    /// Local imports that could not be followed (outside
    /// `supabase/functions/`, or not parsed).
    pub unresolved_imports: usize,
    /// The class of the handler file (a function in a test fixture is
    /// listed, but is not one of the product's routes).
    pub class: diligence_model::FileClass,
}

impl EdgeFunction {
    /// The route's path.
    pub fn route(&self) -> String {
        format!("/functions/v1/{}", self.name)
    }

    /// Whether the handler checks who calls (a caller check or a webhook
    /// signature). `verify_jwt` does not count: the anon key passes it.
    pub fn checks_caller(&self) -> bool {
        !matches!(self.guard, Guard::None)
    }

    /// `verify_jwt` as the platform applies it.
    pub fn verifies_jwt(&self) -> bool {
        self.verify_jwt.unwrap_or(true)
    }
}

/// Whether a call identifies the caller.
fn is_caller_check(call: &Call, file: &FileModel) -> bool {
    let method = call.method();
    matches!(
        method,
        "getUser" | "getClaims" | "jwtVerify" | "verifyJwt" | "verifyJWT"
    ) || call.callee.ends_with("jwt.verify")
        || (method == "verify"
            && (file.imports_module("djwt")
                || file.imports_module("jose")
                || file.imports_module("jsonwebtoken")))
}

/// Whether a call verifies a webhook provider's signature.
pub(crate) fn is_signature_check(call: &Call, file: &FileModel) -> bool {
    let method = call.method();
    matches!(method, "constructEvent" | "constructEventAsync")
        || verifier_name(method)
        || (method == "verify" && file.imports_module("svix"))
        || call.callee == "crypto.subtle.verify"
        // An HMAC of the body compared in constant time (GitHub, Slack,
        // Shopify webhooks).
        || (matches!(method, "timingSafeEqual" | "secureCompare" | "safeCompare")
            && file.calls.iter().any(|c| c.method() == "createHmac"))
}

/// Whether a function or middleware name says it verifies a provider's
/// request: a verb (`verify`, `validate`, `check`) followed by what is
/// verified, a signature, a webhook, an HMAC, or a provider's request or
/// token (`verifySignature`, `validateWebhook`, `verifySlackRequest`,
/// `verifySlackToken`). A bare `verifyToken` or `verifyIdToken` checks a
/// user's token, not a provider's: that is a caller check, read elsewhere.
pub(crate) fn verifier_name(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    let words = name_words(last);
    let Some((verb, rest)) = words.split_first() else {
        return false;
    };
    if !matches!(verb.as_str(), "verify" | "validate" | "check") || rest.is_empty() {
        return false;
    }
    if rest
        .iter()
        .any(|w| matches!(w.as_str(), "signature" | "webhook" | "webhooks" | "hmac"))
    {
        return true;
    }
    // `verify<Provider>Token` or `verify<Provider>Request`: the provider
    // names the token; a user's token is `id`, `access`, `auth`, `jwt`…
    matches!(rest.last().map(String::as_str), Some("token" | "request"))
        && rest.len() >= 2
        && !rest[..rest.len() - 1].iter().any(|w| {
            matches!(
                w.as_str(),
                "id" | "access"
                    | "auth"
                    | "jwt"
                    | "refresh"
                    | "session"
                    | "user"
                    | "bearer"
                    | "api"
                    | "csrf"
                    | "xsrf"
            )
        })
}

/// The lower-case words of a camel-case or snake-case name
/// (`verifySlackToken` → `verify`, `slack`, `token`).
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            previous_lower = false;
            words.push(String::new());
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(String::new());
        }
        if words.is_empty() {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut() {
            word.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    words.retain(|w| !w.is_empty());
    words
}

/// Whether an environment variable holds the service-role key.
fn is_service_role_env(name: &str) -> bool {
    name.to_ascii_uppercase().contains("SERVICE_ROLE")
}

/// Names in `file` bound to a Supabase client made with the service-role
/// key, and whether the key is used at all.
fn service_role_clients(file: &FileModel) -> (Vec<String>, bool) {
    let service_vars: Vec<&str> = file
        .env_bindings
        .iter()
        .filter(|b| is_service_role_env(&b.env))
        .map(|b| b.name.as_str())
        .collect();
    let mut clients = Vec::new();
    let mut used = file.env_reads.iter().any(|r| is_service_role_env(&r.name));
    for call in file.calls_named("createClient") {
        let service = call.args.iter().any(|a| match a {
            crate::Arg::Env(env) => is_service_role_env(env),
            crate::Arg::Ident(name) => service_vars.contains(&name.as_str()),
            _ => false,
        });
        if service {
            used = true;
            if let Some(name) = &call.bound_to {
                clients.push(name.clone());
            }
        }
    }
    (clients, used)
}

/// Calls that act on a record or user by id.
const ID_METHODS: &[&str] = &[
    "eq",
    "neq",
    "in",
    "match",
    "filter",
    "contains",
    "updateUserById",
    "deleteUser",
    "getUserById",
    "generateLink",
];

/// Resolves a relative import of `from` to a parsed file.
pub(crate) fn resolve<'m>(
    model: &'m SourceModel,
    from: &str,
    specifier: &str,
) -> Option<&'m FileModel> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in specifier.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let base = parts.join("/");
    [
        base.clone(),
        format!("{base}.ts"),
        format!("{base}.js"),
        format!("{base}/index.ts"),
        format!("{base}/index.js"),
    ]
    .iter()
    .find_map(|p| model.file(p))
}

/// Every edge function of the target, sorted by name.
pub fn edge_functions(model: &SourceModel) -> Vec<EdgeFunction> {
    // (project folder, function name) → handler path.
    let mut handlers: BTreeMap<(String, String), String> = BTreeMap::new();
    let paths = model
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(model.failed.iter().map(|f| f.path.as_str()));
    for path in paths {
        let Some(at) = path.find(FUNCTIONS_DIR) else {
            continue;
        };
        let project = &path[..at];
        if !(project.is_empty() || project.ends_with('/')) {
            continue;
        }
        let rest = &path[at + FUNCTIONS_DIR.len()..];
        let Some((name, file)) = rest.split_once('/') else {
            continue;
        };
        let index = matches!(file, "index.ts" | "index.js" | "index.tsx" | "index.mjs");
        if index && !name.starts_with('_') && !name.starts_with('.') {
            handlers
                .entry((project.to_owned(), name.to_owned()))
                .or_insert_with(|| path.to_owned());
        }
    }
    handlers
        .into_iter()
        .map(|((project, name), path)| {
            let verify_jwt = model
                .supabase
                .get(&format!("{project}{CONFIG_PATH}"))
                .and_then(|c| c.verify_jwt.get(&name))
                .map(|(v, _)| *v);
            match model.file(&path) {
                Some(handler) => analyse(model, name, handler, verify_jwt),
                None => EdgeFunction {
                    name,
                    class: diligence_model::classify(&path),
                    path,
                    line: None,
                    verify_jwt,
                    parsed: false,
                    guard: Guard::None,
                    service_role: None,
                    body_ids: Vec::new(),
                    unresolved_imports: 0,
                },
            }
        })
        .collect()
}

fn analyse(
    model: &SourceModel,
    name: String,
    handler: &FileModel,
    verify_jwt: Option<bool>,
) -> EdgeFunction {
    let line = handler
        .calls
        .iter()
        .find(|c| c.callee == "Deno.serve" || c.callee == "serve")
        .map(|c| c.line);

    // Local helpers one hop away, with the names the handler imports.
    let mut helpers: Vec<(&FileModel, &[String])> = Vec::new();
    let mut unresolved_imports = 0;
    for import in &handler.imports {
        if !import.specifier.starts_with('.') {
            continue;
        }
        match resolve(model, &handler.path, &import.specifier) {
            Some(file) if file.path.contains(FUNCTIONS_DIR) => {
                helpers.push((file, &import.names));
            }
            _ => unresolved_imports += 1,
        }
    }

    let guard = if let Some(call) = handler.calls.iter().find(|c| is_caller_check(c, handler)) {
        Guard::Caller {
            call: call.callee.clone(),
            path: handler.path.clone(),
            confidence: Confidence::High,
        }
    } else if let Some(call) = handler
        .calls
        .iter()
        .find(|c| is_signature_check(c, handler))
    {
        Guard::Signature {
            call: call.callee.clone(),
        }
    } else {
        helpers
            .iter()
            .find_map(|(helper, names)| {
                let called = handler
                    .calls
                    .iter()
                    .any(|c| names.iter().any(|n| c.root() == n));
                let check = helper.calls.iter().find(|c| is_caller_check(c, helper))?;
                called.then(|| Guard::Caller {
                    call: check.callee.clone(),
                    path: helper.path.clone(),
                    confidence: Confidence::Medium,
                })
            })
            .unwrap_or(Guard::None)
    };

    // Service-role clients: made in the handler, or imported from a helper.
    let (handler_clients, used) = service_role_clients(handler);
    let mut clients: Vec<(String, Confidence)> = handler_clients
        .into_iter()
        .map(|c| (c, Confidence::High))
        .collect();
    let mut service_role = used.then(|| handler.path.clone());
    for (helper, names) in &helpers {
        let (helper_clients, helper_used) = service_role_clients(helper);
        let imported: Vec<&String> = names
            .iter()
            .filter(|n| helper_clients.contains(n))
            .collect();
        // A helper that uses the key behind a function the handler calls
        // counts too, though its client cannot be followed by name.
        let calls_helper = handler
            .calls
            .iter()
            .any(|c| names.iter().any(|n| c.root() == n));
        if service_role.is_none() && (!imported.is_empty() || (helper_used && calls_helper)) {
            service_role = Some(helper.path.clone());
        }
        clients.extend(
            imported
                .into_iter()
                .map(|n| (n.clone(), Confidence::Medium)),
        );
    }

    let mut body_ids = Vec::new();
    for call in &handler.calls {
        let Some((_, confidence)) = clients.iter().find(|(c, _)| call.root() == c) else {
            continue;
        };
        if !ID_METHODS.contains(&call.method()) {
            continue;
        }
        for arg in &call.args {
            let held = match arg {
                crate::Arg::Ident(name) | crate::Arg::Member(name) => name,
                _ => continue,
            };
            if let Some(field) = handler.body_fields.iter().find(|f| &f.local == held) {
                let compared = handler.comparisons.iter().any(|c| {
                    (c.left == field.local && c.right != field.local)
                        || (c.right == field.local && c.left != field.local)
                });
                body_ids.push(BodyIdUse {
                    call: call.callee.clone(),
                    field: field.field.clone(),
                    line: call.line,
                    compared,
                    confidence: *confidence,
                });
            }
        }
    }

    EdgeFunction {
        name,
        class: handler.class,
        path: handler.path.clone(),
        line,
        verify_jwt,
        parsed: true,
        guard,
        service_role,
        body_ids,
        unresolved_imports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_names_are_a_verb_and_what_a_provider_signs() {
        for name in [
            "verifySignature",
            "validateWebhook",
            "verifyWebhookSignature",
            "check_hmac",
            "verifySlackRequest",
            "verifySlackToken",
            "auth.verify_github_signature",
        ] {
            assert!(verifier_name(name), "{name}");
        }
        for name in [
            "verify",
            "verifyToken",
            "verifyIdToken",
            "verifyAccessToken",
            "verifyUserRequest",
            "verifyCsrfToken",
            "validateBody",
            "checkRole",
            "signatureOf",
            "webhookSettings",
        ] {
            assert!(!verifier_name(name), "{name}");
        }
    }

    #[test]
    fn config_verify_jwt_and_lines() {
        let config = SupabaseConfig::parse(
            "project_id = \"x\"\n\n[functions.pay]\nverify_jwt = false\n\n[functions.\"hook\"]\nverify_jwt = true\n[functions.other]\nimport_map = \"x\"\n",
        );
        assert_eq!(config.error, None);
        assert_eq!(config.verify_jwt.get("pay"), Some(&(false, 3)));
        assert_eq!(config.verify_jwt.get("hook"), Some(&(true, 6)));
        assert_eq!(config.verify_jwt.get("other"), None);
    }

    #[test]
    fn config_error_has_a_line() {
        let config = SupabaseConfig::parse("[functions.pay]\nverify_jwt = \n");
        assert!(matches!(
            config.error,
            Some(ParseError::Config { line: Some(2), .. })
        ));
    }
}

//! Identity: which sign-in library or provider the code uses, and the
//! token and password mistakes that hand-rolled authentication makes
//! (literal JWT secrets, decoding without verifying, the `none`
//! algorithm, tokens that never expire, fast password hashes, tokens in
//! `localStorage`).

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::{Confidence, Evidence, FileClass, Finding, Location, Severity};

use crate::{Arg, Call, FileModel, SourceModel};

/// Identity providers and libraries, by the module a file imports.
const PROVIDERS: &[(&str, &str)] = &[
    ("next-auth", "Auth.js/NextAuth"),
    ("@auth/", "Auth.js/NextAuth"),
    ("@clerk/", "Clerk"),
    ("@auth0/", "Auth0"),
    ("express-oauth2-jwt-bearer", "Auth0"),
    ("express-openid-connect", "Auth0"),
    ("@supabase/auth-helpers", "Supabase Auth"),
    ("@supabase/ssr", "Supabase Auth"),
    ("firebase/auth", "Firebase Auth"),
    ("firebase-admin/auth", "Firebase Auth"),
    ("passport", "Passport"),
    ("better-auth", "better-auth"),
    ("lucia", "Lucia"),
    ("@lucia-auth/", "Lucia"),
    ("@kinde-oss/", "Kinde"),
];

/// Supabase Auth calls (on any client).
const SUPABASE_AUTH: &[&str] = &[
    "auth.getUser",
    "auth.getClaims",
    "auth.getSession",
    "auth.signInWithPassword",
    "auth.signInWithOAuth",
    "auth.signInWithOtp",
    "auth.signUp",
];

/// Whether a module specifier names `module` (itself, a subpath, or a
/// `passport-jwt`-style plugin); `npm:` prefixes of Deno are ignored.
fn names_module(specifier: &str, module: &str) -> bool {
    let specifier = specifier.strip_prefix("npm:").unwrap_or(specifier);
    if module.ends_with('/') {
        return specifier.starts_with(module);
    }
    specifier == module
        || specifier
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with(['/', '-', '@']))
}

/// The names under which a file holds `jsonwebtoken` (its default or
/// namespace import, or a `require`), and the functions it imports from it
/// by name.
fn jwt_names(file: &FileModel) -> Vec<&str> {
    let imported = file
        .imports
        .iter()
        .filter(|i| names_module(&i.specifier, "jsonwebtoken"))
        .flat_map(|i| i.names.iter().map(String::as_str));
    let required = file
        .calls
        .iter()
        .filter(|c| {
            c.callee == "require" && c.args.first().and_then(Arg::as_str) == Some("jsonwebtoken")
        })
        .filter_map(|c| c.bound_to.as_deref());
    imported.chain(required).collect()
}

/// The names under which a Python file holds PyJWT (`import jwt`) or
/// python-jose's `jwt` (`from jose import jwt`), and `encode` and
/// `decode` imported from either by name.
fn python_jwt_names(file: &FileModel) -> Vec<&str> {
    file.imports
        .iter()
        .flat_map(|i| {
            let names = i.names.iter().map(String::as_str);
            match i.specifier.as_str() {
                "jwt" | "jose.jwt" => names.collect::<Vec<_>>(),
                "jose" => names.filter(|n| *n == "jwt").collect(),
                _ => Vec::new(),
            }
        })
        .collect()
}

/// Whether a call is `jsonwebtoken`'s `method` (`jwt.sign`, or `sign`
/// imported by name).
fn is_jwt(call: &Call, names: &[&str], method: &str) -> bool {
    if names.is_empty() {
        return false;
    }
    call.callee == method && names.contains(&method)
        || call
            .callee
            .strip_suffix(method)
            .and_then(|r| r.strip_suffix('.'))
            .is_some_and(|root| names.contains(&root))
}

/// Whether a call is jose's `new SignJWT(…)…sign(key)`.
fn is_jose_sign(call: &Call) -> bool {
    call.callee.starts_with("new SignJWT()") && call.method() == "sign"
}

/// How a secret written in the code reaches a call.
enum Written {
    /// As a literal, a variable bound to one, or its encoding.
    Literal,
    /// As the literal an environment variable's read falls back to where
    /// the variable is unset (`process.env.JWT_SECRET || 'secret'`): the
    /// variable's name.
    Fallback(String),
}

/// How a call takes its secret, in the words of a finding: `jwt.sign`
/// uses it, Rust's `EncodingKey::from_secret` builds the token key from it.
#[derive(Clone, Copy)]
enum Takes {
    Uses,
    BuildsKeyFrom,
}

/// The `source.jwt-literal-secret` finding of a call given a secret
/// written in the code. A fallback is at medium confidence in production:
/// whether a deployment sets the variable is not in the code.
fn written_secret_finding(
    written: Written,
    call: &Call,
    takes: Takes,
    production: bool,
    at: &Location,
) -> diligence_model::Result<Finding> {
    let rule = diligence_model::RuleId::new("source.jwt-literal-secret")
        .expect("built-in rule ids are valid");
    let callee = &call.callee;
    let builder = match written {
        Written::Literal => {
            let (severity, confidence) = if production {
                (Severity::High, Confidence::High)
            } else {
                (Severity::Low, Confidence::Medium)
            };
            let verb = match takes {
                Takes::Uses => "uses",
                Takes::BuildsKeyFrom => "builds the token key from",
            };
            Finding::builder(rule, severity, confidence)
                .message(format!("`{callee}` {verb} a secret written in the code: anyone who reads the code (or its history) can mint valid tokens for any user."))
                .remediation("Read the secret from the environment or a secret store, rotate the one in the code (every token signed with it stays valid until then), and prefer an asymmetric key pair.")
        }
        Written::Fallback(env) => {
            let (severity, confidence) = if production {
                (Severity::High, Confidence::Medium)
            } else {
                (Severity::Low, Confidence::Low)
            };
            let source = match takes {
                Takes::Uses => format!("uses the secret in `{env}`, or a literal"),
                Takes::BuildsKeyFrom => {
                    format!("builds the token key from `{env}`, or from a literal")
                }
            };
            Finding::builder(rule, severity, confidence)
                .message(format!("`{callee}` {source} written in the code where `{env}` is unset: a deployment that misses the variable uses a secret anyone who reads the code knows, and anyone can mint tokens it accepts."))
                .remediation(format!("Fail at start-up when `{env}` is unset instead of falling back to a literal, and rotate the secret of any deployment that ran without it."))
        }
    };
    builder.location(at.clone()).build()
}

fn written_secret(file: &FileModel, arg: &Arg, line: u32) -> Option<Written> {
    // The first read of `env` from `line` on, within `lines` lines (a
    // call's arguments or an initialiser written over several lines), if
    // it falls back to a literal: another read of the same variable
    // elsewhere in the file is another expression.
    let fallback = |env: &str, line: u32, lines: u32| {
        file.env_reads
            .iter()
            .find(|read| read.name == env && (line..=line + lines).contains(&read.line))
            .filter(|read| read.fallback.as_ref().is_some_and(|f| !f.is_empty()))
            .map(|_| Written::Fallback(env.to_owned()))
    };
    // A public key or certificate verifies; it is no secret.
    let secret = |s: &str| {
        !s.is_empty() && !s.contains("BEGIN PUBLIC KEY") && !s.contains("BEGIN CERTIFICATE")
    };
    match arg {
        Arg::Str(s) => secret(s).then_some(Written::Literal),
        Arg::Env(env) => fallback(env, line, 40),
        Arg::Ident(name) => {
            // A binding, or a Python assignment (module constants such as
            // `SECRET_KEY = os.getenv("SECRET_KEY", "…")`).
            let (value, at) = match file.binding(name, line) {
                Some(binding) => (&binding.value, binding.line),
                None => file
                    .python
                    .assignments
                    .iter()
                    .rfind(|a| a.target == *name && a.line <= line)
                    .map(|a| (&a.value, a.line))?,
            };
            match value {
                Arg::Str(s) => secret(s).then_some(Written::Literal),
                Arg::Env(env) => fallback(env, at, 3),
                _ => None,
            }
        }
        Arg::Call { callee, args } if callee.ends_with("encode") => {
            written_secret(file, args.first()?, line)
        }
        _ => None,
    }
}

/// Whether an options object asks for the `none` algorithm.
fn none_algorithm(arg: &Arg) -> bool {
    let none = |a: &Arg| a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("none"));
    match arg {
        Arg::Object(properties) => {
            properties
                .iter()
                .any(|(key, value)| match (key.as_str(), value) {
                    ("algorithms", Arg::Array(items)) => items.iter().any(none),
                    ("algorithm" | "alg", value) => none(value),
                    (_, value) => none_algorithm(value),
                })
        }
        _ => false,
    }
}

/// The innermost function around a call, as its calls.
fn sibling_calls<'f>(file: &'f FileModel, call: &Call) -> Vec<&'f Call> {
    match file
        .functions
        .iter()
        .filter(|f| f.contains_call(call))
        .min_by_key(|f| f.span.1 - f.span.0)
    {
        Some(function) => file.calls_in(function).collect(),
        None => file.calls.iter().collect(),
    }
}

/// Whether a name speaks of a password.
fn mentions_password(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["password", "passwd", "pwd", "passphrase"]
        .iter()
        .any(|w| lower.contains(w))
}

fn arg_mentions_password(arg: &Arg) -> bool {
    match arg {
        Arg::Ident(name) | Arg::Member(name) => mentions_password(name),
        Arg::Template { exprs, .. } => exprs.iter().any(|e| mentions_password(e)),
        _ => false,
    }
}

/// Keys of `localStorage` that hold a credential.
fn credential_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    ["token", "jwt", "session", "access", "refresh", "bearer"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Identity providers and libraries the production code uses, from its
/// imports (and, for Supabase Auth, its calls).
pub(crate) fn providers(model: &SourceModel) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for file in model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
    {
        for import in &file.imports {
            if let Some((_, name)) = PROVIDERS
                .iter()
                .find(|(module, _)| names_module(&import.specifier, module))
            {
                found.insert((*name).to_owned());
            }
        }
        if file.imports_module("@supabase/")
            && file
                .calls
                .iter()
                .any(|c| SUPABASE_AUTH.iter().any(|m| c.callee.ends_with(m)))
        {
            found.insert("Supabase Auth".to_owned());
        }
        let names = jwt_names(file);
        let signs = file
            .calls
            .iter()
            .any(|c| is_jwt(c, &names, "sign") || is_jose_sign(c));
        if signs {
            found.insert("custom JWT".to_owned());
        }
    }
    found
}

fn push<E>(evidence: &mut Evidence, built: Result<Finding, E>) {
    if let Ok(finding) = built {
        evidence.findings.push(finding);
    }
}

/// The identity findings of every parsed file.
pub(crate) fn findings(model: &SourceModel, evidence: &mut Evidence) {
    let callers = Callers::new(model);
    for file in &model.files {
        file_findings(&callers, file, evidence);
    }
}

/// Calls by the callee's last name across the model, built on first use
/// (only a decode that its own function does not verify needs it).
struct Callers<'m> {
    model: &'m SourceModel,
    by_name: std::cell::OnceCell<BTreeMap<&'m str, Vec<(&'m FileModel, &'m Call)>>>,
}

impl<'m> Callers<'m> {
    fn new(model: &'m SourceModel) -> Self {
        Self {
            model,
            by_name: std::cell::OnceCell::new(),
        }
    }

    fn of(&self, name: &str) -> &[(&'m FileModel, &'m Call)] {
        self.by_name
            .get_or_init(|| {
                let mut out: BTreeMap<&str, Vec<(&FileModel, &Call)>> = BTreeMap::new();
                for file in &self.model.files {
                    for call in &file.calls {
                        out.entry(call.method()).or_default().push((file, call));
                    }
                }
                out
            })
            .get(name)
            .map_or(&[], Vec::as_slice)
    }
}

/// Whether every call of the named function around `call` (in its own
/// file or in files importing the name) sits in a function that also
/// verifies a token: a helper that decodes to find which key to verify
/// with (`getJWTPayload(token)` before `JWT.verify(token, user.secret)`).
/// False without callers.
fn callers_verify(callers: &Callers<'_>, home: &FileModel, call: &Call) -> bool {
    let Some(name) = home
        .functions
        .iter()
        .filter(|f| f.contains_call(call))
        .min_by_key(|f| f.span.1 - f.span.0)
        .and_then(|f| f.name.as_deref())
    else {
        return false;
    };
    let mut any = false;
    for (file, site) in callers.of(name) {
        let reaches = file.path == home.path
            || file
                .imports
                .iter()
                .any(|i| i.names.iter().any(|n| n == name));
        if !reaches {
            continue;
        }
        let verified = sibling_calls(file, site)
            .iter()
            .any(|c| c.method().to_ascii_lowercase().contains("verify"));
        if !verified {
            return false;
        }
        any = true;
    }
    any
}

/// Whether a decoded token is an OpenID Connect ID token taken from the
/// provider's token response (`params.id_token` in an OAuth callback):
/// it came straight from the provider over TLS, which the specification
/// accepts in place of a signature check. One read from the request is
/// not.
fn token_response_id_token(call: &Call) -> bool {
    let Some(Arg::Member(path)) = call.args.first() else {
        return false;
    };
    let parts: Vec<&str> = path.split(['.', '?']).filter(|p| !p.is_empty()).collect();
    matches!(parts.last(), Some(&"id_token" | &"idToken"))
        && !parts.iter().any(|p| {
            matches!(
                *p,
                "req" | "request" | "ctx" | "body" | "query" | "headers" | "cookies"
            )
        })
}

fn file_findings(callers: &Callers<'_>, file: &FileModel, evidence: &mut Evidence) {
    if file.language == crate::Language::Rust {
        return rust_findings(file, evidence);
    }
    let names = jwt_names(file);
    let python_names = if file.language == crate::Language::Python {
        python_jwt_names(file)
    } else {
        Vec::new()
    };
    let production = file.class == FileClass::Production;
    let rule = |id: &str| diligence_model::RuleId::new(id).expect("built-in rule ids are valid");
    for call in &file.calls {
        let at = Location::line(&file.path, call.line);
        let sign = is_jwt(call, &names, "sign");
        let verify = is_jwt(call, &names, "verify");
        let jose_verify = call.callee == "jwtVerify" && file.imports_module("jose");

        // A literal signing or verifying secret: the key is the second
        // argument of `jsonwebtoken`'s calls and of PyJWT's and
        // python-jose's `encode` and `decode` (or their `key=`).
        let python_jwt = ["encode", "decode"]
            .iter()
            .any(|method| is_jwt(call, &python_names, method));
        let secret = if is_jose_sign(call) {
            call.args.first()
        } else if sign || verify || jose_verify {
            call.args.get(1)
        } else if python_jwt {
            call.args.get(1).or_else(|| {
                call.keywords
                    .iter()
                    .find(|(k, _)| k == "key")
                    .map(|(_, v)| v)
            })
        } else {
            None
        };
        if let Some(written) = secret.and_then(|s| written_secret(file, s, call.line)) {
            push(
                evidence,
                written_secret_finding(written, call, Takes::Uses, production, &at),
            );
        }

        // The `none` algorithm.
        if call.args.iter().any(none_algorithm) {
            push(evidence, Finding::builder(rule("source.jwt-none-alg"), Severity::High, Confidence::High)
                .message(format!("`{}` allows the `none` algorithm: a token with no signature at all is accepted (or issued), so anyone can claim to be anyone.", call.callee))
                .location(at.clone())
                .remediation("List only the algorithm the key is for (`algorithms: ['HS256']` or `['RS256']`) and never `none`.")
                .build());
        }

        // A token that never expires.
        let no_expiry = if sign {
            let in_options = call.args.get(2).is_some_and(|o| {
                o.property("expiresIn").is_some() || matches!(o, Arg::Ident(_) | Arg::Member(_))
            });
            // `exp`, or an expiry of the app's own that its verifier
            // checks (`expiresAt`, `expires`, `expiry`).
            let in_payload = call.args.first().is_some_and(|p| match p {
                Arg::Object(items) => items
                    .iter()
                    .any(|(key, _)| key.to_ascii_lowercase().starts_with("exp")),
                _ => true,
            });
            !(in_options || in_payload)
        } else {
            is_jose_sign(call) && !call.callee.contains("setExpirationTime")
        };
        if no_expiry {
            push(evidence, Finding::builder(rule("source.jwt-no-expiry"), Severity::Low, Confidence::Medium)
                .message(format!("`{}` issues a token without an expiry: a leaked token works forever.", call.callee))
                .location(at.clone())
                .remediation("Give every token a short lifetime (`expiresIn: '15m'`, `setExpirationTime('15m')`) and refresh it through a revocable session.")
                .tag("heuristic")
                .build());
        }

        // Decoding without verifying, on the server.
        let decode = is_jwt(call, &names, "decode")
            || (call.callee == "jwtDecode" && file.imports_module("jwt-decode"))
            || (call.callee == "decodeJwt" && file.imports_module("jose"));
        if decode && file.runtime != crate::Runtime::Client {
            let verified = sibling_calls(file, call).iter().any(|c| {
                crate::nextjs::is_caller_check(c, file)
                    || c.method().to_ascii_lowercase().contains("verify")
            });
            if !verified && !token_response_id_token(call) && !callers_verify(callers, file, call) {
                push(evidence, Finding::builder(rule("source.jwt-decode-unverified"), Severity::Medium, Confidence::Medium)
                    .message(format!("`{}` reads a token's claims without checking its signature, and nothing in the same function verifies it: a forged token is believed.", call.callee))
                    .location(at.clone())
                    .remediation("Verify the token (`jwt.verify` with the key and the expected algorithm, `jwtVerify` in jose) and use the claims it returns; decode alone only for display.")
                    .tag("heuristic")
                    .build());
            }
        }

        // A fast hash of a password.
        let weak = (call.method() == "createHash"
            && call
                .args
                .first()
                .and_then(Arg::as_str)
                .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "md5" | "sha1")))
            || matches!(call.method(), "md5" | "sha1" | "MD5" | "SHA1");
        if weak {
            let same_line = file
                .calls
                .iter()
                .filter(|c| c.line == call.line)
                .any(|c| c.args.iter().any(arg_mentions_password));
            let in_password_function =
                file.functions
                    .iter()
                    .filter(|f| f.contains_call(call))
                    .any(|f| {
                        f.name.as_deref().is_some_and(mentions_password)
                            || f.params.iter().any(|p| mentions_password(p))
                    });
            if same_line || in_password_function {
                let confidence = if same_line {
                    Confidence::High
                } else {
                    Confidence::Medium
                };
                push(evidence, Finding::builder(rule("source.weak-password-hash"), Severity::High, confidence)
                    .message(format!("Passwords are hashed with `{}` (MD5 or SHA-1), which is fast and unsalted: a leaked table is cracked in hours.", call.callee))
                    .location(at.clone())
                    .remediation("Hash passwords with a slow, salted algorithm (argon2id, scrypt or bcrypt) and rehash existing ones at the next sign-in; better, leave passwords to an identity provider.")
                    .tag("heuristic")
                    .build());
            }
        }

        // A credential in localStorage.
        if call.callee.ends_with("localStorage.setItem")
            && call
                .args
                .first()
                .and_then(Arg::as_str)
                .is_some_and(credential_key)
        {
            push(evidence, Finding::builder(rule("source.token-in-localstorage"), Severity::Medium, Confidence::Medium)
                .message("A token is kept in localStorage, which every script on the page can read: one cross-site scripting flaw hands over the session.".to_owned())
                .location(at)
                .remediation("Keep sessions in an `HttpOnly`, `Secure`, `SameSite` cookie set by the server (or the provider's SDK), not in web storage.")
                .tag("heuristic")
                .build());
        }
    }
}

/// The Rust token and password findings: `jsonwebtoken` keys built from a
/// literal (`EncodingKey::from_secret(b"…")`), signature validation turned
/// off (`insecure_disable_signature_validation`, `insecure_decode`), and
/// MD5 or SHA-1 over a password (`md5::compute(password)`,
/// `Sha1::digest(password)`).
fn rust_findings(file: &FileModel, evidence: &mut Evidence) {
    let production = file.class == FileClass::Production;
    let rule = |id: &str| diligence_model::RuleId::new(id).expect("built-in rule ids are valid");
    for call in &file.calls {
        let at = Location::line(&file.path, call.line);
        let method = call.last_name();
        let key = matches!(method, "from_secret" | "from_base64_secret")
            && (call.callee.contains("EncodingKey") || call.callee.contains("DecodingKey"));
        let written = if key {
            call.args
                .first()
                .and_then(|a| written_secret(file, a, call.line))
        } else {
            None
        };
        if let Some(written) = written {
            push(
                evidence,
                written_secret_finding(written, call, Takes::BuildsKeyFrom, production, &at),
            );
        }
        let unverified = method == "insecure_disable_signature_validation"
            || matches!(
                method,
                "insecure_decode" | "dangerous_insecure_decode" | "dangerous_unsafe_decode"
            );
        if unverified && file.runtime != crate::Runtime::Client {
            let (severity, confidence) = if production {
                (Severity::Medium, Confidence::High)
            } else {
                (Severity::Low, Confidence::Medium)
            };
            push(evidence, Finding::builder(rule("source.jwt-decode-unverified"), severity, confidence)
                .message(format!("`{}` reads a token's claims without checking its signature: a forged token is believed.", call.callee))
                .location(at.clone())
                .remediation("Decode with a `DecodingKey` and a `Validation` that checks the signature, the algorithm and the expiry; keep insecure decoding for display only.")
                .tag("heuristic")
                .build());
        }
        let lower = call.callee.to_ascii_lowercase();
        let weak = (lower.contains("md5") || lower.contains("sha1"))
            && matches!(
                method,
                "compute" | "digest" | "new" | "update" | "chain_update"
            );
        if weak && call.args.iter().any(arg_mentions_password) {
            push(evidence, Finding::builder(rule("source.weak-password-hash"), Severity::High, Confidence::High)
                .message(format!("Passwords are hashed with `{}` (MD5 or SHA-1), which is fast and unsalted: a leaked table is cracked in hours.", call.callee))
                .location(at)
                .remediation("Hash passwords with a slow, salted algorithm (argon2id, scrypt or bcrypt: the `argon2` or `password-hash` crates) and rehash existing ones at the next sign-in.")
                .tag("heuristic")
                .build());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_match_whole_packages() {
        assert!(names_module("passport-jwt", "passport"));
        assert!(names_module("npm:@clerk/nextjs/server", "@clerk/"));
        assert!(!names_module("passportal", "passport"));
        assert!(names_module("next-auth/jwt", "next-auth"));
    }

    #[test]
    fn none_algorithm_is_found_in_nested_options() {
        let options = Arg::Object(vec![(
            "algorithms".into(),
            Arg::Array(vec![Arg::Str("HS256".into()), Arg::Str("None".into())]),
        )]);
        assert!(none_algorithm(&options));
        let fine = Arg::Object(vec![("algorithm".into(), Arg::Str("RS256".into()))]);
        assert!(!none_algorithm(&fine));
    }
}

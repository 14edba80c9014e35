//! Env files: which documented templates exist (`.env.example`,
//! `.env.sample`, `.env.template`), and which variables they or any other
//! env file declare under a prefix that bundlers inline into the browser
//! while the name says secret, service role or a paid provider's key.
//!
//! Names only: values are the `secrets` collector's, and never leave this
//! module. The vocabulary of client prefixes and secret names is the
//! `source` collector's ([`diligence_source::surface::client_secret_env`]),
//! so a name reported here from an env file is the same kind of name
//! `source.client-secret-env` reports where code reads it.

use std::collections::BTreeMap;

use diligence_model::{Confidence, Fact, FileClass, Severity, classify};
use diligence_source::surface::client_secret_env;

use crate::collector::{Hit, Run};

/// Whether a file name is an env file: `.env`, `.env.<anything>`
/// (`.env.local`, `.env.example`) or `<anything>.env` (`prod.env`).
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == ".env"
        || name.starts_with(".env.")
        || (name.ends_with(".env") && name.len() > ".env".len())
}

/// Whether an env file is a documented template of the variables
/// (`.env.example`, `.env.local.sample`, `example.env`, `.env.template`).
pub fn is_env_template(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    is_env_file(path)
        && ["example", "sample", "template"]
            .iter()
            .any(|t| name.contains(t))
}

/// Variable names an env file declares, with their lines: `NAME=…` and
/// `export NAME=…`. Values are not kept.
pub fn declared_names(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim_end();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            out.push((name.to_owned(), u32::try_from(i + 1).unwrap_or(u32::MAX)));
        }
    }
    out
}

/// The class of the directory holding a file: the file's own name (an
/// `.env.example` is an example by name) does not decide whether its tree
/// ships.
fn tree_class(path: &str) -> FileClass {
    match path.rsplit_once('/') {
        Some((dir, _)) => classify(&format!("{dir}/.env")),
        None => FileClass::Production,
    }
}

/// Words that make a name a setting about a secret rather than the secret
/// (`NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP`, `VITE_ENABLE_OPENAI`).
const SETTING_WORDS: &[&str] = &[
    "DISABLE", "DISABLED", "ENABLE", "ENABLED", "ALLOW", "ALLOWED", "SHOW", "HIDE", "REQUIRE",
    "REQUIRED", "FEATURE", "FLAG", "MIN", "MAX", "LENGTH", "POLICY", "RESET", "SIGNUP", "SIGNIN",
    "LOGIN", "TTL", "EXPIRY", "TIMEOUT", "PROVIDER", "MODEL",
];

/// Whether a declared name is a client-exposed secret: the `source`
/// collector's test, less names that read as settings.
pub fn client_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    client_secret_env(name) && !upper.split('_').any(|w| SETTING_WORDS.contains(&w))
}

/// Records `deploy.env-examples` and the `deploy.env-client-secret-name`
/// findings.
pub(crate) fn collect(run: &mut Run<'_>, paths: &[String]) {
    let files: Vec<&String> = paths
        .iter()
        .filter(|p| is_env_file(p) && tree_class(p) == FileClass::Production)
        .collect();
    run.fact(
        "deploy.env-examples",
        Fact::list(
            files
                .iter()
                .filter(|p| is_env_template(p))
                .map(|p| (*p).clone()),
        ),
    );
    // Each name once, at its first declaration, naming every file.
    let mut names: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for path in files {
        let Some(text) = run.read_config(path) else {
            continue;
        };
        for (name, line) in declared_names(&text) {
            if client_secret_name(&name) {
                let places = names.entry(name).or_default();
                if !places.iter().any(|(p, _)| p == path) {
                    places.push((path.clone(), line));
                }
            }
        }
    }
    for (name, places) in names {
        let Some((path, line)) = places.first() else {
            continue;
        };
        let files = places
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let service_role = name.to_ascii_uppercase().contains("SERVICE_ROLE");
        run.hit(Hit {
            rule: "deploy.env-client-secret-name",
            severity: if service_role {
                Severity::High
            } else {
                Severity::Medium
            },
            confidence: Confidence::Medium,
            path,
            line: *line,
            message: format!(
                "{name} is declared in {files} with a prefix that bundlers inline into the browser, and its name says it holds {}: any client code that reads it ships the value to every visitor",
                if service_role {
                    "the Supabase service-role key"
                } else {
                    "a secret or a paid provider's key"
                }
            ),
            remediation: "Rename the variable without the client prefix, read it only in server code (an API route or edge function that checks the caller), and rotate the key if a build has already shipped it.",
            excerpt: Some(name.clone()),
            heuristic: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_names() {
        for p in [".env", "apps/web/.env.local", ".env.example", "prod.env"] {
            assert!(is_env_file(p), "{p}");
        }
        for p in [
            ".envrc",
            "env.ts",
            "src/environment.ts",
            ".env/",
            "x.envelope",
        ] {
            assert!(!is_env_file(p), "{p}");
        }
        assert!(is_env_template(".env.example") && is_env_template("web/.env.local.sample"));
        assert!(!is_env_template(".env.local") && !is_env_template("examples/app.ts"));
    }

    #[test]
    fn names_without_values() {
        let names = declared_names("# c\nexport A_B=1\n  C = x\n1BAD=2\nnot a line\nD=\n");
        assert_eq!(names, [("A_B".into(), 2), ("C".into(), 3), ("D".into(), 6)]);
    }

    #[test]
    fn client_secret_names_both_sides() {
        for n in [
            "NEXT_PUBLIC_OPENAI_API_KEY",
            "VITE_STRIPE_SECRET_KEY",
            "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
            "REACT_APP_ADMIN_PASSWORD",
            "EXPO_PUBLIC_ANTHROPIC_KEY",
            "PUBLIC_JWT_SECRET",
        ] {
            assert!(client_secret_name(n), "{n}");
        }
        for n in [
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "VITE_SUPABASE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_FIREBASE_API_KEY",
            "NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP",
            "VITE_ENABLE_OPENAI",
            "NEXT_PUBLIC_OPENAI_MODEL",
            "OPENAI_API_KEY",
            "STRIPE_SECRET_KEY",
        ] {
            assert!(!client_secret_name(n), "{n}");
        }
    }

    #[test]
    fn tree_classes() {
        assert_eq!(tree_class(".env.example"), FileClass::Production);
        assert_eq!(tree_class("apps/web/.env.example"), FileClass::Production);
        assert_eq!(tree_class("examples/demo/.env"), FileClass::Example);
        assert_eq!(tree_class("tests/fixtures/.env"), FileClass::Test);
    }
}

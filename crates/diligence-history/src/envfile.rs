//! What a committed environment file held, judged by its variable names
//! and the shape of their values, never by printing a value: whether any
//! version assigned something that looks like a credential, or only
//! settings a browser bundle or a developer's machine shows anyway (the
//! public Supabase URL and anon key of an app builder's `.env`, a database
//! on `127.0.0.1`, flags and log levels).
//!
//! The secrets collector judges the values themselves; this reading only
//! sets how serious the file's presence in the history is.

/// Parts of a variable name that say it holds a credential.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "PRIVATE",
    "TOKEN",
    "CREDENTIAL",
    "SERVICE_ROLE",
    "SALT",
    "SIGNING",
    "KEY",
    "AUTH",
    "DSN",
];

/// Parts of a variable name that say its value is public by design: keys
/// made for the browser (Supabase's anon or publishable key, Stripe's
/// publishable key, a reCAPTCHA site key, a public key).
const PUBLIC_WORDS: &[&str] = &[
    "PUBLISHABLE",
    "ANON",
    "PUBLIC_KEY",
    "SITE_KEY",
    "SITEKEY",
    "PROJECT_ID",
    "KEY_ID",
    "AUTH_DOMAIN",
    "AUTH_URL",
    "AUTH_PROVIDER",
];

/// Hosts that name the developer's own machine.
const LOCAL_HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "[::1]",
    "host.docker.internal",
];

/// The name of the first variable in an env file's text whose value looks
/// like a credential, if any: a credential-named variable with a value
/// that is neither empty nor a placeholder nor a reference, or a URL
/// carrying a password for a host other than the local machine.
pub(crate) fn secret_variable(text: &str) -> Option<String> {
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = unquote(value);
        if placeholder(value) {
            continue;
        }
        if let Some(host) = url_password_host(value) {
            if !LOCAL_HOSTS.contains(&host.as_str()) {
                return Some(name.to_owned());
            }
            continue;
        }
        let upper = name.to_ascii_uppercase();
        let secret_named = SECRET_WORDS.iter().any(|w| upper.contains(w))
            && !PUBLIC_WORDS.iter().any(|w| upper.contains(w));
        if secret_named && !boring(value) {
            return Some(name.to_owned());
        }
    }
    None
}

/// A value with its quotes and any trailing comment removed.
fn unquote(value: &str) -> &str {
    let value = value.trim();
    for quote in ['"', '\''] {
        if let Some(rest) = value.strip_prefix(quote) {
            return rest.split(quote).next().unwrap_or(rest);
        }
    }
    value.split(" #").next().unwrap_or(value).trim()
}

/// An empty value, a reference to another variable, or a placeholder a
/// template leaves for the reader to fill in.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.starts_with('$')
        || value.starts_with('<')
        || value.starts_with('{')
        || [
            "your",
            "change",
            "replace",
            "xxx",
            "todo",
            "example",
            "dummy",
            "placeholder",
            "...",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        || value
            .chars()
            .all(|c| c == value.chars().next().unwrap_or(' '))
}

/// A value a credential-named variable may hold without being one: a
/// boolean, a number, a file path, a URL without a password, or a word
/// that names a mode.
fn boring(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
    ) || value.chars().all(|c| c.is_ascii_digit() || c == '.')
        || value.starts_with('/')
        || value.starts_with("./")
        || value.contains("://")
        || (value.len() < 8 && value.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The host of a URL whose user information carries a password
/// (`scheme://user:password@host:port/…`), in lower case.
fn url_password_host(value: &str) -> Option<String> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, host) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    if password.is_empty() || placeholder(password) {
        return None;
    }
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    Some(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of `n` characters that reads like a credential, built here
    /// so that no scanner takes this file for a leak.
    fn credential(n: usize) -> String {
        "k3Q9xZ7wLm2".chars().cycle().take(n).collect()
    }

    #[test]
    fn credential_values_are_found_by_name_and_url() {
        let value = credential(40);
        for text in [
            format!("SESSION_SECRET={value}\n"),
            format!("export STRIPE_SECRET_KEY=\"{value}\"\n"),
            format!("VITE_OPENAI_API_KEY={value}\n"),
            format!("SUPABASE_SERVICE_ROLE_KEY='{value}'\n"),
            format!("DATABASE_URL=postgres://app:{value}@db.internal.example.net:5432/app\n"),
            format!("# comment\nLOG_LEVEL=debug\nGITHUB_TOKEN={value} # ci\n"),
        ] {
            assert!(secret_variable(&text).is_some(), "{text}");
        }
    }

    #[test]
    fn public_and_local_settings_are_not_credentials() {
        let value = credential(40);
        for text in [
            format!(
                "VITE_SUPABASE_PROJECT_ID=abcdefghijklmnop\nVITE_SUPABASE_PUBLISHABLE_KEY={value}\nVITE_SUPABASE_URL=https://abcdefghijklmnop.supabase.co\n"
            ),
            format!("NEXT_PUBLIC_SUPABASE_ANON_KEY={value}\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY={value}\n"),
            "DATABASE_URL=postgres://user:pass@127.0.0.1:5432/app\nREDIS_URL=redis://localhost:6379\n".to_owned(),
            "SECRET_KEY=\nAPI_TOKEN=your-token-here\nPASSWORD=<password>\nAUTH_SECRET=${AUTH_SECRET}\nJWT_SECRET=xxxxxxxx\n".to_owned(),
            "AUTH_ENABLED=true\nTOKEN_TTL=3600\nPRIVATE_KEY_PATH=/run/secrets/key.pem\nAUTH_URL=https://auth.example.com\n".to_owned(),
            "URL=https://local.example.dev:3000\nDEBUG=1\n# SECRET=commented-out\n".to_owned(),
        ] {
            assert_eq!(secret_variable(&text), None, "{text}");
        }
    }
}

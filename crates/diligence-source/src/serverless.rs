//! Serverless functions deployed by file: Vercel functions (`api/**` at a
//! project root that is not a Next.js app) and Netlify functions
//! (`netlify/functions/*`, or the folder `netlify.toml` names).
//!
//! A Vercel function is a default export `(req, res)` (any method), or
//! exported `GET`, `POST` … functions (one route each); its path is the
//! file's path below the root (`api/users/[id].ts` serves
//! `/api/users/[id]`). Files and folders starting with `_` are helpers,
//! not functions. A Next.js app's `api/` folder at the root is not served
//! (Next.js reads `pages/api`), so roots with a `next.config.*` are left
//! to the Next.js reading.
//!
//! A Netlify function exports `handler` (`exports.handler`, `export const
//! handler`) or, in the newer form, a default function; it serves
//! `/.netlify/functions/<name>`, or the `path` of its `export const
//! config`. Netlify Identity's `context.clientContext.user` read in the
//! handler counts as a caller check (medium confidence: reading it is not
//! refusing without it); otherwise the shared vocabulary applies, in the
//! handler or a helper one import away.

use std::collections::BTreeSet;

use diligence_model::{Confidence, FileClass, classify};

use crate::nextjs::{guard_of, validation};
use crate::routes::{Route, RouteGuard};
use crate::{Arg, Call, FileModel, Function, MAX_FILE_SIZE, Reader, SourceFile, SourceModel};

/// The framework names, as in `source.frameworks`.
pub const VERCEL: &str = "Vercel Functions";
/// See [`VERCEL`].
pub const NETLIFY: &str = "Netlify Functions";

/// HTTP methods a function may export.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Where the deployment platforms look for functions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Platforms {
    /// Folders holding a `vercel.json` (`""` at the root), with a
    /// trailing `/` unless empty.
    pub vercel_roots: BTreeSet<String>,
    /// Folders holding a `next.config.*`, as above.
    pub next_roots: BTreeSet<String>,
    /// Netlify functions folders (`netlify/functions/`, or as
    /// `netlify.toml` sets them), with a trailing `/`.
    pub netlify_dirs: BTreeSet<String>,
}

impl Platforms {
    /// Reads the platforms' configuration files among `files` (vendored
    /// and generated ones aside).
    pub fn find(files: &[SourceFile<'_>], read: &Reader<'_>) -> Self {
        let mut found = Self::default();
        for file in files {
            if matches!(
                classify(file.path),
                FileClass::Vendored | FileClass::Generated
            ) {
                continue;
            }
            let (dir, name) = match file.path.rsplit_once('/') {
                Some((dir, name)) => (format!("{dir}/"), name),
                None => (String::new(), file.path),
            };
            if name == "vercel.json" {
                found.vercel_roots.insert(dir.clone());
            }
            if name.starts_with("next.config.") {
                found.next_roots.insert(dir.clone());
            }
            if name == "netlify.toml" {
                found
                    .netlify_dirs
                    .insert(format!("{dir}netlify/functions/"));
                if file.size <= MAX_FILE_SIZE
                    && let Ok(bytes) = read(file.path)
                    && let Some(set) = netlify_functions_dir(&String::from_utf8_lossy(&bytes))
                {
                    found.netlify_dirs.insert(format!("{dir}{set}/"));
                }
            }
        }
        found
    }
}

/// The functions folder a `netlify.toml` sets: `[functions] directory`,
/// or the older `[build] functions`. The one place that knows where
/// Netlify looks for functions: the `deploy` collector's inventory row
/// for the file names the same folder.
pub fn netlify_functions_dir(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).ok()?;
    value
        .get("functions")
        .and_then(|f| f.get("directory"))
        .or_else(|| value.get("build").and_then(|b| b.get("functions")))
        .and_then(|d| d.as_str())
        .map(|d| d.trim_start_matches("./").trim_end_matches('/'))
        .filter(|d| !d.is_empty() && !d.contains(".."))
        .map(str::to_owned)
}

/// The Vercel route path of a file, if it is a function.
fn vercel_path(platforms: &Platforms, path: &str) -> Option<String> {
    let (stem_path, ext) = path.rsplit_once('.')?;
    if !matches!(ext, "js" | "ts" | "mjs" | "cjs" | "mts") || path.ends_with(".d.ts") {
        return None;
    }
    let at = if stem_path.starts_with("api/") {
        0
    } else {
        stem_path.find("/api/")? + 1
    };
    let root = &stem_path[..at];
    if platforms.next_roots.contains(root) {
        return None;
    }
    // At the repository's root, or at a folder deployed on its own.
    if !root.is_empty() && !platforms.vercel_roots.contains(root) {
        return None;
    }
    let rest = &stem_path[at + "api/".len()..];
    if rest
        .split('/')
        .any(|s| s.starts_with('_') || s.starts_with('.'))
    {
        return None;
    }
    let route = rest.strip_suffix("/index").unwrap_or(rest);
    let route = if route == "index" { "" } else { route };
    Some(if route.is_empty() {
        "/api".to_owned()
    } else {
        format!("/api/{route}")
    })
}

/// The Netlify function name of a file, if it is one.
fn netlify_name<'p>(platforms: &Platforms, path: &'p str) -> Option<&'p str> {
    let rest = platforms
        .netlify_dirs
        .iter()
        .find_map(|dir| path.strip_prefix(dir.as_str()))
        .or_else(|| path.strip_prefix("netlify/functions/"))?;
    let (stem, ext) = rest.rsplit_once('.')?;
    if !matches!(ext, "js" | "ts" | "mjs" | "cjs" | "mts") {
        return None;
    }
    match stem.split_once('/') {
        None => Some(stem),
        // `name/name.ts` or `name/index.ts`.
        Some((folder, file)) if file == folder || file == "index" => Some(folder),
        Some(_) => None,
    }
}

/// The Netlify Identity user read in a handler, if any.
fn identity_read(file: &FileModel, function: &Function) -> Option<String> {
    let is_user = |s: &str| s.contains("clientContext.user");
    file.calls_in(function)
        .flat_map(|c| c.args.iter())
        .find_map(|a| match a {
            Arg::Member(m) if is_user(m) => Some(m.clone()),
            _ => None,
        })
        .or_else(|| {
            file.bindings
                .iter()
                .filter(|b| function.contains(b.line))
                .find_map(|b| match &b.value {
                    Arg::Member(m) if is_user(m) => Some(m.clone()),
                    _ => None,
                })
        })
}

/// A route of a handler function.
fn route(
    model: &SourceModel,
    file: &FileModel,
    framework: &str,
    method: &str,
    path: String,
    function: &Function,
) -> Route {
    let calls: Vec<&Call> = file.calls_in(function).collect();
    let mut guard = guard_of(model, file, calls.iter().copied());
    if guard == RouteGuard::None
        && let Some(read) = identity_read(file, function)
    {
        guard = RouteGuard::Caller {
            check: format!("reads {read}"),
            via: None,
            confidence: Confidence::Medium,
        };
    }
    Route {
        framework: framework.to_owned(),
        method: method.to_owned(),
        path,
        file: file.path.clone(),
        line: Some(function.line),
        class: file.class,
        guard,
        validation: validation(model, file, calls.iter().copied()),
        notes: Vec::new(),
    }
}

/// Whether a handler only hands its request to an imported app
/// (`export default (req, res) => app(req, res)`): the app's own routes
/// are the inventory then.
fn delegates(file: &FileModel, function: &Function) -> bool {
    let [req, res, ..] = function.params.as_slice() else {
        return false;
    };
    file.calls_in(function).any(|c| {
        matches!(c.args.as_slice(), [Arg::Ident(a), Arg::Ident(b)] if a == req && b == res)
            && file
                .imports
                .iter()
                .any(|i| i.names.iter().any(|n| n == c.root()))
    })
}

/// Every Vercel and Netlify function of the target.
pub fn routes(model: &SourceModel) -> Vec<Route> {
    // A Next.js app needs no `next.config.*`: a root whose manifest names
    // Next.js is one too.
    let mut platforms = model.platforms.clone();
    if model.stacks.frameworks.contains(crate::nextjs::FRAMEWORK)
        && model.files.iter().any(|f| {
            ["pages/", "app/", "src/pages/", "src/app/"]
                .iter()
                .any(|d| f.path.starts_with(d))
        })
    {
        platforms.next_roots.insert(String::new());
    }
    let platforms = &platforms;
    let mut out = Vec::new();
    for file in &model.files {
        if let Some(name) = netlify_name(platforms, &file.path) {
            let handler = file
                .exported_function("handler")
                .or_else(|| file.exported_function("default"));
            let Some(handler) = handler else {
                continue;
            };
            let path = file
                .binding("config", u32::MAX)
                .and_then(|b| b.value.property("path"))
                .and_then(|p| match p {
                    Arg::Str(s) => Some(s.clone()),
                    Arg::Array(items) => items.iter().find_map(Arg::as_str).map(str::to_owned),
                    _ => None,
                })
                .unwrap_or_else(|| format!("/.netlify/functions/{name}"));
            out.push(route(model, file, NETLIFY, "ANY", path, handler));
        } else if let Some(path) = vercel_path(platforms, &file.path) {
            let mut found = false;
            for method in METHODS {
                if let Some(function) = file.exported_function(method) {
                    found = true;
                    out.push(route(model, file, VERCEL, method, path.clone(), function));
                }
            }
            if !found
                && let Some(function) = file.exported_function("default").or_else(|| {
                    file.functions.iter().find(|f| {
                        f.exported
                            && f.class.is_none()
                            && f.params.len() >= 2
                            && f.params[0].starts_with("req")
                    })
                })
                && !delegates(file, function)
            {
                out.push(route(model, file, VERCEL, "ANY", path, function));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vercel_paths_skip_helpers_and_next_apps() {
        let mut platforms = Platforms::default();
        assert_eq!(
            vercel_path(&platforms, "api/users/[id].ts").as_deref(),
            Some("/api/users/[id]")
        );
        assert_eq!(
            vercel_path(&platforms, "api/index.js").as_deref(),
            Some("/api")
        );
        assert_eq!(vercel_path(&platforms, "api/_lib/db.ts"), None);
        assert_eq!(vercel_path(&platforms, "src/api/client.ts"), None);
        platforms.vercel_roots.insert("apps/edge/".into());
        assert_eq!(
            vercel_path(&platforms, "apps/edge/api/hello.ts").as_deref(),
            Some("/api/hello")
        );
        platforms.next_roots.insert(String::new());
        assert_eq!(vercel_path(&platforms, "api/users.ts"), None);
    }

    #[test]
    fn netlify_names_follow_the_folder_layout() {
        let mut platforms = Platforms::default();
        assert_eq!(
            netlify_name(&platforms, "netlify/functions/hello.ts"),
            Some("hello")
        );
        assert_eq!(
            netlify_name(&platforms, "netlify/functions/pay/pay.js"),
            Some("pay")
        );
        assert_eq!(
            netlify_name(&platforms, "netlify/functions/pay/util.js"),
            None
        );
        platforms.netlify_dirs.insert("functions/".into());
        assert_eq!(netlify_name(&platforms, "functions/sync.mjs"), Some("sync"));
        assert_eq!(
            netlify_functions_dir("[functions]\ndirectory = \"functions\"\n").as_deref(),
            Some("functions")
        );
        assert_eq!(
            netlify_functions_dir("[build]\nfunctions = \"lambda\"\n").as_deref(),
            Some("lambda")
        );
    }
}

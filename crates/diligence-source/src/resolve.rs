//! Following a JavaScript or TypeScript import to the parsed file it
//! names: relative specifiers, the path aliases of `tsconfig.json` and
//! `jsconfig.json` (`@/lib/auth` → `src/lib/auth.ts`), and the packages
//! of the target's own workspace (`@acme/auth` → `packages/auth/src/index.ts`).
//!
//! The configurations are read once, when the model is built; detectors
//! resolve imports through [`import`] and never read files themselves.

use diligence_model::{FileClass, classify};

use crate::{FileModel, Reader, SourceFile, SourceModel};

/// Largest `tsconfig.json` read, in bytes.
const MAX_CONFIG_SIZE: u64 = 256 * 1024;

/// Most aliases kept from one configuration.
const MAX_ALIASES: usize = 64;

/// The `compilerOptions.paths` of one `tsconfig.json` or `jsconfig.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathAliases {
    /// The folder of the configuration (`""` at the root, `apps/web`).
    pub dir: String,
    /// Aliases as (pattern, targets), targets relative to the target's
    /// root (`("@/*", ["src/*"])`).
    pub paths: Vec<(String, Vec<String>)>,
}

impl PathAliases {
    /// Reads every `tsconfig.json` and `jsconfig.json` among `files`
    /// (vendored and generated ones aside), nearest folder first when
    /// resolving. Unreadable or unparsable configurations are left out: an
    /// alias that cannot be followed only makes a hop unresolved.
    pub fn find_all(files: &[SourceFile<'_>], read: &Reader<'_>) -> Vec<Self> {
        let mut found = Vec::new();
        for file in files {
            let (dir, name) = file.path.rsplit_once('/').unwrap_or(("", file.path));
            if !matches!(name, "tsconfig.json" | "jsconfig.json")
                || file.size > MAX_CONFIG_SIZE
                || matches!(
                    classify(file.path),
                    FileClass::Vendored | FileClass::Generated
                )
            {
                continue;
            }
            let Ok(bytes) = read(file.path) else {
                continue;
            };
            if let Some(aliases) = Self::parse(dir, &String::from_utf8_lossy(&bytes)) {
                found.push(aliases);
            }
        }
        // Deepest folder first, so the nearest configuration wins.
        found.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then(a.dir.cmp(&b.dir)));
        found
    }

    /// Reads the text of a configuration in folder `dir` (comments and
    /// trailing commas allowed, as TypeScript allows them).
    pub fn parse(dir: &str, text: &str) -> Option<Self> {
        let json: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).ok()?;
        let options = json.get("compilerOptions")?;
        let base = options
            .get("baseUrl")
            .and_then(|b| b.as_str())
            .unwrap_or(".");
        let base = join(dir, base)?;
        let paths = options
            .get("paths")?
            .as_object()?
            .iter()
            .take(MAX_ALIASES)
            .map(|(pattern, targets)| {
                let targets = targets
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| join(&base, t.as_str()?))
                    .collect();
                (pattern.clone(), targets)
            })
            .collect();
        Some(Self {
            dir: dir.to_owned(),
            paths,
        })
    }

    /// Whether a file at `path` is under this configuration's folder.
    fn covers(&self, path: &str) -> bool {
        self.dir.is_empty() || path.starts_with(&format!("{}/", self.dir))
    }

    /// The root-relative candidates an aliased specifier stands for.
    fn expand(&self, specifier: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (pattern, targets) in &self.paths {
            let rest = match pattern.strip_suffix('*') {
                Some(prefix) => specifier.strip_prefix(prefix),
                None => (specifier == pattern).then_some(""),
            };
            let Some(rest) = rest else {
                continue;
            };
            out.extend(targets.iter().map(|t| t.replacen('*', rest, 1)));
        }
        out
    }
}

/// Removes `//` and `/* */` comments and trailing commas outside strings.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(b as char);
                out.push(bytes[i + 1] as char);
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
            out.push(b as char);
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push('"');
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b',' => {
                let next = bytes[i + 1..]
                    .iter()
                    .find(|c| !c.is_ascii_whitespace())
                    .copied();
                if !matches!(next, Some(b'}' | b']')) {
                    out.push(',');
                }
            }
            _ if b.is_ascii() => out.push(b as char),
            _ => {
                // Copy a whole UTF-8 character.
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + len]);
                i += len;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `base` joined with a relative path, `.` and `..` resolved; `None` when
/// it climbs above the root.
fn join(base: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The parsed file a root-relative module path stands for, trying the
/// usual extensions and `index` files.
fn file_at<'m>(model: &'m SourceModel, base: &str) -> Option<&'m FileModel> {
    if let Some(file) = model.file(base) {
        return Some(file);
    }
    // `./auth.js` in TypeScript ESM names `auth.ts`.
    let stem = base
        .strip_suffix(".js")
        .or_else(|| base.strip_suffix(".mjs"))
        .unwrap_or(base);
    ["ts", "tsx", "js", "jsx", "mjs"]
        .iter()
        .find_map(|ext| model.file(&format!("{stem}.{ext}")))
        .or_else(|| {
            ["ts", "tsx", "js", "jsx"]
                .iter()
                .find_map(|ext| model.file(&format!("{base}/index.{ext}")))
        })
}

/// Whether a specifier is local: relative, or one a path alias may name.
pub fn is_local(specifier: &str) -> bool {
    specifier.starts_with('.') || specifier.starts_with("@/") || specifier.starts_with("~/")
}

/// A package of the target's own workspace (a monorepo's
/// `packages/auth/package.json` named `@acme/auth`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspacePackage {
    /// Its `name`.
    pub name: String,
    /// Its folder.
    pub dir: String,
    /// Its entry files without extension, from `source`, `module`,
    /// `main` and `types`, then `src/index` and `index`.
    pub entries: Vec<String>,
}

impl WorkspacePackage {
    /// Reads every production `package.json` with a name below the root
    /// (vendored ones aside: `node_modules` is not the workspace).
    pub fn find_all(files: &[SourceFile<'_>], read: &Reader<'_>) -> Vec<Self> {
        let mut found = Vec::new();
        for file in files {
            let Some((dir, "package.json")) = file.path.rsplit_once('/') else {
                continue;
            };
            if file.size > MAX_CONFIG_SIZE || classify(file.path) != FileClass::Production {
                continue;
            }
            let Ok(bytes) = read(file.path) else {
                continue;
            };
            let Ok(serde_json::Value::Object(json)) = serde_json::from_slice(&bytes) else {
                continue;
            };
            let Some(name) = json.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            let mut entries: Vec<String> = ["source", "module", "main", "types"]
                .iter()
                .filter_map(|key| json.get(*key)?.as_str())
                .filter_map(|entry| {
                    let entry = entry.trim_start_matches("./");
                    let stem = entry
                        .rsplit_once('.')
                        .map_or(entry, |(stem, _)| stem.trim_end_matches(".d"));
                    join(dir, &format!("./{stem}"))
                })
                .collect();
            entries.push(format!("{dir}/src/index"));
            entries.push(format!("{dir}/index"));
            found.push(Self {
                name: name.to_owned(),
                dir: dir.to_owned(),
                entries,
            });
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found
    }
}

/// Whether `specifier` can be followed into the target's own files: a
/// local specifier ([`is_local`]) or a package of its workspace.
pub fn is_own(model: &SourceModel, specifier: &str) -> bool {
    is_local(specifier) || package_of(model, specifier).is_some()
}

fn package_of<'m>(
    model: &'m SourceModel,
    specifier: &str,
) -> Option<(&'m WorkspacePackage, String)> {
    model.packages.iter().find_map(|package| {
        let rest = specifier.strip_prefix(package.name.as_str())?;
        if rest.is_empty() {
            Some((package, String::new()))
        } else {
            rest.strip_prefix('/').map(|r| (package, r.to_owned()))
        }
    })
}

/// The parsed file that `specifier`, imported by the file at `from`,
/// names: a relative path, a `tsconfig.json`/`jsconfig.json` alias of the
/// nearest configuration above `from`, or a package of the target's own
/// workspace (its entry file, or a path inside it). `None` for other
/// packages and for files not parsed.
pub fn import<'m>(model: &'m SourceModel, from: &str, specifier: &str) -> Option<&'m FileModel> {
    if specifier.starts_with('.') {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        return file_at(model, &join(dir, specifier)?);
    }
    let aliased = model
        .aliases
        .iter()
        .find(|a| a.covers(from))
        .and_then(|aliases| {
            aliases
                .expand(specifier)
                .iter()
                .find_map(|candidate| file_at(model, candidate))
        });
    if aliased.is_some() {
        return aliased;
    }
    let (package, rest) = package_of(model, specifier)?;
    if rest.is_empty() {
        package
            .entries
            .iter()
            .find_map(|entry| file_at(model, entry))
    } else {
        [
            format!("{}/src/{rest}", package.dir),
            format!("{}/{rest}", package.dir),
        ]
        .iter()
        .find_map(|candidate| file_at(model, candidate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_with_comments_and_trailing_commas() {
        let aliases = PathAliases::parse(
            "apps/web",
            "{\n  // options\n  \"compilerOptions\": {\n    /* base */ \"baseUrl\": \".\",\n    \"paths\": { \"@/*\": [\"./src/*\",], },\n  },\n}\n",
        )
        .expect("parsed");
        assert_eq!(
            aliases.paths,
            [("@/*".to_owned(), vec!["apps/web/src/*".to_owned()])]
        );
        assert_eq!(aliases.expand("@/lib/auth"), ["apps/web/src/lib/auth"]);
        assert!(aliases.expand("react").is_empty());
        assert!(aliases.covers("apps/web/app/page.tsx"));
        assert!(!aliases.covers("apps/api/index.ts"));
    }

    #[test]
    fn strings_keep_their_slashes_and_commas() {
        assert_eq!(
            strip_jsonc("{\"a\": \"//x, ]\", \"b\": [1,]}"),
            "{\"a\": \"//x, ]\", \"b\": [1]}"
        );
    }

    #[test]
    fn join_stays_inside_the_root() {
        assert_eq!(join("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join("", "../c"), None);
    }
}

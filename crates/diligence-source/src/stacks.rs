//! Which stacks a target uses, and which of them this crate cannot read
//! yet, so that nothing unread passes silently.

use std::collections::BTreeSet;

use diligence_model::{FileClass, classify};
use serde::Serialize;

use crate::{MAX_FILE_SIZE, Reader, SourceFile};

/// npm packages that name a framework or stack.
const NPM: &[(&str, &str)] = &[
    ("react", "React"),
    ("next", "Next.js"),
    ("vite", "Vite"),
    ("express", "Express"),
    ("fastify", "Fastify"),
    ("hono", "Hono"),
    ("@nestjs/core", "NestJS"),
    ("koa", "Koa"),
    ("vue", "Vue"),
    ("svelte", "Svelte"),
    ("@supabase/supabase-js", "Supabase client"),
    ("firebase", "Firebase"),
    ("firebase-admin", "Firebase"),
    ("firebase-functions", "Firebase Cloud Functions"),
    ("@netlify/functions", "Netlify Functions"),
    ("@vercel/node", "Vercel Functions"),
    ("@trpc/server", "tRPC"),
    ("@apollo/server", "GraphQL"),
    ("@nestjs/graphql", "GraphQL"),
    ("type-graphql", "GraphQL"),
    ("mercurius", "GraphQL"),
    ("apollo-server", "GraphQL"),
    ("graphql-yoga", "GraphQL"),
    ("@remix-run/node", "Remix"),
    ("@remix-run/react", "Remix"),
    ("@react-router/node", "Remix"),
    ("@sveltejs/kit", "SvelteKit"),
    ("nuxt", "Nuxt"),
    ("astro", "Astro"),
    ("wrangler", "Cloudflare Workers"),
    ("@cloudflare/workers-types", "Cloudflare Workers"),
];

/// Python packages that name a web framework.
const PYTHON: &[(&str, &str)] = &[
    ("fastapi", "FastAPI"),
    ("django", "Django"),
    ("flask", "Flask"),
];

/// Cargo crates that name a web framework.
const CARGO: &[(&str, &str)] = &[
    ("axum", "axum"),
    ("actix-web", "actix-web"),
    ("rocket", "Rocket"),
    ("warp", "warp"),
    ("poem", "Poem"),
    ("tide", "Tide"),
    ("salvo", "Salvo"),
];

/// Frameworks whose routes this crate does not read yet, and the words
/// `source.not-analysed` uses for them.
const ROUTES_NOT_READ: &[(&str, &str)] = &[
    ("tRPC", "tRPC procedures"),
    ("GraphQL", "GraphQL resolvers"),
    ("Remix", "Remix loaders and actions"),
    ("SvelteKit", "SvelteKit endpoints and form actions"),
    ("Nuxt", "Nuxt server routes"),
    ("Astro", "Astro endpoints"),
    ("Cloudflare Workers", "Cloudflare Workers handlers"),
    ("warp", "warp routes"),
    ("Poem", "Poem routes"),
    ("Tide", "Tide routes"),
    ("Salvo", "Salvo routes"),
];

/// Source files by extension that no parser here reads yet.
const LANGUAGES_NOT_READ: &[(&str, &str)] = &[
    ("go", "Go files"),
    ("java", "Java files"),
    ("kt", "Kotlin files"),
    ("php", "PHP files"),
    ("cs", "C# files"),
    ("rb", "Ruby files"),
    ("vue", "Vue single-file components"),
    ("svelte", "Svelte components"),
];

/// Stacks recognised in the target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stacks {
    /// Frameworks and platforms, sorted.
    pub frameworks: BTreeSet<String>,
    /// Stacks present that no detector reads yet, sorted.
    pub not_analysed: BTreeSet<String>,
}

impl Stacks {
    /// Reads manifests (`package.json`, `requirements*.txt`,
    /// `pyproject.toml`, `Cargo.toml`) and file kinds of production files (tests,
    /// examples, templates, vendored and generated code aside).
    pub fn detect(files: &[SourceFile<'_>], read: &Reader<'_>) -> Self {
        let mut stacks = Self::default();
        for file in files {
            let class = classify(file.path);
            // Only the product's own files: a fixture's package.json does not
            // make the product an Express app.
            if class != FileClass::Production {
                continue;
            }
            let name = file.path.rsplit('/').next().unwrap_or(file.path);
            let in_functions = file.path.starts_with("supabase/functions/")
                || file.path.contains("/supabase/functions/");
            if in_functions && crate::Language::of(name).is_some() {
                stacks
                    .frameworks
                    .insert("Supabase Edge Functions".to_owned());
            }
            if let Some((_, ext)) = name.rsplit_once('.')
                && let Some((_, words)) = LANGUAGES_NOT_READ.iter().find(|(e, _)| *e == ext)
            {
                stacks.not_analysed.insert((*words).to_owned());
            }
            if file.size > MAX_FILE_SIZE {
                continue;
            }
            let manifest = name == "package.json"
                || (name.starts_with("requirements") && name.ends_with(".txt"))
                || name == "pyproject.toml"
                || name == "Pipfile"
                || name == "Cargo.toml";
            if !manifest {
                continue;
            }
            let Ok(bytes) = read(file.path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if name == "package.json" {
                stacks.read_package_json(&text);
            } else if name == "Cargo.toml" {
                stacks.read_cargo_toml(&text);
            } else {
                let lower = text.to_ascii_lowercase();
                for (package, framework) in PYTHON {
                    let named = lower.lines().any(|line| {
                        let line = line.trim().trim_start_matches('"');
                        line.starts_with(package)
                            && !line[package.len()..]
                                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
                    });
                    if named {
                        stacks.frameworks.insert((*framework).to_owned());
                    }
                }
            }
        }
        for (framework, words) in ROUTES_NOT_READ {
            // A Worker made with Hono is read through its Hono routes.
            let read_otherwise =
                *framework == "Cloudflare Workers" && stacks.frameworks.contains("Hono");
            if stacks.frameworks.contains(*framework) && !read_otherwise {
                stacks.not_analysed.insert((*words).to_owned());
            }
        }
        stacks
    }

    /// Dependencies of a crate or a workspace, renamed ones by their
    /// `package` (`web = { package = "actix-web" }`).
    fn read_cargo_toml(&mut self, text: &str) {
        let Ok(manifest) = toml::from_str::<toml::Table>(text) else {
            return;
        };
        let mut tables = Vec::new();
        for key in ["dependencies", "dev-dependencies"] {
            tables.extend(manifest.get(key));
            if let Some(workspace) = manifest.get("workspace") {
                tables.extend(workspace.get(key));
            }
        }
        if let Some(toml::Value::Table(targets)) = manifest.get("target") {
            for target in targets.values() {
                tables.extend(target.get("dependencies"));
            }
        }
        for table in tables {
            let toml::Value::Table(deps) = table else {
                continue;
            };
            for (name, spec) in deps {
                let crate_name = spec
                    .get("package")
                    .and_then(toml::Value::as_str)
                    .unwrap_or(name);
                if let Some((_, framework)) = CARGO.iter().find(|(c, _)| *c == crate_name) {
                    self.frameworks.insert((*framework).to_owned());
                }
            }
        }
    }

    fn read_package_json(&mut self, text: &str) {
        let Ok(serde_json::Value::Object(json)) = serde_json::from_str::<serde_json::Value>(text)
        else {
            return;
        };
        for key in ["dependencies", "devDependencies", "peerDependencies"] {
            let Some(serde_json::Value::Object(deps)) = json.get(key) else {
                continue;
            };
            for (package, framework) in NPM {
                if deps.contains_key(*package) {
                    self.frameworks.insert((*framework).to_owned());
                }
            }
        }
    }
}

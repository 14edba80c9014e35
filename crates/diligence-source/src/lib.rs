//! The one parse of a target's source code, and the detectors that read it.
//!
//! Where it sits: below `diligence-collect`, like `diligence-history`. A
//! scan builds one [`SourceModel`] over the file index before the
//! collectors run (only when a selected collector reads it), and the
//! collect context carries it; every source detector, and later the test
//! inventory, reads that model instead of parsing again.
//!
//! The one decision to know: **each file is parsed once, into owned data**.
//! A [`FileModel`] keeps what detectors ask about (imports, exported
//! functions, calls with their callee paths and simple arguments,
//! environment variables read, fields taken from a request body,
//! comparisons), not the syntax tree, so the parser's arena is freed file
//! by file and detectors never depend on the parser's types. Files are
//! parsed in parallel on threads with a large stack, after a cheap
//! bracket-depth pre-scan ([`js::nesting_depth`]), because a
//! recursive-descent parser aborts the process on deep enough nesting.
//! Vendored, generated and minified files are skipped and counted; a file
//! that does not parse is counted and reported, never silently passed.
//!
//! JavaScript and TypeScript (JSX and TSX too) are read through oxc,
//! Python through Ruff's parser ([`py`]), Rust through syn ([`rust`]; the
//! test inventory reads its Rust tests from this model too), SQL
//! migrations through sqlparser, replayed into the data layer ([`sql`]).
//! The detectors cover Supabase edge functions ([`supabase`]), the routes
//! of Next.js, Express, FastAPI, Django, Flask, axum, actix-web and
//! Rocket, the data layer, browser exposure and cost;
//! the stacks not read yet are named in the evidence (`source.not-analysed`).

#![warn(missing_docs)]

pub mod actix;
pub mod admin;
pub mod axum;
pub mod cloud_functions;
pub mod django;
mod entry;
mod error;
mod evidence;
pub mod express;
pub mod fastapi;
pub mod fastify;
pub mod firebase;
pub mod flask;
pub mod hono;
mod identity;
mod injection;
pub mod js;
pub mod koa;
mod model;
pub mod nestjs;
pub mod nextjs;
mod observability;
mod ownership;
pub mod personal;
pub mod py;
mod py_injection;
pub mod resolve;
pub mod rocket;
pub mod routes;
pub mod rust;
mod rust_injection;
mod rust_web;
pub mod schema;
pub mod serverless;
pub mod sql;
mod stacks;
pub mod supabase;
pub mod surface;
pub mod tenant;
mod ui;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use diligence_model::{FileClass, classify, classify_content};
use rayon::prelude::*;
use serde::Serialize;

pub use error::ParseError;
pub use evidence::{COLLECTOR, catalog};
pub use model::{
    Arg, ArgValues, Assignment, Binding, BodyField, BuiltArg, Call, Class, ClassField, Comparison,
    EnvBinding, EnvRead, FileModel, Function, Import, Language, Param, Property, PythonModel,
    Runtime, RustModel,
};
pub use stacks::Stacks;
pub use supabase::SupabaseConfig;

/// Largest source file parsed, in bytes; larger files are skipped and
/// counted (hand-written modules are far smaller; bundles are larger).
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Stack of each parser thread. Generous because a stack overflow aborts
/// the process; only the pages a parse touches are ever committed.
pub(crate) const PARSER_STACK: usize = 512 * 1024 * 1024;

/// One file offered to [`SourceModel::build`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFile<'a> {
    /// Path relative to the target's root, `/`-separated.
    pub path: &'a str,
    /// Size in bytes, as listed.
    pub size: u64,
}

/// Why a file was not parsed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SkipReason {
    /// Third-party code committed into the tree.
    Vendored,
    /// Build output or generated code.
    Generated,
    /// Minified code (very long lines).
    Minified,
    /// Larger than [`MAX_FILE_SIZE`].
    TooLarge,
}

/// A file not parsed, and why.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Skipped {
    /// Its path.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// A file that did not parse.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Failed {
    /// Its path.
    pub path: String,
    /// Its class.
    pub class: FileClass,
    /// Why.
    pub error: ParseError,
}

/// Every source file of the target, parsed once.
#[derive(Clone, Debug, Default)]
pub struct SourceModel {
    /// Parsed files, sorted by path.
    pub files: Vec<FileModel>,
    /// Files skipped before parsing, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Files that did not parse, sorted by path.
    pub failed: Vec<Failed>,
    /// Stacks recognised from manifests and file kinds.
    pub stacks: Stacks,
    /// Supabase project configurations by the path of their
    /// `supabase/config.toml` (`supabase/config.toml`,
    /// `apps/web/supabase/config.toml` in a monorepo).
    pub supabase: BTreeMap<String, SupabaseConfig>,
    /// Firebase security rules files by path.
    pub firebase: BTreeMap<String, firebase::RulesFile>,
    /// Prisma schemas by path.
    pub prisma: BTreeMap<String, Vec<schema::PrismaModel>>,
    /// Documents that look like a data inventory or classification.
    pub data_inventory: Vec<String>,
    /// Path aliases of every `tsconfig.json` and `jsconfig.json`, nearest
    /// folder first.
    pub aliases: Vec<resolve::PathAliases>,
    /// Where Vercel and Netlify look for functions.
    pub platforms: serverless::Platforms,
    /// The databases of the target's migration folders, replayed, sorted
    /// by folder.
    pub databases: Vec<sql::Database>,
    /// The packages of the target's own workspace, by name.
    pub packages: Vec<resolve::WorkspacePackage>,
    /// Index of [`files`](Self::files) by every path suffix that starts
    /// after a `/`, built on first use by [`file_ending`](Self::file_ending).
    suffixes: OnceLock<HashMap<String, usize>>,
}

/// A file's bytes, or why not.
pub type Reader<'r> = dyn Fn(&str) -> io::Result<Vec<u8>> + Sync + 'r;

impl SourceModel {
    /// Parses every JavaScript, TypeScript, Python and Rust file among `files`, in
    /// parallel, reading each through `read`. Never fails: unreadable and
    /// unparsable files are recorded in [`failed`](Self::failed).
    pub fn build(files: &[SourceFile<'_>], read: &Reader<'_>) -> Self {
        let vite_roots: BTreeSet<String> = files
            .iter()
            .filter_map(|f| {
                let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", f.path));
                name.starts_with("vite.config.").then(|| dir.to_owned())
            })
            .collect();
        let mut candidates = Vec::new();
        let mut skipped = Vec::new();
        for file in files {
            let Some(language) = Language::of(file.path) else {
                continue;
            };
            let reason = match classify(file.path) {
                FileClass::Vendored => Some(SkipReason::Vendored),
                FileClass::Generated => Some(SkipReason::Generated),
                _ if file.size > MAX_FILE_SIZE => Some(SkipReason::TooLarge),
                _ => None,
            };
            match reason {
                Some(reason) => skipped.push(Skipped {
                    path: file.path.to_owned(),
                    reason,
                }),
                None => candidates.push((*file, language)),
            }
        }

        let parse_all = || {
            candidates
                .par_iter()
                .map(|(file, language)| {
                    let runtime = runtime_of(file.path, &vite_roots);
                    parse_one(file.path, *language, runtime, read)
                })
                .collect::<Vec<_>>()
        };
        // A pool of big-stack threads for the parser, sized like the
        // caller's pool so that `jobs` still bounds the work.
        let outcomes = match rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .stack_size(PARSER_STACK)
            .thread_name(|i| format!("diligence-parse-{i}"))
            .build()
        {
            Ok(pool) => pool.install(parse_all),
            Err(error) => candidates
                .iter()
                .map(|(file, _)| {
                    Outcome::Failed(Failed {
                        path: file.path.to_owned(),
                        class: classify(file.path),
                        error: ParseError::Read {
                            message: format!("no parser thread could be started: {error}"),
                        },
                    })
                })
                .collect(),
        };

        let mut model = Self {
            skipped,
            ..Self::default()
        };
        for outcome in outcomes {
            match outcome {
                Outcome::Parsed(file) => model.files.push(*file),
                Outcome::Skipped(skip) => model.skipped.push(skip),
                Outcome::Failed(failed) => model.failed.push(failed),
            }
        }
        model.files.sort_by(|a, b| a.path.cmp(&b.path));
        model.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        model.failed.sort_by(|a, b| a.path.cmp(&b.path));
        model.stacks = Stacks::detect(files, read);
        model.supabase = SupabaseConfig::find_all(files, read);
        model.firebase = firebase::find_all(files, read);
        model.prisma = schema::find_prisma(files, read);
        model.data_inventory = personal::inventory_documents(files);
        if model.stacks.frameworks.contains("Firebase") && model.firebase.is_empty() {
            // The rules live in the Firebase console: nothing here says
            // whether the database is open.
            model
                .stacks
                .not_analysed
                .insert("Firebase security rules (no rules file in the repository)".to_owned());
        }
        model.aliases = resolve::PathAliases::find_all(files, read);
        model.packages = resolve::WorkspacePackage::find_all(files, read);
        model.platforms = serverless::Platforms::find(files, read);
        let (databases, failed) = sql::build(files, read);
        model.databases = databases;
        model.failed.extend(failed);
        model.failed.sort_by(|a, b| a.path.cmp(&b.path));
        model
    }

    /// The parsed file at `path`.
    pub fn file(&self, path: &str) -> Option<&FileModel> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// The first parsed file (in path order) whose path is `suffix` or ends
    /// with `/suffix` (`app/auth.py` finds `backend/app/auth.py`): module
    /// resolution from a package root that is not the target's root.
    pub fn file_ending(&self, suffix: &str) -> Option<&FileModel> {
        let index = self.suffixes.get_or_init(|| {
            let mut index = HashMap::new();
            for (i, file) in self.files.iter().enumerate() {
                let path = file.path.as_str();
                index.entry(path.to_owned()).or_insert(i);
                for (at, _) in path.match_indices('/') {
                    index.entry(path[at + 1..].to_owned()).or_insert(i);
                }
            }
            index
        });
        index.get(suffix).map(|&i| &self.files[i])
    }

    /// The failure record of `path`, if it did not parse.
    pub fn failure(&self, path: &str) -> Option<&Failed> {
        self.failed.iter().find(|f| f.path == path)
    }
}

enum Outcome {
    Parsed(Box<FileModel>),
    Skipped(Skipped),
    Failed(Failed),
}

/// Where a file runs, from its path: Supabase functions and API folders
/// run on a server, the `src/` of a Vite app in the browser. Directives
/// (`'use client'`) override this after parsing.
fn runtime_of(path: &str, vite_roots: &BTreeSet<String>) -> Runtime {
    if path.starts_with("supabase/functions/") || path.contains("/supabase/functions/") {
        return Runtime::Server;
    }
    let in_vite_src = vite_roots.iter().any(|root| {
        let src = if root.is_empty() {
            "src/".to_owned()
        } else {
            format!("{root}/src/")
        };
        path.starts_with(&src)
    });
    if in_vite_src {
        return Runtime::Client;
    }
    let server_dir = ["api/", "server/", "pages/api/", "app/api/", "src/app/api/"]
        .iter()
        .any(|dir| path.starts_with(dir) || path.contains(&format!("/{dir}")));
    if server_dir {
        Runtime::Server
    } else {
        Runtime::Unknown
    }
}

/// Whether text looks minified: a long file made of very long lines.
fn minified(text: &str) -> bool {
    if text.len() < 2_000 {
        return false;
    }
    let lines = text.lines().count().max(1);
    text.len() / lines > 500 || text.lines().any(|l| l.len() > 10_000)
}

fn parse_one(path: &str, language: Language, runtime: Runtime, read: &Reader<'_>) -> Outcome {
    let failed = |class, error| {
        Outcome::Failed(Failed {
            path: path.to_owned(),
            class,
            error,
        })
    };
    let bytes = match read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return failed(
                classify(path),
                ParseError::Read {
                    message: error.to_string(),
                },
            );
        }
    };
    let mut class = classify_content(path, &bytes);
    // diesel's CLI marks the `schema.rs` it writes as generated; it is the
    // product's database schema all the same.
    if class == FileClass::Generated
        && language == Language::Rust
        && String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).contains("Diesel CLI")
    {
        class = classify(path);
    }
    let skip = |reason| {
        Outcome::Skipped(Skipped {
            path: path.to_owned(),
            reason,
        })
    };
    if class == FileClass::Generated {
        return skip(SkipReason::Generated);
    }
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return skip(SkipReason::TooLarge);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return failed(class, ParseError::NotUtf8);
    };
    // Depth first: a deep file is reported even when it also looks minified.
    let depth = match language {
        Language::Python => py::nesting_depth(text),
        Language::Rust => rust::nesting_depth(text),
        _ => js::nesting_depth(text),
    };
    if depth > js::MAX_DEPTH {
        return failed(
            class,
            ParseError::TooDeep {
                depth,
                limit: js::MAX_DEPTH,
            },
        );
    }
    if minified(text) {
        return skip(SkipReason::Minified);
    }
    match catch_unwind(AssertUnwindSafe(|| match language {
        Language::Python => py::parse(path, text, class),
        Language::Rust => rust::parse(path, text, class),
        _ => js::parse(path, text, language, class, runtime),
    })) {
        Ok(Ok(model)) => Outcome::Parsed(Box::new(model)),
        Ok(Err(error)) => failed(class, error),
        Err(_) => failed(class, ParseError::Crashed),
    }
}

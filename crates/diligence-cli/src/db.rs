//! `diligence db fetch` and `diligence db list`: advisory databases in a
//! local cache.
//!
//! Scans never touch the network. Fetching is a separate, explicit command:
//! it clones each database's public git repository (shallow) with the
//! system `git` into the cache, and `scan` then uses every cached database
//! unless `--advisory-db` names others or `--no-cached-db` is given.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use crate::{exit, output};

/// A database the cache knows how to fetch.
struct Source {
    name: &'static str,
    url: &'static str,
    /// The folder inside the clone that holds the advisories.
    subdir: &'static str,
}

const SOURCES: &[Source] = &[
    Source {
        name: "rustsec",
        url: "https://github.com/rustsec/advisory-db",
        subdir: "",
    },
    Source {
        name: "pypa",
        url: "https://github.com/pypa/advisory-database",
        subdir: "vulns",
    },
    Source {
        name: "go",
        url: "https://github.com/golang/vulndb",
        subdir: "data/osv",
    },
];

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Download (or refresh) advisory databases into the cache.
    Fetch {
        /// Databases to fetch: rustsec, pypa, go (default: all).
        names: Vec<String>,
        /// Cache folder (default: $DILIGENCE_CACHE, else $XDG_CACHE_HOME/diligence,
        /// else ~/.cache/diligence).
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
    },
    /// List the databases in the cache.
    List {
        /// Cache folder.
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
    },
}

/// The cache folder: `$DILIGENCE_CACHE`, `$XDG_CACHE_HOME/diligence` or
/// `~/.cache/diligence`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    let from_env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from_env("DILIGENCE_CACHE")
        .or_else(|| from_env("XDG_CACHE_HOME").map(|d| d.join("diligence")))
        .or_else(|| from_env("HOME").map(|d| d.join(".cache").join("diligence")))
}

/// The advisory folders present in the cache, in a fixed order.
pub(crate) fn cached_databases(cache: &Path) -> Vec<PathBuf> {
    SOURCES
        .iter()
        .map(|s| cache.join("advisory-db").join(s.name).join(s.subdir))
        .filter(|dir| dir.is_dir())
        .collect()
}

pub(crate) fn run(command: &DbCommand) -> Result<u8> {
    match command {
        DbCommand::Fetch { names, cache } => fetch(names, cache.clone()),
        DbCommand::List { cache } => list(cache.clone()),
    }
}

fn resolve_cache(cache: Option<PathBuf>) -> Result<PathBuf> {
    cache
        .or_else(cache_dir)
        .context("no cache folder: set DILIGENCE_CACHE or pass --cache DIR")
}

fn fetch(names: &[String], cache: Option<PathBuf>) -> Result<u8> {
    let cache = resolve_cache(cache)?;
    let chosen: Vec<&Source> = if names.is_empty() {
        SOURCES.iter().collect()
    } else {
        names
            .iter()
            .map(|name| {
                SOURCES.iter().find(|s| s.name == name).with_context(|| {
                    let known: Vec<_> = SOURCES.iter().map(|s| s.name).collect();
                    format!("unknown database `{name}` (known: {})", known.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };
    let root = cache.join("advisory-db");
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create the cache folder {}", root.display()))?;
    for source in chosen {
        let target = root.join(source.name);
        let staging = root.join(format!("{}.fetching", source.name));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        let status = Command::new("git")
            .args(["clone", "--quiet", "--depth", "1", "--", source.url])
            .arg(&staging)
            .env("GIT_TERMINAL_PROMPT", "0")
            .status()
            .context("cannot run git: is it installed?")?;
        if !status.success() {
            bail!(
                "cannot fetch {} from {}: git clone failed (is the network reachable?)",
                source.name,
                source.url
            );
        }
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot replace {}", target.display()))?;
        }
        std::fs::rename(&staging, &target)
            .with_context(|| format!("cannot move the new copy into {}", target.display()))?;
        output::stdout(&format!(
            "fetched {} into {}\n",
            source.name,
            target.display()
        ))?;
    }
    Ok(exit::SUCCESS)
}

fn list(cache: Option<PathBuf>) -> Result<u8> {
    let cache = resolve_cache(cache)?;
    let found = cached_databases(&cache);
    let mut text = String::new();
    if found.is_empty() {
        text.push_str(&format!(
            "no advisory databases in {} (run `diligence db fetch`)\n",
            cache.display()
        ));
    }
    for dir in found {
        text.push_str(&format!("{}\n", dir.display()));
    }
    output::stdout(&text)?;
    Ok(exit::SUCCESS)
}

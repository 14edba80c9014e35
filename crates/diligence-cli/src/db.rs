//! `diligence db fetch` and `diligence db list`: advisory databases in a
//! local cache.
//!
//! Scans never touch the network. Fetching is a separate, explicit command:
//! it clones each database's public git repository (shallow) with the
//! system `git` into the cache, and `scan` then uses every cached database
//! unless `--advisory-db` names others or `--no-cached-db` is given.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::{exit, output};

use diligence::deps::fetch as dbfetch;

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Download (or refresh) advisory databases into the cache.
    Fetch {
        /// Databases to fetch: rustsec, pypa, go, github (default: all).
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
    dbfetch::cached_databases(cache)
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
    for source in dbfetch::select(names)? {
        let dir = dbfetch::fetch(&cache, &source, None)?;
        output::stdout(&format!("fetched {} into {}\n", source.name, dir.display()))?;
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

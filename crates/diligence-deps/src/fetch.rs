//! Fetching advisory databases into a local cache: the only code of the
//! crate that touches the network, and only when a user asks
//! (`diligence db fetch`). Scans read the cache and never fetch.
//!
//! Each database is a shallow clone of its public git repository, made
//! with the system `git` run with no system or global configuration, no
//! `GIT_*` variables from the environment, no templates and no hooks, so
//! nothing on the machine can change what is fetched or run code while
//! fetching. GitHub's advisory database is large (gigabytes), so only its
//! reviewed advisories are checked out, through a partial, sparse clone.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A database the cache knows how to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbSource {
    /// Name in the cache and on the command line.
    pub name: &'static str,
    /// The public git repository.
    pub url: &'static str,
    /// The folder inside the clone that holds the advisories.
    pub subdir: &'static str,
    /// Check out `subdir` only (a partial, sparse clone).
    pub sparse: bool,
}

/// Every database `diligence db fetch` knows, in cache order.
pub const SOURCES: &[DbSource] = &[
    DbSource {
        name: "rustsec",
        url: "https://github.com/rustsec/advisory-db",
        subdir: "",
        sparse: false,
    },
    DbSource {
        name: "pypa",
        url: "https://github.com/pypa/advisory-database",
        subdir: "vulns",
        sparse: false,
    },
    DbSource {
        name: "go",
        url: "https://github.com/golang/vulndb",
        subdir: "data/osv",
        sparse: false,
    },
    // GitHub's reviewed advisories: OSV JSON for npm, Maven, NuGet, PyPI,
    // RubyGems, Go, crates.io, Composer, Pub, Swift and more; the current
    // npm source.
    DbSource {
        name: "github",
        url: "https://github.com/github/advisory-database",
        subdir: "advisories/github-reviewed",
        sparse: true,
    },
];

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// No database of that name.
    #[error("unknown database `{name}` (known: {known})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names known.
        known: String,
    },
    /// A folder of the cache could not be created, cleared or replaced.
    #[error("cannot prepare {path}")]
    Cache {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `git` could not be started.
    #[error("cannot run git: is it installed?")]
    Spawn(#[source] std::io::Error),
    /// `git` ran and failed.
    #[error(
        "cannot fetch {name} from {url}: `git {step}` failed (is the network reachable?): {stderr}"
    )]
    Git {
        /// The database.
        name: String,
        /// Where from.
        url: String,
        /// The git subcommand that failed.
        step: String,
        /// What git said, trimmed.
        stderr: String,
    },
    /// The clone holds no advisory folder where one was expected.
    #[error("{name}: the clone has no {subdir} folder")]
    Layout {
        /// The database.
        name: String,
        /// The folder expected.
        subdir: String,
    },
}

/// The databases named, or all of them when `names` is empty.
pub fn select(names: &[String]) -> Result<Vec<DbSource>, FetchError> {
    if names.is_empty() {
        return Ok(SOURCES.to_vec());
    }
    names
        .iter()
        .map(|name| {
            SOURCES
                .iter()
                .find(|s| s.name == name)
                .copied()
                .ok_or_else(|| FetchError::Unknown {
                    name: name.clone(),
                    known: SOURCES
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect()
}

/// The advisory folders present in a cache, in [`SOURCES`] order.
pub fn cached_databases(cache: &Path) -> Vec<PathBuf> {
    SOURCES
        .iter()
        .map(|s| advisory_dir(cache, s))
        .filter(|dir| dir.is_dir())
        .collect()
}

/// Where a database's advisories live in a cache.
pub fn advisory_dir(cache: &Path, source: &DbSource) -> PathBuf {
    let dir = cache.join("advisory-db").join(source.name);
    if source.subdir.is_empty() {
        dir
    } else {
        dir.join(source.subdir)
    }
}

/// A `git` command that reads no configuration but the repository's own,
/// takes nothing from `GIT_*` variables, never prompts and runs no hook.
fn git() -> Command {
    let mut command = Command::new("git");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") {
            command.env_remove(key);
        }
    }
    let null = if cfg!(windows) { "NUL" } else { "/dev/null" };
    command
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", null)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("LC_ALL", "C")
        .args(["-c", &format!("core.hooksPath={null}")])
        .args(["-c", "core.fsmonitor=false"])
        .args(["-c", "credential.helper="])
        .args(["-c", "protocol.ext.allow=never"]);
    command
}

fn run(source: &DbSource, url: &str, step: &str, command: &mut Command) -> Result<(), FetchError> {
    let output = command.output().map_err(FetchError::Spawn)?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(FetchError::Git {
        name: source.name.to_owned(),
        url: url.to_owned(),
        step: step.to_owned(),
        stderr: stderr.trim().chars().take(500).collect(),
    })
}

/// Clones `source` (from `url` when given, for mirrors and tests) into
/// `cache`, replacing a previous copy only once the new one is complete.
/// Returns the advisory folder.
pub fn fetch(cache: &Path, source: &DbSource, url: Option<&str>) -> Result<PathBuf, FetchError> {
    let url = url.unwrap_or(source.url);
    let root = cache.join("advisory-db");
    let prepare = |path: &Path| {
        let path = path.to_owned();
        move |source| FetchError::Cache { path, source }
    };
    std::fs::create_dir_all(&root).map_err(prepare(&root))?;
    let target = root.join(source.name);
    let staging = root.join(format!("{}.fetching", source.name));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(prepare(&staging))?;
    }
    let mut clone = git();
    clone.args(["clone", "--quiet", "--depth", "1", "--template="]);
    if source.sparse {
        // Blobs come on demand, only for the folder checked out.
        clone.args(["--filter=blob:none", "--sparse"]);
    }
    clone.arg("--").arg(url).arg(&staging);
    run(source, url, "clone", &mut clone)?;
    if source.sparse {
        let mut sparse = git();
        sparse
            .arg("-C")
            .arg(&staging)
            .args(["sparse-checkout", "set", "--", source.subdir]);
        run(source, url, "sparse-checkout set", &mut sparse)?;
    }
    if !source.subdir.is_empty() && !staging.join(source.subdir).is_dir() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(FetchError::Layout {
            name: source.name.to_owned(),
            subdir: source.subdir.to_owned(),
        });
    }
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(prepare(&target))?;
    }
    std::fs::rename(&staging, &target).map_err(prepare(&target))?;
    Ok(advisory_dir(cache, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_name() {
        let all = select(&[]).unwrap();
        assert_eq!(all.len(), SOURCES.len());
        let github = select(&["github".to_owned()]).unwrap();
        assert_eq!(github[0].subdir, "advisories/github-reviewed");
        assert!(github[0].sparse);
        let err = select(&["npm".to_owned()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown database `npm` (known: rustsec, pypa, go, github)"
        );
    }
}

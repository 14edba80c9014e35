//! Helpers: where fixtures and databases are, and package builders.

use std::path::{Path, PathBuf};

use diligence_deps::{Ecosystem, Package, Source};

/// The workspace root.
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A folder under `fixtures/advisories/`.
pub(crate) fn fixture(path: &str) -> PathBuf {
    workspace_root().join("fixtures/advisories").join(path)
}

/// A folder of the shared advisory databases: `$DILIGENCE_ADVISORY_DB/<sub>`,
/// else `../shared/advisory-db/<sub>` beside the repository. `None` (with the
/// reason printed) when absent, so the calling test can skip.
#[allow(clippy::print_stderr)]
pub(crate) fn shared_db(sub: &str) -> Option<PathBuf> {
    let base = std::env::var_os("DILIGENCE_ADVISORY_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/advisory-db"));
    let dir = base.join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: advisory database {} is absent (set DILIGENCE_ADVISORY_DB)",
            dir.display()
        );
        None
    }
}

/// A pinned registry package.
pub(crate) fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        pinned: true,
        direct: Some(true),
        dev: Some(false),
        source: Source::Registry { url: None },
        file: "lockfile".to_owned(),
        line: None,
        license: None,
        install_script: false,
    }
}

/// The packages of a Cargo.lock, read with the `cargo-lock` types.
pub(crate) fn cargo_lock_packages(path: &Path) -> anyhow::Result<Vec<Package>> {
    let lockfile = rustsec::Lockfile::load(path)?;
    Ok(lockfile
        .packages
        .iter()
        .map(|p| {
            let source = match &p.source {
                None => Source::Path {
                    path: String::new(),
                },
                Some(s) if s.is_default_registry() => Source::Registry { url: None },
                Some(s) if s.is_git() => Source::Git {
                    url: s.url().to_string(),
                    reference: s.precise().map(str::to_owned),
                },
                Some(s) => Source::Registry {
                    url: Some(s.url().to_string()),
                },
            };
            Package {
                source,
                file: "Cargo.lock".to_owned(),
                ..pkg(Ecosystem::CratesIo, p.name.as_str(), &p.version.to_string())
            }
        })
        .collect())
}

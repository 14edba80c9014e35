//! One resolved dependency, whatever ecosystem it comes from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A package ecosystem, named as OSV names them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Ecosystem {
    /// Rust crates (`crates.io` in OSV).
    #[serde(rename = "crates.io")]
    CratesIo,
    /// npm packages.
    #[serde(rename = "npm")]
    Npm,
    /// Python packages.
    #[serde(rename = "PyPI")]
    PyPi,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// PHP packages.
    #[serde(rename = "Packagist")]
    Packagist,
    /// Java packages.
    #[serde(rename = "Maven")]
    Maven,
    /// .NET packages.
    #[serde(rename = "NuGet")]
    NuGet,
}

impl Ecosystem {
    /// The OSV ecosystem name.
    pub fn osv_name(self) -> &'static str {
        match self {
            Self::CratesIo => "crates.io",
            Self::Npm => "npm",
            Self::PyPi => "PyPI",
            Self::Go => "Go",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::Maven => "Maven",
            Self::NuGet => "NuGet",
        }
    }

    /// Parses an OSV ecosystem name (`PyPI`, `crates.io`, ...); suffixes such
    /// as `Debian:12` are not package ecosystems we read and give `None`.
    pub fn from_osv(name: &str) -> Option<Self> {
        Some(match name {
            "crates.io" => Self::CratesIo,
            "npm" => Self::Npm,
            "PyPI" => Self::PyPi,
            "Go" => Self::Go,
            "RubyGems" => Self::RubyGems,
            "Packagist" => Self::Packagist,
            "Maven" => Self::Maven,
            "NuGet" => Self::NuGet,
            _ => return None,
        })
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

/// Where a package's code comes from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Source {
    /// The ecosystem's registry; `url` is set only for a non-default one.
    Registry {
        /// Registry URL when it is not the ecosystem's default.
        url: Option<String>,
    },
    /// A git repository.
    Git {
        /// Repository URL (credentials removed).
        url: String,
        /// Commit, tag or branch, when pinned.
        reference: Option<String>,
    },
    /// A local path.
    Path {
        /// The path as written.
        path: String,
    },
    /// A tarball or wheel URL.
    Url {
        /// The URL (credentials removed).
        url: String,
    },
}

/// One package as a lockfile or manifest records it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Package {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (npm scopes included: `@scope/name`).
    pub name: String,
    /// Resolved version; for a manifest without lockfile, the requirement as written.
    pub version: String,
    /// Whether the version is exact (from a lockfile or a `==` pin).
    pub pinned: bool,
    /// Direct dependency of the project, when the file says.
    pub direct: Option<bool>,
    /// Development-only dependency, when the file says.
    pub dev: Option<bool>,
    /// Where it comes from.
    pub source: Source,
    /// The file it was read from, relative to the repository root.
    pub file: String,
    /// Line in that file, when known.
    pub line: Option<u32>,
    /// Licence expression as recorded (not yet normalised).
    pub license: Option<String>,
    /// The lockfile records an install script (npm `hasInstallScript`).
    pub install_script: bool,
}

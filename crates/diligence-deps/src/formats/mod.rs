//! Manifest and lockfile formats: which files they are and how each is read.
//!
//! Every parser takes a path (relative to the repository root, used only
//! for messages and locations) and the file's bytes, and returns a
//! [`ParsedFile`] or a [`ParseError`] naming the file, line and column.

mod cargo;
mod go;
mod jvm;
mod npm;
mod other;
mod pnpm;
mod python;
mod yarn;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::package::{Ecosystem, Package, Source};

/// The manifest and lockfile formats read.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileKind {
    /// `Cargo.toml`.
    CargoToml,
    /// `Cargo.lock`.
    CargoLock,
    /// `package.json`.
    PackageJson,
    /// `package-lock.json` (v1, v2, v3) or `npm-shrinkwrap.json`.
    PackageLock,
    /// `yarn.lock`, classic (v1) or Berry.
    YarnLock,
    /// `pnpm-lock.yaml`, v5.4 to v9.
    PnpmLock,
    /// `requirements*.txt` (pip).
    Requirements,
    /// `pyproject.toml` (PEP 621 or Poetry).
    PyProject,
    /// `Pipfile`.
    Pipfile,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `go.mod`.
    GoMod,
    /// `go.sum`.
    GoSum,
    /// `Gemfile.lock`.
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// `gradle.lockfile`.
    GradleLockfile,
    /// Maven `pom.xml`: direct dependencies only.
    PomXml,
    /// A Gradle version catalog (`gradle/libs.versions.toml`).
    GradleCatalog,
    /// NuGet `packages.lock.json`.
    NuGetLock,
}

impl FileKind {
    /// The format of a file, from its name alone.
    pub fn detect(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name {
            "Cargo.toml" => Self::CargoToml,
            "Cargo.lock" => Self::CargoLock,
            "package.json" => Self::PackageJson,
            "package-lock.json" | "npm-shrinkwrap.json" => Self::PackageLock,
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "pyproject.toml" => Self::PyProject,
            "Pipfile" => Self::Pipfile,
            "poetry.lock" => Self::PoetryLock,
            "uv.lock" => Self::UvLock,
            "Pipfile.lock" => Self::PipfileLock,
            "go.mod" => Self::GoMod,
            "go.sum" => Self::GoSum,
            "Gemfile.lock" => Self::GemfileLock,
            "composer.lock" => Self::ComposerLock,
            "gradle.lockfile" => Self::GradleLockfile,
            "pom.xml" => Self::PomXml,
            "packages.lock.json" => Self::NuGetLock,
            _ if name.ends_with(".versions.toml") => Self::GradleCatalog,
            _ if is_requirements_name(name) => Self::Requirements,
            _ => return None,
        })
    }

    /// The ecosystem the format belongs to.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Self::CargoToml | Self::CargoLock => Ecosystem::CratesIo,
            Self::PackageJson | Self::PackageLock | Self::YarnLock | Self::PnpmLock => {
                Ecosystem::Npm
            }
            Self::Requirements
            | Self::PyProject
            | Self::Pipfile
            | Self::PoetryLock
            | Self::UvLock
            | Self::PipfileLock => Ecosystem::PyPi,
            Self::GoMod | Self::GoSum => Ecosystem::Go,
            Self::GemfileLock => Ecosystem::RubyGems,
            Self::ComposerLock => Ecosystem::Packagist,
            Self::GradleLockfile | Self::PomXml | Self::GradleCatalog => Ecosystem::Maven,
            Self::NuGetLock => Ecosystem::NuGet,
        }
    }

    /// Whether the file records resolved versions (a lockfile). A
    /// requirements file is counted as a lockfile only where every line is
    /// pinned; that is decided per file, not here.
    pub fn is_lockfile(self) -> bool {
        matches!(
            self,
            Self::CargoLock
                | Self::PackageLock
                | Self::YarnLock
                | Self::PnpmLock
                | Self::PoetryLock
                | Self::UvLock
                | Self::PipfileLock
                | Self::GoSum
                | Self::GemfileLock
                | Self::ComposerLock
                | Self::GradleLockfile
                | Self::NuGetLock
        )
    }

    /// Stable kebab-case name, as used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CargoToml => "Cargo.toml",
            Self::CargoLock => "Cargo.lock",
            Self::PackageJson => "package.json",
            Self::PackageLock => "package-lock.json",
            Self::YarnLock => "yarn.lock",
            Self::PnpmLock => "pnpm-lock.yaml",
            Self::Requirements => "requirements.txt",
            Self::PyProject => "pyproject.toml",
            Self::Pipfile => "Pipfile",
            Self::PoetryLock => "poetry.lock",
            Self::UvLock => "uv.lock",
            Self::PipfileLock => "Pipfile.lock",
            Self::GoMod => "go.mod",
            Self::GoSum => "go.sum",
            Self::GemfileLock => "Gemfile.lock",
            Self::ComposerLock => "composer.lock",
            Self::GradleLockfile => "gradle.lockfile",
            Self::PomXml => "pom.xml",
            Self::GradleCatalog => "libs.versions.toml",
            Self::NuGetLock => "packages.lock.json",
        }
    }
}

fn is_requirements_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") && (lower.ends_with(".txt") || lower.ends_with(".in")))
        || (lower.ends_with("-requirements.txt") || lower.ends_with("_requirements.txt"))
}

/// A dependency file the collector recognises but does not read, or reads
/// only with the help of a lockfile of another format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Unsupported {
    /// Ecosystem, as OSV names it where OSV has a name.
    pub ecosystem: &'static str,
    /// What the file is, for the report.
    pub what: &'static str,
    /// A lockfile (rather than a manifest).
    pub lockfile: bool,
    /// Lockfile formats we read that, in the same directory, resolve this
    /// manifest's dependencies.
    pub locked_by: &'static [FileKind],
}

/// Recognises dependency files that are not read.
pub fn detect_unsupported(path: &str) -> Option<Unsupported> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let u = |ecosystem, what, lockfile, locked_by| {
        Some(Unsupported {
            ecosystem,
            what,
            lockfile,
            locked_by,
        })
    };
    let extension = name.rsplit_once('.').map_or("", |(_, x)| x);
    match name {
        "build.gradle" | "build.gradle.kts" => u(
            "Maven",
            "Gradle build script",
            false,
            &[FileKind::GradleLockfile],
        ),
        "packages.config" => u("NuGet", "NuGet packages.config", false, &[]),
        "Directory.Packages.props" => u("NuGet", "NuGet central package versions", false, &[]),
        "paket.lock" => u("NuGet", "Paket lockfile", true, &[]),
        ".terraform.lock.hcl" => u("Terraform", "Terraform provider lockfile", true, &[]),
        "Package.swift" => u("SwiftURL", "Swift package manifest", false, &[]),
        "Package.resolved" => u("SwiftURL", "Swift package lockfile", true, &[]),
        "Podfile" => u("CocoaPods", "CocoaPods Podfile", false, &[]),
        "Podfile.lock" => u("CocoaPods", "CocoaPods lockfile", true, &[]),
        "Cartfile" => u("Carthage", "Carthage Cartfile", false, &[]),
        "Cartfile.resolved" => u("Carthage", "Carthage lockfile", true, &[]),
        "pubspec.yaml" => u("Pub", "Dart pubspec", false, &[]),
        "pubspec.lock" => u("Pub", "Dart pubspec lockfile", true, &[]),
        "mix.exs" => u("Hex", "Elixir mix project", false, &[]),
        "mix.lock" => u("Hex", "Elixir mix lockfile", true, &[]),
        "rebar.config" => u("Hex", "Erlang rebar config", false, &[]),
        "rebar.lock" => u("Hex", "Erlang rebar lockfile", true, &[]),
        "Gemfile" | "gems.rb" => u("RubyGems", "Ruby Gemfile", false, &[FileKind::GemfileLock]),
        "composer.json" => u(
            "Packagist",
            "PHP composer.json",
            false,
            &[FileKind::ComposerLock],
        ),
        "setup.py" => u("PyPI", "Python setup.py (code, never run)", false, &[]),
        "environment.yml" | "environment.yaml" => u("conda", "conda environment", false, &[]),
        "bun.lockb" | "bun.lock" => u("npm", "Bun lockfile", true, &[]),
        "deno.lock" => u("npm", "Deno lockfile", true, &[]),
        "conanfile.txt" | "conanfile.py" => u("ConanCenter", "Conan recipe", false, &[]),
        "conan.lock" => u("ConanCenter", "Conan lockfile", true, &[]),
        "vcpkg.json" => u("vcpkg", "vcpkg manifest", false, &[]),
        "stack.yaml.lock" => u("Hackage", "Stack lockfile", true, &[]),
        "cabal.project.freeze" => u("Hackage", "Cabal freeze file", true, &[]),
        "renv.lock" => u("CRAN", "R renv lockfile", true, &[]),
        "Manifest.toml" => u("Julia", "Julia manifest", true, &[]),
        "flake.lock" => u("Nix", "Nix flake lockfile", true, &[]),
        "MODULE.bazel.lock" => u("Bazel", "Bazel module lockfile", true, &[]),
        _ => match extension {
            "csproj" | "fsproj" | "vbproj" => {
                u("NuGet", ".NET project file", false, &[FileKind::NuGetLock])
            }
            "gemspec" => u("RubyGems", "Ruby gemspec", false, &[FileKind::GemfileLock]),
            _ => None,
        },
    }
}

/// What kind of dependency a manifest entry is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    /// Needed at run time.
    Normal,
    /// Development or test only.
    Dev,
    /// Build only (Cargo build-dependencies).
    Build,
    /// Optional or peer dependency.
    Optional,
}

/// One dependency as a manifest declares it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct Requirement {
    /// Package name as the ecosystem spells it (for renamed Cargo
    /// dependencies, the real package name).
    pub name: String,
    /// The requirement as written (`^1.2`, `>=2`, `*`, empty for none).
    pub requirement: String,
    /// Runtime, dev, build or optional.
    pub kind: DepKind,
    /// Where it comes from.
    pub source: Source,
    /// Line of the declaration, when known.
    pub line: Option<u32>,
}

/// A manifest: what a project declares it needs.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// The project's name, when declared.
    pub name: Option<String>,
    /// The declared dependencies.
    pub dependencies: Vec<Requirement>,
    /// The licence field as written.
    pub license: Option<String>,
    /// Whether this looks like an application (which should commit a
    /// lockfile) rather than a library. A heuristic per format.
    pub application: bool,
    /// Workspace member globs (Cargo `workspace.members`, npm `workspaces`).
    pub workspace_members: Vec<String>,
    /// The manifest configures Renovate (`renovate` key in package.json).
    pub renovate: bool,
    /// Other files this one includes (`-r other.txt`), relative to the
    /// repository root.
    pub includes: Vec<String>,
}

/// The result of reading one file.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ParsedFile {
    /// The file, relative to the repository root.
    pub file: String,
    /// Its format.
    pub kind: FileKind,
    /// The declarations, for a manifest (requirements files and go.mod are
    /// both manifest and inventory).
    pub manifest: Option<Manifest>,
    /// Packages the file records.
    pub packages: Vec<Package>,
    /// The file itself says which packages are direct (package-lock v2+
    /// root entry, pnpm importers, Cargo.lock workspace members, go.mod).
    pub direct_known: bool,
    /// Format version, when the file states one (`lockfileVersion`, `version`).
    pub format_version: Option<String>,
    /// Names the lockfile resolves locally (workspace members and path
    /// crates in Cargo.lock): not packages, but they satisfy a manifest.
    pub local: std::collections::BTreeSet<String>,
    /// What each package resolved to depend on, keyed `name version`, for
    /// lockfiles that record it (Cargo.lock): an optional dependency a
    /// feature would pull in is absent when the feature is off.
    pub resolved: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    /// A POM's declarations, kept so the analysis can apply the parent's
    /// properties and managed versions.
    pub pom: Option<jvm::Pom>,
}

impl ParsedFile {
    fn new(file: &str, kind: FileKind) -> Self {
        Self {
            file: file.to_owned(),
            kind,
            manifest: None,
            packages: Vec::new(),
            direct_known: false,
            format_version: None,
            local: std::collections::BTreeSet::new(),
            resolved: std::collections::BTreeMap::new(),
            pom: None,
        }
    }
}

/// Reads one manifest or lockfile. Errors name the file, line and column;
/// nothing here panics on hostile input, and nesting is bounded by the
/// underlying parsers (serde_json's recursion limit, toml's depth limit, a
/// YAML budget).
pub fn parse_file(kind: FileKind, file: &str, content: &[u8]) -> Result<ParsedFile, ParseError> {
    let text = std::str::from_utf8(content).map_err(|e| {
        let lines = crate::text::Lines::new(&String::from_utf8_lossy(&content[..e.valid_up_to()]));
        let (line, column) = lines.position(e.valid_up_to());
        ParseError::at(file, line, column, "not valid UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match kind {
        FileKind::CargoToml => cargo::parse_manifest(file, text),
        FileKind::CargoLock => cargo::parse_lock(file, text),
        FileKind::PackageJson => npm::parse_manifest(file, text),
        FileKind::PackageLock => npm::parse_lock(file, text),
        FileKind::YarnLock => yarn::parse(file, text),
        FileKind::PnpmLock => pnpm::parse(file, text),
        FileKind::Requirements => python::parse_requirements(file, text),
        FileKind::PyProject => python::parse_pyproject(file, text),
        FileKind::Pipfile => python::parse_pipfile(file, text),
        FileKind::PoetryLock => python::parse_poetry_lock(file, text),
        FileKind::UvLock => python::parse_uv_lock(file, text),
        FileKind::PipfileLock => python::parse_pipfile_lock(file, text),
        FileKind::GoMod => go::parse_mod(file, text),
        FileKind::GoSum => go::parse_sum(file, text),
        FileKind::GemfileLock => other::parse_gemfile_lock(file, text),
        FileKind::ComposerLock => other::parse_composer_lock(file, text),
        FileKind::GradleLockfile => other::parse_gradle_lockfile(file, text),
        FileKind::PomXml => jvm::parse_pom(file, text),
        FileKind::GradleCatalog => jvm::parse_gradle_catalog(file, text),
        FileKind::NuGetLock => jvm::parse_nuget_lock(file, text),
    }
}

pub(crate) use jvm::resolve_pom;
pub use jvm::{Pom, PomDependency};

/// A package with the fields every parser fills the same way.
pub(crate) fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    file: &str,
    line: Option<u32>,
) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        pinned: true,
        direct: None,
        dev: None,
        source: Source::Registry { url: None },
        file: file.to_owned(),
        line,
        license: None,
        install_script: false,
    }
}

/// Turns a toml error into a [`ParseError`] with line and column.
pub(crate) fn toml_error(file: &str, text: &str, error: &toml::de::Error) -> ParseError {
    let (line, column) = error
        .span()
        .map(|span| crate::text::Lines::new(text).position(span.start))
        .unwrap_or((0, 0));
    ParseError::at(file, line, column, error.message().trim().to_owned())
}

/// Turns a serde_json error into a [`ParseError`] with line and column.
pub(crate) fn json_error(file: &str, error: &serde_json::Error) -> ParseError {
    let line = u32::try_from(error.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(error.column()).unwrap_or(u32::MAX);
    let message = error.to_string();
    // serde_json appends " at line L column C"; the position is kept apart.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    ParseError::at(file, line, column, message)
}

/// Lowercases a Python distribution name and folds `_` and `.` into `-`
/// (PEP 503), so `Django`, `django` and `DJANGO` compare equal.
pub fn normalise_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !dash {
                out.push('-');
            }
            dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            dash = false;
        }
    }
    out
}

/// The name under which two packages of one ecosystem are the same package.
pub fn normalised_name(ecosystem: Ecosystem, name: &str) -> String {
    if ecosystem == Ecosystem::NuGet {
        return name.to_ascii_lowercase();
    }
    match ecosystem {
        Ecosystem::PyPi => normalise_python_name(name),
        Ecosystem::CratesIo => name.replace('_', "-"),
        _ => name.to_owned(),
    }
}

/// Whether a Python requirement pins one exact version (`==1.2.3`).
pub(crate) fn python_exact(spec: &str) -> bool {
    python::is_exact_pin(spec)
}

/// A package.json licence value (string, object or legacy array).
pub(crate) fn npm_license_value(value: &serde_json::Value) -> Option<String> {
    npm::license_value(value)
}

//! From a list of files to an inventory, licences and hygiene findings.
//!
//! [`analyse`] is the collector's work without the collector: it takes the
//! target's file paths and a reader, so it can be tested on in-memory
//! files. Discovery, parsing, direct/transitive marking, licences and the
//! hygiene rules all happen here; advisories are matched by the collector.

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::{Confidence, Finding, Location, RuleId, Severity};

use crate::error::ParseError;
use crate::formats::{DepKind, FileKind, ParsedFile, Requirement, normalised_name, parse_file};
use crate::licence::{self, LicenceClass};
use crate::package::{Ecosystem, Package, Source};

/// Directories never searched for manifests: installed or generated
/// dependencies, build output, virtual environments.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    ".git",
    "dist",
    "build",
    ".venv",
    "venv",
    "site-packages",
    "bower_components",
    "__pycache__",
    // Test fixtures describe other projects, not the one being assessed.
    "fixtures",
    "__fixtures__",
    "testdata",
];

/// A lockfile with more packages than this is reported as a very large tree.
pub const LARGE_TREE: usize = 1_500;

/// At most this many vendored `node_modules/*/package.json` files are read
/// for licences.
pub const MAX_VENDORED_MANIFESTS: usize = 5_000;

/// Largest lockfile read. Real monorepo `package-lock.json`, `pnpm-lock.yaml`
/// and `yarn.lock` files of 10–40 MB are common; the file index's general
/// cap (8 MiB) would leave them unread.
pub const LOCKFILE_CAP: u64 = 64 * 1024 * 1024;

/// Largest manifest read (`package.json`, `pom.xml`, `Cargo.toml`, ...).
pub const MANIFEST_CAP: u64 = 16 * 1024 * 1024;

/// The size cap for a dependency file of this format.
pub fn read_cap(kind: FileKind) -> u64 {
    if kind.is_lockfile() {
        LOCKFILE_CAP
    } else {
        MANIFEST_CAP
    }
}

/// What reading one file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRead {
    /// The content.
    Content(Vec<u8>),
    /// Not read: larger than the cap.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The cap it exceeded, in bytes.
        cap: u64,
    },
    /// Not read: an I/O error.
    Failed(String),
}

/// `12.3 MB`, `64 MiB`-style sizes for messages.
pub(crate) fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        return format!("{} MiB", bytes / MIB);
    }
    let tenths = bytes.saturating_mul(10) / MIB;
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

/// How far one manifest's (or lone lockfile's) dependencies were read.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Resolution {
    /// Resolved from a lockfile (or a file that pins the whole build: go.mod,
    /// a requirements file of exact pins): the full tree is known.
    Lockfile,
    /// Direct dependencies only (a manifest without lockfile, a POM, a
    /// version catalog): the transitive tree is unknown.
    Direct,
    /// Nothing read: the file is unreadable, malformed or of a format the
    /// collector does not read.
    None,
}

impl Resolution {
    /// Stable words for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lockfile => "resolved from a lockfile",
            Self::Direct => "direct dependencies only",
            Self::None => "not analysed",
        }
    }
}

/// One unit of coverage: a manifest with dependencies, or a lockfile no
/// manifest claims, or a recognised file that was not read.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct CoverageUnit {
    /// The file, relative to the repository root.
    pub file: String,
    /// Ecosystem as OSV names it (or the ecosystem's usual name when OSV
    /// has none: `Terraform`, `CocoaPods`, ...).
    pub ecosystem: String,
    /// How far it was read.
    pub resolution: Resolution,
    /// Why, in a few words.
    pub reason: String,
}

/// The result of [`analyse`].
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Every file read, in path order.
    pub parsed: Vec<ParsedFile>,
    /// Files that could not be parsed.
    pub errors: Vec<ParseError>,
    /// Files that were not read (too large or unreadable), with the reason.
    pub unread: Vec<(String, String)>,
    /// The inventory: lockfile packages, plus manifest requirements where
    /// no lockfile covers the manifest. Sorted.
    pub packages: Vec<Package>,
    /// Manifests (by path) without a lockfile covering them.
    pub unlocked_manifests: Vec<String>,
    /// The lockfile covering each manifest, by manifest path.
    pub lock_of: BTreeMap<String, String>,
    /// The project's own licence as an SPDX expression (or the text found).
    pub project_licence: Option<String>,
    /// Where the project licence was read from.
    pub project_licence_source: Vec<String>,
    /// Whether Dependabot or Renovate is configured, and where.
    pub update_tool: Option<String>,
    /// Hygiene and licence findings, unsorted.
    pub findings: Vec<Finding>,
    /// Every manifest (and lone lockfile) with how far it was read, in
    /// path order: the basis of coverage per ecosystem.
    pub coverage: Vec<CoverageUnit>,
    /// Manifests whose lockfile exists but could not be read, with that
    /// lockfile.
    pub lock_unread: BTreeMap<String, String>,
    /// Counts for facts.
    pub counts: Counts,
}

/// Counts behind the collector's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Manifest requirements that are unpinned or wildcards.
    pub unpinned: usize,
    /// Distinct packages from git or URL sources.
    pub git_sources: usize,
    /// Packages whose lockfile records an install script.
    pub install_scripts: usize,
    /// Packages per licence class, for those whose licence is recorded.
    pub licences: BTreeMap<LicenceClass, usize>,
    /// Example package names per licence class.
    pub licence_examples: BTreeMap<LicenceClass, Vec<String>>,
    /// Packages with no licence recorded anywhere we read.
    pub licence_unrecorded: usize,
}

fn rule(id: &str) -> RuleId {
    RuleId::new(id).expect("built-in rule ids are valid")
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn skipped(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|c| SKIPPED_DIRS.contains(&c))
}

/// The lockfile formats that can lock a manifest of this format.
fn lock_kinds(kind: FileKind) -> &'static [FileKind] {
    match kind {
        FileKind::CargoToml => &[FileKind::CargoLock],
        FileKind::PackageJson => &[
            FileKind::PackageLock,
            FileKind::YarnLock,
            FileKind::PnpmLock,
        ],
        FileKind::PyProject => &[
            FileKind::PoetryLock,
            FileKind::UvLock,
            FileKind::PipfileLock,
        ],
        FileKind::Pipfile => &[FileKind::PipfileLock],
        FileKind::GoMod => &[FileKind::GoSum],
        _ => &[],
    }
}

/// Update-tool configuration files.
fn update_tool_file(path: &str) -> bool {
    matches!(
        path,
        ".github/dependabot.yml"
            | ".github/dependabot.yaml"
            | "renovate.json"
            | "renovate.json5"
            | ".github/renovate.json"
            | ".github/renovate.json5"
            | ".gitlab/renovate.json"
            | ".gitlab/renovate.json5"
    ) || path.starts_with(".renovaterc")
}

/// A vendored package manifest: `…/node_modules/name/package.json` or
/// `…/node_modules/@scope/name/package.json`.
fn vendored_manifest(path: &str) -> bool {
    let Some(rest) = path.strip_suffix("/package.json") else {
        return false;
    };
    let Some(idx) = rest.rfind("node_modules/") else {
        return false;
    };
    let name = &rest[idx + "node_modules/".len()..];
    match name.split('/').collect::<Vec<_>>()[..] {
        [n] => !n.starts_with('.') && !n.starts_with('@'),
        [scope, _] => scope.starts_with('@'),
        _ => false,
    }
}

/// Whether a requirement leaves the version open: `*`, `latest`, empty,
/// `x`, or a lower bound with no upper bound.
pub fn is_unbounded(ecosystem: Ecosystem, requirement: &str) -> bool {
    let r = requirement.trim();
    if ecosystem == Ecosystem::Maven {
        // `[1.0,)`, `(,2.0]` without an upper bound, `LATEST`, `RELEASE`.
        return matches!(r, "" | "LATEST" | "RELEASE") || r.ends_with(",)") || r.ends_with(",]");
    }
    if matches!(r, "" | "*" | "latest" | "x" | "X" | "next") {
        return ecosystem != Ecosystem::Go;
    }
    r.split("||").any(|alt| {
        let alt = alt.trim();
        (alt.starts_with(">=") || alt.starts_with('>'))
            && !alt.contains('<')
            && !alt.contains('~')
            && !alt.contains('^')
    })
}

/// Whether a locked version satisfies a manifest requirement, for the
/// ecosystems whose range syntax we read; `None` when we cannot tell.
fn satisfies(ecosystem: Ecosystem, requirement: &str, version: &str) -> Option<bool> {
    let r = requirement.trim();
    if r.is_empty() || r == "*" || r == "latest" || r == "workspace" {
        return None;
    }
    match ecosystem {
        Ecosystem::Npm => {
            let range = nodejs_semver::Range::parse(r).ok()?;
            let version = nodejs_semver::Version::parse(version).ok()?;
            Some(range.satisfies(&version))
        }
        Ecosystem::CratesIo => {
            let req = semver::VersionReq::parse(r).ok()?;
            let version = semver::Version::parse(version).ok()?;
            Some(req.matches(&version))
        }
        _ => None,
    }
}

/// The major version, Cargo-style: `1.2.3` → `1`, `0.4.1` → `0.4`.
fn major(version: &str) -> Option<String> {
    let v = version.trim_start_matches(['v', '=']);
    let mut parts = v.split(['.', '-', '+']);
    let first = parts.next()?;
    first.parse::<u64>().ok()?;
    if first == "0" {
        let second = parts.next()?;
        second.parse::<u64>().ok()?;
        return Some(format!("0.{second}"));
    }
    Some(first.to_owned())
}

struct Grouped {
    rule: &'static str,
    severity: Severity,
    confidence: Confidence,
    file: String,
    items: Vec<(String, Option<u32>)>,
}

/// Collects per-file occurrences of one rule into one finding each.
#[derive(Default)]
struct Groups {
    map: BTreeMap<(&'static str, String), Grouped>,
}

impl Groups {
    fn add(
        &mut self,
        rule: &'static str,
        severity: Severity,
        confidence: Confidence,
        file: &str,
        item: String,
        line: Option<u32>,
    ) {
        self.map
            .entry((rule, file.to_owned()))
            .or_insert_with(|| Grouped {
                rule,
                severity,
                confidence,
                file: file.to_owned(),
                items: Vec::new(),
            })
            .items
            .push((item, line));
    }

    fn finish(
        self,
        describe: impl Fn(&str) -> (&'static str, &'static str),
        out: &mut Vec<Finding>,
    ) {
        for group in self.map.into_values() {
            let (what, remediation) = describe(group.rule);
            let mut items = group.items;
            items.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            items.dedup();
            let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
            let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
            let more = names.len().saturating_sub(5);
            let message = if more > 0 {
                format!("{} {what}: {shown} and {more} more", names.len())
            } else {
                format!("{} {what}: {shown}", names.len())
            };
            let first_line = items.iter().find_map(|(_, l)| *l);
            let location = match first_line {
                Some(line) => Location::line(group.file.clone(), line),
                None => Location::file(group.file.clone()),
            };
            let mut builder = Finding::builder(rule(group.rule), group.severity, group.confidence)
                .message(message)
                .location(location)
                .remediation(remediation)
                .plain_excerpt(&format!("{}: {}", group.file, names.join(", ")));
            for (_, line) in items.iter().skip(1).take(50) {
                if let Some(line) = line {
                    builder = builder.occurrence(Location::line(group.file.clone(), *line));
                }
            }
            if let Ok(finding) = builder.build() {
                out.push(finding);
            }
        }
    }
}

fn describe(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "deps.unpinned" => (
            "unpinned or open-ended version requirement(s)",
            "Pin exact versions (or commit a lockfile) and give every range an upper bound.",
        ),
        "deps.git-source" => (
            "dependency(ies) fetched from git",
            "Depend on released versions from the registry, or pin the git dependency to a commit and review it.",
        ),
        "deps.url-source" => (
            "dependency(ies) fetched from a URL",
            "Depend on released versions from the registry; a URL's content can change under the same address.",
        ),
        "deps.non-default-registry" => (
            "dependency(ies) from a non-default registry",
            "Confirm the registry is the team's own mirror and that packages cannot be shadowed from the public registry.",
        ),
        "deps.install-script" => (
            "package(s) with install scripts",
            "Review packages that run code at install time; disable scripts in CI (`npm ci --ignore-scripts`) where possible.",
        ),
        "deps.multiple-majors" => (
            "package(s) present in several major versions",
            "Align dependents on one major version to shrink the tree and the patching surface.",
        ),
        "deps.lockfile-out-of-sync" => (
            "declared dependency(ies) missing from the lockfile or locked outside the declared range",
            "Regenerate the lockfile from the manifest and commit both together; fail CI on a stale lockfile (`npm ci`, `cargo --locked`).",
        ),
        "deps.licence.network-copyleft" => (
            "dependency(ies) under a network copyleft licence (AGPL, SSPL)",
            "Replace them, or confirm with counsel that offering the service does not oblige publishing the source.",
        ),
        "deps.licence.strong-copyleft" => (
            "dependency(ies) under a strong copyleft licence (GPL)",
            "Check how they are linked and distributed; replace them if the product is distributed as a whole.",
        ),
        "deps.licence.weak-copyleft" => (
            "dependency(ies) under a weak copyleft licence (LGPL, MPL, EPL)",
            "Keep them unmodified or publish changes to those files; dynamic linking usually suffices.",
        ),
        "deps.licence.non-commercial" => (
            "dependency(ies) under a non-commercial, source-available or proprietary licence",
            "Confirm a commercial licence is held, or replace them.",
        ),
        "deps.licence.unknown" => (
            "dependency(ies) with a licence that could not be read",
            "Identify each licence by hand and record it.",
        ),
        _ => ("item(s)", "Review."),
    }
}

/// Reads, parses and assesses every manifest and lockfile among `paths`.
/// `read` returns a file's bytes or why it could not. Nothing here stops
/// on a bad file: it becomes an error record and the rest goes on.
pub fn analyse(paths: &[String], read: &dyn Fn(&str) -> FileRead) -> Analysis {
    let mut analysis = Analysis::default();
    let mut queue: Vec<(String, FileKind)> = paths
        .iter()
        .filter(|p| !skipped(p))
        .filter_map(|p| FileKind::detect(p).map(|k| (p.clone(), k)))
        .collect();
    let known: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    let mut seen: BTreeSet<String> = queue.iter().map(|(p, _)| p.clone()).collect();
    let mut i = 0;
    while i < queue.len() {
        let (path, kind) = queue[i].clone();
        i += 1;
        let content = match read(&path) {
            FileRead::Content(c) => c,
            FileRead::TooLarge { size, cap } => {
                let what = if kind.is_lockfile() {
                    "lockfiles"
                } else {
                    "manifests"
                };
                analysis.unread.push((
                    path.clone(),
                    format!(
                        "not read: {} is over the {} cap for {what}",
                        human_size(size),
                        human_size(cap)
                    ),
                ));
                continue;
            }
            FileRead::Failed(e) => {
                analysis
                    .unread
                    .push((path.clone(), format!("not read: {e}")));
                continue;
            }
        };
        match parse_file(kind, &path, &content) {
            Ok(parsed) => {
                // `-r other.txt` pulls in files that may not be named
                // requirements*.txt; read those too, once.
                if let Some(m) = &parsed.manifest {
                    for include in &m.includes {
                        if known.contains(include.as_str()) && seen.insert(include.clone()) {
                            queue.push((include.clone(), FileKind::Requirements));
                        }
                    }
                }
                analysis.parsed.push(parsed);
            }
            Err(e) => analysis.errors.push(e),
        }
    }
    analysis.parsed.sort_by(|a, b| a.file.cmp(&b.file));
    analysis.errors.sort_by(|a, b| a.file.cmp(&b.file));
    // A crate with `src/main.rs` or `src/bin/` builds a binary.
    for parsed in &mut analysis.parsed {
        if parsed.kind != FileKind::CargoToml {
            continue;
        }
        let dir = dir_of(&parsed.file);
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let main = format!("{prefix}src/main.rs");
        let bin = format!("{prefix}src/bin/");
        if (known.contains(main.as_str()) || paths.iter().any(|p| p.starts_with(&bin)))
            && let Some(m) = &mut parsed.manifest
        {
            m.application = true;
        }
    }

    resolve_poms(&mut analysis);
    let unread_locks: BTreeSet<String> = analysis
        .unread
        .iter()
        .map(|(f, _)| f.clone())
        .chain(analysis.errors.iter().map(|e| e.file.clone()))
        .filter(|f| FileKind::detect(f).is_some_and(FileKind::is_lockfile))
        .collect();
    link_manifests(&mut analysis, &unread_locks);
    build_inventory(&mut analysis);
    coverage(&mut analysis, paths);
    vendored_licences(&mut analysis, paths, read);
    project_licence(&mut analysis, paths, read);
    analysis.update_tool = paths
        .iter()
        .find(|p| update_tool_file(p))
        .cloned()
        .or_else(|| {
            analysis
                .parsed
                .iter()
                .find(|p| p.manifest.as_ref().is_some_and(|m| m.renovate))
                .map(|p| format!("{} (renovate key)", p.file))
        });
    hygiene(&mut analysis);
    analysis
}

/// Pairs each manifest with the nearest lockfile in its directory or above
/// (Go: the same directory only), and marks direct dependencies in
/// lockfiles that do not say themselves.
fn link_manifests(analysis: &mut Analysis, unread_locks: &BTreeSet<String>) {
    let locks: BTreeMap<(String, FileKind), String> = analysis
        .parsed
        .iter()
        .filter(|p| p.kind.is_lockfile())
        .map(|p| ((dir_of(&p.file).to_owned(), p.kind), p.file.clone()))
        .chain(unread_locks.iter().filter_map(|f| {
            let kind = FileKind::detect(f)?;
            Some(((dir_of(f).to_owned(), kind), f.clone()))
        }))
        .collect();
    for parsed in &analysis.parsed {
        let Some(manifest) = &parsed.manifest else {
            continue;
        };
        let kinds = lock_kinds(parsed.kind);
        if kinds.is_empty() {
            continue;
        }
        let mut dir = dir_of(&parsed.file).to_owned();
        let found = loop {
            if let Some(lock) = kinds.iter().find_map(|k| locks.get(&(dir.clone(), *k))) {
                break Some(lock.clone());
            }
            if dir.is_empty() || parsed.kind == FileKind::GoMod {
                break None;
            }
            dir = dir_of(&dir).to_owned();
        };
        match found {
            // The lockfile is there but could not be read: not "missing",
            // but nothing is resolved either.
            Some(lock) if unread_locks.contains(&lock) => {
                analysis.lock_unread.insert(parsed.file.clone(), lock);
            }
            Some(lock) => {
                analysis.lock_of.insert(parsed.file.clone(), lock);
            }
            None if !manifest.dependencies.is_empty() => {
                analysis.unlocked_manifests.push(parsed.file.clone());
            }
            None => {}
        }
    }
    // Direct names per lockfile, from the manifests it covers.
    let mut direct: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for parsed in &analysis.parsed {
        let (Some(lock), Some(m)) = (analysis.lock_of.get(&parsed.file), &parsed.manifest) else {
            continue;
        };
        let set = direct.entry(lock.clone()).or_default();
        for dep in &m.dependencies {
            set.insert(normalised_name(parsed.kind.ecosystem(), &dep.name));
        }
    }
    for parsed in &mut analysis.parsed {
        if parsed.direct_known || !parsed.kind.is_lockfile() {
            continue;
        }
        let Some(names) = direct.get(&parsed.file) else {
            continue;
        };
        for pkg in &mut parsed.packages {
            pkg.direct = Some(names.contains(&normalised_name(pkg.ecosystem, &pkg.name)));
        }
    }
}

fn build_inventory(analysis: &mut Analysis) {
    let unlocked: BTreeSet<&String> = analysis.unlocked_manifests.iter().collect();
    let mut packages = Vec::new();
    for parsed in &analysis.parsed {
        match parsed.kind {
            // go.sum lists every version ever considered; go.mod is the inventory.
            FileKind::GoSum => {}
            k if k.is_lockfile()
                || k == FileKind::Requirements
                || k == FileKind::GoMod
                || k == FileKind::PomXml =>
            {
                packages.extend(parsed.packages.iter().cloned());
            }
            // A version catalog no lockfile covers: its own exact versions.
            FileKind::GradleCatalog if !analysis.lock_of.contains_key(&parsed.file) => {
                packages.extend(parsed.packages.iter().cloned());
            }
            _ if unlocked.contains(&parsed.file) => {
                let Some(m) = &parsed.manifest else { continue };
                for dep in &m.dependencies {
                    if matches!(dep.source, Source::Path { .. }) || dep.requirement == "workspace" {
                        continue;
                    }
                    let exact = crate::formats::python_exact(&dep.requirement)
                        || semver::Version::parse(dep.requirement.trim_start_matches('=')).is_ok()
                            && (dep.requirement.starts_with('=')
                                || parsed.kind == FileKind::PackageJson);
                    packages.push(Package {
                        ecosystem: parsed.kind.ecosystem(),
                        name: dep.name.clone(),
                        version: dep.requirement.trim_start_matches("==").to_owned(),
                        pinned: exact,
                        direct: Some(true),
                        dev: Some(dep.kind == DepKind::Dev),
                        source: dep.source.clone(),
                        file: parsed.file.clone(),
                        line: dep.line,
                        license: None,
                        install_script: false,
                    });
                }
            }
            _ => {}
        }
    }
    packages.sort();
    packages.dedup();
    analysis.packages = packages;
}

/// Applies each POM's ancestors in the repository (by `relativePath`),
/// nearest first, so `${x.version}` and managed versions from a parent POM
/// resolve.
fn resolve_poms(analysis: &mut Analysis) {
    let poms: BTreeMap<String, crate::formats::Pom> = analysis
        .parsed
        .iter()
        .filter_map(|p| Some((p.file.clone(), p.pom.clone()?)))
        .collect();
    for parsed in analysis.parsed.iter_mut().filter(|p| p.pom.is_some()) {
        let mut chain = Vec::new();
        let mut current = parsed.file.clone();
        while let Some(parent) = poms
            .get(&current)
            .and_then(|p| p.parent_path.as_deref())
            .and_then(|rel| join_relative(dir_of(&current), rel))
        {
            if chain.len() >= 16 || parent == parsed.file || chain.contains(&parent) {
                break;
            }
            if !poms.contains_key(&parent) {
                break;
            }
            chain.push(parent.clone());
            current = parent;
        }
        if chain.is_empty() {
            continue;
        }
        let ancestors: Vec<&crate::formats::Pom> =
            chain.iter().filter_map(|f| poms.get(f)).collect();
        crate::formats::resolve_pom(parsed, &ancestors);
    }
}

/// Why a file was not read, for messages: `was not read: ...` or `could
/// not be parsed: ...`.
fn why_unread(analysis: &Analysis, file: &str) -> String {
    if let Some((_, why)) = analysis.unread.iter().find(|(f, _)| f == file) {
        return format!("was {why}");
    }
    match analysis.errors.iter().find(|e| e.file == file) {
        Some(e) => format!("could not be parsed ({})", e.message),
        None => "could not be read".to_owned(),
    }
}

/// `dir` joined with a relative path such as `../pom.xml`; `None` when it
/// climbs out of the repository.
fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// One coverage unit per manifest with dependencies, per lockfile no
/// manifest claims, and per recognised file that was not read.
fn coverage(analysis: &mut Analysis, paths: &[String]) {
    let mut units = Vec::new();
    let parsed_locks: BTreeMap<(String, FileKind), &ParsedFile> = analysis
        .parsed
        .iter()
        .filter(|p| p.kind.is_lockfile())
        .map(|p| ((dir_of(&p.file).to_owned(), p.kind), p))
        .collect();
    let mut claimed: BTreeSet<String> = analysis.lock_of.values().cloned().collect();
    let unit = |file: &str, ecosystem: &str, resolution, reason: String| CoverageUnit {
        file: file.to_owned(),
        ecosystem: ecosystem.to_owned(),
        resolution,
        reason,
    };
    for parsed in &analysis.parsed {
        let eco = parsed.kind.ecosystem().osv_name();
        let Some(m) = &parsed.manifest else { continue };
        if m.dependencies.is_empty() {
            continue;
        }
        let (resolution, reason) = match parsed.kind {
            FileKind::GoMod => (
                Resolution::Lockfile,
                "go.mod lists the versions Go builds".to_owned(),
            ),
            FileKind::Requirements
                if m.dependencies
                    .iter()
                    .all(|d| crate::formats::python_exact(&d.requirement)) =>
            {
                (
                    Resolution::Lockfile,
                    "every requirement is pinned with ==".to_owned(),
                )
            }
            FileKind::Requirements => (
                Resolution::Direct,
                "requirements are not all pinned, and no lockfile resolves them".to_owned(),
            ),
            FileKind::PomXml => (
                Resolution::Direct,
                "direct dependencies only: Maven resolves the transitive tree from a remote repository, which a scan never contacts".to_owned(),
            ),
            _ => match (
                analysis.lock_of.get(&parsed.file),
                analysis.lock_unread.get(&parsed.file),
            ) {
                (Some(lock), _) => (Resolution::Lockfile, format!("resolved from {lock}")),
                (None, Some(lock)) => (
                    Resolution::Direct,
                    format!(
                        "its lockfile {lock} {}; declared requirements only",
                        why_unread(analysis, lock)
                    ),
                ),
                (None, None) => (
                    Resolution::Direct,
                    "no lockfile; declared requirements only".to_owned(),
                ),
            },
        };
        units.push(unit(&parsed.file, eco, resolution, reason));
    }
    // Recognised files that are not read: grouped per directory and
    // ecosystem, so a pubspec.yaml with its pubspec.lock is one unit.
    let mut unsupported: BTreeMap<
        (String, &'static str),
        Vec<(&String, crate::formats::Unsupported)>,
    > = BTreeMap::new();
    for path in paths.iter().filter(|p| !skipped(p)) {
        if let Some(u) = crate::formats::detect_unsupported(path) {
            unsupported
                .entry((dir_of(path).to_owned(), u.ecosystem))
                .or_default()
                .push((path, u));
        }
    }
    for ((dir, eco), files) in unsupported {
        // A manifest we do not read, next to a lockfile we do read, is
        // resolved by that lockfile (Gemfile + Gemfile.lock, a .csproj +
        // packages.lock.json, build.gradle + gradle.lockfile).
        let lock = files.iter().find_map(|(_, u)| {
            u.locked_by
                .iter()
                .find_map(|k| parsed_locks.get(&(dir.clone(), *k)))
        });
        if let Some(lock) = lock {
            claimed.insert(lock.file.clone());
            for (file, u) in files.iter().filter(|(_, u)| !u.lockfile) {
                units.push(unit(
                    file,
                    eco,
                    Resolution::Lockfile,
                    format!("{} resolved from {}", u.what, lock.file),
                ));
            }
            continue;
        }
        let catalog = (eco == "Maven")
            .then(|| {
                analysis
                    .parsed
                    .iter()
                    .find(|p| p.kind == FileKind::GradleCatalog)
            })
            .flatten();
        let Some((_, u)) = files
            .iter()
            .find(|(_, u)| u.lockfile)
            .or_else(|| files.first())
            .copied()
        else {
            continue;
        };
        let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
        let reason = match catalog {
            Some(c) => format!(
                "{} not read (no gradle.lockfile); versions come from the catalog {} only",
                u.what, c.file
            ),
            None => format!("{} not read: the format is not supported", u.what),
        };
        units.push(unit(&names.join(", "), eco, Resolution::None, reason));
    }
    // Lockfiles no manifest claims stand for themselves.
    for parsed in analysis
        .parsed
        .iter()
        .filter(|p| p.kind.is_lockfile() && p.kind != FileKind::GoSum)
    {
        if !claimed.contains(&parsed.file) {
            units.push(unit(
                &parsed.file,
                parsed.kind.ecosystem().osv_name(),
                Resolution::Lockfile,
                "lockfile read".to_owned(),
            ));
        }
    }
    // Files that could not be read or parsed, unless a manifest above
    // already stands for them.
    let covered_locks: BTreeSet<&String> = analysis.lock_unread.values().collect();
    let failed = analysis
        .unread
        .iter()
        .map(|(f, why)| (f.clone(), why.clone()))
        .chain(
            analysis
                .errors
                .iter()
                .map(|e| (e.file.clone(), format!("could not be parsed: {e}"))),
        );
    for (file, why) in failed {
        // The manifest's unit names it, with the reason.
        if covered_locks.contains(&file) {
            continue;
        }
        let eco = FileKind::detect(&file).map_or("unknown", |k| k.ecosystem().osv_name());
        units.push(unit(&file, eco, Resolution::None, why));
    }
    units.sort();
    analysis.coverage = units;
}

fn vendored_licences(analysis: &mut Analysis, paths: &[String], read: &dyn Fn(&str) -> FileRead) {
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for path in paths
        .iter()
        .filter(|p| vendored_manifest(p))
        .take(MAX_VENDORED_MANIFESTS)
    {
        let FileRead::Content(bytes) = read(path) else {
            continue;
        };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let name = value.get("name").and_then(|n| n.as_str());
        let licence = value
            .get("license")
            .or_else(|| value.get("licenses"))
            .and_then(crate::formats::npm_license_value);
        if let (Some(name), Some(licence)) = (name, licence) {
            found.entry(name.to_owned()).or_insert(licence);
        }
    }
    if found.is_empty() {
        return;
    }
    for pkg in &mut analysis.packages {
        if pkg.ecosystem == Ecosystem::Npm && pkg.license.is_none() {
            pkg.license = found.get(&pkg.name).cloned();
        }
    }
}

fn project_licence(analysis: &mut Analysis, paths: &[String], read: &dyn Fn(&str) -> FileRead) {
    // An explicit SPDX field in a root manifest wins over reading texts.
    for parsed in &analysis.parsed {
        if parsed.file.contains('/') {
            continue;
        }
        if let Some(l) = parsed.manifest.as_ref().and_then(|m| m.license.clone()) {
            let classified = licence::classify(&l);
            analysis.project_licence = Some(classified.spdx.unwrap_or(l));
            analysis.project_licence_source.push(parsed.file.clone());
            return;
        }
    }
    let mut ids = Vec::new();
    for path in paths
        .iter()
        .filter(|p| !p.contains('/') && licence::is_licence_file(p))
    {
        let FileRead::Content(bytes) = read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        analysis.project_licence_source.push(path.clone());
        match licence::identify_text(&text) {
            Some(id) => ids.push(id.to_owned()),
            None => ids.push(format!(
                "LicenseRef-unrecognised-{}",
                path.replace(['.', '_'], "-")
            )),
        }
    }
    analysis.project_licence = licence::combine(&ids);
}

fn hygiene(analysis: &mut Analysis) {
    let mut findings = Vec::new();
    let mut groups = Groups::default();

    // Missing lockfiles.
    for file in &analysis.unlocked_manifests {
        let Some(parsed) = analysis.parsed.iter().find(|p| &p.file == file) else {
            continue;
        };
        let Some(m) = &parsed.manifest else { continue };
        if !m.application {
            continue;
        }
        let wanted = lock_kinds(parsed.kind)
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        let finding = Finding::builder(rule("deps.lockfile-missing"), Severity::Medium, Confidence::Medium)
            .message(format!(
                "{file} declares {} dependencies but no {wanted} locks them, so every install may resolve different versions",
                m.dependencies.len()
            ))
            .location(Location::file(file.clone()))
            .remediation("Generate the lockfile with the package manager and commit it; install from it in CI.")
            .build();
        findings.extend(finding.ok());
    }

    // Manifests: unpinned requirements, sources, sync with the lockfile.
    let by_file: BTreeMap<&str, &ParsedFile> = analysis
        .parsed
        .iter()
        .map(|p| (p.file.as_str(), p))
        .collect();
    for parsed in &analysis.parsed {
        let Some(m) = &parsed.manifest else { continue };
        let eco = parsed.kind.ecosystem();
        for dep in &m.dependencies {
            let label = if dep.requirement.is_empty() {
                format!("{} (any version)", dep.name)
            } else {
                format!("{} {}", dep.name, dep.requirement)
            };
            match &dep.source {
                Source::Registry { .. } => {
                    let open = if parsed.kind == FileKind::Requirements {
                        !crate::formats::python_exact(&dep.requirement)
                    } else {
                        dep.requirement != "workspace" && is_unbounded(eco, &dep.requirement)
                    };
                    if open {
                        groups.add(
                            "deps.unpinned",
                            Severity::Low,
                            Confidence::High,
                            &parsed.file,
                            label,
                            dep.line,
                        );
                    }
                }
                Source::Git { .. } => groups.add(
                    "deps.git-source",
                    Severity::Medium,
                    Confidence::High,
                    &parsed.file,
                    dep.name.clone(),
                    dep.line,
                ),
                Source::Url { .. } => groups.add(
                    "deps.url-source",
                    Severity::Medium,
                    Confidence::High,
                    &parsed.file,
                    dep.name.clone(),
                    dep.line,
                ),
                Source::Path { .. } => {}
            }
            if let Source::Registry { url: Some(url) } = &dep.source {
                groups.add(
                    "deps.non-default-registry",
                    Severity::Low,
                    Confidence::High,
                    &parsed.file,
                    format!("{} ({url})", dep.name),
                    dep.line,
                );
            }
        }
        if let Some(lock) = analysis
            .lock_of
            .get(&parsed.file)
            .and_then(|l| by_file.get(l.as_str()))
        {
            check_sync(&parsed.file, eco, &m.dependencies, lock, &mut groups);
        }
    }

    // Lockfiles: sources, install scripts, several majors, size.
    for parsed in analysis
        .parsed
        .iter()
        .filter(|p| p.kind.is_lockfile() && p.kind != FileKind::GoSum)
    {
        let mut majors: BTreeMap<String, BTreeMap<String, Option<u32>>> = BTreeMap::new();
        for pkg in &parsed.packages {
            let label = format!("{} {}", pkg.name, pkg.version);
            match &pkg.source {
                Source::Git { .. } => groups.add(
                    "deps.git-source",
                    Severity::Medium,
                    Confidence::High,
                    &parsed.file,
                    label.clone(),
                    pkg.line,
                ),
                Source::Url { .. } => groups.add(
                    "deps.url-source",
                    Severity::Medium,
                    Confidence::High,
                    &parsed.file,
                    label.clone(),
                    pkg.line,
                ),
                Source::Registry { url: Some(url) } => groups.add(
                    "deps.non-default-registry",
                    Severity::Low,
                    Confidence::High,
                    &parsed.file,
                    format!("{} ({url})", pkg.name),
                    pkg.line,
                ),
                _ => {}
            }
            if pkg.install_script {
                groups.add(
                    "deps.install-script",
                    Severity::Low,
                    Confidence::High,
                    &parsed.file,
                    label,
                    pkg.line,
                );
            }
            if let (Source::Registry { .. }, Some(major)) = (&pkg.source, major(&pkg.version)) {
                majors
                    .entry(normalised_name(pkg.ecosystem, &pkg.name))
                    .or_default()
                    .entry(major)
                    .or_insert(pkg.line);
            }
        }
        for (name, versions) in majors.iter().filter(|(_, v)| v.len() > 1) {
            let list = versions.keys().cloned().collect::<Vec<_>>().join(", ");
            let line = versions.values().flatten().min().copied();
            groups.add(
                "deps.multiple-majors",
                Severity::Low,
                Confidence::High,
                &parsed.file,
                format!("{name} ({list})"),
                line,
            );
        }
        if parsed.packages.len() > LARGE_TREE {
            let finding = Finding::builder(rule("deps.large-tree"), Severity::Low, Confidence::High)
                .message(format!(
                    "{} locks {} packages (threshold {LARGE_TREE}); every one is code to patch and to trust",
                    parsed.file,
                    parsed.packages.len()
                ))
                .location(Location::file(parsed.file.clone()))
                .remediation("Remove unused dependencies and prefer small, maintained packages.")
                .build();
            findings.extend(finding.ok());
        }
    }
    analysis.counts.install_scripts = analysis
        .packages
        .iter()
        .filter(|p| p.install_script)
        .count();
    analysis.counts.git_sources = analysis
        .packages
        .iter()
        .filter(|p| matches!(p.source, Source::Git { .. } | Source::Url { .. }))
        .map(|p| (p.ecosystem, p.name.clone()))
        .collect::<BTreeSet<_>>()
        .len();
    analysis.counts.unpinned = groups
        .map
        .values()
        .filter(|g| g.rule == "deps.unpinned")
        .map(|g| g.items.len())
        .sum();

    // Licences.
    for pkg in &analysis.packages {
        let Some(raw) = &pkg.license else {
            analysis.counts.licence_unrecorded += 1;
            continue;
        };
        let class = licence::classify(raw).class;
        *analysis.counts.licences.entry(class).or_default() += 1;
        let examples = analysis.counts.licence_examples.entry(class).or_default();
        if examples.len() < 5 && !examples.contains(&pkg.name) {
            examples.push(pkg.name.clone());
        }
        let (id, severity) = match class {
            LicenceClass::Permissive => continue,
            LicenceClass::WeakCopyleft => ("deps.licence.weak-copyleft", Severity::Info),
            LicenceClass::StrongCopyleft => ("deps.licence.strong-copyleft", Severity::Medium),
            LicenceClass::NetworkCopyleft => ("deps.licence.network-copyleft", Severity::High),
            LicenceClass::NonCommercial => ("deps.licence.non-commercial", Severity::High),
            LicenceClass::Unknown => ("deps.licence.unknown", Severity::Low),
        };
        groups.add(
            id,
            severity,
            Confidence::High,
            &pkg.file,
            format!("{} {} ({raw})", pkg.name, pkg.version),
            pkg.line,
        );
    }

    // Malformed and unread files.
    for e in &analysis.errors {
        let location = if e.line > 0 {
            Location::line(e.file.clone(), e.line)
        } else {
            Location::file(e.file.clone())
        };
        let finding = Finding::builder(rule("deps.lockfile-malformed"), Severity::Medium, Confidence::High)
            .message(format!("could not parse {e}"))
            .location(location)
            .remediation("Regenerate the file with its package manager; until then its dependencies are not inventoried.")
            .build();
        findings.extend(finding.ok());
    }
    for (file, reason) in &analysis.unread {
        let finding = Finding::builder(rule("deps.file-unread"), Severity::Info, Confidence::High)
            .message(format!("{file} was {reason}"))
            .location(Location::file(file.clone()))
            .build();
        findings.extend(finding.ok());
    }

    if analysis.update_tool.is_none() && analysis.parsed.iter().any(|p| p.manifest.is_some()) {
        let finding = Finding::builder(rule("deps.update-tool-missing"), Severity::Low, Confidence::Medium)
            .message("no Dependabot or Renovate configuration: dependency updates depend on someone remembering")
            .location(Location::default())
            .remediation("Add `.github/dependabot.yml` or a Renovate configuration covering every ecosystem in use.")
            .build();
        findings.extend(finding.ok());
    }
    groups.finish(describe, &mut findings);
    analysis.findings = findings;
}

fn check_sync(
    file: &str,
    eco: Ecosystem,
    deps: &[Requirement],
    lock: &ParsedFile,
    groups: &mut Groups,
) {
    // When the lockfile marks direct packages (the top-level copy in
    // node_modules), only those versions answer for the manifest.
    let mut versions: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut direct_versions: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for pkg in &lock.packages {
        let key = normalised_name(pkg.ecosystem, &pkg.name);
        if pkg.direct == Some(true) {
            direct_versions
                .entry(key.clone())
                .or_default()
                .push(&pkg.version);
        }
        versions.entry(key).or_default().push(&pkg.version);
    }
    for (key, list) in direct_versions {
        versions.insert(key, list);
    }
    for dep in deps {
        if dep.kind == DepKind::Optional
            || matches!(dep.source, Source::Path { .. })
            || lock.local.contains(&dep.name)
        {
            continue;
        }
        let key = normalised_name(eco, &dep.name);
        let problem = match versions.get(&key) {
            None => Some(format!("{} missing from {}", dep.name, lock.file)),
            Some(locked) => {
                let results: Vec<Option<bool>> = locked
                    .iter()
                    .map(|v| satisfies(eco, &dep.requirement, v))
                    .collect();
                (!results.is_empty() && results.iter().all(|r| *r == Some(false))).then(|| {
                    format!(
                        "{} {} locked at {}",
                        dep.name,
                        dep.requirement,
                        locked.join(", ")
                    )
                })
            }
        };
        if let Some(problem) = problem {
            groups.add(
                "deps.lockfile-out-of-sync",
                Severity::Medium,
                Confidence::High,
                file,
                problem,
                dep.line,
            );
        }
    }
}

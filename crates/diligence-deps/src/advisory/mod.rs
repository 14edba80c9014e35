//! Known advisories: load a local advisory database and match packages
//! against it.
//!
//! Three formats are read, detected from the directory's layout:
//!
//! - a RustSec advisory-db checkout (`crates/<name>/RUSTSEC-*.md`), parsed
//!   by the `rustsec` crate, so results equal cargo-audit's;
//! - a directory of OSV records, JSON or YAML, at any depth (GitHub's
//!   advisory database, PyPA, Go's vulndb, RustSec's OSV export);
//! - the legacy Node.js security working group list (`vuln/npm/*.json`).
//!
//! Hostile input is normal: a file that does not parse is skipped and named
//! in the [`LoadReport`], it never stops the load. Loading builds an index
//! (ecosystem and package name to advisories) once; [`AdvisoryDb::matches`]
//! parses each package version once per ordering and evaluates only that
//! package's advisories.

mod condition;
mod nswg;
mod osv;
mod rustsec;
mod severity;
mod version;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use diligence_model::{DatabaseInfo, Severity};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::package::{Ecosystem, Package};

pub use condition::Condition;
pub(crate) use condition::norm;

/// Files larger than this are skipped: no advisory is that big.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Directory depth followed when looking for OSV files.
const MAX_DEPTH: usize = 16;

/// Why an advisory database could not be loaded at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdvisoryError {
    /// The directory (or a folder inside it) could not be read.
    #[error("failed to read advisory database at {path}")]
    Read {
        /// The folder that failed.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The directory has none of the known layouts.
    #[error(
        "{path} is not an advisory database: expected a RustSec checkout (crates/), OSV JSON or YAML files, or a vuln/npm list"
    )]
    UnknownFormat {
        /// The directory.
        path: PathBuf,
    },
    /// Files were found but not one advisory loaded from them.
    #[error("no advisory could be loaded from {path} ({skipped} files skipped)")]
    Empty {
        /// The directory.
        path: PathBuf,
        /// Files skipped as malformed.
        skipped: usize,
    },
}

/// Result of advisory loading.
pub type Result<T, E = AdvisoryError> = std::result::Result<T, E>;

/// The layout a database was read as.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DatabaseFormat {
    /// RustSec advisory-db (`crates/<name>/RUSTSEC-*.md`).
    RustSec,
    /// OSV JSON or YAML records.
    Osv,
    /// The legacy Node.js security working group list (`vuln/npm/*.json`).
    NodeSecurityWg,
}

/// A file that was not loaded, and why.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct SkippedFile {
    /// Path relative to the database directory, `/`-separated.
    pub path: String,
    /// What was wrong with it.
    pub reason: String,
}

/// What a load read, kept and dropped.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LoadReport {
    /// The layout detected.
    pub format: DatabaseFormat,
    /// Candidate files read.
    pub files: usize,
    /// Advisories loaded (withdrawn ones excluded).
    pub advisories: usize,
    /// Withdrawn advisories, ignored.
    pub withdrawn: usize,
    /// Advisories loaded per ecosystem (an advisory may count in several).
    pub per_ecosystem: BTreeMap<String, usize>,
    /// `affected` entries dropped because their ecosystem is not one we read
    /// (`Debian:12`, `Linux`, ...) or they name no package.
    pub unsupported_entries: usize,
    /// RustSec informational advisories of a kind other than unmaintained,
    /// unsound or notice (cargo-audit ignores them too), and placeholders.
    pub ignored: usize,
    /// Files skipped as malformed, in path order.
    pub skipped: Vec<SkippedFile>,
}

/// One advisory that applies to one package.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AdvisoryMatch {
    /// The affected package.
    pub package: Package,
    /// The database's primary id (`RUSTSEC-2023-0001`, `PYSEC-2014-13`,
    /// `GO-2022-0969`, `GHSA-...`, `NSWG-ECO-1`).
    pub id: String,
    /// Other ids of the same vulnerability (CVE, GHSA, ...), without `id`.
    pub aliases: BTreeSet<String>,
    /// One-line summary.
    pub summary: String,
    /// Severity: from the CVSS base score when there is a vector or score,
    /// else the database's own rating, else `Medium` (unrated; `cvss` and
    /// `score_tenths` are then `None`). RustSec informational advisories:
    /// `unsound` Medium, `unmaintained` and `notice` Low.
    pub severity: Severity,
    /// CVSS vector, v3.x or v4.0.
    pub cvss: Option<String>,
    /// CVSS base score times ten (9.8 is 98).
    pub score_tenths: Option<u32>,
    /// Versions that fix it, above the package's version, lowest first;
    /// empty when there is no fix.
    pub fixed: Vec<String>,
    /// Where to read the advisory.
    pub url: Option<String>,
    /// Always false: withdrawn advisories are never matched.
    pub withdrawn: bool,
    /// For RustSec informational advisories: `unmaintained`, `unsound` or
    /// `notice` (also read from an OSV record's
    /// `database_specific.informational`). Such a match is a warning, not a
    /// vulnerability.
    pub informational: Option<String>,
    /// When the advisory was published, `YYYY-MM-DD` (RustSec `date`, OSV
    /// `published`, the Node.js list's `publish_date`).
    pub published: Option<String>,
    /// Build conditions the advisory names (features, optional
    /// dependencies); empty when it names none.
    pub conditions: Vec<Condition>,
}

impl AdvisoryMatch {
    /// The upgrade path: `upgrade <name> to >= <lowest fix>`, when fixed.
    pub fn upgrade_hint(&self) -> Option<String> {
        self.fixed
            .first()
            .map(|v| format!("upgrade {} to >= {v}", self.package.name))
    }
}

/// The shared part of one advisory.
#[derive(Debug)]
struct Record {
    id: String,
    aliases: BTreeSet<String>,
    summary: String,
    rating: severity::Rating,
    url: Option<String>,
    informational: Option<String>,
    published: Option<String>,
    conditions: Vec<Condition>,
}

/// How one advisory decides whether a version of one package is affected.
#[derive(Debug)]
enum Rule {
    Osv(osv::AffectedRule),
    RustSec(Box<rustsec::RustSecRule>),
    Npm(Box<nswg::NpmRule>),
}

/// One parsed advisory file.
struct Parsed {
    record: Record,
    affected: Vec<(Ecosystem, String, Rule)>,
    modified: Option<String>,
    withdrawn: bool,
    unsupported: usize,
}

#[derive(Debug)]
struct Entry {
    record: usize,
    rule: Rule,
}

/// A loaded advisory database with its package index.
#[derive(Debug)]
pub struct AdvisoryDb {
    name: String,
    version: String,
    records: Vec<Record>,
    index: HashMap<(Ecosystem, String), Vec<Entry>>,
    report: LoadReport,
    newest: Option<String>,
}

impl AdvisoryDb {
    /// Detects the format: a RustSec advisory-db checkout
    /// (`crates/<name>/RUSTSEC-*.md`), a directory of OSV JSON/YAML (any
    /// depth), or the legacy Node.js security-wg `vuln/npm/*.json` list.
    ///
    /// Malformed files are skipped and listed in [`Self::load_report`]; the
    /// load fails only when the directory cannot be read, has none of these
    /// layouts, or yields no advisory at all.
    pub fn load(dir: &Path) -> Result<Self> {
        fs::read_dir(dir).map_err(|source| AdvisoryError::Read {
            path: dir.to_owned(),
            source,
        })?;
        let (format, root) = detect(dir);
        let files = match format {
            DatabaseFormat::RustSec => rustsec_files(&root)?,
            DatabaseFormat::NodeSecurityWg => flat_files(&root, &["json"])?,
            DatabaseFormat::Osv => {
                let mut files = Vec::new();
                osv_files(&root, 0, &mut files)?;
                files
            }
        };
        if files.is_empty() {
            return Err(AdvisoryError::UnknownFormat {
                path: dir.to_owned(),
            });
        }
        let parsed: Vec<(&PathBuf, Result<Option<Parsed>, String>)> = files
            .par_iter()
            .map(|path| (path, read_and_parse(format, path)))
            .collect();

        let mut report = LoadReport {
            format,
            files: files.len(),
            advisories: 0,
            withdrawn: 0,
            per_ecosystem: BTreeMap::new(),
            unsupported_entries: 0,
            ignored: 0,
            skipped: Vec::new(),
        };
        let mut records = Vec::new();
        let mut index: HashMap<(Ecosystem, String), Vec<Entry>> = HashMap::new();
        let mut newest: Option<String> = None;
        let mut ecosystems = BTreeSet::new();
        for (path, outcome) in parsed {
            let parsed = match outcome {
                Ok(Some(parsed)) => parsed,
                Ok(None) => {
                    report.ignored += 1;
                    continue;
                }
                Err(reason) => {
                    report.skipped.push(SkippedFile {
                        path: relative(dir, path),
                        reason,
                    });
                    continue;
                }
            };
            report.unsupported_entries += parsed.unsupported;
            if parsed.withdrawn {
                report.withdrawn += 1;
                continue;
            }
            for date in [
                parsed.modified.as_deref(),
                parsed.record.published.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter_map(date_part)
            {
                if newest.as_deref().is_none_or(|n| n < date) {
                    newest = Some(date.to_owned());
                }
            }
            let slot = records.len();
            records.push(parsed.record);
            report.advisories += 1;
            let mut seen = BTreeSet::new();
            for (ecosystem, name, rule) in parsed.affected {
                if seen.insert(ecosystem) {
                    *report
                        .per_ecosystem
                        .entry(ecosystem.osv_name().to_owned())
                        .or_default() += 1;
                }
                ecosystems.insert(ecosystem);
                index
                    .entry((ecosystem, normalize_name(ecosystem, &name)))
                    .or_default()
                    .push(Entry { record: slot, rule });
            }
        }
        if records.is_empty() && report.withdrawn == 0 {
            return Err(AdvisoryError::Empty {
                path: dir.to_owned(),
                skipped: report.skipped.len(),
            });
        }
        let name = match format {
            DatabaseFormat::RustSec => "rustsec".to_owned(),
            DatabaseFormat::NodeSecurityWg => "nodejs-security-wg".to_owned(),
            DatabaseFormat::Osv => match ecosystems.iter().collect::<Vec<_>>().as_slice() {
                [one] => format!("osv-{}", one.osv_name().to_ascii_lowercase()),
                _ => "osv".to_owned(),
            },
        };
        let commit = git_head(dir);
        let version = match (newest.clone(), commit) {
            (Some(date), Some(commit)) => format!("{date} (commit {commit})"),
            (Some(date), None) => date,
            (None, Some(commit)) => format!("commit {commit}"),
            (None, None) => "unknown".to_owned(),
        };
        Ok(Self {
            name,
            version,
            records,
            index,
            report,
            newest,
        })
    }

    /// Name and version of the database: `rustsec`, `osv-pypi`,
    /// `nodejs-security-wg`, ...; the version is the newest advisory date
    /// (`modified` for OSV, `date` for RustSec), with the git commit when
    /// the directory is a checkout.
    pub fn info(&self) -> DatabaseInfo {
        DatabaseInfo {
            name: self.name.clone(),
            version: self.version.clone(),
        }
    }

    /// The date of the newest advisory, `YYYY-MM-DD`: the latest `modified`,
    /// `published` or `date` in the records. This dates the snapshot even
    /// when its files carry no useful modification time.
    pub fn newest(&self) -> Option<&str> {
        self.newest.as_deref()
    }

    /// What the load read, kept, ignored and skipped.
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// The advisories that apply to `packages`, ordered by package then id.
    ///
    /// Only pinned packages are matched: a manifest requirement such as
    /// `^1.2` names no single version.
    pub fn matches(&self, packages: &[Package]) -> Vec<AdvisoryMatch> {
        let mut out: Vec<AdvisoryMatch> = Vec::new();
        for package in packages {
            if !package.pinned {
                continue;
            }
            let key = (
                package.ecosystem,
                normalize_name(package.ecosystem, &package.name),
            );
            let Some(entries) = self.index.get(&key) else {
                continue;
            };
            let mut cache = osv::ParsedCache::default();
            let first = out.len();
            for entry in entries {
                let fixed = match &entry.rule {
                    Rule::Osv(rule) => rule.affects(&package.version, &mut cache),
                    Rule::RustSec(rule) => rule.affects(&package.version, &package.source),
                    Rule::Npm(rule) => rule.affects(&package.version),
                };
                let Some(fixed) = fixed else { continue };
                let record = &self.records[entry.record];
                // An OSV record may list one package in several entries.
                if let Some(existing) = out[first..].iter_mut().find(|m| m.id == record.id) {
                    existing.fixed.extend(fixed);
                    existing.fixed.dedup();
                    continue;
                }
                out.push(AdvisoryMatch {
                    package: package.clone(),
                    id: record.id.clone(),
                    aliases: record.aliases.clone(),
                    summary: record.summary.clone(),
                    severity: record.rating.severity,
                    cvss: record.rating.vector.clone(),
                    score_tenths: record.rating.score_tenths,
                    fixed,
                    url: record.url.clone(),
                    withdrawn: false,
                    informational: record.informational.clone(),
                    published: record.published.clone(),
                    conditions: record.conditions.clone(),
                });
            }
        }
        out.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
        out
    }
}

/// Merges matches from several databases so one vulnerability is one match
/// (aliases GHSA = CVE = PYSEC = GO = RUSTSEC).
///
/// Matches of the same package merge when their ids and aliases share an
/// id. The merged match keeps the most specific database's id (RUSTSEC, GO,
/// PYSEC, NSWG, then GHSA, then CVE), the highest severity and the vector
/// behind it, every alias and every fixed version.
pub fn merge_matches(matches: Vec<AdvisoryMatch>) -> Vec<AdvisoryMatch> {
    let mut by_package: BTreeMap<Package, Vec<AdvisoryMatch>> = BTreeMap::new();
    for m in matches {
        by_package.entry(m.package.clone()).or_default().push(m);
    }
    let mut out = Vec::new();
    for (_, group) in by_package {
        let mut merged: Vec<AdvisoryMatch> = Vec::new();
        for m in group {
            let ids = all_ids(&m);
            let (joined, rest): (Vec<_>, Vec<_>) = merged
                .into_iter()
                .partition(|other| all_ids(other).intersection(&ids).next().is_some());
            merged = rest;
            merged.push(joined.into_iter().fold(m, combine));
        }
        merged.sort_by(|a, b| a.id.cmp(&b.id));
        out.extend(merged);
    }
    out
}

fn all_ids(m: &AdvisoryMatch) -> BTreeSet<&str> {
    std::iter::once(m.id.as_str())
        .chain(m.aliases.iter().map(String::as_str))
        .collect()
}

/// Lower is preferred as the primary id.
fn id_rank(id: &str) -> u8 {
    const ORDER: [&str; 6] = ["RUSTSEC-", "GO-", "PYSEC-", "NSWG-", "GHSA-", "CVE-"];
    ORDER
        .iter()
        .position(|p| id.starts_with(p))
        .map_or(ORDER.len() as u8, |i| i as u8)
}

fn combine(a: AdvisoryMatch, b: AdvisoryMatch) -> AdvisoryMatch {
    let a_first = (id_rank(&a.id), &a.id) <= (id_rank(&b.id), &b.id);
    let (mut keep, other) = if a_first { (a, b) } else { (b, a) };
    let mut aliases = std::mem::take(&mut keep.aliases);
    aliases.extend(other.aliases);
    aliases.insert(other.id.clone());
    aliases.remove(&keep.id);
    keep.aliases = aliases;
    if (other.severity, other.score_tenths) > (keep.severity, keep.score_tenths)
        || (keep.cvss.is_none() && other.cvss.is_some() && other.severity == keep.severity)
    {
        keep.severity = other.severity;
        keep.cvss = other.cvss;
        keep.score_tenths = other.score_tenths;
    }
    if keep.summary.trim().is_empty() {
        keep.summary = other.summary;
    }
    if keep.url.is_none() {
        keep.url = other.url;
    }
    if keep.informational.is_some() && other.informational.is_none() {
        keep.informational = None;
    }
    for f in other.fixed {
        if !keep.fixed.contains(&f) {
            keep.fixed.push(f);
        }
    }
    // The earliest publication is when the vulnerability became public.
    keep.published = match (keep.published.take(), other.published) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    // A condition holds only when every database names one; a database
    // that names none says the advisory applies as built.
    if other.conditions.is_empty() {
        keep.conditions.clear();
    } else if !keep.conditions.is_empty() {
        keep.conditions.extend(other.conditions);
        keep.conditions.sort();
        keep.conditions.dedup();
    }
    keep
}

/// PyPI names compare after PEP 503 normalisation; other ecosystems as
/// written.
fn normalize_name(ecosystem: Ecosystem, name: &str) -> String {
    if ecosystem != Ecosystem::PyPi {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn detect(dir: &Path) -> (DatabaseFormat, PathBuf) {
    // A RustSec checkout has `crates/<name>/`; an OSV tree may well have a
    // `crates` folder of records.
    let has_crate_dirs = fs::read_dir(dir.join("crates")).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.file_type().is_ok_and(|t| t.is_dir())))
    });
    if has_crate_dirs {
        return (DatabaseFormat::RustSec, dir.to_owned());
    }
    let npm = dir.join("vuln").join("npm");
    if npm.is_dir() {
        return (DatabaseFormat::NodeSecurityWg, npm);
    }
    let is_npm_list = dir.file_name().is_some_and(|n| n == "npm")
        && dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "vuln");
    if is_npm_list {
        return (DatabaseFormat::NodeSecurityWg, dir.to_owned());
    }
    (DatabaseFormat::Osv, dir.to_owned())
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    let wrap = |source| AdvisoryError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(wrap)?
        .collect::<io::Result<Vec<_>>>()
        .map_err(wrap)?;
    entries.retain(|e| !e.file_name().to_string_lossy().starts_with('.'));
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(entries)
}

fn rustsec_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for package in read_dir_sorted(&root.join("crates"))? {
        if !package.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        files.extend(flat_files(&package.path(), &["md"])?);
    }
    Ok(files)
}

fn flat_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    Ok(read_dir_sorted(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| extensions.contains(&x))
        })
        .collect())
}

/// OSV files at any depth; symbolic links are not followed.
fn osv_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in read_dir_sorted(dir)? {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            osv_files(&path, depth + 1, out)?;
        } else if kind.is_file()
            && path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "json" | "yaml" | "yml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn read_and_parse(format: DatabaseFormat, path: &Path) -> Result<Option<Parsed>, String> {
    let size = fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file of {size} bytes is larger than {MAX_FILE_BYTES}"
        ));
    }
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    match format {
        DatabaseFormat::RustSec => rustsec::parse(path, &text),
        DatabaseFormat::NodeSecurityWg => nswg::parse(&text).map(Some),
        DatabaseFormat::Osv => {
            let yaml = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
            osv::parse(&text, yaml).map(Some)
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `YYYY-MM-DD` from a date or RFC 3339 timestamp; the zero date some
/// databases write for "unknown" is ignored.
fn date_part(text: &str) -> Option<&str> {
    let date = text.get(..10)?;
    let shaped = date.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    (shaped && !date.starts_with("0001")).then_some(date)
}

/// The commit `HEAD` points at, when `dir` is a git checkout (read from the
/// files; no git process is run).
fn git_head(dir: &Path) -> Option<String> {
    let git = dir.join(".git");
    let head = fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let id = match head.strip_prefix("ref: ") {
        None => head.to_owned(),
        Some(name) => match fs::read_to_string(git.join(name)) {
            Ok(id) => id.trim().to_owned(),
            Err(_) => fs::read_to_string(git.join("packed-refs"))
                .ok()?
                .lines()
                .find_map(|l| {
                    let (id, r) = l.split_once(' ')?;
                    (r == name).then(|| id.to_owned())
                })?,
        },
    };
    (id.len() >= 40 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::Source;

    fn m(id: &str, aliases: &[&str], severity: Severity) -> AdvisoryMatch {
        AdvisoryMatch {
            package: Package {
                ecosystem: Ecosystem::PyPi,
                name: "requests".into(),
                version: "2.0.0".into(),
                pinned: true,
                direct: None,
                dev: None,
                source: Source::Registry { url: None },
                file: "requirements.txt".into(),
                line: Some(1),
                license: None,
                install_script: false,
            },
            id: id.into(),
            aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
            summary: String::new(),
            severity,
            cvss: None,
            score_tenths: None,
            fixed: vec!["2.3.0".into()],
            url: None,
            withdrawn: false,
            informational: None,
            published: None,
            conditions: Vec::new(),
        }
    }

    #[test]
    fn merge_joins_through_shared_aliases() {
        let merged = merge_matches(vec![
            m("GHSA-aaaa", &["CVE-2014-1829"], Severity::High),
            m(
                "PYSEC-2014-13",
                &["CVE-2014-1829", "GHSA-aaaa"],
                Severity::Medium,
            ),
            m("PYSEC-2018-28", &["CVE-2018-18074"], Severity::Medium),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].id, "PYSEC-2014-13");
        assert_eq!(merged[0].severity, Severity::High);
        assert_eq!(
            merged[0]
                .aliases
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["CVE-2014-1829", "GHSA-aaaa"]
        );
        assert_eq!(merged[1].id, "PYSEC-2018-28");
    }

    #[test]
    fn merge_transitively_and_not_across_packages() {
        let mut other = m("GHSA-cccc", &["CVE-1"], Severity::Low);
        other.package.version = "2.1.0".into();
        let merged = merge_matches(vec![
            m("GHSA-aaaa", &["CVE-1"], Severity::Low),
            m("PYSEC-1", &["CVE-2"], Severity::Low),
            m("GHSA-bbbb", &["CVE-1", "CVE-2"], Severity::Low),
            other,
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].id, "PYSEC-1");
        assert!(merged[0].aliases.contains("GHSA-aaaa"));
        assert_eq!(merged[1].id, "GHSA-cccc");
    }

    #[test]
    fn pep503_names() {
        assert_eq!(
            normalize_name(Ecosystem::PyPi, "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalize_name(Ecosystem::Npm, "Foo_Bar"), "Foo_Bar");
    }

    #[test]
    fn dates() {
        assert_eq!(date_part("2021-07-05T00:01:25Z"), Some("2021-07-05"));
        assert_eq!(date_part("0001-01-01T00:00:00Z"), None);
        assert_eq!(date_part("soon"), None);
    }
}

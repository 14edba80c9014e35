//! RustSec advisory-db checkouts: `crates/<name>/RUSTSEC-*.md`.
//!
//! Each file is parsed by the `rustsec` crate, the parser cargo-audit uses,
//! so version requirements (`patched`, `unaffected`) are evaluated exactly as
//! cargo-audit evaluates them. We walk the directory ourselves instead of
//! calling `rustsec::Database::open`, which stops at the first bad file: a
//! malformed advisory here is skipped and reported, the rest still loads.
//! The `rust/` collection (toolchain advisories) is not read: its packages
//! are toolchain components, not crates in a lockfile, and cargo-audit does
//! not match them against a lockfile either.

use std::path::Path;

use rustsec::advisory::Informational;
use rustsec::{Advisory, SourceId};

use super::severity::{self, Rating};
use super::{Parsed, Record, Rule, condition, date_part};
use crate::package::{Ecosystem, Source};

/// What a RustSec advisory says about its crate.
#[derive(Debug)]
pub(crate) struct RustSecRule {
    versions: rustsec::advisory::Versions,
    /// Source the advisory is about, when not crates.io.
    source: Option<SourceId>,
}

/// Parses one advisory file; `path` must sit in `crates/<package>/`.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Option<Parsed>, String> {
    let advisory: Advisory = text.parse().map_err(|e: rustsec::Error| e.to_string())?;
    let meta = &advisory.metadata;
    let dir = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if dir != meta.package.as_str() {
        return Err(format!(
            "advisory {} is about `{}` but sits in directory `{dir}`",
            meta.id, meta.package
        ));
    }
    if meta.id.is_placeholder() {
        return Ok(None);
    }
    let informational = meta.informational.as_ref().map(|i| i.as_str().to_owned());
    let rating = rating_of(&advisory);
    let id = meta.id.to_string();
    let url = meta
        .url
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| meta.id.url());
    let record = Record {
        aliases: meta
            .aliases
            .iter()
            .map(ToString::to_string)
            .filter(|a| *a != id)
            .collect(),
        id,
        summary: meta.title.clone(),
        rating,
        url,
        informational,
        published: date_part(meta.date.as_str()).map(str::to_owned),
        conditions: condition::from_text(
            &format!("{}\n\n{}", meta.title, meta.description),
            meta.package.as_str(),
        ),
    };
    // NOTE: cargo-audit warns about unmaintained, unsound and notice
    // advisories and stays silent on other informational kinds; so do we.
    if matches!(meta.informational, Some(Informational::Other(_))) {
        return Ok(None);
    }
    let rule = RustSecRule {
        versions: advisory.versions.clone(),
        source: meta.source.clone(),
    };
    Ok(Some(Parsed {
        affected: vec![(
            Ecosystem::CratesIo,
            meta.package.as_str().to_owned(),
            Rule::RustSec(Box::new(rule)),
        )],
        modified: Some(meta.date.as_str().to_owned()),
        withdrawn: meta.withdrawn.is_some(),
        unsupported: 0,
        record,
    }))
}

/// Vulnerabilities take their CVSS vector; informational advisories carry
/// none and get a lower, fixed severity: `unsound` Medium (undefined
/// behaviour reachable from safe code), `unmaintained` and `notice` Low.
fn rating_of(advisory: &Advisory) -> Rating {
    let meta = &advisory.metadata;
    if let Some(kind) = &meta.informational {
        let severity = if kind.is_unsound() {
            diligence_model::Severity::Medium
        } else {
            diligence_model::Severity::Low
        };
        return Rating {
            severity,
            vector: None,
            score_tenths: None,
        };
    }
    meta.cvss
        .as_ref()
        .and_then(|c| severity::from_vector(&c.to_string()))
        .unwrap_or(Rating {
            severity: severity::UNRATED,
            vector: None,
            score_tenths: None,
        })
}

impl RustSecRule {
    /// Whether the crate at `version` from `source` is affected; when it is,
    /// the lowest version of each patched requirement above it.
    pub(crate) fn affects(&self, version: &str, source: &Source) -> Option<Vec<String>> {
        // cargo-audit compares the advisory's source with the lockfile's: a
        // crates.io advisory matches crates.io packages and packages without
        // a source (path crates); git and other registries do not match.
        let advisory_default = self
            .source
            .as_ref()
            .is_none_or(SourceId::is_default_registry);
        let source_matches = match source {
            // Path crates carry no source in Cargo.lock, so no source filter.
            Source::Path { .. } => true,
            Source::Registry { url: None } => advisory_default,
            Source::Registry { url: Some(_) } | Source::Git { .. } | Source::Url { .. } => false,
        };
        if !source_matches {
            return None;
        }
        let v = semver::Version::parse(version.trim()).ok()?;
        if !self.versions.is_vulnerable(&v) {
            return None;
        }
        let mut fixed: Vec<semver::Version> = self
            .versions
            .patched()
            .iter()
            .filter_map(|req| {
                let c = req.comparators.first()?;
                let lowest = semver::Version {
                    major: c.major,
                    minor: c.minor.unwrap_or(0),
                    patch: c.patch.unwrap_or(0),
                    pre: c.pre.clone(),
                    build: semver::BuildMetadata::EMPTY,
                };
                (lowest > v).then_some(lowest)
            })
            .collect();
        fixed.sort();
        fixed.dedup();
        Some(fixed.iter().map(ToString::to_string).collect())
    }
}

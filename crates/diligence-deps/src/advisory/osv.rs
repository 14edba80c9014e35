//! OSV records (JSON or YAML), read leniently, and the OSV range algorithm.
//!
//! Only the fields we use are modelled and every one has a default, so a
//! record with an ecosystem, range type or field we do not know still loads;
//! the parts we cannot evaluate are dropped, not the record
//! (<https://ossf.github.io/osv-schema/#evaluation>).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::Deserialize;

use super::severity::{self, Rating};
use super::version::{Scheme, Version};
use super::{Parsed, Record, Rule, condition};
use crate::package::Ecosystem;

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRecord {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    severity: Vec<RawSeverity>,
    affected: Vec<RawAffected>,
    references: Vec<RawReference>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawReference {
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAffected {
    package: Option<RawPackage>,
    severity: Vec<RawSeverity>,
    ranges: Vec<RawRange>,
    versions: Vec<String>,
    database_specific: Option<serde_json::Value>,
    ecosystem_specific: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    events: Vec<RawEvent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

/// One event of a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// A `SEMVER` or `ECOSYSTEM` range (`GIT` ranges are dropped at load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    /// The ordering its event versions use.
    pub(crate) scheme: Scheme,
    pub(crate) events: Vec<Event>,
}

/// What one `affected[]` entry says about one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AffectedRule {
    /// The ecosystem's own ordering (for `versions` and sorting fixes).
    pub(crate) scheme: Scheme,
    pub(crate) ranges: Vec<Range>,
    pub(crate) versions: Vec<String>,
}

/// Parses an OSV record from JSON (`yaml == false`) or YAML text.
pub(crate) fn parse(text: &str, yaml: bool) -> Result<Parsed, String> {
    let raw: RawRecord = if yaml {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    };
    if raw.id.trim().is_empty() {
        return Err("record has no `id`".to_owned());
    }
    let rating = rating_of(&raw.severity, raw.database_specific.as_ref())
        .or_else(|| {
            raw.affected
                .iter()
                .find_map(|a| rating_of(&a.severity, a.database_specific.as_ref()))
        })
        .unwrap_or(Rating {
            severity: severity::UNRATED,
            vector: None,
            score_tenths: None,
        });
    let url = raw
        .references
        .iter()
        .find(|r| r.kind == "ADVISORY" && r.url.contains(&raw.id))
        .or_else(|| raw.references.iter().find(|r| r.kind == "ADVISORY"))
        .map(|r| r.url.clone())
        .or_else(|| {
            raw.database_specific
                .as_ref()
                .and_then(|d| d.get("url"))
                .and_then(|u| u.as_str())
                .map(str::to_owned)
        })
        .or_else(|| raw.references.first().map(|r| r.url.clone()));
    let summary = raw
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| raw.details.as_deref().map(first_sentence))
        .unwrap_or_default();

    let mut conditions = condition::from_value(raw.database_specific.as_ref());
    for a in &raw.affected {
        conditions.extend(condition::from_value(a.ecosystem_specific.as_ref()));
        conditions.extend(condition::from_value(a.database_specific.as_ref()));
    }
    if conditions.is_empty() {
        let package = raw
            .affected
            .iter()
            .find_map(|a| a.package.as_ref().map(|p| p.name.clone()))
            .unwrap_or_default();
        conditions = condition::from_text(
            &format!(
                "{}\n\n{}",
                raw.summary.as_deref().unwrap_or(""),
                raw.details.as_deref().unwrap_or("")
            ),
            &package,
        );
    }
    conditions.sort();
    conditions.dedup();
    // RustSec's OSV export keeps its notice kind here.
    let informational = raw
        .database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .and_then(|i| i.as_str())
        .map(str::to_ascii_lowercase)
        .filter(|k| matches!(k.as_str(), "unmaintained" | "unsound" | "notice"));
    let published = raw
        .published
        .as_deref()
        .and_then(super::date_part)
        .map(str::to_owned);

    let mut affected = Vec::new();
    let mut unsupported = 0;
    for a in raw.affected {
        let Some(package) = a.package else {
            unsupported += 1;
            continue;
        };
        let Some(ecosystem) = Ecosystem::from_osv(base_ecosystem(&package.ecosystem)) else {
            unsupported += 1;
            continue;
        };
        let ranges = a
            .ranges
            .into_iter()
            .filter_map(|r| {
                let scheme = match r.kind.as_str() {
                    "SEMVER" => Scheme::semver_for(ecosystem),
                    "ECOSYSTEM" => Scheme::for_ecosystem(ecosystem),
                    _ => return None,
                };
                let events = r
                    .events
                    .into_iter()
                    .filter_map(|e| {
                        e.introduced
                            .map(Event::Introduced)
                            .or(e.fixed.map(Event::Fixed))
                            .or(e.last_affected.map(Event::LastAffected))
                            .or(e.limit.map(Event::Limit))
                    })
                    .collect();
                Some(Range { scheme, events })
            })
            .collect::<Vec<_>>();
        if ranges.is_empty() && a.versions.is_empty() {
            continue;
        }
        affected.push((
            ecosystem,
            package.name,
            Rule::Osv(AffectedRule {
                scheme: Scheme::for_ecosystem(ecosystem),
                ranges,
                versions: a.versions,
            }),
        ));
    }

    let aliases: BTreeSet<String> = raw.aliases.into_iter().filter(|a| *a != raw.id).collect();
    Ok(Parsed {
        record: Record {
            id: raw.id,
            aliases,
            summary,
            rating,
            url,
            informational,
            published,
            conditions,
        },
        affected,
        // Go's vulndb writes the zero date as `modified`; `published` is
        // then the best date we have.
        modified: raw
            .modified
            .filter(|m| super::date_part(m).is_some())
            .or(raw.published),
        withdrawn: raw.withdrawn.is_some(),
        unsupported,
    })
}

/// `Debian:12` and `Ubuntu:22.04:LTS` carry a release after the colon;
/// `crates.io` and `PyPI` do not.
fn base_ecosystem(name: &str) -> &str {
    name.split(':').next().unwrap_or(name)
}

fn first_sentence(details: &str) -> String {
    let line = details.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let cut = line.find(". ").map_or(line.len(), |i| i + 1);
    line.get(..cut).unwrap_or(line).trim().to_owned()
}

/// The best rating among CVSS vectors (v4 before v3), else the database's
/// own label in `database_specific.severity`.
fn rating_of(entries: &[RawSeverity], specific: Option<&serde_json::Value>) -> Option<Rating> {
    for kind in ["CVSS_V4", "CVSS_V3"] {
        if let Some(r) = entries
            .iter()
            .filter(|s| s.kind == kind)
            .find_map(|s| severity::from_vector(&s.score))
        {
            return Some(r);
        }
    }
    let label = specific?.get("severity")?.as_str()?;
    Some(Rating {
        severity: severity::from_label(label)?,
        vector: None,
        score_tenths: None,
    })
}

impl AffectedRule {
    /// Whether `version` is affected; when it is, the fixed versions above it
    /// (ascending). `None` when not affected.
    pub(crate) fn affects(&self, version: &str, parsed: &mut ParsedCache) -> Option<Vec<String>> {
        let mut hit = false;
        let mut fixed = Vec::new();
        for range in &self.ranges {
            let Some(v) = parsed.get(range.scheme, version) else {
                continue;
            };
            if let Some(fixes) = range.affects(&v) {
                hit = true;
                fixed.extend(fixes);
            }
        }
        if !hit && self.in_versions(version, parsed) {
            hit = true;
            // The version list names no fix; take the ranges' fixed events above us.
            for range in &self.ranges {
                if let Some(v) = parsed.get(range.scheme, version) {
                    fixed.extend(range.fixes_above(&v));
                }
            }
        }
        if !hit {
            return None;
        }
        let scheme = self.ranges.first().map_or(self.scheme, |r| r.scheme);
        fixed.sort_by(|a, b| match (scheme.parse(a), scheme.parse(b)) {
            (Some(x), Some(y)) => x.compare(&y).unwrap_or(Ordering::Equal),
            _ => a.cmp(b),
        });
        fixed.dedup();
        Some(fixed)
    }

    fn in_versions(&self, version: &str, parsed: &mut ParsedCache) -> bool {
        if self.versions.iter().any(|v| v == version) {
            return true;
        }
        // PEP 440 spells one version several ways (`2.0` = `2.0.0`).
        if self.scheme != Scheme::Pep440 {
            return false;
        }
        let Some(mine) = parsed.get(Scheme::Pep440, version) else {
            return false;
        };
        self.versions.iter().any(|v| {
            Scheme::Pep440
                .parse(v)
                .is_some_and(|x| x.compare(&mine) == Some(Ordering::Equal))
        })
    }
}

impl Range {
    /// The OSV evaluation: events sorted by version (`introduced: 0` first),
    /// the last event at or below `v` decides; `limit` caps the range.
    /// `None` when not affected or when an event version does not parse
    /// (the range cannot be evaluated honestly).
    pub(crate) fn affects(&self, v: &Version) -> Option<Vec<String>> {
        let mut limits = Vec::new();
        let mut events: Vec<(Option<Version>, u8, &str)> = Vec::with_capacity(self.events.len());
        for event in &self.events {
            match event {
                Event::Introduced(s) if s.trim() == "0" => events.push((None, 0, s)),
                Event::Introduced(s) => events.push((Some(self.scheme.parse(s)?), 0, s)),
                Event::Fixed(s) => events.push((Some(self.scheme.parse(s)?), 1, s)),
                Event::LastAffected(s) => events.push((Some(self.scheme.parse(s)?), 2, s)),
                Event::Limit(s) if s.trim() == "*" => {}
                Event::Limit(s) => limits.push(self.scheme.parse(s)?),
            }
        }
        if !limits.is_empty() && !limits.iter().any(|l| v.compare(l) == Some(Ordering::Less)) {
            return None;
        }
        events.sort_by(|a, b| match (&a.0, &b.0) {
            (None, None) => a.1.cmp(&b.1),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)),
        });
        let mut affected = false;
        let mut fixes = Vec::new();
        for (at, kind, text) in &events {
            let cmp = match at {
                None => Ordering::Greater,
                Some(at) => v.compare(at)?,
            };
            match kind {
                0 if cmp != Ordering::Less => affected = true,
                1 if cmp != Ordering::Less => affected = false,
                2 if cmp == Ordering::Greater => affected = false,
                1 if affected && fixes.is_empty() => fixes.push((*text).to_owned()),
                _ => {}
            }
        }
        affected.then_some(fixes)
    }

    /// The fixed events above `v`.
    fn fixes_above(&self, v: &Version) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Fixed(s) => {
                    let at = self.scheme.parse(s)?;
                    (v.compare(&at) == Some(Ordering::Less)).then(|| s.clone())
                }
                _ => None,
            })
            .take(1)
            .collect()
    }
}

/// A package version parsed once per scheme.
#[derive(Default)]
pub(crate) struct ParsedCache {
    slots: [Option<Option<Version>>; 4],
}

impl ParsedCache {
    pub(crate) fn get(&mut self, scheme: Scheme, text: &str) -> Option<Version> {
        let slot = match scheme {
            Scheme::Semver => 0,
            Scheme::Npm => 1,
            Scheme::Pep440 => 2,
            Scheme::Generic => 3,
        };
        self.slots[slot]
            .get_or_insert_with(|| scheme.parse(text))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(scheme: Scheme, events: &[Event]) -> Range {
        Range {
            scheme,
            events: events.to_vec(),
        }
    }

    fn hit(r: &Range, v: &str) -> bool {
        r.scheme.parse(v).and_then(|v| r.affects(&v)).is_some()
    }

    use Event::{Fixed, Introduced, LastAffected, Limit};

    #[test]
    fn introduced_fixed() {
        let r = range(
            Scheme::Semver,
            &[Introduced("1.0.0".into()), Fixed("1.2.3".into())],
        );
        assert!(hit(&r, "1.0.0"));
        assert!(hit(&r, "1.2.2"));
        assert!(hit(&r, "1.2.3-rc.1"));
        assert!(!hit(&r, "1.2.3"));
        assert!(!hit(&r, "0.9.9"));
        assert!(!hit(&r, "2.0.0"));
        let v = Scheme::Semver.parse("1.1.0").expect("valid");
        assert_eq!(r.affects(&v), Some(vec!["1.2.3".to_owned()]));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let r = range(
            Scheme::Semver,
            &[Introduced("0".into()), LastAffected("2.0.0".into())],
        );
        assert!(hit(&r, "0.0.1"));
        assert!(hit(&r, "2.0.0"));
        assert!(!hit(&r, "2.0.1"));
    }

    #[test]
    fn several_intervals_in_one_range_unsorted() {
        let r = range(
            Scheme::Semver,
            &[
                Fixed("2.5.1".into()),
                Introduced("1.0.0".into()),
                Introduced("2.0.0".into()),
                Fixed("1.4.0".into()),
            ],
        );
        assert!(hit(&r, "1.3.9"));
        assert!(!hit(&r, "1.4.0"));
        assert!(!hit(&r, "1.9.0"));
        assert!(hit(&r, "2.5.0"));
        assert!(!hit(&r, "2.5.1"));
    }

    #[test]
    fn limit_caps_the_range() {
        let r = range(
            Scheme::Semver,
            &[Introduced("0".into()), Limit("1.5.0".into())],
        );
        assert!(hit(&r, "1.4.9"));
        assert!(!hit(&r, "1.5.0"));
        let r = range(Scheme::Semver, &[Introduced("0".into()), Limit("*".into())]);
        assert!(hit(&r, "99.0.0"));
    }

    #[test]
    fn unparseable_events_make_the_range_unevaluable() {
        let r = range(
            Scheme::Semver,
            &[Introduced("0".into()), Fixed("not-a-version".into())],
        );
        assert!(!hit(&r, "1.0.0"));
    }

    #[test]
    fn pypi_versions_list_and_pep440_range() {
        let rule = AffectedRule {
            scheme: Scheme::Pep440,
            ranges: vec![range(
                Scheme::Pep440,
                &[Introduced("0".into()), Fixed("2.3.0".into())],
            )],
            versions: vec!["1.0".into()],
        };
        let check = |v: &str| rule.affects(v, &mut ParsedCache::default());
        assert_eq!(check("2.2.1"), Some(vec!["2.3.0".to_owned()]));
        assert_eq!(check("2.3.0rc1"), Some(vec!["2.3.0".to_owned()]));
        assert_eq!(check("2.3"), None);
        assert_eq!(check("2.3.0.post1"), None);
        assert!(check("1.0.0").is_some());
    }
}

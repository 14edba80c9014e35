//! The legacy Node.js security working group list (`vuln/npm/<n>.json`):
//! one advisory per file, npm ranges in `vulnerable_versions` and
//! `patched_versions`.

use std::collections::BTreeSet;

use nodejs_semver::{Range as NpmRange, Version as NpmVersion};
use serde::Deserialize;

use super::severity::{self, Rating};
use super::{Parsed, Record, Rule};
use crate::package::Ecosystem;

#[derive(Deserialize)]
struct RawAdvisory {
    id: serde_json::Value,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    module_name: String,
    #[serde(default)]
    cves: Vec<String>,
    #[serde(default)]
    vulnerable_versions: Option<String>,
    #[serde(default)]
    patched_versions: Option<String>,
    #[serde(default)]
    cvss_vector: Option<String>,
    #[serde(default)]
    cvss_score: Option<f64>,
}

/// npm ranges of one advisory; npm's pre-release rule applies (a
/// pre-release matches only a comparator on the same `major.minor.patch`).
#[derive(Debug)]
pub(crate) struct NpmRule {
    vulnerable: NpmRange,
    patched: Option<NpmRange>,
    /// Each `||` alternative of `patched`, to name the lowest fix above a
    /// version.
    patched_parts: Vec<NpmRange>,
}

/// Parses one file of the list.
pub(crate) fn parse(text: &str) -> Result<Parsed, String> {
    let raw: RawAdvisory = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let number = match &raw.id {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => return Err("advisory has no `id`".to_owned()),
    };
    let id = format!("NSWG-ECO-{number}");
    let vulnerable_text = raw
        .vulnerable_versions
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("*");
    let vulnerable = NpmRange::parse(vulnerable_text)
        .map_err(|e| format!("bad `vulnerable_versions` {vulnerable_text:?}: {e}"))?;
    let patched = match raw.patched_versions.as_deref().map(str::trim) {
        None | Some("") => None,
        // `<0.0.0` is the list's way of saying "no fix".
        Some(text) => Some(
            NpmRange::parse(text).map_err(|e| format!("bad `patched_versions` {text:?}: {e}"))?,
        ),
    };
    let rating = raw
        .cvss_vector
        .as_deref()
        .and_then(severity::from_vector)
        .or_else(|| {
            let score = raw.cvss_score?;
            (0.0..=10.0).contains(&score).then(|| {
                let tenths = (score * 10.0).round() as u32;
                Rating {
                    severity: severity::from_tenths(tenths),
                    vector: None,
                    score_tenths: Some(tenths),
                }
            })
        })
        .unwrap_or(Rating {
            severity: severity::UNRATED,
            vector: None,
            score_tenths: None,
        });
    let aliases: BTreeSet<String> = raw
        .cves
        .into_iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    Ok(Parsed {
        record: Record {
            url: Some(format!(
                "https://github.com/nodejs/security-wg/blob/main/vuln/npm/{number}.json"
            )),
            id,
            aliases,
            summary: raw.title.unwrap_or_default(),
            rating,
            informational: None,
            published: raw
                .publish_date
                .as_deref()
                .and_then(super::date_part)
                .or_else(|| raw.created_at.as_deref().and_then(super::date_part))
                .map(str::to_owned),
            conditions: Vec::new(),
        },
        affected: vec![(
            Ecosystem::Npm,
            raw.module_name,
            Rule::Npm(Box::new(NpmRule::new(
                vulnerable,
                patched,
                raw.patched_versions.as_deref(),
            ))),
        )],
        modified: raw.updated_at,
        withdrawn: false,
        unsupported: 0,
    })
}

impl NpmRule {
    fn new(vulnerable: NpmRange, patched: Option<NpmRange>, patched_text: Option<&str>) -> Self {
        let patched_parts = patched_text
            .map(|t| {
                t.split("||")
                    .filter_map(|p| NpmRange::parse(p.trim()).ok())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            vulnerable,
            patched,
            patched_parts,
        }
    }

    /// Whether `version` is affected; when it is, the lowest patched version.
    pub(crate) fn affects(&self, version: &str) -> Option<Vec<String>> {
        let v = NpmVersion::parse(version.trim()).ok()?;
        if !self.vulnerable.satisfies(&v) {
            return None;
        }
        if self.patched.as_ref().is_some_and(|p| p.satisfies(&v)) {
            return None;
        }
        let fixed = self
            .patched_parts
            .iter()
            .filter_map(NpmRange::min_version)
            .filter(|m| *m > v)
            .min()
            .map(|m| m.to_string());
        Some(fixed.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(vulnerable: &str, patched: &str) -> NpmRule {
        NpmRule::new(
            NpmRange::parse(vulnerable).expect("valid"),
            NpmRange::parse(patched).ok(),
            Some(patched),
        )
    }

    #[test]
    fn ranges_with_or_hyphen_and_prereleases() {
        let r = rule("<=1.5.1 || 2.0.0 - 2.1.0", ">=1.5.2 <2.0.0 || >=2.1.1");
        assert_eq!(r.affects("1.5.1"), Some(vec!["1.5.2".to_owned()]));
        assert_eq!(r.affects("2.0.5"), Some(vec!["2.1.1".to_owned()]));
        assert!(r.affects("1.5.2").is_none());
        assert!(r.affects("2.1.1").is_none());
        // npm: a pre-release only matches a comparator on its own tuple.
        assert!(r.affects("2.0.0-beta.1").is_none());
        assert!(r.affects("not a version").is_none());
    }

    #[test]
    fn patched_excludes_even_inside_vulnerable() {
        let r = rule("<3.0.0", "^2.4.1");
        assert!(r.affects("2.4.0").is_some());
        assert!(r.affects("2.4.3").is_none());
    }

    #[test]
    fn parses_a_record_and_rejects_a_bad_range() {
        let text = r#"{"id": 7, "module_name": "m", "cves": ["CVE-1"], "vulnerable_versions": "<1.0.0", "patched_versions": null, "cvss_vector": null, "cvss_score": 7.5, "title": "t"}"#;
        let parsed = parse(text).expect("parses");
        assert_eq!(parsed.record.id, "NSWG-ECO-7");
        assert_eq!(parsed.record.rating.score_tenths, Some(75));
        let bad = r#"{"id": 8, "module_name": "m", "vulnerable_versions": "<=>what"}"#;
        assert!(parse(bad).is_err());
    }
}

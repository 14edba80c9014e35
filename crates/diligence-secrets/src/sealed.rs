//! Raw secret values, sealed: the one place a found value outlives the
//! matcher, for the live validation stage a user asks for (`--validate`).
//!
//! A [`SealedSecret`] has no `Display`, no `Serialize`, and a `Debug` that
//! prints nothing of the value; only this crate can read it, and only the
//! live validator does. A [`Vault`] holds the sealed values of one scan's
//! reported findings, keyed like the findings (rule id and fingerprint), so
//! the value never enters [`Evidence`](diligence_model::Evidence) or a
//! report. Without `--validate` the collector keeps no vault.

use std::collections::{BTreeMap, BTreeSet};

/// The most distinct (value, partner, host) combinations a vault keeps for
/// one finding: the same key paired with different ids in different files.
pub(crate) const MAX_SEALED_PER_FINDING: usize = 4;

/// A raw secret value with what a live check needs beside it: the paired
/// value found nearby (the AWS key id for a secret key, the Twilio account
/// SID for an auth token) and the host a database URL names.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SealedSecret {
    value: Box<str>,
    partner: Option<Box<str>>,
    host: Option<Box<str>>,
}

impl std::fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedSecret(..)")
    }
}

impl SealedSecret {
    pub(crate) fn new(value: &str) -> Self {
        Self {
            value: value.into(),
            partner: None,
            host: None,
        }
    }

    pub(crate) fn with_host(mut self, host: Option<&str>) -> Self {
        self.host = host.filter(|h| !h.is_empty()).map(Into::into);
        self
    }

    pub(crate) fn set_partner(&mut self, partner: &Self) {
        self.partner = Some(partner.value.clone());
    }

    /// The raw value: for the live validator only.
    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub(crate) fn value(&self) -> &str {
        &self.value
    }

    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub(crate) fn partner(&self) -> Option<&str> {
        self.partner.as_deref()
    }

    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub(crate) fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }
}

/// The sealed values behind one finding.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sealed {
    pub(crate) secrets: BTreeSet<SealedSecret>,
}

impl Sealed {
    pub(crate) fn add(&mut self, secret: &SealedSecret) {
        if self.secrets.len() < MAX_SEALED_PER_FINDING || self.secrets.contains(secret) {
            self.secrets.insert(secret.clone());
        } else if secret.partner.is_some()
            && let Some(unpaired) = self.secrets.iter().find(|s| s.partner.is_none()).cloned()
        {
            // A paired value is worth more to a live check than a lone one.
            self.secrets.remove(&unpaired);
            self.secrets.insert(secret.clone());
        }
    }
}

/// The sealed values of one scan's reported findings, by rule id and
/// fingerprint. Opaque outside this crate: it can be counted and handed to
/// the live validator, never read.
#[derive(Debug, Default)]
pub struct Vault {
    pub(crate) entries: BTreeMap<(String, String), Sealed>,
}

impl Vault {
    /// How many findings have sealed values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no finding has a sealed value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the finding of `rule` with `fingerprint` has sealed values.
    pub fn contains(&self, rule: &str, fingerprint: &str) -> bool {
        self.entries
            .contains_key(&(rule.to_owned(), fingerprint.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let value = format!("{}{}", "sk_li", "ve_4eC39HqLyjWDarjtT1zdp7dc");
        let mut sealed = SealedSecret::new(&value).with_host(Some("db.example.com"));
        sealed.set_partner(&SealedSecret::new("partner-value"));
        let shown = format!("{sealed:?} {:?}", Sealed::default());
        assert_eq!(shown, "SealedSecret(..) Sealed { secrets: {} }");
        assert!(!shown.contains(&value));
    }

    #[test]
    fn a_finding_keeps_few_values_and_prefers_paired_ones() {
        let mut sealed = Sealed::default();
        for i in 0..6 {
            sealed.add(&SealedSecret::new(&format!("value-{i}")));
        }
        assert_eq!(sealed.secrets.len(), MAX_SEALED_PER_FINDING);
        let mut paired = SealedSecret::new("value-9");
        paired.set_partner(&SealedSecret::new("id"));
        sealed.add(&paired);
        assert_eq!(sealed.secrets.len(), MAX_SEALED_PER_FINDING);
        assert!(sealed.secrets.contains(&paired));
    }
}

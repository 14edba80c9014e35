//! The only way a secret's value enters the model: already masked.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A secret reduced to what a report may show: at most four leading
/// characters, the length, and a fingerprint (a keyed hash computed by the
/// caller) that baselines and suppressions match on.
///
/// There is no way back to the value: `Debug`, `Display` and `Serialize`
/// all show the mask only.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Redacted {
    prefix: String,
    length: usize,
    fingerprint: String,
}

impl Redacted {
    /// Masks `secret`, keeping at most four leading characters and never
    /// more than a quarter of it, so short values show little or nothing.
    pub fn new(secret: &str, fingerprint: impl Into<String>) -> Self {
        let length = secret.chars().count();
        let keep = (length / 4).min(4);
        Self {
            prefix: secret.chars().take(keep).collect(),
            length,
            fingerprint: fingerprint.into(),
        }
    }

    /// The visible leading characters.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Length of the secret in characters.
    pub fn length(&self) -> usize {
        self.length
    }

    /// The fingerprint baselines match on.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = self
            .length
            .saturating_sub(self.prefix.chars().count())
            .min(8);
        write!(
            f,
            "{}{} ({} chars, fp {})",
            self.prefix,
            "*".repeat(hidden.max(3)),
            self.length,
            self.fingerprint
        )
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redacted({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_more_than_the_prefix() {
        let secret = ["sk", "_live_", "0123456789abcdef"].concat();
        let r = Redacted::new(&secret, "fp01");
        assert_eq!(r.prefix(), "sk_l");
        let shown = [
            format!("{r}"),
            format!("{r:?}"),
            serde_json::to_string(&r).unwrap(),
        ];
        for text in shown {
            assert!(!text.contains(&secret[4..]), "{text}");
            assert!(text.contains("fp01"));
        }
    }

    #[test]
    fn short_secrets_show_little() {
        assert_eq!(Redacted::new("abc", "f").prefix(), "");
        assert_eq!(Redacted::new("abcdefgh", "f").prefix(), "ab");
    }
}

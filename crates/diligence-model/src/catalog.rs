//! What a collector can emit: the ids a framework file may refer to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::{FactName, RuleId};

/// The facts and rules known to a run, each with a one-line description.
/// Framework files are validated against it, so a typo in a fact name is an
/// error, not a control that silently reads "not evidenced".
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Catalog {
    /// Fact names and what they measure.
    pub facts: BTreeMap<FactName, String>,
    /// Rule ids and what they detect.
    pub rules: BTreeMap<RuleId, String>,
    /// Renamed facts: old name → new name. Framework files may still use
    /// the old name until the framework's next major version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fact_aliases: BTreeMap<FactName, FactName>,
}

impl Catalog {
    /// A catalog from a collector's tables of facts and rules, each an id
    /// and its description; fails on the first invalid id.
    pub fn from_tables(facts: &[(&str, &str)], rules: &[(&str, &str)]) -> crate::Result<Self> {
        let mut catalog = Self::default();
        for (name, description) in facts {
            catalog.fact(name, description)?;
        }
        for (id, description) in rules {
            catalog.rule(id, description)?;
        }
        Ok(catalog)
    }

    /// Adds a fact; `name` must be a valid fact name.
    pub fn fact(&mut self, name: &str, description: &str) -> crate::Result<&mut Self> {
        self.facts
            .insert(FactName::new(name)?, description.to_owned());
        Ok(self)
    }

    /// Records that fact `old` is now called `new`.
    pub fn fact_alias(&mut self, old: &str, new: &str) -> crate::Result<&mut Self> {
        self.fact_aliases
            .insert(FactName::new(old)?, FactName::new(new)?);
        Ok(self)
    }

    /// Adds a rule; `id` must be a valid rule id.
    pub fn rule(&mut self, id: &str, description: &str) -> crate::Result<&mut Self> {
        self.rules.insert(RuleId::new(id)?, description.to_owned());
        Ok(self)
    }

    /// Adds everything from another catalog.
    pub fn merge(&mut self, other: Self) {
        self.facts.extend(other.facts);
        self.rules.extend(other.rules);
        self.fact_aliases.extend(other.fact_aliases);
    }

    /// Whether a rule id or a pattern ending in `.*` names at least one known rule.
    pub fn knows_rule_pattern(&self, pattern: &str) -> bool {
        match pattern.strip_suffix(".*") {
            Some(prefix) => self.rules.keys().any(|id| {
                id.as_str().starts_with(prefix) && id.as_str()[prefix.len()..].starts_with('.')
            }),
            None => self.rules.contains_key(pattern),
        }
    }
}

/// Whether `rule` matches `pattern`: an exact id or a `prefix.*` pattern.
pub fn rule_matches(pattern: &str, rule: &RuleId) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => {
            rule.as_str().starts_with(prefix) && rule.as_str()[prefix.len()..].starts_with('.')
        }
        None => rule.as_str() == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let mut c = Catalog::default();
        c.rule("secrets.aws-key", "x").unwrap();
        assert!(c.knows_rule_pattern("secrets.*"));
        assert!(c.knows_rule_pattern("secrets.aws-key"));
        assert!(!c.knows_rule_pattern("secret.*"));
        assert!(!c.knows_rule_pattern("secrets.aws"));
        let id = RuleId::new("secrets.aws-key").unwrap();
        assert!(rule_matches("secrets.*", &id));
        assert!(!rule_matches("secret.*", &id));
    }
}

//! Facts: named measurements such as `git.commits = 1234`.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::Confidence;
use crate::time::Timestamp;

/// The unit of an integer fact.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Unit {
    /// A plain number.
    #[default]
    Count,
    /// Commits.
    Commits,
    /// People (authors, contributors).
    People,
    /// Files.
    Files,
    /// Lines.
    Lines,
    /// Calendar days.
    Days,
    /// Bytes.
    Bytes,
}

impl Unit {
    /// The word printed after `value`: singular for one, plural otherwise,
    /// empty for plain counts.
    pub fn word_for(self, value: i64) -> &'static str {
        if value.unsigned_abs() != 1 {
            return self.suffix();
        }
        match self {
            Self::Count => "",
            Self::Commits => "commit",
            Self::People => "person",
            Self::Files => "file",
            Self::Lines => "line",
            Self::Days => "day",
            Self::Bytes => "byte",
        }
    }

    /// The plural word printed after a value, empty for plain counts.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Count => "",
            Self::Commits => "commits",
            Self::People => "people",
            Self::Files => "files",
            Self::Lines => "lines",
            Self::Days => "days",
            Self::Bytes => "bytes",
        }
    }
}

/// A typed value.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "type")]
#[non_exhaustive]
pub enum FactValue {
    /// Yes or no.
    Bool {
        /// The value.
        value: bool,
    },
    /// An integer with a unit.
    Int {
        /// The value.
        value: i64,
        /// Its unit.
        #[serde(default)]
        unit: Unit,
    },
    /// A share, kept as numerator and denominator so nothing is rounded
    /// until rendering. A zero denominator means "no data".
    Ratio {
        /// Part.
        numerator: u64,
        /// Whole.
        denominator: u64,
    },
    /// A date.
    Date {
        /// The instant.
        value: Timestamp,
    },
    /// Free text (a name, a version).
    Text {
        /// The text.
        value: String,
    },
    /// A list of names (files, tools).
    List {
        /// The entries, sorted.
        values: Vec<String>,
    },
}

impl FactValue {
    /// The share in whole per cent (rounded down), if this is a ratio with data.
    pub fn percent(&self) -> Option<u64> {
        match self {
            Self::Ratio {
                numerator,
                denominator,
            } if *denominator > 0 => Some(numerator.saturating_mul(100) / denominator),
            _ => None,
        }
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool { value } => f.write_str(if *value { "yes" } else { "no" }),
            Self::Int { value, unit } => match unit.word_for(*value) {
                "" => write!(f, "{value}"),
                suffix => write!(f, "{value} {suffix}"),
            },
            Self::Ratio {
                numerator,
                denominator,
            } => match self.percent() {
                Some(p) => write!(f, "{p}% ({numerator}/{denominator})"),
                None => f.write_str("n/a (no data)"),
            },
            Self::Date { value } => f.write_str(&value.date_string()),
            Self::Text { value } => f.write_str(value),
            Self::List { values } if values.is_empty() => f.write_str("none"),
            Self::List { values } => f.write_str(&values.join(", ")),
        }
    }
}

/// A measurement with its provenance.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Fact {
    /// The value.
    pub value: FactValue,
    /// `None` for an exact measurement; a confidence when the value comes
    /// from a heuristic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heuristic: Option<Confidence>,
    /// What was measured and how, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Fact {
    /// An exact boolean fact.
    pub fn bool(value: bool) -> Self {
        Self::exact(FactValue::Bool { value })
    }

    /// An exact integer fact.
    pub fn int(value: i64, unit: Unit) -> Self {
        Self::exact(FactValue::Int { value, unit })
    }

    /// An exact count (converted with saturation).
    pub fn count(value: usize, unit: Unit) -> Self {
        Self::int(i64::try_from(value).unwrap_or(i64::MAX), unit)
    }

    /// An exact ratio.
    pub fn ratio(numerator: u64, denominator: u64) -> Self {
        Self::exact(FactValue::Ratio {
            numerator,
            denominator,
        })
    }

    /// An exact date.
    pub fn date(value: Timestamp) -> Self {
        Self::exact(FactValue::Date { value })
    }

    /// Free text.
    pub fn text(value: impl Into<String>) -> Self {
        Self::exact(FactValue::Text {
            value: value.into(),
        })
    }

    /// A sorted, deduplicated list.
    pub fn list(values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values.into_iter().collect();
        values.sort();
        values.dedup();
        Self::exact(FactValue::List { values })
    }

    fn exact(value: FactValue) -> Self {
        Self {
            value,
            heuristic: None,
            detail: None,
        }
    }

    /// Marks the fact as a heuristic of the given confidence.
    #[must_use]
    pub fn heuristic(mut self, confidence: Confidence) -> Self {
        self.heuristic = Some(confidence);
        self
    }

    /// Adds a sentence on what was measured.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(Fact::ratio(1, 3).value.to_string(), "33% (1/3)");
        assert_eq!(Fact::ratio(0, 0).value.to_string(), "n/a (no data)");
        assert_eq!(Fact::int(5, Unit::Commits).value.to_string(), "5 commits");
        assert_eq!(Fact::int(1, Unit::Commits).value.to_string(), "1 commit");
        assert_eq!(Fact::int(1, Unit::People).value.to_string(), "1 person");
        assert_eq!(Fact::int(0, Unit::People).value.to_string(), "0 people");
        assert_eq!(Fact::bool(true).value.to_string(), "yes");
    }

    #[test]
    fn serialises_tagged() {
        let json = serde_json::to_string(&Fact::ratio(1, 2)).unwrap();
        assert_eq!(
            json,
            r#"{"value":{"type":"ratio","numerator":1,"denominator":2}}"#
        );
    }
}

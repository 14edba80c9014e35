//! What one collector returns.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::assessment::DatabaseInfo;
use crate::fact::{Fact, Unit};
use crate::finding::Finding;
use crate::id::{CollectorId, FactName};

/// One point of a [`Series`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct SeriesPoint {
    /// The bucket label (`2024-03`).
    pub label: String,
    /// The value in that bucket.
    pub value: i64,
}

/// A labelled series for a chart (commits per month).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    /// Chart title.
    pub title: String,
    /// Unit of the values.
    pub unit: Unit,
    /// Points in order.
    pub points: Vec<SeriesPoint>,
}

/// A table for the report (top contributors).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Table {
    /// Table title.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A series or a table.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Inventory {
    /// A series.
    Series(Series),
    /// A table.
    Table(Table),
}

/// Everything one collector found.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The collector that produced it.
    pub collector: CollectorId,
    /// Findings, sorted by [`Finding::sort_key`].
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Named measurements.
    #[serde(default)]
    pub facts: BTreeMap<FactName, Fact>,
    /// Series and tables for the report, by key.
    #[serde(default)]
    pub inventories: BTreeMap<String, Inventory>,
    /// Why the evidence is incomplete (a shallow clone, skipped objects);
    /// `None` when it is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// Databases the collector read (advisory snapshots, rule sets), so the
    /// result can be reproduced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<DatabaseInfo>,
}

impl Evidence {
    /// Empty evidence for a collector.
    pub fn new(collector: CollectorId) -> Self {
        Self {
            collector,
            findings: Vec::new(),
            facts: BTreeMap::new(),
            inventories: BTreeMap::new(),
            partial: None,
            databases: Vec::new(),
        }
    }

    /// Records a fact.
    pub fn set_fact(&mut self, name: FactName, fact: Fact) {
        self.facts.insert(name, fact);
    }

    /// Gives every location with a path its file class (unless a collector
    /// set one) and puts findings in their total order; call before handing
    /// evidence on.
    pub fn normalise(&mut self) {
        for finding in &mut self.findings {
            for location in
                std::iter::once(&mut finding.location).chain(finding.occurrences.iter_mut())
            {
                if location.class.is_none()
                    && let Some(path) = &location.path
                {
                    location.class = Some(crate::classify(path));
                }
            }
        }
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

/// Whether a collector could not run or broke.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The input it needs is absent (no git repository, no advisory database).
    Unavailable,
    /// It ran and failed (corrupt input, a bug).
    Failed,
}

/// A collector that produced no evidence; its controls read "not evidenced".
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize, JsonSchema)]
pub struct CollectorFailure {
    /// The collector.
    pub collector: CollectorId,
    /// Unavailable or failed.
    pub kind: FailureKind,
    /// The error chain, without secrets.
    pub message: String,
}

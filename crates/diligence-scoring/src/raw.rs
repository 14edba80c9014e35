//! The framework file as written: the first of two parsing steps.
//!
//! These structs only check the file's shape (keys, types); every rule that
//! needs more than one value, or the catalog, lives in
//! [`validate`](crate::framework). Spans are kept where a later error must
//! point at a value.

use std::borrow::Cow;
use std::fmt;

use diligence_model::{Confidence, Severity};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A framework file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "diligence framework file")]
#[schemars(rename = "Framework")]
pub(crate) struct RawFramework {
    /// Identity of the framework.
    pub(crate) framework: RawHeader,
    /// Thresholds of the verdict.
    pub(crate) gate: RawGate,
    /// Policy of the remediation plan.
    #[serde(default)]
    pub(crate) remediation: RawRemediationPolicy,
    /// Sections, in report order.
    #[serde(rename = "section")]
    #[schemars(with = "Vec<RawSection>")]
    pub(crate) sections: Vec<Spanned<RawSection>>,
    /// Controls; each names its section.
    #[serde(rename = "control", default)]
    #[schemars(with = "Vec<RawControl>")]
    pub(crate) controls: Vec<Spanned<RawControl>>,
}

/// Identity of a framework.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Header")]
pub(crate) struct RawHeader {
    /// Stable kebab-case id, used to pick the framework.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// Version of the framework's content.
    pub(crate) version: String,
    /// Title printed in reports.
    pub(crate) title: String,
    /// What the framework judges, for the report's methodology note.
    #[serde(default)]
    pub(crate) description: String,
}

/// Thresholds of the verdict, in whole per cent or points out of 100.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Gate")]
pub(crate) struct RawGate {
    /// Production-ready needs an overall score at least this.
    #[schemars(with = "u32")]
    pub(crate) min_overall: Spanned<i64>,
    /// Production-ready needs every scored section at least this.
    #[schemars(with = "u32")]
    pub(crate) min_section: Spanned<i64>,
    /// Production-ready needs evidence coverage at least this per cent.
    #[schemars(with = "u32")]
    pub(crate) min_coverage: Spanned<i64>,
    /// Whether a critical control that is not evidenced also keeps the
    /// verdict from production-ready.
    #[serde(default)]
    pub(crate) critical_must_be_evidenced: bool,
}

/// Policy of the remediation plan.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "RemediationPolicy")]
pub(crate) struct RawRemediationPolicy {
    /// Assumptions behind the effort estimates, one sentence each.
    #[serde(default)]
    pub(crate) assumptions: Vec<String>,
}

/// A section of the framework.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Section")]
pub(crate) struct RawSection {
    /// Kebab-case id without dots.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// Title printed in reports.
    pub(crate) title: String,
    /// What the section covers.
    #[serde(default)]
    pub(crate) description: String,
}

/// A control: one thing the report marks pass, partial, fail, not evidenced
/// or not applicable.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Control")]
pub(crate) struct RawControl {
    /// `<section>.<name>`, kebab-case.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// The section id.
    #[schemars(with = "String")]
    pub(crate) section: Spanned<String>,
    /// One line, phrased as the desired state.
    pub(crate) title: String,
    /// Why it matters, for the reader of the report.
    #[serde(default)]
    pub(crate) description: String,
    /// Weight within its section and overall; at least 1.
    #[schemars(with = "u32")]
    pub(crate) weight: Spanned<i64>,
    /// Whether a failure makes the target a prototype whatever the average.
    #[serde(default)]
    pub(crate) critical: bool,
    /// A boolean fact; when it is false the control is not applicable.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) applies_if: Option<Spanned<String>>,
    /// The question for management when the control is not evidenced.
    pub(crate) question: String,
    /// A further question when the control is only partly met.
    #[serde(default)]
    pub(crate) follow_up: Option<String>,
    /// How to fix it, and what that costs.
    pub(crate) remediation: RawRemediation,
    /// Questions phrased for the target, tried in order: the first whose
    /// condition holds and whose placeholders all fill is asked, before
    /// `question` and `follow-up`.
    #[serde(rename = "ask", default)]
    pub(crate) asks: Vec<RawAsk>,
    /// The checks; none means the control rests on management's answer.
    #[serde(rename = "check", default)]
    #[schemars(with = "Vec<RawCheck>")]
    pub(crate) checks: Vec<Spanned<RawCheck>>,
}

/// How to fix a control and what it costs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Remediation")]
pub(crate) struct RawRemediation {
    /// The work item's title, imperative.
    pub(crate) title: String,
    /// What the work involves.
    #[serde(default)]
    pub(crate) text: String,
    /// Engineer-days, `[low, high]`, in steps of 0.1.
    #[schemars(with = "[Days; 2]")]
    pub(crate) effort: Spanned<Vec<Days>>,
    /// Whether the effort is for the whole control or for each finding.
    #[serde(default)]
    pub(crate) per: RawEffortBasis,
    /// The findings the work fixes (a rule id or `prefix.*`), for controls
    /// whose checks read facts; production findings only. Default: the
    /// findings the control's rule checks counted.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) fixes: Option<Spanned<String>>,
    /// With `fixes`: only findings of these severities.
    #[serde(default)]
    pub(crate) fixes_severity: Option<Vec<Severity>>,
    /// With `fixes`: only findings at least this confident.
    #[serde(default)]
    pub(crate) fixes_min_confidence: Option<Confidence>,
    /// With `fixes`: leave out findings carrying this tag (`history-only`).
    #[serde(default)]
    pub(crate) fixes_without_tag: Option<String>,
    /// How findings form units of work: `finding` (one each, default) or
    /// `location` (one per file and line: several advisories of one
    /// package are one upgrade).
    #[serde(default)]
    pub(crate) group_by: RawGroupBy,
    /// Units whose own effort is above `above-days` become a second work
    /// item with this title (a major-version upgrade beside patch and minor
    /// ones).
    #[serde(default)]
    pub(crate) split: Option<RawSplit>,
}

/// How findings form units of work.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "GroupBy")]
pub(crate) enum RawGroupBy {
    /// One unit per finding.
    #[default]
    Finding,
    /// One unit per file and line.
    Location,
}

/// A second work item for the costly units.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Split")]
pub(crate) struct RawSplit {
    /// Units whose own effort's high end is above this many days.
    pub(crate) above_days: Days,
    /// The title of their work item.
    pub(crate) title: String,
}

/// A question phrased for the target. Placeholders in `text`: `{files}`
/// (up to three files of the findings behind the control), `{count}`
/// (how many findings), `{fact:NAME}` (a fact's value; a list gives up to
/// three entries). A question whose placeholder has no value is skipped.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Ask")]
pub(crate) struct RawAsk {
    /// The statuses it applies to: `fail`, `partial`, `not-evidenced`.
    #[schemars(with = "Vec<String>")]
    pub(crate) when: Spanned<Vec<String>>,
    /// Asked only when this fact is present and not zero, empty or false.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) if_fact: Option<Spanned<String>>,
    /// Skipped when this fact is present and not zero, empty or false.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) unless_fact: Option<Spanned<String>>,
    /// The question, with placeholders.
    #[schemars(with = "String")]
    pub(crate) text: Spanned<String>,
}

/// What an effort range counts.
#[derive(Debug, Default, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "EffortBasis")]
pub(crate) enum RawEffortBasis {
    /// Once for the control.
    #[default]
    Control,
    /// Once per finding that its rule checks matched.
    Finding,
}

/// One check: a fact compared with a threshold, or the findings of a rule
/// counted against a threshold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Check")]
pub(crate) struct RawCheck {
    /// A fact name from the catalog.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) fact: Option<Spanned<String>>,
    /// A rule id from the catalog, or `prefix.*`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) rule: Option<Spanned<String>>,
    /// Rule checks: count only findings at least this severe.
    #[serde(default)]
    pub(crate) min_severity: Option<Severity>,
    /// Rule checks: count only findings at least this confident.
    #[serde(default)]
    pub(crate) min_confidence: Option<Confidence>,
    /// Rule checks: count only findings in files of these classes
    /// (`production`, `test`, `example`, `template`, `vendored`,
    /// `generated`); the others are listed, not counted.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) contexts: Option<Spanned<Vec<String>>>,
    /// Higher is better: integer facts (a list counts its entries).
    #[serde(default)]
    #[schemars(with = "Option<RawThreshold>")]
    pub(crate) at_least: Option<Spanned<RawThreshold>>,
    /// Lower is better: integer facts, or a rule's finding count.
    #[serde(default)]
    #[schemars(with = "Option<RawThreshold>")]
    pub(crate) at_most: Option<Spanned<RawThreshold>>,
    /// Higher is better: ratio facts, in whole per cent.
    #[serde(default)]
    #[schemars(with = "Option<RawThreshold>")]
    pub(crate) at_least_percent: Option<Spanned<RawThreshold>>,
    /// Lower is better: ratio facts, in whole per cent.
    #[serde(default)]
    #[schemars(with = "Option<RawThreshold>")]
    pub(crate) at_most_percent: Option<Spanned<RawThreshold>>,
    /// Boolean facts: the value that passes.
    #[serde(default)]
    pub(crate) equals: Option<bool>,
    /// A qualifier can lower the status of a control that other checks
    /// evidence (coverage of the input, age of a database) but never
    /// evidences the control alone: with only qualifiers evidenced, the
    /// control is not evidenced.
    #[serde(default)]
    pub(crate) qualifier: bool,
    /// The best status the check can give (`partial`): for evidence that
    /// shows only part of a control, such as backups taken where no file
    /// can show a restore, so that meeting it never reads as a pass.
    #[serde(default)]
    #[schemars(with = "Option<RawAtBest>")]
    pub(crate) at_best: Option<Spanned<RawAtBest>>,
    /// Boolean facts: the status when the value differs (default `fail`).
    #[serde(default)]
    #[schemars(with = "Option<RawOtherwise>")]
    pub(crate) otherwise: Option<Spanned<RawOtherwise>>,
    /// Counts only when this fact is present and not zero, empty or false;
    /// otherwise the check reads not evidenced (a rule check whose
    /// collector found nothing it could judge must not pass).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) if_fact: Option<Spanned<String>>,
}

/// The status of a boolean check that does not hold.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "Otherwise")]
pub(crate) enum RawOtherwise {
    /// Fail.
    Fail,
    /// Partial.
    Partial,
}

/// The best status a check can give.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "AtBest")]
pub(crate) enum RawAtBest {
    /// Partial: a check met shows only part of its control.
    Partial,
}

/// A pass threshold and an optional, weaker partial threshold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Threshold")]
pub(crate) struct RawThreshold {
    /// The value needed to pass.
    #[schemars(with = "i64")]
    pub(crate) pass: Spanned<i64>,
    /// The value needed for partial; below it (above, for `at-most`) fails.
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    pub(crate) partial: Option<Spanned<i64>>,
}

/// A number of engineer-days as written: an integer or a decimal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Days {
    /// Written as an integer.
    Whole(i64),
    /// Written with a decimal point.
    Decimal(f64),
}

impl Days {
    /// The value in tenths of a day, if it is a non-negative multiple of 0.1
    /// that fits.
    pub(crate) fn tenths(self) -> Option<u32> {
        match self {
            Self::Whole(days) => days.checked_mul(10).and_then(|t| u32::try_from(t).ok()),
            Self::Decimal(days) => {
                let scaled = days * 10.0;
                let rounded = scaled.round();
                let exact = (scaled - rounded).abs() < 1e-6;
                // NOTE: the range check makes the cast exact.
                (exact && (0.0..=f64::from(u32::MAX)).contains(&rounded)).then_some(rounded as u32)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Days;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of engineer-days")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Days, E> {
                Ok(Days::Whole(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Days, E> {
                i64::try_from(v)
                    .map(Days::Whole)
                    .map_err(|_| E::custom("number of days too large"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Days, E> {
                Ok(Days::Decimal(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for Days {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Days")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "number",
            "minimum": 0,
            "multipleOf": 0.1,
            "description": "Engineer-days, in steps of 0.1."
        })
    }
}

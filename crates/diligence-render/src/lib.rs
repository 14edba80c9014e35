//! Renderers of `diligence`: an [`Assessment`] in, a report out.
//!
//! Renderers sit at the end of the pipeline and read nothing but the
//! [`Assessment`], so a saved JSON report can be rendered again later. Two
//! formats live here: [`json`] (the stable contract, described by
//! [`assessment_schema`]) and [`markdown`] (handlebars templates embedded
//! from `templates/markdown/`, overridable with [`MarkdownRenderer::from_dir`]).
//!
//! The one decision to know: templates hold no logic. A view model is built
//! in Rust (labels, percentages in integer arithmetic, sorted lists), and
//! every piece of evidence text reaches the Markdown through one escaping
//! helper, so a finding message cannot break a table or inject markup.
//!
//! [`Assessment`]: diligence_model::Assessment

#![warn(missing_docs)]

mod error;
mod escape;
mod json;
mod markdown;
mod notes;
mod overview;
mod parts;
pub mod sarif;
pub mod sentences;
mod view;

pub use error::{Error, Result};
pub use json::{assessment_schema, json};
pub use markdown::{MarkdownRenderer, markdown};
pub use sarif::sarif;
pub use view::{excerpt_text, finding_location};

/// The view model every report format prints, as JSON: labels, percentages
/// and efforts already formatted, lists already sorted. The PDF templates
/// read it so that they print exactly what the Markdown prints.
pub fn report_view(assessment: &diligence_model::Assessment) -> Result<serde_json::Value> {
    serde_json::to_value(view::Report::new(assessment)).map_err(Error::Json)
}

use diligence_model::RuleId;

/// The documentation page that describes every rule, relative to the root
/// of the `diligence` repository.
pub const RULES_DOC: &str = "docs/rules.md";

/// The link target of a rule's entry in the rules reference:
/// `docs/rules.md#` followed by the rule id with each `.` written as `--`
/// (`secrets.aws-access-key` → `docs/rules.md#secrets--aws-access-key`).
///
/// Rule id segments never contain `--`, so the anchor is unique per rule,
/// and it needs no characters that Markdown slugs drop.
pub fn rule_doc_anchor(rule: &RuleId) -> String {
    format!("{RULES_DOC}#{}", rule.as_str().replace('.', "--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_slug_safe() {
        let a = RuleId::new("a.b-c").unwrap();
        let b = RuleId::new("a-b.c").unwrap();
        assert_eq!(rule_doc_anchor(&a), "docs/rules.md#a--b-c");
        assert_ne!(rule_doc_anchor(&a), rule_doc_anchor(&b));
    }
}

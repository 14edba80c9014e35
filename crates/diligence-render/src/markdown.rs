//! The Markdown report: handlebars templates over the view model.

use std::collections::BTreeMap;
use std::path::Path;

use diligence_model::Assessment;
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

use crate::error::{Error, Result};
use crate::escape;
use crate::view::Report;

/// The main template's name; every other template is a partial.
const MAIN: &str = "report";
/// File name suffix of a template.
const SUFFIX: &str = ".md.hbs";

/// The embedded templates, by name (file name without `.md.hbs`).
const EMBEDDED: &[(&str, &str)] = &[
    (
        MAIN,
        include_str!("../../../templates/markdown/report.md.hbs"),
    ),
    (
        "summary",
        include_str!("../../../templates/markdown/summary.md.hbs"),
    ),
    (
        "profile",
        include_str!("../../../templates/markdown/profile.md.hbs"),
    ),
    (
        "scorecard",
        include_str!("../../../templates/markdown/scorecard.md.hbs"),
    ),
    (
        "section",
        include_str!("../../../templates/markdown/section.md.hbs"),
    ),
    (
        "history",
        include_str!("../../../templates/markdown/history.md.hbs"),
    ),
    (
        "part",
        include_str!("../../../templates/markdown/part.md.hbs"),
    ),
    (
        "notes",
        include_str!("../../../templates/markdown/notes.md.hbs"),
    ),
    (
        "collectors",
        include_str!("../../../templates/markdown/collectors.md.hbs"),
    ),
    (
        "remediation",
        include_str!("../../../templates/markdown/remediation.md.hbs"),
    ),
    (
        "findings",
        include_str!("../../../templates/markdown/findings.md.hbs"),
    ),
    (
        "questions",
        include_str!("../../../templates/markdown/questions.md.hbs"),
    ),
    (
        "failures",
        include_str!("../../../templates/markdown/failures.md.hbs"),
    ),
    (
        "methodology",
        include_str!("../../../templates/markdown/methodology.md.hbs"),
    ),
    (
        "facts",
        include_str!("../../../templates/markdown/facts.md.hbs"),
    ),
    (
        "all-facts",
        include_str!("../../../templates/markdown/all-facts.md.hbs"),
    ),
    (
        "table",
        include_str!("../../../templates/markdown/table.md.hbs"),
    ),
];

/// Renders assessments as Markdown (CommonMark with GFM tables).
///
/// Templates are handlebars files named `<name>.md.hbs`: `report` is the
/// main one, every other is a partial (`{{> summary}}`). Templates run in
/// strict mode without HTML escaping; text reaches the output through three
/// helpers, `md` (literal text on one line, safe in a table cell), `mdc`
/// (the same, with backticked words of framework wording as code spans) and
/// `code` (a code span for ids, plain escaped text otherwise).
#[derive(Debug)]
pub struct MarkdownRenderer {
    registry: Handlebars<'static>,
}

impl MarkdownRenderer {
    /// A renderer with the templates built into the crate.
    pub fn embedded() -> Result<Self> {
        Self::with_templates(
            EMBEDDED
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect(),
        )
    }

    /// A renderer whose templates are the embedded ones, each overridden by
    /// a file of the same name (`summary.md.hbs`) in `dir`; files with new
    /// names add partials.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut templates: BTreeMap<String, String> = EMBEDDED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(SUFFIX))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            templates.insert(name.to_owned(), text);
        }
        Self::with_templates(templates)
    }

    fn with_templates(templates: BTreeMap<String, String>) -> Result<Self> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("md", Box::new(md_helper));
        registry.register_helper("code", Box::new(code_helper));
        registry.register_helper("mdc", Box::new(mdc_helper));
        for (name, text) in templates {
            let result = if name == MAIN {
                registry.register_template_string(&name, text)
            } else {
                registry.register_partial(&name, text)
            };
            result.map_err(|source| Error::Template {
                name: name.clone(),
                source: Box::new(source),
            })?;
        }
        Ok(Self { registry })
    }

    /// Renders an assessment.
    pub fn render(&self, assessment: &Assessment) -> Result<String> {
        let view = Report::new(assessment);
        let mut text = self
            .registry
            .render(MAIN, &view)
            .map_err(|e| Error::Render(Box::new(e)))?;
        // One trailing newline, whatever the templates end with.
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        text.push('\n');
        Ok(text)
    }
}

/// Renders an assessment with the embedded templates.
pub fn markdown(assessment: &Assessment) -> Result<String> {
    MarkdownRenderer::embedded()?.render(assessment)
}

/// The text of a helper's first parameter: strings as they are, numbers and
/// booleans printed, `null` as empty.
fn param_text(
    h: &Helper<'_>,
    helper: &'static str,
) -> std::result::Result<String, RenderErrorReason> {
    let param = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, 0))?;
    // Strict mode does not check helper parameters; a field that does not
    // exist is a template error, not an empty string.
    if param.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(
            param.relative_path().cloned(),
        ));
    }
    let value = param.value();
    Ok(match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        other => other.to_string(),
    })
}

fn md_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape::inline(&param_text(h, "md")?))?;
    Ok(())
}

fn mdc_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape::inline_code(&param_text(h, "mdc")?))?;
    Ok(())
}

fn code_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&escape::code(&param_text(h, "code")?))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/markdown");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(SUFFIX).map(str::to_owned))
            .collect();
        files.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect();
        embedded.sort();
        assert_eq!(files, embedded);
    }
}

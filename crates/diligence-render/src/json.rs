//! The JSON report and its schema.

use diligence_model::Assessment;

use crate::error::{Error, Result};

/// The assessment as pretty-printed JSON with a trailing newline.
///
/// Deterministic: the model keeps every map ordered, so the same assessment
/// gives the same bytes.
pub fn json(assessment: &Assessment) -> Result<String> {
    let mut text = serde_json::to_string_pretty(assessment).map_err(Error::Json)?;
    text.push('\n');
    Ok(text)
}

/// The JSON Schema of [`Assessment`], pretty-printed with a trailing newline.
pub fn assessment_schema() -> String {
    let schema = schemars::schema_for!(Assessment);
    let mut text = serde_json::to_string_pretty(&schema)
        .expect("a schema is plain JSON values and always serialises");
    text.push('\n');
    text
}

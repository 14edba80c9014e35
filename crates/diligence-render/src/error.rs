//! Errors of the renderers.

use std::path::PathBuf;

use thiserror::Error;

/// Why a report could not be rendered.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A template does not parse.
    #[error("invalid template `{name}`")]
    Template {
        /// Template name (its file name without `.md.hbs`).
        name: String,
        /// The parse error.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    /// A template failed while rendering (strict mode: a missing field).
    #[error("failed to render the Markdown report")]
    Render(#[source] Box<handlebars::RenderError>),
    /// The assessment could not be serialised.
    #[error("failed to serialise the assessment as JSON")]
    Json(#[source] serde_json::Error),
    /// A template folder or file could not be read.
    #[error("failed to read templates at {}", path.display())]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

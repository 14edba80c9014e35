//! Errors of the PDF renderer.

use std::path::PathBuf;

use thiserror::Error;

/// Why a PDF could not be rendered.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The view model or the template data could not be built.
    #[error("failed to prepare the report data")]
    Data(#[source] diligence_render::Error),
    /// The template data could not be serialised.
    #[error("failed to serialise the report data as JSON")]
    Json(#[source] serde_json::Error),
    /// A template folder or file could not be read.
    #[error("failed to read typst templates at {}", path.display())]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The templates did not compile; each line is one typst diagnostic
    /// with the file it points at.
    #[error("typst could not compile the report:\n{}", diagnostics.join("\n"))]
    Compile {
        /// The diagnostics, one per line.
        diagnostics: Vec<String>,
    },
    /// The compiled document could not be exported as PDF.
    #[error("typst could not export the report as PDF:\n{}", diagnostics.join("\n"))]
    Export {
        /// The diagnostics, one per line.
        diagnostics: Vec<String>,
    },
    /// The logo is not an image typst can embed.
    #[error("unsupported logo format `{extension}`: use png, jpg, gif or svg")]
    LogoFormat {
        /// The file extension given.
        extension: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

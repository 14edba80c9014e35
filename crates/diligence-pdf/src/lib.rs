//! The PDF report of `diligence`: an [`Assessment`] in, a PDF out, through
//! typst used as a library.
//!
//! This crate sits at the end of the pipeline beside the Markdown and JSON
//! renderers of `diligence-render` and reads the same view model, so every
//! format prints the same labels and figures. typst compiles templates from
//! `templates/typst/` (embedded; [`PdfRenderer::from_dir`] overrides them
//! file by file) in a closed world: the assessment arrives as a virtual
//! `data.json`, fonts are embedded (Noto Sans for text, typst's own serif,
//! maths and monospace families), packages and files outside the world
//! cannot be read, and nothing touches the network.
//!
//! The one decision to know: the output is a pure function of the
//! assessment. The document date is the scan's reference date, the PDF
//! identifier derives from the target and commit, and no clock is read, so
//! the same assessment gives byte-identical PDFs.
//!
//! ```no_run
//! # fn demo(assessment: &diligence_model::Assessment) -> diligence_pdf::Result<()> {
//! let bytes = diligence_pdf::PdfRenderer::embedded().render(assessment, &Default::default())?;
//! # let _ = bytes; Ok(()) }
//! ```

#![warn(missing_docs)]

mod data;
mod error;
mod world;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use diligence_model::Assessment;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::utils::LazyHash;
use typst::{Library, World, WorldExt};
use typst_layout::PagedDocument;

pub use error::{Error, Result};

use crate::data::{Data, Meta};
use crate::world::{Fonts, ReportWorld};

/// The main template; every other `.typ` file is imported by it.
pub const MAIN_TEMPLATE: &str = "report.typ";
/// The virtual file that holds the report data.
pub const DATA_FILE: &str = "data.json";
/// File name suffix of a template.
const SUFFIX: &str = ".typ";

/// The embedded templates, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    (
        MAIN_TEMPLATE,
        include_str!("../../../templates/typst/report.typ"),
    ),
    (
        "style.typ",
        include_str!("../../../templates/typst/style.typ"),
    ),
    (
        "charts.typ",
        include_str!("../../../templates/typst/charts.typ"),
    ),
];

/// A logo for the cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The image bytes.
    pub bytes: Vec<u8>,
    /// Its format, as a file extension: `png`, `jpg`, `jpeg`, `gif` or `svg`.
    pub extension: String,
}

/// What the cover says about the engagement. Empty fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfOptions {
    /// The client the report is prepared for.
    pub client: Option<String>,
    /// The firm or person who prepared it.
    pub prepared_by: Option<String>,
    /// The engagement's name.
    pub engagement: Option<String>,
    /// A logo for the cover.
    pub logo: Option<Logo>,
}

/// Renders assessments as PDF.
///
/// Creating a renderer parses the fonts and builds typst's standard
/// library; reuse one renderer for several reports.
pub struct PdfRenderer {
    templates: BTreeMap<String, String>,
    library: Arc<LazyHash<Library>>,
    fonts: Fonts,
}

impl std::fmt::Debug for PdfRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfRenderer")
            .field("templates", &self.templates.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PdfRenderer {
    /// A renderer with the templates built into the crate.
    pub fn embedded() -> Self {
        Self {
            templates: EMBEDDED
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect(),
            library: world::library(),
            fonts: Fonts::embedded(),
        }
    }

    /// A renderer whose templates are the embedded ones, each overridden by
    /// a file of the same name in `dir`; other `.typ` files are added and
    /// can be imported.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut renderer = Self::embedded();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .filter(|n| n.ends_with(SUFFIX))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            renderer.templates.insert(name.to_owned(), text);
        }
        Ok(renderer)
    }

    /// The JSON the templates read as `data.json`: the shared view model
    /// under `view`, PDF-only figures under `doc`. Useful to write or test
    /// templates.
    pub fn data(&self, assessment: &Assessment, options: &PdfOptions) -> Result<String> {
        Data::new(assessment, meta(options, assessment)).and_then(|d| d.to_json())
    }

    /// Renders an assessment.
    pub fn render(&self, assessment: &Assessment, options: &PdfOptions) -> Result<Vec<u8>> {
        let data = self.data(assessment, options)?;
        let mut files = BTreeMap::new();
        files.insert(DATA_FILE.to_owned(), Bytes::from_string(data));
        if let Some(logo) = &options.logo {
            files.insert(logo_name(logo)?, Bytes::new(logo.bytes.clone()));
        }
        let timestamp = data::report_timestamp(assessment);
        let today = timestamp.and_then(datetime);
        let world = ReportWorld::new(
            &self.library,
            &self.fonts,
            MAIN_TEMPLATE,
            &self.templates,
            files,
            today,
        )
        .ok_or_else(|| Error::Compile {
            diagnostics: vec!["a template file name is not a valid path".to_owned()],
        })?;
        let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| Error::Compile {
            diagnostics: describe(&world, &errors),
        })?;
        let ident = format!(
            "diligence/{}/{}",
            assessment.target.name,
            assessment
                .target
                .vcs
                .as_ref()
                .and_then(|v| v.head.as_deref())
                .unwrap_or("no-commit")
        );
        let pdf_options = typst_pdf::PdfOptions {
            ident: Smart::Custom(ident),
            creator: Smart::Custom(Some(format!(
                "{} {}",
                assessment.tool.name, assessment.tool.version
            ))),
            timestamp: today.map(typst_pdf::Timestamp::new_utc),
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &pdf_options).map_err(|errors| Error::Export {
            diagnostics: describe(&world, &errors),
        })
    }
}

/// Renders an assessment with the embedded templates and no cover metadata.
pub fn pdf(assessment: &Assessment) -> Result<Vec<u8>> {
    PdfRenderer::embedded().render(assessment, &PdfOptions::default())
}

fn meta(options: &PdfOptions, assessment: &Assessment) -> Meta {
    // Options win; the assessment's annotations fill what they leave out.
    let merged = assessment.annotations.as_ref().map(|a| &a.meta);
    let pick = |given: &Option<String>,
                field: fn(&diligence_model::ReportMeta) -> &Option<String>| {
        given
            .clone()
            .or_else(|| merged.and_then(|m| field(m).clone()))
    };
    Meta {
        client: pick(&options.client, |m| &m.client),
        prepared_by: pick(&options.prepared_by, |m| &m.prepared_by),
        engagement: pick(&options.engagement, |m| &m.engagement),
        logo: options.logo.as_ref().and_then(|l| logo_name(l).ok()),
    }
}

fn logo_name(logo: &Logo) -> Result<String> {
    let extension = logo.extension.to_ascii_lowercase();
    match extension.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "svg" => Ok(format!("logo.{extension}")),
        _ => Err(Error::LogoFormat {
            extension: logo.extension.clone(),
        }),
    }
}

fn datetime(t: diligence_model::Timestamp) -> Option<Datetime> {
    let date = t.date_string();
    let mut parts = date.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

/// One line per diagnostic: `file:line:column: message`, then its hints.
fn describe(world: &ReportWorld<'_>, diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let place = d
                .span
                .id()
                .and_then(|id| {
                    let source = world.source(id).ok()?;
                    let range = world.range(d.span)?;
                    let (line, column) = source.lines().byte_to_line_column(range.start)?;
                    Some(format!(
                        "{}:{}:{}: ",
                        id.get().vpath().get_without_slash(),
                        line + 1,
                        column + 1
                    ))
                })
                .unwrap_or_default();
            let mut text = format!("{place}{}", d.message);
            for hint in &d.hints {
                text.push_str(&format!(" (hint: {})", hint.v));
            }
            text
        })
        .collect()
}

//! `diligence render`: render a saved assessment again, and the report
//! options (`--annotations`, `--accepted`, metadata, templates) that
//! `scan` shares.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use diligence::model::{Assessment, ReportMeta};

use crate::{Format, exit, output};

/// Options that shape the report, shared by `scan` and `render`.
#[derive(Debug, Args, Default)]
pub(crate) struct ReportArgs {
    /// Consultant's annotations (TOML): comments, risk acceptances, status
    /// overrides and report metadata.
    #[arg(long, value_name = "FILE")]
    annotations: Option<PathBuf>,
    /// Baseline of findings accepted in a previous assessment (written by
    /// `diligence baseline`).
    #[arg(long, value_name = "FILE")]
    accepted: Option<PathBuf>,
    /// The client the report is prepared for.
    #[arg(long, value_name = "NAME")]
    client: Option<String>,
    /// Who prepared the report.
    #[arg(long, value_name = "NAME")]
    prepared_by: Option<String>,
    /// The engagement's name.
    #[arg(long, value_name = "NAME")]
    engagement: Option<String>,
    /// A logo for the PDF cover (png, jpg, gif or svg).
    #[arg(long, value_name = "FILE")]
    logo: Option<PathBuf>,
    /// A folder of templates overriding the embedded ones file by file
    /// (`*.typ` for PDF, `*.md.hbs` for Markdown).
    #[arg(long, value_name = "DIR")]
    template: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RenderArgs {
    /// The saved assessment (`scan -f json`).
    assessment: PathBuf,
    /// Output format; repeat for several.
    #[arg(short = 'f', long = "format", value_enum)]
    formats: Vec<Format>,
    /// Where to write: a file for one format (`-` for standard output), a
    /// directory for several. Default: standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
}

fn read(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the {what} {}", path.display()))
}

/// Reads a saved assessment, refusing one from a newer version.
pub(crate) fn load(path: &Path) -> Result<Assessment> {
    diligence_annotate::load_assessment(&read(path, "assessment")?)
        .with_context(|| format!("cannot use the assessment {}", path.display()))
}

/// Merges annotations, the baseline and metadata flags into an assessment.
pub(crate) fn annotate(assessment: &mut Assessment, args: &ReportArgs) -> Result<()> {
    let file = match &args.annotations {
        Some(path) => {
            let mut file =
                diligence_annotate::AnnotationsFile::parse(&read(path, "annotations file")?)
                    .with_context(|| format!("in {}", path.display()))?;
            // A logo named in the file is relative to the file.
            if let (Some(logo), Some(dir)) = (&file.meta.logo, path.parent()) {
                file.meta.logo = Some(dir.join(logo).to_string_lossy().into_owned());
            }
            Some(file)
        }
        None => None,
    };
    let baseline = match &args.accepted {
        Some(path) => Some(
            diligence_annotate::parse_baseline(&read(path, "baseline")?)
                .with_context(|| format!("in {}", path.display()))?,
        ),
        None => None,
    };
    let meta = ReportMeta {
        client: args.client.clone(),
        prepared_by: args.prepared_by.clone(),
        engagement: args.engagement.clone(),
        logo: args.logo.as_ref().map(|p| p.to_string_lossy().into_owned()),
    };
    if let Some(path) = &args.annotations {
        diligence_annotate::merge(assessment, file.as_ref(), baseline, &meta)
            .with_context(|| format!("cannot apply {}", path.display()))
    } else {
        diligence_annotate::merge(assessment, None, baseline, &meta)
            .context("cannot apply the report options")
    }
}

/// Renders one format.
pub(crate) fn bytes(assessment: &Assessment, format: Format, args: &ReportArgs) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Md => match &args.template {
            Some(dir) => diligence::render::MarkdownRenderer::from_dir(dir)
                .and_then(|r| r.render(assessment))
                .context("cannot render Markdown")?,
            None => diligence::render::markdown(assessment).context("cannot render Markdown")?,
        }
        .into_bytes(),
        Format::Json => diligence::render::json(assessment)
            .context("cannot render JSON")?
            .into_bytes(),
        Format::Sarif => diligence::render::sarif(assessment)
            .context("cannot render SARIF")?
            .into_bytes(),
        Format::Pdf => pdf(assessment, args)?,
    })
}

#[cfg(feature = "pdf")]
fn pdf(assessment: &Assessment, args: &ReportArgs) -> Result<Vec<u8>> {
    let meta = assessment
        .annotations
        .as_ref()
        .map(|a| a.meta.clone())
        .unwrap_or_default();
    let logo = match &meta.logo {
        Some(path) => {
            let path = Path::new(path);
            Some(diligence_pdf::Logo {
                bytes: std::fs::read(path)
                    .with_context(|| format!("cannot read the logo {}", path.display()))?,
                extension: path
                    .extension()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            })
        }
        None => None,
    };
    let options = diligence_pdf::PdfOptions {
        client: meta.client,
        prepared_by: meta.prepared_by,
        engagement: meta.engagement,
        logo,
    };
    let renderer = match &args.template {
        Some(dir) => {
            diligence_pdf::PdfRenderer::from_dir(dir).context("cannot load the templates")?
        }
        None => diligence_pdf::PdfRenderer::embedded(),
    };
    renderer
        .render(assessment, &options)
        .context("cannot render the PDF")
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Assessment, _: &ReportArgs) -> Result<Vec<u8>> {
    bail!("this build of diligence has no PDF support: rebuild with the `pdf` feature")
}

pub(crate) fn run(args: &RenderArgs) -> Result<u8> {
    let formats = formats(&args.formats, args.output.as_deref())?;
    let mut assessment = load(&args.assessment)?;
    annotate(&mut assessment, &args.report)?;
    write_reports(&assessment, &formats, args.output.as_deref(), &args.report)?;
    Ok(exit::SUCCESS)
}

/// The formats asked for, sorted and deduplicated (Markdown by default);
/// several formats need an output directory.
pub(crate) fn formats(asked: &[Format], output: Option<&Path>) -> Result<Vec<Format>> {
    let mut formats = asked.to_vec();
    if formats.is_empty() {
        formats.push(Format::Md);
    }
    formats.sort();
    formats.dedup();
    let to_stdout = output.is_none_or(|p| p.as_os_str() == "-");
    if to_stdout && formats.len() > 1 {
        bail!("several formats need a directory: add `-o DIR`");
    }
    Ok(formats)
}

/// Writes each format: to standard output (no `-o`, or `-o -`), to the file
/// named by `-o` for one format, or as `report.<ext>` in the `-o` directory
/// for several. Returns the files written.
pub(crate) fn write_reports(
    assessment: &Assessment,
    formats: &[Format],
    output: Option<&Path>,
    report: &ReportArgs,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for &format in formats {
        let bytes = bytes(assessment, format, report)?;
        let path = match output {
            None => None,
            Some(path) if path.as_os_str() == "-" => None,
            Some(path) if formats.len() == 1 => Some(path.to_path_buf()),
            Some(dir) => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the output directory {}", dir.display())
                })?;
                Some(dir.join(format!("report.{}", format.extension())))
            }
        };
        match path {
            Some(path) => {
                output::write_bytes(&path, &bytes)?;
                written.push(path);
            }
            None => output::stdout_bytes(&bytes)?,
        }
    }
    Ok(written)
}

//! `diligence diff` and `diligence baseline`: compare two saved
//! assessments; write a baseline of accepted findings.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::render::load;
use crate::{exit, output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// Markdown.
    Md,
    /// JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The earlier assessment (JSON).
    old: PathBuf,
    /// The later assessment (JSON).
    new: PathBuf,
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "md")]
    format: DiffFormat,
}

#[derive(Debug, Args)]
pub(crate) struct BaselineArgs {
    /// The assessment whose findings are accepted (JSON).
    assessment: PathBuf,
    /// Where to write the baseline (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &DiffArgs) -> Result<u8> {
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let diff = diligence_annotate::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Md => diff.markdown(),
        DiffFormat::Json => diff.json().context("cannot render the diff as JSON")?,
    };
    output::stdout(&text)?;
    Ok(exit::SUCCESS)
}

pub(crate) fn baseline(args: &BaselineArgs) -> Result<u8> {
    let assessment = load(&args.assessment)?;
    let text = diligence_annotate::write_baseline(&diligence_annotate::baseline_of(&assessment))
        .context("cannot write the baseline")?;
    match &args.output {
        Some(path) if path.as_os_str() != "-" => output::write_file(path, &text)?,
        _ => output::stdout(&text)?,
    }
    Ok(exit::SUCCESS)
}

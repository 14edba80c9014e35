//! The `diligence` command.

mod clock;
mod exit;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use diligence::model::{Assessment, Timestamp};
use diligence::{Scan, scoring};

/// Turn a software repository into a technical due-diligence report.
#[derive(Debug, Parser)]
#[command(name = "diligence", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a repository and write the report.
    Scan(ScanArgs),
    /// List the frameworks embedded in this binary.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Work with a framework file.
    Framework {
        #[command(subcommand)]
        command: FrameworkCommand,
    },
}

#[derive(Debug, Subcommand)]
enum FrameworksCommand {
    /// List embedded frameworks.
    List,
}

#[derive(Debug, Subcommand)]
enum FrameworkCommand {
    /// Check a framework file: syntax, ids, thresholds, references.
    Check {
        /// The TOML file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Format {
    /// Markdown.
    Md,
    /// JSON (the assessment itself).
    Json,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Self::Md => "md",
            Self::Json => "json",
        }
    }
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// The repository or directory to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format; repeat for several.
    #[arg(short = 'f', long = "format", value_enum)]
    formats: Vec<Format>,
    /// Where to write: a file for one format (`-` for standard output), a
    /// directory for several. Default: standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Framework file to score against (default: the embedded
    /// production-readiness framework).
    #[arg(long, value_name = "FILE")]
    framework: Option<PathBuf>,
    /// Exit with code 1 when the overall score is below SCORE.
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u32).range(0..=100))]
    fail_under: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short, long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// Reference date for time windows, YYYY-MM-DD (default: HEAD's date).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Timestamp>,
    /// Run only these collectors (repeatable).
    #[arg(long, value_name = "COLLECTOR")]
    only: Vec<String>,
    /// Honour .gitignore when listing files.
    #[arg(long)]
    respect_gitignore: bool,
    /// Record the generation time in the report (breaks byte-identical output).
    #[arg(long)]
    timestamp: bool,
    /// Print nothing but errors on standard error.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail on standard error.
    #[arg(short, long)]
    verbose: bool,
}

fn parse_date(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Frameworks {
            command: FrameworksCommand::List,
        } => frameworks_list(),
        Command::Framework {
            command: FrameworkCommand::Check { file },
        } => framework_check(&file),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            output::error(&error);
            ExitCode::from(exit::ERROR)
        }
    }
}

fn scan(args: &ScanArgs) -> Result<u8> {
    let mut formats = args.formats.clone();
    if formats.is_empty() {
        formats.push(Format::Md);
    }
    formats.sort();
    formats.dedup();
    let to_stdout = args.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    if to_stdout && formats.len() > 1 {
        bail!("several formats need a directory: add `-o DIR`");
    }

    let progress = output::Progress::new(!args.quiet);
    let mut scan = Scan::new(&args.path)
        .jobs(args.jobs)
        .respect_gitignore(args.respect_gitignore)
        .on_progress(|event| progress.update(&event));
    if let Some(file) = &args.framework {
        scan = scan.framework_file(file);
    }
    if let Some(date) = args.as_of {
        scan = scan.as_of(date);
    }
    if !args.only.is_empty() {
        scan = scan.only(args.only.iter().cloned());
    }
    if args.timestamp {
        scan = scan.generated_at(clock::now());
    }
    let assessment = scan
        .run()
        .with_context(|| format!("scan of {} failed", args.path.display()))?;
    progress.finish();

    let mut written = Vec::new();
    for &format in &formats {
        let text = render(&assessment, format)?;
        match &args.output {
            None => output::stdout(&text)?,
            Some(path) if path.as_os_str() == "-" => output::stdout(&text)?,
            Some(path) if formats.len() == 1 => {
                output::write_file(path, &text)?;
                written.push(path.clone());
            }
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
                let path = dir.join(format!("report.{}", format.extension()));
                output::write_file(&path, &text)?;
                written.push(path);
            }
        }
    }

    if !args.quiet {
        output::summary(&assessment, &written, args.verbose);
    }
    Ok(gate_code(&assessment, args.fail_under, args.quiet))
}

fn render(assessment: &Assessment, format: Format) -> Result<String> {
    Ok(match format {
        Format::Md => diligence::render::markdown(assessment).context("cannot render Markdown")?,
        Format::Json => diligence::render::json(assessment).context("cannot render JSON")?,
    })
}

fn gate_code(assessment: &Assessment, fail_under: Option<u32>, quiet: bool) -> u8 {
    let Some(threshold) = fail_under else {
        return exit::SUCCESS;
    };
    match assessment.scores.overall {
        Some(score) if score >= threshold => exit::SUCCESS,
        score => {
            if !quiet {
                output::gate_failed(score, threshold);
            }
            exit::GATE_FAILED
        }
    }
}

fn frameworks_list() -> Result<u8> {
    let catalog = diligence::catalog(&diligence::default_collectors());
    let mut lines = String::new();
    for (i, (id, _)) in scoring::EMBEDDED.iter().enumerate() {
        let framework = scoring::embedded(id, &catalog)
            .with_context(|| format!("the embedded framework `{id}` is invalid"))?;
        let info = framework.info();
        let default = if i == 0 { " (default)" } else { "" };
        lines.push_str(&format!("{}\t{}\t{}{default}\n", info.id, info.version, info.title));
    }
    output::stdout(&lines)?;
    Ok(exit::SUCCESS)
}

fn framework_check(file: &std::path::Path) -> Result<u8> {
    let catalog = diligence::catalog(&diligence::default_collectors());
    match scoring::Framework::load(file, &catalog) {
        Ok(framework) => {
            let info = framework.info();
            output::stdout(&format!(
                "{}: ok ({} {}, {} controls)\n",
                file.display(),
                info.id,
                info.version,
                framework.controls().len()
            ))?;
            Ok(exit::SUCCESS)
        }
        Err(error) => {
            output::error(&anyhow::Error::new(error));
            Ok(exit::CHECK_FAILED)
        }
    }
}

//! The `diligence` command.

mod clock;
mod db;
mod diff;
mod exit;
mod framework;
mod output;
mod render;
mod rules;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use diligence::model::Timestamp;

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
    Scan(Box<ScanArgs>),
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
    /// Render a saved JSON assessment again, without rescanning.
    Render(Box<render::RenderArgs>),
    /// Compare two saved assessments: fixed and new findings, score and
    /// status movements.
    Diff(diff::DiffArgs),
    /// Write the fingerprints of a saved assessment's findings as a baseline
    /// for the next assessment (`--accepted`).
    Baseline(diff::BaselineArgs),
    /// Work with secret-rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Fetch or list advisory databases in the local cache (the only
    /// command that uses the network, and only when asked).
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Check a folder of secret rules: syntax, ids, patterns, and that every
    /// example matches and no negative example does.
    Check {
        /// The folder of `*.yml` rule files.
        dir: PathBuf,
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
pub(crate) enum Format {
    /// Markdown.
    Md,
    /// JSON (the assessment itself).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// PDF (needs the `pdf` feature, on by default).
    Pdf,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Self::Md => "md",
            Self::Json => "json",
            Self::Sarif => "sarif",
            Self::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The repository or directory to scan.
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
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
    /// The report date, YYYY-MM-DD: every window ("active in the last 90
    /// days"), staleness and expiry is measured from it. Default: the
    /// SOURCE_DATE_EPOCH variable when set (reproducible runs), else today.
    /// The assessed commit's own date is reported beside it.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<Timestamp>,
    /// Run only these collectors (repeatable).
    #[arg(long, value_name = "COLLECTOR")]
    only: Vec<String>,
    /// Advisory database directory, RustSec or OSV (repeatable). Without one,
    /// the advisory controls read "not evidenced".
    #[arg(long = "advisory-db", value_name = "DIR")]
    advisory_dbs: Vec<PathBuf>,
    /// Do not use the databases in the local cache (`diligence db fetch`)
    /// when no `--advisory-db` is given.
    #[arg(long)]
    no_cached_db: bool,
    /// Extra secret-rule folder, added to the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    secret_rules: Vec<PathBuf>,
    /// Also scan objects no branch or tag reaches (stashes, pull-request
    /// refs, unreachable objects).
    #[arg(long)]
    all_objects: bool,
    /// History statistics over every branch and tag instead of the history
    /// reachable from the assessed commit (secrets and environment files
    /// are searched on every reference either way).
    #[arg(long)]
    all_refs: bool,
    /// Identity file (TOML): extra groups of author identities that are one
    /// person (`merge = [["Name <a@x>", "b@y"]]`) and accounts that are
    /// automation (`bots = ["deploy@x"]`).
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    /// Coverage report to read besides those found in the tree (lcov,
    /// Cobertura, JaCoCo, llvm-cov JSON, Go, Clover, coverage.py JSON;
    /// repeatable).
    #[arg(long = "coverage", value_name = "FILE")]
    coverage_reports: Vec<PathBuf>,
    /// Baseline file of accepted findings (fingerprints with reasons).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// File holding a private key (at least 16 bytes) for secret
    /// fingerprints instead of the public default; without it the
    /// DILIGENCE_FINGERPRINT_KEY variable is read. Baselines made under one
    /// key do not match under another.
    #[arg(long, value_name = "FILE")]
    fingerprint_key_file: Option<PathBuf>,
    /// Check each credential found with its provider's read-only identity
    /// endpoint (AWS STS, GitHub, GitLab, Slack, Stripe, OpenAI, Anthropic,
    /// SendGrid, Twilio, Google, Supabase) and resolve the host names of
    /// database URLs, never connecting to them: the only scan option that
    /// uses the network. One request per credential, never retried. The
    /// report and the terminal name every host contacted.
    #[arg(long)]
    pub(crate) validate: bool,
    /// Time limit of one `--validate` request, in seconds (1 to 60).
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=60), requires = "validate")]
    pub(crate) validate_timeout: u64,
    /// Most `--validate` requests in flight at once (1 to 16).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u64).range(1..=16), requires = "validate")]
    pub(crate) validate_concurrency: u64,
    /// Honour .gitignore when listing files.
    #[arg(long)]
    respect_gitignore: bool,
    /// Record the generation time in the report: SOURCE_DATE_EPOCH when
    /// set, else the clock (which breaks byte-identical output).
    #[arg(long)]
    timestamp: bool,
    #[command(flatten)]
    pub(crate) report: render::ReportArgs,
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
        Command::Scan(args) => scan::run(&args),
        Command::Frameworks {
            command: FrameworksCommand::List,
        } => framework::list(),
        Command::Framework {
            command: FrameworkCommand::Check { file },
        } => framework::check(&file),
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => rules::check(&dir),
        Command::Db { command } => db::run(&command),
        Command::Render(args) => render::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Baseline(args) => diff::baseline(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            output::error(&error);
            ExitCode::from(exit::code_of(&error))
        }
    }
}

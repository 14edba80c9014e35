//! Everything the command prints. Reports go to standard output only when
//! asked (`-o -` or no `-o`); everything else goes to standard error.
#![allow(clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use diligence::model::Assessment;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Writes a report to standard output.
pub(crate) fn stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// Writes a report file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| {
        format!(
            "cannot write the report to {}: check that the directory exists and is writable",
            path.display()
        )
    })
}

/// Writes a report in any format (a PDF too) to standard output.
pub(crate) fn stdout_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// Writes a report file in any format.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| {
        format!(
            "cannot write the report to {}: check that the directory exists and is writable",
            path.display()
        )
    })
}

/// Prints a notice on standard error.
#[cfg_attr(not(feature = "validate"), allow(dead_code))]
pub(crate) fn notice(text: &str) {
    eprintln!("{text}");
}

/// Prints an error and its causes.
pub(crate) fn error(error: &anyhow::Error) {
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

/// Prints the verdict line and where the report went.
pub(crate) fn summary(assessment: &Assessment, written: &[PathBuf], verbose: bool) {
    let score = assessment
        .scores
        .overall
        .map_or_else(|| "n/a".to_owned(), |s| s.to_string());
    eprintln!(
        "{}: {} — score {} with {}% evidence coverage",
        assessment.target.name, assessment.gate.verdict, score, assessment.scores.coverage
    );
    if verbose {
        for reason in &assessment.gate.reasons {
            eprintln!("  - {reason}");
        }
        for failure in &assessment.failures {
            eprintln!(
                "  not evidenced ({}): {}",
                failure.collector, failure.message
            );
        }
    }
    if let Some(live) = &assessment.options.live_validation {
        eprintln!("{}", live_validation_line(live));
    }
    for path in written {
        eprintln!("wrote {}", path.display());
    }
}

/// What live validation did, for the terminal: counts and every host.
pub(crate) fn live_validation_line(live: &diligence::model::LiveValidationInfo) -> String {
    let hosts = if live.hosts.is_empty() {
        "no host contacted".to_owned()
    } else {
        format!("hosts contacted: {}", live.hosts.join(", "))
    };
    format!(
        "live validation (--validate, network): {} credentials checked, {} live, {} revoked, {} unknown; {hosts}",
        live.checked, live.live, live.revoked, live.unknown
    )
}

/// Explains a `--fail-under` failure.
pub(crate) fn gate_failed(score: Option<u32>, threshold: u32) {
    match score {
        Some(score) => eprintln!("score {score} is below --fail-under {threshold}"),
        None => eprintln!("nothing could be scored, so --fail-under {threshold} is not met"),
    }
}

/// A spinner on standard error, shown only on a terminal.
pub(crate) struct Progress {
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar: Mutex::new(bar),
        }
    }

    pub(crate) fn update(&self, event: &diligence::Progress) {
        let Ok(guard) = self.bar.lock() else { return };
        let Some(bar) = guard.as_ref() else { return };
        match event {
            diligence::Progress::Started { stage } => bar.set_message(format!("{stage}…")),
            diligence::Progress::Advanced { stage, done, .. } => {
                bar.set_message(format!("{stage}: {done}"));
            }
            _ => {}
        }
    }

    pub(crate) fn finish(&self) {
        if let Ok(mut guard) = self.bar.lock()
            && let Some(bar) = guard.take()
        {
            bar.finish_and_clear();
        }
    }
}

//! End-to-end tests of the `diligence` command on scripted fixture repositories.

#![allow(clippy::unwrap_used)]

mod cli;
mod report_date;
mod rerender;
mod scan;
mod validate;

use std::path::Path;
use std::process::{Command, Output};

/// The report date of every test run, as `SOURCE_DATE_EPOCH`:
/// 2024-01-01T00:00:00Z, a few weeks after the fixtures' last commits, so
/// reports are byte-identical from day to day and a report date that
/// differs from the assessed commit's shows.
pub(crate) const REPORT_EPOCH: i64 = 1_704_067_200;

/// The built `diligence` binary with `args` in `dir`, in an environment
/// that the machine running the tests does not leak into; the report date
/// is [`REPORT_EPOCH`].
pub(crate) fn diligence_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_diligence"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DILIGENCE_FINGERPRINT_KEY")
        .env("SOURCE_DATE_EPOCH", REPORT_EPOCH.to_string())
        // No advisory databases from a cache on the machine running the tests.
        .env("DILIGENCE_CACHE", dir.join(".no-diligence-cache"));
    command
}

/// Runs the built `diligence` binary with `args` in `dir`.
pub(crate) fn diligence(dir: &Path, args: &[&str]) -> Output {
    diligence_command(dir, args)
        .output()
        .expect("the diligence binary runs")
}

/// Standard output as text.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error as text.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The workspace root (for fixtures under `fixtures/`).
pub(crate) fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("the CLI crate sits two levels below the workspace root")
}

//! Exit codes of the `diligence` command, documented in the README.

/// The command did what was asked; with `--fail-under`, the score met it.
pub(crate) const SUCCESS: u8 = 0;
/// `--fail-under` was given and the overall score is below it (or nothing
/// could be scored).
pub(crate) const GATE_FAILED: u8 = 1;
/// The command line was invalid (clap's own code).
#[allow(dead_code)]
pub(crate) const USAGE: u8 = 2;
/// The scan or check could not run: a missing path, an invalid framework
/// file, an unwritable output.
pub(crate) const ERROR: u8 = 3;
/// `framework check` or `rules check` found problems in the checked file.
pub(crate) const CHECK_FAILED: u8 = 4;

//! Exit codes of the `diligence` command, documented in the README.

/// The command did what was asked; with `--fail-under`, the score met it.
pub(crate) const SUCCESS: u8 = 0;
/// `--fail-under` was given and the overall score is below it (or nothing
/// could be scored).
pub(crate) const GATE_FAILED: u8 = 1;
/// The command line was invalid (clap's own code), or `SOURCE_DATE_EPOCH`
/// is not whole seconds since the epoch.
pub(crate) const USAGE: u8 = 2;
/// The scan or check could not run: a missing path, an invalid framework
/// file, an unwritable output.
pub(crate) const ERROR: u8 = 3;
/// `framework check` or `rules check` found problems in the checked file.
pub(crate) const CHECK_FAILED: u8 = 4;

/// The exit code of a command that failed with `error`: [`USAGE`] when the
/// invocation itself is wrong, else [`ERROR`].
pub(crate) fn code_of(error: &anyhow::Error) -> u8 {
    if error.is::<crate::clock::InvalidSourceDateEpoch>() {
        USAGE
    } else {
        ERROR
    }
}

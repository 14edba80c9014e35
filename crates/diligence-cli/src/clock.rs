//! The one place the command learns what time it is: `SOURCE_DATE_EPOCH`
//! when set (reproducible runs), else the wall clock. No other module reads
//! either; `clippy.toml` forbids `SystemTime::now` everywhere but here.

use std::ffi::OsStr;
use std::time::{SystemTime, UNIX_EPOCH};

use diligence::model::Timestamp;

/// The reproducible-builds variable: whole seconds since the Unix epoch
/// (<https://reproducible-builds.org/specs/source-date-epoch/>).
pub(crate) const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The last second of 9999-12-31 UTC: later dates do not fit `YYYY-MM-DD`.
const MAX_SECONDS: i64 = 253_402_300_799;

/// The time of this run: `SOURCE_DATE_EPOCH` when set and not empty, else
/// the wall clock. Read once per command, so the report date and the
/// generation time agree.
pub(crate) fn now() -> Result<Timestamp, InvalidSourceDateEpoch> {
    match std::env::var_os(SOURCE_DATE_EPOCH) {
        Some(value) if !value.is_empty() => parse_source_date_epoch(&value),
        _ => Ok(wall_clock()),
    }
}

/// The wall clock, whole seconds (also the time live validation signs
/// its requests with).
#[allow(clippy::disallowed_methods)]
pub(crate) fn wall_clock() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Timestamp(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// Parses a `SOURCE_DATE_EPOCH` value: ASCII digits only, as `date +%s`
/// prints them, up to the end of year 9999.
fn parse_source_date_epoch(value: &OsStr) -> Result<Timestamp, InvalidSourceDateEpoch> {
    let invalid = || InvalidSourceDateEpoch {
        value: value.to_string_lossy().into_owned(),
    };
    let text = value.to_str().ok_or_else(invalid)?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match text.parse::<i64>() {
        Ok(seconds) if seconds <= MAX_SECONDS => Ok(Timestamp(seconds)),
        _ => Err(invalid()),
    }
}

/// `SOURCE_DATE_EPOCH` is set to something other than whole seconds since
/// the epoch. A usage error (exit code 2): the environment is part of the
/// invocation, and a reproducible run must not quietly fall back to the
/// clock.
#[derive(Debug)]
pub(crate) struct InvalidSourceDateEpoch {
    value: String,
}

impl std::fmt::Display for InvalidSourceDateEpoch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid {SOURCE_DATE_EPOCH} `{}`: expected whole seconds since 1970-01-01T00:00:00Z, \
             digits only (as `date +%s` prints them), up to the year 9999; unset it to date the \
             report today",
            self.value.escape_debug()
        )
    }
}

impl std::error::Error for InvalidSourceDateEpoch {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Timestamp, InvalidSourceDateEpoch> {
        parse_source_date_epoch(OsStr::new(text))
    }

    #[test]
    fn whole_seconds_are_accepted() {
        assert_eq!(parse("0").unwrap(), Timestamp(0));
        assert_eq!(parse("1700000000").unwrap(), Timestamp(1_700_000_000));
        assert_eq!(parse("253402300799").unwrap().date_string(), "9999-12-31");
    }

    #[test]
    fn anything_else_is_refused_with_the_value() {
        for bad in [
            "-1",
            "+5",
            "1.5",
            " 17",
            "17 ",
            "2024-01-01",
            "abc",
            "253402300800",
            "99999999999999999999999",
        ] {
            let error = parse(bad).expect_err(bad);
            let message = error.to_string();
            assert!(message.contains(SOURCE_DATE_EPOCH), "{message}");
            assert!(message.contains(&format!("`{bad}`")), "{message}");
        }
    }

    #[test]
    fn the_wall_clock_is_after_this_code_was_written() {
        // 2025-01-01: a clock reading before that is broken or zero.
        assert!(wall_clock() > Timestamp(1_735_689_600));
    }
}

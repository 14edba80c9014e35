//! Points in time without a clock: seconds since the Unix epoch in UTC,
//! written as RFC 3339 (`2024-03-01T12:00:00Z`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Seconds since 1970-01-01T00:00:00Z. Serialised as an RFC 3339 UTC string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(pub i64);

/// A calendar month, the bucket of activity series.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct YearMonth {
    /// Proleptic Gregorian year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Days since the epoch of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since the epoch.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Timestamp {
    /// The timestamp of midnight UTC on a civil date.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Self {
        Self(days_from_civil(year.into(), month.into(), day.into()) * SECONDS_PER_DAY)
    }

    /// Seconds since the epoch.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Whole days since the epoch (floor).
    pub fn days(self) -> i64 {
        self.0.div_euclid(SECONDS_PER_DAY)
    }

    /// The calendar month this instant falls in (UTC).
    pub fn year_month(self) -> YearMonth {
        let (year, month, _) = civil_from_days(self.days());
        YearMonth {
            year: year as i32,
            month,
        }
    }

    /// The date part, `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        let (year, month, day) = civil_from_days(self.days());
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` or a bare `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::InvalidTimestamp(text.to_owned());
        let num = |s: &str| -> Result<i64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<i64>().map_err(|_| bad())
        };
        let (date, time) = match text.split_once('T') {
            Some((date, time)) => (date, Some(time.strip_suffix('Z').ok_or_else(bad)?)),
            None => (text, None),
        };
        let mut parts = date.splitn(3, '-');
        let year = num(parts.next().ok_or_else(bad)?)?;
        let month = num(parts.next().ok_or_else(bad)?)?;
        let day = num(parts.next().ok_or_else(bad)?)?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(bad());
        }
        let mut seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY;
        if let Some(time) = time {
            let mut parts = time.splitn(3, ':');
            let h = num(parts.next().ok_or_else(bad)?)?;
            let m = num(parts.next().ok_or_else(bad)?)?;
            let s = num(parts.next().ok_or_else(bad)?)?;
            if h > 23 || m > 59 || s > 60 {
                return Err(bad());
            }
            seconds += h * 3600 + m * 60 + s;
        }
        Ok(Self(seconds))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.days());
        let rem = self.0.rem_euclid(SECONDS_PER_DAY);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    }
}

impl YearMonth {
    /// The following month.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "An instant in UTC, RFC 3339 with a `Z` suffix."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let t = Timestamp(1_700_000_000);
        assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp::parse("2023-11-14T22:13:20Z").unwrap(), t);
        assert_eq!(Timestamp::parse("1970-01-01").unwrap(), Timestamp(0));
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59Z");
        assert!(Timestamp::parse("2023-13-01").is_err());
        assert!(Timestamp::parse("2023-1x-01").is_err());
    }

    #[test]
    fn months() {
        assert_eq!(
            Timestamp::from_ymd(2024, 2, 29).year_month().to_string(),
            "2024-02"
        );
        assert_eq!(
            YearMonth {
                year: 2024,
                month: 12
            }
            .next(),
            YearMonth {
                year: 2025,
                month: 1
            }
        );
        for days in [-800_000i64, -1, 0, 59, 60, 11_016, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m.into(), d.into()), days);
        }
    }
}

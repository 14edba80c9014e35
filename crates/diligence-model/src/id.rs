//! Identifiers, parsed and checked once.
//!
//! Every id is lowercase ASCII: kebab-case segments (`[a-z0-9]+(-[a-z0-9]+)*`)
//! joined by dots. Rule ids and fact names start with the id of the
//! collector that emits them (`secrets.aws-access-key`, `git.commits`).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

fn check_segment(segment: &str) -> std::result::Result<(), &'static str> {
    if segment.is_empty() {
        return Err("empty segment");
    }
    if segment.starts_with('-') || segment.ends_with('-') || segment.contains("--") {
        return Err("hyphens must separate words");
    }
    if !segment
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("only lowercase letters, digits, hyphens and dots are allowed");
    }
    Ok(())
}

fn check(kind: &'static str, value: &str, min_segments: usize, max_segments: usize) -> Result<()> {
    let invalid = |reason| Error::InvalidId {
        kind,
        value: value.to_owned(),
        reason,
    };
    if value.len() > 200 {
        return Err(invalid("longer than 200 characters"));
    }
    let mut count = 0;
    for segment in value.split('.') {
        check_segment(segment).map_err(invalid)?;
        count += 1;
    }
    if count < min_segments {
        return Err(invalid(if min_segments == 2 {
            "needs at least two dot-separated segments, the first naming the collector"
        } else {
            "too few segments"
        }));
    }
    if count > max_segments {
        return Err(invalid(if max_segments == 1 {
            "must be a single kebab-case word group without dots"
        } else {
            "too many segments"
        }));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses and checks an id.
            pub fn new(value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                check($kind, &value, $min, $max)?;
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The first dot-separated segment (the collector or section prefix).
            pub fn prefix(&self) -> &str {
                self.0.split('.').next().unwrap_or_default()
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "description": concat!("A ", $kind, ": lowercase kebab-case segments joined by dots."),
                    "pattern": "^[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*$"
                })
            }
        }
    };
}

id_type!(
    /// A rule id such as `secrets.aws-access-key`: the collector id, then the rule.
    RuleId, "rule id", 2, 8
);
id_type!(
    /// A fact name such as `git.commits` or `deps.lockfile.present`.
    FactName, "fact name", 2, 8
);
id_type!(
    /// A collector id such as `history` or `secrets`.
    CollectorId, "collector id", 1, 1
);
id_type!(
    /// A control id from a framework file, such as `change-control.review-gate`.
    ControlId, "control id", 1, 8
);
id_type!(
    /// A framework section id such as `secrets-and-surface`.
    SectionId, "section id", 1, 1
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_ids() {
        assert_eq!(
            RuleId::new("secrets.aws-access-key").unwrap().prefix(),
            "secrets"
        );
        assert!(FactName::new("deps.lockfile.present").is_ok());
        assert!(CollectorId::new("history").is_ok());
        assert!(ControlId::new("change-control.review").is_ok());
        assert!(SectionId::new("change-control").is_ok());
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "Secrets.aws",
            "secrets",
            "secrets..x",
            "secrets.-x",
            "a.b_c",
            "a.b c",
            "a.é",
        ] {
            assert!(RuleId::new(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(CollectorId::new("a.b").is_err());
        assert!(SectionId::new("x.y").is_err());
    }

    #[test]
    fn serde_round_trip_checks_grammar() {
        let id: RuleId = serde_json::from_str("\"git.truck-factor\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"git.truck-factor\"");
        assert!(serde_json::from_str::<RuleId>("\"Git.X\"").is_err());
    }
}

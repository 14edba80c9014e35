//! Build conditions an advisory names: "only when the `xyz` feature is
//! enabled", or an optional dependency listed in its affected data.
//!
//! A lockfile that records each package's resolved dependencies (Cargo.lock)
//! shows an optional dependency as absent when the feature that pulls it in
//! is off. So an advisory whose every named condition is absent from the
//! package's resolved dependencies is reported as "not enabled in this
//! build". That is a heuristic: the text is read for a handful of phrasings,
//! and a feature is tied to a dependency by name. [`Condition::explicit`]
//! and the evaluation in the collector set its confidence.

use serde::{Deserialize, Serialize};

/// One condition an advisory needs; when it names several, any one of
/// them may suffice, so all must be shown absent.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct Condition {
    /// The feature, when the advisory names one.
    pub feature: Option<String>,
    /// Optional dependencies the advisory names outright (structured data).
    pub dependencies: Vec<String>,
    /// Read from structured affected data (`features`,
    /// `optional_dependencies`) rather than from the text.
    pub explicit: bool,
}

impl Condition {
    /// The dependency names that would show the condition on: the named
    /// optional dependencies, or for a feature its own name and the parts
    /// of a compound name (`dnssec-ring` → `ring`, `boring-tls` → `boring`).
    pub fn candidates(&self) -> Vec<String> {
        let mut out: Vec<String> = self.dependencies.iter().map(|d| norm(d)).collect();
        if let Some(feature) = &self.feature {
            let f = norm(feature);
            out.push(f.clone());
            let parts: Vec<&str> = f.split('-').collect();
            for i in 1..parts.len() {
                for candidate in [parts[i..].join("-"), parts[..i].join("-")] {
                    if candidate.len() >= 3 {
                        out.push(candidate);
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Crate names compare with `_` and `-` folded.
pub(crate) fn norm(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('_', "-")
}

/// Conditions from structured data: arrays under `features`,
/// `optional_dependencies` or `optional-dependencies` of an OSV
/// `ecosystem_specific` or `database_specific` object.
pub(crate) fn from_value(value: Option<&serde_json::Value>) -> Vec<Condition> {
    let Some(value) = value else {
        return Vec::new();
    };
    let strings = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let features = strings("features");
    let deps: Vec<String> = strings("optional_dependencies")
        .into_iter()
        .chain(strings("optional-dependencies"))
        .collect();
    // Named optional dependencies are what the features pull in: one
    // condition, judged by the dependencies.
    if !deps.is_empty() {
        return vec![Condition {
            feature: (!features.is_empty()).then(|| features.join(", ")),
            dependencies: deps,
            explicit: true,
        }];
    }
    features
        .into_iter()
        .map(|f| Condition {
            feature: Some(f),
            dependencies: Vec::new(),
            explicit: true,
        })
        .collect()
}

/// Words that make a sentence about a feature a condition.
const CUES: &[&str] = &[
    "when ",
    "only ",
    "if ",
    "built with",
    "requires",
    "required",
    "is enabled",
    "are enabled",
    "activating",
    "activated",
    "under ",
];

/// Words that make it advice or a mitigation instead.
const REJECT: &[&str] = &[
    "disabled",
    "disabling",
    "migrate",
    "enable the",
    "enabling the",
    "use the",
    "instead",
    "workaround",
    "mitigat",
    "the new ",
    "not affected",
    "default `",
    "default feature",
];

/// Features an advisory's text makes a condition of, in the order found.
pub(crate) fn from_text(text: &str, package: &str) -> Vec<Condition> {
    let mut found: Vec<String> = Vec::new();
    for sentence in sentences(text) {
        let lower = sentence.to_ascii_lowercase();
        if !lower.contains("feature") {
            continue;
        }
        // "non-default" and "off-by-default" support the condition.
        let cleaned = lower
            .replace("non-default", "")
            .replace("off-by-default", "");
        if !CUES.iter().any(|c| lower.contains(c)) || REJECT.iter().any(|r| cleaned.contains(r)) {
            continue;
        }
        for name in features_in(&sentence) {
            if norm(&name) != norm(package) && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
        .into_iter()
        .map(|f| Condition {
            feature: Some(f),
            dependencies: Vec::new(),
            explicit: false,
        })
        .collect()
}

/// Sentences: split at `. `, blank lines and list items; lines joined.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        for item in block.split("\n-").flat_map(|b| b.split("\n*")) {
            let joined = item.split_whitespace().collect::<Vec<_>>().join(" ");
            out.extend(joined.split(". ").map(str::to_owned));
        }
    }
    out
}

/// Backticked names next to the word `feature`: "`a` feature", "`a` or
/// `b` feature(s)", "feature `a`", "feature flag `a`", and
/// `cfg(feature = "a")`.
fn features_in(sentence: &str) -> Vec<String> {
    let tokens = tokenize(sentence);
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Code(code) = t
            && let Some(rest) = code.strip_prefix("cfg(feature")
        {
            let name = rest.trim_start_matches([' ', '=']).trim_end_matches(')');
            out.push(name.trim_matches('"').to_owned());
            continue;
        }
        let Token::Word(w) = t else { continue };
        let w = w.to_ascii_lowercase();
        if !(w.starts_with("feature") || w.starts_with("cfg(feature")) {
            continue;
        }
        // Backwards: `a`, `b` and `c` feature(s).
        let mut j = i;
        while j > 0 {
            j -= 1;
            match &tokens[j] {
                Token::Code(name) => out.push(name.clone()),
                Token::Word(c) if matches!(c.as_str(), "and" | "or" | "," | "flag") => {}
                _ => break,
            }
        }
        // Forwards: feature `a`, feature flag `a`, cfg(feature = "a").
        let mut k = i + 1;
        while k < tokens.len() {
            match &tokens[k] {
                Token::Code(name) | Token::Quoted(name) => {
                    out.push(name.clone());
                    break;
                }
                Token::Word(c) if matches!(c.as_str(), "flag" | "=") => k += 1,
                _ => break,
            }
        }
    }
    out.retain(|n| {
        !n.is_empty()
            && n.len() <= 64
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    out
}

enum Token {
    Word(String),
    Code(String),
    Quoted(String),
}

fn tokenize(sentence: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = sentence;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '`' || c == '"' {
            let body = &rest[1..];
            let Some(end) = body.find(c) else {
                break;
            };
            let inner = body[..end].to_owned();
            out.push(if c == '`' {
                Token::Code(inner)
            } else {
                Token::Quoted(inner)
            });
            rest = &body[end + 1..];
        } else if c == ',' {
            out.push(Token::Word(",".to_owned()));
            rest = &rest[1..];
        } else {
            let end = rest
                .find(|x: char| x.is_whitespace() || x == '`' || x == '"' || x == ',')
                .unwrap_or(rest.len());
            let word = rest[..end].trim_end_matches(['.', ':', ';', ')']);
            out.push(Token::Word(word.to_ascii_lowercase()));
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, package: &str) -> Vec<String> {
        from_text(text, package)
            .into_iter()
            .filter_map(|c| c.feature)
            .collect()
    }

    #[test]
    fn conditional_feature_sentences_are_read() {
        assert_eq!(
            names(
                "Affects `age` APIs when the `plugin` feature flag is enabled:",
                "age"
            ),
            ["plugin"]
        );
        assert_eq!(
            names(
                "reachable by any caller when built with the `dnssec-ring` or\n`dnssec-aws-lc-rs` feature and configured to validate.",
                "hickory-proto"
            ),
            ["dnssec-aws-lc-rs", "dnssec-ring"]
        );
        assert_eq!(
            names(
                "- The `log` and `thread_rng` features are enabled\n- A logger",
                "rand"
            ),
            ["thread_rng", "log"]
        );
        assert_eq!(
            names(
                "The `tokio` feature `io-util` is also required to be enabled to trigger this.",
                "tokio"
            ),
            ["io-util"]
        );
        assert_eq!(
            names(
                "When activating the non-default feature `serialize`, structs",
                "raw-cpuid"
            ),
            ["serialize"]
        );
        assert_eq!(
            names("# Under `cfg(feature = \"functions\")`", "rusqlite"),
            ["functions"]
        );
        assert_eq!(
            names(
                "Only code under cfg(feature = \"hooks\") is affected",
                "rusqlite"
            ),
            ["hooks"]
        );
    }

    #[test]
    fn advice_and_look_alikes_are_not_conditions() {
        for (text, package) in [
            // A mitigation, not a condition.
            (
                "Decompressing with the `unsafe` implementation (`safe-decode` feature flag disabled, which is the default",
                "lz4_flex",
            ),
            (
                "Users should migrate to `hickory-resolver` with the `recursor` feature.",
                "hickory-recursor",
            ),
            (
                "If you cannot upgrade, enable the `force-soft` feature of the `aes` crate.",
                "aes-soft",
            ),
            // A default feature is on unless someone turned it off.
            (
                "Only when the default `std` feature was enabled.",
                "dcrypt-api",
            ),
            // Features mentioned without a condition.
            ("The crate has a feature `serde` for serialization.", "x"),
            ("The search feature of mdBook was affected.", "mdbook"),
        ] {
            assert!(names(text, package).is_empty(), "{text}");
        }
    }

    #[test]
    fn candidates_split_compound_names() {
        let c = Condition {
            feature: Some("dnssec-aws-lc-rs".into()),
            dependencies: Vec::new(),
            explicit: false,
        };
        assert_eq!(
            c.candidates(),
            [
                "aws-lc-rs",
                "dnssec",
                "dnssec-aws",
                "dnssec-aws-lc",
                "dnssec-aws-lc-rs",
                "lc-rs"
            ]
        );
        let d = Condition {
            feature: None,
            dependencies: vec!["Boring_Sys".into()],
            explicit: true,
        };
        assert_eq!(d.candidates(), ["boring-sys"]);
    }

    #[test]
    fn structured_conditions() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"features": ["boring-tls"], "optional_dependencies": ["boring", "tokio-boring"]}"#,
        )
        .unwrap();
        let c = from_value(Some(&v));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].feature.as_deref(), Some("boring-tls"));
        assert_eq!(c[0].dependencies, ["boring", "tokio-boring"]);
        assert!(c[0].explicit);
        let v: serde_json::Value = serde_json::from_str(r#"{"features": ["a", "b"]}"#).unwrap();
        let c = from_value(Some(&v));
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.explicit && c.dependencies.is_empty()));
        assert!(from_value(None).is_empty());
    }
}

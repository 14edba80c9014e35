//! YAML read into a small tree of [`Node`]s that remember their line.
//!
//! Pipeline and compose files mix shapes freely (`on: push`, `on: [push]`,
//! `on: {push: {branches: [main]}}`), so they are read untyped and walked,
//! with every value keeping the line it was written on for findings.
//! Parsing goes through serde-saphyr with an explicit budget and YAML 1.2
//! booleans: with YAML 1.1 rules a workflow's `on:` key would become `true`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line; 0 when the parser did not say.
    pub line: u32,
    /// For a mapping's value, the line of its key (a block value starts on
    /// the line after its key); otherwise the same as `line`.
    pub key_line: u32,
    /// The value.
    pub value: Value,
}

/// The shapes a YAML value takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false` (YAML 1.2 spelling only).
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys are scalars written as text.
    Map(Vec<(String, Node)>),
}

/// Why a YAML file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line, when the parser gave one.
    pub line: Option<u32>,
    /// 1-based column, when the parser gave one.
    pub column: Option<u32>,
    /// The parser's message, first line only.
    pub message: String,
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Self> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries when this is a mapping, else none.
    pub fn entries(&self) -> &[(String, Self)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The text of a scalar (strings, numbers, booleans).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) | Value::Number(s) => Some(s),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// A scalar or a sequence of scalars as a list of texts (`needs: build`
    /// and `needs: [build, test]` alike).
    pub fn strings(&self) -> Vec<String> {
        match &self.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
            _ => self.as_str().map(str::to_owned).into_iter().collect(),
        }
    }

    /// Items of a sequence; a single value counts as one item.
    pub fn items(&self) -> Vec<&Self> {
        match &self.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![self],
        }
    }
}

/// Parsing limits: generous for real pipelines, small enough that an alias
/// bomb or deep nesting stops within milliseconds.
fn options() -> serde_saphyr::Options {
    options_with(16, 250_000)
}

/// [`options()`] with room for `documents` documents and `nodes` nodes
/// (and four events a node) in one stream.
fn options_with(documents: usize, nodes: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 64;
    budget.max_events = nodes * 4;
    budget.max_nodes = nodes;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_documents = documents;
    budget.max_recorded_anchor_events = 100_000;
    serde_saphyr::options! {
        budget: Some(budget),
        strict_booleans: true,
    }
}

/// Parses one YAML document. An empty document is [`Value::Null`].
pub fn parse(text: &str) -> Result<Node, YamlError> {
    if text.trim().is_empty() {
        return Ok(Node {
            line: 1,
            key_line: 1,
            value: Value::Null,
        });
    }
    match serde_saphyr::from_str_with_options::<Spanned<Value>>(text, options()) {
        Ok(spanned) => Ok(node(spanned)),
        Err(e) => Err(error(e)),
    }
}

/// Most documents one stream may hold in [`parse_documents`]: a rendered
/// manifest bundle (an operator's `install.yaml`) holds hundreds.
pub const MAX_DOCUMENTS: usize = 2_000;

/// Most nodes one stream may hold in [`parse_documents`]: enough for a
/// 4 MiB bundle of custom resource definitions.
pub const MAX_STREAM_NODES: usize = 1_000_000;

/// Parses a stream of `---`-separated documents (Kubernetes manifests),
/// under the same depth and alias limits as [`parse`] but with up to
/// [`MAX_DOCUMENTS`] documents and [`MAX_STREAM_NODES`] nodes. Empty documents are left out; lines count from the start of
/// the stream.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_saphyr::from_multiple_with_options::<Spanned<Value>>(
        text,
        options_with(MAX_DOCUMENTS, MAX_STREAM_NODES),
    )
    .map(|docs| docs.into_iter().map(node).collect())
    .map_err(error)
}

fn error(error: serde_saphyr::Error) -> YamlError {
    let location = error.location();
    let message = error.to_string();
    let message = message.lines().next().unwrap_or(&message).to_owned();
    YamlError {
        line: location.and_then(|l| u32::try_from(l.line()).ok().filter(|n| *n > 0)),
        column: location.and_then(|l| u32::try_from(l.column()).ok().filter(|n| *n > 0)),
        message,
    }
}

fn node(spanned: Spanned<Value>) -> Node {
    let line = u32::try_from(spanned.referenced.line()).unwrap_or(0);
    Node {
        line,
        key_line: line,
        value: spanned.value,
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Self::Value>>()? {
            items.push(node(item));
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let mut value = node(map.next_value::<Spanned<Self::Value>>()?);
            let key_line = u32::try_from(key.referenced.line()).unwrap_or(0);
            if key_line > 0 {
                value.key_line = key_line;
            }
            entries.push((key.value.0, value));
        }
        Ok(Value::Map(entries))
    }
}

/// A mapping key as text; complex keys (rare, never meaningful here) are
/// read and kept as an empty string.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Ok(Key(String::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Key, E> {
        Ok(Key(String::new()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(Key(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Key, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Key(String::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Key(String::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_the_on_key() {
        let text = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
        let root = parse(text).unwrap();
        assert!(root.get("on").is_some(), "{root:?}");
        assert_eq!(root.get("on").unwrap().key_line, 2);
        assert_eq!(root.get("on").unwrap().line, 3);
        let on = root.get("on").unwrap();
        assert_eq!(
            on.get("push").unwrap().get("branches").unwrap().strings(),
            ["main"]
        );
        let step = &root
            .get("jobs")
            .unwrap()
            .get("test")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0];
        assert_eq!(step.line, 9);
        assert_eq!(step.get("run").unwrap().line, 9);
        assert_eq!(step.get("run").unwrap().as_str(), Some("cargo test"));
    }

    #[test]
    fn yes_stays_text_and_true_is_a_boolean() {
        let root = parse("a: yes\nb: true\nc: 3.10\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("c").unwrap().as_str(), Some("3.1"));
    }

    #[test]
    fn errors_carry_a_position_and_bombs_stop() {
        let err = parse("jobs:\n  test:\n    steps: [\n").unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn several_documents_keep_their_lines() {
        let text = "a: 1\n---\n---\nkind: Pod\nspec:\n  x: y\n...\n---\nb: [1]\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 3, "{docs:?}");
        assert_eq!(docs[0].get("a").unwrap().line, 1);
        assert_eq!(docs[1].get("kind").unwrap().key_line, 4);
        assert_eq!(docs[1].get("spec").unwrap().get("x").unwrap().line, 6);
        assert!(parse_documents("").unwrap().is_empty());
        let err = parse_documents("a: 1\n---\nb: [\n").unwrap_err();
        assert!(err.line.is_some_and(|l| l >= 3), "{err:?}");
        let many = "a: 1\n---\n".repeat(MAX_DOCUMENTS + 1);
        assert!(parse_documents(&many).is_err());
    }
}

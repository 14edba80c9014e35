//! Shared XML reading for Cobertura, JaCoCo and Clover.
//!
//! roxmltree with `allow_dtd` (JaCoCo and Cobertura files carry a DOCTYPE):
//! it never fetches external entities and refuses entity-expansion loops,
//! so an entity bomb is a parse error, not an allocation. Nesting depth is
//! handled without recursion; the file size cap bounds the rest.

use roxmltree::{Document, Node, ParsingOptions};

use super::utf8;
use crate::error::ParseError;

/// At most this many XML nodes, a bound on memory whatever the file size.
const NODES_LIMIT: u32 = 20_000_000;

pub(super) fn document(data: &[u8]) -> Result<Document<'_>, ParseError> {
    let text = utf8(data)?;
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        ParseError::new(Some(pos.row), format!("invalid XML: {e}"))
    })
}

/// The 1-based line a node starts on.
pub(super) fn line_of(node: Node<'_, '_>) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

/// An attribute parsed as a non-negative integer; absent means `default`.
pub(super) fn num_attr(
    node: Node<'_, '_>,
    name: &str,
    default: Option<u64>,
) -> Result<u64, ParseError> {
    match node.attribute(name) {
        Some(value) => value.trim().parse::<u64>().or_else(|_| {
            // Some writers emit counts as floats (`12.0`).
            match value.trim().parse::<f64>() {
                Ok(f) if f.is_finite() && f >= 0.0 => Ok(f as u64),
                _ => Err(ParseError::new(
                    Some(line_of(node)),
                    format!(
                        "<{}> attribute `{name}` is not a non-negative number: {value:?}",
                        node.tag_name().name()
                    ),
                )),
            }
        }),
        None => default.ok_or_else(|| {
            ParseError::new(
                Some(line_of(node)),
                format!("<{}> lacks the `{name}` attribute", node.tag_name().name()),
            )
        }),
    }
}

/// Child elements with a given local name.
pub(super) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The root element, checked by name.
pub(super) fn root<'a, 'i>(
    doc: &'a Document<'i>,
    name: &str,
    format: &str,
) -> Result<Node<'a, 'i>, ParseError> {
    let root = doc.root_element();
    if root.tag_name().name() != name {
        return Err(ParseError::new(
            Some(line_of(root)),
            format!(
                "root element is <{}>, a {format} report starts with <{name}>",
                root.tag_name().name()
            ),
        ));
    }
    Ok(root)
}

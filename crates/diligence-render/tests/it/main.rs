//! Integration tests of the renderers.

mod fixtures;
mod json;
mod markdown;
mod sarif;
mod schema;

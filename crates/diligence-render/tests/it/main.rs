//! Integration tests of the renderers.

mod first_pages;
mod fixtures;
mod json;
mod markdown;
mod sarif;
mod schema;

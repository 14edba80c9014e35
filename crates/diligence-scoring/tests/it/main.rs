//! Integration tests of framework parsing, validation and evaluation.

mod common;
mod docs;
mod embedded;
mod evaluation;
mod schema;
mod validation;

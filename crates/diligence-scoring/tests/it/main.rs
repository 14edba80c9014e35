//! Integration tests of framework parsing, validation and evaluation.

mod common;
mod deploy_wiring;
mod docs;
mod embedded;
mod evaluation;
mod schema;
mod validation;

//! Integration tests of the facade.

#![allow(clippy::unwrap_used)]

mod history_walk;
mod scope;
mod source_model;

//! Integration tests of the facade.

#![allow(clippy::unwrap_used)]

mod history_walk;
mod scope;

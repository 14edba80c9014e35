//! Integration tests of the secret scanner.

#![allow(clippy::unwrap_used)]

mod archive;
mod collector;
mod common;
mod corpus;
mod edits;
mod engine;
mod families;
mod formats;
mod live;
mod named;
mod noise;
mod pdf;
mod reference;
mod revisions;
mod rules;
mod syntax;

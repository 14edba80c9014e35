//! Advisory loading and matching: hand-written fixtures, the shared real
//! databases, and the comparison with cargo-audit.

mod cargo_audit;
mod common;
mod fetch;
mod fixtures;
mod shared;

//! Deployment evidence for `diligence`: the `deploy` collector.
//!
//! It reads how the product is built and shipped: CI pipelines (GitHub
//! Actions and GitLab CI parsed into a [`pipeline`] model; other CI systems
//! recognised by path and read as text), what their jobs run, whether a
//! deploy waits for the tests, and the hardening of GitHub Actions
//! workflows; platform configuration files ([`platform`]: Vercel,
//! Netlify, Fly, Render, Railway, Heroku, App Engine, Firebase) and env
//! files ([`envfiles`], names only). Every file kind is parsed in one
//! place in this crate, with a real parser and a size cap; a file that
//! does not parse is a `deploy.config-malformed` finding and the scan goes
//! on.
//!
//! The decision to know: this crate is the one reader of CI files. Other
//! collectors that care whether CI runs the tests do not read pipelines;
//! the framework reads `deploy.ci-runs-tests` (formerly
//! `tests.ci-runs-tests`, still accepted as an alias).

#![warn(missing_docs)]

pub mod ci;
pub mod cloudformation;
mod collector;
pub mod commands;
pub mod compose;
pub mod dockerfile;
pub mod envfiles;
mod gha;
pub mod inventory;
pub mod kube;
pub mod pipeline;
pub mod platform;
mod policy;
pub mod resolve;
pub mod terraform;
pub mod yaml;

pub use collector::{COLLECTOR, DeployCollector, FACTS, MAX_CONFIG_SIZE, RULES};

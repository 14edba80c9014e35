//! Secret scanning for `diligence`: finds credentials in the worktree and
//! in every unique blob of the git history, and reports each secret once,
//! masked, with every place it appears.
//!
//! Rules are data: YAML files in `rules/`, embedded at build time and
//! extendable from user directories ([`RuleSet::load`]). Matching runs in
//! stages: one Aho-Corasick keyword prefilter over all rules, then only the
//! candidate rules' patterns (the `regex` crate, linear time, size-limited),
//! then entropy, placeholder and generic filters, offline validators
//! (checksums, JWT and PEM structure), overlap resolution between rules,
//! pairs, and optionally decoded base64 and percent-encoded layers.
//!
//! The one decision to know: a secret's value never leaves the matcher.
//! A [`Match`] holds it only as [`Redacted`](diligence_model::Redacted)
//! (a masked prefix, the length and a keyed fingerprint), so no finding,
//! error or log line can carry it.

#![warn(missing_docs)]

mod archive;
mod baseline;
mod collector;
mod decode;
mod delta;
mod error;
mod filters;
mod fingerprint;
#[cfg(feature = "live")]
pub mod live;
mod pdf;
mod rules;
mod scan;
mod sealed;
mod session;
mod validate;

pub use baseline::{Baseline, Suppression};
pub use collector::{SecretsCollector, git_blob_id};
pub use decode::{base64_encode, base64url_encode};
pub use error::{Error, Result, RuleProblem};
pub use filters::{entropy, generic_path_excluded, generic_value_plausible, is_placeholder};
pub use fingerprint::{DEFAULT_FINGERPRINT_KEY, Fingerprinter};
pub use rules::{Rule, RuleKind, RulesReport};
pub use scan::{
    BlobOutcome, Engine, EngineOptions, Match, RuleSet, builtin_rule_files, check_rules_dir,
};
pub use sealed::Vault;
pub use session::{
    FACTS, FinishOptions, Origin, REVISION_GROUP_MIN, Session, catalog, collector_id,
    is_key_file_name, key_file_rules,
};
pub use validate::Validator;

/// The base62 CRC32 checksum GitHub and npm tokens end with; exposed so
/// tests and fixtures can build well-formed tokens from parts.
pub fn token_checksum(body: &str) -> String {
    validate::base62_crc32(body.as_bytes())
}

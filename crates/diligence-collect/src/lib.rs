//! The plug-in point of `diligence`: the [`Collector`] trait, the
//! [`CollectContext`] every collector reads, and the [`FileIndex`] through
//! which collectors see the target's files.
//!
//! A scan resolves the [`Target`], walks the git history once ([`History`];
//! only when a selected collector [reads it](Collector::reads_history)),
//! lists the files once ([`FileIndex`]), parses the source once
//! ([`SourceModel`]; only when a selected collector
//! [reads it](Collector::reads_source)), and then runs every
//! collector in parallel against the same read-only context. Collectors
//! never print, never open a socket and never run anything from the target.
//! A collector that cannot run returns [`CollectError::Unavailable`]; one
//! that breaks returns [`CollectError::Failed`]. Either way the controls it
//! feeds read "not evidenced", never pass.

#![warn(missing_docs)]

mod error;
mod files;

use std::sync::atomic::{AtomicBool, Ordering};

pub use diligence_history::{History, Target};
use diligence_model::{Catalog, CollectorId, Evidence, Timestamp};
pub use diligence_source::SourceModel;
pub use error::{CollectError, Result};
pub use files::{FileEntry, FileIndex, FileIndexOptions, FileSource, ReadOutcome};

/// One source of evidence.
///
/// Implementors write [`id`](Collector::id), [`catalog`](Collector::catalog)
/// (every fact and rule the collector can emit, so framework files can be
/// checked against it) and [`collect`](Collector::collect). Fact names and
/// rule ids must start with the collector's id. A collector that never reads
/// [`CollectContext::history`] should also override
/// [`reads_history`](Collector::reads_history) to return `false`.
pub trait Collector: Send + Sync {
    /// Stable kebab-case id, used in rule ids, configuration and the report.
    fn id(&self) -> CollectorId;

    /// The facts and rules this collector can emit.
    ///
    /// Keep it cheap: a scan asks every collector for its catalog, selected
    /// or not, to check the framework file, so its cost is paid even by a
    /// `--only` scan that never runs the collector. List ids and names from
    /// data; do not compile patterns or load databases here.
    fn catalog(&self) -> Catalog;

    /// Whether [`collect`](Collector::collect) reads the shared history walk
    /// ([`CollectContext::history`]).
    ///
    /// Walking the history is the most expensive step of a scan, so a scan
    /// walks it only when at least one selected collector returns `true`;
    /// when none does, every collector sees `history: None`, as for a
    /// directory without git. Return `false` only when `collect` never looks
    /// at `cx.history`, even indirectly (a report date derived from it, say).
    ///
    /// Default: `true`. A collector written before this method existed, or
    /// one that forgets it, keeps receiving the history it reads; a default
    /// of `false` would hand it `None` without warning and turn its evidence
    /// into a wrong "not a git repository". Forgetting the override costs
    /// only time.
    fn reads_history(&self) -> bool {
        true
    }

    /// Whether [`collect`](Collector::collect) reads the shared source model
    /// ([`CollectContext::source`]).
    ///
    /// Parsing every source file is the second most expensive step of a
    /// scan, so a scan builds the model only when at least one selected
    /// collector returns `true`; otherwise every collector sees
    /// `source: None`.
    ///
    /// Default: `false`. The model is newer than the trait, so no collector
    /// written before it can depend on it; one that reads it says so.
    fn reads_source(&self) -> bool {
        false
    }

    /// Work that needs neither the history nor the target's files, such as
    /// loading and compiling rules: a scan calls it while the history is
    /// walked, before [`collect`](Collector::collect). What it fails at is
    /// reported by `collect`, which must work whether or not this ran.
    /// Default: nothing.
    fn prepare(&self, _options: &Options) {}

    /// Work on the target's files that needs no history, such as reading
    /// the checkout: a scan calls it while the history is walked, after
    /// the file list (and the source model, when read) is built, with a
    /// context whose [`history`](CollectContext::history) is `None`. A
    /// collector may keep what it finds for the next
    /// [`collect`](Collector::collect) on the same target, which must work
    /// whether or not this ran, and must report what failed here.
    /// Default: nothing.
    fn prepare_checkout(&self, _cx: &CollectContext<'_>) {}

    /// Gathers evidence. Never prints, never opens a socket, never runs
    /// anything from the target.
    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence>;

    /// The collector as [`Any`](std::any::Any), for a scan that needs more
    /// from a collector it knows than its evidence (the secrets
    /// collector's sealed values for live validation). `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// Options that change what collectors do. Everything has a default.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The report date: the reference for time windows ("active in the last
    /// 90 days"), staleness and expiry. `None` means the assessed (HEAD)
    /// commit's date, which keeps the library free of the clock; the CLI
    /// passes the day of the report. A scan resolves it before the
    /// collectors run, so in [`CollectContext::options`] it is `None` only
    /// when there is no HEAD commit.
    pub as_of: Option<Timestamp>,
    /// How the file index was built.
    pub files: FileIndexOptions,
    /// Advisory database directories (RustSec or OSV), given by the user.
    pub advisory_dbs: Vec<std::path::PathBuf>,
    /// Extra secret-rule directories, added to the built-in rules.
    pub secret_rules: Vec<std::path::PathBuf>,
    /// Scan objects no branch or tag reaches (stashes, pull-request refs,
    /// unreachable objects) as well.
    pub all_objects: bool,
    /// A baseline or suppression file (accepted fingerprints with reasons).
    pub baseline: Option<std::path::PathBuf>,
    /// Coverage reports given by the user, read in addition to those found
    /// in the tree.
    pub coverage_reports: Vec<std::path::PathBuf>,
    /// The key of secret fingerprints; `None` uses the public default.
    pub fingerprint_key: Option<FingerprintKey>,
    /// History statistics over every reference instead of the history
    /// reachable from the assessed commit (exposure covers every reference
    /// either way).
    pub all_refs: bool,
    /// A consultant's identity merges and bots.
    pub identities: diligence_history::IdentityConfig,
    /// Keep the raw values of found secrets, sealed inside the secrets
    /// collector, for a live validation stage after collection. Set by a
    /// scan only when the user asks for live validation.
    pub keep_secret_values: bool,
}

/// A private key for the keyed hashes that identify secrets in reports and
/// baselines. With the public default key anyone holding a report can test
/// a guessed value against its fingerprints and link the same secret across
/// reports; a key per engagement prevents both. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey(Vec<u8>);

impl FingerprintKey {
    /// Fewest bytes a key may have.
    pub const MIN_LEN: usize = 16;

    /// A key of at least [`MIN_LEN`](Self::MIN_LEN) bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> std::result::Result<Self, String> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_LEN {
            return Err(format!(
                "a fingerprint key needs at least {} bytes, this one has {}",
                Self::MIN_LEN,
                bytes.len()
            ));
        }
        Ok(Self(bytes))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// Where a collector is in its work, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A stage started (`history`, `files`, a collector id).
    Started {
        /// Stage name.
        stage: String,
    },
    /// Units of work done out of a total, when known.
    Advanced {
        /// Stage name.
        stage: String,
        /// Done so far.
        done: u64,
        /// Total, when known.
        total: Option<u64>,
    },
    /// A stage finished.
    Finished {
        /// Stage name.
        stage: String,
    },
}

/// What every collector reads: the target, the shared history walk, the file
/// list, the shared source model, options, a progress sink and a
/// cancellation flag.
pub struct CollectContext<'a> {
    /// The resolved target.
    pub target: &'a Target,
    /// The one history walk; `None` for a directory without git, and when no
    /// selected collector [reads the history](Collector::reads_history).
    pub history: Option<&'a History>,
    /// The target's files.
    pub files: &'a FileIndex,
    /// The one parse of the source; `None` when no selected collector
    /// [reads it](Collector::reads_source).
    pub source: Option<&'a SourceModel>,
    /// Options.
    pub options: &'a Options,
    progress: &'a (dyn Fn(Progress) + Sync),
    cancel: &'a AtomicBool,
}

impl<'a> CollectContext<'a> {
    /// Builds a context.
    pub fn new(
        target: &'a Target,
        history: Option<&'a History>,
        files: &'a FileIndex,
        options: &'a Options,
        progress: &'a (dyn Fn(Progress) + Sync),
        cancel: &'a AtomicBool,
    ) -> Self {
        Self {
            target,
            history,
            files,
            source: None,
            options,
            progress,
            cancel,
        }
    }

    /// The same context with the shared source model.
    #[must_use]
    pub fn with_source(mut self, source: Option<&'a SourceModel>) -> Self {
        self.source = source;
        self
    }

    /// Reports progress.
    pub fn progress(&self, progress: Progress) {
        (self.progress)(progress);
    }

    /// Whether the scan was cancelled; long loops should check it and stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

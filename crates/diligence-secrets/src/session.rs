//! One scan of a target: blobs go in (from the worktree and the history,
//! in any order, from any thread), and one finding per (rule, secret) comes
//! out, with every occurrence, context tags, suppressions and facts.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use diligence_model::{
    Catalog, CollectorId, CommitRef, Confidence, Evidence, Excerpt, Fact, FileClass, Finding,
    Inventory, LiveStatus, Location, Redacted, RuleId, Severity, Table, Timestamp, Unit, classify,
};

use crate::baseline::Baseline;
use crate::rules::RuleKind;
use crate::scan::{BlobOutcome, Engine, Match};
use crate::sealed::{Sealed, Vault};

/// Where a blob came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A file of the worktree (or of the HEAD tree of a bare repository).
    Worktree,
    /// A blob of the history, with the commit that introduced it.
    History {
        /// The introducing commit, when known.
        commit: Option<CommitRef>,
        /// Whether the blob is in the HEAD tree.
        at_head: bool,
    },
    /// An object no ref reaches (`--all-objects`).
    Unreachable,
}

/// A rule that fires on a file's name rather than its content.
struct KeyFileRule {
    id: &'static str,
    name: &'static str,
    matches: fn(&str) -> bool,
}

fn ext_in(name: &str, exts: &[&str]) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| exts.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

const KEY_FILE_RULES: &[KeyFileRule] = &[
    KeyFileRule {
        id: "secrets.keyfile.pkcs12",
        name: "PKCS#12 key store (.p12, .pfx)",
        matches: |name| ext_in(name, &["p12", "pfx"]),
    },
    KeyFileRule {
        id: "secrets.keyfile.java-keystore",
        name: "Java key store (.jks, .keystore, .bks)",
        matches: |name| ext_in(name, &["jks", "keystore", "bks"]),
    },
    KeyFileRule {
        id: "secrets.keyfile.ssh-private-key",
        name: "SSH private key file (id_rsa, id_ed25519, ...)",
        matches: |name| {
            [
                "id_rsa",
                "id_dsa",
                "id_ecdsa",
                "id_ed25519",
                "id_ecdsa_sk",
                "id_ed25519_sk",
            ]
            .contains(&name)
        },
    },
];

/// Whether a path names a key container that is reported by name.
pub fn is_key_file_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    KEY_FILE_RULES.iter().any(|r| (r.matches)(name))
}

/// Ids and descriptions of the rules that fire on file names.
pub fn key_file_rules() -> impl Iterator<Item = (&'static str, &'static str)> {
    KEY_FILE_RULES.iter().map(|r| (r.id, r.name))
}

#[derive(Debug, Clone)]
struct Meta {
    id: RuleId,
    name: String,
    kind: RuleKind,
    severity: Severity,
    generic: bool,
    remediation: Option<String>,
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    line: Option<u32>,
    end_line: Option<u32>,
    origin: Origin,
    allowed_inline: bool,
    client_variable: bool,
    /// In the development or test section of a settings file.
    dev_section: bool,
}

#[derive(Debug)]
struct Entry {
    meta: Meta,
    secret: Option<Redacted>,
    file_label: Option<String>,
    confidence: Confidence,
    tags: BTreeSet<&'static str>,
    seen: Vec<Seen>,
    /// Raw values, only when the session keeps them for live validation.
    sealed: Sealed,
    /// When the value lapses ([`Match::expires`]), seconds since the epoch.
    expires: Option<i64>,
    /// The generic rules whose findings of the same value were folded into
    /// this one: a baseline entry that names one of them still applies.
    folded: Vec<RuleId>,
}

/// Counters of what was scanned and skipped.
#[derive(Debug, Default)]
struct Counters {
    files: AtomicU64,
    blobs: AtomicU64,
    binary: AtomicU64,
    too_large: AtomicU64,
    archives: AtomicU64,
    archives_truncated: AtomicU64,
    pdfs: AtomicU64,
    pdfs_truncated: AtomicU64,
    missing: AtomicU64,
    unreachable: AtomicU64,
    /// Blobs whose scan stopped on an internal error (a bug), kept apart so
    /// that one bad file cannot fail the whole collector.
    failed: AtomicU64,
    /// Package archives in a package manager's committed cache, not read.
    package_cache: AtomicU64,
}

/// Options of [`Session::finish`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FinishOptions {
    /// Accepted fingerprints.
    pub baseline: Baseline,
    /// The date expiries are compared with.
    pub as_of: Option<Timestamp>,
    /// Why the evidence is incomplete, if it is (shallow clone, ...).
    pub partial: Option<String>,
    /// Exact renames of the history: old path to the path it became, so
    /// that one file's values are counted together under its newest name.
    pub renames: BTreeMap<String, String>,
}

/// Distinct values of one rule in one file (exact renames followed),
/// introduced by at least as many revisions, from which on they are
/// reported as one finding for the file: a fixture or a generated file
/// rewritten on every commit holds a new value each time, and one finding
/// per value buries the rest of the report.
pub const REVISION_GROUP_MIN: usize = 5;

/// A finding kept after suppressions, with what it was built from.
struct Kept {
    entry: Entry,
    finding: Finding,
    masked: String,
}

/// One scan in progress. Shared by reference between threads.
#[derive(Debug)]
pub struct Session<'e> {
    engine: EngineRef<'e>,
    entries: Mutex<BTreeMap<(String, String), Entry>>,
    counters: Counters,
    keep_sealed: bool,
}

/// The engine a session scans with: borrowed, or shared by a session that
/// outlives the borrow (one kept from the worktree phase for the history).
#[derive(Debug)]
enum EngineRef<'e> {
    Borrowed(&'e Engine),
    Shared(std::sync::Arc<Engine>),
}

impl std::ops::Deref for EngineRef<'_> {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        match self {
            Self::Borrowed(engine) => engine,
            Self::Shared(engine) => engine,
        }
    }
}

impl Session<'static> {
    /// A new, empty scan that shares its engine, and so can be kept apart
    /// from any borrow.
    pub fn shared(engine: std::sync::Arc<Engine>) -> Self {
        Self::with_engine(EngineRef::Shared(engine))
    }
}

impl<'e> Session<'e> {
    /// A new, empty scan.
    pub fn new(engine: &'e Engine) -> Self {
        Self::with_engine(EngineRef::Borrowed(engine))
    }

    fn with_engine(engine: EngineRef<'e>) -> Self {
        Self {
            engine,
            entries: Mutex::new(BTreeMap::new()),
            counters: Counters::default(),
            keep_sealed: false,
        }
    }

    /// Keeps the raw values of what it finds, sealed, for the live
    /// validation stage ([`finish_sealed`](Self::finish_sealed)); off by
    /// default.
    #[must_use]
    pub fn with_sealed_values(mut self) -> Self {
        self.keep_sealed = true;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Scans a blob and records its matches; returns them so callers can
    /// attribute the same content elsewhere without scanning it again.
    pub fn scan(&self, data: &[u8], path: &str, origin: Origin) -> Vec<Match> {
        let matches = self.scan_unrecorded(data, path, &origin);
        self.record(path, &origin, &matches);
        matches
    }

    /// Scans and counts a blob, records key files by name, but leaves the
    /// matches for the caller to [`record`](Self::record) (possibly later,
    /// with a better origin).
    pub fn scan_unrecorded(&self, data: &[u8], path: &str, origin: &Origin) -> Vec<Match> {
        self.scan_with(data, path, origin, || self.engine.scan(data, path))
    }

    /// Scans a blob again, whole, without counting or recording it: the
    /// matches of a version read as an edit, for the copies of it added
    /// as new files elsewhere. A decoder's panic gives no matches.
    pub fn scan_whole_again(&self, data: &[u8], path: &str) -> Vec<Match> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.engine.scan(data, path)
        }))
        .map(BlobOutcome::into_matches)
        .unwrap_or_default()
    }

    /// Scans what a history version added to the version it replaced at
    /// the same path ([`Engine::scan_version`], which reads `base` only if
    /// it needs it) and records it: what it shares with the base was
    /// recorded with the base.
    pub fn scan_version<'b>(
        &self,
        data: &[u8],
        path: &str,
        origin: Origin,
        base: impl FnOnce() -> Option<&'b [u8]>,
    ) -> Vec<Match> {
        let matches = self.scan_with(data, path, &origin, || {
            self.engine.scan_version(data, path, base)
        });
        self.record(path, &origin, &matches);
        matches
    }

    fn scan_with(
        &self,
        data: &[u8],
        path: &str,
        origin: &Origin,
        scan: impl FnOnce() -> BlobOutcome,
    ) -> Vec<Match> {
        match origin {
            Origin::Worktree => self.counters.files.fetch_add(1, Ordering::Relaxed),
            Origin::History { .. } => self.counters.blobs.fetch_add(1, Ordering::Relaxed),
            Origin::Unreachable => self.counters.unreachable.fetch_add(1, Ordering::Relaxed),
        };
        // One file that trips a bug in a decoder is counted and named, and
        // the scan goes on.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(scan));
        let Ok(outcome) = outcome else {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
            return Vec::new();
        };
        let matches = match outcome {
            BlobOutcome::Scanned(matches) => matches,
            BlobOutcome::Binary => {
                self.counters.binary.fetch_add(1, Ordering::Relaxed);
                Vec::new()
            }
            BlobOutcome::TooLarge => {
                self.counters.too_large.fetch_add(1, Ordering::Relaxed);
                Vec::new()
            }
            BlobOutcome::Archive { matches, truncated } => {
                self.counters.archives.fetch_add(1, Ordering::Relaxed);
                if truncated {
                    self.counters
                        .archives_truncated
                        .fetch_add(1, Ordering::Relaxed);
                }
                matches
            }
            BlobOutcome::Pdf { matches, truncated } => {
                self.counters.pdfs.fetch_add(1, Ordering::Relaxed);
                if truncated {
                    self.counters.pdfs_truncated.fetch_add(1, Ordering::Relaxed);
                }
                matches
            }
        };
        let has_key_match = matches
            .iter()
            .any(|m| self.engine.rules().rules()[m.rule].provider() == "private-key");
        if !has_key_match && data.len() >= 32 {
            self.record_key_file(data, path, origin);
        }
        matches
    }

    /// Counts a blob over the size cap that the caller did not read.
    pub fn skipped_too_large(&self, path: &str, origin: &Origin) {
        self.counters.too_large.fetch_add(1, Ordering::Relaxed);
        let _ = (path, origin);
    }

    /// Counts a blob skipped as binary without reading it.
    pub fn skipped_binary(&self) {
        self.counters.binary.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a package archive of a package manager's committed cache
    /// (`.yarn/cache/*.zip`) skipped without reading it.
    pub fn skipped_package_cache(&self) {
        self.counters.package_cache.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts objects that could not be read.
    pub fn missing_objects(&self, count: u64) {
        self.counters.missing.fetch_add(count, Ordering::Relaxed);
    }

    /// Records matches found earlier in the same content at another place.
    pub fn record(&self, path: &str, origin: &Origin, matches: &[Match]) {
        if matches.is_empty() {
            return;
        }
        let rules = self.engine.rules().rules();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for m in matches {
            let rule = &rules[m.rule];
            let key = (rule.id.to_string(), m.secret.fingerprint().to_owned());
            let entry = entries.entry(key).or_insert_with(|| Entry {
                meta: Meta {
                    id: rule.id.clone(),
                    name: rule.name.clone(),
                    kind: rule.kind,
                    severity: rule.severity,
                    generic: rule.is_generic(),
                    remediation: rule.remediation.clone(),
                },
                secret: Some(m.secret.clone()),
                file_label: None,
                confidence: m.confidence,
                tags: BTreeSet::new(),
                seen: Vec::new(),
                sealed: Sealed::default(),
                expires: None,
                folded: Vec::new(),
            });
            if self.keep_sealed {
                entry.sealed.add(&m.sealed);
            }
            entry.expires = entry.expires.max(m.expires);
            entry.confidence = entry.confidence.max(m.confidence);
            if m.validated {
                entry.tags.insert("validated");
            }
            if m.paired {
                entry.tags.insert("paired");
            }
            match m.decoded {
                Some("base64") => {
                    entry.tags.insert("decoded-base64");
                }
                Some("percent") => {
                    entry.tags.insert("decoded-percent");
                }
                Some(_) => {
                    entry.tags.insert("decoded-escapes");
                }
                None => {}
            }
            entry.seen.push(Seen {
                path: match &m.member {
                    Some(member) => format!("{path}!{member}"),
                    None => path.to_owned(),
                },
                line: Some(m.line),
                end_line: (m.end_line > m.line).then_some(m.end_line),
                origin: origin.clone(),
                allowed_inline: m.allowed_inline,
                client_variable: m.client_variable,
                dev_section: m.dev_section,
            });
        }
    }

    fn record_key_file(&self, data: &[u8], path: &str, origin: &Origin) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let Some(rule) = KEY_FILE_RULES.iter().find(|r| (r.matches)(name)) else {
            return;
        };
        let Ok(id) = RuleId::new(rule.id) else {
            return;
        };
        let fingerprint = self.engine.fingerprint_bytes(data);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries
            .entry((rule.id.to_owned(), fingerprint))
            .or_insert_with(|| Entry {
                meta: Meta {
                    id,
                    name: rule.name.to_owned(),
                    kind: RuleKind::Secret,
                    severity: Severity::High,
                    generic: false,
                    remediation: Some(
                        "Treat every key in the file as exposed: revoke and reissue them, then remove the file from history."
                            .to_owned(),
                    ),
                },
                secret: None,
                file_label: Some(format!("{name} ({} bytes)", data.len())),
                confidence: Confidence::Medium,
                tags: BTreeSet::new(),
                seen: Vec::new(),
                sealed: Sealed::default(),
                expires: None,
                folded: Vec::new(),
            });
        entry.seen.push(Seen {
            path: path.to_owned(),
            line: None,
            end_line: None,
            origin: origin.clone(),
            allowed_inline: false,
            client_variable: false,
            dev_section: false,
        });
    }

    /// Turns what was recorded into evidence for the `secrets` collector.
    pub fn finish(self, options: &FinishOptions) -> Evidence {
        self.finish_sealed(options).0
    }

    /// Like [`finish`](Self::finish), with the sealed values of the reported
    /// findings (empty unless the session
    /// [keeps them](Self::with_sealed_values)).
    pub fn finish_sealed(self, options: &FinishOptions) -> (Evidence, Vault) {
        let mut vault = Vault::default();
        let entries =
            fold_generic_into_named(self.entries.into_inner().unwrap_or_else(|e| e.into_inner()));
        let mut evidence = Evidence::new(collector_id());
        let mut suppressed_rows = Vec::new();
        let mut inventory_rows = Vec::new();
        let mut counts = FactCounts::default();
        let mut kept = Vec::new();
        for ((_, fingerprint), entry) in entries {
            let Some(built) = build_finding(&entry, &fingerprint, options.as_of) else {
                continue;
            };
            let masked = entry.secret.as_ref().map_or_else(
                || entry.file_label.clone().unwrap_or_default(),
                ToString::to_string,
            );
            let inline = !entry.seen.is_empty() && entry.seen.iter().all(|s| s.allowed_inline);
            let listed = std::iter::once(&entry.meta.id)
                .chain(&entry.folded)
                .find_map(|rule| options.baseline.lookup(rule.as_str(), &fingerprint));
            let expired = listed.is_some_and(|s| match (s.expires, options.as_of) {
                (Some(expires), Some(as_of)) => expires < as_of,
                _ => false,
            });
            let suppressed_by = if inline {
                Some(("inline diligence:allow comment".to_owned(), String::new()))
            } else {
                listed.filter(|_| !expired).map(|s| {
                    (
                        s.reason.clone(),
                        s.expires.map(Timestamp::date_string).unwrap_or_default(),
                    )
                })
            };
            if let Some((reason, expires)) = suppressed_by {
                suppressed_rows.push(vec![entry.meta.id.to_string(), masked, reason, expires]);
                counts.suppressed += 1;
                continue;
            }
            let mut finding = built;
            if expired {
                finding.tags.insert("suppression-expired".to_owned());
            }
            kept.push(Kept {
                entry,
                finding,
                masked,
            });
        }
        for Kept {
            entry,
            finding,
            masked,
        } in collapse_revisions(kept, &options.renames)
        {
            counts.add(&finding, entry.meta.generic, entry.meta.kind);
            if !entry.sealed.secrets.is_empty() {
                vault.entries.insert(
                    (entry.meta.id.to_string(), finding.fingerprint.clone()),
                    entry.sealed.clone(),
                );
            }
            inventory_rows.push(vec![
                entry.meta.id.to_string(),
                masked,
                first_seen(&entry.seen),
                (finding.occurrences.len() + 1).to_string(),
                at_head_label(&entry.seen).to_owned(),
            ]);
            evidence.findings.push(finding);
        }
        evidence
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        inventory_rows.sort();
        suppressed_rows.sort();
        let c = &self.counters;
        let load = |a: &AtomicU64| usize::try_from(a.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
        let mut facts = counted_facts(&counts);
        facts.extend([
            (
                "secrets.suppressed",
                Fact::count(counts.suppressed, Unit::Count),
            ),
            (
                "secrets.files-scanned",
                Fact::count(load(&c.files), Unit::Files),
            ),
            (
                "secrets.blobs-scanned",
                Fact::count(load(&c.blobs), Unit::Count),
            ),
            (
                "secrets.skipped.binary",
                Fact::count(load(&c.binary), Unit::Count),
            ),
            (
                "secrets.skipped.too-large",
                Fact::count(load(&c.too_large), Unit::Count),
            ),
            (
                "secrets.objects.missing",
                Fact::count(load(&c.missing), Unit::Count),
            ),
        ]);
        // Archive facts appear only when an archive was seen, so reports
        // of repositories without any stay as they were.
        if c.archives.load(Ordering::Relaxed) > 0 {
            facts.push((
                "secrets.archives.scanned",
                Fact::count(load(&c.archives), Unit::Count),
            ));
            facts.push((
                "secrets.archives.truncated",
                Fact::count(load(&c.archives_truncated), Unit::Count),
            ));
        }
        if c.pdfs.load(Ordering::Relaxed) > 0 {
            facts.push((
                "secrets.pdfs.scanned",
                Fact::count(load(&c.pdfs), Unit::Count),
            ));
            facts.push((
                "secrets.pdfs.truncated",
                Fact::count(load(&c.pdfs_truncated), Unit::Count),
            ));
        }
        if c.unreachable.load(Ordering::Relaxed) > 0 {
            facts.push((
                "secrets.objects.unreachable-scanned",
                Fact::count(load(&c.unreachable), Unit::Count),
            ));
        }
        if c.package_cache.load(Ordering::Relaxed) > 0 {
            facts.push((
                "secrets.skipped.package-cache",
                Fact::count(load(&c.package_cache), Unit::Count).detail(
                    "Package archives in a package manager's committed cache (Yarn's .yarn/cache, pnpm's store, Bundler's vendor/cache, a Maven repository), files and history versions: copies of third-party packages as their registry serves them, whose example keys are not the target's. They were not read.",
                ),
            ));
        }
        // Recorded only when it happened: an internal error, not a property
        // of the target.
        if c.failed.load(Ordering::Relaxed) > 0 {
            facts.push((
                "secrets.skipped.failed",
                Fact::count(load(&c.failed), Unit::Count).detail(
                    "Files or blobs whose scan stopped on an internal error of the scanner; they were not analysed and the rest of the scan went on.",
                ),
            ));
        }
        for (name, fact) in facts {
            if let Ok(name) = diligence_model::FactName::new(name) {
                evidence.facts.insert(name, fact);
            }
        }
        evidence.inventories.insert(
            "secrets".to_owned(),
            Inventory::Table(Table {
                title: "Secrets found".to_owned(),
                columns: ["rule", "secret", "first seen", "places", "at HEAD"]
                    .map(str::to_owned)
                    .to_vec(),
                rows: inventory_rows,
            }),
        );
        if !suppressed_rows.is_empty() {
            evidence.inventories.insert(
                "secrets-suppressed".to_owned(),
                Inventory::Table(Table {
                    title: "Suppressed secrets".to_owned(),
                    columns: ["rule", "secret", "reason", "expires"]
                        .map(str::to_owned)
                        .to_vec(),
                    rows: suppressed_rows,
                }),
            );
        }
        let missing = c.missing.load(Ordering::Relaxed);
        evidence.partial = match (&options.partial, missing) {
            (Some(p), 0) => Some(p.clone()),
            (Some(p), n) => Some(format!("{p}; {n} history objects could not be read")),
            (None, 0) => None,
            (None, n) => Some(format!("{n} history objects could not be read")),
        };
        (evidence, vault)
    }
}

/// The facts counted from the findings themselves (not the scan counters).
fn counted_facts(counts: &FactCounts) -> Vec<(&'static str, Fact)> {
    let mut facts = vec![
        ("secrets.findings", Fact::count(counts.high, Unit::Count)),
        (
            "secrets.findings.medium",
            Fact::count(counts.medium, Unit::Count),
        ),
        (
            "secrets.findings.at-head",
            Fact::count(counts.at_head, Unit::Count),
        ),
        (
            "secrets.findings.history-only",
            Fact::count(counts.history_only, Unit::Count),
        ),
        (
            "secrets.findings.env-file",
            Fact::count(counts.env_file, Unit::Count),
        ),
        (
            "secrets.client-exposed",
            Fact::count(counts.client_exposed, Unit::Count),
        ),
        (
            "secrets.generic",
            Fact::count(counts.generic, Unit::Count).heuristic(Confidence::Low),
        ),
        (
            "secrets.identifiers",
            Fact::count(counts.identifiers, Unit::Count),
        ),
        (
            "secrets.findings.in-tests",
            Fact::count(counts.in_class(FileClass::Test), Unit::Count),
        ),
        (
            "secrets.findings.in-examples",
            Fact::count(counts.in_class(FileClass::Example), Unit::Count),
        ),
        (
            "secrets.findings.in-templates",
            Fact::count(counts.in_class(FileClass::Template), Unit::Count),
        ),
        (
            "secrets.findings.in-vendored",
            Fact::count(counts.in_class(FileClass::Vendored), Unit::Count),
        ),
        (
            "secrets.findings.in-generated",
            Fact::count(counts.in_class(FileClass::Generated), Unit::Count),
        ),
    ];
    // Live validation ran: what the providers said.
    if counts.checked > 0 {
        facts.extend([
            ("secrets.live", Fact::count(counts.live, Unit::Count)),
            ("secrets.revoked", Fact::count(counts.revoked, Unit::Count)),
            (
                "secrets.live-unknown",
                Fact::count(counts.live_unknown, Unit::Count),
            ),
        ]);
    }
    facts
}

/// Counts the findings of `evidence` again after live validation changed
/// them, and replaces the facts counted from findings; adds the live facts.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
pub(crate) fn recount(evidence: &mut Evidence) {
    let mut counts = FactCounts::default();
    for finding in &evidence.findings {
        let generic = finding.rule.as_str().starts_with("secrets.generic.");
        let kind = if finding.tags.contains("identifier") {
            RuleKind::Identifier
        } else {
            RuleKind::Secret
        };
        counts.add(finding, generic, kind);
    }
    for (name, fact) in counted_facts(&counts) {
        if let Ok(name) = diligence_model::FactName::new(name) {
            evidence.facts.insert(name, fact);
        }
    }
}

/// Folds what a generic rule found into the finding of a rule that named
/// the same value elsewhere: a password read as a JDBC connection's in one
/// file and as a bare `SQL_PASSWORD=` in another is one credential to
/// rotate, under the name that says what it is. Among generic rules alone,
/// the same value is one finding too, under the rule that rates it highest.
/// Values a file is named by (key files) take no part.
fn fold_generic_into_named(
    mut entries: BTreeMap<(String, String), Entry>,
) -> BTreeMap<(String, String), Entry> {
    // The rule each value is reported under: named before generic, then
    // by severity, then by confidence; the first id breaks ties.
    let rank = |e: &Entry| (!e.meta.generic, e.meta.severity, e.confidence);
    let mut owner: BTreeMap<&str, (&(String, String), &Entry)> = BTreeMap::new();
    for (key, entry) in &entries {
        if entry.secret.is_none() {
            continue;
        }
        owner
            .entry(key.1.as_str())
            .and_modify(|best| {
                if rank(entry) > rank(best.1) {
                    *best = (key, entry);
                }
            })
            .or_insert((key, entry));
    }
    let moves: Vec<((String, String), (String, String))> = entries
        .iter()
        .filter(|(_, entry)| entry.meta.generic && entry.secret.is_some())
        .filter_map(|(key, _)| {
            let (target, _) = owner.get(key.1.as_str())?;
            (*target != key).then(|| (key.clone(), (*target).clone()))
        })
        .collect();
    for (from, to) in moves {
        let Some(folded) = entries.remove(&from) else {
            continue;
        };
        let Some(target) = entries.get_mut(&to) else {
            continue;
        };
        target.folded.push(folded.meta.id);
        target.folded.extend(folded.folded);
        target.confidence = target.confidence.max(folded.confidence);
        target.expires = target.expires.max(folded.expires);
        target.tags.extend(
            folded
                .tags
                .into_iter()
                .filter(|t| t.starts_with("decoded-")),
        );
        for seen in folded.seen {
            if !target
                .seen
                .iter()
                .any(|s| s.path == seen.path && s.line == seen.line && s.origin == seen.origin)
            {
                target.seen.push(seen);
            }
        }
    }
    entries
}

/// Folds the values of one rule held by one file into one finding when
/// there are [`REVISION_GROUP_MIN`] or more: the newest value's finding
/// stays, tagged `many-values`, its message counting the values and the
/// revisions that introduced them; the others are dropped. Only values
/// seen in that one file (under any of its names) take part.
fn collapse_revisions(kept: Vec<Kept>, renames: &BTreeMap<String, String>) -> Vec<Kept> {
    let newest_name = |path: &str| -> String {
        let mut path = path.to_owned();
        // Bounded, so that a file renamed back and forth still ends.
        for _ in 0..64 {
            match renames.get(&path) {
                Some(next) if *next != path => path.clone_from(next),
                _ => break,
            }
        }
        path
    };
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, k) in kept.iter().enumerate() {
        if k.entry.secret.is_none() || k.entry.meta.kind == RuleKind::Identifier {
            continue;
        }
        let paths: BTreeSet<String> = k.entry.seen.iter().map(|s| newest_name(&s.path)).collect();
        if let (1, Some(path)) = (paths.len(), paths.into_iter().next()) {
            groups
                .entry((k.entry.meta.id.to_string(), path))
                .or_default()
                .push(i);
        }
    }
    let mut dropped = vec![false; kept.len()];
    let mut notes: BTreeMap<usize, (String, usize, usize, Confidence)> = BTreeMap::new();
    for ((_, path), members) in groups {
        if members.len() < REVISION_GROUP_MIN {
            continue;
        }
        let recency = |e: &Entry| {
            (
                e.seen.iter().any(at_head),
                e.seen
                    .iter()
                    .filter_map(|s| commit_of(s).and_then(|c| c.date))
                    .max(),
            )
        };
        let Some(&newest) = members.iter().max_by_key(|&&i| recency(&kept[i].entry)) else {
            continue;
        };
        let revisions: BTreeSet<String> = members
            .iter()
            .flat_map(|&i| kept[i].entry.seen.iter())
            .map(|s| commit_of(s).map_or_else(|| "worktree".to_owned(), |c| c.id.clone()))
            .collect();
        let confidence = members
            .iter()
            .map(|&i| kept[i].finding.confidence)
            .max()
            .unwrap_or(Confidence::Low);
        // Many values written at once (a file of several keys) are not
        // revisions: each stays its own finding.
        if revisions.len() < REVISION_GROUP_MIN {
            continue;
        }
        for &i in &members {
            dropped[i] = i != newest;
        }
        notes.insert(newest, (path, members.len(), revisions.len(), confidence));
    }
    kept.into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped[*i])
        .map(|(i, mut k)| {
            if let Some((path, values, revisions, confidence)) = notes.remove(&i) {
                k.finding.message = format!(
                    "{}: {values} distinct values in {path} over {revisions} revisions, reported as one finding for the file; the newest value is shown. Treat every value as exposed: rotate the one in use, and check whether the older ones were ever live.",
                    k.entry.meta.name
                );
                k.finding.confidence = confidence;
                k.finding.tags.insert("many-values".to_owned());
            }
            k
        })
        .collect()
}

/// The collector id, `secrets`.
pub fn collector_id() -> CollectorId {
    CollectorId::new("secrets").expect("`secrets` is a valid collector id")
}

#[derive(Default)]
struct FactCounts {
    /// Medium- or high-confidence findings outside production code, by class.
    elsewhere: BTreeMap<FileClass, usize>,
    high: usize,
    medium: usize,
    at_head: usize,
    history_only: usize,
    env_file: usize,
    client_exposed: usize,
    generic: usize,
    identifiers: usize,
    suppressed: usize,
    /// Findings live validation checked, and what it found.
    checked: usize,
    live: usize,
    revoked: usize,
    live_unknown: usize,
}

impl FactCounts {
    fn in_class(&self, class: FileClass) -> usize {
        self.elsewhere.get(&class).copied().unwrap_or(0)
    }

    fn add(&mut self, finding: &Finding, generic: bool, kind: RuleKind) {
        if kind == RuleKind::Identifier {
            self.identifiers += 1;
            return;
        }
        if let Some(check) = &finding.live {
            self.checked += 1;
            match check.status {
                // Live in any class of file: the fact says so whatever the
                // context.
                LiveStatus::Live => self.live += 1,
                // A refused credential is a hygiene finding: it no longer
                // counts among the exposed ones.
                LiveStatus::Revoked => {
                    self.revoked += 1;
                    return;
                }
                LiveStatus::Unknown => self.live_unknown += 1,
            }
        }
        if generic {
            self.generic += 1;
            return;
        }
        // The facts that feed controls count production findings; the
        // other classes have facts of their own.
        let class = finding.class();
        if class != FileClass::Production {
            if finding.confidence >= Confidence::Medium {
                *self.elsewhere.entry(class).or_default() += 1;
            }
            return;
        }
        let tagged = |t: &str| finding.tags.contains(t);
        match finding.confidence {
            Confidence::High => {
                self.high += 1;
                if tagged("history-only") {
                    self.history_only += 1;
                } else {
                    self.at_head += 1;
                }
            }
            Confidence::Medium => self.medium += 1,
            Confidence::Low => {}
        }
        if finding.confidence >= Confidence::Medium {
            self.env_file += usize::from(tagged("env-file"));
            // Client code as it ships today: a key that only history holds
            // is the history control's.
            self.client_exposed += usize::from(tagged("client-exposed") && !tagged("history-only"));
        }
    }
}

fn is_env_file(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

fn is_ci_config(path: &str) -> bool {
    path.starts_with(".github/workflows/")
        || path.starts_with(".circleci/")
        || path.starts_with(".buildkite/")
        || matches!(
            path,
            ".gitlab-ci.yml"
                | "Jenkinsfile"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
                | ".travis.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | ".drone.yml"
        )
}

fn is_docker(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("docker-compose")
        || lower == "compose.yaml"
        || lower == "compose.yml"
}

fn is_client_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let mut dirs = lower.split('/').rev().skip(1);
    // Served as files: whatever a static folder holds reaches the browser.
    if dirs
        .clone()
        .any(|dir| matches!(dir, "public" | "static" | "assets" | "www"))
        && ext_in(name, &["js", "mjs", "cjs", "json", "html", "htm"])
    {
        return true;
    }
    // A server route of a web framework runs on the server whatever folder
    // holds it: Next.js' `pages/api/` and `app/api/…/route.ts`, a
    // middleware, a `*.server.ts` module, a `server/` folder.
    if dirs.clone().any(|dir| matches!(dir, "api" | "server"))
        || name.starts_with("route.")
        || name.starts_with("middleware.")
        || name.contains(".server.")
    {
        return false;
    }
    if ext_in(name, &["jsx", "tsx", "vue", "svelte", "html", "htm"]) {
        return true;
    }
    dirs.any(|dir| {
        matches!(
            dir,
            "components" | "client" | "frontend" | "pages" | "app" | "web"
        )
    }) && ext_in(
        name,
        &["js", "ts", "mjs", "cjs", "jsx", "tsx", "json", "html"],
    )
}

fn at_head(seen: &Seen) -> bool {
    matches!(
        seen.origin,
        Origin::Worktree | Origin::History { at_head: true, .. }
    )
}

fn at_head_label(seen: &[Seen]) -> &'static str {
    if seen.iter().any(at_head) {
        "yes"
    } else {
        "no"
    }
}

fn commit_of(seen: &Seen) -> Option<&CommitRef> {
    match &seen.origin {
        Origin::History { commit, .. } => commit.as_ref(),
        _ => None,
    }
}

fn first_seen(seen: &[Seen]) -> String {
    seen.iter()
        .filter_map(|s| commit_of(s).and_then(|c| c.date))
        .min()
        .map_or_else(|| "worktree".to_owned(), Timestamp::date_string)
}

fn step_up(s: Severity) -> Severity {
    match s {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

fn step_down_severity(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

fn step_down(c: Confidence) -> Confidence {
    match c {
        Confidence::High => Confidence::Medium,
        _ => Confidence::Low,
    }
}

fn build_finding(entry: &Entry, fingerprint: &str, as_of: Option<Timestamp>) -> Option<Finding> {
    let meta = &entry.meta;
    let mut tags: BTreeSet<String> = entry.tags.iter().map(|t| (*t).to_owned()).collect();
    let names = |s: &Seen| s.path.rsplit('/').next().unwrap_or(&s.path).to_owned();
    if entry.seen.iter().any(|s| is_env_file(&names(s))) {
        tags.insert("env-file".to_owned());
    }
    if entry.seen.iter().any(|s| is_ci_config(&s.path)) {
        tags.insert("ci-config".to_owned());
    }
    if entry.seen.iter().any(|s| is_docker(&names(s))) {
        tags.insert("dockerfile".to_owned());
    }
    if entry
        .seen
        .iter()
        .any(|s| s.client_variable || is_client_path(&s.path))
    {
        tags.insert("client-exposed".to_owned());
    }
    if !entry.seen.iter().any(at_head) {
        tags.insert("history-only".to_owned());
    }
    if entry
        .seen
        .iter()
        .all(|s| matches!(s.origin, Origin::Unreachable))
    {
        tags.insert("unreachable".to_owned());
    }
    // The one classifier of file context: a finding is production when any
    // place that holds it is; otherwise it takes its first place's class.
    // A value in the development or test section of a settings file is a
    // test value wherever the file sits.
    let classes: Vec<FileClass> = entry
        .seen
        .iter()
        .map(|s| match classify(&s.path) {
            FileClass::Production if s.dev_section => FileClass::Test,
            class => class,
        })
        .collect();
    let class = if classes.is_empty() || classes.contains(&FileClass::Production) {
        FileClass::Production
    } else {
        classes[0]
    };
    let test_only = class != FileClass::Production;
    if test_only {
        tags.insert(format!("context-{class}"));
        if class == FileClass::Test {
            if entry.seen.iter().all(|s| s.dev_section) {
                tags.insert("dev-section".to_owned());
            } else {
                tags.insert("test-path".to_owned());
            }
        }
    }
    let (severity, mut confidence) = match meta.kind {
        RuleKind::Identifier => {
            tags.insert("identifier".to_owned());
            (Severity::Info, entry.confidence)
        }
        RuleKind::Secret if tags.contains("client-exposed") => {
            (step_up(meta.severity), entry.confidence)
        }
        RuleKind::Secret => (meta.severity, entry.confidence),
    };
    // Severity follows the context: a value in a third-party package is
    // that package's example, not the target's credential; one in a
    // test, an example, a template or build output is a step less
    // serious than the same value in code that ships.
    let severity = match class {
        FileClass::Production => severity,
        FileClass::Vendored => severity.min(Severity::Low),
        _ => step_down_severity(severity),
    };
    // A token past its expiry (a JWT's `exp` before the report date) no
    // longer signs in where its expiry is checked: a hygiene finding. The
    // key that signed it is another matter, and is not what was found.
    let expired_on = entry
        .expires
        .zip(as_of)
        .filter(|&(expires, as_of)| expires < as_of.seconds())
        .map(|(expires, _)| Timestamp(expires));
    let severity = if expired_on.is_some() && meta.kind == RuleKind::Secret {
        tags.insert("expired".to_owned());
        severity.min(Severity::Low)
    } else {
        severity
    };
    if test_only {
        confidence = step_down(confidence);
    }
    if meta.generic {
        confidence = Confidence::Low;
    }

    let mut locations: Vec<Location> = entry
        .seen
        .iter()
        .map(|s| Location {
            path: Some(s.path.clone()),
            line: s.line,
            end_line: s.end_line,
            commit: commit_of(s).cloned(),
            at_head: match s.origin {
                Origin::History { at_head, .. } => Some(at_head),
                _ => None,
            },
            class: Some(classify(&s.path)),
            ..Location::default()
        })
        .collect();
    // Primary: a place of the class the finding is rated by (a production
    // file when any is), present now first, then the earliest commit, then
    // path order.
    locations.sort_by(|a, b| {
        let other_class = |l: &Location| l.class != Some(class);
        let now = |l: &Location| !(l.commit.is_none() || l.at_head == Some(true));
        let date = |l: &Location| l.commit.as_ref().and_then(|c| c.date);
        let key = |l| (other_class(l), now(l), date(l).is_none(), date(l));
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    });
    locations.dedup();
    let mut rest = locations.into_iter();
    let primary = rest.next()?;
    let places = rest.len() + 1;

    let origin_note = entry
        .seen
        .iter()
        .filter_map(commit_of)
        .min_by_key(|c| c.date)
        .map(|c| {
            let date = c.date.map(Timestamp::date_string).unwrap_or_default();
            let author = c
                .author
                .clone()
                .unwrap_or_else(|| "an unknown author".to_owned());
            let short: String = c.id.chars().take(10).collect();
            format!(" First committed in {short} by {author} on {date}.")
        })
        .unwrap_or_default();
    let place_word = if places == 1 { "place" } else { "places" };
    let message = match meta.kind {
        RuleKind::Identifier => format!(
            "{} seen in {places} {place_word}: a public identifier, listed for context, not a leak by itself.",
            meta.name
        ),
        RuleKind::Secret if expired_on.is_some() => format!(
            "{} found in {places} {place_word}.{origin_note} The token expired on {}: it no longer signs in where its expiry is checked. Keep tokens out of shared files all the same.",
            meta.name,
            expired_on.map(Timestamp::date_string).unwrap_or_default()
        ),
        RuleKind::Secret => format!(
            "{} found in {places} {place_word}.{origin_note} Deleting the file or line does not remove it from git history or from existing clones: rotate the credential, then purge it from history.",
            meta.name
        ),
    };
    let excerpt = match (&entry.secret, &entry.file_label) {
        (Some(secret), _) => Excerpt::Redacted {
            secret: secret.clone(),
        },
        (None, Some(label)) => Excerpt::Plain {
            text: label.clone(),
        },
        (None, None) => return None,
    };
    let mut builder = Finding::builder(meta.id.clone(), severity, confidence)
        .message(message)
        .location(primary)
        .excerpt(excerpt)
        .fingerprint(fingerprint);
    for location in rest {
        builder = builder.occurrence(location);
    }
    if let Some(remediation) = &meta.remediation {
        builder = builder.remediation(remediation.clone());
    }
    for tag in tags {
        builder = builder.tag(tag);
    }
    builder.build().ok()
}

/// Every fact and rule the `secrets` collector can emit.
pub fn catalog(engine: &Engine) -> Catalog {
    let mut catalog = Catalog::default();
    for rule in engine.rules().rules() {
        catalog.rules.insert(rule.id.clone(), rule.name.clone());
    }
    add_fixed_entries(&mut catalog);
    catalog
}

/// The catalog of the built-in rules without building an engine (no
/// pattern is compiled): every scan asks every collector for its catalog,
/// selected or not, so this must stay cheap.
pub(crate) fn builtin_catalog() -> Catalog {
    let mut catalog = Catalog::default();
    for (id, name) in crate::scan::builtin_rule_names() {
        let _ = catalog.rule(id, name);
    }
    add_fixed_entries(&mut catalog);
    catalog
}

fn add_fixed_entries(catalog: &mut Catalog) {
    for (id, name) in key_file_rules() {
        let _ = catalog.rule(id, name);
    }
    for (name, description) in FACTS {
        let _ = catalog.fact(name, description);
    }
}

/// The facts of the `secrets` collector and what they measure.
pub const FACTS: &[(&str, &str)] = &[
    (
        "secrets.findings",
        "secret findings of high confidence in production files (not identifiers, not generic)",
    ),
    (
        "secrets.findings.medium",
        "secret findings of medium confidence in production files (not generic)",
    ),
    (
        "secrets.findings.at-head",
        "high-confidence secret findings in production files present at HEAD or in the worktree",
    ),
    (
        "secrets.findings.history-only",
        "high-confidence secret findings in production files only in history",
    ),
    (
        "secrets.findings.env-file",
        "medium or high confidence secret findings in production env files",
    ),
    (
        "secrets.client-exposed",
        "medium or high confidence secret findings in production client-side code or client-exposed variables, present at HEAD or in the worktree",
    ),
    (
        "secrets.generic",
        "generic password, token and key assignments (low confidence)",
    ),
    (
        "secrets.identifiers",
        "public identifiers (publishable keys, anon keys)",
    ),
    (
        "secrets.findings.in-tests",
        "medium or high confidence secret findings only in tests and fixtures",
    ),
    (
        "secrets.findings.in-examples",
        "medium or high confidence secret findings only in examples and docs",
    ),
    (
        "secrets.findings.in-templates",
        "medium or high confidence secret findings only in generator templates",
    ),
    (
        "secrets.findings.in-vendored",
        "medium or high confidence secret findings only in vendored third-party code",
    ),
    (
        "secrets.findings.in-generated",
        "medium or high confidence secret findings only in generated files",
    ),
    (
        "secrets.suppressed",
        "findings suppressed by the baseline or inline comments",
    ),
    ("secrets.files-scanned", "worktree files scanned"),
    ("secrets.blobs-scanned", "history blobs scanned"),
    (
        "secrets.skipped.binary",
        "files and blobs skipped as binary",
    ),
    (
        "secrets.skipped.too-large",
        "files and blobs over the size cap",
    ),
    (
        "secrets.skipped.package-cache",
        "package archives in a package manager's committed cache, not read (recorded only when there was one)",
    ),
    (
        "secrets.skipped.failed",
        "files and blobs not analysed because the scanner stopped on an internal error (recorded only when there was one)",
    ),
    (
        "secrets.objects.missing",
        "history objects that could not be read",
    ),
    (
        "secrets.archives.scanned",
        "zip, jar, tar and gzip files and blobs whose text members were scanned",
    ),
    (
        "secrets.archives.truncated",
        "archives whose expansion hit the byte or member budget (later members not scanned)",
    ),
    (
        "secrets.pdfs.scanned",
        "PDF files and blobs whose extracted text was scanned",
    ),
    (
        "secrets.pdfs.truncated",
        "PDFs whose extraction hit the byte or stream budget (later streams not read)",
    ),
    (
        "secrets.objects.unreachable-scanned",
        "objects no ref reaches that were scanned",
    ),
    (
        "secrets.live",
        "secret findings whose provider accepted the credential when checked (--validate), in any class of file",
    ),
    (
        "secrets.revoked",
        "secret findings whose provider refused the credential, or whose database host no longer resolves (--validate)",
    ),
    (
        "secrets.live-unknown",
        "secret findings live validation checked without deciding (--validate)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheap_catalog_equals_the_engine_s() {
        let rules = crate::scan::RuleSet::builtin().expect("built-in rules load");
        let engine = Engine::with_rules(rules, crate::scan::EngineOptions::default());
        let full = catalog(&engine);
        let cheap = builtin_catalog();
        assert_eq!(cheap, full);
        assert!(cheap.rules.len() > 250, "{} rules", cheap.rules.len());
    }

    #[test]
    fn client_paths_and_server_routes() {
        for path in [
            "src/components/Map.tsx",
            "web/src/App.vue",
            "app/dashboard/settings.ts",
            "pages/index.js",
            "public/js/app.js",
            "public/api/config.json",
            "static/env.js",
        ] {
            assert!(is_client_path(path), "{path}");
        }
        for path in [
            "pages/api/v1/webhooks/stripe/index.ts",
            "app/api/users/route.ts",
            "app/auth/callback/route.ts",
            "src/middleware.ts",
            "app/lib/session.server.ts",
            "web/server/db.ts",
            "src/settings.py",
            "internal/config/consts.go",
        ] {
            assert!(!is_client_path(path), "{path}");
        }
    }
}

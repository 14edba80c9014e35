//! The `secrets` collector: feeds every worktree file and every unique
//! history blob through one [`Session`], each content scanned once.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashSet;
use std::sync::{Arc, Mutex, OnceLock};

use diligence_collect::{
    CollectContext, CollectError, Collector, FileEntry, Progress, ReadOutcome, Result,
};
use diligence_history::gix;
use diligence_history::{BlobEntry, ChangeKind, History};
use diligence_model::{Catalog, CollectorId, CommitRef, Evidence, Fact, FactName};
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::fingerprint::DEFAULT_FINGERPRINT_KEY;
use crate::scan::{Engine, EngineOptions, Match, RuleSet};
use crate::sealed::Vault;
use crate::session::{self, FinishOptions, Origin, Session};

/// The fact that says whether fingerprints are keyed privately.
const PRIVATE_KEY_FACT: &str = "secrets.fingerprint-key.private";

/// File extensions whose content is never text worth scanning; history
/// blobs with these names are counted as binary without being read.
/// Zip, jar, tar and gzip files are absent: their text members are scanned.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "ico", "bmp", "tif", "tiff", "avif", "heic", "psd",
    "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "m4a", "mov", "avi", "webm", "ogg", "wav",
    "flac", "bz2", "xz", "zst", "7z", "rar", "class", "so", "dylib", "dll", "exe", "o", "a", "pyc",
    "wasm", "sqlite", "db",
];

fn binary_by_name(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| {
        BINARY_EXTENSIONS
            .iter()
            .any(|b| ext.eq_ignore_ascii_case(b))
    })
}

/// Whether a path is a package archive in a package manager's committed
/// cache: Yarn's zero-install `.yarn/cache` and offline mirror, pnpm's
/// store, Bundler's `vendor/cache`, a Maven repository. Such an archive is
/// the registry's copy of a third-party package; any key in it is the
/// package's documentation example, so it is counted and not read.
pub(crate) fn package_cache_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let archive = [".zip", ".tgz", ".tar.gz", ".gem", ".jar", ".nupkg", ".whl"]
        .iter()
        .any(|ext| lower.ends_with(ext));
    archive
        && [
            ".yarn/cache/",
            ".yarn/offline-cache/",
            ".pnpm-store/",
            "vendor/cache/",
            ".m2/repository/",
        ]
        .iter()
        .any(|dir| lower.starts_with(dir) || lower.contains(&format!("/{dir}")))
}

/// The git blob id of `data`: SHA-1 of `blob <len>\0` and the content.
pub fn git_blob_id(data: &[u8]) -> [u8; 20] {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", data.len()).as_bytes());
    hasher.update(data);
    hasher.digest().bytes()
}

/// Scans the worktree and the full history for secrets.
pub struct SecretsCollector {
    options: EngineOptions,
    builtin: OnceLock<std::result::Result<Arc<Engine>, String>>,
    /// The last scan's sealed values, when its options asked to keep them.
    vault: Mutex<Option<Vault>>,
    /// The worktree's scan, made while the history was walked
    /// ([`Collector::prepare_checkout`]), for the next `collect`.
    checkout: Mutex<Option<Checkout>>,
}

/// A worktree scan kept for the history's: the session it recorded into
/// and what it found, with what it was made for.
struct Checkout {
    root: std::path::PathBuf,
    keep_secret_values: bool,
    session: Session<'static>,
    worktree: Worktree,
}

impl std::fmt::Debug for SecretsCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsCollector").finish_non_exhaustive()
    }
}

impl Default for SecretsCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretsCollector {
    /// A collector with the built-in rules and default limits.
    pub fn new() -> Self {
        Self::with_options(EngineOptions::default())
    }

    /// A collector with the given engine options.
    pub fn with_options(options: EngineOptions) -> Self {
        Self {
            options,
            builtin: OnceLock::new(),
            vault: Mutex::new(None),
            checkout: Mutex::new(None),
        }
    }

    /// Takes the sealed values of the last scan whose options set
    /// `keep_secret_values`; `None` when none was kept.
    pub fn take_vault(&self) -> Option<Vault> {
        self.vault.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Uses `key` for fingerprints instead of the public default.
    #[must_use]
    pub fn with_fingerprint_key(mut self, key: &[u8]) -> Self {
        self.options.fingerprint_key = key.to_vec();
        self.builtin = OnceLock::new();
        self
    }

    fn builtin_engine(&self) -> Result<&Arc<Engine>> {
        self.builtin
            .get_or_init(|| {
                RuleSet::builtin()
                    .map(|rules| Arc::new(Engine::with_rules(rules, self.options.clone())))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|message| CollectError::Failed {
                message: format!("built-in secret rules are invalid: {message}"),
                source: None,
            })
    }

    /// The worktree scan made for this context's target and options, if
    /// one was; any other is dropped.
    fn take_checkout(&self, cx: &CollectContext<'_>) -> Option<Checkout> {
        let checkout = self
            .checkout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        (uses_builtin_engine(cx.options)
            && checkout.root == cx.target.root()
            && checkout.keep_secret_values == cx.options.keep_secret_values)
            .then_some(checkout)
    }

    /// Runs the scan with an engine built for this context.
    fn run(&self, cx: &CollectContext<'_>, engine: &Engine) -> Result<Evidence> {
        let baseline = match &cx.options.baseline {
            Some(path) => Baseline::load(path)
                .map_err(|e| CollectError::failed("cannot load the secrets baseline", e))?,
            None => Baseline::default(),
        };
        let stage = "secrets".to_owned();
        cx.progress(Progress::Started {
            stage: stage.clone(),
        });
        let (session, worktree) = match self.take_checkout(cx) {
            Some(checkout) => (checkout.session, checkout.worktree),
            None => {
                let session = as_asked(Session::new(engine), cx);
                let worktree = scan_worktree(cx, &session)?;
                (session, worktree)
            }
        };
        let mut partial = None;
        if let (Some(history), Some(repo)) = (cx.history, cx.target.repository()) {
            let missing = scan_history(cx, &session, history, repo, &worktree)?;
            if cx.options.all_objects {
                scan_unreachable(cx, &session, history, repo, &worktree)?;
            }
            let mut gaps = Vec::new();
            if history.shallow() {
                gaps.push("shallow clone: commits before the boundary were not scanned".to_owned());
            }
            if missing > 0 {
                gaps.push(format!(
                    "{missing} history blobs are not in the object database (a partial clone or \
                     corruption) and were not scanned"
                ));
            }
            match history.submodules() {
                [] => {}
                [one] => gaps.push(format!(
                    "the submodule {one} is another repository and was not scanned"
                )),
                [first, ..] => gaps.push(format!(
                    "{} submodules (first: {first}) are other repositories and were not scanned",
                    history.submodules().len()
                )),
            }
            if !gaps.is_empty() {
                partial = Some(gaps.join("; "));
            }
        }
        // Worktree content no history blob accounted for (uncommitted,
        // untracked, or a directory without git).
        let pending = worktree
            .hits
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut pending: Vec<_> = pending.into_values().filter(|h| !h.attributed).collect();
        pending.sort_by(|a, b| a.paths.cmp(&b.paths));
        for hit in pending {
            for path in &hit.paths {
                session.record(path, &Origin::Worktree, &hit.matches);
            }
        }
        let as_of = cx.options.as_of.or_else(|| cx.history.map(History::as_of));
        let renames = cx.history.map(renames).unwrap_or_default();
        let finish = FinishOptions {
            baseline,
            as_of,
            partial,
            renames,
        };
        cx.progress(Progress::Finished { stage });
        let (mut evidence, vault) = session.finish_sealed(&finish);
        if cx.options.keep_secret_values {
            *self.vault.lock().unwrap_or_else(|e| e.into_inner()) = Some(vault);
        }
        if let Some(history) = cx.history {
            history.annotate_reach(&mut evidence.findings);
        }
        Ok(evidence)
    }
}

/// Worktree hits waiting for history attribution, by git blob id: the
/// paths that hold the content, and what it holds.
struct WorktreeHit {
    paths: Vec<String>,
    matches: Vec<Match>,
    attributed: bool,
}

struct Worktree {
    /// Every worktree blob id, hit or not (history skips these).
    ids: FxHashSet<[u8; 20]>,
    hits: Mutex<HashMap<[u8; 20], WorktreeHit>>,
}

/// `session`, keeping the raw values it finds (sealed) when the options
/// ask for live validation.
fn as_asked<'e>(session: Session<'e>, cx: &CollectContext<'_>) -> Session<'e> {
    if cx.options.keep_secret_values {
        session.with_sealed_values()
    } else {
        session
    }
}

fn scan_worktree(cx: &CollectContext<'_>, session: &Session<'_>) -> Result<Worktree> {
    let cap = session.engine().options().max_blob_size;
    let ids = Mutex::new(FxHashSet::default());
    let hits = Mutex::new(HashMap::new());
    let failed = std::sync::atomic::AtomicBool::new(false);
    cx.files.entries().par_iter().for_each(|entry: &FileEntry| {
        if cx.cancelled() {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        if package_cache_archive(&entry.path) {
            session.skipped_package_cache();
            return;
        }
        let data = match cx.files.read_capped(entry, cap) {
            Ok(ReadOutcome::Content(data)) => data,
            Ok(ReadOutcome::TooLarge { .. }) => {
                session.skipped_too_large(&entry.path, &Origin::Worktree);
                return;
            }
            Err(_) => {
                session.missing_objects(0);
                return;
            }
        };
        let id = git_blob_id(&data);
        // Record nothing yet: history may attribute the same content
        // to its commit. Counting and key files happen in `scan`.
        let matches = session.scan_unrecorded(&data, &entry.path, &Origin::Worktree);
        ids.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
        if !matches.is_empty() {
            // Copies of one content at several paths are all places of
            // what it holds.
            hits.lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(id)
                .and_modify(|hit: &mut WorktreeHit| {
                    // Threads find the copies in any order; kept sorted.
                    let at = hit.paths.partition_point(|p| *p < entry.path);
                    hit.paths.insert(at, entry.path.clone());
                })
                .or_insert_with(|| WorktreeHit {
                    paths: vec![entry.path.clone()],
                    matches,
                    attributed: false,
                });
        }
    });
    if failed.into_inner() {
        return Err(CollectError::Cancelled);
    }
    Ok(Worktree {
        ids: ids.into_inner().unwrap_or_else(|e| e.into_inner()),
        hits,
    })
}

/// The history's exact renames: old path to new path.
fn renames(history: &History) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for commit in history.commits() {
        for change in &commit.changes {
            if let ChangeKind::Renamed { from } = &change.kind {
                out.insert(from.clone(), change.path.clone());
            }
        }
    }
    out
}

fn commit_ref(history: &History, index: usize) -> Option<CommitRef> {
    history.commits().get(index).map(|c| CommitRef {
        id: c.id.to_string(),
        author: Some(c.author.clone()),
        date: Some(c.author_time),
    })
}

fn blob_key(id: &gix::oid) -> Option<[u8; 20]> {
    id.as_bytes().try_into().ok()
}

fn scan_history(
    cx: &CollectContext<'_>,
    session: &Session<'_>,
    history: &History,
    repo: &gix::ThreadSafeRepository,
    worktree: &Worktree,
) -> Result<u64> {
    let cap = session.engine().options().max_blob_size;
    let origin = |entry: &BlobEntry| Origin::History {
        commit: commit_ref(history, entry.first_commit),
        at_head: entry.at_head,
    };
    // The same content committed at other paths (a copy, a backup) is a
    // place of what it holds too; a path HEAD holds is the worktree's.
    let record_elsewhere = |entry: &BlobEntry, matches: &[Match], worktree_paths: &[String]| {
        if matches.is_empty() {
            return;
        }
        for place in history.blobs().other_places(&entry.id) {
            if place.path == entry.display_path() || worktree_paths.contains(&place.path) {
                continue;
            }
            let origin = Origin::History {
                commit: commit_ref(history, place.first_commit),
                at_head: place.at_head,
            };
            session.record(&place.path, &origin, matches);
        }
    };
    let filter = |entry: &BlobEntry| {
        if cx.cancelled() {
            return false;
        }
        if let Some(key) = blob_key(&entry.id)
            && worktree.ids.contains(&key)
        {
            let mut hits = worktree.hits.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = hits.get_mut(&key) {
                hit.attributed = true;
                // Content HEAD holds is shown where HEAD holds it, not
                // where it first appeared.
                session.record(entry.display_path(), &origin(entry), &hit.matches);
                for path in hit.paths.iter().filter(|p| *p != entry.display_path()) {
                    session.record(path, &Origin::Worktree, &hit.matches);
                }
                record_elsewhere(entry, &hit.matches, &hit.paths);
            }
            return false;
        }
        if package_cache_archive(&entry.path) {
            // The worktree counted the copy HEAD holds.
            if !entry.at_head {
                session.skipped_package_cache();
            }
            return false;
        }
        if binary_by_name(&entry.path) && !session::is_key_file_name(&entry.path) {
            session.skipped_binary();
            return false;
        }
        true
    };
    // Sizes are known once a blob is read: a header lookup per blob before
    // reading costs as much as a tenth of the scan, and memory is bounded
    // by threads × largest blob either way.
    // A version HEAD holds is read whole, so that what HEAD holds is
    // reported at HEAD; an earlier edit is read where it differs from the
    // version it replaced, which was read before it.
    let whole = session.engine().options().history_whole;
    let wants_base = |entry: &BlobEntry| !entry.at_head && !whole;
    let stats = history
        .blobs()
        .for_each_version(repo, filter, wants_base, |entry, data, base| {
            if data.len() as u64 > cap {
                session.skipped_too_large(entry.display_path(), &origin(entry));
            } else if base.exists() {
                session.scan_version(data, entry.display_path(), origin(entry), || base.get());
                // A copy of the version is new where it was added: all it
                // holds is there, not only what the edit added.
                if !history.blobs().other_places(&entry.id).is_empty() {
                    let matches = session.scan_whole_again(data, entry.display_path());
                    record_elsewhere(entry, &matches, &[]);
                }
            } else {
                let matches = session.scan(data, entry.display_path(), origin(entry));
                record_elsewhere(entry, &matches, &[]);
            }
        });
    session.missing_objects(stats.missing);
    if cx.cancelled() {
        return Err(CollectError::Cancelled);
    }
    Ok(stats.missing)
}

/// Scans blobs that no commit reachable from a ref holds (stashes,
/// pull-request refs outside the walk, dangling objects).
fn scan_unreachable(
    cx: &CollectContext<'_>,
    session: &Session<'_>,
    history: &History,
    repo: &gix::ThreadSafeRepository,
    worktree: &Worktree,
) -> Result<()> {
    let local = repo.to_thread_local();
    let cap = session.engine().options().max_blob_size;
    let Ok(all) = local.objects.store_ref().iter() else {
        return Ok(());
    };
    let mut candidates = Vec::new();
    for id in all {
        let Ok(id) = id else {
            session.missing_objects(1);
            continue;
        };
        if history.blobs().get(&id).is_some()
            || blob_key(&id).is_some_and(|k| worktree.ids.contains(&k))
        {
            continue;
        }
        match local.find_header(id) {
            Ok(header) if header.kind() == gix::object::Kind::Blob => {
                if header.size() > cap {
                    session.skipped_too_large("", &Origin::Unreachable);
                } else {
                    candidates.push(id);
                }
            }
            Ok(_) => {}
            Err(_) => session.missing_objects(1),
        }
    }
    candidates.sort();
    candidates.dedup();
    candidates.par_iter().for_each_init(
        || repo.to_thread_local(),
        |local, id| {
            if cx.cancelled() {
                return;
            }
            match local.find_object(*id) {
                Ok(object) => {
                    let path = format!("(unreachable object {id})");
                    session.scan(&object.data, &path, Origin::Unreachable);
                }
                Err(_) => session.missing_objects(1),
            }
        },
    );
    Ok(())
}

impl Collector for SecretsCollector {
    fn id(&self) -> CollectorId {
        session::collector_id()
    }

    /// Every blob of the history is scanned, and expiry is judged at its date.
    fn reads_history(&self) -> bool {
        true
    }

    fn catalog(&self) -> Catalog {
        // From the rule files' ids and names: building the engine (every
        // pattern compiled, every example checked) would cost most of a
        // `--only deps` scan, which never runs this collector.
        let mut catalog = session::builtin_catalog();
        let _ = catalog.fact(
            PRIVATE_KEY_FACT,
            "whether secret fingerprints use a private key rather than the public default",
        );
        catalog
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn prepare(&self, options: &diligence_collect::Options) {
        // The built-in engine, when collect will use it: its rule files
        // are parsed while the history is walked.
        if uses_builtin_engine(options) {
            let _ = self.builtin_engine();
        }
    }

    /// Scans the worktree while the history is walked: the history's scan
    /// skips what the worktree holds, so it waits for this, and the walk
    /// leaves a core idle for a part of its time. Only with the built-in
    /// engine, which outlives the call; what fails here is done again,
    /// and reported, by `collect`.
    fn prepare_checkout(&self, cx: &CollectContext<'_>) {
        if !uses_builtin_engine(cx.options) {
            return;
        }
        let Ok(engine) = self.builtin_engine() else {
            return;
        };
        let session = as_asked(Session::shared(Arc::clone(engine)), cx);
        if let Ok(worktree) = scan_worktree(cx, &session) {
            *self.checkout.lock().unwrap_or_else(|e| e.into_inner()) = Some(Checkout {
                root: cx.target.root().to_path_buf(),
                keep_secret_values: cx.options.keep_secret_values,
                session,
                worktree,
            });
        }
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence> {
        let mut evidence = match &cx.options.fingerprint_key {
            _ if uses_builtin_engine(cx.options) => self.run(cx, self.builtin_engine()?)?,
            key => {
                let rules = if cx.options.secret_rules.is_empty() {
                    RuleSet::builtin()
                } else {
                    RuleSet::load(&cx.options.secret_rules)
                }
                .map_err(|e| CollectError::failed("cannot load secret rules", e))?;
                let mut options = self.options.clone();
                if let Some(key) = key {
                    options.fingerprint_key = key.as_bytes().to_vec();
                }
                self.run(cx, &Engine::with_rules(rules, options))?
            }
        };
        // Said only when true: the public default needs no line in a report.
        let private = cx.options.fingerprint_key.is_some()
            || self.options.fingerprint_key != DEFAULT_FINGERPRINT_KEY;
        if private && let Ok(name) = FactName::new(PRIVATE_KEY_FACT) {
            evidence.facts.insert(name, Fact::bool(true));
        }
        Ok(evidence)
    }
}

/// Whether a scan with these options uses the built-in engine: no user
/// rules, and the public fingerprint key.
fn uses_builtin_engine(options: &diligence_collect::Options) -> bool {
    options.fingerprint_key.is_none() && options.secret_rules.is_empty()
}

//! The one walk over all commits reachable from any reference.

use std::cell::RefCell;
use std::cmp::{Ordering as CmpOrdering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use diligence_model::Timestamp;
use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::Find;
use rayon::prelude::*;

use crate::blobs::BlobIndex;
use crate::classify;
use crate::error::{Error, Result};
use crate::people::{IdentityConfig, People};
use crate::target::Target;
use crate::truck::{FileAuthorship, TruckFactor, truck_factor};

/// Options of the walk.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// The reference "now" for windows such as "active in the last 90
    /// days". Default: HEAD's committer date (never the wall clock), or the
    /// newest commit's when there is no HEAD commit.
    pub as_of: Option<Timestamp>,
    /// Worker threads; 0 means all cores. Results do not depend on it.
    pub jobs: usize,
    /// Statistics over every reference instead of the history reachable
    /// from the assessed commit (HEAD). Exposure (blobs, env files) always
    /// covers every reference.
    pub all_refs: bool,
    /// A consultant's extra identity merges and bots.
    pub identities: IdentityConfig,
}

/// Which part of the walk is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HistoryPhase {
    /// Reading commits from the references.
    Commits,
    /// Diffing each commit's tree against its first parent.
    Trees,
}

/// A progress report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryProgress {
    /// The running phase.
    pub phase: HistoryPhase,
    /// Items done.
    pub done: usize,
    /// Items in the phase, when known.
    pub total: Option<usize>,
}

/// How a path changed in a commit, against its first parent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// The path is new.
    Added,
    /// The path's content changed.
    Modified,
    /// The path is gone.
    Deleted,
    /// The path is new and `from` vanished with the same content (an exact
    /// rename).
    Renamed {
        /// The old path.
        from: String,
    },
}

/// One changed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Path, `/` separated.
    pub path: String,
    /// How it changed.
    pub kind: ChangeKind,
    /// The new blob; `None` for deletions.
    pub blob: Option<ObjectId>,
    /// The first parent's blob at this path (at `from` for a rename); `None`
    /// for additions.
    pub old_blob: Option<ObjectId>,
}

/// One commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitRecord {
    /// Commit id.
    pub id: ObjectId,
    /// Tree id.
    pub tree: ObjectId,
    /// Author name after `.mailmap`.
    pub author: String,
    /// Author e-mail after `.mailmap`.
    pub author_email: String,
    /// Committer name after `.mailmap`.
    pub committer: String,
    /// Committer e-mail after `.mailmap`.
    pub committer_email: String,
    /// Author date.
    pub author_time: Timestamp,
    /// Committer date.
    pub commit_time: Timestamp,
    /// Parents as walked: 0 at a shallow boundary, as git counts them.
    pub parents: u32,
    /// Indices of the parents present in [`History::commits`], first parent
    /// first.
    pub parent_indices: Vec<usize>,
    /// First line of the message.
    pub subject: String,
    /// The message after the subject, cut at 4 KiB.
    pub body: String,
    /// `Key: value` trailers of the last paragraph.
    pub trailers: Vec<(String, String)>,
    /// Whether the commit carries a `gpgsig` header (any signature format).
    pub signed: bool,
    /// Whether HEAD reaches it.
    pub on_head: bool,
    /// Changed paths against the first parent (against nothing for roots).
    pub changes: Vec<Change>,
}

impl CommitRecord {
    /// `Name <email>` of the author, the identity `git shortlog -se` counts.
    pub fn author_identity(&self) -> String {
        format!("{} <{}>", self.author, self.author_email)
    }

    /// `Name <email>` of the committer.
    pub fn committer_identity(&self) -> String {
        format!("{} <{}>", self.committer, self.committer_email)
    }

    /// Whether it has two or more parents.
    pub fn is_merge(&self) -> bool {
        self.parents >= 2
    }
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagRecord {
    /// Short name (`v1.2.0`).
    pub name: String,
    /// Index of the tagged commit, when it is a commit in the walk.
    pub commit: Option<usize>,
    /// Tagger date for annotated tags, else the tagged commit's date.
    pub date: Option<Timestamp>,
    /// Whether it is an annotated tag object.
    pub annotated: bool,
}

/// A branch, tag or other reference and the commit it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefRecord {
    /// Full name (`refs/heads/main`, `refs/tags/v1.0`).
    pub name: String,
    /// Index of the commit it peels to.
    pub commit: usize,
}

impl RefRecord {
    /// The name a reader knows: `main`, `tag v1.0`, `origin/dev`.
    pub fn short_name(&self) -> String {
        let name = self.name.as_str();
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            branch.to_owned()
        } else if let Some(tag) = name.strip_prefix("refs/tags/") {
            format!("tag {tag}")
        } else if let Some(remote) = name.strip_prefix("refs/remotes/") {
            remote.to_owned()
        } else if let Some(pull) = name.strip_prefix("refs/pull/") {
            match pull.split_once('/') {
                Some((number, "head")) => format!("pull request #{number}"),
                Some((number, kind)) => format!("pull request #{number} ({kind})"),
                None => format!("pull request {pull}"),
            }
        } else {
            name.strip_prefix("refs/").unwrap_or(name).to_owned()
        }
    }

    fn rank(&self) -> u8 {
        if self.name.starts_with("refs/heads/") {
            0
        } else if self.name.starts_with("refs/remotes/") {
            1
        } else if self.name.starts_with("refs/tags/") {
            2
        } else {
            3
        }
    }
}

/// Which references reach a commit, for findings outside the assessed
/// history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// Whether the assessed commit (HEAD) reaches it.
    pub assessed: bool,
    /// Up to [`Reach::LIMIT`] references that reach it (short names;
    /// branches first, then remote branches, then tags).
    pub refs: Vec<String>,
    /// How many more references reach it.
    pub more: usize,
}

impl Reach {
    /// How many references are named.
    pub const LIMIT: usize = 5;
}

/// A file in HEAD's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadFile {
    /// Path, `/` separated.
    pub path: String,
    /// Blob id.
    pub id: ObjectId,
}

/// The result of the one walk.
#[derive(Clone, Debug)]
pub struct History {
    pub(crate) commits: Vec<CommitRecord>,
    pub(crate) blobs: BlobIndex,
    pub(crate) tags: Vec<TagRecord>,
    pub(crate) as_of: Timestamp,
    pub(crate) shallow: bool,
    pub(crate) head: Option<usize>,
    pub(crate) head_files: Vec<HeadFile>,
    pub(crate) submodules: Vec<String>,
    pub(crate) missing_objects: u64,
    pub(crate) env_files: BTreeMap<String, usize>,
    /// For each env file, how many of its versions were read and the
    /// first variable (by name) whose value looks like a credential.
    pub(crate) env_values: BTreeMap<String, EnvValues>,
    pub(crate) truck: TruckFactor,
    pub(crate) package_json_markers: Vec<String>,
    pub(crate) refs: Vec<RefRecord>,
    pub(crate) children: Vec<Vec<usize>>,
    pub(crate) people: People,
    pub(crate) all_refs: bool,
    pub(crate) markers_ever: BTreeMap<String, (String, usize)>,
}

/// What the versions of one committed env file held.
#[derive(Debug, Clone, Default)]
pub(crate) struct EnvValues {
    /// Versions read.
    pub(crate) versions: usize,
    /// Versions that could not be read (missing object, too large).
    pub(crate) unread: usize,
    /// The first variable whose value looks like a credential.
    pub(crate) secret: Option<String>,
}

/// Versions of one env file read at most: enough to judge it, bounded
/// for a file rewritten in every commit.
const MAX_ENV_VERSIONS: usize = 200;

/// Bytes of the cache of resolved objects the threads' pack readers share
/// (see `pack.rs`), and of the commit reader's delta-base cache. Shared,
/// 128 MiB reads the generated benchmark's history a quarter faster than
/// 64 MiB, for 90 MB more at the peak; it keeps the delta chain of
/// megabyte lockfile versions (outline/outline) while they are read.
pub(crate) const PACK_CACHE_TOTAL: usize = 128 << 20;
/// The least one thread's cache holds, however many threads there are.
const PACK_CACHE_MIN: usize = 8 << 20;

fn pack_cache_bytes() -> usize {
    (PACK_CACHE_TOTAL / rayon::current_num_threads().max(1)).max(PACK_CACHE_MIN)
}

/// A thread-local repository handle with a delta-base cache and no object
/// cache (each object is read once or its delta base is cached already).
pub(crate) fn thread_repo(sync: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut repo = sync.to_thread_local();
    // A memory-capped delta-base cache: consecutive commits' trees and
    // blobs share delta bases, and gix's default (a 64-entry list) evicts
    // them long before they are needed again. Halves tree diffing and blob
    // reading on long histories.
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            pack_cache_bytes(),
        ))
    });
    repo
}

fn lossy(bytes: &BStr) -> String {
    bytes.to_str_lossy().into_owned()
}

fn read_err(
    what: &'static str,
    repo: &gix::Repository,
    err: impl Into<crate::error::Cause>,
) -> Error {
    Error::Read {
        what,
        path: repo.git_dir().to_owned(),
        source: err.into(),
    }
}

struct Walker<'a> {
    repo: gix::Repository,
    kind: gix::hash::Kind,
    missing: u64,
    submodules: Vec<String>,
    progress: &'a (dyn Fn(HistoryProgress) + Sync),
}

impl History {
    /// The one walk. Returns `Ok(None)` when the target has no git
    /// repository; an unborn repository gives a history without commits.
    pub fn walk(
        target: &Target,
        options: &HistoryOptions,
        progress: &(dyn Fn(HistoryProgress) + Sync),
    ) -> Result<Option<Self>> {
        let Some(sync) = target.repository() else {
            return Ok(None);
        };
        let threads = if options.jobs == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            options.jobs
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|source| Error::ThreadPool { threads, source })?;
        let repo = thread_repo(sync);
        let kind = repo.object_hash();
        let mut walker = Walker {
            repo,
            kind,
            missing: 0,
            submodules: Vec::new(),
            progress,
        };
        pool.install(|| walker.run(sync, options)).map(Some)
    }

    /// Every commit reachable from any reference, parents before children
    /// (ties by committer date, then id).
    pub fn commits(&self) -> &[CommitRecord] {
        &self.commits
    }

    /// Every unique blob.
    pub fn blobs(&self) -> &BlobIndex {
        &self.blobs
    }

    /// Tags, sorted by name.
    pub fn tags(&self) -> &[TagRecord] {
        &self.tags
    }

    /// Files in HEAD's tree, sorted by path.
    pub fn head_files(&self) -> &[HeadFile] {
        &self.head_files
    }

    /// Paths of the submodules (gitlinks) in HEAD's tree, sorted. Their
    /// commits live in other repositories and are not walked.
    pub fn submodules(&self) -> &[String] {
        &self.submodules
    }

    /// The index of HEAD's commit in [`commits`](Self::commits).
    pub fn head(&self) -> Option<usize> {
        self.head
    }

    /// The reference "now".
    pub fn as_of(&self) -> Timestamp {
        self.as_of
    }

    /// Whether the clone is shallow.
    pub fn shallow(&self) -> bool {
        self.shallow
    }

    /// Objects referenced but absent (partial clones, broken references).
    pub fn missing_objects(&self) -> u64 {
        self.missing_objects
    }

    /// The truck-factor estimate on HEAD's files (people only, automation
    /// left out).
    pub fn truck_factor(&self) -> &TruckFactor {
        &self.truck
    }

    /// Branches, tags and other references (HEAD excluded), sorted by name.
    pub fn refs(&self) -> &[RefRecord] {
        &self.refs
    }

    /// Author identities resolved into people and automation.
    pub fn people(&self) -> &People {
        &self.people
    }

    /// Whether statistics cover every reference (`--all-refs`) rather than
    /// the history reachable from the assessed commit.
    pub fn all_refs(&self) -> bool {
        self.all_refs
    }

    /// Whether a commit counts for statistics: reachable from the assessed
    /// commit, or any commit with [`HistoryOptions::all_refs`].
    pub fn in_scope(&self, commit: &CommitRecord) -> bool {
        self.all_refs || commit.on_head
    }

    /// The commits statistics describe, parents first.
    pub fn scoped_commits(&self) -> impl Iterator<Item = &CommitRecord> {
        self.commits.iter().filter(|c| self.in_scope(c))
    }

    /// Which references reach a commit: a walk over its descendants, so
    /// the cost is proportional to the history after it, and only the few
    /// commits that introduced a finding are asked about.
    pub fn reach(&self, commit: usize) -> Reach {
        let Some(record) = self.commits.get(commit) else {
            return Reach::default();
        };
        let mut seen = vec![false; self.commits.len()];
        let mut stack = vec![commit];
        seen[commit] = true;
        while let Some(i) = stack.pop() {
            for &child in &self.children[i] {
                if !seen[child] {
                    seen[child] = true;
                    stack.push(child);
                }
            }
        }
        let mut reaching: Vec<&RefRecord> = self.refs.iter().filter(|r| seen[r.commit]).collect();
        reaching.sort_by(|a, b| (a.rank(), &a.name).cmp(&(b.rank(), &b.name)));
        let names: Vec<String> = reaching.iter().map(|r| r.short_name()).collect();
        let more = names.len().saturating_sub(Reach::LIMIT);
        Reach {
            assessed: record.on_head,
            refs: names.into_iter().take(Reach::LIMIT).collect(),
            more,
        }
    }
}

struct Tip {
    name: String,
    direct: Option<ObjectId>,
    peeled: Option<ObjectId>,
}

struct RawChange {
    path: String,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
}

impl Walker<'_> {
    fn run(
        &mut self,
        sync: &gix::ThreadSafeRepository,
        options: &HistoryOptions,
    ) -> Result<History> {
        let shallow_set: HashSet<ObjectId> = self
            .repo
            .shallow_commits()
            .map_err(|e| read_err("shallow file", &self.repo, e))?
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default();
        let head_id = self.repo.head_id().ok().map(|id| id.detach());
        let tips = self.tips()?;

        // HEAD's tree first: its .mailmap applies to every commit.
        let head_tree = head_id.and_then(|id| self.commit_tree(id));
        let mut head_files = Vec::new();
        if let Some(tree) = head_tree {
            let mut prefix = String::new();
            self.list_tree(tree, &mut prefix, &mut head_files);
        }
        head_files.sort_by(|a: &HeadFile, b| a.path.cmp(&b.path));
        let mailmap = head_files
            .iter()
            .find(|f| f.path == ".mailmap")
            .and_then(|f| self.read_blob(f.id))
            .map(|bytes| gix::mailmap::Snapshot::from_bytes(&bytes))
            .unwrap_or_default();

        let (mut commits, parent_ids) = self.read_commits(&tips, head_id, &shallow_set, &mailmap);
        let (order, position) = topological_order(&commits, &parent_ids);
        let mut ordered = Vec::with_capacity(commits.len());
        let mut slots: Vec<Option<CommitRecord>> = commits.drain(..).map(Some).collect();
        for &old in &order {
            let mut record = slots[old].take().expect("each commit is ordered once");
            record.parent_indices = parent_ids[old]
                .iter()
                .filter_map(|p| position.get(p).copied())
                .collect();
            ordered.push(record);
        }
        let mut commits = ordered;
        let index: HashMap<ObjectId, usize> =
            commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let head = head_id.and_then(|id| index.get(&id).copied());
        if let Some(h) = head {
            let mut stack = vec![h];
            while let Some(i) = stack.pop() {
                if commits[i].on_head {
                    continue;
                }
                commits[i].on_head = true;
                stack.extend(commits[i].parent_indices.iter().copied());
            }
        }

        let diffs = self.diff_all(sync, &commits);
        for (commit, (changes, missing)) in commits.iter_mut().zip(diffs) {
            commit.changes = changes;
            self.missing += missing;
        }

        // People: identities of the assessed history (or of every ref).
        let mut identity_commits: HashMap<(&str, &str), usize> = HashMap::new();
        for c in commits.iter().filter(|c| options.all_refs || c.on_head) {
            *identity_commits
                .entry((c.author.as_str(), c.author_email.as_str()))
                .or_default() += 1;
        }
        let identity_list: Vec<(String, String, usize)> = identity_commits
            .into_iter()
            .map(|((name, email), n)| (name.to_owned(), email.to_owned(), n))
            .collect();
        let people = People::resolve(&identity_list, &options.identities);

        let mut blobs = BlobIndex::default();
        let mut env_files = BTreeMap::new();
        let mut env_blobs: BTreeMap<String, Vec<ObjectId>> = BTreeMap::new();
        let mut markers_ever: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut files: HashMap<String, FileAuthorship> = HashMap::new();
        for (i, commit) in commits.iter().enumerate() {
            let scoped = options.all_refs || commit.on_head;
            // Authorship is a person's, never a bot's: automation's commits
            // are left out of the truck factor.
            let person = people
                .person(&commit.author_identity())
                .filter(|p| p.automation.is_none())
                .map(|p| p.key.clone());
            let track = commit.on_head && commit.parents <= 1 && person.is_some();
            let author = person.unwrap_or_default();
            for change in &commit.changes {
                if let Some(id) = change.blob {
                    let base = match change.kind {
                        ChangeKind::Modified => change.old_blob,
                        _ => None,
                    };
                    let added = change.kind == ChangeKind::Added;
                    blobs.insert(id, i, &change.path, base, added);
                }
                let added = matches!(change.kind, ChangeKind::Added | ChangeKind::Renamed { .. });
                if is_env_file(&change.path) {
                    if added {
                        env_files.entry(change.path.clone()).or_insert(i);
                    }
                    if let Some(id) = change.blob {
                        let versions = env_blobs.entry(change.path.clone()).or_default();
                        if versions.len() < MAX_ENV_VERSIONS && !versions.contains(&id) {
                            versions.push(id);
                        }
                    }
                }
                if added
                    && scoped
                    && let Some((builder, _)) = crate::evidence::generator_marker(&change.path)
                {
                    markers_ever
                        .entry(builder.to_owned())
                        .or_insert_with(|| (change.path.clone(), i));
                }
                if !track {
                    continue;
                }
                match &change.kind {
                    ChangeKind::Added => {
                        let mut record = FileAuthorship {
                            path: change.path.clone(),
                            creator: Some(author.clone()),
                            changes: BTreeMap::new(),
                        };
                        record.changes.insert(author.clone(), 1);
                        files.insert(change.path.clone(), record);
                    }
                    ChangeKind::Modified => {
                        *files
                            .entry(change.path.clone())
                            .or_default()
                            .changes
                            .entry(author.clone())
                            .or_default() += 1;
                    }
                    ChangeKind::Deleted => {
                        files.remove(&change.path);
                    }
                    ChangeKind::Renamed { from } => {
                        let record = files.remove(from).unwrap_or_default();
                        files.insert(change.path.clone(), record);
                    }
                }
            }
        }

        let mut head_blobs: HashMap<ObjectId, Vec<&str>> = HashMap::with_capacity(head_files.len());
        for f in &head_files {
            head_blobs.entry(f.id).or_default().push(f.path.as_str());
        }
        for entry in blobs.entries_mut() {
            let head_path = head_blobs.get(&entry.id).and_then(|paths| paths.first());
            entry.at_head = head_path.is_some();
            entry.head_path = head_path.map(|p| (*p).to_owned());
        }
        blobs.mark_other_places_at_head(&head_blobs);
        self.missing += blobs.count_absent(sync);

        let authorship: Vec<FileAuthorship> = head_files
            .iter()
            .filter(|f| counts_for_authorship(&f.path))
            .filter_map(|f| {
                files.remove(&f.path).map(|mut record| {
                    record.path = f.path.clone();
                    record
                })
            })
            .collect();
        let truck = truck_factor(&authorship);

        let package_json_markers = head_files
            .iter()
            .filter(|f| f.path == "package.json" || f.path.ends_with("/package.json"))
            .filter_map(|f| {
                let bytes = self.read_blob(f.id)?;
                let text = String::from_utf8_lossy(&bytes);
                let mut found = Vec::new();
                if text.contains("\"lovable-tagger\"") {
                    found.push(format!("lovable: {} depends on lovable-tagger", f.path));
                }
                if text.contains("\"my-v0-project\"") {
                    found.push(format!("v0: {} is named my-v0-project", f.path));
                }
                Some(found)
            })
            .flatten()
            .collect();

        let mut tags: Vec<TagRecord> = tips
            .iter()
            .filter_map(|tip| {
                let name = tip.name.strip_prefix("refs/tags/")?;
                let commit = tip.peeled.and_then(|id| index.get(&id).copied());
                let (annotated, tagger) = match tip.direct.and_then(|id| self.tagger_time(id)) {
                    Some(t) => (true, t),
                    None => (false, None),
                };
                Some(TagRecord {
                    name: name.to_owned(),
                    commit,
                    date: tagger.or_else(|| commit.map(|c| commits[c].commit_time)),
                    annotated,
                })
            })
            .collect();
        tags.sort_by(|a, b| a.name.cmp(&b.name));

        let as_of = options
            .as_of
            .or_else(|| head.map(|h| commits[h].commit_time))
            .or_else(|| commits.iter().map(|c| c.commit_time).max())
            .unwrap_or(Timestamp(0));

        let mut refs: Vec<RefRecord> = tips
            .iter()
            .filter(|t| t.name != "HEAD")
            .filter_map(|t| {
                let commit = index.get(&t.peeled?).copied()?;
                Some(RefRecord {
                    name: t.name.clone(),
                    commit,
                })
            })
            .collect();
        refs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
        for (i, c) in commits.iter().enumerate() {
            for &p in &c.parent_indices {
                children[p].push(i);
            }
        }

        let env_values = env_files
            .keys()
            .map(|path| {
                let mut values = EnvValues::default();
                for id in env_blobs.get(path).into_iter().flatten() {
                    match self.read_blob(*id) {
                        Some(bytes) => {
                            values.versions += 1;
                            if values.secret.is_none() {
                                values.secret = crate::envfile::secret_variable(
                                    &String::from_utf8_lossy(&bytes),
                                );
                            }
                        }
                        None => values.unread += 1,
                    }
                }
                (path.clone(), values)
            })
            .collect();

        Ok(History {
            env_values,
            refs,
            children,
            people,
            all_refs: options.all_refs,
            markers_ever,
            commits,
            blobs,
            tags,
            as_of,
            shallow: !shallow_set.is_empty(),
            head,
            head_files,
            submodules: {
                let mut paths = std::mem::take(&mut self.submodules);
                paths.sort();
                paths
            },
            missing_objects: self.missing,
            env_files,
            truck,
            package_json_markers,
        })
    }

    fn report(&self, phase: HistoryPhase, done: usize, total: Option<usize>) {
        (self.progress)(HistoryProgress { phase, done, total });
    }

    /// Every reference, with its direct and peeled targets; HEAD included.
    fn tips(&mut self) -> Result<Vec<Tip>> {
        let mut tips = Vec::new();
        let platform = self
            .repo
            .references()
            .map_err(|e| read_err("references", &self.repo, e))?;
        let iter = platform
            .all()
            .map_err(|e| read_err("references", &self.repo, e))?;
        for reference in iter {
            let Ok(mut reference) = reference else {
                self.missing += 1;
                continue;
            };
            let name = reference.name().as_bstr().to_str_lossy().into_owned();
            let direct = reference.target().try_id().map(ToOwned::to_owned);
            let peeled = reference.peel_to_id().ok().map(|id| id.detach());
            if peeled.is_none() {
                self.missing += 1;
            }
            tips.push(Tip {
                name,
                direct,
                peeled,
            });
        }
        if let Ok(id) = self.repo.head_id() {
            tips.push(Tip {
                name: "HEAD".to_owned(),
                direct: Some(id.detach()),
                peeled: Some(id.detach()),
            });
        }
        Ok(tips)
    }

    fn commit_tree(&mut self, id: ObjectId) -> Option<ObjectId> {
        let mut buf = Vec::new();
        match self.repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Commit => {
                gix::objs::CommitRef::from_bytes(data.data, self.kind)
                    .ok()
                    .map(|c| c.tree())
            }
            _ => None,
        }
    }

    fn read_blob(&self, id: ObjectId) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        match self.repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data))
                if data.kind == gix::object::Kind::Blob && data.data.len() <= 1 << 20 =>
            {
                Some(data.data.to_vec())
            }
            _ => None,
        }
    }

    /// The tagger date of a tag object; `None` when `id` is not a tag.
    fn tagger_time(&self, id: ObjectId) -> Option<Option<Timestamp>> {
        let mut buf = Vec::new();
        match self.repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Tag => {
                let tag = gix::objs::TagRef::from_bytes(data.data, self.kind).ok()?;
                Some(tag.tagger().ok().flatten().map(|s| Timestamp(s.seconds())))
            }
            _ => None,
        }
    }

    /// Lists the blobs (and symlinks) of a tree recursively.
    fn list_tree(&mut self, tree: ObjectId, prefix: &mut String, out: &mut Vec<HeadFile>) {
        let mut buf = Vec::new();
        let entries = match self.repo.objects.try_find(&tree, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Tree => {
                gix::objs::TreeRefIter::from_bytes(data.data, self.kind)
                    .filter_map(|e| e.ok())
                    .map(|e| (e.mode, e.filename.to_owned(), e.oid.to_owned()))
                    .collect::<Vec<_>>()
            }
            _ => {
                self.missing += 1;
                return;
            }
        };
        for (mode, name, id) in entries {
            let len = prefix.len();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(&name.to_str_lossy());
            if mode.is_tree() {
                self.list_tree(id, prefix, out);
            } else if mode.is_commit() {
                self.submodules.push(prefix.clone());
            } else if mode.is_blob_or_symlink() {
                out.push(HeadFile {
                    path: prefix.clone(),
                    id,
                });
            }
            prefix.truncate(len);
        }
    }

    /// Reads every commit reachable from the tips. Returns records (parent
    /// indices not yet set) and each record's parent ids.
    fn read_commits(
        &mut self,
        tips: &[Tip],
        head: Option<ObjectId>,
        shallow: &HashSet<ObjectId>,
        mailmap: &gix::mailmap::Snapshot,
    ) -> (Vec<CommitRecord>, Vec<Vec<ObjectId>>) {
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut queue: Vec<ObjectId> = tips.iter().filter_map(|t| t.peeled).collect();
        queue.extend(head);
        queue.sort();
        queue.dedup();
        let mut commits = Vec::new();
        let mut parents_of = Vec::new();
        let mut buf = Vec::new();
        while let Some(id) = queue.pop() {
            if !seen.insert(id) {
                continue;
            }
            let data = match self.repo.objects.try_find(&id, &mut buf) {
                Ok(Some(data)) => data,
                _ => {
                    self.missing += 1;
                    continue;
                }
            };
            if data.kind != gix::object::Kind::Commit {
                // A tag of a tree or blob: not a commit, nothing to walk.
                continue;
            }
            let Ok(commit) = gix::objs::CommitRef::from_bytes(data.data, self.kind) else {
                self.missing += 1;
                continue;
            };
            let parents: Vec<ObjectId> = if shallow.contains(&id) {
                Vec::new()
            } else {
                commit.parents().collect()
            };
            for p in &parents {
                if !seen.contains(p) {
                    queue.push(*p);
                }
            }
            let record = decode(id, &commit, parents.len(), mailmap);
            commits.push(record);
            parents_of.push(parents);
            if commits.len().is_multiple_of(4096) {
                self.report(HistoryPhase::Commits, commits.len(), None);
            }
        }
        self.report(HistoryPhase::Commits, commits.len(), Some(commits.len()));
        (commits, parents_of)
    }

    /// Diffs every commit against its first parent, in parallel.
    fn diff_all(
        &self,
        sync: &gix::ThreadSafeRepository,
        commits: &[CommitRecord],
    ) -> Vec<(Vec<Change>, u64)> {
        let kind = self.kind;
        let total = commits.len();
        let done = AtomicUsize::new(0);
        let progress = self.progress;
        let packs = crate::pack::Packs::open(sync, PACK_CACHE_TOTAL);
        commits
            .par_iter()
            .map_init(
                || {
                    let reader = crate::pack::Reader::new(&packs, sync.to_thread_local());
                    (RefCell::new(reader), Vec::new())
                },
                |(reader, raw), commit| {
                    let old = commit.parent_indices.first().map(|&p| commits[p].tree);
                    let mut missing = 0;
                    raw.clear();
                    let mut prefix = String::new();
                    diff_trees(
                        reader,
                        kind,
                        old,
                        Some(commit.tree),
                        &mut prefix,
                        raw,
                        &mut missing,
                    );
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(4096) || n == total {
                        progress(HistoryProgress {
                            phase: HistoryPhase::Trees,
                            done: n,
                            total: Some(total),
                        });
                    }
                    (pair_renames(raw), missing)
                },
            )
            .collect()
    }
}

fn decode(
    id: ObjectId,
    commit: &gix::objs::CommitRef<'_>,
    parents: usize,
    mailmap: &gix::mailmap::Snapshot,
) -> CommitRecord {
    let person = |sig: Option<gix::actor::SignatureRef<'_>>| match sig {
        Some(sig) => {
            let resolved = mailmap.resolve(sig.trim());
            (
                lossy(resolved.name.as_ref()),
                lossy(resolved.email.as_ref()),
                Timestamp(sig.seconds()),
            )
        }
        None => (String::new(), String::new(), Timestamp(0)),
    };
    let (author, author_email, author_time) = person(commit.author().ok());
    let (committer, committer_email, commit_time) = person(commit.committer().ok());
    let message = commit.message.to_str_lossy();
    let (subject, body) = classify::split_message(&message);
    let mut body = body.trim_start_matches(['\n', '\r']).to_owned();
    if body.len() > 4096 {
        let mut cut = 4096;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    let trailers = classify::trailers(&body);
    let signed = commit
        .extra_headers
        .iter()
        .any(|(k, _)| k.as_bytes() == b"gpgsig" || k.as_bytes() == b"gpgsig-sha256");
    CommitRecord {
        id,
        tree: commit.tree(),
        author,
        author_email,
        committer,
        committer_email,
        author_time,
        commit_time,
        parents: u32::try_from(parents).unwrap_or(u32::MAX),
        parent_indices: Vec::new(),
        subject: subject.trim().to_owned(),
        body,
        trailers,
        signed,
        on_head: false,
        changes: Vec::new(),
    }
}

/// Kahn's algorithm, parents first; among ready commits the oldest
/// committer date (then the smallest id) goes first, so the order is
/// deterministic. Returns the order (old indices) and each id's new index.
fn topological_order(
    commits: &[CommitRecord],
    parents: &[Vec<ObjectId>],
) -> (Vec<usize>, HashMap<ObjectId, usize>) {
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut pending = vec![0usize; commits.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    for (i, ps) in parents.iter().enumerate() {
        let mut unique: Vec<usize> = ps.iter().filter_map(|p| index.get(p).copied()).collect();
        unique.sort_unstable();
        unique.dedup();
        pending[i] = unique.len();
        for p in unique {
            children[p].push(i);
        }
    }
    let key = |i: usize| Reverse((commits[i].commit_time, commits[i].id, i));
    let mut ready: BinaryHeap<_> = (0..commits.len())
        .filter(|&i| pending[i] == 0)
        .map(key)
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            pending[child] -= 1;
            if pending[child] == 0 {
                ready.push(key(child));
            }
        }
    }
    let position = order
        .iter()
        .enumerate()
        .map(|(new, &old)| (commits[old].id, new))
        .collect();
    (order, position)
}

/// Git's tree-entry order: names compared bytewise, a tree's name as if it
/// ended in `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> CmpOrdering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        CmpOrdering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| name.get(n).copied().or(tree.then_some(b'/'));
    next(a, a_tree).cmp(&next(b, b_tree))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Tree,
    Blob,
    Other,
}

fn entry_kind(mode: gix::objs::tree::EntryMode) -> EntryKind {
    if mode.is_tree() {
        EntryKind::Tree
    } else if mode.is_blob_or_symlink() {
        EntryKind::Blob
    } else {
        EntryKind::Other
    }
}

/// The content of tree `id`; `None` for no tree, and for one the object
/// database does not hold, which is counted.
fn load_tree(
    odb: &RefCell<crate::pack::Reader<'_>>,
    id: Option<ObjectId>,
    missing: &mut u64,
) -> Option<std::sync::Arc<Vec<u8>>> {
    let id = id?;
    match odb.borrow_mut().object(&id) {
        Some((gix::object::Kind::Tree, data)) => Some(data),
        _ => {
            *missing += 1;
            None
        }
    }
}

/// The entries of a tree, in the order it stores them (git's).
fn tree_entries(
    data: Option<&Vec<u8>>,
    kind: gix::hash::Kind,
) -> impl Iterator<Item = (EntryKind, &BStr, &gix::oid)> {
    data.map(|d| gix::objs::TreeRefIter::from_bytes(d, kind))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| (entry_kind(e.mode), e.filename, e.oid))
}

/// Compares two trees, recording blob-level changes under `prefix`. The
/// entries of both are read in step, in git's order, without a copy.
fn diff_trees(
    odb: &RefCell<crate::pack::Reader<'_>>,
    kind: gix::hash::Kind,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &mut String,
    out: &mut Vec<RawChange>,
    missing: &mut u64,
) {
    if old.is_some() && old == new {
        return;
    }
    let old_data = load_tree(odb, old, missing);
    let new_data = load_tree(odb, new, missing);
    let mut a = tree_entries(old_data.as_deref(), kind).peekable();
    let mut b = tree_entries(new_data.as_deref(), kind).peekable();
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            // Most entries are unchanged: skip them before any path work.
            (Some(x), Some(y)) if x.2 == y.2 && x.0 == y.0 && x.1 == y.1 => {
                a.next();
                b.next();
                continue;
            }
            (Some(x), Some(y)) => {
                git_order(x.1, x.0 == EntryKind::Tree, y.1, y.0 == EntryKind::Tree)
            }
            (Some(_), None) => CmpOrdering::Less,
            (None, Some(_)) => CmpOrdering::Greater,
        };
        let (left, right) = match order {
            CmpOrdering::Less => (a.next(), None),
            CmpOrdering::Greater => (None, b.next()),
            CmpOrdering::Equal => (a.next(), b.next()),
        };
        let Some(name) = left.or(right).map(|e| e.1) else {
            break;
        };
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(&name.to_str_lossy());
        let tree_of = |e: Option<(EntryKind, &BStr, &gix::oid)>| {
            e.filter(|e| e.0 == EntryKind::Tree).map(|e| e.2.to_owned())
        };
        let blob_of = |e: Option<(EntryKind, &BStr, &gix::oid)>| {
            e.filter(|e| e.0 == EntryKind::Blob).map(|e| e.2.to_owned())
        };
        let (old_tree, new_tree) = (tree_of(left), tree_of(right));
        if (old_tree.is_some() || new_tree.is_some()) && old_tree != new_tree {
            diff_trees(odb, kind, old_tree, new_tree, prefix, out, missing);
        }
        let (old_blob, new_blob) = (blob_of(left), blob_of(right));
        if (old_blob.is_some() || new_blob.is_some()) && old_blob != new_blob {
            out.push(RawChange {
                path: prefix.clone(),
                old: old_blob,
                new: new_blob,
            });
        }
        prefix.truncate(len);
    }
}

/// Turns raw changes into [`Change`]s, pairing a deleted and an added path
/// with the same blob as an exact rename (paths in sorted order, so pairing
/// is deterministic).
fn pair_renames(raw: &mut [RawChange]) -> Vec<Change> {
    raw.sort_by(|a, b| a.path.cmp(&b.path));
    let mut deleted: BTreeMap<ObjectId, Vec<usize>> = BTreeMap::new();
    for (i, c) in raw.iter().enumerate() {
        if let (Some(old), None) = (c.old, c.new) {
            deleted.entry(old).or_default().push(i);
        }
    }
    for list in deleted.values_mut() {
        list.reverse();
    }
    let mut renamed_from: HashSet<usize> = HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for c in raw.iter() {
        let mut old = c.old;
        let kind = match (c.old, c.new) {
            (None, Some(new)) => match deleted.get_mut(&new).and_then(Vec::pop) {
                Some(from) => {
                    renamed_from.insert(from);
                    old = raw[from].old;
                    ChangeKind::Renamed {
                        from: raw[from].path.clone(),
                    }
                }
                None => ChangeKind::Added,
            },
            (Some(_), Some(_)) => ChangeKind::Modified,
            _ => continue,
        };
        out.push(Change {
            path: c.path.clone(),
            kind,
            blob: c.new,
            old_blob: old,
        });
    }
    for (i, c) in raw.iter().enumerate() {
        if c.new.is_none() && !renamed_from.contains(&i) {
            out.push(Change {
                path: c.path.clone(),
                kind: ChangeKind::Deleted,
                blob: None,
                old_blob: c.old,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Whether a path is an environment file that should never be committed:
/// `.env`, `.env.local`, `.env.production`, `prod.env` …, but not the
/// documented templates (`.env.example`, `.env.sample`, `.env.template`,
/// `.env.dist`, `.env.defaults`).
pub fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    const TEMPLATES: &[&str] = &[
        "example", "sample", "template", "dist", "defaults", "default", "schema", "tpl", "tmpl",
        "skel", "stub", "test", "ci", "vault", "keep",
    ];
    let suffixes: Vec<&str> = if name == ".env" {
        Vec::new()
    } else if let Some(rest) = name.strip_prefix(".env.") {
        rest.split('.').collect()
    } else if let Some(stem) = name.strip_suffix(".env") {
        if stem.is_empty() {
            return false;
        }
        stem.trim_start_matches('.').split('.').collect()
    } else {
        return false;
    };
    !suffixes
        .iter()
        .any(|s| TEMPLATES.contains(s) || s.ends_with("example"))
}

/// Whether a HEAD path counts for the truck factor: vendored and generated
/// files (the one file classifier decides) and lock files are left out.
fn counts_for_authorship(path: &str) -> bool {
    const LOCKS: &[&str] = &[
        "Cargo.lock",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "Gemfile.lock",
        "composer.lock",
        "go.sum",
        "bun.lockb",
        "Pipfile.lock",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    !LOCKS.contains(&name)
        && !matches!(
            diligence_model::classify(path),
            diligence_model::FileClass::Vendored | diligence_model::FileClass::Generated
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_both_sides() {
        for p in [
            ".env",
            ".env.local",
            "app/.env.production",
            "prod.env",
            ".env.development.local",
        ] {
            assert!(is_env_file(p), "{p} must be flagged");
        }
        for p in [
            ".env.example",
            ".env.sample",
            "a/.env.template",
            ".env.local.example",
            "env.rs",
            ".envrc",
            "environment.ts",
            ".env.dist",
            ".environment",
        ] {
            assert!(!is_env_file(p), "{p} must not be flagged");
        }
    }

    #[test]
    fn git_order_matches_git() {
        assert_eq!(git_order(b"a", false, b"a", true), CmpOrdering::Less);
        assert_eq!(git_order(b"a.txt", false, b"a", true), CmpOrdering::Less);
        assert_eq!(git_order(b"a", false, b"a.txt", false), CmpOrdering::Less);
        assert_eq!(git_order(b"b", true, b"a", false), CmpOrdering::Greater);
    }

    #[test]
    fn authorship_skips_locks_and_vendored() {
        assert!(counts_for_authorship("src/main.rs"));
        assert!(!counts_for_authorship("Cargo.lock"));
        assert!(!counts_for_authorship("web/node_modules/x/index.js"));
        assert!(!counts_for_authorship("vendor/lib.c"));
    }
}

//! The blob index: every unique blob reachable from any reference, with the
//! commit and path that first introduced it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use gix::ObjectId;
use gix::objs::Exists;
use rayon::prelude::*;

/// One unique blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobEntry {
    /// Object id.
    pub id: ObjectId,
    /// Index into [`History::commits`](crate::History::commits) of the
    /// earliest commit (parents first) that introduced it.
    pub first_commit: usize,
    /// The first path it appeared at, `/` separated.
    pub path: String,
    /// Whether HEAD's tree holds it (at any path).
    pub at_head: bool,
    /// Where HEAD's tree holds it (the first such path), which may differ
    /// from [`path`](Self::path) after a move.
    pub head_path: Option<String>,
    /// The version it replaced: the blob at the same path in the parent
    /// commit of the change that introduced it, when that change was an
    /// edit (`None` for a new file or a renamed copy). Everything this
    /// blob shares with its base was already in an earlier blob.
    pub base: Option<ObjectId>,
}

impl BlobEntry {
    /// The path to show: where HEAD holds it, else where it first appeared.
    pub fn display_path(&self) -> &str {
        self.head_path.as_deref().unwrap_or(&self.path)
    }
}

/// Every unique blob, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct BlobIndex {
    entries: Vec<BlobEntry>,
    by_id: HashMap<ObjectId, usize>,
}

/// What [`BlobIndex::for_each_blob`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlobScanStats {
    /// Blobs read and handed to the callback.
    pub scanned: u64,
    /// Bytes handed to the callback.
    pub bytes: u64,
    /// Blobs the filter declined.
    pub skipped: u64,
    /// Blobs absent from the object database (partial clones) or unreadable.
    pub missing: u64,
}

impl BlobIndex {
    /// Number of unique blobs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no blobs.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The blobs in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = &BlobEntry> {
        self.entries.iter()
    }

    /// The entry of a blob id.
    pub fn get(&self, id: &gix::oid) -> Option<&BlobEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// Adds a blob unless known; returns whether it was new. `base` is the
    /// version it replaced at `path`, if any.
    pub(crate) fn insert(
        &mut self,
        id: ObjectId,
        first_commit: usize,
        path: &str,
        base: Option<ObjectId>,
    ) -> bool {
        if self.by_id.contains_key(&id) {
            return false;
        }
        self.by_id.insert(id, self.entries.len());
        self.entries.push(BlobEntry {
            id,
            first_commit,
            path: path.to_owned(),
            at_head: false,
            head_path: None,
            base,
        });
        true
    }

    /// The entries in groups by path, each in order of first appearance,
    /// the largest group first. A file's versions share their delta chains
    /// in the pack: read on one thread, each link of a chain is resolved
    /// once; split between threads, each thread resolves it again. Many
    /// more groups than threads, taken largest first, keep the threads
    /// equally busy.
    fn groups_by_path(&self) -> Vec<Vec<usize>> {
        const GROUPS: usize = 256;
        let mut groups = vec![Vec::new(); GROUPS];
        for (i, entry) in self.entries.iter().enumerate() {
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&entry.path, &mut hasher);
            let slot = std::hash::Hasher::finish(&hasher) % GROUPS as u64;
            groups[usize::try_from(slot).unwrap_or(0)].push(i);
        }
        groups.retain(|g| !g.is_empty());
        groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
        groups
    }

    pub(crate) fn entries_mut(&mut self) -> &mut [BlobEntry] {
        &mut self.entries
    }

    /// Blobs the object database does not hold (promised by a partial
    /// clone's remote, or lost): an index lookup each, nothing is inflated.
    pub(crate) fn count_absent(&self, repo: &gix::ThreadSafeRepository) -> u64 {
        self.entries
            .par_iter()
            .map_init(
                || repo.to_thread_local(),
                |local, entry| u64::from(!local.objects.exists(&entry.id)),
            )
            .sum()
    }

    /// Streams blob contents in parallel on the current rayon pool, one
    /// pack reader per thread sharing one cache of resolved objects.
    /// Memory stays bounded by that cache plus threads × the largest blob.
    /// `filter` sees the entry before the content is read. Missing objects
    /// are counted, not fatal.
    pub fn for_each_blob<F, P>(
        &self,
        repo: &gix::ThreadSafeRepository,
        filter: P,
        f: F,
    ) -> BlobScanStats
    where
        P: Fn(&BlobEntry) -> bool + Sync,
        F: Fn(&BlobEntry, &[u8]) + Sync,
    {
        self.for_each_version(repo, filter, |_| false, |entry, data, _| f(entry, data))
    }

    /// Like [`for_each_blob`](Self::for_each_blob), and for each entry that
    /// has a [`base`](BlobEntry::base) and that `wants_base` accepts, offers
    /// the base's content too ([`Base`]): a scan of what a version added
    /// need not read again what its base held. The base is read only when
    /// the callback asks for it, so a version whose own content settles the
    /// question costs one read.
    pub fn for_each_version<F, P, B>(
        &self,
        repo: &gix::ThreadSafeRepository,
        filter: P,
        wants_base: B,
        f: F,
    ) -> BlobScanStats
    where
        P: Fn(&BlobEntry) -> bool + Sync,
        B: Fn(&BlobEntry) -> bool + Sync,
        F: Fn(&BlobEntry, &[u8], &mut Base<'_>) + Sync,
    {
        let scanned = AtomicU64::new(0);
        let bytes = AtomicU64::new(0);
        let skipped = AtomicU64::new(0);
        let missing = AtomicU64::new(0);
        let packs = crate::pack::Packs::open(repo, crate::walk::PACK_CACHE_TOTAL);
        let groups = self.groups_by_path();
        let next = AtomicUsize::new(0);
        rayon::broadcast(|_| {
            let mut reader = crate::pack::Reader::new(&packs, repo.to_thread_local());
            while let Some(group) = groups.get(next.fetch_add(1, Ordering::Relaxed)) {
                for &i in group {
                    let entry = &self.entries[i];
                    if !filter(entry) {
                        skipped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let Some(data) = reader.blob(&entry.id) else {
                        missing.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    scanned.fetch_add(1, Ordering::Relaxed);
                    bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                    let mut base = Base {
                        id: entry.base.filter(|_| wants_base(entry)),
                        reader: &mut reader,
                        read: None,
                    };
                    f(entry, &data, &mut base);
                }
            }
        });
        BlobScanStats {
            scanned: scanned.into_inner(),
            bytes: bytes.into_inner(),
            skipped: skipped.into_inner(),
            missing: missing.into_inner(),
        }
    }
}

/// The version a blob replaced at its path, read the first time it is
/// asked for (see [`BlobIndex::for_each_version`]).
pub struct Base<'a> {
    id: Option<ObjectId>,
    reader: &'a mut dyn crate::pack::ReadBlob,
    /// The content once read (`Some(None)` when it could not be read).
    read: Option<Option<std::sync::Arc<Vec<u8>>>>,
}

impl Base<'_> {
    /// Whether the blob has a base to offer: it replaced a version at the
    /// same path, and the caller wanted it.
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// The base's content, or `None` when there is none or it cannot be
    /// read (a partial clone's missing object).
    pub fn get(&mut self) -> Option<&[u8]> {
        let id = self.id?;
        let reader = &mut *self.reader;
        self.read
            .get_or_insert_with(|| reader.blob(&id))
            .as_deref()
            .map(Vec::as_slice)
    }
}

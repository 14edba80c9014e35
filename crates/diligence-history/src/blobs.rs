//! The blob index: every unique blob reachable from any reference, with the
//! commit and path that first introduced it.

use std::collections::{BTreeMap, HashMap};
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

/// Another path a blob was added at, after its first
/// ([`BlobIndex::other_places`]): a copy of a file, or the same content
/// committed again as a new file elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherPlace {
    /// The path, `/` separated.
    pub path: String,
    /// Index into [`History::commits`](crate::History::commits) of the
    /// earliest commit that added the blob at this path.
    pub first_commit: usize,
    /// Whether HEAD's tree holds the blob at this path.
    pub at_head: bool,
}

/// The most other places kept per blob: enough to name every copy of a
/// file that holds a secret, bounded for the blobs found at thousands of
/// paths (an empty `__init__.py`, a licence).
pub const OTHER_PLACES: usize = 32;

/// Every unique blob, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct BlobIndex {
    entries: Vec<BlobEntry>,
    /// Keyed by the id's own bytes, which are already a hash.
    by_id: gix::hashtable::HashMap<ObjectId, usize>,
    /// The blobs seen at more than one path: their other places, in order
    /// of first appearance, at most [`OTHER_PLACES`] each.
    others: BTreeMap<usize, Vec<OtherPlace>>,
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

    /// The paths other than its first ([`BlobEntry::path`]) at which a
    /// blob was added as a new file, in order of first appearance, at most
    /// [`OTHER_PLACES`]; empty for a blob seen at one path.
    pub fn other_places(&self, id: &gix::oid) -> &[OtherPlace] {
        self.by_id
            .get(id)
            .and_then(|i| self.others.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// Adds a blob unless known; returns whether it was new. `base` is the
    /// version it replaced at `path`, if any. A known blob `added` as a new
    /// file at another path (a copy; not a rename, nor an edit that
    /// happens to equal another file) is kept as one of its
    /// [other places](Self::other_places).
    pub(crate) fn insert(
        &mut self,
        id: ObjectId,
        first_commit: usize,
        path: &str,
        base: Option<ObjectId>,
        added: bool,
    ) -> bool {
        if let Some(&index) = self.by_id.get(&id) {
            if added && self.entries[index].path != path {
                let others = self.others.entry(index).or_default();
                if others.len() < OTHER_PLACES && others.iter().all(|p| p.path != path) {
                    others.push(OtherPlace {
                        path: path.to_owned(),
                        first_commit,
                        at_head: false,
                    });
                }
            }
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

    /// Marks the other places HEAD's tree holds (`head` maps each of its
    /// blobs to its paths).
    pub(crate) fn mark_other_places_at_head(&mut self, head: &HashMap<ObjectId, Vec<&str>>) {
        for (index, places) in &mut self.others {
            let Some(paths) = head.get(&self.entries[*index].id) else {
                continue;
            };
            for place in places {
                place.at_head = paths.contains(&place.path.as_str());
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn a_blob_added_at_other_paths_keeps_them_but_not_a_rename() {
        let mut index = BlobIndex::default();
        assert!(index.insert(id(1), 0, "config/app.env", None, true));
        assert!(!index.insert(id(1), 2, "backup/app.env", None, true));
        // Again at a known path, moved there by a rename or edited to equal
        // it: no new place.
        assert!(!index.insert(id(1), 3, "backup/app.env", None, true));
        assert!(!index.insert(id(1), 4, "deploy/app.env", None, false));
        assert!(!index.insert(id(1), 5, "config/app.env", None, true));
        let places = index.other_places(&id(1));
        assert_eq!(
            places,
            [OtherPlace {
                path: "backup/app.env".to_owned(),
                first_commit: 2,
                at_head: false,
            }]
        );
        assert!(index.insert(id(2), 1, "README.md", None, true));
        assert!(index.other_places(&id(2)).is_empty());
        assert!(index.other_places(&id(3)).is_empty());
        // HEAD holds the backup only.
        let head = HashMap::from([(id(1), vec!["backup/app.env"])]);
        index.mark_other_places_at_head(&head);
        assert!(index.other_places(&id(1))[0].at_head);
    }

    #[test]
    fn other_places_are_bounded() {
        let mut index = BlobIndex::default();
        index.insert(id(1), 0, "pkg/__init__.py", None, true);
        for n in 0..100 {
            index.insert(id(1), n, &format!("pkg{n}/__init__.py"), None, true);
        }
        assert_eq!(index.other_places(&id(1)).len(), OTHER_PLACES);
        assert_eq!(index.other_places(&id(1))[0].path, "pkg0/__init__.py");
    }
}

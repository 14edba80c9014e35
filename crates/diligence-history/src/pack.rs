//! Blob reading straight from the pack files, with every object of a delta
//! chain kept for the next read.
//!
//! Git packs the newest version of a file whole and older versions as
//! deltas against newer ones, in chains up to fifty deep. The history scan
//! reads versions oldest first, so each read resolves a chain whose every
//! link is one of the versions it reads next. gix's decoder keeps only the
//! object it was asked for, so each of those reads walks the chain again
//! from its whole end: quadratic in the chain's depth. This reader keeps
//! every object it resolves along the way (under a memory cap), so the next
//! version's read stops one link down. The cache is shared by the reading
//! threads: a chain one thread resolved serves them all (a quarter less
//! CPU than a cache per thread on the generated benchmark, whose files'
//! chains cross paths). Anything it cannot read itself
//! (loose objects, alternates, an unknown pack layout, a damaged entry) is
//! left to gix, which reports what is missing.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use gix::objs::Find;
use gix::odb::pack;
use gix::odb::pack::data::entry::Header;

/// The largest object this reader resolves itself; larger ones go to gix.
const MAX_OBJECT: u64 = 1 << 30;

/// Delta chains are at most a few thousand deep; a longer one is a cycle
/// in a damaged pack.
const MAX_CHAIN: usize = 10_000;

/// The repository's packs, opened once and shared by the reading threads.
pub(crate) struct Packs {
    bundles: Vec<pack::Bundle>,
    /// Resolved objects, shared by the threads: a chain one thread
    /// resolved serves every thread.
    cache: Mutex<Cache>,
    cap: usize,
}

type Cache =
    clru::CLruCache<(usize, u64), Resolved, std::collections::hash_map::RandomState, Weight>;

impl Packs {
    /// The packs of the repository's own object directory, with a cache
    /// of `cap` bytes. No packs when the directory cannot be listed: every
    /// read then goes to gix.
    pub(crate) fn open(repo: &gix::ThreadSafeRepository, cap: usize) -> Self {
        let kind = repo.to_thread_local().object_hash();
        let dir = repo.objects.path().join("pack");
        let mut bundles = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            paths.sort();
            for path in paths {
                if let Ok(bundle) = pack::Bundle::at(&path, kind) {
                    bundles.push(bundle);
                }
            }
        }
        let capacity = NonZeroUsize::new(cap.max(1)).unwrap_or(NonZeroUsize::MIN);
        Self {
            bundles,
            cache: Mutex::new(clru::CLruCache::with_scale(capacity, Weight)),
            cap,
        }
    }

    fn locate(&self, id: &gix::oid) -> Option<(usize, u64)> {
        self.bundles.iter().enumerate().find_map(|(n, bundle)| {
            let index = bundle.index.lookup(id)?;
            Some((n, bundle.index.pack_offset_at_index(index)))
        })
    }
}

struct Weight;

impl clru::WeightScale<(usize, u64), Resolved> for Weight {
    fn weight(&self, _key: &(usize, u64), value: &Resolved) -> usize {
        value.1.len().max(1)
    }
}

/// An object's kind and content.
pub(crate) type Resolved = (gix::object::Kind, Arc<Vec<u8>>);

/// One thread's reader: its inflate state, buffers, and a gix handle for
/// what it does not read itself.
pub(crate) struct Reader<'p> {
    packs: &'p Packs,
    repo: gix::Repository,
    inflate: gix::zlib::Inflate,
    instructions: Vec<u8>,
    fallback: Vec<u8>,
}

impl<'p> Reader<'p> {
    /// A reader of `packs`, with `repo` for what is not in them.
    pub(crate) fn new(packs: &'p Packs, repo: gix::Repository) -> Self {
        Self {
            packs,
            repo,
            inflate: gix::zlib::Inflate::default(),
            instructions: Vec::new(),
            fallback: Vec::new(),
        }
    }

    /// The content of blob `id`, or `None` when the object database does
    /// not hold it as a blob.
    pub(crate) fn blob(&mut self, id: &gix::oid) -> Option<Arc<Vec<u8>>> {
        let (kind, data) = self.object(id)?;
        (kind == gix::object::Kind::Blob).then_some(data)
    }

    /// The kind and content of object `id`, or `None` when the object
    /// database does not hold it.
    pub(crate) fn object(&mut self, id: &gix::oid) -> Option<Resolved> {
        if let Some((n, offset)) = self.packs.locate(id)
            && let Some(resolved) = self.resolve(n, offset)
        {
            return Some(resolved);
        }
        match self.repo.objects.try_find(id, &mut self.fallback) {
            Ok(Some(data)) => Some((data.kind, Arc::new(data.data.to_vec()))),
            _ => None,
        }
    }

    /// Resolves the entry at `offset` of pack `n`, keeping each object of
    /// its chain. `None` on anything unexpected: gix then reads it.
    fn resolve(&mut self, n: usize, offset: u64) -> Option<Resolved> {
        let bundle = &self.packs.bundles[n];
        let file = &bundle.pack;
        let mut chain: Vec<pack::data::Entry> = Vec::new();
        let mut entry = file.entry(offset).ok()?;
        let (kind, mut base) = loop {
            let hit = self
                .packs
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&(n, entry.data_offset))
                .cloned();
            if let Some(hit) = hit {
                break hit;
            }
            let next = match &entry.header {
                Header::OfsDelta { base_distance } => {
                    entry.checked_base_pack_offset(*base_distance)?
                }
                Header::RefDelta { base_id } => {
                    let index = bundle.index.lookup(base_id)?;
                    bundle.index.pack_offset_at_index(index)
                }
                header => {
                    let kind = header.as_kind()?;
                    if entry.decompressed_size > MAX_OBJECT {
                        return None;
                    }
                    let mut data = vec![0; usize::try_from(entry.decompressed_size).ok()?];
                    file.decompress_entry(&entry, &mut self.inflate, &mut data)
                        .ok()?;
                    let resolved = (kind, Arc::new(data));
                    self.keep(n, entry.data_offset, &resolved);
                    break resolved;
                }
            };
            if chain.len() >= MAX_CHAIN {
                return None;
            }
            chain.push(entry);
            entry = file.entry(next).ok()?;
        };
        for delta in chain.iter().rev() {
            if delta.decompressed_size > MAX_OBJECT {
                return None;
            }
            self.instructions
                .resize(usize::try_from(delta.decompressed_size).ok()?, 0);
            file.decompress_entry(delta, &mut self.inflate, &mut self.instructions)
                .ok()?;
            let result = apply(&base, &self.instructions)?;
            base = Arc::new(result);
            self.keep(n, delta.data_offset, &(kind, base.clone()));
        }
        Some((kind, base))
    }

    /// Keeps a resolved object unless it would take more than a quarter of
    /// the cache: one huge file must not push out every chain in flight.
    fn keep(&mut self, n: usize, offset: u64, resolved: &Resolved) {
        if resolved.1.len() <= self.packs.cap / 4 {
            let mut cache = self.packs.cache.lock().unwrap_or_else(|e| e.into_inner());
            let _ = cache.put_with_weight((n, offset), resolved.clone());
        }
    }
}

/// What reads a blob by id: a [`Reader`], behind the lazily read base of
/// [`crate::Base`].
pub(crate) trait ReadBlob {
    fn blob(&mut self, id: &gix::oid) -> Option<Arc<Vec<u8>>>;
}

impl ReadBlob for Reader<'_> {
    fn blob(&mut self, id: &gix::oid) -> Option<Arc<Vec<u8>>> {
        Reader::blob(self, id)
    }
}

/// Reads one size of a delta's header (little-endian base-128).
fn size(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *data.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Applies git delta `instructions` to `base`: a header with the base's
/// and the result's sizes, then copies from the base and inserted bytes.
/// `None` when the delta does not fit its base or its stated size.
pub(crate) fn apply(base: &[u8], instructions: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let base_size = size(instructions, &mut at)?;
    let result_size = size(instructions, &mut at)?;
    if base_size != base.len() as u64 || result_size > MAX_OBJECT {
        return None;
    }
    let result_size = usize::try_from(result_size).ok()?;
    let mut out = Vec::with_capacity(result_size);
    while let Some(&op) = instructions.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            // Copy: up to four offset bytes and three size bytes, each
            // present when its bit is set.
            let mut offset = 0usize;
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    offset |= usize::from(*instructions.get(at)?) << (8 * i);
                    at += 1;
                }
            }
            let mut len = 0usize;
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    len |= usize::from(*instructions.get(at)?) << (8 * i);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let end = offset.checked_add(len)?;
            out.extend_from_slice(base.get(offset..end)?);
        } else if op != 0 {
            let end = at + usize::from(op);
            out.extend_from_slice(instructions.get(at..end)?);
            at = end;
        } else {
            return None;
        }
        if out.len() > result_size {
            return None;
        }
    }
    (out.len() == result_size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    #[test]
    fn applies_copies_and_inserts() {
        let base = b"line one\nline two\nline three\n";
        let mut delta = Vec::new();
        varint(base.len(), &mut delta);
        varint(24, &mut delta);
        // Copy 9 bytes from offset 0, insert "new\n", copy "line three\n".
        delta.extend_from_slice(&[0x80 | 0x10, 9]);
        delta.extend_from_slice(&[4]);
        delta.extend_from_slice(b"new\n");
        delta.extend_from_slice(&[0x80 | 0x01 | 0x10, 18, 11]);
        let out = apply(base, &delta).expect("valid delta");
        assert_eq!(out, b"line one\nnew\nline three\n");
    }

    #[test]
    fn refuses_deltas_that_do_not_fit() {
        let base = b"abc";
        // Wrong base size.
        assert!(apply(base, &[4, 3, 0x90, 3]).is_none());
        // A copy past the base's end.
        assert!(apply(base, &[3, 4, 0x90, 4]).is_none());
        // A result longer than stated.
        assert!(apply(base, &[3, 2, 0x90, 3]).is_none());
        // The reserved opcode.
        assert!(apply(base, &[3, 0, 0]).is_none());
        // Truncated insert.
        assert!(apply(base, &[3, 5, 5, b'x']).is_none());
        // A copy of size zero means 0x10000 bytes, past this base.
        assert!(apply(base, &[3, 3, 0x80]).is_none());
    }
}

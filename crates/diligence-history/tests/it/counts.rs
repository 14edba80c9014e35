//! Every count agrees exactly with git on the same fixture.

use diligence_testkit::{fixture_repo, git};

use crate::{git_count, int, walk};

fn reachable_blobs(repo: &std::path::Path) -> usize {
    let objects = git(repo, &["rev-list", "--all", "--objects"]);
    let ids: Vec<&str> = objects
        .lines()
        .filter_map(|l| l.split(' ').next())
        .collect();
    let mut count = 0;
    for chunk in ids.chunks(500) {
        let mut args = vec!["cat-file", "-t"];
        // `cat-file -t` takes one object; batch through a shell-free loop.
        for id in chunk {
            args.truncate(2);
            args.push(id);
            if git(repo, &args).trim() == "blob" {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn basic_counts_match_git() {
    let repo = fixture_repo("basic");
    let (_, history) = walk(&repo);
    let ev = history.evidence();
    // Statistics describe the history the assessed commit reaches.
    assert_eq!(
        int(&ev, "git.commits"),
        git_count(&repo, &["rev-list", "--count", "HEAD"])
    );
    assert_eq!(
        int(&ev, "git.commits.all-refs"),
        git_count(&repo, &["rev-list", "--count", "--all"])
    );
    assert_eq!(
        int(&ev, "git.merges"),
        git_count(&repo, &["rev-list", "--count", "--merges", "HEAD"])
    );
    let shortlog = git(&repo, &["shortlog", "-sne", "HEAD"]);
    assert_eq!(
        int(&ev, "git.author-identities"),
        shortlog.lines().count() as i64
    );
    assert_eq!(
        int(&ev, "git.authors"),
        4,
        "the mailmap joins Alice's two identities; Erin's branch is outside the assessed history"
    );
    let all_blobs = git(&repo, &["cat-file", "--batch-all-objects", "--batch-check"])
        .lines()
        .filter(|l| l.split(' ').nth(1) == Some("blob"))
        .count();
    assert_eq!(int(&ev, "git.blobs"), all_blobs as i64);
    assert_eq!(history.blobs().len(), all_blobs);
    let tags = git(&repo, &["tag"]).lines().count();
    assert_eq!(int(&ev, "git.tags.all-refs"), tags as i64);
    let merged_tags = git(&repo, &["tag", "--merged", "HEAD"]).lines().count();
    assert_eq!(int(&ev, "git.tags"), merged_tags as i64);
    assert_eq!(int(&ev, "git.objects.missing"), 0);
    assert!(ev.partial.is_none());

    // Per-author commit counts agree with shortlog too.
    let mut ours: Vec<(usize, String)> = Vec::new();
    let mut map = std::collections::BTreeMap::<String, usize>::new();
    for c in history.scoped_commits() {
        *map.entry(c.author_identity()).or_default() += 1;
    }
    for (k, v) in map {
        ours.push((v, k));
    }
    let mut theirs: Vec<(usize, String)> = shortlog
        .lines()
        .map(|l| {
            let (n, who) = l.trim().split_once('\t').expect("count and name");
            (n.parse().expect("count"), who.to_owned())
        })
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

#[test]
fn parents_come_before_children() {
    let (_, history) = walk(&fixture_repo("basic"));
    for (i, c) in history.commits().iter().enumerate() {
        assert!(
            c.parent_indices.iter().all(|&p| p < i),
            "{} precedes a parent",
            c.id
        );
    }
    for b in history.blobs().iter() {
        assert!(b.first_commit < history.commits().len());
    }
}

#[test]
fn blob_index_covers_every_reachable_blob() {
    for name in ["detached", "bare", "shallow"] {
        let repo = fixture_repo(name);
        let (_, history) = walk(&repo);
        assert_eq!(history.blobs().len(), reachable_blobs(&repo), "{name}");
        assert_eq!(
            int(&history.evidence(), "git.commits.all-refs"),
            git_count(&repo, &["rev-list", "--count", "--all"]),
            "{name}"
        );
        assert_eq!(
            int(&history.evidence(), "git.commits"),
            git_count(&repo, &["rev-list", "--count", "HEAD"]),
            "{name}"
        );
    }
}

#[test]
fn streams_every_blob_once() {
    let repo = fixture_repo("basic");
    let (target, history) = walk(&repo);
    let seen = std::sync::Mutex::new(Vec::new());
    let stats = history.blobs().for_each_blob(
        target.repository().expect("repo"),
        |_| true,
        |entry, bytes| {
            let hashed =
                gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, bytes)
                    .expect("hash");
            assert_eq!(hashed, entry.id, "the bytes are the blob's");
            seen.lock().expect("lock").push(entry.id);
        },
    );
    assert_eq!(stats.scanned as usize, history.blobs().len());
    assert_eq!(stats.missing, 0);
    let mut seen = seen.into_inner().expect("lock");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), history.blobs().len());
    let filtered = history.blobs().for_each_blob(
        target.repository().expect("repo"),
        |e| e.path.ends_with(".rs"),
        |_, _| {},
    );
    assert_eq!(
        filtered.scanned + filtered.skipped,
        history.blobs().len() as u64
    );
    assert!(filtered.skipped > 0);
}

#[test]
fn reads_packed_delta_chains_and_loose_objects_alike() {
    let repo = fixture_repo("packed");
    let packs = std::fs::read_dir(repo.join(".git/objects/pack"))
        .expect("pack dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pack"))
        })
        .count();
    assert_eq!(packs, 2, "two packs");
    let (target, history) = walk(&repo);
    assert_eq!(history.blobs().len(), reachable_blobs(&repo));
    let hash = |bytes: &[u8]| {
        gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, bytes)
            .expect("hash")
    };
    let bases = std::sync::atomic::AtomicU64::new(0);
    let stats = history.blobs().for_each_version(
        target.repository().expect("repo"),
        |_| true,
        |_| true,
        |entry, bytes, base| {
            assert_eq!(hash(bytes), entry.id, "the bytes are the blob's");
            assert_eq!(base.exists(), entry.base.is_some());
            if let Some(id) = entry.base {
                let content = base.get().expect("the base is readable");
                assert_eq!(hash(content), id, "the base's bytes are its own");
                // A second request gives the same content.
                assert_eq!(base.get().map(hash), Some(id));
                bases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        },
    );
    assert_eq!(stats.scanned as usize, history.blobs().len());
    assert_eq!(stats.missing, 0);
    // Every version of the two edited files but the first replaced one.
    assert!(bases.into_inner() > 100);
}

//! The target's files, listed once and read with a size cap.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use diligence_history::Target;
use diligence_history::gix;

/// How the file list is built.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FileIndexOptions {
    /// Honour `.gitignore` files (off by default: an ignored `.env` on disk
    /// is still evidence).
    pub respect_gitignore: bool,
    /// Files larger than this are listed but not read.
    pub max_file_size: u64,
    /// At most this many files are listed; the rest are counted.
    pub max_files: usize,
}

impl Default for FileIndexOptions {
    fn default() -> Self {
        Self {
            respect_gitignore: false,
            max_file_size: 8 * 1024 * 1024,
            max_files: 500_000,
        }
    }
}

/// Where the listed files come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSource {
    /// A checked-out worktree or a plain directory.
    Worktree,
    /// The HEAD tree of a bare repository.
    HeadTree,
    /// Nothing to list (a bare repository without commits).
    None,
}

/// One listed file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    blob: Option<gix::ObjectId>,
}

/// The result of a bounded read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The whole content.
    Content(Vec<u8>),
    /// Larger than the cap; not read.
    TooLarge {
        /// The file's size.
        size: u64,
    },
}

/// Directory names that hold generated output or installed packages; when
/// `.gitignore` ignores such a directory it is not listed.
const GENERATED_DIRS: &[&str] = &[
    "target",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".cache",
    ".gradle",
    ".terraform",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "dist",
    "build",
    "coverage",
];

/// Every regular file of the target, sorted by path. Symbolic links are not
/// followed, `.git/` is never entered.
///
/// Three kinds of directory are skipped and named in
/// [`skipped_dirs`](Self::skipped_dirs): other repositories nested inside the
/// worktree (they have a `.git` of their own), cache directories tagged with
/// a `CACHEDIR.TAG` file, and directories of generated output or installed
/// packages (`target`, `node_modules`, `dist`, ...) that the root `.gitignore`
/// ignores. Ignored files elsewhere (an untracked `.env`) are still listed
/// unless [`FileIndexOptions::respect_gitignore`] is set.
#[derive(Debug)]
pub struct FileIndex {
    source: FileSource,
    root: PathBuf,
    entries: Vec<FileEntry>,
    omitted: usize,
    skipped_dirs: Vec<String>,
    max_file_size: u64,
    repo: Option<gix::ThreadSafeRepository>,
}

impl FileIndex {
    /// Lists the target's files: the worktree when there is one, otherwise
    /// the HEAD tree of the bare repository.
    pub fn build(target: &Target, options: &FileIndexOptions) -> io::Result<Self> {
        match (target.worktree(), target.repository()) {
            (Some(root), _) => Self::from_dir(root, options),
            (None, Some(repo)) => Self::from_head_tree(target.root(), repo, options),
            (None, None) => Self::from_dir(target.root(), options),
        }
    }

    /// Lists a directory.
    pub fn from_dir(root: &Path, options: &FileIndexOptions) -> io::Result<Self> {
        let (gitignore, _) = ignore::gitignore::Gitignore::new(root.join(".gitignore"));
        let skipped = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let filter_root = root.to_path_buf();
        let filter_skipped = std::sync::Arc::clone(&skipped);
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .ignore(false)
            .parents(false)
            .git_ignore(options.respect_gitignore)
            .git_global(false)
            .git_exclude(options.respect_gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                if entry.file_name() == ".git" {
                    return false;
                }
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !is_dir || entry.depth() == 0 {
                    return true;
                }
                let path = entry.path();
                let generated = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| GENERATED_DIRS.contains(&name))
                    && gitignore.matched(path, true).is_ignore();
                let skip =
                    generated || path.join(".git").exists() || path.join("CACHEDIR.TAG").exists();
                if skip
                    && let (Ok(relative), Ok(mut list)) =
                        (path.strip_prefix(&filter_root), filter_skipped.lock())
                {
                    list.push(slash_path(relative));
                }
                !skip
            })
            .build();
        let mut entries = Vec::new();
        let mut omitted = 0;
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(_) => {
                    omitted += 1;
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else {
                continue;
            };
            if entries.len() >= options.max_files {
                omitted += 1;
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            entries.push(FileEntry {
                path: slash_path(relative),
                size,
                blob: None,
            });
        }
        entries.sort();
        let mut skipped_dirs = skipped.lock().map(|list| list.clone()).unwrap_or_default();
        skipped_dirs.sort();
        Ok(Self {
            source: FileSource::Worktree,
            root: root.to_path_buf(),
            entries,
            omitted,
            skipped_dirs,
            max_file_size: options.max_file_size,
            repo: None,
        })
    }

    fn from_head_tree(
        root: &Path,
        repo: &gix::ThreadSafeRepository,
        options: &FileIndexOptions,
    ) -> io::Result<Self> {
        let local = repo.to_thread_local();
        let mut index = Self {
            source: FileSource::None,
            root: root.to_path_buf(),
            entries: Vec::new(),
            omitted: 0,
            skipped_dirs: Vec::new(),
            max_file_size: options.max_file_size,
            repo: Some(repo.clone()),
        };
        let Ok(commit) = local.head_commit() else {
            return Ok(index);
        };
        let tree = commit.tree().map_err(io::Error::other)?;
        let mut recorder = gix::traverse::tree::Recorder::default();
        tree.traverse()
            .breadthfirst(&mut recorder)
            .map_err(io::Error::other)?;
        for record in recorder.records {
            if !record.mode.is_blob() {
                continue;
            }
            if index.entries.len() >= options.max_files {
                index.omitted += 1;
                continue;
            }
            let size = local.find_header(record.oid).map(|h| h.size()).unwrap_or(0);
            index.entries.push(FileEntry {
                path: record.filepath.to_string(),
                size,
                blob: Some(record.oid),
            });
        }
        index.entries.sort();
        index.source = FileSource::HeadTree;
        Ok(index)
    }

    /// Where the files come from.
    pub fn source(&self) -> FileSource {
        self.source
    }

    /// The listed files, sorted by path.
    pub fn entries(&self) -> &[FileEntry] {
        &self.entries
    }

    /// Files not listed (over the count cap or unreadable directory entries).
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// Directories not listed: nested repositories, tagged caches and
    /// ignored generated-output directories, relative to the root.
    pub fn skipped_dirs(&self) -> &[String] {
        &self.skipped_dirs
    }

    /// Looks a file up by its relative path.
    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Files whose name (last path component) satisfies `pred`.
    pub fn by_name<'s>(
        &'s self,
        pred: impl Fn(&str) -> bool + 's,
    ) -> impl Iterator<Item = &'s FileEntry> + 's {
        self.entries
            .iter()
            .filter(move |e| pred(e.path.rsplit('/').next().unwrap_or(&e.path)))
    }

    /// Reads a file unless it is larger than the index's cap.
    pub fn read(&self, entry: &FileEntry) -> io::Result<ReadOutcome> {
        self.read_capped(entry, self.max_file_size)
    }

    /// Reads a file unless it is larger than `cap` bytes. The cap is checked
    /// again while reading, so a file that grew since listing is still bounded.
    pub fn read_capped(&self, entry: &FileEntry, cap: u64) -> io::Result<ReadOutcome> {
        if entry.size > cap {
            return Ok(ReadOutcome::TooLarge { size: entry.size });
        }
        if let (Some(oid), Some(repo)) = (entry.blob, &self.repo) {
            let local = repo.to_thread_local();
            let object = local.find_object(oid).map_err(io::Error::other)?;
            return Ok(ReadOutcome::Content(object.data.clone()));
        }
        let file = fs::File::open(self.root.join(&entry.path))?;
        let mut data = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        file.take(cap.saturating_add(1)).read_to_end(&mut data)?;
        if data.len() as u64 > cap {
            return Ok(ReadOutcome::TooLarge {
                size: data.len() as u64,
            });
        }
        Ok(ReadOutcome::Content(data))
    }
}

fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    for (i, part) in path.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hidden_files_skips_git_and_caps_reads() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".git/objects")).unwrap();
        fs::write(dir.path().join(".git/config"), "x").unwrap();
        fs::create_dir_all(dir.path().join("src")).unwrap();
        fs::write(dir.path().join("src/main.rs"), "fn main() {}").unwrap();
        fs::write(dir.path().join(".env"), "A=1").unwrap();
        fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
        let index = FileIndex::from_dir(dir.path(), &FileIndexOptions::default()).unwrap();
        let paths: Vec<_> = index.entries().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".env", ".gitignore", "src/main.rs"]);

        let entry = index.get("src/main.rs").unwrap();
        assert_eq!(
            index.read(entry).unwrap(),
            ReadOutcome::Content(b"fn main() {}".to_vec())
        );
        assert_eq!(
            index.read_capped(entry, 4).unwrap(),
            ReadOutcome::TooLarge { size: 12 }
        );
    }

    #[test]
    fn skips_nested_repositories_caches_and_ignored_build_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, content) in [
            (".gitignore", "/target\n/dist\n.env\n"),
            ("target/debug/app", "binary"),
            (
                "target/CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55",
            ),
            ("dist/bundle.js", "minified"),
            ("build/make.sh", "tracked build script"),
            ("vendor/lib/.git/HEAD", "ref: refs/heads/main"),
            ("vendor/lib/code.rs", "nested repository"),
            (
                "cache/CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55",
            ),
            ("cache/blob", "cached"),
            (".env", "A=1"),
            ("src/main.rs", "fn main() {}"),
        ] {
            let file = root.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, content).unwrap();
        }
        let index = FileIndex::from_dir(root, &FileIndexOptions::default()).unwrap();
        let paths: Vec<_> = index.entries().iter().map(|e| e.path.as_str()).collect();
        // `build/` is not ignored, so it stays; an ignored `.env` stays too.
        assert_eq!(
            paths,
            [".env", ".gitignore", "build/make.sh", "src/main.rs"]
        );
        assert_eq!(
            index.skipped_dirs(),
            ["cache", "dist", "target", "vendor/lib"]
        );
    }

    #[test]
    fn gitignore_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".env"), "A=1").unwrap();
        fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
        let options = FileIndexOptions {
            respect_gitignore: true,
            ..FileIndexOptions::default()
        };
        let index = FileIndex::from_dir(dir.path(), &options).unwrap();
        assert!(index.get(".env").is_none());
        assert!(index.get(".gitignore").is_some());
    }
}

//! Resolving a path into a scan target: a worktree, a bare repository or a
//! plain directory.

use std::path::{Path, PathBuf};

use diligence_model::{TargetInfo, Timestamp, VcsInfo};
use gix::bstr::ByteSlice;

use crate::error::{Error, Result};

/// How [`Target::resolve_with`] looks for a repository.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// Directories that discovery must not climb into (like
    /// `GIT_CEILING_DIRECTORIES`). The starting directory itself is always
    /// searched.
    pub ceiling_dirs: Vec<PathBuf>,
    /// Look for a repository in the given directory only, never in its
    /// parents: a plain directory inside someone else's repository stays a
    /// plain directory.
    pub stay_in_directory: bool,
}

/// A resolved scan target.
///
/// Resolution never executes anything from the repository: gix opens it with
/// isolated permissions (no system, global or environment configuration),
/// and gix runs no hooks.
pub struct Target {
    root: PathBuf,
    worktree: Option<PathBuf>,
    info: TargetInfo,
    repo: Option<gix::ThreadSafeRepository>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("root", &self.root)
            .field("worktree", &self.worktree)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Options that open a repository without reading anything outside it,
/// and without object replacement: a `refs/replace/` ref must not swap the
/// commit or blob a scan reads for another (a hostile repository could hide
/// a commit behind one).
pub(crate) fn open_options() -> gix::open::Options {
    gix::open::Options::isolated().config_overrides(["core.useReplaceRefs=false"])
}

impl Target {
    /// Resolves a path: a worktree (any subdirectory works), a bare
    /// repository, or a plain directory without git.
    ///
    /// Fails only when the path does not exist, is not a directory, or a
    /// repository was found but cannot be opened.
    pub fn resolve(path: &Path) -> Result<Self> {
        Self::resolve_with(path, &ResolveOptions::default())
    }

    /// [`resolve`](Self::resolve) with discovery options.
    pub fn resolve_with(path: &Path, options: &ResolveOptions) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|source| Error::TargetUnreadable {
            path: path.to_owned(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(Error::NotADirectory {
                path: path.to_owned(),
            });
        }
        let dir = path
            .canonicalize()
            .map_err(|source| Error::TargetUnreadable {
                path: path.to_owned(),
                source,
            })?;
        let mut ceiling_dirs: Vec<PathBuf> = options
            .ceiling_dirs
            .iter()
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.clone()))
            .collect();
        if options.stay_in_directory
            && let Some(parent) = dir.parent()
        {
            ceiling_dirs.push(parent.to_owned());
        }
        let upwards = gix::discover::upwards::Options {
            ceiling_dirs,
            match_ceiling_dir_or_error: false,
            ..Default::default()
        };
        let found = match gix::discover::upwards_opts(&dir, upwards) {
            Ok((found, _trust)) => found,
            Err(err) => {
                if err.classify().is_not_found() {
                    return Ok(Self::plain(dir));
                }
                return Err(Error::Open {
                    path: dir,
                    source: Box::new(err),
                });
            }
        };
        let (git_dir, worktree) = found.into_repository_and_work_tree_directories();
        let open_at = worktree.clone().unwrap_or_else(|| git_dir.clone());
        let repo =
            gix::ThreadSafeRepository::open_opts(&open_at, open_options()).map_err(|err| {
                Error::Open {
                    path: open_at.clone(),
                    source: Box::new(err),
                }
            })?;
        let local = repo.to_thread_local();
        let worktree = local.workdir().map(Path::to_owned);
        let root = worktree
            .clone()
            .unwrap_or_else(|| local.git_dir().to_owned());
        let vcs = vcs_info(&local);
        let info = TargetInfo {
            name: folder_name(&root, worktree.is_none()),
            vcs: Some(vcs),
        };
        Ok(Self {
            root,
            worktree,
            info,
            repo: Some(repo),
        })
    }

    fn plain(dir: PathBuf) -> Self {
        Self {
            info: TargetInfo {
                name: folder_name(&dir, false),
                vcs: None,
            },
            worktree: Some(dir.clone()),
            root: dir,
            repo: None,
        }
    }

    /// The worktree root, the given directory (no git), or the bare git dir.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory holding the files; `None` for bare repositories.
    pub fn worktree(&self) -> Option<&Path> {
        self.worktree.as_deref()
    }

    /// Name and version-control identity.
    pub fn info(&self) -> &TargetInfo {
        &self.info
    }

    /// The repository; `None` for a plain directory.
    pub fn repository(&self) -> Option<&gix::ThreadSafeRepository> {
        self.repo.as_ref()
    }
}

fn folder_name(root: &Path, bare: bool) -> String {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.to_string_lossy().into_owned());
    if bare && name != ".git" {
        name.strip_suffix(".git").unwrap_or(&name).to_owned()
    } else {
        name
    }
}

fn vcs_info(repo: &gix::Repository) -> VcsInfo {
    let mut info = VcsInfo {
        bare: repo.workdir().is_none(),
        shallow: repo.is_shallow().unwrap_or(false),
        remote: remote_url(repo),
        ..VcsInfo::default()
    };
    if let Ok(head) = repo.head() {
        info.detached = head.is_detached();
        if !head.is_detached() && !head.is_unborn() {
            info.branch = head
                .referent_name()
                .map(|name| name.shorten().to_str_lossy().into_owned());
        }
        if let Some(id) = head.id() {
            info.head = Some(id.to_string());
            info.head_date = id
                .object()
                .ok()
                .and_then(|o| o.try_into_commit().ok())
                .and_then(|c| c.time().ok())
                .map(|t| Timestamp(t.seconds));
        }
    }
    info
}

/// The URL of `origin`, or of the only remote, without credentials.
fn remote_url(repo: &gix::Repository) -> Option<String> {
    let names = repo.remote_names();
    let name = if names.iter().any(|n| n.as_bytes() == b"origin") {
        "origin".to_owned()
    } else if names.len() == 1 {
        names.iter().next()?.to_str_lossy().into_owned()
    } else {
        return None;
    };
    let url = repo
        .config_snapshot()
        .string(format!("remote.{name}.url").as_str())?;
    Some(strip_credentials(&url.to_str_lossy()))
}

/// Removes `user:password@` (or a bare token) from a URL with a scheme.
/// `ssh://git@host` and scp-like `git@host:path` keep their user name,
/// which is not a secret.
pub fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    if scheme.eq_ignore_ascii_case("ssh") && !userinfo.contains(':') {
        return url.to_owned();
    }
    format!("{scheme}://{}", &rest[at + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_credentials() {
        assert_eq!(
            strip_credentials("https://user:pw@example.com/a/b.git"),
            "https://example.com/a/b.git"
        );
        assert_eq!(
            strip_credentials("https://token@example.com/a@b.git"),
            "https://example.com/a@b.git"
        );
        assert_eq!(
            strip_credentials("ssh://git@example.com/a.git"),
            "ssh://git@example.com/a.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:team/app.git"),
            "git@github.com:team/app.git"
        );
        assert_eq!(
            strip_credentials("https://example.com/a.git"),
            "https://example.com/a.git"
        );
    }

    #[test]
    fn bare_names_drop_suffix() {
        assert_eq!(folder_name(Path::new("/x/app.git"), true), "app");
        assert_eq!(folder_name(Path::new("/x/app"), false), "app");
    }
}

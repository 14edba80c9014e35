//! Test helpers for `diligence`: fixture git repositories built from scripts.
//!
//! A fixture is a shell script, `fixtures/repos/<name>.sh`, that builds a
//! repository with plain `git` in its working directory. [`fixture_repo`]
//! runs it once into `target/fixture-repos/<name>-<hash of script>/` and
//! reuses the result until the script changes. Authors, committers and dates
//! are fixed, system and global configuration are off and `TZ=UTC`, so commit
//! ids are stable and tests may name them.
//!
//! Scripts run under `bash -eu -o pipefail` after a prelude that defines:
//!
//! - `tick [seconds]`: advances the author and committer dates (default one
//!   day) from 2023-11-14T22:13:20Z;
//! - `as_author NAME EMAIL`: sets author and committer identity;
//! - `commit MESSAGE`: `git commit -q --allow-empty -m MESSAGE` after a tick.
//!
//! The one decision to know: several test processes may ask for the same
//! fixture at once, so the build happens in a private temporary directory
//! under a lock file and is renamed into place when complete.

#![warn(missing_docs)]
#![allow(clippy::print_stderr, clippy::expect_used)]

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped when the prelude or environment changes, so fixtures rebuild.
const PRELUDE_VERSION: &str = "1";

/// The first date `tick` produces, in seconds since the epoch.
pub const BASE_TIME: i64 = 1_700_000_000;

const PRELUDE: &str = r#"
T=${T:-1700000000}
tick() {
  T=$((T + ${1:-86400}))
  export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
}
as_author() {
  export GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL="$2"
}
commit() {
  tick
  git commit -q --allow-empty -m "$1"
}
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
"#;

/// The workspace root: the nearest ancestor of this crate holding a
/// `Cargo.toml` with a `[workspace]` table.
pub fn workspace_root() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let manifest = dir.join("Cargo.toml");
        if fs::read_to_string(&manifest).is_ok_and(|text| text.contains("[workspace]")) {
            return dir;
        }
        assert!(dir.pop(), "no workspace root above the testkit crate");
    }
}

/// The cargo target directory: `CARGO_TARGET_DIR` if set, else `target/`
/// under the workspace root.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// FNV-1a, 64 bits: a stable checksum of script text.
fn checksum(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Applies the fixed, isolated git environment to a command.
pub fn configure<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CEILING_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
    ] {
        cmd.env_remove(var);
    }
    // An empty global config of our own rather than /dev/null: a git that
    // rewrites its global config replaces the file it is given.
    let global = home.join("gitconfig");
    if !global.exists() {
        let _ = std::fs::create_dir_all(home);
        let _ = std::fs::write(&global, "");
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &global)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Fixture Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", format!("{BASE_TIME} +0000"))
        .env("GIT_COMMITTER_DATE", format!("{BASE_TIME} +0000"))
        .env("GIT_CONFIG_COUNT", "5")
        .env("GIT_CONFIG_KEY_0", "init.defaultBranch")
        .env("GIT_CONFIG_VALUE_0", "main")
        .env("GIT_CONFIG_KEY_1", "commit.gpgSign")
        .env("GIT_CONFIG_VALUE_1", "false")
        .env("GIT_CONFIG_KEY_2", "tag.gpgSign")
        .env("GIT_CONFIG_VALUE_2", "false")
        .env("GIT_CONFIG_KEY_3", "protocol.file.allow")
        .env("GIT_CONFIG_VALUE_3", "always")
        .env("GIT_CONFIG_KEY_4", "gc.auto")
        .env("GIT_CONFIG_VALUE_4", "0")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_dir(parent: &Path, stem: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".tmp-{stem}-{}-{n}", std::process::id()))
}

/// Builds (once) and returns the repository made by `fixtures/repos/<name>.sh`.
///
/// # Panics
///
/// When the script is missing or fails; its output is part of the message.
pub fn fixture_repo(name: &str) -> PathBuf {
    let script = workspace_root()
        .join("fixtures/repos")
        .join(format!("{name}.sh"));
    let text = fs::read(&script)
        .unwrap_or_else(|e| panic!("cannot read fixture script {}: {e}", script.display()));
    let hash = checksum(&[PRELUDE_VERSION.as_bytes(), PRELUDE.as_bytes(), &text]);
    let base = target_dir().join("fixture-repos");
    let dest = base.join(format!("{name}-{hash:016x}"));
    if dest.is_dir() {
        return dest;
    }
    fs::create_dir_all(&base).expect("create target/fixture-repos");
    let lock = File::create(base.join(format!("{name}.lock"))).expect("create fixture lock file");
    lock.lock().expect("lock fixture lock file");
    if dest.is_dir() {
        return dest;
    }
    let work = unique_dir(&base, name);
    let home = unique_dir(&base, &format!("{name}-home"));
    let out = work.join(name);
    fs::create_dir_all(&out).expect("create fixture build dir");
    fs::create_dir_all(&home).expect("create fixture home");
    let prelude = work.join("prelude.sh");
    File::create(&prelude)
        .and_then(|mut f| f.write_all(PRELUDE.as_bytes()))
        .expect("write prelude");
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(r#"set -eu -o pipefail; . "$1"; . "$2""#)
        .arg("fixture")
        .arg(&prelude)
        .arg(&script)
        .current_dir(&out);
    configure(&mut cmd, &home);
    let output = cmd.output().expect("run bash");
    if !output.status.success() {
        let _ = fs::remove_dir_all(&work);
        let _ = fs::remove_dir_all(&home);
        panic!(
            "fixture script {} failed ({}):\n{}\n{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    fs::rename(&out, &dest).expect("move fixture into place");
    let _ = fs::remove_dir_all(&work);
    let _ = fs::remove_dir_all(&home);
    drop(lock);
    dest
}

/// Runs `git` with the fixture environment in `repo` and returns its
/// standard output.
///
/// # Panics
///
/// When git cannot run or exits with an error.
pub fn git<S: AsRef<OsStr>>(repo: &Path, args: &[S]) -> String {
    let home = std::env::temp_dir();
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(repo).args(args);
    configure(&mut cmd, &home);
    let output = cmd.output().expect("run git");
    assert!(
        output.status.success(),
        "git {:?} failed in {}: {}",
        args.iter()
            .map(|a| a.as_ref().to_owned())
            .collect::<Vec<_>>(),
        repo.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("git output is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_discriminates() {
        assert_eq!(checksum(&[b"a"]), checksum(&[b"a"]));
        assert_ne!(checksum(&[b"a", b"b"]), checksum(&[b"ab"]));
    }

    #[test]
    fn finds_workspace() {
        assert!(workspace_root().join("Cargo.toml").is_file());
    }
}

//! Test data built from parts at run time, so this repository never holds
//! a whole secret-shaped value.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use diligence_collect::{CollectContext, Collector, FileIndex, FileIndexOptions, Options};
use diligence_history::{History, HistoryOptions, Target};
use diligence_model::Evidence;
use diligence_secrets::{BlobOutcome, Engine, SecretsCollector, token_checksum};

/// A deterministic generator (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn string(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect()
    }

    /// A UUID in its canonical form: 32 lowercase hex digits, 8-4-4-4-12.
    pub(crate) fn uuid(&mut self) -> String {
        let h = self.string("0123456789abcdef", 32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

pub(crate) const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub(crate) const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
pub(crate) const DIGITS: &str = "0123456789";

pub(crate) fn alnum() -> String {
    [UPPER, LOWER, DIGITS].concat()
}

/// A GitHub-style token with a valid checksum.
pub(crate) fn checksummed(prefix: &str, rng: &mut Rng) -> String {
    let body = rng.string(&alnum(), 30);
    [prefix, &body, &token_checksum(&body)].concat()
}

pub(crate) fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().expect("built-in rules load"))
}

/// (rule id, member, line) of every match in a blob the engine expands
/// (an archive or a PDF), and whether a budget cut the expansion short.
pub(crate) fn expanded_matches(
    engine: &Engine,
    data: &[u8],
    path: &str,
) -> (Vec<(String, String, u32)>, bool) {
    match engine.scan(data, path) {
        BlobOutcome::Archive { matches, truncated } | BlobOutcome::Pdf { matches, truncated } => (
            matches
                .iter()
                .map(|m| {
                    (
                        engine.rules().rules()[m.rule].id.to_string(),
                        m.member.clone().unwrap_or_default(),
                        m.line,
                    )
                })
                .collect(),
            truncated,
        ),
        other => panic!("{path} is not expanded: {other:?}"),
    }
}

/// Runs git in a test repository with a fixed identity and date, no
/// system configuration and an empty global one.
pub(crate) fn git(dir: &Path, args: &[&str], date: &str) {
    // An empty global config beside the repository rather than /dev/null: a
    // git that rewrites its global config replaces the file it is given.
    let global = dir.with_extension("gitconfig");
    if !global.exists() {
        std::fs::write(&global, "").expect("the global config file can be written");
    }
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &global)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@acme.test")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@acme.test")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("TZ", "UTC")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// base64url without padding: the parts of a JSON Web Token.
pub(crate) fn base64url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Writes a file of a test repository, creating its folders.
pub(crate) fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().expect("file has a parent")).expect("dir");
    std::fs::write(file, text).expect("file written");
}

/// The secrets collector on a directory, its history walked.
pub(crate) fn collect(dir: &Path, options: &Options) -> Evidence {
    collect_with(dir, options, &SecretsCollector::new())
}

pub(crate) fn collect_with(
    dir: &Path,
    options: &Options,
    collector: &SecretsCollector,
) -> Evidence {
    let target = Target::resolve(dir).expect("target resolves");
    let history =
        History::walk(&target, &HistoryOptions::default(), &|_| {}).expect("history walks");
    let files = FileIndex::build(&target, &FileIndexOptions::default()).expect("files list");
    let cancel = AtomicBool::new(false);
    let progress = |_| {};
    let cx = CollectContext::new(
        &target,
        history.as_ref(),
        &files,
        options,
        &progress,
        &cancel,
    );
    collector.collect(&cx).expect("collector runs")
}

/// Runs the collector's [`Collector::prepare_checkout`] on `dir` (no
/// history), as a scan does while it walks the history.
pub(crate) fn prepare_checkout(dir: &Path, options: &Options, collector: &SecretsCollector) {
    let target = Target::resolve(dir).expect("target resolves");
    let files = FileIndex::build(&target, &FileIndexOptions::default()).expect("files list");
    let cancel = AtomicBool::new(false);
    let progress = |_| {};
    let cx = CollectContext::new(&target, None, &files, options, &progress, &cancel);
    collector.prepare_checkout(&cx);
}

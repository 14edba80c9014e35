//! History versions read where they differ from the version they replaced:
//! the same findings as reading every version whole, first seen at the
//! same commit, with pairs, nested YAML names and manifests intact.

use std::collections::BTreeMap;
use std::path::Path;

use diligence_collect::Options;
use diligence_model::Evidence;
use diligence_secrets::{BlobOutcome, EngineOptions, SecretsCollector};

use crate::common::{self, Rng, alnum, collect_with, write};

fn git(dir: &Path, args: &[&str], day: u32) {
    common::git(dir, args, &format!("2025-04-{day:02}T12:00:00Z"));
}

fn commit(dir: &Path, day: u32) {
    git(dir, &["add", "-A"], day);
    git(dir, &["commit", "-q", "-m", &format!("day {day}")], day);
}

/// `count` lines of ordinary code, numbered from `from`.
fn code(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("value_{i} = compute({i})\n"))
        .collect()
}

/// A YAML file whose last line, `last`, is nested two levels under
/// `alchemy:` / `api:`, forty lines below them.
fn values(last: &str) -> String {
    let keys: String = (0..40).map(|i| format!("    k{i}: v{i}\n")).collect();
    format!("alchemy:\n  api:\n{keys}{last}")
}

/// A Kubernetes Secret whose `data:` ends with `extra`, thirty lines
/// below its `kind`.
fn manifest(extra: &str) -> String {
    let comments: String = (0..30).map(|i| format!("# line {i}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n{comments}data:\n  note: aGVsbG8=\n{extra}"
    )
}

/// Rule id and fingerprint of each finding, with its tags and the commit
/// and path of its first place.
type Summary = BTreeMap<(String, String), (Vec<String>, Option<String>, Option<String>)>;

fn summary(evidence: &Evidence) -> Summary {
    evidence
        .findings
        .iter()
        .map(|f| {
            (
                (f.rule.to_string(), f.fingerprint.clone()),
                (
                    f.tags.iter().cloned().collect(),
                    f.location.commit.as_ref().map(|c| c.id.clone()),
                    f.location.path.clone(),
                ),
            )
        })
        .collect()
}

fn scan(dir: &Path, whole: bool) -> Evidence {
    let mut options = EngineOptions::default();
    options.history_whole = whole;
    collect_with(
        dir,
        &Options::default(),
        &SecretsCollector::with_options(options),
    )
}

#[test]
fn edits_read_as_added_lines_find_what_whole_versions_find() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("repo dir");
    git(&dir, &["init", "-q", "-b", "main"], 1);
    let mut rng = Rng::new(77);
    let stripe = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    let key_id = [
        "AK",
        "IA",
        &rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    ]
    .concat();
    let aws_secret = rng.string(&alnum(), 40);
    let nested = rng.string(&alnum(), 32);
    let manifest_value =
        diligence_secrets::base64_encode(format!("Pq7{}!x", rng.string(&alnum(), 14)).as_bytes());

    // Day 1: a long settings file holding a key id and a payment key.
    let head = code(0, 60);
    let tail = code(100, 60);
    write(
        &dir,
        "app/settings.py",
        &format!("{head}AWS_ACCESS_KEY_ID = \"{key_id}\"\n{tail}"),
    );
    write(
        &dir,
        "app/pay.py",
        &format!("{head}KEY = \"{stripe}\"\n{tail}"),
    );
    write(&dir, "deploy/values.yaml", &values("    region: eu\n"));
    write(&dir, "deploy/secret.yaml", &manifest(""));
    commit(&dir, 1);

    // Day 2: an unrelated edit far from the payment key; the secret access
    // key lands five lines under the key id it pairs with.
    write(
        &dir,
        "app/pay.py",
        &format!("{head}KEY = \"{stripe}\"\n{tail}value_9999 = 1\n"),
    );
    let near = code(60, 4);
    write(
        &dir,
        "app/settings.py",
        &format!(
            "{head}AWS_ACCESS_KEY_ID = \"{key_id}\"\n{near}AWS_SECRET_ACCESS_KEY = \"{aws_secret}\"\n{tail}"
        ),
    );
    // A key nested two levels under its provider, far below it.
    write(
        &dir,
        "deploy/values.yaml",
        &values(&format!("    key: {nested}\n")),
    );
    // A base64 value added to a Kubernetes Secret, far from its `kind`.
    write(
        &dir,
        "deploy/secret.yaml",
        &manifest(&format!("  DB_PASSWORD: {manifest_value}\n")),
    );
    commit(&dir, 2);

    // Day 3: every file rewritten without its secrets; HEAD is clean.
    write(&dir, "app/pay.py", &code(0, 10));
    write(&dir, "app/settings.py", &code(0, 10));
    write(&dir, "deploy/values.yaml", "alchemy: {}\n");
    write(&dir, "deploy/secret.yaml", "kind: ConfigMap\n");
    commit(&dir, 3);

    let edits = scan(&dir, false);
    let whole = scan(&dir, true);
    let (edits, whole) = (summary(&edits), summary(&whole));
    assert_eq!(
        edits, whole,
        "reading edits must find what whole versions do"
    );
    let rules: Vec<&str> = edits.keys().map(|(rule, _)| rule.as_str()).collect();
    for expected in [
        "secrets.stripe.secret-key-live",
        "secrets.aws.access-key-id",
        "secrets.aws.secret-access-key",
    ] {
        assert!(rules.contains(&expected), "{expected} in {rules:?}");
    }
    assert!(
        rules.iter().any(|r| r.starts_with("secrets.alchemy.")),
        "the nested YAML key is named by its provider: {rules:?}"
    );
    assert!(
        rules.iter().any(|r| r.contains("password")),
        "the Secret's data value is decoded: {rules:?}"
    );
    let secret_key = edits
        .iter()
        .find(|((rule, _), _)| rule == "secrets.aws.secret-access-key")
        .expect("secret access key");
    assert!(secret_key.1.0.contains(&"paired".to_owned()));
}

#[test]
fn a_value_an_edit_kept_is_placed_where_it_was_added() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(&dir).expect("repo dir");
    git(&dir, &["init", "-q", "-b", "main"], 1);
    let mut rng = Rng::new(78);
    let stripe = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    for day in 1..=4 {
        // Each day edits a line far from the key; the key stays.
        write(
            &dir,
            "app/pay.py",
            &format!("KEY = \"{stripe}\"\n{}edit_{day} = 1\n", code(0, 40)),
        );
        commit(&dir, day);
    }
    write(&dir, "app/pay.py", &code(0, 40));
    commit(&dir, 5);
    let places = |evidence: &Evidence| {
        let finding = evidence
            .findings
            .iter()
            .find(|f| f.rule.as_str() == "secrets.stripe.secret-key-live")
            .expect("the key is found");
        finding.occurrences.len() + 1
    };
    // Read whole, each of the four versions that kept the key is a place;
    // read as edits, the key is placed once, where it was added.
    assert_eq!(places(&scan(&dir, true)), 4);
    assert_eq!(places(&scan(&dir, false)), 1);
}

fn rule_lines(outcome: &BlobOutcome) -> Vec<(String, u32)> {
    match outcome {
        BlobOutcome::Scanned(matches) => matches
            .iter()
            .map(|m| {
                (
                    common::engine().rules().rules()[m.rule].id.to_string(),
                    m.line,
                )
            })
            .collect(),
        other => panic!("not scanned as text: {other:?}"),
    }
}

#[test]
fn lockfiles_are_read_on_their_credential_lines() {
    let mut rng = Rng::new(79);
    let token = common::checksummed("ghp_", &mut rng);
    let key_id = [
        "AK",
        "IA",
        &rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    ]
    .concat();
    let package = |i: usize| {
        format!(
            "\"pkg{i}@^1.0.0\":\n  version \"1.0.{i}\"\n  resolved \"https://registry.yarnpkg.com/pkg{i}/-/pkg{i}-1.0.{i}.tgz#0a1b\"\n  integrity sha512-{}==\n\n",
            rng_free(i)
        )
    };
    let mut base = String::new();
    for i in 0..50 {
        base.push_str(&package(i));
    }
    // A private dependency fetched with a token in its URL (line 251),
    // and an integrity hash that happens to hold a key id's shape.
    let private = format!(
        "\"private@github:acme/private\":\n  resolved \"git+https://x-access-token:{token}@github.com/acme/private.git#0a1b\"\n"
    );
    let lookalike = format!("\"odd@^1.0.0\":\n  integrity sha512-ab+{key_id}+cd==\n");
    let data = format!("{base}{private}{lookalike}");
    let engine = common::engine();
    let found = rule_lines(&engine.scan(data.as_bytes(), "web/yarn.lock"));
    assert_eq!(
        found,
        [("secrets.github.personal-access-token".to_owned(), 252)]
    );
    // Read as an edit: found where it was added, not where it was kept.
    let found = rule_lines(&engine.scan_delta(data.as_bytes(), base.as_bytes(), "web/yarn.lock"));
    assert_eq!(
        found,
        [("secrets.github.personal-access-token".to_owned(), 252)]
    );
    let bumped = data.replace("1.0.7", "1.0.8");
    let kept = rule_lines(&engine.scan_delta(bumped.as_bytes(), data.as_bytes(), "web/yarn.lock"));
    assert!(kept.is_empty(), "{kept:?}");
    // Read as a version against its base: only where the two differ.
    fn ask<'a>(
        asked: &'a std::cell::Cell<u32>,
        base: &'a str,
    ) -> impl FnOnce() -> Option<&'a [u8]> + 'a {
        move || {
            asked.set(asked.get() + 1);
            Some(base.as_bytes())
        }
    }
    let asked = std::cell::Cell::new(0);
    let bumped_base = base.replace("1.0.7", "1.0.8");
    let found = rule_lines(&engine.scan_version(
        bumped_base.as_bytes(),
        "web/yarn.lock",
        ask(&asked, &base),
    ));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(asked.get(), 1);
    // A version that added a token reads its base, and reports the token.
    let found =
        rule_lines(&engine.scan_version(data.as_bytes(), "web/yarn.lock", ask(&asked, &base)));
    assert_eq!(
        found,
        [("secrets.github.personal-access-token".to_owned(), 252)]
    );
    assert_eq!(asked.get(), 2);
    // A version that kept it reports nothing.
    let found =
        rule_lines(&engine.scan_version(bumped.as_bytes(), "web/yarn.lock", ask(&asked, &data)));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(asked.get(), 3);
    // Without a readable base, the version is read whole.
    let found = rule_lines(&engine.scan_version(bumped.as_bytes(), "web/yarn.lock", || None));
    assert_eq!(
        found,
        [("secrets.github.personal-access-token".to_owned(), 252)]
    );
    // The same lines outside a lockfile are read whole.
    let found = rule_lines(&engine.scan(data.as_bytes(), "web/notes.txt"));
    assert!(
        found
            .iter()
            .any(|(rule, _)| rule == "secrets.aws.access-key-id"),
        "{found:?}"
    );
}

/// An integrity-hash-like string, different for each package.
fn rng_free(i: usize) -> String {
    let mut rng = Rng::new(1000 + i as u64);
    rng.string(&alnum(), 86)
}

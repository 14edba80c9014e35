//! The collector on a generated repository: history attribution, one
//! finding per secret, context tags, suppressions, facts, and no leak of
//! any planted value in any rendering.

use std::path::Path;

use diligence_collect::Options;
use diligence_model::{Evidence, FactValue, Severity};
use diligence_secrets::{EngineOptions, SecretsCollector};

use crate::common::{
    Rng, alnum, base64url, checksummed, collect, collect_with, engine, git, prepare_checkout,
};

fn fact(evidence: &Evidence, name: &str) -> i64 {
    match evidence.facts.get(name).map(|f| &f.value) {
        Some(FactValue::Int { value, .. }) => *value,
        other => panic!("{name}: {other:?}"),
    }
}

struct Planted {
    github: String,
    aws_id: String,
    stripe: String,
    password: String,
}

fn build_repo(dir: &Path) -> Planted {
    let mut rng = Rng::new(42);
    let planted = Planted {
        github: checksummed("ghp_", &mut rng),
        aws_id: [
            "AK",
            "IA",
            &rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
        ]
        .concat(),
        stripe: ["sk_", "live_", &rng.string(&alnum(), 24)].concat(),
        password: ["Pq7", &rng.string(&alnum(), 9), "!x"].concat(),
    };
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    std::fs::write(
        dir.join(".env"),
        format!("GITHUB_TOKEN={}\n", planted.github),
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "demo\n").unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    // The token is removed from HEAD, but stays in history.
    std::fs::remove_file(dir.join(".env")).unwrap();
    std::fs::create_dir_all(dir.join("web/src")).unwrap();
    std::fs::write(
        dir.join("web/src/pay.ts"),
        format!("const NEXT_PUBLIC_STRIPE = \"{}\";\n", planted.stripe),
    )
    .unwrap();
    std::fs::write(
        dir.join("config.yml"),
        format!(
            "aws_access_key_id: {}\ndb:\n  password: {}\n",
            planted.aws_id, planted.password
        ),
    )
    .unwrap();
    git(dir, &["add", "-A"], "2024-02-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "second"],
        "2024-02-01T00:00:00Z",
    );
    // Uncommitted copy of the same token in the worktree: same secret, second place.
    std::fs::write(
        dir.join("notes.txt"),
        format!("old token {}\n", planted.github),
    )
    .unwrap();
    planted
}

#[test]
fn attributes_history_dedups_tags_and_never_leaks() {
    let dir = tempfile::tempdir().unwrap();
    let planted = build_repo(dir.path());
    let evidence = collect(dir.path(), &Options::default());
    let ids: Vec<&str> = evidence.findings.iter().map(|f| f.rule.as_str()).collect();

    let github = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str().starts_with("secrets.github."))
        .unwrap_or_else(|| panic!("github token found: {ids:?}"));
    assert_eq!(github.occurrences.len(), 1, "{github:#?}");
    assert!(github.tags.contains("env-file"));
    assert!(
        !github.tags.contains("history-only"),
        "still in the worktree"
    );
    let commit_loc = std::iter::once(&github.location)
        .chain(&github.occurrences)
        .find(|l| l.commit.is_some())
        .expect("history occurrence");
    assert_eq!(commit_loc.path.as_deref(), Some(".env"));
    assert_eq!(commit_loc.at_head, Some(false));
    let commit = commit_loc.commit.as_ref().unwrap();
    assert_eq!(commit.author.as_deref(), Some("Ada"));
    assert!(github.message.contains("does not remove it"));

    let stripe = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .unwrap_or_else(|| panic!("stripe key found: {ids:?}"));
    assert!(stripe.tags.contains("client-exposed"), "{:?}", stripe.tags);
    assert!(
        ids.iter().any(|id| id.starts_with("secrets.aws.")),
        "{ids:?}"
    );
    assert!(ids.contains(&"secrets.generic.password"), "{ids:?}");
    assert!(fact(&evidence, "secrets.findings") >= 1);
    assert_eq!(fact(&evidence, "secrets.generic"), 1);
    assert!(fact(&evidence, "secrets.files-scanned") >= 3);
    assert!(fact(&evidence, "secrets.blobs-scanned") >= 1);

    // No rendering holds a planted value.
    let debug = format!("{evidence:?}");
    let json = serde_json::to_string(&evidence).unwrap();
    for secret in [
        &planted.github,
        &planted.aws_id,
        &planted.stripe,
        &planted.password,
    ] {
        let tail = &secret[secret.len() / 2..];
        for text in [&debug, &json] {
            assert!(!text.contains(secret.as_str()) && !text.contains(tail));
        }
    }
    let sorted = evidence
        .findings
        .windows(2)
        .all(|w| w[0].sort_key() <= w[1].sort_key());
    assert!(sorted);
}

#[test]
fn baseline_and_inline_comments_suppress() {
    let dir = tempfile::tempdir().unwrap();
    let planted = build_repo(dir.path());
    let fp = engine().fingerprint(&planted.github);
    let baseline = dir.path().join("baseline.toml");
    std::fs::write(
        &baseline,
        format!("[[suppress]]\nfingerprint = \"{fp}\"\nreason = \"revoked\"\n"),
    )
    .unwrap();
    let mut options = Options::default();
    options.baseline = Some(baseline.clone());
    let evidence = collect(dir.path(), &options);
    assert!(!evidence.findings.iter().any(|f| f.fingerprint == fp));
    assert_eq!(fact(&evidence, "secrets.suppressed"), 1);
    assert!(evidence.inventories.contains_key("secrets-suppressed"));

    // An expired entry counts again.
    std::fs::write(
        &baseline,
        format!(
            "[[suppress]]\nfingerprint = \"{fp}\"\nreason = \"revoked\"\nexpires = \"2020-01-01\"\n"
        ),
    )
    .unwrap();
    let evidence = collect(dir.path(), &options);
    let again = evidence
        .findings
        .iter()
        .find(|f| f.fingerprint == fp)
        .expect("counted again");
    assert!(again.tags.contains("suppression-expired"));
}

/// One content at several paths (a committed copy, an untracked backup)
/// was reported at one of them: "found in 1 place" hid the others.
#[test]
fn every_copy_of_a_secret_is_a_place_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut rng = Rng::new(8);
    let stripe = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    let content = format!("STRIPE_SECRET_KEY={stripe}\n");
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    for folder in ["config", "deploy", "backup"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    std::fs::write(dir.join("config/app.env"), &content).unwrap();
    std::fs::write(dir.join("deploy/app.env"), &content).unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    // Untracked: the worktree alone holds it there.
    std::fs::write(dir.join("backup/app.env"), &content).unwrap();
    let evidence = collect(dir, &Options::default());
    let found: Vec<_> = evidence
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .collect();
    assert_eq!(found.len(), 1, "{:?}", evidence.findings);
    let mut places: Vec<&str> = std::iter::once(&found[0].location)
        .chain(&found[0].occurrences)
        .filter_map(|l| l.path.as_deref())
        .collect();
    places.sort_unstable();
    assert_eq!(
        places,
        ["backup/app.env", "config/app.env", "deploy/app.env"],
        "{:?}",
        found[0]
    );
    assert!(
        found[0].message.contains("3 places"),
        "{}",
        found[0].message
    );
}

#[test]
fn one_value_under_a_named_and_a_generic_rule_is_one_finding() {
    // The same database password, read as an ODBC connection's `Pwd=` in
    // one file and as a bare `SQL_PASSWORD=` in another: one credential,
    // reported once, under the rule that says what it is. Two generic
    // names of one value are one finding too; another value stays apart.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut rng = Rng::new(81);
    let shared = ["Qm7", &rng.string(&alnum(), 14), "#2"].concat();
    let other = ["Zt4", &rng.string(&alnum(), 14), "!9"].concat();
    let token = ["k", &rng.string(&alnum(), 23)].concat();
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(
        dir.join("README.md"),
        format!(
            "Driver={{ODBC Driver 18}};Server=tcp:db.acme.io,1433;Uid=app;Pwd={shared};Encrypt=yes;\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("config/app.env"),
        format!("SQL_PASSWORD={shared}\nREPORTS_PASSWORD={other}\nENCRYPTION_KEY={token}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("config/worker.yml"),
        format!("worker:\n  session_token: {token}\n"),
    )
    .unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    let evidence = collect(dir, &Options::default());
    let places = |f: &diligence_model::Finding| {
        let mut p: Vec<String> = std::iter::once(&f.location)
            .chain(&f.occurrences)
            .map(|l| {
                format!(
                    "{}:{}",
                    l.path.as_deref().unwrap_or(""),
                    l.line.unwrap_or(0)
                )
            })
            .collect();
        p.sort_unstable();
        p
    };
    let mut found: Vec<(&str, Vec<String>)> = evidence
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), places(f)))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "secrets.generic.key",
                vec![
                    "config/app.env:3".to_owned(),
                    "config/worker.yml:2".to_owned()
                ]
            ),
            (
                "secrets.generic.password",
                vec!["config/app.env:2".to_owned()]
            ),
            (
                "secrets.jdbc.password-parameter",
                vec!["README.md:1".to_owned(), "config/app.env:1".to_owned()]
            ),
        ],
        "{:#?}",
        evidence.findings
    );
    // The value sits in a production file too: the finding is rated, and
    // first located, there, not at the documentation's copy.
    let jdbc = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets.jdbc.password-parameter")
        .unwrap();
    assert_eq!(jdbc.location.path.as_deref(), Some("config/app.env"));
    assert_eq!(jdbc.severity, Severity::High);
    // A baseline written when the value was a generic finding still
    // accepts it under the rule that now reports it.
    let baseline = dir.join("baseline.toml");
    std::fs::write(
        &baseline,
        format!(
            "[[suppress]]\nrule = \"secrets.generic.password\"\nfingerprint = \"{}\"\nreason = \"rotated\"\n",
            jdbc.fingerprint
        ),
    )
    .unwrap();
    let mut options = Options::default();
    options.baseline = Some(baseline);
    let evidence = collect(dir, &options);
    assert!(
        !evidence
            .findings
            .iter()
            .any(|f| f.rule.as_str() == "secrets.jdbc.password-parameter"),
        "{:#?}",
        evidence.findings
    );
    assert_eq!(fact(&evidence, "secrets.suppressed"), 1);
}

#[test]
fn every_committed_copy_of_a_secret_is_a_place_of_it() {
    // Copies that history alone holds: an edit that added the secret, a
    // backup of the edited file committed later, both deleted since. A
    // renamed file is one place under its newest name, not two.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut rng = Rng::new(9);
    let copied = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    let moved = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    let commit = |message: &str, date: &str| {
        git(dir, &["add", "-A"], date);
        git(dir, &["commit", "-q", "-m", message], date);
    };
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    for folder in ["config", "backup", "old"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    std::fs::write(dir.join("config/app.env"), "PORT=8080\n").unwrap();
    commit("first", "2024-01-01T00:00:00Z");
    let content = format!("PORT=8080\nSTRIPE_SECRET_KEY={copied}\n");
    std::fs::write(dir.join("config/app.env"), &content).unwrap();
    commit("add the key", "2024-01-02T00:00:00Z");
    std::fs::write(dir.join("backup/app.env"), &content).unwrap();
    std::fs::write(dir.join("old/pay.env"), format!("STRIPE_KEY={moved}\n")).unwrap();
    commit("back up", "2024-01-03T00:00:00Z");
    git(
        dir,
        &["mv", "old/pay.env", "pay.env"],
        "2024-01-04T00:00:00Z",
    );
    commit("move", "2024-01-04T00:00:00Z");
    std::fs::remove_file(dir.join("config/app.env")).unwrap();
    std::fs::remove_file(dir.join("backup/app.env")).unwrap();
    std::fs::remove_file(dir.join("pay.env")).unwrap();
    commit("remove", "2024-01-05T00:00:00Z");
    let evidence = collect(dir, &Options::default());
    let places_of = |secret: &str| {
        let fingerprint = engine().fingerprint(secret);
        let found: Vec<_> = evidence
            .findings
            .iter()
            .filter(|f| f.fingerprint == fingerprint)
            .collect();
        assert_eq!(found.len(), 1, "{:?}", evidence.findings);
        let mut places: Vec<(String, Option<String>)> = std::iter::once(&found[0].location)
            .chain(&found[0].occurrences)
            .map(|l| {
                (
                    l.path.clone().unwrap_or_default(),
                    l.commit
                        .as_ref()
                        .and_then(|c| c.date)
                        .map(|d| d.to_string()),
                )
            })
            .collect();
        places.sort();
        places
    };
    let day = |d: &str| Some(format!("2024-01-0{d}T00:00:00Z"));
    assert_eq!(
        places_of(&copied),
        [
            ("backup/app.env".to_owned(), day("3")),
            ("config/app.env".to_owned(), day("2")),
        ]
    );
    assert_eq!(places_of(&moved).len(), 1, "{:?}", places_of(&moved));
}

#[test]
fn all_objects_adds_unreachable_blobs_tagged_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut rng = Rng::new(7);
    let stripe = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    std::fs::write(dir.join("README.md"), "demo\n").unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    // A blob written to the object database that no commit, ref or index
    // entry names: what a dropped stash or a deleted branch leaves behind.
    let outside = tempfile::tempdir().unwrap();
    let loose = outside.path().join("payments.env");
    std::fs::write(&loose, format!("STRIPE_SECRET_KEY={stripe}\n")).unwrap();
    git(
        dir,
        &["hash-object", "-w", loose.to_str().unwrap()],
        "2024-01-01T00:00:00Z",
    );

    let stripe_findings = |evidence: &Evidence| {
        evidence
            .findings
            .iter()
            .filter(|f| f.rule.as_str().starts_with("secrets.stripe."))
            .cloned()
            .collect::<Vec<_>>()
    };

    let reachable_only = collect(dir, &Options::default());
    assert!(
        stripe_findings(&reachable_only).is_empty(),
        "{:?}",
        reachable_only.findings
    );

    let mut options = Options::default();
    options.all_objects = true;
    let everything = collect(dir, &options);
    let found = stripe_findings(&everything);
    assert_eq!(found.len(), 1, "{:?}", everything.findings);
    assert!(found[0].tags.contains("unreachable"), "{:?}", found[0].tags);
    assert!(fact(&everything, "secrets.findings") >= 1);
    let json = serde_json::to_string(&everything).unwrap();
    assert!(!json.contains(&stripe) && !json.contains(&stripe[stripe.len() / 2..]));
}

#[test]
fn history_blobs_over_the_size_cap_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut rng = Rng::new(11);
    let small = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    let large = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    std::fs::write(dir.join("small.env"), format!("STRIPE_KEY={small}\n")).unwrap();
    let padding = "# padding line of a generated file\n".repeat(64);
    std::fs::write(
        dir.join("large.env"),
        format!("{padding}STRIPE_KEY={large}\n"),
    )
    .unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(dir, &["commit", "-q", "-m", "keys"], "2024-01-01T00:00:00Z");
    // Both files leave HEAD and the worktree: only history holds them.
    git(
        dir,
        &["rm", "-q", "small.env", "large.env"],
        "2024-01-02T00:00:00Z",
    );
    git(dir, &["commit", "-q", "-m", "drop"], "2024-01-02T00:00:00Z");

    let mut engine_options = EngineOptions::default();
    engine_options.max_blob_size = 1024;
    let capped = collect_with(
        dir,
        &Options::default(),
        &SecretsCollector::with_options(engine_options),
    );
    assert_eq!(fact(&capped, "secrets.skipped.too-large"), 1);
    let paths: Vec<_> = capped
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .filter_map(|f| f.location.path.clone())
        .collect();
    assert_eq!(paths, ["small.env"], "{:?}", capped.findings);

    let whole = collect(dir, &Options::default());
    assert_eq!(fact(&whole, "secrets.skipped.too-large"), 0);
    let stripe = whole
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .count();
    assert_eq!(stripe, 2, "{:?}", whole.findings);
}

#[test]
fn a_partial_clone_counts_promised_blobs_and_says_the_scan_is_partial() {
    let repo = diligence_testkit::fixture_repo("partial");
    let evidence = collect(&repo, &Options::default());
    assert_eq!(fact(&evidence, "secrets.objects.missing"), 8);
    assert_eq!(fact(&evidence, "secrets.blobs-scanned"), 0);
    let partial = evidence
        .partial
        .as_deref()
        .expect("the evidence says it is partial");
    assert!(partial.contains("8 history blobs"), "{partial}");
}

#[test]
fn submodules_are_named_as_not_scanned() {
    let repo = diligence_testkit::fixture_repo("submodule");
    let evidence = collect(&repo, &Options::default());
    let partial = evidence
        .partial
        .as_deref()
        .expect("the evidence says it is partial");
    assert!(
        partial.contains("the submodule libs/vendor is another repository"),
        "{partial}"
    );
}

#[test]
fn findings_carry_their_file_class_and_only_production_feeds_the_control_facts() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(7);
    let key = |rng: &mut Rng| checksummed("ghp_", rng);
    let (template, fixture, vendored, moved, production) = (
        key(&mut rng),
        key(&mut rng),
        key(&mut rng),
        key(&mut rng),
        key(&mut rng),
    );
    git(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2024-01-01T00:00:00Z",
    );
    let write = |path: &str, text: String| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "{{cookiecutter.project_slug}}/config.py",
        format!("GITHUB_TOKEN = \"{template}\"\n"),
    );
    write("tests/fixtures/ci.env", format!("GITHUB_TOKEN={fixture}\n"));
    write(
        "node_modules/pkg/config.js",
        format!("module.exports = {{ token: \"{vendored}\" }};\n"),
    );
    write("config/old.py", format!("GITHUB_TOKEN = \"{moved}\"\n"));
    write(
        "src/deploy.py",
        format!("GITHUB_TOKEN = \"{production}\"\n"),
    );
    let client_key = key(&mut rng);
    write(
        "web/src/components/Map.tsx",
        format!("const token = \"{client_key}\";\n"),
    );
    git(dir.path(), &["add", "-A"], "2024-01-01T00:00:00Z");
    git(
        dir.path(),
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    // Moved at HEAD: the finding shows the path HEAD holds it at.
    git(
        dir.path(),
        &["mv", "config/old.py", "config/settings.py"],
        "2024-01-02T00:00:00Z",
    );
    git(
        dir.path(),
        &["commit", "-q", "-m", "move"],
        "2024-01-02T00:00:00Z",
    );
    // A key in client code that only the history holds now.
    git(
        dir.path(),
        &["rm", "-q", "web/src/components/Map.tsx"],
        "2024-01-03T00:00:00Z",
    );
    git(
        dir.path(),
        &["commit", "-q", "-m", "drop"],
        "2024-01-03T00:00:00Z",
    );

    let ev = collect(dir.path(), &Options::default());
    assert_eq!(
        fact(&ev, "secrets.client-exposed"),
        0,
        "a client key only in history is the history control's"
    );
    assert_eq!(fact(&ev, "secrets.findings.history-only"), 1);
    let class_of = |needle: &str| {
        let f = ev
            .findings
            .iter()
            .find(|f| {
                f.rule.as_str().starts_with("secrets.github")
                    && f.location
                        .path
                        .as_deref()
                        .is_some_and(|p| p.contains(needle))
            })
            .unwrap_or_else(|| panic!("a finding at {needle}: {:#?}", ev.findings));
        (f.class(), f.location.class, f.severity)
    };
    use diligence_model::{FileClass, Severity};
    // Severity follows the context: the same token is critical in shipped
    // code, a step lower in a test or a template, and low in a
    // third-party package.
    assert_eq!(class_of("src/deploy.py").2, Severity::Critical);
    assert_eq!(class_of("tests/fixtures").2, Severity::High);
    assert_eq!(class_of("cookiecutter").2, Severity::High);
    assert_eq!(class_of("node_modules").2, Severity::Low);
    assert_eq!(
        class_of("cookiecutter").0,
        FileClass::Template,
        "a generator template"
    );
    assert_eq!(class_of("tests/fixtures").0, FileClass::Test);
    assert_eq!(class_of("node_modules").0, FileClass::Vendored);
    assert_eq!(class_of("src/deploy.py").1, Some(FileClass::Production));
    assert_eq!(class_of("src/deploy.py").0, FileClass::Production);
    assert!(
        ev.findings
            .iter()
            .all(|f| f.location.path.as_deref() != Some("config/old.py")),
        "moved content is shown at its HEAD path"
    );
    assert_eq!(class_of("config/settings.py").0, FileClass::Production);
    assert_eq!(fact(&ev, "secrets.findings.at-head"), 2);
    assert_eq!(fact(&ev, "secrets.findings.in-templates"), 1);
    assert_eq!(fact(&ev, "secrets.findings.in-tests"), 1);
    assert_eq!(fact(&ev, "secrets.findings.in-vendored"), 1);
}

/// A JWT whose `exp` passed before the report date is a low hygiene
/// finding that says when it expired; one still valid keeps its severity.
/// (macrozheng/mall keeps admin session tokens of 2018 in a Postman
/// collection.)
#[test]
fn expired_tokens_are_hygiene_findings_that_say_when() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2024-06-01T00:00:00Z",
    );
    let jwt = |exp: i64, seed: u64| {
        [
            "eyJhbGciOiJIUzUxMiJ9.",
            &base64url(&format!(
                "{{\"sub\":\"admin\",\"created\":1538991179080,\"exp\":{exp}}}"
            )),
            ".",
            &Rng::new(seed).string(&alnum(), 86),
        ]
        .concat()
    };
    // 2018-10-15 and 2033-05-18.
    let (expired, valid) = (jwt(1_539_595_979, 1), jwt(2_000_000_000, 2));
    let collection = |token: &str| {
        format!(
            "{{\n  \"header\": [\n    {{\n      \"key\": \"Authorization\",\n      \"value\": \"Bearer {token}\"\n    }}\n  ]\n}}\n"
        )
    };
    let path = dir.path().join("document/postman");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("admin.json"), collection(&expired)).unwrap();
    std::fs::write(path.join("portal.json"), collection(&valid)).unwrap();
    git(dir.path(), &["add", "-A"], "2024-06-01T00:00:00Z");
    git(
        dir.path(),
        &["commit", "-q", "-m", "collections"],
        "2024-06-01T00:00:00Z",
    );

    let ev = collect(dir.path(), &Options::default());
    let finding = |file: &str| {
        ev.findings
            .iter()
            .find(|f| {
                f.rule.as_str().starts_with("secrets.jwt")
                    && f.location
                        .path
                        .as_deref()
                        .is_some_and(|p| p.ends_with(file))
            })
            .unwrap_or_else(|| panic!("a JWT finding in {file}: {:#?}", ev.findings))
    };
    let old = finding("admin.json");
    assert!(old.tags.contains("expired"), "{:?}", old.tags);
    assert_eq!(old.severity, diligence_model::Severity::Low);
    assert!(
        old.message.contains("expired on 2018-10-15"),
        "{}",
        old.message
    );
    let live = finding("portal.json");
    assert!(!live.tags.contains("expired"), "{:?}", live.tags);
    assert!(
        live.severity > diligence_model::Severity::Low,
        "{:?}",
        live.severity
    );
}

/// A presigned AWS URL signed with temporary credentials (outline/outline's
/// Notion fixture) carries a key id and a session token that lapse with the
/// URL: past its `X-Amz-Date` plus `X-Amz-Expires`, they are expired
/// hygiene findings; a URL still valid on the report date keeps its
/// severity.
#[test]
fn presigned_urls_past_their_expiry_are_expired() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2024-06-01T00:00:00Z",
    );
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let url = |seed: u64, date: &str| {
        let mut rng = Rng::new(seed);
        let key_id = ["ASIA", &rng.string(upper, 16)].concat();
        let token = ["IQoJb3JpZ2luX2VjE", &rng.string(&(alnum() + "/+"), 300)].concat();
        format!(
            "https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential={key_id}%2F20220315%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires=3600&X-Amz-Security-Token={}&X-Amz-Signature={}&X-Amz-SignedHeaders=host",
            token.replace('/', "%2F").replace('+', "%2B"),
            rng.string("0123456789abcdef", 64)
        )
    };
    let fixture = |url: String| format!("{{\n  \"file\": {{\n    \"url\": \"{url}\"\n  }}\n}}\n");
    std::fs::create_dir_all(dir.path().join("fixtures")).unwrap();
    std::fs::write(
        dir.path().join("fixtures/old-page.json"),
        fixture(url(1, "20220315T101530Z")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fixtures/new-page.json"),
        fixture(url(2, "20240531T235900Z")),
    )
    .unwrap();
    git(dir.path(), &["add", "-A"], "2024-06-01T00:00:00Z");
    git(
        dir.path(),
        &["commit", "-q", "-m", "pages"],
        "2024-06-01T00:00:00Z",
    );

    let ev = collect(dir.path(), &Options::default());
    let aws = |file: &str| -> Vec<&diligence_model::Finding> {
        ev.findings
            .iter()
            .filter(|f| {
                f.rule.as_str().starts_with("secrets.aws")
                    && f.location
                        .path
                        .as_deref()
                        .is_some_and(|p| p.ends_with(file))
            })
            .collect()
    };
    let old = aws("old-page.json");
    assert!(!old.is_empty(), "{:#?}", ev.findings);
    for f in &old {
        assert!(f.tags.contains("expired"), "{}: {:?}", f.rule, f.tags);
        assert!(f.severity <= diligence_model::Severity::Low, "{}", f.rule);
        assert!(f.message.contains("expired on 2022-03-15"), "{}", f.message);
    }
    let new = aws("new-page.json");
    assert!(!new.is_empty(), "{:#?}", ev.findings);
    for f in &new {
        assert!(!f.tags.contains("expired"), "{}: {:?}", f.rule, f.tags);
    }
}

/// An Azure SAS URL in a database dump (an image link of a Bolt app's
/// backup): its signature is one finding though the line also reads
/// percent-decoded, and past its `se=` it is expired; one still valid on
/// the report date keeps its severity.
#[test]
fn shared_access_signatures_are_one_finding_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2024-06-01T00:00:00Z",
    );
    let url = |seed: u64, expiry: &str| {
        let mut rng = Rng::new(seed);
        let sig = rng
            .string(&(alnum() + "+/"), 43)
            .replace('+', "%2B")
            .replace('/', "%2F");
        format!(
            "https://acmeuploads.blob.core.windows.net/photos/a.png?se={expiry}&sp=r&sv=2025-11-05&sr=b&sig={sig}%3D"
        )
    };
    let row = |url: String| format!("COPY public.photos (id, url) FROM stdin;\n1\t{url}\n\\.\n");
    std::fs::create_dir_all(dir.path().join("backups")).unwrap();
    std::fs::write(
        dir.path().join("backups/old.sql"),
        row(url(1, "2024-05-18T02%3A33%3A09Z")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("backups/new.sql"),
        row(url(2, "2030-01-01T00%3A00Z")),
    )
    .unwrap();
    git(dir.path(), &["add", "-A"], "2024-06-01T00:00:00Z");
    git(
        dir.path(),
        &["commit", "-q", "-m", "dump"],
        "2024-06-01T00:00:00Z",
    );

    let ev = collect(dir.path(), &Options::default());
    let sas = |file: &str| -> Vec<&diligence_model::Finding> {
        ev.findings
            .iter()
            .filter(|f| {
                f.rule.as_str() == "secrets.azure.sas-token"
                    && f.location
                        .path
                        .as_deref()
                        .is_some_and(|p| p.ends_with(file))
            })
            .collect()
    };
    let old = sas("old.sql");
    assert_eq!(old.len(), 1, "{old:#?}");
    assert!(old[0].tags.contains("expired"), "{:?}", old[0].tags);
    assert!(old[0].severity <= diligence_model::Severity::Low);
    assert!(
        old[0].message.contains("expired on 2024-05-18"),
        "{}",
        old[0].message
    );
    let new = sas("new.sql");
    assert_eq!(new.len(), 1, "{new:#?}");
    assert!(!new[0].tags.contains("expired"), "{:?}", new[0].tags);
    assert!(new[0].severity >= diligence_model::Severity::High);
}

#[test]
fn a_value_in_a_development_section_is_a_test_value() {
    // Rails' `config/secrets.yml`: the development key is the developers',
    // the production one the target's.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let hex = "0123456789abcdef";
    let dev = Rng::new(10).string(hex, 128);
    let prod = Rng::new(11).string(hex, 128);
    git(dir, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(
        dir.join("config/secrets.yml"),
        format!(
            "# Secrets of each environment.\ndevelopment:\n  secret_key_base: {dev}\n\nproduction:\n  secret_key_base: {prod}\n"
        ),
    )
    .unwrap();
    git(dir, &["add", "."], "2024-01-01T00:00:00Z");
    git(
        dir,
        &["commit", "-q", "-m", "first"],
        "2024-01-01T00:00:00Z",
    );
    let evidence = collect(dir, &Options::default());
    let tags = |secret: &str| {
        let fingerprint = engine().fingerprint(secret);
        let found: Vec<_> = evidence
            .findings
            .iter()
            .filter(|f| f.fingerprint == fingerprint)
            .collect();
        assert_eq!(found.len(), 1, "{:?}", evidence.findings);
        found[0].tags.clone()
    };
    let dev_tags = tags(&dev);
    let has = |tag: &str| dev_tags.iter().any(|t| t == tag);
    assert!(has("context-test"), "{dev_tags:?}");
    assert!(has("dev-section"), "{dev_tags:?}");
    assert!(!has("test-path"), "{dev_tags:?}");
    let prod_tags = tags(&prod);
    assert!(
        !prod_tags.iter().any(|t| t.starts_with("context-")),
        "{prod_tags:?}"
    );
}

#[test]
fn the_worktree_scanned_while_the_history_is_walked_serves_its_own_target_only() {
    let dir = tempfile::tempdir().unwrap();
    build_repo(dir.path());
    let options = Options::default();
    let alone = serde_json::to_string(&collect(dir.path(), &options)).unwrap();
    assert!(
        alone.contains("notes.txt"),
        "the worktree's own finding is there"
    );

    // Scanned ahead, then collected: the same evidence.
    let collector = SecretsCollector::new();
    prepare_checkout(dir.path(), &options, &collector);
    let prepared = serde_json::to_string(&collect_with(dir.path(), &options, &collector)).unwrap();
    assert_eq!(alone, prepared);

    // Scanned ahead for another checkout: not used for this one.
    let other = tempfile::tempdir().unwrap();
    git(
        other.path(),
        &["init", "-q", "-b", "main"],
        "2024-01-01T00:00:00Z",
    );
    let mut rng = Rng::new(7);
    let elsewhere = ["sk_", "live_", &rng.string(&alnum(), 24)].concat();
    std::fs::write(
        other.path().join("other-notes.txt"),
        format!("stripe {elsewhere}\n"),
    )
    .unwrap();
    prepare_checkout(other.path(), &options, &collector);
    let after_other =
        serde_json::to_string(&collect_with(dir.path(), &options, &collector)).unwrap();
    assert_eq!(alone, after_other);
    assert!(!after_other.contains("other-notes.txt"));
}

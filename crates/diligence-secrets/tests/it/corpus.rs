//! Accuracy on a labelled corpus: positives generated from parts at run
//! time (every rule's examples in several surroundings, plus random values
//! of the main formats), negatives from `fixtures/secrets/` and generated
//! look-alikes. Asserts recall of at least 99.5 % per family and under 1 %
//! of look-alikes flagged by any rule.
//!
//! With `DILIGENCE_CORPUS_DIR` set, the test also writes every case to that
//! directory so other scanners can read the same corpus
//! (`scripts/corpus-compare.sh`): `positive/<family>/<NNNN>/<path>`,
//! `negative/<family>/<NNNN>/<path>`, and `labels.tsv` with the rule ids
//! this engine flagged in each file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use diligence_secrets::{BlobOutcome, RuleKind, base64url_encode};

use crate::common::{DIGITS, LOWER, Rng, UPPER, alnum, checksummed, engine};

struct Case {
    family: String,
    text: String,
    path: &'static str,
}

fn surroundings(text: &str) -> Vec<(String, &'static str)> {
    let filler =
        "import { api } from './api';\nexport function total(items) {\n  return items.length;\n}\n";
    vec![
        (text.to_owned(), "config.txt"),
        (format!("{filler}{text}\n{filler}"), "src/service.ts"),
        (format!("# settings\n{text}\n"), "deploy/settings.conf"),
    ]
}

fn positives() -> Vec<Case> {
    let engine = engine();
    let mut cases = Vec::new();
    for rule in engine.rules().rules() {
        if rule.kind == RuleKind::Identifier {
            continue;
        }
        for example in &rule.examples {
            for (text, path) in surroundings(example) {
                cases.push(Case {
                    family: rule.provider().to_owned(),
                    text,
                    path,
                });
            }
        }
    }
    let mut rng = Rng::new(7);
    let b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let b64 = alnum() + "+/";
    for i in 0..200 {
        let generated = [
            (
                "github",
                format!(
                    "token: {}",
                    checksummed(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"][i % 5], &mut rng)
                ),
            ),
            (
                "aws",
                format!(
                    "aws_access_key_id = {}",
                    ["AK", "IA", &rng.string(b32, 16)].concat()
                ),
            ),
            (
                "stripe",
                format!(
                    "STRIPE_KEY={}",
                    ["sk_", "live_", &rng.string(&alnum(), 24 + i % 70)].concat()
                ),
            ),
            ("private-key", {
                let body: String = (0..5).map(|_| rng.string(&b64, 64) + "\n").collect();
                let (b, e) = (
                    ["-----BEGIN ", "PRIVATE KEY-----"].concat(),
                    ["-----END ", "PRIVATE KEY-----"].concat(),
                );
                format!("{b}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC{body}{e}\n")
            }),
            ("jwt", {
                let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
                let payload = base64url_encode(
                    format!(
                        r#"{{"iss":"supabase","ref":"{}","role":"service_role"}}"#,
                        rng.string(LOWER, 20)
                    )
                    .as_bytes(),
                );
                format!(
                    "SERVICE_KEY={header}.{payload}.{}",
                    rng.string(&alnum(), 43)
                )
            }),
            (
                "generic",
                format!(
                    "db_password: \"{}{}!{}\"",
                    rng.string(UPPER, 3),
                    rng.string(DIGITS, 3),
                    rng.string(&alnum(), 8)
                ),
            ),
        ];
        for (family, text) in generated {
            cases.push(Case {
                family: family.to_owned(),
                text,
                path: "app/config.yml",
            });
        }
    }
    cases
}

fn negatives() -> Vec<Case> {
    let engine = engine();
    let mut cases = Vec::new();
    for rule in engine.rules().rules() {
        for example in &rule.negative_examples {
            cases.push(Case {
                family: rule.provider().to_owned(),
                text: example.clone(),
                path: "config.txt",
            });
        }
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/secrets");
    let mut stack = vec![fixtures.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture is text");
            let rel = path.strip_prefix(&fixtures).expect("under fixtures");
            let rel: &'static str =
                Box::leak(rel.to_string_lossy().replace('\\', "/").into_boxed_str());
            // Each line is its own look-alike, and so is the whole file.
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                cases.push(Case {
                    family: "fixture".to_owned(),
                    text: line.to_owned(),
                    path: rel,
                });
            }
            cases.push(Case {
                family: "fixture".to_owned(),
                text,
                path: rel,
            });
        }
    }
    let mut rng = Rng::new(11);
    let hex = "0123456789abcdef";
    for i in 0..300 {
        let look_alikes = [
            ("sha256", format!("checksum: {}", rng.string(hex, 64))),
            ("commit-id", format!("commit = \"{}\"", rng.string(hex, 40))),
            (
                "uuid",
                format!(
                    "request_id: {}-{}-4{}-a{}-{}",
                    rng.string(hex, 8),
                    rng.string(hex, 4),
                    rng.string(hex, 3),
                    rng.string(hex, 3),
                    rng.string(hex, 12)
                ),
            ),
            (
                "css-hash",
                format!("const cssHash = \"{}\";", rng.string(&alnum(), 22)),
            ),
            ("version", format!("version: {}.{}.{}", i % 7, i % 13, i)),
            (
                "image-tag",
                format!("image: ghcr.io/acme/api:{}.{}", i % 5, i),
            ),
            (
                "template",
                format!(
                    "password: ${{{}}}",
                    ["DB_PASSWORD", "PG_PASS", "SECRET"][i % 3]
                ),
            ),
            ("env-lookup", format!("api_key = os.getenv(\"KEY_{i}\")")),
            (
                "translation",
                format!("\"token_label_{i}\": \"Bitte melden Sie sich erneut an\","),
            ),
            (
                "placeholder",
                format!(
                    "AWS_KEY_ID=AKIA{}EXAMPLE",
                    rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 9)
                ),
            ),
            ("placeholder", format!("stripe: sk_live_{}", "x".repeat(24))),
        ];
        for (kind, text) in look_alikes {
            cases.push(Case {
                family: format!("generated-{kind}"),
                text,
                path: "src/app.py",
            });
        }
    }
    cases
}

/// The export directory named by `DILIGENCE_CORPUS_DIR`, if set. It must
/// lie outside the repository or under its `target/`, so that generated
/// secret-shaped files are never committed.
fn export_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("DILIGENCE_CORPUS_DIR")?);
    std::fs::create_dir_all(&dir).expect("export directory can be created");
    let dir = dir.canonicalize().expect("export directory resolves");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root resolves");
    assert!(
        !dir.starts_with(&root) || dir.starts_with(root.join("target")),
        "DILIGENCE_CORPUS_DIR must be outside the repository or under target/: {}",
        dir.display()
    );
    Some(dir)
}

/// Writes the cases of one kind (`positive` or `negative`) with the rule
/// ids flagged in each, and appends their rows to `labels`.
fn export(dir: &Path, kind: &str, cases: &[(Case, Vec<String>)], labels: &mut String) {
    let root = dir.join(kind);
    if root.exists() {
        std::fs::remove_dir_all(&root).expect("old export removable");
    }
    let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
    for (case, ids) in cases {
        let n = numbers.entry(case.family.as_str()).or_default();
        *n += 1;
        let rel = format!("{kind}/{}/{n:04}/{}", case.family, case.path);
        let file = dir.join(&rel);
        std::fs::create_dir_all(file.parent().expect("file has a parent"))
            .expect("export directory writable");
        std::fs::write(&file, &case.text).expect("export file writable");
        let _ = writeln!(labels, "{kind}\t{}\t{rel}\t{}", case.family, ids.join(","));
    }
}

#[test]
fn recall_and_false_positive_rate_meet_the_bar() {
    let engine = engine();
    let rules = engine.rules().rules();
    let flagged = |case: &Case| -> Vec<String> {
        match engine.scan(case.text.as_bytes(), case.path) {
            BlobOutcome::Scanned(found) => found
                .iter()
                .filter(|m| rules[m.rule].kind == RuleKind::Secret)
                .map(|m| rules[m.rule].id.to_string())
                .collect(),
            _ => Vec::new(),
        }
    };

    let positives: Vec<(Case, Vec<String>)> = positives()
        .into_iter()
        .map(|case| {
            let ids = flagged(&case);
            (case, ids)
        })
        .collect();
    let negatives: Vec<(Case, Vec<String>)> = negatives()
        .into_iter()
        .map(|case| {
            let ids = flagged(&case);
            (case, ids)
        })
        .collect();
    if let Some(dir) = export_dir() {
        let mut labels = String::from("kind\tfamily\tfile\tflagged\n");
        export(&dir, "positive", &positives, &mut labels);
        export(&dir, "negative", &negatives, &mut labels);
        std::fs::write(dir.join("labels.tsv"), labels).expect("labels writable");
    }

    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    for (case, ids) in &positives {
        // A format (JWT, PEM, database URL) claimed by a provider's own
        // rule is found, and more precisely so.
        let format = [
            "jwt",
            "private-key",
            "postgres",
            "mysql",
            "mongodb",
            "redis",
            "jdbc",
        ]
        .contains(&case.family.as_str());
        let hit = ids
            .iter()
            .any(|id| id.split('.').nth(1) == Some(case.family.as_str()))
            || (case.family == "generic" && !ids.is_empty())
            || (format && ids.iter().any(|id| !id.starts_with("secrets.generic.")));
        let slot = recall.entry(case.family.clone()).or_default();
        slot.1 += 1;
        if hit {
            slot.0 += 1;
        } else {
            missed.push(format!("{} in {}: got {ids:?}", case.family, case.path));
        }
    }
    let mut false_positives = Vec::new();
    for (case, ids) in &negatives {
        if !ids.is_empty() {
            false_positives.push(format!(
                "{} ({}): {ids:?} on {:?}",
                case.family,
                case.path,
                case.text.chars().take(80).collect::<String>()
            ));
        }
    }
    let (found, total) = recall
        .values()
        .fold((0, 0), |(f, t), (a, b)| (f + a, t + b));
    let mut table = String::from("family: found/total\n");
    for (family, (f, t)) in &recall {
        table.push_str(&format!("  {family}: {f}/{t}\n"));
    }
    table.push_str(&format!(
        "positives: {found}/{total}; look-alikes flagged: {}/{}\n",
        false_positives.len(),
        negatives.len()
    ));
    std::fs::create_dir_all(Path::new(env!("CARGO_TARGET_TMPDIR"))).ok();
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("secrets-corpus.txt"),
        &table,
    )
    .ok();
    for (family, (f, t)) in &recall {
        assert!(
            *f * 1000 >= *t * 995,
            "recall of {family} below 99.5 %\n{table}missed: {missed:#?}"
        );
    }
    assert!(
        false_positives.len() * 100 < negatives.len(),
        "look-alikes flagged: {false_positives:#?}\n{table}"
    );
    // No rule fires on its own negative examples, even with every other
    // rule running beside it (overlap resolution must not revive them).
    for rule in rules {
        for example in &rule.negative_examples {
            let case = Case {
                family: rule.provider().to_owned(),
                text: example.clone(),
                path: "config.txt",
            };
            assert!(
                !flagged(&case).contains(&rule.id.to_string()),
                "{} fires on its own negative example",
                rule.id
            );
        }
    }
}

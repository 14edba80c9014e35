//! Archives: text members of zip, tar and gzip files are scanned and named
//! `path!member`; a bomb is cut off by the budget and reported.

use diligence_model::FactValue;
use diligence_secrets::{
    BlobOutcome, Engine, EngineOptions, FinishOptions, Origin, RuleSet, Session,
};
use miniz_oxide::deflate::compress_to_vec;

use crate::common::{Rng, alnum, checksummed, engine};

/// A zip file; each member is (name, content, deflate?).
fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content, deflate) in members {
        let body = if *deflate {
            compress_to_vec(content, 6)
        } else {
            content.to_vec()
        };
        let method: u16 = if *deflate { 8 } else { 0 };
        let crc = crc32fast::hash(content);
        let offset = u32::try_from(out.len()).unwrap();
        let sizes = |v: &mut Vec<u8>| {
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
            v.extend_from_slice(&u32::try_from(content.len()).unwrap().to_le_bytes());
            v.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        sizes(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00");
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        sizes(&mut central);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = u32::try_from(out.len()).unwrap();
    let count = u16::try_from(members.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// A ustar archive of regular files.
fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, content) in members {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[100..107].copy_from_slice(b"0000644");
        header[124..135].copy_from_slice(format!("{:011o}", content.len()).as_bytes());
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(content);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// A gzip stream without a stored name.
fn gzip(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&compress_to_vec(content, 6));
    out.extend_from_slice(&crc32fast::hash(content).to_le_bytes());
    out.extend_from_slice(&u32::try_from(content.len()).unwrap().to_le_bytes());
    out
}

fn archive_matches(engine: &Engine, data: &[u8], path: &str) -> (Vec<(String, String)>, bool) {
    let (found, truncated) = crate::common::expanded_matches(engine, data, path);
    let found = found
        .into_iter()
        .map(|(id, member, _)| (id, member))
        .collect();
    (found, truncated)
}

fn stripe(rng: &mut Rng) -> String {
    ["sk_", "live_", &rng.string(&alnum(), 24)].concat()
}

#[test]
fn secrets_inside_zip_jar_tar_and_gzip_members_are_found_and_named() {
    let mut rng = Rng::new(11);
    let key = stripe(&mut rng);
    let token = checksummed("ghp_", &mut rng);
    let env = format!("STRIPE_SECRET_KEY={key}\n");
    let settings = format!("GITHUB_TOKEN = \"{token}\"\n");

    let bundle = zip(&[
        ("README.txt", b"nothing here\n", false),
        ("config/.env", env.as_bytes(), true),
        ("settings.py", settings.as_bytes(), false),
    ]);
    let (found, truncated) = archive_matches(engine(), &bundle, "dist/bundle.jar");
    assert!(!truncated);
    assert!(
        found
            .iter()
            .any(|(id, member)| id.starts_with("secrets.stripe.") && member == "config/.env"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(id, member)| id.starts_with("secrets.github.") && member == "settings.py"),
        "{found:?}"
    );

    let tarball = gzip(&tar(&[
        ("app/notes.md", b"hello\n"),
        ("app/.env", env.as_bytes()),
    ]));
    let (found, truncated) = archive_matches(engine(), &tarball, "backup/site.tgz");
    assert!(!truncated);
    assert!(
        found
            .iter()
            .any(|(id, member)| id.starts_with("secrets.stripe.") && member == "app/.env"),
        "{found:?}"
    );

    let single = gzip(env.as_bytes());
    let (found, _) = archive_matches(engine(), &single, "deploy/prod.env.gz");
    assert!(
        found
            .iter()
            .any(|(id, member)| id.starts_with("secrets.stripe.") && member == "prod.env"),
        "{found:?}"
    );

    // A zip inside a zip: the member path names both levels.
    let outer = zip(&[("lib/inner.jar", &bundle, false)]);
    let (found, _) = archive_matches(engine(), &outer, "release.zip");
    assert!(
        found
            .iter()
            .any(|(id, member)| id.starts_with("secrets.stripe.")
                && member == "lib/inner.jar!config/.env"),
        "{found:?}"
    );

    // The finding's location names the archive and the member.
    let session = Session::new(engine());
    session.scan(&bundle, "dist/bundle.jar", Origin::Worktree);
    let evidence = session.finish(&FinishOptions::default());
    let stripe_finding = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .expect("stripe finding");
    assert_eq!(
        stripe_finding.location.path.as_deref(),
        Some("dist/bundle.jar!config/.env")
    );
    let json = serde_json::to_string(&evidence).unwrap();
    assert!(!json.contains(&key) && !json.contains(&token));
}

#[test]
fn archives_of_look_alikes_and_plain_text_give_nothing() {
    let quiet = zip(&[
        (
            "config/.env.example",
            b"STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\n",
            true,
        ),
        (
            "docs/keys.md",
            b"Put your API key in `API_KEY=<your key>`.\n",
            false,
        ),
    ]);
    let (found, truncated) = archive_matches(engine(), &quiet, "starter.zip");
    assert!(found.is_empty(), "{found:?}");
    assert!(!truncated);
    // Text that merely mentions an archive format is scanned as text.
    assert!(matches!(
        engine().scan(b"PK is how a zip starts\n", "notes.txt"),
        BlobOutcome::Scanned(_)
    ));
    // A corrupt archive is neither a crash nor a finding.
    let mut broken = quiet.clone();
    broken.truncate(40);
    let (found, _) = archive_matches(engine(), &broken, "broken.zip");
    assert!(found.is_empty());
}

#[test]
fn bombs_are_bounded_and_reported_as_truncated() {
    let mut rng = Rng::new(12);
    let env = format!("STRIPE_SECRET_KEY={}\n", stripe(&mut rng));
    let mut options = EngineOptions::default();
    options.archive_bytes = 1 << 20;
    options.archive_members = 64;
    let small = Engine::with_rules(RuleSet::builtin().unwrap(), options);

    // 16 MiB of zeros deflate to a few KiB; the budget stops at 1 MiB and
    // the member after it is not expanded.
    let zeros = vec![b'0'; 16 << 20];
    let bomb = zip(&[
        ("zeros.txt", &zeros, true),
        ("late/.env", env.as_bytes(), true),
    ]);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let (found, truncated) = archive_matches(&small, &bomb, "bomb.zip");
    assert!(truncated);
    assert!(found.is_empty(), "{found:?}");

    // Within budget, the same member is found: the cut is the budget's.
    let (found, truncated) = archive_matches(
        &small,
        &zip(&[("late/.env", env.as_bytes(), true)]),
        "ok.zip",
    );
    assert!(!truncated);
    assert_eq!(found.len(), 1, "{found:?}");

    // Too many members.
    let names: Vec<String> = (0..200).map(|i| format!("m{i}.txt")).collect();
    let many: Vec<(&str, &[u8], bool)> = names
        .iter()
        .map(|n| (n.as_str(), b"x\n".as_slice(), false))
        .collect();
    let (_, truncated) = archive_matches(&small, &zip(&many), "many.zip");
    assert!(truncated);

    // The session counts the truncated archive as a fact.
    let session = Session::new(&small);
    session.scan(&bomb, "bomb.zip", Origin::Worktree);
    let evidence = session.finish(&FinishOptions::default());
    let count = |name: &str| match evidence.facts.get(name).map(|f| &f.value) {
        Some(FactValue::Int { value, .. }) => *value,
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(count("secrets.archives.scanned"), 1);
    assert_eq!(count("secrets.archives.truncated"), 1);
}

#[test]
fn package_manager_caches_are_counted_not_read() {
    let mut rng = Rng::new(12);
    let env = format!("STRIPE_SECRET_KEY={}\n", stripe(&mut rng));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    for path in [".yarn/cache/left-pad-npm-1.3.0.zip", "release/bundle.zip"] {
        let bundle = zip(&[
            ("package/README.md", env.as_bytes(), true),
            ("package/NAME", path.as_bytes(), false),
        ]);
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("directories");
        std::fs::write(&file, &bundle).expect("the archive is written");
    }
    crate::common::git(root, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    crate::common::git(root, &["add", "."], "2024-01-01T00:00:00Z");
    crate::common::git(root, &["commit", "-q", "-m", "add"], "2024-01-01T00:00:00Z");
    let ev = crate::common::collect(root, &diligence_collect::Options::default());
    // The same archive is read where a build put it, not in Yarn's cache.
    let paths: Vec<&str> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str().starts_with("secrets.stripe."))
        .filter_map(|f| f.location.path.as_deref())
        .collect();
    assert_eq!(paths, ["release/bundle.zip!package/README.md"]);
    assert!(matches!(
        ev.facts["secrets.skipped.package-cache"].value,
        FactValue::Int { value: 1, .. }
    ));
}

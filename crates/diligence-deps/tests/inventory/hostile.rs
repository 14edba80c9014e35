//! Hostile and clean inputs: deep nesting, a clean project that must not
//! be flagged, and the project licence.

use crate::{analyse_files, findings};

#[test]
fn deep_json_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/a\": {{\"license\": {}{}}}}}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let a = analyse_files(&[
        ("a/package-lock.json", &deep),
        ("b/go.mod", "module x\n\nrequire github.com/a/b v1.0.0\n"),
        ("b/go.sum", "github.com/a/b v1.0.0 h1:x=\n"),
    ]);
    assert_eq!(a.errors.len(), 1);
    let e = &a.errors[0];
    assert_eq!((e.file.as_str(), e.line), ("a/package-lock.json", 1));
    assert!(e.message.contains("recursion limit"), "{e}");
    // The rest still parsed.
    assert_eq!(a.packages.len(), 1);
}

#[test]
fn deep_toml_and_yaml_nesting_are_errors() {
    let toml = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let yaml = format!(
        "lockfileVersion: '9.0'\npackages: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let a = analyse_files(&[("Cargo.lock", &toml), ("pnpm-lock.yaml", &yaml)]);
    assert_eq!(a.errors.len(), 2, "{:?}", a.errors);
}

const LOCK: &str = r#"{
  "name": "clean",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "clean", "dependencies": { "react": "^18.2.0" }, "devDependencies": { "vitest": "~1.6.0" } },
    "node_modules/react": { "version": "18.3.1", "resolved": "https://registry.npmjs.org/react/-/react-18.3.1.tgz", "license": "MIT" },
    "node_modules/vitest": { "version": "1.6.0", "resolved": "https://registry.npmjs.org/vitest/-/vitest-1.6.0.tgz", "dev": true, "license": "MIT" }
  }
}"#;

const MANIFEST: &str = r#"{
  "name": "clean",
  "private": true,
  "dependencies": { "react": "^18.2.0" },
  "devDependencies": { "vitest": "~1.6.0" }
}"#;

#[test]
fn a_clean_project_gives_no_finding() {
    let a = analyse_files(&[
        ("package.json", MANIFEST),
        ("package-lock.json", LOCK),
        (".github/dependabot.yml", "version: 2\n"),
        (
            "LICENSE",
            "MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy",
        ),
        // Vendored and build folders are never read as manifests.
        (
            "node_modules/evil/package.json",
            r#"{"name": "evil", "dependencies": {"x": "*"}}"#,
        ),
        (
            "dist/package.json",
            r#"{"name": "dist", "dependencies": {"x": "*"}}"#,
        ),
    ]);
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert!(a.errors.is_empty());
    assert_eq!(a.packages.len(), 2);
    assert_eq!(a.project_licence.as_deref(), Some("MIT"));
    assert_eq!(a.update_tool.as_deref(), Some(".github/dependabot.yml"));
}

#[test]
fn missing_update_tool_and_project_licence_from_files() {
    let a = analyse_files(&[
        ("package.json", MANIFEST),
        ("package-lock.json", LOCK),
        (
            "LICENSE-MIT",
            "Permission is hereby granted, free of charge, to any person",
        ),
        (
            "LICENSE-APACHE",
            "Apache License\nVersion 2.0, January 2004",
        ),
    ]);
    assert_eq!(findings(&a, "deps.update-tool-missing").len(), 1);
    assert_eq!(a.project_licence.as_deref(), Some("Apache-2.0 OR MIT"));
}

#[test]
fn libraries_without_lockfile_are_not_flagged() {
    let a = analyse_files(&[(
        "package.json",
        r#"{"name": "lib", "main": "index.js", "dependencies": {"x": "^1.0.0"}}"#,
    )]);
    assert!(findings(&a, "deps.lockfile-missing").is_empty());
    assert_eq!(a.unlocked_manifests, ["package.json"]);
}

#[test]
fn vendored_node_modules_supply_licences() {
    let a = analyse_files(&[
        (
            "yarn.lock",
            "# yarn lockfile v1\n\n\"gpl-thing@^1.0.0\":\n  version \"1.0.0\"\n",
        ),
        (
            "node_modules/gpl-thing/package.json",
            r#"{"name": "gpl-thing", "license": "GPL-3.0-only"}"#,
        ),
    ]);
    assert_eq!(a.packages[0].license.as_deref(), Some("GPL-3.0-only"));
    assert_eq!(findings(&a, "deps.licence.strong-copyleft").len(), 1);
}

#[test]
fn large_trees_are_flagged_over_the_threshold() {
    let mut lock = String::from("# yarn lockfile v1\n\n");
    for i in 0..=diligence_deps::LARGE_TREE {
        lock.push_str(&format!("pkg{i}@^1.0.0:\n  version \"1.0.0\"\n\n"));
    }
    let a = analyse_files(&[
        ("yarn.lock", &lock),
        (".github/dependabot.yml", "version: 2\n"),
    ]);
    assert_eq!(findings(&a, "deps.large-tree").len(), 1);
    let small = analyse_files(&[(
        "yarn.lock",
        "# yarn lockfile v1\n\na@^1:\n  version \"1.0.0\"\n",
    )]);
    assert!(findings(&small, "deps.large-tree").is_empty());
}

/// A `package-lock.json` of about 30 MB, the size of a real monorepo's,
/// written at test time: `packages` entries with every field npm writes.
pub(crate) fn large_package_lock(target_bytes: usize) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(target_bytes + 4096);
    text.push_str("{\n  \"name\": \"monorepo\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"monorepo\",\n      \"dependencies\": {\n        \"pkg-0\": \"^1.0.0\"\n      }\n    }");
    let mut i = 0usize;
    while text.len() < target_bytes {
        let _ = write!(
            text,
            ",\n    \"node_modules/pkg-{i}\": {{\n      \"version\": \"1.{}.{}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.{}.{}.tgz\",\n      \"integrity\": \"sha512-{:0>86}==\",\n      \"license\": \"MIT\",\n      \"dependencies\": {{\n        \"pkg-{}\": \"^1.0.0\"\n      }}\n    }}",
            i % 7,
            i % 13,
            i % 7,
            i % 13,
            i,
            i + 1
        );
        i += 1;
    }
    text.push_str("\n  }\n}\n");
    text
}

/// Monorepo lockfiles of 10–40 MB are common: a 30 MB one is read through
/// the collector (above the file index's 8 MiB cap) in bounded time.
#[test]
fn a_30_mb_lockfile_is_read() {
    use std::sync::atomic::AtomicBool;

    use diligence_collect::{
        CollectContext, Collector, FileIndex, FileIndexOptions, Options, Target,
    };

    let dir = tempfile::tempdir().unwrap();
    let lock = large_package_lock(30 * 1000 * 1000);
    assert!(lock.len() > 8 * 1024 * 1024 * 3);
    std::fs::write(dir.path().join("package-lock.json"), &lock).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "monorepo", "private": true, "dependencies": {"pkg-0": "^1.0.0"}}"#,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let target = Target::resolve(dir.path()).unwrap();
    let files = FileIndex::from_dir(dir.path(), &FileIndexOptions::default()).unwrap();
    let cancel = AtomicBool::new(false);
    let progress = |_| {};
    let options = Options::default();
    let cx = CollectContext::new(&target, None, &files, &options, &progress, &cancel);
    let ev = diligence_deps::DepsCollector.collect(&cx).unwrap();
    let elapsed = started.elapsed();
    let packages = match ev.facts["deps.packages"].value {
        diligence_model::FactValue::Int { value, .. } => value,
        ref other => panic!("{other:?}"),
    };
    assert!(packages > 60_000, "{packages}");
    assert!(
        !ev.findings
            .iter()
            .any(|f| f.rule.as_str() == "deps.file-unread"),
        "the lockfile must be read"
    );
    assert_eq!(ev.facts["deps.coverage"].value.to_string(), "100% (1/1)");
    // Generous for a shared 2-core machine: a debug build takes about 2 s
    // and 210 MB peak resident memory, generation included.
    assert!(elapsed.as_secs() < 120, "{elapsed:?}");
}

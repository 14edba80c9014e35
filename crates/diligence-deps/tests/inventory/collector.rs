//! The collector end to end on a directory: facts, inventories, the
//! catalog, and advisories with and without a database.

use std::collections::BTreeSet;
use std::fs;
use std::sync::atomic::AtomicBool;

use diligence_collect::{CollectContext, Collector, FileIndex, FileIndexOptions, Options, Target};
use diligence_deps::DepsCollector;
use diligence_model::{Evidence, FactValue, Inventory};

fn run(dir: &std::path::Path, options: &Options) -> Evidence {
    let target = Target::resolve(dir).unwrap();
    let files = FileIndex::from_dir(dir, &FileIndexOptions::default()).unwrap();
    let cancel = AtomicBool::new(false);
    let progress = |_| {};
    let cx = CollectContext::new(&target, None, &files, options, &progress, &cancel);
    DepsCollector.collect(&cx).unwrap()
}

fn write(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
}

const PROJECT: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{"name": "app", "private": true, "license": "MIT", "dependencies": {"lodash": "^4.17.0"}}"#,
    ),
    (
        "package-lock.json",
        r#"{"lockfileVersion": 3, "packages": {
  "": {"name": "app", "dependencies": {"lodash": "^4.17.0"}},
  "node_modules/lodash": {"version": "4.17.20", "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz", "license": "MIT"}
}}"#,
    ),
];

fn fact<'a>(ev: &'a Evidence, name: &str) -> &'a FactValue {
    &ev.facts
        .get(name)
        .unwrap_or_else(|| panic!("fact {name}"))
        .value
}

#[test]
fn without_a_database_advisories_are_not_evidenced() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), PROJECT);
    let ev = run(dir.path(), &Options::default());
    assert_eq!(
        fact(&ev, "deps.advisories.evidenced"),
        &FactValue::Bool { value: false }
    );
    assert!(
        ev.facts["deps.advisories.evidenced"]
            .detail
            .as_deref()
            .unwrap()
            .contains("no advisory database")
    );
    assert!(!ev.facts.contains_key("deps.advisories.total"));
    assert_eq!(
        fact(&ev, "deps.lockfile.present"),
        &FactValue::Bool { value: true }
    );
    assert_eq!(fact(&ev, "deps.licence.project").to_string(), "MIT");
    assert_eq!(fact(&ev, "deps.packages").to_string(), "1");
    assert_eq!(fact(&ev, "deps.ecosystems").to_string(), "npm");
    let Inventory::Table(table) = &ev.inventories["packages-by-ecosystem"] else {
        panic!()
    };
    assert_eq!(table.rows, [["npm", "package-lock.json", "1", "1", "0"]]);
    assert!(ev.inventories.contains_key("licences"));
    // Every fact and rule emitted is in the catalog.
    let catalog = DepsCollector.catalog();
    for name in ev.facts.keys() {
        assert!(catalog.facts.contains_key(name), "{name} not in catalog");
    }
    for f in &ev.findings {
        assert!(
            catalog.rules.contains_key(&f.rule),
            "{} not in catalog",
            f.rule
        );
    }
}

#[test]
fn with_an_osv_database_matches_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), PROJECT);
    let db = tempfile::tempdir().unwrap();
    write(
        db.path(),
        &[(
            "GHSA-35jh-r3h4-6jhm.json",
            r#"{
  "schema_version": "1.6.0",
  "id": "GHSA-35jh-r3h4-6jhm",
  "modified": "2024-01-01T00:00:00Z",
  "aliases": ["CVE-2021-23337"],
  "summary": "Command injection in lodash",
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}],
  "database_specific": {"severity": "HIGH"}
}"#,
        )],
    );
    let mut options = Options::default();
    options.advisory_dbs.push(db.path().to_path_buf());
    let ev = run(dir.path(), &options);
    assert_eq!(
        fact(&ev, "deps.advisories.evidenced"),
        &FactValue::Bool { value: true }
    );
    assert_eq!(fact(&ev, "deps.advisories.high").to_string(), "1");
    assert_eq!(fact(&ev, "deps.advisories.total").to_string(), "1");
    assert_eq!(fact(&ev, "deps.advisories.critical").to_string(), "0");
    let advisory: Vec<_> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deps.advisory")
        .collect();
    assert_eq!(advisory.len(), 1);
    assert_eq!(
        advisory[0].location.path.as_deref(),
        Some("package-lock.json")
    );
    assert_eq!(advisory[0].location.line, Some(3));
    assert!(
        advisory[0]
            .remediation
            .as_deref()
            .unwrap()
            .contains("4.17.21")
    );
    let Inventory::Table(table) = &ev.inventories["advisories"] else {
        panic!()
    };
    assert_eq!(table.rows[0][0], "GHSA-35jh-r3h4-6jhm");
    assert_eq!(table.rows[0][3], "vulnerability");
    assert_eq!(table.rows[0][8], "4.17.21");
}

#[test]
fn a_broken_database_is_reported_and_does_not_fail_the_collector() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), PROJECT);
    let mut options = Options::default();
    options.advisory_dbs.push(dir.path().join("no-such-db"));
    let ev = run(dir.path(), &options);
    assert_eq!(
        fact(&ev, "deps.advisories.evidenced"),
        &FactValue::Bool { value: false }
    );
    assert!(ev.partial.as_deref().unwrap().contains("advisory database"));
}

#[test]
fn catalog_ids_are_unique_and_documented() {
    let docs = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/collectors/deps.md"),
    )
    .unwrap();
    for list in [diligence_deps::FACTS, diligence_deps::RULES] {
        let mut seen = BTreeSet::new();
        for (id, _) in list {
            assert!(seen.insert(*id), "{id} listed twice");
            assert!(docs.contains(&format!("id=\"{id}\"")), "{id} has no anchor");
        }
    }
    let catalog = DepsCollector.catalog();
    assert_eq!(catalog.facts.len(), diligence_deps::FACTS.len());
    assert_eq!(catalog.rules.len(), diligence_deps::RULES.len());
}

#[test]
fn workspace_members_satisfy_their_dependants_and_a_foreign_crate_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let lock = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["core-lib", "serde"]

[[package]]
name = "core-lib"
version = "0.1.0"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"
"#;
    write(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\", \"core-lib\"]\n\n[workspace.dependencies]\ncore-lib = { path = \"core-lib\" }\nserde = \"1\"\n",
            ),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore-lib.workspace = true\nserde.workspace = true\n",
            ),
            (
                "core-lib/Cargo.toml",
                "[package]\nname = \"core-lib\"\nversion = \"0.1.0\"\n",
            ),
            ("Cargo.lock", lock),
        ],
    );
    let ev = run(dir.path(), &Options::default());
    let out_of_sync: Vec<_> = ev
        .findings
        .iter()
        .filter(|f| f.rule.as_str() == "deps.lockfile-out-of-sync")
        .collect();
    assert!(out_of_sync.is_empty(), "{out_of_sync:?}");

    // A registry crate the lockfile lacks is still reported.
    fs::write(
        dir.path().join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore-lib.workspace = true\nserde.workspace = true\nrand = \"0.8\"\n",
    )
    .unwrap();
    let ev = run(dir.path(), &Options::default());
    assert!(
        ev.findings
            .iter()
            .any(|f| f.rule.as_str() == "deps.lockfile-out-of-sync" && f.message.contains("rand")),
        "{:?}",
        ev.findings
    );
}

//! The shared real databases: each loads without fatal errors, known
//! advisories match known-vulnerable versions and not fixed ones.

use diligence_deps::{AdvisoryDb, Ecosystem};

use crate::common::{cargo_lock_packages, fixture, pkg, shared_db};

fn ids(db: &AdvisoryDb, ecosystem: Ecosystem, name: &str, version: &str) -> Vec<String> {
    db.matches(&[pkg(ecosystem, name, version)])
        .into_iter()
        .map(|m| m.id)
        .collect()
}

#[allow(clippy::print_stderr)]
fn load(sub: &str) -> Option<AdvisoryDb> {
    let dir = shared_db(sub)?;
    let db = AdvisoryDb::load(&dir).expect("shared database loads");
    let r = db.load_report();
    eprintln!(
        "{sub}: {} files, {} advisories, {} withdrawn, {} skipped, {} unsupported entries, {} ignored; {:?}",
        r.files,
        r.advisories,
        r.withdrawn,
        r.skipped.len(),
        r.unsupported_entries,
        r.ignored,
        db.info()
    );
    Some(db)
}

#[test]
fn rustsec_database() {
    let Some(db) = load("rustsec") else { return };
    let r = db.load_report();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert!(r.advisories > 1000);
    assert_eq!(db.info().name, "rustsec");

    let e = Ecosystem::CratesIo;
    let old = ids(&db, e, "smallvec", "0.6.9");
    assert!(old.contains(&"RUSTSEC-2019-0009".to_owned()), "{old:?}");
    assert!(old.contains(&"RUSTSEC-2021-0003".to_owned()), "{old:?}");
    assert!(ids(&db, e, "smallvec", "1.13.2").is_empty());
    assert_eq!(ids(&db, e, "chrono", "0.4.19"), ["RUSTSEC-2020-0159"]);
    assert!(ids(&db, e, "chrono", "0.4.20").is_empty());
    assert_eq!(ids(&db, e, "regex", "1.5.4"), ["RUSTSEC-2022-0013"]);
    assert!(ids(&db, e, "regex", "1.5.5").is_empty());

    let m = db.matches(&[pkg(e, "time", "0.1.43")]);
    let m = m
        .iter()
        .find(|m| m.id == "RUSTSEC-2020-0071")
        .expect("time advisory");
    assert_eq!(m.fixed, ["0.2.23"]);
    assert_eq!(
        m.upgrade_hint().as_deref(),
        Some("upgrade time to >= 0.2.23")
    );
}

#[test]
fn rustsec_database_on_a_vulnerable_lockfile() -> anyhow::Result<()> {
    let Some(db) = load("rustsec") else {
        return Ok(());
    };
    let packages = cargo_lock_packages(&fixture("cargo/vulnerable.Cargo.lock"))?;
    let found = db.matches(&packages);
    let ids: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
    assert!(
        ids.contains(&"RUSTSEC-2020-0036"),
        "failure is unmaintained"
    );
    assert!(ids.contains(&"RUSTSEC-2024-0421"), "idna");
    // regex 1.5.4 is vulnerable but comes from git here: not the advisory's crate.
    assert!(!ids.contains(&"RUSTSEC-2022-0013"));
    Ok(())
}

#[test]
fn pypa_database() {
    let Some(db) = load("pypa") else { return };
    assert!(
        db.load_report().skipped.is_empty(),
        "{:?}",
        db.load_report().skipped
    );
    assert_eq!(db.info().name, "osv-pypi");
    let e = Ecosystem::PyPi;
    assert!(ids(&db, e, "requests", "2.2.1").contains(&"PYSEC-2014-13".to_owned()));
    assert!(!ids(&db, e, "requests", "2.3.0").contains(&"PYSEC-2014-13".to_owned()));
    assert!(ids(&db, e, "Requests", "2.2.1").contains(&"PYSEC-2014-13".to_owned()));
    let django = db.matches(&[pkg(e, "Django", "3.2")]);
    let m = django
        .iter()
        .find(|m| m.id == "PYSEC-2021-7")
        .expect("django advisory");
    assert_eq!(m.fixed, ["3.2.1"]);
    assert!(!ids(&db, e, "django", "3.2.1").contains(&"PYSEC-2021-7".to_owned()));
    assert!(!ids(&db, e, "django", "3.0.5").contains(&"PYSEC-2021-7".to_owned()));
}

#[test]
fn go_database() {
    let Some(db) = load("go") else { return };
    assert!(
        db.load_report().skipped.is_empty(),
        "{:?}",
        db.load_report().skipped
    );
    let e = Ecosystem::Go;
    let old = db.matches(&[pkg(e, "golang.org/x/net", "v0.16.0")]);
    let m = old
        .iter()
        .find(|m| m.id == "GO-2023-2102")
        .expect("x/net advisory");
    assert!(m.aliases.contains("CVE-2023-39325"));
    assert_eq!(m.fixed, ["0.17.0"]);
    assert!(!ids(&db, e, "golang.org/x/net", "v0.17.0").contains(&"GO-2023-2102".to_owned()));
    let pseudo = ids(
        &db,
        e,
        "golang.org/x/net",
        "v0.0.0-20220722155237-a158d28d115b",
    );
    assert!(pseudo.contains(&"GO-2023-2102".to_owned()));
}

#[test]
fn nodejs_security_wg_database() {
    let Some(db) = load("nodejs-security-wg") else {
        return;
    };
    assert_eq!(db.info().name, "nodejs-security-wg");
    let e = Ecosystem::Npm;
    assert_eq!(ids(&db, e, "bassmaster", "1.5.1"), ["NSWG-ECO-1"]);
    assert!(ids(&db, e, "bassmaster", "1.5.2").is_empty());
}

fn conditions(db: &AdvisoryDb, name: &str, version: &str, id: &str) -> Vec<String> {
    db.matches(&[pkg(Ecosystem::CratesIo, name, version)])
        .into_iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} matches {name} {version}"))
        .conditions
        .into_iter()
        .filter_map(|c| c.feature)
        .collect()
}

/// Real advisories that name the feature they need are read as conditions;
/// those that name a feature as a fix, a default or in passing are not.
#[test]
fn rustsec_feature_conditions() {
    let Some(db) = load("rustsec") else { return };
    assert_eq!(
        conditions(&db, "age", "0.10.0", "RUSTSEC-2024-0433"),
        ["plugin"]
    );
    assert_eq!(
        conditions(&db, "hickory-proto", "0.25.0", "RUSTSEC-2026-0118"),
        ["dnssec-aws-lc-rs", "dnssec-ring"]
    );
    // "`safe-decode` feature flag disabled": a mitigation, not a condition.
    assert!(conditions(&db, "lz4_flex", "0.11.5", "RUSTSEC-2026-0041").is_empty());
    // Dates: RustSec's `date` is the publication date.
    let m = db
        .matches(&[pkg(Ecosystem::CratesIo, "age", "0.10.0")])
        .into_iter()
        .find(|m| m.id == "RUSTSEC-2024-0433")
        .unwrap();
    assert!(
        m.published
            .as_deref()
            .is_some_and(|d| d.starts_with("2024-"))
    );
    assert!(db.newest().is_some_and(|d| d >= "2026-01-01"));
}

//! Every range rule on hand-written databases: cases that must match and
//! look-alikes that must not.

use diligence_deps::advisory::{AdvisoryError, DatabaseFormat};
use diligence_deps::{AdvisoryDb, AdvisoryMatch, Ecosystem, Package, Source};
use diligence_model::Severity;

use crate::common::{fixture, pkg};

fn osv_db() -> AdvisoryDb {
    AdvisoryDb::load(&fixture("osv")).expect("fixture database loads")
}

fn matches(db: &AdvisoryDb, package: Package) -> Vec<AdvisoryMatch> {
    db.matches(&[package])
}

/// Ids matched for `name@version`, with the fixed versions of each.
fn hits(
    db: &AdvisoryDb,
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
) -> Vec<(String, Vec<String>)> {
    matches(db, pkg(ecosystem, name, version))
        .into_iter()
        .map(|m| (m.id, m.fixed))
        .collect()
}

fn hit(id: &str, fixed: &[&str]) -> Vec<(String, Vec<String>)> {
    vec![(
        id.to_owned(),
        fixed.iter().map(|f| (*f).to_owned()).collect(),
    )]
}

const NONE: Vec<(String, Vec<String>)> = Vec::new();

#[test]
fn osv_load_report_counts_withdrawn_skipped_and_unsupported() {
    let db = osv_db();
    let report = db.load_report();
    assert_eq!(report.format, DatabaseFormat::Osv);
    assert_eq!(report.files, 10);
    assert_eq!(report.advisories, 8);
    assert_eq!(report.withdrawn, 1);
    assert_eq!(report.unsupported_entries, 1, "the Debian entry");
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].path, "other/broken.json");
    assert!(!report.skipped[0].reason.is_empty());
    assert_eq!(report.per_ecosystem.get("npm"), Some(&3));
    assert_eq!(report.per_ecosystem.get("PyPI"), Some(&3));
    let info = db.info();
    assert_eq!(info.name, "osv");
    assert_eq!(info.version, "2024-09-01");
}

#[test]
fn npm_semver_introduced_fixed_and_prereleases() {
    let db = osv_db();
    let e = Ecosystem::Npm;
    let id = "GHSA-test-0001-0001";
    assert_eq!(hits(&db, e, "left-pad-ish", "0.0.1"), hit(id, &["1.4.2"]));
    assert_eq!(hits(&db, e, "left-pad-ish", "1.4.1"), hit(id, &["1.4.2"]));
    assert_eq!(hits(&db, e, "left-pad-ish", "1.4.2"), NONE);
    assert_eq!(hits(&db, e, "left-pad-ish", "1.9.0"), NONE);
    assert_eq!(
        hits(&db, e, "left-pad-ish", "2.0.0-beta.1"),
        hit(id, &["2.1.0"])
    );
    assert_eq!(hits(&db, e, "left-pad-ish", "2.0.0-alpha.9"), NONE);
    assert_eq!(hits(&db, e, "left-pad-ish", "2.0.5"), hit(id, &["2.1.0"]));
    assert_eq!(hits(&db, e, "left-pad-ish", "2.1.0"), NONE);
    // Same name, other ecosystem.
    assert_eq!(hits(&db, Ecosystem::PyPi, "left-pad-ish", "1.0.0"), NONE);
}

#[test]
fn last_affected_is_inclusive_and_git_ranges_are_ignored() {
    let db = osv_db();
    let e = Ecosystem::Npm;
    let id = "GHSA-test-0001-0001";
    assert_eq!(hits(&db, e, "@scope/widget", "3.0.0"), hit(id, &[]));
    assert_eq!(hits(&db, e, "@scope/widget", "3.2.0"), hit(id, &[]));
    assert_eq!(hits(&db, e, "@scope/widget", "3.2.1"), NONE);
    // The GIT range says introduced 0; it must not widen the match.
    assert_eq!(hits(&db, e, "@scope/widget", "2.9.9"), NONE);
}

#[test]
fn limit_and_several_intervals() {
    let db = osv_db();
    let e = Ecosystem::Npm;
    let id = "GHSA-test-0002-0002";
    assert_eq!(hits(&db, e, "branchy", "1.9.9"), hit(id, &[]));
    assert_eq!(hits(&db, e, "branchy", "2.0.0"), NONE);
    assert_eq!(hits(&db, e, "branchy", "4.0.0"), NONE);
    assert_eq!(hits(&db, e, "branchy", "5.0.2"), hit(id, &["5.0.3"]));
    assert_eq!(hits(&db, e, "branchy", "5.0.3"), NONE);
    assert_eq!(hits(&db, e, "branchy", "5.1.0"), hit(id, &["5.1.1"]));
    assert_eq!(hits(&db, e, "branchy", "5.1.1"), NONE);
}

#[test]
fn withdrawn_advisories_never_match() {
    let db = osv_db();
    let ids: Vec<String> = matches(&db, pkg(Ecosystem::Npm, "left-pad-ish", "3.0.0"))
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert!(!ids.contains(&"GHSA-test-0003-0003".to_owned()));
    assert!(ids.is_empty());
}

#[test]
fn severity_from_cvss_v3_v4_label_or_unrated() {
    let db = osv_db();
    let m = &matches(&db, pkg(Ecosystem::Npm, "left-pad-ish", "1.0.0"))[0];
    // The vector wins over the database's label.
    assert_eq!(m.severity, Severity::Critical);
    assert_eq!(m.score_tenths, Some(98));
    assert_eq!(
        m.cvss.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    assert_eq!(m.aliases.iter().collect::<Vec<_>>(), ["CVE-2099-0001"]);
    assert_eq!(
        m.url.as_deref(),
        Some("https://example.invalid/advisories/GHSA-test-0001-0001")
    );
    assert_eq!(
        m.upgrade_hint().as_deref(),
        Some("upgrade left-pad-ish to >= 1.4.2")
    );
    assert!(!m.withdrawn);

    let m = &matches(&db, pkg(Ecosystem::Npm, "scored", "1.0.0"))[0];
    assert_eq!(m.id, "GHSA-test-0004-0004");
    assert_eq!(m.score_tenths, Some(93));
    assert_eq!(m.severity, Severity::Critical);
    assert_eq!(hits(&db, Ecosystem::Npm, "scored", "1.0.1"), NONE);

    let m = &matches(&db, pkg(Ecosystem::Npm, "branchy", "1.0.0"))[0];
    assert_eq!(m.severity, Severity::Low);
    assert_eq!(m.cvss, None);

    let m = &matches(&db, pkg(Ecosystem::PyPi, "requests-ish", "2.0.0"))[0];
    assert_eq!(m.severity, Severity::Medium, "unrated");
    assert_eq!((m.cvss.as_ref(), m.score_tenths), (None, None));
    assert_eq!(
        m.summary,
        "Requests-ish before 2.3.0 leaks credentials on redirect."
    );
}

#[test]
fn pypi_pep440_ranges_epochs_and_name_normalisation() {
    let db = osv_db();
    let e = Ecosystem::PyPi;
    let id = "PYSEC-TEST-1";
    for name in ["requests-ish", "Requests_Ish", "requests.ish"] {
        assert_eq!(hits(&db, e, name, "2.2.0"), hit(id, &["2.3.0"]), "{name}");
    }
    assert_eq!(hits(&db, e, "requestsish", "2.2.0"), NONE);
    assert_eq!(
        hits(&db, e, "requests-ish", "2.3.0rc1"),
        hit(id, &["2.3.0"])
    );
    assert_eq!(hits(&db, e, "requests-ish", "2.3"), NONE);
    assert_eq!(hits(&db, e, "requests-ish", "2.3.0.post1"), NONE);
    assert_eq!(hits(&db, e, "requests-ish", "1!0.3"), hit(id, &["1!0.5"]));
    assert_eq!(hits(&db, e, "requests-ish", "1!0.5"), NONE);
    assert_eq!(hits(&db, e, "requests-ish", "1!2.0"), NONE);
}

#[test]
fn pypi_explicit_versions_lists() {
    let db = osv_db();
    let e = Ecosystem::PyPi;
    let id = "PYSEC-TEST-2";
    assert_eq!(hits(&db, e, "listed-only", "1.0"), hit(id, &[]));
    assert_eq!(
        hits(&db, e, "listed-only", "1.0.0"),
        hit(id, &[]),
        "PEP 440 equal"
    );
    assert_eq!(hits(&db, e, "listed-only", "1.1.post1"), hit(id, &[]));
    assert_eq!(hits(&db, e, "listed-only", "1.1"), NONE);
    assert_eq!(hits(&db, e, "listed-only", "1.2"), NONE);
}

#[test]
fn pypi_pre_post_dev_around_last_affected() {
    let db = osv_db();
    let e = Ecosystem::PyPi;
    let id = "PYSEC-TEST-3";
    assert_eq!(hits(&db, e, "prepost", "2.0.dev0"), NONE);
    assert_eq!(hits(&db, e, "prepost", "1.9"), NONE);
    assert_eq!(hits(&db, e, "prepost", "2.0.dev1"), hit(id, &[]));
    assert_eq!(hits(&db, e, "prepost", "2.0a1"), hit(id, &[]));
    assert_eq!(hits(&db, e, "prepost", "2.0"), hit(id, &[]));
    assert_eq!(hits(&db, e, "prepost", "2.1.post2.dev3"), hit(id, &[]));
    assert_eq!(hits(&db, e, "prepost", "2.1.post2"), hit(id, &[]));
    assert_eq!(hits(&db, e, "prepost", "2.1.post3"), NONE);
    assert_eq!(hits(&db, e, "prepost", "2.2"), NONE);
}

#[test]
fn go_v_prefix_pseudo_versions_and_incompatible() {
    let db = osv_db();
    let e = Ecosystem::Go;
    let id = "GO-TEST-0001";
    assert_eq!(
        hits(&db, e, "example.org/x/net", "v0.16.0"),
        hit(id, &["0.17.0"])
    );
    assert_eq!(
        hits(
            &db,
            e,
            "example.org/x/net",
            "v0.0.0-20230101000000-abcdefabcdef"
        ),
        hit(id, &["0.17.0"])
    );
    assert_eq!(hits(&db, e, "example.org/x/net", "v0.17.0"), NONE);
    assert_eq!(
        hits(
            &db,
            e,
            "example.org/x/net",
            "v0.17.1-0.20231001000000-abcdefabcdef"
        ),
        NONE
    );
    assert_eq!(
        hits(&db, e, "example.org/legacy", "v2.2.0+incompatible"),
        hit(id, &["2.3.0"])
    );
    assert_eq!(
        hits(&db, e, "example.org/legacy", "v2.3.0+incompatible"),
        NONE
    );
    assert_eq!(hits(&db, e, "example.org/legacy", "v1.9.0"), NONE);
    // Go module paths are case-sensitive.
    assert_eq!(hits(&db, e, "example.org/X/net", "v0.16.0"), NONE);
}

#[test]
fn crates_io_from_an_osv_export() {
    let db = osv_db();
    let e = Ecosystem::CratesIo;
    let id = "RUSTSEC-2099-0001";
    assert_eq!(
        hits(&db, e, "osv-crate", "0.0.1-alpha"),
        hit(id, &["0.3.1"])
    );
    assert_eq!(hits(&db, e, "osv-crate", "0.3.0"), hit(id, &["0.3.1"]));
    assert_eq!(hits(&db, e, "osv-crate", "0.3.1"), NONE);
    assert_eq!(hits(&db, e, "osv-crate", "0.4.4"), hit(id, &["0.4.5"]));
    assert_eq!(hits(&db, e, "osv-crate", "0.4.5"), NONE);
    assert_eq!(hits(&db, Ecosystem::Npm, "osv-crate", "0.3.0"), NONE);
}

#[test]
fn unpinned_and_unparseable_versions_do_not_match() {
    let db = osv_db();
    let mut p = pkg(Ecosystem::Npm, "left-pad-ish", "^1.0.0");
    p.pinned = false;
    assert!(db.matches(&[p]).is_empty());
    assert_eq!(hits(&db, Ecosystem::Npm, "left-pad-ish", "latest"), NONE);
}

#[test]
fn matches_are_ordered_and_deterministic() {
    let db = osv_db();
    let packages = vec![
        pkg(Ecosystem::PyPi, "prepost", "2.0"),
        pkg(Ecosystem::Npm, "left-pad-ish", "1.0.0"),
        pkg(Ecosystem::Go, "example.org/x/net", "v0.1.0"),
    ];
    let a = db.matches(&packages);
    let mut reversed = packages.clone();
    reversed.reverse();
    assert_eq!(a, db.matches(&reversed));
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].package.ecosystem, Ecosystem::Npm);
}

#[test]
fn rustsec_patched_unaffected_informational_withdrawn() {
    let db = AdvisoryDb::load(&fixture("rustsec")).expect("fixture database loads");
    let report = db.load_report();
    assert_eq!(report.format, DatabaseFormat::RustSec);
    assert_eq!(report.advisories, 2);
    assert_eq!(report.withdrawn, 1);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        skipped,
        [
            "crates/broken/RUSTSEC-2024-9004.md",
            "crates/misplaced/RUSTSEC-2024-9005.md"
        ]
    );
    assert_eq!(db.info().name, "rustsec");
    assert_eq!(db.info().version, "2024-03-05");

    let e = Ecosystem::CratesIo;
    let id = "RUSTSEC-2024-9001";
    assert_eq!(hits(&db, e, "smallthing", "0.4.0"), NONE, "unaffected");
    assert_eq!(
        hits(&db, e, "smallthing", "0.5.0"),
        hit(id, &["0.9.5", "1.2.3"])
    );
    assert_eq!(
        hits(&db, e, "smallthing", "0.9.4"),
        hit(id, &["0.9.5", "1.2.3"])
    );
    assert_eq!(hits(&db, e, "smallthing", "0.9.5"), NONE);
    assert_eq!(hits(&db, e, "smallthing", "0.9.9"), NONE);
    assert_eq!(hits(&db, e, "smallthing", "1.0.0"), hit(id, &["1.2.3"]));
    assert_eq!(hits(&db, e, "smallthing", "1.2.3"), NONE);
    assert_eq!(hits(&db, e, "gone", "1.0.0"), NONE, "withdrawn");

    let m = &matches(&db, pkg(e, "smallthing", "1.0.0"))[0];
    assert_eq!(m.severity, Severity::High);
    assert_eq!(m.score_tenths, Some(75));
    assert_eq!(m.informational, None);
    assert_eq!(
        m.aliases.iter().collect::<Vec<_>>(),
        ["CVE-2099-0400", "GHSA-test-0400-0400"]
    );

    // Sources: only crates.io and path crates are the advisory's crate.
    let mut git = pkg(e, "smallthing", "1.0.0");
    git.source = Source::Git {
        url: "https://example.invalid/smallthing".into(),
        reference: None,
    };
    assert!(db.matches(&[git]).is_empty());
    let mut other_registry = pkg(e, "smallthing", "1.0.0");
    other_registry.source = Source::Registry {
        url: Some("sparse+https://registry.example.invalid/".into()),
    };
    assert!(db.matches(&[other_registry]).is_empty());
    let mut path = pkg(e, "smallthing", "1.0.0");
    path.source = Source::Path {
        path: "vendor/smallthing".into(),
    };
    assert_eq!(db.matches(&[path]).len(), 1);

    let m = &matches(&db, pkg(e, "oldthing", "3.1.4"))[0];
    assert_eq!(m.id, "RUSTSEC-2024-9002");
    assert_eq!(m.informational.as_deref(), Some("unmaintained"));
    assert_eq!(m.severity, Severity::Low);
    assert!(m.fixed.is_empty());
}

#[test]
fn nodejs_security_wg_npm_ranges() {
    let db = AdvisoryDb::load(&fixture("nodejs-wg")).expect("fixture database loads");
    let report = db.load_report();
    assert_eq!(report.format, DatabaseFormat::NodeSecurityWg);
    assert_eq!(report.advisories, 2);
    let skipped: Vec<&str> = report.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(skipped, ["vuln/npm/3.json", "vuln/npm/index.json"]);
    assert_eq!(db.info().name, "nodejs-security-wg");

    let e = Ecosystem::Npm;
    assert_eq!(
        hits(&db, e, "evalish", "1.5.1"),
        hit("NSWG-ECO-1", &["1.5.2"])
    );
    assert_eq!(hits(&db, e, "evalish", "1.5.2"), NONE);
    assert_eq!(hits(&db, e, "evalish", "1.9.0"), NONE);
    assert_eq!(
        hits(&db, e, "evalish", "2.0.5"),
        hit("NSWG-ECO-1", &["2.1.1"])
    );
    assert_eq!(hits(&db, e, "evalish", "2.1.1"), NONE);
    assert_eq!(
        hits(&db, e, "evalish", "2.0.0-rc.1"),
        NONE,
        "npm pre-release rule"
    );
    assert_eq!(hits(&db, e, "abandoned", "9.9.9"), hit("NSWG-ECO-2", &[]));

    let m = &matches(&db, pkg(e, "evalish", "1.0.0"))[0];
    assert_eq!(m.aliases.iter().collect::<Vec<_>>(), ["CVE-2099-0500"]);
    assert_eq!((m.severity, m.score_tenths), (Severity::Medium, Some(65)));
}

#[test]
fn merging_two_databases_gives_one_match_per_vulnerability() {
    let osv = osv_db();
    let wg = AdvisoryDb::load(&fixture("nodejs-wg")).expect("loads");
    let packages = [pkg(Ecosystem::Npm, "left-pad-ish", "1.0.0")];
    let mut all = osv.matches(&packages);
    // The same vulnerability seen by a second database under another id.
    let mut twin = all[0].clone();
    twin.id = "NSWG-ECO-99".into();
    twin.aliases = ["CVE-2099-0001".to_owned()].into();
    twin.severity = Severity::Medium;
    all.push(twin);
    all.extend(wg.matches(&packages));
    let merged = diligence_deps::merge_matches(all);
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0].id, "NSWG-ECO-99");
    assert_eq!(merged[0].severity, Severity::Critical);
    assert!(merged[0].aliases.contains("GHSA-test-0001-0001"));
}

#[test]
fn bad_directories_are_errors() {
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        AdvisoryDb::load(empty.path()),
        Err(AdvisoryError::UnknownFormat { .. })
    ));
    std::fs::write(empty.path().join("junk.json"), "{").expect("write");
    assert!(matches!(
        AdvisoryDb::load(empty.path()),
        Err(AdvisoryError::Empty { skipped: 1, .. })
    ));
    assert!(matches!(
        AdvisoryDb::load(&empty.path().join("missing")),
        Err(AdvisoryError::Read { .. })
    ));
}

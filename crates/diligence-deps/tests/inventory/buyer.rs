//! What a buyer relies on: advisories not enabled in the build, notices
//! apart from vulnerabilities, what was public at the commit, database
//! freshness, coverage stated per ecosystem, and no pass without evidence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use diligence_deps::{
    AdvisoryDb, Analysis, Dates, FileRead, LOCKFILE_CAP, Resolution, analyse, evidence_from,
    evidence_with,
};
use diligence_model::{CollectorId, Evidence, FactValue, Finding, Inventory, Timestamp};

use crate::analyse_dir;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn db(folder: &str) -> Result<AdvisoryDb, String> {
    AdvisoryDb::load(&repo_root().join("fixtures/advisories").join(folder))
        .map_err(|e| e.to_string())
}

fn evidence(analysis: &Analysis, dbs: &[&str], dates: Dates) -> Evidence {
    let loaded: Vec<_> = dbs.iter().map(|d| db(d)).collect();
    evidence_with(CollectorId::new("deps").unwrap(), analysis, &loaded, dates)
}

fn fact(ev: &Evidence, name: &str) -> Option<String> {
    ev.facts.get(name).map(|f| f.value.to_string())
}

fn findings<'a>(ev: &'a Evidence, rule: &str) -> Vec<&'a Finding> {
    ev.findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .collect()
}

fn table<'a>(ev: &'a Evidence, name: &str) -> &'a diligence_model::Table {
    match &ev.inventories[name] {
        Inventory::Table(t) => t,
        other => panic!("{name} is not a table: {other:?}"),
    }
}

fn day(text: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(text).unwrap())
}

fn features() -> Analysis {
    analyse_dir(&repo_root().join("fixtures/deps/features"))
}

#[test]
fn an_advisory_is_not_enabled_only_where_the_lockfile_shows_it() {
    let ev = evidence(
        &features(),
        &["features", "osv-conditions"],
        Dates::default(),
    );
    let off: BTreeMap<&str, &Finding> = findings(&ev, "deps.advisory-not-enabled")
        .into_iter()
        .map(|f| (f.message.split(':').nth(1).unwrap().trim(), f))
        .collect();
    // dnsproto resolved without `ring` and `aws-lc-rs` although both are in
    // the build: its `dnssec-ring` and `dnssec-aws-lc-rs` features are off
    // (a name match: low confidence).
    let dns = off
        .keys()
        .find(|k| k.starts_with("RUSTSEC-2099-0101"))
        .map(|k| off[k])
        .expect("dnsproto advisory judged not enabled");
    assert_eq!(dns.confidence.to_string(), "low");
    assert_eq!(dns.severity.to_string(), "low");
    assert!(dns.tags.iter().any(|t| t == "not-enabled"), "{dns:?}");
    assert!(dns.message.contains("rated critical"), "{}", dns.message);
    assert!(
        dns.message.contains("ring absent from dnsproto 0.24.1"),
        "{}",
        dns.message
    );
    // tlsclient names its optional dependency outright: medium confidence.
    let tls = off
        .keys()
        .find(|k| k.starts_with("GHSA-test-0201-0201"))
        .map(|k| off[k])
        .expect("tlsclient advisory judged not enabled");
    assert_eq!(tls.confidence.to_string(), "medium");
    assert_eq!(off.len(), 2, "{:?}", off.keys());

    // The look-alikes keep their severity: mailer resolved with `boring`,
    // sqlish with `openssl`, asyncrt's `io-util` and httpish's default `std`
    // name no crate the lockfile knows.
    let kept: Vec<String> = findings(&ev, "deps.advisory")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.severity,
                f.message.split(':').nth(1).unwrap().trim()
            )
        })
        .collect();
    for id in [
        "RUSTSEC-2099-0102",
        "GHSA-test-0202-0202",
        "RUSTSEC-2099-0103",
        "RUSTSEC-2099-0106",
    ] {
        assert!(
            kept.iter()
                .any(|k| k.starts_with("critical") && k.contains(id)),
            "{id} must keep its severity: {kept:?}"
        );
    }
    assert_eq!(fact(&ev, "deps.advisories.critical").as_deref(), Some("4"));
    assert_eq!(
        fact(&ev, "deps.advisories.not-enabled").as_deref(),
        Some("2")
    );
    assert!(ev.facts["deps.advisories.not-enabled"].heuristic.is_some());
    let advisories = table(&ev, "advisories");
    let applies = advisories
        .columns
        .iter()
        .position(|c| c == "applies to this build")
        .unwrap();
    assert!(
        advisories
            .rows
            .iter()
            .any(|r| r[applies] == "not enabled in this build (low confidence)")
    );
}

#[test]
fn notices_are_counted_apart_from_vulnerabilities() {
    let ev = evidence(&features(), &["features"], Dates::default());
    assert_eq!(
        fact(&ev, "deps.advisories.informational").as_deref(),
        Some("2")
    );
    assert_eq!(
        fact(&ev, "deps.advisories.unmaintained").as_deref(),
        Some("1")
    );
    assert_eq!(fact(&ev, "deps.advisories.unsound").as_deref(), Some("1"));
    // Vulnerabilities only: 3 critical kept, 1 not enabled, 2 notices apart.
    assert_eq!(fact(&ev, "deps.advisories.total").as_deref(), Some("3"));
    assert_eq!(fact(&ev, "deps.advisories.medium").as_deref(), Some("0"));
    assert_eq!(fact(&ev, "deps.advisories.low").as_deref(), Some("0"));
    assert_eq!(findings(&ev, "deps.advisory-notice").len(), 2);
    let advisories = table(&ev, "advisories");
    let kinds: Vec<&str> = advisories.rows.iter().map(|r| r[3].as_str()).collect();
    assert!(kinds.contains(&"unmaintained") && kinds.contains(&"unsound"));
    assert_eq!(kinds.iter().filter(|k| **k == "vulnerability").count(), 4);
}

#[test]
fn advisories_public_at_the_commit_are_told_from_later_ones() {
    // Published 2022-03-01 (httpish), 2023-05-02 (dnsproto, not enabled),
    // 2023-06-01 (mailer), 2024-09-30 (asyncrt).
    let dates = Dates {
        report: day("2024-10-15"),
        commit: day("2023-07-01"),
    };
    let ev = evidence(&features(), &["features"], dates);
    assert_eq!(
        fact(&ev, "deps.advisories.public-at-commit").as_deref(),
        Some("2")
    );
    let detail = ev.facts["deps.advisories.public-at-commit"]
        .detail
        .clone()
        .unwrap();
    assert!(detail.contains("1 later"), "{detail}");
    let advisories = table(&ev, "advisories");
    let at = advisories
        .columns
        .iter()
        .position(|c| c == "public at commit")
        .unwrap();
    let row = |id: &str| advisories.rows.iter().find(|r| r[0] == id).unwrap();
    assert_eq!(row("RUSTSEC-2099-0102")[at], "yes");
    assert_eq!(row("RUSTSEC-2099-0103")[at], "no, published later");
    assert_eq!(row("RUSTSEC-2099-0103")[5], "2024-09-30");
    // Without a commit date the fact is absent and the column says so.
    let ev = evidence(&features(), &["features"], Dates::default());
    assert!(!ev.facts.contains_key("deps.advisories.public-at-commit"));
    assert_eq!(table(&ev, "advisories").rows[0][6], "unknown");
}

#[test]
fn database_age_is_measured_from_the_report_date() {
    let stale = Dates {
        report: day("2025-01-01"),
        commit: day("2024-12-01"),
    };
    let ev = evidence(&features(), &["features"], stale);
    // The newest advisory of the fixture database is 2024-09-30.
    assert_eq!(
        fact(&ev, "deps.advisory-db.newest").as_deref(),
        Some("2024-09-30")
    );
    assert_eq!(
        fact(&ev, "deps.advisory-db.age-days").as_deref(),
        Some("93 days")
    );
    let fresh = Dates {
        report: day("2024-10-10"),
        commit: None,
    };
    let ev = evidence(&features(), &["features"], fresh);
    assert_eq!(
        fact(&ev, "deps.advisory-db.age-days").as_deref(),
        Some("10 days")
    );
    // A database that covers no ecosystem in use does not date the check.
    let ev = evidence(&features(), &["features", "osv-jvm"], stale);
    assert_eq!(
        fact(&ev, "deps.advisory-db.newest").as_deref(),
        Some("2024-09-30")
    );
}

#[test]
fn the_shared_node_list_is_dated_by_its_newest_advisory() {
    let dir = repo_root().join("../shared/advisory-db/nodejs-security-wg");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let db = AdvisoryDb::load(&dir).unwrap();
    assert_eq!(db.newest(), Some("2020-07-13"));
    let analysis = crate::analyse_files(&[(
        "package-lock.json",
        r#"{"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/lodash": {"version": "4.17.21"}}}"#,
    )]);
    let ev = evidence_with(
        CollectorId::new("deps").unwrap(),
        &analysis,
        &[Ok(db)],
        Dates {
            report: day("2026-11-22"),
            commit: None,
        },
    );
    let age: i64 = match ev.facts["deps.advisory-db.age-days"].value {
        FactValue::Int { value, .. } => value,
        ref other => panic!("{other:?}"),
    };
    assert!(age > 2000, "{age}");
}

#[test]
fn a_java_service_is_partially_analysed_and_never_silently_covered() {
    let analysis = analyse_dir(&repo_root().join("fixtures/deps/maven"));
    let service: Vec<_> = analysis
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.pinned, p.dev))
        .collect();
    assert_eq!(
        service,
        [
            (
                "com.fasterxml.jackson.core:jackson-databind",
                "2.15.2",
                true,
                Some(false)
            ),
            (
                "org.junit.jupiter:junit-jupiter",
                "5.10.0",
                true,
                Some(true)
            ),
            ("org.postgresql:postgresql", "42.6.0", true, Some(false)),
        ]
    );
    // Only a RustSec database: Maven is in use and no database covers it.
    let ev = evidence(&analysis, &["features"], Dates::default());
    assert_eq!(
        fact(&ev, "deps.advisories.uncovered").as_deref(),
        Some("Maven")
    );
    assert_eq!(fact(&ev, "deps.coverage").as_deref(), Some("0% (0/1)"));
    assert!(
        ev.facts["deps.coverage"]
            .detail
            .as_deref()
            .unwrap()
            .contains("Maven 0/1 (partially analysed, 1 with direct dependencies only)")
    );
    let not_analysed = table(&ev, "dependency-files-not-analysed");
    assert_eq!(not_analysed.rows.len(), 1);
    assert_eq!(not_analysed.rows[0][0], "service/pom.xml");
    assert!(not_analysed.rows[0][3].contains("direct dependencies only"));
    // An OSV folder with Maven records covers it and matches.
    let ev = evidence(&analysis, &["osv-jvm"], Dates::default());
    assert_eq!(
        fact(&ev, "deps.advisories.uncovered").as_deref(),
        Some("none")
    );
    assert_eq!(fact(&ev, "deps.advisories.high").as_deref(), Some("1"));
    // Unread, it still counts: the pom.xml is malformed here.
    let broken = crate::analyse_files(&[("pom.xml", "<project><dependencies>")]);
    let ev = evidence(&broken, &["features"], Dates::default());
    assert_eq!(
        fact(&ev, "deps.advisories.uncovered").as_deref(),
        Some("Maven")
    );
}

#[test]
fn nuget_locks_are_read_and_project_files_without_one_are_listed() {
    let analysis = analyse_dir(&repo_root().join("fixtures/deps/dotnet"));
    let names: Vec<_> = analysis
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.direct))
        .collect();
    assert_eq!(
        names,
        [
            ("Newtonsoft.Json", Some(true)),
            ("System.Buffers", Some(false))
        ]
    );
    let units: Vec<_> = analysis
        .coverage
        .iter()
        .map(|u| (u.file.as_str(), u.resolution))
        .collect();
    assert_eq!(
        units,
        [
            ("src/App/App.csproj", Resolution::Lockfile),
            ("src/Legacy/Legacy.csproj", Resolution::None),
        ]
    );
    let ev = evidence(&analysis, &["osv-jvm"], Dates::default());
    assert_eq!(fact(&ev, "deps.advisories.high").as_deref(), Some("1"));
    assert_eq!(fact(&ev, "deps.coverage").as_deref(), Some("50% (1/2)"));
    assert_eq!(
        fact(&ev, "deps.not-analysed").as_deref(),
        Some("src/Legacy/Legacy.csproj")
    );
}

#[test]
fn unsupported_formats_are_listed_and_look_alikes_are_not() {
    let analysis = analyse_dir(&repo_root().join("fixtures/deps/unsupported"));
    let units: Vec<_> = analysis
        .coverage
        .iter()
        .map(|u| (u.file.as_str(), u.ecosystem.as_str(), u.resolution))
        .collect();
    assert_eq!(
        units,
        [
            ("infra/.terraform.lock.hcl", "Terraform", Resolution::None),
            ("mix.lock", "Hex", Resolution::None),
            (
                "mobile/pubspec.lock, mobile/pubspec.yaml",
                "Pub",
                Resolution::None
            ),
            // A Gemfile we do not read, next to a Gemfile.lock we do.
            ("ruby/Gemfile", "RubyGems", Resolution::Lockfile),
        ]
    );
    let ev = evidence_from(
        CollectorId::new("deps").unwrap(),
        &analysis,
        &[db("features")],
    );
    let uncovered = fact(&ev, "deps.advisories.uncovered").unwrap();
    assert_eq!(uncovered, "Hex, Pub, RubyGems, Terraform");
    let coverage = table(&ev, "dependency-coverage");
    let pub_row = coverage.rows.iter().find(|r| r[0] == "Pub").unwrap();
    assert_eq!(pub_row[6], "not analysed");
    let ruby = coverage.rows.iter().find(|r| r[0] == "RubyGems").unwrap();
    assert_eq!(ruby[6], "fully analysed");
    assert!(
        ev.partial
            .as_deref()
            .unwrap()
            .contains("3 dependency file(s) of a format")
    );
}

#[test]
fn no_dependency_read_means_no_evidence_never_a_pass() {
    // One malformed lockfile and one over the cap: nothing read.
    let paths = vec!["package-lock.json".to_owned(), "web/yarn.lock".to_owned()];
    let analysis = analyse(&paths, &|p| match p {
        "package-lock.json" => {
            FileRead::Content(b"{\"lockfileVersion\": 3, \"packages\": [".to_vec())
        }
        _ => FileRead::TooLarge {
            size: 70 * 1024 * 1024,
            cap: LOCKFILE_CAP,
        },
    });
    assert!(analysis.packages.is_empty());
    let ev = evidence(
        &analysis,
        &["features"],
        Dates {
            report: day("2024-10-10"),
            commit: None,
        },
    );
    for name in [
        "deps.coverage",
        "deps.unpinned",
        "deps.git-sources",
        "deps.install-scripts",
        "deps.update-tool",
        "deps.lockfile.missing",
        "deps.lockfile.out-of-sync",
        "deps.files.unread",
        "deps.licence.network-copyleft",
        "deps.licence.non-commercial",
        "deps.licence.copyleft",
        "deps.licence.unknown",
        "deps.advisories.critical",
        "deps.advisories.high",
        "deps.advisories.medium",
        "deps.advisories.unmaintained",
        "deps.advisory-db.age-days",
    ] {
        assert!(
            !ev.facts.contains_key(name),
            "{name} recorded with nothing read"
        );
    }
    assert_eq!(
        fact(&ev, "deps.advisories.evidenced").as_deref(),
        Some("no")
    );
    assert_eq!(
        fact(&ev, "deps.not-analysed").as_deref(),
        Some("package-lock.json, web/yarn.lock")
    );
    let unread = findings(&ev, "deps.file-unread");
    assert_eq!(unread.len(), 1);
    assert!(
        unread[0]
            .message
            .contains("not read: 70 MiB is over the 64 MiB cap for lockfiles"),
        "{}",
        unread[0].message
    );
    assert_eq!(findings(&ev, "deps.lockfile-malformed").len(), 1);
    let rows = &table(&ev, "dependency-files-not-analysed").rows;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[2] == "not analysed"));

    // The look-alike: one lockfile read, the facts are there.
    let read = crate::analyse_files(&[(
        "package-lock.json",
        r#"{"lockfileVersion": 3, "packages": {"": {"name": "app"}, "node_modules/ms": {"version": "2.1.3", "license": "MIT"}}}"#,
    )]);
    let ev = evidence(&read, &["features"], Dates::default());
    assert_eq!(fact(&ev, "deps.licence.copyleft").as_deref(), Some("0"));
    assert_eq!(fact(&ev, "deps.coverage").as_deref(), Some("100% (1/1)"));
}

#[test]
fn a_manifest_whose_lockfile_is_unreadable_is_not_missing_one() {
    let paths = vec!["package.json".to_owned(), "package-lock.json".to_owned()];
    let analysis = analyse(&paths, &|p| match p {
        "package.json" => FileRead::Content(
            br#"{"name": "app", "private": true, "dependencies": {"ms": "^2.1.0"}}"#.to_vec(),
        ),
        _ => FileRead::TooLarge {
            size: 65 * 1024 * 1024,
            cap: LOCKFILE_CAP,
        },
    });
    assert!(
        !analysis
            .findings
            .iter()
            .any(|f| f.rule.as_str() == "deps.lockfile-missing")
    );
    assert_eq!(analysis.coverage.len(), 1);
    assert_eq!(analysis.coverage[0].resolution, Resolution::Direct);
    assert!(
        analysis.coverage[0]
            .reason
            .contains("its lockfile package-lock.json was not read: 65 MiB is over the 64 MiB cap"),
        "{}",
        analysis.coverage[0].reason
    );
}

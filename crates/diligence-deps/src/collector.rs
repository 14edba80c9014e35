//! The `deps` collector: discovery, parsing, licences, hygiene and
//! advisories, turned into facts, findings and inventories.

use std::collections::{BTreeMap, BTreeSet};

use diligence_collect::{CollectContext, Collector, Progress, ReadOutcome, Result};
use diligence_model::{
    Catalog, CollectorId, Confidence, Effort, Evidence, Fact, FactName, Finding, Inventory,
    Location, Severity, Table, Unit,
};

use crate::advisory::{AdvisoryDb, AdvisoryMatch, merge_matches};
use crate::analysis::{Analysis, FileRead, analyse};
use crate::licence::LicenceClass;
use crate::package::Ecosystem;

/// Every fact the collector can emit, with its meaning.
pub const FACTS: &[(&str, &str)] = &[
    (
        "deps.lockfile.present",
        "Every manifest that declares dependencies is covered by a lockfile (in its directory or above), and at least one lockfile exists",
    ),
    (
        "deps.manifests",
        "Manifests found (Cargo.toml, package.json, pyproject.toml, Pipfile, requirements files, go.mod)",
    ),
    (
        "deps.lockfiles",
        "Lockfiles found (Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, go.sum, Gemfile.lock, composer.lock, gradle.lockfile)",
    ),
    (
        "deps.packages",
        "Packages in the inventory (lockfile entries, plus requirements of manifests no lockfile covers)",
    ),
    (
        "deps.packages.direct",
        "Packages the project depends on directly",
    ),
    ("deps.ecosystems", "Ecosystems in the inventory"),
    (
        "deps.unpinned",
        "Manifest requirements that are unpinned or open-ended (*, latest, >= without upper bound, unpinned requirements lines)",
    ),
    (
        "deps.git-sources",
        "Distinct packages fetched from git or a plain URL",
    ),
    (
        "deps.install-scripts",
        "Packages whose lockfile records an install script",
    ),
    ("deps.update-tool", "Dependabot or Renovate is configured"),
    (
        "deps.licence.project",
        "The project's own licence as an SPDX expression, from a root manifest or the root licence files",
    ),
    (
        "deps.licence.unknown",
        "Dependencies whose recorded licence could not be classified",
    ),
    (
        "deps.licence.unrecorded",
        "Dependencies with no licence recorded in the files read",
    ),
    (
        "deps.licence.weak-copyleft",
        "Dependencies under weak copyleft licences (LGPL, MPL, EPL)",
    ),
    (
        "deps.licence.copyleft",
        "Dependencies under strong copyleft licences (GPL)",
    ),
    (
        "deps.licence.network-copyleft",
        "Dependencies under network copyleft licences (AGPL, SSPL)",
    ),
    (
        "deps.licence.non-commercial",
        "Dependencies under non-commercial, source-available or proprietary licences",
    ),
    (
        "deps.advisories.evidenced",
        "At least one advisory database was loaded and matched against the inventory",
    ),
    (
        "deps.advisories.databases",
        "Advisory databases used, with their versions",
    ),
    (
        "deps.advisories.uncovered",
        "Ecosystems in the inventory for which no loaded database holds any advisory",
    ),
    (
        "deps.advisories.critical",
        "Known vulnerabilities of critical severity in pinned packages",
    ),
    (
        "deps.advisories.high",
        "Known vulnerabilities of high severity in pinned packages",
    ),
    (
        "deps.advisories.medium",
        "Known vulnerabilities of medium severity in pinned packages",
    ),
    (
        "deps.advisories.low",
        "Known vulnerabilities of low or informational severity in pinned packages",
    ),
    (
        "deps.advisories.total",
        "Known vulnerabilities in pinned packages (aliases merged; informational notices excluded)",
    ),
];

/// Every rule the collector can emit, with what it detects.
pub const RULES: &[(&str, &str)] = &[
    (
        "deps.lockfile-missing",
        "An application manifest declares dependencies but no lockfile covers it",
    ),
    (
        "deps.lockfile-out-of-sync",
        "A direct dependency in the manifest is missing from the lockfile, or locked outside the declared range",
    ),
    (
        "deps.lockfile-malformed",
        "A manifest or lockfile could not be parsed (file:line:col of the error)",
    ),
    (
        "deps.file-unread",
        "A manifest or lockfile was too large or unreadable",
    ),
    ("deps.unpinned", "Unpinned or wildcard version requirements"),
    (
        "deps.git-source",
        "Dependencies fetched from git repositories",
    ),
    (
        "deps.url-source",
        "Dependencies fetched from plain URLs (tarballs, wheels)",
    ),
    (
        "deps.non-default-registry",
        "Dependencies from a registry other than the ecosystem's default",
    ),
    (
        "deps.install-script",
        "npm packages whose lockfile records an install script",
    ),
    (
        "deps.multiple-majors",
        "One package present in several major versions in one lockfile",
    ),
    (
        "deps.update-tool-missing",
        "No Dependabot or Renovate configuration",
    ),
    (
        "deps.large-tree",
        "A lockfile with a very large dependency tree",
    ),
    (
        "deps.licence.network-copyleft",
        "Dependencies under AGPL, SSPL or another network copyleft licence",
    ),
    (
        "deps.licence.strong-copyleft",
        "Dependencies under GPL or another strong copyleft licence",
    ),
    (
        "deps.licence.weak-copyleft",
        "Dependencies under LGPL, MPL, EPL or another weak copyleft licence",
    ),
    (
        "deps.licence.non-commercial",
        "Dependencies under non-commercial, source-available or proprietary licences",
    ),
    (
        "deps.licence.unknown",
        "Dependencies whose licence could not be read",
    ),
    (
        "deps.advisory",
        "A pinned dependency is affected by a known vulnerability",
    ),
    (
        "deps.advisory-notice",
        "A pinned dependency has an informational advisory (unmaintained, unsound, notice)",
    ),
];

/// The dependency collector (id `deps`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DepsCollector;

fn name(n: &str) -> FactName {
    FactName::new(n).expect("built-in fact names are valid")
}

impl Collector for DepsCollector {
    fn id(&self) -> CollectorId {
        CollectorId::new("deps").expect("`deps` is a valid collector id")
    }

    /// Manifests, lockfiles and advisory databases come from the tree only.
    fn reads_history(&self) -> bool {
        false
    }

    fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::default();
        for (fact, description) in FACTS {
            let _ = catalog.fact(fact, description);
        }
        for (rule, description) in RULES {
            let _ = catalog.rule(rule, description);
        }
        catalog
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence> {
        cx.progress(Progress::Started {
            stage: "deps".to_owned(),
        });
        let paths: Vec<String> = cx.files.entries().iter().map(|e| e.path.clone()).collect();
        let read = |path: &str| match cx.files.get(path) {
            Some(entry) => match cx.files.read(entry) {
                Ok(ReadOutcome::Content(bytes)) => FileRead::Content(bytes),
                Ok(ReadOutcome::TooLarge { size }) => FileRead::TooLarge(size),
                Err(e) => FileRead::Failed(e.to_string()),
            },
            None => FileRead::Failed("not in the file index".to_owned()),
        };
        let analysis = analyse(&paths, &read);
        if cx.cancelled() {
            return Err(diligence_collect::CollectError::Cancelled);
        }
        let mut databases = Vec::new();
        for dir in &cx.options.advisory_dbs {
            databases.push(AdvisoryDb::load(dir).map_err(|e| format!("{e}")));
        }
        let mut evidence = evidence_from(self.id(), &analysis, &databases);
        cx.progress(Progress::Finished {
            stage: "deps".to_owned(),
        });
        evidence.normalise();
        Ok(evidence)
    }
}

/// Builds the evidence from an analysis and the advisory databases (each
/// loaded or the reason it could not be). Public so it can be tested and
/// reused without a file index.
pub fn evidence_from(
    collector: CollectorId,
    analysis: &Analysis,
    databases: &[std::result::Result<AdvisoryDb, String>],
) -> Evidence {
    let mut ev = Evidence::new(collector);
    let manifests = analysis
        .parsed
        .iter()
        .filter(|p| p.manifest.is_some())
        .count();
    let lockfiles = analysis
        .parsed
        .iter()
        .filter(|p| p.kind.is_lockfile())
        .count();
    ev.set_fact(name("deps.manifests"), Fact::count(manifests, Unit::Files));
    ev.set_fact(name("deps.lockfiles"), Fact::count(lockfiles, Unit::Files));
    let missing: Vec<&String> = analysis.unlocked_manifests.iter().collect();
    ev.set_fact(
        name("deps.lockfile.present"),
        Fact::bool(lockfiles > 0 && missing.is_empty()).detail(if missing.is_empty() {
            format!("{lockfiles} lockfile(s); every manifest with dependencies is covered")
        } else {
            format!(
                "not covered by a lockfile: {}",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );
    let packages = &analysis.packages;
    ev.set_fact(
        name("deps.packages"),
        Fact::count(packages.len(), Unit::Count),
    );
    ev.set_fact(
        name("deps.packages.direct"),
        Fact::count(
            packages.iter().filter(|p| p.direct == Some(true)).count(),
            Unit::Count,
        ),
    );
    ev.set_fact(
        name("deps.ecosystems"),
        Fact::list(packages.iter().map(|p| p.ecosystem.to_string())),
    );
    ev.set_fact(
        name("deps.unpinned"),
        Fact::count(analysis.counts.unpinned, Unit::Count),
    );
    ev.set_fact(
        name("deps.git-sources"),
        Fact::count(analysis.counts.git_sources, Unit::Count),
    );
    ev.set_fact(
        name("deps.install-scripts"),
        Fact::count(analysis.counts.install_scripts, Unit::Count),
    );
    ev.set_fact(
        name("deps.update-tool"),
        Fact::bool(analysis.update_tool.is_some()).detail(match &analysis.update_tool {
            Some(file) => format!("configured in {file}"),
            None => "no .github/dependabot.yml, renovate.json, .renovaterc* or package.json `renovate` key".to_owned(),
        }),
    );
    let project = analysis
        .project_licence
        .clone()
        .unwrap_or_else(|| "none found".to_owned());
    ev.set_fact(
        name("deps.licence.project"),
        Fact::text(project).detail(if analysis.project_licence_source.is_empty() {
            "no root licence file or manifest licence field".to_owned()
        } else {
            format!("read from {}", analysis.project_licence_source.join(", "))
        }),
    );
    let count = |class| analysis.counts.licences.get(&class).copied().unwrap_or(0);
    for (fact, class) in [
        ("deps.licence.unknown", LicenceClass::Unknown),
        ("deps.licence.weak-copyleft", LicenceClass::WeakCopyleft),
        ("deps.licence.copyleft", LicenceClass::StrongCopyleft),
        (
            "deps.licence.network-copyleft",
            LicenceClass::NetworkCopyleft,
        ),
        ("deps.licence.non-commercial", LicenceClass::NonCommercial),
    ] {
        ev.set_fact(name(fact), Fact::count(count(class), Unit::Count));
    }
    ev.set_fact(
        name("deps.licence.unrecorded"),
        Fact::count(analysis.counts.licence_unrecorded, Unit::Count).detail(
            "licences are read from npm lockfiles v2+, composer.lock and vendored node_modules; other lockfiles do not record them",
        ),
    );

    ev.findings.extend(analysis.findings.iter().cloned());
    advisories(&mut ev, analysis, databases);
    inventories(&mut ev, analysis);

    let mut partial = Vec::new();
    if !analysis.errors.is_empty() {
        partial.push(format!(
            "{} dependency file(s) could not be parsed",
            analysis.errors.len()
        ));
    }
    if !analysis.unread.is_empty() {
        partial.push(format!(
            "{} dependency file(s) were not read",
            analysis.unread.len()
        ));
    }
    let failed: Vec<&String> = databases.iter().filter_map(|d| d.as_ref().err()).collect();
    if !failed.is_empty() {
        partial.push(format!(
            "advisory database(s) failed to load: {}",
            failed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    ev.partial = (!partial.is_empty()).then(|| partial.join("; "));
    ev
}

fn advisories(
    ev: &mut Evidence,
    analysis: &Analysis,
    databases: &[std::result::Result<AdvisoryDb, String>],
) {
    let loaded: Vec<&AdvisoryDb> = databases.iter().filter_map(|d| d.as_ref().ok()).collect();
    if loaded.is_empty() {
        let why = if databases.is_empty() {
            "no advisory database was given (--advisory-db DIR); known vulnerabilities were not checked".to_owned()
        } else {
            "no advisory database could be loaded; known vulnerabilities were not checked"
                .to_owned()
        };
        ev.set_fact(
            name("deps.advisories.evidenced"),
            Fact::bool(false).detail(why),
        );
        return;
    }
    let infos: Vec<String> = loaded
        .iter()
        .map(|db| {
            let info = db.info();
            format!("{} {}", info.name, info.version)
        })
        .collect();
    ev.set_fact(
        name("deps.advisories.evidenced"),
        Fact::bool(true).detail(format!("matched against {}", infos.join(", "))),
    );
    ev.set_fact(name("deps.advisories.databases"), Fact::list(infos));
    ev.databases.extend(loaded.iter().map(|db| db.info()));
    let covered: BTreeSet<String> = loaded
        .iter()
        .flat_map(|db| db.load_report().per_ecosystem.keys().cloned())
        .collect();
    let in_use: BTreeSet<Ecosystem> = analysis.packages.iter().map(|p| p.ecosystem).collect();
    ev.set_fact(
        name("deps.advisories.uncovered"),
        Fact::list(
            in_use
                .iter()
                .map(|e| e.osv_name().to_owned())
                .filter(|e| !covered.contains(e)),
        ),
    );
    let mut all = Vec::new();
    for db in &loaded {
        all.extend(db.matches(&analysis.packages));
    }
    let matches = merge_matches(all);
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for m in matches.iter().filter(|m| m.informational.is_none()) {
        *by_severity.entry(m.severity).or_default() += 1;
    }
    let get = |s| by_severity.get(&s).copied().unwrap_or(0);
    ev.set_fact(
        name("deps.advisories.critical"),
        Fact::count(get(Severity::Critical), Unit::Count),
    );
    ev.set_fact(
        name("deps.advisories.high"),
        Fact::count(get(Severity::High), Unit::Count),
    );
    ev.set_fact(
        name("deps.advisories.medium"),
        Fact::count(get(Severity::Medium), Unit::Count),
    );
    ev.set_fact(
        name("deps.advisories.low"),
        Fact::count(get(Severity::Low) + get(Severity::Info), Unit::Count),
    );
    ev.set_fact(
        name("deps.advisories.total"),
        Fact::count(by_severity.values().sum(), Unit::Count),
    );
    let mut rows = Vec::new();
    for m in &matches {
        rows.push(vec![
            m.id.clone(),
            m.package.name.clone(),
            m.package.version.clone(),
            m.severity.to_string(),
            if m.fixed.is_empty() {
                "no fix".to_owned()
            } else {
                m.fixed.join(", ")
            },
        ]);
        ev.findings.extend(advisory_finding(m));
    }
    ev.inventories.insert(
        "advisories".to_owned(),
        Inventory::Table(Table {
            title: "Known advisories".to_owned(),
            columns: ["id", "package", "version", "severity", "fixed in"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        }),
    );
}

fn same_major(a: &str, b: &str) -> bool {
    let major = |v: &str| {
        let mut parts = v.trim_start_matches('v').split('.');
        let first = parts.next().unwrap_or("").to_owned();
        if first == "0" {
            format!("0.{}", parts.next().unwrap_or(""))
        } else {
            first
        }
    };
    major(a) == major(b)
}

fn advisory_finding(m: &AdvisoryMatch) -> Option<Finding> {
    let (rule, severity) = match &m.informational {
        Some(_) => ("deps.advisory-notice", Severity::Low.min(m.severity)),
        None => ("deps.advisory", m.severity),
    };
    let p = &m.package;
    let aliases = if m.aliases.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            m.aliases.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    let kind = m
        .informational
        .as_deref()
        .map(|k| format!(" [{k}]"))
        .unwrap_or_default();
    let location = match p.line {
        Some(line) => Location::line(p.file.clone(), line),
        None => Location::file(p.file.clone()),
    };
    // Upgrading within a major version is cheap; across one costs days.
    let effort = match m.fixed.first() {
        Some(fix) if same_major(fix, &p.version) => Effort::new(1, 5).ok(),
        Some(_) => Effort::new(10, 50).ok(),
        None => None,
    };
    let mut builder = Finding::builder(
        diligence_model::RuleId::new(rule).expect("built-in rule ids are valid"),
        severity,
        Confidence::High,
    )
    .message(format!(
        "{} {} {}: {}{aliases}{kind}: {}",
        p.ecosystem, p.name, p.version, m.id, m.summary
    ))
    .location(location)
    .plain_excerpt(&format!(
        "{} {} {} {}",
        m.id, p.ecosystem, p.name, p.version
    ))
    .remediation(m.upgrade_hint().unwrap_or_else(|| {
        format!(
            "no fixed version of {} is known: replace it or accept the risk with a reason",
            p.name
        )
    }));
    if let Some(effort) = effort {
        builder = builder.effort(effort);
    }
    if p.dev == Some(true) {
        builder = builder.tag("dev-only");
    }
    if p.direct == Some(true) {
        builder = builder.tag("direct");
    }
    builder.build().ok()
}

fn inventories(ev: &mut Evidence, analysis: &Analysis) {
    let mut by_file: BTreeMap<(String, String), [usize; 3]> = BTreeMap::new();
    for p in &analysis.packages {
        let row = by_file
            .entry((p.ecosystem.to_string(), p.file.clone()))
            .or_default();
        row[0] += 1;
        row[1] += usize::from(p.direct == Some(true));
        row[2] += usize::from(p.dev == Some(true));
    }
    let rows = by_file
        .into_iter()
        .map(|((eco, file), [n, d, dev])| {
            vec![eco, file, n.to_string(), d.to_string(), dev.to_string()]
        })
        .collect();
    ev.inventories.insert(
        "packages-by-ecosystem".to_owned(),
        Inventory::Table(Table {
            title: "Dependencies by ecosystem".to_owned(),
            columns: ["ecosystem", "lockfile", "packages", "direct", "dev"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        }),
    );
    let rows = LicenceClass::ALL
        .iter()
        .filter_map(|class| {
            let n = analysis.counts.licences.get(class).copied()?;
            let examples = analysis
                .counts
                .licence_examples
                .get(class)
                .map(|e| e.join(", "))
                .unwrap_or_default();
            Some(vec![class.to_string(), n.to_string(), examples])
        })
        .chain((analysis.counts.licence_unrecorded > 0).then(|| {
            vec![
                "not recorded".to_owned(),
                analysis.counts.licence_unrecorded.to_string(),
                String::new(),
            ]
        }))
        .collect();
    ev.inventories.insert(
        "licences".to_owned(),
        Inventory::Table(Table {
            title: "Dependency licences".to_owned(),
            columns: ["class", "count", "examples"].map(str::to_owned).to_vec(),
            rows,
        }),
    );
}

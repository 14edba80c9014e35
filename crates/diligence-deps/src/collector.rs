//! The `deps` collector: discovery, parsing, licences, hygiene and
//! advisories, turned into facts, findings and inventories.

use std::collections::{BTreeMap, BTreeSet};

use diligence_collect::{CollectContext, Collector, Progress, ReadOutcome, Result};
use diligence_model::{
    Catalog, CollectorId, Confidence, Effort, Evidence, Fact, FactName, Finding, Inventory,
    Location, Severity, Table, Timestamp, Unit,
};

use crate::advisory::norm;
use crate::advisory::{AdvisoryDb, AdvisoryMatch, merge_matches};
use crate::analysis::{Analysis, CoverageUnit, FileRead, Resolution, analyse, read_cap};
use crate::formats::FileKind;
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
    (
        "deps.services",
        "Third-party services named by the SDKs among the direct dependencies (model providers, databases and backends, payments, observability, identity)",
    ),
    (
        "deps.services.ai",
        "Model and AI providers named by the SDKs among the direct dependencies (paid per call)",
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
        "Known vulnerabilities in pinned packages (aliases merged; informational notices and advisories not enabled in this build excluded)",
    ),
    (
        "deps.advisories.informational",
        "Informational advisories (unmaintained, unsound, notice) on pinned packages; not vulnerabilities",
    ),
    (
        "deps.advisories.unmaintained",
        "Pinned packages with an unmaintained notice",
    ),
    (
        "deps.advisories.unsound",
        "Pinned packages with an unsoundness notice",
    ),
    (
        "deps.advisories.not-enabled",
        "Vulnerabilities whose feature or optional dependency is absent from the lockfile's resolved dependencies (heuristic); counted in no severity",
    ),
    (
        "deps.advisories.public-at-commit",
        "Vulnerabilities already published on the assessed commit's date",
    ),
    (
        "deps.advisory-db.newest",
        "Date of the newest advisory in the stalest database covering an ecosystem in use",
    ),
    (
        "deps.advisory-db.age-days",
        "Days from that newest advisory to the report date",
    ),
    (
        "deps.coverage",
        "Share of manifests whose dependencies were resolved from a lockfile",
    ),
    (
        "deps.not-analysed",
        "Dependency files recognised but not read (unreadable, too large, malformed, or an unsupported format)",
    ),
    (
        "deps.files.unread",
        "Manifests and lockfiles that were too large, unreadable or malformed",
    ),
    (
        "deps.lockfile.missing",
        "Application manifests declaring dependencies with no lockfile",
    ),
    (
        "deps.lockfile.out-of-sync",
        "Declared dependencies missing from the lockfile or locked outside the declared range",
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
    (
        "deps.advisory-not-enabled",
        "A pinned dependency matches an advisory whose feature or optional dependency the lockfile shows is not built (heuristic)",
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
        Catalog::from_tables(FACTS, RULES).expect("built-in fact names and rule ids are valid")
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence> {
        cx.progress(Progress::Started {
            stage: "deps".to_owned(),
        });
        let paths: Vec<String> = cx.files.entries().iter().map(|e| e.path.clone()).collect();
        // Lockfiles and manifests have caps of their own, above the index's
        // general one: real lockfiles of tens of megabytes are common.
        let general = cx.options.files.max_file_size;
        let read = |path: &str| match cx.files.get(path) {
            Some(entry) => {
                let cap = FileKind::detect(path).map_or(general, |k| read_cap(k).max(general));
                match cx.files.read_capped(entry, cap) {
                    Ok(ReadOutcome::Content(bytes)) => FileRead::Content(bytes),
                    Ok(ReadOutcome::TooLarge { size }) => FileRead::TooLarge { size, cap },
                    Err(e) => FileRead::Failed(e.to_string()),
                }
            }
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
        // The report date, else the history's (which defaults to the
        // assessed commit's); the commit's date from the history or target.
        let commit = cx
            .history
            .and_then(|h| h.head().map(|i| h.commits()[i].commit_time))
            .or_else(|| cx.target.info().vcs.as_ref().and_then(|v| v.head_date));
        let report = cx
            .options
            .as_of
            .or_else(|| cx.history.map(|h| h.as_of()))
            .or(commit);
        let mut evidence =
            evidence_with(self.id(), &analysis, &databases, Dates { report, commit });
        cx.progress(Progress::Finished {
            stage: "deps".to_owned(),
        });
        evidence.normalise();
        Ok(evidence)
    }
}

/// The dates the collector judges advisories against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dates {
    /// The report date: database age is measured from it.
    pub report: Option<Timestamp>,
    /// The assessed commit's date: advisories published by then were
    /// public when the code was written.
    pub commit: Option<Timestamp>,
}

/// Builds the evidence from an analysis and the advisory databases (each
/// loaded or the reason it could not be), without dates. Public so it can
/// be tested and reused without a file index.
pub fn evidence_from(
    collector: CollectorId,
    analysis: &Analysis,
    databases: &[std::result::Result<AdvisoryDb, String>],
) -> Evidence {
    evidence_with(collector, analysis, databases, Dates::default())
}

/// [`evidence_from`] with the report and commit dates.
pub fn evidence_with(
    collector: CollectorId,
    analysis: &Analysis,
    databases: &[std::result::Result<AdvisoryDb, String>],
    dates: Dates,
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
    // Services the product talks to, named by their SDKs among the direct
    // dependencies: the profile names them, questions depend on them.
    let services = crate::services::services(&analysis.packages);
    let of_kind = |kind: crate::services::ServiceKind| {
        services
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, label)| (*label).to_owned())
            .collect::<Vec<_>>()
    };
    if !analysis.packages.is_empty() {
        ev.set_fact(
            name("deps.services"),
            Fact::list(services.iter().map(|(_, label)| (*label).to_owned()))
                .heuristic(Confidence::Medium)
                .detail("Recognised from the SDKs among the direct, non-development dependencies."),
        );
        ev.set_fact(
            name("deps.services.ai"),
            Fact::list(of_kind(crate::services::ServiceKind::Ai)).heuristic(Confidence::Medium),
        );
    }
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
    let not_analysed: Vec<&CoverageUnit> = analysis
        .coverage
        .iter()
        .filter(|u| u.resolution != Resolution::Lockfile)
        .collect();
    ev.set_fact(
        name("deps.not-analysed"),
        Fact::list(
            not_analysed
                .iter()
                .filter(|u| u.resolution == Resolution::None)
                .map(|u| u.file.clone()),
        )
        .detail(
            "dependency files recognised but not read: unreadable, too large, malformed, or of a format the collector does not read; the table of files not fully analysed gives each reason",
        ),
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

    // NOTE: a control passes only on evidence. With no dependency read (no
    // manifest, or every file unreadable), the facts controls read are not
    // recorded, so they read "not evidenced", never a pass of zero.
    let evidenced = !packages.is_empty();
    if evidenced {
        dependency_facts(&mut ev, analysis);
    }

    ev.findings.extend(analysis.findings.iter().cloned());
    advisories(&mut ev, analysis, databases, dates, evidenced);
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
    let unsupported = not_analysed
        .iter()
        .filter(|u| u.resolution == Resolution::None)
        .count()
        .saturating_sub(analysis.errors.len() + analysis.unread.len());
    if unsupported > 0 {
        partial.push(format!(
            "{unsupported} dependency file(s) of a format the collector does not read"
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

/// Coverage per ecosystem: `(ecosystem, units, resolved from a lockfile,
/// direct only)`.
fn coverage_by_ecosystem(analysis: &Analysis) -> BTreeMap<&str, [usize; 3]> {
    let mut by: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for u in &analysis.coverage {
        let row = by.entry(u.ecosystem.as_str()).or_default();
        row[0] += 1;
        row[1] += usize::from(u.resolution == Resolution::Lockfile);
        row[2] += usize::from(u.resolution == Resolution::Direct);
    }
    by
}

/// The facts the dependency controls read; recorded only when at least one
/// dependency was read.
fn dependency_facts(ev: &mut Evidence, analysis: &Analysis) {
    let by = coverage_by_ecosystem(analysis);
    let (units, resolved) = by
        .values()
        .fold((0, 0), |(u, r), row| (u + row[0], r + row[1]));
    let per: Vec<String> = by
        .iter()
        .map(|(eco, [n, r, d])| {
            let how = match (r, d) {
                (r, _) if r == n => "fully analysed".to_owned(),
                (0, 0) => "not analysed".to_owned(),
                (_, d) if *d > 0 => {
                    format!("partially analysed, {d} with direct dependencies only")
                }
                _ => "partially analysed".to_owned(),
            };
            format!("{eco} {r}/{n} ({how})")
        })
        .collect();
    ev.set_fact(
        name("deps.coverage"),
        Fact::ratio(resolved as u64, units as u64).detail(format!(
            "share of manifests whose dependencies were resolved from a lockfile: {}",
            per.join("; ")
        )),
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
    let rule_count = |rule: &str| {
        analysis
            .findings
            .iter()
            .filter(|f| f.rule.as_str() == rule)
            .map(|f| 1 + f.occurrences.len())
            .sum::<usize>()
    };
    ev.set_fact(
        name("deps.lockfile.missing"),
        Fact::count(rule_count("deps.lockfile-missing"), Unit::Files)
            .heuristic(Confidence::Medium)
            .detail(
                "application manifests that declare dependencies with no lockfile covering them",
            ),
    );
    ev.set_fact(
        name("deps.lockfile.out-of-sync"),
        Fact::count(rule_count("deps.lockfile-out-of-sync"), Unit::Count),
    );
    ev.set_fact(
        name("deps.files.unread"),
        Fact::count(analysis.unread.len() + analysis.errors.len(), Unit::Files)
            .detail("manifests and lockfiles that were too large, unreadable or malformed"),
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
}

/// Whether a match's build conditions are all shown off by the lockfile,
/// and with what confidence.
fn not_enabled(m: &AdvisoryMatch, analysis: &Analysis) -> Option<(Confidence, String)> {
    if m.conditions.is_empty() || m.package.ecosystem != Ecosystem::CratesIo {
        return None;
    }
    let lock = analysis.parsed.iter().find(|p| p.file == m.package.file)?;
    let deps = lock
        .resolved
        .get(&format!("{} {}", m.package.name, m.package.version))?;
    let deps: BTreeSet<String> = deps.iter().map(|d| norm(d)).collect();
    let in_lock: BTreeSet<String> = lock
        .packages
        .iter()
        .map(|p| norm(&p.name))
        .chain(lock.local.iter().map(|n| norm(n)))
        .collect();
    let own = norm(&m.package.name);
    let mut confidence = Confidence::Medium;
    let mut reasons = Vec::new();
    for condition in &m.conditions {
        // Named optional dependencies: absent from the package's resolved
        // dependencies means not built in.
        let (checked, how): (Vec<String>, &str) = if condition.dependencies.is_empty() {
            // A feature tied to a dependency by name: only names the lockfile
            // knows as crates count, so a feature that pulls in nothing
            // (`std`, `asm`) proves nothing.
            confidence = Confidence::Low;
            (
                condition
                    .candidates()
                    .into_iter()
                    .filter(|c| *c != own && in_lock.contains(c))
                    .collect(),
                "the crate a feature of that name would pull in",
            )
        } else {
            (
                condition.dependencies.iter().map(|d| norm(d)).collect(),
                "the optional dependency the advisory names",
            )
        };
        if checked.is_empty() || checked.iter().any(|c| deps.contains(c)) {
            return None;
        }
        let what = match &condition.feature {
            Some(f) => format!("feature `{f}`"),
            None => "its optional dependency".to_owned(),
        };
        reasons.push(format!(
            "{what}: {} absent from {} {}'s resolved dependencies in {} ({how})",
            checked.join(", "),
            m.package.name,
            m.package.version,
            lock.file
        ));
    }
    Some((confidence, reasons.join("; ")))
}

/// Whether a match was public at the assessed commit's date.
fn public_at(m: &AdvisoryMatch, commit: Option<Timestamp>) -> Option<bool> {
    let commit = commit?.date_string();
    let published = m.published.as_deref()?;
    Some(published <= commit.as_str())
}

fn advisories(
    ev: &mut Evidence,
    analysis: &Analysis,
    databases: &[std::result::Result<AdvisoryDb, String>],
    dates: Dates,
    evidenced: bool,
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
        Fact::bool(evidenced).detail(if evidenced {
            format!("matched against {}", infos.join(", "))
        } else {
            format!(
                "no dependency was read, so nothing was matched against {}",
                infos.join(", ")
            )
        }),
    );
    ev.set_fact(name("deps.advisories.databases"), Fact::list(infos));
    ev.databases.extend(loaded.iter().map(|db| db.info()));
    let covered: BTreeSet<String> = loaded
        .iter()
        .flat_map(|db| db.load_report().per_ecosystem.keys().cloned())
        .collect();
    // Ecosystems in use: read or not. A pom.xml nobody could read still
    // means Maven is in use.
    let in_use: BTreeSet<String> = analysis
        .packages
        .iter()
        .map(|p| p.ecosystem.osv_name().to_owned())
        .chain(analysis.coverage.iter().map(|u| u.ecosystem.clone()))
        .filter(|e| e != "unknown")
        .collect();
    let uncovered: Vec<String> = in_use
        .iter()
        .filter(|e| !covered.contains(*e))
        .cloned()
        .collect();
    ev.set_fact(
        name("deps.advisories.uncovered"),
        Fact::list(uncovered.iter().cloned()).detail(format!(
            "ecosystems in use (read or not): {}; covered by the databases loaded: {}",
            in_use.iter().cloned().collect::<Vec<_>>().join(", "),
            covered.iter().cloned().collect::<Vec<_>>().join(", ")
        )),
    );
    database_age(ev, &loaded, &in_use, dates, evidenced);
    if !evidenced {
        return;
    }
    let mut all = Vec::new();
    for db in &loaded {
        all.extend(db.matches(&analysis.packages));
    }
    let matches = merge_matches(all);
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut informational: BTreeMap<&str, usize> = BTreeMap::new();
    let mut off = 0;
    let (mut public, mut later, mut undated) = (0, 0, 0);
    let mut rows = Vec::new();
    for m in &matches {
        let disabled = m
            .informational
            .is_none()
            .then(|| not_enabled(m, analysis))
            .flatten();
        let at_commit = public_at(m, dates.commit);
        match (&m.informational, &disabled) {
            (Some(kind), _) => *informational.entry(kind.as_str()).or_default() += 1,
            (None, Some(_)) => off += 1,
            (None, None) => {
                *by_severity.entry(m.severity).or_default() += 1;
                match at_commit {
                    Some(true) => public += 1,
                    Some(false) => later += 1,
                    None => undated += 1,
                }
            }
        }
        rows.push(vec![
            m.id.clone(),
            m.package.name.clone(),
            m.package.version.clone(),
            m.informational
                .clone()
                .unwrap_or_else(|| "vulnerability".to_owned()),
            m.severity.to_string(),
            m.published.clone().unwrap_or_else(|| "unknown".to_owned()),
            match at_commit {
                Some(true) => "yes".to_owned(),
                Some(false) => "no, published later".to_owned(),
                None => "unknown".to_owned(),
            },
            match &disabled {
                Some((c, _)) => format!("not enabled in this build ({c} confidence)"),
                None => "yes".to_owned(),
            },
            if m.fixed.is_empty() {
                "no fix".to_owned()
            } else {
                m.fixed.join(", ")
            },
        ]);
        ev.findings.extend(advisory_finding(m, disabled.as_ref()));
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
    let total: usize = by_severity.values().sum();
    ev.set_fact(
        name("deps.advisories.total"),
        Fact::count(total, Unit::Count),
    );
    let info_total: usize = informational.values().sum();
    ev.set_fact(
        name("deps.advisories.informational"),
        Fact::count(info_total, Unit::Count).detail(format!(
            "unmaintained {}, unsound {}, notice {}; informational notices are not vulnerabilities and count in no severity",
            informational.get("unmaintained").copied().unwrap_or(0),
            informational.get("unsound").copied().unwrap_or(0),
            informational.get("notice").copied().unwrap_or(0),
        )),
    );
    for kind in ["unmaintained", "unsound"] {
        ev.set_fact(
            name(&format!("deps.advisories.{kind}")),
            Fact::count(informational.get(kind).copied().unwrap_or(0), Unit::Count),
        );
    }
    ev.set_fact(
        name("deps.advisories.not-enabled"),
        Fact::count(off, Unit::Count)
            .heuristic(Confidence::Low)
            .detail("vulnerabilities whose feature or optional dependency is absent from the package's resolved dependencies in Cargo.lock; counted in no severity"),
    );
    if let Some(commit) = dates.commit {
        ev.set_fact(
            name("deps.advisories.public-at-commit"),
            Fact::count(public, Unit::Count).detail(format!(
                "of {total} vulnerabilities, {public} were published on or before the assessed commit's date ({}), {later} later, {undated} undated",
                commit.date_string()
            )),
        );
    }
    ev.inventories.insert(
        "advisories".to_owned(),
        Inventory::Table(Table {
            title: "Known advisories".to_owned(),
            columns: [
                "id",
                "package",
                "version",
                "kind",
                "severity",
                "published",
                "public at commit",
                "applies to this build",
                "fixed in",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        }),
    );
}

/// The age of the oldest database that covers an ecosystem in use,
/// measured from the report date to its newest advisory.
fn database_age(
    ev: &mut Evidence,
    loaded: &[&AdvisoryDb],
    in_use: &BTreeSet<String>,
    dates: Dates,
    evidenced: bool,
) {
    let relevant: Vec<&&AdvisoryDb> = loaded
        .iter()
        .filter(|db| {
            db.load_report()
                .per_ecosystem
                .keys()
                .any(|e| in_use.contains(e))
        })
        .collect();
    let dated: Vec<(String, Timestamp)> = relevant
        .iter()
        .filter_map(|db| {
            let newest = db.newest()?;
            Some((db.info().name, Timestamp::parse(newest).ok()?))
        })
        .collect();
    let Some((oldest_name, oldest)) = dated.iter().min_by_key(|(_, t)| *t).cloned() else {
        return;
    };
    ev.set_fact(
        name("deps.advisory-db.newest"),
        Fact::date(oldest).detail(format!(
            "newest advisory in the stalest database in use ({oldest_name}); {}",
            dated
                .iter()
                .map(|(n, t)| format!("{n} {}", t.date_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
    let (Some(report), true) = (dates.report, evidenced) else {
        return;
    };
    let days = (report.days() - oldest.days()).max(0);
    ev.set_fact(
        name("deps.advisory-db.age-days"),
        Fact::int(days, Unit::Days).detail(format!(
            "{oldest_name}'s newest advisory is dated {}, {days} days before the report date {}; an older database misses every advisory published since",
            oldest.date_string(),
            report.date_string()
        )),
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

fn advisory_finding(m: &AdvisoryMatch, disabled: Option<&(Confidence, String)>) -> Option<Finding> {
    let (rule, severity, confidence) = match (&m.informational, disabled) {
        (Some(_), _) => (
            "deps.advisory-notice",
            Severity::Low.min(m.severity),
            Confidence::High,
        ),
        (None, Some((c, _))) => ("deps.advisory-not-enabled", Severity::Low, *c),
        (None, None) => ("deps.advisory", m.severity, Confidence::High),
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
    let build = match disabled {
        Some((c, why)) => format!(
            " Not enabled in this build (heuristic, {c} confidence; rated {} by the advisory): {why}.",
            m.severity
        ),
        None => String::new(),
    };
    let published = m
        .published
        .as_deref()
        .map(|d| format!(" Published {d}."))
        .unwrap_or_default();
    let mut builder = Finding::builder(
        diligence_model::RuleId::new(rule).expect("built-in rule ids are valid"),
        severity,
        confidence,
    )
    .message(format!(
        "{} {} {}: {}{aliases}{kind}: {}{published}{build}",
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
    if disabled.is_some() {
        builder = builder.tag("not-enabled");
    }
    builder.build().ok()
}

fn inventories(ev: &mut Evidence, analysis: &Analysis) {
    let rows = coverage_by_ecosystem(analysis)
        .into_iter()
        .map(|(eco, [n, r, d])| {
            let status = if r == n {
                "fully analysed"
            } else if r + d == 0 {
                "not analysed"
            } else {
                "partially analysed"
            };
            vec![
                eco.to_owned(),
                n.to_string(),
                r.to_string(),
                d.to_string(),
                (n - r - d).to_string(),
                format!("{}%", r * 100 / n.max(1)),
                status.to_owned(),
            ]
        })
        .collect();
    ev.inventories.insert(
        "dependency-coverage".to_owned(),
        Inventory::Table(Table {
            title: "Dependency coverage by ecosystem".to_owned(),
            columns: [
                "ecosystem",
                "manifests",
                "resolved from a lockfile",
                "direct dependencies only",
                "not analysed",
                "coverage",
                "status",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        }),
    );
    let rows = analysis
        .coverage
        .iter()
        .filter(|u| u.resolution != Resolution::Lockfile)
        .map(|u| {
            vec![
                u.file.clone(),
                u.ecosystem.clone(),
                u.resolution.as_str().to_owned(),
                u.reason.clone(),
            ]
        })
        .collect();
    ev.inventories.insert(
        "dependency-files-not-analysed".to_owned(),
        Inventory::Table(Table {
            title: "Dependency files not fully analysed".to_owned(),
            columns: ["file", "ecosystem", "analysis", "reason"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        }),
    );
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

//! The report's parts fed by one collector each: dependencies, secrets,
//! tests and coverage, deployment, routes. Each names its key facts in words, groups them, and
//! lists its inventories in a fixed order; facts and inventories it does not
//! know still appear, under "other measurements", so no evidence is hidden.

use diligence_model::{Assessment, Evidence, Excerpt, FailureKind, Finding, Inventory};
use serde::Serialize;

use crate::notes;
use crate::view::{FactRow, TableView, fact_row, inventory_view, masked, short};

/// A part of the report fed by one collector.
#[derive(Debug, Serialize)]
pub(crate) struct EvidencePart {
    /// The part's kind: `dependencies`, `secrets`, `tests`, `deployment` or
    /// `routes`.
    kind: &'static str,
    collector: String,
    title: &'static str,
    intro: &'static str,
    evidenced: bool,
    reason: Option<String>,
    partial: Option<String>,
    findings: usize,
    groups: Vec<FactGroup>,
    /// Each secret once (the secrets part only).
    secrets: Vec<SecretRow>,
    /// Live validation ran: the secrets table has a live-check column.
    live_checked: bool,
    tables: Vec<TableView>,
    other_facts: Vec<FactRow>,
}

#[derive(Debug, Serialize)]
struct FactGroup {
    title: &'static str,
    facts: Vec<FactRow>,
}

#[derive(Debug, Serialize)]
struct SecretRow {
    rule: String,
    secret: String,
    first_commit: String,
    first_date: String,
    author: String,
    location: String,
    places: usize,
    at_head: &'static str,
    accepted: bool,
    note: String,
    /// The live check (`--validate`): status and reason; empty when none.
    live: String,
}

struct Spec {
    kind: &'static str,
    collectors: &'static [&'static str],
    title: &'static str,
    intro: &'static str,
    groups: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    tables: &'static [&'static str],
    /// Inventories replaced by a view built from the findings.
    replaced: &'static [&'static str],
}

/// The collectors that have a part of their own, in report order.
const SPECS: &[Spec] = &[
    Spec {
        kind: "dependencies",
        collectors: &["deps", "dependencies"],
        title: "Dependencies",
        intro: "Manifests and lockfiles read as files, without resolving anything over the network: what the product depends on, whether versions are locked, known advisories and licences.",
        groups: &[
            (
                "Inventory",
                &[
                    ("deps.ecosystems", "Ecosystems"),
                    ("deps.manifests", "Manifests"),
                    ("deps.lockfiles", "Lockfiles"),
                    ("deps.lockfile.present", "Every manifest is locked"),
                    ("deps.packages", "Packages (locked, all depths)"),
                    ("deps.packages.direct", "Direct dependencies"),
                    ("deps.unpinned", "Unpinned direct dependencies"),
                    ("deps.git-sources", "Dependencies from git sources"),
                    ("deps.install-scripts", "Packages with install scripts"),
                    ("deps.update-tool", "Automated update tool configured"),
                ],
            ),
            (
                "Coverage",
                &[
                    (
                        "deps.coverage",
                        "Manifests whose dependencies were resolved from a lockfile",
                    ),
                    (
                        "deps.not-analysed",
                        "Dependency files recognised but not read",
                    ),
                    ("deps.files.unread", "Files left unread (size, I/O)"),
                ],
            ),
            (
                "Known advisories",
                &[
                    ("deps.advisories.evidenced", "Advisories checked"),
                    (
                        "deps.advisories.total",
                        "Advisories affecting a locked version",
                    ),
                    ("deps.advisories.critical", "Critical"),
                    ("deps.advisories.high", "High"),
                    ("deps.advisories.medium", "Medium"),
                    ("deps.advisories.low", "Low"),
                    (
                        "deps.advisories.not-enabled",
                        "Not enabled in this build (heuristic)",
                    ),
                    (
                        "deps.advisories.public-at-commit",
                        "Already public at the assessed commit's date",
                    ),
                    (
                        "deps.advisories.informational",
                        "Notices (unmaintained, unsound), not vulnerabilities",
                    ),
                    ("deps.advisories.unmaintained", "Unmaintained"),
                    ("deps.advisories.unsound", "Unsound"),
                    ("deps.advisories.databases", "Databases"),
                    (
                        "deps.advisory-db.newest",
                        "Newest advisory in the databases",
                    ),
                    (
                        "deps.advisory-db.age-days",
                        "Age of the databases at the report date",
                    ),
                    ("deps.advisories.uncovered", "Ecosystems no database covers"),
                ],
            ),
            (
                "Licences",
                &[
                    ("deps.licence.project", "The project's own licence"),
                    (
                        "deps.licence.network-copyleft",
                        "Network copyleft (AGPL and alike)",
                    ),
                    ("deps.licence.strong-copyleft", "Strong copyleft"),
                    ("deps.licence.copyleft", "Copyleft"),
                    ("deps.licence.weak-copyleft", "Weak copyleft"),
                    ("deps.licence.non-commercial", "Non-commercial"),
                    ("deps.licence.unknown", "Unknown licence"),
                    (
                        "deps.licence.unrecorded",
                        "Licence not recorded in the lockfile",
                    ),
                ],
            ),
        ],
        tables: &[
            "packages-by-ecosystem",
            "dependency-coverage",
            "dependency-files-not-analysed",
            "advisories",
            "licences",
        ],
        replaced: &[],
    },
    Spec {
        kind: "secrets",
        collectors: &["secrets"],
        title: "Secrets",
        intro: "Every file at HEAD and every unique file version in the history, scanned once. Each secret is listed once, however many places hold it, and only ever as a masked prefix, its length and a fingerprint.",
        groups: &[
            (
                "Results",
                &[
                    (
                        "secrets.findings",
                        "Found by provider rules at high confidence (production files)",
                    ),
                    ("secrets.findings.at-head", "Still present at HEAD"),
                    ("secrets.findings.history-only", "Only in the history"),
                    ("secrets.findings.env-file", "In committed env files"),
                    ("secrets.client-exposed", "In code shipped to browsers"),
                    (
                        "secrets.findings.medium",
                        "Found by provider rules at medium confidence (production files)",
                    ),
                    ("secrets.generic", "Generic secret-like assignments"),
                    ("secrets.identifiers", "Public identifiers (not secrets)"),
                    ("secrets.suppressed", "Suppressed by inline markers"),
                    ("secrets.live", "Proven live with the provider (--validate)"),
                    ("secrets.revoked", "Refused by the provider (--validate)"),
                    ("secrets.live-unknown", "Checked, undecided (--validate)"),
                ],
            ),
            (
                "Scope of the scan",
                &[
                    ("secrets.files-scanned", "Files scanned at HEAD"),
                    ("secrets.blobs-scanned", "History file versions scanned"),
                    ("secrets.skipped.binary", "Skipped as binary"),
                    ("secrets.skipped.too-large", "Skipped as too large"),
                    ("secrets.objects.missing", "Missing git objects"),
                ],
            ),
        ],
        tables: &[],
        replaced: &["secrets"],
    },
    Spec {
        kind: "tests",
        collectors: &["tests", "coverage"],
        title: "Tests and coverage",
        intro: "What the repository shows about its tests, without running them: test files and functions, the size of test code beside product code, coverage reports found in the tree or given to the scan, and whether tests keep pace with changes. Figures marked heuristic are estimates and say how confident they are.",
        groups: &[
            (
                "Test inventory",
                &[
                    ("tests.files", "Test files"),
                    ("tests.functions", "Test functions"),
                    ("tests.doc-tests", "Doc tests (counted apart)"),
                    ("tests.benches", "Benchmarks"),
                    ("tests.frameworks", "Test frameworks"),
                    ("tests.e2e", "End-to-end suite present"),
                ],
            ),
            (
                "Size",
                &[
                    ("tests.lines", "Lines of test code"),
                    ("tests.code.lines", "Lines of product code"),
                    ("tests.ratio.test-to-code", "Test-to-code ratio"),
                ],
            ),
            (
                "Coverage",
                &[
                    ("tests.coverage.present", "Coverage report found"),
                    ("tests.coverage.reports", "Coverage reports"),
                    ("tests.coverage.line", "Line coverage"),
                    ("tests.coverage.branch", "Branch coverage"),
                    ("tests.coverage.function", "Function coverage"),
                    ("tests.coverage.age-days", "Age of the coverage report"),
                    (
                        "tests.coverage.files-missing",
                        "Reported files no longer in the repository",
                    ),
                ],
            ),
            (
                "Practice",
                &[(
                    "tests.recent-commits-touching-tests",
                    "Recent commits that touch tests",
                )],
            ),
        ],
        tables: &[
            "coverage-by-directory",
            "least-covered-files",
            "coverage-reports",
            "code-by-language",
            "test-frameworks",
            "rust-tests",
        ],
        replaced: &[],
    },
    Spec {
        kind: "deployment",
        collectors: &["deploy"],
        title: "Deployment",
        intro: "How the product is built, shipped and exposed, read from its pipeline, container, platform and infrastructure files without running them: the CI systems, which jobs run the tests, which deploy and from where, whether a deploy waits for the tests, and what the infrastructure code declares about databases, backups and budgets.",
        groups: &[
            (
                "Pipelines",
                &[
                    ("deploy.pipelines", "CI systems"),
                    ("deploy.ci-runs-tests", "CI runs the tests"),
                    ("deploy.deploys", "Jobs that deploy"),
                    ("deploy.tests-gate-deploys", "Deploys wait for the tests"),
                    ("deploy.platforms", "Deploy targets"),
                ],
            ),
            (
                "What is built",
                &[
                    ("deploy.deployables", "Images and services"),
                    ("deploy.platform-configs", "Platform configuration"),
                    ("deploy.functions", "Serverless functions"),
                    ("deploy.regions", "Regions"),
                    ("deploy.platform-crons", "Scheduled jobs"),
                    ("deploy.health-checks", "Health checks"),
                ],
            ),
            (
                "Exposure",
                &[
                    (
                        "deploy.platform-security-headers",
                        "Security headers set by the platform",
                    ),
                    ("deploy.platform-cors", "CORS set by the platform"),
                    (
                        "deploy.public-databases",
                        "Databases reachable from the internet",
                    ),
                    ("deploy.env-examples", "Env templates"),
                ],
            ),
            (
                "Infrastructure code",
                &[
                    ("deploy.terraform-files", "Terraform files"),
                    (
                        "deploy.cloudformation-templates",
                        "CloudFormation and SAM templates",
                    ),
                    ("deploy.kubernetes-manifests", "Kubernetes manifests"),
                    ("deploy.helm-charts", "Helm charts"),
                    (
                        "deploy.kube-templates-not-analysed",
                        "Chart templates not analysed",
                    ),
                    ("deploy.database-backups", "Database backups"),
                    ("deploy.budgets", "Budgets and billing alerts"),
                ],
            ),
            (
                "Policy and operations",
                &[
                    ("deploy.codeowners", "CODEOWNERS"),
                    ("deploy.codeowners-catch-all", "Every path has an owner"),
                    (
                        "deploy.codeowners-sensitive-unowned",
                        "Sensitive paths without an owner",
                    ),
                    ("deploy.pr-template", "Pull-request template"),
                    ("deploy.dependency-updates", "Automated dependency updates"),
                    ("deploy.security-policy", "Security policy"),
                    ("deploy.runbooks", "Runbooks"),
                    ("deploy.rollback-documented", "Rollback written down"),
                    ("deploy.backups", "Backup jobs"),
                    ("deploy.migrations-reversible", "Reversible migrations"),
                ],
            ),
        ],
        tables: &["deployment"],
        replaced: &[],
    },
    Spec {
        kind: "routes",
        collectors: &["source"],
        title: "Routes",
        intro: "The target's own code, parsed once and never run: the frameworks it uses, the server routes it exposes and whether each checks who calls before it acts, what the browser bundle carries, and which routes spend money per call. Checks are read from code patterns (heuristic), and stacks the scan cannot read yet are named, not passed.",
        groups: &[
            (
                "Route checks",
                &[
                    ("source.routes", "Server routes found"),
                    (
                        "source.routes.unguarded",
                        "Routes that never check who calls",
                    ),
                ],
            ),
            (
                "Browser, CORS and cost",
                &[
                    ("source.client-files", "Files shipped to the browser"),
                    ("source.cors", "Cross-origin access"),
                    ("source.cors.wildcard", "Routes open to every origin"),
                    ("source.paid-calls", "Calls to paid APIs"),
                    ("source.paid-routes", "Routes that reach a paid API"),
                    (
                        "source.paid-routes.unlimited",
                        "Paid routes with no rate limit seen",
                    ),
                    ("source.rate-limiters", "Rate limiters"),
                    ("source.error-tracking", "Error tracking initialised"),
                ],
            ),
            (
                "Data layer",
                &[
                    ("source.db.migrations", "Migration files read"),
                    ("source.db.tables", "Tables clients can reach"),
                    (
                        "source.db.tables.without-rls",
                        "Of those, without row-level security",
                    ),
                    ("source.db.policies", "Row-level security policies"),
                    ("source.db.tenant-columns", "Tables with a tenant key"),
                    (
                        "source.db.tenant-unenforced",
                        "Tenant tables no policy enforces",
                    ),
                ],
            ),
            (
                "Personal data",
                &[
                    (
                        "source.personal-data.fields",
                        "Schema fields holding personal data",
                    ),
                    ("source.personal-data.kinds", "Kinds of personal data"),
                    ("source.data-inventory", "Data inventory documents"),
                    ("source.deletion-paths", "Account deletion in code"),
                    ("source.soft-delete", "Tables with soft delete"),
                    ("source.firebase.rules", "Firebase rules read"),
                ],
            ),
            (
                "Source read",
                &[
                    ("source.frameworks", "Frameworks and platforms"),
                    ("source.not-analysed", "Stacks not read yet"),
                    ("source.files.parsed", "Files parsed"),
                    (
                        "source.files.skipped",
                        "Files skipped (vendored, generated, minified, too large)",
                    ),
                    ("source.files.failed", "Files that did not parse"),
                ],
            ),
        ],
        tables: &["routes", "data", "cost", "personal-data"],
        replaced: &[],
    },
];

/// Whether a collector has a part of its own.
pub(crate) fn has_part(collector: &str) -> bool {
    SPECS.iter().any(|s| s.collectors.contains(&collector))
}

/// The parts of collectors that ran or failed, in report order.
pub(crate) fn parts(a: &Assessment) -> Vec<EvidencePart> {
    SPECS.iter().filter_map(|spec| part(a, spec)).collect()
}

fn part(a: &Assessment, spec: &Spec) -> Option<EvidencePart> {
    let evidence = spec.collectors.iter().find_map(|c| a.evidence_of(c));
    let failure = a
        .failures
        .iter()
        .find(|f| spec.collectors.contains(&f.collector.as_str()));
    let collector = evidence
        .map(|e| e.collector.to_string())
        .or_else(|| failure.map(|f| f.collector.to_string()))?;
    let mut view = EvidencePart {
        kind: spec.kind,
        collector,
        title: spec.title,
        intro: spec.intro,
        evidenced: evidence.is_some(),
        reason: None,
        partial: None,
        findings: 0,
        groups: Vec::new(),
        secrets: Vec::new(),
        live_checked: false,
        tables: Vec::new(),
        other_facts: Vec::new(),
    };
    let Some(evidence) = evidence else {
        view.reason = failure.map(|f| match f.kind {
            FailureKind::Unavailable => format!("the collector was unavailable: {}", f.message),
            FailureKind::Failed => format!("the collector failed: {}", f.message),
        });
        return Some(view);
    };
    view.partial = evidence.partial.clone();
    view.findings = evidence.findings.len();
    view.groups = spec
        .groups
        .iter()
        .map(|(title, labels)| FactGroup {
            title,
            facts: labels
                .iter()
                .filter_map(|(name, label)| {
                    evidence.facts.get(*name).map(|f| fact_row(name, label, f))
                })
                .collect(),
        })
        .filter(|g| !g.facts.is_empty())
        .collect();
    let known = |name: &str| {
        spec.groups
            .iter()
            .any(|(_, labels)| labels.iter().any(|(n, _)| *n == name))
    };
    view.other_facts = evidence
        .facts
        .iter()
        .filter(|(name, _)| !known(name.as_str()))
        .map(|(name, f)| fact_row(name.as_str(), name.as_str(), f))
        .collect();
    if spec.kind == "secrets" {
        view.secrets = secrets(a, evidence);
        view.live_checked = evidence.findings.iter().any(|f| f.live.is_some());
    }
    let replaced = |key: &str| spec.replaced.contains(&key) && !view.secrets.is_empty();
    let mut tables: Vec<TableView> = spec
        .tables
        .iter()
        .filter_map(|key| {
            evidence
                .inventories
                .get(*key)
                .and_then(|inv| inventory_view(key, inv))
        })
        .collect();
    tables.extend(
        evidence
            .inventories
            .iter()
            .filter(|(key, _)| !spec.tables.contains(&key.as_str()) && !replaced(key))
            .filter_map(|(key, inv): (&String, &Inventory)| inventory_view(key, inv)),
    );
    if spec.kind == "deployment"
        && let Some(grouped) = findings_by_file(evidence)
    {
        tables.push(grouped);
    }
    view.tables = tables;
    Some(view)
}

/// Rows of the deployment findings table; the full list stays under
/// Findings.
const FINDINGS_BY_FILE_CAP: usize = 60;

/// The deployment findings grouped by file (one file's rows together, in
/// line order, most severe file first), so a reviewer reads a Dockerfile's
/// or a workflow's problems in one place.
fn findings_by_file(evidence: &Evidence) -> Option<TableView> {
    use std::collections::BTreeMap;

    if evidence.findings.is_empty() {
        return None;
    }
    let mut files: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &evidence.findings {
        files
            .entry(f.location.path.as_deref().unwrap_or("(repository)"))
            .or_default()
            .push(f);
    }
    let mut groups: Vec<(&str, Vec<&Finding>)> = files.into_iter().collect();
    for (_, found) in &mut groups {
        found.sort_by_key(|f| (f.location.line, std::cmp::Reverse(f.severity)));
    }
    groups.sort_by(|(a, x), (b, y)| {
        let worst = |v: &[&Finding]| v.iter().map(|f| f.severity).max();
        worst(y).cmp(&worst(x)).then(a.cmp(b))
    });
    let total = evidence.findings.len();
    let mut rows: Vec<Vec<String>> = groups
        .iter()
        .flat_map(|(file, found)| {
            found.iter().map(move |f| {
                vec![
                    (*file).to_owned(),
                    f.location.line.map_or_else(String::new, |l| l.to_string()),
                    f.severity.to_string(),
                    f.rule.to_string(),
                    f.message.clone(),
                ]
            })
        })
        .take(FINDINGS_BY_FILE_CAP)
        .collect();
    if total > FINDINGS_BY_FILE_CAP {
        rows.push(vec![
            format!("and {} more", total - FINDINGS_BY_FILE_CAP),
            String::new(),
            String::new(),
            String::new(),
            "all listed under Findings".to_owned(),
        ]);
    }
    Some(crate::view::table(
        "Findings by file",
        "deployment-findings",
        &["File", "Line", "Severity", "Rule", "What"],
        rows,
    ))
}

/// One row per secret finding (a finding is one secret, its other places
/// are occurrences), most severe first.
fn secrets(a: &Assessment, evidence: &Evidence) -> Vec<SecretRow> {
    let mut found: Vec<&Finding> = evidence.findings.iter().collect();
    found.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(y.confidence.cmp(&x.confidence))
            .then(x.sort_key().cmp(&y.sort_key()))
    });
    found
        .into_iter()
        .map(|f| {
            let commit = f.location.commit.as_ref();
            let note = notes::finding_note(a, f);
            let places = 1 + f.occurrences.len();
            let at_head = std::iter::once(&f.location)
                .chain(&f.occurrences)
                .map(|l| l.at_head);
            let at_head = if at_head.clone().any(|h| h == Some(true)) {
                "yes"
            } else if at_head.clone().all(|h| h == Some(false)) {
                "no"
            } else {
                "unknown"
            };
            SecretRow {
                rule: f.rule.to_string(),
                secret: match &f.excerpt {
                    Some(Excerpt::Redacted { secret }) => masked(secret),
                    // A plain excerpt is never a secret value; say where
                    // instead of printing it.
                    _ => format!("fingerprint {}", f.fingerprint),
                },
                first_commit: commit.map(|c| short(&c.id)).unwrap_or_default(),
                first_date: commit
                    .and_then(|c| c.date)
                    .map(|d| d.date_string())
                    .unwrap_or_default(),
                author: commit.and_then(|c| c.author.clone()).unwrap_or_default(),
                location: match (&f.location.path, f.location.line) {
                    (Some(p), Some(l)) => format!("{p}:{l}"),
                    (Some(p), None) => p.clone(),
                    (None, _) => "(repository)".to_owned(),
                },
                places,
                at_head,
                accepted: note.accepted,
                note: note.text,
                live: f
                    .live
                    .as_ref()
                    .map(|c| format!("{}: {}", c.status, c.reason))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

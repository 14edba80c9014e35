//! Assessments built by hand: a realistic one, an empty repository and a
//! plain directory.

use std::collections::BTreeMap;

use diligence_model::{
    Assessment, CollectorFailure, CollectorId, CommitRef, Confidence, ControlId, ControlResult,
    ControlStatus, DatabaseInfo, Effort, Evidence, EvidenceRef, Excerpt, Fact, FactName,
    FailureKind, Finding, FrameworkInfo, Gate, Inventory, Location, Question, Redacted,
    RemediationPlan, RuleId, SCHEMA_VERSION, ScanOptionsInfo, Scores, SectionId, SectionScore,
    Series, SeriesPoint, Severity, StatusCounts, Table, TargetInfo, Timestamp, ToolInfo, Unit,
    VcsInfo, Verdict, WorkItem,
};

/// A finding message that tries every way out of a table cell.
pub(crate) const HOSTILE: &str = "CORS allows * | see `cfg`\n# heading\n<script>alert(1)</script> [link](http://x) &amp; 1. item";

/// A live-looking key, assembled at test time so no secret sits in the source.
pub(crate) fn secret_value() -> String {
    ["sk", "_li", "ve_", "51Hx", "Q2vR8", "kLmN0pZ", "7tYw3"].concat()
}

const HEAD: &str = "3f2a9c41d07b5e8a6c1f0e2d4b7a9c3e5f1d2b4a";
const LEAK_COMMIT: &str = "9d1e0c7b5a3f2e4d6c8b0a1f3e5d7c9b1a2f4e6d";

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("test ids are well formed")
}

fn effort(low: u32, high: u32) -> Effort {
    Effort::new(low, high).expect("low <= high")
}

fn framework() -> FrameworkInfo {
    FrameworkInfo {
        id: "production-readiness".into(),
        version: "1.0.0".into(),
        title: "Production readiness".into(),
        source: "embedded".into(),
    }
}

fn tool() -> ToolInfo {
    ToolInfo {
        name: "diligence".into(),
        version: "0.1.0".into(),
    }
}

const SECTIONS: &[(&str, &str)] = &[
    ("secrets-and-surface", "Secrets and surface"),
    ("identity", "Identity and authorisation"),
    ("data-handling", "Data handling"),
    ("observability", "Observability and limits"),
    ("change-control", "Change control"),
];

struct Spec {
    id: &'static str,
    section: &'static str,
    title: &'static str,
    status: ControlStatus,
    critical: bool,
    weight: u32,
}

fn control(spec: &Spec) -> ControlResult {
    ControlResult {
        id: id(spec.id),
        section: id(spec.section),
        title: spec.title.into(),
        status: spec.status,
        critical: spec.critical,
        weight: spec.weight,
        rationale: Vec::new(),
        evidence: Vec::new(),
        partial_evidence: false,
        question: None,
        remediation: None,
        effort: None,
        findings: Vec::new(),
    }
}

/// Section scores computed the way the methodology states: weighted points
/// over evidenced controls, coverage as evidenced weight over all weight.
fn scores(controls: &[ControlResult]) -> Scores {
    let mut total = (0u32, 0u32, 0u32);
    let sections = SECTIONS
        .iter()
        .map(|(sid, title)| {
            let mut counts = StatusCounts::default();
            let (mut points, mut evidenced, mut weight) = (0u32, 0u32, 0u32);
            for c in controls.iter().filter(|c| c.section.as_str() == *sid) {
                counts.add(c.status);
                weight += c.weight;
                if let Some(p) = c.status.points() {
                    points += p * c.weight;
                    evidenced += c.weight;
                }
            }
            total.0 += points;
            total.1 += evidenced;
            total.2 += weight;
            SectionScore {
                id: id::<SectionId>(sid),
                title: (*title).into(),
                score: (evidenced > 0).then(|| points / evidenced),
                coverage: (evidenced * 100).checked_div(weight).unwrap_or(0),
                counts,
            }
        })
        .collect();
    Scores {
        overall: (total.1 > 0).then(|| total.0 / total.1),
        coverage: (total.1 * 100).checked_div(total.2).unwrap_or(0),
        sections,
    }
}

fn month_series() -> Series {
    let points = [
        ("2023-11", 14),
        ("2023-12", 3),
        ("2024-02", 22),
        ("2024-05", 41),
        ("2024-09", 17),
        ("2024-12", 9),
        ("2025-01", 30),
        ("2025-03", 12),
        ("2025-06", 5),
    ];
    Series {
        title: "Commits per month".into(),
        unit: Unit::Commits,
        points: points
            .iter()
            .map(|(label, value)| SeriesPoint {
                label: (*label).into(),
                value: *value,
            })
            .collect(),
    }
}

fn table(title: &str, columns: &[&str], rows: &[&[&str]]) -> Inventory {
    Inventory::Table(Table {
        title: title.into(),
        columns: columns.iter().map(|c| (*c).into()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| (*c).into()).collect())
            .collect(),
    })
}

fn git_evidence() -> Evidence {
    let mut e = Evidence::new(id("git"));
    let facts: Vec<(&str, Fact)> = vec![
        (
            "git.scope",
            Fact::text("the history reachable from the assessed commit 3f2a9c41d07b (2025-06-20)"),
        ),
        ("git.commits", Fact::int(148, Unit::Commits)),
        ("git.commits.all-refs", Fact::int(153, Unit::Commits)),
        (
            "git.branches.outside-scope",
            Fact::list(["release/2024-05".to_owned()]),
        ),
        ("git.authors", Fact::int(4, Unit::People)),
        ("git.committers", Fact::int(3, Unit::People)),
        (
            "git.first-commit",
            Fact::date(Timestamp::from_ymd(2023, 11, 2)),
        ),
        (
            "git.last-commit",
            Fact::date(Timestamp::from_ymd(2025, 6, 20)),
        ),
        ("git.age-days", Fact::int(596, Unit::Days)),
        ("git.contributors.active-90d", Fact::int(2, Unit::People)),
        ("git.contributors.active-365d", Fact::int(3, Unit::People)),
        (
            "git.truck-factor",
            Fact::int(1, Unit::People)
                .heuristic(Confidence::Medium)
                .detail("fewest authors who wrote half of the lines at HEAD"),
        ),
        ("git.top-author.share-12m", Fact::ratio(61, 82)),
        ("git.merges", Fact::int(12, Unit::Commits)),
        ("git.review.share", Fact::ratio(3, 25)),
        ("git.signed.share", Fact::ratio(0, 153)),
        ("git.tags", Fact::int(2, Unit::Count)),
        (
            "git.releases.last",
            Fact::date(Timestamp::from_ymd(2025, 3, 14)),
        ),
        ("git.releases.cadence-days", Fact::int(180, Unit::Days)),
        ("git.reverts", Fact::int(4, Unit::Commits)),
        ("git.traceability.share", Fact::ratio(0, 0)),
        ("git.throwaway.share", Fact::ratio(19, 153)),
        (
            "git.ai.assistant-commits",
            Fact::int(37, Unit::Commits)
                .detail("commits with a Co-authored-by trailer of an assistant"),
        ),
        (
            "git.ai.instruction-files",
            Fact::list(["CLAUDE.md".to_owned(), ".cursorrules".to_owned()]),
        ),
        ("git.ai.generator-markers", Fact::int(0, Unit::Files)),
        ("git.blobs", Fact::int(2210, Unit::Count)),
        ("git.objects.missing", Fact::int(0, Unit::Count)),
        ("git.shallow", Fact::bool(false)),
    ];
    for (name, fact) in facts {
        e.set_fact(id::<FactName>(name), fact);
    }
    e.inventories.insert(
        "commits-per-month".into(),
        Inventory::Series(month_series()),
    );
    e.inventories.insert(
        "contributors".into(),
        table(
            "Contributors",
            &["Author", "Commits", "First", "Last"],
            &[
                &["Dana Reyes", "98", "2023-11-02", "2025-06-20"],
                &["Sam Okafor", "41", "2024-02-11", "2025-03-14"],
                &["ci-bot", "10", "2024-05-01", "2025-06-01"],
                &["Lee | Contractor", "4", "2023-12-05", "2023-12-19"],
            ],
        ),
    );
    e.inventories.insert(
        "identity-merges".into(),
        table(
            "Identities counted as one person",
            &["person", "also as", "why"],
            &[&[
                "Dana Reyes <dana@reyes-labs.io>",
                "dana <dana@reyes-labs.io>",
                "same e-mail address",
            ]],
        ),
    );
    e.inventories.insert(
        "key-people".into(),
        table(
            "Key people",
            &["Author", "Share of lines at HEAD"],
            &[&["Dana Reyes", "71%"]],
        ),
    );
    e.inventories.insert(
        "tags".into(),
        table(
            "Tags",
            &["Tag", "Date"],
            &[&["v0.1.0", "2024-09-30"], &["v0.2.0", "2025-03-14"]],
        ),
    );
    e
}

fn secret_finding() -> Finding {
    let secret = secret_value();
    Finding::builder(
        id::<RuleId>("secrets.stripe-live-key"),
        Severity::Critical,
        Confidence::High,
    )
    .message("Stripe live secret key committed to history")
    .location(Location {
        path: Some("config/.env.production".into()),
        line: Some(3),
        end_line: None,
        commit: Some(CommitRef {
            id: LEAK_COMMIT.into(),
            author: Some("Sam Okafor".into()),
            date: Some(Timestamp::from_ymd(2024, 5, 17)),
        }),
        at_head: Some(false),
        in_scope: Some(false),
        refs: vec!["release/2024-05".into(), "tag v0.9.0-rc1".into()],
        refs_more: 0,
        class: None,
    })
    .occurrence(Location::line("docker/Dockerfile", 12))
    .excerpt(Excerpt::Redacted {
        secret: Redacted::new(&secret, "fp-7c1e20a9"),
    })
    .remediation("Rotate the key, then purge it from history, CI and images")
    .effort(effort(5, 10))
    .tag("history-only")
    .build()
    .expect("complete finding")
}

fn hostile_finding() -> Finding {
    Finding::builder(
        id::<RuleId>("deploy.cors-wildcard"),
        Severity::High,
        Confidence::Medium,
    )
    .message(HOSTILE)
    .location(Location::line("api/server|main.ts", 27))
    .plain_excerpt("app.use(cors({ origin: '*' })) // `todo` | <b>")
    .build()
    .expect("complete finding")
}

fn deps_evidence() -> Evidence {
    let mut e = Evidence::new(id("deps"));
    e.set_fact(id("deps.lockfile.present"), Fact::bool(true));
    e.set_fact(id("deps.count"), Fact::count(212, Unit::Count));
    e.set_fact(
        id("deps.pinned.share"),
        Fact::ratio(200, 212).detail("direct dependencies with an exact version"),
    );
    e.inventories.insert(
        "dependencies".into(),
        table(
            "Direct dependencies",
            &["Name", "Version", "Ecosystem"],
            &[
                &["next", "14.2.3", "npm"],
                &["@supabase/supabase-js", "2.43.1", "npm"],
                &["weird|name", "1.0.0\n# not a heading", "npm"],
                &["short-row"],
            ],
        ),
    );
    e.inventories.insert(
        "licences".into(),
        Inventory::Series(Series {
            title: "Packages per licence".into(),
            unit: Unit::Count,
            points: vec![
                SeriesPoint {
                    label: "MIT".into(),
                    value: 180,
                },
                SeriesPoint {
                    label: "Apache-2.0".into(),
                    value: 32,
                },
            ],
        }),
    );
    e
}

fn deploy_evidence() -> Evidence {
    let mut e = Evidence::new(id("deploy"));
    e.findings.push(hostile_finding());
    e.findings.push(
        Finding::builder(
            id::<RuleId>("deploy.dockerfile-root"),
            Severity::Low,
            Confidence::High,
        )
        .message("Container runs as root")
        .location(Location::file("docker/Dockerfile"))
        .build()
        .expect("complete finding"),
    );
    e.set_fact(id("deploy.ci.present"), Fact::bool(true));
    e.set_fact(
        id("deploy.platforms"),
        Fact::list(["vercel".to_owned(), "docker".to_owned()]),
    );
    e.partial = Some("2 files over the size limit were skipped".into());
    e.normalise();
    e
}

fn secrets_evidence() -> Evidence {
    let mut e = Evidence::new(id("secrets"));
    e.findings.push(secret_finding());
    e.set_fact(id("secrets.blobs-scanned"), Fact::int(2210, Unit::Count));
    e.normalise();
    e
}

/// A Next.js shop with a leaked key in history, a wildcard CORS line with
/// hostile text, two failed collectors and questions left open.
pub(crate) fn realistic() -> Assessment {
    let mut controls = vec![
        control(&Spec {
            id: "secrets.no-credentials",
            section: "secrets-and-surface",
            title: "No credentials in code or history",
            status: ControlStatus::Fail,
            critical: true,
            weight: 3,
        }),
        control(&Spec {
            id: "secrets.cors",
            section: "secrets-and-surface",
            title: "CORS is explicit",
            status: ControlStatus::Partial,
            critical: false,
            weight: 1,
        }),
        control(&Spec {
            id: "identity.provider",
            section: "identity",
            title: "Known identity provider",
            status: ControlStatus::NotEvidenced,
            critical: false,
            weight: 2,
        }),
        control(&Spec {
            id: "data-handling.backups",
            section: "data-handling",
            title: "Backups and a rehearsed restore",
            status: ControlStatus::NotEvidenced,
            critical: false,
            weight: 2,
        }),
        control(&Spec {
            id: "observability.errors",
            section: "observability",
            title: "Errors reach a human",
            status: ControlStatus::Pass,
            critical: false,
            weight: 2,
        }),
        control(&Spec {
            id: "change-control.pipeline",
            section: "change-control",
            title: "Deploys go through a pipeline",
            status: ControlStatus::Pass,
            critical: false,
            weight: 2,
        }),
        control(&Spec {
            id: "change-control.review",
            section: "change-control",
            title: "Changes are reviewed",
            status: ControlStatus::Partial,
            critical: false,
            weight: 2,
        }),
        control(&Spec {
            id: "change-control.advisories",
            section: "change-control",
            title: "Dependencies free of known advisories",
            status: ControlStatus::NotEvidenced,
            critical: false,
            weight: 1,
        }),
        control(&Spec {
            id: "data-handling.tests",
            section: "data-handling",
            title: "Tests cover data code",
            status: ControlStatus::NotApplicable,
            critical: false,
            weight: 1,
        }),
    ];
    {
        let c = &mut controls[0];
        c.rationale = vec!["1 critical secret finding (secrets.*)".into()];
        c.evidence = vec![EvidenceRef::Findings {
            rule: "secrets.*".into(),
            count: 1,
            worst: Some(Severity::Critical),
        }];
        c.remediation = Some("Rotate every leaked key and purge it from history".into());
        c.effort = Some(effort(5, 10));
    }
    {
        let c = &mut controls[1];
        c.rationale = vec!["1 high finding of deploy.cors-wildcard".into()];
        c.evidence = vec![EvidenceRef::Findings {
            rule: "deploy.cors-wildcard".into(),
            count: 1,
            worst: Some(Severity::High),
        }];
        c.partial_evidence = true;
        c.remediation = Some("List allowed origins | no wildcard".into());
        c.effort = Some(effort(1, 5));
    }
    controls[2].question = Some("Which identity provider signs users in?".into());
    controls[3].question =
        Some("When was a restore last rehearsed, and how long did it take?".into());
    controls[4].rationale = vec!["sentry configured in next.config.js".into()];
    controls[5].evidence = vec![EvidenceRef::Fact {
        name: id("deploy.ci.present"),
        value: "yes".into(),
    }];
    {
        let c = &mut controls[6];
        c.rationale = vec!["review share 12% is under 50%".into()];
        c.evidence = vec![EvidenceRef::Fact {
            name: id("git.review.share"),
            value: "12% (3/25)".into(),
        }];
        c.question = Some("Who reviews changes to auth and payment code?".into());
        c.remediation = Some("Require a second reviewer on protected branches".into());
        c.effort = Some(effort(5, 20));
    }
    controls[7].evidence = vec![EvidenceRef::Failure {
        collector: id("advisories"),
    }];
    controls[7].question = Some("How are dependency advisories tracked?".into());
    let scores = scores(&controls);
    Assessment {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        target: TargetInfo {
            name: "acme-shop".into(),
            vcs: Some(VcsInfo {
                head: Some(HEAD.into()),
                branch: Some("main".into()),
                detached: false,
                remote: Some("https://github.com/acme/shop.git".into()),
                head_date: Some(Timestamp::from_ymd(2025, 6, 20)),
                shallow: false,
                bare: false,
            }),
        },
        framework: framework(),
        options: ScanOptionsInfo {
            collectors: ["git", "secrets", "deps", "deploy", "advisories", "coverage"]
                .iter()
                .map(|c| id::<CollectorId>(c))
                .collect(),
            as_of: Some(Timestamp::from_ymd(2025, 6, 30)),
            live_validation: None,
        },
        generated_at: None,
        annotations: None,
        databases: vec![DatabaseInfo {
            name: "secret-rules".into(),
            version: "2025.06".into(),
        }],
        evidence: vec![
            git_evidence(),
            secrets_evidence(),
            deps_evidence(),
            deploy_evidence(),
        ],
        failures: vec![
            CollectorFailure {
                collector: id("advisories"),
                kind: FailureKind::Unavailable,
                message: "no advisory database; run with --fetch-advisories".into(),
            },
            CollectorFailure {
                collector: id("coverage"),
                kind: FailureKind::Failed,
                message: "malformed lcov.info at line 3 | <b>bold</b>".into(),
            },
        ],
        controls,
        gate: Gate {
            verdict: Verdict::Prototype,
            reasons: vec![
                "critical control secrets.no-credentials failed".into(),
                format!("overall score {} is under 80", scores.overall.unwrap_or(0)),
            ],
        },
        scores,
        remediation: RemediationPlan {
            items: vec![
                WorkItem {
                    control: id::<ControlId>("secrets.no-credentials"),
                    title: "Rotate the Stripe key and purge it from history".into(),
                    findings: 1,
                    units: 1,
                    locations: vec!["config/.env.production:3".into()],
                    effort: effort(5, 10),
                },
                WorkItem {
                    control: id("secrets.cors"),
                    title: "Restrict CORS origins".into(),
                    findings: 1,
                    units: 0,
                    locations: vec!["api/server.ts:14".into()],
                    effort: effort(1, 5),
                },
                WorkItem {
                    control: id("change-control.review"),
                    title: "Protect the main branch with required reviews".into(),
                    findings: 0,
                    units: 0,
                    locations: Vec::new(),
                    effort: effort(5, 20),
                },
            ],
            total: effort(11, 35),
            assumptions: vec![
                "one engineer who knows the stack".into(),
                "keys can be rotated without a customer migration".into(),
            ],
        },
        questions: vec![
            Question {
                control: id("identity.provider"),
                text: "Which identity provider signs users in?".into(),
                reason: "not evidenced".into(),
                evidence: Vec::new(),
            },
            Question {
                control: id("data-handling.backups"),
                text: "When was a restore last rehearsed, and how long did it take?".into(),
                reason: "no repository can prove it".into(),
                evidence: Vec::new(),
            },
            Question {
                control: id("change-control.review"),
                text: "Who reviews changes to auth and payment code?".into(),
                reason: "partial".into(),
                evidence: vec!["src/auth/session.ts".into(), "src/billing/charge.ts".into()],
            },
        ],
    }
}

fn all_not_evidenced() -> Vec<ControlResult> {
    [
        ("secrets.no-credentials", "secrets-and-surface", true),
        ("identity.provider", "identity", false),
        ("data-handling.backups", "data-handling", false),
        ("observability.errors", "observability", false),
        ("change-control.review", "change-control", false),
    ]
    .iter()
    .map(|(cid, section, critical)| {
        let mut c = control(&Spec {
            id: cid,
            section,
            title: "A control",
            status: ControlStatus::NotEvidenced,
            critical: *critical,
            weight: 1,
        });
        c.title = format!("Control {cid}");
        c
    })
    .collect()
}

/// A git repository without commits: nothing is evidenced.
pub(crate) fn empty() -> Assessment {
    let controls = all_not_evidenced();
    let scores = scores(&controls);
    let mut git = Evidence::new(id("git"));
    git.set_fact(id("git.commits"), Fact::int(0, Unit::Commits));
    Assessment {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        target: TargetInfo {
            name: "empty".into(),
            vcs: Some(VcsInfo::default()),
        },
        framework: framework(),
        options: ScanOptionsInfo {
            collectors: vec![id("git")],
            as_of: None,
            live_validation: None,
        },
        generated_at: None,
        annotations: None,
        databases: Vec::new(),
        evidence: vec![git],
        failures: Vec::new(),
        controls,
        scores,
        gate: Gate {
            verdict: Verdict::Conditional,
            reasons: vec!["evidence coverage 0% is under 70%".into()],
        },
        remediation: RemediationPlan::default(),
        questions: Vec::new(),
    }
}

/// A plain directory: the git collector is unavailable.
pub(crate) fn no_git() -> Assessment {
    let mut controls = all_not_evidenced();
    controls[0].status = ControlStatus::Pass;
    controls[0].evidence = vec![EvidenceRef::Findings {
        rule: "secrets.*".into(),
        count: 0,
        worst: None,
    }];
    controls[4].evidence = vec![EvidenceRef::Failure {
        collector: id("git"),
    }];
    let scores = scores(&controls);
    let mut deps = Evidence::new(id("deps"));
    deps.set_fact(id("deps.lockfile.present"), Fact::bool(false));
    Assessment {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        target: TargetInfo {
            name: "tarball".into(),
            vcs: None,
        },
        framework: framework(),
        options: ScanOptionsInfo {
            collectors: vec![id("git"), id("secrets"), id("deps")],
            as_of: Some(Timestamp::from_ymd(2025, 1, 31)),
            live_validation: None,
        },
        generated_at: Some(Timestamp(1_738_281_600)),
        annotations: None,
        databases: Vec::new(),
        evidence: vec![Evidence::new(id("secrets")), deps],
        failures: vec![CollectorFailure {
            collector: id("git"),
            kind: FailureKind::Unavailable,
            message: "not a git repository".into(),
        }],
        controls,
        scores,
        gate: Gate {
            verdict: Verdict::Conditional,
            reasons: vec!["evidence coverage 20% is under 70%".into()],
        },
        remediation: RemediationPlan::default(),
        questions: vec![Question {
            control: id("change-control.review"),
            text: "Where is the history of this code?".into(),
            reason: "not evidenced".into(),
            evidence: Vec::new(),
        }],
    }
}

/// Every fixture, by name.
pub(crate) fn all() -> BTreeMap<&'static str, Assessment> {
    BTreeMap::from([
        ("realistic", realistic()),
        ("empty", empty()),
        ("no-git", no_git()),
    ])
}

use diligence_model::Assessment;
use diligence_render::{Error, MarkdownRenderer};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::fixtures;

/// What the tests need to know about a parsed Markdown document.
#[derive(Default, Debug)]
pub(crate) struct Doc {
    /// Headings: level and text.
    pub(crate) headings: Vec<(HeadingLevel, String)>,
    /// Tables: the column count of the head and the cell texts of each row.
    pub(crate) tables: Vec<(usize, Vec<Vec<String>>)>,
    /// Raw HTML, block or inline.
    pub(crate) html: Vec<String>,
    /// Code spans.
    pub(crate) code: Vec<String>,
}

pub(crate) fn parse(markdown: &str) -> Doc {
    let mut doc = Doc::default();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut row: Option<Vec<String>> = None;
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => doc.headings.extend(heading.take()),
            Event::Start(Tag::Table(alignments)) => doc.tables.push((alignments.len(), Vec::new())),
            Event::Start(Tag::TableHead | Tag::TableRow) => row = Some(Vec::new()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                let table = doc.tables.last_mut().expect("rows sit in a table");
                table.1.extend(row.take());
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                row.as_mut()
                    .expect("cells sit in a row")
                    .extend(cell.take());
            }
            Event::Html(html) | Event::InlineHtml(html) => doc.html.push(html.to_string()),
            Event::Text(ref text) | Event::Code(ref text) => {
                if matches!(event, Event::Code(_)) {
                    doc.code.push(text.to_string());
                }
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(text);
                }
                if let Some(c) = cell.as_mut() {
                    c.push_str(text);
                }
            }
            _ => {}
        }
    }
    doc
}

pub(crate) fn render(assessment: &Assessment) -> String {
    diligence_render::markdown(assessment).expect("the embedded templates render")
}

#[test]
fn snapshots() {
    for (name, assessment) in fixtures::all() {
        insta::assert_snapshot!(format!("{name}.md"), render(&assessment));
    }
}

#[test]
fn deterministic() {
    for (name, assessment) in fixtures::all() {
        assert_eq!(render(&assessment), render(&assessment), "{name}");
        let renderer = MarkdownRenderer::embedded().expect("embedded templates parse");
        assert_eq!(
            renderer.render(&assessment).expect("renders"),
            render(&assessment),
            "{name}"
        );
    }
}

#[test]
fn every_table_row_has_every_column() {
    for (name, assessment) in fixtures::all() {
        let doc = parse(&render(&assessment));
        assert!(
            doc.tables.len() >= 4,
            "{name}: summary, scorecard, methodology, target"
        );
        for (columns, rows) in &doc.tables {
            assert!(*columns > 0);
            for row in rows {
                assert_eq!(row.len(), *columns, "{name}: row {row:?}");
            }
        }
    }
}

#[test]
fn every_part_has_a_heading() {
    for (name, assessment) in fixtures::all() {
        let doc = parse(&render(&assessment));
        let h2: Vec<&str> = doc
            .headings
            .iter()
            .filter(|(level, _)| *level == HeadingLevel::H2)
            .map(|(_, text)| text.as_str())
            .collect();
        let h1 = doc
            .headings
            .iter()
            .filter(|(level, _)| *level == HeadingLevel::H1)
            .count();
        assert_eq!(h1, 1, "{name}: one title");
        let mut expected = vec!["Executive summary", "Target profile", "Scorecard"];
        expected.extend(assessment.scores.sections.iter().map(|s| s.title.as_str()));
        expected.push("History");
        let ran = |ids: &[&str]| {
            assessment
                .evidence
                .iter()
                .map(|e| e.collector.as_str())
                .chain(assessment.failures.iter().map(|f| f.collector.as_str()))
                .any(|c| ids.contains(&c))
        };
        for (title, ids) in [
            ("Dependencies", &["deps", "dependencies"][..]),
            ("Secrets", &["secrets"][..]),
            ("Tests and coverage", &["tests", "coverage"][..]),
            ("Deployment", &["deploy"][..]),
        ] {
            if ran(ids) {
                expected.push(title);
            }
        }
        expected.extend([
            "Other evidence",
            "Remediation plan",
            "Findings",
            "Questions for management",
            "Collector failures",
            "Methodology",
        ]);
        assert_eq!(h2, expected, "{name}");
        for control in &assessment.controls {
            assert!(
                doc.headings
                    .iter()
                    .any(|(level, text)| *level == HeadingLevel::H3 && text == &control.title),
                "{name}: control {} has a heading",
                control.id
            );
        }
    }
}

#[test]
fn hostile_text_stays_in_its_cell() {
    let doc = parse(&render(&fixtures::realistic()));
    assert!(doc.html.is_empty(), "no raw HTML: {:?}", doc.html);
    assert!(
        doc.headings
            .iter()
            .all(|(_, text)| !text.contains("heading")),
        "a message cannot open a heading"
    );
    assert!(doc.code.iter().all(|c| c != "cfg" && !c.contains("todo")));
    let flat = fixtures::HOSTILE.replace('\n', " ");
    let cells: Vec<&String> = doc
        .tables
        .iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .collect();
    assert!(
        cells.iter().any(|c| **c == flat),
        "the message reads literally in one cell"
    );
    assert!(cells.iter().any(|c| *c == "api/server|main.ts:27"));
    assert!(cells.iter().any(|c| *c == "1.0.0 # not a heading"));
}

#[test]
fn secrets_are_masked() {
    let secret = fixtures::secret_value();
    for (name, assessment) in fixtures::all() {
        let text = render(&assessment);
        assert!(!text.contains(&secret), "{name}");
        assert!(!text.contains(&secret[4..]), "{name}");
    }
    let text = render(&fixtures::realistic());
    assert!(text.contains("fp-7c1e20a9"), "the fingerprint is shown");
}

#[test]
fn history_is_reported_from_facts() {
    let text = render(&fixtures::realistic());
    for expected in [
        "| Truck factor | `git.truck-factor` | 1 person | heuristic, medium confidence;",
        "| 12% (3 of 25) |",
        "| 2024 | 89 |",
        "| 2025-04 | 0 |",
        "| 2025-06 | 5 |",
        "| Share of commits that reference an issue | `git.traceability.share` | no data |",
        "| Lee \\| Contractor |",
        "### AI-assistance footprint",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    let doc = parse(&text);
    let recent = doc
        .tables
        .iter()
        .find(|(_, rows)| rows[0] == ["Month", "Commits"])
        .expect("a table of the last 12 months");
    assert_eq!(recent.1.len(), 13, "head and twelve months");
    assert_eq!(recent.1[1][0], "2024-07");
}

#[test]
fn missing_history_is_not_evidenced_not_zero() {
    let empty = render(&fixtures::empty());
    assert!(empty.contains("History is not evidenced: the repository has no commits."));
    assert!(!empty.contains("`git.commits`"));
    let no_git = render(&fixtures::no_git());
    assert!(no_git.contains(
        "History is not evidenced: the git collector was unavailable: not a git repository."
    ));
    assert!(no_git.contains("Not evidenced (collector git unavailable)"));
    assert!(no_git.contains("- Not evidenced — collector `git` unavailable: not a git repository"));
}

#[test]
fn score_never_without_coverage() {
    let text = render(&fixtures::realistic());
    let score = fixtures::realistic().scores;
    let line = format!(
        "**Overall score: {}/100 at {}% evidence coverage.**",
        score.overall.expect("scored"),
        score.coverage
    );
    assert!(text.contains(&line), "{line}");
    let empty = render(&fixtures::empty());
    assert!(empty.contains("not scored: nothing evidenced (0% evidence coverage)"));
}

#[test]
fn red_flags_are_at_most_five_and_worst_first() {
    let doc = parse(&render(&fixtures::realistic()));
    let flags = doc
        .tables
        .iter()
        .find(|(_, rows)| rows[0] == ["Kind", "Severity", "Id", "What"])
        .expect("a red flag table");
    assert!(flags.1.len() <= 6);
    assert_eq!(flags.1[1][2], "secrets.no-credentials");
    assert_eq!(flags.1[2][2], "secrets.stripe-live-key");
}

#[test]
fn templates_from_a_folder_override_by_name() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("methodology.md.hbs"),
        "## Methodology\n\nScanned with {{md methodology.tool_name}}.\n",
    )?;
    std::fs::write(dir.path().join("notes.txt"), "ignored")?;
    let text = MarkdownRenderer::from_dir(dir.path())?.render(&fixtures::realistic())?;
    assert!(text.ends_with("## Methodology\n\nScanned with diligence.\n"));
    assert!(
        text.contains("## Executive summary"),
        "others stay embedded"
    );
    Ok(())
}

#[test]
fn strict_mode_rejects_unknown_fields() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("report.md.hbs"), "# {{md no_such_field}}\n")?;
    let result = MarkdownRenderer::from_dir(dir.path())?.render(&fixtures::realistic());
    assert!(matches!(result, Err(Error::Render(_))), "{result:?}");
    std::fs::write(dir.path().join("report.md.hbs"), "{{#if}\n")?;
    assert!(matches!(
        MarkdownRenderer::from_dir(dir.path()),
        Err(Error::Template { .. })
    ));
    Ok(())
}

/// The realistic fixture annotated: one acceptance in force, one expired,
/// a comment, an override and report metadata.
fn annotated() -> (Assessment, String, String) {
    use diligence_model::{
        Acceptance, Annotations, ControlStatus, FindingComment, ReportMeta, StatusOverride,
        Timestamp,
    };
    let mut assessment = fixtures::realistic();
    let fingerprints: Vec<String> = assessment
        .evidence
        .iter()
        .flat_map(|e| &e.findings)
        .map(|f| f.fingerprint.clone())
        .collect();
    assert!(fingerprints.len() >= 2, "the fixture has two findings");
    let (active, expired) = (fingerprints[0].clone(), fingerprints[1].clone());
    let control = assessment.controls[0].clone();
    assessment.annotations = Some(Annotations {
        meta: ReportMeta {
            client: Some("Example Capital".into()),
            prepared_by: Some("Example Advisory".into()),
            engagement: Some("Project Falcon".into()),
            logo: None,
        },
        finding_comments: vec![FindingComment {
            fingerprint: active.clone(),
            comment: "Sandbox only.".into(),
        }],
        control_comments: Vec::new(),
        acceptances: vec![
            Acceptance {
                fingerprint: active.clone(),
                reason: "No production access.".into(),
                owner: "CTO".into(),
                expires: Timestamp::from_ymd(2099, 1, 31),
                expired: false,
                matched: true,
            },
            Acceptance {
                fingerprint: expired.clone(),
                reason: "Was temporary.".into(),
                owner: "CISO".into(),
                expires: Timestamp::from_ymd(2001, 1, 31),
                expired: true,
                matched: true,
            },
        ],
        overrides: vec![StatusOverride {
            control: control.id.clone(),
            original: control.status,
            status: ControlStatus::NotApplicable,
            justification: "Out of scope for this engagement.".into(),
        }],
        baseline: None,
    });
    (assessment, active, expired)
}

#[test]
fn annotations_are_shown_beside_the_evidence() {
    let (assessment, active, expired) = annotated();
    let markdown = render(&assessment);
    let doc = parse(&markdown);
    // Metadata in the header table.
    let header = &doc.tables[0].1;
    for wanted in [
        ["Prepared for", "Example Capital"],
        ["Prepared by", "Example Advisory"],
        ["Engagement", "Project Falcon"],
    ] {
        assert!(
            header.iter().any(|row| row == &wanted),
            "header lacks {wanted:?}"
        );
    }
    assert!(
        doc.headings
            .iter()
            .any(|(level, text)| *level == HeadingLevel::H2 && text == "Consultant's annotations")
    );
    // The findings table: every finding is still listed, the active
    // acceptance is marked, the expired one counts again.
    let findings = doc
        .tables
        .iter()
        .find(|(_, rows)| rows[0].first().map(String::as_str) == Some("Severity"))
        .expect("a findings table");
    let total: usize = assessment.evidence.iter().map(|e| e.findings.len()).sum();
    assert_eq!(findings.1.len() - 1, total, "no finding is hidden");
    let consultant = findings.1[0].len() - 1;
    let accepted: Vec<&Vec<String>> = findings
        .1
        .iter()
        .filter(|row| row[consultant].starts_with("Accepted."))
        .collect();
    assert_eq!(accepted.len(), 1, "one accepted finding");
    assert!(accepted[0][consultant].contains("Accepted until 2099-01-31 (owner: CTO)"));
    assert!(accepted[0][consultant].contains("Comment: Sandbox only."));
    let again: Vec<&Vec<String>> = findings
        .1
        .iter()
        .filter(|row| row[consultant].contains("expired on 2001-01-31"))
        .collect();
    assert_eq!(again.len(), 1, "one expired acceptance");
    assert!(again[0][consultant].contains("counts again"));
    assert!(!again[0][consultant].starts_with("Accepted."));
    // Risk acceptances name both, the expired one marked.
    assert!(markdown.contains(&format!("`{active}`")));
    assert!(markdown.contains(&format!("`{expired}`")));
    assert!(markdown.contains("**Expired.** expired: the finding counts again"));
    assert!(markdown.contains("1 findings are accepted; 1 have an expired acceptance"));
    // The override: the consultant's status beside the tool's, which stays.
    let control = &assessment.controls[0];
    assert!(markdown.contains(&format!(
        "{} (consultant: Not applicable)",
        control.status.label()
    )));
    assert!(markdown.contains("Justification: Out of scope for this engagement."));
}

#[test]
fn without_annotations_nothing_is_marked() {
    let markdown = render(&fixtures::realistic());
    assert!(!markdown.contains("Consultant's annotations"));
    assert!(!markdown.contains("Accepted."));
    assert!(!markdown.contains("Prepared for"));
}

#[test]
fn low_confidence_findings_stay_out_of_the_red_flags() {
    use diligence_model::{Confidence, Finding, Location, RuleId, Severity};
    let flag_ids = |a: &Assessment| -> Vec<String> {
        let doc = parse(&render(a));
        doc.tables
            .iter()
            .find(|(_, rows)| rows[0] == ["Kind", "Severity", "Id", "What"])
            .map(|(_, rows)| rows[1..].iter().map(|r| r[2].clone()).collect())
            .unwrap_or_default()
    };
    let with = |confidence| {
        let mut a = fixtures::empty();
        let rule = RuleId::new("secrets.generic.password").unwrap();
        let finding = Finding::builder(rule, Severity::Critical, confidence)
            .message("A password assignment")
            .location(Location::line("src/config.py", 3))
            .build()
            .unwrap();
        let mut evidence = diligence_model::Evidence::new("secrets".parse().unwrap());
        evidence.findings.push(finding);
        a.evidence.push(evidence);
        a
    };
    assert!(!flag_ids(&with(Confidence::Low)).contains(&"secrets.generic.password".to_owned()));
    assert!(flag_ids(&with(Confidence::Medium)).contains(&"secrets.generic.password".to_owned()));
}

#[test]
fn live_validation_is_named_with_its_hosts_and_each_check() {
    use diligence_model::{LiveCheck, LiveStatus, LiveValidationInfo};
    let plain = render(&fixtures::realistic());
    assert!(!plain.contains("Live validation"));
    assert!(!plain.contains("Live check"));

    let mut assessment = fixtures::realistic();
    assessment.options.live_validation = Some(LiveValidationInfo {
        hosts: vec![
            "api.stripe.com".to_owned(),
            "db.example.invalid (name resolution only)".to_owned(),
        ],
        checked: 1,
        live: 1,
        timeout_seconds: 10,
        concurrency: 4,
        ..LiveValidationInfo::default()
    });
    let secrets = assessment
        .evidence
        .iter_mut()
        .find(|e| e.collector.as_str() == "secrets")
        .unwrap();
    secrets.findings[0].live = Some(LiveCheck {
        status: LiveStatus::Live,
        reason: "Stripe accepted it (HTTP 200)".to_owned(),
        host: Some("api.stripe.com".to_owned()),
    });
    let text = render(&assessment);
    let doc = parse(&text);
    let cells: Vec<&String> = doc
        .tables
        .iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .collect();
    let methodology = cells
        .iter()
        .find(|c| c.starts_with("ran (--validate"))
        .expect("a methodology row");
    assert!(
        methodology
            .contains("hosts contacted: api.stripe.com, db.example.invalid (name resolution only)")
    );
    assert!(methodology.contains("never retried, 10 s time limit, at most 4 at once"));
    assert!(
        cells
            .iter()
            .any(|c| *c == "live: Stripe accepted it (HTTP 200)")
    );
    assert!(text.contains("| Live check |"));
}

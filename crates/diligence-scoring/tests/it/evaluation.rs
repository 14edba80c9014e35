//! Evaluation on hand-built evidence.

use diligence_model::{
    Confidence, ControlResult, ControlStatus, Effort, Evidence, EvidenceRef, Fact, Finding,
    Severity, Unit, Verdict,
};
use diligence_scoring::{Framework, Scoring};

use crate::common::{HEADER, evidence, failure, finding, parse, with_fact};

const BODY: &str = r#"
[remediation]
assumptions = ["One engineer."]

[[section]]
id = "a"
title = "Section A"

[[section]]
id = "b"
title = "Section B"

[[control]]
id = "a.ratio"
section = "a"
title = "Ratio"
weight = 3
question = "Ratio?"
follow-up = "Why only partly?"
remediation = { title = "Raise the ratio", effort = [1, 2] }
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 70, partial = 30 }

[[control]]
id = "a.count"
section = "a"
title = "Count"
weight = 1
question = "Count?"
remediation = { title = "Lower the count", effort = [0.5, 1.5] }
[[control.check]]
fact = "t.count"
at-most = { pass = 2, partial = 5 }

[[control]]
id = "a.flag"
section = "a"
title = "Flag"
weight = 2
critical = true
question = "Flag?"
remediation = { title = "Set the flag", effort = [0.2, 0.4] }
[[control.check]]
fact = "t.flag"
equals = true

[[control]]
id = "a.leak"
section = "a"
title = "Leaks"
weight = 4
question = "Leaks?"
remediation = { title = "Rotate leaked keys", effort = [0.5, 1], per = "finding" }
[[control.check]]
rule = "t.leak"
min-severity = "medium"
at-most = { pass = 0, partial = 1 }

[[control]]
id = "a.manual"
section = "a"
title = "Manual"
weight = 2
question = "Is the manual thing done?"
remediation = { title = "Do it", effort = [1, 1] }

[[control]]
id = "b.applies"
section = "b"
title = "Conditional control"
weight = 5
applies-if = "t.applies"
question = "Applies?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
fact = "t.count"
at-least = { pass = 1 }

[[control]]
id = "b.list"
section = "b"
title = "List"
weight = 1
question = "List?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
fact = "t.list"
at-least = { pass = 2, partial = 1 }

[[control]]
id = "b.other"
section = "b"
title = "Other collector"
weight = 1
question = "Other?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
rule = "u.*"
"#;

fn framework() -> Framework {
    parse(&format!("{HEADER}{BODY}"))
}

fn control<'a>(scoring: &'a Scoring, id: &str) -> &'a ControlResult {
    scoring
        .controls
        .iter()
        .find(|c| c.id.as_str() == id)
        .expect("control exists")
}

/// The worked example of the tests below.
fn worked_evidence() -> Vec<Evidence> {
    let mut t = evidence("t");
    t = with_fact(t, "t.ratio", Fact::ratio(80, 100));
    t = with_fact(t, "t.count", Fact::int(4, Unit::Count));
    t = with_fact(t, "t.flag", Fact::bool(true));
    t = with_fact(t, "t.applies", Fact::bool(false));
    t = with_fact(t, "t.list", Fact::list(["x".to_owned(), "y".to_owned()]));
    t.findings = vec![
        finding("t.leak", Severity::High, Confidence::High, "a.env"),
        finding("t.leak", Severity::Medium, Confidence::Low, "b.env"),
        // Look-alikes that must not count: too mild, and another rule.
        finding("t.leak", Severity::Low, Confidence::High, "c.env"),
        finding(
            "t.leak-other",
            Severity::Critical,
            Confidence::High,
            "d.env",
        ),
    ];
    vec![t]
}

#[test]
fn statuses_follow_thresholds() {
    let scoring = framework().evaluate(&worked_evidence(), &[]);
    let status = |id| control(&scoring, id).status;
    assert_eq!(status("a.ratio"), ControlStatus::Pass);
    assert_eq!(status("a.count"), ControlStatus::Partial);
    assert_eq!(status("a.flag"), ControlStatus::Pass);
    assert_eq!(status("a.leak"), ControlStatus::Fail);
    assert_eq!(status("a.manual"), ControlStatus::NotEvidenced);
    assert_eq!(status("b.applies"), ControlStatus::NotApplicable);
    assert_eq!(status("b.list"), ControlStatus::Pass);
    assert_eq!(status("b.other"), ControlStatus::NotEvidenced);
}

#[test]
fn rationale_names_value_and_threshold() {
    let scoring = framework().evaluate(&worked_evidence(), &[]);
    assert_eq!(
        control(&scoring, "a.ratio").rationale,
        ["t.ratio is 80% (80/100): passes (pass needs at least 70%, partial at least 30%)."]
    );
    assert_eq!(
        control(&scoring, "a.count").rationale,
        ["t.count is 4: partial (pass needs at most 2, partial at most 5)."]
    );
    assert_eq!(
        control(&scoring, "a.flag").rationale,
        ["t.flag is yes: passes (pass needs yes, otherwise fail)."]
    );
    assert_eq!(
        control(&scoring, "a.leak").rationale,
        [
            "2 findings of t.leak at severity medium or above (worst: high): fails \
             (pass needs at most 0 findings, partial at most 1)."
        ]
    );
    assert_eq!(
        control(&scoring, "a.leak").evidence,
        [EvidenceRef::Findings {
            rule: "t.leak".to_owned(),
            count: 2,
            worst: Some(Severity::High),
        }]
    );
    assert_eq!(
        control(&scoring, "b.other").rationale,
        ["u.*: not evidenced — the u collector did not run."]
    );
    assert_eq!(
        control(&scoring, "b.applies").rationale,
        ["Not applicable: t.applies is no."]
    );
}

#[test]
fn worked_example_scores_are_exact() {
    let scoring = framework().evaluate(&worked_evidence(), &[]);
    // Section A: ratio 100×3 + count 50×1 + flag 100×2 + leak 0×4 = 550 over
    // weight 10 → 55; manual (2) is not evidenced: coverage 10/12 = 83%.
    let a = &scoring.scores.sections[0];
    assert_eq!((a.score, a.coverage), (Some(55), 83));
    assert_eq!(
        (
            a.counts.pass,
            a.counts.partial,
            a.counts.fail,
            a.counts.not_evidenced
        ),
        (2, 1, 1, 1)
    );
    // Section B: list 100×1; applies is not applicable and leaves the
    // denominator; other (1) is not evidenced: coverage 1/2 = 50%.
    let b = &scoring.scores.sections[1];
    assert_eq!((b.score, b.coverage), (Some(100), 50));
    assert_eq!(b.counts.not_applicable, 1);
    // Overall: 650 / 11 = 59.09 → 59; coverage 11/14 = 78.6% → 78 (down).
    assert_eq!(scoring.scores.overall, Some(59));
    assert_eq!(scoring.scores.coverage, 78);
    assert_eq!(scoring.gate.verdict, Verdict::Conditional);
    assert_eq!(scoring.gate.reasons, ["overall score 59 is below 80"]);
}

#[test]
fn scores_round_half_up() {
    // Pass ×1 and partial ×3: (100 + 150) / 4 = 62.5 → 63.
    let text = format!(
        "{HEADER}{}",
        r#"
[[section]]
id = "a"
title = "A"

[[control]]
id = "a.one"
section = "a"
title = "One"
weight = 1
question = "Q?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
fact = "t.count"
at-least = { pass = 1 }

[[control]]
id = "a.two"
section = "a"
title = "Two"
weight = 3
question = "Q?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 90, partial = 10 }
"#
    );
    let t = with_fact(evidence("t"), "t.count", Fact::int(1, Unit::Count));
    let t = with_fact(t, "t.ratio", Fact::ratio(1, 2));
    let scoring = parse(&text).evaluate(&[t], &[]);
    assert_eq!(scoring.scores.overall, Some(63));
    assert_eq!(scoring.scores.sections[0].score, Some(63));
    assert_eq!(scoring.scores.coverage, 100);
}

#[test]
fn critical_failure_means_prototype_whatever_the_average() {
    let mut evidence = worked_evidence();
    evidence[0] = with_fact(evidence[0].clone(), "t.flag", Fact::bool(false));
    evidence[0].findings.clear();
    evidence[0] = with_fact(evidence[0].clone(), "t.count", Fact::int(0, Unit::Count));
    let scoring = framework().evaluate(&evidence, &[]);
    assert_eq!(control(&scoring, "a.flag").status, ControlStatus::Fail);
    // Everything else evidenced passes: (300 + 100 + 0 + 400 + 100) / 11 = 81.8 → 82.
    assert_eq!(scoring.scores.overall, Some(82));
    assert_eq!(scoring.gate.verdict, Verdict::Prototype);
    assert_eq!(
        scoring.gate.reasons,
        ["critical control a.flag failed: Flag"]
    );
}

#[test]
fn low_coverage_keeps_the_verdict_conditional() {
    // Only the list and the leak rule (no findings) are evidenced: a perfect
    // score on 5 of 19 applicable weight (b.applies now applies).
    let t = with_fact(
        evidence("t"),
        "t.list",
        Fact::list(["x".to_owned(), "y".to_owned()]),
    );
    let scoring = framework().evaluate(&[t], &[]);
    assert_eq!(scoring.scores.overall, Some(100));
    assert_eq!(scoring.scores.coverage, 26);
    assert_eq!(scoring.gate.verdict, Verdict::Conditional);
    assert_eq!(scoring.gate.reasons, ["evidence coverage 26% is below 70%"]);
}

#[test]
fn everything_met_is_production_ready() {
    let mut evidence = worked_evidence();
    evidence[0].findings.clear();
    evidence[0] = with_fact(evidence[0].clone(), "t.count", Fact::int(1, Unit::Count));
    let scoring = framework().evaluate(&evidence, &[]);
    assert_eq!(scoring.scores.overall, Some(100));
    assert_eq!(scoring.scores.coverage, 78);
    assert_eq!(scoring.gate.verdict, Verdict::ProductionReady);
    assert!(scoring.gate.reasons.is_empty());
    assert!(scoring.remediation.items.is_empty());
    assert_eq!(scoring.remediation.total, Effort::default());
}

#[test]
fn a_failed_collector_leaves_its_controls_not_evidenced() {
    let scoring = framework().evaluate(&[], &[failure("t", "could not read the repository")]);
    let ratio = control(&scoring, "a.ratio");
    assert_eq!(ratio.status, ControlStatus::NotEvidenced);
    assert_eq!(
        ratio.rationale,
        ["t.ratio: not evidenced — collector failed: could not read the repository."]
    );
    assert_eq!(ratio.question.as_deref(), Some("Ratio?"));
    assert!(
        matches!(&ratio.evidence[..], [EvidenceRef::Failure { collector }] if collector.as_str() == "t")
    );
    // Not applicable needs evidence that it does not apply.
    assert_eq!(
        control(&scoring, "b.applies").status,
        ControlStatus::NotEvidenced
    );
    assert_eq!(scoring.scores.overall, None);
    assert_eq!(scoring.gate.verdict, Verdict::Conditional);
    let question = scoring
        .questions
        .iter()
        .find(|q| q.control.as_str() == "a.ratio")
        .expect("question asked");
    assert_eq!(
        question.reason,
        "not evidenced: t.ratio: not evidenced — collector failed: could not read the repository"
    );
}

#[test]
fn a_ratio_without_data_is_not_evidenced() {
    let t = with_fact(evidence("t"), "t.ratio", Fact::ratio(0, 0));
    let scoring = framework().evaluate(&[t], &[]);
    let ratio = control(&scoring, "a.ratio");
    assert_eq!(ratio.status, ControlStatus::NotEvidenced);
    assert!(ratio.rationale[0].contains("no data"));
    // A missing fact and a mistyped one are not evidenced either.
    assert_eq!(
        control(&scoring, "a.count").status,
        ControlStatus::NotEvidenced
    );
    let t = with_fact(evidence("t"), "t.count", Fact::text("four"));
    let scoring = framework().evaluate(&[t], &[]);
    let count = control(&scoring, "a.count");
    assert_eq!(count.status, ControlStatus::NotEvidenced);
    assert!(
        count.rationale[0].contains("not of the type"),
        "{:?}",
        count.rationale
    );
}

#[test]
fn partial_evidence_is_flagged_and_explained() {
    let mut t = with_fact(evidence("t"), "t.ratio", Fact::ratio(1, 2));
    t.partial = Some("the clone is shallow".to_owned());
    let scoring = framework().evaluate(&[t], &[]);
    let ratio = control(&scoring, "a.ratio");
    assert_eq!(ratio.status, ControlStatus::Partial);
    assert!(ratio.partial_evidence);
    assert!(ratio.rationale[0].ends_with(" Evidence is partial: the clone is shallow."));
    assert!(!control(&scoring, "a.manual").partial_evidence);
}

#[test]
fn heuristic_facts_say_so() {
    let t = with_fact(
        evidence("t"),
        "t.ratio",
        Fact::ratio(9, 10).heuristic(Confidence::Medium),
    );
    let scoring = framework().evaluate(&[t], &[]);
    assert!(control(&scoring, "a.ratio").rationale[0].contains("heuristic of medium confidence"));
}

#[test]
fn worst_evidenced_check_decides_and_unevidenced_checks_do_not() {
    let text = format!(
        "{HEADER}{}",
        r#"
[[section]]
id = "a"
title = "A"

[[control]]
id = "a.mixed"
section = "a"
title = "Mixed"
weight = 1
question = "Q?"
remediation = { title = "Fix", effort = [1, 1] }
[[control.check]]
fact = "t.count"
at-least = { pass = 1 }
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 90, partial = 10 }
[[control.check]]
rule = "u.thing"
"#
    );
    let framework = parse(&text);
    let pass = with_fact(evidence("t"), "t.count", Fact::int(3, Unit::Count));
    let scoring = framework.evaluate(std::slice::from_ref(&pass), &[]);
    assert_eq!(scoring.controls[0].status, ControlStatus::Pass);
    assert_eq!(scoring.controls[0].rationale.len(), 3);
    let partial = with_fact(pass, "t.ratio", Fact::ratio(1, 2));
    let scoring = framework.evaluate(&[partial.clone(), evidence("u")], &[]);
    assert_eq!(scoring.controls[0].status, ControlStatus::Partial);
    let mut u = evidence("u");
    u.findings
        .push(finding("u.thing", Severity::Info, Confidence::Low, "x"));
    let scoring = framework.evaluate(&[partial, u], &[]);
    assert_eq!(scoring.controls[0].status, ControlStatus::Fail);
}

#[test]
fn remediation_plan_orders_and_sums() {
    let mut evidence = worked_evidence();
    evidence[0] = with_fact(evidence[0].clone(), "t.flag", Fact::bool(false));
    evidence[0] = with_fact(evidence[0].clone(), "t.ratio", Fact::ratio(1, 2));
    let scoring = framework().evaluate(&evidence, &[]);
    let plan = &scoring.remediation;
    let order: Vec<(&str, u32, Effort)> = plan
        .items
        .iter()
        .map(|i| (i.control.as_str(), i.findings, i.effort))
        .collect();
    assert_eq!(
        order,
        [
            // Critical first; then failures before partials; then by id.
            ("a.flag", 0, Effort::new(2, 4).expect("range")),
            ("a.leak", 2, Effort::new(10, 20).expect("range")), // 2 × 0.5–1
            ("a.count", 0, Effort::new(5, 15).expect("range")),
            ("a.ratio", 0, Effort::new(10, 20).expect("range")),
        ]
    );
    assert_eq!(plan.items[1].title, "Rotate leaked keys");
    assert_eq!(plan.total, Effort::new(27, 59).expect("range"));
    assert_eq!(plan.assumptions, ["One engineer."]);
    let leak = control(&scoring, "a.leak");
    assert_eq!(leak.effort, Some(Effort::new(10, 20).expect("range")));
    assert_eq!(leak.remediation.as_deref(), Some("Rotate leaked keys"));
    assert_eq!(control(&scoring, "b.list").effort, None);
}

#[test]
fn questions_cover_gaps_and_partial_follow_ups() {
    let mut evidence = worked_evidence();
    evidence[0] = with_fact(evidence[0].clone(), "t.ratio", Fact::ratio(1, 2));
    let scoring = framework().evaluate(&evidence, &[]);
    let questions: Vec<(&str, &str, &str)> = scoring
        .questions
        .iter()
        .map(|q| (q.control.as_str(), q.text.as_str(), q.reason.as_str()))
        .collect();
    assert_eq!(
        questions,
        [
            ("a.ratio", "Why only partly?", "partly met"),
            (
                "a.manual",
                "Is the manual thing done?",
                "not evidenced: no automated check covers this control"
            ),
            (
                "b.other",
                "Other?",
                "not evidenced: u.*: not evidenced — the u collector did not run"
            ),
        ]
    );
    // a.count is partial too, but has no follow-up question.
    assert_eq!(control(&scoring, "a.count").status, ControlStatus::Partial);
    assert_eq!(control(&scoring, "a.count").question, None);
}

#[test]
fn unevidenced_critical_controls_block_when_the_policy_says_so() {
    let text = format!("{HEADER}{BODY}").replace(
        "min-coverage = 70",
        "min-coverage = 0\ncritical-must-be-evidenced = true",
    );
    let mut t = evidence("t");
    t = with_fact(t, "t.ratio", Fact::ratio(1, 1));
    let scoring = parse(&text).evaluate(&[t], &[]);
    assert_eq!(scoring.gate.verdict, Verdict::Conditional);
    assert_eq!(
        scoring.gate.reasons,
        ["critical control a.flag is not evidenced: Flag"]
    );
}

#[test]
fn evaluation_is_deterministic() {
    let framework = framework();
    let a = framework.evaluate(&worked_evidence(), &[]);
    let b = framework.evaluate(&worked_evidence(), &[]);
    assert_eq!(a, b);
}

const CONTEXTS: &str = r#"
[[section]]
id = "s"
title = "S"

[[control]]
id = "s.keys"
section = "s"
title = "Keys"
weight = 5
critical = true
question = "Keys?"
remediation = { title = "Rotate", effort = [0.5, 1] }
[[control.check]]
rule = "t.*"
min-confidence = "medium"
contexts = ["production"]
"#;

#[test]
fn only_listed_contexts_fail_a_check() {
    let framework = parse(&format!("{HEADER}{CONTEXTS}"));
    let run = |paths: &[&str]| {
        let mut ev = evidence("t");
        for path in paths {
            ev.findings.push(finding(
                "t.leak",
                Severity::Critical,
                Confidence::High,
                path,
            ));
        }
        ev.normalise();
        framework.evaluate(&[ev], &[])
    };
    // A placeholder credential in a generator template, a test fixture and
    // vendored code: listed, not counted, and the gate is not failed.
    let outside = run(&[
        "{{cookiecutter.project_slug}}/.env",
        "tests/fixtures/key.pem",
        "node_modules/pkg/config.js",
    ]);
    let c = &outside.controls[0];
    let rationale = c.rationale.join(" ");
    assert_eq!(c.status, ControlStatus::Pass, "{rationale}");
    assert!(
        rationale.contains("Listed but not counted here")
            && rationale.contains("1 in generator templates")
            && rationale.contains("1 in tests and fixtures")
            && rationale.contains("1 in vendored third-party code"),
        "{rationale}"
    );
    assert_ne!(outside.gate.verdict, Verdict::Prototype);
    assert!(c.findings.is_empty(), "nothing counted is behind it");
    // The same finding in production code fails the critical control.
    let inside = run(&["config/settings.py", "tests/fixtures/key.pem"]);
    assert_eq!(inside.controls[0].status, ControlStatus::Fail);
    // Only the production finding is behind the failure.
    assert_eq!(inside.controls[0].findings.len(), 1);
    assert_eq!(inside.gate.verdict, Verdict::Prototype);
    // A low-confidence production finding is below the check's filter.
    let mut ev = evidence("t");
    ev.findings.push(finding(
        "t.leak",
        Severity::Critical,
        Confidence::Low,
        "config/settings.py",
    ));
    ev.normalise();
    assert_eq!(
        framework.evaluate(&[ev], &[]).controls[0].status,
        ControlStatus::Pass
    );
}

#[test]
fn contexts_are_validated_and_missing_ones_warned_on_critical_rule_checks() {
    let bad = format!(
        "{HEADER}{}",
        CONTEXTS.replace("[\"production\"]", "[\"prod\"]")
    );
    let err = Framework::parse(&bad, "test.toml", &crate::common::test_catalog())
        .expect_err("unknown context");
    assert!(err.to_string().contains("unknown context `prod`"), "{err}");
    let missing = format!(
        "{HEADER}{}",
        CONTEXTS.replace("contexts = [\"production\"]\n", "")
    );
    let framework = parse(&missing);
    assert_eq!(framework.warnings().len(), 1);
    assert!(
        framework.warnings()[0]
            .message
            .contains("has no `contexts`")
    );
    assert!(parse(&format!("{HEADER}{CONTEXTS}")).warnings().is_empty());
}

const PLAN: &str = r#"
[[section]]
id = "s"
title = "S"

[[control]]
id = "s.upgrades"
section = "s"
title = "Upgrades"
weight = 3
question = "Generic upgrades question?"
[control.remediation]
title = "Upgrade within the major version"
effort = [0.1, 0.5]
per = "finding"
fixes = "t.leak"
fixes-severity = ["high", "medium"]
group-by = "location"
split = { above-days = 1, title = "Upgrade across a major version" }
[[control.check]]
fact = "t.count"
at-most = { pass = 0, partial = 3 }
[[control.ask]]
when = ["fail", "partial"]
if-fact = "t.list"
text = "Packages in {files} ({count} advisories) need upgrades; who owns {fact:t.list}?"
[[control.ask]]
when = ["fail", "partial"]
text = "Who upgrades {files}?"

[[control]]
id = "s.people"
section = "s"
title = "People"
weight = 1
question = "Generic people question?"
remediation = { title = "Spread knowledge", effort = [5, 15] }
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 70, partial = 30 }
[[control.ask]]
when = ["fail"]
unless-fact = "t.flag"
text = "Nobody else knows it: who is {fact:t.text}?"
"#;

fn advisory(path: &str, line: u32, severity: Severity, effort: Option<(u32, u32)>) -> Finding {
    let mut b = Finding::builder(
        diligence_model::RuleId::new("t.leak").expect("id"),
        severity,
        Confidence::High,
    )
    .message(format!("advisory at {path}:{line} {severity}"))
    .location(diligence_model::Location::line(path, line));
    if let Some((low, high)) = effort {
        b = b.effort(Effort::new(low, high).expect("effort"));
    }
    b.build().expect("finding")
}

#[test]
fn work_items_count_units_from_the_findings_they_fix() {
    let framework = parse(&format!("{HEADER}{PLAN}"));
    let mut ev = evidence("t");
    // Two advisories of one package (one upgrade), one needing a major
    // upgrade, one critical (another control's), one in a test fixture.
    ev.findings
        .push(advisory("Cargo.lock", 10, Severity::High, Some((1, 5))));
    ev.findings
        .push(advisory("Cargo.lock", 10, Severity::Medium, Some((1, 5))));
    ev.findings
        .push(advisory("Cargo.lock", 42, Severity::High, Some((10, 50))));
    ev.findings
        .push(advisory("Cargo.lock", 77, Severity::Critical, Some((1, 5))));
    ev.findings.push(advisory(
        "tests/fixtures/Cargo.lock",
        3,
        Severity::High,
        Some((1, 5)),
    ));
    ev.normalise();
    let ev = with_fact(ev, "t.count", Fact::count(4, Unit::Count));
    let ev = with_fact(ev, "t.ratio", Fact::ratio(9, 10));
    let scoring = framework.evaluate(&[ev], &[]);
    let items = &scoring.remediation.items;
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(items[0].title, "Upgrade within the major version");
    assert_eq!((items[0].units, items[0].findings), (1, 2));
    assert_eq!(items[0].effort, Effort::new(1, 5).expect("effort"));
    assert_eq!(items[0].locations, vec!["Cargo.lock:10"]);
    assert_eq!(items[1].title, "Upgrade across a major version");
    assert_eq!((items[1].units, items[1].findings), (1, 1));
    assert_eq!(items[1].effort, Effort::new(10, 50).expect("effort"));
    assert_eq!(
        scoring.remediation.total,
        Effort::new(11, 55).expect("effort")
    );
    let control = scoring
        .controls
        .iter()
        .find(|c| c.id.as_str() == "s.upgrades")
        .expect("control");
    assert_eq!(control.effort, Some(Effort::new(11, 55).expect("effort")));
    // A passing control has no row.
    assert!(items.iter().all(|i| i.control.as_str() != "s.people"));

    // Failed on its fact with nothing behind it to fix: no row priced at
    // "0 findings"; the question covers it.
    let bare = with_fact(evidence("t"), "t.count", Fact::count(4, Unit::Count));
    let bare = with_fact(bare, "t.ratio", Fact::ratio(9, 10));
    let scoring = framework.evaluate(&[bare], &[]);
    assert!(
        scoring.remediation.items.is_empty(),
        "{:#?}",
        scoring.remediation.items
    );
    assert_eq!(scoring.controls[0].status, ControlStatus::Fail);
    assert_eq!(scoring.controls[0].effort, None);
}

#[test]
fn questions_are_tailored_to_the_evidence_and_skipped_when_they_cannot_be() {
    let framework = parse(&format!("{HEADER}{PLAN}"));
    let mut ev = evidence("t");
    ev.findings
        .push(advisory("web/package-lock.json", 5, Severity::High, None));
    ev.findings
        .push(advisory("api/Cargo.lock", 8, Severity::Medium, None));
    ev.normalise();
    let base = with_fact(ev, "t.count", Fact::count(2, Unit::Count));
    let base = with_fact(base, "t.ratio", Fact::ratio(1, 10));
    let with_list = with_fact(
        base.clone(),
        "t.list",
        Fact::list(["Dana".to_owned(), "Sam".to_owned()]),
    );
    let with_name = with_fact(with_list.clone(), "t.text", Fact::text("Dana Reyes"));
    let scoring = framework.evaluate(&[with_name], &[]);
    let upgrades = scoring
        .questions
        .iter()
        .find(|q| q.control.as_str() == "s.upgrades")
        .expect("asked");
    assert_eq!(
        upgrades.text,
        "Packages in api/Cargo.lock and web/package-lock.json (2 advisories) need upgrades; who owns Dana and Sam?"
    );
    assert_eq!(
        upgrades.evidence,
        vec!["api/Cargo.lock", "web/package-lock.json", "fact t.list"]
    );
    let people = scoring
        .questions
        .iter()
        .find(|q| q.control.as_str() == "s.people")
        .expect("asked");
    assert_eq!(people.text, "Nobody else knows it: who is Dana Reyes?");
    assert_eq!(people.reason, "failed");
    assert_eq!(people.evidence, vec!["fact t.text"]);

    // Without the list fact, the next tailored question applies; without
    // a name to put in it, the failed control asks nothing generic.
    let scoring = framework.evaluate(std::slice::from_ref(&base), &[]);
    let texts: Vec<&str> = scoring.questions.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(
        texts,
        vec!["Who upgrades api/Cargo.lock and web/package-lock.json?"]
    );
    // `unless-fact` holds the question back.
    let flagged = with_fact(
        with_fact(base, "t.text", Fact::text("Dana Reyes")),
        "t.flag",
        Fact::bool(true),
    );
    let scoring = framework.evaluate(&[flagged], &[]);
    assert!(
        scoring
            .questions
            .iter()
            .all(|q| q.control.as_str() != "s.people")
    );
}

#[test]
fn question_templates_are_validated() {
    for (bad, message) in [
        ("{paths}", "unknown placeholder `{paths}`"),
        ("{fact:t.nowhere}", "unknown fact `t.nowhere`"),
        ("{files", "unclosed `{`"),
    ] {
        let text = format!(
            "{HEADER}{}",
            PLAN.replace("Who upgrades {files}?", &format!("Who upgrades {bad}?"))
        );
        let err = Framework::parse(&text, "test.toml", &crate::common::test_catalog())
            .expect_err("invalid template");
        assert!(err.to_string().contains(message), "{err}");
    }
    let text = format!(
        "{HEADER}{}",
        PLAN.replace("when = [\"fail\"]", "when = [\"failed\"]")
    );
    assert!(Framework::parse(&text, "test.toml", &crate::common::test_catalog()).is_err());
}

#[test]
fn qualifiers_never_evidence_a_control_alone() {
    let text = format!(
        "{HEADER}{}",
        r#"
[[section]]
id = "s"
title = "S"

[[control]]
id = "s.advisories"
section = "s"
title = "Advisories"
weight = 2
question = "Which database is checked?"
remediation = { title = "Upgrade", effort = [0.1, 0.5] }
[[control.check]]
fact = "t.count"
at-most = { pass = 0, partial = 3 }
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 90, partial = 0 }
qualifier = true
"#
    );
    let framework = parse(&text);
    // Only the qualifier (coverage) is evidenced: not a pass.
    let coverage_only = with_fact(evidence("t"), "t.ratio", Fact::ratio(3, 3));
    let scoring = framework.evaluate(&[coverage_only], &[]);
    assert_eq!(scoring.controls[0].status, ControlStatus::NotEvidenced);
    assert_eq!(
        scoring.questions[0].text, "Which database is checked?",
        "the control's question is asked"
    );
    // The primary check evidences it; the qualifier lowers it.
    let both = with_fact(evidence("t"), "t.ratio", Fact::ratio(1, 2));
    let both = with_fact(both, "t.count", Fact::count(0, Unit::Count));
    let scoring = framework.evaluate(&[both], &[]);
    assert_eq!(scoring.controls[0].status, ControlStatus::Partial);
}

#[test]
fn if_fact_keeps_a_check_not_evidenced_until_the_fact_says_something() {
    let body = r#"
[remediation]
assumptions = ["One engineer."]

[[section]]
id = "a"
title = "Section A"

[[control]]
id = "a.guarded"
section = "a"
title = "Guarded"
weight = 1
question = "Asked when not evidenced."
[control.remediation]
title = "Fix"
effort = [1, 2]
[[control.check]]
rule = "t.leak"
if-fact = "t.count"
"#;
    let framework = parse(&format!("{HEADER}{body}"));
    let status = |t: Evidence| {
        let scoring = framework.evaluate(&[t], &[]);
        let c = control(&scoring, "a.guarded");
        (c.status, c.rationale.join(" "))
    };
    // Without the fact, or at zero, no finding is not a pass.
    let (s, why) = status(evidence("t"));
    assert_eq!(s, ControlStatus::NotEvidenced);
    assert!(why.contains("nothing to judge (t.count is zero"), "{why}");
    let (s, _) = status(with_fact(
        evidence("t"),
        "t.count",
        Fact::int(0, Unit::Count),
    ));
    assert_eq!(s, ControlStatus::NotEvidenced);
    // With it, the rule check counts as usual.
    let t = with_fact(evidence("t"), "t.count", Fact::int(2, Unit::Count));
    assert_eq!(status(t.clone()).0, ControlStatus::Pass);
    let mut leaked = t;
    leaked.findings.push(finding(
        "t.leak",
        Severity::High,
        Confidence::High,
        "src/a.rs",
    ));
    assert_eq!(status(leaked).0, ControlStatus::Fail);
    // An unknown fact is a framework error.
    let bad = format!("{HEADER}{}", body.replace("t.count", "t.nope"));
    assert!(Framework::parse(&bad, "test.toml", &crate::common::test_catalog()).is_err());
}

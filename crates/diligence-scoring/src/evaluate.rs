//! Evidence → control results → scores, gate, remediation plan, questions.
//!
//! All arithmetic is on integers: points are 0, 50 or 100, weights are whole
//! numbers, and the only division rounds explicitly (half up for scores,
//! down for coverage, so coverage can never be flattered into a threshold).

use diligence_model::{
    CollectorFailure, ControlResult, ControlStatus, Effort, Evidence, EvidenceRef, FactValue,
    FailureKind, FileClass, Finding, Gate, Question, RemediationPlan, Scores, SectionScore,
    Severity, StatusCounts, Verdict, WorkItem, rule_matches,
};

use crate::framework::{Check, Control, EffortBasis, Framework, GroupBy, Subject, Threshold};

/// The result of scoring evidence against a framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scoring {
    /// One result per control, in framework order.
    pub controls: Vec<ControlResult>,
    /// Overall and per-section scores with coverage.
    pub scores: Scores,
    /// The verdict and its reasons.
    pub gate: Gate,
    /// Work items for failed and partial controls.
    pub remediation: RemediationPlan,
    /// Questions for management, in framework order.
    pub questions: Vec<Question>,
}

/// What one check concluded.
struct Outcome<'a> {
    /// `None` when not evidenced.
    status: Option<ControlStatus>,
    rationale: String,
    evidence: Option<EvidenceRef>,
    partial_evidence: bool,
    /// The findings a rule check counted.
    matched: Vec<&'a Finding>,
}

/// The evidence of a collector, if it ran.
fn evidence_of<'a>(collector: &str, evidence: &'a [Evidence]) -> Option<&'a Evidence> {
    evidence.iter().find(|e| e.collector.as_str() == collector)
}

fn not_evidenced<'a>(subject: &str, why: String, evidence: Option<EvidenceRef>) -> Outcome<'a> {
    Outcome {
        status: None,
        rationale: format!("{subject}: not evidenced — {why}."),
        evidence,
        partial_evidence: false,
        matched: Vec::new(),
    }
}

fn missing_source<'a>(
    subject: &str,
    collector: &str,
    failures: &[CollectorFailure],
) -> Outcome<'a> {
    match failures.iter().find(|f| f.collector.as_str() == collector) {
        Some(failure) => {
            let kind = match failure.kind {
                FailureKind::Failed => "failed",
                FailureKind::Unavailable => "unavailable",
            };
            not_evidenced(
                subject,
                format!(
                    "collector {kind}: {}",
                    failure.message.trim_end_matches('.')
                ),
                Some(EvidenceRef::Failure {
                    collector: failure.collector.clone(),
                }),
            )
        }
        None => not_evidenced(
            subject,
            format!("the {collector} collector did not run"),
            None,
        ),
    }
}

/// The thresholds of a check, phrased for a rationale.
fn describe(threshold: Threshold, noun: &str) -> String {
    let (cmp, pass, partial, unit) = match threshold {
        Threshold::AtLeast { pass, partial } => ("at least", pass, partial, ""),
        Threshold::AtMost { pass, partial } => ("at most", pass, partial, ""),
        Threshold::AtLeastPercent { pass, partial } => {
            ("at least", i64::from(pass), partial.map(i64::from), "%")
        }
        Threshold::AtMostPercent { pass, partial } => {
            ("at most", i64::from(pass), partial.map(i64::from), "%")
        }
        Threshold::Equals { value, otherwise } => {
            let value = if value { "yes" } else { "no" };
            return format!(
                "pass needs {value}, otherwise {}",
                otherwise.label().to_lowercase()
            );
        }
    };
    match partial {
        Some(partial) => {
            format!("pass needs {cmp} {pass}{unit}{noun}, partial {cmp} {partial}{unit}")
        }
        None => format!("pass needs {cmp} {pass}{unit}{noun}"),
    }
}

fn verdict_word(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Pass => "passes",
        ControlStatus::Partial => "partial",
        _ => "fails",
    }
}

/// Grades `value` against a pass and optional partial threshold.
fn grade(value: i64, pass: i64, partial: Option<i64>, higher_is_better: bool) -> ControlStatus {
    let meets = |t: i64| {
        if higher_is_better {
            value >= t
        } else {
            value <= t
        }
    };
    if meets(pass) {
        ControlStatus::Pass
    } else if partial.is_some_and(meets) {
        ControlStatus::Partial
    } else {
        ControlStatus::Fail
    }
}

fn partial_note(evidence: &Evidence) -> String {
    evidence
        .partial
        .as_deref()
        .map(|why| format!(" Evidence is partial: {}.", why.trim_end_matches('.')))
        .unwrap_or_default()
}

fn check_fact<'a>(
    check: &Check,
    name: &diligence_model::FactName,
    evidence: &[Evidence],
    failures: &[CollectorFailure],
) -> Outcome<'a> {
    let subject = name.as_str();
    let Some(ev) = evidence_of(name.prefix(), evidence) else {
        return missing_source(subject, name.prefix(), failures);
    };
    let Some(fact) = ev.facts.get(name) else {
        return not_evidenced(subject, "the fact was not recorded".to_owned(), None);
    };
    let shown = fact.value.to_string();
    let reference = Some(EvidenceRef::Fact {
        name: name.clone(),
        value: shown.clone(),
    });
    let (value, higher_is_better, pass, partial) = match (check.threshold, &fact.value) {
        (Threshold::AtLeastPercent { pass, partial }, FactValue::Ratio { .. })
        | (Threshold::AtMostPercent { pass, partial }, FactValue::Ratio { .. }) => {
            let Some(percent) = fact.value.percent() else {
                return not_evidenced(
                    subject,
                    "no data (the ratio has no denominator)".to_owned(),
                    reference,
                );
            };
            (
                i64::try_from(percent).unwrap_or(i64::MAX),
                matches!(check.threshold, Threshold::AtLeastPercent { .. }),
                i64::from(pass),
                partial.map(i64::from),
            )
        }
        (Threshold::AtLeast { pass, partial }, FactValue::Int { value, .. })
        | (Threshold::AtMost { pass, partial }, FactValue::Int { value, .. }) => (
            *value,
            matches!(check.threshold, Threshold::AtLeast { .. }),
            pass,
            partial,
        ),
        (Threshold::AtLeast { pass, partial }, FactValue::List { values })
        | (Threshold::AtMost { pass, partial }, FactValue::List { values }) => (
            i64::try_from(values.len()).unwrap_or(i64::MAX),
            matches!(check.threshold, Threshold::AtLeast { .. }),
            pass,
            partial,
        ),
        (Threshold::Equals { value, otherwise }, FactValue::Bool { value: actual }) => {
            let status = if *actual == value {
                ControlStatus::Pass
            } else {
                otherwise
            };
            return Outcome {
                status: Some(status),
                rationale: format!(
                    "{subject} is {shown}: {} ({}).{}{}",
                    verdict_word(status),
                    describe(check.threshold, ""),
                    heuristic_note(fact),
                    partial_note(ev),
                ),
                evidence: reference,
                partial_evidence: ev.partial.is_some(),
                matched: Vec::new(),
            };
        }
        _ => {
            return not_evidenced(
                subject,
                format!("its value ({shown}) is not of the type this check compares"),
                reference,
            );
        }
    };
    let status = grade(value, pass, partial, higher_is_better);
    Outcome {
        status: Some(status),
        rationale: format!(
            "{subject} is {shown}: {} ({}).{}{}",
            verdict_word(status),
            describe(check.threshold, ""),
            heuristic_note(fact),
            partial_note(ev),
        ),
        evidence: reference,
        partial_evidence: ev.partial.is_some(),
        matched: Vec::new(),
    }
}

fn heuristic_note(fact: &diligence_model::Fact) -> String {
    fact.heuristic
        .map(|c| format!(" The value is a heuristic of {c} confidence."))
        .unwrap_or_default()
}

/// Which findings a rule check counts.
struct RuleFilter<'a> {
    pattern: &'a str,
    min_severity: Severity,
    min_confidence: diligence_model::Confidence,
    contexts: Option<&'a std::collections::BTreeSet<diligence_model::FileClass>>,
}

/// The findings a rule check counts, and by class those it leaves out for
/// their context.
fn rule_matches_of<'a>(
    filter: &RuleFilter<'_>,
    evidence: &'a [Evidence],
) -> (
    Vec<&'a Finding>,
    std::collections::BTreeMap<diligence_model::FileClass, usize>,
) {
    let mut elsewhere = std::collections::BTreeMap::new();
    let matched = evidence
        .iter()
        .flat_map(|e| e.findings.iter())
        .filter(|f| {
            rule_matches(filter.pattern, &f.rule)
                && f.severity >= filter.min_severity
                && f.confidence >= filter.min_confidence
        })
        .filter(|f| match filter.contexts {
            // Findings outside the listed contexts are named, never counted.
            Some(classes) if !classes.contains(&f.class()) => {
                *elsewhere.entry(f.class()).or_default() += 1;
                false
            }
            _ => true,
        })
        .collect();
    (matched, elsewhere)
}

fn check_rule<'a>(
    check: &Check,
    filter_by: &RuleFilter<'_>,
    evidence: &'a [Evidence],
    failures: &[CollectorFailure],
) -> Outcome<'a> {
    let RuleFilter {
        pattern,
        min_severity,
        min_confidence,
        contexts,
    } = *filter_by;
    let collector = check.subject.collector();
    let Some(ev) = evidence_of(collector, evidence) else {
        return missing_source(pattern, collector, failures);
    };
    let (matched, elsewhere) = rule_matches_of(filter_by, evidence);
    let count = u32::try_from(matched.len()).unwrap_or(u32::MAX);
    let worst = matched.iter().map(|f| f.severity).max();
    let (pass, partial) = match check.threshold {
        Threshold::AtMost { pass, partial } => (pass, partial),
        // NOTE: validation gives rule checks only `at-most`.
        _ => (0, None),
    };
    let status = grade(i64::from(count), pass, partial, false);
    let filter = match (min_severity, min_confidence) {
        (Severity::Info, diligence_model::Confidence::Low) => String::new(),
        (s, diligence_model::Confidence::Low) => format!(" at severity {s} or above"),
        (Severity::Info, c) => format!(" at {c} confidence or above"),
        (s, c) => format!(" at severity {s} or above and {c} confidence or above"),
    };
    let found = match (count, worst) {
        (0, _) | (_, None) => format!("no findings of {pattern}{filter}"),
        (1, Some(w)) => format!("1 finding of {pattern}{filter} ({w})"),
        (n, Some(w)) => format!("{n} findings of {pattern}{filter} (worst: {w})"),
    };
    let in_context = match contexts {
        Some(classes) => format!(
            " in {}",
            classes
                .iter()
                .map(|c| c.describe())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        None => String::new(),
    };
    let not_counted = if elsewhere.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = elsewhere
            .iter()
            .map(|(class, n)| format!("{n} in {}", class.describe()))
            .collect();
        format!(
            " Listed but not counted here: {} (a reviewer who judges one to matter can override the status).",
            parts.join(", ")
        )
    };
    let rationale = format!(
        "{}{in_context}: {} ({}).{}{not_counted}",
        capitalise(&found),
        verdict_word(status),
        describe(check.threshold, " findings"),
        partial_note(ev),
    );
    Outcome {
        status: Some(status),
        rationale,
        evidence: Some(EvidenceRef::Findings {
            rule: pattern.to_owned(),
            count,
            worst,
        }),
        partial_evidence: ev.partial.is_some(),
        matched,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn run_check<'a>(
    check: &Check,
    evidence: &'a [Evidence],
    failures: &[CollectorFailure],
) -> Outcome<'a> {
    if let Some(gate) = &check.if_fact
        && !truthy(evidence, gate)
    {
        let subject = match &check.subject {
            Subject::Fact(name) => name.as_str(),
            Subject::Rule { pattern, .. } => pattern.as_str(),
        };
        if evidence_of(gate.prefix(), evidence).is_none() {
            return missing_source(subject, gate.prefix(), failures);
        }
        return not_evidenced(
            subject,
            format!("nothing to judge ({gate} is zero or not recorded)"),
            None,
        );
    }
    match &check.subject {
        Subject::Fact(name) => check_fact(check, name, evidence, failures),
        Subject::Rule {
            pattern,
            min_severity,
            min_confidence,
            contexts,
        } => check_rule(
            check,
            &RuleFilter {
                pattern,
                min_severity: *min_severity,
                min_confidence: *min_confidence,
                contexts: contexts.as_ref(),
            },
            evidence,
            failures,
        ),
    }
}

/// A control's result plus what the plan needs.
struct Evaluated<'a> {
    result: ControlResult,
    /// Why it is not evidenced, for the question's reason.
    gap: Option<String>,
    /// The findings the control's work would fix, in their total order.
    behind: Vec<&'a Finding>,
}

/// The findings a control's remediation fixes: those named by its
/// `fixes` pattern (production only), else `counted`, those its rule checks
/// counted.
fn findings_behind<'a>(
    control: &Control,
    evidence: &'a [Evidence],
    counted: Vec<&'a Finding>,
) -> Vec<&'a Finding> {
    let mut behind: Vec<&Finding> = match &control.remediation.fixes {
        Some(pattern) => evidence
            .iter()
            .flat_map(|e| e.findings.iter())
            .filter(|f| {
                rule_matches(pattern, &f.rule)
                    && f.class() == FileClass::Production
                    && (control.remediation.fixes_severity.is_empty()
                        || control.remediation.fixes_severity.contains(&f.severity))
                    && f.confidence >= control.remediation.fixes_min_confidence
                    && control
                        .remediation
                        .fixes_without_tag
                        .as_ref()
                        .is_none_or(|tag| !f.tags.contains(tag))
            })
            .collect(),
        None => counted,
    };
    behind.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    behind.dedup_by(|a, b| std::ptr::eq(*a, *b));
    behind
}

/// `path:line` of a finding, or its path.
fn place(f: &Finding) -> Option<String> {
    let path = f.location.path.as_ref()?;
    Some(match f.location.line {
        Some(line) => format!("{path}:{line}"),
        None => path.clone(),
    })
}

fn evaluate_control<'a>(
    control: &Control,
    evidence: &'a [Evidence],
    failures: &[CollectorFailure],
) -> Evaluated<'a> {
    let mut result = ControlResult {
        id: control.id.clone(),
        section: control.section.clone(),
        title: control.title.clone(),
        status: ControlStatus::NotEvidenced,
        critical: control.critical,
        weight: control.weight,
        rationale: Vec::new(),
        evidence: Vec::new(),
        partial_evidence: false,
        question: None,
        remediation: None,
        effort: None,
        findings: Vec::new(),
    };

    if let Some(fact) = &control.applies_if
        && let Some(ev) = evidence_of(fact.prefix(), evidence)
        && let Some(found) = ev.facts.get(fact)
        && found.value == (FactValue::Bool { value: false })
    {
        result.status = ControlStatus::NotApplicable;
        result
            .rationale
            .push(format!("Not applicable: {fact} is no."));
        result.evidence.push(EvidenceRef::Fact {
            name: fact.clone(),
            value: found.value.to_string(),
        });
        return Evaluated {
            result,
            gap: None,
            behind: Vec::new(),
        };
    }

    if control.checks.is_empty() {
        result.rationale.push(
            "No automated check covers this control yet; it rests on management's answer."
                .to_owned(),
        );
        result.question = Some(control.question.clone());
        return Evaluated {
            result,
            gap: Some("not evidenced: no automated check covers this control".to_owned()),
            behind: Vec::new(),
        };
    }

    let mut worst: Option<ControlStatus> = None;
    let mut first_gap = None;
    // A control is evidenced by its primary checks; qualifiers (coverage of
    // the input, a database's age) only lower what those establish.
    let mut primary_evidenced = false;
    let has_primary = control.checks.iter().any(|c| !c.qualifier);
    let mut counted = Vec::new();
    for check in &control.checks {
        let mut outcome = run_check(check, evidence, failures);
        if check.at_best_partial && outcome.status == Some(ControlStatus::Pass) {
            outcome.status = Some(ControlStatus::Partial);
            let met = outcome.rationale.trim_end_matches('.');
            outcome.rationale =
                format!("{met}; this evidence shows only part of the control, so partial at best.");
        }
        counted.append(&mut outcome.matched);
        if outcome.status.is_none() && first_gap.is_none() && !check.qualifier {
            first_gap = Some(outcome.rationale.clone());
        }
        primary_evidenced |= !check.qualifier && outcome.status.is_some();
        worst = worst.max(outcome.status);
        result.partial_evidence |= outcome.partial_evidence;
        result.rationale.push(outcome.rationale);
        result.evidence.extend(outcome.evidence);
    }
    result.evidence.sort();
    result.evidence.dedup();
    if has_primary && !primary_evidenced {
        worst = None;
    }

    let mut gap = None;
    match worst {
        None => {
            result.status = ControlStatus::NotEvidenced;
            result.question = Some(control.question.clone());
            gap = first_gap.map(|g| {
                let g = g.trim_end_matches('.');
                format!("not evidenced: {g}")
            });
        }
        Some(status) => {
            result.status = status;
            if status != ControlStatus::Pass {
                result.remediation = Some(remediation_text(control));
            }
            if status == ControlStatus::Partial {
                result.question.clone_from(&control.follow_up);
            }
        }
    }
    let behind = findings_behind(control, evidence, counted);
    result.findings = behind.iter().map(|f| f.fingerprint.clone()).collect();
    Evaluated {
        result,
        gap,
        behind,
    }
}

/// One unit of work: the findings one fix removes, and its effort.
struct Unit<'a> {
    findings: Vec<&'a Finding>,
    effort: Effort,
}

/// Groups the findings behind a control into units of work. A unit's
/// effort is the largest of its findings' own estimates (one upgrade fixes
/// every advisory of a package), else the control's per-finding effort.
fn units<'a>(control: &Control, behind: &[&'a Finding]) -> Vec<Unit<'a>> {
    let mut groups: std::collections::BTreeMap<String, Vec<&Finding>> =
        std::collections::BTreeMap::new();
    for (i, f) in behind.iter().enumerate() {
        let key = match control.remediation.group_by {
            GroupBy::Location => place(f).unwrap_or_else(|| format!("#{i}")),
            GroupBy::Finding if !f.fingerprint.is_empty() => f.fingerprint.clone(),
            GroupBy::Finding => format!("#{i}"),
        };
        groups.entry(key).or_default().push(f);
    }
    groups
        .into_values()
        .map(|findings| {
            let effort = findings
                .iter()
                .filter_map(|f| f.effort)
                .max_by_key(|e| (e.high_tenths, e.low_tenths))
                .unwrap_or(control.remediation.effort);
            Unit { findings, effort }
        })
        .collect()
}

/// Work items of one failed or partial control: one for the whole control,
/// or the sum over its units of work (split in two when the framework says
/// so). A per-finding control with nothing behind it adds no row.
fn work_items(control: &Control, e: &Evaluated<'_>) -> Vec<WorkItem> {
    let item = |title: &str, units: &[Unit<'_>], count_units: bool| {
        let findings: Vec<&Finding> = units
            .iter()
            .flat_map(|u| u.findings.iter().copied())
            .collect();
        let mut locations: Vec<String> = findings.iter().filter_map(|f| place(f)).collect();
        locations.dedup();
        let effort = if count_units {
            units
                .iter()
                .fold(Effort::default(), |sum, u| sum + u.effort)
        } else {
            control.remediation.effort
        };
        WorkItem {
            control: control.id.clone(),
            title: title.to_owned(),
            findings: u32::try_from(findings.len()).unwrap_or(u32::MAX),
            units: if count_units {
                u32::try_from(units.len()).unwrap_or(u32::MAX)
            } else {
                0
            },
            locations: locations.into_iter().take(5).collect(),
            effort,
        }
    };
    let all = units(control, &e.behind);
    match control.remediation.per {
        EffortBasis::Control => vec![item(&control.remediation.title, &all, false)],
        // Nothing behind it to fix: the control is open for another reason
        // (coverage, a stale database), which its question covers; a row
        // priced at "0 findings" would mislead.
        EffortBasis::Finding if all.is_empty() => Vec::new(),
        EffortBasis::Finding => {
            let (big, small): (Vec<Unit<'_>>, Vec<Unit<'_>>) = match &control.remediation.split {
                Some((above, _)) => all.into_iter().partition(|u| u.effort.high_tenths > *above),
                None => (Vec::new(), all),
            };
            let mut items = Vec::new();
            if !small.is_empty() {
                items.push(item(&control.remediation.title, &small, true));
            }
            if let (Some((_, title)), false) = (&control.remediation.split, big.is_empty()) {
                items.push(item(title, &big, true));
            }
            items
        }
    }
}

/// Whether a fact is present and says something: not zero, empty or false.
fn truthy(evidence: &[Evidence], name: &diligence_model::FactName) -> bool {
    evidence_of(name.prefix(), evidence)
        .and_then(|e| e.facts.get(name))
        .is_some_and(|f| match &f.value {
            FactValue::Bool { value } => *value,
            FactValue::Int { value, .. } => *value != 0,
            FactValue::Ratio { numerator, .. } => *numerator > 0,
            FactValue::Text { value } => !value.trim().is_empty(),
            FactValue::List { values } => !values.is_empty(),
            _ => true,
        })
}

/// `a, b and c`, or `a, b, c and 4 more`.
fn some_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, c, rest @ ..] => format!("{a}, {b}, {c} and {} more", rest.len()),
    }
}

/// Fills a question's placeholders; `None` when one has no value.
fn fill(text: &str, evidence: &[Evidence], files: &[String], count: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        let value = match name {
            "files" => some_of(files),
            "count" if count > 0 => count.to_string(),
            "count" => String::new(),
            _ => {
                let fact = diligence_model::FactName::new(name.strip_prefix("fact:")?).ok()?;
                if !truthy(evidence, &fact) {
                    return None;
                }
                let found = evidence_of(fact.prefix(), evidence)?.facts.get(&fact)?;
                match &found.value {
                    FactValue::List { values } => some_of(values),
                    other => other.to_string(),
                }
            }
        };
        if value.is_empty() {
            return None;
        }
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The question a control raises for this target, if any: the first
/// tailored question whose condition holds and whose placeholders fill,
/// else the framework's generic question (not evidenced) or follow-up
/// (partly met). A failed control asks only a tailored question.
fn question_for(control: &Control, e: &Evaluated<'_>, evidence: &[Evidence]) -> Option<Question> {
    let status = e.result.status;
    let mut files: Vec<String> = e
        .behind
        .iter()
        .filter_map(|f| f.location.path.clone())
        .collect();
    files.sort();
    files.dedup();
    let tailored = control.asks.iter().find_map(|ask| {
        if !ask.when.contains(&status)
            || ask.if_fact.as_ref().is_some_and(|f| !truthy(evidence, f))
            || ask
                .unless_fact
                .as_ref()
                .is_some_and(|f| truthy(evidence, f))
        {
            return None;
        }
        let text = fill(&ask.text, evidence, &files, e.behind.len())?;
        // The facts it quotes are evidence too.
        let facts: Vec<String> = ask
            .text
            .split("{fact:")
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        Some((text, facts))
    });
    let (tailored, quoted) = match tailored {
        Some((text, facts)) => (Some(text), facts),
        None => (None, Vec::new()),
    };
    let text = tailored.or_else(|| match status {
        ControlStatus::NotEvidenced => Some(control.question.clone()),
        ControlStatus::Partial => control.follow_up.clone(),
        _ => None,
    })?;
    let reason = match status {
        ControlStatus::NotEvidenced => e.gap.clone().unwrap_or_else(|| "not evidenced".to_owned()),
        ControlStatus::Partial => "partly met".to_owned(),
        ControlStatus::Fail => "failed".to_owned(),
        _ => "met".to_owned(),
    };
    let mut cited: Vec<String> = files.into_iter().take(5).collect();
    cited.extend(quoted.into_iter().map(|name| format!("fact {name}")));
    Some(Question {
        control: control.id.clone(),
        text,
        reason,
        evidence: cited,
    })
}

fn remediation_text(control: &Control) -> String {
    if control.remediation.text.is_empty() {
        control.remediation.title.clone()
    } else {
        control.remediation.text.clone()
    }
}

/// `numerator / denominator` rounded half up; `denominator` must be positive.
pub(crate) fn round_half_up(numerator: u64, denominator: u64) -> u64 {
    (numerator * 2 + denominator) / (denominator * 2)
}

/// Score (half up) and coverage (down) over a set of results.
fn score_of<'a>(
    results: impl Iterator<Item = &'a ControlResult>,
) -> (Option<u32>, u32, StatusCounts) {
    let mut counts = StatusCounts::default();
    let (mut points, mut evidenced, mut applicable) = (0u64, 0u64, 0u64);
    for r in results {
        counts.add(r.status);
        let weight = u64::from(r.weight);
        if r.status != ControlStatus::NotApplicable {
            applicable += weight;
        }
        if let Some(p) = r.status.points() {
            points += u64::from(p) * weight;
            evidenced += weight;
        }
    }
    let score = (evidenced > 0).then(|| to_u32(round_half_up(points, evidenced)));
    // Rounded down; no applicable weight means nothing was covered.
    let coverage = (evidenced * 100).checked_div(applicable).map_or(0, to_u32);
    (score, coverage, counts)
}

fn to_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Framework {
    /// Scores evidence against this framework. `failures` lists collectors
    /// that produced no evidence; their controls read "not evidenced —
    /// collector failed" with the message.
    pub fn evaluate(&self, evidence: &[Evidence], failures: &[CollectorFailure]) -> Scoring {
        let evaluated: Vec<Evaluated> = self
            .controls
            .iter()
            .map(|c| evaluate_control(c, evidence, failures))
            .collect();
        let controls: Vec<ControlResult> = evaluated.iter().map(|e| e.result.clone()).collect();

        let sections = self
            .sections
            .iter()
            .map(|s| {
                let (score, coverage, counts) =
                    score_of(controls.iter().filter(|c| c.section == s.id));
                SectionScore {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    score,
                    coverage,
                    counts,
                }
            })
            .collect();
        let (overall, coverage, _) = score_of(controls.iter());
        let scores = Scores {
            overall,
            coverage,
            sections,
        };

        let gate = self.gate_verdict(&controls, &scores);

        let mut ordered: Vec<&Evaluated<'_>> = evaluated
            .iter()
            .filter(|e| {
                matches!(
                    e.result.status,
                    ControlStatus::Fail | ControlStatus::Partial
                )
            })
            .collect();
        ordered.sort_by(|a, b| {
            (!a.result.critical, b.result.status, &a.result.id).cmp(&(
                !b.result.critical,
                a.result.status,
                &b.result.id,
            ))
        });
        let items: Vec<WorkItem> = ordered
            .into_iter()
            .filter_map(|e| Some(work_items(self.control(e.result.id.as_str())?, e)))
            .flatten()
            .collect();
        let total = items
            .iter()
            .fold(Effort::default(), |sum, item| sum + item.effort);
        let remediation = RemediationPlan {
            items,
            total,
            assumptions: self.assumptions.clone(),
        };

        // The question each control raises, in framework order; a control
        // whose result is already a question (`result.question`) keeps it.
        let questions: Vec<Question> = evaluated
            .iter()
            .filter_map(|e| question_for(self.control(e.result.id.as_str())?, e, evidence))
            .collect();
        let mut controls = controls;
        for c in &mut controls {
            c.question = questions
                .iter()
                .find(|q| q.control == c.id)
                .map(|q| q.text.clone());
            // A control's effort is the sum of its work items.
            let mine: Vec<&WorkItem> = remediation
                .items
                .iter()
                .filter(|i| i.control == c.id)
                .collect();
            c.effort = (!mine.is_empty())
                .then(|| mine.iter().fold(Effort::default(), |sum, i| sum + i.effort));
        }

        Scoring {
            controls,
            scores,
            gate,
            remediation,
            questions,
        }
    }

    fn gate_verdict(&self, controls: &[ControlResult], scores: &Scores) -> Gate {
        let policy = self.gate;
        let mut reasons = Vec::new();
        let mut critical_failed = false;
        for c in controls.iter().filter(|c| c.critical) {
            match c.status {
                ControlStatus::Fail => {
                    critical_failed = true;
                    reasons.push(format!("critical control {} failed: {}", c.id, c.title));
                }
                ControlStatus::NotEvidenced if policy.critical_must_be_evidenced => {
                    reasons.push(format!(
                        "critical control {} is not evidenced: {}",
                        c.id, c.title
                    ));
                }
                _ => {}
            }
        }
        match scores.overall {
            Some(overall) if overall < policy.min_overall => reasons.push(format!(
                "overall score {overall} is below {}",
                policy.min_overall
            )),
            Some(_) => {}
            None => {
                reasons.push("no control was evidenced, so there is no overall score".to_owned())
            }
        }
        for s in &scores.sections {
            if let Some(score) = s.score
                && score < policy.min_section
            {
                reasons.push(format!(
                    "section {} scores {score}, below {}",
                    s.title, policy.min_section
                ));
            }
        }
        if scores.coverage < policy.min_coverage {
            reasons.push(format!(
                "evidence coverage {}% is below {}%",
                scores.coverage, policy.min_coverage
            ));
        }
        let verdict = if critical_failed {
            Verdict::Prototype
        } else if reasons.is_empty() {
            Verdict::ProductionReady
        } else {
            Verdict::Conditional
        };
        Gate { verdict, reasons }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_up() {
        assert_eq!(round_half_up(50, 100), 1);
        assert_eq!(round_half_up(149, 100), 1);
        assert_eq!(round_half_up(150, 100), 2);
        assert_eq!(round_half_up(1000, 12), 83); // 83.33
        assert_eq!(round_half_up(250, 3), 83); // 83.33
        assert_eq!(round_half_up(500, 6), 83); // 83.33
        assert_eq!(round_half_up(1250, 15), 83); // 83.33
        assert_eq!(round_half_up(350, 4), 88); // 87.5 rounds up
    }

    #[test]
    fn grades_both_directions() {
        assert_eq!(grade(5, 5, Some(2), true), ControlStatus::Pass);
        assert_eq!(grade(3, 5, Some(2), true), ControlStatus::Partial);
        assert_eq!(grade(1, 5, Some(2), true), ControlStatus::Fail);
        assert_eq!(grade(1, 5, None, true), ControlStatus::Fail);
        assert_eq!(grade(0, 0, Some(2), false), ControlStatus::Pass);
        assert_eq!(grade(2, 0, Some(2), false), ControlStatus::Partial);
        assert_eq!(grade(3, 0, Some(2), false), ControlStatus::Fail);
    }
}

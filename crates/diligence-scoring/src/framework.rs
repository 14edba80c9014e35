//! The validated framework: the second parsing step.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use diligence_model::{
    Catalog, Confidence, ControlId, ControlStatus, Effort, FactName, FileClass, FrameworkInfo,
    RuleId, SectionId, Severity,
};
use toml::Spanned;

use crate::error::{Error, Problem, Problems, Result};
use crate::raw::{
    RawCheck, RawControl, RawEffortBasis, RawFramework, RawGroupBy, RawOtherwise, RawThreshold,
};

/// A validated framework: sections, controls and their checks, the gate
/// policy and the assumptions behind effort estimates.
///
/// Every fact and rule it names exists in the [`Catalog`] it was validated
/// against, so a control can read "not evidenced" only because evidence is
/// missing, never because of a typo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framework {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) origin: String,
    pub(crate) gate: GatePolicy,
    pub(crate) assumptions: Vec<String>,
    pub(crate) sections: Vec<Section>,
    pub(crate) controls: Vec<Control>,
    pub(crate) warnings: Vec<Problem>,
}

/// The thresholds of the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatePolicy {
    /// Minimum overall score, 0–100.
    pub min_overall: u32,
    /// Minimum score of every scored section, 0–100.
    pub min_section: u32,
    /// Minimum evidence coverage, per cent.
    pub min_coverage: u32,
    /// Whether an unevidenced critical control also blocks production-ready.
    pub critical_must_be_evidenced: bool,
}

/// A section of the framework.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Id.
    pub id: SectionId,
    /// Title.
    pub title: String,
    /// What it covers.
    pub description: String,
}

/// A control with its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    /// Id, `<section>.<name>`.
    pub id: ControlId,
    /// Its section.
    pub section: SectionId,
    /// Title.
    pub title: String,
    /// Why it matters.
    pub description: String,
    /// Weight, at least 1.
    pub weight: u32,
    /// Whether a failure makes the verdict prototype.
    pub critical: bool,
    /// A boolean fact that, when false, makes the control not applicable.
    pub applies_if: Option<FactName>,
    /// The question for management when not evidenced.
    pub question: String,
    /// The question when partly met.
    pub follow_up: Option<String>,
    /// How to fix it.
    pub remediation: Remediation,
    /// Questions phrased for the target, in order.
    pub asks: Vec<Ask>,
    /// The checks, in file order.
    pub checks: Vec<Check>,
}

/// A question phrased for the target, with its condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    /// The statuses it applies to.
    pub when: Vec<ControlStatus>,
    /// Asked only when this fact is present and truthy.
    pub if_fact: Option<FactName>,
    /// Skipped when this fact is present and truthy.
    pub unless_fact: Option<FactName>,
    /// The text with placeholders (`{files}`, `{count}`, `{fact:NAME}`).
    pub text: String,
}

/// How to fix a control and what it costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remediation {
    /// Work item title.
    pub title: String,
    /// What the work involves.
    pub text: String,
    /// Effort range.
    pub effort: Effort,
    /// Whether the range is per control or per finding.
    pub per: EffortBasis,
    /// The findings the work fixes, when not those of the rule checks.
    pub fixes: Option<String>,
    /// With `fixes`: only findings of these severities (all when empty).
    pub fixes_severity: Vec<Severity>,
    /// With `fixes`: only findings at least this confident.
    pub fixes_min_confidence: Confidence,
    /// With `fixes`: leave out findings carrying this tag.
    pub fixes_without_tag: Option<String>,
    /// Whether units of work are findings or locations.
    pub group_by: GroupBy,
    /// Units above this effort (tenths of a day, high end) form a second
    /// item with this title.
    pub split: Option<(u32, String)>,
}

/// How findings form units of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One unit per finding.
    Finding,
    /// One unit per file and line.
    Location,
}

/// What an effort range counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffortBasis {
    /// Once for the control.
    Control,
    /// Once for each finding the control's rule checks matched (at least once).
    Finding,
}

/// One check of a control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What it reads.
    pub subject: Subject,
    /// How the value is judged.
    pub threshold: Threshold,
    /// Whether it only qualifies what other checks evidence.
    pub qualifier: bool,
    /// Whether a met check gives partial, not pass: the evidence shows
    /// only part of the control (`at-best = "partial"`).
    pub at_best_partial: bool,
    /// The check counts only when this fact is present and not zero, empty
    /// or false; otherwise it reads not evidenced.
    pub if_fact: Option<FactName>,
}

/// What a check reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A fact.
    Fact(FactName),
    /// Findings of a rule or a `prefix.*` pattern.
    Rule {
        /// Rule id or pattern.
        pattern: String,
        /// Findings below this severity are ignored.
        min_severity: Severity,
        /// Findings below this confidence are ignored.
        min_confidence: Confidence,
        /// When set, only findings whose file class is listed count; the
        /// others are named in the rationale but cannot fail the check.
        contexts: Option<BTreeSet<FileClass>>,
    },
}

impl Subject {
    /// The collector whose evidence answers the check: the first segment.
    pub fn collector(&self) -> &str {
        match self {
            Self::Fact(name) => name.prefix(),
            Self::Rule { pattern, .. } => pattern.split('.').next().unwrap_or_default(),
        }
    }
}

/// How a value is judged. `partial` thresholds are always weaker than `pass`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Integer (or list length) at least `pass`; at least `partial` is partial.
    AtLeast {
        /// Pass threshold.
        pass: i64,
        /// Partial threshold.
        partial: Option<i64>,
    },
    /// Integer, list length or finding count at most `pass`.
    AtMost {
        /// Pass threshold.
        pass: i64,
        /// Partial threshold.
        partial: Option<i64>,
    },
    /// Ratio in whole per cent at least `pass`.
    AtLeastPercent {
        /// Pass threshold, 0–100.
        pass: u32,
        /// Partial threshold, 0–100.
        partial: Option<u32>,
    },
    /// Ratio in whole per cent at most `pass`.
    AtMostPercent {
        /// Pass threshold, 0–100.
        pass: u32,
        /// Partial threshold, 0–100.
        partial: Option<u32>,
    },
    /// Boolean equal to `value`; otherwise `otherwise` (fail or partial).
    Equals {
        /// The passing value.
        value: bool,
        /// Status when it differs.
        otherwise: ControlStatus,
    },
}

impl Framework {
    /// Parses and validates a framework file. `source` names the file in
    /// error messages (`file:line:column: message`).
    pub fn parse(text: &str, source: &str, catalog: &Catalog) -> Result<Self> {
        let raw: RawFramework = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(text, s.start));
            Error::Syntax(Problem {
                source: source.to_owned(),
                line,
                column,
                message: e.message().trim_end_matches('.').trim().to_owned(),
            })
        })?;
        Validator {
            text,
            source,
            catalog,
            problems: Vec::new(),
            warnings: Vec::new(),
        }
        .framework(raw)
    }

    /// Reads, parses and validates a framework file.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let name = path.display().to_string();
        Self::parse(&text, &name, catalog)
    }

    /// Identity of the framework, for the assessment.
    pub fn info(&self) -> FrameworkInfo {
        FrameworkInfo {
            id: self.id.clone(),
            version: self.version.clone(),
            title: self.title.clone(),
            source: self.origin.clone(),
        }
    }

    /// What the framework judges.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The gate policy.
    pub fn gate(&self) -> GatePolicy {
        self.gate
    }

    /// Assumptions behind the effort estimates.
    pub fn assumptions(&self) -> &[String] {
        &self.assumptions
    }

    /// Sections, in report order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// What the file may keep doing for now but should change: old fact
    /// names read through their aliases.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// Controls, in framework order (section order, then file order).
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    /// A control by id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id.as_str() == id)
    }

    pub(crate) fn with_origin(mut self, origin: &str) -> Self {
        origin.clone_into(&mut self.origin);
        self
    }
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

struct Validator<'a> {
    text: &'a str,
    source: &'a str,
    catalog: &'a Catalog,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.problems.push(Problem {
            source: self.source.to_owned(),
            line,
            column,
            message: message.into(),
        });
    }

    fn percent(&mut self, value: &Spanned<i64>, what: &str) -> u32 {
        match u32::try_from(*value.get_ref()) {
            Ok(v) if v <= 100 => v,
            _ => {
                self.problem(
                    value.span(),
                    format!(
                        "{what} must be a percentage from 0 to 100, not {}",
                        value.get_ref()
                    ),
                );
                0
            }
        }
    }

    fn framework(mut self, raw: RawFramework) -> Result<Framework> {
        if let Err(e) = SectionId::new(raw.framework.id.get_ref().as_str()) {
            self.problem(raw.framework.id.span(), format!("framework id: {e}"));
        }
        let gate = GatePolicy {
            min_overall: self.percent(&raw.gate.min_overall, "min-overall"),
            min_section: self.percent(&raw.gate.min_section, "min-section"),
            min_coverage: self.percent(&raw.gate.min_coverage, "min-coverage"),
            critical_must_be_evidenced: raw.gate.critical_must_be_evidenced,
        };

        let mut sections = Vec::new();
        let mut section_ids = BTreeSet::new();
        for section in raw.sections {
            let section = section.into_inner();
            let id_span = section.id.span();
            match SectionId::new(section.id.get_ref().as_str()) {
                Ok(id) => {
                    if !section_ids.insert(id.clone()) {
                        self.problem(id_span, format!("duplicate section id `{id}`"));
                    }
                    sections.push(Section {
                        id,
                        title: section.title,
                        description: section.description,
                    });
                }
                Err(e) => self.problem(id_span, e.to_string()),
            }
        }

        let mut controls = Vec::new();
        let mut control_ids = BTreeSet::new();
        for control in raw.controls {
            if let Some(control) = self.control(control.into_inner(), &section_ids) {
                if !control_ids.insert(control.0.id.clone()) {
                    self.problem(
                        control.1,
                        format!("duplicate control id `{}`", control.0.id),
                    );
                }
                controls.push(control.0);
            }
        }
        if sections.is_empty() {
            self.problem(0..0, "the framework has no sections");
        }

        if !self.problems.is_empty() {
            return Err(Error::Invalid(Problems(self.problems)));
        }
        // Framework order: sections in file order, controls in file order within.
        let mut ordered = Vec::with_capacity(controls.len());
        for section in &sections {
            ordered.extend(controls.iter().filter(|c| c.section == section.id).cloned());
        }
        Ok(Framework {
            origin: self.source.to_owned(),
            id: raw.framework.id.into_inner(),
            version: raw.framework.version,
            title: raw.framework.title,
            description: raw.framework.description,
            gate,
            assumptions: raw.remediation.assumptions,
            sections,
            controls: ordered,
            warnings: self.warnings,
        })
    }

    fn control(
        &mut self,
        raw: RawControl,
        sections: &BTreeSet<SectionId>,
    ) -> Option<(Control, Range<usize>)> {
        let errors_before = self.problems.len();
        let id_span = raw.id.span();
        let id = match ControlId::new(raw.id.get_ref().as_str()) {
            Ok(id) => Some(id),
            Err(e) => {
                self.problem(id_span.clone(), e.to_string());
                None
            }
        };
        let section = match SectionId::new(raw.section.get_ref().as_str()) {
            Ok(section) if sections.contains(&section) => Some(section),
            Ok(section) => {
                self.problem(raw.section.span(), format!("unknown section `{section}`"));
                None
            }
            Err(e) => {
                self.problem(raw.section.span(), e.to_string());
                None
            }
        };
        if let (Some(id), Some(section)) = (&id, &section)
            && !id
                .as_str()
                .strip_prefix(section.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
        {
            self.problem(
                id_span.clone(),
                format!("control id `{id}` must start with its section id `{section}.`"),
            );
        }
        let weight = match u32::try_from(*raw.weight.get_ref()) {
            Ok(w) if (1..=100).contains(&w) => w,
            _ => {
                self.problem(
                    raw.weight.span(),
                    format!("weight must be from 1 to 100, not {}", raw.weight.get_ref()),
                );
                1
            }
        };
        let applies_if = raw.applies_if.as_ref().and_then(|fact| self.fact(fact));
        if raw.question.trim().is_empty() {
            self.problem(id_span.clone(), "control has an empty question");
        }

        let effort_span = raw.remediation.effort.span();
        let days = raw.remediation.effort.get_ref();
        let effort = if let [low, high] = days.as_slice() {
            match (low.tenths(), high.tenths()) {
                (Some(low), Some(high)) if low <= high => Effort::new(low, high).ok(),
                (Some(_), Some(_)) => {
                    self.problem(effort_span, "effort low must not exceed effort high");
                    None
                }
                _ => {
                    self.problem(
                        effort_span,
                        "effort must be non-negative engineer-days in steps of 0.1",
                    );
                    None
                }
            }
        } else {
            self.problem(effort_span, "effort must be `[low, high]` in engineer-days");
            None
        };

        let fixes = raw.remediation.fixes.as_ref().and_then(|rule| {
            let pattern = rule.get_ref().as_str();
            if self.catalog.knows_rule_pattern(pattern) {
                Some(pattern.to_owned())
            } else {
                self.problem(rule.span(), format!("unknown rule `{pattern}`"));
                None
            }
        });
        let split =
            raw.remediation
                .split
                .as_ref()
                .and_then(|split| match split.above_days.tenths() {
                    Some(tenths) if !split.title.trim().is_empty() => {
                        Some((tenths, split.title.clone()))
                    }
                    _ => {
                        self.problem(
                            id_span.clone(),
                            "split needs above-days in steps of 0.1 and a title",
                        );
                        None
                    }
                });
        let asks: Vec<Ask> = raw.asks.iter().filter_map(|ask| self.ask(ask)).collect();

        let checks: Vec<Check> = raw
            .checks
            .iter()
            .filter_map(|check| self.check(check))
            .collect();
        if raw.critical {
            for (raw_check, check) in raw.checks.iter().zip(&checks) {
                if let (Subject::Rule { contexts: None, .. }, Some(rule)) =
                    (&check.subject, &raw_check.get_ref().rule)
                {
                    let (line, column) = line_column(self.text, rule.span().start);
                    self.warnings.push(Problem {
                        source: self.source.to_owned(),
                        line,
                        column,
                        message: format!(
                            "critical control's rule check `{}` has no `contexts`: findings in tests, examples, templates, vendored or generated files can fail the gate",
                            rule.get_ref()
                        ),
                    });
                }
            }
        }

        if self.problems.len() > errors_before {
            return None;
        }
        let control = Control {
            id: id?,
            section: section?,
            title: raw.title,
            description: raw.description,
            weight,
            critical: raw.critical,
            applies_if,
            question: raw.question,
            follow_up: raw.follow_up,
            remediation: Remediation {
                title: raw.remediation.title,
                text: raw.remediation.text,
                effort: effort?,
                per: match raw.remediation.per {
                    RawEffortBasis::Control => EffortBasis::Control,
                    RawEffortBasis::Finding => EffortBasis::Finding,
                },
                fixes,
                fixes_severity: raw.remediation.fixes_severity.clone().unwrap_or_default(),
                fixes_min_confidence: raw
                    .remediation
                    .fixes_min_confidence
                    .unwrap_or(Confidence::Low),
                fixes_without_tag: raw.remediation.fixes_without_tag.clone(),
                group_by: match raw.remediation.group_by {
                    RawGroupBy::Finding => GroupBy::Finding,
                    RawGroupBy::Location => GroupBy::Location,
                },
                split,
            },
            asks,
            checks,
        };
        Some((control, id_span))
    }

    fn ask(&mut self, raw: &crate::raw::RawAsk) -> Option<Ask> {
        let mut when = Vec::new();
        for status in raw.when.get_ref() {
            match status.as_str() {
                "fail" => when.push(ControlStatus::Fail),
                "partial" => when.push(ControlStatus::Partial),
                "not-evidenced" => when.push(ControlStatus::NotEvidenced),
                other => {
                    self.problem(
                        raw.when.span(),
                        format!(
                            "unknown status `{other}`: expected fail, partial or not-evidenced"
                        ),
                    );
                    return None;
                }
            }
        }
        if when.is_empty() {
            self.problem(raw.when.span(), "when must name at least one status");
            return None;
        }
        let text = raw.text.get_ref();
        if text.trim().is_empty() {
            self.problem(raw.text.span(), "a question needs text");
            return None;
        }
        // Every placeholder must be known, and every fact it names too.
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.problem(raw.text.span(), "unclosed `{` in question text");
                return None;
            };
            let name = &rest[open + 1..open + close];
            match name.strip_prefix("fact:") {
                Some(fact) => match FactName::new(fact) {
                    Ok(f)
                        if self.catalog.facts.contains_key(&f)
                            || self.catalog.fact_aliases.contains_key(&f) => {}
                    _ => {
                        self.problem(
                            raw.text.span(),
                            format!("unknown fact `{fact}` in question text"),
                        );
                        return None;
                    }
                },
                None if matches!(name, "files" | "count") => {}
                None => {
                    self.problem(
                        raw.text.span(),
                        format!(
                            "unknown placeholder `{{{name}}}`: expected {{files}}, {{count}} or {{fact:NAME}}"
                        ),
                    );
                    return None;
                }
            }
            rest = &rest[open + close + 1..];
        }
        let if_fact = match &raw.if_fact {
            Some(f) => Some(self.fact(f)?),
            None => None,
        };
        let unless_fact = match &raw.unless_fact {
            Some(f) => Some(self.fact(f)?),
            None => None,
        };
        Some(Ask {
            when,
            if_fact,
            unless_fact,
            text: text.clone(),
        })
    }

    fn fact(&mut self, name: &Spanned<String>) -> Option<FactName> {
        match FactName::new(name.get_ref().as_str()) {
            Ok(fact) if self.catalog.facts.contains_key(&fact) => Some(fact),
            Ok(fact) if self.catalog.fact_aliases.contains_key(&fact) => {
                let new = self.catalog.fact_aliases[&fact].clone();
                let (line, column) = line_column(self.text, name.span().start);
                self.warnings.push(Problem {
                    source: self.source.to_owned(),
                    line,
                    column,
                    message: format!(
                        "fact `{fact}` was renamed `{new}`; the old name is read as the new one until the next major framework version"
                    ),
                });
                Some(new)
            }
            Ok(fact) => {
                self.problem(name.span(), format!("unknown fact `{fact}`"));
                None
            }
            Err(e) => {
                self.problem(name.span(), e.to_string());
                None
            }
        }
    }

    fn threshold(
        &mut self,
        raw: &Spanned<RawThreshold>,
        higher_is_better: bool,
        percent: bool,
    ) -> Option<(i64, Option<i64>)> {
        let pass = *raw.get_ref().pass.get_ref();
        let partial = raw.get_ref().partial.as_ref().map(|p| *p.get_ref());
        let mut ok = true;
        for (value, span) in std::iter::once((pass, raw.get_ref().pass.span())).chain(
            raw.get_ref()
                .partial
                .as_ref()
                .map(|p| (*p.get_ref(), p.span())),
        ) {
            if percent && !(0..=100).contains(&value) {
                self.problem(
                    span,
                    format!("a percentage must be from 0 to 100, not {value}"),
                );
                ok = false;
            }
        }
        if let Some(partial) = partial {
            let worse = if higher_is_better {
                pass < partial
            } else {
                pass > partial
            };
            if worse {
                self.problem(
                    raw.span(),
                    format!(
                        "pass threshold {pass} is worse than partial threshold {partial}; \
                         pass must be the stricter one"
                    ),
                );
                ok = false;
            }
        }
        ok.then_some((pass, partial))
    }

    fn check(&mut self, raw: &Spanned<RawCheck>) -> Option<Check> {
        let span = raw.span();
        let check = raw.get_ref();
        let forms = [
            check.at_least.is_some(),
            check.at_most.is_some(),
            check.at_least_percent.is_some(),
            check.at_most_percent.is_some(),
            check.equals.is_some(),
        ]
        .iter()
        .filter(|f| **f)
        .count();

        let if_fact = match &check.if_fact {
            Some(f) => Some(self.fact(f)?),
            None => None,
        };
        match (&check.fact, &check.rule) {
            (Some(fact), None) => {
                let name = self.fact(fact);
                if check.min_severity.is_some()
                    || check.min_confidence.is_some()
                    || check.contexts.is_some()
                {
                    self.problem(
                        fact.span(),
                        "min-severity, min-confidence and contexts apply to rule checks only",
                    );
                }
                if forms != 1 {
                    self.problem(
                        span,
                        "a fact check needs exactly one of at-least, at-most, \
                         at-least-percent, at-most-percent, equals",
                    );
                    return None;
                }
                if check.otherwise.is_some() && check.equals.is_none() {
                    self.problem(span.clone(), "otherwise applies to equals checks only");
                }
                let threshold = if let Some(t) = &check.at_least {
                    let (pass, partial) = self.threshold(t, true, false)?;
                    Threshold::AtLeast { pass, partial }
                } else if let Some(t) = &check.at_most {
                    let (pass, partial) = self.threshold(t, false, false)?;
                    Threshold::AtMost { pass, partial }
                } else if let Some(t) = &check.at_least_percent {
                    let (pass, partial) = self.threshold(t, true, true)?;
                    Threshold::AtLeastPercent {
                        pass: to_percent(pass),
                        partial: partial.map(to_percent),
                    }
                } else if let Some(t) = &check.at_most_percent {
                    let (pass, partial) = self.threshold(t, false, true)?;
                    Threshold::AtMostPercent {
                        pass: to_percent(pass),
                        partial: partial.map(to_percent),
                    }
                } else {
                    Threshold::Equals {
                        value: check.equals.unwrap_or(true),
                        otherwise: match check.otherwise.as_ref().map(|o| *o.get_ref()) {
                            Some(RawOtherwise::Partial) => ControlStatus::Partial,
                            Some(RawOtherwise::Fail) | None => ControlStatus::Fail,
                        },
                    }
                };
                Some(Check {
                    subject: Subject::Fact(name?),
                    threshold,
                    qualifier: check.qualifier,
                    at_best_partial: check.at_best.is_some(),
                    if_fact,
                })
            }
            (None, Some(rule)) => {
                let pattern = rule.get_ref().as_str();
                let well_formed = RuleId::new(pattern.strip_suffix(".*").unwrap_or(pattern))
                    .is_ok()
                    || pattern
                        .strip_suffix(".*")
                        .is_some_and(|p| diligence_model::CollectorId::new(p).is_ok());
                if !well_formed {
                    self.problem(
                        rule.span(),
                        format!("`{pattern}` is neither a rule id nor a `prefix.*` pattern"),
                    );
                    return None;
                }
                if !self.catalog.knows_rule_pattern(pattern) {
                    self.problem(rule.span(), format!("unknown rule `{pattern}`"));
                    return None;
                }
                if forms > 1 || check.at_most.is_none() && forms == 1 {
                    self.problem(
                        span,
                        "a rule check counts findings and takes only at-most (default: pass at 0)",
                    );
                    return None;
                }
                if check.otherwise.is_some() {
                    self.problem(span, "otherwise applies to equals checks only");
                    return None;
                }
                let contexts = match &check.contexts {
                    None => None,
                    Some(list) => {
                        let mut classes = BTreeSet::new();
                        for name in list.get_ref() {
                            match FileClass::parse(name) {
                                Some(class) => {
                                    classes.insert(class);
                                }
                                None => {
                                    self.problem(
                                        list.span(),
                                        format!(
                                            "unknown context `{name}`: expected production, test, example, template, vendored or generated"
                                        ),
                                    );
                                    return None;
                                }
                            }
                        }
                        if classes.is_empty() {
                            self.problem(list.span(), "contexts must name at least one class");
                            return None;
                        }
                        Some(classes)
                    }
                };
                let (pass, partial) = match &check.at_most {
                    Some(t) => {
                        let (pass, partial) = self.threshold(t, false, false)?;
                        if pass < 0 || partial.is_some_and(|p| p < 0) {
                            self.problem(t.span(), "a finding count cannot be negative");
                            return None;
                        }
                        (pass, partial)
                    }
                    None => (0, None),
                };
                Some(Check {
                    subject: Subject::Rule {
                        pattern: pattern.to_owned(),
                        min_severity: check.min_severity.unwrap_or(Severity::Info),
                        min_confidence: check.min_confidence.unwrap_or(Confidence::Low),
                        contexts,
                    },
                    threshold: Threshold::AtMost { pass, partial },
                    qualifier: check.qualifier,
                    at_best_partial: check.at_best.is_some(),
                    if_fact,
                })
            }
            (Some(_), Some(_)) | (None, None) => {
                self.problem(span, "a check needs exactly one of fact or rule");
                None
            }
        }
    }
}

fn to_percent(value: i64) -> u32 {
    u32::try_from(value.clamp(0, 100)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nb = \"é\" x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // `x` sits after a two-byte character: byte 15, character column 9.
        assert_eq!(line_column(text, text.find('x').expect("x")), (2, 9));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}

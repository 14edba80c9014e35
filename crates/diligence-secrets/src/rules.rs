//! Secret rules: the YAML format, the loader and its checks.
//!
//! A rule file is parsed in two steps: a raw serde structure that rejects
//! unknown fields, then a validated [`Rule`] whose pattern is compiled under
//! size limits and whose examples have been run through the real matcher.
//!
//! The built-in rules are checked that way by the test suite, not at every
//! start: their patterns compile on first use, since most rules never meet
//! their keyword in a given repository, and compiling and trying all of
//! them was most of a small scan's time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use diligence_model::{Confidence, RuleId, Severity};
use rayon::prelude::*;
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::error::{Error, Result, RuleProblem};
use crate::validate::Validator;

/// Compiled size limit of one rule's pattern.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;
/// Lazy-DFA cache limit of one rule's pattern.
const DFA_SIZE_LIMIT: usize = 8 * 1024 * 1024;
/// Rule files larger than this are refused.
const MAX_RULE_FILE: usize = 4 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    name: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    anchor: Option<String>,
    pattern: String,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    keywords: Vec<String>,
    severity: Severity,
    confidence: Confidence,
    #[serde(default)]
    min_entropy: Option<f64>,
    #[serde(default)]
    validate: Option<String>,
    #[serde(default)]
    pair: Option<String>,
    #[serde(default)]
    remediation: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    examples: Vec<RawExample>,
    #[serde(default)]
    negative_examples: Vec<RawExample>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExample {
    Whole(String),
    Parts(Vec<String>),
}

impl RawExample {
    fn join(self) -> String {
        match self {
            Self::Whole(text) => text,
            Self::Parts(parts) => parts.concat(),
        }
    }
}

/// Whether a rule finds credentials or public identifiers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum RuleKind {
    /// A credential: reported as a leak.
    Secret,
    /// A public identifier (a publishable key): reported as information.
    Identifier,
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, `secrets.<provider>.<name>`.
    pub id: RuleId,
    /// Human name.
    pub name: String,
    /// Secret or identifier.
    pub kind: RuleKind,
    /// Whether the rule identifies its provider by the name a value is
    /// assigned to (`anchor: name`): its hits pass the generic name
    /// filters, it runs only on the lines holding a keyword, and it skips
    /// the paths generic rules skip.
    pub name_anchored: bool,
    /// The pattern as written.
    pub pattern: String,
    /// Whether the pattern needs Unicode mode (ASCII mode is tried first).
    unicode: bool,
    /// The compiled pattern, built on first use; `None` only when it
    /// exceeds the size limits, which the load of a user rule and the
    /// test of the built-in rules refuse first.
    compiled: OnceLock<Option<Regex>>,
    /// Whether the rule is built in, so that the test suite, not the load,
    /// has compiled its pattern and run its examples.
    pub(crate) built_in: bool,
    /// Whether the pattern can match a line break.
    pub(crate) spans_lines: bool,
    /// The capture group holding the secret (0 = whole match).
    pub secret_group: usize,
    /// The secret group's own pattern, anchored at both ends: the shape
    /// of the rule's values, by which a value a generic rule found under
    /// the provider's name is named by this rule ([`Rule::value_regex`]).
    /// `None` without a secret group or when the group can span lines.
    value_pattern: Option<String>,
    /// The value pattern, compiled on first use.
    value_compiled: OnceLock<Option<Regex>>,
    /// The value pattern with each character class widened to letters,
    /// digits, `_` and `-`: the same fixed text and lengths in any of them
    /// ([`Rule::loose_value_regex`]).
    loose_value_pattern: Option<String>,
    /// The loose value pattern, compiled on first use.
    loose_value_compiled: OnceLock<Option<Regex>>,
    /// The loose value pattern with each run's length allowed up to twice
    /// its most, for rules whose values start with fixed text of
    /// [`STRETCH_PREFIX`] bytes or more ([`Rule::stretched_value_regex`]).
    stretched_value_pattern: Option<String>,
    /// The stretched value pattern, compiled on first use.
    stretched_value_compiled: OnceLock<Option<Regex>>,
    /// The fewest literal bytes every value starts with (`sk-or-v1-` is 9,
    /// `sk-` 3): between two rules reading the same value, the longer
    /// prefix is the more specific.
    pub(crate) value_prefix: usize,
    /// Lowercase literals; the rule runs only where one occurs.
    pub keywords: Vec<String>,
    /// Severity of a finding.
    pub severity: Severity,
    /// Confidence of a finding before validators and context.
    pub confidence: Confidence,
    /// Shannon entropy floor of the secret, bits per character.
    pub min_entropy: Option<f64>,
    /// Offline structure check.
    pub validator: Option<Validator>,
    /// A companion rule whose nearby hit raises confidence.
    pub pair: Option<RuleId>,
    /// How to fix a finding.
    pub remediation: Option<String>,
    /// Provider documentation.
    pub references: Vec<String>,
    /// Texts the rule must match.
    pub examples: Vec<String>,
    /// Texts the rule must not match.
    pub negative_examples: Vec<String>,
    /// The file the rule came from.
    pub file: String,
    /// 1-based line of the rule's `id:` in its file, when found.
    pub line: Option<usize>,
}

impl Rule {
    /// Whether the rule is a generic assignment rule (`secrets.generic.*`),
    /// which passes the extra generic filters and is never high confidence.
    pub fn is_generic(&self) -> bool {
        self.id.as_str().starts_with("secrets.generic.")
    }

    /// Whether the rule is the generic rule of names ending in `key`,
    /// whose values must also look like key material
    /// (`filters::key_value_plausible`).
    pub fn is_generic_key(&self) -> bool {
        self.id.as_str() == "secrets.generic.key"
    }

    /// Whether the rule reads a password out of a JDBC, ADO.NET or ODBC
    /// connection string (`Server=…;Password=…`).
    pub fn is_connection_string(&self) -> bool {
        self.id.as_str() == "secrets.jdbc.password-parameter"
    }

    /// Whether the rule is the generic rule of password names, which
    /// leaves names ending in `key` (`passwordKey`, `PASSWORD_KEY`) to the
    /// key rule.
    pub fn is_generic_password(&self) -> bool {
        self.id.as_str() == "secrets.generic.password"
    }

    /// Whether the rule is a generic rule of a value assigned to a name
    /// (password, secret, key), not of a header (`Bearer …`) or a URL's
    /// user part, whose values stand inside a string.
    pub fn is_generic_assignment(&self) -> bool {
        matches!(
            self.id.as_str(),
            "secrets.generic.password" | "secrets.generic.secret" | "secrets.generic.key"
        )
    }

    /// Whether the rule reads an assignment's name (generic rules and
    /// name-anchored provider rules), so that its hits pass the name and
    /// path filters of assignments.
    pub fn reads_names(&self) -> bool {
        self.is_generic() || self.name_anchored
    }

    /// The provider segment of the id (`aws` in `secrets.aws.access-key-id`).
    pub fn provider(&self) -> &str {
        self.id.as_str().split('.').nth(1).unwrap_or_default()
    }

    /// Whether the rule's secret group has a shape of its own
    /// ([`Rule::value_regex`]).
    pub(crate) fn has_value_pattern(&self) -> bool {
        self.value_pattern.is_some()
    }

    /// The shape of the rule's values alone ([`Rule::value_pattern`]),
    /// compiled on first use.
    pub(crate) fn value_regex(&self) -> Option<&Regex> {
        self.value_compiled
            .get_or_init(|| compile(self.value_pattern.as_deref()?, self.unicode).ok())
            .as_ref()
    }

    /// The shape of the rule's values with its alphabet widened to every
    /// letter, digit, `_` and `-` (`[0-9a-f]{32}` as 32 of them), compiled
    /// on first use: a value of the provider's length and fixed text whose
    /// letters a format's own alphabet would not allow (hexadecimal keys
    /// written in any case, a legacy key's wider alphabet).
    pub(crate) fn loose_value_regex(&self) -> Option<&Regex> {
        self.loose_value_compiled
            .get_or_init(|| compile(self.loose_value_pattern.as_deref()?, self.unicode).ok())
            .as_ref()
    }

    /// The loose shape with each run allowed up to twice its most length,
    /// for a rule whose values start with at least
    /// [`STRETCH_PREFIX`] bytes of fixed text (`sq0atp-`, `dnkey-`): the
    /// provider's own prefix under the provider's name names it even where
    /// the length has changed (a newer, longer token of the same family).
    /// `None` for rules with a shorter prefix, whose length is all that
    /// tells their values apart.
    pub(crate) fn stretched_value_regex(&self) -> Option<&Regex> {
        self.stretched_value_compiled
            .get_or_init(|| compile(self.stretched_value_pattern.as_deref()?, self.unicode).ok())
            .as_ref()
    }

    /// The compiled pattern, compiling it on first use.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile(&self.pattern, self.unicode).ok())
            .as_ref()
    }
}

fn compile(pattern: &str, unicode: bool) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(unicode)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

/// The last line of a pattern error: the parser draws the pattern above it.
fn pattern_error(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    let reason = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid");
    format!(
        "pattern does not compile: {}",
        reason.trim_start_matches("error: ")
    )
}

/// A summary of a rule directory check, for `diligence rules check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesReport {
    /// Rule files read.
    pub files: usize,
    /// Rules that loaded and passed every check.
    pub rules: usize,
    /// Errors: the rule cannot be used.
    pub errors: Vec<RuleProblem>,
    /// Warnings: the rule works but something is doubtful.
    pub warnings: Vec<RuleProblem>,
}

impl RulesReport {
    /// Whether no error was found.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Reads `*.yml`/`*.yaml` files of a directory (not recursive), sorted by name.
pub(crate) fn read_rule_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let read_err = |source| Error::ReadRules {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let path = entry.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yml" || e == "yaml");
        if !is_yaml || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|source| Error::ReadRules {
            path: path.clone(),
            source,
        })?;
        files.push((path.display().to_string(), text));
    }
    files.sort();
    Ok(files)
}

/// The 1-based line of each `id:` in a rule file, first one kept: one
/// pass over the file, not one per rule.
fn id_lines(text: &str) -> BTreeMap<&str, usize> {
    let mut lines = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
        if let Some(rest) = line.strip_prefix("id:") {
            lines
                .entry(rest.trim().trim_matches(['"', '\'']))
                .or_insert(n + 1);
        }
    }
    lines
}

/// Parses the rule files and validates each rule on its own (grammar,
/// pattern, keywords, group, entropy). Cross-rule checks (uniqueness,
/// pairs, examples) happen in [`crate::RuleSet`]. The first `built_in`
/// files are the embedded rules: their patterns compile on first use.
pub(crate) fn parse_files(
    files: &[(String, String)],
    built_in: usize,
    problems: &mut Vec<RuleProblem>,
    warnings: &mut Vec<RuleProblem>,
) -> Vec<Rule> {
    let parsed: Vec<ParsedFile> = files
        .par_iter()
        .enumerate()
        .map(|(i, (file, text))| parse_file(file, text, i < built_in))
        .collect();
    let mut rules = Vec::new();
    for file in parsed {
        rules.extend(file.rules);
        problems.extend(file.problems);
        warnings.extend(file.warnings);
    }
    rules
}

#[derive(Default)]
struct ParsedFile {
    rules: Vec<Rule>,
    problems: Vec<RuleProblem>,
    warnings: Vec<RuleProblem>,
}

fn parse_file(file: &str, text: &str, built_in: bool) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    if text.len() > MAX_RULE_FILE {
        parsed.problems.push(RuleProblem {
            file: file.to_owned(),
            rule: None,
            line: None,
            message: format!("file larger than {MAX_RULE_FILE} bytes"),
        });
        return parsed;
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        budget: serde_saphyr::budget! {
            max_depth: 16,
        },
    };
    let raw: RawFile = match serde_saphyr::from_str_with_options(text, options) {
        Ok(raw) => raw,
        Err(error) => {
            parsed.problems.push(RuleProblem {
                file: file.to_owned(),
                rule: None,
                line: None,
                message: format!("not a valid rule file: {error}"),
            });
            return parsed;
        }
    };
    let id_lines = id_lines(text);
    for raw_rule in raw.rules {
        let line = id_lines.get(raw_rule.id.as_str()).copied();
        let id_text = raw_rule.id.clone();
        match validate_rule(raw_rule, file, line, built_in, &mut parsed.warnings) {
            Ok(rule) => parsed.rules.push(rule),
            Err(message) => parsed.problems.push(RuleProblem {
                file: file.to_owned(),
                rule: Some(id_text),
                line,
                message,
            }),
        }
    }
    parsed
}

fn validate_rule(
    raw: RawRule,
    file: &str,
    line: Option<usize>,
    built_in: bool,
    warnings: &mut Vec<RuleProblem>,
) -> std::result::Result<Rule, String> {
    let id = RuleId::new(raw.id.as_str()).map_err(|e| e.to_string())?;
    let segments: Vec<&str> = id.as_str().split('.').collect();
    if segments.len() != 3 || segments[0] != "secrets" {
        return Err("id must read `secrets.<provider>.<name>`".to_owned());
    }
    if raw.name.trim().is_empty() {
        return Err("name is empty".to_owned());
    }
    let kind = match raw.kind.as_deref() {
        None | Some("secret") => RuleKind::Secret,
        Some("identifier") => RuleKind::Identifier,
        Some(other) => return Err(format!("unknown kind `{other}` (secret or identifier)")),
    };
    let name_anchored = match raw.anchor.as_deref() {
        None => false,
        Some("name") => true,
        Some(other) => return Err(format!("unknown anchor `{other}` (name)")),
    };
    // ASCII semantics first: secrets are ASCII, and Unicode-aware `(?i)`
    // and `\s` make the automata several times larger and slower. Patterns
    // that need Unicode classes fall back to Unicode mode. The syntax is
    // checked here; the automata are built on first use, or here for a
    // user rule, whose size limits must be reported at load.
    let (hir, unicode) = parse_pattern(&raw.pattern, false)
        .map(|hir| (hir, false))
        .or_else(|_| parse_pattern(&raw.pattern, true).map(|hir| (hir, true)))?;
    let compiled = OnceLock::new();
    if !built_in {
        let regex = compile(&raw.pattern, unicode).map_err(|e| pattern_error(&e))?;
        let _ = compiled.set(Some(regex));
    }
    let spans_lines = hir_matches_newline(&hir);
    if spans_lines && name_anchored {
        return Err("a name-anchored pattern must not match a line break".to_owned());
    }
    if spans_lines && id.as_str().starts_with("secrets.generic.") {
        warnings.push(RuleProblem {
            file: file.to_owned(),
            rule: Some(id.to_string()),
            line,
            message: "pattern can match a line break, so this generic rule runs on whole files \
                      instead of only the lines holding its keywords (slower); write [\\x20\\t] \
                      rather than \\s between key and value"
                .to_owned(),
        });
    }
    let groups = hir.properties().explicit_captures_len();
    let secret_group = match raw.secret_group {
        Some(g) if g > groups => {
            return Err(format!(
                "secret_group {g} does not exist (the pattern has {groups} groups)"
            ));
        }
        Some(g) => g,
        None if groups >= 1 => 1,
        None => 0,
    };
    let value = (secret_group > 0)
        .then(|| capture(&hir, secret_group as u32))
        .flatten();
    let value_prefix = value.map_or(0, literal_prefix);
    let value = value.filter(|value| !hir_matches_newline(value));
    let value_pattern = value.map(|value| format!("^(?:{value})$"));
    let loose_value_pattern = value.map(|value| format!("^(?:{})$", loosen(value, false)));
    let stretched_value_pattern = value
        .filter(|_| value_prefix >= STRETCH_PREFIX)
        .map(|value| format!("^(?:{})$", loosen(value, true)));
    if raw.keywords.is_empty() {
        return Err("needs at least one keyword".to_owned());
    }
    for keyword in &raw.keywords {
        if keyword.is_empty() || keyword.chars().any(|c| c.is_uppercase()) {
            return Err(format!(
                "keyword `{keyword}` must be non-empty and lowercase"
            ));
        }
        if keyword.len() < 3 {
            warnings.push(RuleProblem {
                file: file.to_owned(),
                rule: Some(id.to_string()),
                line,
                message: format!("keyword `{keyword}` is very short and will rarely filter"),
            });
        }
    }
    if let Some(entropy) = raw.min_entropy
        && !(0.0..=8.0).contains(&entropy)
    {
        return Err(format!(
            "min_entropy {entropy} is outside 0..=8 bits per character"
        ));
    }
    let validator = match raw.validate.as_deref() {
        None => None,
        Some(name) => Some(Validator::parse(name).ok_or_else(|| {
            format!(
                "unknown validator `{name}` (known: {})",
                Validator::NAMES.join(", ")
            )
        })?),
    };
    let pair = match raw.pair {
        None => None,
        Some(p) => Some(RuleId::new(p).map_err(|e| format!("pair: {e}"))?),
    };
    let examples: Vec<String> = raw.examples.into_iter().map(RawExample::join).collect();
    let negative_examples: Vec<String> = raw
        .negative_examples
        .into_iter()
        .map(RawExample::join)
        .collect();
    if examples.is_empty() {
        return Err("needs at least one example".to_owned());
    }
    if negative_examples.is_empty() {
        warnings.push(RuleProblem {
            file: file.to_owned(),
            rule: Some(id.to_string()),
            line,
            message: "has no negative example".to_owned(),
        });
    }
    Ok(Rule {
        id,
        name: raw.name,
        kind,
        name_anchored,
        pattern: raw.pattern,
        unicode,
        compiled,
        built_in,
        spans_lines,
        secret_group,
        value_pattern,
        value_compiled: OnceLock::new(),
        loose_value_pattern,
        loose_value_compiled: OnceLock::new(),
        stretched_value_pattern,
        stretched_value_compiled: OnceLock::new(),
        value_prefix,
        keywords: raw.keywords,
        severity: raw.severity,
        confidence: raw.confidence,
        min_entropy: raw.min_entropy,
        validator,
        pair,
        remediation: raw.remediation,
        references: raw.references,
        examples,
        negative_examples,
        file: file.to_owned(),
        line,
    })
}

/// Checks that ids are unique and pairs name existing rules; `known` holds
/// ids defined elsewhere (built-in rules when checking a user directory).
pub(crate) fn cross_check(
    rules: &[Rule],
    known: &BTreeSet<String>,
    problems: &mut Vec<RuleProblem>,
) -> Vec<bool> {
    let mut keep = vec![true; rules.len()];
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        if let Some(first) = seen.insert(rule.id.as_str(), i) {
            keep[i] = false;
            problems.push(RuleProblem {
                file: rule.file.clone(),
                rule: Some(rule.id.to_string()),
                line: rule.line,
                message: format!("duplicate id (first defined in {})", rules[first].file),
            });
        }
    }
    for (i, rule) in rules.iter().enumerate() {
        if let Some(pair) = &rule.pair
            && !seen.contains_key(pair.as_str())
            && !known.contains(pair.as_str())
        {
            keep[i] = false;
            problems.push(RuleProblem {
                file: rule.file.clone(),
                rule: Some(rule.id.to_string()),
                line: rule.line,
                message: format!("pair `{pair}` names no known rule"),
            });
        }
    }
    keep
}

/// A pattern's syntax tree, parsed as `regex::bytes` parses it, or why
/// it does not parse.
fn parse_pattern(
    pattern: &str,
    unicode: bool,
) -> std::result::Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(unicode)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| pattern_error(&e))
}

/// Whether a pattern can match a line break: a literal, class or `.`
/// with the `s` flag that admits `\n`.
#[cfg(test)]
fn can_match_newline(pattern: &str) -> bool {
    parse_pattern(pattern, false)
        .or_else(|_| parse_pattern(pattern, true))
        .is_ok_and(|hir| hir_matches_newline(&hir))
}

/// The sub-pattern of capture group `index`, if the pattern has it.
fn capture(hir: &regex_syntax::hir::Hir, index: u32) -> Option<&regex_syntax::hir::Hir> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(group) if group.index == index => Some(&group.sub),
        HirKind::Capture(group) => capture(&group.sub, index),
        HirKind::Repetition(repetition) => capture(&repetition.sub, index),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().find_map(|part| capture(part, index))
        }
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => None,
    }
}

/// The fewest bytes of fixed text a rule's values start with for a value
/// of another length to be named by it ([`Rule::stretched_value_regex`]).
const STRETCH_PREFIX: usize = 4;

/// A pattern with every character class widened to the URL-safe token
/// alphabet (ASCII letters, digits, `_` and `-`); literals and structure
/// kept, and repetition counts too unless `stretch`, which lets a run
/// whose most is 8 or more go on to twice that (never shorter: a shorter
/// run is a value cut short, not a newer format).
fn loosen(hir: &regex_syntax::hir::Hir, stretch: bool) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
        Repetition,
    };
    match hir.kind() {
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.union(&ClassBytes::new([
                ClassBytesRange::new(b'-', b'-'),
                ClassBytesRange::new(b'0', b'9'),
                ClassBytesRange::new(b'A', b'Z'),
                ClassBytesRange::new(b'_', b'_'),
                ClassBytesRange::new(b'a', b'z'),
            ]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.union(&ClassUnicode::new([
                ClassUnicodeRange::new('-', '-'),
                ClassUnicodeRange::new('0', '9'),
                ClassUnicodeRange::new('A', 'Z'),
                ClassUnicodeRange::new('_', '_'),
                ClassUnicodeRange::new('a', 'z'),
            ]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Repetition(repetition) => {
            let (min, max) = match repetition.max {
                Some(max) if stretch && max >= 8 => (repetition.min, Some(max.saturating_mul(2))),
                _ => (repetition.min, repetition.max),
            };
            Hir::repetition(Repetition {
                min,
                max,
                sub: Box::new(loosen(&repetition.sub, stretch)),
                ..repetition.clone()
            })
        }
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(loosen(&capture.sub, stretch)),
            ..capture.clone()
        }),
        HirKind::Concat(parts) => {
            Hir::concat(parts.iter().map(|part| loosen(part, stretch)).collect())
        }
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.iter().map(|part| loosen(part, stretch)).collect())
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
    }
}

/// The length of the shortest literal prefix of a pattern's matches; 0
/// when some match starts with a class.
fn literal_prefix(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    prefixes
        .literals()
        .and_then(|literals| literals.iter().map(|l| l.as_bytes().len()).min())
        .unwrap_or(0)
}

fn hir_matches_newline(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(literal) => literal.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Repetition(repetition) => {
            repetition.max != Some(0) && hir_matches_newline(&repetition.sub)
        }
        HirKind::Capture(capture) => hir_matches_newline(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().any(hir_matches_newline)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::can_match_newline;

    #[test]
    fn line_breaks_are_seen_through_classes_literals_and_flags() {
        for spans in [
            r"key\s*=\s*(\w+)",
            r"a\nb",
            r"(?s)key.+",
            r"[^a]+",
            r"(?m)^x$\n?",
        ] {
            assert!(can_match_newline(spans), "{spans}");
        }
        for stays in [
            r"key[\x20\t]*=[\x20\t]*([^\s\x22]+)",
            r"key.+",
            r"(?i)\bbearer[ \t]+([a-z0-9]{20,})",
            r"x\n{0}y",
            r"(?x) a [b-z] # a comment",
        ] {
            assert!(!can_match_newline(stays), "{stays}");
        }
    }
}

//! The matcher: one keyword prefilter over all rules, then only the
//! candidate rules' patterns, then entropy, placeholder, generic and
//! validator checks, overlap resolution, pairs and decoded layers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use diligence_model::{Confidence, Redacted};

use crate::archive;
use crate::decode;
use crate::error::{Error, Result, RuleProblem};
use crate::filters;
use crate::fingerprint::Fingerprinter;
use crate::rules::{self, Rule, RulesReport};
use crate::sealed::SealedSecret;
use crate::validate::Validator;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// The built-in rule files: (file name, YAML text), sorted by name.
pub fn builtin_rule_files() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_RULE_FILES
}

/// The built-in rule files as (file name under `rules/`, text) pairs.
fn builtin_sources() -> Vec<(String, String)> {
    builtin_rule_files()
        .iter()
        .map(|(name, text)| (format!("rules/{name}"), (*text).to_owned()))
        .collect()
}

/// The built-in rules' ids and names, without compiling anything: what a
/// catalog needs.
pub(crate) fn builtin_rule_names() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN_RULE_NAMES
}

/// A validated set of rules with its keyword prefilter.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    prefilter: AhoCorasick,
    keyword_rules: Vec<Vec<usize>>,
    /// Per rule: its keywords' indices in the prefilter.
    rule_keywords: Vec<Vec<usize>>,
    /// Per keyword: whether a line-local rule uses it.
    keyword_line_local: Vec<bool>,
    /// Keywords that begin with a separator (`" ion_"`), with what follows
    /// it (lowercase): found at the start of a text too.
    leading: Vec<(usize, Vec<u8>)>,
    by_id: BTreeMap<String, usize>,
    /// Per provider name (lowercase, without dashes): its rules that can
    /// name a generic value of their shape ([`Engine::attribute`]).
    by_provider: HashMap<String, Vec<usize>>,
}

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> Result<Self> {
        Self::load(&[])
    }

    /// The built-in rules plus every rule file in `dirs`. The built-in
    /// rules' patterns compile on first use and their examples are not run
    /// again (the test suite runs them); every user rule is checked whole.
    pub fn load(dirs: &[PathBuf]) -> Result<Self> {
        let mut files = builtin_sources();
        let built_in = files.len();
        for dir in dirs {
            files.extend(rules::read_rule_dir(dir)?);
        }
        Self::checked(&files, built_in)
    }

    /// Rules from (file name, YAML text) pairs. Every problem is an error,
    /// including examples that do not match.
    pub fn from_sources(files: &[(String, String)]) -> Result<Self> {
        Self::checked(files, 0)
    }

    fn checked(files: &[(String, String)], built_in: usize) -> Result<Self> {
        let (set, report) = Self::build(files, &BTreeSet::new(), built_in);
        if !report.errors.is_empty() {
            return Err(Error::InvalidRules(report.errors));
        }
        set
    }

    fn build(
        files: &[(String, String)],
        known: &BTreeSet<String>,
        built_in: usize,
    ) -> (Result<Self>, RulesReport) {
        let mut report = RulesReport {
            files: files.len(),
            ..RulesReport::default()
        };
        let parsed = rules::parse_files(files, built_in, &mut report.errors, &mut report.warnings);
        let keep = rules::cross_check(&parsed, known, &mut report.errors);
        let rules: Vec<Rule> = parsed
            .into_iter()
            .zip(keep)
            .filter_map(|(rule, keep)| keep.then_some(rule))
            .collect();
        let set = match Self::assemble(rules) {
            Ok(set) => set,
            Err(error) => return (Err(error), report),
        };
        let failing = set.check_examples(&mut report.errors);
        report.rules = set.rules.len() - failing;
        (Ok(set), report)
    }

    fn assemble(rules: Vec<Rule>) -> Result<Self> {
        let mut keywords: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, rule) in rules.iter().enumerate() {
            for keyword in &rule.keywords {
                keywords.entry(keyword.clone()).or_default().push(i);
            }
        }
        // Only a separator before a word: `://` at a text's start is no
        // keyword's place.
        let leading = keywords
            .keys()
            .enumerate()
            .filter_map(|(k, keyword)| {
                let (&first, tail) = keyword.as_bytes().split_first()?;
                (!first.is_ascii_alphanumeric()
                    && first != b'_'
                    && tail.first().is_some_and(u8::is_ascii_alphanumeric))
                .then(|| (k, tail.to_ascii_lowercase()))
            })
            .collect();
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // A full DFA: the overlapping search runs over every byte of
            // every blob, and a few hundred keywords keep the table small.
            .kind(Some(AhoCorasickKind::DFA))
            .build(keywords.keys())
            .map_err(|e| Error::Prefilter(e.to_string()))?;
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.to_string(), i))
            .collect();
        let keyword_rules: Vec<Vec<usize>> = keywords.into_values().collect();
        let mut rule_keywords = vec![Vec::new(); rules.len()];
        for (k, users) in keyword_rules.iter().enumerate() {
            for &r in users {
                rule_keywords[r].push(k);
            }
        }
        let keyword_line_local = keyword_rules
            .iter()
            .map(|users| users.iter().any(|&r| line_local(&rules[r])))
            .collect();
        let mut by_provider: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, rule) in rules.iter().enumerate() {
            // A value read out of a larger structure (a connection URL's
            // password, the URL rules' second group after the user) has no
            // shape of its own to recognise.
            if rule.kind == rules::RuleKind::Secret
                && !rule.is_generic()
                && rule.has_value_pattern()
                && rule.secret_group <= 1
            {
                by_provider
                    .entry(rule.provider().replace('-', ""))
                    .or_default()
                    .push(i);
            }
        }
        Ok(Self {
            rules,
            prefilter,
            keyword_rules,
            rule_keywords,
            keyword_line_local,
            leading,
            by_id,
            by_provider,
        })
    }

    /// Runs every rule that is not built in on its own examples; returns
    /// how many rules failed.
    fn check_examples(&self, problems: &mut Vec<RuleProblem>) -> usize {
        if self.rules.iter().all(|rule| rule.built_in) {
            return 0;
        }
        let engine = Engine::with_rules(self.clone(), EngineOptions::default());
        let mut failing = 0;
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.built_in {
                continue;
            }
            let mut failed = false;
            let mut problem = |message: String| {
                problems.push(RuleProblem {
                    file: rule.file.clone(),
                    rule: Some(rule.id.to_string()),
                    line: rule.line,
                    message,
                });
            };
            for (n, example) in rule.examples.iter().enumerate() {
                if !engine.rule_matches(index, example.as_bytes()) {
                    failed = true;
                    problem(format!(
                        "example {} does not match (after filters and validators)",
                        n + 1
                    ));
                }
            }
            for (n, example) in rule.negative_examples.iter().enumerate() {
                if engine.rule_matches(index, example.as_bytes()) {
                    failed = true;
                    problem(format!("negative example {} matches", n + 1));
                }
            }
            failing += usize::from(failed);
        }
        failing
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }
}

/// Checks a directory of user rules the way `diligence rules check DIR`
/// does: grammar, patterns, keywords, groups, entropy, unique ids (also
/// against the built-in rules), pairs, examples and negative examples.
/// `Err` only when the directory cannot be read.
pub fn check_rules_dir(dir: &Path) -> Result<RulesReport> {
    let files = rules::read_rule_dir(dir)?;
    let known: BTreeSet<String> = builtin_rule_names()
        .iter()
        .map(|(id, _)| (*id).to_owned())
        .collect();
    let (_, mut report) = RuleSet::build(&files, &BTreeSet::new(), 0);
    // Ids that shadow a built-in rule would be rejected when loaded together.
    let parsed = rules::parse_files(&files, 0, &mut Vec::new(), &mut Vec::new());
    for rule in parsed {
        if known.contains(rule.id.as_str()) {
            report.errors.push(RuleProblem {
                file: rule.file.clone(),
                rule: Some(rule.id.to_string()),
                line: rule.line,
                message: "id already used by a built-in rule".to_owned(),
            });
        }
    }
    // Pairs may name built-in rules: drop the errors those would raise.
    report.errors.retain(|p| {
        !(p.message.starts_with("pair `")
            && p.message
                .split('`')
                .nth(1)
                .is_some_and(|id| known.contains(id)))
    });
    report.files = files.len();
    Ok(report)
}

/// Engine limits and switches.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineOptions {
    /// Blobs larger than this are skipped and counted.
    pub max_blob_size: u64,
    /// Decode base64 and percent-encoded layers and scan them too.
    pub decode_layers: bool,
    /// Decoded bytes allowed per blob.
    pub layer_budget: usize,
    /// Matches kept per rule per blob (minified bundles can repeat a value).
    pub max_matches_per_rule: usize,
    /// The fingerprint key.
    pub fingerprint_key: Vec<u8>,
    /// Decompressed bytes one archive blob (zip, jar, tar, gzip) may expand
    /// to, nested members included; inflating is linear in its output, so
    /// this bounds time too.
    pub archive_bytes: usize,
    /// Members one archive blob may expand to.
    pub archive_members: usize,
    /// Reads every history version whole, rather than what it added to the
    /// version it replaced at the same path. The findings are the same; a
    /// value an edit kept is then also placed in every version that kept
    /// it, and the scan reads many times the bytes.
    pub history_whole: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            max_blob_size: 8 * 1024 * 1024,
            decode_layers: true,
            layer_budget: 256 * 1024,
            max_matches_per_rule: 256,
            fingerprint_key: crate::fingerprint::DEFAULT_FINGERPRINT_KEY.to_vec(),
            archive_bytes: 32 * 1024 * 1024,
            archive_members: 4096,
            history_whole: false,
        }
    }
}

/// One rule hit in one blob. It holds the secret only masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in the [`RuleSet`].
    pub rule: usize,
    /// The masked secret with its fingerprint.
    pub secret: Redacted,
    /// First line, 1-based.
    pub line: u32,
    /// Last line, 1-based.
    pub end_line: u32,
    /// Confidence after validators and pairs.
    pub confidence: Confidence,
    /// A validator passed.
    pub validated: bool,
    /// A companion rule matched nearby.
    pub paired: bool,
    /// A `diligence:allow` comment sits on the same or the previous line.
    pub allowed_inline: bool,
    /// The value is assigned to a client-exposed variable (`NEXT_PUBLIC_` ...).
    pub client_variable: bool,
    /// Found inside an encoded layer (`base64`, `percent`).
    pub decoded: Option<&'static str>,
    /// The archive member it was found in (`dir/file`, nested archives
    /// joined with `!`); `None` outside archives.
    pub member: Option<String>,
    /// When the value lapses: a JSON Web Token's `exp` claim, or the expiry
    /// of the presigned URL with temporary credentials that holds it; in
    /// seconds since the epoch.
    pub expires: Option<i64>,
    /// The value sits in the `development` or `test` section of a YAML
    /// file of per-environment settings (Rails' `secrets.yml`,
    /// `database.yml`): a value of those environments, not production's.
    pub dev_section: bool,
    /// The raw value, sealed: read only by the live validator.
    pub(crate) sealed: SealedSecret,
    start: usize,
    end: usize,
    /// The rule read more than the value and a boundary around it: a name,
    /// a header, the configuration object it stands in.
    in_context: bool,
    /// A generic rule found the value and the provider's name in the
    /// assignment's name gave it this rule ([`Engine::attribute`]).
    named: bool,
}

/// What scanning one blob gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobOutcome {
    /// Scanned; the matches, possibly none.
    Scanned(Vec<Match>),
    /// NUL bytes in the first 8 KiB: not scanned.
    Binary,
    /// Over the size cap: not scanned.
    TooLarge,
    /// An archive: the matches of its text members, and whether the byte
    /// or member budget stopped the expansion before the end.
    Archive {
        /// Matches, each naming its member.
        matches: Vec<Match>,
        /// The budget ran out; later members were not scanned.
        truncated: bool,
    },
    /// A PDF: the matches of its extracted text, and whether the byte or
    /// stream budget stopped the extraction before the end.
    Pdf {
        /// Matches, each naming its part (`page 3`, `text`, `metadata`).
        matches: Vec<Match>,
        /// The budget ran out; later streams were not read.
        truncated: bool,
    },
}

impl BlobOutcome {
    /// The matches, whatever the kind of blob (none when not scanned).
    pub fn into_matches(self) -> Vec<Match> {
        match self {
            Self::Scanned(matches) | Self::Archive { matches, .. } | Self::Pdf { matches, .. } => {
                matches
            }
            Self::Binary | Self::TooLarge => Vec::new(),
        }
    }
}

/// The scanning engine: a rule set, options and a fingerprint key.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: RuleSet,
    options: EngineOptions,
    fingerprinter: Fingerprinter,
}

const CLIENT_PREFIXES: &[&[u8]] = &[b"NEXT_PUBLIC_", b"VITE_", b"REACT_APP_", b"EXPO_PUBLIC_"];

pub(crate) const PAIR_DISTANCE_LINES: u32 = 10;
/// Rule families that recognise a format any provider may use; a
/// provider's own rule on the same text is more specific.
const FORMAT_FAMILIES: &[&str] = &[
    "jwt",
    "private-key",
    "postgres",
    "mysql",
    "mongodb",
    "redis",
    "jdbc",
    "rabbitmq",
];
/// The most words of a name that together spell a provider's name
/// (`send_grid`, `launch-darkly`, `uptime_robot`).
const PROVIDER_NAME_WORDS: usize = 3;
const BINARY_PROBE: usize = 8 * 1024;

struct Lines<'a> {
    data: &'a [u8],
    newlines: Option<Vec<usize>>,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            newlines: None,
        }
    }

    /// 1-based line of a byte offset.
    fn line(&mut self, offset: usize) -> u32 {
        let data = self.data;
        let newlines = self
            .newlines
            .get_or_insert_with(|| memchr::memchr_iter(b'\n', data).collect());
        let n = newlines.partition_point(|&p| p < offset);
        u32::try_from(n + 1).unwrap_or(u32::MAX)
    }

    /// Byte range of the line holding `offset`.
    fn line_span(&self, offset: usize) -> (usize, usize) {
        let start = memchr::memrchr(b'\n', &self.data[..offset]).map_or(0, |p| p + 1);
        let end =
            memchr::memchr(b'\n', &self.data[offset..]).map_or(self.data.len(), |p| offset + p);
        (start, end)
    }
}

fn raise(c: Confidence) -> Confidence {
    match c {
        Confidence::Low => Confidence::Medium,
        _ => Confidence::High,
    }
}

impl Engine {
    /// An engine with the built-in rules and default options.
    pub fn builtin() -> Result<Self> {
        Ok(Self::with_rules(
            RuleSet::builtin()?,
            EngineOptions::default(),
        ))
    }

    /// An engine with the given rules and options.
    pub fn with_rules(rules: RuleSet, options: EngineOptions) -> Self {
        let fingerprinter = Fingerprinter::new(&options.fingerprint_key);
        Self {
            rules,
            options,
            fingerprinter,
        }
    }

    /// The rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The fingerprint of a secret value under this engine's key.
    pub fn fingerprint(&self, secret: &str) -> String {
        self.fingerprinter.fingerprint(secret.as_bytes())
    }

    /// The fingerprint of raw bytes (key files).
    pub fn fingerprint_bytes(&self, data: &[u8]) -> String {
        self.fingerprinter.fingerprint(data)
    }

    /// Scans one blob. `path` feeds the path filters of generic rules.
    pub fn scan(&self, data: &[u8], path: &str) -> BlobOutcome {
        if data.len() as u64 > self.options.max_blob_size {
            return BlobOutcome::TooLarge;
        }
        if archive::is_archive(data) {
            return self.scan_archive(data, path);
        }
        if crate::pdf::is_pdf(data) {
            let mut budget = archive::Budget {
                bytes: self.options.archive_bytes,
                members: self.options.archive_members,
            };
            if let Some((matches, truncated)) = self.scan_pdf(data, path, &mut budget) {
                return BlobOutcome::Pdf { matches, truncated };
            }
        }
        if is_binary(data) {
            return BlobOutcome::Binary;
        }
        if filters::is_lockfile(path) {
            let spans = filters::lockfile_credential_lines(data);
            return BlobOutcome::Scanned(self.scan_spans(data, &spans, path));
        }
        BlobOutcome::Scanned(self.scan_plain(data, path))
    }

    /// Whether a history version is scanned whole, never against the
    /// version it replaced: too large (then skipped), an archive, a PDF,
    /// or binary.
    fn reads_whole(&self, data: &[u8]) -> bool {
        data.len() as u64 > self.options.max_blob_size
            || archive::is_archive(data)
            || crate::pdf::is_pdf(data)
            || is_binary(data)
    }

    /// Scans a history version that replaced `base` at its path, reading
    /// the base only where it decides something: as
    /// [`scan_delta`](Self::scan_delta) where the base can be read, else as
    /// [`scan`](Self::scan). Content scanned whole (too large, an archive, a
    /// PDF, binary) never reads it. A lockfile version is read only where
    /// it differs from its base: most of a history's bytes can be versions
    /// of a lockfile, each a few entries away from the one before, whose
    /// base the pack cache still holds.
    pub fn scan_version<'b>(
        &self,
        data: &[u8],
        path: &str,
        base: impl FnOnce() -> Option<&'b [u8]>,
    ) -> BlobOutcome {
        if self.reads_whole(data) {
            return self.scan(data, path);
        }
        let base = || base().filter(|b| b.len() as u64 <= self.options.max_blob_size);
        match base() {
            Some(base) => self.scan_delta(data, base, path),
            None => self.scan(data, path),
        }
    }

    /// Scans what a history version added to its `base` (the version it
    /// replaced at the same path): only matches that touch a line the base
    /// did not hold are returned, the rest were found in the base. Reads
    /// the added lines with two lines either side, and as far as pairs
    /// reach where something is found; archives, PDFs and binary content
    /// are scanned as by [`scan`](Self::scan).
    pub fn scan_delta(&self, data: &[u8], base: &[u8], path: &str) -> BlobOutcome {
        if self.reads_whole(data) || is_binary(base) {
            return self.scan(data, path);
        }
        if filters::is_lockfile(path) {
            // The credential lines of a lockfile the base did not hold.
            let spans = crate::delta::lockfile_added(data, base);
            return BlobOutcome::Scanned(self.scan_spans(data, &spans, path));
        }
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let yaml = filters::is_yaml_path(&name);
        let mut delta = crate::delta::delta(data, base, yaml, crate::delta::NARROW_CONTEXT_LINES);
        let mut matches = match &delta {
            crate::delta::Delta::Whole { .. } => self.scan_plain(data, path),
            crate::delta::Delta::Selected { text, lines, .. } => {
                self.scan_selection(text, lines, path)
            }
        };
        if !matches.is_empty() && matches!(delta, crate::delta::Delta::Selected { .. }) {
            // Found something: read again as far as pairs reach.
            delta = crate::delta::delta(data, base, yaml, crate::delta::CONTEXT_LINES);
            if let crate::delta::Delta::Selected { text, lines, .. } = &delta {
                matches = self.scan_selection(text, lines, path);
            }
        }
        // A value of an unchanged line was found in the base; it stays only
        // when an added value pairs with it here, as a whole read finds.
        let added_pairs: Vec<u32> = matches
            .iter()
            .filter(|m| m.paired && delta.touches_added(m.line, m.end_line))
            .map(|m| m.line)
            .collect();
        matches.retain(|m| {
            delta.touches_added(m.line, m.end_line)
                || (m.paired
                    && added_pairs
                        .iter()
                        .any(|&line| line.abs_diff(m.line) <= PAIR_DISTANCE_LINES))
        });
        BlobOutcome::Scanned(matches)
    }

    /// Scans some lines of `data` (byte spans without their line break, in
    /// order) as one text; the matches carry their lines in `data`. Lines
    /// are numbered only for what is found: the spans of a lockfile are a
    /// few lines spread over a long file.
    fn scan_spans(&self, data: &[u8], spans: &[(usize, usize)], path: &str) -> Vec<Match> {
        if spans.is_empty() {
            return Vec::new();
        }
        // Spans one line break apart stay neighbours; others are parted by
        // a blank line, which belongs to no line of `data`.
        let mut text = Vec::new();
        let mut starts: Vec<Option<usize>> = Vec::with_capacity(spans.len());
        let mut previous_end: Option<usize> = None;
        for &(s, e) in spans {
            if previous_end.is_some_and(|p| p + 1 != s) {
                text.push(b'\n');
                starts.push(None);
            }
            text.extend_from_slice(&data[s..e]);
            text.push(b'\n');
            starts.push(Some(s));
            previous_end = Some(e);
        }
        let mut lines = Lines::new(data);
        self.scan_mapped(&text, path, |line| {
            let start = starts.get(usize::try_from(line).ok()?.checked_sub(1)?)?;
            Some(lines.line((*start)?))
        })
    }

    /// Scans a selection of a blob's lines (see [`crate::delta::select`])
    /// and gives each match its line in the blob; a match that starts on a
    /// separator is dropped.
    fn scan_selection(&self, text: &[u8], lines: &[u32], path: &str) -> Vec<Match> {
        if text.is_empty() {
            return Vec::new();
        }
        self.scan_mapped(text, path, |line| {
            let number = *lines.get(usize::try_from(line).ok()?.checked_sub(1)?)?;
            (number != 0).then_some(number)
        })
    }

    /// Scans a text made of some lines of a blob and gives each match the
    /// blob line `line_of` maps its text line to; a match that starts on a
    /// line of no blob line (a separator) is dropped.
    fn scan_mapped(
        &self,
        text: &[u8],
        path: &str,
        mut line_of: impl FnMut(u32) -> Option<u32>,
    ) -> Vec<Match> {
        let mut found = self.scan_plain(text, path);
        found.retain_mut(|m| {
            let Some(first) = line_of(m.line) else {
                return false;
            };
            let last = line_of(m.end_line.max(m.line)).unwrap_or(first);
            m.line = first;
            m.end_line = last.max(first);
            true
        });
        found
    }

    /// Scans the text members of an archive under the archive budget.
    fn scan_archive(&self, data: &[u8], path: &str) -> BlobOutcome {
        let mut budget = archive::Budget {
            bytes: self.options.archive_bytes,
            members: self.options.archive_members,
        };
        let expansion = archive::expand(data, path, &mut budget);
        let mut matches = Vec::new();
        let mut pdf_truncated = false;
        for member in expansion.members {
            if member.data.len() as u64 <= self.options.max_blob_size
                && crate::pdf::is_pdf(&member.data)
                && let Some((found, cut)) = self.scan_pdf(&member.data, &member.name, &mut budget)
            {
                pdf_truncated |= cut;
                for mut m in found {
                    m.member = Some(match m.member.take() {
                        Some(part) => format!("{}!{part}", member.name),
                        None => member.name.clone(),
                    });
                    matches.push(m);
                }
                continue;
            }
            if member.data.len() as u64 > self.options.max_blob_size || is_binary(&member.data) {
                continue;
            }
            for mut m in self.scan_plain(&member.data, &member.name) {
                m.member = Some(member.name.clone());
                matches.push(m);
            }
        }
        BlobOutcome::Archive {
            matches,
            truncated: expansion.truncated || pdf_truncated,
        }
    }

    /// Scans the text of a PDF (what its pages draw, other text streams,
    /// object strings and metadata) under `budget`; each match names its
    /// part (`page 3`, `text`, `metadata`) and has its line in that part's
    /// text. A PDF without NUL bytes early on is also scanned as it is, so
    /// that extraction never hides what a plain scan finds. `None` when
    /// the PDF cannot be read (encrypted, no objects): scan it as any blob.
    fn scan_pdf(
        &self,
        data: &[u8],
        path: &str,
        budget: &mut archive::Budget,
    ) -> Option<(Vec<Match>, bool)> {
        let extraction = crate::pdf::extract(data, budget)?;
        let mut matches = Vec::new();
        let mut seen = BTreeSet::new();
        for part in extraction.parts {
            for mut m in self.scan_plain(&part.text, path) {
                seen.insert((m.rule, m.secret.fingerprint().to_owned()));
                m.member = Some(part.label.clone());
                matches.push(m);
            }
        }
        if !is_binary(data) {
            let raw = self.scan_plain(data, path);
            matches.extend(
                raw.into_iter()
                    .filter(|m| !seen.contains(&(m.rule, m.secret.fingerprint().to_owned()))),
            );
        }
        Some((matches, extraction.truncated))
    }

    /// Scans text: patterns, then decoded layers.
    fn scan_plain(&self, data: &[u8], path: &str) -> Vec<Match> {
        // Sealed secrets are ciphertext only the cluster can open: safe to
        // commit by design, so nothing in them is reported.
        let sealed = decode::sealed_secret_ranges(data);
        let in_sealed = |at: usize| sealed.iter().any(|&(s, e)| s <= at && at < e);
        let mut matches = self.scan_text(data, path, None, false);
        matches.retain(|m| !in_sealed(m.start));
        if self.options.decode_layers {
            let mut lines = Lines::new(data);
            let mut seen: BTreeSet<String> = matches
                .iter()
                .map(|m| m.secret.fingerprint().to_owned())
                .collect();
            // A rule that can span lines and already matched a line in its
            // escaped form (a PEM block in a string literal) is not
            // reported again unescaped; values of line rules agree escaped
            // or not (they end at the escape) and meet in `seen`.
            let raw: BTreeSet<(usize, u32)> = matches.iter().map(|m| (m.rule, m.line)).collect();
            let raw_provider_lines: BTreeSet<u32> = matches
                .iter()
                .filter(|m| !self.rules.rules[m.rule].is_generic())
                .map(|m| m.line)
                .collect();
            // Lines where a provider rule already read a PEM block in its
            // escaped form (a service-account file's `"private_key"`): the
            // block unescaped is the same key.
            let raw_pem: BTreeSet<u32> = matches
                .iter()
                .filter(|m| {
                    !self.rules.rules[m.rule].is_generic() && m.secret.prefix().starts_with("----")
                })
                .map(|m| m.line)
                .collect();
            let budget = self.options.layer_budget;
            let mut layers = decode::layers(data, 20, budget);
            layers.extend(decode::escape_layers(data, budget));
            layers.extend(decode::structure_layers(data, path, budget));
            for layer in layers {
                for mut inner in self.scan_text(&layer.data, path, None, true) {
                    let at = usize::try_from(inner.line)
                        .ok()
                        .and_then(|n| layer.line_offsets.get(n.checked_sub(1)?))
                        .copied()
                        .unwrap_or(layer.offset);
                    if in_sealed(at) {
                        continue;
                    }
                    let line = lines.line(at);
                    let (start, end) = lines.line_span(at);
                    let allowed = has_allow(data, start, end, &lines);
                    if layer.encoding == "escapes"
                        && self.rules.rules[inner.rule].spans_lines
                        && (raw.contains(&(inner.rule, line)) || raw_pem.contains(&line))
                    {
                        continue;
                    }
                    // A rule that read the line percent-encoded (an Azure
                    // SAS's `sig=…%3D`, whose class takes `%`) read the same
                    // value: decoded, it is not another.
                    if layer.encoding == "percent" && raw.contains(&(inner.rule, line)) {
                        continue;
                    }
                    // Nor does a generic rule read decoded what a provider
                    // rule read on the line as written: a connection URL's
                    // password `%40`-encoded decodes to an `@` that cuts
                    // the URL elsewhere, another reading of the same value.
                    if layer.encoding == "percent"
                        && self.rules.rules[inner.rule].is_generic()
                        && raw_provider_lines.contains(&line)
                    {
                        continue;
                    }
                    if layer.replaces {
                        matches.retain(|m| {
                            !(m.rule == inner.rule && m.line == line && m.decoded.is_none())
                        });
                    }
                    // A provider rule that reads the value in a layer names it
                    // better than a generic rule that saw it raw: it replaces
                    // the generic finding of the same value. So does a rule
                    // of the provider a name gives a format's value (a JWT
                    // under `setx WRIKE_API_TOKEN`), unless the format's
                    // reading weighs more (a JWT's privileged role).
                    let inner_rule = &self.rules.rules[inner.rule];
                    if !inner_rule.is_generic() {
                        let fingerprint = inner.secret.fingerprint();
                        let names_provider = !FORMAT_FAMILIES.contains(&inner_rule.provider());
                        let generic_at = |m: &Match| {
                            let rule = &self.rules.rules[m.rule];
                            m.secret.fingerprint() == fingerprint
                                && (rule.is_generic()
                                    || names_provider
                                        && FORMAT_FAMILIES.contains(&rule.provider())
                                        && rule.severity <= inner_rule.severity)
                        };
                        if matches.iter().any(generic_at) {
                            matches.retain(|m| !generic_at(m));
                            seen.remove(fingerprint);
                        }
                    }
                    if !seen.insert(inner.secret.fingerprint().to_owned()) {
                        continue;
                    }
                    inner.line = line;
                    inner.end_line = line;
                    inner.decoded = (layer.encoding != "structure").then_some(layer.encoding);
                    inner.allowed_inline |= allowed;
                    matches.push(inner);
                }
            }
        }
        matches.sort_by_key(|m| (m.line, m.rule, m.start));
        matches
    }

    /// Whether one rule alone produces a match on `text` (examples check).
    pub(crate) fn rule_matches(&self, rule: usize, text: &[u8]) -> bool {
        !self
            .scan_text(text, "example.txt", Some(rule), false)
            .is_empty()
    }

    /// The rules whose keywords occur in `data`, and the lines (byte
    /// ranges, merged) holding a keyword of a line-local rule.
    fn candidates(&self, data: &[u8]) -> Candidates {
        let mut candidate = vec![false; self.rules.rules.len()];
        let mut keyword_seen = vec![false; self.rules.keyword_rules.len()];
        let mut hits: Vec<Hit> = Vec::new();
        let mut line: Option<(usize, usize)> = None;
        // A keyword that begins with the separator before a token (`"\nion_"`)
        // also stands at the start of the text, where nothing precedes it.
        let leading = self
            .rules
            .leading
            .iter()
            .filter(|(_, tail)| {
                data.get(..tail.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(tail))
            })
            .map(|&(k, ref tail)| (k, 0, tail.len()));
        let found = self
            .rules
            .prefilter
            .find_overlapping_iter(data)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()));
        for (k, start, end) in leading.chain(found) {
            if !keyword_seen[k] {
                keyword_seen[k] = true;
                for &r in &self.rules.keyword_rules[k] {
                    candidate[r] = true;
                }
            }
            if self.rules.keyword_line_local[k] {
                // The keyword's last byte: its first may be the line break
                // before the line it is on.
                let at = end.max(start + 1) - 1;
                let line = match line {
                    Some((start, end)) if start <= at && at <= end => (start, end),
                    _ => {
                        let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
                        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
                        *line.insert((start, end))
                    }
                };
                let near = if line.1 - line.0 > LONG_LINE {
                    near_keyword(data, at, line.0, line.1)
                } else {
                    line
                };
                hits.push(Hit { keyword: k, near });
            }
        }
        // By keyword, then by place: a rule finds its keywords' hits by
        // binary search.
        hits.sort_unstable_by_key(|hit| (hit.keyword, hit.near));
        hits.dedup_by_key(|hit| (hit.keyword, hit.near));
        Candidates {
            rules: candidate,
            hits,
        }
    }

    /// The spans a line-local rule reads: the lines holding one of its own
    /// keywords (a match holds its keyword and never spans a line), or on
    /// a long line (a minified bundle), the part around each keyword: a
    /// generic assignment, like a name-anchored one, lies within a few
    /// hundred bytes of its keyword.
    fn rule_spans(&self, candidates: &Candidates, rule: usize) -> Vec<(usize, usize)> {
        let hits = &candidates.hits;
        let mut spans = Vec::new();
        for &k in &self.rules.rule_keywords[rule] {
            let from = hits.partition_point(|hit| hit.keyword < k);
            let to = from + hits[from..].partition_point(|hit| hit.keyword == k);
            spans.extend(hits[from..to].iter().map(|hit| hit.near));
        }
        merged(spans)
    }

    /// The matches of the rules (or of `only`) in `data`, a blob's text or
    /// a `layer` decoded from it (whose lines are made, not written: a
    /// value there stands without its quotes).
    fn scan_text(&self, data: &[u8], path: &str, only: Option<usize>, layer: bool) -> Vec<Match> {
        let candidates = match only {
            Some(rule) => {
                let mut rules = vec![false; self.rules.rules.len()];
                rules[rule] = true;
                Candidates {
                    rules,
                    hits: Vec::new(),
                }
            }
            None => self.candidates(data),
        };
        let candidate = &candidates.rules;
        let whole = [(0, data.len())];
        if !candidate.iter().any(|&c| c) {
            return Vec::new();
        }
        let generic_path_excluded = filters::generic_path_excluded(path);
        let mut lines = Lines::new(data);
        let mut found = Vec::new();
        for (index, rule) in self.rules.rules.iter().enumerate() {
            if !candidate[index] || (rule.reads_names() && generic_path_excluded) {
                continue;
            }
            let Some(regex) = rule.regex() else {
                continue;
            };
            // A line-local rule runs only on the lines holding one of its
            // keywords: its match contains its keyword and never spans a
            // newline, so this finds exactly what a scan of the whole blob
            // finds. A name-anchored rule's match lies within a few hundred
            // bytes of its keyword: on a long line (a minified bundle, a
            // translation file on one line) it reads only around each one.
            let spans: std::borrow::Cow<'_, [(usize, usize)]> =
                if only.is_none() && line_local(rule) {
                    self.rule_spans(&candidates, index).into()
                } else {
                    whole[..].into()
                };
            let mut kept = 0;
            for &(offset, span_end) in spans.iter() {
                for caps in regex.captures_iter(&data[offset..span_end]) {
                    if kept >= self.options.max_matches_per_rule {
                        break;
                    }
                    let Some(group) = caps.get(rule.secret_group) else {
                        continue;
                    };
                    let mut group = Span {
                        start: offset + group.start(),
                        end: offset + group.end(),
                        text: group.as_bytes(),
                    };
                    // A URL query's parameter (`?api_key=…&format=json`):
                    // its value ends at the next `&`, which begins the next
                    // parameter (in HTML, `&amp;`). Cut there, the rest must
                    // still be a value.
                    if rule.is_generic()
                        && caps.get(0).is_some_and(|whole| {
                            filters::is_query_separator(data, offset + whole.start())
                        })
                        && let Some(amp) = memchr::memchr(b'&', group.text)
                    {
                        group.text = &group.text[..amp];
                        group.end = group.start + amp;
                        if !rule.value_regex().is_some_and(|r| r.is_match(group.text)) {
                            continue;
                        }
                    }
                    let Ok(secret) = std::str::from_utf8(group.text) else {
                        continue;
                    };
                    let Some((confidence, validated)) = self.judge(rule, secret) else {
                        continue;
                    };
                    // Inside a `data:…;base64,` payload the text is the
                    // encoding of a file (a font, an image); a token's shape
                    // there is chance. The decoded layers read what it holds.
                    if filters::in_data_uri(data, group.start)
                        || filters::in_github_asset_url(data, group.start)
                    {
                        continue;
                    }
                    // A call's keyword arguments (`StrictRedis(host=url.hostname,
                    // port=url.port, password=url.password)`) are not a
                    // connection string, whose pairs `, ` never separates.
                    if rule.is_connection_string()
                        && caps.get(0).is_some_and(|whole| {
                            filters::keyword_arguments(&data[offset + whole.start()..group.start])
                        })
                    {
                        continue;
                    }
                    // A JSON Web Token in the query of a URL on this machine
                    // (`http://localhost:3000/verify?token=eyJ…`) was signed
                    // by the developer's own server, as a generic value there
                    // is ([`filters::in_local_url`]).
                    if rule.provider() == "jwt"
                        && let Some(separator) = filters::query_parameter_start(data, group.start)
                        && filters::in_local_url(data, separator, group.start)
                    {
                        continue;
                    }
                    // A generic value that ends its match runs to its end:
                    // one cut at the rule's length limit is a longer blob (a
                    // ciphertext, a bundle).
                    if rule.is_generic()
                        && caps.get(0).is_some_and(|w| offset + w.end() == group.end)
                        && data.get(group.end).is_some_and(|&b| {
                            !b.is_ascii_whitespace() && !b"\"'`;,)}]\\".contains(&b)
                        })
                    {
                        continue;
                    }
                    if rule.reads_names()
                        && let Some(whole) = caps.get(0)
                    {
                        let whole_start = offset + whole.start();
                        let name = String::from_utf8_lossy(&data[whole_start..group.start]);
                        // The line before it, at most 256 bytes back (minified
                        // files are one long line).
                        let look_back = whole_start.saturating_sub(256);
                        let line_start = memchr::memrchr(b'\n', &data[look_back..whole_start])
                            .map_or(look_back, |p| look_back + p + 1);
                        // The match opens with the separator before the name.
                        let before = String::from_utf8_lossy(&data[line_start..whole_start + 1]);
                        let excluded = filters::generic_name_excluded(&name)
                            || (rule.name_anchored && filters::named_key_excluded(&name))
                            || (rule.is_generic_key() && filters::key_name_excluded(&name))
                            || (rule.is_generic_password() && filters::names_a_key(&name))
                            || filters::value_spells_name(&name, secret);
                        if excluded || filters::in_alt_text(&before) {
                            continue;
                        }
                        // A signed URL's query parameter; and, since the value
                        // class stops at `]`, `recipients[0` is code when
                        // `].token` follows it.
                        if rule.is_generic()
                            && (filters::in_signed_url(data, whole_start, group.start)
                                || (!layer
                                    && rule.is_generic_assignment()
                                    && filters::unquoted_in_code(
                                        path,
                                        data,
                                        group.start,
                                        group.end,
                                    ))
                                || (!layer
                                    && rule.is_generic_assignment()
                                    && filters::joined_to_code(path, data, group.end))
                                || filters::in_local_url(data, whole_start, group.start)
                                || filters::in_image_url_query(data, whole_start)
                                || filters::in_sentence(data, whole_start, group.end)
                                || filters::member_expression_continues(secret, &data[group.end..])
                                || filters::opens_prose(data, group.start, group.end))
                        {
                            continue;
                        }
                        // A UUID named by an enum member (`OnePassword =
                        // "…",` in a table of passkey providers' AAGUIDs)
                        // is an identifier in a table of them.
                        if rule.is_generic()
                            && filters::is_uuid(secret)
                            && filters::in_enum_body(data, lines.line_span(group.start).0)
                        {
                            continue;
                        }
                    }
                    // A generic value under a provider's name, in the shape
                    // of that provider's credential (`twilioToken = "<32
                    // hex>"`), is that credential; so is one after a
                    // provider's name and a space (`AWS Secret: <40>` in a
                    // note), and one in the query of a URL on the
                    // provider's host.
                    let (rule_index, confidence, validated, named) = caps
                        .get(0)
                        .filter(|_| rule.is_generic())
                        .and_then(|whole| {
                            let whole_start = offset + whole.start();
                            let name = &data[whole_start..group.start];
                            self.attribute(name, secret)
                                .or_else(|| {
                                    let word = filters::word_before(data, whole_start)?;
                                    self.attribute(&[word, name].concat(), secret)
                                })
                                .or_else(|| {
                                    // A URL's query parameter: the host
                                    // names the provider
                                    // (`https://fra1.blynk.cloud/…?token=…`).
                                    let host = filters::query_host(data, whole_start)?;
                                    self.attribute(&[host, b".", name].concat(), secret)
                                })
                        })
                        .map_or((index, confidence, validated, false), |(i, c, v)| {
                            (i, c, v, true)
                        });
                    let (line_start, line_end) = lines.line_span(group.start);
                    let client_variable = CLIENT_PREFIXES
                        .iter()
                        .any(|p| memchr::memmem::find(&data[line_start..group.start], p).is_some());
                    let allowed_inline = has_allow(data, line_start, line_end, &lines);
                    // The host a connection URL names (`user:pass@host`),
                    // for a name-resolution check; never a secret.
                    let host = caps.get(0).and_then(|whole| {
                        let tail = data.get(group.end..offset + whole.end())?;
                        std::str::from_utf8(tail.strip_prefix(b"@")?).ok()
                    });
                    // A password that repeats the user at a host of this
                    // machine or of a compose network
                    // (`postgresql://formbricks:formbricks@localhost`) is a
                    // development default, not a credential of the target.
                    let user = if rule.secret_group == 2 {
                        caps.get(1).map(|user| user.as_bytes())
                    } else {
                        host.and_then(|_| filters::url_user(data, group.start))
                    };
                    if let (Some(user), Some(host)) = (user, host)
                        && filters::local_default_login(user, secret, host)
                    {
                        continue;
                    }
                    kept += 1;
                    found.push(Match {
                        rule: rule_index,
                        secret: Redacted::new(secret, self.fingerprint(secret)),
                        line: lines.line(group.start),
                        end_line: lines.line(group.end.saturating_sub(1).max(group.start)),
                        confidence,
                        validated,
                        paired: false,
                        allowed_inline,
                        client_variable,
                        decoded: None,
                        member: None,
                        expires: rule
                            .validator
                            .filter(|v| v.is_jwt())
                            .and_then(|_| crate::validate::jwt_expiry(secret))
                            .or_else(|| filters::presigned_url_expiry(data, group.start))
                            .or_else(|| filters::edge_token_expiry(secret))
                            .or_else(|| filters::sas_expiry(data, group.start)),
                        dev_section: filters::is_yaml_path(path)
                            && filters::in_dev_section(data, group.start),
                        sealed: SealedSecret::new(secret).with_host(host),
                        start: group.start,
                        end: group.end,
                        in_context: caps
                            .get(0)
                            .is_some_and(|whole| whole.len() > group.end - group.start + 2),
                        named,
                    });
                }
            }
        }
        if only.is_none() {
            found = self.resolve_overlaps(found);
            self.apply_pairs(&mut found);
        }
        found
    }

    /// The provider rule that names a generic value found under `name`:
    /// one of a provider whose name the assignment's name spells in whole
    /// words (`twilio_token`, `sendGridKey`, not `pageToken` for `age`),
    /// whose value shape the value fills and whose checks it passes. Its
    /// confidence is at most medium: the name and the shape say which
    /// provider, not that the value is live.
    fn attribute(&self, name: &[u8], secret: &str) -> Option<(usize, Confidence, bool)> {
        if self.rules.by_provider.is_empty() {
            return None;
        }
        let words = filters::name_words(&String::from_utf8_lossy(name));
        let mut providers: Vec<&[usize]> = Vec::new();
        let mut spelled = String::new();
        for first in 0..words.len() {
            spelled.clear();
            for word in words.iter().skip(first).take(PROVIDER_NAME_WORDS) {
                spelled.push_str(word);
                if let Some(rules) = self.rules.by_provider.get(&spelled) {
                    providers.push(rules);
                }
            }
        }
        // The provider's own shapes first; then the same lengths and fixed
        // text in any letters, digits, `_` or `-`; then the provider's own
        // fixed text before a run of another length.
        for shape_of in [
            Rule::value_regex as fn(&Rule) -> Option<&regex::bytes::Regex>,
            Rule::loose_value_regex,
            Rule::stretched_value_regex,
        ] {
            for &index in providers.iter().flat_map(|rules| rules.iter()) {
                let rule = &self.rules.rules[index];
                let shape = shape_of(rule);
                if !shape.is_some_and(|shape| shape.is_match(secret.as_bytes())) {
                    continue;
                }
                if let Some((confidence, validated)) = self.judge(rule, secret) {
                    let confidence = if validated {
                        confidence
                    } else {
                        confidence.min(Confidence::Medium)
                    };
                    return Some((index, confidence, validated));
                }
            }
        }
        None
    }

    /// Entropy, placeholder, generic and validator checks. `None` drops the match.
    fn judge(&self, rule: &Rule, secret: &str) -> Option<(Confidence, bool)> {
        if secret.is_empty() {
            return None;
        }
        if let Some(floor) = rule.min_entropy
            && filters::entropy(secret) < filters::entropy_floor(floor, secret)
        {
            return None;
        }
        let structured = rule.validator == Some(Validator::Pem);
        if filters::is_placeholder(secret, structured) {
            return None;
        }
        if rule.is_generic() && !filters::generic_value_plausible(secret) {
            return None;
        }
        if rule.is_generic_key() && !filters::key_value_plausible(secret) {
            return None;
        }
        if rule.name_anchored && !filters::named_value_plausible(secret) {
            return None;
        }
        let mut confidence = rule.confidence;
        let mut validated = false;
        if let Some(validator) = rule.validator {
            if !validator.check(secret) {
                return None;
            }
            validated = true;
            confidence = raise(confidence);
        }
        if rule.is_generic() {
            confidence = Confidence::Low;
        }
        Some((confidence, validated))
    }

    /// Where matches of several rules overlap, keeps the most specific:
    /// provider rules over format rules (JWT, PEM, database URLs) over
    /// generic ones, role-checked over plain structure, then the longer
    /// secret, then an identifier rule's reading of the same value in its
    /// context, then severity.
    fn resolve_overlaps(&self, mut found: Vec<Match>) -> Vec<Match> {
        if found.len() < 2 {
            return found;
        }
        let rank = |m: &Match| {
            let rule = &self.rules.rules[m.rule];
            let specificity = if m.validated {
                rule.validator.map_or(0, Validator::specificity)
            } else {
                0
            };
            (
                !rule.is_generic(),
                !FORMAT_FAMILIES.contains(&rule.provider()),
                specificity,
                m.end - m.start,
                // Of two readings of the same value, the one whose value
                // starts with more fixed text (`sk-or-v1-` over `sk-`), then
                // the one the assignment's name gave its provider (Clerk's
                // `sk_live_` keys look like Stripe's).
                rule.value_prefix,
                m.named,
                // The same value read by an identifier rule in its context
                // (a Firebase web config's `apiKey`, public by design)
                // before a rule of its format alone (any Google API key).
                m.in_context && rule.kind == crate::rules::RuleKind::Identifier,
                rule.severity,
                m.confidence,
                std::cmp::Reverse(m.rule),
            )
        };
        // A value its provider rule read itself is not read again through
        // a generic rule and the assignment's name: the rule's own reading
        // keeps its confidence.
        let own: Vec<(usize, usize, usize)> = found
            .iter()
            .filter(|m| !m.named)
            .map(|m| (m.rule, m.start, m.end))
            .collect();
        found.retain(|m| {
            !m.named
                || !own
                    .iter()
                    .any(|&(rule, start, end)| rule == m.rule && start < m.end && m.start < end)
        });
        found.sort_by_key(|m| std::cmp::Reverse(rank(m)));
        let mut kept: Vec<Match> = Vec::with_capacity(found.len());
        for m in found {
            let overlaps = kept.iter().any(|k| m.start < k.end && k.start < m.end);
            if !overlaps {
                kept.push(m);
            }
        }
        kept
    }

    fn apply_pairs(&self, found: &mut [Match]) {
        let mut raise_at = Vec::new();
        for (i, m) in found.iter().enumerate() {
            let Some(pair) = &self.rules.rules[m.rule].pair else {
                continue;
            };
            let Some(partner) = self.rules.index_of(pair.as_str()) else {
                continue;
            };
            // The nearest partner, for a live check that needs both.
            if let Some(j) = found
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.rule == partner && o.line.abs_diff(m.line) <= PAIR_DISTANCE_LINES
                })
                .min_by_key(|(_, o)| (o.line.abs_diff(m.line), o.start))
                .map(|(j, _)| j)
            {
                raise_at.push((i, j));
            }
        }
        for (i, j) in raise_at {
            let partner = found[j].sealed.clone();
            found[i].sealed.set_partner(&partner);
            found[i].paired = true;
            if !self.rules.rules[found[i].rule].is_generic() {
                found[i].confidence = raise(found[i].confidence);
            }
        }
    }
}

/// What the keyword search found in a text.
struct Candidates {
    /// The rules whose keywords occur.
    rules: Vec<bool>,
    /// The places of the keywords of line-local rules, by keyword.
    hits: Vec<Hit>,
}

/// One place of a keyword of a line-local rule.
struct Hit {
    /// The keyword's index in the prefilter.
    keyword: usize,
    /// On a line longer than [`LONG_LINE`], the part around the keyword
    /// ([`near_keyword`]); else the line holding it.
    near: (usize, usize),
}

/// Lines longer than this are read only around their keywords by the
/// line-local rules.
const LONG_LINE: usize = 2048;
/// Bytes before a keyword where a line-local match may start: the
/// separator, up to 40 name characters (a generic rule's prefix), a
/// credential word and up to 12 more before the provider's name.
const NEAR_BEFORE: usize = 256;
/// Bytes after a keyword where a line-local match may still run: the
/// rest of the name, the credential word, the assignment and the value
/// (at most 200 bytes for the generic rules).
const NEAR_AFTER: usize = 1024;
/// How far a window's edge moves to reach a byte that ends a name or a
/// value; past it, the whole line is read.
const EDGE_WALK: usize = 4096;

fn in_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn ends_value(b: u8) -> bool {
    !(b.is_ascii_alphanumeric()
        || matches!(b, b'_' | b'#' | b'+' | b'/' | b'=' | b'.' | b'-' | b'\n'))
}

/// The part of the line `line_start..line_end` around a keyword at `at`
/// that a line-local match holding it can span. It starts on a byte
/// no name holds and ends past a byte that ends every value, so that the
/// edges of the part read as the line does: a match found in it is the
/// match the whole line gives.
fn near_keyword(data: &[u8], at: usize, line_start: usize, line_end: usize) -> (usize, usize) {
    let mut start = at.saturating_sub(NEAR_BEFORE).max(line_start);
    let floor = start.saturating_sub(EDGE_WALK).max(line_start);
    while start > floor && in_name(data[start]) {
        start -= 1;
    }
    if in_name(data[start]) {
        start = line_start;
    }
    let mut end = (at + NEAR_AFTER).min(line_end);
    let ceiling = (end + EDGE_WALK).min(line_end);
    while end < ceiling && !ends_value(data[end]) {
        end += 1;
    }
    let end = if end < ceiling { end + 1 } else { line_end };
    (start, end)
}

/// Sorts spans and merges those that touch or overlap.
fn merged(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    // Overlapping matches come in order of their end: sort, then merge.
    spans.sort_unstable();
    spans.dedup_by(|next, kept| {
        if next.0 <= kept.1 {
            kept.1 = kept.1.max(next.1);
            true
        } else {
            false
        }
    });
    spans
}

/// A capture group placed in the whole blob.
struct Span<'a> {
    start: usize,
    end: usize,
    text: &'a [u8],
}

/// Whether a rule's matches stay within one line, so it may run on the
/// lines that hold its keywords instead of the whole blob: generic rules
/// whose pattern cannot match a line break (`docs/rules.md`), and
/// name-anchored provider rules, whose name holds the keyword. Other provider
/// rules may span lines (PEM blocks, JSON key files) and always see the
/// whole blob, and so does a generic rule that can span lines.
fn line_local(rule: &Rule) -> bool {
    rule.reads_names() && !rule.spans_lines
}

/// NUL bytes in the first 8 KiB.
fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)]).is_some()
}

fn has_allow(data: &[u8], line_start: usize, line_end: usize, _lines: &Lines<'_>) -> bool {
    const MARK: &[u8] = b"diligence:allow";
    if memchr::memmem::find(&data[line_start..line_end], MARK).is_some() {
        return true;
    }
    if line_start == 0 {
        return false;
    }
    let prev_end = line_start - 1;
    let prev_start = memchr::memrchr(b'\n', &data[..prev_end]).map_or(0, |p| p + 1);
    memchr::memmem::find(&data[prev_start..prev_end], MARK).is_some()
}

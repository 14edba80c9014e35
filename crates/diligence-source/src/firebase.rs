//! Firebase security rules: Cloud Firestore and Cloud Storage rules
//! (`firestore.rules`, `storage.rules`, in the rules language) and
//! Realtime Database rules (`database.rules.json`).
//!
//! The rules language is small: `service` blocks hold nested `match`
//! blocks, which hold `allow` statements with an optional `if` condition,
//! and `function` declarations. A hand-written reader keeps what the
//! detectors ask: for every `allow`, the full path of its `match`
//! blocks, the methods, the condition as text and its line. The condition
//! is classified, never evaluated: always true (or no condition), a
//! test-mode expiry on `request.time` only, any signed-in user, or
//! something narrower (an owner or role check), which is left alone.
//!
//! Bounded: files over [`MAX_RULES_SIZE`] and nesting deeper than
//! [`MAX_NESTING`] are reported as not analysed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Reader, SourceFile};

/// Largest rules file read, in bytes.
pub const MAX_RULES_SIZE: u64 = 512 * 1024;

/// Deepest `match` nesting read.
pub const MAX_NESTING: usize = 64;

/// Which product a rules file protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RulesKind {
    /// Cloud Firestore.
    Firestore,
    /// Cloud Storage for Firebase.
    Storage,
    /// Realtime Database.
    RealtimeDatabase,
}

impl RulesKind {
    /// The product's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Firestore => "Cloud Firestore",
            Self::Storage => "Cloud Storage",
            Self::RealtimeDatabase => "Realtime Database",
        }
    }
}

/// What a condition allows, as far as its text shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Everyone: `if true`, no condition, `".read": true`.
    Everyone,
    /// Everyone until a date: a condition on `request.time` only (the
    /// console's test mode). The date as written.
    EveryoneUntil(String),
    /// Any signed-in user: `request.auth != null` (or `auth != null`) and
    /// nothing that narrows it to the owner or a role.
    AnySignedIn,
    /// Something narrower (an owner, a role, a field check).
    Narrower,
}

/// One `allow` statement (or one `.read`/`.write` rule).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allow {
    /// The path of the enclosing `match` blocks, joined
    /// (`/databases/{database}/documents/users/{userId}`).
    pub path: String,
    /// The methods (`read`, `write`, `get`, `list`, `create`, `update`,
    /// `delete`).
    pub methods: Vec<String>,
    /// The condition as written; empty when there is none.
    pub condition: String,
    /// What it allows.
    pub access: Access,
    /// 1-based line.
    pub line: u32,
}

impl Allow {
    /// Whether it allows writing.
    pub fn writes(&self) -> bool {
        self.methods
            .iter()
            .any(|m| matches!(m.as_str(), "write" | "create" | "update" | "delete"))
    }

    /// Whether the path matches every document or object (a recursive
    /// wildcard such as `{document=**}` or `{allPaths=**}`, or the root of
    /// a Realtime Database).
    pub fn everything(&self) -> bool {
        self.path.contains("=**}") || self.path == "/"
    }
}

/// One rules file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RulesFile {
    /// Its path.
    pub path: String,
    /// Which product it protects.
    pub kind: RulesKind,
    /// Its rules.
    pub allows: Vec<Allow>,
    /// Why it could not be read, with the line when known.
    pub error: Option<(String, Option<u32>)>,
}

/// The kind of a rules file, by its name.
fn kind_of(path: &str) -> Option<RulesKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "database.rules.json" {
        return Some(RulesKind::RealtimeDatabase);
    }
    if name.ends_with(".rules") {
        if name.contains("storage") {
            return Some(RulesKind::Storage);
        }
        if name.contains("firestore") {
            return Some(RulesKind::Firestore);
        }
    }
    None
}

/// Every Firebase rules file among `files`, by path.
pub fn find_all(files: &[SourceFile<'_>], read: &Reader<'_>) -> BTreeMap<String, RulesFile> {
    let mut out = BTreeMap::new();
    for file in files {
        let Some(kind) = kind_of(file.path) else {
            continue;
        };
        if matches!(
            diligence_model::classify(file.path),
            diligence_model::FileClass::Vendored | diligence_model::FileClass::Generated
        ) {
            continue;
        }
        let parsed = if file.size > MAX_RULES_SIZE {
            Err((format!("larger than {} KiB", MAX_RULES_SIZE / 1024), None))
        } else {
            match read(file.path) {
                Err(error) => Err((error.to_string(), None)),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Err(_) => Err(("not UTF-8".to_owned(), None)),
                    Ok(text) => match kind {
                        RulesKind::RealtimeDatabase => parse_database_rules(&text),
                        _ => parse_rules(&text),
                    },
                },
            }
        };
        let (allows, error) = match parsed {
            Ok(allows) => (allows, None),
            Err(error) => (Vec::new(), Some(error)),
        };
        out.insert(
            file.path.to_owned(),
            RulesFile {
                path: file.path.to_owned(),
                kind,
                allows,
                error,
            },
        );
    }
    out
}

/// Classifies a condition's text.
pub fn classify_condition(condition: &str) -> Access {
    let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() || compact == "true" {
        return Access::Everyone;
    }
    if compact == "false" {
        return Access::Narrower;
    }
    let mentions_auth = compact.contains("request.auth") || compact.contains("auth.");
    let narrows = compact.contains("auth.uid==")
        || compact.contains("==request.auth.uid")
        || compact.contains("auth.uid===")
        || compact.contains("==auth.uid")
        || compact.contains("auth.token.")
        || compact.contains("request.auth.uid in")
        || compact.contains("get(")
        || compact.contains("exists(")
        || compact.contains("resource.data.")
        || compact.contains("request.resource.data.")
        || compact.contains("$uid")
        || compact.contains("isOwner")
        || compact.contains("isAdmin")
        || compact.contains("hasRole")
        || compact.contains("role");
    if compact.contains("request.time<") && !mentions_auth && !narrows {
        let date = condition
            .find("timestamp.date(")
            .and_then(|start| {
                let rest = &condition[start + "timestamp.date(".len()..];
                rest.find(')').map(|end| rest[..end].replace(' ', ""))
            })
            .unwrap_or_else(|| condition.trim().to_owned());
        return Access::EveryoneUntil(date);
    }
    let signed_in = compact.contains("request.auth!=null")
        || compact == "auth!=null"
        || compact == "auth!==null"
        || compact.contains("request.auth.uid!=null");
    if signed_in && !narrows {
        return Access::AnySignedIn;
    }
    Access::Narrower
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(String),
    Punct(char),
}

/// Splits rules text into tokens with their lines, skipping comments.
fn tokenize(text: &str) -> Vec<(Token, u32)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            b'\'' | b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(bytes.len());
                out.push((Token::Str(text[start..end].to_owned()), line));
                i += 1;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'$' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'$'))
                {
                    i += 1;
                }
                out.push((Token::Word(text[start..i].to_owned()), line));
            }
            _ => {
                // Non-ASCII characters are single punctuation tokens here.
                let c = text[i..].chars().next().unwrap_or('?');
                out.push((Token::Punct(c), line));
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Parses Firestore or Storage rules into their `allow` statements.
fn parse_rules(text: &str) -> Result<Vec<Allow>, (String, Option<u32>)> {
    let tokens = tokenize(text);
    let mut allows = Vec::new();
    // The path of each open block (`service` and `function` blocks push
    // an empty segment), and the depth of braces inside conditions.
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (token, line) = &tokens[i];
        match token {
            Token::Word(w) if w == "match" => {
                // The path runs to the opening brace.
                // A `{` right after a `/` opens a wildcard segment
                // (`{userId}`, `{document=**}`), not the block.
                let mut path = String::new();
                i += 1;
                while i < tokens.len() {
                    let segment_open = tokens[i].0 == Token::Punct('{') && path.ends_with('/');
                    if tokens[i].0 == Token::Punct('{') && !segment_open {
                        break;
                    }
                    match &tokens[i].0 {
                        Token::Word(w) => path.push_str(w),
                        Token::Str(s) => path.push_str(s),
                        Token::Punct(c) => path.push(*c),
                    }
                    if segment_open {
                        i += 1;
                        while i < tokens.len() && tokens[i].0 != Token::Punct('}') {
                            match &tokens[i].0 {
                                Token::Word(w) => path.push_str(w),
                                Token::Str(s) => path.push_str(s),
                                Token::Punct(c) => path.push(*c),
                            }
                            i += 1;
                        }
                        path.push('}');
                    }
                    i += 1;
                }
                if stack.len() >= MAX_NESTING {
                    return Err((
                        format!("match blocks nest deeper than {MAX_NESTING}"),
                        Some(*line),
                    ));
                }
                stack.push(path);
                i += 1;
            }
            Token::Word(w) if w == "allow" => {
                let start_line = *line;
                let mut methods = Vec::new();
                i += 1;
                while i < tokens.len() {
                    match &tokens[i].0 {
                        Token::Word(w) if w != "if" => methods.push(w.clone()),
                        Token::Punct(',') => {}
                        _ => break,
                    }
                    i += 1;
                }
                // `allow read;` allows with no condition; `allow read: if c;`.
                let mut condition = String::new();
                if i < tokens.len() && tokens[i].0 == Token::Punct(':') {
                    i += 1;
                    if matches!(&tokens.get(i).map(|t| &t.0), Some(Token::Word(w)) if w == "if") {
                        i += 1;
                    }
                    let mut depth = 0usize;
                    while i < tokens.len() {
                        match &tokens[i].0 {
                            Token::Punct(';') if depth == 0 => break,
                            Token::Punct('}') if depth == 0 => break,
                            Token::Punct(c @ ('(' | '[' | '{')) => {
                                depth += 1;
                                condition.push(*c);
                            }
                            Token::Punct(c @ (')' | ']' | '}')) => {
                                depth = depth.saturating_sub(1);
                                condition.push(*c);
                            }
                            Token::Punct(c) => condition.push(*c),
                            Token::Word(w) => {
                                if condition.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                                    condition.push(' ');
                                }
                                condition.push_str(w);
                                condition.push(' ');
                            }
                            Token::Str(s) => {
                                condition.push('\'');
                                condition.push_str(s);
                                condition.push('\'');
                            }
                        }
                        i += 1;
                    }
                }
                let condition = condition.split_whitespace().collect::<Vec<_>>().join(" ");
                let path: String = stack.iter().map(String::as_str).collect();
                allows.push(Allow {
                    access: classify_condition(&condition),
                    path,
                    methods,
                    condition,
                    line: start_line,
                });
                if i < tokens.len() && tokens[i].0 == Token::Punct(';') {
                    i += 1;
                }
            }
            Token::Punct('{') => {
                if stack.len() >= MAX_NESTING {
                    return Err((
                        format!("blocks nest deeper than {MAX_NESTING}"),
                        Some(*line),
                    ));
                }
                stack.push(String::new());
                i += 1;
            }
            Token::Punct('}') => {
                if stack.pop().is_none() {
                    return Err(("unbalanced `}`".to_owned(), Some(*line)));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if !stack.is_empty() {
        return Err(("a block is not closed".to_owned(), None));
    }
    Ok(allows)
}

/// Parses Realtime Database rules (JSON) into `.read` and `.write` rules.
fn parse_database_rules(text: &str) -> Result<Vec<Allow>, (String, Option<u32>)> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        (
            e.to_string(),
            u32::try_from(e.line()).ok().filter(|l| *l > 0),
        )
    })?;
    let Some(rules) = value.get("rules") else {
        return Err(("no top-level `rules` object".to_owned(), None));
    };
    let mut out = Vec::new();
    walk_database(rules, String::new(), text, &mut out, 0);
    Ok(out)
}

fn walk_database(
    value: &serde_json::Value,
    path: String,
    text: &str,
    out: &mut Vec<Allow>,
    depth: usize,
) {
    let Some(object) = value.as_object() else {
        return;
    };
    if depth > MAX_NESTING {
        return;
    }
    for (key, child) in object {
        if key == ".read" || key == ".write" {
            let condition = match child {
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let needle = format!("\"{key}\"");
            let line = text
                .lines()
                .position(|l| l.contains(&needle))
                .and_then(|i| u32::try_from(i + 1).ok())
                .unwrap_or(1);
            out.push(Allow {
                path: if path.is_empty() {
                    "/".to_owned()
                } else {
                    path.clone()
                },
                methods: vec![key.trim_start_matches('.').to_owned()],
                access: classify_condition(&condition),
                condition,
                line,
            });
        } else if !key.starts_with('.') {
            walk_database(child, format!("{path}/{key}"), text, out, depth + 1);
        }
    }
}

/// Facts and findings of the rules files.
pub(crate) fn add_evidence(
    files: &BTreeMap<String, RulesFile>,
    evidence: &mut diligence_model::Evidence,
) {
    use diligence_model::{Confidence, Fact, FileClass, Finding, Location, Severity};

    use crate::evidence::{fact_name, rule};

    if files.is_empty() {
        return;
    }
    let read: Vec<String> = files
        .values()
        .filter(|f| f.error.is_none())
        .map(|f| format!("{} ({})", f.kind.name(), f.path))
        .collect();
    evidence.set_fact(
        fact_name("source.firebase.rules"),
        Fact::list(read).detail("Firebase security rules files read; each `allow` is classified from its condition's text, never evaluated."),
    );
    for file in files.values() {
        if let Some((message, line)) = &file.error {
            let location = match line {
                Some(line) => Location::line(&file.path, *line),
                None => Location::file(&file.path),
            };
            let built = Finding::builder(rule("source.parse-failed"), Severity::Low, Confidence::High)
                .message(format!("{} was not analysed: {message}", file.path))
                .location(location)
                .remediation("Check that the rules file is valid; if it is, its rules need a manual review, since no detector read them.")
                .build();
            if let Ok(finding) = built {
                evidence.findings.push(finding);
            }
            continue;
        }
        if diligence_model::classify(&file.path) != FileClass::Production {
            continue;
        }
        let product = file.kind.name();
        for allow in &file.allows {
            let what = allow.methods.join(", ");
            let scope = if allow.everything() {
                "every document and file under it".to_owned()
            } else {
                format!("`{}`", allow.path)
            };
            let built = match &allow.access {
                Access::Everyone => {
                    let severity = if allow.writes() || allow.everything() {
                        Severity::Critical
                    } else {
                        Severity::High
                    };
                    let confidence = if allow.writes() || allow.everything() {
                        Confidence::High
                    } else {
                        // A public collection (blog posts) may be intended.
                        Confidence::Medium
                    };
                    Finding::builder(rule("source.firebase-rules-open"), severity, confidence)
                        .message(format!("{product} rules allow {what} on {scope} to everyone, signed in or not ({}).", if allow.condition.is_empty() { "no condition".to_owned() } else { format!("`if {}`", allow.condition) }))
                        .remediation("Require a signed-in user and check ownership (`request.auth.uid == userId`) on every path; open only what is public by design, for reading only.")
                }
                Access::EveryoneUntil(date) => Finding::builder(
                    rule("source.firebase-rules-test-mode"),
                    Severity::High,
                    Confidence::High,
                )
                .message(format!("{product} rules are still in test mode: everyone may {what} {scope} until timestamp.date({date}), and after that date every request is refused."))
                .remediation("Replace the test-mode rule with rules that require a signed-in user and check ownership per collection."),
                Access::AnySignedIn if allow.writes() || allow.everything() => Finding::builder(
                    rule("source.firebase-rules-any-user"),
                    Severity::Medium,
                    if allow.everything() { Confidence::High } else { Confidence::Medium },
                )
                .message(format!("{product} rules let any signed-in user {what} {scope}, whoever owns it; sign-up is usually open, so that is anyone."))
                .remediation("Check ownership (`request.auth.uid == userId`, or the owner field of the document) or a role, not only that someone is signed in."),
                _ => continue,
            };
            if let Ok(finding) = built
                .location(Location::line(&file.path, allow.line))
                .build()
            {
                evidence.findings.push(finding);
            }
        }
    }
}

//! Commit-message classification: trailers, ticket references, throwaway
//! messages, review signs, reverts and coding-assistant mentions.
//!
//! Every function here is a heuristic over text; the facts built from them
//! say so.

use std::sync::LazyLock;

use regex::Regex;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern is valid")
}

static TRAILER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(\S.*)$"));

/// Splits a commit message into its subject (first line) and body.
pub fn split_message(message: &str) -> (&str, &str) {
    let message = message.trim_start_matches(['\n', '\r']);
    match message.split_once('\n') {
        Some((subject, body)) => (subject.trim_end_matches('\r'), body),
        None => (message, ""),
    }
}

/// The trailers (`Key: value` lines) of a message body: the last paragraph,
/// when every line of it is a trailer or an indented continuation.
pub fn trailers(body: &str) -> Vec<(String, String)> {
    let body = body.trim_end();
    let last = match body.rfind("\n\n") {
        Some(i) => &body[i + 2..],
        None => body.trim_start_matches('\n'),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in last.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match out.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                None => return Vec::new(),
            }
            continue;
        }
        match TRAILER.captures(line) {
            Some(c) => out.push((c[1].to_owned(), c[2].trim().to_owned())),
            None => return Vec::new(),
        }
    }
    out
}

fn has_trailer(trailers: &[(String, String)], keys: &[&str]) -> bool {
    trailers
        .iter()
        .any(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
}

static ISSUE_REF: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?x)
        (?:^|[\s(\[:,])(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?\#[0-9]+\b   # #123, owner/repo#123
        | \b(?:GH|gh)-[0-9]+\b                                          # GH-123
        | \b([A-Z][A-Z0-9]{1,9})-[0-9]+\b                               # ABC-123 (checked below)
        | /(?:issues|pull|pulls|merge_requests|browse|tickets?)/[A-Za-z0-9-]*[0-9]  # tracker URLs
        ",
    )
});

/// Uppercase words followed by a number that are not ticket keys.
const NOT_TICKET_KEYS: &[&str] = &[
    "UTF", "ISO", "SHA", "MD", "AES", "RSA", "HTTP", "TLS", "SSL", "IPV", "ES", "X", "PEP", "RFC",
    "WCAG", "ECMA", "IEEE", "ANSI", "MP", "H",
];

static CONVENTIONAL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?:feat|fix|docs|style|refactor|perf|test|tests|build|ci|chore|revert|deps|security)(?:\([^)]*\))?!?: \S",
    )
});

/// Whether a commit can be traced to a reason: an issue or ticket reference,
/// a `Fixes`/`Closes`/`Refs` trailer, or a conventional-commit subject.
pub fn is_traceable(subject: &str, body: &str, trailers: &[(String, String)]) -> bool {
    if has_trailer(
        trailers,
        &[
            "Fixes",
            "Closes",
            "Resolves",
            "Refs",
            "Ref",
            "References",
            "Issue",
            "Ticket",
            "Jira",
            "Bug",
            "Related",
        ],
    ) {
        return true;
    }
    if CONVENTIONAL.is_match(subject) {
        return true;
    }
    [subject, body].iter().any(|text| {
        ISSUE_REF.captures_iter(text).any(|c| match c.get(1) {
            Some(key) => !NOT_TICKET_KEYS.contains(&key.as_str()),
            None => true,
        })
    })
}

const THROWAWAY: &[&str] = &[
    "wip",
    "fix",
    "fixes",
    "fixed",
    "fixup",
    "update",
    "updates",
    "updated",
    "change",
    "changes",
    "changed",
    "commit",
    "asdf",
    "asd",
    "qwe",
    "qwerty",
    "test",
    "testing",
    "tmp",
    "temp",
    "stuff",
    "minor",
    "more",
    "misc",
    "save",
    "saving",
    "x",
    "xx",
    "xxx",
    "foo",
    "bar",
    "oops",
    "ok",
    "done",
    "work",
    "progress",
    "edit",
    "edits",
    "tweak",
    "tweaks",
    "cleanup",
    "small fix",
    "minor fix",
    "minor changes",
    "some changes",
    "quick fix",
    "bug fix",
    "bugfix",
    "typo",
    "stuff",
    "a",
    "aa",
    "aaa",
    "asdfasdf",
    "lol",
    "hmm",
    "try",
    "again",
    "trying",
    "whatever",
    "yolo",
    "initial",
];

/// Whether a subject says nothing about the change: empty, punctuation
/// only, or a throwaway word such as `wip`, `fix`, `update`, `asdf`.
pub fn is_throwaway(subject: &str) -> bool {
    let normalised: String = subject
        .trim()
        .trim_end_matches(['.', '!', '?', ' '])
        .to_lowercase();
    if normalised.chars().all(|c| !c.is_alphanumeric()) {
        return true;
    }
    let stripped = normalised.trim_start_matches("wip:").trim();
    THROWAWAY.contains(&normalised.as_str()) || THROWAWAY.contains(&stripped) || stripped.is_empty()
}

static SQUASH_PR: LazyLock<Regex> = LazyLock::new(|| regex(r"\(#[0-9]+\)\s*$"));

/// The parts of a commit that [`has_review_sign`] reads.
#[derive(Clone, Copy, Debug)]
pub struct ReviewInput<'a> {
    /// Number of parents.
    pub parents: u32,
    /// The subject line.
    pub subject: &'a str,
    /// The trailers.
    pub trailers: &'a [(String, String)],
    /// The mailmapped author e-mail.
    pub author_email: &'a str,
    /// The mailmapped committer e-mail.
    pub committer_email: &'a str,
}

/// Whether a commit carries any sign of review: a merge commit, a
/// squash-merge marker `(#123)` at the end of the subject, a
/// `Reviewed-by`/`Approved-by`/`Co-authored-by` trailer, or a committer
/// other than the author.
pub fn has_review_sign(c: &ReviewInput<'_>) -> bool {
    c.parents >= 2
        || SQUASH_PR.is_match(c.subject)
        || has_trailer(
            c.trailers,
            &[
                "Reviewed-by",
                "Approved-by",
                "Co-authored-by",
                "Acked-by",
                "Reviewed-on",
            ],
        )
        || !c.author_email.eq_ignore_ascii_case(c.committer_email)
}

/// Whether a commit reverts another.
pub fn is_revert(subject: &str, body: &str) -> bool {
    subject.starts_with("Revert \"") || body.contains("This reverts commit ")
}

const ASSISTANTS: &str = r"claude|anthropic|copilot|cursor(?:[ -]?agent)?|aider|devin|codex|windsurf|codeium|gemini(?:[ -]code[ -]assist)?|chatgpt|openai|amazon[ -]q|codewhisperer|tabnine|sourcegraph[ -]cody|cody|lovable|bolt\.new|v0(?:\.dev)?|replit[ -]agent|jules|sweep|qodo|junie";

static ASSISTANT_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"(?i)\b(?:{ASSISTANTS})\b")));

static ASSISTANT_GENERATED: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)\b(?:generated|created|written|authored|assisted|co-authored|made)\s+(?:with|by|using|via)\s+\[?(?:{ASSISTANTS})\b"
    ))
});

static ASSISTANT_IDENTITY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:devin-ai-integration|copilot-swe-agent|\bcopilot\s*<|cursoragent|cursor agent|claude\[bot\]|noreply@anthropic\.com|chatgpt-codex|codex\[bot\]|google-labs-jules|lovable-dev|bolt\.new|sweep-ai|windsurf|codeium|@aider\.chat)",
    )
});

static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^(?:[vV]?[0-9]+(?:\.[0-9]+){1,3}(?:[-+.][0-9A-Za-z][0-9A-Za-z.+-]*)?|[vV][0-9]+)$")
});

/// The version a release tag names, when its name parses as one: `v1.2.3`,
/// `1.2`, `v2`, `1.0.0-rc.1`, and in a monorepo with a package prefix
/// (`pkg@1.2.3`, `@scope/pkg@1.2.3`, `pkg-v1.2.3`, `pkg/v1.2.3`,
/// `release-2024.05`). Dates (`2024-01-15`) and build numbers (`build-42`)
/// are not versions.
pub fn release_version(tag: &str) -> Option<&str> {
    let bytes = tag.as_bytes();
    (0..bytes.len())
        .filter(|&i| i == 0 || matches!(bytes[i - 1], b'/' | b'@' | b'-' | b'_'))
        .filter(|&i| bytes[i].is_ascii_digit() || matches!(bytes[i], b'v' | b'V'))
        .map(|i| &tag[i..])
        .find(|rest| VERSION.is_match(rest))
}

static BOLT_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^Updated? [A-Za-z0-9_@./\[\]()-]+\.[A-Za-z0-9]{1,6}$"));

/// Whether a subject has the shape of Bolt's automatic commits ("Updated
/// src/App.tsx"). Humans write this too, so it only counts where a Bolt
/// marker was ever committed.
pub fn is_bolt_subject(subject: &str) -> bool {
    BOLT_SUBJECT.is_match(subject.trim())
}

/// The parts of a commit that [`names_assistant`] reads.
#[derive(Clone, Copy, Debug)]
pub struct AssistantInput<'a> {
    /// The subject line.
    pub subject: &'a str,
    /// The body.
    pub body: &'a str,
    /// The trailers.
    pub trailers: &'a [(String, String)],
    /// Author name and e-mail, `Name <email>`.
    pub author: &'a str,
    /// Committer name and e-mail, `Name <email>`.
    pub committer: &'a str,
}

/// Whether a commit names a coding assistant as (co-)author: a
/// `Co-authored-by`/`Assisted-by`/`Generated-by` trailer naming one, a
/// "generated with …" line, an `aider:` subject, or an assistant's bot
/// identity as author or committer. Plain words such as "cursor" in a
/// message do not count.
pub fn names_assistant(c: &AssistantInput<'_>) -> bool {
    let trailer = c.trailers.iter().any(|(k, v)| {
        [
            "Co-authored-by",
            "Assisted-by",
            "Generated-by",
            "AI-assisted-by",
        ]
        .iter()
        .any(|key| k.eq_ignore_ascii_case(key))
            && ASSISTANT_NAME.is_match(v)
    });
    trailer
        || ASSISTANT_GENERATED.is_match(c.subject)
        || ASSISTANT_GENERATED.is_match(c.body)
        || c.subject.starts_with("aider: ")
        || ASSISTANT_IDENTITY.is_match(c.author)
        || ASSISTANT_IDENTITY.is_match(c.committer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_tags_both_sides() {
        for (tag, version) in [
            ("v1.2.3", "v1.2.3"),
            ("1.2", "1.2"),
            ("v2", "v2"),
            ("1.0.0-rc.1", "1.0.0-rc.1"),
            ("pkg@1.2.3", "1.2.3"),
            ("@scope/pkg@1.2.3", "1.2.3"),
            ("pkg-v1.2.3", "v1.2.3"),
            ("server/v0.4.0", "v0.4.0"),
            ("release-2024.05", "2024.05"),
            ("V3.0.0+build.7", "V3.0.0+build.7"),
        ] {
            assert_eq!(release_version(tag), Some(version), "{tag}");
        }
        for tag in [
            "2024-01-15",
            "build-42",
            "latest",
            "stable",
            "v",
            "nightly-20240101",
            "before-refactor",
            "1",
            "version1.2",
        ] {
            assert_eq!(release_version(tag), None, "{tag}");
        }
    }

    #[test]
    fn bolt_subjects_both_sides() {
        assert!(is_bolt_subject("Updated src/App.tsx"));
        assert!(is_bolt_subject("Update package.json"));
        assert!(!is_bolt_subject("Update the login flow"));
        assert!(!is_bolt_subject("Updated dependencies"));
    }

    #[test]
    fn parses_trailers() {
        let (subject, body) =
            split_message("Add x\n\nSome text.\n\nReviewed-by: A <a@x>\nFixes: #12\n");
        assert_eq!(subject, "Add x");
        assert_eq!(
            trailers(body),
            vec![
                ("Reviewed-by".to_owned(), "A <a@x>".to_owned()),
                ("Fixes".to_owned(), "#12".to_owned())
            ]
        );
        // A prose paragraph is not a trailer block.
        assert!(trailers("\nNote: this is prose\nand more prose\n").is_empty());
        assert!(trailers("").is_empty());
    }

    #[test]
    fn traceability_both_sides() {
        for s in [
            "Fix login loop (#123)",
            "PROJ-42 handle empty carts",
            "feat(api): add rate limits",
            "fix: null check",
            "See owner/repo#7",
            "Close GH-12",
        ] {
            assert!(is_traceable(s, "", &[]), "{s:?} must be traceable");
        }
        assert!(is_traceable(
            "Handle empty carts",
            "",
            &[("Closes".to_owned(), "https://tracker/x".to_owned())]
        ));
        assert!(is_traceable(
            "Handle it",
            "See https://github.com/o/r/issues/9",
            &[]
        ));
        for s in [
            "Handle empty carts",
            "Encode as UTF-8",
            "Use SHA-256 digests",
            "Fix issue with login",
            "Bump version to 1.2.3",
            "Refactor: move files",
        ] {
            assert!(!is_traceable(s, "", &[]), "{s:?} must not be traceable");
        }
    }

    #[test]
    fn throwaway_both_sides() {
        for s in [
            "wip", "WIP", "fix", "update", "changes", "asdf", ".", "", "...", "Fix.", "tmp",
        ] {
            assert!(is_throwaway(s), "{s:?} must be throwaway");
        }
        for s in [
            "Fix login redirect loop",
            "Update dependencies to patch CVE-2024-1234",
            "wip: add parser for lockfiles",
            "Initial commit",
        ] {
            assert!(!is_throwaway(s), "{s:?} must not be throwaway");
        }
    }

    #[test]
    fn review_signs_both_sides() {
        let base = ReviewInput {
            parents: 1,
            subject: "Add limits",
            trailers: &[],
            author_email: "a@x",
            committer_email: "a@x",
        };
        assert!(!has_review_sign(&base));
        assert!(!has_review_sign(&ReviewInput {
            subject: "Issue #12 handled",
            ..base
        }));
        assert!(has_review_sign(&ReviewInput { parents: 2, ..base }));
        assert!(has_review_sign(&ReviewInput {
            subject: "Add limits (#123)",
            ..base
        }));
        assert!(has_review_sign(&ReviewInput {
            committer_email: "noreply@github.com",
            ..base
        }));
        assert!(!has_review_sign(&ReviewInput {
            author_email: "A@X",
            committer_email: "a@x",
            ..base
        }));
        let t = [("Reviewed-by".to_owned(), "B <b@x>".to_owned())];
        assert!(has_review_sign(&ReviewInput {
            trailers: &t,
            ..base
        }));
    }

    #[test]
    fn reverts() {
        assert!(is_revert("Revert \"Add x\"", ""));
        assert!(is_revert("Undo", "This reverts commit abc.\n"));
        assert!(!is_revert("Reverting is hard", ""));
    }

    #[test]
    fn assistants_both_sides() {
        let base = AssistantInput {
            subject: "Add parser",
            body: "",
            trailers: &[],
            author: "Jane <jane@example.com>",
            committer: "Jane <jane@example.com>",
        };
        assert!(!names_assistant(&base));
        let claude = [(
            "Co-authored-by".to_owned(),
            "Claude <noreply@anthropic.com>".to_owned(),
        )];
        assert!(names_assistant(&AssistantInput {
            trailers: &claude,
            ..base
        }));
        assert!(names_assistant(&AssistantInput {
            body: "🤖 Generated with [Claude Code](https://claude.com)\n",
            ..base
        }));
        assert!(names_assistant(&AssistantInput {
            author: "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            ..base
        }));
        assert!(names_assistant(&AssistantInput {
            subject: "aider: add tests",
            ..base
        }));
        let human = [("Co-authored-by".to_owned(), "Jane Doe <jd@x>".to_owned())];
        for input in [
            AssistantInput {
                trailers: &human,
                ..base
            },
            AssistantInput {
                subject: "Fix cursor position in editor",
                ..base
            },
            AssistantInput {
                body: "Generated with care by the team",
                ..base
            },
            AssistantInput {
                author: "Claude Dupont <claude@dupont.example>",
                ..base
            },
        ] {
            assert!(!names_assistant(&input), "{input:?} must not be flagged");
        }
    }
}

//! Every validation error points at the offending token.

use diligence_scoring::{Error, Framework};

use crate::common::{HEADER, test_catalog};

const SECTION: &str = r#"
[[section]]
id = "s"
title = "S"
"#;

/// A valid control whose lines the cases below replace.
const CONTROL: &str = r#"
[[control]]
id = "s.one"
section = "s"
title = "One"
weight = 2
question = "Q?"
[control.remediation]
title = "Fix"
effort = [0.5, 2]
[[control.check]]
fact = "t.ratio"
at-least-percent = { pass = 70, partial = 30 }
"#;

fn document(control: &str) -> String {
    format!("{HEADER}{SECTION}{control}")
}

/// 1-based line and column of the `nth` (0-based) occurrence of `needle`.
fn position(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle occurs");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

fn errors(text: &str) -> Vec<(usize, usize, String)> {
    match Framework::parse(text, "f.toml", &test_catalog()) {
        Ok(_) => Vec::new(),
        Err(err) => err
            .problems()
            .into_iter()
            .map(|p| {
                assert_eq!(p.source, "f.toml");
                (p.line, p.column, p.message.clone())
            })
            .collect(),
    }
}

/// Replaces `from` in the base control, parses, and expects exactly one
/// problem located at `at` (its `nth` occurrence) whose message contains `message`.
fn expect_error(from: &str, to: &str, at: &str, nth: usize, message: &str) {
    assert!(CONTROL.contains(from), "{from:?} not in the base control");
    let text = document(&CONTROL.replacen(from, to, 1));
    let found = errors(&text);
    let (line, column) = position(&text, at, nth);
    assert_eq!(found.len(), 1, "one problem expected, got {found:?}");
    let (l, c, m) = &found[0];
    assert!(m.contains(message), "message {m:?} lacks {message:?}");
    assert_eq!((*l, *c), (line, column), "location of {m:?}");
}

#[test]
fn the_base_document_is_valid() {
    assert_eq!(errors(&document(CONTROL)), Vec::new());
}

#[test]
fn problems_print_as_file_line_column() {
    let text = document(&CONTROL.replace("t.ratio", "t.nope"));
    let err = Framework::parse(&text, "f.toml", &test_catalog()).expect_err("unknown fact");
    let (line, column) = position(&text, "\"t.nope\"", 0);
    assert_eq!(line, 26);
    assert_eq!(column, 8);
    assert_eq!(err.to_string(), "f.toml:26:8: unknown fact `t.nope`");
}

#[test]
fn unknown_keys_are_rejected() {
    expect_error(
        "weight = 2",
        "wieght = 2",
        "wieght",
        0,
        "unknown field `wieght`",
    );
    expect_error(
        "fact = \"t.ratio\"",
        "fact = \"t.ratio\"\nabove = 3",
        "above",
        0,
        "unknown field `above`",
    );
}

#[test]
fn wrong_types_are_rejected() {
    expect_error("weight = 2", "weight = \"2\"", "\"2\"", 0, "invalid type");
    let text = document(CONTROL).replace("min-overall = 80", "min-overall = 80\nmin-score = 3");
    let found = errors(&text);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0, found[0].1), position(&text, "min-score", 0));
}

#[test]
fn unknown_facts_and_rules_are_rejected() {
    expect_error(
        "fact = \"t.ratio\"",
        "fact = \"t.nope\"",
        "\"t.nope\"",
        0,
        "unknown fact `t.nope`",
    );
    expect_error(
        "fact = \"t.ratio\"\nat-least-percent = { pass = 70, partial = 30 }",
        "rule = \"t.nope\"",
        "\"t.nope\"",
        0,
        "unknown rule `t.nope`",
    );
    expect_error(
        "fact = \"t.ratio\"\nat-least-percent = { pass = 70, partial = 30 }",
        "rule = \"x.*\"",
        "\"x.*\"",
        0,
        "unknown rule `x.*`",
    );
    expect_error(
        "fact = \"t.ratio\"",
        "fact = \"Bad Name\"",
        "\"Bad Name\"",
        0,
        "invalid fact name",
    );
    expect_error(
        "weight = 2",
        "weight = 2\napplies-if = \"t.gone\"",
        "\"t.gone\"",
        0,
        "unknown fact `t.gone`",
    );
}

#[test]
fn rule_patterns_are_accepted() {
    for rule in ["t.leak", "t.*", "u.thing"] {
        let text = document(&CONTROL.replace(
            "fact = \"t.ratio\"\nat-least-percent = { pass = 70, partial = 30 }",
            &format!("rule = \"{rule}\"\nmin-severity = \"high\""),
        ));
        assert_eq!(errors(&text), Vec::new(), "{rule}");
    }
}

#[test]
fn duplicate_ids_are_rejected() {
    let text = document(&format!("{CONTROL}{CONTROL}"));
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1), position(&text, "\"s.one\"", 1));
    assert_eq!(found[0].2, "duplicate control id `s.one`");

    let text = format!("{HEADER}{SECTION}{SECTION}{CONTROL}");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1), position(&text, "\"s\"", 1));
    assert_eq!(found[0].2, "duplicate section id `s`");
}

#[test]
fn inconsistent_thresholds_are_rejected() {
    expect_error(
        "{ pass = 70, partial = 30 }",
        "{ pass = 30, partial = 70 }",
        "{ pass = 30",
        0,
        "pass threshold 30 is worse than partial threshold 70",
    );
    expect_error(
        "at-least-percent = { pass = 70, partial = 30 }",
        "at-most = { pass = 10, partial = 5 }",
        "{ pass = 10",
        0,
        "worse than partial",
    );
    expect_error(
        "{ pass = 70, partial = 30 }",
        "{ pass = 170, partial = 30 }",
        "170",
        0,
        "a percentage must be from 0 to 100, not 170",
    );
    expect_error(
        "{ pass = 70, partial = 30 }",
        "{ pass = 70, partial = -1 }",
        "-1",
        0,
        "not -1",
    );
    expect_error(
        "at-least-percent = { pass = 70, partial = 30 }",
        "at-least-percent = { pass = 70 }\nat-most = { pass = 1 }",
        "[[control.check]]",
        0,
        "exactly one of at-least",
    );
}

#[test]
fn percentages_in_the_gate_are_bounded() {
    let text = document(CONTROL).replace("min-coverage = 70", "min-coverage = 101");
    let found = errors(&text);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0, found[0].1), position(&text, "101", 0));
    assert!(found[0].2.contains("min-coverage must be a percentage"));
}

#[test]
fn weights_and_efforts_are_checked() {
    let text = document(&CONTROL.replace("weight = 2", "weight = 0"));
    let (line, column) = position(&text, "weight = 0", 0);
    assert_eq!(
        errors(&text),
        [(
            line,
            column + 9,
            "weight must be from 1 to 100, not 0".to_owned()
        )]
    );
    expect_error(
        "[0.5, 2]",
        "[3, 2]",
        "[3, 2]",
        0,
        "effort low must not exceed effort high",
    );
    expect_error("[0.5, 2]", "[0.55, 2]", "[0.55", 0, "steps of 0.1");
    expect_error("[0.5, 2]", "[1]", "[1]", 0, "`[low, high]`");
    expect_error("[0.5, 2]", "[-1, 2]", "[-1", 0, "non-negative");
}

#[test]
fn sections_and_control_ids_must_agree() {
    expect_error(
        "section = \"s\"",
        "section = \"z\"",
        "\"z\"",
        0,
        "unknown section `z`",
    );
    expect_error(
        "id = \"s.one\"",
        "id = \"other.one\"",
        "\"other.one\"",
        0,
        "must start with its section id `s.`",
    );
}

#[test]
fn checks_name_exactly_one_subject() {
    let text = document(&CONTROL.replace(
        "fact = \"t.ratio\"",
        "fact = \"t.ratio\"\nrule = \"t.leak\"",
    ));
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "a check needs exactly one of fact or rule");
    // A check's problems point at its header.
    assert_eq!(
        (found[0].0, found[0].1),
        position(&text, "[[control.check]]", 0)
    );

    expect_error(
        "fact = \"t.ratio\"\nat-least-percent = { pass = 70, partial = 30 }",
        "rule = \"t.leak\"\nat-least = { pass = 1 }",
        "[[control.check]]",
        0,
        "takes only at-most",
    );
    expect_error(
        "fact = \"t.ratio\"\n",
        "fact = \"t.ratio\"\nmin-severity = \"high\"\n",
        "\"t.ratio\"",
        0,
        "rule checks only",
    );
}

#[test]
fn syntax_errors_are_located() {
    let text = document(CONTROL).replace("title = \"One\"", "title = One");
    let err = Framework::parse(&text, "f.toml", &test_catalog()).expect_err("bad toml");
    let Error::Syntax(problem) = &err else {
        panic!("expected a syntax error, got {err:?}");
    };
    assert_eq!(problem.line, position(&text, "title = One", 0).0);
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = document(
        &CONTROL
            .replace("weight = 2", "weight = 0")
            .replace("t.ratio", "t.nope"),
    );
    let found = errors(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].0 < found[1].0, "problems come in file order");
    let err = Framework::parse(&text, "f.toml", &test_catalog()).expect_err("invalid");
    assert_eq!(err.to_string().lines().count(), 2);
    assert!(err.to_string().lines().all(|l| l.starts_with("f.toml:")));
}

#[test]
fn renamed_facts_are_read_through_their_alias_with_a_warning() {
    let control = CONTROL.replace(
        "fact = \"t.ratio\"\nat-least-percent = { pass = 70, partial = 30 }",
        "fact = \"git.commits.head\"\nat-least = { pass = 10, partial = 1 }",
    );
    let text = document(&control);
    let framework = Framework::parse(&text, "test.toml", &test_catalog()).expect("still valid");
    let warnings = framework.warnings();
    assert_eq!(warnings.len(), 1);
    let (line, column) = position(&text, "\"git.commits.head\"", 0);
    assert_eq!((warnings[0].line, warnings[0].column), (line, column));
    assert!(
        warnings[0]
            .message
            .contains("fact `git.commits.head` was renamed `git.commits`"),
        "{}",
        warnings[0].message
    );
    let check = &framework.controls()[0].checks[0];
    assert!(format!("{check:?}").contains("git.commits\""), "{check:?}");
    // A name that is neither a fact nor an alias is still an error.
    let unknown = document(&CONTROL.replace("t.ratio", "git.commits.nowhere"));
    assert!(Framework::parse(&unknown, "test.toml", &test_catalog()).is_err());
}

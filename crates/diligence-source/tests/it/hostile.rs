//! Hostile input: syntax errors, deep nesting and bundles give a finding
//! or a count, never a crash.

use diligence_model::{Confidence, FactValue};
use diligence_source::js::{MAX_DEPTH, nesting_depth};

use crate::{evidence_of, found, model_of};

#[test]
fn syntax_error_is_a_low_finding_at_its_line() -> anyhow::Result<()> {
    let evidence = evidence_of("hostile")?;
    assert_eq!(
        found(&evidence, "source.parse-failed"),
        [("src/broken.ts", Some(4), Confidence::High)]
    );
    let failed = &evidence.findings[0];
    assert_eq!(failed.severity, diligence_model::Severity::Low);
    let fact = |name: &str| evidence.facts.get(name).map(|f| f.value.to_string());
    assert_eq!(fact("source.files.failed"), Some("1 file".into()));
    // The minified bundle outside dist/ is recognised by its lines.
    assert_eq!(fact("source.files.skipped"), Some("1 file".into()));
    assert_eq!(
        evidence
            .facts
            .get("source.not-analysed")
            .map(|f| f.value.clone()),
        // FastAPI and Python files are read now: nothing is left unread.
        Some(FactValue::List { values: vec![] })
    );
    Ok(())
}

#[test]
fn deep_nesting_is_refused_before_parsing() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let deep = format!(
        "export const x = {}1{};\n",
        "(".repeat(2_000),
        ")".repeat(2_000)
    );
    std::fs::write(temp.path().join("deep.ts"), &deep)?;
    let unary = format!("export const y = {}1;\n", "!".repeat(5_000));
    std::fs::write(temp.path().join("unary.js"), &unary)?;
    // Just under the limit still parses, on the big-stack threads (one
    // bracket a line, so that it does not look minified).
    let fine = format!(
        "export const z = {}1{};\n",
        "[\n".repeat(MAX_DEPTH - 10),
        "]\n".repeat(MAX_DEPTH - 10)
    );
    std::fs::write(temp.path().join("fine.ts"), &fine)?;

    let model = model_of(temp.path())?;
    let failed: Vec<(&str, String)> = model
        .failed
        .iter()
        .map(|f| (f.path.as_str(), f.error.to_string()))
        .collect();
    assert_eq!(
        failed,
        [
            (
                "deep.ts",
                "nested 2000 levels deep, more than the 1000 levels the parser is allowed".into()
            ),
            (
                "unary.js",
                "nested 5000 levels deep, more than the 1000 levels the parser is allowed".into()
            ),
        ]
    );
    assert!(model.file("fine.ts").is_some());
    let evidence = model.evidence();
    assert_eq!(found(&evidence, "source.parse-failed").len(), 2);
    Ok(())
}

#[test]
fn depth_prescan_skips_strings_and_comments() {
    assert_eq!(nesting_depth("f(a[0], { b: 1 })"), 2);
    assert_eq!(nesting_depth("f(a[{ b: 1 }])"), 3);
    assert_eq!(
        nesting_depth("const s = '((((((';\n// ((((((\n/* [[[[ */ x"),
        0
    );
    assert_eq!(nesting_depth("a - -b"), 2);
}

#[test]
fn deep_or_broken_python_is_refused_or_reported() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let deep = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    std::fs::write(temp.path().join("deep.py"), &deep)?;
    let negations = format!("y = {}True\n", "not ".repeat(10_000));
    std::fs::write(temp.path().join("negations.py"), &negations)?;
    std::fs::write(
        temp.path().join("broken.py"),
        "import os\n\n\ndef handler(:\n    return 1\n",
    )?;
    // Just under the limit parses, one bracket a line.
    let fine = format!(
        "z = {}1{}\n",
        "[\n".repeat(MAX_DEPTH - 10),
        "]\n".repeat(MAX_DEPTH - 10)
    );
    std::fs::write(temp.path().join("fine.py"), &fine)?;

    let model = model_of(temp.path())?;
    let failed: Vec<(&str, String)> = model
        .failed
        .iter()
        .map(|f| (f.path.as_str(), f.error.to_string()))
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(
        failed[1],
        (
            "deep.py",
            "nested 10000 levels deep, more than the 1000 levels the parser is allowed".into()
        )
    );
    assert!(failed[2].1.contains("10000 levels"), "{failed:?}");
    assert!(model.file("fine.py").is_some());
    let evidence = model.evidence();
    let mut reported = found(&evidence, "source.parse-failed");
    reported.sort();
    assert_eq!(
        reported,
        [
            ("broken.py", Some(4), Confidence::High),
            ("deep.py", None, Confidence::High),
            ("negations.py", None, Confidence::High),
        ]
    );
    Ok(())
}

#[test]
fn python_depth_prescan_skips_strings_and_comments() {
    use diligence_source::py::nesting_depth as py_depth;
    assert_eq!(py_depth("f(a[{'b': 1}])"), 3);
    assert_eq!(
        py_depth("s = '((((('  # [[[[[\nt = \"\"\"\n((((\n\"\"\"\n"),
        0
    );
    assert_eq!(py_depth("x = not not y"), 2);
    assert_eq!(py_depth("nothing = knot"), 0);
}

#[test]
fn a_long_python_operator_chain_is_refused_not_overflowed() -> anyhow::Result<()> {
    // A left-deep tree 250,000 levels deep that no bracket count sees: the
    // walk stops at its depth limit and the file is reported.
    let temp = tempfile::tempdir()?;
    let chain = format!("x = (1\n{})\n", "+1\n".repeat(250_000));
    std::fs::write(temp.path().join("chain.py"), &chain)?;
    // A long but shallow file still parses.
    let flat = "y = 1\n".repeat(50_000);
    std::fs::write(temp.path().join("flat.py"), &flat)?;
    let model = model_of(temp.path())?;
    let failed: Vec<(&str, String)> = model
        .failed
        .iter()
        .map(|f| (f.path.as_str(), f.error.to_string()))
        .collect();
    assert_eq!(
        failed,
        [(
            "chain.py",
            "nested 2001 levels deep, more than the 2000 levels the parser is allowed".into()
        )]
    );
    assert_eq!(
        model.file("flat.py").map(|f| f.python.assignments.len()),
        Some(50_000)
    );
    Ok(())
}

//! Every built-in rule loads, and each example matches while each negative
//! example does not (the same check `diligence rules check` runs). A scan
//! does not run that check on the built-in rules: it relies on this one.

use std::collections::BTreeSet;

use diligence_secrets::{RuleSet, builtin_rule_files, check_rules_dir};

#[test]
fn builtin_rules_load() -> anyhow::Result<()> {
    let set = RuleSet::builtin().map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(!set.rules().is_empty());
    let ids: BTreeSet<_> = set.rules().iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids.len(), set.rules().len(), "ids are unique");
    for rule in set.rules() {
        assert!(!rule.examples.is_empty(), "{} has examples", rule.id);
        assert!(rule.keywords.iter().all(|k| k == &k.to_lowercase()));
    }
    Ok(())
}

/// `rules check` on a directory holding the built-in rule files.
fn builtin_files_checked() -> anyhow::Result<diligence_secrets::RulesReport> {
    let dir = tempfile::tempdir()?;
    for (name, text) in builtin_rule_files() {
        std::fs::write(dir.path().join(name), text)?;
    }
    Ok(check_rules_dir(dir.path())?)
}

/// Compiles every built-in pattern and runs every example, the checks a
/// scan leaves to this test.
#[test]
fn every_builtin_file_passes_the_directory_check() -> anyhow::Result<()> {
    // Checked alone, built-in ids collide with themselves; strip that one error.
    let report = builtin_files_checked()?;
    let real: Vec<_> = report
        .errors
        .iter()
        .filter(|p| p.message != "id already used by a built-in rule")
        .collect();
    assert!(real.is_empty(), "{real:#?}");
    assert_eq!(report.files, builtin_rule_files().len());
    Ok(())
}

#[test]
fn directory_check_reports_file_rule_and_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let text = "rules:\n  - id: secrets.acme.token\n    name: Acme token\n    pattern: '(acme_[a-z0-9]{24})'\n    keywords: [acme_]\n    severity: high\n    confidence: high\n    examples: [\"acme_short\"]\n    negative_examples: [\"acme_\"]\n  - id: secrets.acme.Bad\n    name: bad\n    pattern: 'x'\n    keywords: [x]\n    severity: high\n    confidence: high\n    examples: [x]\n";
    std::fs::write(dir.path().join("acme.yml"), text)?;
    std::fs::write(
        dir.path().join("broken.yml"),
        "rules:\n  - id: secrets.a.b\n    nme: typo\n",
    )?;
    let report = check_rules_dir(dir.path())?;
    assert!(!report.is_ok());
    let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("acme.yml:2: rule `secrets.acme.token`: example 1 does not match")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("acme.yml:10: rule `secrets.acme.Bad`")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("broken.yml") && m.contains("nme")),
        "{messages:#?}"
    );
    Ok(())
}

#[test]
fn generic_rules_that_can_span_lines_warn_and_still_match_across_lines() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let text = concat!(
        "rules:\n",
        "  - id: secrets.generic.acme-credential\n",
        "    name: Acme credential on the next line\n",
        "    pattern: '(?i)acme_credential\\s*[:=]\\s*([a-z0-9]{16,})'\n",
        "    keywords: [acme_credential]\n",
        "    severity: medium\n",
        "    confidence: low\n",
        "    examples: [\"acme_credential =\\n  q8Zk2Vx7LmZ3pR8wN4bY\"]\n",
        "    negative_examples: [\"acme_credential = short\"]\n",
    );
    std::fs::write(dir.path().join("acme.yml"), text)?;
    let report = check_rules_dir(dir.path())?;
    assert!(report.is_ok(), "{:#?}", report.errors);
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("acme-credential") && w.contains("can match a line break")),
        "{warnings:#?}"
    );
    // The value sits on the line after the keyword: found, because the
    // rule runs on the whole blob.
    let set = diligence_secrets::RuleSet::load(&[dir.path().to_path_buf()])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = diligence_secrets::Engine::with_rules(set, Default::default());
    let blob = "settings:\n  acme_credential:\n    Q8Zk2Vx7LmZ3pR8wN4bYt6Kc\n";
    let diligence_secrets::BlobOutcome::Scanned(found) = engine.scan(blob.as_bytes(), "app.yml")
    else {
        panic!("text is scanned");
    };
    assert!(
        found.iter().any(
            |m| engine.rules().rules()[m.rule].id.as_str() == "secrets.generic.acme-credential"
        ),
        "{found:?}"
    );
    Ok(())
}

#[test]
fn builtin_generic_rules_stay_on_their_keyword_lines() -> anyhow::Result<()> {
    let report = builtin_files_checked()?;
    let spanning: Vec<String> = report
        .warnings
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("can match a line break"))
        .collect();
    assert!(spanning.is_empty(), "{spanning:#?}");
    Ok(())
}

/// A user rule is compiled when it loads, so that a bad or oversized
/// pattern is an error of the load, not a rule that silently never runs.
#[test]
fn user_patterns_are_compiled_at_load() -> anyhow::Result<()> {
    let rule = |id: &str, pattern: &str| {
        format!(
            "rules:\n  - id: {id}\n    name: Acme\n    pattern: '{pattern}'\n    keywords: [acme_]\n    severity: high\n    confidence: high\n    examples: [\"acme_q8Zk2Vx7LmZ3pR8wN4bY\"]\n    negative_examples: [\"acme_\"]\n"
        )
    };
    for (pattern, reason) in [
        ("(acme_[a-z0-9]{24}", "unclosed group"),
        ("acme_(?:[a-z0-9]{1000}){1000}", "exceeds size limit"),
    ] {
        let dir = tempfile::tempdir()?;
        std::fs::write(
            dir.path().join("acme.yml"),
            rule("secrets.acme.token", pattern),
        )?;
        let report = check_rules_dir(dir.path())?;
        let messages: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("pattern does not compile") && m.contains(reason)),
            "{pattern}: {messages:#?}"
        );
        let loaded = RuleSet::load(&[dir.path().to_path_buf()]);
        let Err(error) = loaded else {
            panic!("{pattern} loads");
        };
        assert!(
            error.to_string().contains("pattern does not compile"),
            "{error}"
        );
    }
    // The same rule with a sound pattern loads beside the built-in rules.
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("acme.yml"),
        rule("secrets.acme.token", "(acme_[a-zA-Z0-9]{20})"),
    )?;
    let set = RuleSet::load(&[dir.path().to_path_buf()]).map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(set.get("secrets.acme.token").is_some());
    assert!(set.rules().len() > builtin_rule_files().len());
    Ok(())
}

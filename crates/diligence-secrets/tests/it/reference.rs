//! `docs/rules.md` lists every rule id with an anchor; this test keeps it
//! in step with the rules (`DILIGENCE_BLESS=1` rewrites it).

use std::fmt::Write as _;
use std::path::Path;

use diligence_secrets::{RuleKind, key_file_rules};

use crate::common::engine;

fn render() -> String {
    let mut out = String::from(
        "# Secret rules\n\nEvery rule of the `secrets` collector, generated from \
         `crates/diligence-secrets/rules/*.yml` by the test `reference` \
         (`DILIGENCE_BLESS=1 cargo test -p diligence-secrets --test it reference`). \
         The rule format is described in [collectors/secrets.md](collectors/secrets.md).\n",
    );
    let mut provider = String::new();
    let mut rules: Vec<_> = engine().rules().rules().iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    for rule in rules {
        if rule.provider() != provider {
            provider = rule.provider().to_owned();
            let _ = write!(out, "\n## {provider}\n");
        }
        let anchor = rule.id.as_str().replace('.', "-");
        let kind = match rule.kind {
            RuleKind::Secret => "secret",
            RuleKind::Identifier => "identifier (reported as info)",
        };
        let _ = write!(
            out,
            "\n### <a id=\"{anchor}\"></a>`{}`\n\n{}. Kind: {kind}; severity {}; confidence {}",
            rule.id, rule.name, rule.severity, rule.confidence
        );
        if let Some(v) = rule.validator {
            let _ = write!(out, "; validator `{}`", v.name());
        }
        if let Some(e) = rule.min_entropy {
            let _ = write!(out, "; entropy at least {e} bits/char");
        }
        if let Some(p) = &rule.pair {
            let _ = write!(out, "; pairs with `{p}`");
        }
        out.push_str(".\n");
        if let Some(r) = &rule.remediation {
            let _ = write!(out, "\nRemediation: {r}\n");
        }
        if !rule.references.is_empty() {
            out.push_str("\nReferences: ");
            out.push_str(
                &rule
                    .references
                    .iter()
                    .map(|r| format!("<{r}>"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.push('\n');
        }
    }
    out.push_str("\n## keyfile\n\nReported by file name, whatever the content.\n");
    for (id, name) in key_file_rules() {
        let anchor = id.replace('.', "-");
        let _ = write!(
            out,
            "\n### <a id=\"{anchor}\"></a>`{id}`\n\n{name}. Kind: secret; severity high; confidence medium.\n"
        );
    }
    out
}

#[test]
fn rules_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = render();
    if std::env::var_os("DILIGENCE_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "docs/rules.md is out of date: run DILIGENCE_BLESS=1 cargo test -p diligence-secrets --test it reference"
    );
}

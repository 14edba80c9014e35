//! `docs/rules.md` lists every rule id with an anchor; this test keeps it
//! in step with the rules (`DILIGENCE_BLESS=1` rewrites it).

use std::fmt::Write as _;
use std::path::Path;

use diligence_secrets::{RuleKind, key_file_rules};

use crate::common::engine;
use crate::families::FAMILIES;

/// What each validator rejects, in the words of the reference.
const VALIDATOR_DROPS: &[(&str, &str)] = &[
    (
        "github-checksum",
        "tokens whose last six characters are not the base62 CRC32 of the 30 before them (typed, altered or invented tokens); fine-grained `github_pat_` tokens of the wrong shape",
    ),
    (
        "npm-checksum",
        "`npm_` tokens whose checksum does not match their body",
    ),
    (
        "jwt",
        "three dot-separated parts whose header or payload is not a base64url JSON object, or whose header has no `alg`",
    ),
    (
        "jwt-privileged",
        "JWTs as `jwt`, those whose payload `role` is not `service_role`, `supabase_admin` or `admin`, and the published Supabase demo keys (issuer `supabase-demo`)",
    ),
    (
        "jwt-anon",
        "JWTs as `jwt`, and those whose payload `role` is not `anon`",
    ),
    (
        "jwt-supabase-demo",
        "JWTs as `jwt`, and those whose payload `iss` is not `supabase-demo` (the issuer of the keys Supabase publishes for its local stack and self-hosting template)",
    ),
    (
        "pem",
        "blocks whose BEGIN and END labels differ, and bodies (after armor headers and string-literal escapes such as `\\n`, `\\r\\n`, `\\/`) that are not base64 of at least 64 bytes of a DER sequence, an `openssh-key-v1` key or a PGP packet, nor of a shorter whole DER sequence of exactly its stated length (an Ed25519 key, 48 bytes) (`...`, `your key here`)",
    ),
    (
        "pypi-macaroon",
        "`pypi-` tokens that are not a version-2 macaroon located at `pypi.org` or `test.pypi.org`",
    ),
    (
        "qstash-user",
        "values that are not base64 of a JSON object with a `UserID`, and the token of the default user of QStash's local development server",
    ),
    (
        "qstash-dev",
        "QStash tokens of any user but the local development server's default (`defaultUser` / `defaultPassword`)",
    ),
    (
        "qstash-dev-signing-key",
        "`sig_` values other than the two signing keys QStash's local development server prints on every start (recognised by their SHA-256)",
    ),
];

fn render() -> String {
    let mut out = String::from(
        "# Secret rules\n\nEvery rule of the `secrets` collector, generated from \
         `crates/diligence-secrets/rules/*.yml` by the test `reference` \
         (`DILIGENCE_BLESS=1 cargo test -p diligence-secrets --test it reference`). \
         The rule format is described in [collectors/secrets.md](collectors/secrets.md).\n",
    );
    let mut rules: Vec<_> = engine().rules().rules().iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    out.push_str(
        "\n## Overview\n\n| rule | kind | severity | confidence | validator |\n|---|---|---|---|---|\n",
    );
    for rule in &rules {
        let kind = match rule.kind {
            RuleKind::Secret => "secret",
            RuleKind::Identifier => "identifier",
        };
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {kind} | {} | {} | {} |",
            rule.id,
            rule.id.as_str().replace('.', "-"),
            rule.severity,
            rule.confidence,
            rule.validator.map_or("", |v| v.name())
        );
    }
    out.push_str(
        "\n## What validators drop\n\nA validator that fails drops the match: the text is \
         not a token of that format. One that passes raises the confidence one step. \
         The placeholder, entropy and generic filters that run before them are described \
         in [collectors/secrets.md](collectors/secrets.md).\n\n| validator | drops | rules |\n|---|---|--:|\n",
    );
    for (name, drops) in VALIDATOR_DROPS {
        let users = rules
            .iter()
            .filter(|r| r.validator.is_some_and(|v| v.name() == *name))
            .count();
        let _ = writeln!(out, "| `{name}` | {drops} | {users} |");
    }
    render_families(&mut out);
    let mut provider = String::new();
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

/// The families of gitleaks' default configuration and kingfisher's
/// built-in rules, by provider, with the rules that cover them or why none
/// does (`crates/diligence-secrets/families.tsv`).
fn render_families(out: &mut String) {
    out.push_str(
        "\n## Families of other scanners\n\nEvery rule family of gitleaks' default \
         configuration (by `id`) and of kingfisher's built-in rules (by name), grouped by \
         provider, with the rules here that cover it or why none does. Kept in \
         `crates/diligence-secrets/families.tsv`; a test checks that every rule named \
         exists.\n\n| provider | families | rules | why not, or what is left |\n|---|---|---|---|\n",
    );
    for line in FAMILIES.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let [provider, families, ids, reason] = cells[..] else {
            continue;
        };
        let links = ids
            .split(", ")
            .filter(|s| !s.is_empty())
            .map(|id| format!("[`{id}`](#{})", id.replace('.', "-")))
            .collect::<Vec<_>>()
            .join(", ");
        let families = families.replace('|', "\\|");
        let _ = writeln!(out, "| {provider} | {families} | {links} | {reason} |");
    }
}

#[test]
fn rules_reference_is_current() {
    assert_eq!(
        VALIDATOR_DROPS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        diligence_secrets::Validator::NAMES,
        "every validator is described"
    );
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

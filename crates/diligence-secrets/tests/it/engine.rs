//! The matcher on inputs it must flag and look-alikes it must not.

use diligence_secrets::{BlobOutcome, Match, base64_encode};

use crate::common::{Rng, alnum, checksummed, engine};

fn matches(text: &str, path: &str) -> Vec<(String, Match)> {
    let engine = engine();
    match engine.scan(text.as_bytes(), path) {
        BlobOutcome::Scanned(found) => found
            .into_iter()
            .map(|m| (engine.rules().rules()[m.rule].id.to_string(), m))
            .collect(),
        other => panic!("not scanned: {other:?}"),
    }
}

fn rule_ids(text: &str, path: &str) -> Vec<String> {
    matches(text, path).into_iter().map(|(id, _)| id).collect()
}

#[test]
fn github_token_needs_a_valid_checksum() {
    let mut rng = Rng::new(1);
    let good = checksummed("ghp_", &mut rng);
    let found = matches(&format!("GITHUB_TOKEN={good}\n"), "deploy.sh");
    assert!(
        found
            .iter()
            .any(|(id, m)| id.starts_with("secrets.github.") && m.validated),
        "{found:?}"
    );
    let mut bad = good.clone().into_bytes();
    let last = bad.len() - 1;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    let ids = rule_ids(&format!("token = \"{bad}\"\n"), "deploy.sh");
    assert!(
        !ids.iter().any(|id| id.starts_with("secrets.github.")),
        "{ids:?}"
    );
}

#[test]
fn private_key_block_is_found_and_placeholder_is_not() {
    let mut rng = Rng::new(2);
    let body: String = (0..6)
        .map(|_| rng.string(&(alnum() + "+/"), 64) + "\n")
        .collect();
    let begin = ["-----BEGIN ", "RSA PRIVATE KEY-----\n"].concat();
    let end = ["-----END ", "RSA PRIVATE KEY-----\n"].concat();
    let key = format!("{begin}MIIEpAIBAAKCAQEA{body}{end}");
    let ids = rule_ids(&key, "deploy/key.pem");
    assert_eq!(ids, ["secrets.private-key.rsa"]);
    let placeholder = format!("{begin}...\n{end}");
    assert!(rule_ids(&placeholder, "README.md").is_empty());
}

#[test]
fn supabase_roles_are_told_apart() {
    let enc = |s: &str| diligence_secrets::base64url_encode(s.as_bytes());
    let header = enc(r#"{"alg":"HS256","typ":"JWT"}"#);
    let sig = Rng::new(3).string(&alnum(), 43);
    let service = format!(
        "{header}.{}.{sig}",
        enc(r#"{"role":"service_role","iss":"supabase"}"#)
    );
    let anon = format!(
        "{header}.{}.{sig}",
        enc(r#"{"role":"anon","iss":"supabase"}"#)
    );
    // The provider's own rule may claim the token; either way the role decides.
    let service_ids = rule_ids(&format!("SUPABASE_KEY={service}\n"), "server.ts");
    assert_eq!(service_ids.len(), 1);
    assert!(
        [
            "secrets.jwt.privileged-role",
            "secrets.supabase.service-role-key"
        ]
        .contains(&service_ids[0].as_str()),
        "{service_ids:?}"
    );
    let engine = engine();
    let anon_ids = rule_ids(&format!("NEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\n"), ".env");
    assert_eq!(anon_ids.len(), 1);
    let anon_rule = engine.rules().get(&anon_ids[0]).unwrap();
    assert_eq!(
        anon_rule.kind,
        diligence_secrets::RuleKind::Identifier,
        "{anon_ids:?}"
    );
}

#[test]
fn generic_assignments_keep_recall_and_drop_look_alikes() {
    let password = ["Xk29", "vLq81rPz!"].concat();
    let secret = ["Zq8vR2mK", "x7Lp4Nw9Bt3Hc6Yd"].concat();
    let flagged = [
        format!("DB_PASSWORD={password}\n"),
        format!("  \"client_secret\": \"{secret}\",\n"),
    ];
    for text in &flagged {
        let found = matches(text, "config/app.json");
        assert!(
            found
                .iter()
                .any(|(id, m)| id.starts_with("secrets.generic.")
                    && m.confidence == diligence_model::Confidence::Low),
            "{text}: {found:?}"
        );
    }
    let look_alikes = [
        "password: ${DB_PASSWORD}\n",
        "const token = req.headers.authorization;\n",
        "\"password_label\": \"Geben Sie Ihr Passwort ein\",\n",
        "api_key = os.environ.get(\"API_KEY\")\n",
        "secret_image: registry.example.org/app/secret-sync:1.2.3\n",
        "token_ttl_seconds: 3600000000\n",
        "PASSWORD_RESET_PATH=/account/password/reset\n",
    ];
    for text in look_alikes {
        assert!(rule_ids(text, "src/settings.py").is_empty(), "{text}");
    }
    // Translation files and lockfiles are skipped by generic rules.
    let in_locale = format!("password: {password}\n");
    assert!(rule_ids(&in_locale, "public/locales/de/common.yml").is_empty());
    let in_lockfile = format!("secret: {secret}\n");
    assert!(rule_ids(&in_lockfile, "pnpm-lock.yaml").is_empty());
}

#[test]
fn base64_layers_are_decoded() {
    let mut rng = Rng::new(4);
    let token = checksummed("ghp_", &mut rng);
    let wrapped = base64_encode(format!("{{\"auth\":\"{token}\"}}").as_bytes());
    let found = matches(&format!("config: {wrapped}\n"), "k8s/secret.yaml");
    assert!(
        found
            .iter()
            .any(|(id, m)| id.starts_with("secrets.github.") && m.decoded == Some("base64")),
        "{found:?}"
    );
}

#[test]
fn binary_and_oversized_blobs_are_skipped() {
    let engine = engine();
    assert_eq!(
        engine.scan(b"\x89PNG\r\n\x1a\n\0\0\0", "a.png"),
        BlobOutcome::Binary
    );
    let big = vec![b'a'; (engine.options().max_blob_size + 1) as usize];
    assert_eq!(engine.scan(&big, "big.txt"), BlobOutcome::TooLarge);
}

#[test]
fn inline_allow_and_client_variables_are_seen() {
    let mut rng = Rng::new(5);
    let token = checksummed("ghp_", &mut rng);
    let text = format!("# diligence:allow test fixture\nA={token}\nNEXT_PUBLIC_TOKEN={token}\n");
    let found = matches(&text, "web/.env");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].1.allowed_inline && !found[0].1.client_variable);
    assert!(!found[1].1.allowed_inline && found[1].1.client_variable);
}

#[test]
fn generic_rules_find_every_line_of_a_long_blob_and_nothing_between() {
    let mut rng = Rng::new(21);
    let password = ["Xk29", &rng.string(&alnum(), 10), "!q"].concat();
    let secret = ["Zq8v", &rng.string(&alnum(), 20)].concat();
    let mut lines: Vec<String> = (0..120)
        .map(|i| format!("const token_count_{i} = compute({i});"))
        .collect();
    lines[0] = format!("DB_PASSWORD={password}");
    lines[49] = format!("  client_secret: \"{secret}\"");
    lines[50] = format!("other_password = \"{password}\"; api_key = \"{secret}\"");
    lines[119] = format!("SYNC_URL=sync+tls://app:{password}@sync.internal:7000/");
    let text = lines.join("\n");
    let mut found: Vec<(String, u32)> = matches(&text, "config/app.ts")
        .into_iter()
        .map(|(id, m)| (id, m.line))
        .collect();
    found.sort();
    let lines_hit: Vec<u32> = found.iter().map(|(_, line)| *line).collect();
    assert!(
        found
            .iter()
            .all(|(id, _)| id.starts_with("secrets.generic.")),
        "{found:?}"
    );
    let mut expected_lines = lines_hit.clone();
    expected_lines.sort_unstable();
    expected_lines.dedup();
    assert_eq!(expected_lines, vec![1, 50, 51, 120], "{found:?}");
    // Both assignments on line 51 are found, not only the first.
    assert_eq!(
        lines_hit.iter().filter(|&&l| l == 51).count(),
        2,
        "{found:?}"
    );
}

#[test]
fn a_token_keyed_by_its_separator_is_found_where_nothing_or_a_line_break_precedes_it() {
    let mut rng = Rng::new(41);
    let body = rng.string(&alnum(), 42);
    let token = ["ion", "_", &body].concat();
    // At the start of a file (a selection of an edit starts there too),
    // and at the start of a later line, whose keyword begins with the
    // line break before it.
    for text in [format!("{token}\n"), format!("# deploy keys\n{token}\n")] {
        let ids = rule_ids(&text, "deploy/ionic.txt");
        assert!(
            ids.iter()
                .any(|id| id == "secrets.ionic.personal-access-token"),
            "{text:?}: {ids:?}"
        );
    }
    // The same letters ending a word are no token, at the start or after a
    // line break.
    let word = ["version", "_", &body].concat();
    for text in [format!("{word}\n"), format!("# notes\n{word}\n")] {
        let ids = rule_ids(&text, "deploy/ionic.txt");
        assert!(
            !ids.iter()
                .any(|id| id == "secrets.ionic.personal-access-token"),
            "{text:?}: {ids:?}"
        );
    }
}

//! Provider formats missed on real repositories: Django's SECRET_KEY,
//! HashiCorp Vault tokens in documentation, Slack webhooks in Java and
//! shell strings; and their look-alikes.

use diligence_secrets::BlobOutcome;

use crate::common::{Rng, alnum, engine};

fn found(text: &str, path: &str) -> Vec<(String, diligence_model::Confidence)> {
    let engine = engine();
    match engine.scan(text.as_bytes(), path) {
        BlobOutcome::Scanned(found) => found
            .into_iter()
            .map(|m| (engine.rules().rules()[m.rule].id.to_string(), m.confidence))
            .collect(),
        other => panic!("not scanned: {other:?}"),
    }
}

fn ids(text: &str, path: &str) -> Vec<String> {
    found(text, path).into_iter().map(|(id, _)| id).collect()
}

/// A key as Django's `get_random_secret_key` draws it.
fn django_key(seed: u64) -> String {
    let key = Rng::new(seed).string("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50);
    // Keep the first character off `d`, so no seed yields a `django-` prefix.
    ["k", &key[1..]].concat()
}

#[test]
fn django_secret_keys_are_found_and_development_keys_are_told_apart() {
    let key = django_key(51);
    let settings = format!(
        "import os\n\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = '{key}'\nDEBUG = False\n"
    );
    let got = found(&settings, "mysite/settings.py");
    assert_eq!(
        got,
        [(
            "secrets.django.secret-key".to_owned(),
            diligence_model::Confidence::Medium
        )]
    );
    let insecure = ["django-", "insecure-", &key].concat();
    let dev = format!("SECRET_KEY = \"{insecure}\"\n");
    assert_eq!(
        ids(&dev, "mysite/settings.py"),
        ["secrets.django.insecure-secret-key"]
    );
    for look_alike in [
        "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n".to_owned(),
        "SECRET_KEY = env.str(\"SECRET_KEY\")\n".to_owned(),
        "SECRET_KEY = 'your-secret-key-here-change-me'\n".to_owned(),
        "SECRET_KEY = 'django-insecure-changeme'\n".to_owned(),
        "# SECRET_KEY is read from the environment\n".to_owned(),
    ] {
        let got = ids(&look_alike, "mysite/settings.py");
        assert!(
            !got.iter().any(|id| id.starts_with("secrets.django.")),
            "{look_alike:?}: {got:?}"
        );
    }
}

#[test]
fn vault_tokens_in_documentation_are_found() {
    let mut rng = Rng::new(52);
    let short = rng.string(&alnum(), 24);
    let legacy = rng.string(&alnum(), 24);
    let cases = [
        (
            format!("[source,shell]\n----\n$ export VAULT_TOKEN=hvs.{short}\n----\n"),
            "docs/setup.adoc",
        ),
        (
            format!("Unseal Key: x\nRoot Token: hvs.{short}\n"),
            "docs/dev-server.md",
        ),
        (
            format!("Log in with `vault login s.{legacy}`.\n"),
            "README.md",
        ),
        (
            format!(
                "curl -H \"X-Vault-Token: hvr.{short}\" https://vault.internal:8200/v1/sys/health\n"
            ),
            "docs/recovery.adoc",
        ),
    ];
    for (text, path) in &cases {
        let got = ids(text, path);
        assert!(
            got.iter().any(|id| id.starts_with("secrets.vault.")),
            "{text:?}: {got:?}"
        );
    }
    for look_alike in [
        format!("See s.{legacy} in the appendix.\n"),
        "VAULT_TOKEN=s.root\n".to_owned(),
        format!("vault kv get -field=token secret/app/s.{}\n", &legacy[..10]),
        format!("hvs.{short}\n"),
    ] {
        let got = ids(&look_alike, "docs/notes.md");
        assert!(
            !got.iter().any(|id| id.starts_with("secrets.vault.")),
            "{look_alike:?}: {got:?}"
        );
    }
}

#[test]
fn slack_webhooks_in_java_and_shell_strings_are_found() {
    let mut rng = Rng::new(53);
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        rng.string(upper, 10),
        rng.string(upper, 10),
        rng.string(&alnum(), 24)
    );
    for (text, path) in [
        (
            format!("private static final String WEBHOOK = \"{hook}\";\n"),
            "src/main/java/Notify.java",
        ),
        (
            format!(
                "curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"done\"}}' {hook}\n"
            ),
            "scripts/notify.sh",
        ),
        (format!("SLACK_WEBHOOK=\"{hook}\"\n"), "scripts/notify.sh"),
        (
            format!("{{\"url\": \"{}\"}}\n", hook.replace('/', "\\/")),
            "config/alerts.json",
        ),
    ] {
        assert_eq!(
            ids(&text, path),
            ["secrets.slack.incoming-webhook"],
            "{text:?}"
        );
    }
    for look_alike in [
        "String WEBHOOK = \"https://hooks.slack.com/services/\" + System.getenv(\"SLACK_PATH\");\n",
        "curl -X POST \"https://hooks.slack.com/services/$SLACK_TEAM/$SLACK_HOOK\"\n",
    ] {
        assert!(
            ids(look_alike, "scripts/notify.sh").is_empty(),
            "{look_alike:?}"
        );
    }
}

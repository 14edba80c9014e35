//! Provider families: each provider rule finds its own examples as itself
//! (the right rule id, line and severity, at medium confidence or more)
//! inside a file, and look-alikes made from the same value (cut short, a
//! character outside the alphabet, `xxxx`, `<your-key>`, one repeated
//! character) are reported neither by that rule nor at medium confidence
//! or more by any other. The table of other scanners' families in
//! `docs/rules.md` names only rules that exist.

use std::collections::BTreeSet;

use diligence_model::{Confidence, Severity};
use diligence_secrets::{BlobOutcome, Match, Rule, RuleKind};
use regex::bytes::Regex;

use crate::common::engine;

/// The provider rules added for families of other scanners, with the
/// severity a finding must carry.
const PROVIDER_RULES: &[(&str, Severity)] = &[
    ("secrets.adafruit.io-key", Severity::Medium),
    ("secrets.adobe.client-secret", Severity::High),
    ("secrets.apify.api-token", Severity::High),
    ("secrets.asana.personal-access-token", Severity::High),
    ("secrets.authress.service-client-access-key", Severity::High),
    ("secrets.beamer.api-key", Severity::Medium),
    ("secrets.checkly.api-key", Severity::High),
    ("secrets.clickhouse.cloud-api-secret", Severity::High),
    ("secrets.clickup.personal-token", Severity::High),
    ("secrets.clojars.deploy-token", Severity::High),
    ("secrets.close.api-key", Severity::High),
    ("secrets.cloudinary.url", Severity::High),
    ("secrets.codecov.upload-token", Severity::Medium),
    ("secrets.confluent.api-key", Severity::Medium),
    ("secrets.confluent.api-secret", Severity::Critical),
    ("secrets.contentful.delivery-token", Severity::Medium),
    ("secrets.courier.auth-token", Severity::High),
    ("secrets.courier.test-auth-token", Severity::Low),
    ("secrets.definednetworking.api-key", Severity::High),
    ("secrets.dependencytrack.api-key", Severity::Medium),
    ("secrets.duffel.live-access-token", Severity::High),
    ("secrets.duffel.test-access-token", Severity::Low),
    ("secrets.easypost.live-api-key", Severity::High),
    ("secrets.easypost.test-api-key", Severity::Low),
    ("secrets.fastly.api-token", Severity::High),
    ("secrets.fleetbase.live-api-key", Severity::High),
    ("secrets.fleetbase.test-api-key", Severity::Low),
    ("secrets.flutterwave.public-key", Severity::Info),
    ("secrets.flutterwave.secret-key", Severity::Critical),
    ("secrets.flutterwave.test-secret-key", Severity::Low),
    ("secrets.flutterwave.test-encryption-key", Severity::Low),
    ("secrets.frameio.developer-token", Severity::High),
    ("secrets.freemius.secret-key", Severity::High),
    (
        "secrets.gitlab.feature-flags-client-token",
        Severity::Medium,
    ),
    ("secrets.gitlab.session-cookie", Severity::Medium),
    ("secrets.gocardless.access-token", Severity::Critical),
    ("secrets.harness.api-token", Severity::High),
    ("secrets.honeycomb.api-key", Severity::High),
    ("secrets.imagekit.private-key", Severity::High),
    ("secrets.infracost.api-key", Severity::Medium),
    ("secrets.intercom.access-token", Severity::High),
    ("secrets.ionic.personal-access-token", Severity::High),
    ("secrets.jenkins.api-token", Severity::High),
    ("secrets.klaviyo.private-api-key", Severity::High),
    ("secrets.lob.api-key", Severity::High),
    ("secrets.mapbox.temporary-token", Severity::Low),
    ("secrets.mattermost.access-token", Severity::High),
    ("secrets.maxmind.license-key", Severity::Medium),
    ("secrets.messagebird.api-key", Severity::High),
    ("secrets.ngrok.authtoken", Severity::High),
    ("secrets.nightfall.api-key", Severity::High),
    ("secrets.octopus.api-key", Severity::High),
    ("secrets.onesignal.api-key", Severity::High),
    ("secrets.pagerduty.api-key", Severity::High),
    ("secrets.prefect.api-key", Severity::High),
    ("secrets.pubnub.publish-key", Severity::Medium),
    ("secrets.pubnub.secret-key", Severity::Critical),
    ("secrets.pubnub.subscribe-key", Severity::Low),
    ("secrets.pushbullet.access-token", Severity::High),
    ("secrets.readme.api-key", Severity::Medium),
    ("secrets.salesforce.access-token", Severity::High),
    ("secrets.scaleway.access-key-id", Severity::Medium),
    ("secrets.scaleway.secret-key", Severity::Critical),
    ("secrets.settlemint.access-token", Severity::High),
    ("secrets.shippo.live-api-token", Severity::High),
    ("secrets.shippo.test-api-token", Severity::Low),
    ("secrets.sidekiq.license-credentials", Severity::Medium),
    ("secrets.sidekiq.license-url", Severity::Medium),
    ("secrets.snyk.api-token", Severity::High),
    ("secrets.sourcegraph.access-token", Severity::High),
    ("secrets.stackhawk.api-key", Severity::High),
    ("secrets.sumologic.access-id", Severity::Medium),
    ("secrets.sumologic.access-key", Severity::Critical),
    ("secrets.telnyx.api-key", Severity::High),
    ("secrets.tines.webhook-url", Severity::Medium),
    ("secrets.trello.api-token", Severity::High),
    ("secrets.typeform.personal-access-token", Severity::High),
    ("secrets.ubidots.token", Severity::Medium),
    ("secrets.uptimerobot.main-api-key", Severity::High),
    ("secrets.uptimerobot.monitor-api-key", Severity::Low),
    ("secrets.uptimerobot.read-only-api-key", Severity::Medium),
    ("secrets.wireguard.private-key", Severity::High),
    ("secrets.yandex.api-key", Severity::High),
    ("secrets.yandex.oauth-token", Severity::High),
    ("secrets.zapier.webhook-url", Severity::Medium),
    ("secrets.zoho.oauth-token", Severity::High),
];

const PATH: &str = "deploy/app.env";
const HEAD: &str = "# settings\n\n";

fn scan(text: &str) -> Vec<Match> {
    match engine().scan(text.as_bytes(), PATH) {
        BlobOutcome::Scanned(found) => found,
        other => panic!("not scanned: {other:?}"),
    }
}

fn id(m: &Match) -> &str {
    engine().rules().rules()[m.rule].id.as_str()
}

/// The secret (the rule's secret group) in an example, found with the
/// rule's own pattern.
fn secret_of(rule: &Rule, example: &str) -> String {
    let regex = Regex::new(&rule.pattern).expect("a built-in pattern compiles");
    let caps = regex
        .captures(example.as_bytes())
        .unwrap_or_else(|| panic!("{}: example matches", rule.id));
    let group = caps
        .get(rule.secret_group)
        .unwrap_or_else(|| panic!("{}: secret group", rule.id));
    String::from_utf8_lossy(group.as_bytes()).into_owned()
}

/// Look-alikes of `secret`: (what, text).
fn look_alikes(secret: &str) -> Vec<(&'static str, String)> {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let third: String = chars[..n / 3].iter().collect();
    let mut broken = chars.clone();
    for at in [n / 4, n / 2, 3 * n / 4] {
        broken[at] = '#';
    }
    vec![
        ("cut short", third.clone()),
        ("outside the alphabet", broken.into_iter().collect()),
        ("xxxx", format!("{third}{}", "x".repeat(n - n / 3))),
        ("<your-key>", "<your-key>".to_owned()),
        (
            "one repeated character",
            format!("{third}{}", "a".repeat(n - n / 3)),
        ),
    ]
}

/// Whether the rule is found as itself in each of its examples, and none
/// of their look-alikes is reported. Returns the failures.
fn check_rule(rule: &Rule, expected: Option<Severity>) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(severity) = expected
        && rule.severity != severity
    {
        failures.push(format!("{}: severity {}", rule.id, rule.severity));
    }
    for example in &rule.examples {
        let secret = secret_of(rule, example);
        let text = format!("{HEAD}{example}\n");
        let at = example.find(&secret).unwrap_or(0);
        let line = 3 + example[..at].matches('\n').count() as u32;
        let found = scan(&text);
        let own = found.iter().find(|m| id(m) == rule.id.as_str());
        match own {
            None => failures.push(format!(
                "{}: not found in {example:?}; found {:?}",
                rule.id,
                found.iter().map(id).collect::<Vec<_>>()
            )),
            Some(m) => {
                if m.line != line {
                    failures.push(format!("{}: line {} not {line}", rule.id, m.line));
                }
                if m.confidence < Confidence::Medium {
                    failures.push(format!("{}: confidence {}", rule.id, m.confidence));
                }
                if m.secret.fingerprint() != engine().fingerprint(&secret) {
                    failures.push(format!("{}: another value", rule.id));
                }
            }
        }
        for (what, alike) in look_alikes(&secret) {
            let text = format!("{HEAD}{}\n", example.replacen(&secret, &alike, 1));
            for m in scan(&text) {
                if id(&m) == rule.id.as_str() || m.confidence >= Confidence::Medium {
                    failures.push(format!(
                        "{}: {what} look-alike reported by {} ({})",
                        rule.id,
                        id(&m),
                        m.confidence
                    ));
                }
            }
        }
    }
    failures
}

#[test]
fn new_provider_rules_find_their_examples_and_not_their_look_alikes() {
    let rules = engine().rules();
    let mut failures = Vec::new();
    for (rule_id, severity) in PROVIDER_RULES {
        let rule = rules
            .get(rule_id)
            .unwrap_or_else(|| panic!("{rule_id} exists"));
        failures.extend(check_rule(rule, Some(*severity)));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Providers that are one company's (a Firebase web key is a Google
/// Cloud API key, and is reported as one).
fn same_provider(a: &str, b: &str) -> bool {
    let group = |p| match p {
        "firebase" | "gcp" | "google" => "google",
        other => other,
    };
    group(a) == group(b)
}

#[test]
fn every_provider_rule_names_its_provider_at_medium_confidence_or_more() {
    // Each provider rule's examples, in a file: found by the rule itself at
    // medium confidence or more, or at least by a rule of the same
    // provider (a Firebase web key is also a Google API key; a Cosmos DB
    // connection string holds an account key).
    let (mut examples, mut own, mut provider) = (0, 0, 0);
    let mut misses = Vec::new();
    for rule in engine().rules().rules() {
        if rule.is_generic() || rule.provider() == "jwt" {
            continue;
        }
        for example in &rule.examples {
            examples += 1;
            let found = scan(&format!("{HEAD}{example}\n"));
            let strong = |m: &&Match| m.confidence >= Confidence::Medium;
            if found
                .iter()
                .filter(strong)
                .any(|m| id(m) == rule.id.as_str())
            {
                own += 1;
            } else if found.iter().filter(strong).any(|m| {
                same_provider(engine().rules().rules()[m.rule].provider(), rule.provider())
            }) {
                provider += 1;
            } else {
                misses.push(format!(
                    "{}: {:?}",
                    rule.id,
                    found.iter().map(id).collect::<Vec<_>>()
                ));
            }
        }
    }
    eprintln!("{own} of {examples} examples by their own rule, {provider} by the provider");
    assert!(misses.is_empty(), "{misses:#?}");
    assert!(examples > 300, "{examples} examples");
    // At least 99 % by the rule itself; the rest by the same provider.
    assert!(
        own * 100 >= examples * 99,
        "{own} of {examples} by their own rule, {provider} by the provider"
    );
}

#[test]
fn identifier_rules_stay_identifiers() {
    let flutterwave = engine()
        .rules()
        .get("secrets.flutterwave.public-key")
        .expect("the rule exists");
    assert_eq!(flutterwave.kind, RuleKind::Identifier);
}

/// The families of other scanners and the rules that cover them, one row
/// per provider: `provider`, `families`, `rules`, `reason` (tab-separated).
pub(crate) const FAMILIES: &str = include_str!("../../families.tsv");

#[test]
fn family_table_names_only_existing_rules_and_gives_a_reason_otherwise() {
    let rules: BTreeSet<&str> = engine()
        .rules()
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .chain(diligence_secrets::key_file_rules().map(|(id, _)| id))
        .collect();
    let mut providers = BTreeSet::new();
    for (n, line) in FAMILIES.lines().enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 4, "line {}: four cells", n + 1);
        assert!(
            providers.insert(cells[0]),
            "line {}: one row per provider",
            n + 1
        );
        assert!(!cells[1].is_empty(), "line {}: families", n + 1);
        for id in cells[2].split(", ").filter(|s| !s.is_empty()) {
            assert!(rules.contains(id), "line {}: `{id}` is a rule", n + 1);
        }
        assert!(
            !cells[2].is_empty() || !cells[3].is_empty(),
            "line {}: a rule or a reason",
            n + 1
        );
    }
}

/// `API_KEY` as `apiKey`.
fn camel(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let w = w.to_ascii_lowercase();
            if i == 0 {
                w
            } else {
                [&w[..1].to_ascii_uppercase(), &w[1..]].concat()
            }
        })
        .collect()
}

#[test]
fn a_name_in_camel_case_is_found_wherever_the_pattern_allows_it() {
    // The keyword prefilter must not hide what the pattern accepts: an
    // example `DD_API_KEY=…` written `ddApiKey: …` (YAML, JSON, XML
    // elements) holds one of the rule's keywords when its pattern matches
    // it, so the rule runs there.
    let mut misses = Vec::new();
    for rule in engine().rules().rules() {
        let regex = Regex::new(&rule.pattern).expect("a built-in pattern compiles");
        for example in &rule.examples {
            let Some((name, value)) = example.split_once('=') else {
                continue;
            };
            if name.is_empty()
                || !name.contains('_')
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                continue;
            }
            let variant = format!("{}: {value}", camel(name));
            if !regex.is_match(variant.as_bytes()) {
                continue;
            }
            let lower = variant.to_ascii_lowercase();
            if !rule.keywords.iter().any(|k| lower.contains(k.as_str())) {
                misses.push(format!("{}: {variant:?}", rule.id));
            }
        }
    }
    assert!(misses.is_empty(), "{misses:#?}");
}

fn ids_at(text: &str, path: &str) -> Vec<(String, Confidence)> {
    match engine().scan(text.as_bytes(), path) {
        BlobOutcome::Scanned(found) => found
            .iter()
            .map(|m| (id(m).to_owned(), m.confidence))
            .collect(),
        other => panic!("not scanned: {other:?}"),
    }
}

#[test]
fn families_without_a_rule_before_are_found_where_they_are_usually_written() {
    use crate::common::{Rng, alnum};
    let hex = "0123456789abcdef";
    let mut rng = Rng::new(1402);
    let publish = ["pub-c-", &rng.uuid()].concat();
    let subscribe = ["sub-c-", &rng.uuid()].concat();
    let telnyx = [
        "KEY",
        &rng.string("0123456789ABCDEF", 32),
        "_",
        &rng.string(&alnum(), 22),
    ]
    .concat();
    let confluent_key = rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16);
    let confluent_secret = rng.string(&(alnum() + "+/"), 64);
    let freemius = ["sk_", &rng.string(&(alnum() + "$%&()*+.;<>?@[]^{|}~"), 29)].concat();
    let ngrok = [
        "2",
        &rng.string(&alnum(), 26),
        "_",
        &rng.string(&alnum(), 21),
    ]
    .concat();
    let pagerduty = ["u+", &rng.string(&alnum(), 18)].concat();
    let uptime = ["u", &rng.string("0123456789", 7), "-", &rng.string(hex, 24)].concat();
    let cases: Vec<(String, &str, &[&str])> = vec![
        (
            format!(
                "const pubnub = new PubNub({{\n  publishKey: '{publish}',\n  subscribeKey: '{subscribe}',\n  userId: 'web'\n}});\n"
            ),
            "web/src/realtime.js",
            &["secrets.pubnub.publish-key", "secrets.pubnub.subscribe-key"],
        ),
        (
            format!("import telnyx\ntelnyx.api_key = \"{telnyx}\"\n"),
            "sms/send.py",
            &["secrets.telnyx.api-key"],
        ),
        (
            format!(
                "bootstrap.servers=pkc-4nym6.us-east-1.aws.confluent.cloud:9092\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{confluent_key}\" password=\"{confluent_secret}\";\n"
            ),
            "src/main/resources/kafka.properties",
            &["secrets.confluent.api-secret"],
        ),
        (
            format!(
                "$fs = fs_dynamic_init( array(\n    'id'         => '1234',\n    'slug'       => 'acme-forms',\n    'public_key' => 'pk_{}',\n    'secret_key' => '{freemius}',\n) );\n",
                rng.string(hex, 29)
            ),
            "acme-forms.php",
            &["secrets.freemius.secret-key"],
        ),
        (
            format!(
                "version: \"2\"\nauthtoken: {ngrok}\ntunnels:\n  web:\n    proto: http\n    addr: 3000\n"
            ),
            "ngrok.yml",
            &["secrets.ngrok.authtoken"],
        ),
        (
            format!("headers = {{\"Authorization\": \"Token token={pagerduty}\"}}\n"),
            "ops/oncall.py",
            &["secrets.pagerduty.api-key"],
        ),
        (
            format!("uptimerobot:\n  UPTIMEROBOT_API_KEY: \"{uptime}\"\n"),
            "deploy/values.yaml",
            &["secrets.uptimerobot.main-api-key"],
        ),
    ];
    for (text, path, expected) in &cases {
        let found = ids_at(text, path);
        for rule in *expected {
            assert!(
                found
                    .iter()
                    .any(|(id, c)| id == rule && *c >= Confidence::Medium),
                "{rule} in {path}: {found:?}"
            );
        }
    }
}

#[test]
fn families_without_a_rule_before_leave_their_look_alikes_alone() {
    use crate::common::{Rng, alnum};
    let mut rng = Rng::new(1403);
    let stripe = ["pk_", "live_", &rng.string(&alnum(), 40)].concat();
    let new_rules: Vec<&str> = [
        "authress",
        "beamer",
        "checkly",
        "close",
        "confluent",
        "courier",
        "fleetbase",
        "freemius",
        "imagekit",
        "ionic",
        "klaviyo",
        "mattermost",
        "messagebird",
        "ngrok",
        "nightfall",
        "pagerduty",
        "pubnub",
        "pushbullet",
        "sumologic",
        "telnyx",
        "uptimerobot",
    ]
    .to_vec();
    let cases: Vec<(String, &str)> = vec![
        // A Stripe publishable key is Stripe's, not Klaviyo's.
        (format!("STRIPE_PUBLISHABLE_KEY={stripe}\n"), ".env"),
        // Identifiers that share a prefix.
        ("ordering = [\"pk_order_item_reference\"]\nion_channel_selector = 3\n".to_owned(), "app/models.py"),
        ("from app.api_client.session_manager import build_session\n".to_owned(), "app/api.py"),
        ("private_key_path = /etc/keys/private_key_for_signing_requests.pem\n".to_owned(), "conf/app.ini"),
        ("const KEYBOARD_SHORTCUT_TOGGLE_SIDEBAR_PANEL = 'ctrl+b';\n".to_owned(), "web/keys.ts"),
        // A Kafka JAAS line with a local broker's user, not a Confluent key.
        ("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";\n".to_owned(), "kafka.properties"),
        // References and placeholders.
        ("authtoken: ${NGROK_AUTHTOKEN}\n".to_owned(), "ngrok.yml"),
        ("curl -H \"Authorization: Token token=$PAGERDUTY_TOKEN\" https://api.pagerduty.com/users\n".to_owned(), "scripts/oncall.sh"),
        ("publishKey: 'pub-c-demo', subscribeKey: 'sub-c-demo'\n".to_owned(), "web/demo.js"),
        ("access_key = {SumoAccessKey}\naccess_id = {SumoAccessId}\n".to_owned(), "docs/sumo.md"),
        // A UUID that is a request id, and a version.
        (format!("request_id: {}-4a1b-9c2d-{}\n", rng.string("0123456789abcdef", 8), rng.string("0123456789abcdef", 12) + "-0000"), "logs/app.yml"),
        ("UPTIMEROBOT_API_VERSION=3.2.1\n".to_owned(), ".env"),
    ];
    for (text, path) in &cases {
        for (rule, confidence) in ids_at(text, path) {
            let provider = rule.split('.').nth(1).unwrap_or_default();
            assert!(
                !new_rules.contains(&provider) && confidence < Confidence::Medium
                    || rule.starts_with("secrets.stripe."),
                "{text:?} in {path}: {rule} ({confidence})"
            );
        }
    }
}

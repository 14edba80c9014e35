//! Secrets written in syntaxes a line-based rule does not see at first
//! sight: PEM blocks inside string literals, assignment forms of many
//! languages, values on their own line between XML tags, whole env files
//! inside JSON strings, Kubernetes `Secret` data, Dockerfile `ENV`; and
//! their look-alikes.

use diligence_secrets::{BlobOutcome, Match, base64_encode};

use crate::common::{Rng, alnum, engine};

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

/// A random value a generic rule accepts.
fn value(seed: u64) -> String {
    ["Xk29", &Rng::new(seed).string(&alnum(), 20)].concat()
}

/// An RSA private key block's lines (a DER sequence header, then random
/// base64), built at run time.
fn rsa_lines(seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut lines = vec![["-----BEGIN ", "RSA PRIVATE KEY-----"].concat()];
    lines.push(["MIIEpAIBAAKCAQEA", &rng.string(&(alnum() + "+/"), 48)].concat());
    for _ in 0..5 {
        lines.push(rng.string(&(alnum() + "+/"), 64));
    }
    lines.push(["-----END ", "RSA PRIVATE KEY-----"].concat());
    lines
}

#[test]
fn pem_blocks_in_string_literals_are_found_once() {
    for (escape, path) in [
        ("\\r\\n", "src/main/java/Keys.java"),
        ("\\n", "src/keys.ts"),
        ("\\n", "config/service-account.json"),
    ] {
        let block = rsa_lines(11).join(escape);
        let text = if path.ends_with(".json") {
            format!("{{\"private_key\": \"{block}{escape}\"}}\n")
        } else {
            format!("String key = \"{block}\";\n")
        };
        let ids = rule_ids(&text, path);
        assert_eq!(ids, ["secrets.private-key.rsa"], "{escape} in {path}");
    }
    // JSON may also escape the slashes of base64 (`\/`).
    let block = rsa_lines(12).join("\\n").replace('/', "\\/");
    let ids = rule_ids(&format!("{{\"key\":\"{block}\"}}"), "key.json");
    assert_eq!(ids, ["secrets.private-key.rsa"]);
    // Placeholders between the escaped markers stay out.
    let lines = rsa_lines(13);
    let placeholder = [lines[0].as_str(), "...", lines[7].as_str()].join("\\r\\n");
    assert!(rule_ids(&format!("k = \"{placeholder}\"\n"), "a.java").is_empty());
    let short = [lines[0].as_str(), "MIIBOgIBAAJB", lines[7].as_str()].join("\\n");
    assert!(rule_ids(&format!("k = \"{short}\"\n"), "a.java").is_empty());
}

/// Read on a React + Supabase application's committed Firebase
/// service-account file: its private key was reported twice, by the
/// service-account rule on the escaped JSON string and by the PKCS #8
/// rule on the block unescaped. One key, one finding.
#[test]
fn a_service_account_key_is_reported_once() {
    // A PKCS #8 structure's header, then random bytes to its stated length.
    let mut rng = Rng::new(14);
    let mut der = vec![
        0x30, 0x82, 0x04, 0xbd, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
        0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x04, 0x82, 0x04, 0xa7,
    ];
    while der.len() < 0x4bd + 4 {
        der.extend(rng.string("0123456789abcdef", 2).bytes().take(1));
    }
    let body = base64_encode(&der);
    let mut lines = vec![["-----BEGIN ", "PRIVATE KEY-----"].concat()];
    lines.extend(
        body.as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned()),
    );
    lines.push(["-----END ", "PRIVATE KEY-----"].concat());
    let block = lines.join("\\n");
    let text = format!(
        "{{\n  \"type\": \"service_account\",\n  \"private_key\": \"{block}\\n\",\n  \"project_id\": \"demo\"\n}}\n"
    );
    assert_eq!(
        rule_ids(&text, "firebase-config.json"),
        ["secrets.gcp.service-account-private-key"]
    );
    // The same block in a string literal of code is the PKCS #8 rule's.
    let code = format!("const key = \"{block}\";\n");
    assert_eq!(rule_ids(&code, "src/key.ts"), ["secrets.private-key.pkcs8"]);
}

#[test]
fn assignment_syntaxes_of_many_languages_are_found() {
    let v = value(21);
    let dd = ["4c7613de8053c372", "37ed913b12d78061"].concat();
    let cases = [
        (
            format!("API_KEY ?= \"{v}\"\n"),
            "Makefile",
            "secrets.generic.secret",
        ),
        (
            format!("DB_PASSWORD ::= {v}\n"),
            "Makefile",
            "secrets.generic.password",
        ),
        (
            format!("API_TOKEN :::= {v}\n"),
            "GNUmakefile",
            "secrets.generic.secret",
        ),
        (
            format!("DD_API_KEY ?= {dd}\n"),
            "Makefile",
            "secrets.datadog.api-key",
        ),
        (
            format!("var apiKey string = \"{v}\"\n"),
            "main.go",
            "secrets.generic.secret",
        ),
        (
            format!("const DD_API_KEY string = \"{dd}\"\n"),
            "main.go",
            "secrets.datadog.api-key",
        ),
        (
            format!("api_token: str = \"{v}\"\n"),
            "app.py",
            "secrets.generic.secret",
        ),
        (
            format!("$secret .= \"{v}\";\n"),
            "index.php",
            "secrets.generic.secret",
        ),
        (
            format!("System.setProperty(\"DB_PASSWORD\", \"{v}\");\n"),
            "App.java",
            "secrets.generic.password",
        ),
        (
            format!("os.environ.setdefault(\"API_KEY\", \"{v}\")\n"),
            "manage.py",
            "secrets.generic.secret",
        ),
        (
            format!("config.set(\"api_key\", '{v}')\n"),
            "setup.py",
            "secrets.generic.secret",
        ),
        (
            format!("System.setProperty(\"DD_API_KEY\", \"{dd}\");\n"),
            "App.java",
            "secrets.datadog.api-key",
        ),
        (
            format!("<config>\n  <password>\n    {v}\n  </password>\n</config>\n"),
            "conf/server.xml",
            "secrets.generic.password",
        ),
        (
            format!("<db><password>{v}</password></db>\n"),
            "conf/server.xml",
            "secrets.generic.password",
        ),
        (
            format!("{{\"config.ini\": \"[app]\\nAPI_KEY={v}\\nOTHER=1\\n\"}}\n"),
            "fixtures/bundle.json",
            "secrets.generic.secret",
        ),
        // A Terraform variable's default, lines below its name.
        (
            format!(
                "variable \"db_password\" {{\n  type      = string\n  sensitive = true\n  default   = \"{v}\"\n}}\n"
            ),
            "infra/variables.tf",
            "secrets.generic.password",
        ),
        // A JSON object inside a Java string: names and values in escaped
        // quotes.
        (
            format!(
                "String body = \"{{\\\"user\\\":\\\"ci\\\",\\\"apiToken\\\":\\\"{v}\\\"}}\";\n"
            ),
            "src/Client.java",
            "secrets.generic.secret",
        ),
    ];
    let values = [engine().fingerprint(&v), engine().fingerprint(&dd)];
    for (text, path, rule) in &cases {
        let found = matches(text, path);
        assert!(
            found
                .iter()
                .any(|(id, m)| id == rule && values.contains(&m.secret.fingerprint().to_owned())),
            "{text:?} in {path}: {found:?}"
        );
        // One finding per value: the escaped and the unescaped form agree.
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
    }
    // The JSON string's value ends at the escape, so it is the same
    // secret (same fingerprint) as in the file it holds.
    let whole = matches(&format!("API_KEY={v}\n"), ".env");
    let nested = matches(&cases[14].0, cases[14].1);
    assert_eq!(
        whole[0].1.secret.fingerprint(),
        nested[0].1.secret.fingerprint()
    );
    assert!(matches!(nested[0].1.decoded, None | Some("escapes")));
    // Every entry of the embedded file is read, not only the first.
    let w = value(28);
    let two = format!("{{\"app.env\": \"API_KEY={v}\\nAPI_TOKEN={w}\\n\"}}\n");
    let found = matches(&two, "seed.json");
    let fingerprints: Vec<&str> = found.iter().map(|(_, m)| m.secret.fingerprint()).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(fingerprints.contains(&engine().fingerprint(&w).as_str()));
}

#[test]
fn assignment_look_alikes_stay_out() {
    let v = value(22);
    let look_alikes = [
        // A setter call whose value is a variable, not a literal.
        "System.setProperty(\"DB_PASSWORD\", passwordFromVault);\n".to_owned(),
        "headers.set(\"X-Api-Key\", apiKeyValue)\n".to_owned(),
        // Two arguments that are not a name and its value.
        format!("check(password, \"{v}\")\n"),
        // A Go declaration without a literal.
        "var apiKey string = os.Getenv(\"API_KEY\")\n".to_owned(),
        // An XML element naming a key, and one holding a template.
        "<keyAlias>\n  release\n</keyAlias>\n".to_owned(),
        "<password>${env.DB_PASSWORD}</password>\n".to_owned(),
        // A JSON string with escaped lines but only references.
        "{\"env\": \"API_KEY=${API_KEY}\\nDEBUG=1\"}\n".to_owned(),
        // printf-style text with `\n` escapes.
        "printf(\"token expired\\nplease log in again\\n\");\n".to_owned(),
        // One escaped line break and escaped quotes around a reference or a word.
        "{\"cmd\": \"export API_KEY=\\\"${API_KEY}\\\"\\nrun\"}\n".to_owned(),
        "log.info(\"password=\\\"redacted-by-proxy\\\"\\n\");\n".to_owned(),
        // Escaped JSON naming a reference, not holding a value.
        "String body = \"{\\\"apiToken\\\":\\\"${API_TOKEN}\\\"}\";\n".to_owned(),
    ];
    for text in &look_alikes {
        assert!(rule_ids(text, "src/app.java").is_empty(), "{text:?}");
    }
    // A Terraform variable without a default does not take the next
    // block's.
    let terraform = "variable \"api_token\" {\n  type = string\n}\n\nvariable \"build_tag\" {\n  default = \"Xk29vLq81rPz-r3\"\n}\n";
    assert!(rule_ids(terraform, "infra/variables.tf").is_empty());
}

#[test]
fn kubernetes_secret_data_is_decoded_and_sealed_secrets_are_not_reported() {
    let v = value(23);
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  DB_PASSWORD: {}\n  DB_HOST: {}\nstringData:\n  API_TOKEN: \"{}\"\n",
        base64_encode(v.as_bytes()),
        base64_encode(b"db.internal"),
        value(27),
    );
    let found = matches(&manifest, "k8s/secret.yaml");
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert!(ids.contains(&"secrets.generic.password"), "{found:?}");
    assert!(ids.contains(&"secrets.generic.secret"), "{found:?}");
    let decoded = found
        .iter()
        .find(|(id, _)| id == "secrets.generic.password")
        .map(|(_, m)| m)
        .expect("the data value is found");
    assert_eq!(decoded.decoded, Some("base64"));
    assert_eq!(decoded.line, 7);
    // A SealedSecret reports nothing at all: its values are ciphertext.
    let sealed = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: app\nspec:\n  encryptedData:\n    DB_PASSWORD: Ag{}\n    API_TOKEN: Ag{}\n",
        Rng::new(24).string(&(alnum() + "+/"), 300),
        Rng::new(25).string(&(alnum() + "+/"), 300),
    );
    assert!(rule_ids(&sealed, "k8s/sealed.yaml").is_empty());
    // A plain Secret beside it in the same file is still read.
    let both = format!("{sealed}---\n{manifest}");
    assert!(rule_ids(&both, "k8s/all.yaml").contains(&"secrets.generic.password".to_owned()));
}

#[test]
fn dockerfile_and_fly_toml_environments_are_read() {
    let v = value(26);
    for (text, path) in [
        (format!("FROM node:20\nENV API_TOKEN {v}\n"), "Dockerfile"),
        (
            format!("FROM node:20\nENV DB_PASSWORD={v}\n"),
            "api/Dockerfile",
        ),
        (format!("ARG NPM_TOKEN={v}\n"), "build.dockerfile"),
        (
            format!("app = \"web\"\n[env]\n  SECRET_KEY_BASE = \"{v}\"\n"),
            "fly.toml",
        ),
    ] {
        let ids = rule_ids(&text, path);
        assert!(
            ids.iter().any(|id| id.starts_with("secrets.generic.")),
            "{text:?}: {ids:?}"
        );
    }
    for (text, path) in [
        (
            "FROM node:20\nENV NODE_ENV production\nENV TOKEN_PATH /run/secrets/token\n",
            "Dockerfile",
        ),
        ("ENV API_TOKEN ${API_TOKEN}\nARG API_TOKEN\n", "Dockerfile"),
        (
            "[env]\n  PRIMARY_REGION = \"ams\"\n  SECRET_NAME = \"app-db-credentials\"\n",
            "fly.toml",
        ),
    ] {
        assert!(rule_ids(text, path).is_empty(), "{text:?}");
    }
}

#[test]
fn xml_and_dockerfile_values_keep_their_lines() {
    let (a, b) = (value(29), value(30));
    let xml = format!(
        "<settings>\n  <server>\n    <password>\n      {a}\n    </password>\n  </server>\n  <proxy><password>{b}</password></proxy>\n</settings>\n"
    );
    let mut lines: Vec<u32> = matches(&xml, ".m2/settings.xml")
        .into_iter()
        .map(|(_, m)| m.line)
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [4, 7]);
    let docker = format!("FROM alpine\nENV API_TOKEN {a}\nRUN true\nENV DB_PASSWORD {b}\n");
    let mut lines: Vec<u32> = matches(&docker, "Dockerfile")
        .into_iter()
        .map(|(_, m)| m.line)
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn provider_values_are_named_by_their_provider_in_every_assignment_syntax() {
    // A Datadog API key is recognised by its name (a context rule), a
    // Sourcegraph token by its prefix: both keep their provider whatever
    // the syntax around them.
    let dd = Rng::new(61).string("0123456789abcdef", 32);
    let sg = ["sgp_", &Rng::new(62).string("0123456789abcdef", 40)].concat();
    for (name, value, rule) in [
        ("DD_API_KEY", dd.as_str(), "secrets.datadog.api-key"),
        (
            "SRC_ACCESS_TOKEN",
            sg.as_str(),
            "secrets.sourcegraph.access-token",
        ),
    ] {
        // The element named in camel case: `<ddApiKey>`, `<srcAccessToken>`.
        let xml: String = name
            .split('_')
            .enumerate()
            .map(|(i, w)| {
                let w = w.to_ascii_lowercase();
                if i == 0 {
                    w
                } else {
                    [&w[..1].to_ascii_uppercase(), &w[1..]].concat()
                }
            })
            .collect();
        let cases = [
            (format!("{name} ?= \"{value}\"\n"), "Makefile"),
            (format!("{name} ::= \"{value}\"\n"), "Makefile"),
            (format!("{name} :::= \"{value}\"\n"), "GNUmakefile"),
            (format!("var {name} string = \"{value}\"\n"), "main.go"),
            (format!("${name} .= \"{value}\";\n"), "index.php"),
            (
                format!("System.setProperty(\"{name}\", \"{value}\");\n"),
                "App.java",
            ),
            (
                format!("os.environ.setdefault(\"{name}\", \"{value}\")\n"),
                "manage.py",
            ),
            (format!("config.set(\"{name}\", \"{value}\")\n"), "setup.py"),
            (
                format!("<config>\n  <{xml}>\n    {value}\n  </{xml}>\n</config>\n"),
                "conf/app.xml",
            ),
            (
                format!("{{\"config.ini\": \"[app]\\n{name}={value}\\nOTHER=1\\n\"}}\n"),
                "bundle.json",
            ),
        ];
        for (text, path) in &cases {
            let found = matches(text, path);
            assert!(
                found.iter().any(|(id, m)| id == rule
                    && m.secret.fingerprint() == engine().fingerprint(value)
                    && m.confidence >= diligence_model::Confidence::Medium),
                "{text:?} in {path}: {:?}",
                found
                    .iter()
                    .map(|(id, m)| (id, m.confidence))
                    .collect::<Vec<_>>()
            );
        }
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
fn every_provider_rule_keeps_its_provider_in_every_assignment_syntax() {
    // Each `NAME=value` example of a provider rule (credentials, not
    // identifiers), rewritten in the assignment forms of Make, Go, PHP,
    // Java (also with a dotted property name), Python, Java properties
    // (dashed), XML, a JSON-embedded env file, a C array, Windows' `setx`,
    // a command-line option and a YAML block scalar: found by a rule of
    // the same provider at medium confidence or more. Format rules (a JWT,
    // a Google API key) claim some values for their format's provider.
    use diligence_model::Confidence;
    use diligence_secrets::RuleKind;
    let engine = engine();
    let rules = engine.rules().rules();
    let group = |p: &str| match p {
        "firebase" | "gcp" | "google" => "google".to_owned(),
        "supabase" | "turso" | "jwt" => "jwt".to_owned(),
        other => other.to_owned(),
    };
    let (mut total, mut found) = (0, 0);
    let mut misses = Vec::new();
    for rule in rules {
        if rule.is_generic() || rule.kind != RuleKind::Secret {
            continue;
        }
        for example in &rule.examples {
            let Some((name, value)) = example.split_once('=') else {
                continue;
            };
            let plain_name = name.contains('_')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if !plain_name || value.contains(['\n', ' ', '"', '\'']) {
                continue;
            }
            let c = camel(name);
            let lower = name.to_ascii_lowercase();
            let forms = [
                (format!("{name} ?= \"{value}\"\n"), "Makefile"),
                (format!("{name} ::= {value}\n"), "Makefile"),
                (format!("{name} :::= \"{value}\"\n"), "GNUmakefile"),
                (format!("var {c} string = \"{value}\"\n"), "main.go"),
                (format!("${lower} .= '{value}';\n"), "index.php"),
                (
                    format!("System.setProperty(\"{name}\", \"{value}\");\n"),
                    "App.java",
                ),
                (
                    format!("os.environ.setdefault('{name}', '{value}')\n"),
                    "manage.py",
                ),
                (
                    format!("config.set(\"{lower}\", \"{value}\")\n"),
                    "setup.py",
                ),
                (
                    format!(
                        "System.setProperty(\"{}\", \"{value}\");\n",
                        lower.replace('_', ".")
                    ),
                    "App.java",
                ),
                (
                    format!("{} = {value}\n", lower.replace('_', "-")),
                    "src/main/resources/application.properties",
                ),
                (
                    format!("<config>\n  <{c}>\n    {value}\n  </{c}>\n</config>\n"),
                    "conf/app.xml",
                ),
                (
                    format!("{{\"config.ini\": \"{name}={value}\\nOTHER=1\"}}\n"),
                    "bundle.json",
                ),
                (
                    format!("{{\".env\": \"{name}=\\\"{value}\\\"\\nOTHER=1\"}}\n"),
                    "bundle.json",
                ),
                (format!("static char {lower}[] = \"{value}\";\n"), "main.c"),
                (format!("setx {name} \"{value}\"\n"), "setup.bat"),
                (
                    format!("acmectl deploy --{} {value}\n", lower.replace('_', "-")),
                    "deploy.sh",
                ),
                (format!("{lower}: >-\n  {value}\n"), "values.yaml"),
            ];
            for (text, path) in &forms {
                total += 1;
                let hits = matches(text, path);
                if hits.iter().any(|(id, m)| {
                    m.confidence >= Confidence::Medium
                        && group(id.split('.').nth(1).unwrap_or_default()) == group(rule.provider())
                }) {
                    found += 1;
                } else {
                    misses.push(format!("{}: {text:?}", rule.id));
                }
            }
        }
    }
    eprintln!("{found} of {total} provider values kept their provider");
    assert!(total > 1000, "{total} cases");
    assert!(found * 100 >= total * 99, "{found} of {total}: {misses:#?}");
}

#[test]
fn dotted_property_names_are_read_as_environment_names() {
    let token = Rng::new(71).string("0123456789abcdef", 32);
    for (text, path) in [
        (
            format!("System.setProperty(\"twilio.auth.token\", \"{token}\");\n"),
            "App.java",
        ),
        (
            format!("twilio.auth-token={token}\n"),
            "src/main/resources/application.properties",
        ),
    ] {
        let found = matches(&text, path);
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        // The provider's finding replaces the generic one of the same value.
        assert_eq!(ids, ["secrets.twilio.auth-token"], "{text:?}");
        assert_eq!(found[0].1.line, 1);
    }
    let look_alikes = "spring.datasource.url=jdbc:postgresql://db:5432/app\n\
        server.ssl.key-store=classpath:keystore.p12\n\
        spring.security.oauth2.client.registration.acme.client-secret=${ACME_CLIENT_SECRET}\n\
        jwt.secret-name=prod-jwt-signing-secret\n\
        logging.level.org.springframework.security=DEBUG\n\
        management.endpoints.web.exposure.include=health,info,metrics\n";
    assert!(
        rule_ids(look_alikes, "src/main/resources/application.properties").is_empty(),
        "{:?}",
        rule_ids(look_alikes, "src/main/resources/application.properties")
    );
    let java = "System.setProperty(\"javax.net.ssl.keyStore\", \"/etc/app/keystore.jks\");\n\
        props.put(\"mail.smtp.auth\", \"true\");\n\
        System.setProperty(\"acme.api.token\", tokenFromVault);\n";
    assert!(
        rule_ids(java, "App.java").is_empty(),
        "{:?}",
        rule_ids(java, "App.java")
    );
}

#[test]
fn an_enclosing_xml_element_names_the_provider() {
    // `<airbrake><userKey>…</userKey></airbrake>`: the element names the
    // credential, its parent the provider.
    let key = ["a1", &Rng::new(71).string("0123456789abcdef", 30)].concat();
    let nested = format!(
        "<settings>\n  <airbrake enabled=\"true\">\n    <projectId/>\n    <userKey>\n      {key}\n    </userKey>\n  </airbrake>\n</settings>\n"
    );
    let found = matches(&nested, "conf/app.xml");
    assert!(
        found.iter().any(|(id, m)| id == "secrets.airbrake.api-key"
            && m.secret.fingerprint() == engine().fingerprint(&key)
            && m.line == 5),
        "{:?}",
        found.iter().map(|(id, m)| (id, m.line)).collect::<Vec<_>>()
    );
    // A closed sibling is no parent.
    let sibling =
        format!("<settings>\n  <airbrake>on</airbrake>\n  <userKey>{key}</userKey>\n</settings>\n");
    assert!(
        !rule_ids(&sibling, "conf/app.xml")
            .iter()
            .any(|id| id == "secrets.airbrake.api-key")
    );
}

/// The value of a rule's first `NAME=value` example.
fn example_value(rule: &str) -> String {
    let rule = engine().rules().get(rule).expect("rule exists");
    let example = rule
        .examples
        .iter()
        .find(|e| e.contains('='))
        .expect("a NAME=value example");
    example.split_once('=').expect("has =").1.to_owned()
}

#[test]
fn a_provider_name_names_a_generic_value_of_its_providers_shape() {
    // Each provider rule's example value, under a name that is only the
    // provider's name and a credential word (`twilioToken`, `TWILIO_TOKEN`,
    // `twilio_token`), in the assignment forms of INI, JSON, XML, YAML,
    // C#, Go, Java, Kotlin, PHP, Python, Logstash and Make: named by a rule
    // of the same provider at medium confidence or more.
    use diligence_model::Confidence;
    use diligence_secrets::RuleKind;
    let engine = engine();
    let rules = engine.rules().rules();
    let group = |p: &str| match p {
        "firebase" | "gcp" | "google" => "google".to_owned(),
        "supabase" | "turso" | "jwt" => "jwt".to_owned(),
        other => other.to_owned(),
    };
    let (mut total, mut found) = (0, 0);
    let mut misses = Vec::new();
    for rule in rules {
        if rule.is_generic() || rule.kind != RuleKind::Secret {
            continue;
        }
        for example in &rule.examples {
            let Some((name, value)) = example.split_once('=') else {
                continue;
            };
            let plain_name = name.contains('_')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            // A framework's key is known by its variable (`APP_KEY`), not
            // by the framework's name.
            if !plain_name || value.contains(['\n', ' ', '"', '\'']) || rule.provider() == "laravel"
            {
                continue;
            }
            let i = rule.provider().replace('-', "");
            let u = i.to_ascii_uppercase();
            let v = value;
            let forms = [
                format!("{i}Token=\"{v}\""),
                format!("{i}Token = {v}"),
                format!("{{\n    \"{i}_token\": \"{v}\"\n}}"),
                format!("{{\"config.ini\": \"{u}_TOKEN={v}\\nBACKUP_ENABLED=true\"}}"),
                format!("{i}_token: '{v}'"),
                format!("string {i}Token = \"{v}\";"),
                format!("var {i}Token string = \"{v}\""),
                format!("{i}Token := `{v}`"),
                format!("var {i}Token = \"{v}\""),
                format!("${i}Token .= \"{v}\""),
                format!("System.setProperty(\"{u}_TOKEN\", \"{v}\")"),
                format!("  \"{i}Token\" => \"{v}\""),
                format!("{u}_TOKEN ::= \"{v}\""),
                format!("{u}_TOKEN ?= \"{v}\""),
            ];
            for text in &forms {
                total += 1;
                let hits = matches(text, "config.txt");
                if hits.iter().any(|(id, m)| {
                    m.confidence >= Confidence::Medium
                        && group(id.split('.').nth(1).unwrap_or_default()) == group(rule.provider())
                }) {
                    found += 1;
                } else {
                    misses.push(format!("{}: {text:?}", rule.id));
                }
            }
        }
    }
    eprintln!("{found} of {total} provider-named values kept their provider");
    assert!(total > 1000, "{total} cases");
    assert!(
        found * 1000 >= total * 995,
        "{found} of {total}: {misses:#?}"
    );
}

#[test]
fn provider_names_do_not_name_what_is_not_their_shape() {
    use diligence_model::Confidence;
    let hex = Rng::new(81).string("0123456789abcdef", 32);
    let rules_of = |text: &str| {
        matches(text, "config.txt")
            .into_iter()
            .map(|(id, m)| (id, m.confidence))
            .collect::<Vec<_>>()
    };
    // Nothing but generic findings at low confidence.
    let assert_generic_low = |text: &str| {
        let found = rules_of(text);
        assert!(
            found
                .iter()
                .all(|(id, c)| id.starts_with("secrets.generic.") && *c == Confidence::Low),
            "{text}: {found:?}"
        );
    };
    // The name spells the provider in whole words, or not at all.
    for text in [
        format!("twilioish_token = \"{hex}\""),
        format!("paget_token = \"{hex}\""),
    ] {
        assert_generic_low(&text);
    }
    // A value not of the provider's shape stays a generic finding.
    let found = rules_of(&format!("twilio_token = \"{}\"", value(82)));
    assert_eq!(
        found,
        vec![("secrets.generic.secret".to_owned(), Confidence::Low)]
    );
    // Of the right shape, the name gives the provider at medium confidence
    // (a name is not a proof), never more.
    let found = rules_of(&format!("datadogToken = \"{hex}\""));
    assert_eq!(
        found,
        vec![("secrets.datadog.api-key".to_owned(), Confidence::Medium)]
    );
    // The provider's lengths and fixed text in other letters (a hex key's
    // length in any letters or digits) name it too; another length does not.
    let wide = Rng::new(84).string(&alnum(), 40);
    let found = rules_of(&format!("datadogToken = \"{wide}\""));
    assert_eq!(
        found,
        vec![(
            "secrets.datadog.application-key".to_owned(),
            Confidence::Medium
        )]
    );
    let found = rules_of(&format!("datadogToken = \"{wide}x\""));
    assert_eq!(
        found,
        vec![("secrets.generic.secret".to_owned(), Confidence::Low)]
    );
    // A provider rule that reads the value itself keeps its own confidence.
    let stripe = example_value("secrets.stripe.secret-key-live");
    let found = rules_of(&format!("STRIPE_SECRET_KEY={stripe}"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "secrets.stripe.secret-key-live");
    assert!(found[0].1 >= Confidence::High, "{found:?}");
    // Two rules of one shape (Clerk's secret keys look like Stripe's): the
    // name decides. A longer fixed prefix (OpenRouter's `sk-or-v1-`) is
    // more specific than the name's provider's looser shape (`sk-`).
    let clerk = example_value("secrets.clerk.secret-key");
    let found = rules_of(&format!("clerkToken = \"{clerk}\""));
    assert_eq!(
        found.first().map(|f| f.0.as_str()),
        Some("secrets.clerk.secret-key")
    );
    let router = [
        "sk-or-",
        "v1-",
        &Rng::new(83).string("0123456789abcdef", 64),
    ]
    .concat();
    let found = rules_of(&format!("OPENAI_API_KEY={router}"));
    assert_eq!(
        found.first().map(|f| f.0.as_str()),
        Some("secrets.openrouter.api-key"),
        "{found:?}"
    );
    // A provider's own prefix of four or more characters, before a run
    // of another length (Square's `sq0atp-` with 40 characters, not 22),
    // names it under its name; a value without that prefix, with a run
    // past twice the length or cut short, does not.
    let run = |n| Rng::new(86).string(&alnum(), n);
    let found = rules_of(&format!(
        "SQUARE_TOKEN={}",
        ["sq0", "atp-", &run(40)].concat()
    ));
    assert_eq!(
        found,
        vec![(
            "secrets.square.legacy-access-token".to_owned(),
            Confidence::Medium
        )]
    );
    for text in [
        format!("SQUARE_TOKEN={}", ["sq0", "atx-", &run(40)].concat()),
        format!("SQUARE_TOKEN={}", ["sq0", "atp-", &run(45)].concat()),
        format!("SQUARE_TOKEN={}", ["sq0", "atp-", &run(18)].concat()),
        format!("STORE_TOKEN={}", ["sq0", "atp-", &run(40)].concat()),
    ] {
        assert_generic_low(&text);
    }
}

#[test]
fn xml_attributes_that_name_a_value_are_read_as_assignments() {
    // NuGet's feed credentials, .NET `appSettings`, Spring bean
    // properties: the name and the value are two attributes of one
    // element, in either order.
    let (a, b, c) = (value(91), value(92), value(93));
    let nuget = format!(
        "<configuration>\n  <packageSourceCredentials>\n    <Feed>\n      <add key=\"Username\" value=\"ci\" />\n      <add key=\"ClearTextPassword\" value=\"{a}\" />\n    </Feed>\n  </packageSourceCredentials>\n</configuration>\n"
    );
    let settings = format!(
        "<appSettings>\n  <add key=\"PasswordMinLength\" value=\"12\" />\n  <add key=\"TokenEndpoint\" value=\"https://login.example.org/oauth/token\" />\n  <add key='ApiSecret' value='{b}'/>\n</appSettings>\n"
    );
    let spring = format!(
        "<bean id=\"ds\" class=\"org.acme.DataSource\">\n  <property name=\"password\" value=\"${{db.password}}\"/>\n  <property value=\"{c}\"\n            name=\"secretKey\"/>\n</bean>\n"
    );
    for (text, path, secret, line) in [
        (&nuget, "NuGet.Config", &a, 5),
        (&settings, "web.config", &b, 4),
        (&spring, "beans.xml", &c, 3),
    ] {
        let found = matches(text, path);
        assert_eq!(found.len(), 1, "{path}: {found:?}");
        assert_eq!(
            found[0].1.secret.fingerprint(),
            engine().fingerprint(secret)
        );
        assert_eq!(found[0].1.line, line, "{path}");
    }
    // Attributes that name nothing secret, or values that are not one.
    for text in [
        "<add key=\"Username\" value=\"Tq7vLm29XkPz81Rb\" />\n",
        "<add key=\"ApiSecret\" value=\"${API_SECRET}\" />\n",
        "<input name=\"password\" type=\"password\" value=\"\" />\n",
        "<add key=\"TokenLifetime\" value=\"3600\" />\n",
    ] {
        assert!(matches(text, "web.config").is_empty(), "{text}");
    }
}

/// An Ed25519 PKCS #8 key is 48 bytes, under the 64 the PEM check asked
/// for: a real signing key, plain or base64-encoded in an environment
/// variable, was never reported.
#[test]
fn short_ed25519_keys_are_found_plain_and_base64_encoded() {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend(Rng::new(91).string(&alnum(), 32).bytes());
    let pem = format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        base64_encode(&der),
        label = "PRIVATE KEY"
    );
    assert_eq!(
        rule_ids(&pem, "keys/signing.pem"),
        ["secrets.private-key.pkcs8"]
    );
    let env = format!("JWT_SIGNING_KEY_B64={}\n", base64_encode(pem.as_bytes()));
    assert_eq!(
        rule_ids(&env, "deploy/app.env"),
        ["secrets.private-key.pkcs8"]
    );
    // A block of 40 bytes is no key.
    let short = format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        base64_encode(&der[..40]),
        label = "PRIVATE KEY"
    );
    assert!(rule_ids(&short, "keys/signing.pem").is_empty());
}

#[test]
fn a_password_name_ending_in_key_is_left_to_the_key_rule() {
    // A storage slot's name (`passwordKey: "step_…_v1"`) is words, not key
    // material; a value that is key material is reported once, as a key.
    let found = matches(
        "const a = { passwordKey: \"step_threejs_del_pwd_v1\" };\n",
        "app.ts",
    );
    assert!(found.is_empty(), "{found:?}");
    let key = Rng::new(87).string(&alnum(), 20);
    let found = matches(&format!("PASSWORD_KEY={key}\n"), "config.txt");
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["secrets.generic.key"]);
}

#[test]
fn a_provider_word_before_a_generic_name_names_the_value() {
    // `AWS Secret: <40>` in a deployment note: the generic rule reads
    // `Secret`, the word before it says whose.
    let secret = [
        Rng::new(88).string(&alnum(), 20),
        "/".to_owned(),
        Rng::new(89).string(&alnum(), 19),
    ]
    .concat();
    let found = matches(&format!("AWS Secret: {secret}\n"), "notes.txt");
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["secrets.aws.secret-access-key"], "{found:?}");
    let found = matches(&format!("Big Secret: {secret}\n"), "notes.txt");
    let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["secrets.generic.secret"], "{found:?}");
}

#[test]
fn an_unencoded_at_sign_belongs_to_the_urls_password() {
    // `user:p@ss@host`: the authority ends at the last `@`, as drivers
    // and browsers read it, so the whole password is the value (it was
    // missed: the host it left was `rLMy@db…`, not a host).
    let password = ["s2Tf2k", "@", "rLMy", "9q"].concat();
    for scheme in ["postgres", "mysql", "mongodb", "redis", "amqp"] {
        let text = format!("DATABASE_URL=\"{scheme}://app:{password}@db.acme.test:5434/main\"\n");
        let found = matches(&text, "config/app.env");
        let named: Vec<_> = found
            .iter()
            .filter(|(id, _)| !id.starts_with("secrets.generic."))
            .collect();
        assert_eq!(named.len(), 1, "{scheme}: {found:?}");
        assert_eq!(named[0].1.secret.length(), password.len(), "{scheme}");
    }
    // An `@` after the authority (in the path or the query) is not the
    // password's.
    let password = ["Vq2pLx", "9RtK4w"].concat();
    let text =
        format!("DATABASE_URL=postgres://app:{password}@db.acme.test/main?notify=ops@acme.test\n");
    let found = matches(&text, "config/app.env");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1.secret.length(), password.len());
}

#[test]
fn a_rule_whose_value_has_no_shape_names_nothing_by_the_providers_name() {
    // A database URL's password may be any run of characters: it is read
    // out of the URL, and under a `SUPABASE_*` name a value of no other
    // rule's shape stays generic, never a Supabase database URL. A
    // Django secret key, which has no shape either, is still named by its
    // name (`DJANGO_SECRET_KEY`): its rule reads the value alone.
    let value = ["Hk3+PGqhqz6kMm0U32v8", "f61u86Z81yDefXkpm1d"].concat();
    let ids = rule_ids(&format!("SUPABASE_WEBHOOK_SECRET={value}\n"), ".env");
    assert_eq!(ids, ["secrets.generic.secret"], "{ids:?}");
    // A value of a Supabase rule's shape is still named by the provider.
    let ids = rule_ids(&format!("SUPABASE_JWT_SECRET={value}\n"), ".env");
    assert_eq!(ids, ["secrets.supabase.jwt-secret"], "{ids:?}");
    let key = ["wwf*2#86t64!fgh6yav$ao", "euo@u2o@fy&*gg76q!&%6x_wbd"].concat();
    let ids = rule_ids(
        &format!("SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', '{key}')\n"),
        "settings.py",
    );
    assert_eq!(ids, ["secrets.django.secret-key"], "{ids:?}");
}

#[test]
fn a_literal_an_environment_read_falls_back_to_is_found_under_the_variables_name() {
    // Calls that take a default, reads followed by a fallback operator,
    // and placeholders with a default, in the languages that write them.
    let forms: &[(&str, &str)] = &[
        (
            "const jwtSecret = process.env.JWT_SECRET || \"{v}\";",
            "src/auth.js",
        ),
        (
            "const k = process.env[\"SESSION_SECRET\"] ?? '{v}';",
            "src/auth.ts",
        ),
        (
            "const k = import.meta.env.VITE_API_TOKEN || `{v}`;",
            "src/config.ts",
        ),
        (
            "const k = Deno.env.get(\"SERVICE_TOKEN\") ?? \"{v}\";",
            "supabase/functions/send/index.ts",
        ),
        (
            "SECRET = os.environ.get(\"DJANGO_SECRET\", \"{v}\")",
            "app/settings.py",
        ),
        ("TOKEN = os.getenv('API_TOKEN') or '{v}'", "app/config.py"),
        (
            "SECRET = config(\"SECRET_KEY\", default=\"{v}\")",
            "app/settings.py",
        ),
        (
            "config.secret_key_base = ENV[\"SECRET_KEY_BASE\"] || \"{v}\"",
            "config/initializers/secret.rb",
        ),
        ("TOKEN = ENV.fetch(\"API_TOKEN\", \"{v}\")", "config/app.rb"),
        ("    'key' => env('APP_SECRET', '{v}'),", "config/app.php"),
        ("$k = getenv('API_SECRET') ?: '{v}';", "src/index.php"),
        (
            "var secret = getEnv(\"SESSION_SECRET\", \"{v}\")",
            "main.go",
        ),
        (
            "String t = System.getenv().getOrDefault(\"API_TOKEN\", \"{v}\");",
            "src/main/java/App.java",
        ),
        (
            "var k = Environment.GetEnvironmentVariable(\"API_SECRET\") ?? \"{v}\";",
            "Program.cs",
        ),
        (
            "jwt:\n  signing: ${JWT_SECRET:{v}}",
            "src/main/resources/application.yml",
        ),
        (
            "    environment:\n      DB_AUTH: ${POSTGRES_PASSWORD:-{v}}",
            "docker-compose.yml",
        ),
        (
            "  @Value(\"${app.jwt.secret:{v}}\")",
            "src/main/java/JwtConfig.java",
        ),
    ];
    for (i, (form, path)) in forms.iter().enumerate() {
        let v = value(900 + i as u64);
        let text = format!("// settings\n{}\n", form.replace("{v}", &v));
        let line = 2 + form.matches('\n').count() as u32;
        let found = matches(&text, path);
        assert!(
            found
                .iter()
                .any(|(_, m)| m.line == line && m.secret.length() == v.len()),
            "{text}: {:?}",
            found.iter().map(|(id, m)| (id, m.line)).collect::<Vec<_>>()
        );
    }
    // The variable's name names the provider: a value of a provider's
    // shape under its name is that provider's credential.
    let shodan = Rng::new(31).string(&alnum(), 32);
    let text = format!("const k = process.env.SHODAN_API_KEY || \"{shodan}\";\n");
    let ids = rule_ids(&text, "src/search.js");
    assert_eq!(ids, ["secrets.shodan.api-key"], "{text}");
}

#[test]
fn environment_reads_without_a_credential_literal_stay_out() {
    let v = value(950);
    for (text, path) in [
        // No default, an empty one, a placeholder, another variable.
        (
            "const k = process.env.JWT_SECRET;".to_owned(),
            "src/auth.js",
        ),
        (
            "const k = process.env.JWT_SECRET || \"\";".to_owned(),
            "src/auth.js",
        ),
        (
            "const k = process.env.API_KEY || \"your-api-key-here\";".to_owned(),
            "src/auth.js",
        ),
        (
            "const k = process.env.API_KEY || process.env.OTHER_API_KEY;".to_owned(),
            "src/auth.js",
        ),
        (
            "TOKEN = os.getenv(\"API_TOKEN\", default_token)".to_owned(),
            "app/config.py",
        ),
        // A default under a name that names no credential.
        (
            format!("HOST = os.getenv(\"DATABASE_HOST\", \"{v}\")"),
            "app/config.py",
        ),
        (
            format!("const region = process.env.AWS_REGION || \"{v}\";"),
            "src/aws.js",
        ),
        // Compose's error message for an unset variable, and a
        // placeholder without a default.
        (
            "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Variable not set}".to_owned(),
            "docker-compose.yml",
        ),
        (
            "  secret: ${JWT_SECRET}".to_owned(),
            "src/main/resources/application.yml",
        ),
    ] {
        let ids = rule_ids(&format!("{text}\n"), path);
        assert!(ids.is_empty(), "{text}: {ids:?}");
    }
}

#[test]
fn framework_keys_are_named_where_they_are_written() {
    let mut rng = Rng::new(88);
    let hex = |rng: &mut Rng, n: usize| rng.string("0123456789abcdef", n);
    let laravel = [
        "base64:",
        &base64_encode(rng.string(&alnum(), 32).as_bytes()),
    ]
    .concat();
    let rails = hex(&mut rng, 128);
    let master = hex(&mut rng, 32);
    let nextauth = base64_encode(rng.string(&alnum(), 32).as_bytes());
    let symfony = hex(&mut rng, 32);
    for (text, path, rule) in [
        (
            format!("APP_ENV=production\nAPP_KEY={laravel}\n"),
            ".env.docker",
            "secrets.laravel.app-key",
        ),
        (
            format!("    'key' => env('APP_KEY', '{laravel}'),\n"),
            "config/app.php",
            "secrets.laravel.app-key",
        ),
        (
            format!("production:\n  secret_key_base: {rails}\n"),
            "config/secrets.yml",
            "secrets.rails.secret-key-base",
        ),
        (
            format!(
                "Rails.application.config.secret_key_base = ENV[\"SECRET_KEY_BASE\"] || \"{rails}\"\n"
            ),
            "config/initializers/secret.rb",
            "secrets.rails.secret-key-base",
        ),
        (
            format!("RAILS_MASTER_KEY={master}\n"),
            "deploy/.env",
            "secrets.rails.master-key",
        ),
        (
            format!("NEXTAUTH_SECRET={nextauth}\n"),
            ".env.production",
            "secrets.nextauth.secret",
        ),
        (
            format!("AUTH_SECRET=\"{nextauth}\"\n"),
            "apps/web/.env",
            "secrets.nextauth.secret",
        ),
        (
            format!("APP_SECRET={symfony}\n"),
            ".env",
            "secrets.symfony.app-secret",
        ),
        // The master key file holds the key alone.
        (
            format!("{master}\n"),
            "config/master.key",
            "secrets.rails.master-key",
        ),
        (
            master.clone(),
            "config/credentials/production.key",
            "secrets.rails.master-key",
        ),
    ] {
        let ids = rule_ids(&text, path);
        assert_eq!(ids, [rule], "{path}: {text}");
    }
    // The same digits in another file are not a master key, nor is a
    // master key file that holds something else; references and empty
    // keys are nothing.
    for (text, path) in [
        (format!("{master}\n"), "config/version.key"),
        (format!("{master}\n"), "public/build.txt"),
        (
            "RAILS_MASTER_KEY=${RAILS_MASTER_KEY}\n".to_owned(),
            "deploy/.env",
        ),
        (format!("{}\n", hex(&mut rng, 40)), "config/master.key"),
        ("APP_KEY=\n".to_owned(), ".env"),
        // Another secret whose name ends like Auth.js's, and Symfony's
        // placeholder.
        (format!("JWT_AUTH_SECRET={nextauth}\n"), ".env"),
        (
            "APP_SECRET=ThisTokenIsNotSoSecretChangeIt\n".to_owned(),
            ".env",
        ),
        (
            "  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n".to_owned(),
            "config/secrets.yml",
        ),
    ] {
        let ids = rule_ids(&text, path);
        assert!(
            !ids.iter()
                .any(|id| id.starts_with("secrets.rails.") || id.starts_with("secrets.laravel.")),
            "{path}: {text}: {ids:?}"
        );
    }
}

#[test]
fn mobile_firebase_configurations_hold_public_keys_not_secrets() {
    let key = ["AIza", &Rng::new(515).string(&alnum(), 35)].concat();
    for (text, path, rule) in [
        (
            format!(
                "{{\n  \"client\": [\n    {{\n      \"api_key\": [\n        {{\n          \"current_key\": \"{key}\"\n        }}\n      ]\n    }}\n  ]\n}}\n"
            ),
            "android/app/google-services.json",
            "secrets.firebase.android-api-key",
        ),
        (
            format!("<dict>\n\t<key>API_KEY</key>\n\t<string>{key}</string>\n</dict>\n"),
            "ios/Runner/GoogleService-Info.plist",
            "secrets.firebase.ios-api-key",
        ),
    ] {
        assert_eq!(rule_ids(&text, path), [rule], "{path}");
    }
    // The same key elsewhere is a Google API key to restrict or rotate.
    let text = format!("const MAPS_KEY = \"{key}\";\n");
    assert_eq!(rule_ids(&text, "src/maps.ts"), ["secrets.gcp.api-key"]);
}

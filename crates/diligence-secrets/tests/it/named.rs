//! Name-anchored provider rules (`named-providers.tsv`): every row, on
//! both sides, with values drawn at test time from the row's shapes. A
//! value of the shape assigned to a name holding the provider's name and
//! a credential word is reported as that provider at medium confidence,
//! in every usual assignment form; a value of the wrong length or
//! alphabet, a placeholder, a masked value, an identifier name, or the
//! same value under another provider's name is not reported as it.

use diligence_model::Confidence;
use diligence_secrets::{BlobOutcome, Match};

use crate::common::{Rng, alnum, base64url, engine};

const TABLE: &str = include_str!("../../named-providers.tsv");

struct Row {
    provider: String,
    rule: String,
    word: String,
    shapes: Vec<(String, usize, usize)>,
}

fn rows() -> Vec<Row> {
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(cells.len(), 7, "{l}");
            let shapes = cells[4]
                .split(' ')
                .map(|s| {
                    if s == "uuid" {
                        return ("uuid".to_owned(), 36, 36);
                    }
                    if s == "jwt" {
                        return ("jwt".to_owned(), 40, 4096);
                    }
                    let at = s.find(|c: char| c.is_ascii_digit()).expect("a length");
                    let (min, max) = match s[at..].split_once('-') {
                        Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
                        None => {
                            let n = s[at..].parse().unwrap();
                            (n, n)
                        }
                    };
                    (s[..at].to_owned(), min, max)
                })
                .collect();
            Row {
                provider: cells[0].to_owned(),
                rule: format!("secrets.{}.{}", cells[0], cells[1]),
                word: cells[3].split(',').next().unwrap().trim().replace(' ', "_"),
                shapes,
            }
        })
        .collect()
}

fn alphabet(class: &str) -> &'static str {
    match class {
        "hex" | "uuid" => "0123456789abcdef",
        "lower" => "abcdefghijklmnopqrstuvwxyz0123456789",
        "upper" => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "alnum" => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "token" => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        "base" => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        other => panic!("unknown class {other}"),
    }
}

/// A JSON Web Token whose header is `header`: a subject and an issue
/// time, an HMAC-SHA256-long signature.
fn jwt(rng: &mut Rng, header: &str) -> String {
    let subject = rng.string(alphabet("alnum"), 16);
    format!(
        "{}.{}.{}",
        base64url(header),
        base64url(&format!(r#"{{"sub":"{subject}","iat":1700000000}}"#)),
        rng.string(alphabet("token"), 43)
    )
}

/// A value of the shape, of length `len` (ignored for a UUID or a JWT).
fn value(rng: &mut Rng, class: &str, len: usize) -> String {
    loop {
        let v = match class {
            "uuid" => rng.uuid(),
            "jwt" => jwt(rng, r#"{"alg":"HS256","typ":"JWT"}"#),
            _ => rng.string(alphabet(class), len),
        };
        let lower = v.to_ascii_lowercase();
        let word = [
            "test", "demo", "todo", "null", "none", "true", "false", "sample",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if !v.starts_with(['-', '_'])
            && !v.ends_with(['-', '_'])
            && v.bytes().any(|b| b.is_ascii_digit())
            && !word
        {
            return v;
        }
    }
}

fn scan(text: &str) -> Vec<Match> {
    match engine().scan(text.as_bytes(), "deploy/app.env") {
        BlobOutcome::Scanned(found) => found,
        other => panic!("not scanned: {other:?}"),
    }
}

fn id(m: &Match) -> &str {
    engine().rules().rules()[m.rule].id.as_str()
}

/// The rule ids of what one line yields.
fn ids(line: &str) -> Vec<String> {
    scan(&format!("{line}\n"))
        .iter()
        .map(|m| id(m).to_owned())
        .collect()
}

/// `airbrake` as `airbrakeApiKey` and friends.
fn camel(word: &str, rest: &str) -> String {
    format!("{}{rest}", word.replace('_', ""))
}

/// `airbrakeApiKey` as `AirbrakeApiKey`.
fn capital(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// The assignment forms of `name = value` a repository writes.
fn forms(word: &str, value: &str) -> Vec<String> {
    let upper = word.to_ascii_uppercase();
    vec![
        format!("{upper}_API_KEY={value}"),
        format!("export {upper}_TOKEN=\"{value}\""),
        format!("  \"{word}_access_key\": \"{value}\","),
        format!("{}: '{value}'", camel(word, "Secret")),
        format!("const {} = \"{value}\";", camel(word, "ApiKey")),
        format!("<{0}>{value}</{0}>", camel(word, "Token")),
        format!("{upper}_KEY ?= {value}"),
        format!("config.set(\"{word}.api_key\", \"{value}\")"),
        // At a camel-case capital after another word.
        format!("const my{} = \"{value}\";", capital(&camel(word, "ApiKey"))),
    ]
}

#[test]
fn every_row_finds_its_shape_under_its_name_in_every_form() {
    let mut rng = Rng::new(2024);
    let mut failures = Vec::new();
    let rows = rows();
    assert!(rows.len() > 300, "{} rows", rows.len());
    for row in &rows {
        for (class, min, max) in &row.shapes {
            for len in [*min, *max] {
                let v = value(&mut rng, class, len);
                for text in forms(&row.word, &v) {
                    let found = scan(&format!("# settings\n{text}\n"));
                    // Another provider whose name the key also holds as a
                    // word of its own may claim it.
                    let flat = text.to_ascii_lowercase().replace(['_', '-', '.'], "");
                    let own = found.iter().find(|m| {
                        id(m) == row.rule
                            || rows
                                .iter()
                                .any(|r| r.rule == id(m) && flat.contains(&r.word.replace('_', "")))
                    });
                    match own {
                        Some(m) if m.confidence >= Confidence::Medium && m.line == 2 => {}
                        _ => failures.push(format!(
                            "{}: {text:?} gave {:?}",
                            row.rule,
                            found
                                .iter()
                                .map(|m| (id(m), m.confidence))
                                .collect::<Vec<_>>()
                        )),
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(40)]
    );
}

#[test]
fn look_alikes_of_every_row_are_not_reported_as_it() {
    let mut rng = Rng::new(77);
    let mut failures = Vec::new();
    let rows = rows();
    for (i, row) in rows.iter().enumerate() {
        let (class, min, max) = &row.shapes[0];
        let v = value(&mut rng, class, *max);
        let upper = row.word.to_ascii_uppercase();
        let other = &rows[(i + 1) % rows.len()];
        // Lengths just outside every shape of the row, in its alphabet.
        let mut alikes: Vec<(&str, String)> = Vec::new();
        let fits = |n: usize| row.shapes.iter().any(|(_, a, b)| (*a..=*b).contains(&n));
        for n in [min.saturating_sub(1), max + 1] {
            if n > 0 && !fits(n) && class != "uuid" && class != "jwt" {
                alikes.push(("wrong length", value(&mut rng, class, n)));
            }
        }
        if class == "uuid" {
            alikes.push(("wrong length", v[..35].to_owned()));
        }
        // Three base64url JSON objects, but no signing algorithm: not a JWT.
        if class == "jwt" {
            alikes.push(("no alg", jwt(&mut rng, r#"{"typ":"JWT"}"#)));
        }
        let mut broken: Vec<char> = v.chars().collect();
        let n = broken.len();
        broken[n / 2] = '#';
        alikes.push(("wrong alphabet", broken.into_iter().collect()));
        alikes.push(("placeholder", format!("{{{}}}", camel(&row.word, "ApiKey"))));
        alikes.push(("masked", "#".repeat(*max)));
        alikes.push(("xxxx", "x".repeat(*max)));
        for (what, alike) in &alikes {
            for text in [
                format!("{upper}_API_KEY={alike}"),
                format!("\"{}\": \"{alike}\"", camel(&row.word, "Token")),
            ] {
                for m in scan(&format!("# settings\n{text}\n")) {
                    if id(&m) == row.rule {
                        failures.push(format!("{}: {what}: {text:?}", row.rule));
                    }
                }
            }
        }
        // The right value under a name that is not the credential, or
        // under another provider's name.
        for text in [
            format!("{upper}_API_KEY_NAME={v}"),
            format!("{upper}_KEY_ID={v}"),
            format!("{}: {v}", camel(&row.word, "CredentialsId")),
            format!("{}_ACCOUNT={v}", upper),
            format!("{}_API_KEY={v}", other.word.to_ascii_uppercase()),
        ] {
            for m in scan(&format!("# settings\n{text}\n")) {
                if id(&m) == row.rule
                    && !row.word.contains(&other.word)
                    && !other.word.contains(&row.word)
                {
                    failures.push(format!("{}: {text:?}", row.rule));
                }
            }
        }
        // The provider's name inside another word (`kucoinApiKey` holds
        // `coinApi`) is another name.
        let glued = format!("const zq{} = \"{v}\";", camel(&row.word, "ApiKey"));
        if scan(&glued).iter().any(|m| id(m) == row.rule) {
            failures.push(format!("{}: {glued:?}", row.rule));
        }
        // The provider's name alone, without a credential word, is not enough.
        if other.provider != row.provider {
            let text = format!("{upper}_PROJECT={v}");
            if scan(&text).iter().any(|m| id(m) == row.rule) {
                failures.push(format!("{}: {text:?}", row.rule));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(40)]
    );
}

#[test]
fn hard_negatives_stay_unreported() {
    // Credential identifiers, vault and secret names, templates, masks,
    // versions and coordinates beside a provider's name.
    let uuid = "3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e9b0c47";
    for text in [
        format!(
            "withCredentials([string(credentialsId: '{uuid}', variable: 'AIRBRAKE_USER_KEY')])"
        ),
        format!("airbrakeCredentialsId = '{uuid}'"),
        "SUMO_ACCESS_KEY_NAME=\"NEXUS-GPT4-API-KEY\"".to_owned(),
        "\"shodan_api_key\": \"{SumoAccessKey}\"".to_owned(),
        "SHODAN_API_KEY=################################".to_owned(),
        "bugsnag_api_key_version: 1.2.3".to_owned(),
        "<bugsnagApiKey>com.bugsnag:bugsnag-android:5.31.1</bugsnagApiKey>".to_owned(),
        "INFURA_KEY_VAULT=kv-prod-infura-secrets".to_owned(),
        "NEWSAPI_KEY=${NEWSAPI_KEY}".to_owned(),
        "NEWSAPI_KEY=<your-newsapi-key>".to_owned(),
    ] {
        let found = scan(&format!("{text}\n"));
        let strong: Vec<_> = found
            .iter()
            .filter(|m| m.confidence >= Confidence::Medium)
            .map(id)
            .collect();
        assert!(strong.is_empty(), "{text}: {strong:?}");
    }
}

#[test]
fn nested_yaml_names_the_provider_from_its_parent_keys() {
    let mut rng = Rng::new(5);
    let hex = value(&mut rng, "hex", 32);
    let shodan = value(&mut rng, "alnum", 32);
    let at = |text: &str| -> Vec<(String, Confidence, u32)> {
        match engine().scan(text.as_bytes(), "config/app.yml") {
            BlobOutcome::Scanned(found) => found
                .iter()
                .map(|m| (id(m).to_owned(), m.confidence, m.line))
                .collect(),
            other => panic!("{other:?}"),
        }
    };
    // The provider in a parent key, the credential word in the leaf or a parent.
    let found = at(&format!(
        "app:\n  name: shop\nshodan:\n  api:\n    key: \"{shodan}\"\nnewsapi:\n  credentials:\n    value2: {hex}\n"
    ));
    assert!(
        found
            .iter()
            .any(|(id, c, line)| id == "secrets.shodan.api-key"
                && *c >= Confidence::Medium
                && *line == 5),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(id, c, line)| id == "secrets.newsapi.api-key"
                && *c >= Confidence::Medium
                && *line == 8),
        "{found:?}"
    );
    // No credential word on the path, or a version, tag or list: nothing.
    for quiet in [
        format!("image:\n  tag: {hex}\n"),
        "shodan:\n  api:\n    version: 1.2.3\n".to_owned(),
        format!("shodan:\n  settings:\n    region: {hex}\n"),
        format!("shodan:\n  keys:\n    - {hex}\n"),
        format!("image:\n  repository: ghcr.io/acme/api\n  tag: \"{hex}\"\n"),
    ] {
        let found = at(&quiet);
        assert!(
            found.iter().all(|(_, c, _)| *c < Confidence::Medium),
            "{quiet}: {found:?}"
        );
    }
    // A section's name further up (a CI job that runs a secret scanner)
    // says nothing of its leaves; `uses:` is a reference. Not even a
    // generic reading.
    for quiet in [
        format!("jobs:\n  detect-secrets:\n    steps:\n      - name: x\n        ref: x{hex}9\n"),
        format!("jobs:\n  secret-scan:\n    uses: acme/ci/.github/workflows/scan.yml@{hex}\n"),
    ] {
        let found = at(&quiet);
        assert!(found.is_empty(), "{quiet}: {found:?}");
    }
}

#[test]
fn xml_elements_name_the_provider_on_their_own_line_and_on_one_line() {
    let mut rng = Rng::new(9);
    let v = value(&mut rng, "alnum", 32);
    for text in [
        format!("<config>\n  <shodanApiKey>\n    {v}\n  </shodanApiKey>\n</config>\n"),
        format!("<config>\n  <shodanApiKey>{v}</shodanApiKey>\n</config>\n"),
    ] {
        let found = scan(&text);
        assert!(
            found
                .iter()
                .any(|m| id(m) == "secrets.shodan.api-key" && m.confidence >= Confidence::Medium),
            "{text}: {:?}",
            found.iter().map(id).collect::<Vec<_>>()
        );
    }
    for quiet in [
        "<project>\n  <version>\n    4.12.0\n  </version>\n</project>\n".to_owned(),
        format!("<build>\n  <shodanVersion>{v}</shodanVersion>\n</build>\n"),
        "<dependency>\n  <groupId>com.shodan</groupId>\n  <artifactId>shodan-api-key</artifactId>\n</dependency>\n".to_owned(),
    ] {
        assert!(
            scan(&quiet).iter().all(|m| m.confidence < Confidence::Medium),
            "{quiet}"
        );
    }
}

#[test]
fn a_provider_name_counts_only_where_a_word_starts() {
    let mut rng = Rng::new(5);
    let v = value(&mut rng, "uuid", 36);
    for (text, rule) in [
        (format!("kucoinApiKey = \"{v}\""), "secrets.kucoin.secret"),
        (format!("KucoinApiKey = \"{v}\""), "secrets.kucoin.secret"),
        (format!("coinapiKey = \"{v}\""), "secrets.coinapi.api-key"),
        (format!("myCoinapiKey = \"{v}\""), "secrets.coinapi.api-key"),
        (format!("COINAPI_KEY={v}"), "secrets.coinapi.api-key"),
    ] {
        let found = scan(&format!("# settings\n{text}\n"));
        let ids: Vec<&str> = found.iter().map(id).collect();
        assert_eq!(ids, [rule], "{text}");
    }
}

/// (rule id, fingerprint) of every match, sorted.
fn found_set(text: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = scan(text)
        .iter()
        .map(|m| (id(m).to_owned(), m.secret.fingerprint().to_owned()))
        .collect();
    found.sort();
    found
}

#[test]
fn a_long_line_reads_as_a_short_one_around_each_generic_assignment() {
    // The generic rules read only around each keyword on a long line too;
    // what they find must be what the whole line gives, on both sides.
    let mut rng = Rng::new(2027);
    let fillers = [
        "var q=1;".repeat(400),
        format!("{},", "Q".repeat(5000)),
        format!("a.b(\"{}\");", "tokenizer ".repeat(300)),
    ];
    let v = ["Xk29", &rng.string(&alnum(), 14), "!q"].concat();
    let long_value = ["Zq8v", &rng.string(&alnum(), 190)].concat();
    let texts = [
        format!("DB_PASSWORD=\"{v}\""),
        format!("e.api_key='{v}'"),
        format!("{{\"client_secret\":\"{v}\"}}"),
        format!("headers:{{Authorization:\"Bearer {}\"}}", &long_value[..40]),
        format!("url:\"postgres://app:{v}@db.internal/app\""),
        format!("const authToken=\"{long_value}\""),
        format!("password:\"{v}\",secret_key:\"{long_value}\""),
    ];
    let mut failures = Vec::new();
    for text in &texts {
        let short = found_set(&format!("# settings\n{text}\n"));
        if short.is_empty() {
            failures.push(format!("nothing found on the short line: {text:?}"));
        }
        for filler in &fillers {
            for long in [
                format!("# settings\n{filler} {text} {filler}\n"),
                format!("# settings\n{text}{filler}\n"),
                format!("# settings\n{filler}{text}\n"),
            ] {
                let found = found_set(&long);
                if found != short {
                    failures.push(format!("{text:?}: {found:?} != {short:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_long_line_reads_as_a_short_one_around_each_name() {
    // On a line of several kilobytes (a minified bundle) name-anchored
    // rules read only around each keyword; what they find must be what
    // the whole line gives, on both sides.
    let mut rng = Rng::new(2026);
    let fillers = [
        "var q=1;".repeat(400),
        // A run of name characters longer than the edges may walk.
        format!("{},", "Q".repeat(5000)),
    ];
    let mut failures = Vec::new();
    for row in rows() {
        let (class, min, _) = &row.shapes[0];
        let v = value(&mut rng, class, *min);
        let glued = format!("const zq{} = \"{v}\";", camel(&row.word, "ApiKey"));
        let mut texts = forms(&row.word, &v);
        texts.push(glued);
        for text in texts {
            let short = found_set(&format!("# settings\n{text}\n"));
            for filler in &fillers {
                let long = found_set(&format!("# settings\n{filler} {text} {filler}\n"));
                if long != short {
                    failures.push(format!("{}: {text:?}: {long:?} != {short:?}", row.rule));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn a_query_parameter_value_ends_at_the_next_parameter() {
    // `?api_key=…&format=json`: the value is what stands before the `&`;
    // the next parameter is not part of it (its fingerprint, its length,
    // what a validation would send).
    let mut rng = Rng::new(2028);
    let v = ["Xk29", &rng.string(&alnum(), 18)].concat();
    let expected = vec![(
        "secrets.generic.secret".to_owned(),
        engine().fingerprint(&v),
    )];
    for text in [
        format!("fetch(\"https://api.acme.test/v1/items?api_key={v}&format=json&limit=10\")"),
        format!("url = \"https://api.acme.test/v1/items?page=2&token={v}&sort=asc\""),
        format!("API_URL=https://api.acme.test/v1/items?access_key={v}&lang=en"),
        format!("fetch(\"https://api.acme.test/v1/items?api_key={v}\")"),
        // In HTML the separator is written `&amp;`.
        format!("<a href=\"https://api.acme.test/v1/items?page=2&amp;token={v}&amp;sort=asc\">"),
    ] {
        assert_eq!(found_set(&text), expected, "{text}");
    }
    // A value cut short by the next parameter is too short to be one.
    let short = &v[..8];
    assert!(
        found_set(&format!(
            "url = \"https://x.acme.test/p?secret={short}&issuer=acme_corp_2\""
        ))
        .is_empty()
    );
    // Outside a query, `&` belongs to the value (a password may hold one).
    let with_amp = [
        "Tr0u",
        &rng.string(&alnum(), 6),
        "&",
        &rng.string(&alnum(), 6),
    ]
    .concat();
    assert_eq!(
        found_set(&format!("DB_PASSWORD=\"{with_amp}\"")),
        vec![(
            "secrets.generic.password".to_owned(),
            engine().fingerprint(&with_amp)
        )]
    );
}

#[test]
fn a_json_web_token_in_a_local_urls_query_is_the_developers_own() {
    // `http://localhost:3000/verify?token=eyJ…` in a README: a token the
    // developer's own server signed, not a credential of a service. The
    // same token at another host, or under a name, is reported.
    let mut rng = Rng::new(2033);
    let jwt = [
        base64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        ".".to_owned(),
        base64url(&format!(
            r#"{{"sub":"{}","iat":1700000000}}"#,
            rng.string(&alnum(), 12)
        )),
        ".".to_owned(),
        rng.string(&[alnum(), "_-".to_owned()].concat(), 43),
    ]
    .concat();
    for text in [
        format!("Open http://localhost:3000/verify-email?token={jwt} to confirm."),
        format!("curl 'http://127.0.0.1:8080/api?x=1&access_token={jwt}'"),
    ] {
        let found = ids(&text);
        assert!(found.is_empty(), "{text}: {found:?}");
    }
    for text in [
        format!("Open https://app.acme-prod.io/verify-email?token={jwt} to confirm."),
        format!("SESSION_TOKEN={jwt}"),
    ] {
        assert_eq!(ids(&text), ["secrets.jwt.token"], "{text}");
    }
}

#[test]
fn routable_gitlab_tokens_are_read_whole() {
    // Routable tokens: a payload of up to 300 characters, a dot, a version
    // and a trailer. The whole token is the value, under GitLab's rule.
    let mut rng = Rng::new(2029);
    let b64url = [alnum(), "_-".to_owned()].concat();
    let base36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (prefix, rule, payload) in [
        ("glpat-", "secrets.gitlab.personal-access-token", 37),
        ("glpat-", "secrets.gitlab.personal-access-token", 120),
        ("glpat-", "secrets.gitlab.personal-access-token", 290),
        ("glrt-t1_", "secrets.gitlab.runner-token", 80),
    ] {
        let token = [
            prefix,
            "Xk29",
            &rng.string(&b64url, payload - 4),
            ".01.",
            &rng.string(base36, 7),
        ]
        .concat();
        assert_eq!(
            found_set(&format!("GITLAB_TOKEN={token}\n")),
            vec![(rule.to_owned(), engine().fingerprint(&token))],
            "{prefix} with a payload of {payload}"
        );
    }
    // A payload longer than any GitLab issues is not read as one.
    let long = ["glpat-", &rng.string(&alnum(), 320)].concat();
    assert!(
        !found_set(&format!("x = \"{long}\"\n"))
            .iter()
            .any(|(id, _)| id.starts_with("secrets.gitlab."))
    );
}

#[test]
fn a_database_password_alone_is_not_a_connection_url() {
    // `POSTGRES_PASSWORD=…` names PostgreSQL, but the URL rules' value is a
    // password read out of a URL: any run of characters. Alone it stays a
    // password, not a critical connection URL.
    let mut rng = Rng::new(2030);
    let v = ["Xk29", &rng.string(&alnum(), 14)].concat();
    for name in [
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "MYSQL_ROOT_PASSWORD",
        "MONGO_PASSWORD",
    ] {
        let text = format!("{name}={v}\n");
        let found = scan(&text);
        let ids: Vec<&str> = found.iter().map(id).collect();
        assert_eq!(ids, ["secrets.generic.password"], "{text}");
    }
    // In a URL, it is the URL rule's.
    let text = format!("DATABASE_URL=postgresql://app:{v}@db.acme-prod.io:5432/app\n");
    let found = scan(&text);
    let ids: Vec<&str> = found.iter().map(id).collect();
    assert_eq!(ids, ["secrets.postgres.connection-uri"], "{text}");
}

#[test]
fn a_short_password_in_a_database_url_is_the_urls() {
    // Ten characters with one repeat fall under the URL rules' entropy
    // floor of three bits; a person's password mixing kinds of characters
    // is still the database URL's, not a generic URL credential.
    let ref_ = "qwhxkzbnvmtaplrcyeog";
    for (password, rule) in [
        ("J%40kq7Tz7w", "secrets.supabase.database-url"),
        ("Rv9#Lm2pR", "secrets.supabase.database-url"),
    ] {
        let text = format!(
            "\"POSTGRES_URL\": \"postgresql://postgres:{password}@db.{ref_}.supabase.co:5432/postgres\""
        );
        assert_eq!(ids(&text), [rule], "{text}");
        let text = format!("DATABASE_URL=postgres://app:{password}@db.acme-prod.io:5432/app");
        assert_eq!(ids(&text), ["secrets.postgres.connection-uri"], "{text}");
    }
    // One kind of character, or a documentation sample, is not.
    for password in ["postgres", "supersecret", "P@ssw0rd1", "Passw0rd!"] {
        let text = format!("DATABASE_URL=postgres://app:{password}@db.acme-prod.io:5432/app");
        let found = ids(&text);
        assert!(
            !found.iter().any(|i| i == "secrets.postgres.connection-uri"),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn a_percent_encoded_password_is_one_finding() {
    // `%40` in a URL's password decodes to `@`: the decoded line reads as
    // another URL with another password. The provider rule read it as
    // written; the generic rule does not report the decoded reading.
    let mut rng = Rng::new(2031);
    let password = [
        "Xk29",
        &rng.string(&alnum(), 2),
        "%5D%24%40",
        &rng.string(&alnum(), 1),
        "%3B",
        &rng.string(&alnum(), 2),
    ]
    .concat();
    let text = format!(
        "const config = '{{\"connectionString\": \"postgresql://postgres.{}:{password}@aws-0-eu-north-1.pooler.supabase.com:6543/postgres\"}}';\n",
        rng.string("abcdefghijklmnopqrstuvwxyz", 20)
    );
    let found = scan(&text);
    let ids: Vec<&str> = found.iter().map(id).collect();
    assert_eq!(ids, ["secrets.supabase.database-url"], "{text}");
    // A percent-encoded value on a line no provider rule reads is still
    // read decoded.
    let v = ["Xk29", &rng.string(&alnum(), 16)].concat();
    let text = format!("callback=https%3A%2F%2Fapp.acme.test%2Fcb%3Fapi_key%3D{v}\n");
    assert!(!scan(&text).is_empty(), "{text}");
}

#[test]
fn a_query_parameter_on_a_providers_host_is_that_providers_credential() {
    // `?apiKey=` names no provider; the URL's host does.
    let mut rng = Rng::new(2032);
    let hex32 = rng.string("0123456789abcdef", 32);
    let hex40 = rng.string("0123456789abcdef", 40);
    let token32 = [
        "Xk29",
        &rng.string(&[alnum(), "_-".to_owned()].concat(), 28),
    ]
    .concat();
    for (text, rule) in [
        (
            format!("fetch(\"https://newsapi.org/v2/top-headlines?country=us&apiKey={hex32}\")"),
            "secrets.newsapi.api-key",
        ),
        (
            format!("curl \"https://fra1.blynk.cloud/external/api/get?token={token32}&v1\""),
            "secrets.blynk.api-token",
        ),
        (
            format!(
                "const res = await fetch(`https://api.themoviedb.org/3/search/${{type}}?api_key={hex32}&query=${{query}}`);"
            ),
            "secrets.themoviedb.api-key",
        ),
        // Another host: the value stays generic.
        (
            format!("fetch(\"https://api.acme.test/v2/items?apiKey={hex32}\")"),
            "secrets.generic.secret",
        ),
    ] {
        let found = scan(&format!("{text}\n"));
        let ids: Vec<&str> = found.iter().map(id).collect();
        assert_eq!(ids, [rule], "{text}");
    }
    // A status badge's image carries a token made to be embedded, which
    // can only read the badge: not a credential, named or not.
    for text in [
        format!("![](https://circleci.com/gh/acme/app.svg?style=shield&circle-token={hex40})"),
        format!(
            "![Build Status](https://circleci.com/gh/acme/app.png?circle-token={hex40} \"Build\")"
        ),
    ] {
        assert!(scan(&format!("{text}\n")).is_empty(), "{text}");
    }
}

#[test]
fn a_jwt_under_a_providers_name_is_the_providers_token_in_every_form() {
    let mut rng = Rng::new(404);
    let token = jwt(&mut rng, r#"{"alg":"HS256","typ":"JWT"}"#);
    let at = |text: &str, path: &str| -> Vec<(String, Confidence)> {
        match engine().scan(text.as_bytes(), path) {
            BlobOutcome::Scanned(found) => found
                .iter()
                .map(|m| (id(m).to_owned(), m.confidence))
                .collect(),
            other => panic!("{other:?}"),
        }
    };
    // Written beside the name, and read out of a command line, an XML
    // element and a YAML block scalar.
    for (text, path) in [
        (format!("WRIKE_API_TOKEN={token}\n"), "deploy/app.env"),
        (format!("  \"wrikeToken\": \"{token}\",\n"), "config.json"),
        (format!("setx WRIKE_API_TOKEN \"{token}\"\n"), "setup.bat"),
        (
            format!("<config>\n  <wrikeApiToken>\n    {token}\n  </wrikeApiToken>\n</config>\n"),
            "conf/app.xml",
        ),
        (format!("wrike_api_token: >-\n  {token}\n"), "values.yaml"),
    ] {
        assert_eq!(
            at(&text, path),
            vec![("secrets.wrike.api-token".to_owned(), Confidence::Medium)],
            "{text}"
        );
    }
    // Under a name of no provider, or of none whose tokens are JWTs, it
    // stays a JWT; so it does where the provider's name is no credential's.
    for (text, path) in [
        (format!("setx SESSION_TOKEN \"{token}\"\n"), "setup.bat"),
        (format!("setx SHODAN_API_KEY \"{token}\"\n"), "setup.bat"),
        (format!("WRIKE_FOLDER={token}\n"), "deploy/app.env"),
    ] {
        assert_eq!(
            at(&text, path),
            vec![("secrets.jwt.token".to_owned(), Confidence::Medium)],
            "{text}"
        );
    }
    // A privileged role outweighs the provider's name.
    let admin = format!(
        "{}.{}.{}",
        base64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        base64url(r#"{"role":"service_role","iss":"supabase","iat":1700000000}"#),
        rng.string(alphabet("token"), 43)
    );
    let found = at(&format!("setx WRIKE_API_TOKEN \"{admin}\"\n"), "setup.bat");
    assert!(
        found
            .iter()
            .any(|(id, _)| id == "secrets.jwt.privileged-role"),
        "{found:?}"
    );
}

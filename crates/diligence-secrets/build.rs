//! Embeds every `rules/*.yml` file, so a new rule file needs no code change,
//! and writes the name-anchored provider rules of `named-providers.tsv` as
//! one more rule file (`named-providers.yml`), so that they pass the same
//! loader and checks as the hand-written ones.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let rules_dir = Path::new(&manifest).join("rules");
    println!("cargo::rerun-if-changed={}", rules_dir.display());
    let mut names: Vec<String> = fs::read_dir(&rules_dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let table = Path::new(&manifest).join("named-providers.tsv");
    println!("cargo::rerun-if-changed={}", table.display());
    let named = named_rules(&fs::read_to_string(&table).unwrap_or_default());
    let named_path = Path::new(&out_dir).join(NAMED_FILE);
    fs::write(&named_path, &named).expect("OUT_DIR is writable");
    let mut files: Vec<(String, String)> = names
        .iter()
        .map(|name| (name.clone(), rules_dir.join(name).display().to_string()))
        .chain([(NAMED_FILE.to_owned(), named_path.display().to_string())])
        .collect();
    files.sort();
    let mut out = String::from("/// Built-in rule files: (file name, contents), sorted by name.\n");
    out.push_str("pub(crate) static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        if name != NAMED_FILE {
            println!("cargo::rerun-if-changed={path}");
        }
        let _ = writeln!(out, "    ({name:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    // The ids and names of the rules, read line by line (`- id:` then
    // `name:`), so that listing them never compiles a pattern: a scan asks
    // every collector for its catalog. A test checks this table against
    // the parsed rules.
    out.push_str("/// Built-in rules: (id, name), in file order.\n");
    out.push_str("pub(crate) static BUILTIN_RULE_NAMES: &[(&str, &str)] = &[\n");
    for (_, path) in &files {
        let text = fs::read_to_string(path).unwrap_or_default();
        let mut id: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("- id:") {
                id = Some(unquote(rest));
            } else if let (Some(rule), Some(rest)) = (&id, trimmed.strip_prefix("name:")) {
                let _ = writeln!(out, "    ({rule:?}, {:?}),", unquote(rest));
                id = None;
            }
        }
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out).expect("OUT_DIR is writable");
}

/// A YAML scalar on one line, without its quotes.
fn unquote(value: &str) -> String {
    let value = value.trim();
    let quoted = value.len() >= 2
        && (value.starts_with('"') && value.ends_with('"')
            || value.starts_with('\'') && value.ends_with('\''));
    if quoted {
        value[1..value.len() - 1].to_owned()
    } else {
        value.to_owned()
    }
}

/// The generated rule file of the name-anchored provider rules.
const NAMED_FILE: &str = "named-providers.yml";

/// Credential words one of which the assigned name holds beside the
/// provider's name (`AIRBRAKE_USER_KEY`, `sumo_access_key`).
const CREDENTIAL_WORDS: &str = "key|token|secret|pass|pwd|auth|cred";

/// Words of a provider's name too common to filter on.
const COMMON_PARTS: &[&str] = &[
    "api", "cloud", "data", "io", "co", "ai", "crm", "sms", "key",
];

/// One shape of a value: a class and a length range, a UUID, or a JWT.
struct Shape {
    form: Form,
    /// Regex of one character (for [`Form::Run`]).
    class: &'static str,
    /// Characters to draw examples from.
    alphabet: &'static str,
    min: usize,
    max: usize,
}

/// How a shape's value is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One run of a character class.
    Run,
    /// A UUID: 8-4-4-4-12 hexadecimal digits.
    Uuid,
    /// A JSON Web Token: three base64url parts, header and payload JSON
    /// objects. The rule checks its structure (`validate: jwt`).
    Jwt,
}

impl Shape {
    /// `hex32`, `alnum20-40`, `uuid`, `jwt`.
    fn parse(text: &str) -> Self {
        match text {
            "uuid" => {
                return Self {
                    form: Form::Uuid,
                    class: "[0-9a-fA-F]",
                    alphabet: "0123456789abcdef",
                    min: 36,
                    max: 36,
                };
            }
            "jwt" => {
                return Self {
                    form: Form::Jwt,
                    class: "[A-Za-z0-9_-]",
                    alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                    min: 40,
                    max: 4096,
                };
            }
            _ => {}
        }
        let split = text
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or_else(|| panic!("shape `{text}` has a length"));
        let (class, alphabet) = match &text[..split] {
            "hex" => ("[0-9a-fA-F]", "0123456789abcdef"),
            "lower" => ("[a-z0-9]", "abcdefghijklmnopqrstuvwxyz0123456789"),
            "upper" => ("[A-Z0-9]", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "alnum" => (
                "[A-Za-z0-9]",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            ),
            "base" => (
                "[A-Za-z0-9+/=]",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            ),
            "token" => (
                "[A-Za-z0-9_-]",
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
            ),
            other => panic!("unknown shape class `{other}`"),
        };
        let lengths = &text[split..];
        let (min, max) = match lengths.split_once('-') {
            Some((a, b)) => (a.parse().expect("length"), b.parse().expect("length")),
            None => {
                let n = lengths.parse().expect("length");
                (n, n)
            }
        };
        assert!(min >= 12 && min <= max, "shape `{text}`: lengths");
        Self {
            form: Form::Run,
            class,
            alphabet,
            min,
            max,
        }
    }

    fn regex(&self) -> String {
        let class = self.class;
        match self.form {
            Form::Uuid => {
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                    .to_owned()
            }
            Form::Jwt => {
                "eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{20,}".to_owned()
            }
            Form::Run if self.min == self.max => format!("{class}{{{}}}", self.min),
            Form::Run => format!("{class}{{{},{}}}", self.min, self.max),
        }
    }

    /// A value of this shape whose entropy is well above `floor`.
    fn example(&self, rng: &mut u64, floor: f64) -> String {
        loop {
            let mut draw = |n: usize| -> String {
                let chars = self.alphabet.as_bytes();
                (0..n)
                    .map(|_| {
                        *rng ^= *rng << 13;
                        *rng ^= *rng >> 7;
                        *rng ^= *rng << 17;
                        chars[(*rng % chars.len() as u64) as usize] as char
                    })
                    .collect()
            };
            let value = match self.form {
                Form::Jwt => {
                    // `{"alg":"HS256","typ":"JWT"}`, a payload with a
                    // subject and an issue time, an HMAC-SHA256-long
                    // signature.
                    let payload = format!(r#"{{"sub":"{}","iat":1700000000}}"#, draw(16));
                    return format!(
                        "{}.{}.{}",
                        base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
                        base64url(payload.as_bytes()),
                        draw(43)
                    );
                }
                Form::Uuid => {
                    let h = draw(32);
                    format!(
                        "{}-{}-{}-{}-{}",
                        &h[..8],
                        &h[8..12],
                        &h[12..16],
                        &h[16..20],
                        &h[20..]
                    )
                }
                Form::Run => draw((self.min + self.max) / 2),
            };
            let edges_ok = !value.starts_with(['-', '_']) && !value.ends_with(['-', '_']);
            // A digit, as most keys hold, so that no example leans on the
            // mixed-case allowance of the value filter.
            let edges_ok = edges_ok && value.bytes().any(|b| b.is_ascii_digit());
            if edges_ok && entropy(&value) >= floor + 0.3 {
                return value;
            }
        }
    }
}

/// Base64url without padding, for example tokens.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in text.bytes() {
        counts[b as usize] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The rules of `named-providers.tsv`: one per row, `provider`, `rule`,
/// `name`, `words` (the provider's name as the assigned name writes it,
/// comma-separated, spaces where a separator may stand), `shapes`
/// (space-separated), `confidence`, and where to rotate the credential.
fn named_rules(table: &str) -> String {
    let mut out = String::from(
        "# Generated from named-providers.tsv: a value of the provider's key shape\n\
         # assigned to a name that holds the provider's name and a credential word.\n\
         rules:\n",
    );
    let mut rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
        .collect();
    // Longer provider names first: where two rules read one value
    // (`ipinfodb` holds `ipinfo`), overlap resolution keeps the earlier.
    rows.sort_by_key(|cells| std::cmp::Reverse(cells.get(3).map_or(0, |w| w.len())));
    for cells in rows {
        let [provider, rule, name, words, shapes, confidence, rotate] = cells[..] else {
            panic!("named-providers.tsv: seven cells in {cells:?}");
        };
        let words: Vec<&str> = words.split(',').map(str::trim).collect();
        let names = words
            .iter()
            .map(|w| w.split(' ').collect::<Vec<_>>().join("[_.-]?"))
            .collect::<Vec<_>>()
            .join("|");
        // The provider's name starts a word of the assigned name: after a
        // separator, at its start, or at a camel-case capital
        // (`myCoinapiKey`), never inside another word (`kucoinApiKey`
        // holds `coinApi`, and is KuCoin's).
        let camel = words
            .iter()
            .map(|w| {
                let joined = w.split(' ').collect::<Vec<_>>().join("[_.-]?");
                let mut chars = joined.chars();
                let first = chars.next().unwrap_or('x');
                if first.is_ascii_alphabetic() {
                    format!("(?-i:{}){}", first.to_ascii_uppercase(), chars.as_str())
                } else {
                    joined
                }
            })
            .collect::<Vec<_>>()
            .join("|");
        let lead =
            |_: u32| format!("(?:(?:[a-z0-9_.-]*?[_.-])?(?:{names})|[a-z0-9_.-]*?(?:{camel}))");
        // The longest distinctive word of each name is its prefilter
        // keyword (`nasdaq` in `nasdaq data link`, never `api`).
        let mut keywords: Vec<String> = words
            .iter()
            .map(|w| {
                let parts = w.split(' ');
                parts
                    .clone()
                    .filter(|part| !COMMON_PARTS.contains(part))
                    .max_by_key(|part| part.len())
                    .or_else(|| parts.max_by_key(|part| part.len()))
                    .unwrap_or(w)
                    .to_owned()
            })
            .collect();
        keywords.sort();
        keywords.dedup();
        let shapes: Vec<Shape> = shapes.split(' ').map(Shape::parse).collect();
        let value = shapes
            .iter()
            .map(Shape::regex)
            .collect::<Vec<_>>()
            .join("|");
        let jwt = shapes.iter().any(|s| s.form == Form::Jwt);
        assert!(
            !jwt || shapes.len() == 1,
            "named-providers.tsv: `jwt` stands alone in {provider}.{rule}"
        );
        // A token in JWT form passes the JWT rule's structure check.
        let validate = if jwt { "\n    validate: jwt" } else { "" };
        let short = shapes.iter().map(|s| s.max).min().unwrap_or(0) < 20;
        let floor = if short { 2.5 } else { 3.0 };
        let pattern = format!(
            "(?m)(?:^|[^A-Za-z0-9\\n])(?i:(?:{lead30}[a-z0-9_.-]*?(?:{CREDENTIAL_WORDS})|[a-z0-9_.-]*?(?:{CREDENTIAL_WORDS}){lead12})[a-z0-9_.-]*)\
             (?:(?:\\[[0-9]*\\])?[\"']?[\\x20\\t]*(?:[\\x20\\t]*:?[\\x20\\t]*(?:string|str|&str)[\\x20\\t]*)?(?::{{1,3}}=|[?+.]=|=>|=|:|>)[\\x20\\t]*(?:[bru]?[\"'`])?|[\"'][\\x20\\t]*,[\\x20\\t]*[bru]?[\"'`])\
             ({value})(?:[^A-Za-z0-9_\\n#+/=.-]|\\.(?:[^A-Za-z0-9\\n]|$)|$)",
            lead30 = lead(30),
            lead12 = lead(12),
        );
        let mut seed = provider.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }) | 1;
        let upper = words[0].replace(' ', "_").to_ascii_uppercase();
        let lower = words[0].replace(' ', "_");
        let camel = words[0].replace(' ', "");
        let v1 = shapes[0].example(&mut seed, floor);
        let v2 = shapes[shapes.len() - 1].example(&mut seed, floor);
        let half = |v: &str| (v[..v.len() / 2].to_owned(), v[v.len() / 2..].to_owned());
        let (a1, b1) = half(&v1);
        let (a2, b2) = half(&v2);
        // The right value under a name that is not the credential; a JWT,
        // which the JWT rule reports under any name, as three JSON parts
        // without a signing algorithm.
        let (n3a, n3) = if jwt {
            let unsigned = v1.replacen(
                &base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
                &base64url(br#"{"typ":"JWT"}"#),
                1,
            );
            (format!("{upper}_API_KEY_NAME="), half(&unsigned))
        } else {
            (format!("{upper}_API_KEY_NAME="), (a1.clone(), b1.clone()))
        };
        let remediation = if rotate.trim().is_empty() {
            format!(
                "Revoke the credential in {name}'s account settings, issue a new one, and load it from the environment or a secret store."
            )
        } else {
            rotate.trim().to_owned()
        };
        let _ = write!(
            out,
            "\n  - id: secrets.{provider}.{rule}\n    name: {name}\n    kind: secret\n    anchor: name\n    pattern: {pattern}\n    keywords: [{keywords}]\n    severity: medium\n    confidence: {confidence}{validate}\n    min_entropy: {floor}\n    remediation: {remediation}\n    examples:\n      - [{e1a}, {a1}, {b1}]\n      - [{e2a}, {a2}, {b2}, {e2b}]\n      - [{e3a}, {a1}, {b1}, {e3b}]\n    negative_examples:\n      - {n1}\n      - {n2}\n      - [{n3a}, {n3b}, {n3c}]\n",
            pattern = quoted(&pattern),
            keywords = keywords.join(", "),
            remediation = quoted(&remediation),
            e1a = quoted(&format!("{upper}_API_KEY=")),
            a1 = quoted(&a1),
            b1 = quoted(&b1),
            e2a = quoted(&format!("  \"{lower}_token\": \"")),
            a2 = quoted(&a2),
            b2 = quoted(&b2),
            e2b = quoted("\","),
            e3a = quoted(&format!("<{camel}Secret>")),
            e3b = quoted(&format!("</{camel}Secret>")),
            n1 = quoted(&format!("{upper}_API_KEY={{{camel}ApiKey}}")),
            n2 = quoted(&format!(
                "{upper}_API_KEY=\"{}\"",
                "#".repeat(shapes[0].min)
            )),
            n3a = quoted(&n3a),
            n3b = quoted(&n3.0),
            n3c = quoted(&n3.1),
        );
    }
    out
}

//! Filters that throw out values that look like secrets but are not:
//! placeholders, test values, templates, words, versions, and generic hits
//! in lockfiles, vendored code and translation files.

/// Shannon entropy of `text` in bits per character.
pub fn entropy(text: &str) -> f64 {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// The entropy a value must reach under a rule whose floor is `floor`.
/// A value of `n` characters holds at most `log2(n)` bits per character,
/// so a floor of 3 bits asks an 8-character value to repeat none: a
/// person's short password (`J@ck2o2x` in a database URL) fails it for one
/// repeat. A short value that mixes three kinds of characters (lower case,
/// upper case, digits, symbols) need only come within half a bit of its
/// length's most; one kind alone (`postgres`) keeps the rule's floor.
pub(crate) fn entropy_floor(floor: f64, value: &str) -> f64 {
    let n = value.len();
    if n < 8 {
        return floor;
    }
    let kinds = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&k| k)
    .count();
    if kinds >= 3 {
        #[allow(clippy::cast_precision_loss)]
        let most = (n as f64).log2();
        floor.min(most - 0.5)
    } else {
        floor
    }
}

/// Substrings (lowercase) that mark a placeholder or documentation value.
const PLACEHOLDER_MARKS: &[&str] = &[
    "example",
    "xxxx",
    "your-",
    "your_",
    "yourkey",
    "yoursecret",
    "yourtoken",
    // `YourPassword123!`, `YourStrong@Passw0rd` (a database image's
    // documented sample), `YourApiKeyHere`, `yourOwnSecret`.
    "yourpass",
    "yourstrong",
    "yourapi",
    "yourown",
    // Instructions in place of a value
    // (`generate-with-openssl-rand-base64-32`).
    "generate_with",
    "generate-with",
    "openssl_rand",
    "openssl-rand",
    // The word password in other languages, in the stand-ins of
    // documentation written in them (`mot_de_passe`, `sua_senha_aqui`).
    "mot_de_passe",
    "mot-de-passe",
    "motdepasse",
    "senha",
    "contrasena",
    "passwort",
    "wachtwoord",
    // The sample passwords of documentation (`P@ssw0rd`, `Passw0rd!`).
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "change_this",
    "change-this",
    "placeholder",
    "dummy",
    "redacted",
    "replace_me",
    "replace-me",
    "replaceme",
    "insert_",
    "insert-",
    "notreal",
    "not_real",
    "not-real",
    "fake_",
    "fake-",
    // A value masked for display, whole or in part (`b422d*****8967…`).
    "***",
    "\u{2022}\u{2022}\u{2022}",
    "####",
    // An ellipsis: a value cut for display (`sk-ant-api03-02F3…... [SET]`).
    "...",
    "${",
    // Words asking the reader to choose one: `typeinastrongpassword`.
    "strongpassword",
    "securepassword",
    // Or describing the value (`SecurePass123!` of generated API docs).
    "securepass",
    "strongpass",
    "typeina",
    "{{",
    "}}",
    "<%",
    "#{",
    // The sample TOTP secret of authenticator documentation and libraries
    // (base32 of `Hello!` and `0xDEADBEEF`).
    "jbswy3dpehpk3pxp",
];

/// Whether `secret` is a placeholder or test value. `structured` relaxes
/// the repetition checks for key material, whose encoding has long runs.
pub fn is_placeholder(secret: &str, structured: bool) -> bool {
    if is_storage_emulator_key(secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_MARKS.iter().any(|m| lower.contains(m))
        || spells_password(&lower)
        || addressed_to_reader(secret)
    {
        return true;
    }
    if encodes_a_placeholder(secret) {
        return true;
    }
    if structured {
        return false;
    }
    if lower.contains('<') && lower.contains('>') {
        return true;
    }
    if is_bracketed_stand_in(secret) || is_variable_name_stand_in(secret) {
        return true;
    }
    let bytes = lower.as_bytes();
    // A run of identical characters covering a third of the value (real
    // formats such as Dropbox and Twitter tokens hold shorter runs of `A`).
    let mut longest = 0;
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        run = if i > 0 && bytes[i - 1] == b {
            run + 1
        } else {
            1
        };
        longest = longest.max(run);
    }
    if longest >= 6 && longest * 3 >= bytes.len() {
        return true;
    }
    // Ascending or descending sequences of eight (`12345678`, `abcdefgh`).
    if bytes.windows(8).any(|w| {
        w.windows(2).all(|p| p[1] == p[0].wrapping_add(1))
            || w.windows(2).all(|p| p[0] == p[1].wrapping_add(1))
    }) {
        return true;
    }
    // Very few distinct characters for its length.
    let mut seen = [false; 256];
    for &b in bytes {
        seen[b as usize] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    bytes.len() >= 12 && distinct <= 4
}

/// Whether `secret` holds a bracketed stand-in: the whole value in
/// brackets (`[auto-filled]`), or a name in capitals in brackets inside it
/// (`sk-proj-[NOVA_KEY_AQUI]`). A bracketed number or mixed-case run
/// (`Summer[2024]`, `Xq7[29Vp9Rt4]Zw8`) is part of a password.
fn is_bracketed_stand_in(secret: &str) -> bool {
    if secret.len() > 2 && secret.starts_with('[') && secret.ends_with(']') {
        return true;
    }
    let mut rest = secret;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            return false;
        };
        let inner = &rest[open + 1..open + close];
        if inner.len() >= 3
            && inner.bytes().any(|b| b.is_ascii_uppercase())
            && inner.bytes().all(|b| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b' ')
            })
        {
            return true;
        }
        rest = &rest[open + close + 1..];
    }
    false
}

/// Whether `secret` opens with `your` and a capital (`YourNewPass123`,
/// `yourAppSecret`): a stand-in addressed to the reader, in the spellings
/// the marks above do not list.
fn addressed_to_reader(secret: &str) -> bool {
    secret.len() > 4
        && secret.is_char_boundary(4)
        && secret[..4].eq_ignore_ascii_case("your")
        && secret.as_bytes()[4].is_ascii_uppercase()
}

/// Whether `lower` spells the word password with stand-ins for its
/// letters or marks between them (`p@ss!word`, `pa$$w0rd`, `pass_w0rd`):
/// documentation's and tests' sample passwords, which the marks above
/// list only in their commonest spellings.
fn spells_password(lower: &str) -> bool {
    if !lower.contains(['@', '0', '$', '!', '_', '-', '.', '#', '*']) {
        return false;
    }
    let letters: String = lower
        .chars()
        .filter_map(|c| match c {
            '@' => Some('a'),
            '0' => Some('o'),
            '$' => Some('s'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect();
    letters.contains("password") || letters.contains("passwort")
}

/// Whether `secret` is the name of a variable in capitals standing where
/// the value goes (`postgresql://app:ADMIN_PASSWORD@…`,
/// `STRONG_PASSWORD_HERE_1`): words in capitals joined by `_`, one of
/// them a credential's or a stand-in's word.
fn is_variable_name_stand_in(secret: &str) -> bool {
    if !secret.contains('_')
        || !secret
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    secret.split('_').any(|word| {
        matches!(
            word,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWD"
                | "SECRET"
                | "TOKEN"
                | "KEY"
                | "HERE"
                | "YOUR"
                // The word in French, German, Portuguese, Spanish, Dutch
                // (`MOT_DE_PASSE_ANCIEN`, `SENHA_DO_BANCO`).
                | "PASSE"
                | "PASSWORT"
                | "SENHA"
                | "CONTRASENA"
                | "WACHTWOORD"
        )
    })
}

/// Whether `secret` is base64 of text that says it is a stand-in
/// (`test-key-for-ci-only` in a CI workflow's connection string, an
/// `example` value): key material decodes to random bytes, not words.
/// Text that only opens with `test` (a `testuser:password` pair) is not.
fn encodes_a_placeholder(secret: &str) -> bool {
    if secret.len() < 16 {
        return false;
    }
    let Some(decoded) = crate::decode::base64_decode(secret) else {
        return false;
    };
    if !crate::decode::mostly_text(&decoded) {
        return false;
    }
    let text = String::from_utf8_lossy(&decoded).to_ascii_lowercase();
    let stand_in = [
        "test",
        "fake",
        "dummy",
        "sample",
        "example",
        "placeholder",
        "mock",
    ]
    .iter()
    .any(|word| {
        text.strip_prefix(word)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '_', ' ', '.']))
    });
    stand_in || PLACEHOLDER_MARKS.iter().any(|m| text.contains(m))
}

/// Words that make a generic value a description, not a credential.
const GENERIC_STOPWORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "test",
    "sample",
    "demo",
    "default",
    "foobar",
    "qwerty",
    "letmein",
    "admin123",
    "abc123",
    "hunter2",
    "todo",
    "fixme",
    "lorem",
    "null",
    "none",
    "undefined",
    "true",
    "false",
    "required",
    "optional",
    "string",
    "process.env",
    "os.environ",
    "getenv",
    "env.",
    "environ",
    "config.",
    "settings.",
    "params.",
    "request.",
    "props.",
    "self.",
    "this.",
    "args.",
    "input",
    "value",
    "field",
    "secrets.",
    "vault:",
    "ssm:",
    "arn:aws",
    "ref+",
    "sops",
    "encrypted",
    "hashed",
    "bcrypt",
    "argon",
];

/// Generic-rule filter: whether an assignment value is a real-looking
/// credential rather than a word, identifier, reference, version or template.
pub fn generic_value_plausible(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if value.len() < 8 || value.len() > 200 {
        return false;
    }
    if GENERIC_STOPWORDS.iter().any(|w| lower.contains(w)) {
        return false;
    }
    // Natural language and non-ASCII letters (UI strings, translations).
    if value.contains(' ') || !value.is_ascii() {
        return false;
    }
    // A relative path (`../../node_modules/typescript/lib/lib.es5.d.ts`
    // in a build's file list).
    if value.starts_with("./") || value.starts_with("../") {
        return false;
    }
    // References and templates: `$VAR`, `%(name)s`, `@var`, `:symbol`.
    if value.starts_with('$')
        || value.starts_with('%')
        || value.starts_with('@')
        || value.starts_with(':')
        || value.contains("${")
        || value.contains("{{")
        || (value.starts_with('<') && value.ends_with('>'))
    {
        return false;
    }
    // A pattern of names (`acme_mcp_*`, `AKIA*`): a glob, not a value.
    if value.ends_with("_*") || value.ends_with("-*") || value.ends_with(".*") {
        return false;
    }
    // Paths, URLs (of any scheme: `redis://localhost:6379/0` under
    // `TOKEN_REDIS_URL`; credentials in one are the URL rules'), and file
    // names.
    if value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("~/")
        || starts_with_scheme(&lower)
        || lower.ends_with(".json")
        || lower.ends_with(".pem")
        || lower.ends_with(".key")
        || lower.ends_with(".txt")
    {
        return false;
    }
    // A URL query's parameter whose value ends at the next `&name=`
    // (`?secret=ABC&issuer=Koel` in a test's provisioning URI): what the
    // name holds is before the `&`, and it is too short for a secret.
    if let Some(amp) = value.find('&') {
        let rest = &value.as_bytes()[amp + 1..];
        let name = identifier_len(rest);
        if amp < 8 && name > 0 && rest.get(name) == Some(&b'=') {
            return false;
        }
    }
    // A JSX element or a tag (`<FormattedMessage`): markup, not a value.
    if value.len() > 1 && value.starts_with('<') && value.as_bytes()[1].is_ascii_alphabetic() {
        return false;
    }
    if is_version_or_tag(value)
        || is_timestamp(value)
        || is_object_id(value)
        || crate::validate::jwt_unsigned(value)
    {
        return false;
    }
    // Identifiers: letters joined by `_`, `-`, `.` with no digit are names,
    // not secrets (`getPassword`, `user-secret-name`, `config.api_key`).
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_upper = value.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = value.bytes().any(|b| b.is_ascii_lowercase());
    let has_symbol = value.bytes().any(|b| !b.is_ascii_alphanumeric());
    let only_word_chars = value
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'));
    if only_word_chars {
        return false;
    }
    // So are three lowercase words or more and a short number
    // (`lovable_integration_org_123`, a stand-in token of a generated
    // client); two words and a year stay possible as a password.
    if let Some((words, number)) = value.rsplit_once(['_', '-'])
        && (1..=4).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && words.split(['_', '-']).count() >= 3
        && words
            .split(['_', '-'])
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return false;
    }
    // A negated or non-null-asserted identifier or member is an expression
    // (`!requiresPreflightRequest`, `!!profile[providerKey]`, TypeScript's
    // `GitHubApp.key!`).
    // So is a name marked as optional or a parser's internal token name
    // (`?InterpolationInTemplate`).
    let core = value.trim_start_matches(['!', '?']).trim_end_matches('!');
    if core.len() < value.len()
        && core
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$'))
        && core.bytes().all(|b| {
            b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.' | b'$' | b'[' | b']' | b'?')
        })
    {
        return false;
    }
    // Digits only (ports, counts, timestamps).
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    let classes = [has_digit, has_upper, has_lower, has_symbol]
        .iter()
        .filter(|&&c| c)
        .count();
    if classes < 2 {
        return false;
    }
    // Function calls and expressions.
    if value.contains('(') || value.contains(')') || value.contains("=>") {
        return false;
    }
    if is_code_or_reference(value) {
        return false;
    }
    !is_placeholder(value, false)
}

/// Whether `lower` opens with a URL scheme and `://` (`redis://`,
/// `amqp+ssl://`, `https://`).
fn starts_with_scheme(lower: &str) -> bool {
    lower.find("://").is_some_and(|end| {
        (2..=20).contains(&end)
            && lower.as_bytes()[0].is_ascii_lowercase()
            && lower[..end].bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'.' | b'-')
            })
    })
}

/// Name-anchored filter on a value whose shape the rule already checked
/// (length and alphabet): not a placeholder, word, reference, version or
/// the name of a secret. Unlike [`generic_value_plausible`] it takes long
/// values, and letters alone when both cases mix (a random key may hold no
/// digit).
pub(crate) fn named_value_plausible(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if GENERIC_STOPWORDS.iter().any(|w| lower.contains(w)) {
        return false;
    }
    let has_upper = value.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = value.bytes().any(|b| b.is_ascii_lowercase());
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    if !(has_digit || has_upper && has_lower) {
        return false;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    !is_version_or_tag(value) && !is_code_or_reference(value) && !is_placeholder(value, false)
}

/// Filter on a value under a name ending in `key`, beside
/// [`generic_value_plausible`]: key material is one run of letters,
/// digits and the base64 symbols (a Laravel `base64:` prefix aside), not
/// words joined by separators. Under such names code keeps the names of
/// things: a Redis stream or lock (`link:click:updates`), a table column
/// (`subject_address_1`), a prefix (`__reactFiber$`), a query.
pub(crate) fn key_value_plausible(value: &str) -> bool {
    let value = value.strip_prefix("base64:").unwrap_or(value);
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
    {
        return false;
    }
    // Letters then at most four digits, or the reverse (`address1`,
    // `30day`, `v2`): a word, or a word and a number.
    let word_like = |segment: &str| {
        let letters = segment.trim_end_matches(|c: char| c.is_ascii_digit());
        let lead = segment.trim_start_matches(|c: char| c.is_ascii_digit());
        (letters.bytes().all(|b| b.is_ascii_alphabetic()) && segment.len() - letters.len() <= 4)
            || (lead.bytes().all(|b| b.is_ascii_alphabetic()) && segment.len() - lead.len() <= 4)
    };
    let segments: Vec<&str> = value
        .split(['_', '-', '/'])
        .filter(|s| !s.is_empty())
        .collect();
    if segments.len() > 1 && segments.iter().all(|s| word_like(s)) {
        return false;
    }
    // Three words or more in CamelCase and at most four digits
    // (`BaseCampWorkHard02`, `WorkSpeedIncrease1`: a game item's or an
    // enum's name). Random key material does not fall into capitalised
    // words of three letters or more.
    let letters = value.trim_end_matches(|c: char| c.is_ascii_digit());
    !(value.len() - letters.len() <= 4 && camel_words(letters) >= 3)
}

/// How many words `text` holds when it is only words in CamelCase of
/// three letters or more (`BaseCampWork` → 3); 0 otherwise.
fn camel_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_uppercase)
        || !bytes.iter().all(u8::is_ascii_alphabetic)
    {
        return 0;
    }
    let starts: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_uppercase())
        .collect();
    let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
    if starts.iter().zip(ends).all(|(&s, e)| e - s >= 3) {
        starts.len()
    } else {
        0
    }
}

/// Whether the value `data[start..end]` is the first word of a quoted
/// sentence: a quote opens it and a space then another word follow it
/// (`"Pengguna/kata laluan tidak betul."`, a UI string under a
/// `password` key). Passwords are one word.
pub(crate) fn opens_prose(data: &[u8], start: usize, end: usize) -> bool {
    let quoted = start
        .checked_sub(1)
        .and_then(|at| data.get(at))
        .is_some_and(|b| matches!(b, b'"' | b'\'' | b'`'));
    let rest = data.get(end..).unwrap_or_default();
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    quoted && spaces > 0 && rest.get(spaces).is_some_and(u8::is_ascii_alphabetic)
}

/// Whether a match is inside a sentence: a word and a space before its
/// name, a space and a word after its value (`File is password-protected:
/// ECMA-376 Extensible`, an error message of a spreadsheet library).
/// `separator` is the byte before the name.
pub(crate) fn in_sentence(data: &[u8], separator: usize, end: usize) -> bool {
    // A word of two letters or more: not a command's option (`curl -d
    // access_token=… https://…`).
    let word_before = data.get(separator) == Some(&b' ')
        && data[..separator]
            .iter()
            .rev()
            .take_while(|b| !b.is_ascii_whitespace() && !b"\"'`(".contains(b))
            .try_fold(0usize, |n, b| b.is_ascii_alphabetic().then_some(n + 1))
            .is_some_and(|letters| letters >= 2);
    let rest = data.get(end..).unwrap_or_default();
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    word_before && spaces == 1 && rest.get(1).is_some_and(u8::is_ascii_alphabetic)
}

/// Whether a path is a YAML file.
pub(crate) fn is_yaml_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

/// The start of the line holding `at`, or `floor` when the line starts
/// before it (a bound on how far back a long line is read).
fn line_start_after(data: &[u8], floor: usize, at: usize) -> usize {
    memchr::memrchr(b'\n', &data[floor..at]).map_or(floor, |p| floor + p + 1)
}

/// Whether `at` lies in the `development` or `test` section of a YAML file
/// of per-environment settings: the nearest line above it that starts at
/// column 0 with a key (`development:`, `test:`, `dev:`, `testing:`,
/// `local:`; Rails' `secrets.yml` and `database.yml`), within 64 KiB. A
/// line at column 0 itself is in no section.
pub(crate) fn in_dev_section(data: &[u8], at: usize) -> bool {
    let floor = at.saturating_sub(64 << 10);
    let line_start = line_start_after(data, floor, at);
    if data
        .get(line_start)
        .is_none_or(|b| !b.is_ascii_whitespace())
    {
        return false;
    }
    let mut end = line_start.saturating_sub(1);
    while end > floor {
        let start = line_start_after(data, floor, end);
        let line = &data[start..end];
        end = start.saturating_sub(1);
        match line.first() {
            None | Some(b' ' | b'\t' | b'#' | b'-' | b'\r') => continue,
            Some(_) => {
                let Some(colon) = memchr::memchr(b':', line) else {
                    return false;
                };
                let key = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
                return matches!(
                    key.trim_matches(['"', '\'']),
                    "development" | "dev" | "test" | "testing" | "local"
                );
            }
        }
    }
    false
}

/// The word of letters and digits right before a match that opens with
/// one space (`AWS` in `AWS Secret: …`), at most 24 bytes; `separator`
/// is the byte before the match's name.
pub(crate) fn word_before(data: &[u8], separator: usize) -> Option<&[u8]> {
    if data.get(separator) != Some(&b' ') {
        return None;
    }
    let before = &data[separator.saturating_sub(24)..separator];
    let len = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let start = before.len() - len;
    let word = &before[start..];
    let bounded = start > 0 || separator < 24;
    (len >= 2 && bounded).then_some(word)
}

/// Whether `text` (a match up to its value) holds keyword arguments: a
/// comma, a space, then a name and `=` (`host=url.hostname, port=url.port,
/// password=`). Connection strings separate their pairs with `;` or `&`;
/// a comma in one is a port's (`Server=tcp:db.acme.io,1433;`).
pub(crate) fn keyword_arguments(text: &[u8]) -> bool {
    text.windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == b',' && w[1].is_ascii_whitespace())
        .any(|(at, _)| {
            let rest = text[at + 1..].trim_ascii_start();
            let name = rest
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
                .count();
            name > 0 && rest[name..].trim_ascii_start().first() == Some(&b'=')
        })
}

/// Whether `data[at]` opens a URL query's parameter: a `?`, a `&`, or the
/// `;` of HTML's `&amp;`.
pub(crate) fn is_query_separator(data: &[u8], at: usize) -> bool {
    match data.get(at) {
        Some(b'?' | b'&') => true,
        Some(b';') => data[..at].ends_with(b"&amp"),
        _ => false,
    }
}

/// The host of the URL whose query holds the parameter that starts after
/// `separator` (its `?`, `&`, or the `;` of `&amp;`): `fra1.blynk.cloud`
/// of `https://fra1.blynk.cloud/external/api/get?token=…`. `None` outside
/// a URL's query, and for an image's URL: a status badge
/// (`…/project.svg?circle-token=…`) carries a token made to be embedded,
/// which can only read the badge.
pub(crate) fn query_host(data: &[u8], separator: usize) -> Option<&[u8]> {
    let url = query_url(data, separator)?;
    if is_image_url(url) {
        return None;
    }
    let (host, user) = url_host(url)?;
    // A user part (`user:pass@host`) is not read: only a plain host.
    (!host.is_empty() && !user).then_some(host)
}

/// Whether the query parameter that starts after `separator` belongs to
/// the URL of an image (`…/app.svg?circle-token=…` of a status badge): a
/// token made to be embedded in a page, which can only read the badge.
pub(crate) fn in_image_url_query(data: &[u8], separator: usize) -> bool {
    query_url(data, separator)
        .is_some_and(|url| memchr::memmem::find(url, b"://").is_some() && is_image_url(url))
}

/// The URL, up to its query parameter's separator, whose query holds the
/// parameter that starts after `separator`; `None` when `separator` is not
/// a query's (`?`, `&`, the `;` of `&amp;`).
fn query_url(data: &[u8], separator: usize) -> Option<&[u8]> {
    if !is_query_separator(data, separator) {
        return None;
    }
    let (start, _) = url_bounds(data, separator, separator.saturating_sub(1024), separator);
    Some(&data[start..separator])
}

/// Whether a URL's path ends in an image's extension.
fn is_image_url(url: &[u8]) -> bool {
    let path_end = memchr::memchr(b'?', url).unwrap_or(url.len());
    let path = url[..path_end].to_ascii_lowercase();
    [".svg", ".png", ".gif", ".jpg", ".jpeg", ".webp"]
        .iter()
        .any(|ext| path.ends_with(ext.as_bytes()))
}

/// The host of a URL (`scheme://[user[:password]@]host[:port]/…`), without
/// its port or the brackets of an IPv6 address, and whether a user part
/// stands before it. `None` without a `://`.
fn url_host(url: &[u8]) -> Option<(&[u8], bool)> {
    let rest = &url[memchr::memmem::find(url, b"://")? + 3..];
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let user_end = memchr::memrchr(b'@', authority);
    let host = user_end.map_or(authority, |at| &authority[at + 1..]);
    let host = match host.strip_prefix(b"[") {
        Some(v6) => &v6[..memchr::memchr(b']', v6).unwrap_or(v6.len())],
        None => &host[..memchr::memchr(b':', host).unwrap_or(host.len())],
    };
    Some((host, user_end.is_some()))
}

/// When `at` lies in a presigned AWS URL signed with temporary credentials
/// (it carries `X-Amz-Security-Token`): the URL's expiry, `X-Amz-Date`
/// plus `X-Amz-Expires`, in seconds since the epoch. The temporary key id
/// and session token it holds lapse with it (within hours); a URL signed
/// with a long-lived key (`AKIA…`, no session token) gives `None`, since
/// that key outlives the URL.
pub(crate) fn presigned_url_expiry(data: &[u8], at: usize) -> Option<i64> {
    let (start, end) = url_bounds(data, at, at.saturating_sub(8192), at + 8192);
    let url = &data[start..end];
    memchr::memmem::find(url, b"X-Amz-Security-Token=")?;
    let param = |name: &[u8]| {
        let from = memchr::memmem::find(url, name)? + name.len();
        let value = &url[from..];
        let len = value.iter().position(|&b| b == b'&').unwrap_or(value.len());
        std::str::from_utf8(&value[..len]).ok()
    };
    // 20220315T101530Z
    let date = param(b"X-Amz-Date=")?;
    let digits = |range: std::ops::Range<usize>| date.get(range)?.parse::<i64>().ok();
    if date.len() != 16 || date.as_bytes()[8] != b'T' || !date.ends_with('Z') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let expires: i64 = param(b"X-Amz-Expires=")?.parse().ok()?;
    let midnight = diligence_model::Timestamp::from_ymd(
        i32::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    );
    Some(midnight.seconds() + hour * 3600 + minute * 60 + second + expires)
}

/// Whether `at` lies in a presigned URL of GitHub's own attachment
/// storage (`github-production-user-asset-….s3.amazonaws.com`, the link
/// of an image or video pasted into an issue and copied into a README or
/// a blog post): the key that signed it is GitHub's, not the target's.
pub(crate) fn in_github_asset_url(data: &[u8], at: usize) -> bool {
    let (start, end) = url_bounds(data, at, at.saturating_sub(2048), at + 2048);
    let url = &data[start..end];
    let Some(scheme) = memchr::memmem::find(url, b"://") else {
        return false;
    };
    let host = &url[scheme + 3..];
    let host = &host[..host.iter().position(|&b| b == b'/').unwrap_or(host.len())];
    host.starts_with(b"github-production-") && host.ends_with(b".s3.amazonaws.com")
}

/// When `at` lies in an Azure shared access signature URL (it carries
/// `sig=`): the signature's expiry, its `se=` (`2025-12-18`,
/// `2025-12-18T02:33Z`, `2025-12-18T02%3A33%3A09Z`), in seconds since the
/// epoch. What it signed cannot be used past it.
pub(crate) fn sas_expiry(data: &[u8], at: usize) -> Option<i64> {
    let (start, end) = url_bounds(data, at, at.saturating_sub(8192), at + 8192);
    let url = &data[start..end];
    memchr::memmem::find(url, b"sig=")?;
    let from = [&b"?se="[..], b"&se=", b"&amp;se="]
        .iter()
        .find_map(|name| memchr::memmem::find(url, name).map(|p| p + name.len()))?;
    let value = &url[from..];
    let len = value.iter().position(|&b| b == b'&').unwrap_or(value.len());
    let text = std::str::from_utf8(&value[..len])
        .ok()?
        .replace("%3A", ":")
        .replace("%3a", ":");
    // Minutes without seconds are allowed in a SAS.
    let text = match text.strip_suffix('Z') {
        Some(time) if time.matches(':').count() == 1 => format!("{time}:00Z"),
        _ => text,
    };
    diligence_model::Timestamp::parse(&text)
        .ok()
        .map(diligence_model::Timestamp::seconds)
}

/// The URL around `at`: back and forward to a byte that ends a URL in
/// text (white space, a quote, `<`, `>`, `(`, `)`), within
/// `floor..ceiling`.
fn url_bounds(data: &[u8], at: usize, floor: usize, ceiling: usize) -> (usize, usize) {
    let delimiter = |b: u8| {
        b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')')
    };
    let ceiling = ceiling.min(data.len());
    let start = data[floor..at]
        .iter()
        .rposition(|&b| delimiter(b))
        .map_or(floor, |p| floor + p + 1);
    let end = data[at..ceiling]
        .iter()
        .position(|&b| delimiter(b))
        .map_or(ceiling, |p| at + p);
    (start, end)
}

/// Bytes walked back over a base64 run to find a data URI's header: a
/// bundled font is a few hundred kilobytes.
const DATA_URI_WALK: usize = 4 << 20;

/// Extensions of programming languages whose string values are quoted:
/// there, a value without quotes is a name or an expression.
const QUOTING_LANGUAGES: &[&str] = &[
    "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte", "go", "java", "kt",
    "kts", "scala", "cs", "swift", "dart", "rs", "py", "rb", "php", "ps1", "psm1",
];

/// Whether `path` is a source file of a language that quotes its strings.
fn in_quoting_language(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, extension)| {
        QUOTING_LANGUAGES
            .iter()
            .any(|e| extension.eq_ignore_ascii_case(e))
    })
}

/// Whether the quoted value ending at `end` is joined to code in a language
/// that quotes its strings: a quote, then `+` and a name or call
/// (`password: 'auth0-generated-' + Math.random().toString(36)`). The
/// literal is the fixed start of a value made at run time, not a
/// credential. A literal joined to another literal stays a value.
pub(crate) fn joined_to_code(path: &str, data: &[u8], end: usize) -> bool {
    if !in_quoting_language(path) {
        return false;
    }
    let Some(&quote) = data.get(end) else {
        return false;
    };
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return false;
    }
    let rest = &data[end + 1..data.len().min(end + 64)];
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"+") else {
        return false;
    };
    rest.trim_ascii_start()
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$' | b'('))
}

/// Whether the value `data[start..end]` stands without quotes in the code
/// of a language that quotes its strings, and reads as code: a member
/// (`{ token: i0.NgZone }` of Angular's compiled factories,
/// `settings.SECRET_KEY`), a composite literal (Go's `"passwordAuth":
/// validation.Errors{`, `&hook.Hook[*Event]{`), or an operand
/// (`nameKey := oauth2RedirectKey + form.Code`). A bare run of letters and
/// digits stays possible (a value pasted into code), and so does anything
/// after a comment mark on its line (`//`, `#`, `/*`, ` * `, `--`).
pub(crate) fn unquoted_in_code(path: &str, data: &[u8], start: usize, end: usize) -> bool {
    if !in_quoting_language(path) {
        return false;
    }
    if start == 0
        || end > data.len()
        || matches!(data[start - 1], b'"' | b'\'' | b'`')
        || !data.get(start).is_some_and(|&b| {
            b.is_ascii_alphabetic() || matches!(b, b'_' | b'$' | b'&' | b'*' | b'[')
        })
    {
        return false;
    }
    let value = &data[start..end];
    let operand = data[end..]
        .strip_prefix(b" ")
        .is_some_and(|rest| matches!(rest.first(), Some(b'+' | b'-' | b'*' | b'/' | b'?' | b'|')));
    let code = matches!(value[0], b'&' | b'*' | b'$' | b'[')
        || value.iter().any(|&b| matches!(b, b'.' | b'{' | b'['))
        || operand;
    if !code {
        return false;
    }
    let floor = start.saturating_sub(512);
    let line_start = line_start_after(data, floor, start);
    let before = &data[line_start..start];
    let comment = [&b"//"[..], b"/*", b"#", b"--", b"<!--"]
        .iter()
        .any(|mark| memchr::memmem::find(before, mark).is_some())
        || before.trim_ascii_start().starts_with(b"*");
    !comment
}

/// Whether `at` lies inside the payload of a base64 data URI
/// (`data:font/woff;base64,…`): the base64 run holding it starts right
/// after `;base64,`.
pub(crate) fn in_data_uri(data: &[u8], at: usize) -> bool {
    let floor = at.saturating_sub(DATA_URI_WALK);
    let base64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    let mut start = at;
    while start > floor && base64(data[start - 1]) {
        start -= 1;
    }
    data[..start].ends_with(b";base64,")
}

/// Whether `value` is a UUID in its canonical form (8-4-4-4-12 hex digits).
pub(crate) fn is_uuid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Lines read back from an enum member for its header.
const ENUM_WALK_LINES: usize = 1000;

/// Whether the line starting at `line_start` is a member of an enum
/// (`OnePassword = "…",` in TypeScript, C#, Java): it has a member's
/// shape, and the lines above it are members, blank lines or comments up
/// to an `enum` header that opens the body. An object initializer
/// (`new Builder { Password = "…", }`) has the shape but no such header.
pub(crate) fn in_enum_body(data: &[u8], line_start: usize) -> bool {
    let line_end =
        memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |p| line_start + p);
    if !is_enum_member(data[line_start..line_end].trim_ascii()) {
        return false;
    }
    let mut end = line_start;
    let mut open_brace = false;
    for _ in 0..ENUM_WALK_LINES {
        if end == 0 {
            return false;
        }
        let start = memchr::memrchr(b'\n', &data[..end - 1]).map_or(0, |p| p + 1);
        let line = data[start..end - 1].trim_ascii();
        end = start;
        if open_brace {
            // `enum Name` above a line holding only `{`.
            return is_enum_header(line, false);
        }
        if line.is_empty() || is_comment_line(line) || is_enum_member(line) {
            continue;
        }
        if line == b"{" {
            open_brace = true;
            continue;
        }
        return is_enum_header(line, true);
    }
    false
}

fn is_comment_line(line: &[u8]) -> bool {
    line.starts_with(b"//") || line.starts_with(b"/*") || line.starts_with(b"*")
}

/// The length of the identifier `text` starts with (a letter, `_` or `$`,
/// then letters, digits, `_` and `$`); 0 when it starts with none.
fn identifier_len(text: &[u8]) -> usize {
    match text.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' || *b == b'$' => text
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'$')
            .count(),
        _ => 0,
    }
}

/// `Name`, `Name,` or `Name = value,` (a quoted string or a bare number or
/// name), with an optional trailing comment.
fn is_enum_member(line: &[u8]) -> bool {
    let name = identifier_len(line);
    if name == 0 {
        return false;
    }
    let mut rest = line[name..].trim_ascii_start();
    if let Some(value) = rest.strip_prefix(b"=") {
        let value = value.trim_ascii_start();
        let len = match value.first() {
            Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &value[1..]) {
                Some(p) => p + 2,
                None => return false,
            },
            _ => value
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || b"_.+-".contains(b))
                .count(),
        };
        if len == 0 {
            return false;
        }
        rest = value[len..].trim_ascii_start();
    }
    let rest = rest.strip_prefix(b",").unwrap_or(rest).trim_ascii_start();
    rest.is_empty() || rest.starts_with(b"//") || rest.starts_with(b"/*")
}

/// A line declaring an enum: `enum Name`, after any modifiers
/// (`export const`, `public`), with `class` (C++) and an underlying type
/// (`: byte`) allowed, ending in `{` when `brace`, else at the name.
fn is_enum_header(line: &[u8], brace: bool) -> bool {
    let Some(at) = memchr::memmem::find_iter(line, b"enum").find(|&p| {
        (p == 0 || line[p - 1].is_ascii_whitespace())
            && line.get(p + 4).is_some_and(u8::is_ascii_whitespace)
    }) else {
        return false;
    };
    let mut rest = line[at + 4..].trim_ascii_start();
    if let Some(after) = rest.strip_prefix(b"class")
        && after.first().is_some_and(u8::is_ascii_whitespace)
    {
        rest = after.trim_ascii_start();
    }
    let name = identifier_len(rest);
    if name == 0 {
        return false;
    }
    let mut rest = rest[name..].trim_ascii_start();
    if let Some(after) = rest.strip_prefix(b":") {
        let ty = after
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_. ".contains(b))
            .count();
        rest = after[ty..].trim_ascii_start();
    }
    if brace {
        rest.strip_prefix(b"{")
            .is_some_and(|r| r.trim_ascii().is_empty())
    } else {
        rest.is_empty()
    }
}

/// Whether a value cut at an index's `]` (`recipients[0`) reads as a member
/// expression with the text that follows it (`].token,`), on its line or,
/// for a chain of calls, on the next (`bounceMatch[1]` above
/// `.split(…)`).
pub(crate) fn member_expression_continues(value: &str, after: &[u8]) -> bool {
    if after.first() != Some(&b']') || !value.contains('[') {
        return false;
    }
    let len = after
        .iter()
        .take(200)
        .take_while(|&&b| b.is_ascii_alphanumeric() || b"_$.?[]".contains(&b))
        .count();
    let tail = String::from_utf8_lossy(&after[..len]);
    let rest = &after[len..];
    let blank = rest
        .iter()
        .take(200)
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let next_line = rest[..blank].contains(&b'\n');
    let rest = &rest[blank..];
    let chained = next_line
        && (rest.starts_with(b"?.") || rest.starts_with(b"."))
        && identifier_len(&rest[rest.iter().take_while(|&&b| b == b'.' || b == b'?').count()..])
            > 0;
    if chained {
        return is_member_expression(&format!("{value}{tail}.call"));
    }
    is_member_expression(&format!("{value}{tail}"))
}

/// The algorithm prefixes of stored password hashes.
const PASSWORD_HASH_PREFIXES: &[&str] = &[
    "pbkdf2_sha256$",
    "pbkdf2_sha1$",
    "argon2$",
    "bcrypt$",
    "bcrypt_sha256$",
    "scrypt$",
    "sha1$",
    "md5$",
    "crypt$",
];

/// A member, index or optional-chaining expression of code, as the value
/// class of a rule cuts it at a quote or `]`: `recipients[0].token`,
/// `nextInboxDocument?.Recipient[0]?.token`, `credentials?.credential`,
/// `context.query[` (before `"token"]`), a JSX attribute's
/// `{document.Recipient[0].token`, or a type application cut at its `<`
/// (`z.infer<`, `InferRequestType<`). Identifiers joined by `.` or `?.`,
/// each optionally indexed by digits, an identifier or nothing (cut);
/// it needs `?.`, an index with a member access, or a final `<` on a
/// name without digits, so that `Summer[2024]` and `Passw0rd<` stay
/// values.
fn is_member_expression(value: &str) -> bool {
    let body = value
        .trim_start_matches(['{', '(', '!'])
        .trim_end_matches(['!', '{', '(']);
    let bytes = body.as_bytes();
    let ident_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$');
    let identifier = |at: usize| -> Option<usize> {
        let len = identifier_len(bytes.get(at..)?);
        (len > 0).then_some(at + len)
    };
    let Some(mut at) = identifier(0) else {
        return false;
    };
    let (mut optional, mut member, mut indexed, mut generic) = (false, false, false, false);
    let mut computed = false;
    while at < bytes.len() {
        match bytes[at] {
            b'.' => {
                member = true;
                at = match identifier(at + 1) {
                    Some(end) => end,
                    None => return false,
                };
            }
            b'?' if bytes.get(at + 1) == Some(&b'.') => {
                optional = true;
                at += 2;
                if bytes.get(at) == Some(&b'[') {
                    continue;
                }
                at = match identifier(at) {
                    Some(end) => end,
                    None => return false,
                };
            }
            b'[' => {
                indexed = true;
                at += 1;
                let inner = bytes[at..]
                    .iter()
                    .take_while(|&&b| ident_byte(b) || b"+- ".contains(&b))
                    .count();
                let index = &bytes[at..at + inner];
                // `argv[++i]`, `parts[i + 1]`: arithmetic on a name.
                computed |= index.iter().any(|b| b"+-".contains(b))
                    && index.iter().any(u8::is_ascii_alphabetic);
                at += inner;
                match bytes.get(at) {
                    None => break,
                    Some(b']') => at += 1,
                    Some(_) => return false,
                }
            }
            b'<' if at + 1 == bytes.len() => {
                generic = true;
                at += 1;
            }
            _ => return false,
        }
    }
    optional
        || (indexed && (member || computed || body.ends_with('[')))
        || (generic && !body.bytes().any(|b| b.is_ascii_digit()))
}

/// Whether a text is identifiers joined by single dots (`e`, `e.o.format`,
/// `jwt.RegisteredClaims`): a name or a member of one in code.
fn is_dotted_identifier(text: &str) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && identifier_len(part.as_bytes()) == part.len())
}

/// Values that are code or a reference to something else, not a literal:
/// an identifier path (`person::table`, `self->key`), a type
/// (`Annotated[str`, `Union[str`, `forwardRef<`), a template placeholder
/// (`{SumoAccessKey}`), an Ethereum contract address (`0x` and 40 hex
/// digits, public by design), a CPE name, an image file, or the NAME of a
/// secret in capitals (`NEXUS-GPT4-API-KEY`).
fn is_code_or_reference(value: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let starts_like_identifier = |s: &str| {
        s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
    };
    if (value.contains("::") || value.contains("->"))
        && value
            .bytes()
            .all(|b| word(b) || matches!(b, b':' | b'-' | b'>' | b'.'))
    {
        return true;
    }
    // An index or a type argument: `row[field`, `Union[str`, Ruby's
    // `params[:invitation`.
    if let Some(open) = value.find(['[', '<'])
        && open > 0
        && starts_like_identifier(value)
        && value[..open].bytes().all(|b| word(b) || b == b'.')
        && starts_like_identifier(value[open + 1..].trim_start_matches(':'))
    {
        return true;
    }
    // A method of a module or class, called without parentheses in Ruby
    // (`SecureRandom.base58`, `Devise.friendly_token`).
    if let Some((module, method)) = value.split_once('.')
        && module
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase())
        && module.bytes().all(|b| b.is_ascii_alphanumeric())
        && module.bytes().any(|b| b.is_ascii_lowercase())
        && method
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase())
        && method
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return true;
    }
    // An element of a sequence by position (`auth_parts[0]`, `argv[1]`):
    // a name in lowercase and a small index; `Summer[2024]` stays a value.
    if let Some((seq, index)) = value.split_once('[')
        && seq.len() >= 3
        && starts_like_identifier(seq)
        && seq
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && (1..=2).contains(&index.len())
        && index.bytes().all(|b| b.is_ascii_digit())
    {
        return true;
    }
    // A member of minified code before `||` or `&&`
    // (`e.o.withCredentials||!1`); a random key may hold them too.
    if let Some(at) = value.find("||").or_else(|| value.find("&&"))
        && value[..at].contains('.')
        && is_dotted_identifier(&value[..at])
    {
        return true;
    }
    // A member of code joined to a string (`"Unacceptable token: "+
    // s.lexer.current.text` in a bundle). A base64 value may open with
    // `+`, but holds no dot.
    if let Some(rest) = value.strip_prefix('+')
        && rest.contains('.')
        && is_dotted_identifier(rest)
    {
        return true;
    }
    // Where a framework looks a credential up (`query:x-api-key`,
    // `header:X-CSRF-Token`, `cookie:_csrf`): a place, not a value.
    if let Some((place, name)) = value.split_once(':')
        && matches!(place, "header" | "query" | "cookie" | "form" | "param")
        && !name.is_empty()
        && name.bytes().all(|b| word(b) || b == b'-')
    {
        return true;
    }
    // The address of a composite literal in Go (`&claimsMessage{`,
    // `&jwt.RegisteredClaims{`).
    if let Some(rest) = value.strip_prefix('&')
        && let Some(type_name) = rest.strip_suffix('{')
        && is_dotted_identifier(type_name)
    {
        return true;
    }
    // A slice (`remainder[:` before ` remainder.rfind("@")]`, `parts[1:`,
    // `buf[:n`): bounds of digits or a name around a colon.
    if let Some(open) = value.find('[')
        && open > 0
        && starts_like_identifier(value)
        && value[..open].bytes().all(|b| word(b) || b == b'.')
        && let Some((from, to)) = value[open + 1..].split_once(':')
        && from.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && to.bytes().all(|b| word(b) || b == b'-')
    {
        return true;
    }
    // A ternary of minified code (`n?n.index:-1`): a name, `?`, a member
    // of a name or the name again, `:`.
    if let Some((test, rest)) = value.split_once('?')
        && !test.is_empty()
        && identifier_len(test.as_bytes()) == test.len()
        && let Some((then, _)) = rest.split_once(':')
        && (then == test || then.contains('.'))
        && is_dotted_identifier(then)
    {
        return true;
    }
    // A relationship of an authorisation schema (SpiceDB, OpenFGA):
    // `org_reader_key#organization@organization:acme`, an object, `#` and
    // its relation, `@` and a subject `type:id`.
    if let Some((_, relation)) = value.split_once('#')
        && let Some((_, subject)) = relation.split_once('@')
        && subject.split_once(':').is_some_and(|(kind, id)| {
            kind.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) && !id.is_empty()
        })
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.:#@*".contains(&b))
    {
        return true;
    }
    // A module path of words (`ace/mode/text_highlight_rules`, an editor's
    // modes in a bundle): lowercase words joined by `/`.
    if value.contains('/')
        && value.split('/').all(|segment| {
            segment
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase())
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-' | b'.'))
        })
    {
        return true;
    }
    // A Ruby predicate (`self_hosted?` before a ternary), or an attribute
    // name before its `=` (`:options="…"` of a Vue or Blade component).
    if let Some(stem) = value.strip_suffix('?').or_else(|| value.strip_suffix('='))
        && starts_like_identifier(stem)
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b'-' | b'.'))
    {
        return true;
    }
    if is_member_expression(value) {
        return true;
    }
    // Minified code: a member of a one- or two-letter name assigned
    // (`e.ColorStyle=e.ColorClass`), or an object literal opening
    // (`{type:Boolean`, a component's props).
    let bytes = value.as_bytes();
    let ident = |at: usize| bytes.get(at..).map_or(0, identifier_len);
    if let Some(eq) = value.find('=')
        && value[..eq].find('.').is_some_and(|dot| dot <= 2)
        && is_dotted_identifier(&value[..eq])
        && starts_like_identifier(&value[eq + 1..])
    {
        return true;
    }
    if value.starts_with('{') && ident(1) > 0 && bytes.get(1 + ident(1)) == Some(&b':') {
        return true;
    }
    // A stored password hash (Django's `pbkdf2_sha256$…`, `argon2$…`,
    // `bcrypt$…`), as user fixtures hold them: the hash of a password, not
    // a password that signs in anywhere.
    if PASSWORD_HASH_PREFIXES.iter().any(|p| value.starts_with(p)) {
        return true;
    }
    // An operator inside the value is code (`y:t.username+=y` of minified
    // code); at the end, `+=` or `==` can be base64 padding.
    if ["+=", "-=", "=>", "!=", "==", "<=", ">="]
        .iter()
        .any(|op| value.find(op).is_some_and(|at| at + op.len() < value.len()))
    {
        return true;
    }
    // `{Name}`, also cut at the `}` by the rule's value class.
    if let Some(open) = value.find('{') {
        let inner = &value[open + 1..];
        let inner = inner.find('}').map_or(inner, |close| &inner[..close]);
        if !inner.is_empty() && inner.bytes().all(|b| word(b) || matches!(b, b'.' | b'-')) {
            return true;
        }
    }
    if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
        && hex.len() == 40
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("cpe:") {
        return true;
    }
    if [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return true;
    }
    // A name in capitals: words joined by `-` or `_`, most of them letters only.
    let segments: Vec<&str> = value.split(['-', '_']).collect();
    if segments.len() >= 3
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'))
        && segments
            .iter()
            .filter(|s| s.len() >= 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
            .count()
            * 2
            > segments.len()
    {
        return true;
    }
    false
}

/// Whether a match that starts after `prefix` (the text before it on its
/// line) sits inside an image's alternative text or title: an HTML
/// `alt="…"` or `title="…"` still open, or a Markdown `![…` not yet
/// closed. A screenshot's caption describes a credential, it is not one.
pub(crate) fn in_alt_text(prefix: &str) -> bool {
    let lower = prefix.to_ascii_lowercase();
    for attribute in ["alt=", "title="] {
        if let Some(at) = lower.rfind(attribute) {
            let rest = &lower.as_bytes()[at + attribute.len()..];
            if let Some(&quote) = rest.first()
                && (quote == b'"' || quote == b'\'')
                && !rest[1..].contains(&quote)
            {
                return true;
            }
        }
    }
    lower
        .rfind("![")
        .is_some_and(|at| !lower[at..].contains(']'))
}

/// Whether a generic match is a query parameter of a signed URL: a URL
/// whose query also carries an expiry (`e=`, `Expires=`, `X-Amz-Expires=`,
/// `se=`, `X-Goog-Expires=`). `token=` there is the signature of that one
/// URL until it expires (a CDN's signed download link), not a credential
/// that signs anything else. `separator` is the byte before the
/// parameter's name (`?`, `&`, or the `;` of `&amp;`); `at` is where the
/// value starts.
/// Provider rules (an Azure SAS, a presigned AWS URL's key id) still read
/// such URLs.
pub(crate) fn in_signed_url(data: &[u8], separator: usize, at: usize) -> bool {
    if !is_query_separator(data, separator) {
        return false;
    }
    // The URL's query: from its `?` before the value to the end of the URL.
    let (start, end) = url_bounds(data, at, separator.saturating_sub(256), at + 2048);
    let Some(query_at) = memchr::memchr(b'?', &data[start..at]) else {
        return false;
    };
    let query = String::from_utf8_lossy(&data[start + query_at + 1..end]).replace("&amp;", "&");
    query.split('&').any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        let name = name.to_ascii_lowercase();
        [
            "e",
            "expires",
            "x-amz-expires",
            "se",
            "x-goog-expires",
            "expiry",
        ]
        .contains(&name.as_str())
            && !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'%'))
    })
}

/// The separator (`?`, `&`, the `;` of `&amp;`) before the name of the
/// query parameter whose value starts at `at` (`?token=` before it), or
/// `None` when no `name=` of a parameter stands just before `at`.
pub(crate) fn query_parameter_start(data: &[u8], at: usize) -> Option<usize> {
    let equals = at.checked_sub(1).filter(|&e| data[e] == b'=')?;
    let floor = equals.saturating_sub(64);
    let name_start = data[floor..equals]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .map(|p| floor + p + 1)?;
    let separator = name_start.checked_sub(1)?;
    (name_start < equals && is_query_separator(data, separator)).then_some(separator)
}

/// Whether a match that starts at `separator` (the byte before its name)
/// is a query parameter of a URL on this machine
/// (`http://localhost:3000/api/verify-email?token=…` in a comment): a token
/// a developer's own server issued, not a credential of a service.
pub(crate) fn in_local_url(data: &[u8], separator: usize, at: usize) -> bool {
    if !is_query_separator(data, separator) {
        return false;
    }
    let (start, _) = url_bounds(data, at, separator.saturating_sub(256), at);
    url_host(&data[start..separator]).is_some_and(|(host, _)| {
        is_loopback_host(&String::from_utf8_lossy(host).to_ascii_lowercase())
    })
}

/// Whether a host name, lowercase, is this machine (`localhost`, `127.*`,
/// `0.0.0.0`, `::1`).
fn is_loopback_host(host: &str) -> bool {
    matches!(host, "localhost" | "0.0.0.0" | "::1") || host.starts_with("127.")
}

/// The words of an assignment's name, lowercase: split at every byte that
/// is not a letter or digit and where a lowercase letter or digit meets an
/// uppercase one, or an acronym meets a word (`SendGrid_API_key` → `send`,
/// `grid`, `api`, `key`; `AWSSecret` → `aws`, `secret`).
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let bytes = name.as_bytes();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| bytes[p]);
        let next = bytes.get(i + 1).copied();
        let boundary = b.is_ascii_uppercase()
            && previous.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(b.to_ascii_lowercase() as char);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The name an assignment's match gives its value: the last run of name
/// characters (letters, digits, `_`, `.`, `-`) before the quotes and
/// operator that end the match (`  "private_key_id": "` → `private_key_id`).
fn assigned_name(key: &str) -> &str {
    split_assigned_name(key).1
}

/// The text before an assignment's name and the name itself (see
/// [`assigned_name`]).
fn split_assigned_name(key: &str) -> (&str, &str) {
    let trimmed = key.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let start = trimmed
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map_or(0, |i| i + 1);
    trimmed.split_at(start)
}

/// Generic-rule filter on the name an assignment gives its value: names
/// that hold a hash (`hashed_secret` in a secret-scanner baseline), the id
/// of a credential kept elsewhere (`credentialsId` in a Jenkinsfile), the
/// NAME of a secret (`apiKeyName`, `secret_name`), an address
/// (`token_address`), a UI string (`password.label`, `token.hint`), a
/// setting about the credential (`password_policy`, `token_type`,
/// `secret_length`), or a
/// CSRF token (`csrf_token`, `csrfmiddlewaretoken`: per session and
/// public to the page it is in).
pub(crate) fn generic_name_excluded(key: &str) -> bool {
    let (before, name) = split_assigned_name(key);
    let lower = name.to_ascii_lowercase();
    // The last part of a path (`"**/theme/tokens.ts", "…"` in a linter's
    // file list, `"lib/protectedTokens.js": "<sha256>"` in a manifest of
    // file hashes) names a file, not a credential.
    if before.ends_with(['/', '\\']) && !before.ends_with("://") && name.contains('.') {
        return true;
    }
    const PARTS: &[&str] = &[
        "credentialsid",
        "credentials_id",
        "credentialid",
        "credential_id",
        "csrftoken",
        "csrfmiddlewaretoken",
        "xsrftoken",
        // Rails' and ASP.NET's names of a form's CSRF token.
        "authenticity_token",
        "authenticitytoken",
        "requestverificationtoken",
        // The serialized tables of a generated parser (Lezer's, inside
        // every CodeMirror bundle): `tokenData:"!<p!aR!YOX$q…"`.
        "tokendata",
        "tokenprec",
        // .NET: a strong name's public key token is eight bytes of the
        // hash of a public key (`publicKeyToken="b77a5c561934e089"` in
        // every assembly binding).
        "publickeytoken",
        "public_key_token",
        // An IndexNow key is published at the site's own `/<key>.txt` for
        // search engines to fetch: public by design.
        "indexnow",
    ];
    // Words of the name, split at separators and at capitals (an acronym
    // in capitals is one word: `CSRF_TOKEN`, `PASSWORD_HASH`).
    let words = name_words(name);
    if words
        .iter()
        .any(|w| matches!(w.as_str(), "hash" | "hashed" | "digest" | "csrf" | "xsrf"))
    {
        return true;
    }
    // A checksum or a fingerprint of something, named last
    // (`tokenizer_checksum`, `KEY_FINGERPRINT`, `secretSha256`), is
    // computed from content; it opens nothing. A key or secret used to
    // make checksums (`CHECKSUM_SECRET` of a payment gateway) is a secret.
    if words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "checksum" | "checksums" | "fingerprint" | "sha1" | "sha256" | "sha512" | "md5"
        )
    }) {
        return true;
    }
    // The id of a key names the key, it is not the key: a service
    // account's `private_key_id`, a signing key's `keyId`. So does the id
    // of a role (Azure's built-in `Key Vault Secrets User` role has one
    // GUID everywhere: `kvSecretsUserRoleId`), and the id of a token
    // (`api_token_id`: Cloudflare and Proxmox show it beside the token).
    let word_at = |at: usize| {
        at == 0
            || matches!(name.as_bytes()[at - 1], b'_' | b'-' | b'.')
            || (name.as_bytes()[at].is_ascii_uppercase()
                && name.as_bytes()[at - 1].is_ascii_lowercase())
    };
    // An id names a thing: the last word `id` (`ascApiKeyIssuerId`,
    // `token_uuid`). Vault's AppRole `secret_id` is the exception: a
    // credential by that name.
    if let [.., before_id, last] = words.as_slice()
        && matches!(last.as_str(), "id" | "ids" | "uuid" | "guid")
        && before_id != "secret"
    {
        return true;
    }
    // So does the id of a store of secrets (.NET's `<UserSecretsId>`, a
    // GUID naming the developer's local secrets file).
    if [
        "key_id",
        "key-id",
        "key.id",
        "keyid",
        "role_id",
        "role-id",
        "role.id",
        "roleid",
        "token_id",
        "token-id",
        "token.id",
        "tokenid",
        "secrets_id",
        "secretsid",
    ]
    .iter()
    .any(|e| lower.ends_with(e) && word_at(lower.len() - e.len()))
    {
        return true;
    }
    const ENDINGS: &[&str] = &[
        "name",
        "names",
        "address",
        "label",
        "hint",
        "placeholder",
        "title",
        "message",
        "text",
        "tooltip",
        "description",
        "prompt",
        "help",
        // Settings about a credential, not the credential: `password_policy`,
        // `token_type`, `secret_length`, `auth_key_alg`, `token_ttl`.
        "policy",
        "type",
        "algorithm",
        "alg",
        "mode",
        "format",
        "strategy",
        "header",
        "ttl",
        "timeout",
        "length",
        "expiry",
        "lifetime",
        // Software that keeps passwords (`GooglePasswordManager`,
        // `password_manager`), not a password.
        "manager",
        // The start of a name, not a credential (`tokenNamePrefix`).
        "prefix",
        // Where to find a token, not the token (`TokenLookup:
        // "cookie:_csrf"` of Echo's CSRF middleware).
        "lookup",
        // Code that splits text into tokens or walks them
        // (`ace/tokenizer`, `token_iterator`), not a token.
        "tokenizer",
        "tokenizers",
        "iterator",
    ];
    if PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    ENDINGS.iter().any(|ending| {
        let Some(rest) = lower.strip_suffix(ending) else {
            return false;
        };
        // A word of its own: after a separator, or capitalised (`apiKeyName`).
        rest.is_empty()
            || rest.ends_with(['_', '.', '-'])
            || name.as_bytes()[rest.len()].is_ascii_uppercase()
    })
}

/// The user of a URL whose password starts at `at` (`scheme://user:` just
/// before it), when the rule that found the password does not capture it.
pub(crate) fn url_user(data: &[u8], at: usize) -> Option<&[u8]> {
    let colon = at.checked_sub(1).filter(|&c| data[c] == b':')?;
    let from = colon.saturating_sub(128);
    let scheme_end = memchr::memmem::rfind(&data[from..colon], b"://")? + from + 3;
    let user = &data[scheme_end..colon];
    (!user.is_empty()
        && !user
            .iter()
            .any(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'@' | b':')))
    .then_some(user)
}

/// Whether a connection URL's login is a development default: the
/// password repeats the user (`postgres:postgres`, or with a tail of up to
/// four characters: `metalingua:metalingua123`), and the host is this
/// machine (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`,
/// `host.docker.internal`) or a service of a compose network (one label:
/// `db`, `postgres`).
pub(crate) fn local_default_login(user: &[u8], password: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let local = is_loopback_host(&host) || !host.contains('.') || host == "host.docker.internal";
    // `app:app`, the user with a short tail
    // (`metalingua:metalingua123@postgres`), or a password that says it is
    // one (`powersync_storage:powersync_password@db`).
    let lower = password.to_ascii_lowercase();
    let user_and_tail = lower
        .strip_prefix(&*String::from_utf8_lossy(user).to_ascii_lowercase())
        .is_some_and(|tail| tail.len() <= 4 && user.len() >= 3);
    local
        && (user == password.as_bytes()
            || user_and_tail
            || ["password", "passwd", "secret"]
                .iter()
                .any(|word| lower.contains(word)))
}

/// The expiry of an edge authorisation token (Akamai's
/// `exp=1642374990~acl=…~hmac=…` in a CDN URL's `token=`): its `exp`, in
/// seconds since the epoch; `None` for anything else.
pub(crate) fn edge_token_expiry(secret: &str) -> Option<i64> {
    if !secret.contains("hmac=") {
        return None;
    }
    secret
        .split('~')
        .find_map(|field| field.strip_prefix("exp="))
        .and_then(|exp| exp.parse().ok())
}

/// Whether a value spells the name it is assigned to, in another case or
/// with other separators (`S3CredentialsError = "s3_credentials_error"`,
/// an enum member's wire name; `API_TOKEN: "apiToken"`): a label, not a
/// secret.
pub(crate) fn value_spells_name(key: &str, value: &str) -> bool {
    let letters = |s: &str| {
        s.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
            .collect::<Vec<u8>>()
    };
    let name = letters(assigned_name(key));
    !name.is_empty() && name == letters(value)
}

/// Filter of [`crate::rules::Rule::is_generic_key`] on the assigned name:
/// a key that is not a secret, of a cache, a store, a query, a table or a
/// translation (`cacheKey`, `STORAGE_KEY`, `primary_key`), a public key
/// (`publicKey`, `VAPID_PUBLIC_KEY`, a publishable or site key), or a
/// fingerprint (`GPG_KEY`). The rules of `api_key`, `access_key` and
/// other credential names do not pass it.
pub(crate) fn key_name_excluded(key: &str) -> bool {
    let words = name_words(assigned_name(key));
    words.split_last().is_some_and(|(last, rest)| {
        matches!(last.as_str(), "key" | "keys")
            && rest.iter().any(|w| NOT_SECRET_KEYS.contains(&w.as_str()))
    })
}

/// Whether an assigned name ends in the word `key` (`passwordKey`,
/// `PASSWORD_KEY`): a key, which the key rule reads and checks for key
/// material, not a password.
pub(crate) fn names_a_key(key: &str) -> bool {
    name_words(assigned_name(key))
        .last()
        .is_some_and(|w| matches!(w.as_str(), "key" | "keys"))
}

/// Words before `key` in a name for a key that is not a secret: of data
/// (cache, store, query, table, translation), a public or publishable key,
/// an identifier of a key kept elsewhere (a GPG fingerprint, an SSH key's
/// path), or a key on a keyboard.
const NOT_SECRET_KEYS: &[&str] = &[
    "cache",
    "storage",
    "store",
    "local",
    "session",
    "query",
    "sort",
    "primary",
    "foreign",
    "partition",
    "row",
    "range",
    "idempotency",
    "dedupe",
    "dedup",
    "unique",
    "composite",
    "lookup",
    "index",
    "table",
    // A Google Sheets spreadsheet's key is its id (`spreadsheet_key`).
    "spreadsheet",
    "sheet",
    "column",
    "field",
    "object",
    "file",
    "path",
    "map",
    "dict",
    "react",
    "redis",
    "event",
    "metric",
    "feature",
    "flag",
    "route",
    "routing",
    "item",
    "list",
    "node",
    "group",
    "registry",
    "state",
    "context",
    "setting",
    "settings",
    "option",
    "options",
    "param",
    "attr",
    "attribute",
    "prop",
    "property",
    "element",
    "component",
    "template",
    "i18n",
    "intl",
    "locale",
    "lang",
    "translation",
    "message",
    "string",
    "label",
    "public",
    "publishable",
    "pub",
    "site",
    "anon",
    "client",
    "gpg",
    "pgp",
    "ssh",
    "fingerprint",
    "hot",
    "shortcut",
    "keyboard",
    "press",
    "shard",
    "correlation",
    "tracking",
    "trace",
    "cursor",
    "page",
    "nonce",
    "sentry",
    "commit",
    "sha",
    "revision",
    "rev",
    "version",
];

/// The account key of Azure's storage emulator (Azurite, account
/// `devstoreaccount1`): one published value, the same on every machine,
/// that Microsoft's documentation gives for local development. Matched by
/// its two ends and length so that this source holds no copy of it.
fn is_storage_emulator_key(secret: &str) -> bool {
    const HEAD: &str = concat!("Eby8vdM02x", "NOcqFlqUwJ");
    const TAIL: &str = concat!("KBHBeksoGM", "Gw==");
    secret.len() == 88 && secret.starts_with(HEAD) && secret.ends_with(TAIL)
}

/// Name-anchored filter on the assigned name, beside
/// [`generic_name_excluded`]: a name that ends in a word for something
/// other than the credential (`AIRBRAKE_KEY_ID`, `shodan_api_key_url`,
/// `ZENDESK_TOKEN_USER`) holds an identifier, an address or an account, not
/// the key.
pub(crate) fn named_key_excluded(key: &str) -> bool {
    let name = assigned_name(key);
    let mut last = String::new();
    for c in name.chars().rev() {
        if matches!(c, '_' | '.' | '-') {
            if last.is_empty() {
                continue;
            }
            break;
        }
        last.insert(0, c);
        if c.is_ascii_uppercase() && name.chars().any(|c| c.is_ascii_lowercase()) {
            break;
        }
    }
    matches!(
        last.to_ascii_lowercase().as_str(),
        "id" | "ids"
            | "url"
            | "uri"
            | "endpoint"
            | "host"
            | "user"
            | "username"
            | "email"
            | "region"
            | "version"
            | "path"
            | "file"
            | "dir"
            | "count"
            | "index"
            | "env"
            | "vault"
    )
}

/// Versions (`1.2.3`, `v2.0.0-rc1`), image tags (`node:20-alpine`,
/// `sha256:…`) and Maven or Gradle coordinates
/// (`com.bugsnag:bugsnag-android:5.31.1`).
fn is_version_or_tag(value: &str) -> bool {
    if is_package_coordinate(value) {
        return true;
    }
    let v = value.strip_prefix('v').unwrap_or(value);
    let dotted = v.split(['-', '+']).next().unwrap_or(v);
    if dotted.split('.').count() >= 2
        && dotted
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return true;
    }
    if value.starts_with("sha256:") || value.starts_with("sha512-") || value.starts_with("sha1-") {
        return true;
    }
    if let Some((image, tag)) = value.split_once(':')
        && !image.is_empty()
        && image.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'/' | b'.' | b'-' | b'_')
        })
        && tag
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || tag.starts_with("latest"))
    {
        return true;
    }
    false
}

/// A date or a timestamp in ISO 8601 form (`2024-01-15`,
/// `2024-01-15T10:30:00Z`, `2024-01-15 10:30:00+02:00`).
fn is_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10..].iter().all(|c| {
            c.is_ascii_digit() || matches!(c, b'T' | b'Z' | b':' | b'.' | b'+' | b'-' | b' ')
        })
}

/// The id of a payment object (Stripe's `cus_…`, `price_…`, `pi_…`,
/// `acct_…`): it names a record in the account, and grants nothing.
fn is_object_id(value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "acct_", "ba_", "card_", "ch_", "cs_", "cus_", "evt_", "ii_", "in_", "pi_", "pm_", "po_",
        "price_", "prod_", "py_", "seti_", "si_", "src_", "sub_", "tr_", "txn_",
    ];
    PREFIXES.iter().any(|prefix| {
        value.strip_prefix(prefix).is_some_and(|id| {
            (8..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    })
}

/// `group:artifact[:packaging[:classifier]]:version`, the group a dotted
/// name, the version starting with a digit.
fn is_package_coordinate(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    let Some((version, names)) = parts.split_last() else {
        return false;
    };
    (2..=4).contains(&names.len())
        && names[0].contains('.')
        && names.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        })
        && version.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "cargo.lock",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "gemfile.lock",
    "composer.lock",
    "go.sum",
    "packages.lock.json",
    "podfile.lock",
    "pubspec.lock",
    "mix.lock",
    "flake.lock",
];

const VENDORED_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "third-party",
    "bower_components",
    ".yarn",
    "site-packages",
    ".venv",
];

/// Language codes that name a resource bundle's locale (`messages_de`).
const LANGUAGES: &[&str] = &[
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es",
    "et", "eu", "fa", "fi", "fil", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id",
    "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "lo", "lt", "lv", "mk", "ml", "mn", "mr", "ms",
    "my", "nb", "ne", "nl", "nn", "no", "pa", "pl", "pt", "ro", "ru", "si", "sk", "sl", "sq", "sr",
    "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi", "zh", "zu",
];

/// Whether a file stem is a locale code: a language, then perhaps a
/// script and a region (`en`, `ms-MY`, `pt_BR`, `zh-Hans-CN`, `es-419`).
fn is_locale(stem: &str) -> bool {
    let mut parts = stem.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    LANGUAGES.contains(&language)
        && rest.len() <= 2
        && rest.iter().all(|part| {
            (matches!(part.len(), 2 | 4) && part.bytes().all(|b| b.is_ascii_alphabetic()))
                || (part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()))
        })
}

const I18N_DIRS: &[&str] = &["i18n", "l10n", "locales", "locale", "lang", "translations"];

/// Whether a path is a package manager's lockfile (`yarn.lock`,
/// `Cargo.lock`, `go.sum` ...).
pub(crate) fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    LOCKFILES.iter().any(|l| name.eq_ignore_ascii_case(l))
}

/// Words that mark a lockfile line as possibly holding a credential, in
/// the cases they are written in (`_authToken`, `AUTH_TOKEN`, `Password`):
/// a case-sensitive search keeps the automaton's vectorised prefilter,
/// which a case-insensitive one loses.
const LOCKFILE_WORDS: &[&str] = &[
    "token", "Token", "TOKEN", "auth", "Auth", "AUTH", "passw", "Passw", "PASSW", "secret",
    "Secret", "SECRET", "apikey", "apiKey", "ApiKey", "APIKEY", "api_key", "API_KEY", "api-key",
    "private", "Private", "PRIVATE",
];

/// The lines of a lockfile that can hold a credential, as byte spans
/// without their `\n`. A lockfile is written by its package manager: package
/// names, versions, resolved URLs and integrity hashes. What a person can
/// leak into it is a registry credential: a URL with a user and password
/// (`https://user:pass@registry/...`), or a token, auth or password entry
/// or query parameter. Every other line (most of the file, rewritten on
/// each dependency update) is left out.
pub(crate) fn lockfile_credential_lines(data: &[u8]) -> Vec<(usize, usize)> {
    static WORDS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    // Leftmost-first, not the default standard semantics: only leftmost
    // searches use the vectorised prefilter, which skips most of a
    // lockfile, and any hit on a line is as good as another.
    let words = WORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(LOCKFILE_WORDS)
            .expect("lockfile words compile")
    });
    let line_of = |at: usize| {
        let start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p);
        (start, end)
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for hit in words.find_iter(data) {
        if spans.last().is_some_and(|&(_, end)| hit.start() <= end) {
            continue;
        }
        spans.push(line_of(hit.start()));
    }
    // A URL counts only with a user part before its host.
    let mut urls = Vec::new();
    for at in memchr::memmem::find_iter(data, b"://") {
        if urls.last().is_some_and(|&(_, end)| at <= end) {
            continue;
        }
        // The `@` is looked for first: most URLs (a lockfile's resolved
        // registry URLs) have none on their line.
        let authority = &data[at + 3..];
        let window = &authority[..authority.len().min(256)];
        let window = memchr::memchr(b'\n', window).map_or(window, |end| &window[..end]);
        let Some(user_end) = memchr::memchr(b'@', window) else {
            continue;
        };
        if !window[..user_end]
            .iter()
            .any(|&b| matches!(b, b'/' | b'"' | b'\'' | b' ' | b'#' | b'?'))
        {
            urls.push(line_of(at));
        }
    }
    if !urls.is_empty() {
        spans.extend(urls);
        spans.sort_unstable();
        spans.dedup();
    }
    spans
}

/// Whether generic rules should skip a path: lockfiles, vendored code,
/// minified bundles, source maps and translation files.
pub fn generic_path_excluded(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if LOCKFILES.contains(&name) {
        return true;
    }
    if name.ends_with(".min.js") || name.ends_with(".min.css") || name.ends_with(".map") {
        return true;
    }
    if name.ends_with(".po") || name.ends_with(".pot") || name.ends_with(".xliff") {
        return true;
    }
    // A secret scanner's baseline holds hashes of what it found, by design;
    // a translation tool's lock (Lingo.dev's `i18n.lock`) the checksums of
    // the strings under their keys (`auth/password_compromised: <hex>`).
    if name == ".secrets.baseline" || name == "i18n.lock" {
        return true;
    }
    // A translation catalogue named by its locale (`en.json`,
    // `ms-MY.json`, `pt_BR.yml`, next-intl's `messages/de.json`): UI text.
    if let Some(stem) = [".json", ".yml", ".yaml"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        && is_locale(stem)
    {
        return true;
    }
    // Java resource bundles: `messages.properties`, `labels_de.properties`,
    // `strings_pt_BR.properties` hold UI text, not configuration.
    if let Some(stem) = name.strip_suffix(".properties") {
        let bundle = [
            "messages",
            "labels",
            "strings",
            "i18n",
            "translations",
            "resources",
        ]
        .iter()
        .any(|b| stem.starts_with(b));
        // `_de`, `_pt_BR`: a language code, perhaps with a region.
        let stem = match stem.rsplit_once('_') {
            Some((rest, region))
                if region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                if LANGUAGES.contains(&region) {
                    stem
                } else {
                    rest
                }
            }
            _ => stem,
        };
        let locale = stem
            .rsplit_once('_')
            .is_some_and(|(_, lang)| LANGUAGES.contains(&lang));
        if bundle || locale {
            return true;
        }
    }
    lower
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| VENDORED_DIRS.contains(&dir) || I18N_DIRS.contains(&dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_lines_with_a_credential_are_kept_and_the_rest_left_out() {
        let text = [
            "\"@babel/core@^7.0.0\":",
            "  version \"7.24.0\"",
            "  resolved \"https://registry.yarnpkg.com/@babel/core/-/core-7.24.0.tgz#abc\"",
            "  integrity sha512-TOKENaBcD+ef/gh==",
            "  resolved \"https://ci:s3cret@npm.acme.test/core.tgz\"",
            "\"//npm.acme.test/:_authToken\" \"abc\"",
            "  resolved \"git+ssh://git@github.com/acme/lib.git#v1\"",
            "dependencies:",
            // A host that ends its line: the `@` of the next line is not
            // its user part.
            "registry https://registry.npmjs.org",
            "\"@types/node@^20\":",
        ]
        .join("\n");
        let kept: Vec<&str> = lockfile_credential_lines(text.as_bytes())
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        // The user part of a URL and a token entry; a scoped package name,
        // a registry URL without a user and an integrity hash are not.
        // (An integrity hash that happens to spell a word is kept: the
        // rules then read it as they would anyway.)
        assert_eq!(
            kept,
            [
                "  integrity sha512-TOKENaBcD+ef/gh==",
                "  resolved \"https://ci:s3cret@npm.acme.test/core.tgz\"",
                "\"//npm.acme.test/:_authToken\" \"abc\"",
                "  resolved \"git+ssh://git@github.com/acme/lib.git#v1\"",
            ]
        );
        assert!(is_lockfile("web/yarn.lock") && is_lockfile("Cargo.lock"));
        assert!(!is_lockfile("web/yarn.lock.bak") && !is_lockfile("src/lock.rs"));
    }

    #[test]
    fn enum_members_are_found_by_their_header() {
        let ts = b"export enum PasskeyBrand {\n  AliasVault = \"a-1\",\n  // Apple\n  ApplePasswords = \"x\",\n\n  IPasswords = \"y\", // note\n}\n";
        let at = |needle: &[u8]| memchr::memmem::find(ts, needle).expect("needle");
        assert!(in_enum_body(ts, at(b"  ApplePasswords")));
        assert!(in_enum_body(ts, at(b"  IPasswords")));
        // C#, with the brace on its own line and an underlying type.
        let cs = b"public enum Brand : int\n{\n    OnePassword = 3,\n    Other\n}\n";
        assert!(in_enum_body(
            cs,
            memchr::memmem::find(cs, b"    OnePassword").expect("member")
        ));
        // Look-alikes: an object initializer, a class body, a variable, and
        // a member whose line holds more than a member.
        let init = b"var b = new Builder {\n    Password = \"x\",\n};\n";
        assert!(!in_enum_body(
            init,
            memchr::memmem::find(init, b"    Password").expect("line")
        ));
        let class = b"class Settings {\n  Password = \"x\";\n}\n";
        assert!(!in_enum_body(
            class,
            memchr::memmem::find(class, b"  Password").expect("line")
        ));
        let var = b"const OnePassword = \"x\",\n";
        assert!(!in_enum_body(var, 0));
        let call = b"enum E {\n  A = f(\"x\"),\n}\n";
        assert!(!in_enum_body(
            call,
            memchr::memmem::find(call, b"  A").expect("line")
        ));
        // A comment naming an enum is not a header.
        let comment = b"// the enum below\nsettings {\n  Password = \"x\",\n}\n";
        assert!(!in_enum_body(
            comment,
            memchr::memmem::find(comment, b"  Password").expect("line")
        ));
    }

    #[test]
    fn quoted_sentences_open_with_prose() {
        let text = b"msg: \"Pengguna/kata laluan tidak betul.\"";
        let at = 6;
        assert!(opens_prose(text, at, at + 13));
        for (text, at, len) in [
            (&b"password: \"Tr0ub4dor&3xK\""[..], 11, 13),
            (b"password = Tr0ub4dor&3xK tail", 11, 13),
            (b"pw: \"Tr0ub4dor&3xK  \"", 5, 13),
            (b"pw: \"Tr0ub4dor&3xK 42\"", 5, 13),
        ] {
            assert!(
                !opens_prose(text, at, at + len),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn names_split_into_words() {
        for (name, words) in [
            ("SendGrid_API_key", &["send", "grid", "api", "key"][..]),
            ("AWSSecret", &["aws", "secret"]),
            ("TWILIO_AUTH_TOKEN", &["twilio", "auth", "token"]),
            ("  \"datadog.api-key\": \"", &["datadog", "api", "key"]),
            ("$v2Token .= ", &["v2", "token"]),
            ("pageToken", &["page", "token"]),
            ("", &[]),
        ] {
            assert_eq!(name_words(name), words, "{name}");
        }
    }

    #[test]
    fn uuids_in_canonical_form() {
        assert!(is_uuid("bada5566-a7aa-401f-bd96-45619a55120d"));
        assert!(is_uuid("BADA5566-A7AA-401F-BD96-45619A55120D"));
        assert!(!is_uuid("bada5566a7aa401fbd9645619a55120d"));
        assert!(!is_uuid("bada5566-a7aa-401f-bd96-45619a55120"));
        assert!(!is_uuid("gada5566-a7aa-401f-bd96-45619a55120d"));
    }

    #[test]
    fn expressions_and_password_managers_are_not_credentials() {
        assert!(!generic_value_plausible("!requiresPreflightRequest"));
        assert!(!generic_value_plausible("?InterpolationInTemplate"));
        assert!(!generic_value_plausible("redis://localhost:6379/0"));
        assert!(!generic_value_plausible("amqp+ssl://mq.acme.test:5671/v1"));
        // A name pattern (`iarche_mcp_*` in a comment's `?apikey=`).
        assert!(!generic_value_plausible("iarche_mcp_*"));
        assert!(generic_value_plausible("Xk29vLq8*1rPzTr0ub4*"));
        // A value with a colon and slashes that is no URL stays.
        assert!(generic_value_plausible("Xk29vLq8:1rPz//Tr0ub4"));
        assert!(generic_value_plausible("?Xk29vLq81rPzTr0ub4"));
        assert!(!generic_value_plausible("GitHubApp.key!"));
        assert!(!generic_value_plausible("!!updatedProfile[providerKey"));
        assert!(!generic_value_plausible("!!$settings.apiKey?.value"));
        // Member, index and optional-chaining expressions, and type
        // applications cut at their `<`.
        for code in [
            "recipients[0].token",
            "nextInboxDocument?.Recipient[0]?.token",
            "credentials?.credential",
            "context.query[",
            "{document.Recipient[0].token",
            "InferRequestType<",
            "z.infer<",
            "session.user.accessToken",
            "y:t.username+=y",
            "pbkdf2_sha256$20000$1QVzRS4OErAO$WyzHCpw4gwA+fft+Cf3/pdauPGXVB+xtf",
            "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ",
        ] {
            assert!(!generic_value_plausible(code), "{code}");
        }
        // The line up to the separator before `token`, then `token=` and the rest.
        let signed_query = |prefix: &str, rest: &[u8]| {
            let text = [prefix.as_bytes(), rest].concat();
            let value = prefix.len() + rest.iter().position(|&b| b == b'=').map_or(0, |p| p + 1);
            in_signed_url(&text, prefix.len() - 1, value)
        };
        assert!(signed_query(
            "\"url\":\"http://cdn.processon.com/5df1f6a6e4b0c4255e96d825?e=1576142006&",
            b"token=trhI0BY8QfVrIGn9nENo:1syM2a0D54ljvI8LPam4JSz-zNo=\"}"
        ));
        assert!(signed_query(
            "src=\"https://cdn.acme.test/a.png?e=1573632286&amp;",
            b"token=Xq7Lm2Vp9Rt4Zw8:abc=\">"
        ));
        assert!(signed_query(
            "https://cdn.acme.test/a.png?",
            b"token=Xq7Lm2Vp9Rt4Zw8&Expires=1700000000 "
        ));
        // No expiry: a token in a URL is a credential.
        assert!(!signed_query(
            "https://api.acme.test/v1/items?",
            b"token=Xq7Lm2Vp9Rt4Zw8&page=2 "
        ));
        // Not a query parameter.
        assert!(!signed_query("  api_", b"token=Xq7Lm2Vp9Rt4Zw8 # e=1"));
        let signed = b"\"https://files.acme.test/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAXXXX%2F20220315%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20220315T101530Z&X-Amz-Expires=3600&X-Amz-Security-Token=IQoJb3JpZ2lu&X-Amz-Signature=ab12\"";
        let at = 70;
        assert_eq!(
            presigned_url_expiry(signed, at),
            Some(
                diligence_model::Timestamp::from_ymd(2022, 3, 15).seconds()
                    + 10 * 3600
                    + 15 * 60
                    + 30
                    + 3600
            )
        );
        // A long-lived key signs without a session token: no expiry.
        let long_lived =
            String::from_utf8_lossy(signed).replace("&X-Amz-Security-Token=IQoJb3JpZ2lu", "");
        assert_eq!(presigned_url_expiry(long_lived.as_bytes(), 70), None);
        // A malformed date gives nothing.
        let bad = String::from_utf8_lossy(signed).replace("20220315T101530Z", "2022-03-15");
        assert_eq!(presigned_url_expiry(bad.as_bytes(), 70), None);
        let uri = b"url(data:application/font-woff;base64,d09GRgABAAAAAO2sABIAAA+/EAAxyz)";
        let at = uri.iter().position(|&b| b == b'E').unwrap();
        assert!(in_data_uri(uri, at));
        let plain = b"token: EAAxyz";
        assert!(!in_data_uri(plain, 7));
        assert!(!in_data_uri(b"base64,EAAxyz", 7));
        assert!(member_expression_continues("recipients[0", b"].token,\n"));
        assert!(member_expression_continues("rows[0", b"]?.secret;"));
        assert!(!member_expression_continues("Summer[2024", b"]\";"));
        assert!(!member_expression_continues("recipients[0", b"].9x,"));
        // A chain of calls on the next line, and an index computed on a
        // name.
        assert!(member_expression_continues(
            "bounceMatch[1",
            b"]\n      .split(/[,\\s]+/)"
        ));
        assert!(member_expression_continues("rows[0", b"]\n  ?.token;"));
        assert!(member_expression_continues("argv[++i", b"];"));
        assert!(member_expression_continues("parts[i + 1", b"];"));
        assert!(!member_expression_continues("Summer[2024", b"]\n"));
        assert!(!member_expression_continues("Summer[2024", b"] .x\n"));
        assert!(!member_expression_continues("Summer[2024", b"]\";\n.x"));
        assert!(!member_expression_continues("Xq7[29Vp9Rt4", b"]Zw8\n"));
        assert!(!member_expression_continues("Pass[2024-1", b"];"));
        // Look-alike values stay values.
        for literal in [
            "Summer[2024]",
            "Hunt3r2x<",
            "tk.9Hq2Vx7LmZ3pR8wN4bY6",
            "Zq8vR2mKx7Lp4Nw9Bt3Hc6Yd",
            "ab3$Xy[9]Qz!",
            "cXdlcnR5MTIzNDU2+=",
            "Zm9vYmFyYmF6cXV4==",
            "pbkdf2-Xq7Lm2Vp9Rt4Zw8",
        ] {
            assert!(generic_value_plausible(literal), "{literal}");
        }
        // Relative paths.
        for path in [
            "../../node_modules/x/lib/tokens.d.ts",
            "./secrets/app-key.pem",
        ] {
            assert!(!generic_value_plausible(path), "{path}");
        }
        // A literal that starts or ends with `!` and holds a digit is a value.
        assert!(generic_value_plausible("!Qw3rtyZx9v"));
        assert!(generic_value_plausible("Qw3rty.Zx9v!"));
        assert!(generic_name_excluded("GooglePasswordManager"));
        assert!(generic_name_excluded("password_manager"));
        assert!(generic_name_excluded("tokenNamePrefix"));
        assert!(generic_name_excluded("TOKEN_PREFIX"));
        assert!(!generic_name_excluded("prefixToken"));
        // The id of a key, not the key; a secret id is a credential.
        assert!(generic_name_excluded("\"private_key_id"));
        assert!(generic_name_excluded("signingKeyId"));
        assert!(generic_name_excluded("API_KEY_ID"));
        assert!(generic_name_excluded("keyid"));
        assert!(!generic_name_excluded("secret_id"));
        assert!(!generic_name_excluded("private_key"));
        assert!(!generic_name_excluded("idKey"));
        // Any id names a thing (`monkey_id`, `ascApiKeyIssuerId`).
        assert!(generic_name_excluded("monkey_id"));
        assert!(generic_name_excluded("\"ascApiKeyIssuerId"));
        assert!(generic_name_excluded("session_token_uuid"));
        assert!(!generic_name_excluded("secretId"));
        assert!(!generic_name_excluded("VAULT_SECRET_ID"));
        assert!(!generic_name_excluded("token_idp"));
        // The last part of a path names a file.
        assert!(generic_name_excluded("files: [\"**/theme/tokens.ts\", \""));
        assert!(generic_name_excluded("\"lib/_lib/protectedTokens.js\": \""));
        assert!(!generic_name_excluded("\"protectedTokens\": \""));
        assert!(!generic_name_excluded("AMQP_URL=amqp://app:"));
        assert!(!generic_name_excluded("/etc/app/secret: "));
        // A generated parser's tables; a token's data is not them.
        assert!(generic_name_excluded("tokenData"));
        assert!(generic_name_excluded("tokenPrec"));
        assert!(!generic_name_excluded("accessToken"));
        // The id of a role, not a secret.
        assert!(generic_name_excluded("var kvSecretsUserRoleId"));
        assert!(generic_name_excluded("SECRETS_READER_ROLE_ID"));
        assert!(!generic_name_excluded("secret_paroleid"));
        assert!(generic_name_excluded("trace_token_id"));
        assert!(generic_name_excluded("apiTokenId"));
        assert!(!generic_name_excluded("api_token"));
        assert!(!generic_name_excluded("token_idp_secret"));
        assert!(!generic_name_excluded("managerPassword"));
        assert!(!generic_name_excluded("MANAGER_PASSWORD"));
        // Names in capitals are read by their words too.
        assert!(generic_name_excluded("CSRF_TOKEN"));
        assert!(generic_name_excluded("ADMIN_PASSWORD_HASH"));
        assert!(generic_name_excluded("HASHED_SECRET"));
        assert!(!generic_name_excluded("UNHASHED_PASSWORD"));
        assert!(!generic_name_excluded("CSRFX_TOKEN"));
        // Checksums and fingerprints, by their words.
        assert!(generic_name_excluded("tokenizer_checksum"));
        assert!(generic_name_excluded("SIGNING_KEY_FINGERPRINT"));
        assert!(generic_name_excluded("secretSha256"));
        assert!(!generic_name_excluded("CHECKSUM_SECRET"));
        assert!(!generic_name_excluded("fingerprintjs_api_key"));
        assert!(!generic_name_excluded("sha256_hmac_secret"));
        // .NET's ids and tokens that are not credentials.
        assert!(generic_name_excluded("<UserSecretsId"));
        assert!(generic_name_excluded("publicKeyToken"));
        assert!(generic_name_excluded("const INDEXNOW_KEY"));
        assert!(generic_name_excluded("indexNowKey"));
        assert!(!generic_name_excluded("USER_SECRET"));
        assert!(!generic_name_excluded("publicToken_secret"));
    }

    #[test]
    fn names_of_keys_that_are_not_secrets() {
        for name in [
            "cacheKey",
            "STORAGE_KEY",
            "test_spreadsheet_key",
            "SHEET_KEY",
            "primary_key",
            "queryKey",
            "VAPID_PUBLIC_KEY",
            "NEXT_PUBLIC_PUSHER_KEY",
            "RECAPTCHA_SITE_KEY",
            "stripePublishableKey",
            "GPG_KEY",
            "sentryKey",
            "commitKey",
            "  \"idempotency_key",
        ] {
            assert!(key_name_excluded(name), "{name}");
        }
        for name in [
            "APP_KEY",
            "RAILS_MASTER_KEY",
            "encryptionKey",
            "stripe.key",
            "JWT_SIGNING_KEY",
            "keyCache",
            "PRIVATE_KEY",
        ] {
            assert!(!key_name_excluded(name), "{name}");
        }
    }

    #[test]
    fn key_material_and_names_of_things() {
        for value in [
            concat!("base64:q3V8xL2mZ9pR4t", "K7wN1bY6cH0jF5sD8gA3eU7iO2kM4="),
            concat!("9a66c90bd5482a90", "a29b9fa5ff5180e2"),
            concat!("q3V8x_L2mZ", "-9pR4tK7wN"),
            concat!("Zq8vR2mKx7Lp", "4Nw9Bt3Hc6Yd"),
            // Letters only, but not capitalised words of three or more.
            "QmXvRtLpWzNbKcHd",
            "AbcDefGhIjk",
            "BaseCamp01",
        ] {
            assert!(key_value_plausible(value), "{value}");
        }
        for value in [
            "link:click:updates",
            "subject_address_1",
            "mortgage_lates_30day",
            "__reactFiber$",
            "row.app_role!.role_key",
            "workspace-links-usage-v2",
            "alias/app-prod-key",
            "BaseCampWorkHard02",
            "WorkSpeedIncrease1",
            "AssaultRifleBullet",
        ] {
            assert!(!key_value_plausible(value), "{value}");
        }
    }

    #[test]
    fn entropy_values() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn placeholders() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "JBSWY3DPEHPK3PXP",
            "sk-ant-api03-02F3FeG5Ff...",
            "your-api-key-here",
            "sk_live_xxxxxxxxxxxxxxxx",
            "changeme",
            "changethis",
            "Change_This_Secret",
            "${API_KEY}",
            "{{ secrets.TOKEN }}",
            "<your token>",
            "aaaaaaaaaaaaaaaa",
            "1234567890abcdef",
            "abababababababab",
            "sk_live_0000000000000000",
            "typeinastrongpassword",
            "YourSecurePassword1",
            "SecurePass123!",
            "MyStrongPass#2024",
            "YourPassword123!",
            "YourStrong@Passw0rd",
            "YourApiKeyHere2024",
            "[auto-filled]",
            "sk-proj-[NOVA_KEY_AQUI]",
            "ADMIN_PASSWORD",
            "STRONG_PASSWORD_HERE_1",
            "MOT_DE_PASSE_ANCIEN",
            "SENHA_DO_BANCO",
            "mot_de_passe_ici",
            "sua_senha_aqui",
            // The word password spelt with stand-ins or marks, and a
            // stand-in addressed to the reader.
            "p@ss!word",
            "Pa$$w0rd",
            "pass_w0rd",
            "P@ss-word-2024",
            "Passw.ort",
            "YourNewPass123",
            "yourAppSecret9",
            "generate-with-openssl-rand-base64-32",
            "generate_with_openssl_rand_base64_32",
        ] {
            assert!(is_placeholder(p, false), "{p}");
        }
        for real in [
            "Summer[2024]x",
            "Xq7[29Vp9Rt4]Zw8",
            "PROD_DB_2024_QX",
            "Zq8vR2mKx7Lp4Nw9",
            "b1x7c4r9m2k6p3w8",
            // Random values, and one that only ends in a word like it.
            "Xk29vLq81rPzTr0ub4",
            "s2Tf2k@rLMy9q",
            "p4ssk3y-Zq8vR2",
            "yourt9Xk29vLq",
        ] {
            assert!(!is_placeholder(real, false), "{real}");
        }
        // `your` inside random text, or a word that only starts alike.
        for real in ["Yourt9Qm2vLx81", "kYoUr4pQ8sLm2Zx", "Yourself#Tr0ub4dor"] {
            assert!(!is_placeholder(real, false), "{real}");
        }
        // Base64 of a stand-in, built here from its text.
        let b64 = |text: &str| crate::decode::base64_encode(text.as_bytes());
        for p in [
            b64("test-key-for-ci-only-minimum-32-characters"),
            b64("fake_secret_value_for_tests"),
            b64("an-example-signing-key-here"),
        ] {
            assert!(is_placeholder(&p, false), "{p}");
            assert!(is_placeholder(&p, true), "{p}");
        }
        for real in [
            b64("testuser:Xk29vLq81rPz"),
            b64("deploy:Tr0ub4dor-3xK-9Qm"),
            "Zq8vR2mKx7Lp4Nw9Bt3Hc6Yd5Fg1Js==".to_owned(),
        ] {
            assert!(!is_placeholder(&real, false), "{real}");
        }
        // The storage emulator's published key, built here from its parts.
        let emulator = [
            "Eby8vdM02xNOcqFlqUwJ",
            "PLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/",
            "KBHBeksoGMGw==",
        ]
        .concat();
        assert_eq!(emulator.len(), 88);
        assert!(is_placeholder(&emulator, false));
        assert!(is_placeholder(&emulator, true));
        // Another account key of the same shape is a key.
        let other = ["Qm3v", &emulator[4..]].concat();
        assert!(!is_placeholder(&other, false));
        for real in [
            "Zq8vR2mKx7Lp4Nw9Bt3Hc6Yd5Fg1Js",
            "d41d8c98f00b204e9800998ecf8427e",
            "FreddieMac2024!",
            "Compass-Secure9",
        ] {
            assert!(!is_placeholder(real, false), "{real}");
        }
        assert!(!is_placeholder("AAAAAAAAAAAB", true));
    }

    #[test]
    fn generic_values() {
        for good in [
            "Tr0ub4dor&3xK",
            "q9X!mZ2#vL8pW4",
            "7f3a9c1e5b2d8f4a6c0e",
            "acme.io:Xk29vLq81rPz",
            "acme.io:svc:Tr0ub4dor&3xK",
            "2024-Xk29vLq81rPz",
            "cus_Xk29-vLq8!1rPz",
            "Xk29&vLq8!1rPz",
            "Xk29vLq81rPz&next=1",
            "summer_fun_2024",
            "acme_prod_xk29_7",
            "lovable_integration_org_12345",
        ] {
            assert!(generic_value_plausible(good), "{good}");
        }
        // A signed JWT is a value; one with a word for a signature is a
        // test's stand-in.
        let jwt = |signature: &str| ["eyJhbGciOiJIUzI1NiJ9", "eyJleHAiOjF9", signature].join(".");
        assert!(generic_value_plausible(&jwt(
            "Zq8vR2mKx7Lp4Nw9Bt3Hc6Yd5Fg1JsQm2Xz8Vb7Nw3H"
        )));
        assert!(!generic_value_plausible(&jwt("invalid")));
        assert!(!generic_value_plausible(&jwt("signature")));
        for bad in [
            "process.env.DB_PASSWORD",
            "getPassword",
            "user-secret-name",
            "1.2.3",
            "v2.10.0-rc1",
            "node:20-alpine",
            "Bitte geben Sie Ihr Passwort ein",
            "contraseña",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "%(password)s",
            "12345678901",
            "/etc/secrets/db",
            "changeme123",
            "short",
            "com.bugsnag:bugsnag-android:5.31.1",
            "org.example:client:jar:2.0.1-SNAPSHOT",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTEyMzQifQ.",
            "2024-01-15T10:30:00Z",
            "2024-01-15 10:30:00+02:00",
            "<FormattedMessage",
            "cus_NffrFeUfNV2Hib",
            "price_1NqXkL2eZvKYlo2C8yXxTqHn",
            "ABC&issuer=Koel",
            "lovable_integration_org_123",
            "stripe-webhook-handler-v-2",
        ] {
            assert!(!generic_value_plausible(bad), "{bad}");
        }
    }

    #[test]
    fn alt_texts() {
        assert!(in_alt_text("<img src=\"a.png\" alt=\""));
        assert!(in_alt_text("<img alt='Settings page, "));
        assert!(in_alt_text("![Settings "));
        assert!(!in_alt_text("<img alt=\"x\" data-"));
        assert!(!in_alt_text("![x](a.png) "));
        assert!(!in_alt_text("export "));
    }

    #[test]
    fn names_of_keys() {
        assert!(names_a_key("  passwordKey: \""));
        assert!(names_a_key("PASSWORD_KEY="));
        assert!(!names_a_key("DB_PASSWORD="));
        assert!(!names_a_key("password_keyring="));
    }

    #[test]
    fn development_sections() {
        let yaml = "development:\n  secret_key_base: aaa\n\n# note\ntest:\n  password: bbb\nproduction:\n  secret_key_base: ccc\nkey: ddd\n";
        let at = |value: &str| in_dev_section(yaml.as_bytes(), yaml.find(value).unwrap());
        assert!(at("aaa"));
        assert!(at("bbb"));
        assert!(!at("ccc"));
        assert!(!at("ddd"));
        assert!(!in_dev_section(b"  password: x", 12));
    }

    #[test]
    fn words_before_a_name() {
        let text = b"AWS Secret: x";
        assert_eq!(word_before(text, 3), Some(&b"AWS"[..]));
        assert_eq!(word_before(b"x:Secret", 1), None);
        assert_eq!(word_before(b"a Secret", 1), None);
        assert_eq!(word_before(b"- Secret", 1), None);
    }

    #[test]
    fn sentences() {
        let at = |text: &str, name: &str, value: &str| {
            let separator = text.find(name).unwrap().saturating_sub(1);
            let end = text.find(value).unwrap() + value.len();
            in_sentence(text.as_bytes(), separator, end)
        };
        let message = "throw new Error(\"File is password-protected: ECMA-376 Extensible\")";
        assert!(at(message, "password", "ECMA-376"));
        assert!(!at(
            "DB_PASSWORD: Xk29vLq81rPz\n",
            "DB_PASSWORD",
            "Xk29vLq81rPz"
        ));
        assert!(!at(
            "  password: Xk29vLq81rPz # prod\n",
            "password",
            "Xk29vLq81rPz"
        ));
        assert!(!at(
            "set password: Xk29vLq81rPz\n",
            "password",
            "Xk29vLq81rPz"
        ));
    }

    #[test]
    fn local_urls() {
        let at = |text: &str| {
            let sep = text.find(['?', '&']).unwrap();
            in_local_url(text.as_bytes(), sep, text.find("token=").unwrap() + 6)
        };
        assert!(at(
            "// http://localhost:3000/api/verify-email?token=67b3d33491be1ba7"
        ));
        assert!(at(
            "curl 'http://127.0.0.1:8080/x?a=1&token=67b3d33491be1ba7'"
        ));
        assert!(at("see http://user@[::1]:80/v?token=67b3d33491be1ba7"));
        assert!(!at("https://api.acme.io/v1?token=67b3d33491be1ba7"));
        assert!(!at("https://localhost.acme.io/v1?token=67b3d33491be1ba7"));
        assert!(!in_local_url(b"token=67b3d33491be1ba7", 0, 6));
        // The parameter's separator, found back from its value.
        let url = b"http://localhost:3000/v?a=1&token=eyJx";
        let at = url.len() - 4;
        assert_eq!(query_parameter_start(url, at), Some(27));
        assert_eq!(query_parameter_start(b"TOKEN=eyJx", 6), None);
        assert_eq!(query_parameter_start(b"?=eyJx", 2), None);
        // HTML writes the separator `&amp;`; its `;` opens the parameter.
        let html = "<a href=\"http://localhost:3000/x?a=1&amp;token=67b3d33491be1ba7\">";
        let semi = html.find(";token").unwrap();
        assert!(in_local_url(html.as_bytes(), semi, semi + 7));
        // A `;` of anything else does not.
        let css = "http://localhost:3000/x?a=1;token=67b3d33491be1ba7";
        let semi = css.find(";token").unwrap();
        assert!(!in_local_url(css.as_bytes(), semi, semi + 7));
    }

    #[test]
    fn edge_tokens() {
        assert_eq!(
            edge_token_expiry("exp=1642374990~hmac=7651e44832fd0866663523c8f51faf77"),
            Some(1_642_374_990)
        );
        assert_eq!(edge_token_expiry("exp=1642374990~acl=/x"), None);
        assert_eq!(edge_token_expiry("Zq8vR2mKx7Lp4Nw9"), None);
        let github = |url: &str| in_github_asset_url(url.as_bytes(), url.find("AKIA").unwrap_or(0));
        let id = ["AKIA", "Q3ZL7VX2MRT5", "K8WN"].concat();
        let signed = |host: &str| {
            format!(
                "<video src=\"https://{host}/1309312/305533009-a.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={id}%2F20240216%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240216T101530Z&X-Amz-Expires=300\">"
            )
        };
        assert!(github(&signed(
            "github-production-user-asset-6210df.s3.amazonaws.com"
        )));
        assert!(!github(&signed("acme-uploads.s3.amazonaws.com")));
        assert!(!github(&signed("github-production-user-asset.acme.test")));
        let sas = |url: &str| sas_expiry(url.as_bytes(), url.find("sig=").unwrap_or(0));
        let day = diligence_model::Timestamp::from_ymd(2025, 12, 18).seconds();
        let sig = "sig=Zq8vR2mKx7Lp4Nw9Bt3Hc6Yd5Fg1JsQm2Xz%3D";
        for (url, expires) in [
            (
                format!(
                    "https://a.blob.core.windows.net/c/x.png?sv=2025-11-05&se=2025-12-18T02%3A33%3A09Z&sr=b&sp=r&{sig}"
                ),
                day + 2 * 3600 + 33 * 60 + 9,
            ),
            (
                format!("https://a.blob.core.windows.net/c?sv=2022-11-02&se=2025-12-18&{sig}"),
                day,
            ),
            (
                format!(
                    "https://a.blob.core.windows.net/c?sv=2022-11-02&{sig}&se=2025-12-18T02:33Z"
                ),
                day + 2 * 3600 + 33 * 60,
            ),
        ] {
            assert_eq!(sas(&url), Some(expires), "{url}");
        }
        // No expiry, or no signature: nothing to say.
        assert_eq!(
            sas(&format!(
                "https://a.blob.core.windows.net/c?sv=2022-11-02&{sig}"
            )),
            None
        );
        assert_eq!(sas("https://example.test/?se=2025-12-18&x=1"), None);
    }

    #[test]
    fn development_logins() {
        assert!(local_default_login(b"postgres", "postgres", "localhost"));
        assert!(local_default_login(b"app", "app", "db"));
        assert!(local_default_login(b"app", "app", "127.0.0.1"));
        assert!(local_default_login(b"app", "app", "host.docker.internal"));
        assert!(!local_default_login(b"app", "app", "db.acme.io"));
        assert!(!local_default_login(b"app", "Zq8vR2mKx7", "localhost"));
        assert!(local_default_login(b"ps", "powersync_password", "db"));
        assert!(!local_default_login(
            b"ps",
            "powersync_password",
            "db.acme.io"
        ));
        assert_eq!(url_user(b"amqp://app:pw@h", 11), Some(&b"app"[..]));
        let url = b"x = \"https://fra1.blynk.cloud/external/api/get?token=abc\"";
        let q = url.iter().position(|&b| b == b'?').unwrap();
        assert_eq!(query_host(url, q), Some(&b"fra1.blynk.cloud"[..]));
        let url = b"curl http://localhost:8080/p?a=1&token=abc";
        let amp = url.iter().position(|&b| b == b'&').unwrap();
        assert_eq!(query_host(url, amp), Some(&b"localhost"[..]));
        assert_eq!(query_host(b"if (a && token=b)", 7), None);
        let url = b"https://app:pw@h.example.com/p?token=x";
        let q = url.iter().position(|&b| b == b'?').unwrap();
        assert_eq!(query_host(url, q), None);
        assert_eq!(url_host(b"http://[::1]:8080/a"), Some((&b"::1"[..], false)));
        assert_eq!(
            url_host(b"amqp://u:p@Broker.local:5672"),
            Some((&b"Broker.local"[..], true))
        );
        let url = b"src=\"https://circleci.com/gh/a/b.svg?style=shield&amp;circle-token=x\"";
        let semi = url.iter().position(|&b| b == b';').unwrap();
        assert_eq!(query_host(url, semi), None);
        let url = b"src=\"https://h.example.com/p?a=1&amp;token=x\"";
        let semi = url.iter().position(|&b| b == b';').unwrap();
        assert_eq!(query_host(url, semi), Some(&b"h.example.com"[..]));
        assert_eq!(query_host(b"see ?token=abc", 4), None);
        assert_eq!(url_user(b"a://x/y:pw@h", 8), None);
        assert_eq!(url_user(b"app:pw@h", 4), None);
        // The user and a short tail, on a compose network.
        assert!(local_default_login(
            b"metalingua",
            "metalingua123",
            "postgres"
        ));
        assert!(local_default_login(b"Acme", "acme2024", "localhost"));
        assert!(!local_default_login(
            b"metalingua",
            "metalingua123",
            "db.acme.io"
        ));
        assert!(!local_default_login(
            b"metalingua",
            "metalinguaZq8vR2mK",
            "postgres"
        ));
        assert!(!local_default_login(b"ab", "ab12", "db"));
    }

    #[test]
    fn values_that_spell_their_name() {
        assert!(value_spells_name(
            "  S3CredentialsError = \"",
            "s3_credentials_error"
        ));
        assert!(value_spells_name("API_TOKEN: \"", "apiToken"));
        assert!(!value_spells_name("API_TOKEN: \"", "apiToken2"));
        assert!(!value_spells_name("secret = \"", "Zq8vR2mKx7Lp4Nw9"));
        assert!(!value_spells_name("= \"", ""));
    }

    #[test]
    fn code_references_and_names() {
        for code in [
            "person::table",
            "self->apiKey2",
            "Annotated[str",
            "Union[str",
            "forwardRef<HTMLInputElement>",
            "{SumoAccessKey",
            "prefix{Name}x1",
            "0x5a2d8f4a6c0e91b77f3a9c1e5b2d8f4a6c0e91b7",
            "cpe:2.3:a:acme:lib:1.2.3",
            "img/ApiKey2.png",
            "NEXUS-GPT4-API-KEY",
            "PROD_DB_PASSWORD_V2",
            "params[:invite_code",
            "self_hosted?",
            "options=",
            "e.ColorStyle=e.C",
            "{type:Boolean",
            "remainder[:",
            "parts[1:",
            "buf[:n",
            "n?n.index:-1",
            "t?t:null",
            "ace/mode/text_highlight_rules",
            "ace/search_highlight",
            "Prisma.UserGetPayload<{",
            "&claimsMessage{",
            "query:X-API-Key",
            "SecureRandom.base58",
            "Devise.friendly_token",
            "auth_parts[0",
            "sys.argv[1",
            "header:X-CSRF-Token",
            "&jwt.RegisteredClaims{",
            "e.rank<=100?",
            "e.o.withCredentials||!1",
            "org_reader_key#organization@organization:acme",
            "doc:readme#viewer@user:*",
            "+s.lexer.current.text",
            "+this.config.apiKey",
        ] {
            assert!(is_code_or_reference(code), "{code}");
        }
        for literal in [
            "Zq8vR2mKx7Lp4Nw9Bt3H",
            "tk.9Hq2Vx7LmZ3pR8wN4bY6",
            "X7KD-99QZ-PLM2-4RT8",
            "0x5a2d8f4a6c0e91b77f3a9c1e5b2d8f4a6c0e91b77f3a9c1e5b2d8f4a6c0e91b7",
            "Ab[9xQ2#mZ",
            "Summer2024?",
            "cGFzc3dvcmQ=",
            "Xk29.vLq8=Tr0ub",
            "{9xQ2:mZ#Lp4",
            "Summer[2024",
            "x7?Kq:9mZ2vR",
            "Zq8v/R2mKx7Lp4",
            "/etc/ssl/private",
            "ab/cd//ef",
            "p4ss#w0rd@home",
            "query:Xk29vLq8#1",
            "Summer.Fun2024",
            "Tr0ub4dor.x9Q",
            "Pass[2024",
            "hunter[9Xk",
            "&Zq8#vR2mKx{",
            "Xk29vLq8&&",
            "sk_~[MR||bUQR&6:o",
            "Xk2#vL@q:9Rt",
            "+Zq8vR2mKx7Lp4Nw9Bt3H",
            "+Zq8v/R2mK.x7Lp4=",
            "+.Zq8vR2mKx7",
        ] {
            assert!(!is_code_or_reference(literal), "{literal}");
        }
        for name in [
            "\"hashed_secret\": \"",
            "passwordHash = \"",
            "api_key_digest: ",
            "credentialsId: '",
            "def apiKeyName = \"",
            "secret_name: ",
            "password.label=",
            "TOKEN_ADDRESS=",
            "password_policy = \"",
            "TOKEN_TYPE=",
            "auth_key_alg: ",
            "secretLength: ",
            "this.tokenizer = ",
            "\"ace/token_iterator\",\"",
            "bgTokenizer: ",
            "authenticity_token=",
            "__RequestVerificationToken: ",
            "TokenLookup: \"",
        ] {
            assert!(generic_name_excluded(name), "{name}");
        }
        for name in [
            "DB_PASSWORD=",
            "client_secret: \"",
            "const acmeToken = '",
            "apiKey := \"",
            "username_password=",
            "unhashed_password: ",
            "VAULT_HASHICORP_TOKEN := ",
            "policy_token=",
            "typeform_api_key: ",
            "MODE_SECRET=",
            "tokenizer_secret=",
        ] {
            assert!(!generic_name_excluded(name), "{name}");
        }
    }

    #[test]
    fn paths() {
        assert!(generic_path_excluded(".secrets.baseline"));
        assert!(generic_path_excluded("apps/web/i18n.lock"));
        assert!(!generic_path_excluded("apps/web/i18n.ts"));
        assert!(generic_path_excluded(
            "src/main/resources/messages_de.properties"
        ));
        assert!(generic_path_excluded(
            "src/main/resources/labels.properties"
        ));
        assert!(!generic_path_excluded(
            "src/main/resources/application.properties"
        ));
        assert!(!generic_path_excluded("config/application_prod.properties"));
        assert!(!generic_path_excluded("config/config_db.properties"));
        assert!(generic_path_excluded("res/app_pt_BR.properties"));
        assert!(generic_path_excluded("web/package-lock.json"));
        assert!(generic_path_excluded("node_modules/x/index.js"));
        assert!(generic_path_excluded("public/locales/de/common.json"));
        assert!(generic_path_excluded("dist/app.min.js"));
        assert!(!generic_path_excluded("src/config.ts"));
        for catalogue in [
            "public/intl/messages/ms-MY.json",
            "messages/de.json",
            "src/i18n-data/pt_BR.yml",
            "assets/zh-Hans-CN.json",
            "web/es-419.json",
        ] {
            assert!(generic_path_excluded(catalogue), "{catalogue}");
        }
        for config in [
            "config/en.ts",
            "config/prod.json",
            "deploy/eng.yml",
            "config/de-secrets-prod.json",
            "keys/en-US.env",
        ] {
            assert!(!generic_path_excluded(config), "{config}");
        }
    }
}

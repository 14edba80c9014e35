//! Base64 and percent decoding, for validators and for scanning encoded
//! layers. Decoding is bounded by the caller's budget.

fn value(b: u8) -> Option<u8> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Decodes standard or URL-safe base64, padded or not. `None` when a
/// character is outside both alphabets or the length is impossible.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 6) | u32::from(value(b)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Same as [`base64_decode`]; named for call sites that expect base64url.
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    base64_decode(text)
}

/// Encodes URL-safe base64 without padding (used to build test data).
pub fn base64url_encode(data: &[u8]) -> String {
    encode(
        data,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false,
    )
}

/// Encodes standard padded base64 (used to build test data).
pub fn base64_encode(data: &[u8]) -> String {
    encode(
        data,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

fn encode(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= n {
                out.push(alphabet[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// A decoded layer of a blob: where it sat (byte offset of the encoded
/// text) and what it decoded to.
pub(crate) struct Layer {
    pub(crate) offset: usize,
    pub(crate) data: Vec<u8>,
    pub(crate) encoding: &'static str,
    /// What the layer decodes is the value itself (a Kubernetes `Secret`'s
    /// `data:`): a match of the same rule on the encoded line gives way.
    pub(crate) replaces: bool,
    /// For a layer of synthesised lines, the offset in the blob of each of
    /// its lines, in order; empty when the whole layer sits at `offset`.
    pub(crate) line_offsets: Vec<usize>,
}

pub(crate) fn mostly_text(data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    let printable = data
        .iter()
        .filter(|&&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b))
        .count();
    printable * 100 >= data.len() * 95
}

/// Byte classes for the base64 run scan: 0 not base64, 1 digit or symbol,
/// 2 upper-case letter, 4 lower-case letter (bits, so a run's classes OR).
const B64_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_uppercase() {
            2
        } else if c.is_ascii_lowercase() {
            4
        } else if c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'-' | b'_') {
            1
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Finds base64 runs of at least `min_len` characters that decode to text,
/// and percent-encoded stretches, up to `budget` decoded bytes in total.
pub(crate) fn layers(data: &[u8], min_len: usize, budget: usize) -> Vec<Layer> {
    let mut out = Vec::new();
    let mut spent = 0;
    let min_len = min_len.max(1);
    let class = |b: u8| B64_CLASS[usize::from(b)];
    // No run of `min_len` can start in `i..=probe` unless `data[probe]`
    // is a base64 byte, so most text is skipped `min_len` bytes at a time.
    // Invariant: no base64 run starts before `i` and reaches past it.
    let mut i = 0;
    while i + min_len <= data.len() && spent < budget {
        let probe = i + min_len - 1;
        if class(data[probe]) == 0 {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && class(data[start - 1]) != 0 {
            start -= 1;
        }
        let mut end = probe + 1;
        while end < data.len() && class(data[end]) != 0 {
            end += 1;
        }
        i = end;
        let run = &data[start..end];
        let classes = run.iter().fold(0, |acc, &b| acc | class(b));
        // Require a mix of classes: identifiers and hex hashes are not base64 layers.
        if run.len() >= min_len
            && classes & 6 == 6
            && !is_jwt_segment(data, start, end)
            && let Ok(text) = std::str::from_utf8(run)
            && let Some(decoded) = base64_decode(text)
            && decoded.len() >= 12
            && mostly_text(&decoded)
        {
            spent += decoded.len();
            out.push(Layer {
                offset: start,
                data: decoded,
                encoding: "base64",
                replaces: false,
                line_offsets: Vec::new(),
            });
        }
    }
    // Percent-encoding: decode each line holding at least two escapes.
    if memchr::memchr(b'%', data).is_some() {
        let mut offset = 0;
        for line in crate::delta::lines(data) {
            if spent >= budget {
                break;
            }
            if memchr::memchr(b'%', line).is_none() {
                offset += line.len() + 1;
                continue;
            }
            let escapes = line
                .windows(3)
                .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
                .count();
            if escapes >= 2 {
                let decoded = percent_decode(line);
                spent += decoded.len();
                out.push(Layer {
                    offset,
                    data: decoded,
                    encoding: "percent",
                    replaces: false,
                    line_offsets: Vec::new(),
                });
            }
            offset += line.len() + 1;
        }
    }
    out
}

/// Whether the base64 run `data[start..end]` is the header or the payload
/// of a JSON Web Token (`eyJ….eyJ….signature`). The token is the credential,
/// read whole by its own rules; the claims it carries (a tenant id, a key
/// id, an API key's own id) are its parts, not secrets of their own.
fn is_jwt_segment(data: &[u8], start: usize, end: usize) -> bool {
    let header = |s: usize, e: usize| data[s..e].starts_with(b"eyJ") && data.get(e) == Some(&b'.');
    if header(start, end) {
        return true;
    }
    // A payload: the run before its `.` is a header.
    if start < 2 || data[start - 1] != b'.' {
        return false;
    }
    let header_end = start - 1;
    let mut header_start = header_end;
    while header_start > 0 && B64_CLASS[usize::from(data[header_start - 1])] != 0 {
        header_start -= 1;
    }
    header(header_start, header_end)
}

/// Undoes the escapes of a C, Java, JSON or shell string literal:
/// `\n`, `\r`, `\t`, `\"`, `\'`, `\\` and `\/`; other escapes stay as
/// they are.
pub(crate) fn unescape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' && i + 1 < text.len() {
            let replaced = match text[i + 1] {
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                c @ (b'"' | b'\'' | b'\\' | b'/') => Some(c),
                _ => None,
            };
            if let Some(c) = replaced {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

/// String literals that hold a whole file with escaped line breaks
/// (`{"config.ini": "API_KEY=...\nOTHER=1"}`) or URLs with escaped
/// slashes (`https:\/\/hooks...`): every line with two `\n` escapes or
/// more and an `=` or `:`, with one `\n` and a value in escaped quotes
/// (`=\"`), with a JSON member in escaped quotes (`\"name\":\"`), or
/// with an escaped `:\/\/`, its escapes undone,
/// so line-based rules see one line per entry and URL rules their
/// keyword. At most `budget` bytes.
pub(crate) fn escape_layers(data: &[u8], budget: usize) -> Vec<Layer> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // Built once: a line-by-line search would build each of them per line.
    static BREAK: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\n"));
    static URL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b":\\/\\/"));
    static NAME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\\":"));
    static PAIR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\\":\\\""));
    static SPACED_PAIR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\\": \\\""));
    static OPENS_QUOTED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"=\\\""));
    let mut out = Vec::new();
    if BREAK.find(data).is_none() && URL.find(data).is_none() && NAME.find(data).is_none() {
        return out;
    }
    // A file inside a string has two line breaks or more, and a line of it
    // assigns (`KEY=value`, `key: value`); a string ending in one line
    // break (`print("done\n")`, a notebook's source line) reads the same
    // escaped, and is not decoded again.
    let escaped = |text: &[u8]| {
        if URL.find(text).is_some() {
            return true;
        }
        // A JSON object inside a string literal (Java's
        // `"{\"awsSecretKey\":\"…\"}"`): its names and values stand in
        // escaped quotes.
        if PAIR.find(text).is_some() || SPACED_PAIR.find(text).is_some() {
            return true;
        }
        let breaks: Vec<usize> = BREAK.find_iter(text).take(64).collect();
        // One line break is enough when a value opens with an escaped
        // quote (`{".env": "API_KEY=\"...\"\nDEBUG=1"}`): the escape hides
        // the value from every rule until it is undone.
        if !breaks.is_empty() && OPENS_QUOTED.find(text).is_some() {
            return true;
        }
        breaks.len() >= 2
            && breaks.iter().any(|&at| {
                let entry = &text[at + 2..text.len().min(at + 2 + 80)];
                let entry = memchr::memchr(b'\\', entry).map_or(entry, |end| &entry[..end]);
                memchr::memchr2(b'=', b':', entry).is_some()
            })
    };
    let mut spent = 0;
    let mut offset = 0;
    for line in crate::delta::lines(data) {
        if spent >= budget {
            break;
        }
        if spent + line.len() <= budget && escaped(line) {
            let decoded = unescape(line);
            spent += decoded.len();
            out.push(Layer {
                offset,
                data: decoded,
                encoding: "escapes",
                replaces: false,
                line_offsets: Vec::new(),
            });
        }
        offset += line.len() + 1;
    }
    out
}

/// Byte ranges of the YAML documents of `data` (split at `---` lines).
fn yaml_documents(data: &[u8]) -> Vec<(usize, usize)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in crate::delta::lines(data) {
        let trimmed = line.strip_suffix(b"\r").unwrap_or(line);
        if trimmed.starts_with(b"---") && trimmed[3..].iter().all(u8::is_ascii_whitespace) {
            docs.push((start, offset));
            // A file may end in `---` without a line break.
            start = (offset + line.len() + 1).min(data.len());
        }
        offset += line.len() + 1;
    }
    docs.push((start, data.len().min(offset)));
    docs
}

/// Whether a YAML document declares `kind: <kind>` at its top level.
fn yaml_kind_is(doc: &[u8], kind: &[u8]) -> bool {
    crate::delta::lines(doc).any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.strip_prefix(b"kind:")
            .map(|rest| rest.trim_ascii().trim_ascii_start() == kind)
            .unwrap_or(false)
    })
}

/// Byte ranges of the Kubernetes `SealedSecret` documents of a YAML blob:
/// their `encryptedData` is ciphertext only the cluster can open, safe to
/// commit by design, so nothing in them is reported.
pub(crate) fn sealed_secret_ranges(data: &[u8]) -> Vec<(usize, usize)> {
    if memchr::memmem::find(data, b"SealedSecret").is_none() {
        return Vec::new();
    }
    yaml_documents(data)
        .into_iter()
        .filter(|&(s, e)| yaml_kind_is(&data[s..e], b"SealedSecret"))
        .collect()
}

/// Layers that give line-based rules a `NAME=value` line where the file's
/// own syntax puts the name and the value apart: the base64 `data:` values
/// of a Kubernetes `Secret` (decoded), an XML element whose value sits
/// between `<password>` and `</password>` (on its own line or not),
/// a Dockerfile's `ENV NAME value`, and a dotted property name in a setter
/// call or a properties file (`twilio.auth-token`) written as the
/// environment name (`TWILIO_AUTH_TOKEN=value`). At most `budget` bytes.
pub(crate) fn structure_layers(data: &[u8], path: &str, budget: usize) -> Vec<Layer> {
    let mut out = Vec::new();
    let mut spent = 0;
    let mut push = |out: &mut Vec<Layer>, offset: usize, data: Vec<u8>, encoding| {
        if spent < budget {
            spent += data.len();
            out.push(Layer {
                offset,
                data,
                encoding,
                replaces: encoding == "base64",
                line_offsets: Vec::new(),
            });
        }
    };
    // XML elements and Dockerfile lines go into one layer of `NAME=value`
    // lines, each mapped back to its place: one scan, however many.
    let mut lines = Layer {
        offset: 0,
        data: Vec::new(),
        encoding: "structure",
        replaces: false,
        line_offsets: Vec::new(),
    };
    let add_line = |lines: &mut Layer, offset: usize, parts: &[&[u8]]| {
        if lines.data.len() < budget {
            for part in parts {
                lines.data.extend_from_slice(part);
            }
            lines.data.push(b'\n');
            lines.line_offsets.push(offset);
        }
    };
    if memchr::memmem::find(data, b"kind:").is_some() {
        for (start, end) in yaml_documents(data) {
            if yaml_kind_is(&data[start..end], b"Secret") {
                for (offset, layer) in kubernetes_secret_data(&data[start..end]) {
                    push(&mut out, start + offset, layer, "base64");
                }
            }
        }
    }
    if memchr::memmem::find(data, b"</").is_some() {
        for caps in xml_element().captures_iter(data) {
            let (Some(open), Some(value), Some(close)) = (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            if open.as_bytes() != close.as_bytes() || value.len() > 200 {
                continue;
            }
            // The enclosing element names the provider where the element
            // itself does not (`<twilio><authToken>…`): one name, as with
            // nested YAML keys.
            match xml_parent(data, open.start().saturating_sub(1)) {
                Some(parent) => add_line(
                    &mut lines,
                    value.start(),
                    &[parent, b"_", open.as_bytes(), b"=", value.as_bytes()],
                ),
                None => add_line(
                    &mut lines,
                    value.start(),
                    &[open.as_bytes(), b"=", value.as_bytes()],
                ),
            }
        }
    }
    // An element that names its value in attributes, `<add
    // key="ClearTextPassword" value="…"/>` (NuGet feeds, .NET
    // `appSettings`) or `<property name="password" value="…"/>` (Spring).
    if memchr::memmem::find(data, b"value=").is_some() {
        for caps in xml_attribute_pair().captures_iter(data) {
            let (Some(key), Some(value)) = (
                caps.get(1).or_else(|| caps.get(4)),
                caps.get(2).or_else(|| caps.get(3)),
            ) else {
                continue;
            };
            add_line(
                &mut lines,
                value.start(),
                &[key.as_bytes(), b"=", value.as_bytes()],
            );
        }
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("containerfile")
    {
        let mut offset = 0;
        for line in crate::delta::lines(data) {
            if let Some(rest) = line.strip_prefix(b"ENV ").map(<[u8]>::trim_ascii)
                && let Some(space) = rest.iter().position(|&b| b == b' ' || b == b'\t')
                && !rest[..space].contains(&b'=')
            {
                let value = rest[space..].trim_ascii();
                add_line(&mut lines, offset, &[&rest[..space], b"=", value]);
            }
            offset += line.len() + 1;
        }
    }
    // Rails' master key file (`config/master.key`, and the per-environment
    // `config/credentials/production.key`): 32 hexadecimal digits alone,
    // read as the variable that holds it elsewhere.
    // The file name and size first: the path is rebuilt only for them.
    if name.ends_with(".key") && data.len() <= 64 && rails_key_file(path) {
        let key = data.trim_ascii();
        if key.len() == 32 && key.iter().all(u8::is_ascii_hexdigit) {
            let at = data.len() - data.trim_ascii_start().len();
            add_line(&mut lines, at, &[b"RAILS_MASTER_KEY=", key]);
        }
    }
    // A Terraform variable's default (`variable "db_password" {` … `default
    // = "…"`): the variable's name is on another line than its value.
    if name.ends_with(".tf") && memchr::memmem::find(data, b"variable").is_some() {
        for (name, value) in terraform_defaults(data) {
            add_line(
                &mut lines,
                value.0,
                &[&data[name.0..name.1], b"=", &data[value.0..value.1]],
            );
        }
    }
    // Nested YAML: a leaf whose provider or credential word is in a parent
    // key (`twilio:` / `auth:` / `token: value`, `stripe:` / `secret: value`)
    // as one environment name (`TWILIO_AUTH_TOKEN=value`).
    if crate::filters::is_yaml_path(&name) {
        for (path, value, at) in yaml_leaves(data) {
            add_line(&mut lines, at, &[&path, b"=", value]);
        }
    }
    // Dotted or dashed property names (`twilio.auth-token`) as environment
    // names (`TWILIO_AUTH_TOKEN`), so rules that know a provider's variable
    // read them: the name and literal of a setter call
    // (`System.setProperty("twilio.auth.token", "…")`), and the entries of
    // properties and ini-style files.
    let properties = [".properties", ".conf", ".cfg", ".ini"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let entry = |lines: &mut Layer, key: &[u8], value: &[u8], at: usize| {
        let env: Vec<u8> = key
            .iter()
            .map(|&b| match b {
                b'.' | b'-' => b'_',
                other => other.to_ascii_uppercase(),
            })
            .collect();
        add_line(lines, at, &[&env, b"=", value]);
    };
    if properties {
        for caps in property_entry().captures_iter(data) {
            if let (Some(key), Some(value)) = (caps.get(1), caps.get(2)) {
                entry(&mut lines, key.as_bytes(), value.as_bytes(), value.start());
            }
        }
    } else {
        for (key, value) in setter_calls(data) {
            entry(
                &mut lines,
                &data[key.0..key.1],
                &data[value.0..value.1],
                value.0,
            );
        }
    }
    // The literal a program falls back to where an environment variable
    // is unset (`process.env.JWT_SECRET || "…"`, `os.getenv("KEY", "…")`,
    // `${DB_PASSWORD:-…}`): committed, it is the credential wherever the
    // variable is missing, under the variable's name.
    // In JavaScript and its kin `${…}` interpolates a template literal:
    // no placeholder defaults there.
    let template_literals = [
        ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte",
    ]
    .iter()
    .any(|ext| name.ends_with(ext));
    for (key, value) in environment_defaults(data, !template_literals) {
        entry(
            &mut lines,
            &data[key.0..key.1],
            &data[value.0..value.1],
            value.0,
        );
    }
    // Command lines, where a flag and its value stand apart: `--api-key
    // <value>`, PowerShell's `-ApiKey <value>`, and Windows' `setx NAME
    // <value>`, in the files commands are written in.
    if command_file(&name) {
        for (key, value, at) in command_values(data) {
            entry(&mut lines, key, value, at);
        }
    }
    if !lines.data.is_empty() {
        out.push(lines);
    }
    out
}

/// Whether a `.key` file is where Rails keeps a master key:
/// `config/master.key`, or `config/credentials/<environment>.key`.
fn rails_key_file(path: &str) -> bool {
    let path = path.replace('\\', "/").to_ascii_lowercase();
    path == "config/master.key"
        || path.ends_with("/config/master.key")
        || path.contains("config/credentials/")
}

/// The name and the quoted default of each Terraform `variable` block,
/// as byte ranges: the block's `default = "…"` line, before the line that
/// closes it.
fn terraform_defaults(data: &[u8]) -> Vec<((usize, usize), (usize, usize))> {
    static BLOCK: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    static DEFAULT: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let block = BLOCK.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?m)^[ \t]*variable[ \t]+"([A-Za-z0-9_-]{1,100})"[ \t]*\{"#)
            .expect("valid pattern")
    });
    let default = DEFAULT.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?m)^[ \t]*default[ \t]*=[ \t]*"([^"\n]{1,200})""#)
            .expect("valid pattern")
    });
    let mut out = Vec::new();
    for caps in block.captures_iter(data) {
        let (Some(name), Some(whole)) = (caps.get(1), caps.get(0)) else {
            continue;
        };
        // The block ends at the first line that opens with `}`.
        let body_start = whole.end();
        let rest = &data[body_start..data.len().min(body_start + 4096)];
        let end = memchr::memmem::find(rest, b"\n}").map_or(rest.len(), |at| at + 1);
        if let Some(value) = default.captures(&rest[..end]).and_then(|c| c.get(1)) {
            out.push((
                (name.start(), name.end()),
                (body_start + value.start(), body_start + value.end()),
            ));
        }
    }
    out
}

/// The quoted dotted name and quoted literal of each setter call,
/// `setProperty("twilio.auth.token", "value")`, as byte ranges: calls of a
/// method whose name starts with `set` or `put`. Read by hand: a regex
/// without a literal to look for would try every `(` of a source file.
fn setter_calls(data: &[u8]) -> Vec<((usize, usize), (usize, usize))> {
    memchr::memchr_iter(b'(', data)
        .filter_map(|at| {
            let quote = *data.get(at + 1).filter(|&&b| b == b'"' || b == b'\'')?;
            // Only a setter: `setProperty(`, `setdefault(`, `config.set(`,
            // `put(`, `Setenv(`.
            let before = &data[at.saturating_sub(12)..at];
            let method = before
                .iter()
                .rposition(|&b| !b.is_ascii_alphanumeric())
                .map_or(before, |p| &before[p + 1..]);
            let setter = method.len() >= 3
                && (method[..3].eq_ignore_ascii_case(b"set")
                    || method[..3].eq_ignore_ascii_case(b"put"));
            if !setter {
                return None;
            }
            setter_call_at(data, at + 2, quote)
        })
        .collect()
}

fn setter_call_at(
    data: &[u8],
    start: usize,
    quote: u8,
) -> Option<((usize, usize), (usize, usize))> {
    let name_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let rest = data.get(start..)?;
    let len = rest.iter().take(128).position(|&b| !name_char(b))?;
    let name = &rest[..len];
    if rest.get(len) != Some(&quote)
        || !name.first()?.is_ascii_alphabetic()
        || !name.iter().any(|&b| b == b'.' || b == b'-')
    {
        return None;
    }
    let mut i = start + len + 1;
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    while data.get(i).is_some_and(blank) {
        i += 1;
    }
    if data.get(i) != Some(&b',') {
        return None;
    }
    i += 1;
    while data.get(i).is_some_and(blank) {
        i += 1;
    }
    let value_quote = *data.get(i).filter(|&&b| b == b'"' || b == b'\'')?;
    let value_start = i + 1;
    let value = data.get(value_start..)?;
    let value_len = value
        .iter()
        .take(201)
        .position(|&b| b == value_quote || b.is_ascii_whitespace() || b == b'\\')?;
    if value.get(value_len) != Some(&value_quote) || !(8..=200).contains(&value_len) {
        return None;
    }
    Some(((start, start + len), (value_start, value_start + value_len)))
}

/// An environment variable read with a literal to fall back to: (the
/// variable's name, the literal), as byte ranges, where the name names a
/// credential.
///
/// - a call that takes the name and a default: `os.getenv("K", "v")`,
///   `os.environ.get`, `getEnv` and `Getenv` helpers, Ruby's
///   `ENV.fetch("K", "v")`, Laravel's `env('K', 'v')`, python-decouple's
///   `config("K", default="v")`, Java's `getOrDefault("K", "v")`;
/// - a read followed by a fallback operator (`||`, `??`, `or`, `?:`):
///   `process.env.K`, `process.env["K"]`, `import.meta.env.K`, Deno's
///   `Deno.env.get("K")`, Ruby's `ENV["K"]`, and the calls above with the
///   name alone;
/// - with `placeholders`, a placeholder with a default: Spring's `${K:v}`,
///   the shell's and Compose's `${K:-v}` (not `${K:?message}`, an error,
///   nor `${K:+v}`, a substitution where the variable is set).
fn environment_defaults(data: &[u8], placeholders: bool) -> Vec<((usize, usize), (usize, usize))> {
    static CODE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    static PLACEHOLDER: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let mut out = Vec::new();
    let credential = |name: regex::bytes::Match<'_>, value: regex::bytes::Match<'_>| {
        // Only a credential's name makes the literal one (`PORT`'s default
        // is a port).
        names_credential(name.as_bytes())
            .then_some(((name.start(), name.end()), (value.start(), value.end())))
    };
    let reads = [&b"env"[..], b"ENV", b"Env", b"config("]
        .iter()
        .any(|anchor| memchr::memmem::find(data, anchor).is_some());
    if reads {
        let code = CODE.get_or_init(|| {
            // The name, quoted, as a call's first argument.
            let call = r#"(?:\b(?:[Gg]et[Ee]nv|environ\.get|env\.get|ENV\.fetch|env(?:\.str)?|config|getOrDefault|GetEnvironmentVariable|[Ee]nv[Oo]r(?:[Dd]efault)?|get[Ee]nv[Oo]r(?:[Dd]efault)?))\([\x20\t]*["'`]([A-Za-z_][A-Za-z0-9_.-]{1,100})["'`][\x20\t]*"#;
            let literal = r#"(?:"([^"\\\n]{1,200})"|'([^'\\\n]{1,200})'|`([^`\\\n$]{1,200})`)"#;
            let read = r#"(?:(?:process\.env|import\.meta\.env)\.([A-Za-z_][A-Za-z0-9_]{1,100})|(?:process\.env|ENV|os\.environ)\[[\x20\t]*["']([A-Za-z_][A-Za-z0-9_.-]{1,100})["'][\x20\t]*\])"#;
            let fallback = r#"[\x20\t]*(?:\|\||\?\?|\bor\b|\?:)[\x20\t]*"#;
            regex::bytes::Regex::new(&format!(
                r#"(?m-u){call},[\x20\t]*(?:default[\x20\t]*=[\x20\t]*)?{literal}|{call}\){fallback}{literal}|{read}{fallback}{literal}"#
            ))
            .expect("the environment default pattern compiles")
        });
        // Groups: 1-4 a call with a default, 5-8 a call then a fallback,
        // 9-13 a read then a fallback.
        out.extend(code.captures_iter(data).filter_map(|caps| {
            let name = [1, 5, 9, 10].into_iter().find_map(|i| caps.get(i))?;
            let value = [2, 3, 4, 6, 7, 8, 11, 12, 13]
                .into_iter()
                .find_map(|i| caps.get(i))?;
            credential(name, value)
        }));
    }
    if placeholders && memchr::memmem::find(data, b"${").is_some() {
        let placeholder = PLACEHOLDER.get_or_init(|| {
            regex::bytes::Regex::new(
                r#"(?-u)\$\{([A-Za-z_][A-Za-z0-9_.-]{0,100}):-?([^\s}"'?:$+=][^\s}"'$]{0,199})\}"#,
            )
            .expect("the placeholder default pattern compiles")
        });
        out.extend(
            placeholder
                .captures_iter(data)
                .filter_map(|caps| credential(caps.get(1)?, caps.get(2)?)),
        );
    }
    out
}

/// Words one of which a name holds when it names a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "auth",
    "credential",
];

fn names_credential(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    CREDENTIAL_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
}

/// Files that hold command lines: scripts, CI and build files, and
/// documentation (whose code blocks are commands to copy).
fn command_file(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".sh",
        ".bash",
        ".zsh",
        ".ksh",
        ".fish",
        ".ps1",
        ".psm1",
        ".bat",
        ".cmd",
        ".yml",
        ".yaml",
        ".md",
        ".markdown",
        ".mdx",
        ".rst",
        ".txt",
        ".adoc",
        ".mk",
    ];
    const NAMES: &[&str] = &[
        "makefile",
        "gnumakefile",
        "jenkinsfile",
        "procfile",
        "justfile",
    ];
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
        || NAMES.contains(&name)
        || name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
}

/// A command-line option and the value after it, or `setx NAME value`.
fn command_option() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?m-u)(?:^|[\x20\t(\[])(?:--?|(?i:setx)[\x20\t]+)([A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)*)[\x20\t]+(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([^\s"'`|;&<>()\\-][^\s"'`|;&<>()\\]{0,199}))"#,
        )
        .expect("the command option pattern compiles")
    })
}

/// Whether an option's name ends in a credential word (`--api-key`,
/// `-ApiToken`, `--password`, openssl's `-passin`): the word it ends in
/// says what its value is, so `--password-stdin` (a switch, followed by
/// another argument) and `--token-file` (a path) are not.
fn option_names_credential(name: &[u8]) -> bool {
    const ENDINGS: &[&[u8]] = &[
        b"key",
        b"token",
        b"secret",
        b"password",
        b"passwd",
        b"pass",
        b"pwd",
        b"auth",
        b"credential",
        b"credentials",
        b"passphrase",
        b"passin",
        b"passout",
    ];
    crate::filters::name_words(&String::from_utf8_lossy(name))
        .last()
        .is_some_and(|last| ENDINGS.iter().any(|e| last.as_bytes().ends_with(e)))
}

/// The options of command lines whose name ends in a credential word,
/// with their values: (name, value, the value's offset). A value that
/// points elsewhere (openssl's `env:NAME`, `file:path`, `fd:3`) is not
/// one; openssl's `pass:` prefix is not part of the value.
fn command_values(data: &[u8]) -> Vec<(&[u8], &[u8], usize)> {
    if memchr::memchr(b'-', data).is_none() && memchr::memmem::find(data, b"setx").is_none() {
        return Vec::new();
    }
    command_option()
        .captures_iter(data)
        .filter_map(|caps| {
            let name = caps.get(1)?.as_bytes();
            let value = caps
                .get(2)
                .or_else(|| caps.get(3))
                .or_else(|| caps.get(4))?;
            let (mut text, mut at) = (value.as_bytes(), value.start());
            if [&b"env:"[..], b"file:", b"fd:"]
                .iter()
                .any(|p| text.starts_with(p))
            {
                return None;
            }
            if let Some(rest) = text.strip_prefix(b"pass:") {
                (text, at) = (rest, at + 5);
            }
            option_names_credential(name).then_some((name, text, at))
        })
        .collect()
}

/// An entry of a properties or ini-style file with a dotted or dashed
/// name: `twilio.auth-token = value`.
fn property_entry() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?im-u)^[\x20\t]*([a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)+)[\x20\t]*[=:][\x20\t]*["']?([^"'\s\\]{8,200})"#,
        )
        .expect("the property pattern compiles")
    })
}

/// `<name>value</name>` with a credential-like name, the value alone or
/// on its own line.
/// Leaves of nested YAML mappings under at least one parent key, the leaf
/// or its parent holding a credential word: (the path as an environment name, the value
/// without quotes, the value's offset). Block scalars, anchors, aliases,
/// flow collections and list items are left out, and so is a path whose
/// words name no credential (`image:` / `tag: 1.2.3`).
fn yaml_leaves(data: &[u8]) -> Vec<(Vec<u8>, &[u8], usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &[u8])> = Vec::new();
    let all: Vec<&[u8]> = crate::delta::lines(data).collect();
    for (n, &line) in all.iter().enumerate() {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let body = line[indent..].trim_ascii_end();
        if body.is_empty() || body.starts_with(b"#") || body.starts_with(b"-") {
            continue;
        }
        let Some(colon) = body.iter().position(|&b| b == b':') else {
            continue;
        };
        let key = body[..colon].trim_ascii();
        if key.is_empty()
            || !key
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            continue;
        }
        while stack.last().is_some_and(|&(i, _)| i >= indent) {
            stack.pop();
        }
        let rest = body[colon + 1..].trim_ascii();
        if rest.is_empty() {
            if stack.len() < 8 {
                stack.push((indent, key));
            }
            continue;
        }
        // A block scalar of one line (`token: >-` / `  <value>`) is that
        // line's value, at the top level too: no line holds both.
        let block = block_scalar_line(&all[n + 1..], indent, rest);
        if block.is_none()
            && (stack.is_empty() || rest.len() > 200 || b"|>&*{[#".contains(&rest[0]))
        {
            continue;
        }
        let value = match (block, rest) {
            (Some(value), _) => value,
            (None, [q @ (b'"' | b'\''), inner @ .., last]) if last == q => inner,
            (None, other) => other,
        };
        // The credential word is the leaf's or its parent's: a key further
        // up names a section (`jobs:` / `detect-secrets:` / `steps:` /
        // `uses: actions/checkout@v4`), not what the leaf holds. An
        // action or workflow reference (`uses:`) never is a credential.
        let parent = stack.last().map_or(&b""[..], |&(_, k)| k);
        let near = [parent, key].concat().to_ascii_lowercase();
        if key == b"uses" || !names_credential(&near) {
            continue;
        }
        let mut path: Vec<u8> = Vec::new();
        for part in stack.iter().map(|&(_, k)| k).chain([key]) {
            if !path.is_empty() {
                path.push(b'_');
            }
            path.extend(part.iter().map(|&b| match b {
                b'.' | b'-' => b'_',
                other => other.to_ascii_uppercase(),
            }));
        }
        // The value is a part of `data`: its offset is its distance.
        let at = value.as_ptr() as usize - data.as_ptr() as usize;
        out.push((path, value, at));
    }
    out
}

/// The one line of a block scalar (`|`, `>-`, `|+2`) opened by a key at
/// `indent`, trimmed: `None` for anything else, or a block of more lines
/// (a PEM key's are read by their own rules).
fn block_scalar_line<'a>(after: &[&'a [u8]], indent: usize, rest: &[u8]) -> Option<&'a [u8]> {
    let indicator = matches!(rest.first(), Some(b'|' | b'>'))
        && rest.len() <= 3
        && rest[1..]
            .iter()
            .all(|&b| matches!(b, b'-' | b'+') || b.is_ascii_digit());
    if !indicator {
        return None;
    }
    let mut body = after
        .iter()
        .take_while(|l| {
            l.trim_ascii().is_empty() || l.iter().take_while(|&&b| b == b' ').count() > indent
        })
        .filter(|l| !l.trim_ascii().is_empty());
    let first = body.next()?;
    (body.next().is_none()).then(|| first.trim_ascii())
}

/// The innermost element still open at `at` (the `<` of a child), read
/// from at most the 4 KiB before it; `None` at the top level.
fn xml_parent(data: &[u8], at: usize) -> Option<&[u8]> {
    static TAG: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let tag = TAG.get_or_init(|| {
        regex::bytes::Regex::new(r"(?-u)<(/?)([A-Za-z_][A-Za-z0-9_.:-]*)[^<>]*?(/?)>")
            .expect("the XML tag pattern compiles")
    });
    let start = at.saturating_sub(4096);
    let mut open: Vec<&[u8]> = Vec::new();
    for caps in tag.captures_iter(data.get(start..at)?) {
        let (Some(closing), Some(name), Some(empty)) = (caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        if !empty.is_empty() {
            continue;
        }
        if closing.is_empty() {
            open.push(name.as_bytes());
        } else if let Some(i) = open.iter().rposition(|n| *n == name.as_bytes()) {
            open.truncate(i);
        }
    }
    open.pop()
}

fn xml_element() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(
            r"(?i-u)<([a-z0-9_.:-]*(?:password|passwd|pwd|secret|token|key|credential)[a-z0-9_.:-]*)>[\x20\t]*\r?\n?[\x20\t]*([^<\s]+)[\x20\t]*\r?\n?[\x20\t]*</([a-z0-9_.:-]+)>",
        )
        .expect("the XML element pattern compiles")
    })
}

/// An XML element's `key` or `name` attribute holding a credential word
/// and its `value` attribute, in either order: groups 1 and 2 when the
/// name comes first, 3 and 4 (value, then name) when it follows.
fn xml_attribute_pair() -> &'static regex::bytes::Regex {
    static RE: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let name = r#"(?:key|name)[\x20\t]*=[\x20\t]*["']([a-z0-9_.:-]*(?:password|passwd|pwd|secret|token|key|credential)[a-z0-9_.:-]*)["']"#;
        let value = r#"value[\x20\t]*=[\x20\t]*["']([^"'<>\s]{1,200})["']"#;
        regex::bytes::Regex::new(&format!(
            r"(?i-u)<[a-z0-9_.:-]+\s(?:[^<>]*?\s)?(?:{name}[^<>]*?\s{value}|{value}[^<>]*?\s{name})"
        ))
        .expect("the XML attribute pattern compiles")
    })
}

/// The `NAME: base64` entries under `data:` in a `Secret` document,
/// decoded when they are text: (offset in the document, `NAME=value\n`).
fn kubernetes_secret_data(doc: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    let mut in_data = false;
    let mut offset = 0;
    for line in crate::delta::lines(doc) {
        let here = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let indented = line.first().is_some_and(|&b| b == b' ' || b == b'\t');
        if !indented {
            in_data = line.trim_ascii_end() == b"data:";
            continue;
        }
        if !in_data {
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let key = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        let value = value
            .strip_prefix(b"\"")
            .and_then(|v| v.strip_suffix(b"\""))
            .unwrap_or(value);
        if key.is_empty() || value.is_empty() {
            continue;
        }
        let Ok(text) = std::str::from_utf8(value) else {
            continue;
        };
        if let Some(decoded) = base64_decode(text)
            && mostly_text(&decoded)
        {
            let decoded = decoded.trim_ascii();
            out.push((here, [key, b"=", decoded, b"\n"].concat()));
        }
    }
    out
}

/// The value of a hexadecimal digit, in either case.
pub(crate) const fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'%'
            && i + 2 < line.len()
            && let (Some(h), Some(l)) = (hex(line[i + 1]), hex(line[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(line[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in ["", "a", "ab", "abc", "abcd", "hello world!"] {
            assert_eq!(
                base64_decode(&base64_encode(text.as_bytes())).unwrap(),
                text.as_bytes()
            );
            assert_eq!(
                base64url_decode(&base64url_encode(text.as_bytes())).unwrap(),
                text.as_bytes()
            );
        }
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn escapes_and_structures() {
        assert_eq!(unescape(br#"a\nb\r\n\"c\"\/d\x"#), b"a\nb\r\n\"c\"/d\\x");
        let found = escape_layers(b"x = 1\n{\"f\": \"A=1\\nB=2\\n\"}\n", 1 << 20);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 6);
        assert_eq!(found[0].data, b"{\"f\": \"A=1\nB=2\n\"}");
        // One trailing line break is a message, not a file.
        assert!(escape_layers(b"print(\"a=1\\n\")\n", 1 << 20).is_empty());
        assert_eq!(
            escape_layers(b"u = \"https:\\/\\/x.test\"", 1 << 20).len(),
            1
        );
        let yaml =
            b"kind: SealedSecret\nspec: {}\n---\nkind: Secret\ndata:\n  K: dmFsdWUtb25lLXR3bw==\n";
        assert_eq!(sealed_secret_ranges(yaml), [(0, 28)]);
        let layers = structure_layers(yaml, "k8s/all.yaml", 1 << 20);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].data, b"K=value-one-two\n");
        // A stream that ends in `---` without a line break.
        let trailing = b"kind: Secret\ndata:\n  K: dmFsdWUtb25lLXR3bw==\n---";
        assert_eq!(
            yaml_documents(trailing),
            [(0, 45), (trailing.len(), trailing.len())]
        );
        let layers = structure_layers(trailing, "k8s/secret.yaml", 1 << 20);
        assert_eq!(layers[0].data, b"K=value-one-two\n");
        assert!(sealed_secret_ranges(b"kind: SealedSecret\n---").len() <= 2);
        let xml = b"<a>\n  <apiKey>\n    v4lue\n  </apiKey>\n  <name>x</name>\n</a>\n";
        let layers = structure_layers(xml, "conf.xml", 1 << 20);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].data, b"a_apiKey=v4lue\n");
        let nested = b"<?xml version=\"1.0\"?>\n<config>\n  <twilio region=\"us\">\n    <sid/>\n    <authToken>v4lue</authToken>\n  </twilio>\n  <stripe></stripe>\n  <secretKey>k3y</secretKey>\n</config>\n<apiKey>t0p</apiKey>\n";
        let layers = structure_layers(nested, "conf.xml", 1 << 20);
        assert_eq!(
            layers[0].data,
            b"twilio_authToken=v4lue\nconfig_secretKey=k3y\napiKey=t0p\n"
        );
        let docker = b"ENV A_TOKEN v4lue\nENV B=c\n";
        let layers = structure_layers(docker, "Dockerfile", 1 << 20);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].data, b"A_TOKEN=v4lue\n");
        assert!(structure_layers(docker, "notes.txt", 1 << 20).is_empty());
        let java = b"System.setProperty(\"acme.api-token\", \"v4lue-v4lue\");\nf(\"a.b\", x);\n";
        let layers = structure_layers(java, "App.java", 1 << 20);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].data, b"ACME_API_TOKEN=v4lue-v4lue\n");
        let props = b"# db\nacme.api-token = v4lue-v4lue\nserver.port=8080\nplain=v4lue-v4lue\n";
        let layers = structure_layers(props, "src/main/resources/application.properties", 1 << 20);
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].data, b"ACME_API_TOKEN=v4lue-v4lue\n");
        assert!(structure_layers(props, "notes.txt", 1 << 20).is_empty());
    }

    #[test]
    fn command_options_and_block_scalars_read_as_assignments() {
        let script = b"mytool --api-key v4lue-v4lue --verbose\n\
            Connect-Acme -ApiToken 'v4lue v4lue'\n\
            setx ACME_SECRET \"v4lue-v4lue\"\n\
            docker login --password-stdin 123456789012.dkr.ecr.acme.test\n\
            mytool --token-file /run/secrets/token --auth-type bearer\n\
            openssl pkcs12 -export -password env:CERT_PASS -passin pass:v4lue-v4lue\n\
            pass the --token flag; re-authenticate later\n";
        let layers = structure_layers(script, "deploy.sh", 1 << 20);
        assert_eq!(layers.len(), 1);
        // Every option whose name ends in a credential word, with the
        // value that follows: the rules' filters judge the values (`flag`
        // is a word). A switch (`--password-stdin`) and a path's option
        // (`--token-file`) are not read, nor is a value that points
        // elsewhere (`env:CERT_PASS`).
        assert_eq!(
            String::from_utf8_lossy(&layers[0].data),
            "API_KEY=v4lue-v4lue\nAPITOKEN=v4lue v4lue\nACME_SECRET=v4lue-v4lue\n\
             PASSIN=v4lue-v4lue\nTOKEN=flag\n"
        );
        // Only in files that hold commands.
        assert!(structure_layers(script, "main.c", 1 << 20).is_empty());
        let yaml = b"acme_token: >-\n  v4lue-v4lue\nnotes: |\n  v4lue-v4lue\n\
            db:\n  password: |\n    line-one\n    line-two\nauth_key: |+\n\n  k3y-k3y-k3y\nnext: 1\n";
        let layers = structure_layers(yaml, "values.yaml", 1 << 20);
        assert_eq!(layers.len(), 1);
        // One line of a block under a credential name, at any level; a
        // block of two lines and a name of no credential are left out.
        assert_eq!(
            String::from_utf8_lossy(&layers[0].data),
            "ACME_TOKEN=v4lue-v4lue\nAUTH_KEY=k3y-k3y-k3y\n"
        );
        let at = layers[0].line_offsets[0];
        assert_eq!(&yaml[at..at + 11], b"v4lue-v4lue");
    }

    #[test]
    fn finds_layers() {
        let inner = base64_encode(b"password = \"Hunter2Hunter2!\"\n");
        let blob = format!("data: {inner}\nurl=https://x.test/?a=%41%42%43\n");
        let found = layers(blob.as_bytes(), 20, 1 << 20);
        assert_eq!(found.len(), 2);
        assert!(found[0].data.starts_with(b"password"));
        assert_eq!(found[1].encoding, "percent");
        assert!(found[1].data.ends_with(b"a=ABC"));
        // A hex hash and a plain identifier are not layers.
        assert!(layers(b"sha 0123456789abcdef0123456789abcdef01234567", 20, 1 << 20).is_empty());
    }

    #[test]
    fn a_json_web_tokens_parts_are_not_layers() {
        let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims =
            base64url_encode(br#"{"api_key":"k29vLq81rPzTr0ub4dor3xK9Qm","tenant":"acme"}"#);
        let jwt = format!("{header}.{claims}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU");
        let line = format!("DATABASE_URL=\"prisma+postgres://db.acme.test/?api_key={jwt}\"\n");
        assert!(layers(line.as_bytes(), 20, 1 << 20).is_empty());
        // The same claims, encoded on their own, are a layer.
        let line = format!("CONFIG={claims}\n");
        let found = layers(line.as_bytes(), 20, 1 << 20);
        assert_eq!(found.len(), 1);
        assert!(found[0].data.starts_with(b"{\"api_key\""));
        // So is a run that only follows a dot (`v1.<base64>`).
        let line = format!("KEY=v1.{claims}\n");
        assert_eq!(layers(line.as_bytes(), 20, 1 << 20).len(), 1);
    }

    /// The runs a byte-by-byte scan finds: every maximal run of base64
    /// bytes at least `min_len` long with upper- and lower-case letters.
    fn runs_by_bytes(data: &[u8], min_len: usize) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let start = i;
            while i < data.len() && B64_CLASS[usize::from(data[i])] != 0 {
                i += 1;
            }
            let classes = data[start..i]
                .iter()
                .fold(0, |acc, &b| acc | B64_CLASS[usize::from(b)]);
            if i - start >= min_len && classes & 6 == 6 {
                runs.push((start, i));
            }
            i += 1;
        }
        runs
    }

    #[test]
    fn skipping_scan_finds_the_runs_a_byte_scan_finds() {
        // Every run of these texts decodes to printable text, so each run
        // the byte scan finds must come back as a layer.
        let words = [
            base64_encode(b"token = abcdefghijkl"),
            base64_encode(b"user:Secret-Value-1"),
            "short".to_owned(),
            "Mixed_Case_identifier_x".to_owned(),
            "==".to_owned(),
            " ".to_owned(),
            "\n".to_owned(),
            ";".to_owned(),
        ];
        let mut seed = 0x2545_f491_u64;
        let mut layers_seen = 0;
        for round in 0..400 {
            let mut text = String::new();
            for _ in 0..(round % 40) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(&words[(seed >> 33) as usize % words.len()]);
            }
            for min_len in [1, 4, 20] {
                let expected: Vec<usize> = runs_by_bytes(text.as_bytes(), min_len)
                    .into_iter()
                    .filter(|&(s, e)| {
                        base64_decode(&text[s..e]).is_some_and(|d| d.len() >= 12 && mostly_text(&d))
                    })
                    .map(|(s, _)| s)
                    .collect();
                let found: Vec<usize> = layers(text.as_bytes(), min_len, 1 << 20)
                    .into_iter()
                    .filter(|l| l.encoding == "base64")
                    .map(|l| l.offset)
                    .collect();
                assert_eq!(found, expected, "{text:?} min {min_len}");
                layers_seen += found.len();
            }
        }
        assert!(layers_seen > 1000, "the texts hold layers: {layers_seen}");
    }
}

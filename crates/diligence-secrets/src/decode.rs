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
}

fn mostly_text(data: &[u8]) -> bool {
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
    let mut i = 0;
    while i < data.len() && spent < budget {
        if B64_CLASS[usize::from(data[i])] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut classes = 0;
        while i < data.len() {
            let class = B64_CLASS[usize::from(data[i])];
            if class == 0 {
                break;
            }
            classes |= class;
            i += 1;
        }
        let mut end = i;
        while end < data.len() && data[end] == b'=' && end - i < 2 {
            end += 1;
        }
        let run = &data[start..i];
        // Require a mix of classes: identifiers and hex hashes are not base64 layers.
        if run.len() >= min_len
            && classes & 6 == 6
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
            });
        }
        i = end.max(i);
    }
    // Percent-encoding: decode each line holding at least two escapes.
    if memchr::memchr(b'%', data).is_some() {
        let mut offset = 0;
        for line in data.split(|&b| b == b'\n') {
            if spent >= budget {
                break;
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
                });
            }
            offset += line.len() + 1;
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
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
}

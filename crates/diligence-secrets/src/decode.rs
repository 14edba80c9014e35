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

//! Text inside archives: zip members (also jar, war, apk, docx and other
//! zip containers), gzip streams and tar members, expanded under a budget.
//!
//! A blob of a few kilobytes can claim gigabytes (a zip bomb), so every
//! expansion draws on one [`Budget`] per blob: decompressed bytes and
//! members. Inflating is linear in its output, so the byte budget bounds
//! time as well as memory. When the budget runs out the expansion stops,
//! keeps what it has, and says it was truncated.

use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// Nesting allowed below the outer archive (a `.tar` inside a `.gz`, a
/// `.jar` inside a `.zip`).
const MAX_DEPTH: usize = 2;

/// What an expansion may still spend.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Decompressed bytes left.
    pub(crate) bytes: usize,
    /// Members left.
    pub(crate) members: usize,
}

/// One expanded member: its name inside the archive (`dir/file`, nested
/// archives joined with `!`) and its content.
#[derive(Debug)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) data: Vec<u8>,
}

/// The members of an archive and whether the budget cut the expansion short.
#[derive(Debug, Default)]
pub(crate) struct Expansion {
    pub(crate) members: Vec<Member>,
    pub(crate) truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Gzip,
    Tar,
}

fn kind(data: &[u8]) -> Option<Kind> {
    if data.starts_with(b"PK\x03\x04") {
        Some(Kind::Zip)
    } else if data.starts_with(&[0x1f, 0x8b, 0x08]) {
        Some(Kind::Gzip)
    } else if data.len() >= 512 && &data[257..262] == b"ustar" {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// Whether `data` starts like an archive this module expands.
pub(crate) fn is_archive(data: &[u8]) -> bool {
    kind(data).is_some()
}

/// Expands `data`; `name` is the archive's own file name, used to name a
/// gzip stream that carries no name of its own.
pub(crate) fn expand(data: &[u8], name: &str, budget: &mut Budget) -> Expansion {
    let mut out = Expansion::default();
    expand_into(data, name, budget, 0, "", &mut out);
    out
}

fn expand_into(
    data: &[u8],
    name: &str,
    budget: &mut Budget,
    depth: usize,
    prefix: &str,
    out: &mut Expansion,
) {
    let members = match kind(data) {
        Some(Kind::Zip) => zip_members(data, budget, &mut out.truncated),
        Some(Kind::Gzip) => gzip_member(data, name, budget, &mut out.truncated)
            .into_iter()
            .collect(),
        Some(Kind::Tar) => tar_members(data, budget, &mut out.truncated),
        None => Vec::new(),
    };
    for member in members {
        let full = if prefix.is_empty() {
            member.name
        } else {
            format!("{prefix}!{}", member.name)
        };
        if depth < MAX_DEPTH && is_archive(&member.data) {
            // A gzip stream holding a tar reads as one archive: name the
            // tar's members directly, not `x.tar.gz!x.tar!member`.
            let nested_prefix = if kind(data) == Some(Kind::Gzip) {
                prefix.to_owned()
            } else {
                full.clone()
            };
            expand_into(&member.data, &full, budget, depth + 1, &nested_prefix, out);
        } else {
            out.members.push(Member {
                name: full,
                data: member.data,
            });
        }
    }
}

/// Takes one member from the budget; `false` (and truncated) when none is left.
fn take_member(budget: &mut Budget, truncated: &mut bool) -> bool {
    if budget.members == 0 {
        *truncated = true;
        return false;
    }
    budget.members -= 1;
    true
}

/// Inflates raw deflate data within the byte budget.
fn inflate(input: &[u8], budget: &mut Budget, truncated: &mut bool) -> Option<Vec<u8>> {
    if budget.bytes == 0 {
        *truncated = true;
        return None;
    }
    let data = match decompress_to_vec_with_limit(input, budget.bytes) {
        Ok(data) => data,
        Err(error) => {
            if error.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                // Over budget: keep the prefix, scan nothing after it.
                *truncated = true;
                budget.bytes = 0;
                return Some(error.output);
            }
            return None;
        }
    };
    budget.bytes -= data.len();
    Some(data)
}

/// Copies stored bytes within the byte budget.
fn stored(input: &[u8], budget: &mut Budget, truncated: &mut bool) -> Vec<u8> {
    let n = input.len().min(budget.bytes);
    if n < input.len() {
        *truncated = true;
    }
    budget.bytes -= n;
    input[..n].to_vec()
}

fn u16_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 4)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// Members of a zip file, read through its central directory.
fn zip_members(data: &[u8], budget: &mut Budget, truncated: &mut bool) -> Vec<Member> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CENTRAL: &[u8] = b"PK\x01\x02";
    const LOCAL: &[u8] = b"PK\x03\x04";
    let mut out = Vec::new();
    // The end record sits in the last 22 bytes plus a comment of up to 64 KiB.
    let tail_start = data.len().saturating_sub(22 + 0xffff);
    let Some(eocd) = memchr::memmem::rfind(&data[tail_start..], EOCD).map(|p| tail_start + p)
    else {
        return out;
    };
    let (Some(count), Some(mut at)) = (u16_at(data, eocd + 10), u32_at(data, eocd + 16)) else {
        return out;
    };
    for _ in 0..count {
        if data.get(at..at + 4) != Some(CENTRAL) {
            break;
        }
        let (Some(flags), Some(method), Some(size), Some(name_len), Some(extra), Some(comment)) = (
            u16_at(data, at + 8),
            u16_at(data, at + 10),
            u32_at(data, at + 20),
            u16_at(data, at + 28),
            u16_at(data, at + 30),
            u16_at(data, at + 32),
        ) else {
            break;
        };
        let Some(local) = u32_at(data, at + 42) else {
            break;
        };
        let name = data
            .get(at + 46..at + 46 + name_len)
            .map(|n| String::from_utf8_lossy(n).into_owned());
        at += 46 + name_len + extra + comment;
        let Some(name) = name else { break };
        // Directories, encrypted entries and methods other than stored and
        // deflate (and zip64 sizes) hold nothing this scan can read.
        if name.ends_with('/') || flags & 1 == 1 || !(method == 0 || method == 8) {
            continue;
        }
        if data.get(local..local + 4) != Some(LOCAL) {
            continue;
        }
        let (Some(local_name), Some(local_extra)) =
            (u16_at(data, local + 26), u16_at(data, local + 28))
        else {
            continue;
        };
        let start = local + 30 + local_name + local_extra;
        let Some(body) = data.get(start..start.saturating_add(size)) else {
            continue;
        };
        if !take_member(budget, truncated) {
            break;
        }
        let content = if method == 0 {
            Some(stored(body, budget, truncated))
        } else {
            inflate(body, budget, truncated)
        };
        if let Some(content) = content {
            out.push(Member {
                name,
                data: content,
            });
        }
        if budget.bytes == 0 {
            break;
        }
    }
    out
}

/// The one stream of a gzip file, named by its header or after the file.
fn gzip_member(
    data: &[u8],
    name: &str,
    budget: &mut Budget,
    truncated: &mut bool,
) -> Option<Member> {
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    const FHCRC: u8 = 2;
    let flags = *data.get(3)?;
    let mut at = 10;
    if flags & FEXTRA != 0 {
        at += 2 + u16_at(data, at)?;
    }
    let mut stored_name = None;
    if flags & FNAME != 0 {
        let end = at + memchr::memchr(0, data.get(at..)?)?;
        stored_name = Some(String::from_utf8_lossy(&data[at..end]).into_owned());
        at = end + 1;
    }
    if flags & FCOMMENT != 0 {
        at += memchr::memchr(0, data.get(at..)?)? + 1;
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if !take_member(budget, truncated) {
        return None;
    }
    let content = inflate(data.get(at..)?, budget, truncated)?;
    let base = name.rsplit('/').next().unwrap_or(name);
    let name = stored_name.unwrap_or_else(|| {
        if let Some(stem) = base.strip_suffix(".tgz") {
            format!("{stem}.tar")
        } else {
            base.strip_suffix(".gz").unwrap_or(base).to_owned()
        }
    });
    Some(Member {
        name,
        data: content,
    })
}

/// Regular files of a tar archive (ustar and GNU headers).
fn tar_members(data: &[u8], budget: &mut Budget, truncated: &mut bool) -> Vec<Member> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(header) = data.get(at..at + 512) {
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let field = |range: std::ops::Range<usize>| {
            let f = &header[range];
            let end = memchr::memchr(0, f).unwrap_or(f.len());
            &f[..end]
        };
        let size = std::str::from_utf8(field(124..136))
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 8).ok());
        let Some(size) = size else { break };
        let kind = header[156];
        let start = at + 512;
        at = start.saturating_add(size.div_ceil(512).saturating_mul(512));
        if !(kind == b'0' || kind == 0) {
            continue;
        }
        let prefix = field(345..500);
        let name = field(0..100);
        let name = if prefix.is_empty() {
            String::from_utf8_lossy(name).into_owned()
        } else {
            format!(
                "{}/{}",
                String::from_utf8_lossy(prefix),
                String::from_utf8_lossy(name)
            )
        };
        let Some(body) = data.get(start..start.saturating_add(size)) else {
            break;
        };
        if !take_member(budget, truncated) {
            break;
        }
        out.push(Member {
            name,
            data: stored(body, budget, truncated),
        });
        if budget.bytes == 0 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget() -> Budget {
        Budget {
            bytes: 1 << 20,
            members: 100,
        }
    }

    #[test]
    fn plain_text_is_no_archive() {
        assert!(!is_archive(b"hello"));
        assert!(expand(b"hello", "a.txt", &mut budget()).members.is_empty());
    }

    #[test]
    fn truncated_input_never_panics() {
        for cut in [4, 10, 30, 100] {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.resize(cut, 0xff);
            let _ = expand(&zip, "a.zip", &mut budget());
            let mut gz = vec![0x1f, 0x8b, 0x08, 0xff];
            gz.resize(cut, 0xff);
            let _ = expand(&gz, "a.gz", &mut budget());
        }
    }
}

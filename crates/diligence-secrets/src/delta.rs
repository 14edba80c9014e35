//! What a version of a file added to the version it replaced.
//!
//! A history blob that edits an earlier blob at the same path shares most
//! of its lines with it, and those lines were scanned when the earlier blob
//! was (or an earlier one still: the base of every edited blob comes first
//! in the walk). Scanning only the lines the base did not hold, with the
//! lines around them for the rules that read context, finds every value
//! the version introduced at a fraction of the bytes. gitleaks and
//! betterleaks read the added lines of `git log -p` the same way; the
//! context and the ancestor keys below are what a patch alone lacks.

use rustc_hash::FxHashSet;

/// Lines kept on each side of an added line when something was found
/// there: as far as a pair of rules looks for its companion, so that pairs
/// read as in the whole file.
pub(crate) const CONTEXT_LINES: usize = crate::scan::PAIR_DISTANCE_LINES as usize;

/// Lines kept on each side of an added line on the first reading: enough
/// for an allow comment on the line above and a value standing between
/// its tags (`<password>` / value / `</password>`). Most edits hold no
/// secret, and are read this narrowly only; the rest are read again with
/// [`CONTEXT_LINES`].
pub(crate) const NARROW_CONTEXT_LINES: usize = 2;

/// At most this many lines are walked back from a run to find the keys
/// that enclose it in a YAML file.
const ANCESTOR_WALK: usize = 2_000;

/// The part of a blob to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Delta {
    /// Scan the whole blob, and keep the matches that touch an added line.
    /// The added part is too large for a selection to pay, or the file's
    /// kind is read whole (Kubernetes and sealed secrets).
    Whole { added: Added },
    /// Scan `text`: the added lines with their context (and, in YAML, the
    /// keys enclosing them) in their order, runs that are not adjacent
    /// apart by an empty line. `lines[i]` is the blob line (1-based) of
    /// line `i + 1` of `text`, 0 for a separator.
    Selected {
        text: Vec<u8>,
        lines: Vec<u32>,
        added: Added,
    },
}

/// Which lines of a blob are added: `lines[i]` for line `first + i`; the
/// lines outside are not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Added {
    first: usize,
    lines: Vec<bool>,
}

impl Delta {
    /// Whether a match on blob lines `first..=last` (1-based) touches an
    /// added line: only those are the version's own.
    pub(crate) fn touches_added(&self, first: u32, last: u32) -> bool {
        let added = match self {
            Self::Whole { added } | Self::Selected { added, .. } => added,
        };
        let (first, last) = (first as usize, last.max(first) as usize);
        (first..=last).any(|n| {
            n.checked_sub(added.first)
                .and_then(|i| added.lines.get(i))
                .copied()
                .unwrap_or(false)
        })
    }
}

/// The length of the longest common prefix of `a` and `b`, compared a
/// block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The length of the longest common suffix of `a` and `b`, at most `room`.
fn common_suffix(a: &[u8], b: &[u8], room: usize) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len()).min(room);
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// The byte spans of the lines of `data[from..to]` (offsets into
/// `data`), without their `\n`.
fn line_spans(data: &[u8], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = from;
    for end in memchr::memchr_iter(b'\n', &data[from..to]) {
        spans.push((start, from + end));
        start = from + end + 1;
    }
    if start < to {
        spans.push((start, to));
    }
    spans
}

/// The lines of `data` split at each `\n`, as `split` gives them (a
/// last empty line after a final `\n`), found with `memchr` rather than a
/// byte at a time.
pub(crate) fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', data);
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match ends.next() {
            Some(end) => {
                let line = &data[start..end];
                start = end + 1;
                Some(line)
            }
            None => {
                done = true;
                Some(&data[start..])
            }
        }
    })
}

/// A line without the `\r` of a CRLF ending.
pub(crate) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a file is read whole whatever it added: a manifest whose kind
/// decides how its values read (a Kubernetes `Secret`'s base64 `data:`, a
/// `SealedSecret`'s ciphertext), which a selection could cut off.
fn read_whole(data: &[u8], yaml: bool) -> bool {
    memchr::memmem::find(data, b"SealedSecret").is_some()
        || (yaml && memchr::memmem::find(data, b"kind:").is_some())
}

/// The start of the line `count` lines above the line starting at `at`.
fn lines_back(data: &[u8], mut at: usize, count: usize) -> usize {
    for _ in 0..count {
        if at == 0 {
            break;
        }
        at = memchr::memrchr(b'\n', &data[..at - 1]).map_or(0, |p| p + 1);
    }
    at
}

/// The end (past its `\n`) of the line `count` lines below the line
/// ending at `at` (a line start, or the end).
fn lines_forward(data: &[u8], mut at: usize, count: usize) -> usize {
    for _ in 0..count {
        if at >= data.len() {
            break;
        }
        at = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |p| at + p + 1);
    }
    at
}

/// The part of `data` that differs from `base`, in whole lines: after the
/// longest common prefix and before the longest common suffix. Two
/// `memcmp`s, so that a one-line edit of a long file costs nothing like a
/// comparison of every line.
fn differing(data: &[u8], base: &[u8]) -> ((usize, usize), (usize, usize)) {
    let prefix = common_prefix(data, base);
    let start = memchr::memrchr(b'\n', &data[..prefix]).map_or(0, |p| p + 1);
    let room = data.len().min(base.len()) - start;
    let suffix = common_suffix(data, base, room);
    // The suffix begins at a line start of `data`: a partly common line
    // is a changed line.
    let mut end = data.len() - suffix;
    if end > start && data[end - 1] != b'\n' {
        end = memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |p| end + p + 1);
    }
    let base_end = base.len() - (data.len() - end);
    ((start, end), (start, base_end.max(start)))
}

/// The credential lines of a lockfile version (see
/// [`crate::filters::lockfile_credential_lines`]) that its base did not
/// hold, as byte spans of `data`. Only the part where the two differ is
/// read: a dependency update rewrites a few entries of a long file.
pub(crate) fn lockfile_added(data: &[u8], base: &[u8]) -> Vec<(usize, usize)> {
    let ((start, end), (base_start, base_end)) = differing(data, base);
    // Most versions hold no credential line where they differ: the base
    // need not be read then.
    let lines = crate::filters::lockfile_credential_lines(&data[start..end]);
    if lines.is_empty() {
        return Vec::new();
    }
    let known: FxHashSet<&[u8]> =
        crate::filters::lockfile_credential_lines(&base[base_start..base_end])
            .into_iter()
            .map(|(s, e)| trim_cr(&base[base_start + s..base_start + e]))
            .collect();
    lines
        .into_iter()
        .map(|(s, e)| (start + s, start + e))
        .filter(|&(s, e)| !known.contains(trim_cr(&data[s..e])))
        .collect()
}

/// The lines of `data` its `base` did not hold, and what to scan for them.
/// Blank lines never count as added. `yaml` adds the keys that enclose
/// each run, so nested names (`stripe:` / `secret: value`) read as in the
/// whole file.
pub(crate) fn delta(data: &[u8], base: &[u8], yaml: bool, context: usize) -> Delta {
    let ((start, end), (base_start, base_end)) = differing(data, base);
    // Sized first: a set grown line by line rehashes a dozen times on a
    // long file's edit.
    let region = &base[base_start..base_end];
    let mut known: FxHashSet<&[u8]> = FxHashSet::with_capacity_and_hasher(
        memchr::memchr_iter(b'\n', region).count() + 1,
        Default::default(),
    );
    known.extend(lines(region).map(trim_cr));
    // The lines read: the differing part, its context, and in YAML as far
    // up as its enclosing keys may be.
    let back = if yaml { ANCESTOR_WALK } else { context };
    let from = lines_back(data, start, back);
    let to = lines_forward(data, end, context);
    let spans = line_spans(data, from, to);
    let first = memchr::memchr_iter(b'\n', &data[..from]).count() + 1;
    let mut added_bytes = 0;
    let lines: Vec<bool> = spans
        .iter()
        .map(|&(s, e)| {
            let line = trim_cr(&data[s..e]);
            let new =
                s >= start && e <= end && !line.trim_ascii().is_empty() && !known.contains(line);
            if new {
                added_bytes += e - s + 1;
            }
            new
        })
        .collect();
    let added = Added { first, lines };
    // A selection pays when it leaves most of the file out.
    if added_bytes * 3 > data.len() || read_whole(data, yaml) {
        return Delta::Whole { added };
    }
    // Within `context` lines of an added line, on either side.
    let mut since = usize::MAX;
    let mut keep: Vec<bool> = added
        .lines
        .iter()
        .map(|&new| {
            since = if new { 0 } else { since.saturating_add(1) };
            since <= context
        })
        .collect();
    let mut until = usize::MAX;
    for (kept, &new) in keep.iter_mut().zip(&added.lines).rev() {
        until = if new { 0 } else { until.saturating_add(1) };
        *kept |= until <= context;
    }
    if yaml {
        add_yaml_ancestors(data, &spans, &mut keep);
    }
    let (text, lines) = select(
        data,
        spans
            .iter()
            .enumerate()
            .filter(|&(i, _)| keep[i])
            .map(|(i, &(s, e))| (first + i, s, e)),
    );
    Delta::Selected { text, lines, added }
}

/// The text of some lines of `data`, given in order as (line number,
/// start, end), and the line number of each line of that text: lines that
/// are not adjacent are kept apart by an empty line (number 0), so that no
/// pattern reads two distant lines as one.
pub(crate) fn select(
    data: &[u8],
    spans: impl Iterator<Item = (usize, usize, usize)>,
) -> (Vec<u8>, Vec<u32>) {
    let mut text = Vec::new();
    let mut numbers = Vec::new();
    let mut previous: Option<usize> = None;
    for (line, s, e) in spans {
        if previous.is_some_and(|p| p + 1 != line) {
            text.push(b'\n');
            numbers.push(0);
        }
        text.extend_from_slice(&data[s..e]);
        text.push(b'\n');
        numbers.push(u32::try_from(line).unwrap_or(u32::MAX));
        previous = Some(line);
    }
    (text, numbers)
}

fn indent(line: &[u8]) -> Option<usize> {
    let width = line
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let rest = &line[width..];
    (!rest.is_empty() && rest[0] != b'#' && rest != b"\r").then_some(width)
}

/// Marks, for each run of kept lines, the lines above it with less
/// indentation than its first line: the keys it is nested in.
fn add_yaml_ancestors(data: &[u8], spans: &[(usize, usize)], keep: &mut [bool]) {
    let starts: Vec<usize> = (0..keep.len())
        .filter(|&i| keep[i] && (i == 0 || !keep[i - 1]))
        .collect();
    for start in starts {
        let Some(mut level) = (start..keep.len())
            .take_while(|&i| keep[i])
            .find_map(|i| indent(&data[spans[i].0..spans[i].1]))
        else {
            continue;
        };
        for j in (start.saturating_sub(ANCESTOR_WALK)..start).rev() {
            if level == 0 {
                break;
            }
            let Some(width) = indent(&data[spans[j].0..spans[j].1]) else {
                continue;
            };
            if width < level {
                keep[j] = true;
                level = width;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_as_split_does() {
        for text in [&b""[..], b"a", b"a\n", b"a\nb", b"\n\n", b"a\r\nb\n\nc"] {
            let ours: Vec<&[u8]> = lines(text).collect();
            let split: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            assert_eq!(ours, split, "{text:?}");
        }
    }

    fn selected(delta: &Delta) -> (String, Vec<u32>) {
        match delta {
            Delta::Selected { text, lines, .. } => {
                (String::from_utf8_lossy(text).into_owned(), lines.clone())
            }
            Delta::Whole { .. } => panic!("expected a selection"),
        }
    }

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn keeps_added_lines_with_their_context() {
        let base = numbered(100);
        let data = base.replace("line 50\n", "line 50\nadded here\n");
        let delta = delta(data.as_bytes(), base.as_bytes(), false, CONTEXT_LINES);
        let (text, lines) = selected(&delta);
        // 10 lines before, the added line, 10 after.
        assert_eq!(lines, (41..=61).collect::<Vec<u32>>());
        assert!(text.contains("added here"));
        assert!(!text.contains("line 39\n"));
        assert!(delta.touches_added(51, 51));
        assert!(!delta.touches_added(50, 50));
        assert!(delta.touches_added(49, 52));
    }

    #[test]
    fn the_narrow_reading_keeps_two_lines_each_side() {
        let base = numbered(100);
        let data = base.replace("line 50\n", "line 50\nadded here\n");
        let delta = delta(
            data.as_bytes(),
            base.as_bytes(),
            false,
            NARROW_CONTEXT_LINES,
        );
        let (_, lines) = selected(&delta);
        assert_eq!(lines, (49..=53).collect::<Vec<u32>>());
    }

    #[test]
    fn runs_apart_are_separated_and_unchanged_files_select_nothing() {
        let base = numbered(200);
        let data = base
            .replace("line 20\n", "line 20 edited\n")
            .replace("line 150\n", "line 150 edited\n");
        let (text, lines) = selected(&delta(
            data.as_bytes(),
            base.as_bytes(),
            false,
            CONTEXT_LINES,
        ));
        let gap = lines.iter().position(|&l| l == 0).expect("a separator");
        assert_eq!(lines[gap - 1], 30);
        assert_eq!(lines[gap + 1], 140);
        assert_eq!(text.lines().nth(gap), Some(""));
        // Reordered or blank-line edits add nothing.
        let moved = base.replace("line 3\n", "") + "line 3\n\n\n";
        let (text, lines) = selected(&delta(
            moved.as_bytes(),
            base.as_bytes(),
            false,
            CONTEXT_LINES,
        ));
        assert!(text.is_empty() && lines.is_empty());
    }

    #[test]
    fn large_edits_and_manifests_are_read_whole() {
        let base = numbered(10);
        let data = "all new\n".repeat(10);
        assert!(matches!(
            delta(data.as_bytes(), base.as_bytes(), false, CONTEXT_LINES),
            Delta::Whole { .. }
        ));
        let manifest = format!("kind: Secret\n{}data:\n  k: dmFsdWU=\n", numbered(100));
        let before = format!("kind: Secret\n{}data:\n", numbered(100));
        let whole = delta(manifest.as_bytes(), before.as_bytes(), true, CONTEXT_LINES);
        assert!(matches!(whole, Delta::Whole { .. }));
        assert!(whole.touches_added(103, 103));
        assert!(!whole.touches_added(1, 102));
        // The same text outside YAML is an ordinary selection.
        assert!(matches!(
            delta(manifest.as_bytes(), before.as_bytes(), false, CONTEXT_LINES),
            Delta::Selected { .. }
        ));
    }

    #[test]
    fn yaml_runs_keep_the_keys_that_enclose_them() {
        let filler: String = (0..40).map(|i| format!("    k{i}: v\n")).collect();
        let base = format!("top: 1\nstripe:\n  api:\n{filler}    other: v\n");
        let data = format!("top: 1\nstripe:\n  api:\n{filler}    secret: new\n");
        let (text, lines) = selected(&delta(
            data.as_bytes(),
            base.as_bytes(),
            true,
            CONTEXT_LINES,
        ));
        assert!(text.starts_with("stripe:\n  api:\n\n"), "{text}");
        assert_eq!(&lines[..3], &[2, 3, 0]);
        assert!(!text.contains("top: 1"));
        // Outside YAML no ancestors are added.
        let (text, _) = selected(&delta(
            data.as_bytes(),
            base.as_bytes(),
            false,
            CONTEXT_LINES,
        ));
        assert!(!text.contains("stripe:"));
    }

    #[test]
    fn common_ends_are_found_a_block_at_a_time() {
        let a = format!("{}x{}", "a".repeat(200), "b".repeat(150));
        let b = format!("{}y{}", "a".repeat(200), "b".repeat(150));
        assert_eq!(common_prefix(a.as_bytes(), b.as_bytes()), 200);
        assert_eq!(common_suffix(a.as_bytes(), b.as_bytes(), usize::MAX), 150);
        assert_eq!(common_suffix(a.as_bytes(), b.as_bytes(), 100), 100);
        assert_eq!(common_prefix(b"abc", b"abcdef"), 3);
        assert_eq!(common_suffix(b"def", b"abcdef", 10), 3);
        // An edit at either end, or a line appended without a newline.
        let base = numbered(30);
        let first = base.replacen("line 1\n", "line one\n", 1);
        assert_eq!(differing(first.as_bytes(), base.as_bytes()).0, (0, 9));
        let last = format!("{base}tail");
        let len = base.len();
        assert_eq!(
            differing(last.as_bytes(), base.as_bytes()).0,
            (len, len + 4)
        );
    }

    #[test]
    fn crlf_lines_match_their_lf_base() {
        let base = numbered(60);
        let data = base.replace('\n', "\r\n");
        let (text, _) = selected(&delta(
            data.as_bytes(),
            base.as_bytes(),
            false,
            CONTEXT_LINES,
        ));
        assert!(text.is_empty());
    }
}

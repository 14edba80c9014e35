//! Text inside PDF files: what each page draws, the text of other streams
//! (attachments, scripts, XMP metadata) and the strings of the document's
//! objects (document information, annotations, links, outlines).
//!
//! A PDF is read without trusting its cross-reference table, which damaged
//! and hand-edited files often get wrong: objects are found by a forward
//! scan for `N G obj`, a stream ends where its direct `/Length` says when
//! `endstream` follows there and otherwise at the next `endstream` that
//! closes its object, and
//! object streams (`/Type /ObjStm`) are expanded in place, since the fonts
//! of most modern files live in them. Pages come from the page tree;
//! their content streams are interpreted with the text state (fonts, text
//! and graphics matrices) so that line breaks and word spaces follow the
//! positions the text is drawn at, and glyph codes become characters
//! through each font's `/ToUnicode` CMap or its encoding.
//!
//! Like an archive, a PDF of a few kilobytes can claim gigabytes, so
//! extraction draws on the archive [`Budget`]: inflated and extracted bytes,
//! and streams decoded. The parser reads each byte a bounded number of
//! times, every nesting and every count read from the file is capped, and
//! nothing is allocated from a size the file claims, so time and memory
//! stay linear in the budget. When a budget runs out extraction stops,
//! keeps what it has, and says it was truncated. Encrypted PDFs are not
//! read.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use crate::archive::{self, Budget};

/// Readers accept the header after some leading bytes (a byte order mark,
/// a MacBinary header, mail headers) within the first kilobyte.
const HEADER_WINDOW: usize = 1024;
/// Nesting of arrays and dictionaries kept; deeper values are skipped.
const MAX_DEPTH: usize = 32;
/// Items kept per array or dictionary; the rest are read and dropped.
const MAX_ITEMS: usize = 1 << 16;
/// Parsed values kept for the whole document.
const MAX_NODES: usize = 1 << 19;
/// Indirect objects kept.
const MAX_OBJECTS: usize = 1 << 18;
/// Bytes the object parser may read per byte of input (plus the byte
/// budget, for object streams): in a damaged file it reads some regions
/// more than once.
const WORK_FACTOR: usize = 4;
/// Form XObjects drawn inside each other.
const MAX_FORM_DEPTH: usize = 8;
/// Levels of the page tree.
const MAX_TREE_DEPTH: usize = 64;
/// Saved graphics states (`q`) kept.
const MAX_SAVED: usize = 256;
/// Operands kept before an operator.
const MAX_OPERANDS: usize = 48;
/// Reference hops followed to reach a value.
const MAX_HOPS: usize = 8;
/// UTF-16 units kept per character code of a CMap.
const MAX_MAPPED: usize = 32;
/// Code space ranges kept per CMap.
const MAX_SPACES: usize = 64;
/// Bytes probed to tell a text stream from a binary one.
const TEXT_PROBE: usize = 8 * 1024;
/// A `TJ` adjustment below this, in thousandths of an em, is a word space
/// (negative numbers move the next glyph right).
const SPACE_KERN: f64 = -200.0;
/// A gap wider than this share of the font size is a word space.
const SPACE_GAP: f64 = 0.15;
/// A move across the line wider than this share of the font size starts a
/// new line.
const LINE_GAP: f64 = 0.5;

/// One piece of extracted text: `page 3`, `text` (other streams and object
/// strings) or `metadata` (document information and XMP).
#[derive(Debug)]
pub(crate) struct Part {
    pub(crate) label: String,
    pub(crate) text: Vec<u8>,
}

/// The text of a PDF and how extraction went.
#[derive(Debug, Default)]
pub(crate) struct Extraction {
    pub(crate) parts: Vec<Part>,
    /// A budget ran out: later streams were not read.
    pub(crate) truncated: bool,
}

/// Whether `data` starts like a PDF (and not like an archive, which the
/// archive reader takes first).
pub(crate) fn is_pdf(data: &[u8]) -> bool {
    let window = &data[..data.len().min(HEADER_WINDOW)];
    memchr::memmem::find_iter(window, b"%PDF-")
        .any(|at| data.get(at + 5).is_some_and(u8::is_ascii_digit))
        && !archive::is_archive(data)
}

/// Extracts the text of a PDF. `None` when it holds no object this reader
/// understands or is encrypted.
pub(crate) fn extract(data: &[u8], budget: &mut Budget) -> Option<Extraction> {
    let mut stats = Stats::default();
    let doc = Doc::read(data, budget, &mut stats)?;
    let mut ex = Extractor {
        doc: &doc,
        budget,
        stats,
        fonts: BTreeMap::new(),
        direct_fonts: BTreeMap::new(),
        fallback: None,
        consumed: BTreeSet::new(),
    };
    let mut parts = Vec::new();
    for (number, (page, resources)) in ex.pages().into_iter().enumerate() {
        if ex.spent() {
            break;
        }
        let text = ex.page_text(page, resources);
        push_part(&mut parts, format!("page {}", number + 1), text);
    }
    let (text, metadata) = ex.rest();
    push_part(&mut parts, "text".to_owned(), text);
    push_part(&mut parts, "metadata".to_owned(), metadata);
    Some(Extraction {
        parts,
        truncated: ex.stats.truncated,
    })
}

fn push_part(parts: &mut Vec<Part>, label: String, text: Vec<u8>) {
    if text.iter().any(|b| !b.is_ascii_whitespace()) {
        parts.push(Part { label, text });
    }
}

#[derive(Debug, Default)]
struct Stats {
    truncated: bool,
}

// ---------------------------------------------------------------------------
// Values and the lexer

#[derive(Debug, Clone, PartialEq)]
enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Self>),
    Dict(Dict),
    Ref(u32),
}

type Dict = BTreeMap<Vec<u8>, Obj>;

static NULL: Obj = Obj::Null;

impl Obj {
    fn as_dict(&self) -> Option<&Dict> {
        match self {
            Self::Dict(d) => Some(d),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Self]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    fn as_name(&self) -> Option<&[u8]> {
        match self {
            Self::Name(n) => Some(n),
            _ => None,
        }
    }

    fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn as_num(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Real(r) => Some(*r),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&[u8]> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn is_white(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    ArrayOpen,
    ArrayClose,
    DictOpen,
    DictClose,
    /// A keyword or operator (`obj`, `R`, `Tj`, `T*`), or a stray delimiter.
    Word(&'a [u8]),
}

/// Tokens of PDF syntax, shared by objects, content streams and CMaps.
/// Every call consumes at least one byte, so a loop over it ends.
struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Self { data, pos }
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self
                    .data
                    .get(self.pos)
                    .is_some_and(|&c| c != b'\n' && c != b'\r')
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        self.skip_space();
        let b = *self.data.get(self.pos)?;
        let next = self.data.get(self.pos + 1).copied();
        let tok = match b {
            b'(' => {
                self.pos += 1;
                Tok::Str(self.literal())
            }
            b'<' if next == Some(b'<') => {
                self.pos += 2;
                Tok::DictOpen
            }
            b'<' => {
                self.pos += 1;
                Tok::Str(self.hex())
            }
            b'>' if next == Some(b'>') => {
                self.pos += 2;
                Tok::DictClose
            }
            b'[' => {
                self.pos += 1;
                Tok::ArrayOpen
            }
            b']' => {
                self.pos += 1;
                Tok::ArrayClose
            }
            b'/' => {
                self.pos += 1;
                Tok::Name(self.name())
            }
            b'>' | b')' | b'{' | b'}' => {
                self.pos += 1;
                Tok::Word(&self.data[self.pos - 1..self.pos])
            }
            _ => {
                let start = self.pos;
                while self.data.get(self.pos).is_some_and(|&c| is_regular(c)) {
                    self.pos += 1;
                }
                let word = &self.data[start..self.pos];
                number(word).unwrap_or(Tok::Word(word))
            }
        };
        Some(tok)
    }

    /// A literal string after its `(`: balanced parentheses, escapes, and
    /// end-of-line markers read as `\n`. An unterminated string runs to the
    /// end of the data.
    fn literal(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    if depth == 0 {
                        return out;
                    }
                    depth -= 1;
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        // A backslash before an end of line continues the string.
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        // `\(`, `\)`, `\\`, and unknown escapes keep the character.
                        other => out.push(other),
                    }
                }
                b'\r' => {
                    if self.data.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
        out
    }

    /// A hexadecimal string after its `<`; white space and stray characters
    /// are ignored, an odd last digit is padded with 0.
    fn hex(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            let Some(v) = hex_value(b) else { continue };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    /// A name after its `/`, with `#xx` escapes decoded.
    fn name(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(&b) = self.data.get(self.pos) {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
            if b == b'#' {
                let high = self.data.get(self.pos).copied().and_then(hex_value);
                let low = self.data.get(self.pos + 1).copied().and_then(hex_value);
                if let (Some(h), Some(l)) = (high, low) {
                    out.push(h << 4 | l);
                    self.pos += 2;
                    continue;
                }
            }
            out.push(b);
        }
        out
    }
}

/// A number token: an optional sign, digits and at most one point.
fn number<'a>(word: &[u8]) -> Option<Tok<'a>> {
    let body = match word.first()? {
        b'+' | b'-' => &word[1..],
        _ => word,
    };
    let points = body.iter().filter(|&&c| c == b'.').count();
    if body.is_empty()
        || body == b"."
        || points > 1
        || !body.iter().all(|&c| c.is_ascii_digit() || c == b'.')
    {
        return None;
    }
    let text = std::str::from_utf8(word).ok()?;
    if points == 0
        && let Ok(i) = text.parse::<i64>()
    {
        return Some(Tok::Int(i));
    }
    text.parse::<f64>().ok().map(Tok::Real)
}

enum Item<'a> {
    Value(Obj),
    Op(&'a [u8]),
}

/// Values on top of the lexer. Objects may hold references (`5 0 R`);
/// content streams and CMaps never do, so they skip the look-ahead.
struct Parser<'a> {
    lex: Lexer<'a>,
    refs: bool,
    /// Values made so far, dropped ones included.
    nodes: usize,
}

impl<'a> Parser<'a> {
    fn new(data: &'a [u8], pos: usize, refs: bool) -> Self {
        Self {
            lex: Lexer::new(data, pos),
            refs,
            nodes: 0,
        }
    }

    /// The next value or operator.
    fn item(&mut self) -> Option<Item<'a>> {
        let tok = self.lex.next()?;
        Some(match self.value_from(tok, 0) {
            Ok(value) => Item::Value(value),
            Err(word) => Item::Op(word),
        })
    }

    /// The value starting with `tok`, or the keyword it is.
    fn value_from(&mut self, tok: Tok<'a>, depth: usize) -> Result<Obj, &'a [u8]> {
        self.nodes += 1;
        Ok(match tok {
            Tok::Int(i) => {
                if self.refs
                    && let Some(r) = self.reference(i)
                {
                    return Ok(r);
                }
                Obj::Int(i)
            }
            Tok::Real(r) => Obj::Real(r),
            Tok::Name(n) => Obj::Name(n),
            Tok::Str(s) => Obj::Str(s),
            Tok::ArrayOpen => self.array(depth + 1),
            Tok::DictOpen => self.dict(depth + 1),
            Tok::ArrayClose | Tok::DictClose => Obj::Null,
            Tok::Word(b"true") => Obj::Bool(true),
            Tok::Word(b"false") => Obj::Bool(false),
            Tok::Word(b"null") => Obj::Null,
            Tok::Word(word) => return Err(word),
        })
    }

    /// `num gen R` after `num`, or nothing (and the position is kept).
    fn reference(&mut self, num: i64) -> Option<Obj> {
        let save = self.lex.pos;
        if let (Some(Tok::Int(generation)), Some(Tok::Word(b"R"))) =
            (self.lex.next(), self.lex.next())
            && (0..=65535).contains(&generation)
            && let Ok(num) = u32::try_from(num)
        {
            return Some(Obj::Ref(num));
        }
        self.lex.pos = save;
        None
    }

    fn array(&mut self, depth: usize) -> Obj {
        if depth > MAX_DEPTH {
            self.skip_nested();
            return Obj::Null;
        }
        let mut items = Vec::new();
        loop {
            let save = self.lex.pos;
            match self.lex.next() {
                None | Some(Tok::ArrayClose) => break,
                Some(Tok::DictClose) => {}
                Some(tok) => match self.value_from(tok, depth) {
                    Ok(value) => {
                        if items.len() < MAX_ITEMS {
                            items.push(value);
                        }
                    }
                    // A keyword inside an array: the array is damaged and
                    // ends here; the keyword is left for the caller.
                    Err(_) => {
                        self.lex.pos = save;
                        break;
                    }
                },
            }
        }
        Obj::Array(items)
    }

    fn dict(&mut self, depth: usize) -> Obj {
        if depth > MAX_DEPTH {
            self.skip_nested();
            return Obj::Null;
        }
        let mut map = Dict::new();
        loop {
            let save = self.lex.pos;
            match self.lex.next() {
                None | Some(Tok::DictClose) => break,
                Some(Tok::Name(key)) => {
                    let value_at = self.lex.pos;
                    match self.lex.next() {
                        None | Some(Tok::DictClose) => break,
                        Some(tok) => match self.value_from(tok, depth) {
                            Ok(value) => {
                                if map.len() < MAX_ITEMS {
                                    map.insert(key, value);
                                }
                            }
                            Err(_) => {
                                self.lex.pos = value_at;
                                break;
                            }
                        },
                    }
                }
                // A value without a key is read and dropped.
                Some(tok) => {
                    if self.value_from(tok, depth).is_err() {
                        self.lex.pos = save;
                        break;
                    }
                }
            }
        }
        Obj::Dict(map)
    }

    /// Skips the rest of an array or dictionary too deep to keep.
    fn skip_nested(&mut self) {
        let mut open = 1usize;
        while open > 0 {
            match self.lex.next() {
                None => break,
                Some(Tok::ArrayOpen | Tok::DictOpen) => open += 1,
                Some(Tok::ArrayClose | Tok::DictClose) => open -= 1,
                Some(_) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The document: objects, streams, trailer

#[derive(Debug)]
struct Entry {
    value: Obj,
    /// Byte range of the stream data in the file.
    stream: Option<(usize, usize)>,
}

type Objects = BTreeMap<u32, Entry>;

struct Doc<'a> {
    data: &'a [u8],
    objects: Objects,
    /// `/Root` and `/Info` of the newest trailer that names them.
    trailer: Dict,
}

fn resolve<'x>(objects: &'x Objects, obj: &'x Obj) -> &'x Obj {
    let mut current = obj;
    for _ in 0..MAX_HOPS {
        match current {
            Obj::Ref(n) => match objects.get(n) {
                Some(entry) => current = &entry.value,
                None => return &NULL,
            },
            other => return other,
        }
    }
    &NULL
}

/// Where the next `endstream` is, found once per stretch of the file so
/// that streams without a usable `/Length` cost one pass in all. An
/// `endstream` followed by `endobj` is preferred, since binary data can
/// hold the bytes `endstream` by chance.
#[derive(Default)]
struct EndFinder {
    closed: Search,
    any: Search,
}

/// A cached forward search: the first hit at or after `from`.
#[derive(Default)]
struct Search {
    from: usize,
    found: Option<Option<usize>>,
}

impl Search {
    fn next(&mut self, data: &[u8], start: usize, closed: bool) -> Option<usize> {
        if let Some(found) = self.found
            && self.from <= start
            && found.is_none_or(|at| at >= start)
        {
            return found;
        }
        let mut at = start;
        let found = loop {
            let Some(k) = memchr::memmem::find(&data[at..], b"endstream") else {
                break None;
            };
            let hit = at + k;
            at = hit + 9;
            if !closed {
                break Some(hit);
            }
            let mut next = at;
            while data.get(next).is_some_and(|&b| is_white(b)) && next - at < 8 {
                next += 1;
            }
            if data[next..].starts_with(b"endobj") {
                break Some(hit);
            }
        };
        self.from = start;
        self.found = Some(found);
        found
    }
}

impl EndFinder {
    fn next_from(&mut self, data: &[u8], start: usize) -> Option<usize> {
        self.closed
            .next(data, start, true)
            .or_else(|| self.any.next(data, start, false))
    }
}

impl<'a> Doc<'a> {
    /// Indexes every object; `None` when there is none or the file is
    /// encrypted.
    fn read(data: &'a [u8], budget: &mut Budget, stats: &mut Stats) -> Option<Self> {
        let mut objects = Objects::new();
        let mut trailers: Vec<(usize, Dict)> = Vec::new();
        let mut work = WORK_FACTOR
            .saturating_mul(data.len())
            .saturating_add(budget.bytes);
        let mut nodes = 0usize;
        let mut ends = EndFinder::default();
        let mut pos = 0;
        while let Some(k) = memchr::memmem::find(&data[pos..], b"obj") {
            let at = pos + k;
            pos = at + 3;
            if data.get(at + 3).is_some_and(|&b| is_regular(b)) {
                continue;
            }
            let Some(num) = header_before(data, at) else {
                continue;
            };
            let mut parser = Parser::new(data, at + 3, true);
            let Some(Item::Value(value)) = parser.item() else {
                continue;
            };
            let after = parser.lex.pos;
            let mut stream = None;
            match parser.lex.next() {
                Some(Tok::Word(b"stream")) => {
                    let start = stream_start(data, parser.lex.pos);
                    let (end, resume) = stream_end(data, start, &value, &mut ends);
                    stream = Some((start, end));
                    pos = resume;
                }
                // A complete object: what it spans needs no second look.
                Some(Tok::Word(b"endobj")) => pos = after,
                // A damaged one: look again just after its header.
                _ => {}
            }
            work = work.saturating_sub(after - at);
            nodes += parser.nodes;
            if let Some(dict) = value.as_dict() {
                if dict.get(b"Type".as_slice()).and_then(Obj::as_name) == Some(b"XRef") {
                    trailers.push((at, dict.clone()));
                }
                if let Some((start, end)) = stream
                    && dict.get(b"Type".as_slice()).and_then(Obj::as_name) == Some(b"ObjStm")
                {
                    let raw = &data[start..end];
                    if let Some(decoded) = decode(dict, raw, &objects, budget, stats, false) {
                        expand_object_stream(
                            dict,
                            &decoded,
                            &mut objects,
                            &mut work,
                            &mut nodes,
                            stats,
                        );
                    }
                }
            }
            if !insert(&mut objects, num, Entry { value, stream }, stats)
                || work == 0
                || nodes > MAX_NODES
            {
                stats.truncated = true;
                break;
            }
        }
        for at in memchr::memmem::find_iter(data, b"trailer") {
            if work == 0 {
                break;
            }
            let mut parser = Parser::new(data, at + 7, true);
            if let Some(Item::Value(Obj::Dict(dict))) = parser.item() {
                trailers.push((at, dict));
            }
            work = work.saturating_sub(parser.lex.pos - at);
        }
        trailers.sort_by_key(|(at, _)| *at);
        let mut trailer = Dict::new();
        for (_, dict) in trailers {
            if dict.contains_key(b"Encrypt".as_slice()) {
                return None;
            }
            for key in [b"Root".as_slice(), b"Info".as_slice()] {
                if let Some(value) = dict.get(key) {
                    trailer.insert(key.to_vec(), value.clone());
                }
            }
        }
        if objects.is_empty() {
            return None;
        }
        Some(Self {
            data,
            objects,
            trailer,
        })
    }

    fn resolve<'x>(&'x self, obj: &'x Obj) -> &'x Obj {
        resolve(&self.objects, obj)
    }

    fn dict<'x>(&'x self, obj: Option<&'x Obj>) -> Option<&'x Dict> {
        obj.map(|o| self.resolve(o)).and_then(Obj::as_dict)
    }
}

/// Adds an object; later definitions replace earlier ones, as incremental
/// updates do. `false` when the object cap is reached.
fn insert(objects: &mut Objects, num: u32, entry: Entry, stats: &mut Stats) -> bool {
    if objects.len() >= MAX_OBJECTS && !objects.contains_key(&num) {
        stats.truncated = true;
        return false;
    }
    objects.insert(num, entry);
    true
}

/// The objects of an object stream: `N` pairs of object number and offset,
/// then the objects from `/First` on.
fn expand_object_stream(
    dict: &Dict,
    decoded: &[u8],
    objects: &mut Objects,
    work: &mut usize,
    nodes: &mut usize,
    stats: &mut Stats,
) {
    let count = dict.get(b"N".as_slice()).and_then(Obj::as_int).unwrap_or(0);
    let first = dict
        .get(b"First".as_slice())
        .and_then(Obj::as_int)
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0)
        .min(decoded.len());
    let mut header = Parser::new(&decoded[..first], 0, false);
    let mut read = 0;
    while read < count {
        let (Some(Item::Value(Obj::Int(num))), Some(Item::Value(Obj::Int(offset)))) =
            (header.item(), header.item())
        else {
            break;
        };
        read += 1;
        let (Ok(num), Ok(offset)) = (u32::try_from(num), usize::try_from(offset)) else {
            continue;
        };
        let at = first.saturating_add(offset);
        if at >= decoded.len() {
            continue;
        }
        let mut parser = Parser::new(decoded, at, true);
        let value = parser.item();
        *work = work.saturating_sub(parser.lex.pos - at);
        *nodes += parser.nodes;
        if let Some(Item::Value(value)) = value
            && !insert(
                objects,
                num,
                Entry {
                    value,
                    stream: None,
                },
                stats,
            )
        {
            return;
        }
        if *work == 0 || *nodes > MAX_NODES {
            stats.truncated = true;
            return;
        }
    }
}

/// The object number of `num gen obj` whose `obj` starts at `at`.
fn header_before(data: &[u8], at: usize) -> Option<u32> {
    let mut i = at;
    let white = |i: &mut usize| {
        let start = *i;
        while *i > 0 && start - *i < 256 && is_white(data[*i - 1]) {
            *i -= 1;
        }
        start - *i
    };
    let digits = |i: &mut usize, most: usize| {
        let start = *i;
        while *i > 0 && start - *i < most && data[*i - 1].is_ascii_digit() {
            *i -= 1;
        }
        start - *i
    };
    if white(&mut i) == 0 || digits(&mut i, 5) == 0 || white(&mut i) == 0 {
        return None;
    }
    let end = i;
    if digits(&mut i, 10) == 0 || (i > 0 && is_regular(data[i - 1])) {
        return None;
    }
    std::str::from_utf8(&data[i..end]).ok()?.parse().ok()
}

/// The first data byte of a stream whose keyword ends at `at`.
fn stream_start(data: &[u8], mut at: usize) -> usize {
    while data.get(at) == Some(&b' ') {
        at += 1;
    }
    if data.get(at) == Some(&b'\r') {
        at += 1;
    }
    if data.get(at) == Some(&b'\n') {
        at += 1;
    }
    at.min(data.len())
}

/// The end of a stream's data and where scanning resumes: the direct
/// `/Length` when `endstream` follows it, else the next `endstream`.
fn stream_end(data: &[u8], start: usize, value: &Obj, ends: &mut EndFinder) -> (usize, usize) {
    let length = value
        .as_dict()
        .and_then(|d| d.get(b"Length".as_slice()))
        .and_then(Obj::as_int)
        .and_then(|l| usize::try_from(l).ok());
    if let Some(length) = length
        && let Some(end) = start.checked_add(length)
        && end <= data.len()
    {
        let mut at = end;
        while data.get(at).is_some_and(|&b| is_white(b)) && at - end < 8 {
            at += 1;
        }
        if data[at..].starts_with(b"endstream") {
            return (end, at + 9);
        }
    }
    match ends.next_from(data, start) {
        Some(at) => {
            let mut end = at;
            if end > start && data[end - 1] == b'\n' {
                end -= 1;
            }
            if end > start && data[end - 1] == b'\r' {
                end -= 1;
            }
            (end, at + 9)
        }
        None => (data.len(), data.len()),
    }
}

// ---------------------------------------------------------------------------
// Stream filters

/// Takes one stream from the budget; `false` (and truncated) when none is left.
fn take_stream(budget: &mut Budget, stats: &mut Stats) -> bool {
    if budget.members == 0 {
        stats.truncated = true;
        return false;
    }
    budget.members -= 1;
    true
}

/// The decoded data of a stream, or `None` when a filter or predictor is
/// not supported (the stream is left out, as an encrypted archive member
/// is) or the budget is spent. Raw data read again (`again`) is charged too,
/// so that a stream drawn on many pages costs each time.
fn decode(
    dict: &Dict,
    raw: &[u8],
    objects: &Objects,
    budget: &mut Budget,
    stats: &mut Stats,
    again: bool,
) -> Option<Vec<u8>> {
    if !take_stream(budget, stats) {
        return None;
    }
    let listed = |key: &[u8]| -> Vec<&Obj> {
        let value = dict.get(key).unwrap_or(&NULL);
        match resolve(objects, value) {
            Obj::Array(items) => items.iter().map(|i| resolve(objects, i)).collect(),
            Obj::Null => Vec::new(),
            other => vec![other],
        }
    };
    let filters = listed(b"Filter");
    let parms = listed(b"DecodeParms");
    if filters.is_empty() || again {
        if budget.bytes < raw.len() {
            stats.truncated = true;
            budget.bytes = 0;
            return None;
        }
        budget.bytes -= raw.len();
    }
    let mut data = raw.to_vec();
    for (i, filter) in filters.iter().enumerate() {
        data = match filter.as_name().unwrap_or_default() {
            b"FlateDecode" | b"Fl" => {
                let (out, cut) = inflate(&data, budget.bytes);
                budget.bytes = budget.bytes.saturating_sub(out.len());
                if cut {
                    stats.truncated = true;
                }
                predict(out, parms.get(i).and_then(|p| p.as_dict()))?
            }
            b"ASCIIHexDecode" | b"AHx" => Lexer::new(&data, 0).hex(),
            b"ASCII85Decode" | b"A85" => ascii85(&data),
            // Images (DCT, JPX, CCITT, JBIG2) hold no text; LZW and
            // run-length streams are rare enough to leave out.
            _ => return None,
        };
    }
    Some(data)
}

/// Inflates zlib (or, with a broken header, raw deflate) data into at most
/// `limit` bytes; keeps what a damaged stream gave before the damage. The
/// flag says the limit cut the output.
fn inflate(input: &[u8], limit: usize) -> (Vec<u8>, bool) {
    if limit == 0 {
        return (Vec::new(), true);
    }
    let zlib = input.len() >= 2
        && input[0] & 0x0f == 8
        && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0;
    let mut flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_IGNORE_ADLER32;
    if zlib {
        flags |= inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER;
    }
    let mut state = Box::<DecompressorOxide>::default();
    let mut out = vec![0u8; input.len().saturating_mul(4).max(1024).min(limit)];
    let mut rest = input;
    let mut written = 0;
    loop {
        let (status, consumed, produced) = decompress(&mut state, rest, &mut out, written, flags);
        written += produced;
        rest = rest.get(consumed..).unwrap_or_default();
        match status {
            TINFLStatus::HasMoreOutput => {
                if out.len() >= limit {
                    out.truncate(written);
                    return (out, true);
                }
                let grown = out.len().saturating_mul(2).min(limit);
                out.resize(grown, 0);
            }
            _ => break,
        }
    }
    out.truncate(written);
    (out, false)
}

/// Undoes PNG predictors (`/Predictor` 10 to 15); `None` for TIFF
/// predictors and parameters that make no sense.
fn predict(data: Vec<u8>, parms: Option<&Dict>) -> Option<Vec<u8>> {
    let Some(parms) = parms else {
        return Some(data);
    };
    let get = |key: &[u8], default: i64| parms.get(key).and_then(Obj::as_int).unwrap_or(default);
    match get(b"Predictor", 1) {
        1 => return Some(data),
        10..=15 => {}
        _ => return None,
    }
    let colors = u64::try_from(get(b"Colors", 1))
        .ok()
        .filter(|c| (1..=32).contains(c))?;
    let bits = u64::try_from(get(b"BitsPerComponent", 8))
        .ok()
        .filter(|b| [1, 2, 4, 8, 16].contains(b))?;
    let columns = u64::try_from(get(b"Columns", 1))
        .ok()
        .filter(|c| (1..=1 << 24).contains(c))?;
    let pixel = usize::try_from((colors * bits).div_ceil(8)).ok()?;
    let row = usize::try_from((colors * bits * columns).div_ceil(8)).ok()?;
    if row > data.len() {
        return Some(Vec::new());
    }
    let mut out = Vec::with_capacity(data.len());
    let mut previous = vec![0u8; row];
    let mut current = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (kind, line) = (chunk[0], &chunk[1..]);
        for (i, &x) in line.iter().enumerate() {
            let left = if i >= pixel { current[i - pixel] } else { 0 };
            let up = previous[i];
            let up_left = if i >= pixel { previous[i - pixel] } else { 0 };
            current[i] = x.wrapping_add(match kind {
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => 0,
            });
        }
        out.extend_from_slice(&current[..line.len()]);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// ASCII base-85 data, up to `~>` or the first invalid character.
fn ascii85(data: &[u8]) -> Vec<u8> {
    let body = data.strip_prefix(b"<~").unwrap_or(data);
    let mut out = Vec::with_capacity(body.len() / 5 * 4 + 4);
    let mut value: u64 = 0;
    let mut count = 0;
    for &b in body {
        match b {
            b'~' => break,
            b'z' if count == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                value = value * 85 + u64::from(b - b'!');
                count += 1;
                if count == 5 {
                    let Ok(group) = u32::try_from(value) else {
                        return out;
                    };
                    out.extend_from_slice(&group.to_be_bytes());
                    value = 0;
                    count = 0;
                }
            }
            b if is_white(b) => {}
            _ => break,
        }
    }
    if count > 1 {
        for _ in count..5 {
            value = value * 85 + 84;
        }
        if let Ok(group) = u32::try_from(value) {
            out.extend_from_slice(&group.to_be_bytes()[..count - 1]);
        }
    }
    out
}

/// Whether decoded data reads as text: near its start no NUL, few other
/// control bytes, and either UTF-8 or mostly printable ASCII.
fn is_text(data: &[u8]) -> bool {
    let probe = &data[..data.len().min(TEXT_PROBE)];
    if probe.is_empty() || memchr::memchr(0, probe).is_some() {
        return false;
    }
    let controls = probe
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    let printable = probe
        .iter()
        .filter(|&&b| (0x20..0x7f).contains(&b) || b.is_ascii_whitespace())
        .count();
    // A probe cut inside a character is still UTF-8.
    let utf8 = match std::str::from_utf8(probe) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    controls * 100 <= probe.len() && (utf8 || printable * 10 >= probe.len() * 9)
}

// ---------------------------------------------------------------------------
// Fonts and CMaps

/// A range of codes of one byte length (`begincodespacerange`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Space {
    len: usize,
    low: [u8; 4],
    high: [u8; 4],
}

impl Space {
    fn new(low: &[u8], high: &[u8]) -> Option<Self> {
        if low.len() != high.len() || !(1..=4).contains(&low.len()) {
            return None;
        }
        let mut space = Self {
            len: low.len(),
            low: [0; 4],
            high: [0; 4],
        };
        space.low[..low.len()].copy_from_slice(low);
        space.high[..high.len()].copy_from_slice(high);
        Some(space)
    }

    fn holds(&self, bytes: &[u8]) -> bool {
        bytes.len() >= self.len
            && (0..self.len).all(|i| self.low[i] <= bytes[i] && bytes[i] <= self.high[i])
    }
}

/// A `/ToUnicode` CMap: code spaces, single codes and ranges.
#[derive(Debug, Default)]
struct CMap {
    spaces: Vec<Space>,
    single: BTreeMap<u32, String>,
    /// Keyed by the first code: (last code, UTF-16 of the first code).
    ranges: BTreeMap<u32, (u32, Vec<u16>)>,
}

fn code_of(bytes: &[u8]) -> Option<u32> {
    (1..=4)
        .contains(&bytes.len())
        .then(|| bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .take(MAX_MAPPED)
        .map(|pair| match pair {
            [high, low] => u16::from(*high) << 8 | u16::from(*low),
            [single] => u16::from(*single),
            _ => 0,
        })
        .collect()
}

fn utf16_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

impl CMap {
    fn parse(data: &[u8]) -> Self {
        let mut cmap = Self::default();
        let mut lengths = BTreeSet::new();
        let mut parser = Parser::new(data, 0, false);
        let mut section: Option<&[u8]> = None;
        let mut args: Vec<Obj> = Vec::new();
        while let Some(item) = parser.item() {
            match item {
                Item::Op(op) => {
                    args.clear();
                    section = match op {
                        b"begincodespacerange" | b"beginbfchar" | b"beginbfrange" => Some(op),
                        _ => None,
                    };
                }
                Item::Value(value) => {
                    let Some(kind) = section else { continue };
                    args.push(value);
                    let wanted = if kind == b"beginbfrange" { 3 } else { 2 };
                    if args.len() == wanted {
                        cmap.entry(kind, &args, &mut lengths);
                        args.clear();
                    }
                }
            }
        }
        // Without declared code spaces, the source codes tell the width.
        if cmap.spaces.is_empty()
            && let Some(&len) = lengths.first()
            && lengths.len() == 1
        {
            cmap.spaces.push(Space {
                len,
                low: [0; 4],
                high: [0xff; 4],
            });
        }
        cmap
    }

    fn entry(&mut self, kind: &[u8], args: &[Obj], lengths: &mut BTreeSet<usize>) {
        match (kind, args) {
            (b"begincodespacerange", [Obj::Str(low), Obj::Str(high)]) => {
                if self.spaces.len() < MAX_SPACES
                    && let Some(space) = Space::new(low, high)
                {
                    self.spaces.push(space);
                }
            }
            (b"beginbfchar", [Obj::Str(source), target]) => {
                let Some(code) = code_of(source) else { return };
                let text = match target {
                    Obj::Str(t) => utf16_string(&utf16_units(t)),
                    Obj::Name(n) => glyph_text(n).unwrap_or_default(),
                    _ => return,
                };
                lengths.insert(source.len());
                self.single.insert(code, text);
            }
            (b"beginbfrange", [Obj::Str(low), Obj::Str(high), target]) => {
                let (Some(first), Some(last)) = (code_of(low), code_of(high)) else {
                    return;
                };
                if last < first {
                    return;
                }
                lengths.insert(low.len());
                match target {
                    Obj::Str(t) => {
                        self.ranges.insert(first, (last, utf16_units(t)));
                    }
                    Obj::Array(items) => {
                        for (code, item) in (first..=last).zip(items) {
                            if let Obj::Str(t) = item {
                                self.single.insert(code, utf16_string(&utf16_units(t)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn map(&self, code: u32) -> Option<Cow<'_, str>> {
        if let Some(text) = self.single.get(&code) {
            return Some(Cow::Borrowed(text));
        }
        let (&first, (last, base)) = self.ranges.range(..=code).next_back()?;
        if code > *last {
            return None;
        }
        let (&tail, head) = base.split_last()?;
        let value = u32::from(tail) + (code - first);
        if head.is_empty() {
            let c = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
            return Some(Cow::Owned(c.to_string()));
        }
        let mut units = head.to_vec();
        units.push((value & 0xffff) as u16);
        Some(Cow::Owned(utf16_string(&units)))
    }
}

/// How a font splits a string into character codes.
#[derive(Debug)]
enum Codes {
    One,
    Two,
    Spaces(Vec<Space>),
}

#[derive(Debug)]
enum Widths {
    Unknown,
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    Cid {
        default: f64,
        /// Keyed by the first code: (last code, width).
        ranges: BTreeMap<u32, (u32, f64)>,
    },
}

/// What text extraction needs of a font.
#[derive(Debug)]
struct Font {
    codes: Codes,
    unicode: Option<CMap>,
    /// Text of each single-byte code from the font's encoding.
    encoding: Option<Vec<String>>,
    widths: Widths,
    /// Glyph space to text space (a thousandth, or a Type 3 font matrix).
    scale: f64,
}

/// Characters 0x80 to 0x9f of Windows-1252, which WinAnsiEncoding follows.
const WIN_ANSI_HIGH: [char; 32] = [
    '\u{20ac}', '\0', '\u{201a}', '\u{0192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02c6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\0', '\u{017d}', '\0', '\0',
    '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02dc}',
    '\u{2122}', '\u{0161}', '\u{203a}', '\u{0153}', '\0', '\u{017e}', '\u{0178}',
];

/// Glyph names of the standard Latin set whose character is not the name.
const GLYPH_NAMES: &[(&str, char)] = &[
    ("space", ' '),
    ("exclam", '!'),
    ("quotedbl", '"'),
    ("numbersign", '#'),
    ("dollar", '$'),
    ("percent", '%'),
    ("ampersand", '&'),
    ("quotesingle", '\''),
    ("quoteright", '\u{2019}'),
    ("parenleft", '('),
    ("parenright", ')'),
    ("asterisk", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("hyphen", '-'),
    ("period", '.'),
    ("slash", '/'),
    ("zero", '0'),
    ("one", '1'),
    ("two", '2'),
    ("three", '3'),
    ("four", '4'),
    ("five", '5'),
    ("six", '6'),
    ("seven", '7'),
    ("eight", '8'),
    ("nine", '9'),
    ("colon", ':'),
    ("semicolon", ';'),
    ("less", '<'),
    ("equal", '='),
    ("greater", '>'),
    ("question", '?'),
    ("at", '@'),
    ("bracketleft", '['),
    ("backslash", '\\'),
    ("bracketright", ']'),
    ("asciicircum", '^'),
    ("underscore", '_'),
    ("grave", '`'),
    ("quoteleft", '\u{2018}'),
    ("braceleft", '{'),
    ("bar", '|'),
    ("braceright", '}'),
    ("asciitilde", '~'),
    ("minus", '\u{2212}'),
    ("endash", '\u{2013}'),
    ("emdash", '\u{2014}'),
    ("bullet", '\u{2022}'),
    ("ellipsis", '\u{2026}'),
    ("quotedblleft", '\u{201c}'),
    ("quotedblright", '\u{201d}'),
    ("nbspace", ' '),
    ("nonbreakingspace", ' '),
];

/// The text of a glyph name: standard names, single letters, `uniXXXX`,
/// `uXXXX`, ligatures joined with `_`, suffixes after `.` dropped.
fn glyph_text(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let name = name.split('.').next().unwrap_or(name);
    if name.contains('_') {
        let parts: Option<Vec<String>> =
            name.split('_').map(|p| glyph_text(p.as_bytes())).collect();
        return parts.map(|p| p.concat());
    }
    if let [single] = name.as_bytes()
        && single.is_ascii_alphabetic()
    {
        return Some(char::from(*single).to_string());
    }
    if let Some(&(_, c)) = GLYPH_NAMES.iter().find(|(n, _)| *n == name) {
        return Some(c.to_string());
    }
    if let Some(ligature) = ["ff", "fi", "fl", "ffi", "ffl"]
        .iter()
        .find(|l| **l == name)
    {
        return Some((*ligature).to_owned());
    }
    let hex_chars = |digits: &str| -> Option<String> {
        digits
            .as_bytes()
            .chunks(4)
            .map(|chunk| {
                let text = std::str::from_utf8(chunk).ok()?;
                u32::from_str_radix(text, 16).ok().and_then(char::from_u32)
            })
            .collect()
    };
    if let Some(digits) = name.strip_prefix("uni")
        && !digits.is_empty()
        && digits.len() % 4 == 0
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return hex_chars(digits);
    }
    if let Some(digits) = name.strip_prefix('u')
        && (4..=6).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    None
}

/// Single-byte codes as WinAnsiEncoding (Latin-1 above 0x9f), the usual
/// encoding and a fair guess for the others in the ASCII range.
fn base_encoding() -> Vec<String> {
    (0..=255u8)
        .map(|b| match b {
            0x20..=0x7e | 0xa0..=0xff => char::from(b).to_string(),
            0x80..=0x9f => {
                let c = WIN_ANSI_HIGH[usize::from(b - 0x80)];
                if c == '\0' {
                    String::new()
                } else {
                    c.to_string()
                }
            }
            _ => String::new(),
        })
        .collect()
}

impl Font {
    /// A single-byte font with the base encoding and unknown widths: the
    /// fallback when a font cannot be found.
    fn latin() -> Self {
        Self {
            codes: Codes::One,
            unicode: None,
            encoding: Some(base_encoding()),
            widths: Widths::Unknown,
            scale: 0.001,
        }
    }

    /// The next code of `bytes` (not empty) and its length.
    fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        let len = match &self.codes {
            Codes::One => 1,
            Codes::Two => 2,
            Codes::Spaces(spaces) => (1..=4)
                .find(|&n| spaces.iter().any(|s| s.len == n && s.holds(bytes)))
                .unwrap_or_else(|| spaces.iter().map(|s| s.len).min().unwrap_or(1)),
        };
        let len = len.clamp(1, bytes.len());
        let code = bytes[..len]
            .iter()
            .fold(0u32, |acc, &b| acc << 8 | u32::from(b));
        (code, len)
    }

    fn text(&self, code: u32) -> Option<Cow<'_, str>> {
        if let Some(text) = self.unicode.as_ref().and_then(|u| u.map(code)) {
            return Some(text);
        }
        let encoding = self.encoding.as_ref()?;
        let text = encoding.get(usize::try_from(code).ok()?)?;
        (!text.is_empty()).then_some(Cow::Borrowed(text.as_str()))
    }

    /// Width of a code in glyph space; `None` when unknown.
    fn width(&self, code: u32) -> Option<f64> {
        match &self.widths {
            Widths::Unknown => None,
            Widths::Simple {
                first,
                widths,
                missing,
            } => Some(
                code.checked_sub(*first)
                    .and_then(|i| widths.get(usize::try_from(i).ok()?))
                    .copied()
                    .unwrap_or(*missing),
            ),
            Widths::Cid { default, ranges } => Some(
                ranges
                    .range(..=code)
                    .next_back()
                    .filter(|(_, (last, _))| code <= *last)
                    .map_or(*default, |(_, (_, w))| *w),
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// Text placement

type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` in PDF's row-vector convention: `a` applies first.
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn translate(x: f64, y: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, x, y]
}

fn matrix(operands: &[Obj]) -> Option<Matrix> {
    let tail = operands.get(operands.len().checked_sub(6)?..)?;
    let mut m = [0.0; 6];
    for (slot, value) in m.iter_mut().zip(tail) {
        *slot = value.as_num()?;
    }
    Some(m)
}

/// Where the last piece of text was drawn, in device space.
#[derive(Debug, Clone, Copy)]
struct Mark {
    start: (f64, f64),
    end: (f64, f64),
    end_known: bool,
    dir: (f64, f64),
    size: f64,
}

/// Extracted text of one part, with line breaks and word spaces from the
/// positions text is drawn at.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    /// Length `out` may reach: what it has plus the byte budget left, as
    /// of the last [`Extractor::settle`].
    room: usize,
    /// Bytes of `out` already taken from the budget.
    charged: usize,
    full: bool,
    last: Option<Mark>,
    /// Open `/ActualText` spans; glyphs inside them are replaced.
    actual: usize,
    /// The replacement text of the outermost open span, until written.
    pending: Option<String>,
    /// The text ends with a soft hyphen: a line break here joins the word.
    hyphen: bool,
}

impl Writer {
    fn newline(&mut self) {
        if std::mem::take(&mut self.hyphen) {
            return;
        }
        while self.out.last() == Some(&b' ') {
            self.out.pop();
        }
        if self.out.last().is_some_and(|&b| b != b'\n') {
            self.push_bytes(b"\n");
        }
    }

    fn space(&mut self) {
        self.hyphen = false;
        if self.out.last().is_some_and(|&b| b != b' ' && b != b'\n') {
            self.push_bytes(b" ");
        }
    }

    /// Ends a block: the next text starts a line and is compared with nothing.
    fn block(&mut self) {
        self.hyphen = false;
        self.newline();
        self.last = None;
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        if self.full || self.out.len() + bytes.len() > self.room {
            self.full = true;
            return;
        }
        self.out.extend_from_slice(bytes);
    }

    /// Text, without control and invisible formatting characters.
    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '\n' | '\r' => self.newline(),
                '\t' | '\u{a0}' => self.space(),
                '\u{ad}' => self.hyphen = true,
                '\u{200b}' | '\u{feff}' => {}
                c if c.is_control() => {}
                c => {
                    self.hyphen = false;
                    let mut buf = [0; 4];
                    self.push_bytes(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }

    /// Text of glyphs: left out inside an `/ActualText` span.
    fn glyphs(&mut self, text: &str) {
        if self.actual == 0 {
            self.push_text(text);
        }
    }

    fn begin_actual(&mut self, text: String) {
        if self.actual == 0 {
            self.pending = Some(text);
        }
        self.actual += 1;
    }

    fn end_actual(&mut self) {
        if self.actual == 0 {
            return;
        }
        self.actual -= 1;
        if self.actual == 0
            && let Some(text) = self.pending.take()
        {
            self.push_text(&text);
        }
    }

    /// Text is about to be drawn with text rendering matrix `m`: break the
    /// line or add a space as its position says.
    fn place(&mut self, m: &Matrix, font_size: f64) {
        let origin = (m[4], m[5]);
        let length = m[0].hypot(m[1]);
        let dir = if length > 0.0 && length.is_finite() {
            (m[0] / length, m[1] / length)
        } else {
            (1.0, 0.0)
        };
        let scaled = font_size.abs() * (m[0] * m[3] - m[1] * m[2]).abs().sqrt();
        let size = if scaled.is_finite() && scaled > 0.0 {
            scaled
        } else {
            1.0
        };
        if let Some(last) = self.last {
            let s = size.max(last.size);
            let from = if last.end_known { last.end } else { last.start };
            let (dx, dy) = (origin.0 - from.0, origin.1 - from.1);
            let along = dx * last.dir.0 + dy * last.dir.1;
            let across = (dy * last.dir.0 - dx * last.dir.1).abs();
            let same_direction = dir.0 * last.dir.0 + dir.1 * last.dir.1 > 0.9;
            // Comparisons are written so that NaN breaks the line.
            if !(same_direction && across <= LINE_GAP * s) {
                self.newline();
            } else if last.end_known {
                if along > SPACE_GAP * s || along < -LINE_GAP * s {
                    self.space();
                }
            } else if along < -SPACE_GAP * s {
                // Without widths only a move back is known to part words.
                self.space();
            }
        }
        self.last = Some(Mark {
            start: origin,
            end: origin,
            end_known: false,
            dir,
            size,
        });
        if let Some(text) = self.pending.take() {
            self.push_text(&text);
        }
    }

    /// The text just drawn ends at the origin of `m`, if widths were known.
    fn moved(&mut self, m: &Matrix, known: bool) {
        if let Some(last) = &mut self.last {
            last.end = (m[4], m[5]);
            last.end_known = known;
        }
    }
}

/// Text strings: UTF-16BE or UTF-8 with a byte order mark, else
/// PDFDocEncoding, read as Latin-1.
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|p| match p {
                [h, l] => u16::from(*h) << 8 | u16::from(*l),
                _ => 0xfffd,
            })
            .collect();
        return utf16_string(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

// ---------------------------------------------------------------------------
// Pages and content streams

/// Graphics state kept by `q` and `Q`: the transformation and the text
/// state parameters.
#[derive(Clone)]
struct Gs {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
}

impl Gs {
    fn new(ctm: Matrix) -> Self {
        Self {
            ctm,
            font: None,
            size: 1.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
        }
    }
}

struct Extractor<'d, 'b> {
    doc: &'d Doc<'d>,
    budget: &'b mut Budget,
    stats: Stats,
    fonts: BTreeMap<u32, Rc<Font>>,
    /// Fonts written directly in a resource dictionary, by address.
    direct_fonts: BTreeMap<usize, Rc<Font>>,
    fallback: Option<Rc<Font>>,
    /// Streams read at least once.
    consumed: BTreeSet<u32>,
}

impl<'d> Extractor<'d, '_> {
    fn spent(&mut self) -> bool {
        if self.budget.bytes == 0 || self.budget.members == 0 {
            self.stats.truncated = true;
            return true;
        }
        false
    }

    /// The decoded data of stream object `num`.
    fn stream(&mut self, num: u32) -> Option<Vec<u8>> {
        let doc = self.doc;
        let entry = doc.objects.get(&num)?;
        let (start, end) = entry.stream?;
        let dict = entry.value.as_dict()?;
        let raw = doc.data.get(start..end)?;
        let again = !self.consumed.insert(num);
        decode(dict, raw, &doc.objects, self.budget, &mut self.stats, again)
    }

    /// Pages in order with their resources (inherited from the tree when
    /// the page has none).
    fn pages(&self) -> Vec<(&'d Dict, Option<&'d Dict>)> {
        let doc = self.doc;
        let mut out = Vec::new();
        let root = doc.dict(doc.trailer.get(b"Root".as_slice()));
        if let Some(tree) = root.and_then(|r| r.get(b"Pages".as_slice())) {
            let mut visited = BTreeSet::new();
            let mut stack: Vec<(&'d Obj, Option<&'d Dict>, usize)> = vec![(tree, None, 0)];
            while let Some((node, inherited, depth)) = stack.pop() {
                if let Obj::Ref(n) = node
                    && !visited.insert(*n)
                {
                    continue;
                }
                let Some(dict) = doc.dict(Some(node)) else {
                    continue;
                };
                let resources = doc.dict(dict.get(b"Resources".as_slice())).or(inherited);
                match doc.resolve(dict.get(b"Kids".as_slice()).unwrap_or(&NULL)) {
                    Obj::Array(kids) => {
                        if depth < MAX_TREE_DEPTH {
                            stack.extend(kids.iter().rev().map(|k| (k, resources, depth + 1)));
                        }
                    }
                    _ => out.push((dict, resources)),
                }
            }
        }
        if out.is_empty() {
            // No usable page tree: every page object, in number order.
            out = doc
                .objects
                .values()
                .filter_map(|e| e.value.as_dict())
                .filter(|d| d.get(b"Type".as_slice()).and_then(Obj::as_name) == Some(b"Page"))
                .map(|d| (d, doc.dict(d.get(b"Resources".as_slice()))))
                .collect();
        }
        out
    }

    /// The stream objects `/Contents` names: one, or an array of them.
    fn stream_refs(&self, obj: &Obj) -> Vec<u32> {
        let doc = self.doc;
        let items = match obj {
            Obj::Ref(n) => match doc.objects.get(n) {
                Some(entry) if entry.stream.is_some() => return vec![*n],
                Some(entry) => entry.value.as_array().unwrap_or_default(),
                None => return Vec::new(),
            },
            Obj::Array(items) => items.as_slice(),
            _ => return Vec::new(),
        };
        items
            .iter()
            .filter_map(|i| match i {
                Obj::Ref(n) => Some(*n),
                _ => None,
            })
            .collect()
    }

    fn page_text(&mut self, page: &'d Dict, resources: Option<&'d Dict>) -> Vec<u8> {
        let mut content = Vec::new();
        let refs = self.stream_refs(page.get(b"Contents".as_slice()).unwrap_or(&NULL));
        for num in refs {
            if let Some(data) = self.stream(num) {
                content.extend_from_slice(&data);
                content.push(b'\n');
            }
        }
        let mut writer = Writer::default();
        self.settle(&mut writer);
        self.run(&content, resources, IDENTITY, &mut writer, 0);
        self.settle(&mut writer);
        writer.out
    }

    /// Takes a writer's new output from the byte budget and bounds what it
    /// may write next by what is left; called after anything that may
    /// have decoded a stream meanwhile.
    fn settle(&mut self, writer: &mut Writer) {
        let fresh = writer.out.len().saturating_sub(writer.charged);
        self.budget.bytes = self.budget.bytes.saturating_sub(fresh);
        writer.charged = writer.out.len();
        writer.room = writer.out.len().saturating_add(self.budget.bytes);
        if writer.full {
            self.stats.truncated = true;
        }
    }

    fn font(&mut self, obj: &'d Obj) -> Rc<Font> {
        let key = match obj {
            Obj::Ref(n) => {
                if let Some(font) = self.fonts.get(n) {
                    return font.clone();
                }
                Ok(*n)
            }
            other => {
                let address = std::ptr::from_ref(other) as usize;
                if let Some(font) = self.direct_fonts.get(&address) {
                    return font.clone();
                }
                Err(address)
            }
        };
        let font = Rc::new(self.build_font(obj));
        match key {
            Ok(n) => self.fonts.insert(n, font.clone()),
            Err(address) => self.direct_fonts.insert(address, font.clone()),
        };
        font
    }

    /// The font for a `Tf` name, or the fallback.
    fn font_named(&mut self, resources: Option<&'d Dict>, name: &[u8]) -> Rc<Font> {
        let doc = self.doc;
        let found = resources
            .and_then(|r| doc.dict(r.get(b"Font".as_slice())))
            .and_then(|fonts| fonts.get(name));
        match found {
            Some(obj) if doc.resolve(obj).as_dict().is_some() => self.font(obj),
            _ => self.fallback_font(),
        }
    }

    /// When a font cannot be found: the document's only font with a
    /// `/ToUnicode` map if there is exactly one, else single-byte Latin.
    fn fallback_font(&mut self) -> Rc<Font> {
        if let Some(font) = &self.fallback {
            return font.clone();
        }
        let doc = self.doc;
        let mut with_map = doc.objects.iter().filter(|(_, e)| {
            e.value
                .as_dict()
                .is_some_and(|d| d.contains_key(b"ToUnicode".as_slice()))
        });
        let font = match (with_map.next(), with_map.next()) {
            (Some((&n, _)), None) => {
                let font = Rc::new(self.build_font(&Obj::Ref(n)));
                self.fonts.insert(n, font.clone());
                font
            }
            _ => Rc::new(Font::latin()),
        };
        self.fallback = Some(font.clone());
        font
    }

    fn build_font(&mut self, obj: &Obj) -> Font {
        let doc = self.doc;
        let Some(dict) = doc.resolve(obj).as_dict() else {
            return Font::latin();
        };
        let get = |key: &[u8]| doc.resolve(dict.get(key).unwrap_or(&NULL));
        let unicode = match dict.get(b"ToUnicode".as_slice()) {
            Some(Obj::Ref(n)) => self.stream(*n).map(|data| CMap::parse(&data)),
            _ => None,
        };
        if get(b"Subtype").as_name() == Some(b"Type0") {
            let encoding = get(b"Encoding").as_name().unwrap_or_default();
            let identity = encoding == b"Identity-H";
            let codes = if identity || encoding == b"Identity-V" {
                Codes::Two
            } else {
                match &unicode {
                    Some(map) if !map.spaces.is_empty() => Codes::Spaces(map.spaces.clone()),
                    _ => Codes::Two,
                }
            };
            let descendant = get(b"DescendantFonts")
                .as_array()
                .and_then(|a| a.first())
                .and_then(|d| doc.resolve(d).as_dict());
            let widths = match descendant {
                Some(d) if identity => self.cid_widths(d),
                _ => Widths::Unknown,
            };
            return Font {
                codes,
                unicode,
                encoding: None,
                widths,
                scale: 0.001,
            };
        }
        let mut encoding = base_encoding();
        if let Some(differences) = doc
            .dict(dict.get(b"Encoding".as_slice()))
            .and_then(|e| doc.resolve(e.get(b"Differences".as_slice())?).as_array())
        {
            let mut code = 0usize;
            for item in differences {
                match item {
                    Obj::Int(i) => code = usize::try_from(*i).unwrap_or(usize::MAX),
                    Obj::Name(name) => {
                        if let (Some(slot), Some(text)) = (encoding.get_mut(code), glyph_text(name))
                        {
                            *slot = text;
                        }
                        code = code.saturating_add(1);
                    }
                    _ => {}
                }
            }
        }
        let scale = match get(b"Subtype").as_name() {
            Some(b"Type3") => get(b"FontMatrix")
                .as_array()
                .and_then(|m| m.first())
                .and_then(Obj::as_num)
                .filter(|s| s.is_finite() && s.abs() < 1.0)
                .unwrap_or(0.001),
            _ => 0.001,
        };
        let first = get(b"FirstChar")
            .as_int()
            .and_then(|f| u32::try_from(f).ok());
        let widths = match (first, get(b"Widths").as_array()) {
            (Some(first), Some(list)) => Widths::Simple {
                first,
                widths: list
                    .iter()
                    .take(256)
                    .map(|w| doc.resolve(w).as_num().unwrap_or(0.0))
                    .collect(),
                missing: doc
                    .dict(dict.get(b"FontDescriptor".as_slice()))
                    .and_then(|d| d.get(b"MissingWidth".as_slice()))
                    .and_then(Obj::as_num)
                    .unwrap_or(0.0),
            },
            _ => Widths::Unknown,
        };
        Font {
            codes: Codes::One,
            unicode,
            encoding: Some(encoding),
            widths,
            scale,
        }
    }

    /// `/W` and `/DW` of a CID font: `c [w1 w2 ...]` and `c1 c2 w` entries.
    fn cid_widths(&self, font: &Dict) -> Widths {
        let doc = self.doc;
        let default = font
            .get(b"DW".as_slice())
            .and_then(Obj::as_num)
            .unwrap_or(1000.0);
        let mut ranges = BTreeMap::new();
        let list = doc
            .resolve(font.get(b"W".as_slice()).unwrap_or(&NULL))
            .as_array()
            .unwrap_or_default();
        let mut i = 0;
        while i < list.len() {
            let first = doc
                .resolve(&list[i])
                .as_int()
                .and_then(|c| u32::try_from(c).ok());
            let Some(first) = first else {
                i += 1;
                continue;
            };
            match list.get(i + 1).map(|o| doc.resolve(o)) {
                Some(Obj::Array(each)) => {
                    for (code, w) in (first..).zip(each) {
                        if let Some(w) = w.as_num() {
                            ranges.insert(code, (code, w));
                        }
                    }
                    i += 2;
                }
                Some(last) => {
                    let last = last.as_int().and_then(|c| u32::try_from(c).ok());
                    let width = list.get(i + 2).and_then(|w| doc.resolve(w).as_num());
                    if let (Some(last), Some(width)) = (last, width)
                        && last >= first
                    {
                        ranges.insert(first, (last, width));
                    }
                    i += 3;
                }
                None => break,
            }
        }
        Widths::Cid { default, ranges }
    }

    /// Interprets a content stream, writing the text it draws.
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dict>,
        ctm: Matrix,
        writer: &mut Writer,
        depth: usize,
    ) {
        let mut parser = Parser::new(content, 0, false);
        let mut operands: Vec<Obj> = Vec::new();
        let mut gs = Gs::new(ctm);
        let mut saved: Vec<Gs> = Vec::new();
        let mut unsaved = 0usize;
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut spans: Vec<bool> = Vec::new();
        while let Some(item) = parser.item() {
            if writer.full {
                break;
            }
            let op = match item {
                Item::Value(value) => {
                    if operands.len() >= MAX_OPERANDS {
                        operands.remove(0);
                    }
                    operands.push(value);
                    continue;
                }
                Item::Op(op) => op,
            };
            let num = |back: usize| {
                operands
                    .len()
                    .checked_sub(back)
                    .and_then(|i| operands.get(i))
                    .and_then(Obj::as_num)
            };
            match op {
                b"q" => {
                    if saved.len() < MAX_SAVED {
                        saved.push(gs.clone());
                    } else {
                        unsaved += 1;
                    }
                }
                b"Q" => {
                    if unsaved > 0 {
                        unsaved -= 1;
                    } else if let Some(previous) = saved.pop() {
                        gs = previous;
                    }
                }
                b"cm" => {
                    if let Some(m) = matrix(&operands) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    if let (Some(Obj::Name(name)), Some(size)) = (
                        operands.len().checked_sub(2).and_then(|i| operands.get(i)),
                        num(1),
                    ) {
                        gs.font = Some(self.font_named(resources, name));
                        gs.size = size;
                        self.settle(writer);
                    }
                }
                b"Tc" => gs.char_spacing = num(1).unwrap_or(gs.char_spacing),
                b"Tw" => gs.word_spacing = num(1).unwrap_or(gs.word_spacing),
                b"Tz" => gs.scaling = num(1).map_or(gs.scaling, |s| s / 100.0),
                b"TL" => gs.leading = num(1).unwrap_or(gs.leading),
                b"Td" | b"TD" => {
                    if let (Some(x), Some(y)) = (num(2), num(1)) {
                        tlm = mul(&translate(x, y), &tlm);
                        tm = tlm;
                        if op == b"TD" {
                            gs.leading = -y;
                        }
                    }
                }
                b"Tm" => {
                    if let Some(m) = matrix(&operands) {
                        tlm = m;
                        tm = m;
                    }
                }
                b"T*" => {
                    tlm = mul(&translate(0.0, -gs.leading), &tlm);
                    tm = tlm;
                    writer.newline();
                }
                b"Tj" | b"TJ" | b"'" | b"\"" => {
                    if op == b"\"" {
                        gs.word_spacing = num(3).unwrap_or(gs.word_spacing);
                        gs.char_spacing = num(2).unwrap_or(gs.char_spacing);
                    }
                    if op == b"'" || op == b"\"" {
                        tlm = mul(&translate(0.0, -gs.leading), &tlm);
                        tm = tlm;
                        writer.newline();
                    }
                    match operands.last() {
                        Some(Obj::Array(items)) if op == b"TJ" => {
                            self.show(&gs, &mut tm, items, writer);
                        }
                        Some(s @ Obj::Str(_)) if op != b"TJ" => {
                            self.show(&gs, &mut tm, std::slice::from_ref(s), writer);
                        }
                        _ => {}
                    }
                }
                b"BMC" => spans.push(false),
                b"BDC" => {
                    let actual = operands
                        .last()
                        .and_then(Obj::as_dict)
                        .and_then(|d| d.get(b"ActualText".as_slice()))
                        .and_then(Obj::as_str);
                    spans.push(actual.is_some());
                    if let Some(text) = actual {
                        writer.begin_actual(text_string(text));
                    }
                }
                // Closing a span pops it whatever it was; only an
                // `/ActualText` span has more to do.
                b"EMC" if spans.pop() == Some(true) => writer.end_actual(),
                b"Do" => {
                    if let Some(Obj::Name(name)) = operands.last() {
                        self.form(resources, name, &gs.ctm, writer, depth);
                        self.settle(writer);
                    }
                }
                // Inline image data is binary: skip to its `EI`.
                b"ID" => parser.lex.pos = inline_image_end(content, parser.lex.pos),
                _ => {}
            }
            operands.clear();
        }
        for open in spans {
            if open {
                writer.end_actual();
            }
        }
    }

    /// Draws text: `items` are strings and `TJ` adjustments.
    fn show(&mut self, gs: &Gs, tm: &mut Matrix, items: &[Obj], writer: &mut Writer) {
        let font = match &gs.font {
            Some(font) => font.clone(),
            None => self.fallback_font(),
        };
        writer.place(&mul(tm, &gs.ctm), gs.size);
        let mut advance = 0.0;
        let mut known = true;
        for item in items {
            match item {
                Obj::Str(bytes) => {
                    let mut rest = bytes.as_slice();
                    while !rest.is_empty() {
                        if writer.full {
                            return;
                        }
                        let (code, len) = font.next_code(rest);
                        rest = &rest[len..];
                        if writer.actual == 0
                            && let Some(text) = font.text(code)
                        {
                            writer.glyphs(&text);
                        }
                        match font.width(code) {
                            Some(width) => {
                                let word = if len == 1 && code == 32 {
                                    gs.word_spacing
                                } else {
                                    0.0
                                };
                                advance += (width * font.scale * gs.size + gs.char_spacing + word)
                                    * gs.scaling;
                            }
                            None => known = false,
                        }
                    }
                }
                other => {
                    if let Some(adjust) = other.as_num() {
                        if adjust < SPACE_KERN {
                            writer.space();
                        }
                        advance -= adjust / 1000.0 * gs.size * gs.scaling;
                    }
                }
            }
        }
        *tm = mul(&translate(advance, 0.0), tm);
        writer.moved(&mul(tm, &gs.ctm), known);
    }

    /// Draws a form XObject named in the resources.
    fn form(
        &mut self,
        resources: Option<&'d Dict>,
        name: &[u8],
        ctm: &Matrix,
        writer: &mut Writer,
        depth: usize,
    ) {
        let doc = self.doc;
        if depth >= MAX_FORM_DEPTH {
            return;
        }
        let Some(Obj::Ref(num)) = resources
            .and_then(|r| doc.dict(r.get(b"XObject".as_slice())))
            .and_then(|x| x.get(name))
        else {
            return;
        };
        let Some(dict) = doc.objects.get(num).and_then(|e| e.value.as_dict()) else {
            return;
        };
        if dict.get(b"Subtype".as_slice()).and_then(Obj::as_name) != Some(b"Form") {
            return;
        }
        let own = doc.dict(dict.get(b"Resources".as_slice()));
        let form_matrix = dict
            .get(b"Matrix".as_slice())
            .and_then(Obj::as_array)
            .and_then(matrix)
            .unwrap_or(IDENTITY);
        let Some(content) = self.stream(*num) else {
            return;
        };
        self.run(
            &content,
            own.or(resources),
            mul(&form_matrix, ctm),
            writer,
            depth + 1,
        );
    }

    /// Everything outside the pages: strings of objects, streams no page
    /// drew (annotation appearances, attachments, scripts), document
    /// information and XMP metadata.
    fn rest(&mut self) -> (Vec<u8>, Vec<u8>) {
        let doc = self.doc;
        let info = doc.trailer.get(b"Info".as_slice());
        let info_num = match info {
            Some(Obj::Ref(n)) => Some(*n),
            _ => None,
        };
        let mut text = Writer::default();
        let mut metadata = Writer::default();
        self.settle(&mut text);
        self.settle(&mut metadata);
        if let Some(Obj::Dict(direct)) = info {
            direct.values().for_each(|v| strings(v, &mut metadata));
        }
        let skip = font_programs(&doc.objects);
        for (&num, entry) in &doc.objects {
            self.settle(&mut text);
            self.settle(&mut metadata);
            if text.full || metadata.full {
                break;
            }
            let target = if Some(num) == info_num {
                &mut metadata
            } else {
                &mut text
            };
            strings(&entry.value, target);
            if entry.stream.is_none() || self.consumed.contains(&num) || skip.contains(&num) {
                continue;
            }
            let Some(dict) = entry.value.as_dict() else {
                continue;
            };
            let name = |key: &[u8]| dict.get(key).and_then(Obj::as_name).unwrap_or_default();
            let (kind, subtype) = (name(b"Type"), name(b"Subtype"));
            if matches!(kind, b"XRef" | b"ObjStm")
                || matches!(
                    subtype,
                    b"Image" | b"Type1C" | b"CIDFontType0C" | b"OpenType"
                )
                || dict.contains_key(b"Length1".as_slice())
            {
                continue;
            }
            if self.spent() {
                break;
            }
            let Some(data) = self.stream(num) else {
                continue;
            };
            let resources = doc.dict(dict.get(b"Resources".as_slice()));
            if subtype == b"Form" || looks_like_content(&data) {
                text.block();
                self.run(&data, resources, IDENTITY, &mut text, 1);
                text.block();
            } else if is_text(&data) {
                let target = if kind == b"Metadata" {
                    &mut metadata
                } else {
                    &mut text
                };
                target.block();
                target.push_bytes(&data);
                target.block();
            }
        }
        self.settle(&mut text);
        self.settle(&mut metadata);
        (text.out, metadata.out)
    }
}

/// Streams that hold fonts, CMaps, glyph sets or Type 3 glyph procedures:
/// nothing to read as text.
fn font_programs(objects: &Objects) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for entry in objects.values() {
        let Some(dict) = entry.value.as_dict() else {
            continue;
        };
        for key in [
            b"ToUnicode".as_slice(),
            b"FontFile",
            b"FontFile2",
            b"FontFile3",
            b"CIDSet",
        ] {
            if let Some(Obj::Ref(n)) = dict.get(key) {
                out.insert(*n);
            }
        }
        // The glyph procedures of a Type 3 font draw shapes, not text.
        if let Some(procs) = dict
            .get(b"CharProcs".as_slice())
            .map(|p| resolve(objects, p))
            .and_then(Obj::as_dict)
        {
            out.extend(procs.values().filter_map(|p| match p {
                Obj::Ref(n) => Some(*n),
                _ => None,
            }));
        }
    }
    out
}

/// Strings of a value that read as text, one per line.
fn strings(value: &Obj, writer: &mut Writer) {
    match value {
        Obj::Str(bytes) => {
            let text = text_string(bytes);
            let printable = text
                .chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
            if printable && text.trim().chars().count() >= 4 {
                writer.block();
                writer.push_text(&text);
                writer.block();
            }
        }
        Obj::Array(items) => items.iter().for_each(|i| strings(i, writer)),
        Obj::Dict(dict) => dict.values().for_each(|v| strings(v, writer)),
        _ => {}
    }
}

/// Whether decoded stream data draws text.
fn looks_like_content(data: &[u8]) -> bool {
    let finder = |needle: &[u8]| memchr::memmem::find(data, needle).is_some();
    finder(b"BT") && (finder(b"Tj") || finder(b"TJ"))
}

/// Where the data of an inline image that starts after `ID` at `from` ends:
/// after an `EI` between white space.
fn inline_image_end(data: &[u8], from: usize) -> usize {
    let mut at = from.saturating_add(1);
    while let Some(k) = data
        .get(at..)
        .and_then(|rest| memchr::memmem::find(rest, b"EI"))
    {
        let e = at + k;
        let before = e > 0 && is_white(data[e - 1]);
        let after = data.get(e + 2).is_none_or(|&b| is_white(b) || is_delim(b));
        if before && after {
            return e + 2;
        }
        at = e + 2;
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use miniz_oxide::deflate::compress_to_vec_zlib;

    use super::*;

    fn budget() -> Budget {
        Budget {
            bytes: 32 << 20,
            members: 4096,
        }
    }

    /// A PDF from numbered object bodies and a trailer dictionary.
    fn pdf(objects: &[(u32, Vec<u8>)], trailer: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        for (num, body) in objects {
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        out.extend_from_slice(format!("trailer\n{trailer}\n%%EOF\n").as_bytes());
        out
    }

    fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    }

    fn flate(data: &[u8]) -> Vec<u8> {
        compress_to_vec_zlib(data, 6)
    }

    /// A one-page PDF with a Helvetica font `F1` and `content`.
    fn page(content: &[u8]) -> Vec<u8> {
        pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
                (
                    3,
                    b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                        .to_vec(),
                ),
                (4, stream("", content)),
                (
                    5,
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
                ),
            ],
            "<< /Root 1 0 R >>",
        )
    }

    fn parts(data: &[u8]) -> Vec<(String, String)> {
        extract(data, &mut budget())
            .expect("a readable PDF")
            .parts
            .into_iter()
            .map(|p| (p.label, String::from_utf8_lossy(&p.text).into_owned()))
            .collect()
    }

    fn page_text(content: &[u8]) -> String {
        parts(&page(content))
            .into_iter()
            .find(|(label, _)| label == "page 1")
            .map(|(_, text)| text.trim_end().to_owned())
            .unwrap_or_default()
    }

    fn lex_str(source: &[u8]) -> Vec<u8> {
        match Lexer::new(source, 0).next() {
            Some(Tok::Str(s)) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn literal_strings_decode_escapes_and_balanced_parentheses() {
        assert_eq!(
            lex_str(br"(a\nb\tc\(d\)\\e \101\61\0611 (in (deep)) x\qy)"),
            b"a\nb\tc(d)\\e A111 (in (deep)) xqy"
        );
        assert_eq!(lex_str(b"(\\b\\f\\r)"), b"\x08\x0c\r");
        // A backslash at the end of a line continues the string; a bare
        // end of line reads as `\n`.
        assert_eq!(lex_str(b"(ab\\\ncd\\\r\nef\r\ngh\ri)"), b"abcdef\ngh\ni");
        // `\0` and three-digit octal wrap to a byte.
        assert_eq!(lex_str(br"(\0\777)"), b"\x00\xff");
        // Unterminated: to the end, no panic.
        assert_eq!(lex_str(b"(abc (def"), b"abc (def");
        assert_eq!(lex_str(b"(abc\\"), b"abc");
    }

    #[test]
    fn hex_strings_ignore_white_space_and_pad_odd_digits() {
        assert_eq!(lex_str(b"<48 65 6c\n6C6f>"), b"Hello");
        assert_eq!(lex_str(b"<4>"), b"\x40");
        assert_eq!(lex_str(b"<48zz65>"), b"He");
        assert_eq!(lex_str(b"<486"), b"H\x60");
    }

    #[test]
    fn names_numbers_and_references_parse() {
        let mut parser = Parser::new(
            b"<< /A#20B 12 /R 7 0 R /N -3.5 /L [1 2 0 R 3] /T true /E null >>",
            0,
            true,
        );
        let Some(Item::Value(Obj::Dict(d))) = parser.item() else {
            panic!("no dict");
        };
        assert_eq!(d.get(b"A B".as_slice()), Some(&Obj::Int(12)));
        assert_eq!(d.get(b"R".as_slice()), Some(&Obj::Ref(7)));
        assert_eq!(d.get(b"N".as_slice()), Some(&Obj::Real(-3.5)));
        assert_eq!(
            d.get(b"L".as_slice()),
            Some(&Obj::Array(vec![Obj::Int(1), Obj::Ref(2), Obj::Int(3)]))
        );
        assert_eq!(d.get(b"T".as_slice()), Some(&Obj::Bool(true)));
        assert_eq!(d.get(b"E".as_slice()), Some(&Obj::Null));
    }

    #[test]
    fn tj_and_tj_arrays_join_pieces_and_kerning_makes_spaces() {
        assert_eq!(
            page_text(b"BT /F1 12 Tf 72 700 Td [(Hel) -20 (lo) -300 (wor) 40 (ld)] TJ ET"),
            "Hello world"
        );
        // A token split over several `Tj` on one line stays whole; a move
        // down starts a new line.
        assert_eq!(
            page_text(
                b"BT /F1 12 Tf 72 700 Td (sk_) Tj (li) Tj (ve) Tj 0 -14 Td (next) Tj T* (third) Tj ET"
            ),
            "sk_live\nnext\nthird"
        );
        // `'` and `"` move to the next line first.
        assert_eq!(
            page_text(b"BT /F1 10 Tf 14 TL 72 700 Td (one) Tj (two) ' 1 0 (three) \" ET"),
            "one\ntwo\nthree"
        );
        // A soft hyphen at the end of a line joins the word.
        assert_eq!(
            page_text(b"BT /F1 10 Tf 72 700 Td (rota\xad) Tj 0 -12 Td (tion next) Tj ET"),
            "rotation next"
        );
        // `Tm` to another line breaks it; to the same line does not.
        assert_eq!(
            page_text(
                b"BT /F1 10 Tf 1 0 0 1 72 700 Tm (ab) Tj 1 0 0 1 72 700 Tm (cd) Tj 1 0 0 1 72 680 Tm (ef) Tj ET"
            ),
            "abcd\nef"
        );
    }

    #[test]
    fn widths_tell_word_gaps_from_joined_pieces() {
        // Widths of 500/1000 em: at 10 pt each character advances 5.
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                (
                    3,
                    b"<< /Type /Page /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                        .to_vec(),
                ),
                (
                    4,
                    stream(
                        "",
                        b"BT /F1 10 Tf 1 0 0 1 100 700 Tm (Token) Tj ET\n\
                          BT /F1 10 Tf 1 0 0 1 200 700 Tm (ghp_) Tj ET\n\
                          BT /F1 10 Tf 1 0 0 1 220 700 Tm (abc) Tj ET",
                    ),
                ),
                (
                    5,
                    format!(
                        "<< /Type /Font /Subtype /TrueType /FirstChar 32 /LastChar 126 /Widths [{}] >>",
                        vec!["500"; 95].join(" ")
                    )
                    .into_bytes(),
                ),
            ],
            "<< /Root 1 0 R >>",
        );
        let text = parts(&doc);
        assert_eq!(text[0].1.trim_end(), "Token ghp_abc", "{text:?}");
    }

    #[test]
    fn cmaps_map_single_codes_ranges_and_arrays() {
        let cmap = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
              1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
              2 beginbfchar <0003> <0073> <0004> /underscore endbfchar\n\
              2 beginbfrange <0010> <0019> <0030>\n\
              <0020> <0022> [<0041> <0042> <00660069>] endbfrange\n\
              1 beginbfrange <D800> <D801> <D835DC00> endbfrange\n\
              endcmap CMapName currentdict /CMap defineresource pop end end",
        );
        assert_eq!(cmap.spaces.len(), 1);
        assert_eq!(cmap.map(3).as_deref(), Some("s"));
        assert_eq!(cmap.map(4).as_deref(), Some("_"));
        assert_eq!(cmap.map(0x10).as_deref(), Some("0"));
        assert_eq!(cmap.map(0x12).as_deref(), Some("2"));
        assert_eq!(cmap.map(0x19).as_deref(), Some("9"));
        assert_eq!(cmap.map(0x1a), None);
        assert_eq!(cmap.map(0x20).as_deref(), Some("A"));
        assert_eq!(cmap.map(0x22).as_deref(), Some("fi"));
        assert_eq!(cmap.map(0x23), None);
        // A surrogate pair target: the range steps the low surrogate.
        assert_eq!(cmap.map(0xd801).as_deref(), Some("\u{1d401}"));

        // Mixed code lengths: one byte below 0x80, two from 0x81.
        let mixed = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9ffc> endcodespacerange\n\
              2 beginbfchar <41> <0041> <8140> <3000> endbfchar",
        );
        let font = Font {
            codes: Codes::Spaces(mixed.spaces.clone()),
            unicode: Some(mixed),
            encoding: None,
            widths: Widths::Unknown,
            scale: 0.001,
        };
        assert_eq!(font.next_code(b"\x41\x81\x40"), (0x41, 1));
        assert_eq!(font.next_code(b"\x81\x40"), (0x8140, 2));
        assert_eq!(font.text(0x8140).as_deref(), Some("\u{3000}"));

        // No code space: the source codes give the width.
        let implied = CMap::parse(b"1 beginbfchar <0102> <0041> endbfchar");
        assert_eq!(implied.spaces.first().map(|s| s.len), Some(2));
    }

    #[test]
    fn type0_fonts_in_object_streams_decode_two_byte_codes() {
        let cmap = b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
                     3 beginbfchar <0001> <0041> <0002> <0042> <0003> <005F> endbfchar endcmap";
        let members = [
            "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H \
             /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            "<< /Type /Font /Subtype /CIDFontType2 /DW 500 /W [1 [600 600] 3 3 500] >>",
        ];
        let offsets = format!("5 0 6 {}", members[0].len() + 1);
        let body = format!("{offsets}\n{} {}", members[0], members[1]);
        let objstm = stream(
            &format!(
                "/Type /ObjStm /N 2 /First {} /Filter /FlateDecode",
                offsets.len() + 1
            ),
            &flate(body.as_bytes()),
        );
        let content = flate(b"BT /F1 12 Tf 72 700 Td <00010002> Tj [<0003> -30 <0001>] TJ ET");
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                (
                    3,
                    b"<< /Type /Page /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                        .to_vec(),
                ),
                (4, stream("/Filter /FlateDecode", &content)),
                (7, stream("", cmap)),
                (8, objstm),
            ],
            "<< /Root 1 0 R >>",
        );
        let text = parts(&doc);
        assert_eq!(
            text[0],
            ("page 1".to_owned(), "AB_A".to_owned()),
            "{text:?}"
        );
    }

    #[test]
    fn unresolved_fonts_fall_back_to_the_only_tounicode_map() {
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
                     1 beginbfchar <0009> <0078> endbfchar";
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                // No resources at all.
                (3, b"<< /Type /Page /Contents 4 0 R >>".to_vec()),
                (4, stream("", b"BT /Fx 9 Tf <00090009> Tj ET")),
                (
                    5,
                    b"<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /ToUnicode 6 0 R >>"
                        .to_vec(),
                ),
                (6, stream("", cmap)),
            ],
            "<< /Root 1 0 R >>",
        );
        assert_eq!(parts(&doc)[0].1, "xx");
        // Without any map, codes read as single-byte Latin.
        assert_eq!(
            page_text(b"BT /Nope 9 Tf (caf\xe9 \x80) Tj ET"),
            "caf\u{e9} \u{20ac}"
        );
    }

    #[test]
    fn encodings_with_differences_name_glyphs() {
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                (
                    3,
                    b"<< /Type /Page /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                        .to_vec(),
                ),
                (4, stream("", b"BT /F1 9 Tf (\x01\x02\x03ab) Tj ET")),
                (
                    5,
                    b"<< /Type /Font /Subtype /Type1 /Encoding << /Differences [1 /s /k /underscore 97 /uni0041 /f_i.alt] >> >>"
                        .to_vec(),
                ),
            ],
            "<< /Root 1 0 R >>",
        );
        assert_eq!(parts(&doc)[0].1, "sk_Afi");
    }

    #[test]
    fn forms_actual_text_and_inline_images() {
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>".to_vec()),
                (3, b"<< /Type /Page /Parent 2 0 R /Contents [4 0 R 7 0 R] >>".to_vec()),
                (
                    4,
                    stream(
                        "",
                        b"BT /F1 9 Tf 10 700 Td /Span << /ActualText (fi) >> BDC (X) Tj EMC (nal) Tj ET\n\
                          BI /W 2 /H 2 /BPC 8 /CS /G ID \x00(\xffEIx) EI\n\
                          q 1 0 0 1 0 -100 cm /X1 Do Q",
                    ),
                ),
                (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_vec()),
                (
                    6,
                    stream(
                        "/Type /XObject /Subtype /Form /BBox [0 0 100 100]",
                        b"BT /F1 9 Tf 10 700 Td (in a form) Tj ET",
                    ),
                ),
                (7, stream("", b"BT /F1 9 Tf 10 650 Td (second stream) Tj ET")),
            ],
            "<< /Root 1 0 R >>",
        );
        let text = parts(&doc);
        assert_eq!(
            text[0].1.trim_end(),
            "final\nin a form\nsecond stream",
            "{text:?}"
        );
    }

    #[test]
    fn metadata_strings_and_other_streams_are_text_too() {
        let xmp = b"<x:xmpmeta><dc:creator>ops@example.test</dc:creator></x:xmpmeta>";
        let doc = pdf(
            &[
                (
                    1,
                    b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>".to_vec(),
                ),
                (2, b"<< /Type /Pages /Kids [] >>".to_vec()),
                (
                    5,
                    b"<< /Author (Jane) /Subject <FEFF00480069002000740068006500720065> >>"
                        .to_vec(),
                ),
                (6, stream("/Type /Metadata /Subtype /XML", xmp)),
                (
                    7,
                    b"<< /Type /Annot /Subtype /Text /Contents (note: rotate the key) >>".to_vec(),
                ),
                (
                    8,
                    stream(
                        "/Type /EmbeddedFile /Filter /FlateDecode",
                        &flate(b"TOKEN=abc\n"),
                    ),
                ),
                (
                    9,
                    stream("/Subtype /Image /Width 1 /Height 1", b"(hidden) Tj"),
                ),
                (
                    10,
                    b"<< /Type /Font /Subtype /Type3 /CharProcs << /a 11 0 R >> >>".to_vec(),
                ),
                (11, stream("", b"500 0 d0 BT (glyph) Tj ET")),
            ],
            "<< /Root 1 0 R /Info 5 0 R >>",
        );
        let text = parts(&doc);
        let part = |label: &str| {
            text.iter()
                .find(|(l, _)| l == label)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        };
        assert!(part("metadata").contains("Jane"), "{text:?}");
        assert!(part("metadata").contains("Hi there"), "{text:?}");
        assert!(part("metadata").contains("ops@example.test"), "{text:?}");
        assert!(part("text").contains("note: rotate the key"), "{text:?}");
        assert!(part("text").contains("TOKEN=abc"), "{text:?}");
        assert!(!part("text").contains("hidden"), "{text:?}");
        assert!(!part("text").contains("glyph"), "{text:?}");
    }

    #[test]
    fn filters_ascii85_hex_and_png_predictors() {
        assert_eq!(ascii85(b"<~87cURD]i,\"Ebo7~>"), b"Hello World");
        assert_eq!(ascii85(b"z!!~>"), b"\0\0\0\0\0");
        assert_eq!(ascii85(b"s8W-!~>"), b"\xff\xff\xff\xff");
        // An impossible group stops decoding.
        assert_eq!(ascii85(b"uuuuu"), b"");
        let mut parms = Dict::new();
        parms.insert(b"Predictor".to_vec(), Obj::Int(12));
        parms.insert(b"Columns".to_vec(), Obj::Int(3));
        // Rows: "Sub" (1), then "Up" (2) adding to the row above.
        let encoded = vec![1, b'a', 1, 1, 2, 0, 1, 2];
        assert_eq!(predict(encoded, Some(&parms)), Some(b"abcace".to_vec()));
        parms.insert(b"Predictor".to_vec(), Obj::Int(2));
        assert_eq!(predict(b"abc".to_vec(), Some(&parms)), None);
        parms.insert(b"Predictor".to_vec(), Obj::Int(12));
        parms.insert(b"Columns".to_vec(), Obj::Int(-4));
        assert_eq!(predict(b"abc".to_vec(), Some(&parms)), None);

        let content = b"BT /F1 9 Tf (through filters) Tj ET";
        let mut hex: Vec<u8> = flate(content)
            .iter()
            .flat_map(|b| format!("{b:02x}").into_bytes())
            .collect();
        hex.push(b'>');
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                (3, b"<< /Type /Page /Contents 4 0 R >>".to_vec()),
                (4, stream("/Filter [/AHx /Fl]", &hex)),
            ],
            "<< /Root 1 0 R >>",
        );
        assert_eq!(parts(&doc)[0].1, "through filters");
    }

    #[test]
    fn byte_budget_stops_a_bomb_and_keeps_earlier_pages() {
        let mut bomb = b"BT /F1 9 Tf (".to_vec();
        bomb.resize(8 << 20, b'a');
        bomb.extend_from_slice(b") Tj ET");
        let compressed = flate(&bomb);
        assert!(compressed.len() < 64 * 1024);
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R 5 0 R 7 0 R] >>".to_vec()),
                (3, b"<< /Type /Page /Contents 4 0 R >>".to_vec()),
                (4, stream("", b"BT /F1 9 Tf (first page) Tj ET")),
                (5, b"<< /Type /Page /Contents 6 0 R >>".to_vec()),
                (6, stream("/Filter /FlateDecode", &compressed)),
                (7, b"<< /Type /Page /Contents 8 0 R >>".to_vec()),
                (8, stream("", b"BT /F1 9 Tf (after the bomb) Tj ET")),
            ],
            "<< /Root 1 0 R >>",
        );
        let mut small = Budget {
            bytes: 1 << 20,
            members: 100,
        };
        let extraction = extract(&doc, &mut small).expect("readable");
        assert!(extraction.truncated);
        assert_eq!(small.bytes, 0);
        let all: Vec<String> = extraction
            .parts
            .iter()
            .map(|p| String::from_utf8_lossy(&p.text).into_owned())
            .collect();
        assert_eq!(all[0], "first page");
        assert!(
            all.iter()
                .all(|t| t.len() <= 1 << 20 && !t.contains("after"))
        );

        // The stream budget: three content streams, two allowed.
        let mut few = Budget {
            bytes: 1 << 20,
            members: 2,
        };
        let extraction = extract(&doc, &mut few).expect("readable");
        assert!(extraction.truncated);
        assert_eq!(few.members, 0);
    }

    #[test]
    fn lying_lengths_still_find_the_stream_end() {
        for length in ["3", "100000", "-5", "9 0 R", "(x)"] {
            let doc = pdf(
                &[
                    (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                    (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                    (3, b"<< /Type /Page /Contents 4 0 R >>".to_vec()),
                    (
                        4,
                        format!("<< /Length {length} >>\nstream\nBT (found) Tj ET\nendstream")
                            .into_bytes(),
                    ),
                ],
                "<< /Root 1 0 R >>",
            );
            assert_eq!(parts(&doc)[0].1, "found", "/Length {length}");
        }
        // Without a usable length, an `endstream` inside the data is not
        // taken for the end: the one before `endobj` is.
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (2, b"<< /Type /Pages /Kids [3 0 R] >>".to_vec()),
                (3, b"<< /Type /Page /Contents 4 0 R >>".to_vec()),
                (
                    4,
                    b"<< /Length 9 0 R >>\nstream\nBT 0 0 Td (before) Tj ET %endstream x\n\
                      BT 0 -20 Td (after) Tj ET\nendstream"
                        .to_vec(),
                ),
                (9, b"62".to_vec()),
            ],
            "<< /Root 1 0 R >>",
        );
        assert_eq!(parts(&doc)[0].1, "before\nafter");
    }

    #[test]
    fn malformed_input_never_panics() {
        let good = page(b"BT /F1 12 Tf 72 700 Td [(Hel) -300 (lo)] TJ ET");
        for cut in 0..good.len() {
            let _ = extract(&good[..cut], &mut budget());
        }
        let mut flipped = good.clone();
        for i in (0..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5a;
            let _ = extract(&flipped, &mut budget());
        }
        let deep = |open: &[u8], close: &[u8]| {
            let mut body = b"%PDF-1.4\n1 0 obj\n".to_vec();
            body.extend(open.repeat(100_000));
            body.extend(close.repeat(50_000));
            body.extend_from_slice(b"\nendobj\n");
            body
        };
        for doc in [
            deep(b"[", b"]"),
            deep(b"<<", b">>"),
            deep(b"<< /K [", b"] >>"),
        ] {
            let _ = extract(&doc, &mut budget());
        }
        let mut content = b"BT ".to_vec();
        content.extend(b"[".repeat(100_000));
        content.extend(b"(x) Tj q ".repeat(10_000));
        content.extend(b"BDC ".repeat(1_000));
        content.extend(b"EMC Q Q Q ET ( unbalanced".repeat(1_000));
        let _ = page_text(&content);
        // Headers without bodies, unterminated strings and streams.
        let mut junk = b"%PDF-1.5\n".to_vec();
        junk.extend(b"1 0 obj (".repeat(20_000));
        junk.extend(b"2 0 obj << /Length 99999999999999999999 >> stream\n".repeat(5_000));
        junk.extend(b"3 0 obj << /Type /ObjStm /N 99999999 /First 5 >> stream\nxx".repeat(1_000));
        let _ = extract(&junk, &mut budget());
    }

    #[test]
    fn encrypted_and_empty_files_give_nothing() {
        let doc = pdf(
            &[
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (
                    2,
                    b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>".to_vec(),
                ),
            ],
            "<< /Root 1 0 R /Encrypt 2 0 R /ID [<01> <01>] >>",
        );
        assert!(extract(&doc, &mut budget()).is_none());
        assert!(extract(b"%PDF-1.4\nnothing here\n", &mut budget()).is_none());
    }

    #[test]
    fn pdf_headers_are_recognised_after_a_little_junk() {
        assert!(is_pdf(b"%PDF-1.7\n"));
        assert!(is_pdf(b"\xef\xbb\xbf  %PDF-2.0\n"));
        let mut late = vec![b' '; HEADER_WINDOW];
        late.extend_from_slice(b"%PDF-1.7\n");
        assert!(!is_pdf(&late));
        assert!(!is_pdf(b"%PDF-x"));
        assert!(!is_pdf(b"PK\x03\x04%PDF-1.4"));
    }
}

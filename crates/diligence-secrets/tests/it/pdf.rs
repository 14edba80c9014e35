//! PDFs: the text their pages draw is scanned and findings name the page
//! (`doc.pdf!page 2`). The PDFs are built here the way generators write
//! them: a Type 1 font with literal strings, and a compressed page with a
//! Type 0 font (two-byte Identity-H codes, a `/ToUnicode` CMap, the font
//! dictionaries inside an object stream) that splits the secret over two
//! `Tj` operators and kerns it in a `TJ` array. When `pdftotext` is
//! installed it reads the same files, which shows they are sound.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use diligence_model::FactValue;
use diligence_secrets::{
    BlobOutcome, Engine, EngineOptions, FinishOptions, Origin, RuleSet, Session,
};
use miniz_oxide::deflate::compress_to_vec_zlib;

use crate::common::{Rng, alnum, checksummed, engine};

enum Place {
    At(usize),
    Packed(u32, u32),
}

/// Writes a PDF object by object, then a cross-reference section: a
/// table, or a cross-reference stream when objects are packed.
struct Builder {
    out: Vec<u8>,
    places: BTreeMap<u32, Place>,
}

impl Builder {
    fn new() -> Self {
        Self {
            out: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            places: BTreeMap::new(),
        }
    }

    fn object(&mut self, num: u32, body: &str) -> &mut Self {
        self.places.insert(num, Place::At(self.out.len()));
        self.out
            .extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
        self
    }

    fn stream(&mut self, num: u32, dict: &str, data: &[u8]) -> &mut Self {
        self.places.insert(num, Place::At(self.out.len()));
        self.out.extend_from_slice(
            format!("{num} 0 obj\n<< {dict} /Length {} >>\nstream\n", data.len()).as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        self
    }

    /// An object stream holding `members`, compressed.
    fn packed(&mut self, num: u32, members: &[(u32, String)]) -> &mut Self {
        let mut header = String::new();
        let mut body = String::new();
        for (index, (member, text)) in members.iter().enumerate() {
            header.push_str(&format!("{member} {} ", body.len()));
            body.push_str(text);
            body.push('\n');
            self.places
                .insert(*member, Place::Packed(num, u32::try_from(index).unwrap()));
        }
        let data = compress_to_vec_zlib(format!("{header}\n{body}").as_bytes(), 6);
        let dict = format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            members.len(),
            header.len() + 1
        );
        self.stream(num, &dict, &data)
    }

    fn finish(mut self, trailer: &str) -> Vec<u8> {
        let packed = self.places.values().any(|p| matches!(p, Place::Packed(..)));
        let start = self.out.len();
        if packed {
            let num = self.places.keys().max().copied().unwrap_or(0) + 1;
            self.places.insert(num, Place::At(start));
            let size = num + 1;
            let mut rows = Vec::new();
            for i in 0..size {
                let (kind, field, index): (u8, u32, u16) = match self.places.get(&i) {
                    Some(Place::At(offset)) => (1, u32::try_from(*offset).unwrap(), 0),
                    Some(Place::Packed(stream, index)) => {
                        (2, *stream, u16::try_from(*index).unwrap())
                    }
                    None => (0, 0, 0xffff),
                };
                rows.push(kind);
                rows.extend_from_slice(&field.to_be_bytes());
                rows.extend_from_slice(&index.to_be_bytes());
            }
            let dict = format!("/Type /XRef /Size {size} /W [1 4 2] {trailer}");
            self.stream(num, &dict, &rows);
        } else {
            let size = self.places.keys().max().copied().unwrap_or(0) + 1;
            let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
            for i in 1..size {
                match self.places.get(&i) {
                    Some(Place::At(offset)) => table.push_str(&format!("{offset:010} 00000 n \n")),
                    _ => table.push_str("0000000000 65535 f \n"),
                }
            }
            table.push_str(&format!("trailer\n<< /Size {size} {trailer} >>\n"));
            self.out.extend_from_slice(table.as_bytes());
        }
        self.out
            .extend_from_slice(format!("startxref\n{start}\n%%EOF\n").as_bytes());
        self.out
    }
}

/// A PDF literal string: parentheses and backslashes escaped, and every
/// `s` written as the octal escape `\163`, so that the raw file never
/// holds the value as it reads.
fn literal(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            's' => out.push_str("\\163"),
            c => out.push(c),
        }
    }
    out.push(')');
    out
}

/// Simple PDF: two pages, Helvetica (Type 1, no widths), uncompressed
/// content, the secret on page 2 after its label.
fn simple_pdf(secret: &str, info: &str) -> Vec<u8> {
    let page1 = "BT /F1 14 Tf 72 720 Td (Onboarding) Tj 0 -20 Td (Welcome to the team.) Tj ET";
    let page2 = format!(
        "BT /F1 11 Tf 72 720 Td (Payment settings) Tj 0 -16 Td (STRIPE_SECRET_KEY=) Tj {} Tj \
         0 -16 Td (Ask ops for the rest.) Tj ET",
        literal(secret)
    );
    let mut b = Builder::new();
    b.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .object(
            2,
            "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 /Resources << /Font << /F1 7 0 R >> >> >>",
        )
        .object(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        )
        .stream(4, "", page1.as_bytes())
        .object(
            5,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R >>",
        )
        .stream(6, "", page2.as_bytes())
        .object(
            7,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        )
        .object(8, &format!("<< /Producer (hand) {info} >>"));
    b.finish("/Root 1 0 R /Info 8 0 R")
}

/// Two-byte codes of the Type 0 font: digits 0x10.., capitals 0x20..,
/// small letters 0x40.., punctuation 0x03..
fn code(c: char) -> u16 {
    let at = |base: char| u16::try_from(u32::from(c) - u32::from(base)).unwrap();
    match c {
        '0'..='9' => 0x10 + at('0'),
        'A'..='Z' => 0x20 + at('A'),
        'a'..='z' => 0x40 + at('a'),
        ' ' => 3,
        '_' => 4,
        ':' => 5,
        '.' => 6,
        '-' => 7,
        ',' => 8,
        other => panic!("no glyph for {other:?}"),
    }
}

fn encode(text: &str) -> String {
    let hex: String = text.chars().map(|c| format!("{:04X}", code(c))).collect();
    format!("<{hex}>")
}

/// The `/ToUnicode` CMap: digits as a range, capitals as a range with an
/// array, small letters and punctuation one by one.
fn to_unicode() -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\
         2 beginbfrange\n<0010> <0019> <0030>\n<0020> <0039> [",
    );
    for c in 'A'..='Z' {
        cmap.push_str(&format!("<{:04X}> ", u32::from(c)));
    }
    cmap.push_str("]\nendbfrange\n32 beginbfchar\n");
    for c in ('a'..='z').chain([' ', '_', ':', '.', '-', ',']) {
        cmap.push_str(&format!("<{:04X}> <{:04X}>\n", code(c), u32::from(c)));
    }
    cmap.push_str("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}

/// Compressed page, Type 0 font in an object stream. The key is split over
/// two `Tj`; the token sits in a `TJ` array with small kerning inside it
/// and word-space kerning around it.
fn cid_pdf(key: &str, token: &str) -> Vec<u8> {
    let (k1, k2) = key.split_at(11);
    let (t1, rest) = token.split_at(12);
    let (t2, t3) = rest.split_at(13);
    let content = format!(
        "q 1 0 0 1 0 0 cm\nBT\n/F1 11 Tf\n1 0 0 1 72 720 Tm\n{} Tj\n0 -18 Td\n{} Tj\n\
         0 -18 Td\n{} Tj {} Tj {} Tj\n0 -18 Td\n[{} -350 {} -15 {} 20 {} -400 {}] TJ\nET\nQ\n",
        encode("Production runbook"),
        encode("Rotate the live key, then deploy."),
        encode("Key: "),
        encode(k1),
        encode(k2),
        encode("Token:"),
        encode(t1),
        encode(t2),
        encode(t3),
        encode("expires"),
    );
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /NotoSans-Regular /Encoding /Identity-H \
                /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>";
    let cid = "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSans-Regular \
               /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
               /FontDescriptor 7 0 R /DW 500 /CIDToGIDMap /Identity \
               /W [3 [260 520 270 250 320 250] 16 25 572 32 57 620 64 89 530] >>";
    let descriptor = "<< /Type /FontDescriptor /FontName /NotoSans-Regular /Flags 32 \
                      /FontBBox [-600 -300 2000 1100] /ItalicAngle 0 /Ascent 1069 \
                      /Descent -293 /CapHeight 714 /StemV 80 >>";
    let mut b = Builder::new();
    b.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .object(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        )
        .stream(
            4,
            "/Filter /FlateDecode",
            &compress_to_vec_zlib(content.as_bytes(), 6),
        )
        .stream(
            8,
            "/Filter /FlateDecode",
            &compress_to_vec_zlib(to_unicode().as_bytes(), 6),
        )
        .packed(
            9,
            &[
                (5, font.to_owned()),
                (6, cid.to_owned()),
                (7, descriptor.to_owned()),
            ],
        );
    b.finish("/Root 1 0 R")
}

/// A page that only draws an image.
fn image_pdf() -> Vec<u8> {
    let mut rng = Rng::new(5);
    let pixels: Vec<u8> = (0..4096).map(|_| (rng.next() >> 24) as u8).collect();
    let mut b = Builder::new();
    b.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .object(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        )
        .stream(4, "", b"q 200 0 0 200 72 500 cm /Im1 Do Q")
        .stream(
            5,
            "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Filter /DCTDecode",
            &pixels,
        );
    b.finish("/Root 1 0 R")
}

fn stripe(rng: &mut Rng) -> String {
    ["sk_", "live_", &rng.string(&alnum(), 24)].concat()
}

/// (rule id, member, line) of every match of a blob read as a PDF.
fn pdf_matches(engine: &Engine, data: &[u8], path: &str) -> (Vec<(String, String, u32)>, bool) {
    crate::common::expanded_matches(engine, data, path)
}

/// The text `pdftotext` reads, without white space; `None` when it is not
/// installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    let child = Command::new("pdftotext")
        .args(["-q", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return None;
    };
    child.stdin.take()?.write_all(pdf).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "pdftotext rejects the PDF");
    Some(
        String::from_utf8_lossy(&out.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    )
}

#[test]
fn a_key_in_a_simple_pdf_is_found_on_its_page() {
    let mut rng = Rng::new(31);
    let key = stripe(&mut rng);
    let pdf = simple_pdf(&key, "");
    // Only extraction sees it: the raw file escapes part of the value.
    assert!(!String::from_utf8_lossy(&pdf).contains(&key));
    let (found, truncated) = pdf_matches(engine(), &pdf, "docs/onboarding.pdf");
    assert!(!truncated);
    assert_eq!(
        found,
        vec![(
            "secrets.stripe.secret-key-live".to_owned(),
            "page 2".to_owned(),
            2
        )]
    );
    match pdftotext(&pdf) {
        Some(text) => assert!(text.contains(&format!("STRIPE_SECRET_KEY={key}")), "{text}"),
        None => eprintln!("pdftotext not found: skipping the cross-check (install poppler-utils)"),
    }

    // A placeholder in the same place is no finding.
    let quiet = simple_pdf(&["sk_", "live_", &"x".repeat(24)].concat(), "");
    let (found, _) = pdf_matches(engine(), &quiet, "docs/onboarding.pdf");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_cid_font_pdf_with_split_and_kerned_secrets_is_read() {
    let mut rng = Rng::new(32);
    let key = stripe(&mut rng);
    let token = checksummed("ghp_", &mut rng);
    let pdf = cid_pdf(&key, &token);
    let (found, truncated) = pdf_matches(engine(), &pdf, "ops/runbook.pdf");
    assert!(!truncated);
    assert_eq!(
        found,
        vec![
            (
                "secrets.stripe.secret-key-live".to_owned(),
                "page 1".to_owned(),
                3
            ),
            (
                "secrets.github.personal-access-token".to_owned(),
                "page 1".to_owned(),
                4
            ),
        ]
    );
    match pdftotext(&pdf) {
        Some(text) => {
            assert!(text.contains(&format!("Key:{key}")), "{text}");
            assert!(text.contains(&format!("Token:{token}expires")), "{text}");
        }
        None => eprintln!("pdftotext not found: skipping the cross-check (install poppler-utils)"),
    }

    // Look-alikes drawn the same way are not findings.
    let quiet = cid_pdf(
        &["sk_", "live_", &"x".repeat(24)].concat(),
        &["ghp_", &"x".repeat(36)].concat(),
    );
    let (found, _) = pdf_matches(engine(), &quiet, "ops/runbook.pdf");
    assert!(found.is_empty(), "{found:?}");

    // A page with only an image has no text to scan.
    let (found, truncated) = pdf_matches(engine(), &image_pdf(), "scans/page.pdf");
    assert!(found.is_empty() && !truncated, "{found:?}");
}

#[test]
fn metadata_is_scanned_and_named() {
    let mut rng = Rng::new(33);
    let token = checksummed("ghp_", &mut rng);
    let pdf = simple_pdf("nothing here", &format!("/Keywords (deploy {token})"));
    let (found, _) = pdf_matches(engine(), &pdf, "docs/onboarding.pdf");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "secrets.github.personal-access-token");
    assert_eq!(found[0].1, "metadata");
}

/// A zip file of stored members.
fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in members {
        let offset = u32::try_from(out.len()).unwrap();
        let mut common = Vec::new();
        common.extend_from_slice(&[0; 6]);
        common.extend_from_slice(&crc32fast::hash(content).to_le_bytes());
        let size = u32::try_from(content.len()).unwrap().to_le_bytes();
        common.extend_from_slice(&size);
        common.extend_from_slice(&size);
        common.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        common.extend_from_slice(&[0, 0]);
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00");
        out.extend_from_slice(&common[2..]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00");
        central.extend_from_slice(&common[2..]);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = u32::try_from(out.len()).unwrap();
    let count = u16::try_from(members.len()).unwrap().to_le_bytes();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn a_pdf_inside_a_zip_is_found_and_named() {
    let mut rng = Rng::new(34);
    let key = stripe(&mut rng);
    let token = checksummed("ghp_", &mut rng);
    let bundle = zip(&[
        ("README.txt", b"handover\n"),
        ("docs/runbook.pdf", &cid_pdf(&key, &token)),
    ]);
    let (found, truncated) = pdf_matches(engine(), &bundle, "handover.zip");
    assert!(!truncated);
    let members: Vec<(&str, &str)> = found
        .iter()
        .map(|(id, member, _)| (id.as_str(), member.as_str()))
        .collect();
    assert_eq!(
        members,
        [
            ("secrets.stripe.secret-key-live", "docs/runbook.pdf!page 1"),
            (
                "secrets.github.personal-access-token",
                "docs/runbook.pdf!page 1"
            ),
        ]
    );
}

#[test]
fn encrypted_pdfs_give_no_text_and_no_panic() {
    let mut rng = Rng::new(35);
    // What an encrypted content stream looks like: bytes without structure.
    let mut scrambled: Vec<u8> = (0..2048).map(|_| (rng.next() >> 32) as u8).collect();
    scrambled[3] = 0;
    let mut b = Builder::new();
    b.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .object(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
        .stream(4, "", &scrambled)
        .object(
            5,
            "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -1028 \
             /O <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> \
             /U <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> >>",
        );
    let pdf = b.finish("/Root 1 0 R /Encrypt 5 0 R /ID [<0102> <0102>]");
    assert_eq!(engine().scan(&pdf, "secret.pdf"), BlobOutcome::Binary);
}

#[test]
fn sessions_name_the_page_and_count_pdfs() {
    let mut rng = Rng::new(36);
    let key = stripe(&mut rng);
    let session = Session::new(engine());
    session.scan(
        &simple_pdf(&key, ""),
        "docs/onboarding.pdf",
        Origin::Worktree,
    );
    session.scan(&image_pdf(), "scans/page.pdf", Origin::Worktree);
    let evidence = session.finish(&FinishOptions::default());
    let finding = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "secrets.stripe.secret-key-live")
        .expect("stripe finding");
    assert_eq!(
        finding.location.path.as_deref(),
        Some("docs/onboarding.pdf!page 2")
    );
    assert_eq!(finding.location.line, Some(2));
    let json = serde_json::to_string(&evidence).unwrap();
    assert!(!json.contains(&key));
    let count = |name: &str| match evidence.facts.get(name).map(|f| &f.value) {
        Some(FactValue::Int { value, .. }) => *value,
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(count("secrets.pdfs.scanned"), 2);
    assert_eq!(count("secrets.pdfs.truncated"), 0);
    assert!(!evidence.facts.contains_key("secrets.archives.scanned"));
}

#[test]
fn a_pdf_bomb_is_cut_off_and_reported() {
    let mut rng = Rng::new(37);
    let key = stripe(&mut rng);
    let mut options = EngineOptions::default();
    options.archive_bytes = 1 << 20;
    let small = Engine::with_rules(RuleSet::builtin().unwrap(), options);
    // 8 MiB of text deflate to a few KiB; the key is drawn after it.
    let mut content = b"BT /F1 9 Tf 72 700 Td (".to_vec();
    content.resize(8 << 20, b'a');
    content.extend_from_slice(format!(") Tj 0 -12 Td ({key}) Tj ET").as_bytes());
    let compressed = compress_to_vec_zlib(&content, 6);
    assert!(compressed.len() < 64 * 1024);
    let mut b = Builder::new();
    b.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        .object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .object(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
        .stream(4, "/Filter /FlateDecode", &compressed);
    let bomb = b.finish("/Root 1 0 R");
    let (found, truncated) = pdf_matches(&small, &bomb, "bomb.pdf");
    assert!(truncated);
    assert!(found.is_empty(), "{found:?}");
    // Under the default budget the same file is read to the end.
    let (found, truncated) = pdf_matches(engine(), &bomb, "bomb.pdf");
    assert!(!truncated);
    assert_eq!(found.len(), 1, "{found:?}");

    let session = Session::new(&small);
    session.scan(&bomb, "bomb.pdf", Origin::Worktree);
    let evidence = session.finish(&FinishOptions::default());
    assert!(matches!(
        evidence
            .facts
            .get("secrets.pdfs.truncated")
            .map(|f| &f.value),
        Some(FactValue::Int { value: 1, .. })
    ));
}

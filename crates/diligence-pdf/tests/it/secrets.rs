//! PDFs typst renders (CID fonts with Identity-H codes, `/ToUnicode`
//! CMaps, subset fonts, compressed streams, glyph runs per line) go
//! through the secrets engine: a credential in their text is found on its
//! page, a placeholder is not, and a full report flags nothing else.

use std::sync::OnceLock;

use diligence_model::Assessment;
use diligence_pdf::{PdfOptions, PdfRenderer};
use diligence_secrets::{BlobOutcome, Engine, token_checksum};

use crate::sample;

/// Values assembled at run time from a fixed seed (xorshift), so that no
/// file holds a whole secret-shaped value.
struct Values(u64);

impl Values {
    fn string(&mut self, len: usize) -> String {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                char::from(ALNUM[(self.0 % ALNUM.len() as u64) as usize])
            })
            .collect()
    }
}

/// Renders `body` (typst markup) as the report template; the assessment
/// it is given is scanned once.
fn render(body: &str) -> anyhow::Result<Vec<u8>> {
    static BASIC: OnceLock<Assessment> = OnceLock::new();
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("report.typ"), body)?;
    let renderer = PdfRenderer::from_dir(dir.path())?;
    let assessment = BASIC.get_or_init(sample::basic);
    Ok(renderer.render(assessment, &PdfOptions::default())?)
}

/// A runbook page: the key in a justified paragraph, the token in a table
/// cell beside its label and again in bold monospace.
fn runbook(key: &str, token: &str) -> String {
    format!(
        r#"#set page(width: 15cm, height: auto, margin: 1.5cm)
#set par(justify: true)
#let key = "{key}"
#let token = "{token}"

= Deployment runbook

The payment service reads its live key from the vault. Until the
migration is finished the service falls back to the key #key, which must
be rotated as soon as the vault holds the new one. Other services follow
the same steps, described below in order.

#table(
  columns: 2,
  [Variable], [Value],
  [`GITHUB_TOKEN`], token,
  [`REGION`], [eu-west-1],
)

*Bot token:* #text(weight: "bold")[#raw(token)]
"#
    )
}

/// (rule id, member) of every match, or a failure naming the outcome.
fn found(engine: &Engine, pdf: &[u8]) -> Vec<(String, String)> {
    match engine.scan(pdf, "docs/runbook.pdf") {
        BlobOutcome::Pdf { matches, truncated } => {
            assert!(!truncated);
            matches
                .iter()
                .map(|m| {
                    (
                        engine.rules().rules()[m.rule].id.to_string(),
                        m.member.clone().unwrap_or_default(),
                    )
                })
                .collect()
        }
        other => panic!("the PDF was not extracted: {other:?}"),
    }
}

#[test]
fn secrets_in_a_typst_pdf_are_found_on_their_page() -> anyhow::Result<()> {
    let mut values = Values(0x5eed_1234_abcd_0042);
    let key = ["sk", "_live_", &values.string(24)].concat();
    let body = values.string(30);
    let token = ["gh", "p_", &body, &token_checksum(&body)].concat();
    let pdf = render(&runbook(&key, &token))?;
    assert!(pdf.starts_with(b"%PDF-"));
    // The values are only in compressed streams: a plain scan sees nothing.
    assert!(!String::from_utf8_lossy(&pdf).contains(&key));

    let engine = Engine::builtin()?;
    let found = found(&engine, &pdf);
    for rule in [
        "secrets.stripe.secret-key-live",
        "secrets.github.personal-access-token",
    ] {
        assert!(
            found
                .iter()
                .any(|(id, member)| id == rule && member == "page 1"),
            "{rule} not found on page 1: {found:?}"
        );
    }
    // The token is drawn twice: in the table and in bold monospace.
    let tokens = found
        .iter()
        .filter(|(id, _)| id == "secrets.github.personal-access-token")
        .count();
    assert_eq!(tokens, 2, "{found:?}");

    // The same page with placeholders gives nothing.
    let quiet = render(&runbook(
        &["sk", "_live_", &"x".repeat(24)].concat(),
        "ghp_your-token-here",
    ))?;
    let found = self::found(&engine, &quiet);
    assert!(found.is_empty(), "{found:?}");
    Ok(())
}

/// The fixture report: many pages of ids, hashes, paths and a redacted
/// secret. Only the token put on the cover is flagged, which also shows the
/// whole report was read.
#[test]
fn a_full_report_flags_only_what_its_text_holds() -> anyhow::Result<()> {
    let mut values = Values(0x0bad_cafe_0000_0007);
    let body = values.string(30);
    let token = ["gh", "p_", &body, &token_checksum(&body)].concat();
    let assessment = sample::with_findings(sample::basic(), 6);
    let options = PdfOptions {
        prepared_by: Some(format!("Example Advisory (bot {token})")),
        ..PdfOptions::default()
    };
    let pdf = PdfRenderer::embedded().render(&assessment, &options)?;
    let engine = Engine::builtin()?;
    let found = found(&engine, &pdf);
    assert!(
        found
            .iter()
            .all(|(id, _)| id == "secrets.github.personal-access-token"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(_, member)| member == "page 1"),
        "{found:?}"
    );
    Ok(())
}
